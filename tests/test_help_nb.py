"""--help in bokmål: every help text of the command line (commands, options, arguments, the program's, the prose
of helptext.py) has a translation in the catalogue, the pages show it under a Norwegian locale or --språk nb
(readable at 80 columns, the examples' command lines unchanged), and English help is what it was."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from rammecalc import helptext, i18n
from rammecalc.cli import app

PO = Path(i18n.LOCALE_DIR) / "nb" / "LC_MESSAGES" / "rammecalc.po"
BIN = Path(sys.executable).parent
COMMANDS = sorted(helptext.COMMANDS)


def _help(*args: str, lang: str = "C.UTF-8") -> str:
    """The help page a command line prints (with no arguments at all: on standard error, exit 2)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "RAMMECALC_LANGUAGE"))}
    env.update(LANG=lang, COLUMNS="80", PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    done = subprocess.run([str(BIN / "rammecalc"), *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == (0 if args else 2), done.stderr
    return done.stdout if args else done.stderr


def _flat(text: str) -> str:
    """Without any whitespace: a text as click wrapped it (at blanks or after a hyphen) compares with the text."""
    return "".join(text.split())


def _page_texts(name: str) -> dict[str, str]:
    """English → bokmål of every help text on one command's own page (not its line in the list of commands)."""
    command = typer.main.get_command(app).commands[name]
    table = i18n.catalogue("nb")
    return {msgid.replace("{{", "{").replace("}}", "}"): table[msgid].replace("{{", "{").replace("}}", "}")
            for msgid, where in i18n.help_in_commands(command).items() if "(in the list of commands)" not in where}


def test_every_help_text_has_a_bokmål_translation():
    entries = {msgid: msgstr for _, msgid, msgstr in i18n.read_po(PO.read_text(encoding="utf-8")) if msgid}
    texts = i18n.help_in_source()
    assert len(texts) >= 70
    assert {"Usage:", "Options", "Examples:", helptext.EXIT_CODES, helptext.PATHS} <= set(texts)
    assert "Recompute every published figure; report mismatches." in texts  # check's line in the list
    missing = {t: where for t, where in texts.items() if not entries.get(t)}
    assert missing == {}, "run 'python -m rammecalc.i18n' and translate the new msgids in " + str(PO)
    assert not [t for t in texts if t.startswith("\b") or "rammecalc roll data" in t]  # examples stay as they are


def test_a_translation_keeps_the_options_placeholders_and_codes():
    table = i18n.catalogue("nb")
    # option names, variables, placeholders (NAME[:YEAR]=RATE), file names, quoted values, {…} and <…>
    kept = re.compile(r"--[a-z][a-z-]*|\$[A-Z_]+|[A-Z]{3,}[A-Z_:\[\]=]*|\S+\.ya?ml|(?<![A-Za-z])'[^']*'"
                      r"|\{[^{}]*\}|<[^<>]*>")
    for msgid in i18n.help_in_source():
        assert sorted(kept.findall(msgid)) == sorted(kept.findall(table[msgid])), msgid


def test_a_text_with_no_translation_stays_english():
    class Param:
        help = "Not in any catalogue."

    class Command:
        help, short_help, epilog, params = "Also unknown.", "Print the JSON Schema of the files, for editors.", (
            "Examples:\n\n\b\n  rammecalc schema\n\nNo such text."), [Param()]

    command = Command()
    i18n.translate_commands(command, "nb")
    assert (command.help, command.params[0].help) == ("Also unknown.", "Not in any catalogue.")
    assert command.short_help == "Skriv ut JSON Schema for filene, for redigeringsprogrammer."
    assert command.epilog == "Eksempler:\n\n\b\n  rammecalc schema\n\nNo such text."
    assert i18n.help_text("Replace files that exist.", "en") == "Replace files that exist."


@pytest.mark.parametrize("args", [("check", "--help"), ("--språk", "nb", "check", "--help")])
def test_check_help_in_bokmål(args):
    out = _help(*args, lang="nb_NO.UTF-8" if args[0] == "check" else "C.UTF-8")
    lines = out.splitlines()
    assert lines[0] == "Bruk: rammecalc check [OPTIONS] [PATH]..."
    assert "  Regn ut alle publiserte tall på nytt og meld hvert avvik som file:line:col." in lines
    assert {"Argumenter:", "Valg:", "  Eksempler:"} <= set(lines)
    assert "  -h, --help                      Vis denne hjelpeteksten og avslutt." in lines
    assert "  --select CODE                   Meld bare disse problemkodene (gjenta, eller" in lines
    flat = _flat(out)
    assert _flat("--strict Advarsler gir også feil (avslutningskode 1): en utdatert kjent differanse,") in flat
    assert _flat("-t, --tolerance N Differanser opp til dette (i tabellens beløpsenhet) godtas som advarsler. "
                 "[standard: 0]") in flat
    assert _flat("Avslutningskoder: 0 i orden; 1 et publisert tall stemmer ikke (check)") in flat
    for example in helptext.COMMANDS["check"][1]:
        assert f"    {example}" in lines
    assert "Recompute" not in out and "Options:" not in out and "Examples:" not in out
    assert max(map(len, lines)) <= 80


@pytest.mark.parametrize("args", [("--help",), ("--språk", "nb", "--help"), ()])
def test_the_program_help_and_its_list_of_commands_in_bokmål(args):
    out = _help(*args, lang="C.UTF-8" if args[:1] == ("--språk",) else "nb_NO.UTF-8")
    lines = out.splitlines()
    assert lines[0] == "Bruk: rammecalc [OPTIONS] COMMAND [ARGS]..."
    assert "  Framskriv kommunale driftsrammer og kontroller publiserte tabeller: rammer," in lines
    assert "Kommandoer:" in lines
    assert "  check    Regn ut alle publiserte tall på nytt; meld avvik." in lines
    assert "  roll     Skriv ut hver ramme og tabell slik kilden setter den opp." in lines
    assert "  chart    Tegn et fossefallsdiagram for rammer eller varianter." in lines
    assert "  --version               Skriv ut versjonen og avslutt." in lines
    assert "Commands:" not in out and "Recompute" not in out
    assert max(map(len, lines)) <= 80


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_page_is_bokmål_at_80_columns(name):
    out = _help("--språk", "nb", name, "--help")
    lines = out.splitlines()
    assert lines[0].startswith(f"Bruk: rammecalc {name} ")
    flat = _flat(out)
    for english, norwegian in _page_texts(name).items():
        assert _flat(norwegian) in flat, (name, norwegian)
        if len(english) > 30:
            assert _flat(english) not in flat, (name, english)
    for example in helptext.COMMANDS[name][1]:
        assert f"    {example}" in lines
    assert max(map(len, lines)) <= 80


def test_english_help_is_unchanged():
    check = _help("check", "--help").splitlines()
    assert check[0] == "Usage: rammecalc check [OPTIONS] [PATH]..."
    assert "  Recompute every published figure and report every mismatch as file:line:col." in check
    assert "  -h, --help                      Show this message and exit." in check
    assert "  --select CODE                   Report only these problem codes (repeat, or" in check
    assert {"Arguments:", "Options:", "  Examples:"} <= set(check)
    assert "  Exit codes: 0 fine; 1 a published figure does not match (check); 2 unusable" in check
    top = _help("--språk", "en", "--help", lang="nb_NO.UTF-8").splitlines()
    assert top[0] == "Usage: rammecalc [OPTIONS] COMMAND [ARGS]..."
    assert "  check    Recompute every published figure; report mismatches." in top
    assert "  Roll Norwegian municipal budget frames (driftsrammer) forward and check" in top
    assert _help("--help").splitlines() == top


@pytest.mark.parametrize("args", [("--help",), ("check", "--help")])
def test_bokmål_help_imports_no_pydantic_yaml_or_rich(args):
    code = ("import sys\nsys.argv = ['rammecalc', *%r]\nfrom rammecalc.cli import app\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)" % (args,))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "RAMMECALC_LANGUAGE"))}
    env["LANG"] = "nb_NO.UTF-8"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "Bruk: rammecalc" in done.stdout
    loaded = {m.split(".")[0] for m in done.stderr.splitlines()[-1].split()}
    heavy = {"yaml", "rich"} if args[0] == "check" else {"pydantic", "pydantic_core", "yaml", "rich"}
    assert not loaded & heavy
