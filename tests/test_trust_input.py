"""Trust under any input: every class of bad input is a clear problem at its place (exit 2), never exit 3,
never a hang, never a quiet guess. One test per class, with the smallest input that showed it.

The files are written here, so the line and column of each fault are known by construction.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .test_bad_input import CHANGES, FRAME, write

SCENARIO = """\
type: scenario
id: s
etikett: Variant
gjelder: f
parametere: [../parameters/p.yaml]
operasjoner:
  - {type: fjern, post: a}
"""

PARAMETERS = """\
type: parametere
kilde: {dokument: Statsbudsjettet}
parametere:
  - {navn: deflator, etikett: Kommunal deflator, verdier: {2024: 4.3}}
"""


def errors_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("data/")]


def run_both(cli, tmp_path: Path, *paths: str) -> str:
    """``check`` and ``roll`` agree that the input is unusable (exit 2); the check's messages."""
    check = cli("check", "--no-cache", *(paths or ("data",)), cwd=tmp_path)
    roll = cli("roll", *(paths or ("data",)), cwd=tmp_path)
    assert (check.exit_code, roll.exit_code) == (2, 2), (check.stderr, roll.stderr)
    assert "internal error" not in check.stderr + roll.stderr
    return check.stderr


# ---------------------------------------------------------------------------------------- deep nesting


@pytest.mark.parametrize("depth", [40, 500, 5000])
def test_flow_lists_nested_deep_are_refused_where_they_go_too_deep(cli, tmp_path, depth):
    write(tmp_path, changes=CHANGES.replace("beløp: {2025: -3}", "beløp: " + "[" * depth + "]" * depth))
    err = run_both(cli, tmp_path)
    # the changes file's 14th line: "    beløp: [[[…"; the mapping is level 1, poster 2, the item 3, so the
    # 33rd level is the 30th bracket, at column 12 + 29. (Past 1 000 brackets libyaml's scanner, which
    # reads ahead inside brackets, stops first: then the place is where it stopped, on the same line.)
    if depth < 1000:
        assert "data/changes/c.yaml:14:41: error: the file is nested more than 32 levels deep here" in err
    else:
        assert re.search(r"^data/changes/c\.yaml:14:\d+: error: the file is nested more than 32 levels deep here$", err, re.M)


def test_block_mappings_nested_deep_are_refused_at_their_line(cli, tmp_path):
    nested = "".join("  " * (i + 2) + f"k{i}:\n" for i in range(300))
    write(tmp_path, changes=CHANGES + "merknad:\n" + nested)
    err = run_both(cli, tmp_path)
    # merknad (line 15) holds a mapping of level 2 starting at k0 (line 16); the mapping holding k(i) is
    # level 2 + i, so level 33 starts at k31: line 16 + 31, indented 2 × 33 spaces
    assert "data/changes/c.yaml:47:67: error: the file is nested more than 32 levels deep here" in err


# ------------------------------------------------------------------------------ aliases and documents


def test_an_alias_where_a_year_key_is_expected(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("beløp: {2024: 10, 2025: 5}", "beløp: {*y : 10, 2025: 5}")
          .replace("kilde: {dokument: Testdokument}", "kilde: {dokument: &y Testdokument}"))
    err = run_both(cli, tmp_path)
    assert "data/changes/c.yaml:9:13: error: YAML anchors and aliases (&name, *name) are not supported" in err


def test_an_alias_where_a_mapping_is_expected(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("kilde: {dokument: Testdokument}", "kilde: *k"))
    err = run_both(cli, tmp_path)
    assert "data/changes/c.yaml:3:8: error: YAML anchors and aliases (&name, *name) are not supported" in err
    assert "kilde: expected" not in err  # the consequence of the refused value is not news


def test_a_removed_item_behind_an_alias(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("  - id: a\n", "  - id: &i a\n"))
    (tmp_path / "data/scenarios").mkdir()
    (tmp_path / "data/scenarios/s.yaml").write_text(SCENARIO.replace("post: a}", "post: *i}").replace(
        "parametere: [../parameters/p.yaml]\n", ""), encoding="utf-8")
    err = run_both(cli, tmp_path)
    # line 6 is "  - {type: fjern, post: *i}"
    assert "data/scenarios/s.yaml:6:25: error: YAML anchors and aliases (&name, *name) are not supported" in err


@pytest.mark.parametrize("text", ["---\n...\n", "--- ~\n", "---\n", "# only a comment\n"])
def test_an_empty_document_is_a_file_with_nothing_in_it(cli, tmp_path, text):
    write(tmp_path, changes=text)
    assert "data/changes/c.yaml:1:1: error: the file is empty" in run_both(cli, tmp_path)


def test_a_second_document_is_refused_at_its_marker(cli, tmp_path):
    write(tmp_path, changes=CHANGES + "---\n" + CHANGES)
    assert "data/changes/c.yaml:15:1: error: a second YAML document ('---') in the file" in run_both(cli, tmp_path)


# ---------------------------------------------------------------------------------- tags and controls


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!foo", "!!int", "!!binary"])
def test_an_unknown_tag_on_a_scalar_is_a_problem_at_its_cell(cli, tmp_path, tag):
    write(tmp_path, changes=CHANGES.replace("etikett: Tiltak A", f"etikett: {tag} Tiltak A"))
    err = run_both(cli, tmp_path)
    shown = tag.replace("!!", "tag:yaml.org,2002:")
    assert f"data/changes/c.yaml:6:14: error: YAML tag '{shown}' is not supported" in err


def test_an_unknown_tag_on_a_collection_and_the_string_tag(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("beløp: {2025: -3}", "beløp: !!set {2025: -3}"))
    assert "data/changes/c.yaml:14:12: error: YAML tag 'tag:yaml.org,2002:set' is not supported" in run_both(cli, tmp_path)
    write(tmp_path, changes=CHANGES.replace("etikett: Tiltak A", "etikett: !!str Tiltak A"))
    assert cli("check", "--no-cache", "data", cwd=tmp_path).exit_code == 0  # !!str is text, as written


@pytest.mark.parametrize("escape, name", [("\\e[2J", "ESC"), ("\\0", "NUL"), ("\\r", "a carriage return"),
                                          ("\\x85", "U+0085"), ("\\u202e", "U+202E"), ("\\u2028", "a line separator")])
def test_a_control_character_in_a_label_is_refused_at_its_cell(cli, tmp_path, escape, name):
    write(tmp_path, changes=CHANGES.replace("etikett: Tiltak A", f'etikett: "Tiltak {escape}A"'))
    err = run_both(cli, tmp_path)
    assert f"data/changes/c.yaml:6:14: error: the text holds a control character ({name})" in err
    assert "\x1b" not in err and "\x00" not in err


def test_a_nul_byte_in_a_path_named_inside_a_file(cli, tmp_path):
    write(tmp_path, frame=FRAME.replace("  - ../changes/c.yaml", '  - "../changes/c\\0.yaml"'))
    assert "data/frames/f.yaml:16:5: error: the text holds a control character (NUL)" in run_both(cli, tmp_path)


# --------------------------------------------------------------------------------------- special files


def _no_hang(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The CLI as a process that must end within seconds (a FIFO opened for reading would block forever)."""
    return subprocess.run([sys.executable, "-m", "rammecalc", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_fifo_named_listed_or_found_is_a_problem_at_once(tmp_path):
    write(tmp_path)
    os.mkfifo(tmp_path / "data/frames/pipe.yaml")
    for args in (["check", "--no-cache", "data"], ["roll", "data"], ["check", "data/frames/pipe.yaml"]):
        result = _no_hang(args, tmp_path)
        assert result.returncode == 2, result.stderr
        assert "data/frames/pipe.yaml:1:1: error: is a FIFO (named pipe), not a regular file" in result.stderr
    (tmp_path / "data/frames/pipe.yaml").unlink()
    os.mkfifo(tmp_path / "data/changes/p.yaml")
    write(tmp_path, frame=FRAME + "  - ../changes/p.yaml\n")
    result = _no_hang(["check", "--no-cache", "data/frames/f.yaml"], tmp_path)
    assert result.returncode == 2
    assert ("data/frames/f.yaml:17:5: error: the changes file '../changes/p.yaml' (data/changes/p.yaml): is a FIFO "
            "(named pipe), not a regular file") in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_named_or_listed_is_refused_before_it_is_read(tmp_path):
    write(tmp_path, frame=FRAME + "  - /dev/zero\n")
    result = _no_hang(["check", "--no-cache", "/dev/zero"], tmp_path)
    assert result.returncode == 2 and "/dev/zero:1:1: error: is a character device, not a regular file" in result.stderr
    result = _no_hang(["roll", "data/frames/f.yaml"], tmp_path)
    assert result.returncode == 2
    assert ("data/frames/f.yaml:17:5: error: the changes file '/dev/zero' (/dev/zero): is a character device, not a "
            "regular file") in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_link_loops_and_dangling_links_in_a_folder_are_said(cli, tmp_path):
    write(tmp_path)
    frames = tmp_path / "data/frames"
    (frames / "self").symlink_to(".")
    (frames / "a.yaml").symlink_to("b.yaml")
    (frames / "b.yaml").symlink_to("a.yaml")
    (frames / "x.yaml").symlink_to("x.yaml")
    (frames / "gone.yaml").symlink_to("nowhere.yaml")
    result = cli("check", "--no-cache", "data", cwd=tmp_path)
    assert result.exit_code == 2
    err = result.stderr
    for name in ("a", "b", "x"):
        assert f"data/frames/{name}.yaml:1:1: error: a symbolic link that leads back to itself (a loop)" in err
    assert "data/frames/gone.yaml:1:1: error: a link to 'nowhere.yaml', which does not exist" in err
    assert "data/frames/self:1:1: warning: a link to " in err and "a folder already read; not followed" in err


def test_a_file_too_large_is_refused_before_it_is_read(cli, tmp_path):
    from rammecalc.loading import MAX_FILE_BYTES

    write(tmp_path)
    with open(tmp_path / "data/changes/big.yaml", "wb") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk is used
    err = run_both(cli, tmp_path)
    assert "data/changes/big.yaml:1:1: error: the file is 32,0 MB, more than the 32,0 MB rammecalc reads" in err


# ------------------------------------------------------------------------------------------------ hints


def test_an_unquoted_decimal_comma_inside_braces_gets_its_hint(cli, tmp_path):
    (tmp_path / "data/parameters").mkdir(parents=True)
    write(tmp_path)
    (tmp_path / "data/parameters/p.yaml").write_text(PARAMETERS.replace("{2024: 4.3}", "{2024: 4,3 %}"),
                                                      encoding="utf-8")
    err = cli("check", "--no-cache", "data", cwd=tmp_path).stderr
    line = PARAMETERS.replace("{2024: 4.3}", "{2024: 4,3 %}").splitlines()[3]
    assert f"data/parameters/p.yaml:4:{line.index('3 %') + 1}: error: parametere.0.verdier.3 %: '3 %' is not a year" in err
    assert "hint: inside '{…}' a comma separates entries, so an unquoted decimal comma splits the number" in err


def test_a_date_written_the_norwegian_way_gets_its_hint(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace(
        "beløp: {2025: -3}", "regel: {type: delårsvirkning, helårsvirkning: -6, virkningsdato: 01.07.2025}"))
    err = run_both(cli, tmp_path)
    # at the date itself, named by its path in the file (not by the rule's type, which is no key there)
    assert "data/changes/c.yaml:14:70: error: poster.1.regel.virkningsdato:" in err
    assert "hint: write a date as YYYY-MM-DD: 2024-05-01 for 1 May 2024" in err


def test_a_minus_and_a_space_gets_its_hint(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("beløp: {2025: -3}", "beløp:\n      2025: - 3"))
    err = run_both(cli, tmp_path)
    assert "hint: a minus followed by a space starts a YAML list" in err


def test_a_problem_found_when_files_are_fitted_together_shows_its_line(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("    gruppe: g\n    beløp: {2025", "    gruppe: h\n    beløp: {2025"))
    err = run_both(cli, tmp_path)
    assert "data/changes/c.yaml:13:13: error: item 'b' is under group 'h', which frame 'f' does not have\n" \
           "   13 |     gruppe: h\n      |             ^\n" in err


def test_check_and_roll_agree_that_a_scenario_that_no_longer_applies_is_unusable(cli, tmp_path):
    write(tmp_path)
    (tmp_path / "data/scenarios").mkdir()
    (tmp_path / "data/scenarios/s.yaml").write_text(
        SCENARIO.replace("post: a}", "post: borte}").replace("parametere: [../parameters/p.yaml]\n", ""),
        encoding="utf-8")
    err = run_both(cli, tmp_path)
    assert "data/scenarios/s.yaml:6:25: error: there is no item 'borte'" in err


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_roll_says_which_folder_link_it_did_not_follow(cli, tmp_path):
    write(tmp_path)
    (tmp_path / "data/frames/self").symlink_to(".")
    result = cli("roll", "data", cwd=tmp_path)
    assert result.exit_code == 0
    assert "data/frames/self:1:1: warning: a link to " in result.stderr


# ------------------------------------------------------------------- found by bench/fuzz.py (seed 11)

TABLE = """\
type: tabell
id: t
kommune: Eksempel
kilde: {dokument: Eksempel}
beløpsenhet: 1 000 kr
kolonner:
  - {id: a, etikett: A}
rader:
  - {nr: 1, etikett: En, beløp: [1]}
  - {nr: 2, etikett: To, beløp: [1], lik: 1}
"""


def write_table(tmp_path: Path, text: str) -> None:
    (tmp_path / "data" / "tables").mkdir(parents=True, exist_ok=True)
    (tmp_path / "data" / "tables" / "t.yaml").write_text(text, encoding="utf-8")


def test_the_table_used_here_is_valid(cli, tmp_path):
    write_table(tmp_path, TABLE)
    result = cli("check", "--no-cache", "data", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr


def test_a_value_of_a_shape_no_member_of_a_union_takes_is_one_error(cli, tmp_path):
    # lik is a row (text) or an address (a mapping); a list is neither: one error naming both, no pydantic tags
    write_table(tmp_path, TABLE.replace("lik: 1}", "lik: [1, 2]}"))
    err = run_both(cli, tmp_path)
    assert errors_of_table(err) == ["data/tables/t.yaml:10:43: error: rader.1.lik: expected text or a mapping, "
                                    "got a list"]
    assert "function-before" not in err and "Address" not in err


def test_a_mapping_in_a_union_of_text_and_mapping_is_judged_as_a_mapping(cli, tmp_path):
    write_table(tmp_path, TABLE.replace("lik: 1}", "lik: {fil: t.yaml, radd: 1}}"))
    err = run_both(cli, tmp_path)
    assert errors_of_table(err) == ["data/tables/t.yaml:10:57: error: unknown key 'radd' in 'rader.1.lik'"]
    assert "did you mean 'rad'? allowed here: fil, rad, gruppe, kolonne, i" in err


def test_a_key_with_a_control_character_is_said_once(cli, tmp_path):
    write_table(tmp_path, TABLE.replace("lik: 1}", 'lik: {fil: t.yaml, "r\\e[31mad": 1}}'))
    err = run_both(cli, tmp_path)
    assert errors_of_table(err) == [
        "data/tables/t.yaml:10:57: error: the key 'r\\x1b[31mad' holds a control character (ESC)"]
    assert "\x1b" not in err


def test_a_number_where_a_column_id_is_expected_warm_as_cold(cli, tmp_path):
    # JSON keeps no number keys: the cache must not turn {1: 5} into {'1': 5}, which would read differently
    write_table(tmp_path, TABLE.replace("beløp: [1], lik: 1}", "beløp: {1: 5}}"))
    runs = [cli("check", "--cache-dir", tmp_path / "cache", "data", cwd=tmp_path) for _ in range(2)]
    cold = cli("check", "--no-cache", "data", cwd=tmp_path)
    assert {(r.exit_code, r.stderr) for r in runs} == {(cold.exit_code, cold.stderr)}
    assert errors_of_table(cold.stderr) == ["data/tables/t.yaml:10:34: error: rader.1.beløp.1: key 1 is a number, "
                                            "not a name"]
    assert "hint: write the id of a column, or quote it: '1'" in cold.stderr


def test_a_very_long_line_is_cut_around_the_column_in_an_excerpt(cli, tmp_path):
    rows = ", ".join(f"{{nr: {i}, etikett: R{i}, beløp: [1], x: 1}}" for i in range(1, 2001))
    write_table(tmp_path, TABLE[:TABLE.index("rader:")] + f"rader: [{rows}]\n")
    result = cli("check", "--no-cache", "data", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.count("unknown key 'x'") == 2000
    excerpts = [line for line in result.stderr.splitlines() if line.startswith("    8 | ")]
    assert len(excerpts) == 2000 and max(map(len, excerpts)) <= len("    8 | ") + 122
    lines = result.stderr.splitlines()
    last = lines[-5:-2]  # the last problem: its line cut on the left, with the caret under its 'x'
    assert last[0].startswith("data/tables/t.yaml:8:") and "'rader.1999'" in last[0]
    assert last[1].startswith("    8 | …") and last[1].endswith("x: 1}]")
    caret = last[2].index("^")
    assert last[1][caret:caret + 5] == "x: 1}"


def errors_of_table(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("data/tables/")]
