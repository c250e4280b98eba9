"""The shell: completion on (commands, options, choices, file paths, scenario ids, parameter names), and
``--help`` for each command readable at 80 columns, with examples that run and the exit codes named."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rammecalc import helptext
from rammecalc.cli import app

from .conftest import DATA, ROOT

COMMANDS = ["roll", "compare", "chart", "report", "check", "explain", "import", "schema", "new"]
BIN = Path(sys.executable).parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("_RAMMECALC")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def _rammecalc(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "rammecalc"), *args], cwd=cwd, env=_env(**env), capture_output=True,
                          text=True, check=False)


def _bash_complete(words: list[str], cwd: Path = ROOT) -> list[str]:
    """What bash offers after ``words`` (the last one being completed), with the script rammecalc prints."""
    script = _rammecalc(cwd=cwd, _RAMMECALC_COMPLETE="source_bash").stdout
    line = " ".join(shlex.quote(w) for w in words)
    program = (f"{script}\nCOMP_WORDS=({line})\nCOMP_CWORD={len(words) - 1}\n"
               "_rammecalc_completion rammecalc\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    out = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], cwd=cwd, env=_env(),
                         capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if line]


# ------------------------------------------------------------------------------------------- completion

def test_the_bash_script_registers_the_completion():
    script = _rammecalc(_RAMMECALC_COMPLETE="source_bash").stdout
    assert "_rammecalc_completion()" in script
    assert "complete -o default -F _rammecalc_completion rammecalc" in script  # -o default: file paths


def test_the_zsh_script_registers_the_completion_and_lists_the_commands():
    script = _rammecalc(_RAMMECALC_COMPLETE="source_zsh").stdout
    assert script.strip().startswith("#compdef rammecalc") and "compdef _rammecalc_completion rammecalc" in script
    # what the zsh function receives: each command with its line from the list of commands
    offered = _rammecalc(_RAMMECALC_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS="rammecalc ").stdout
    for name in COMMANDS:
        assert f'"{name}":"{helptext.COMMANDS[name][0][:20]}' in offered.replace("\\:", ":"), name


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_loads_the_script():  # pragma: no cover - where zsh is installed
    script = _rammecalc(_RAMMECALC_COMPLETE="source_zsh").stdout
    out = subprocess.run(["zsh", "-fc", f"autoload -U compinit && compinit -u\n{script}\nprint -r -- $_comps[rammecalc]"],
                         env=_env(), capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "_rammecalc_completion", out.stderr


def test_show_completion_prints_the_script_for_a_shell():
    out = _rammecalc("--show-completion", "bash", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert out.returncode == 0 and "complete -o default -F _rammecalc_completion rammecalc" in out.stdout
    assert "--install-completion" in _rammecalc("--help").stdout


def test_bash_completes_the_commands():
    assert _bash_complete(["rammecalc", ""]) == COMMANDS
    assert _bash_complete(["rammecalc", "co"]) == ["compare"]


def test_bash_completes_options_and_choices():
    assert _bash_complete(["rammecalc", "check", "--rep"]) == ["--report"]
    assert _bash_complete(["rammecalc", "check", "--report", ""]) == ["text", "json", "junit", "github"]
    assert _bash_complete(["rammecalc", "new", ""]) == ["ramme", "endringer", "parametere", "scenario", "tabell",
                                                        "regnskap", "koblinger"]


def test_bash_completes_file_paths():
    # Where a path goes, rammecalc offers nothing of its own, and the script's 'complete -o default' has bash
    # complete the file name itself, as 'compgen -f' does:
    assert _bash_complete(["rammecalc", "roll", "data/frames/molde-2017-r"]) == []
    assert _bash_complete(["rammecalc", "roll", "--output", "x"]) == []
    script = _rammecalc(_RAMMECALC_COMPLETE="source_bash").stdout
    program = f"{script}\ncomplete -p rammecalc\ncompgen -f -- data/frames/molde-2017-r"
    out = subprocess.run(["bash", "--norc", "-c", program], cwd=ROOT, env=_env(), capture_output=True, text=True,
                         check=True)
    assert out.stdout.splitlines() == ["complete -o default -F _rammecalc_completion rammecalc",
                                       "data/frames/molde-2017-ressurstjenesten.yaml"]


def test_bash_completes_scenario_ids_from_the_files():
    assert _bash_complete(["rammecalc", "roll", "-s", "tiltak"]) == ["tiltak-12-utsatt", "tiltak-i-løpende-priser"]
    assert _bash_complete(["rammecalc", "compare", "data", "-s", ""]) == [
        "høyere-deflator", "tiltak-12-utsatt", "tiltak-i-løpende-priser", "uten-opptrappingsplan"]
    # a variant of several: the next one after '+'
    assert _bash_complete(["rammecalc", "compare", "-s", "tiltak-i-løpende-priser+h"]) == [
        "tiltak-i-løpende-priser+høyere-deflator"]


def test_scenario_ids_come_from_the_paths_given(tmp_path):
    (tmp_path / "egne").mkdir()
    (tmp_path / "egne" / "s.yaml").write_text("type: scenario\nid: min-variant  # mine\netikett: M\ngjelder: f\n"
                                              "operasjoner: []\n", encoding="utf-8")
    assert _bash_complete(["rammecalc", "roll", "egne", "-s", ""], cwd=tmp_path) == ["min-variant"]
    assert _bash_complete(["rammecalc", "roll", "-s", ""], cwd=tmp_path) == []  # no ./data here


def test_bash_completes_parameter_names():
    assert _bash_complete(["rammecalc", "roll", "--set", "def"]) == ["deflator=", "deflator_revidert="]
    names = _bash_complete(["rammecalc", "check", "--set", ""])
    assert {"prisvekst=", "lønnsvekst=", "deflator="} <= set(names)
    assert _bash_complete(["rammecalc", "check", "--set", "deflator=4"]) == []  # the rate is the user's


def test_completion_reads_no_yaml_and_no_models():
    code = ("import os, sys\nos.environ.update(_RAMMECALC_COMPLETE='complete_bash', COMP_WORDS='rammecalc roll -s t',"
            " COMP_CWORD='3')\nsys.argv = ['rammecalc']\nfrom rammecalc.cli import app\ntry:\n    app()\n"
            "except SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "tiltak-12-utsatt" in out.stdout
    modules = set(out.stderr.split())
    assert not {m for m in modules if m.split(".")[0] in ("yaml", "rich")}  # (typer itself loads pydantic)
    assert not {m for m in modules if m.startswith("rammecalc.core.models")}


# ------------------------------------------------------------------------------------------------ help

def test_every_command_has_its_line_and_examples():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert sorted(names) == sorted(helptext.COMMANDS)
    for name, (short, examples) in helptext.COMMANDS.items():
        assert len(short) <= 55, name  # the list of commands shows it whole at 80 columns
        assert 2 <= len(examples) <= 3, name
        assert all(e.startswith(f"rammecalc {name}") for e in examples), name


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["rammecalc", *COMMANDS])
def test_help_is_readable_at_80_columns(command):
    out = _rammecalc(*command, "--help", COLUMNS="80")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    shown = out.stdout.replace("[PATH]...", "").replace("A[+B...]", "").replace("COMMAND [ARGS]...", "")
    assert "…" not in shown and "..." not in shown  # nothing cut
    text = " ".join(out.stdout.split())
    assert "3 a bug in rammecalc" in text and "2 unusable input" in text
    if command:
        examples = helptext.COMMANDS[command[0]][1]
        assert "Examples:" in out.stdout
        for example in examples:
            assert f"    {example}\n" in out.stdout  # each on its own line, as written


def test_the_paths_help_names_every_kind_of_file():
    text = " ".join(_rammecalc("check", "--help", COLUMNS="80").stdout.split())
    for kind in ("frame", "changes", "parameter", "scenario", "table (tabell)", "links (koblinger)", "folder"):
        assert kind in text


def test_help_does_not_import_rich():
    code = ("import sys\nsys.argv = ['rammecalc', 'check', '--help']\nfrom rammecalc.cli import app\ntry:\n    app()\n"
            "except SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Examples:" in out.stdout
    assert not {m for m in out.stderr.split() if m.split(".")[0] in ("rich", "yaml")}


ALL_EXAMPLES = [(name, e) for name, (_, examples) in helptext.COMMANDS.items() for e in examples]


@pytest.mark.parametrize(("name", "example"), ALL_EXAMPLES, ids=[e for _, e in ALL_EXAMPLES])
def test_every_example_runs(cli, tmp_path, name, example):
    shutil.copytree(DATA, tmp_path / "data")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    args = shlex.split(example)[1:]
    result = cli(*args, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    if "-o" in args:
        assert (tmp_path / args[args.index("-o") + 1]).stat().st_size > 0
    else:
        assert result.stdout.strip()


# --------------------------------------------------------------------------------------------- housekeeping

def test_the_cache_folder_is_the_platform_s(monkeypatch, tmp_path):
    import platformdirs

    from rammecalc.cache import default_directory

    monkeypatch.delenv("RAMMECALC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_directory() == Path(platformdirs.user_cache_dir("rammecalc", appauthor=False))
    if sys.platform.startswith("linux"):
        assert default_directory() == tmp_path / "rammecalc"  # as before on Linux
    monkeypatch.setenv("RAMMECALC_CACHE_DIR", str(tmp_path / "mine"))
    assert default_directory() == tmp_path / "mine"


def _version_folder(root: Path, name: str, used: float | None) -> Path:
    from rammecalc.cache import MARKER

    folder = root / name
    (folder / "docs").mkdir(parents=True)
    if used is not None:
        (folder / MARKER).write_text("{}", encoding="utf-8")
        os.utime(folder / MARKER, (used, used))
    return folder


def test_old_versions_are_pruned_and_recent_and_foreign_ones_kept(tmp_path):
    import time

    from rammecalc.cache import IN_USE_SECONDS, Cache

    now = time.time()
    day = 86_400
    old = {f"v0.0.{i}-x": _version_folder(tmp_path, f"v0.0.{i}-x", now - (10 + i) * day) for i in range(4)}
    busy = _version_folder(tmp_path, "v0.0.9-busy", now - IN_USE_SECONDS / 2)  # another process, just now
    foreign = _version_folder(tmp_path, "vacation-photos", None)  # no marker: not rammecalc's
    cache = Cache(tmp_path, "1.0-current")
    cache.save()
    left = sorted(p.name for p in tmp_path.iterdir())
    # kept: the current one, the two most recently used others (busy, then v0.0.0), the foreign folder
    assert left == ["v0.0.0-x", "v0.0.9-busy", "v1.0-current", "vacation-photos"]
    assert busy.exists() and foreign.exists() and old["v0.0.0-x"].exists()
    assert (tmp_path / "v1.0-current" / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")


def test_a_version_in_use_is_never_pruned(tmp_path):
    import time

    from rammecalc.cache import Cache

    now = time.time()
    for i in range(5):  # five other versions, all used within the last minutes
        _version_folder(tmp_path, f"v0.{i}", now - 60 * i)
    assert Cache(tmp_path, "1").prune(now=now) == []
    assert len(list(tmp_path.iterdir())) == 5


def test_two_processes_saving_at_once_keep_both_results(tmp_path):
    """Both read the folder before either saves (as two checks started together do): the second to save
    merges its entries with the first's instead of writing its own over them."""
    from rammecalc.cache import Cache, FrameResult

    first, second = Cache(tmp_path, "1"), Cache(tmp_path, "1")
    first.put_result("a", FrameResult(frame="a", files=("a.yaml",), figures=1, problems=()))
    second.put_result("b", FrameResult(frame="b", files=("b.yaml",), figures=2, problems=()))
    first.save()
    second.save()
    again = Cache(tmp_path, "1")
    assert again.result("a").figures == 1 and again.result("b").figures == 2


def test_two_checks_running_together_share_the_cache(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    cache = tmp_path / "cache"
    env = _env()
    env.pop("RAMMECALC_CACHE_DIR", None)

    def start(*paths: str) -> subprocess.Popen:
        return subprocess.Popen([str(BIN / "rammecalc"), "check", "--report", "json", "--cache-dir", str(cache),
                                 *paths], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    runs = [start("data/frames/molde-2017-ressurstjenesten.yaml", "data/frames/askoy-2018-kommunalavdeling-stab.yaml"),
            start("data/frames/stavanger-2015-barnevern.yaml", "data/frames/trondheim-2022-psykisk-helse-og-rus.yaml")]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    (folder,) = [p for p in cache.iterdir() if p.is_dir()]
    shards = [json.loads(shard.read_text(encoding="utf-8")) for shard in (folder / "results").glob("*.json")]
    frames = {json.loads(e["payload"])["frame"] for shard in shards for e in shard["entries"].values()}
    assert {"molde-2017-ressurstjenesten", "askoy-2018-kommunalavdeling-stab", "stavanger-2015-barnevern",
            "trondheim-2022-psykisk-helse-og-rus"} <= frames
    warm = subprocess.run([str(BIN / "rammecalc"), "check", "--report", "json", "--cache-dir", str(cache), "data"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    cold = subprocess.run([str(BIN / "rammecalc"), "check", "--report", "json", "--no-cache", "data"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert warm.stdout == cold.stdout and warm.returncode == cold.returncode == 0


def test_license_changelog_and_project_urls():
    import tomllib

    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License\n") and "Permission is hereby granted, free of charge" in license_text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "MIT"}
    urls = project["urls"]
    assert set(urls) >= {"Homepage", "Documentation", "Changelog", "Issues"}
    home = urls["Homepage"]
    assert all(u.startswith(home) for u in urls.values())
    # the README's snippets name the same repository
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"repo: {home}\n" in readme and f"uses: {home.removeprefix('https://github.com/')}@" in readme
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n") and "\n## Unreleased\n" in changelog
    assert f"\n## {project['version']}\n" in changelog


def test_the_windows_quick_start_is_the_posix_one_translated():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    posix = re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)
    windows = re.findall(r"```powershell\n(.*?)\n```", section, flags=re.DOTALL)
    assert len(posix) == len(windows) == 2
    for line, translated in zip(posix, windows, strict=True):
        expected = (line.replace("python3 ", "py ").replace(".venv/bin/", ".venv\\Scripts\\").replace(" && ", "; ")
                    .replace("data/frames/", "data\\frames\\"))
        assert translated == expected
