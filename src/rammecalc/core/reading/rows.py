"""A table's rows as options for the search (:mod:`.solve`): each way to read a row and place its figures in
the table's columns. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from .layout import Line
from .solve import Equation, Option, residual
from .text import Figure, Reading, readings, split_number

#: Placement costs: a row with fewer figures than columns is most often flush left or flush right.
COST_INNER = 1  # contiguous, neither flush left nor flush right (the budget year only, of five columns)
COST_GAPS = 2  # blank cells between printed ones
#: Readings kept per row: the cheapest, and none that costs this much more than the cheapest.
MAX_READINGS = 80
MAX_EXTRA_COST = 10
#: A unit written after a figure in its cell ("4 årsverk", "2,5 %"), taken off before the figure is read.
_UNIT_SUFFIX = re.compile(r"\s*(årsverk|kr\.?|kroner|mill\.?|stk\.?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Placed:
    """Where an option came from: the reading, and the column of each of its figures."""

    reading: Reading
    columns: tuple[int, ...]

    def text_at(self, column: int) -> str | None:
        """The figure as printed in ``column``, or ``None`` where the cell is blank."""
        for figure, col in zip(self.reading.figures, self.columns):
            if col == column:
                return figure.text
        return None

    def figure_at(self, column: int) -> Figure | None:
        for figure, col in zip(self.reading.figures, self.columns):
            if col == column:
                return figure
        return None


def plainest_label(options: list[Option]) -> str:
    """The label of a row's plainest reading (its first option), or "" for a row of cells with none."""
    source = options[0].source if options else None
    return source.reading.label if isinstance(source, Placed) else ""


class Chosen:
    """What a frame's and a table's reading share: for each row its options (``options``), the one the search
    chose (``choice``) and the table's equations (``equations``), as fields of the dataclass that mixes this in."""

    options: list[list[Option]]
    choice: tuple[int, ...]
    equations: list[Equation]

    def placed(self, row: int) -> Placed:
        source = self.options[row][self.choice[row]].source
        assert isinstance(source, Placed)
        return source

    def cells(self, row: int) -> tuple[Decimal | None, ...]:
        return self.options[row][self.choice[row]].cells

    def failing(self) -> list[tuple[Equation, Decimal]]:
        """The equations that do not hold under the choice, with what is left over."""
        out = []
        for eq in self.equations:
            value = residual(self.options, eq, self.choice)
            if value is not None and value != 0:
                out.append((eq, value))
        return out


def placement_cost(columns: tuple[int, ...], width: int) -> int:
    k = len(columns)
    if k in (0, width):
        return 0
    contiguous = columns[-1] - columns[0] == k - 1
    if contiguous and (columns[0] == 0 or columns[-1] == width - 1):
        return 0
    return COST_INNER if contiguous else COST_GAPS + (columns[-1] - columns[0] - k)


def _cells(reading: Reading, cols: tuple[int, ...], width: int) -> tuple[Decimal | None, ...]:
    cells: list[Decimal | None] = [None] * width
    for figure, col in zip(reading.figures, cols):
        cells[col] = figure.amount
    return tuple(cells)


def balance_cost(figures) -> int:
    """A row's figures across the years are of a size: 262 905 252 839 260 139 257 470 is four figures of six
    digits, not 262, 905 252, 839 260 and 139 257 470. The cost is the spread of their digit counts (zeros and
    dashes left out)."""
    sizes = [len(str(abs(int(f.value)))) for f in figures if f.value]
    return max(sizes) - min(sizes) if len(sizes) > 1 else 0


def text_options(line: Line, width: int, dot: str, *, numbered: bool = True, blank_cost: int = 0,
                 notes: bool = False, code_cols: tuple[int, ...] = (), groups: int = 4) -> list[Option]:
    """Every (reading, placement) of a text row in a table of ``width`` columns, cheapest first.
    ``blank_cost``: what each blank cell costs (in a table where rows are mostly full); ``code_cols``: columns
    of codes (project numbers), left out of the figures' balance."""
    found = readings(line.text, width, dot=dot, numbered=numbered, notes=notes, groups=groups)
    if not found:
        return []
    priced = sorted(((r.cost + blank_cost * (width - len(r.figures)) * (len(r.figures) > 0), r) for r in found),
                    key=lambda x: x[0])
    cheapest = priced[0][0]
    options: list[Option] = []
    for cost0, reading in priced[:MAX_READINGS]:
        if cost0 > cheapest + MAX_EXTRA_COST:
            break
        k = len(reading.figures)
        for cols in combinations(range(width), k):
            amounts = [f for f, c in zip(reading.figures, cols) if c not in code_cols]
            cost = cost0 + placement_cost(cols, width) + balance_cost(amounts)
            options.append(Option(_cells(reading, cols, width), cost, Placed(reading, cols)))
    options.sort(key=lambda o: o.cost)
    return _dedupe(options)


def _dedupe(options: list[Option]) -> list[Option]:
    """Options with the same cells and label are the same option for the arithmetic: keep the cheapest."""
    seen: set = set()
    out = []
    for option in options:
        key = (option.cells, option.source.reading.label if isinstance(option.source, Placed) else None)
        if key not in seen:
            seen.add(key)
            out.append(option)
    return out


def cell_figures(text: str, dot: str) -> list[Figure] | None:
    """The figure a cell holds, in each way it can be read (one, mostly), ``[]`` for a blank cell, ``None``
    if the cell holds text."""
    text = _UNIT_SUFFIX.sub("", text.strip())
    if not text:
        return []
    found = readings(text, 1, dot=dot, numbered=False)
    # a cell is one figure, however it is written (-1905 is no year here); the plainest reading first
    figures = [r.figures[0] for r in found if not r.label and len(r.figures) == 1]
    return list({f.value: f for f in reversed(figures)}.values())[::-1] or None


def cell_options(line: Line, width: int, dot: str, label_cells: int = 1) -> list[Option]:
    """The options of a row whose cells the source gives: the placement is the cells' own; only a figure's
    reading can vary (rarely)."""
    assert line.cells is not None
    cells = list(line.cells)
    label = " ".join(c.strip() for c in cells[:label_cells] if c.strip())
    values = cells[label_cells:label_cells + width]
    values += [""] * (width - len(values))
    per_cell: list[list[Figure | None]] = []
    for value in values:
        figs = cell_figures(value, dot)
        if figs is None:
            return []  # text where a figure belongs: not a row of figures
        per_cell.append(figs or [None])  # type: ignore[list-item]
    options: list[Option] = []

    def build(i: int, acc: list[Figure | None], cost: int) -> None:
        if len(options) > 64:
            return
        if i == width:
            figures = tuple(f for f in acc if f is not None)
            cols = tuple(c for c, f in enumerate(acc) if f is not None)
            number, rest = split_number(label)
            reading = Reading(number, rest, figures, cost)
            options.append(Option(_cells(reading, cols, width), cost, Placed(reading, cols)))
            return
        for k, fig in enumerate(per_cell[i]):
            build(i + 1, acc + [fig], cost + k)

    build(0, [], 0)
    return options


def flush_right(option: Option) -> bool:
    """A row of two figures or more with them in its last columns (a row of one figure is left alone: it is
    most often the budget year's own)."""
    if not isinstance(option.source, Placed):
        return True
    cols = option.source.columns
    width = len(option.cells)
    return len(cols) < 2 or cols == tuple(range(width - len(cols), width))


def flush_left(option: Option) -> bool:
    if not isinstance(option.source, Placed):
        return True
    cols = option.source.columns
    return len(cols) < 2 or cols == tuple(range(len(cols)))
