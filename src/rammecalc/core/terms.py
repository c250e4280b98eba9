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


#: Document kinds, the value of the top-level ``type`` key.
FRAME_KIND = "ramme"
CHANGES_KIND = "endringer"

#: Labels used where a file does not print its own.
DEFAULT_NEW_FRAME_LABEL = "Ny driftsramme"
DEFAULT_START_LABEL = "Utgangspunkt"
UNALLOCATED_LABEL = "Uten årsfordeling (ikke med i årstallene)"
RELATIVE_TOTAL_LABEL = "Sum endringer mot utgangspunktet"

#: How the check names each kind of published figure in its messages.
FIGURE_START = "Utgangspunkt"
FIGURE_SPLIT = "Fordeling"
FIGURE_NEW_FRAME = "Ny driftsramme"
