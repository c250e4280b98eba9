"""The rendered seed 000 table, as an economist sees it (fixed width, colour off).

The golden file was produced by the renderer and reviewed by hand against the seed's table; the figures
asserted separately below are typed from the seed itself (shared/seeds/000_744496769578b881.txt), not
taken from our output. Regenerate the golden file only with RAMMECALC_REGENERATE=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rich.console import Console

from rammecalc import load, roll
from rammecalc.render import rich_table

from .conftest import SEED000_FRAME

GOLDEN = Path(__file__).parent / "golden" / "molde-2017-ressurstjenesten.txt"


def render(width: int = 100) -> str:
    loaded = load([SEED000_FRAME])
    assert loaded.problems == []
    with open(os.devnull, "w") as sink:
        console = Console(width=width, color_system=None, record=True, file=sink)
        console.print(rich_table(roll(loaded.budgets[0])))
        return console.export_text()


def test_seed000_table_matches_golden_file():
    text = render()
    if os.environ.get("RAMMECALC_REGENERATE"):
        GOLDEN.write_text(text, encoding="utf-8")
        pytest.skip("golden file written anew: compare it with the seed by hand before committing")
    assert text == GOLDEN.read_text(encoding="utf-8")


def _row(text: str, label: str) -> list[str]:
    """The figures on the first rendered line that starts with ``label`` (after indentation)."""
    import re

    for line in text.splitlines():
        if line.strip().startswith(label):
            rest = line.strip()[len(label):]
            return re.findall(r"[−-]?\d{1,3}(?: \d{3})*", rest)
    raise AssertionError(f"no row {label!r} in\n{text}")


def test_seed000_rows_show_the_seeds_printed_figures():
    text = render()
    # Seed 000: "Ny driftsramme 9 864 11 999 11 999 11 999 11 999"
    assert _row(text, "Ny driftsramme") == ["9 864", "11 999", "11 999", "11 999", "11 999"]
    # "Opprinnelig budsjett 2016 / utgangspunkt 2017–2020 9 681 9 864 11 999 11 999 11 999"
    assert _row(text, "Opprinnelig budsjett 2016 / utgangspunkt") == [
        "9 681", "9 864", "11 999", "11 999", "11 999"]
    # "Driftsinntekter -6 452" printed with the true minus sign
    assert _row(text, "Driftsinntekter") == ["−6 452"]
    # "Lønns- og prisvekst 183 26", "Andre rammeendringer 2 109"
    assert _row(text, "Lønns- og prisvekst") == ["183", "26"]
    assert _row(text, "Andre rammeendringer") == ["2 109"]
    # "Egenfinansiering av lønnsoppgjør 2017 – 2,2 pst. ... -127"
    assert "−127" in text and "-127" not in text
    # Column labels as printed: "Revidert 2016 Budsjett 2017 Økonomiplan 2018 2019 2020"
    assert "Revidert" in text and "Budsjett" in text and "Økonomiplan" in text


def test_long_labels_wrap_inside_their_column_at_80_columns():
    text = render(width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert _row(text, "Ny driftsramme") == ["9 864", "11 999", "11 999", "11 999", "11 999"]
