"""The core stays pure: importing it loads no typer, rich or yaml, and it opens no files."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "src" / "rammecalc" / "core"


def test_importing_the_core_loads_no_cli_rendering_or_yaml():
    code = ("import sys\nimport rammecalc.core.models, rammecalc.core.roll, rammecalc.core.checks, "
            "rammecalc.core.assemble\nprint(' '.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    top = {m.split(".")[0] for m in out.split()}
    assert not top & {"typer", "click", "rich", "yaml"}


def test_core_source_does_no_io():
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("open", "print", "input"), f"{path.name}:{node.lineno}"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for name in names:
                    assert name.split(".")[0] not in ("os", "pathlib", "io", "typer", "rich", "yaml", "shutil"), (
                        f"{path.name}:{node.lineno} imports {name}")
