"""Compare: a budget and its variants side by side, and why each differs. Pure.

A variant is one or more scenarios applied in order. For each variant and year, the difference of its new
frame from the base's is attributed to what caused it: the items the scenario changed and the parameters
it set. The attribution is made operation by operation in the order the scenarios apply them: the effect
of an operation is the change it makes to the new frame given the operations before it. So the
attributions add up to the difference exactly (the steps telescope), and where two operations interact
(a higher deflator on a compensation line another operation added), the later one is credited with the
interaction. Causes are listed largest first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .models import Budget, Override, ParameterSet, Scenario
from .numbers import exact
from .problems import AmountOutOfRange
from .roll import RolledTable, roll
from .scenarios import ScenarioError, apply_steps, cause_of

ZERO = Decimal(0)


@dataclass(frozen=True)
class Attribution:
    """How much of a variant's difference from the base one cause accounts for, per year."""

    kind: str  # "item" or "parameter"
    name: str  # the item's id or the parameter's name
    label: str
    values: Mapping[int, Decimal]


@dataclass(frozen=True)
class Variant:
    """A base with scenarios applied: its roll, its difference from the base, and the causes."""

    scenarios: tuple[str, ...]
    labels: tuple[str, ...]
    budget: Budget
    table: RolledTable
    difference: Mapping[int, Decimal]
    attributions: tuple[Attribution, ...]

    @property
    def name(self) -> str:
        return " + ".join(self.scenarios)


@dataclass(frozen=True)
class Comparison:
    base: RolledTable
    variants: tuple[Variant, ...]


@exact
def compare(budget: Budget, variants: Sequence[Sequence[Scenario]],
            parameter_sets: Mapping[str, Sequence[ParameterSet]] | None = None,
            overrides: Sequence[Override] = ()) -> Comparison:
    """Roll ``budget`` and each variant (a list of scenarios applied in order) and attribute the differences.

    ``parameter_sets`` gives, per scenario id, the parameter files a scenario brings. ``overrides`` (the
    command line's ``--set``) are put on again after each variant's scenarios, so that they have the last
    word there as in the base. Raises :class:`~rammecalc.core.scenarios.ScenarioError` with every problem of
    every scenario before rolling, and with the problem of a rule whose result is beyond the limits in the
    base, a variant or a step between (``AmountOutOfRange``, made a problem like the others).
    """
    try:
        return _compare(budget, variants, parameter_sets, overrides)
    except AmountOutOfRange as exc:
        raise ScenarioError(exc.problems) from None


def _compare(budget: Budget, variants: Sequence[Sequence[Scenario]],
             parameter_sets: Mapping[str, Sequence[ParameterSet]] | None,
             overrides: Sequence[Override]) -> Comparison:
    extra = parameter_sets or {}
    base_table = roll(budget)
    problems = []
    results = []
    for scenarios in variants:
        state = budget
        steps: list[tuple[tuple[str, str], Budget]] = []
        try:
            for scenario in scenarios:
                state, states = apply_steps(state, scenario, extra.get(scenario.id, ()))
                steps += [(cause_of(scenario, i), s) for i, s in enumerate(states)]
        except ScenarioError as exc:
            problems += exc.problems
            continue
        for override in overrides:
            state = state.model_copy(update={"overrides": (*state.overrides, override)})
            steps.append((("parameter", override.name), state))
        results.append((scenarios, state, steps))
    if problems:
        raise ScenarioError(problems)

    out = []
    for scenarios, state, steps in results:
        table = roll(state)
        before = base_table.new_frame
        causes: dict[tuple[str, str], dict[int, Decimal]] = {}
        for cause, step_budget in steps:
            after = roll(step_budget).new_frame
            sums = causes.setdefault(cause, dict.fromkeys(base_table.years, ZERO))
            for year in base_table.years:
                sums[year] += after[year] - before[year]
            before = after
        labels = _labels(budget, state)
        attributions = tuple(sorted(
            (Attribution(kind, name, labels.get((kind, name), name), values)
             for (kind, name), values in causes.items() if any(values.values())),
            key=lambda a: (-max(abs(v) for v in a.values.values()), a.kind, a.name),
        ))
        difference = {y: table.new_frame[y] - base_table.new_frame[y] for y in base_table.years}
        out.append(Variant(tuple(s.id for s in scenarios), tuple(s.label for s in scenarios), state, table,
                           difference, attributions))
    return Comparison(base_table, tuple(out))


def _labels(*budgets: Budget) -> dict[tuple[str, str], str]:
    labels: dict[tuple[str, str], str] = {}
    for budget in budgets:
        for item in budget.items:
            labels[("item", item.id)] = item.label
        for ps in budget.parameter_sets:
            for parameter in ps.parameters:
                labels[("parameter", parameter.name)] = parameter.label
    return labels
