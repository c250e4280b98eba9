"""`rammecalc check` over many files: what the command runs, with the result cache around it.

Without a cache this is: load everything, check every table. With one (see ``cache.py``), a frame whose
files (the frame, its changes and parameter files) all have the same content as when a check with the same
options last passed over them is not read at all: its result is taken from the cache. Everything else is
loaded and checked as usual, and its result kept for next time. The report is the same either way.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


class FrameChecker:
    """What ``check`` does to a frame, as an object a worker process can be sent: ``(problems, figures)``."""

    def __init__(self, tolerance: Decimal, known_differences: bool = True):
        self.tolerance, self.known_differences = tolerance, known_differences

    def __call__(self, budget) -> tuple[list[Problem], int]:
        from .core.checks import check, published_figures

        return check(budget, self.tolerance, known_differences=self.known_differences), published_figures(budget)


@dataclass(frozen=True)
class Known:
    """A frame's check result that this run did not compute from files it read itself (taken from the cache,
    or computed by a worker process), with the hash of each file it covers."""

    frame: str
    files: tuple[str, ...]
    figures: int
    problems: tuple[Problem, ...]
    digests: tuple[str, ...]
    #: What the frame lists (for the cache's index of frame files).
    changes: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()


def run_check(paths: Sequence[Path], check_frame: Callable, options: str, cache: Cache | None,
              progress: Callable[[int, int], None] | None = None,
              prepare: Callable[[Loaded], None] | None = None, jobs: int | None = None) -> tuple[CheckRun, Loaded]:
    """Load (what is not cached) and check every frame.

    ``check_frame(budget)`` returns ``(problems, figures)``; ``options`` names what else decides the
    result (tolerance, flags, --set). ``prepare(loaded)``, if given, runs once the files are read without an
    input problem and before any frame is checked (the CLI puts --set on the budgets there). Returns the run
    (frames only; the caller adds the other kinds) and the loaded files. With a :class:`FrameChecker` and no
    ``prepare``, the frames of a large run are checked in worker processes (``jobs``, default one per core;
    see "frames in the workers" below).
    """
    from .loading.files import display_names
    from .loading.parallel import PARALLEL_FROM, worker_count

    expanded = expand(Path(p) for p in paths)
    names = display_names([p for p, _ in expanded[0]])
    known: list[Known] = []
    skip: set[str] = set()
    if cache is not None:
        known, skip = _cached_frames(expanded[0], names, options, cache)
    preread = None
    workers = worker_count(jobs)
    if isinstance(check_frame, FrameChecker) and prepare is None and workers > 1:
        rest = list({n: (p, n) for (p, _), n in zip(expanded[0], names, strict=True) if n not in skip}.values())
        if len(rest) >= PARALLEL_FROM:
            done, preread = frames_in_workers(rest, check_frame, cache.store if cache is not None else None,
                                              workers, progress)
            for result in done:
                skip.update(result.files)
                if cache is not None:
                    _remember(cache, result, options)
            known += done
    loaded = load(paths, progress=progress if preread is None else None, cache=cache, skip=frozenset(skip),
                  expanded=expanded, preread=preread)
    if known and _conflicts(known, loaded, skip):
        # A frame not read here would change the answer (see _conflicts): every file is read here after all.
        known, skip = [], set()
        loaded = load(paths, cache=cache, expanded=expanded, preread=preread)
    # A scenario is applied to its frame's budget, so a frame a scenario is for must be read after all.
    targets = {s.frame for s in loaded.scenarios.values()}
    again = [r for r in known if r.frame in targets]
    if again:
        known = [r for r in known if r.frame not in targets]
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
    for result in known:
        run.problems += result.problems
        run.tables.append(TableResult(result.frame, result.files, "ramme", result.figures))
    for budget in loaded.budgets:
        if budget.frame.file in skip:
            continue  # read again only because another file (a link) points at it; its result is known
        problems, figures = check_frame(budget)
        docs = (budget.frame, *budget.changesets, *budget.parameter_sets)
        files = tuple(doc.file for doc in docs)
        run.problems += problems
        run.tables.append(TableResult(budget.frame.id, files, "ramme", figures))
        if cache is not None and all(doc.digest is not None for doc in docs):
            frame = budget.frame
            _remember(cache, Known(frame.id, files, figures, tuple(problems), tuple(doc.digest for doc in docs),
                                   tuple(frame.changes), tuple(frame.parameters)), options)
    if cache is not None:
        cache.save()
    return run, loaded


def _conflicts(known: list[Known], loaded: Loaded, skip: set[str]) -> bool:
    """Whether the frames whose results are known (cached, or checked by a worker) would have been reported
    otherwise had every file been read together: two of them, or one of them and a frame read here, share an
    id (a duplicate id is an input problem); a changes file read here belongs to one of them but is not listed
    by it (read together, that is said); or one file was read with two contents (changed during the run)."""
    ids = Counter(r.frame for r in known)
    if any(n > 1 for n in ids.values()):
        return True
    digests: dict[str, str] = {}
    for result in known:
        for name, digest in zip(result.files, result.digests, strict=True):
            if digests.setdefault(name, digest) != digest:
                return True
    for name, (kind, owner) in loaded.owners.items():
        if owner in ids and name not in skip and kind in ("ramme", "endringer"):
            return True
        if name in digests and loaded.digests.get(name, digests[name]) != digests[name]:
            return True
    return False


def _cached_frames(files: list[tuple[Path, bool]], names: list[str], options: str,
                   cache: Cache) -> tuple[list[Known], set[str]]:
    """The frames whose results hold, and every file they cover (not to be read)."""
    hashes: dict[str, str | None] = {}

    def digest(name: str, path: Path) -> str | None:
        if name not in hashes:
            raw = read_file(path, name)
            hashes[name] = None if isinstance(raw, Problem) else content_hash(raw)
        return hashes[name]

    frames: dict[str, FileSummary] = {}
    for (path, _), name in zip(files, names, strict=True):
        key = digest(name, path)
        summary = cache.summary(key) if key is not None else None
        if summary is not None and summary.kind == "ramme":
            frames[name] = summary
    ids = Counter(s.owner for s in frames.values())
    cached: list[Known] = []
    skip: set[str] = set()
    for name, summary in frames.items():
        if ids[summary.owner] > 1:
            continue  # two frames with one id: read both, so that the problem is reported
        listed = [(display_name(Path(name).parent / rel), Path(name).parent / rel)
                  for rel in (*summary.changes, *summary.parameters)]
        keys = [(name, hashes[name])] + [(other, digest(other, path)) for other, path in listed]
        if all(key is not None for _, key in keys):
            result = cache.result(result_key(cache.version, options, keys))
            hashed = dict(keys)
            if result is not None and result.frame == summary.owner and all(f in hashed for f in result.files):
                cached.append(Known(result.frame, result.files, result.figures, result.problems,
                                    tuple(hashed[f] for f in result.files)))
                skip.add(name)
                skip.update(other for other, _ in listed)
    return cached, skip


def _remember(cache: Cache, result: Known, options: str) -> None:
    """Keep a frame's result, and what its files are, for the next check: under the hashes of exactly the
    bytes its documents were read from, so a file changed during the check cannot lend its name to them."""
    cache.put_summary(result.digests[0], FileSummary(kind="ramme", owner=result.frame, changes=result.changes,
                                                     parameters=result.parameters))
    key = result_key(cache.version, options, list(zip(result.files, result.digests, strict=True)))
    cache.put_result(key, FrameResult(frame=result.frame, files=result.files, figures=result.figures,
                                      problems=result.problems))


def options_key(tolerance: Decimal, known: bool, sets: Sequence) -> str:
    return json.dumps([str(tolerance), known, [list(map(str, s)) for s in sets]])


# ------------------------------------------------------------------------------- frames in the workers
#
# A cold check of many files is shared among worker processes (``loading.parallel``). Each worker does all
# of a frame: it reads the frame file and the files it lists, validates them, rolls and checks the frame, and
# sends back only the result (problems and a count), so this process has almost nothing left to do and every
# core is busy to the end. A frame is done there only when nothing about it needs the other files: when the
# frame and every file it lists read and validate without a problem, of the kinds listed, and link up
# without one. Anything else (a file with a problem, a frame listing a file twice, a table, a links file)
# goes back to this process, which reads it as before. The result is used exactly as a cached one (see
# ``run_check``), and :func:`_conflicts` then makes sure that no file read here makes the same run give
# another answer (a second frame with the same id, a changes file the frame does not list): if one does,
# every file is read again here, the slow but plain way.

#: A file whose first lines say it is a changes or parameter file is left, on the first pass, to the frame
#: that lists it (read there, once); a hint only: a file left and listed by no frame is read afterwards.
_LISTED_KIND = re.compile(rb"^type:[ \t]*([\"']?)(endringer|parametere)\1[ \t]*(?:#.*)?\r?$", re.MULTILINE)
_DEFERRED = ("deferred",)


def _frame_task(path: Path, name: str, store, checker: FrameChecker):
    """In a worker: one file of the run (see above). ``("deferred",)``, ``("frame", Known)`` or ``("read",
    plain or Read)`` for this process to validate."""
    from .loading.parallel import plain_of

    raw = read_file(path, name)
    if isinstance(raw, Problem):
        return "read", _unread(raw)
    if _LISTED_KIND.search(raw, 0, 4096):
        return _DEFERRED
    plain = plain_of(raw, path, name, store)
    if isinstance(plain, tuple) and plain[0].get("type") == "ramme":
        known = _frame_in_worker(plain, path, name, store, checker)
        if known is not None:
            return "frame", known
    return "read", plain


def _unread(problem: Problem):
    from .loading.documents import Read

    return Read(None, [problem], None)


def _frame_in_worker(plain, path: Path, name: str, store, checker: FrameChecker) -> Known | None:
    from .core.assemble import assemble
    from .core.models import ChangeSet, ParameterSet
    from .loading.documents import Relocate, document

    data, digest = plain
    read = document(data, name, Relocate(name, path, None, digest))
    if read is None:
        return None
    frame = read.doc
    files, digests = [name], [digest]
    listed: dict[str, list] = {}
    folder = Path(name).parent
    for key, rels, model in (("endringer", frame.changes, ChangeSet), ("parametere", frame.parameters, ParameterSet)):
        listed[key] = []
        for rel in rels:
            target = folder / rel
            other_name = display_name(target)
            if other_name in files:
                return None  # listed twice, or the frame itself: said by the plain reading
            other = _listed_document(target, other_name, store)
            if other is None or not isinstance(other[0], model):
                return None
            listed[key].append(other[0])
            files.append(other_name)
            digests.append(other[1])
    budget, problems = assemble(frame, listed["endringer"], listed["parametere"])
    if problems or budget is None:
        return None
    found, figures = checker(budget)
    return Known(frame.id, tuple(files), figures, tuple(found), tuple(digests), tuple(frame.changes),
                 tuple(frame.parameters))


#: In a worker: the parameter files validated so far, by name and hash (many frames may list one).
_PARAMETERS: dict[tuple[str, str], object] = {}


def _listed_document(path: Path, name: str, store):
    """A file a frame lists, validated, with the hash of its bytes; ``None`` if it has any problem."""
    from .core.models import ParameterSet
    from .loading.documents import Relocate, document
    from .loading.parallel import plain_of

    raw = read_file(path, name)
    if isinstance(raw, Problem):
        return None
    digest = content_hash(raw)
    if (name, digest) in _PARAMETERS:
        return _PARAMETERS[name, digest], digest
    plain = plain_of(raw, path, name, store)
    if not isinstance(plain, tuple):
        return None
    read = document(plain[0], name, Relocate(name, path, None, digest))
    if read is None:
        return None
    if isinstance(read.doc, ParameterSet):
        _PARAMETERS[name, digest] = read.doc
    return read.doc, digest


def frames_in_workers(files: list[tuple[Path, str]], checker: FrameChecker, store, workers: int,
                      progress: Callable[[int, int], None] | None = None) -> tuple[list[Known], dict]:
    """Every file of ``files`` (path, name) through :func:`_frame_task` in ``workers`` processes: the frames
    checked there, and what was read of the other files (by name, for ``load``'s ``preread``)."""
    from .loading.parallel import in_workers

    known: list[Known] = []
    preread: dict = {}
    paths = [p for p, _ in files]
    names = [n for _, n in files]
    for done, (name, outcome) in enumerate(zip(names, in_workers(_frame_task, workers, paths, names,
                                                                  [store] * len(files), [checker] * len(files)),
                                               strict=True), start=1):
        if outcome[0] == "frame":
            known.append(outcome[1])
        elif outcome[0] == "read":
            preread[name] = outcome[1]
        if progress is not None:
            progress(done, len(files))
    return known, preread
