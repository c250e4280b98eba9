"""Sum tables (``type: sumtabell``): any printed table of rows, with the subtotals and the total it prints.

In kroner, 1 000 kr, mill. kr or årsverk, with decimals where the source has them (seed 003:
4 + 2,5 + 2,1 = 8,6 årsverk). The row values are the inputs; every printed subtotal (a group's) and the
printed total are recomputed from the rows alone.

A table need not print a total (seed 002 states a budget per measure and never adds them up): then it is
listed as printed, only its printed subtotals are checked, and no total is invented: the roll shows a
group's sum or the total only where the source prints one.

* ``subtotal-mismatch``: a group's printed subtotal against the sum of its rows and subgroups.
* ``total-mismatch``: the printed total against the sum of all rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, localcontext
from typing import Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from .checks import Comparer
from .assemble import Cell, amount_problems, cycles, group_depths, group_problems
from .models import AmountDocument, Id, Model, Money, Source, Text
from .numbers import EXACT, exact
from .problems import Code, Problem, input_error
from .tables import TOTAL_LABEL, KnownTableDifference, TableUnit, row_names


class SumGroup(Model):
    """A heading rows are printed under, with the subtotal the source prints for it (if any)."""

    id: Id
    label: Text = Field(alias="etikett", description="The heading as printed.")
    parent: Id | None = Field(None, alias="under", description="The id of the group this one is printed under.")
    published: dict[Id, Money] = Field(default_factory=dict, alias="publisert",
                                       description="Column id → the printed subtotal (leave out if none).")


class SumRow(Model):
    """A printed row and its values."""

    id: Id | None = Field(None, description="How links name the row (default: its label).")
    label: Text = Field(alias="etikett", description="The row's label as printed.")
    values: dict[Id, Money] = Field(default_factory=dict, alias="verdier",
                                    description="Column id → the printed value (leave out blank cells).")
    group: Id | None = Field(None, alias="gruppe", description="The group it is printed under.")
    reference: Text | None = Field(None, alias="referanse", description="The source's number, e.g. '4.02'.")
    note: Text | None = Field(None, alias="merknad", description="How it was read; what is unsure.")

    @property
    def key(self) -> str:
        return self.id or self.label

    @model_validator(mode="after")
    def _something_stated(self) -> SumRow:
        if not self.values and self.note is None:
            raise ValueError("a row needs 'verdier', or a 'merknad' saying why the source gives none")
        return self


class SumTotal(Model):
    """The printed total row."""

    label: Text | None = Field(None, alias="etikett", description="As printed, e.g. 'Til sammen'.")
    published: dict[Id, Money] = Field(alias="publisert", min_length=1, description="Column id → the printed total.")


class SumTable(AmountDocument):
    """A printed table of rows that add up, with its printed subtotals and total."""

    kind: Literal["sumtabell"] = Field(alias="type", description="Always 'sumtabell' for a sum table.")
    id: Id
    municipality: Text = Field(alias="kommune")
    unit: Text = Field(alias="enhet", description="The unit (enhet, virksomhet) the table is for.")
    source: Source = Field(alias="kilde")
    measure: TableUnit = Field(alias="måleenhet", description="kr | 1 000 kr | mill. kr | årsverk")
    decimals: int | None = Field(None, ge=0, le=6, alias="desimaler",
                                 description="How many decimals the table prints. A table in kr, 1 000 kr or "
                                 "mill. kr prints whole units unless it says so; one in årsverk takes decimals "
                                 "(2,5) unless it says how many. An amount written with more is refused at its "
                                 "cell.")
    columns: dict[Id, Text] = Field(alias="kolonner", min_length=1,
                                    description="Column id → its printed header, in printed order.")
    groups: tuple[SumGroup, ...] = Field((), alias="grupper", description="Headings, in printed order.")
    rows: tuple[SumRow, ...] = Field(alias="rader", min_length=1, description="In printed order.")
    total: SumTotal | None = Field(None, alias="sum", description="The printed total, if the source prints one.")
    known_differences: tuple[KnownTableDifference, ...] = Field((), alias="kjente_differanser")
    note: Text | None = Field(None, alias="merknad")
    _cached: Any = PrivateAttr(default=None)

    @property
    def printed_decimals(self) -> int | None:
        """The decimals the table prints (``None``: any, an årsverk table that does not say)."""
        if self.decimals is not None:
            return self.decimals
        return None if self.measure is TableUnit.FTE else 0

    def _index(self) -> _Index:
        """The table's rows and groups by name, each group's level and subtotals: built once (a walk per
        group over every row was quadratic), again only if the rows or groups are replaced."""
        index = self._cached
        if index is None or index.rows is not self.rows or index.groups is not self.groups:
            index = _Index(self)
            self._cached = index
        return index

    def row_index(self, key: str) -> int | None:
        return self._index().row_at.get(key)

    def group_index(self, group_id: str) -> int | None:
        return self._index().group_at.get(group_id)

    def members(self, group_id: str) -> list[SumRow]:
        """The rows under a group, directly or through its subgroups."""
        inside = self._index().descendants(group_id)
        return [r for r in self.rows if r.group in inside]

    def subtotal(self, group_id: str, column: str) -> Decimal:
        return self._index().subtotal(group_id, column)

    def grand_total(self, column: str) -> Decimal:
        with localcontext(EXACT):
            return sum((r.values.get(column, Decimal(0)) for r in self.rows), Decimal(0))

    def depth(self, group_id: str | None) -> int:
        return 0 if group_id is None else self._index().depths.get(group_id, 0)


class _Index:
    """What a sum table's walks need, computed once in one pass each."""

    def __init__(self, table: SumTable):
        self.rows, self.groups = table.rows, table.groups
        self.row_at: dict[str, int] = {}
        for i, row in enumerate(table.rows):
            self.row_at.setdefault(row.key, i)
        self.group_at: dict[str, int] = {}
        for i, group in enumerate(table.groups):
            self.group_at.setdefault(group.id, i)
        self.depths = group_depths(table.groups)
        # (A group in an 'under' cycle is refused by validate; kept out of the sums all the same.)
        cyclic = cycles({g.id: g.parent for g in table.groups})
        self.children: dict[str, list[str]] = {}
        for group_id, i in self.group_at.items():
            parent = table.groups[i].parent
            if parent is not None and parent in self.group_at and group_id not in cyclic:
                self.children.setdefault(parent, []).append(group_id)
        self._totals: dict[str, dict[str, Decimal]] | None = None

    def descendants(self, group_id: str) -> set[str]:
        inside, todo = {group_id}, [group_id]
        while todo:
            for child in self.children.get(todo.pop(), ()):
                if child not in inside:
                    inside.add(child)
                    todo.append(child)
        return inside

    def subtotal(self, group_id: str, column: str) -> Decimal:
        if self._totals is None:
            self._totals = self._subtotals()
        return self._totals.get(group_id, {}).get(column, Decimal(0))

    def _subtotals(self) -> dict[str, dict[str, Decimal]]:
        """Every group's sum per column: its own rows, then added to its parent's, deepest groups first."""
        with localcontext(EXACT):
            totals: dict[str, dict[str, Decimal]] = {g: {} for g in self.group_at}
            for row in self.rows:
                if row.group in totals:
                    own = totals[row.group]
                    for column, value in row.values.items():
                        own[column] = own.get(column, Decimal(0)) + value
            parent_of = {child: parent for parent, children in self.children.items() for child in children}
            for group_id in sorted(parent_of, key=lambda g: -self.depths.get(g, 0)):
                into = totals[parent_of[group_id]]
                for column, value in totals[group_id].items():
                    into[column] = into.get(column, Decimal(0)) + value
            return totals


def validate(table: SumTable) -> list[Problem]:
    """What the schema cannot see: cells name columns, rows name groups, ids are unique, no cycles."""
    problems: list[Problem] = []
    columns = list(table.columns)

    def cells(path: tuple, values: dict) -> None:
        for key in values:
            if key not in table.columns:
                problems.append(input_error(Code.UNKNOWN_COLUMN, table.locate_key(*path, key),
                                            f"'{key}' is not a column of this table",
                                            f"the columns are: {', '.join(columns)}"))

    group_ids, found = group_problems(table, table.groups, "table")
    problems += found
    known = ", ".join(group_ids) or "none"
    for i, group in enumerate(table.groups):
        cells(("grupper", i, "publisert"), group.published)
    _, found = row_names(table, table.rows)
    problems += found
    for i, row in enumerate(table.rows):
        if row.group is not None and row.group not in group_ids:
            problems.append(input_error(Code.UNKNOWN_GROUP, table.locate("rader", i, "gruppe"),
                                        f"row '{row.key}' is under group '{row.group}', which this table does "
                                        "not have", f"the groups are: {known}"))
        cells(("rader", i, "verdier"), row.values)
    if table.total is not None:
        cells(("sum", "publisert"), table.total.published)
    for i, record in enumerate(table.known_differences):
        at = ("kjente_differanser", i)
        if record.figure == "avvik":
            problems.append(input_error(Code.INVALID, table.locate(*at, "figur"), "a sum table has no avvik",
                                        "use 'figur: sum' or 'figur: gruppe'"))
        elif record.group is not None and record.group not in group_ids:
            problems.append(input_error(Code.UNKNOWN_GROUP, table.locate(*at, "gruppe"),
                                        f"the table has no group '{record.group}'", f"the groups are: {known}"))
        if record.column not in table.columns:
            problems.append(input_error(Code.UNKNOWN_COLUMN, table.locate(*at, "kolonne"),
                                        f"'{record.column}' is not a column of this table",
                                        f"the columns are: {', '.join(columns)}"))
    problems += amount_problems(table, _cells(table), table.printed_decimals, "under 'desimaler' in the table")
    return problems


def _cells(table: SumTable) -> Iterator[Cell]:
    """Every amount the table writes."""
    for i, group in enumerate(table.groups):
        for column, value in group.published.items():
            yield ("grupper", i, "publisert", column), value, True
    for i, row in enumerate(table.rows):
        for column, value in row.values.items():
            yield ("rader", i, "verdier", column), value, True
    if table.total is not None:
        for column, value in table.total.published.items():
            yield ("sum", "publisert", column), value, True
    for i, record in enumerate(table.known_differences):
        yield ("kjente_differanser", i, "differanse"), record.difference, True


@exact
def check(table: SumTable, tolerance: Decimal = Decimal(0), known_differences: bool = True) -> list[Problem]:
    """Every printed subtotal and total against the sum of the rows, in file order."""
    cmp = Comparer(table, table.known_differences if known_differences else (), tolerance)
    for i, group in enumerate(table.groups):
        for column, published in group.published.items():
            cmp.compare(Code.SUBTOTAL_MISMATCH, f"{group.label}, {table.columns[column]}", ("gruppe", group.id, column),
                        published, table.subtotal(group.id, column), ("grupper", i, "publisert", column))
    if table.total is not None:
        label = table.total.label or TOTAL_LABEL
        for column, published in table.total.published.items():
            cmp.compare(Code.TOTAL_MISMATCH, f"{label}, {table.columns[column]}", ("sum", None, column), published,
                        table.grand_total(column), ("sum", "publisert", column))
    return cmp.finish()


def published_figures(table: SumTable) -> int:
    return sum(len(g.published) for g in table.groups) + (len(table.total.published) if table.total else 0)
