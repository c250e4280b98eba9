"""The workbook (``--format xlsx``, ``-o FILE.xlsx``): read back with openpyxl, its formulas recomputed.

Every formula is recomputed by a small evaluator of the formulas rammecalc writes (SUM, + − × ÷ ^, ROUND,
ROUNDUP, ROUNDDOWN, IF, MOD, references across sheets), in exact fractions, and compared with the figures
``roll --format json`` gives for the same cell, for every bundled table; where LibreOffice is installed
(``.ci/run`` installs it), the same workbook is recomputed by LibreOffice too and must agree. The figures
asserted on their own are the sources' printed figures (typed in the data files' headers), not ours.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from .conftest import ROOT, SEED000_FRAME

MINUS = "\u2212"
HEADER_ROW = 6  # the tables' header row: under the title, the three lines about it and a blank


# ----------------------------------------------------------------------------------------- the evaluator

_TOKEN = re.compile(r"""\s*(?:
    (?P<ref>(?:'(?:[^']|'')+'!)?\$?[A-Z]{1,3}\$?[0-9]+(?::\$?[A-Z]{1,3}\$?[0-9]+)?)(?![A-Z0-9(])
  | (?P<func>[A-Z][A-Z0-9.]*)\(
  | (?P<num>[0-9]+(?:\.[0-9]+)?)
  | (?P<str>"[^"]*")
  | (?P<op><>|<=|>=|[-+*/^=(),<>]))""", re.VERBOSE)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


class Book:
    """Recomputes a workbook's formulas exactly (Fraction), as Excel defines them."""

    def __init__(self, book: openpyxl.Workbook):
        self.book = book
        self.memo: dict[tuple[str, int, int], object] = {}

    def value(self, sheet: str, row: int, column: int):
        key = (sheet, row, column)
        if key not in self.memo:
            raw = self.book[sheet].cell(row, column).value
            if isinstance(raw, str) and raw.startswith("="):
                self.memo[key] = _Parser(self, sheet, raw[1:]).run()
            elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
                self.memo[key] = Fraction(Decimal(str(raw)))
            else:
                self.memo[key] = raw
        return self.memo[key]

    def formulas(self):
        for sheet in self.book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        yield sheet.title, cell


class _Parser:
    def __init__(self, book: Book, sheet: str, text: str):
        self.book, self.sheet = book, sheet
        self.tokens = []
        at = 0
        while at < len(text):
            m = _TOKEN.match(text, at)
            assert m and m.end() > at, f"cannot read {text[at:]!r} in {text!r}"
            self.tokens.append((m.lastgroup, m.group(m.lastgroup)))
            at = m.end()
        self.at = 0
        self.dry = 0  # > 0 while reading the branch of an IF that is not taken: read, not computed

    def run(self):
        value = self.comparison()
        assert self.at == len(self.tokens), self.tokens[self.at:]
        return value

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None)

    def take(self, op=None):
        token = self.tokens[self.at]
        assert op is None or token[1] == op, (token, op)
        self.at += 1
        return token

    def comparison(self):
        left = self.additive()
        if self.peek()[1] == "=":
            self.take()
            return _number(left) == _number(self.additive())
        return left

    def additive(self):
        value = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            right = self.term()
            value = _number(value) + _number(right) if op == "+" else _number(value) - _number(right)
        return value

    def term(self):
        value = self.power()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            right = _number(self.power())
            if op == "/" and self.dry:
                value = Fraction(0)
            else:
                value = _number(value) * right if op == "*" else _number(value) / right
        return value

    def power(self):
        value = self.unary()
        while self.peek()[1] == "^":
            self.take()
            value = _number(value) ** int(_number(self.unary()))
        return value

    def unary(self):
        if self.peek()[1] == "-":
            self.take()
            return -_number(self.unary())
        if self.peek()[1] == "+":
            self.take()
            return _number(self.unary())
        return self.primary()

    def primary(self):
        kind, text = self.take()
        if kind == "num":
            return Fraction(text)
        if kind == "str":
            return text[1:-1]
        if kind == "ref":
            return self.reference(text)
        if kind == "func":
            if text == "IF":  # only the branch taken is computed
                condition = self.comparison()
                branches = []
                while self.peek()[1] == ",":
                    self.take()
                    taken = (len(branches) == 0) == bool(condition)
                    self.dry += 0 if taken else 1
                    branches.append(self.comparison())
                    self.dry -= 0 if taken else 1
                self.take(")")
                return (branches + [""])[0 if condition else 1] if not self.dry else Fraction(0)
            args = []
            if self.peek()[1] != ")":
                args.append(self.comparison())
                while self.peek()[1] == ",":
                    self.take()
                    args.append(self.comparison())
            self.take(")")
            return _FUNCTIONS[text](*args) if not self.dry else Fraction(0)
        if text == "(":
            value = self.comparison()
            self.take(")")
            return value
        raise AssertionError(f"unexpected {text!r}")

    def reference(self, text: str):
        sheet = self.sheet
        if "!" in text:
            name, text = text.rsplit("!", 1)
            sheet = name[1:-1].replace("''", "'")
        parts = [re.fullmatch(r"\$?([A-Z]+)\$?([0-9]+)", p).groups() for p in text.split(":")]
        (c1, r1), (c2, r2) = parts[0], parts[-1]
        if self.dry:
            return Fraction(0)
        cells = [self.book.value(sheet, r, c) for r in range(int(r1), int(r2) + 1)
                 for c in range(_column_number(c1), _column_number(c2) + 1)]
        return cells if ":" in text else cells[0]


def _number(value) -> Fraction:
    if value is None or value == "":
        return Fraction(0)
    assert isinstance(value, (Fraction, bool)), f"not a number: {value!r}"
    return Fraction(value)


def _round(value, places, mode: str) -> Fraction:
    x, d = _number(value), int(_number(places))
    scaled = x * 10 ** d
    sign = -1 if scaled < 0 else 1
    whole, rest = divmod(abs(scaled), 1)
    if mode == "half" and rest >= Fraction(1, 2) or mode == "up" and rest:
        whole += 1
    return sign * whole / Fraction(10) ** d


def _sum(*args) -> Fraction:
    total = Fraction(0)
    for arg in args:
        for v in arg if isinstance(arg, list) else [arg]:
            if isinstance(v, Fraction):
                total += v
    return total


_FUNCTIONS = {
    "SUM": _sum,
    "ROUND": lambda x, d: _round(x, d, "half"),
    "ROUNDUP": lambda x, d: _round(x, d, "up"),
    "ROUNDDOWN": lambda x, d: _round(x, d, "down"),
    "MOD": lambda a, b: _number(a) - _number(b) * (_number(a) / _number(b)).__floor__(),
}


def test_the_evaluator_computes_as_excel():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "a-b"
    sheet["A1"], sheet["A2"], sheet["A3"] = 1.5, -2.25, None
    sheet["B1"] = "=SUM(A1:A3)+A1*2-1"
    sheet["B2"] = "=ROUND(A2,1)"  # half away from zero: −2,25 → −2,3
    sheet["B3"] = '=IF(A3=0,"",A1/A3)'
    sheet["B4"] = "=ROUNDDOWN(-2.9,0)+ROUNDUP(2.1,0)+MOD(-2.5,2)+10^-1"
    other = book.create_sheet("o'x")
    other["A1"] = "='a-b'!B1*2"
    b = Book(book)
    assert b.value("a-b", 1, 2) == Fraction(5, 4)
    assert b.value("a-b", 2, 2) == Fraction(-23, 10)
    assert b.value("a-b", 3, 2) == ""
    assert b.value("a-b", 4, 2) == Fraction(-2 + 3) + Fraction(3, 2) + Fraction(1, 10)
    assert b.value("o'x", 1, 1) == Fraction(5, 2)


# ----------------------------------------------------------------------------------------- the workbook


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    """``rammecalc roll data -o rammer.xlsx``, run once, as a user runs it."""
    folder = tmp_path_factory.mktemp("xlsx")
    target = folder / "rammer.xlsx"
    run = subprocess.run([sys.executable, "-m", "rammecalc", "roll", "data", "-o", str(target)], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    as_json = subprocess.run([sys.executable, "-m", "rammecalc", "roll", "data", "--format", "json"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    return target, openpyxl.load_workbook(target), json.loads(as_json, parse_float=Decimal)


def _sheet_of(book: openpyxl.Workbook, file: str):
    """The sheet whose header names ``file`` (the fourth line of every table's sheet)."""
    found = [s for s in book.worksheets if s.cell(4, 1).value == file]
    assert len(found) == 1, file
    return found[0]


def _exact(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(value.numerator) / Decimal(value.denominator)


def test_every_sheet_is_there_contents_first_checks_last(workbook):
    _, book, data = workbook
    names = book.sheetnames
    assert names[0] == "Innhold" and names[-1] == "Kontroll"
    assert len(names) == 2 + len(data["frames"]) + len(data["tables"]) + len(data["links"])
    assert all(len(n) <= 31 for n in names)
    for item in data["frames"] + data["tables"]:
        sheet = _sheet_of(book, item["file"])
        assert sheet.cell(1, 1).value.startswith(item["municipality"])


def test_every_formula_gives_rammecalcs_figure_in_every_bundled_frame(workbook):
    _, book, data = workbook
    compared, formulas = _frames_agree(book, data)
    assert compared > 300 and formulas > 90


def test_a_frame_of_blocks_with_its_own_starts_computes_as_the_roll(cli, tmp_path):
    # the synthetic frame of blocks (tests/fixtures/blocks): each block's base line and sum, the new frame the
    # sum of the blocks; in Excel each block's next start is its own sum the year before
    frame = ROOT / "tests" / "fixtures" / "blocks" / "frames" / "syntetisk-blokker.yaml"
    assert cli("roll", frame, "-o", tmp_path / "b.xlsx").exit_code == 0
    data = json.loads(cli("roll", frame, "-f", "json").stdout, parse_float=Decimal)
    book = openpyxl.load_workbook(tmp_path / "b.xlsx")
    compared, formulas = _frames_agree(book, data)
    assert compared > 20 and formulas > 10


def _frames_agree(book: openpyxl.Workbook, data: dict) -> tuple[int, int]:
    """Every figure of every frame in ``data`` (roll's JSON) against the workbook's cell, formulas computed."""
    b = Book(book)
    compared = formulas = 0
    for frame in data["frames"]:
        sheet = _sheet_of(book, frame["file"])
        numbered = any(row["reference"] for row in frame["rows"])
        label_column = 2 if numbered else 1
        first = label_column + 1 + len(frame["text_columns"])
        for r, row in enumerate(frame["rows"]):
            at = HEADER_ROW + 1 + r
            assert sheet.cell(at, label_column).value.rstrip(" *") == row["label"]
            for c, column in enumerate(frame["columns"]):
                expected = row["values"][str(column["year"])]
                cell = sheet.cell(at, first + c)
                got = b.value(sheet.title, at, first + c)
                if row["kind"] == "start" and not frame["has_base"]:
                    assert got == "–"
                    continue
                if expected is None:  # blank in rammecalc: blank, or a formula giving 0 whose 0 is not shown
                    assert got is None or (got == 0 and cell.number_format.endswith(";")), (sheet.title, at)
                    continue
                assert _exact(got) == expected, (sheet.title, cell.coordinate, cell.value, got, expected)
                compared += 1
                formulas += isinstance(cell.value, str) and cell.value.startswith("=")
    return compared, formulas


def test_every_formula_gives_rammecalcs_figure_in_every_bundled_table(workbook):
    _, book, data = workbook
    b = Book(book)
    compared = formulas = 0
    for table in data["tables"]:
        sheet = _sheet_of(book, table["file"])
        transposed = sheet.cell(HEADER_ROW + 1, 1).value == table["columns"][0]["label"]
        shown = [r for r, row in enumerate(table["rows"]) if not row["heading"]]
        numbered = any(row["number"] for row in table["rows"])
        for r, row in enumerate(table["rows"]):
            if row["heading"]:
                continue
            for c, column in enumerate(table["columns"]):
                if column["role"] == "tekst" or column["id"] not in row["values"]:
                    continue
                expected = row["values"][column["id"]]
                if expected is None or (column["share"] or row["definition"] and "÷" in row["definition"]) \
                        and not row["printed"].get(column["id"]):
                    continue  # a blank, or a per cent the source does not print (not invented)
                at = (HEADER_ROW + 1 + c, 2 + shown.index(r)) if transposed else \
                    (HEADER_ROW + 1 + r, (3 if numbered else 2) + c)
                got = b.value(sheet.title, *at)
                assert _exact(got) == expected, (sheet.title, at, sheet.cell(*at).value, got, expected)
                compared += 1
                formulas += str(sheet.cell(*at).value).startswith("=")
    assert compared > 250 and formulas > 60


def test_sums_new_frames_and_avvik_are_live_formulas(workbook):
    _, book, _ = workbook
    molde = _sheet_of(book, "data/frames/molde-2017-ressurstjenesten.yaml")
    # rows: 7 the start, 8–9 its split, 10 Lønns- og prisvekst, 11–14 its items, 15 Andre rammeendringer,
    # 16–19 its items, 20 Ny driftsramme; columns B–F 2016–2020
    assert molde["B10"].value == "=SUM(B11:B14)"
    assert molde["C15"].value == "=SUM(C16:C19)"
    assert molde["C20"].value == "=SUM(C7,C10,C15)"
    assert molde["C7"].value == "=B20"  # inkrementell: 2017 starts from 2016's new frame
    assert molde["B7"].value == 9681 and molde["C13"].value == 46  # the base and an item: as written
    investment = _sheet_of(book, "data/tables/molde-2018-ressurstjenesten-investering.yaml")
    avvik = [c for row in investment.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert avvik, "the avvik column is a formula"
    giske = _sheet_of(book, "data/tables/giske-2022-bevilgningsoversikt-drift.yaml")
    # row 5 Sum generelle driftsinntekter, Regnskap 2022: the source prints 626 833, one more than rows 1–4
    # (626 832), rounded on its own; the file records it, and the formula carries it with the record's words
    assert giske["C11"].value == "=SUM(C7:C10)+1"
    assert "626 832" in giske["C11"].comment.text
    assert giske["C15"].value == "=C11-C14"  # row 9 Brutto driftsresultat = 5 − 8


def test_figures_are_the_sources_printed_figures(workbook):
    _, book, _ = workbook
    b = Book(book)
    molde = _sheet_of(book, "data/frames/molde-2017-ressurstjenesten.yaml").title
    # Molde 2017, Ressurstjenesten: Ny driftsramme 9 864 (2016) and 11 999 (2017 to 2020), as printed
    assert [b.value(molde, 20, c) for c in range(2, 7)] == [9864, 11999, 11999, 11999, 11999]
    assert [b.value(molde, r, 3) for r in (7, 10, 15)] == [9864, 26, 2109]
    giske = _sheet_of(book, "data/tables/giske-2022-bevilgningsoversikt-drift.yaml").title
    # Giske, Løyvingsoversikt - Drift 2022, Regnskap 2022: rows 5 (626 833) and 9 (57 080) as printed
    assert b.value(giske, 11, 3) == 626833 and b.value(giske, 15, 3) == 57080
    bridge = _sheet_of(book, "data/tables/eksempel-2025-rammebro.yaml").title
    # the synthetic bridge's sum row, Ramme 2025: printed 1 362,7 (the sum of the units' new frames)
    assert b.value(bridge, 10, 7) == Fraction("1362.7")


def test_an_edit_flows_through_the_formulas(workbook):
    path, _, _ = workbook
    book = openpyxl.load_workbook(path)
    molde = _sheet_of(book, "data/frames/molde-2017-ressurstjenesten.yaml")
    molde["C13"] = 146  # Prisjustering 2017, 46 → 146
    b = Book(book)
    assert b.value(molde.title, 10, 3) == 126  # Lønns- og prisvekst 2017
    assert b.value(molde.title, 20, 3) == 12099  # Ny driftsramme 2017
    assert b.value(molde.title, 7, 4) == 12099 and b.value(molde.title, 20, 6) == 12099  # and every year after


def test_numbers_have_the_norwegian_format(workbook):
    _, book, _ = workbook
    molde = _sheet_of(book, "data/frames/molde-2017-ressurstjenesten.yaml")
    assert molde["B8"].number_format == f'#,##0;"{MINUS}"#,##0;#,##0'
    assert isinstance(molde["B8"].value, int) and molde["B8"].value == -6452  # a number, not a text
    bridge = _sheet_of(book, "data/tables/eksempel-2025-rammebro.yaml")
    assert bridge["B7"].number_format == f'#,##0.0;"{MINUS}"#,##0.0;#,##0.0'
    result = _sheet_of(book, "data/tables/molde-2018-ressurstjenesten.yaml")
    percent = [c for row in result.iter_rows() for c in row if '" %"' in (c.number_format or "")]
    assert [c.number_format for c in percent] == [f'0.0" %";"{MINUS}"0.0" %";0.0" %"']
    assert percent[0].value.startswith('=IF(') and "ROUND(" in percent[0].value
    assert Book(book).value(result.title, percent[0].row, percent[0].column) == Fraction("-8.1")  # as printed
    askoy = _sheet_of(book, "data/frames/askoy-2018-kommunalavdeling-stab.yaml")
    labels = {askoy.cell(r, 1).value: askoy.cell(r, 1).alignment.indent for r in range(7, 12)}
    assert labels["Budsjettramme B 2017"] == 1 and labels["Budsjettramme justert for lønns- og prisvekst"] == 0


def test_the_check_sheet_links_each_problem_to_its_cell(workbook):
    _, book, _ = workbook
    checks = book["Kontroll"]
    rows = [[c.value for c in row] for row in checks.iter_rows(min_row=5)]
    assert len(rows) == 21  # rammecalc check data: 0 errors, 21 warnings
    assert {r[0] for r in rows} == {"advarsel"}
    giske = [row for row in checks.iter_rows(min_row=5)
             if row[2].value and row[2].value.startswith("giske-2022") and row[4].value and
             row[4].value.startswith("5 Sum generelle driftsinntekter, Regnskap")]
    assert len(giske) == 1
    link = giske[0][3].hyperlink.location
    sheet, cell = link.rsplit("!", 1)
    assert book[sheet.strip("'")][cell].value == "=SUM(C7:C10)+1"
    contents = book["Innhold"]
    assert contents["A3"].value == "Kontroll: 0 feil, 21 advarsler"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_computes_the_same_figures(workbook, tmp_path):
    path, book, _ = workbook
    run = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--calc",
                          "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(path)],
                         capture_output=True, text=True, timeout=180, check=False)
    assert run.returncode == 0, run.stderr
    computed = openpyxl.load_workbook(tmp_path / "out" / path.name, data_only=True)
    b = Book(book)
    checked = 0
    for sheet, cell in b.formulas():
        ours = b.value(sheet, cell.row, cell.column)
        theirs = computed[sheet].cell(cell.row, cell.column).value
        if ours == "":
            assert theirs in (None, ""), (sheet, cell.coordinate)
            continue
        assert theirs is not None and abs(Fraction(Decimal(str(theirs))) - ours) < Fraction(1, 10**6), \
            (sheet, cell.coordinate, cell.value, theirs, ours)
        checked += 1
    assert checked > 180


# --------------------------------------------------------------------------------------- the command line


def test_compare_writes_a_workbook_whose_sums_follow(cli, tmp_path):
    target = tmp_path / "varianter.xlsx"
    result = cli("compare", "data", "-s", "tiltak-12-utsatt", "-o", target)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    sheet = book["Varianter"]
    b = Book(book)
    # the README's comparison: the variant's 2024 frame is 24 400, 2 000 above the base's 22 400
    labels = [sheet.cell(r, 1).value for r in range(7, sheet.max_row + 1)]
    variant = 7 + labels.index("Tiltak 12 (fra base- til ambulerende tjenester) ett år senere")
    assert b.value("Varianter", 7, 4) == 22400
    assert b.value("Varianter", variant, 4) == 24400 and b.value("Varianter", variant + 1, 4) == 2000
    assert sheet.cell(variant, 4).value.startswith("=")


def test_xlsx_needs_a_file(cli):
    result = cli("roll", SEED000_FRAME, "--format", "xlsx")
    assert result.exit_code == 2
    assert "--format xlsx writes a file" in result.stderr and "--output" in result.stderr


def test_the_extension_chooses_the_format_and_format_wins(cli, tmp_path):
    assert cli("roll", SEED000_FRAME, "-o", tmp_path / "r.xlsx").exit_code == 0
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"  # a zip: a workbook
    assert cli("roll", SEED000_FRAME, "-o", tmp_path / "r.json").exit_code == 0
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["format"] == "rammecalc.roll/2"
    assert cli("roll", SEED000_FRAME, "-f", "json", "-o", tmp_path / "r.txt").exit_code == 0
    assert (tmp_path / "r.txt").read_text(encoding="utf-8").startswith("{")
    assert cli("roll", SEED000_FRAME, "-o", tmp_path / "r.md").exit_code == 0
    assert "| **Ny driftsramme** | 9 864 | 11 999 |" in (tmp_path / "r.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["rammer.pdf", "rammer.xls", "bro.svg"])
def test_an_unknown_extension_is_refused_before_anything_is_written(cli, tmp_path, name):
    result = cli("roll", SEED000_FRAME, "-o", tmp_path / name)
    assert result.exit_code == 2
    assert f"'{Path(name).suffix}' is not a format 'rammecalc roll' writes" in result.stderr
    assert ".xlsx (xlsx)" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_roll_to_the_terminal_does_not_load_openpyxl():
    code = ("import sys\nsys.argv = ['rammecalc', 'roll', %r]\nfrom rammecalc.cli import app\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
            ).replace("%r", repr(str(SEED000_FRAME)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(out.stderr.split())
    assert "Ny driftsramme" in out.stdout
    assert not {m for m in modules if m.split(".")[0] in ("openpyxl", "resvg_py")}
    assert not {"rammecalc.xlsx", "rammecalc.layout", "rammecalc.chart", "rammecalc.htmlreport"} & modules
