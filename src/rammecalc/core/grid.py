"""A published table as cells and relations between them: one checker for every shape. Pure.

Every table rammecalc checks is, underneath, cells (a row and a column) with the figures the source prints,
and relations that say how a cell follows from others: a sum of rows, a formula with subtraction
(row 9 = 5 − 8), an avvik column (budsjett − regnskap), a share in per cent, a figure that must equal one
printed elsewhere. A new shape of table is a new way of writing relations, never a new checker.

A relation is linear (target = Σ sign × operand), a share (Σ numerator ÷ Σ denominator × 100, rounded as
printed), or a figure from elsewhere (the target equals it). Operands are read one of two ways, as the
table says:

* **from the printed figures** (``from_printed``, how published tables are made: a result row is the sum
  of the printed, rounded sub-results): an operand that is printed counts as printed; only an operand the
  source leaves blank is computed (from its own relation, else 0). One ±1 cell is then one problem;
* **from the inputs** (the leaves): an operand that has a relation counts as computed, all the way down;
  a misprinted leaf then shows in every figure above it.

Checking compares every printed target with its relation's value; with figures read from the printed ones,
a leaf that two failing relations blame alike (its row's and its column's) is reported once, at the leaf.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .numbers import format_amount, round_exact
from .problems import Code
from .terms import Rounding

Cell = tuple[str, str]
"""``(row key, column key)``."""

ZERO = Decimal(0)


@dataclass(frozen=True)
class Term:
    sign: int
    cell: Cell


@dataclass(frozen=True)
class Relation:
    """How ``target`` follows from other cells (see the module's docstring)."""

    target: Cell
    terms: tuple[Term, ...]
    code: Code
    #: The relation as the table writes it, for messages: "5 − 8", "sum 1–4", "budsjett − regnskap".
    formula: str
    #: A share: Σ terms ÷ Σ denominator × 100, rounded to ``decimals`` by ``rounding``.
    denominator: tuple[Term, ...] = ()
    decimals: int | None = None
    rounding: Rounding = Rounding.HALF_UP
    #: A figure printed elsewhere that the target must equal (its value in this table's unit).
    value: Decimal | None = None
    #: For a figure from elsewhere: where it is printed, and what it is called there.
    source: str | None = None
    #: For a figure from elsewhere in a coarser unit: how far apart the two may be and still be one figure
    #: (half a unit of its last printed digit, in this table's unit).
    allowance: Decimal = ZERO
    #: For a figure from elsewhere: whether it is printed there (a frame's figure it does not print is rolled).
    printed_elsewhere: bool = True
    #: Where the relation is written: the row's own (``rad``: sum, formel, andel), its column's (``kolonne``),
    #: or a tie to another figure (``lik``, ``fra``). A known difference may name it.
    kind: str = "rad"

    @property
    def is_share(self) -> bool:
        return bool(self.denominator)


@dataclass
class Grid:
    """The printed figures and the relations of one table."""

    printed: dict[Cell, Decimal]
    relations: list[Relation]
    from_printed: bool = True
    #: Each relation target's first relation: how its value is computed when another cell reads it.
    primary: dict[Cell, Relation] = field(init=False)
    _memo: dict[Cell, Decimal | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.primary = {}
        for relation in self.relations:
            self.primary.setdefault(relation.target, relation)

    # ---------------------------------------------------------------------------------------- values

    def operand(self, cell: Cell) -> Decimal:
        """What a relation reads for ``cell`` (see the module's docstring)."""
        if self.from_printed and cell in self.printed:
            return self.printed[cell]
        if cell in self.primary:
            value = self.value(cell)
            return value if value is not None else ZERO
        return self.printed.get(cell, ZERO)

    def value(self, cell: Cell) -> Decimal | None:
        """The computed value of a relation target (by its first relation), or its printed figure."""
        if cell not in self.primary:
            return self.printed.get(cell)
        if cell not in self._memo:
            self._fill(cell)
        return self._memo[cell]

    def _fill(self, start: Cell) -> None:
        """Compute ``start`` and everything it needs, depth first without recursion (a chain of thousands of
        rows is as safe as a short one). A cycle is refused by the tables before they get here."""
        stack = [start]
        on_stack = {start}
        while stack:
            cell = stack[-1]
            relation = self.primary[cell]
            waiting = [t.cell for t in (*relation.terms, *relation.denominator)
                       if t.cell in self.primary and t.cell not in self._memo
                       and not (self.from_printed and t.cell in self.printed)]
            if waiting:
                nxt = waiting[0]
                if nxt in on_stack:
                    raise ValueError(f"relations in a cycle through {nxt}")  # the tables refuse cycles first
                stack.append(nxt)
                on_stack.add(nxt)
                continue
            self._memo[cell] = self.evaluate(relation)
            stack.pop()
            on_stack.discard(cell)

    def evaluate(self, relation: Relation) -> Decimal | None:
        """The relation's value from its operands; ``None`` for a share of a zero denominator."""
        if relation.value is not None:
            return relation.value
        total = sum((t.sign * self.operand(t.cell) for t in relation.terms), ZERO)
        if not relation.is_share:
            return total
        denominator = sum((t.sign * self.operand(t.cell) for t in relation.denominator), ZERO)
        if denominator == 0:
            return None
        return round_exact(Fraction(total) / Fraction(denominator) * 100, relation.rounding, relation.decimals or 0)

    def shown(self, relation: Relation, name: Callable[[Cell], str]) -> str:
        """The relation with the figures it read: "5 − 8: 597 384 − 566 046"."""
        if relation.value is not None:
            return f"{relation.formula}: {format_amount(relation.value)}"

        def side(terms: Iterable[Term]) -> str:
            values = [t.sign * self.operand(t.cell) for t in terms]  # what each term adds, signed
            if not values:
                return "0"
            count = len(values)
            pieces = [(v < 0, format_amount(abs(v))) for v in values]
            if count > 8:  # a long sum: its first and last figures, and how many
                pieces = [*pieces[:3], (False, "…"), *pieces[-2:]]
            out = ("−" if pieces[0][0] else "") + pieces[0][1]
            for negative, figure in pieces[1:]:
                out += (" − " if negative else " + ") + figure
            return out + (f" ({count} figures)" if count > 8 else "")

        formula = relation.formula.replace(" - ", " − ")
        if relation.is_share:
            return f"{formula}: {side(relation.terms)} ÷ {side(relation.denominator)} × 100"
        return f"{formula}: {side(relation.terms)}"


@dataclass(frozen=True)
class Finding:
    """A relation whose printed target differs from its computed value."""

    relation: Relation
    published: Decimal
    computed: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.computed is None else self.published - self.computed


def findings(grid: Grid) -> list[Finding]:
    """Every relation with a printed target, computed (a difference of 0 included: known differences that
    no longer occur are found from these)."""
    out = []
    for relation in grid.relations:
        if relation.target in grid.printed:
            out.append(Finding(relation, grid.printed[relation.target], grid.evaluate(relation)))
    return out


@dataclass(frozen=True)
class Blame:
    """A printed figure that explains several failing relations at once: it reads ``published``; read as
    ``implied``, every relation it takes part in holds. ``own`` is its own relation where it has one (a result
    misprinted), ``None`` for a leaf; ``relations`` are every failing relation it explains."""

    cell: Cell
    published: Decimal
    implied: Decimal
    relations: tuple[Relation, ...]
    own: Relation | None = None


def blame(grid: Grid, found: Iterable[Finding], recorded=lambda relation: ZERO) -> list[Blame]:
    """The printed figures a misprint is most likely in, so that it is reported once, at itself, and not at
    every figure it spills into. A printed figure is blamed when, read otherwise by one amount, every relation
    it takes part in holds (the sums and formulas that read it, the shares too, and its own relations), when
    that puts right two or more failing relations, and when no other figure explains the same ones alike.
    A result misprinted (a total, an avvik) is then one finding at itself, its readers' failures explained; a
    leaf read wrong by two results (its row's avvik, its column's total) is one ``cell-mismatch``. A relation
    holds when it differs by what is ``recorded`` for it (a known difference, else 0). Only with figures read
    from the printed ones (from the inputs, a leaf's misprint spreads to every figure above it)."""
    if not grid.from_printed:
        return []
    found = list(found)
    failing = {id(f.relation): f for f in found
               if f.computed is not None and f.difference != recorded(f.relation)}
    if len(failing) < 2:
        return []
    readers: dict[Cell, list[tuple[Relation, int]]] = {}
    owners: dict[Cell, list[Relation]] = {}
    for relation in grid.relations:
        if relation.value is not None:
            continue
        owners.setdefault(relation.target, []).append(relation)
        for term in relation.terms:
            readers.setdefault(term.cell, []).append((relation, term.sign))
        for term in relation.denominator:
            readers.setdefault(term.cell, []).append((relation, 0))
    candidates: dict[frozenset, list[Blame]] = {}
    for cell in {t.cell for f in failing.values() for t in (*f.relation.terms, *f.relation.denominator)} | \
            {f.relation.target for f in failing.values()}:
        if cell not in grid.printed:
            continue
        involved = [r for r, _ in readers.get(cell, ())] + owners.get(cell, [])
        fixed = [r for r in involved if id(r) in failing]
        if len(fixed) < 2:
            continue
        # The amount the first failing relation says the figure is off by: a result's own difference, or a
        # reader's, turned (published − computed = −sign × e for a term of sign ±1).
        first = fixed[0]
        off = failing[id(first)].difference - recorded(first)
        if first.target == cell:
            error = off
        else:
            sign = next(s for r, s in readers[cell] if r is first)
            if sign == 0:
                continue  # a denominator: no amount to read off; another relation will say
            error = -sign * off
        implied = grid.printed[cell] - error
        trial = Grid({**grid.printed, cell: implied}, grid.relations, grid.from_printed)
        if not all(trial.printed.get(r.target) is None or trial.evaluate(r) is not None
                   and trial.printed[r.target] - trial.evaluate(r) == recorded(r) for r in involved):
            continue
        own = next((r for r in owners.get(cell, []) if id(r) in failing), None)
        if own is not None and not _confirmed(cell, error, fixed, owners, failing, grid):
            continue
        key = frozenset(id(r) for r in fixed)
        candidates.setdefault(key, []).append(Blame(cell, grid.printed[cell], implied, tuple(fixed), own))
    out = []
    taken: set[int] = set()
    for key, blames in sorted(candidates.items(), key=lambda kv: -len(kv[0])):
        if len(blames) != 1 or key & taken:
            continue  # two figures would explain it alike: the evidence does not say which
        out.append(blames[0])
        taken |= key
    return out


def _confirmed(cell: Cell, error: Decimal, fixed: list[Relation], owners: dict, failing: dict, grid: Grid) -> bool:
    """Whether a printed result (a cell with a relation of its own) may take the blame for the results that
    read it. A result printed one unit off its parts is as often rounded on its own as misprinted: in a
    statutory form, row 8 printed one more than 6 + 7 makes row 9 (5 − 8) one off too, though both are
    rounded from kroner, and both are findings. So a result takes the blame for its readers only where each
    reader is known right by another relation of its own cell that holds (the avvik total that equals
    budsjett − regnskap of the totals, when one row's avvik is misprinted), or where it is off by more than
    rounding could make it (more than one unit of its last printed digit)."""
    readers = [r for r in fixed if r.target != cell]
    if all(any(other is not r and id(other) not in failing for other in owners.get(r.target, []))
           for r in readers):
        return True
    exponent = grid.printed[cell].as_tuple().exponent
    unit = Decimal(1).scaleb(exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return abs(error) > unit


def share_relation(target: Cell, numerator: tuple[Term, ...], denominator: tuple[Term, ...], formula: str,
                   decimals: int, rounding: Rounding) -> Relation:
    return Relation(target, numerator, Code.KEY_FIGURE_MISMATCH, formula, denominator, decimals, rounding)


def printed_or_computed(grid: Grid, cells: Iterable[Cell]) -> Mapping[Cell, tuple[Decimal | None, bool]]:
    """For showing a table: each cell's figure and whether the source prints it (a sum it leaves blank is
    computed)."""
    out: dict[Cell, tuple[Decimal | None, bool]] = {}
    for cell in cells:
        if cell in grid.printed:
            out[cell] = (grid.printed[cell], True)
        elif cell in grid.primary:
            # a figure taken from another file is printed there; only what a relation computes is ours
            relation = grid.primary[cell]
            out[cell] = (grid.value(cell), relation.value is not None and relation.printed_elsewhere)
        else:
            out[cell] = (None, True)
    return out
