"""Reading many files: on every core, and from the cache where it has them.

Each file is read once, as bytes; those bytes are hashed (SHA-256) and parsed, and nothing else: the cache
entry of a file is written under the hash of exactly the bytes that were parsed, and a document remembers
that hash, so a file that changes while a check reads it can never have another version's result stored
under its name. With a cache, a file whose bytes were read before is not parsed: its data comes from the
entry, which proves it belongs to those bytes (see ``cache.py``) and is validated like a parsed file's.

Parsing YAML is most of a large check's time and each file stands alone, so for many files the work is
shared out among worker processes (one per core unless ``jobs`` says otherwise), which send plain data back;
this process validates each file as it arrives while the workers read the next. Small runs stay in this
process: starting workers costs more than it saves. A worker ends when this process does (it watches its
parent), so a killed check leaves no process behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..core.documents import DOCUMENT_KINDS
from ..core.problems import Problem
from . import yamlread
from .documents import Read, Relocate, content_hash, decode_document, document, read_document
from .files import read_file

#: Below this many files, reading them in one process is faster than starting others.
PARALLEL_FROM = 300

#: A plain result from a worker: the file's data and the hash of the bytes it was read from.
Plain = tuple[dict, str]


def read_all(paths: list[Path], names: list[str], jobs: int | None = None, cache=None,
             preread: dict[str, Plain | Read] | None = None) -> Iterable[Read]:
    """Read and validate files, in order, on several cores when there are many, through ``cache`` if given
    (a :class:`~rammecalc.cache.Cache`). ``preread`` holds what workers already read of some files (by
    name): those are only validated here."""
    store = cache.store if cache is not None else None
    if preread:
        rest = [(p, n) for p, n in zip(paths, names, strict=True) if n not in preread]
        reading = iter(read_all([p for p, _ in rest], [n for _, n in rest], jobs, cache))
        return (_validated(preread[n], p, n) if n in preread else next(reading)
                for p, n in zip(paths, names, strict=True))
    workers = worker_count(jobs)
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        return (_validated(load_plain(p, n, store), p, n) for p, n in zip(paths, names, strict=True))
    return _stream(paths, names, workers, store)


def worker_count(jobs: int | None = None) -> int:
    """How many processes share the reading: ``jobs``, else ``$RAMMECALC_JOBS``, else one per core."""
    if jobs is not None:
        return jobs
    try:
        return max(1, int(os.environ.get("RAMMECALC_JOBS", "")))
    except ValueError:
        return os.cpu_count() or 1


def load_plain(path: Path, name: str, store=None) -> Plain | Read:
    """One file: its plain data and the hash of its bytes if it reads without a problem (from the cache if
    it has them), else the full result with every problem located (rare, so its cost does not matter)."""
    raw = read_file(path, name)
    if isinstance(raw, Problem):
        return Read(None, [raw], None)
    return plain_of(raw, path, name, store)


def plain_of(raw: bytes, path: Path, name: str, store=None) -> Plain | Read:
    """:func:`load_plain` of bytes already read."""
    digest = content_hash(raw)
    if store is not None:
        hit = store.document(digest)
        if hit is not None:
            return hit, digest
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return decode_document(raw, name, path)
    parsed = yamlread.parse(text, name)
    data = parsed.data
    if parsed.problems or parsed.stopped or not isinstance(data, dict) or not isinstance(data.get("type"), str) \
            or data["type"] not in DOCUMENT_KINDS:
        return decode_document(raw, name, path)
    if store is not None:
        store.put_document(digest, data)
    return data, digest


def _validated(result: Plain | Read, path: Path, name: str) -> Read:
    if isinstance(result, Read):
        return result
    data, digest = result
    read = document(data, name, Relocate(name, path, None, digest))
    if read is not None:
        return read
    # Invalid: read again, with locations, to say where each problem is.
    return read_document(path, name)


def _stream(paths, names, workers, store) -> Iterable[Read]:
    for result, path, name in zip(in_workers(load_plain, workers, paths, names, [store] * len(paths)), paths,
                                  names, strict=True):
        yield _validated(result, path, name)


def in_workers(function, workers: int, *arguments: list) -> Iterable:
    """``map(function, *arguments)`` in ``workers`` processes, in order. The work goes out in chunks of about a
    hundredth of each worker's share, so that no worker is left with a long last piece while the other
    waits (both cores stay busy to the end)."""
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    chunk = max(4, len(arguments[0]) // (workers * 100))
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.map(function, *arguments, chunksize=chunk)


def _watch_parent(parent: int) -> None:
    """In a worker: end at once when the process that started it is gone (killed, say), instead of waiting
    for work that will never come."""
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(0.2)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="rammecalc-watch-parent").start()
