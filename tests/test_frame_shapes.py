"""Shapes of frame tables that real sources print: a row outside every group, a subtotal printed below its
items, income and expense blocks with their own start, blanks that mean zero, text columns and the source's
numbers, a price level, a printed −0, ids derived from labels, the table's own labels in messages, and the
marks of computed and differing figures.

Figures asserted against a real table are typed from the table itself (shared/tables/21_… and 24_…, the
Hustadvika 2024 budget), never taken from our output. The blocks example (tests/fixtures/blocks/) is
synthetic and says so in its header. Golden files (tests/golden/frame-shapes-*.txt) hold how each shape
prints; regenerate them only with RAMMECALC_REGENERATE=1 and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from rammecalc import check, load, roll
from rammecalc.core.explain import explain
from rammecalc.core.problems import Code, Severity
from rammecalc.core.roll import convert
from rammecalc.core.terms import Convention
from rammecalc.render import rich_table, table_data

from .conftest import DATA

D = Decimal
GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"
T21 = DATA / "frames" / "hustadvika-2024-kommunalteknikk.yaml"
T24 = DATA / "frames" / "hustadvika-2024-bo-og-habilitering.yaml"
BLOCKS = FIXTURES / "blocks" / "frames" / "syntetisk-blokker.yaml"
YEARS = (2024, 2025, 2026, 2027)


def loaded_one(path: Path):
    loaded = load([path])
    assert loaded.problems == [], loaded.problems
    (budget,) = loaded.budgets
    return budget


def rendered(table, width: int = 100) -> str:
    """The rich table as an economist sees it: fixed width, colour off (as tests/test_golden.py)."""
    with open(os.devnull, "w") as sink:
        console = Console(width=width, color_system=None, record=True, file=sink)
        console.print(rich_table(table))
        return console.export_text()


def golden(name: str, text: str) -> None:
    path = GOLDEN / f"frame-shapes-{name}.txt"
    if os.environ.get("RAMMECALC_REGENERATE"):
        path.write_text(text, encoding="utf-8")
        pytest.skip("golden file written anew: compare it with the source by hand before committing")
    assert text == path.read_text(encoding="utf-8")


def row_figures(text: str, label: str) -> list[str]:
    """The figures on the first rendered line whose label (after indentation) is ``label``, marks and all."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(label):
            return re.split(r"\s{2,}", stripped[len(label):].strip()) if stripped[len(label):].strip() else []
    raise AssertionError(f"no row {label!r} in\n{text}")


def write_frame(folder: Path, frame: str, changes: str, name: str = "f") -> Path:
    """A frame file and its changes file (``endringer: [c.yaml]``) in ``folder``."""
    (folder / "c.yaml").write_text(changes, encoding="utf-8")
    path = folder / f"{name}.yaml"
    path.write_text(frame, encoding="utf-8")
    return path


def frame_text(body: str, *, years=(2024, 2025), convention: str = "inkrementell", head: str = "") -> str:
    columns = "".join(f"  {y}: '{y}'\n" for y in years)
    return (f"type: ramme\nid: f\nkommune: K\nenhet: E\nkilde: {{dokument: D}}\nbeløpsenhet: 1 000 kr\n{head}"
            f"konvensjon: {convention}\nkolonner:\n{columns}{body}endringer: [c.yaml]\n")


def changes_text(items: str) -> str:
    return f"type: endringer\nramme: f\nkilde: {{dokument: D}}\nposter:\n{items}"


# ------------------------------------------------------------------ 1. a row outside every group (table 21)


def test_table_21_rolls_to_its_printed_figures_with_the_deflator_outside_sum_tiltak():
    budget = loaded_one(T21)
    table = roll(budget)
    # "Ny Ramme -5 806 -5 821 -5 844 -5 878"; "Inngående budsjett -7 180 -5 806 -5 821 -5 844"
    assert table.new_frame == {2024: D(-5806), 2025: D(-5821), 2026: D(-5844), 2027: D(-5878)}
    assert table.start == {2024: D(-7180), 2025: D(-5806), 2026: D(-5821), 2027: D(-5844)}
    # "Sum tiltak 1 683 -15 -23 -34": -584 + 2 267 + 0, without the Deflator row's -309
    assert table.subtotals["tiltak"] == {2024: D(1683), 2025: D(-15), 2026: D(-23), 2027: D(-34)}
    deflator = table.row("item", "deflator")
    assert deflator.group is None and deflator.depth == 0 and deflator.values[2024] == D(-309)
    assert check(budget) == []  # exactly: no tolerance, no known difference


def test_a_row_outside_every_group_is_printed_after_the_start_before_the_first_heading():
    table = roll(loaded_one(T21))
    assert [(r.kind, r.label) for r in table.rows] == [
        ("start", "Inngående budsjett"), ("item", "Deflator"), ("group", "Tiltak:"),
        ("item", "Omfordeling kostnader IKT"), ("item", "Oppmåling fra Plan og byggesak"),
        ("item", "Prosentvis trekk"), ("subtotal", "Sum tiltak"), ("new_frame", "Ny Ramme")]


def test_explain_says_an_item_outside_every_group_is_so():
    budget = loaded_one(T21)
    explanation = explain(budget, roll(budget, trace=True), "deflator", 2024)
    assert "item deflator outside every group, frame hustadvika-2024-kommunalteknikk" in explanation.about
    assert "its id is derived from its label (the file gives none)" in explanation.about
    amount = next(step for _, steps in explanation.years for step in steps if step.label == "amount")
    assert amount.text == "−309"


def test_explain_of_the_new_frame_lists_the_row_outside_every_group():
    budget = loaded_one(T21)
    explanation = explain(budget, roll(budget, trace=True), "ny_driftsramme", 2024)
    assert explanation.title == "Ny Ramme"
    lines = {step.label: step.text for _, steps in explanation.years for step in steps}
    # -7 180 + (-309) + 1 683 = -5 806
    assert lines["Deflator"] == "−309" and lines["Sum tiltak"] == "1 683" and lines["new frame"] == "−5 806"


# ---------------------------------------------------------------- 2. a subtotal printed below its items


def test_the_heading_has_no_figures_and_the_sum_row_comes_after_the_subgroups(tmp_path):
    frame = frame_text("utgangspunkt: {etikett: Start, beløp: 100}\ngrupper:\n"
                       "  - {id: a, etikett: 'Tiltak:', sum_etikett: Sum tiltak, publisert: {2024: 7}}\n"
                       "  - {id: b, etikett: Under, under: a}\n")
    path = write_frame(tmp_path, frame, changes_text("  - {etikett: X, gruppe: a, beløp: {2024: 2}}\n"
                                                     "  - {etikett: Y, gruppe: b, beløp: {2024: 5}}\n"))
    table = roll(loaded_one(path))
    assert [(r.kind, r.label, r.depth) for r in table.rows] == [
        ("start", "Start", 0), ("group", "Tiltak:", 0), ("item", "X", 1), ("group", "Under", 1), ("item", "Y", 2),
        ("subtotal", "Sum tiltak", 0), ("new_frame", "Ny driftsramme", 0)]
    heading = table.rows[1]
    assert set(heading.values.values()) == {None} and heading.published == {}
    assert table.rows[5].values[2024] == D(7) and table.rows[5].published == {2024: D(7)}


def test_a_misprinted_sum_row_is_named_by_its_label_at_its_cell(cli, data_copy):
    frame = data_copy / "frames" / "hustadvika-2024-kommunalteknikk.yaml"
    text = frame.read_text(encoding="utf-8")
    frame.write_text(text.replace("publisert: {2024: 1683, 2025: -15,", "publisert: {2024: 1683, 2025: -16,"),
                     encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "publisert: {2024: 1683" in ln)
    col = text.splitlines()[line - 1].index("-15") + 1
    result = cli("check", "data/frames/hustadvika-2024-kommunalteknikk.yaml", cwd=data_copy.parent)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"data/frames/hustadvika-2024-kommunalteknikk.yaml:{line}:{col}: error: Sum tiltak 2025: published −16, "
        "computed −15 (difference −1)")


# ------------------------------------------------------------------------------ 3. blocks with a start


def test_the_synthetic_blocks_check_exactly_and_roll_to_their_figures():
    budget = loaded_one(BLOCKS)
    assert check(budget) == []
    table = roll(budget)
    # By hand (the fixture's header): Sum utgifter 51 700, 52 350, 52 150; Sum inntekter -12 400, -11 400,
    # -11 400; their sum the new frame.
    assert table.subtotals["utgifter"] == {2024: D(51700), 2025: D(52350), 2026: D(52150)}
    assert table.subtotals["inntekter"] == {2024: D(-12400), 2025: D(-11400), 2026: D(-11400)}
    assert table.new_frame == {2024: D(39300), 2025: D(40950), 2026: D(40750)}
    assert table.block_starts["utgifter"] == {2024: D(50000), 2025: D(51700), 2026: D(52350)}
    # The frame's start is the blocks' (50 000 - 12 000), and new frame = start + all changes
    assert table.start == {2024: D(38000), 2025: D(39300), 2026: D(40950)}
    for year in (2024, 2025, 2026):
        changes = sum((a.get(year, D(0)) for a in table.amounts.values()), D(0))
        assert table.new_frame[year] == table.start[year] + changes
    assert [(r.kind, r.label) for r in table.rows] == [
        ("group", "Utgifter:"), ("group_start", "Opprinnelig budsjett"), ("item", "Lønns- og prisvekst"),
        ("item", "Ny stilling"), ("item", "Innsparing"), ("subtotal", "Sum utgifter"),
        ("group", "Inntekter:"), ("group_start", "Opprinnelig budsjett"), ("item", "Økte foreldrebetalinger"),
        ("item", "Tilskudd faller bort"), ("subtotal", "Sum inntekter"), ("new_frame", "Netto driftsramme")]


def _blocks_copy(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "blocks", tmp_path / "blocks")
    return tmp_path / "blocks" / "frames" / "syntetisk-blokker.yaml"


def test_a_misprinted_block_start_and_block_sum_are_each_reported_once_by_name(tmp_path):
    frame = _blocks_copy(tmp_path)
    text = frame.read_text(encoding="utf-8")
    text = text.replace("publisert: {2024: 50000, 2025: 51700, 2026: 52350}",
                        "publisert: {2024: 50000, 2025: 51710, 2026: 52350}")
    text = text.replace("publisert: {2024: -12400, 2025: -11400, 2026: -11400}",
                        "publisert: {2024: -12400, 2025: -11400, 2026: -11300}")
    frame.write_text(text, encoding="utf-8")
    problems = check(loaded_one(frame))
    assert [(p.code, p.message) for p in problems] == [
        (Code.START_MISMATCH, ("Opprinnelig budsjett (Utgifter) 2025: published 51 710, computed 51 700 "
                               "(difference +10)")),
        (Code.SUBTOTAL_MISMATCH, "Sum inntekter 2026: published −11 300, computed −11 400 (difference +100)")]
    lines = text.splitlines()
    assert problems[0].line == next(i for i, ln in enumerate(lines, 1) if "51710" in ln)
    assert problems[1].line == next(i for i, ln in enumerate(lines, 1) if "-11300" in ln)


def test_blocks_in_the_level_convention(tmp_path):
    # The synthetic table read as levels: each block's start is its base in every column, an item its level.
    body = ("grupper:\n"
            "  - id: u\n    etikett: 'Utgifter:'\n    sum_etikett: Sum utgifter\n"
            "    utgangspunkt: {etikett: Budsjett, beløp: 50000, publisert: {2024: 50000, 2025: 50000}}\n"
            "    publisert: {2024: 51700, 2025: 52350}\n"
            "  - id: i\n    etikett: 'Inntekter:'\n    sum_etikett: Sum inntekter\n"
            "    utgangspunkt: {etikett: Budsjett, beløp: -12000, publisert: {2024: -12000, 2025: -12000}}\n"
            "    publisert: {2024: -12400, 2025: -11400}\n"
            "ny_driftsramme: {etikett: Netto, publisert: {2024: 39300, 2025: 40950}}\n")
    items = ("  - {etikett: Lønn, gruppe: u, beløp: {2024: 2000, 2025: 2000}}\n"
             "  - {etikett: Stilling, gruppe: u, beløp: {2025: 650}}\n"
             "  - {etikett: Kutt, gruppe: u, beløp: {2024: -300, 2025: -300}}\n"
             "  - {etikett: Betaling, gruppe: i, beløp: {2024: -400, 2025: -400}}\n"
             "  - {etikett: Tilskudd, gruppe: i, beløp: {2025: 1000}}\n")
    budget = loaded_one(write_frame(tmp_path, frame_text(body, convention="nivå"), changes_text(items)))
    assert check(budget) == []
    table = roll(budget)
    assert table.start == {2024: D(38000), 2025: D(38000)}
    assert table.block_starts["u"] == {2024: D(50000), 2025: D(50000)}
    assert table.new_frame == {2024: D(39300), 2025: D(40950)}
    # Declared the other way, the block starts fail where they are printed
    wrong = write_frame(tmp_path, frame_text(body, convention="inkrementell"), changes_text(items), name="g")
    codes = {(p.code, p.year) for p in check(loaded_one(wrong))}
    assert (Code.START_MISMATCH, 2025) in codes and (Code.NEW_FRAME_MISMATCH, 2025) in codes


def test_blocks_convert_to_the_other_convention_with_the_same_new_frames():
    budget = loaded_one(BLOCKS)
    levels = roll(convert(budget, Convention.LEVEL))
    assert levels.new_frame == roll(budget).new_frame
    assert levels.block_starts["utgifter"] == {2024: D(50000), 2025: D(50000), 2026: D(50000)}


def test_a_frame_of_blocks_may_print_a_start_row_which_is_checked_against_their_sum(tmp_path):
    body = ("utgangspunkt: {etikett: Netto budsjett, publisert: {2024: 30, 2025: 31}}\ngrupper:\n"
            "  - {id: u, etikett: U, utgangspunkt: {etikett: B, beløp: 40}}\n"
            "  - {id: i, etikett: I, utgangspunkt: {etikett: B, beløp: -10}}\n")
    budget = loaded_one(write_frame(tmp_path, frame_text(body), changes_text(
        "  - {etikett: X, gruppe: u, beløp: {2024: 2}}\n")))
    # 40 - 10 = 30 in 2024; 30 + 2 = 32 in 2025, not the 31 printed
    assert [p.message for p in check(budget)] == ["Netto budsjett 2025: published 31, computed 32 (difference −1)"]
    assert roll(budget).rows[0].kind == "start"


def test_a_known_difference_can_name_a_blocks_start(tmp_path):
    body = ("grupper:\n  - {id: u, etikett: U, utgangspunkt: {etikett: B, beløp: 40, publisert: {2024: 41}}}\n"
            "kjente_differanser:\n"
            "  - {figur: utgangspunkt, gruppe: u, år: 2024, differanse: 1, forklaring: rounded on its own}\n")
    budget = loaded_one(write_frame(tmp_path, frame_text(body), changes_text(
        "  - {etikett: X, gruppe: u, beløp: {2024: 2}}\n")))
    (problem,) = check(budget)
    assert problem.severity is Severity.WARNING and "a known difference" in problem.message
    assert problem.message.startswith("B (U) 2024: published 41, computed 40 (difference +1)")


@pytest.mark.parametrize("body, message", [
    ("utgangspunkt: {etikett: S, beløp: 30}\ngrupper:\n  - {id: u, etikett: U, utgangspunkt: {etikett: B, beløp: 40}}\n",
     "the frame's start is the sum of its blocks' starts (the first under group 'u'), so it cannot also be given here"),
    ("grupper:\n  - {id: u, etikett: U}\n  - {id: v, etikett: V, under: u, utgangspunkt: {etikett: B, beløp: 40}}\n",
     "group 'v' has its own start (a block), but it is placed under 'u'"),
], ids=["start-typed-twice", "block-not-top-level"])
def test_blocks_refuse_a_start_typed_twice_and_a_nested_block(cli, tmp_path, body, message):
    write_frame(tmp_path, frame_text(body), changes_text("  - {etikett: X, gruppe: u, beløp: {2024: 2}}\n"))
    result = cli("check", "f.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert f"error: {message}" in result.stderr


def test_a_frame_with_neither_a_start_nor_blocks_still_misses_its_start(cli, tmp_path):
    write_frame(tmp_path, frame_text("grupper:\n  - {id: u, etikett: U}\n"),
                changes_text("  - {etikett: X, gruppe: u, beløp: {2024: 2}}\n"))
    result = cli("check", "f.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert "f.yaml:1:1: error: missing key 'utgangspunkt' in the document" in result.stderr


# ---------------------------------------------------------------------------- 4. blanks that mean zero


BLANKS = ("utgangspunkt: {etikett: Start, beløp: 100, publisert: {2024: 100}}\n"
          "grupper:\n  - {id: g, etikett: Endringer, publisert: {2024: 5}}\n"
          "ny_driftsramme: {etikett: Ny ramme, publisert: {2024: 105, 2025: 112}}\n")
BLANK_ITEMS = changes_text("  - {etikett: X, gruppe: g, beløp: {2024: 5, 2025: 7}}\n")


def test_blanks_are_only_blanks_without_the_declaration(tmp_path):
    budget = loaded_one(write_frame(tmp_path, frame_text(BLANKS), BLANK_ITEMS))
    assert check(budget) == []


def test_with_blank_er_null_a_blank_cell_of_a_printed_row_is_a_printed_zero(tmp_path):
    path = write_frame(tmp_path, frame_text(BLANKS, head="blank_er_null: true\n"), BLANK_ITEMS)
    budget = loaded_one(path)
    problems = check(budget)
    # The start row prints 100 and a blank for 2025: read as 0, against the start 105; the group prints 5
    # and a blank: 0 against 7. The new frame prints both years: nothing blank.
    assert [(p.code, p.year, p.published, p.computed) for p in problems] == [
        (Code.START_MISMATCH, 2025, D(0), D(105)), (Code.SUBTOTAL_MISMATCH, 2025, D(0), D(7))]
    assert problems[0].message == ("Start 2025: published 0 (a blank cell, read as 0: 'blank_er_null'), "
                                   "computed 105 (difference −105)")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert problems[1].line == next(i for i, ln in enumerate(lines, 1) if "publisert: {2024: 5}" in ln)
    from rammecalc.core.checks import published_figures
    assert published_figures(budget) == 6  # 2 starts, 2 subtotals, 2 new frames


def test_blank_er_null_leaves_a_row_that_prints_nothing_unchecked(tmp_path):
    body = ("utgangspunkt: {etikett: Start, beløp: 100}\ngrupper:\n  - {id: g, etikett: Endringer}\n"
            "ny_driftsramme: {publisert: {2025: 112}}\n")
    budget = loaded_one(write_frame(tmp_path, frame_text(body, head="blank_er_null: true\n"), BLANK_ITEMS))
    assert [(p.year, p.published, p.computed) for p in check(budget)] == [(2024, D(0), D(105))]


# -------------------------------------------------------------- 5. and 6. text columns, numbers, price level


TEXTS = frame_text("utgangspunkt: {etikett: Start, beløp: 100}\ngrupper:\n  - {id: g, etikett: Tiltak}\n",
                   head="prisnivå: 2018-kroner\ntekstkolonner: {vedtakstype: Vedtakstype}\n")
TEXT_ITEMS = changes_text(
    "  - {etikett: Ny stilling, referanse: '4.2', gruppe: g, tekst: {vedtakstype: Budsjettvedtak},"
    " beløp: {2024: 600}}\n"
    "  - {etikett: Kutt, referanse: 4.3a, gruppe: g, tekst: {vedtakstype: Politisk vedtak}, beløp: {2025: -50}}\n")


def test_text_columns_numbers_and_price_level_print(tmp_path):
    table = roll(loaded_one(write_frame(tmp_path, TEXTS, TEXT_ITEMS)))
    text = rendered(table)
    golden("text-columns", text)
    assert "Beløp i 1 000 kr, 2018-kroner" in text and "Vedtakstype" in text and "Nr." in text
    line = next(ln for ln in text.splitlines() if "Ny stilling" in ln)
    assert line.split() == ["4.2", "Ny", "stilling", "Budsjettvedtak", "600"]


def test_text_columns_numbers_and_price_level_in_json_csv_and_markdown(cli, tmp_path):
    write_frame(tmp_path, TEXTS, TEXT_ITEMS)
    data = json.loads(cli("roll", "-f", "json", "f.yaml", cwd=tmp_path).stdout)["frames"][0]
    assert data["price_level"] == "2018-kroner"
    assert data["text_columns"] == [{"id": "vedtakstype", "label": "Vedtakstype"}]
    item = next(r for r in data["rows"] if r["label"] == "Kutt")
    assert item["reference"] == "4.3a" and item["texts"] == {"vedtakstype": "Politisk vedtak"}
    assert item["id"] == "kutt" and item["category"] is None
    records = list(csv.DictReader(io.StringIO(cli("roll", "-f", "csv", "f.yaml", cwd=tmp_path).stdout)))
    kutt = next(r for r in records if r["label"] == "Kutt" and r["year"] == "2025")
    assert (kutt["reference"], kutt["text:vedtakstype"], kutt["value"], kutt["price_level"], kutt["amount_unit"]) \
        == ("4.3a", "Politisk vedtak", "-50", "2018-kroner", "1 000 kr")
    markdown = cli("roll", "-f", "markdown", "f.yaml", cwd=tmp_path).stdout.splitlines()
    assert "D · Beløp i 1 000 kr, 2018-kroner" in markdown
    assert "| Nr. | | Vedtakstype | 2024 | 2025 |" in markdown
    assert "| 4.2 | \u00a0\u00a0Ny stilling | Budsjettvedtak | 600 |  |" in markdown


def test_a_text_in_an_undeclared_column_is_refused_at_its_key(cli, tmp_path):
    write_frame(tmp_path, TEXTS, changes_text("  - {etikett: X, gruppe: g, tekst: {vedtak: Ja}, beløp: {2024: 1}}\n"))
    result = cli("check", "f.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert ("c.yaml:5:37: error: item 'x' has a text in column 'vedtak', which frame 'f' does not have"
            in result.stderr)
    assert "the frame's text columns ('tekstkolonner') are: vedtakstype" in result.stderr


# ------------------------------------------------------------------------------------------- 7. −0


MINUS_ZERO = frame_text("utgangspunkt: {etikett: Start, beløp: 0}\ngrupper:\n"
                        "  - {id: g, etikett: Endringer, publisert: {2024: -0, 2025: 3}}\n"
                        "ny_driftsramme: {publisert: {2024: -0, 2025: 2}}\n")
MINUS_ZERO_ITEMS = changes_text("  - {etikett: X, gruppe: g, beløp: {2025: 3}}\n")


def test_a_printed_minus_zero_keeps_its_sign_where_shown_and_equals_zero_in_checks(cli, tmp_path):
    path = write_frame(tmp_path, MINUS_ZERO, MINUS_ZERO_ITEMS)
    budget = loaded_one(path)
    # -0 = 0: only the misprinted 2 (against 0 + 3) is reported, and its message keeps the printed figure
    assert [p.message for p in check(budget)] == ["Ny driftsramme 2025: published 2, computed 3 (difference −1)"]
    text = rendered(roll(budget))
    golden("minus-zero", text)
    assert row_figures(text, "Endringer") == ["−0", "3"]
    raw = cli("roll", "-f", "json", "f.yaml", cwd=tmp_path).stdout
    rows = json.loads(raw, parse_float=Decimal, parse_int=Decimal)["frames"][0]["rows"]
    group = next(r for r in rows if r["kind"] == "group")
    assert str(group["published"]["2024"]) == "-0" and '"2024": -0' in raw
    record = next(r for r in csv.DictReader(io.StringIO(cli("roll", "-f", "csv", "f.yaml", cwd=tmp_path).stdout))
                  if r["kind"] == "group" and r["year"] == "2024")
    assert record["published"] == "-0"


def test_a_printed_minus_zero_that_differs_is_shown_with_its_sign(tmp_path):
    frame = MINUS_ZERO.replace("publisert: {2024: -0, 2025: 3}", "publisert: {2024: -0, 2025: -0}")
    (problem,) = [p for p in check(loaded_one(write_frame(tmp_path, frame, MINUS_ZERO_ITEMS)))
                  if p.code is Code.SUBTOTAL_MISMATCH]
    assert problem.message == "Endringer 2025: published −0, computed 3 (difference −3)"


# --------------------------------------------------------------------------------- 8. ids and categories


def test_ids_are_derived_from_labels_and_kategori_is_optional():
    budget = loaded_one(T21)
    assert [(i.id, i.category.value if i.category else None) for i in budget.items] == [
        ("deflator", None), ("omfordeling-kostnader-ikt", "omdisponering"),
        ("oppmåling-fra-plan-og-byggesak", "omdisponering"), ("prosentvis-trekk", "rammetrekk")]
    from rammecalc.core.models import derived_id
    assert derived_id("Lønnsoppgjør kap. 4 – 2016") == "lønnsoppgjør-kap-4-2016"
    assert derived_id("  Økt sats (politikere) ") == "økt-sats-politikere"


def test_two_items_whose_labels_give_one_id_are_refused_at_the_second(cli, tmp_path):
    write_frame(tmp_path, frame_text("utgangspunkt: {etikett: S, beløp: 1}\ngrupper:\n  - {id: g, etikett: G}\n"),
                changes_text("  - {etikett: Prosentvis trekk, gruppe: g, beløp: {2024: -1}}\n"
                             "  - {etikett: 'Prosentvis trekk', gruppe: g, beløp: {2025: -2}}\n"))
    result = cli("check", "f.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert ("c.yaml:6:15: error: this item's label gives the id 'prosentvis-trekk', which the item at c.yaml:5 "
            "has too") in result.stderr
    assert "hint: give this item an explicit 'id' of its own" in result.stderr


def test_a_label_with_no_letter_or_digit_needs_an_id(cli, tmp_path):
    write_frame(tmp_path, frame_text("utgangspunkt: {etikett: S, beløp: 1}\ngrupper:\n  - {id: g, etikett: G}\n"),
                changes_text("  - {etikett: '–', gruppe: g, beløp: {2024: -1}}\n"))
    result = cli("check", "f.yaml", cwd=tmp_path)
    assert result.exit_code == 2 and "missing key 'id' in 'poster.0'" in result.stderr


# ------------------------------------------------------------------------ 9. the table's own labels


def test_messages_name_the_start_and_the_new_frame_by_the_tables_labels(cli, data_copy):
    frame = data_copy / "frames" / "hustadvika-2024-kommunalteknikk.yaml"
    text = frame.read_text(encoding="utf-8")
    text = text.replace("publisert: {2024: -7180, 2025: -5806,", "publisert: {2024: -7180, 2025: -5807,")
    text = text.replace("publisert: {2024: -5806, 2025: -5821,", "publisert: {2024: -5805, 2025: -5821,")
    frame.write_text(text, encoding="utf-8")
    result = cli("check", "data/frames/hustadvika-2024-kommunalteknikk.yaml", cwd=data_copy.parent)
    messages = [line.split(" error: ", 1)[1] for line in result.stdout.splitlines() if " error: " in line]
    assert messages == ["Inngående budsjett 2025: published −5 807, computed −5 806 (difference −1)",
                        "Ny Ramme 2024: published −5 805, computed −5 806 (difference +1)"]


def test_a_frame_with_no_start_shows_and_checks_its_own_total_label(tmp_path):
    body = ("utgangspunkt: {etikett: Budsjett 2023}\ngrupper:\n  - {id: g, etikett: Tiltak}\n"
            "ny_driftsramme: {etikett: Sum endringer, publisert: {2024: 5, 2025: 9}}\n")
    budget = loaded_one(write_frame(tmp_path, frame_text(body, convention="nivå"), changes_text(
        "  - {etikett: X, gruppe: g, beløp: {2024: 5, 2025: 8}}\n")))
    table = roll(budget)
    assert table.rows[-1].label == "Sum endringer"
    (problem,) = check(budget)
    assert problem.message.startswith("Sum endringer 2025: published 9, computed 8, the sum of the column's changes")
    assert row_figures(rendered(table), "Sum endringer") == ["5", "8!"]


# ------------------------------------------------------------ 10. marks: computed and differing figures


MARKS = frame_text("utgangspunkt: {etikett: Start, beløp: 100, publisert: {2024: 100, 2025: 110}}\n"
                   "grupper:\n  - {id: g, etikett: Endringer, publisert: {2024: 10}}\n"
                   "ny_driftsramme: {publisert: {2024: 110, 2025: 114}}\n")
MARK_ITEMS = changes_text("  - {etikett: X, gruppe: g, beløp: {2024: 10, 2025: 5}}\n")


def test_roll_marks_computed_and_differing_figures_in_plain_text(cli, tmp_path):
    write_frame(tmp_path, MARKS, MARK_ITEMS)
    result = cli("roll", "f.yaml", cwd=tmp_path)  # the CLI's own output, no colour
    assert result.exit_code == 0
    text = result.stdout
    # Endringer prints 10 for 2024 only: 2025's 5 is ours. Ny driftsramme 2025 prints 114, computed 115.
    assert row_figures(text, "Endringer") == ["10", "[5]"]
    assert row_figures(text, "Ny driftsramme") == ["110", "115!"]
    assert row_figures(text, "Start") == ["100", "110"]
    assert "[ ] Beregnet av rammecalc: kilden trykker ikke dette tallet." in text
    assert "!   Avviker fra tallet kilden trykker:" in text
    assert "    Ny driftsramme 2025: trykt 114, beregnet 115" in text
    golden("marks", "\n".join(line.rstrip() for line in text.splitlines()) + "\n")


def test_the_marks_are_data_in_json_and_csv(cli, tmp_path):
    write_frame(tmp_path, MARKS, MARK_ITEMS)
    rows = json.loads(cli("roll", "-f", "json", "f.yaml", cwd=tmp_path).stdout)["frames"][0]["rows"]
    group = next(r for r in rows if r["kind"] == "group")
    new = next(r for r in rows if r["kind"] == "new_frame")
    assert group["printed"] == {"2024": True, "2025": False} and group["differs"] == {"2024": False, "2025": False}
    assert new["printed"] == {"2024": True, "2025": True} and new["differs"] == {"2024": False, "2025": True}
    records = list(csv.DictReader(io.StringIO(cli("roll", "-f", "csv", "f.yaml", cwd=tmp_path).stdout)))
    new_2025 = next(r for r in records if r["kind"] == "new_frame" and r["year"] == "2025")
    group_2025 = next(r for r in records if r["kind"] == "group" and r["year"] == "2025")
    assert (new_2025["printed"], new_2025["differs"]) == ("true", "true")
    assert (group_2025["printed"], group_2025["differs"]) == ("false", "false")


def test_the_marks_in_markdown(cli, tmp_path):
    write_frame(tmp_path, MARKS, MARK_ITEMS)
    lines = cli("roll", "-f", "markdown", "f.yaml", cwd=tmp_path).stdout.splitlines()
    assert "| **Endringer** | 10 | \\[5\\] |" in lines
    assert "| **Ny driftsramme** | 110 | 115! |" in lines
    assert "    Ny driftsramme 2025: trykt 114, beregnet 115  " in lines


def test_a_variant_is_not_marked_as_differing(cli, tmp_path):
    write_frame(tmp_path, MARKS, MARK_ITEMS)
    (tmp_path / "s.yaml").write_text("type: scenario\nid: s\netikett: S\ngjelder: f\noperasjoner:\n"
                                     "  - {type: fjern, post: x}\n", encoding="utf-8")
    result = cli("roll", "f.yaml", "-s", "s.yaml", cwd=tmp_path)
    assert result.exit_code == 0
    assert "!" not in result.stdout and "Avviker" not in result.stdout
    data = json.loads(cli("roll", "-f", "json", "f.yaml", "-s", "s.yaml", cwd=tmp_path).stdout)
    assert not any(any(r["differs"].values()) for r in data["frames"][0]["rows"])


# ------------------------------------------------------------------------ how each shape prints (golden)


def test_table_21_prints_as_the_source_lays_it_out():
    text = rendered(roll(loaded_one(T21)))
    golden("hustadvika-2024-kommunalteknikk", text)
    # "Inngående budsjett -7 180 -5 806 -5 821 -5 844", "Deflator -309", "Sum tiltak 1 683 -15 -23 -34",
    # "Ny Ramme -5 806 -5 821 -5 844 -5 878": every figure printed, none marked
    assert row_figures(text, "Inngående budsjett") == ["−7 180", "−5 806", "−5 821", "−5 844"]
    assert row_figures(text, "Deflator") == ["−309"]
    assert row_figures(text, "Tiltak:") == []
    assert row_figures(text, "Prosentvis trekk") == ["0", "−15", "−23", "−34"]
    assert row_figures(text, "Sum tiltak") == ["1 683", "−15", "−23", "−34"]
    assert row_figures(text, "Ny Ramme") == ["−5 806", "−5 821", "−5 844", "−5 878"]
    assert "[" not in text and "Beregnet" not in text


def test_table_24_prints_as_the_source_lays_it_out():
    text = rendered(roll(loaded_one(T24)))
    golden("hustadvika-2024-bo-og-habilitering", text)
    # "Effektivisering tjenesteleveransen -2 500 -2 500" in 2024 and 2025; "Prosentvis trekk -306 -490 -722"
    # in 2025-2027; "Sum tiltak -2 500 -2 806 -490 -722"; "Ny Ramme 125 728 122 922 122 432 121 710"
    line = next(ln for ln in text.splitlines() if "Effektivisering" in ln)
    columns = [m.end() for m in re.finditer(r"2024|2025|2026|2027", text.splitlines()[2])]
    assert [line[c - 6:c].strip() for c in columns] == ["−2 500", "−2 500", "", ""]
    assert row_figures(text, "Deflator") == ["5 286"]
    assert row_figures(text, "Sum tiltak") == ["−2 500", "−2 806", "−490", "−722"]
    assert row_figures(text, "Ny Ramme") == ["125 728", "122 922", "122 432", "121 710"]


def test_the_synthetic_blocks_print_each_with_its_start_and_its_sum():
    text = rendered(roll(loaded_one(BLOCKS)))
    golden("blocks", text)
    assert row_figures(text, "Utgifter:") == [] and row_figures(text, "Inntekter:") == []
    assert row_figures(text, "Sum utgifter") == ["51 700", "52 350", "52 150"]
    assert row_figures(text, "Sum inntekter") == ["−12 400", "−11 400", "−11 400"]
    assert row_figures(text, "Netto driftsramme") == ["39 300", "40 950", "40 750"]
    assert text.count("Opprinnelig budsjett") == 2


def test_the_bundled_frames_keep_printing_as_before_and_the_json_keeps_its_keys():
    """The new keys are additions: the data files written before them load and roll unchanged."""
    molde = loaded_one(DATA / "frames" / "molde-2017-ressurstjenesten.yaml")
    assert rendered(roll(molde)) == (GOLDEN / "molde-2017-ressurstjenesten.txt").read_text(encoding="utf-8")
    data = table_data(roll(molde))
    assert [r["kind"] for r in data["rows"]][:4] == ["start", "split", "split", "group"]
    assert not any(r["differs"][y] for r in data["rows"] for y in r["differs"])  # seed 000 adds up here


# ------------------------------------------------------------------------------ the shapes combined


COMBINED = frame_text(
    "utgangspunkt: {etikett: Netto start, publisert: {2024: 90, 2025: 106}}\n"
    "grupper:\n"
    "  - id: u\n    etikett: 'Utgifter:'\n    sum_etikett: Sum utgifter\n"
    "    utgangspunkt: {etikett: Budsjett, beløp: 100, publisert: {2024: 100, 2025: 110}}\n"
    "    publisert: {2024: 110, 2025: 115}\n"
    "  - {id: u2, etikett: Drift, under: u, publisert: {2024: 4}}\n"
    "  - id: i\n    etikett: 'Inntekter:'\n    sum_etikett: Sum inntekter\n"
    "    utgangspunkt: {etikett: Budsjett, beløp: -10, publisert: {2024: -10}}\n"
    "    publisert: {2024: -10, 2025: -10}\n"
    "  - {id: t, etikett: Tiltak, publisert: {2024: 3, 2025: 1}}\n"
    "ny_driftsramme: {etikett: Netto ramme, publisert: {2024: 106, 2025: 112}}\n",
    head="blank_er_null: true\n")
COMBINED_ITEMS = changes_text("  - {etikett: Deflator, beløp: {2024: 3}}\n"
                              "  - {etikett: Lønn, gruppe: u, beløp: {2024: 6, 2025: 5}}\n"
                              "  - {etikett: Drift, gruppe: u2, beløp: {2024: 4}}\n"
                              "  - {etikett: Nytt, gruppe: t, beløp: {2024: 3, 2025: 1}}\n")


def test_blocks_with_a_subgroup_a_row_outside_and_a_plain_group_in_one_file(cli, tmp_path):
    # By hand: start 100 - 10 = 90; 2024: 90 + 3 (Deflator) + 6 + 4 (Utgifter) + 3 (Tiltak) = 106; 2025: Sum
    # utgifter 110 + 5 = 115, Sum inntekter -10, new frame 106 + 5 + 1 = 112. The income block's base line
    # prints a blank for 2025, which 'blank_er_null' reads as 0 against the computed -10.
    budget = loaded_one(write_frame(tmp_path, COMBINED, COMBINED_ITEMS))
    (problem,) = check(budget)
    assert problem.message == ("Budsjett (Inntekter) 2025: published 0 (a blank cell, read as 0: 'blank_er_null'), "
                               "computed −10 (difference +10)")
    table = roll(budget)
    assert table.new_frame == {2024: D(106), 2025: D(112)} and table.start == {2024: D(90), 2025: D(106)}
    text = cli("roll", "f.yaml", cwd=tmp_path).stdout
    assert row_figures(text, "Drift") == ["4"] and row_figures(text, "Sum utgifter") == ["110", "115"]
    # The legend names the base line as the check does: with its block, since both blocks print "Budsjett"
    assert "    Budsjett (Inntekter) 2025: trykt 0, beregnet −10" in text
    explained = cli("explain", "f.yaml", "i", "2025", cwd=tmp_path).stdout
    assert "printed   0: a blank cell, read as 0 ('blank_er_null')  (f.yaml:" in explained


def test_a_scenario_adds_rows_outside_every_group_and_into_a_block(cli, tmp_path):
    write_frame(tmp_path, COMBINED, COMBINED_ITEMS)
    (tmp_path / "s.yaml").write_text(
        "type: scenario\nid: s\netikett: S\ngjelder: f\noperasjoner:\n"
        "  - {type: legg-til, post: {etikett: Ekstra, gruppe: i, beløp: {2025: -2}}}\n"
        "  - {type: legg-til, post: {etikett: Utenfor, beløp: {2025: 1}}}\n", encoding="utf-8")
    data = json.loads(cli("compare", "f.yaml", "-s", "s.yaml", "-f", "json", cwd=tmp_path).stdout)
    (variant,) = data["variants"]
    # 112 - 2 + 1 = 111 in 2025
    assert variant["new_frame"] == {"2024": 106, "2025": 111}
    assert [(a["name"], a["values"]["2025"]) for a in variant["attributions"]] == [("ekstra", -2), ("utenfor", 1)]
    rows = json.loads(cli("roll", "f.yaml", "-s", "s.yaml", "-f", "json", cwd=tmp_path).stdout)["frames"][0]["rows"]
    inntekter = next(r for r in rows if r["kind"] == "subtotal" and r["id"] == "i")
    assert inntekter["values"] == {"2024": -10, "2025": -12}


def test_an_items_written_minus_zero_keeps_its_sign_in_the_table_json_and_csv(cli, tmp_path):
    write_frame(tmp_path, frame_text("utgangspunkt: {etikett: Start, beløp: 10}\ngrupper:\n  - {id: g, etikett: G}\n"),
                changes_text("  - {etikett: Avrundet, gruppe: g, beløp: {2024: -0, 2025: 2}}\n"))
    text = cli("roll", "f.yaml", cwd=tmp_path).stdout
    assert row_figures(text, "Avrundet") == ["−0", "2"]
    assert row_figures(text, "G") == ["[0]", "[2]"]  # our sum of it is plain 0
    raw = cli("roll", "-f", "json", "f.yaml", cwd=tmp_path).stdout
    item = next(r for r in json.loads(raw)["frames"][0]["rows"] if r["kind"] == "item")
    assert item["printed"] == {"2024": True, "2025": True}
    assert re.search(r'"values": \{\s*"2024": -0,', raw)
