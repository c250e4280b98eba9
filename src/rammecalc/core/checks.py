"""Checks: every published figure against the arithmetic. Pure; returns problems, never raises.

Each published figure is compared with the value computed from the inputs alone (the starting frame and
the items), never from another published figure. So one wrong printed cell is reported once, at its own
``file:line:col``, and a mistake does not spread to the cells after it.

* ``start-mismatch``: the start printed in a column against the computed start: the base, or, under the
  incremental convention, the previous column's computed new frame.
* ``split-mismatch``: the split rows printed in a column (driftsinntekter + driftsutgifter, say) against
  that column's computed start.
* ``subtotal-mismatch``: a group's printed subtotal against the sum of its items and subgroups.
* ``new-frame-mismatch``: the printed new frame against start + all items; in a frame with no start, the
  printed total change ("Sum") against the items in the declared convention.
* ``item-mismatch``: the amount a source prints for an item against what the item's rule gives.
* ``unallocated-amount`` (warning): an item's amount for the whole period is not in any year's total.
* ``known-difference-unused`` (warning): a difference recorded under ``kjente_differanser`` did not occur.

A difference whose size is at most ``tolerance`` (in the table's unit) is a warning, not an error: published
totals are rounded on their own and can be off by one. A difference the frame records under
``kjente_differanser`` (same figure, year and amount) is a warning too, citing the record; it is still
reported every time, so that a published error stays visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .models import Budget, Located
from .numbers import exact, format_amount
from .problems import AmountOutOfRange, Code, Problem, Severity
from .roll import RolledTable, roll
from .terms import FIGURE_NEW_FRAME, FIGURE_SPLIT, FIGURE_START, Convention


@dataclass
class Comparer:
    """Compares published figures with computed ones for one document, collecting the problems.

    The one place that decides what a difference is: an error, a warning within ``tolerance``, or a warning
    citing the ``records`` (``kjente_differanser``) that explain it; and a record whose difference did not
    occur is reported by :meth:`finish`. Frames, accounts tables and sum tables all check through it.
    """

    doc: Located
    records: Sequence = ()
    tolerance: Decimal = Decimal(0)
    problems: list[Problem] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    #: Each record's index by the key of the figure it is about (the first, if two name one figure), so
    #: that a figure finds its record at once, not by a scan of every record.
    _index: dict[tuple, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for i, record in enumerate(self.records):
            self._index.setdefault(record.key, i)

    def compare(self, code: Code, figure: str, key: tuple | None, published: Decimal, computed: Decimal,
                path: tuple, computed_text: str | None = None, year: int | None = None,
                doc: Located | None = None, unit: str = "") -> None:
        """One figure: ``key`` matches a record's ``key`` (None: no record can apply); ``path`` is where the
        printed figure stands in ``doc`` (default: this comparer's document); ``unit`` follows each figure
        (" %" for a share)."""
        difference = published - computed
        index = self._index.get(key) if key is not None else None
        recorded = index is not None and self.records[index].difference == difference
        if recorded:
            self.used.add(index)
        if difference == 0:
            return
        file, line, col = (doc or self.doc).locate(*path)
        name = figure if year is None else f"{figure} {year}"
        message = (f"{name}: published {format_amount(published)}{unit}, computed "
                   f"{computed_text or format_amount(computed) + unit} (difference {format_amount(difference, plus=True)}"
                   f"{unit})")
        if recorded:
            severity = Severity.WARNING
            record_line = self.doc.locate("kjente_differanser", index)[1]
            message += f", a known difference (line {record_line}): {self.records[index].explanation}"
        elif abs(difference) <= self.tolerance:
            severity = Severity.WARNING
            message += f", within tolerance {format_amount(self.tolerance)}"
        else:
            severity = Severity.ERROR
        self.problems.append(Problem(code, severity, file, line, col, message, None, figure, year, published,
                                     computed, difference))

    def finish(self) -> list[Problem]:
        """The problems, with every recorded difference that did not occur, in file order."""
        for index, record in enumerate(self.records):
            if index in self.used:
                continue
            file, line, col = self.doc.locate("kjente_differanser", index)
            self.problems.append(Problem(
                Code.KNOWN_DIFFERENCE_UNUSED, Severity.WARNING, file, line, col,
                f"the recorded difference {format_amount(record.difference, plus=True)} in {record.label} "
                "did not occur",
                "remove the record if the figures were corrected, or correct the record",
            ))
        return sorted(self.problems, key=Problem.sort_key)


@exact
def check(budget: Budget, tolerance: Decimal = Decimal(0), table: RolledTable | None = None,
          known_differences: bool = True) -> list[Problem]:
    """All mismatches between the published figures of ``budget`` and its arithmetic, in file order.

    With ``known_differences=False`` the frame's ``kjente_differanser`` are ignored: the table is checked
    exactly as printed. A rule whose result is beyond the limits is returned as its problem
    (``input-amount-out-of-range``, an input problem: the shell exits 2), and nothing else is checked.
    """
    if table is None:
        try:
            table = roll(budget)
        except AmountOutOfRange as exc:
            return list(exc.problems)
    frame = budget.frame
    cmp = Comparer(frame, frame.known_differences if known_differences else (), tolerance)

    if table.has_base:
        for year, published in frame.start.published.items():
            cmp.compare(Code.START_MISMATCH, FIGURE_START, ("utgangspunkt", None, year), published,
                        table.start[year], ("utgangspunkt", "publisert", year), year=year)
        for year in table.years:
            # The split rows printed under the start must add up to the column's start.
            cells = [(i, s) for i, s in enumerate(frame.start.split) if year in s.amounts]
            if not cells:
                continue
            total = sum((s.amounts[year] for _, s in cells), Decimal(0))
            parts = " + ".join(format_amount(s.amounts[year]) for _, s in cells)
            labels = " + ".join(s.label for _, s in cells)
            figure = f"{FIGURE_SPLIT} ({labels}{' = ' + parts if len(cells) > 1 else ''})"
            cmp.compare(Code.SPLIT_MISMATCH, figure, ("fordeling", None, year), total, table.start[year],
                        ("utgangspunkt", "fordeling", cells[0][0], "beløp", year),
                        computed_text=f"{format_amount(table.start[year])} as the start", year=year)

    # The bottom row. Without a start (a table of changes only, its bottom row printed as "Sum"), it is the
    # total change against the unknown base, in the declared convention: the column's changes (nivå), or
    # the changes up to and including the year (inkrementell). So a table read in the wrong convention fails
    # here, as a table with a start does.
    for year, published in frame.new_frame.published.items():
        if table.has_base:
            cmp.compare(Code.NEW_FRAME_MISMATCH, FIGURE_NEW_FRAME, ("ny_driftsramme", None, year), published,
                        table.new_frame[year], ("ny_driftsramme", "publisert", year), year=year)
        else:
            words = ("the sum of the column's changes (nivå)" if frame.convention is Convention.LEVEL
                     else f"the sum of the changes up to {year} (inkrementell)")
            cmp.compare(Code.NEW_FRAME_MISMATCH, frame.new_frame.label, ("ny_driftsramme", None, year), published,
                        table.new_frame[year], ("ny_driftsramme", "publisert", year), year=year,
                        computed_text=f"{format_amount(table.new_frame[year])}, {words}")

    for index, group in enumerate(frame.groups):
        computed: Mapping[int, Decimal | None] = table.subtotals[group.id]
        for year, published in group.published.items():
            cmp.compare(Code.SUBTOTAL_MISMATCH, group.label, ("gruppe", group.id, year), published,
                        computed[year] or Decimal(0), ("grupper", index, "publisert", year), year=year)

    # Items whose amounts come from a rule: the rule against the amounts the source prints.
    for cs in budget.changesets:
        for index, item in enumerate(cs.items):
            for year, published in item.published.items():
                cmp.compare(Code.ITEM_MISMATCH, item.label, None, published,
                            table.amounts[item.id].get(year, Decimal(0)), ("poster", index, "publisert", year),
                            year=year, doc=cs)

    problems = cmp.problems
    sources = budget.item_sources() if table.unallocated else {}
    for entry in table.unallocated:
        cs, index = sources[entry.item_id]
        file, line, col = cs.locate("poster", index, "periodebeløp")
        problems.append(Problem(
            Code.UNALLOCATED, Severity.WARNING, file, line, col,
            f"{entry.label}: {format_amount(entry.amount)} for the whole period has no yearly split and is "
            "not in any year's total",
            "split it by year under 'beløp' only where the source states the split",
        ))

    return cmp.finish()


def published_figures(budget: Budget) -> int:
    """How many published figures :func:`check` compares (for the summary line)."""
    frame = budget.frame
    n = sum(len(g.published) for g in frame.groups) + sum(len(it.published) for it in budget.items)
    n += len(frame.new_frame.published)
    if frame.start.amount is not None:
        n += len(frame.start.published)
        n += len({y for s in frame.start.split for y in s.amounts})
    return n


def failed(problems: list[Problem]) -> bool:
    """True if any problem is an error (tolerated differences and notices are warnings)."""
    return any(p.severity is Severity.ERROR for p in problems)
