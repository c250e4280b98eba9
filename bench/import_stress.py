#!/usr/bin/env python3
"""How often ``rammecalc import`` places a figure wrong without a word: a stress test against known truths.

    python bench/import_stress.py [--count 2000] [--seed 1] [--jobs 2] [--keep DIR] [--only CLASSES]
    python bench/import_stress.py --replay DIR/1-51.json      # rerun a kept case, show the files and the diffs
    python bench/import_stress.py --case 1-51                  # build case 51 of seed 1 again and run it

Each case takes a table whose every figure is known (a frame or table of ``data/``, or a synthetic frame,
accounts table or statutory form: see ``import_stress_gen.py``), writes it as a copy of a web page or PDF
would give it under one *variant class* (how figures, minus signs, blanks, header, caption and surrounding
text look; or as a CSV or xlsx download), imports it with the reader (``rammecalc.core.reading.import_tables``
on the source's lines, as ``rammecalc import`` does), and compares every figure, year, label and relation the
reader wrote with the truth. Each case lands in one class:

- ``correct``: the import says it is certain, and everything matches the truth;
- ``flagged``: the import says it is not certain (several placements, or none, add up; a row it could not
  read): exit 1, the user is told to look;
- ``refused``: no table found (exit 2);
- ``wrong-silent``: certain, the files check clean (exit 0), and something differs from the truth;
- ``wrong-check``: certain and something differs, but ``check`` on the files reports an error (exit 1);
- ``crashed``: an exception (or a file written that is not YAML);
- ``timeout``: the import ran longer than ``--timeout`` (60 s) and was stopped;
- and, across the others, ``slow``: more than 1 s of CPU for the import.

The *broken* classes take a truth and delete a row, change a figure or swap two rows across a sum, so that
no reading can give the original table: those must come out flagged or with check errors; ``wrong-silent``
there is a certain import whose files check clean.

Exit status 1 if any case was wrong (silent or not) or crashed. The same seed gives the same cases on every
machine and run (``--case`` rebuilds one). Nothing is written except under ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import import_stress_gen as gen
from import_stress_gen import NBSP, NNBSP, Style, Truth

D = Decimal
SLOW = 1.0
#: An import that runs longer than this (wall clock) is stopped and counted as ``timeout``.
TIMEOUT = 60.0

#: The variant classes: how the copy looks. Broken classes last.
VARIANTS = ["plain", "nbsp", "narrow-nbsp", "minus-u2212", "minus-endash", "minus-space", "parentheses",
            "dash-zero", "dot-thousands", "glued", "header-two-line", "header-glued", "header-years", "caption",
            "prose", "row-numbers", "tabs", "csv", "xlsx", "mixed"]
BROKEN = ["broken-delete", "broken-change", "broken-swap"]
SOURCES = ["data", "frame", "accounts", "form"]
CLASSES = ["correct", "flagged", "refused", "wrong-silent", "wrong-check", "crashed", "timeout"]


# ------------------------------------------------------------------------------------------------ cases


@dataclass
class Case:
    id: str
    variant: str
    source: str
    truth: Truth
    style: Style
    format: str = "text"  # text | csv | xlsx
    broken: str | None = None
    #: the truth before it was broken (the broken classes)
    original: Truth | None = None


def _compatible(variant: str, truth: Truth) -> bool:
    if variant == "dot-thousands":
        return truth.decimals == 0
    if variant == "header-two-line":
        if truth.kind == "ramme":
            labels = gen.column_labels(truth)
            tail = [k for k, lab in enumerate(labels) if lab.startswith("Økonomiplan ")]
            return len(tail) >= 2 and tail == list(range(tail[0], len(labels)))
        return all(c.kind == "amount" and c.year is not None for c in truth.columns)
    if variant in ("header-glued", "header-years", "glued"):
        return truth.kind == "ramme"
    return True


def _truth(rng: random.Random, source: str, name: str) -> Truth:
    if source == "data":
        truths = gen.data_truths()
        return rng.choice(truths)
    if source == "frame":
        return gen.synthetic_frame(rng, name)
    if source == "accounts":
        return gen.synthetic_accounts(rng, name)
    return gen.synthetic_form(rng, name)


def _style(variant: str, truth: Truth, rng: random.Random) -> Style:
    st = Style()
    frame = truth.kind == "ramme"
    if variant == "nbsp":
        st.group = NBSP
    elif variant == "narrow-nbsp":
        st.group = NNBSP
    elif variant == "minus-u2212":
        st.minus = "\u2212"
    elif variant == "minus-endash":
        st.minus = "\u2013"
    elif variant == "minus-space":
        st.minus = "- "
    elif variant == "parentheses":
        st.minus = "()"
    elif variant == "dash-zero":
        st.zero = "-"
        if not frame and rng.random() < 0.6:
            st.blank = "dash"
    elif variant == "dot-thousands":
        st.group = "."
    elif variant == "glued":
        st.sep = "glued"
        st.header = "glued"
        st.numbers = frame and rng.random() < 0.6
        st.number_glued = True
    elif variant == "header-two-line":
        st.header = "two" if frame else "names-years"
    elif variant == "header-glued":
        st.header = "glued"
    elif variant == "header-years":
        st.header = "years"
    elif variant == "caption":
        st.caption = rng.choice(["above", "below", "below"])
    elif variant == "prose":
        st.prose = True
    elif variant == "row-numbers":
        st.numbers = True
        st.number_glued = rng.random() < 0.3
    elif variant == "tabs":
        st.sep = "tab"
    elif variant in ("csv", "xlsx"):
        st.minus = rng.choice(["-", "\u2212"])
    elif variant == "mixed" or variant in BROKEN:
        st.group = rng.choice([" ", " ", NBSP, NNBSP] + (["."] if truth.decimals == 0 else []))
        st.minus = rng.choice(["-", "-", "\u2212", "\u2013", "- ", "()"])
        st.zero = rng.choice(["0", "0", "-"])
        if not frame and rng.random() < 0.3:
            st.blank = "dash"
        headers = ["one", "one"] + [h for h, v in (("two" if frame else "names-years", "header-two-line"),
                                                   ("glued", "header-glued"), ("years", "header-years"))
                                    if _compatible(v, truth)]
        st.header = rng.choice(headers)
        st.caption = rng.choice(["above", "above", "below"])
        st.prose = rng.random() < 0.5
        st.numbers = rng.random() < 0.3
        st.trailing = rng.random() < 0.3
        st.heading_colon = rng.random() < 0.7
        st.separators = not frame and rng.random() < 0.3
        if frame and rng.random() < 0.15 and st.group == " " and st.minus == "-":
            st.sep, st.number_glued = "glued", True
    if variant == "plain" and truth.lead:
        st.trailing = rng.random() < 0.5
    if not frame and any(r.number for r in truth.rows):
        st.numbers = True  # a form's row numbers are part of it
    return st


def build_case(seed: int, index: int, only: list[str] | None = None) -> Case:
    """Case ``index`` of ``seed``: the same on every run. The variant classes take turns."""
    rng = random.Random(f"import-stress-{seed}-{index}")
    pool = only or (VARIANTS + BROKEN)
    variant = pool[index % len(pool)]
    for _ in range(50):
        source = rng.choice(["data", "frame", "frame", "frame", "accounts", "form"])
        truth = _truth(rng, source, f"case-{seed}-{index}")
        if not _compatible(variant, truth):
            continue
        truth = Truth.from_json(truth.to_json())  # a copy of its own (data truths are shared)
        style = _style(variant, truth, rng)
        # row numbers: a frame's items get them only when the style prints them
        if truth.kind == "ramme":
            k = rng.choice([1, 1, 141, 11])
            for row in truth.rows:
                if style.numbers and row.role == "item":
                    row.number = str(k)
                    k += 1
                elif not style.numbers:
                    row.number = None
        elif style.numbers and not any(r.number for r in truth.rows):
            k = 1
            for row in truth.rows:
                if row.role != "heading" and row.label:
                    row.number = str(k)
                    k += 1
        fmt = variant if variant in ("csv", "xlsx") else "text"
        case = Case(f"{seed}-{index}", variant, source, truth, style, fmt)
        if variant in BROKEN:
            broken = gen.break_truth(truth, rng, variant.split("-")[1])
            if broken is None:  # nothing to break in this table: draw another
                continue
            case.original, case.truth, case.broken = truth, broken, variant.split("-")[1]
        return case
    raise RuntimeError(f"case {seed}-{index}: no table fits the variant {variant}")


def case_input(case: Case, folder: Path) -> Path:
    """The case's source file in ``folder``: the text of the copy, or the CSV or xlsx download."""
    rng = random.Random(f"render-{case.id}")
    if case.format == "text":
        path = folder / f"{case.id}.txt"
        path.write_text(gen.render(case.truth, case.style, rng), encoding="utf-8")
        return path
    grid = gen.render_grid(case.truth, case.style, rng, numeric=case.format == "xlsx")
    if case.format == "csv":
        import csv

        path = folder / f"{case.id}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, delimiter=";").writerows([["" if c is None else c for c in row] for row in grid])
        return path
    import openpyxl

    path = folder / f"{case.id}.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for row in grid:
        sheet.append(row)
    book.save(path)
    return path


# -------------------------------------------------------------------------------------------- the reader


@dataclass
class Outcome:
    cls: str
    seconds: float = 0.0
    diffs: list[str] = field(default_factory=list)  # what differs from the truth (hard)
    soft: list[str] = field(default_factory=list)  # what is missing but not wrong (a relation not found)
    notes: list[str] = field(default_factory=list)  # how sure the import was, what it said
    error: str | None = None
    files: list[tuple[str, str]] = field(default_factory=list)
    why: str | None = None  # flagged: why the import is not certain


def run_import(path: Path):
    """The reader on a source file, as ``rammecalc import`` runs it, without writing: (outcome, CPU seconds)."""
    from rammecalc.core.reading import import_tables, meta_from_text
    from rammecalc.importing.run import lines_of
    from rammecalc.importing.sources import read_source

    source = read_source(path)
    if not hasattr(source, "lines"):
        raise RuntimeError(f"read_source: {source}")
    lines = lines_of(source)
    meta = meta_from_text([ln.text for ln in lines], list(source.header), path.name)
    t0 = time.process_time()
    outcome = import_tables(lines, meta)
    return outcome, time.process_time() - t0


def check_errors(imported, folder: Path) -> int:
    """``rammecalc check`` on the files of one import, written into ``folder``: the number of errors."""
    from rammecalc.core.problems import Severity
    from rammecalc.importing.run import ImportRun, _check

    run = ImportRun("case")
    for table in imported:
        for f in table.files:
            target = folder / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f.text, encoding="utf-8")
            run.written.append(target)
    _check(run)
    return sum(1 for p in run.check_problems if p.severity is Severity.ERROR)


class Timeout(BaseException):  # (not an Exception: the reader must not catch it)
    pass


def _alarm(signum, frame):
    raise Timeout


def run_case(case: Case, keep_files: bool = False, timeout: float = TIMEOUT) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="import-stress-") as tmp:
        folder = Path(tmp)
        path = case_input(case, folder)
        t0 = time.process_time()
        armed = timeout > 0 and hasattr(signal, "SIGALRM")
        if armed:
            previous = signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            result, seconds = run_import(path)
        except Timeout:
            return Outcome("timeout", time.process_time() - t0, error=f"the import ran longer than {timeout:g} s")
        except Exception:  # noqa: BLE001 - a crash is what is counted
            return Outcome("crashed", error=traceback.format_exc(limit=-6))
        finally:
            if armed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        out = Outcome("correct", seconds)
        if keep_files:
            out.files = [(f.path, f.text) for t in result.tables for f in t.files]
        tables = result.tables
        out.notes += [f"skipped: {s}" for s in result.skipped]
        if not tables:
            out.cls = "refused"
            out.notes.append("no table imported (exit 2)")
            return out
        uncertain = [t for t in tables if not t.certain]
        for t in tables:
            out.notes.append(f"{t.kind}: certain={t.certain} placements={t.solutions}"
                             + "".join(f"; uncertain line {ln} ({lab}): {what}" for ln, lab, what in t.uncertain[:3]))
        if uncertain:
            out.cls = "flagged"
            t = uncertain[0]
            out.why = ("no placement adds up" if t.solutions == 0 else "several placements add up" if t.solutions > 1
                       else "a line could not be read")
            return out
        try:
            if len(tables) != 1:
                out.diffs.append(f"{len(tables)} tables imported from one")
            out.diffs += compare(case, tables[0], out.soft)
        except InvalidYaml as exc:
            return Outcome("crashed", seconds, error=f"a file written is not valid YAML: {exc}")
        except Exception:  # noqa: BLE001
            return Outcome("crashed", seconds, error="comparing: " + traceback.format_exc(limit=-6))
        if case.broken:
            # a table that cannot add up as printed: certain is fine only if check says it does not add up.
            # (Its relations are not compared: the break makes one of them false, and the reader rightly
            # finds the others from the figures; what counts is that the import says so.)
            errors = check_errors(tables, folder / "out")
            out.notes.append(f"check: {errors} errors")
            out.cls = "flagged" if errors else "wrong-silent"
            if not errors:
                what = [d for d in out.diffs if category(d) != "relation"]
                dropped = [s for s in out.soft if s.startswith("relation")]
                out.diffs = [f"the {case.broken} broke the table's arithmetic, and it imported certain and checks "
                             "clean" + (f" ({'; '.join(dropped)}, without a word)" if dropped else "")] + what
            return out
        if out.diffs:
            errors = check_errors(tables, folder / "out")
            out.notes.append(f"check: {errors} errors")
            out.cls = "wrong-check" if errors else "wrong-silent"
        return out


# ------------------------------------------------------------------------------------------ comparison


def _yaml(text: str):
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # (the loader rammecalc reads with)
        pass

    Loader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: D(loader.construct_scalar(node)))
    return yaml.load(text, Loader=Loader)


def norm(text) -> str:
    if text is None:
        return ""
    text = str(text)
    for ch in (NBSP, NNBSP, "\u2009", "\u2007", "\t"):
        text = text.replace(ch, " ")
    return " ".join(text.split())


def _value(v):
    if v is None:
        return None
    if isinstance(v, str):
        s = v.strip()
        if s in ("-", "–", "−"):
            return D(0)
        s = s.replace(" ", "").replace("\u2212", "-").replace(",", ".").rstrip("%")
        return D(s)
    return D(v)


def _same(truth_value, read_value, dash_blank: bool) -> bool:
    if truth_value == read_value:
        return True
    return dash_blank and truth_value is None and read_value == 0


def _map_diff(what: str, truth: dict, read: dict, dash_blank: bool) -> list[str]:
    keys = sorted(set(truth) | set(read), key=str)
    bad = [k for k in keys if not _same(truth.get(k), read.get(k), dash_blank)]
    if not bad:
        return []
    return [f"{what}: read {_show(read)}, truth {_show(truth)}"]


def _show(m: dict) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in m.items()) + "}"


def _ambiguous_convention(truth: Truth) -> bool:
    """Both conventions fit the printed start: the reader may say either."""
    cols = truth.year_columns
    start = next(r for r in truth.rows if r.role == "start").cells
    end = next(r for r in truth.rows if r.role == "new").cells
    chain = all(start[c] == end[p] for p, c in pairwise(cols))
    level = all(start[c] == start[cols[0]] for c in cols)
    return chain and level


class InvalidYaml(Exception):
    """A file the import wrote does not parse as YAML."""


def compare(case: Case, imported, soft: list[str]) -> list[str]:
    truth = case.truth
    try:
        files = {f.kind: _yaml(f.text) for f in imported.files}
    except Exception as exc:  # noqa: BLE001 - the reader wrote a file that is not YAML
        raise InvalidYaml(" ".join(str(exc).split())[:300]) from None
    dash_blank = case.style.blank == "dash"
    if truth.kind == "ramme":
        if imported.kind != "ramme":
            return [f"read as a {imported.kind}, not a frame"]
        return compare_frame(truth, files["ramme"], files["endringer"], dash_blank)
    if imported.kind != "tabell":
        return [f"read as a {imported.kind}, not a table"]
    return compare_table(truth, files["tabell"], soft, dash_blank)


def compare_frame(truth: Truth, frame: dict, changes: dict, dash_blank: bool) -> list[str]:
    diffs: list[str] = []
    cols = truth.year_columns
    years = [truth.columns[c].year for c in cols]
    read_years = [int(y) for y in frame.get("kolonner", {})]
    if read_years != years:
        return [f"years: read {read_years}, truth {years}"]

    def ymap(cells) -> dict:
        return {y: cells[c] for y, c in zip(years, cols) if cells[c] is not None}

    def rmap(m) -> dict:
        return {int(k): _value(v) for k, v in (m or {}).items()}

    rows = truth.rows
    start = next(r for r in rows if r.role == "start")
    end = next(r for r in rows if r.role == "new")
    u = frame["utgangspunkt"]
    if norm(u.get("etikett")) != norm(start.label):
        diffs.append(f"start label: read {u.get('etikett')!r}, truth {start.label!r}")
    diffs += _map_diff("start", ymap(start.cells), rmap(u.get("publisert")), False)
    # the split (Askøy's lead column: last year's budget and its adjustment, written as the split)
    if truth.lead:
        adj = [r for r in rows if r.role == "lead_adj"]
        want = [(start.label, {years[0]: start.cells[0]})] + [(r.label, {years[0]: r.cells[0]}) for r in adj]
    else:
        want = [(r.label, ymap(r.cells)) for r in rows if r.role == "split"]
    got = [(e.get("etikett"), rmap(e.get("beløp"))) for e in u.get("fordeling", [])]
    if len(want) != len(got):
        diffs.append(f"split: read {[g[0] for g in got]}, truth {[w[0] for w in want]}")
    else:
        for (wl, wm), (gl, gm) in zip(want, got):
            if not (norm(gl) == norm(wl) or (truth.lead and norm(gl).startswith(norm(wl)))):
                diffs.append(f"split label: read {gl!r}, truth {wl!r}")
            diffs += _map_diff(f"split {wl!r}", wm, gm, dash_blank)
    # groups, in order: each with items or a subtotal
    want_groups = []
    for g, info in enumerate(truth.groups):
        members = [r for r in rows if r.group == g and r.role == "item"]
        sub = next((r for r in rows if r.group == g and r.role in ("head", "sum")), None)
        if not members and sub is None:
            continue
        want_groups.append((info["label"], ymap(sub.cells) if sub is not None else None))
    got_groups = [(g.get("etikett"), rmap(g["publisert"]) if "publisert" in g else None)
                  for g in frame.get("grupper", [])]
    label_of = {g.get("id"): g.get("etikett") for g in frame.get("grupper", [])}
    if [norm(w[0]).rstrip(":").strip() for w in want_groups] != [norm(g[0]).rstrip(":").strip() for g in got_groups]:
        diffs.append(f"groups: read {[g[0] for g in got_groups]}, truth {[w[0] for w in want_groups]}")
    else:
        for (wl, wm), (_, gm) in zip(want_groups, got_groups):
            if wm is None and gm is None:
                continue
            diffs += _map_diff(f"subtotal {wl!r}", wm or {}, gm or {}, dash_blank)
    # items, in order, with their groups
    want_items = [(r.label, truth.groups[r.group]["label"] if r.group is not None else None, ymap(r.cells))
                  for r in rows if r.role == "item"]
    got_items = [(p.get("etikett"), label_of.get(p.get("gruppe")), rmap(p.get("beløp")))
                 for p in changes.get("poster", [])]
    if len(want_items) != len(got_items):
        diffs.append(f"items: read {len(got_items)} ({[g[0] for g in got_items]}), truth {len(want_items)} "
                     f"({[w[0] for w in want_items]})")
    else:
        for (wl, wg, wm), (gl, gg, gm) in zip(want_items, got_items):
            if norm(wl) != norm(gl):
                diffs.append(f"item label: read {gl!r}, truth {wl!r}")
            if norm(wg).rstrip(":") != norm(gg).rstrip(":"):
                diffs.append(f"item {wl!r} group: read {gg!r}, truth {wg!r}")
            diffs += _map_diff(f"item {wl!r}", wm, gm, dash_blank)
    n = frame["ny_driftsramme"]
    if norm(n.get("etikett")) != norm(end.label):
        diffs.append(f"new frame label: read {n.get('etikett')!r}, truth {end.label!r}")
    diffs += _map_diff("new frame", ymap(end.cells), rmap(n.get("publisert")), False)
    if frame.get("konvensjon") != truth.convention and not _ambiguous_convention(truth):
        diffs.append(f"convention: read {frame.get('konvensjon')}, truth {truth.convention}")
    if truth.unit and frame.get("beløpsenhet") != truth.unit:
        diffs.append(f"unit: read {frame.get('beløpsenhet')!r}, truth {truth.unit!r}")
    return diffs


def _expand(relations: dict[int, dict[int, int]], i: int, depth: int = 0) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for j, s in relations[i].items():
        if j in relations and depth < 30:
            for k, v in _expand(relations, j, depth + 1).items():
                out[k] += s * v
        else:
            out[j] += s
    return {k: v for k, v in out.items() if v}


def compare_table(truth: Truth, table: dict, soft: list[str], dash_blank: bool) -> list[str]:
    from rammecalc.core import table as table_core

    diffs: list[str] = []
    read_cols = table.get("kolonner", [])
    if len(read_cols) != len(truth.columns):
        return [f"columns: read {[c.get('etikett') for c in read_cols]}, truth {[c.label for c in truth.columns]}"]
    for tc, rc in zip(truth.columns, read_cols):
        is_text = rc.get("rolle") == "tekst"
        if is_text != (tc.kind != "amount"):
            diffs.append(f"column {tc.label!r}: read as {'text' if is_text else 'figures'}")
        if tc.kind == "amount" and tc.year is not None and rc.get("år") not in (None, tc.year):
            diffs.append(f"column {tc.label!r}: read year {rc.get('år')}, truth {tc.year}")
        if tc.kind == "amount" and tc.year is not None and rc.get("år") is None:
            soft.append(f"column {tc.label!r}: no year read")
    if diffs:
        return diffs
    ids = [c.get("id") for c in read_cols]
    read_rows = table.get("rader", [])
    # a row that prints no figure and no text is a heading to the reader (Porsgrunn's 4.07 Natthjem), and so
    # may be a row of dashes alone (nothing but zeros: "Næring og landbruk - -")
    headings = {norm(r["overskrift"]) for r in read_rows if "overskrift" in r}

    def nothing(r) -> bool:
        empty = all(c is None for c in r.cells)
        zeros = all(c in (None, 0) for c in r.cells) and norm((r.number or "") + " " + r.label) in headings
        return empty or zeros

    want = [(i, r) for i, r in enumerate(truth.rows) if r.role != "heading" and not nothing(r)]
    got = [(i, r) for i, r in enumerate(read_rows) if "overskrift" not in r]
    if len(want) != len(got):
        read = [norm(str(r.get("nr", "")) + " " + str(r.get("etikett", ""))) for _, r in got]
        return [f"rows: read {len(got)} ({read}), truth {len(want)} ({[norm((w.number or '') + ' ' + w.label) for _, w in want]})"]
    for (_, w), (_, g) in zip(want, got):
        wl = norm((w.number or "") + " " + w.label)
        gl = norm(str(g.get("nr", "")) + " " + str(g.get("etikett", "")))
        if wl != gl:
            diffs.append(f"row label: read {gl!r}, truth {wl!r}")
        amounts = g.get("beløp") or {}
        texts = g.get("tekst") or {}
        for c, col in enumerate(truth.columns):
            if col.kind == "amount":
                read = _value(amounts.get(ids[c]))
                if not _same(w.cells[c], read, dash_blank):
                    diffs.append(f"row {wl!r} {col.label!r}: read {read}, truth {w.cells[c]}")
            else:
                read = texts.get(ids[c])
                if norm(read) != norm(w.cells[c]):
                    diffs.append(f"row {wl!r} {col.label!r}: read text {read!r}, truth {w.cells[c]!r}")
    # relations, compared as what they add up to in the rows that are not results
    try:
        model = table_core.Table.model_validate(table)
    except Exception as exc:  # noqa: BLE001
        return diffs + [f"the table written does not validate: {str(exc).splitlines()[0]}"]
    names = table_core.Names(model)
    read_rel: dict[int, dict[int, int]] = {}
    for i, row in enumerate(model.rows):
        if row.sum is not None:
            members = table_core.row_members(model, i, names)
            if isinstance(members, str):
                diffs.append(f"relation of row {i + 1}: {members}")
                continue
            read_rel[i] = {m: 1 for m in members}
        elif row.formula is not None:
            parsed = table_core.parse_formula(row.formula, set(names.index))
            if isinstance(parsed, str):
                diffs.append(f"relation of row {i + 1}: {parsed}")
                continue
            found = {}
            for s, name in parsed:
                j = names.find(name)
                if isinstance(j, str):
                    diffs.append(f"relation of row {i + 1}: {j}")
                    break
                found[j] = found.get(j, 0) + s
            else:
                read_rel[i] = found
    # both sides by position among the rows that are not headings
    t_pos = {i: k for k, (i, _) in enumerate(want)}
    r_pos = {i: k for k, (i, _) in enumerate(got)}
    t_exp = {t_pos[i]: {t_pos[j]: s for j, s in _expand(truth.relations, i).items() if j in t_pos}
             for i in truth.relations if i in t_pos}
    r_exp = {r_pos[i]: {r_pos[j]: s for j, s in _expand(read_rel, i).items() if j in r_pos}
             for i in read_rel if i in r_pos}
    label = lambda k: norm((want[k][1].number or "") + " " + want[k][1].label) or f"row {k + 1}"
    for k in sorted(set(t_exp) | set(r_exp)):
        if k in t_exp and k not in r_exp:
            soft.append(f"relation of {label(k)!r} not found")
        elif k in r_exp and k not in t_exp:
            diffs.append(f"relation of {label(k)!r}: read {r_exp[k]}, but it is no result in the truth")
        elif t_exp[k] != r_exp[k]:
            diffs.append(f"relation of {label(k)!r}: read {_terms(r_exp[k], label)}, truth {_terms(t_exp[k], label)}")
    # the avvik column's formula
    if truth.avvik is not None:
        a, b, r, sign = truth.avvik
        rc = read_cols[a]
        formula = rc.get("formel")
        if not formula:
            soft.append("avvik formula not found")
        else:
            want_f = f"{ids[b]} - {ids[r]}" if sign > 0 else f"{ids[r]} - {ids[b]}"
            if norm(formula) != want_f:
                diffs.append(f"avvik: read {formula!r}, truth {want_f!r}")
    read_position = {rc.get("id"): j for j, rc in enumerate(read_cols)}
    for k, rc in enumerate(read_cols):
        if truth.avvik is not None and k == truth.avvik[0]:
            continue
        formula, want_terms = rc.get("formel"), truth.column_formulas.get(k)
        if not formula:
            if want_terms:
                soft.append(f"formula of column {rc.get('etikett')!r} not found")
            continue
        parsed = table_core.parse_formula(formula, set(read_position))
        got_terms = None if isinstance(parsed, str) else {read_position[n]: s for s, n in parsed}
        if want_terms is None:
            diffs.append(f"column {rc.get('etikett')!r}: read formula {formula!r}, none in the truth")
        elif got_terms != want_terms:
            diffs.append(f"column {rc.get('etikett')!r}: read formula {formula!r}, truth {want_terms}")
    if table.get("beløpsenhet") != truth.unit:
        diffs.append(f"unit: read {table.get('beløpsenhet')!r}, truth {truth.unit!r}")
    return diffs


def category(diff: str) -> str:
    """What kind of thing a difference is about, for the report."""
    rules = [("imported certain and checks clean", "broken-clean"), ("read text", "text"), ("label:", "label"), ("group", "group"), ("relation", "relation"),
             ("avvik:", "relation"), ("formula", "relation"), ("convention", "convention"), ("unit:", "unit"),
             ("years:", "columns"), ("columns:", "columns"), ("column ", "columns"), ("items: read", "rows"),
             ("rows: read", "rows"), ("tables imported", "rows"), ("read as a", "kind"), ("split:", "rows"),
             ("does not validate", "relation")]
    for needle, name in rules:
        if needle in diff:
            return name
    return "figures"


def _terms(terms: dict[int, int], label) -> str:
    return " ".join(f"{'+' if s > 0 else '-'}{'' if abs(s) == 1 else abs(s)}{label(k)!r}" for k, s in sorted(terms.items()))


# ------------------------------------------------------------------------------------------------ driver


def _work(args: tuple[int, int, list[str] | None, float]) -> tuple[Case, Outcome]:
    seed, index, only, timeout = args
    case = build_case(seed, index, only)
    return case, run_case(case, timeout=timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--start", type=int, default=0, help="the first case's index")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--only", help="variant classes, comma-separated (default: all)")
    parser.add_argument("--keep", type=Path, help="write each failing case there (.txt/.csv/.xlsx and .json)")
    parser.add_argument("--keep-flagged", action="store_true", help="with --keep: the flagged cases too")
    parser.add_argument("--replay", type=Path, help="rerun a kept case (its .json) and show everything")
    parser.add_argument("--case", help="build case SEED-INDEX again and show everything")
    parser.add_argument("--examples", type=int, default=3, help="examples shown per class and variant")
    parser.add_argument("--json", type=Path, help="write every case's result there")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="stop an import after this many seconds "
                        "(0: never)")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args.replay)
    if args.case:
        seed, index = (int(x) for x in args.case.split("-"))
        case = build_case(seed, index, args.only.split(",") if args.only else None)
        return show(case, run_case(case, keep_files=True))
    only = [v.strip() for v in args.only.split(",")] if args.only else None
    for v in only or []:
        if v not in VARIANTS + BROKEN:
            parser.error(f"unknown variant class {v!r}; the classes: {', '.join(VARIANTS + BROKEN)}")
    work = [(args.seed, i, only, args.timeout) for i in range(args.start, args.start + args.count)]
    t0 = time.perf_counter()
    results: list[tuple[Case, Outcome]] = []
    if args.jobs > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            results = list(pool.imap(_work, work, chunksize=4))
    else:
        results = [_work(w) for w in work]
    elapsed = time.perf_counter() - t0
    return report(results, elapsed, args)


def report(results: list[tuple[Case, Outcome]], elapsed: float, args) -> int:
    table: dict[str, Counter] = defaultdict(Counter)
    by_source: dict[str, Counter] = defaultdict(Counter)
    slow: Counter = Counter()
    soft: Counter = Counter()
    examples: dict[tuple[str, str], list[tuple[Case, Outcome]]] = defaultdict(list)
    for case, out in results:
        table[case.variant][out.cls] += 1
        by_source[case.source if not case.broken else "broken"][out.cls] += 1
        if out.seconds > SLOW:
            slow[case.variant] += 1
            examples[("slow", case.variant)].append((case, out))
        for s in out.soft:
            soft[s.split(":")[0].split(" of ")[0]] += 1
        if out.cls in ("wrong-silent", "wrong-check", "crashed", "timeout") or (out.cls == "flagged" and args.keep_flagged):
            examples[(out.cls, case.variant)].append((case, out))
    n = len(results)
    print(f"{n} cases (seed {args.seed}) in {elapsed:.1f} s; CPU per import: median "
          f"{sorted(o.seconds for _, o in results)[n // 2]:.3f} s, max {max(o.seconds for _, o in results):.2f} s")
    head = f"{'variant class':18}" + "".join(f"{c:>13}" for c in CLASSES) + f"{'slow':>8}{'cases':>8}"
    print(head)
    print("-" * len(head))
    totals: Counter = Counter()
    for variant in VARIANTS + BROKEN:
        if variant not in table:
            continue
        row = table[variant]
        totals.update(row)
        if variant == BROKEN[0]:
            print("-" * len(head))
        print(f"{variant:18}" + "".join(f"{row[c]:>13}" for c in CLASSES) + f"{slow[variant]:>8}{sum(row.values()):>8}")
    print("-" * len(head))
    print(f"{'all':18}" + "".join(f"{totals[c]:>13}" for c in CLASSES) + f"{sum(slow.values()):>8}{n:>8}")
    print()
    print("by source: " + "; ".join(f"{s}: " + ", ".join(f"{c} {cnt[c]}" for c in CLASSES if cnt[c])
                                    for s, cnt in sorted(by_source.items())))
    if soft:
        print("not found (not counted wrong): " + ", ".join(f"{k} {v}" for k, v in soft.most_common()))
    why = Counter(out.why for _, out in results if out.cls == "flagged")
    if why:
        print("flagged, by why: " + ", ".join(f"{k} {v}" for k, v in why.most_common()))
    kinds: dict[str, Counter] = defaultdict(Counter)
    for case, out in results:
        if out.cls in ("wrong-silent", "wrong-check"):
            for kind in {category(d) for d in out.diffs}:
                kinds[out.cls][kind] += 1
    for cls, counter in sorted(kinds.items()):
        print(f"{cls}, cases by what differs: " + ", ".join(f"{k} {v}" for k, v in counter.most_common()))
    for (cls, variant), items in sorted(examples.items()):
        if cls == "flagged":
            continue
        print(f"\n== {cls} · {variant}: {len(items)}")
        for case, out in items[:args.examples]:
            print(f"  case {case.id} ({case.source}: {case.truth.name}; --case {case.id})")
            for d in (out.diffs or [out.error or ""])[:4]:
                for line in str(d).splitlines()[-4:]:
                    print(f"    {line}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        kept = 0
        for items in examples.values():
            for case, out in items:
                keep(case, out, args.keep)
                kept += 1
        print(f"\nkept {kept} cases in {args.keep}")
    if args.json:
        args.json.write_text(json.dumps([{"id": c.id, "variant": c.variant, "source": c.source, "truth": c.truth.name,
                                          "class": o.cls, "why": o.why, "seconds": round(o.seconds, 4),
                                          "diffs": o.diffs,
                                          "soft": o.soft, "notes": o.notes, "error": o.error}
                                         for c, o in results], ensure_ascii=False, indent=1), encoding="utf-8")
    bad = totals["wrong-silent"] + totals["wrong-check"] + totals["crashed"]
    return 1 if bad else 0


def keep(case: Case, out: Outcome, folder: Path) -> None:
    path = case_input(case, folder)
    data = {"id": case.id, "variant": case.variant, "source": case.source, "format": case.format,
            "input": path.name, "broken": case.broken, "style": case.style.to_json(),
            "truth": case.truth.to_json(), "original": case.original.to_json() if case.original else None,
            "class": out.cls, "diffs": out.diffs, "soft": out.soft, "notes": out.notes, "error": out.error}
    (folder / f"{case.id}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def replay(path: Path) -> int:
    if path.suffix != ".json":
        path = path.with_suffix(".json")
    data = json.loads(path.read_text(encoding="utf-8"))
    case = Case(data["id"], data["variant"], data["source"], Truth.from_json(data["truth"]),
                Style(**data["style"]), data["format"], data["broken"],
                Truth.from_json(data["original"]) if data.get("original") else None)
    source = path.parent / data["input"]
    with tempfile.TemporaryDirectory() as tmp:
        # the kept input as it is (it may have been edited to make it smaller)
        copy = Path(tmp) / source.name
        copy.write_bytes(source.read_bytes())
        out = _run_on(case, copy)
    return show(case, out, source)


def _run_on(case: Case, path: Path) -> Outcome:
    """:func:`run_case` on a given input file rather than the one the case renders."""
    original = case_input
    try:
        globals()["case_input"] = lambda c, folder: path
        return run_case(case, keep_files=True)
    finally:
        globals()["case_input"] = original


def show(case: Case, out: Outcome, source: Path | None = None) -> int:
    print(f"case {case.id}: {case.variant} · {case.source} ({case.truth.name})" + (f" · broken: {case.broken}"
                                                                                     if case.broken else ""))
    if source is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = case_input(case, Path(tmp))
            text = path.read_text(encoding="utf-8") if case.format != "xlsx" else "(an xlsx workbook)"
    else:
        text = source.read_text(encoding="utf-8") if source.suffix != ".xlsx" else "(an xlsx workbook)"
    print("---- input " + "-" * 60)
    print(text.rstrip("\n"))
    for name, body in out.files:
        print(f"---- {name} " + "-" * 40)
        print("\n".join(line for line in body.splitlines() if not line.startswith("#")))
    print("---- result " + "-" * 60)
    print(f"class: {out.cls}   CPU {out.seconds:.3f} s")
    for note in out.notes:
        print(f"  note: {note}")
    for d in out.diffs:
        print(f"  DIFF: {d}")
    for s in out.soft:
        print(f"  not found: {s}")
    if out.error:
        print(out.error)
    return 1 if out.cls in ("wrong-silent", "wrong-check", "crashed") else 0


if __name__ == "__main__":
    sys.exit(main())
