"""Sum tables as ``type: tabell`` (rows and a printed total, in kroner or årsverk) and links
(``type: koblinger``), against the figures printed in the seeds.

Figures are typed from shared/seeds/002_92787169de6426b6.txt, 003_28b53f9207ccf9b2.txt, 000_… and 001_…,
with the source line quoted; every computed figure in a message is worked out by hand beside it.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from rammecalc.core.table import Table, check, grid, published_figures

from .cells import errors, find, only_loaded, problem_lines, replace

VERDAL = "data/tables/verdal-2013-rustjenesten-arsverk.yaml"
GRANTS = "data/tables/verdal-2013-tilskuddsarsverk.yaml"
BUDGET002 = "data/tables/porsgrunn-2009-rusplan-budsjett.yaml"
FTE002 = "data/tables/porsgrunn-2009-rusplan-arsverk.yaml"
LINKS = "data/links/molde-ressurstjenesten.yaml"


def sum_table(rel: str) -> Table:
    return only_loaded(rel)


def total_of(t: Table, column: str) -> Decimal:
    """The computed figure of the table's one total row (``sum: alle``)."""
    (index,) = [i for i, r in enumerate(t.rows) if str(r.sum) == "alle"]
    built, problems = grid(t)
    assert problems == []
    return built.value((str(index), column))


def test_seed003_staffing_adds_up_with_decimals():
    t = sum_table(VERDAL)
    # "Rustjenesten 4 årsverk", "ATA-senteret 2,5 årsverk", "Helsestasjon rus 2,1 årsverk", "Til sammen 8,6 årsverk"
    assert [r.amounts["antall-årsverk"] for r in t.rows[:3]] == [Decimal(4), Decimal("2.5"), Decimal("2.1")]
    assert t.rows[3].label == "Til sammen" and t.rows[3].amounts["antall-årsverk"] == Decimal("8.6")
    assert total_of(t, "antall-årsverk") == Decimal("8.6")
    assert t.amount_unit.value == "årsverk"
    assert published_figures(t) == 1 and check(t) == []


def test_seed003_grant_funded_fte():
    # "tilskuddsmidler til 1,5 årsverk ... LAR tiltak (1 årsverk) og arbeidsrettet tiltak (0,5 årsverk)"
    t = sum_table(GRANTS)
    assert [r.amounts["årsverk"] for r in t.rows] == [Decimal(1), Decimal("0.5"), Decimal("1.5")]
    assert total_of(t, "årsverk") == Decimal("1.5") and check(t) == []


def test_seed002_budget_per_measure_without_an_invented_total():
    t = sum_table(BUDGET002)
    amounts = {(r.number, r.label): r.amounts.get("budsjett-2009") for r in t.rows if not r.is_heading}
    # "Budsjett 2009: 5 803 700", "344 700", "9 721 950", "728 000", "1 000.000"
    assert amounts[("4.01", "Rusteam")] == 5803700
    assert amounts[("4.03", "Dagaktivitetssenter i Feiselveien")] == 344700
    assert amounts[("4.04", "Boteam")] == 9721950
    assert amounts[("4.06", "KEOPS avd APS")] == 728000
    assert amounts[("4.11", "Baseleilighet Mule")] == 1000000
    # "331 240 (egne) + 645 000 (prosjekt)" and "950 000 fra egen kommune + pluss 930 000 gjennom midler fra
    # Shdir": each measure a heading with its two parts indented under it, and no subtotal (none is printed)
    headings = {r.heading: i for i, r in enumerate(t.rows) if r.is_heading}
    assert set(headings) == {"4.02 Feltpleien", "4.05 KEOPS avdeling Morten"}
    feltpleien = t.rows[headings["4.02 Feltpleien"] + 1: headings["4.02 Feltpleien"] + 3]
    assert [(r.label, r.depth, r.amounts["budsjett-2009"]) for r in feltpleien] == [
        ("Egne midler", 1, 331240), ("Prosjektmidler", 1, 645000)]
    morten = t.rows[headings["4.05 KEOPS avdeling Morten"] + 1: headings["4.05 KEOPS avdeling Morten"] + 3]
    assert [(r.label, r.depth, r.amounts["budsjett-2009"]) for r in morten] == [
        ("Fra egen kommune", 1, 950000), ("Midler fra Shdir", 1, 930000)]
    # "En del av Boteams budsjett": listed, no amount
    assert amounts[("4.07", "Gamle skolevei bofellesskap")] is None
    assert not any(r.is_result for r in t.rows)  # no sum, formula or share: nothing invented
    assert published_figures(t) == 0 and check(t) == []


def test_seed002_fte_per_measure():
    t = sum_table(FTE002)
    # "6,5 (inkludert 0,5 årsverk til leder)", "1,2", "1,5 (inkl 0,9 årsverk fra Boteam)", "19,43", "3,2", "1", "2"
    assert [str(r.amounts["årsverk-2009"]) for r in t.rows] == ["6.5", "1.2", "1.5", "19.43", "3.2", "1", "2"]
    assert [r.number for r in t.rows] == ["4.01", "4.02", "4.03", "4.04", "4.05", "4.06", "4.11"]
    assert not any(r.is_result for r in t.rows) and published_figures(t) == 0


def test_roll_shows_no_total_the_source_does_not_print(cli):
    result = cli("roll", BUDGET002)
    assert result.exit_code == 0, result.output
    assert "Sum" not in result.stdout and "Feltpleien" in result.stdout
    lines = result.stdout.splitlines()
    feltpleien = next(ln for ln in lines if "Feltpleien" in ln and "Feiselveien" not in ln)
    assert feltpleien.strip() == "4.02 Feltpleien"  # a heading: 331 240 + 645 000 is not printed, so not shown
    # its two parts indented under it, with their own figures
    egne = next(ln for ln in lines if "Egne midler" in ln)
    assert egne.split()[-2:] == ["331", "240"] and egne.index("Egne") > feltpleien.index("4.02")


MUTATIONS = [
    # "Til sammen 8,6 årsverk": 4 + 2,5 + 2,1 = 8,6
    (VERDAL, "etikett: Til sammen", "antall-årsverk", "'8,6'", "'8,7'",
     "Til sammen, Antall årsverk: published 8,7, computed 8,6 (sum alle: 4 + 2,5 + 2,1) (difference +0,1)"),
    # "1,5 årsverk": 1 + 0,5 = 1,5
    (GRANTS, "etikett: Tilskuddsmidler", "årsverk", "'1,5'", "'2,5'",
     "Tilskuddsmidler i 2013, Årsverk 2013: published 2,5, computed 1,5 (sum alle: 1 + 0,5) (difference +1,0)"),
]


@pytest.mark.parametrize(("rel", "anchor", "key", "old", "new", "message"), MUTATIONS, ids=["verdal", "grants"])
def test_one_changed_total_is_flagged_alone(cli, data_copy, rel, anchor, key, old, new, message):
    path = data_copy.parent / rel
    line, col = find(path.read_text(encoding="utf-8"), anchor, key, old)
    replace(path, line, col, old, new)
    result = cli("check", rel, cwd=data_copy.parent)
    assert result.exit_code == 1, result.output
    assert errors(result.stdout) == [f"{rel}:{line}:{col}: error: {message}"]


#: What sum tables wrote as groups chained by 'under' (A, and A1 under it), written as headings and levels
#: (nivå), with each printed subtotal a row: A1's over the rows under its heading, A's of A1 and y.
SUBTOTALS = """\
type: tabell
id: t
kommune: K
enhet: E
kilde: {dokument: D}
beløpsenhet: 1 000 kr
kolonner: [{id: b, etikett: Budsjett}]
rader:
  - {overskrift: A}
  - {overskrift: A1, nivå: 1}
  - {etikett: x, nivå: 2, beløp: {b: 10}}
  - {id: a1, etikett: Sum A1, nivå: 1, sum: over, beløp: {b: 10}}
  - {etikett: y, nivå: 1, beløp: {b: 21}}
  - {etikett: Sum A, sum: [a1, y], beløp: {b: 30}}
  - {etikett: Sum, sum: alle, beløp: {b: 31}}
"""


def test_subtotals_nest_and_each_is_checked_on_its_own(cli, tmp_path):
    (tmp_path / "t.yaml").write_text(SUBTOTALS, encoding="utf-8")
    result = cli("check", "t.yaml", cwd=tmp_path)
    assert result.exit_code == 1
    # A1 is 10 (x); A is 10 (A1) + 21 = 31, printed 30; the total 10 + 21 = 31 is right
    assert errors(result.stdout) == [("t.yaml:14:47: error: Sum A, Budsjett: published 30, computed 31 "
                                      "(sum a1, y: 10 + 21) (difference −1)")]
    assert "3 published figures: 1 error" in result.stdout


def test_nested_headings_roll_indented_with_their_subtotals(cli, tmp_path):
    (tmp_path / "t.yaml").write_text(SUBTOTALS, encoding="utf-8")
    result = cli("roll", "t.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    lines = [ln.rstrip() for ln in result.stdout.splitlines()]
    x = next(ln for ln in lines if ln.lstrip().startswith("x "))
    sum_a1 = next(ln for ln in lines if "Sum A1" in ln)
    assert x.startswith("    x ") and sum_a1.startswith("  Sum A1 ") and sum_a1.endswith(" 10")
    assert next(ln for ln in lines if ln.startswith("Sum A ")).endswith(" 30!")  # differs from its rows


# ---------------------------------------------------------------------------------------------- links


def test_links_between_seed000_and_seed001(cli):
    result = cli("check", LINKS)
    assert result.exit_code == 0, result.output
    (line,) = problem_lines(result.stdout)
    # seed 000 "Ny driftsramme 9 864 11 999 …", seed 001 "Budsjett 9 259 9 864 35 120 47 250": 35 120 − 11 999
    assert line.startswith(f"{LINKS}:21:5: warning: Ressurstjenesten, budsjett 2017: Budsjett 2017 35 120 "
                           "(data/tables/molde-2018-ressurstjenesten.yaml:42:40), Ny driftsramme 2017 11 999 "
                           "(data/frames/molde-2017-ressurstjenesten.yaml:43:33) (difference +23 121), explained")
    assert "checked 3 files, 2 links, 2 published figures: 0 errors, 1 warning" in result.stdout


def test_a_broken_link_names_both_files_and_lines(cli, data_copy):
    path = data_copy / "links" / "molde-ressurstjenesten.yaml"
    text = path.read_text(encoding="utf-8")
    # seed 000's Ny driftsramme 2018 is 11 999, not seed 001's Budsjett 2016 (9 864): 9 864 − 11 999 = −2 135
    path.write_text(text.replace("rad: ny_driftsramme, år: 2016}", "rad: ny_driftsramme, år: 2018}"), encoding="utf-8")
    result = cli("check", LINKS, cwd=data_copy.parent)
    assert result.exit_code == 1
    assert errors(result.stdout) == [
        (f"{LINKS}:18:5: error: Ressurstjenesten, budsjett 2016: Budsjett 2016 9 864 "
         "(data/tables/molde-2018-ressurstjenesten.yaml:40:39), Ny driftsramme 2018 11 999 "
         "(data/frames/molde-2017-ressurstjenesten.yaml:43:46) (difference −2 135)")]


def test_an_explained_difference_that_changes_is_an_error(cli, data_copy):
    path = data_copy / "links" / "molde-ressurstjenesten.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("differanse: 23121", "differanse: 23120"),
                    encoding="utf-8")
    result = cli("check", LINKS, cwd=data_copy.parent)
    assert result.exit_code == 1
    assert len(errors(result.stdout)) == 1 and "(difference +23 121)" in errors(result.stdout)[0]
    assert "warning: link 'Ressurstjenesten, budsjett 2017': the explained difference +23 120 did not occur" \
        in result.stdout


def test_a_link_to_a_missing_file_or_figure_is_an_input_error(cli, data_copy):
    path = data_copy / "links" / "molde-ressurstjenesten.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("../tables/molde-2018-ressurstjenesten.yaml, rad: '2016'", "../tables/nope.yaml, rad: '2016'")
    text = text.replace("rad: '2017', kolonne: budsjett", "rad: '2019', kolonne: budsjett")
    path.write_text(text, encoding="utf-8")
    result = cli("check", LINKS, cwd=data_copy.parent)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (f"{LINKS}:20:16: error: the file '../tables/nope.yaml' (data/tables/nope.yaml): no such file"
            in result.stderr)
    assert (f"{LINKS}:23:10: error: link 'Ressurstjenesten, budsjett 2017': the table has no row '2019' "
            "(rows: 2015, 2016, 2017, 2018)") in result.stderr


# ---------------------------------------------------------------------------------------- bad input

BAD_SCHEMA = """\
type: tabell
id: a
enhet: E
kilde: {dokument: D}
beløpsenhet: 1 000 kr
kolonner:
  - {id: r, rolle: regnskap, etikett: Regnskap}
  - {id: b, rolle: budsjet, etikett: Budsjett}
rader:
  - {etikett: x, beløp: {r: 1, b: tre}}
"""

BAD_NAMES = """\
type: tabell
id: b
kommune: K
kilde: {dokument: D}
beløpsenhet: 1 000 kr
kolonner:
  - {id: r, rolle: regnskap, etikett: Regnskap}
  - {id: b, rolle: budsjett, etikett: Budsjett}
  - {id: v, rolle: avvik, etikett: Avvik, formel: b - rr}
rader:
  - {nr: 1, etikett: x, beløp: {r: 1, b: 2, avik: 1}}
  - {nr: 1, etikett: z, beløp: {r: 1, b: 2, v: 1}}
  - {etikett: Resultat, andel: {teller: y, nevner: 1}}
"""

BAD_ROWS = """\
type: tabell
id: c
kommune: K
kilde: {dokument: D}
beløpsenhet: 1 000 kr
kolonner: [{id: b, etikett: Budsjett}]
rader:
  - {overskrift: A}
  - {etikett: x, nivå: 1, beløp: {c: 10}}
  - {etikett: y, nivå: 1, beløp: [21, 3]}
  - {etikett: Sum, sum: x-q, beløp: {b: 31}}
kjente_differanser:
  - {rad: Summ, kolonne: c, differanse: 1, forklaring: F}
"""


def test_every_problem_in_the_tables_at_once(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(BAD_SCHEMA, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BAD_NAMES, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(BAD_ROWS, encoding="utf-8")
    result = cli("check", ".", cwd=tmp_path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    err = result.stderr
    assert "a.yaml:1:1: error: missing key 'kommune' in the document" in err
    assert "a.yaml:8:20: error: kolonner.1.rolle: 'budsjet' is not allowed" in err
    assert "a.yaml:10:35: error: rader.0.beløp.b: 'tre' is not an amount" in err
    assert "b.yaml:9:51: error: 'b - rr' names a column the table does not have" in err
    assert "b.yaml:11:45: error: 'avik' is not a column of figures in this table" in err
    assert "b.yaml:12:10: error: two rows are named '1'" in err
    assert "b.yaml:13:32: error: the table has no row 'y' (rows: 1, 1, Resultat)" in err
    assert "c.yaml:9:35: error: 'c' is not a column of figures in this table" in err
    assert "c.yaml:10:39: error: the row has 2 figures, but the table has 1 figure columns (b)" in err
    assert "c.yaml:11:25: error: the table has no row 'q' (rows: x, y, Sum)" in err
    assert "c.yaml:13:11: error: the table has no row 'Summ' (rows: x, y, Sum)" in err
    assert "c.yaml:13:26: error: 'c' is not a column of figures in this table" in err
    assert "rammecalc: 12 input problems in 3 files; nothing was rolled or checked" in err


@pytest.mark.parametrize("record, at, message", [
    # The old kinds' 'figur: sum | avvik' is gone: a record names its cell by row and column.
    ("{figur: sum, rad: Til sammen, kolonne: antall-årsverk, differanse: 1, forklaring: x}", "34:6",
     "unknown key 'figur' in 'kjente_differanser.0'"),
    ("{rad: Til sammen, kolonne: årsverk, differanse: 1, forklaring: x}", "34:32",
     "'årsverk' is not a column of figures in this table"),
    ("{rad: I alt, kolonne: antall-årsverk, differanse: 1, forklaring: x}", "34:11",
     "the table has no row 'I alt'"),
])
def test_a_known_difference_names_its_cell_by_row_and_column(cli, data_copy, record, at, message):
    path = data_copy.parent / VERDAL
    text = path.read_text(encoding="utf-8")
    assert "kjente_differanser" not in text and len(text.splitlines()) == 32
    path.write_text(text + "kjente_differanser:\n  - " + record + "\n", encoding="utf-8")
    result = cli("check", VERDAL, cwd=data_copy.parent)
    assert result.exit_code == 2, result.output
    assert f"{VERDAL}:{at}: error: {message}" in result.stderr


def test_a_known_difference_by_row_and_column_is_a_warning(cli, tmp_path):
    # Sum A printed 30 against 10 + 21 = 31, recorded with its evidence: a warning citing the record.
    text = SUBTOTALS + "kjente_differanser:\n  - {rad: Sum A, kolonne: b, differanse: -1, forklaring: rounded}\n"
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    result = cli("check", "t.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    (line,) = problem_lines(result.stdout)
    assert line == ("t.yaml:14:47: warning: Sum A, Budsjett: published 30, computed 31 (sum a1, y: 10 + 21) "
                    "(difference −1), a known difference (line 17): rounded")
    strict = cli("check", "--ignore-known-differences", "t.yaml", cwd=tmp_path)
    assert strict.exit_code == 1 and len(errors(strict.stdout)) == 1
    # a record whose difference no longer occurs is reported
    fixed = textwrap.dedent(text).replace("sum: [a1, y], beløp: {b: 30}", "sum: [a1, y], beløp: {b: 31}")
    (tmp_path / "t.yaml").write_text(fixed, encoding="utf-8")
    unused = cli("check", "--report", "json", "t.yaml", cwd=tmp_path)
    assert unused.exit_code == 0 and '"known-difference-unused"' in unused.stdout
