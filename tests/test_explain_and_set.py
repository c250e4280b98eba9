"""`rammecalc explain` and `--set`, as a user runs them. Expected figures are computed by hand here."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from .conftest import ROOT, SEED000_FRAME

TRONDHEIM = "data/frames/trondheim-2022-psykisk-helse-og-rus.yaml"


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_explain_seed000_price_adjustment_shows_rate_times_base(cli):
    result = cli("explain", SEED000_FRAME, "prisjustering-2017", "2017")
    assert result.exit_code == 0, result.output
    lines = lines_of(result.stdout)
    assert lines[0] == "Prisjustering med 1,4 pst. på utvalgte utgiftsposter"
    # 1,4 % of the implied base 3 286 is 46,004, rounded half up to 46: the seed's printed 46.
    assert "formula     3 286 × 1,4 % = 46,004" in lines
    assert "rounding    halv-opp → 46" in lines
    assert "amount      46" in lines
    rate = next(line for line in lines if line.startswith("rate"))
    assert rate.endswith("(data/parameters/molde-2017.yaml:15:21)")
    assert "prisvekst 2017" in rate
    printed = next(line for line in lines if line.startswith("printed"))
    assert printed.startswith("printed     46, from Ramme for budsjett 2017 og økonomiplan 2017–2020")


def test_explain_wage_settlement_share_and_carry_over(cli):
    result = cli("explain", SEED000_FRAME, "lønnsoppgjør-kap4-2016")
    lines = lines_of(result.stdout)
    # 268 × 231/366 = 169,15 → 169 in 2016; the carry-over 268 − 169 = 99 in 2017
    assert "formula     268 × 231/366 = ≈ 169,1475" in lines
    assert "convention  inkrementell: the change from 2016: 268 − 169 = 99" in lines
    assert [line for line in lines if line.startswith("amount")] == ["amount      169", "amount      99"]


def test_explain_group_and_new_frame(cli):
    group = lines_of(cli("explain", SEED000_FRAME, "lønns-og-prisvekst", "2017").stdout)
    # seed 000, 2017: 99 + 8 + 46 − 127 = 26, printed as "Lønns- og prisvekst ... 26"
    body = [line.split() for line in group[group.index("2017") + 1:]]
    assert [(words[:-1], words[-1]) for words in body[:4]] == [
        (["Lønnsoppgjør", "kap.", "4", "–", "2016"], "99"), (["Lønnsoppgjør", "kap.", "3", "og", "5", "–", "2016"], "8"),
        (["Prisjustering", "med", "1,4", "pst.", "på", "utvalgte", "utgiftsposter"], "46"),
        (["Egenfinansiering", "av", "lønnsoppgjør", "2017", "–", "2,2", "pst.", "finansieres", "med", "økning", "i",
          "egne", "inntekter"], "−127")]
    assert body[4] == ["sum", "26"]
    assert body[5][:3] == ["printed", "26,", "from"]
    new = lines_of(cli("explain", SEED000_FRAME, "ny_driftsramme", "2017").stdout)
    # 9 864 + 26 + 2 109 = 11 999
    assert "start                 9 864, the new frame of 2016 (inkrementell)" in new
    assert "new frame             11 999" in new


def test_explain_by_the_documents_own_number(cli):
    result = cli("explain", TRONDHEIM, "7a", "2023")
    lines = lines_of(result.stdout)
    assert "from        2023-07-01: 6 of 12 months of 2023 (måneder)" in lines
    assert "formula     8 400 × 6/12 = 4 200" in lines


def test_explain_unknown_name_lists_the_names(cli):
    result = cli("explain", SEED000_FRAME, "prisjustering")
    assert result.exit_code == 2
    assert "'prisjustering' is no item, group or row" in result.stderr
    assert "prisjustering-2017" in result.stderr
    assert cli("explain", SEED000_FRAME, "prisjustering-2017", "2030").exit_code == 2


def test_explain_on_a_file_with_no_frame_or_table_says_what_to_use_instead(cli):
    result = cli("explain", "data/links/molde-ressurstjenesten.yaml", "x", cwd=ROOT)
    assert result.exit_code == 2
    assert ("there is no frame or table in data/links/molde-ressurstjenesten.yaml: explain follows the figures "
            "of frames (type: ramme) and tables (type: tabell)") in result.stderr
    assert "'rammecalc check data/links/molde-ressurstjenesten.yaml' checks them" in result.stderr


def test_explain_on_a_table_row_shows_its_relation_and_the_figures_it_read(cli):
    # shared/tables/17: "9 Brutto driftsresultat 57 080 31 339 24 179 40 586", defined as 5 − 8:
    # "5 Sum generelle driftsinntekter 626 833 597 384 …", "8 Sum netto driftsutgifter 569 753 566 046 …";
    # Reg. budsjett 2022: 597 384 − 566 046 = 31 338, printed 31 339 (the recorded +1)
    table = "data/tables/giske-2022-bevilgningsoversikt-drift.yaml"
    result = cli("explain", table, "9", "regulert-budsjett", cwd=ROOT)
    assert result.exit_code == 0, result.output
    lines = [line.split("  (")[0].rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == "9 Brutto driftsresultat"
    assert "Reg. budsjett 2022" in lines and "Regnskap 2022" not in lines  # one column
    steps = [" ".join(line.split()) for line in lines[lines.index("Reg. budsjett 2022") + 1:]]
    assert steps[:5] == ["defined as 5 − 8", "+ 5 Sum generelle driftsinntekter 597 384",
                         "− 8 Sum netto driftsutgifter 566 046", "computed 31 338",
                         "printed 31 339; differs from 5 − 8 by +1, a known difference: rounded on its own: "
                         "597 384 − 566 046 = 31 338"]
    by_year = cli("explain", table, "9", "2021", cwd=ROOT)  # a column by its year: Regnskap i fjor 2021
    assert "Regnskap i fjor 2021" in by_year.stdout and "40 586" in by_year.stdout


def test_set_changes_the_new_frame_by_the_hand_calculated_amount(cli):
    base = json.loads(cli("roll", "-f", "json", SEED000_FRAME).stdout)["frames"][0]["new_frame"]
    result = cli("roll", "-f", "json", "--set", "prisvekst=2%", SEED000_FRAME)
    assert result.exit_code == 0, result.output
    varied = json.loads(result.stdout)["frames"][0]["new_frame"]
    # 3 286 × 2 % = 65,72 → 66 instead of 46: +20 in 2017, carried on in every later column.
    assert {y: varied[y] - base[y] for y in base} == {"2016": 0, "2017": 20, "2018": 20, "2019": 20, "2020": 20}
    assert varied["2017"] == 12019


def test_an_item_computed_with_a_set_rate_is_marked_and_its_text_kept(cli):
    result = cli("roll", "--set", "prisvekst=2%", SEED000_FRAME)
    lines = result.stdout.splitlines()
    # The label may wrap (the runner's console is narrow); its last word carries the mark.
    assert [line.strip() for line in lines if "utgiftsposter" in line] == ["utgiftsposter *"]
    assert sum("*" in line for line in lines) == 2  # the row and the note, nothing else
    assert ("*) Beløpet er beregnet med endret prisvekst; en sats nevnt i teksten kan være den gamle."
            in lines)
    rows = json.loads(cli("roll", "-f", "json", "--set", "prisvekst=2%", SEED000_FRAME).stdout)["frames"][0]["rows"]
    assert {r["id"]: r["overridden_parameters"] for r in rows if r["overridden_parameters"]} == {
        "prisjustering-2017": ["prisvekst"]}
    records = list(csv.DictReader(io.StringIO(cli("roll", "-f", "csv", "--set", "prisvekst=2%", SEED000_FRAME).stdout)))
    assert {(r["id"], r["year"], r["value"]) for r in records if r["overridden_parameters"]} == {
        ("prisjustering-2017", str(y), "66" if y == 2017 else "") for y in range(2016, 2021)}
    assert {r["overridden_parameters"] for r in records} == {"", "prisvekst"}
    markdown = cli("roll", "-f", "markdown", "--set", "prisvekst=2%", SEED000_FRAME).stdout
    assert "| \u00a0\u00a0Prisjustering med 1,4 pst. på utvalgte utgiftsposter \\* |  | 66 |" in markdown
    # Without --set: no mark, no note.
    plain = cli("roll", SEED000_FRAME).stdout
    assert "*" not in plain
    # Nor when the rule does not read the value set: the price adjustment is for 2017 only ('år: 2017'), so
    # a rate for 2016 changes nothing; nor when the value set is the file's own (prisvekst 2017 is 1,4 %).
    for unchanged in ("prisvekst:2016=2%", "prisvekst=1,4%"):
        result = cli("roll", "-f", "json", "--set", unchanged, SEED000_FRAME)
        table = json.loads(result.stdout)["frames"][0]
        assert table["new_frame"]["2017"] == 11999
        assert all(r["overridden_parameters"] == [] for r in table["rows"]), unchanged
    rows = json.loads(cli("roll", "-f", "json", SEED000_FRAME).stdout)["frames"][0]["rows"]
    assert all(r["overridden_parameters"] == [] for r in rows)


def test_a_scenario_item_is_marked_only_for_a_year_its_rule_reads(cli):
    # The scenario's compensation uses the deflator for 2023–2025 only (data/scenarios/
    # trondheim-tiltak-i-løpende-priser.yaml), so a deflator set for 2022 changes nothing and marks nothing.
    def marked(year: int) -> dict:
        result = cli("roll", "data", "-s", "tiltak-i-løpende-priser", "--set", f"deflator:{year}=5%",
                     "-f", "json", cwd=ROOT)
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)["frames"][0]["rows"]
        return {r["id"]: r["overridden_parameters"] for r in rows if r["overridden_parameters"]}

    assert marked(2022) == {}
    assert marked(2024) == {"kompensasjon-deflator": ["deflator"]}


def test_set_for_one_year_and_the_last_one_wins(cli):
    result = cli("roll", "-f", "json", "--set", "lønnsvekst=3%", "--set", "lønnsvekst:2017=2,2 %", SEED000_FRAME)
    table = json.loads(result.stdout, parse_float=Decimal)["frames"][0]
    assert table["new_frame"]["2017"] == 11999  # the year-specific 2,2 % is the file's own value
    # The other order: 3 % wins. −5 773 × 3 % = −173,19 → −173 against the printed −127: 11 999 − 46 = 11 953.
    result = cli("roll", "-f", "json", "--set", "lønnsvekst:2017=2,2 %", "--set", "lønnsvekst=3%", SEED000_FRAME)
    assert json.loads(result.stdout, parse_float=Decimal)["frames"][0]["new_frame"]["2017"] == 11953


def test_set_on_check_explains_the_differences(cli):
    result = cli("check", "--set", "lønnsvekst=2.5%", SEED000_FRAME)
    assert result.exit_code == 1
    # −5 773 × 2,5 % = −144,325 → −144 against the printed −127
    assert "published −127, computed −144 (difference +17)" in result.stdout


def test_set_unknown_parameter_or_bad_rate_is_unusable_input(cli):
    result = cli("roll", "--set", "prisvekts=2%", SEED000_FRAME)
    assert result.exit_code == 2
    assert "there is no parameter 'prisvekts'; the parameters are: lønnsvekst, prisvekst" in result.stderr
    assert "did you mean 'prisvekst'?" in result.stderr
    result = cli("roll", "--set", "prisvekst=2", SEED000_FRAME)
    assert result.exit_code == 2 and "rate in per cent" in result.stderr


def test_set_for_a_year_no_frame_uses_is_unusable_input(cli):
    # Seed 000's columns are 2016–2020; 2015 is the base year before them, so 2014 and 2021 change nothing.
    for year in (2014, 2021):
        result = cli("roll", "--set", f"prisvekst:{year}=3%", SEED000_FRAME)
        assert result.exit_code == 2
        assert (f"--set prisvekst:{year}: the frame does not use {year} (the years used are 2015–2020: the columns "
                "and the year before the first), so it would change nothing") in result.stderr
        assert cli("check", "--set", f"prisvekst:{year}=3%", SEED000_FRAME).exit_code == 2
    assert cli("roll", "--set", "prisvekst:2015=3%", SEED000_FRAME).exit_code == 0


def test_set_year_with_frames_of_distant_years_names_each_span(cli):
    # Stavanger's columns are 2015–2018, Trondheim's 2022–2025 (and the year before each first column).
    result = cli("roll", "data/frames/stavanger-2015-barnevern.yaml", "data/frames/trondheim-2022-psykisk-helse-og-rus.yaml",
                 "data/scenarios/trondheim-tiltak-i-løpende-priser.yaml", "--set", "deflator:2019=5%", cwd=ROOT)
    assert result.exit_code == 2
    assert "no frame read uses 2019 (the years used are 2014–2018 and 2021–2025:" in result.stderr
    assert "choose a year in 2014–2018 or 2021–2025" in result.stderr


def test_set_year_with_a_scenario_is_checked_against_its_frame(cli):
    # Molde's frames use 2017, Trondheim's do not: with Trondheim's scenario, 2017 would change nothing.
    for command in ("roll", "compare"):
        result = cli(command, "data", "-s", "tiltak-i-løpende-priser", "--set", "deflator:2017=5%", cwd=ROOT)
        assert result.exit_code == 2, command
        assert "--set deflator:2017: the frame does not use 2017 (the years used are 2021–2025:" in result.stderr
    caption = cli("roll", "data", "-s", "tiltak-i-løpende-priser", "--set", "deflator:2024=5%", cwd=ROOT).stdout
    assert caption.count("--set deflator:2024=5%") == 1


def test_roll_seed004_gives_the_documents_yearly_amounts(cli):
    table = json.loads(cli("roll", "-f", "json", TRONDHEIM).stdout)["frames"][0]
    rows = {row["id"]: row["values"] for row in table["rows"] if row["kind"] == "item"}
    # 7a: "4,2 millioner kroner i 2023 (halvårsvirkning) ... Fra 2024 ... 8,4 millioner kroner"
    assert rows["midlertidig-botilbud-kvinner-krisesenterplass"] == {"2022": None, "2023": 4200, "2024": 8400,
                                                                     "2025": 8400}
    # 8: "1,7 millioner kroner fra 2023 (halvårsvirkning), økende til 3,4 millioner kroner fra 2024"
    assert rows["nytt-krisesenter-bemanningsplan"] == {"2022": None, "2023": 1700, "2024": 3400, "2025": 3400}
    # 10: "6 millioner kroner i 2023, økende til 8 og 10 millioner kroner fra 2024 og 2025"
    assert rows["tjenester-rop-lidelser"] == {"2022": None, "2023": 6000, "2024": 8000, "2025": 10000}
