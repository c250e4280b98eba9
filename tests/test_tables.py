"""The features of ``type: tabell``, each with the smallest table that shows it.

Every expected figure is worked out by hand in the comment beside it, from the figures written in the test
(or, for table 17, from shared/tables/17_giske-2022-lovingsoversikt-drift.txt), never taken from our output.
"""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from rammecalc.core.table import Table, check, grid

from .conftest import DATA

D = Decimal


def table_yaml(rows: str, columns: str = "[{id: a, etikett: A}]", head: str = "", unit: str = "kr") -> str:
    """A table 't' with the given columns and rows (``rows`` as the lines under ``rader:``, dedented)."""
    return (f"type: tabell\nid: t\nkommune: K\nkilde: {{dokument: D}}\nbeløpsenhet: {unit}\n{head}"
            f"kolonner: {columns}\nrader:\n" + textwrap.indent(textwrap.dedent(rows), "  "))


def write(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def loaded_table(tmp_path: Path, text: str, name: str = "t.yaml") -> Table:
    from rammecalc import load

    loaded = load([write(tmp_path, {name: text}) / name])
    assert loaded.problems == [], loaded.problems
    (table,) = loaded.tables
    return table


def values(table: Table, column: str = "a") -> dict[str, Decimal | None]:
    """Each row's figure in ``column`` as its relation gives it (printed operands, as the table was made)."""
    built, problems = grid(table)
    assert problems == []
    return {table.row_name(i): built.value((str(i), column)) for i, r in enumerate(table.rows) if not r.is_heading}


def where(text: str, anchor: str, token: str) -> tuple[int, int]:
    """1-based (line, column) of ``token`` in the first line holding ``anchor``, searched after the anchor."""
    for number, line in enumerate(text.splitlines(), start=1):
        if anchor in line:
            return number, line.index(token, line.index(anchor)) + 1
    raise AssertionError(f"{anchor!r} not found")


def report(cli, root: Path, *args: str) -> tuple[int, list[tuple]]:
    """``check --report json``: the exit code and each problem's (line, column, code, message)."""
    result = cli("check", "--report", "json", *args, cwd=root)
    return result.exit_code, [(p["line"], p["column"], p["code"], p["message"])
                              for p in json.loads(result.stdout)["problems"]]


# --------------------------------------------------------------------------------------------- sums

SUMS = table_yaml("""\
    - {nr: 1, etikett: R1, beløp: [1]}
    - {nr: 2, etikett: R2, beløp: [2]}
    - {nr: 3, etikett: R3, beløp: [4]}
    - {nr: 4, etikett: Range, sum: 1-3, beløp: [7]}
    - {nr: 5, etikett: Range with a dash, sum: 1–3, beløp: [7]}
    - {nr: 6, etikett: List, sum: [1, 3], beløp: [5]}
    - overskrift: H
    - {nr: 7, etikett: R7, beløp: [8]}
    - {nr: 8, etikett: R8, beløp: [16]}
    - {nr: 9, etikett: Over a heading, sum: over, beløp: [24]}
    - {nr: 10, etikett: R10, beløp: [32]}
    - {nr: 11, etikett: Over a result, sum: over, beløp: [32]}
    - {nr: 12, etikett: Total, sum: alle, beløp: [63]}
    """)


def test_row_sums_by_range_list_over_and_alle(tmp_path):
    t = loaded_table(tmp_path, SUMS)
    assert values(t) == {
        "1 R1": 1, "2 R2": 2, "3 R3": 4,
        "4 Range": 7,               # 1 + 2 + 4, rows 1 to 3 in printed order
        "5 Range with a dash": 7,   # '1–3' (an en dash) reads the same
        "6 List": 5,                # 1 + 4
        "7 R7": 8, "8 R8": 16,
        "9 Over a heading": 24,     # 8 + 16: 'over' stops at the heading H
        "10 R10": 32,
        "11 Over a result": 32,     # 32: 'over' stops at the result row 9
        "12 Total": 63,             # 1 + 2 + 4 + 8 + 16 + 32: every row with no relation of its own
    }
    assert check(t) == []


@pytest.mark.parametrize(("row", "printed", "message"), [
    ("Range with a dash", "7", "5 Range with a dash, A: published 8, computed 7 (sum 1–3: 1 + 2 + 4) (difference +1)"),
    ("List", "5", "6 List, A: published 6, computed 5 (sum 1, 3: 1 + 4) (difference +1)"),
    ("Over a heading", "24", "9 Over a heading, A: published 25, computed 24 (sum over: 8 + 16) (difference +1)"),
    ("Total", "63", "12 Total, A: published 64, computed 63 (sum alle: 1 + 2 + 4 + 8 + 16 + 32) (difference +1)"),
])
def test_a_sum_printed_one_more_is_reported_at_its_cell(cli, tmp_path, row, printed, message):
    lines = SUMS.splitlines()
    (index,) = [i for i, line in enumerate(lines) if f"etikett: {row}," in line]
    wrong = int(printed) + 1
    lines[index] = lines[index].replace(f"beløp: [{printed}]", f"beløp: [{wrong}]")
    write(tmp_path, {"t.yaml": "\n".join(lines) + "\n"})
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 1
    column = lines[index].index(f"[{wrong}]") + 2
    assert problems == [(index + 1, column, "total-mismatch" if row == "Total" else "subtotal-mismatch", message)]


def test_over_with_no_rows_above_is_refused_at_the_sum(cli, tmp_path):
    write(tmp_path, {"t.yaml": table_yaml("""\
        - overskrift: H
        - {etikett: S, sum: over, beløp: [1]}
        """)})
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 2
    assert problems == [(9, 23, "input-unknown-figure",
                         "no rows between this one and the heading or result row above")]


# ----------------------------------------------------------------------------------------- formulas


def test_formulas_subtract_and_read_ids_with_hyphens(tmp_path):
    t = loaded_table(tmp_path, table_yaml("""\
        - {nr: 10, etikett: Renteinntekter, beløp: [5]}
        - {nr: 11, etikett: Utbytter, beløp: [3]}
        - {nr: 12, etikett: Gevinster, beløp: [-2]}
        - {nr: 13, etikett: Renteutgifter, beløp: [4]}
        - {nr: 14, etikett: Avdrag, beløp: [1]}
        - {nr: 15, etikett: Netto, formel: 10 + 11 + 12 - 13 - 14, beløp: [1]}
        - {id: sum-drift, etikett: Drift, beløp: [10]}
        - {id: sum-inv, etikett: Investering, beløp: [4]}
        - {id: netto-i-alt, etikett: Netto i alt, formel: sum-drift - sum-inv, beløp: [6]}
        - {id: printed-minus, etikett: Med minustegn, formel: sum-drift − 10 – 14, beløp: [4]}
        """))
    got = values(t)
    assert got["15 Netto"] == 5 + 3 - 2 - 4 - 1 == 1
    assert got["Netto i alt"] == 10 - 4 == 6  # 'sum-drift - sum-inv': two ids, not sum − drift − sum − inv
    assert got["Med minustegn"] == 10 - 5 - 1 == 4  # '−' and '–' subtract as '-' does
    assert check(t) == []


def test_a_formula_mismatch_names_the_figures_it_read(cli, tmp_path):
    text = table_yaml("""\
        - {id: sum-drift, etikett: Drift, beløp: [10]}
        - {id: sum-inv, etikett: Investering, beløp: [4]}
        - {id: netto, etikett: Netto, formel: sum-drift - sum-inv, beløp: [7]}
        """)
    write(tmp_path, {"t.yaml": text})
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 1
    # 10 − 4 = 6, printed 7
    assert problems == [(*where(text, "id: netto", "7]"), "formula-mismatch",
                         "Netto, A: published 7, computed 6 (sum-drift − sum-inv: 10 − 4) (difference +1)")]


# ----------------------------------------------------------------------------------------------- lik


def test_lik_a_row_of_the_same_table(cli, tmp_path):
    text = table_yaml("""\
        - {nr: 17, etikett: Netto driftsresultat, beløp: [5, 9]}
        - {nr: 24, etikett: Sum disponeringer, lik: 17, beløp: [5, 8]}
        """, columns="[{id: a, etikett: A}, {id: b, etikett: B}]")
    write(tmp_path, {"t.yaml": text})
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 1
    # 24 = 17 column by column: 5 = 5; 8 against 9
    assert problems == [(*where(text, "nr: 24", "8]"), "link-mismatch",
                         "24 Sum disponeringer, B: published 8, computed 9 (lik 17: 9) (difference −1)")]


def other_table(unit: str = "1 000 kr", head: str = "") -> str:
    return table_yaml("""\
        - {nr: 6, etikett: Sum bevilgninger drift, beløp: [529102, 525395]}
        """, columns="[{id: regnskap, etikett: Regnskap 2022, år: 2022}, {id: budsjett, etikett: Budsjett 2022, "
                     "år: 2022}]", unit=unit, head=head).replace("id: t\n", "id: other\n")


def test_lik_one_cell_of_another_file(cli, tmp_path):
    # Only the one cell is compared: this table's 'r22' with the other's row 6, column 'regnskap' (529 102).
    write(tmp_path, {"other.yaml": other_table(), "t.yaml": table_yaml("""\
        - id: sum
          etikett: Sum
          lik: {fil: other.yaml, rad: 6, kolonne: regnskap, i: r22}
          beløp: [529102, 556897]
        """, columns="[{id: r22, etikett: Regnskap 2022, år: 2022}, {id: b23, etikett: Budsjett 2023, år: 2023}]",
                                                                unit="1 000 kr")})
    code, problems = report(cli, tmp_path, "t.yaml")
    assert (code, problems) == (0, [])
    text = (tmp_path / "t.yaml").read_text(encoding="utf-8").replace("[529102, 556897]", "[529103, 556897]")
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 1
    # the other's 529 102, named where it is printed
    other = where(other_table(), "nr: 6", "529102")
    assert problems == [(*where(text, "beløp: [529103", "529103"), "link-mismatch",
                         ("Sum, Regnskap 2022: published 529 103, computed 529 102 "
                          f"(lik other.yaml, other.yaml:{other[0]}:{other[1]}) (difference +1)"))]


def test_lik_across_units_is_equal_within_the_coarser_rounding(cli, tmp_path):
    # 529,1 mill. kr is 529 100 000 ± 50 000 kr: 529 102 (1 000 kr) is 529 102 000 kr, 2 000 away: equal.
    # 529,0 mill. kr is 102 000 kr away: beyond it.
    files = {"other.yaml": other_table(), "t.yaml": table_yaml("""\
        - {etikett: Sum, lik: {fil: other.yaml, rad: 6, kolonne: regnskap, i: r22}, beløp: ['529,1']}
        """, columns="[{id: r22, etikett: Regnskap 2022, år: 2022}]", unit="mill. kr", head="desimaler: 1\n")}
    assert report(cli, write(tmp_path / "near", files), "t.yaml") == (0, [])
    files["t.yaml"] = files["t.yaml"].replace("'529,1'", "'529,0'")
    code, problems = report(cli, write(tmp_path / "far", files), "t.yaml")
    assert code == 1 and [(line, column, c) for line, column, c, _ in problems] == [
        (*where(files["t.yaml"], "etikett: Sum,", "'529,0'"), "link-mismatch")]


# ----------------------------------------------------------------------------------------------- fra

FRAME = """\
type: ramme
id: f
kommune: K
enhet: E
kilde: {dokument: D}
beløpsenhet: 1 000 kr
konvensjon: nivå
kolonner: {2024: B2024, 2025: B2025}
utgangspunkt: {etikett: U, beløp: 100}
grupper: [{id: g, etikett: G}]
ny_driftsramme: {etikett: Ny driftsramme, publisert: {2024: 110}}
endringer: [../changes/c.yaml]
"""
CHANGES = """\
type: endringer
ramme: f
kilde: {dokument: D}
poster:
  - {id: a, etikett: A, kategori: annet, gruppe: g, beløp: {2024: 10, 2025: 20}}
"""
FROM_FRAME = table_yaml("""\
    - {nr: 1, etikett: Ramme, fra: {fil: ../frames/f.yaml, rad: ny_driftsramme}, beløp: [110, 121]}
    - {nr: 2, etikett: Ramme uten tall, fra: {fil: ../frames/f.yaml, rad: ny_driftsramme}}
    """, columns="[{id: b24, etikett: B 2024, år: 2024}, {id: b25, etikett: B 2025, år: 2025}]", unit="1 000 kr")


def frame_files() -> dict[str, str]:
    return {"frames/f.yaml": FRAME, "changes/c.yaml": CHANGES, "tables/t.yaml": FROM_FRAME}


def test_fra_a_frames_new_frame_printed_or_rolled(cli, tmp_path):
    # The frame's new frame: 100 + 10 = 110 in 2024 (printed there), 100 + 20 = 120 in 2025 (not printed:
    # rolled). Row 1 prints 110 and 121: the 121 is checked against the rolled 120.
    root = write(tmp_path, frame_files())
    code, problems = report(cli, root, "tables/t.yaml", "frames/f.yaml")
    assert code == 1
    assert problems == [(*where(FROM_FRAME, "etikett: Ramme,", "121]"), "link-mismatch",
                         ("1 Ramme, B 2025: published 121, computed 120 (fra ../frames/f.yaml, rolled from "
                          "frames/f.yaml) (difference +1)"))]
    # Row 2 prints nothing: roll shows the frame's figures: 110 as the frame prints it, 120 as its roll gives it
    # (computed: the frame prints no new frame for 2025).
    rolled = cli("roll", "--format", "json", "tables/t.yaml", "frames/f.yaml", cwd=root)
    (row,) = [r for r in json.loads(rolled.stdout)["tables"][0]["rows"] if r["number"] == "2"]
    assert row["values"] == {"b24": 110, "b25": 120} and row["printed"] == {"b24": True, "b25": False}


def test_fra_a_frame_not_given_is_rolled_all_the_same(cli, tmp_path):
    root = write(tmp_path, frame_files())
    code, problems = report(cli, root, "tables/t.yaml")
    assert code == 1
    assert [(line, column, c) for line, column, c, _ in problems] == [
        (*where(FROM_FRAME, "etikett: Ramme,", "121]"), "link-mismatch")]


def test_fra_another_tables_row(cli, tmp_path):
    # Table u takes row 1 of table t, column by column: 'b24' by its id, 'budsjett-2025' by its year (t's 'b25').
    files = frame_files()
    files["tables/u.yaml"] = u = table_yaml("""\
        - {nr: 1, etikett: Fra t, fra: {fil: t.yaml, rad: 1}, beløp: [111, 121]}
        - {nr: 2, etikett: Fra t uten tall, fra: {fil: t.yaml, rad: Ramme}}
        """, columns="[{id: b24, etikett: B 2024, år: 2024}, {id: budsjett-2025, etikett: B 2025, år: 2025}]",
                                            unit="1 000 kr").replace("id: t\n", "id: u\n")
    root = write(tmp_path, files)
    code, problems = report(cli, root, "tables/u.yaml")
    assert code == 1
    # t's row 1 prints 110 and 121: u's 111 differs, its 121 agrees
    there = where(FROM_FRAME, "etikett: Ramme,", "110,")
    assert problems == [(*where(u, "etikett: Fra t,", "111"), "link-mismatch",
                         ("1 Fra t, B 2024: published 111, computed 110 (fra t.yaml, "
                          f"tables/t.yaml:{there[0]}:{there[1]}) (difference +1)"))]
    rolled = json.loads(cli("roll", "--format", "json", "tables/u.yaml", cwd=root).stdout)["tables"][0]
    assert rolled["rows"][1]["values"] == {"b24": 110, "budsjett-2025": 121}


# -------------------------------------------------------------------------------------------- shares


def test_shares_on_a_row_and_on_a_column_rounded_as_printed(cli, tmp_path):
    t = loaded_table(tmp_path, text := table_yaml("""\
        - {nr: 1, etikett: X, beløp: [1, 8, '12 %']}
        - {nr: 2, etikett: Y, beløp: [3, 8, '38 %']}
        - {nr: 3, etikett: Z, beløp: [2, 3]}
        - {nr: 4, etikett: Andel, andel: {teller: 1, nevner: 3}, beløp: ['50,0', '266,7']}
        - {nr: 5, etikett: Andel uten desimal, andel: {teller: 1, nevner: 3}, desimaler: 0, beløp: [50, 267]}
        """, columns="[{id: a, etikett: A}, {id: b, etikett: B}, {id: p, etikett: Andel, andel: {teller: a, "
                     "nevner: b}, desimaler: 0, avrunding: halv-partall}]"))
    # The column: a ÷ b × 100 to whole per cents, half to even: 1 ÷ 8 = 12,5 → 12; 3 ÷ 8 = 37,5 → 38.
    assert values(t, "p")["1 X"] == 12 and values(t, "p")["2 Y"] == 38
    # The row: row 1 ÷ row 3 × 100, one decimal by default, half up: 1 ÷ 2 = 50,0; 8 ÷ 3 = 266,66… → 266,7;
    # to whole per cents: 266,66… → 267.
    assert values(t, "a")["4 Andel"] == D("50.0") and values(t, "b")["4 Andel"] == D("266.7")
    assert values(t, "b")["5 Andel uten desimal"] == 267
    assert check(t) == []
    # half up instead of half to even: 12,5 → 13, printed 12
    text = (tmp_path / "t.yaml").read_text(encoding="utf-8").replace("avrunding: halv-partall", "avrunding: halv-opp")
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 1
    assert problems == [(*where(text, "etikett: X,", "'12 %'"), "key-figure-mismatch",
                         "1 X, Andel: published 12 %, computed 13 % (a ÷ b: 1 ÷ 8 × 100) (difference −1 %)")]


def test_a_percent_cell_as_printed(tmp_path):
    t = loaded_table(tmp_path, table_yaml("""\
        - {etikett: '2018', beløp: {r: 51092, b: 47250, a: -3842, p: '−8,1 %'}}
        """, columns="[{id: r, etikett: Regnskap, rolle: regnskap}, {id: b, etikett: Budsjett, rolle: budsjett}, "
                     "{id: a, etikett: Avvik, rolle: avvik, formel: b - r}, {id: p, etikett: Resultat, andel: "
                     "{teller: a, nevner: b}, desimaler: 1}]", unit="1 000 kr"))
    # '−8,1 %' (a minus sign, a decimal comma, a per cent sign) is −8,1; −3 842 ÷ 47 250 = −8,13 % → −8,1
    assert t.rows[0].amounts["p"] == D("-8.1") == values(t, "p")["2018"]
    assert check(t) == []


def test_the_schema_takes_a_percent_cell_as_printed():
    import jsonschema

    from rammecalc.schema import json_schema

    document = {"type": "tabell", "id": "t", "kommune": "K", "kilde": {"dokument": "D"}, "beløpsenhet": "kr",
                "kolonner": [{"id": "a", "etikett": "A"}, {"id": "b", "etikett": "B"},
                             {"id": "p", "etikett": "P", "andel": {"teller": "a", "nevner": "b"}}],
                "rader": [{"etikett": "x", "beløp": {"a": 1, "b": 8, "p": "−8,1 %"}}]}
    jsonschema.Draft202012Validator(json.loads(json.dumps(json_schema("alle")))).validate(document)


# ------------------------------------------------------------------------------------ blanks and dashes


def test_a_dash_is_a_printed_zero(cli, tmp_path):
    # Giske prints "-" for an empty or zero cell. A dash is a figure, and checked: 5 − 5 = 0 printed '-';
    # a blank is not printed, and not checked.
    write(tmp_path, {"t.yaml": (text := table_yaml("""\
        - {nr: 1, etikett: X, beløp: [5, '-']}
        - {nr: 2, etikett: Y, beløp: [-5, 3]}
        - {nr: 3, etikett: Sum, sum: 1-2, beløp: ['-', null]}
        """, columns="[{id: a, etikett: A}, {id: b, etikett: B}]"))})
    assert report(cli, tmp_path, "t.yaml") == (0, [])
    text = (tmp_path / "t.yaml").read_text(encoding="utf-8")
    (tmp_path / "t.yaml").write_text(text.replace("beløp: [5, '-']", "beløp: [6, '-']"), encoding="utf-8")
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 1  # 6 − 5 = 1, printed '-' (0)
    assert problems == [(*where(text, "etikett: Sum,", "'-'"), "subtotal-mismatch",
                         "3 Sum, A: published 0, computed 1 (sum 1-2: 6 − 5) (difference −1)")]


BLANKS = table_yaml("""\
    - {nr: 1, etikett: X, beløp: [5, 1]}
    - {nr: 2, etikett: Y, beløp: [-5, 2]}
    - {nr: 3, etikett: Sum, sum: 1-2, beløp: [0, null]}
    - {nr: 4, etikett: Tom, sum: 1-2}
    """, columns="[{id: a, etikett: A}, {id: b, etikett: B}]")


def test_blank_cells_are_not_printed_unless_the_table_says_they_are_zero(cli, tmp_path):
    # By default the blank B of the Sum row is not printed, and not checked: 1 + 2 = 3.
    assert report(cli, write(tmp_path / "tomme", {"t.yaml": BLANKS}), "t.yaml") == (0, [])
    # 'blank_er_null: true' (as in a frame): a blank in a row that prints any figure is a printed zero, and
    # checked; a row that prints nothing (Tom) stays blank.
    text = BLANKS.replace("kolonner:", "blank_er_null: true\nkolonner:")
    code, problems = report(cli, write(tmp_path / "null", {"t.yaml": text}), "t.yaml")
    assert code == 1
    assert problems == [(*where(text, "etikett: Sum,", "null]"), "subtotal-mismatch",
                         "3 Sum, B: published 0, computed 3 (sum 1-2: 1 + 2) (difference −3)")]


# -------------------------------------------------------------------------------- results: how computed


GISKE17 = DATA / "tables" / "giske-2022-bevilgningsoversikt-drift.yaml"


def giske17(tmp_path: Path, results: str | None) -> Path:
    """Table 17 as bundled; with ``results``, 'delsummer: …' added at its end (so its lines stay as they are)."""
    text = GISKE17.read_text(encoding="utf-8")
    if results is not None:
        text += f"delsummer: {results}\n"
    return write(tmp_path, {"t.yaml": text})


def figures(cli, root: Path, *args: str) -> tuple[int, list[tuple[str, str, Decimal]]]:
    result = cli("check", "--report", "json", *args, "t.yaml", cwd=root)
    problems = json.loads(result.stdout, parse_float=Decimal)["problems"]
    return result.exit_code, [(p["severity"], p["figure"], p["difference"]) for p in problems]


R22, RB22, R21 = "Regnskap 2022", "Reg. budsjett 2022", "Regnskap i fjor 2021"
ROW = {5: "5 Sum generelle driftsinntekter", 8: "8 Sum netto driftsutgifter", 9: "9 Brutto driftsresultat",
       15: "15 Netto finansutgifter", 17: "17 Netto driftsresultat",
       24: "24 Sum disponeringer eller dekning av netto driftsresultat",
       25: "25 Fremført til inndekning i senere år (merforbruk)"}


@pytest.mark.parametrize("results", [None, "publiserte"])
def test_results_from_the_printed_sub_results_give_table_17s_eight_cells(cli, tmp_path, results):
    # The hand-checked reading (shared/tables/17): each result row from the printed rows it is defined from.
    code, found = figures(cli, giske17(tmp_path, results), "--ignore-known-differences")
    assert code == 1
    assert found == [
        ("error", f"{ROW[5]}, {R22}", 1),     # 262 905 + 311 009 + 28 024 + 24 894 = 626 832, printed 626 833
        ("error", f"{ROW[8]}, {R22}", 1),     # 529 102 + 40 650 = 569 752, printed 569 753
        ("error", f"{ROW[8]}, {RB22}", 1),    # 525 395 + 40 650 = 566 045, printed 566 046
        ("error", f"{ROW[9]}, {RB22}", 1),    # 597 384 − 566 046 = 31 338, printed 31 339
        ("error", f"{ROW[9]}, {R21}", 1),     # 580 832 − 540 247 = 40 585, printed 40 586
        ("error", f"{ROW[15]}, {R22}", -1),   # 2 518 + 93 − 3 901 − 26 055 − 37 790 = −65 135, printed −65 136
        ("error", f"{ROW[17]}, {R22}", 1),    # 57 080 − 65 136 + 40 650 = 32 594, printed 32 595
        ("error", f"{ROW[24]}, {R21}", -1),   # 1 400 + 7 674 − 6 678 + 3 988 + 0 + 26 646 = 33 030, printed 33 029
    ]


def test_results_from_the_leaves_give_more_and_one_difference_of_two(cli, tmp_path):
    # From the leaves (rows 1–4, 6–7, 10–14, 16, 18–23) every result is computed all the way down:
    #   Regnskap 2022: 5 = 626 832 (+1); 8 = 569 752 (+1); 9 = 626 832 − 569 752 = 57 080 (exact);
    #     15 = −65 135 (−1); 17 = 57 080 − 65 135 + 40 650 = 32 595 (exact, though +1 from the printed rows);
    #     24 = 1 500 + 4 406 − 6 043 + 33 829 − 1 097 + 0 = 32 595 (exact); 25 = 0.
    #   Reg. budsjett 2022: 5 = 597 384; 8 = 566 045 (+1); 9 = 597 384 − 566 045 = 31 339 (exact);
    #     15 = −66 832; 17 = 31 339 − 66 832 + 40 650 = 5 157; 24 = 5 157; 25 = 0: all exact.
    #   Oppr.budsjett 2022: 573 684, 549 505, 24 179, −57 832, 5 850, 5 850, 0: all exact.
    #   Regnskap i fjor 2021: 5 = 580 832; 8 = 540 247; 9 = 40 585 (+1); 15 = −47 060;
    #     17 = 40 585 − 47 060 + 39 503 = 33 028 (+1); 24 = 33 030 (−1), and 24 = 17 = 33 028 (+1);
    #     25 = 17 − 24 = 33 028 − 33 030 = −2, printed '-' (0): +2.
    root = giske17(tmp_path, "grunnlag")
    code, found = figures(cli, root, "--ignore-known-differences")
    assert code == 1
    assert found == [
        ("error", f"{ROW[5]}, {R22}", 1),
        ("error", f"{ROW[8]}, {R22}", 1),
        ("error", f"{ROW[8]}, {RB22}", 1),
        ("error", f"{ROW[9]}, {R21}", 1),
        ("error", f"{ROW[15]}, {R22}", -1),
        ("error", f"{ROW[17]}, {R21}", 1),
        ("error", f"{ROW[24]}, {R21}", 1),    # lik 17
        ("error", f"{ROW[24]}, {R21}", -1),   # sum 18-23
        ("error", f"{ROW[25]}, {R21}", 2),
    ]
    # At tolerance 1 every ±1 passes as a warning; the difference of 2 in row 25 does not.
    code, found = figures(cli, root, "--ignore-known-differences", "--tolerance", "1")
    assert code == 1
    assert [f for f in found if f[0] == "error"] == [("error", f"{ROW[25]}, {R21}", 2)]
    assert len(found) == 9


# -------------------------------------------------------------------------------------- refused input


def test_a_cycle_of_formulas_is_refused_at_its_row(cli, tmp_path):
    write(tmp_path, {"t.yaml": table_yaml("""\
        - {nr: 1, etikett: X, beløp: [1]}
        - {nr: 2, etikett: Y, formel: 1 + 3, beløp: [2]}
        - {nr: 3, etikett: Z, formel: 2 - 1, beløp: [1]}
        """)})
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 2
    # row 2 reads row 3, which reads row 2: at the 'formel' of the row the cycle is found from
    assert problems == [(9, 33, "input-group-cycle", "row '2 Y' is defined, through other rows, from itself")]


def test_an_unknown_row_in_a_formula_or_a_range_is_refused_at_it(cli, tmp_path):
    write(tmp_path, {"t.yaml": table_yaml("""\
        - {nr: 1, etikett: X, beløp: [1]}
        - {nr: 2, etikett: Y, sum: 1-9, beløp: [1]}
        - {nr: 3, etikett: Z, formel: 1 + Q, beløp: [1]}
        """)})
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 2
    assert problems == [(9, 30, "input-unknown-figure", "the table has no row '9' (rows: 1, 2, 3)"),
                        (10, 33, "input-unknown-figure", "the table has no row 'Q' (rows: 1, 2, 3)")]


def test_a_row_with_more_figures_than_columns_is_refused(cli, tmp_path):
    write(tmp_path, {"t.yaml": table_yaml("""\
        - {nr: 1, etikett: X, beløp: [1, 2]}
        """)})
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 2
    # at the figure with no column
    assert problems == [(8, 36, "input-unknown-column",
                         "the row has 2 figures, but the table has 1 figure columns (a)")]


# --------------------------------------------------------------------------------------------- blame

ACCOUNTS = table_yaml("""\
    - {etikett: x, beløp: [100, 110, 10]}
    - {etikett: y, beløp: [50, 70, 10]}
    - {etikett: Sum, sum: alle, beløp: [160, 180, 20]}
    """, columns="[{id: r, etikett: Regnskap, rolle: regnskap}, {id: b, etikett: Budsjett, rolle: budsjett}, "
                 "{id: a, etikett: Avvik, rolle: avvik, formel: b - r}]", unit="1 000 kr")


def test_a_mistyped_cell_is_reported_once_at_the_cell(cli, tmp_path):
    # y was printed 60 / 70 / 10 and typed with regnskap 50: y's avvik (70 − 10) and the regnskap total
    # (160 − 100) both put it at 60. One problem, at the cell; not the avvik, not the total.
    code, problems = report(cli, write(tmp_path, {"t.yaml": ACCOUNTS}), "t.yaml")
    assert code == 1
    assert problems == [(*where(ACCOUNTS, "etikett: y,", "50"), "cell-mismatch",
                         ("y, Regnskap: published 50, but Sum, Regnskap and y, Avvik both give 60 (difference −10): "
                          "a misprint in this cell, most likely"))]


def test_two_cells_that_explain_the_same_failures_give_no_blame(cli, tmp_path):
    # Rows 3 and 4 both add rows 1 and 2 (5 + 3 = 8) and both print 9: row 1 at 6 or row 2 at 4 would explain
    # both alike, so neither is blamed; each sum is reported at its own cell.
    write(tmp_path, {"t.yaml": (text := table_yaml("""\
        - {nr: 1, etikett: A, beløp: [5]}
        - {nr: 2, etikett: B, beløp: [3]}
        - {nr: 3, etikett: S, sum: 1-2, beløp: [9]}
        - {nr: 4, etikett: T, sum: [1, 2], beløp: [9]}
        """))})
    code, problems = report(cli, tmp_path, "t.yaml")
    assert code == 1
    assert problems == [
        (*where(text, "etikett: S,", "9]"), "subtotal-mismatch",
         "3 S, A: published 9, computed 8 (sum 1-2: 5 + 3) (difference +1)"),
        (*where(text, "etikett: T,", "9]"), "subtotal-mismatch",
         "4 T, A: published 9, computed 8 (sum 1, 2: 5 + 3) (difference +1)")]


def test_a_misprinted_avvik_is_not_reported_again_at_its_total(cli, tmp_path):
    # x's avvik printed 11 (110 − 100 = 10): the avvik total 20 = 10 + 10 = 180 − 160 is right as printed.
    text = ACCOUNTS.replace("[50, 70, 10]", "[60, 70, 10]").replace("[100, 110, 10]", "[100, 110, 11]")
    code, problems = report(cli, write(tmp_path, {"t.yaml": text}), "t.yaml")
    assert code == 1
    assert [(line, column, c) for line, column, c, _ in problems] == [(*where(text, "etikett: x,", "11]"),
                                                                        "avvik-mismatch")]


# ------------------------------------------------------------------------------------------------ roll


def test_a_transposed_table_rolls_with_its_rows_across(cli, tmp_path):
    write(tmp_path, {"t.yaml": table_yaml("""\
        - {etikett: '2023', beløp: [90, 100]}
        - {etikett: '2024', beløp: [120, 100]}
        """, columns="[{id: r, etikett: Regnskap, rolle: regnskap}, {id: b, etikett: Budsjett, rolle: budsjett}]",
                                          head="transponert: true\n")})
    result = cli("roll", "t.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["Beløp", "i", "kroner", "2023", "2024"]  # the rows across
    assert lines[3].split() == ["Regnskap", "90", "120"] and lines[4].split() == ["Budsjett", "100", "100"]
    # 90 below 100: mindreforbruk 10; 120 above 100: merforbruk 20
    assert lines[5].split() == ["Merforbruk/mindreforbruk", "mindreforbruk", "10", "merforbruk", "20"]


def test_roll_json_of_a_table(cli, tmp_path):
    write(tmp_path, {"t.yaml": table_yaml("""\
        - overskrift: H
        - {nr: 1, etikett: X, art: utgift, nivå: 1, beløp: [1, 2]}
        - {nr: 2, etikett: Y, nivå: 1, beløp: [3, 4]}
        - {nr: 3, etikett: Sum, sum: 1-2, beløp: [5, null]}
        """, columns="[{id: a, etikett: A, år: 2024}, {id: b, etikett: B, rolle: budsjett}]")})
    result = cli("roll", "--format", "json", "t.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    assert set(data) == {"format", "frames", "tables", "links"} and data["format"] == "rammecalc.roll/2"
    (t,) = data["tables"]
    assert set(t) == {"table", "file", "municipality", "unit", "source", "form", "amount_unit", "price_level",
                      "columns", "rows"}
    assert (t["table"], t["file"], t["municipality"], t["unit"], t["amount_unit"]) == ("t", "t.yaml", "K", None, "kr")
    assert t["columns"] == [{"id": "a", "label": "A", "role": None, "year": 2024, "formula": None, "share": None},
                            {"id": "b", "label": "B", "role": "budsjett", "year": None, "formula": None,
                             "share": None}]
    heading, x, _y, total = t["rows"]
    assert set(x) == {"number", "id", "label", "heading", "kind", "depth", "definition", "texts", "values",
                      "printed", "differs", "result"}
    assert x["result"] is None  # (no regnskap column to name a result by)
    assert (heading["heading"], heading["label"], heading["values"]) == (True, "H", {})
    assert (x["number"], x["kind"], x["depth"], x["values"]) == ("1", "utgift", 1, {"a": 1, "b": 2})
    # the Sum: A printed 5 against 1 + 3 = 4 (differs); B not printed, computed 2 + 4 = 6
    assert total["definition"] == "sum 1-2"
    assert total["values"] == {"a": 5, "b": 6} and total["printed"] == {"a": True, "b": False}
    assert total["differs"] == ["a"]
