"""Any source of a published table into one neutral form: lines of text, and for a grid its cells.

``read_source`` reads what a user has at hand when a table is published:

- text (a ``.txt`` file, or ``-`` for standard input): what a PDF viewer or a browser copies. UTF-8 (with
  or without a BOM; UTF-16 with a BOM, as Excel's "Unicode text" saves), else Windows-1252, said in a
  warning. Line ends are normalised; every other character is kept as it is (no-break spaces, U+2212 minus,
  en dashes: the core reads them). One of the project's shared tables (a header of ``#`` lines ending in a
  line that holds ``RAW TEXT BELOW``) is read from below that line; a text without such a header is whole.
- CSV (``.csv``, ``.tsv``): the "last ned tabelldata" downloads and Excel's CSV, ``;``, ``,`` or tab
  between cells (found from the text: the one that splits the most rows into the same number of cells;
  a first line ``sep=;`` says it outright), cells quoted or not. Cells are kept as written: ``1 234,5``
  stays ``1 234,5``, for the core to parse.
- xlsx (:mod:`.spreadsheet`): the values Excel computed, each cell as text (see there for numbers, per
  cents and dates); merged cells blank except their top-left.
- PDF (:mod:`.pdfpage`, the ``pdf`` extra): one page's words, laid out in rows and columns.

Which kind a file is comes from its first bytes where they say it (``%PDF-``, a zip archive: xlsx), else
from its name (``.csv``, ``.tsv``), else text. Every failure is a :class:`~rammecalc.core.problems.Problem`
returned, never raised: a missing file, a folder, a FIFO, a file over 32 MB
(:func:`rammecalc.loading.files.read_file` refuses those before a byte is read), text in neither encoding,
a broken workbook, a page or sheet that does not exist.

Positions: ``Source.line_numbers[i]`` is where ``lines[i]`` (and ``cells[i]``) stands in the source: the
file's line for text and CSV (a CSV record's first line), the sheet's row number for xlsx (row 1 is
``cells[0]``: leading blank rows and columns are kept, so ``cells[r][c]`` is the sheet's row ``r + 1`` and
column ``c + 1``), the row's number from the top for a PDF page. A problem the core finds at a line can so
be told at ``file:line``.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..core.problems import Code, Problem, Severity, input_error

KINDS = ("text", "csv", "xlsx", "pdf")

#: The marker line that ends the header of the project's shared tables (``../shared/tables/*.txt``).
RAW_MARKER = "RAW TEXT BELOW"

#: Lines of a CSV read to find its separator (the whole file is read with the one found).
_SNIFF_LINES = 200

#: The separators a CSV may use, in the order a tie is settled: a ``;`` or a tab rarely stands inside a
#: cell, a ``,`` often does (``1,5``), so ``a;1,5;2,5`` is three cells split by ``;``.
_SEPARATORS = (";", "\t", ",")

#: Python's csv refuses a cell longer than its field limit (128 KiB); a table's cell never is.
_CSV_FIELD_LIMIT = 1 << 20

#: The largest grid read (rows × columns, blank cells included): tables have hundreds of cells; past this a
#: sheet is not a table (or is a zip bomb) and is refused rather than read for minutes.
MAX_CELLS = 2_000_000


@dataclass(frozen=True)
class Source:
    """A published table in the neutral form the core reads.

    ``lines`` is the text line by line; for a grid, each row's cells joined by a tab (a line break or tab
    inside a cell becomes a space there, so that a row stays one line; ``cells`` keeps the cell as it is).
    ``cells`` is a grid's rows, all of one width, ``""`` for a blank cell; ``None`` for text.

    ``sheet`` is the xlsx sheet read, or ``"page N"`` for a PDF. ``line_numbers`` gives each line's place in
    the source (see the module's docstring). ``numeric`` holds the ``(row, column)`` of the cells (0-based, in
    ``cells``) that an xlsx stores as numbers: their text is the exact number in plain decimal form (``.``
    before decimals, ``-`` for minus, no grouping: ``9864``, ``-127``, ``1.4``; a cell formatted as per cent
    is the number times 100 and `` %``: ``8.1 %``), so ``87.863`` there is 87,863, never 87 863. Every other
    cell is text as written. ``warnings`` are problems of severity warning met while reading (text read as
    Windows-1252, a workbook's cells that show fewer decimals than they hold, …): the source is usable, and
    the reader should be told.
    """

    name: str
    kind: str
    lines: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...] | None
    sheet: str | None = None
    line_numbers: tuple[int, ...] = ()
    numeric: frozenset[tuple[int, int]] = frozenset()
    warnings: tuple[Problem, ...] = ()
    #: A shared table's header lines (``# Source: …``, ``# Municipality: …``), left out of ``lines``.
    header: tuple[str, ...] = ()


def read_source(path: str | os.PathLike[str], *, page: int | None = None,
                sheet: str | None = None) -> Source | Problem:
    """The table in ``path`` (``"-"``: standard input) as a :class:`Source`, or the problem that stops it.

    ``page`` (1-based) chooses a PDF's page (needed when it has more than one); ``sheet`` an xlsx sheet by
    name (its exact name, else the one name that matches regardless of case; without it, the first). Each is
    refused for a source of another kind.
    """
    path = os.fspath(path)
    name = path
    if path == "-":
        raw = _read_stdin()
    else:
        from ..loading.files import read_file

        raw = read_file(Path(path), name)
    if isinstance(raw, Problem):
        return raw
    kind = _kind(path, raw)
    if isinstance(kind, Problem):
        return kind
    if page is not None and kind != "pdf":
        return input_error(Code.INVALID, (name, 0, 0), f"a page ({page}) was given, but this is {_a(kind)}, "
                           "not a PDF", "give a page only for a PDF")
    if sheet is not None and kind != "xlsx":
        return input_error(Code.INVALID, (name, 0, 0), f"a sheet ({sheet!r}) was given, but this is {_a(kind)}, "
                           "not an xlsx workbook", "give a sheet only for an xlsx workbook")
    if kind == "xlsx":
        from .spreadsheet import read_xlsx

        return read_xlsx(raw, name, sheet)
    if kind == "pdf":
        from .pdfpage import read_pdf

        return read_pdf(raw, name, page)
    if kind == "csv":
        return read_csv_bytes(raw, name, tab=path.lower().endswith(".tsv"))
    return read_text_bytes(raw, name)


def _a(kind: str) -> str:
    return {"text": "a text", "csv": "a CSV file", "xlsx": "an xlsx workbook", "pdf": "a PDF"}[kind]


def _read_stdin() -> bytes | Problem:
    from ..loading.files import MAX_FILE_BYTES, _too_large

    stream = sys.stdin
    if stream is None or not hasattr(stream, "buffer"):
        return input_error(Code.UNREADABLE, ("-", 0, 0), "there is no standard input to read",
                           "pipe the table in, or name its file")
    try:
        if stream.isatty():
            return input_error(Code.UNREADABLE, ("-", 0, 0), "standard input is a terminal, not a table",
                               "pipe the table in (for example from the clipboard), or name its file")
        raw = stream.buffer.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return input_error(Code.UNREADABLE, ("-", 0, 0), f"cannot read standard input: {exc.strerror or exc}",
                           "pipe the table in, or name its file")
    if len(raw) > MAX_FILE_BYTES:
        return _too_large("-", len(raw))
    return raw


def _kind(path: str, raw: bytes) -> str | Problem:
    """What a source is: its first bytes where they tell (a PDF, a zip archive), else its name."""
    suffix = os.path.splitext(path)[1].lower()
    if raw.startswith(b"%PDF-"):
        return "pdf"
    if raw.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        return "xlsx"  # a zip that is no workbook, or a .xlsx that is no zip, is refused there
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return input_error(Code.UNREADABLE, (path, 0, 0),
                           "an old Excel 97–2003 workbook (.xls) or another Office file, which rammecalc does not "
                           "read", "save it as .xlsx (or CSV) in Excel or LibreOffice, and import that")
    if suffix == ".pdf":
        return "pdf"  # a .pdf that does not start like one is refused there
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "text"


# --- text ------------------------------------------------------------------------------------------------


def _where(raw: bytes, offset: int) -> tuple[int, int]:
    """The line and column (1-based, in bytes) of a byte offset."""
    before = raw[:offset]
    line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
    start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
    return line, offset - start + 1


def decode(raw: bytes, name: str) -> tuple[str, tuple[Problem, ...]] | Problem:
    """Bytes → text: UTF-8 (a BOM dropped), UTF-16 with a BOM, else Windows-1252 with a warning that says
    so; the problem if none fits, or if the text holds NUL bytes (a binary file, not text)."""
    warnings: tuple[Problem, ...] = ()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            return input_error(Code.NOT_UTF8, (name, 0, 0),
                               f"starts as UTF-16 text but is not (bytes at {exc.start} cannot be decoded)",
                               "save the file again as UTF-8 text")
    elif raw.startswith(codecs.BOM_UTF8):
        try:
            text = raw[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            return input_error(Code.NOT_UTF8, (name, *_where(raw, exc.start + 3)),
                               f"starts as UTF-8 text (a BOM) but is not: byte 0x{raw[exc.start + 3]:02x} cannot "
                               "be decoded", "save the file again as UTF-8 text")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as utf8:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError as exc:
                return input_error(Code.NOT_UTF8, (name, *_where(raw, exc.start)),
                                   f"neither UTF-8 nor Windows-1252 text: byte 0x{raw[exc.start]:02x} is neither",
                                   "save the file as UTF-8 text; most editors offer it under 'Save as' or "
                                   "'Encoding'")
            line, col = _where(raw, utf8.start)
            sample = raw[utf8.start:utf8.start + 1].decode("cp1252")
            warnings = (Problem(Code.NOT_UTF8, Severity.WARNING, name, line, col,
                                f"not UTF-8 text (byte 0x{raw[utf8.start]:02x}); read as Windows-1252, where that "
                                f"byte is {sample!r}", "check that æ, ø and å read right, or save the file as "
                                "UTF-8"),)
    nul = text.find("\x00")
    if nul >= 0:
        before = text[:nul]
        line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
        col = nul - max(before.rfind("\n"), before.rfind("\r"))
        return input_error(Code.UNREADABLE, (name, line, col), "holds NUL bytes: a binary file, not text",
                           "name the table's text, CSV, xlsx or PDF file")
    return text, warnings


def split_lines(text: str) -> list[str]:
    """Lines by ``\\n``, ``\\r\\n`` or ``\\r``; a final line end ends the last line (no empty line after it).
    Only these break a line: a form feed or U+2028 inside a line is kept, as every other character is."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def header_length(lines: list[str]) -> int:
    """How many lines a shared table's header takes (its ``#`` lines up to and with the one that holds
    ``RAW TEXT BELOW``); 0 for a text without such a header, which is read whole."""
    for index, line in enumerate(lines):
        if not line.startswith("#"):
            return 0
        if RAW_MARKER in line:
            return index + 1
    return 0


def read_text_bytes(raw: bytes, name: str) -> Source | Problem:
    """Text bytes (a file's, or standard input's) → a text :class:`Source`."""
    decoded = decode(raw, name)
    if isinstance(decoded, Problem):
        return decoded
    text, warnings = decoded
    lines = split_lines(text)
    skip = header_length(lines)
    kept = lines[skip:]
    if not any(line.strip() for line in kept):
        what = f"nothing below its '{RAW_MARKER}' line" if skip else "no text"
        return input_error(Code.EMPTY, (name, skip + 1 if skip else 1, 1), f"the file holds {what}",
                           "copy the table's text into it")
    return Source(name, "text", tuple(kept), None, line_numbers=tuple(range(skip + 1, len(lines) + 1)),
                  warnings=warnings, header=tuple(lines[:skip]))


# --- CSV -------------------------------------------------------------------------------------------------


def separator(sample: str) -> str:
    """The separator of a CSV: the one that splits the most (non-blank) rows into one and the same number
    of cells, two or more; ties go to ``;``, then tab, then ``,`` (see :data:`_SEPARATORS`)."""
    best, best_score = _SEPARATORS[0], 0
    for candidate in _SEPARATORS:
        counts = Counter(len(row) for row in csv.reader(io.StringIO(sample), delimiter=candidate)
                         if any(cell.strip() for cell in row))
        score = max((n for width, n in counts.items() if width >= 2), default=0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def read_csv_bytes(raw: bytes, name: str, *, tab: bool = False) -> Source | Problem:
    """CSV bytes → a grid :class:`Source`, every cell as written."""
    decoded = decode(raw, name)
    if isinstance(decoded, Problem):
        return decoded
    text, warnings = decoded
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    skipped = 0
    if first.lower().startswith("sep=") and len(first) == 5:  # Excel's own hint: 'sep=;' as the first line
        sep, text, skipped = first[4], ("" if first_end < 0 else text[first_end + 1:]), 1
    elif tab:
        sep = "\t"
    else:
        sample = "\n".join(text.split("\n", _SNIFF_LINES)[:_SNIFF_LINES])
        sep = separator(sample)
    rows: list[list[str]] = []
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', doublequote=True, strict=False)
    limit = csv.field_size_limit()
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        previous = 0
        for row in reader:
            rows.append(row)
            starts.append(previous + 1 + skipped)
            previous = reader.line_num
    except csv.Error as exc:
        return input_error(Code.UNREADABLE, (name, reader.line_num + skipped, 1), f"cannot be read as CSV: {exc}",
                           "check the file: is this the table's CSV download?")
    finally:
        csv.field_size_limit(limit)
    grid = make_grid(rows)
    if isinstance(grid, str):
        return input_error(Code.UNREADABLE, (name, 0, 0), grid, "is this the table's CSV download?")
    if not grid:
        return input_error(Code.EMPTY, (name, 1, 1), "the file holds no cells", "download the table again")
    return Source(name, "csv", grid_lines(grid), grid, line_numbers=tuple(starts[:len(grid)]), warnings=warnings)


# --- grids -----------------------------------------------------------------------------------------------


def make_grid(rows: list[list[str]] | list[tuple[str, ...]]) -> tuple[tuple[str, ...], ...] | str:
    """Rows of cell texts → a rectangular grid: trailing blank rows and columns dropped, short rows padded
    with ``""``; leading blank rows and columns kept (positions stay the source's). A grid larger than
    :data:`MAX_CELLS` is said as text."""
    last_row = -1
    width = 0
    for index, row in enumerate(rows):
        used = len(row)
        while used and row[used - 1] == "":
            used -= 1
        if used:
            last_row = index
            width = max(width, used)
    if (last_row + 1) * width > MAX_CELLS:
        return (f"the table has {last_row + 1} rows of {width} cells, more than the {MAX_CELLS:,} cells rammecalc "
                "reads").replace(",", " ")
    return tuple(tuple(row[:width]) + ("",) * (width - len(row[:width])) for row in rows[:last_row + 1])


def grid_lines(grid: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """Each row's cells joined by a tab; a tab or line break inside a cell becomes a space."""
    def flat(cell: str) -> str:
        if "\t" in cell or "\n" in cell or "\r" in cell:
            return cell.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")
        return cell
    return tuple("\t".join(flat(cell) for cell in row) for row in grid)
