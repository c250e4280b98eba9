"""How an item's amounts arise: rates, phasing and parameters. Pure.

Every rule describes an item's *profile*: its effect on the frame in each year, against the time before it
(its level). The engine then writes the amounts in the frame's convention:

* ``nivå``: amount(y) = level(y) − level(the year before the first column), the level against the base;
* ``inkrementell``: amount(y) = level(y) − level(y − 1), the change from the year before.

So one rule comes out the same under both conventions, and a one-off written as a rule is reversed in the
following year of an incremental table by itself.

Each evaluation also returns the steps that produced each figure (inputs with the file and line they came
from, the formula, the rounding), which ``rammecalc explain`` prints.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .models import (
    Budget,
    FromRule,
    Item,
    Location,
    MoveRule,
    OneOffRule,
    Override,
    ParameterSet,
    PartYearRule,
    RateRule,
    StepRule,
)
from .numbers import AmountError, format_amount, parse_amount, round_exact, too_large
from .terms import Convention, Rounding, ShareBasis

ZERO = Decimal(0)

_LITERAL_RATE = re.compile(r"^\s*[-+−]?\s*\d[\d\s]*([.,]\d+)?\s*%\s*$")


def round_amount(value: Decimal | Fraction, rule: Rounding, decimals: int = 0) -> Decimal:
    """Round to the table's precision: whole units, or ``decimals`` places (``rule`` names how; see
    :class:`~rammecalc.core.terms.Rounding`). ``value`` is exact (a product or a share is passed as a
    :class:`~fractions.Fraction`), and rounded once."""
    return round_exact(value, rule, decimals)


class TooLarge(ArithmeticError):
    """A rule's result has more digits before the decimal point than rammecalc takes. Raised by
    :func:`rate_amount` (the only rule that multiplies); the roll locates it at the rule and raises
    :class:`~rammecalc.core.problems.AmountOutOfRange`."""

    def __init__(self, year: int, amount: Decimal, formula: str, rate_source: str):
        super().__init__(f"{year}: {formula}")
        self.year, self.amount, self.formula, self.rate_source = year, amount, formula, rate_source


def format_rate(percent: Decimal) -> str:
    """``Decimal("1.4")`` → ``"1,4 %"`` (as written; no rounding)."""
    return format_amount(percent.normalize() if percent == percent.to_integral() else percent) + " %"


@dataclass(frozen=True)
class Step:
    """One line of an explanation: what, its value as text, and where it came from (if from a file)."""

    label: str
    text: str
    where: Location | None = None
    note: str | None = None


# ---------------------------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class RateValue:
    percent: Decimal
    source: str  # "deflator 2024" / "literal"
    where: Location | None
    overridden: bool = False


class UnknownParameter(KeyError):
    """A rule or ``--set`` names a parameter that no parameter file defines."""


class MissingValue(KeyError):
    """A parameter has no value for the year a rule needs."""


@dataclass
class Parameters:
    """The rates a budget's rules can use: its parameter files, with ``--set`` overrides on top."""

    sets: tuple[ParameterSet, ...] = ()
    overrides: tuple[Override, ...] = ()
    _index: dict[str, tuple[ParameterSet, int]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for ps in self.sets:
            for i, p in enumerate(ps.parameters):
                self._index.setdefault(p.name, (ps, i))

    @classmethod
    def of(cls, budget: Budget) -> Parameters:
        return cls(budget.parameter_sets, budget.overrides)

    def names(self) -> list[str]:
        return sorted(self._index)

    def years(self, name: str) -> list[int]:
        ps, i = self._index[name]
        return sorted(ps.parameters[i].values)

    def _override(self, name: str, year: int) -> Override | None:
        """The override that sets ``name`` for ``year``, the last one set winning."""
        return next((o for o in reversed(self.overrides) if o.name == name and o.year in (None, year)), None)

    def differs(self, name: str, year: int) -> bool:
        """Whether an override gives ``name`` another value for ``year`` than the files do (or one they lack)."""
        override = self._override(name, year)
        if override is None or name not in self._index:
            return False
        ps, i = self._index[name]
        return ps.parameters[i].values.get(year) != override.value

    def value(self, name: str, year: int) -> RateValue:
        if name not in self._index:
            raise UnknownParameter(name)
        override = self._override(name, year)
        if override is not None:
            return RateValue(override.value, f"{name} {year}, {override.origin}", None, overridden=True)
        ps, i = self._index[name]
        parameter = ps.parameters[i]
        if year not in parameter.values:
            raise MissingValue((name, year))
        return RateValue(parameter.values[year], f"{name} {year}: {parameter.label}",
                         ps.locate("parametere", i, "verdier", year))


def parse_rate(value: object, *, sign: bool = False) -> Decimal:
    """A rate in per cent, read exactly: the one reader of rates, for a rule's literal ``sats``, the
    command line's ``--set`` and the Python API (``set_parameters``), and the same reading as a parameter
    file's ``verdier`` and a scenario's ``verdi`` (a ``%`` left out, then an exact number).

    Takes an ``int``, a ``Decimal`` or text: ``'2,5 %'``, ``'2.5%'``, ``'−1,5 %'``, ``'2.5'``. With ``sign``
    the text must end in ``%`` (on the command line and in a rule, where a bare ``2`` could be a name or be
    meant as 0.02). Refuses a ``float`` (already inexact) and a ``bool``, and a rate beyond the limits of an
    amount (15 digits before the point, 6 after). Raises :class:`~rammecalc.core.numbers.AmountError` (a
    ``ValueError``) saying why."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            text = text[:-1].rstrip()
        elif sign:
            raise AmountError(f"{value!r} is not a rate in per cent: write it with its sign, e.g. 2.5% or '2,5 %'")
        return parse_amount(text)
    return parse_amount(value)


def parse_rate_literal(text: str) -> Decimal | None:
    """``"1,4 %"`` → ``Decimal("1.4")``; ``None`` if the text is not a literal percentage (a name, then)."""
    if not _LITERAL_RATE.match(text):
        return None
    try:
        return parse_rate(text, sign=True)
    except AmountError:
        return None


def rate_literal_error(text: str) -> str | None:
    """Why a text written as a literal percentage (``'1000000000000000000 %'``) is not one, else ``None``."""
    if not _LITERAL_RATE.match(text):
        return None
    try:
        parse_rate(text, sign=True)
    except AmountError as exc:
        return str(exc)
    return None


def rate_value(rate: str, year: int, params: Parameters) -> RateValue:
    literal = parse_rate_literal(rate)
    if literal is not None:
        return RateValue(literal, "written in the rule", None)
    return params.value(rate, year)


def rule_parameters(item: Item) -> set[str]:
    """The parameter names an item's rule uses."""
    rule = item.rule
    if isinstance(rule, RateRule) and parse_rate_literal(rule.rate) is None:
        return {rule.rate}
    return set()


# ---------------------------------------------------------------------------------------------- evaluation


@dataclass
class Evaluation:
    """An item's profile (level per year, from the year before the first column on) and its steps."""

    levels: dict[int, Decimal]
    steps: dict[int, list[Step]]


def share_of_year(date: datetime.date, basis: ShareBasis) -> tuple[int, int, str]:
    """The part of ``date``'s year from ``date`` on: (numerator, denominator, words)."""
    if basis is ShareBasis.MONTHS:
        months = 13 - date.month if date.day == 1 else 12 - date.month
        return months, 12, f"{months} of 12 months"
    days_in_year = 366 if calendar.isleap(date.year) else 365
    days = (datetime.date(date.year, 12, 31) - date).days + 1
    return days, days_in_year, f"{days} of {days_in_year} days"


def _at(where: Callable[[str], Location] | Location | None, key: str) -> Location | None:
    """Where a rule's key is written: ``where`` is the rule's place, or a function from key to place."""
    return where(key) if callable(where) else where


def evaluate(item: Item, years: tuple[int, ...], params: Parameters,
             where: Callable[[str], Location] | Location | None = None,
             decimals: int = 0, trace: bool = True) -> Evaluation:
    """The profile of a rule item over ``years`` (and the year before), with its explanation.

    Items with a start-dependent base (``grunnlag: utgangspunkt``) are evaluated by the roll, year by year.
    With ``trace=False`` the steps are not written (the roll of a check needs only the figures).
    """
    rule = item.rule
    span = (years[0] - 1, *years)
    levels = dict.fromkeys(span, ZERO)
    steps: dict[int, list[Step]] = {y: [] for y in span}

    if isinstance(rule, FromRule):
        for y in span:
            if y >= rule.year:
                levels[y] = rule.amount
                if trace:
                    steps[y].append(Step("rule", f"{format_amount(rule.amount)} a year from {rule.year} (fra)", _at(where, "beløp")))
    elif isinstance(rule, StepRule):
        ordered = sorted(rule.levels.items())  # once: each year then takes the last step begun by it
        taken = -1
        for y in span:
            while taken + 1 < len(ordered) and ordered[taken + 1][0] <= y:
                taken += 1
            if taken >= 0:
                step_year, current = ordered[taken]
                levels[y] = current
                if trace:
                    steps[y].append(Step("rule", f"level {format_amount(current)} from {step_year} (trinn)", _at(where, "beløp")))
    elif isinstance(rule, OneOffRule):
        for y, amount in rule.amounts.items():
            if y in levels:
                levels[y] = amount
                if trace:
                    steps[y].append(Step("rule", f"{format_amount(amount)} in {y} only (engangs)", _at(where, "beløp")))
    elif isinstance(rule, MoveRule):
        for y, amount, words in ((rule.source_year, -rule.amount, f"moved to {rule.target_year}"),
                                 (rule.target_year, rule.amount, f"moved from {rule.source_year}")):
            if y in levels:
                levels[y] += amount
                if trace:
                    steps[y].append(Step("rule", f"{format_amount(amount)} {words} (flytting)", _at(where, "beløp")))
    elif isinstance(rule, PartYearRule):
        first = rule.effective.year
        numerator, denominator, words = share_of_year(rule.effective, rule.basis)
        # The share is rounded once, from the exact fraction (never from a quotient rounded at 28 digits).
        exact = Fraction(rule.full_year) * numerator / denominator
        share = round_amount(exact, rule.rounding, decimals)
        if share.copy_abs() > rule.full_year.copy_abs():
            # Rounding may not carry a part of the year past the whole year (0,9 from 1 June is 0,525,
            # which rounds to 1 in a whole-unit table): the part-year effect is at most the full-year one.
            share = rule.full_year
        for y in span:
            if y == first:
                levels[y] = share
                if trace:
                    steps[y] += [
                        Step("full year", f"{format_amount(rule.full_year)} (helårsvirkning)", _at(where, "helårsvirkning")),
                        Step("from", f"{rule.effective.isoformat()}: {words} of {first} ({rule.basis.value})"),
                        Step("formula", f"{format_amount(rule.full_year)} × {numerator}/{denominator} = "
                                        f"{_shown(exact, decimals)}"),
                        Step("rounding", f"{rule.rounding.value}{_places(decimals)} → {format_amount(share)}"),
                    ]
            elif y > first:
                levels[y] = rule.full_year
                if trace:
                    steps[y].append(Step("full year", f"{format_amount(rule.full_year)} from {first + 1} "
                                                      f"(helårsvirkning; {format_amount(rule.full_year - share)} "
                                                      f"more than in {first})", _at(where, "helårsvirkning")))
    elif isinstance(rule, RateRule):
        if rule.base == "utgangspunkt":
            raise ValueError("start-dependent rules are evaluated by the roll")
        running = ZERO
        for y in span:
            if y in rule.year_list:
                base = rule.base if isinstance(rule.base, Decimal) else rule.base.get(y, ZERO)
                amount, rate_steps = rate_amount(base, rule, y, params, where, decimals=decimals, trace=trace)
                running += amount
                steps[y] += rate_steps
            levels[y] = running
            if running and y not in rule.year_list and trace:
                steps[y].append(Step("rule", f"{format_amount(running)}, the rate's change carried on (sats)"))
    return Evaluation(levels, steps)


def rate_amount(base: Decimal, rule: RateRule, year: int, params: Parameters,
                where: Callable[[str], Location] | Location | None,
                base_words: str | None = None, decimals: int = 0, trace: bool = True) -> tuple[Decimal, list[Step]]:
    """base × rate, rounded by the rule's rounding to the table's precision: the amount and the steps.

    The product is exact (a fraction: a base and a rate of up to 21 digits each make 42, past the 28 a
    decimal context keeps by default) and rounded once. A result beyond the limits raises :class:`TooLarge`.
    """
    rate = rate_value(rule.rate, year, params)
    exact = Fraction(base) * Fraction(rate.percent) / 100
    amount = round_amount(exact, rule.rounding, decimals)
    if too_large(amount):
        raise TooLarge(year, amount, f"{format_amount(base)} × {format_rate(rate.percent)}", rate.source)
    if not trace:
        return amount, []
    label = base_words or rule.base_label or "grunnlag"
    steps = [
        Step("base", f"{format_amount(base)}: {label}", _at(where, "grunnlag")),
        Step("rate", f"{format_rate(rate.percent)}, {rate.source}", rate.where,
             note="overridden" if rate.overridden else None),
        Step("formula", f"{format_amount(base)} × {format_rate(rate.percent)} = {_shown(exact, decimals)}"),
        Step("rounding", f"{rule.rounding.value}{_places(decimals)} → {format_amount(amount)}"),
    ]
    return amount, steps


def _places(decimals: int) -> str:
    return f" to {decimals} decimal{'s' if decimals > 1 else ''}" if decimals else ""


def _shown(value: Fraction, decimals: int = 0) -> str:
    """An exact intermediate result for reading: in full where it has a short decimal expansion (a product
    of amounts and rates always has), else ``≈`` and its first digits, cut off (never rounded up), with at
    least two more decimals than the table prints: so it shows on which side of the rounding it lies
    (…570,49999999999999 is not …570,5)."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    places = max(twos, fives)
    if denominator == 1 and places <= 30:
        digits = abs(value.numerator) * 10**places // value.denominator
        while places and digits % 10 == 0:
            digits //= 10
            places -= 1
        return format_amount(Decimal(f"{'-' if value < 0 else ''}{digits}E-{places}"))
    return "≈ " + format_amount(round_amount(value, Rounding.DOWN, max(4, decimals + 2)))


def to_convention(levels: Mapping[int, Decimal], years: Iterable[int], convention: Convention) -> dict[int, Decimal]:
    """A profile as the amounts a table in ``convention`` prints (zero amounts left blank)."""
    years = tuple(years)
    before = levels.get(years[0] - 1, ZERO)
    out: dict[int, Decimal] = {}
    previous = before
    for y in years:
        level = levels.get(y, ZERO)
        amount = level - before if convention is Convention.LEVEL else level - previous
        previous = level
        if amount != 0:
            out[y] = amount
    return out
