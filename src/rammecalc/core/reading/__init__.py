"""Reading published tables from the text people copy out of a page (``rammecalc import``). Pure.

:func:`import_tables` takes a source's lines (text, or cells from a sheet) and returns each table found in
it as the files a person would have written (:mod:`.document`), with how sure the reading is. The steps:
:mod:`.layout` finds the tables, their headers and units; :mod:`.text` reads each line every way it can be
read; :mod:`.frames` and :mod:`.tables` find each table's structure and relations; :mod:`.solve` places the
figures where the arithmetic holds and says whether that place is the only one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .document import Imported, Meta, frame_files, table_files
from .frames import read_frame
from .layout import Block, Column, Line, find_blocks, header_like
from .tables import read_table

__all__ = ["Hints", "Imported", "Line", "Meta", "Outcome", "import_tables", "meta_from_text", "parse_years"]


@dataclass
class Hints:
    """What the user says on the command line; each overrides what the import would infer."""

    columns: list[str] | None = None  # --kolonner: the figure columns' headers
    years: list[int] | None = None  # --år: the figure columns' years
    convention: str | None = None  # --konvensjon
    amount_unit: str | None = None  # --beløpsenhet


@dataclass
class Outcome:
    tables: list[Imported] = field(default_factory=list)
    #: what was found and not imported (rows of figures without labels, say), with where
    skipped: list[str] = field(default_factory=list)


def parse_years(text: str) -> list[int]:
    """``2024-2027`` or ``2024,2025,2026`` → the years; raises ``ValueError`` with a message."""
    text = text.strip()
    m = re.fullmatch(r"((?:19|20)\d\d)\s*(?:-|–|\.\.)\s*((?:19|20)\d\d)", text)
    if m:
        first, last = int(m[1]), int(m[2])
        if last < first or last - first > 30:
            raise ValueError(f"'{text}': the years run backwards or span more than 30 years")
        return list(range(first, last + 1))
    parts = [p for p in re.split(r"[,;\s]+", text) if p]
    if parts and all(re.fullmatch(r"(19|20)\d\d", p) for p in parts):
        return [int(p) for p in parts]
    raise ValueError(f"'{text}' is not a range of years; write 2024-2027 or 2024,2025,2026")


_KOMMUNE = re.compile(r"\b([A-ZÆØÅ][a-zæøå]+(?:-[A-ZÆØÅ][a-zæøå]+)?) kommune\b")
_HOST = re.compile(r"https?://[\w.-]*?\b([a-zæøå-]+)\.kommune\.no", re.IGNORECASE)
_DOCUMENT = re.compile(r"^(handlings|økonomiplan|budsjett|årsbudsjett|vedtatt|årsrapport|årsmelding|årsberetning|"
                       r"rådmannens|kommunedirektørens).{0,80}(19|20)\d\d", re.IGNORECASE)


def meta_from_text(lines: list[str], header: list[str], source: str) -> Meta:
    """What a source says about itself: a shared table's ``# Source:`` lines, else the words of the text (the
    municipality named most, the document named in a title line, a web address)."""
    meta = Meta(source)
    for line in header:
        m = re.match(r"#\s*(Source|Municipality|Unit|Document):\s*(.+)$", line)
        if not m:
            continue
        key, value = m[1], m[2].strip()
        if key == "Source" and re.match(r"https?://", value):
            meta.adresse = value.split()[0]
            meta.found["adresse"] = "the header's Source line"
        elif key == "Municipality":
            meta.kommune = re.sub(r"\s*\(.*\)$", "", value)
            meta.found["kommune"] = "the header's Municipality line"
        elif key == "Unit" and value[:1].isupper():  # (a description, "whole municipality", is not a name)
            meta.enhet = re.sub(r"\s*\(.*$", "", value).strip()
            meta.found["enhet"] = "the header's Unit line"
        elif key == "Document":
            value = re.split(r",\s*(?:table|section|\")", value)[0]
            meta.dokument = re.sub(r"\s*\([^)]*\)", "", value).strip()
            meta.found["dokument"] = "the header's Document line"
    text = "\n".join(lines)
    if meta.kommune is None:
        names = Counter(m[1] for m in _KOMMUNE.finditer(text))
        hosts = Counter(m[1].capitalize() for m in _HOST.finditer(text))
        if names:
            name, _ = names.most_common(1)[0]
            meta.kommune, meta.found["kommune"] = f"{name} kommune", f"'{name} kommune' in the text"
        elif hosts:
            name, _ = hosts.most_common(1)[0]
            meta.kommune, meta.found["kommune"] = f"{name} kommune", "the web address in the text"
    if meta.adresse is None:
        m = re.search(r"https?://\S+", text)
        if m:
            meta.adresse, meta.found["adresse"] = m[0].rstrip(".,)"), "a web address in the text"
    if meta.dokument is None:
        for line in lines[:15]:
            numbers = re.findall(r"\d+", line)
            if _DOCUMENT.match(line.strip()) and len(line) < 120 and "\t" not in line and not header_like(line) and all(
                    re.fullmatch(r"(19|20)\d\d", n) for n in numbers):  # (a title, not a row of figures)
                meta.dokument, meta.found["dokument"] = line.strip(), "a title line of the text"
                break
    return meta


def _apply_hints(block: Block, hints: Hints) -> list[str]:
    """The hints, over what the header gave; the notes say what the user set."""
    notes = []
    if hints.columns:
        cols = [Column(label) for label in hints.columns]
        for col, old in zip(cols, block.columns):
            col.year, col.role, col.kind = old.year, old.role, old.kind
        for col in cols:
            m = re.search(r"\b((?:19|20)\d\d)\b", col.label)
            if m:
                col.year = int(m[1])
        block.columns = cols
        notes.append("columns: as given by --kolonner")
    if hints.years:
        if not block.columns:
            block.columns = [Column(str(y), y) for y in hints.years]
        amount = [c for c in block.columns if c.kind == "amount"]
        for col, year in zip(amount, hints.years):
            col.year = year
        notes.append("years: as given by --år")
    if hints.amount_unit:
        block.unit, block.unit_text = hints.amount_unit, "--beløpsenhet"
    return notes


def _blocks_without_header(lines: list[Line], hints: Hints) -> list[Block]:
    """With --kolonner or --år, a text with no header line: its run of rows is the table."""
    from .layout import _has_row_figures

    rows = [ln for ln in lines if ln.text.strip() and (_has_row_figures(ln.text) or ln.cells)]
    if not rows:
        return []
    first = lines.index(rows[0])
    last = lines.index(rows[-1])
    span = [ln for ln in lines[first:last + 1] if ln.text.strip()]
    labels = hints.columns or [str(y) for y in hints.years or []]
    return [Block(None, hints.amount_unit, None, None, [Column(label) for label in labels], [], span)]


def _read_block(block: Block, meta: Meta, unit: str, inferred: list[str], hints: Hints) -> Imported | None:
    """One table read and written. Where a full stop between digits could group thousands (87.863) or mark
    decimals (1.500 as one and a half), both readings are tried: the one under which the table adds up is
    kept, and if both do (every figure scaled alike) the table is written as thousands and said to be in
    doubt, with both readings."""
    modes = ["thousands", "decimal"] if block.dot == "ambiguous" else [block.dot]
    results = []
    for mode in modes:
        block.dot = mode
        frame = read_frame(block, convention=hints.convention)
        if frame is not None:
            results.append((mode, frame.solutions > 0, lambda f=frame, m=mode: frame_files(
                f, meta, unit, inferred + _dot_note(m, modes)), frame.solutions == 1 and not frame.uncertain))
            continue
        table = read_table(block)
        if table is not None:
            results.append((mode, table.solutions > 0, lambda t=table, m=mode: table_files(
                t, meta, unit, inferred + _dot_note(m, modes)), table.solutions == 1 and not table.uncertain))
    block.dot = modes[0]
    if not results:
        return None
    adding = [r for r in results if r[1]]
    if len(results) > 1 and len(adding) == 1:
        return adding[0][2]()
    imported = results[0][2]()
    if len(results) > 1:
        imported.certain = False
        imported.uncertain.append((block.rows[0].no, "the whole table", "a full stop between digits (1.500) may "
                                   "group thousands (1 500) or mark decimals (1,5); "
                                   + ("both readings add up" if len(adding) > 1 else "neither reading adds up")
                                   + ": read as thousands; say which with the caption's unit"))
    return imported


def _dot_note(mode: str, modes: list[str]) -> list[str]:
    if len(modes) == 1:
        return []
    return [(f"a full stop between digits read as {'a thousands separator' if mode == 'thousands' else 'a decimal point'}"
            ": the other reading does not add up")]


def import_tables(lines: list[Line], meta: Meta, hints: Hints | None = None) -> Outcome:
    """Every table in the source's ``lines``, read and written (see the module)."""
    hints = hints or Hints()
    outcome = Outcome()
    blocks, notes = find_blocks(lines)
    outcome.skipped += notes
    if not blocks and (hints.columns or hints.years):
        blocks = _blocks_without_header(lines, hints)
    multiple = len(blocks) > 1
    for number, block in enumerate(blocks, start=1):
        inferred = _apply_hints(block, hints)
        where = f"lines {block.rows[0].no}–{block.rows[-1].no}" if block.rows else "(no rows)"
        if not block.columns:
            outcome.skipped.append(f"{where}: rows of figures without a header naming their columns (give "
                                   "--kolonner or --år)")
            continue
        head = ", ".join(c.label for c in block.columns)
        inferred.insert(0, f"columns: {head}" + (f", from the header on line {block.header_lines[0]}"
                                                 + (f"–{block.header_lines[-1]}" if len(block.header_lines) > 1 else "")
                                                 if block.header_lines else ""))
        unit = block.unit
        if unit is None:
            unit = "1 000 kr"
            inferred.append("beløpsenhet: NOT STATED in the source near the table; 1 000 kr assumed (say "
                            "--beløpsenhet)")
        else:
            inferred.append(f"beløpsenhet: {unit}, from {block.unit_text!r}")
        for key in ("kommune", "dokument", "adresse", "enhet"):
            if key in meta.found:
                inferred.append(f"{key}: from {meta.found[key]}")
        if meta.kommune is None:
            inferred.append("kommune: not found in the source: written as 'ukjent' (say --kommune)")
        table_meta = meta
        if multiple and meta.id:
            table_meta = Meta(**{**meta.__dict__, "id": f"{meta.id}-{number}"})
        imported = _read_block(block, table_meta, unit, inferred, hints)
        if imported is None:
            outcome.skipped.append(f"{where}: a table whose rows have no labels (figures only): not imported")
            continue
        outcome.tables.append(imported)
    # ids unique across the tables of one source
    seen: Counter[str] = Counter()
    for imported in outcome.tables:
        seen[imported.id] += 1
    return outcome
