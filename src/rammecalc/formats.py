"""Which format ``--output FILE`` asks for, by FILE's extension, where ``--format`` does not say.

A file ending in ``.xlsx`` gets a workbook, ``.csv`` CSV, ``.svg`` a chart: never a terminal table under a
name that promises something else. An extension a command does not know is refused (exit 2) with the ones
it knows; a name without one, a FIFO, a device and a folder get the command's default (a folder is then
refused by the writer, as before). Standard library only: the command line imports it at start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

ROLL = {".txt": "table", ".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown",
        ".xlsx": "xlsx"}
COMPARE = {**ROLL, ".svg": "svg", ".png": "png"}
CHART = {".svg": "svg", ".png": "png", ".txt": "table"}
REPORT = {".html": "html", ".htm": "html"}

#: Where a format another command writes is asked of one that does not: the command to use instead.
ELSEWHERE = {".svg": "rammecalc chart", ".png": "rammecalc chart", ".html": "rammecalc report",
             ".htm": "rammecalc report", ".xlsx": "rammecalc roll", ".csv": "rammecalc roll",
             ".json": "rammecalc roll", ".md": "rammecalc roll"}


class UnknownExtension(ValueError):
    """``--output``'s extension names no format of the command: a message and a hint (exit 2)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def by_extension(path: Path | None, known: dict[str, str], command: str) -> str | None:
    """The format ``path``'s extension asks for among ``known`` (extension → format); ``None`` for no path,
    a name without an extension, or a path that is not a file to be written whole (a FIFO, a device, a
    folder). Raises :class:`UnknownExtension` for an extension ``known`` does not have."""
    if path is None:
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        return None
    suffix = Path(path).suffix.lower()
    if not suffix:
        return None
    if suffix in known:
        return known[suffix]
    listed = ", ".join(f"{ext} ({fmt})" for ext, fmt in known.items())
    other = ELSEWHERE.get(suffix)
    hint = f"'{other}' writes {suffix} files; " if other and other != f"rammecalc {command}" else ""
    raise UnknownExtension(
        f"--output {path}: '{suffix}' is not a format 'rammecalc {command}' writes",
        f"{hint}name the file with one of {listed}, or say the format with --format")
