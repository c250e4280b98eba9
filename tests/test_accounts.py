"""Accounts tables (``type: regnskap``): each bundled table against the figures printed in its source.

The figures are typed from the sources (shared/seeds/001_194125f7214793be.txt and
shared/tables/15_molde-2022-fellesomrade-regnskap-avvik.txt), with the source line quoted, not read from our
files or our output. The mutation tests change one printed figure in a copy of data/ and run the real command:
exactly that figure is reported, at its own file:line:col.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from rammecalc.core import accounts

from .cells import errors, find, only_loaded, problem_lines, replace

SEED001 = "data/accounts/molde-2018-ressurstjenesten.yaml"
SEED001_INV = "data/accounts/molde-2018-ressurstjenesten-investering.yaml"
DRIFT15 = "data/accounts/molde-2022-fellesomrade-drift.yaml"
INV15 = "data/accounts/molde-2022-fellesomrade-investering.yaml"


def table(rel: str) -> accounts.AccountsTable:
    return only_loaded(rel, "accounts")


def test_seed001_as_printed():
    t = table(SEED001)
    # "Regnskap 9 159 8 722 36 231 51 092" / "Budsjett 9 259 9 864 35 120 47 250" / "Avvik 100 1 142 -1 111 -3 842"
    printed = {"2015": (9159, 9259, 100), "2016": (8722, 9864, 1142), "2017": (36231, 35120, -1111),
               "2018": (51092, 47250, -3842)}
    avvik = t.variance_columns[0]
    for row in t.rows:
        r, b, a = printed[row.label]
        assert (row.amounts["regnskap"], row.amounts["budsjett"], row.amounts["avvik"]) == (r, b, a)
        assert t.variance(row, avvik) == b - r == a  # avvik = budsjett − regnskap, declared
    # "Enheten hadde et merforbruk på 3 842 308 kroner i 2018."
    assert t.spending(t.rows[3], avvik) == ("merforbruk", Decimal(3842))
    assert t.spending(t.rows[0], avvik) == ("mindreforbruk", Decimal(100))
    # "-8,1 % Resultat": −3 842 ÷ 47 250 = −8,13 % → −8,1
    assert t.key_figure(t.key_figures[0]) == Decimal("-8.1") == t.key_figures[0].published
    assert accounts.check(t) == []


def test_seed001_investment_project_3600():
    t = table(SEED001_INV)
    # "Kjøp av biler 3600 1 027 1 058 31"
    (row,) = t.rows
    assert row.texts["prosjektnummer"] == "3600"
    assert t.variance(row, t.variance_columns[0]) == 1058 - 1027 == 31
    assert accounts.check(t) == []


def test_table15_drift_adds_up_exactly():
    t = table(DRIFT15)
    # "-55 951 -35 837 20 114 -40 952": the unlabelled total row, every cell the column's sum
    assert -88233 + 32282 == -55951 and -68284 + 32447 == -35837 and 19949 + 165 == 20114
    assert -78206 + 37254 == -40952
    assert accounts.check(t) == []


def test_table15_investment_totals_are_reported_at_tolerance_zero(cli):
    # "Totalsum 401 482 488 427 86 945"; the seven projects add up to 401 481 and 86 946.
    strict = cli("check", "--ignore-known-differences", INV15)
    assert strict.exit_code == 1
    assert errors(strict.stdout) == [
        f"{INV15}:68:26: error: Regnskap 2022 Totalsum: published 401 482, computed 401 481 (difference +1)",
        f"{INV15}:68:64: error: Avvik Totalsum: published 86 945, computed 86 946 (difference −1)",
    ]
    tolerant = cli("check", "--ignore-known-differences", "--tolerance", "1", INV15)
    assert tolerant.exit_code == 0
    assert len(problem_lines(tolerant.stdout)) == 2 and "within tolerance 1" in tolerant.stdout
    recorded = cli("check", INV15)
    assert recorded.exit_code == 0
    assert recorded.stdout.count("a known difference (line") == 2


# (file, anchor, after, key, printed text, changed text, the message after file:line:col)
MUTATIONS = [
    # seed 001: "Avvik 100 1 142 -1 111 -3 842"
    (SEED001, "etikett: '2015'", None, "avvik", "100", "101",
     "Avvik 2015: published 101, computed 100 = 9 259 − 9 159 (budsjett − regnskap) (difference +1)"),
    (SEED001, "etikett: '2016'", None, "avvik", "1142", "1143",
     "Avvik 2016: published 1 143, computed 1 142 = 9 864 − 8 722 (budsjett − regnskap) (difference +1)"),
    (SEED001, "etikett: '2017'", None, "avvik", "-1111", "-1110",
     "Avvik 2017: published −1 110, computed −1 111 = 35 120 − 36 231 (budsjett − regnskap) (difference +1)"),
    # the issue's own example: 2018's avvik changed to −3 841
    (SEED001, "etikett: '2018'", None, "avvik", "-3842", "-3841",
     "Avvik 2018: published −3 841, computed −3 842 = 47 250 − 51 092 (budsjett − regnskap) (difference +1)"),
    # "-8,1 % Resultat"
    (SEED001, "etikett: Resultat", None, "publisert", "'-8,1 %'", "'-8,2 %'",
     "Resultat 2018: published −8,2 %, computed −8,1 % (avvik ÷ budsjett, 1 decimal, halv-opp) "
     "(difference −0,1)"),
    # "Kjøp av biler 3600 1 027 1 058 31"
    (SEED001_INV, "etikett: Kjøp av biler", None, "avvik", "31", "32",
     "Avvik Kjøp av biler: published 32, computed 31 = 1 058 − 1 027 (budsjett − regnskap) (difference +1)"),
    # table 15, drift: "Fellesutgifter og - inntekter -88 233 -68 284 19 949 -78 206", "ROR-IKT 32 282 32 447 165 37 254"
    (DRIFT15, "etikett: Fellesutgifter", None, "avvik", "19949", "19950",
     "Avvik Fellesutgifter og - inntekter: published 19 950, computed 19 949 = −68 284 − (−88 233) "
     "(budsjett − regnskap) (difference +1)"),
    (DRIFT15, "etikett: ROR-IKT", None, "avvik", "165", "166",
     "Avvik ROR-IKT: published 166, computed 165 = 32 447 − 32 282 (budsjett − regnskap) (difference +1)"),
    # "-55 951 -35 837 20 114 -40 952"
    (DRIFT15, "sum:", None, "regnskap-2022", "-55951", "-55950",
     "Regnskap 2022 Sum: published −55 950, computed −55 951 (difference +1)"),
    (DRIFT15, "sum:", None, "budsjett-2022", "-35837", "-35836",
     "Budsjett 2022 Sum: published −35 836, computed −35 837 (difference +1)"),
    (DRIFT15, "sum:", None, "avvik", "20114", "20115", "Avvik Sum: published 20 115, computed 20 114 (difference +1)"),
    (DRIFT15, "sum:", None, "budsjett-2023", "-40952", "-40951",
     "Budsjett 2023 Sum: published −40 951, computed −40 952 (difference +1)"),
    # table 15, investering: the seven avvik "7", "0", "-22 420", "82 519", "18 000", "0", "8 840"
    (INV15, "etikett: Egenkapitaltilskudd", None, "avvik", "7", "8",
     "Avvik Egenkapitaltilskudd pensjonskasser: published 8, computed 7 = 21 000 − 20 993 (budsjett − regnskap) "
     "(difference +1)"),
    (INV15, "etikett: Helseplattformen", None, "avvik", "0", "1",
     "Avvik Helseplattformen - kjøp av aksjer: published 1, computed 0 = 180 − 180 (budsjett − regnskap) "
     "(difference +1)"),
    (INV15, "etikett: Justeringsrett", None, "avvik", "-22420", "-22419",
     "Avvik Justeringsrett merverdiavgift: published −22 419, computed −22 420 = 100 − 22 520 "
     "(budsjett − regnskap) (difference +1)"),
    (INV15, "etikett: Konserninterne", None, "avvik", "82519", "82520",
     "Avvik Konserninterne utlån: published 82 520, computed 82 519 = 426 107 − 343 588 (budsjett − regnskap) "
     "(difference +1)"),
    (INV15, "etikett: Magasinbygg", None, "avvik", "18000", "18001",
     "Avvik Magasinbygg Romsdalsmuseet: published 18 001, computed 18 000 = 18 000 − 0 (budsjett − regnskap) "
     "(difference +1)"),
    (INV15, "etikett: Molde Bærekrafthub", None, "avvik", "0", "1",
     "Avvik Molde Bærekrafthub AS: published 1, computed 0 = 7 000 − 7 000 (budsjett − regnskap) (difference +1)"),
    (INV15, "etikett: ROR-IKT", None, "avvik", "8840", "8841",
     "Avvik ROR-IKT – fellesinvesteringer: published 8 841, computed 8 840 = 16 040 − 7 200 (budsjett − regnskap) "
     "(difference +1)"),
    # "Totalsum 401 482 488 427 86 945" (the two recorded totals moved away from their records)
    (INV15, "etikett: Totalsum", None, "regnskap-2022", "401482", "401483",
     "Regnskap 2022 Totalsum: published 401 483, computed 401 481 (difference +2)"),
    (INV15, "etikett: Totalsum", None, "budsjett-2022", "488427", "488428",
     "Budsjett 2022 Totalsum: published 488 428, computed 488 427 (difference +1)"),
    (INV15, "etikett: Totalsum", None, "avvik", "86945", "86944",
     "Avvik Totalsum: published 86 944, computed 86 946 (difference −2)"),
]


@pytest.mark.parametrize(("rel", "anchor", "after", "key", "old", "new", "message"), MUTATIONS,
                         ids=[f"{Path(m[0]).stem}-{m[1].split(':')[-1].strip()}-{m[3]}" for m in MUTATIONS])
def test_one_changed_printed_figure_is_flagged_alone(cli, data_copy, rel, anchor, after, key, old, new, message):
    path = data_copy.parent / rel
    line, col = find(path.read_text(encoding="utf-8"), anchor, key, old, after)
    replace(path, line, col, old, new)

    result = cli("check", rel, cwd=data_copy.parent)

    assert result.exit_code == 1, result.output
    assert errors(result.stdout) == [f"{rel}:{line}:{col}: error: {message}"]


def test_the_2018_avvik_changed_in_all_of_data_fails_naming_that_line(cli, data_copy):
    path = data_copy / "accounts" / "molde-2018-ressurstjenesten.yaml"
    line, col = find(path.read_text(encoding="utf-8"), "etikett: '2018'", "avvik", "-3842")
    replace(path, line, col, "-3842", "-3841")
    result = cli("check", "data", cwd=data_copy.parent)
    assert result.exit_code == 1
    assert errors(result.stdout) == [f"{SEED001}:{line}:{col}: error: Avvik 2018: published −3 841, computed −3 842 = "
                                     "47 250 − 51 092 (budsjett − regnskap) (difference +1)"]


def test_a_wrong_avvik_sign_fails_every_row_and_the_key_figure(cli, data_copy):
    path = data_copy / "accounts" / "molde-2018-ressurstjenesten.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("avviksfortegn: budsjett-minus-regnskap",
                                                             "avviksfortegn: regnskap-minus-budsjett"), encoding="utf-8")
    result = cli("check", SEED001, cwd=data_copy.parent)
    assert result.exit_code == 1
    found = errors(result.stdout)
    assert len(found) == 5  # four avvik and Resultat
    assert "Avvik 2018: published −3 842, computed 3 842 = 51 092 − 47 250 (regnskap − budsjett) " \
           "(difference −7 684)" in found[3]
    assert "Resultat 2018: published −8,1 %, computed 8,1 %" in found[4]


def test_the_avvik_sign_is_never_guessed(cli, data_copy):
    path = data_copy / "accounts" / "molde-2018-ressurstjenesten.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("avviksfortegn: budsjett-minus-regnskap\n", ""),
                    encoding="utf-8")
    result = cli("check", SEED001, cwd=data_copy.parent)
    assert result.exit_code == 2
    assert f"{SEED001}:20:1: error: missing key 'avviksfortegn' in the document" in result.stderr


def test_roll_lays_seed001_out_like_the_source(cli):
    result = cli("roll", SEED001)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert next(ln for ln in lines if ln.startswith("Beløp i 1 000 kr")).split()[-4:] == ["2015", "2016", "2017", "2018"]
    assert next(ln for ln in lines if ln.startswith("Avvik")).split()[1:] == ["100", "1", "142", "−1", "111", "−3", "842"]
    results = next(ln for ln in lines if ln.startswith("Merforbruk/mindreforbruk "))
    assert results.split()[1:] == ["mindreforbruk", "100", "mindreforbruk", "1", "142", "merforbruk", "1", "111",
                                   "merforbruk", "3", "842"]
    assert "Resultat 2018  −8,1 %" in result.stdout


def test_roll_json_of_an_accounts_table(cli):
    result = cli("roll", "--format", "json", INV15)
    data = json.loads(result.stdout, parse_float=Decimal)
    assert data["tables"] == [] and data["sum_tables"] == [] and data["links"] == []
    (t,) = data["accounts"]
    assert t["variance_sign"] == "budsjett-minus-regnskap"
    assert [c["role"] for c in t["columns"]] == ["tekst", "regnskap", "budsjett", "avvik", "tekst"]
    justering = next(r for r in t["rows"] if r["texts"]["prosjekt-nr"] == "95902")
    assert justering["variance"]["avvik"] == {"computed": -22420, "result": "merforbruk", "amount": 22420}
    assert t["total"] == {"label": "Totalsum",
                          "amounts": {"regnskap-2022": 401482, "budsjett-2022": 488427, "avvik": 86945}}
