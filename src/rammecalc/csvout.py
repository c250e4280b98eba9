"""CSV for spreadsheets: the dialect Excel in Norway opens right, and the wide layout (rows × columns, as the
table prints them) beside the long one (a line per row and year, for scripts).

The long CSV in the plain dialect (``,``, a full stop for decimals, UTF-8 without a byte-order mark) stays
the default: scripts read it, and pandas, R and the ``csv`` module read it without settings. A Norwegian
Excel reads a CSV by the locale's list separator (``;``) and decimal comma, and takes a file without a
byte-order mark for Windows-1252 (``Ã˜konomiplan``): ``--dialect excel-no`` writes ``;``, ``1,4``, a plain
hyphen-minus (``-127``, which Excel reads as a number where ``−127`` would be text), no thousands separator
and a UTF-8 byte-order mark. Lines end in a line feed, which Excel reads as well as CRLF: the file is then the
same whether it is written with ``--output`` or to standard output (where a carriage return is shown as an
escape, as every control character is).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .output import visible

if TYPE_CHECKING:
    from .core.compare import Comparison
    from .layout import Laid


@dataclass(frozen=True)
class Dialect:
    name: str
    delimiter: str
    decimal: str
    bom: bool
    line_end: str
    #: Written for a spreadsheet to open: a text it would read as a formula is kept a text.
    spreadsheet: bool = False


PLAIN = Dialect("plain", ",", ".", False, "\n")
EXCEL_NO = Dialect("excel-no", ";", ",", True, "\n", spreadsheet=True)
DIALECTS = {d.name: d for d in (PLAIN, EXCEL_NO)}
BOM = "\ufeff"


def _value(value: object, dialect: Dialect) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.copy_abs() if value == 0 else value, "f")
        return text.replace(".", dialect.decimal)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = visible(value)  # one record is one line; nothing in a label acts on a terminal
        if dialect.spreadsheet and text[:1] in _FORMULA_START:
            text = "'" + text  # a spreadsheet would run it as a formula
        return text
    return value


#: How a cell a spreadsheet reads as a formula starts: a text that starts so is written after a ``'``.
_FORMULA_START = frozenset("=+-@\t")


def write(rows: Iterable[Sequence[object]], dialect: Dialect) -> str:
    """Rows as CSV in ``dialect``: a blank for ``None``, a decimal with the dialect's decimal mark, texts made
    :func:`output.visible`. For a spreadsheet, a text that starts with ``=``, ``+``, ``-``, ``@`` or a tab
    is written after a ``'``, so that the spreadsheet shows it instead of running it as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator=dialect.line_end)
    for row in rows:
        writer.writerow([_value(v, dialect) for v in row])
    return (BOM if dialect.bom else "") + buffer.getvalue()


def wide_rows(tables: Sequence[Laid]) -> list[list[object]]:
    """Each table as its source prints it: a line with its title, a header line (the label column's header,
    then each column's), then a line per row (the label indented by two spaces a level, the figures as
    numbers, a text cell as text); a blank line between tables. A table the source prints transposed (years
    across) is written so."""
    out: list[list[object]] = []
    for n, laid in enumerate(tables):
        if n:
            out.append([])
        out.append([laid.title])
        numbered = laid.numbered and not laid.transposed
        if laid.transposed:
            shown = [line for line in laid.lines if not line.heading]
            out.append([laid.label_header, *(line.label for line in shown)])
            for c, header in enumerate(laid.headers):
                out.append([header, *(_cell(line.cells[c]) for line in shown)])
            continue
        out.append(([laid.number_header] if numbered else []) + [laid.label_header, *laid.headers])
        for line in laid.lines:
            label = "  " * line.depth + line.label
            out.append(([line.number] if numbered else []) + [label, *(_cell(c) for c in line.cells)])
    return out


def _cell(figure) -> object:
    if figure.is_text:
        return figure.text
    return None if figure.blank else figure.value  # (a group with no amount in a year: blank, as printed)


def comparison_wide_rows(comparison: Comparison) -> list[list[object]]:
    """``compare`` as the table shows it: the base's new frame, then each variant's new frame, its difference
    and its causes, a line each, the years across."""
    base = comparison.base
    frame = base.frame
    years = base.years
    out: list[list[object]] = [[f"{frame.municipality} · {frame.unit}: varianter"],
                               ["", *(frame.columns[y] for y in years)],
                               [f"{frame.new_frame_label}, grunnlag", *(base.new_frame[y] for y in years)]]
    for variant in comparison.variants:
        out.append([" + ".join(variant.labels), *(variant.table.new_frame[y] for y in years)])
        out.append(["  differanse", *(variant.difference[y] for y in years)])
        for a in variant.attributions:
            what = a.label if a.kind == "item" else f"parameter {a.name} ({a.label})"
            out.append([f"    {what}", *(a.values[y] for y in years)])
    return out
