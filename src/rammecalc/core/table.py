"""Tables that state their figures (``type: tabell``): statutory forms, accounts, summaries, bridges. Pure.

A frame *generates* its cells from a starting frame and rules (``roll.py``); every other published table
*states* them, and says how they hang together. One kind of document covers them all: columns (with a role
and a year where the table has them), rows in printed order (headings, numbered rows, result rows), each
row's printed figures, and the relations the table obeys, written as the source prints them:

* a row that is a sum of others: ``sum: 1-4`` (by number, in printed order), ``sum: [18, 19, 20]``,
  ``sum: over`` (the rows since the heading or result row above), ``sum: alle`` (every row with no
  relation of its own: a total row);
* a row that is a formula of others, with subtraction: ``formel: 10 + 11 + 12 - 13 - 14``;
* a row that equals another (``lik: 17``), or a figure in another file (``lik: {fil: …, rad: …}``);
* a row whose figures come from another file instead of being typed again (``fra: {fil: …, rad: …}``: a
  unit frame's new frame, another table's row), checked if the row prints them too;
* a share in per cent: ``andel: {teller: 17, nevner: 5}`` on a row, or ``{teller: avvik, nevner: budsjett}``
  on a column, rounded as printed (``desimaler``);
* a column that is a formula of others in every row: ``formel: budsjett - regnskap`` (avvik: its sign as
  the source computes it, declared, never guessed), or a bridge table's new frame, ``base + lønn + …``.

Each becomes relations between cells (``grid.py``), and one checker compares every printed figure with its
relation. Result rows are computed, as published tables compute them, from the printed sub-results
(``delsummer: publiserte``, the default), or from the leaves (``delsummer: grunnlag``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .assemble import amount_problems
from .checks import Comparer
from .grid import Cell, Grid, Relation, Term, blame, findings
from .models import (
    _MINUS_OR_PLUS,
    _MONEY_SCHEMA,
    _SPACES,
    AmountDocument,
    Id,
    Model,
    Money,
    Source,
    Text,
    Year,
    _to_amount,
)
from .numbers import exact, format_amount
from .problems import Code, Problem, Severity, input_error
from .terms import TABLE_KIND, Rounding

# ---------------------------------------------------------------------------------------------- model


class TableUnit(str, Enum):
    """The unit of a table's figures: money, or full-time equivalents (årsverk, with decimals: 2,5)."""

    KRONER = "kr"
    THOUSANDS = "1 000 kr"
    MILLIONS = "mill. kr"
    FTE = "årsverk"


#: Kroner per unit of a table's money figures.
KRONER_PER_UNIT = {"kr": Decimal(1), "1 000 kr": Decimal(1000), "mill. kr": Decimal(1_000_000)}


class ColumnRole(str, Enum):
    """What a column holds. Money columns compare regnskap with budsjett; text columns hold words."""

    ACCOUNTS = "regnskap"
    BUDGET = "budsjett"
    REVISED_BUDGET = "revidert budsjett"
    VARIANCE = "avvik"
    CHANGE = "endring"
    TEXT = "tekst"


BUDGET_ROLES = (ColumnRole.BUDGET, ColumnRole.REVISED_BUDGET)


class RowKind(str, Enum):
    """What a row is, so that its result is named right: above budget is merforbruk for an expense, but
    merinntekt for an income."""

    INCOME = "inntekt"
    EXPENSE = "utgift"
    DISPOSAL = "disponering"
    RESULT = "resultat"


#: A dash printed in a cell: a printed zero (Giske prints "-" for an empty or zero cell).
_DASHES = frozenset(("-", "–", "−"))


def _cell(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        if value.strip() in _DASHES:
            return Decimal(0)
        if value.rstrip().endswith("%"):  # a per cent as printed: '−8,1 %'
            value = value.rstrip()[:-1]
    return _to_amount(value)


#: A per cent as printed, in a column of per cents ('−8,1 %'); explicit classes, as in ``models`` (ECMAScript).
_PERCENT_CELL = f"^[{_MINUS_OR_PLUS}]?[{_SPACES}]*[0-9][0-9{_SPACES}]*([.,][0-9]+)?[{_SPACES}]*%$"

TableCell = Annotated[
    Decimal | None,
    BeforeValidator(_cell),
    PlainSerializer(lambda d: d, return_type=Decimal | None),
    WithJsonSchema({"anyOf": [*_MONEY_SCHEMA["anyOf"], {"type": "null"}, {"enum": ["-", "–", "−", ""]},
                              {"type": "string", "pattern": _PERCENT_CELL}],
                    "description": "A printed figure ('-' for a printed zero; '−8,1 %' in a column of per cents), or "
                    "nothing for a blank cell."}),
]


def _as_text(value: Any) -> Any:
    """Row numbers and references are text, written as numbers or not (``nr: 12``, ``nr: 7a``)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Ref = Annotated[str, BeforeValidator(_as_text), WithJsonSchema({"type": ["string", "integer"]})]


class Share(Model):
    """A share in per cent: ``teller`` ÷ ``nevner`` × 100 (rows, or columns, by their names)."""

    numerator: Ref = Field(alias="teller", description="The row (or column) divided: its number or id.")
    denominator: Ref = Field(alias="nevner", description="The row (or column) it is divided by.")


class Address(Model):
    """A figure (or row of figures) in another file, for ``lik`` and ``fra``."""

    file: Text = Field(alias="fil", description="The file, relative to this table.")
    row: Ref | None = Field(None, alias="rad", description="A frame: 'utgangspunkt' or 'ny_driftsramme'. A "
                            "table: the row's number, id or label.")
    group: Id | None = Field(None, alias="gruppe", description="A frame's group: its subtotal.")
    column: Id | None = Field(None, alias="kolonne", description="A table's column, when it is not the column of "
                              "the same id; then only that column of this row is compared (with 'i').")
    here: Id | None = Field(None, alias="i", description="This table's column the figure belongs to (with "
                            "'kolonne'): a single cell.")


class TableColumn(Model):
    """A printed column."""

    id: Id = Field(description="The column's id: rows' 'beløp' as a mapping, formulas and references use it.")
    label: Text = Field(alias="etikett", description="The column's header as printed.")
    role: ColumnRole | None = Field(None, alias="rolle",
                                    description="regnskap | budsjett | revidert budsjett | avvik | endring | tekst")
    year: Year | None = Field(None, alias="år", description="The year the column is for (a frame's figures are "
                              "found by it).")
    formula: Text | None = Field(None, alias="formel", description="The column in every row, from the row's other "
                                 "columns: 'budsjett - regnskap', 'base + lønn + tiltak'.")
    share: Share | None = Field(None, alias="andel", description="A column of per cents: teller ÷ nevner × 100 in "
                                "every row, e.g. {teller: avvik, nevner: budsjett}.")
    decimals: int | None = Field(None, ge=0, le=6, alias="desimaler", description="The decimals a share is printed "
                                 "with.")
    rounding: Rounding = Field(Rounding.HALF_UP, alias="avrunding")
    note: Text | None = Field(None, alias="merknad")

    @property
    def is_text(self) -> bool:
        return self.role is ColumnRole.TEXT

    @property
    def is_percent(self) -> bool:
        return self.share is not None


#: A row's figures, as a list (in the order of the figure columns) or a mapping (column id → figure); told
#: apart before validating, so that an error names the cell, not both ways of writing the row.
Cells = Annotated[
    Union[Annotated[list[TableCell], Tag("list")], Annotated[dict[Id, TableCell], Tag("dict")]],  # noqa: UP007
    Discriminator(lambda v: "list" if isinstance(v, list) else "dict"),
]

SumSpec = Annotated[
    Union[str, list[Ref]],  # noqa: UP007 - pydantic needs the Union
    BeforeValidator(lambda v: _as_text(v) if not isinstance(v, list) else v),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "integer"},
                              {"type": "array", "items": {"type": ["string", "integer"]}}]}),
]


class TableRow(Model):
    """A printed row: a heading, or a row of figures, maybe defined from other rows."""

    number: Ref | None = Field(None, alias="nr", description="The row's number as printed (1, 12, 7a).")
    id: Id | None = Field(None, description="How formulas and links name the row, besides its number and label.")
    label: Text | None = Field(None, alias="etikett", description="The row's label as printed.")
    heading: Text | None = Field(None, alias="overskrift", description="A heading row: its text, and no figures.")
    kind: RowKind | None = Field(None, alias="art", description="inntekt | utgift | disponering | resultat")
    amounts: Cells = Field(
        default_factory=dict, alias="beløp",
        description="The printed figures: a list in the order of the figure columns (text columns left out; "
        "null or '' for a blank, '-' for a printed dash, a zero), or a mapping column id → figure.")
    texts: dict[Id, Text] = Field(default_factory=dict, alias="tekst", description="Text columns: id → text.")
    sum: SumSpec | None = Field(None, description="The row is a sum: '1-4' (numbers, in printed order), a list, "
                                "'over' (the rows since the heading or result row above) or 'alle' (every row "
                                "with no relation of its own).")
    formula: Text | None = Field(None, alias="formel", description="The row from others, by number or id: "
                                 "'10 + 11 + 12 - 13 - 14'.")
    share: Share | None = Field(None, alias="andel", description="The row in per cent: teller ÷ nevner × 100.")
    equal: Ref | Address | None = Field(None, alias="lik", description="The row equals another (its number or "
                                        "id), or a figure in another file.")
    source: Address | None = Field(None, alias="fra", description="The row's figures are another file's: a "
                                   "frame's new frame, a table's row (checked if this row prints them too).")
    depth: int = Field(0, ge=0, le=20, alias="nivå", description="Indentation, as printed.")
    decimals: int | None = Field(None, ge=0, le=6, alias="desimaler", description="The decimals a share is "
                                 "printed with.")
    rounding: Rounding = Field(Rounding.HALF_UP, alias="avrunding")
    note: Text | None = Field(None, alias="merknad")

    @model_validator(mode="after")
    def _one_thing(self) -> TableRow:
        if self.heading is not None:
            stray = [k for k, v in (("etikett", self.label), ("beløp", self.amounts), ("sum", self.sum),
                                    ("formel", self.formula), ("andel", self.share), ("lik", self.equal),
                                    ("fra", self.source)) if v]
            if stray:
                raise ValueError(f"a heading ('overskrift') has no {', '.join(stray)}: write the figures on a row")
            return self
        defined = [k for k, v in (("sum", self.sum), ("formel", self.formula), ("andel", self.share),
                                  ("fra", self.source)) if v is not None]
        if len(defined) > 1:
            raise ValueError(f"a row is defined one way, not by {' and '.join(defined)}")
        if self.label is None and self.sum is None:
            raise ValueError("a row needs 'etikett' (only a sum row may be printed without a label)")
        return self

    @property
    def is_heading(self) -> bool:
        return self.heading is not None

    @property
    def is_result(self) -> bool:
        """A row defined from others in this table (a sum, a formula, a share)."""
        return self.sum is not None or self.formula is not None or self.share is not None

    @property
    def shown_label(self) -> str:
        return self.heading or self.label or "Sum"


class KnownCellDifference(Model):
    """A printed figure known not to add up, with the evidence: ``check`` still reports it, as a warning
    citing this record; a different difference is an error, and a record that no longer applies is reported."""

    row: Ref = Field(alias="rad", description="The row: its number, id or label.")
    column: Id = Field(alias="kolonne", description="The column's id.")
    relation: Literal["rad", "kolonne", "lik", "fra"] | None = Field(
        None, alias="relasjon",
        description="Which of the cell's relations differs, where it has more than one: the row's own ('rad': its "
        "sum, formula or share), its column's formula ('kolonne'), or its tie to another figure ('lik', 'fra'). "
        "Without it, the first relation that differs by this amount.")
    difference: Money = Field(alias="differanse", description="Published minus computed, in the table's unit.")
    explanation: Text = Field(alias="forklaring", description="Why the printed figure differs; the evidence.")

    @property
    def label(self) -> str:
        return f"rad {self.row}, {self.column}"


class Table(AmountDocument):
    """A published table that states its figures: columns, rows and the relations between them."""

    kind: Literal["tabell"] = Field(alias="type", description="Always 'tabell' for a table.")
    id: Id
    municipality: Text = Field(alias="kommune")
    unit: Text | None = Field(None, alias="enhet", description="The unit or area the table is for, if not the "
                              "whole municipality.")
    source: Source = Field(alias="kilde")
    form: Text | None = Field(None, alias="skjema", description="The statutory form, if it is one: e.g. "
                              "'§ 5-4 første ledd' (bevilgningsoversikt drift).")
    amount_unit: TableUnit = Field(alias="beløpsenhet", description="kr | 1 000 kr | mill. kr | årsverk")
    decimals: int | None = Field(None, ge=0, le=6, alias="desimaler",
                                 description="The decimals the figures are printed with (default: none for money, "
                                 "any for årsverk).")
    results: Literal["publiserte", "grunnlag"] = Field(
        "publiserte", alias="delsummer",
        description="How a result row is computed: from the printed sub-results, as published tables are made "
        "('publiserte', the default), or from the rows that have no relation ('grunnlag').")
    blank_is_zero: bool = Field(
        False, alias="blank_er_null",
        description="A blank cell in a row of figures is a printed zero, checked like any figure (as in a frame); "
        "by default a blank is nothing printed.")
    price_level: Year | None = Field(None, alias="prisnivå", description="The year whose prices the table is in.")
    transposed: bool = Field(False, alias="transponert",
                             description="The source prints the rows as columns (years across); roll does too.")
    columns: tuple[TableColumn, ...] = Field(alias="kolonner", min_length=1, description="In printed order.")
    rows: tuple[TableRow, ...] = Field(alias="rader", min_length=1, description="In printed order.")
    known_differences: tuple[KnownCellDifference, ...] = Field((), alias="kjente_differanser")
    note: Text | None = Field(None, alias="merknad")

    @field_validator("columns")
    @classmethod
    def _a_figure_column(cls, columns: tuple[TableColumn, ...]) -> tuple[TableColumn, ...]:
        if all(c.is_text for c in columns):
            raise ValueError("a table needs at least one column of figures (not 'rolle: tekst')")
        return columns

    # ------------------------------------------------------------------------------------------ shape

    @property
    def figure_columns(self) -> list[TableColumn]:
        return [c for c in self.columns if not c.is_text]

    def column(self, column_id: str) -> TableColumn | None:
        return next((c for c in self.columns if c.id == column_id), None)

    def row_name(self, index: int) -> str:
        row = self.rows[index]
        label = row.shown_label
        return f"{row.number} {label}" if row.number else label

    def cells(self, index: int) -> Iterator[tuple[str, Decimal | None, tuple]]:
        """Each figure column's printed value in row ``index`` (``None``: blank) and where it is written."""
        row = self.rows[index]
        if isinstance(row.amounts, list):
            for position, column in enumerate(self.figure_columns):
                value = row.amounts[position] if position < len(row.amounts) else None
                yield column.id, value, ("rader", index, "beløp", position)
        else:
            for column in self.figure_columns:
                yield column.id, row.amounts.get(column.id), ("rader", index, "beløp", column.id)


# ------------------------------------------------------------------------------------------- names


def slug(text: str) -> str:
    """An id from a label, æøå kept: "Oppmåling fra Plan og byggesak" → "oppmåling-fra-plan-og-byggesak"."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\wæøå]+", "-", text).strip("-_")
    return text or "rad"


class Names:
    """How a table's rows are named in formulas, ranges, links and known differences: by number, id or
    label (a label only where no number or id says otherwise). A name two rows share is ambiguous."""

    def __init__(self, table: Table):
        self.table = table
        self.index: dict[str, int] = {}
        self.ambiguous: set[str] = set()
        for i, row in enumerate(table.rows):
            if row.is_heading:
                continue
            for name in dict.fromkeys(n for n in (row.number, row.id, row.label) if n):
                if name in self.index and self.index[name] != i:
                    self.ambiguous.add(name)
                else:
                    self.index[name] = i
        for i, row in enumerate(table.rows):  # derived ids last: a written name always wins
            if not row.is_heading and row.label and row.id is None:
                self.index.setdefault(slug(row.label), i)

    def find(self, name: str) -> int | str:
        """The row's index, or why there is none (a message)."""
        name = str(name).strip()
        if name in self.ambiguous:
            return f"'{name}' names more than one row; give the rows an 'id' and use it"
        if name in self.index:
            return self.index[name]
        known = [r.number or r.id or r.label for r in self.table.rows if not r.is_heading]
        return f"the table has no row '{name}' (rows: {', '.join(str(k) for k in known[:12])}" + \
            (", …)" if len(known) > 12 else ")")


_SIGNS = {"+": 1, "-": -1, "−": -1, "–": -1}


def parse_formula(text: str, known: set[str]) -> list[tuple[int, str]] | str:
    """``"10 + 11 - 13"`` → ``[(1, "10"), (1, "11"), (-1, "13")]``. A name with hyphens in it
    ("lønns-og-prisvekst", "ramme-2024") is read whole when it is a known name (the longest that fits), so
    ``5-8`` is 5 minus 8 and ``ramme-2024 - rullering`` a column minus another. A message if the formula cannot
    be read."""
    names = sorted(known, key=len, reverse=True)
    terms: list[tuple[int, str]] = []
    sign, i, n = 1, 0, len(text)
    expect_term = True
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in _SIGNS:
            if expect_term and terms:
                return f"'{text}': two signs in a row"
            sign = _SIGNS[char] if terms else sign * _SIGNS[char]  # (a leading sign, or the operator)
            expect_term = True
            i += 1
            continue
        if not expect_term:
            return f"'{text}': '+' or '-' expected before '{text[i:].split()[0]}'"
        name = next((m for m in names if text.startswith(m, i) and
                     (i + len(m) == n or text[i + len(m)].isspace() or text[i + len(m)] in _SIGNS)), None)
        if name is None:  # not a known name: up to the next space or sign (the caller says it is unknown)
            j = i
            while j < n and not text[j].isspace() and text[j] not in _SIGNS:
                j += 1
            name = text[i:j]
        terms.append((sign, name))
        sign, expect_term = 1, False
        i += len(name)
    if expect_term:
        return f"'{text}': a term is missing" if terms else f"'{text}': nothing to compute"
    return terms


# ------------------------------------------------------------------------------------------ relations

#: The codes by how a figure is defined.
_CODES = {"sum": Code.SUBTOTAL_MISMATCH, "alle": Code.TOTAL_MISMATCH, "formel": Code.FORMULA_MISMATCH,
          "lik": Code.LINK_MISMATCH, "fra": Code.LINK_MISMATCH}


class References(Mapping[tuple[int, str], tuple[Decimal, str, Decimal]]):
    """Figures from other files, found by the loader: (row index, column id) → (value in this table's unit,
    where it is printed, how far apart the two may be across units). Empty for a table that names none."""

    def __init__(self, values: dict[tuple[int, str], tuple[Decimal, str, Decimal]] | None = None):
        self._values = values or {}

    def __getitem__(self, key):
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


def _key(i: int) -> str:
    return str(i)


def row_members(table: Table, index: int, names: Names) -> list[int] | str:
    """The rows a ``sum`` row adds up (indices), or a message."""
    row = table.rows[index]
    spec = row.sum
    if isinstance(spec, list):
        out = []
        for name in spec:
            found = names.find(name)
            if isinstance(found, str):
                return found
            out.append(found)
        return out
    text = str(spec).strip()
    if text == "alle":
        return [i for i, r in enumerate(table.rows) if i != index and not r.is_heading and not r.is_result]
    if text == "over":
        out = []
        for i in range(index - 1, -1, -1):
            other = table.rows[i]
            if other.is_heading or other.is_result:
                break
            out.append(i)
        return list(reversed(out)) if out else "no rows between this one and the heading or result row above"
    m = re.fullmatch(r"(.+?)\s*(?:-|–|—|til)\s*(.+)", text)
    if m:
        first, last = names.find(m[1]), names.find(m[2])
        for found in (first, last):
            if isinstance(found, str):
                return found
        if first > last:
            return f"the range '{text}' runs backwards"
        return [i for i in range(first, last + 1) if not table.rows[i].is_heading]
    found = names.find(text)
    return [found] if isinstance(found, int) else \
        f"'{text}': write a range ('1-4'), a list ([1, 2, 3]), 'over' or 'alle'"


def relations(table: Table, names: Names, references: References | None = None) -> tuple[list[Relation], list[Problem]]:
    """Every relation of the table, and what is wrong with how they are written (input problems)."""
    out: list[Relation] = []
    problems: list[Problem] = []
    references = references or References()
    figures = [c for c in table.figure_columns if not c.is_percent]
    column_ids = {c.id for c in table.figure_columns}

    def bad(path: tuple, message: str, hint: str) -> None:
        problems.append(input_error(Code.UNKNOWN_FIGURE, table.locate(*path), message, hint))

    for i, row in enumerate(table.rows):
        if row.is_heading:
            continue
        targets = figures
        if row.sum is not None:
            members = row_members(table, i, names)
            if isinstance(members, str):
                bad(("rader", i, "sum"), members, "name the rows by their number, id or label")
            else:
                code = _CODES["alle"] if str(row.sum).strip() == "alle" else _CODES["sum"]
                shown = f"sum {row.sum}" if not isinstance(row.sum, list) else \
                    "sum " + ", ".join(str(x) for x in row.sum)
                for column in targets:
                    out.append(Relation((_key(i), column.id), tuple(Term(1, (_key(m), column.id)) for m in members),
                                        code, shown))
        elif row.formula is not None:
            parsed = parse_formula(row.formula, set(names.index))
            if isinstance(parsed, str):
                bad(("rader", i, "formel"), parsed, "write row numbers or ids joined by + and -, e.g. 5 - 8")
            else:
                found = [(s, names.find(n)) for s, n in parsed]
                wrong = [f for _, f in found if isinstance(f, str)]
                if wrong:
                    bad(("rader", i, "formel"), wrong[0], "name the rows by their number, id or label")
                else:
                    for column in targets:
                        out.append(Relation((_key(i), column.id),
                                            tuple(Term(s, (_key(m), column.id)) for s, m in found),
                                            Code.FORMULA_MISMATCH, row.formula))
        elif row.share is not None:
            parts = [names.find(row.share.numerator), names.find(row.share.denominator)]
            wrong = [p for p in parts if isinstance(p, str)]
            if wrong:
                bad(("rader", i, "andel"), wrong[0], "name the rows by their number, id or label")
            else:
                for column in targets:
                    out.append(Relation(
                        (_key(i), column.id), (Term(1, (_key(parts[0]), column.id)),), Code.KEY_FIGURE_MISMATCH,
                        f"{row.share.numerator} ÷ {row.share.denominator}", (Term(1, (_key(parts[1]), column.id)),),
                        row.decimals if row.decimals is not None else 1, row.rounding))
        if isinstance(row.equal, str):
            other = names.find(row.equal)
            if isinstance(other, str):
                bad(("rader", i, "lik"), other, "name the row by its number, id or label")
            else:
                for column in figures:
                    out.append(Relation((_key(i), column.id), (Term(1, (_key(other), column.id)),),
                                        Code.LINK_MISMATCH, f"lik {row.equal}", kind="lik"))
        for key in ("lik", "fra"):
            address = row.equal if key == "lik" else row.source
            if not isinstance(address, Address):
                continue
            for column in figures:
                found = references.get((i, column.id))
                if found is not None:
                    value, where, allowance = found
                    out.append(Relation((_key(i), column.id), (), Code.LINK_MISMATCH, f"{key} {address.file}",
                                        value=value, source=where, allowance=allowance, kind=key,
                                        printed_elsewhere=not where.startswith(ROLLED)))
    for column in table.figure_columns:
        index = next(n for n, c in enumerate(table.columns) if c is column)
        if column.formula is not None:
            parsed = parse_formula(column.formula, column_ids)
            if isinstance(parsed, str) or any(n not in column_ids for _, n in parsed):
                bad(("kolonner", index, "formel"), parsed if isinstance(parsed, str) else
                    f"'{column.formula}' names a column the table does not have",
                    f"the figure columns are: {', '.join(sorted(column_ids))}")
                continue
            code = Code.AVVIK_MISMATCH if column.role is ColumnRole.VARIANCE else Code.FORMULA_MISMATCH
            for i, row in enumerate(table.rows):
                if row.is_heading or row.share is not None:
                    continue
                out.append(Relation((_key(i), column.id), tuple(Term(s, (_key(i), n)) for s, n in parsed), code,
                                    column.formula, kind="kolonne"))
        if column.share is not None:
            parts = [column.share.numerator, column.share.denominator]
            if any(p not in column_ids for p in parts):
                bad(("kolonner", index, "andel"), "the share names a column the table does not have",
                    f"the figure columns are: {', '.join(sorted(column_ids))}")
                continue
            for i, row in enumerate(table.rows):
                if row.is_heading:
                    continue
                out.append(Relation((_key(i), column.id), (Term(1, (_key(i), parts[0])),), Code.KEY_FIGURE_MISMATCH,
                                    f"{parts[0]} ÷ {parts[1]}", (Term(1, (_key(i), parts[1])),),
                                    column.decimals if column.decimals is not None else 1, column.rounding,
                                    kind="kolonne"))
    return out, problems


def printed(table: Table) -> dict[Cell, Decimal]:
    """Every printed figure, by cell. With ``blank_er_null: true``, a blank in a row that prints any figure is
    a printed zero."""
    out: dict[Cell, Decimal] = {}
    for i, row in enumerate(table.rows):
        if row.is_heading:
            continue
        cells = list(table.cells(i))
        any_printed = any(v is not None for _, v, _ in cells)
        for column_id, value, _ in cells:
            if value is not None:
                out[(_key(i), column_id)] = value
            elif table.blank_is_zero and any_printed:
                out[(_key(i), column_id)] = Decimal(0)
    return out


def grid(table: Table, references: References | None = None) -> tuple[Grid, list[Problem]]:
    names = Names(table)
    found, problems = relations(table, names, references)
    return Grid(printed(table), found, from_printed=table.results == "publiserte"), problems


# ------------------------------------------------------------------------------------------- validate


def validate(table: Table) -> list[Problem]:
    """What the schema cannot see: ids unique, cells in columns that exist, every name a formula, range or
    record uses found, no relation that comes back to itself, amounts as printed."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, column in enumerate(table.columns):
        if column.id in seen:
            problems.append(input_error(Code.DUPLICATE_ID, table.locate("kolonner", i, "id"),
                                        f"two columns have the id '{column.id}'", "give each column its own id"))
        seen.setdefault(column.id, i)
    figure_ids = [c.id for c in table.figure_columns]
    text_ids = [c.id for c in table.columns if c.is_text]
    for i, column in enumerate(table.columns):
        if column.role is ColumnRole.VARIANCE and column.formula is None:
            budgets = [c.id for c in table.figure_columns if c.role in BUDGET_ROLES]
            accounts = [c.id for c in table.figure_columns if c.role is ColumnRole.ACCOUNTS]
            b, r = (budgets or ["budsjett"])[0], (accounts or ["regnskap"])[0]
            problems.append(input_error(
                Code.MISSING_KEY, table.locate("kolonner", i),
                f"avvik column '{column.id}' does not say how it is computed: the sign of avvik is not the same "
                "everywhere, and it is never guessed",
                f"add 'formel: {b} - {r}' (Molde: budsjett − regnskap) or 'formel: {r} - {b}' (Stavanger)"))
    names = Names(table)
    for i, row in enumerate(table.rows):
        if isinstance(row.amounts, list):
            if len(row.amounts) > len(figure_ids):
                problems.append(input_error(
                    Code.UNKNOWN_COLUMN, table.locate("rader", i, "beløp", len(figure_ids)),
                    f"the row has {len(row.amounts)} figures, but the table has {len(figure_ids)} figure columns "
                    f"({', '.join(figure_ids)})", "write one figure per column (null for a blank), or name the "
                    "columns: beløp: {id: figure}"))
        else:
            for key in row.amounts:
                if key not in figure_ids:
                    problems.append(input_error(Code.UNKNOWN_COLUMN, table.locate_key("rader", i, "beløp", key),
                                                f"'{key}' is not a column of figures in this table",
                                                f"the figure columns are: {', '.join(figure_ids)}"))
        for key in row.texts:
            if key not in text_ids:
                problems.append(input_error(Code.UNKNOWN_COLUMN, table.locate_key("rader", i, "tekst", key),
                                            f"'{key}' is not a text column ('rolle: tekst') of this table",
                                            f"the text columns are: {', '.join(text_ids) or 'none'}"))
    for i, row in enumerate(table.rows):
        for name in (row.number, row.id):
            if name and name in names.ambiguous and names.index.get(name) != i:
                problems.append(input_error(Code.DUPLICATE_ID, table.locate("rader", i, "nr" if name == row.number
                                                                            else "id"),
                                            f"two rows are named '{name}'", "give each row its own number or id"))
    found, relation_problems = relations(table, names)
    problems += relation_problems
    problems += _cycles(table, found)
    for i, record in enumerate(table.known_differences):
        row = names.find(record.row)
        if isinstance(row, str):
            problems.append(input_error(Code.UNKNOWN_FIGURE, table.locate("kjente_differanser", i, "rad"), row,
                                        "name the row by its number, id or label"))
        if record.column not in figure_ids:
            problems.append(input_error(Code.UNKNOWN_COLUMN, table.locate("kjente_differanser", i, "kolonne"),
                                        f"'{record.column}' is not a column of figures in this table",
                                        f"the figure columns are: {', '.join(figure_ids)}"))
    decimals = table.decimals if table.decimals is not None else (None if table.amount_unit is TableUnit.FTE else 0)
    percent = {c.id for c in table.columns if c.is_percent}
    cells = [(path, value, True) for i, row in enumerate(table.rows) if row.share is None
             for column_id, value, path in table.cells(i) if value is not None and column_id not in percent]
    cells += [(("kjente_differanser", i, "differanse"), r.difference, True) for i, r in enumerate(table.known_differences)]
    problems += amount_problems(table, cells, decimals, "at the top of the table")
    return problems


def _cycles(table: Table, found: list[Relation]) -> list[Problem]:
    """A row (or column) defined, through others, from itself: reported once, at its row."""
    edges: dict[Cell, list[Cell]] = {}
    for relation in found:
        edges.setdefault(relation.target, []).extend(t.cell for t in (*relation.terms, *relation.denominator))
    state: dict[Cell, int] = {}  # 1: on the path, 2: done
    bad_rows: set[int] = set()
    for start in edges:
        if state.get(start):
            continue
        stack: list[tuple[Cell, Iterator[Cell]]] = [(start, iter(edges.get(start, ())))]
        state[start] = 1
        while stack:
            cell, children = stack[-1]
            nxt = next(children, None)
            if nxt is None:
                state[cell] = 2
                stack.pop()
                continue
            if state.get(nxt) == 1:
                bad_rows.add(int(nxt[0]))
            elif not state.get(nxt) and nxt in edges:
                state[nxt] = 1
                stack.append((nxt, iter(edges[nxt])))
    problems = []
    for i in sorted(bad_rows):
        row = table.rows[i]
        key = "sum" if row.sum is not None else "formel" if row.formula is not None else \
            "andel" if row.share is not None else "lik"
        problems.append(input_error(Code.GROUP_CYCLE, table.locate("rader", i, key),
                                    f"row '{table.row_name(i)}' is defined, through other rows, from itself",
                                    "a result row is computed from rows that do not depend on it"))
    return problems


# -------------------------------------------------------------------------------------------- check


@exact
def check(table: Table, tolerance: Decimal = Decimal(0), known_differences: bool = True,
          references: References | None = None) -> list[Problem]:
    """Every printed figure that a relation defines against that relation, in file order."""
    built, problems = grid(table, references)
    if problems:
        return problems
    names = Names(table)
    found = findings(built)
    # Each known difference is pinned to one relation of its cell (the Comparer matches a figure's key with a
    # record's): the kind it names, else the first that differs by its amount, else the first that differs.
    by_cell: dict[Cell, list] = {}
    for finding in found:
        by_cell.setdefault(finding.relation.target, []).append(finding)
    records, recorded = [], {}
    for i, record in enumerate(table.known_differences if known_differences else ()):
        row = names.find(record.row)
        candidates = by_cell.get((_key(row), record.column), []) if isinstance(row, int) else []
        if record.relation is not None:
            candidates = [f for f in candidates if f.relation.kind == record.relation]
        pinned = next((f for f in candidates if f.difference == record.difference), None) or \
            next((f for f in candidates if f.difference), None) or next(iter(candidates), None)
        key = ("relasjon", id(pinned.relation)) if pinned is not None else ("ingen", i)
        records.append(_Keyed(record, key))
        if pinned is not None:
            recorded[id(pinned.relation)] = (i, record.difference)
    cmp = Comparer(table, records, tolerance)
    columns = {c.id: c for c in table.columns}
    paths = {(_key(i), cid): path for i in range(len(table.rows)) if not table.rows[i].is_heading
             for cid, _, path in table.cells(i)}

    def name(cell: Cell) -> str:
        row = int(cell[0])
        return f"{table.row_name(row)}, {columns[cell[1]].label}"

    # What blame explains is not reported again, and a record on it counts as used.
    blamed = blame(built, found, lambda relation: recorded.get(id(relation), (None, Decimal(0)))[1])
    # What a blamed figure explains is not reported again; a blamed leaf is one cell-mismatch, a blamed result
    # is its own relation's finding (below), at its own cell.
    explained = {id(r) for b in blamed for r in b.relations if r is not b.own}
    cmp.used.update(recorded[key][0] for key in explained if key in recorded)
    for b in (b for b in blamed if b.own is None):
        file, line, col = table.locate(*paths[b.cell])
        targets = [name(r.target) for r in b.relations]
        together = " and ".join(targets) if len(targets) == 2 else ", ".join(targets[:-1]) + " and " + targets[-1]
        cmp.problems.append(Problem(
            Code.CELL_MISMATCH, Severity.ERROR, file, line, col,
            f"{name(b.cell)}: published {format_amount(b.published)}, but {together} "
            f"{'both' if len(targets) == 2 else 'all'} give {format_amount(b.implied)} (difference "
            f"{format_amount(b.published - b.implied, plus=True)}): a misprint in this cell, most likely", None,
            name(b.cell), None, b.published, b.implied, b.published - b.implied))
    for finding in found:
        relation = finding.relation
        if id(relation) in explained:
            continue
        target = relation.target
        if finding.computed is None:
            file, line, col = table.locate(*paths[target])
            cmp.problems.append(Problem(relation.code, Severity.ERROR, file, line, col,
                                        f"{name(target)}: {relation.formula} cannot be computed: its denominator "
                                        "is 0"))
            continue
        unit = " %" if relation.is_share else ""
        computed_text = f"{format_amount(finding.computed)}{unit} ({built.shown(relation, name)})"
        if relation.source is not None:
            computed_text = f"{format_amount(finding.computed)} ({relation.formula}, {relation.source})"
        difference = finding.published - finding.computed
        if relation.allowance and abs(difference) <= relation.allowance:
            continue  # one figure in two units: equal within the rounding of the coarser
        cmp.compare(relation.code, name(target), ("relasjon", id(relation)), finding.published, finding.computed,
                    paths[target], computed_text=computed_text, unit=unit)
    return cmp.finish()


class _Keyed:
    """A known difference with the key of the relation it is pinned to (as the Comparer matches them)."""

    def __init__(self, record: KnownCellDifference, key: tuple | None):
        self.record, self.key = record, key
        self.difference, self.explanation, self.label = record.difference, record.explanation, record.label


def published_figures(table: Table, references: References | None = None) -> int:
    """How many printed figures :func:`check` compares (those a relation defines)."""
    built, _ = grid(table, references)
    return sum(1 for r in built.relations if r.target in built.printed)


__all__ = ["TABLE_KIND", "Table", "check", "grid", "validate"]


# ------------------------------------------------------------------------------------- other files


def resolve(table: Table, fetch, rolled) -> tuple[References, list[Problem]]:
    """The figures the table's ``lik`` and ``fra`` name in other files, in this table's unit, cell by cell.

    ``fetch(index, key)`` gives the document the row's address names (``None`` if it could not be read; the
    caller has said why). ``rolled(frame)`` gives a frame's rolled table (``None`` if the frame could not be
    rolled), for the figures a frame does not print. A frame's figure for a column is found by the column's
    ``år``; a table's by the column of the same id (or the ``kolonne`` named, for the one cell ``i``).
    """
    from .models import Frame

    FTE, KRONER = TableUnit.FTE.value, KRONER_PER_UNIT

    values: dict[tuple[int, str], tuple[Decimal, str, Decimal]] = {}
    problems: list[Problem] = []
    here_unit = table.amount_unit.value
    for i, row in enumerate(table.rows):
        for key in ("lik", "fra"):
            address = row.equal if key == "lik" else row.source
            if not isinstance(address, Address):
                continue

            def wrong(message: str, hint: str, key=key, i=i) -> None:
                problems.append(input_error(Code.UNKNOWN_FIGURE, table.locate("rader", i, key), message, hint))

            doc = fetch(i, key)
            if doc is None:
                continue
            if (address.column is None) != (address.here is None):
                wrong("name one cell with both 'kolonne' (there) and 'i' (here), or neither for the whole row",
                      "e.g. {fil: …, rad: 6, kolonne: regnskap, i: regnskap-2022}")
                continue
            wanted = [c for c in table.figure_columns if address.here in (None, c.id) and not c.is_percent]
            if address.here is not None and not wanted:
                wrong(f"'{address.here}' is not a column of figures in this table", "name a column of this table")
                continue
            unit = doc.amount_unit.value if isinstance(doc, (Frame, Table)) else None
            if unit is None:
                wrong(f"'{address.file}' is a '{getattr(doc, 'kind', '?')}' file; '{key}' names a frame or a table",
                      "name a frame (type: ramme) or a table (type: tabell)")
                continue
            if (unit == FTE) != (here_unit == FTE):
                problems.append(input_error(Code.UNIT_MISMATCH, table.locate("rader", i, key),
                                            f"'{address.file}' is in {unit} and this table in {here_unit}: årsverk "
                                            "and money are not the same figure", "name a figure of the same kind"))
                continue
            for column in wanted:
                found = _figure_in(doc, address, column, rolled)
                if isinstance(found, str):
                    wrong(found, "correct the address, or give the column its 'år'")
                    break
                value, where = found
                if unit != here_unit and unit in KRONER and here_unit in KRONER:
                    factor = Decimal(KRONER[unit]) / Decimal(KRONER[here_unit])
                    exponent = value.as_tuple().exponent
                    # within the rounding of the coarser figure: half a unit of its last printed digit
                    allowance = (Decimal(5).scaleb(exponent - 1) * factor) if factor > 1 else \
                        Decimal("0.5").scaleb(-(table.decimals or 0))
                    value = (value * factor).normalize() if factor > 1 else value * factor
                else:
                    allowance = Decimal(0)
                values[(i, column.id)] = (value, where, allowance)
    return References(values), problems


#: How a figure from another file that the file does not print, but its roll gives, is said to come about.
ROLLED = "rolled from "


def _figure_in(doc, address: Address, column: TableColumn, rolled) -> tuple[Decimal, str] | str:
    """One figure of another file for a column of this table: (value, where it is printed or computed)."""
    from .models import Frame

    if isinstance(doc, Frame):
        year = column.year
        if year is None:
            return f"column '{column.id}' has no 'år', so no figure of frame '{doc.id}' can be found for it"
        if year not in doc.years:
            return f"frame '{doc.id}' has no column for {year}"
        if address.group is not None:
            index = next((g for g, group in enumerate(doc.groups) if group.id == address.group), None)
            if index is None:
                return f"frame '{doc.id}' has no group '{address.group}'"
            printed, path, computed = doc.groups[index].published, ("grupper", index, "publisert"), "subtotals"
        elif address.row in ("ny_driftsramme", "utgangspunkt"):
            part = doc.new_frame if address.row == "ny_driftsramme" else doc.start
            printed, path, computed = part.published, (address.row, "publisert"), address.row
        else:
            return "a frame's figures are 'rad: ny_driftsramme' or 'rad: utgangspunkt', or 'gruppe: <id>'"
        if year in printed:
            file, line, col = doc.locate(*path, year)
            return printed[year], f"{file}:{line}:{col}"
        table = rolled(doc)
        if table is None:
            return f"frame '{doc.id}' prints no figure for {year} and could not be rolled"
        value = (table.subtotals[address.group].get(year) if computed == "subtotals" else
                 (table.new_frame if computed == "ny_driftsramme" else table.start).get(year))
        return (value if value is not None else Decimal(0)), f"{ROLLED}{doc.file}"
    names = Names(doc)
    if address.row is None:
        return "name the row with 'rad'"
    index = names.find(address.row)
    if isinstance(index, str):
        return index
    there = address.column or column.id
    if doc.column(there) is None:
        same_year = [c for c in doc.figure_columns if column.year is not None and c.year == column.year]
        if address.column is None and len(same_year) == 1:
            there = same_year[0].id
        else:
            return f"table '{doc.id}' has no column '{there}'"
    for column_id, value, path in doc.cells(index):
        if column_id == there:
            if value is None:
                return f"table '{doc.id}' prints no figure in row '{address.row}', column '{there}'"
            file, line, col = doc.locate(*path)
            return value, f"{file}:{line}:{col}"
    return f"table '{doc.id}' has no figure column '{there}'"


def compared_columns(table: Table) -> tuple[TableColumn, TableColumn] | None:
    """The regnskap and budsjett columns a row's result is named from (merforbruk, merinntekt): those an avvik
    column's formula compares, else the one pair of the same year, else the only pair; ``None`` if unclear."""
    accounts = [c for c in table.figure_columns if c.role is ColumnRole.ACCOUNTS]
    budgets = [c for c in table.figure_columns if c.role in BUDGET_ROLES]
    for column in table.figure_columns:
        if column.role is ColumnRole.VARIANCE and column.formula:
            parsed = parse_formula(column.formula, {c.id for c in table.figure_columns})
            if not isinstance(parsed, str):
                named = {n for _, n in parsed}
                pair = [c for c in accounts if c.id in named], [c for c in budgets if c.id in named]
                if len(pair[0]) == 1 and len(pair[1]) == 1:
                    return pair[0][0], pair[1][0]
    same_year = [(a, b) for a in accounts for b in budgets if a.year is not None and a.year == b.year]
    if len(same_year) == 1:
        return same_year[0]
    if len(accounts) == 1 and len(budgets) == 1:
        return accounts[0], budgets[0]
    return None
