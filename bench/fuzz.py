#!/usr/bin/env python3
"""Feed ``rammecalc`` generated bad input and report every way it misbehaves.

    python bench/fuzz.py --count N --seed S [--jobs J] [--keep DIR] [--timeout SECONDS]
    python bench/fuzz.py --replay DIR          # rerun one kept case, with its outputs and tracebacks
    python bench/fuzz.py --case S-I            # build case I of seed S again, and replay it
    python bench/fuzz.py --list                # the mutations, by family

Each case starts from bundled files in ``data/`` (a frame with its changes, parameter files and scenarios;
a table (type: tabell) with the files its rows name; a links file with the files it names; or everything), copies them into a
folder of its own and mutates them: bytes (flips, cuts, inserts, invalid UTF-8, BOMs, CRLF), the YAML tree
(types, deep nesting, aliases, tags, control characters, NUL bytes in paths, huge values, huge lists, long
chains of groups) and the links between files (renamed ids, missing, duplicated and wrong-kind files,
cycles, symlinks). Case ``I`` of seed ``S`` is always the same input (``--case S-I`` builds it again).

Then it runs the CLI in-process (``rammecalc.cli.main`` with captured standard output and error) in a
worker process per core, each command under a timeout:

    check --no-cache · check --cache-dir C (cold, then warm) · check --no-cache --report json|junit|github
    roll · roll -o FILE (FILE exists beforehand)

and counts, per case, these failure classes:

    exit-code            an exit status other than 0, 1 or 2 (an exception that escaped is exit 3)
    internal-error-text  'internal error' or 'Traceback' in an output
    timeout              a command ran longer than --timeout (or the whole case had to be killed)
    no-location          exit 2 with an input problem that names no file:line:col (text or JSON report)
    output-file          roll -o changed the existing file on a failed run, left a temporary file, or wrote
                         other than what roll prints
    cache-mismatch       check with the cache (cold or warm) not byte for byte the same as --no-cache
    check-roll-disagree  exit 2 (unusable input) from one of check and roll but not the other
    report-disagree      the check's exit status differs between --report text/json/junit/github, or its
                         JSON or GitHub report is malformed
    junit-malformed      the JUnit report is not well-formed XML
    worker-crash         the worker process died (a crash in C code, or out of memory)

An exception is caught with its traceback (RAMMECALC_DEBUG=1 is set in the workers) and grouped by where it
was raised, so that each distinct bug is listed once with the cases that show it. ``--keep DIR`` saves each
failing case (its files, the commands and what went wrong) so that it can be replayed. Uses PyYAML (a
dependency of rammecalc) to edit the YAML trees; otherwise the standard library.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import copy
import functools
import io
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
VERSION = "rammecalc-fuzz/1"

# Failure classes, in the order they are reported.
EXIT = "exit-code"
TEXT = "internal-error-text"
SLOW = "timeout"
NOLOC = "no-location"
OUTFILE = "output-file"
CACHE = "cache-mismatch"
DISAGREE = "check-roll-disagree"
REPORTS = "report-disagree"
JUNIT = "junit-malformed"
CRASH = "worker-crash"
CLASSES = (EXIT, TEXT, SLOW, NOLOC, OUTFILE, CACHE, DISAGREE, REPORTS, JUNIT, CRASH)

SENTINEL = "an earlier run's output, which a failed run must leave as it is\n"

# ============================================================================================== the corpus


@functools.cache
def source_files() -> dict[str, bytes]:
    """Every bundled file, by its path under data/ ('frames/x.yaml')."""
    return {p.relative_to(DATA).as_posix(): p.read_bytes() for p in sorted(DATA.rglob("*.yaml"))}


def _kind(rel: str) -> str:
    return rel.split("/", 1)[0]


def _norm(base_rel: str, target: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(base_rel), target)).replace(os.sep, "/")


@functools.cache
def bundles() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The starting points: (name, files under data/). A frame brings the files it lists."""
    files = source_files()
    data = {rel: yaml.safe_load(raw) for rel, raw in files.items()}

    def listed(rel: str) -> list[str]:
        doc = data[rel]
        return [_norm(rel, t) for key in ("endringer", "parametere") for t in doc.get(key) or []
                if isinstance(t, str)]

    out: list[tuple[str, tuple[str, ...]]] = []
    frames = {data[rel]["id"]: rel for rel in files if _kind(rel) == "frames"}
    for frame_id, rel in frames.items():
        own = [rel, *listed(rel)]
        out.append((f"frame:{frame_id}", tuple(own)))
        scenarios = [s for s in files if _kind(s) == "scenarios" and data[s].get("gjelder") == frame_id]
        if scenarios:
            more = [*own, *scenarios, *(p for s in scenarios for p in listed(s))]
            out.append((f"scenarios:{frame_id}", tuple(dict.fromkeys(more))))
    for rel in files:
        if _kind(rel) == "tables":
            # a table with the files its rows take figures from (fra, lik)
            named = [_norm(rel, row[key]["fil"]) for row in data[rel].get("rader") or []
                     for key in ("fra", "lik") if isinstance(row, dict) and isinstance(row.get(key), dict)]
            more = [rel, *dict.fromkeys(named)]
            more += [p for n in named if _kind(n) == "frames" for p in listed(n)]
            out.append((f"tables:{Path(rel).stem}", tuple(dict.fromkeys(more))))
    for rel in files:
        if _kind(rel) == "links":
            named = [_norm(rel, side["fil"]) for link in data[rel]["koblinger"] for side in (link["figur"], link["lik"])]
            more = [rel, *dict.fromkeys(named)]
            more += [p for n in named if _kind(n) == "frames" for p in listed(n)]
            out.append((f"links:{Path(rel).stem}", tuple(dict.fromkeys(more))))
    out.append(("all", tuple(files)))
    return tuple(out)


def _choose_bundle(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    every = bundles()
    roll = rng.random()
    if roll < 0.03:
        return every[-1]  # everything: slow, so seldom
    if roll < 0.08:  # two starting points together
        (a, fa), (b, fb) = rng.sample(every[:-1], 2)
        return f"{a}+{b}", tuple(dict.fromkeys((*fa, *fb)))
    kinds = defaultdict(list)
    for name, files in every[:-1]:
        kinds[name.split(":")[0]].append((name, files))
    kind = rng.choices(["frame", "scenarios", "tables", "links"], [35, 18, 34, 13])[0]
    return rng.choice(kinds[kind])


# ================================================================================================ a case


@dataclass
class Case:
    """One input: files (path under the case's input folder → bytes), symlinks (path → target as written),
    extra folders, the paths given to the CLI, and what was done to make it."""

    id: str
    bundle: str
    files: dict[str, bytes]
    symlinks: dict[str, str] = field(default_factory=dict)
    folders: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=lambda: ["."])
    mutations: list[str] = field(default_factory=list)

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for rel in self.folders:
            (folder / rel).mkdir(parents=True, exist_ok=True)
        for rel, raw in self.files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(raw)
        for rel, target in self.symlinks.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink() or path.exists():
                path.unlink()
            with contextlib.suppress(OSError):  # (where the OS has no symlinks, the case goes without)
                os.symlink(target, path)

    def size(self) -> int:
        return sum(len(raw) for raw in self.files.values())


@dataclass
class Scale:
    """How big the big mutations get: the fuzzer's sizes, or smaller ones for the test suite."""

    depths: tuple[int, ...] = (150, 400, 800, 960, 990, 1500, 1990, 5000, 20000)
    list_sizes: tuple[int, ...] = (2000, 10000, 20000)
    chain_depths: tuple[int, ...] = (50, 300, 1000, 3000)
    problems: tuple[int, ...] = (500, 2000, 10000)


FULL = Scale()
SMALL = Scale(depths=(150, 400, 960, 990, 1500, 1990), list_sizes=(300, 1000), chain_depths=(50, 300, 1000),
              problems=(200, 1000))


class Skip(Exception):
    """A mutation that does not apply to this case (another is chosen)."""


def _text(raw: bytes) -> str:
    return raw.decode("utf-8-sig", errors="replace")


def _pick(rng: random.Random, case: Case, want: Callable[[str, str], bool] | None = None) -> str:
    """A file of the case (that ``want(rel, text)`` accepts)."""
    rels = [r for r in case.files if want is None or want(r, _text(case.files[r]))]
    if not rels:
        raise Skip
    return rng.choice(sorted(rels))


# ------------------------------------------------------------------------------------------ byte level

_INSERTS = [b":", b"-", b"- ", b"{", b"}", b"[", b"]", b"'", b'"', b"&a ", b"*a", b"!", b"!!str ", b"\t", b"\x00",
            b"\x1b", b"\xff", b"7", b"0", b".", b",", b"#", b"\n", b"\r", b"  ", b"%", b"@", b"`", b"|", b">",
            b"? ", b"<<: ", b"~", b"\\", b"\xe2\x88\x92", b"\xc2\xa0", b"---\n", b"...\n", b"\xef\xbb\xbf"]


def _spot(rng: random.Random, raw: bytes) -> int:
    """A position in the file, mostly outside comment lines (a change in a comment changes nothing)."""
    if not raw:
        return 0
    if rng.random() < 0.85:
        starts = [m.start() for m in re.finditer(rb"(?m)^(?![ \t]*#).+$", raw)]
        if starts:
            line = rng.choice(starts)
            end = raw.find(b"\n", line)
            end = len(raw) if end < 0 else end
            return rng.randint(line, max(line, end))
    return rng.randrange(len(raw) + 1)


def _bytes_of(rng: random.Random, case: Case) -> tuple[str, bytes]:
    rel = _pick(rng, case)
    return rel, case.files[rel]


def m_flip(rng, case, scale):
    rel, raw = _bytes_of(rng, case)
    if not raw:
        raise Skip
    i = min(_spot(rng, raw), len(raw) - 1)
    bit = 1 << rng.randrange(8)
    case.files[rel] = raw[:i] + bytes([raw[i] ^ bit]) + raw[i + 1:]
    return f"flip bit {bit:#04x} of byte {i} in {rel}"


def m_delete(rng, case, scale):
    rel, raw = _bytes_of(rng, case)
    i = _spot(rng, raw)
    n = rng.choice([1, 1, 2, 3, 8, 40])
    case.files[rel] = raw[:i] + raw[i + n:]
    return f"delete {n} bytes at {i} in {rel}"


def m_insert(rng, case, scale):
    rel, raw = _bytes_of(rng, case)
    i = _spot(rng, raw)
    what = rng.choice(_INSERTS)
    case.files[rel] = raw[:i] + what + raw[i:]
    return f"insert {what!r} at {i} in {rel}"


def m_duplicate(rng, case, scale):
    rel, raw = _bytes_of(rng, case)
    i = _spot(rng, raw)
    if rng.random() < 0.5:  # a whole line
        start = raw.rfind(b"\n", 0, i) + 1
        end = raw.find(b"\n", i)
        end = len(raw) if end < 0 else end + 1
    else:
        start, end = i, min(len(raw), i + rng.choice([1, 2, 5, 30]))
    case.files[rel] = raw[:end] + raw[start:end] + raw[end:]
    return f"duplicate bytes {start}-{end} in {rel}"


def m_truncate(rng, case, scale):
    rel, raw = _bytes_of(rng, case)
    if rng.random() < 0.5:
        comments = [m.span() for m in re.finditer(rb"(?m)^[ \t]*#.*$", raw)]
        starts = [a for a, _ in comments]
        numbers = []
        for m in re.finditer(rb"(?<![\w.])-?\d[\d_]{1,}(?:\.\d+)?", raw):
            j = bisect.bisect(starts, m.start()) - 1
            if j < 0 or comments[j][1] < m.start():
                numbers.append(m)
        if numbers:
            m = rng.choice(numbers)
            i = rng.randint(m.start() + 1, m.end() - 1)
            case.files[rel] = raw[:i]
            return f"cut {rel} at byte {i}, in the middle of the number {m.group().decode()}"
    i = _spot(rng, raw)
    case.files[rel] = raw[:i]
    return f"cut {rel} at byte {i} of {len(raw)}"


def m_invalid_utf8(rng, case, scale):
    rel, raw = _bytes_of(rng, case)
    i = _spot(rng, raw)
    what = rng.choice([b"\xff", b"\xc3", b"\xc3(", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x80",
                       b"\xe2\x88", b"\xfe\xff"])
    if rng.random() < 0.3:  # cut a multi-byte character in two
        multi = [m.start() for m in re.finditer(rb"[\xc2-\xf4]", raw)]
        if multi:
            j = rng.choice(multi)
            case.files[rel] = raw[:j + 1] + raw[j + 2:]
            return f"cut the UTF-8 character at byte {j} of {rel}"
    case.files[rel] = raw[:i] + what + raw[i:]
    return f"insert invalid UTF-8 {what!r} at {i} in {rel}"


def m_bom(rng, case, scale):
    rel, raw = _bytes_of(rng, case)
    choice = rng.choice(["utf8", "utf8-twice", "utf8-middle", "utf16le", "utf16be", "utf16-file", "utf32"])
    if choice == "utf8":
        new = b"\xef\xbb\xbf" + raw
    elif choice == "utf8-twice":
        new = b"\xef\xbb\xbf\xef\xbb\xbf" + raw
    elif choice == "utf8-middle":
        i = raw.find(b"\n", _spot(rng, raw)) + 1
        new = raw[:i] + b"\xef\xbb\xbf" + raw[i:]
    elif choice == "utf16le":
        new = b"\xff\xfe" + raw
    elif choice == "utf16be":
        new = b"\xfe\xff" + raw
    elif choice == "utf16-file":
        new = _text(raw).encode("utf-16")
    else:
        new = _text(raw).encode("utf-32")
    case.files[rel] = new
    return f"BOM ({choice}) in {rel}"


def m_newlines(rng, case, scale):
    rel, raw = _bytes_of(rng, case)
    choice = rng.choice(["crlf", "cr", "mixed", "crlf-one-line", "no-final-newline", "nel", "ls"])
    if choice == "crlf":
        new = raw.replace(b"\n", b"\r\n")
    elif choice == "cr":
        new = raw.replace(b"\n", b"\r")
    elif choice == "mixed":
        parts = raw.split(b"\n")
        new = b"".join(p + rng.choice([b"\n", b"\r\n", b"\r"]) for p in parts[:-1]) + parts[-1]
    elif choice == "crlf-one-line":
        i = raw.find(b"\n", _spot(rng, raw))
        new = raw if i < 0 else raw[:i] + b"\r\n" + raw[i + 1:]
    elif choice == "no-final-newline":
        new = raw.rstrip(b"\n")
    elif choice == "nel":
        new = raw.replace(b"\n", b"\xc2\x85")
    else:
        new = raw.replace(b"\n", b"\xe2\x80\xa8")
    case.files[rel] = new
    return f"newlines ({choice}) in {rel}"


# ------------------------------------------------------------------------------------------- YAML tree

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_RESOLVER = yaml.resolver.Resolver()
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _scalar(value: str, style: str | None = None) -> yaml.ScalarNode:
    """A scalar written as given (plain unless ``style`` quotes it)."""
    if style is None:
        return yaml.ScalarNode(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)), value)
    return yaml.ScalarNode(_STR, value, style=style)


def _mapping(pairs: list[tuple[str, yaml.Node]], flow: bool | None = None) -> yaml.MappingNode:
    return yaml.MappingNode(_MAP, [(_scalar(k), v) for k, v in pairs], flow_style=flow)


def _sequence(items: list[yaml.Node], flow: bool | None = None) -> yaml.SequenceNode:
    return yaml.SequenceNode(_SEQ, items, flow_style=flow)


@dataclass
class Slot:
    """A place in the tree: a value (or key) of a mapping, or an item of a sequence."""

    parent: yaml.Node
    index: int
    is_key: bool
    path: tuple[str, ...]  # mapping keys from the root; '[]' for a sequence item
    ancestors: tuple[yaml.Node, ...]

    @property
    def node(self) -> yaml.Node:
        if isinstance(self.parent, yaml.MappingNode):
            return self.parent.value[self.index][0 if self.is_key else 1]
        return self.parent.value[self.index]

    def set(self, node: yaml.Node) -> None:
        if isinstance(self.parent, yaml.MappingNode):
            key, value = self.parent.value[self.index]
            self.parent.value[self.index] = (node, value) if self.is_key else (key, node)
        else:
            self.parent.value[self.index] = node

    @property
    def key(self) -> str:
        return self.path[-1] if self.path else ""

    def under(self, *keys: str) -> bool:
        return any(k in self.path for k in keys)


def slots(root: yaml.Node) -> list[Slot]:
    out: list[Slot] = []

    seen: set[int] = set()

    def walk(node, path, ancestors):
        if id(node) in seen:  # a node shared through an alias is visited once (9^9 paths for 'billion laughs')
            return
        seen.add(id(node))
        ancestors = (*ancestors, node)
        if isinstance(node, yaml.MappingNode):
            for i, (k, v) in enumerate(node.value):
                name = k.value if isinstance(k, yaml.ScalarNode) else "?"
                out.append(Slot(node, i, True, (*path, name), ancestors))
                out.append(Slot(node, i, False, (*path, name), ancestors))
                walk(v, (*path, name), ancestors)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                out.append(Slot(node, i, False, (*path, "[]"), ancestors))
                walk(v, (*path, "[]"), ancestors)

    walk(root, (), ())
    return out


class Tree:
    """A file's YAML tree, to edit and write back; placeholders are scalars replaced in the text written
    (deep nesting and huge lists are written as text, not through the emitter)."""

    def __init__(self, case: Case, rel: str):
        self.case, self.rel = case, rel
        try:
            self.root = yaml.compose(_text(case.files[rel]), Loader=_Loader)
        except yaml.YAMLError:
            raise Skip from None
        if not isinstance(self.root, yaml.MappingNode):
            raise Skip
        self.fill: dict[str, tuple[str, Callable[[int], str] | None]] = {}

    def slots(self, want: Callable[[Slot], bool] = lambda s: True) -> list[Slot]:
        return [s for s in slots(self.root) if want(s)]

    def pick(self, rng, want: Callable[[Slot], bool] = lambda s: True) -> Slot:
        found = self.slots(want)
        if not found:
            raise Skip
        return rng.choice(found)

    def top(self, key: str) -> yaml.Node | None:
        for k, v in self.root.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
        return None

    def placeholder(self, flow_text: str, block: Callable[[int], str] | None = None) -> yaml.ScalarNode:
        """A scalar that becomes ``flow_text`` in the file (or, in block context, ``block(indent)``)."""
        name = f"fuzzplaceholder{len(self.fill)}x"
        self.fill[name] = (flow_text, block)
        return yaml.ScalarNode(_STR, name)

    def save(self) -> None:
        text = yaml.serialize(self.root, Dumper=_Dumper, allow_unicode=True, width=4096)
        for name, (flow_text, block) in self.fill.items():
            text = _fill(text, name, flow_text, block)
        self.case.files[self.rel] = text.encode("utf-8")


def _fill(text: str, name: str, flow_text: str, block: Callable[[int], str] | None) -> str:
    at = text.find(name)
    if at < 0:
        return text
    start = text.rfind("\n", 0, at) + 1
    before = text[start:at]
    if block is not None and "{" not in before and "[" not in before:
        indent = len(before) - len(before.lstrip(" "))
        if before.rstrip().endswith(":"):  # key: PLACEHOLDER → key:\n  block
            return text[:start] + before.rstrip() + "\n" + block(indent + 2) + text[at + len(name):]
        if before.rstrip().endswith("-"):  # - PLACEHOLDER → - block (inline)
            return text[:at] + block(-1) + text[at + len(name):]
    return text[:at] + flow_text + text[at + len(name):]


def _yaml_file(rng, case, kinds: tuple[str, ...] | None = None, needle: str | None = None) -> Tree:
    rel = _pick(rng, case, lambda r, t: (kinds is None or _kind(r) in kinds) and (needle is None or needle in t)
                and r.endswith((".yaml", ".yml")))
    return Tree(case, rel)


def _other_node(rng, node: yaml.Node) -> yaml.Node:
    """A node of another type than ``node``."""
    options = [
        ("int", lambda: _scalar(rng.choice(["7", "-3", "0", "2016"]))),
        ("text", lambda: _scalar(rng.choice(["sju", "ti tusen", "9 864 kr", "x"]), rng.choice([None, "'"]))),
        ("float", lambda: _scalar(rng.choice(["2.5", "1.4", "-0.0", "1e3"]))),
        ("null", lambda: _scalar(rng.choice(["", "~", "null"]))),
        ("bool", lambda: _scalar(rng.choice(["true", "no", "on"]))),
        ("date", lambda: _scalar(rng.choice(["2020-01-01", "2020-02-30", "2016-05-15 12:00:00"]))),
        ("list", lambda: _sequence([_scalar("1"), _scalar("a")], flow=True)),
        ("empty list", lambda: _sequence([], flow=True)),
        ("mapping", lambda: _mapping([("a", _scalar("1"))], flow=True)),
        ("year mapping", lambda: _mapping([("2016", _scalar("5"))], flow=True)),
        ("empty mapping", lambda: _mapping([], flow=True)),
    ]
    if isinstance(node, yaml.SequenceNode):
        options = [o for o in options if "list" not in o[0]]
    elif isinstance(node, yaml.MappingNode):
        options = [o for o in options if "mapping" not in o[0]]
    _, make = rng.choice(options)
    return make()


def _where(tree: Tree, slot: Slot) -> str:
    return f"{tree.rel}:{'.'.join(slot.path) or '(root)'}{' (key)' if slot.is_key else ''}"


def m_retype(rng, case, scale):
    tree = _yaml_file(rng, case)
    slot = tree.pick(rng, lambda s: not s.is_key or rng.random() < 0.1)
    new = _other_node(rng, slot.node)
    slot.set(new)
    tree.save()
    return f"retype {_where(tree, slot)} to {type(new).__name__}:{getattr(new, 'value', '')!r}"[:200]


def _deep_text(rng, depth: int) -> tuple[str, Callable[[int], str] | None, str]:
    """Text nested ``depth`` levels: flow, block or mixed; returns (flow text, block maker, description)."""
    style = rng.choice(["flow-seq", "flow-map", "flow-mixed", "block-seq", "block-map", "block-then-flow"])
    if style == "flow-seq":
        return "[" * depth + "1" + "]" * depth, None, style
    if style == "flow-map":
        return "{a: " * depth + "1" + "}" * depth, None, style
    if style == "flow-mixed":
        opens = "".join(rng.choice(["[", "{a: "]) for _ in range(depth))
        closes = "".join("]" if o == "[" else "}" for o in re.findall(r"\[|\{a: ", opens)[::-1])
        return opens + "1" + closes, None, style
    if style == "block-seq":
        def block(indent, depth=depth):
            return ("" if indent < 0 else " " * indent) + "- " * depth + "1"
        return "[" * depth + "1" + "]" * depth, block, style
    if style == "block-map":
        depth = min(depth, 2500)  # (one more space a level: the text grows as depth²)

        def block(indent, depth=depth):
            indent = max(indent, 0)
            return "\n".join(" " * (indent + i) + "a:" for i in range(depth)) + " 1"
        return "{a: " * depth + "1" + "}" * depth, block, style
    half = depth // 2

    def block(indent, half=half, rest=depth - half):
        return ("" if indent < 0 else " " * indent) + "- " * half + "[" * rest + "1" + "]" * rest
    return "[" * depth + "1" + "]" * depth, block, style


def m_deep(rng, case, scale):
    tree = _yaml_file(rng, case)
    slot = tree.pick(rng, lambda s: not s.is_key)
    depth = rng.choice(scale.depths)
    flow_text, block, style = _deep_text(rng, depth)
    for node in slot.ancestors:
        node.flow_style = False  # so that a block form can go in
    slot.set(tree.placeholder(flow_text, block))
    tree.save()
    return f"nest {depth} levels ({style}) at {_where(tree, slot)}"


def _mapping_slots(tree: Tree) -> list[Slot]:
    return tree.slots(lambda s: not s.is_key and isinstance(s.node, yaml.MappingNode))


def m_alias_mapping(rng, case, scale):
    """An alias where a mapping is expected (the anchor on another mapping of the file)."""
    tree = _yaml_file(rng, case)
    maps = _mapping_slots(tree)
    if len(maps) < 2:
        raise Skip
    a, b = rng.sample(maps, 2)
    if a.node in b.ancestors or b.node in a.ancestors:
        raise Skip
    b.set(a.node)  # the emitter writes the shared node once with an anchor, then an alias
    tree.save()
    return f"alias: {_where(tree, b)} = *{'.'.join(a.path)}"


def _year_maps(tree: Tree) -> list[Slot]:
    return tree.slots(lambda s: not s.is_key and isinstance(s.node, yaml.MappingNode) and s.node.value
                      and all(isinstance(k, yaml.ScalarNode) and k.tag == _INT for k, _ in s.node.value))


def m_alias_year_key(rng, case, scale):
    """An alias as a year key: to another year key of the mapping (a duplicate) or of another mapping."""
    tree = _yaml_file(rng, case)
    maps = _year_maps(tree)
    if not maps:
        raise Skip
    target = rng.choice(maps).node
    keys = [k for s in maps for k, _ in s.node.value]
    source = rng.choice(keys)
    i = rng.randrange(len(target.value))
    if target.value[i][0] is source:
        raise Skip
    target.value[i] = (source, target.value[i][1])
    tree.save()
    return f"year key alias *{source.value} in {tree.rel}"


def m_merge_key(rng, case, scale):
    tree = _yaml_file(rng, case)
    maps = _mapping_slots(tree)
    if len(maps) < 2:
        raise Skip
    a, b = rng.sample(maps, 2)
    if a.node in b.ancestors:
        raise Skip
    b.node.value.append((yaml.ScalarNode("tag:yaml.org,2002:merge", "<<"), a.node))
    tree.save()
    return f"merge key <<: *{'.'.join(a.path)} into {_where(tree, b)}"


def m_alias_loop(rng, case, scale):
    """A mapping that contains itself, or the classic 'billion laughs' (aliases of aliases)."""
    tree = _yaml_file(rng, case)
    if rng.random() < 0.5:
        slot = rng.choice(_mapping_slots(tree) or [None])
        if slot is None:
            raise Skip
        slot.node.value.append((_scalar("merknad"), slot.node))
        tree.save()
        return f"mapping {_where(tree, slot)} contains itself"
    level: yaml.Node = _scalar("lol")
    for _ in range(9):
        level = _sequence([level] * 9, flow=True)
    key = rng.choice(["merknad", "kilde", "poster", "rader", "zzz"])
    tree.root.value.append((_scalar(key), level))
    tree.save()
    return f"billion laughs (9^9 through aliases) under '{key}' in {tree.rel}"


def m_empty_document(rng, case, scale):
    rel = _pick(rng, case)
    text = rng.choice(["", "---\n", "---\n...\n", "# only a comment\n", "~\n", "null\n", "''\n", "[]\n", "{}\n",
                       "\ufeff", " \n\t\n", "---\n---\n", "type:\n", "type: ramme\n", "- type: ramme\n", "\x00",
                       "...\n", "%YAML 1.2\n---\n"])
    case.files[rel] = text.encode("utf-8")
    return f"{rel} is {text!r}"


def m_several_documents(rng, case, scale):
    rel = _pick(rng, case)
    raw = case.files[rel]
    other = case.files[_pick(rng, case)]
    choice = rng.choice(["twice", "another after", "empty after", "empty before", "directive", "tag directive",
                         "end marker"])
    new = {
        "twice": raw + b"\n---\n" + raw,
        "another after": raw + b"\n---\n" + other,
        "empty after": raw + b"\n---\n",
        "empty before": b"---\n---\n" + raw,
        "directive": b"%YAML 1.1\n---\n" + raw,
        "tag directive": b"%TAG !e! tag:example.com,2000:\n---\n" + raw,
        "end marker": raw + b"\n...\n" + other,
    }[choice]
    case.files[rel] = new
    return f"several documents ({choice}) in {rel}"


_TAGS = ["tag:yaml.org,2002:python/object:os.system", "tag:yaml.org,2002:python/object/apply:os.system",
         "tag:yaml.org,2002:python/name:builtins.eval", "!foo", "!", "tag:yaml.org,2002:binary",
         "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool",
         "tag:yaml.org,2002:null", "tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:seq",
         "tag:yaml.org,2002:map", "tag:example.com,2000:x", "!!str"]


def m_tag(rng, case, scale):
    tree = _yaml_file(rng, case)
    slot = tree.pick(rng, lambda s: rng.random() < 0.15 or not s.is_key)
    tag = rng.choice(_TAGS)
    node = copy.copy(slot.node)
    node.tag = tag
    slot.set(node)
    tree.save()
    return f"tag {tag} on {_where(tree, slot)}"


_LABEL_KEYS = {"etikett", "kommune", "enhet", "dokument", "tabell", "merknad", "forklaring", "id", "navn", "gruppe",
               "referanse", "grunnlag_etikett", "ramme", "gjelder", "post", "rad", "kolonne", "adresse", "side"}
_CONTROL = ["\x1b", "\x00", "\n", "\r", "\t", "\x7f", "\x08", "\u0085", "\u2028", "\u202e", "\ufeff", "\x1b[31m",
            "\x1b]8;;http://x\x07", "\r\n", "\x0c", "\u200b", "\ud7ff"]


def m_control_chars(rng, case, scale):
    tree = _yaml_file(rng, case)
    slot = tree.pick(rng, lambda s: s.key in _LABEL_KEYS and isinstance(s.node, yaml.ScalarNode)
                     or (s.is_key and rng.random() < 0.05))
    char = rng.choice(_CONTROL)
    value = slot.node.value
    i = rng.randint(0, len(value))
    slot.set(yaml.ScalarNode(_STR, value[:i] + char + value[i:], style='"'))
    tree.save()
    return f"control character {char!r} in {_where(tree, slot)}"


def _is_path_slot(s: Slot) -> bool:
    return (not s.is_key and isinstance(s.node, yaml.ScalarNode)
            and (s.path[-2:] in (("endringer", "[]"), ("parametere", "[]")) or s.key == "fil"))


_BAD_PATHS = ["\x00", "", ".", "..", "/", "../changes", "../changes/", "/etc/hostname", "a" * 5000 + ".yaml",
              "x\n.yaml", "~/x.yaml", "C:\\\\x.yaml", "http://example.invalid/x.yaml", "../../../../../../../etc/passwd",
              "nonexistent.yaml", "../frames", " ", "\x1b[2J.yaml", "*.yaml", "$HOME/x.yaml"]


def m_bad_path(rng, case, scale):
    """A NUL byte (or another impossible path) in a path a file names: endringer, parametere, fil."""
    tree = _yaml_file(rng, case, kinds=("frames", "scenarios", "links"))
    slot = tree.pick(rng, _is_path_slot)
    value = slot.node.value
    if rng.random() < 0.5:
        i = rng.randint(0, len(value))
        new = value[:i] + "\x00" + value[i:]
    else:
        new = rng.choice(_BAD_PATHS)
    slot.set(yaml.ScalarNode(_STR, new, style='"'))
    tree.save()
    return f"path {new[:40]!r} at {_where(tree, slot)}"


_NUMERIC_KEYS = {"beløp", "publisert", "verdier", "verdi", "faktor", "sats", "helårsvirkning", "grunnlag",
                 "differanse", "periodebeløp", "desimaler", "år", "toleranse"}
_HUGE = ["1e999999", "-1e999999", "1e-999999", "1E+400", str(10 ** 400), "-" + str(10 ** 400), "9" * 16,
         "1234567890123456", "12345678901234567890.5", "0.1234567", "1.0000001", "-0.00000001", "1.500", "'1.500'",
         "'1,500'", "'1.500,5'", "'1 500.5'", ".inf", "-.inf", ".nan", "0x10", "0o17", "0b101", "1_000", "+5", "-0",
         "'−0'", "1e3", "'1e3'", "12:30:00", "'١٢٣'", "'１２３'", "'1\u00a0500'", "'\u22121 000'", "'--5'", "'5-'",
         "'(5)'", "'5 %'", "'1,4 pst.'", "'%'", "'1e999999 %'", "'" + "9" * 5000 + "'",
         "'0," + "0" * 400 + "1'", "1e400", "999999999999999.999999", "'1 2 3'", "'1,2,3'", "'..5'", "'5..'",
         "'NaN'", "'Infinity'", "'-Infinity'", "'sNaN'", "'1e-7 %'", "'100000000000000 %'"]


def _numeric_slot(s: Slot) -> bool:
    return not s.is_key and isinstance(s.node, yaml.ScalarNode) and s.under(*_NUMERIC_KEYS)


def _literal(text: str) -> yaml.ScalarNode:
    if text.startswith("'") and text.endswith("'") and len(text) > 1:
        return _scalar(text[1:-1], "'")
    return _scalar(text)


def m_huge_value(rng, case, scale):
    """Huge, tiny, too precise or ambiguous figures in amounts, rates, factors and years."""
    tree = _yaml_file(rng, case)
    slot = tree.pick(rng, _numeric_slot)
    value = rng.choice(_HUGE)
    slot.set(_literal(value))
    tree.save()
    return f"value {value[:40]} at {_where(tree, slot)}"


def m_scenario_value(rng, case, scale):
    """A scenario's 'sett' or 'skaler' with a huge, tiny or ambiguous figure (adds one if there is none)."""
    tree = _yaml_file(rng, case, kinds=("scenarios",))
    value = rng.choice(_HUGE)
    ops = tree.top("operasjoner")
    if not isinstance(ops, yaml.SequenceNode):
        raise Skip
    kind = rng.choice(["sett", "skaler"])
    if kind == "sett":
        op = _mapping([("type", _scalar("sett")), ("parameter", _scalar(rng.choice(["deflator", "prisvekst"]))),
                       ("verdi", _literal(value))], flow=True)
    else:
        item = re.search(r"post: ([\w-]+)", _text(tree.case.files[tree.rel]))
        op = _mapping([("type", _scalar("skaler")), ("post", _scalar(item[1] if item else "x")),
                       ("faktor", _literal(value))], flow=True)
    ops.value.append(op)
    tree.save()
    return f"scenario operation {kind} with {value[:40]} in {tree.rel}"


def m_year_key(rng, case, scale):
    tree = _yaml_file(rng, case)
    maps = _year_maps(tree)
    if not maps:
        raise Skip
    target = rng.choice(maps).node
    i = rng.randrange(len(target.value))
    key = rng.choice(["0", "-1", "99999", "2016.5", "'2016'", "1e3", "2016-01-01", "0x7E0", "02016", "'２０１６'",
                      "2_016", "~", "10000000000000000000000", "'2016 '", "true"])
    target.value[i] = (_literal(key), target.value[i][1])
    tree.save()
    return f"year key {key} in {tree.rel}"


def m_duplicate_key(rng, case, scale):
    tree = _yaml_file(rng, case)
    maps = [s.node for s in _mapping_slots(tree) if s.node.value] + [tree.root]
    target = rng.choice(maps)
    k, v = rng.choice(target.value)
    twin = copy.copy(k)
    if k.tag == _INT and rng.random() < 0.5:
        twin = _scalar(rng.choice([f"'{k.value}'", f"0{k.value}", f"+{k.value}"]).strip("'"),
                       "'" if rng.random() < 0.5 else None)
    target.value.append((twin, copy.deepcopy(v)))
    tree.save()
    return f"duplicate key {k.value!r} in {tree.rel}"


_LIST_KEYS = ("poster", "rader", "koblinger", "operasjoner", "grupper", "fordeling", "kolonner", "parametere",
              "nøkkeltall", "kjente_differanser", "endringer")


def m_huge_list(rng, case, scale):
    """A list of thousands of items: copies of one item, with ids made unique or left the same."""
    tree = _yaml_file(rng, case)
    slot = tree.pick(rng, lambda s: not s.is_key and s.key in _LIST_KEYS and isinstance(s.node, yaml.SequenceNode)
                     and s.node.value)
    n = rng.choice(scale.list_sizes)
    unique = rng.random() < 0.7
    item = copy.deepcopy(rng.choice(slot.node.value))
    marker = "fuzzidmarker"
    if unique and isinstance(item, yaml.MappingNode):
        for i, (k, v) in enumerate(item.value):
            if isinstance(k, yaml.ScalarNode) and k.value in ("id", "etikett", "navn") and isinstance(v, yaml.ScalarNode):
                item.value[i] = (k, yaml.ScalarNode(_STR, v.value + marker))
    if isinstance(item, (yaml.MappingNode, yaml.SequenceNode)):
        item.flow_style = True
        for node in slots(item):
            if isinstance(node.node, (yaml.MappingNode, yaml.SequenceNode)):
                node.node.flow_style = True
    one = yaml.serialize(item, Dumper=_Dumper, allow_unicode=True, width=1 << 30).strip()
    one = one.removesuffix("...").strip()
    if one.startswith("---"):
        one = one[3:].strip()
    if unique and marker in one:
        body = ", ".join(one.replace(marker, f"-{i}") for i in range(n))
    else:
        body = ", ".join([one] * n)
    slot.set(tree.placeholder("[" + body + "]"))
    tree.save()
    return f"{n} items{' (unique ids)' if unique else ''} in {_where(tree, slot)}"


def m_many_problems(rng, case, scale):
    """A file with thousands of input problems (unknown keys, or invalid items)."""
    tree = _yaml_file(rng, case)
    n = rng.choice(scale.problems)
    if rng.random() < 0.5:
        maps = [tree.root, *(s.node for s in _mapping_slots(tree))]
        target = rng.choice(maps)
        target.value += [(_scalar(f"ukjent{i}"), _scalar(str(i))) for i in range(n)]
        tree.save()
        return f"{n} unknown keys in {tree.rel}"
    slot = tree.pick(rng, lambda s: not s.is_key and s.key in _LIST_KEYS and isinstance(s.node, yaml.SequenceNode))
    slot.set(tree.placeholder("[" + ", ".join(["{x: 1}"] * n) + "]"))
    tree.save()
    return f"{n} invalid items in {_where(tree, slot)}"


def _groups(tree: Tree) -> yaml.SequenceNode:
    node = tree.top("grupper")
    if not isinstance(node, yaml.SequenceNode):
        node = _sequence([])
        tree.root.value.append((_scalar("grupper"), node))
    return node


def _retarget_items(rng, tree: Tree, case: Case, group: str) -> str:
    """Put the frame's changes files' items under ``group``."""
    moved = 0
    for rel in sorted(case.files):
        if _kind(rel) != "changes":
            continue
        raw = case.files[rel]
        new, count = re.subn(rb"(?m)^(\s+)gruppe: .*$", lambda m: m[1] + b"gruppe: " + group.encode(), raw)
        case.files[rel] = new
        moved += count
    return f"{moved} items"


def m_group_chain(rng, case, scale):
    """Groups chained by 'under:' hundreds or thousands deep, with items under the deepest."""
    tree = _yaml_file(rng, case, kinds=("frames",))
    n = rng.choice(scale.chain_depths)
    groups = ", ".join(f"{{id: g{i}, etikett: Gruppe {i}" + (f", under: g{i - 1}}}" if i else "}") for i in range(n))
    _groups(tree)  # (added if the file has none)
    index = next(i for i, (k, _) in enumerate(tree.root.value) if getattr(k, "value", None) == "grupper")
    tree.root.value[index] = (tree.root.value[index][0], tree.placeholder("[" + groups + "]"))
    moved = _retarget_items(rng, tree, case, f"g{n - 1}")
    tree.save()
    return f"{n} groups chained by 'under' in {tree.rel}, {moved} under the deepest"


def m_group_cycle(rng, case, scale):
    tree = _yaml_file(rng, case, kinds=("frames",), needle="grupper")
    groups = [g for g in _groups(tree).value if isinstance(g, yaml.MappingNode)]
    if not groups:
        raise Skip
    ids = [next((v.value for k, v in g.value if getattr(k, "value", None) == "id"), None) for g in groups]
    if len(groups) == 1 or rng.random() < 0.3:
        g, gid = groups[0], ids[0]
        g.value = [(k, v) for k, v in g.value if getattr(k, "value", None) != "under"]
        g.value.append((_scalar("under"), _scalar(gid)))
        tree.save()
        return f"group {gid} under itself in {tree.rel}"
    chain = list(range(min(len(groups), rng.choice([2, 3, 5]))))
    for i in chain:
        g = groups[i]
        g.value = [(k, v) for k, v in g.value if getattr(k, "value", None) != "under"]
        g.value.append((_scalar("under"), _scalar(ids[chain[(i + 1) % len(chain)]])))
    tree.save()
    return f"groups {', '.join(ids[i] for i in chain)} in a cycle by 'under' in {tree.rel}"


# ------------------------------------------------------------------------------------------ cross-file


def _ids_in(text: str, key: str) -> list[str]:
    return re.findall(rf"(?m)^\s*(?:- )?{key}: ([^\s#{{\[][^#\n]*?)\s*$", text)


def m_rename_id(rng, case, scale):
    """Rename an id that another file (or part of the file) refers to: frame, item, group, row, scenario."""
    rel = _pick(rng, case, lambda r, t: re.search(r"(?m)^\s*(?:- )?(id|ramme|gjelder|gruppe|post|etikett|rad): ", t)
                is not None)
    text = _text(case.files[rel])
    key = rng.choice([k for k in ("id", "ramme", "gjelder", "gruppe", "post", "etikett", "rad") if _ids_in(text, k)])
    old = rng.choice(_ids_in(text, key))
    new = rng.choice([old + "-x", old.upper(), old[:-1], old + " ", "ny-" + old.strip("'\""), old.replace("-", "_")])
    line = rng.choice([m for m in re.finditer(rf"(?m)^(\s*(?:- )?{key}: ){re.escape(old)}\s*$", text)])
    text = text[:line.start()] + line[1] + new + text[line.end():]
    case.files[rel] = text.encode("utf-8")
    return f"rename {key} {old!r} → {new!r} in {rel}"


def _listed_paths(case: Case) -> list[tuple[str, str]]:
    """(file, path it names) for every endringer/parametere entry and links 'fil'."""
    out = []
    for rel, raw in case.files.items():
        text = _text(raw)
        for m in re.finditer(r"(?m)^\s*- (\.\./[^\s#]+\.ya?ml)\s*$", text):
            out.append((rel, m[1]))
        for m in re.finditer(r"fil: ([^,}\s]+)", text):
            out.append((rel, m[1]))
    return out


def m_remove_file(rng, case, scale):
    listed = _listed_paths(case)
    if listed and rng.random() < 0.8:
        rel, path = rng.choice(listed)
        target = _norm(rel, path)
        if target not in case.files:
            raise Skip
    else:
        target = _pick(rng, case)
    del case.files[target]
    return f"remove {target}"


def m_duplicate_file(rng, case, scale):
    rel = _pick(rng, case)
    choice = rng.choice(["copy", "copy elsewhere", "listed twice", "same id"])
    if choice == "listed twice":
        frames = [r for r in case.files if re.search(rb"(?m)^endringer:", case.files[r])]
        if not frames:
            raise Skip
        rel = rng.choice(sorted(frames))
        text = _text(case.files[rel])
        m = re.search(r"(?m)^endringer:\n(\s*- .*\n)", text)
        if not m:
            raise Skip
        variant = m[1] if rng.random() < 0.5 else m[1].replace("../changes/", "../changes/./")
        case.files[rel] = (text[:m.end()] + variant + text[m.end():]).encode("utf-8")
        return f"a changes file listed twice in {rel}"
    if choice == "same id":
        frames = [r for r in case.files if _kind(r) == "frames"]
        if len(frames) < 2:
            raise Skip
        a, b = rng.sample(sorted(frames), 2)
        ida = _ids_in(_text(case.files[a]), "id")[0]
        case.files[b] = re.sub(rb"(?m)^id: .*$", b"id: " + ida.encode(), case.files[b], count=1)
        return f"{b} takes the id of {a}"
    folder = os.path.dirname(rel) if choice == "copy" else rng.choice(["frames", "changes", "tables", "copy", "x/y"])
    new = f"{folder}/kopi-{os.path.basename(rel)}"
    case.files[new] = case.files[rel]
    return f"copy {rel} to {new}"


def _other_kind_file(rng, case: Case, not_kind: str) -> str:
    others = [r for r in source_files() if _kind(r) != not_kind]
    pick = rng.choice(others)
    if pick not in case.files and pick not in case.symlinks:
        case.files[pick] = source_files()[pick]
    return pick


def m_wrong_kind(rng, case, scale):
    """A frame's endringer or parametere, a scenario's parametere or a link's fil names a file of another kind."""
    listed = _listed_paths(case)
    if not listed:
        raise Skip
    rel, path = rng.choice(listed)
    target = _norm(rel, path)
    choice = rng.random()
    if choice < 0.15:
        new = os.path.basename(rel)  # the file itself
    elif choice < 0.25:
        new = "../" + rng.choice(["frames", "changes", "data", "."])  # a folder
    else:
        other = _other_kind_file(rng, case, _kind(target))
        new = os.path.relpath(other, os.path.dirname(rel))
    text = _text(case.files[rel])
    case.files[rel] = text.replace(path, new, 1).encode("utf-8")
    return f"{rel} names {new} where {path} was"


def m_symlink(rng, case, scale):
    """Symlinks: to a file of another kind, dangling, in a loop, to a folder, a folder loop, to /dev/null."""
    choice = rng.choice(["other kind", "dangling", "loop", "self", "folder", "folder loop", "dev-null", "listed"])
    listed = _listed_paths(case)
    if choice == "listed" and listed:  # a file another names is a link to one of another kind
        rel, path = rng.choice(listed)
        target = _norm(rel, path)
        case.files.pop(target, None)
        other = _other_kind_file(rng, case, _kind(target))
        case.symlinks[target] = os.path.relpath(other, os.path.dirname(target))
        return f"{target} → {case.symlinks[target]} (a file {rel} names)"
    if choice in ("other kind", "listed"):
        rel = _pick(rng, case)
        other = _other_kind_file(rng, case, _kind(rel))
        case.files.pop(rel)
        case.symlinks[rel] = os.path.relpath(other, os.path.dirname(rel))
        return f"{rel} → {case.symlinks[rel]}"
    if choice == "dangling":
        rel = _pick(rng, case) if rng.random() < 0.6 else "frames/borte.yaml"
        case.files.pop(rel, None)
        case.symlinks[rel] = "finnes-ikke.yaml"
        return f"{rel} → a file that does not exist"
    if choice == "loop":
        case.symlinks["frames/a.yaml"] = "b.yaml"
        case.symlinks["frames/b.yaml"] = "a.yaml"
        return "frames/a.yaml → b.yaml → a.yaml"
    if choice == "self":
        rel = _pick(rng, case)
        case.files.pop(rel)
        case.symlinks[rel] = os.path.basename(rel)
        return f"{rel} → itself"
    if choice == "folder":
        case.symlinks["frames/mappe.yaml"] = "../changes"
        return "frames/mappe.yaml → ../changes (a folder)"
    if choice == "folder loop":
        case.symlinks["frames/sløyfe"] = ".."
        return "frames/sløyfe → .. (a folder loop)"
    rel = _pick(rng, case)
    case.files.pop(rel)
    case.symlinks[rel] = "/dev/null"
    return f"{rel} → /dev/null"


def m_link_missing(rng, case, scale):
    """A link names a row, column, year, group or file that is not there."""
    rel = _pick(rng, case, lambda r, t: _kind(r) == "links")
    text = _text(case.files[rel])
    fields = list(re.finditer(r"(rad|kolonne|år|gruppe|fil): ([^,}\n]+)", text))
    if not fields:
        raise Skip
    m = rng.choice(fields)
    new = {"rad": "'1999'", "kolonne": "ingen-kolonne", "år": "1999", "gruppe": "ingen-gruppe",
           "fil": "../tables/finnes-ikke.yaml"}[m[1]]
    if rng.random() < 0.3:
        new = rng.choice(["ny_driftsramme", "sum", "utgangspunkt", "''", "[]", "{}", "2016", "-1"])
    case.files[rel] = (text[:m.start(2)] + new + text[m.end(2):]).encode("utf-8")
    return f"link {m[1]}: {m[2]} → {new} in {rel}"


def m_rename_file(rng, case, scale):
    rel = _pick(rng, case)
    folder, name = os.path.split(rel)
    new_name = rng.choice([name.replace(".yaml", ".yml"), name.replace(".yaml", ".YAML"), name[:-5], "a:1:2.yaml",
                           "linje\nskift.yaml", "mellom rom.yaml", "æøå-∑.yaml", ".skjult.yaml", "-.yaml",
                           "x" * 200 + ".yaml", "tab\t.yaml", "esc\x1b.yaml"])
    new = f"{folder}/{new_name}"
    case.files[new] = case.files.pop(rel)
    return f"rename {rel} → {new!r}"


def m_targets(rng, case, scale):
    """What the CLI is given: a file, a changes file alone, a file twice, a file and its folder, nothing there."""
    rels = sorted(case.files)
    if not rels:
        raise Skip
    choice = rng.choice(["one file", "changes alone", "twice", "file and folder", "missing", "empty folder",
                         "folder", "all files"])
    if choice == "one file":
        case.targets = [rng.choice(rels)]
    elif choice == "changes alone":
        changes = [r for r in rels if _kind(r) in ("changes", "parameters", "scenarios")]
        case.targets = [rng.choice(changes or rels)]
    elif choice == "twice":
        r = rng.choice(rels)
        case.targets = [r, r]
    elif choice == "file and folder":
        r = rng.choice(rels)
        case.targets = [r, os.path.dirname(r) or "."]
    elif choice == "missing":
        case.targets = [".", "finnes-ikke.yaml"]
    elif choice == "empty folder":
        case.folders.append("tom")
        case.targets = ["tom"]
    elif choice == "folder":
        case.targets = [os.path.dirname(rng.choice(rels)) or "."]
    else:
        case.targets = rels
    return f"targets {choice}: {' '.join(case.targets)[:120]}"


# ---------------------------------------------------------------------------------------- the catalogue

#: name → (family, weight, function)
MUTATIONS: dict[str, tuple[str, float, Callable]] = {
    "flip": ("bytes", 60, m_flip),
    "delete": ("bytes", 50, m_delete),
    "insert": ("bytes", 60, m_insert),
    "duplicate": ("bytes", 40, m_duplicate),
    "truncate": ("bytes", 50, m_truncate),
    "invalid-utf8": ("bytes", 30, m_invalid_utf8),
    "bom": ("bytes", 20, m_bom),
    "newlines": ("bytes", 30, m_newlines),
    "retype": ("yaml", 80, m_retype),
    "deep": ("yaml", 30, m_deep),
    "alias-mapping": ("yaml", 30, m_alias_mapping),
    "alias-year-key": ("yaml", 30, m_alias_year_key),
    "merge-key": ("yaml", 20, m_merge_key),
    "alias-loop": ("yaml", 10, m_alias_loop),
    "empty-document": ("yaml", 20, m_empty_document),
    "several-documents": ("yaml", 20, m_several_documents),
    "tag": ("yaml", 40, m_tag),
    "control-chars": ("yaml", 50, m_control_chars),
    "bad-path": ("yaml", 40, m_bad_path),
    "huge-value": ("yaml", 80, m_huge_value),
    "scenario-value": ("yaml", 30, m_scenario_value),
    "year-key": ("yaml", 30, m_year_key),
    "duplicate-key": ("yaml", 20, m_duplicate_key),
    # the big ones are rare: a case with 10 000 items runs for seconds (all 8 commands), a small one for 40 ms
    "huge-list": ("yaml", 0.5, m_huge_list),
    "many-problems": ("yaml", 0.5, m_many_problems),
    "group-chain": ("yaml", 1, m_group_chain),
    "group-cycle": ("yaml", 20, m_group_cycle),
    "rename-id": ("cross", 60, m_rename_id),
    "remove-file": ("cross", 30, m_remove_file),
    "duplicate-file": ("cross", 30, m_duplicate_file),
    "wrong-kind": ("cross", 40, m_wrong_kind),
    "symlink": ("cross", 30, m_symlink),
    "link-missing": ("cross", 30, m_link_missing),
    "rename-file": ("cross", 20, m_rename_file),
    "targets": ("cross", 30, m_targets),
}
FAMILIES = ("bytes", "yaml", "cross")


def mutations_of(family: str) -> list[str]:
    return [name for name, (fam, _, _) in MUTATIONS.items() if fam == family]


STRICT = os.environ.get("RAMMECALC_FUZZ_STRICT") == "1"  # the generator's own errors raised, not skipped


def make_case(seed: int | str, index: int, only: list[str] | None = None, scale: Scale = FULL,
              count: int | None = None) -> Case:
    """Case ``index`` of ``seed``: a starting point and one to three mutations (from ``only`` if given)."""
    rng = random.Random(f"{VERSION}:{seed}:{index}")
    name, rels = _choose_bundle(rng)
    case = Case(f"{seed}-{index}", name, {rel: source_files()[rel] for rel in rels})
    names = only or list(MUTATIONS)
    weights = [MUTATIONS[n][1] for n in names]
    wanted = count if count is not None else rng.choices([1, 2, 3], [60, 30, 10])[0]
    tries = 0
    while len(case.mutations) < wanted and tries < 40 and case.size() < 4_000_000:
        tries += 1
        mutation = rng.choices(names, weights)[0]
        state = (dict(case.files), dict(case.symlinks), list(case.folders), list(case.targets))
        try:
            what = MUTATIONS[mutation][2](rng, case, scale)
        except Exception as exc:  # Skip: it does not apply here; anything else is this generator's own gap
            if STRICT and not isinstance(exc, Skip):
                raise
            case.files, case.symlinks, case.folders, case.targets = state
            continue
        case.mutations.append(f"{mutation}: {what}")
    return case


# ============================================================================================ running


class _Timeout(BaseException):
    """Raised in the CLI by the timer: a BaseException, so that no ``except Exception`` in rammecalc eats it."""


@dataclass
class Run:
    name: str
    args: list[str]
    exit: int | None  # None: timed out
    stdout: str
    stderr: str
    seconds: float
    error: str | None = None  # the escaped exception's traceback
    signature: str | None = None  # where it was raised: 'RecursionError at loading.py:_plain'


_built: dict = {}  # typer app → its click command
_versions: dict = {}  # the cache's version, once per process
_ENV = {"COLUMNS": None, "LINES": None, "NO_COLOR": "1", "RAMMECALC_NO_PROGRESS": "1", "RAMMECALC_DEBUG": "1",
        # every check is given --no-cache or --cache-dir; should one use the default, it is not the user's
        "RAMMECALC_CACHE_DIR": os.path.join(tempfile.gettempdir(), "rammecalc-fuzz-default-cache")}


@contextlib.contextmanager
def _harness():
    """What a run needs, put back afterwards (the test suite runs in this process too): a plain environment
    (no COLUMNS, RAMMECALC_DEBUG=1 so that an exception reaches us with its traceback), the typer command
    built once and not per run (half a small run's time), the cache's version computed once (it hashes
    rammecalc's source, 3 ms a check; the source does not change during a run)."""
    import typer.main

    from rammecalc import checking

    saved = {k: os.environ.get(k) for k in _ENV}
    for key, value in _ENV.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    real_command, real_version = typer.main.get_command, checking.cache_version

    def get_command(app):
        if app not in _built:
            _built[app] = real_command(app)
        return _built[app]

    def cache_version():
        if real_version not in _versions:
            _versions[real_version] = real_version()
        return _versions[real_version]

    typer.main.get_command, checking.cache_version = get_command, cache_version
    try:
        yield
    finally:
        typer.main.get_command, checking.cache_version = real_command, real_version
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _signature(exc: BaseException) -> str:
    """The exception's type and the innermost function of rammecalc it passed through."""
    ours = last = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):  # (cheap: a RecursionError has 1 000 frames)
        last = frame.f_code
        if "/rammecalc/" in last.co_filename.replace(os.sep, "/"):
            ours = last
    where = ours or last
    place = f"{Path(where.co_filename).name}:{where.co_name}" if where else "?"
    return f"{type(exc).__name__} ({_shape(str(exc))[:50]}) at {place}"


def run_cli(args: list[str], cwd: Path, timeout: float | None = None, name: str = "") -> Run:
    """``rammecalc ARGS`` in this process, in ``cwd``: its exit status, outputs, time and any exception.
    ``timeout`` (seconds) stops it with a timer signal (main thread only)."""
    from rammecalc import cli

    out, err = io.StringIO(), io.StringIO()
    old_argv, old_cwd = sys.argv, os.getcwd()
    code: int | None = None
    error = signature = None

    def expire(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire) if timeout else None
    started = time.perf_counter()
    try:
        with _harness():
            sys.argv = ["rammecalc", *args]
            os.chdir(cwd)
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, timeout)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    cli.main()
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                except _Timeout:
                    code = None
                except Exception as exc:  # noqa: BLE001  (what main() turns into exit 3 without RAMMECALC_DEBUG)
                    code = 3
                    error = "".join(traceback.format_exception(exc, limit=-30))
                    signature = _signature(exc)
    except _Timeout:  # (in the moment between the CLI's end and the timer's)
        code = None
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        seconds = time.perf_counter() - started
        os.chdir(old_cwd)
        sys.argv = old_argv
    return Run(name, list(args), int(code) if code is not None else None, out.getvalue(), err.getvalue(), seconds,
               error, signature)


def commands(targets: list[str], cache: str, output: str) -> list[tuple[str, list[str]]]:
    """The runs of one case, in order (the cache runs after the plain check, cold then warm)."""
    return [
        ("check", ["check", "--no-cache", *targets]),
        ("check-cold", ["check", "--cache-dir", cache, *targets]),
        ("check-warm", ["check", "--cache-dir", cache, *targets]),
        ("check-json", ["check", "--no-cache", "--report", "json", *targets]),
        ("check-junit", ["check", "--no-cache", "--report", "junit", *targets]),
        ("check-github", ["check", "--no-cache", "--report", "github", *targets]),
        ("roll", ["roll", *targets]),
        ("roll-o", ["roll", *targets, "-o", output]),
    ]


@dataclass
class Failure:
    cls: str
    command: str
    detail: str
    signature: str  # what groups failures of one cause


def run_case(case: Case, folder: Path, timeout: float | None = None,
             only: tuple[str, ...] | None = None) -> tuple[list[Run], list[Failure]]:
    """Write the case under ``folder``, run its commands and judge them."""
    inputs, cache, out_dir = folder / "input", folder / "cache", folder / "out"
    case.write(inputs)
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / "roll.txt"
    output.write_text(SENTINEL, encoding="utf-8")
    runs = []
    for name, args in commands(case.targets, str(cache), str(output)):
        if only is not None and name not in only:
            continue
        runs.append(run_cli(args, inputs, timeout, name))
        if runs[-1].exit is None:
            break  # the process is in an unknown state: no more runs in it
    left = sorted(p.name for p in out_dir.iterdir() if p.name != "roll.txt")
    written = output.read_text(encoding="utf-8", errors="replace") if output.exists() else None
    return runs, judge(runs, written, left, timeout)


_LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): ")
# Problems of a whole file, which has no line to point at (a dangling symlink found in a folder, a folder
# named like a file): 'file: message', accepted.
_WHOLE_FILE = re.compile(r"^(?P<file>.+?): (no such file|is a folder|cannot read the file|no \.yaml files)")
_WHOLE_FILE_CODES = {"input-not-found", "input-unreadable"}


def unlocated_lines(stderr: str) -> list[tuple[str, str]]:
    """The lines of a text report's standard error that should name file:line:col and do not, each with
    why: a message that goes on over a line break (a newline in a name it quotes), or no location at all."""
    bad = []
    previous = ""
    for line in stderr.split("\n"):  # (a log splits at newlines only, not at U+2028, form feeds and the like)
        if not line.strip() or line.startswith((" ", "\t", "rammecalc: ")):
            previous = line
            continue
        if _LOCATED.match(line) or _WHOLE_FILE.match(line):
            previous = line
            continue
        if previous and not previous.startswith((" ", "\t")):
            bad.append((line, "a problem's message goes on over a line break (a newline in a name it quotes)"))
        else:
            bad.append((line, f"no file:line:col: {_shape(line)}"))
        previous = line
    return bad


def unlocated_json(stdout: str) -> list[dict]:
    try:
        data = json.loads(stdout)
    except ValueError:
        return []  # (reported as a malformed report)
    return [p for p in data.get("problems", []) if isinstance(p, dict) and p.get("severity") == "error"
            and str(p.get("code", "")).startswith("input-")
            and not (isinstance(p.get("line"), int) and p["line"] >= 1 and isinstance(p.get("column"), int)
                     and p["column"] >= 1)
            and not (p.get("code") in _WHOLE_FILE_CODES and p.get("line") in (0, None))]


def judge(runs: list[Run], written: str | None, left: list[str], timeout: float | None) -> list[Failure]:
    """Every failure class the runs of one case show."""
    out: list[Failure] = []
    by = {r.name: r for r in runs}
    for r in runs:
        if r.exit is None:
            out.append(Failure(SLOW, r.name, f"still running after {timeout} s", f"{r.name} over {timeout} s"))
            continue
        if timeout and r.seconds > timeout:
            out.append(Failure(SLOW, r.name, f"{r.seconds:.2f} s", f"{r.name} over {timeout} s"))
        if r.exit not in (0, 1, 2):
            out.append(Failure(EXIT, r.name, f"exit {r.exit}: {r.signature or ''}",
                               r.signature or f"exit {r.exit}"))
        for stream in (r.stdout, r.stderr):
            for word in ("internal error", "Traceback"):
                if word in stream:
                    line = next(ln for ln in stream.splitlines() if word in ln)
                    out.append(Failure(TEXT, r.name, line[:200], f"'{word}' in the output of {r.name}"))
                    break
    finished = {name: r for name, r in by.items() if r.exit in (0, 1, 2)}

    # exit 2 names file:line:col
    for name in ("check", "roll", "check-cold", "check-warm"):
        r = finished.get(name)
        if r is not None and r.exit == 2:
            bad = unlocated_lines(r.stderr)
            if bad:
                out.append(Failure(NOLOC, name, bad[0][0][:200], bad[0][1]))
    r = finished.get("check-json")
    if r is not None and r.exit == 2:
        for p in unlocated_json(r.stdout)[:1]:
            out.append(Failure(NOLOC, "check-json", f"{p.get('file')}:{p.get('line')}:{p.get('column')} "
                               f"{p.get('code')}: {str(p.get('message'))[:120]}",
                               f"JSON report: {p.get('code')} without line and column"))

    # -o: all or nothing
    plain, to_file = by.get("roll"), by.get("roll-o")
    if to_file is not None and to_file.exit is not None:
        if left:
            out.append(Failure(OUTFILE, "roll-o", f"left behind: {left}", "a temporary file left behind"))
        if to_file.exit != 0 and written != SENTINEL:
            out.append(Failure(OUTFILE, "roll-o", f"exit {to_file.exit} but the file changed "
                               f"({'removed' if written is None else f'{len(written)} chars'})",
                               "the file changed on a failed run"))
        if to_file.exit == 0 and plain is not None and plain.exit == 0 and written != plain.stdout:
            out.append(Failure(OUTFILE, "roll-o", "the file differs from what roll prints",
                               "the file differs from roll's output"))
        if plain is not None and plain.exit is not None and plain.exit != to_file.exit:
            out.append(Failure(OUTFILE, "roll-o", f"roll exit {plain.exit}, roll -o exit {to_file.exit}",
                               "roll and roll -o exit differently"))

    # the cache changes nothing
    base = finished.get("check")
    if base is not None:
        for name in ("check-cold", "check-warm"):
            r = by.get(name)
            if r is None or r.exit is None:
                continue
            diffs = [what for what, a, b in (("exit", base.exit, r.exit), ("stdout", base.stdout, r.stdout),
                                             ("stderr", base.stderr, r.stderr)) if a != b]
            if diffs:
                out.append(Failure(CACHE, name, f"{'/'.join(diffs)} differ: {_first_difference(base, r)}",
                                   f"{name}: {'/'.join(diffs)} differ"))

    # check and roll agree on whether the input can be used
    roll_run = finished.get("roll")
    if base is not None and roll_run is not None and (base.exit == 2) != (roll_run.exit == 2):
        first = _first_line(roll_run.stderr if base.exit != 2 else base.stderr)
        out.append(Failure(DISAGREE, "roll", f"check exit {base.exit}, roll exit {roll_run.exit}: {first}",
                           f"check {'2' if base.exit == 2 else base.exit}, roll {roll_run.exit}: "
                           f"{_shape(first.split(': ', 1)[-1])[:60]}"))

    # the reports agree, and are well-formed
    if base is not None:
        for name in ("check-json", "check-junit", "check-github"):
            r = finished.get(name)
            if r is not None and r.exit != base.exit:
                out.append(Failure(REPORTS, name, f"text exit {base.exit}, {name} exit {r.exit}",
                                   f"{name} exits differently"))
    for name, cls, what in (("check-json", REPORTS, "JSON"), ("check-github", REPORTS, "GitHub"),
                            ("check-junit", JUNIT, "JUnit")):
        r = finished.get(name)
        if r is None:
            continue
        if not r.stdout.strip():
            first = _first_line(r.stderr)
            out.append(Failure(cls, name, f"no {what} report; on standard error: {first}",
                               f"no {what} report, text on standard error instead: {_shape(first)[:60]}"))
            continue
        wrong = _malformed(name, r.stdout)
        if wrong:
            out.append(Failure(cls, name, wrong[0], f"{what} report: {wrong[1]}"))
    return out


def _malformed(name: str, text: str) -> tuple[str, str] | None:
    """What is wrong with a report (detail, cause), or None."""
    if name == "check-json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            return f"not JSON: {exc}", f"not JSON: {_shape(str(exc))}"
        if not isinstance(data, dict) or data.get("format") != "rammecalc.check/1":
            return "not a rammecalc.check/1 object", "not a rammecalc.check/1 object"
        return None
    if name == "check-github":
        lines = text.rstrip("\n").split("\n")  # (the runner splits at newlines only)
        bad = [ln for ln in lines[:-1] if not ln.startswith(("::error ", "::warning ", "::notice "))]
        if bad:
            return f"not a workflow command: {bad[0]!r}"[:200], "a line that is not a workflow command"
        if not lines[-1].startswith("checked "):
            return f"no summary line at the end: {lines[-1]!r}"[:200], "no summary line at the end"
        return None
    import xml.etree.ElementTree as ET

    try:
        ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        return f"not well-formed XML: {exc}", f"not well-formed XML: {_shape(str(exc).split(':')[0])}"
    return None


def _shape(line: str) -> str:
    """A line with its particulars (numbers, quoted names) blurred, to group failures."""
    line = re.sub(r"'[^'\n]*'", "'…'", line)
    line = re.sub(r"\d+", "N", line)
    return line[:90]


def _first_line(text: str) -> str:
    return next((ln for ln in text.splitlines() if ln.strip()), "")[:160]


def _first_difference(a: Run, b: Run) -> str:
    for what, x, y in (("exit", str(a.exit), str(b.exit)), ("stdout", a.stdout, b.stdout),
                       ("stderr", a.stderr, b.stderr)):
        if x != y:
            xl, yl = x.splitlines(), y.splitlines()
            for i in range(max(len(xl), len(yl))):
                u = xl[i] if i < len(xl) else "(none)"
                v = yl[i] if i < len(yl) else "(none)"
                if u != v:
                    return f"{what} line {i + 1}: {u[:80]!r} vs {v[:80]!r}"
    return ""


# ========================================================================================== the workers


def warm_up() -> None:
    """Imports and first-use costs (pydantic's validators, rich), outside any case's time."""
    out = Path(tempfile.mkdtemp(prefix="rammecalc-fuzz-warm-"))
    for args in (["check", "--no-cache", str(DATA)], ["check", "--cache-dir", str(out / "cache"), str(DATA)],
                 ["roll", str(DATA)], ["roll", str(DATA), "-o", str(out / "roll.txt")],
                 ["check", "--no-cache", "--report", "junit", str(DATA)],
                 ["check", "--no-cache", "--report", "json", str(DATA)]):
        run_cli(args, ROOT)
    shutil.rmtree(out, ignore_errors=True)


def _worker(conn, seed, timeout: float, keep: str | None, only: list[str] | None, scale: Scale, base: str,
            per_case: int | None) -> None:
    import resource

    with contextlib.suppress(ValueError, OSError):  # a runaway case must not take the machine's memory
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    # (the parent warmed up before starting the workers)
    folder = Path(tempfile.mkdtemp(prefix="w", dir=base))
    while True:
        index = conn.recv()
        if index is None:
            break
        started = time.perf_counter()
        case = make_case(seed, index, only, scale, per_case)
        made = time.perf_counter() - started
        work = folder / str(index)
        runs, failures = run_case(case, work, timeout)
        if failures and keep:
            save_case(Path(keep) / case.id, case, runs, failures)
        shutil.rmtree(work, ignore_errors=True)
        timed_out = any(r.exit is None for r in runs)
        conn.send({
            "index": index, "id": case.id, "bundle": case.bundle, "mutations": case.mutations,
            "failures": [f.__dict__ for f in failures], "runs": len(runs), "make": made,
            "seconds": sum(r.seconds for r in runs), "exits": {r.name: r.exit for r in runs},
            "slowest": max(((r.seconds, r.name) for r in runs), default=(0, "")), "recycle": timed_out,
        })
        if timed_out:
            break  # a run was stopped half-way: start afresh


def save_case(folder: Path, case: Case, runs: list[Run], failures: list[Failure]) -> None:
    """A failing case, to replay: its files under input/, case.json, the commands, and each run's outputs."""
    shutil.rmtree(folder, ignore_errors=True)
    case.write(folder / "input")
    record = {"id": case.id, "bundle": case.bundle, "mutations": case.mutations, "targets": case.targets,
              "failures": [f.__dict__ for f in failures],
              "runs": [{"name": r.name, "args": r.args, "exit": r.exit, "seconds": round(r.seconds, 3),
                        "signature": r.signature} for r in runs]}
    (folder / "case.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = ["# replay: python bench/fuzz.py --replay " + str(folder), "cd input"]
    lines += ["rammecalc " + " ".join(_quote(a) for a in args)
              for _, args in commands(case.targets, "../cache", "../out/roll.txt")]
    (folder / "commands.sh").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (folder / "outputs.txt").open("w", encoding="utf-8", errors="replace") as f:
        for r in runs:
            f.write(f"=== {r.name}: exit {r.exit}, {r.seconds:.3f} s\n--- stdout\n{r.stdout[:20000]}\n"
                    f"--- stderr\n{r.stderr[:20000]}\n")
            if r.error:
                f.write(f"--- traceback\n{r.error[-20000:]}\n")


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def fuzz(count: int, seed, jobs: int, timeout: float, keep: str | None, only: list[str] | None = None,
         scale: Scale = FULL, start: int = 0, quiet: bool = False, per_case: int | None = None) -> dict:
    """Run ``count`` cases on ``jobs`` workers; returns the tally."""
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    warm_up()  # here, so that every worker (and each one started afresh) begins warm
    import gc

    gc.freeze()  # what the warm-up left is not scanned again by each collection (5 % of a worker's time)
    base = tempfile.mkdtemp(prefix="rammecalc-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    hard = timeout * len(commands([], "", "")) + 30  # a case stuck in C code, where the timer cannot reach

    workers: dict = {}  # conn → [process, index or None, started]

    def spawn():
        mine, theirs = context.Pipe()
        process = context.Process(target=_worker, args=(theirs, seed, timeout, keep, only, scale, base, per_case),
                                  daemon=True)
        process.start()
        theirs.close()
        workers[mine] = [process, None, 0.0]

    for _ in range(jobs):
        spawn()
    results: list[dict] = []
    todo = list(range(start, start + count))
    todo.reverse()
    started = time.perf_counter()
    last_print = started

    def lost(conn, why: str):
        process, index, _ = workers.pop(conn)
        with contextlib.suppress(Exception):
            process.kill()
        process.join(5)
        cls = SLOW if why.startswith("killed") else CRASH
        case = make_case(seed, index, only, scale, per_case)
        results.append({"index": index, "id": case.id, "bundle": case.bundle, "mutations": case.mutations,
                        "failures": [Failure(cls, "case", why, why.split(":")[0]).__dict__], "runs": 0,
                        "make": 0, "seconds": hard, "exits": {}, "slowest": (hard, "case"), "recycle": True})
        if keep:
            save_case(Path(keep) / case.id, case, [], [Failure(cls, "case", why, why)])
        spawn()

    try:
        while todo or any(w[1] is not None for w in workers.values()):
            for conn, w in list(workers.items()):
                if w[1] is None and todo:
                    w[1], w[2] = todo.pop(), time.perf_counter()
                    conn.send(w[1])
            busy = [c for c, w in workers.items() if w[1] is not None]
            for conn in wait(busy, timeout=0.5):
                try:
                    result = conn.recv()
                except (EOFError, OSError):
                    process = workers[conn][0]
                    process.join(1)
                    lost(conn, f"the worker died (exit {process.exitcode})")
                    continue
                results.append(result)
                if result.get("recycle"):
                    workers[conn][1] = None
                    process = workers.pop(conn)[0]
                    process.join(5)
                    spawn()
                else:
                    workers[conn][1] = None
            now = time.perf_counter()
            for conn, w in list(workers.items()):
                if w[1] is not None and now - w[2] > hard:
                    lost(conn, f"killed: the case ran over {hard:.0f} s")
            if not quiet and now - last_print > 15:
                last_print = now
                bad = sum(1 for r in results if r["failures"])
                print(f"  … {len(results)}/{count} cases, {len(results) / (now - started):.1f}/s, {bad} failing",
                      file=sys.stderr, flush=True)
    finally:
        for conn, w in workers.items():
            with contextlib.suppress(Exception):
                conn.send(None)
        for conn, w in workers.items():
            w[0].join(5)
            if w[0].is_alive():
                w[0].kill()
        shutil.rmtree(base, ignore_errors=True)
    return {"results": sorted(results, key=lambda r: r["index"]), "seconds": time.perf_counter() - started}


def summary(tally: dict, count: int, seed, jobs: int, timeout: float, examples: int = 3) -> str:
    results = tally["results"]
    seconds = tally["seconds"]
    runs = sum(r["runs"] for r in results)
    rate = len(results) / seconds
    lines = [(f"rammecalc fuzz: seed {seed}, {len(results)} inputs tried ({runs} CLI runs) in {seconds:.0f} s on "
              f"{jobs} worker(s): {rate:.1f} cases/s, {runs / seconds:.0f} runs/s; 100 000 cases would take "
              f"{100_000 / max(rate, 1e-9) / 60:.0f} min")]
    per_class: dict[str, list[dict]] = defaultdict(list)
    causes: dict[str, Counter] = defaultdict(Counter)
    cause_examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in results:
        seen_classes = set()
        seen_causes = set()
        for f in r["failures"]:
            if f["cls"] not in seen_classes:
                seen_classes.add(f["cls"])
                per_class[f["cls"]].append(r)
            if (f["cls"], f["signature"]) not in seen_causes:
                seen_causes.add((f["cls"], f["signature"]))
                causes[f["cls"]][f["signature"]] += 1
                if len(cause_examples[f["cls"], f["signature"]]) < examples:
                    cause_examples[f["cls"], f["signature"]].append(r["id"])
    failing = sum(1 for r in results if r["failures"])
    lines.append(f"failing inputs: {failing} of {len(results)}; per class (inputs, then each cause with examples):")
    for cls in CLASSES:
        found = per_class.get(cls, [])
        lines.append(f"  {cls:<21} {len(found):>6}")
        for sig, n in causes[cls].most_common():
            lines.append(f"      {n:>6}  {sig[:100]}   e.g. {', '.join(cause_examples[cls, sig])}")
    exits: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        for name, code in r["exits"].items():
            exits[name][code] += 1
    lines.append("exit statuses: " + "; ".join(
        f"{name} " + ", ".join(f"{'timeout' if c is None else c}×{n}" for c, n in sorted(
            exits[name].items(), key=lambda x: (x[0] is None, x[0] if x[0] is not None else 0)))
        for name in ("check", "roll")))
    mutations = Counter(m.split(":")[0] for r in results for m in r["mutations"])
    failing_mut = Counter(m.split(":")[0] for r in results if r["failures"] for m in r["mutations"])
    lines.append("mutations (applied / in a failing input): " + ", ".join(
        f"{m} {n}/{failing_mut[m]}" for m, n in sorted(mutations.items())))
    slow = sorted(results, key=lambda r: -r["slowest"][0])[:3]
    lines.append("slowest runs: " + ", ".join(f"{r['id']} {r['slowest'][1]} {r['slowest'][0]:.2f} s" for r in slow))
    return "\n".join(lines)


# ============================================================================================ replaying


def replay(folder: Path, timeout: float | None, verbose: bool = True) -> list[Failure]:
    """Run a kept case again (or a case built anew) and print what each command did."""
    record = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="rammecalc-replay-"))
    try:
        shutil.copytree(folder / "input", work / "input", symlinks=True)
        case = Case(record["id"], record["bundle"], {}, targets=record["targets"], mutations=record["mutations"])
        runs, failures = run_case(case, work, timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"case {record['id']} ({record['bundle']}):")
    for m in record["mutations"]:
        print(f"  {m}")
    for r in runs:
        print(f"=== rammecalc {' '.join(_quote(a) for a in r.args)}\n    exit {r.exit}, {r.seconds:.3f} s")
        if verbose:
            for what, text in (("stdout", r.stdout), ("stderr", r.stderr)):
                if text:
                    shown = text if len(text) < 3000 else text[:1500] + "\n[…]\n" + text[-1000:]
                    print(f"--- {what}\n{shown.rstrip()}")
        if r.error:
            print(f"--- traceback\n{r.error[-4000:].rstrip()}")
    print("failures:" if failures else "no failure")
    for f in failures:
        print(f"  {f.cls}: {f.command}: {f.detail}")
    return failures


def _parse_case_id(text: str) -> tuple[str, int]:
    seed, _, index = text.rpartition("-")
    return seed, int(index)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="cases to try (default 1000)")
    parser.add_argument("--seed", default="1", help="the same seed gives the same cases")
    parser.add_argument("--start", type=int, default=0, help="the first case's index (default 0)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per command (default 2)")
    parser.add_argument("--keep", help="save each failing case in this folder")
    parser.add_argument("--only", help="mutations to use, comma-separated (see --list), or a family: bytes, "
                        "yaml, cross")
    parser.add_argument("--small", action="store_true", help="the test suite's sizes for the big mutations")
    parser.add_argument("--mutations", type=int, help="mutations per case (default: 1 to 3, drawn per case)")
    parser.add_argument("--examples", type=int, default=3, help="example case ids per cause (default 3)")
    parser.add_argument("--json", help="write every case's result to this file")
    parser.add_argument("--replay", help="rerun a case kept with --keep (its folder)")
    parser.add_argument("--case", help="build case SEED-INDEX again and run it (with --keep DIR: save it there)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    only = None
    if args.only:
        only = [n for part in args.only.split(",") for n in (mutations_of(part) if part in FAMILIES else [part])]
        unknown = [n for n in only if n not in MUTATIONS]
        if unknown:
            parser.error(f"unknown mutation(s): {', '.join(unknown)}")
    scale = SMALL if args.small else FULL
    if args.list:
        for family in FAMILIES:
            print(f"{family}: " + ", ".join(f"{n} ({MUTATIONS[n][1]})" for n in mutations_of(family)))
        print("bundles: " + ", ".join(name for name, _ in bundles()))
        return 0
    if args.replay:
        return 1 if replay(Path(args.replay), None if args.timeout <= 0 else args.timeout) else 0
    if args.case:
        seed, index = _parse_case_id(args.case)
        case = make_case(seed, index, only, scale, args.mutations)
        folder = Path(args.keep) / case.id if args.keep else Path(tempfile.mkdtemp(prefix="rammecalc-case-"))
        save_case(folder, case, [], [])
        failures = replay(folder, None if args.timeout <= 0 else args.timeout)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        return 1 if failures else 0
    tally = fuzz(args.count, args.seed, max(1, args.jobs), args.timeout, args.keep, only, scale, args.start,
                 per_case=args.mutations)
    print(summary(tally, args.count, args.seed, args.jobs, args.timeout, args.examples))
    if args.json:
        Path(args.json).write_text(json.dumps(tally, ensure_ascii=False, indent=0), encoding="utf-8")
    return 1 if any(r["failures"] for r in tally["results"]) else 0


if __name__ == "__main__":
    sys.exit(main())
