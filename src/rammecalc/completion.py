"""Shell completion of the names rammecalc's options take: scenario ids (``--scenario``) and parameter names
(``--set``), found in the files the command line names (or under ./data).

Completion runs the program once per TAB, so this reads the files as text, the standard library only (no
YAML parser, no models): a scenario file's ``id:`` and a parameter file's ``navn:`` are found by their lines.
It is a convenience, never a check: a file it cannot read is passed over without a word. Commands, options,
choices and file paths are completed by typer (click) itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Files larger than this are not read for names (no rammecalc file needs it; a huge file would slow the TAB).
_MAX_BYTES = 1 << 20
_TYPE = re.compile(r"^type:\s*['\"]?([\w-]+)['\"]?\s*(?:#.*)?$", re.MULTILINE)
_ID = re.compile(r"^id:\s*['\"]?([^'\"\s#]+)['\"]?\s*(?:#.*)?$", re.MULTILINE)
_NAME = re.compile(r"(?:^|[{,\s])navn:\s*['\"]?([^'\"\s,}#]+)", re.MULTILINE)


def _yaml_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The YAML files under the paths, hidden ones left out, as ``check`` reads them (without its care)."""
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            for root, folders, files in os.walk(path):
                folders[:] = sorted(f for f in folders if not f.startswith("."))
                for name in sorted(files):
                    if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                        yield Path(root) / name


def _texts(paths: Iterable[Path], kind: str) -> Iterator[str]:
    for path in _yaml_files(paths):
        try:
            if path.stat().st_size > _MAX_BYTES:
                continue
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        found = _TYPE.search(text)
        if found and found[1] == kind:
            yield text


def scenario_ids(paths: Iterable[Path]) -> list[str]:
    """The ids of the scenario files under ``paths``, sorted."""
    return sorted({m[1] for text in _texts(paths, "scenario") for m in [_ID.search(text)] if m})


def parameter_names(paths: Iterable[Path]) -> list[str]:
    """The names the parameter files under ``paths`` define, sorted."""
    return sorted({m[1] for text in _texts(paths, "parametere") for m in _NAME.finditer(text)})


def _paths(ctx) -> list[Path]:
    """The paths given on the command line before the word being completed, else ./data."""
    params = getattr(ctx, "params", None) or {}
    given = list(params.get("paths") or ([params["path"]] if params.get("path") else []))
    # While completing, click may leave the positional words it has not bound yet in ctx.args.
    given += [a for a in getattr(ctx, "args", None) or () if isinstance(a, str) and not a.startswith("-")]
    return [Path(p) for p in given] or [Path("data")]


def complete_scenario(ctx, incomplete: str) -> list[str]:
    """``--scenario``: the scenario ids; after a ``+`` (``compare -s A+B``), the next one joined to the ones
    before it."""
    head, plus, tail = incomplete.rpartition("+")
    prefix = head + plus
    return [prefix + s for s in scenario_ids(_paths(ctx)) if s.startswith(tail)]


def complete_set(ctx, incomplete: str) -> list[str]:
    """``--set``: ``NAME=`` for each parameter name (then the rate is typed: ``deflator=4,5%``)."""
    if "=" in incomplete or ":" in incomplete:
        return []
    return [f"{n}=" for n in parameter_names(_paths(ctx)) if n.startswith(incomplete)]


def complete_code(incomplete: str) -> list[str]:
    """``--select`` and ``--ignore``: the problem codes a check reports (input problems are never left out)."""
    from .core.problems import Code

    head, comma, tail = incomplete.rpartition(",")
    return [head + comma + c.value for c in Code if not c.is_input and c.value.startswith(tail)]
