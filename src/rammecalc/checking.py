"""`rammecalc check` over many files: what the command runs, with the result cache around it.

Without a cache this is: load everything, check every table. With one (see ``cache.py``), a frame whose
files (the frame, its changes and parameter files) all have the same content as when a check with the same
options last passed over them is not read at all: its result is taken from the cache. Everything else is
loaded and checked as usual, and its result kept for next time. The report is the same either way.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from .cache import Cache, FileSummary, FrameResult, content_hash, result_key
from .core.problems import Problem
from .loading import Loaded, display_name, expand, load
from .report import CheckRun, TableResult


def cache_version() -> str:
    """The rammecalc version and a fingerprint of its source, so that a changed program never trusts
    results an earlier one cached."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("rammecalc")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        number = "0"
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{number}-{digest.hexdigest()[:16]}"


def run_check(paths: Sequence[Path], check_frame: Callable, options: str, cache: Cache | None,
              progress: Callable[[int, int], None] | None = None,
              prepare: Callable[[Loaded], None] | None = None) -> tuple[CheckRun, Loaded]:
    """Load (what is not cached) and check every frame.

    ``check_frame(budget)`` returns ``(problems, figures)``; ``options`` names what else decides the
    result (tolerance, flags, --set). ``prepare(loaded)``, if given, runs once the files are read without an
    input problem and before any frame is checked (the CLI puts --set on the budgets there). Returns the run (frames only; the caller adds the other kinds) and
    the loaded files.
    """
    cached: list[FrameResult] = []
    skip: set[str] = set()
    hashes: dict[str, str] = {}
    if cache is not None:
        cached, skip, hashes = _cached_frames(paths, options, cache)
    loaded = load(paths, progress=progress, cache=cache, skip=frozenset(skip), hashes=hashes)
    # A scenario is applied to its frame's budget, so a frame a scenario is for must be read after all.
    targets = {s.frame for s in loaded.scenarios.values()}
    again = [r for r in cached if r.frame in targets]
    if again:
        cached = [r for r in cached if r.frame not in targets]
        files = {f for r in again for f in r.files}
        skip -= files
        more = load(sorted(f for f in files if f in {r.files[0] for r in again}), cache=cache)
        loaded.budgets += [b for b in more.budgets if b.frame.file not in {x.frame.file for x in loaded.budgets}]
        loaded.problems += more.problems
        loaded.files += [f for f in more.files if f not in loaded.files]
    run = CheckRun(files=len(loaded.files) + len(skip))
    if any(p.code.is_input for p in loaded.problems):
        return run, loaded
    if prepare is not None:
        prepare(loaded)
    for result in cached:
        run.problems += result.problems
        run.tables.append(TableResult(result.frame, result.files, "ramme", result.figures))
    for budget in loaded.budgets:
        if budget.frame.file in skip:
            continue  # read again only because another file (a link) points at it; its result is cached
        problems, figures = check_frame(budget)
        files = (budget.frame.file, *(cs.file for cs in budget.changesets), *(ps.file for ps in budget.parameter_sets))
        run.problems += problems
        run.tables.append(TableResult(budget.frame.id, files, "ramme", figures))
        if cache is not None:
            _remember(cache, budget, files, problems, figures, options, hashes)
    if cache is not None:
        cache.save()
    return run, loaded


def _hashed(name: str, hashes: dict[str, str], path: Path | None = None) -> bool:
    """Put the file's content hash in ``hashes``, once; False if the file cannot be read."""
    if name not in hashes:
        try:
            hashes[name] = content_hash((path or Path(name)).read_bytes())
        except OSError:
            return False
    return True


def _cached_frames(paths: Sequence[Path], options: str, cache: Cache) -> tuple[list[FrameResult], set[str], dict]:
    """The frames whose results hold, and every file they cover (not to be read)."""
    files, _ = expand(Path(p) for p in paths)
    hashes: dict[str, str] = {}
    summaries: dict[str, FileSummary] = {}
    for path, _ in files:
        name = display_name(path)
        if not _hashed(name, hashes, path):
            continue
        summary = cache.summary(hashes[name])
        if summary is not None:
            summaries[name] = summary
    frames = {name: s for name, s in summaries.items() if s.kind == "ramme"}
    ids = Counter(s.owner for s in frames.values())
    cached: list[FrameResult] = []
    skip: set[str] = set()
    for name, summary in frames.items():
        if ids[summary.owner] > 1:
            continue  # two frames with one id: read both, so that the problem is reported
        listed = [display_name(Path(name).parent / rel) for rel in (*summary.changes, *summary.parameters)]
        if all(_hashed(other, hashes) for other in listed):
            result = cache.result(result_key(cache.version, options, [(n, hashes[n]) for n in (name, *listed)]))
            if result is not None:
                cached.append(result)
                skip.add(name)
                skip.update(listed)
    return cached, skip, hashes


def _remember(cache: Cache, budget, files: tuple[str, ...], problems: list[Problem], figures: int, options: str,
              hashes: dict[str, str]) -> None:
    """Keep a frame's result, and what its files are, for the next check."""
    if not all(_hashed(name, hashes) for name in files):
        return
    frame = budget.frame
    # Only a frame's summary is read back (_cached_frames): its listed files are hashed where they are.
    cache.put_summary(hashes[frame.file], FileSummary(kind="ramme", owner=frame.id, changes=frame.changes,
                                                      parameters=frame.parameters))
    key = result_key(cache.version, options, [(n, hashes[n]) for n in files])
    cache.put_result(key, FrameResult(frame=frame.id, files=files, figures=figures,
                                      problems=tuple(problems)))


def options_key(tolerance: Decimal, known: bool, sets: Sequence) -> str:
    return json.dumps([str(tolerance), known, [list(map(str, s)) for s in sets]])
