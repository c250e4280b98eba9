"""How the tables that state their figures print: the statutory form (table 17), a bridge table and an
accounts table printed with its years across (seed 001), at a fixed width with colour off.

Each golden file was produced by the renderer and reviewed by hand against its source; the figures asserted
separately below are typed from the sources (shared/tables/17_…, the synthetic bridge's own header, and
shared/seeds/001_…), not taken from our output. Regenerate with RAMMECALC_REGENERATE=1 and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from rich.console import Console

from rammecalc import load
from rammecalc.render import stated_table_rich

from .conftest import DATA

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "giske-2022-bevilgningsoversikt-drift": 120,
    "eksempel-2025-rammebro": 100,
    "molde-2018-ressurstjenesten": 100,
    "hustadvika-2024-sum-to-rammeomrader": 100,
}


def render(name: str, width: int) -> str:
    path = DATA / "tables" / f"{name}.yaml"
    loaded = load([path])
    assert [p for p in loaded.problems if p.code.is_input] == []
    (table,) = loaded.tables
    with open(os.devnull, "w") as sink:
        console = Console(width=width, color_system=None, record=True, file=sink)
        console.print(stated_table_rich(table, loaded.references.get(table.file)))
        return console.export_text()


@pytest.mark.parametrize("name", CASES)
def test_each_table_matches_its_golden_file(name):
    text = render(name, CASES[name])
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("RAMMECALC_REGENERATE"):
        golden.write_text(text, encoding="utf-8")
        pytest.skip("golden file written anew: compare it with the source by hand before committing")
    assert text == golden.read_text(encoding="utf-8")


def figures(text: str, label: str) -> list[str]:
    """The figures (with any mark) on the first line whose label (after the row number) starts with ``label``."""
    for line in text.splitlines():
        body = re.sub(r"^\s*\d*\s+", "", line)
        if body.startswith(label):
            return re.findall(r"[−-]?\d{1,3}(?: \d{3})*(?:,\d+)?(?: %)?!?", body[len(label):])
    raise AssertionError(f"no row {label!r} in\n{text}")


def test_the_statutory_form_prints_as_published():
    text = render("giske-2022-bevilgningsoversikt-drift", 120)
    # "9 Brutto driftsresultat 57 080 31 339 24 179 40 586": row 9 in place, between rows 8 and 10, with the
    # two cells that differ by one from 5 − 8 marked
    assert figures(text, "Brutto driftsresultat") == ["57 080", "31 339!", "24 179", "40 586!"]
    lines = [ln.strip() for ln in text.splitlines()]
    body = lines[:lines.index("Løyvingsoversikt - Drift 2022 · § 5-4 første ledd (bevilgningsoversikt drift)")]
    numbered = [ln.split()[0] for ln in body if re.match(r"^\d+ ", ln)]
    assert numbered == [str(n) for n in range(1, 26)]
    # under the table, each marked figure with what its relation gives: 597 384 − 566 046 = 31 338
    assert "9 Brutto driftsresultat, Reg. budsjett 2022: trykt 31 339, beregnet 31 338" in lines
    # "12 Gevinster og tap på finansielle omløpsmidler - 3 901 - 3 000 6 000 11 771": minus and a space read
    assert figures(text, "Gevinster og tap") == ["−3 901", "−3 000", "6 000", "11 771"]
    # the heading of the disposal block, printed between rows 17 and 18
    heading = lines.index("Disponering eller dekning av netto driftsresultat")
    assert lines[heading - 1].startswith("17 ") and lines[heading + 1].startswith("18 ")
    # "22 Bruk av disposisjonsfond - 1 097 - 1 097 - -": a dash is a printed zero
    assert figures(text, "Bruk av disposisjonsfond") == ["−1 097", "−1 097", "0", "0"]


def test_the_bridge_prints_both_ways():
    text = render("eksempel-2025-rammebro", 100)
    # the synthetic bridge's own figures: "Oppvekst 512,4 21,5 -3,2 4,0 2,5 537,2", the sum row's two
    # recorded roundings marked
    assert figures(text, "Oppvekst") == ["512,4", "21,5", "−3,2", "4,0", "2,5", "537,2"]
    assert figures(text, "Sum") == ["1 296,6", "54,5!", "1,9", "−3,5", "13,3", "1 362,7!"]


def test_an_accounts_table_prints_its_years_across_with_each_result_named():
    text = render("molde-2018-ressurstjenesten", 100)
    # seed 001: "Regnskap 9 159 8 722 36 231 51 092", "Avvik 100 1 142 -1 111 -3 842", "-8,1 % Resultat",
    # "merforbruk på 3 842 308 kroner i 2018"
    assert figures(text, "Regnskap") == ["9 159", "8 722", "36 231", "51 092"]
    assert figures(text, "Avvik") == ["100", "1 142", "−1 111", "−3 842"]
    assert figures(text, "Resultat") == ["−8,1 %"]
    assert "merforbruk 3 842" in text and "mindreforbruk 100" in text


def test_a_summary_takes_its_rows_from_the_units_frames():
    text = render("hustadvika-2024-sum-to-rammeomrader", 100)
    # the frames' printed "Ny Ramme -5 806 -5 821 -5 844 -5 878" (table 21) and "125 728 122 922 122 432
    # 121 710" (table 24), taken from their files, and the synthetic total added by hand
    assert figures(text, "Kommunalteknikk") == ["−5 806", "−5 821", "−5 844", "−5 878"]
    assert figures(text, "Bo og habilitering") == ["125 728", "122 922", "122 432", "121 710"]
    assert figures(text, "Sum") == ["119 922", "117 101", "116 588", "115 832"]
    assert "[" not in text  # taken from the frames, which print them: nothing computed here
