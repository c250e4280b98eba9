"""The real tables in data/: each loads, rolls and checks against figures read by hand from its source.

Every expected figure below is a literal typed from the source text (the shared file named in each section),
with the source line quoted in a comment; none is computed from the data files.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from rammecalc.core.checks import check, failed
from rammecalc.core.models import Budget
from rammecalc.core.problems import Code, Severity
from rammecalc.core.roll import RolledTable, roll
from rammecalc.loading import load

from .builders import ints as years_of
from .conftest import DATA

KLEIVE = "molde-2018-kleive-oppvekstsenter"
ASKOY = "askoy-2018-kommunalavdeling-stab"
STAVANGER = "stavanger-2015-barnevern"
TRONDHEIM = "trondheim-2022-psykisk-helse-og-rus"


def D(value: int) -> Decimal:
    return Decimal(value)


def load_budget(path: Path) -> Budget:
    loaded = load([path])
    assert loaded.problems == []
    assert len(loaded.budgets) == 1
    return loaded.budgets[0]


def frame_path(frame_id: str) -> Path:
    return DATA / "frames" / f"{frame_id}.yaml"


def rolled(frame_id: str) -> tuple[Budget, RolledTable]:
    budget = load_budget(frame_path(frame_id))
    assert budget.frame.id == frame_id
    return budget, roll(budget)


@pytest.mark.parametrize("frame_id", [KLEIVE, ASKOY, STAVANGER, TRONDHEIM])
def test_frame_loads_with_its_changes_file(frame_id: str) -> None:
    budget = load_budget(frame_path(frame_id))
    assert len(budget.changesets) == 1
    assert Path(budget.changesets[0].file).name == f"{frame_id}.yaml"
    assert budget.changesets[0].frame == frame_id


# ------------------------------------------------------------------------------------------------------------
# Molde 2018, Kleive oppvekstsenter (shared/tables/02_molde-2018-kleive-oppvekstsenter.txt), incremental.


def test_kleive_new_frames() -> None:
    _, table = rolled(KLEIVE)
    # "Ny driftsramme 11 313 11 661 11 661 11 661 11 661"
    assert dict(table.new_frame) == years_of({2017: 11313, 2018: 11661, 2019: 11661, 2020: 11661, 2021: 11661})


def test_kleive_starts_follow_the_previous_new_frame() -> None:
    _, table = rolled(KLEIVE)
    # "Opprinnelig budsjett 2017 / utgangspunkt 2018–2021 10 536 11 313 11 661 11 661 11 661"
    assert dict(table.start) == years_of({2017: 10536, 2018: 11313, 2019: 11661, 2020: 11661, 2021: 11661})


def test_kleive_subtotals() -> None:
    _, table = rolled(KLEIVE)
    # "Lønns- og prisvekst 140 106"
    assert table.subtotals["lønns-og-prisvekst"][2017] == D(140)
    assert table.subtotals["lønns-og-prisvekst"][2018] == D(106)
    # "Andre rammeendringer 176 -204"
    assert table.subtotals["andre-rammeendringer"][2017] == D(176)
    assert table.subtotals["andre-rammeendringer"][2018] == D(-204)
    # "Internt på fagområdet 461 446"
    assert table.subtotals["internt-på-fagområdet"][2017] == D(461)
    assert table.subtotals["internt-på-fagområdet"][2018] == D(446)
    # No item is printed in the plan years 2019–2021: the subtotal cells are blank.
    for group in ("lønns-og-prisvekst", "andre-rammeendringer", "internt-på-fagområdet"):
        assert [table.subtotals[group][y] for y in (2019, 2020, 2021)] == [None, None, None]


def test_kleive_one_offs_are_reversed_and_tidlig_innsats_2017_is_a_2018_change() -> None:
    _, table = rolled(KLEIVE)
    # "Tildeling funksjonshemmede barn vår 2017 – barnehage 109 -109"
    assert table.row("item", "tildeling-funksjonshemmede-barn-vår-2017").values[2017] == D(109)
    assert table.row("item", "tildeling-funksjonshemmede-barn-vår-2017").values[2018] == D(-109)
    # "Tidlig innsats 1. – 4. trinn 2017 -29": in the Budsjett 2018 column
    row = table.row("item", "tidlig-innsats-1-4-trinn-2017")
    assert row.label == "Tidlig innsats 1. – 4. trinn 2017"
    assert row.values[2017] is None
    assert row.values[2018] == D(-29)


def test_kleive_checks_clean_at_tolerance_zero() -> None:
    budget, _ = rolled(KLEIVE)
    # Every printed start, split (-1 584 + 12 120 = 10 536), subtotal and new frame adds up exactly.
    assert check(budget, tolerance=Decimal(0)) == []


# ------------------------------------------------------------------------------------------------------------
# Askøy 2018, Kommunalavdeling stab (shared/tables/07_askoy-2018-kommunalavdeling-stab.txt), level.


def test_askoy_new_frames() -> None:
    _, table = rolled(ASKOY)
    # "Ny netto ramme   94.594 94.616 93.179 94.100"
    assert dict(table.new_frame) == years_of({2018: 94594, 2019: 94616, 2020: 93179, 2021: 94100})


def test_askoy_every_column_starts_from_the_base() -> None:
    _, table = rolled(ASKOY)
    # "Budsjettramme justert for lønns- og prisvekst 87.863 90.148 90.148 90.148 90.148" (B 2018 to ØP 2021)
    assert dict(table.start) == years_of({2018: 90148, 2019: 90148, 2020: 90148, 2021: 90148})


def test_askoy_levels_are_not_cumulative() -> None:
    _, table = rolled(ASKOY)
    # "Kostnader valgavvikling   -930 0 -930 0"
    assert dict(table.row("item", "kostnader-valgavvikling").values) == years_of(
        {2018: -930, 2019: 0, 2020: -930, 2021: 0})
    # The group "Rullering av siste økonomiplan (med justeringer)" has no printed subtotal; summed by hand
    # from its four rows (valgavvikling, handlefrihet, omstillingssjef, lærlinger):
    # 2018: -930 - 469 + 0 - 100 = -1499;       2019: 0 - 477 - 1000 - 100 = -1577
    # 2020: -930 - 484 - 1000 - 100 = -2514;    2021: 0 - 493 - 1000 - 100 = -1593
    assert dict(table.subtotals["rullering-av-siste-økonomiplan"]) == years_of(
        {2018: -1499, 2019: -1577, 2020: -2514, 2021: -1593})


def askoy_as_printed() -> Budget:
    """Askøy without the frame's record of its known difference: the table exactly as published."""
    budget, _ = rolled(ASKOY)
    assert len(budget.frame.known_differences) == 1
    raw = budget.frame.model_copy(update={"known_differences": ()})
    return Budget(frame=raw, changesets=budget.changesets)


def test_askoy_base_rounding_difference_is_an_error_at_tolerance_zero() -> None:
    budget = askoy_as_printed()
    problems = check(budget, tolerance=Decimal(0))
    # "Budsjettramme justert for lønns- og prisvekst 87.863 90.148 ..." and
    # "Lønns- og prisjustering fra 2017 til 2018 2.284": 87 863 + 2 284 = 90 147 (by hand), printed base 90 148.
    assert len(problems) == 1
    (problem,) = problems
    assert problem.code is Code.SPLIT_MISMATCH
    assert problem.severity is Severity.ERROR
    assert problem.year == 2018
    # The printed split is the figure checked, against the start it should add up to:
    # difference = 90 147 − 90 148 = −1 (the base is rounded on its own: 2 284 / 87 863 = 2,60 %).
    assert problem.published == D(90147)
    assert problem.computed == D(90148)
    assert problem.difference == D(-1)
    assert Path(problem.file).name == f"{ASKOY}.yaml"
    assert failed(problems)


def test_askoy_base_rounding_difference_is_a_warning_at_tolerance_one() -> None:
    budget = askoy_as_printed()
    strict = check(budget, tolerance=Decimal(0))
    problems = check(budget, tolerance=Decimal(1))
    assert len(problems) == 1
    (problem,) = problems
    assert problem.code is Code.SPLIT_MISMATCH
    assert problem.severity is Severity.WARNING
    assert problem.year == 2018
    assert problem.difference == D(-1)
    assert (problem.file, problem.line, problem.col) == (strict[0].file, strict[0].line, strict[0].col)
    assert not failed(problems)


def test_askoy_recorded_difference_is_still_reported_at_tolerance_zero_but_passes() -> None:
    budget, _ = rolled(ASKOY)
    problems = check(budget, tolerance=Decimal(0))
    assert len(problems) == 1
    (problem,) = problems
    assert (problem.code, problem.severity, problem.year, problem.difference) == (
        Code.SPLIT_MISMATCH, Severity.WARNING, 2018, D(-1))
    assert "a known difference" in problem.message and "2,60 %" in problem.message
    assert not failed(problems)


def test_askoy_record_with_another_difference_does_not_hide_the_real_one() -> None:
    budget, _ = rolled(ASKOY)
    record = budget.frame.known_differences[0].model_copy(update={"difference": D(-2)})
    frame = budget.frame.model_copy(update={"known_differences": (record,)})
    problems = check(Budget(frame=frame, changesets=budget.changesets), tolerance=Decimal(0))
    assert [(p.code, p.severity) for p in problems] == [
        (Code.SPLIT_MISMATCH, Severity.ERROR), (Code.KNOWN_DIFFERENCE_UNUSED, Severity.WARNING)]
    assert failed(problems)


# ------------------------------------------------------------------------------------------------------------
# Stavanger 2015, Barnevern (shared/tables/11_stavanger-2015-barnevern.txt), level.


def test_stavanger_new_frames() -> None:
    budget, table = rolled(STAVANGER)
    # "Korrigert netto budsjettrammer 2015-2018201 218201 218201 218201 218"
    assert dict(table.new_frame) == years_of({2015: 201218, 2016: 201218, 2017: 201218, 2018: 201218})
    # "Opprinnelig vedtatt netto driftsramme 2014194 868194 868194 868194 868"
    assert dict(table.start) == years_of({2015: 194868, 2016: 194868, 2017: 194868, 2018: 194868})
    assert budget.frame.new_frame.label == "Korrigert netto budsjettrammer 2015-2018"
    assert [item.reference for item in budget.items] == ["141", "142", "143", "144"]
    assert check(budget, tolerance=Decimal(0)) == []


def test_stavanger_declared_incremental_fails_the_check(tmp_path: Path) -> None:
    for kind in ("frames", "changes"):
        (tmp_path / kind).mkdir()
        shutil.copy(DATA / kind / f"{STAVANGER}.yaml", tmp_path / kind / f"{STAVANGER}.yaml")
    frame_file = tmp_path / "frames" / f"{STAVANGER}.yaml"
    text = frame_file.read_text(encoding="utf-8")
    assert text.count("konvensjon: nivå\n") == 1
    frame_file.write_text(text.replace("konvensjon: nivå\n", "konvensjon: inkrementell\n"), encoding="utf-8")

    budget = load_budget(frame_file)
    table = roll(budget)
    problems = check(budget, tolerance=Decimal(0))
    assert failed(problems)
    # Read as incremental, every year adds the 6 350 of changes again; the shared file's hand-verified
    # reading: "Under the incremental reading the 2016–2018 columns would be 207 568, 213 918, 220 268".
    new_frame = {p.year: p.computed for p in problems if p.code is Code.NEW_FRAME_MISMATCH}
    assert new_frame == years_of({2016: 207568, 2017: 213918, 2018: 220268})
    assert all(p.published == D(201218) for p in problems if p.code is Code.NEW_FRAME_MISMATCH)
    assert dict(table.new_frame) == years_of({2015: 201218, 2016: 207568, 2017: 213918, 2018: 220268})
    # The printed starts (194 868 every year) no longer match either.
    starts = {p.year for p in problems if p.code is Code.START_MISMATCH}
    assert starts == {2016, 2017, 2018}
    assert all(p.severity is Severity.ERROR for p in problems)


# ------------------------------------------------------------------------------------------------------------
# Trondheim 2022, Psykisk helse og rus (shared/seeds/004_83b3089b579a3d9a.txt), level, no base, no totals.


def yearly(table: RolledTable, item_id: str) -> dict[int, Decimal]:
    """An item's rolled row, with blank cells counted as absent (0)."""
    values = table.row("item", item_id).values
    return {year: (value if value is not None else Decimal(0)) for year, value in values.items()}


def test_trondheim_items_as_stated() -> None:
    _, table = rolled(TRONDHEIM)
    # 7a: "bevilge 4,2 millioner kroner i 2023 (halvårsvirkning) ... Fra 2024 ... 8,4 millioner kroner"
    assert table.row("item", "midlertidig-botilbud-kvinner-krisesenterplass").values[2022] is None
    assert yearly(table, "midlertidig-botilbud-kvinner-krisesenterplass") == years_of(
        {2022: 0, 2023: 4200, 2024: 8400, 2025: 8400})
    # 8: "1,7 millioner kroner fra 2023 (halvårsvirkning), økende til 3,4 millioner kroner fra 2024"
    assert yearly(table, "nytt-krisesenter-bemanningsplan") == years_of(
        {2022: 0, 2023: 1700, 2024: 3400, 2025: 3400})
    # 10: "6 millioner kroner i 2023, økende til 8 og 10 millioner kroner fra 2024 og 2025"
    assert yearly(table, "tjenester-rop-lidelser") == years_of({2022: 0, 2023: 6000, 2024: 8000, 2025: 10000})
    # 5: "2,5 millioner kroner i 2022, økende til 3,2 millioner kroner fra 2023"
    assert yearly(table, "fontenehuset") == years_of({2022: 2500, 2023: 3200, 2024: 3200, 2025: 3200})
    # 14: "0,2 millioner kroner i 2022 økende til 0,5 millioner kroner fra 2023" (a reduction)
    assert yearly(table, "innsparing-innkjøp-og-innleie") == years_of(
        {2022: -200, 2023: -500, 2024: -500, 2025: -500})
    # 17: "innsparing på 1,1 millioner kroner som skal overføres som påpluss til 2024"
    assert yearly(table, "generelle-innsparinger-2023-overført-til-2024") == years_of(
        {2022: 0, 2023: -1100, 2024: 1100, 2025: 0})


def test_trondheim_period_amounts_are_unallocated() -> None:
    budget, table = rolled(TRONDHEIM)
    # 9: "en omfordeling på 10 millioner kroner i løpet av perioden"
    # 13: "sette av 2 millioner kroner til formålet"
    unallocated = {u.item_id: u.amount for u in table.unallocated}
    assert unallocated == {"omfordeling-rop-boliger": D(10000), "implementering-rusreform": D(2000)}
    assert [i.reference for i in budget.items if i.id in unallocated] == ["9", "13"]
    for item_id in unallocated:
        assert all(v is None for v in table.row("item", item_id).values.values())
    # 7 b-d: no amount stated.
    (samlokalisering,) = [i for i in budget.items if i.reference == "7 b-d"]
    assert samlokalisering.amounts == {} and samlokalisering.period_amount is None
    assert samlokalisering.note


def test_trondheim_yearly_totals_are_the_sum_of_the_stated_amounts() -> None:
    _, table = rolled(TRONDHEIM)
    assert not table.has_base
    assert dict(table.start) == years_of({2022: 0, 2023: 0, 2024: 0, 2025: 0})
    # Summed by hand from the document text (mill. kr written in 1 000 kr); 9 and 13 (period amounts) and
    # 7 b-d (no amount) are not in any year.
    # 2022: 1 (1800) + 2 (1700) + 3 (400) + 5 (2500) + 6 (0) + 11 (300)                     = 6700
    #       14 (-200) + 16 (-1000) + 17 (-700) + 18 (-600) + 19 (-900)                      = -3400
    #       total 6700 - 3400 = 3300
    # 2023: 1800 + 1700 + 400 + 4 (500) + 3200 + 6 (500) + 7a (4200) + 8 (1700) + 10 (6000)
    #       + 300                                                                           = 20300
    #       14 (-500) + 15 (-1000) + 16 (-1000) + 17 (-1100) + 18 (-600) + 19 (-900)        = -5100
    #       total 20300 - 5100 = 15200
    # 2024: 1800 + 1700 + 400 + 500 + 3200 + 500 + 8400 + 3400 + 10 (8000) + 300
    #       + 17 (+1100 moved from 2023)                                                    = 29300
    #       12 (-2000) + 14 (-500) + 15 (-1000) + 16 (-1000) + 17 (-900) + 18 (-600)
    #       + 19 (-900)                                                                     = -6900
    #       total 29300 - 6900 = 22400
    # 2025: 1800 + 1700 + 400 + 500 + 3200 + 500 + 8400 + 3400 + 10 (10000) + 300           = 30200
    #       12 (-2000) + 14 (-500) + 15 (-1000) + 16 (-1000) + 17 (-600) + 18 (-600)
    #       + 19 (-900)                                                                     = -6600
    #       total 30200 - 6600 = 23600
    assert dict(table.new_frame) == years_of({2022: 3300, 2023: 15200, 2024: 22400, 2025: 23600})


def test_trondheim_check_only_warns_about_the_unallocated_amounts() -> None:
    budget, _ = rolled(TRONDHEIM)
    problems = check(budget, tolerance=Decimal(0))
    assert [p.code for p in problems] == [Code.UNALLOCATED, Code.UNALLOCATED]
    assert all(p.severity is Severity.WARNING for p in problems)
    assert not failed(problems)
    # Nothing published: no start, no group subtotal, no new frame.
    assert budget.frame.start.amount is None
    assert budget.frame.start.published == {}
    assert budget.frame.new_frame.published == {}
    assert all(group.published == {} for group in budget.frame.groups)


def test_trondheim_groups_and_references_in_document_order() -> None:
    budget, _ = rolled(TRONDHEIM)
    by_group: dict[str, list[str]] = {}
    for item in budget.items:
        by_group.setdefault(item.group, []).append(item.reference)
    assert by_group == {
        "opprettholdelse-av-standard": ["1", "2", "3", "4", "5", "6"],
        "endringer-i-tjenestetilbudet": ["7a", "8", "9", "10", "11", "12", "13"],
        "effektiviseringstiltak": ["7 b-d", "14", "15", "16", "17", "17", "17", "17", "18", "19"],
    }
