"""YAML text → plain data, and every problem the YAML itself has, each at its line and column.

The data is built straight from libyaml's events (its C parser where installed), in one loop with an
explicit stack: no node tree, no second walk, no recursion, so a file nested thousands of levels deep is a
problem at the line where it goes too deep, never a ``RecursionError``. Numbers stay the text the user
typed (``1.4`` becomes ``Decimal("1.4")`` later, never a float); only null, yes/no and integer keys (years)
are told apart. (A file in the plain part of YAML that rammecalc files use is read faster still, line by
line, by :mod:`.fastyaml`, which gives the same data or gives up.) With ``locate``, the line and column of every key and value are recorded too; most files
are read without (a valid file never needs them), and read again with them only when something asks.

What YAML allows and a rammecalc file refuses, each a problem at its place:

* aliases and merge keys (``*x``, ``<<``): a value written once and used elsewhere hides where it was
  written, and a few nested aliases expand to millions of values;
* a key that is not a plain word or a year (a list, a mapping, nothing), and a key given twice (PyYAML
  would silently keep the last; 2017, '2017' and 2017.0 are the same year);
* a tag other than ``!!str`` (``!!python/object:…``, ``!foo``): nothing is ever run, but a tag we do not
  understand is not silently read as text;
* control characters in text (ESC, NUL, C1 codes, line separators, bidirectional overrides), which would
  reach a colleague's terminal or a CI report raw: YAML admits them through escapes in double quotes;
* more than one document in a file, and nesting deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import yaml

from ..core.problems import Code, Problem, input_error

#: No rammecalc file needs more than about seven levels (a scenario's operation → item → rule → amounts per
#: year); anything past this is a damaged or foreign file, refused where it goes too deep.
MAX_DEPTH = 32

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAGS = frozenset(("tag:yaml.org,2002:str", "!"))
_MAP_TAGS = frozenset(("tag:yaml.org,2002:map",))
_SEQ_TAGS = frozenset(("tag:yaml.org,2002:seq",))
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"))
_FALSE = frozenset(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"))
_INT_KEY = re.compile(r"[-+]?[0-9]+$")
_YEARISH = re.compile(r"[+-]?[0-9]+(\.0*)?")
#: C0 controls but tab and newline, DEL, C1 controls, line and paragraph separators, bidirectional
#: embeddings, overrides and isolates: characters that move a terminal's cursor or reorder what it shows.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

Locs = dict[tuple, tuple[int, int]]
_SKIPPED = object()  # in the path of a refused key's value


class Parsed(NamedTuple):
    """What :func:`parse` found. ``data`` is ``None`` for an empty document or after a syntax error;
    ``spoiled`` holds the paths where a refused value was left out (a validation error there is only a
    consequence, not news); ``locs`` and ``key_locs`` are filled only with ``locate``."""

    data: object
    problems: list[Problem]
    spoiled: set[tuple]
    locs: Locs
    key_locs: Locs
    #: Reading stopped early (a syntax error, or nesting too deep): only ``problems`` mean anything.
    stopped: bool = False


def describe_control(char: str) -> str:
    names = {"\x00": "NUL", "\x1b": "ESC", "\r": "a carriage return", "\x7f": "DEL", "\u2028": "a line separator",
             "\u2029": "a paragraph separator"}
    return names.get(char, f"U+{ord(char):04X}")


def key_identity(key: object) -> object:
    """Keys that the models read as the same year are the same key: 2017, '2017' and 2017.0."""
    if isinstance(key, int):
        return key
    text = str(key).strip()
    if text[:1] in "+-0123456789" and _YEARISH.fullmatch(text):
        return int(text.split(".")[0]) if len(text) <= 60 else text
    return text


def parse(text: str, name: str, locate: bool = False) -> Parsed:
    """Read one YAML document into plain data (see the module's docstring for what is refused).

    Without ``locate``, a file in the plain part of YAML that rammecalc files are written in is read by
    :mod:`.fastyaml` (the same data, a third of the time); anything else, and every file with a problem,
    is read here."""
    if not locate:
        from .fastyaml import read

        data = read(text)
        if data is not None:
            return Parsed(data, [], set(), {}, {})
    problems: list[Problem] = []
    spoiled: set[tuple] = set()
    locs: Locs = {}
    key_locs: Locs = {}
    controls = CONTROL.search(text) is not None  # else only double-quoted escapes can make one

    def problem(code: Code, mark, message: str, hint: str) -> None:
        problems.append(input_error(code, (name, mark.line + 1, mark.column + 1), message, hint))

    loader = _Loader(text)
    get = loader.get_event
    check = loader.check_event
    ScalarEvent, MappingStart, SequenceStart = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    MappingEnd, SequenceEnd, Alias, DocumentStart = (yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.AliasEvent,
                                                     yaml.DocumentStartEvent)
    root: object = None
    # The open collections, innermost last: (container, its path, whether a mapping, the key awaiting a
    # value, whether a key is expected next, the keys seen: identity → line).
    stack: list[list] = []
    container: object = None
    path: tuple = ()
    is_map = False
    key: object = None
    expect_key = True
    seen: dict = {}
    skip_value = False  # the key was refused: its value is read (for its problems) but not kept
    documents = 0

    aliases: set[str] = set()

    def alias(event) -> None:
        """One problem for each anchor used again, however often (an alias bomb is one line per anchor)."""
        if event.anchor not in aliases:
            aliases.add(event.anchor)
            problem(Code.INVALID, event.start_mark, "YAML anchors and aliases (&name, *name) are not supported",
                    "write the value out where it is used")

    def place(value: object, mark, child_path: tuple) -> None:
        nonlocal root
        if container is None:
            root = value
        elif is_map:
            if not skip_value:
                container[key] = value  # type: ignore[index]
        else:
            container.append(value)  # type: ignore[union-attr]
        if locate:
            locs[child_path] = (mark.line + 1, mark.column + 1)

    try:
        while check():
            event = get()
            kind = type(event)
            if kind is DocumentStart:
                documents += 1
                if documents > 1:
                    problem(Code.YAML_SYNTAX, event.start_mark, "a second YAML document ('---') in the file",
                            "a rammecalc file holds one document: split it into two files, or remove the '---'")
                    break
                continue
            if kind is MappingEnd or kind is SequenceEnd:
                container, path, is_map, key, skip_value, seen = stack.pop()
                expect_key = True
                continue
            if container is not None and is_map and expect_key:
                # A key.
                mark = event.start_mark
                if kind is ScalarEvent and (event.tag is None or event.tag in _STR_TAGS):
                    value = event.value
                    plain = event.implicit[0] and event.tag is None
                    if plain and value == "<<":
                        problem(Code.INVALID, mark, "YAML merge keys ('<<') are not supported",
                                "write the keys out in this mapping")
                        key, skip_value = None, True
                    elif plain and value in _NULLS:
                        problem(Code.INVALID, mark, "a key must be a plain word or a year, not nothing",
                                "write the key as text")
                        key, skip_value = None, True
                    else:
                        if (controls or event.style == '"') and CONTROL.search(value):
                            bad = CONTROL.search(value)[0]
                            problem(Code.INVALID, mark, f"the key {value!r} holds a control character "
                                    f"({describe_control(bad)})", "remove it; it is usually pasted in unseen")
                        # (a key of more digits than any year stays text: Python refuses an int of 4 300)
                        key = int(value) if plain and len(value) <= 30 and _INT_KEY.match(value) else value
                        if (controls or event.style == '"') and CONTROL.search(value):
                            spoiled.add(path + (key,))  # said once: not again as an unknown key
                        same = key_identity(key)
                        if same in seen:
                            problem(Code.DUPLICATE_KEY, mark,
                                    f"duplicate key '{key}' (first at line {seen[same]}); YAML would silently "
                                    "keep only the last", "remove one of the two, or merge them")
                            skip_value = True
                        else:
                            seen[same] = mark.line + 1
                            skip_value = False
                            if locate:
                                key_locs[path + (key,)] = (mark.line + 1, mark.column + 1)
                else:
                    if kind is Alias:
                        alias(event)
                    elif kind is ScalarEvent:
                        problem(Code.INVALID, mark, f"YAML tag '{event.tag}' is not supported",
                                "remove the tag: values are read as they are written")
                    else:
                        problem(Code.INVALID, mark, "a key must be a plain word or a year",
                                "write the key as text")
                        _skip(check, get)
                    key, skip_value = None, True
                expect_key = False
                continue

            if container is None:
                child_path = ()
            elif not is_map:
                child_path = path + (len(container),)
            else:  # a refused key's value gets a path of its own, so that it cannot take the first one's place
                child_path = path + ((_SKIPPED, event.start_mark.line) if skip_value else (key,))
            mark = event.start_mark
            if kind is ScalarEvent:
                value = event.value
                tag = event.tag
                if tag is None:
                    if event.implicit[0]:  # plain: null and yes/no are told apart, the rest is text
                        if value in _NULLS:
                            value = None
                        elif value in _TRUE:
                            value = True
                        elif value in _FALSE:
                            value = False
                elif tag not in _STR_TAGS:
                    problem(Code.INVALID, mark, f"YAML tag '{tag}' is not supported",
                            "remove the tag: values are read as they are written")
                    value = None
                    spoiled.add(child_path)
                if value.__class__ is str and (controls or event.style == '"') and CONTROL.search(value):
                    bad = CONTROL.search(value)[0]
                    problem(Code.INVALID, mark, f"the text holds a control character ({describe_control(bad)})",
                            "remove it; it is usually pasted in unseen (a newline is written as a line break in "
                            "a '|' block, not as an escape)" if bad in "\r\u2028\u2029" else
                            "remove it; it is usually pasted in unseen")
                    spoiled.add(child_path)
                    value = None  # refused: nothing downstream reads it (a path with a NUL, say)
                place(value, mark, child_path)
                expect_key = True
            elif kind is MappingStart or kind is SequenceStart:
                tags = _MAP_TAGS if kind is MappingStart else _SEQ_TAGS
                if event.tag is not None and event.tag not in tags:
                    problem(Code.INVALID, mark, f"YAML tag '{event.tag}' is not supported",
                            "remove the tag: values are read as they are written")
                    spoiled.add(child_path)
                if len(stack) >= MAX_DEPTH:
                    problems.append(too_deep(name, mark.line + 1, mark.column + 1))
                    return Parsed(None, problems, spoiled, locs, key_locs, True)
                new: object = {} if kind is MappingStart else []
                place(new, mark, child_path)
                stack.append([container, path, is_map, key, skip_value, seen])
                container, path, is_map = new, child_path, kind is MappingStart
                key, expect_key, seen, skip_value = None, True, {}, False
            elif kind is Alias:
                alias(event)
                spoiled.add(child_path)
                place(None, mark, child_path)
                expect_key = True
    except yaml.MarkedYAMLError as exc:
        return Parsed(None, [syntax_problem(exc, text, name)], set(), {}, {}, True)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. a raw control character
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        what = describe_control(chr(exc.character)) if isinstance(exc.character, int) else repr(exc.character)
        return Parsed(None, [input_error(Code.YAML_SYNTAX, (name, line, col),
                                         f"YAML does not allow the character {what} here",
                                         "remove it; it is usually an invisible character pasted in")],
                      set(), {}, {}, True)
    finally:
        loader.dispose()
    return Parsed(root, problems, spoiled, locs, key_locs)


def too_deep(name: str, line: int, col: int) -> Problem:
    return input_error(Code.INVALID, (name, line, col), f"the file is nested more than {MAX_DEPTH} levels deep here",
                       "no rammecalc file needs that many: look for brackets left open, or check that this is the "
                       "right file")


def _skip(check, get) -> None:
    """Read past the collection whose start was just read (a refused key's)."""
    depth = 1
    while depth and check():
        kind = type(get())
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            depth += 1
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            depth -= 1


# ------------------------------------------------------------------------------------------ syntax errors


def syntax_problem(exc: yaml.MarkedYAMLError, text: str, name: str) -> Problem:
    """A YAML syntax error at the place to fix: where an unclosed quote or bracket was opened, if the
    parser only noticed at the end of the file; with a hint for the common mistakes."""
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
        bracket = unclosed_bracket(text)
        if bracket is not None:
            kind, line, col = bracket
            return input_error(Code.YAML_SYNTAX, (name, line, col),
                               f"YAML syntax: the file ends inside {kind} opened here",
                               "close it; a truncated file is the usual cause")
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if "nesting depth" in what:  # libyaml's own limit, met ahead of ours inside '[…]' and '{…}'
        return too_deep(name, line, col)
    if exc.context:
        what = f"{exc.context}, {what}"
    hint = "fix the YAML at this place; a truncated file or a missing closing quote or bracket is the usual cause"
    source_line = text.splitlines()[line - 1] if mark and 0 < line <= len(text.splitlines()) else ""
    if "tab" in what or "\t" in what:
        hint = "indent with spaces: YAML does not allow tabs for indentation"
    elif re.search(r":\s+-\s+\d", source_line):
        hint = ("a minus followed by a space starts a YAML list: write the amount without the space (-13012356) "
                "or in quotes ('- 13 012 356')")
    return input_error(Code.YAML_SYNTAX, (name, line, col), f"YAML syntax: {what}", hint)


def unclosed_bracket(text: str) -> tuple[str, int, int] | None:
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
