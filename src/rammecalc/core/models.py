"""The data a user writes: frames and changes, as frozen pydantic models.

Field names are English; the YAML keys are Norwegian and reach the fields through aliases (the glossary in
``terms.py``). Every model forbids unknown keys. Amounts are ``Decimal`` (see ``numbers.py``): the loader
passes each number as the text the user wrote, so nothing goes through ``float``.

The two top-level documents, :class:`Frame` and :class:`ChangeSet`, remember the file they came from and
where each value stood in it (``locate``), so the pure checks can cite ``file:line:col`` without I/O.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .numbers import POINT, SPACE, AmountError, parse_amount
from .terms import (
    CHANGES_KIND,
    FIGURE_NEW_FRAME,
    FIGURE_START,
    FRAME_KIND,
    PARAMETERS_KIND,
    RELATIVE_TOTAL_LABEL,
    SCENARIO_KIND,
    AmountUnit,
    Category,
    Convention,
    Rounding,
    ShareBasis,
)

#: The thousands separator the document being validated declares (``tusenskille``), for its amounts: set by
#: :meth:`AmountDocument._declared_separator` around the validation of one document, read by :data:`Money`.
#: A context variable, because the declaration sits at the top of the file and the amounts far below it,
#: in models that know nothing of their document (and the loader, which could pass it, is not ours to change).
_SEPARATOR: ContextVar[str | None] = ContextVar("rammecalc_thousands_separator", default=None)


def _to_amount(value: Any) -> Decimal:
    """A table amount, read with the document's declared thousands separator."""
    try:
        return parse_amount(value, _SEPARATOR.get())
    except AmountError as exc:
        raise ValueError(str(exc)) from None


def _to_number(value: Any) -> Decimal:
    """A number that is not a table amount (a rate in per cent, a factor): a full stop is a decimal point
    whatever the document declares for its amounts."""
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise ValueError(str(exc)) from None


# The schema's patterns are read by editors and validators as ECMAScript regular expressions (JSON Schema
# says so), and by rammecalc as Python's (or pydantic's, Rust's). ``\w``, ``\d`` and ``\s`` mean different
# things there (``\w`` has no æøå in ECMAScript; ``\d`` is every script's digits in Python), so every pattern
# here is written with explicit character classes only, which mean the same in every dialect; a test
# (tests/test_editors_schema.py) matches each pattern of the schema in both and compares.

#: The letters an id or a parameter's name is written with: the Latin script, æøå, the Sami letters (á, č,
#: đ, ŋ, š, ŧ, ž, ʒ) and the accented letters of other languages written in it: Basic Latin, the letters of
#: Latin-1 (not × and ÷), Latin Extended-A and -B, the IPA letters and Latin Extended Additional.
ID_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u1e00-\u1eff"
#: The spaces the tables print between a sign and its figure and between thousands (see ``numbers``).
_SPACES = " \u00a0\u2009\u202f"
_MINUS_OR_PLUS = "-\u2212\u2013+"

_MONEY_SCHEMA = {
    "description": "An exact amount in the table's unit: a number (9864, -127, 1.4) or the table's own "
    "text ('9 864', '−127', '1,4').",
    "anyOf": [
        {"type": "integer"},
        {"type": "number"},
        {"type": "string", "pattern": f"^[{_MINUS_OR_PLUS}]?[{_SPACES}]*[0-9][0-9{_SPACES}.]*(,[0-9]+)?$"},
    ],
}
#: Editors validate YAML keys as text, so year keys are described by a pattern, not as integers.
_YEAR_KEYS = {"pattern": "^[0-9]{4}$"}

Money = Annotated[
    Decimal,
    BeforeValidator(_to_amount),
    PlainSerializer(lambda d: d, return_type=Decimal),
    WithJsonSchema(_MONEY_SCHEMA),
]


def _strip_percent(value: Any) -> Any:
    if isinstance(value, str) and value.rstrip().endswith("%"):
        return value.rstrip()[:-1]
    return value


_PERCENT_SCHEMA = {
    "description": "A percentage as printed: -8.1, 2.7 or '−8,1 %', '2,7 %'.",
    "anyOf": [{"type": "number"},
              {"type": "string", "pattern": f"^[{_MINUS_OR_PLUS}]?[{_SPACES}]*[0-9]+([.,][0-9]+)?[{_SPACES}]*%?$"}],
}
Percent = Annotated[
    Decimal,
    BeforeValidator(lambda v: _to_number(_strip_percent(v))),
    PlainSerializer(lambda d: d, return_type=Decimal),
    WithJsonSchema(_PERCENT_SCHEMA),
]
#: A factor (``skaler``): a plain number, not an amount of the table (no thousands separator, no decimals rule).
Factor = Annotated[
    Decimal,
    BeforeValidator(_to_number),
    PlainSerializer(lambda d: d, return_type=Decimal),
    WithJsonSchema({"description": "A factor: 0.5, 1.25 or '1,25'.",
                    "anyOf": [{"type": "number"},
                              {"type": "string", "pattern": f"^[{_MINUS_OR_PLUS}]?[{_SPACES}]*[0-9]+([.,][0-9]+)?$"}]}),
]
Year = Annotated[int, Field(ge=1900, le=2200)]
YearAmounts = Annotated[
    dict[Year, Money],
    WithJsonSchema({"type": "object", "propertyNames": _YEAR_KEYS, "additionalProperties": _MONEY_SCHEMA}),
]
YearLabels = Annotated[
    dict[Year, str],
    WithJsonSchema({"type": "object", "propertyNames": _YEAR_KEYS, "minProperties": 1,
                    "additionalProperties": {"type": "string", "minLength": 1}}),
]
Id = Annotated[
    str,
    Field(
        min_length=1,
        pattern=f"^[0-9{ID_LETTERS}][0-9{ID_LETTERS}_.\\-]*$",
        description="A stable identifier: letters (æøå and the Sami letters too), digits, '.', '-' and '_', no "
        "spaces; it starts with a letter or a digit.",
    ),
]
Text = Annotated[str, Field(min_length=1)]

Location = tuple[str, int, int]
"""``(file, line, column)``, both 1-based."""

Path = tuple[str | int, ...]
"""A place in a document: mapping keys as written in the YAML (years as ``int``) and list indices."""


class Model(BaseModel):
    # defer_build: a model is built when first used, so a run pays only for the kinds of file it reads.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, str_strip_whitespace=True,
                              defer_build=True)


class Source(Model):
    """Where the figures come from. At least the document; the table, address and page where known."""

    document: Text = Field(alias="dokument", description="The document's title, as printed.")
    table: Text | None = Field(None, alias="tabell", description="The table's title or number.")
    address: Text | None = Field(None, alias="adresse", description="A web address (URL) of the source.")
    page: Text | None = Field(None, alias="side", description="Page or section in the document.")
    note: Text | None = Field(None, alias="merknad", description="How the figures were read from the source.")


class Located(Model):
    """A top-level document: it knows its file and where each of its values stands in it."""

    _file: str = PrivateAttr(default="<memory>")
    _locations: dict[Path, tuple[int, int]] = PrivateAttr(default_factory=dict)
    _key_locations: dict[Path, tuple[int, int]] = PrivateAttr(default_factory=dict)
    _locator: Any = PrivateAttr(default=None)
    _digest: str | None = PrivateAttr(default=None)

    def with_source(self, file: str, locations: dict[Path, tuple[int, int]] | None = None,
                    key_locations: dict[Path, tuple[int, int]] | None = None,
                    locator: Callable[[], tuple[dict, dict]] | None = None, digest: str | None = None) -> Located:
        """Attach provenance: where each value (and each mapping key) stands, and the SHA-256 of the bytes the
        document was read from. The loader calls this, with the locations, or with a ``locator`` that finds
        them when first asked (most files never are: a file's locations are needed only for a problem in it,
        and reading them costs as much as the values)."""
        self._file = file
        self._locations = locations or {}
        self._key_locations = key_locations or {}
        self._locator = locator
        self._digest = digest
        return self

    @property
    def digest(self) -> str | None:
        """The SHA-256 of the bytes this document was read from (``None`` if it was not read from a file)."""
        return self._digest

    def locations(self) -> tuple[dict[Path, tuple[int, int]], dict[Path, tuple[int, int]]]:
        """Where each value and each mapping key stands: ``(values, keys)``, path → (line, column)."""
        if self._locator is not None:
            self._locations, self._key_locations = self._locator()
            self._locator = None
        return self._locations, self._key_locations

    def locate_key(self, *path: str | int) -> Location:
        """The ``(file, line, col)`` of the key at ``path`` (a year key, say), else of its value."""
        _, keys = self.locations()
        if path in keys:
            return (self._file, *keys[path])
        return self.locate(*path)

    @property
    def file(self) -> str:
        return self._file

    def locate(self, *path: str | int) -> Location:
        """The ``(file, line, col)`` of the value at ``path``, or of its nearest written parent."""
        values, _ = self.locations()
        key: Path = tuple(path)
        while key:
            if key in values:
                line, col = values[key]
                return (self._file, line, col)
            key = key[:-1]
        line, col = values.get((), (1, 1))
        return (self._file, line, col)


class AmountDocument(Located):
    """A document that carries table amounts, and may declare how they group thousands."""

    thousands_separator: Literal["punktum", "mellomrom"] | None = Field(
        None, alias="tusenskille",
        description="How the file writes thousands: 'punktum' (a full stop separates them, as Askøy prints "
        "1.515 for 1 515; a decimal part then needs a comma) or 'mellomrom' (a space, or nothing; a full stop "
        "is a decimal point). Without it, an amount such as 1.500 in a table of whole units is refused: it "
        "reads as 1,5 or as 1 500. Rates and factors always read a full stop as a decimal point.",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _declared_separator(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        """Read the document's amounts with the separator it declares (see :data:`_SEPARATOR`)."""
        declared = None
        if isinstance(data, dict):
            declared = data.get("tusenskille", data.get("thousands_separator"))
        token = _SEPARATOR.set(declared if declared in (POINT, SPACE) else None)
        try:
            return handler(data)
        finally:
            _SEPARATOR.reset(token)


# ---------------------------------------------------------------------------------------------- frame


class SplitRow(Model):
    """One row of the split of the starting frame, e.g. driftsinntekter or driftsutgifter."""

    label: Text = Field(alias="etikett", description="The row's label as printed, e.g. 'Driftsinntekter'.")
    amounts: YearAmounts = Field(alias="beløp", description="The printed figure per year.")


class Start(Model):
    """The starting frame (utgangspunkt) and the figures printed on its row."""

    label: Text = Field(alias="etikett", description="The starting row's label as printed.")
    amount: Money | None = Field(
        None,
        alias="beløp",
        description="The starting frame the roll begins from: the first column's start (incremental) or every "
        "column's base (level). Leave it out when the source gives only the changes, or when the frame's blocks "
        "carry their own starts (their sum is the frame's).",
    )
    published: YearAmounts = Field(
        default_factory=dict, alias="publisert", description="The start printed in each column."
    )
    split: tuple[SplitRow, ...] = Field(
        (),
        alias="fordeling",
        description="Rows printed under the start that add up to it in each column (driftsinntekter + "
        "driftsutgifter, or last year's budget + its adjustment).",
    )
    #: False for the start a frame of blocks is given when the file writes none: the blocks' own starts add
    #: up to it, and the table prints no row for it.
    _printed: bool = PrivateAttr(default=True)

    @property
    def printed(self) -> bool:
        """Whether the table prints a row for the start (a frame whose blocks carry the starts need not)."""
        return self._printed


class BlockStart(Model):
    """The base line printed inside a block: "Opprinnelig budsjett" under "Utgifter:", say."""

    label: Text = Field(alias="etikett", description="The base line's label as printed.")
    amount: Money = Field(
        alias="beløp",
        description="The block's starting amount: its first column's start (incremental) or every column's "
        "base (level), as the frame's 'utgangspunkt.beløp' is for the whole frame.",
    )
    published: YearAmounts = Field(
        default_factory=dict, alias="publisert", description="The base line printed in each column."
    )


class Group(Model):
    """A heading line items are printed under, with the subtotal the source prints for it."""

    id: Id
    label: Text = Field(alias="etikett", description="The heading as printed.")
    parent: Id | None = Field(None, alias="under", description="The id of the group this one is printed under.")
    published: YearAmounts = Field(default_factory=dict, alias="publisert", description="The printed subtotals.")
    sum_label: Text | None = Field(
        None, alias="sum_etikett",
        description="The label of a subtotal row printed below the group's items and subgroups ('Sum tiltak'): "
        "the heading ('Tiltak:') is then printed above them with no figures, and 'publisert' holds the sum "
        "row's figures. Without it, the subtotal is printed on the heading's row.",
    )
    start: BlockStart | None = Field(
        None, alias="utgangspunkt",
        description="The group's own base line, which makes it a block (Utgifter, Inntekter): its subtotal is "
        "its start + its items, and the frame's start is the sum of the blocks' starts. Top-level groups only.",
    )

    @property
    def subtotal_label(self) -> str:
        """How the table names the group's subtotal: its sum row's label, else its heading."""
        return self.sum_label or self.label


class NewFrame(Model):
    """The bottom row: the new frame per column."""

    label: Text = Field(FIGURE_NEW_FRAME, alias="etikett", description="The row's label as printed.")
    published: YearAmounts = Field(
        default_factory=dict, alias="publisert", description="The new frame printed in each column."
    )

    @property
    def label_written(self) -> bool:
        """Whether the file gives the row's label (else it is the generic 'Ny driftsramme')."""
        return "label" in self.model_fields_set


class KnownDifference(Model):
    """A published figure known not to add up, recorded with the evidence instead of hidden by a tolerance.

    ``check`` still reports the figure, as a warning that cites this record; if the difference changes or
    disappears, that is reported too.
    """

    figure: Literal["utgangspunkt", "fordeling", "gruppe", "ny_driftsramme"] = Field(
        alias="figur", description="Which figure: the start, the split, a group's subtotal, or the new frame."
    )
    group: Id | None = Field(
        None, alias="gruppe",
        description="The group's id, when 'figur' is 'gruppe'; with 'figur: utgangspunkt', a block's base line.")
    year: Year = Field(alias="år")
    difference: Money = Field(alias="differanse", description="Published minus computed, in the table's unit.")
    explanation: Text = Field(alias="forklaring", description="Why the published figure differs; the evidence.")

    @property
    def key(self) -> tuple:
        """What the record is about, as the check names the figure it compares."""
        return (self.figure, self.group, self.year)

    @property
    def label(self) -> str:
        if self.group and self.figure == "utgangspunkt":
            return f"utgangspunkt i gruppe {self.group} {self.year}"
        return f"{f'gruppe {self.group}' if self.group else self.figure} {self.year}"

    @model_validator(mode="after")
    def _group_named(self) -> KnownDifference:
        if self.figure == "gruppe" and self.group is None:
            raise ValueError("name the group's id under 'gruppe' exactly when 'figur' is 'gruppe'")
        if self.group is not None and self.figure not in ("gruppe", "utgangspunkt"):
            raise ValueError("'gruppe' names a group's subtotal ('figur: gruppe') or a block's base line "
                             "('figur: utgangspunkt'); leave it out here")
        return self


def _carries_start(group: Any) -> bool:
    """Whether a group, as written (or built), has its own start: a block."""
    if isinstance(group, Group):
        return group.start is not None
    return isinstance(group, dict) and (group.get("utgangspunkt", group.get("start")) is not None)


def _start_or_blocks(schema: dict) -> None:
    """In the schema, 'utgangspunkt' is required unless a group carries its own (the loader says the same)."""
    schema["required"] = [key for key in schema.get("required", ()) if key != "utgangspunkt"]
    schema["anyOf"] = [
        {"required": ["utgangspunkt"]},
        {"required": ["grupper"], "properties": {"grupper": {"contains": {"required": ["utgangspunkt"]}}}},
    ]


class Frame(AmountDocument):
    """A unit's frame table: columns, convention, starting frame, groups and the published figures."""

    # 'utgangspunkt' may be left out only by a frame whose blocks carry the starts (see _start_of_blocks).
    model_config = ConfigDict(json_schema_extra=_start_or_blocks)

    kind: Literal["ramme"] = Field(alias="type", description="Always 'ramme' for a frame file.")
    id: Id = Field(description="Unique among frames; changes files name their frame by it.")
    municipality: Text = Field(alias="kommune")
    unit: Text = Field(alias="enhet", description="The unit (enhet, rammeområde, kommunalavdeling).")
    source: Source = Field(alias="kilde")
    amount_unit: AmountUnit = Field(alias="beløpsenhet", description="The unit of every amount in the table.")
    price_level: Text | None = Field(
        None, alias="prisnivå",
        description="The price level the table states, as printed: '2018-kroner', 'faste 2024-priser'. Shown "
        "with the unit in every output.",
    )
    decimals: int = Field(
        0, ge=0, le=6, alias="desimaler",
        description="How many decimals the table prints (0: whole units; 1 for a table in mill. kr printing "
        "4,2). Amounts computed by rules and scenarios are rounded to this, and an amount written with more "
        "decimals (here or in the changes files) is refused at its cell.",
    )
    blank_is_zero: bool = Field(
        False, alias="blank_er_null",
        description="The table says that a blank cell is 0: a blank cell in a printed row (a start, a "
        "subtotal, the new frame, an item's 'publisert') that prints some figures is then read as a printed 0, "
        "and checked.",
    )
    convention: Convention = Field(alias="konvensjon", description="'inkrementell' or 'nivå' (see README).")
    columns: YearLabels = Field(
        alias="kolonner", description="Year → the column's printed label, in the order printed (rising years)."
    )
    text_columns: dict[Id, Text] = Field(
        default_factory=dict, alias="tekstkolonner",
        description="Text columns the table prints beside the figures (id → header, in printed order), such "
        "as 'Vedtakstype'; each item gives its texts under 'tekst'.",
    )
    start: Start = Field(
        alias="utgangspunkt",
        description="The starting row. Required, unless the groups carry their own starts (blocks): the frame's "
        "start is then the sum of theirs, printed only if given here (with 'etikett' and 'publisert').",
    )
    groups: tuple[Group, ...] = Field((), alias="grupper", description="Headings, in the order printed.")
    new_frame: NewFrame = Field(default_factory=NewFrame, alias="ny_driftsramme")
    changes: tuple[Text, ...] = Field(
        (),
        alias="endringer",
        description="The changes files this frame draws on, as paths relative to this file, in the order "
        "their items are printed. Each must name this frame's id under 'ramme'.",
    )
    parameters: tuple[Text, ...] = Field(
        (),
        alias="parametere",
        description="The parameter files (rates per year) this frame's rules use, relative to this file.",
    )
    known_differences: tuple[KnownDifference, ...] = Field(
        (),
        alias="kjente_differanser",
        description="Published figures known not to add up (e.g. a total rounded on its own), with evidence.",
    )
    note: Text | None = Field(None, alias="merknad")
    _group_at: Any = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _start_of_blocks(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        """A frame needs its start, unless its blocks carry theirs: then, left out, it is their sum, with no row
        of its own. (Left out with no block, it is a missing key as any other.)"""
        if isinstance(data, dict) and "utgangspunkt" not in data and "start" not in data:
            groups = data.get("grupper", data.get("groups"))
            if isinstance(groups, (list, tuple)) and any(_carries_start(group) for group in groups):
                frame = handler({**data, "utgangspunkt": {"etikett": FIGURE_START}})
                frame.start._printed = False
                return frame
        return handler(data)

    @field_validator("columns")
    @classmethod
    def _columns_rise(cls, columns: dict[int, str]) -> dict[int, str]:
        if not columns:
            raise ValueError("a frame needs at least one column")
        years = list(columns)
        if years != sorted(set(years)):
            raise ValueError("columns must be listed in rising year order, each year once")
        return columns

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(self.columns)

    @property
    def blocks(self) -> tuple[Group, ...]:
        """The groups with their own start (blocks), in printed order."""
        return tuple(group for group in self.groups if group.start is not None)

    @property
    def has_base(self) -> bool:
        """Whether the frame gives a starting amount: its own, or its blocks'."""
        return self.start.amount is not None or any(group.start is not None for group in self.groups)

    @property
    def new_frame_label(self) -> str:
        """The bottom row's label: as the file gives it; else 'Ny driftsramme', or, in a frame with no start,
        words that say it is the sum of the changes."""
        if self.has_base or self.new_frame.label_written:
            return self.new_frame.label
        return RELATIVE_TOTAL_LABEL

    def as_printed(self, published: Mapping[int, Decimal]) -> Mapping[int, Decimal]:
        """A row's printed figures as the check reads them: with ``blank_er_null``, a row that prints some
        figures prints 0 in every blank cell of it (else the figures as written, the same mapping)."""
        if not self.blank_is_zero or not published:
            return published
        return {year: published.get(year, _BLANK_ZERO) for year in self.years}

    def blank(self, published: Mapping[int, Decimal], year: int) -> bool:
        """Whether the figure of ``year`` is a blank cell read as 0 (``blank_er_null``), not a written one."""
        return self.blank_is_zero and bool(published) and year not in published

    def group_index(self, group_id: str) -> int | None:
        """The index of the (first) group with this id: found in a map built once per tuple of groups, not by
        a scan per lookup."""
        cached = self._group_at
        if cached is None or cached[0] is not self.groups:
            at: dict[str, int] = {}
            for i, group in enumerate(self.groups):
                at.setdefault(group.id, i)
            cached = (self.groups, at)
            self._group_at = cached
        return cached[1].get(group_id)


#: The figure a blank cell is read as under ``blank_er_null``.
_BLANK_ZERO = Decimal(0)


# ---------------------------------------------------------------------------------------------- rules

ParameterName = Annotated[
    str,
    Field(pattern=f"^[{ID_LETTERS}][0-9{ID_LETTERS}_]*$",
          description="A parameter's name: letters, digits and '_', starting with a letter, e.g. deflator."),
]
Rate = Annotated[
    str,
    Field(
        min_length=1,
        description="A rate: a literal percentage such as '1,4 %' or '2.2%', or the name of a parameter "
        "(its value for the year in question is used).",
    ),
]


class RateRule(Model):
    """``sats``: amount = base × rate, rounded to the table's unit. A permanent change from each year named.

    The base is an amount (a number, or one per year) or ``utgangspunkt``: the column's start, as when a
    municipality grows the whole frame by the deflator.
    """

    type: Literal["sats"]
    base: Money | YearAmounts | Literal["utgangspunkt"] = Field(
        alias="grunnlag", description="The base: an amount, an amount per year, or 'utgangspunkt'."
    )
    base_label: Text | None = Field(None, alias="grunnlag_etikett", description="What the base is.")
    rate: Rate = Field(alias="sats")
    years: Year | tuple[Year, ...] = Field(alias="år", description="The year or years the change is made in.")
    rounding: Rounding = Field(Rounding.HALF_UP, alias="avrunding")

    @property
    def year_list(self) -> tuple[int, ...]:
        return self.years if isinstance(self.years, tuple) else (self.years,)


class FromRule(Model):
    """``fra``: a permanent change of ``beløp`` from ``år`` on."""

    type: Literal["fra"]
    year: Year = Field(alias="år")
    amount: Money = Field(alias="beløp")


class StepRule(Model):
    """``trinn``: levels that hold from their year until the next step (6 / 8 / 10 mill. from 2023–2025)."""

    type: Literal["trinn"]
    levels: YearAmounts = Field(alias="beløp", min_length=1)


class PartYearRule(Model):
    """``delårsvirkning``: a full-year amount from a date: the part-year effect in its first year, the
    full-year effect after. A wage settlement is one: its first year's share, then the carry-over."""

    type: Literal["delårsvirkning"]
    full_year: Money = Field(alias="helårsvirkning", description="The effect in a whole year.")
    effective: datetime.date = Field(alias="virkningsdato", description="The date it takes effect (YYYY-MM-DD).")
    basis: ShareBasis = Field(
        ShareBasis.MONTHS, alias="andel",
        description="How the first year's share is counted: 'måneder' (whole months from the date, 1 July is "
        "6/12) or 'dager' (days from the date to the year's end over the days in the year).",
    )
    rounding: Rounding = Field(Rounding.HALF_UP, alias="avrunding")


class OneOffRule(Model):
    """``engangs``: amounts in the named years only; the incremental convention reverses each the year after."""

    type: Literal["engangs"]
    amounts: YearAmounts = Field(alias="beløp", min_length=1)


class MoveRule(Model):
    """``flytting``: an amount moved from one year to another: −beløp in ``fra``, +beløp in ``til``."""

    type: Literal["flytting"]
    amount: Money = Field(alias="beløp")
    source_year: Year = Field(alias="fra")
    target_year: Year = Field(alias="til")


Rule = Annotated[
    Union[RateRule, FromRule, StepRule, PartYearRule, OneOffRule, MoveRule],  # noqa: UP007 - pydantic needs the Union
    Field(discriminator="type"),
]


# -------------------------------------------------------------------------------------------- changes


def derived_id(label: str) -> str:
    """The id an item gets from its label when it gives none: lower case, letters (æøå too) and digits kept,
    every run of anything else one '-' ("Oppmåling fra Plan og byggesak" → "oppmåling-fra-plan-og-byggesak").
    Empty if the label has no letter or digit."""
    return re.sub(f"[^0-9{ID_LETTERS}]+", "-", unicodedata.normalize("NFC", label).lower()).strip("-")


def _id_optional(schema: dict) -> None:
    """In the schema, an item's 'id' is optional: the loader derives it from 'etikett'."""
    if "id" in schema.get("required", ()):
        schema["required"] = [key for key in schema["required"] if key != "id"]


class Item(Model):
    """A line item: a signed change to the net frame, per year, printed under a group (or outside all)."""

    model_config = ConfigDict(json_schema_extra=_id_optional)

    id: Id = Field(description="Stable id, unique across all changes files of the frame. Derived from the label "
                   "when left out: 'Oppmåling fra Plan og byggesak' is 'oppmåling-fra-plan-og-byggesak'.")
    label: Text = Field(alias="etikett", description="The label as printed.")
    category: Category | None = Field(None, alias="kategori", description="What kind of change it is (optional).")
    group: Id | None = Field(
        None, alias="gruppe",
        description="The id of the group (in the frame) it is printed under. Leave it out for a row printed "
        "outside every group (a 'Deflator' row above the first heading): it counts in the new frame, in no "
        "subtotal, and is printed after the start, before the first group.",
    )
    amounts: YearAmounts = Field(
        default_factory=dict,
        alias="beløp",
        description="Signed amount per year, in the frame's convention: the change from the year before "
        "(inkrementell) or the level against the base (nivå). Savings are negative.",
    )
    rule: Rule | None = Field(
        None,
        alias="regel",
        description="How the amounts arise, instead of 'beløp': sats, fra, trinn, delårsvirkning, engangs or "
        "flytting. The engine writes the amounts in the frame's convention.",
    )
    published: YearAmounts = Field(
        default_factory=dict,
        alias="publisert",
        description="The amounts the source prints for this item, compared with what the rule gives.",
    )
    period_amount: Money | None = Field(
        None,
        alias="periodebeløp",
        description="An amount the source gives for the whole period with no yearly split. It is listed, "
        "kept out of the yearly totals and warned about; it is never split by invention.",
    )
    reference: Text | None = Field(None, alias="referanse", description="The source's number for the item.")
    texts: dict[Id, Text] = Field(
        default_factory=dict, alias="tekst",
        description="The item's cells in the frame's text columns ('tekstkolonner'), by column id.",
    )
    note: Text | None = Field(None, alias="merknad", description="How the amounts were read, or what is unsure.")
    _id_derived: bool = PrivateAttr(default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _id_from_label(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        """An item without 'id' takes the one its label gives (:func:`derived_id`)."""
        if isinstance(data, dict) and "id" not in data:
            label = data.get("etikett", data.get("label"))
            derived = derived_id(label) if isinstance(label, str) else ""
            if derived:
                item = handler({**data, "id": derived})
                item._id_derived = True
                return item
        return handler(data)

    @property
    def id_derived(self) -> bool:
        """Whether the id was derived from the label (the file gives none)."""
        return self._id_derived

    @model_validator(mode="after")
    def _something_stated(self) -> Item:
        if self.amounts and self.rule is not None:
            raise ValueError("an item has either 'beløp' or 'regel', not both")
        if not self.amounts and self.rule is None and self.period_amount is None and self.note is None:
            raise ValueError("an item needs 'beløp', 'regel', 'periodebeløp', or a 'merknad' saying why it has "
                             "none of them")
        return self


class ChangeSet(AmountDocument):
    """A changes file: the line items for one frame."""

    kind: Literal["endringer"] = Field(alias="type", description="Always 'endringer' for a changes file.")
    frame: Id = Field(alias="ramme", description="The id of the frame these changes belong to.")
    source: Source = Field(alias="kilde")
    items: tuple[Item, ...] = Field(alias="poster", description="The items, in the order printed.")
    note: Text | None = Field(None, alias="merknad")


class Parameter(Model):
    """A named rate per year, e.g. the kommunal deflator as forecast in the state budget."""

    name: ParameterName = Field(alias="navn")
    label: Text = Field(alias="etikett", description="What the rate is, as a reader would name it.")
    values: Annotated[dict[Year, Percent], WithJsonSchema({
        "type": "object", "propertyNames": _YEAR_KEYS, "additionalProperties": _PERCENT_SCHEMA,
    })] = Field(alias="verdier", description="The rate in per cent, per year: 2.7 or '2,7 %'.")
    note: Text | None = Field(None, alias="merknad")


class ParameterSet(Located):
    """A parameter file: named rates per year, with their source."""

    kind: Literal["parametere"] = Field(alias="type", description="Always 'parametere' for a parameter file.")
    source: Source = Field(alias="kilde")
    parameters: tuple[Parameter, ...] = Field(alias="parametere", min_length=1)
    note: Text | None = Field(None, alias="merknad")




# -------------------------------------------------------------------------------------------- scenarios


class SetParameter(Model):
    """``sett``: override a parameter, in every year or in one."""

    type: Literal["sett"]
    parameter: ParameterName
    year: Year | None = Field(None, alias="år", description="Only this year (default: every year).")
    value: Percent = Field(alias="verdi", description="The rate in per cent: 4.8 or '4,8 %'.")


class AddItem(Model):
    """``legg-til``: a new item, written as in a changes file."""

    type: Literal["legg-til"]
    item: Item = Field(alias="post")


class RemoveItem(Model):
    """``fjern``: leave an item out."""

    type: Literal["fjern"]
    item: Id = Field(alias="post", description="The item's id.")


class ReplaceItem(Model):
    """``erstatt``: new amounts or a new rule for an item (its printed amounts no longer apply)."""

    type: Literal["erstatt"]
    item: Id = Field(alias="post")
    amounts: YearAmounts = Field(default_factory=dict, alias="beløp")
    rule: Rule | None = Field(None, alias="regel")

    @model_validator(mode="after")
    def _one_of(self) -> ReplaceItem:
        if bool(self.amounts) == (self.rule is not None):
            raise ValueError("give the item either new 'beløp' or a new 'regel'")
        return self


class ScaleItem(Model):
    """``skaler``: multiply an item's amounts (or its rule's amounts or base) by a factor."""

    type: Literal["skaler"]
    item: Id = Field(alias="post")
    factor: Factor = Field(alias="faktor", description="0.5 halves the item; 0 leaves it out in effect.")


class ShiftItem(Model):
    """``forskyv``: move an item N years later (positive) or earlier (negative)."""

    type: Literal["forskyv"]
    item: Id = Field(alias="post")
    years: int = Field(alias="år", description="How many years: 1 delays by a year, -1 advances by one.")

    @field_validator("years")
    @classmethod
    def _not_zero(cls, years: int) -> int:
        if years == 0:
            raise ValueError("moving an item by 0 years changes nothing")
        return years


Operation = Annotated[
    Union[SetParameter, AddItem, RemoveItem, ReplaceItem, ScaleItem, ShiftItem],  # noqa: UP007
    Field(discriminator="type"),
]


class Scenario(AmountDocument):
    """A variant of a frame: operations applied in order to a copy of its budget."""

    kind: Literal["scenario"] = Field(alias="type", description="Always 'scenario' for a scenario file.")
    id: Id
    label: Text = Field(alias="etikett", description="What the variant asks, in a reader's words.")
    frame: Id = Field(alias="gjelder", description="The id of the frame the scenario applies to.")
    parameters: tuple[Text, ...] = Field(
        (), alias="parametere",
        description="Parameter files the operations need that the frame does not list (relative to this file).",
    )
    groups: tuple[Group, ...] = Field(
        (), alias="grupper", description="Headings the scenario adds to the frame for the items it adds.")
    operations: tuple[Operation, ...] = Field(alias="operasjoner", description="Applied in this order.")
    note: Text | None = Field(None, alias="merknad")


class Override(BaseModel):
    """A parameter value set on top of the parameter files, and who set it (for ``explain``)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    year: int | None
    value: Decimal
    origin: str


class Budget(BaseModel):
    """A frame with its changes, linked and validated: what the engine rolls."""

    # Deferred like the documents: built when the first budget is, by then reusing the schemas the loader
    # built for the frame and changes (built here at import, it generated them all a second time).
    model_config = ConfigDict(frozen=True, defer_build=True)

    frame: Frame
    changesets: tuple[ChangeSet, ...] = ()
    parameter_sets: tuple[ParameterSet, ...] = ()
    #: Parameter values set on top of the files (``--set``, scenarios), the last one winning.
    overrides: tuple[Override, ...] = ()
    #: The scenarios applied to this budget, in order (their ids).
    scenarios: tuple[str, ...] = ()

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for cs in self.changesets for item in cs.items)

    def item_source(self, item_id: str) -> tuple[ChangeSet, int]:
        """The changes file holding the item, and its index there (for one item; for many, build
        :meth:`item_sources` once)."""
        for cs in self.changesets:
            for i, item in enumerate(cs.items):
                if item.id == item_id:
                    return cs, i
        raise KeyError(item_id)

    def item_sources(self) -> dict[str, tuple[ChangeSet, int]]:
        """Every item's changes file and index there, by id (the first, if an id were given twice)."""
        sources: dict[str, tuple[ChangeSet, int]] = {}
        for cs in self.changesets:
            for i, item in enumerate(cs.items):
                sources.setdefault(item.id, (cs, i))
        return sources


#: The document kinds, by the value of their top-level ``type`` key.
DOCUMENT_KINDS: dict[str, type[Located]] = {FRAME_KIND: Frame, CHANGES_KIND: ChangeSet, PARAMETERS_KIND: ParameterSet,
                                            SCENARIO_KIND: Scenario}
