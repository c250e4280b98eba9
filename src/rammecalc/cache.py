"""A cache for `rammecalc check`: what was learnt from files that have not changed since.

Two layers, both JSON that pydantic validates back when read (never pickle: a cache must not be a way to
run code), both keyed by content (SHA-256 of the file's bytes) and the rammecalc version:

* **documents**: each file's data as read from its YAML, so an unchanged file is not parsed again
  (``docs/ab/abcd….json``);
* **results**: each frame's check result (its problems and its number of published figures), keyed by the
  frame file's and its changes and parameter files' names and hashes and by the check's options
  (tolerance, known differences, --set), so an unchanged frame is neither validated nor checked again
  (``results.json``), with an index of each file's kind and the files a frame lists (``index.json``).

Anything unreadable, not valid JSON, or not of the expected shape is ignored (as if absent) and written
anew. Writes go to a temporary file renamed over the old one, so a crash leaves no half-written entry.
Nothing here is needed for correctness: ``--no-cache`` gives the same report.
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
    """``$RAMMECALC_CACHE_DIR``, else ``$XDG_CACHE_HOME/rammecalc``, else ``~/.cache/rammecalc``."""
    if os.environ.get("RAMMECALC_CACHE_DIR"):
        return Path(os.environ["RAMMECALC_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rammecalc"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class FileSummary(_Strict):
    """What a valid frame file is, without reading it: its kind ('ramme'), its id and the files it lists."""

    kind: str
    owner: str | None = None
    changes: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()


class FrameResult(_Strict):
    frame: str
    files: tuple[str, ...]
    figures: int
    #: The core's own dataclass, validated field by field (the models' strict config reaches it: an unknown
    #: key, code or severity makes the entry invalid, so it is ignored and written anew).
    problems: tuple[Problem, ...]


class Index(_Strict):
    version: str
    files: dict[str, FileSummary] = {}


class Results(_Strict):
    version: str
    frames: dict[str, FrameResult] = {}


class CachedDocument(_Strict):
    version: str
    kind: str
    data: dict


class Cache:
    """The cache directory for one rammecalc version. Every method is best effort: a failure to read is a
    miss, a failure to write is ignored."""

    def __init__(self, directory: Path, version: str):
        self.version = version
        self.root = directory / f"v{version}"
        self.index = self._load(self.root / "index.json", Index) or Index(version=version)
        self.results = self._load(self.root / "results.json", Results) or Results(version=version)
        self._new_files: dict[str, FileSummary] = {}
        self._new_results: dict[str, FrameResult] = {}

    def _load(self, path: Path, model: type[_Strict]):
        try:
            value = model.model_validate_json(path.read_bytes())
        except (OSError, ValueError, ValidationError):
            return None  # absent, unreadable or corrupt: start afresh (written anew at the end)
        return value if value.version == self.version else None

    # --------------------------------------------------------------------------------------- documents

    def _doc_path(self, key: str) -> Path:
        return self.root / "docs" / key[:2] / f"{key}.json"

    def document(self, key: str) -> tuple[str, dict] | None:
        try:
            entry = CachedDocument.model_validate_json(self._doc_path(key).read_bytes())
        except (OSError, ValueError, ValidationError):
            return None
        return (entry.kind, entry.data) if entry.version == self.version else None

    def put_document(self, key: str, kind: str, data: dict) -> None:
        write_document(str(self.root), self.version, key, kind, data)

    # ----------------------------------------------------------------------------------- index, results

    def summary(self, key: str) -> FileSummary | None:
        return self._new_files.get(key) or self.index.files.get(key)

    def put_summary(self, key: str, summary: FileSummary) -> None:
        if self.index.files.get(key) != summary:
            self._new_files[key] = summary

    def result(self, key: str) -> FrameResult | None:
        return self.results.frames.get(key)

    def put_result(self, key: str, result: FrameResult) -> None:
        self._new_results[key] = result

    def save(self) -> None:
        """Write the index and the results if anything was learnt."""
        if self._new_files:
            files = {**self.index.files, **self._new_files}
            _write(self.root / "index.json", Index(version=self.version, files=files).model_dump_json())
        if self._new_results:
            frames = {**self.results.frames, **self._new_results}
            _write(self.root / "results.json", Results(version=self.version, frames=frames).model_dump_json())


def write_document(root: str, version: str, key: str, kind: str, data: dict) -> None:
    """Keep a file's data (a module-level function, so that the processes that read files can call it)."""
    try:
        text = json.dumps({"version": version, "kind": kind, "data": data}, ensure_ascii=False)
    except (TypeError, ValueError):
        return
    _write(Path(root) / "docs" / key[:2] / f"{key}.json", text)


def result_key(version: str, options: str, files: list[tuple[str, str]]) -> str:
    """The key of a frame's check result: the options and every (file name, content hash) it depends on."""
    return content_hash(json.dumps([version, options, files], ensure_ascii=False).encode())


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except (OSError, UnboundLocalError):
            pass
