"""The commands as a user runs them: exit codes, JSON output, schema, start-up cost, version."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

from rammecalc.schema import json_schema

from .conftest import ROOT, SEED000_FRAME


def test_roll_prints_the_seed000_table(cli):
    result = cli("roll", SEED000_FRAME)
    assert result.exit_code == 0, result.output
    # The seed's "Ny driftsramme 9 864 11 999 11 999 11 999 11 999"
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("Ny driftsramme"))
    assert line.split()[2:] == ["9", "864", "11", "999", "11", "999", "11", "999", "11", "999"]
    assert result.stderr == ""


def test_roll_without_paths_rolls_every_frame_under_data(cli):
    result = cli("roll")
    assert result.exit_code == 0, result.output
    for title in ("Molde kommune · Ressurstjenesten", "Molde kommune · Kleive oppvekstsenter",
                  "Askøy kommune · Kommunalavdeling stab", "Stavanger kommune · Barneverntjenesten",
                  "Trondheim kommune · Psykisk helse og rus"):
        assert title in result.stdout


def test_roll_json_has_the_documented_shape(cli):
    result = cli("roll", "--format", "json", SEED000_FRAME)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    assert data["format"] == "rammecalc.roll/2"
    assert data["tables"] == [] and data["links"] == []  # a frame only: no other table, no links
    (table,) = data["frames"]
    assert set(table) == {"frame", "file", "municipality", "unit", "source", "amount_unit", "price_level",
                          "convention", "has_base", "blank_is_zero", "columns", "text_columns", "rows", "start",
                          "new_frame", "unallocated"}
    assert table["price_level"] is None and table["blank_is_zero"] is False and table["text_columns"] == []
    assert table["columns"][0] == {"year": 2016, "label": "Revidert 2016"}
    # Seed 000: Ny driftsramme 9 864 11 999 ...; the start 9 681 9 864 11 999 ...
    assert table["new_frame"] == {"2016": 9864, "2017": 11999, "2018": 11999, "2019": 11999, "2020": 11999}
    assert table["start"]["2016"] == 9681
    kinds = [row["kind"] for row in table["rows"]]
    assert kinds == ["start", "split", "split", "group", "item", "item", "item", "item",
                     "group", "item", "item", "item", "item", "new_frame"]
    price = next(r for r in table["rows"] if r["id"] == "prisjustering-2017")
    assert price == {"kind": "item", "id": "prisjustering-2017",
                     "label": "Prisjustering med 1,4 pst. på utvalgte utgiftsposter", "depth": 1,
                     "group": "lønns-og-prisvekst", "category": "prisjustering",
                     "values": {"2016": None, "2017": 46, "2018": None, "2019": None, "2020": None},
                     # the seed's "Prisjustering med 1,4 pst. på utvalgte utgiftsposter 46", checked
                     "published": {"2017": 46},
                     "overridden_parameters": [],  # nothing set on top of the parameter files
                     "reference": None, "texts": {},
                     # the one figure is printed, and the rule gives it
                     "printed": {"2016": None, "2017": True, "2018": None, "2019": None, "2020": None},
                     "differs": {"2016": False, "2017": False, "2018": False, "2019": False, "2020": False}}
    group = next(r for r in table["rows"] if r["id"] == "lønns-og-prisvekst")
    assert group["values"]["2016"] == 183 and group["published"] == {"2016": 183, "2017": 26}


def test_roll_json_of_a_frame_without_a_base(cli):
    result = cli("roll", "-f", "json", "data/frames/trondheim-2022-psykisk-helse-og-rus.yaml")
    table = json.loads(result.stdout)["frames"][0]
    assert table["has_base"] is False and table["start"] is None
    assert {u["item"] for u in table["unallocated"]} == {"omfordeling-rop-boliger", "implementering-rusreform"}


def test_roll_in_the_other_convention_keeps_the_new_frames(cli):
    result = cli("roll", "-f", "json", "--convention", "nivå", SEED000_FRAME)
    table = json.loads(result.stdout)["frames"][0]
    assert table["convention"] == "nivå"
    assert table["new_frame"] == {"2016": 9864, "2017": 11999, "2018": 11999, "2019": 11999, "2020": 11999}
    # Lønnsoppgjør kap. 4: 169 in 2016 and 99 more in 2017 is the level 268 from 2017 on.
    row = next(r for r in table["rows"] if r["id"] == "lønnsoppgjør-kap4-2016")
    assert row["values"] == {"2016": 169, "2017": 268, "2018": 268, "2019": 268, "2020": 268}


def test_check_data_passes(cli):
    result = cli("check", "data")
    assert result.exit_code == 0, result.output
    # Frames: 56 printed figures of the five tables + the 12 printed item amounts that rules are checked
    # against (seed 000: 169, 99, 14, 8, 46, −127; seed 004: 7a and 8 in three years each) = 68.
    # Tables (type: tabell), each printed figure a relation defines:
    #   seed 001: 4 avvik + Resultat 2018 = 5; project 3600's avvik = 1;
    #   table 15 drift: 3 avvik (the two rows and the total row's, budsjett − regnskap) + 4 totals = 7;
    #   table 15 investering: 8 avvik (seven projects and Totalsum) + 3 totals = 11;
    #   Verdal: the two totals (8,6 and 1,5) = 2; seed 002 prints no total = 0;
    #   table 17: rows 5, 8, 9, 15, 17, 24, 25 in 4 columns = 28, and row 24 = row 17 in 4 columns = 4: 32;
    #   table 27: the total in 6 columns + its Regnskap 2022 tied to table 17's row 6 = 7;
    #   the synthetic bridge: Ramme 2025 of the three units (the column's formula) = 3, the sum row's six
    #   figures (sum alle) = 6, and the sum row's Ramme 2025 by the column's formula too = 1: 10.
    #   the synthetic consolidation: its Sum in 4 columns = 4.
    #   5 + 1 + 7 + 11 + 2 + 32 + 7 + 10 + 4 = 79.
    # Frames 21 and 24 (Hustadvika): a frame and a changes file each, with 12 printed figures each (4 starts,
    # 4 "Sum tiltak", 4 "Ny Ramme") = 24.
    # Links: 2. 68 + 24 + 79 + 2 = 173.
    # Warnings: Askøy's split, Trondheim's two period amounts, table 15's two totals, the explained 2017
    # link (6), table 17's eight recorded ±1 cells, table 27's five and the bridge's two = 21.
    # Files: 29 of those kinds, and 4 scenarios (each applied, to prove it applies).
    assert result.stdout.splitlines()[-1] == ("checked 33 files, 19 tables (7 frames, 12 other tables), 2 links, "
                                              "173 published figures: 0 errors, 21 warnings")


def test_check_tolerance_and_recorded_differences(cli):
    askoy = "data/frames/askoy-2018-kommunalavdeling-stab.yaml"
    assert cli("check", askoy).exit_code == 0
    strict = cli("check", "--ignore-known-differences", askoy)
    assert strict.exit_code == 1
    assert "published 90 147, computed 90 148 as the start (difference −1)\n" in strict.stdout
    tolerant = cli("check", "--ignore-known-differences", "--tolerance", "1", askoy)
    assert tolerant.exit_code == 0
    assert "warning: " in tolerant.stdout and "within tolerance 1" in tolerant.stdout


def test_wrong_convention_fails_the_check(cli, data_copy):
    frame = data_copy / "frames" / "stavanger-2015-barnevern.yaml"
    frame.write_text(frame.read_text(encoding="utf-8").replace("konvensjon: nivå", "konvensjon: inkrementell"),
                     encoding="utf-8")
    result = cli("check", "data/frames/stavanger-2015-barnevern.yaml", cwd=data_copy.parent)
    assert result.exit_code == 1
    # Table 11, read as levels, is 201 218 in every year; read incrementally it would grow by 6 350 a year.
    # (named by the table's own label for its bottom row)
    assert ("Korrigert netto budsjettrammer 2015-2018 2016: published 201 218, computed 207 568 "
            "(difference −6 350)") in result.stdout


def test_schema_file_in_the_repository_is_current(cli):
    result = cli("schema")
    assert result.exit_code == 0
    committed = (ROOT / "schema" / "rammecalc.schema.json").read_text(encoding="utf-8")
    assert result.stdout == committed, "run: rammecalc schema > schema/rammecalc.schema.json"
    assert json.loads(committed) == json_schema("alle")


def test_schema_takes_a_scenario_rate_as_printed():
    # 'verdi' is a rate: the model reads '4,8 %' (and 4.8), so the schema editors use must accept it too.
    import jsonschema

    scenario = {"type": "scenario", "id": "s", "etikett": "S", "gjelder": "f",
                "operasjoner": [{"type": "sett", "parameter": "deflator", "år": 2024, "verdi": "4,8 %"},
                                {"type": "sett", "parameter": "deflator", "verdi": 4.8}]}
    jsonschema.Draft202012Validator(json_schema("scenario")).validate(scenario)
    bad = {**scenario, "operasjoner": [{"type": "sett", "parameter": "deflator", "verdi": "fire"}]}
    assert not jsonschema.Draft202012Validator(json_schema("scenario")).is_valid(bad)


def test_schema_describes_the_norwegian_keys():
    import jsonschema

    frame = json_schema("ramme")["$defs"]["Frame"]
    assert frame["additionalProperties"] is False
    assert {"type", "id", "kommune", "enhet", "kilde", "beløpsenhet", "konvensjon", "kolonner"} <= set(frame["required"])
    # 'utgangspunkt' is required unless the groups carry their own starts (blocks): the schema says so with
    # anyOf, so that an editor still flags a frame with neither.
    validator = jsonschema.Draft202012Validator(json_schema("ramme"))
    minimal = {"type": "ramme", "id": "f", "kommune": "K", "enhet": "E", "kilde": {"dokument": "D"},
               "beløpsenhet": "1 000 kr", "konvensjon": "nivå", "kolonner": {"2024": "2024"}}
    assert not validator.is_valid(minimal)
    assert validator.is_valid({**minimal, "utgangspunkt": {"etikett": "Utgangspunkt"}})
    assert not validator.is_valid({**minimal, "grupper": [{"id": "g", "etikett": "G"}]})
    assert validator.is_valid({**minimal, "grupper": [{"id": "g", "etikett": "G",
                                                       "utgangspunkt": {"etikett": "U", "beløp": 5}}]})
    # Year keys: editors see YAML keys as text, so a pattern rather than an integer type. (Its '$' is the end
    # in every dialect, Python's re too: see tests/test_editors_schema.py.)
    columns = frame["properties"]["kolonner"]
    assert columns["propertyNames"] == {"pattern": "^[0-9]{4}$(?!\\n)"}


def _modules_after(*args: str) -> set[str]:
    code = ("import sys\nsys.argv = ['rammecalc', *%r]\nfrom rammecalc.cli import app\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)))" % (args,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split()[-1].split()) | set(out.splitlines()[-1].split())


def test_help_does_not_import_pydantic_or_yaml():
    # Nor the readers of import sources (openpyxl, pdfplumber and its pdfminer): only the command imports them.
    loaded = _modules_after("--help")
    assert "typer" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("pydantic", "pydantic_core", "yaml", "openpyxl",
                                                         "pdfplumber", "pdfminer")}


def test_command_help_does_not_import_yaml():
    # Typer itself (>= 0.2x) uses pydantic to build a command's parameters, so a subcommand's --help loads
    # pydantic whatever we do; what we control is that nothing of ours (yaml, the models) is loaded.
    loaded = _modules_after("check", "--help")
    assert not {m for m in loaded if m.split(".")[0] == "yaml" or m.startswith("rammecalc.core.models")}


def test_a_roll_of_a_frame_loads_only_what_it_uses():
    # Start-up (bench/README.md): rolling a frame does not import the table, grid and links modules
    # (their models and dataclasses cost about 10 ms to create), nor build the scenario models' validators.
    frame = str(SEED000_FRAME)
    code = ("import sys\nsys.argv = ['rammecalc', 'roll', %r]\nfrom rammecalc.cli import app\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            "from rammecalc.core import models\n"
            "built = [n for n in ('Frame', 'ChangeSet', 'ParameterSet', 'Budget', 'Scenario')"
            " if getattr(models, n).__pydantic_complete__]\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)\nprint(*built, file=sys.stderr)" % frame)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules, built = out.stderr.splitlines()[-2:]
    assert "Ny driftsramme" in out.stdout
    assert "rammecalc.core.roll" in modules.split()
    assert not {"rammecalc.core.table", "rammecalc.core.grid", "rammecalc.core.links"} & set(modules.split())
    assert built.split() == ["Frame", "ChangeSet", "ParameterSet", "Budget"]


def test_python_dash_m_and_version():
    out = subprocess.run([sys.executable, "-m", "rammecalc", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("rammecalc ")
