"""The shell: completion on (commands, options, choices, file paths, scenario ids, parameter names), and
``--help`` for each command readable at 80 columns, with examples that run and the exit codes named."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rammecalc import helptext
from rammecalc.cli import app

from .conftest import DATA, ROOT

COMMANDS = ["roll", "compare", "check", "explain", "schema", "new"]
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
