"""A cache for `rammecalc check`: what was learnt from files that have not changed since.

Two layers, both JSON (never pickle: a cache must not be a way to run code), both keyed by content (the
SHA-256 of a file's bytes) within a folder for one rammecalc version and source:

* **documents**: each file's data as read from its YAML, so an unchanged file is not parsed again
  (``docs/ab/abcd….json``);
* **results**: each frame's check result (its problems and its number of published figures), keyed by the
  hashes of the frame file, its changes and parameter files and by the check's options (tolerance, known
  differences, --set), so an unchanged frame is neither validated nor checked again (``results/ab.json``),
  with an index of what each frame file lists (``index/ab.json``); each layer split into 256 shards by
  its keys' first two hex digits.

A cache must never change an answer, so an entry is used only if it proves that it belongs where it is
found: every entry carries the key it was written under and the SHA-256 of its own payload, and is
validated in full (a document's data again by its model, like a parsed file's). An entry that is
unreadable, damaged (a flipped bit), moved (another file's entry), of another version or of the wrong
shape is ignored and written anew. Writes go to a temporary file renamed over the old one, so a crash
leaves no half-written entry and two processes can share the folder. Nothing here is needed for
correctness: ``--no-cache`` gives the same report, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from .core.problems import Problem


def default_directory() -> Path:
    """``$RAMMECALC_CACHE_DIR``, else the platform's cache folder for rammecalc (platformdirs): on Linux
    ``$XDG_CACHE_HOME/rammecalc`` or ``~/.cache/rammecalc``, on macOS ``~/Library/Caches/rammecalc``, on
    Windows ``%LOCALAPPDATA%\\rammecalc\\Cache``."""
    if os.environ.get("RAMMECALC_CACHE_DIR"):
        return Path(os.environ["RAMMECALC_CACHE_DIR"])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("rammecalc", appauthor=False))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class FileSummary(_Strict):
    """What a valid frame file is, without reading it: its id and the files it lists."""

    kind: str
    owner: str | None = None
    changes: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()


class FrameResult(_Strict):
    frame: str
    files: tuple[str, ...]
    figures: int
    #: The core's own dataclass, validated field by field (an unknown key, code or severity makes the entry
    #: invalid, so it is ignored and written anew).
    problems: tuple[Problem, ...]


class _Entry(_Strict):
    """One sealed entry of a shard of the index or the results: the key it was written under, and its payload
    (a JSON text) with that text's SHA-256."""

    key: str
    sha256: str
    payload: str


class _Table(_Strict):
    version: str
    entries: dict[str, _Entry] = {}


def _seal(key: str, value: BaseModel) -> _Entry:
    payload = value.model_dump_json()
    return _Entry(key=key, sha256=_sha(payload.encode()), payload=payload)


def _open(entry: _Entry | None, key: str, model: type[_Strict]):
    """The entry's value if it proves it belongs under ``key`` (else ``None``)."""
    if entry is None or entry.key != key or entry.sha256 != _sha(entry.payload.encode()):
        return None
    try:
        return model.model_validate_json(entry.payload)
    except (ValueError, ValidationError):
        return None


#: JSON makes every key a string, but YAML keeps ``2016:`` (a year, a number) apart from ``'2016':`` (a text,
#: say a column's id), and a file means different things with one or the other. A mapping with a key that is
#: not a string is kept as its pairs under this one key (and so is a mapping whose only key is this one).
_PAIRS = "\u0000pairs"


def _keyed(value: object) -> object:
    if isinstance(value, dict):
        if all(k.__class__ is str for k in value) and list(value) != [_PAIRS]:
            return {k: _keyed(v) for k, v in value.items()}
        return {_PAIRS: [[k, _keyed(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_keyed(v) for v in value]
    return value


def _unkeyed(obj: dict) -> dict:
    if len(obj) == 1 and _PAIRS in obj:
        pairs = obj[_PAIRS]
        return {k: v for k, v in pairs} if isinstance(pairs, list) and all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], (str, int)) for p in pairs) else obj
    return obj


def _loads(payload: bytes) -> object:
    return json.loads(payload, object_hook=_unkeyed)


class DocumentStore:
    """The documents layer: each file's plain data under the hash of its bytes. Picklable (the processes
    that read files use it), and every method is best effort: a failure to read is a miss, a failure to
    write is ignored."""

    def __init__(self, root: Path, version: str):
        self.root, self.version = root, version

    def _path(self, key: str) -> Path:
        return self.root / "docs" / key[:2] / f"{key}.json"

    def document(self, key: str) -> dict | None:
        """The data kept for the file whose bytes hash to ``key``, if its entry proves it (see the module)."""
        try:
            raw = self._path(key).read_bytes()
            head, _, payload = raw.partition(b"\n")
            header = json.loads(head)
            if not (isinstance(header, dict) and header.get("version") == self.version and header.get("key") == key
                    and header.get("sha256") == _sha(payload)):
                return None
            data = _loads(payload)
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("type"), str) or header.get("kind") != data["type"]:
            return None
        return data

    def put_document(self, key: str, data: dict) -> None:
        try:
            payload = json.dumps(_keyed(data), ensure_ascii=False).encode()
            # What would not come back exactly as it went in is not kept, or a warm run would read another
            # file than the cold one did.
            if _loads(payload) != data:
                return
        except (TypeError, ValueError, RecursionError):
            return
        header = json.dumps({"version": self.version, "key": key, "kind": data.get("type"), "sha256": _sha(payload)})
        _write(self._path(key), header.encode() + b"\n" + payload)


#: Each version's folder holds this file: its version, and (by its time) when it was last used. A folder
#: without it is not rammecalc's, and is never pruned.
MARKER = "rammecalc-cache.json"
#: Besides the running version's, the folders of this many other versions are kept (the most recently used:
#: two installations, or a developer's branches, switching back and forth) ...
KEEP_OTHER_VERSIONS = 2
#: ... and none used within this many seconds is removed, whatever its rank: another process may be using it.
IN_USE_SECONDS = 600
#: The cache folder's tag for backup and archiving tools (https://bford.info/cachedir/).
_CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                 "# This file is a cache directory tag created by rammecalc: it can be deleted at any time.\n")


class Cache:
    """The cache directory for one rammecalc version (see the module).

    Several processes may use one folder at once (two checks in a CI job, an editor's and a terminal's): an
    entry is written to a temporary file and renamed over the old one, so no reader ever sees half of it; the
    index and the results are each saved under a lock, merged with what other processes saved since this
    one read them, so that neither loses the other's entries. Old versions' folders are pruned (:meth:`prune`).
    """

    def __init__(self, directory: Path, version: str):
        self.version = version
        self.directory = directory
        self.root = directory / f"v{version}"
        self.store = DocumentStore(self.root, version)
        #: (layer, shard) → its entries, each shard read when first asked (see :meth:`_shard`)
        self._shards: dict[tuple[str, str], dict[str, _Entry]] = {}
        self._new: dict[str, dict[str, _Entry]] = {"index": {}, "results": {}}

    # The content-keyed layers are each split into shards by the first two hex digits of the key
    # (``index/ab.json``, ``results/ab.json``): a lookup reads a 256th of the layer, and a run that learnt of
    # one changed frame rewrites two small files, not two tables of every frame it ever saw (on a national
    # corpus, reading and rewriting those was a fifth of a re-check). A warm check whose run index covers
    # every file reads none of them.
    def _shard_path(self, layer: str, key: str) -> Path:
        return self.root / layer / f"{key[:2]}.json"

    def _shard(self, layer: str, key: str) -> dict[str, _Entry]:
        shard = (layer, key[:2])
        if shard not in self._shards:
            self._shards[shard] = self._load(self._shard_path(layer, key))
        return self._shards[shard]

    def run_index(self, key: str) -> RunIndex:
        """The index of the last run with this key (see :class:`RunIndex`); empty if there is none."""
        return RunIndex(self.root, self.version, key)

    def _load(self, path: Path) -> dict[str, _Entry]:
        try:
            table = _Table.model_validate_json(path.read_bytes())
        except (OSError, ValueError, ValidationError):
            return {}  # absent, unreadable or corrupt: start afresh (written anew at the end)
        return dict(table.entries) if table.version == self.version else {}

    # ----------------------------------------------------------------------------------- index, results

    def summary(self, key: str) -> FileSummary | None:
        return _open(self._new["index"].get(key) or self._shard("index", key).get(key), key, FileSummary)

    def put_summary(self, key: str, summary: FileSummary) -> None:
        if self.summary(key) != summary:
            self._new["index"][key] = _seal(key, summary)

    def result(self, key: str) -> FrameResult | None:
        return _open(self._new["results"].get(key) or self._shard("results", key).get(key), key, FrameResult)

    def put_result(self, key: str, result: FrameResult) -> None:
        self._new["results"][key] = _seal(key, result)

    def save(self) -> None:
        """Write the shards of the index and the results that learnt anything (each merged, under the layer's
        lock, with what other processes saved meanwhile), mark the folder as used now, and prune old
        versions' folders."""
        for layer, new in self._new.items():
            if not new:
                continue
            shards: dict[Path, dict[str, _Entry]] = {}
            for key, entry in new.items():
                shards.setdefault(self._shard_path(layer, key), {})[key] = entry
            with _locked(self.root / f"{layer}.lock") as locked:
                if not locked:
                    continue  # another process holds it too long: this run's entries are not kept
                for path, entries in sorted(shards.items()):
                    # what is there now, others' entries included: read again under the lock (a shard is a
                    # 256th of the layer, and a file's stat cannot prove it unchanged where times are coarse)
                    current = self._load(path)
                    table = _Table(version=self.version, entries={**current, **entries})
                    _write(path, table.model_dump_json().encode())
                    self._shards[(layer, path.stem)] = dict(table.entries)
            new.clear()
        self._mark_used()
        self.prune()

    def _mark_used(self) -> None:
        _write(self.root / MARKER, json.dumps({"version": self.version}).encode())
        tag = self.root / "CACHEDIR.TAG"  # in the version's folder: the cache folder holds only those
        if not tag.exists():
            _write(tag, _CACHEDIR_TAG.encode())

    def prune(self, now: float | None = None) -> list[Path]:
        """Remove the folders of other rammecalc versions that are no longer used: all but the
        :data:`KEEP_OTHER_VERSIONS` most recently used, and never one used in the last
        :data:`IN_USE_SECONDS`. Only folders that carry rammecalc's :data:`MARKER` are touched. A folder is
        first renamed (atomically) out of the way, then deleted, so a process of that version that starts
        meanwhile finds no folder, or a whole one. Returns what was removed; a failure is ignored."""
        import shutil
        import time

        now = time.time() if now is None else now
        others = []
        try:
            for folder in self.directory.iterdir():
                if folder.name.startswith("v") and folder != self.root and folder.is_dir() \
                        and not folder.is_symlink():
                    try:
                        others.append(((folder / MARKER).stat().st_mtime, folder))
                    except OSError:
                        continue  # not rammecalc's, or being removed
        except OSError:
            return []
        others.sort(reverse=True)
        removed = []
        for rank, (used, folder) in enumerate(others):
            if rank < KEEP_OTHER_VERSIONS or now - used < IN_USE_SECONDS:
                continue
            trash = folder.with_name(f".removing-{folder.name}-{os.getpid()}")
            try:
                os.replace(folder, trash)
            except OSError:
                continue
            shutil.rmtree(trash, ignore_errors=True)
            removed.append(folder)
        return removed


#: A file's hash is taken from a run's index, without reading the file, only if its last change (mtime and
#: ctime) came at least this long before the moment its stat was taken; see :class:`RunIndex`.
SETTLED_NS = 3_000_000_000
#: The runs' indexes kept (one per folder, paths and options checked), the most recently used.
KEEP_RUNS = 8


class RunIndex:
    """What the last check of the same paths, from the same working folder and with the same options, found:
    each file's ``stat`` and the SHA-256 of its bytes, and each frame's result with the hashes of its files
    (``runs/<key>.json``, sealed like a document entry). It spares a warm check the reading and hashing of
    every file and the lookup of every frame's result in the content-keyed layers.

    **Why a changed file is never missed.** A file's hash is used without reading it only when its size,
    mtime, ctime, inode and device are all what they were when its bytes were read and hashed, and only if
    the entry was *settled* then: the file's mtime and ctime lay :data:`SETTLED_NS` (3 s) or more before the
    clock read just before its ``stat``. Any write to a file sets its ctime to the time of the write (no
    program can set a ctime back: ``touch``, ``cp -p`` and ``rsync -t`` restore an mtime, and set the ctime
    to now), and so does a rename or a new file taking its place. A write after the ``stat`` therefore gives a
    ctime later than the settled one, by more than the coarsest timestamps a file system keeps (FAT's 2 s)
    and a clock a second or two apart between a network file system and this machine. A file changed a
    moment before its ``stat``, or within the same second at the same size, has an entry that is not
    settled: it is read and hashed on every run until it has been left alone for 3 s. (The one way past:
    the system clock set back by more than that between two writes.) And nothing else is trusted as it is:
    the index must carry this version, its key and the SHA-256 of its payload, and be of the right shape.
    """

    def __init__(self, root: Path, version: str, key: str):
        self.version, self.key = version, key
        self.path = root / "runs" / f"{key}.json"
        #: What changed since the index was last written whole: ``runs/<key>.delta`` (see :meth:`save`).
        self.delta_path = self.path.with_suffix(".delta")
        #: name → [size, mtime_ns, ctime_ns, inode, device, sha256, settled]
        self.files: dict[str, list] = {}
        #: frame file → [frame id, files, their hashes, figures, problems (encoded), changes, parameters]
        self.frames: dict[str, list] = {}
        #: the whole index as written (its payload's SHA-256, files, frames), to which the delta applies
        self._base: tuple[str, dict[str, list], dict[str, list]] | None = None
        self._read()

    def _read(self) -> None:
        try:
            raw = self.path.read_bytes()
            head, _, payload = raw.partition(b"\n")
            seal = _sha(payload)
            if json.loads(head) != {"version": self.version, "key": self.key, "sha256": seal}:
                return
            data = json.loads(payload)
            files, frames = data["files"], data["frames"]
            if not (isinstance(files, dict) and isinstance(frames, dict)
                    and all(map(_file_entry, files.values())) and all(map(_frame_entry, frames.values()))):
                return
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return
        self._base = (seal, files, frames)
        self.files, self.frames = files, frames
        delta = self._read_delta(seal)
        if delta is not None:
            self.files, self.frames = dict(files), dict(frames)
            for table, changes in ((self.files, delta[0]), (self.frames, delta[1])):
                for name, entry in changes.items():
                    if entry is None:
                        table.pop(name, None)
                    else:
                        table[name] = entry

    def _read_delta(self, base: str) -> tuple[dict, dict] | None:
        """The changes written since the whole index (``None`` if there are none, or they are not sealed for
        this very index: then the whole index alone is used, which is older but as true, entry by entry: a
        stat and the hash its bytes had, a frame's result for files with those hashes)."""
        try:
            raw = self.delta_path.read_bytes()
            head, _, payload = raw.partition(b"\n")
            if json.loads(head) != {"version": self.version, "key": self.key, "base": base,
                                    "sha256": _sha(payload)}:
                return None
            data = json.loads(payload)
            files, frames = data["files"], data["frames"]
            if not (isinstance(files, dict) and isinstance(frames, dict)
                    and all(e is None or _file_entry(e) for e in files.values())
                    and all(e is None or _frame_entry(e) for e in frames.values())):
                return None
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None
        return files, frames

    def digest(self, name: str, info: os.stat_result) -> str | None:
        """The file's hash if its entry is settled and its stat is unchanged (see the class), else ``None``."""
        entry = self.files.get(name)
        if entry is None or not entry[6] or entry[:5] != [info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                                           info.st_ino, info.st_dev]:
            return None
        return entry[5]

    @staticmethod
    def entry(info: os.stat_result, digest: str, clock_ns: int) -> list:
        """A file's entry: its stat (taken after ``clock_ns`` was read, before the bytes hashed were read)."""
        settled = max(info.st_mtime_ns, info.st_ctime_ns) <= clock_ns - SETTLED_NS
        return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev, digest, settled]

    def save(self, files: dict[str, list], frames: dict[str, list]) -> None:
        """Write what changed, and keep only the :data:`KEEP_RUNS` most recently used indexes.

        A few changes (at most :data:`DELTA_SHARE` of the entries, or 64) are written as a delta to the whole
        index as it was read (``runs/<key>.delta``, sealed with that index's seal, so that it is never
        applied to another): a re-check after one changed file of a national corpus writes a few hundred
        bytes, not the ten megabytes of the whole (a tenth of a second). More are written as the whole
        index anew, and the delta removed."""
        if files == self.files and frames == self.frames:
            try:
                os.utime(self.path)  # used now
            except OSError:
                pass
            return
        if self._base is not None and self._save_delta(files, frames):
            return
        # (ASCII: a file name that is not UTF-8 holds surrogates, which JSON escapes and reads back as they were)
        payload = json.dumps({"files": files, "frames": frames}, separators=(",", ":")).encode()
        header = json.dumps({"version": self.version, "key": self.key, "sha256": _sha(payload)})
        _write(self.path, header.encode() + b"\n" + payload)
        try:
            self.delta_path.unlink(missing_ok=True)
        except OSError:
            pass
        _prune_runs(self.path.parent)

    def _save_delta(self, files: dict[str, list], frames: dict[str, list]) -> bool:
        """Write the changes from the whole index as a delta, if they are few (else ``False``)."""
        assert self._base is not None
        seal, base_files, base_frames = self._base
        limit = max(64, int((len(files) + len(frames)) * DELTA_SHARE))
        changes: list[dict] = []
        for table, base in ((files, base_files), (frames, base_frames)):
            changed: dict[str, list | None] = {n: e for n, e in table.items() if base.get(n) != e}
            changed.update((n, None) for n in base.keys() - table.keys())
            if len(changed) > limit:
                return False
            changes.append(changed)
        if len(changes[0]) + len(changes[1]) > limit:
            return False
        payload = json.dumps({"files": changes[0], "frames": changes[1]}, separators=(",", ":")).encode()
        header = json.dumps({"version": self.version, "key": self.key, "base": seal, "sha256": _sha(payload)})
        _write(self.delta_path, header.encode() + b"\n" + payload)
        try:
            os.utime(self.path)  # used now
        except FileNotFoundError:  # the index was pruned by another process meanwhile: no delta without it
            try:
                self.delta_path.unlink()
            except OSError:
                pass
        except OSError:
            pass
        return True


def _prune_runs(folder: Path, now: float | None = None) -> None:
    """Keep the :data:`KEEP_RUNS` most recently used run indexes (each with its delta), and remove a delta
    whose index is gone (pruned by another process while its run wrote it, or a crash between the two
    removals) once it is :data:`IN_USE_SECONDS` old. Best effort: a file that cannot be removed is left."""
    import time

    now = time.time() if now is None else now
    runs = []
    for path in folder.glob("*.json"):
        try:
            runs.append((path.stat().st_mtime, path))
        except OSError:
            continue  # removed meanwhile, or a dangling link
    runs.sort(reverse=True)
    for _, old in runs[KEEP_RUNS:]:
        for stale in (old, old.with_suffix(".delta")):
            try:
                stale.unlink(missing_ok=True)
            except OSError:
                pass
    for delta in folder.glob("*.delta"):
        try:
            if not delta.with_suffix(".json").exists() and now - delta.stat().st_mtime > IN_USE_SECONDS:
                delta.unlink()
        except OSError:
            continue


#: A run's changes are written as a delta to its whole index while they are at most this share of its entries.
DELTA_SHARE = 0.01


_INT, _STR = frozenset((int,)), frozenset((str,))


def _file_entry(entry: object) -> bool:
    return (type(entry) is list and len(entry) == 7 and set(map(type, entry[:5])) == _INT
            and type(entry[5]) is str and len(entry[5]) == 64 and type(entry[6]) is bool)


def _frame_entry(entry: object) -> bool:
    # (the types of the lists' items as one set: one pass in C, where a generator would call back per item)
    if not (type(entry) is list and len(entry) == 7):
        return False
    frame, files, digests, figures, problems, changes, parameters = entry
    return (type(frame) is str and type(files) is list and type(digests) is list and type(changes) is list
            and type(parameters) is list and set(map(type, files + digests + changes + parameters)) <= _STR
            and len(files) == len(digests) >= 1 and type(figures) is int and type(problems) is list)


def encode_problem(problem: Problem) -> list:
    return [problem.code.value, problem.severity.value, problem.file, problem.line, problem.col, problem.message,
            problem.hint, problem.figure, problem.year,
            *(None if d is None else str(d) for d in (problem.published, problem.computed, problem.difference))]


class _Malformed(ValueError):
    """An encoded problem that is not of the shape :func:`encode_problem` writes (never shown: the entry is
    ignored)."""


def decode_problem(fields: list) -> Problem:
    """A problem as :func:`encode_problem` wrote it; ``ValueError`` if it is not exactly that shape."""
    from decimal import Decimal, InvalidOperation

    from .core.problems import Code, Severity

    if not isinstance(fields, list) or len(fields) != 12:
        raise _Malformed
    code, severity, file, line, col, message, hint, figure, year, *figures = fields
    if not (isinstance(file, str) and type(line) is int and type(col) is int and isinstance(message, str)
            and all(v is None or isinstance(v, str) for v in (hint, figure, *figures))
            and (year is None or type(year) is int)):
        raise _Malformed
    try:
        amounts = [None if v is None else Decimal(v) for v in figures]
    except InvalidOperation:
        raise _Malformed from None
    return Problem(Code(code), Severity(severity), file, line, col, message, hint, figure, year, *amounts)


def result_key(version: str, options: str, files: list[tuple[str, str]]) -> str:
    """The key of a frame's check result: the options and every (file name, content hash) it depends on."""
    return _sha(json.dumps([version, options, files]).encode())  # (ASCII: a name may hold surrogates)


class _locked:
    """An exclusive lock on ``path`` (created if need be) for a ``with`` block, between processes: ``flock`` on
    POSIX, ``msvcrt.locking`` on Windows. Waits up to ``timeout`` seconds; the block is told whether it got
    the lock (a cache can always do without)."""

    def __init__(self, path: Path, timeout: float = 10.0):
        self.path, self.timeout, self.handle = path, timeout, None

    def __enter__(self) -> bool:
        import time

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "a+b")  # closed in __exit__
        except OSError:
            return False
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if os.name == "nt":  # pragma: no cover - Windows
                    import msvcrt

                    self.handle.seek(0)
                    msvcrt.locking(self.handle.fileno(), msvcrt.LK_NBLCK, 1)
                else:
                    import fcntl

                    fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except OSError:
                if time.monotonic() > deadline:
                    self.handle.close()
                    self.handle = None
                    return False
                time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            try:
                if os.name == "nt":  # pragma: no cover - Windows
                    import msvcrt

                    self.handle.seek(0)
                    msvcrt.locking(self.handle.fileno(), msvcrt.LK_UNLCK, 1)
                else:
                    import fcntl

                    fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
            except OSError:
                pass
            self.handle.close()


def _write(path: Path, data: bytes) -> None:
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
