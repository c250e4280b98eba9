#!/usr/bin/env python3
"""How ``rammecalc`` scales with the size of one input: seconds per 1 000 items as the input grows.

    python bench/scale.py [--quick] [--max N] [--repeats R] [--timeout SECONDS] [--only CASE,...]

For each case it writes a synthetic input of N units (N = 1 000, 10 000, 100 000; ``--quick`` stops at
10 000, ``--max`` caps N), runs ``rammecalc check --no-cache`` and ``rammecalc roll`` on it as whole
processes, and prints a line per case, command and size: the wall time, the CPU time (user and system, from
``os.wait4``: the machine may be shared, and CPU time varies much less with what else runs), the net CPU time
(less that of the same command on the case's 1-unit input: the start-up and the fixed cost), that per 1 000
units, the exit status and the peak memory (``ru_maxrss``); of several runs, the one with the least CPU time
counts. Then a verdict per case and command: "linear" when the net time per 1 000 units at the largest size
is at most twice that at the smallest (a net time under 0.05 s counting as 0.05 s, the noise of a process
start), else "grows".

The cases:

    items      a frame whose changes file has N items (one frame; subtotals and new frames printed)
    rows       a table (type: tabell) with N rows and a printed total
    accounts   an accounts table with N rows (regnskap, budsjett, avvik = budsjett - regnskap) and a total
    chain      a frame whose groups are chained by 'under:' N deep: refused (exit 2), past 20 levels, at once
    columns    a frame with 10, 100 and 300 columns (years) and 30 items; per column, not per 1 000
    problems   a table with N unknown keys: N input problems (exit 2)
    spaces     a table with one line of a word, N spaces and a word (N = 10 000 to 1 000 000)

Every input adds up (the printed figures are computed here with integers), so a check exits 0 except in
the chain and problems cases (2). Only the standard library; ``rammecalc`` is the one beside this Python
(``Path(sys.executable).parent / "rammecalc"``, else ``python -m rammecalc``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

NOISE = 0.05  # seconds: how much the start of a process varies between runs here
HEADER = "# Synthetic input written by bench/scale.py (not a published table).\n"


def command() -> list[str]:
    beside = Path(sys.executable).parent / "rammecalc"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "rammecalc"]


# ------------------------------------------------------------------------------------------- the inputs


def write_items(folder: Path, n: int, columns: int = 5) -> Path:
    """A frame (incremental, ``columns`` years) whose changes file has ``n`` items in 10 groups, with every
    subtotal and new frame printed."""
    years = list(range(2020, 2020 + columns)) if columns <= 180 else list(range(1900, 1900 + columns))
    groups = [f"g{i}" for i in range(min(10, max(1, n)))]
    start = 100_000
    items = []
    subtotal = {(g, y): 0 for g in groups for y in years}
    totals = dict.fromkeys(years, 0)
    for i in range(n):
        group = groups[i % len(groups)]
        amounts = {}
        for k, y in enumerate(years):
            if (i + k) % 3 == 0:
                value = (i * 7 + k * 13) % 200 - 100
                amounts[y] = value
                subtotal[group, y] += value
                totals[y] += value
        items.append((f"p{i}", f"Post {i}", group, amounts))
    new_frame, base = {}, start
    for y in years:
        new_frame[y] = base + totals[y]
        base = new_frame[y]

    def mapping(values: dict) -> str:
        return "{" + ", ".join(f"{k}: {v}" for k, v in values.items()) + "}"

    frame = [HEADER, "type: ramme", "id: skala", "kommune: Skala kommune", "enhet: Skalering",
             "kilde: {dokument: bench/scale.py}", "beløpsenhet: 1 000 kr", "konvensjon: inkrementell",
             "kolonner: " + mapping({y: f"'År {y}'" for y in years}),
             f"utgangspunkt: {{etikett: Utgangspunkt, beløp: {start}}}", "grupper:"]
    frame += [f"  - {{id: {g}, etikett: Gruppe {g}, publisert: {mapping({y: subtotal[g, y] for y in years})}}}"
              for g in groups]
    frame += [f"ny_driftsramme: {{etikett: Ny driftsramme, publisert: {mapping(new_frame)}}}",
              "endringer: [../changes/skala.yaml]"]
    changes = [HEADER, "type: endringer", "ramme: skala", "kilde: {dokument: bench/scale.py}", "poster:"]
    changes += [f"  - {{id: {i}, etikett: {label}, kategori: annet, gruppe: {g}, beløp: {mapping(a)}}}"
                for i, label, g, a in items]
    (folder / "frames").mkdir(parents=True, exist_ok=True)
    (folder / "changes").mkdir(parents=True, exist_ok=True)
    (folder / "frames" / "skala.yaml").write_text("\n".join(frame) + "\n", encoding="utf-8")
    (folder / "changes" / "skala.yaml").write_text("\n".join(changes) + "\n", encoding="utf-8")
    return folder / "frames" / "skala.yaml"


def write_columns(folder: Path, n: int) -> Path:
    return write_items(folder, 30, columns=n)


def _table(rows: list[str], total: int, extra: list[str] = ()) -> str:
    """A table (type: tabell) of one column, its rows and a printed total."""
    lines = [HEADER, "type: tabell", "id: skala-sum", "kommune: Skala kommune", "enhet: Skalering",
             "kilde: {dokument: bench/scale.py}", "beløpsenhet: kr", "kolonner: [{id: a, etikett: Beløp}]", *extra,
             "rader:", *rows, f"  - {{etikett: Til sammen, sum: alle, beløp: [{total}]}}"]
    return "\n".join(lines) + "\n"


def write_rows(folder: Path, n: int) -> Path:
    values = [(i * 37) % 1000 for i in range(n)]
    rows = [f"  - {{etikett: Rad {i}, beløp: [{v}]}}" for i, v in enumerate(values)]
    path = folder / "sum.yaml"
    path.write_text(_table(rows, sum(values)), encoding="utf-8")
    return path


def write_accounts(folder: Path, n: int) -> Path:
    """An accounts table with ``n`` rows (regnskap, budsjett, avvik as printed) and a printed total."""
    rows, total = [], [0, 0, 0]
    for i in range(n):
        spent, budget = 1000 + (i * 37) % 500, 1200 + (i * 53) % 400
        rows.append(f"  - {{etikett: Rad {i}, beløp: [{spent}, {budget}, {budget - spent}]}}")
        total = [total[0] + spent, total[1] + budget, total[2] + budget - spent]
    lines = [HEADER, "type: tabell", "id: skala-regnskap", "kommune: Skala kommune", "enhet: Skalering",
             "kilde: {dokument: bench/scale.py}", "beløpsenhet: 1 000 kr",
             "kolonner:", "  - {id: regnskap, rolle: regnskap, etikett: Regnskap}",
             "  - {id: budsjett, rolle: budsjett, etikett: Budsjett}",
             "  - {id: avvik, rolle: avvik, etikett: Avvik, formel: budsjett - regnskap}",
             "rader:", *rows, f"  - {{etikett: Sum, sum: alle, beløp: [{total[0]}, {total[1]}, {total[2]}]}}"]
    path = folder / "sum.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_chain(folder: Path, n: int) -> Path:
    """A frame whose groups are chained by 'under:' n deep, its items in the deepest: refused past the
    20 levels a table may nest its headings, at once (the refusal's time is what is measured)."""
    path = write_items(folder, 10)
    text = path.read_text(encoding="utf-8")
    groups = "grupper:\n" + "".join(f"  - {{id: g{i}, etikett: Gruppe {i}" + (f", under: g{i - 1}}}\n" if i else "}\n")
                                    for i in range(n))
    head, _, rest = text.partition("grupper:\n")
    rest = rest[rest.index("ny_driftsramme:"):].replace(rest[rest.index("ny_driftsramme:"):].split("\n")[0],
                                                        "ny_driftsramme: {etikett: Ny driftsramme}")
    path.write_text(head + groups + rest, encoding="utf-8")
    changes = path.parent.parent / "changes" / "skala.yaml"
    changes.write_text(re.sub(r"gruppe: g\d+", f"gruppe: g{n - 1}", changes.read_text(encoding="utf-8")),
                       encoding="utf-8")
    return path


def write_problems(folder: Path, n: int) -> Path:
    rows = ["  - {etikett: Rad, beløp: [1]}"]
    path = folder / "sum.yaml"
    path.write_text(_table(rows, 1, [f"ukjent{i}: {i}" for i in range(n)]), encoding="utf-8")
    return path


def write_spaces(folder: Path, n: int) -> Path:
    """A table whose row label runs on to a second line of a word, n spaces and a word: a line the fast YAML
    reader tries as a key, once, whatever its length (before, every split of it: quadratic)."""
    rows = ["  - etikett: Rad", "      a" + " " * n + "b", "    beløp: [1]"]
    path = folder / "sum.yaml"
    path.write_text(_table(rows, 1), encoding="utf-8")
    return path


@dataclass
class Case:
    name: str
    write: Callable[[Path, int], Path]
    sizes: tuple[int, ...]
    unit: str  # what N counts
    per: int  # per how many units the time is given
    expect: int  # the exit status of check on a good run
    bisect: bool = False  # find the largest size that works, when one fails


CASES = [
    Case("items", write_items, (1_000, 10_000, 100_000), "items", 1000, 0),
    Case("rows", write_rows, (1_000, 10_000, 100_000), "rows", 1000, 0),
    Case("accounts", write_accounts, (1_000, 10_000, 100_000), "rows", 1000, 0),
    Case("chain", write_chain, (1_000, 10_000, 100_000), "levels", 1000, 2),
    Case("columns", write_columns, (10, 100, 300), "columns", 1, 0),
    Case("problems", write_problems, (1_000, 10_000, 100_000), "problems", 1000, 2),
    Case("spaces", write_spaces, (10_000, 100_000, 1_000_000), "spaces", 1000, 0),
]

# ------------------------------------------------------------------------------------------- measuring


@dataclass
class Measure:
    seconds: float  # wall time
    cpu: float  # the process's user and system time: what the verdict uses (the machine may be shared)
    exit: int | None  # None: killed at the timeout
    rss_mib: float
    output: int  # bytes written to stdout and stderr


def run(args: list[str], cwd: Path, timeout: float) -> Measure:
    """One process, timed from outside; its CPU time and peak resident set from the kernel."""
    with tempfile.TemporaryFile() as out:
        env = dict(os.environ, RAMMECALC_NO_PROGRESS="1", NO_COLOR="1")
        env.pop("COLUMNS", None)
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=out, env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                process.returncode = -9
                return Measure(time.perf_counter() - started, usage.ru_utime + usage.ru_stime, None,
                               usage.ru_maxrss / 1024, out.tell())
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        return Measure(seconds, usage.ru_utime + usage.ru_stime, process.returncode, usage.ru_maxrss / 1024,
                       out.seek(0, 2))


def measure(case: Case, size: int, verb: str, base: Path, timeout: float, repeats: int) -> Measure:
    folder = base / f"{case.name}-{size}"
    if not folder.exists():
        folder.mkdir(parents=True)
        case.write(folder, size)
    path = {"items": "frames/skala.yaml", "columns": "frames/skala.yaml"}.get(case.name, "sum.yaml")
    args = [*command(), *(["check", "--no-cache"] if verb == "check" else ["roll"]), path]
    runs = [run(args, folder, timeout) for _ in range(repeats)]
    return min(runs, key=lambda m: m.cpu)  # the fastest: the others were slowed by whatever else ran


def _per(case: Case) -> str:
    return f"1 000 {case.unit}" if case.per == 1000 else case.unit.rstrip("s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes up to 10 000 (columns up to 300), two runs "
                        "each above 1 000")
    parser.add_argument("--max", type=int, help="no size above this")
    parser.add_argument("--repeats", type=int, default=3, help="runs per size up to 10 000 (the fastest counts; "
                        "default 3)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a run is stopped (default 600)")
    parser.add_argument("--only", help="cases, comma-separated: " + ", ".join(c.name for c in CASES))
    parser.add_argument("--keep", help="write the inputs into this folder and keep them")
    args = parser.parse_args(argv)
    cap = args.max if args.max is not None else (10_000 if args.quick else None)
    chosen = [c for c in CASES if not args.only or c.name in args.only.split(",")]
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rammecalc-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"rammecalc scale: {' '.join(command())}, {os.cpu_count()} cores; cpu = the process's user + system "
          "time; net = cpu less that of the same command on the case's 1-unit input")
    verdicts = []
    try:
        for case in chosen:
            sizes = [s for s in case.sizes if cap is None or s <= cap or case.name == "columns"]
            for verb in ("check", "roll"):
                floor = measure(case, 1, verb, base, args.timeout, max(args.repeats, 3))
                per_unit: list[tuple[int, float]] = []
                failed_at = None
                for size in sizes:
                    repeats = (args.repeats if size <= 1_000 else min(args.repeats, 2) if args.quick
                               else args.repeats if size <= 10_000 else 1)
                    m = measure(case, size, verb, base, args.timeout, repeats)
                    net = max(m.cpu - floor.cpu, 0.0)
                    per = net / (size / case.per)
                    ok = m.exit == case.expect or (verb == "roll" and case.expect == 2 and m.exit == 2)
                    status = "timeout" if m.exit is None else f"exit {m.exit}"
                    print(f"  {case.name:<9} {verb:<5} {size:>7} {case.unit:<9} wall {m.seconds:7.2f} s  cpu "
                          f"{m.cpu:7.2f} s  net {net:7.2f} s  {per:8.4f} s per {_per(case)}  {status:<8} "
                          f"{m.rss_mib:5.0f} MiB{'' if ok else '  FAILED'}", flush=True)
                    if not ok:
                        failed_at = (size, status)
                        break
                    per_unit.append((size, per))
                if failed_at and case.bisect:
                    good, bad = (per_unit[-1][0] if per_unit else 1), failed_at[0]
                    while bad - good > max(1, good // 50):
                        mid = (good + bad) // 2
                        m = measure(case, mid, verb, base, args.timeout, 1)
                        if m.exit == case.expect:
                            good = mid
                        else:
                            bad = mid
                    print(f"  {case.name:<9} {verb:<5} fails at {failed_at[0]} {case.unit} ({failed_at[1]}); "
                          f"the deepest that works: {good} (fails from {bad})")
                if len(per_unit) >= 2:
                    # a net time under NOISE is within what a process start varies by: it counts as NOISE
                    small = max(per_unit[0][1], NOISE / (per_unit[0][0] / case.per))
                    large = per_unit[-1][1]
                    grows = large > 2 * small
                    word = "grows" if grows else "linear"
                    ratio = f"{large / small:.1f}×"
                    verdict = (f"{case.name} {verb}: {word} (net time per {_per(case)} at {per_unit[-1][0]}: {ratio} "
                               f"that at {per_unit[0][0]})")
                elif failed_at:
                    verdict = f"{case.name} {verb}: fails at {failed_at[0]} {case.unit} ({failed_at[1]})"
                else:
                    verdict = f"{case.name} {verb}: one size only"
                if failed_at and len(per_unit) >= 2:
                    verdict += f"; fails at {failed_at[0]} {case.unit} ({failed_at[1]})"
                verdicts.append(verdict)
                print(f"  → {verdict}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print("verdicts:")
    for v in verdicts:
        print(f"  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
