"""Tables laid out for the outputs that are files: the workbook, the wide CSV and the HTML report.

Every frame and every table as its source prints it, row by row, and each figure with how rammecalc got it:
a formula over other cells of the table (a subtotal, a result row, a new frame, an avvik column), or a
figure written in the file (an item's amount, a printed leaf). The writers turn a :class:`Laid` into cells;
the formulas are structures here (signed references, a constant, a share's rounding), so that the workbook
writes them as live Excel formulas and a test can evaluate them without Excel.

What a formula gives is rammecalc's figure for the cell:

* in a frame, what ``roll`` computes (start + the items; the next column's start from this one's new frame
  in ``inkrementell``); a printed figure that differs is kept beside it (:attr:`Figure.printed`);
* in a table (``tabell``), computed as the source computes it (``delsummer: publiserte``: from the printed
  sub-results). A printed result that its parts miss by a difference the file records (a total rounded on
  its own) gets the recorded difference as a constant in its formula, with the record's explanation: so the
  workbook shows the published figure, and an edit to a part still flows through. A printed figure that
  differs without a record keeps the formula's value and is marked; the printed figure is said beside it.

Pure: no I/O, no rich, no openpyxl. Only the modules of the kinds laid out are imported (a roll of frames
alone does not load the table and grid modules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from .core.checks import format_printed
from .core.numbers import exact, format_amount, format_percent
from .core.problems import Problem
from .core.terms import UNALLOCATED_LABEL, UNIT_TEXT, Convention, Rounding

if TYPE_CHECKING:
    from .core.links import LinkedSet
    from .core.models import Budget
    from .core.roll import RolledTable
    from .core.table import References, Table
    from .loading import Loaded

ZERO = Decimal(0)

#: A cell a formula reads: (the key of its table, or ``None`` for the formula's own; row; column), with row and
#: column the indices of :attr:`Laid.lines` and :attr:`Line.cells`.
Ref = tuple[str | None, int, int]


@dataclass(frozen=True)
class Formula:
    """Σ sign × cell + constant; or, for a share, round(Σ terms ÷ Σ denominator × 100, decimals) + constant.

    ``constant`` is a recorded known difference (the source's own rounding) or, in a frame, a start the table
    does not print; ``why`` says which."""

    terms: tuple[tuple[int, Ref], ...] = ()
    constant: Decimal = ZERO
    denominator: tuple[tuple[int, Ref], ...] = ()
    decimals: int = 0
    rounding: Rounding = Rounding.HALF_UP
    why: str | None = None

    @property
    def is_share(self) -> bool:
        return bool(self.denominator)


@dataclass
class Figure:
    """One cell right of a row's label: a figure (with its formula, if it has one) or a text."""

    #: The figure rammecalc shows, and what the formula gives; ``None`` for a blank (or a text) cell.
    value: Decimal | None = None
    #: The figure as the table format shows it ("9 864", "−8,1 %"), without marks; the text of a text cell.
    text: str = ""
    formula: Formula | None = None
    percent: bool = False
    #: The decimals the figure is printed with.
    decimals: int = 0
    #: True for a text cell (a text column, a dash for a start that is not given).
    is_text: bool = False
    #: What the source prints in the cell, where it prints a figure.
    printed: Decimal | None = None
    #: A figure the source does not print: rammecalc computed it.
    computed: bool = False
    #: The source prints another figure than the formula gives (:attr:`printed`), and the file records no
    #: such difference.
    differs: bool = False
    #: A formula whose cell rammecalc leaves blank (a group with no amount that year): it gives 0, and the
    #: writers hide that 0 so the table looks as printed, while an amount typed into the group shows.
    blank: bool = False
    #: Where the printed figure (or the amount) is written: (file, line, column).
    where: tuple[str, int, int] | None = None
    #: A note on the cell: the figure another file gives, a known difference's explanation.
    note: str | None = None


@dataclass
class Line:
    """A printed row: its label and indentation, and a :class:`Figure` per column (none for a heading)."""

    kind: str
    label: str
    depth: int = 0
    bold: bool = False
    number: str = ""
    cells: list[Figure] = field(default_factory=list)
    heading: bool = False
    #: A frame's row: its id (an item's, a group's); a table's row: its number, id or label.
    id: str | None = None
    where: tuple[str, int, int] | None = None


@dataclass
class Laid:
    """A frame, a table or a links file as its source prints it."""

    key: str
    kind: str  # "ramme", "tabell" or "koblinger"
    file: str
    #: Every file whose problems belong to this table (a frame's changes files too).
    files: tuple[str, ...]
    title: str
    #: The lines under the title: the source, the unit and convention (or form), the file.
    about: tuple[str, ...]
    #: The header over the labels ("Beløp i 1 000 kr").
    label_header: str
    #: Whether a column of the source's row numbers stands before the labels, and its header.
    numbered: bool
    number_header: str
    #: The headers of the columns right of the labels (text columns and figure columns, as printed).
    headers: tuple[str, ...]
    lines: list[Line]
    #: The source prints the rows as columns (years across): the writers print it so.
    transposed: bool = False
    #: Lines under the table: the marks explained, each differing figure, unallocated amounts, footnotes.
    legend: list[str] = field(default_factory=list)
    #: A frame's rolled table (for its chart).
    rolled: RolledTable | None = None

    def find(self, where: tuple[str, int, int], year: int | None = None) -> tuple[int, int | None] | None:
        """The (line, cell) whose printed figure is written at ``where`` (a problem's place); in a frame, of
        ``year``'s column where several cells are written there (a row of blanks read as 0). A problem at a
        row that names no figure (an item's unallocated amount) is placed at its line, with no cell."""
        hits = [(r, c) for r, line in enumerate(self.lines) for c, cell in enumerate(line.cells) if cell.where == where]
        if year is not None and self.rolled is not None and year in self.rolled.years:
            column = len(self.headers) - len(self.rolled.years) + self.rolled.years.index(year)
            hits = [h for h in hits if h[1] == column] or hits
        if hits:
            return hits[0]
        return next(((r, None) for r, line in enumerate(self.lines) if line.where == where), None)


# ------------------------------------------------------------------------------------------------ frames


def _frame_where(budget: Budget, sources, row, index: int, year: int) -> tuple[str, int, int] | None:
    """Where the printed figure (or the amount) of a frame's row is written, for a year."""
    frame = budget.frame
    kind = row.kind
    if kind == "start":
        published = frame.start.published
        return frame.locate("utgangspunkt", "publisert", year) if _shows(frame, published, year) else None
    if kind == "split":
        split = frame.start.split[index]
        return frame.locate("utgangspunkt", "fordeling", index, "beløp", year) if year in split.amounts else None
    if kind in ("group", "subtotal", "group_start"):
        g = frame.group_index(row.id)
        if g is None:  # a heading a scenario added
            return None
        group = frame.groups[g]
        if kind == "group_start":
            return (frame.locate("grupper", g, "utgangspunkt", "publisert", year)
                    if _shows(frame, group.start.published, year) else None)
        if kind == "group" and group.sum_label is not None:
            return None
        return frame.locate("grupper", g, "publisert", year) if _shows(frame, group.published, year) else None
    if kind == "item":
        found = sources.get(row.id)
        if found is None:
            return None
        cs, i = found
        item = cs.items[i]
        if _shows(frame, item.published, year):
            return cs.locate("poster", i, "publisert", year)
        if year in item.amounts:
            return cs.locate("poster", i, "beløp", year)
        return None
    if kind == "new_frame":
        published = frame.new_frame.published
        return frame.locate("ny_driftsramme", "publisert", year) if _shows(frame, published, year) else None
    return None


def _shows(frame, published: Mapping[int, Decimal], year: int) -> bool:
    return year in published or frame.blank(published, year)


def _figure_text(row, year: int) -> str:
    """A frame row's figure as the table format shows it (``render._figure``): the printed figure where the
    arithmetic gives it (a printed −0 keeps its sign), else the computed one."""
    value = row.values.get(year)
    printed = row.published.get(year)
    if printed is not None and (value if value is not None else ZERO) == printed:
        return format_printed(printed)
    if value is not None and row.printed.get(year) and year not in row.differs:
        return format_printed(value)
    return "" if value is None else format_amount(value)


@exact
def frame_layout(budget: Budget, table: RolledTable, key: str, note: str | None = None) -> Laid:
    """A rolled frame as its source prints it, with the subtotals, starts and new frames as formulas."""
    from .core.roll import SUM_ROWS

    frame = table.frame
    years = table.years
    rows = table.rows
    text_ids = list(frame.text_columns)
    first = len(text_ids)  # the first figure column
    level = frame.convention is Convention.LEVEL
    sources = budget.item_sources()

    start_row = next((r for r, row in enumerate(rows) if row.kind == "start"), None)
    new_row = next(r for r, row in enumerate(rows) if row.kind == "new_frame")
    sum_row: dict[str, int] = {}
    block_row: dict[str, int] = {}
    for r, row in enumerate(rows):
        if row.kind == "subtotal" or (row.kind == "group" and row.id not in sum_row):
            sum_row[row.id] = r
        if row.kind == "group_start":
            block_row[row.id] = r
    parents = {g.id: g.parent for g in frame.groups}
    blocks = [g.id for g in frame.blocks if g.id in block_row]

    def ref(r: int, c: int) -> tuple[int, Ref]:
        return (1, (None, r, first + c))

    def members(group_id: str, c: int) -> list[tuple[int, Ref]]:
        """What a group's subtotal adds up: its block's start, its items and its subgroups' subtotals."""
        out = [ref(block_row[group_id], c)] if group_id in block_row else []
        for r, row in enumerate(rows):
            item = row.kind == "item" and row.group == group_id
            subgroup = row.kind in ("group", "subtotal") and sum_row.get(row.id) == r and parents.get(row.id) == group_id
            if item or subgroup:
                out.append(ref(r, c))
        return sorted(out, key=lambda t: t[1][1])

    def start_terms(c: int) -> tuple[list[tuple[int, Ref]], Decimal]:
        """The start of column ``c`` in a formula: its cell, or what makes it where the table prints none."""
        if not table.has_base:
            return ([ref(new_row, c - 1)] if c and not level else []), ZERO
        if start_row is not None:
            return [ref(start_row, c)], ZERO
        if c and not level:
            return [ref(new_row, c - 1)], ZERO
        if blocks:
            return [ref(block_row[b], c) for b in blocks], ZERO
        return [], frame.start.amount or ZERO

    def formula(row, r: int, c: int) -> Formula | None:
        kind = row.kind
        if kind == "start":
            if c and not level:
                return Formula((ref(new_row, c - 1),))
            if blocks:
                return Formula(tuple(ref(block_row[b], c) for b in blocks))
            return Formula((ref(r, 0),)) if c else None  # nivå: every column starts from the same base
        if kind == "group_start":
            if not c:
                return None
            return Formula((ref(r, 0),)) if level else Formula((ref(sum_row[row.id], c - 1),))
        if kind in ("group", "subtotal") and sum_row.get(row.id) == r:
            return Formula(tuple(members(row.id, c)))
        if kind == "new_frame":
            terms, constant = start_terms(c)
            for r2, other in enumerate(rows):
                if other.kind == "item" and other.group is None:
                    terms.append(ref(r2, c))
                elif other.kind in ("group", "subtotal") and sum_row.get(other.id) == r2 and \
                        parents.get(other.id) is None:
                    terms.append(ref(r2, c))
                    if other.id in block_row:  # a block's sum holds its start, which the frame's start counts
                        terms.append((-1, (None, block_row[other.id], first + c)))
            why = "utgangspunktet (trykkes ikke i tabellen)" if constant else None
            return Formula(tuple(_cancel(terms)), constant, why=why)
        return None

    lines: list[Line] = []
    for r, row in enumerate(rows):
        cells = [Figure(text=row.texts.get(t, ""), is_text=True) for t in text_ids]
        for c, year in enumerate(years):
            if row.kind == "start" and not table.has_base:
                cells.append(Figure(text="–", is_text=True))
                continue
            value = row.values.get(year)
            built = formula(row, r, c)
            if built is None and value is None:
                cells.append(Figure())
                continue
            printed = row.published.get(year)
            if year in row.differs:
                printed = row.differs[year]
            elif printed is None and frame.blank(row.published, year):
                printed = ZERO
            cells.append(Figure(
                value=value if value is not None else (ZERO if built is not None else None),
                text=_figure_text(row, year), formula=built, decimals=frame.decimals,
                printed=printed, differs=year in row.differs,
                computed=row.printed.get(year) is False and row.kind in SUM_ROWS,
                blank=value is None, where=_frame_where(budget, sources, row, _split_index(rows, r), year)))
        label = row.label + (" *" if row.overridden else "")
        lines.append(Line(row.kind, label, row.depth, row.kind in ("start", "group", "subtotal", "new_frame"),
                          row.reference or "", cells, id=row.id,
                          where=_row_where(budget, sources, row)))
    about = [" · ".join(x for x in (frame.source.document, frame.source.table) if x),
             " · ".join([_unit(frame), f"konvensjon: {frame.convention.value}"] + ([note] if note else [])),
             frame.file]
    return Laid(key, "ramme", frame.file, (frame.file, *(cs.file for cs in budget.changesets)),
                f"{frame.municipality} · {frame.unit}", tuple(about), _unit(frame),
                any(row.reference for row in rows), "Nr.",
                tuple(frame.text_columns.values()) + tuple(frame.columns[y] for y in years), lines,
                legend=_frame_legend(table), rolled=table)


def _split_index(rows, r: int) -> int:
    """The index of a split row among the split rows (its place under ``utgangspunkt.fordeling``)."""
    return sum(1 for row in rows[:r] if row.kind == "split")


def _row_where(budget: Budget, sources, row) -> tuple[str, int, int] | None:
    """Where a frame's row is written (an item's label; for problems that name no figure)."""
    if row.kind == "item" and row.id in sources:
        cs, i = sources[row.id]
        period = cs.items[i].period_amount is not None  # (the unallocated-amount warning is at it)
        return cs.locate("poster", i, "periodebeløp") if period else cs.locate("poster", i)
    return None


def _cancel(terms: Iterable[tuple[int, Ref]]) -> list[tuple[int, Ref]]:
    """Terms with the same cell added up, those that cancel left out; in the order the cells stand."""
    total: dict[Ref, int] = {}
    for sign, cell in terms:
        total[cell] = total.get(cell, 0) + sign
    return sorted(((s, cell) for cell, s in total.items() if s), key=lambda t: (t[1][1], t[1][2]))


def _unit(frame) -> str:
    unit = UNIT_TEXT[frame.amount_unit.value]
    return f"{unit}, {frame.price_level}" if frame.price_level else unit


def _frame_legend(table: RolledTable) -> list[str]:
    """What the table format says under a frame: the marks, each differing figure, unallocated amounts."""
    from .core.checks import block_start_label

    lines = []
    if any(row.kind in _SUMS and any(v is False for v in row.printed.values()) for row in table.rows):
        lines.append(COMPUTED_LEGEND)
    differing = [(row, year, printed) for row in table.rows for year, printed in row.differs.items()]
    if differing:
        lines.append(DIFFERS_LEGEND)
        for row, year, printed in differing:
            name = row.label
            if row.kind == "group_start":
                index = table.frame.group_index(row.id)
                if index is not None:
                    name = block_start_label(table.frame, index)
            value = row.values.get(year)
            lines.append(f"{name} {year}: trykt {format_printed(printed)}, beregnet "
                         f"{format_amount(value if value is not None else ZERO)}")
    overridden = sorted({name for row in table.rows for name in row.overridden})
    if overridden:
        lines.append(f"*) Beløpet er beregnet med endret {', '.join(overridden)}; en sats nevnt i teksten kan være "
                     "den gamle.")
    for entry in table.unallocated:
        lines.append(f"{UNALLOCATED_LABEL}: {entry.label}, {format_amount(entry.amount)}")
    return lines


_SUMS = frozenset({"start", "group", "group_start", "subtotal", "new_frame"})
COMPUTED_LEGEND = "Kursiv: beregnet av rammecalc; kilden trykker ikke dette tallet."
DIFFERS_LEGEND = "Avviker fra tallet kilden trykker (formelen gir rammecalc sitt tall):"


# ------------------------------------------------------------------------------------------------ tables


@exact
def table_layout(table: Table, references: References | None, key: str,
                 frames: Mapping[str, tuple[str, Laid]] | None = None) -> Laid:
    """A table (``tabell``) as its source prints it, each defined figure a formula over the cells it reads.

    ``frames`` maps a frame file's resolved path to its sheet's key and layout: a row that takes its figures
    from such a frame (``fra``, in the same unit) reads them from the frame's cells, so the workbook follows
    an edit there too."""
    from .core import grid as grid_core
    from .core import table as table_core
    from .core.table import Names, TableUnit

    built, _ = table_core.grid(table, references)
    computed_from_leaves = built.from_printed is False
    names = Names(table)
    column_at = {c.id: n for n, c in enumerate(table.columns)}
    shown = grid_core.printed_or_computed(
        built, [(str(i), c.id) for i, r in enumerate(table.rows) if not r.is_heading for c in table.figure_columns])
    records = _records(table, names)
    decimals = table.decimals
    if decimals is None:
        decimals = 0 if table.amount_unit is not TableUnit.FTE else max(
            (max(-v.as_tuple().exponent, 0) for v in built.printed.values()), default=0)
    pair = table_core.compared_columns(table)
    spending = [_spending(table, i, pair) for i in range(len(table.rows))]
    show_spending = any(spending)

    def ref(cell) -> tuple[int, Ref]:
        return (None, int(cell[0]), column_at[cell[1]])

    def formula(relation, i: int, column, printed: Decimal | None) -> tuple[Formula | None, str | None]:
        if relation.value is not None:  # a figure from another file
            linked = _frame_ref(table, i, column, frames or {}) if printed in (None, relation.value) else None
            if linked is not None:
                return Formula(((1, linked),)), f"fra {relation.source}"
            return None, f"fra {relation.source}: {format_amount(relation.value)}"
        terms = tuple((t.sign, ref(t.cell)) for t in relation.terms)
        if relation.is_share:
            return Formula(terms, denominator=tuple((t.sign, ref(t.cell)) for t in relation.denominator),
                           decimals=relation.decimals or 0, rounding=relation.rounding), None
        return Formula(terms), None

    lines: list[Line] = []
    for i, row in enumerate(table.rows):
        if row.is_heading:
            lines.append(Line("heading", row.heading, row.depth, True, row.number or "",
                              [Figure() for _ in table.columns] + ([Figure()] if show_spending else []),
                              heading=True))
            continue
        located = {cid: path for cid, _, path in table.cells(i)}
        cells: list[Figure] = []
        for column in table.columns:
            if column.is_text:
                cells.append(Figure(text=row.texts.get(column.id, ""), is_text=True))
                continue
            cell = (str(i), column.id)
            value, was_printed = shown[cell]
            percent = column.is_percent or row.share is not None
            places = _share_decimals(table, i, column) if percent else decimals
            printed = built.printed.get(cell)
            where = table.locate(*located[column.id]) if printed is not None else None
            relation = built.primary.get(cell)
            if value is None or (percent and not was_printed):
                cells.append(Figure(where=where))  # (a per cent printed for one row is not invented for others)
                continue
            text = format_percent(value, places) if percent else format_printed(value)
            if relation is None:  # a figure of its own: the printed one
                cells.append(Figure(value, text, None, percent, places, printed=printed, where=where))
                continue
            made, note = formula(relation, i, column, printed)
            differs = False
            if made is not None and relation.value is None:
                computed = built.evaluate(relation) if not computed_from_leaves else built.value(cell)
                if printed is not None and computed is not None and computed != printed:
                    record = records.get((i, column.id, printed - computed))
                    if record is not None and not computed_from_leaves:
                        made = Formula(made.terms, printed - computed, made.denominator, made.decimals,
                                       made.rounding, why=f"kjent differanse: {record}")
                        note = made.why
                    else:
                        differs = True
                        note = f"Kilden trykker {text}"
                        value = computed
                        text = format_percent(value, places) if percent else format_amount(value)
            elif made is not None:  # read from a frame's cell: the frame's figure, as printed here
                value = printed if printed is not None else relation.value
            cells.append(Figure(value, text, made, percent, places, printed=printed, computed=not was_printed,
                                differs=differs, where=where, note=note))
        if show_spending:
            cells.append(Figure(text=spending[i], is_text=True))
        lines.append(Line("result" if row.is_result else "row", row.shown_label, row.depth, row.is_result,
                          row.number or "", cells, id=row.number or row.id or row.label,
                          where=table.locate("rader", i)))
    title = f"{table.municipality} · {table.unit}" if table.unit else table.municipality
    about = [" · ".join(x for x in (table.source.document, table.source.table) if x),
             " · ".join(x for x in (UNIT_TEXT[table.amount_unit.value], table.form,
                                    f"i {table.price_level}-kroner" if table.price_level else None) if x),
             table.file]
    headers = tuple(c.label for c in table.columns) + (("Merforbruk/ mindreforbruk",) if show_spending else ())
    legend = []
    if any(c.computed and not c.percent and c.value is not None for line in lines for c in line.cells):
        legend.append(COMPUTED_LEGEND)
    differing = [(line, n) for line in lines for n, c in enumerate(line.cells) if c.differs]
    if differing:
        legend.append(DIFFERS_LEGEND)
        for line, n in differing:
            cell = line.cells[n]
            shown_printed = format_percent(cell.printed, cell.decimals) if cell.percent else format_printed(cell.printed)
            legend.append(f"{(line.number + ' ') if line.number else ''}{line.label}, {headers[n]}: trykt "
                          f"{shown_printed}, beregnet {cell.text}")
    return Laid(key, "tabell", table.file, (table.file,), title, tuple(about), UNIT_TEXT[table.amount_unit.value],
                any(r.number for r in table.rows), "", headers, lines, transposed=table.transposed, legend=legend)


def _records(table: Table, names) -> dict[tuple[int, str, Decimal], str]:
    """The table's known differences by (row index, column id, difference): their explanations."""
    out = {}
    for record in table.known_differences:
        row = names.find(record.row)
        if isinstance(row, int):
            out.setdefault((row, record.column, record.difference), record.explanation)
    return out


def _share_decimals(table: Table, index: int, column) -> int:
    row = table.rows[index]
    if row.share is not None and row.decimals is not None:
        return row.decimals
    return column.decimals if column.decimals is not None else 1


def _spending(table: Table, index: int, pair) -> str:
    """A row's merforbruk or mindreforbruk (as ``roll`` names it), where the table compares regnskap with
    budsjett."""
    from .core.table import RowKind

    row = table.rows[index]
    if pair is None or row.is_heading:
        return ""
    cells = {cid: v for cid, v, _ in table.cells(index)}
    spent, budget = cells.get(pair[0].id), cells.get(pair[1].id)
    if spent is None or budget is None:
        return ""
    over = spent - budget
    if over == 0:
        return "i balanse"
    if row.kind is RowKind.INCOME:
        words = "merinntekt" if over > 0 else "mindreinntekt"
    elif row.kind in (RowKind.DISPOSAL, RowKind.RESULT):
        return ""
    else:
        words = "merforbruk" if over > 0 else "mindreforbruk"
    return f"{words} {format_amount(abs(over))}"


def _frame_ref(table: Table, index: int, column, frames: Mapping[str, tuple[str, Laid]]) -> Ref | None:
    """The frame cell a ``fra`` row's figure is in, where the frame is laid out too, in the same unit, and
    the frame's figure there is the one this table reads (its printed figure agrees with its roll)."""
    row = table.rows[index]
    address = row.source
    if address is None or column.year is None or not frames:
        return None
    path = str((Path(table.file).parent / address.file).resolve())
    found = frames.get(path)
    if found is None:
        return None
    key, laid = found
    frame = laid.rolled.frame
    if frame.amount_unit.value != table.amount_unit.value or column.year not in laid.rolled.years:
        return None
    if address.group is not None:
        wanted = [r for r, line in enumerate(laid.lines)
                  if line.id == address.group and line.kind in ("group", "subtotal")
                  and line.cells[_year_index(laid, column.year)].formula is not None]
    elif address.row in ("ny_driftsramme", "utgangspunkt"):
        kind = "new_frame" if address.row == "ny_driftsramme" else "start"
        wanted = [r for r, line in enumerate(laid.lines) if line.kind == kind]
    else:
        return None
    if not wanted:
        return None
    c = _year_index(laid, column.year)
    cell = laid.lines[wanted[0]].cells[c]
    if cell.is_text or cell.value is None or cell.differs:
        return None
    return (key, wanted[0], c)


def _year_index(laid: Laid, year: int) -> int:
    return len(laid.headers) - len(laid.rolled.years) + laid.rolled.years.index(year)


# ------------------------------------------------------------------------------------------------ links


def links_layout(linked: LinkedSet, key: str) -> Laid:
    """A links file: each link's two figures, where each is printed, and their difference (a formula)."""
    lines = []
    for i, (link, (a, b)) in enumerate(zip(linked.links.links, linked.figures, strict=True)):
        where = linked.links.locate("koblinger", i)
        explained = link.known_difference.difference if link.known_difference is not None else None
        difference = b.value - a.value
        note = f"forklart: {link.known_difference.explanation}" if explained is not None and explained == difference \
            and difference else None
        cells = [Figure(text=f"{a.name} ({a.at})", is_text=True), Figure(a.value, format_printed(a.value)),
                 Figure(text=f"{b.name} ({b.at})", is_text=True), Figure(b.value, format_printed(b.value)),
                 Figure(difference, format_amount(difference, plus=True) if difference else "0",
                        Formula(((1, (None, i, 3)), (-1, (None, i, 1)))), where=where, note=note)]
        lines.append(Line("link", link.label, cells=cells, where=where))
    return Laid(key, "koblinger", linked.links.file, (linked.links.file,), f"Koblinger · {linked.links.file}",
                ("lik: det andre tallet skal være lik det første",), "Kobling", False, "",
                ("Figur", "", "Lik", "", "Differanse"), lines)


# ------------------------------------------------------------------------------------------------ a run


@dataclass
class Found:
    """A problem of the check, and the table and cell it is about (where it can be placed)."""

    problem: Problem
    key: str | None
    line: int | None
    cell: int | None


@dataclass
class Layout:
    """Everything ``roll`` shows, laid out, and what ``check`` finds in it, each problem placed."""

    tables: list[Laid]
    found: list[Found]
    files: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.found if f.problem.severity.value == "error")

    @property
    def warnings(self) -> int:
        return len(self.found) - self.errors


def sheet_keys(ids: Sequence[str]) -> list[str]:
    """A key for each table that is also a valid and unique sheet name (31 characters, none of ``[]:*?/\\``)."""
    out: list[str] = []
    taken: set[str] = set()
    for name in ids:
        base = re.sub(r"[\[\]:*?/\\']", "-", name)[:31] or "tabell"
        candidate, n = base, 2
        while candidate.lower() in taken or candidate.lower() in ("innhold", "kontroll", "koblinger"):
            suffix = f"~{n}"
            candidate, n = base[:31 - len(suffix)] + suffix, n + 1
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def lay_out(loaded: Loaded, budgets: Sequence[Budget] | None = None, notes: Sequence[str | None] = (),
            check: bool = True, tables: bool = True, links: bool = True) -> Layout:
    """Every frame (``budgets``, default the loaded ones, rolled), table and links file of ``loaded`` (those
    asked for), and, with ``check``, every problem ``rammecalc check`` finds in them (tolerance 0, the known
    differences as recorded), each placed at its table and cell. A variant (a scenario, a parameter set on
    top of the files) is not checked: its figures are meant to differ from the printed ones.

    Raises :class:`~rammecalc.core.problems.AmountOutOfRange` as ``roll`` does."""
    from .core.checks import check as check_frame
    from .core.roll import roll

    budgets = list(loaded.budgets if budgets is None else budgets)
    tables = list(loaded.tables) if tables else []
    links = list(loaded.links) if links else []
    keys = sheet_keys([b.frame.id for b in budgets] + [t.id for t in tables] +
                      [f"koblinger-{Path(k.links.file).stem}" for k in links])
    laid: list[Laid] = []
    problems: list[Problem] = []
    frames_by_path: dict[str, tuple[str, Laid]] = {}
    for n, budget in enumerate(budgets):
        rolled = roll(budget)
        one = frame_layout(budget, rolled, keys[n], notes[n] if n < len(notes) else None)
        laid.append(one)
        frames_by_path[str(Path(budget.frame.file).resolve())] = (keys[n], one)
        if check and not (budget.scenarios or budget.overrides):
            problems += check_frame(budget)
    if tables:
        from .core import table as table_core

        for n, table in enumerate(tables, start=len(budgets)):
            references = loaded.references.get(table.file)
            laid.append(table_layout(table, references, keys[n], frames_by_path))
            if check:
                problems += table_core.check(table, references=references)
    if links:
        from .core import links as links_core

        for n, linked in enumerate(links, start=len(budgets) + len(tables)):
            laid.append(links_layout(linked, keys[n]))
            if check:
                problems += links_core.check(linked)
    if check:
        problems += [p for p in loaded.problems if not p.code.is_input]
    from .report import problem_order

    owners = {file: one for one in laid for file in one.files}
    found = []
    for problem in sorted(problems, key=problem_order):
        one = owners.get(problem.file)
        if one is None:
            found.append(Found(problem, None, None, None))
            continue
        place = one.find((problem.file, problem.line, problem.col), problem.year)
        found.append(Found(problem, one.key, *(place or (None, None))))
    return Layout(laid, found, len(loaded.files))
