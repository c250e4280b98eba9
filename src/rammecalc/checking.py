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

from .cache import Cache, FileSummary, FrameResult, result_key
from .core.problems import Problem
from .loading import Loaded, display_name, expand, load
from .loading.documents import content_hash
from .loading.files import read_file
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
    input problem and before any frame is checked (the CLI puts --set on the budgets there). Returns the run
    (frames only; the caller adds the other kinds) and the loaded files.
    """
    cached: list[FrameResult] = []
    skip: set[str] = set()
    if cache is not None:
        cached, skip = _cached_frames(paths, options, cache)
    loaded = load(paths, progress=progress, cache=cache, skip=frozenset(skip))
    # A scenario is applied to its frame's budget, so a frame a scenario is for must be read after all.
    targets = {s.frame for s in loaded.scenarios.values()}
    again = [r for r in cached if r.frame in targets]
    if again:
        cached = [r for r in cached if r.frame not in targets]
        files = {f for r in again for f in r.files}
        skip -= files
        more = load(sorted(r.files[0] for r in again), cache=cache)
        loaded.budgets += [b for b in more.budgets if b.frame.file not in {x.frame.file for x in loaded.budgets}]
        loaded.problems += more.problems
        loaded.files += [f for f in more.files if f not in loaded.files]
        loaded.digests.update(more.digests)
        loaded.texts.merge(more.texts)
    # A file counts once, whether it was read or its frame's result was taken from the cache.
    run = CheckRun(files=len(set(loaded.files) | skip))
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
        docs = (budget.frame, *budget.changesets, *budget.parameter_sets)
        files = tuple(doc.file for doc in docs)
        run.problems += problems
        run.tables.append(TableResult(budget.frame.id, files, "ramme", figures))
        if cache is not None:
            _remember(cache, budget, docs, problems, figures, options)
    if cache is not None:
        cache.save()
    return run, loaded


def _cached_frames(paths: Sequence[Path], options: str, cache: Cache) -> tuple[list[FrameResult], set[str]]:
    """The frames whose results hold, and every file they cover (not to be read)."""
    files, _ = expand(Path(p) for p in paths)
    hashes: dict[str, str | None] = {}

    def digest(name: str, path: Path) -> str | None:
        if name not in hashes:
            raw = read_file(path, name)
            hashes[name] = None if isinstance(raw, Problem) else content_hash(raw)
        return hashes[name]

    frames: dict[str, FileSummary] = {}
    for path, _ in files:
        name = display_name(path)
        key = digest(name, path)
        summary = cache.summary(key) if key is not None else None
        if summary is not None and summary.kind == "ramme":
            frames[name] = summary
    ids = Counter(s.owner for s in frames.values())
    cached: list[FrameResult] = []
    skip: set[str] = set()
    for name, summary in frames.items():
        if ids[summary.owner] > 1:
            continue  # two frames with one id: read both, so that the problem is reported
        listed = [(display_name(Path(name).parent / rel), Path(name).parent / rel)
                  for rel in (*summary.changes, *summary.parameters)]
        keys = [(name, hashes[name])] + [(other, digest(other, path)) for other, path in listed]
        if all(key is not None for _, key in keys):
            result = cache.result(result_key(cache.version, options, keys))
            if result is not None and result.frame == summary.owner:
                cached.append(result)
                skip.add(name)
                skip.update(other for other, _ in listed)
    return cached, skip


def _remember(cache: Cache, budget, docs: tuple, problems: list[Problem], figures: int, options: str) -> None:
    """Keep a frame's result, and what its files are, for the next check: under the hashes of exactly the
    bytes its documents were read from, so a file changed during the check cannot lend its name to them."""
    if any(doc.digest is None for doc in docs):
        return
    frame = budget.frame
    cache.put_summary(frame.digest, FileSummary(kind="ramme", owner=frame.id, changes=frame.changes,
                                                parameters=frame.parameters))
    key = result_key(cache.version, options, [(doc.file, doc.digest) for doc in docs])
    cache.put_result(key, FrameResult(frame=frame.id, files=tuple(doc.file for doc in docs), figures=figures,
                                      problems=tuple(problems)))


def options_key(tolerance: Decimal, known: bool, sets: Sequence) -> str:
    return json.dumps([str(tolerance), known, [list(map(str, s)) for s in sets]])
