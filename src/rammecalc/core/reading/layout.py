"""Where the tables are in a copied text, and what their columns and unit are. Pure.

A copy of a budget web page or PDF holds prose, navigation ("Vis undermeny", "Last ned tabelldata") and one
or more tables. A table is found by its header (a line of column names and years: ``Revidert 2017 Budsjett
2018 Økonomiplan`` / ``2019 2020 2021``, ``Regnskap 2022 Budsjett 2022 Avvik Budsjett 2023``, glued as
``stabB 2017B 2018ØP 2019`` or ``2015-20182015201620172018``), its unit (``Hele 1 000``, ``Tall i hele
tusen kroner``, ``(Beløp i 1 000 kroner)``, ``Beløp i 1000 kr`` in a caption below the table) and the rows
after it, up to prose or the next table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import readings, tokens_of


@dataclass(frozen=True)
class Line:
    """One line of the source: its number (1-based), its text, and its cells when the source gives them
    (a CSV or xlsx row, a tab-separated line, a PDF line cut at its columns)."""

    no: int
    text: str
    cells: tuple[str, ...] | None = None


@dataclass
class Column:
    """A column of figures as the header names it."""

    label: str
    year: int | None = None
    #: regnskap, budsjett, avvik, økonomiplan, revidert, or None where the header says no more than a year.
    role: str | None = None
    #: amount (figures that add up), code (a project number), text (ja/nei), percent, note.
    kind: str = "amount"


@dataclass
class Block:
    """A table found in the source."""

    title: str | None
    unit: str | None
    unit_text: str | None
    label_head: str | None
    columns: list[Column]
    header_lines: list[int]
    rows: list[Line]
    #: Whether full stops group thousands (87.863), from the figures and the unit's "hele".
    dot: str = "thousands"
    notes: list[str] = field(default_factory=list)
    #: Lines before the table that name it (for the source's title), nearest last.
    preamble: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------- units

_UNITS = [
    (re.compile(r"\bmill(?:\.|ioner)?\s*(?:kr\b|kroner)|\bi\s+mill\.", re.IGNORECASE), "mill. kr"),
    (re.compile(r"hele\s+1[ \u00a0]?000|heile\s+1[ \u00a0]?000|hele\s+tusen|heile\s+tusen|\b1[ \u00a0]?000\s*(?:kr\b|kroner)"
                r"|tusen\s+kroner|i\s+1[ \u00a0]?000\b|beløp\s+i\s+1[ \u00a0]?000|\bi\s+tusen\b|\bnok\s*1[ \u00a0]?000"
                r"|\(1[ \u00a0]?000\)|\btall\s+i\s+1[ \u00a0]?000", re.IGNORECASE), "1 000 kr"),
    (re.compile(r"\b(?:i\s+)?hele\s+kroner\b|\bbeløp\s+i\s+kr(?:oner)?\b(?!\s*1)|\btall\s+i\s+kroner\b", re.IGNORECASE), "kr"),
]
_ARSVERK = re.compile(r"\bårsverk\b", re.IGNORECASE)


def unit_of(text: str) -> str | None:
    """The amount unit a caption states, if it states one."""
    for pattern, unit in _UNITS:
        if pattern.search(text):
            return unit
    return None


# ------------------------------------------------------------------------------------------------ header

#: Words that name a column (lower case), and the role they give it.
_ROLE_WORDS = {
    "regnskap": "regnskap", "rekneskap": "regnskap", "rekneskap.": "regnskap", "regnskap.": "regnskap",
    "budsjett": "budsjett", "budsjet": "budsjett", "buds.": "budsjett", "b": "budsjett", "vb": "budsjett",
    "rb": "budsjett", "ob": "budsjett", "r": "regnskap",
    "økonomiplan": "økonomiplan", "økplan": "økonomiplan", "øp": "økonomiplan", "plan": "økonomiplan",
    "revidert": "revidert", "rev.": "revidert", "justert": "revidert",
    "avvik": "avvik", "differanse": "avvik", "mer-/mindreforbruk": "avvik", "mindreforbruk": "avvik",
    "merforbruk": "avvik", "mer/mindreforbruk": "avvik",
    "prosjekt": "kode", "prosjektnummer": "kode", "prosjektnr": "kode", "prosjektnr.": "kode", "nr": "kode",
    "nr.": "kode", "ansvar": "kode", "funksjon": "kode", "art": "kode",
    "ferdigstilt": "tekst", "status": "tekst", "merknad": "tekst", "kommentar": "tekst",
    "note": "note", "noter": "note",
    "endring": "endring", "endringer": "endring",
    "forbruk": "andel", "resultat": "andel", "%": "andel", "prosent": "andel", "andel": "andel",
    "sum": "sum", "totalt": "sum", "total": "sum",
    "årsverk": "mengde", "beløp": "mengde", "kostnad": "mengde", "ramme": "mengde", "tall": "mengde",
}
#: Words that modify the next role word rather than start a column ("Reg. budsjett", "Revidert budsjett").
_MODIFIERS = {"reg.", "regulert", "oppr.", "opprinnelig", "vedtatt", "revidert", "rev.", "justert", "prosjekt",
              "rådmannens", "kommunedirektørens", "i", "fjor", "antall"}
_YEAR = re.compile(r"^(19|20)\d\d$")
#: "B 2017" and "ØP 2019" glued to the word before: "stabB 2017B 2018ØP 2019".
_GLUED_HEAD = re.compile(r"(?<=[a-zæøå0-9])(?=(?:B|ØP|R|RB|VB|ØK|Øk|Ø)\s?(?:19|20)\d\d)")
#: Years glued in a run: "20182015201620172018".
_YEAR_RUN = re.compile(r"(?:(?:19|20)\d\d){2,}")


def _words(text: str) -> list[str]:
    text = _GLUED_HEAD.sub(" ", text.replace("|", ""))
    # "Oppr.budsjett" → "Oppr. budsjett"; "Budsjett2018" → "Budsjett 2018"
    text = re.sub(r"(?<=\.)(?=[A-Za-zÆØÅæøå])", " ", text)
    text = re.sub(r"(?<=[A-Za-zÆØÅæøå])(?=(?:19|20)\d\d\b)", " ", text)

    def split_run(m: re.Match) -> str:
        run = m[0]
        return " ".join(run[i:i + 4] for i in range(0, len(run), 4))

    out: list[str] = []
    for token in tokens_of(text):
        m = re.fullmatch(r"((?:19|20)\d\d[-–])((?:(?:19|20)\d\d){2,})", token)
        if m:  # "2015-20182015201620172018": a range, then the years
            years = split_run(re.match(_YEAR_RUN, m[2]))
            first, *rest = years.split()
            out += [m[1] + first, *rest]
            continue
        if _YEAR_RUN.fullmatch(token):
            out += split_run(re.match(_YEAR_RUN, token)).split()
            continue
        out.append(token)
    # "2 017": a year written with a thousands space
    joined: list[str] = []
    for token in out:
        if joined and re.fullmatch(r"[12]", joined[-1]) and re.fullmatch(r"\d{3}", token) and \
                _YEAR.match(joined[-1] + token):
            joined[-1] += token
        else:
            joined.append(token)
    return joined


def header_like(text: str) -> bool:
    """A line that could be (part of) a table's header: column names and years, no figures but years."""
    words = _words(text)
    if not words or len(text) > 300:
        return False
    years = sum(1 for w in words if _YEAR.match(w))
    roles = sum(1 for w in words if w.lower().rstrip(":") in _ROLE_WORDS and len(w) > 1)
    for w in words:
        bare = w.strip("()")
        if any(ch.isdigit() for ch in bare) and not _YEAR.match(bare) and not re.fullmatch(
                r"(19|20)\d\d[-–/](19|20)?\d\d|\d+[.,]\d+|\d{1,2}\.?|\d-\d|[A-Za-zÆØÅæøå.]+\d{1,2}[A-Za-zÆØÅæøå.]*", bare):
            return False
    return years >= 2 or (years >= 1 and roles >= 1) or roles >= 2


@dataclass
class _Segment:
    words: list[str]
    year: int | None = None
    role: str | None = None


def _segments(words: list[str]) -> tuple[list[str], list[_Segment]]:
    """A header's words as (the label column's heading, the columns' segments). A column starts at a role
    word (after any modifiers: "Reg. budsjett") or a year that has no column yet."""
    segs: list[_Segment] = []
    head: list[str] = []
    pending: list[str] = []  # modifiers waiting for their role word
    for word in words:
        low = word.lower().rstrip(":")
        if _YEAR.match(word):
            if segs and segs[-1].year is None and not pending:
                segs[-1].year = int(word)
                segs[-1].words.append(word)
            else:
                segs.append(_Segment(pending + [word], int(word)))
                pending = []
            continue
        if low in _ROLE_WORDS and (len(word) > 1 or word.isupper()) and low not in _MODIFIERS:
            role = _ROLE_WORDS[low]
            if segs and segs[-1].year is None and segs[-1].role in (None, "budsjett", "regnskap", "kode") and \
                    not pending and role == "kode" and segs[-1].words[-1].lower() == "prosjekt":
                segs[-1].words.append(word)  # "Prosjekt nr"
                continue
            segs.append(_Segment(pending + [word], None, role))
            pending = []
            continue
        if low in _MODIFIERS:
            if segs and segs[-1].year is None and low in ("i", "fjor") and not pending:
                segs[-1].words.append(word)
            else:
                pending.append(word)
            continue
        if low in ("nr", "nr.", "nummer") and segs and segs[-1].role == "kode":
            segs[-1].words.append(word)
            continue
        if segs or pending:
            if segs and not pending and segs[-1].year is None:
                segs[-1].words.append(word)  # "Avvik i kr", "Antall årsverk"
            else:
                pending.append(word)
        else:
            head.append(word)
    if pending:
        if segs:
            segs.append(_Segment(pending, None, None))
        else:
            head += pending
    return head, segs


def _column(seg: _Segment) -> Column:
    label = " ".join(seg.words)
    kind = {"kode": "code", "tekst": "text", "note": "note", "andel": "percent"}.get(seg.role or "", "amount")
    role = seg.role if seg.role in ("regnskap", "budsjett", "avvik", "økonomiplan", "revidert") else None
    low = label.lower()
    if role == "revidert" and "budsjett" in low:
        role = "budsjett"
    if ("i %" in low or low.endswith("%")) and kind == "amount":
        kind = "percent"
    return Column(label, seg.year, role, kind)


def parse_header(lines: list[str], columns: int | None) -> tuple[str | None, list[Column]]:
    """The label column's heading and the columns, from one or two header lines. ``columns`` (how many
    figures the rows have at most) settles where the label's heading ends."""
    if not lines:
        return None, []
    if len(lines) == 1:
        head, segs = _segments(_words(lines[0]))
        return _finish(head, segs, columns)
    first_head, first = _segments(_words(lines[0]))
    second_head, second = _segments(_words(lines[1]))
    years = [s for s in second if s.year is not None and len(s.words) == 1]
    if years and len(years) == len(second):
        if len(first) == len(years) and all(s.year is None for s in first):
            # names on the first line, years on the second (Giske's § 5-4): pair them
            segs = [_Segment(a.words + b.words, b.year, a.role) for a, b in zip(first, years)]
            return _finish(first_head or second_head, segs, columns)
        if first and all(s.year is None for s in first) and len(years) % len(first) == 0 and len(first) > 1:
            # each name over as many years ("Regnskap" over 2022 2023, "Budsjett" over 2024 2025)
            per = len(years) // len(first)
            segs = [_Segment(a.words + b.words, b.year, a.role) for k, a in enumerate(first)
                    for b in years[k * per:(k + 1) * per]]
            return _finish(first_head or second_head, segs, columns)
        if first and first[-1].year is None:
            # the last name spans the years below it ("Økonomiplan" over 2019 2020 2021)
            spanning = first[-1]
            segs = first[:-1] + [_Segment(spanning.words + b.words, b.year, spanning.role) for b in years]
            return _finish(first_head, segs, columns)
        segs = first + years
        return _finish(first_head, segs, columns)
    head, segs = _segments(_words(lines[0] + " " + lines[1]))
    return _finish(head, segs, columns)


def _finish(head: list[str], segs: list[_Segment], columns: int | None) -> tuple[str | None, list[Column]]:
    # More segments than the rows have figures: the first ones belong to the label's heading
    figure_segs = [s for s in segs if s.role not in ("tekst", "note")]
    if columns is not None and len(figure_segs) > columns:
        # more columns named than any row has figures: leading names with no year and no role are the label
        # column's heading ("… sitt forslag"), never a column with a year
        extra = len(figure_segs) - columns
        while extra and segs and segs[0].year is None and segs[0].role in (None, "mengde"):
            head = head + segs[0].words
            segs = segs[1:]
            extra -= 1
    # a first name with no year before names that all have one is the label column's heading ("Ramme
    # Løyvingsoversikt drift …" before "Regnskap 2022 Budsjett 2023 …")
    if len(segs) > 2 and segs[0].year is None and segs[0].role in (None, "mengde") and all(
            x.year is not None for x in segs[1:]):
        head = head + segs[0].words
        segs = segs[1:]
    cols = [_column(s) for s in segs]
    return (" ".join(head) or None), cols


# ------------------------------------------------------------------------------------------------ blocks

_STOP = re.compile(r"^(vis undermeny|last ned tabell|denne siden ble|tilbake til|skriv ut|del på|til toppen"
                   r"|\[\.\.\.|kilde:|note:|noter:)", re.IGNORECASE)
_CAPTION = re.compile(r"^(tabell|figur|tab\.)\s*\d", re.IGNORECASE)
_SEPARATOR = re.compile(r"^[\s\-–—]*$")


def prose_like(text: str) -> bool:
    """A line of running text rather than a row: many words, a sentence's end, no figures at its end."""
    words = text.split()
    if len(words) < 9:
        return False
    if re.fullmatch(r"[-−–(]?\d[\d.,]*\)?%?", words[-1]) and not words[-1].endswith((".", ",")):
        return False  # a row ends with a figure; a sentence with a word or its full stop
    header_words = _words(text)
    if sum(1 for w in header_words if _YEAR.match(w)) >= 3 and header_like(text):
        return False  # a long header: "Ramme Løyvingsoversikt drift … Regnskap 2022 Budsjett 2023 …"
    best = readings(text, None, limit=1)
    tail_figures = len(best[0].figures) if best else 0
    if tail_figures and len(words) < 25:
        return False
    return text.rstrip().endswith((".", "!", "?", ":")) or len(words) >= 16


def _max_figures(lines: list[Line]) -> int | None:
    counts = []
    for line in lines:
        if line.cells is not None:
            continue
        text = re.sub(r"(\s+[A-Za-zÆØÅæøå]{1,12}){1,2}\s*$", "", line.text) if re.search(
            r"\d\s+[A-Za-zÆØÅæøå]{1,12}\s*$", line.text) else line.text  # a text column at the end: "… 7 nei"
        found = readings(text, None, limit=40)
        if found and found[0].figures:
            # the most figures the row has in a reading nearly as plain as the plainest ("273 825 273 825"
            # is one figure at best, but two as readily)
            counts.append(max(len(r.figures) for r in found if r.cost <= found[0].cost + 4))
    if not counts:
        return None
    # the most figures a row has, but not a single row's odd reading: the largest count two rows share, or
    # the largest if only one row is full
    counts.sort()
    return counts[-1]


def find_blocks(lines: list[Line]) -> tuple[list[Block], list[str]]:
    """The tables in the source, and notes on what was left out (rows of figures without a header)."""
    blocks: list[Block] = []
    notes: list[str] = []
    n = len(lines)
    i = 0
    last_end = 0
    while i < n:
        line = lines[i]
        text = line.text.strip()
        if _cell_header(lines, i):
            block, j = _cell_block(lines, i, last_end)
            if block is not None:
                blocks.append(block)
                last_end = j
                i = j
                continue
        if not text or not (header_like(text) or _short_header(lines, i)) or prose_like(text):
            i += 1
            continue
        # A header: the last of a run of header-like lines (a title such as "Ramme for budsjett 2018 og
        # økonomiplan 2018–2021" can look like one), or the last two when the last is years only and the one
        # before names the columns (names, then years)
        run = [i]
        while run[-1] + 1 < n and lines[run[-1] + 1].text.strip() and header_like(lines[run[-1] + 1].text.strip()) \
                and not _has_row_figures(lines[run[-1] + 1].text):
            run.append(run[-1] + 1)
        header = run[-1:]
        if len(run) >= 2 and _years_line(lines[run[-1]].text) and not _years_line(lines[run[-2]].text):
            header = run[-2:]
        j = header[-1] + 1
        rows: list[Line] = []
        while j < n:
            t = lines[j].text.strip()
            if not t:
                # a blank line ends the table unless a row follows at once
                k = j + 1
                if k < n and lines[k].text.strip() and _has_row_figures(lines[k].text) and \
                        not prose_like(lines[k].text) and rows:
                    j += 1
                    continue
                break
            if _STOP.match(t) or prose_like(t) or _CAPTION.match(t):
                break
            if header_like(t) and not _has_row_figures(t) and rows and _looks_like_new_header(t):
                break
            rows.append(lines[j])
            j += 1
        if not any(_has_row_figures(r.text) or r.cells for r in rows):
            i = header[-1] + 1
            continue
        head_texts = [lines[h].text.strip() for h in header]
        ncols = _max_figures(rows)
        label_head, columns = parse_header(head_texts, ncols)
        typical = _typical_figures(rows)
        if typical and len([c for c in columns if c.kind != "text"]) < typical and len(head_texts) == 1:
            # fewer columns named than the rows print figures: names that are no role words ("Lønns- og
            # prisvekst Rullering Rammeendringer Nye tiltak"), one to a capital letter, if that makes as many
            split = _capital_split(head_texts[0], typical)
            if split is not None:
                label_head, columns = split
        # the unit: in the lines just before the header, else in a caption just after the rows
        pre = [lines[k].text.strip() for k in range(last_end, header[0]) if lines[k].text.strip()]
        unit, unit_text = None, None
        for t in reversed(pre[-6:]):
            u = unit_of(t)
            if u and not prose_like(t):  # ("… 27,9 mill. kroner lavere enn budsjettert." is no caption)
                unit, unit_text = u, t
                break
        after = [lines[k].text.strip() for k in range(j, min(n, j + 3)) if lines[k].text.strip()]
        if unit is None:
            for t in after:
                u = unit_of(t)
                if u and (_CAPTION.match(t) or (len(t) < 200 and not prose_like(t))):
                    unit, unit_text = u, t
                    break
        if unit is None and (_ARSVERK.search(" ".join(head_texts)) or any(
                _ARSVERK.search(r.text) for r in rows[:3])):
            unit, unit_text = "årsverk", " ".join(head_texts)
        title = None
        for t in reversed(pre[-6:]):
            if t == unit_text or prose_like(t) or header_like(t):
                continue
            title = t
            break
        caption = next((t for t in after if _CAPTION.match(t)), None)
        if caption:
            title = re.split(r"\.\s", caption)[0]
        block = Block(title, unit, unit_text, label_head, columns, [lines[h].no for h in header], rows,
                      preamble=pre[-8:])
        block.dot = _dot_mode(rows, unit_text)
        blocks.append(block)
        last_end = j
        i = j
    return blocks, notes


def _short_header(lines: list[Line], i: int) -> bool:
    """A header of one or two column names and no year ("Antall årsverk"), right above rows of figures."""
    text = lines[i].text.strip()
    words = _words(text)
    if not 1 <= len(words) <= 5 or unit_of(text) or any(ch.isdigit() for ch in text):
        return False
    if not any(w.lower() in _ROLE_WORDS for w in words):
        return False
    below = [ln for ln in lines[i + 1:i + 4] if ln.text.strip()][:2]
    if len(below) < 2:
        return False
    for ln in below:  # rows with a label and figures, not key figures alone ("3,2 %", then its name)
        found = readings(ln.text, None, limit=1)
        if not (found and found[0].label and found[0].figures) or header_like(ln.text):
            return False
    return True


def _cell_header(lines: list[Line], i: int) -> bool:
    """A header given in cells (a tab-separated copy, a sheet): names in every cell after the first, and a
    row of cells with a figure right after it."""
    line = lines[i]
    if line.cells is None or len(line.cells) < 2 or i + 1 >= len(lines):
        return False
    names = [c.strip() for c in line.cells[1:] if c.strip()]
    if not names:
        return False  # a caption in the first cell only ("Tall i hele tusen kroner.")
    if any(_cell_has_figure(c) for c in names) and not all(_YEAR.match(c) for c in names):
        return False
    nxt = lines[i + 1]
    if nxt.cells is None:
        return False
    figures = [c.strip() for c in nxt.cells[1:] if c.strip() and _cell_has_figure(c)]
    return bool(figures) and not all(_YEAR.match(c) for c in figures)  # (years below: that is the header)


def _cell_has_figure(cell: str) -> bool:
    from .rows import cell_figures  # (rows imports this module)

    figs = cell_figures(cell, "thousands")
    return bool(figs) and figs[0].value is not None


def _cell_block(lines: list[Line], i: int, last_end: int) -> tuple[Block | None, int]:
    head = lines[i]
    assert head.cells is not None
    j = i + 1
    rows: list[Line] = []
    while j < len(lines) and lines[j].cells is not None and lines[j].text.strip():
        rows.append(lines[j])
        j += 1
    names = [c.strip() for c in head.cells[1:]]
    columns = []
    for name in names:
        head_words, segs = _segments(_words(name)) if name else ([], [])
        col = _column(segs[0]) if len(segs) == 1 and not head_words else Column(name)
        col.label = name
        if _YEAR.match(name):
            col.year = int(name)
        columns.append(col)
    pre = [lines[k].text.strip() for k in range(last_end, i) if lines[k].text.strip()]
    unit, unit_text = None, None
    for t in reversed(pre[-6:]):
        if unit_of(t) and not prose_like(t):
            unit, unit_text = unit_of(t), t
            break
    if unit is None and (_ARSVERK.search(head.text) or any(_ARSVERK.search(r.text) for r in rows[:3])):
        unit, unit_text = "årsverk", head.text
    title = next((t for t in reversed(pre[-6:]) if t != unit_text and not prose_like(t)), None)
    block = Block(title, unit, unit_text, head.cells[0].strip() or None, columns, [head.no], rows,
                  preamble=pre[-8:])
    block.dot = _dot_mode(rows, unit_text)
    return block, j


def _typical_figures(rows: list[Line]) -> int | None:
    """How many figures most rows print, each read in its plainest way."""
    counts: dict[int, int] = {}
    for row in rows:
        if row.cells is not None:
            continue
        found = readings(row.text, None, limit=1)
        if found and found[0].figures:
            k = len(found[0].figures)
            counts[k] = counts.get(k, 0) + 1
    return max(counts, key=lambda k: (counts[k], k)) if counts else None


def _capital_split(text: str, count: int) -> tuple[str | None, list[Column]] | None:
    """A header cut into ``count`` column names where a word starts with a capital letter (a year ends the
    name before it), the words before the last ``count`` names being the label column's heading; ``None``
    unless that gives exactly ``count`` names (never a guess)."""
    names: list[list[str]] = []
    for word in _words(text):
        starts = word[:1].isupper() and not (names and names[-1][-1].lower() in ("og", "i", "for", "av", "til"))
        if not names or (starts and not _YEAR.match(word)):
            names.append([word])
        else:
            names[-1].append(word)
    if len(names) < count:
        return None
    head = [w for name in names[:len(names) - count] for w in name]
    cols = []
    for name in names[len(names) - count:]:
        label = " ".join(name)
        year = next((int(w) for w in name if _YEAR.match(w)), None)
        cols.append(Column(label, year))
    return (" ".join(head) or None), cols


def _has_row_figures(text: str) -> bool:
    best = readings(text, None, limit=1)
    return bool(best and best[0].figures and any(f.value is not None for f in best[0].figures))


def _years_line(text: str) -> bool:
    """A header line that is mostly years: "2019 2020 2021", "Løyvingsoversikt - drift (regnskap) 2022 2022
    2022 2021" (a label's heading, then the years)."""
    words = _words(text)
    years = [w for w in words if _YEAR.match(w)]
    return len(years) >= 2 and all(_YEAR.match(w) for w in words[-len(years):]) and not any(
        w.lower().rstrip(":") in _ROLE_WORDS and len(w) > 1 for w in words)


def _looks_like_new_header(text: str) -> bool:
    words = _words(text)
    return sum(1 for w in words if _YEAR.match(w)) >= 2


def _dot_mode(rows: list[Line], unit_text: str | None) -> str:
    """``thousands`` if full stops group digits in this table's figures (87.863, 1.000), else ``decimal``.
    A full stop followed by exactly three digits is read as grouping when the unit says whole numbers
    ("hele", "heile") or some figure has two such groups (1.000.000) or many figures have one; a full stop
    otherwise is a decimal point."""
    dotted = 0
    other_decimal = 0
    for row in rows:
        for token in tokens_of(row.text):
            bare = token.lstrip("-−–(").rstrip(")%")
            if re.fullmatch(r"[1-9]\d{0,2}(\.\d{3}){2,}", bare):
                return "thousands"
            if re.fullmatch(r"[1-9]\d{0,2}\.\d{3}", bare):
                dotted += 1
            elif re.fullmatch(r"\d+\.\d{1,2}|\d+\.\d{4,}", bare):
                other_decimal += 1
    if other_decimal:
        return "decimal"
    if dotted and unit_text and re.search(r"\bhele?\b|\bheile\b", unit_text, re.IGNORECASE):
        return "thousands"
    return "ambiguous" if dotted else "thousands"  # (the arithmetic tries both: see import_tables)
