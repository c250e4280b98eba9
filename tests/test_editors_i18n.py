"""Norwegian bokmål and English: every message in both (enumerated from the source, so a message added later
without a translation fails here), the language from --språk or the locale, and nothing but the words
changing with it: no figure, code, file:line:col, order or exit code."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rammecalc import i18n

from .conftest import DATA, ROOT

PO = Path(i18n.LOCALE_DIR) / "nb" / "LC_MESSAGES" / "rammecalc.po"
BIN = Path(sys.executable).parent


def test_every_message_of_the_source_has_a_bokmål_translation():
    entries = {msgid: msgstr for _, msgid, msgstr in i18n.read_po(PO.read_text(encoding="utf-8")) if msgid}
    templates = i18n.templates_in_source()
    assert len(templates) >= 250
    missing = {t: where for t, where in templates.items() if not entries.get(t)}
    assert missing == {}, "run 'python -m rammecalc.i18n' and translate the new msgids in " + str(PO)
    # none left over from a message that is gone (the help texts are there too: tests/test_help_nb.py)
    assert set(entries) == set(templates) | set(i18n.help_in_source())


def test_the_compiled_catalogue_is_the_po_file():
    entries = i18n.read_po(PO.read_text(encoding="utf-8"))
    assert PO.with_suffix(".mo").read_bytes() == i18n.compile_mo(entries)
    assert i18n.catalogue("nb")["the file is empty"] == "filen er tom"


def test_a_translation_uses_the_parts_of_its_message_and_no_others():
    for _, msgid, msgstr in i18n.read_po(PO.read_text(encoding="utf-8")):
        if not msgid:
            continue
        parts = set(i18n._TOKEN.findall(msgid.replace("{{", "\0").replace("}}", "\1")))
        used = set(i18n._TOKEN.findall(msgstr.replace("{{", "\0").replace("}}", "\1")))
        assert used <= parts, (msgid, used - parts)
        assert msgid.count("{{") == msgstr.count("{{"), msgid
        if msgid.startswith(i18n.SUFFIX):
            assert msgstr.startswith(i18n.SUFFIX), msgid


@pytest.mark.parametrize(("environ", "language"), [
    ({"LANG": "nb_NO.UTF-8"}, "nb"), ({"LANG": "nn_NO.UTF-8"}, "nb"), ({"LANG": "no_NO"}, "nb"),
    ({"LC_ALL": "nb_NO.UTF-8", "LANG": "en_US.UTF-8"}, "nb"), ({"LANG": "en_GB.UTF-8"}, "en"), ({"LANG": "C"}, "en"),
    ({}, "en"), ({"LC_ALL": "C.UTF-8", "LANG": "nb_NO.UTF-8"}, "en"), ({"LANGUAGE": "nn:en"}, "nb"),
])
def test_the_language_from_the_locale(environ, language):
    assert i18n.detect(environ) == language


def test_a_message_with_parts_is_translated_with_the_same_parts():
    english = ("data/frames/f.yaml:5 Sum, Regnskap 2022: published 626 833, computed 626 832 (difference +1), a known "
               "difference (line 69): rounded on its own")
    norwegian = i18n.translate(english.split(":", 1)[1], "nb")
    assert norwegian == ("5 Sum, Regnskap 2022: publisert 626 833, beregnet 626 832 (differanse +1), en kjent "
                         "differanse (linje 69): rounded on its own")  # the file's own explanation, as written
    assert i18n.translate("item 'a' is under group 'h', which frame 'f' does not have", "nb") == (
        "posten 'a' står under gruppen 'h', som rammen 'f' ikke har")
    assert i18n.translate("something no template says", "nb") == "something no template says"
    assert i18n.translate("the file is empty", "en") == "the file is empty"


# ------------------------------------------------------------------------------- the same in both languages

def _run(*args: str, cwd: Path, lang: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(LANG=lang, PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    return subprocess.run([str(BIN / "rammecalc"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """data/, a frame with a misprint, a file with input problems: every kind of message."""
    root = tmp_path_factory.mktemp("i18n")
    shutil.copytree(DATA, root / "data")
    return root


def _broken(root: Path) -> Path:
    bad = root / "bad"
    if not bad.exists():
        (bad / "frames").mkdir(parents=True)
        (bad / "frames" / "f.yaml").write_text(
            "type: ramme\nid: f\nkommune: K\nenhet: E\nkilde: {dokument: D}\nbeløpsenhet: 1 000 kr\n"
            "konvensjon: nivå\nkolonner: {2024: B}\nutgangspunkt: {etikett: U, beløp: 1.500}\nukjent: 1\n"
            "grupper:\n  - {id: 'a b', etikett: G}\n", encoding="utf-8")
    return bad


FIGURES = re.compile(r"[−+-]?\d[\d  ]*(?:,\d+)?")


def _same_but_the_words(english: dict, norwegian: dict) -> None:
    assert {k: v for k, v in english.items() if k != "problems"} == {k: v for k, v in norwegian.items()
                                                                      if k != "problems"}
    assert len(english["problems"]) == len(norwegian["problems"])
    for en, nb in zip(english["problems"], norwegian["problems"], strict=True):
        assert {k: v for k, v in en.items() if k not in ("message", "hint")} == {
            k: v for k, v in nb.items() if k not in ("message", "hint")}
        assert en["message"] != nb["message"], en["message"]  # translated
        assert FIGURES.findall(en["message"]) == FIGURES.findall(nb["message"]), (en["message"], nb["message"])


def test_check_of_the_bundled_data_differs_only_in_words(corpus):
    en = _run("check", "--no-cache", "--report", "json", "data", cwd=corpus, lang="en_US.UTF-8")
    nb = _run("check", "--no-cache", "--report", "json", "data", cwd=corpus, lang="nb_NO.UTF-8")
    assert en.returncode == nb.returncode == 0
    _same_but_the_words(json.loads(en.stdout), json.loads(nb.stdout))


def test_a_misprint_differs_only_in_words(corpus):
    frame = corpus / "data" / "frames" / "molde-2017-ressurstjenesten.yaml"
    text = frame.read_text(encoding="utf-8")
    frame.write_text(text.replace("2017: 11999", "2017: 11990", 1), encoding="utf-8")
    try:
        en = _run("check", "--no-cache", "--report", "json", "data", cwd=corpus, lang="C")
        nb = _run("--språk", "nb", "check", "--no-cache", "--report", "json", "data", cwd=corpus, lang="C")
        assert en.returncode == nb.returncode == 1
        _same_but_the_words(json.loads(en.stdout), json.loads(nb.stdout))
        text_en = _run("check", "--no-cache", "data", cwd=corpus, lang="en_US.UTF-8")
        text_nb = _run("check", "--no-cache", "data", cwd=corpus, lang="nb_NO.UTF-8")
        assert text_en.returncode == text_nb.returncode == 1
        places = [re.match(r"^(\S+:\d+:\d+: (?:error|warning):)", line) for line in text_en.stdout.splitlines()]
        places_nb = [re.match(r"^(\S+:\d+:\d+: (?:error|warning):)", line) for line in text_nb.stdout.splitlines()]
        assert [m and m[1] for m in places] == [m and m[1] for m in places_nb]
        assert "published 11 990, computed 11 999" in text_en.stdout
        assert "publisert 11 990, beregnet 11 999" in text_nb.stdout
        assert text_nb.stdout.splitlines()[-1].startswith("kontrollerte 33 filer, 19 tabeller")
    finally:
        frame.write_text(text, encoding="utf-8")


def test_a_broken_file_in_norwegian_keeps_its_places_and_exit_code(corpus):
    """The issue's: `LANG=nb_NO.UTF-8 rammecalc check` on a broken file prints Norwegian messages with the same
    file:line:col and exit code as in English."""
    bad = _broken(corpus)
    en = _run("check", "--no-cache", str(bad), cwd=corpus, lang="en_US.UTF-8")
    nb = _run("check", "--no-cache", str(bad), cwd=corpus, lang="nb_NO.UTF-8")
    assert en.returncode == nb.returncode == 2
    where = re.compile(r"^\S+:\d+:\d+: error:", re.MULTILINE)
    assert where.findall(en.stderr) == where.findall(nb.stderr) and len(where.findall(en.stderr)) == 2
    assert "unknown key 'ukjent'" in en.stderr and "ukjent nøkkel 'ukjent'" in nb.stderr
    assert "  hint: " in en.stderr and "  tips: " in nb.stderr
    assert "'a b' is not a valid id" in en.stderr and "'a b' er ikke en gyldig id" in nb.stderr
    assert nb.stderr.splitlines()[-1] == "rammecalc: 2 inndataproblem(er) i 1 fil(er); ingenting ble rullet eller kontrollert"
    en_json = json.loads(_run("check", "--no-cache", "--report", "json", str(bad), cwd=corpus, lang="C").stdout)
    nb_json = json.loads(_run("--språk", "nn", "check", "--no-cache", "--report", "json", str(bad), cwd=corpus,
                              lang="C").stdout)
    _same_but_the_words(en_json, nb_json)


def test_the_command_line_s_own_refusals_in_norwegian(corpus):
    nb = _run("check", "--ignore", "input-empty", "data", cwd=corpus, lang="nb_NO.UTF-8")
    assert nb.returncode == 2
    assert nb.stderr.startswith("rammecalc: --ignore input-empty: inndataproblemer kan ikke utelates")
    assert "  tips: rett filen" in nb.stderr
    en = _run("--språk", "en", "check", "--ignore", "input-empty", "data", cwd=corpus, lang="nb_NO.UTF-8")
    assert en.returncode == 2 and "input problems cannot be left out" in en.stderr


def test_roll_is_the_same_in_both_languages(corpus):
    en = _run("roll", "--format", "json", "data", cwd=corpus, lang="en_US.UTF-8")
    nb = _run("roll", "--format", "json", "data", cwd=corpus, lang="nb_NO.UTF-8")
    assert en.returncode == nb.returncode == 0 and en.stdout == nb.stdout


def test_the_catalogue_is_in_the_installed_package():
    import importlib.resources

    files = importlib.resources.files("rammecalc") / "locale" / "nb" / "LC_MESSAGES"
    assert (files / "rammecalc.mo").is_file() and (files / "rammecalc.po").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locale/*/LC_MESSAGES/*.mo"' in pyproject
