"""Tests of the rules (sats, fra, trinn, delårsvirkning, engangs, flytting): worked examples, rounding,
properties and the linker's errors.

Budgets are built in Python, linked by the real linker and rolled. Every expected figure in parts A and B is
computed by hand from the seeds (the calculation is in a comment next to it); it is never computed with the
code under test. The properties in part C compare the engine with itself under a change of input, or with a
small direct calculation written here with plain ``decimal``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rammecalc.core.assemble import assemble
from rammecalc.core.models import (
    Budget,
    Frame,
    FromRule,
    Item,
    MoveRule,
    OneOffRule,
    Override,
    ParameterSet,
    PartYearRule,
    RateRule,
    StepRule,
)
from rammecalc.core.problems import Code, Problem, Severity
from rammecalc.core.roll import RolledTable, roll
from rammecalc.core.rules import round_amount
from rammecalc.core.terms import Category, Convention, Rounding, ShareBasis

from .builders import changeset, ints, make_frame, parameter_set

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INC, LEVEL = Convention.INCREMENTAL, Convention.LEVEL
D = Decimal
ZERO = D(0)


# ------------------------------------------------------------------------------------------------ helpers


def ov(name: str, year: int | None, value: Decimal) -> Override:
    return Override(name=name, year=year, value=value, origin="set by the test")


def rule_item(id: str, rule, category: Category = Category.OTHER) -> Item:
    return Item(id=id, label=f"Post {id}", category=category, group="g", rule=rule)


def written_item(id: str, amounts: dict[int, Decimal]) -> Item:
    return Item(id=id, label=f"Post {id}", category=Category.OTHER, group="g", amounts=amounts,
                note=None if amounts else "ingen beløp")


def link_problems(frame: Frame, items: Sequence[Item], parameter_sets: Sequence[ParameterSet] = ()) -> list[Problem]:
    budget, problems = assemble(frame, [changeset(items)], parameter_sets)
    assert (budget is None) == bool(problems)
    return problems


def budget_of(convention: Convention, years: Sequence[int], items: Sequence[Item],
              base: Decimal | int | None = None, parameter_sets: Sequence[ParameterSet] = ()) -> Budget:
    budget, problems = assemble(make_frame(convention, years, base), [changeset(items)], parameter_sets)
    assert problems == [], problems
    assert budget is not None
    return budget


def rolled(convention: Convention, years: Sequence[int], items: Sequence[Item],
           base: Decimal | int | None = None, parameter_sets: Sequence[ParameterSet] = ()) -> RolledTable:
    return roll(budget_of(convention, years, items, base, parameter_sets))


def amounts_of(table: RolledTable, item_id: str) -> dict[int, Decimal]:
    return dict(table.amounts[item_id])


TRONDHEIM = (2022, 2023, 2024, 2025)  # seed 004: handlings- og økonomiplan 2022–2025, level convention
MOLDE = (2016, 2017, 2018, 2019, 2020)  # seed 000: revidert 2016, budsjett 2017, plan 2018–2020, incremental


# ============================================================================ A. rules against the seeds


# --- delårsvirkning: seed 004, items 7a and 8 ---------------------------------------------------------

# 7a: 8,4 mill. a year from 1 July 2023, counted in months: July–December is 6 of 12 months,
#     8 400 × 6/12 = 4 200 in 2023; the full 8 400 from 2024.
#     level:       2023: 4 200, 2024: 8 400, 2025: 8 400 (2022: nothing)
#     incremental: 2023: 4 200, 2024: 8 400 − 4 200 = 4 200, 2025: 8 400 − 8 400 = 0 (blank)
# 8:  3 400 a year from 1 July 2023: 3 400 × 6/12 = 1 700, then 3 400.
#     level:       2023: 1 700, 2024: 3 400, 2025: 3 400
#     incremental: 2023: 1 700, 2024: 1 700
ITEM_7A = PartYearRule(type="delårsvirkning", full_year=D(8400), effective=datetime.date(2023, 7, 1))
ITEM_8 = PartYearRule(type="delårsvirkning", full_year=D(3400), effective=datetime.date(2023, 7, 1))


@pytest.mark.parametrize(("convention", "expected_7a", "expected_8"), [
    (LEVEL, {2023: 4200, 2024: 8400, 2025: 8400}, {2023: 1700, 2024: 3400, 2025: 3400}),
    (INC, {2023: 4200, 2024: 4200}, {2023: 1700, 2024: 1700}),
])
def test_part_year_seed004_items_7a_and_8(convention, expected_7a, expected_8) -> None:
    table = rolled(convention, TRONDHEIM, [rule_item("7a", ITEM_7A), rule_item("8", ITEM_8)], base=0)
    assert amounts_of(table, "7a") == ints(expected_7a)
    assert amounts_of(table, "8") == ints(expected_8)
    # The profile is the same whichever the convention: 0 before July 2023, half a year, then the full year.
    assert table.levels["7a"] == ints({2021: 0, 2022: 0, 2023: 4200, 2024: 8400, 2025: 8400})
    # New frames are the same in both conventions: 0 + 4 200 + 1 700 = 5 900; then 8 400 + 3 400 = 11 800.
    assert table.new_frame == ints({2022: 0, 2023: 5900, 2024: 11800, 2025: 11800})


# --- delårsvirkning: seed 000's wage settlements ------------------------------------------------------

# Lønnsoppgjør kap. 4 – 2016: full year 268 from 15 May 2016, counted in days.
#   2016 is a leap year (366 days). 15 May–31 December inclusive: May 17 (15..31) + June 30 + July 31 +
#   August 31 + September 30 + October 31 + November 30 + December 31 = 231 days.
#   268 × 231/366 = 169,147… → 169 in 2016; 268 − 169 = 99 in 2017 (incremental); nothing after.
# Lønnsoppgjør kap. 3 og 5 – 2016: 22 × 231/366 = 13,885… → 14; 22 − 14 = 8.
def test_wage_settlement_seed000_days() -> None:
    kap4 = PartYearRule(type="delårsvirkning", full_year=D(268), effective=datetime.date(2016, 5, 15),
                        basis=ShareBasis.DAYS)
    kap35 = PartYearRule(type="delårsvirkning", full_year=D(22), effective=datetime.date(2016, 5, 15),
                         basis=ShareBasis.DAYS)
    table = rolled(INC, MOLDE, [rule_item("kap4", kap4, Category.WAGE_SETTLEMENT),
                                rule_item("kap35", kap35, Category.WAGE_SETTLEMENT)], base=9_681)
    assert amounts_of(table, "kap4") == ints({2016: 169, 2017: 99})
    assert amounts_of(table, "kap35") == ints({2016: 14, 2017: 8})
    # 9 681 + 169 + 14 = 9 864 in 2016; + 99 + 8 = 9 971 from 2017.
    assert table.new_frame == ints({2016: 9864, 2017: 9971, 2018: 9971, 2019: 9971, 2020: 9971})


# The same settlement from 1 May 2016, in whole months: May–December is 8 of 12 months.
#   268 × 8/12 = 178,666… → 179 (halv-opp) in 2016; 268 − 179 = 89 in 2017.
#   (Months give neither of the printed figures 169/99: that is why the seed uses days.)
@pytest.mark.parametrize(("convention", "expected"), [
    (INC, {2016: 179, 2017: 89}),
    (LEVEL, {2016: 179, 2017: 268, 2018: 268, 2019: 268, 2020: 268}),
])
def test_wage_settlement_in_months(convention, expected) -> None:
    rule = PartYearRule(type="delårsvirkning", full_year=D(268), effective=datetime.date(2016, 5, 1))
    assert rule.basis is ShareBasis.MONTHS  # the default
    table = rolled(convention, MOLDE, [rule_item("kap4", rule)], base=0)
    assert amounts_of(table, "kap4") == ints(expected)


# A settlement from the year before the first column (columns 2017–2020, effective 15 May 2016):
#   2016's share, 169, is already in the base. The profile is 169 in 2016 and 268 from 2017, so
#   level:       268 − 169 = 99 against the base in every column 2017–2020;
#   incremental: 268 − 169 = 99 in 2017, nothing after.
@pytest.mark.parametrize(("convention", "expected"), [
    (LEVEL, {2017: 99, 2018: 99, 2019: 99, 2020: 99}),
    (INC, {2017: 99}),
])
def test_wage_settlement_from_the_year_before_the_columns(convention, expected) -> None:
    rule = PartYearRule(type="delårsvirkning", full_year=D(268), effective=datetime.date(2016, 5, 15),
                        basis=ShareBasis.DAYS)
    table = rolled(convention, (2017, 2018, 2019, 2020), [rule_item("kap4", rule)], base=9_864)
    assert amounts_of(table, "kap4") == ints(expected)
    assert table.levels["kap4"][2016] == D(169)
    # 9 864 + 99 = 9 963 in every column, whichever the convention.
    assert set(table.new_frame.values()) == {D(9963)}


# --- sats: seed 000's price adjustment and self-financing ---------------------------------------------

# Prisjustering med 1,4 pst.: base 3 286 × 1,4 % = 46,004 → 46 in 2017.
# Egenfinansiering 2,2 pst.: base −5 773 × 2,2 % = −127,006 → −127 in 2017.
# Incremental (columns 2017–2020): only in 2017. Level: 46 and −127 in every column from 2017.
MOLDE_2017 = (2017, 2018, 2019, 2020)


@pytest.mark.parametrize("rate", ["1,4 %", "1.4%", "prisvekst"])
@pytest.mark.parametrize(("convention", "expected"), [
    (INC, {2017: 46}),
    (LEVEL, {2017: 46, 2018: 46, 2019: 46, 2020: 46}),
])
def test_price_adjustment_seed000(rate, convention, expected) -> None:
    params = parameter_set(prisvekst={2017: D("1.4")})
    rule = RateRule(type="sats", base=D(3286), rate=rate, years=2017)
    table = rolled(convention, MOLDE_2017, [rule_item("pris", rule, Category.PRICE_ADJUSTMENT)], 10_536, [params])
    assert amounts_of(table, "pris") == ints(expected)


@pytest.mark.parametrize("value", [D("2.2"), "2,2 %", "2.2"])
def test_self_financing_seed000(value) -> None:
    params = parameter_set(lønnsvekst={2017: value})
    for rate in ("lønnsvekst", "2,2 %"):
        rule = RateRule(type="sats", base=D(-5773), rate=rate, years=2017)
        table = rolled(INC, MOLDE_2017, [rule_item("egen", rule, Category.SELF_FINANCING)], 0, [params])
        assert amounts_of(table, "egen") == ints({2017: -127})


def test_rate_base_per_year() -> None:
    # A base per year: 2017: 3 286 × 1,4 % = 46,004 → 46; 2018: 1 000 × 1,4 % = 14 → total level 60.
    rule = RateRule(type="sats", base={2017: D(3286), 2018: D(1000)}, rate="1,4 %", years=(2017, 2018))
    assert amounts_of(rolled(INC, MOLDE_2017, [rule_item("p", rule)], 0), "p") == ints({2017: 46, 2018: 14})
    assert amounts_of(rolled(LEVEL, MOLDE_2017, [rule_item("p", rule)], 0), "p") == ints(
        {2017: 46, 2018: 60, 2019: 60, 2020: 60})


# --- sats on 'utgangspunkt': Hustadvika 2024, the whole frame × the deflator ------------------------------

DEFLATOR = parameter_set(deflator={2024: D("4.3"), 2025: D("4.1")})
HUSTADVIKA = (2024, 2025)


# 8 030 × 4,3 % = 345,29 → 345 (domain.md: "345 on 8 030 = 4,3 %"). 8 030 + 345 = 8 375.
@pytest.mark.parametrize(("convention", "expected"), [(INC, {2024: 345}), (LEVEL, {2024: 345, 2025: 345})])
def test_deflator_on_the_whole_frame_hustadvika(convention, expected) -> None:
    rule = RateRule(type="sats", base="utgangspunkt", rate="deflator", years=2024)
    table = rolled(convention, HUSTADVIKA, [rule_item("deflator", rule, Category.PRICE_ADJUSTMENT)], 8030,
                   [DEFLATOR])
    assert amounts_of(table, "deflator") == ints(expected)
    assert table.new_frame == ints({2024: 8375, 2025: 8375})


# Two years, incremental: 2024: 8 030 × 4,3 % = 345,29 → 345, new frame 8 375;
# 2025 starts from 8 375: 8 375 × 4,1 % = 343,375 → 343, new frame 8 375 + 343 = 8 718.
def test_deflator_two_years_incremental() -> None:
    rule = RateRule(type="sats", base="utgangspunkt", rate="deflator", years=(2024, 2025))
    table = rolled(INC, HUSTADVIKA, [rule_item("deflator", rule)], 8030, [DEFLATOR])
    assert amounts_of(table, "deflator") == ints({2024: 345, 2025: 343})
    assert table.start == ints({2024: 8030, 2025: 8375})
    assert table.new_frame == ints({2024: 8375, 2025: 8718})


def test_deflator_two_years_same_new_frames_in_level() -> None:
    # Expected, by hand, as in the incremental table: 8 375 in 2024, 8 718 in 2025 (levels 345, then 688).
    rule = RateRule(type="sats", base="utgangspunkt", rate="deflator", years=(2024, 2025))
    table = rolled(LEVEL, HUSTADVIKA, [rule_item("deflator", rule)], 8030, [DEFLATOR])
    assert table.new_frame == ints({2024: 8375, 2025: 8718})
    assert amounts_of(table, "deflator") == ints({2024: 345, 2025: 688})


def test_deflator_override_on_the_command_line() -> None:
    # --set deflator:2024=5: 8 030 × 5 % = 401,5 → 402 (halv-opp); the 2025 value is untouched.
    rule = RateRule(type="sats", base="utgangspunkt", rate="deflator", years=(2024, 2025))
    budget = budget_of(INC, HUSTADVIKA, [rule_item("deflator", rule)], 8030, [DEFLATOR])
    table = roll(budget.model_copy(update={"overrides": (ov("deflator", 2024, D(5)),)}))
    # 2025: (8 030 + 402 = 8 432) × 4,1 % = 345,712 → 346; new frame 8 432 + 346 = 8 778.
    assert amounts_of(table, "deflator") == ints({2024: 402, 2025: 346})
    assert table.new_frame == ints({2024: 8432, 2025: 8778})


# --- fra and trinn: seed 004 -------------------------------------------------------------------------------

# Item 4, drift av småhus: 500 from 2023. Level: 500 in 2023–2025; incremental: 500 in 2023.
# Item 12: −2 000 from 2024. Level: −2 000 in 2024–2025; incremental: −2 000 in 2024.
@pytest.mark.parametrize(("convention", "expected_4", "expected_12"), [
    (LEVEL, {2023: 500, 2024: 500, 2025: 500}, {2024: -2000, 2025: -2000}),
    (INC, {2023: 500}, {2024: -2000}),
])
def test_from_seed004(convention, expected_4, expected_12) -> None:
    table = rolled(convention, TRONDHEIM, [
        rule_item("4", FromRule(type="fra", year=2023, amount=D(500))),
        rule_item("12", FromRule(type="fra", year=2024, amount=D(-2000)), Category.SAVING),
    ], 0)
    assert amounts_of(table, "4") == ints(expected_4)
    assert amounts_of(table, "12") == ints(expected_12)


def test_from_the_year_before_the_columns_is_in_the_base() -> None:
    # 'fra 2021' in a 2022–2025 table: already in the 2021 base, so nothing in any column, either way.
    for convention in Convention:
        table = rolled(convention, TRONDHEIM, [rule_item("a", FromRule(type="fra", year=2021, amount=D(700)))], 0)
        assert amounts_of(table, "a") == {}


# Item 10: 6 000 in 2023, 8 000 in 2024, 10 000 in 2025.
#   level: 6 000 / 8 000 / 10 000; incremental: 6 000 / 8 000 − 6 000 = 2 000 / 10 000 − 8 000 = 2 000.
# Item 14: −200 in 2022, −500 from 2023.
#   level: −200 / −500 / −500 / −500; incremental: −200 / −500 − (−200) = −300 / nothing / nothing.
@pytest.mark.parametrize(("convention", "expected_10", "expected_14"), [
    (LEVEL, {2023: 6000, 2024: 8000, 2025: 10000}, {2022: -200, 2023: -500, 2024: -500, 2025: -500}),
    (INC, {2023: 6000, 2024: 2000, 2025: 2000}, {2022: -200, 2023: -300}),
])
def test_steps_seed004(convention, expected_10, expected_14) -> None:
    table = rolled(convention, TRONDHEIM, [
        rule_item("10", StepRule(type="trinn", levels={2023: D(6000), 2024: D(8000), 2025: D(10000)})),
        rule_item("14", StepRule(type="trinn", levels={2022: D(-200), 2023: D(-500)}), Category.SAVING),
    ], 0)
    assert amounts_of(table, "10") == ints(expected_10)
    assert amounts_of(table, "14") == ints(expected_14)


# --- engangs: shared/tables/02, Kleive oppvekstsenter ------------------------------------------------------

# "Tildeling funksjonshemmede barn vår 2017 – barnehage 109 -109": a one-off of 109 in 2017.
#   incremental (columns 2017–2021, start 10 536): +109 in 2017, −109 in 2018 by itself; new frames
#   10 536 + 109 = 10 645, then 10 645 − 109 = 10 536 for 2018–2021.
#   level: 109 in 2017 only; the same new frames.
@pytest.mark.parametrize(("convention", "expected"), [(INC, {2017: 109, 2018: -109}), (LEVEL, {2017: 109})])
def test_one_off_kleive(convention, expected) -> None:
    table = rolled(convention, (2017, 2018, 2019, 2020, 2021),
                   [rule_item("barn", OneOffRule(type="engangs", amounts={2017: D(109)}))], 10_536)
    assert amounts_of(table, "barn") == ints(expected)
    assert table.new_frame == ints({2017: 10645, 2018: 10536, 2019: 10536, 2020: 10536, 2021: 10536})


def test_one_off_in_the_last_column() -> None:
    # Seed 004 item 17, flatt kutt 2025: −600 in 2025 only; nothing to reverse inside the table.
    for convention in Convention:
        table = rolled(convention, TRONDHEIM, [rule_item("k", OneOffRule(type="engangs", amounts={2025: D(-600)}))])
        assert amounts_of(table, "k") == ints({2025: -600})


# --- flytting: seed 004 item 17 ----------------------------------------------------------------------------

# 1 100 saved in 2023 and spent in 2024: the profile is −1 100 in 2023, +1 100 in 2024, 0 in 2025.
#   level:       2023: −1 100, 2024: +1 100, 2025: nothing
#   incremental: 2023: −1 100, 2024: 1 100 − (−1 100) = +2 200, 2025: 0 − 1 100 = −1 100
@pytest.mark.parametrize(("convention", "expected"), [
    (LEVEL, {2023: -1100, 2024: 1100}),
    (INC, {2023: -1100, 2024: 2200, 2025: -1100}),
])
def test_move_seed004_item17(convention, expected) -> None:
    rule = MoveRule(type="flytting", amount=D(1100), source_year=2023, target_year=2024)
    table = rolled(convention, TRONDHEIM, [rule_item("17", rule, Category.REALLOCATION)], 50_000)
    assert amounts_of(table, "17") == ints(expected)
    # 50 000 − 1 100 = 48 900 in 2023, 50 000 + 1 100 = 51 100 in 2024, back to 50 000 in 2025.
    assert table.new_frame == ints({2022: 50000, 2023: 48900, 2024: 51100, 2025: 50000})


# ================================================================================= B. rounding edge cases

# value → (halv-opp, halv-partall, mot-null, fra-null), by the definitions in terms.Rounding.
ROUNDING_TABLE = {
    "2.5": (3, 2, 2, 3),
    "-2.5": (-3, -2, -2, -3),
    "3.5": (4, 4, 3, 4),       # halv-partall goes to the even neighbour: up this time
    "-3.5": (-4, -4, -3, -4),
    "0.5": (1, 0, 0, 1),
    "-0.5": (-1, 0, 0, -1),
    "2.4999": (2, 2, 2, 3),    # just below .5
    "2.5001": (3, 3, 2, 3),    # just above .5
    "-2.4999": (-2, -2, -2, -3),
    "-2.5001": (-3, -3, -2, -3),
    "0.4": (0, 0, 0, 1),
    "-2.9": (-3, -3, -2, -3),
    "2.1": (2, 2, 2, 3),
    "7": (7, 7, 7, 7),
    "0": (0, 0, 0, 0),
}
MODES = (Rounding.HALF_UP, Rounding.HALF_EVEN, Rounding.DOWN, Rounding.UP)
ROUNDING_CASES = [(D(v), mode, D(e)) for v, row in ROUNDING_TABLE.items() for mode, e in zip(MODES, row)]


@pytest.mark.parametrize(("value", "mode", "expected"), ROUNDING_CASES)
def test_round_amount(value: Decimal, mode: Rounding, expected: Decimal) -> None:
    got = round_amount(value, mode)
    assert got == expected
    assert got == got.to_integral_value()


@pytest.mark.parametrize(("value", "mode", "expected"), ROUNDING_CASES)
def test_rounding_through_a_rate_rule(value: Decimal, mode: Rounding, expected: Decimal) -> None:
    # value × 10 000 as the base, at 0,01 %: the exact product is the value itself (2,5 = 25 000 × 0,01 %).
    rule = RateRule(type="sats", base=value * 10_000, rate="0,01 %", years=2024, rounding=mode)
    table = rolled(INC, (2024,), [rule_item("r", rule)], 0)
    assert table.amounts["r"].get(2024, ZERO) == expected


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sign", [1, -1])
def test_rounding_through_a_part_year_rule(mode: Rounding, sign: int) -> None:
    # 5 a year from 1 July: 5 × 6/12 = 2,5 → by the mode, as in ROUNDING_TABLE["2.5"]; the full 5 after.
    rule = PartYearRule(type="delårsvirkning", full_year=D(5 * sign), effective=datetime.date(2024, 7, 1),
                        rounding=mode)
    table = rolled(LEVEL, (2024, 2025), [rule_item("p", rule)], 0)
    expected = D(ROUNDING_TABLE["2.5" if sign > 0 else "-2.5"][MODES.index(mode)])
    assert table.amounts["p"] == {2024: expected, 2025: D(5 * sign)}


def test_rounding_is_per_item() -> None:
    """Rounding is per item, as published tables do: ten items of 100 × 0,4 % = 0,4 each round to 0 under
    halv-opp, so together they add nothing, although the exact sum is 10 × 0,4 = 4. Under fra-null each
    is 1, and together 10. One item on the whole 1 000 × 0,4 % = 4 gives 4."""
    small = [rule_item(f"s{k}", RateRule(type="sats", base=D(100), rate="0,4 %", years=2024)) for k in range(10)]
    table = rolled(INC, (2024, 2025), small, 1000)
    assert all(table.amounts[f"s{k}"] == {} for k in range(10))
    assert table.new_frame == ints({2024: 1000, 2025: 1000})
    assert table.subtotals["g"] == {2024: None, 2025: None}

    up = [rule_item(f"s{k}", RateRule(type="sats", base=D(100), rate="0,4 %", years=2024, rounding=Rounding.UP))
          for k in range(10)]
    assert rolled(INC, (2024, 2025), up, 1000).new_frame == ints({2024: 1010, 2025: 1010})

    whole = [rule_item("w", RateRule(type="sats", base=D(1000), rate="0,4 %", years=2024))]
    assert rolled(INC, (2024, 2025), whole, 1000).new_frame == ints({2024: 1004, 2025: 1004})


# ===================================================================================== C. properties

PARAMS = ("p", "q")
whole = st.integers(-10**7, 10**7).map(D)
rounding_st = st.sampled_from(Rounding)
tenths_st = st.integers(-100, 150)  # a rate in tenths of a per cent: −10,0 % to 15,0 %


def rate_text(tenths: int) -> str:
    """Tenths of a per cent as a literal the way a user writes it: 14 → '1,4 %', −5 → '-0,5 %'."""
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10},{abs(tenths) % 10} %"


@st.composite
def columns_st(draw, min_size: int = 1, max_size: int = 5) -> tuple[int, ...]:
    n = draw(st.integers(min_size, max_size))
    first = draw(st.integers(2000, 2100))
    return tuple(range(first, first + n))


@st.composite
def parameter_set_st(draw, years: tuple[int, ...]) -> ParameterSet:
    span = range(years[0] - 1, years[-1] + 1)
    return parameter_set(**{name: {y: D(draw(tenths_st)) / 10 for y in span} for name in PARAMS})


@st.composite
def rule_st(draw, years: tuple[int, ...]):
    """Any rule that links in a frame with ``years`` (a 'sats' on 'utgangspunkt' is tested on its own
    above: its base depends on the other items). Whole amounts only (fractional full years are tested in
    test_part_year_with_a_fractional_full_year)."""
    first, last = years[0], years[-1]
    kinds = ["sats", "fra", "trinn", "delårsvirkning", "engangs"] + (["flytting"] if len(years) > 1 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "sats":
        rule_years = tuple(sorted(draw(st.sets(st.sampled_from(years), min_size=1))))
        if draw(st.booleans()):
            base = draw(whole)
        else:
            base = {y: draw(whole) for y in rule_years}
        rate = draw(st.one_of(st.sampled_from(PARAMS), tenths_st.map(rate_text)))
        return RateRule(type="sats", base=base, rate=rate,
                        years=rule_years if len(rule_years) > 1 or draw(st.booleans()) else rule_years[0],
                        rounding=draw(rounding_st))
    if kind == "fra":
        return FromRule(type="fra", year=draw(st.integers(first - 1, last)), amount=draw(whole))
    if kind == "trinn":
        steps = draw(st.dictionaries(st.integers(first - 2, last), whole, min_size=1, max_size=4))
        return StepRule(type="trinn", levels=steps)
    if kind == "delårsvirkning":
        return PartYearRule(type="delårsvirkning", full_year=draw(whole),
                            effective=draw(st.dates(datetime.date(first - 1, 1, 1), datetime.date(last, 12, 31))),
                            basis=draw(st.sampled_from(ShareBasis)), rounding=draw(rounding_st))
    if kind == "engangs":
        return OneOffRule(type="engangs", amounts=draw(st.dictionaries(st.sampled_from(years), whole, min_size=1)))
    source, target = draw(st.lists(st.sampled_from(years), min_size=2, max_size=2, unique=True))
    return MoveRule(type="flytting", amount=draw(whole), source_year=source, target_year=target)


@st.composite
def rule_items_st(draw, years: tuple[int, ...], min_size: int = 0, max_size: int = 6) -> list[Item]:
    rules = draw(st.lists(rule_st(years), min_size=min_size, max_size=max_size))
    return [rule_item(f"r{k}", rule) for k, rule in enumerate(rules)]


def filled(amounts, years) -> dict[int, Decimal]:
    return {y: amounts.get(y, ZERO) for y in years}


# --- a full-year change from 1 January is a plain 'fra' ------------------------------------------------


@SETTINGS
@given(columns_st(), st.data())
def test_full_year_from_1_january_is_from(years, data) -> None:
    year = data.draw(st.integers(years[0] - 1, years[-1]), label="year")
    amount = data.draw(whole, label="amount")
    part_year = PartYearRule(type="delårsvirkning", full_year=amount, effective=datetime.date(year, 1, 1),
                             basis=data.draw(st.sampled_from(ShareBasis)), rounding=data.draw(rounding_st))
    plain = FromRule(type="fra", year=year, amount=amount)
    base = data.draw(whole, label="base")
    for convention in Convention:
        a = rolled(convention, years, [rule_item("x", part_year)], base)
        b = rolled(convention, years, [rule_item("x", plain)], base)
        assert a.amounts["x"] == b.amounts["x"]
        assert a.new_frame == b.new_frame


# --- a part-year effect is part of the full year --------------------------------------------------------


@SETTINGS
@given(columns_st(max_size=3), st.data())
def test_part_year_within_full_year(years, data) -> None:
    effective = data.draw(st.dates(datetime.date(years[0] - 1, 1, 1), datetime.date(years[-1], 12, 31)))
    full = data.draw(st.one_of(whole, st.integers(-3, 3).map(D)), label="full")
    rule = PartYearRule(type="delårsvirkning", full_year=full, effective=effective,
                        basis=data.draw(st.sampled_from(ShareBasis)), rounding=data.draw(rounding_st))
    convention = data.draw(st.sampled_from(Convention))
    table = rolled(convention, years, [rule_item("x", rule)])
    share = table.levels["x"][effective.year]
    assert abs(share) <= abs(full)
    assert share == 0 or (share > 0) == (full > 0)
    # After the first year, the full-year effect.
    assert all(table.levels["x"][y] == full for y in table.levels["x"] if y > effective.year)


def test_part_year_with_a_fractional_full_year() -> None:
    # 0,9 from 1 June: 7/12 × 0,9 = 0,525, which rounds to 1 in a whole-unit table: more than the full
    # year. A whole-unit table cannot print 0,9, so the linker refuses it at its cell; rolled all the same (a
    # budget built without the linker), the share is held at the full year (0,9), and the carry-over is 0,
    # never negative.
    rule = PartYearRule(type="delårsvirkning", full_year=D("0.9"), effective=datetime.date(2024, 6, 1))
    frame = make_frame(INC, (2024, 2025))
    assert [p.code for p in link_problems(frame, [rule_item("x", rule)])] == [Code.TOO_MANY_DECIMALS]
    table = roll(Budget(frame=frame, changesets=(changeset([rule_item("x", rule)]),)))
    assert table.levels["x"][2024] == D("0.9")
    assert amounts_of(table, "x") == {2024: D("0.9")}


def test_part_year_in_a_table_of_millions_with_one_decimal() -> None:
    # Seed 004 states item 7a in mill. kr: 8,4 a year from 1 July 2023 → 8,4 × 6/12 = 4,2 in 2023. A table in
    # mill. kr printing one decimal ('desimaler: 1') rounds to tenths: 4,2, not 4.
    frame = make_frame(LEVEL, (2022, 2023, 2024, 2025)).model_copy(update={"decimals": 1})
    rule = PartYearRule(type="delårsvirkning", full_year=D("8.4"), effective=datetime.date(2023, 7, 1))
    budget, problems = assemble(frame, [changeset([rule_item("7a", rule)])])
    assert problems == []
    table = roll(budget)
    assert amounts_of(table, "7a") == {2023: D("4.2"), 2024: D("8.4"), 2025: D("8.4")}
    # and a share that needs rounding: 3,3 × 7/12 = 1,925 → 1,9 (halv-opp to one decimal)
    rule = PartYearRule(type="delårsvirkning", full_year=D("3.3"), effective=datetime.date(2023, 6, 1))
    budget, problems = assemble(frame, [changeset([rule_item("x", rule)])])
    assert problems == []
    table = roll(budget)
    assert amounts_of(table, "x")[2023] == D("1.9")


# --- a one-off is reversed by itself in an incremental table ---------------------------------------------


@SETTINGS
@given(columns_st(min_size=3, max_size=6), st.data())
def test_one_off_leaves_the_frame_where_it_was(years, data) -> None:
    year = data.draw(st.sampled_from(years[:-2]), label="one-off year")  # at least two columns after it
    amount = data.draw(whole.filter(bool), label="amount")
    others = data.draw(rule_items_st(years), label="others")
    others += [written_item("w", data.draw(st.dictionaries(st.sampled_from(years), whole), label="written"))]
    params = data.draw(parameter_set_st(years))
    base = data.draw(whole, label="base")
    one_off = rule_item("once", OneOffRule(type="engangs", amounts={year: amount}))

    without = rolled(INC, years, others, base, [params])
    with_it = rolled(INC, years, [*others, one_off], base, [params])
    assert with_it.amounts["once"] == {year: amount, year + 1: -amount}
    for y in years:
        expected = without.new_frame[y] + (amount if y == year else ZERO)
        assert with_it.new_frame[y] == expected
    for item in others:
        assert with_it.amounts[item.id] == without.amounts[item.id]


# --- the same rules give the same new frames in both conventions -------------------------------------------


@SETTINGS
@given(columns_st(), st.data())
def test_same_new_frames_in_both_conventions(years, data) -> None:
    items = data.draw(rule_items_st(years, min_size=1))
    params = data.draw(parameter_set_st(years))
    base = data.draw(st.one_of(st.none(), whole), label="base")
    level = rolled(LEVEL, years, items, base, [params])
    incremental = rolled(INC, years, items, base, [params])
    assert level.new_frame == incremental.new_frame
    for item in items:
        assert level.levels[item.id] == incremental.levels[item.id]
        # level(y) against the base = the sum of the increments up to y.
        running = ZERO
        for y in years:
            running += incremental.amounts[item.id].get(y, ZERO)
            assert level.amounts[item.id].get(y, ZERO) == running


def test_deflator_on_the_first_column_agrees_in_both_conventions() -> None:
    # On the first column the start is the base in both conventions: 8 030 × 4,3 % → 345, new frame 8 375.
    rule = RateRule(type="sats", base="utgangspunkt", rate="deflator", years=2024)
    frames = [rolled(c, HUSTADVIKA, [rule_item("d", rule)], 8030, [DEFLATOR]).new_frame for c in Convention]
    assert frames[0] == frames[1] == ints({2024: 8375, 2025: 8375})


# --- overriding a parameter changes exactly the items that use it ------------------------------------------

_DECIMAL_MODES = {Rounding.HALF_UP: ROUND_HALF_UP, Rounding.HALF_EVEN: ROUND_HALF_EVEN,
                  Rounding.DOWN: ROUND_DOWN, Rounding.UP: ROUND_UP}


def direct_amounts(rule: RateRule, years: tuple[int, ...], convention: Convention,
                   rate_for) -> dict[int, Decimal]:
    """A 'sats' item's amounts by a direct calculation: base × rate / 100, rounded, summed, per convention."""
    level, previous, out = ZERO, ZERO, {}
    for y in years:
        if y in rule.year_list:
            base = rule.base if isinstance(rule.base, Decimal) else rule.base[y]
            level += (base * rate_for(y) / 100).quantize(D(1), rounding=_DECIMAL_MODES[rule.rounding])
        amount = level if convention is LEVEL else level - previous
        previous = level
        if amount != 0:
            out[y] = amount
    return out


@SETTINGS
@given(columns_st(), st.data())
def test_override_changes_exactly_the_items_using_the_parameter(years, data) -> None:
    items = data.draw(rule_items_st(years))
    # Make sure at least one item uses 'p', and one uses 'q'.
    for k, name in enumerate(PARAMS):
        rule_years = tuple(sorted(data.draw(st.sets(st.sampled_from(years), min_size=1), label="years")))
        items.append(rule_item(f"uses-{name}", RateRule(type="sats", base=data.draw(whole), rate=name,
                                                        years=rule_years, rounding=data.draw(rounding_st))))
    params = data.draw(parameter_set_st(years))
    convention = data.draw(st.sampled_from(Convention))
    override_year = data.draw(st.one_of(st.none(), st.sampled_from(years)), label="override year")
    override = D(data.draw(tenths_st, label="override")) / 10
    base = data.draw(whole, label="base")

    budget = budget_of(convention, years, items, base, [params])
    before = roll(budget)
    after = roll(budget.model_copy(update={"overrides": (ov("p", override_year, override),)}))

    p_values = params.parameters[0].values
    assert params.parameters[0].name == "p"
    for item in items:
        rule = item.rule
        if isinstance(rule, RateRule) and rule.rate == "p":
            assert before.amounts[item.id] == direct_amounts(rule, years, convention, lambda y: p_values[y])
            assert after.amounts[item.id] == direct_amounts(
                rule, years, convention,
                lambda y: override if override_year in (None, y) else p_values[y])
        else:
            assert after.amounts[item.id] == before.amounts[item.id], item
            assert after.levels[item.id] == before.levels[item.id]
    # The new frames move by the items' changes (accumulated, in an incremental table).
    moved = ZERO
    for y in years:
        change = sum((after.amounts[it.id].get(y, ZERO) - before.amounts[it.id].get(y, ZERO) for it in items), ZERO)
        moved = moved + change if convention is INC else change
        assert after.new_frame[y] - before.new_frame[y] == moved


def test_override_example() -> None:
    # p = 2,0 % in 2024; --set p=2.5: 1 000 × 2,5 % = 25 instead of 1 000 × 2 % = 20. The item using q
    # (1 000 × 3 % = 30) and the one with a literal rate (1 000 × 2 % = 20) do not change.
    params = parameter_set(p={2024: D(2)}, q={2024: D(3)})
    items = [rule_item("p", RateRule(type="sats", base=D(1000), rate="p", years=2024)),
             rule_item("q", RateRule(type="sats", base=D(1000), rate="q", years=2024)),
             rule_item("lit", RateRule(type="sats", base=D(1000), rate="2 %", years=2024))]
    budget = budget_of(INC, (2024,), items, 0, [params])
    before = roll(budget)
    after = roll(budget.model_copy(update={"overrides": (ov("p", None, D("2.5")),)}))
    assert {k: dict(v) for k, v in before.amounts.items()} == {"p": {2024: 20}, "q": {2024: 30}, "lit": {2024: 20}}
    assert {k: dict(v) for k, v in after.amounts.items()} == {"p": {2024: 25}, "q": {2024: 30}, "lit": {2024: 20}}
    # The last override for a name and year wins: p:2024=4 after p=2.5 gives 1 000 × 4 % = 40.
    last = roll(budget.model_copy(update={"overrides": (ov("p", None, D("2.5")), ov("p", 2024, D(4)))}))
    assert last.amounts["p"] == {2024: D(40)}


# ============================================================================= D. link errors for rules


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.severity is Severity.ERROR
    assert problem.code.is_input
    return problem


def test_link_unknown_parameter() -> None:
    params = parameter_set(deflator={2024: D("4.3")}, prisvekst={2024: D("3.4")})
    item = rule_item("d", RateRule(type="sats", base=D(100), rate="deflatr", years=2024))
    p = only(link_problems(make_frame(INC, (2024,), 0), [item], [params]))
    assert p.code is Code.UNKNOWN_PARAMETER
    assert "'deflatr'" in p.message
    # The names known are listed (in the hint, printed under the message), with the likely one first.
    assert p.hint is not None
    assert "did you mean 'deflator'?" in p.hint
    assert "deflator, prisvekst" in p.hint


def test_link_unknown_parameter_without_parameter_files() -> None:
    item = rule_item("d", RateRule(type="sats", base=D(100), rate="deflator", years=2024))
    p = only(link_problems(make_frame(INC, (2024,), 0), [item]))
    assert p.code is Code.UNKNOWN_PARAMETER
    assert "'deflator'" in p.message
    assert "parametere" in (p.hint or "")


def test_link_parameter_without_a_value_for_the_year() -> None:
    # The bundled deflator list has no 2017.
    params = parameter_set(deflator={2016: D("2.7"), 2018: D("2.6")})
    item = rule_item("d", RateRule(type="sats", base=D(3286), rate="deflator", years=(2017, 2018)))
    p = only(link_problems(make_frame(INC, MOLDE_2017, 0), [item], [params]))
    assert p.code is Code.UNKNOWN_PARAMETER
    assert "'deflator' has no value for 2017" in p.message
    assert "2016, 2018" in p.message


def test_link_move_to_the_same_year() -> None:
    item = rule_item("m", MoveRule(type="flytting", amount=D(1100), source_year=2023, target_year=2023))
    p = only(link_problems(make_frame(LEVEL, TRONDHEIM), [item]))
    assert p.code is Code.INVALID
    assert "changes nothing" in p.message


def test_rate_on_the_frame_without_a_base_compensates_the_changes_only() -> None:
    # With no base, the frame is the sum of the changes against it (Trondheim's seed 004): a rate on the
    # frame then compensates the changes only. A change of 1 000 in 2024, then 4,3 % of it in 2025: 43.
    changes = written_item("w", {2024: D(1000)})
    rate = rule_item("d", RateRule(type="sats", base="utgangspunkt", rate="4,3 %", years=2025))
    budget = budget_of(INC, HUSTADVIKA, [changes, rate], None)
    assert amounts_of(roll(budget), "d") == {2025: D(43)}
    traced = roll(budget, trace=True)  # what explain shows
    assert any("sum of the changes only" in step.text for step in traced.steps["d"][2025])
    assert roll(budget).steps["d"] == {}  # a check's roll writes no steps


def test_link_reports_every_rule_problem_at_once() -> None:
    params = parameter_set(deflator={2024: D("4.3")})
    items = [
        rule_item("a", RateRule(type="sats", base=D(100), rate="deflatr", years=2024)),
        rule_item("b", RateRule(type="sats", base=D(100), rate="deflator", years=2025)),
        rule_item("c", MoveRule(type="flytting", amount=D(1), source_year=2024, target_year=2024)),
        rule_item("d", OneOffRule(type="engangs", amounts={2030: D(1)})),
    ]
    problems = link_problems(make_frame(INC, HUSTADVIKA, None), items, [params])
    assert sorted(p.code.value for p in problems) == sorted([
        Code.UNKNOWN_PARAMETER.value, Code.UNKNOWN_PARAMETER.value, Code.INVALID.value,
        Code.YEAR_OUTSIDE_COLUMNS.value])
