"""Sum tables (``type: sumtabell``) and links (``type: koblinger``), against the figures printed in the seeds.

Figures are typed from shared/seeds/002_92787169de6426b6.txt, 003_28b53f9207ccf9b2.txt, 000_… and 001_…,
with the source line quoted.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from rammecalc.core import sums

from .cells import errors, find, only_loaded, problem_lines, replace

VERDAL = "data/sums/verdal-2013-rustjenesten-arsverk.yaml"
GRANTS = "data/sums/verdal-2013-tilskuddsarsverk.yaml"
BUDGET002 = "data/sums/porsgrunn-2009-rusplan-budsjett.yaml"
FTE002 = "data/sums/porsgrunn-2009-rusplan-arsverk.yaml"
LINKS = "data/links/molde-ressurstjenesten.yaml"


def sum_table(rel: str) -> sums.SumTable:
    return only_loaded(rel, "sum_tables")


def test_seed003_staffing_adds_up_with_decimals():
    t = sum_table(VERDAL)
    # "Rustjenesten 4 årsverk", "ATA-senteret 2,5 årsverk", "Helsestasjon rus 2,1 årsverk", "Til sammen 8,6 årsverk"
    assert [r.values["antall-årsverk"] for r in t.rows] == [Decimal(4), Decimal("2.5"), Decimal("2.1")]
    assert t.grand_total("antall-årsverk") == Decimal("8.6") == t.total.published["antall-årsverk"]
    assert sums.check(t) == []


def test_seed003_grant_funded_fte():
    # "tilskuddsmidler til 1,5 årsverk ... LAR tiltak (1 årsverk) og arbeidsrettet tiltak (0,5 årsverk)"
    t = sum_table(GRANTS)
    assert t.grand_total("årsverk") == Decimal("1.5") and sums.check(t) == []


def test_seed002_budget_per_measure_without_an_invented_total():
    t = sum_table(BUDGET002)
    amounts = {(r.reference, r.label): r.values.get("budsjett-2009") for r in t.rows}
    # "Budsjett 2009: 5 803 700", "331 240 (egne) + 645 000 (prosjekt)", "344 700", "9 721 950",
    # "950 000 fra egen kommune + pluss 930 000 gjennom midler fra Shdir", "728 000", "1 000.000"
    assert amounts[("4.01", "Rusteam")] == 5803700
    assert amounts[("4.02", "Egne midler")] == 331240 and amounts[("4.02", "Prosjektmidler")] == 645000
    assert amounts[("4.03", "Dagaktivitetssenter i Feiselveien")] == 344700
    assert amounts[("4.04", "Boteam")] == 9721950
    assert amounts[("4.05", "Fra egen kommune")] == 950000 and amounts[("4.05", "Midler fra Shdir")] == 930000
    assert amounts[("4.06", "KEOPS avd APS")] == 728000
    assert amounts[("4.11", "Baseleilighet Mule")] == 1000000
    # "En del av Boteams budsjett": listed, no amount
    assert amounts[("4.07", "Gamle skolevei bofellesskap")] is None
    assert t.total is None and all(not g.published for g in t.groups)
    assert sums.published_figures(t) == 0 and sums.check(t) == []


def test_seed002_fte_per_measure():
    t = sum_table(FTE002)
    # "6,5 (inkludert 0,5 årsverk til leder)", "1,2", "1,5 (inkl 0,9 årsverk fra Boteam)", "19,43", "3,2", "1", "2"
    assert [str(r.values["årsverk-2009"]) for r in t.rows] == ["6.5", "1.2", "1.5", "19.43", "3.2", "1", "2"]
    assert t.total is None


def test_roll_shows_no_total_the_source_does_not_print(cli):
    result = cli("roll", BUDGET002)
    assert result.exit_code == 0, result.output
    assert "Sum" not in result.stdout and "Feltpleien" in result.stdout
    feltpleien = next(ln for ln in result.stdout.splitlines() if ln.startswith("Feltpleien"))
    assert feltpleien.strip() == "Feltpleien"  # a heading: 331 240 + 645 000 is not printed, so not shown


MUTATIONS = [
    # "Til sammen 8,6 årsverk"
    (VERDAL, "etikett: Til sammen", "antall-årsverk", "'8,6'", "'8,7'",
     "Til sammen, Antall årsverk: published 8,7, computed 8,6 (difference +0,1)"),
    # "1,5 årsverk"
    (GRANTS, "etikett: Tilskuddsmidler", "årsverk", "'1,5'", "'2,5'",
     "Tilskuddsmidler i 2013, Årsverk 2013: published 2,5, computed 1,5 (difference +1,0)"),
]


@pytest.mark.parametrize(("rel", "anchor", "key", "old", "new", "message"), MUTATIONS, ids=["verdal", "grants"])
def test_one_changed_total_is_flagged_alone(cli, data_copy, rel, anchor, key, old, new, message):
    path = data_copy.parent / rel
    line, col = find(path.read_text(encoding="utf-8"), anchor, key, old)
    replace(path, line, col, old, new)
    result = cli("check", rel, cwd=data_copy.parent)
    assert result.exit_code == 1, result.output
    assert errors(result.stdout) == [f"{rel}:{line}:{col}: error: {message}"]


SUBTOTALS = """\
type: sumtabell
id: t
kommune: K
enhet: E
kilde: {dokument: D}
måleenhet: 1 000 kr
kolonner: {b: Budsjett}
grupper:
  - {id: a, etikett: A, publisert: {b: 30}}
  - {id: a1, etikett: A1, under: a, publisert: {b: 10}}
rader:
  - {etikett: x, gruppe: a1, verdier: {b: 10}}
  - {etikett: y, gruppe: a, verdier: {b: 21}}
sum: {etikett: Sum, publisert: {b: 31}}
"""


def test_subtotals_nest_and_each_is_checked_on_its_own(cli, tmp_path):
    (tmp_path / "t.yaml").write_text(SUBTOTALS, encoding="utf-8")
    result = cli("check", "t.yaml", cwd=tmp_path)
    assert result.exit_code == 1
    # group a is 10 (via a1) + 21 = 31, printed 30; the total 31 is right
    assert errors(result.stdout) == ["t.yaml:9:40: error: A, Budsjett: published 30, computed 31 (difference −1)"]


# ---------------------------------------------------------------------------------------------- links


def test_links_between_seed000_and_seed001(cli):
    result = cli("check", LINKS)
    assert result.exit_code == 0, result.output
    (line,) = problem_lines(result.stdout)
    # seed 000 "Ny driftsramme 9 864 11 999 …", seed 001 "Budsjett 9 259 9 864 35 120 47 250"
    assert line.startswith(f"{LINKS}:21:5: warning: Ressurstjenesten, budsjett 2017: Budsjett 2017 35 120 "
                           "(data/accounts/molde-2018-ressurstjenesten.yaml:41:40), Ny driftsramme 2017 11 999 "
                           "(data/frames/molde-2017-ressurstjenesten.yaml:43:33) (difference +23 121), explained")
    assert "checked 3 files, 2 links, 2 published figures: 0 errors, 1 warning" in result.stdout


def test_a_broken_link_names_both_files_and_lines(cli, data_copy):
    path = data_copy / "links" / "molde-ressurstjenesten.yaml"
    text = path.read_text(encoding="utf-8")
    # seed 000's Ny driftsramme 2018 is 11 999, not seed 001's Budsjett 2016 (9 864)
    path.write_text(text.replace("rad: ny_driftsramme, år: 2016}", "rad: ny_driftsramme, år: 2018}"), encoding="utf-8")
    result = cli("check", LINKS, cwd=data_copy.parent)
    assert result.exit_code == 1
    assert errors(result.stdout) == [
        f"{LINKS}:18:5: error: Ressurstjenesten, budsjett 2016: Budsjett 2016 9 864 "
        "(data/accounts/molde-2018-ressurstjenesten.yaml:39:39), Ny driftsramme 2018 11 999 "
        "(data/frames/molde-2017-ressurstjenesten.yaml:43:46) (difference −2 135)"]


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
    text = text.replace("../accounts/molde-2018-ressurstjenesten.yaml, rad: '2016'", "../accounts/nope.yaml, rad: '2016'")
    text = text.replace("rad: '2017', kolonne: budsjett", "rad: '2019', kolonne: budsjett")
    path.write_text(text, encoding="utf-8")
    result = cli("check", LINKS, cwd=data_copy.parent)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (f"{LINKS}:20:16: error: the file '../accounts/nope.yaml' (data/accounts/nope.yaml): no such file"
            in result.stderr)
    assert (f"{LINKS}:23:10: error: link 'Ressurstjenesten, budsjett 2017': table 'molde-2018-ressurstjenesten' has no "
            "row '2019' (it has: 2015, 2016, 2017, 2018)") in result.stderr


# ---------------------------------------------------------------------------------------- bad input

BAD_SCHEMA = """\
type: regnskap
id: a
kommune: K
enhet: E
kilde: {dokument: D}
beløpsenhet: 1 000 kr
kolonner:
  - {id: r, rolle: regnskap, etikett: Regnskap}
  - {id: b, rolle: budsjet, etikett: Budsjett}
rader:
  - {etikett: x, beløp: {r: 1, b: tre}}
"""

BAD_LINKING = """\
type: regnskap
id: b
kommune: K
enhet: E
kilde: {dokument: D}
beløpsenhet: 1 000 kr
avviksfortegn: budsjett-minus-regnskap
kolonner:
  - {id: r, rolle: regnskap, etikett: Regnskap}
  - {id: b, rolle: budsjett, etikett: Budsjett}
  - {id: v, rolle: avvik, etikett: Avvik}
rader:
  - {etikett: x, beløp: {r: 1, b: 2, avik: 1}}
  - {etikett: x, beløp: {r: 1, b: 2, v: 1}}
nøkkeltall:
  - {etikett: Resultat, type: resultat-prosent, rad: y, publisert: '1 %'}
"""


def test_every_problem_in_the_new_kinds_at_once(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(BAD_SCHEMA, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BAD_LINKING, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(SUBTOTALS.replace("gruppe: a1, verdier: {b: 10}", "gruppe: a2, verdier: {c: 10}"),
                                     encoding="utf-8")
    result = cli("check", ".", cwd=tmp_path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    err = result.stderr
    assert "a.yaml:1:1: error: missing key 'avviksfortegn' in the document" in err
    assert "a.yaml:9:20: error: kolonner.1.rolle: 'budsjet' is not allowed" in err
    assert "a.yaml:11:35: error: rader.0.beløp.b: 'tre' is not an amount" in err
    assert "b.yaml:13:38: error: 'avik' is not a column that holds an amount" in err
    assert "b.yaml:14:15: error: two rows are named 'x' (the first at line 13)" in err
    assert "b.yaml:16:54: error: key figure 'Resultat' is computed from row 'y', which the table does not have" in err
    assert "c.yaml:12:26: error: row 'x' is under group 'a2', which this table does not have" in err
    assert "c.yaml:12:40: error: 'c' is not a column of this table" in err
    assert "rammecalc: 8 input problems in 3 files; nothing was rolled or checked" in err


@pytest.mark.parametrize("rel, record, message", [
    # An accounts table's total with a stray 'gruppe' (accounts tables have no groups): it was ignored.
    ("data/accounts/molde-2022-fellesomrade-investering.yaml",
     "  - {figur: sum, gruppe: g, kolonne: regnskap-2022, differanse: 1, forklaring: x}\n",
     "name the group's id under 'gruppe' exactly when 'figur' is 'gruppe'"),
    # A sum table's total with a stray 'rad' (only an avvik names a row): it was ignored.
    ("data/sums/verdal-2013-rustjenesten-arsverk.yaml",
     "  - {figur: sum, rad: Rustjenesten, kolonne: antall-årsverk, differanse: 1, forklaring: x}\n",
     "name the row under 'rad' exactly when 'figur' is 'avvik'"),
])
def test_a_known_difference_names_only_what_its_figure_has(cli, data_copy, rel, record, message):
    path = data_copy.parent / rel
    text = path.read_text(encoding="utf-8")
    if "kjente_differanser:" in text:
        text = text.replace("kjente_differanser:\n", "kjente_differanser:\n" + record, 1)
    else:
        text += "kjente_differanser:\n" + record
    path.write_text(text, encoding="utf-8")
    result = cli("check", rel, cwd=data_copy.parent)
    assert result.exit_code == 2, result.output
    assert message in result.stderr

