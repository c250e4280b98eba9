"""The sources of ``rammecalc import`` (src/rammecalc/importing/): text, CSV, xlsx and PDF into lines and cells.

Every source here is written by the test itself (small, synthetic, made to show one thing), except the
project's shared tables, read as they are when ``../shared`` is there.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rammecalc.core.problems import Code, Problem, Severity
from rammecalc.importing import pdfpage, spreadsheet
from rammecalc.importing.sources import Source, read_source, separator

from .conftest import ROOT

SHARED_TABLES = ROOT.parent / "shared" / "tables"

NBSP = "\u00a0"
MINUS = "\u2212"
EN_DASH = "\u2013"


def _source(result: Source | Problem) -> Source:
    assert isinstance(result, Source), result
    return result


def _problem(result: Source | Problem, code: Code) -> Problem:
    assert isinstance(result, Problem), result
    assert result.code is code, result
    assert result.severity is Severity.ERROR
    return result


# --- text ------------------------------------------------------------------------------------------------


def test_text_keeps_every_character_and_normalises_line_ends(tmp_path: Path) -> None:
    text = (f"Ramme for budsjett 2017 og økonomiplan 2017{EN_DASH}2020\r\n"
            f"Driftsinntekter {MINUS}6{NBSP}452 \r\n"
            "\r\n"
            "Ny driftsramme\t9 864\r"
            "Slutt\n")
    path = tmp_path / "tabell.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    source = _source(read_source(str(path)))
    assert source.kind == "text"
    assert source.name == str(path)
    assert source.cells is None and source.sheet is None and source.warnings == ()
    assert source.lines == (f"Ramme for budsjett 2017 og økonomiplan 2017{EN_DASH}2020",
                            f"Driftsinntekter {MINUS}6{NBSP}452 ",
                            "",
                            "Ny driftsramme\t9 864",
                            "Slutt")
    assert source.line_numbers == (1, 2, 3, 4, 5)
    assert read_source(path) == source  # a Path as well as a str


def test_text_in_windows_1252_is_read_and_said(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.txt"
    path.write_bytes("Ramme 2018\nLønns- og prisvekst 140 106\nØkonomiplan – 2019\n".encode("cp1252"))
    source = _source(read_source(str(path)))
    assert source.lines == ("Ramme 2018", "Lønns- og prisvekst 140 106", "Økonomiplan – 2019")
    [warning] = source.warnings
    assert (warning.code, warning.severity, warning.line, warning.col) == (Code.NOT_UTF8, Severity.WARNING, 2, 2)
    assert "Windows-1252" in warning.message and "0xf8" in warning.message and "'ø'" in warning.message


def test_text_in_utf16_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes("Tiltak\t−127\r\nSum\t9 864\r\n".encode("utf-16"))
    source = _source(read_source(str(path)))
    assert source.lines == ("Tiltak\t−127", "Sum\t9 864") and source.warnings == ()


def test_text_in_neither_encoding_is_a_problem_at_its_byte(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(b"Ramme\nab\x81\xff\n")  # 0x81 is undefined in Windows-1252, 0xff no UTF-8
    problem = _problem(read_source(str(path)), Code.NOT_UTF8)
    assert (problem.file, problem.line, problem.col) == (str(path), 2, 3)
    assert "neither UTF-8 nor Windows-1252" in problem.message and "0x81" in problem.message


def test_text_with_nul_bytes_is_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(b"Ramme\n12\x0034\n")
    problem = _problem(read_source(str(path)), Code.UNREADABLE)
    assert (problem.line, problem.col) == (2, 3) and "binary" in problem.message


def test_empty_text_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"\n  \n")
    problem = _problem(read_source(str(path)), Code.EMPTY)
    assert "no text" in problem.message


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(f"Ny driftsramme 9{NBSP}864\r\n11 999\n".encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    source = _source(read_source("-"))
    assert (source.name, source.kind, source.lines) == ("-", "text", (f"Ny driftsramme 9{NBSP}864", "11 999"))


def test_standard_input_that_is_a_terminal_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(io.BytesIO(b"")))
    problem = _problem(read_source("-"), Code.UNREADABLE)
    assert problem.file == "-" and "terminal" in problem.message


# --- the shared tables' header ---------------------------------------------------------------------------


def test_a_shared_tables_header_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "02.txt"
    path.write_text("# Source: http://example.invalid/tabell\n"
                    "#   Reading: 10 536 + 140 = 10 676\n"
                    "#\n"
                    "# ---- RAW TEXT BELOW: verbatim from the stored page copy. ----\n"
                    "Kleive oppvekstsenter\n"
                    "\n"
                    "# not a header line: kept\n"
                    "Ny driftsramme 11 313 11 661\n", encoding="utf-8")
    source = _source(read_source(str(path)))
    assert source.lines == ("Kleive oppvekstsenter", "", "# not a header line: kept", "Ny driftsramme 11 313 11 661")
    assert source.line_numbers == (5, 6, 7, 8)


@pytest.mark.parametrize("text", [
    "# a note\n# another\nRAW TEXT BELOW\nRamme 1 2\n",  # the marker on a line of its own, not a '#' line
    "# a note without the marker\nRamme 1 2\n",
    "Ramme 1 2\n# RAW TEXT BELOW\nSum 3\n",  # the marker after the text has begun
])
def test_a_text_without_that_header_is_taken_whole(tmp_path: Path, text: str) -> None:
    path = tmp_path / "plain.txt"
    path.write_text(text, encoding="utf-8")
    assert _source(read_source(str(path))).lines == tuple(text.rstrip("\n").split("\n"))


def test_a_header_with_nothing_below_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "header.txt"
    path.write_text("# Source: x\n# ---- RAW TEXT BELOW ----\n\n", encoding="utf-8")
    problem = _problem(read_source(str(path)), Code.EMPTY)
    assert "RAW TEXT BELOW" in problem.message and problem.line == 3


def _shared_tables() -> list[Path]:
    return sorted(SHARED_TABLES.glob("*.txt")) if SHARED_TABLES.is_dir() else []


@pytest.mark.skipif(not SHARED_TABLES.is_dir(), reason="../shared/tables is not beside the repository")
def test_the_shared_tables_are_there() -> None:
    assert len(_shared_tables()) >= 8


@pytest.mark.skipif(not SHARED_TABLES.is_dir(), reason="../shared/tables is not beside the repository")
@pytest.mark.parametrize("path", _shared_tables(), ids=lambda p: p.name)
def test_each_shared_table_is_read_from_below_its_header(path: Path) -> None:
    raw = path.read_bytes().decode("utf-8").split("\n")
    marker = next(i for i, line in enumerate(raw) if "RAW TEXT BELOW" in line)
    assert all(line.startswith("#") for line in raw[:marker + 1])
    source = _source(read_source(str(path)))
    assert source.lines[0] == raw[marker + 1]
    assert source.line_numbers[0] == marker + 2
    assert source.lines[-1] == raw[-2 if raw[-1] == "" else -1]
    assert not any(line.startswith("# ----") for line in source.lines)


# --- CSV -------------------------------------------------------------------------------------------------


def _write_csv(path: Path, rows: list[list[str]], *, delimiter: str, encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file, delimiter=delimiter, lineterminator="\r\n").writerows(rows)


NORWEGIAN_ROWS = [
    ["Tjeneste", "Regnskap 2022", "Budsjett 2022", "Avvik", ""],
    ["Fellesutgifter; og inntekter", "-88 233,5", "-68 284", "19 949,5", ""],
    ["ROR-IKT", "32 282", "", "165", ""],
    ["", "", "", "", ""],
    ['Sitat "med" anførsel', "1,4 %", "", "", ""],
    ["", "", "", "", ""],
]


def test_a_norwegian_csv_semicolons_decimal_commas_bom_quotes(tmp_path: Path) -> None:
    path = tmp_path / "tabelldata.csv"
    _write_csv(path, NORWEGIAN_ROWS, delimiter=";", encoding="utf-8-sig")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b'"Fellesutgifter; og inntekter"' in raw  # as Excel writes it
    source = _source(read_source(str(path)))
    assert source.kind == "csv" and source.warnings == ()
    assert source.cells == (
        ("Tjeneste", "Regnskap 2022", "Budsjett 2022", "Avvik"),
        ("Fellesutgifter; og inntekter", "-88 233,5", "-68 284", "19 949,5"),
        ("ROR-IKT", "32 282", "", "165"),
        ("", "", "", ""),
        ('Sitat "med" anførsel', "1,4 %", "", ""),
    )
    assert source.lines == (
        "Tjeneste\tRegnskap 2022\tBudsjett 2022\tAvvik",
        "Fellesutgifter; og inntekter\t-88 233,5\t-68 284\t19 949,5",
        "ROR-IKT\t32 282\t\t165",
        "\t\t\t",
        'Sitat "med" anførsel\t1,4 %\t\t',
    )
    assert source.line_numbers == (1, 2, 3, 4, 5)
    assert source.numeric == frozenset()


def test_a_semicolon_csv_from_excel_in_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("Enhet;Ramme\r\nKleive oppvekstsenter;11 661\r\nLønns- og prisvekst;–2 500\r\n".encode("cp1252"))
    source = _source(read_source(str(path)))
    assert source.cells == (("Enhet", "Ramme"), ("Kleive oppvekstsenter", "11 661"), ("Lønns- og prisvekst", "–2 500"))
    [warning] = source.warnings
    assert (warning.code, warning.severity, warning.line, warning.col) == (Code.NOT_UTF8, Severity.WARNING, 3, 2)


def test_a_comma_csv_with_decimal_points(tmp_path: Path) -> None:
    path = tmp_path / "english.csv"
    _write_csv(path, [["Unit", "2022", "2023"], ["Total, net", "1234.5", "-7"], ["Staff", "", "8.6"]],
               delimiter=",", encoding="utf-8")
    source = _source(read_source(str(path)))
    assert source.cells == (("Unit", "2022", "2023"), ("Total, net", "1234.5", "-7"), ("Staff", "", "8.6"))


def test_a_tab_separated_download(tmp_path: Path) -> None:
    path = tmp_path / "tabell.csv"
    path.write_text("Tiltak\t2024\t2025\nEffektivisering\t-2 500\t-2 500\nDeflator\t5 286\t\n", encoding="utf-8")
    assert _source(read_source(str(path))).cells == (
        ("Tiltak", "2024", "2025"), ("Effektivisering", "-2 500", "-2 500"), ("Deflator", "5 286", ""))


def test_the_separator_prefers_semicolon_where_commas_split_alike() -> None:
    # Every figure has one decimal comma: ',' splits each row into three as ';' does.
    assert separator("a;1,5;2,5\nb;3,5;4,5\n") == ";"
    assert separator("a,1.5,2.5\nb,3.5,4.5\n") == ","
    assert separator("a\t1,5\t2;5\nb\t3\t4\n") == "\t"


def test_excels_sep_line_names_the_separator(tmp_path: Path) -> None:
    path = tmp_path / "sep.csv"
    path.write_text("sep=,\nEnhet,Ramme;netto\nStab,90 148\n", encoding="utf-8")
    source = _source(read_source(str(path)))
    assert source.cells == (("Enhet", "Ramme;netto"), ("Stab", "90 148"))
    assert source.line_numbers == (2, 3)


def test_a_cell_over_two_lines_keeps_its_line_break(tmp_path: Path) -> None:
    path = tmp_path / "multiline.csv"
    path.write_bytes(b'Tiltak;2017\r\n"Statsbudsjett 2016\r\noppstart juli";754\r\nSum;754\r\n')
    source = _source(read_source(str(path)))
    assert source.cells == (("Tiltak", "2017"), ("Statsbudsjett 2016\noppstart juli", "754"), ("Sum", "754"))
    assert source.lines[1] == "Statsbudsjett 2016 oppstart juli\t754"
    assert source.line_numbers == (1, 2, 4)


def test_a_csv_with_no_cells_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(";;\n;;\n", encoding="utf-8")
    _problem(read_source(str(path)), Code.EMPTY)


# --- xlsx ------------------------------------------------------------------------------------------------


def _rewrite_sheet(path: Path, change, part: str = "xl/worksheets/sheet1.xml") -> None:
    """Rewrite one part of an xlsx (to make what openpyxl does not write: a cached value, hidden text)."""
    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info.filename) for info in old.infolist()}
    parts[part] = change(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)


def _frame_workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Ramme"
    sheet["A1"] = "Ramme for budsjett 2017"
    sheet.merge_cells("A1:C1")
    sheet.append(["Beløp i 1 000 kr", 2016, 2017])
    sheet.append(["Driftsinntekter", -6452, None])
    sheet.append(["Prisjustering", None, 46])
    sheet.append(["Tall som tekst", "9 864", "87.863"])
    sheet.append(["Desimaler", 1.4, 0.1 + 0.2])
    sheet.append(["Resultat", -0.081, 0.0812])
    sheet["B7"].number_format = "0.0%"
    sheet["C7"].number_format = "0.0%"
    sheet.append(["Dato", datetime.date(2024, 1, 31), datetime.datetime(2024, 1, 31, 12, 30)])
    sheet.append(["Sum", "=SUM(B3:B4)", "=SUM(C3:C4)"])
    sheet.append(["I tusen", 9864372, 9864.372])
    sheet["B10"].number_format = "#,##0,"
    sheet["C10"].number_format = "# ##0"
    sheet.append(["Sann", True, "#DIV/0!"])
    sheet["F20"].number_format = "0.00"  # a formatted cell with no value: trailing, dropped
    other = book.create_sheet("Investering")
    other.append(["Prosjekt", "Regnskap"])
    other.append(["3600 Kjøp av biler", 1027])
    book.save(path)
    # Excel saves each formula's value: give B9 its value as Excel would, leave C9 as openpyxl wrote it (none);
    # and leave text in a cell the merge covers, as a program may.
    _rewrite_sheet(path, lambda xml: xml.replace("<f>SUM(B3:B4)</f><v />", "<f>SUM(B3:B4)</f><v>-6452</v>")
                   .replace('<c r="A1" t="inlineStr"><is><t>Ramme for budsjett 2017</t></is></c>',
                            '<c r="A1" t="inlineStr"><is><t>Ramme for budsjett 2017</t></is></c>'
                            '<c r="B1" t="inlineStr"><is><t>skjult</t></is></c>'))


def test_an_xlsx_sheet_as_shown(tmp_path: Path) -> None:
    path = tmp_path / "ramme.xlsx"
    _frame_workbook(path)
    assert "skjult" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    source = _source(read_source(str(path)))
    assert (source.kind, source.sheet) == ("xlsx", "Ramme")
    assert source.cells == (
        ("Ramme for budsjett 2017", "", ""),  # merged A1:C1: the text the merge covers is not shown
        ("Beløp i 1 000 kr", "2016", "2017"),
        ("Driftsinntekter", "-6452", ""),
        ("Prisjustering", "", "46"),
        ("Tall som tekst", "9 864", "87.863"),  # text cells as written
        ("Desimaler", "1.4", "0.3"),  # 0.30000000000000004 to Excel's 15 digits
        ("Resultat", "-8.1 %", "8.12 %"),  # per cent: the value × 100, exactly
        ("Dato", "2024-01-31", "2024-01-31T12:30:00"),
        ("Sum", "-6452", ""),  # C9's formula has no saved value
        ("I tusen", "9864372", "9864.372"),  # as stored, whatever the format shows
        ("Sann", "TRUE", "#DIV/0!"),
    )
    assert source.lines[1] == "Beløp i 1 000 kr\t2016\t2017"
    assert source.lines[0] == "Ramme for budsjett 2017\t\t"
    assert source.line_numbers == tuple(range(1, 12))
    assert source.numeric == {(1, 1), (1, 2), (2, 1), (3, 2), (5, 1), (5, 2), (6, 1), (6, 2), (8, 1), (9, 1), (9, 2)}
    uncached, decimals = source.warnings
    assert (uncached.code, uncached.severity, uncached.line, uncached.col) == (Code.UNREADABLE, Severity.WARNING, 9, 3)
    assert "1 formula cell" in uncached.message and "C9" in uncached.message
    assert (decimals.code, decimals.severity, decimals.line, decimals.col) == (
        Code.TOO_MANY_DECIMALS, Severity.WARNING, 7, 3)
    assert decimals.message.startswith("3 cells in 'Ramme' show their number otherwise than stored")
    assert "C7 holds 8.12 % (shown with 1 decimal)" in decimals.message
    assert "B10 holds 9864372 (shown in thousands)" in decimals.message
    assert "C10 holds 9864.372 (shown with 0 decimals)" in decimals.message


def test_an_xlsx_sheet_by_name(tmp_path: Path) -> None:
    path = tmp_path / "ramme.xlsx"
    _frame_workbook(path)
    for name in ("Investering", "investering"):
        source = _source(read_source(str(path), sheet=name))
        assert source.sheet == "Investering"
        assert source.cells == (("Prosjekt", "Regnskap"), ("3600 Kjøp av biler", "1027"))
        assert source.numeric == {(1, 1)} and source.warnings == ()
    problem = _problem(read_source(str(path), sheet="Drift"), Code.NOT_FOUND)
    assert problem.message == "the workbook has no sheet 'Drift'; its sheets are 'Ramme', 'Investering'"
    assert problem.line == 0


def test_an_xlsx_keeps_leading_blank_rows_and_columns(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "offset.xlsx"
    book = openpyxl.Workbook()
    book.active["B3"] = "Sum"
    book.active["C3"] = 12
    book.save(path)
    source = _source(read_source(str(path)))
    assert source.cells == (("", "", ""), ("", "", ""), ("", "Sum", "12"))
    assert source.numeric == {(2, 2)}


def test_hidden_rows_and_columns_are_read_and_said(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "skjult.xlsx"
    book = openpyxl.Workbook()
    for row in (["Tiltak", 2024, "notat", 2025], ["A", 1, "x", 2], ["B", 3, "", 4], ["Sum", 4, "", 6]):
        book.active.append(row)
    book.active.row_dimensions[2].hidden = True
    book.active.column_dimensions["C"].hidden = True
    book.active.row_dimensions[9].hidden = True  # below the table: nothing to say
    book.save(path)
    source = _source(read_source(str(path)))
    assert source.cells[1] == ("A", "1", "x", "2") and len(source.cells) == 4
    [warning] = source.warnings
    assert (warning.code, warning.severity, warning.line, warning.col) == (Code.UNREADABLE, Severity.WARNING, 2, 1)
    assert warning.message == "row 2 and column C of 'Sheet' are hidden in the workbook; read all the same"


def test_an_xlsx_never_calculated_is_refused(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "formler.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Tiltak", 5])
    book.active.append(["Sum", "=B1"])
    book.save(path)
    problem = _problem(read_source(str(path)), Code.UNREADABLE)
    assert "holds 1 formula but no computed value" in problem.message and problem.line == 0


def test_a_formula_giving_empty_text_is_a_value(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "tom.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Tiltak", "=IF(1,\"\",1)", 4])
    book.save(path)
    # As Excel saves a formula whose value is empty text.
    _rewrite_sheet(path, lambda xml: xml.replace('<c r="B1"><f>IF(1,"",1)</f><v /></c>',
                                                 '<c r="B1" t="str"><f>IF(1,"",1)</f><v></v></c>'))
    source = _source(read_source(str(path)))
    assert source.cells == (("Tiltak", "", "4"),) and source.warnings == ()


@pytest.mark.parametrize(("value", "text"), [
    (9864, "9864"), (1.4, "1.4"), (-127.0, "-127"), (0.1 + 0.2, "0.3"), (1234.3000000000002, "1234.3"),
    (2.675, "2.675"), (1e16, "10000000000000000"), (-0.0, "0"), (123456789012345.67, "123456789012346"),
])
def test_a_stored_number_as_exact_text(value: float, text: str) -> None:
    assert spreadsheet.cell_text(value) == (text, True)


@pytest.mark.parametrize(("value", "number_format", "text"), [
    (0.081, "0.0%", "8.1 %"), (-0.081, "0.0 %", "-8.1 %"), (1, "0%", "100 %"), (0.5, '0.0"%"', "0.5"),
    (0.5, "0.0\\%", "0.5"), (0.04, "[Red]0.0%;-0.0%", "4 %"),
])
def test_a_per_cent_format(value: float, number_format: str, text: str) -> None:
    assert spreadsheet.cell_text(value, number_format) == (text, True)


def test_a_broken_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    problem = _problem(read_source(str(path)), Code.UNREADABLE)
    assert problem.message.startswith("not a readable xlsx workbook") and problem.line == 0
    text = tmp_path / "text.xlsx"
    text.write_text("Ramme;1\n", encoding="utf-8")
    assert "not an xlsx workbook (an xlsx file is a zip archive" in _problem(read_source(str(text)),
                                                                             Code.UNREADABLE).message
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert _problem(read_source(str(other)), Code.UNREADABLE).message.startswith("not a readable xlsx workbook")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert ".xls" in _problem(read_source(str(old)), Code.UNREADABLE).message


# --- PDF -------------------------------------------------------------------------------------------------

EDGES = (330, 390, 450, 510)  # the columns' right edges: figures are set flush right
FRAME_ROWS = [  # label, its indent, the figures (None: a blank cell)
    ("Beløp i 1 000 kr", 50, (None, None, None, None)),
    ("", 50, ("2016", "2017", "2018", "2019")),
    ("Opprinnelig budsjett", 50, ("9 681", "9 864", "11 999", "11 999")),
    ("Driftsinntekter", 60, ("-6 452", None, None, None)),
    ("Lønnsoppgjør kap. 4 – 2016", 50, ("169", "99", None, None)),
    ("Prisjustering med 1,4 pst.", 60, (None, "46", None, None)),
    ("Tilbakeført rammetrekk", 50, (None, None, "200", None)),
    ("Antall årsverk", 50, ("8,6", "8,6", None, "-")),
    ("Ny driftsramme", 50, ("9 864", "11 999", "11 999", "11 999")),
]


def _frame_pdf(path: Path, pages: int = 1) -> None:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab (the 'test' extra) makes the PDFs")
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica", 9)
        pdf.drawCentredString(EDGES[1] - 10, 814, "Budsjett")  # a heading centred over its column
        y = 800
        for label, x, figures in FRAME_ROWS:
            if label:
                pdf.drawString(x, y, label)
            for edge, figure in zip(EDGES, figures):
                if figure:
                    pdf.drawRightString(edge, y, figure)
            y -= 14
        pdf.drawString(50, 60, f"Side {number}")
        pdf.showPage()
    pdf.save()


@pytest.fixture
def pdf_extra() -> None:
    pytest.importorskip("pdfplumber", reason="the 'pdf' extra (pdfplumber) reads PDFs")


def test_a_pdf_frame_table_keeps_its_blank_cells(tmp_path: Path, pdf_extra: None) -> None:
    path = tmp_path / "ramme.pdf"
    _frame_pdf(path)
    source = _source(read_source(str(path)))
    assert (source.kind, source.sheet) == ("pdf", "page 1")
    assert source.cells == (
        ("", "", "Budsjett", "", ""),
        ("Beløp i 1 000 kr", "", "", "", ""),
        ("", "2016", "2017", "2018", "2019"),
        ("Opprinnelig budsjett", "9 681", "9 864", "11 999", "11 999"),
        ("Driftsinntekter", "-6 452", "", "", ""),
        ("Lønnsoppgjør kap. 4 – 2016", "169", "99", "", ""),
        ("Prisjustering med 1,4 pst.", "", "46", "", ""),
        ("Tilbakeført rammetrekk", "", "", "200", ""),
        ("Antall årsverk", "8,6", "8,6", "", "-"),
        ("Ny driftsramme", "9 864", "11 999", "11 999", "11 999"),
        ("Side 1", "", "", "", ""),
    )
    assert source.lines == (
        "Budsjett", "Beløp i 1 000 kr", "2016 2017 2018 2019", "Opprinnelig budsjett 9 681 9 864 11 999 11 999",
        "Driftsinntekter -6 452", "Lønnsoppgjør kap. 4 – 2016 169 99", "Prisjustering med 1,4 pst. 46",
        "Tilbakeført rammetrekk 200", "Antall årsverk 8,6 8,6 -", "Ny driftsramme 9 864 11 999 11 999 11 999",
        "Side 1")
    assert source.line_numbers == tuple(range(1, 12)) and source.warnings == ()


def test_a_pdf_table_with_numbered_rows(tmp_path: Path, pdf_extra: None) -> None:
    # As Stavanger prints its frames: measures numbered at the margin, their labels indented beside the
    # numbers, the other rows' labels starting at the margin. The numbers are a column of their own; every
    # label is in the one label column.
    canvas = pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab (the 'test' extra) makes the PDFs")
    path = tmp_path / "nummerert.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    pdf.setFont("Helvetica", 9)
    rows = [(None, "Økonomi for Barnevern 2015-2018", ("2015", "2016")),
            (None, "Opprinnelig vedtatt netto driftsramme 2014", ("194 868", "194 868")),
            (None, "Endringer:", (None, None)),
            ("141", "Fosterhjemsutgifter, økte satser og økt volum", ("4 000", "4 000")),
            ("143", "Rammereduksjon barnevern (stab)", ("-1 500", None)),
            ("144", "Effektiviseringskrav", (None, "-350")),
            (None, "Korrigert netto budsjettrammer 2015-2018", ("197 368", "198 518"))]
    y = 800
    for number, label, figures in rows:
        if number:
            pdf.drawString(50, y, number)
        pdf.drawString(70 if number else 50, y, label)
        for edge, figure in zip((420, 480), figures):
            if figure:
                pdf.drawRightString(edge, y, figure)
        y -= 12
    pdf.showPage()
    pdf.save()
    assert _source(read_source(str(path))).cells == (
        ("", "Økonomi for Barnevern 2015-2018", "2015", "2016"),
        ("", "Opprinnelig vedtatt netto driftsramme 2014", "194 868", "194 868"),
        ("", "Endringer:", "", ""),
        ("141", "Fosterhjemsutgifter, økte satser og økt volum", "4 000", "4 000"),
        ("143", "Rammereduksjon barnevern (stab)", "-1 500", ""),
        ("144", "Effektiviseringskrav", "", "-350"),
        ("", "Korrigert netto budsjettrammer 2015-2018", "197 368", "198 518"),
    )


def test_a_pdf_page_must_be_named_and_exist(tmp_path: Path, pdf_extra: None) -> None:
    path = tmp_path / "to-sider.pdf"
    _frame_pdf(path, pages=2)
    problem = _problem(read_source(str(path)), Code.INVALID)
    assert problem.message == "the PDF has 2 pages: say which holds the table" and problem.line == 0
    problem = _problem(read_source(str(path), page=3), Code.NOT_FOUND)
    assert problem.message == "the PDF has 2 pages; there is no page 3" and problem.hint == "give a page from 1 to 2"
    assert _problem(read_source(str(path), page=0), Code.NOT_FOUND).message.endswith("there is no page 0")
    source = _source(read_source(str(path), page=2))
    assert source.sheet == "page 2" and source.cells[-1][0] == "Side 2"


def test_a_broken_or_blank_pdf(tmp_path: Path, pdf_extra: None) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nthis is no PDF\n")
    assert _problem(read_source(str(broken)), Code.UNREADABLE).message.startswith("not a readable PDF (PDFSyntaxError")
    canvas = pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab (the 'test' extra) makes the PDFs")
    blank = tmp_path / "blank.pdf"
    pdf = canvas.Canvas(str(blank))
    pdf.rect(50, 50, 100, 100)  # a picture, no text: as a scanned page
    pdf.showPage()
    pdf.save()
    assert "no text" in _problem(read_source(str(blank)), Code.EMPTY).message


def test_a_damaged_pdf_read_all_the_same_says_so(tmp_path: Path, pdf_extra: None,
                                                  capfd: pytest.CaptureFixture) -> None:
    path = tmp_path / "ramme.pdf"
    _frame_pdf(path)
    data = path.read_bytes()
    # Spoil the cross-reference entry of the document's Info dictionary (title, producer): pdfminer logs that
    # it leaves the object out, and the page reads as before.
    info = int(re.search(rb"/Info (\d+) 0 R", data).group(1))
    start = data.rindex(b"\nxref\n")
    entries = re.findall(rb"\d{10} \d{5} [nf]", data[start:])
    entry = entries[info]
    path.write_bytes(data[:start] + data[start:].replace(entry, entry[:8] + b"x" + entry[9:], 1))
    source = _source(read_source(str(path)))
    assert source.cells[3] == ("Opprinnelig budsjett", "9 681", "9 864", "11 999", "11 999")
    [warning] = source.warnings
    assert (warning.code, warning.severity) == (Code.UNREADABLE, Severity.WARNING)
    assert warning.message.startswith("the PDF is damaged and was read as well as it could be: Not adding object")
    assert capfd.readouterr().err == ""  # said in the warning, not printed by logging


def test_a_pdf_with_a_password(tmp_path: Path, pdf_extra: None) -> None:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab (the 'test' extra) makes the PDFs")
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = tmp_path / "hemmelig.pdf"
    pdf = canvas.Canvas(str(path), encrypt=StandardEncryption("hemmelig"))
    pdf.drawString(50, 50, "Sum 3")
    pdf.showPage()
    pdf.save()
    assert _problem(read_source(str(path)), Code.UNREADABLE).message == "the PDF is protected by a password"


def test_a_pdf_without_the_extra_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tabell.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    monkeypatch.setitem(sys.modules, "pdfplumber", None)  # as if not installed: importing it fails
    problem = _problem(read_source(str(path)), Code.UNREADABLE)
    assert "pip install 'rammecalc[pdf]'" in problem.hint


def _words(*rows: list[tuple[str, float, float]], size: float = 10.0) -> list[pdfpage.Word]:
    """Words by (text, x0, x1), one list per row, 14 points apart."""
    return [pdfpage.Word(text, x0, x1, 100 + 14 * r, 110 + 14 * r, size)
            for r, row in enumerate(rows) for text, x0, x1 in row]


def test_layout_figures_in_tight_columns_stay_apart() -> None:
    # '99' and '8' are 3 points apart, less than a space: still two cells, for '8' cannot continue '99'. And
    # '1' and '200' are two cells too, though '200' could continue '1': '1' ends where the column of '99' ends.
    lines, cells = pdfpage.layout(_words([("Tiltak", 10, 40), ("99", 90, 100), ("8", 103, 108)],
                                         [("Sum", 10, 30), ("1", 95, 100), ("200", 103, 108)]))
    assert cells == [["Tiltak", "99", "8"], ["Sum", "1", "200"]]
    assert lines == ["Tiltak 99 8", "Sum 1 200"]


def test_layout_thousands_set_with_a_space_are_one_figure() -> None:
    _, cells = pdfpage.layout(_words([("Sum", 10, 30), ("11", 80, 90), ("999", 93, 108), ("46", 150, 160)],
                                     [("Tiltak", 10, 40), ("-6", 82, 90), ("452", 93, 108)]))
    assert cells == [["Sum", "11 999", "46"], ["Tiltak", "-6 452", ""]]


def test_layout_decimal_aligned_figures_are_one_column() -> None:
    # årsverk aligned on the decimal comma: right edges differ, the column is one.
    _, cells = pdfpage.layout(_words([("Rusteam", 10, 50), ("4", 100, 105)],
                                     [("Boteam", 10, 45), ("2,5", 100, 113)],
                                     [("Sum", 10, 30), ("8,6", 100, 113), ("kr", 160, 170)]))
    assert cells == [["Rusteam", "4", ""], ["Boteam", "2,5", ""], ["Sum", "8,6", "kr"]]


# --- files that are not tables ---------------------------------------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    problem = _problem(read_source(str(tmp_path / "nowhere.csv")), Code.NOT_FOUND)
    assert (problem.file, problem.line, problem.col) == (str(tmp_path / "nowhere.csv"), 0, 0)


def test_a_folder(tmp_path: Path) -> None:
    problem = _problem(read_source(str(tmp_path)), Code.UNREADABLE)
    assert "folder" in problem.message and problem.line == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    problem = _problem(read_source(str(fifo)), Code.UNREADABLE)
    assert "FIFO" in problem.message and problem.line == 0


def test_a_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    with path.open("wb") as file:
        file.truncate(32 * 1024 * 1024 + 1)  # sparse: no disk used
    problem = _problem(read_source(str(path)), Code.UNREADABLE)
    assert "more than the 32,0 MB" in problem.message


def test_a_page_or_sheet_for_the_wrong_kind(tmp_path: Path) -> None:
    path = tmp_path / "tabell.csv"
    path.write_text("a;1\n", encoding="utf-8")
    assert "not a PDF" in _problem(read_source(str(path), page=2), Code.INVALID).message
    assert "not an xlsx workbook" in _problem(read_source(str(path), sheet="Ark1"), Code.INVALID).message


def test_the_kind_comes_from_the_first_bytes_before_the_name(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "download.txt"  # an xlsx saved under a wrong name
    book = openpyxl.Workbook()
    book.active.append(["Sum", 3])
    book.save(path)
    source = _source(read_source(str(path)))
    assert (source.kind, source.cells) == ("xlsx", (("Sum", "3"),))


# --- the benchmark ---------------------------------------------------------------------------------------


def test_the_benchmark_script_runs() -> None:
    # A script, not a timed test: it runs and prints a time for each kind it can make.
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "import_sources.py"), "--repeats", "1"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    kinds = re.findall(r"^(text|csv|xlsx|pdf)\s+60 rows\s+[\d.]+ ms", out.stdout, re.MULTILINE)
    assert kinds[:3] == ["text", "csv", "xlsx"], out.stdout
