"""Waterfall charts: SVG (golden files for one frame and one comparison, checked for the figures they print),
PNG, and the terminal. The figures asserted are the sources' own (Molde 2017: 9 864 → +26 → +2 109 →
11 999; Trondheim's measure 12 a year later: 22 400 → +2 000 → 24 400 in 2024, as the README's compare)."""

from __future__ import annotations

import os
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import SEED000_FRAME

SVG = "{http://www.w3.org/2000/svg}"
GOLDEN = Path(__file__).parent / "golden"
HUSTADVIKA = "data/frames/hustadvika-2024-kommunalteknikk.yaml"


def panels(svg_text: str) -> list[ET.Element]:
    root = ET.fromstring(svg_text)
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "bridge"]


def texts(panel: ET.Element, kind: str) -> list[str]:
    """The texts of one class in a panel: 'figure' (above or under each bar) or 'label' (under the axis)."""
    return ["".join(t.itertext()) if kind == "figure" else " ".join(s.text for s in t)
            for t in panel.iter(f"{SVG}text") if t.get("class") == kind]


def bars(panel: ET.Element) -> list[ET.Element]:
    return [r for r in panel.iter(f"{SVG}rect") if r.get("class") in ("sum", "økning", "reduksjon")]


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("RAMMECALC_REGENERATE"):
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"{name} written anew: look at it before committing")
    assert text == path.read_text(encoding="utf-8")


def test_the_frame_chart_draws_the_bridge_of_the_published_figures(cli, tmp_path):
    target = tmp_path / "bro.svg"
    result = cli("chart", SEED000_FRAME, "-o", target)
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    found = panels(text)
    assert len(found) == 5  # a bridge per column, 2016–2020
    budget_2017 = found[1]
    assert texts(budget_2017, "figure") == ["9 864", "+26", "+2 109", "11 999"]
    assert texts(budget_2017, "label") == ["Opprinnelig budsjett 2016 / utgangspunkt 2017–2020", "Lønns- og prisvekst",
                                           "Andre rammeendringer", "Ny driftsramme"]
    desc = ET.fromstring(text).find(f"{SVG}desc").text
    assert "Budsjett 2017 · Beløp i 1 000 kr: 9 864 → +26 (Lønns- og prisvekst) → +2 109 (Andre rammeendringer) " \
           "→ 11 999" in desc
    # one scale: each bar's height is its figure's share of the axis
    heights = [float(r.get("height")) for r in bars(budget_2017)]
    assert heights[2] / heights[3] == pytest.approx(2109 / 11999, rel=0.01)
    assert heights[0] / heights[3] == pytest.approx(9864 / 11999, rel=0.01)
    # the change bars float: +2 109 starts where 9 864 + 26 ends
    tops = [float(r.get("y")) for r in bars(budget_2017)]
    assert tops[2] == pytest.approx(tops[3], abs=0.2)  # it ends at 11 999, the new frame's top


def test_golden_svg_of_one_frame(cli):
    result = cli("chart", SEED000_FRAME, "--year", "2017", "-f", "svg")
    assert result.exit_code == 0
    assert texts(panels(result.stdout)[0], "figure") == ["9 864", "+26", "+2 109", "11 999"]
    golden("chart-molde-2017-ressurstjenesten-2017.svg", result.stdout)


def test_golden_svg_of_a_comparison(cli):
    result = cli("chart", "data", "-s", "tiltak-12-utsatt", "-f", "svg")
    assert result.exit_code == 0, result.output
    found = panels(result.stdout)
    assert len(found) == 1  # the variant differs in 2024 only
    assert texts(found[0], "figure") == ["22 400", "+2 000", "24 400"]
    assert texts(found[0], "label")[1] == "Fra base- til ambulerende tjenester"
    golden("chart-compare-tiltak-12-utsatt.svg", result.stdout)
    same = cli("compare", "data", "-s", "tiltak-12-utsatt", "-f", "svg")  # compare draws it the same way
    assert same.exit_code == 0 and same.stdout == result.stdout


def test_bars_are_told_apart_in_black_and_white(cli):
    # Hustadvika's Kommunalteknikk, 2024: a negative frame, −7 180 → −309 (Deflator) → +1 683 (Tiltak) → −5 806
    result = cli("chart", HUSTADVIKA, "--year", "2024", "-f", "svg")
    panel = panels(result.stdout)[0]
    assert texts(panel, "figure") == ["−7 180", "−309", "+1 683", "−5 806"]
    kinds = [(r.get("class"), r.get("fill")) for r in bars(panel)]
    assert [k for k, _ in kinds] == ["sum", "reduksjon", "økning", "sum"]
    fills = {k: f for k, f in kinds}
    assert fills["reduksjon"].startswith("url(#") and fills["sum"] != fills["økning"]  # a pattern, not a hue
    assert "−10 000" in [t.text for t in panel.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    # a total below zero has its figure under its bar, clear of the legend above the plot
    figure = next(t for t in panel.iter(f"{SVG}text") if t.get("class") == "figure")
    first = bars(panel)[0]
    assert float(figure.get("y")) > float(first.get("y")) + float(first.get("height"))


def test_a_bar_per_item_on_request(cli):
    result = cli("chart", SEED000_FRAME, "--year", "2017", "--items", "-f", "svg")
    # the 2017 column of Molde's table, item by item, as printed
    assert texts(panels(result.stdout)[0], "figure") == ["9 864", "+99", "+8", "+46", "−127", "−86", "+200", "+754",
                                                         "+1 241", "11 999"]


def test_png_is_the_svg_rasterised(cli, tmp_path):
    pytest.importorskip("resvg_py")
    target = tmp_path / "bro.png"
    result = cli("chart", SEED000_FRAME, "--year", "2017", "-o", target)
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1600, 840)  # 800 × 420, drawn at twice the size
    assert len(data) > 20_000  # not an empty canvas


def test_png_needs_a_file(cli):
    result = cli("chart", SEED000_FRAME, "-f", "png")
    assert result.exit_code == 2 and "--format png writes a file" in result.stderr


def test_the_terminal_chart(cli):
    result = cli("chart", SEED000_FRAME, "--year", "2017")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Molde kommune · Ressurstjenesten" and lines[1] == "Budsjett 2017 · Beløp i 1 000 kr"
    row = next(line for line in lines if line.startswith("Andre rammeendringer"))
    assert row.rstrip().endswith("+2 109") and "▓" in row
    assert next(line for line in lines if line.startswith("Ny driftsramme")).rstrip().endswith("11 999")
    assert lines[-1].startswith("█ sum")


@pytest.mark.parametrize("args, words", [
    (("--year", "1999"), "1999 is not a column of the frames read"),
    (("-o", "bro.pdf"), "'.pdf' is not a format 'rammecalc chart' writes"),
])
def test_chart_refuses_what_it_cannot_draw(cli, tmp_path, args, words):
    result = cli("chart", SEED000_FRAME, *args, cwd=tmp_path)
    assert result.exit_code == 2 and words in result.stderr
    assert list(tmp_path.iterdir()) == []
