"""Helpers for the mutation tests of the tables: find a printed cell in a YAML file and change it."""

from __future__ import annotations

import re
from pathlib import Path


def find(text: str, anchor: str, key: str, old: str, after: str | None = None) -> tuple[int, int]:
    """1-based (line, column) of ``key: old`` on the first line at or after the line holding ``anchor``
    (and, if given, after the next line holding ``after``)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if anchor in line)
    if after is not None:
        start = next(i for i in range(start, len(lines)) if after in lines[i])
    pattern = re.compile(rf"(?<![\w-]){re.escape(key)}: ({re.escape(old)})(?=[,}}\s]|$)")
    for i in range(start, len(lines)):
        match = pattern.search(lines[i])
        if match:
            return i + 1, match.start(1) + 1
    raise AssertionError(f"{key}: {old} not found after {anchor!r}")


def replace(path: Path, line: int, col: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text = lines[line - 1]
    assert text[col - 1: col - 1 + len(old)] == old, text
    lines[line - 1] = text[: col - 1] + new + text[col - 1 + len(old):]
    path.write_text("".join(lines), encoding="utf-8")


def only_loaded(rel: str):
    """The one table (``type: tabell``) in the repository file ``rel``, which loads without a problem, and the
    figures it takes from other files."""
    from rammecalc.loading import load

    from .conftest import ROOT

    loaded = load([ROOT / rel])
    assert loaded.problems == []
    (only,) = loaded.tables
    return only


def problem_lines(output: str) -> list[str]:
    """The problem lines in a report: ``file:line:col: error: …`` or ``… warning: …``."""
    return [ln for ln in output.splitlines() if re.match(r"^\S+:\d+:\d+: (?:error|warning): ", ln)]


def errors(output: str) -> list[str]:
    return [ln for ln in problem_lines(output) if re.match(r"^\S+:\d+:\d+: error: ", ln)]
