"""``rammecalc new KIND NAME``: a commented skeleton that checks as written, with the schema line for editors."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from rammecalc.schema import json_schema

from .conftest import DATA, ROOT
from .test_editors_schema import _as_editor_sees_it, _ecmascript_validator

KINDS = ["ramme", "endringer", "parametere", "scenario", "tabell", "regnskap", "koblinger"]


def _written(result) -> list[str]:
    return [line.removeprefix("wrote ") for line in result.stdout.splitlines() if line.startswith("wrote ")]


def test_the_issue_s_own_example(cli, tmp_path):
    """`rammecalc new ramme test-enhet` followed by `rammecalc check` exits 0."""
    made = cli("new", "ramme", "test-enhet", cwd=tmp_path)
    assert made.exit_code == 0, made.output
    assert _written(made) == ["data/frames/test-enhet.yaml", "data/changes/test-enhet.yaml",
                              "schema/rammecalc.schema.json"]
    checked = cli("check", cwd=tmp_path)
    assert checked.exit_code == 0, checked.output
    # 5 starts, 1 subtotal, 4 new frames: every printed figure of the skeleton checked, none off
    assert checked.stdout.strip().endswith("0 errors, 0 warnings")
    assert "9 published figures" in checked.stdout


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_checks_clean_and_validates_against_the_schema(cli, tmp_path, kind):
    made = cli("new", kind, f"ny-{kind}", "--year", "2026", cwd=tmp_path)
    assert made.exit_code == 0, made.output
    files = _written(made)
    assert files[-1] == "schema/rammecalc.schema.json"  # none above: written for the editor line
    checked = cli("check", "--report", "json", "data", cwd=tmp_path)
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    assert report["errors"] == 0 and report["warnings"] == 0 and report["problems"] == []
    assert report["figures"] > 0  # the skeleton prints figures, and they add up
    validator = _ecmascript_validator(json_schema("alle"))
    for name in files[:-1]:
        path = tmp_path / name
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schema/rammecalc.schema.json", name
        assert (path.parent / first.split("=", 1)[1]).resolve() == (tmp_path / files[-1]).resolve()
        assert "# Source:" in text  # as every bundled file, it says where its figures come from
        assert sum(line.lstrip().startswith("#") or " # " in line for line in text.splitlines()) >= 4, name
        assert list(validator.iter_errors(_as_editor_sees_it(yaml.safe_load(text)))) == [], name
    assert json.loads((tmp_path / files[-1]).read_text(encoding="utf-8")) == json_schema("alle")
    rolled = cli("roll", "data", cwd=tmp_path)
    assert rolled.exit_code == 0, rolled.output


def test_each_kind_writes_its_own_file_and_what_it_needs(cli, tmp_path):
    expected = {
        "ramme": ["data/frames/a.yaml", "data/changes/a.yaml"],
        "endringer": ["data/frames/b.yaml", "data/changes/b.yaml"],
        "parametere": ["data/frames/c.yaml", "data/changes/c.yaml", "data/parameters/c.yaml"],
        "scenario": ["data/frames/d.yaml", "data/changes/d.yaml", "data/scenarios/d.yaml"],
        "tabell": ["data/tables/e.yaml"],
        "regnskap": ["data/tables/f.yaml"],
        "koblinger": ["data/frames/g.yaml", "data/changes/g.yaml", "data/tables/g.yaml", "data/links/g.yaml"],
    }
    for kind, files in expected.items():
        made = cli("new", kind, files[0].rsplit("/", 1)[1][:-5], cwd=tmp_path)
        assert made.exit_code == 0, made.output
        assert [f for f in _written(made) if not f.startswith("schema/")] == files, kind
    checked = cli("check", cwd=tmp_path)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.strip().endswith("0 errors, 0 warnings")


def test_the_parameter_skeleton_is_used_by_its_frame_s_rule(cli, tmp_path):
    assert cli("new", "parametere", "satser", "--year", "2026", cwd=tmp_path).exit_code == 0
    # 10 000 × 3,0 % = 300, the printed figure; another deflator makes it differ, so the rate is read.
    explained = cli("explain", "data/frames/satser.yaml", "prisvekst-2026", "2026", cwd=tmp_path)
    assert explained.exit_code == 0, explained.output
    assert "10 000 × 3 % = 300" in explained.stdout.replace("3,0 %", "3 %")
    assert cli("check", "--set", "deflator=4%", cwd=tmp_path).exit_code == 1


def test_in_a_repository_the_schema_line_points_at_its_schema(cli, tmp_path):
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    (tmp_path / "sub").mkdir()
    made = cli("new", "tabell", "t", "--data", "sub/data", cwd=tmp_path)
    assert made.exit_code == 0, made.output
    assert _written(made) == ["sub/data/tables/t.yaml"]  # the schema above is used, not written again
    first = (tmp_path / "sub/data/tables/t.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schema/rammecalc.schema.json"


def test_a_changes_file_for_a_frame_that_is_there_says_how_to_list_it(cli, tmp_path):
    assert cli("new", "ramme", "f", "--year", "2030", cwd=tmp_path).exit_code == 0
    made = cli("new", "endringer", "flere", "--frame", "f", cwd=tmp_path)
    assert made.exit_code == 0, made.output
    assert _written(made) == ["data/changes/flere.yaml"]
    assert "under 'endringer', add '- ../changes/flere.yaml'" in made.stderr
    text = (tmp_path / "data/changes/flere.yaml").read_text(encoding="utf-8")
    assert "ramme: f " in text and "beløp: {2030: 0}" in text  # the frame's own first year, changing nothing
    assert cli("check", "--no-cache", cwd=tmp_path).exit_code == 2  # not listed yet: refused, as the note says
    frame = tmp_path / "data/frames/f.yaml"
    frame.write_text(frame.read_text(encoding="utf-8").replace(
        "  - ../changes/f.yaml\n", "  - ../changes/f.yaml\n  - ../changes/flere.yaml\n"), encoding="utf-8")
    checked = cli("check", "--no-cache", cwd=tmp_path)
    assert checked.exit_code == 0, checked.output


def test_a_scenario_for_a_bundled_frame_applies_to_it(cli, tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    made = cli("new", "scenario", "mitt-forslag", "--frame", "molde-2017-ressurstjenesten", cwd=tmp_path)
    assert made.exit_code == 0, made.output
    assert _written(made) == ["data/scenarios/mitt-forslag.yaml", "schema/rammecalc.schema.json"]
    assert "beløp: {2016: 100}" in (tmp_path / "data/scenarios/mitt-forslag.yaml").read_text(encoding="utf-8")
    rolled = cli("roll", "-s", "mitt-forslag", cwd=tmp_path)
    assert rolled.exit_code == 0, rolled.output
    line = next(ln for ln in rolled.stdout.splitlines() if ln.startswith("Ny driftsramme"))
    assert line.split()[2:4] == ["9", "964"]  # seed 000's 9 864 in 2016, and the scenario's 100
    assert cli("check", cwd=tmp_path).exit_code == 0


def test_nothing_is_overwritten(cli, tmp_path):
    assert cli("new", "regnskap", "r", cwd=tmp_path).exit_code == 0
    path = tmp_path / "data/tables/r.yaml"
    path.write_text("mine\n", encoding="utf-8")
    again = cli("new", "regnskap", "r", cwd=tmp_path)
    assert again.exit_code == 2
    assert "data/tables/r.yaml exists already" in again.stderr and "hint: choose another NAME" in again.stderr
    assert path.read_text(encoding="utf-8") == "mine\n"
    # all or none: the frame is there already, so neither it nor its changes file is written
    assert cli("new", "ramme", "k", cwd=tmp_path).exit_code == 0
    (tmp_path / "data/changes/k.yaml").unlink()
    assert cli("new", "koblinger", "k", cwd=tmp_path).exit_code == 2
    assert not (tmp_path / "data/changes/k.yaml").exists() and not (tmp_path / "data/links").exists()


@pytest.mark.parametrize("name", ["to ord", "_a", "a/b", "æ?", ".."])
def test_a_name_that_is_no_id_is_refused(cli, tmp_path, name):
    result = cli("new", "ramme", name, cwd=tmp_path)
    assert result.exit_code == 2
    assert f"NAME '{name}' is not an id" in result.stderr
    assert not (tmp_path / "data").exists()


def test_a_name_with_æøå_is_an_id(cli, tmp_path):
    assert cli("new", "tabell", "økonomi-åsen", cwd=tmp_path).exit_code == 0
    assert "id: økonomi-åsen" in (tmp_path / "data/tables/økonomi-åsen.yaml").read_text(encoding="utf-8")
    assert cli("check", cwd=tmp_path).exit_code == 0


def test_the_year(cli, tmp_path):
    assert cli("new", "ramme", "r", "--year", "2031", cwd=tmp_path).exit_code == 0
    frame = yaml.safe_load((tmp_path / "data/frames/r.yaml").read_text(encoding="utf-8"))
    assert list(frame["kolonner"]) == [2031, 2032, 2033, 2034]
    assert cli("new", "ramme", "s", "--year", "2199", cwd=tmp_path).exit_code == 2
