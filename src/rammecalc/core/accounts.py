"""Accounts tables (``type: regnskap``): regnskap against budsjett, the printed avvik, totals and key figures.

A table has columns, each declared with its role (``regnskap``, ``budsjett``, ``revidert budsjett``,
``avvik`` or ``tekst``) and its printed label; rows (units, projects, or years as in seed 001) with their
printed cells; an optional printed total row; and key figures such as *resultat* in per cent.

The sign of avvik is not standard (budsjett − regnskap in Molde, regnskap − budsjett in Stavanger), so it
is **declared** under ``avviksfortegn`` and never guessed: a file without it does not load, and a file with
the wrong one fails the check in every row.

What is input and what is checked: the regnskap and budsjett cells are the inputs (nothing else states
them); every avvik cell, every printed total and every key figure is recomputed from those inputs alone,
never from another printed result. So one misprinted avvik or total is reported once, at its own
``file:line:col``. A blank cell counts as 0.

* ``avvik-mismatch``: a row's printed avvik against the declared sign applied to its budsjett and regnskap.
* ``total-mismatch``: a printed total against the sum of the rows (for avvik: the sum of the computed avvik).
* ``key-figure-mismatch``: a printed key figure against its formula, rounded as printed (resultat % =
  avvik ÷ budsjett × 100, to one decimal: −3 842 ÷ 47 250 = −8,13… → −8,1 %).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from .checks import Comparer
from .assemble import Cell, amount_problems
from .models import AmountDocument, Id, Located, Model, Money, Percent, Source, Text, Year
from .numbers import exact, format_amount, format_percent
from .problems import Code, Problem, Severity, input_error
from .rules import round_amount
from .tables import TOTAL_LABEL, TOTAL_ROW, KnownTableDifference, TableUnit, row_names
from .terms import Rounding


class VarianceSign(str, Enum):
    """How the source computes avvik. Declared per table; never guessed."""

    BUDGET_MINUS_ACCOUNTS = "budsjett-minus-regnskap"  # Molde: positive = mindreforbruk
    ACCOUNTS_MINUS_BUDGET = "regnskap-minus-budsjett"  # Stavanger: positive = merforbruk


class ColumnRole(str, Enum):
    ACCOUNTS = "regnskap"
    BUDGET = "budsjett"
    REVISED_BUDGET = "revidert budsjett"
    VARIANCE = "avvik"
    TEXT = "tekst"


BUDGET_ROLES = (ColumnRole.BUDGET, ColumnRole.REVISED_BUDGET)

#: What the roll calls a row's result: regnskap above budsjett is merforbruk, below it mindreforbruk.
OVERSPEND = "merforbruk"
UNDERSPEND = "mindreforbruk"
BALANCED = "i balanse"

class AccountsColumn(Model):
    """A printed column and what it holds."""

    id: Id = Field(description="The column's id: rows name their cells by it.")
    role: ColumnRole = Field(alias="rolle", description="regnskap | budsjett | revidert budsjett | avvik | tekst")
    label: Text = Field(alias="etikett", description="The column's header as printed.")
    year: Year | None = Field(None, alias="år", description="The year the column is for, where it says.")
    budget: Id | None = Field(None, alias="budsjett", description="For an avvik column: the budget column it "
                              "compares with (needed when the table has more than one).")
    accounts: Id | None = Field(None, alias="regnskap", description="For an avvik column: the regnskap column "
                                "(needed when the table has more than one).")


class AccountsRow(Model):
    """A printed row: a unit, a project or a year."""

    id: Id | None = Field(None, description="How links and known differences name the row (default: its label).")
    label: Text = Field(alias="etikett", description="The row's label as printed.")
    amounts: dict[Id, Money] = Field(default_factory=dict, alias="beløp",
                                     description="Column id → the printed amount (leave out blank cells).")
    texts: dict[Id, Text] = Field(default_factory=dict, alias="tekst",
                                  description="Column id → the printed text, for 'tekst' columns (prosjekt nr).")
    note: Text | None = Field(None, alias="merknad")

    @property
    def key(self) -> str:
        return self.id or self.label


class AccountsTotal(Model):
    """The printed total row."""

    label: Text | None = Field(None, alias="etikett", description="As printed; leave out if the row has none.")
    amounts: dict[Id, Money] = Field(alias="beløp", min_length=1, description="Column id → the printed total.")


class KeyFigure(Model):
    """A printed key figure derived from the table, with the rounding it is printed with."""

    label: Text = Field(alias="etikett", description="As printed, e.g. 'Resultat'.")
    kind: Literal["resultat-prosent"] = Field(
        alias="type", description="resultat-prosent: the row's avvik ÷ its budsjett × 100.")
    row: Text = Field(alias="rad", description="The row it is computed from (its id, else its label).")
    column: Id | None = Field(None, alias="kolonne", description="The avvik column (needed if there are several).")
    published: Percent = Field(alias="publisert", description="The figure as printed, e.g. '−8,1 %'.")
    decimals: int = Field(1, ge=0, le=6, alias="desimaler", description="The decimals it is printed with.")
    rounding: Rounding = Field(Rounding.HALF_UP, alias="avrunding")


class AccountsTable(AmountDocument):
    """An accounts table: regnskap, budsjett and avvik per row, as printed."""

    kind: Literal["regnskap"] = Field(alias="type", description="Always 'regnskap' for an accounts table.")
    id: Id
    municipality: Text = Field(alias="kommune")
    unit: Text = Field(alias="enhet", description="The unit (enhet, område) the table is for.")
    source: Source = Field(alias="kilde")
    amount_unit: TableUnit = Field(alias="beløpsenhet", description="kr | 1 000 kr | mill. kr")
    decimals: int = Field(0, ge=0, le=6, alias="desimaler",
                          description="How many decimals the table prints (0: whole units, the default; 1 for "
                          "a table in mill. kr printing 4,2). An amount written with more is refused at its cell.")
    variance_sign: VarianceSign = Field(
        alias="avviksfortegn",
        description="How the source computes avvik: 'budsjett-minus-regnskap' (Molde) or "
        "'regnskap-minus-budsjett' (Stavanger). Required: never guessed.")
    columns: tuple[AccountsColumn, ...] = Field(alias="kolonner", min_length=1, description="In printed order.")
    rows: tuple[AccountsRow, ...] = Field(alias="rader", min_length=1, description="In printed order.")
    total: AccountsTotal | None = Field(None, alias="sum", description="The printed total row, if any.")
    key_figures: tuple[KeyFigure, ...] = Field((), alias="nøkkeltall")
    transposed: bool = Field(False, alias="transponert",
                             description="The source prints the rows as columns (seed 001: years across).")
    known_differences: tuple[KnownTableDifference, ...] = Field((), alias="kjente_differanser")
    note: Text | None = Field(None, alias="merknad")
    _cached: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _in_money(self) -> AccountsTable:
        if self.amount_unit is TableUnit.FTE:
            raise ValueError("an accounts table is in kr, 1 000 kr or mill. kr; årsverk belong in a 'sumtabell'")
        return self

    def _index(self) -> tuple[dict[str, AccountsColumn], dict[str, int], str | None, str | None]:
        """Columns by id, rows by name, the first regnskap and budsjett columns: found once (a scan per cell
        was quadratic), again only if the columns or rows are replaced."""
        cached = self._cached
        if cached is None or cached[0] is not self.columns or cached[1] is not self.rows:
            columns: dict[str, AccountsColumn] = {}
            for c in self.columns:
                columns.setdefault(c.id, c)
            rows: dict[str, int] = {}
            for i, r in enumerate(self.rows):
                rows.setdefault(r.key, i)
            accounts = next((c.id for c in self.columns if c.role is ColumnRole.ACCOUNTS), None)
            budget = next((c.id for c in self.columns if c.role in BUDGET_ROLES), None)
            cached = (self.columns, self.rows, (columns, rows, accounts, budget))
            self._cached = cached
        return cached[2]

    def column(self, column_id: str) -> AccountsColumn:
        return self._index()[0][column_id]

    def row_index(self, key: str) -> int | None:
        return self._index()[1].get(key)

    def variance_inputs(self, column: AccountsColumn) -> tuple[str, str]:
        """The (regnskap, budsjett) column ids an avvik column compares (validated by :func:`validate`)."""
        _, _, accounts, budget = self._index()
        return column.accounts or accounts, column.budget or budget  # type: ignore[return-value]

    def variance(self, row: AccountsRow, column: AccountsColumn) -> Decimal:
        """The avvik computed from the row's printed regnskap and budsjett, with the declared sign."""
        accounts, budget = self.variance_inputs(column)
        return self.signed(row.amounts.get(budget, Decimal(0)) - row.amounts.get(accounts, Decimal(0)))

    def signed(self, budget_minus_accounts: Decimal) -> Decimal:
        if self.variance_sign is VarianceSign.BUDGET_MINUS_ACCOUNTS:
            return budget_minus_accounts
        return -budget_minus_accounts

    def spending(self, row: AccountsRow, column: AccountsColumn) -> tuple[str, Decimal]:
        """``('merforbruk', 3842)``: what the row's result is called, and its size."""
        accounts, budget = self.variance_inputs(column)
        over = row.amounts.get(accounts, Decimal(0)) - row.amounts.get(budget, Decimal(0))
        return (OVERSPEND if over > 0 else UNDERSPEND if over < 0 else BALANCED), abs(over)

    def key_figure(self, figure: KeyFigure, row: AccountsRow | None = None) -> Decimal | None:
        """The key figure computed from the row's inputs (or from ``row``, a row put right), rounded as printed;
        ``None`` if the budget is 0."""
        row = row or self.rows[self.row_index(figure.row)]  # type: ignore[index]
        column = self.column(figure.column) if figure.column else self.variance_columns[0]
        budget = row.amounts.get(self.variance_inputs(column)[1], Decimal(0))
        if budget == 0:
            return None
        # Rounded once from the exact ratio, never from a quotient already rounded at 28 digits.
        return round_amount(Fraction(self.variance(row, column)) / Fraction(budget) * 100, figure.rounding,
                            figure.decimals)

    @property
    def variance_columns(self) -> list[AccountsColumn]:
        return [c for c in self.columns if c.role is ColumnRole.VARIANCE]


# ------------------------------------------------------------------------------------------ validate


def validate(table: AccountsTable) -> list[Problem]:
    """What the schema cannot see: every cell names a column of the right kind, every reference resolves."""
    problems: list[Problem] = []
    ids: dict[str, int] = {}
    for i, column in enumerate(table.columns):
        if column.id in ids:
            problems.append(input_error(Code.DUPLICATE_ID, table.locate("kolonner", i, "id"),
                                        f"two columns have the id '{column.id}'", "give each column its own id"))
        ids.setdefault(column.id, i)
    numeric = [c.id for c in table.columns if c.role is not ColumnRole.TEXT]
    texts = [c.id for c in table.columns if c.role is ColumnRole.TEXT]

    roles: dict[str, ColumnRole] = {}
    for c in table.columns:
        roles.setdefault(c.id, c.role)

    def role_of(column_id: str) -> ColumnRole | None:
        return roles.get(column_id)

    accounts_columns = [c.id for c in table.columns if c.role is ColumnRole.ACCOUNTS]
    budget_columns = [c.id for c in table.columns if c.role in BUDGET_ROLES]
    for i, column in enumerate(table.columns):
        if column.role is not ColumnRole.VARIANCE:
            for key in ("budsjett", "regnskap"):
                if (column.budget if key == "budsjett" else column.accounts) is not None:
                    problems.append(input_error(Code.INVALID, table.locate("kolonner", i, key),
                                                f"only an avvik column names the '{key}' column it compares",
                                                "remove the key"))
            continue
        for key, wanted, named in (("regnskap", (ColumnRole.ACCOUNTS,), column.accounts),
                                   ("budsjett", BUDGET_ROLES, column.budget)):
            candidates = accounts_columns if key == "regnskap" else budget_columns
            if named is not None:
                if role_of(named) not in wanted:
                    problems.append(input_error(
                        Code.UNKNOWN_COLUMN, table.locate("kolonner", i, key),
                        f"avvik column '{column.id}' compares with '{named}', which is not a {key} column",
                        f"the {key} columns are: {', '.join(candidates) or 'none'}"))
            elif len(candidates) != 1:
                problems.append(input_error(
                    Code.INVALID, table.locate("kolonner", i, "id"),
                    f"avvik column '{column.id}' needs one {key} column to compare with; the table has "
                    f"{len(candidates)}" + (f" ({', '.join(candidates)})" if candidates else ""),
                    f"name it with '{key}: <column id>'" if candidates else f"add a column with 'rolle: {key}'"))

    keys, found = row_names(table, table.rows)
    problems += found
    for i, row in enumerate(table.rows):
        problems += _unknown_cells(table, ("rader", i, "beløp"), row.amounts, numeric, "an amount")
        problems += _unknown_cells(table, ("rader", i, "tekst"), row.texts, texts, "a text")
    if table.total is not None:
        problems += _unknown_cells(table, ("sum", "beløp"), table.total.amounts, numeric, "an amount")
    for i, figure in enumerate(table.key_figures):
        if figure.row not in keys:
            problems.append(input_error(Code.UNKNOWN_FIGURE, table.locate("nøkkeltall", i, "rad"),
                                        f"key figure '{figure.label}' is computed from row '{figure.row}', which "
                                        "the table does not have", f"the rows are: {', '.join(keys)}"))
        avvik = [c.id for c in table.variance_columns]
        if figure.column is not None and figure.column not in avvik:
            problems.append(input_error(Code.UNKNOWN_COLUMN, table.locate("nøkkeltall", i, "kolonne"),
                                        f"'{figure.column}' is not an avvik column",
                                        f"the avvik columns are: {', '.join(avvik) or 'none'}"))
        elif figure.column is None and len(avvik) != 1:
            problems.append(input_error(Code.INVALID, table.locate("nøkkeltall", i),
                                        f"key figure '{figure.label}' needs one avvik column; the table has "
                                        f"{len(avvik)}", "name it with 'kolonne: <column id>'" if avvik
                                        else "add a column with 'rolle: avvik'"))
    for i, record in enumerate(table.known_differences):
        problems += _record(table, i, record, keys, numeric)
    problems += amount_problems(table, _cells(table), table.decimals, "under 'desimaler' in the table")
    return problems


def _cells(table: AccountsTable) -> Iterator[Cell]:
    """Every amount the table writes."""
    for i, row in enumerate(table.rows):
        for column, value in row.amounts.items():
            yield ("rader", i, "beløp", column), value, True
    if table.total is not None:
        for column, value in table.total.amounts.items():
            yield ("sum", "beløp", column), value, True
    for i, record in enumerate(table.known_differences):
        yield ("kjente_differanser", i, "differanse"), record.difference, True


def _unknown_cells(doc: Located, path: tuple, cells: dict[str, Any], allowed: list[str], what: str) -> list[Problem]:
    return [input_error(Code.UNKNOWN_COLUMN, doc.locate_key(*path, key),
                        f"'{key}' is not a column that holds {what}",
                        f"the columns for {what} here are: {', '.join(allowed) or 'none'}")
            for key in cells if key not in allowed]


def _record(table: AccountsTable, i: int, record: KnownTableDifference, rows: dict[str, int],
            numeric: list[str]) -> list[Problem]:
    at = ("kjente_differanser", i)
    problems = []
    if record.figure == "gruppe":
        problems.append(input_error(Code.INVALID, table.locate(*at, "figur"),
                                    "an accounts table has no groups", "use 'figur: avvik' or 'figur: sum'"))
    if record.row is not None and record.row not in rows:
        problems.append(input_error(Code.UNKNOWN_FIGURE, table.locate(*at, "rad"),
                                    f"the table has no row '{record.row}'", f"the rows are: {', '.join(rows)}"))
    if record.column not in numeric:
        problems.append(input_error(Code.UNKNOWN_COLUMN, table.locate(*at, "kolonne"),
                                    f"'{record.column}' is not a column of amounts",
                                    f"the columns are: {', '.join(numeric)}"))
    return problems


# --------------------------------------------------------------------------------------------- check


@exact
def check(table: AccountsTable, tolerance: Decimal = Decimal(0), known_differences: bool = True) -> list[Problem]:
    """Every printed avvik, total and key figure against the arithmetic, in file order.

    One mistyped input cell makes its row's avvik and its column's total disagree with the arithmetic,
    and without a word more would be reported at those two cells. Where the printed avvik and the printed
    total both imply the same correction of that one cell, it is reported once, at the cell itself
    (``cell-mismatch``), and the figures the correction puts right are not reported again (see
    :func:`mistyped_cells`).
    """
    cmp = Comparer(table, table.known_differences if known_differences else (), tolerance)
    mistyped = mistyped_cells(table, cmp.records)
    corrected = _corrected(table, mistyped)
    for (i, column_id), (value, avvik_column) in sorted(mistyped.items()):
        row, column = table.rows[i], table.column(column_id)
        reads = row.amounts.get(column_id, Decimal(0))
        difference = reads - value
        file, line, col = table.locate("rader", i, "beløp", column_id)
        message = (f"{column.label} {row.label}: the printed avvik ({format_amount(row.amounts[avvik_column.id])}, "
                   f"{avvik_column.label}) and the printed total ({format_amount(table.total.amounts[column_id])}) "
                   f"both give {format_amount(value)}; this cell reads {format_amount(reads)} (difference "
                   f"{format_amount(difference, plus=True)})")
        tolerated = difference.copy_abs() <= tolerance
        if tolerated:
            message += f", within tolerance {format_amount(tolerance)}"
        cmp.problems.append(Problem(Code.CELL_MISMATCH, Severity.WARNING if tolerated else Severity.ERROR, file,
                                    line, col, message, None, f"{column.label} {row.label}", None, reads, value,
                                    difference))
    for column in table.variance_columns:
        accounts, budget = table.variance_inputs(column)
        formula = ("budsjett − regnskap" if table.variance_sign is VarianceSign.BUDGET_MINUS_ACCOUNTS
                   else "regnskap − budsjett")
        for i, row in enumerate(table.rows):
            if column.id not in row.amounts:
                continue
            if i in corrected and table.variance(corrected[i], column) == row.amounts[column.id]:
                continue  # put right by the correction of a mistyped cell, reported at that cell
            computed = table.variance(row, column)
            parts = (row.amounts.get(budget, Decimal(0)), row.amounts.get(accounts, Decimal(0)))
            if table.variance_sign is VarianceSign.ACCOUNTS_MINUS_BUDGET:
                parts = parts[::-1]
            second = format_amount(parts[1])
            text = (f"{format_amount(computed)} = {format_amount(parts[0])} − "
                    f"{'(' + second + ')' if parts[1] < 0 else second} ({formula})")
            cmp.compare(Code.AVVIK_MISMATCH, f"{column.label} {row.label}", ("avvik", row.key, column.id),
                        row.amounts[column.id], computed, ("rader", i, "beløp", column.id), text)
    if table.total is not None:
        label = table.total.label or TOTAL_LABEL
        rows = [corrected.get(i, r) for i, r in enumerate(table.rows)]
        for column_id, published in table.total.amounts.items():
            column = table.column(column_id)
            if column.role is ColumnRole.VARIANCE:
                computed = sum((table.variance(r, column) for r in table.rows), Decimal(0))
                if mistyped and computed != published and \
                        sum((table.variance(r, column) for r in rows), Decimal(0)) == published:
                    continue  # put right by the correction of a mistyped cell
            else:
                computed = sum((r.amounts.get(column_id, Decimal(0)) for r in table.rows), Decimal(0))
                if any(k == column_id for _, k in mistyped):
                    continue  # its difference is the mistyped cell's, reported there
            cmp.compare(Code.TOTAL_MISMATCH, f"{column.label} {label}", ("sum", None, column_id), published,
                        computed, ("sum", "beløp", column_id))
    for i, figure in enumerate(table.key_figures):
        computed = table.key_figure(figure)
        file, line, col = table.locate("nøkkeltall", i, "publisert")
        name = f"{figure.label} {figure.row}"
        if computed is None:
            cmp.problems.append(Problem(Code.KEY_FIGURE_MISMATCH, Severity.ERROR, file, line, col,
                                        f"{name}: the budget is 0, so {figure.kind} cannot be computed"))
            continue
        if computed != figure.published:
            index = table.row_index(figure.row)
            if index in corrected and table.key_figure(figure, corrected[index]) == figure.published:
                continue  # put right by the correction of a mistyped cell
            difference = figure.published - computed
            cmp.problems.append(Problem(
                Code.KEY_FIGURE_MISMATCH, Severity.ERROR, file, line, col,
                f"{name}: published {format_percent(figure.published, figure.decimals)}, computed "
                f"{format_percent(computed, figure.decimals)} (avvik ÷ budsjett, {figure.decimals} "
                f"decimal{'s' if figure.decimals != 1 else ''}, {figure.rounding.value}) "
                f"(difference {format_amount(difference, plus=True)})",
                None, figure.label, None, figure.published, computed, difference))
    return cmp.finish()


def mistyped_cells(table: AccountsTable, records=()) -> dict[tuple[int, str], tuple[Decimal, AccountsColumn]]:
    """Input cells (regnskap or budsjett) that one correction would put right, by (row index, column id):
    the value the printed figures give, and the avvik column that gives it.

    A cell is taken as mistyped only where two printed figures agree on it: its row's printed avvik, solved
    for the cell (avvik = budsjett − regnskap, with the declared sign), and its column's printed total,
    whose difference from the column's sum is then exactly that cell's. The match must be the only one in
    its column and in its row (two rows, or a row's regnskap and budsjett, that could each explain the
    total leave the figures reported as they are), and a figure with a recorded known difference keeps its
    record.
    """
    if table.total is None:
        return {}
    recorded = {r.key for r in records}
    off: dict[str, Decimal] = {}  # each input column's printed total minus its sum
    for column in table.columns:
        if column.role in (ColumnRole.ACCOUNTS, *BUDGET_ROLES) and column.id in table.total.amounts:
            if ("sum", None, column.id) in recorded:
                continue
            total = sum((r.amounts.get(column.id, Decimal(0)) for r in table.rows), Decimal(0))
            if table.total.amounts[column.id] != total:
                off[column.id] = table.total.amounts[column.id] - total
    if not off:
        return {}
    implied: dict[tuple[int, str], set[Decimal]] = {}
    gives: dict[tuple[int, str], AccountsColumn] = {}
    for column in table.variance_columns:
        accounts, budget = table.variance_inputs(column)
        for i, row in enumerate(table.rows):
            printed = row.amounts.get(column.id)
            if printed is None or printed == table.variance(row, column) or \
                    ("avvik", row.key, column.id) in recorded:
                continue
            inputs = {accounts: row.amounts.get(budget, Decimal(0)) - table.signed(printed),
                      budget: row.amounts.get(accounts, Decimal(0)) + table.signed(printed)}
            for column_id, value in inputs.items():
                implied.setdefault((i, column_id), set()).add(value)
                gives.setdefault((i, column_id), column)
    found: dict[tuple[int, str], tuple[Decimal, AccountsColumn]] = {}
    for (i, column_id), values in implied.items():
        if len(values) != 1 or column_id not in off:
            continue
        (value,) = values
        if value - table.rows[i].amounts.get(column_id, Decimal(0)) == off[column_id]:
            found[(i, column_id)] = (value, gives[(i, column_id)])
    columns = [k for _, k in found]
    rows = [i for i, _ in found]
    return {key: v for key, v in found.items() if columns.count(key[1]) == 1 and rows.count(key[0]) == 1}


def _corrected(table: AccountsTable, mistyped: dict[tuple[int, str], tuple[Decimal, AccountsColumn]]
               ) -> dict[int, AccountsRow]:
    """The rows with their mistyped cells put right."""
    rows: dict[int, AccountsRow] = {}
    for (i, column_id), (value, _) in mistyped.items():
        row = rows.get(i, table.rows[i])
        rows[i] = row.model_copy(update={"amounts": {**row.amounts, column_id: value}})
    return rows


def published_figures(table: AccountsTable) -> int:
    """How many printed figures :func:`check` compares."""
    avvik = {c.id for c in table.variance_columns}
    n = sum(1 for r in table.rows for c in r.amounts if c in avvik)
    return n + (len(table.total.amounts) if table.total else 0) + len(table.key_figures)


__all__ = ["TOTAL_ROW", "AccountsTable", "ColumnRole", "VarianceSign", "check", "validate"]
