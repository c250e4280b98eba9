"""``rammecalc import`` as a function: read a source, place its figures (the core), write the files, check
them. The command line prints what this returns; a script gets the same from :func:`import_source`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..core.problems import Code, Problem, input_error
from ..core.reading import Hints, Imported, Line, import_tables, meta_from_text
from .sources import Source, read_source


@dataclass
class ImportRun:
    """What an import did: the tables found (with how sure each is), the files written, and what
    ``rammecalc check`` says of them."""

    source: str
    tables: list[Imported] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    #: problems that stopped the import (an unreadable source, no table, files in the way)
    problems: list[Problem] = field(default_factory=list)
    #: warnings met reading the source (text read as Windows-1252, a sheet's hidden rows)
    warnings: list[Problem] = field(default_factory=list)
    #: what check found in the files written, per file
    check_problems: list[Problem] = field(default_factory=list)
    figures: int = 0

    @property
    def uncertain(self) -> bool:
        return any(not t.certain for t in self.tables)

    @property
    def check_failed(self) -> bool:
        from ..core.checks import failed

        return failed(self.check_problems)


def lines_of(source: Source) -> list[Line]:
    """A source's lines as the core reads them: text (a tab separates cells), or a sheet's cells."""
    numbers = source.line_numbers or tuple(range(1, len(source.lines) + 1))
    if source.cells is not None:
        out = []
        for r, (no, row) in enumerate(zip(numbers, source.cells)):
            cells = []
            for c, cell in enumerate(row):
                if (r, c) in source.numeric:
                    # a number the workbook stores: its full stop is a decimal point, written as Norwegian
                    # tables write one so that the reader cannot take it for a thousands separator
                    cell = cell.replace(".", ",")
                cells.append(cell)
            text = "  ".join(c for c in cells if c.strip())
            out.append(Line(no, text, tuple(cells)))
        return out
    return [Line(no, text, tuple(text.split("\t")) if "\t" in text else None) for no, text in zip(numbers, source.lines)]


def import_source(path: str | os.PathLike[str], out: str | os.PathLike[str], *, hints: Hints | None = None,
                  kommune: str | None = None, dokument: str | None = None, enhet: str | None = None,
                  id: str | None = None, page: int | None = None, sheet: str | None = None,
                  force: bool = False, write: bool = True) -> ImportRun:
    """Import every table in ``path`` into the folder ``out`` (``frames/``, ``changes/``, ``tables/`` under
    it), then check what was written. Nothing is overwritten unless ``force``; with ``write=False`` nothing
    is written (the run says what would be)."""
    shown = os.fspath(path)
    run = ImportRun(shown)
    source = read_source(path, page=page, sheet=sheet)
    if isinstance(source, Problem):
        run.problems.append(source)
        return run
    run.warnings += list(source.warnings)
    lines = lines_of(source)
    name = Path(shown).name if shown != "-" else "standard input"
    meta = meta_from_text([ln.text for ln in lines], list(source.header), name)
    for key, value in (("kommune", kommune), ("dokument", dokument), ("enhet", enhet)):
        if value:
            setattr(meta, key, value)
            meta.found[key] = "the command line"
    meta.id = id
    outcome = import_tables(lines, meta, hints)
    run.tables, run.skipped = outcome.tables, outcome.skipped
    if not run.tables:
        what = "; ".join(run.skipped) if run.skipped else "no header of columns and years followed by rows of figures"
        run.problems.append(input_error(Code.INVALID, (shown, 1, 1), f"no table found to import: {what}",
                                        "copy the table with its header line (the column names and years), or "
                                        "say the columns: --kolonner 'Budsjett 2024,Økonomiplan 2025' or --år "
                                        "2024-2027"))
        return run
    _unique_ids(run.tables)
    folder = Path(out)
    targets = [(folder / f.path, f.text) for t in run.tables for f in t.files]
    in_the_way = [p for p, _ in targets if p.exists() or p.is_symlink()]
    if in_the_way and not force:
        run.problems += [input_error(Code.INVALID, (str(p), 1, 1), "the file exists; the import writes nothing "
                                     "over it", "choose another folder (-o), or give --force to replace it")
                         for p in in_the_way]
        return run
    if not write:
        return run
    from ..output import OutputError, write_file

    for target, text in targets:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, text)
        except (OSError, OutputError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            run.problems.append(input_error(Code.INVALID, (str(target), 1, 1), f"could not write it: {message}",
                                            "choose a folder you can write to"))
            return run
        run.written.append(target)
    _check(run)
    return run


def _unique_ids(tables: list[Imported]) -> None:
    """Two tables of one source may get the same id (two tables named "Drift"): the later ones get -2, -3."""
    seen: dict[str, int] = {}
    for table in tables:
        n = seen.get(table.id, 0) + 1
        seen[table.id] = n
        if n > 1:
            new = f"{table.id}-{n}"
            for f in table.files:
                f.path = f.path.replace(f"/{table.id}.yaml", f"/{new}.yaml")
                f.text = f.text.replace(f"id: {table.id}\n", f"id: {new}\n").replace(
                    f"ramme: {table.id}\n", f"ramme: {new}\n").replace(f"../changes/{table.id}.yaml",
                                                                      f"../changes/{new}.yaml")
            table.id = new


def _check(run: ImportRun) -> None:
    """``rammecalc check`` on the files written: every figure against the relations found."""
    from ..core import table as table_core
    from ..core.checks import check, published_figures
    from ..loading import load

    loaded = load([p for p in run.written])
    run.check_problems = list(loaded.problems)
    for budget in loaded.budgets:
        run.check_problems += check(budget)
        run.figures += published_figures(budget)
    for table in loaded.tables:
        references = loaded.references.get(table.file)
        run.check_problems += table_core.check(table, 0, references=references)
        run.figures += table_core.published_figures(table, references)
