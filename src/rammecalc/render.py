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
    from .core.accounts import AccountsTable
    from .core.compare import Comparison
    from .core.explain import Explanation
    from .core.links import LinkedSet
    from .core.sums import SumTable

JSON_FORMAT = "rammecalc.roll/1"

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


def _fit(grid: Table, first: int = 1) -> Table:
    """No figure is ever cut: every column after the first ``first`` (the labels) is at least as wide as its
    widest header line and cell, and does not wrap. The CLI then prints a table wider than the terminal wider."""
    for column in grid.columns[first:]:
        texts = [str(column.header), *(c.plain if isinstance(c, Text) else str(c) for c in column.cells)]
        column.min_width = max((len(line) for t in texts for line in t.split("\n")), default=1)
        column.no_wrap = True
    return grid


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
    _fit(grid, first=1 + references + len(frame.text_columns))
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


def problem_text(problem: Problem, texts: Mapping[str, str] | None = None, excerpt: bool = True) -> str:
    """:func:`problem_line`, then (for input problems) the source line with a caret and the hint."""
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
            text = src_lines[line - 1]
            lines.append(gutter + visible(text))
            # under the same character, however many an escape before it takes
            lines.append(" " * (len(gutter) - 2) + "| " + " " * len(visible(text[:max(col - 1, 0)])) + "^")
    if excerpt and problem.hint:
        lines.append(f"  hint: {visible(problem.hint)}")
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


def _csv(rows: Iterable[Sequence[object]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:  # a text is made visible: one record is one line, and nothing in it acts on a terminal
        writer.writerow(["" if v is None else format(v, "f") if isinstance(v, Decimal) else
                         ("true" if v else "false") if isinstance(v, bool) else
                         visible(v) if isinstance(v, str) else v for v in row])
    return buffer.getvalue()


def tables_csv(tables: Sequence[RolledTable]) -> str:
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
    return _csv(lines())


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


def comparison_csv(comparison: Comparison) -> str:
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
    return _csv(lines())


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
# ------------------------------------------------------------------- accounts tables, sum tables, links


def _text_table(title: str, caption: str) -> Table:
    return _Table(title=title, caption=caption, box=_BOX, show_edge=False, title_justify="left",
                 caption_justify="left", pad_edge=False, padding=(0, 0, 0, 1))


def accounts_rich(table: AccountsTable) -> RenderableType:
    """An accounts table laid out like the source (rows across if it prints them so), with each row's
    merforbruk or mindreforbruk named."""
    from .core.accounts import ColumnRole, VarianceSign
    from .core.tables import TOTAL_LABEL
    sign = "budsjett − regnskap" if table.variance_sign is VarianceSign.BUDGET_MINUS_ACCOUNTS else \
        "regnskap − budsjett"
    grid = _text_table(f"{table.municipality} · {table.unit}",
                       f"{table.source.table or table.source.document} · avvik = {sign}")
    variance = table.variance_columns
    result_header = {c.id: ("Merforbruk/mindreforbruk" if len(variance) == 1 else f"{c.label}: mer-/mindreforbruk")
                     for c in variance}

    def cell(row, column) -> str:
        if column.role is ColumnRole.TEXT:
            return row.texts.get(column.id, "")
        return _cell(row.amounts.get(column.id))

    def result(row, column) -> str:
        word, amount = table.spending(row, column)
        return word if amount == 0 else f"{word} {format_amount(amount)}"

    total = table.total
    if table.transposed:
        grid.add_column(UNIT_TEXT[table.amount_unit.value], min_width=12)
        for row in table.rows:
            grid.add_column(row.label, justify="right", no_wrap=True)
        if total is not None:
            grid.add_column(total.label or TOTAL_LABEL, justify="right", no_wrap=True)
        for column in table.columns:
            extra = [_cell(total.amounts.get(column.id))] if total is not None else []
            grid.add_row(column.label, *(cell(r, column) for r in table.rows), *extra)
        for column in variance:
            grid.add_row(result_header[column.id], *(result(r, column) for r in table.rows),
                         *([""] if total is not None else []))
    else:
        grid.add_column(UNIT_TEXT[table.amount_unit.value], ratio=1, overflow="fold", min_width=16)
        for column in table.columns:
            grid.add_column(_two_lines(column.label) if len(column.label) > 12 else column.label,
                            justify="left" if column.role is ColumnRole.TEXT else "right", no_wrap=True)
        for column in variance:
            grid.add_column(result_header[column.id], no_wrap=True)
        for i, row in enumerate(table.rows):
            grid.add_row(row.label, *(cell(row, c) for c in table.columns), *(result(row, c) for c in variance),
                         end_section=total is not None and i == len(table.rows) - 1)
        if total is not None:
            grid.add_row(_text(total.label or TOTAL_LABEL, style="bold"),
                         *(_cell(total.amounts.get(c.id)) for c in table.columns), *("" for _ in variance),
                         style="bold")
    if not table.key_figures:
        return _fit(grid)
    notes = _Table.grid(padding=(0, 2))
    notes.add_column()
    notes.add_column(justify="right")
    notes.add_row(_text("Nøkkeltall", style="bold"), "")
    for figure in table.key_figures:
        notes.add_row(f"  {figure.label} {figure.row}", format_percent(figure.published, figure.decimals))
    return RichGroup(_fit(grid), _text(""), notes)


def group_depths(groups) -> dict[str, int]:
    """Each group's depth (1 for a group under none, 2 under that, …), in one pass over the groups however
    they are chained: each depth is found once, walking up only to a group already known. An unknown parent
    ends a chain (it counts as one level, as ``SumTable.depth`` counts it); a cycle (refused when loading)
    cannot loop."""
    parent: dict[str, str | None] = {}
    for group in groups:
        parent.setdefault(group.id, group.parent)
    depth: dict[str, int] = {}
    for start in parent:
        path: list[str] = []
        on_path: set[str] = set()
        node = start
        while node is not None and node not in depth and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parent.get(node)
        base = depth[node] if node is not None and node in depth else 0
        for steps, name in enumerate(reversed(path), start=1):
            depth[name] = base + steps
    return depth


def group_subtotals(table: SumTable) -> dict[str, dict[str, Decimal]]:
    """Every group's sum per column (its rows, directly or through its subgroups: ``SumTable.subtotal``),
    all at once: each row is added to its own group, then each group to its parent, deepest first. Linear in
    rows and groups (``subtotal`` per group walks them all for each)."""
    depths = group_depths(table.groups)
    parent: dict[str, str | None] = {}
    for group in table.groups:
        parent.setdefault(group.id, group.parent)
    sums: dict[str, dict[str, Decimal]] = {name: {} for name in parent}
    for row in table.rows:
        if row.group in sums:
            own = sums[row.group]
            for column, value in row.values.items():
                own[column] = own.get(column, Decimal(0)) + value
    for name in sorted(parent, key=depths.__getitem__, reverse=True):
        above = parent[name]
        if above in sums and depths[above] < depths[name]:  # never round a cycle (refused when loading)
            into = sums[above]
            for column, value in sums[name].items():
                into[column] = into.get(column, Decimal(0)) + value
    return sums


def sum_table_rich(table: SumTable) -> RenderableType:
    """A sum table as printed: groups as headings with their printed subtotals, rows, the printed total.
    A subtotal or total the source does not print is not shown (nor invented)."""
    from .core.tables import TOTAL_LABEL
    grid = _text_table(f"{table.municipality} · {table.unit}", table.source.table or table.source.document)
    grid.add_column(UNIT_TEXT[table.measure.value], ratio=1, overflow="fold", min_width=20)
    for label in table.columns.values():
        grid.add_column(label, justify="right", no_wrap=True)
    groups = {}
    for group in table.groups:
        groups.setdefault(group.id, group)
    depths = group_depths(table.groups)
    shown: set[str] = set()

    def indented(text: Text, depth: int) -> RenderableType:
        return Padding(text, (0, 0, 0, 2 * depth)) if depth else text

    def headings(group_id: str) -> None:
        """The group's heading, after those of its parents not yet shown: up the chain, then printed down
        it (a loop, not recursion: a chain of any length; each group once)."""
        chain = []
        while group_id is not None and group_id not in shown and group_id in groups:
            shown.add(group_id)
            chain.append(groups[group_id])
            group_id = groups[group_id].parent
        for group in reversed(chain):
            grid.add_row(indented(_text(group.label, style="bold"), depths.get(group.parent, 0)),
                         *(_cell(group.published.get(c)) for c in table.columns))

    for i, row in enumerate(table.rows):
        if row.group is not None and row.group not in shown:
            headings(row.group)
        label = _text(row.label + (f"  ({row.reference})" if row.reference else ""))
        grid.add_row(indented(label, depths.get(row.group, 0 if row.group is None else 1)),
                     *(_cell(row.values.get(c)) for c in table.columns),
                     end_section=table.total is not None and i == len(table.rows) - 1)
    if table.total is not None:
        grid.add_row(_text(table.total.label or TOTAL_LABEL, style="bold"),
                     *(_cell(table.total.published.get(c)) for c in table.columns), style="bold")
    return _fit(grid)


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


def accounts_data(table: AccountsTable) -> dict:
    """An accounts table as plain data (README, "JSON output")."""
    return {
        **_about(table),
        "amount_unit": table.amount_unit.value,
        "variance_sign": table.variance_sign.value,
        "columns": [{"id": c.id, "role": c.role.value, "label": c.label, "year": c.year} for c in table.columns],
        "rows": [
            {"id": r.id, "label": r.label, "amounts": dict(r.amounts), "texts": dict(r.texts),
             "variance": {c.id: {"computed": table.variance(r, c), "result": table.spending(r, c)[0],
                                 "amount": table.spending(r, c)[1]} for c in table.variance_columns}}
            for r in table.rows
        ],
        "total": None if table.total is None else {"label": table.total.label, "amounts": dict(table.total.amounts)},
        "key_figures": [{"label": f.label, "kind": f.kind, "row": f.row, "published": f.published,
                         "computed": table.key_figure(f), "decimals": f.decimals} for f in table.key_figures],
    }


def sum_table_data(table: SumTable) -> dict:
    """A sum table as plain data: computed sums only beside the printed ones."""
    subtotals = group_subtotals(table)
    return {
        **_about(table),
        "measure": table.measure.value,
        "columns": [{"id": k, "label": v} for k, v in table.columns.items()],
        "groups": [{"id": g.id, "label": g.label, "parent": g.parent, "published": dict(g.published),
                    "computed": {c: subtotals[g.id].get(c, Decimal(0)) for c in g.published}}
                   for g in table.groups],
        "rows": [{"id": r.id, "label": r.label, "group": r.group, "reference": r.reference,
                  "values": dict(r.values)} for r in table.rows],
        "total": None if table.total is None else {
            "label": table.total.label, "published": dict(table.total.published),
            "computed": {c: table.grand_total(c) for c in table.total.published}},
    }


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
