"""A fast reader for the plain YAML that rammecalc files are written in, and nothing more.

:func:`rammecalc.loading.yamlread.parse` builds a file's data from libyaml's events; on a national corpus
that is nearly half of a cold check's CPU time (an event object, with two marks, per key and value). Most
files use a small part of YAML: block mappings and lists indented with spaces, one-line flow mappings and
lists (``{2018: 2760, 2019: 3093}``), plain and one-line quoted scalars, plain block scalars (``>-`` notes),
comments. This module reads exactly that part, line by line, and gives up (``None``) at anything else,
however harmless: a multi-line plain or quoted scalar, a block scalar with an indicator or uneven lines, an
anchor, alias or tag, a directive or a document marker, a complex key, a tab, a control character, a
double-quoted escape, a key given twice, a line over :data:`MAX_LINE` characters, a line it cannot place. Then the full
reader reads the file, and says whatever there is to say.

What it returns is what the full reader would (the test suite holds it to that on every bundled file, and
on thousands of altered ones): the same mappings, lists, keys (a plain whole number is an ``int``: a year),
and scalars (null, yes/no and the rest as the text written, numbers included). It never reports a problem:
a file with any problem at all is one the full reader must read.
"""

from __future__ import annotations

import re

# (the words the full reader resolves to null, yes and no, and its pattern of a key that is a year)
from .yamlread import _FALSE, _INT_KEY, _NULLS, _TRUE, CONTROL, MAX_DEPTH, key_identity

#: Characters that libyaml refuses or that need care (surrogates, non-characters, a byte-order mark, tabs,
#: carriage returns): a file holding one goes to the full reader.
_AWKWARD = re.compile("[\t\r\ufeff\ufffe\uffff\ud800-\udfff]")
#: A plain key, and the colon (with a space or the end of the line) that ends it. Words and the spaces between
#: them are taken possessively (``++``, ``*+``: no backtracking), so a line of a letter and a million spaces is
#: given up in one pass, not in a million (a lazy ``*?`` before `` *:`` tried every split: quadratic).
_KEY_WORDS = r"[A-Za-z0-9_\u00c0-\u024f](?:[A-Za-z0-9_\u00c0-\u024f.\-]++| ++(?=[A-Za-z0-9_\u00c0-\u024f.\-]))*+"
_KEY = re.compile(r"(" + _KEY_WORDS + r") *:(?: +|$)")
#: A plain scalar's first character must not be an indicator (or a quote, which is handled apart).
_PLAIN_START = re.compile(r"[^\-?:,\[\]{}#&*!|>'\"%@`\s]|[-?:][^\s,\[\]{}]")
#: A longer line goes to the full reader (libyaml refuses a key of more than 1 024 characters, and Python an
#: int of more than 4 300 digits; a line this long in a rammecalc file is an accident).
MAX_LINE = 1000
#: In a flow collection: a plain scalar with no indicator at its start and no ',', bracket, brace, ':' or '#'
#: anywhere (where YAML's versions differ on what such a character means, the full reader decides).
_FLOW_PLAIN = re.compile(r"(?:[^\-?:,\[\]{}#&*!|>'\"%@`\s]|-(?=[^\s,\[\]{}]))[^,\[\]{}:#]*")
_FLOW_KEY = re.compile(r"(" + _KEY_WORDS + r") *: +")


class _GiveUp(Exception):
    """Not in the part of YAML this module reads: the full reader reads the file."""


def read(text: str) -> object | None:
    """The file's data, as :func:`~.yamlread.parse` would give it with no problem; ``None`` if the file is
    not in the plain part of YAML this module reads (see the module), or is empty."""
    if _AWKWARD.search(text) or CONTROL.search(text):
        return None
    try:
        return _document(text)
    except _GiveUp:
        return None


def _scalar(text: str) -> object:
    """A block scalar's value written on one line (comment stripped): plain or quoted."""
    if not text:
        return None
    first = text[0]
    if first == "'" or first == '"':
        value, rest = _quoted(text, 0)
        after = rest.strip(" ")
        if after and not (rest.startswith(" ") and after.startswith("#")):
            raise _GiveUp  # 'a'b, or 'a': b (a quoted key)
        return value
    if not _PLAIN_START.match(text):
        raise _GiveUp
    cut = text.find(" #")
    if cut >= 0:
        text = text[:cut]
    text = text.rstrip(" ")
    if ": " in text or text.endswith(":"):
        raise _GiveUp  # "a: b" is a syntax error in YAML, and 'a:' a mapping
    return _WORDS.get(text, text)


def _quoted(text: str, start: int) -> tuple[str, str]:
    """A quoted scalar starting at ``start`` on this line: its value and the rest of the line after it."""
    quote = text[start]
    if quote == '"':
        end = text.find('"', start + 1)
        if end < 0:
            raise _GiveUp  # runs over lines
        value = text[start + 1:end]
        if "\\" in value:
            raise _GiveUp  # escapes: the full reader
        return value, text[end + 1:]
    i = start + 1
    parts = []
    while True:
        end = text.find("'", i)
        if end < 0:
            raise _GiveUp
        parts.append(text[i:end])
        if text.startswith("'", end + 1):
            parts.append("'")
            i = end + 2
            continue
        return "".join(parts), text[end + 1:]


def _key(raw: str, seen: set) -> object:
    """A plain key as the full reader gives it (a whole number is an int: a year), entered in ``seen``, the
    keys of its mapping so far; a key null, a merge key or one the mapping has already (2017, 2017.0) gives
    up (the full reader says what is wrong)."""
    if raw in _NULLS or raw == "<<":
        raise _GiveUp
    key = int(raw) if _INT_KEY.match(raw) else raw
    same = key if key.__class__ is int else (key_identity(key) if raw[0] in "+-0123456789" else key)
    if same in seen:
        raise _GiveUp
    seen.add(same)
    return key


#: Every line: its indent, a list dash (with the spaces after it), a plain key and its colon, and the rest.
_LINE = re.compile(r"^( *)(- +|-$)?(?:(" + _KEY_WORDS + r") *:(?: +|$))?(.*)$")
#: One entry of a one-line flow mapping of plain keys and plain values: ``2019: -20``.
_FLOW_ENTRY = re.compile(r" *(" + _KEY_WORDS + r") *: +"
                         r"((?:[^\-?:,\[\]{}#&*!|>'\"%@`\s]|-(?=[^\s,\[\]{}]))[^,\[\]{}:#]*+)?$")
_NOT_SIMPLE_FLOW = re.compile(r"[\[{'\"#&*!|>%@`?]")
#: The commonest value of all, a plain scalar with no ':' and no '#' in it (no comment, nothing to doubt).
_SIMPLE = re.compile(r"(?:[A-Za-z0-9_\u00c0-\u024f(]|-(?=[0-9]))[^:#]*$")
_WORDS: dict[str, object] = {**dict.fromkeys(_NULLS), **dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
#: The commonest flow mapping, years to whole numbers: ``{2018: 2760, 2019: -20}``.
_YEARS = re.compile(r" *[0-9]+ *: +-?[0-9]+(?: *, *[0-9]+ *: +-?[0-9]+)* *$")
_YEAR_PAIR = re.compile(r"([0-9]+) *: +(-?[0-9]+)")


def _document(text: str) -> object:
    """The block structure, line by line, with an explicit stack (no recursion)."""
    root: object = None
    #: the open block collections, innermost last: [indent, container, is a mapping, keys seen]
    stack: list[list] = []
    #: a key (or a dash) with nothing after it: (its container, the key or None, its indent, whether a list
    #: may stand at the same indent) awaiting the block below it, else null
    pending: tuple | None = None
    #: after a value written on its line, no line may be deeper (it would continue a multi-line scalar)
    ceiling = -1
    lines = text.split("\n")
    number = 0
    while number < len(lines):
        line = lines[number]
        if len(line) > MAX_LINE:
            raise _GiveUp  # libyaml takes no key longer than 1 024 characters: the full reader says so
        indent_text, dash, raw, rest = _LINE.match(line).groups()  # type: ignore[union-attr]
        number += 1
        if dash is None and raw is None and (not rest or rest[0] == "#"):
            continue  # a blank line or a comment
        indent = len(indent_text)
        if rest.startswith(("---", "...")) and indent == 0 and dash is None and raw is None:
            raise _GiveUp  # document markers
        if ceiling >= 0:
            if indent > ceiling:
                raise _GiveUp
            ceiling = -1
        if pending is not None:
            container, key, at, same = pending
            pending = None
            if indent > at or (same and indent == at and dash is not None):
                if len(stack) >= MAX_DEPTH - 2:
                    raise _GiveUp
                new: object = [] if dash is not None else {}
                if key is None:
                    container.append(new)
                else:
                    container[key] = new
                stack.append([indent, new, dash is None, set()])
            elif key is None:
                container.append(None)
            else:
                container[key] = None
        while stack and stack[-1][0] > indent:
            stack.pop()
        if stack and stack[-1][0] == indent and not stack[-1][2] and dash is None:
            stack.pop()  # a list at its key's own indent ends where the next key stands
            if not stack or stack[-1][0] != indent:
                raise _GiveUp
        if not stack:
            if root is not None:
                raise _GiveUp  # a second top-level block
            root = [] if dash is not None else {}
            stack.append([indent, root, dash is None, set()])
        frame = stack[-1]
        if frame[0] != indent:
            raise _GiveUp  # between two levels
        if dash is not None:
            if frame[2]:
                raise _GiveUp  # a dash among a mapping's keys
            items = frame[1]
            if raw is not None:  # "- key: value": a mapping whose keys stand where this key does
                column = indent + len(dash)
                if len(stack) >= MAX_DEPTH - 2:
                    raise _GiveUp
                item: dict = {}
                items.append(item)
                frame = [column, item, True, set()]
                stack.append(frame)
            elif not rest or rest[0] == "#":
                pending = (items, None, indent, False)
                continue
            else:
                if rest[0] == "-" and (len(rest) == 1 or rest[1] == " "):
                    raise _GiveUp  # "- - a"
                items.append(_inline(rest, len(stack)))
                ceiling = indent
                continue
        elif raw is None:
            raise _GiveUp  # neither a key nor a dash: a scalar where a key belongs
        # a key in the mapping ``frame``
        key = _key(raw, frame[3])
        if not rest or rest[0] == "#":
            pending = (frame[1], key, frame[0], True)
        else:
            if rest[0] in "|>":
                frame[1][key], number = _block_scalar(rest, lines, number, frame[0])
            elif _SIMPLE.match(rest):
                value = rest.rstrip(" ")
                frame[1][key] = _WORDS.get(value, value)
            else:
                frame[1][key] = _inline(rest, len(stack))
            ceiling = frame[0]
    if pending is not None:
        container, key, _, _ = pending
        if key is None:
            container.append(None)
        else:
            container[key] = None
    return root


_BLOCK_HEADER = re.compile(r"([|>])(-?)(?: +#.*)?$")


def _block_scalar(header: str, lines: list[str], number: int, owner: int) -> tuple[str, int]:
    """A literal (``|``, ``|-``) or folded (``>``, ``>-``) block scalar whose header ends its key's line: its
    text, and the number of the first line after it. Only the plain kind: its lines all at one indent,
    with no blank line among them and no space at their ends; anything else gives up."""
    match = _BLOCK_HEADER.match(header)
    if match is None:
        raise _GiveUp  # an indentation indicator, '+', or text after the header
    style, strip = match.groups()
    body: list[str] = []
    indent = -1
    while number < len(lines):
        line = lines[number]
        content = line.lstrip(" ")
        if not content:
            if not body:
                raise _GiveUp  # a blank line first (its indent counts)
            break  # a blank line ends it here, or belongs to it: the next line decides
        at = len(line) - len(content)
        if at <= owner:
            break
        if indent < 0:
            indent = at
        elif at != indent:
            raise _GiveUp  # more (or less) indented lines: folded otherwise, or an error
        if line.endswith(" "):
            raise _GiveUp
        body.append(content)
        number += 1
    if not body or number == len(lines):
        raise _GiveUp  # (the body ends the text with no line break: no final "\n" to keep)
    if number < len(lines) and not lines[number].strip(" "):
        # blank lines after the body: they belong to it only if more of it follows (then give up), and a
        # line of spaces deeper than the body's indent is a line of the body (its spaces): give up
        later = number
        while later < len(lines) and not lines[later].strip(" "):
            if len(lines[later]) > indent:
                raise _GiveUp
            later += 1
        if later < len(lines) and len(lines[later]) - len(lines[later].lstrip(" ")) > owner:
            raise _GiveUp
    value = ("\n" if style == "|" else " ").join(body)
    return (value if strip else value + "\n"), number


def _inline(text: str, depth: int) -> object:
    """A value written on its key's (or dash's) line: a one-line flow collection or a scalar."""
    first = text[0]
    if first == "{" or first == "[":
        close = "}" if first == "{" else "]"
        end = text.find(close)
        inside = text[1:end] if end > 0 else ""
        after = text[end + 1:] if end > 0 else "x"
        if first == "{" and end > 0 and not after and _YEARS.match(inside):
            pairs = _YEAR_PAIR.findall(inside)
            mapping = {int(k): v for k, v in pairs}
            if len(mapping) != len(pairs):
                raise _GiveUp  # a year given twice
            return mapping
        if first == "{" and end > 0 and not _NOT_SIMPLE_FLOW.search(inside) and (
                not after.strip(" ") or after.startswith(" ") and after.lstrip(" ").startswith("#")):
            mapping = {}
            seen: set = set()
            if inside.strip(" "):
                for part in inside.split(","):
                    entry = _FLOW_ENTRY.match(part)
                    if entry is None:
                        raise _GiveUp
                    raw, value = entry.groups()
                    value = value.rstrip(" ") if value is not None else ""
                    mapping[_key(raw, seen)] = _WORDS.get(value, value)
            return mapping
        value, rest = _Flow(text, depth + 1).collection()
        after = rest.strip(" ")
        if after and not (rest.startswith(" ") and after.startswith("#")):
            raise _GiveUp
        return value
    return _scalar(text)


class _Flow:
    """A flow collection on one line."""

    def __init__(self, text: str, depth: int):
        self.text, self.pos, self.depth = text, 0, depth

    def skip(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] == " ":
            pos += 1
        self.pos = pos

    def collection(self) -> tuple[object, str]:
        value = self.value()
        return value, self.text[self.pos:]

    def value(self) -> object:
        self.skip()
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise _GiveUp  # runs over lines
        char = text[pos]
        if char == "{" or char == "[":
            if self.depth > MAX_DEPTH - 2:
                raise _GiveUp
            self.depth += 1
            value = self.mapping() if char == "{" else self.sequence()
            self.depth -= 1
            return value
        if char == "'" or char == '"':
            value, rest = _quoted(text, pos)
            self.pos = len(text) - len(rest)
            return value
        match = _FLOW_PLAIN.match(text, pos)
        if match is None:
            raise _GiveUp
        self.pos = match.end()
        plain = match.group().rstrip(" ")
        return _WORDS.get(plain, plain)

    def close(self, bracket: str) -> bool:
        """Past a ',' (``False``) or the closing bracket (``True``); anything else gives up."""
        self.skip()
        text, pos = self.text, self.pos
        if pos < len(text) and text[pos] == bracket:
            self.pos = pos + 1
            return True
        if pos < len(text) and text[pos] == ",":
            self.pos = pos + 1
            self.skip()
            if self.pos < len(text) and text[self.pos] in "]}":
                raise _GiveUp  # a trailing comma
            return False
        raise _GiveUp

    def sequence(self) -> list:
        self.pos += 1
        self.skip()
        items: list = []
        if self.text[self.pos:self.pos + 1] == "]":
            self.pos += 1
            return items
        while True:
            self.skip()
            if _FLOW_KEY.match(self.text, self.pos):
                raise _GiveUp  # "[a: 1]": a mapping in a list
            items.append(self.value())
            if self.close("]"):
                return items

    def mapping(self) -> dict:
        self.pos += 1
        self.skip()
        mapping: dict = {}
        seen: set = set()
        if self.text[self.pos:self.pos + 1] == "}":
            self.pos += 1
            return mapping
        while True:
            self.skip()
            match = _FLOW_KEY.match(self.text, self.pos)
            if match is None:
                raise _GiveUp
            key = _key(match.group(1), seen)
            self.pos = match.end()
            self.skip()
            if self.text[self.pos:self.pos + 1] in (",", "}"):
                mapping[key] = None
            else:
                mapping[key] = self.value()
            if self.close("}"):
                return mapping
