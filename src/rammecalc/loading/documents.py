"""One file → one document, or every problem that stops it, each at its ``file:line:col``.

1. bytes → text: not UTF-8 is a problem at the first bad byte (``read_document``; :mod:`.files` opens the
   file, regular files only);
2. text → plain data (:mod:`.yamlread`), with every YAML-level problem at its place;
3. data → model (pydantic): every validation error is mapped back through its ``loc`` to the key or value
   it came from, with a hint for the common mistakes (a decimal comma inside ``{…}``, a date written
   ``01.05.2024``).

A valid file is read once, without noting where each value stands: the model finds its locations when
first asked (a problem in it, ``explain``) by reading the file again, and only if the file still holds the
bytes it was read from (its SHA-256), so a file changed in the meantime can never lend its places to
another's figures. A file with any problem is read again at once with every location.
"""

from __future__ import annotations

import functools
import hashlib
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..core.documents import DOCUMENT_KINDS
from ..core.models import ChangeSet, Frame, Located, Scenario
from ..core.problems import Code, Problem, input_error, near
from . import yamlread
from .files import read_file
from .yamlread import Locs


def content_hash(data: bytes) -> str:
    """The SHA-256 of a file's bytes: what the cache keys by, and what a document remembers it was read from."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Read:
    """One file read: its document (``None`` if it has a problem), its problems and what else is known."""

    doc: Located | None
    problems: list[Problem]
    text: str | None
    #: The frame's id (for a frame) or the id of the frame it belongs to (for a changes file), as written,
    #: even when the file did not validate.
    owner: str | None = None
    raw_kind: str | None = None
    #: A frame's 'endringer' and 'parametere' as written, so that they are read even if the frame is invalid.
    raw_lists: dict[str, list[str]] = field(default_factory=dict)
    has_type: bool = True
    #: The file's plain data, for a valid file read on the fast path (what the document cache keeps).
    data: dict | None = None
    #: True when a worker process has already written the file's data to the cache.
    cached: bool = False
    #: The SHA-256 of the bytes this was read from (``None`` if the file could not be read).
    digest: str | None = None

    @property
    def opened(self) -> bool:
        """Whether the file could be opened and read (a missing or unreadable file, a folder or a special
        file named as a file, is a problem at line 0, not a file checked)."""
        return not any(p.line == 0 for p in self.problems)


def read_document(path: Path, name: str) -> Read:
    """Read one file into a document, or the problems that stop it."""
    raw = read_file(path, name)
    if isinstance(raw, Problem):
        return Read(None, [raw], None)
    return decode_document(raw, name, path)


def decode_document(raw: bytes, name: str, path: Path | None) -> Read:
    """A file's bytes into a document: the bytes are hashed and parsed as they are, never read again."""
    digest = content_hash(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return Read(None, [input_error(
            Code.NOT_UTF8, (name, line, col),
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)",
            "save the file as UTF-8; most editors offer it under 'Save as' or 'Encoding'",
        )], None, digest=digest)
    read = parse_document(text, name, path, digest)
    read.digest = digest
    return read


def parse_document(text: str, name: str, path: Path | None = None, digest: str | None = None) -> Read:
    """Parse YAML text into a document, or every problem in it (see the module's docstring)."""
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return Read(None, [_empty(name)], text)
    parsed = yamlread.parse(text, name)
    if parsed.stopped:
        return Read(None, parsed.problems, text)
    data = parsed.data
    if data is None and not parsed.problems:
        return Read(None, [_empty(name)], text)
    if not parsed.problems and isinstance(data, dict) and isinstance(data.get("type"), str) \
            and data["type"] in DOCUMENT_KINDS:
        fast = document(data, name, Relocate(name, path, None if path is not None else text, digest))
        if fast is not None:
            return fast
    # Something is wrong: read again with every location, and say all of it.
    parsed = yamlread.parse(text, name, locate=True)
    data, locs, key_locs = parsed.data, parsed.locs, parsed.key_locs
    problems = list(parsed.problems)
    if not isinstance(data, dict):
        if not problems:
            problems.append(input_error(Code.INVALID, (name, *locs.get((), (1, 1))),
                                        "the file must be a mapping of keys (type, id, …), not a list or a value",
                                        "start the file with 'type: ramme' or 'type: endringer'"))
        return Read(None, _sorted(problems), text)

    kind = data.get("type")
    raw_lists = {key: [v for v in data[key] if isinstance(v, str)]
                 for key in ("endringer", "parametere") if isinstance(data.get(key), list)}
    raw_id = data.get("id") if isinstance(data.get("id"), str) else None
    raw_frame = data.get("ramme") if isinstance(data.get("ramme"), str) else None
    model = DOCUMENT_KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        kinds = " or ".join(f"'{k}'" for k in DOCUMENT_KINDS)
        if "type" not in data:
            problems.append(input_error(Code.MISSING_KEY, (name, *locs.get((), (1, 1))), "missing key 'type'",
                                        f"say what the file is: 'type:' {kinds}"))
        elif ("type",) not in parsed.spoiled:
            problems.append(input_error(Code.UNKNOWN_TYPE, (name, *locs.get(("type",), (1, 1))),
                                        f"unknown document type {kind!r}", f"use {kinds}"))
        return Read(None, _sorted(problems), text, raw_id, None, has_type="type" in data)

    try:
        doc = model.model_validate(data)
    except ValidationError as exc:
        errors = _union_errors(exc.errors(), locs)
        lines = text.splitlines()
        for err in errors:
            loc = _in_file(tuple(err["loc"]), locs)
            if any(loc[:len(s)] == s for s in parsed.spoiled):
                continue  # a value refused above: the validation error is only its consequence
            # pydantic counts a list's invalid items out and then says it is too short: the items' own
            # errors are the news, so the length error goes when any item under it failed.
            if err["type"] == "too_short" and any(
                    len(e["loc"]) > len(err["loc"]) and tuple(e["loc"][:len(err["loc"])]) == tuple(err["loc"])
                    for e in errors):
                continue
            problems.append(_from_pydantic(err, model, name, locs, key_locs, lines))
        doc = None
    if problems:
        return Read(None, _sorted(problems), text, raw_id if model is Frame else raw_frame, kind,
                    raw_lists=raw_lists if model is Frame else {})
    doc.with_source(name, locs, key_locs, digest=digest)  # (not reached: the fast path takes a valid file)
    return Read(doc, [], text, owner(doc), kind, digest=digest)


def _empty(name: str) -> Problem:
    return input_error(Code.EMPTY, (name, 1, 1), "the file is empty",
                       "write a frame ('type: ramme') or changes ('type: endringer'); see the README, or delete "
                       "the file")


def document(data: dict, name: str, locator: Relocate) -> Read | None:
    """Plain data of a known kind validated into its document, found again in its file only when asked;
    ``None`` if it does not validate (the caller reads the file again, with locations, to say why)."""
    try:
        doc = DOCUMENT_KINDS[data["type"]].model_validate(data)
    except ValidationError:
        return None
    doc.with_source(name, locator=locator, digest=locator.digest)
    return Read(doc, [], None, owner(doc), data["type"], data=data, digest=locator.digest)


def owner(doc: Located) -> str | None:
    """A frame's id, or the frame a changes file or scenario is for."""
    if isinstance(doc, Frame):
        return doc.id
    return getattr(doc, "frame", None) if isinstance(doc, (ChangeSet, Scenario)) else None


class Relocate:
    """Finds a valid file's locations when first asked, by reading it again (picklable, unlike a closure).

    Only the bytes the document was read from are trusted: if the file has changed since (its SHA-256
    differs), no location is given rather than another version's.
    """

    def __init__(self, name: str, path: Path | None, text: str | None, digest: str | None = None):
        self.name, self.path, self.text, self.digest = name, path, text, digest

    def __call__(self) -> tuple[Locs, Locs]:
        text = self.text
        if text is None:
            raw = read_file(self.path, self.name)
            if isinstance(raw, Problem) or (self.digest is not None and content_hash(raw) != self.digest):
                return {}, {}  # gone or changed since it was read: no places rather than wrong ones
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                return {}, {}
        parsed = yamlread.parse(text, self.name, locate=True)
        return parsed.locs, parsed.key_locs


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=Problem.sort_key)


# -------------------------------------------------------------------------------- pydantic errors

#: A number with a decimal comma written unquoted inside '{…}': YAML splits it at the comma.
_FLOW_COMMA = re.compile(r"[{,]\s*[\w\-æøåÆØÅ]+\s*:\s*[-−]?\d[\d ]*,\d")
_DOTTED_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")


@functools.lru_cache(maxsize=64)  # a file's thousand problems on one long line search it once
def line_hint(line: str) -> str | None:
    """A hint for the common mistakes that a source line shows, whatever the validator made of them."""
    if "{" in line and _FLOW_COMMA.search(line):
        return ("inside '{…}' a comma separates entries, so an unquoted decimal comma splits the number: quote it "
                "('3,5 %', '1,4') or write a full stop (3.5)")
    if _DOTTED_DATE.search(line):
        return "write a date as YYYY-MM-DD: 2024-05-01 for 1 May 2024"
    return None


def _from_pydantic(err: dict, model: type[BaseModel], name: str, locs: Locs, key_locs: Locs,
                   lines: list[str]) -> Problem:
    problem = _pydantic_problem(err, model, name, locs, key_locs)
    if 0 < problem.line <= len(lines):
        line = lines[problem.line - 1]
        hint = line_hint(line)
        if hint is None and err["type"] == "extra_forbidden" and err.get("input") is None and "{" in line:
            # {etikett: SKATT, RAMMETILSKOT, FINANS}: YAML read "RAMMETILSKOT" and "FINANS" as keys
            hint = ("inside '{…}' a comma ends a value, so a text with a comma in it is cut there: put the whole "
                    "text in quotes ('SKATT, RAMMETILSKOT, FINANS')")
        if hint is not None:
            return input_error(problem.code, (problem.file, problem.line, problem.col), problem.message, hint)
    return problem


#: pydantic's error types for a value of the wrong shape, and what the shape should have been.
_SHAPES = {"string_type": "text", "dict_type": "a mapping", "model_type": "a mapping",
           "model_attributes_type": "a mapping", "list_type": "a list", "tuple_type": "a list",
           "int_type": "a whole number", "int_parsing": "a whole number", "decimal_type": "a number",
           "decimal_parsing": "a number", "float_type": "a number", "bool_type": "yes or no"}


def _union_errors(errors: list[dict], locs: Locs) -> list[dict]:
    """A union's errors as the user needs them. pydantic tries every member of a union (``lik: 17`` or
    ``lik: {fil: …, rad: …}``) and reports each member's failure under a tag (``Address``,
    ``function-before[…]``). A member that refused the value's shape is noise when another member took the
    shape and then found something wrong inside it; when every member refused the shape, one error says
    what shapes would do."""
    def tag_at(err: dict) -> int | None:
        loc = tuple(err["loc"])
        for i, part in enumerate(loc):
            if not isinstance(part, str) or loc[:i] not in locs and i:
                continue
            if loc[:i + 1] not in locs and (i + 1 < len(loc) or err["type"] not in ("missing", "extra_forbidden")):
                return i
        return None

    members: dict[tuple, dict[str, list[dict]]] = {}
    for err in errors:
        i = tag_at(err)
        if i is not None:
            loc = tuple(err["loc"])
            members.setdefault(loc[:i], {}).setdefault(loc[i], []).append(err)
    drop: set[int] = set()
    merged: dict[int, dict] = {}
    for prefix, by_member in members.items():
        if len(by_member) < 2:
            continue
        shallow = {m for m, errs in by_member.items()
                   if all(len(e["loc"]) == len(prefix) + 1 and e["type"] in _SHAPES for e in errs)}
        if shallow and shallow != set(by_member):
            drop |= {id(e) for m in shallow for e in by_member[m]}
        elif shallow:  # no member took the shape: one error, at the value, naming every shape allowed
            first, *rest = [e for m in by_member for e in by_member[m]]
            expected = list(dict.fromkeys(_SHAPES[e["type"]] for e in [first, *rest]))
            merged[id(first)] = {"type": "union_shape", "loc": prefix, "input": first.get("input"),
                                 "msg": "", "ctx": {"expected": expected}}
            drop |= {id(e) for e in rest}
    return [merged.get(id(e), e) for e in errors if id(e) not in drop]


def _in_file(loc: tuple, locs: Locs) -> tuple:
    """A pydantic ``loc`` as a path in the file: without the tags pydantic puts in for a union (a rule's
    ``type``, say ``delårsvirkning``), which are no keys of the file."""
    out: tuple = ()
    for i, part in enumerate(loc):
        if out + (part,) not in locs and i + 1 < len(loc) and out + (loc[i + 1],) in locs:
            continue
        out += (part,)
    return out


def _pydantic_problem(err: dict, model: type[BaseModel], name: str, locs: Locs, key_locs: Locs) -> Problem:
    raw_loc = tuple(err["loc"])
    on_key = bool(raw_loc) and raw_loc[-1] == "[key]"
    if on_key:
        raw_loc = raw_loc[:-1]
    loc = _in_file(raw_loc, locs)
    kind = err["type"]
    last = loc[-1] if loc else None
    where = ".".join(str(p) for p in loc) or "the document"
    ctx = err.get("ctx") or {}
    value = err.get("input")

    def at(path: tuple) -> tuple[str, int, int]:
        p = path
        while p:
            if on_key and p in key_locs:
                return (name, *key_locs[p])
            if p in locs:
                return (name, *locs[p])
            p = p[:-1]
        return (name, *locs.get((), (1, 1)))

    if kind == "extra_forbidden":
        allowed = _keys_at(model, raw_loc[:-1])
        close = near(str(last), allowed)
        hint = (f"did you mean '{close[0]}'? " if close else "") + (
            f"allowed here: {', '.join(allowed)}" if allowed else "remove it")
        pos = key_locs.get(loc) or locs.get(loc) or locs.get((), (1, 1))
        return input_error(Code.UNKNOWN_KEY, (name, *pos), f"unknown key '{last}' in {_parent(loc)}", hint)
    if kind == "missing":
        parent = loc[:-1]
        pos = key_locs.get(parent) or locs.get(parent) or locs.get((), (1, 1))
        return input_error(Code.MISSING_KEY, (name, *pos), f"missing key '{last}' in {_parent(loc)}",
                           f"add '{last}:' here (see 'rammecalc schema' or the README)")
    if on_key:
        if kind in ("int_parsing", "int_type"):
            return input_error(Code.INVALID, at(loc), f"{where}: {value!r} is not a year",
                               "write the year as a four-digit number, e.g. 2017")
        if kind == "string_type":  # a key that must be a name (a column's id) was read as a number
            return input_error(Code.INVALID, at(loc), f"{where}: key {value!r} is a number, not a name",
                               f"write the id of a column, or quote it: '{value}'")
        return input_error(Code.INVALID, at(loc), f"{where}: key {value!r}: {_clean(err['msg'])}",
                           "see 'rammecalc schema' for what this mapping's keys are")
    if kind in ("enum", "literal_error"):
        return input_error(Code.INVALID, at(loc), f"{where}: {value!r} is not allowed",
                           f"use one of: {ctx.get('expected', '')}")
    if kind == "string_pattern_mismatch":
        return input_error(Code.INVALID, at(loc), f"{where}: {value!r} is not a valid id",
                           "use letters (æøå too), digits, '.', '-' and '_', and no spaces")
    if kind == "string_too_short":
        return input_error(Code.INVALID, at(loc), f"{where} is empty", "write a value, or remove the key")
    if kind == "union_shape":
        return input_error(Code.INVALID, at(loc), f"{where}: expected {' or '.join(ctx['expected'])}, "
                           f"got {_describe(value)}", "see 'rammecalc schema' or the README for the shape")
    if kind in ("string_type",):
        return input_error(Code.INVALID, at(loc), f"{where}: expected text, got {_describe(value)}",
                           "write text here; put it in quotes if YAML reads it as something else")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return input_error(Code.INVALID, at(loc), f"{where}: expected a mapping (key: value lines), "
                           f"got {_describe(value)}", "see 'rammecalc schema' or the README for the shape")
    if kind in ("tuple_type", "list_type"):
        return input_error(Code.INVALID, at(loc), f"{where}: expected a list ('- ' lines), got {_describe(value)}",
                           "see 'rammecalc schema' or the README for the shape")
    if kind in ("greater_than_equal", "less_than_equal"):
        about_year = any(str(part) in ("år", "kolonner", "beløp", "publisert", "verdier", "prisnivå") or
                         isinstance(part, int) and 1000 <= part for part in loc) or on_key
        bound = f"at most {ctx['le']}" if "le" in ctx else f"at least {ctx['ge']}" if "ge" in ctx else "in range"
        return input_error(Code.INVALID, at(loc), f"{where}: {value!r} is out of range ({_clean(err['msg'])})",
                           "check the year" if about_year else f"write a value {bound} (see 'rammecalc schema')")
    return input_error(Code.INVALID, at(loc), f"{where}: {_clean(err['msg'])}", _hint_for(kind))


def _clean(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def _hint_for(kind: str) -> str:
    if kind == "value_error":
        return "correct the value"
    return "see 'rammecalc schema' or the README for what belongs here"


def _describe(value: object) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"a yes/no value ({value}); quote it if it is text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _parent(loc: tuple) -> str:
    parent = loc[:-1]
    return "'" + ".".join(str(p) for p in parent) + "'" if parent else "the document"


def _keys_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The YAML keys allowed in the mapping at ``loc`` of ``model``."""
    target: object = model
    for part in loc:
        target = _unwrap(target)
        if isinstance(target, type) and issubclass(target, BaseModel):
            fields = {f.alias or n: f for n, f in target.model_fields.items()}
            if part not in fields:
                return []
            target = fields[part].annotation
        else:
            origin = typing.get_origin(target)
            args = typing.get_args(target)
            if origin in (typing.Union, types.UnionType):  # a rule or an operation: the member its tag names
                target = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)
                               and "type" in a.model_fields
                               and part in typing.get_args(a.model_fields["type"].annotation)), None)
                if target is None:  # a union of a text and a mapping: pydantic names the member by its class
                    target = next((a for a in args if getattr(a, "__name__", None) == part), None)
                if target is None:
                    return []
                continue
            elif origin in (tuple, list) and args:
                target = args[0]
            elif origin is dict and len(args) == 2:
                target = args[1]
            else:
                return []
    target = _unwrap(target)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return [f.alias or n for n, f in target.model_fields.items()]
    return []


def _unwrap(annotation: object) -> object:
    """``Annotated[X, …]`` and ``X | None`` → ``X`` (a union of several types is left as it is)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation
