"""Accounts tables as ``type: tabell``: each bundled table against the figures printed in its source.

Regnskap against budsjett, with the avvik as a column formula (its sign declared: budsjett − regnskap), the
totals as a row that sums every other (``sum: alle``) and the key figure Resultat as a column of per cents
(``andel: {teller: avvik, nevner: budsjett}``).

The figures are typed from the sources (shared/seeds/001_194125f7214793be.txt and
shared/tables/15_molde-2022-fellesomrade-regnskap-avvik.txt), with the source line quoted, not read from our
files or our output; every computed figure in a message below is worked out by hand from them (in the comment
beside it). The mutation tests change one printed figure in a copy of data/ and run the real command: exactly
that figure is reported, at its own file:line:col.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from rammecalc.core.table import Table, check, compared_columns, grid

from .cells import errors, find, only_loaded, problem_lines, replace

SEED001 = "data/tables/molde-2018-ressurstjenesten.yaml"
SEED001_INV = "data/tables/molde-2018-ressurstjenesten-investering.yaml"
DRIFT15 = "data/tables/molde-2022-fellesomrade-drift.yaml"
INV15 = "data/tables/molde-2022-fellesomrade-investering.yaml"


def table(rel: str) -> Table:
    return only_loaded(rel)


def computed(t: Table, row: int, column: str) -> Decimal | None:
    """What the table's relations give for a cell (from the printed figures, as the table was made)."""
    built, problems = grid(t)
    assert problems == []
    return built.value((str(row), column))


def test_seed001_as_printed():
    t = table(SEED001)
    # "Regnskap 9 159 8 722 36 231 51 092" / "Budsjett 9 259 9 864 35 120 47 250" / "Avvik 100 1 142 -1 111 -3 842"
    printed = {"2015": (9159, 9259, 100), "2016": (8722, 9864, 1142), "2017": (36231, 35120, -1111),
               "2018": (51092, 47250, -3842)}
    assert [row.label for row in t.rows] == ["2015", "2016", "2017", "2018"]
    for i, row in enumerate(t.rows):
        r, b, a = printed[row.label]
        assert (row.amounts["regnskap"], row.amounts["budsjett"], row.amounts["avvik"]) == (r, b, a)
        assert computed(t, i, "avvik") == b - r == a  # avvik = budsjett − regnskap, declared
    # The result is named from the regnskap and budsjett columns the avvik compares.
    assert [c.id for c in compared_columns(t)] == ["regnskap", "budsjett"]
    # "-8,1 % Resultat": −3 842 ÷ 47 250 = −8,13 % → −8,1, printed for 2018 only
    assert t.rows[3].amounts["resultat"] == Decimal("-8.1") == computed(t, 3, "resultat")
    assert all("resultat" not in row.amounts for row in t.rows[:3])
    assert check(t) == []


def test_seed001_investment_project_3600():
    t = table(SEED001_INV)
    # "Kjøp av biler 3600 1 027 1 058 31"
    (row,) = t.rows
    assert row.texts["prosjektnummer"] == "3600"
    assert (row.amounts["regnskap"], row.amounts["revidert-budsjett"]) == (1027, 1058)
    assert computed(t, 0, "avvik") == 1058 - 1027 == 31 == row.amounts["avvik"]
    assert check(t) == []


def test_table15_drift_adds_up_exactly():
    t = table(DRIFT15)
    # "-55 951 -35 837 20 114 -40 952": the unlabelled total row, every cell the column's sum
    assert -88233 + 32282 == -55951 and -68284 + 32447 == -35837 and 19949 + 165 == 20114
    assert -78206 + 37254 == -40952
    total = t.rows[2]
    assert total.label is None and str(total.sum) == "alle" and total.shown_label == "Sum"
    assert {c: computed(t, 2, c) for c in ("regnskap-2022", "budsjett-2022", "budsjett-2023")} == {
        "regnskap-2022": -55951, "budsjett-2022": -35837, "budsjett-2023": -40952}
    # The total row's avvik is the budsjett total minus the regnskap total too: −35 837 + 55 951 = 20 114.
    assert computed(t, 2, "avvik") == 20114
    assert check(t) == []


def test_table15_investment_totals_are_reported_at_tolerance_zero(cli):
    # "Totalsum 401 482 488 427 86 945"; the seven projects add up to 401 481 and 86 946 (by hand:
    # 20 993 + 180 + 22 520 + 343 588 + 0 + 7 000 + 7 200 and 7 + 0 − 22 420 + 82 519 + 18 000 + 0 + 8 840).
    strict = cli("check", "--ignore-known-differences", INV15)
    assert strict.exit_code == 1
    assert errors(strict.stdout) == [
        (f"{INV15}:68:28: error: Totalsum, Regnskap 2022: published 401 482, computed 401 481 (sum alle: 20 993 + "
         "180 + 22 520 + 343 588 + 0 + 7 000 + 7 200) (difference +1)"),
        (f"{INV15}:68:66: error: Totalsum, Avvik: published 86 945, computed 86 946 (sum alle: 7 + 0 − 22 420 + "
         "82 519 + 18 000 + 0 + 8 840) (difference −1)"),
    ]
    tolerant = cli("check", "--ignore-known-differences", "--tolerance", "1", INV15)
    assert tolerant.exit_code == 0
    assert len(problem_lines(tolerant.stdout)) == 2 and tolerant.stdout.count("within tolerance 1") == 2
    recorded = cli("check", INV15)
    assert recorded.exit_code == 0
    assert recorded.stdout.count("a known difference (line") == 2
    assert "(line 70)" in recorded.stdout and "(line 75)" in recorded.stdout  # each figure cites its own record


def mutation(rel, anchor, key, old, new, message, *marks):
    return pytest.param(rel, anchor, key, old, new, message, marks=marks,
                        id=f"{Path(rel).stem}-{anchor.split(':')[-1].strip()}-{key}")


# (file, anchor, key, printed text, changed text, the message after file:line:col)
MUTATIONS = [
    # seed 001: "Avvik 100 1 142 -1 111 -3 842" against "Budsjett 9 259 9 864 35 120 47 250" and
    # "Regnskap 9 159 8 722 36 231 51 092"
    mutation(SEED001, "etikett: '2015'", "avvik", "100", "101",
             "2015, Avvik: published 101, computed 100 (budsjett − regnskap: 9 259 − 9 159) (difference +1)"),
    mutation(SEED001, "etikett: '2016'", "avvik", "1142", "1143",
             "2016, Avvik: published 1 143, computed 1 142 (budsjett − regnskap: 9 864 − 8 722) (difference +1)"),
    mutation(SEED001, "etikett: '2017'", "avvik", "-1111", "-1110",
             "2017, Avvik: published −1 110, computed −1 111 (budsjett − regnskap: 35 120 − 36 231) (difference +1)"),
    # the issue's own example: 2018's avvik changed to −3 841
    mutation(SEED001, "etikett: '2018'", "avvik", "-3842", "-3841",
             "2018, Avvik: published −3 841, computed −3 842 (budsjett − regnskap: 47 250 − 51 092) (difference +1)"),
    # "-8,1 % Resultat": −3 842 ÷ 47 250 × 100 = −8,13 → −8,1
    mutation(SEED001, "etikett: '2018'", "resultat", "'-8,1 %'", "'-8,2 %'",
             "2018, Resultat: published −8,2 %, computed −8,1 % (avvik ÷ budsjett: −3 842 ÷ 47 250 × 100) "
             "(difference −0,1 %)"),
    # "Kjøp av biler 3600 1 027 1 058 31"
    mutation(SEED001_INV, "etikett: Kjøp av biler", "avvik", "31", "32",
             "Kjøp av biler, Avvik: published 32, computed 31 (revidert-budsjett − regnskap: 1 058 − 1 027) "
             "(difference +1)"),
    # table 15, drift: "Fellesutgifter og - inntekter -88 233 -68 284 19 949 -78 206",
    # "ROR-IKT 32 282 32 447 165 37 254"
    mutation(DRIFT15, "etikett: Fellesutgifter", "avvik", "19949", "19950",
             "Fellesutgifter og - inntekter, Avvik: published 19 950, computed 19 949 (budsjett-2022 − regnskap-2022: "
             "−68 284 + 88 233) (difference +1)"),
    mutation(DRIFT15, "etikett: ROR-IKT", "avvik", "165", "166",
             "ROR-IKT, Avvik: published 166, computed 165 (budsjett-2022 − regnskap-2022: 32 447 − 32 282) "
             "(difference +1)"),
    # "-55 951 -35 837 20 114 -40 952"
    mutation(DRIFT15, "id: sum", "regnskap-2022", "-55951", "-55950",
             "Sum, Regnskap 2022: published −55 950, computed −55 951 (sum alle: −88 233 + 32 282) (difference +1)"),
    mutation(DRIFT15, "id: sum", "budsjett-2022", "-35837", "-35836",
             "Sum, Budsjett 2022: published −35 836, computed −35 837 (sum alle: −68 284 + 32 447) (difference +1)"),
    mutation(DRIFT15, "id: sum", "avvik", "20114", "20115",
             "Sum, Avvik: published 20 115, computed 20 114 (sum alle: 19 949 + 165) (difference +1)"),
    mutation(DRIFT15, "id: sum", "budsjett-2023", "-40952", "-40951",
             "Sum, Budsjett 2023: published −40 951, computed −40 952 (sum alle: −78 206 + 37 254) (difference +1)"),
    # table 15, investering: the seven avvik "7", "0", "-22 420", "82 519", "18 000", "0", "8 840"
    mutation(INV15, "etikett: Egenkapitaltilskudd", "avvik", "7", "8",
             "Egenkapitaltilskudd pensjonskasser, Avvik: published 8, computed 7 (budsjett-2022 − regnskap-2022: "
             "21 000 − 20 993) (difference +1)"),
    mutation(INV15, "etikett: Helseplattformen", "avvik", "0", "1",
             "Helseplattformen - kjøp av aksjer, Avvik: published 1, computed 0 (budsjett-2022 − regnskap-2022: "
             "180 − 180) (difference +1)"),
    mutation(INV15, "etikett: Justeringsrett", "avvik", "-22420", "-22419",
             "Justeringsrett merverdiavgift, Avvik: published −22 419, computed −22 420 (budsjett-2022 − "
             "regnskap-2022: 100 − 22 520) (difference +1)"),
    mutation(INV15, "etikett: Konserninterne", "avvik", "82519", "82520",
             "Konserninterne utlån, Avvik: published 82 520, computed 82 519 (budsjett-2022 − regnskap-2022: "
             "426 107 − 343 588) (difference +1)"),
    # (a subtrahend of 0 is shown added: "18 000 + 0")
    mutation(INV15, "etikett: Magasinbygg", "avvik", "18000", "18001",
             "Magasinbygg Romsdalsmuseet, Avvik: published 18 001, computed 18 000 (budsjett-2022 − regnskap-2022: "
             "18 000 + 0) (difference +1)"),
    mutation(INV15, "etikett: Molde Bærekrafthub", "avvik", "0", "1",
             "Molde Bærekrafthub AS, Avvik: published 1, computed 0 (budsjett-2022 − regnskap-2022: 7 000 − 7 000) "
             "(difference +1)"),
    mutation(INV15, "etikett: ROR-IKT", "avvik", "8840", "8841",
             "ROR-IKT – fellesinvesteringer, Avvik: published 8 841, computed 8 840 (budsjett-2022 − regnskap-2022: "
             "16 040 − 7 200) (difference +1)"),
    # "Totalsum 401 482 488 427 86 945" (the two recorded totals moved away from their records)
    mutation(INV15, "etikett: Totalsum", "regnskap-2022", "401482", "401483",
             "Totalsum, Regnskap 2022: published 401 483, computed 401 481 (sum alle: 20 993 + 180 + 22 520 + "
             "343 588 + 0 + 7 000 + 7 200) (difference +2)"),
    mutation(INV15, "etikett: Totalsum", "budsjett-2022", "488427", "488428",
             "Totalsum, Budsjett 2022: published 488 428, computed 488 427 (sum alle: 21 000 + 180 + 100 + 426 107 + "
             "18 000 + 7 000 + 16 040) (difference +1)"),
    mutation(INV15, "etikett: Totalsum", "avvik", "86945", "86944",
             "Totalsum, Avvik: published 86 944, computed 86 946 (sum alle: 7 + 0 − 22 420 + 82 519 + 18 000 + 0 + "
             "8 840) (difference −2)"),
]


@pytest.mark.parametrize(("rel", "anchor", "key", "old", "new", "message"), MUTATIONS)
def test_one_changed_printed_figure_is_flagged_alone(cli, data_copy, rel, anchor, key, old, new, message):
    path = data_copy.parent / rel
    line, col = find(path.read_text(encoding="utf-8"), anchor, key, old)
    replace(path, line, col, old, new)

    result = cli("check", rel, cwd=data_copy.parent)

    assert result.exit_code == 1, result.output
    assert errors(result.stdout) == [f"{rel}:{line}:{col}: error: {message}"]


def test_a_record_does_not_explain_another_relation_of_its_cell(cli, data_copy):
    # The record (line 75) says the printed avvik total 86 945 is 488 427 − 401 482 and that the rows add up to
    # 86 946. Printed 86 944 instead, it is 2 below the rows and 1 below 488 427 − 401 482 = 86 945: neither
    # is the recorded difference, so neither is a known difference.
    path = data_copy.parent / INV15
    line, col = find(path.read_text(encoding="utf-8"), "etikett: Totalsum", "avvik", "86945")
    replace(path, line, col, "86945", "86944")
    result = cli("check", INV15, cwd=data_copy.parent)
    assert result.exit_code == 1
    assert not [ln for ln in problem_lines(result.stdout) if ln.startswith(f"{INV15}:68:66:") and
                "a known difference (line 75)" in ln]


def test_the_2018_avvik_changed_in_all_of_data_fails_naming_that_line(cli, data_copy):
    path = data_copy / "tables" / "molde-2018-ressurstjenesten.yaml"
    line, col = find(path.read_text(encoding="utf-8"), "etikett: '2018'", "avvik", "-3842")
    replace(path, line, col, "-3842", "-3841")
    result = cli("check", "data", cwd=data_copy.parent)
    assert result.exit_code == 1
    assert errors(result.stdout) == [(f"{SEED001}:{line}:{col}: error: 2018, Avvik: published −3 841, "
                                      "computed −3 842 (budsjett − regnskap: 47 250 − 51 092) (difference +1)")]


def test_a_wrong_avvik_sign_fails_every_row(cli, data_copy):
    path = data_copy / "tables" / "molde-2018-ressurstjenesten.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("formel: budsjett - regnskap}") == 1
    path.write_text(text.replace("formel: budsjett - regnskap}", "formel: regnskap - budsjett}"), encoding="utf-8")
    result = cli("check", SEED001, cwd=data_copy.parent)
    assert result.exit_code == 1
    found = errors(result.stdout)
    assert len(found) == 4  # the four avvik; Resultat reads the printed avvik, −3 842 ÷ 47 250: still −8,1 %
    assert found[3].endswith("2018, Avvik: published −3 842, computed 3 842 (regnskap − budsjett: 51 092 − 47 250) "
                             "(difference −7 684)")
    # From the leaves (delsummer: grunnlag) the Resultat reads the avvik the formula gives: 3 842 ÷ 47 250 → 8,1 %.
    path.write_text(path.read_text(encoding="utf-8").replace("transponert: true\n",
                                                             "transponert: true\ndelsummer: grunnlag\n"),
                    encoding="utf-8")
    leaves = errors(cli("check", SEED001, cwd=data_copy.parent).stdout)
    assert len(leaves) == 5
    assert "2018, Resultat: published −8,1 %, computed 8,1 % (avvik ÷ budsjett: 3 842 ÷ 47 250 × 100) " \
           "(difference −16,2 %)" in leaves[4]


def test_the_avvik_sign_is_never_guessed(cli, data_copy):
    path = data_copy / "tables" / "molde-2018-ressurstjenesten.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(", formel: budsjett - regnskap}", "}"), encoding="utf-8")
    result = cli("check", SEED001, cwd=data_copy.parent)
    assert result.exit_code == 2
    # at the avvik column (line 34), asking for its formula
    assert f"{SEED001}:34:" in result.stderr and "formel" in result.stderr


def test_roll_lays_seed001_out_like_the_source(cli):
    result = cli("roll", SEED001)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = next(ln for ln in lines if ln.startswith("Beløp i 1 000 kr"))
    assert header.split()[-4:] == ["2015", "2016", "2017", "2018"]
    avvik = next(ln for ln in lines if ln.startswith("Avvik"))
    assert avvik.split()[1:] == ["100", "1", "142", "−1", "111", "−3", "842"]
    results = next(ln for ln in lines if ln.startswith("Merforbruk/mindreforbruk "))
    # regnskap below budsjett is mindreforbruk, above it merforbruk ("et merforbruk på 3 842 308 kroner i 2018")
    assert results.split()[1:] == ["mindreforbruk", "100", "mindreforbruk", "1", "142", "merforbruk", "1", "111",
                                   "merforbruk", "3", "842"]
    # "-8,1 % Resultat": printed for 2018 only; none is invented for the other years
    assert next(ln for ln in lines if ln.startswith("Resultat")).split() == ["Resultat", "−8,1", "%"]
    assert "!" not in result.stdout and "[" not in result.stdout


def test_roll_names_each_project_result(cli):
    result = cli("roll", INV15)
    assert result.exit_code == 0, result.output
    # "Justeringsrett merverdiavgift 95902 22 520 100 -22 420 nei": 22 520 − 100 = 22 420 above budget
    justering = next(ln for ln in result.stdout.splitlines() if ln.startswith("Justeringsrett"))
    assert justering.split()[-3:] == ["merforbruk", "22", "420"]
    # "Helseplattformen - kjøp av aksjer 79013 180 180 0 ja"
    assert next(ln for ln in result.stdout.splitlines() if ln.startswith("Helseplattformen")).rstrip().endswith(
        "i balanse")
    # the two recorded totals differ from their rows, and are marked so
    total = next(ln for ln in result.stdout.splitlines() if ln.startswith("Totalsum"))
    assert "401 482!" in total and "86 945!" in total and "488 427 " in total


def test_roll_json_of_an_accounts_table(cli):
    result = cli("roll", "--format", "json", INV15)
    data = json.loads(result.stdout, parse_float=Decimal)
    assert data["format"] == "rammecalc.roll/2"
    assert data["frames"] == [] and data["links"] == []
    (t,) = data["tables"]
    assert (t["table"], t["file"], t["amount_unit"]) == ("molde-2022-fellesomrade-investering", INV15, "1 000 kr")
    assert [c["role"] for c in t["columns"]] == ["tekst", "regnskap", "budsjett", "avvik", "tekst"]
    assert next(c for c in t["columns"] if c["role"] == "avvik")["formula"] == "budsjett-2022 - regnskap-2022"
    # "Justeringsrett merverdiavgift 95902 22 520 100 -22 420 nei"
    justering = next(r for r in t["rows"] if r["texts"].get("prosjekt-nr") == "95902")
    assert justering["values"] == {"regnskap-2022": 22520, "budsjett-2022": 100, "avvik": -22420}
    assert justering["printed"] == {"regnskap-2022": True, "budsjett-2022": True, "avvik": True}
    assert justering["differs"] == [] and justering["texts"]["ferdigstilt"] == "nei"
    # "Totalsum 401 482 488 427 86 945": as printed; the two that differ from their rows are named
    total = t["rows"][-1]
    assert (total["label"], total["definition"]) == ("Totalsum", "sum alle")
    assert total["values"] == {"regnskap-2022": 401482, "budsjett-2022": 488427, "avvik": 86945}
    assert total["differs"] == ["avvik", "regnskap-2022"]
