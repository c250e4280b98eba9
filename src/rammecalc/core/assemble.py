"""Assembling: a frame and its changes files must fit together before they can be rolled. Pure.

Each file on its own has passed its schema; here we check what only the pair can tell: that a changes
file names the frame that lists it, that every group and item id is unique and every group exists, and that
every year stands among the frame's columns. Every problem is returned at once (all ``input-…`` codes,
so the shell exits 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

from .models import (
    AmountDocument,
    Budget,
    ChangeSet,
    Frame,
    FromRule,
    Item,
    Located,
    MoveRule,
    OneOffRule,
    ParameterSet,
    PartYearRule,
    RateRule,
    Rule,
    StepRule,
)
from .numbers import SPACE, format_amount, round_exact, significant_decimals, thousands_reading, written_decimals
from .problems import Code, Problem, input_error, near
from .rules import Parameters, parse_rate_literal, rate_literal_error

Cell = tuple[tuple, Decimal, bool]
"""An amount written in a document: its path, its value as written, and whether the table prints it (a rate's
base is an amount, but not printed: it may have more decimals than the table)."""


def assemble(frame: Frame, changesets: Sequence[ChangeSet],
         parameter_sets: Sequence[ParameterSet] = ()) -> tuple[Budget | None, list[Problem]]:
    """Validate ``frame`` with ``changesets`` and ``parameter_sets`` (in the frame's order); the budget, or
    ``None`` and why."""
    problems: list[Problem] = []
    years = set(frame.years)
    columns = ", ".join(str(y) for y in frame.years)

    def check_years(doc: Frame | ChangeSet, amounts: Iterable[int], *path: str | int) -> None:
        for year in amounts:
            if year not in years:
                problems.append(input_error(
                    Code.YEAR_OUTSIDE_COLUMNS, doc.locate_key(*path, year),
                    f"year {year} is not one of the frame's columns ({columns})",
                    f"add {year} under 'kolonner' in {frame.file}, or correct the year",
                ))

    # The frame itself.
    check_years(frame, frame.start.published, "utgangspunkt", "publisert")
    for i, split in enumerate(frame.start.split):
        check_years(frame, split.amounts, "utgangspunkt", "fordeling", i, "beløp")
    check_years(frame, frame.new_frame.published, "ny_driftsramme", "publisert")
    blocks = [i for i, group in enumerate(frame.groups) if group.start is not None]
    if blocks and frame.start.amount is not None:
        first = frame.groups[blocks[0]]
        problems.append(input_error(
            Code.INVALID, frame.locate("utgangspunkt", "beløp"),
            f"the frame's start is the sum of its blocks' starts (the first under group '{first.id}'), so it "
            "cannot also be given here",
            "leave 'beløp' out of the frame's 'utgangspunkt' (keep 'etikett' and 'publisert' if the table prints "
            "a start row for the whole frame), or give the starts only here and not under the groups",
        ))
    for i in blocks:
        group = frame.groups[i]
        check_years(frame, group.start.published, "grupper", i, "utgangspunkt", "publisert")
        if group.parent is not None:
            problems.append(input_error(
                Code.INVALID, frame.locate("grupper", i, "utgangspunkt"),
                f"group '{group.id}' has its own start (a block), but it is placed under '{group.parent}'",
                "a block (a group with 'utgangspunkt') must be a top-level group: remove its 'under', or move "
                "its start to the top-level group it belongs to",
            ))
    if not frame.has_base:
        # Without a start, a printed start or split has nothing to be checked against. A printed bottom row
        # has: the total change against the (unknown) base, which the roll gives from a base of 0 in either
        # convention (nivå: the column's changes; inkrementell: the changes up to and including the year).
        for path, key, published in (("utgangspunkt", "publisert", frame.start.published),
                                     ("utgangspunkt", "fordeling", frame.start.split)):
            if published:
                problems.append(input_error(
                    Code.NO_BASE, frame.locate(path, key),
                    "a published start or split can only be checked from a starting frame, and 'utgangspunkt' "
                    "has no 'beløp'",
                    "add the starting frame as 'beløp' under 'utgangspunkt'; a table that prints only the "
                    "changes and their sum gives the sum under 'ny_driftsramme' ('etikett' as printed)",
                ))

    problems += amount_problems(frame, frame_cells(frame), frame.decimals, "under 'desimaler' in the frame")

    group_ids, found = group_problems(frame, frame.groups, "frame")
    problems += found
    for i, group in enumerate(frame.groups):
        check_years(frame, group.published, "grupper", i, "publisert")

    for i, record in enumerate(frame.known_differences):
        check_years(frame, [record.year], "kjente_differanser", i, "år")
        if record.group is not None and record.group not in group_ids:
            problems.append(input_error(
                Code.UNKNOWN_GROUP, frame.locate("kjente_differanser", i, "gruppe"),
                f"the known difference names group '{record.group}', which is not a group of this frame",
                _known("groups", group_ids),
            ))
        elif record.group is not None and record.figure == "utgangspunkt" \
                and frame.groups[group_ids[record.group]].start is None:
            problems.append(input_error(
                Code.UNKNOWN_GROUP, frame.locate("kjente_differanser", i, "gruppe"),
                f"the known difference names the start of group '{record.group}', which has none of its own",
                "name a block (a group with 'utgangspunkt'), or leave 'gruppe' out for the frame's start",
            ))

    # The parameter files: a name defined twice is ambiguous.
    defined: dict[str, str] = {}
    for ps in parameter_sets:
        for i, parameter in enumerate(ps.parameters):
            if parameter.name in defined:
                problems.append(input_error(
                    Code.DUPLICATE_ID, ps.locate("parametere", i, "navn"),
                    f"parameter '{parameter.name}' is also defined in {defined[parameter.name]}",
                    "give it another name, or list only one of the files under the frame's 'parametere'",
                ))
            else:
                defined[parameter.name] = ps.file
    params = Parameters(tuple(parameter_sets))

    # The changes files.
    item_ids: dict[str, tuple[ChangeSet, int]] = {}
    for cs in changesets:
        if cs.frame != frame.id:
            problems.append(input_error(
                Code.FRAME_MISMATCH, cs.locate("ramme"),
                f"this changes file belongs to frame '{cs.frame}', but it is listed by frame '{frame.id}' "
                f"({frame.file})",
                f"set 'ramme: {frame.id}', or remove the file from that frame's 'endringer'",
            ))
        for i, item in enumerate(cs.items):
            if item.id in item_ids:
                first_cs, first_index = item_ids[item.id]
                first_item = first_cs.items[first_index]
                first_file, first_line, _ = first_cs.locate(
                    "poster", first_index, "etikett" if first_item.id_derived else "id")
                if item.id_derived:
                    problems.append(input_error(
                        Code.DUPLICATE_ID, cs.locate("poster", i, "etikett"),
                        f"this item's label gives the id '{item.id}', which the item at {first_file}:{first_line} "
                        "has too",
                        "give this item an explicit 'id' of its own: ids are how scenarios and 'explain' find an "
                        "item",
                    ))
                else:
                    problems.append(input_error(
                        Code.DUPLICATE_ID, cs.locate("poster", i, "id"),
                        f"two items have the id '{item.id}' (the first at {first_file}:{first_line})",
                        "give each item its own id: ids are how scenarios and 'explain' find an item",
                    ))
            else:
                item_ids[item.id] = (cs, i)  # located only if a duplicate turns up (locations cost a re-read)
            for column in item.texts:
                if column not in frame.text_columns:
                    problems.append(input_error(
                        Code.UNKNOWN_COLUMN, cs.locate_key("poster", i, "tekst", column),
                        f"item '{item.id}' has a text in column '{column}', which frame '{frame.id}' does not "
                        "have",
                        f"the frame's text columns ('tekstkolonner') are: {', '.join(frame.text_columns) or 'none'}",
                    ))
            if item.group is not None and item.group not in group_ids:
                problems.append(input_error(
                    Code.UNKNOWN_GROUP, cs.locate("poster", i, "gruppe"),
                    f"item '{item.id}' is under group '{item.group}', which frame '{frame.id}' does not have",
                    _known("groups", group_ids),
                ))
            check_years(cs, item.amounts, "poster", i, "beløp")
            check_years(cs, item.published, "poster", i, "publisert")
            problems += amount_problems(cs, item_cells(item, ("poster", i)), frame.decimals,
                                        f"under 'desimaler' in the frame ({frame.file})")
            if item.rule is not None:
                problems += _check_rule(frame, cs, i, item, params, check_years)

    if problems:
        return None, problems
    return Budget(frame=frame, changesets=tuple(changesets), parameter_sets=tuple(parameter_sets)), []


def _check_rule(frame: Frame, cs: ChangeSet, index: int, item: Item, params: Parameters,
                check_years: Callable[..., None]) -> list[Problem]:
    """A rule's years must fall in the frame's columns, and its parameters must exist for them."""
    problems: list[Problem] = []
    rule = item.rule
    at = ("poster", index, "regel")
    first, last = frame.years[0], frame.years[-1]
    if isinstance(rule, RateRule):
        check_years(cs, rule.year_list, *at, "år")
        if isinstance(rule.base, dict):
            missing = [y for y in rule.year_list if y not in rule.base]
            if missing:
                problems.append(input_error(
                    Code.INVALID, cs.locate(*at, "grunnlag"),
                    f"the base has no amount for {', '.join(map(str, missing))}",
                    "give the base for every year under 'år', or one amount for all",
                ))
        literal_error = rate_literal_error(rule.rate)
        if literal_error is not None:
            problems.append(input_error(Code.INVALID, cs.locate(*at, "sats"), f"the rate '{rule.rate}': {literal_error}",
                                        "write the rate in per cent: '2,5 %' for 2,5 per cent"))
        elif parse_rate_literal(rule.rate) is None:
            names = params.names()
            if rule.rate not in names:
                close = near(rule.rate, names)
                problems.append(input_error(
                    Code.UNKNOWN_PARAMETER, cs.locate(*at, "sats"),
                    f"'{rule.rate}' is neither a rate such as '1,4 %' nor a parameter of frame '{frame.id}'",
                    (f"did you mean '{close[0]}'? " if close else "")
                    + (f"the parameters are: {', '.join(names)}" if names
                       else "list a parameter file under the frame's 'parametere', or write the rate as '1,4 %'"),
                ))
            else:
                have = params.years(rule.rate)
                for year in rule.year_list:
                    if year not in have:
                        problems.append(input_error(
                            Code.UNKNOWN_PARAMETER, cs.locate(*at, "sats"),
                            f"parameter '{rule.rate}' has no value for {year} (it has "
                            f"{', '.join(map(str, have))})",
                            "add the year's value to the parameter file, or set it with --set",
                        ))
    elif isinstance(rule, OneOffRule):
        check_years(cs, rule.amounts, *at, "beløp")
    elif isinstance(rule, StepRule):
        if max(rule.levels) > last:
            problems.append(input_error(Code.YEAR_OUTSIDE_COLUMNS, cs.locate_key(*at, "beløp", max(rule.levels)),
                                        f"a step in {max(rule.levels)} is after the frame's last column ({last})",
                                        "remove it, or add the year under the frame's 'kolonner'"))
    elif isinstance(rule, MoveRule):
        check_years(cs, [rule.source_year], *at, "fra")
        check_years(cs, [rule.target_year], *at, "til")
        if rule.source_year == rule.target_year:
            problems.append(input_error(Code.INVALID, cs.locate(*at, "til"),
                                        "an amount moved to the year it is moved from changes nothing",
                                        "correct 'fra' or 'til'"))
    elif isinstance(rule, (FromRule, PartYearRule)):
        year = rule.year if isinstance(rule, FromRule) else rule.effective.year
        key = "år" if isinstance(rule, FromRule) else "virkningsdato"
        if year > last or year < first - 1:
            problems.append(input_error(
                Code.YEAR_OUTSIDE_COLUMNS, cs.locate(*at, key),
                f"{year} is outside the frame's columns ({first}–{last}) and the year before them",
                "correct the year, or add it under the frame's 'kolonner'",
            ))
    return problems


def _known(what: str, ids: Iterable[str]) -> str:
    names = ", ".join(ids) or "none"
    return f"the frame's {what} are: {names}"


#: The deepest nesting of headings (through ``under``) that rammecalc takes: top-level headings are level 1.
#: Printed tables nest three or four levels; the limit only keeps every walk over the groups bounded.
MAX_GROUP_DEPTH = 20


def group_problems(doc: Located, groups: Sequence, whose: str) -> tuple[dict[str, int], list[Problem]]:
    """The groups' ids (each with the index of its first group) and what is wrong with them: an id given
    twice, an 'under' that names no group, an 'under' chain that comes back, a group nested deeper than
    :data:`MAX_GROUP_DEPTH` (reported once per chain, at the first group too deep). Shared by frames and sum
    tables (``whose``: 'frame', 'table'). Linear in the number of groups, however deep they nest."""
    ids: dict[str, int] = {}
    problems: list[Problem] = []
    for i, group in enumerate(groups):
        if group.id in ids:
            first = doc.locate("grupper", ids[group.id], "id")
            problems.append(input_error(Code.DUPLICATE_ID, doc.locate("grupper", i, "id"),
                                        f"two groups have the id '{group.id}' (the first at line {first[1]})",
                                        "give each group its own id"))
        else:
            ids[group.id] = i
    parents = {g.id: g.parent for g in groups}
    cyclic = cycles(parents)
    depths = group_depths(groups)
    for i, group in enumerate(groups):
        if group.parent is None:
            continue
        if group.parent not in ids:
            problems.append(input_error(Code.UNKNOWN_GROUP, doc.locate("grupper", i, "under"),
                                        f"group '{group.id}' is placed under '{group.parent}', which is not a "
                                        f"group of this {whose}", f"the {whose}'s groups are: {', '.join(ids) or 'none'}"))
        elif group.id in cyclic:
            problems.append(input_error(Code.GROUP_CYCLE, doc.locate("grupper", i, "under"),
                                        f"group '{group.id}' is (through 'under') placed under itself",
                                        "make the 'under' chain end at a top-level group"))
        elif depths.get(group.id) == MAX_GROUP_DEPTH + 1 and ids[group.id] == i:
            problems.append(input_error(Code.INVALID, doc.locate("grupper", i, "under"),
                                        f"group '{group.id}' is nested {MAX_GROUP_DEPTH + 1} levels deep (through "
                                        f"'under'); rammecalc takes at most {MAX_GROUP_DEPTH}",
                                        "no printed table nests its headings this deep: check the 'under' chain"))
    return ids, problems


def cycles(parents: Mapping[str, str | None]) -> set[str]:
    """The ids that following the parents (a group's 'under') leads back to, each visited once: the groups
    in a cycle, not those merely leading into one."""
    state: dict[str, int] = {}  # 1: on the path being followed, 2: done
    found: set[str] = set()
    for start in parents:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parents and node not in state:
            state[node] = 1
            path.append(node)
            node = parents[node]
        if node is not None and state.get(node) == 1:  # came back to the path: the cycle is its tail
            found.update(path[path.index(node):])
        for visited in path:
            state[visited] = 2
    return found


def group_depths(groups: Sequence) -> dict[str, int]:
    """Each group's level: 1 at the top, one more under each 'under' (a group's first definition counts; a
    chain is followed to its top once, however many groups share it). Finite in a cycle too."""
    parents: dict[str, str | None] = {}
    for group in groups:
        parents.setdefault(group.id, group.parent)
    depths: dict[str, int] = {}
    for start in parents:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node in parents and node not in depths and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parents[node]
        level = depths.get(node, 0) if node is not None and node not in on_path else 0
        for visited in reversed(path):
            level += 1
            depths[visited] = level
    return depths


# ------------------------------------------------------------------------------------ amounts as written


def frame_cells(frame: Frame) -> Iterator[Cell]:
    """Every amount a frame file writes."""
    start = frame.start
    if start.amount is not None:
        yield ("utgangspunkt", "beløp"), start.amount, True
    for year, value in start.published.items():
        yield ("utgangspunkt", "publisert", year), value, True
    for i, split in enumerate(start.split):
        for year, value in split.amounts.items():
            yield ("utgangspunkt", "fordeling", i, "beløp", year), value, True
    for i, group in enumerate(frame.groups):
        for year, value in group.published.items():
            yield ("grupper", i, "publisert", year), value, True
        if group.start is not None:
            yield ("grupper", i, "utgangspunkt", "beløp"), group.start.amount, True
            for year, value in group.start.published.items():
                yield ("grupper", i, "utgangspunkt", "publisert", year), value, True
    for year, value in frame.new_frame.published.items():
        yield ("ny_driftsramme", "publisert", year), value, True
    for i, record in enumerate(frame.known_differences):
        yield ("kjente_differanser", i, "differanse"), record.difference, True


def item_cells(item: Item, at: tuple) -> Iterator[Cell]:
    """Every amount an item writes (``at``: the item's path in its document)."""
    for year, value in item.amounts.items():
        yield (*at, "beløp", year), value, True
    for year, value in item.published.items():
        yield (*at, "publisert", year), value, True
    if item.period_amount is not None:
        yield (*at, "periodebeløp"), item.period_amount, True
    if item.rule is not None:
        yield from rule_cells(item.rule, (*at, "regel"))


def rule_cells(rule: Rule, at: tuple) -> Iterator[Cell]:
    """Every amount a rule writes (``at``: the rule's path). A rate's base is not printed."""
    if isinstance(rule, (FromRule, MoveRule)):
        yield (*at, "beløp"), rule.amount, True
    elif isinstance(rule, (StepRule, OneOffRule)):
        for year, value in (rule.levels if isinstance(rule, StepRule) else rule.amounts).items():
            yield (*at, "beløp", year), value, True
    elif isinstance(rule, PartYearRule):
        yield (*at, "helårsvirkning"), rule.full_year, True
    elif isinstance(rule, RateRule) and rule.base != "utgangspunkt":
        if isinstance(rule.base, Decimal):
            yield (*at, "grunnlag"), rule.base, False
        else:
            for year, value in rule.base.items():
                yield (*at, "grunnlag", year), value, False


def amount_problems(doc: AmountDocument, cells: Iterable[Cell], decimals: int | None,
                    declared_where: str) -> list[Problem]:
    """Amounts that cannot be trusted as written, each at its own cell (``decimals``: what the table prints,
    ``None`` for any; ``declared_where``: where that is declared, for the hint).

    * An amount written with more decimals than the table prints was not copied from it as printed: a
      mistyped figure, or a table whose ``desimaler`` is not declared. Left alone, it would show up as a
      mismatch somewhere else.
    * An amount such as ``1.500`` (one to three digits, a full stop or comma, exactly three digits) in a
      table that prints fewer than three decimals has two readings, 1,5 and 1 500 (Askøy prints ``1.515``
      for 1 515), unless the file declares its thousands separator (``tusenskille``). Refused with both.
    """
    problems: list[Problem] = []
    for path, value, printed in cells:
        written = written_decimals(value)
        if decimals is not None and written <= decimals:
            continue
        reading = thousands_reading(value) if doc.thousands_separator is None and (decimals or 0) < 3 else None
        if reading is not None:
            plain = round_exact(value, decimals=significant_decimals(value))
            problems.append(input_error(
                Code.TOO_MANY_DECIMALS, doc.locate(*path),
                f"{format_amount(plain)} or {format_amount(reading)}? The amount has a full stop or comma before "
                "exactly three digits, which may separate thousands (Askøy prints 1.515 for 1 515), and the table "
                f"prints {_printed(decimals)}",
                f"write {reading} if it is {format_amount(reading)}; if the file's full stops separate thousands, "
                f"declare 'tusenskille: punktum' at its top (or 'tusenskille: {SPACE}' if they are decimal "
                "points)"))
        elif printed and decimals is not None:
            problems.append(input_error(
                Code.TOO_MANY_DECIMALS, doc.locate(*path),
                f"{format_amount(value)} has {written} decimal{'s' if written != 1 else ''}, but the table prints "
                f"{_printed(decimals)}",
                f"write the figure as the table prints it, or declare 'desimaler: {written}' {declared_where} if "
                "the table prints that many"))
    return problems


def _printed(decimals: int | None) -> str:
    return "whole units" if not decimals else f"{decimals} decimal{'s' if decimals != 1 else ''}"
