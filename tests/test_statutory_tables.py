"""The two statutory tables in data/tables, against the figures printed in their sources.

Table 17: Giske, Årsrapport 2022, "Løyvingsoversikt - Drift 2022", the bevilgningsoversikt drift of § 5-4
første ledd (shared/tables/17_giske-2022-lovingsoversikt-drift.txt). Table 27: Giske, Handlings- og
økonomiplan 2024–2027, 6.2, the bevilgningsoversikt drift per rammeområde of § 5-4 andre ledd
(shared/tables/27_giske-2024-lovingsoversikt-rammeomrade.txt).

Every figure below is a literal typed from the source's raw text (its row quoted beside it), and every cell
expected to differ comes from the hand-checked reading in the source file's header, summed again by hand
here. Table 17's header says "seven ±1 rounding differences" but itemizes eight (R22 rows 5, 8, 15, 17;
RB22 rows 8, 9; R21 rows 9, 24): the itemized list is right, and eight it is.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from rammecalc.core.table import check

from .cells import errors, only_loaded, problem_lines

T17 = "data/tables/giske-2022-bevilgningsoversikt-drift.yaml"
T27 = "data/tables/giske-2024-bevilgningsoversikt-rammeomrade.yaml"

# Table 17 as printed ("Alle tal i heile 1 000"): Regnskap 2022 | Reg. budsjett 2022 | Oppr.budsjett 2022 |
# Regnskap i fjor (2021). "-" is a zero; "- 1 097" is −1 097.
PRINTED_17 = {
    "1": (262905, 252839, 260139, 257470),    # "1 Rammetilskudd 262 905 252 839 260 139 257 470"
    "2": (311009, 298692, 273692, 285156),    # "2 Inntekts- og formueskatt 311 009 298 692 273 692 285 156"
    "3": (28024, 28500, 28500, 27939),        # "3 Eiendomsskatt 28 024 28 500 28 500 27 939"
    "4": (24894, 17353, 11353, 10267),        # "4 Andre generelle driftsinntekter 24 894 17 353 11 353 10 267"
    "5": (626833, 597384, 573684, 580832),    # "5 Sum generelle driftsinntekter 626 833 597 384 573 684 580 832"
    "6": (529102, 525395, 510002, 500744),    # "6 Sum bevilgninger drift, netto 529 102 525 395 510 002 500 744"
    "7": (40650, 40650, 39503, 39503),        # "7 Avskrivninger 40 650 40 650 39 503 39 503"
    "8": (569753, 566046, 549505, 540247),    # "8 Sum netto driftsutgifter 569 753 566 046 549 505 540 247"
    "9": (57080, 31339, 24179, 40586),        # "9 Brutto driftsresultat 57 080 31 339 24 179 40 586"
    "10": (2518, 2725, 2725, 2232),           # "10 Renteinntekter 2 518 2 725 2 725 2 232"
    "11": (93, 50, 50, 68),                   # "11 Utbytter 93 50 50 68"
    "12": (-3901, -3000, 6000, 11771),        # "12 Gevinster og tap på finansielle … - 3 901 - 3 000 6 000 11 771"
    "13": (26055, 26952, 26952, 21689),       # "13 Renteutgifter 26 055 26 952 26 952 21 689"
    "14": (37790, 39655, 39655, 39442),       # "14 Avdrag på lån 37 790 39 655 39 655 39 442"
    "15": (-65136, -66832, -57832, -47060),   # "15 Netto finansutgifter - 65 136 - 66 832 - 57 832 - 47 060"
    "16": (40650, 40650, 39503, 39503),       # "16 Motpost avskrivninger 40 650 40 650 39 503 39 503"
    "17": (32595, 5157, 5850, 33029),         # "17 Netto driftsresultat 32 595 5 157 5 850 33 029"
    "18": (1500, 1500, 1500, 1400),           # "18 Overføring til investering 1 500 1 500 1 500 1 400"
    "19": (4406, 177, 177, 7674),             # "19 Avsetninger til bundne driftsfond 4 406 177 177 7 674"
    "20": (-6043, -5235, -5235, -6678),       # "20 Bruk av bundne driftsfond - 6 043 - 5 235 - 5 235 - 6 678"
    "21": (33829, 9812, 2005, 3988),          # "21 Avsetninger til disposisjonsfond 33 829 9 812 2 005 3 988"
    "22": (-1097, -1097, 0, 0),               # "22 Bruk av disposisjonsfond - 1 097 - 1 097 - -"
    "23": (0, 0, 7403, 26646),                # "23 Dekning av tidligere års merforbruk - - 7 403 26 646"
    "24": (32595, 5157, 5850, 33029),         # "24 Sum disponeringer eller dekning av netto driftsresultat 32 595 …"
    "25": (0, 0, 0, 0),                       # "25 Fremført til inndekning i senere år (merforbruk) - - - -"
}

# Table 27 as printed ("Alle tal i heile 1 000 kroner"): Regnskap 2022 | Budsjett 2023 … 2027.
PRINTED_27 = {
    "1": (4484, 4766, 4993, 5361, 4993, 5383),                   # "1 POLITISK STYRING 4 484 4 766 4 993 5 361 …"
    "2": (22868, 25933, 31584, 31584, 31384, 31384),             # "2 KOMMUNE LEIING - STAB, … 22 868 25 933 31 584 …"
    "3": (-8722, 14403, 14431, 12417, 11543, 11543),             # "3 FELLESUTGIFTER/FELLESINNTEKTER -8 722 14 403 …"
    "4": (8547, 8694, 12992, 12992, 12992, 12992),               # "4 DIVERSE TENESTEOMRÅDE 8 547 8 694 12 992 …"
    "5": (221252, 234364, 255063, 257878, 257847, 257817),       # "5 OPPVEKST 221 252 234 364 255 063 257 878 …"
    "6": (54470, 57544, 66043, 66043, 66043, 66043),             # "6 BARN, FAMILIE, HELSE 54 470 57 544 66 043 …"
    "7": (199758, 180818, 189401, 189401, 189401, 189401),       # "7 PLEIE, OMSORG OG SOSIAL 199 758 180 818 …"
    "8": (0, 0, 0, 0, 0, 0),                                     # "8 MILJØ OG KULTUR 0 0 0 0 0 0"
    "9": (20457, 25737, 20003, 15003, 10003, 5003),              # "9 TEKNISK 20 457 25 737 20 003 15 003 10 003 5 003"
    "10": (5505, 5751, 6164, 6164, 6164, 6164),                  # "10 KYRKJELEGE FØREMÅL 5 505 5 751 6 164 …"
    "12": (484, -1114, -1473, -1468, -1468, -1468),              # "12 SKATT, RAMMETILSKOT, FINANS 484 -1 114 …"
    "sum": (529102, 556897, 599200, 595374, 588902, 584261),     # "Sum bevillinger drift, netto 529 102 556 897 …"
}


def printed(rel: str) -> dict[str, tuple[Decimal, ...]]:
    t = only_loaded(rel)
    ids = [c.id for c in t.figure_columns]
    return {r.number or r.id: tuple(r.amounts[i] for i in ids) if isinstance(r.amounts, dict) else tuple(r.amounts)
            for r in t.rows if not r.is_heading}


def test_table_17_is_typed_as_printed():
    assert printed(T17) == PRINTED_17
    t = only_loaded(T17)
    assert [c.label for c in t.figure_columns] == ["Regnskap 2022", "Reg. budsjett 2022", "Oppr.budsjett 2022",
                                                  "Regnskap i fjor 2021"]
    assert [r.heading for r in t.rows if r.is_heading] == ["Disponering eller dekning av netto driftsresultat"]


def test_table_27_is_typed_as_printed():
    assert printed(T27) == PRINTED_27
    # the rammeområder are numbered 1–10 and 12: there is no 11
    assert "11" not in PRINTED_27


# The hand-checked reading of table 17 (published minus recomputed), each recomputed from the printed rows it
# is defined from:
EIGHT = [
    # (line, column, figure, difference)
    (33, 71, "5 Sum generelle driftsinntekter, Regnskap 2022", 1),       # 262 905 + 311 009 + 28 024 + 24 894 = 626 832
    (36, 66, "8 Sum netto driftsutgifter, Regnskap 2022", 1),            # 529 102 + 40 650 = 569 752
    (36, 75, "8 Sum netto driftsutgifter, Reg. budsjett 2022", 1),       # 525 395 + 40 650 = 566 045
    (37, 91, "9 Brutto driftsresultat, Reg. budsjett 2022", 1),          # 597 384 − 566 046 = 31 338
    (37, 107, "9 Brutto driftsresultat, Regnskap i fjor 2021", 1),       # 580 832 − 540 247 = 40 585
    (43, 85, "15 Netto finansutgifter, Regnskap 2022", -1),              # 2 518 + 93 − 3 901 − 26 055 − 37 790
    #                                                                    = −65 135
    (45, 89, "17 Netto driftsresultat, Regnskap 2022", 1),               # 57 080 − 65 136 + 40 650 = 32 594
    (54, 36, "24 Sum disponeringer eller dekning av netto driftsresultat, Regnskap i fjor 2021", -1),
    #                                                                    1 400 + 7 674 − 6 678 + 3 988 + 0
    #                                                                    + 26 646 = 33 030
]
# Table 27: the eleven rows per column against the printed total (published minus the rows' sum, by hand):
#   Regnskap 2022: 529 103 (−1); B2023: 556 896 (+1); B2024: 599 201 (−1); B2025: 595 375 (−1);
#   B2026: 588 902 (exact); B2027: 584 262 (−1).
FIVE = [
    (43, 13, "Sum bevillinger drift, netto, Regnskap 2022", -1),
    (43, 22, "Sum bevillinger drift, netto, Budsjett 2023", 1),
    (43, 31, "Sum bevillinger drift, netto, Budsjett 2024", -1),
    (43, 40, "Sum bevillinger drift, netto, Budsjett 2025", -1),
    (43, 58, "Sum bevillinger drift, netto, Budsjett 2027", -1),
]


def found(cli, rel: str, *args: str, cwd=None) -> tuple[int, list[tuple]]:
    result = cli("check", "--report", "json", *args, rel, **({"cwd": cwd} if cwd else {}))
    problems = json.loads(result.stdout, parse_float=Decimal)["problems"]
    return result.exit_code, [(p["file"], p["line"], p["column"], p["severity"], p["figure"], p["difference"])
                              for p in problems]


@pytest.mark.parametrize(("rel", "cells"), [(T17, EIGHT), (T27, FIVE)], ids=["17", "27"])
def test_each_recorded_cell_is_a_warning_and_nothing_else(cli, rel, cells):
    code, problems = found(cli, rel)
    assert code == 0
    assert problems == [(rel, line, col, "warning", figure, diff) for line, col, figure, diff in cells]


@pytest.mark.parametrize(("rel", "cells"), [(T17, EIGHT), (T27, FIVE)], ids=["17", "27"])
def test_each_recorded_cell_is_an_error_when_the_records_are_ignored(cli, rel, cells):
    code, problems = found(cli, rel, "--ignore-known-differences")
    assert code == 1
    assert problems == [(rel, line, col, "error", figure, diff) for line, col, figure, diff in cells]
    # and a warning at tolerance 1: every one is ±1
    code, problems = found(cli, rel, "--ignore-known-differences", "--tolerance", "1")
    assert code == 0 and [p[3] for p in problems] == ["warning"] * len(cells)


def test_the_text_report_cites_each_record(cli):
    result = cli("check", T17)
    assert result.exit_code == 0
    lines = problem_lines(result.stdout)
    assert len(lines) == 8 and all(", a known difference (line " in ln for ln in lines)
    # row 15's record: "rounded on its own: rows 10 + 11 + 12 − 13 − 14 give −65 135"
    assert (f"{T17}:43:85: warning: 15 Netto finansutgifter, Regnskap 2022: published −65 136, computed −65 135 "
            "(10 + 11 + 12 − 13 − 14: 2 518 + 93 − 3 901 − 26 055 − 37 790) (difference −1), a known difference "
            "(line 62)") in result.stdout
    assert "checked 1 file, 1 table, 32 published figures: 0 errors, 8 warnings" in result.stdout


def test_the_tables_check_clean_in_the_library(cli):
    from rammecalc import load

    loaded = load([only_loaded(T17).file, only_loaded(T27).file])
    assert loaded.problems == []
    for table in loaded.tables:
        problems = check(table, references=loaded.references[table.file])
        assert problems and all(p.severity.value == "warning" for p in problems)


# -------------------------------------------------------------------- 27's total is 17's row 6, by reference


def test_27s_2022_total_is_tied_to_17s_row_6(cli):
    t = only_loaded(T27)
    total = next(r for r in t.rows if r.id == "sum")
    address = total.equal
    assert (address.file, address.row, address.column, address.here) == (
        "giske-2022-bevilgningsoversikt-drift.yaml", "6", "regnskap", "regnskap-2022")
    # "Sum bevillinger drift, netto 529 102 …" (27) = "6 Sum bevilgninger drift, netto 529 102 …" (17)
    assert PRINTED_27["sum"][0] == PRINTED_17["6"][0] == 529102


def changed_row_6(data_copy, new: str) -> None:
    path = data_copy / "tables" / "giske-2022-bevilgningsoversikt-drift.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("beløp: [529 102, 525 395") == 1
    path.write_text(text.replace("beløp: [529 102, 525 395", f"beløp: [{new}, 525 395"), encoding="utf-8")


def test_17s_row_6_changed_fails_the_link_at_27s_total(cli, data_copy):
    # 17's row 6 Regnskap 2022 printed 529 112 instead of 529 102: 27's total (529 102) no longer equals it.
    changed_row_6(data_copy, "529 112")
    result = cli("check", T27, cwd=data_copy.parent)
    assert result.exit_code == 1
    assert errors(result.stdout) == [
        (f"{T27}:43:13: error: Sum bevillinger drift, netto, Regnskap 2022: published 529 102, computed 529 112 "
         f"(lik giske-2022-bevilgningsoversikt-drift.yaml, {T17}:34:76) (difference −10)")]
    # Checking everything, 17 shows the change too: row 8 = 529 112 + 40 650 = 569 762, printed 569 753.
    everything = cli("check", "data", cwd=data_copy.parent)
    assert everything.exit_code == 1
    assert [ln.split(": error: ")[0] for ln in errors(everything.stdout)] == [f"{T17}:36:66", f"{T27}:43:13"]


def test_17s_row_6_changed_by_one_fails_the_link_all_the_same(cli, data_copy):
    # 529 103 instead of 529 102: the tie is off by −1, which happens to be the total's recorded difference
    # against its rows ("the eleven rows add up to 529 103"). The record explains the sum, not the tie.
    changed_row_6(data_copy, "529 103")
    result = cli("check", T27, cwd=data_copy.parent)
    assert result.exit_code == 1
    assert [ln.split(": error: ")[0] for ln in errors(result.stdout)] == [f"{T27}:43:13"]
