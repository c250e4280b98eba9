"""Tables with a known truth, and the text a copy of each would give: the generator of ``import_stress.py``.

A :class:`Truth` is a printed table as a person reads it: its columns (with their years), its rows (label,
row number, every cell's figure or blank), and what the rows are (the start, a split, a group's heading or
subtotal, an item, the new frame; or, in other tables, a result row as a formula over other rows, and the
avvik column's formula). The sources of truths:

- every frame and table in ``data/`` (hand-typed from real tables), as rammecalc lays them out;
- synthetic frames (both conventions, groups of three shapes, splits, Askøy's lead column, negative frames,
  amounts of 1 to 7 digits), synthetic accounts tables (regnskap, budsjett, avvik of either sign, a total
  row, code and ja/nei columns) and statutory-form-like tables (numbered rows, sums, ± formulas, ±1 roundings).

:func:`render` writes a truth as a copy of a web page or PDF would give it under a :class:`Style` (how the
figures, minus signs, blanks, header, caption and surrounding text look); :func:`render_grid` gives the
cells for a CSV or xlsx download. :func:`break_truth` makes a table whose truth cannot be recovered (a row
deleted, a figure changed, two rows swapped across a sum).

Everything is drawn from a ``random.Random`` the caller seeds: the same seed gives the same tables and texts.
Amounts are ``Decimal`` (exact); nothing here uses rammecalc's reader.
"""

from __future__ import annotations

import copy
import random
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

D = Decimal
ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------------------------------------ truth


@dataclass
class Col:
    label: str
    year: int | None = None
    #: amount | code (a project number, printed as digits) | text (ja/nei)
    kind: str = "amount"
    #: regnskap | budsjett | avvik | None
    role: str | None = None


@dataclass
class Row:
    label: str
    #: one per column: a Decimal or None (blank) for amount columns, a str or None for code/text columns
    cells: list
    #: frames: start, split, lead_adj, heading, head, item, sum, new; tables: row, heading, result
    role: str = "item"
    number: str | None = None
    #: frames: the index of the group (Truth.groups) the row is the heading, subtotal or an item of
    group: int | None = None


@dataclass
class Truth:
    kind: str  # ramme | tabell
    name: str
    columns: list[Col]
    rows: list[Row]
    unit: str = "1 000 kr"
    decimals: int = 0
    title: str | None = None
    label_head: str | None = None
    convention: str | None = None  # frames: inkrementell | nivå
    lead: bool = False  # frames: the first column is last year's budget (Askøy's B 2017)
    #: frames: each group's label and whether it prints a subtotal
    groups: list[dict] = field(default_factory=list)
    #: tables: result row → {row: coefficient} over the rows it is computed from (not expanded)
    relations: dict[int, dict[int, int]] = field(default_factory=dict)
    #: tables: (avvik column, budsjett column, regnskap column, sign): avvik = sign × (budsjett − regnskap)
    avvik: tuple[int, int, int, int] | None = None
    #: tables: a column computed from other columns (a bridge table's new frame), not the avvik column:
    #: column → {column: coefficient}
    column_formulas: dict[int, dict[int, int]] = field(default_factory=dict)
    #: whether printed totals may be off by one from their parts (rounding in the source)
    rounding: bool = False
    #: the source's label words for the header's first cell (the unit's name) and column-label scheme
    scheme: str = "full"

    # -- (de)serialising, for --keep and --replay
    def to_json(self) -> dict:
        data = asdict(self)
        for row in data["rows"]:
            row["cells"] = [str(c) if isinstance(c, Decimal) else c for c in row["cells"]]
        data["relations"] = {str(k): {str(j): s for j, s in v.items()} for k, v in self.relations.items()}
        data["column_formulas"] = {str(k): {str(j): s for j, s in v.items()}
                                   for k, v in self.column_formulas.items()}
        return data

    @staticmethod
    def from_json(data: dict) -> Truth:
        data = dict(data)
        cols = [Col(**c) for c in data.pop("columns")]
        rows = []
        for r in data.pop("rows"):
            cells = []
            for c, col in zip(r["cells"], cols):
                cells.append(D(c) if (c is not None and col.kind == "amount") else c)
            rows.append(Row(**{**r, "cells": cells}))
        relations = {int(k): {int(j): s for j, s in v.items()} for k, v in data.pop("relations").items()}
        avvik = tuple(data.pop("avvik")) if data.get("avvik") else data.pop("avvik", None)
        column_formulas = {int(k): {int(j): s for j, s in v.items()}
                           for k, v in data.pop("column_formulas", {}).items()}
        return Truth(columns=cols, rows=rows, relations=relations, avvik=avvik, column_formulas=column_formulas,
                     **data)  # type: ignore[arg-type]

    @property
    def amount_columns(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.kind == "amount"]

    @property
    def year_columns(self) -> list[int]:
        """A frame's columns of the years it rolls (all but a lead column)."""
        cols = self.amount_columns
        return cols[1:] if self.lead else cols


# ------------------------------------------------------------------------------------------ vocabulary

ITEM_LABELS = [
    "Lønnsoppgjør kap. 4 – {y}", "Lønnsoppgjør kap. 3 og 5 – {y}", "Lønnsoppgjør lokale forhandlinger – {y}",
    "Prisjustering med 1,{d} pst. på utvalgte utgiftsposter",
    "Egenfinansiering av lønnsoppgjør {y} – 2,{d} pst. finansieres med økning i egne inntekter",
    "Kjøp av biler finansiert av reduserte driftskostnader", "Tilbakeført generelt rammetrekk {y}",
    "Statsbudsjett {y} – opptrappingsplan på rusfeltet", "Tildeling spesialpedagogisk hjelp høst {y} – barnehage",
    "Ekstra vikarressurs tidlig innsats 1. – 4. trinn høst {y}", "Omfordeling skole – skoleåret {y}/{y1}",
    "Tidlig innsats 1. – 4. trinn {y}", "Kostnader valgavvikling", "Avsetning til handlefrihet (disposisjonsfond)",
    "Omstillingssjef", "Økt antall lærlinger overført fra Levekår, netto", "Drift eiendomsskatt",
    "Tilskudd til TV aksjonen 2 kroner per innbygger", "Utvidet hylleplass IKAH", "Lisenser Microsoft",
    "Nettverk IT (1 årsverk)", "Digital satsing oppbemanning 2 årsverk, delårseffekt i {y}",
    "Budsjettvedtak 14.12.{y}: Effektivisering i henhold til omstillingstiltak",
    "Utvidelse nye lærlingplasser (6 nye i {y}), F 78/17", "Fosterhjemsutgifter, økte satser og økt volum",
    "Økt kommunal egenandel, barnevernsinstitusjon", "Rammereduksjon barnevern (stab)", "Effektiviseringskrav",
    "Omfordeling kostnader IKT", "Oppmåling fra Plan og byggesak", "Prosentvis trekk",
    "Effektivisering tjenesteleveransen", "Ambulerende team kveld/helg", "Drift av småhus",
    "Styrke frivillig arbeidsfellesskap", "Midlertidig botilbud for kvinner med rusproblemer",
    "Nytt krisesenter – ny bemanningsplan", "Innføring av Helseplattformen",
    "Innsparing innkjøp og innleie av arbeidskraft", "Utløp av avtalen med Crux i {y}",
    "Ta i bruk teknologi for å gi bedre tjenester", "Generelle innsparinger og tilpasninger – {y}",
    "Treffsted og redusert bruk av vaktselskap", "Styrking av helsestasjon og skolehelsetjeneste",
    "Ny stilling som miljøterapeut (50 %)", "Redusert bemanning natt", "Økt husleie rådhuset",
    "Vedlikehold kommunale veier", "Gatelys – overtakelse av fylkesveilys", "Kompetansemidler sykepleiere",
    "Brukerstyrt personlig assistanse, 3 nye brukere", "Ressurskrevende tjenester – økt innslagspunkt",
    "Avvikling av dagtilbud {y}", "Helårseffekt av tiltak vedtatt i {y}", "Reduksjon i vikarbruk",
    "Økte pensjonskostnader", "Flytting av merkantile stillinger til servicetorget",
    "Ny barnehage Hasselbakken, 4 avdelinger", "Leasing av 12 el-biler", "Redusert åpningstid bibliotek",
    "Lærlinger, 2 nye plasser", "Kjøp av plasser i private barnehager", "Skyss av elever 5.–7. trinn",
    "Tilskudd til frivillige lag og foreninger", "Økte strømkostnader", "Sommerjobb for ungdom",
]
GROUP_HEAD_LABELS = [  # a subtotal row above its items: a few words, no digits
    "Lønns- og prisvekst", "Andre rammeendringer", "Internt på fagområdet", "Rullering av økonomiplan",
    "Tekniske endringer", "Innsparingstiltak", "Politiske vedtak", "Demografiendringer", "Statsbudsjettet",
    "Omprioriteringer",
]
GROUP_HEADINGS = [  # a heading row (no figures), with the label of its sum row below when it has one
    ("Tiltak:", "Sum tiltak"), ("Nye tiltak:", "Sum nye tiltak"), ("Endringer:", "Sum endringer"),
    ("Rammeendringer mellom avdelingene:", "Sum rammeendringer"),
    ("Endringer i satser, bruk eller vedtak:", "Sum endringer i satser"),
    ("Rullering av siste økonomiplan (med justeringer):", "Sum rullering"),
    ("Innsparinger:", "Sum innsparinger"), ("Driftstiltak:", "Sum driftstiltak"),
]
OUTSIDE_LABELS = ["Deflator", "Lønns- og prisjustering", "Prisjustering {y}", "Helårseffekt lønnsoppgjør {y0}",
                  "Tekniske justeringer"]
START_LABELS = ["Opprinnelig budsjett {y0} / utgangspunkt {y}–{yn}", "Inngående budsjett",
                "Budsjettramme justert for lønns- og prisvekst", "Opprinnelig vedtatt netto driftsramme {y0}",
                "Vedtatt ramme {y0}", "Utgangspunkt", "Ramme {y0}", "Opprinnelig budsjett"]
END_LABELS = ["Ny driftsramme", "Ny Ramme", "Ny netto ramme", "Korrigert netto budsjettrammer {y}-{yn}",
              "Netto ramme", "Ramme etter endringer", "Sum ramme"]
UNIT_NAMES = ["Kommunalteknikk", "Bo og habilitering", "Kleive oppvekstsenter", "Ressurstjenesten",
              "Barneverntjenesten", "Kommunalavdeling stab", "Helse og omsorg", "Kultur", "Plan og byggesak",
              "Hjemmetjenesten", "NAV sosial", "Skole", "Barnehage", "Eiendom", "Psykisk helse og rus"]
ACCOUNT_LABELS = ["Fellesutgifter og - inntekter", "ROR-IKT", "Sentraladministrasjonen", "Oppvekst",
                  "Helse og velferd", "Teknisk drift", "Kultur og fritid", "Barnevern", "Sosialtjenesten",
                  "Kirkelig fellesråd", "Pensjon og premieavvik", "Politisk styring", "Hjemmebaserte tjenester",
                  "Sykehjem", "Legetjenesten", "Brann og redning", "Eiendomsforvaltning", "Næring og landbruk"]
PROJECT_LABELS = ["Egenkapitaltilskudd pensjonskasser", "Helseplattformen - kjøp av aksjer",
                  "Justeringsrett merverdiavgift", "Konserninterne utlån", "Magasinbygg Romsdalsmuseet",
                  "Molde Bærekrafthub AS", "ROR-IKT – fellesinvesteringer", "Kjøp av biler",
                  "Rehabilitering Bergsøy skole", "Ny brannstasjon", "Omsorgsboliger Nordre", "Gang- og sykkelvei Fv 61",
                  "Vannverk Ytre", "IKT-investeringer skole", "Utskifting av gatelys", "Kunstgressbane"]
#: A statutory form's blocks: (items, the sum row's label); results combine the sums.
FORM_INCOME = ["Rammetilskudd", "Inntekts- og formueskatt", "Eiendomsskatt", "Andre generelle driftsinntekter",
               "Andre overføringer og tilskudd fra staten"]
FORM_COSTS = ["Sum bevilgninger drift, netto", "Avskrivninger", "Lønnsutgifter", "Sosiale utgifter"]
FORM_FIN_IN = ["Renteinntekter", "Utbytter", "Gevinster og tap på finansielle omløpsmidler"]
FORM_FIN_OUT = ["Renteutgifter", "Avdrag på lån"]
FORM_DISP = ["Overføring til investering", "Avsetninger til bundne driftsfond", "Bruk av bundne driftsfond",
             "Avsetninger til disposisjonsfond", "Bruk av disposisjonsfond", "Dekning av tidligere års merforbruk"]
AREA_LABELS = ["POLITISK STYRING", "KOMMUNE LEIING - STAB, KULTUR, SERVICE OG NÆRING",
               "FELLESUTGIFTER/FELLESINNTEKTER", "DIVERSE TENESTEOMRÅDE", "OPPVEKST", "BARN, FAMILIE, HELSE",
               "PLEIE, OMSORG OG SOSIAL", "MILJØ OG KULTUR", "TEKNISK", "KYRKJELEGE FØREMÅL",
               "SKATT, RAMMETILSKOT, FINANS"]
PROSE = [
    "Rammeområdet har hatt en stabil drift gjennom året, og tjenestene er levert innenfor tildelt ramme.",
    "Kostnader på lisenser skal fra neste år dekkes av IKT gjennom felles avtaler, og blir derfor tatt ut av budsjettet.",
    "For alle kommunens rammeområder er det lagt inn et prosentvis trekk i årene som kommer i planperioden.",
    "Det betyr en økning på 2,2 mill. kroner, og beløpet er tilsvarende trukket ut av en annen enhet sin ramme.",
    "Mindreforbruket skyldes at pensjonskostnaden for kommunen ble 27,9 mill. kroner lavere enn budsjettert.",
    "Tjenesten består av administrasjon, mottaksavdeling, familieavdeling, omsorgsavdeling og tiltaksavdeling.",
    "Budsjettrammen vil bli justert for helårseffekten av lønnsoppgjøret når dette er kjent i løpet av våren.",
    "Tabellen under viser endringene i rammen fra opprinnelig budsjett til ny ramme for hvert år i perioden.",
    "Kommunedirektøren foreslår å videreføre dagens tjenestenivå, med enkelte justeringer som omtalt nedenfor.",
]
NAVIGATION = ["Vis undermeny", "Last ned tabelldata (Excel)", "Til toppen",
              "Denne siden ble sist oppdatert 28. oktober 2014, 18:37."]


def _fill(label: str, y: int, n: int, rng: random.Random) -> str:
    return label.format(y=y, y0=y - 1, y1=y + 1, yn=y + n - 1, d=rng.randint(1, 9))


# ---------------------------------------------------------------------------------- synthetic frames


def _amount(rng: random.Random, big: bool) -> Decimal:
    """An item's amount: 1–3 digits mostly, 4 sometimes (1 000 kr); 4–7 digits in kroner."""
    if big:
        digits = rng.choice([4, 5, 5, 6, 6, 7])
    else:
        digits = rng.choice([1, 2, 3, 3, 3, 3, 4, 4])
    value = rng.randint(10 ** (digits - 1), 10 ** digits - 1)
    if digits >= 3 and rng.random() < 0.3:
        value = max(10 ** (digits - 1), round(value, -rng.randint(1, digits - 1)))
    return D(value) * (-1 if rng.random() < 0.4 else 1)


def _item_cells(rng: random.Random, n: int, convention: str, big: bool) -> list[Decimal | None]:
    cells: list[Decimal | None] = [None] * n
    if convention == "inkrementell":
        kind = rng.choice(["perm", "perm", "oneoff", "phase", "multi", "full"])
        k = rng.randrange(n)
        x = _amount(rng, big)
        if kind == "perm" or (kind in ("oneoff", "phase") and k == n - 1):
            cells[k] = x
        elif kind == "oneoff":
            cells[k], cells[k + 1] = x, -x
        elif kind == "phase":
            cells[k], cells[k + 1] = x, abs(_amount(rng, big)) * (1 if x > 0 else -1)
        elif kind == "multi":
            for c in sorted(rng.sample(range(n), rng.randint(2, n))):
                cells[c] = _amount(rng, big)
        else:  # a row in every year, maybe an explicit 0 first ("Prosentvis trekk 0 -15 -23 -34")
            step = abs(_amount(rng, big)) * (-1 if rng.random() < 0.7 else 1)
            cells = [step * (c + 1) if c or rng.random() < 0.5 else D(0) for c in range(n)]
    else:
        kind = rng.choice(["from", "from", "from0", "phase", "oneyear", "stepped", "partial"])
        x = _amount(rng, big)
        k = rng.randrange(n)
        if kind == "from":
            for c in range(k, n):
                cells[c] = x
        elif kind == "from0":  # every year printed, 0 before it starts (Askøy's "0 -1.000 -1.000 -1.000")
            cells = [x if c >= k else D(0) for c in range(n)]
        elif kind == "phase" and k < n - 1:
            y = x + abs(_amount(rng, big)) * (1 if x > 0 else -1)
            cells = [None] * k + [x] + [y] * (n - k - 1)
        elif kind == "oneyear":  # a one-year effect: 0 in the other years ("-930 0 -930 0"), or blank
            zero = rng.random() < 0.5
            cells = [x if c == k or (c - k) % 2 == 0 and c > k else (D(0) if zero else None) for c in range(n)]
        elif kind == "stepped":
            cells = [x * (c - k + 1) if c >= k else None for c in range(n)]
        else:
            m = rng.randint(k, n - 1)
            cells = [x if k <= c <= m else None for c in range(n)]
    if all(c is None or c == 0 for c in cells):
        cells[rng.randrange(n)] = _amount(rng, big)
    return cells


def _csum(rows: list[list[Decimal | None]], n: int) -> list[Decimal]:
    return [sum((r[c] or D(0) for r in rows), D(0)) for c in range(n)]


def synthetic_frame(rng: random.Random, name: str) -> Truth:
    """A unit's frame table: start (maybe split), items outside groups, 0–4 groups, the new frame."""
    n = rng.randint(3, 6)
    y = rng.randint(2014, 2026)
    convention = rng.choice(["inkrementell", "nivå"])
    big = rng.random() < 0.2  # in kroner: amounts of 4–7 digits
    unit = "kr" if big else "1 000 kr"
    lead = convention == "nivå" and rng.random() < 0.2
    base = D(rng.randint(1_000, 300_000)) * (1000 if big else 1)
    if rng.random() < 0.12:
        base = -base
    labels = rng.sample(ITEM_LABELS, len(ITEM_LABELS))
    label_iter = iter(labels)

    def item_label() -> str:
        return _fill(next(label_iter), y + rng.randrange(-1, n), n, rng)

    # groups
    ngroups = rng.choice([0, 1, 1, 2, 2, 3, 4])
    style = rng.choice(["head", "head", "heading_sum", "heading"])
    if ngroups == 0:
        style = "none"
    groups: list[dict] = []
    items: list[tuple[int | None, str, list]] = []  # (group, label, cells)
    outside = rng.choice([0, 0, 0, 1, 2]) if style != "none" else rng.randint(2, 7)
    for _ in range(outside):
        lab = _fill(rng.choice(OUTSIDE_LABELS), y, n, rng) if style != "none" and rng.random() < 0.6 else item_label()
        if any(lab == other for _, other, _ in items):
            lab = item_label()
        if style != "none" and rng.random() < 0.6:  # a deflator: the first year only
            cells: list = [None] * n
            cells[0] = _amount(rng, big)
        else:
            cells = _item_cells(rng, n, convention, big)
        items.append((None, lab, cells))
    head_labels = rng.sample(GROUP_HEAD_LABELS, len(GROUP_HEAD_LABELS))
    headings = rng.sample(GROUP_HEADINGS, len(GROUP_HEADINGS))
    for g in range(ngroups):
        count = rng.randint(2, 5) if style == "head" else rng.randint(1, 5)
        if style == "head":
            groups.append({"label": head_labels[g], "subtotal": True, "style": "head"})
        elif style == "heading_sum":
            groups.append({"label": headings[g][0], "sum_label": headings[g][1], "subtotal": True,
                           "style": "heading_sum"})
        else:
            groups.append({"label": headings[g][0], "subtotal": False, "style": "heading"})
        for _ in range(count):
            items.append((g, item_label(), _item_cells(rng, n, convention, big)))
    # the printed figures
    changes = _csum([c for _, _, c in items], n)
    start: list[Decimal] = []
    new: list[Decimal] = []
    level = base
    for c in range(n):
        s = base if convention == "nivå" else level
        start.append(s)
        new.append(s + changes[c])
        level = new[-1]
    y_labels = _fill(rng.choice(START_LABELS), y, n, rng), _fill(rng.choice(END_LABELS), y, n, rng)
    columns = [Col(str(y + c), y + c) for c in range(n)]
    rows: list[Row] = [Row(y_labels[0], list(start), "start")]
    # the start's split
    split = rng.random() < 0.25 and not lead
    if split:
        income = -abs(_amount(rng, big)) * rng.randint(3, 30)
        kind = rng.choice(["molde", "molde", "all", "first"])
        inn: list = [income] + [None] * (n - 1)
        utg: list = [start[0] - income] + list(start[1:])
        if kind == "all":
            inn = [income - D(rng.randint(0, 99)) * c for c in range(n)]
            utg = [start[c] - inn[c] for c in range(n)]
        elif kind == "first":
            utg = [start[0] - income] + [None] * (n - 1)
        labels_split = rng.choice([("Driftsinntekter", "Driftsutgifter"), ("Brutto driftsutgifter", "Refusjoner"),
                                   ("Inntekter", "Utgifter")])
        if labels_split[0] == "Brutto driftsutgifter":
            rows += [Row(labels_split[0], utg, "split"), Row(labels_split[1], inn, "split")]
        else:
            rows += [Row(labels_split[0], inn, "split"), Row(labels_split[1], utg, "split")]
    for g, lab, cells in items:
        if g is None:
            rows.append(Row(lab, list(cells), "item"))
    for g, info in enumerate(groups):
        members = [cells for gg, _, cells in items if gg == g]
        sub = _csum(members, n)
        sub_cells: list = [v if any(m[c] is not None for m in members) else None for c, v in enumerate(sub)]
        if info["style"] == "head":
            rows.append(Row(info["label"], sub_cells, "head", group=g))
        else:
            rows.append(Row(info["label"], [None] * n, "heading", group=g))
        for gg, lab, cells in items:
            if gg == g:
                rows.append(Row(lab, list(cells), "item", group=g))
        if info["style"] == "heading_sum":
            rows.append(Row(info["sum_label"], sub_cells, "sum", group=g))
    rows.append(Row(y_labels[1], list(new), "new"))
    truth = Truth("ramme", name, columns, rows, unit=unit, convention=convention, groups=groups,
                  label_head=rng.choice(UNIT_NAMES) if rng.random() < 0.7 else None,
                  title=f"Ramme for budsjett {y} og økonomiplan {y}–{y + n - 1}" if rng.random() < 0.5 else None,
                  scheme=rng.choice(["full", "full", "revidert", "abbrev", "years"]))
    if lead:
        _add_lead(truth, rng, big)
    return truth


def _add_lead(truth: Truth, rng: random.Random, big: bool) -> None:
    """Askøy's shape: a first column of last year's budget, its adjustment on the row below the start, the
    items flush right, no new frame in that column."""
    y0 = truth.columns[0].year - 1  # type: ignore[operator]
    truth.columns.insert(0, Col(f"{y0}", y0))
    truth.lead = True
    start = truth.rows[0]
    base = start.cells[0]
    adjust = (abs(base) * D(rng.choice([18, 22, 26, 31])) / 1000).quantize(D(1))
    last = base - adjust
    if truth.rounding or rng.random() < 0.2:
        last += rng.choice([-1, 1])
        truth.rounding = True
    for row in truth.rows:
        row.cells.insert(0, None)
    start.cells[0] = last
    truth.rows.insert(1, Row(f"Lønns- og prisjustering fra {y0} til {y0 + 1}", [adjust] + [None] * (len(truth.columns) - 1),
                             "lead_adj"))


# ---------------------------------------------------------------------------------- synthetic tables


def synthetic_accounts(rng: random.Random, name: str) -> Truth:
    """Regnskap, budsjett and avvik (either sign) per unit or project, a total row; maybe a code column first
    and a ja/nei column last, maybe next year's budget."""
    y = rng.randint(2015, 2025)
    projects = rng.random() < 0.35
    code = projects and rng.random() < 0.8
    yesno = projects and rng.random() < 0.6
    sign = rng.choice([1, -1])
    cols: list[Col] = []
    if code:
        cols.append(Col(rng.choice(["Prosjekt nr", "Prosjektnr.", "Prosjekt"]), None, "code"))
    cols.append(Col(f"{rng.choice(['Regnskap', 'Regnskap', 'Rekneskap'])} {y}", y, "amount", "regnskap"))
    cols.append(Col(f"{rng.choice(['Budsjett', 'Revidert budsjett', 'Reg. budsjett'])} {y}", y, "amount", "budsjett"))
    cols.append(Col(rng.choice(["Avvik", "Avvik", "Avvik i kr", "Mer-/mindreforbruk"]), None, "amount", "avvik"))
    nextyear = not projects and rng.random() < 0.4
    if nextyear:
        cols.append(Col(f"Budsjett {y + 1}", y + 1, "amount", "budsjett"))
    if yesno:
        cols.append(Col(rng.choice(["Ferdigstilt", "Status"]), None, "text"))
    big = rng.random() < 0.25
    labels = rng.sample(PROJECT_LABELS if projects else ACCOUNT_LABELS, rng.randint(2, 9))
    rows: list[Row] = []
    ri, bi, ai = [i for i, c in enumerate(cols) if c.kind == "amount"][:3]
    for lab in labels:
        cells: list = [None] * len(cols)
        b = abs(_amount(rng, True if big else rng.random() < 0.6)) * (-1 if rng.random() < 0.15 else 1)
        r = b + D(rng.randint(-abs(int(b)) // 3 - 5, abs(int(b)) // 3 + 5))
        if rng.random() < 0.1:
            r = b  # on budget: avvik 0
        if rng.random() < 0.08:
            b = D(0) if rng.random() < 0.5 else b
            r = D(0) if b != 0 else r
        cells[ri], cells[bi], cells[ai] = r, b, sign * (b - r)
        if rng.random() < 0.06:  # a project with no budget: a blank, its avvik still printed
            cells[bi] = None
            cells[ai] = sign * (0 - r)
        if nextyear:
            cells[bi + 2] = b + D(rng.randint(-abs(int(b)) // 5 - 2, abs(int(b)) // 5 + 2))
        if code:
            cells[0] = str(rng.choice([rng.randint(1000, 9999), rng.randint(10000, 99999)]))
        if yesno:
            cells[-1] = rng.choice(["ja", "nei"])
        rows.append(Row(lab, cells, "row"))
    total: list = [None] * len(cols)
    for i, c in enumerate(cols):
        if c.kind == "amount":
            total[i] = sum((r.cells[i] or D(0) for r in rows), D(0))
    truth = Truth("tabell", name, cols, rows, unit="kr" if big else "1 000 kr",
                  title=rng.choice(["Drift", "Investering", "Økonomisk resultat", None]))
    if rng.random() < 0.15:  # the printed total rounded on its own: off by one from its parts
        k = rng.choice([ri, bi])
        total[k] += rng.choice([-1, 1])
        total[ai] = sign * (total[bi] - total[ri])
        truth.rounding = True
    label = rng.choice(["Sum", "Totalt", "Totalsum", "Sum drift", ""])
    truth.relations[len(rows)] = {i: 1 for i in range(len(rows))}
    truth.rows.append(Row(label, total, "result"))
    truth.avvik = (ai, bi, ri, sign)
    truth.label_head = rng.choice([None, None, "Enhet", "Tjenesteområde"]) if not projects else None
    return truth


def synthetic_form(rng: random.Random, name: str) -> Truth:
    """A statutory-form-like table: numbered rows, blocks with their sum rows, results as ± formulas, maybe
    a heading and a block of dispositions; some totals off by one (rounding)."""
    y = rng.randint(2018, 2025)
    kind = rng.choice(["form", "form", "areas"])
    if kind == "areas":
        cols = [Col(f"Regnskap {y - 1}", y - 1, "amount", "regnskap")] + [
            Col(f"Budsjett {y + k}", y + k, "amount", "budsjett") for k in range(rng.randint(2, 5))]
    else:
        cols = [Col(f"Regnskap {y}", y, "amount", "regnskap"), Col(f"Reg. budsjett {y}", y, "amount", "budsjett"),
                Col(f"Oppr.budsjett {y}", y, "amount", "budsjett"), Col(f"Regnskap i fjor {y - 1}", y - 1, "amount",
                                                                        "regnskap")]
        cols = cols[:rng.choice([2, 3, 4, 4])]
    w = len(cols)
    big = rng.random() < 0.2
    rows: list[Row] = []
    relations: dict[int, dict[int, int]] = {}
    rounding = rng.random() < 0.3

    def values(scale: int, negative: float = 0.1, zero: float = 0.05) -> list:
        base = D(rng.randint(scale // 10 + 1, scale))
        out = []
        for _ in range(w):
            if rng.random() < zero:
                out.append(D(0))
                continue
            v = base + D(rng.randint(-int(base) // 5 - 1, int(base) // 5 + 1))
            out.append(-v if rng.random() < negative else v)
        return out

    def add(label: str, cells: list, role: str = "row") -> int:
        rows.append(Row(label, cells, role, number=None))
        return len(rows) - 1

    def result(label: str, terms: dict[int, int]) -> int:
        cells = [sum((rows[j].cells[c] * s for j, s in terms.items()), D(0)) for c in range(w)]
        if rounding and rng.random() < 0.25:
            c = rng.randrange(w)
            cells[c] += rng.choice([-1, 1])
        i = add(label, cells, "result")
        relations[i] = dict(terms)
        return i

    scale = 999_999 if big else 300_000
    if kind == "areas":
        for lab in rng.sample(AREA_LABELS, rng.randint(3, len(AREA_LABELS))):
            add(lab, values(scale // 3, negative=0.08))
        result(rng.choice(["Sum bevillinger drift, netto", "Sum rammeområder", "Totalt"]),
               {i: 1 for i in range(len(rows))})
    else:
        inc = [add(lab, values(scale)) for lab in rng.sample(FORM_INCOME, rng.randint(2, 4))]
        s1 = result("Sum generelle driftsinntekter", {i: 1 for i in inc})
        cost = [add(lab, values(scale)) for lab in rng.sample(FORM_COSTS, rng.randint(2, 3))]
        s2 = result("Sum netto driftsutgifter", {i: 1 for i in cost})
        r1 = result("Brutto driftsresultat", {s1: 1, s2: -1})
        terms = {}
        for lab in rng.sample(FORM_FIN_IN, rng.randint(1, 3)):
            terms[add(lab, values(scale // 50, negative=0.3))] = 1
        for lab in rng.sample(FORM_FIN_OUT, rng.randint(1, 2)):
            terms[add(lab, values(scale // 10))] = -1
        r2 = result("Netto finansutgifter", terms)
        if rng.random() < 0.5:
            m = add("Motpost avskrivninger", values(scale // 10))
            r3 = result("Netto driftsresultat", {r1: 1, r2: 1, m: 1})
        else:
            r3 = result("Netto driftsresultat", {r1: 1, r2: 1})
        if rng.random() < 0.6:
            rows.append(Row("Disponering eller dekning av netto driftsresultat", [None] * w, "heading"))
            disp = [add(lab, values(scale // 20, negative=0.0, zero=0.25))
                    for lab in rng.sample(FORM_DISP, rng.randint(2, 5))]
            for i in disp:
                if "Bruk" in rows[i].label:
                    rows[i].cells = [-v for v in rows[i].cells]
            result("Sum disponeringer eller dekning av netto driftsresultat", {i: 1 for i in disp})
        del r3
    numbered = kind == "form" or rng.random() < 0.7
    if numbered:
        k = 1
        for row in rows:
            if row.role != "heading" and not (kind == "areas" and row.role == "result"):
                row.number = str(k)
                k += 1 + (1 if kind == "areas" and rng.random() < 0.1 else 0)
    head = rng.choice(["Økonomiske oversikter", "Løyvingsoversikt - drift", "Bevilgningsoversikt drift", None])
    truth = Truth("tabell", name, cols, rows, unit="kr" if big else "1 000 kr", relations=relations,
                  rounding=rounding, label_head=head, title=rng.choice(["Løyvingsoversikt - Drift", None]))
    return truth


# ----------------------------------------------------------------------------------------- data/ truths

#: Frames of data/ whose source prints the start's split in a column of its own before the years (Askøy's
#: B 2017: last year's budget on the start's row, its adjustment on the row below), which the file writes as a
#: split of the first year's start: rendered as the source prints them.
LEAD_FRAMES = {"askoy-2018-kommunalavdeling-stab"}


def _split_as_lead(truth: Truth) -> None:
    splits = [r for r in truth.rows if r.role == "split"]
    start = next(r for r in truth.rows if r.role == "start")
    y0 = truth.columns[0].year - 1  # type: ignore[operator]
    truth.columns.insert(0, Col(f"B {y0}", y0))
    truth.lead = True
    truth.scheme = "abbrev"
    for row in truth.rows:
        row.cells.insert(0, None)
    start.cells[0] = splits[0].cells[1]
    for row in splits[1:]:
        row.cells = [row.cells[1]] + [None] * (len(truth.columns) - 1)
        row.role = "lead_adj"
    truth.rows.remove(splits[0])




@lru_cache(maxsize=1)
def data_truths() -> tuple[Truth, ...]:
    """Every frame and table in ``data/`` that prints what a copy would show: frames whose start and new
    frame are printed (not Trondheim's, whose document prints neither), tables laid out as rows (not the
    transposed one)."""
    import rammecalc
    from rammecalc.core import table as table_core

    loaded = rammecalc.load([ROOT / "data"])
    out: list[Truth] = []
    for budget in loaded.budgets:
        frame = budget.frame
        if not frame.start.published or not frame.new_frame.published or any(g.start for g in frame.groups):
            continue
        rolled = rammecalc.roll(budget)
        years = list(frame.columns)
        cols = [Col(frame.columns[y], y) for y in years]
        rows: list[Row] = []
        groups: list[dict] = []
        group_index: dict[str, int] = {}
        for r in rolled.rows:
            cells = []
            for y in years:
                if r.printed.get(y):
                    v = r.published.get(y)
                    cells.append(v if v is not None else r.values.get(y))
                else:
                    cells.append(None)
            kind = {"start": "start", "split": "split", "item": "item", "subtotal": "sum", "new_frame": "new"}.get(r.kind)
            if r.kind == "group":
                g = len(groups)
                group_index[r.id] = g  # type: ignore[index]
                spec = next(x for x in frame.groups if x.id == r.id)
                printed = any(v is not None for v in cells)
                groups.append({"label": r.label, "subtotal": printed or spec.sum_label is not None,
                               "style": "head" if printed else "heading_sum" if spec.sum_label else "heading",
                               **({"sum_label": spec.sum_label} if spec.sum_label else {})})
                rows.append(Row(r.label, cells, "head" if printed else "heading", group=g))
                continue
            if kind is None:
                raise ValueError(f"{frame.id}: a row of kind {r.kind}")
            group = group_index.get(r.group) if r.group else None  # type: ignore[arg-type]
            if r.kind == "subtotal":
                group = group_index[r.id]  # type: ignore[index]
            if kind == "item" and all(v is None for v in cells):
                continue  # an amount for the whole period, printed in no year
            rows.append(Row(r.label, cells, kind, number=r.reference, group=group))
        truth = Truth("ramme", f"data:{frame.id}", cols, rows, unit=frame.amount_unit.value if hasattr(
            frame.amount_unit, "value") else str(frame.amount_unit), decimals=frame.decimals,
            title=frame.source.table, label_head=frame.unit, convention=frame.convention.value, groups=groups,
            rounding=bool(frame.known_differences))
        if frame.id in LEAD_FRAMES:
            _split_as_lead(truth)
        out.append(truth)
    for table in loaded.tables:
        if table.transposed or any(c.share is not None for c in table.columns) or any(
                r.share is not None for r in table.rows):
            continue
        refs = loaded.references.get(table.file) or {}
        cols = []
        figure_ids = []
        for c in table.columns:
            role = c.role.value if c.role is not None else None
            if c.is_text:
                cols.append(Col(c.label, c.year, "code" if c.id.startswith("prosjekt") else "text"))
            else:
                cols.append(Col(c.label, c.year, "amount", role if role in ("regnskap", "budsjett", "avvik") else None))
                figure_ids.append(c.id)
        names = table_core.Names(table)
        rows = []
        index_map: dict[int, int] = {}
        relations: dict[int, dict[int, int]] = {}
        for i, r in enumerate(table.rows):
            if r.is_heading:
                rows.append(Row(r.heading or "", [None] * len(cols), "heading"))
                continue
            values = {cid: v for cid, v, _ in table.cells(i)}
            cells = []
            for c, col in zip(table.columns, cols):
                if col.kind == "amount":
                    v = values.get(c.id)
                    if v is None and (i, c.id) in refs:
                        v = refs[(i, c.id)][0]
                    cells.append(v)
                else:
                    cells.append(r.texts.get(c.id))
            index_map[i] = len(rows)
            rows.append(Row(r.label or "", cells, "result" if r.is_result else "row", number=r.number))
            if r.sum is not None:
                members = table_core.row_members(table, i, names)
                relations[i] = {m: 1 for m in members}  # type: ignore[union-attr]
            elif r.formula is not None:
                parsed = table_core.parse_formula(r.formula, set(names.index))
                relations[i] = {names.find(n): s for s, n in parsed}  # type: ignore[union-attr, misc]
        avvik = None
        column_formulas: dict[int, dict[int, int]] = {}
        for k, c in enumerate(table.columns):
            if c.formula and not (c.role is not None and c.role.value == "avvik"):
                position = {x.id: j for j, x in enumerate(table.columns)}
                column_formulas[k] = {position[n]: sign for sign, n in
                                      table_core.parse_formula(c.formula, set(position))}  # type: ignore[union-attr]
            if c.formula and c.role is not None and c.role.value == "avvik":
                parsed = table_core.parse_formula(c.formula, {x.id for x in table.columns})
                (_, a), (_, b) = parsed  # type: ignore[misc]
                ia = next(j for j, x in enumerate(table.columns) if x.id == a)
                ib = next(j for j, x in enumerate(table.columns) if x.id == b)
                # avvik = a - b: budsjett − regnskap if a is the budget
                role_a = cols[ia].role
                if role_a == "budsjett":
                    avvik = (k, ia, ib, 1)
                else:
                    avvik = (k, ib, ia, -1)
        truth = Truth("tabell", f"data:{table.id}", cols, rows,
                      unit=table.amount_unit.value if hasattr(table.amount_unit, "value") else str(table.amount_unit),
                      decimals=table.decimals or max((_places(v) for r in rows for v in r.cells
                                                      if isinstance(v, Decimal)), default=0),
                      title=table.source.table, relations={index_map[k]: {index_map[j]: s for j, s in v.items()}
                                                           for k, v in relations.items()}, avvik=avvik,
                      column_formulas=column_formulas,
                      rounding=bool(table.known_differences), label_head=None)
        out.append(truth)
    return tuple(out)


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# ----------------------------------------------------------------------------------------- rendering

NBSP, NNBSP = "\u00a0", "\u202f"


@dataclass
class Style:
    """How a copy looks. Each field is one of the ways real copies differ."""

    group: str = " "  # the digit-group separator: " ", NBSP, NNBSP, "."
    minus: str = "-"  # "-", "−" (U+2212), "–" (en dash), "- " (minus and a space), "()" (parentheses)
    zero: str = "0"  # how a printed zero looks: "0" or "-"
    blank: str = "vanish"  # a blank cell: "vanish" (the copy loses it) or "dash" (the page prints "-")
    sep: str = " "  # between cells: " ", "tab" (cells kept, blank ones too), "glued" (no space at all)
    header: str = "one"  # one | two (names, then the years under "Økonomiplan") | glued | years | names-years
    caption: str = "above"  # above | below | none
    caption_text: str | None = None
    prose: bool = False
    numbers: bool = False  # row numbers before the labels (frames: the items)
    number_glued: bool = False  # "141Fosterhjemsutgifter"
    trailing: bool = False  # trailing spaces and tabs on rows (Askøy)
    heading_colon: bool = True  # a heading row printed with a colon
    separators: bool = False  # "- - - -" lines between a form's blocks

    def to_json(self) -> dict:
        return asdict(self)


def fmt(value: Decimal, decimals: int, style: Style) -> str:
    """A figure as the page prints it."""
    if value == 0 and style.zero == "-":
        return "-"
    neg = value < 0
    q = abs(value)
    if decimals:
        q = q.quantize(D(1).scaleb(-decimals))
    whole, _, frac = format(q, "f").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    body = style.group.join(groups) + ("," + frac if frac else "")
    if not neg:
        return body
    if style.minus == "()":
        return f"({body})"
    return style.minus + body


def _cell_texts(truth: Truth, row: Row, style: Style) -> list[str]:
    out = []
    any_figure = any(c is not None for c, col in zip(row.cells, truth.columns) if col.kind == "amount")
    for cell, col in zip(row.cells, truth.columns):
        if cell is None:
            out.append("-" if style.blank == "dash" and any_figure and col.kind == "amount" else "")
        elif col.kind == "amount":
            out.append(fmt(cell, truth.decimals, style))
        else:
            out.append(str(cell))
    return out


ABBREV = {"Budsjett": "B", "Økonomiplan": "ØP", "Revidert": "RB", "Regnskap": "R"}


def column_labels(truth: Truth) -> list[str]:
    """The columns' headers under the truth's scheme."""
    if truth.kind == "tabell":
        return [c.label for c in truth.columns]
    out = []
    for k, col in enumerate(truth.columns):
        y = col.year
        if truth.scheme == "years":
            out.append(str(y))
        elif truth.lead and k == 0:
            out.append(f"B {y}" if truth.scheme == "abbrev" else f"Budsjett {y}")
        else:
            first = 1 if truth.lead else 0
            if truth.scheme == "revidert" and len(truth.columns) - first >= 3:
                word = "Revidert" if k == first else "Budsjett" if k == first + 1 else "Økonomiplan"
            else:
                word = "Budsjett" if k == first else "Økonomiplan"
            out.append(f"{ABBREV[word]} {y}" if truth.scheme == "abbrev" else f"{word} {y}")
    return out


def header_lines(truth: Truth, style: Style) -> list[str]:
    labels = column_labels(truth)
    head = truth.label_head or ""
    if style.header == "glued" and truth.kind == "ramme":
        if truth.scheme in ("years",) or style.sep == "glued":
            years = [str(c.year) for c in truth.columns]
            title = head or "Økonomi"
            return [f"{title} {years[0]}-{years[-1]}{''.join(years)}"]
        words = [f"{ABBREV.get(lab.split()[0], lab.split()[0])} {lab.split()[-1]}" if len(lab.split()) > 1 else lab
                 for lab in labels]
        return [(head or "Enhet") + "".join(words)]
    if style.header == "years" and truth.kind == "ramme":
        return [(head + " " if head else "") + " ".join(str(c.year) for c in truth.columns)]
    if style.header == "two" and truth.kind == "ramme":
        words = [lab.rsplit(" ", 1) for lab in labels]
        tail = [k for k, w in enumerate(words) if len(w) == 2 and w[0] == "Økonomiplan"]
        if len(tail) >= 2 and tail == list(range(tail[0], len(words))):
            first = " ".join(labels[:tail[0]]) + " Økonomiplan"
            return [(head + " " if head else "") + first, " ".join(words[k][1] for k in tail)]
    if style.header == "names-years" and all(c.year is not None for c in truth.columns if c.kind == "amount") \
            and truth.kind == "tabell" and all(c.kind == "amount" for c in truth.columns):
        names = [lab.rsplit(" ", 1)[0] for lab in labels]
        return [(head + " " if head else "") + " ".join(names),
                (truth.title or "Oversikt") + " " + " ".join(str(c.year) for c in truth.columns)]
    return [((head + " ") if head else "") + " ".join(labels)]


UNIT_CAPTIONS = {
    "1 000 kr": ["Tall i hele tusen kroner", "Tall i hele tusen kroner.", "Hele 1 000", "(Beløp i 1 000 kroner)",
                 "Beløp i 1 000 kr", "Beløp i 1000 kr", "Alle tal i heile 1 000", "Alle tall i 1 000 kr",
                 "Beløp i 1 000 kroner"],
    "kr": ["Beløp i kroner", "Tall i hele kroner", "Beløp i kr"],
    "mill. kr": ["Beløp i mill. kroner", "Tall i mill. kr"],
    "årsverk": ["Antall årsverk"],
}


def caption(truth: Truth, style: Style, rng: random.Random) -> str:
    if style.caption_text:
        return style.caption_text
    options = UNIT_CAPTIONS.get(truth.unit, ["Beløp i 1 000 kr"])
    if style.group == "." and truth.unit == "1 000 kr":
        options = ["Tall i hele tusen kroner", "Hele 1 000"]
    elif style.group == ".":
        options = [o for o in options if "hele" in o.lower()] or ["Tall i hele kroner"]
    text = rng.choice(options)
    if style.caption == "below":
        n = f"{rng.randint(1, 12)}.{rng.randint(1, 20)}"
        what = truth.title or (f"Økonomi for {truth.label_head}" if truth.label_head else "Ramme")
        text = rng.choice([f"Tabell {n} {what}. {text}.", f"Tabell {n} {what} ({text.lower()})"])
    return text


def row_label(row: Row, style: Style, truth: Truth) -> str:
    label = row.label
    if row.role == "heading" and truth.kind == "ramme" and style.heading_colon and not label.endswith(":"):
        label += ":"
    if row.number:
        label = row.number + ("" if style.number_glued else " ") + label
    return label


def render_rows(truth: Truth, style: Style) -> list[str]:
    out = []
    for k, row in enumerate(truth.rows):
        label = row_label(row, style, truth)
        cells = _cell_texts(truth, row, style)
        if row.role == "heading":
            if style.sep == "tab":
                out.append("\t".join([label] + [""] * len(cells)))
            elif truth.kind == "tabell" and style.blank == "dash":
                out.append(label + " " + " ".join("-" for c in truth.columns if c.kind == "amount"))
            else:
                out.append(label + ("      " if style.trailing else ""))
            continue
        if style.sep == "tab":
            line = "\t".join([label] + cells)
        elif style.sep == "glued":
            line = label + "".join(c for c in cells if c)
        else:
            parts = [c for c in cells if c]
            gap = "   " if style.trailing and truth.lead and row.role == "item" else " "
            line = label + (gap if parts else "") + " ".join(parts)
            if style.trailing and not parts:
                line += "    "
        out.append(line)
        if style.separators and truth.kind == "tabell" and row.role == "result" and k + 1 < len(truth.rows):
            out.append(" ".join("-" for c in truth.columns if c.kind == "amount"))
    return out


def render(truth: Truth, style: Style, rng: random.Random) -> str:
    """The text a copy of the page gives."""
    lines: list[str] = []
    if style.prose:
        lines += [truth.label_head or "Driftsbudsjett", ""]
        for sentence in rng.sample(PROSE, rng.randint(1, 3)):
            lines += [sentence, ""]
    if truth.title and rng.random() < 0.6:
        lines += [truth.title, ""]
    cap = caption(truth, style, rng) if style.caption != "none" else None
    if cap and style.caption == "above":
        lines += [cap, ""] if rng.random() < 0.6 else [cap]
    if style.sep == "tab":
        labels = column_labels(truth)
        lines.append("\t".join([truth.label_head or ""] + labels))
    else:
        lines += header_lines(truth, style)
    lines += render_rows(truth, style)
    if cap and style.caption == "below":
        lines.append(cap)
    if style.prose:
        lines += ["", rng.choice(PROSE), ""]
        lines += rng.sample(NAVIGATION, rng.randint(1, 2))
    return "\n".join(lines) + "\n"


def render_grid(truth: Truth, style: Style, rng: random.Random, numeric: bool) -> list[list]:
    """The cells of a CSV or xlsx download: a caption row, the header, the rows (blank cells empty). With
    ``numeric`` the figures are numbers (xlsx), else text as the page prints them (CSV)."""
    grid: list[list] = []
    if style.caption != "none":
        grid.append([caption(truth, Style(caption="above"), rng)])
    grid.append([truth.label_head or ""] + column_labels(truth))
    for row in truth.rows:
        label = row_label(row, style, truth)
        if row.role == "heading":
            grid.append([label] + [None] * len(truth.columns))
            continue
        cells: list = []
        for cell, col in zip(row.cells, truth.columns):
            if cell is None:
                cells.append(None)
            elif col.kind != "amount":
                cells.append(int(cell) if numeric and col.kind == "code" else cell)
            elif numeric:
                cells.append(int(cell) if cell == cell.to_integral_value() else float(cell))
            else:
                cells.append(fmt(cell, truth.decimals, style))
        grid.append([label] + cells)
    return grid


# -------------------------------------------------------------------------------------------- broken


def frame_equations_hold(truth: Truth) -> bool:
    """Whether a frame's printed figures add up as its truth says (within 1 where it rounds)."""
    cols = truth.year_columns
    tol = 1 if truth.rounding else 0
    start = next(r for r in truth.rows if r.role == "start")
    end = next(r for r in truth.rows if r.role == "new")
    tops = []
    for row in truth.rows:
        if row.role == "item" and (row.group is None or not truth.groups[row.group]["subtotal"]) or row.role in ("head", "sum"):
            tops.append(row)
    for c in cols:
        total = start.cells[c] + sum((r.cells[c] or 0 for r in tops), D(0))
        if abs(total - end.cells[c]) > tol:
            return False
        for g, info in enumerate(truth.groups):
            if not info["subtotal"]:
                continue
            sub = next(r for r in truth.rows if r.group == g and r.role in ("head", "sum"))
            items = sum((r.cells[c] or 0 for r in truth.rows if r.group == g and r.role == "item"), D(0))
            if abs((sub.cells[c] or 0) - items) > tol:
                return False
    return True


def table_equations_hold(truth: Truth) -> bool:
    tol = 1
    for target, terms in truth.relations.items():
        for c in truth.amount_columns:
            total = sum(((truth.rows[j].cells[c] or 0) * s for j, s in terms.items()), D(0))
            if abs(total - (truth.rows[target].cells[c] or 0)) > tol:
                return False
    if truth.avvik:
        a, b, r, sign = truth.avvik
        for row in truth.rows:
            if row.role == "heading" or row.cells[a] is None:
                continue
            if row.cells[a] != sign * ((row.cells[b] or 0) - (row.cells[r] or 0)) and \
                    abs(row.cells[a] - sign * ((row.cells[b] or 0) - (row.cells[r] or 0))) > tol:
                return False
    return True


def holds(truth: Truth) -> bool:
    return frame_equations_hold(truth) if truth.kind == "ramme" else table_equations_hold(truth)


def break_truth(truth: Truth, rng: random.Random, how: str) -> Truth | None:
    """The truth with a row deleted, a figure changed or two rows swapped, such that its own arithmetic no
    longer holds (``None`` if no such change was found)."""
    for _ in range(30):
        t = copy.deepcopy(truth)
        rows = t.rows
        if t.kind == "ramme":
            movable = [i for i, r in enumerate(rows) if r.role == "item" and any(
                v not in (None, 0) for v in r.cells)]
        else:
            members = {j for terms in t.relations.values() for j in terms}
            movable = [i for i, r in enumerate(rows) if r.role == "row" and any(
                v not in (None, 0) for v, col in zip(r.cells, t.columns) if col.kind == "amount")
                and (i in members or t.avvik)]
        if not movable:
            return None
        if how == "delete":
            i = rng.choice(movable)
            del rows[i]
            t.relations = {(k - (k > i)): {(j - (j > i)): s for j, s in v.items() if j != i}
                           for k, v in t.relations.items()}
        elif how == "change":
            i = rng.choice(movable)
            cols = [c for c in t.amount_columns if rows[i].cells[c] not in (None,)]
            c = rng.choice(cols)
            old = rows[i].cells[c]
            delta = D(rng.choice([2, 3, 5, 9, 10, 20, 100, 1000])) * rng.choice([-1, 1])
            new = old + delta if rng.random() < 0.8 else -old
            if new == old:
                continue
            rows[i].cells[c] = new
        else:  # swap two rows that stand in different sums
            i = rng.choice(movable)
            others = [j for j in movable if j != i and rows[j].cells != rows[i].cells]
            if t.kind == "ramme":
                others = [j for j in others if rows[j].group != rows[i].group]
            else:
                others = [j for j in others if [k for k, v in t.relations.items() if i in v] !=
                          [k for k, v in t.relations.items() if j in v]]
            if not others:
                continue
            j = rng.choice(others)
            # the rows change places; each keeps its own label and figures, the sums stay where they are
            rows[i], rows[j] = rows[j], rows[i]
            rows[i].group, rows[j].group = rows[j].group, rows[i].group
            # (the relations are by position: the sum rows add up whatever is printed where they look)
        if not holds(t):
            t.name = f"{truth.name} ({how})"
            return t
    return None
