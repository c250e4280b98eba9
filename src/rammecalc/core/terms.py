"""The glossary: English identifiers in the code, Norwegian words in the files and on screen.

Every Norwegian term the YAML files and the output use is defined here once, so that a key or a label
is never spelled two ways.
"""

from __future__ import annotations

from enum import Enum


class Convention(str, Enum):
    """How the columns of a multi-year table relate (see README, "Two conventions")."""

    #: Each column starts from the previous column's new frame; an item is the change from the year before.
    INCREMENTAL = "inkrementell"
    #: Every column is the same base plus each item's level in that year.
    LEVEL = "nivå"


class Category(str, Enum):
    """What kind of change a line item is. The sign of an item is its effect on the net frame."""

    WAGE_SETTLEMENT = "lønnsoppgjør"
    PRICE_ADJUSTMENT = "prisjustering"
    SELF_FINANCING = "egenfinansiering"
    ESCALATION_PLAN = "opptrappingsplan"
    SAVING = "innsparing"
    GENERAL_CUT = "rammetrekk"
    REALLOCATION = "omdisponering"
    NEW_MEASURE = "nytt tiltak"
    OTHER = "annet"


class AmountUnit(str, Enum):
    """The unit the table's amounts are printed in."""

    KRONER = "kr"
    THOUSANDS = "1 000 kr"
    MILLIONS = "mill. kr"


class Rounding(str, Enum):
    """How a computed amount is rounded to the table's unit. Named, so that every rounding is explicit."""

    #: 0,5 away from zero (2,5 → 3; −2,5 → −3): what budget spreadsheets do. The default.
    HALF_UP = "halv-opp"
    #: 0,5 to the even neighbour (2,5 → 2; 3,5 → 4): banker's rounding.
    HALF_EVEN = "halv-partall"
    #: Towards zero (2,9 → 2; −2,9 → −2).
    DOWN = "mot-null"
    #: Away from zero (2,1 → 3; −2,1 → −3).
    UP = "fra-null"


class ShareBasis(str, Enum):
    """How a part-year share is counted from an effective date."""

    MONTHS = "måneder"  # whole months left in the year, from the date's month: 1 July → 6/12
    DAYS = "dager"  # days from the date to 31 December, inclusive, over the days in the year


#: Document kinds, the value of the top-level ``type`` key.
FRAME_KIND = "ramme"
CHANGES_KIND = "endringer"
PARAMETERS_KIND = "parametere"
SCENARIO_KIND = "scenario"
LINKS_KIND = "koblinger"
TABLE_KIND = "tabell"

#: The heading of a table's label column, by the unit its figures are in (frames and tables).
UNIT_TEXT = {
    "kr": "Beløp i kroner",
    "1 000 kr": "Beløp i 1 000 kr",
    "mill. kr": "Beløp i mill. kr",
    "årsverk": "Årsverk",
}

#: Labels used where a file does not print its own.
UNALLOCATED_LABEL = "Uten årsfordeling (ikke med i årstallene)"
RELATIVE_TOTAL_LABEL = "Sum endringer mot utgangspunktet"

#: How the check names each kind of published figure in its messages.
FIGURE_START = "Utgangspunkt"
FIGURE_SPLIT = "Fordeling"
FIGURE_NEW_FRAME = "Ny driftsramme"
