"""The fast reader (``loading/fastyaml.py``) gives exactly what the full reader gives, or gives up.

It reads the plain YAML rammecalc files are written in without libyaml's events; a file it is not sure of
goes to the full reader. Whatever it returns must be what the full reader returns for a file with no
problem, to the type of every key and value (``2017`` a year, ``'2017'`` a text; ``yes`` true). Held here
on every YAML file in the repository, on cases picked for the places where YAML surprises, and on
thousands of altered copies of real files (a seeded stream: the same cases on every run).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from rammecalc.loading import fastyaml, yamlread

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for p in ROOT.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")
               and not any(part.startswith(".") or part in ("build", "node_modules") for part in p.parts))


def _texts() -> list[tuple[str, str]]:
    """Every YAML file in the repository, and every skeleton ``rammecalc new`` writes."""
    from rammecalc import skeletons

    texts = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in FILES]
    for kind in skeletons.FOLDERS:
        plan = skeletons.plan(kind, "prøve", Path("data"), 2025)
        texts += [(f"new {kind}: {path}", text) for path, text in plan.files.items()]
    return texts


TEXTS = _texts()


def full(text: str):
    return yamlread.parse(text, "f.yaml", locate=True)  # (with locate: never the fast reader)


def agrees(text: str) -> bool:
    """The fast reader gave up, or gave what the full reader gives for a file with no problem."""
    fast = fastyaml.read(text)
    if fast is None:
        return True
    parsed = full(text)
    return not parsed.problems and not parsed.stopped and parsed.data == fast and repr(parsed.data) == repr(fast)


def test_every_yaml_file_in_the_repository_reads_the_same():
    assert len(TEXTS) > 40
    for name, text in TEXTS:
        assert agrees(text), name
    # and the fast reader is the one that reads them (not a reader that gives up on everything)
    read_fast = [name for name, text in TEXTS if fastyaml.read(text) is not None]
    data = [name for name, _ in TEXTS if name.startswith("data/")]
    assert sum(name in read_fast for name in data) >= len(data) - 3
    assert len(read_fast) >= 0.85 * len(TEXTS)


CASES = [
    # values
    "a: b\n", "a: b # c\n", "a: b#c\n", "a: 'b' # c\n", "a: 'it''s'\n", 'a: "b"\n', 'a: "b\\nc"\n', "a: 'b'c\n",
    "a: b: c\n", "a: b:\n", "a: -5\n", "a: - 5\n", "a: -\n", "a: yes\n", "a: No\n", "a: ~\n", "a: null\n",
    "a:\n", "a: 1.500\n", "a: 1 500\n", "a: 0x1F\n", "a: .inf\n", "a: 1e3\n", "a: '1.500'\n", "a: http://x\n",
    "a: [b, c]\n", "a: [b, c] # d\n", "a: [b, c]#d\n", "a: [b, [c, d]]\n", "a: [b: 1]\n", "a: []\n", "a: {}\n",
    "a: {b: 1, c: 2}\n", "a: {b: 1, b: 2}\n", "a: {2017: 1, 2017: 2}\n", "a: {2017: 1, '2017': 2}\n",
    "a: {b:1}\n", "a: {b: 1,}\n", "a: {b: }\n", "a: {b: , c: 1}\n", "a: {b: [1, 2]}\n", "a: {b: 'x, y'}\n",
    "a: {b: -1, c: -2}\n", "a: {2018: 2760, 2019: -20}\n", "a: {2018: 2 760}\n", "a: {b: c d}\n",
    "a: {b: 1\n  , c: 2}\n", "a: {b: yes, c: ~}\n", "a: &x 1\nb: *x\n", "a: !!str 5\n", "a: !foo 5\n",
    "a: |\n  x\n  y\n", "a: |-\n  x\n  y\n", "a: >\n  x\n  y\n", "a: >-\n  x\n  y\n", "a: >-\n  x\n\n  y\n",
    "a: >-\n  x\n    y\n", "a: >-\n  x \n  y\n", "a: >2\n  x\n", "a: |+\n  x\n\n", "a: >-\n  # x\n  y\nb: 1\n",
    "a: >-\n  x\n\nb: 1\n", "a: |\n\n  x\n", "a: >- # c\n  x\n",
    "a: b\n  c\n", "a: b\n  # c\n", "a: b\n# c\n  d\n",
    # keys
    "2017: a\n", "'2017': a\n", "2017.0: a\n2017: b\n", "+2017: a\n", "-1: a\n", "a b: c\n", "a  : b\n",
    "a: 1\na: 2\n", "yes: 1\n", "null: 1\n", "~: 1\n", "<<: {a: 1}\n", "? a\n: b\n", "a-b.c_d: 1\n",
    "æøå: 1\n", "Å: 1\n", "a:b: 1\n", "[a]: 1\n", "{a: 1}: 2\n", "'a': 1\n", "a: 1\nb:\n  c: 2\n",
    # block structure
    "a:\n- 1\n- 2\nb: 3\n", "a:\n  - 1\n  - 2\nb: 3\n", "- a\n- b\n", "- a: 1\n  b: 2\n- c: 3\n",
    "- a: 1\n   b: 2\n", "- a: 1\n b: 2\n", "- - a\n", "-\n  a: 1\n", "- \n- b\n", "-\n", "a:\n  b:\n    c: 1\n",
    "a: 1\n  b: 2\n", "a:\n    b: 1\n  c: 2\n", "a:\n  - b: 1\n    c:\n    - 2\n  - d: 3\n", "a: 1\n- b\n",
    "  a: 1\n  b: 2\n", "  a: 1\nb: 2\n", "a:\n-\n- 1\n", "a:\n  -\n  - 1\n", "a: 1\n\n\nb: 2\n",
    "---\na: 1\n", "a: 1\n---\nb: 2\n", "a: 1\n...\n", "%YAML 1.1\n---\na: 1\n", "a: 1\n\tb: 2\n",
    "a: b\n  c" + " " * 500 + "d\n", "a" + " " * 500 + "b: 1\n", "a: {b" + " " * 500 + "c: 1}\n",
    "a: {b: c" + " " * 500 + "}\n", "- a" + " " * 500 + "b: 1\n", "a" + " " * 500 + ": 1\n",
    # found by a review (a grammar-based generator): a block scalar ending the text with no line break; a line
    # of spaces deeper than a block scalar's indent (a line of its body); keys longer than libyaml takes
    # (1 024 characters) or than Python makes an int of (4 300 digits)
    "a: |\n x", "a: >\n x", "- a: |\n    x", "a: >\n  x\n  y", "a: |\n  x\n   ", "a: |\n  x\n   \nb: 1\n",
    "a: |\n  x\n\n   \nb: 1\n", "a: |-\n  x\n     \n", "a" * 1025 + ": b\n", "a" + " " * 1024 + ": b\n",
    "- " + "a" * 1025 + ": b\n", "x: {" + "a" * 1025 + ": 1}\n", "x: {2018" + " " * 1024 + ": 1}\n",
    "1" * 4301 + ": a\n", "a: {" + "1" * 4301 + ": 2}\n", "1" * 4301 + ".0: a\n", "a: {" + "1" * 4301 + ": [b]}\n",
    "a: 1\r\nb: 2\r\n", "\ufeffa: 1\n", "a: b\x1b\n", "a: \u2028\n", "a: 1\nb", "a", "", "# only\n", "a: [1,\n  2]\n",
]


@pytest.mark.parametrize("text", CASES)
def test_a_surprising_case_reads_the_same_or_goes_to_the_full_reader(text):
    assert agrees(text)


def test_the_common_shapes_are_read_fast():
    """(Else the fast reader would pass the tests above by giving up on everything.)"""
    for text in ("a: b\n", "a: {2018: 2760, 2019: -20}\n", "a:\n  - id: x\n    b: [1, 2]\n", "a: >-\n  x\n  y\n",
                 "a: 'b' # c\n", "2017: a\n", "a:\n- 1\n"):
        assert fastyaml.read(text) is not None, text


TOKENS = [":", ": ", " #", "#", "-", "- ", "'", '"', "{", "}", "[", "]", ",", ", ", "&a ", "*a", "!!str ", "|", ">-",
          "\n", "\n  ", "\n- ", " ", "  ", "?", "? ", "%", "@", "`", "~", "null", "yes", "2017", "2017: 1", "\\", "''",
          "---", "...", "<<: ", "\t", "\u00a0", "æ", "0", "-1", ": |\n  ", ": >\n    ", "{2017: 1}", "\u2028"]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    how = rng.randrange(6)
    if how == 0:
        i = rng.randrange(len(text) + 1)
        return text[:i] + rng.choice(TOKENS) + text[i:]
    if how == 1:
        i = rng.randrange(len(text) + 1)
        return text[:i] + text[i + rng.randint(1, 5):]
    i = rng.randrange(len(lines))
    if how == 2:
        lines.insert(i, lines[i])
    elif how == 3:
        del lines[i]
    elif how == 4:
        shift = rng.choice([-2, -1, 1, 2, 4])
        lines[i] = " " * shift + lines[i] if shift > 0 else lines[i][-shift:] if lines[i][:-shift].strip() == "" \
            else lines[i]
    else:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def test_altered_copies_of_real_files_read_the_same_or_go_to_the_full_reader():
    rng = random.Random(2026)
    sources = [text for _, text in TEXTS if len(text) < 20_000]
    fast = 0
    for _ in range(4000):
        text = rng.choice(sources)
        for _ in range(rng.randint(1, 3)):
            text = mutate(text, rng)
        assert agrees(text), text
        fast += fastyaml.read(text) is not None
    assert fast > 1000  # many altered files are still plain YAML, and read fast: the comparison means something


def test_the_full_reader_takes_a_key_of_thousands_of_digits_without_an_exception():
    """(Python refuses to make an int of more than 4 300 digits; such a key stays text, and is a problem.)"""
    parsed = yamlread.parse("? " + "1" * 4400 + "\n: a\n", "f.yaml")
    assert parsed.data is None or isinstance(parsed.data, dict)
    parsed = yamlread.parse("'" + "1" * 4400 + ".0': a\n" + "1" * 4400 + ": b\n", "f.yaml", locate=True)
    assert isinstance(parsed.problems, list)
