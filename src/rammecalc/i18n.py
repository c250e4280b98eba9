"""Messages in Norwegian bokmål or English, through a gettext catalogue (``locale/nb/LC_MESSAGES/rammecalc.po``
and its compiled ``.mo``, shipped in the package).

How, and why so: the core builds its messages as English f-strings at hundreds of places, and stays pure (no
I/O, no catalogue). Rather than rewrite every one of them into a template and its parameters, a message is
translated where the shell shows it, keyed by the English *template* it was built from. The catalogue's
msgids are those templates, each ``{…}`` standing for what the f-string put there (``item '{item.id}' is
under group '{item.group}', …``), extracted mechanically from the source (:func:`templates_in_source`; the
test suite requires a translation for every one, so a message added later without one fails it). At run
time a message is matched against the templates (each ``{…}`` matching any text), and the Norwegian
template is filled with the same parts; the parts are translated too where they are messages themselves
(a reason inside a sentence). A message that matches no template is shown in English, never garbled.

What never changes with the language: problem codes, JSON keys, ``file:line:col``, the words ``error`` and
``warning`` before a message (problem matchers read them), figures, and exit codes.

The language: ``--språk nb|en``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, ``LANGUAGE``):
``nb``, ``nn`` and ``no`` give bokmål (nynorsk falls back to it), anything else English. Only the standard
library is imported.
"""

from __future__ import annotations

import gettext
import os
import re
from functools import cache
from pathlib import Path

DOMAIN = "rammecalc"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "nb")

_current = "en"


def detect(environ: dict[str, str] | None = None) -> str:
    """The language the locale asks for: ``nb`` for bokmål, nynorsk or plain Norwegian, else ``en``."""
    env = os.environ if environ is None else environ
    for name in ("RAMMECALC_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name, "")
        if value:
            first = value.split(":")[0].lower()
            return "nb" if first[:2] in ("nb", "nn", "no") else "en"
    return "en"


def set_language(language: str) -> None:
    """Use ``language`` (``nb``; ``nn`` and ``no`` mean it too; anything else is English) from now on, for
    rammecalc's messages and click's own words ("Usage:", "Options:")."""
    global _current
    language = language.lower()
    _current = "nb" if language[:2] in ("nb", "nn", "no") else "en"
    if _current == "nb":
        # click (in typer) asks the standard gettext for its words: give it this catalogue, in bokmål.
        gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
        gettext.textdomain(DOMAIN)
        os.environ["LANGUAGE"] = "nb"


def current() -> str:
    return _current


@cache
def catalogue(language: str = "nb") -> dict[str, str]:
    """msgid → msgstr of the compiled catalogue (empty if there is none)."""
    try:
        with open(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as stream:
            translation = gettext.GNUTranslations(stream)
    except OSError:
        return {}
    return {k: v for k, v in translation._catalog.items() if isinstance(k, str) and k and v}


_TOKEN = re.compile(r"\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
#: A msgid that starts so is a suffix appended to a message (``message += f", within tolerance {…}"``): it is
#: matched at the end of a message, and the rest translated on its own.
SUFFIX = "{…}"


@cache
def _patterns(language: str) -> list[tuple[re.Pattern, list[str], str]]:
    """The templates with parts, as patterns: longest literal text first, so the most specific one wins."""
    out = []
    for msgid, msgstr in catalogue(language).items():
        if msgid in CLICK_WORDS:  # click's own ("default: {default}"), never a message's template
            continue
        tokens = _TOKEN.findall(msgid.replace("{{", "\0").replace("}}", "\1"))
        if not tokens:
            continue
        literal = _TOKEN.split(msgid.replace("{{", "\0").replace("}}", "\1"))
        groups: dict[str, str] = {}  # a part written twice is the same text both times (a backreference)
        regex = ""
        for i, part in enumerate(literal):
            regex += re.escape(part.replace("\0", "{").replace("\1", "}"))
            if i < len(tokens):
                token = tokens[i]
                if token in groups:
                    regex += f"(?P={groups[token]})"
                else:
                    groups[token] = f"g{len(groups)}"
                    regex += f"(?P<{groups[token]}>{'.+?' if i == 0 and msgid.startswith(SUFFIX) else '.*?'})"
        tokens = list(groups)  # in the order of the groups
        out.append((re.compile(f"^{regex}$", re.DOTALL), tokens, msgstr, sum(map(len, literal))))
    out.sort(key=lambda p: -p[3])
    return [(p, t, s) for p, t, s, _ in out]


def _fill(msgstr: str, values: dict[str, str]) -> str:
    marked = msgstr.replace("{{", "\0").replace("}}", "\1")
    filled = _TOKEN.sub(lambda m: values.get(m[0], m[0]), marked)
    return filled.replace("\0", "{").replace("\1", "}")


def translate(text: str | None, language: str | None = None, _depth: int = 0) -> str | None:
    """``text`` in ``language`` (default: the current one): a message as the catalogue gives it, or as it is."""
    language = language or _current
    if text is None or language == "en" or not text:
        return text
    table = catalogue(language)
    exact = table.get(text)
    if exact is not None:
        return exact.replace("{{", "{").replace("}}", "}") if "{{" in exact else exact
    if _depth > 3:
        return text
    for pattern, tokens, msgstr in _patterns(language):
        match = pattern.match(text)
        if match:
            values = {token: translate(part, language, _depth + 1) if part else part
                      for token, part in zip(tokens, match.groups(), strict=True)}
            return _fill(msgstr, values)
    return text


def problem(p, language: str | None = None):
    """A problem with its message and hint in the language; everything else (code, place, figures) as it is."""
    if (language or _current) == "en":
        return p
    from dataclasses import replace

    return replace(p, message=translate(p.message, language), hint=translate(p.hint, language))


# ------------------------------------------------------------------------------------------------ --help

#: click's and typer's own words on a help page, which they ask the standard gettext for (bound to this
#: catalogue by :func:`set_language`): msgids as they write them, so that the page is bokmål throughout.
CLICK_WORDS = ("Usage:", "Options", "Arguments", "Commands", "Show this message and exit.", "default: {default}",
               "required")


def _help_msgid(text: str) -> str:
    """A help text's msgid: the text, its braces doubled (it has no parts, as a message template has)."""
    return text.replace("{", "{{").replace("}", "}}")


def help_text(text: str | None, language: str | None = None) -> str | None:
    """A help text (an option's, a command's, a paragraph of an epilog) in ``language``, by exact lookup of the
    whole text: a text the catalogue does not have stays English."""
    language = language or _current
    if not text or language == "en":
        return text
    found = catalogue(language).get(_help_msgid(text))
    return text if found is None else found.replace("{{", "{").replace("}}", "}")


def _paragraphs(epilog: str | None) -> list[str]:
    """An epilog's paragraphs; one that starts with click's ``\\b`` (kept as lines: the examples) is no text
    to translate, but stays where it is."""
    return epilog.split("\n\n") if epilog else []


def _walk(command, path: str = "rammecalc"):
    """(path, command) for a click command and every command under it (duck-typed: no click import)."""
    yield path, command
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        yield from _walk(sub, f"{path} {name}")


def help_in_commands(command) -> dict[str, str]:
    """Every help text of a click command tree, as msgids: each command's help and short help, each paragraph
    of its epilog but the examples, each parameter's help; by msgid, with where it is first shown."""
    found: dict[str, str] = {}

    def add(text: str | None, where: str) -> None:
        if text and not text.startswith("\b") and re.search(r"[A-Za-z]{2}", text):
            found.setdefault(_help_msgid(text), where)

    for path, cmd in _walk(command):
        add(cmd.help, f"{path} --help")
        add(cmd.short_help, f"{path} (in the list of commands)")
        for paragraph in _paragraphs(cmd.epilog):
            add(paragraph, f"{path} --help (below the options)")
        for param in cmd.params:
            add(getattr(param, "help", None), f"{path} {(param.opts or [param.name])[0]}")
    return found


def help_in_source() -> dict[str, str]:
    """Every help text of rammecalc's command line (the tree click builds from cli.py and helptext.py) and
    click's own words, by msgid, with where it is shown. Imports the command line: a maintainer's and the
    tests' tool, never called while a command runs."""
    import typer.main

    from .cli import app

    found = {word: "click and typer" for word in CLICK_WORDS}
    found.update(help_in_commands(typer.main.get_command(app)))
    return found


def translate_commands(command, language: str | None = None) -> None:
    """Put a click command tree's help texts (help, short help, epilog, parameters') into ``language`` before
    click lays them out: each by exact lookup, so one without a translation stays English. Done once per tree
    (a tree is built for each run)."""
    language = language or _current
    if language == "en" or getattr(command, "_rammecalc_language", "en") == language:
        return
    for _, cmd in _walk(command):
        cmd.help = help_text(cmd.help, language)
        cmd.short_help = help_text(cmd.short_help, language)
        if cmd.epilog:
            cmd.epilog = "\n\n".join(p if p.startswith("\b") else help_text(p, language)
                                      for p in _paragraphs(cmd.epilog))
        for param in cmd.params:
            if getattr(param, "help", None):
                param.help = help_text(param.help, language)
    command._rammecalc_language = language


# ------------------------------------------------------------------------------------------- the source

#: The calls whose arguments are messages a user reads: (the positions of the message and hint, by name).
MESSAGE_CALLS = {"input_error": (2, 3), "_fail_input": (0, 1), "SkeletonError": (0, 1), "AmountError": (0,),
                 "OutputError": (0, 1), "ValueError": (0,), "Problem": (5, 6), "ScenarioError": (0,),
                 "InputError": (0,), "translate": (0,), "_t": (0,)}


def _token(node) -> str:
    import ast

    text = ast.unparse(node.value)
    if node.conversion == 114:
        text += "!r"
    elif node.conversion == 115:
        text += "!s"
    if node.format_spec is not None:
        text += ":" + "".join(v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                              for v in node.format_spec.values)
    return "{" + text + "}"


def _templates(node) -> list[str]:
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value.replace("{", "{{").replace("}", "}}")]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value.replace("{", "{{").replace("}", "}}") if isinstance(v, ast.Constant) else _token(v)
                        for v in node.values)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _templates(node.left), _templates(node.right)
        if left and right:
            return [a + b for a in left for b in right]
        if left:
            return [a + "{" + ast.unparse(node.right) + "}" for a in left]
        if right:
            return ["{" + ast.unparse(node.left) + "}" + b for b in right]
    if isinstance(node, ast.IfExp):
        return _templates(node.body) + _templates(node.orelse)
    return []


def templates_in_source(root: Path | None = None) -> dict[str, str]:
    """Every message template in rammecalc's source: the strings and f-strings given as a message or hint to
    the calls in :data:`MESSAGE_CALLS` (a problem, an input error, a refusal of the command line, an error
    a validator raises), by template, with where it is first written (``file:line``)."""
    import ast

    root = root or Path(__file__).parent
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # a message built in steps: 'message = f"…"', then 'message += f", …"' (a suffix, matched at the end)
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id in ("message", "hint") for t in targets):
                    suffix = SUFFIX if isinstance(node, ast.AugAssign) else ""
                    for template in _templates(node.value):
                        if re.search(r"[A-Za-z]{2}", _TOKEN.sub("", template)):
                            found.setdefault(suffix + template, f"{path.relative_to(root).as_posix()}:{node.lineno}")
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name not in MESSAGE_CALLS:
                continue
            args = [node.args[i] for i in MESSAGE_CALLS[name] if i < len(node.args)]
            args += [k.value for k in node.keywords if k.arg in ("message", "hint")]
            for arg in args:
                for template in _templates(arg):
                    if template.strip("{} .,:;") and re.search(r"[A-Za-z]{2}", _TOKEN.sub("", template)):
                        found.setdefault(template, f"{path.relative_to(root).as_posix()}:{node.lineno}")
    return found


# ------------------------------------------------------------------------------------------ the catalogue

def _po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _po_unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def read_po(text: str) -> list[tuple[list[str], str, str]]:
    """A .po file's entries: (comment lines, msgid, msgstr), the header (msgid "") included."""
    entries, comments, field, parts = [], [], None, {"msgid": "", "msgstr": ""}
    for line in text.splitlines() + [""]:
        if line.startswith(("msgid ", "msgstr ")):
            if line.startswith("msgid ") and field == "msgstr":
                entries.append((comments, parts["msgid"], parts["msgstr"]))
                comments, parts = [], {"msgid": "", "msgstr": ""}
            field, _, rest = line.partition(" ")
            parts[field] = _po_unquote(rest)
        elif line.startswith('"') and field:
            parts[field] += _po_unquote(line)
        elif line.startswith("#"):
            if field == "msgstr":
                entries.append((comments, parts["msgid"], parts["msgstr"]))
                comments, parts, field = [], {"msgid": "", "msgstr": ""}, None
            comments.append(line)
    if field == "msgstr":
        entries.append((comments, parts["msgid"], parts["msgstr"]))
    return entries


def write_po(entries: list[tuple[list[str], str, str]]) -> str:
    out = []
    for comments, msgid, msgstr in entries:
        out += comments
        out += [f"msgid {_po_quote(msgid)}", f"msgstr {_po_quote(msgstr)}", ""]
    return "\n".join(out)


def compile_mo(entries: list[tuple[list[str], str, str]]) -> bytes:
    """The GNU .mo file of the entries (those translated, and the header), as msgfmt writes it."""
    import struct

    pairs = sorted((msgid.encode(), msgstr.encode()) for _, msgid, msgstr in entries if msgstr)
    count = len(pairs)
    ids_at, strs_at = 28, 28 + count * 8
    data_at = strs_at + count * 8
    ids, strs, blob = [], [], b""
    for msgid, _ in pairs:
        ids.append((len(msgid), data_at + len(blob)))
        blob += msgid + b"\0"
    for _, msgstr in pairs:
        strs.append((len(msgstr), data_at + len(blob)))
        blob += msgstr + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, ids_at, strs_at, 0, data_at)
    table = b"".join(struct.pack("<2I", *p) for p in ids) + b"".join(struct.pack("<2I", *p) for p in strs)
    return header + table + blob


def update(language: str = "nb") -> tuple[int, int]:
    """``python -m rammecalc.i18n``: add every template of the source and every help text (:func:`help_in_source`)
    the catalogue lacks (untranslated, for a translator to fill in), drop those no longer in the source, and
    compile the .mo. Returns (templates, untranslated)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    entries = read_po(po.read_text(encoding="utf-8")) if po.exists() else []
    header = [e for e in entries if e[1] == ""] or [([], "", f"Content-Type: text/plain; charset=UTF-8\nLanguage: {language}\n")]
    known = {msgid: (comments, msgstr) for comments, msgid, msgstr in entries if msgid}
    source = templates_in_source()
    for msgid, where in help_in_source().items():  # after the messages, by where --help shows them
        source.setdefault(msgid, f"--help: {where}")
    extra = {msgid: v for msgid, v in known.items() if any(c.startswith("#. kept:") for c in v[0])}
    kept = [([f"#: {where}"], msgid, known.get(msgid, ([], ""))[1]) for msgid, where in sorted(source.items(),
                                                                                              key=lambda i: i[1])]
    kept += [(comments, msgid, msgstr) for msgid, (comments, msgstr) in extra.items() if msgid not in source]
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(write_po(header + kept), encoding="utf-8")
    po.with_suffix(".mo").write_bytes(compile_mo(header + kept))
    return len(kept), sum(1 for _, _, s in kept if not s)


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    total, missing = update()
    print(f"{total} messages, {missing} without a translation: {LOCALE_DIR / 'nb' / 'LC_MESSAGES'}")
