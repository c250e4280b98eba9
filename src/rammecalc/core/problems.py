"""Problems are values: what the loader, the linker and the checks return instead of raising.

Every problem has a stable ``code`` (documented in the README), a severity, a location and a message. The
shell turns them into ``file:line:col: message`` lines and decides the exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import lru_cache


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class Code(str, Enum):
    """Stable problem codes. Input problems (exit 2) start with ``input-``; check problems (exit 1) do not."""

    # The file cannot be read as a rammecalc document.
    NOT_FOUND = "input-not-found"
    UNREADABLE = "input-unreadable"
    NOT_UTF8 = "input-not-utf8"
    EMPTY = "input-empty"
    YAML_SYNTAX = "input-yaml-syntax"
    DUPLICATE_KEY = "input-duplicate-key"
    UNKNOWN_TYPE = "input-unknown-type"
    INVALID = "input-invalid"
    UNKNOWN_KEY = "input-unknown-key"
    MISSING_KEY = "input-missing-key"
    # The documents do not fit together.
    YEAR_OUTSIDE_COLUMNS = "input-year-outside-columns"
    UNKNOWN_GROUP = "input-unknown-group"
    GROUP_CYCLE = "input-group-cycle"
    LISTED_TWICE = "input-listed-twice"
    DUPLICATE_ID = "input-duplicate-id"
    FRAME_MISSING = "input-frame-missing"
    FRAME_MISMATCH = "input-frame-mismatch"
    UNLISTED_CHANGES = "input-changes-not-listed"
    NO_BASE = "input-published-without-base"
    UNKNOWN_PARAMETER = "input-unknown-parameter"
    UNKNOWN_ITEM = "input-unknown-item"
    #: A computed amount (a rule's result, a scaled amount) has more digits before the decimal point than
    #: rammecalc takes: refused where it is computed, never rounded or passed on.
    AMOUNT_OUT_OF_RANGE = "input-amount-out-of-range"
    #: An amount written with more decimals than its table prints, or one that reads two ways (1.500).
    TOO_MANY_DECIMALS = "input-too-many-decimals"
    # Tables and links (core/table.py, core/links.py).
    UNKNOWN_COLUMN = "input-unknown-column"
    UNKNOWN_FIGURE = "input-unknown-figure"
    #: A link between a figure in årsverk and one in money.
    UNIT_MISMATCH = "input-unit-mismatch"
    # A published figure does not match the arithmetic.
    START_MISMATCH = "start-mismatch"
    SPLIT_MISMATCH = "split-mismatch"
    SUBTOTAL_MISMATCH = "subtotal-mismatch"
    NEW_FRAME_MISMATCH = "new-frame-mismatch"
    ITEM_MISMATCH = "item-mismatch"
    AVVIK_MISMATCH = "avvik-mismatch"
    #: A table's printed cell that two printed results (its row's and its column's, say) both correct alike.
    CELL_MISMATCH = "cell-mismatch"
    TOTAL_MISMATCH = "total-mismatch"
    FORMULA_MISMATCH = "formula-mismatch"
    KEY_FIGURE_MISMATCH = "key-figure-mismatch"
    LINK_MISMATCH = "link-mismatch"
    # Not wrong, but the reader should know.
    UNALLOCATED = "unallocated-amount"
    SKIPPED = "skipped-not-rammecalc"
    LINK_LOOP = "skipped-link-loop"
    KNOWN_DIFFERENCE_UNUSED = "known-difference-unused"
    LINK_EXPLAINED = "link-explained-difference"

    @property
    def is_input(self) -> bool:
        return self.value.startswith("input-")


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning), at one place.

    ``published``, ``computed`` and ``difference`` (published − computed) are set for figure mismatches.
    """

    code: Code
    severity: Severity
    file: str
    line: int
    col: int
    message: str
    hint: str | None = None
    figure: str | None = None
    year: int | None = None
    published: Decimal | None = None
    computed: Decimal | None = None
    difference: Decimal | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.col, self.code.value)


def input_error(code: Code, location: tuple[str, int, int], message: str, hint: str | None = None) -> Problem:
    file, line, col = location
    return Problem(code, Severity.ERROR, file, line, col, message, hint)


class AmountOutOfRange(ValueError):
    """A computed amount beyond the limits (``numbers.MAX_WHOLE_DIGITS``), with the problem located at the
    cell that produced it.

    The one place where the core raises rather than returns a problem: :func:`~rammecalc.core.roll.roll`
    returns a table of figures, and a figure it refuses to compute leaves nothing to return that a caller
    could print without noticing the hole. Every core function that returns problems turns it back into a
    value: ``checks.check`` returns its problem, ``scenarios.apply`` and ``compare.compare`` raise it as a
    ``ScenarioError``. Its code is an input code: the shell exits 2.
    """

    def __init__(self, problem: Problem):
        super().__init__(f"{problem.where}: {problem.message}")
        self.problem = problem
        self.problems = [problem]


def near(word: str, candidates, n: int = 1) -> list[str]:
    """The candidates closest to a misspelt ``word`` (``difflib``'s close matches), for a hint. Worked out once
    per word and candidates: a file that names one unknown item 20 000 times asked ``difflib`` 20 000 times
    (eight seconds)."""
    return list(_near(str(word), tuple(candidates), n))


@lru_cache(maxsize=512)
def _near(word: str, candidates: tuple[str, ...], n: int) -> tuple[str, ...]:
    import difflib

    return tuple(difflib.get_close_matches(word, candidates, n=n))
