"""Which way of reading each row makes the table add up: a small constraint search. Pure.

Every row of a copied table can be read in several ways (:mod:`.text`: where its label ends, how its digit
groups join) and placed in several ways (a row with fewer figures than the table has columns: which columns
are blank). Each such way is an :class:`Option`: the row's value in every column. The table's arithmetic is a
set of :class:`Equation` s over cells (a group's items add up to its subtotal in each column; the start and
the changes give the new frame; an avvik is budsjett − regnskap in each row). :func:`solve` finds the options
under which every equation holds, within a tolerance, and says whether that choice is the only one.

The search assigns rows one at a time, the rows with the fewest options first, cheapest option first, and
prunes a branch as soon as an equation can no longer hold: the values the rows not yet assigned can still
add are kept as a bit set of reachable sums (a Python integer used as a bit set: adding a row's values is a
shift and an or, done in C), so a dead branch is seen without being walked. It stops after a budget of
steps and then says it could not tell, never that it could.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

#: The widest range of sums kept as a bit set; a wider one (amounts in kroner) is kept modulo a prime.
MAX_BITS = 2_000_000
MODULUS = 65_521
_MOD_MASK = (1 << MODULUS) - 1


@dataclass(frozen=True)
class Option:
    """One way to read and place a row: its value in each column (``None``: blank, not printed), how it
    costs (see :mod:`.text`), and what it came from (a reading, a placement), for the caller."""

    cells: tuple[Decimal | None, ...]
    cost: int
    source: object = None


@dataclass(frozen=True)
class Equation:
    """``Σ coef × cell = 0`` within ``tolerance``. A cell not printed counts as 0, except a cell in
    ``needs``: if that is not printed the equation does not apply (a new frame not printed for a year says
    nothing about that year). ``name`` is for the caller (which relation, which column)."""

    terms: tuple[tuple[int, int, int], ...]  # (row, column, coefficient)
    needs: tuple[tuple[int, int], ...] = ()
    tolerance: Decimal = Decimal(0)
    name: object = None
    #: The equation applies only if at least one of these cells is printed (a split of the start printed
    #: for the first year only says nothing of the others).
    any_of: tuple[tuple[int, int], ...] = ()


@dataclass
class Result:
    """What the search found: every solution it saw (the options chosen, row by row, the cheapest first; at
    most the cap), whether it saw them all (``complete``), and the steps it took."""

    solutions: list[tuple[int, ...]] = field(default_factory=list)
    complete: bool = True
    steps: int = 0
    #: How the solutions were shown to be all: "complete" (the whole search ran), "local" (the whole search
    #: was too large; every placement that moves one row, or two rows that share a sum, was tried: see
    #: :func:`neighbours`), or "none" (no solution was found in the budget).
    proof: str = "complete"

    @property
    def unique(self) -> bool:
        return len(self.solutions) == 1 and self.proof in ("complete", "local")

    @property
    def best(self) -> tuple[int, ...] | None:
        return self.solutions[0] if self.solutions else None


def _scale(rows: Sequence[Sequence[Option]], equations: Sequence[Equation]) -> int:
    """The power of ten that makes every value and tolerance a whole number."""
    places = 0
    for options in rows:
        for option in options:
            for value in option.cells:
                if value is not None:
                    exponent = value.as_tuple().exponent
                    if isinstance(exponent, int) and exponent < 0:
                        places = max(places, -exponent)
    for eq in equations:
        exponent = eq.tolerance.as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            places = max(places, -exponent)
    return 10 ** places


class _Compiled:
    """The equations as integers: for each equation, each involved row's contribution under each of its
    options (``None`` where an option leaves a needed cell blank: the equation then does not apply)."""

    def __init__(self, rows: Sequence[Sequence[Option]], equations: Sequence[Equation]):
        scale = _scale(rows, equations)
        self.contributions: list[dict[int, list[int | None]]] = []
        self.tolerances: list[int] = []
        #: per equation with ``any_of``: per row, whether each option prints one of those cells
        self.printed: list[dict[int, list[bool]]] = []
        for eq in equations:
            per_row: dict[int, list[int | None]] = {}
            needs_by_row: dict[int, list[int]] = {}
            for r, c in eq.needs:
                needs_by_row.setdefault(r, []).append(c)
            terms_by_row: dict[int, list[tuple[int, int]]] = {}
            for r, c, coef in eq.terms:
                terms_by_row.setdefault(r, []).append((c, coef))
            any_by_row: dict[int, list[int]] = {}
            for r, c in eq.any_of:
                any_by_row.setdefault(r, []).append(c)
            printed: dict[int, list[bool]] = {}
            for r, cols in any_by_row.items():
                printed[r] = [any(option.cells[c] is not None for c in cols) for option in rows[r]]
            self.printed.append(printed)
            for r in set(terms_by_row) | set(needs_by_row) | set(any_by_row):
                values: list[int | None] = []
                for option in rows[r]:
                    if any(option.cells[c] is None for c in needs_by_row.get(r, ())):
                        values.append(None)
                        continue
                    total = 0
                    for c, coef in terms_by_row.get(r, ()):
                        if option.cells[c] is not None:
                            total += coef * int(option.cells[c] * scale)
                    values.append(total)
                per_row[r] = values
            self.contributions.append(per_row)
            self.tolerances.append(int(eq.tolerance * scale))
        self.by_row: list[list[int]] = [[] for _ in rows]
        for e, per_row in enumerate(self.contributions):
            for r in per_row:
                self.by_row[r].append(e)

    def holds(self, e: int, choice: Sequence[int]) -> bool:
        printed = self.printed[e]
        if printed and not any(values[choice[r]] for r, values in printed.items()):
            return True  # none of the cells it is about is printed: it does not apply
        total = 0
        for r, values in self.contributions[e].items():
            value = values[choice[r]]
            if value is None:
                return True
            total += value
        return abs(total) <= self.tolerances[e]


def solve(rows: Sequence[Sequence[Option]], equations: Sequence[Equation], *, cap: int = 12,
          budget: int = 200_000) -> Result:
    """Every way to choose one option per row under which every equation holds (up to ``cap`` of them),
    cheapest first. A row with no options makes the table unsolvable (no solutions)."""
    result = Result()
    n = len(rows)
    if any(not options for options in rows):
        return result
    compiled = _Compiled(rows, equations)
    contributions, tolerances, by_row = compiled.contributions, compiled.tolerances, compiled.by_row

    order = sorted(range(n), key=lambda r: (len(rows[r]) > 1, len(rows[r]), r))
    position = {r: i for i, r in enumerate(order)}
    # For each equation, its rows in the order they are assigned. When a row is assigned, the rows of the
    # equation after it are exactly its open rows: what they can still add is worked out once, here, for
    # every such suffix (the lowest and highest sum, and the bit set of every reachable sum).
    eq_rows = [sorted(per_row, key=position.__getitem__) for per_row in contributions]
    index_in = [{r: k for k, r in enumerate(rows_e)} for rows_e in eq_rows]
    suffix: list[list[tuple | None]] = []
    for e, rows_e in enumerate(eq_rows):
        per_row = contributions[e]
        out: list[tuple | None] = [None] * (len(rows_e) + 1)
        if compiled.printed[e]:  # applies only if one of its cells is printed: checked once all are placed
            suffix.append(out)
            continue
        low = high = 0
        reach: int | None = 1  # the sums themselves, offset by ``low``, while the range fits MAX_BITS
        residues = 1  # the sums modulo MODULUS (a bit set that never grows: sound where the range is wide)
        out[len(rows_e)] = (0, 0, b"\x01", None)
        voidable = False
        for k in range(len(rows_e) - 1, -1, -1):
            values = per_row[rows_e[k]]
            if voidable or any(v is None for v in values):
                voidable = True  # an open row may still switch the equation off: nothing to prune with
                out[k] = None
                continue
            lo, hi = min(values), max(values)
            if reach is not None and (high + hi) - (low + lo) <= MAX_BITS:
                acc = 0
                for v in set(values):
                    acc |= reach << (v - lo)
                reach = acc
            else:
                reach = None
            mod = 0
            for r in {v % MODULUS for v in values}:
                mod |= ((residues << r) | (residues >> (MODULUS - r))) & _MOD_MASK
            residues = mod
            low, high = low + lo, high + hi
            # As bytes, a bit is looked up in constant time; a shift of a big integer costs its length.
            if reach is not None:
                out[k] = (low, high, reach.to_bytes((reach.bit_length() + 7) // 8 or 1, "little"), None)
            else:
                out[k] = (low, high, residues.to_bytes(MODULUS // 8 + 1, "little"), MODULUS)
        suffix.append(out)
    partial = [0] * len(equations)
    voided = [0] * len(equations)
    choice: list[int] = [-1] * n
    found: list[tuple[int, tuple[int, ...]]] = []
    steps = 0

    def feasible(e: int, r: int) -> bool:
        """Can equation ``e`` still hold, now that row ``r`` is assigned?"""
        if voided[e]:
            return True  # a needed cell is blank: the equation does not apply
        if compiled.printed[e]:
            if index_in[e][r] + 1 < len(eq_rows[e]):
                return True
            return compiled.holds(e, choice)
        rest = suffix[e][index_in[e][r] + 1]
        if rest is None:
            return True
        low, high, bits, modulus = rest
        tol = tolerances[e]
        need = -partial[e]
        if not (low - tol <= need <= high + tol):
            return False
        if modulus is not None:  # wide sums (kroner): a sum that is not there modulo a prime is not there
            if tol >= modulus // 2:
                return True
            for d in range(-tol, tol + 1):
                at = (need + d) % modulus
                if bits[at >> 3] >> (at & 7) & 1:
                    return True
            return False
        size = len(bits) * 8
        for at in range(max(need - low - tol, 0), min(need - low + tol, size - 1) + 1):
            if bits[at >> 3] >> (at & 7) & 1:
                return True
        return False

    def go(depth: int, cost: int) -> bool:
        nonlocal steps
        if depth == n:
            found.append((cost, tuple(choice)))
            return len(found) < cap
        r = order[depth]
        mine = by_row[r]
        for k, option in enumerate(rows[r]):
            steps += 1
            if steps > budget:
                return False
            choice[r] = k
            for e in mine:
                v = contributions[e][r][k]
                if v is None:
                    voided[e] += 1
                else:
                    partial[e] += v
            ok = all(feasible(e, r) for e in mine)
            stop = ok and not go(depth + 1, cost + option.cost)
            for e in mine:
                v = contributions[e][r][k]
                if v is None:
                    voided[e] -= 1
                else:
                    partial[e] -= v
            if stop:
                choice[r] = -1
                return False
        choice[r] = -1
        return True

    complete = go(0, 0)
    found.sort(key=lambda x: x[0])
    result.solutions = [sol for _, sol in found]
    result.complete = complete and len(found) < cap
    result.steps = steps
    return result


def residual(rows: Sequence[Sequence[Option]], eq: Equation, choice: Sequence[int]) -> Decimal | None:
    """``Σ coef × cell`` of an equation under a choice (``None`` if it does not apply: a needed cell is
    blank, or none of its ``any_of`` cells is printed)."""
    for r, c in eq.needs:
        if rows[r][choice[r]].cells[c] is None:
            return None
    if eq.any_of and all(rows[r][choice[r]].cells[c] is None for r, c in eq.any_of):
        return None
    total = Decimal(0)
    for r, c, coef in eq.terms:
        value = rows[r][choice[r]].cells[c]
        if value is not None:
            total += coef * value
    return total


def neighbours(rows: Sequence[Sequence[Option]], equations: Sequence[Equation], choice: Sequence[int],
               *, cap: int = 4) -> list[tuple[int, ...]]:
    """Other solutions that differ from ``choice`` in one row or in two rows that share an equation (two
    rows that share none would each have to hold on its own: that is the one-row case). Used where the
    whole search is too large: an other placement that adds up must then move three rows or more at once,
    each by a figure that happens to fit, which the tables do not do by chance."""
    compiled = _Compiled(rows, equations)
    found: list[tuple[int, ...]] = []
    base = list(choice)

    def all_hold(trial: list[int], touched: set[int]) -> bool:
        return all(compiled.holds(e, trial) for r in touched for e in compiled.by_row[r])

    for r in range(len(rows)):
        for k in range(len(rows[r])):
            if k == base[r]:
                continue
            trial = list(base)
            trial[r] = k
            if all_hold(trial, {r}):
                found.append(tuple(trial))
                if len(found) >= cap:
                    return found
    # pairs: join on one shared equation, then check the rest
    for r1 in range(len(rows)):
        if len(rows[r1]) < 2:
            continue
        for r2 in range(r1 + 1, len(rows)):
            if len(rows[r2]) < 2:
                continue
            shared = set(compiled.by_row[r1]) & set(compiled.by_row[r2])
            if not shared:
                continue
            # join on a shared equation that applies (no needed cell blank in the other rows)
            void = True
            for e in sorted(shared):
                per_row = compiled.contributions[e]
                rest = 0
                for r, values in per_row.items():
                    if r in (r1, r2):
                        continue
                    value = values[base[r]]
                    if value is None:
                        break
                    rest += value
                else:
                    void = False
                    break
            tol = compiled.tolerances[e]
            index: dict[int, list[int]] = {}
            for k2, value in enumerate(per_row[r2]):
                if k2 != base[r2] and value is not None:
                    index.setdefault(value, []).append(k2)
            for k1, v1 in enumerate(per_row[r1]):
                if k1 == base[r1]:
                    continue
                if void or v1 is None:
                    candidates = [k2 for k2 in range(len(rows[r2])) if k2 != base[r2]]
                else:
                    need = -(rest + v1)
                    candidates = [k2 for d in range(-tol, tol + 1) for k2 in index.get(need + d, ())]
                for k2 in candidates:
                    trial = list(base)
                    trial[r1], trial[r2] = k1, k2
                    if all_hold(trial, {r1, r2}):
                        found.append(tuple(trial))
                        if len(found) >= cap:
                            return found
    return found


def search(rows: Sequence[Sequence[Option]], equations: Sequence[Equation],
           policies: Sequence[Callable[[Option], bool]] = (), *, budget: int = 25_000) -> Result:
    """:func:`solve`, and where its budget does not suffice, a way to still find a solution and to show it
    is the only one near it.

    ``policies`` are guesses that shrink the search (every row flush right, say, as Askøy prints its items):
    each keeps, in the rows that have any, only the options it allows. A solution found under a policy is
    then checked against all of its :func:`neighbours` in the whole space; the result says which proof it
    rests on (:attr:`Result.proof`)."""
    full = solve(rows, equations, budget=budget)
    if full.complete or len(full.solutions) >= 2:
        return full
    candidates: list[tuple[int, ...]] = list(full.solutions)
    steps = full.steps
    for policy in policies:
        kept: list[list[int]] = []
        for options in rows:
            allowed = [k for k, o in enumerate(options) if policy(o)]
            kept.append(allowed or list(range(len(options))))
        restricted = [[rows[r][k] for k in kept[r]] for r in range(len(rows))]
        part = solve(restricted, equations, cap=2, budget=budget)
        steps += part.steps
        for sol in part.solutions:
            candidates.append(tuple(kept[r][k] for r, k in enumerate(sol)))
        if candidates:
            break
    if not candidates:
        return Result([], complete=False, steps=steps, proof="none")
    cost = lambda sol: sum(rows[r][k].cost for r, k in enumerate(sol))
    candidates = sorted(set(candidates), key=cost)
    best = candidates[0]
    others = [c for c in candidates[1:]]
    for alt in neighbours(rows, equations, best):
        if alt not in others:
            others.append(alt)
    return Result([best, *others], complete=False, steps=steps, proof="local")
