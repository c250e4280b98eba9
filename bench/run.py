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
import peers

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

# Targets on a 2-core machine (issue 15: "Targets"). The peers are timed in the same run, on as many postings
# as the corpus has item-years.
HLEDGER_RATIO = 0.5  # cold check / hledger check
LEDGER_RATIO = 1.5  # cold check / ledger bal
PEAK_BYTES = 1024**3
WARM_ONE_SECONDS = 1.0  # re-check after one changed file
WARM_NONE_SECONDS = 0.3  # re-check after none
CORES_BUSY = 1.8  # (user + system) / wall of the cold check, on an idle machine
HELP_RATIO = 1.2
ROLL_RATIO = 1.3  # roll of seed 000 / the bare typer command that reads the file and prints a rich table
ROLL_ABOVE_PYTHON = 0.150  # seconds above `python -c pass`
#: Other processes using more than this share of the machine's CPU during a run make it "busy".
BUSY_SHARE = 0.15

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
    cpu: float = 0.0  # user + system time of the process and every process it waited for (its workers)
    others_cpu: float | None = None  # CPU time other processes on the machine used meanwhile (/proc/stat)


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
        busy_before = _machine_cpu()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = _Sampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        busy_after = _machine_cpu()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stopped.set()
            sampler.join()
        out.seek(0)
        err.seek(0)
        run = Run(argv, seconds, proc.returncode, out.read().decode("utf-8", "replace"),
                  err.read().decode("utf-8", "replace"))
    run.maxrss_bytes = usage.ru_maxrss * 1024  # kilobytes on Linux
    run.cpu = usage.ru_utime + usage.ru_stime
    if busy_before is not None and busy_after is not None:
        run.others_cpu = max(0.0, busy_after - busy_before - run.cpu)
    if sampler:
        run.tree_bytes, run.processes = sampler.peak, sampler.processes
    run.peak_bytes = max(run.maxrss_bytes, run.tree_bytes)
    return run


def _machine_cpu() -> float | None:
    """Seconds of CPU time every process on the machine has used since boot (user, nice, system, irq), from
    /proc/stat; ``None`` where there is none."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(v) for v in fields[1:4] + fields[6:9]) / ticks


def best_time(commands: dict[str, list[str]], repeats: int, cwd: Path, env: dict[str, str]
              ) -> dict[str, tuple[float, float]]:
    """The fastest wall time of each command over ``repeats`` runs, interleaved, after one warm-up run each,
    and the median: on a shared machine the fastest run is the one least slowed by others."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for name, argv in commands.items():
        warm = measure(argv, cwd, env, sample=False)
        if warm.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {warm.returncode}:\n{warm.stderr or warm.stdout}")
    for _ in range(repeats):
        for name, argv in commands.items():
            times[name].append(measure(argv, cwd, env, sample=False).seconds)
    return {name: (min(values), statistics.median(values)) for name, values in times.items()}


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


def _busy(run: Run, cores: int) -> str:
    """A note when other processes took a noticeable share of the machine during ``run``."""
    if run.others_cpu is None or run.seconds <= 0:
        return ""
    share = run.others_cpu / (run.seconds * cores)
    return f" (machine busy: others used {share:.0%} of its CPU)" if share > BUSY_SHARE else ""


def _ratio(a: float, b: float | None) -> str:
    return "-" if not b else f"{a / b:.2f}×".replace(".", ",")


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s".replace(".", ",") if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="the corpus folder (built there if missing); default: a "
                        "temporary folder, removed afterwards")
    parser.add_argument("--small", action="store_true", help="a tiny corpus (4 × 5 units), for the test suite")
    parser.add_argument("--repeats", type=int, help="runs per short command, the fastest counting (default 7; "
                        "3 with --small)")
    parser.add_argument("--cold-repeats", type=int, default=1, help="cold checks and peer runs, alternated; the "
                        "fastest of each counts (default 1)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--strict", action="store_true", help="exit 4 if a target is missed")
    args = parser.parse_args(argv)
    size = SMALL if args.small else FULL
    repeats = args.repeats or (3 if args.small else 7)
    cores = os.cpu_count() or 1

    temporary = args.corpus is None
    corpus = Path(tempfile.mkdtemp(prefix="rammecalc-corpus-")) if temporary else args.corpus.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="rammecalc-bench-"))
    env = base_env()
    env["XDG_CACHE_HOME"] = str(scratch / "xdg-cache")  # a cache under ~/.cache starts empty, and is ours
    env["RAMMECALC_CACHE_DIR"] = str(scratch / "cache")
    cli = rammecalc_command()
    results: dict = {}
    failures: list[str] = []
    edited: tuple[Path, str] | None = None
    try:
        manifest = ensure_corpus(corpus, size, args.seed)
        expected = manifest["expected"]
        version = subprocess.run([*cli, "--version"], env=env, capture_output=True, text=True,
                                 check=False).stdout.strip()
        print(f"rammecalc: {' '.join(cli)} ({version or 'no version'}; repository {_git_state()})")
        with open("/proc/loadavg", encoding="ascii") if os.path.exists("/proc/loadavg") else open(os.devnull) as f:
            load = f.read().split()[:1]
        print(f"machine: {cores} cores, load average {load[0] if load else '?'} before the first run", flush=True)

        def check(label: str, extra: list[str], paths: list[str], errors: list[dict], counts: dict,
                  run_env: dict | None = None, quiet: bool = False) -> Run:
            if not quiet:
                print(f"{label}: rammecalc check {' '.join(extra + (paths if len(paths) <= 3 else paths[:2] + ['…']))}",
                      flush=True)
            run = measure([*cli, "check", *extra, *paths], corpus, run_env or env)
            verdict = verify(run, corpus, errors, counts)
            items = counts["items"]
            record = {"seconds": round(run.seconds, 3), "cpu_seconds": round(run.cpu, 3), "items": items,
                      "items_per_second": round(items / run.seconds), "peak_bytes": run.peak_bytes,
                      "maxrss_bytes": run.maxrss_bytes, "tree_bytes": run.tree_bytes, "processes": run.processes,
                      "others_cpu_seconds": None if run.others_cpu is None else round(run.others_cpu, 3),
                      "errors_expected": len(errors), "errors_found": verdict.errors, "warnings": verdict.warnings,
                      "correct": verdict.ok, "problems": verdict.problems}
            if label not in results or run.seconds < results[label]["seconds"]:
                results[label] = record
            if not quiet:
                print(f"  {_s(run.seconds)}, cpu {_s(run.cpu)}, {items / run.seconds:,.0f} items/s, peak "
                      f"{_gib(run.peak_bytes)} (largest process {_gib(run.maxrss_bytes)}, {run.processes} "
                      f"process{'es' if run.processes > 1 else ''}); {verdict.errors} of {len(errors)} injected "
                      f"errors found, {verdict.warnings} warnings" + ("" if verdict.ok else " — WRONG")
                      + _busy(run, cores), flush=True)
            for problem in verdict.problems[:20]:
                print(f"    {problem}")
            if not verdict.ok:
                failures.append(f"{label}: " + "; ".join(verdict.problems[:5]))
            return run

        # ---- the peers' workload: as many postings as the corpus has item-years
        postings = expected["items"] * manifest["arguments"]["columns"]
        all_dirs = manifest["municipality_dirs"]
        tenth = all_dirs[: max(1, math.ceil(len(all_dirs) / 10))]
        tenth_errors, tenth_counts = _subset(manifest, tenth)
        tenth_postings = tenth_counts["items"] * manifest["arguments"]["columns"]
        journal, beancount = peers.write(corpus / "peers", postings)
        _, tenth_beancount = peers.write(corpus / "peers", tenth_postings)
        peer_commands = peers.commands(journal, beancount)
        bean = peer_commands.pop("bean-check", None)
        if not peer_commands:
            print("peers: none installed (sh bench/install_peers.sh installs them); their ratios are left out")
        peer_times: dict[str, float] = {}

        # ---- cold, alternating with the peers
        for _ in range(max(1, args.cold_repeats)):
            run = check("cold", ["--no-cache"], ["."], manifest["errors"], expected)
            results.setdefault("cold_busy", []).append(_busy(run, cores))
            for name, command in peer_commands.items():
                peer = measure(command, corpus, env, sample=False)
                if peer.returncode != 0:
                    print(f"  {name} exited {peer.returncode}: {peer.stderr.strip()[-500:]}")
                    continue
                print(f"{name} on {postings:,} postings: {_s(peer.seconds)}{_busy(peer, cores)}", flush=True)
                peer_times[name] = min(peer_times.get(name, peer.seconds), peer.seconds)
        results["peers"] = {name: round(t, 3) for name, t in peer_times.items()}
        results["postings"] = postings

        # ---- the cache: first, then warm with no change and with one file changed (the fastest of `repeats`)
        check("first", [], ["."], manifest["errors"], expected)
        check("warm-up", [], ["."], manifest["errors"], expected, quiet=True)  # every entry settled now
        for _ in range(repeats):
            check("warm, none changed", [], ["."], manifest["errors"], expected, quiet=True)
        hit = {e["file"] for e in manifest["errors"]}
        target = next(f"{d}/frames/{p.name}" for d in reversed(all_dirs)
                      for p in sorted((corpus / d / "frames").glob("*.yaml")) if f"{d}/frames/{p.name}" not in hit)
        path = corpus / target
        original = path.read_text(encoding="utf-8")
        edited = (path, original)
        for i in range(repeats):
            # a label (no figure, no line moves), another each time: every run has a changed file to read
            changed = re.sub(r"(?m)^(  tabell: .*?)(\"?)$", rf"\1 (revidert {i})\2", original, count=1)
            assert changed != original, f"no table label in {target}"
            path.write_text(changed, encoding="utf-8")
            check("warm, one changed", [], ["."], manifest["errors"], expected, quiet=True)
        path.write_text(original, encoding="utf-8")
        edited = None
        results["warm, one changed"]["changed_file"] = target
        for label in ("warm, none changed", "warm, one changed"):
            r = results[label]
            print(f"{label}: {_s(r['seconds'])} (fastest of {repeats}), peak {_gib(r['peak_bytes'])}; "
                  f"{r['errors_found']} of {r['errors_expected']} injected errors found"
                  + ("" if r["correct"] else " — WRONG"), flush=True)

        # ---- a tenth, cold: Python's collector settings against ours, and beancount on as many postings
        gc_runs = {}
        for setting in ("default", "tuned"):
            tenth_env = {**env, "RAMMECALC_GC": setting, "RAMMECALC_JOBS": "1"}  # where the collector matters
            gc_runs[setting] = min((check(f"tenth, gc {setting}", ["--no-cache"], tenth, tenth_errors,
                                          tenth_counts, tenth_env, quiet=True) for _ in range(3 if args.small else 2)),
                                   key=lambda r: r.cpu)
        results["gc"] = {k: {"seconds": round(v.seconds, 3), "cpu_seconds": round(v.cpu, 3)} for k, v in gc_runs.items()}
        print(f"tenth, cold, in one process: {_s(gc_runs['tuned'].seconds)}, cpu {_s(gc_runs['tuned'].cpu)}; with "
              f"Python's collector settings cpu {_s(gc_runs['default'].cpu)}", flush=True)
        if bean:
            bean_run = measure([bean[0], str(tenth_beancount)], corpus, env, sample=False)
            if bean_run.returncode == 0:
                results["bean-check, tenth"] = round(bean_run.seconds, 3)
                print(f"bean-check on {tenth_postings:,} postings (the tenth's item-years): {_s(bean_run.seconds)}",
                      flush=True)

        # ---- start-up
        bare = scratch / "bare_typer_app.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        bare_command = scratch / "bare_typer_command.py"
        bare_command.write_text(BARE_COMMAND, encoding="utf-8")
        print(f"start-up: fastest of {repeats} runs each …", flush=True)
        help_times = best_time({"rammecalc": [*cli, "--help"], "bare": [sys.executable, str(bare), "--help"]},
                               repeats, REPO, env)
        roll_times = best_time({"rammecalc": [*cli, "roll", ROLL_FILE],
                                "bare_command": [sys.executable, str(bare_command), "show", ROLL_FILE],
                                "python": [sys.executable, "-c", "pass"],
                                "floor": [sys.executable, "-c", IMPORT_FLOOR]}, repeats, REPO, env)
        results["help"] = {"rammecalc_seconds": round(help_times["rammecalc"][0], 4),
                           "bare_typer_seconds": round(help_times["bare"][0], 4),
                           "ratio": round(help_times["rammecalc"][0] / help_times["bare"][0], 3)}
        results["roll"] = {name: round(t[0], 4) for name, t in roll_times.items()}

        # ---- the other paths, a line each (for the record: no target)
        other = scratch / "out"
        other.mkdir()
        lines = {
            "import (a copied table → YAML, checked)": [*cli, "import", "data/kilder/kommunalteknikk.txt", "-o",
                                                        str(other / "import")],
            "chart (waterfall SVG of seed 000)": [*cli, "chart", ROLL_FILE, "-o", str(other / "bro.svg")],
            "xlsx (every bundled table, live formulas)": [*cli, "roll", "data", "-o", str(other / "rammer.xlsx")],
            "statutory forms (§ 5-4, checked)": [*cli, "check", "--no-cache",
                                                 "data/tables/giske-2022-bevilgningsoversikt-drift.yaml",
                                                 "data/tables/giske-2024-bevilgningsoversikt-rammeomrade.yaml"],
        }
        results["other"] = {}
        for name, command in lines.items():
            times = []
            for _ in range(repeats):
                shutil.rmtree(other / "import", ignore_errors=True)
                run = measure(command, REPO, env, sample=False)
                if run.returncode not in (0, 1):
                    print(f"{name}: exited {run.returncode}: {run.stderr.strip()[-500:]}")
                    break
                times.append(run.seconds)
            if times:
                results["other"][name] = round(min(times), 4)
    finally:
        if edited is not None:
            edited[0].write_text(edited[1], encoding="utf-8")
        shutil.rmtree(scratch, ignore_errors=True)
        if temporary:
            shutil.rmtree(corpus, ignore_errors=True)

    # ---- the table: every target with its ratio, met or not
    judged = not args.small
    cold, first = results["cold"], results["first"]
    none_r, one_r = results["warm, none changed"], results["warm, one changed"]
    rows: list[tuple[str, str, str, bool | None]] = [
        ("corpus", (f"{expected['frames']:,} frames, {expected['files']:,} files, {expected['items']:,} items "
         f"({postings:,} item-years), {expected['published_figures']:,} published figures"), "", None),
        ("check, cold", f"{_s(cold['seconds'])}, {cold['items_per_second']:,} items/s, cpu {_s(cold['cpu_seconds'])}",
         "", None),
    ]
    for name, target in (("hledger check", HLEDGER_RATIO), ("ledger bal", LEDGER_RATIO)):
        if name in peer_times:
            ratio = cold["seconds"] / peer_times[name]
            rows.append((f"cold / {name} ({_s(peer_times[name])})", _ratio(cold["seconds"], peer_times[name]),
                         f"≤ {target}×".replace(".", ","), ratio <= target if judged else None))
        else:
            rows.append((f"cold / {name}", "not installed", f"≤ {target}×".replace(".", ","), None))
    busy = (cold["cpu_seconds"]) / cold["seconds"]
    rows += [
        ("cold: peak memory", _gib(cold["peak_bytes"]), f"≤ {_gib(PEAK_BYTES)}",
         cold["peak_bytes"] <= PEAK_BYTES if judged else None),
        ("cold: cores busy (cpu / wall)", f"{busy:.2f}".replace(".", ",") + (results["cold_busy"][-1] or ""),
         f"≥ {CORES_BUSY}".replace(".", ","), busy >= CORES_BUSY if judged else None),
        ("check, first (fills the cache)", f"{_s(first['seconds'])}, peak {_gib(first['peak_bytes'])}", "", None),
        ("re-check, one file changed", f"{_s(one_r['seconds'])}, peak {_gib(one_r['peak_bytes'])}",
         f"≤ {_s(WARM_ONE_SECONDS)}", one_r["seconds"] <= WARM_ONE_SECONDS if judged else None),
        ("re-check, none changed", _s(none_r["seconds"]), f"≤ {_s(WARM_NONE_SECONDS)}",
         none_r["seconds"] <= WARM_NONE_SECONDS if judged else None),
    ]
    gc = results["gc"]
    rows.append(("gc: defaults / tuned (tenth, 1 process, cpu)", f"{_s(gc['default']['cpu_seconds'])} / "
                 f"{_s(gc['tuned']['cpu_seconds'])} = "
                 + _ratio(gc["default"]["cpu_seconds"], gc["tuned"]["cpu_seconds"]), "", None))
    if "bean-check, tenth" in results:
        tenth_cold = gc["tuned"]["seconds"]
        rows.append((f"tenth cold / bean-check ({_s(results['bean-check, tenth'])})",
                     _ratio(tenth_cold, results["bean-check, tenth"]), "", None))
    h, r = results["help"], results["roll"]
    rows += [
        ("--help / bare typer app", (f"{_ratio(h['rammecalc_seconds'], h['bare_typer_seconds'])} "
         f"({_s(h['rammecalc_seconds'])} / {_s(h['bare_typer_seconds'])})"), f"≤ {HELP_RATIO}×".replace(".", ","),
         h["ratio"] <= HELP_RATIO),
        ("roll seed 000 / bare typer command", (f"{_ratio(r['rammecalc'], r['bare_command'])} ({_s(r['rammecalc'])} / "
         f"{_s(r['bare_command'])})"), f"≤ {ROLL_RATIO}×".replace(".", ","),
         r["rammecalc"] / r["bare_command"] <= ROLL_RATIO),
        ("roll seed 000 − python -c pass", (f"{_s(r['rammecalc'] - r['python'])} ({_s(r['rammecalc'])} − "
         f"{_s(r['python'])})"), f"≤ {_s(ROLL_ABOVE_PYTHON)}", r["rammecalc"] - r["python"] <= ROLL_ABOVE_PYTHON),
        ("roll seed 000 / import floor", f"{_ratio(r['rammecalc'], r['floor'])} (typer, yaml, rich.table, pydantic)",
         "", None),
    ]
    rows += [(name, _s(seconds), "", None) for name, seconds in results["other"].items()]
    rows.append(("injected errors found", "every one, nothing else, in every run" if not failures else "WRONG",
                 "exactly", not failures))
    width = max(len(row[0]) for row in rows)
    vwidth = max(len(row[1]) for row in rows)
    print()
    print(f"rammecalc benchmark · {cores} cores · Python {platform.python_version()} · "
          f"{'small corpus' if args.small else 'full corpus'}")
    for name, value, target, ok in rows:
        print(f"  {name.ljust(width)}  {value.ljust(vwidth)}  {target:<10} {_met(ok) if target else ''}".rstrip())
    if args.small:
        print("  (small corpus: the check targets are for the full corpus and are not judged)")
    busy_runs = [b for b in results.get("cold_busy", []) if b]
    if busy_runs:
        print("  The machine was busy during the cold check: its wall time, and the cores it kept busy, are "
              "worse than on an idle machine (the cpu time is not).")

    results["machine"] = {"cores": cores, "python": platform.python_version(),
                          "platform": platform.platform(), "rammecalc": version, "repository": _git_state()}
    results["corpus"] = {**manifest["arguments"], **expected}
    results["correct"] = not failures
    results["targets"] = {name: ok for name, _, target, ok in rows if target}
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if failures:
        print("\nFAILED: the check did not report exactly the injected errors:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    print("\nOK: every run reported exactly the injected errors.")
    missed = [row[0] for row in rows if row[3] is False]
    if args.strict and missed:
        print("targets missed: " + ", ".join(missed), file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
