"""`rammecalc check --report text|json|junit|github` on a small corpus with known problems.

The corpus is data/ with one wrong published figure, seed 000's new frame 2017. That figure is also
linked to seed 001's Budsjett 2017 with a recorded difference of 23 121, so the link is off too: two
errors, each at its own file and line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

MOLDE = "data/frames/molde-2017-ressurstjenesten.yaml"


@pytest.fixture
def corpus(data_copy):
    """data/ with one wrong published figure: seed 000's new frame 2017 printed as 11 998 (truly 11 999)."""
    frame = data_copy / "frames" / "molde-2017-ressurstjenesten.yaml"
    text = frame.read_text(encoding="utf-8")
    frame.write_text(text.replace("publisert: {2016: 9864, 2017: 11999", "publisert: {2016: 9864, 2017: 11998"),
                     encoding="utf-8")
    return data_copy.parent


# The one error, and where it is: line 43 of the frame, the column of "11998".
ERROR = {"file": MOLDE, "line": 43, "column": 33, "code": "new-frame-mismatch", "severity": "error",
         "message": "Ny driftsramme 2017: published 11 998, computed 11 999 (difference −1)", "hint": None,
         "figure": "Ny driftsramme", "year": 2017, "published": Decimal(11998), "computed": Decimal(11999),
         "difference": Decimal(-1)}


def test_json_report(cli, corpus):
    result = cli("check", "--report", "json", "data", cwd=corpus)
    assert result.exit_code == 1
    report = json.loads(result.stdout, parse_float=Decimal)
    assert {k: v for k, v in report.items() if k != "problems"} == {
        "format": "rammecalc.check/1", "files": 33, "tables": 19, "links": 2, "figures": 173, "errors": 2,
        "warnings": 21, "ignored": 0}  # (ignored: left out by --select/--ignore)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert errors[0] == ERROR
    assert [(p["file"], p["line"], p["code"], p["difference"]) for p in errors[1:]] == [
        ("data/links/molde-ressurstjenesten.yaml", 21, "link-mismatch", Decimal(23122))]
    assert sorted(p["code"] for p in report["problems"] if p["severity"] == "warning") == [
        # table 17's eight recorded ±1 cells: rows 9 (twice), 15 and 17 are formulas, rows 5, 8 (twice) and 24 sums;
        # the bridge's sum row: Ramme 2025 by its column's formula (and Lønns- og prisvekst by its sum, below)
        "formula-mismatch", "formula-mismatch", "formula-mismatch", "formula-mismatch", "formula-mismatch",
        # the link's recorded difference (23 121) no longer occurs: reported as unused
        "known-difference-unused", "split-mismatch",
        "subtotal-mismatch", "subtotal-mismatch", "subtotal-mismatch", "subtotal-mismatch",
        # table 27's five recorded totals, table 15's two and the bridge's Lønns- og prisvekst
        "total-mismatch", "total-mismatch", "total-mismatch", "total-mismatch", "total-mismatch", "total-mismatch",
        "total-mismatch", "total-mismatch", "unallocated-amount", "unallocated-amount"]
    askoy = next(p for p in report["problems"] if p["code"] == "split-mismatch")
    assert (askoy["file"], askoy["line"], askoy["difference"]) == (
        "data/frames/askoy-2018-kommunalavdeling-stab.yaml", 56, Decimal(-1))


def test_junit_report(cli, corpus):
    result = cli("check", "--report", "junit", "data", cwd=corpus)
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    # one test case per table: 7 frames, 12 other tables (type: tabell), and the links file
    assert len(cases) == 20 and suite.get("tests") == "20" and suite.get("failures") == "2"
    failing = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failing] == ["ramme molde-2017-ressurstjenesten",
                                                "koblinger molde-ressurstjenesten"]
    assert failing[0].get("classname") == MOLDE
    failure = failing[0].find("failure")
    assert failure.get("type") == "new-frame-mismatch"
    assert failure.text == (f"{MOLDE}:43:33: error: Ny driftsramme 2017: published 11 998, computed 11 999 "
                            "(difference −1) [new-frame-mismatch]")
    trondheim = next(c for c in cases if c.get("name") == "ramme trondheim-2022-psykisk-helse-og-rus")
    assert trondheim.find("failure") is None and "unallocated-amount" in trondheim.find("system-out").text


def test_github_report(cli, corpus):
    result = cli("check", "--report", "github", "data", cwd=corpus)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert errors[0] == (f"::error file={MOLDE},line=43,col=33,title=rammecalc new-frame-mismatch::"
                         "Ny driftsramme 2017: published 11 998, computed 11 999 (difference −1)")
    assert errors[1].startswith("::error file=data/links/molde-ressurstjenesten.yaml,line=21,col=5,"
                                "title=rammecalc link-mismatch::")
    assert len(errors) == 2
    assert sum(line.startswith("::warning ") for line in lines) == 21
    assert lines[-1] == ("checked 33 files, 19 tables (7 frames, 12 other tables), 2 links, "
                         "173 published figures: 2 errors, 21 warnings")


def test_github_report_of_bad_input(cli, corpus):
    (corpus / "data" / "changes" / "molde-2017-ressurstjenesten.yaml").write_text("type: endringer\nramme: [\n",
                                                                                 encoding="utf-8")
    result = cli("check", "--report", "github", "data", cwd=corpus)
    assert result.exit_code == 2
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1
    # At the '[' left open ("ramme: [", line 2, column 8), not at the end of the file where the parser stopped.
    assert errors[0].startswith("::error file=data/changes/molde-2017-ressurstjenesten.yaml,line=2,col=8,"
                                "title=rammecalc input-yaml-syntax::YAML syntax: the file ends inside a '[…]' list "
                                "opened here")


def _refuse_to_read(monkeypatch, path) -> None:
    """Reading ``path`` fails as a file without read permission would. As root (CI, containers) chmod 000
    does not stop a read, so the refusal is made where files are opened."""
    import os
    from pathlib import Path

    locked = Path(path).resolve()
    os_open = os.open

    def refuse(file, flags, *args, **kwargs):
        if Path(file).resolve() == locked:
            raise PermissionError(13, "Permission denied")
        return os_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)


@pytest.mark.parametrize("cache", ["--cache", "--no-cache"])
def test_an_unreadable_file_is_reported_not_skipped(cli, corpus, monkeypatch, cache):
    _refuse_to_read(monkeypatch, corpus / "data" / "changes" / "molde-2017-ressurstjenesten.yaml")
    result = cli("check", "--report", "github", cache, "data", cwd=corpus)
    assert result.exit_code == 2
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert errors == ["::error file=data/changes/molde-2017-ressurstjenesten.yaml,title=rammecalc "
                      "input-unreadable::cannot read the file: Permission denied (hint: check that the file is "
                      "readable)"]
    assert "checked 32 files" in result.stdout  # data/ has 33; the one not read is a problem, not a file checked
    # Reached only through the frame that lists it: told at the frame's line, with the same hint.
    result = cli("check", "--report", "github", cache, MOLDE, cwd=corpus)
    assert result.exit_code == 2
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert errors == ["::error file=data/frames/molde-2017-ressurstjenesten.yaml,line=45,col=5,title=rammecalc "
                      "input-unreadable::the changes file '../changes/molde-2017-ressurstjenesten.yaml' "
                      "(data/changes/molde-2017-ressurstjenesten.yaml): cannot read the file: Permission denied "
                      "(hint: check that the file is readable)"]


def test_an_unreadable_file_a_link_names_is_reported_once(cli, corpus, monkeypatch):
    # The links file names seed 001's accounts table; among the paths given, it is told as itself only.
    _refuse_to_read(monkeypatch, corpus / "data" / "tables" / "molde-2018-ressurstjenesten.yaml")
    result = cli("check", "--report", "github", "data", cwd=corpus)
    assert result.exit_code == 2
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert errors == ["::error file=data/tables/molde-2018-ressurstjenesten.yaml,title=rammecalc "
                      "input-unreadable::cannot read the file: Permission denied (hint: check that the file is "
                      "readable)"]


def test_github_escapes_what_workflow_commands_need_escaped():
    from rammecalc.core.problems import Code, Problem, Severity
    from rammecalc.report import CheckRun, as_github

    run = CheckRun(files=1, problems=[Problem(Code.INVALID, Severity.ERROR, "a,b:c.yaml", 2, 3, "100 % sure\nnot")])
    assert as_github(run).splitlines()[0] == (
        "::error file=a%2Cb%3Ac.yaml,line=2,col=3,title=rammecalc input-invalid::100 %25 sure%0Anot")


def test_text_report_is_the_default(cli, corpus):
    result = cli("check", "data", cwd=corpus)
    assert result.exit_code == 1
    # by file, line and column: data/changes/ comes first, with Trondheim's first period amount
    assert result.stdout.splitlines()[0].startswith("data/changes/trondheim-2022-psykisk-helse-og-rus.yaml:94:19: "
                                                    "warning:")
    assert (f"{MOLDE}:43:33: error: Ny driftsramme 2017: published 11 998, computed 11 999 (difference −1)"
            in result.stdout)


def test_no_progress_bar_when_not_on_a_terminal(corpus):
    result = subprocess.run([sys.executable, "-m", "rammecalc", "check", "data"], cwd=corpus, capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin", "RAMMECALC_DEBUG": "",
                                            "RAMMECALC_CACHE_DIR": os.environ["RAMMECALC_CACHE_DIR"]})
    assert result.returncode == 1
    assert "reading files" not in result.stderr and "\x1b[" not in result.stderr + result.stdout


def test_progress_bar_rules():
    from rammecalc.cli import _Progress

    progress = _Progress()
    progress.enabled = True
    progress.started_at -= 10  # a long run
    progress.update(5, 5)      # already done: nothing to show
    assert progress.bar is None
    fresh = _Progress()
    fresh.enabled = True
    fresh.update(1, 100)       # too early to show
    assert fresh.bar is None


def test_progress_is_disabled_in_ci(monkeypatch):
    from rammecalc.cli import _Progress

    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert _Progress().enabled is False
