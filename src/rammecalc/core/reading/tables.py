"""Any other table read from its copy: accounts against budget, the statutory forms, summaries of units.
Pure.

Its relations are found from the figures: an avvik column is budsjett − regnskap or regnskap − budsjett
(both are tried, row by row: the sign is not standard); a row named as a sum or a result (``Sum …``,
``Netto driftsresultat``, a last row without a label) is a formula over the rows before it, found by a
search over signs (``10 + 11 + 12 − 13 − 14``) that must hold in every column, within one unit for the
rounding of printed totals. Rows with fewer figures than columns are then placed by :mod:`.solve` under
those relations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import product

from ..numbers import written_decimals
from .layout import Block, Column, Line
from .rows import Chosen, Placed, cell_options, plainest_label, text_options
from .solve import Equation, Option, search
from .text import GROUPS_BY_UNIT, MAX_GROUPS

_RESULT = re.compile(r"^(sum|totalt?|totalsum|i alt|til sammen|samlet|netto|brutto|resultat|fremført|"
                     r"mer-?\s*/?\s*mindreforbruk|overskudd|underskudd|regnskapsmessig)\b|resultat\b", re.IGNORECASE)
#: Rows of the statutory forms named as sums that are the form's inputs, not sums of rows above: § 5-4's
#: "Sum bevilgninger drift, netto" is the total of the bevilgninger per rammeområde, printed elsewhere.
_INPUT_SUM = re.compile(r"^sum\s+bevilgninger\b", re.IGNORECASE)
_TOTAL = re.compile(r"^(sum|totalt?|totalsum|i alt|til sammen|samlet)\b", re.IGNORECASE)
#: How far back a formula looks for its rows, at most (a form's block is rarely longer).
MAX_OPERANDS = 14
ROUNDING = Decimal(1)
#: In a table other than a frame most rows print every column (a dash for nothing): a blank costs.
BLANK_COST = 2


@dataclass
class Relation:
    """A row as a formula over earlier rows: ``terms`` are (row, sign); ``kind`` is "sum" for a run of rows
    added up (written ``sum: 1-4``), "formel" otherwise."""

    terms: list[tuple[int, int]]
    kind: str
    exact: bool


@dataclass
class TableReading(Chosen):
    block: Block
    lines: list[Line]
    columns: list[Column]
    #: the figure columns (amount, code, percent) in order, as indexes into ``columns``
    figure_columns: list[int]
    options: list[list[Option]]
    choice: tuple[int, ...]
    headings: set[int]
    relations: dict[int, Relation]
    #: the avvik column's formula: (avvik, budsjett, regnskap, sign) with sign +1 for budsjett − regnskap
    avvik: tuple[int, int, int, int] | None
    #: transposed accounts (seed 001): rows named regnskap / budsjett / avvik, years across
    avvik_row: tuple[int, int, int, int] | None
    solutions: int
    complete: bool
    uncertain: dict[int, set[int]]
    texts: dict[int, dict[int, str]] = field(default_factory=dict)  # row → text column → its text
    #: lines between the header and the end that could not be read as a row (more figures than columns, say)
    unread: list[Line] = field(default_factory=list)
    #: rows named as totals or results whose relation was not found in the figures (written as a plain sum,
    #: or with none): the import is not certain of them
    unproven: list[int] = field(default_factory=list)
    #: one unit of the last digit printed (1, or 0,1 in a table of millions with a decimal): what a rounding
    #: of a printed total can be off by
    step: Decimal = Decimal(1)
    #: columns that are a formula of others in every row (a bridge table's new frame): column → [(col, sign)]
    column_formulas: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    #: a column of per cents as a share of two others: figure column → (teller, nevner, decimals)
    shares: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    equations: list[Equation] = field(default_factory=list)


def read_table(block: Block) -> TableReading | None:
    """The table in ``block``, or ``None`` if its rows have no labels (figures only: nothing to import)."""
    columns = block.columns
    if not columns:
        return None
    figure_columns = [i for i, c in enumerate(columns) if c.kind in ("amount", "code", "percent")]
    text_columns = [i for i, c in enumerate(columns) if c.kind in ("text", "note")]
    width = len(figure_columns)
    code_cols = [k for k, i in enumerate(figure_columns) if columns[i].kind == "code"]
    lines: list[Line] = []
    options: list[list[Option]] = []
    texts: dict[int, dict[int, str]] = {}
    unread: list[Line] = []
    for line in block.rows:
        if re.fullmatch(r"[\s\-–—]*", line.text):
            continue  # a separator row ("- - - -")
        if line.cells is not None:
            # the cells after the label, column by column: figures to be read, text columns kept as text
            after = list(line.cells[1:]) + [""] * len(columns)
            figures_only = Line(line.no, line.text, (line.cells[0], *(after[i] for i in figure_columns)))
            opts = cell_options(figures_only, width, block.dot)
            if not opts:
                unread.append(line)
                continue
            kept = {i: after[i].strip() for i in text_columns if after[i].strip()}
            if kept:
                texts[len(lines)] = kept
        else:
            text = line.text
            trailing: dict[int, str] = {}
            # text columns at the end of the row ("… 7 nei"): their words come off before the figures
            for col in reversed(text_columns):
                if col == len(columns) - 1 or all(c in text_columns for c in range(col, len(columns))):
                    m = re.search(r"\s(\S+)\s*$", text)
                    if m and not re.search(r"\d", m[1]):
                        trailing[col] = m[1]
                        text = text[:m.start()]
            dot = block.dot if block.dot != "ambiguous" else "thousands"
            opts = text_options(Line(line.no, text), width, dot, numbered=True, blank_cost=BLANK_COST,
                                code_cols=tuple(code_cols), groups=GROUPS_BY_UNIT.get(block.unit or "", MAX_GROUPS))
            if not opts:
                unread.append(line)
                continue
            if trailing:
                texts[len(lines)] = trailing
        if code_cols:
            # a code column takes a code (a whole number written without groups) or nothing, and a sum has
            # none ("Totalsum 401 482 488 427 86 945": 401 is not a project)
            total = bool(_RESULT.search(plainest_label(opts)))
            opts = [o for o in opts if all(_code_ok(o, k) and not (total and o.cells[k] is not None)
                                           for k in code_cols)] or opts
        lines.append(line)
        options.append(opts)
    if not lines or not any(plainest_label(o) for o in options):
        return None
    def number(i: int) -> str | None:
        return options[i][0].source.reading.number if isinstance(options[i][0].source, Placed) else None

    def dashes_only(i: int) -> bool:
        source = options[i][0].source
        return isinstance(source, Placed) and all(f.dash for f in source.reading.figures)

    # A heading: a row with no figures, or only dashes and no number ("Disponering eller dekning av netto
    # driftsresultat - - - -"), or numbered with only dashes and followed by rows without numbers in a table
    # that numbers its rows ("4.02 Feltpleien -" over "Egne midler", "Prosjektmidler").
    headings = {i for i, o in enumerate(options) if all(v is None for v in o[0].cells) or
                (dashes_only(i) and number(i) is None and plainest_label(o)) or
                (dashes_only(i) and number(i) is not None and i + 1 < len(options)
                 and number(i + 1) is None and plainest_label(options[i + 1]))}
    for i in headings:
        options[i] = options[i][:1]
    # Full rows (every figure column printed, a code column excepted) give the relations.
    full_choice = []
    for i, opts in enumerate(options):
        k = next((k for k, o in enumerate(opts) if all(v is not None for v in o.cells)), None)
        if k is None:
            k = next((k for k, o in enumerate(opts) if all(v is not None for j, v in enumerate(o.cells)
                                                             if j not in code_cols)), 0)
        full_choice.append(k)
    amount_cols = [k for k, i in enumerate(figure_columns) if columns[i].kind == "amount"]
    reading = TableReading(block, lines, columns, figure_columns, options, tuple(full_choice), headings, {},
                           None, None, 1, True, {}, texts)
    reading.unread = unread
    decimals = max((written_decimals(v) for i in range(len(lines)) for v in reading.cells(i)
                    if v is not None and i not in headings), default=0)
    reading.step = Decimal(1).scaleb(-decimals)
    reading.avvik = _avvik_column(reading, amount_cols)
    if reading.avvik is None:
        reading.avvik_row = _avvik_row(reading, amount_cols)
    _find_relations(reading, amount_cols)
    reading.column_formulas = _column_formulas(reading, amount_cols)
    reading.shares = _shares(reading, amount_cols)
    eqs = _equations(reading, amount_cols)
    reading.equations = eqs
    result = search(options, eqs)
    if reading.unproven and result.solutions:
        # Rows read otherwise under the relations found may show the ones not found yet: look again.
        again = TableReading(block, lines, columns, figure_columns, options, result.solutions[0], headings, {},
                             reading.avvik, reading.avvik_row, 1, True, {}, texts)
        _find_relations(again, amount_cols)
        if len(again.unproven) < len(reading.unproven):
            reading.relations, reading.unproven = again.relations, again.unproven
            eqs = _equations(reading, amount_cols)
            reading.equations = eqs
            result = search(options, eqs)
    if result.solutions:
        reading.choice = result.solutions[0]
        reading.solutions = len(result.solutions)
        reading.complete = result.proof == "complete"
        for other in result.solutions[1:]:
            for r, (a, b) in enumerate(zip(reading.choice, other)):
                if a != b:
                    ca, cb = options[r][a].cells, options[r][b].cells
                    reading.uncertain.setdefault(r, set()).update(c for c in range(width) if ca[c] != cb[c])
    else:
        # the relations do not hold as placed (a misprint, a rounding beyond one): keep the full rows, and
        # say which rows could stand otherwise
        reading.solutions = 0
        reading.uncertain = {i: set(range(width)) for i, o in enumerate(options) if len({x.cells for x in o}) > 1}
        reading.notes.append("the relations found do not hold under any placement of the rows with blank cells")
    return reading


def _code_ok(option: Option, k: int) -> bool:
    source = option.source
    if not isinstance(source, Placed):
        return True
    figure = source.figure_at(k)
    return figure is None or (figure.value is not None and figure.value == figure.value.to_integral_value()
                              and " " not in figure.text and figure.value >= 0)


def _column_values(reading: TableReading, col: int) -> list[Decimal | None]:
    return [reading.cells(i)[col] if i not in reading.headings else None for i in range(len(reading.lines))]


def _avvik_column(reading: TableReading, amount_cols: list[int]) -> tuple[int, int, int, int] | None:
    """The avvik column and its formula, tried both ways on every row that prints all three figures."""
    cols = reading.columns
    fig = reading.figure_columns
    avvik = [k for k in amount_cols if cols[fig[k]].role == "avvik"]
    if len(avvik) != 1:
        return None
    a = avvik[0]
    before = [k for k in amount_cols if k < a]
    regnskap = [k for k in before if cols[fig[k]].role == "regnskap"]
    budsjett = [k for k in before if cols[fig[k]].role == "budsjett"]
    if not regnskap or not budsjett:
        return None
    r, b = regnskap[-1], budsjett[-1]
    for sign in (1, -1):
        ok = 0
        bad = 0
        for i in range(len(reading.lines)):
            if i in reading.headings:
                continue
            cells = reading.cells(i)
            if cells[a] is None or cells[b] is None or cells[r] is None:
                continue
            if cells[a] == sign * (cells[b] - cells[r]):
                ok += 1
            elif abs(cells[a] - sign * (cells[b] - cells[r])) > reading.step:
                bad += 1
        # Most rows must show it: a row read wrong so far ("10 005 - 10 005": a dash and 10 005, or −10 005?)
        # is read again under the formula by the search, which then says if it does not hold.
        if ok >= 2 and ok >= 3 * bad or ok and not bad:
            return a, b, r, sign
    return None


def _avvik_row(reading: TableReading, amount_cols: list[int]) -> tuple[int, int, int, int] | None:
    """Accounts printed with the years across (seed 001): rows named Regnskap, Budsjett and Avvik."""
    names: dict[str, int] = {}
    for i, opts in enumerate(reading.options):
        label = plainest_label(opts).strip().lower()
        for word, role in (("regnskap", "regnskap"), ("budsjett", "budsjett"), ("avvik", "avvik")):
            if label.startswith(word) and role not in names:
                names[role] = i
    if len(names) != 3:
        return None
    a, b, r = names["avvik"], names["budsjett"], names["regnskap"]
    for sign in (1, -1):
        ok = bad = 0
        for k in amount_cols:
            ca, cb, cr = reading.cells(a)[k], reading.cells(b)[k], reading.cells(r)[k]
            if None in (ca, cb, cr):
                continue
            if ca == sign * (cb - cr):
                ok += 1
            elif abs(ca - sign * (cb - cr)) > reading.step:
                bad += 1
        if ok and not bad:
            return a, b, r, sign
    return None


def _find_relations(reading: TableReading, amount_cols: list[int]) -> None:
    """Each row named as a sum or result (or a last row without a label) as a formula over earlier rows."""
    n = len(reading.lines)
    results: list[int] = []
    window_start = 0
    for i in range(n):
        if i in reading.headings:
            if i > 0:
                window_start = i + 1
            continue
        label = plainest_label(reading.options[i]).strip()
        last_unlabelled = not label and i == n - 1
        if not (_RESULT.search(label) or last_unlabelled):
            continue
        window = [j for j in range(window_start, i) if j not in reading.headings and j not in results]
        found = _formula(reading, i, window, results, amount_cols)
        if found is None and window and (_TOTAL.search(label) or last_unlabelled):
            # named a total, and the rows above do not add up to it: written as the sum it says it is, so that
            # check names each figure that is off (a published table can be wrong; a row may be missing)
            found = Relation([(j, 1) for j in window], "sum", False)
            reading.unproven.append(i)
        if found is not None:
            reading.relations[i] = found
            results.append(i)
            window_start = i + 1
        elif (window or results) and any(reading.cells(i)[k] for k in amount_cols) and not _INPUT_SUM.search(label):
            # a result row with no formula found: said, never passed over (a row of zeros, Giske's
            # "Fremført til inndekning" with dashes, fits any two equal rows: nothing to find there)
            reading.unproven.append(i)


def _formula(reading: TableReading, target: int, window: list[int], results: list[int],
             amount_cols: list[int]) -> Relation | None:
    """The simplest formula for ``target``: first the sum of the rows since the last result, then any
    signs over those rows, then with earlier results as operands; it must hold in every column within one
    unit, and be the only one of its simplicity."""
    y = [reading.cells(target)[k] for k in amount_cols]
    if any(v is None for v in y):
        return None
    vectors = {j: [reading.cells(j)[k] or Decimal(0) for k in amount_cols] for j in window + results}
    if window:
        total = [sum((vectors[j][c] for j in window), Decimal(0)) for c in range(len(y))]
        if all(abs(t - v) <= reading.step for t, v in zip(total, y)) and len(window) >= 2:
            return Relation([(j, 1) for j in window], "sum", all(t == v for t, v in zip(total, y)))
    for operands in (window[-MAX_OPERANDS:], (window + results)[-MAX_OPERANDS:]):
        if not operands:
            continue
        best = _sign_search(operands, vectors, y, reading.step)
        if best is not None:
            return best
    return None


def _sign_search(operands: list[int], vectors: dict[int, list[Decimal]], y: list[Decimal],
                 step: Decimal = ROUNDING) -> Relation | None:
    """Signs in {−1, 0, +1} for ``operands`` with Σ sign × row = target in every column (±1), by meeting in the
    middle; the fewest operands win, then the fewest minus signs; a tie is no answer."""
    half = len(operands) // 2
    left, right = operands[:half], operands[half:]
    cols = len(y)

    def combos(ops: list[int]):
        for signs in product((0, 1, -1), repeat=len(ops)):
            vec = [sum((s * vectors[j][c] for s, j in zip(signs, ops) if s), Decimal(0)) for c in range(cols)]
            yield signs, vec

    index: dict[Decimal, list[tuple[tuple[int, ...], list[Decimal]]]] = {}
    for signs, vec in combos(left):
        index.setdefault(vec[0], []).append((signs, vec))
    found: list[tuple[tuple[int, int], tuple[int, ...], bool]] = []
    for signs_r, vec_r in combos(right):
        need = y[0] - vec_r[0]
        for d in (Decimal(0), step, -step):
            for signs_l, vec_l in index.get(need + d, ()):
                diffs = [vec_l[c] + vec_r[c] - y[c] for c in range(cols)]
                if all(abs(x) <= step for x in diffs):
                    signs = signs_l + signs_r
                    used = sum(1 for s in signs if s)
                    if used < 2:
                        continue  # one row equal to another is not a formula here
                    key = (used, sum(1 for s in signs if s < 0))
                    found.append((key, signs, all(x == 0 for x in diffs)))
    if not found:
        return None
    found.sort(key=lambda f: f[0])
    if len(found) > 1 and found[1][0] == found[0][0] and found[1][1] != found[0][1]:
        return None  # two formulas as simple: not one to write
    _, signs, exact = found[0]
    return Relation(sorted((j, s) for j, s in zip(operands, signs) if s), "formel", exact)


def _equations(reading: TableReading, amount_cols: list[int]) -> list[Equation]:
    eqs: list[Equation] = []
    tol = reading.step
    for target, rel in reading.relations.items():
        for k in amount_cols:
            eqs.append(Equation(((target, k, 1), *((j, k, -s) for j, s in rel.terms)), tolerance=tol,
                                name=("row", target, k)))
    if reading.avvik is not None:
        a, b, r, sign = reading.avvik
        for i in range(len(reading.lines)):
            if i not in reading.headings:
                eqs.append(Equation(((i, a, 1), (i, b, -sign), (i, r, sign)), needs=((i, a),), tolerance=Decimal(0),
                                    name=("avvik", i)))
    for k, terms in reading.column_formulas.items():
        for i in range(len(reading.lines)):
            if i not in reading.headings:
                eqs.append(Equation(((i, k, 1), *((i, c, -s) for c, s in terms)), needs=((i, k),),
                                    tolerance=reading.step, name=("column", k, i)))
    if reading.avvik_row is not None:
        a, b, r, sign = reading.avvik_row
        for k in amount_cols:
            eqs.append(Equation(((a, k, 1), (b, k, -sign), (r, k, sign)), needs=((a, k),), tolerance=Decimal(0),
                                name=("avvik", k)))
    return eqs


def _shares(reading: TableReading, amount_cols: list[int]) -> dict[int, tuple[int, int, int]]:
    """Each column of per cents as teller ÷ nevner × 100 of two amount columns, rounded as printed (half up),
    where exactly one pair fits every row that prints all three (an avvik over its budsjett, say)."""
    out: dict[int, tuple[int, int, int]] = {}
    for k, col in enumerate(reading.figure_columns):
        if reading.columns[col].kind != "percent":
            continue
        printed = [(i, reading.cells(i)[k]) for i in range(len(reading.lines))
                   if i not in reading.headings and reading.cells(i)[k] is not None]
        if not printed:
            continue
        decimals = max(written_decimals(v) for _, v in printed)
        fits = []
        for t in amount_cols:
            for n in amount_cols:
                if t == n:
                    continue
                ok = True
                for i, value in printed:
                    a, b = reading.cells(i)[t], reading.cells(i)[n]
                    if a is None or b is None or b == 0:
                        ok = False
                        break
                    share = (a / b * 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
                    if share != value:
                        ok = False
                        break
                if ok:
                    fits.append((t, n))
        if len(fits) == 1:
            out[k] = (*fits[0], decimals)
    return out


_COLUMN_RESULT = re.compile(r"\b(ny|nye)\b.*\bramme|^ramme\s+(19|20)\d\d|^sum\b|^totalt?\b|^netto\b|"
                            r"\bramme\s+(19|20)\d\d$", re.IGNORECASE)


def _column_formulas(reading: TableReading, amount_cols: list[int]) -> dict[int, list[tuple[int, int]]]:
    """A column named as a result (a bridge table's "Ramme 2025", a "Sum" column) that is a formula of the
    columns before it in every row, within a rounding: the one formula of the fewest columns."""
    out: dict[int, list[tuple[int, int]]] = {}
    avvik = reading.avvik[0] if reading.avvik is not None else None
    rows = [i for i in range(len(reading.lines)) if i not in reading.headings]
    for k in amount_cols:
        if k == avvik or k == amount_cols[0]:
            continue
        label = reading.columns[reading.figure_columns[k]].label
        if not _COLUMN_RESULT.search(label):
            continue
        full = [i for i in rows if all(reading.cells(i)[c] is not None for c in amount_cols if c <= k)]
        if len(full) < 2:
            continue
        before = [c for c in amount_cols if c < k][-MAX_OPERANDS:]
        vectors = {c: [reading.cells(i)[c] or Decimal(0) for i in full] for c in before}
        y = [reading.cells(i)[k] for i in full]
        found = _sign_search(before, vectors, y, reading.step)  # type: ignore[arg-type]
        if found is not None:
            out[k] = found.terms
    return out
