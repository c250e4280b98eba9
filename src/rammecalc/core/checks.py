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

from .models import Budget, Frame, Located
from .numbers import MINUS, exact, format_amount
from .problems import AmountOutOfRange, Code, Problem, Severity
from .roll import RolledTable, roll
from .terms import FIGURE_SPLIT, Convention


def format_printed(value: Decimal) -> str:
    """A printed figure as the source prints it: :func:`~rammecalc.core.numbers.format_amount`, except that a
    printed −0 (a figure rounded to nothing from below) keeps its sign. It equals 0 in every check."""
    if value == 0 and value.is_signed():
        return MINUS + format_amount(value.copy_abs())
    return format_amount(value)


#: How a blank cell read as 0 under 'blank_er_null' is shown in a message.
BLANK_AS_ZERO = "0 (a blank cell, read as 0: 'blank_er_null')"


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
                doc: Located | None = None, published_text: str | None = None, unit: str = "") -> None:
        """One figure: ``key`` matches a record's ``key`` (None: no record can apply); ``path`` is where the
        printed figure stands in ``doc`` (default: this comparer's document). The printed figure is shown as
        printed (:func:`format_printed`), or as ``published_text`` says; ``unit`` follows each figure (" %"
        for a share)."""
        difference = published - computed
        index = self._index.get(key) if key is not None else None
        # A record explains one figure once: where a table checks one cell by two relations (its row's sum
        # and a link to another file, say), it covers the first that differs by its amount, never both.
        recorded = index is not None and index not in self.used and self.records[index].difference == difference
        if recorded:
            self.used.add(index)
        if difference == 0:
            return
        file, line, col = (doc or self.doc).locate(*path)
        name = figure if year is None else f"{figure} {year}"
        message = (f"{name}: published {published_text or format_printed(published)}{unit}, "
                   f"computed {computed_text or format_amount(computed) + unit}"
                   f" (difference {format_amount(difference, plus=True)}{unit})")
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
            table = roll(budget, marks=False)
        except AmountOutOfRange as exc:
            return list(exc.problems)
    frame = budget.frame
    cmp = Comparer(frame, frame.known_differences if known_differences else (), tolerance)

    def printed(published: Mapping[int, Decimal]):
        """Each printed figure (a blank read as 0 too, under 'blank_er_null') and how a message shows it."""
        if not frame.blank_is_zero:
            return [(year, value, None) for year, value in published.items()]
        return [(year, value, BLANK_AS_ZERO if frame.blank(published, year) else None)
                for year, value in frame.as_printed(published).items()]

    if table.has_base:
        for year, published, text in printed(frame.start.published):
            cmp.compare(Code.START_MISMATCH, frame.start.label, ("utgangspunkt", None, year), published,
                        table.start[year], ("utgangspunkt", "publisert", year), year=year, published_text=text)
        for year in table.years:
            # The split rows printed under the start must add up to the column's start.
            cells = [(i, s) for i, s in enumerate(frame.start.split) if year in s.amounts]
            if not cells:
                continue
            total = sum((s.amounts[year] for _, s in cells), Decimal(0))
            parts = " + ".join(format_printed(s.amounts[year]) for _, s in cells)
            labels = " + ".join(s.label for _, s in cells)
            figure = f"{FIGURE_SPLIT} ({labels}{' = ' + parts if len(cells) > 1 else ''})"
            cmp.compare(Code.SPLIT_MISMATCH, figure, ("fordeling", None, year), total, table.start[year],
                        ("utgangspunkt", "fordeling", cells[0][0], "beløp", year),
                        computed_text=f"{format_amount(table.start[year])} as the start", year=year)

    # The bottom row. Without a start (a table of changes only, its bottom row printed as "Sum"), it is the
    # total change against the unknown base, in the declared convention: the column's changes (nivå), or
    # the changes up to and including the year (inkrementell). So a table read in the wrong convention fails
    # here, as a table with a start does.
    for year, published, text in printed(frame.new_frame.published):
        if table.has_base:
            cmp.compare(Code.NEW_FRAME_MISMATCH, frame.new_frame_label, ("ny_driftsramme", None, year), published,
                        table.new_frame[year], ("ny_driftsramme", "publisert", year), year=year,
                        published_text=text)
        else:
            words = ("the sum of the column's changes (nivå)" if frame.convention is Convention.LEVEL
                     else f"the sum of the changes up to {year} (inkrementell)")
            cmp.compare(Code.NEW_FRAME_MISMATCH, frame.new_frame_label, ("ny_driftsramme", None, year), published,
                        table.new_frame[year], ("ny_driftsramme", "publisert", year), year=year,
                        computed_text=f"{format_amount(table.new_frame[year])}, {words}", published_text=text)

    for index, group in enumerate(frame.groups):
        if group.start is not None:  # a block's own base line
            for year, published, text in printed(group.start.published):
                cmp.compare(Code.START_MISMATCH, block_start_label(frame, index), ("utgangspunkt", group.id, year),
                            published, table.block_starts[group.id][year],
                            ("grupper", index, "utgangspunkt", "publisert", year), year=year, published_text=text)
        computed: Mapping[int, Decimal | None] = table.subtotals[group.id]
        for year, published, text in printed(group.published):
            cmp.compare(Code.SUBTOTAL_MISMATCH, group.subtotal_label, ("gruppe", group.id, year), published,
                        computed[year] or Decimal(0), ("grupper", index, "publisert", year), year=year,
                        published_text=text)

    # Items whose amounts come from a rule: the rule against the amounts the source prints.
    for cs in budget.changesets:
        for index, item in enumerate(cs.items):
            for year, published, text in printed(item.published):
                cmp.compare(Code.ITEM_MISMATCH, item.label, None, published,
                            table.amounts[item.id].get(year, Decimal(0)), ("poster", index, "publisert", year),
                            year=year, doc=cs, published_text=text)

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
    """How many published figures :func:`check` compares (for the summary line): a blank read as 0 under
    'blank_er_null' counts as the printed figure it is."""
    frame = budget.frame
    counted = frame.as_printed
    n = sum(len(counted(g.published)) for g in frame.groups) + sum(len(counted(it.published)) for it in budget.items)
    n += sum(len(counted(g.start.published)) for g in frame.blocks)
    n += len(counted(frame.new_frame.published))
    if frame.has_base:
        n += len(counted(frame.start.published))
        n += len({y for s in frame.start.split for y in s.amounts})
    return n


def block_start_label(frame: Frame, index: int) -> str:
    """How a message names a block's base line: its label and its block's heading ("Opprinnelig budsjett
    (Utgifter)"), since every block may print the same label."""
    group = frame.groups[index]
    return f"{group.start.label} ({group.label.rstrip(': ')})"


def failed(problems: list[Problem], strict: bool = False) -> bool:
    """True if any problem is an error (tolerated differences and notices are warnings); with ``strict``, or
    a warning that :func:`fails_strict` too."""
    return any(p.severity is Severity.ERROR or (strict and fails_strict(p)) for p in problems)


def fails_strict(problem: Problem) -> bool:
    """Whether a warning fails a ``--strict`` check: every warning does, except a difference the files record
    (``kjente_differanser``, a link's ``kjent_differanse``) or the command line tolerates (``--tolerance``),
    which a warning reports only so that it stays in sight. A stale record (``known-difference-unused``), an
    amount in no year (``unallocated-amount``), a file or link skipped: each fails."""
    if problem.severity is not Severity.WARNING:
        return False
    accepted = problem.code.value.endswith("-mismatch") or problem.code is Code.LINK_EXPLAINED
    return not accepted
