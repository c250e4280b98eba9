"""Rendering: rolled tables → rich tables and JSON, problems → text. Never prints; the CLI does.

The only module that imports rich. Every format draws from the one :class:`RolledTable`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .core.checks import block_start_label, format_printed
from .core.numbers import format_amount, format_percent
from .core.problems import Problem
from .core.roll import SUM_ROWS, RolledTable, Row
from .core.terms import UNALLOCATED_LABEL, UNIT_TEXT
from .output import visible
from .report import problem_line

if TYPE_CHECKING:  # the other kinds' modules load with the first such file, not with every command
    from .core.compare import Comparison
    from .core.explain import Explanation
    from .core.links import LinkedSet
    from .core.table import Table as StatedTable

JSON_FORMAT = "rammecalc.roll/2"

#: A rule under the header and above the new frame, nothing else: the look of the printed tables.
_BOX = box.Box(
    "    \n"
    "    \n"
    " ── \n"
    "    \n"
    " ── \n"
    " ── \n"
    "    \n"
    "    \n"
)

class _Table(Table):
    """A rich table that takes every header, cell, title and caption as plain text made safe.

    A string given to rich is read as markup (``[/x]`` in a label would raise, ``[red]`` would colour it)
    and emoji codes (``:smile:``). Every text here comes from a file, so each string is turned into a
    :func:`_text`: printed as written, control characters shown as escapes (``\x1b``), never acted on.
    The ``Text`` cells are made with :func:`_text` where they are styled."""

    def __init__(self, *headers, title=None, caption=None, **options) -> None:
        super().__init__(*map(_safe, headers), title=None if title is None else _text(title, "table.title"),
                         caption=None if caption is None else _text(caption, "table.caption"), **options)

    def add_column(self, header="", *args, **options) -> None:
        super().add_column(_safe(header), *args, **options)

    def add_row(self, *renderables, **options) -> None:
        super().add_row(*map(_safe, renderables), **options)


def _text(text: str, style: str = "") -> Text:
    """A label or other text from a file, for a rich table: printed as written (rich's ``Text`` would drop a
    CR or a bell silently and let ESC through; :func:`output.visible` shows each)."""
    return Text(visible(text), style=style)


def _two_lines(label: str) -> Text:
    """A column header on two lines ("Økonomiplan" over "2018"), as the sources print them: keeps the
    figures' columns narrow. The break is ours; anything in the label itself is shown :func:`output.visible`."""
    return Text("\n".join(map(visible, label.rsplit(" ", 1))))


def _safe(renderable):
    if isinstance(renderable, str):
        return _text(renderable)
    if isinstance(renderable, Padding):
        renderable.renderable = _safe(renderable.renderable)
    return renderable


def _fit(grid: Table) -> Table:
    """No figure is ever cut: every column of figures (right-aligned: the labels and text columns are
    left-aligned, and may wrap) is at least as wide as its widest header line and cell, and does not wrap.
    The CLI then prints a table wider than the terminal wider."""
    for column in grid.columns:
        if column.ratio or column.justify != "right":  # labels and texts: they wrap
            continue
        texts = [str(column.header), *(c.plain if isinstance(c, Text) else str(c) for c in column.cells)]
        column.min_width = column.width = max((len(line) for t in texts for line in t.split("\n")), default=1)
        column.no_wrap = True  # (a fixed width also spares rich measuring every cell of a long table)
    return grid


#: The narrowest the label column is ever made: a label this short (with its indentation) never wraps.
LABEL_MIN_WIDTH = 16


def _indented(text: Text, depth: int) -> RenderableType:
    """A label indented by ``depth`` levels as a block, so that a wrapped label stays under its first line. A
    label too short to wrap is indented with spaces: the same to see, and far cheaper for rich to lay out (a
    table of 10 000 rows lays out in a fraction of the time)."""
    if not depth:
        return text
    if 2 * depth + len(text) <= LABEL_MIN_WIDTH:
        return Text(" " * (2 * depth)) + text
    return Padding(text, (0, 0, 0, 2 * depth))


def _cell(value: Decimal | None) -> str:
    return "" if value is None else format_amount(value)


def unit_text(frame) -> str:
    """The unit the frame's figures are in, with the price level it states: "Beløp i 1 000 kr, 2018-kroner"."""
    unit = UNIT_TEXT[frame.amount_unit.value]
    return f"{unit}, {frame.price_level}" if frame.price_level else unit


#: The marks on a frame's figures (see :func:`figure_cells`), explained under the table.
COMPUTED_MARK = "[]"
DIFFERS_MARK = "!"
COMPUTED_LEGEND = "[ ] Beregnet av rammecalc: kilden trykker ikke dette tallet."
DIFFERS_LEGEND = "!   Avviker fra tallet kilden trykker:"


def _figure(row: Row, year: int) -> str:
    """A row's figure in a column: the printed one where the arithmetic gives it (so that a printed −0 keeps
    its sign), else the computed one; blank where there is none."""
    value = row.values.get(year)
    printed = row.published.get(year)
    if printed is not None and (value if value is not None else Decimal(0)) == printed:
        return format_printed(printed)
    if value is None and year in row.differs:
        return "0"  # the source prints a figure where the arithmetic gives nothing
    if value is not None and row.printed.get(year) and year not in row.differs:
        return format_printed(value)  # an amount written as printed (an item's 'beløp'): -0 as written
    return _cell(value)


def figure_cells(table: RolledTable, row: Row, marked: bool) -> list[tuple[str, str | None]]:
    """Each column's figure of ``row`` as shown, with its mark, and what kind of mark (``computed``,
    ``differs`` or ``None``): a figure rammecalc computed that the source does not print is shown in
    brackets (``[3 300]``), a computed figure that differs from the printed one is followed by ``!``. With
    ``marked`` (any figure of the table is marked), every other figure is followed by a space, so that the
    digits stay in line. Plain characters, so that the marks show without colour too."""
    cells: list[tuple[str, str | None]] = []
    for year in table.years:
        if row.kind == "start" and not table.has_base:
            cells.append(("–" + (" " if marked else ""), None))
            continue
        text = _figure(row, year)
        if not text:
            cells.append(("", None))
        elif year in row.differs:
            cells.append((text + DIFFERS_MARK, "differs"))
        elif row.printed.get(year) is False and row.kind in SUM_ROWS:
            cells.append((COMPUTED_MARK[0] + text + COMPUTED_MARK[1], "computed"))
        else:
            cells.append((text + (" " if marked else ""), None))
    return cells


def _computed(row: Row) -> bool:
    """Whether the row shows a sum (or start) that the source does not print (an item's amount is not
    marked so: it is written, or its rule's)."""
    return row.kind in SUM_ROWS and any(flag is False for flag in row.printed.values())


def _marked(table: RolledTable) -> bool:
    return any(row.differs or _computed(row) for row in table.rows)


def marks_legend(table: RolledTable) -> list[str]:
    """The lines under a table that explain its marks: each figure that differs, with what the source prints
    (an empty list when nothing is marked)."""
    lines: list[str] = []
    if any(_computed(row) for row in table.rows):
        lines.append(COMPUTED_LEGEND)
    differing = [(row, year, printed) for row in table.rows for year, printed in row.differs.items()]
    if differing:
        lines.append(DIFFERS_LEGEND)
        for row, year, printed in differing:
            value = row.values.get(year)
            lines.append(f"    {_figure_name(table, row)} {year}: trykt {format_printed(printed)}, beregnet "
                         f"{format_amount(value if value is not None else Decimal(0))}")
    return lines


def _figure_name(table: RolledTable, row: Row) -> str:
    """A row's figure named as the check names it: a block's base line with its block's heading, since the
    blocks may print the same label ("Opprinnelig budsjett (Utgifter)")."""
    if row.kind == "group_start":
        index = table.frame.group_index(row.id)
        if index is not None:
            return block_start_label(table.frame, index)
    return row.label


def _label(row: Row, table: RolledTable) -> RenderableType:
    """The row's label, indented as a block so that a wrapped label stays under its first line."""
    style = {"start": "bold", "group": "bold", "subtotal": "bold", "new_frame": "bold", "split": "dim"}.get(row.kind, "")
    text = _text(row.label + (OVERRIDDEN_MARK if row.overridden else ""), style=style)
    return Padding(text, (0, 0, 0, 2 * row.depth)) if row.depth else text


#: After the label of an item whose amounts use a parameter set on top of the files (see overridden_note).
OVERRIDDEN_MARK = " *"


def overridden_note(table: RolledTable) -> str | None:
    """The footnote for the marked rows: their amounts are computed with another rate than the files give,
    while their text is unchanged and may still print the old rate ("med 1,4 pst.")."""
    names = sorted({name for row in table.rows for name in row.overridden})
    if not names:
        return None
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]
    return f"*) Beløpet er beregnet med endret {listed}; en sats nevnt i teksten kan være den gamle."


#: The header of the column of the source's own item numbers (``referanse``), shown when any item has one.
REFERENCE_HEADER = "Nr."


def _has_references(table: RolledTable) -> bool:
    return any(row.reference for row in table.rows)


def rich_table(table: RolledTable, scenario_note: str | None = None) -> RenderableType:
    """The frame laid out like the source: start, split, groups with items and subtotals, new frame; the
    source's item numbers and text columns beside the labels; the figures marked that rammecalc computed
    and the source does not print, or that differ from what it prints, with a legend under the table."""
    frame = table.frame
    title = f"{frame.municipality} · {frame.unit}"
    caption_parts = [frame.source.table or frame.source.document, f"konvensjon: {frame.convention.value}"]
    if scenario_note:
        caption_parts.append(scenario_note)
    grid = _text_table(title, " · ".join(caption_parts))
    references = _has_references(table)
    if references:
        grid.add_column(REFERENCE_HEADER, no_wrap=True, min_width=max(
            len(visible(row.reference or "")) for row in table.rows))
    grid.add_column(unit_text(frame), ratio=1, overflow="fold", min_width=20)
    for header in frame.text_columns.values():
        grid.add_column(header, overflow="fold", max_width=24)
    for year in table.years:
        # "Økonomiplan 2018" on two lines, as the sources print their headers: keeps the figures narrow.
        grid.add_column(_two_lines(frame.columns[year]), justify="right")
    marked = _marked(table)
    rows = table.rows
    for i, row in enumerate(rows):
        values = [_text(text, {"differs": "bold", "computed": "dim"}.get(kind or "", ""))
                  for text, kind in figure_cells(table, row, marked)]
        texts = [row.texts.get(column, "") for column in frame.text_columns]
        next_is_total = i + 1 < len(rows) and rows[i + 1].kind == "new_frame"
        style = "bold" if row.kind in ("start", "group", "subtotal", "new_frame") else None
        grid.add_row(*([row.reference or ""] if references else []), _label(row, table), *texts, *values,
                     style=style, end_section=next_is_total)
    _fit(grid)
    footnote = overridden_note(table)
    parts: list[RenderableType] = [grid] + ([_text(footnote)] if footnote else [])
    parts += [_text(line) for line in marks_legend(table)]
    if table.unallocated:
        notes = _Table.grid(padding=(0, 2))
        notes.add_column()
        notes.add_column(justify="right")
        notes.add_row(_text(UNALLOCATED_LABEL, style="bold"), "")
        for entry in table.unallocated:
            notes.add_row("  " + entry.label, format_amount(entry.amount))
        parts += [_text(""), notes]
    return parts[0] if len(parts) == 1 else RichGroup(*parts)


# ------------------------------------------------------------------------------------------------ JSON


def table_data(table: RolledTable) -> dict:
    """The rolled table as plain data (documented in the README under "JSON output")."""
    frame = table.frame

    def per_year(values: Mapping[int, Decimal | None]) -> dict[str, Decimal | None]:
        return {str(y): values.get(y) for y in table.years}

    return {
        "frame": frame.id,
        "file": frame.file,
        "municipality": frame.municipality,
        "unit": frame.unit,
        "source": frame.source.model_dump(exclude_none=True),
        "amount_unit": frame.amount_unit.value,
        "price_level": frame.price_level,
        "convention": frame.convention.value,
        "has_base": table.has_base,
        "blank_is_zero": frame.blank_is_zero,
        "columns": [{"year": y, "label": frame.columns[y]} for y in table.years],
        "text_columns": [{"id": k, "label": v} for k, v in frame.text_columns.items()],
        "rows": [
            {
                "kind": row.kind,
                "id": row.id,
                "label": row.label,
                "depth": row.depth,
                "group": row.group,
                "category": row.category.value if row.category else None,
                "values": per_year(row.values) if (row.kind != "start" or table.has_base) else
                dict.fromkeys(map(str, table.years)),
                "published": {str(y): v for y, v in row.published.items()},
                "overridden_parameters": list(row.overridden),
                "reference": row.reference,
                "texts": dict(row.texts),
                "printed": {str(y): row.printed.get(y) for y in table.years},
                "differs": {str(y): y in row.differs for y in table.years},
            }
            for row in table.rows
        ],
        "start": per_year(table.start) if table.has_base else None,
        "new_frame": per_year(table.new_frame),
        "unallocated": [
            {"item": u.item_id, "label": u.label, "group": u.group, "amount": u.amount, "note": u.note}
            for u in table.unallocated
        ],
    }


#: What JSON may carry raw but a terminal should not see raw, written as ``\\uXXXX`` in a JSON string: DEL,
#: the C1 controls, line and paragraph separators, bidirectional controls, and lone surrogates (a file name's
#: bytes that are not UTF-8: ``"\\udcff"``, which Python reads back as the name's own ``os.fsencode``).
_JSON_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def _json_text(value: object) -> str:
    import json

    return _JSON_ESCAPE.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(value, ensure_ascii=False))


def to_json(value: object, indent: int = 2) -> str:
    """JSON with ``Decimal`` written as exact JSON numbers (``9864``, ``1.4``), never through float. Texts
    are exact (JSON escapes what must be escaped), and the output is UTF-8 text with no control character
    and no lone surrogate raw in it (see ``_JSON_ESCAPE``)."""

    def encode(v: object, level: int) -> str:
        pad = " " * (indent * (level + 1))
        end = " " * (indent * level)
        if isinstance(v, Decimal):
            return format(v, "f")
        if isinstance(v, dict):
            if not v:
                return "{}"
            inner = ",\n".join(f"{pad}{_json_text(str(k))}: {encode(x, level + 1)}"
                               for k, x in v.items())
            return "{\n" + inner + "\n" + end + "}"
        if isinstance(v, (list, tuple)):
            if not v:
                return "[]"
            return "[\n" + ",\n".join(pad + encode(x, level + 1) for x in v) + "\n" + end + "]"
        return _json_text(v)

    return encode(value, 0)


# -------------------------------------------------------------------------------------------- problems


@functools.lru_cache(maxsize=4)
def _source_lines(source: str) -> list[str]:
    """A file's lines, split once for all its problems (not once for each: a file can have thousands)."""
    return source.splitlines()


#: How much of a source line an excerpt shows: a longer line is cut to a window around the column, so that
#: a 300 000-character line (a list written on one line) does not fill the terminal once for each problem.
EXCERPT_WIDTH = 120


def _excerpt(text: str, offset: int) -> tuple[str, int]:
    """The line as shown (made :func:`visible`, cut to :data:`EXCERPT_WIDTH` around ``offset`` with '…' where
    it is cut), and the caret's place in it: under the same character, however many an escape before it
    takes."""
    start = max(0, offset - EXCERPT_WIDTH // 3)
    end = start + EXCERPT_WIDTH
    if start < 8:  # not worth a cut at the start
        start = 0
    before, rest = visible(text[start:offset]), visible(text[offset:end])
    if len(before) > EXCERPT_WIDTH // 3:  # escapes made the part before the column long: keep its end
        before = before[-(EXCERPT_WIDTH // 3):]
        start = max(start, 1)
    shown = ("…" if start > 0 else "") + before + rest[:max(EXCERPT_WIDTH - len(before), 1)]
    if end < len(text) or len(before) + len(rest) > EXCERPT_WIDTH:
        shown += "…"
    return shown, len(before) + (1 if start > 0 else 0)


def problem_text(problem: Problem, texts: Mapping[str, str] | None = None, excerpt: bool = True) -> str:
    """:func:`problem_line`, then (for input problems) the source line with a caret and the hint; the message
    and hint in the language chosen (``i18n``), the rest as it is."""
    from . import i18n

    problem = i18n.problem(problem)
    lines = [problem_line(problem)]
    source = (texts or {}).get(problem.file)
    if excerpt and source is not None and problem.line > 0:
        src_lines = _source_lines(source)
        line, col = problem.line, problem.col
        if line > len(src_lines) and src_lines:  # at the end of the file: show where the text stops
            line = len(src_lines)
            col = len(src_lines[-1]) + 1
            lines.append("  (the file ends here)")
        if line <= len(src_lines):
            gutter = f"{line:>5} | "
            shown, caret = _excerpt(src_lines[line - 1], max(col - 1, 0))
            lines.append(gutter + shown)
            lines.append(" " * (len(gutter) - 2) + "| " + " " * caret + "^")
    if excerpt and problem.hint:
        lines.append(f"  {i18n.translate('hint')}: {visible(problem.hint)}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- explain


def explanation_text(explanation: Explanation) -> str:
    """An explanation as plain text: a title, what it is, then each year's lines with their sources. Each
    line is made :func:`output.visible` as a whole, so a value in it cannot break it."""
    lines = [explanation.title]
    lines += [f"  {text}" for text in explanation.about]
    for year, steps in explanation.years:
        lines.append("")
        lines.append(str(year))
        width = max((len(step.label) for step in steps), default=0)
        for step in steps:
            text = f"  {step.label.ljust(width)}  {step.text}"
            if step.note:
                text += f"  [{step.note}]"
            if step.where is not None:
                text += f"  ({step.where[0]}:{step.where[1]}:{step.where[2]})"
            lines.append(text)
    return "\n".join(map(visible, lines))


# ------------------------------------------------------------------------------ CSV and Markdown (roll)

CSV_ROLL_COLUMNS = ("frame", "row", "kind", "id", "label", "depth", "group", "category", "year", "column",
                    "value", "published", "overridden_parameters", "reference", "printed", "differs",
                    "amount_unit", "price_level")
#: The prefix of the CSV columns that hold the frames' text columns (``text:vedtakstype``), after the others.
CSV_TEXT_PREFIX = "text:"


def _csv(rows: Iterable[Sequence[object]], dialect=None) -> str:
    """CSV as scripts read it (``,``, a full stop for decimals), or in a ``csvout.Dialect`` (Excel in Norway)."""
    if dialect is not None:
        from .csvout import write

        return write(rows, dialect)
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:  # a text is made visible: one record is one line, and nothing in it acts on a terminal
        writer.writerow(["" if v is None else format(v, "f") if isinstance(v, Decimal) else
                         ("true" if v else "false") if isinstance(v, bool) else
                         visible(v) if isinstance(v, str) else v for v in row])
    return buffer.getvalue()


def tables_csv(tables: Sequence[RolledTable], dialect=None) -> str:
    """Rolled tables as CSV, one line per printed row and year (documented in the README)."""
    text_columns = list(dict.fromkeys(column for table in tables for column in table.frame.text_columns))

    def lines():
        yield CSV_ROLL_COLUMNS + tuple(CSV_TEXT_PREFIX + column for column in text_columns)
        for table in tables:
            frame = table.frame
            for number, row in enumerate(table.rows, start=1):
                values = row.values if (row.kind != "start" or table.has_base) else {}
                texts = tuple(row.texts.get(column) for column in text_columns)
                for year in table.years:
                    yield (frame.id, number, row.kind, row.id, row.label, row.depth, row.group,
                           row.category.value if row.category else None, year, frame.columns[year],
                           values.get(year), row.published.get(year), " ".join(row.overridden), row.reference,
                           row.printed.get(year), year in row.differs, frame.amount_unit.value, frame.price_level,
                           *texts)
    return _csv(lines(), dialect)


def _md_cell(text: str) -> str:
    """A text in a Markdown table: visible, and its ``|`` not a column's edge."""
    return visible(text).replace("|", "\\|")


def tables_markdown(tables: Sequence[RolledTable], notes: Sequence[str | None] = ()) -> str:
    """Rolled tables as Markdown, laid out and numbered as the published tables (for reports), with the
    source's item numbers, the text columns and the marks of the table format."""
    parts = []
    for index, table in enumerate(tables):
        frame = table.frame
        note = notes[index] if index < len(notes) else None
        head = visible(f"**{frame.municipality} · {frame.unit}**" + (f" ({note})" if note else ""))
        source = visible(frame.source.table or frame.source.document)
        references = _has_references(table)
        headers = ([REFERENCE_HEADER] if references else []) + [""] + list(frame.text_columns.values())
        lines = [head, "", f"{source} · {visible(unit_text(frame))}", "",
                 "|" + "".join(f" {_md_cell(h)} |" if h else " |" for h in headers) + " "
                 + " | ".join(_md_cell(frame.columns[y]) for y in table.years) + " |",
                 "|" + "---|" * len(headers) + "---:|" * len(table.years)]
        for row in table.rows:
            label = _md_cell(("\u00a0\u00a0" * row.depth) + row.label)
            if row.overridden:
                label += OVERRIDDEN_MARK.replace("*", "\\*")
            if row.kind in ("start", "group", "subtotal", "new_frame"):
                label = f"**{label}**"
            cells = [_md_cell(text.rstrip()).replace("[", "\\[").replace("]", "\\]")
                     for text, _ in figure_cells(table, row, marked=False)]
            first = ([_md_cell(row.reference or "")] if references else []) + [label]
            first += [_md_cell(row.texts.get(column, "")) for column in frame.text_columns]
            lines.append("| " + " | ".join(first) + " | " + " | ".join(cells) + " |")
        footnote = overridden_note(table)
        if footnote:
            lines.append("\n" + footnote.replace("*", "\\*"))
        legend = marks_legend(table)
        if legend:
            lines.append("")
            lines += [_md_cell(line).replace("[ ]", "\\[ \\]").replace("*", "\\*") + "  " for line in legend]
        for entry in table.unallocated:
            lines.append(f"\n{UNALLOCATED_LABEL}: {_md_cell(entry.label)}, {format_amount(entry.amount)}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


# ------------------------------------------------------------------------------------------- compare


def comparison_data(comparison: Comparison) -> dict:
    """A comparison as plain data (documented in the README under "JSON output")."""
    base = comparison.base
    years = [str(y) for y in base.years]

    def per_year(values) -> dict[str, Decimal]:
        return {str(y): values[y] for y in base.years}

    return {
        "format": "rammecalc.compare/1",
        "frame": base.frame.id,
        "file": base.frame.file,
        "amount_unit": base.frame.amount_unit.value,
        "price_level": base.frame.price_level,
        "years": [int(y) for y in years],
        "base": {"new_frame": per_year(base.new_frame)},
        "variants": [
            {
                "scenarios": list(v.scenarios),
                "labels": list(v.labels),
                "new_frame": per_year(v.table.new_frame),
                "difference": per_year(v.difference),
                "attributions": [
                    {"kind": a.kind, "name": a.name, "label": a.label, "values": per_year(a.values)}
                    for a in v.attributions
                ],
            }
            for v in comparison.variants
        ],
    }


def comparison_rich(comparison: Comparison) -> RenderableType:
    base = comparison.base
    frame = base.frame
    grid = _text_table(f"{frame.municipality} · {frame.unit}: varianter",
                       f"{unit_text(frame)} · differanse mot grunnlaget, fordelt på årsak "
                       "(størst først)")
    grid.add_column("", ratio=1, overflow="fold", min_width=20)
    for year in base.years:
        grid.add_column(_two_lines(frame.columns[year]), justify="right", no_wrap=True)
    label = frame.new_frame_label
    grid.add_row(_text(f"{label}, grunnlag", style="bold"), *(_cell(base.new_frame[y]) for y in base.years),
                 end_section=True)
    for variant in comparison.variants:
        grid.add_row(_text(" + ".join(variant.labels), style="bold"),
                     *(_cell(variant.table.new_frame[y]) for y in base.years))
        grid.add_row(Padding(_text("differanse"), (0, 0, 0, 2)),
                     *(format_amount(variant.difference[y], plus=True) for y in base.years))
        for a in variant.attributions:
            what = a.label if a.kind == "item" else f"parameter {a.name} ({a.label})"
            grid.add_row(Padding(_text(what, style="dim"), (0, 0, 0, 4)),
                         *(format_amount(a.values[y], plus=True) if a.values[y] else "" for y in base.years))
        grid.rows[-1].end_section = True
    return _fit(grid)


def comparison_csv(comparison: Comparison, dialect=None) -> str:
    """One line per variant, record and year: the new frames, the differences and the attributions."""
    base = comparison.base

    def lines():
        yield ("variant", "record", "kind", "name", "label", "year", "value")
        for year in base.years:
            yield ("base", "new_frame", None, None, None, year, base.new_frame[year])
        for v in comparison.variants:
            for year in base.years:
                yield (v.name, "new_frame", None, None, None, year, v.table.new_frame[year])
                yield (v.name, "difference", None, None, None, year, v.difference[year])
            for a in v.attributions:
                for year in base.years:
                    yield (v.name, "attribution", a.kind, a.name, a.label, year, a.values[year])
    return _csv(lines(), dialect)


def comparison_markdown(comparison: Comparison) -> str:
    base = comparison.base
    frame = base.frame
    lines = [visible(f"**{frame.municipality} · {frame.unit}: varianter** ({unit_text(frame)})"), "",
             "| | " + " | ".join(_md_cell(frame.columns[y]) for y in base.years) + " |",
             "|---|" + "---:|" * len(base.years),
             "| **Grunnlag** | " + " | ".join(_cell(base.new_frame[y]) for y in base.years) + " |"]
    for v in comparison.variants:
        lines.append(f"| **{_md_cell(' + '.join(v.labels))}** | "
                     + " | ".join(_cell(v.table.new_frame[y]) for y in base.years) + " |")
        lines.append("| \u00a0\u00a0differanse | " + " | ".join(format_amount(v.difference[y], plus=True)
                                                                for y in base.years) + " |")
        for a in v.attributions:
            what = a.label if a.kind == "item" else f"parameter {a.name}"
            lines.append(f"| \u00a0\u00a0\u00a0\u00a0{_md_cell(what)} | "
                         + " | ".join(format_amount(a.values[y], plus=True) if a.values[y] else ""
                                      for y in base.years) + " |")
    return "\n".join(lines) + "\n"
# ------------------------------------------------------------------------------------------------ links


def _text_table(title: str, caption: str) -> Table:
    return _Table(title=title, caption=caption, box=_BOX, show_edge=False, title_justify="left",
                 caption_justify="left", pad_edge=False, padding=(0, 0, 0, 1))


def links_rich(linked: LinkedSet) -> RenderableType:
    grid = _text_table(f"Koblinger · {linked.links.file}", "lik: the second figure should equal the first")
    for header in ("Kobling", "Figur", "", "Lik", "", "Differanse"):
        grid.add_column(header, justify="right" if header in ("", "Differanse") else "left",
                        overflow="fold", no_wrap=header in ("", "Differanse"))
    for link, (a, b) in zip(linked.links.links, linked.figures, strict=True):
        difference = b.value - a.value
        note = format_amount(difference, plus=True) if difference else "0"
        if link.known_difference is not None and link.known_difference.difference == difference != 0:
            note += " (forklart)"
        grid.add_row(link.label, f"{a.name} ({a.at})", format_amount(a.value), f"{b.name} ({b.at})",
                     format_amount(b.value), note)
    return grid


def _about(table) -> dict:
    """What every table's data begins with: which table, where it is written, whose it is, its source."""
    return {"table": table.id, "file": table.file, "municipality": table.municipality, "unit": table.unit,
            "source": table.source.model_dump(exclude_none=True)}


def links_data(linked: LinkedSet) -> dict:
    return {
        "file": linked.links.file,
        "links": [{"label": link.label,
                   "figure": {"name": a.name, "where": a.at, "value": a.value},
                   "equals": {"name": b.name, "where": b.at, "value": b.value},
                   "difference": b.value - a.value,
                   "explained": None if link.known_difference is None else link.known_difference.difference}
                  for link, (a, b) in zip(linked.links.links, linked.figures, strict=True)],
    }


# ---------------------------------------------------------------------------- tables that state figures

def _spending_words(kind, over: Decimal) -> str:
    """What a row's regnskap against its budsjett is called, by what the row is."""
    from .core.table import RowKind

    if over == 0:
        return "i balanse"
    if kind is RowKind.INCOME:
        return "merinntekt" if over > 0 else "mindreinntekt"
    if kind in (RowKind.DISPOSAL, RowKind.RESULT):
        return ""
    return "merforbruk" if over > 0 else "mindreforbruk"


def _stated_cells(table: StatedTable, references=None):
    """Each row's shown figure per column: (value, printed, differs), from the table's own relations."""
    from .core import grid as grid_core
    from .core import table as table_core
    from .core.numbers import exact

    built, _ = table_core.grid(table, references)
    differs = set()
    with_context = exact(lambda: grid_core.findings(built))
    for finding in with_context():
        if finding.difference and not (finding.relation.allowance
                                       and abs(finding.difference) <= finding.relation.allowance):
            differs.add(finding.relation.target)
    values = exact(lambda: grid_core.printed_or_computed(
        built, [(str(i), c.id) for i, r in enumerate(table.rows) if not r.is_heading for c in table.figure_columns]))()
    return values, differs


def _result(table: StatedTable, index: int) -> tuple[str, Decimal] | None:
    """A row's result in a table that compares regnskap with budsjett: ("merforbruk", 3842); merinntekt or
    mindreinntekt for a row of income; ``None`` where the table or the row names none."""
    from .core.table import compared_columns

    pair = compared_columns(table)
    if pair is None:
        return None
    cells = {cid: v for cid, v, _ in table.cells(index)}
    spent, budget = cells.get(pair[0].id), cells.get(pair[1].id)
    if spent is None or budget is None:
        return None
    words = _spending_words(table.rows[index].kind, spent - budget)
    return (words, abs(spent - budget)) if words else None


def _share_decimals(table: StatedTable, index: int, column) -> int:
    """The decimals a per cent is printed with: its row's (a row that is a share), else its column's, else 1."""
    row = table.rows[index]
    if row.share is not None and row.decimals is not None:
        return row.decimals
    return column.decimals if column.decimals is not None else 1


def _stated_computed(table: StatedTable, references=None) -> dict:
    """What each differing cell's relation gives (its first relation that differs), for the legend."""
    from .core import grid as grid_core
    from .core import table as table_core
    from .core.numbers import exact

    built, _ = table_core.grid(table, references)
    out: dict = {}
    for finding in exact(lambda: grid_core.findings(built))():
        if finding.difference and finding.computed is not None:
            out.setdefault(finding.relation.target, finding.computed)
    return out


def _spending(table: StatedTable, index: int) -> str:
    found = _result(table, index)
    if found is None:
        return ""
    words, amount = found
    return f"{words} {format_amount(amount)}" if amount else words


def stated_table_rich(table: StatedTable, references=None) -> RenderableType:
    """A table laid out like the source: headings, numbered rows, result rows in place (bold), each row's
    merforbruk or mindreforbruk named where the table compares regnskap with budsjett; a figure the source
    leaves blank but a relation defines is shown computed (°), a printed one that differs is marked (≠)."""
    from .core.table import ColumnRole

    values, differs = _stated_cells(table, references)
    title = f"{table.municipality} · {table.unit}" if table.unit else table.municipality
    caption = " · ".join(x for x in (table.source.table or table.source.document, table.form,
                                      f"i {table.price_level}-kroner" if table.price_level else None) if x)
    grid = _text_table(title, caption)
    numbered = any(r.number for r in table.rows)
    show_spending = any(_spending(table, i) for i, r in enumerate(table.rows) if not r.is_heading)

    # The marks, as in a frame's table: a figure the source leaves blank and a relation defines is shown
    # computed, in brackets; a printed figure that differs from its relation is followed by '!', and the
    # legend says what the relation gives. With any mark, every other figure is followed by a space, so that
    # the digits stay in line.
    marked = any(value is not None and not was_printed for value, was_printed in values.values()) or bool(differs)
    differing: list[tuple[int, str]] = []

    def shown(value: Decimal, column) -> str:
        return format_percent(value, column.decimals if column.decimals is not None else 1) if column.is_percent \
            else format_printed(value)

    def figure(i: int, column) -> str:
        if column.is_text:
            return table.rows[i].texts.get(column.id, "")
        value, was_printed = values[(str(i), column.id)]
        percent = column.is_percent or table.rows[i].share is not None
        if value is None or (percent and not was_printed):
            return ""  # (a per cent the source prints for one row is not invented for the others)
        text = format_percent(value, _share_decimals(table, i, column)) if percent else format_printed(value)
        if not was_printed:
            return COMPUTED_MARK[0] + text + COMPUTED_MARK[1]
        if (str(i), column.id) in differs:
            differing.append((i, column.id))
            return text + DIFFERS_MARK
        return text + (" " if marked else "")

    if table.transposed:
        grid.add_column(UNIT_TEXT[table.amount_unit.value], min_width=12)
        shown_rows = [i for i, r in enumerate(table.rows) if not r.is_heading]
        for i in shown_rows:
            grid.add_column(table.row_name(i), justify="right", no_wrap=True)
        for column in table.columns:
            grid.add_row(column.label, *(figure(i, column) for i in shown_rows))
        if show_spending:
            grid.add_row("Merforbruk/mindreforbruk", *(_spending(table, i) for i in shown_rows))
    else:
        if numbered:
            grid.add_column("", justify="right", no_wrap=True)
        grid.add_column(UNIT_TEXT[table.amount_unit.value], ratio=1, overflow="fold", min_width=LABEL_MIN_WIDTH)
        for column in table.columns:
            grid.add_column(_two_lines(column.label) if len(column.label) > 12 else column.label,
                            justify="left" if column.role is ColumnRole.TEXT else "right", no_wrap=True)
        if show_spending:
            grid.add_column(_two_lines("Merforbruk/ mindreforbruk"), no_wrap=True)
        for i, row in enumerate(table.rows):
            number = [row.number or ""] if numbered else []
            if row.is_heading:
                grid.add_row(*number, _indented(_text(row.heading, style="bold"), row.depth),
                             *("" for _ in table.columns), *([""] if show_spending else []))
                continue
            label = _indented(_text(row.shown_label), row.depth)
            style = "bold" if row.is_result else None
            following = table.rows[i + 1] if i + 1 < len(table.rows) else None
            grid.add_row(*number, label, *(figure(i, c) for c in table.columns),
                         *([_spending(table, i)] if show_spending else []), style=style,
                         end_section=following is not None and str(following.sum).strip() == "alle")
    legend = []
    if any(value is not None and not was_printed and not table.column(cell[1]).is_percent
           for cell, (value, was_printed) in values.items()):
        legend.append(COMPUTED_LEGEND)
    if differing:
        legend.append(DIFFERS_LEGEND.replace("Avviker fra tallet kilden trykker:",
                                             "Trykt tall som avviker fra beregningen, som gir:"))
        computed = _stated_computed(table, references)
        for i, column_id in differing:
            column = table.column(column_id)
            legend.append(f"    {table.row_name(i)}, {column.label}: trykt {shown(values[(str(i), column_id)][0], column)}"
                          f", beregnet {shown(computed[(str(i), column_id)], column)}")
    fitted = _fit(grid)
    return fitted if not legend else RichGroup(fitted, *(_text(line) for line in legend))


def stated_table_data(table: StatedTable, references=None) -> dict:
    """A table as plain data: each row's printed figures, and the computed ones beside them."""
    values, differs = _stated_cells(table, references)
    return {
        "table": table.id,
        "file": table.file,
        "municipality": table.municipality,
        "unit": table.unit,
        "source": table.source.model_dump(exclude_none=True),
        "form": table.form,
        "amount_unit": table.amount_unit.value,
        "price_level": table.price_level,
        "columns": [{"id": c.id, "label": c.label, "role": c.role.value if c.role else None, "year": c.year,
                     "formula": c.formula,
                     "share": f"{c.share.numerator} ÷ {c.share.denominator}" if c.share is not None else None}
                    for c in table.columns],
        "rows": [
            {"number": r.number, "id": r.id, "label": r.shown_label, "heading": r.is_heading,
             "kind": r.kind.value if r.kind else None, "depth": r.depth,
             "definition": (f"sum {r.sum}" if r.sum is not None else r.formula if r.formula is not None else
                            f"{r.share.numerator} ÷ {r.share.denominator}" if r.share is not None else None),
             "texts": dict(r.texts),
             "values": {} if r.is_heading else {c.id: values[(str(i), c.id)][0] for c in table.figure_columns},
             "printed": {} if r.is_heading else {c.id: values[(str(i), c.id)][1] for c in table.figure_columns
                                                 if values[(str(i), c.id)][0] is not None},
             "differs": sorted(c.id for c in table.figure_columns if (str(i), c.id) in differs),
             "result": None if r.is_heading or _result(table, i) is None else
             dict(zip(("name", "amount"), _result(table, i)))}
            for i, r in enumerate(table.rows)
        ],
    }


# --------------------------------------------------------------------------------------------- import

IMPORT_JSON_FORMAT = "rammecalc.import/1"


def _problem_data(p: Problem) -> dict:
    return {"file": p.file, "line": p.line or 1, "column": p.col or 1, "code": p.code.value,
            "severity": p.severity.value, "message": p.message, "hint": p.hint}


def import_data(run) -> dict:
    """An import run for scripts: each table with its files, whether its placement is certain, its uncertain
    rows, and what check said of the files written."""
    from .core.problems import Severity

    return {
        "format": IMPORT_JSON_FORMAT,
        "source": run.source,
        "tables": [{
            "id": t.id, "kind": t.kind, "title": t.title, "lines": list(t.lines),
            "files": [str(f) for f in run.written if any(str(f).endswith(o.path) for o in t.files)] or
                     [o.path for o in t.files],
            "certain": t.certain, "placements": t.solutions,
            "uncertain": [{"line": line, "label": label, "why": why} for line, label, why in t.uncertain],
            "inferred": t.inferred,
        } for t in run.tables],
        "skipped": run.skipped,
        "figures": run.figures,
        "errors": sum(1 for p in run.check_problems if p.severity is Severity.ERROR),
        "warnings": sum(1 for p in run.check_problems if p.severity is Severity.WARNING),
        "problems": [_problem_data(p) for p in run.problems + run.warnings + run.check_problems],
    }


def import_text(run) -> str:
    """An import run for people: what was written, how sure each placement is, and check's summary with
    every problem at its file:line:col."""
    from .core.problems import Severity
    from .report import problem_line

    out: list[str] = []
    for t in run.tables:
        files = ", ".join(visible(str(f)) for f in run.written if any(str(f).endswith(o.path) for o in t.files))
        kind = "a frame and its changes" if t.kind == "ramme" else "a table"
        out.append(f"imported {visible(t.title)!r} (lines {t.lines[0]}–{t.lines[1]}) as {kind}: {files}")
        if t.certain:
            out.append("  placement: every figure in the only column where the table adds up")
        elif t.solutions == 0:
            out.append("  placement: NO placement adds up; written as the likeliest reading, uncertain rows marked "
                       "in the file:")
        else:
            out.append(f"  placement: AMBIGUOUS, {t.solutions if t.solutions < 12 else 'several'} placements add "
                       "up; the likeliest written, uncertain rows marked in the file:")
        for line, label, why in t.uncertain:
            out.append(f"    line {line} ({visible(label)}): {visible(why)}")
    for note in run.skipped:
        out.append(f"not imported: {visible(note)}")
    errors = [p for p in run.check_problems if p.severity is Severity.ERROR]
    warnings = [p for p in run.check_problems if p.severity is Severity.WARNING]
    for p in errors + warnings:
        out.append(problem_line(p) + f" [{p.code.value}]")
    verdict = "adds up" if not errors else "does not add up as printed (a published table can be wrong: see above)"
    out.append(f"check: {run.figures} published figures, {len(errors)} errors, {len(warnings)} warnings: {verdict}")
    return "\n".join(out)
