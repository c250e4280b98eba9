"""The README cannot drift from the tool: commands, codes, quick start, CI."""

from __future__ import annotations

import re

from rammecalc.cli import app
from rammecalc.core.problems import Code

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_has_help_and_is_in_the_readme():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert sorted(names) == ["chart", "check", "compare", "explain", "import", "new", "report", "roll", "schema"]
    for command in app.registered_commands:
        assert (command.callback.__doc__ or "").strip(), command.name
        assert f"`rammecalc {command.name or command.callback.__name__}" in README


def test_every_problem_code_is_in_the_readme():
    for code in Code:
        assert f"`{code.value}`" in README, code.value


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_second():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)
    assert len(commands) == 2
    assert "rammecalc roll" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_readme_shows_the_real_seed000_table(cli):
    result = cli("roll", "data/frames/molde-2017-ressurstjenesten.yaml")
    assert result.exit_code == 0
    shown = "\n".join(line.rstrip() for line in result.stdout.splitlines())
    # The README's example was printed at 96 columns; the fixture runs at 100, so compare the figures.
    readme_new_frame = next(line for line in README.splitlines() if line.startswith("Ny driftsramme"))
    ours = next(line for line in shown.splitlines() if line.startswith("Ny driftsramme"))
    assert readme_new_frame.split() == ours.split()


def readme_script(name: str) -> str:
    match = re.search(rf"<!-- script: {name} -->\n```python\n(.*?)\n```", README, flags=re.DOTALL)
    assert match, f"no script {name} in the README"
    return match.group(1)


def run_script(name: str, cwd) -> list[str]:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", readme_script(name)], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_readme_deflator_loop_runs_and_prints_one_line_per_value(data_copy):
    lines = run_script("deflator-loop", data_copy.parent)
    assert len(lines) == 7  # 2,0 2,5 … 5,0
    # By hand, at 2,0 %: 2023 3 300 × 2 % = 66; 2024 (15 200 + 66) × 2 % = 305,32 → 305 (level 371);
    # 2025 (22 400 + 371) × 2 % = 455,42 → 455 (level 826): 23 600 + 826 = 24 426.
    assert lines[0] == "deflator 2,0 %: 2025 24 426"
    assert lines[-1].startswith("deflator 5,0 %: 2025 ")
    values = [int(line.split(": 2025 ")[1].replace(" ", "")) for line in lines]
    assert values == sorted(values) and len(set(values)) == 7  # a higher deflator costs more


def test_readme_sweep_writes_the_csv(data_copy):
    import csv

    assert run_script("sweep", data_copy.parent) == ["wrote sweep.csv"]
    with open(data_copy.parent / "sweep.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 9
    # The file's own rates (1,4 % and 2,2 %) give the printed 11 999.
    assert next(r for r in rows if (r["prisvekst"], r["lønnsvekst"]) == ("1.4", "2.2"))["ny_driftsramme_2017"] == "11999"
    # By hand: prisvekst 2,0 %: 3 286 × 2 % = 65,72 → 66 (+20); lønnsvekst 3,2 %: −5 773 × 3,2 % = −184,736 → −185
    # (−58 against −127): 11 999 + 20 − 58 = 11 961.
    assert next(r for r in rows if (r["prisvekst"], r["lønnsvekst"]) == ("2.0", "3.2"))["ny_driftsramme_2017"] == "11961"
