#!/usr/bin/env python3
"""Write a synthetic corpus of frame tables for benchmarking ``rammecalc check``.

    python bench/make_corpus.py OUT [--municipalities 356] [--units 40] [--columns 5] [--items 30]
                                    [--errors 25] [--seed 2024]

For every municipality and unit it writes one frame file and one changes file::

    OUT/<municipality>/frames/<unit>.yaml     type: ramme, listing ../changes/<unit>.yaml
    OUT/<municipality>/changes/<unit>.yaml    type: endringer, the unit's line items

The tables look like the bundled real ones: Norwegian municipality and unit names, the item categories of
the file format, amounts in 1 000 kr with their signs, both conventions (the even-numbered municipalities
``inkrementell``, the odd ones ``nivå``), groups nested with ``under:`` (to three levels), blank cells and
printed zeros, Norwegian number text (``'−1 250'``) in some files, and the split of the start (``fordeling``)
on some frames. Every published figure (starts, splits, subtotals, new frames) is computed here, with plain
integer arithmetic and independently of rammecalc, so the corpus adds up.

Then exactly ``--errors`` published figures, in as many different frames, are changed by a nonzero amount
(a new frame, a subtotal, a start or a split cell, in turn). ``OUT/injected.json`` lists each one: the file,
the line and column of the changed number (taken from the text written), the figure, the year, the
published and the true value, and the problem code rammecalc should report. It also holds what a check of
the whole corpus should count (files, frames, published figures, items) and the municipality folders in
order, so that a part of the corpus can be checked on its own.

The same arguments give the same corpus, byte for byte. Each municipality draws from its own random stream,
so the first municipalities of a large corpus are the same as those of a small one with the same seed
(the errors are placed over the whole corpus, so they differ). Only the standard library is used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR = "bench/make_corpus.py"
FORMAT = "rammecalc-bench-corpus/1"

# ---------------------------------------------------------------------------------------------- names

_STEMS = [
    "Ask", "Bjørn", "Brønn", "Dal", "Eid", "Fjell", "Frø", "Gran", "Ham", "Hol", "Hust", "Kval", "Kvin",
    "Lier", "Lind", "Lunn", "Mar", "Mel", "Mol", "Nes", "Nord", "Or", "Rak", "Rings", "Sand", "Sel", "Skog",
    "Sol", "Stor", "Sunn", "Sval", "Tin", "Tys", "Vang", "Ves", "Vin", "Åm", "Ør", "Øy", "Ål", "Bø", "Flå",
    "Gjer", "Hær", "Kar", "Lyng", "Rød", "Sør", "Tors", "Ulv",
]
_SUFFIXES = [
    "dal", "fjord", "vik", "berg", "nes", "sund", "øy", "land", "stad", "heim", "ås", "bø", "haug", "voll",
    "strand", "elv", "lia", "mo", "aker", "by", "hamn", "sand", "vær", "rud", "set", "tun",
]

_UNITS = [
    "Rådmannens stab", "Økonomiavdelingen", "Personal og organisasjon", "IKT", "Dokumentsenteret",
    "Servicetorget", "Politisk sekretariat", "Fellesutgifter", "Barnehage", "Grunnskole",
    "Pedagogisk-psykologisk tjeneste", "Kulturskole", "Voksenopplæring", "Barnevern",
    "Helsestasjon og skolehelsetjeneste", "Legetjenesten", "Legevakt", "Psykisk helse og rus",
    "Ressurstjenesten", "Tildelingskontoret", "Hjemmetjenesten", "Hjemmesykepleie", "Sykehjem",
    "Bo- og aktivitetstilbud", "Praktisk bistand og avlastning", "Rehabilitering", "Flyktningtjenesten",
    "NAV sosiale tjenester", "Kultur og fritid", "Bibliotek", "Idrett og friluftsliv", "Brann og redning",
    "Vei og park", "Eiendom", "Renhold", "Plan og bygg", "Landbruk og miljø", "Næring og samfunnsutvikling",
    "Kommunalavdeling stab", "Kommunalavdeling oppvekst", "Kommunalavdeling helse og omsorg",
    "Kommunalavdeling teknisk", "Frisklivssentral", "Ungdomstjenesten", "Kommunepsykolog",
]
_PLACES_UNIT = ["skole", "barnehage", "oppvekstsenter", "sykehjem", "omsorgssenter", "bo- og servicesenter"]

_OTHER_UNITS = ["Oppvekst", "Levekår", "Helse og omsorg", "Teknisk drift", "Kultur", "Stab og støtte",
                "Eiendom", "NAV", "Barnevern", "Hjemmetjenesten"]
_THINGS = ["ny avdeling for demente", "utvidet åpningstid på helsestasjon for ungdom", "miljøarbeider i skolen",
           "økt grunnbemanning", "digital hjemmeoppfølging", "velferdsteknologi", "aktivitetstilbud for eldre",
           "ruskonsulent", "ny barnehageavdeling", "styrket tidlig innsats", "lavterskeltilbud for ungdom",
           "feltsykepleier", "kommunal fysioterapeut", "ambulerende team", "boveiledning"]
_SOFTWARE = ["Microsoft", "Visma", "Agresso", "Gerica", "Public 360", "Vigilo", "Unit4"]

# Category: (weight, sign (+1, -1 or 0 for either), labels). {y} is a year of the table, {p} a rate, {o}
# another unit, {t} a measure, {s} a software.
_CATEGORIES: dict[str, tuple[int, int, list[str]]] = {
    "lønnsoppgjør": (3, +1, ["Lønnsoppgjør {y} – helårsvirkning", "Lønnsoppgjør kap. 4 – {y}",
                             "Lønnsoppgjør kap. 3 og 5 – {y}", "Lønnsoppgjør {y} – delårsvirkning",
                             "Pensjonskostnader etter lønnsoppgjøret {y}"]),
    "prisjustering": (2, +1, ["Prisjustering med {p} pst. på utvalgte utgiftsposter",
                              "Prisvekst på kjøp av tjenester {y}",
                              "Kompensasjon for prisvekst, kommunal deflator {p} pst."]),
    "egenfinansiering": (1, -1, [("Egenfinansiering av lønnsoppgjør {y} – {p} pst. finansieres med økning i "
                                  "egne inntekter"), "Økte brukerbetalinger som egenfinansiering {y}"]),
    "opptrappingsplan": (1, +1, ["Statsbudsjett {y} – opptrappingsplan på rusfeltet",
                                 "Opptrappingsplan for habilitering og rehabilitering",
                                 "Opptrappingsplan mot vold og overgrep – {y}"]),
    "innsparing": (3, -1, ["Innsparing – redusert bemanning", "Effektivisering i henhold til omstillingstiltak",
                           "Reduserte vikarutgifter", "Kostnader valgavvikling", "Redusert åpningstid",
                           "Innsparing på innkjøp og reiser", "Budsjettvedtak: redusert ramme"]),
    "rammetrekk": (1, -1, ["Generelt rammetrekk {p} pst.", "Rammetrekk – digitalisering",
                           "Tilbakeført generelt rammetrekk {y}"]),
    "omdisponering": (3, 0, ["Årsverk overført fra {o}", "Årsverk overført til {o}",
                             "Økt antall lærlinger overført fra {o}, netto", "Husleie flyttet fra {o}"]),
    "nytt tiltak": (3, +1, ["Nytt tiltak: {t}", "Styrking av {t}", "{T}, delårsvirkning i {y}"]),
    "annet": (3, 0, ["Lisenser {s}", "Drift eiendomsskatt", "Tilskudd til TV-aksjonen 2 kroner per innbygger",
                     "Økte strømutgifter", "Forsikringspremier", "Husleie nye lokaler",
                     "Avsetning til handlefrihet (disposisjonsfond)"]),
}
_CATEGORY_NAMES = list(_CATEGORIES)
_CATEGORY_WEIGHTS = [_CATEGORIES[c][0] for c in _CATEGORY_NAMES]

# Group templates: (id, label, parent, the categories printed under it). Parents come before children.
_TEMPLATES: list[list[tuple[str, str, str | None, set[str]]]] = [
    [  # as Molde prints them
        ("lønns-og-prisvekst", "Lønns- og prisvekst", None, {"lønnsoppgjør", "prisjustering", "egenfinansiering"}),
        ("andre-rammeendringer", "Andre rammeendringer", None, set()),
        ("statsbudsjettet", "Endringer fra statsbudsjettet", "andre-rammeendringer", {"opptrappingsplan"}),
        ("politiske-vedtak", "Politiske vedtak", "andre-rammeendringer", {"nytt tiltak", "omdisponering", "annet"}),
        ("innsparinger", "Innsparinger og rammetrekk", None, {"innsparing", "rammetrekk"}),
    ],
    [  # as Askøy prints them, with the savings split out
        ("rullering-av-siste-økonomiplan", "Rullering av siste økonomiplan (med justeringer)", None,
         {"lønnsoppgjør", "prisjustering", "egenfinansiering", "annet"}),
        ("rammeendringer-mellom-avdelingene", "Rammeendringer mellom avdelingene", None, {"omdisponering"}),
        ("endringer-i-satser-bruk-eller-vedtak", "Endringer i satser, bruk eller vedtak", None,
         {"opptrappingsplan", "annet"}),
        ("nye-tiltak", "Nye tiltak", None, {"nytt tiltak"}),
        ("omstilling", "Omstilling og effektivisering", None, set()),
        ("innsparingstiltak", "Innsparingstiltak", "omstilling", {"innsparing"}),
        ("rammetrekk", "Rammetrekk", "omstilling", {"rammetrekk"}),
    ],
    [  # three levels deep
        ("tekniske-justeringer", "Tekniske justeringer", None, {"lønnsoppgjør", "prisjustering", "egenfinansiering"}),
        ("vedtatte-endringer", "Vedtatte endringer", None, set()),
        ("tidligere-vedtak", "Tidligere vedtak", "vedtatte-endringer", {"opptrappingsplan", "omdisponering"}),
        ("budsjettvedtak", "Budsjettvedtak", "vedtatte-endringer", {"nytt tiltak", "annet"}),
        ("budsjettvedtak-innsparing", "Innsparinger i budsjettvedtaket", "budsjettvedtak",
         {"innsparing", "rammetrekk"}),
    ],
]

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def file_slug(text: str) -> str:
    """An ASCII name for files and frame ids: 'Askøy' → 'askoy'."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def id_slug(text: str, limit: int = 48) -> str:
    """An item id as the bundled files write them: lower case, Norwegian letters kept, '-' between words."""
    slug = re.sub(r"[^0-9a-zæøå]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "post"


_PLAIN = re.compile(r"[A-Za-zÆØÅæøåÉé0-9][\w æøåÆØÅ.,()/–\-]*")
_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n", "~"}


def yaml_text(text: str) -> str:
    """A label as YAML: plain where that is safe, else double-quoted (JSON's escapes are YAML's)."""
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and text.lower() not in _YAML_WORDS \
            and not re.fullmatch(r"[\d.,\s–-]+", text):
        return text
    return json.dumps(text, ensure_ascii=False)


def norwegian(value: int) -> str:
    """An amount in the tables' own notation: '−1 250' (a quoted YAML string)."""
    digits = f"{abs(value):,}".replace(",", " ")
    return f"'{'−' if value < 0 else ''}{digits}'"


# ----------------------------------------------------------------------------------------- the model


@dataclass
class ItemSpec:
    id: str
    label: str
    category: str
    group: str
    cells: dict[int, int]  # year -> written amount in the frame's convention (blank years absent)
    reference: str | None = None
    note: str | None = None


@dataclass
class GroupSpec:
    id: str
    label: str
    parent: str | None
    published: dict[int, int] = field(default_factory=dict)


@dataclass
class FrameSpec:
    municipality: str
    unit: str
    unit_slug: str
    id: str
    convention: str
    years: list[int]
    column_labels: dict[int, str]
    start_label: str
    base: int
    start_published: dict[int, int]
    split: list[tuple[str, dict[int, int]]]
    groups: list[GroupSpec]
    new_frame_label: str
    new_frame_published: dict[int, int]
    items: list[ItemSpec]
    document: str
    table: str
    norwegian_text: bool
    # the true figures, computed here
    start: dict[int, int] = field(default_factory=dict)
    new_frame: dict[int, int] = field(default_factory=dict)
    subtotals: dict[str, dict[int, int | None]] = field(default_factory=dict)

    def published_figures(self) -> int:
        """What rammecalc counts: starts, new frames, split years, subtotals (no item has 'publisert')."""
        split_years = {y for _, cells in self.split for y in cells}
        return (len(self.start_published) + len(self.new_frame_published) + len(split_years)
                + sum(len(g.published) for g in self.groups))


# ---------------------------------------------------------------------------------------- generation


def _magnitude(rng: random.Random, base: int) -> int:
    value = base * rng.uniform(0.0005, 0.03)
    if value >= 500 and rng.random() < 0.4:
        value = round(value / 100) * 100
    elif value >= 50 and rng.random() < 0.3:
        value = round(value / 10) * 10
    return max(1, round(value))


def _profile(rng: random.Random, category: str, label: str, n: int, amount: int) -> list[int]:
    """The item's level against the base in each column (0 before it starts)."""
    start = min(n - 1, int(rng.triangular(0, n, 0)))
    levels = [0] * n
    if "valgavvikling" in label:  # a saving in every other year
        for j in range(start, n):
            levels[j] = amount if (j - start) % 2 == 0 else 0
        return levels
    shape = rng.choices(["permanent", "part-year", "one-off", "escalating", "two-step"],
                        weights=[5, 2 if category in ("lønnsoppgjør", "nytt tiltak") else 1, 1,
                                 3 if category == "opptrappingsplan" else 1, 1])[0]
    if shape == "part-year" and abs(amount) >= 12:
        months = rng.randint(2, 10)
        part = (abs(amount) * months + 6) // 12 * (1 if amount > 0 else -1)
        for j in range(start, n):
            levels[j] = part if j == start else amount
    elif shape == "one-off":
        levels[start] = amount
    elif shape == "escalating":
        for j in range(start, n):
            levels[j] = amount * (j - start + 1)
    elif shape == "two-step" and start < n - 1:
        second = rng.randint(start + 1, n - 1)
        more = _magnitude(rng, abs(amount) * 20) * (1 if amount > 0 else -1)
        for j in range(start, n):
            levels[j] = amount + (more if j >= second else 0)
    else:
        for j in range(start, n):
            levels[j] = amount
    return levels


def _cells(rng: random.Random, levels: list[int], years: list[int], convention: str) -> dict[int, int]:
    """The cells a table in ``convention`` prints for the profile: zeros mostly blank, some printed."""
    cells: dict[int, int] = {}
    started = False
    previous = 0
    for j, year in enumerate(years):
        amount = levels[j] - previous if convention == "inkrementell" else levels[j]
        previous = levels[j]
        started = started or levels[j] != 0
        if amount != 0:
            cells[year] = amount
        elif convention == "nivå" and rng.random() < (0.6 if started else 0.1):
            cells[year] = 0  # a printed 0 (Askøy prints every cell)
        elif convention == "inkrementell" and rng.random() < 0.04:
            cells[year] = 0
    return cells


def _label(rng: random.Random, category: str, years: list[int]) -> str:
    template = rng.choice(_CATEGORIES[category][2])
    thing = rng.choice(_THINGS)
    rate = f"{rng.randint(10, 45) // 10},{rng.randint(0, 9)}"
    return template.format(y=rng.choice(years[:3]), p=rate, o=rng.choice(_OTHER_UNITS), t=thing,
                           T=thing[0].upper() + thing[1:], s=rng.choice(_SOFTWARE))


def make_frame(rng: random.Random, municipality: str, muni_slug: str, muni_index: int, unit: str, first_year: int,
               n_columns: int, n_items: int, need: str | None = None) -> FrameSpec:
    """One unit's table. ``need`` (a kind of figure, see KINDS) makes sure the table prints that figure, so that
    an error of that kind can be injected into it; the random draws are the same either way."""
    convention = "inkrementell" if muni_index % 2 == 0 else "nivå"
    years = list(range(first_year, first_year + n_columns))
    unit_slug = file_slug(unit)
    if convention == "inkrementell":  # Molde: the first column is last year's revised budget
        budget_year = years[1] if n_columns > 1 else years[0]
        labels = {y: ("Revidert" if y < budget_year else "Budsjett" if y == budget_year else "Økonomiplan") + f" {y}"
                  for y in years}
        start_label = f"Opprinnelig budsjett {years[0]} / utgangspunkt {budget_year}–{years[-1]}"
        new_label = "Ny driftsramme"
    else:  # Askøy: every column from the same base
        budget_year = years[0]
        labels = {y: ("B" if y == budget_year else "ØP") + f" {y}" for y in years}
        start_label = rng.choice([f"Budsjettramme {budget_year - 1} justert for lønns- og prisvekst",
                                  f"Opprinnelig vedtatt netto driftsramme {budget_year - 1}"])
        new_label = rng.choice(["Ny netto ramme", "Korrigert netto budsjettramme", "Ny driftsramme"])
    document = rng.choice([f"Handlings- og økonomiplan {budget_year}–{budget_year + 3}",
                           f"Budsjett {budget_year} og økonomiplan {budget_year}–{budget_year + 3}",
                           f"Vedtatt årsbudsjett {budget_year}"])
    base = round(10 ** rng.uniform(3.3, 5.7))

    template = _TEMPLATES[rng.randrange(len(_TEMPLATES))]
    groups = [GroupSpec(gid, label, parent) for gid, label, parent, _ in template]
    homes = {c: [gid for gid, _, _, cats in template if c in cats] for c in _CATEGORY_NAMES}

    items: list[ItemSpec] = []
    used_ids: set[str] = set()
    for _ in range(n_items):
        category = rng.choices(_CATEGORY_NAMES, weights=_CATEGORY_WEIGHTS)[0]
        label = _label(rng, category, years)
        sign = _CATEGORIES[category][1]
        if "Tilbakeført" in label or "overført fra" in label:
            sign = +1
        elif "overført til" in label:
            sign = -1
        elif sign == 0:
            sign = rng.choice([1, 1, -1])
        amount = sign * _magnitude(rng, base)
        levels = _profile(rng, category, label, len(years), amount)
        cells = _cells(rng, levels, years, convention)
        item_id = id_slug(label)
        if item_id in used_ids:
            n = 2
            while f"{item_id}-{n}" in used_ids:
                n += 1
            item_id = f"{item_id}-{n}"
        used_ids.add(item_id)
        roll = rng.random()
        items.append(ItemSpec(
            item_id, label, category, rng.choice(homes[category]), cells,
            reference=f"{len(items) + 1}{rng.choice(['', '', 'a', 'b'])}" if roll < 0.15 else None,
            note="Delårsvirkning det første året, helårsvirkning fra året etter." if 0.15 <= roll < 0.2 else None,
        ))
    order = {g.id: i for i, g in enumerate(groups)}
    items.sort(key=lambda it: order[it.group])  # printed under their headings, in order

    spec = FrameSpec(
        municipality=municipality, unit=unit, unit_slug=unit_slug,
        id=f"{muni_slug}-{budget_year}-{unit_slug}", convention=convention, years=years, column_labels=labels,
        start_label=start_label, base=base, start_published={}, split=[], groups=groups,
        new_frame_label=new_label, new_frame_published={}, items=items, document=document,
        table=f"Driftsramme for {unit}", norwegian_text=rng.random() < 0.1,
    )
    compute(spec)

    # What the table prints.
    spec.start_published = dict(spec.start) if rng.random() < 0.9 else {years[0]: spec.start[years[0]]}
    spec.new_frame_published = dict(spec.new_frame)
    mode = rng.choices(["all", "none", "top"], weights=[7, 1.5, 1.5])[0]
    if need == "gruppe":
        mode = "all"
    for group in groups:
        if mode == "all" or (mode == "top" and group.parent is None):
            group.published = {y: v for y, v in spec.subtotals[group.id].items() if v is not None}
    if rng.random() < 0.3 or need == "fordeling":
        first = years[0]
        if convention == "inkrementell":  # Molde: driftsinntekter + driftsutgifter
            income = -round(spec.start[first] * rng.uniform(0.2, 0.8))
            spec.split = [("Driftsinntekter", {first: income}),
                          ("Driftsutgifter", {y: spec.start[y] - (income if y == first else 0) for y in years})]
        else:  # Askøy: last year's frame + its wage and price adjustment
            adjustment = round(spec.start[first] * rng.uniform(0.02, 0.045))
            spec.split = [(f"Budsjettramme B {first - 1}", {first: spec.start[first] - adjustment}),
                          (f"Lønns- og prisjustering fra {first - 1} til {first}", {first: adjustment})]
    return spec


def compute(spec: FrameSpec) -> None:
    """The true start, new frame and subtotals per column, by integer arithmetic (README's definitions)."""
    previous: int | None = None
    for year in spec.years:
        start = previous if spec.convention == "inkrementell" and previous is not None else spec.base
        spec.start[year] = start
        spec.new_frame[year] = start + sum(it.cells.get(year, 0) for it in spec.items)
        previous = spec.new_frame[year]
    children: dict[str | None, list[str]] = {}
    for group in spec.groups:
        children.setdefault(group.parent, []).append(group.id)

    def subtotal(gid: str) -> dict[int, int | None]:
        if gid not in spec.subtotals:
            subs = [subtotal(child) for child in children.get(gid, [])]
            values: dict[int, int | None] = {}
            for year in spec.years:
                parts = [it.cells[year] for it in spec.items if it.group == gid and year in it.cells]
                parts += [s[year] for s in subs if s[year] is not None]
                values[year] = sum(parts) if parts else None
            spec.subtotals[gid] = values
        return spec.subtotals[gid]

    for group in spec.groups:
        subtotal(group.id)


# ------------------------------------------------------------------------------------------ the text


class Writer:
    """Lines of text, remembering the line and column where chosen numbers are written."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.marks: dict[tuple, tuple[int, int]] = {}

    def add(self, line: str) -> None:
        self.lines.append(line)

    def flow(self, prefix: str, cells: dict[int, int], mark: tuple | None = None, text: bool = False) -> None:
        """``prefix{2016: 9681, 2017: 9864}``; with ``mark``, remember where each year's number starts."""
        out = prefix + "{"
        for i, (year, value) in enumerate(cells.items()):
            if i:
                out += ", "
            out += f"{year}: "
            if mark is not None:
                self.marks[(*mark, year)] = (len(self.lines) + 1, len(out) + 1)
            out += norwegian(value) if text else str(value)
        self.lines.append(out + "}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _header(w: Writer, spec: FrameSpec, what: str, seed: int) -> None:
    w.add(f"# SYNTHETIC {what}, written by {GENERATOR} (seed {seed}) for benchmarking rammecalc.")
    w.add("# Not a real budget: the municipality, the unit and every figure are invented. Do not cite.")
    if what == "frame":
        w.add(f"# Convention: {spec.convention}. The published figures are computed by the generator; a figure")
        w.add("# listed in ../../injected.json was changed on purpose to a wrong value.")


def render_frame(spec: FrameSpec, seed: int) -> Writer:
    w = Writer()
    _header(w, spec, "frame", seed)
    w.add("type: ramme")
    w.add(f"id: {spec.id}")
    w.add(f"kommune: {yaml_text(spec.municipality)}")
    w.add(f"enhet: {yaml_text(spec.unit)}")
    w.add("kilde:")
    w.add(f"  dokument: {yaml_text(spec.document)}")
    w.add(f"  tabell: {yaml_text(spec.table)}")
    w.add("  merknad: Syntetisk tabell for ytelsestest.")
    w.add("beløpsenhet: 1 000 kr")
    w.add(f"konvensjon: {spec.convention}")
    w.add("kolonner:")
    for year, label in spec.column_labels.items():
        w.add(f"  {year}: {yaml_text(label)}")
    w.add("utgangspunkt:")
    w.add(f"  etikett: {yaml_text(spec.start_label)}")
    w.add(f"  beløp: {spec.base}")
    w.flow("  publisert: ", spec.start_published, mark=("utgangspunkt",))
    if spec.split:
        w.add("  fordeling:")
        for i, (label, cells) in enumerate(spec.split):
            w.add(f"    - etikett: {yaml_text(label)}")
            w.flow("      beløp: ", cells, mark=("fordeling", i))
    w.add("grupper:")
    for group in spec.groups:
        w.add(f"  - id: {group.id}")
        w.add(f"    etikett: {yaml_text(group.label)}")
        if group.parent:
            w.add(f"    under: {group.parent}")
        if group.published:
            w.flow("    publisert: ", group.published, mark=("gruppe", group.id))
    w.add("ny_driftsramme:")
    w.add(f"  etikett: {yaml_text(spec.new_frame_label)}")
    w.flow("  publisert: ", spec.new_frame_published, mark=("ny_driftsramme",))
    w.add("endringer:")
    w.add(f"  - ../changes/{spec.unit_slug}.yaml")
    return w


def render_changes(spec: FrameSpec, seed: int) -> str:
    w = Writer()
    _header(w, spec, "changes", seed)
    w.add("type: endringer")
    w.add(f"ramme: {spec.id}")
    w.add(f"kilde: {{dokument: {yaml_text(spec.document)}}}")
    w.add("poster:")
    group = None
    labels = {g.id: g.label for g in spec.groups}
    for item in spec.items:
        if item.group != group:
            group = item.group
            w.add(f"  # {labels[group]}")
        w.add(f"  - id: {item.id}")
        w.add(f"    etikett: {yaml_text(item.label)}")
        w.add(f"    kategori: {item.category}")
        w.add(f"    gruppe: {item.group}")
        if item.reference:
            w.add(f"    referanse: {yaml_text(item.reference)}")
        if item.cells:
            w.flow("    beløp: ", item.cells, text=spec.norwegian_text)
        if item.note:
            w.add(f"    merknad: {yaml_text(item.note)}")
    return w.text()


# ------------------------------------------------------------------------------------------- errors

KINDS = ["ny_driftsramme", "gruppe", "utgangspunkt", "fordeling"]
CODES = {"ny_driftsramme": "new-frame-mismatch", "gruppe": "subtotal-mismatch",
         "utgangspunkt": "start-mismatch", "fordeling": "split-mismatch"}


def _wrong(rng: random.Random, value: int) -> int:
    """A plausible misprint of ``value``: off by a round amount, two digits swapped, or the sign lost."""
    how = rng.choice(["1", "10", "100", "1000", "swap", "sign"])
    if how == "swap":
        digits = list(str(abs(value)))
        spots = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
        if spots:
            i = rng.choice(spots)
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            wrong = int("".join(digits)) * (-1 if value < 0 else 1)
            if wrong != value:
                return wrong
    if how == "sign" and value != 0:
        return -value
    step = int(how) if how.isdigit() else 1
    return value + rng.choice([step, -step])


def inject(rng: random.Random, spec: FrameSpec, first_kind: int) -> dict:
    """Change one published figure of ``spec``, trying the kinds from ``first_kind`` on; what was changed."""
    for k in range(len(KINDS)):
        kind = KINDS[(first_kind + k) % len(KINDS)]
        if kind == "ny_driftsramme" and spec.new_frame_published:
            year = rng.choice(sorted(spec.new_frame_published))
            cells, truth, mark, group = spec.new_frame_published, spec.new_frame[year], ("ny_driftsramme",), None
        elif kind == "utgangspunkt" and spec.start_published:
            year = rng.choice(sorted(spec.start_published))
            cells, truth, mark, group = spec.start_published, spec.start[year], ("utgangspunkt",), None
        elif kind == "gruppe" and any(g.published for g in spec.groups):
            chosen = rng.choice([g for g in spec.groups if g.published])
            year = rng.choice(sorted(chosen.published))
            cells, truth, mark, group = chosen.published, spec.subtotals[chosen.id][year], ("gruppe", chosen.id), chosen.id
        elif kind == "fordeling" and spec.split:
            year = rng.choice(sorted({y for _, c in spec.split for y in c}))
            # rammecalc reports a split at the first row printing that year: change that cell.
            row = next(i for i, (_, c) in enumerate(spec.split) if year in c)
            cells, truth, mark, group = spec.split[row][1], None, ("fordeling", row), None
        else:
            continue
        cell_true = cells[year]
        cells[year] = _wrong(rng, cell_true)
        if kind == "fordeling":  # the figure checked is the sum of the split cells against the start
            published = sum(c[year] for _, c in spec.split if year in c)
            truth = spec.start[year]
        else:
            published = cells[year]
        return {"kind": kind, "group": group, "year": year, "mark": (*mark, year), "published": published,
                "true": truth, "cell_written": cells[year], "cell_true": cell_true}
    raise AssertionError("a frame always publishes its new frame")


# ------------------------------------------------------------------------------------------- corpus


def municipality_names(rng: random.Random, n: int) -> list[str]:
    combos, slugs = [], set()
    for stem in _STEMS:
        for suffix in _SUFFIXES:
            name = stem + suffix
            if stem[-1] != suffix[0] and file_slug(name) not in slugs:  # 'Ørvik' and 'Orvik' are both 'orvik'
                slugs.add(file_slug(name))
                combos.append(name)
    if n > len(combos):
        raise SystemExit(f"at most {len(combos)} municipalities")
    return rng.sample(combos, n)


def unit_names(rng: random.Random, n: int) -> list[str]:
    extra = [f"{s}{x} {p}" for s in _STEMS for x in _SUFFIXES[:6] for p in _PLACES_UNIT]
    pool = _UNITS + rng.sample(extra, max(0, n - len(_UNITS)))
    chosen = rng.sample(pool, n)
    # unit file names must differ within a municipality
    seen: set[str] = set()
    out: list[str] = []

    def take(name: str) -> None:
        if file_slug(name) not in seen:
            seen.add(file_slug(name))
            out.append(name)

    for name in chosen:
        take(name)
    i = 0
    while len(out) < n:
        take(f"{_STEMS[i % len(_STEMS)]}vik {_PLACES_UNIT[i % len(_PLACES_UNIT)]} {i}")
        i += 1
    return out


def _clear(out: Path) -> None:
    """Empty ``out`` if it is an earlier corpus; refuse a folder holding anything else."""
    if not out.exists():
        return
    if not out.is_dir():
        raise SystemExit(f"{out} is not a folder")
    entries = list(out.iterdir())
    if not entries:
        return
    manifest = out / "injected.json"
    if not manifest.is_file():
        raise SystemExit(f"{out} is not empty and holds no earlier corpus (no injected.json): choose another folder")
    old = json.loads(manifest.read_text(encoding="utf-8"))
    for folder in old.get("municipality_dirs", []):
        shutil.rmtree(out / folder, ignore_errors=True)
    manifest.unlink()


def generator_hash() -> str:
    """The hash of this file: a corpus written by another version of the generator is not reused."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def generate(out: Path, municipalities: int = 356, units: int = 40, columns: int = 5, items: int = 30,
             errors: int = 25, seed: int = 2024) -> dict:
    """Write the corpus to ``out`` and return the manifest (also written as ``out/injected.json``)."""
    if min(municipalities, units, columns, items) < 1:
        raise SystemExit("municipalities, units, columns and items must be at least 1")
    frames_total = municipalities * units
    if not 0 <= errors <= frames_total:
        raise SystemExit(f"--errors must be between 0 and the number of frames ({frames_total})")
    _clear(out)
    out.mkdir(parents=True, exist_ok=True)
    master = random.Random(f"corpus:{seed}")
    names = municipality_names(master, municipalities)
    chosen = master.sample(range(frames_total), errors)
    error_kind = {frame: i % len(KINDS) for i, frame in enumerate(chosen)}  # the kinds in turn

    injected: list[dict] = []
    muni_dirs: list[str] = []
    counts = {"files": 0, "frames": 0, "published_figures": 0, "items": 0, "cells": 0}
    per_municipality: dict[str, dict[str, int]] = {}
    conventions = {"inkrementell": 0, "nivå": 0}
    for m, name in enumerate(names):
        rng = random.Random(f"municipality:{seed}:{m}")
        muni = f"{name} kommune"
        muni_slug = file_slug(name)
        muni_dirs.append(muni_slug)
        (out / muni_slug / "frames").mkdir(parents=True, exist_ok=True)
        (out / muni_slug / "changes").mkdir(parents=True, exist_ok=True)
        first_year = rng.randint(2016, 2024)
        mine = per_municipality[muni_slug] = {"files": 0, "frames": 0, "published_figures": 0, "items": 0}
        for u, unit in enumerate(unit_names(rng, units)):
            index = m * units + u
            need = KINDS[error_kind[index]] if index in error_kind else None
            spec = make_frame(rng, muni, muni_slug, m, unit, first_year, columns, items, need)
            change = None
            if index in error_kind:
                change = inject(random.Random(f"error:{seed}:{index}"), spec, error_kind[index])
            writer = render_frame(spec, seed)
            frame_rel = f"{muni_slug}/frames/{spec.unit_slug}.yaml"
            (out / frame_rel).write_text(writer.text(), encoding="utf-8")
            (out / muni_slug / "changes" / f"{spec.unit_slug}.yaml").write_text(render_changes(spec, seed),
                                                                                 encoding="utf-8")
            if change is not None:
                line, column = writer.marks[change.pop("mark")]
                injected.append({"file": frame_rel, "line": line, "column": column, "code": CODES[change["kind"]],
                                 "frame": spec.id, **change})
            for tally in (counts, mine):
                tally["files"] += 2
                tally["frames"] += 1
                tally["published_figures"] += spec.published_figures()
                tally["items"] += len(spec.items)
            counts["cells"] += sum(len(it.cells) for it in spec.items)
            conventions[spec.convention] += 1

    injected.sort(key=lambda e: (e["file"], e["line"], e["column"]))
    manifest = {
        "format": FORMAT,
        "generator": GENERATOR,
        "generator_sha256": generator_hash(),
        "arguments": {"municipalities": municipalities, "units": units, "columns": columns, "items": items,
                      "errors": errors, "seed": seed},
        "expected": {**counts, "errors": len(injected), "conventions": conventions},
        "municipality_dirs": muni_dirs,
        "per_municipality": per_municipality,
        "errors": injected,
    }
    (out / "injected.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="the folder to write (empty, new, or an earlier corpus)")
    parser.add_argument("--municipalities", type=int, default=356)
    parser.add_argument("--units", type=int, default=40, help="units (frames) per municipality")
    parser.add_argument("--columns", type=int, default=5, help="years per table")
    parser.add_argument("--items", type=int, default=30, help="line items per unit")
    parser.add_argument("--errors", type=int, default=25, help="published figures to change, in as many frames")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.municipalities, args.units, args.columns, args.items, args.errors, args.seed)
    e = manifest["expected"]
    print(f"wrote {e['files']} files ({e['frames']} frames, {e['items']} items, {e['published_figures']} "
          f"published figures, {e['errors']} injected errors) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
