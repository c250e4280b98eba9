"""Loading: YAML files → linked budgets, or every problem with its ``file:line:col``.

The loader is the only place that reads files and the only part that stops at bad input: nothing can be
rolled from a file it cannot read. It never stops at the first problem, though: it collects every problem
in every file and returns them together.

How a file is read:

1. bytes → text: not UTF-8 is a problem at the first bad byte;
2. text → node tree (``yaml.compose``, libyaml's C composer where installed): a syntax error is a problem
   at its mark; an empty file is a problem;
3. nodes → plain data, remembering the line and column of every key and value. Numbers stay the text the
   user typed (so ``1.4`` becomes ``Decimal("1.4")``, never a float); two equal keys in one mapping are a
   problem (PyYAML itself would silently keep the last);
4. data → model (pydantic): every validation error is mapped back through its ``loc`` to the node it came
   from;
5. frames and their changes files are linked (``core.link``).
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from .core.link import link
from .core.models import DOCUMENT_KINDS, Budget, ChangeSet, Frame, Located, ParameterSet
from .core.problems import Code, Problem, input_error

_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_DECIMAL_INT = re.compile(r"^[-+]?\d+$")

Locs = dict[tuple, tuple[int, int]]


@dataclass
class Loaded:
    """What :func:`load` found: the budgets that could be linked, every problem, and the texts read."""

    budgets: list[Budget] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ one file


@dataclass
class _Read:
    doc: Located | None
    problems: list[Problem]
    text: str | None
    raw_id: str | None = None
    raw_kind: str | None = None


def read_document(path: Path, name: str) -> _Read:
    """Read one file into a frame or changes document, or the problems that stop it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return _Read(None, [input_error(Code.NOT_FOUND, (name, 0, 0), "no such file",
                                        "check the path")], None)
    except OSError as exc:
        return _Read(None, [input_error(Code.NOT_FOUND, (name, 0, 0), f"cannot read the file: {exc.strerror}",
                                        "check that the file exists and is readable")], None)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return _Read(None, [input_error(
            Code.NOT_UTF8, (name, line, col),
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)",
            "save the file as UTF-8; most editors offer it under 'Save as' or 'Encoding'",
        )], None)
    return parse_document(text, name)


def parse_document(text: str, name: str) -> _Read:
    """Parse YAML text into a frame or changes document, or every problem in it."""
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return _Read(None, [input_error(Code.EMPTY, (name, 1, 1), "the file is empty",
                                        "write a frame ('type: ramme') or changes ('type: endringer'); "
                                        "see the README, or delete the file")], text)
    try:
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "not valid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        return _Read(None, [input_error(Code.YAML_SYNTAX, (name, line, col), f"YAML syntax: {what}",
                                        "fix the YAML at this place; a truncated file or a missing "
                                        "closing quote or bracket is the usual cause")], text)
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        return _Read(None, [input_error(Code.YAML_SYNTAX, (name, 1, 1), f"YAML: {exc}", "fix the file")], text)
    if node is None:
        return _Read(None, [input_error(Code.EMPTY, (name, 1, 1), "the file is empty", "write the document")],
                     text)

    problems: list[Problem] = []
    locs: Locs = {}
    key_locs: Locs = {}
    data = _to_data(node, (), locs, key_locs, problems, name)
    if not isinstance(data, dict):
        problems.append(input_error(Code.INVALID, (name, 1, 1),
                                    "the file must be a mapping of keys (type, id, …), not a list or a value",
                                    "start the file with 'type: ramme' or 'type: endringer'"))
        return _Read(None, problems, text)

    kind = data.get("type")
    raw_id = data.get("id") if isinstance(data.get("id"), str) else None
    raw_frame = data.get("ramme") if isinstance(data.get("ramme"), str) else None
    model = DOCUMENT_KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        kinds = " or ".join(f"'{k}'" for k in DOCUMENT_KINDS)
        if "type" not in data:
            problems.append(input_error(Code.MISSING_KEY, (name, *locs[()]), "missing key 'type'",
                                        f"say what the file is: 'type:' {kinds}"))
        else:
            problems.append(input_error(Code.UNKNOWN_TYPE, (name, *locs[("type",)]),
                                        f"unknown document type {kind!r}", f"use {kinds}"))
        return _Read(None, _sorted(problems), text, raw_id, None)

    try:
        doc = model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(_from_pydantic(err, model, name, locs, key_locs))
        doc = None
    if problems:
        return _Read(None, _sorted(problems), text, raw_id if model is Frame else raw_frame, kind)
    doc.with_source(name, locs, key_locs)
    owner = doc.id if isinstance(doc, Frame) else doc.frame if isinstance(doc, ChangeSet) else None
    return _Read(doc, [], text, owner, kind)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=Problem.sort_key)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _to_data(node: yaml.Node, path: tuple, locs: Locs, key_locs: Locs, problems: list[Problem], name: str):
    locs[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        seen: dict = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, as_key=True) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None or isinstance(key, (dict, list)):
                problems.append(input_error(Code.INVALID, (name, *_mark(key_node)),
                                            "a key must be a plain word or year", "write the key as text"))
                continue
            if key in seen:
                problems.append(input_error(
                    Code.DUPLICATE_KEY, (name, *_mark(key_node)),
                    f"duplicate key '{key}' (first at line {seen[key]}); YAML would silently keep only the last",
                    "remove one of the two, or merge them",
                ))
                continue
            seen[key] = key_node.start_mark.line + 1
            key_locs[path + (key,)] = _mark(key_node)
            out[key] = _to_data(value_node, path + (key,), locs, key_locs, problems, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(child, path + (i,), locs, key_locs, problems, name) for i, child in enumerate(node.value)]
    return _scalar(node, as_key=False)


def _scalar(node: yaml.ScalarNode, as_key: bool):
    """A scalar as the user wrote it: ``None``, a bool, an ``int`` year key, or the text itself.

    Numbers stay text so that the models read them into ``Decimal`` exactly.
    """
    if node.tag == _NULL_TAG:
        return None
    if node.tag == _BOOL_TAG:
        return node.value.lower() in ("true", "yes", "on", "y")
    if as_key and node.tag == _INT_TAG and _DECIMAL_INT.match(node.value):
        return int(node.value)
    return node.value


# -------------------------------------------------------------------------------- pydantic errors


def _from_pydantic(err: dict, model: type[BaseModel], name: str, locs: Locs, key_locs: Locs) -> Problem:
    loc = tuple(err["loc"])
    on_key = bool(loc) and loc[-1] == "[key]"
    if on_key:
        loc = loc[:-1]
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
        allowed = _keys_at(model, loc[:-1])
        near = difflib.get_close_matches(str(last), allowed, n=1)
        hint = (f"did you mean '{near[0]}'? " if near else "") + (
            f"allowed here: {', '.join(allowed)}" if allowed else "remove it")
        pos = key_locs.get(loc) or locs.get(loc) or locs.get((), (1, 1))
        return input_error(Code.UNKNOWN_KEY, (name, *pos), f"unknown key '{last}' in {_parent(loc)}", hint)
    if kind == "missing":
        parent = loc[:-1]
        pos = key_locs.get(parent) or locs.get(parent) or locs.get((), (1, 1))
        return input_error(Code.MISSING_KEY, (name, *pos), f"missing key '{last}' in {_parent(loc)}",
                           f"add '{last}:' here (see 'rammecalc schema' or the README)")
    if on_key:
        message = f"{where}: {value!r} is not a year" if kind in ("int_parsing", "int_type") else \
            f"{where}: key {value!r}: {_clean(err['msg'])}"
        return input_error(Code.INVALID, at(loc), message, "write the year as a four-digit number, e.g. 2017")
    if kind in ("enum", "literal_error"):
        return input_error(Code.INVALID, at(loc), f"{where}: {value!r} is not allowed",
                           f"use one of: {ctx.get('expected', '')}")
    if kind == "string_pattern_mismatch":
        return input_error(Code.INVALID, at(loc), f"{where}: {value!r} is not a valid id",
                           "use letters (æøå too), digits, '.', '-' and '_', and no spaces")
    if kind == "string_too_short":
        return input_error(Code.INVALID, at(loc), f"{where} is empty", "write a value, or remove the key")
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
        return input_error(Code.INVALID, at(loc), f"{where}: {value!r} is out of range ({_clean(err['msg'])})",
                           "check the year")
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
            if origin in (tuple, list) and args:
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
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


# -------------------------------------------------------------------------------------- many files


def display_name(path: Path) -> str:
    """The path as the user would write it: relative to the working folder where it lies below it."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return absolute
    return absolute if relative.startswith("..") else relative


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Files and folders → the YAML files to read (folders recursively, hidden folders skipped)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml") and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append(input_error(Code.NOT_FOUND, (display_name(path), 0, 0),
                                            "no .yaml files in this folder",
                                            "pass a folder holding frame and changes files, e.g. data"))
            files += found
        elif path.exists():
            files.append(path)
        else:
            problems.append(input_error(Code.NOT_FOUND, (display_name(path), 0, 0), "no such file or folder",
                                        "check the path"))
    return files, problems


def load(paths: Sequence[str | os.PathLike]) -> Loaded:
    """Read every frame and changes file under ``paths``, link each frame with its changes.

    A frame pulls in the changes files it lists even if they were not among ``paths``; a changes file that
    was given but that no frame given lists is a problem (its frame is missing).
    """
    result = Loaded()
    files, problems = expand(Path(p) for p in paths)
    result.problems += problems
    reads: dict[str, _Read] = {}
    listed: set[str] = set()

    def get(path: Path) -> _Read:
        name = display_name(path)
        if name not in reads:
            reads[name] = read_document(path, name)
            result.files.append(name)
            if reads[name].text is not None:
                result.texts[name] = reads[name].text
            result.problems += reads[name].problems
        return reads[name]

    for path in files:
        get(path)

    def listed_document(frame: Frame, key: str, i: int, kind: type[Located]) -> Located | None:
        """The i-th file a frame lists under ``key`` ('endringer' or 'parametere'), read once."""
        rel = (frame.changes if key == "endringer" else frame.parameters)[i]
        target = Path(frame.file).parent / rel
        read = get(target)
        if key == "endringer":
            listed.add(display_name(target))
        if read.doc is None:
            if read.problems and read.problems[0].code is Code.NOT_FOUND and read.problems[0].line == 0:
                result.problems.remove(read.problems[0])
                read.problems[0] = input_error(
                    Code.NOT_FOUND, frame.locate(key, i),
                    f"the {'changes' if key == 'endringer' else 'parameter'} file '{rel}' does not exist "
                    f"(looked for {display_name(target)})",
                    "correct the path; it is relative to this frame file",
                )
                result.problems.append(read.problems[0])
            return None
        if not isinstance(read.doc, kind):
            wanted = "a changes file ('type: endringer')" if key == "endringer" else \
                "a parameter file ('type: parametere')"
            result.problems.append(input_error(
                Code.INVALID, frame.locate(key, i),
                f"'{rel}' is a '{read.raw_kind}' file, but '{key}' lists {wanted}", "correct the path",
            ))
            return None
        return read.doc

    frames = [(name, r.doc) for name, r in list(reads.items()) if isinstance(r.doc, Frame)]
    frame_ids: dict[str, str] = {}
    for name, frame in frames:
        assert isinstance(frame, Frame)
        if frame.id in frame_ids:
            result.problems.append(input_error(
                Code.DUPLICATE_ID, frame.locate("id"),
                f"two frames have the id '{frame.id}' (the other is {frame_ids[frame.id]})",
                "give each frame its own id",
            ))
            continue
        frame_ids[frame.id] = name
        changesets = [cs for cs in (listed_document(frame, "endringer", i, ChangeSet)
                                    for i in range(len(frame.changes))) if cs is not None]
        parameter_sets = [ps for ps in (listed_document(frame, "parametere", i, ParameterSet)
                                        for i in range(len(frame.parameters))) if ps is not None]
        complete = len(changesets) == len(frame.changes) and len(parameter_sets) == len(frame.parameters)
        if not complete:
            continue
        budget, link_problems = link(frame, changesets, parameter_sets)
        result.problems += link_problems
        if budget is not None:
            result.budgets.append(budget)

    known_frames = {r.raw_id: name for name, r in reads.items() if r.raw_kind == "ramme" and r.raw_id}
    for name, read in reads.items():
        if read.raw_kind != "endringer" or name in listed:
            continue
        frame_id = read.raw_id
        loc = read.doc.locate("ramme") if read.doc is not None else (name, 1, 1)
        if frame_id in known_frames:
            result.problems.append(input_error(
                Code.UNLISTED_CHANGES, loc,
                f"frame '{frame_id}' ({known_frames[frame_id]}) does not list this changes file",
                f"add it under 'endringer' in {known_frames[frame_id]}",
            ))
        elif read.doc is not None:
            result.problems.append(input_error(
                Code.FRAME_MISSING, loc,
                f"this changes file belongs to frame '{frame_id}', which is not among the files read",
                "pass the frame file that lists it (or its folder, e.g. 'data'), or correct 'ramme'",
            ))
    result.problems.sort(key=Problem.sort_key)
    return result
