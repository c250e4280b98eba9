"""Scenarios and compare: each operation against figures computed by hand from the sources, composition,
the identity, the attribution property, validation and the command line.

Every expected figure in parts B and C is computed by hand from the seeds' stated amounts (the calculation is
in a comment next to it), never with the code under test. Seed 004 (Trondheim, level convention, no base)
adds up, by hand from the stated amounts in data/changes/trondheim-2022-psykisk-helse-og-rus.yaml, to:

    2022: 1 800 + 1 700 + 400 + 2 500 + 300 − 200 − 1 000 − 700 − 600 − 900                 =  3 300
    2023: 1 800 + 1 700 + 400 + 500 + 3 200 + 500 + 4 200 + 1 700 + 6 000 + 300
          − 500 − 1 000 − 1 000 − 1 100 − 600 − 900                                          = 15 200
    2024: 1 800 + 1 700 + 400 + 500 + 3 200 + 500 + 8 400 + 3 400 + 8 000 + 300 − 2 000
          − 500 − 1 000 − 1 000 + 1 100 − 900 − 600 − 900                                    = 22 400
    2025: 1 800 + 1 700 + 400 + 500 + 3 200 + 500 + 8 400 + 3 400 + 10 000 + 300 − 2 000
          − 500 − 1 000 − 1 000 − 600 − 600 − 900                                            = 23 600

Seed 000 (Molde, incremental, base 9 681): new frames 9 864 in 2016 and 11 999 from 2017 on, as printed.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rammecalc.core.compare import compare
from rammecalc.core.assemble import assemble
from rammecalc.core.models import (
    AddItem,
    Budget,
    FromRule,
    Group,
    Item,
    MoveRule,
    OneOffRule,
    PartYearRule,
    RateRule,
    RemoveItem,
    ReplaceItem,
    ScaleItem,
    Scenario,
    SetParameter,
    ShiftItem,
    StepRule,
)
from rammecalc.core.problems import Code, Severity
from rammecalc.core.roll import roll
from rammecalc.core.scenarios import ScenarioError, apply, validate
from rammecalc.core.terms import AmountUnit, Category, Convention, ShareBasis
from rammecalc.loading import Loaded, load

from .builders import changeset, ints, make_frame, parameter_set
from .conftest import DATA, ROOT

D = Decimal
ZERO = D(0)
INC, LEVEL = Convention.INCREMENTAL, Convention.LEVEL

MOLDE = "molde-2017-ressurstjenesten"
TRONDHEIM = "trondheim-2022-psykisk-helse-og-rus"
T_YEARS = (2022, 2023, 2024, 2025)
M_YEARS = (2016, 2017, 2018, 2019, 2020)
#: Seed 004's yearly totals, summed by hand (see the module docstring).
T_BASE = {2022: D(3300), 2023: D(15200), 2024: D(22400), 2025: D(23600)}
#: Seed 000's printed new frames.
M_BASE = {2016: D(9864), 2017: D(11999), 2018: D(11999), 2019: D(11999), 2020: D(11999)}

ITEM_12 = "fra-base-til-ambulerende-tjenester"  # {type: fra, år: 2024, beløp: -2000}
ITEM_7A = "midlertidig-botilbud-kvinner-krisesenterplass"  # delårsvirkning 8 400 from 2023-07-01
ITEM_10 = "tjenester-rop-lidelser"  # trinn 6 000 / 8 000 / 10 000 from 2023 / 2024 / 2025


# ------------------------------------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    result = load([DATA])
    assert [p for p in result.problems if p.code.is_input] == []
    return result


def scenario(frame: str, operations: Sequence[dict], id: str = "test", file: str = "test.yaml",
             **extra) -> Scenario:
    """A scenario built in Python from its YAML keys, with provenance as the loader gives it."""
    data = {"type": "scenario", "id": id, "etikett": f"Scenario {id}", "gjelder": frame,
            "operasjoner": list(operations), **extra}
    return Scenario.model_validate(data).with_source(file, {})


def new_frame(budget: Budget) -> dict[int, Decimal]:
    return dict(roll(budget).new_frame)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / "scenarios" / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def position(path: Path, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column where ``needle`` is written in the file (the ``occurrence``-th time)."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        col = line.find(needle)
        if col >= 0:
            seen += 1
            if seen == occurrence:
                return number, col + 1
    raise AssertionError(f"{needle!r} not in {path}")


# ------------------------------------------------------------------------ A. identity and immutability


@pytest.mark.parametrize("frame_id", [MOLDE, TRONDHEIM, "askoy-2018-kommunalavdeling-stab",
                                      "stavanger-2015-barnevern", "molde-2018-kleive-oppvekstsenter"])
def test_an_empty_scenario_is_the_identity(loaded, frame_id):
    budget = loaded.budget(frame_id)
    before = budget.model_dump()
    variant = apply(budget, scenario(frame_id, []))
    base, same = roll(budget), roll(variant)
    assert same.new_frame == base.new_frame
    assert same.start == base.start
    assert same.amounts == base.amounts
    assert same.subtotals == base.subtotals
    assert [(r.kind, r.id, dict(r.values)) for r in same.rows] == [(r.kind, r.id, dict(r.values)) for r in base.rows]
    assert variant.scenarios == ("test",)
    assert budget.model_dump() == before


@pytest.mark.parametrize("ids", [("uten-opptrappingsplan",), ("tiltak-12-utsatt",), ("tiltak-i-løpende-priser",),
                                 ("tiltak-i-løpende-priser", "høyere-deflator")])
def test_applying_never_changes_the_budget_passed_in(loaded, ids):
    budget = loaded.budget(loaded.scenario(ids[0]).frame)
    dump = budget.model_dump()
    items = budget.items
    item_dumps = [it.model_dump() for it in items]
    changesets = budget.changesets
    frame_groups = budget.frame.groups
    variant = loaded.variant(*ids)
    loaded.compare(list(ids))
    assert variant is not budget
    assert new_frame(variant) != new_frame(budget)  # the scenario does something …
    assert budget.model_dump() == dump  # … to a copy only
    assert budget.items == items and all(a is b for a, b in zip(budget.items, items, strict=True))
    assert [it.model_dump() for it in items] == item_dumps
    assert budget.changesets is changesets and budget.frame.groups is frame_groups
    assert budget.overrides == () and budget.scenarios == ()
    # The loaded budget still rolls to the source's figures.
    assert new_frame(loaded.budget(budget.frame.id)) == (M_BASE if budget.frame.id == MOLDE else T_BASE)


# ------------------------------------------------------------------- B. each operation, by hand (data)


def test_the_base_figures_are_the_hand_sums(loaded):
    assert new_frame(loaded.budget(TRONDHEIM)) == T_BASE
    assert new_frame(loaded.budget(MOLDE)) == M_BASE


def test_fjern_uten_opptrappingsplan(loaded):
    # Seed 000 without opptrappingsplan-rus-2016 (754 in 2017) and -2017 (1 241 in 2017), incremental:
    # 2016 unchanged 9 864; 2017: 11 999 − 754 − 1 241 = 10 004; 2018–2020 start from 10 004, no items.
    variant = loaded.variant("uten-opptrappingsplan")
    table = roll(variant)
    assert table.new_frame == ints({2016: 9864, 2017: 10004, 2018: 10004, 2019: 10004, 2020: 10004})
    assert table.start == ints({2016: 9681, 2017: 9864, 2018: 10004, 2019: 10004, 2020: 10004})
    # "Andre rammeendringer" 2017: −86 + 200 = 114 (was 2 109).
    assert table.subtotals["andre-rammeendringer"][2017] == D(114)
    ids = {it.id for it in variant.items}
    assert "opptrappingsplan-rus-2016" not in ids and "opptrappingsplan-rus-2017" not in ids
    assert len(variant.items) == len(loaded.budget(MOLDE).items) - 2
    assert variant.scenarios == ("uten-opptrappingsplan",)


def test_forskyv_tiltak_12_utsatt(loaded):
    # Measure 12, −2 000 from 2024, moved to 2025: 2024 22 400 + 2 000 = 24 400; 2025 unchanged 23 600
    # (−2 000 there either way); 2022 and 2023 unchanged.
    table = roll(loaded.variant("tiltak-12-utsatt"))
    assert table.new_frame == ints({2022: 3300, 2023: 15200, 2024: 24400, 2025: 23600})
    assert table.amounts[ITEM_12] == ints({2025: -2000})


def test_forskyv_back_by_one_year(loaded):
    # Measure 12 advanced a year: −2 000 from 2023. 2023: 15 200 − 2 000 = 13 200; 2024, 2025 unchanged.
    budget = loaded.budget(TRONDHEIM)
    table = roll(apply(budget, scenario(TRONDHEIM, [{"type": "forskyv", "post": ITEM_12, "år": -1}])))
    assert table.new_frame == ints({2022: 3300, 2023: 13200, 2024: 22400, 2025: 23600})
    assert table.amounts[ITEM_12] == ints({2023: -2000, 2024: -2000, 2025: -2000})


def test_forskyv_back_in_an_incremental_table(loaded):
    # Seed 000, kjøp-av-biler (−86 in 2017, incremental: a permanent change) one year earlier, to 2016:
    # 2016: 9 864 − 86 = 9 778; 2017: 9 778 + (26 + 2 109 + 86) = 9 778 + 2 221 = 11 999; after: 11 999.
    budget = loaded.budget(MOLDE)
    table = roll(apply(budget, scenario(MOLDE, [{"type": "forskyv", "post": "kjøp-av-biler", "år": -1}])))
    assert table.new_frame == ints({2016: 9778, 2017: 11999, 2018: 11999, 2019: 11999, 2020: 11999})
    assert table.amounts["kjøp-av-biler"] == ints({2016: -86})


def test_forskyv_past_the_last_column_leaves_the_table(loaded):
    # Measure 12 two years later: from 2026, after the last column 2025. 2024: 22 400 + 2 000 = 24 400;
    # 2025: 23 600 + 2 000 = 25 600. The row stays, blank.
    budget = loaded.budget(TRONDHEIM)
    variant = apply(budget, scenario(TRONDHEIM, [{"type": "forskyv", "post": ITEM_12, "år": 2}]))
    table = roll(variant)
    assert table.new_frame == ints({2022: 3300, 2023: 15200, 2024: 24400, 2025: 25600})
    assert table.amounts[ITEM_12] == {}
    assert set(table.row("item", ITEM_12).values.values()) == {None}


def test_forskyv_a_written_item_past_the_end(loaded):
    # Measure 1 (written 1 800 in each year, level) three years later: only 2022's 1 800 lands in 2025;
    # 2022: 3 300 − 1 800 = 1 500; 2023: 15 200 − 1 800 = 13 400; 2024: 22 400 − 1 800 = 20 600; 2025 unchanged.
    budget = loaded.budget(TRONDHEIM)
    table = roll(apply(budget, scenario(TRONDHEIM, [{"type": "forskyv", "post": "ambulerende-team-kveld-helg",
                                                     "år": 3}])))
    assert table.new_frame == ints({2022: 1500, 2023: 13400, 2024: 20600, 2025: 23600})


def test_forskyv_a_part_year_rule(loaded):
    # 7a (8 400 a year from 1 July 2023: 4 200 in 2023) one year later: from 1 July 2024, 6/12 × 8 400 = 4 200
    # in 2024, 8 400 in 2025. 2023: 15 200 − 4 200 = 11 000; 2024: 22 400 − 8 400 + 4 200 = 18 200; 2025 unchanged.
    budget = loaded.budget(TRONDHEIM)
    table = roll(apply(budget, scenario(TRONDHEIM, [{"type": "forskyv", "post": ITEM_7A, "år": 1}])))
    assert table.amounts[ITEM_7A] == ints({2024: 4200, 2025: 8400})
    assert table.new_frame == ints({2022: 3300, 2023: 11000, 2024: 18200, 2025: 23600})
    # One year earlier: 4 200 in 2022, 8 400 from 2023. 2022: 3 300 + 4 200 = 7 500;
    # 2023: 15 200 − 4 200 + 8 400 = 19 400; 2024 and 2025 unchanged.
    table = roll(apply(budget, scenario(TRONDHEIM, [{"type": "forskyv", "post": ITEM_7A, "år": -1}])))
    assert table.amounts[ITEM_7A] == ints({2022: 4200, 2023: 8400, 2024: 8400, 2025: 8400})
    assert table.new_frame == ints({2022: 7500, 2023: 19400, 2024: 22400, 2025: 23600})


def test_forskyv_a_wage_settlement_counted_in_days(loaded):
    # Seed 000's lønnsoppgjør kap. 4: 268 a year from 15 May 2016, by days: 231/366 × 268 = 169,15 → 169 (2016),
    # then 99 (2017). A year later, from 15 May 2017 (not a leap year): 15 May–31 Dec is
    # 17 + 30 + 31 + 31 + 30 + 31 + 30 + 31 = 231 days; 268 × 231/365 = 169,61 → 170 in 2017,
    # 268 − 170 = 98 in 2018.
    # New frames: 2016: 9 864 − 169 = 9 695; 2017: the level 268 becomes 170: 11 999 − 98 = 11 901;
    # 2018 on: the level is 268 again: 11 999.
    budget = loaded.budget(MOLDE)
    table = roll(apply(budget, scenario(MOLDE, [{"type": "forskyv", "post": "lønnsoppgjør-kap4-2016", "år": 1}])))
    assert table.amounts["lønnsoppgjør-kap4-2016"] == ints({2017: 170, 2018: 98})
    assert table.new_frame == ints({2016: 9695, 2017: 11901, 2018: 11999, 2019: 11999, 2020: 11999})


def test_skaler_halves_7a(loaded):
    # 7a × 0,5: full year 4 200 from 1 July 2023: 6/12 × 4 200 = 2 100 in 2023, 4 200 in 2024 and 2025.
    # 2023: 15 200 − 4 200 + 2 100 = 13 100; 2024: 22 400 − 8 400 + 4 200 = 18 200; 2025: 23 600 − 4 200 = 19 400.
    budget = loaded.budget(TRONDHEIM)
    variant = apply(budget, scenario(TRONDHEIM, [{"type": "skaler", "post": ITEM_7A, "faktor": "0,5"}]))
    table = roll(variant)
    assert table.amounts[ITEM_7A] == ints({2023: 2100, 2024: 4200, 2025: 4200})
    assert table.new_frame == ints({2022: 3300, 2023: 13100, 2024: 18200, 2025: 19400})
    # The printed amounts (4 200 / 8 400 / 8 400) no longer apply to the scaled item.
    item = next(it for it in variant.items if it.id == ITEM_7A)
    assert item.published == {}


def test_skaler_by_zero_leaves_the_item_out_in_effect(loaded):
    # Measure 10 (6 000 / 8 000 / 10 000) × 0: 2023 15 200 − 6 000 = 9 200; 2024 22 400 − 8 000 = 14 400;
    # 2025 23 600 − 10 000 = 13 600.
    budget = loaded.budget(TRONDHEIM)
    table = roll(apply(budget, scenario(TRONDHEIM, [{"type": "skaler", "post": ITEM_10, "faktor": 0}])))
    assert table.new_frame == ints({2022: 3300, 2023: 9200, 2024: 14400, 2025: 13600})


def test_erstatt_with_new_amounts(loaded):
    # Measure 12 replaced by written levels −1 000 (2024) and −3 000 (2025):
    # 2024: 22 400 + 2 000 − 1 000 = 23 400; 2025: 23 600 + 2 000 − 3 000 = 22 600.
    budget = loaded.budget(TRONDHEIM)
    variant = apply(budget, scenario(TRONDHEIM, [{"type": "erstatt", "post": ITEM_12,
                                                  "beløp": {2024: -1000, 2025: -3000}}]))
    table = roll(variant)
    assert table.new_frame == ints({2022: 3300, 2023: 15200, 2024: 23400, 2025: 22600})
    item = next(it for it in variant.items if it.id == ITEM_12)
    assert item.rule is None and item.amounts == ints({2024: -1000, 2025: -3000})


def test_erstatt_with_a_new_rule(loaded):
    # Measure 10 (trinn 6 000 / 8 000 / 10 000) replaced by 5 000 a year from 2024 (fra):
    # 2023: 15 200 − 6 000 = 9 200; 2024: 22 400 − 8 000 + 5 000 = 19 400; 2025: 23 600 − 10 000 + 5 000 = 18 600.
    budget = loaded.budget(TRONDHEIM)
    table = roll(apply(budget, scenario(TRONDHEIM, [{"type": "erstatt", "post": ITEM_10,
                                                     "regel": {"type": "fra", "år": 2024, "beløp": 5000}}])))
    assert table.amounts[ITEM_10] == ints({2024: 5000, 2025: 5000})
    assert table.new_frame == ints({2022: 3300, 2023: 9200, 2024: 19400, 2025: 18600})


def test_legg_til_tiltak_i_lopende_priser(loaded):
    # Compensation = the frame at the start of the year (the previous column's new frame) × deflator:
    # 2023: 3 300 × 3,7 % = 122,1 → 122;
    # 2024: (15 200 + 122) × 4,3 % = 15 322 × 4,3 % = 658,846 → 659, level 122 + 659 = 781;
    # 2025: (22 400 + 781) × 4,1 % = 23 181 × 4,1 % = 950,421 → 950, level 781 + 950 = 1 731.
    # New frames: 3 300; 15 200 + 122 = 15 322; 22 400 + 781 = 23 181; 23 600 + 1 731 = 25 331.
    variant = loaded.variant("tiltak-i-løpende-priser")
    table = roll(variant)
    assert table.amounts["kompensasjon-deflator"] == ints({2023: 122, 2024: 781, 2025: 1731})
    assert table.new_frame == ints({2022: 3300, 2023: 15322, 2024: 23181, 2025: 25331})
    # The added heading carries the item.
    assert table.subtotals["lønns-og-priskompensasjon"] == {2022: None, 2023: D(122), 2024: D(781), 2025: D(1731)}


def test_sett_hoyere_deflator_after_tiltak_i_lopende_priser(loaded):
    # Deflator 4,2 / 4,8 / 4,6 %:
    # 2023: 3 300 × 4,2 % = 138,6 → 139;
    # 2024: (15 200 + 139) × 4,8 % = 15 339 × 4,8 % = 736,272 → 736, level 139 + 736 = 875;
    # 2025: (22 400 + 875) × 4,6 % = 23 275 × 4,6 % = 1 070,65 → 1 071, level 875 + 1 071 = 1 946.
    # New frames: 3 300; 15 339; 23 275; 23 600 + 1 946 = 25 546.
    table = roll(loaded.variant("tiltak-i-løpende-priser", "høyere-deflator"))
    assert table.amounts["kompensasjon-deflator"] == ints({2023: 139, 2024: 875, 2025: 1946})
    assert table.new_frame == ints({2022: 3300, 2023: 15339, 2024: 23275, 2025: 25546})


def test_sett_alone_changes_nothing_where_no_item_uses_the_parameter(loaded):
    # No measure of seed 004 uses the deflator: the base figures.
    variant = loaded.variant("høyere-deflator")
    assert new_frame(variant) == T_BASE
    assert [(o.name, o.year, o.value) for o in variant.overrides] == [
        ("deflator", 2023, D("4.2")), ("deflator", 2024, D("4.8")), ("deflator", 2025, D("4.6"))]


def test_sett_on_seed_000s_price_rate(loaded):
    # prisjustering-2017: 3 286 × prisvekst. Set to 3 %: 3 286 × 3 % = 98,58 → 99, against 46 printed:
    # 2017: 11 999 − 46 + 99 = 12 052, and 12 052 from then on (incremental: the level carries).
    budget = loaded.budget(MOLDE)
    table = roll(apply(budget, scenario(MOLDE, [{"type": "sett", "parameter": "prisvekst", "verdi": "3 %"}])))
    assert table.amounts["prisjustering-2017"] == ints({2017: 99})
    assert table.new_frame == ints({2016: 9864, 2017: 12052, 2018: 12052, 2019: 12052, 2020: 12052})


# ---------------------------------------------------------------------------------------- C. composition


def test_scenarios_on_different_items_commute(loaded):
    # tiltak-12-utsatt (+2 000 in 2024) and skaler 7a × 0,5 (−2 100 / −4 200 / −4 200 in 2023–2025):
    # 2023: 15 200 − 2 100 = 13 100; 2024: 22 400 + 2 000 − 4 200 = 20 200; 2025: 23 600 − 4 200 = 19 400.
    budget = loaded.budget(TRONDHEIM)
    delay = loaded.scenario("tiltak-12-utsatt")
    half = scenario(TRONDHEIM, [{"type": "skaler", "post": ITEM_7A, "faktor": "0.5"}], id="halv-7a")
    one = new_frame(apply(apply(budget, delay), half))
    other = new_frame(apply(apply(budget, half), delay))
    assert one == other == ints({2022: 3300, 2023: 13100, 2024: 20200, 2025: 19400})


def test_replace_then_scale_differs_from_scale_then_replace(data_copy, monkeypatch):
    monkeypatch.chdir(data_copy.parent)
    write(data_copy, "erstatt-12.yaml", f"""
        type: scenario
        id: erstatt-12
        etikett: Tiltak 12 med nye beløp
        gjelder: {TRONDHEIM}
        operasjoner:
          - type: erstatt
            post: {ITEM_12}
            beløp: {{2024: -1000, 2025: -3000}}
        """)
    write(data_copy, "halv-12.yaml", f"""
        type: scenario
        id: halv-12
        etikett: Tiltak 12 halvert
        gjelder: {TRONDHEIM}
        operasjoner:
          - {{type: skaler, post: {ITEM_12}, faktor: 0.5}}
        """)
    loaded = load(["data"])
    assert [p for p in loaded.problems if p.code.is_input] == []
    # erstatt, then skaler: −500 / −1 500.
    # 2024: 22 400 + 2 000 − 500 = 23 900; 2025: 23 600 + 2 000 − 1 500 = 24 100.
    assert new_frame(loaded.variant("erstatt-12", "halv-12")) == ints({2022: 3300, 2023: 15200, 2024: 23900,
                                                                       2025: 24100})
    # skaler, then erstatt: the replacement wins, −1 000 / −3 000: 23 400; 22 600.
    assert new_frame(loaded.variant("halv-12", "erstatt-12")) == ints({2022: 3300, 2023: 15200, 2024: 23400,
                                                                       2025: 22600})
    # compare -s A+B attributes both orders to the one item, and each adds up to its own difference.
    comparison = loaded.compare(["erstatt-12", "halv-12"], ["halv-12", "erstatt-12"])
    first, second = comparison.variants
    assert first.difference == ints({2022: 0, 2023: 0, 2024: 1500, 2025: 500})
    assert second.difference == ints({2022: 0, 2023: 0, 2024: 1000, 2025: -1000})
    for variant in (first, second):
        assert [(a.kind, a.name) for a in variant.attributions] == [("item", ITEM_12)]
        assert variant.attributions[0].values == variant.difference


def test_two_settings_of_one_parameter_the_later_wins(loaded):
    # høyere-deflator then a scenario setting the deflator back to 3,7 % in 2023 only: 2023 is 122 again, and
    # 2024 (15 322 × 4,8 % = 735,456 → 735, level 857), 2025 ((22 400 + 857) × 4,6 % = 23 257 × 4,6 %
    # = 1 069,822 → 1 070, level 1 927) follow from it.
    budget = loaded.budget(TRONDHEIM)
    params = loaded.scenario_parameters
    back = scenario(TRONDHEIM, [{"type": "sett", "parameter": "deflator", "år": 2023, "verdi": "3,7 %"}], id="tilbake")
    state = budget
    for s in (loaded.scenario("tiltak-i-løpende-priser"), loaded.scenario("høyere-deflator"), back):
        state = apply(state, s, params.get(s.id, ()))
    table = roll(state)
    assert table.amounts["kompensasjon-deflator"] == ints({2023: 122, 2024: 857, 2025: 1927})
    assert table.new_frame == ints({2022: 3300, 2023: 15322, 2024: 23257, 2025: 25527})


# -------------------------------------------------------------------------------------- D. compare itself


def test_compare_with_an_empty_scenario_shows_nothing(loaded):
    for frame_id, base in ((TRONDHEIM, T_BASE), (MOLDE, M_BASE)):
        comparison = compare(loaded.budget(frame_id), [[scenario(frame_id, [], id="tom")]])
        (variant,) = comparison.variants
        assert comparison.base.new_frame == base
        assert variant.table.new_frame == base
        assert variant.difference == dict.fromkeys(base, ZERO)
        assert variant.attributions == ()
        assert variant.scenarios == ("tom",) and variant.name == "tom"


def test_compare_a_scenario_that_does_nothing_shows_no_attribution(loaded):
    # The deflator set on its own: no item uses it, so no difference, and no cause listed.
    (variant,) = loaded.compare("høyere-deflator").variants
    assert variant.difference == dict.fromkeys(T_YEARS, ZERO)
    assert variant.attributions == ()


def test_compare_bundled_variants_by_hand(loaded):
    comparison = loaded.compare("tiltak-i-løpende-priser", ["tiltak-i-løpende-priser", "høyere-deflator"],
                                "tiltak-12-utsatt")
    assert comparison.base.new_frame == T_BASE
    priced, higher, delayed = comparison.variants
    # 122 / 781 / 1 731, all to the added item.
    assert priced.difference == ints({2022: 0, 2023: 122, 2024: 781, 2025: 1731})
    assert [(a.kind, a.name, dict(a.values)) for a in priced.attributions] == [
        ("item", "kompensasjon-deflator", ints({2022: 0, 2023: 122, 2024: 781, 2025: 1731}))]
    # 139 / 875 / 1 946 = the item at the forecast (122 / 781 / 1 731) + the higher deflator's part:
    # 139 − 122 = 17; 875 − 781 = 94; 1 946 − 1 731 = 215. Largest first.
    assert higher.difference == ints({2022: 0, 2023: 139, 2024: 875, 2025: 1946})
    assert [(a.kind, a.name, dict(a.values)) for a in higher.attributions] == [
        ("item", "kompensasjon-deflator", ints({2022: 0, 2023: 122, 2024: 781, 2025: 1731})),
        ("parameter", "deflator", ints({2022: 0, 2023: 17, 2024: 94, 2025: 215}))]
    assert higher.labels == ("Tiltakene i løpende priser (kompensert med den kommunale deflatoren fra 2023)",
                             "Kommunal deflator 0,5 prosentpoeng over anslaget i 2023–2025")
    assert delayed.difference == ints({2022: 0, 2023: 0, 2024: 2000, 2025: 0})
    assert [(a.name, dict(a.values)) for a in delayed.attributions] == [
        (ITEM_12, ints({2022: 0, 2023: 0, 2024: 2000, 2025: 0}))]


def test_compare_rejects_every_bad_scenario_before_rolling(loaded):
    budget = loaded.budget(TRONDHEIM)
    bad_item = scenario(TRONDHEIM, [{"type": "fjern", "post": "tiltak-99"}], id="a")
    bad_param = scenario(TRONDHEIM, [{"type": "sett", "parameter": "deflatorr", "verdi": 4}], id="b")
    with pytest.raises(ScenarioError) as caught:
        compare(budget, [[bad_item], [bad_param]])
    assert [p.code for p in caught.value.problems] == [Code.UNKNOWN_ITEM, Code.UNKNOWN_PARAMETER]


def test_compare_refuses_what_apply_refuses(loaded):
    # An item added under a group the frame does not have passes the operations' own checks; the linker
    # refuses it after the scenario is applied, in compare as in apply (roll).
    budget = loaded.budget(TRONDHEIM)
    stray = scenario(TRONDHEIM, [{"type": "legg-til", "post": {
        "id": "ny-post", "etikett": "Ny post", "kategori": "annet", "gruppe": "finnes-ikke",
        "beløp": {2022: 1000}}}], id="c")
    with pytest.raises(ScenarioError) as applied:
        apply(budget, stray)
    with pytest.raises(ScenarioError) as compared:
        compare(budget, [[stray]])
    assert [p.message for p in compared.value.problems] == [p.message for p in applied.value.problems]
    assert "group 'finnes-ikke', which frame 'trondheim-2022-psykisk-helse-og-rus' does not have" in \
        compared.value.problems[0].message


def test_cli_compare_gives_set_the_last_word_as_roll_does(cli):
    setting = ["--set", "deflator:2024=9%"]
    rolled = json.loads(cli("roll", "-s", "tiltak-i-løpende-priser", "-s", "høyere-deflator", *setting, "-f", "json",
                            cwd=ROOT).stdout)["frames"][0]["new_frame"]
    result = cli("compare", "-s", "tiltak-i-løpende-priser+høyere-deflator", *setting, "-f", "json", cwd=ROOT)
    assert result.exit_code == 0, result.output
    (compared,) = json.loads(result.stdout)["variants"]
    assert compared["new_frame"] == rolled
    # 9 % instead of the scenario's 4,8 % in 2024: not the scenario alone (23 275, test above)
    assert rolled["2024"] != 23275
    # and the parts still add up to the difference, year by year
    for year, difference in compared["difference"].items():
        assert sum(a["values"][year] for a in compared["attributions"]) == difference


def test_cli_roll_with_a_scenario_file_reads_data_too(cli):
    result = cli("roll", "-s", "data/scenarios/molde-uten-opptrappingsplan.yaml", "-f", "json", cwd=ROOT)
    assert result.exit_code == 0, result.output
    # Molde without the opptrappingsplan: Ny driftsramme 2017 10 004 (11 999 − 754 − 1 241)
    assert json.loads(result.stdout)["frames"][0]["new_frame"]["2017"] == 10004


# ------------------------------------------------------------------- E. property: attributions add up


PARAM = "p"
FACTORS = [D(0), D("0.5"), D(2), D(-1), D("1.5"), D("0.25"), D("0.3"), D(3)]


small = st.integers(-5000, 5000).map(D)
rates = st.integers(-20, 120).map(lambda n: D(n) / 10)  # −2,0 % … 12,0 %


@st.composite
def rule_st(draw, years: tuple[int, ...], frame_rate: bool = True):
    first, last = years[0], years[-1]
    kinds = ["fra", "trinn", "delår", "engangs", "flytting", "sats", "sats-p"] + (["sats-frame"] if frame_rate else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "fra":
        return FromRule(type="fra", year=draw(st.integers(first - 1, last)), amount=draw(small))
    if kind == "trinn":
        return StepRule(type="trinn", levels=draw(st.dictionaries(st.sampled_from(years), small, min_size=1)))
    if kind == "delår":
        date = datetime.date(draw(st.integers(first - 1, last)), draw(st.integers(1, 12)), draw(st.integers(1, 28)))
        return PartYearRule(type="delårsvirkning", full_year=draw(small), effective=date,
                            basis=draw(st.sampled_from(list(ShareBasis))))
    if kind == "engangs":
        return OneOffRule(type="engangs", amounts=draw(st.dictionaries(st.sampled_from(years), small, min_size=1)))
    if kind == "flytting":
        source, target = draw(st.lists(st.sampled_from(years), min_size=2, max_size=2, unique=True))
        return MoveRule(type="flytting", amount=draw(small), source_year=source, target_year=target)
    chosen = tuple(sorted(draw(st.sets(st.sampled_from(years), min_size=1))))
    if kind == "sats-frame":
        return RateRule(type="sats", base="utgangspunkt", rate=PARAM, years=chosen)
    base = draw(st.one_of(small, st.fixed_dictionaries({y: small for y in chosen})))
    rate = PARAM if kind == "sats-p" else draw(st.sampled_from(["1,4 %", "2.5%", "-3 %", "10 %"]))
    return RateRule(type="sats", base=base, rate=rate, years=chosen)


@st.composite
def item_st(draw, id: str, years: tuple[int, ...], frame_rate: bool = True) -> Item:
    group = draw(st.sampled_from(["g", "h"]))
    if draw(st.booleans()):
        amounts = draw(st.dictionaries(st.sampled_from(years), small, min_size=1))
        return Item(id=id, label=f"Post {id}", category=Category.OTHER, group=group, amounts=amounts)
    return Item(id=id, label=f"Post {id}", category=draw(st.sampled_from(list(Category))), group=group,
                rule=draw(rule_st(years, frame_rate)))


def is_frame_rate(item: Item) -> bool:
    return isinstance(item.rule, RateRule) and item.rule.base == "utgangspunkt"


@st.composite
def budget_st(draw) -> Budget:
    convention = draw(st.sampled_from(list(Convention)))
    years = tuple(range(2020, 2020 + draw(st.integers(2, 5))))
    base = draw(st.one_of(st.none(), st.integers(0, 100_000)))
    items = [draw(item_st(f"i{k}", years)) for k in range(draw(st.integers(1, 6)))]
    params = parameter_set(**{PARAM: {y: draw(rates) for y in years}})
    frame = make_frame(convention, years, base, groups=(Group(id="g", label="Endringer"),
                                                       Group(id="h", label="Tiltak", parent="g")),
                       parameters=("parametere.yaml",))
    budget, problems = assemble(frame, [changeset(items)], [params])
    assert problems == [], problems
    return budget


@st.composite
def variant_st(draw, budget: Budget) -> list[Scenario]:
    """1–3 scenarios of 0–4 operations each, every operation on an item that exists at its point.

    'skaler' is drawn only for items that are no rate on the frame itself, neither now nor when the scenario
    begins (scaling such a rate is refused; tested on its own below)."""
    years = budget.frame.years
    live = {it.id: is_frame_rate(it) for it in budget.items}
    added = 0
    scenarios = []
    for s in range(draw(st.integers(1, 3))):
        at_start = {i for i, frame_rate in live.items() if frame_rate}
        ops = []
        for _ in range(draw(st.integers(0, 4))):
            kinds = ["sett", "legg-til"] + (["fjern", "skaler", "forskyv", "erstatt"] if live else [])
            kind = draw(st.sampled_from(kinds))
            if kind == "sett":
                year = draw(st.one_of(st.none(), st.sampled_from(years)))
                ops.append(SetParameter(type="sett", parameter=PARAM, year=year, value=draw(rates)))
                continue
            if kind == "legg-til":
                added += 1
                item = draw(item_st(f"n{added}", years))
                live[item.id] = is_frame_rate(item)
                ops.append(AddItem(type="legg-til", item=item))
                continue
            if kind == "skaler":
                scalable = sorted(i for i, frame_rate in live.items() if not frame_rate and i not in at_start)
                if not scalable:
                    continue
                ops.append(ScaleItem(type="skaler", item=draw(st.sampled_from(scalable)),
                                     factor=draw(st.sampled_from(FACTORS))))
                continue
            target = draw(st.sampled_from(sorted(live)))
            if kind == "fjern":
                del live[target]
                ops.append(RemoveItem(type="fjern", item=target))
            elif kind == "forskyv":
                n = draw(st.integers(-3, 3).filter(bool))
                ops.append(ShiftItem(type="forskyv", item=target, years=n))
            elif draw(st.booleans()):
                amounts = draw(st.dictionaries(st.sampled_from(years), small, min_size=1))
                live[target] = False
                ops.append(ReplaceItem(type="erstatt", item=target, amounts=amounts))
            else:
                rule = draw(rule_st(years, frame_rate=False))
                live[target] = False
                ops.append(ReplaceItem(type="erstatt", item=target, rule=rule))
        scenarios.append(Scenario(kind="scenario", id=f"s{s}", label=f"Scenario {s}", frame="f",
                                  operations=tuple(ops)).with_source(f"s{s}.yaml", {}))
    return scenarios


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_attributions_add_up_to_the_difference(data):
    budget = data.draw(budget_st(), label="budget")
    scenarios = data.draw(variant_st(budget), label="scenarios")
    dump = budget.model_dump()
    base = roll(budget)

    comparison = compare(budget, [scenarios])
    (variant,) = comparison.variants
    assert comparison.base.new_frame == base.new_frame
    assert variant.scenarios == tuple(s.id for s in scenarios)
    for year in budget.frame.years:
        assert variant.difference[year] == variant.table.new_frame[year] - base.new_frame[year]
        assert sum((a.values[year] for a in variant.attributions), ZERO) == variant.difference[year]
    for a in variant.attributions:
        assert set(a.values) == set(budget.frame.years)
        assert any(a.values.values())  # a cause that changes nothing is not listed
        assert a.kind in ("item", "parameter")

    # The variant is what apply() gives, scenario after scenario.
    state = budget
    for s in scenarios:
        state = apply(state, s)
    assert roll(state).new_frame == variant.table.new_frame
    assert state.scenarios == variant.budget.scenarios == tuple(s.id for s in scenarios)
    # The budget given is untouched.
    assert budget.model_dump() == dump
    assert roll(budget).new_frame == base.new_frame


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_an_empty_scenario_is_the_identity_on_random_budgets(data):
    budget = data.draw(budget_st(), label="budget")
    variant = apply(budget, Scenario(kind="scenario", id="tom", label="Tom", frame="f",
                                     operations=()).with_source("tom.yaml", {}))
    a, b = roll(budget), roll(variant)
    assert (a.new_frame, a.start, a.amounts) == (b.new_frame, b.start, b.amounts)


_RATE_ON_FRAME = {"type": "sats", "grunnlag": "utgangspunkt", "sats": "1 %", "år": 2024}


@pytest.mark.parametrize("first", [
    {"type": "legg-til", "post": {"id": "ny", "etikett": "Ny", "kategori": "annet",
                                  "gruppe": "effektiviseringstiltak", "regel": _RATE_ON_FRAME}},
    {"type": "erstatt", "post": ITEM_12, "regel": _RATE_ON_FRAME},
], ids=["legg-til", "erstatt"])
def test_scaling_a_rate_on_the_frame_made_earlier_in_the_scenario_is_a_problem(loaded, first):
    target = first["post"]["id"] if first["type"] == "legg-til" else first["post"]
    bad = scenario(TRONDHEIM, [first, {"type": "skaler", "post": target, "faktor": 2}])
    with pytest.raises(ScenarioError) as caught:
        apply(loaded.budget(TRONDHEIM), bad)
    assert [p.code for p in caught.value.problems] == [Code.INVALID]


def test_scaling_a_frame_rate_replaced_earlier_in_the_scenario_is_allowed(loaded):
    # kompensasjon-deflator replaced by 100 a year from 2023, then doubled: 200 from 2023.
    # New frames: 3 300; 15 200 + 200 = 15 400; 22 400 + 200 = 22 600; 23 600 + 200 = 23 800.
    variant = loaded.variant("tiltak-i-løpende-priser")
    ops = [{"type": "erstatt", "post": "kompensasjon-deflator", "regel": {"type": "fra", "år": 2023, "beløp": 100}},
           {"type": "skaler", "post": "kompensasjon-deflator", "faktor": 2}]
    table = roll(apply(variant, scenario(TRONDHEIM, ops)))
    assert table.new_frame == ints({2022: 3300, 2023: 15400, 2024: 22600, 2025: 23800})


def test_cli_scaling_an_added_rate_on_the_frame_is_bad_input(cli, data_copy):
    path = write(data_copy, "skalert.yaml", f"""
        type: scenario
        id: skalert
        etikett: Ny sats på rammen, doblet
        gjelder: {TRONDHEIM}
        grupper:
          - {{id: komp, etikett: Kompensasjon}}
        operasjoner:
          - type: legg-til
            post: {{id: ny, etikett: Ny, kategori: annet, gruppe: komp,
                    regel: {{type: sats, grunnlag: utgangspunkt, sats: '1 %', år: 2024}}}}
          - {{type: skaler, post: ny, faktor: 2}}
        """)
    result = cli("roll", "data", "-s", "skalert", cwd=data_copy.parent)
    line, _ = position(path, "type: skaler")
    assert result.exit_code == 2, (result.exit_code, repr(result.exception))
    assert f"data/scenarios/skalert.yaml:{line}:" in result.stderr


def test_scaling_a_rate_on_the_frame_is_a_problem(loaded):
    # The check itself, where it works: the added item exists before the scenario that scales it.
    variant = loaded.variant("tiltak-i-løpende-priser")
    bad = scenario(TRONDHEIM, [{"type": "skaler", "post": "kompensasjon-deflator", "faktor": 2}], id="dobbel")
    with pytest.raises(ScenarioError) as caught:
        apply(variant, bad)
    (problem,) = caught.value.problems
    assert problem.code is Code.INVALID and "sett" in problem.hint


# --------------------------------------------------------------------------------------------- F. validation


def test_unknown_item_and_parameter_at_their_place(data_copy, monkeypatch):
    monkeypatch.chdir(data_copy.parent)
    path = write(data_copy, "feil.yaml", f"""
        type: scenario
        id: feil
        etikett: Skrivefeil
        gjelder: {MOLDE}
        operasjoner:
          - type: fjern
            post: opptrappingsplan-rus-2018
          - type: sett
            parameter: prisvekts
            verdi: 3
        """)
    loaded = load(["data"])
    assert [p for p in loaded.problems if p.code.is_input] == []  # the file itself is valid
    with pytest.raises(ScenarioError) as caught:
        loaded.variant("feil")
    item, parameter = caught.value.problems
    name = "data/scenarios/feil.yaml"

    assert item.code is Code.UNKNOWN_ITEM and item.severity is Severity.ERROR
    assert (item.file, item.line, item.col) == (name, *position(path, "opptrappingsplan-rus-2018"))
    assert "opptrappingsplan-rus-2018" in item.message
    # The nearest ids first: 2017 and 2016.
    assert "did you mean 'opptrappingsplan-rus-2017', 'opptrappingsplan-rus-2016'" in item.hint

    assert parameter.code is Code.UNKNOWN_PARAMETER and parameter.severity is Severity.ERROR
    assert (parameter.file, parameter.line, parameter.col) == (name, *position(path, "prisvekts"))
    assert "did you mean 'prisvekst'" in parameter.hint
    assert "lønnsvekst" in parameter.hint  # … and the parameters there are

    # validate() gives the same, without applying.
    assert validate(loaded.budget(MOLDE), loaded.scenario("feil")) == caught.value.problems


def test_unknown_parameter_where_there_are_none(loaded):
    # Seed 004's frame lists no parameter files, and this scenario brings none: nothing to suggest but the way.
    bad = scenario(TRONDHEIM, [{"type": "sett", "parameter": "deflator", "verdi": 4}])
    (problem,) = validate(loaded.budget(TRONDHEIM), bad)
    assert problem.code is Code.UNKNOWN_PARAMETER and "'parametere'" in problem.hint
    # With the state budget's file brought along, the same operation is fine.
    assert validate(loaded.budget(TRONDHEIM), bad, loaded.scenario_parameters["høyere-deflator"]) == []


def test_an_operation_on_a_removed_item_is_an_error(data_copy, monkeypatch):
    monkeypatch.chdir(data_copy.parent)
    path = write(data_copy, "fjernet.yaml", f"""
        type: scenario
        id: fjernet
        etikett: Fjernet, så skalert
        gjelder: {MOLDE}
        operasjoner:
          - {{type: fjern, post: kjøp-av-biler}}
          - {{type: skaler, post: kjøp-av-biler, faktor: 2}}
        """)
    loaded = load(["data"])
    with pytest.raises(ScenarioError) as caught:
        loaded.variant("fjernet")
    (problem,) = caught.value.problems
    assert problem.code is Code.UNKNOWN_ITEM
    line, _ = position(path, "type: skaler")
    assert (problem.file, problem.line) == ("data/scenarios/fjernet.yaml", line)
    assert "kjøp-av-biler" in problem.message
    assert "kjøp-av-biler" not in (problem.hint or "").split("the items are:")[-1]


def test_an_operation_on_an_item_removed_by_an_earlier_scenario_is_an_error(loaded):
    budget = loaded.budget(MOLDE)
    without = loaded.scenario("uten-opptrappingsplan")
    again = scenario(MOLDE, [{"type": "skaler", "post": "opptrappingsplan-rus-2017", "faktor": 2}], id="igjen")
    assert validate(budget, again) == []  # fine on its own …
    with pytest.raises(ScenarioError) as caught:
        apply(apply(budget, without), again)  # … not after the item is gone
    assert [p.code for p in caught.value.problems] == [Code.UNKNOWN_ITEM]
    with pytest.raises(ScenarioError):
        compare(budget, [[without, again]])


def test_a_scenario_for_another_frame_is_an_error(loaded):
    other = loaded.scenario("tiltak-12-utsatt")
    with pytest.raises(ScenarioError) as caught:
        apply(loaded.budget(MOLDE), other)
    (problem,) = caught.value.problems
    assert problem.code is Code.FRAME_MISMATCH
    assert problem.file == other.file and problem.file.endswith("trondheim-tiltak-12-utsatt.yaml")
    assert problem.line == position(Path(other.file), "gjelder:")[0]
    assert TRONDHEIM in problem.message and MOLDE in problem.message


def test_adding_an_item_that_exists_is_an_error(loaded):
    add = scenario(MOLDE, [{"type": "legg-til", "post": {"id": "kjøp-av-biler", "etikett": "Biler",
                                                          "kategori": "annet", "gruppe": "andre-rammeendringer",
                                                          "beløp": {2018: 5}}}])
    with pytest.raises(ScenarioError) as caught:
        apply(loaded.budget(MOLDE), add)
    assert [p.code for p in caught.value.problems] == [Code.DUPLICATE_ID]


def test_cli_reports_a_bad_scenario_at_its_line(cli, data_copy):
    path = write(data_copy, "feil.yaml", f"""
        type: scenario
        id: feil
        etikett: Skrivefeil
        gjelder: {TRONDHEIM}
        parametere: [../parameters/statsbudsjett.yaml]
        operasjoner:
          - {{type: forskyv, post: fra-base-til-ambulerende-tjenestr, år: 1}}
          - {{type: sett, parameter: deflatr, verdi: 5}}
        """)
    item_at = position(path, "fra-base-til-ambulerende-tjenestr")
    param_at = position(path, "deflatr")
    for command in (("roll", "data", "-s", "feil"), ("compare", "data", "-s", "feil"),
                    ("compare", "data", "-s", "tiltak-12-utsatt+feil", "--format", "json")):
        result = cli(*command, cwd=data_copy.parent)
        assert result.exit_code == 2, (command, result.output)
        assert f"data/scenarios/feil.yaml:{item_at[0]}:{item_at[1]}: error: there is no item" in result.stderr
        assert f"data/scenarios/feil.yaml:{param_at[0]}:{param_at[1]}: error: there is no parameter" in result.stderr
        assert "did you mean 'fra-base-til-ambulerende-tjenester'" in result.stderr
        assert "did you mean 'deflator'" in result.stderr
        assert "Traceback" not in result.output and "Traceback" not in result.stderr
        assert result.stdout == ""
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_reports_scenarios_for_different_frames(cli):
    result = cli("roll", "data", "-s", "uten-opptrappingsplan", "-s", "tiltak-12-utsatt")
    assert result.exit_code == 2
    assert "different frames" in result.stderr and MOLDE in result.stderr and TRONDHEIM in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    result = cli("compare", "data", "-s", "uten-opptrappingsplan", "-s", "tiltak-12-utsatt")
    assert result.exit_code == 2 and "different frames" in result.stderr


def test_cli_names_the_file_of_a_scenario_for_a_missing_frame(cli, data_copy):
    path = write(data_copy, "annen.yaml", """
        type: scenario
        id: annen
        etikett: For en ramme som ikke finnes
        gjelder: bergen-2024-ingenting
        operasjoner:
          - {type: fjern, post: x}
        """)
    result = cli("roll", "data", "-s", "annen", cwd=data_copy.parent)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    line, col = position(path, "bergen-2024-ingenting")
    assert f"data/scenarios/annen.yaml:{line}:{col}: error: " in result.stderr
    assert "bergen-2024-ingenting" in result.stderr and result.stdout == ""


def test_cli_scenario_for_a_frame_not_read_exits_2(cli):
    # The frame file of seed 000 only, with a Trondheim scenario file: its frame is not among the files read.
    result = cli("roll", "data/frames/molde-2017-ressurstjenesten.yaml", "-s",
                 "data/scenarios/trondheim-tiltak-12-utsatt.yaml")
    assert result.exit_code == 2, result.output
    assert TRONDHEIM in result.stderr and "Traceback" not in result.stderr and result.stdout == ""


def test_cli_bad_scenario_without_traceback_as_a_process():
    """The command as a user runs it (a process): an unknown scenario is exit 2, listing the ids, no traceback."""
    result = subprocess.run([sys.executable, "-m", "rammecalc", "compare", "data", "-s", "tiltak-12-utsatt",
                             "-s", "nosuch-scenario"], check=False, cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "there is no scenario 'nosuch-scenario'" in result.stderr
    assert "tiltak-12-utsatt" in result.stderr  # the list of scenarios there are
    assert "Traceback" not in result.stderr and result.stdout == ""


# --------------------------------------------------------------------------------------------------- G. CLI


def cells(line: str) -> list[str]:
    """A rendered table line split at runs of two or more spaces (figures hold single spaces)."""
    return re.split(r"\s{2,}", line.strip())


COMPARE_ARGS = ("compare", "data", "-s", "tiltak-i-løpende-priser", "-s",
                "tiltak-i-løpende-priser+høyere-deflator", "-s", "tiltak-12-utsatt")


def test_cli_compare_table(cli):
    result = cli(*COMPARE_ARGS)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    base = next(ln for ln in lines if ln.startswith("Sum endringer mot utgangspunktet, grunnlag"))
    assert cells(base)[1:] == ["3 300", "15 200", "22 400", "23 600"]
    differences = [cells(ln)[1:] for ln in lines if ln.strip().startswith("differanse")]
    assert differences == [["0", "+122", "+781", "+1 731"],      # 122 / 781 / 1 731 (by hand above)
                           ["0", "+139", "+875", "+1 946"],      # 139 / 875 / 1 946
                           ["0", "0", "+2 000", "0"]]            # measure 12 a year later
    compensation = [cells(ln)[1:] for ln in lines
                    if ln.strip().startswith("Lønns- og priskompensasjon av tiltakene")]
    assert compensation == [["+122", "+781", "+1 731"], ["+122", "+781", "+1 731"]]
    deflator = [cells(ln)[1:] for ln in lines if ln.strip().startswith("parameter deflator")]
    assert deflator == [["+17", "+94", "+215"]]  # 139 − 122, 875 − 781, 1 946 − 1 731
    measure = [cells(ln)[1:] for ln in lines if ln.strip().startswith("Fra base- til ambulerende tjenester")]
    assert measure == [["+2 000"]]
    new_frames = [cells(ln)[-4:] for ln in lines if re.search(r"\d\s{2,}\d", ln) and "differanse" not in ln
                  and ln[:1] not in (" ", "")]
    assert ["3 300", "15 322", "23 181", "25 331"] in new_frames
    assert ["3 300", "15 339", "23 275", "25 546"] in new_frames
    assert ["3 300", "15 200", "24 400", "23 600"] in new_frames


PER_YEAR = {"type": "object", "propertyNames": {"pattern": "^[0-9]{4}$"}, "minProperties": 1,
            "additionalProperties": {"type": "number"}}
PER_YEAR_OR_BLANK = {"type": "object", "propertyNames": {"pattern": "^[0-9]{4}$"},
                     "additionalProperties": {"type": ["number", "null"]}}

COMPARE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "frame", "file", "amount_unit", "price_level", "years", "base", "variants"],
    "properties": {
        "format": {"const": "rammecalc.compare/1"},
        "frame": {"type": "string", "minLength": 1},
        "file": {"type": "string", "pattern": r"\.ya?ml$"},
        "amount_unit": {"enum": [u.value for u in AmountUnit]},
        "price_level": {"type": ["string", "null"]},
        "years": {"type": "array", "minItems": 1, "items": {"type": "integer"}},
        "base": {"type": "object", "additionalProperties": False, "required": ["new_frame"],
                 "properties": {"new_frame": PER_YEAR}},
        "variants": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["scenarios", "labels", "new_frame", "difference", "attributions"],
            "properties": {
                "scenarios": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                "labels": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                "new_frame": PER_YEAR,
                "difference": PER_YEAR,
                "attributions": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["kind", "name", "label", "values"],
                    "properties": {"kind": {"enum": ["item", "parameter"]}, "name": {"type": "string", "minLength": 1},
                                   "label": {"type": "string", "minLength": 1}, "values": PER_YEAR}}},
            }}},
    },
}

ROLL_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "frames", "tables", "links"],
    "properties": {
        "format": {"const": "rammecalc.roll/2"},
        # Beside the frames: the other tables (type: tabell) and links (README), lists; empty for a variant.
        "tables": {"type": "array"},
        "links": {"type": "array"},
        "frames": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["frame", "file", "municipality", "unit", "source", "amount_unit", "price_level",
                         "convention", "has_base", "blank_is_zero", "columns", "text_columns", "rows", "start",
                         "new_frame", "unallocated"],
            "properties": {
                "frame": {"type": "string"}, "file": {"type": "string"}, "municipality": {"type": "string"},
                "unit": {"type": "string"},
                "source": {"type": "object", "required": ["document"],
                           "properties": {k: {"type": "string"} for k in ("document", "table", "address", "page",
                                                                          "note")},
                           "additionalProperties": False},
                "amount_unit": {"enum": [u.value for u in AmountUnit]},
                "convention": {"enum": [c.value for c in Convention]},
                "has_base": {"type": "boolean"},
                "price_level": {"type": ["string", "null"]},
                "blank_is_zero": {"type": "boolean"},
                "text_columns": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False, "required": ["id", "label"],
                    "properties": {"id": {"type": "string"}, "label": {"type": "string"}}}},
                "columns": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "additionalProperties": False, "required": ["year", "label"],
                    "properties": {"year": {"type": "integer"}, "label": {"type": "string"}}}},
                "rows": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["kind", "id", "label", "depth", "group", "category", "values", "published",
                                 "overridden_parameters", "reference", "texts", "printed", "differs"],
                    "properties": {
                        "kind": {"enum": ["start", "split", "group", "group_start", "item", "subtotal",
                                          "new_frame"]},
                        "reference": {"type": ["string", "null"]},
                        "texts": {"type": "object", "additionalProperties": {"type": "string"}},
                        "printed": {"type": "object", "propertyNames": {"pattern": "^[0-9]{4}$"},
                                    "additionalProperties": {"type": ["boolean", "null"]}},
                        "differs": {"type": "object", "propertyNames": {"pattern": "^[0-9]{4}$"},
                                    "additionalProperties": {"type": "boolean"}},
                        "id": {"type": ["string", "null"]}, "label": {"type": "string"},
                        "depth": {"type": "integer", "minimum": 0}, "group": {"type": ["string", "null"]},
                        "category": {"enum": [c.value for c in Category] + [None]},
                        "values": PER_YEAR_OR_BLANK, "published": PER_YEAR,
                        "overridden_parameters": {"type": "array", "items": {"type": "string"}}}}},
                "start": {"oneOf": [PER_YEAR, {"type": "null"}]},
                "new_frame": PER_YEAR,
                "unallocated": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["item", "label", "group", "amount", "note"],
                    "properties": {"item": {"type": "string"}, "label": {"type": "string"},
                                   "group": {"type": ["string", "null"]}, "amount": {"type": "number"},
                                   "note": {"type": ["string", "null"]}}}},
            }}},
    },
}
# 'published' may be empty ({}): relax minProperties for it only.
ROLL_SCHEMA["properties"]["frames"]["items"]["properties"]["rows"]["items"]["properties"]["published"] = {
    **PER_YEAR, "minProperties": 0}


def test_cli_compare_json_validates_and_holds_the_figures(cli):
    result = cli(*COMPARE_ARGS, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    jsonschema.validate(data, COMPARE_SCHEMA)
    assert data["frame"] == TRONDHEIM and data["years"] == list(T_YEARS)
    assert data["file"] == "data/frames/trondheim-2022-psykisk-helse-og-rus.yaml"
    assert data["base"]["new_frame"] == {"2022": 3300, "2023": 15200, "2024": 22400, "2025": 23600}
    priced, higher, delayed = data["variants"]
    assert priced["scenarios"] == ["tiltak-i-løpende-priser"]
    assert higher["scenarios"] == ["tiltak-i-løpende-priser", "høyere-deflator"]
    assert priced["new_frame"] == {"2022": 3300, "2023": 15322, "2024": 23181, "2025": 25331}
    assert higher["difference"] == {"2022": 0, "2023": 139, "2024": 875, "2025": 1946}
    assert [(a["kind"], a["name"], a["values"]) for a in higher["attributions"]] == [
        ("item", "kompensasjon-deflator", {"2022": 0, "2023": 122, "2024": 781, "2025": 1731}),
        ("parameter", "deflator", {"2022": 0, "2023": 17, "2024": 94, "2025": 215})]
    # The README's example, exactly.
    assert delayed == {
        "scenarios": ["tiltak-12-utsatt"],
        "labels": ["Tiltak 12 (fra base- til ambulerende tjenester) ett år senere"],
        "new_frame": {"2022": 3300, "2023": 15200, "2024": 24400, "2025": 23600},
        "difference": {"2022": 0, "2023": 0, "2024": 2000, "2025": 0},
        "attributions": [{"kind": "item", "name": ITEM_12, "label": "Fra base- til ambulerende tjenester",
                          "values": {"2022": 0, "2023": 0, "2024": 2000, "2025": 0}}],
    }
    # A document that breaks the schema is caught: the schema can fail.
    broken = {**data, "variants": [{**delayed, "difference": {"2022": "0"}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, COMPARE_SCHEMA)


@pytest.mark.parametrize("scenario_id, frame_id, new", [
    ("uten-opptrappingsplan", MOLDE, {"2016": 9864, "2017": 10004, "2018": 10004, "2019": 10004, "2020": 10004}),
    ("tiltak-i-løpende-priser", TRONDHEIM, {"2022": 3300, "2023": 15322, "2024": 23181, "2025": 25331}),
])
def test_cli_roll_json_of_a_variant_validates(cli, scenario_id, frame_id, new):
    result = cli("roll", "data", "-s", scenario_id, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    jsonschema.validate(data, ROLL_SCHEMA)
    (table,) = data["frames"]  # only the scenario's frame
    assert data["tables"] == data["links"] == []
    assert table["frame"] == frame_id
    assert table["new_frame"] == new
    row_ids = [r["id"] for r in table["rows"] if r["kind"] == "item"]
    if scenario_id == "uten-opptrappingsplan":
        assert "opptrappingsplan-rus-2017" not in row_ids and "kjøp-av-biler" in row_ids
    else:
        assert table["start"] is None and table["has_base"] is False
        row = next(r for r in table["rows"] if r["id"] == "kompensasjon-deflator")
        assert row["values"] == {"2022": None, "2023": 122, "2024": 781, "2025": 1731}
        assert row["group"] == "lønns-og-priskompensasjon"


def test_cli_compare_csv(cli):
    result = cli(*COMPARE_ARGS, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["variant", "record", "kind", "name", "label", "year", "value"]
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert all(len(r) == 7 and None not in r for r in records)

    def value(variant, record, year, name=""):
        (found,) = [r["value"] for r in records if r["variant"] == variant and r["record"] == record
                    and r["year"] == str(year) and r["name"] == name]
        return Decimal(found)

    assert [value("base", "new_frame", y) for y in T_YEARS] == [3300, 15200, 22400, 23600]
    both = "tiltak-i-løpende-priser + høyere-deflator"
    assert [value(both, "difference", y) for y in T_YEARS] == [0, 139, 875, 1946]
    assert [value(both, "attribution", y, "deflator") for y in T_YEARS] == [0, 17, 94, 215]
    assert [value(both, "attribution", y, "kompensasjon-deflator") for y in T_YEARS] == [0, 122, 781, 1731]
    assert [value("tiltak-12-utsatt", "new_frame", y) for y in T_YEARS] == [3300, 15200, 24400, 23600]
    assert {r["kind"] for r in records if r["record"] == "attribution"} == {"item", "parameter"}
    # Every variant's attributions add up to its difference, as written in the file.
    for variant in ("tiltak-i-løpende-priser", both, "tiltak-12-utsatt"):
        for y in T_YEARS:
            parts = [Decimal(r["value"]) for r in records if r["variant"] == variant
                     and r["record"] == "attribution" and r["year"] == str(y)]
            assert sum(parts, ZERO) == value(variant, "difference", y)


def test_cli_roll_csv_of_a_variant(cli):
    result = cli("roll", "data", "-s", "uten-opptrappingsplan", "--format", "csv")
    assert result.exit_code == 0, result.output
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(records[0]) == ["frame", "row", "kind", "id", "label", "depth", "group", "category", "year",
                                "column", "value", "published", "overridden_parameters", "reference", "printed",
                                "differs", "amount_unit", "price_level"]
    new = {r["year"]: r["value"] for r in records if r["kind"] == "new_frame"}
    assert new == {"2016": "9864", "2017": "10004", "2018": "10004", "2019": "10004", "2020": "10004"}


def test_cli_compare_markdown(cli):
    result = cli(*COMPARE_ARGS, "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = lines.index("| | 2022 | 2023 | 2024 | 2025 |")
    assert lines[header + 1] == "|---|---:|---:|---:|---:|"
    assert "| **Grunnlag** | 3 300 | 15 200 | 22 400 | 23 600 |" in lines
    differences = [ln for ln in lines if "differanse" in ln]
    assert [ln.split("|")[2:-1] for ln in differences] == [
        [" 0 ", " +122 ", " +781 ", " +1 731 "], [" 0 ", " +139 ", " +875 ", " +1 946 "],
        [" 0 ", " 0 ", " +2 000 ", " 0 "]]
    # The deflator's part (blank in 2022, where it is 0): 139 − 122, 875 − 781, 1 946 − 1 731.
    assert [[c.strip() for c in ln.split("|")[1:-1]] for ln in lines if "parameter deflator" in ln] == [
        ["parameter deflator", "", "+17", "+94", "+215"]]


def test_cli_roll_markdown_of_a_variant(cli):
    result = cli("roll", "data", "-s", "uten-opptrappingsplan", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "| | Revidert 2016 | Budsjett 2017 | Økonomiplan 2018 | Økonomiplan 2019 | Økonomiplan 2020 |" \
        in result.stdout.splitlines()
    assert "| **Ny driftsramme** | 9 864 | 10 004 | 10 004 | 10 004 | 10 004 |" in result.stdout.splitlines()
    assert "Uten midlene fra opptrappingsplanen på rusfeltet" in result.stdout


def test_cli_roll_a_variant(cli):
    result = cli("roll", "data", "-s", "uten-opptrappingsplan")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    new = next(ln for ln in lines if ln.startswith("Ny driftsramme"))
    assert cells(new)[1:] == ["9 864", "10 004", "10 004", "10 004", "10 004"]
    assert "opptrappingsplan på rusfeltet" not in "\n".join(ln for ln in lines if ln.startswith("  Statsbudsjett"))
    assert not any(ln.strip().startswith("Statsbudsjett 2017") for ln in lines)
    flat = " ".join(result.stdout.split())
    assert "scenario: Uten midlene fra opptrappingsplanen på rusfeltet" in flat
    assert "Molde kommune · Ressurstjenesten" in result.stdout
    assert "Trondheim" not in result.stdout  # only the scenario's frame
    assert "from the arithmetic" not in result.stderr  # a variant is meant to differ from the print


def test_cli_roll_a_scenario_given_as_a_file(cli):
    result = cli("roll", "data/frames/trondheim-2022-psykisk-helse-og-rus.yaml", "-s",
                 "data/scenarios/trondheim-tiltak-12-utsatt.yaml")
    assert result.exit_code == 0, result.output
    # (the labels stand after the column of the source's item numbers, "Nr.")
    sums = [ln for ln in result.stdout.splitlines() if ln.lstrip().startswith("Sum endringer")]
    # (in brackets: the source prints no totals, so these are rammecalc's)
    assert sums and cells(sums[-1])[-4:] == ["[3 300]", "[15 200]", "[24 400]", "[23 600]"]


def test_cli_output_file_is_written(cli, tmp_path):
    target = tmp_path / "sammenligning.json"
    result = cli(*COMPARE_ARGS, "--format", "json", "--output", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    data = json.loads(target.read_text(encoding="utf-8"), parse_float=Decimal)
    jsonschema.validate(data, COMPARE_SCHEMA)
    assert data["variants"][2]["new_frame"]["2024"] == 24400
    markdown = tmp_path / "variant.md"
    result = cli("roll", "data", "-s", "uten-opptrappingsplan", "--format", "markdown", "--output", markdown)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "| **Ny driftsramme** | 9 864 | 10 004 | 10 004 | 10 004 | 10 004 |" in markdown.read_text(encoding="utf-8")
    csv_file = tmp_path / "variant.csv"
    result = cli("compare", "data", "-s", "tiltak-12-utsatt", "--format", "csv", "--output", csv_file)
    assert result.exit_code == 0 and result.stdout == ""
    assert "tiltak-12-utsatt,new_frame,,,,2024,24400" in csv_file.read_text(encoding="utf-8").splitlines()
    # Nothing else in the folder: no temporary file is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sammenligning.json", "variant.csv", "variant.md"]


@pytest.mark.parametrize("args, figure", [
    (("roll", "data", "-s", "uten-opptrappingsplan"), "10 004"),  # the variant's new frame 2017
    (("compare", "data", "-s", "tiltak-12-utsatt"), "24 400"),  # the variant's new frame 2024
])
def test_cli_output_file_holds_the_table(cli, tmp_path, args, figure):
    target = tmp_path / "tabell.txt"
    result = cli(*args, "--output", target)
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert result.stdout == ""  # the table went to the file …
    assert "10 004" in text or "24 400" in text  # … with its figures
    assert figure in text  # … the one this command prints
    assert [p.name for p in tmp_path.iterdir()] == ["tabell.txt"]  # and no temporary file is left


@pytest.mark.parametrize("args", [
    ("compare", "data", "-s", "nosuch", "--format", "json"),
    ("roll", "data", "-s", "nosuch", "--format", "csv"),
    ("compare", "data", "-s", "feil"),  # found, but names an unknown item: fails after loading
    ("roll", "data", "-s", "feil", "--format", "markdown"),
])
def test_cli_failed_run_leaves_the_output_file_untouched(cli, data_copy, args):
    write(data_copy, "feil.yaml", f"""
        type: scenario
        id: feil
        etikett: Skrivefeil
        gjelder: {TRONDHEIM}
        operasjoner:
          - {{type: fjern, post: tiltak-99}}
        """)
    out = data_copy.parent / "out"
    out.mkdir()
    target = out / "resultat.txt"
    target.write_text("the previous result\n", encoding="utf-8")
    before = sorted(p.name for p in out.iterdir())
    result = cli(*args, "--output", "out/resultat.txt", cwd=data_copy.parent)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert target.read_text(encoding="utf-8") == "the previous result\n"
    assert sorted(p.name for p in out.iterdir()) == before == ["resultat.txt"]
