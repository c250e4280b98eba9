"""The roll engine: starting frame + line items = new frame, per column, under either convention.

Pure: takes a linked :class:`~rammecalc.core.models.Budget`, returns a :class:`RolledTable`, a
render-agnostic table (rows with a value per year) that every output format draws from.

* Incremental (``inkrementell``): the first column starts from the base, every later column from the
  previous column's new frame; an item is the change from the year before.
* Level (``nivå``): every column starts from the base; an item is its level against the base that year.

In both, new frame = start + the sum of the items in that column, and a group's subtotal is the sum of its
items and of its subgroups' subtotals. Arithmetic is exact ``Decimal`` (in ``numbers.EXACT``); nothing is
rounded but a rule's result, once. A rule whose result is beyond the limits raises
:class:`~rammecalc.core.problems.AmountOutOfRange`, located at the rule (see there why it raises).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from .models import Budget, ChangeSet, Frame, Group, Item, Location, RateRule, SplitRow
from .numbers import MAX_WHOLE_DIGITS, exact, format_amount
from .problems import AmountOutOfRange, Code, input_error
from .rules import Parameters, Step, TooLarge, evaluate, rate_amount, rule_parameters, to_convention
from .terms import Category, Convention

#: start: the frame's start; split: a row printed under it; group: a heading (with the subtotal on its row,
#: unless the group prints it below as ``subtotal``); group_start: a block's own base line; item: a line item;
#: subtotal: a group's sum row printed below its items; new_frame: the bottom row.
RowKind = Literal["start", "split", "group", "group_start", "item", "subtotal", "new_frame"]
#: The rows whose figures are sums (or starts) the roll computes, rather than amounts written for an item.
SUM_ROWS = frozenset({"start", "group", "group_start", "subtotal", "new_frame"})
ZERO = Decimal(0)


@dataclass(frozen=True)
class Row:
    """One printed row. ``values[year]`` is ``None`` where the table leaves the cell blank."""

    kind: RowKind
    label: str
    depth: int
    values: Mapping[int, Decimal | None]
    published: Mapping[int, Decimal]
    id: str | None = None
    group: str | None = None
    category: Category | None = None
    #: The parameters set on top of the parameter files (``--set``, a scenario) whose new value this item's
    #: rule read, for a year it covers, where the files give another (or none). Its amounts then follow the
    #: new rate, while its label is unchanged (and may print the old one: "Prisjustering med 1,4 pst.").
    overridden: tuple[str, ...] = ()
    #: The source's own number for the item (``referanse``).
    reference: str | None = None
    #: The item's cells in the frame's text columns, by column id.
    texts: Mapping[str, str] = field(default_factory=dict)
    #: Per year with a figure (computed or printed): True where the source prints a figure in the cell (an
    #: item's written amount, a 'publisert' figure, a blank read as 0 under 'blank_er_null'), False where the
    #: figure is rammecalc's alone (a sum the source leaves blank, a rule's amount not under 'publisert').
    printed: Mapping[int, bool] = field(default_factory=dict)
    #: Per year where the computed figure differs from the printed one: the printed figure (not in a variant,
    #: which is meant to differ).
    differs: Mapping[int, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Unallocated:
    """An amount for the whole period with no yearly split: listed, never in a year's total."""

    item_id: str
    label: str
    group: str | None
    amount: Decimal
    note: str | None


@dataclass(frozen=True)
class RolledTable:
    """The rolled frame: computed figures per year, and the rows in the order the source prints them."""

    frame: Frame
    start: Mapping[int, Decimal]
    subtotals: Mapping[str, Mapping[int, Decimal | None]]
    new_frame: Mapping[int, Decimal]
    rows: tuple[Row, ...]
    unallocated: tuple[Unallocated, ...]
    #: Each item's amount per year, in the frame's convention (blank years absent).
    amounts: Mapping[str, Mapping[int, Decimal]]
    #: How each item's amount in each year came about (for ``explain``).
    steps: Mapping[str, Mapping[int, list[Step]]]
    #: The profile (level per year, from the year before the first column) of each item with a rule.
    levels: Mapping[str, Mapping[int, Decimal]]
    #: Each block's start per year (a block: a group with its own start), by the group's id.
    block_starts: Mapping[str, Mapping[int, Decimal]] = field(default_factory=dict)
    #: Whether this is a variant (a scenario or a parameter set on top of the files): its figures are meant
    #: to differ from the printed ones.
    variant: bool = False

    @property
    def years(self) -> tuple[int, ...]:
        return self.frame.years

    @property
    def has_base(self) -> bool:
        """False when the frame gives no starting amount (neither its own nor its blocks'): starts then count
        from zero and the bottom row is the sum of the changes against the (unknown) base."""
        return self.frame.has_base

    def row(self, kind: RowKind, id: str | None = None) -> Row:
        """The first row of ``kind`` (and ``id``, for groups and items)."""
        for row in self.rows:
            if row.kind == kind and (id is None or row.id == id):
                return row
        raise KeyError((kind, id))


@exact
def roll(budget: Budget, trace: bool = False, marks: bool = True) -> RolledTable:
    """Roll ``budget`` forward: each item's amounts (from its rule, if it has one), start, subtotals and new
    frame for every column. With ``trace``, also how each item's amount came about (``steps``, for
    ``explain``); without, the steps are left out, which makes a check of many files faster. Without
    ``marks``, the rows do not say which figures are printed and which differ (``Row.printed``,
    ``Row.differs``): the check compares the figures itself, and is faster without them.

    Raises :class:`~rammecalc.core.problems.AmountOutOfRange` if a rule gives an amount beyond the limits."""
    frame = budget.frame
    years = frame.years
    convention = frame.convention
    blocks = frame.blocks
    if frame.start.amount is not None:
        base = frame.start.amount
    else:  # a frame of blocks starts from the sum of their starts; one with no start at all, from zero
        base = sum((block.start.amount for block in blocks), ZERO)
    params = Parameters.of(budget)

    amounts: dict[str, dict[int, Decimal]] = {}
    steps: dict[str, dict[int, list[Step]]] = {}
    levels: dict[str, dict[int, Decimal]] = {}
    dynamic: list[tuple[Item, RateRule, Location, ChangeSet, int]] = []
    items: list[Item] = []
    for cs in budget.changesets:
        for index, item in enumerate(cs.items):
            items.append(item)
            if item.rule is None:
                amounts[item.id] = dict(item.amounts)
                steps[item.id] = {} if not trace else {y: [Step("written", f"{format_amount(a)} in the changes file",
                                           cs.locate_key("poster", index, "beløp", y))]
                                  for y, a in item.amounts.items()}
                continue
            # Where each of the rule's keys is written (only when explaining: locations cost a re-read).
            where = (lambda key, cs=cs, index=index: cs.locate("poster", index, "regel", key)) if trace else None
            if isinstance(item.rule, RateRule) and item.rule.base == "utgangspunkt":
                dynamic.append((item, item.rule, where, cs, index))
                amounts[item.id] = {}
                steps[item.id] = {}
                continue
            try:
                evaluation = evaluate(item, years, params, where, frame.decimals, trace)
            except TooLarge as exc:
                raise _out_of_range(cs, index, item, exc) from None
            levels[item.id] = evaluation.levels
            amounts[item.id] = to_convention(evaluation.levels, years, convention)
            steps[item.id] = evaluation.steps

    start: dict[int, Decimal] = {}
    new_frame: dict[int, Decimal] = {}
    running = {item.id: ZERO for item, *_ in dynamic}
    for item, *_ in dynamic:
        levels[item.id] = {years[0] - 1: ZERO}
    previous: Decimal | None = None
    for year in years:
        start[year] = previous if convention is Convention.INCREMENTAL and previous is not None else base
        # Rules on the frame itself (the whole frame × the deflator): their base is the frame as it stands
        # when the year begins, the previous column's new frame, in either convention; known only now.
        frame_now = previous if previous is not None else base
        for item, rule, where, cs, index in dynamic:
            if year in rule.year_list:
                words = (f"the frame at the start of {year} (the new frame of {year - 1})" if previous is not None
                         else f"{frame.start.label}, {year}")
                if not frame.has_base:  # the frame is the changes against an unknown base
                    words += "; the base is not given, so this is the sum of the changes only"
                try:
                    change, rate_steps = rate_amount(frame_now, rule, year, params, where, base_words=words,
                                                     decimals=frame.decimals, trace=trace)
                except TooLarge as exc:
                    raise _out_of_range(cs, index, item, exc) from None
                running[item.id] += change
                if trace:
                    steps[item.id][year] = rate_steps
                if convention is Convention.INCREMENTAL and change:
                    amounts[item.id][year] = change
            levels[item.id][year] = running[item.id]
            if convention is Convention.LEVEL and running[item.id]:
                amounts[item.id][year] = running[item.id]
        new_frame[year] = start[year] + sum((amounts[it.id].get(year, ZERO) for it in items), ZERO)
        previous = new_frame[year]

    children: dict[str | None, list[Group]] = {}
    for group in frame.groups:
        children.setdefault(group.parent, []).append(group)
    items_in: dict[str | None, list[Item]] = {}
    for item in items:
        items_in.setdefault(item.group, []).append(item)

    # The groups in printed order: each heading ("open"), its items, then its subgroups, then its sum row if
    # it prints one below ("close"); walked with a stack rather than by recursion: the nesting is bounded by
    # the linker (assemble.MAX_GROUP_DEPTH), but a walk that cannot overflow Python's stack needs no such
    # promise.
    events: list[tuple[bool, Group, int]] = []
    stack = [(True, group, 0) for group in reversed(children.get(None, []))]
    while stack:
        opening, group, depth = stack.pop()
        events.append((opening, group, depth))
        if opening:
            stack.append((False, group, depth))
            stack.extend((True, child, depth + 1) for child in reversed(children.get(group.id, [])))
    printed = [(group, depth) for opening, group, depth in events if opening]

    # Subtotals from the innermost group out (the printed order reversed puts each subgroup before its
    # heading), so each is summed once: its items and its subgroups' subtotals.
    subtotals: dict[str, dict[int, Decimal | None]] = {}
    for group, _ in reversed(printed):
        own = items_in.get(group.id, [])
        subs = [subtotals[child.id] for child in children.get(group.id, []) if child.id in subtotals]
        values: dict[int, Decimal | None] = {}
        for year in years:
            parts = [amounts[it.id][year] for it in own if year in amounts[it.id]]
            parts += [sub[year] for sub in subs if sub[year] is not None]
            values[year] = sum(parts, ZERO) if parts else None
        subtotals[group.id] = values

    # A block's sum is its start + its changes. Its start is its base in every column (nivå), or its base and
    # then its own sum the year before (inkrementell), as the frame's start is the frame's.
    block_starts: dict[str, dict[int, Decimal]] = {}
    for block in blocks:
        own_start: dict[int, Decimal] = {}
        changes = subtotals[block.id]
        running: Decimal | None = None
        for year in years:
            own_start[year] = running if convention is Convention.INCREMENTAL and running is not None \
                else block.start.amount
            running = own_start[year] + (changes[year] or ZERO)
            changes[year] = running
        block_starts[block.id] = own_start

    variant = bool(budget.scenarios or budget.overrides)

    mark = _marks if marks else _no_marks

    def row(kind: RowKind, label: str, depth: int, values: Mapping[int, Decimal | None],
            published: Mapping[int, Decimal], **more) -> Row:
        written = more.pop("written", False)
        printed, differs = mark(frame, years, values, published, written, variant)
        return Row(kind, label, depth, values, published, printed=printed, differs=differs, **more)

    rows: list[Row] = []
    if frame.start.printed:
        rows.append(row("start", frame.start.label, 0,
                        dict(start) if frame.has_base else dict.fromkeys(years), frame.start.published))
    rows += [
        row("split", split.label, 1, {y: split.amounts.get(y) for y in years}, split.amounts, written=True)
        for split in frame.start.split
    ]

    def item_row(item: Item, depth: int) -> Row:
        own = amounts[item.id]
        values = {y: own.get(y) for y in years}
        printed, differs = mark(frame, years, values, item.published, item.rule is None, variant)
        return Row("item", item.label, depth, values, item.published, id=item.id, group=item.group,
                   category=item.category, overridden=_overridden(item, params, years), reference=item.reference,
                   texts=item.texts, printed=printed, differs=differs)

    # Items outside every group: printed after the start (and its split), before the first heading.
    rows += [item_row(item, 0) for item in items_in.get(None, [])]
    for opening, group, depth in events:
        if not opening:
            if group.sum_label is not None:
                rows.append(row("subtotal", group.sum_label, depth, subtotals[group.id], group.published,
                                id=group.id, group=group.parent))
            continue
        below = group.sum_label is not None
        rows.append(row("group", group.label, depth, dict.fromkeys(years) if below else subtotals[group.id],
                        {} if below else group.published, id=group.id, group=group.parent))
        if group.start is not None:
            rows.append(row("group_start", group.start.label, depth + 1, block_starts[group.id],
                            group.start.published, id=group.id, group=group.id))
        rows += [item_row(item, depth + 1) for item in items_in.get(group.id, [])]
    rows.append(row("new_frame", frame.new_frame_label, 0, dict(new_frame), frame.new_frame.published))

    unallocated = tuple(
        Unallocated(it.id, it.label, it.group, it.period_amount, it.note)
        for it in items
        if it.period_amount is not None
    )
    return RolledTable(frame, start, subtotals, new_frame, tuple(rows),
                       unallocated, amounts, steps, levels, block_starts, variant)


def _no_marks(*_) -> tuple[dict[int, bool], dict[int, Decimal]]:
    return {}, {}


def _marks(frame: Frame, years: tuple[int, ...], values: Mapping[int, Decimal | None],
           published: Mapping[int, Decimal], written: bool, variant: bool) -> tuple[dict[int, bool], dict[int, Decimal]]:
    """Which of a row's figures are as printed, and the printed figure where the computed one differs (see
    :class:`Row`). ``written``: the row's figures are written as printed (an item's 'beløp', a split row)."""
    printed_as = frame.as_printed(published) if published and frame.blank_is_zero else published
    marks: dict[int, bool] = {}
    differs: dict[int, Decimal] = {}
    for year in years:
        value = values.get(year)
        if year in printed_as:
            marks[year] = True
            if not variant and (value if value is not None else ZERO) != printed_as[year]:
                differs[year] = printed_as[year]
        elif value is not None:
            marks[year] = written
    return marks, differs


# ----------------------------------------------------------------------------------- conventions


def increments_to_levels(amounts: Mapping[int, Decimal], years: Iterable[int]) -> dict[int, Decimal]:
    """level(y) = sum of the increments up to y. Keeps a year where the level is non-zero or was written."""
    out: dict[int, Decimal] = {}
    level = ZERO
    for year in years:
        level += amounts.get(year, ZERO)
        if level != 0 or year in amounts:
            out[year] = level
    return out


def levels_to_increments(amounts: Mapping[int, Decimal], years: Iterable[int]) -> dict[int, Decimal]:
    """increment(y) = level(y) − level(y − 1), the level before the first column being zero."""
    out: dict[int, Decimal] = {}
    previous = ZERO
    for year in years:
        level = amounts.get(year, ZERO)
        if level - previous != 0 or year in amounts:
            out[year] = level - previous
        previous = level
    return out


def convert(budget: Budget, to: Convention) -> Budget:
    """The same budget written in the other convention; every new frame stays the same.

    Written item amounts are converted (rules and period amounts need not be). Of the published figures only the new frames
    keep their meaning in the other convention, so the starts, the subtotals and the split after the first
    column are left out; the result is for presenting, not for checking against the source.
    """
    frame = budget.frame
    if frame.convention is to:
        return budget
    years = frame.years
    step = increments_to_levels if to is Convention.LEVEL else levels_to_increments
    first = years[0]
    # (model_copy, not a new model: the copies keep what the file wrote and what it left out, such as a start
    # that a frame of blocks does not print, or a bottom row's label it does not give)
    new_frame = frame.model_copy(
        update={
            "convention": to,
            "start": frame.start.model_copy(update={
                "published": {},
                "split": tuple(
                    SplitRow.model_construct(label=s.label, amounts={first: s.amounts[first]})
                    for s in frame.start.split
                    if first in s.amounts
                ),
            }),
            "groups": tuple(g.model_copy(update={
                "published": {},
                **({"start": g.start.model_copy(update={"published": {}})} if g.start is not None else {}),
            }) for g in frame.groups),
        }
    )
    # model_copy keeps the private provenance, so the copies still cite the files they came from.
    # Rules give both conventions by themselves; written amounts are converted; the amounts printed for an
    # item lose their meaning in the other convention.
    changesets = tuple(
        cs.model_copy(update={"items": tuple(it.model_copy(update={"amounts": step(it.amounts, years),
                                                                   "published": {}})
                                             for it in cs.items)})
        for cs in budget.changesets
    )
    return budget.model_copy(update={"frame": new_frame, "changesets": changesets})


def _out_of_range(cs: ChangeSet, index: int, item: Item, exc: TooLarge) -> AmountOutOfRange:
    """The rule's result beyond the limits, as an input problem at the rule."""
    amount = exc.amount
    shown = format_amount(amount) if amount.adjusted() < 40 else f"a figure of {amount.adjusted() + 1} digits"
    return AmountOutOfRange(input_error(
        Code.AMOUNT_OUT_OF_RANGE, cs.locate("poster", index, "regel"),
        f"item '{item.id}': its rule gives {shown} in {exc.year} ({exc.formula}; the rate: {exc.rate_source}), "
        f"more than the {MAX_WHOLE_DIGITS} digits before the decimal point rammecalc takes",
        "check the base and the rate (a rate is in per cent: 2,5 for 2,5 %), and the table's unit ('beløpsenhet')",
    ))


def _overridden(item: Item, params: Parameters, years: tuple[int, ...]) -> tuple[str, ...]:
    """The parameters the item's rule reads for a year of the table (or the one before) whose value an
    override changes: its amounts follow the new rate, while its label may still print the old one."""
    names = rule_parameters(item)  # only a rate rule (sats) names a parameter
    if not names:
        return ()
    read = [y for y in item.rule.year_list if years[0] - 1 <= y <= years[-1]]
    return tuple(sorted(n for n in names if any(params.differs(n, y) for y in read)))
