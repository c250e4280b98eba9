"""One PDF page's words, laid out in rows and columns (pdfplumber, the ``pdf`` extra, imported here only).

A PDF holds no table, only words at positions. A copy from a PDF viewer loses the positions, so a row with
a blank cell shifts its figures left; this reader keeps them:

1. Rows: words whose vertical middle lies within the first word's height of a row (top to bottom).
2. Phrases: within a row, words closer than :data:`PHRASE_GAP` × the font size are one phrase ("Lønns- og
   prisvekst", "9 864": the thousands are set with a space), except that two figures stay apart unless the
   second continues the first by a group of three digits (``9`` and ``864``; but ``99`` and ``8`` are two
   cells of a tight table). A figure so joined is parted again where a part ends at the right edge of a
   figure on another row (``1`` and ``200`` under ``99`` and ``8``): there, a column ends.
3. Columns: a figure is set flush right, so figures (and the dashes printed for a blank) are grouped by their
   right edges; other text is set flush left, so it is grouped by its left edge. Then two groups that never
   share a row and overlap across the page are one column: a heading centred over its figures, labels
   indented under a heading, figures aligned on the decimal comma.
4. The grid: each phrase in its column's cell (two in one cell are joined by a space), ``""`` where a row
   has nothing in a column, so a blank stays blank instead of the row shifting left.

``lines`` are each row's words in order, joined by single spaces, as a careful copy would give them.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from statistics import median
from typing import Self

from ..core.problems import Code, Problem, Severity, input_error
from .sources import Source

#: Words closer than this many font sizes are one phrase (a space is about 0,25 of the size; the gap
#: between two columns of a table at least about 1).
PHRASE_GAP = 0.45

#: Right (figures) or left (text) edges within this many font sizes of each other are one column's.
EDGE_TOLERANCE = 0.3

_FIGURE = re.compile(r"^[−–—\-+]?\(?(?:\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)(?:[.,]\d+)*\)?(?: ?%)?$"
                     r"|^[−–—\-]$")
_GROUP_START = re.compile(r"^[−–—\-+]?\(?\d{1,3}(?: \d{3})*$")  # a figure that a group of three may continue
_GROUP = re.compile(r"^\d{3}(?:[.,]\d+)?\)?%?$")
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


@dataclass
class Word:
    """A word on the page: its text and box (points, from the top left), and its font size."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float = 10.0


@dataclass
class _Phrase:
    row: int
    words: list[Word]
    figure: bool = False

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class _Column:
    figures: bool
    members: list[_Phrase] = field(default_factory=list)

    @property
    def rows(self) -> set[int]:
        return {p.row for p in self.members}

    @property
    def core(self) -> tuple[float, float]:
        """The column's typical extent: the medians of its phrases' left and right edges."""
        return median(p.x0 for p in self.members), median(p.x1 for p in self.members)


def is_figure(text: str) -> bool:
    return bool(_FIGURE.match(text))


def read_pdf(raw: bytes, name: str, page: int | None) -> Source | Problem:
    """A PDF's bytes → the grid of one page (1-based; needed when the PDF has more than one)."""
    at = (name, 0, 0)
    if not raw.startswith(b"%PDF-"):
        return input_error(Code.UNREADABLE, at, "not a PDF (a PDF starts with '%PDF-'; this does not)",
                           "check that this is the document's PDF")
    try:
        import pdfplumber
    except ImportError:
        return input_error(Code.UNREADABLE, at, "reading a PDF needs the 'pdf' extra (pdfplumber), which is not "
                           "installed", "pip install 'rammecalc[pdf]'; or copy the table's text from the PDF viewer "
                           "into a .txt file and import that")
    heard = _Heard()
    try:
        with heard, pdfplumber.open(io.BytesIO(raw)) as pdf:
            count = len(pdf.pages)
            if count == 0:
                return input_error(Code.EMPTY, at, "the PDF has no pages", "check that this is the document's PDF")
            if page is None and count > 1:
                return input_error(Code.INVALID, at, f"the PDF has {count} pages: say which holds the table",
                                   f"give the page with --page (1 to {count})")
            number = 1 if page is None else page
            if not 1 <= number <= count:
                pages = "1 page" if count == 1 else f"{count} pages"
                return input_error(Code.NOT_FOUND, at, f"the PDF has {pages}; there is no page {number}",
                                   f"give a page from 1 to {count}" if count > 1 else "give page 1, or no page")
            found = pdf.pages[number - 1].extract_words(keep_blank_chars=False, use_text_flow=False,
                                                        extra_attrs=["size"])
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds for a broken, encrypted or odd file
        # pdfplumber wraps pdfminer's exception in its own: the inner one says what is wrong.
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        kind = type(inner).__name__
        if "Password" in kind or "Encrypt" in kind:
            return input_error(Code.UNREADABLE, at, "the PDF is protected by a password",
                               "open it in a PDF viewer and copy the table's text into a .txt file")
        text = str(inner).strip()
        return input_error(Code.UNREADABLE, at, f"not a readable PDF ({kind}{': ' + text if text else ''})",
                           "open it in a PDF viewer and copy the table's text into a .txt file")
    # A word's size: its font's, or its height where that is more (a font scaled by its matrix may say 1).
    words = [Word(w["text"].translate(_LIGATURES), float(w["x0"]), float(w["x1"]), float(w["top"]),
                  float(w["bottom"]), max(float(w.get("size") or 0), float(w["bottom"] - w["top"])) or 10.0)
             for w in found if w["text"].strip()]
    if not words:
        return input_error(Code.EMPTY, at, f"page {number} has no text (a scanned page is a picture of text)",
                           "run text recognition (OCR) on the PDF first, or type the table")
    lines, cells = layout(words)
    grid = tuple(tuple(row) for row in cells)
    warnings = ()
    if heard.records:
        first = heard.records[0].getMessage()
        more = f" (and {len(heard.records) - 1} more)" if len(heard.records) > 1 else ""
        warnings = (Problem(Code.UNREADABLE, Severity.WARNING, name, 0, 0,
                            f"the PDF is damaged and was read as well as it could be: {first}{more}",
                            "check the reading against the page in a PDF viewer"),)
    return Source(name, "pdf", tuple(lines), grid, sheet=f"page {number}", line_numbers=tuple(range(1, len(lines) + 1)),
                  warnings=warnings)


class _Heard(logging.Handler):
    """What pdfminer and pdfplumber log while a PDF is read (a damaged file's repairs): kept to be said as one
    warning, rather than printed to standard error by logging's last resort."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self._saved: list[tuple[logging.Logger, bool]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> Self:
        for logger in (logging.getLogger("pdfminer"), logging.getLogger("pdfplumber")):
            self._saved.append((logger, logger.propagate))
            logger.addHandler(self)
            logger.propagate = False
        return self

    def __exit__(self, *_exc: object) -> None:
        for logger, propagate in self._saved:
            logger.removeHandler(self)
            logger.propagate = propagate
        self._saved.clear()


def layout(words: list[Word]) -> tuple[list[str], list[list[str]]]:
    """Words with their positions → the lines (each row's words joined by spaces) and the grid of cells."""
    rows = _rows(words)
    lines = [" ".join(w.text for w in row) for row in rows]
    phrases = [phrase for index, row in enumerate(rows) for phrase in _phrases(index, row)]
    size = median(w.size for w in words)
    phrases = _part_at_edges(phrases, EDGE_TOLERANCE * size)
    columns = _columns(phrases, EDGE_TOLERANCE * size)
    columns.sort(key=lambda col: sum(col.core) / 2)
    grid = [[""] * len(columns) for _ in rows]
    for index, column in enumerate(columns):
        for phrase in sorted(column.members, key=lambda p: p.x0):
            cell = grid[phrase.row][index]
            grid[phrase.row][index] = f"{cell} {phrase.text}" if cell else phrase.text
    return lines, grid


def _rows(words: list[Word]) -> list[list[Word]]:
    """Words → rows, top to bottom, each row's words left to right."""
    rows: list[list[Word]] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0)):
        middle = (word.top + word.bottom) / 2
        if rows and top <= middle <= bottom:
            rows[-1].append(word)
        else:
            rows.append([word])
            top, bottom = word.top, word.bottom
    return [sorted(row, key=lambda w: w.x0) for row in rows]


def _phrases(index: int, row: list[Word]) -> list[_Phrase]:
    phrases: list[_Phrase] = []
    for word in row:
        if phrases:
            last = phrases[-1]
            gap = word.x0 - last.x1
            close = gap <= PHRASE_GAP * max(word.size, last.words[-1].size)
            if close and is_figure(last.text) and is_figure(word.text):
                close = bool(_GROUP_START.match(last.text) and _GROUP.match(word.text))
            if close:
                last.words.append(word)
                continue
        phrases.append(_Phrase(index, [word]))
    for phrase in phrases:
        phrase.figure = is_figure(phrase.text)
    return phrases


def _part_at_edges(phrases: list[_Phrase], tolerance: float) -> list[_Phrase]:
    """Figures joined of several words, parted where a word ends at the right edge of a figure on another
    row (a column's edge) and the words after it are a figure of their own."""
    edges = sorted((p.x1, p.row) for p in phrases if p.figure)
    out: list[_Phrase] = []
    for phrase in phrases:
        if not phrase.figure or len(phrase.words) < 2:
            out.append(phrase)
            continue
        words = phrase.words
        start = 0
        for i in range(1, len(words)):
            end = words[i - 1].x1
            rest = " ".join(w.text for w in words[i:])
            if is_figure(rest) and any(abs(x - end) <= tolerance and row != phrase.row for x, row in edges):
                out.append(_Phrase(phrase.row, words[start:i], figure=True))
                start = i
        out.append(_Phrase(phrase.row, words[start:], figure=True))
    return out


def _columns(phrases: list[_Phrase], tolerance: float) -> list[_Column]:
    """Phrases → columns: figures by their right edges, text by its left edges (each a chain of edges no
    more than ``tolerance`` apart), then groups that share no row and overlap merged, most overlap first: of
    two groups of one kind, the share of the narrower that lies over the other; of text and figures, the
    share of the text that lies over the figures (a heading over its column is all over it; a label
    that starts at a column of row numbers is mostly not, and joins the labels indented beside it)."""
    columns: list[_Column] = []
    for figures, edge in ((True, lambda p: p.x1), (False, lambda p: p.x0)):
        last = None
        for phrase in sorted((p for p in phrases if p.figure == figures), key=edge):
            if last is None or edge(phrase) - last > tolerance:
                columns.append(_Column(figures))
            columns[-1].members.append(phrase)
            last = edge(phrase)
    while True:
        best = None
        for i, a in enumerate(columns):
            for b in columns[i + 1:]:
                if a.rows & b.rows:
                    continue
                (a0, a1), (b0, b1) = a.core, b.core
                overlap = min(a1, b1) - max(a0, b0)
                if overlap <= 0:
                    continue
                if a.figures == b.figures:  # how much of the narrower lies over the other
                    share = overlap / max(min(a1 - a0, b1 - b0), 1e-9)
                else:  # how much of the text lies over the figures: a heading over its column, not a label
                    share = overlap / max(b1 - b0 if a.figures else a1 - a0, 1e-9)
                if best is None or share > best[0]:
                    best = (share, a, b)
        if best is None:
            return columns
        _, a, b = best
        a.members += b.members
        a.figures = a.figures or b.figures
        columns.remove(b)
