"""Links (``type: koblinger``): a figure printed in one file equals a figure printed in another.

Seed 000's new frame for 2016 (9 864) is seed 001's Budsjett 2016 (9 864): two documents print the same
figure, and ``check`` verifies that they agree. A link may carry a known, explained difference (seed 001's
Budsjett 2017 is 35 120 against seed 000's 11 999: psykisk helse was merged into the unit in 2017); it is
reported as explained (a warning), not as an error, and reported again if the difference changes or goes.

A link compares **printed** figures, as the two documents print them:

* a frame: ``rad: utgangspunkt`` or ``rad: ny_driftsramme``, or ``gruppe: <id>`` (its printed subtotal),
  with ``år``;
* a table (``type: tabell``): ``rad: <row>`` (its number, id or label), with ``kolonne``.

A link to a file or figure that does not exist is an input problem (``input-not-found``,
``input-unknown-figure``: exit 2). The loader reads the files; here everything is pure.

* ``link-mismatch``: the two figures differ (beyond the tolerance and any explained difference).
* ``link-explained-difference`` (warning): they differ by exactly the recorded, explained amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pydantic import Field

from .models import AmountDocument, Frame, Id, Located, Model, Money, Source, Text, Year
from .numbers import exact, format_amount
from .problems import Code, Problem, Severity, input_error
from .table import KRONER_PER_UNIT, Names, Ref, Table, TableUnit


class FigureAddress(Model):
    """Where a figure is printed: a file, and the figure's place in it."""

    file: Text = Field(alias="fil", description="The file, relative to this links file.")
    row: Ref | None = Field(None, alias="rad", description="Frame: 'utgangspunkt' or 'ny_driftsramme'. Table: "
                            "the row's number, id or label.")
    group: Id | None = Field(None, alias="gruppe", description="A group's id: its printed subtotal.")
    year: Year | None = Field(None, alias="år", description="Frame: the column's year.")
    column: Id | None = Field(None, alias="kolonne", description="A table: the column's id.")


class ExplainedDifference(Model):
    """A difference between two linked figures that is known and explained."""

    difference: Money = Field(alias="differanse", description="The 'lik' figure minus the 'figur' figure, in "
                              "their unit; in kroner if their units differ.")
    explanation: Text = Field(alias="forklaring", description="Why they differ; the evidence.")


class Link(Model):
    """Two printed figures that should be equal."""

    label: Text = Field(alias="etikett", description="What the figure is, e.g. 'Ressurstjenesten, budsjett 2016'.")
    figure: FigureAddress = Field(alias="figur", description="The first figure.")
    equals: FigureAddress = Field(alias="lik", description="The figure it should equal.")
    known_difference: ExplainedDifference | None = Field(None, alias="kjent_differanse")
    note: Text | None = Field(None, alias="merknad")


class LinkSet(AmountDocument):
    """A links file: figures that recur across documents."""

    kind: Literal["koblinger"] = Field(alias="type", description="Always 'koblinger' for a links file.")
    source: Source | None = Field(None, alias="kilde", description="Where the link is stated, if anywhere.")
    links: tuple[Link, ...] = Field(alias="koblinger", min_length=1)
    note: Text | None = Field(None, alias="merknad")


@dataclass(frozen=True)
class Figure:
    """A resolved figure: its printed value, where it is printed, what it is called, and its table's unit
    (``kr``, ``1 000 kr``, ``mill. kr`` or ``årsverk``; ``None`` if not known)."""

    value: Decimal
    where: tuple[str, int, int]
    name: str
    unit: str | None = None

    @property
    def at(self) -> str:
        return f"{self.where[0]}:{self.where[1]}:{self.where[2]}"

    @property
    def shown(self) -> str:
        """The figure in its own unit: ``95 mill. kr``, ``94 594 (1 000 kr)``."""
        if self.unit in (None, FTE):
            return format_amount(self.value) + (" årsverk" if self.unit == FTE else "")
        if self.unit == "kr":
            return f"{format_amount(self.value)} kr"
        return f"{format_amount(self.value)} {self.unit}" if self.unit == "mill. kr" else \
            f"{format_amount(self.value)} ({self.unit})"


#: Kroner per unit of a table's amounts.
KRONER = KRONER_PER_UNIT
FTE = TableUnit.FTE.value


@dataclass(frozen=True)
class Difference:
    """How two linked figures compare: ``value`` is the second minus the first, in ``unit``; ``allowance``
    is the difference that still counts as equal (0 in one unit; across units, half a unit of the last
    printed digit of the coarser figure, in kroner)."""

    value: Decimal
    unit: str | None
    allowance: Decimal

    @property
    def equal(self) -> bool:
        return self.value.copy_abs() <= self.allowance


@exact
def difference(a: Figure, b: Figure) -> Difference:
    """``b`` minus ``a``. In one unit (or where a unit is unknown), as printed. Across units of money, both
    in kroner, and equal within the rounding of the coarser figure: 95 mill. kr (95 000 000 ± 500 000 kr)
    equals 94 594 (1 000 kr). Figures in årsverk and in money do not compare (see :func:`check`)."""
    if a.unit == b.unit or a.unit not in KRONER or b.unit not in KRONER:
        return Difference(b.value - a.value, a.unit if a.unit == b.unit else None, Decimal(0))
    allowance = max(_half_unit(a), _half_unit(b))
    return Difference(_kroner(b) - _kroner(a), "kr", allowance)


def _kroner(figure: Figure) -> Decimal:
    """The figure in kroner, without trailing zeros (4,2 mill. kr is 4 200 000 kr, not 4 200 000,0)."""
    return (figure.value * KRONER[figure.unit]).normalize()  # type: ignore[index]


def _half_unit(figure: Figure) -> Decimal:
    """Half a unit of the figure's last printed digit, in kroner: 95 mill. kr → 500 000; 4,2 mill. → 50 000."""
    exponent = figure.value.as_tuple().exponent
    assert isinstance(exponent, int)  # a printed figure is finite
    return (Decimal(5).scaleb(exponent - 1) * KRONER[figure.unit]).normalize()  # type: ignore[index]


@dataclass(frozen=True)
class LinkedSet:
    """A links file with each link's two figures resolved (by the loader, through :func:`resolve`)."""

    links: LinkSet
    figures: tuple[tuple[Figure, Figure], ...]


def resolve(doc: Located, address: FigureAddress) -> Figure | str:
    """The printed figure ``address`` names in ``doc``, or why there is none (a message)."""
    if (address.row is None) == (address.group is None):
        return "name the figure with either 'rad' or 'gruppe'"
    if isinstance(doc, Frame):
        if address.year is None or address.column is not None:
            return "a figure in a frame is named by 'rad' or 'gruppe' and 'år' (no 'kolonne')"
        year = address.year
        if address.group is not None:
            index = doc.group_index(address.group)
            if index is None:
                return f"frame '{doc.id}' has no group '{address.group}' (it has: " \
                       f"{', '.join(g.id for g in doc.groups) or 'none'})"
            printed, path, name = doc.groups[index].published, ("grupper", index, "publisert"), doc.groups[index].label
        elif address.row == "utgangspunkt":
            printed, path, name = doc.start.published, ("utgangspunkt", "publisert"), doc.start.label
        elif address.row == "ny_driftsramme":
            printed, path, name = doc.new_frame.published, ("ny_driftsramme", "publisert"), doc.new_frame.label
        else:
            return f"a frame's rows are 'utgangspunkt' and 'ny_driftsramme', not '{address.row}'; a group is " \
                   "named with 'gruppe'"
        if year not in printed:
            return f"frame '{doc.id}' prints no {name} for {year}"
        return Figure(printed[year], doc.locate(*path, year), f"{name} {year}", doc.amount_unit.value)
    if isinstance(doc, Table):
        if address.column is None or address.year is not None or address.group is not None:
            return "a figure in a table is named by 'rad' and 'kolonne' (no 'år', no 'gruppe')"
        column = doc.column(address.column)
        if column is None or column.is_text:
            figures = ", ".join(c.id for c in doc.figure_columns)
            return f"table '{doc.id}' has no column of figures '{address.column}' (it has: {figures})"
        index = Names(doc).find(address.row or "")
        if isinstance(index, str):
            return index
        for column_id, value, path in doc.cells(index):
            if column_id == column.id:
                if value is None:
                    return f"table '{doc.id}' prints no {column.label} for {doc.row_name(index)}"
                unit = "prosent" if column.is_percent else doc.amount_unit.value
                return Figure(value, doc.locate(*path), f"{column.label} {doc.row_name(index)}", unit)
    return f"a link names a figure in a frame or a table, not in a '{type(doc).__name__}' file"


def unresolved(links: LinkSet, index: int, side: str, message: str) -> Problem:
    """The input problem for a figure that :func:`resolve` could not find."""
    return input_error(Code.UNKNOWN_FIGURE, links.locate("koblinger", index, side),
                       f"link '{links.links[index].label}': {message}",
                       "correct the address; see the README under 'Links'")


def unit_problem(links: LinkSet, index: int, a: Figure, b: Figure) -> Problem | None:
    """The input problem of a link between årsverk and an amount of money (``None`` if the units compare)."""
    if (a.unit == FTE) == (b.unit == FTE) or None in (a.unit, b.unit):
        return None
    return input_error(
        Code.UNIT_MISMATCH, links.locate("koblinger", index),
        f"link '{links.links[index].label}': {b.name} ({b.at}) is in {b.unit} and {a.name} ({a.at}) in {a.unit}: "
        "årsverk and money are not the same figure", "link figures of one kind: årsverk with årsverk")


@exact
def check(linked: LinkedSet, tolerance: Decimal = Decimal(0), known_differences: bool = True) -> list[Problem]:
    """Each link's two printed figures against each other, in file order.

    Figures in different units of money are compared in kroner, within the rounding of the coarser one
    (:func:`difference`); ``tolerance`` is then in the coarser figure's unit. A link between årsverk and an
    amount of money is an input problem (``input-unit-mismatch``) at the link.
    """
    problems: list[Problem] = []
    links = linked.links
    for index, (link, (a, b)) in enumerate(zip(links.links, linked.figures, strict=True)):
        file, line, col = links.locate("koblinger", index)
        mismatch = unit_problem(links, index, a, b)
        if mismatch is not None:  # (the loader refuses such a link; kept for links built in Python)
            problems.append(mismatch)
            continue
        diff = difference(a, b)
        across = diff.unit == "kr" and a.unit != b.unit
        record = link.known_difference if known_differences else None
        if across:
            message = (f"{link.label}: {b.name} {b.shown} ({b.at}), {a.name} {a.shown} ({a.at}): "
                       f"{format_amount(_kroner(b))} kr against {format_amount(_kroner(a))} kr (difference "
                       f"{format_amount(diff.value, plus=True)} kr, beyond the rounding of the coarser figure, "
                       f"±{format_amount(diff.allowance)} kr)")
            coarser = max(KRONER[a.unit], KRONER[b.unit])  # type: ignore[index]
            explained = record is not None and (diff.value - record.difference).copy_abs() <= diff.allowance \
                and not diff.equal
            tolerated = diff.value.copy_abs() <= diff.allowance + tolerance * coarser
            published, computed = _kroner(b), _kroner(a)
        else:
            message = (f"{link.label}: {b.name} {format_amount(b.value)} ({b.at}), {a.name} {format_amount(a.value)} "
                       f"({a.at}) (difference {format_amount(diff.value, plus=True)})")
            explained = record is not None and record.difference == diff.value != 0
            tolerated = diff.value.copy_abs() <= tolerance
            published, computed = b.value, a.value
        if explained:
            assert record is not None
            problems.append(Problem(Code.LINK_EXPLAINED, Severity.WARNING, file, line, col,
                                    message + f", explained (line {links.locate('koblinger', index, 'kjent_differanse')[1]}): "
                                    f"{record.explanation}", None, link.label, None, published, computed, diff.value))
            continue
        if record is not None:
            problems.append(Problem(
                Code.KNOWN_DIFFERENCE_UNUSED, Severity.WARNING,
                *links.locate("koblinger", index, "kjent_differanse"),
                f"link '{link.label}': the explained difference {format_amount(record.difference, plus=True)} did "
                f"not occur ({format_amount(diff.value, plus=True)}{' kr' if across else ''})",
                "remove the record if the figures were corrected, or correct the record"))
        if diff.equal:
            continue
        severity = Severity.WARNING if tolerated else Severity.ERROR
        if severity is Severity.WARNING:
            message += f", within tolerance {format_amount(tolerance)}"
        problems.append(Problem(Code.LINK_MISMATCH, severity, file, line, col, message, None, link.label, None,
                                published, computed, diff.value))
    return sorted(problems, key=Problem.sort_key)
