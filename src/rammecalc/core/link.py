"""Linking: a frame and its changes files must fit together before they can be rolled. Pure.

Each file on its own has passed its schema; here we check what only the pair can tell: that a changes
file names the frame that lists it, that every group and item id is unique and every group exists, and that
every year stands among the frame's columns. Every problem is returned at once (all ``input-…`` codes,
so the shell exits 2).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence

from .models import (
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
    StepRule,
)
from .problems import Code, Problem, input_error
from .rules import Parameters, parse_rate_literal


def link(frame: Frame, changesets: Sequence[ChangeSet],
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
    if frame.start.amount is None:
        for path, key, published in (("utgangspunkt", "publisert", frame.start.published),
                                     ("ny_driftsramme", "publisert", frame.new_frame.published),
                                     ("utgangspunkt", "fordeling", frame.start.split)):
            if published:
                problems.append(input_error(
                    Code.NO_BASE, frame.locate(path, key),
                    "published starts, splits and new frames can only be checked from a starting frame, and "
                    "'utgangspunkt' has no 'beløp'",
                    "add the starting frame as 'beløp' under 'utgangspunkt'",
                ))

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
                first_file, first_line, _ = first_cs.locate("poster", first_index, "id")
                problems.append(input_error(
                    Code.DUPLICATE_ID, cs.locate("poster", i, "id"),
                    f"two items have the id '{item.id}' (the first at {first_file}:{first_line})",
                    "give each item its own id: ids are how scenarios and 'explain' find an item",
                ))
            else:
                item_ids[item.id] = (cs, i)  # located only if a duplicate turns up (locations cost a re-read)
            if item.group not in group_ids:
                problems.append(input_error(
                    Code.UNKNOWN_GROUP, cs.locate("poster", i, "gruppe"),
                    f"item '{item.id}' is under group '{item.group}', which frame '{frame.id}' does not have",
                    _known("groups", group_ids),
                ))
            check_years(cs, item.amounts, "poster", i, "beløp")
            check_years(cs, item.published, "poster", i, "publisert")
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
        if parse_rate_literal(rule.rate) is None:
            names = params.names()
            if rule.rate not in names:
                near = difflib.get_close_matches(rule.rate, names, n=1)
                problems.append(input_error(
                    Code.UNKNOWN_PARAMETER, cs.locate(*at, "sats"),
                    f"'{rule.rate}' is neither a rate such as '1,4 %' nor a parameter of frame '{frame.id}'",
                    (f"did you mean '{near[0]}'? " if near else "")
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


def group_problems(doc: Located, groups: Sequence, whose: str) -> tuple[dict[str, int], list[Problem]]:
    """The groups' ids (each with the index of its first group) and what is wrong with them: an id given
    twice, an 'under' that names no group, an 'under' chain that comes back. Shared by frames and sum
    tables (``whose``: 'frame', 'table')."""
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
    for i, group in enumerate(groups):
        if group.parent is None:
            continue
        if group.parent not in ids:
            problems.append(input_error(Code.UNKNOWN_GROUP, doc.locate("grupper", i, "under"),
                                        f"group '{group.id}' is placed under '{group.parent}', which is not a "
                                        f"group of this {whose}", f"the {whose}'s groups are: {', '.join(ids) or 'none'}"))
        elif in_cycle(parents, group.id):
            problems.append(input_error(Code.GROUP_CYCLE, doc.locate("grupper", i, "under"),
                                        f"group '{group.id}' is (through 'under') placed under itself",
                                        "make the 'under' chain end at a top-level group"))
    return ids, problems


def in_cycle(parents: Mapping[str, str | None], start: str) -> bool:
    """True if following the parents (a group's 'under') from ``start`` comes back to ``start``, not merely
    to some other cycle. Shared by frames and sum tables."""
    seen: set[str] = set()
    current = parents.get(start)
    while current is not None and current not in seen:
        if current == start:
            return True
        seen.add(current)
        current = parents.get(current)
    return False
