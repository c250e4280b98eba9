"""Checks: every published figure against the arithmetic. Pure; returns problems, never raises.

Each published figure is compared with the value computed from the inputs alone (the starting frame and
the items), never from another published figure. So one wrong printed cell is reported once, at its own
``file:line:col``, and a mistake does not spread to the cells after it.

* ``start-mismatch``: the start printed in a column against the computed start: the base, or, under the
  incremental convention, the previous column's computed new frame.
* ``split-mismatch``: the split rows printed in a column (driftsinntekter + driftsutgifter, say) against
  that column's computed start.
* ``subtotal-mismatch``: a group's printed subtotal against the sum of its items and subgroups.
* ``new-frame-mismatch``: the printed new frame against start + all items.
* ``item-mismatch``: the amount a source prints for an item against what the item's rule gives.
* ``unallocated-amount`` (warning): an item's amount for the whole period is not in any year's total.
* ``known-difference-unused`` (warning): a difference recorded under ``kjente_differanser`` did not occur.

A difference whose size is at most ``tolerance`` (in the table's unit) is a warning, not an error: published
totals are rounded on their own and can be off by one. A difference the frame records under
``kjente_differanser`` (same figure, year and amount) is a warning too, citing the record; it is still
reported every time, so that a published error stays visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .models import Budget
from .numbers import format_amount
from .problems import Code, Problem, Severity
from .roll import RolledTable, roll
from .terms import FIGURE_NEW_FRAME, FIGURE_SPLIT, FIGURE_START


def check(budget: Budget, tolerance: Decimal = Decimal(0), table: RolledTable | None = None,
          known_differences: bool = True) -> list[Problem]:
    """All mismatches between the published figures of ``budget`` and its arithmetic, in file order.

    With ``known_differences=False`` the frame's ``kjente_differanser`` are ignored: the table is checked
    exactly as printed.
    """
    table = table or roll(budget)
    frame = budget.frame
    problems: list[Problem] = []
    records = frame.known_differences if known_differences else ()
    known = {(k.figure, k.group, k.year): (i, k) for i, k in enumerate(records)}
    used: set[int] = set()

    def compare(code: Code, figure: str, year: int, published: Decimal, computed: Decimal,
                path: tuple, computed_text: str | None = None, key: tuple[str, str | None] = ("", None)) -> None:
        difference = published - computed
        record = known.get((*key, year))
        recorded = record is not None and record[1].difference == difference
        if recorded:
            used.add(record[0])
        if difference == 0:
            return
        file, line, col = frame.locate(*path)
        shown = computed_text or format_amount(computed)
        message = (f"{figure} {year}: published {format_amount(published)}, computed {shown} "
                   f"(difference {format_amount(difference, plus=True)})")
        if recorded:
            severity = Severity.WARNING
            record_line = frame.locate("kjente_differanser", record[0])[1]
            message += f", a known difference (line {record_line}): {record[1].explanation}"
        elif abs(difference) <= tolerance:
            severity = Severity.WARNING
            message += f", within tolerance {format_amount(tolerance)}"
        else:
            severity = Severity.ERROR
        problems.append(Problem(code, severity, file, line, col, message, None, figure, year, published,
                                computed, difference))

    if table.has_base:
        for year, published in frame.start.published.items():
            compare(Code.START_MISMATCH, FIGURE_START, year, published,
                    table.start[year], ("utgangspunkt", "publisert", year), key=("utgangspunkt", None))
        for year in table.years:
            # The split rows printed under the start must add up to the column's start.
            cells = [(i, s) for i, s in enumerate(frame.start.split) if year in s.amounts]
            if not cells:
                continue
            total = sum((s.amounts[year] for _, s in cells), Decimal(0))
            parts = " + ".join(format_amount(s.amounts[year]) for _, s in cells)
            labels = " + ".join(s.label for _, s in cells)
            figure = f"{FIGURE_SPLIT} ({labels}{' = ' + parts if len(cells) > 1 else ''})"
            compare(Code.SPLIT_MISMATCH, figure, year, total, table.start[year],
                    ("utgangspunkt", "fordeling", cells[0][0], "beløp", year),
                    computed_text=f"{format_amount(table.start[year])} as the start", key=("fordeling", None))
        for year, published in frame.new_frame.published.items():
            compare(Code.NEW_FRAME_MISMATCH, FIGURE_NEW_FRAME, year, published,
                    table.new_frame[year], ("ny_driftsramme", "publisert", year), key=("ny_driftsramme", None))

    for index, group in enumerate(frame.groups):
        computed: Mapping[int, Decimal | None] = table.subtotals[group.id]
        for year, published in group.published.items():
            value = computed[year]
            compare(Code.SUBTOTAL_MISMATCH, group.label, year, published, value or Decimal(0),
                    ("grupper", index, "publisert", year), key=("gruppe", group.id))

    # Items whose amounts come from a rule: the rule against the amounts the source prints.
    for cs in budget.changesets:
        for index, item in enumerate(cs.items):
            for year, published in item.published.items():
                computed_amount = table.amounts[item.id].get(year, Decimal(0))
                difference = published - computed_amount
                if difference == 0:
                    continue
                severity = Severity.WARNING if abs(difference) <= tolerance else Severity.ERROR
                file, line, col = cs.locate("poster", index, "publisert", year)
                message = (f"{item.label} {year}: published {format_amount(published)}, computed "
                           f"{format_amount(computed_amount)} (difference {format_amount(difference, plus=True)})")
                if severity is Severity.WARNING:
                    message += f", within tolerance {format_amount(tolerance)}"
                problems.append(Problem(Code.ITEM_MISMATCH, severity, file, line, col, message, None, item.label,
                                        year, published, computed_amount, difference))

    for entry in table.unallocated:
        cs, index = budget.item_source(entry.item_id)
        file, line, col = cs.locate("poster", index, "periodebeløp")
        problems.append(Problem(
            Code.UNALLOCATED, Severity.WARNING, file, line, col,
            f"{entry.label}: {format_amount(entry.amount)} for the whole period has no yearly split and is "
            "not in any year's total",
            "split it by year under 'beløp' only where the source states the split",
        ))

    for index, record in enumerate(records):
        if index in used:
            continue
        file, line, col = frame.locate("kjente_differanser", index)
        what = f"gruppe {record.group}" if record.group else record.figure
        problems.append(Problem(
            Code.KNOWN_DIFFERENCE_UNUSED, Severity.WARNING, file, line, col,
            f"the recorded difference {format_amount(record.difference, plus=True)} in {what} {record.year} "
            "did not occur",
            "remove the record if the figures were corrected, or correct the record",
        ))

    problems.sort(key=Problem.sort_key)
    return problems


def published_figures(budget: Budget) -> int:
    """How many published figures :func:`check` compares (for the summary line)."""
    frame = budget.frame
    n = sum(len(g.published) for g in frame.groups) + sum(len(it.published) for it in budget.items)
    if frame.start.amount is not None:
        n += len(frame.start.published) + len(frame.new_frame.published)
        n += len({y for s in frame.start.split for y in s.amounts})
    return n


def failed(problems: list[Problem]) -> bool:
    """True if any problem is an error (tolerated differences and notices are warnings)."""
    return any(p.severity is Severity.ERROR for p in problems)
