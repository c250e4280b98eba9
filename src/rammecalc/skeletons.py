"""``rammecalc new KIND NAME``: a commented skeleton of a new file, that checks as written.

Each skeleton is a small table whose example figures add up, with a comment on every key a new user needs
and the schema line for the editor (``# yaml-language-server: $schema=…``, relative to the file). A file
goes where the bundled data keeps its kind (``data/frames/NAME.yaml``, ``data/tables/NAME.yaml``, …), so that
``rammecalc check`` finds it. A kind that needs another file to be checked brings it along when it is not
there yet: a frame its changes file, a changes file or a scenario the frame it belongs to, a links file the
frame and the table it ties together. Nothing is ever overwritten.

:func:`plan` builds the files (pure: names to text); :func:`write` writes them, all or none.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass, field
from pathlib import Path

#: ``new`` kinds → the folder under the data folder. ``regnskap`` is a table (``type: tabell``) of regnskap
#: against budsjett with its avvik; ``tabell`` one of rows and a total.
FOLDERS = {
    "ramme": "frames",
    "endringer": "changes",
    "parametere": "parameters",
    "scenario": "scenarios",
    "tabell": "tables",
    "regnskap": "tables",
    "koblinger": "links",
}

SCHEMA_FILE = Path("schema") / "rammecalc.schema.json"


class SkeletonError(Exception):
    """Why a skeleton cannot be written (exit 2), and what to do."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass
class Plan:
    """The files to write (path → text), in order, and what to tell the user."""

    files: dict[Path, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def label_of(name: str) -> str:
    """A readable label from an id: ``test-enhet`` → ``Test enhet``."""
    text = name.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _fill(template: str, **values: object) -> str:
    return string.Template(template).substitute({k: str(v) for k, v in values.items()})


def _years(first: int, count: int) -> list[int]:
    return list(range(first, first + count))


def _per_year(years: list[int], values: list[int]) -> str:
    return "{" + ", ".join(f"{y}: {v}" for y, v in zip(years, values, strict=True)) + "}"


_FRAME = """\
# yaml-language-server: $$schema=${schema}
#
# Source: write here where the figures come from (the document, its table, the page or address).
# Written by 'rammecalc new ramme ${id}': the example figures add up; replace them with the table's own, as
# printed. 'rammecalc check' recomputes every printed figure (each 'publisert') and names any that does not.
type: ramme
id: ${id}                    # unique; changes files and scenarios name the frame by it
kommune: Eksempel kommune
enhet: ${label}
kilde:                             # dokument, and as printed: tabell, adresse, side, merknad
  dokument: Budsjett ${y0} og økonomiplan ${y0}–${ylast}
  tabell: Ramme for ${label}
beløpsenhet: 1 000 kr              # kr | 1 000 kr | mill. kr
konvensjon: inkrementell           # inkrementell: each column starts from the previous new frame;
                                   # nivå: every column from the same base (see the README)
kolonner:                          # year: the column's label as printed, in rising order
${columns}
utgangspunkt:
  etikett: Opprinnelig budsjett ${ybefore}
  beløp: 10000                     # the start the roll begins from (leave out if the table prints none)
  publisert: ${start}   # the start as printed
grupper:                           # headings, in printed order
  - id: lønns-og-prisvekst
    etikett: Lønns- og prisvekst
    publisert: {${y0}: 300}           # the printed subtotals (leave out what the table leaves blank)
ny_driftsramme:
  etikett: Ny driftsramme
  publisert: ${new_frame}
endringer:                         # the changes files, relative to this file, in printed order
${changes}
${parameters}
"""

_CHANGES = """\
# yaml-language-server: $$schema=${schema}
#
# Source: write here where the figures come from.
# Written by 'rammecalc new': the changes of frame '${frame}', one item a row as printed.
type: endringer
ramme: ${frame}   # the id of the frame that lists this file under 'endringer'
kilde:
  dokument: Budsjett ${y0}
poster:
  - id: ${item}
    etikett: ${item_label}
    kategori: lønnsoppgjør         # lønnsoppgjør | prisjustering | egenfinansiering | opptrappingsplan |
                                   # innsparing | rammetrekk | omdisponering | nytt tiltak | annet
${group}${amounts}
  # One row can be one line; the id is then derived from the label ('nytt-tiltak'):
  # - {etikett: Nytt tiltak, gruppe: lønns-og-prisvekst, beløp: {${y0}: 500}}
  # Or say how the amounts arise (see 'Rules' in the README), and give the printed ones to check it:
  # - {etikett: Ny stilling, regel: {type: delårsvirkning, helårsvirkning: 800, virkningsdato: ${y0}-07-01},
  #    publisert: {${y0}: 400, ${y1}: 800}}
"""

_PARAMETERS = """\
# yaml-language-server: $$schema=${schema}
#
# Source: write here where the rates come from (the state budget, the municipality's own assumptions).
# Written by 'rammecalc new parametere ${id}'. A frame reads these rates when it lists the file:
#   parametere: [../parameters/${id}.yaml]
# and a rule names a rate by its 'navn': {type: sats, grunnlag: 3286, sats: deflator, år: ${y0}}.
type: parametere
kilde:
  dokument: Statsbudsjettet ${y0} (Prop. 1 S)
parametere:
  - navn: deflator                 # letters, digits and '_'; used by rules and by --set deflator=4,1%
    etikett: Kommunal deflator
    verdier: {${y0}: '3,0 %', ${y1}: '2,8 %'}   # per cent per year: 3.0 or '3,0 %'
"""

_SCENARIO = """\
# yaml-language-server: $$schema=${schema}
#
# Source: a variant written for planning, not a published table; say here what it assumes.
# Written by 'rammecalc new scenario ${id}'. 'rammecalc roll -s ${id}' rolls the variant,
# 'rammecalc compare -s ${id}' shows it against the frame. The files are never changed.
type: scenario
id: ${id}
etikett: ${label}
gjelder: ${frame}   # the id of the frame it varies
operasjoner:                       # applied in order: sett, legg-til, fjern, erstatt, skaler, forskyv
  - type: legg-til
    post: {id: ${item}, etikett: Eksempel på et nytt tiltak, beløp: {${y0}: 100}}
  # - {type: skaler, post: ITEM-ID, faktor: 1.5}
  # - {type: forskyv, post: ITEM-ID, år: 1}
  # - {type: sett, parameter: deflator, verdi: '4,5 %'}
"""

_TABLE = """\
# yaml-language-server: $$schema=${schema}
#
# Source: write here where the figures come from (the document, its table, the page or address).
# Written by 'rammecalc new tabell ${id}': rows as printed, and the relations the printed figures obey.
type: tabell
id: ${id}
kommune: Eksempel kommune
kilde:
  dokument: Budsjett ${y0}
  tabell: ${label}
beløpsenhet: 1 000 kr              # kr | 1 000 kr | mill. kr | årsverk
kolonner:                          # in printed order; 'år' ties a column to a frame's year
  - {id: budsjett-${y0}, etikett: Budsjett ${y0}, rolle: budsjett, år: ${y0}}
  - {id: budsjett-${y1}, etikett: Økonomiplan ${y1}, rolle: budsjett, år: ${y1}}
rader:                             # in printed order; beløp in the order of the columns
  - {id: ${row}, etikett: ${row_label}, beløp: [10 300, 10 300]}
  - {etikett: Annen enhet, beløp: [5 000, 5 100]}
  - {etikett: Sum, sum: alle, beløp: [15 300, 15 400]}   # sum: 1-4 | [1, 3] | over | alle; or formel: 5 - 8
"""

_ACCOUNTS = """\
# yaml-language-server: $$schema=${schema}
#
# Source: write here where the figures come from (the annual report, its table, the page).
# Written by 'rammecalc new regnskap ${id}': regnskap against budsjett, with the avvik the source prints.
type: tabell
id: ${id}
kommune: Eksempel kommune
kilde:
  dokument: Årsrapport ${y0}
  tabell: ${label}
beløpsenhet: 1 000 kr
kolonner:
  - {id: regnskap, etikett: Regnskap ${y0}, rolle: regnskap, år: ${y0}}
  - {id: budsjett, etikett: Budsjett ${y0}, rolle: budsjett, år: ${y0}}
  # The avvik with the sign the source computes it with (here budsjett − regnskap: negative is merforbruk)
  - {id: avvik, etikett: Avvik, rolle: avvik, formel: budsjett - regnskap}
rader:                             # art: inntekt | utgift | disponering | resultat
  - {etikett: Lønn, art: utgift, beløp: [8 200, 8 000, -200]}
  - {etikett: Kjøp av varer og tjenester, art: utgift, beløp: [2 100, 2 300, 200]}
  - {etikett: Salgsinntekter, art: inntekt, beløp: [-900, -1 000, -100]}
  - {etikett: Netto driftsutgifter, sum: alle, beløp: [9 400, 9 300, -100]}
"""

_LINKS = """\
# yaml-language-server: $$schema=${schema}
#
# Source: write here which documents print the same figure.
# Written by 'rammecalc new koblinger ${id}': figures that recur across documents must agree.
type: koblinger
kilde:
  dokument: Budsjett ${y0}
koblinger:
  - etikett: ${label}, ny driftsramme ${y0}
    figur: {fil: ../frames/${frame}.yaml, rad: ny_driftsramme, år: ${y0}}
    lik: {fil: ../tables/${table}.yaml, rad: ${row}, kolonne: budsjett-${y0}}
    # kjent_differanse: {differanse: 100, forklaring: why the two differ}   # lik minus figur, if they do
"""


def _schema_line(target: Path, schema: Path) -> str:
    return Path(os.path.relpath(schema, target.parent)).as_posix()


def plan(kind: str, name: str, folder: Path, year: int, frame: str | None = None,
         existing_frame_years: list[int] | None = None, schema: Path | None = None) -> Plan:
    """The files ``rammecalc new KIND NAME`` writes under ``folder`` (the data folder).

    ``year`` is the first column's year; ``frame`` the frame a changes, parameter or scenario file is for (default
    ``name``); ``existing_frame_years`` that frame's years if it is already written (else the frame is
    planned too); ``schema`` the schema file the editor line points at (default ``folder``'s sibling
    ``schema/rammecalc.schema.json``)."""
    schema = schema or folder.parent / SCHEMA_FILE
    result = Plan()

    def path(kind_: str, stem: str) -> Path:
        return folder / FOLDERS[kind_] / f"{stem}.yaml"

    def add(kind_: str, stem: str, template: str, **values: object) -> None:
        target = path(kind_, stem)
        result.files[target] = _fill(template, schema=_schema_line(target, schema), **values)

    def frame_files(frame_id: str, changes: list[str], with_changes: bool, parameters: str | None = None) -> list[int]:
        years = _years(year, 4)
        listed = (f"parametere: [../parameters/{parameters}.yaml]   # the rates its rules use" if parameters else
                  "# parametere: [../parameters/NAVN.yaml]   # rates the rules use ('rammecalc new parametere NAVN')")
        add("ramme", frame_id, _FRAME, id=frame_id, label=label_of(frame_id), y0=years[0], ylast=years[-1],
            ybefore=years[0] - 1, columns="\n".join(f"  {y}: {'Budsjett' if i == 0 else 'Økonomiplan'} {y}"
                                                    for i, y in enumerate(years)),
            start=_per_year(years, [10000] + [10300] * 3), new_frame=_per_year(years, [10300] * 4),
            changes="\n".join(f"  - ../changes/{c}.yaml" for c in changes), parameters=listed)
        if with_changes:
            changes_file(frame_id, frame_id, years, in_group=True, rate=parameters is not None)
        return years

    def changes_file(stem: str, frame_id: str, years: list[int], in_group: bool, rate: bool = False) -> None:
        y0 = years[0]
        if rate:  # 10 000 × 3,0 % (the parameter file's deflator) = 300, the printed figure
            amounts = (f"    regel: {{type: sats, grunnlag: 10000, sats: deflator, år: {y0}}}   # base × the rate\n"
                       f"    publisert: {{{y0}: 300}}             # the amount as printed, checked against the rule")
        else:
            amounts = (f"    beløp: {{{y0}: {300 if in_group else 0}}}"
                       "             # the signed effect per year; savings negative")
        add("endringer", stem, _CHANGES, id=stem, frame=frame_id, y0=y0, y1=y0 + 1,
            # in a frame that has items already, one whose id cannot be taken
            item=f"{'prisvekst' if rate else 'lønnsoppgjør'}-{y0}" if in_group else f"{stem}-eksempel",
            item_label=f"{'Prisvekst' if rate else 'Lønnsoppgjør'} {y0}" if in_group else "Eksempel på en endring",
            group="    gruppe: lønns-og-prisvekst       # the group (in the frame) it is printed under\n"
            if in_group else "    # gruppe: ID                     # the group (in the frame) it is printed under\n",
            amounts=amounts)

    label = label_of(name)
    if kind == "ramme":
        frame_files(name, [name], with_changes=True)
    elif kind == "endringer":
        owner = frame or name
        if existing_frame_years is None:
            years = frame_files(owner, [name], with_changes=False)
            changes_file(name, owner, years, in_group=True)
        else:
            changes_file(name, owner, existing_frame_years, in_group=False)
            result.notes.append(f"list it in frame '{owner}': under 'endringer', add "
                                f"'- ../changes/{name}.yaml' (a changes file no frame lists is refused)")
    elif kind == "parametere":
        owner = frame or name
        years = existing_frame_years
        if years is None:
            years = frame_files(owner, [owner], with_changes=True, parameters=name)
        else:
            result.notes.append(f"frame '{owner}' reads it once it lists it: add "
                                f"'parametere: [../parameters/{name}.yaml]' (or add it to the list there)")
        add("parametere", name, _PARAMETERS, id=name, y0=years[0], y1=years[0] + 1)
    elif kind == "scenario":
        owner = frame or name
        years = existing_frame_years
        if years is None:
            years = frame_files(owner, [owner], with_changes=True)
        add("scenario", name, _SCENARIO, id=name, label=label, frame=owner, y0=years[0],
            item=f"{name}-eksempel")
    elif kind == "tabell":
        add("tabell", name, _TABLE, id=name, label=label, y0=year, y1=year + 1, row="enhet", row_label="Enhet")
    elif kind == "regnskap":
        add("regnskap", name, _ACCOUNTS, id=name, label=label, y0=year)
    elif kind == "koblinger":
        years = frame_files(name, [name], with_changes=True)
        add("tabell", name, _TABLE, id=name, label=f"Rammer per enhet {years[0]}", y0=years[0], y1=years[1],
            row=name, row_label=label)
        add("koblinger", name, _LINKS, id=name, label=label, frame=name, table=name, row=name, y0=years[0])
    else:  # pragma: no cover - the command line offers the kinds above only
        raise SkeletonError(f"no skeleton for '{kind}'")
    return result


def write(files: dict[Path, str]) -> None:
    """Write every file of a plan, each all or nothing; refuse before writing any if one exists already."""
    from .output import OutputError, write_file

    existing = [p for p in files if p.exists() or p.is_symlink()]
    if existing:
        raise SkeletonError(f"{existing[0]} exists already; 'rammecalc new' never overwrites a file",
                            "choose another NAME, or --data for another folder")
    for target, text in files.items():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, text)
        except OSError as exc:
            raise SkeletonError(f"cannot write {target}: {exc.strerror or exc}",
                                "choose a folder you can write to (--data)") from None
        except OutputError as exc:
            raise SkeletonError(exc.message, exc.hint) from None


def run(kind: str, name: str, folder: Path, year: int | None = None, frame: str | None = None) -> Plan:
    """``rammecalc new``: check the name, find the frame a changes file or a scenario belongs to, plan the files
    (with the schema file, if no folder above has one) and write them. Returns the plan written."""
    import datetime
    import re

    from .core.models import ID_LETTERS

    id_pattern = f"[0-9{ID_LETTERS}][0-9{ID_LETTERS}_.\\-]*"
    for given, what in ((name, "NAME"), (frame, "--frame")):
        if given is not None and not re.fullmatch(id_pattern, given):
            raise SkeletonError(f"{what} '{given}' is not an id: it becomes the file's id, and ids are letters, "
                                "digits, '.', '-' and '_', starting with a letter or a digit",
                                "e.g. 'rammecalc new ramme test-enhet'")
    if year is None:
        today = datetime.date.today().year
        year = today - 1 if kind == "regnskap" else today + 1  # the last accounts; the next budget
    if not 1900 <= year <= 2196:
        raise SkeletonError(f"--year {year}: the first column's year must be from 1900 to 2196 (a frame has four)")
    years = _existing_frame_years(folder, frame or name) if kind in ("endringer", "parametere", "scenario") else None
    schema = _schema_above(folder)
    result = plan(kind, name, folder, year, frame, years, schema)
    if schema is None:
        from .render import to_json
        from .schema import json_schema

        schema_path = folder.parent / SCHEMA_FILE
        if not schema_path.exists():  # as 'rammecalc schema' prints it, for the editor line to point at
            result.files[schema_path] = to_json(json_schema("alle")) + "\n"
    write(result.files)
    return result


def _schema_above(folder: Path) -> Path | None:
    """The nearest ``schema/rammecalc.schema.json`` in the data folder's parent or above (a repository's)."""
    start = folder.resolve().parent
    for directory in (start, *start.parents):
        if (directory / SCHEMA_FILE).is_file():
            return directory / SCHEMA_FILE
    return None


def _existing_frame_years(folder: Path, frame: str) -> list[int] | None:
    """The years of frame ``frame`` if the data folder has it already (else ``None``: it is planned too)."""
    if not folder.is_dir():
        return None
    from .loading import load

    loaded = load([folder])
    for budget in loaded.budgets:
        if budget.frame.id == frame:
            return list(budget.frame.years)
    if (folder / FOLDERS["ramme"] / f"{frame}.yaml").exists():
        raise SkeletonError(f"frame '{frame}' is in {folder} but cannot be read",
                            f"'rammecalc check {folder}' says what is wrong with it")
    return None
