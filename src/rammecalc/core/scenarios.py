"""Scenarios: variants of a budget, as transformations. Pure.

``apply(budget, scenario)`` returns a new budget; the one given is never changed (the models are frozen and
every step copies). Operations are applied in the order written, and scenarios compose in the order given:
``apply(apply(b, s1), s2)``.

Before anything is applied, every operation is checked against the budget as it will stand at that point
(an item removed by one operation cannot be scaled by the next); an unknown item or parameter is a problem
at the operation's ``file:line:col`` that names the nearest valid names. After applying, the result is
assembled again (``core.assemble``), so an added item gets every check a changes file gets, cited at its place in
the scenario file.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from .assemble import amount_problems, assemble, item_cells, rule_cells
from .models import (
    AddItem,
    Budget,
    ChangeSet,
    Frame,
    FromRule,
    Item,
    MoveRule,
    OneOffRule,
    Operation,
    Override,
    ParameterSet,
    PartYearRule,
    RateRule,
    RemoveItem,
    ReplaceItem,
    ScaleItem,
    Scenario,
    SetParameter,
    ShiftItem,
    Source,
    StepRule,
)
from .numbers import MAX_WHOLE_DIGITS, exact, format_amount, product, round_exact, too_large
from .problems import AmountOutOfRange, Code, Problem, input_error, near
from .roll import roll
from .rules import Parameters
from .terms import Convention, Rounding

if TYPE_CHECKING:
    from .pipeline import Rate


class ScenarioError(ValueError):
    """A scenario cannot be applied; ``problems`` says where and why (all at once)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.where}: {p.message}" for p in problems))
        self.problems = problems


def validate(budget: Budget, scenario: Scenario, parameter_sets: Sequence[ParameterSet] = ()) -> list[Problem]:
    """Every problem with applying ``scenario`` to ``budget``, without applying anything."""
    problems: list[Problem] = []
    if scenario.frame != budget.frame.id:
        problems.append(input_error(
            Code.FRAME_MISMATCH, scenario.locate("gjelder"),
            f"scenario '{scenario.id}' is for frame '{scenario.frame}', not '{budget.frame.id}'",
            f"apply it to frame '{scenario.frame}', or set 'gjelder: {budget.frame.id}'",
        ))
        return problems
    # Each item's rule as the operations leave it, so that an operation is judged against the item as the
    # operations before it made it (an 'erstatt' may make an item a rate on the frame, or stop it being one).
    rules = {item.id: item.rule for item in budget.items}
    ids = dict.fromkeys(rules)  # the items there are as the operations go, in order (a dict: found at once)
    groups = {g.id for g in budget.frame.groups}
    for index, group in enumerate(scenario.groups):
        if group.id in groups:
            problems.append(input_error(Code.DUPLICATE_ID, scenario.locate("grupper", index, "id"),
                                        f"the frame already has a group '{group.id}'", "use that group, or "
                                        "give the new one its own id"))
        groups.add(group.id)
    names = Parameters((*budget.parameter_sets, *parameter_sets)).names()
    declared = f"under 'desimaler' in the frame ({budget.frame.file})"
    for index, op in enumerate(scenario.operations):
        at = ("operasjoner", index)
        # Amounts the scenario writes, checked as a changes file's are, at their place in the scenario.
        if isinstance(op, AddItem):
            problems += amount_problems(scenario, item_cells(op.item, (*at, "post")), budget.frame.decimals, declared)
        elif isinstance(op, ReplaceItem):
            cells = [((*at, "beløp", y), a, True) for y, a in op.amounts.items()]
            cells += rule_cells(op.rule, (*at, "regel")) if op.rule is not None else []
            problems += amount_problems(scenario, cells, budget.frame.decimals, declared)
        if isinstance(op, SetParameter):
            if op.parameter not in names:
                problems.append(_unknown(scenario.locate(*at, "parameter"), "parameter", op.parameter, names,
                                         "list its file under the scenario's (or the frame's) 'parametere'"))
        elif isinstance(op, AddItem):
            if op.item.id in ids:
                problems.append(input_error(Code.DUPLICATE_ID, scenario.locate(*at, "post", "id"),
                                            f"the frame already has an item '{op.item.id}'",
                                            "give the new item its own id, or use 'erstatt' to change that one"))
            else:
                ids[op.item.id] = None
                rules[op.item.id] = op.item.rule
        elif op.item not in ids:
            problems.append(_unknown(scenario.locate(*at, "post"), "item", op.item, list(ids),
                                     "an earlier operation may have removed it"))
        elif isinstance(op, RemoveItem):
            del ids[op.item]
        elif isinstance(op, ReplaceItem):
            rules[op.item] = op.rule
        elif isinstance(op, ScaleItem):
            rule = rules.get(op.item)
            if isinstance(rule, RateRule) and rule.base == "utgangspunkt":
                problems.append(input_error(Code.INVALID, scenario.locate(*at, "post"),
                                            f"item '{op.item}' is a rate on the frame itself; scaling it is "
                                            "scaling the rate", "change the rate with 'sett' instead"))
    return problems


def apply(budget: Budget, scenario: Scenario, parameter_sets: Sequence[ParameterSet] = ()) -> Budget:
    """``budget`` with ``scenario`` applied: a new budget. Raises :class:`ScenarioError` with every problem."""
    return apply_steps(budget, scenario, parameter_sets)[0]


@exact
def apply_steps(budget: Budget, scenario: Scenario,
                parameter_sets: Sequence[ParameterSet] = ()) -> tuple[Budget, list[Budget]]:
    """``scenario`` applied to ``budget``: the new budget, linked, and the budget after each operation (for
    ``compare``, which attributes each step's effect to its cause). Raises :class:`ScenarioError` with every
    problem: the operations' before anything is applied, then what applying them gives (a scaled amount
    beyond the limits, at the operation), then the result's as the linker sees it, and last a rule whose
    result is beyond the limits in the new budget (a rate set too high), at the rule."""
    problems = validate(budget, scenario, parameter_sets)
    if problems:
        raise ScenarioError(problems)
    result = with_groups(_with_parameters(budget, parameter_sets), scenario)
    states = []
    for index in range(len(scenario.operations)):
        try:
            result = apply_operation(result, scenario, index)
        except ScenarioError as exc:
            problems += exc.problems
        states.append(result)
    if problems:
        raise ScenarioError(problems)
    result = result.model_copy(update={"scenarios": (*budget.scenarios, scenario.id)})
    linked, problems = assemble(result.frame, result.changesets, result.parameter_sets)
    if problems:
        raise ScenarioError(problems)
    assert linked is not None
    applied = linked.model_copy(update={"overrides": result.overrides, "scenarios": result.scenarios})
    try:
        roll(applied)
    except AmountOutOfRange as exc:
        raise ScenarioError(exc.problems) from None
    return applied, states


def with_groups(budget: Budget, scenario: Scenario) -> Budget:
    """The frame with the headings the scenario adds (located in the scenario file)."""
    if not scenario.groups:
        return budget
    frame = budget.frame
    groups = frame.groups + scenario.groups
    offset = len(frame.groups)
    frame_values, frame_keys = frame.locations()
    scenario_values, scenario_keys = scenario.locations()
    values = dict(frame_values)
    keys = dict(frame_keys)
    for path, loc in scenario_values.items():
        if path[:1] == ("grupper",) and len(path) > 1:
            values[("grupper", path[1] + offset, *path[2:])] = loc
    for path, loc in scenario_keys.items():
        if path[:1] == ("grupper",) and len(path) > 1:
            keys[("grupper", path[1] + offset, *path[2:])] = loc
    copy = frame.model_copy(update={"groups": groups})
    copy.with_source(frame.file, values, keys)
    return budget.model_copy(update={"frame": copy})


def set_parameters(budget: Budget, values: Mapping[str, Rate | Mapping[int | None, Rate]] | None = None,
                   /, **named: Rate | Mapping[int | None, Rate]) -> Budget:
    """``budget`` with parameters set, in per cent, as ``--set`` sets them: ``set_parameters(b, deflator="4,8 %")``
    for every year, ``set_parameters(b, {"deflator": {2024: Decimal("5")}})`` for one. A rate is an int, a
    ``Decimal`` or text as the files write it (``'2,5 %'``, ``'2.5%'``, ``'2.5'``); a float raises
    ``TypeError``. A new budget; the last value set wins.

    Raises :class:`~rammecalc.core.pipeline.InputError` (a ``ValueError`` and a ``KeyError``) with every
    problem, in the command line's words: a text that is no rate, a rate beyond the limits, a name the
    budget's parameter files do not define (naming those there are), a year the frame does not use."""
    from .pipeline import read_overrides, with_overrides

    return with_overrides([budget], read_overrides({**(values or {}), **named}))[0]


def _with_parameters(budget: Budget, parameter_sets: Sequence[ParameterSet]) -> Budget:
    """The budget with the parameter files a scenario brings that it does not have already."""
    have = {ps.file for ps in budget.parameter_sets}
    extra = tuple(ps for ps in parameter_sets if ps.file not in have)
    return budget.model_copy(update={"parameter_sets": budget.parameter_sets + extra}) if extra else budget


def apply_operation(budget: Budget, scenario: Scenario, index: int) -> Budget:
    """One operation of ``scenario`` (already validated) applied to ``budget``: a new budget."""
    op: Operation = scenario.operations[index]
    origin = f"scenario {scenario.id} ({':'.join(map(str, scenario.locate('operasjoner', index)))})"
    if isinstance(op, SetParameter):
        override = Override(name=op.parameter, year=op.year, value=op.value, origin=f"set by {origin}")
        return budget.model_copy(update={"overrides": (*budget.overrides, override)})
    if isinstance(op, AddItem):
        return budget.model_copy(update={"changesets": (*budget.changesets, _added(scenario, index, op.item))})
    years = budget.frame.years

    def change(item: Item) -> Item | None:
        if isinstance(op, RemoveItem):
            return None
        note = f"{_VERB[type(op)]} by {origin}"
        if isinstance(op, ReplaceItem):
            return item.model_copy(update={"amounts": op.amounts, "rule": op.rule, "published": {}, "note": note})
        if isinstance(op, ScaleItem):
            return _scaled(item, op.factor, budget.frame, scenario, index).model_copy(
                update={"published": {}, "note": note})
        assert isinstance(op, ShiftItem)
        return _shifted(item, op.years, years, budget.frame.convention).model_copy(
            update={"published": {}, "note": note})

    changesets = []
    for cs in budget.changesets:
        items = []
        for item in cs.items:
            if item.id == op.item:
                changed = change(item)
                if changed is not None:
                    items.append(changed)
            else:
                items.append(item)
        changesets.append(cs.model_copy(update={"items": tuple(items)}) if len(items) != len(cs.items) or
                          any(a is not b for a, b in zip(items, cs.items, strict=True)) else cs)
    return budget.model_copy(update={"changesets": tuple(changesets)})


_VERB = {ReplaceItem: "replaced", ScaleItem: "scaled", ShiftItem: "moved"}


def cause_of(scenario: Scenario, index: int) -> tuple[str, str]:
    """What an operation changes: ``("parameter", name)`` or ``("item", id)``."""
    op = scenario.operations[index]
    if isinstance(op, SetParameter):
        return ("parameter", op.parameter)
    return ("item", op.item.id if isinstance(op, AddItem) else op.item)


# --------------------------------------------------------------------------------------------- helpers


def _unknown(where: tuple[str, int, int], what: str, name: str, names: Sequence[str], extra: str) -> Problem:
    close = near(name, names, n=3)
    hint = (f"did you mean {', '.join(repr(n) for n in close)}? " if close else "") + (
        f"the {what}s are: {', '.join(names)}" if names else extra)
    return input_error(Code.UNKNOWN_ITEM if what == "item" else Code.UNKNOWN_PARAMETER, where,
                       f"there is no {what} '{name}'", hint)


def _added(scenario: Scenario, index: int, item: Item) -> ChangeSet:
    """The added item as a changes file of its own, located in the scenario file."""
    changes = ChangeSet(kind="endringer", frame=scenario.frame, source=_source(scenario), items=(item,))
    prefix = ("operasjoner", index, "post")
    scenario_values, scenario_keys = scenario.locations()
    values = {("poster", 0, *path[3:]): loc for path, loc in scenario_values.items() if path[:3] == prefix}
    keys = {("poster", 0, *path[3:]): loc for path, loc in scenario_keys.items() if path[:3] == prefix}
    values[("poster", 0)] = scenario_values.get(prefix, (1, 1))
    values[("ramme",)] = scenario_values.get(("gjelder",), (1, 1))
    changes.with_source(scenario.file, values, keys)
    return changes


def _source(scenario: Scenario):

    return Source(document=f"scenario {scenario.id}", note=scenario.label)


def _plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros after the decimal point (and never in exponent form)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _scaled(item: Item, factor: Decimal, frame: Frame, scenario: Scenario, index: int) -> Item:
    """Every amount of the item, or of its rule (a rate's base), times ``factor``.

    Each product is exact and then rounded once, per amount, as the table rounds: to the frame's decimals,
    by the item's rule's rounding where it names one (else halv-opp), so that a table of whole thousands
    stays whole (151,8 → 152). A rate's base is the exception: it is not printed, and the rate's result is
    rounded once from it, so it is kept exact. An amount beyond the limits raises :class:`ScenarioError` at
    the operation."""
    rounding = getattr(item.rule, "rounding", Rounding.HALF_UP)
    problems: list[Problem] = []

    def times(amount: Decimal, year: int | None = None, rounded: bool = True) -> Decimal:
        exact_product = product(amount, factor)
        # An exact product is kept without trailing zeros (8 × 0,5 × 0,25 = 1, not 1,000): its digits are
        # computed, not written, and must not read as a figure typed with three decimals.
        result = round_exact(exact_product, rounding, frame.decimals) if rounded else _plain(exact_product)
        if too_large(result) and not problems:
            shown = format_amount(result) if result.adjusted() < 40 else f"a figure of {result.adjusted() + 1} digits"
            problems.append(input_error(
                Code.AMOUNT_OUT_OF_RANGE, scenario.locate("operasjoner", index),
                f"item '{item.id}': {format_amount(amount)} × {format_amount(factor)} is {shown}"
                f"{f' in {year}' if year is not None else ''}, more than the {MAX_WHOLE_DIGITS} digits before the "
                "decimal point rammecalc takes", "check the factor ('faktor') and the item's amounts"))
        return result

    def each(amounts: dict[int, Decimal]) -> dict[int, Decimal]:
        return {y: times(a, y) for y, a in amounts.items()}

    rule = item.rule
    if isinstance(rule, FromRule):
        rule = rule.model_copy(update={"amount": times(rule.amount)})
    elif isinstance(rule, StepRule):
        rule = rule.model_copy(update={"levels": each(rule.levels)})
    elif isinstance(rule, PartYearRule):
        rule = rule.model_copy(update={"full_year": times(rule.full_year)})
    elif isinstance(rule, OneOffRule):
        rule = rule.model_copy(update={"amounts": each(rule.amounts)})
    elif isinstance(rule, MoveRule):
        rule = rule.model_copy(update={"amount": times(rule.amount)})
    elif isinstance(rule, RateRule):
        base = (times(rule.base, rounded=False) if isinstance(rule.base, Decimal)
                else {y: times(a, y, rounded=False) for y, a in rule.base.items()})
        rule = rule.model_copy(update={"base": base})
    period = times(item.period_amount) if item.period_amount is not None else None
    scaled = item.model_copy(update={"amounts": each(item.amounts), "rule": rule, "period_amount": period})
    if problems:
        raise ScenarioError(problems)
    return scaled


def _shifted(item: Item, n: int, years: tuple[int, ...], convention) -> Item:
    """The item ``n`` years later (or earlier). What moves past the last column falls out of the table;
    what moves before the first is part of the base already. Written amounts in the level convention
    moved earlier keep their last known level to the end (the source says nothing beyond its horizon)."""

    first, last = years[0], years[-1]

    def keep(amounts: dict[int, Decimal]) -> dict[int, Decimal]:
        return {y + n: a for y, a in amounts.items() if first <= y + n <= last}

    rule = item.rule
    empty = {"rule": None, "amounts": {}}
    if rule is None:
        amounts = keep(item.amounts)
        if convention is Convention.LEVEL and n < 0 and item.amounts:
            last_level = item.amounts.get(last)
            if last_level is not None:
                for y in range(max(first, last + n + 1), last + 1):
                    amounts[y] = last_level
        return item.model_copy(update={"amounts": amounts})
    if isinstance(rule, FromRule):
        year = max(rule.year + n, first - 1)
        return item.model_copy(update=empty if year > last else {"rule": rule.model_copy(update={"year": year})})
    if isinstance(rule, StepRule):
        levels = {max(y + n, first - 1): a for y, a in sorted(rule.levels.items()) if y + n <= last}
        return item.model_copy(update={"rule": rule.model_copy(update={"levels": levels})} if levels else empty)
    if isinstance(rule, OneOffRule):
        amounts = keep(rule.amounts)
        return item.model_copy(update={"rule": rule.model_copy(update={"amounts": amounts})} if amounts else empty)
    if isinstance(rule, PartYearRule):
        year = rule.effective.year + n
        if year > last or year < first - 1:
            return item.model_copy(update=empty)
        day = min(rule.effective.day, 28) if rule.effective.month == 2 else rule.effective.day
        date = datetime.date(year, rule.effective.month, day)
        return item.model_copy(update={"rule": rule.model_copy(update={"effective": date})})
    if isinstance(rule, MoveRule):
        source, target = rule.source_year + n, rule.target_year + n
        inside = [y for y in (source, target) if first <= y <= last]
        if len(inside) == 2:
            return item.model_copy(update={"rule": rule.model_copy(update={"source_year": source,
                                                                           "target_year": target})})
        if not inside:
            return item.model_copy(update=empty)
        amount = -rule.amount if inside[0] == source else rule.amount
        return item.model_copy(update={"rule": OneOffRule(type="engangs", amounts={inside[0]: amount})})
    assert isinstance(rule, RateRule)
    moved = tuple(y + n for y in rule.year_list if first <= y + n <= last)
    if not moved:
        return item.model_copy(update=empty)
    base = rule.base if not isinstance(rule.base, dict) else {y + n: a for y, a in rule.base.items()}
    return item.model_copy(update={"rule": rule.model_copy(update={"years": moved, "base": base})})
