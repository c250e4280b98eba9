"""An xlsx sheet into a grid of cell texts, with openpyxl (imported here only: it costs start-up time).

The values are the ones Excel computed and saved (``data_only``), not the formulas. Each cell becomes text:

- text as written; a blank cell ``""``; ``TRUE`` and ``FALSE`` for truth values; an error as Excel shows it
  (``#DIV/0!``).
- a number as its exact decimal text: an integer as its digits (``9864``), any other number as the shortest
  text that is that double (``1.4``, never ``1.3999999999999999``), cut to Excel's own 15 significant digits
  (a sum saved as ``1234.3000000000002`` is Excel's ``1234.3``); ``.`` before decimals, ``-`` for minus, no
  grouping, no exponent. The cell is then in ``Source.numeric``: the core reads it as that number, never as
  Norwegian ``87.863`` (87 863).
- a number formatted as per cent (its format holds ``%``): the number times 100, exactly, and `` %``: 0.081
  shown as 8,1 % is ``8.1 %``. The page prints a per cent, and the core reads per cents as the files do
  (``parse_rate`` takes ``8.1 %``); ``0.081`` would hide that it is one.
- a date as ISO text (``2024-01-31``; with its time, ``2024-01-31T12:30:00``), a time ``12:30:00``.

A number is kept as stored even where its format shows fewer decimals (9864.372 shown as 9 864), or shows it
in thousands (the format ``# ##0,``): the stored figure is exact and the rounding is the reading's to judge.
Each such cell is named in one warning (``input-too-many-decimals``), so that a reading that differs from
the printed table by the rounding is never a surprise.

Merged cells are blank except their top-left, as Excel shows them (a program may have left text in the
cells a merge covers). Trailing blank rows and columns are dropped; leading ones are kept, so ``cells[r][c]``
is the sheet's row ``r + 1``, column ``c + 1``.

Hidden rows and columns are read like the others (their figures may be in the printed sums), and a warning
names those that hold something: the printed table leaves them out.

A formula saved without its value (a workbook written by a program and never opened in Excel) reads as
blank in ``data_only``: when no formula in the sheet has a value, the sheet is refused; when some have none,
a warning names them.

The sheet's XML is read once more, with the standard library's streaming parser, for what openpyxl's
read-only mode does not give: the merged ranges, the hidden rows and columns, and which formulas have no
saved value.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings as pywarnings
from decimal import ROUND_HALF_EVEN, Decimal

from ..core.problems import Code, Problem, Severity, input_error
from .sources import MAX_CELLS, Source, grid_lines, make_grid

#: Excel keeps 15 significant digits; a double's 16th and 17th are the binary's noise.
EXCEL_DIGITS = 15

#: The last row Excel has: a sheet that goes on past it is no Excel sheet.
EXCEL_MAX_ROW = 1_048_576

#: The last column Excel has (XFD).
EXCEL_MAX_COLUMN = 16_384

#: How many cells a warning names before it says "and N more".
_NAMED = 5

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def read_xlsx(raw: bytes, name: str, sheet: str | None) -> Source | Problem:
    """An xlsx workbook's bytes → the grid of one sheet (the first, or the one named)."""
    at = (name, 0, 0)
    if not raw.startswith(b"PK\x03\x04"):
        return input_error(Code.UNREADABLE, at, "not an xlsx workbook (an xlsx file is a zip archive; this is not)",
                           "check that this is the table's xlsx download; a CSV or text file is read by its name "
                           "(.csv, .txt)")
    try:
        import openpyxl
        from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
    except ImportError:  # a dependency of rammecalc: only a broken installation lacks it
        return input_error(Code.UNREADABLE, at, "reading an xlsx workbook needs openpyxl, which is not installed",
                           "pip install openpyxl (or reinstall rammecalc)")
    with pywarnings.catch_warnings():
        pywarnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it skips: not ours to say
        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - a zip that is no workbook, a broken archive: of many kinds
            return input_error(Code.UNREADABLE, at, f"not a readable xlsx workbook ({_said(exc)})",
                               "open it in Excel or LibreOffice and save it as .xlsx again, or download the table "
                               "as CSV")
        try:
            return _read_sheet(book, name, sheet, coordinate_to_tuple, range_boundaries)
        except Exception as exc:  # noqa: BLE001 - the sheet's XML broken half-way: openpyxl's and the parser's errors
            return input_error(Code.UNREADABLE, at, f"the workbook's sheet cannot be read ({_said(exc)})",
                               "open it in Excel or LibreOffice and save it as .xlsx again, or download the table "
                               "as CSV")
        finally:
            book.close()


def _said(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _read_sheet(book, name: str, wanted: str | None, coordinate_to_tuple,
                range_boundaries) -> Source | Problem:
    sheets = book.worksheets
    if not sheets:
        return input_error(Code.EMPTY, (name, 0, 0), "the workbook has no sheet of cells",
                           "download the table again")
    if wanted is None:
        sheet = sheets[0]
    else:
        sheet = next((s for s in sheets if s.title == wanted), None) or next(
            (s for s in sheets if s.title.casefold() == wanted.casefold()), None)
        if sheet is None:
            names = ", ".join(repr(s.title) for s in sheets)
            return input_error(Code.NOT_FOUND, (name, 0, 0), f"the workbook has no sheet {wanted!r}; its sheets "
                               f"are {names}", "name one of these sheets")
    where = (name, 0, 0)
    sheet.reset_dimensions()  # the <dimension> a program writes may be wrong: read every row there is
    rows: list[list[str]] = []
    numeric: set[tuple[int, int]] = set()
    rounded: list[tuple[int, int, str, str]] = []  # (row, col, stored, how it is shown otherwise)
    width = 0
    for r, row in enumerate(sheet.iter_rows(max_row=EXCEL_MAX_ROW)):
        texts = []
        for c, cell in enumerate(row):
            value = cell.value
            if value is None:
                texts.append("")
                continue
            text, is_number = cell_text(value, getattr(cell, "number_format", None) or "General")
            texts.append(text)
            if is_number:
                numeric.add((r, c))
                why = shown_differently(value, cell.number_format or "General")
                if why:
                    rounded.append((r, c, text, why))
        while texts and texts[-1] == "":
            texts.pop()
        width = max(width, len(texts))
        if width * (r + 1) > MAX_CELLS and texts:
            return input_error(Code.UNREADABLE, where, f"the sheet {sheet.title!r} reaches row {r + 1} and column "
                               f"{width}, more than the {MAX_CELLS:,} cells rammecalc reads".replace(",", " "),
                               "copy the table into a sheet of its own, or download it as CSV")
        rows.append(texts)
    merges, formulas, uncached, hidden_rows, hidden_cols = _scan(sheet, coordinate_to_tuple, range_boundaries)
    if formulas and len(uncached) == formulas:
        return input_error(Code.UNREADABLE, where,
                           f"the sheet {sheet.title!r} holds {formulas} formula{'s' if formulas > 1 else ''} but no "
                           "computed value: it was written by a program and never calculated",
                           "open it in Excel or LibreOffice and save it (that computes the values), or download the "
                           "table as CSV")
    for top, left, bottom, right in merges:
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            cells = rows[r]
            for c in range(left, min(right, len(cells) - 1) + 1):
                if (r, c) != (top, left):
                    cells[c] = ""
                    numeric.discard((r, c))
    grid = make_grid(rows)
    if isinstance(grid, str):  # (not reached: checked row by row above)
        return input_error(Code.UNREADABLE, where, grid, "copy the table into a sheet of its own")
    if not grid:
        return input_error(Code.EMPTY, where, f"the sheet {sheet.title!r} is empty",
                           "name the sheet that holds the table" if len(book.worksheets) > 1
                           else "download the table again")
    warnings: list[Problem] = []
    if uncached:
        many = len(uncached) > 1
        warnings.append(Problem(Code.UNREADABLE, Severity.WARNING, name, uncached[0][0] + 1, uncached[0][1] + 1,
                                f"{len(uncached)} formula cell{'s' if many else ''} in {sheet.title!r} "
                                f"{'have' if many else 'has'} no saved value and read as blank: "
                                f"{_listed([_coordinate(r, c) for r, c in uncached])}",
                                "open the workbook in Excel or LibreOffice and save it"))
    hidden_rows = [r for r in hidden_rows if r < len(grid) and any(grid[r])]
    hidden_cols = [c for c in hidden_cols if c < len(grid[0]) and any(row[c] for row in grid)]
    if hidden_rows or hidden_cols:
        parts = []
        if hidden_rows:
            parts.append(f"row{'s' if len(hidden_rows) > 1 else ''} {_listed([str(r + 1) for r in hidden_rows])}")
        if hidden_cols:
            parts.append(f"column{'s' if len(hidden_cols) > 1 else ''} "
                         f"{_listed([_coordinate(0, c)[:-1] for c in hidden_cols])}")
        first = (hidden_rows[0] + 1, 1) if hidden_rows else (1, hidden_cols[0] + 1)
        verb = "are" if len(hidden_rows) + len(hidden_cols) > 1 else "is"
        warnings.append(Problem(Code.UNREADABLE, Severity.WARNING, name, *first,
                                f"{' and '.join(parts)} of {sheet.title!r} {verb} hidden in the workbook; read all "
                                "the same", "the printed table leaves them out, though its sums may count them"))
    if rounded:
        named = _listed([f"{_coordinate(r, c)} holds {text} ({why})" for r, c, text, why in rounded])
        many = len(rounded) > 1
        warnings.append(Problem(Code.TOO_MANY_DECIMALS, Severity.WARNING, name, rounded[0][0] + 1,
                                rounded[0][1] + 1, f"{len(rounded)} cell{'s' if many else ''} in {sheet.title!r} "
                                f"{'show their' if many else 'shows its'} number otherwise than stored; read as "
                                f"stored: {named}",
                                "the printed table shows these rounded: expect differences of a rounding"))
    numeric = {(r, c) for r, c in numeric if r < len(grid) and c < len(grid[0])}
    return Source(name, "xlsx", grid_lines(grid), grid, sheet=sheet.title,
                  line_numbers=tuple(range(1, len(grid) + 1)), numeric=frozenset(numeric),
                  warnings=tuple(warnings))


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_NAMED])
    return shown + (f" and {len(names) - _NAMED} more" if len(names) > _NAMED else "")


def _coordinate(row: int, col: int) -> str:
    """0-based row and column → Excel's name of the cell (``B5``)."""
    letters = ""
    n = col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _scan(sheet, coordinate_to_tuple, range_boundaries) -> tuple[list[tuple[int, int, int, int]], int,
                                                                  list[tuple[int, int]], list[int], list[int]]:
    """The sheet's merged ranges (0-based top, left, bottom, right), how many formulas it holds, the
    (0-based) cells whose formula has no saved value, and its hidden rows and columns (0-based), read from
    its XML as a stream.

    A formula's value is saved in ``<v>``; one that gives text, even empty text, is typed ``t="str"``. A
    formula with no ``<v>``, or an empty one that is not text, was never computed (openpyxl writes
    ``<v />``)."""
    from xml.etree.ElementTree import iterparse

    merges: list[tuple[int, int, int, int]] = []
    uncached: list[tuple[int, int]] = []
    formulas = 0
    hidden_rows: list[int] = []
    hidden_cols: list[int] = []
    source = sheet._get_source()  # openpyxl's read-only sheet: its part of the archive, as a stream
    try:
        for _event, element in iterparse(source, events=("end",)):
            tag = element.tag.rpartition("}")[2]
            if tag == "c":
                formula = value = None
                for child in element:
                    part = child.tag.rpartition("}")[2]
                    if part == "f":
                        formula = child
                    elif part == "v":
                        value = child
                if formula is not None:
                    formulas += 1
                    if value is None or (not value.text and element.get("t", "n") not in ("str", "s", "inlineStr",
                                                                                          "e")):
                        coordinate = element.get("r")
                        if coordinate:
                            row, col = coordinate_to_tuple(coordinate)
                            uncached.append((row - 1, col - 1))
                        else:
                            uncached.append((0, 0))
                element.clear()
            elif tag == "row":
                if element.get("hidden") in ("1", "true") and (element.get("r") or "").isdigit():
                    hidden_rows.append(int(element.get("r")) - 1)
                element.clear()
            elif tag == "col":
                first, last = element.get("min", ""), element.get("max", "")
                if element.get("hidden") in ("1", "true") and first.isdigit() and last.isdigit() and int(first):
                    hidden_cols.extend(range(int(first) - 1, min(int(last), EXCEL_MAX_COLUMN)))
            elif tag == "mergeCell":
                ref = element.get("ref")
                if ref and ":" in ref:
                    left, top, right, bottom = range_boundaries(ref)
                    merges.append((top - 1, left - 1, bottom - 1, right - 1))
    finally:
        source.close()
    return merges, formulas, uncached, hidden_rows, hidden_cols


# --- a cell's text ---------------------------------------------------------------------------------------


def cell_text(value: object, number_format: str = "General") -> tuple[str, bool]:
    """A cell's value → its text, and whether it is a number (see the module's docstring)."""
    if isinstance(value, str):
        return value, False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, (int, float, Decimal)):
        number = exact(value)
        if is_percent(number_format):
            return f"{plain(number * 100)} %", True
        return plain(number), True
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat(), False
        return value.isoformat(timespec="seconds" if not value.microsecond else "auto"), False
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat(), False
    if isinstance(value, datetime.timedelta):  # a duration ([h]:mm): hours, minutes, seconds
        seconds = int(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}", False
    return str(value), False


def exact(value: float | Decimal) -> Decimal:
    """A stored number as the decimal it is: a double by its shortest round-trip text, cut to Excel's 15
    significant digits."""
    if isinstance(value, int):
        return Decimal(value)
    number = Decimal(repr(value)) if isinstance(value, float) else value
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    digits = len(number.as_tuple().digits)
    if digits > EXCEL_DIGITS and number:
        number = number.quantize(Decimal(1).scaleb(number.adjusted() - EXCEL_DIGITS + 1), rounding=ROUND_HALF_EVEN)
    return number


def plain(number: Decimal) -> str:
    """A decimal as plain text: no exponent, no trailing zeros after the point, ``0`` never ``-0``."""
    if not number:
        return "0"
    text = format(number.normalize(), "f")
    return text


def _format_section(number_format: str) -> str:
    """The part of a number format for positive numbers, its quoted texts, escapes, colours and fills out."""
    return _QUOTED.sub("", number_format.split(";")[0])


def is_percent(number_format: str) -> bool:
    return "%" in _format_section(number_format)


def shown_differently(value: object, number_format: str) -> str | None:
    """How a number's format shows it otherwise than it is stored (fewer decimals; in thousands or
    millions), in words; ``None`` if it shows the number as it is (or the format is ``General``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    section = _format_section(number_format)
    if number_format.strip().lower() in ("general", "") or not re.search(r"[0#?]", section):
        return None
    number = exact(value) * (100 if "%" in section else 1)
    last = max(section.rfind(ch) for ch in "0#?")
    scale = len(section[last + 1:]) - len(section[last + 1:].lstrip(","))  # '# ##0,' is in thousands
    point = section.find(".")
    decimals = 0
    if 0 <= point < last:
        decimals = len(re.match(r"[0#?]*", section[point + 1:]).group())
    shown = number.scaleb(-3 * scale)
    exponent = shown.normalize().as_tuple().exponent
    extra = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if scale:
        unit = {1: "thousands", 2: "millions"}.get(scale, f"units of 10^{3 * scale}")
        return f"shown in {unit}"
    if extra > decimals:
        return f"shown with {decimals} decimal{'s' if decimals != 1 else ''}"
    return None
