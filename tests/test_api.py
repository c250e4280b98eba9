"""The Python API does what the command line does, the same way: the pipeline steps the shell runs (--set,
scenarios by id or file with the parameter files they bring, the checks on both) are the library's.

Expected figures are computed by hand from the sources' printed amounts (the calculation is next to each),
or are the command line's own output where a test says the two agree.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import rammecalc
from rammecalc import InputError, Loaded, ScenarioError, load, parse_rate, roll, set_parameters
from rammecalc.core.numbers import AmountError
from rammecalc.core.pipeline import parse_sets
from rammecalc.core.problems import Code
from rammecalc.loading import parse_document

from .conftest import DATA, ROOT, SEED000_FRAME
from .test_docs import README, readme_script

MOLDE = "molde-2017-ressurstjenesten"
TRONDHEIM = "trondheim-2022-psykisk-helse-og-rus"
D = Decimal


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    result = load([DATA])
    assert [p for p in result.problems if p.code.is_input] == []
    return result


def ints(values: dict) -> dict[int, Decimal]:
    return {int(k): D(v) for k, v in values.items()}


def cli_json(cli, *args: str) -> dict:
    result = cli(*args, "-f", "json", cwd=ROOT)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)


# ------------------------------------------------------------------------------ one reader of rates


@pytest.mark.parametrize("rate", ["2,0 %", "2.0%", "2%", " 2,0 % ", "2.0", "2", 2, D("2.0"), D(2)])
def test_set_parameters_takes_a_rate_as_the_files_and_the_command_line_write_it(loaded, rate):
    # Seed 000, prisvekst 2,0 % instead of 1,4 %: 3 286 × 2 % = 65,72 → 66 against the printed 46 (+20), so
    # the 2017 frame is 11 999 + 20 = 12 019 (and 2018–2020 keep it: the change is in 2017 only).
    table = roll(set_parameters(loaded.budget(MOLDE), prisvekst=rate))
    assert table.new_frame[2017] == 12019 and table.new_frame[2020] == 12019
    assert table.new_frame[2016] == 9864


def test_set_parameters_refuses_a_float_as_before(loaded):
    with pytest.raises(TypeError, match="rates must be exact"):
        set_parameters(loaded.budget(MOLDE), prisvekst=2.5)


@pytest.mark.parametrize("text", ["2,5 %", "2.5%", "−1,5 %", "2.5", " 3 % ", "1 000,5 %", "0,25%", "-0.5"])
def test_parse_rate_reads_as_a_parameter_file_reads(text):
    # The same text as a parameter file's value: what the file gives, parse_rate gives.
    read = parse_document(f"type: parametere\nkilde: {{dokument: d}}\nparametere:\n"
                          f"  - {{navn: r, etikett: R, verdier: {{2024: '{text}'}}}}\n", "p.yaml")
    assert read.problems == []
    assert parse_rate(text) == read.doc.parameters[0].values[2024]


@pytest.mark.parametrize("text", ["fire", "2,5 %%", "1e30 %", "", "%"])
def test_parse_rate_refuses_what_a_parameter_file_refuses(text):
    read = parse_document(f"type: parametere\nkilde: {{dokument: d}}\nparametere:\n"
                          f"  - {{navn: r, etikett: R, verdier: {{2024: '{text}'}}}}\n", "p.yaml")
    assert [p.code for p in read.problems] == [Code.INVALID]
    with pytest.raises(AmountError):
        parse_rate(text)


def test_the_command_line_wants_the_percent_sign_and_a_rule_literal_too():
    assert parse_rate("2,5 %", sign=True) == D("2.5")
    with pytest.raises(AmountError, match="rate in per cent"):
        parse_rate("2.5", sign=True)
    (override,) = parse_sets(["deflator:2024=4,3 %"])
    assert (override.name, override.year, override.value) == ("deflator", 2024, D("4.3"))
    assert override.origin == "set on the command line: --set deflator:2024=4,3%"


# ------------------------------------------------- the same refusals, in the command line's words


def test_an_unknown_name_is_refused_with_the_command_lines_words(loaded, cli):
    with pytest.raises(InputError) as caught:
        set_parameters(loaded.budget(MOLDE), prisvekts="2 %")
    (problem,) = caught.value.problems
    assert problem.code is Code.UNKNOWN_PARAMETER and problem.file == ""
    assert problem.message == "there is no parameter 'prisvekts'; the parameters are: lønnsvekst, prisvekst"
    assert problem.hint == "did you mean 'prisvekst'?"
    result = cli("roll", "--set", "prisvekts=2%", SEED000_FRAME)
    assert result.exit_code == 2
    assert f"rammecalc: --set: {problem.message}\n  hint: {problem.hint}" in result.stderr
    # A KeyError still, as before, and a ValueError (an InputError is a ScenarioError)
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, ScenarioError)
    assert str(caught.value) == problem.message


def test_a_year_the_frame_does_not_use_is_refused_with_the_command_lines_words(loaded, cli):
    # Seed 000's columns are 2016–2020; 2015 is the year before the first, so 2021 changes nothing.
    with pytest.raises(InputError) as caught:
        set_parameters(loaded.budget(MOLDE), {"prisvekst": {2021: D(3)}})
    (problem,) = caught.value.problems
    assert problem.code is Code.YEAR_OUTSIDE_COLUMNS
    words = ("prisvekst:2021: the frame does not use 2021 (the years used are 2015–2020: the columns and the year "
             "before the first), so it would change nothing")
    assert problem.message == words
    assert f"--set {words}" in cli("roll", "--set", "prisvekst:2021=3%", SEED000_FRAME).stderr
    assert roll(set_parameters(loaded.budget(MOLDE), {"prisvekst": {2015: D(3)}})).new_frame[2017] == 11999


def test_a_rate_beyond_the_limits_is_refused_with_the_command_lines_words(loaded, cli):
    with pytest.raises(InputError, match="more than 15 digits before the decimal point") as caught:
        set_parameters(loaded.budget(MOLDE), prisvekst="1e30 %")
    assert isinstance(caught.value, ValueError)
    result = cli("roll", "--set", "prisvekst=1e30%", SEED000_FRAME)
    assert result.exit_code == 2
    assert "more than 15 digits before the decimal point" in result.stderr


def test_every_problem_at_once(loaded):
    with pytest.raises(InputError) as caught:
        set_parameters(loaded.budget(MOLDE), {"prisvekts": 2, "prisvekst": {2030: 2}})
    assert [p.code for p in caught.value.problems] == [Code.UNKNOWN_PARAMETER, Code.YEAR_OUTSIDE_COLUMNS]


# --------------------------------------------------------- scenarios, as --scenario finds them


def test_a_scenario_by_id_or_by_file(loaded, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert loaded.scenario("data/scenarios/trondheim-høyere-deflator.yaml").id == "høyere-deflator"
    assert loaded.scenario("høyere-deflator") is loaded.scenario("data/scenarios/trondheim-høyere-deflator.yaml")


def test_a_scenario_not_found_is_refused_with_the_command_lines_words(loaded, cli):
    with pytest.raises(InputError) as caught:
        loaded.scenario("tiltak-12-utsat")
    (problem,) = caught.value.problems
    assert problem.hint == "did you mean 'tiltak-12-utsatt'?"
    assert isinstance(caught.value, KeyError)  # as Loaded.scenario raised before
    assert f"rammecalc: {problem.message}\n" in cli("roll", "data", "-s", "tiltak-12-utsat").stderr
    with pytest.raises(InputError, match="not among the files read"):
        loaded.scenario("elsewhere/scenario.yaml")


def test_scenarios_of_different_frames_are_refused(loaded):
    with pytest.raises(InputError, match="the scenarios are for different frames"):
        loaded.variant("tiltak-12-utsatt", "uten-opptrappingsplan")


def test_apply_finds_the_parameter_files_a_scenario_brings(loaded):
    budget = loaded.budget(TRONDHEIM)
    scenario = loaded.scenario("tiltak-i-løpende-priser")
    with pytest.raises(ScenarioError):  # the core's apply is given what it needs, and is not given them here
        rammecalc.apply(budget, scenario)
    # By hand, deflator 3,7 % in 2023 (data/parameters/statsbudsjett.yaml): 3 300 × 3,7 % = 122,1 → 122, so
    # the 2023 frame is 15 200 + 122 = 15 322.
    assert roll(loaded.apply(budget, scenario)).new_frame[2023] == 15322
    assert loaded.apply(budget, "tiltak-i-løpende-priser") == loaded.variant("tiltak-i-løpende-priser")


# ------------------------------------------------------ a variant with --set, from Python and the shell


def test_a_variant_with_overrides_equals_the_command_line(loaded, cli):
    # By hand (statsbudsjett.yaml's 3,7 % in 2023, then 5 % set for 2024 and 2025), on seed 004's totals:
    # 2023: 3 300 × 3,7 % = 122,1 → 122;               15 200 + 122 = 15 322
    # 2024: 15 322 × 5 % = 766,1 → 766 (level 888);   22 400 + 888 = 23 288
    # 2025: 23 288 × 5 % = 1 164,4 → 1 164 (level 2 052); 23 600 + 2 052 = 25 652
    expected = ints({2022: 3300, 2023: 15322, 2024: 23288, 2025: 25652})
    variant = loaded.variant("tiltak-i-løpende-priser", parameters={"deflator": {2024: "5 %", 2025: "5 %"}})
    table = roll(variant)
    assert table.new_frame == expected
    (shown,) = cli_json(cli, "roll", "data", "-s", "tiltak-i-løpende-priser", "--set", "deflator:2024=5%",
                        "--set", "deflator:2025=5%")["frames"]
    assert ints(shown["new_frame"]) == expected
    rows = {row["id"]: ints({y: v for y, v in row["values"].items() if v is not None})
            for row in shown["rows"] if row["kind"] == "item"}
    assert rows == {item: {y: a for y, a in amounts.items()} for item, amounts in table.amounts.items()}


def test_an_every_year_rate_then_one_year_as_the_command_line_orders_them(loaded, cli):
    # --set deflator=4% --set deflator:2025=5% after høyere-deflator's own settings: 4 % in 2023 and 2024, 5 % in
    # 2025. 2023: 3 300 × 4 % = 132; 2024: 15 332 × 4 % = 613,28 → 613 (level 745); 2025: 23 145 × 5 % =
    # 1 157,25 → 1 157 (level 1 902).
    expected = ints({2022: 3300, 2023: 15332, 2024: 23145, 2025: 25502})
    variant = loaded.variant("tiltak-i-løpende-priser", "høyere-deflator",
                             parameters={"deflator": {None: "4 %", 2025: "5 %"}})
    assert roll(variant).new_frame == expected
    (shown,) = cli_json(cli, "roll", "data", "-s", "tiltak-i-løpende-priser", "-s", "høyere-deflator",
                        "--set", "deflator=4%", "--set", "deflator:2025=5%")["frames"]
    assert ints(shown["new_frame"]) == expected


def test_the_overrides_are_checked_against_the_scenarios_frame(data_copy, cli, monkeypatch):
    # A rate only Molde's parameter file defines, and 2017, a year before Trondheim's columns: on Trondheim's
    # variant either would change nothing, though another frame read uses them.
    with open(data_copy / "parameters" / "molde-2017.yaml", "a", encoding="utf-8") as file:
        file.write("  - {navn: moldesats, etikett: M, verdier: {2017: 1}}\n")
    monkeypatch.chdir(data_copy.parent)
    loaded = load(["data"])
    assert loaded.set_parameters(moldesats=3).budget(MOLDE).overrides[0].name == "moldesats"
    for parameters, sets, words in (
            ({"moldesats": 3}, "moldesats=3%", "there is no parameter 'moldesats'; the parameters are: deflator,"),
            ({"deflator": {2017: 3}}, "deflator:2017=3%", "deflator:2017: the frame does not use 2017")):
        with pytest.raises(InputError, match=words):
            loaded.variant("tiltak-i-løpende-priser", parameters=parameters)
        result = cli("roll", "data", "-s", "tiltak-i-løpende-priser", "--set", sets, cwd=data_copy.parent)
        assert result.exit_code == 2 and words in result.stderr


def test_compare_with_overrides_equals_the_command_line(loaded, cli):
    variants = ("tiltak-i-løpende-priser", "tiltak-i-løpende-priser+høyere-deflator")
    shown = cli_json(cli, "compare", "data", *(a for v in variants for a in ("-s", v)), "--set", "deflator:2024=5%")
    comparison = loaded.compare(*(v.split("+") for v in variants), parameters={"deflator": {2024: "5 %"}})
    assert [ints(v["new_frame"]) for v in shown["variants"]] == [v.table.new_frame for v in comparison.variants]
    assert [ints(v["difference"]) for v in shown["variants"]] == [v.difference for v in comparison.variants]
    # By hand, the first: as in the test above but 4,1 % in 2025 (the file's): 23 288 × 4,1 % = 954,8 → 955
    # (level 1 843), 23 600 + 1 843 = 25 443.
    assert comparison.variants[0].table.new_frame == ints({2022: 3300, 2023: 15322, 2024: 23288, 2025: 25443})


def test_set_parameters_on_everything_read_is_check_with_set(loaded, cli):
    # rammecalc check --set lønnsvekst=2.5%: −5 773 × 2,5 % = −144,325 → −144 against the printed −127.
    changed = loaded.set_parameters(lønnsvekst="2.5%")
    assert changed is not loaded and loaded.budget(MOLDE).overrides == ()
    (problem,) = [p for p in rammecalc.check(changed.budget(MOLDE)) if p.published == -127]
    assert (problem.computed, problem.difference) == (-144, 17)
    assert "published −127, computed −144 (difference +17)" in cli("check", "--set", "lønnsvekst=2.5%",
                                                                   SEED000_FRAME).stdout
    # A name some frame read defines is accepted for all (as --set is), a year no frame read uses is not.
    with pytest.raises(InputError, match="no frame read uses 2030"):
        loaded.set_parameters({"prisvekst": {2030: 3}})


def test_a_scenario_that_no_longer_applies_is_found_as_check_finds_it(data_copy, cli, monkeypatch):
    scenario = data_copy / "scenarios" / "fjernet.yaml"
    scenario.write_text(f"type: scenario\nid: fjernet\netikett: F\ngjelder: {MOLDE}\n"
                        "operasjoner:\n  - {type: fjern, post: ingen-slik-post}\n", encoding="utf-8")
    monkeypatch.chdir(data_copy.parent)
    (problem,) = load(["data"]).scenario_problems()
    where = f"data/scenarios/fjernet.yaml:6:{scenario.read_text().splitlines()[5].index('ingen') + 1}"
    assert problem.code is Code.UNKNOWN_ITEM and problem.where == where
    result = cli("check", "data", cwd=data_copy.parent)
    assert result.exit_code == 2 and f"{where}: error: there is no item" in result.stderr


# ------------------------------------------------------------------------------------------- the README


def test_readme_variant_script_prints_what_the_command_line_prints(data_copy, cli):
    from .test_docs import run_script

    lines = run_script("variant-with-set", data_copy.parent)
    (shown,) = cli_json(cli, "roll", "data", "-s", "tiltak-i-løpende-priser", "--set", "deflator:2024=5%",
                        "--set", "deflator:2025=5%")["frames"]
    assert lines == [f"{y} {rammecalc.format_amount(D(v))}" for y, v in shown["new_frame"].items()]
    assert lines[-1] == "2025 25 652"  # by hand: see test_a_variant_with_overrides_equals_the_command_line


def test_readme_python_example_runs(data_copy):
    import subprocess
    import sys

    block = README.split("## Python", 1)[1].split("```python\n", 1)[1].split("\n```", 1)[0]
    result = subprocess.run([sys.executable, "-c", block], cwd=data_copy.parent, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "molde-2017-ressurstjenesten {2016: Decimal('9864'), 2017: Decimal('11999')" in result.stdout


def test_readme_names_every_loaded_method():
    section = README.split("## Python", 1)[1].split("\n## ", 1)[0]
    assert readme_script("variant-with-set")
    for name in ("variant", "apply", "compare", "set_parameters", "scenario", "scenario_problems"):
        assert f".{name}(" in section, name
    assert "InputError" in section and "parse_rate" in section


def test_parameters_given_as_text_are_a_type_error(loaded):
    # The --set syntax is the command line's; in Python the parameters are a mapping (or parse_sets' overrides).
    with pytest.raises(TypeError, match="mapping"):
        loaded.variant("tiltak-i-løpende-priser", parameters="deflator=5%")
    (override,) = parse_sets(["deflator:2024=5%"])
    assert roll(loaded.variant("tiltak-i-løpende-priser", parameters=[override])).new_frame == roll(
        loaded.variant("tiltak-i-løpende-priser", parameters={"deflator": {2024: 5}})).new_frame
