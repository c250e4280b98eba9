"""A unit's frame table read from its copy: the start, its split, the groups and items, the new frame, and
which year each printed figure belongs to. Pure.

The copy lost the blank cells, so a row with fewer figures than the table has years could stand in several
places. The frame's arithmetic settles it: in every year the items of a group add up to the group's subtotal,
and the start and the changes give the new frame; in an incremental table each year starts from the year
before's new frame. :func:`read_frame` finds the structure from the labels and from sums that hold whatever
the placement (a subtotal's figures add up to its items' figures in total), then asks :mod:`.solve` for every
placement under which each equation holds, and says whether that placement is the only one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .layout import Block, Line
from .rows import Chosen, cell_options, flush_left, flush_right, plainest_label, text_options
from .solve import Equation, Option, search
from .text import GROUPS_BY_UNIT, MAX_GROUPS

_START = re.compile(r"utgangspunkt|opprinnelig|inngående|budsjettramme|vedtatt.*ramme|videreført|forrige års|"
                    r"^ramme\b|driftsramme\s*(19|20)\d\d|netto\s+driftsramme|justert\s+ramme|ramme\s+(19|20)\d\d|"
                    r"^budsjett\s+(19|20)\d\d|grunnlag|startramme", re.IGNORECASE)
_END = re.compile(r"\bny\b.*ramme|\bnye\b.*ramme|korrigert.*ramme|^sum\s+ramme|netto\s+ramme|ramme\s+etter|"
                  r"^ramme\s+(19|20)\d\d|driftsramme|budsjettramme|^ny\s|rammer?\s*$|^sum\s+netto", re.IGNORECASE)
_SPLIT = re.compile(r"^(brutto\s+)?drifts(inntekter|utgifter)\b|^(sum\s+)?(inntekter|utgifter)\b|^refusjoner?\b",
                    re.IGNORECASE)
#: Guesses that shrink a search too large to run whole (see :func:`.solve.search`): rows flush right (Askøy's
#: items under a first column of last year's budget), or flush left.
ALIGNMENTS = (lambda o: flush_right(o), lambda o: flush_left(o))
_SUM = re.compile(r"^(sum|totalt?|i alt|til sammen|samlet)\b", re.IGNORECASE)


@dataclass
class Group:
    label: str
    heading: int | None = None  # a row of its own with no figures ("Tiltak:")
    head: int | None = None  # a subtotal row above its items ("Lønns- og prisvekst 183 26")
    sum: int | None = None  # a subtotal row below ("Sum tiltak")
    items: list[int] = field(default_factory=list)

    @property
    def subtotal(self) -> int | None:
        return self.head if self.head is not None else self.sum


@dataclass
class FrameReading(Chosen):
    """A frame table as read, with the placement chosen and how sure it is."""

    block: Block
    lines: list[Line]
    options: list[list[Option]]
    start: int
    end: int
    splits: list[int]
    groups: list[Group]
    outside: list[int]  # items in no group
    convention: str
    years: list[int]
    choice: tuple[int, ...]
    #: how many placements add up (1: certain), and whether the search saw them all
    solutions: int
    complete: bool  # the whole search ran (else only the neighbours of the solution were tried)
    #: rows whose figures could stand elsewhere (other placements add up too), with the columns in doubt
    uncertain: dict[int, set[int]]
    #: the tolerance the arithmetic needed (0: exact; 1: a rounding difference somewhere)
    tolerance: Decimal
    #: the first column is the year before: its start and adjustments make the base (Askøy's B 2017)
    lead_column: bool = False
    notes: list[str] = field(default_factory=list)
    equations: list[Equation] = field(default_factory=list)
    #: lines in the table that could not be read as a row (left out, and said)
    unread: list[Line] = field(default_factory=list)


def frame_like(block: Block) -> bool:
    """Columns that are years (and not accounts), and a first or last row named like a frame's."""
    if not block.columns or any(c.year is None or c.kind != "amount" for c in block.columns):
        return False
    if any(c.role in ("regnskap", "avvik") for c in block.columns):
        return False
    years = [c.year for c in block.columns]
    if len(set(years)) != len(years) or years != sorted(years):
        return False
    labelled = [r for r in block.rows if r.text.strip()]
    return not len(labelled) < 3


def _totals(options: list[Option], limit: int = 64) -> set[Decimal]:
    """What a row's figures add up to, in each of its readings (placement does not change it)."""
    out: set[Decimal] = set()
    for option in options:
        out.add(sum((v for v in option.cells if v is not None), Decimal(0)))
        if len(out) >= limit:
            break
    return out


def _sumset_all(sets: list[set[Decimal]]) -> set[Decimal]:
    acc: set[Decimal] = {Decimal(0)}
    for s in sets:
        acc = _sumset(acc, s)
    return acc


def _sumset(a: set[Decimal], b: set[Decimal], cap: int = 5000) -> set[Decimal]:
    out = {x + y for x in a for y in b}
    if len(out) > cap:
        return set(sorted(out, key=abs)[:cap])
    return out


def _has_figures(options: list[Option]) -> bool:
    return bool(options) and any(v is not None for v in options[0].cells)


def _heading(options: list[Option]) -> bool:
    """A row of its own with no figures (its cheapest reading has none): a heading."""
    return bool(options) and all(v is None for v in options[0].cells)


def read_frame(block: Block, *, convention: str | None = None, tolerances=(Decimal(0), Decimal(1))) \
        -> FrameReading | None:
    """The frame in ``block``, or ``None`` if it is not one (see :func:`frame_like`)."""
    if not frame_like(block):
        return None
    width = len(block.columns)
    lines = [ln for ln in block.rows if not _separator(ln)]
    options: list[list[Option]] = []
    unread: list[Line] = []
    kept_lines: list[Line] = []
    for line in lines:
        if line.cells is not None:
            opts = cell_options(line, width, block.dot)
        else:
            opts = text_options(line, width, block.dot if block.dot != "ambiguous" else "thousands",
                                groups=GROUPS_BY_UNIT.get(block.unit or "", MAX_GROUPS))
        if not opts:
            unread.append(line)  # named in the result, never dropped in silence
            continue
        options.append(opts)
        kept_lines.append(line)
    lines = kept_lines
    figured = [i for i, o in enumerate(options) if _has_figures(o)]
    if len(figured) < 2:
        return None
    start, end = figured[0], figured[-1]
    start_label, end_label = plainest_label(options[start]), plainest_label(options[end])
    if not (_START.search(start_label) or _END.search(end_label)):
        return None
    # The start and the new frame are printed for every year (the new frame may lack the first column, when
    # that holds last year's budget: Askøy's B 2017); a placement that leaves them blank would switch off the
    # very sums that place everything else.
    # A frame is of a size from year to year: "273 825 273 825 …" is 273 825 in each year, not 273 and
    # 825 273 825 (which adds up too, digit for digit). Readings of the start or the new frame whose
    # figures differ by more than two digits in length are not kept, where others are.
    for row in (start, end):
        balanced = [o for o in options[row] if _spread(o) <= 2]
        options[row] = balanced or options[row]
    full = lambda o: all(v is not None for v in o.cells)
    options[start] = [o for o in options[start] if full(o)] or \
        [o for o in options[start] if o.cells[0] is not None and all(v is None for v in o.cells[1:])]
    options[end] = [o for o in options[end] if full(o)] or \
        [o for o in options[end] if o.cells[0] is None and all(v is not None for v in o.cells[1:])]
    if not options[start] or not options[end]:
        return None
    lead = all(o.cells[0] is None for o in options[end]) and all(full(o) for o in options[start])
    # An item is smaller than the frame: a reading that makes one ten times the frame joined figures that
    # stand apart ("140 140 140 140" as 140 140 140 and 140).
    scale = max(abs(v) for o in options[start][:1] + options[end][:1] for v in o.cells if v is not None)
    first_group = next((i for i in range(start + 1, end) if _heading(options[i])), end)
    for i in range(start + 1, end):
        kept = [o for o in options[i] if all(v is None or abs(v) <= 10 * scale for v in o.cells)] if scale \
            else options[i]
        if _has_figures(options[i]):
            # a row whose plainest reading has figures is no heading because that reading was too big
            # ("Tiltak A0500500500": 0 and 500500500 goes, 0, 500, 500, 500 stays; the label alone must not)
            kept = [o for o in kept if any(v is not None for v in o.cells)]
        if lead:
            # No new frame is printed in the first column (last year's budget, Askøy's B 2017): an item
            # there would be checked by nothing. Only a row of one figure between the start and the first
            # group (the base's adjustment, "Lønns- og prisjustering fra 2017 til 2018 2 284") stands there.
            kept = [o for o in kept if o.cells[0] is None or (
                i < first_group and sum(v is not None for v in o.cells) == 1)] or kept
        options[i] = kept or options[i]

    # ---- structure
    splits: list[int] = []
    k = start + 1
    while k < end and _SPLIT.search(plainest_label(options[k])) and _has_figures(options[k]):
        splits.append(k)
        k += 1
    if len(splits) < 2:
        splits, k = [], start + 1
        # rows under the start whose figures add up to one of its cells (within a rounding): its split,
        # whatever their names ("Budsjettramme B 2017 87 863", "Lønns- og prisjustering … 2 284")
        cells = {v for v in options[start][0].cells if v}
        run: list[int] = []
        for i in range(start + 1, min(end, start + 5)):
            if not _has_figures(options[i]) or _heading(options[i]):
                break
            run.append(i)
            if len(run) >= 2:
                total = sum((min(_totals(options[r]), key=abs) for r in run), Decimal(0))
                sums = _sumset_all([_totals(options[r]) for r in run])
                if any(abs(t - c) <= 1 for t in sums for c in cells) and total is not None:
                    splits, k = list(run), run[-1] + 1
                    break
    body = list(range(k, end))
    heads = _heads(body, options)
    groups: list[Group] = []
    outside: list[int] = []
    current: Group | None = None
    loose: list[int] = []  # rows outside every group since the last group: a sum row below may close them
    i_pos = 0
    while i_pos < len(body):
        i = body[i_pos]
        label = plainest_label(options[i])
        if _heading(options[i]):
            current = Group(label.rstrip(": ").strip() or label, heading=i)
            groups.append(current)
            loose = []
            i_pos += 1
            continue
        if _SUM.search(label) and current is not None and current.sum is None and current.head is None:
            current.sum = i
            current = None
            i_pos += 1
            continue
        if _SUM.search(label) and current is None and len(loose) >= 2:
            # "Sum lønns- og prisvekst" below its items, with no heading above them
            name = re.sub(r"^(sum|totalt?|i alt|til sammen|samlet)\s*", "", label, flags=re.IGNORECASE) or label
            name = name[:1].upper() + name[1:]
            groups.append(Group(name, sum=i, items=list(loose)))
            outside = [r for r in outside if r not in loose]
            loose = []
            i_pos += 1
            continue
        if i in heads:
            span = heads[i]
            options[i] = [o for o in options[i] if any(v is not None for v in o.cells)]
            groups.append(Group(label, head=i, items=body[i_pos + 1:i_pos + 1 + span]))
            current = None
            loose = []
            i_pos += 1 + span
            continue
        if current is not None and current.head is None and current.sum is None:
            current.items.append(i)
        else:
            outside.append(i)
            loose.append(i)
        i_pos += 1

    years = [c.year for c in block.columns]  # type: ignore[misc]
    conventions = [convention] if convention else ["inkrementell", "nivå"]
    best: tuple | None = None
    for tolerance in tolerances:
        results = []
        for conv in conventions:
            eqs = _equations(options, width, start, end, splits, groups, outside, conv, tolerance)
            result = search(options, eqs, ALIGNMENTS)
            if result.solutions:
                results.append((conv, eqs, result))
        if results:
            best = _choose(results, options, start, end, width)
            chosen_tolerance = tolerance
            break
    if best is None:
        # nothing adds up: the cheapest reading of each row, every figure in doubt where it could move
        conv = convention or "inkrementell"
        eqs = _equations(options, width, start, end, splits, groups, outside, conv, Decimal(0))
        choice = tuple(0 for _ in options)
        # in doubt: the rows that print fewer figures than there are years (their place is a guess)
        uncertain = {i: set(range(width)) for i, o in enumerate(options)
                     if _movable(o) and any(v is None for v in o[0].cells) and any(v is not None for v in o[0].cells)}
        return FrameReading(block, lines, options, start, end, splits, groups, outside, conv, years, choice, 0,
                            True, uncertain, Decimal(-1), notes=["no placement adds up"], equations=eqs,
                            unread=unread)
    conv, eqs, result, conv_note = best
    choice = result.solutions[0]
    uncertain: dict[int, set[int]] = {}
    for other in result.solutions[1:]:
        for r, (a, b) in enumerate(zip(choice, other)):
            if a != b:
                ca, cb = options[r][a].cells, options[r][b].cells
                uncertain.setdefault(r, set()).update(c for c in range(width) if ca[c] != cb[c])
    reading = FrameReading(block, lines, options, start, end, splits, groups, outside, conv, years, choice,
                           len(result.solutions), result.proof == "complete", uncertain, chosen_tolerance,
                           equations=eqs, unread=unread)
    if result.proof == "local" and len(result.solutions) == 1:
        reading.notes.append(f"the whole search was cut at {result.steps} steps; no other placement that moves one "
                             "row, or two rows sharing a sum, adds up")
    if conv_note:
        reading.notes.append(conv_note)
    reading.lead_column = _lead_column(reading)
    return reading


def _spread(option: Option) -> int:
    sizes = [len(str(abs(int(v)))) for v in option.cells if v]
    return max(sizes) - min(sizes) if len(sizes) > 1 else 0


def _separator(line: Line) -> bool:
    return bool(re.fullmatch(r"[\s\-–—]*", line.text)) and line.cells is None


def _movable(options: list[Option]) -> bool:
    """Whether a row's figures could stand in other columns (fewer figures than columns, or readings
    differ)."""
    return len({o.cells for o in options}) > 1


#: A group's subtotal row is named like a heading: a few words, no figures of its own in the label
#: ("Lønns- og prisvekst", "Andre rammeendringer", "Internt på fagområdet"); an item names its case.
_HEAD_LABEL = re.compile(r"^(?!.*\b(19|20)\d\d\b).{3,60}$")  # (no year: "… vår 2017 – barnehage" is an item)


def _heads(body: list[int], options: list[list[Option]]) -> dict[int, int]:
    """The subtotal rows above their items, and how many items each has. Found from the bottom up: a row
    named like a heading is the subtotal of the rows below it, up to the next subtotal (or heading, or sum
    row), if their figures add up to its own in total, whatever their placement (the longest such run: a
    one-off and its reversal, +109 and -109, add up to nothing, so a shorter run can match by chance). Not
    under a heading: the rows there are its items."""
    totals = {i: _totals(options[i]) for i in body}
    heads: dict[int, int] = {}
    under_heading = set()
    inside = False
    for i in body:
        label = plainest_label(options[i])
        if _heading(options[i]):
            inside = True
            continue
        if _SUM.search(label):
            inside = False
            continue
        if inside:
            under_heading.add(i)
    limit = len(body)  # the window of a candidate ends at the next subtotal found below it
    for pos in range(len(body) - 1, -1, -1):
        i = body[pos]
        label = plainest_label(options[i])
        if _heading(options[i]) or _SUM.search(label):
            limit = pos
            continue
        if i in under_heading or not _has_figures(options[i]) or not _HEAD_LABEL.match(label) or \
                len(label.split()) > 6:
            continue
        # (a subtotal prints figures: the reading with none, whose total is 0, is not one of its own)
        own = _totals([o for o in options[i] if any(v is not None for v in o.cells)])
        acc: set[Decimal] = {Decimal(0)}
        span = 0
        for n, j in enumerate(body[pos + 1:limit], start=1):
            acc = _sumset(acc, totals[j])
            if own & acc:
                span = n
        if span >= 2:  # a subtotal of one row cannot be told from two items that are equal
            heads[i] = span
            limit = pos
    return heads


def _equations(options: list[list[Option]], width: int, start: int, end: int, splits: list[int],
               groups: list[Group], outside: list[int], convention: str, tolerance: Decimal) -> list[Equation]:
    eqs: list[Equation] = []
    s_everywhere = all(all(v is not None for v in o.cells) for o in options[start])
    for c in range(width):
        if splits:
            eqs.append(Equation(((start, c, 1), *((r, c, -1) for r in splits)), needs=((start, c),),
                                tolerance=tolerance, name=("split", c), any_of=tuple((r, c) for r in splits)))
        for g in groups:
            if g.subtotal is not None:
                eqs.append(Equation(((g.subtotal, c, 1), *((r, c, -1) for r in g.items)), tolerance=tolerance,
                                    name=("group", g.label, c)))
        tops: list[int] = []
        for g in groups:
            tops += [g.subtotal] if g.subtotal is not None else g.items
        tops += outside
        changes = tuple((r, c, -1) for r in tops)
        if s_everywhere or c == 0:
            eqs.append(Equation(((end, c, 1), (start, c, -1), *changes), needs=((end, c), (start, c)),
                                tolerance=tolerance, name=("frame", c)))
        if c >= 1:
            if convention == "inkrementell":
                if s_everywhere:
                    eqs.append(Equation(((start, c, 1), (end, c - 1, -1)), needs=((start, c), (end, c - 1)),
                                        tolerance=tolerance, name=("chain", c)))
                else:
                    eqs.append(Equation(((end, c, 1), (end, c - 1, -1), *changes),
                                        needs=((end, c), (end, c - 1)), tolerance=tolerance, name=("frame", c)))
            elif not s_everywhere:
                eqs.append(Equation(((end, c, 1), (start, 0, -1), *changes), needs=((end, c), (start, 0)),
                                    tolerance=tolerance, name=("frame", c)))
    return eqs


def _choose(results, options, start, end, width):
    """Of the conventions whose equations hold, the one the start row shows (incremental: each year starts
    from the year before's new frame; level: every plan year starts from the same base)."""
    if len(results) == 1:
        conv, eqs, result = results[0]
        return conv, eqs, result, None
    # both hold (the start is printed in every column, so the chain was not needed to place the figures):
    # the printed start decides
    by_conv = {conv: (eqs, result) for conv, eqs, result in results}
    eqs, result = by_conv["inkrementell"]
    choice = result.solutions[0]
    s = options[start][choice[start]].cells
    n = options[end][choice[end]].cells
    chained = [c for c in range(1, width) if s[c] is not None and n[c - 1] is not None]
    if chained and all(s[c] == n[c - 1] for c in chained):
        level_too = all(s[c] == s[1] for c in range(1, width) if s[c] is not None)
        note = None if not level_too else "the start row fits both conventions; read as incremental"
        return "inkrementell", eqs, result, note
    eqs, result = by_conv["nivå"]
    return "nivå", eqs, result, None


def _lead_column(reading: FrameReading) -> bool:
    """Askøy's shape: the first column holds last year's budget and its adjustment, and no new frame. That
    column is the split of the base, not a year of the frame (whichever the convention)."""
    if len(reading.years) < 2:
        return False
    n = reading.cells(reading.end)
    s = reading.cells(reading.start)
    return n[0] is None and s[0] is not None and s[1] is not None
