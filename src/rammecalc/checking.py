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
    #: Taken from the run's index as it is (nothing to write back).
    from_index: bool = False


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
    import os
    import time

    from .loading.files import display_names
    from .loading.parallel import PARALLEL_FROM, worker_count

    clock = time.time_ns()  # read before any file's stat (see cache.RunIndex)
    stats: dict[Path, os.stat_result] = {}
    expanded = expand((Path(p) for p in paths), stats)
    names = display_names([p for p, _ in expanded[0]])
    stat_of = {n: stats[p] for (p, _), n in zip(expanded[0], names, strict=True) if p in stats}
    known: list[Known] = []
    skip: set[str] = set()
    index = hashes = None
    if cache is not None:
        index = cache.run_index(run_key(cache.version, paths, options))
        hashes = _Hashes(index, stat_of, clock)
        known, skip = _cached_frames(expanded[0], names, options, cache, index, hashes)
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
    remaining = ([(p, named) for (p, named), n in zip(expanded[0], names, strict=True) if n not in skip],
                 expanded[1])
    loaded = load(paths, progress=progress if preread is None else None, cache=cache, expanded=remaining,
                  preread=preread)
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
    checked = list(known)
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
            result = Known(frame.id, files, figures, tuple(problems), tuple(doc.digest for doc in docs),
                           tuple(frame.changes), tuple(frame.parameters))
            _remember(cache, result, options)
            checked.append(result)
    if cache is not None:
        cache.save()
        _save_index(index, hashes, checked, loaded, stat_of, clock)
    return run, loaded


def run_key(version: str, paths: Sequence[Path], options: str) -> str:
    """The key of a run's index: the version, the working folder, the paths as given and the options."""
    import os

    return hashlib.sha256(json.dumps([version, os.getcwd(), [os.fspath(p) for p in paths], options]).encode()
                          ).hexdigest()


class _Hashes:
    """Each file's SHA-256, from the run's index where a settled entry vouches for it (see ``cache.RunIndex``),
    else from its bytes; with the entry to keep for the next run."""

    def __init__(self, index, stats: dict, clock: int):
        self.index, self.stats, self.clock = index, stats, clock
        self.digests: dict[str, str | None] = {}
        self.entries: dict[str, list] = {}
        #: Whether any file was read and hashed (else every hash came from the index).
        self.fresh = False

    def vouched(self) -> dict[str, str]:
        """The hash of every file walked whose settled entry matches its stat (see ``cache.RunIndex.digest``)."""
        found = {}
        files = self.index.files
        for name, info in self.stats.items():
            entry = files.get(name)
            if entry is not None and entry[6] and entry[0] == info.st_size and entry[1] == info.st_mtime_ns \
                    and entry[2] == info.st_ctime_ns and entry[3] == info.st_ino and entry[4] == info.st_dev:
                found[name] = self.digests[name] = entry[5]
                self.entries[name] = entry
        return found

    def __call__(self, name: str, path: Path) -> str | None:
        if name in self.digests:
            return self.digests[name]
        import os
        import time

        info, clock = self.stats.get(name), self.clock
        if info is None:  # a file a frame lists, outside the paths given
            clock = time.time_ns()
            try:
                info = os.stat(path)
            except (OSError, ValueError):
                info = None
        digest = self.index.digest(name, info) if info is not None else None
        if digest is not None:
            self.entries[name] = self.index.files[name]
        else:
            raw = read_file(path, name)
            digest = None if isinstance(raw, Problem) else content_hash(raw)
            if digest is not None and info is not None:
                self.entries[name] = self.index.entry(info, digest, clock)
                self.fresh = True
        self.digests[name] = digest
        return digest


def _save_index(index, hashes: _Hashes, checked: list[Known], loaded: Loaded, stats: dict, clock: int) -> None:
    """The run's index for the next run: every file whose bytes were hashed after its stat was taken, and
    every frame's result."""
    from .cache import encode_problem

    if not hashes.fresh and all(r.from_index for r in checked) and len(checked) == len(index.frames) \
            and len(hashes.entries) == len(index.files):
        index.save(index.files, index.frames)  # nothing new: only marked as used
        return
    files = dict(hashes.entries)
    read = dict(loaded.digests)
    for result in checked:
        read.update(zip(result.files, result.digests, strict=True))
    for name, digest in read.items():
        if name not in files and name in stats:
            files[name] = index.entry(stats[name], digest, clock)
    frames = {r.files[0]: [r.frame, list(r.files), list(r.digests), r.figures, [encode_problem(p) for p in r.problems],
                           list(r.changes), list(r.parameters)] for r in checked}
    index.save(files, frames)


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


def _cached_frames(files: list[tuple[Path, bool]], names: list[str], options: str, cache: Cache, index,
                   digest: _Hashes) -> tuple[list[Known], set[str]]:
    """The frames whose results hold, and every file they cover (not to be read): first those of the last
    run with the same key whose files all have the hashes they had then, then those the content-keyed layers
    know (the cache's index and results)."""
    from .cache import decode_problem

    walked = dict(zip(names, (p for p, _ in files), strict=True))
    cached: list[Known] = []
    skip: set[str] = set()
    # Every walked file whose settled entry vouches for it at once (the common case, in one pass), then the
    # frames: a frame's files are looked up one by one only when one of them is not among those.
    vouched = digest.vouched()
    vouch = vouched.get
    for name, (frame_id, covered, digests, figures, problems, changes, parameters) in index.frames.items():
        if name not in walked or covered[0] != name or not skip.isdisjoint(covered):
            continue
        if list(map(vouch, covered)) == digests or all(
                digest(f, walked.get(f, f)) == d for f, d in zip(covered, digests, strict=True)):
            try:
                found = tuple(decode_problem(p) for p in problems)
            except ValueError:
                continue
            cached.append(Known(frame_id, tuple(covered), figures, found, tuple(digests), tuple(changes),
                                tuple(parameters), from_index=True))
            skip.update(covered)

    frames: dict[str, FileSummary] = {}
    for name, path in walked.items():
        if name in skip:
            continue
        key = digest(name, path)
        summary = cache.summary(key) if key is not None else None
        if summary is not None and summary.kind == "ramme":
            frames[name] = summary
    ids = Counter(s.owner for s in frames.values())
    for name, summary in frames.items():
        if ids[summary.owner] > 1:
            continue  # two frames with one id: read both, so that the problem is reported
        listed = [(display_name(Path(name).parent / rel), Path(name).parent / rel)
                  for rel in (*summary.changes, *summary.parameters)]
        if any(other in skip for other, _ in listed):
            continue
        keys = [(name, digest(name, walked[name]))] + [(other, digest(other, path)) for other, path in listed]
        if all(key is not None for _, key in keys):
            result = cache.result(result_key(cache.version, options, keys))
            hashed = dict(keys)
            if result is not None and result.frame == summary.owner and all(f in hashed for f in result.files):
                cached.append(Known(result.frame, result.files, result.figures, result.problems,
                                    tuple(hashed[f] for f in result.files), summary.changes, summary.parameters))
                skip.add(name)
                skip.update(other for other, _ in listed)
    return cached, skip


def _remember(cache: Cache, result: Known, options: str) -> None:
    """Keep a frame's result, and what its files are, for the next check: under the hashes of exactly the
    bytes its documents were read from, so a file changed during the check cannot lend its name to them."""
    try:
        "".join(result.files + result.changes + result.parameters).encode()
    except UnicodeEncodeError:
        return  # a file name that is not UTF-8 (these layers are UTF-8 JSON; the run's index keeps it)
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
