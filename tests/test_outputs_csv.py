"""CSV for spreadsheets: the excel-no dialect (';', a decimal comma, a byte-order mark) and the wide
layout (rows × columns as the table prints them), each parsed back with ``csv`` and the decimal comma. The
figures asserted are the sources' printed ones (the data files' headers quote them)."""

from __future__ import annotations

import csv
import io
import textwrap
from decimal import Decimal

import pytest

from .conftest import SEED000_FRAME

BOM = "\ufeff"
BRIDGE = "data/tables/eksempel-2025-rammebro.yaml"
ACCOUNTS = "data/tables/molde-2018-ressurstjenesten.yaml"


def parse(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def comma(text: str) -> Decimal:
    """A figure as a Norwegian spreadsheet reads it: a decimal comma, a hyphen-minus."""
    return Decimal(text.replace(",", "."))


def block(rows: list[list[str]], title: str) -> list[list[str]]:
    """The lines of one table in a wide CSV: from its title to the blank line after it."""
    start = rows.index([title])
    end = next((n for n in range(start, len(rows)) if not rows[n]), len(rows))
    return rows[start + 1:end]


def test_the_plain_long_csv_stays_the_default(cli):
    text = cli("roll", SEED000_FRAME, "-f", "csv").stdout
    assert not text.startswith(BOM) and "\r\n" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["frame"] == "molde-2017-ressurstjenesten"
    assert [r["value"] for r in rows if r["kind"] == "new_frame"] == ["9864", "11999", "11999", "11999", "11999"]


def test_the_excel_no_dialect_of_the_long_csv(cli):
    plain = list(csv.DictReader(io.StringIO(cli("roll", SEED000_FRAME, "-f", "csv").stdout)))
    text = cli("roll", SEED000_FRAME, "-f", "csv", "--dialect", "excel-no").stdout
    assert text.startswith(BOM) and text.count("\n") == len(plain) + 1
    rows = list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert len(rows) == len(plain) and rows[0].keys() == plain[0].keys()
    for ours, theirs in zip(rows, plain, strict=True):
        assert ours["label"] == theirs["label"]
        assert (comma(ours["value"]) if ours["value"] else None) == (Decimal(theirs["value"]) if theirs["value"]
                                                                      else None)
    # the income row of the start's split, as printed: −6 452, written as Excel reads a negative number
    assert [r["value"] for r in rows if r["label"] == "Driftsinntekter" and r["year"] == "2016"] == ["-6452"]


def test_the_wide_csv_lays_out_the_frame_as_printed(cli):
    rows = parse(cli("roll", SEED000_FRAME, "-f", "csv", "--layout", "wide").stdout, ",")
    lines = block(rows, "Molde kommune · Ressurstjenesten")
    assert lines[0] == ["Beløp i 1 000 kr", "Revidert 2016", "Budsjett 2017", "Økonomiplan 2018",
                        "Økonomiplan 2019", "Økonomiplan 2020"]
    by_label = {line[0]: line[1:] for line in lines[1:]}
    # Molde's Ressurstjenesten, budget 2017: the figures as printed
    assert by_label["Ny driftsramme"] == ["9864", "11999", "11999", "11999", "11999"]
    assert by_label["Lønns- og prisvekst"] == ["183", "26", "", "", ""]
    assert by_label["  Egenfinansiering av lønnsoppgjør 2017 – 2,2 pst. finansieres med økning i egne inntekter"] \
        == ["", "-127", "", "", ""]


def test_the_wide_csv_in_the_excel_no_dialect_has_tables_too_with_decimal_commas(cli):
    text = cli("roll", BRIDGE, ACCOUNTS, "-f", "csv", "--layout", "wide", "--dialect", "excel-no").stdout
    assert text.startswith(BOM)
    rows = parse(text[1:], ";")
    bridge = block(rows, "Eksempel kommune")
    assert bridge[0][:3] == ["Beløp i mill. kr", "Opprinnelig ramme 2024", "Lønns- og prisvekst"]
    oppvekst = next(line for line in bridge if line[0] == "Oppvekst")
    assert [comma(x) for x in oppvekst[1:]] == [Decimal(x) for x in ("512.4", "21.5", "-3.2", "4.0", "2.5",
                                                                      "537.2")]
    total = next(line for line in bridge if line[0] == "Sum")
    assert comma(total[6]) == Decimal("1362.7")  # printed 1 362,7 (a known difference of −0,1 against its row)
    # Molde's accounts, printed with the years across (transposed), as the source prints them
    accounts = block(rows, "Molde kommune · Ressurstjenesten")
    assert accounts[0] == ["Beløp i 1 000 kr", "2015", "2016", "2017", "2018"]
    assert accounts[3][0] == "Avvik" and [comma(x) for x in accounts[3][1:]] == [100, 1142, -1111, -3842]
    assert accounts[4][0] == "Resultat" and accounts[4][1:] == ["", "", "", "-8,1"]


def test_the_wide_csv_leaves_links_out_with_a_word(cli):
    result = cli("roll", "data", "-f", "csv", "--layout", "wide")
    assert result.exit_code == 0
    assert "1 links file(s) are left out" in result.stderr
    titles = [line[0] for line in parse(result.stdout, ",") if len(line) == 1]
    assert "Giske kommune" in titles and "Trondheim kommune · Psykisk helse og rus" in titles


def test_compare_in_the_wide_layout(cli):
    text = cli("compare", "data", "-s", "tiltak-12-utsatt", "-f", "csv", "--layout", "wide",
               "--dialect", "excel-no").stdout
    rows = parse(text[1:], ";")
    assert rows[1] == ["", "2022", "2023", "2024", "2025"]
    variant = rows.index(next(r for r in rows if r[0].startswith("Tiltak 12")))
    assert [comma(x) for x in rows[variant][1:]] == [3300, 15200, 24400, 23600]
    assert rows[variant + 1] == ["  differanse", "0", "0", "2000", "0"]


def test_a_csv_file_by_its_extension(cli, tmp_path):
    target = tmp_path / "rammer.csv"
    assert cli("roll", SEED000_FRAME, "-o", target, "--dialect", "excel-no").exit_code == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b";" in data and "Økonomiplan".encode() in data


def test_layout_and_dialect_are_for_csv_only(cli):
    result = cli("roll", SEED000_FRAME, "--layout", "wide")
    assert result.exit_code == 2 and "--layout is for CSV, and the format is table" in result.stderr


@pytest.fixture
def odd_labels(tmp_path):
    """A frame whose labels a spreadsheet would read as formulas."""
    (tmp_path / "ramme.yaml").write_text(textwrap.dedent("""
        type: ramme
        id: f
        kommune: K
        enhet: E
        kilde: {dokument: D}
        beløpsenhet: 1 000 kr
        konvensjon: nivå
        kolonner: {2024: B 2024}
        utgangspunkt: {etikett: Start, beløp: 100}
        endringer: [endringer.yaml]
        """), encoding="utf-8")
    (tmp_path / "endringer.yaml").write_text(textwrap.dedent("""
        type: endringer
        ramme: f
        kilde: {dokument: D}
        poster:
          - {id: a, etikett: '=1+1', beløp: {2024: 5}}
          - {id: b, etikett: '-kutt', beløp: {2024: -5}}
        """), encoding="utf-8")
    return tmp_path / "ramme.yaml"


def test_a_label_a_spreadsheet_would_run_is_kept_a_text(cli, odd_labels):
    rows = parse(cli("roll", odd_labels, "-f", "csv", "--layout", "wide", "--dialect", "excel-no").stdout[1:], ";")
    labels = [r[0] for r in rows if r]
    assert "'=1+1" in labels and "'-kutt" in labels
    long = list(csv.DictReader(io.StringIO(cli("roll", odd_labels, "-f", "csv", "--dialect", "excel-no")
                                           .stdout[1:], newline=""), delimiter=";"))
    assert [r["label"] for r in long if r["kind"] == "item"] == ["'=1+1", "'-kutt"]
    assert [r["value"] for r in long if r["kind"] == "item"] == ["5", "-5"]  # figures stay numbers
    plain = parse(cli("roll", odd_labels, "-f", "csv", "--layout", "wide").stdout, ",")
    assert "=1+1" in [r[0] for r in plain if r]  # for scripts: as written
