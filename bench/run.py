#!/usr/bin/env python3
"""Benchmark ``rammecalc``: check a synthetic corpus, and the start-up cost of two short commands.

    python bench/run.py [--corpus DIR] [--small] [--repeats 7] [--json FILE] [--strict]

Every figure is a whole process timed from outside (wall clock), as a user would wait for it:

1. ``rammecalc check`` on the corpus written by ``bench/make_corpus.py`` (built first if DIR holds no
   corpus with the wanted size; DIR defaults to a temporary folder, removed afterwards):
   * cold: nothing cached (``--no-cache`` if the CLI has it, else an empty ``--cache-dir`` if it has that,
     else a fresh ``XDG_CACHE_HOME``),
   * first: a plain run that may fill the cache (only when the CLI has a cache option),
   * warm: after one frame file changed (a label, not a figure), a plain run again,
   * tenth: cold, on the first tenth of the municipality folders.
   Each reports wall time, items per second and the peak memory of the whole process tree, and must
   report exactly the injected errors (file, line, column, year, published and computed figure) and
   nothing else (warnings are counted, not compared); the summary line must count every file, frame and
   published figure. Otherwise the script exits 1.
2. ``rammecalc --help`` against a bare two-command typer app's ``--help``, and ``rammecalc roll`` of seed
   000 against ``python -c "import typer, yaml, rich.table; from pydantic import BaseModel"``, the import
   floor of the stack: the median of ``--repeats`` runs each, interleaved, after one warm-up run; printed as
   ratios. Beside them, for context, a bare typer command on the same stack that reads the seed file and
   prints a rich table: what running any command costs before rammecalc does anything of its own.

``--small`` uses a tiny corpus (4 municipalities × 5 units) and is what the test suite runs. The targets
(on a 2-core machine) are printed with each figure; ``--strict`` makes a missed target exit 4. The
``rammecalc`` used is the one beside this Python (``Path(sys.executable).parent / "rammecalc"``), else
``python -m rammecalc``; set PYTHONPATH to measure another source tree.

Peak memory: the child is waited for with ``os.wait4``, whose ``ru_maxrss`` is the largest single process
of its tree; a sampler thread also sums the resident set size of every process in the tree every 0.1 s,
which counts worker processes running side by side (pages they share are counted once per process, so
this errs high). The larger of the two is reported.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import make_corpus

FULL = {"municipalities": 356, "units": 40, "columns": 5, "items": 30, "errors": 25}
SMALL = {"municipalities": 4, "units": 5, "columns": 5, "items": 30, "errors": 6}
SEED = 2024
ROLL_FILE = "data/frames/molde-2017-ressurstjenesten.yaml"
IMPORT_FLOOR = "import typer, yaml, rich.table; from pydantic import BaseModel"
BARE_APP = '''\
"""A bare two-command typer app: the --help baseline."""
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "verden") -> None:
    """Say hello."""
    typer.echo(f"hei {name}")


@app.command()
def bye() -> None:
    """Say goodbye."""
    typer.echo("ha det")


if __name__ == "__main__":
    app()
'''

BARE_COMMAND = '''\
"""The same stack doing the least a roll does: a typer command that takes a file, reads it with yaml's
C loader and prints a rich table. What any command of a typer (>= 0.2x) + yaml + rich app costs to run."""
from pathlib import Path

import typer

app = typer.Typer()


@app.command()
def show(path: Path) -> None:
    """Print the file's top-level keys as a table."""
    import yaml
    from rich.console import Console
    from rich.table import Table

    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    table = Table("nøkkel", "verdi")
    for key, value in data.items():
        table.add_row(str(key), str(value)[:60])
    Console().print(table)


@app.command()
def bye() -> None:
    """Say goodbye."""
    typer.echo("ha det")


if __name__ == "__main__":
    app()
'''

# Targets on a 2-core machine (issue: "Targets").
COLD_SECONDS = 45.0
PEAK_BYTES = 2 * 1024**3
WARM_SECONDS = 3.0
HELP_RATIO = 1.2
ROLL_RATIO = 1.3

_PAGE = os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------------------------- measuring


@dataclass
class Run:
    argv: list[str]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    peak_bytes: int = 0
    maxrss_bytes: int = 0  # largest single process (wait4)
    tree_bytes: int = 0  # largest sampled sum over the tree
    processes: int = 1  # most processes seen at once in the tree


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: the fields start after the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _memory(pid: int) -> int:
    """The resident set size of ``pid`` (statm: cheap; smaps_rollup's PSS costs ~30 ms on a 2 GiB process and
    holds the process's memory map lock, which would slow the very thing measured)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except OSError:
        return 0


class _Sampler(threading.Thread):
    """Sums the memory of a process and all its descendants every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.processes = 1
        self.stopped = threading.Event()
        self.enabled = os.path.isdir("/proc/self")

    def run(self) -> None:
        while self.enabled and not self.stopped.is_set():
            children = _children_map()
            tree, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += children.get(pid, [])
            self.peak = max(self.peak, sum(_memory(p) for p in tree))
            self.processes = max(self.processes, len(tree))
            self.stopped.wait(self.interval)


def measure(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
            sample: bool = True) -> Run:
    """Run ``argv`` as a whole process: wall time, exit code, output, and peak memory of its tree."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = _Sampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stopped.set()
            sampler.join()
        out.seek(0)
        err.seek(0)
        run = Run(argv, seconds, proc.returncode, out.read().decode("utf-8", "replace"),
                  err.read().decode("utf-8", "replace"))
    run.maxrss_bytes = usage.ru_maxrss * 1024  # kilobytes on Linux
    if sampler:
        run.tree_bytes, run.processes = sampler.peak, sampler.processes
    run.peak_bytes = max(run.maxrss_bytes, run.tree_bytes)
    return run


def median_time(commands: dict[str, list[str]], repeats: int, cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """The median wall time of each command over ``repeats`` runs, interleaved, after one warm-up run each."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for name, argv in commands.items():
        warm = measure(argv, cwd, env, sample=False)
        if warm.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {warm.returncode}:\n{warm.stderr or warm.stdout}")
    for _ in range(repeats):
        for name, argv in commands.items():
            times[name].append(measure(argv, cwd, env, sample=False).seconds)
    return {name: statistics.median(values) for name, values in times.items()}


# --------------------------------------------------------------------------------------- the CLI


def rammecalc_command() -> list[str]:
    script = Path(sys.executable).parent / "rammecalc"
    return [str(script)] if script.is_file() and os.access(script, os.X_OK) else [sys.executable, "-m", "rammecalc"]


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("COLUMNS", "120")
    env.pop("RAMMECALC_DEBUG", None)
    # Bytecode as an installed package has it (pip compiles at install): with this set, a source tree's
    # edited modules would be compiled again on every run, and a start-up figure would time the compiler.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@dataclass
class Capabilities:
    no_cache: bool
    cache_dir: bool
    cache_env: list[str]

    @property
    def caches(self) -> bool:
        return self.no_cache or self.cache_dir or bool(self.cache_env)


def capabilities(cli: list[str], env: dict[str, str]) -> Capabilities:
    """What ``rammecalc check`` offers for its cache, asked at run time.

    An option is there if ``check OPTION --help`` exits 0 (click stops at an unknown option before it
    reaches ``--help``). Environment variables come from the help text (typer prints ``env var: NAME``).
    """
    wide = {**env, "COLUMNS": "400", "TERM": "dumb", "NO_COLOR": "1"}

    def accepts(*option: str) -> bool:
        return subprocess.run([*cli, "check", *option, "--help"], env=wide, capture_output=True,
                              check=False).returncode == 0

    help_text = subprocess.run([*cli, "check", "--help"], env=wide, capture_output=True, text=True,
                               check=False).stdout
    envs = sorted(set(re.findall(r"env var:\s*([A-Z][A-Z0-9_]*CACHE[A-Z0-9_]*)", help_text)))
    return Capabilities(accepts("--no-cache"), accepts("--cache-dir", str(Path(tempfile.gettempdir()))), envs)


# ---------------------------------------------------------------------------------- the findings


_LINE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$")
_FIGURES = re.compile(r"(?P<year>\d{4}): published (?P<published>.+?), computed (?P<computed>.+?)"
                      r"(?: as the start)? \(difference ")
_SUMMARY = re.compile(r"checked (?P<files>\d+) files?\b.*?(?P<frames>\d+) (?:frames?|tables?)\b.*?"
                      r"(?P<figures>\d+) published figures?")


def _number(text: str) -> int | None:
    text = re.sub(r"\s", "", text).replace("−", "-").replace("–", "-")
    return int(text) if re.fullmatch(r"[-+]?\d+", text) else None


@dataclass
class Verdict:
    ok: bool
    errors: int = 0
    warnings: int = 0
    problems: list[str] = field(default_factory=list)


def verify(run: Run, corpus: Path, expected_errors: list[dict], expected: dict[str, int]) -> Verdict:
    """Are the errors reported exactly the injected ones, and was everything counted?"""
    verdict = Verdict(ok=True)
    wanted = {(e["file"], e["line"], e["column"]): e for e in expected_errors}
    found: dict[tuple[str, int, int], str] = {}
    for line in run.stdout.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        if match["rest"].startswith("warning: "):
            verdict.warnings += 1
            continue
        path = Path(match["file"])
        path = path if path.is_absolute() else corpus / path
        try:
            rel = path.resolve().relative_to(corpus.resolve()).as_posix()
        except ValueError:
            rel = match["file"]
        found[(rel, int(match["line"]), int(match["col"]))] = match["rest"]
    verdict.errors = len(found)

    for where in sorted(wanted.keys() - found.keys()):
        e = wanted[where]
        verdict.problems.append(f"missed: {where[0]}:{where[1]}:{where[2]} ({e['kind']} {e['year']}, "
                                f"published {e['published']}, true {e['true']})")
    for where in sorted(found.keys() - wanted.keys()):
        verdict.problems.append(f"not injected: {where[0]}:{where[1]}:{where[2]}: {found[where]}")
    for where in sorted(found.keys() & wanted.keys()):
        e, message = wanted[where], found[where]
        figures = _FIGURES.search(message)
        if not figures:
            verdict.problems.append(f"unreadable message at {where[0]}:{where[1]}:{where[2]}: {message}")
            continue
        got = (int(figures["year"]), _number(figures["published"]), _number(figures["computed"]))
        if got != (e["year"], e["published"], e["true"]):
            verdict.problems.append(f"wrong figures at {where[0]}:{where[1]}:{where[2]}: reported year {got[0]}, "
                                    f"published {got[1]}, computed {got[2]}; injected year {e['year']}, "
                                    f"published {e['published']}, true {e['true']}")
    if run.returncode != (1 if wanted else 0):
        verdict.problems.append(f"exit code {run.returncode}, expected {1 if wanted else 0}"
                                + (f"; stderr: {run.stderr.strip()[-2000:]}" if run.stderr.strip() else ""))
    summary = _SUMMARY.search(run.stdout)
    if summary is None:
        verdict.problems.append("no summary line ('checked N files, …') in the output")
    else:
        for key, name in (("files", "files"), ("frames", "frames"), ("figures", "published_figures")):
            if int(summary[key]) != expected[name]:
                verdict.problems.append(f"the summary counts {summary[key]} {key}, the corpus has {expected[name]}")
    verdict.ok = not verdict.problems
    return verdict


# -------------------------------------------------------------------------------------- the corpus


def ensure_corpus(folder: Path, size: dict[str, int], seed: int) -> dict:
    """The corpus in ``folder``: reused if it was made with these arguments, else written."""
    manifest_path = folder / "injected.json"
    wanted = {**size, "seed": seed}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if (manifest.get("format") == make_corpus.FORMAT and manifest.get("arguments") == wanted
                and manifest.get("generator_sha256") == make_corpus.generator_hash()):
            print(f"corpus: reusing {folder}", flush=True)
            return manifest
    print(f"corpus: writing {size['municipalities']} municipalities × {size['units']} units × {size['columns']} "
          f"columns × {size['items']} items to {folder} …", flush=True)
    start = time.perf_counter()
    manifest = make_corpus.generate(folder, seed=seed, **size)
    print(f"corpus: written in {time.perf_counter() - start:.1f} s", flush=True)
    return manifest


def _subset(manifest: dict, dirs: list[str]) -> tuple[list[dict], dict[str, int]]:
    chosen = set(dirs)
    errors = [e for e in manifest["errors"] if e["file"].split("/", 1)[0] in chosen]
    counts = {k: sum(manifest["per_municipality"][d][k] for d in dirs)
              for k in ("files", "frames", "published_figures", "items")}
    return errors, counts


# ------------------------------------------------------------------------------------------ report


def _gib(n: int) -> str:
    return f"{n / 1024**3:.2f} GiB" if n >= 1024**3 else f"{n / 1024**2:.0f} MiB"


def _met(ok: bool | None) -> str:
    return "-" if ok is None else "met" if ok else "NOT MET"


def _git_state() -> str:
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"], capture_output=True,
                               text=True, check=False).stdout.strip()
        return head + (" + uncommitted changes in src/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="the corpus folder (built there if missing); default: a "
                        "temporary folder, removed afterwards")
    parser.add_argument("--small", action="store_true", help="a tiny corpus (4 × 5 units), for the test suite")
    parser.add_argument("--repeats", type=int, help="runs per short command (default 7; 3 with --small)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--strict", action="store_true", help="exit 4 if a target is missed")
    args = parser.parse_args(argv)
    size = SMALL if args.small else FULL
    repeats = args.repeats or (3 if args.small else 7)

    temporary = args.corpus is None
    corpus = Path(tempfile.mkdtemp(prefix="rammecalc-corpus-")) if temporary else args.corpus.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="rammecalc-bench-"))
    env = base_env()
    env["XDG_CACHE_HOME"] = str(scratch / "xdg-cache")  # a cache under ~/.cache starts empty, and is ours
    cli = rammecalc_command()
    results: dict = {}
    failures: list[str] = []
    edited: tuple[Path, str] | None = None
    try:
        manifest = ensure_corpus(corpus, size, args.seed)
        expected = manifest["expected"]
        caps = capabilities(cli, env)
        for name in caps.cache_env:
            env[name] = str(scratch / "env-cache")
        version = subprocess.run([*cli, "--version"], env=env, capture_output=True, text=True,
                                 check=False).stdout.strip()
        print(f"rammecalc: {' '.join(cli)} ({version or 'no version'}; repository {_git_state()})")
        print(f"cache options: --no-cache {'yes' if caps.no_cache else 'no'}, --cache-dir "
              f"{'yes' if caps.cache_dir else 'no'}, env {', '.join(caps.cache_env) or 'none'}", flush=True)

        def cold_args(tag: str) -> list[str]:
            if caps.no_cache:
                return ["--no-cache"]
            if caps.cache_dir:
                return ["--cache-dir", str(scratch / f"cold-cache-{tag}")]
            return []

        def check(label: str, extra: list[str], paths: list[str], errors: list[dict], counts: dict) -> Run:
            print(f"{label}: rammecalc check {' '.join(extra + (paths if len(paths) <= 3 else paths[:2] + ['…']))}",
                  flush=True)
            run = measure([*cli, "check", *extra, *paths], corpus, env)
            verdict = verify(run, corpus, errors, counts)
            items = counts["items"]
            results[label] = {"seconds": round(run.seconds, 3), "items": items,
                              "items_per_second": round(items / run.seconds), "peak_bytes": run.peak_bytes,
                              "maxrss_bytes": run.maxrss_bytes, "tree_bytes": run.tree_bytes,
                              "processes": run.processes, "errors_expected": len(errors),
                              "errors_found": verdict.errors, "warnings": verdict.warnings, "correct": verdict.ok,
                              "problems": verdict.problems}
            print(f"  {run.seconds:.2f} s, {items / run.seconds:,.0f} items/s, peak {_gib(run.peak_bytes)} "
                  f"(largest process {_gib(run.maxrss_bytes)}, tree {_gib(run.tree_bytes)}, "
                  f"{run.processes} process{'es' if run.processes > 1 else ''}); "
                  f"{verdict.errors} of {len(errors)} injected errors found, {verdict.warnings} warnings"
                  + ("" if verdict.ok else " — WRONG"), flush=True)
            for problem in verdict.problems[:20]:
                print(f"    {problem}")
            if not verdict.ok:
                failures.append(f"{label}: " + "; ".join(verdict.problems[:5]))
            return run

        all_dirs = manifest["municipality_dirs"]
        check("cold", cold_args("full"), ["."], manifest["errors"], expected)
        if caps.caches:
            check("first", [], ["."], manifest["errors"], expected)
        # One frame changed: a label, so the figures and every line number stay as they are.
        hit = {e["file"] for e in manifest["errors"]}
        target = next(f"{d}/frames/{p.name}" for d in reversed(all_dirs)
                      for p in sorted((corpus / d / "frames").glob("*.yaml")) if f"{d}/frames/{p.name}" not in hit)
        path = corpus / target
        original = path.read_text(encoding="utf-8")
        changed = re.sub(r"(?m)^(  tabell: .*?)(\"?)$", r"\1 (revidert)\2", original, count=1)
        assert changed != original, f"no table label in {target}"
        edited = (path, original)
        path.write_text(changed, encoding="utf-8")
        check("warm", [], ["."], manifest["errors"], expected)
        path.write_text(original, encoding="utf-8")
        edited = None
        results["warm"]["changed_file"] = target

        tenth = all_dirs[: max(1, math.ceil(len(all_dirs) / 10))]
        errors, counts = _subset(manifest, tenth)
        check("tenth", cold_args("tenth"), tenth, errors, counts)

        bare = scratch / "bare_typer_app.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        bare_command = scratch / "bare_typer_command.py"
        bare_command.write_text(BARE_COMMAND, encoding="utf-8")
        print(f"start-up: median of {repeats} runs each …", flush=True)
        help_times = median_time({"rammecalc": [*cli, "--help"], "bare": [sys.executable, str(bare), "--help"]},
                                 repeats, REPO, env)
        roll_times = median_time({"rammecalc": [*cli, "roll", ROLL_FILE],
                                  "floor": [sys.executable, "-c", IMPORT_FLOOR],
                                  "bare_command": [sys.executable, str(bare_command), "show", ROLL_FILE]},
                                 repeats, REPO, env)
        results["help"] = {"rammecalc_seconds": round(help_times["rammecalc"], 4),
                           "bare_typer_seconds": round(help_times["bare"], 4),
                           "ratio": round(help_times["rammecalc"] / help_times["bare"], 3), "repeats": repeats}
        results["roll"] = {"rammecalc_seconds": round(roll_times["rammecalc"], 4),
                           "import_floor_seconds": round(roll_times["floor"], 4),
                           "ratio": round(roll_times["rammecalc"] / roll_times["floor"], 3), "repeats": repeats,
                           # context for the ratio: the same stack running a command that reads the file
                           "bare_command_seconds": round(roll_times["bare_command"], 4),
                           "bare_command_ratio": round(roll_times["bare_command"] / roll_times["floor"], 3),
                           "ratio_to_bare_command": round(roll_times["rammecalc"] / roll_times["bare_command"], 3)}
    finally:
        if edited is not None:
            edited[0].write_text(edited[1], encoding="utf-8")
        shutil.rmtree(scratch, ignore_errors=True)
        if temporary:
            shutil.rmtree(corpus, ignore_errors=True)

    # ---- the table
    targets_apply = not args.small
    cold, warm, tenth_r = results["cold"], results["warm"], results["tenth"]
    corpus_text = (f"{expected['frames']:,} frames, {expected['files']:,} files, {expected['items']:,} items, "
                   f"{expected['published_figures']:,} published figures")
    cold_text = f"{cold['seconds']:.2f} s, {cold['items_per_second']:,} items/s"
    warm_text = (f"{warm['seconds']:.2f} s, peak {_gib(warm['peak_bytes'])}"
                 + ("" if "first" in results else " (no cache option)"))
    tenth_text = (f"{tenth_r['seconds']:.2f} s, {tenth_r['items_per_second']:,} items/s, "
                  f"peak {_gib(tenth_r['peak_bytes'])}")
    h, r = results["help"], results["roll"]
    help_text = f"{h['ratio']:.2f}× ({h['rammecalc_seconds']:.3f} s / {h['bare_typer_seconds']:.3f} s)"
    roll_text = f"{r['ratio']:.2f}× ({r['rammecalc_seconds']:.3f} s / {r['import_floor_seconds']:.3f} s)"
    bare_text = (f"{r['bare_command_ratio']:.2f}× ({r['bare_command_seconds']:.3f} s); "
                 f"roll is {r['ratio_to_bare_command']:.2f}× it")
    rows = [
        ("corpus", corpus_text, "", None),
        ("check, cold", cold_text, f"< {COLD_SECONDS:.0f} s",
         cold["seconds"] < COLD_SECONDS if targets_apply else None),
        ("check, cold: peak memory", _gib(cold["peak_bytes"]), f"< {_gib(PEAK_BYTES)}",
         cold["peak_bytes"] < PEAK_BYTES if targets_apply else None),
    ]
    if "first" in results:
        first = results["first"]
        rows.append(("check, first (fills cache)", f"{first['seconds']:.2f} s, peak {_gib(first['peak_bytes'])}",
                     "", None))
    rows += [
        ("check, one file changed", warm_text, f"< {WARM_SECONDS:.0f} s",
         warm["seconds"] < WARM_SECONDS if targets_apply else None),
        ("check, tenth, cold", tenth_text, "", None),
        ("--help / bare typer app", help_text, f"≤ {HELP_RATIO}×", h["ratio"] <= HELP_RATIO),
        ("roll seed 000 / import floor", roll_text, f"≤ {ROLL_RATIO}×", r["ratio"] <= ROLL_RATIO),
        ("bare typer command / import floor", bare_text, "", None),
        ("injected errors found", "every one, nothing else" if not failures else "WRONG", "exactly", not failures),
    ]
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print()
    print(f"rammecalc benchmark · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{'small corpus' if args.small else 'full corpus'}")
    for name, value, target, ok in rows:
        print(f"  {name.ljust(width)}  {value.ljust(vwidth)}  {target:<10} {_met(ok) if target else ''}".rstrip())
    if args.small:
        print("  (small corpus: the check targets are for the full corpus and are not judged)")

    results["machine"] = {"cores": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform(), "rammecalc": version, "repository": _git_state()}
    results["corpus"] = {**manifest["arguments"], **expected}
    results["correct"] = not failures
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if failures:
        print("\nFAILED: the check did not report exactly the injected errors:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    print("\nOK: every run reported exactly the injected errors.")
    missed = [r[0] for r in rows if r[3] is False]
    if args.strict and missed:
        print("targets missed: " + ", ".join(missed), file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
