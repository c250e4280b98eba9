"""What the accounts tables and the sum tables share: their unit, known differences, and the comparison.

Accounts tables (``accounts.py``) and sum tables (``sums.py``) are checked the way frames are
(``checks.py``): every published figure against the value computed from the printed inputs alone, with
``--tolerance`` and ``kjente_differanser`` turning a difference into a warning. The comparison
itself is ``checks.Comparer``, shared with the frames.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import Field, model_validator

from .models import Id, Located, Model, Money, Text
from .problems import Code, Problem, input_error


class TableUnit(str, Enum):
    """The unit of a table's figures: money, or full-time equivalents (årsverk, with decimals: 2,5)."""

    KRONER = "kr"
    THOUSANDS = "1 000 kr"
    MILLIONS = "mill. kr"
    FTE = "årsverk"


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

    @model_validator(mode="after")
    def _named(self) -> KnownTableDifference:
        # As KnownDifference in a frame: the row for an avvik, the group for a subtotal, and nothing stray.
        if (self.figure == "avvik") != (self.row is not None):
            raise ValueError("name the row under 'rad' exactly when 'figur' is 'avvik'")
        if (self.figure == "gruppe") != (self.group is not None):
            raise ValueError("name the group's id under 'gruppe' exactly when 'figur' is 'gruppe'")
        return self

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.figure, self.row if self.figure == "avvik" else self.group, self.column)

    @property
    def label(self) -> str:
        where = self.row or self.group or ""
        return f"{self.figure} {where + ' ' if where else ''}{self.column}"


def row_names(table: Located, rows) -> tuple[dict[str, int], list[Problem]]:
    """Each row's name (its id, else its label) with the index of its first row, and a problem for every
    name given twice. Shared by accounts and sum tables."""
    names: dict[str, int] = {}
    problems: list[Problem] = []
    for i, row in enumerate(rows):
        if row.key in names:
            problems.append(input_error(
                Code.DUPLICATE_ID, table.locate("rader", i, "id" if row.id else "etikett"),
                f"two rows are named '{row.key}' (the first at line {table.locate('rader', names[row.key])[1]})",
                "give one of them an 'id'"))
        else:
            names[row.key] = i
    return names, problems

