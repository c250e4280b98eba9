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
5. frames and their changes files are linked (``core.link``); accounts and sum tables are validated
   (``core.accounts``, ``core.sums``); each link's two figures are found in the files it names
   (``core.links``).
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from .core.documents import DOCUMENT_KINDS

if typing.TYPE_CHECKING:
    from .core import accounts as accounts_core
    from .core import links as links_core
    from .core import sums as sums_core
from .core.link import link
from .core.models import Budget, ChangeSet, Frame, Located, ParameterSet, Scenario
from .core.problems import Code, Problem, Severity, input_error
from .core.terms import ACCOUNTS_KIND, SUMS_KIND

_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = frozenset(("yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
                    "on", "On", "ON", "off", "Off", "OFF"))
_INT_TEXT = re.compile(r"[-+]?[0-9]+$")


class _Composer(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's C parser where installed, with a resolver that tells only what we use apart.

    PyYAML resolves every plain scalar against its regular expressions for int, float, timestamp and so on,
    in Python: a third of the time of reading a file. We keep numbers as text anyway (the models read them
    into Decimal), so only null, yes/no, the merge key and integer keys (years) need a tag.
    """

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR_TAG
            if value in _NULLS:
                return _NULL_TAG
            if value in _BOOLS:
                return _BOOL_TAG
            if value == "<<":
                return _MERGE_TAG
            if _INT_TEXT.match(value):
                return _INT_TAG
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG
_MERGE_TAG = "tag:yaml.org,2002:merge"
_DECIMAL_INT = re.compile(r"^[-+]?\d+$")

Locs = dict[tuple, tuple[int, int]]


@dataclass
class Loaded:
    """What :func:`load` found: the budgets that could be linked, every problem, and the texts read."""

    budgets: list[Budget] = field(default_factory=list)
    #: Scenario files read, by id, with the parameter files each brings.
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    scenario_parameters: dict[str, list[ParameterSet]] = field(default_factory=dict)
    accounts: list[accounts_core.AccountsTable] = field(default_factory=list)
    sum_tables: list[sums_core.SumTable] = field(default_factory=list)
    links: list[links_core.LinkedSet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def budget(self, frame_id: str) -> Budget:
        """The linked budget of the frame with this id (KeyError listing the ids if there is none)."""
        for budget in self.budgets:
            if budget.frame.id == frame_id:
                return budget
        raise KeyError(f"no frame '{frame_id}'; the frames are: {', '.join(b.frame.id for b in self.budgets)}")

    def variant(self, *scenario_ids: str) -> Budget:
        """The budget of the scenarios' frame with the scenarios applied in order (by id)."""
        from .core.scenarios import apply

        scenarios = [self.scenario(s) for s in scenario_ids]
        if not scenarios:
            raise ValueError("name at least one scenario")
        budget = self.budget(scenarios[0].frame)
        for scenario in scenarios:
            budget = apply(budget, scenario, self.scenario_parameters.get(scenario.id, ()))
        return budget

    def compare(self, *variants: str | Sequence[str]):
        """Compare the base with each variant (a scenario id, or ids applied in order):
        a :class:`~rammecalc.core.compare.Comparison`."""
        from .core.compare import compare

        chosen = [[self.scenario(v)] if isinstance(v, str) else [self.scenario(s) for s in v] for v in variants]
        return compare(self.budget(chosen[0][0].frame), chosen, self.scenario_parameters)

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with this id (KeyError listing the ids if there is none)."""
        if scenario_id not in self.scenarios:
            raise KeyError(f"no scenario '{scenario_id}'; the scenarios are: {', '.join(self.scenarios)}")
        return self.scenarios[scenario_id]


# ------------------------------------------------------------------------------------------ one file


@dataclass
class _Read:
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


def _opened(read: _Read) -> bool:
    """Whether the file could be opened and read (a missing or unreadable file, or a folder named as a file,
    is a problem, not a file checked)."""
    return not any(p.line == 0 for p in read.problems)


def read_document(path: Path, name: str) -> _Read:
    """Read one file into a frame or changes document, or the problems that stop it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return _Read(None, [input_error(Code.NOT_FOUND, (name, 0, 0), "no such file",
                                        "check the path")], None)
    except IsADirectoryError:
        return _Read(None, [input_error(Code.UNREADABLE, (name, 0, 0), "is a folder, not a file",
                                        "name a file here")], None)
    except OSError as exc:
        return _Read(None, [input_error(Code.UNREADABLE, (name, 0, 0), f"cannot read the file: {exc.strerror}",
                                        "check that the file is readable")], None)
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
    return parse_document(text, name, path)


def parse_document(text: str, name: str, path: Path | None = None) -> _Read:
    """Parse YAML text into a document, or every problem in it.

    A valid file is read once, without noting where each value stands; its locations are found again from
    the file (``path``, or ``text``) only if something asks (a problem, ``explain``). A file with any problem
    is read again at once with every location, so that each message can cite it.
    """
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return _Read(None, [input_error(Code.EMPTY, (name, 1, 1), "the file is empty",
                                        "write a frame ('type: ramme') or changes ('type: endringer'); "
                                        "see the README, or delete the file")], text)
    try:
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        return _Read(None, [_syntax_problem(exc, text, name)], text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. a control character
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        return _Read(None, [input_error(Code.YAML_SYNTAX, (name, line, col),
                                        f"YAML does not allow the character U+{exc.character:04X} here",
                                        "remove it; it is usually an invisible character pasted in")], text)
    except yaml.YAMLError as exc:  # pragma: no cover - every YAML error PyYAML raises is one of the above
        return _Read(None, [input_error(Code.YAML_SYNTAX, (name, 1, 1), f"YAML: {exc}", "fix the file")], text)
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG):
        return _Read(None, [input_error(Code.EMPTY, (name, 1, 1), "the file is empty", "write the document")],
                     text)

    fast = _fast_document(node, name, path, text)
    if fast is not None:
        return fast
    problems: list[Problem] = []
    locs: Locs = {}
    key_locs: Locs = {}
    data = _to_data(node, (), locs, key_locs, problems, name)
    if problems and not isinstance(data, dict):
        return _Read(None, problems, text)
    if not isinstance(data, dict):
        problems.append(input_error(Code.INVALID, (name, 1, 1),
                                    "the file must be a mapping of keys (type, id, …), not a list or a value",
                                    "start the file with 'type: ramme' or 'type: endringer'"))
        return _Read(None, problems, text)

    kind = data.get("type")
    raw_lists = {key: [v for v in data[key] if isinstance(v, str)]
                 for key in ("endringer", "parametere") if isinstance(data.get(key), list)}
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
        return _Read(None, _sorted(problems), text, raw_id, None, has_type="type" in data)

    try:
        doc = model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        for err in errors:
            # pydantic counts a list's invalid items out and then says it is too short: the items' own
            # errors are the news, so the length error goes when any item under it failed.
            if err["type"] == "too_short" and any(
                    len(e["loc"]) > len(err["loc"]) and tuple(e["loc"][:len(err["loc"])]) == tuple(err["loc"])
                    for e in errors):
                continue
            problems.append(_from_pydantic(err, model, name, locs, key_locs))
        doc = None
    if problems:
        return _Read(None, _sorted(problems), text, raw_id if model is Frame else raw_frame, kind,
                     raw_lists=raw_lists if model is Frame else {})
    doc.with_source(name, locs, key_locs)  # (the fast path takes a file with no problem before this)
    return _Read(doc, [], text, _owner(doc), kind)


def _fast_document(node: yaml.Node, name: str, path: Path | None, text: str) -> _Read | None:
    """The document, if the file has no problem at all (else ``None``: read it again with locations)."""
    problems: list[Problem] = []
    data = _plain(node, problems)
    if problems or not isinstance(data, dict) or data.get("type") not in DOCUMENT_KINDS:
        return None
    return _document(data, name, _Relocate(name, path, None if path is not None else text))


def _document(data: dict, name: str, locator: _Relocate) -> _Read | None:
    """Plain data of a known kind validated into its document, found again in its file only when asked;
    ``None`` if it does not validate (the caller reads the file again, with locations, to say why)."""
    try:
        doc = DOCUMENT_KINDS[data["type"]].model_validate(data)
    except ValidationError:
        return None
    doc.with_source(name, locator=locator)
    return _Read(doc, [], None, _owner(doc), data["type"], data=data)


def _owner(doc: Located) -> str | None:
    """A frame's id, or the frame a changes file or scenario is for."""
    if isinstance(doc, Frame):
        return doc.id
    return getattr(doc, "frame", None) if isinstance(doc, (ChangeSet, Scenario)) else None


class _Relocate:
    """Finds a valid file's locations when first asked, by reading it again (picklable, unlike a closure)."""

    def __init__(self, name: str, path: Path | None, text: str | None):
        self.name, self.path, self.text = name, path, text

    def __call__(self) -> tuple[Locs, Locs]:
        try:
            text = self.text if self.text is not None else self.path.read_bytes().decode("utf-8-sig")
            node = yaml.compose(text, Loader=_Composer)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):  # changed since it was read: no locations
            return {}, {}
        locs: Locs = {}
        key_locs: Locs = {}
        _to_data(node, (), locs, key_locs, [], self.name)
        return locs, key_locs


def _plain(node: yaml.Node, problems: list, seen: set[int] | None = None):
    """Plain data from the node tree, as :func:`_to_data` makes it but without locations. Any problem
    (an alias, a merge key, a key that is not a scalar, a duplicate key) is only flagged, not described:
    the file is then read again by :func:`_to_data`, which says where and what."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        problems.append(True)
        return None
    seen.add(id(node))
    if type(node) is yaml.ScalarNode:
        tag = node.tag
        if tag is _STR_TAG or tag == _STR_TAG or tag == _INT_TAG:
            return node.value
        if tag == _NULL_TAG:
            return None
        if tag == _BOOL_TAG:
            return node.value.lower() in ("true", "yes", "on", "y")
        return node.value
    if type(node) is yaml.SequenceNode:
        return [_plain(child, problems, seen) for child in node.value]
    out: dict = {}
    identities: set = set()
    for key_node, value_node in node.value:
        if type(key_node) is not yaml.ScalarNode or key_node.tag == _MERGE_TAG or key_node.tag == _NULL_TAG:
            problems.append(True)
            return out
        value = key_node.value
        if key_node.tag == _INT_TAG and _DECIMAL_INT.match(value):
            key = int(value)
            same = key
        else:
            key = value
            same = _key_identity(value)
        if same in identities:
            problems.append(True)
            return out
        identities.add(same)
        out[key] = _plain(value_node, problems, seen)
    return out


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=Problem.sort_key)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _to_data(node: yaml.Node, path: tuple, locs: Locs, key_locs: Locs, problems: list[Problem], name: str,
             seen_nodes: dict[int, bool] | None = None):
    """Plain data from the node tree, recording where every key and value stands.

    YAML anchors and aliases (``&x`` … ``*x``) are refused: the composer hands back the same node again for
    an alias, which would hide where a value was written, and a few nested aliases can expand to millions
    of values (or loop for ever).
    """
    seen_nodes = {} if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        if not seen_nodes[id(node)]:  # one message for each value used again, however often
            seen_nodes[id(node)] = True
            at = key_locs.get(path) or locs.get(path[:-1]) or (1, 1)
            problems.append(input_error(Code.INVALID, (name, *at),
                                        "YAML anchors and aliases (&name, *name) are not supported",
                                        "write the value out where it is used"))
        return None
    seen_nodes[id(node)] = False
    locs[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        seen: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                problems.append(input_error(Code.INVALID, (name, *_mark(key_node)),
                                            "YAML merge keys ('<<') are not supported",
                                            "write the keys out in this mapping"))
                continue
            key = _scalar(key_node, as_key=True) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                problems.append(input_error(Code.INVALID, (name, *_mark(key_node)),
                                            "a key must be a plain word or a year", "write the key as text"))
                continue
            same = _key_identity(key)
            if same in seen:
                problems.append(input_error(
                    Code.DUPLICATE_KEY, (name, *_mark(key_node)),
                    f"duplicate key '{key}' (first at line {seen[same]}); YAML would silently keep only the last",
                    "remove one of the two, or merge them",
                ))
                continue
            seen[same] = key_node.start_mark.line + 1
            key_locs[path + (key,)] = _mark(key_node)
            out[key] = _to_data(value_node, path + (key,), locs, key_locs, problems, name, seen_nodes)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(child, path + (i,), locs, key_locs, problems, name, seen_nodes)
                for i, child in enumerate(node.value)]
    return _scalar(node, as_key=False)


def _key_identity(key: object) -> object:
    """Keys that the models read as the same year are the same key: 2017, '2017' and 2017.0."""
    if isinstance(key, int):
        return key
    text = str(key).strip()
    if re.fullmatch(r"[+-]?[0-9]+(\.0*)?", text):
        return int(text.split(".")[0])
    return text


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, name: str) -> Problem:
    """A YAML syntax error at the place to fix: where an unclosed quote or bracket was opened, if the
    parser only noticed at the end of the file."""
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or "not valid YAML"
    at_end = mark is not None and mark.index >= len(text.rstrip())
    opened = exc.context_mark
    inside = {"while scanning a quoted scalar": "a quoted text", "while parsing a flow mapping": "a '{…}' mapping",
              "while parsing a flow sequence": "a '[…]' list"}.get(exc.context or "")
    if at_end and inside and opened is not None and opened.line < mark.line:
        return input_error(Code.YAML_SYNTAX, (name, opened.line + 1, opened.column + 1),
                           f"YAML syntax: the file ends inside {inside} opened here",
                           "close it; a truncated file is the usual cause")
    if at_end and exc.context == "while parsing a flow node":
        # After a trailing comma the parser points at the end of the file; the bracket still open is ours to find.
        bracket = _unclosed_bracket(text)
        if bracket is not None:
            kind, line, col = bracket
            return input_error(Code.YAML_SYNTAX, (name, line, col),
                               f"YAML syntax: the file ends inside {kind} opened here",
                               "close it; a truncated file is the usual cause")
    if exc.context:
        what = f"{exc.context}, {what}"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    hint = "fix the YAML at this place; a truncated file or a missing closing quote or bracket is the usual cause"
    if "tab" in what or "\t" in what:
        hint = "indent with spaces: YAML does not allow tabs for indentation"
    return input_error(Code.YAML_SYNTAX, (name, line, col), f"YAML syntax: {what}", hint)


def _unclosed_bracket(text: str) -> tuple[str, int, int] | None:
    """The innermost '[' or '{' left open at the end of ``text`` (what it opens, line, column; 1-based),
    skipping quoted text and comments; ``None`` if every bracket is closed."""
    stack: list[tuple[str, int, int]] = []
    quote = None  # a quoted scalar may run over several lines
    for number, line in enumerate(text.splitlines(), start=1):
        i = 0
        while i < len(line):
            char = line[i]
            if quote == "'":
                if char == "'" and line[i + 1:i + 2] == "'":
                    i += 1  # '' is a quote inside single quotes
                elif char == "'":
                    quote = None
            elif quote == '"':
                if char == "\\":
                    i += 1
                elif char == '"':
                    quote = None
            elif char in "'\"" and line[:i].rstrip()[-1:] in ("", "[", "{", ",", ":", "-"):
                quote = char  # a quote opens a scalar only where one begins (not in "rock 'n roll")
            elif char == "#" and (i == 0 or line[i - 1] in " \t"):
                break
            elif char in "[{":
                stack.append(("a '[…]' list" if char == "[" else "a '{…}' mapping", number, i + 1))
            elif char in "]}" and stack:
                stack.pop()
            i += 1
    return stack[-1] if stack else None


def _scalar(node: yaml.ScalarNode, as_key: bool):
    """A scalar as the user wrote it: ``None``, a bool, an ``int`` year key, or the text itself.

    Numbers stay text so that the models read them into ``Decimal`` exactly.
    """
    if node.tag == _NULL_TAG:
        return None
    if node.tag == _BOOL_TAG:
        return node.value if as_key else node.value.lower() in ("true", "yes", "on", "y")
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


# -------------------------------------------------------------------------------------- many files


def display_name(path: Path) -> str:
    """The path as the user would write it: relative to the working folder where it lies below it."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return absolute
    return absolute if relative.startswith("..") else relative


def expand(paths: Iterable[Path]) -> tuple[list[tuple[Path, bool]], list[Problem]]:
    """Files and folders → the YAML files to read, each marked whether it was named (True) or found in a
    folder (False). Folders are read recursively; hidden folders are skipped."""
    files: list[tuple[Path, bool]] = []
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
            files += [(p, False) for p in found]
        elif path.exists():
            files.append((path, True))
        else:
            problems.append(input_error(Code.NOT_FOUND, (display_name(path), 0, 0), "no such file or folder",
                                        "check the path"))
    return files, problems


_LISTS = {"endringer": ("changes", ChangeSet, "a changes file ('type: endringer')"),
          "parametere": ("parameter", ParameterSet, "a parameter file ('type: parametere')")}


def load(paths: Sequence[str | os.PathLike], progress: Callable[[int, int], None] | None = None,
         jobs: int | None = None, cache=None, skip: frozenset[str] = frozenset(),
         hashes: dict[str, str] | None = None) -> Loaded:
    """Read every frame, changes and parameter file under ``paths``; link each frame with its files.

    A frame pulls in the files it lists even if they were not among ``paths``; a changes file that was given
    but that no frame lists is a problem (its frame is missing). In a folder, a YAML file with no ``type``
    key is not a rammecalc file: it is skipped with a warning. Every problem in every file is returned.
    ``progress(done, total)`` is called as the files named or found are read. ``jobs`` processes read
    them (default: one per core, for more than a few hundred files; see :func:`_read_all`). ``cache`` (a
    :class:`~rammecalc.cache.Cache`) gives files read before; files named in ``skip`` are left out (the
    check uses this for frames whose results it has cached). ``hashes`` (name → content hash) are the files
    the caller has hashed already, so that the cache does not read them a second time; it gains the rest.
    """
    result = Loaded()
    files, problems = expand(Path(p) for p in paths)
    files = [(path, named) for path, named in files if display_name(path) not in skip]
    result.problems += problems
    reads: dict[str, _Read] = {}
    listed: set[str] = set()

    def keep(name: str, read: _Read) -> None:
        """A file read: counted if it could be opened; its text kept if it has problems to show."""
        read.data = None  # kept only for the cache, which has had it
        reads[name] = read
        if _opened(read):
            result.files.append(name)
        if read.text is not None and read.problems:
            result.texts[name] = read.text

    def get(path: Path) -> _Read:
        """A file a frame or a link names (read, through the cache, if not read already)."""
        name = display_name(path)
        if name not in reads:
            keep(name, next(iter(_read_all([path], [name], 1, cache, hashes))))
        return reads[name]

    names = [display_name(path) for path, _ in files]
    walked = set(names)
    reading = _read_all([p for p, _ in files], names, jobs, cache, hashes)
    for done, ((path, _), name, read) in enumerate(zip(files, names, reading, strict=True), start=1):
        if name not in reads:
            keep(name, read)
        if progress is not None:
            progress(done, len(files))
    for path, named in files:
        read = get(path)
        if not named and not read.has_type and read.doc is None:
            read.raw_kind = "skipped"
            result.problems.append(Problem(Code.SKIPPED, Severity.WARNING, display_name(path), 1, 1,
                                           "no 'type' key: not a rammecalc file; skipped",
                                           "add 'type: ramme', 'type: endringer' or 'type: parametere' if it is one"))
        else:
            result.problems += read.problems

    def listed_file(frame_file: str, key: str, i: int, rel: str, at: Callable[[], tuple[str, int, int]],
                    seen: dict[str, int]) -> _Read | None:
        """The i-th file a frame lists under ``key``; every way it can be wrong is reported at the frame."""
        words, kind, wanted = _LISTS[key]
        target = Path(frame_file).parent / rel
        name = display_name(target)
        if key == "endringer":
            listed.add(name)
        if name in seen:
            result.problems.append(input_error(Code.LISTED_TWICE, at(),
                                               f"'{rel}' is the same file as entry {seen[name] + 1} of '{key}'",
                                               "list each file once"))
            return None
        seen[name] = i
        fresh = name not in reads
        read = get(target)
        if not _opened(read):
            if name not in walked:  # (among the paths given, it is reported as itself: one problem, once)
                result.problems.append(_not_opened(read, at(), f"the {words} file '{rel}' ({name})", "frame file"))
            return None
        if fresh:
            result.problems += read.problems
        if read.doc is None:
            return None
        if not isinstance(read.doc, kind):
            result.problems.append(input_error(Code.INVALID, at(),
                                               f"'{rel}' is a '{read.raw_kind}' file, but '{key}' lists {wanted}",
                                               "correct the path"))
            return None
        return read

    frame_ids: dict[str, str] = {}
    for name, read in list(reads.items()):
        if read.raw_kind != "ramme":
            continue
        frame = read.doc
        if frame is None:
            # Invalid frame: still read the files it lists, so that their problems show in this run too.
            for key, rels in read.raw_lists.items():
                seen: dict[str, int] = {}
                for i, rel in enumerate(rels):
                    listed_file(name, key, i, rel, lambda rel=rel, name=name, read=read: (name, *_first_line_of(read.text, rel)), seen)
            continue
        assert isinstance(frame, Frame)
        if frame.id in frame_ids:
            result.problems.append(input_error(
                Code.DUPLICATE_ID, frame.locate("id"),
                f"two frames have the id '{frame.id}' (the other is {frame_ids[frame.id]})",
                "give each frame its own id",
            ))
            continue
        frame_ids[frame.id] = name
        documents: dict[str, list] = {}
        complete = True
        for key in _LISTS:
            seen = {}
            rels = frame.changes if key == "endringer" else frame.parameters
            found = [listed_file(name, key, i, rel, lambda key=key, i=i, frame=frame: frame.locate(key, i), seen)
                     for i, rel in enumerate(rels)]
            documents[key] = [r.doc for r in found if r is not None]
            complete = complete and all(r is not None for r in found)
        if not complete:
            continue
        budget, link_problems = link(frame, documents["endringer"], documents["parametere"])
        result.problems += link_problems
        if budget is not None:
            result.budgets.append(budget)

    for name, read in list(reads.items()):
        scenario = read.doc
        if not isinstance(scenario, Scenario):
            continue
        if scenario.id in result.scenarios:
            result.problems.append(input_error(
                Code.DUPLICATE_ID, scenario.locate("id"),
                f"two scenarios have the id '{scenario.id}' (the other is {result.scenarios[scenario.id].file})",
                "give each scenario its own id",
            ))
            continue
        seen: dict[str, int] = {}
        found = [listed_file(name, "parametere", i, rel, lambda i=i, scenario=scenario: scenario.locate("parametere", i), seen)
                 for i, rel in enumerate(scenario.parameters)]
        if all(r is not None for r in found):
            result.scenarios[scenario.id] = scenario
            result.scenario_parameters[scenario.id] = [r.doc for r in found]

    frames_by_id = {r.owner: name for name, r in reads.items() if r.raw_kind == "ramme" and r.owner}
    for name, read in reads.items():
        if read.raw_kind != "endringer" or name in listed:
            continue
        frame_id = read.owner
        loc = read.doc.locate("ramme") if read.doc is not None else (name, 1, 1)
        if frame_id in frames_by_id:
            if reads[frames_by_id[frame_id]].doc is None:
                continue  # the frame itself is invalid; its own problems are reported
            result.problems.append(input_error(
                Code.UNLISTED_CHANGES, loc,
                f"frame '{frame_id}' ({frames_by_id[frame_id]}) does not list this changes file",
                f"add it under 'endringer' in {frames_by_id[frame_id]}",
            ))
        elif read.doc is not None:
            result.problems.append(input_error(
                Code.FRAME_MISSING, loc,
                f"this changes file belongs to frame '{frame_id}', which is not among the files read",
                "pass the frame file that lists it (or its folder, e.g. 'data'), or correct 'ramme'",
            ))
    _load_tables(result, reads)
    _load_links(result, reads, get, walked)
    result.problems.sort(key=Problem.sort_key)
    return result


def _not_opened(read: _Read, at: tuple[str, int, int], described: str, relative_to: str) -> Problem:
    """A file named in another that could not be opened, told where it is named."""
    problem = next(p for p in read.problems if p.line == 0)
    hint = (f"correct the path; it is relative to this {relative_to}" if problem.code is Code.NOT_FOUND
            else problem.hint)
    return input_error(problem.code, at, f"{described}: {problem.message}", hint)


def _table_problems(read: _Read) -> list[Problem]:
    """What the model of an accounts or sum table cannot see (their ``validate``); nothing for other kinds."""
    if read.doc is None or read.raw_kind not in (ACCOUNTS_KIND, SUMS_KIND):
        return []
    from .core import accounts as accounts_core
    from .core import sums as sums_core

    return (accounts_core.validate if read.raw_kind == ACCOUNTS_KIND else sums_core.validate)(read.doc)


def _load_tables(result: Loaded, reads: dict[str, _Read]) -> None:
    """The accounts and sum tables among the files read: validated, then kept for roll and check."""
    for read in reads.values():
        if read.doc is None or read.raw_kind not in (ACCOUNTS_KIND, SUMS_KIND):
            continue
        problems = _table_problems(read)
        result.problems += problems
        if not problems:
            (result.accounts if read.raw_kind == ACCOUNTS_KIND else result.sum_tables).append(read.doc)


def _load_links(result: Loaded, reads: dict[str, _Read], get, walked: set[str]) -> None:
    """Each links file: read the files its links name (relative to it) and find the two figures.

    A file a link pulls in is read for its figures (its own input problems are reported) but is rolled and
    checked only if it was among the paths given.
    """
    if not any(r.raw_kind == "koblinger" for r in reads.values()):
        return
    from .core import links as links_core
    for name, read in list(reads.items()):
        if not isinstance(read.doc, links_core.LinkSet):
            continue
        links = read.doc
        figures = []
        for index, stated in enumerate(links.links):
            pair = []
            for side, address in (("figur", stated.figure), ("lik", stated.equals)):
                pair.append(_figure(result, links, index, side, address, name, reads, get, walked))
            if all(f is not None for f in pair):
                figures.append((pair[0], pair[1]))
        if len(figures) == len(links.links):
            result.links.append(links_core.LinkedSet(links, tuple(figures)))


def _figure(result: Loaded, links: links_core.LinkSet, index: int, side: str, address: links_core.FigureAddress,
            name: str, reads: dict[str, _Read], get, walked: set[str]) -> links_core.Figure | None:
    from .core import links as links_core

    target = display_name(Path(name).parent / address.file)
    fresh = target not in reads
    read = get(Path(name).parent / address.file)
    if not _opened(read):
        if target not in walked:  # (among the paths given, it is reported as itself)
            result.problems.append(_not_opened(read, links.locate("koblinger", index, side, "fil"),
                                               f"the file '{address.file}' ({target})", "links file"))
        return None
    if fresh:
        result.problems += read.problems + _table_problems(read)
    if read.doc is None:
        return None
    found = links_core.resolve(read.doc, address)
    if isinstance(found, str):
        result.problems.append(links_core.unresolved(links, index, side, found))
        return None
    return found


#: Below this many files, reading them in one process is faster than starting others.
PARALLEL_FROM = 300


def _read_all(paths: list[Path], names: list[str], jobs: int | None, cache=None,
              hashes: dict[str, str] | None = None) -> Iterable[_Read]:
    """Read and validate files, on several cores when there are many, and from the cache where it has them.

    Parsing YAML is most of a large check's time and each file stands alone, so the files are shared out
    among worker processes (one per core unless ``jobs`` says otherwise), which send the validated documents
    back. Small runs stay in this process: starting workers costs more than it saves. With a cache, a file
    whose content was read before is validated from the data kept for it, not parsed.
    """
    if cache is None:
        return _parse_all(paths, names, jobs)
    from .cache import content_hash

    known = hashes if hashes is not None else {}
    results: list[_Read | None] = [None] * len(paths)
    keys: list[str | None] = [None] * len(paths)
    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        if name not in known:
            try:
                known[name] = content_hash(path.read_bytes())
            except OSError:
                continue  # read (and reported) below
        keys[i] = known[name]
        hit = cache.document(keys[i])
        if hit is not None and hit[0] in DOCUMENT_KINDS:
            read = _validated(hit[1], path, name)
            if read.doc is not None:  # a corrupt entry is not trusted: parsed and written anew below
                results[i] = read
    todo = [i for i, r in enumerate(results) if r is None]
    store = (str(cache.root), cache.version)
    parsed = _parse_all([paths[i] for i in todo], [names[i] for i in todo], jobs, [keys[i] for i in todo], store)
    for i, read in zip(todo, parsed, strict=True):
        results[i] = read
        if read.data is not None and keys[i] is not None and not read.cached:
            cache.put_document(keys[i], read.raw_kind, read.data)
        read.data = None  # the validated document is what is kept; the plain data would double the memory
    for read in results:
        read.data = None
    return results


def _parse_all(paths: list[Path], names: list[str], jobs: int | None, keys: list[str | None] | None = None,
               store: tuple[str, str] | None = None) -> Iterable[_Read]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        return map(read_document, paths, names)
    import multiprocessing

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    chunk = max(16, len(paths) // (workers * 8))
    return _stream(paths, names, workers, context, chunk, keys or [None] * len(paths), store)


def _stream(paths, names, workers, context, chunk, keys, store) -> Iterable[_Read]:
    import concurrent.futures

    # Workers send plain data (cheap to send; validated models are not) and this process validates each
    # file as it arrives, while the workers parse the next ones. With a cache, the workers also write each
    # file's entry, so that filling the cache costs the main process nothing.
    stores = [store] * len(paths)
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for result, path, name in zip(pool.map(_parse_plain, paths, names, keys, stores, chunksize=chunk), paths,
                                      names, strict=True):
            read = _validated(result, path, name)
            read.cached = store is not None and not isinstance(result, _Read)
            yield read


def _parse_plain(path: Path, name: str, key: str | None = None, store: tuple[str, str] | None = None) -> dict | _Read:
    """In a worker: the file as plain data if it reads without a problem, else the full result with every
    problem located (rare, so its cost does not matter). With a cache (``store``: its folder and version),
    the data is kept there under ``key``."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        node = yaml.compose(text, Loader=_Composer)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return read_document(path, name)
    problems: list = []
    data = _plain(node, problems) if node is not None else None
    if problems or not isinstance(data, dict) or data.get("type") not in DOCUMENT_KINDS:
        return read_document(path, name)
    if store is not None and key is not None:
        from .cache import write_document

        write_document(store[0], store[1], key, data["type"], data)
    return data


def _validated(result: dict | _Read, path: Path, name: str) -> _Read:
    if isinstance(result, _Read):
        return result
    # An invalid file is read again, with locations, to say where each problem is.
    return _document(result, name, _Relocate(name, path, None)) or read_document(path, name)


def _first_line_of(text: str | None, needle: str) -> tuple[int, int]:
    """Where ``needle`` is first written in ``text`` (for an invalid frame's list entries), else 1:1."""
    for number, line in enumerate((text or "").splitlines(), start=1):
        col = line.find(needle)
        if col >= 0:
            return number, col + 1
    return 1, 1
