"""A table as read, written as the files a person would have written: a frame and its changes, or a
``tabell``, in rammecalc's YAML, with a header comment naming the source and what was inferred, and a comment
at every figure the arithmetic could not place for certain. Pure: returns text, writes nothing.

The YAML is written here by hand, not by a YAML library (the core imports none): the documents are small
and regular, every text goes through :func:`quote`, and the tests read every file written back through the
loader.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ..numbers import written_decimals
from .frames import FrameReading
from .layout import Block
from .rows import Placed
from .tables import TableReading

# ------------------------------------------------------------------------------------------------ meta


@dataclass
class Meta:
    """What the source says about itself (a shared table's header lines, the command line's hints), and
    where the table stands in it."""

    source: str
    kommune: str | None = None
    dokument: str | None = None
    adresse: str | None = None
    enhet: str | None = None
    id: str | None = None
    #: notes on where each was taken from
    found: dict[str, str] = field(default_factory=dict)


@dataclass
class OutFile:
    path: str  # relative to the output folder: frames/x.yaml, changes/x.yaml, tables/x.yaml
    text: str
    kind: str


@dataclass
class Imported:
    """One table imported: its files, and how sure the reading is."""

    title: str
    kind: str  # "ramme" or "tabell"
    id: str
    files: list[OutFile]
    lines: tuple[int, int]
    #: the placement is the only one that adds up (or every figure's place is fixed by the text)
    certain: bool
    solutions: int
    #: (line in the source, label, what is in doubt)
    uncertain: list[tuple[int, str, str]]
    inferred: list[str]
    warnings: list[str]


# ------------------------------------------------------------------------------------------------ YAML

_PLAIN = re.compile(r"^[A-Za-zÆØÅæøåÉéÜüÖöÄä(][^\n#:,\[\]{}&*!|>'\"%@`]*$")
_RESERVED = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"}


def quote(text: str) -> str:
    """A text as a YAML scalar that reads back as the same text, in a block or inside ``{…}``. White space
    is made one space first (a tab is a cell's edge in a copy, not part of a label), and any other control
    character is left out: the loader refuses them, as pasted in unseen."""
    text = re.sub(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", text)
    text = re.sub(r"[\s\u2028\u2029]+", " ", text).strip()
    if _PLAIN.match(text) and text == text.strip() and text.lower() not in _RESERVED and "  " not in text:
        return text
    return "'" + text.replace("'", "''") + "'"


def number(value: Decimal) -> str:
    """An amount as YAML writes it exactly: 9864, -127, 2.5 (never an exponent)."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def slug(text: str) -> str:
    """An id from a label, æøå kept: "Oppmåling fra Plan og byggesak" → "oppmåling-fra-plan-og-byggesak"."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\wæøå]+", "-", text).strip("-_")
    return text[:60].rstrip("-") or "rad"


class _Ids:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, text: str) -> str:
        base = slug(text)
        name, n = base, 2
        while name in self.used:
            name, n = f"{base}-{n}", n + 1
        self.used.add(name)
        return name


def _comment(lines: list[str], width: int = 110) -> list[str]:
    """Lines of a comment, each made safe (no line break can end it)."""
    out = []
    for line in lines:
        line = line.replace("\r", " ").replace("\n", " ")
        while len(line) > width:
            cut = line.rfind(" ", 0, width)
            cut = cut if cut > 20 else width
            out.append("# " + line[:cut].rstrip())
            line = "  " + line[cut:].lstrip()
        out.append(("# " + line).rstrip())
    return out


# ------------------------------------------------------------------------------------------ categories

_CATEGORIES = [
    ("egenfinansiering", re.compile(r"egenfinansier", re.IGNORECASE)),
    ("opptrappingsplan", re.compile(r"opptrapping", re.IGNORECASE)),
    ("lønnsoppgjør", re.compile(r"lønnsoppgjør|lønnsvekst|lønnsjuster|lønnsøkning|lokale forhandlinger|"
                                r"lønnskompensasjon|helårseffekt lønn", re.IGNORECASE)),
    ("prisjustering", re.compile(r"prisjuster|prisvekst|priskompensasjon|deflator|lønns- og pris", re.IGNORECASE)),
    ("rammetrekk", re.compile(r"rammetrekk|prosentvis trekk|rammereduksjon|generelt trekk|nedtrekk", re.IGNORECASE)),
    ("innsparing", re.compile(r"innsparing|effektivisering|kutt\b|reduksjon|redusert|besparelse|sparetiltak|"
                              r"omstilling|nedbemanning|avvikling", re.IGNORECASE)),
    ("omdisponering", re.compile(r"omdisponer|overført|overføring|flytting|omfordel|reverser|tilbakeført|"
                                 r"tekniske? endring|\bfra\b.*\btil\b|\b(fra|til) [A-ZÆØÅ]", re.IGNORECASE)),
    ("nytt tiltak", re.compile(r"nytt tiltak|nye tiltak|styrking|\bøkt\b|økning|utvidelse|utvidet|ny stilling|"
                               r"etablering|oppbemanning|satsing", re.IGNORECASE)),
]


def category(label: str) -> str | None:
    """The category the words of a label name, or ``None`` (then the file leaves it out)."""
    for name, pattern in _CATEGORIES:
        if pattern.search(label):
            return name
    return None


# ---------------------------------------------------------------------------------------------- header


def _source(meta: Meta, block: Block, lines: tuple[int, int]) -> list[str]:
    """The file's ``kilde:`` block: the document, the table's caption and address if known, and where it was
    imported from."""
    out = ["kilde:", f"  dokument: {quote(meta.dokument or meta.source)}"]
    if block.title:
        out.append(f"  tabell: {quote(block.title)}")
    if meta.adresse:
        out.append(f"  adresse: {quote(meta.adresse)}")
    out.append(f"  merknad: {quote(f'Imported from {meta.source}, lines {lines[0]}–{lines[1]}.')}")
    return out


def _source_lines(meta: Meta, block: Block, lines: tuple[int, int], kind: str, inferred: list[str],
                  uncertain: list[tuple[int, str, str]], solutions: int, certain: bool) -> list[str]:
    out = [f"Imported by 'rammecalc import' from {meta.source}, lines {lines[0]}–{lines[1]}"
           + (f' (table "{block.title}")' if block.title else "") + ".",
           "Every figure below is the source's own figure, as printed; nothing is computed.",
           "What was inferred, and from what:"]
    out += [f"  - {text}" for text in inferred]
    if certain:
        out.append("Placement: every figure stands in the only column under which the table adds up"
                   + ("" if solutions else " (or the only column its row has room for)") + ".")
    elif solutions == 0:
        out.append("Placement: NO placement of the figures adds up. The rows marked 'uncertain' are written as "
                   "the likeliest reading; check every one against the source.")
    else:
        out.append(f"Placement: {solutions if solutions < 12 else 'several'} placements add up. The likeliest is "
                   "written; the rows marked 'uncertain' could stand otherwise: check them against the source.")
    for line, label, what in uncertain:
        out.append(f"  - uncertain: line {line} ({label}): {what}")
    return _comment(out)


def _years_map(years: list[int], cells: tuple, columns: list[int], texts: list[str | None] | None = None) -> str:
    parts = []
    for year, col in zip(years, columns):
        value = cells[col]
        if value is None:
            continue
        parts.append(f"{year}: {number(value)}")
    return "{" + ", ".join(parts) + "}"


# ------------------------------------------------------------------------------------------------ frame


def frame_files(reading: FrameReading, meta: Meta, unit: str, inferred: list[str]) -> Imported:
    block = reading.block
    all_cols = list(range(len(block.columns)))
    cols = all_cols[1:] if reading.lead_column else all_cols
    years = [block.columns[c].year for c in cols]  # type: ignore[misc]
    ids = _Ids()
    frame_id = meta.id or _default_id(meta, block, [meta.enhet or block.label_head or _short_title(block.title)])
    lines = (reading.lines[0].no, reading.lines[-1].no)
    label = lambda r: reading.placed(r).reading.label
    uncertain = [(reading.lines[r].no, label(r), _doubt(reading, r, cols, years)) for r in sorted(reading.uncertain)]
    uncertain += [(line.no, line.text.strip()[:40], "could not be read as a row of this table: left out")
                  for line in reading.unread]
    certain = reading.solutions == 1 and not uncertain
    if reading.notes:
        inferred = inferred + reading.notes
    conv_why = ("each year's start is the year before's new frame" if reading.convention == "inkrementell" else
                "every plan year starts from the same base; items are levels")
    inferred = inferred + [f"konvensjon: {reading.convention} ({conv_why})"]
    if reading.tolerance > 0:
        inferred.append(f"the sums hold only within {number(reading.tolerance)} (a rounding in the source: "
                        "'rammecalc check' names each cell)")
    for g in reading.groups:
        if g.sum is not None and g.heading is None:
            inferred.append(f"group {g.label!r}: the source prints no heading above its items, only the sum row "
                            f"{label(g.sum)!r} below them; the heading is named from it")
    if reading.lead_column:
        inferred.append(f"the first column ({block.columns[0].label}) prints no new frame: it is last year's "
                        "budget and its adjustment, written as the split of the base")
    head = _source_lines(meta, block, lines, "ramme", inferred, uncertain, reading.solutions, certain)

    s = reading.cells(reading.start)
    f = ["# yaml-language-server: $schema=../../schema/rammecalc.schema.json", "#", *head,
         "type: ramme", f"id: {quote(frame_id)}", f"kommune: {quote(meta.kommune or 'ukjent')}",
         f"enhet: {quote(meta.enhet or block.label_head or block.title or frame_id)}", *_source(meta, block, lines),
         f"beløpsenhet: {quote(unit)}"]
    decimals = max((written_decimals(v) for r in range(len(reading.lines)) for v in reading.cells(r)
                    if v is not None), default=0)
    if decimals > 0:
        f.append(f"desimaler: {decimals}")
    f += [f"konvensjon: {reading.convention}", "kolonner:"]
    for c, year in zip(cols, years):
        f.append(f"  {year}: {quote(block.columns[c].label)}")
    f += ["utgangspunkt:", f"  etikett: {quote(label(reading.start))}",
          f"  beløp: {number(s[cols[0]])}", f"  publisert: {_years_map(years, s, cols)}"]
    fordeling: list[str] = []
    for r in reading.splits:
        fordeling.append(f"    - {{etikett: {quote(label(r))}, beløp: {_years_map(years, reading.cells(r), cols)}}}")
    base_rows: set[int] = set()
    if reading.lead_column:
        first_year = years[0]
        fordeling.append(f"    - {{etikett: {quote(label(reading.start) + ' (' + block.columns[0].label + ')')}, "
                         f"beløp: {{{first_year}: {number(s[0])}}}}}")
        for r in reading.outside:
            cells = reading.cells(r)
            if cells[0] is not None and all(cells[c] is None for c in cols):
                base_rows.add(r)
                fordeling.append(f"    - {{etikett: {quote(label(r))}, beløp: {{{first_year}: {number(cells[0])}}}}}")
    if fordeling:
        f += ["  fordeling:", *fordeling]
    group_ids: dict[int, str] = {}
    groups_text: list[str] = []
    for g in reading.groups:
        if not g.items and g.subtotal is None:
            continue
        shown = label(g.heading) if g.heading is not None else label(g.head) if g.head is not None else g.label
        gid = ids.take(shown.rstrip(": ") or shown)
        group_ids[id(g)] = gid
        groups_text += [f"  - id: {quote(gid)}", f"    etikett: {quote(shown)}"]
        if g.sum is not None:
            groups_text.append(f"    sum_etikett: {quote(label(g.sum))}")
        if g.subtotal is not None:
            groups_text.append(f"    publisert: {_years_map(years, reading.cells(g.subtotal), cols)}")
    if groups_text:
        f += ["grupper:", *groups_text]
    n = reading.cells(reading.end)
    f += ["ny_driftsramme:", f"  etikett: {quote(label(reading.end))}",
          f"  publisert: {_years_map(years, n, cols)}", "endringer:", f"  - ../changes/{frame_id}.yaml"]

    item_ids = _Ids()
    c = ["# yaml-language-server: $schema=../../schema/rammecalc.schema.json", "#", *head,
         "type: endringer", f"ramme: {quote(frame_id)}", "kilde:", f"  dokument: {quote(meta.dokument or meta.source)}"]
    if block.title:
        c.append(f"  tabell: {quote(block.title)}")
    if meta.adresse:
        c.append(f"  adresse: {quote(meta.adresse)}")
    c.append("poster:")
    membership: dict[int, tuple[str | None, str]] = {}
    for g in reading.groups:
        for r in g.items:
            membership[r] = (group_ids.get(id(g)), g.label)
    for r in reading.outside:
        membership.setdefault(r, (None, ""))
    last_group: object = object()
    for r in sorted(membership):
        if r in base_rows:
            continue
        gid, gname = membership[r]
        if gid != last_group:
            c.append(f"  # {gname}" if gid else "  # outside every group")
            last_group = gid
        cells = reading.cells(r)
        if all(cells[col] is None for col in cols):
            continue
        if r in reading.uncertain:
            c += ["  " + line for line in _comment([f"uncertain: {_doubt(reading, r, cols, years)}"])]
        text = label(r)
        item = [f"  - etikett: {quote(text)}"]
        derived = slug(text)
        own_id = item_ids.take(text)
        if own_id != derived:
            item.insert(0, f"  - id: {quote(own_id)}")
            item[1] = "    " + item[1][4:]
        cat = category(text)
        if cat:
            item.append(f"    kategori: {cat}")
        if gid:
            item.append(f"    gruppe: {quote(gid)}")
        item.append(f"    beløp: {_years_map(years, cells, cols)}")
        c += item
    files = [OutFile(f"frames/{frame_id}.yaml", "\n".join(f) + "\n", "ramme"),
             OutFile(f"changes/{frame_id}.yaml", "\n".join(c) + "\n", "endringer")]
    return Imported(block.title or frame_id, "ramme", frame_id, files, lines, certain, reading.solutions, uncertain,
                    inferred, [])


def _short_title(title: str | None) -> str | None:
    """A table's title without its number and its qualifiers: "6.2 Løyvingsoversikt drift - Rammeområde jf.
    5-4 andre ledd - …" → "Løyvingsoversikt drift"; "Tabell: Vedtatt budsjettramme - Kommunalavdeling stab"
    → "Vedtatt budsjettramme"."""
    if not title:
        return None
    text = re.sub(r"^(tabell|table|tab\.)?\s*[\d.]*\s*[:.]?\s*", "", title, flags=re.IGNORECASE).strip()
    text = re.split(r"\s+[-–]\s+|\s+jf\.|\.\s", text)[0].strip()
    return " ".join(text.split()[:6]) or title


def _default_id(meta: Meta, block: Block, names: list[str | None]) -> str:
    """The file's id when the user gives none: the municipality, the document's first year, and the unit or
    the table's title, as the bundled files are named ("hustadvika-2024-kommunalteknikk")."""
    parts = []
    if meta.kommune:
        parts.append(slug(re.sub(r"\s+kommune$", "", meta.kommune, flags=re.IGNORECASE)))
    year = re.search(r"\b(19|20)\d\d\b", meta.dokument or "")
    if year:
        parts.append(year[0])
    elif block.columns and block.columns[0].year:
        parts.append(str(block.columns[0].year))
    parts += [slug(n) for n in names if n]
    return slug("-".join(parts)) if parts else slug(meta.source)


def _doubt(reading, r: int, cols: list[int], years: list) -> str:
    placed: Placed = reading.placed(r)
    shown = ", ".join(f"{years[cols.index(col)] if col in cols else reading.block.columns[col].label}: "
                      f"{fig.text}" for fig, col in zip(placed.reading.figures, placed.columns))
    if reading.solutions == 0:
        return f"read as {shown or 'no figures'}; no placement adds up"
    return f"read as {shown or 'no figures'}; another placement adds up too"


# ------------------------------------------------------------------------------------------------ table


_ROLE = {"regnskap": "regnskap", "budsjett": "budsjett", "avvik": "avvik", "revidert": "revidert budsjett",
         "økonomiplan": "budsjett"}


def table_files(reading: TableReading, meta: Meta, unit: str, inferred: list[str]) -> Imported:
    block = reading.block
    ids = _Ids()
    table_id = meta.id or _default_id(meta, block, [meta.enhet, _short_title(block.title)])
    lines = (reading.lines[0].no, reading.lines[-1].no)
    label = lambda r: reading.placed(r).reading.label
    # columns: the figure columns and the text columns, in printed order
    col_ids: dict[int, str] = {}
    col_lines: list[str] = []
    fig_index = {c: k for k, c in enumerate(reading.figure_columns)}
    for i, col in enumerate(reading.columns):
        cid = ids.take(col.label or f"kolonne-{i + 1}")
        col_ids[i] = cid
    share_of = {reading.figure_columns[k]: v for k, v in reading.shares.items()}
    for i, col in enumerate(reading.columns):
        parts = [f"id: {quote(col_ids[i])}", f"etikett: {quote(col.label or col_ids[i])}"]
        if i in share_of:
            t, n, decimals = share_of[i]
            parts.append(f"andel: {{teller: {quote(col_ids[reading.figure_columns[t]])}, "
                         f"nevner: {quote(col_ids[reading.figure_columns[n]])}}}")
            parts.append(f"desimaler: {decimals}")
        elif col.kind in ("text", "code", "note", "percent"):  # (per cents that are no share: kept as printed)
            parts.append("rolle: tekst")
        elif col.role in _ROLE and not (col.role == "avvik" and (reading.avvik is None or
                                                                  reading.figure_columns[reading.avvik[0]] != i)):
            parts.append(f"rolle: {_ROLE[col.role]}")
        if col.year is not None:
            parts.append(f"år: {col.year}")
        if reading.avvik is not None and fig_index.get(i) == reading.avvik[0]:
            a, b, r, sign = reading.avvik
            bid, rid = col_ids[reading.figure_columns[b]], col_ids[reading.figure_columns[r]]
            parts.append(f"formel: {bid} - {rid}" if sign > 0 else f"formel: {rid} - {bid}")
        elif fig_index.get(i) in reading.column_formulas:
            text = ""
            for c, sign in reading.column_formulas[fig_index[i]]:
                name = col_ids[reading.figure_columns[c]]
                text = (name if sign > 0 else f"-{name}") if not text else f"{text} {'+' if sign > 0 else '-'} {name}"
            parts.append(f"formel: {quote(text)}")
        col_lines.append("  - {" + ", ".join(parts) + "}")
    amount_cols = [k for k, c in enumerate(reading.figure_columns) if reading.columns[c].kind == "amount"]
    written_cols = amount_cols + sorted(reading.shares)
    # row names: numbers where printed (and unique), ids otherwise
    numbers = [reading.placed(r).reading.number for r in range(len(reading.lines))]
    unique_numbers = {x for x in numbers if x is not None and numbers.count(x) == 1}
    row_ids: dict[int, str] = {}
    row_names = _Ids()
    for r in range(len(reading.lines)):
        if numbers[r] not in unique_numbers and not label(r):
            row_ids[r] = row_names.take("sum" if r in reading.relations else f"rad-{r + 1}")

    def ref(r: int) -> str:
        """A row's name in a formula: its number, else an id (given to it here, written with it below)."""
        if numbers[r] in unique_numbers:
            return numbers[r]
        if r not in row_ids:
            row_ids[r] = row_names.take(label(r))
        return row_ids[r]

    relation_texts = {r: _relation_text(reading, r, rel, ref) for r, rel in reading.relations.items()}
    if reading.avvik_row is not None:
        a, b, rr, sign = reading.avvik_row
        relation_texts[a] = f"formel: {ref(b)} - {ref(rr)}" if sign > 0 else f"formel: {ref(rr)} - {ref(b)}"

    uncertain = [(reading.lines[r].no, label(r) or f"row {r + 1}", _table_doubt(reading, r))
                 for r in sorted(reading.uncertain)]
    uncertain += [(line.no, line.text.strip()[:40], "could not be read as a row of this table: left out")
                  for line in reading.unread]
    unnamed = [i + 1 for i, c in enumerate(reading.columns) if not c.label.strip()]
    if unnamed:
        uncertain.append((reading.lines[0].no, "the header", f"column{'s' if len(unnamed) > 1 else ''} "
                          + ", ".join(map(str, unnamed)) + " without a header: which figures they hold is a guess"))
    named_avvik = [c for c in reading.figure_columns if reading.columns[c].role == "avvik"]
    if named_avvik and reading.avvik is None and reading.avvik_row is None:
        uncertain.append((reading.lines[0].no, reading.columns[named_avvik[0]].label,
                          "a column named avvik, but neither budsjett − regnskap nor regnskap − budsjett gives it in "
                          "every row: written as plain figures"))
    for r in reading.unproven:
        why = ("named a total, but the rows above do not add up to it: written as their sum, for check to name "
               "the figures that are off" if r in reading.relations else
               "named a result, but no formula over the rows above gives it: written with none")
        uncertain.append((reading.lines[r].no, label(r) or f"row {r + 1}", why))
    certain = reading.solutions == 1 and not uncertain
    if reading.notes:
        inferred = inferred + reading.notes
    if reading.avvik is not None:
        a, b, r, sign = reading.avvik
        inferred.append("avvik = " + ("budsjett − regnskap" if sign > 0 else "regnskap − budsjett")
                        + " (the sign every row prints)")
    if reading.avvik_row is not None:
        inferred.append("avvik = " + ("budsjett − regnskap" if reading.avvik_row[3] > 0 else "regnskap − budsjett")
                        + " (the sign every column prints)")
    if reading.relations:
        inexact = sum(1 for rel in reading.relations.values() if not rel.exact)
        kinds = "row is a sum or formula" if len(reading.relations) == 1 else "rows are sums or formulas"
        inferred.append(f"{len(reading.relations)} {kinds} of the rows above, found from "
                        "the figures" + (f"; {inexact} of them hold only within 1 (rounding: 'rammecalc check' "
                                          "names each cell)" if inexact else ""))
    head = _source_lines(meta, block, lines, "tabell", inferred, uncertain, reading.solutions, certain)
    t = ["# yaml-language-server: $schema=../../schema/rammecalc.schema.json", "#", *head,
         "type: tabell", f"id: {quote(table_id)}", f"kommune: {quote(meta.kommune or 'ukjent')}"]
    if meta.enhet:
        t.append(f"enhet: {quote(meta.enhet)}")
    t += [*_source(meta, block, lines), f"beløpsenhet: {quote(unit)}"]
    decimals = written_decimals(reading.step)
    if decimals > 0:
        t.append(f"desimaler: {decimals}")
    t += ["kolonner:", *col_lines, "rader:"]
    for r in range(len(reading.lines)):
        if r in reading.headings:
            own = numbers[r]
            t.append(f"  - overskrift: {quote(((own + ' ') if own else '') + (label(r) or '-'))}")
            continue
        if r in reading.uncertain:
            t += ["  " + line for line in _comment([f"uncertain: {_table_doubt(reading, r)}"])]
        placed = reading.placed(r)
        parts = []
        if numbers[r] is not None and numbers[r] in unique_numbers:
            parts.append(f"nr: {quote(numbers[r]) if not numbers[r].isdigit() else numbers[r]}")
        if r in row_ids:
            parts.append(f"id: {quote(row_ids[r])}")
        if label(r):
            parts.append(f"etikett: {quote(label(r))}")
        texts = {}
        for k, col in enumerate(reading.figure_columns):
            if reading.columns[col].kind == "code" or (reading.columns[col].kind == "percent"
                                                       and k not in reading.shares):
                fig = placed.figure_at(k)
                if fig is not None:
                    texts[col_ids[col]] = fig.text
        for col, text in reading.texts.get(r, {}).items():
            texts[col_ids[col]] = text
        if texts:
            parts.append("tekst: {" + ", ".join(f"{quote(k)}: {quote(v)}" for k, v in texts.items()) + "}")
        amounts = []
        for k in written_cols:
            fig = placed.figure_at(k)
            if fig is None:
                continue
            value = "'-'" if fig.dash else quote(format_percent_text(fig.amount)) if k in reading.shares \
                else number(fig.amount)
            amounts.append(f"{quote(col_ids[reading.figure_columns[k]])}: {value}")
        if r in relation_texts:
            parts.append(relation_texts[r])
        parts.append("beløp: {" + ", ".join(amounts) + "}")
        t.append("  - {" + ", ".join(parts) + "}")
    files = [OutFile(f"tables/{table_id}.yaml", "\n".join(t) + "\n", "tabell")]
    return Imported(block.title or table_id, "tabell", table_id, files, lines, certain, reading.solutions, uncertain,
                    inferred, [])


def format_percent_text(value: Decimal) -> str:
    """A per cent as the file writes it: '-8,1 %'."""
    return format(value, "f").replace(".", ",") + " %"


def _relation_text(reading: TableReading, r: int, rel, ref) -> str:
    terms = rel.terms
    rows = [j for j, _ in terms]
    if rel.kind == "sum":
        others = [i for i in range(len(reading.lines)) if i != r and i not in reading.headings
                  and i not in reading.relations]
        if rows == others:
            return "sum: alle"
        if all(reading.placed(j).reading.number for j in rows) and rows == list(range(rows[0], rows[-1] + 1)):
            return f"sum: {ref(rows[0])}-{ref(rows[-1])}"
        return "sum: [" + ", ".join(ref(j) for j in rows) + "]"
    text = ""
    for j, sign in terms:
        if not text:
            text = ref(j) if sign > 0 else f"-{ref(j)}"
        else:
            text += f" {'+' if sign > 0 else '-'} {ref(j)}"
    plain = re.fullmatch(r"[\w .+-]+", text) and not text.startswith("-")
    return f"formel: {text if plain else quote(text)}"


def _table_doubt(reading: TableReading, r: int) -> str:
    placed = reading.placed(r)
    shown = ", ".join(f"{reading.columns[reading.figure_columns[k]].label}: {fig.text}"
                      for fig, k in zip(placed.reading.figures, placed.columns))
    if reading.solutions == 0:
        return f"read as {shown or 'no figures'}; the relations found do not hold"
    return f"read as {shown or 'no figures'}; another reading fits too"
