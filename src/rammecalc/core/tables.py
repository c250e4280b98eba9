"""What the accounts tables and the sum tables share: their unit, known differences, and the comparison.

Accounts tables (``accounts.py``) and sum tables (``sums.py``) are checked the way frames are
(``checks.py``): every published figure against the value computed from the printed inputs alone, with
``--tolerance`` and ``kjente_differanser`` turning a difference into a warning. That logic lives here once
for both new kinds, so that ``checks.py`` (the frames) stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Literal

from pydantic import Field

from .models import Id, Located, Model, Money, Text
from .numbers import format_amount
from .problems import Code, Problem, Severity


class TableUnit(str, Enum):
    """The unit of a table's figures: money, or full-time equivalents (årsverk, with decimals: 2,5)."""

    KRONER = "kr"
    THOUSANDS = "1 000 kr"
    MILLIONS = "mill. kr"
    FTE = "årsverk"


UNIT_TEXT = {
    TableUnit.KRONER: "Beløp i kroner",
    TableUnit.THOUSANDS: "Beløp i 1 000 kr",
    TableUnit.MILLIONS: "Beløp i mill. kr",
    TableUnit.FTE: "Årsverk",
}

#: The label shown for a printed total row that the source prints without a label (table 15, drift).
TOTAL_LABEL = "Sum"
#: The address of a table's total row in known differences and links.
TOTAL_ROW = "sum"


class KnownTableDifference(Model):
    """A printed figure in an accounts or sum table known not to add up, with the evidence.

    As in a frame: ``check`` still reports the figure, as a warning citing this record; a different
    difference is an error, and a record whose difference does not occur is reported too.
    """

    figure: Literal["avvik", "sum", "gruppe"] = Field(
        alias="figur", description="Which figure: a row's avvik (accounts), the total row, or a group's subtotal "
        "(sum tables).")
    row: Text | None = Field(None, alias="rad", description="The row (its id, else its label), for 'avvik'.")
    group: Id | None = Field(None, alias="gruppe", description="The group's id, for 'gruppe'.")
    column: Id = Field(alias="kolonne", description="The column's id.")
    difference: Money = Field(alias="differanse", description="Published minus computed, in the table's unit.")
    explanation: Text = Field(alias="forklaring", description="Why the printed figure differs; the evidence.")

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.figure, self.row if self.figure == "avvik" else self.group, self.column)


@dataclass
class Comparer:
    """Compares published figures with computed ones for one document, collecting the problems."""

    doc: Located
    records: tuple[KnownTableDifference, ...]
    tolerance: Decimal
    problems: list[Problem] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    def compare(self, code: Code, figure: str, key: tuple[str, str | None, str], published: Decimal,
                computed: Decimal, path: tuple, computed_text: str | None = None) -> None:
        difference = published - computed
        index = next((i for i, r in enumerate(self.records) if r.key == key), None)
        recorded = index is not None and self.records[index].difference == difference
        if recorded:
            self.used.add(index)
        if difference == 0:
            return
        file, line, col = self.doc.locate(*path)
        message = (f"{figure}: published {format_amount(published)}, computed {computed_text or format_amount(computed)}"
                   f" (difference {format_amount(difference, plus=True)})")
        if recorded:
            severity = Severity.WARNING
            record_line = self.doc.locate("kjente_differanser", index)[1]
            message += f", a known difference (line {record_line}): {self.records[index].explanation}"
        elif abs(difference) <= self.tolerance:
            severity = Severity.WARNING
            message += f", within tolerance {format_amount(self.tolerance)}"
        else:
            severity = Severity.ERROR
        self.problems.append(Problem(code, severity, file, line, col, message, None, figure, None, published,
                                     computed, difference))

    def finish(self) -> list[Problem]:
        """The problems, with every recorded difference that did not occur, in file order."""
        for index, record in enumerate(self.records):
            if index in self.used:
                continue
            file, line, col = self.doc.locate("kjente_differanser", index)
            where = record.row or record.group or ""
            self.problems.append(Problem(
                Code.KNOWN_DIFFERENCE_UNUSED, Severity.WARNING, file, line, col,
                f"the recorded difference {format_amount(record.difference, plus=True)} in {record.figure} "
                f"{where + ' ' if where else ''}{record.column} did not occur",
                "remove the record if the figures were corrected, or correct the record",
            ))
        return sorted(self.problems, key=Problem.sort_key)
