"""How a figure came about: an item's amount, a group's subtotal, a start or a new frame. Pure.

Builds a render-agnostic :class:`Explanation` from a rolled table: for each year, the lines that lead to
the figure (inputs with the file and line they came from, parameters and any ``--set`` override, the
formula, the rounding, the result) and, where the source prints the figure, where it was read from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .checks import format_printed
from .models import Budget, Frame, Item, Source
from .numbers import exact, format_amount
from .roll import RolledTable
from .rules import Step
from .terms import Convention

ZERO = Decimal(0)

#: Words for ``explain``'s ITEM argument that name a row rather than an item or a group.
NEW_FRAME_WORDS = ("ny_driftsramme", "ny-driftsramme", "ramme")
START_WORDS = ("utgangspunkt",)


@dataclass(frozen=True)
class Explanation:
    title: str
    about: tuple[str, ...]
    #: Per year (a frame) or per column (a table, by its label): the lines.
    years: tuple[tuple[int | str, tuple[Step, ...]], ...]


class NotFound(LookupError):
    """No item, group or row of that name; ``candidates`` are the names there are."""

    def __init__(self, name: str, candidates: list[str]):
        super().__init__(name)
        self.name = name
        self.candidates = candidates


def find_item(budget: Budget, name: str) -> Item | None:
    """An item by id, or by the source's own number (``referanse``) where that is unique."""
    items = budget.items
    for item in items:
        if item.id == name:
            return item
    by_reference = [item for item in items if item.reference == name]
    return by_reference[0] if len(by_reference) == 1 else None


def names(budget: Budget) -> list[str]:
    return [*(i.id for i in budget.items), *(g.id for g in budget.frame.groups), NEW_FRAME_WORDS[0],
            START_WORDS[0]]


@exact
def explain(budget: Budget, table: RolledTable, name: str, year: int | None = None) -> Explanation:
    """Explain the item, group, ``utgangspunkt`` or ``ny_driftsramme`` called ``name`` (every year, or one)."""
    frame = budget.frame
    years = (year,) if year is not None else table.years

    def printed(value: Decimal | None, where: tuple[str, int, int] | None, source: Source = frame.source) -> list[Step]:
        if value is None:
            return [Step("printed", "nothing printed for this year")]
        named = f"{source.table} ({source.document})" if source.table else source.document
        if source.page:
            named += f", {source.page}"
        return [Step("printed", f"{format_printed(value)}, from {named}", where)]

    item = find_item(budget, name)
    if item is not None:
        cs, index = budget.item_source(item.id)
        group = next((g for g in frame.groups if g.id == item.group), None)
        kind = f" ({item.category.value})" if item.category is not None else ""
        where = f"under {group.label}" if group is not None else "outside every group"
        about = [f"item {item.id}{kind} {where}, frame {frame.id}",
                 f"written at {':'.join(map(str, cs.locate('poster', index)))}"]
        if item.id_derived:
            about.append("its id is derived from its label (the file gives none)")
        about += [f"{frame.text_columns[column]}: {text}" for column, text in item.texts.items()
                  if column in frame.text_columns]
        if item.reference:
            about.append(f"the source's number: {item.reference}")
        if item.note:
            about.append(f"note: {item.note}")
        sections = []
        levels = table.levels.get(item.id)
        for y in years:
            lines = list(table.steps.get(item.id, {}).get(y, []))
            amount = table.amounts[item.id].get(y)
            if year is None and amount is None and y not in item.published:
                continue  # nothing to tell about this year
            if levels is not None:
                lines.append(_convention_step(frame.convention, levels, y, table.years[0]))
            lines.append(Step("amount", format_amount(amount) if amount is not None else "blank (nothing this year)"))
            lines += _printed_or_blank(frame, item.published, y,
                                       lambda value, where: printed(value, where, cs.source),
                                       lambda y=y: cs.locate("poster", index, "publisert", y))
            sections.append((y, tuple(lines)))
        if item.period_amount is not None:
            about.append(f"also {format_amount(item.period_amount)} for the whole period with no yearly split, "
                         "in no year's total")
        return Explanation(item.label, tuple(about), tuple(sections))

    for gi, group in enumerate(frame.groups):
        if group.id != name:
            continue
        members = [it for it in budget.items if it.group == group.id]
        subgroups = [g for g in frame.groups if g.parent == group.id]
        sections = []
        for y in years:
            lines = []
            if group.start is not None:
                lines.append(_block_start_step(budget, table, gi, y))
                lines += _printed_or_blank(frame, group.start.published, y, printed,
                                           lambda y=y, gi=gi: frame.locate("grupper", gi, "utgangspunkt",
                                                                           "publisert", y))
            lines += [Step(it.label, format_amount(table.amounts[it.id][y])) for it in members
                      if y in table.amounts[it.id]]
            lines += [Step(g.subtotal_label, format_amount(table.subtotals[g.id][y])) for g in subgroups
                      if table.subtotals[g.id][y] is not None]
            total = table.subtotals[group.id][y]
            lines.append(Step("sum", format_amount(total) if total is not None else "blank (nothing this year)"))
            lines += _printed_or_blank(frame, group.published, y, printed,
                                       lambda y=y, gi=gi: frame.locate("grupper", gi, "publisert", y))
            sections.append((y, tuple(lines)))
        about = [f"group {group.id}, frame {frame.id}"]
        if group.sum_label is not None:
            about.append(f"its sum is printed below its items, as {group.sum_label}, under the heading {group.label}")
        if group.start is not None:
            about.append(f"a block: its sum is its own start ({group.start.label}) + its changes")
        return Explanation(group.subtotal_label, tuple(about), tuple(sections))

    if name in NEW_FRAME_WORDS + START_WORDS:
        is_new = name in NEW_FRAME_WORDS
        row = frame.new_frame if is_new else frame.start
        key = "ny_driftsramme" if is_new else "utgangspunkt"
        sections = []
        for y in years:
            lines = [_start_step(budget, table, y)]
            if is_new:
                # The changes: the items outside every group, each top-level group's subtotal (a block's
                # without its start, which the start above holds).
                lines += [Step(it.label, format_amount(table.amounts[it.id][y])) for it in budget.items
                          if it.group is None and y in table.amounts[it.id]]
                for g in frame.groups:
                    total = table.subtotals[g.id][y]
                    if g.parent is not None or total is None:
                        continue
                    if g.start is not None:
                        lines.append(Step(f"{g.subtotal_label} − {g.start.label}",
                                          format_amount(total - table.block_starts[g.id][y])))
                    else:
                        lines.append(Step(g.subtotal_label, format_amount(total)))
                lines.append(Step("new frame", format_amount(table.new_frame[y])))
            lines += _printed_or_blank(frame, row.published, y, printed, lambda y=y: frame.locate(key, "publisert", y))
            sections.append((y, tuple(lines)))
        label = frame.new_frame_label if is_new else row.label
        return Explanation(label, (f"{key}, frame {frame.id} ({frame.convention.value})",), tuple(sections))

    raise NotFound(name, names(budget))


def _printed_or_blank(frame: Frame, published, year: int, printed, where) -> list[Step]:
    """Where the row's figure of ``year`` was printed; a blank read as 0 under 'blank_er_null' says so."""
    if not published:
        return []
    if frame.blank(published, year):
        return [Step("printed", "0: a blank cell, read as 0 ('blank_er_null')", where())]
    return printed(published.get(year), where() if year in published else None)


def _start_step(budget: Budget, table: RolledTable, year: int) -> Step:
    frame = budget.frame
    if not table.has_base:
        return Step("start", "not given (the source prints only the changes): counted from 0")
    if frame.convention is Convention.INCREMENTAL and year != table.years[0]:
        return Step("start", f"{format_amount(table.start[year])}, the new frame of {year - 1} (inkrementell)")
    if frame.start.amount is None:  # a frame of blocks: the sum of their starts
        parts = " + ".join(f"{format_amount(g.start.amount)} ({g.start.label}, {g.label.rstrip(': ')})"
                           for g in frame.blocks)
        return Step("start", f"{format_amount(table.start[year])}: the blocks' starts, {parts}")
    return Step("start", f"{format_amount(table.start[year])} ({frame.start.label})", frame.locate("utgangspunkt", "beløp"))


def _block_start_step(budget: Budget, table: RolledTable, index: int, year: int) -> Step:
    frame = budget.frame
    group = frame.groups[index]
    start = table.block_starts[group.id][year]
    if frame.convention is Convention.INCREMENTAL and year != table.years[0]:
        return Step(group.start.label, f"{format_amount(start)}, the block's sum in {year - 1} (inkrementell)")
    return Step(group.start.label, format_amount(start), frame.locate("grupper", index, "utgangspunkt", "beløp"))


def _convention_step(convention: Convention, levels, year: int, first: int) -> Step:
    level = levels.get(year, ZERO)
    if convention is Convention.INCREMENTAL:
        before = levels.get(year - 1, ZERO)
        return Step("convention", f"inkrementell: the change from {year - 1}: {format_amount(level)} − "
                                  f"{format_amount(before)} = {format_amount(level - before)}")
    before = levels.get(first - 1, ZERO)
    if before == 0:
        return Step("convention", f"nivå: the level against the base: {format_amount(level)}")
    return Step("convention", f"nivå: the level against the base: {format_amount(level)} − {format_amount(before)} "
                              f"(already in the base) = {format_amount(level - before)}")


# ------------------------------------------------------------------------------ tables that state figures


@exact
def explain_row(table, name: str, column: str | None = None, references=None) -> Explanation:
    """How a table's row came about, column by column (or in one column: its id, or its year): the relation
    that defines each figure, the figures it read (printed, or computed where the source leaves them blank)
    with where each is written, the result, and the printed figure against it.

    A row with no relation of its own is an input: its figures, and the results that read them."""
    from .grid import findings
    from .table import Names, grid

    names = Names(table)
    index = names.find(name)
    if isinstance(index, str):
        raise NotFound(name, [str(r.number or r.id or r.label) for r in table.rows if not r.is_heading])
    built, _ = grid(table, references)
    row = table.rows[index]
    key = str(index)
    columns = [c for c in table.figure_columns
               if column is None or c.id == column or (c.year is not None and str(c.year) == str(column))]
    if column is not None and not columns:
        raise NotFound(column, [c.id for c in table.figure_columns])
    paths = {(str(i), cid): path for i in range(len(table.rows)) if not table.rows[i].is_heading
             for cid, _, path in table.cells(i)}
    by_target: dict[tuple, list] = {}
    for found in findings(built):
        by_target.setdefault(found.relation.target, []).append(found)
    readers = [r for r in built.relations if any(t.cell[0] == key for t in (*r.terms, *r.denominator))]

    def where(cell: tuple) -> tuple[str, int, int] | None:
        return table.locate(*paths[cell]) if cell in paths and cell in built.printed else None

    def shown(cell: tuple) -> str:
        value = built.operand(cell)
        column_of = next(c for c in table.columns if c.id == cell[1])
        text = format_amount(value) + (" %" if column_of.is_percent else "")
        if cell not in built.printed:
            text += " (computed)" if cell in built.primary else " (blank: 0)"
        return text

    written = ":".join(map(str, table.locate("rader", index)))
    about = [f"row {row.number or index + 1} of table {table.id}, written at {written}"]
    if row.note:
        about.append(f"note: {row.note}")
    sections = []
    for col in columns:
        cell = (key, col.id)
        lines: list[Step] = []
        relations = [r for r in built.relations if r.target == cell]
        for relation in relations:
            lines.append(Step("defined as", relation.formula.replace(" - ", " − ")))
            for term in relation.terms:
                other = table.row_name(int(term.cell[0])) if term.cell[0] != key else \
                    next(c.label for c in table.columns if c.id == term.cell[1])
                lines.append(Step(("− " if term.sign < 0 else "+ ") + other, shown(term.cell), where(term.cell)))
            for term in relation.denominator:
                lines.append(Step("÷ " + table.row_name(int(term.cell[0])), shown(term.cell), where(term.cell)))
            value = built.evaluate(relation)
            if relation.source is not None:
                lines.append(Step("from", f"{format_amount(relation.value)} ({relation.source})"))
            lines.append(Step("computed", "cannot: its denominator is 0" if value is None else
                              format_amount(value) + (" %" if relation.is_share else "")))
        if not relations:
            lines.append(Step("input", "a printed figure no relation of the table defines"))
        printed = built.printed.get(cell)
        if printed is not None:
            verdict = ""
            for found in by_target.get(cell, []):
                if found.difference:
                    verdict = f"; differs from {found.relation.formula.replace(' - ', ' − ')} by " \
                              f"{format_amount(found.difference, plus=True)}"
                    record = next((r for r in table.known_differences if r.column == col.id
                                   and names.find(r.row) == index and r.difference == found.difference), None)
                    if record is not None:
                        verdict += f", a known difference: {record.explanation}"
            lines.append(Step("printed", format_amount(printed) + (" %" if col.is_percent else "") +
                              (verdict or ("; agrees" if relations else "")), where(cell)))
        else:
            lines.append(Step("printed", "nothing printed here"))
        users = [r for r in readers if r.target[1] == col.id]
        if users:
            lines.append(Step("read by", ", ".join(dict.fromkeys(table.row_name(int(r.target[0])) for r in users))))
        sections.append((col.label, tuple(lines)))
    return Explanation(table.row_name(index), tuple(about), tuple(sections))
