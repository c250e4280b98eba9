"""CI: --strict, --select/--ignore by code, the GitHub step summary, the pre-commit hook (run on a tiny
repository in a temporary folder, through pre-commit itself) and the composite action."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def _frame(tmp_path: Path, published_new_frame_2027: int = 10300, records: str = "") -> Path:
    """The `new ramme` skeleton (start 10 000, +300 in 2027), with its 2027 new frame printed as given and
    known differences recorded as given."""
    from rammecalc.skeletons import plan

    made = plan("ramme", "f", tmp_path / "data", 2027, schema=ROOT / "schema" / "rammecalc.schema.json")
    for path, text in made.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent.name == "frames":
            text = text.replace("publisert: {2027: 10300, 2028", f"publisert: {{2027: {published_new_frame_2027}, 2028")
            text += records
        path.write_text(text, encoding="utf-8")
    return tmp_path / "data"


STALE = """kjente_differanser:
  - {figur: ny_driftsramme, år: 2027, differanse: 1, forklaring: printed one more than its parts}
"""


# ---------------------------------------------------------------------------------------------- --strict

def test_strict_fails_on_a_stale_known_difference(cli, tmp_path):
    data = _frame(tmp_path, records=STALE)  # recorded, but the figure adds up: the record is stale
    plain = cli("check", "--no-cache", data)
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.splitlines()[-1].endswith("0 errors, 1 warning")  # the stale record, a warning
    strict = cli("check", "--no-cache", "--strict", data)
    assert strict.exit_code == 1, strict.output
    assert strict.stdout.splitlines()[-1].endswith("0 errors, 1 warning; 1 warning fails the run under --strict")


def test_strict_passes_a_recorded_difference_that_occurs(cli, tmp_path):
    data = _frame(tmp_path, published_new_frame_2027=10301, records=STALE)  # printed 10 301, recorded
    strict = cli("check", "--no-cache", "--strict", data)
    assert strict.exit_code == 0, strict.output
    assert strict.stdout.splitlines()[-1].endswith("0 errors, 1 warning")
    assert "published 10 301, computed 10 300" in strict.stdout


def test_strict_passes_a_tolerated_difference(cli, tmp_path):
    data = _frame(tmp_path, published_new_frame_2027=10301)
    assert cli("check", "--no-cache", "--strict", data).exit_code == 1  # an error: not recorded
    assert cli("check", "--no-cache", "--strict", "--tolerance", "1", data).exit_code == 0


def test_strict_on_the_bundled_data(cli):
    # 21 warnings: 19 recorded differences pass, the two amounts in no year (Trondheim) fail
    strict = cli("check", "--strict", "data")
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[-1].endswith("21 warnings; 2 warnings fail the run under --strict")
    assert cli("check", "--strict", "--ignore", "unallocated-amount", "data").exit_code == 0


# ------------------------------------------------------------------------------------- --select, --ignore

def test_ignore_leaves_out_a_code_and_says_how_many(cli):
    result = cli("check", "--report", "json", "--ignore", "unallocated-amount", "data")
    report = json.loads(result.stdout)
    assert report["ignored"] == 2 and report["warnings"] == 19
    assert {p["code"] for p in report["problems"]}.isdisjoint({"unallocated-amount"})
    text = cli("check", "--ignore", "unallocated-amount", "data").stdout.splitlines()[-1]
    assert text.endswith("0 errors, 19 warnings (2 ignored by --select/--ignore)")


def test_select_keeps_only_the_codes_given(cli):
    result = cli("check", "--report", "json", "--select", "unallocated-amount,link-explained-difference", "data")
    report = json.loads(result.stdout)
    assert sorted(p["code"] for p in report["problems"]) == ["link-explained-difference", "unallocated-amount",
                                                               "unallocated-amount"]
    assert report["ignored"] == 18


def test_an_ignored_error_does_not_fail_the_run(cli, tmp_path):
    data = _frame(tmp_path, published_new_frame_2027=10301)
    assert cli("check", "--no-cache", data).exit_code == 1
    result = cli("check", "--no-cache", "--ignore", "new-frame-mismatch", data)
    assert result.exit_code == 0, result.output
    assert "1 ignored" in result.stdout
    assert cli("check", "--no-cache", "--select", "subtotal-mismatch", data).exit_code == 0
    assert cli("check", "--no-cache", "--select", "new-frame-mismatch", data).exit_code == 1


def test_codes_that_cannot_be_chosen(cli):
    typo = cli("check", "--ignore", "subtotal-mismach", "data")
    assert typo.exit_code == 2
    assert "no such problem code; did you mean subtotal-mismatch?" in typo.stderr
    assert "hint: the codes are: avvik-mismatch, cell-mismatch" in typo.stderr
    inputs = cli("check", "--ignore", "input-unknown-key", "data")
    assert inputs.exit_code == 2 and "input problems cannot be left out" in inputs.stderr


def test_input_problems_are_never_left_out(cli, tmp_path):
    (tmp_path / "bad.yaml").write_text("type: ramme\nid: x\n", encoding="utf-8")
    result = cli("check", "--report", "json", "--select", "subtotal-mismatch", tmp_path / "bad.yaml")
    assert result.exit_code == 2
    assert {p["code"] for p in json.loads(result.stdout)["problems"]} == {"input-missing-key"}


# --------------------------------------------------------------------------------- $GITHUB_STEP_SUMMARY

def _check(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **env}
    environment.pop("GITHUB_STEP_SUMMARY", None)
    environment.update(env)
    return subprocess.run([str(BIN / "rammecalc"), "check", *args], cwd=cwd, env=environment, capture_output=True,
                          text=True, check=False)


def test_the_step_summary_is_added_to(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("# before\n", encoding="utf-8")
    result = _check("--report", "github", "--strict", "data", GITHUB_STEP_SUMMARY=str(summary))
    assert result.returncode == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# before\n### rammecalc check: failed\n")
    assert "0 errors, 21 warnings; 2 warnings fail the run under --strict" in text
    rows = [line for line in text.splitlines() if line.startswith("| warning")]
    assert len(rows) == 21
    assert sum("(fails: --strict)" in row for row in rows) == 2
    assert ("| warning (fails: --strict) | data/changes/trondheim-2022-psykisk-helse-og-rus.yaml:94:19 | "
            "unallocated-amount | Omfordeling av ressurser") in text


def test_no_step_summary_without_the_variable(tmp_path):
    result = _check("data", cwd=ROOT)
    assert result.returncode == 0 and not list(tmp_path.iterdir())


def test_a_step_summary_keeps_each_problem_in_its_cell(tmp_path):
    data = _frame(tmp_path, published_new_frame_2027=10301)
    frame = data / "frames" / "f.yaml"
    frame.write_text(frame.read_text(encoding="utf-8").replace("etikett: Ny driftsramme",
                                                               "etikett: 'Ny | *ramme* <b>'"), encoding="utf-8")
    summary = tmp_path / "summary.md"
    assert _check("--no-cache", str(data), cwd=tmp_path, GITHUB_STEP_SUMMARY=str(summary)).returncode == 1
    (row,) = [line for line in summary.read_text(encoding="utf-8").splitlines() if line.startswith("| error")]
    assert row.count(" | ") == 3  # four cells, the label's '|' escaped
    assert "Ny \\| \\*ramme\\* &lt;b&gt; 2027: published 10 301" in row


def test_a_step_summary_that_cannot_be_written_changes_nothing_else(tmp_path):
    result = _check("data", GITHUB_STEP_SUMMARY=str(tmp_path / "no" / "such" / "folder.md"))
    assert result.returncode == 0
    assert "rammecalc: cannot add to the step summary" in result.stderr
    assert result.stdout.splitlines()[-1].endswith("0 errors, 21 warnings")


# ------------------------------------------------------------------------------------------- pre-commit

def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def _readme_block(after: str) -> str:
    match = re.search(re.escape(after) + r".*?```yaml\n(.*?)\n```", README, flags=re.DOTALL)
    assert match, after
    return match.group(1)


def test_the_hook_manifest_is_valid():
    out = subprocess.run([str(BIN / "pre-commit"), "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "rammecalc-check" and hook["entry"] == "rammecalc check"
    assert hook["language"] == "python" and re.search(hook["files"], "data/frames/x.yaml")
    assert not re.search(hook["files"], "data/frames/x.txt")


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory) -> tuple[Path, str]:
    """This project as a hook repository: what `pip install .` needs, and the manifest, in one commit."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, repo / name)
    shutil.copytree(ROOT / "src", repo / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    assert _git("init", "-q", cwd=repo).returncode == 0
    _git("add", "-A", cwd=repo)
    assert _git("commit", "-qm", "hook", cwd=repo).returncode == 0
    return repo, _git("rev-parse", "HEAD", cwd=repo).stdout.strip()


def test_the_hook_runs_on_a_tiny_repository(cli, tmp_path, hook_repository):
    """The README's .pre-commit-config.yaml, pointed at this project: pre-commit installs rammecalc in its own
    environment (from PyPI: typer, pydantic, rich, pyyaml) and runs the hook at each commit."""
    repo, sha = hook_repository
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    assert cli("new", "ramme", "enhet", "--year", "2027", cwd=tiny).exit_code == 0
    config = _readme_block("In `.pre-commit-config.yaml`:")
    config = re.sub(r"repo: \S+", f"repo: {repo.as_posix()}", config).replace("rev: v0.2.0", f"rev: {sha}")
    (tiny / ".pre-commit-config.yaml").write_text(config + "\n", encoding="utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("RAMMECALC_CACHE_DIR", None)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    _git("init", "-q", cwd=tiny)
    installed = subprocess.run([str(BIN / "pre-commit"), "install"], cwd=tiny, env=env, capture_output=True,
                               text=True, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    _git("add", "-A", cwd=tiny)
    env_git = {**env, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@example.org"}
    first = subprocess.run(["git", "commit", "-qm", "a frame"], cwd=tiny, env=env_git, capture_output=True,
                           text=True, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "rammecalc check" in first.stdout + first.stderr and "Passed" in first.stdout + first.stderr

    frame = tiny / "data" / "frames" / "enhet.yaml"  # a misprint: the 2027 new frame as 10 310
    frame.write_text(frame.read_text(encoding="utf-8").replace("publisert: {2027: 10300, 2028",
                                                               "publisert: {2027: 10310, 2028"), encoding="utf-8")
    _git("add", "-A", cwd=tiny)
    second = subprocess.run(["git", "commit", "-qm", "a misprint"], cwd=tiny, env=env_git, capture_output=True,
                            text=True, check=False)
    out = second.stdout + second.stderr
    assert second.returncode != 0, out  # the commit is refused
    assert "Failed" in out and "- exit code: 1" in out
    assert re.search(r"data/frames/enhet\.yaml:\d+:\d+: error: Ny driftsramme 2027: published 10 310", out), out
    assert _git("log", "--oneline", cwd=tiny).stdout.count("\n") == 1

    # a change to a file that is not YAML does not run the hook at all
    (tiny / "notes.txt").write_text("hei\n", encoding="utf-8")
    _git("add", "notes.txt", cwd=tiny)
    _git("reset", "-q", "data", cwd=tiny)
    third = subprocess.run(["git", "commit", "-qm", "notes"], cwd=tiny, env=env_git, capture_output=True,
                           text=True, check=False)
    assert third.returncode == 0 and "(no files to check)Skipped" in third.stdout + third.stderr


# --------------------------------------------------------------------------------------------- action.yml

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def test_the_action_is_composite_and_installs_and_runs_the_check():
    assert ACTION["runs"]["using"] == "composite"
    steps = ACTION["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install, run = steps[1], steps[2]
    assert "pip install" in install["run"] and install["env"]["PACKAGE"] == "${{ inputs.package || github.action_path }}"
    assert run["run"] == "rammecalc check --report github $ARGS $PATHS"
    for step in steps[1:]:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"]  # inputs reach the shell as variables, never pasted into the script
    assert set(ACTION["inputs"]) == {"paths", "args", "python-version", "package"}
    assert ACTION["inputs"]["paths"]["default"] == "data"


def test_the_action_s_check_step_annotates_and_summarises(tmp_path):
    step = ACTION["runs"]["steps"][2]
    summary = tmp_path / "summary.md"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PATHS": "data",
           "ARGS": "--strict --ignore unallocated-amount", "GITHUB_STEP_SUMMARY": str(summary)}
    out = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("::warning file=data/")
    assert out.stdout.splitlines()[-1].endswith("19 warnings (2 ignored by --select/--ignore)")
    assert summary.read_text(encoding="utf-8").startswith("### rammecalc check: passed\n")


def test_the_readme_s_workflow_uses_the_action_s_inputs():
    workflow = yaml.safe_load(_readme_block("file and line:"))
    (step,) = [s for s in workflow["jobs"]["check"]["steps"] if "rammecalc" in s.get("uses", "")]
    assert set(step["with"]) <= set(ACTION["inputs"])
    assert step["with"]["args"] == "--strict --ignore unallocated-amount"
