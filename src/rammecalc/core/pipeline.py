"""The steps between loading and rolling, shared by the command line and the Python API. Pure.

The shell is a thin layer over these: ``cli.py`` parses its options, calls them (mostly through
:class:`~rammecalc.loading.Loaded`'s methods, as a script does), prints and picks the exit code. A script
gets the same checks with the same words:

    parse_sets(texts)               ``--set NAME[:YEAR]=RATE`` → overrides
    read_overrides(values)          ``set_parameters``' mapping → overrides
    override_problems(o, budgets)   a name no parameter file defines, a year no frame uses
    with_overrides(budgets, o)      the overrides put on every budget, once they pass those checks
    lookup_scenario(scenarios, v)   a scenario by its id, or by the name of its file
    frame_of(budgets, scenarios)    the budget of the one frame the scenarios are for
    variant(budget, scenarios, …)   the scenarios applied in order (with the parameter files each brings),
                                    the overrides last: they have the last word, as on the command line
    scenario_problems(budgets, …)   every scenario read must still apply to its frame

Every refusal is an :class:`InputError` with every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from . import problems as _problems
from .models import Budget, Override, ParameterSet, Scenario
from .numbers import AmountError
from .problems import Code, Problem, Severity, input_error
from .rules import Parameters, format_rate, parse_rate
from .scenarios import ScenarioError, apply

#: What an override set on the command line says of itself (``explain`` and the table's caption show it).
COMMAND_LINE = "set on the command line"
#: What an override set from Python says of itself.
SCRIPT = "set by a script"

#: A rate as the Python API takes it: an int, a Decimal or text ('2,5 %', '2.5%', '2.5'); never a float.
Rate = int | Decimal | str
#: Parameter values as ``set_parameters`` takes them: a rate for every year, or rates by year (the key
#: ``None`` is every year, so ``{None: "3 %", 2024: "5 %"}`` is ``--set x=3% --set x:2024=5%``).
Values = Mapping[str, Rate | Mapping[int | None, Rate]]

_SET = re.compile(r"\s*([^\W\d]\w*)(?::(\d{4}))?\s*=\s*(.+)", re.DOTALL)
_SET_HINT = "e.g. --set prisvekst=2.5% or --set deflator:2024=4,3%"


class InputError(ScenarioError, KeyError):
    """Input the pipeline cannot use, with every problem (``.problems``): each at the ``file:line:col`` it
    comes from, or, for a problem with the call or the command line itself (a parameter or scenario not
    found, a year no frame uses), with no file (``Problem.file == ""``; its message says what was given).

    A :class:`~rammecalc.core.scenarios.ScenarioError` (what applying a scenario raises) and so a
    ``ValueError``; a ``KeyError`` too, as the look-ups that raise it now raised before."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__(list(problems))
        self.args = ("; ".join(p.message if not p.file else f"{p.where}: {p.message}" for p in problems),)

    def __str__(self) -> str:  # KeyError's would quote the message
        return str(self.args[0])


def call_problem(code: Code, message: str, hint: str | None = None) -> Problem:
    """A problem with the call or the command line itself: no file, no line."""
    return Problem(code, Severity.ERROR, "", 0, 0, message, hint)


# ------------------------------------------------------------------------------------------ overrides


def parse_sets(texts: Iterable[str]) -> tuple[Override, ...]:
    """``--set`` values (``NAME=RATE`` for every year, ``NAME:YEAR=RATE`` for one; the rate in per cent,
    with its ``%``) as overrides that say where they came from. Raises :class:`InputError` with every
    value that cannot be read."""
    out: list[Override] = []
    problems: list[Problem] = []
    for text in texts:
        m = _SET.fullmatch(text)
        if m is None:
            problems.append(call_problem(
                Code.INVALID, f"--set {text!r}: expected NAME=RATE or NAME:YEAR=RATE with the rate in per cent",
                _SET_HINT))
            continue
        try:
            rate = parse_rate(m[3], sign=True)
        except AmountError as exc:  # no '%', not a number, or beyond the limits: which, in the rate's words
            problems.append(call_problem(Code.INVALID, f"--set {text!r}: {exc}", _SET_HINT))
            continue
        name, year = m[1], int(m[2]) if m[2] else None
        shown = f"{name}{f':{year}' if year is not None else ''}={format_rate(rate).replace(' ', '')}"
        out.append(Override(name=name, year=year, value=rate, origin=f"{COMMAND_LINE}: --set {shown}"))
    if problems:
        raise InputError(problems)
    return tuple(out)


def read_overrides(values: Values, origin: str = SCRIPT) -> tuple[Override, ...]:
    """``{"deflator": "4,8 %"}`` (every year) or ``{"deflator": {2024: Decimal("5")}}`` (one year) as
    overrides, in the order given (the last one set wins). A rate is read as a file's is (see
    :func:`~rammecalc.core.rules.parse_rate`). A float raises ``TypeError`` (it is inexact already); a text
    that is no rate, or a rate beyond the limits, raises :class:`InputError`."""
    out: list[Override] = []
    problems: list[Problem] = []
    for name, value in values.items():
        if not isinstance(name, str):
            raise TypeError(f"a parameter's name is text, not {name!r}")
        per_year = value.items() if isinstance(value, Mapping) else [(None, value)]
        for year, rate in per_year:
            if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
                raise TypeError(f"{name}: a year is an int such as 2024, or None for every year, not {year!r}")
            if isinstance(rate, float):
                raise TypeError(f"{name}: rates must be exact: pass a Decimal, an int or the rate as text "
                                "('2,5 %'), not a float")
            try:  # within the limits of a rate written in a file (15 digits before the point, 6 after)
                percent = parse_rate(rate)
            except AmountError as exc:
                problems.append(call_problem(Code.INVALID, f"{name}: {exc}",
                                             "write the rate in per cent: 2.5, Decimal('2.5'), '2,5 %' or '2.5%'"))
                continue
            out.append(Override(name=name, year=year, value=percent, origin=origin))
    if problems:
        raise InputError(problems)
    return tuple(out)


def as_overrides(values: Values | Iterable[Override] | None) -> tuple[Override, ...]:
    """Overrides given either way: a mapping as ``set_parameters`` takes, or overrides already read
    (:func:`parse_sets`); ``None`` is none."""
    if values is None:
        return ()
    if isinstance(values, str):
        raise TypeError(f"parameters are a mapping such as {{'deflator': '4,8 %'}}, not the text {values!r}")
    if isinstance(values, Mapping):
        return read_overrides(values)
    overrides = tuple(values)
    for override in overrides:
        if not isinstance(override, Override):
            raise TypeError(f"expected a mapping of parameter values or overrides, got {override!r}")
    return overrides


def used_years(budgets: Iterable[Budget]) -> set[int]:
    """The years a frame's rules read: its columns' years and the year before the first (the base of a
    change in level). A rate for any other year would change nothing."""
    return {y for b in budgets for y in range(b.frame.years[0] - 1, b.frame.years[-1] + 1)}


def parameter_names(budgets: Iterable[Budget], parameter_sets: Iterable[ParameterSet] = ()) -> list[str]:
    """The names the budgets' parameter files (and ``parameter_sets``, those scenarios bring) define."""
    return sorted({n for b in budgets for n in Parameters.of(b).names()} | set(Parameters(tuple(parameter_sets)).names()))


def override_problems(overrides: Sequence[Override], budgets: Sequence[Budget],
                      names: Iterable[str] | None = None) -> list[Problem]:
    """Every override that would change nothing, silently: a name no parameter file defines (``names``,
    by default those of the budgets' files), a year none of ``budgets`` uses. The words are the command
    line's, and each says where the override was set (``--set`` or a script)."""
    known = sorted(set(names) if names is not None else parameter_names(budgets))
    one = len(budgets) == 1
    problems: list[Problem] = []
    unknown: set[str] = set()
    for override in overrides:
        if override.name in known or override.name in unknown:
            continue
        unknown.add(override.name)
        near = _problems.near(override.name, known)
        problems.append(call_problem(
            Code.UNKNOWN_PARAMETER,
            f"{_via(override, ': ')}there is no parameter '{override.name}'"
            + (f"; the parameters are: {', '.join(known)}" if known else
               f"; {'the frame has' if one else 'the frames read have'} no parameter files ('parametere')"),
            f"did you mean '{near[0]}'?" if near else
            None if known else "list a parameter file under the frame's (or a scenario's) 'parametere'"))
    used = used_years(budgets)
    refused: set[tuple[str, int]] = set()
    for override in overrides:
        name, year = override.name, override.year
        if year is None or not used or year in used or name in unknown or (name, year) in refused:
            continue
        refused.add((name, year))
        text = " and ".join(f"{a}–{z}" for a, z in _spans(used))
        command_line = override.origin.startswith(COMMAND_LINE)
        problems.append(call_problem(
            Code.YEAR_OUTSIDE_COLUMNS,
            f"{_via(override, ' ')}{name}:{year}: {'the frame does not use' if one else 'no frame read uses'} {year} "
            f"(the years used are {text}: the columns and the year before the first), so it would change nothing",
            f"choose a year in {text.replace(' and ', ' or ')}, or "
            + (f"leave out ':{year}' to set every year" if command_line else "give one rate for every year")))
    return problems


def with_overrides(budgets: Sequence[Budget], overrides: Sequence[Override],
                   names: Iterable[str] | None = None) -> list[Budget]:
    """``budgets``, each with ``overrides`` put on top (the last one set winning), once they pass
    :func:`override_problems` (else :class:`InputError`)."""
    if not overrides:
        return list(budgets)
    problems = override_problems(overrides, budgets, names)
    if problems:
        raise InputError(problems)
    return [b.model_copy(update={"overrides": (*b.overrides, *overrides)}) for b in budgets]


def _via(override: Override, separator: str) -> str:
    return f"--set{separator}" if override.origin.startswith(COMMAND_LINE) else ""


def _spans(years: Iterable[int]) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for y in sorted(years):
        if spans and y == spans[-1][1] + 1:
            spans[-1][1] = y
        else:
            spans.append([y, y])
    return [(a, z) for a, z in spans]


# ------------------------------------------------------------------------------------------ scenarios


def lookup_scenario(scenarios: Mapping[str, Scenario], value: str, file: str | None = None,
                    read: bool = True) -> Scenario | Problem:
    """The scenario with the id ``value``, or (``file``, the name a file is shown by) the one read from that
    file; a problem saying what there is if none. ``read`` says whether the file was among those read."""
    if file is not None:
        found = [s for s in scenarios.values() if s.file == file]
        if found:
            return found[0]
        if not read:
            return call_problem(Code.NOT_FOUND, f"{value}: not among the files read",
                                "read it too: pass it with the other paths")
        return call_problem(Code.UNKNOWN_TYPE, f"{value}: not a scenario file ('type: scenario')")
    if value in scenarios:
        return scenarios[value]
    near = _problems.near(value, scenarios)
    return call_problem(Code.NOT_FOUND, f"there is no scenario '{value}'"
                        + (f"; the scenarios are: {', '.join(sorted(scenarios))}" if scenarios else
                           " among the files read"),
                        f"did you mean '{near[0]}'?" if near else "pass the folder that holds it, or its file")


def frame_of(budgets: Sequence[Budget], scenarios: Sequence[Scenario]) -> Budget:
    """The budget of the one frame ``scenarios`` are all for (:class:`InputError` if there is none, or if
    they are for different frames)."""
    if not scenarios:
        raise InputError([call_problem(Code.INVALID, "name at least one scenario")])
    frames = {s.frame for s in scenarios}
    if len(frames) != 1:
        raise InputError([call_problem(Code.FRAME_MISMATCH,
                                       "the scenarios are for different frames: " + ", ".join(sorted(frames)),
                                       "use scenarios of one frame at a time")])
    scenario = scenarios[0]
    for budget in budgets:
        if budget.frame.id == scenario.frame:
            return budget
    raise InputError([_frame_missing(scenario, "pass the folder or frame file that holds it, or correct 'gjelder'")])


def variant(budget: Budget, scenarios: Sequence[Scenario],
            parameter_sets: Mapping[str, Sequence[ParameterSet]] | None = None,
            overrides: Sequence[Override] = ()) -> Budget:
    """``budget`` with ``scenarios`` applied in order, each with the parameter files it brings
    (``parameter_sets``, by scenario id: ``Loaded.scenario_parameters``), then ``overrides`` on top: they
    have the last word, after the scenarios' own settings. The overrides are checked first (their names
    against the parameter files of the frame and of the scenarios, their years against the frame's); every
    problem raises :class:`InputError`."""
    extra = parameter_sets or {}
    if overrides:
        names = parameter_names([budget], (ps for s in scenarios for ps in extra.get(s.id, ())))
        problems = override_problems(overrides, [budget], names)
        if problems:
            raise InputError(problems)
    try:
        for scenario in scenarios:
            budget = apply(budget, scenario, extra.get(scenario.id, ()))
    except ScenarioError as exc:
        raise InputError(exc.problems) from None
    return budget.model_copy(update={"overrides": (*budget.overrides, *overrides)}) if overrides else budget


def scenario_problems(budgets: Sequence[Budget], scenarios: Iterable[Scenario],
                      parameter_sets: Mapping[str, Sequence[ParameterSet]] | None = None) -> list[Problem]:
    """Every scenario must still apply to its frame (an item it names may have been renamed since): the
    problems of those that do not, or whose frame is not among ``budgets``. ``check`` and the commands that
    roll agree on this, so that what one calls usable the other does too."""
    frames = {b.frame.id: b for b in budgets}
    extra = parameter_sets or {}
    problems: list[Problem] = []
    for scenario in scenarios:
        if scenario.frame not in frames:
            problems.append(_frame_missing(scenario, "pass the frame too, or correct 'gjelder'"))
            continue
        try:
            apply(frames[scenario.frame], scenario, extra.get(scenario.id, ()))
        except ScenarioError as exc:
            problems += exc.problems
    return problems


def _frame_missing(scenario: Scenario, hint: str) -> Problem:
    return input_error(Code.FRAME_MISSING, scenario.locate("gjelder"),
                       f"scenario '{scenario.id}' is for frame '{scenario.frame}', which is not among the files "
                       "read", hint)
