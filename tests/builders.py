"""Small documents built in code, for the tests of the engine (rules, scenarios) that need a frame, its
changes and its parameters without a file."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rammecalc.core.models import ChangeSet, Frame, Group, Item, Parameter, ParameterSet, Source, Start
from rammecalc.core.terms import AmountUnit, Convention

D = Decimal


def make_frame(convention: Convention, years: Sequence[int], base: Decimal | int | None = None, *,
               groups: Sequence[Group] = (Group(id="g", label="Endringer"),),
               parameters: Sequence[str] = ()) -> Frame:
    """Frame 'f' with one column per year, the given base (or none) and headings, listing
    'endringer.yaml' (and ``parameters``)."""
    return Frame(
        kind="ramme", id="f", municipality="Kommune", unit="Enhet", source=Source(document="Dokument"),
        amount_unit=AmountUnit.THOUSANDS, convention=convention, columns={y: str(y) for y in years},
        start=Start(label="Utgangspunkt", amount=None if base is None else D(base)),
        groups=tuple(groups), changes=("endringer.yaml",), parameters=tuple(parameters),
    )


def changeset(items: Sequence[Item]) -> ChangeSet:
    return ChangeSet(kind="endringer", frame="f", source=Source(document="Dokument"), items=tuple(items))


def parameter_set(**values: dict[int, Decimal | str]) -> ParameterSet:
    """One parameter per keyword, labelled 'Sats NAME'."""
    return ParameterSet(
        kind="parametere",
        source=Source(document="Parametere"),
        parameters=tuple(Parameter(name=name, label=f"Sats {name}", values=v) for name, v in values.items()),
    )


def ints(mapping) -> dict[int, Decimal]:
    """``{2017: 99}`` → ``{2017: Decimal(99)}``: expected amounts as written in a source table."""
    return {y: D(v) for y, v in mapping.items()}
