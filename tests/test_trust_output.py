"""Whatever the input and wherever the output goes, rammecalc writes well-formed output and the right exit code,
never exit 3: --output to folders, read-only places, devices, FIFOs and symlinks; streams that are not UTF-8;
readers that stop early; labels, messages and file names holding anything; reports in one order; deep and
large inputs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import ROOT, SEED000_FRAME

MOLDE = "data/frames/molde-2017-ressurstjenesten.yaml"


def rammecalc(*args, cwd: Path = ROOT, encoding: str | None = None, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
              **env: str) -> subprocess.CompletedProcess:
    """rammecalc in a real process (bytes out), with PYTHONIOENCODING=encoding if given."""
    environment = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", **env}
    environment.pop("PYTHONIOENCODING", None)
    if encoding:
        environment["PYTHONIOENCODING"] = encoding
    return subprocess.run([sys.executable, "-m", "rammecalc", *map(str, args)], check=False, cwd=cwd,
                          env=environment, stdout=stdout, stderr=stderr, timeout=120)


def expected_roll(cli) -> str:
    """What ``roll`` prints to a pipe (120 wide, as --output writes)."""
    result = rammecalc("roll", MOLDE, COLUMNS="120")
    assert result.returncode == 0
    return result.stdout.decode("utf-8")


@pytest.fixture
def wrong_figure(data_copy):
    """data/ with one wrong published figure: seed 000's new frame 2017 printed as 11 998 (truly 11 999)."""
    frame = data_copy / "frames" / "molde-2017-ressurstjenesten.yaml"
    text = frame.read_text(encoding="utf-8")
    frame.write_text(text.replace("publisert: {2016: 9864, 2017: 11999", "publisert: {2016: 9864, 2017: 11998"),
                     encoding="utf-8")
    return data_copy.parent


# ------------------------------------------------------------------------------------------ 1. --output


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_output_to_a_folder_is_bad_input_naming_it(cli, tmp_path):
    result = cli("roll", MOLDE, "--output", tmp_path)
    assert result.exit_code == 2
    assert f"rammecalc: --output {tmp_path} is a folder\n  hint: name a file in it" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_output_over_a_file_that_cannot_be_replaced_says_it_may_be_open(cli, tmp_path, monkeypatch):
    # As on Windows when Excel holds the file open: the rename over it is refused.
    target = tmp_path / "roll.txt"
    target.write_text("old\n", encoding="utf-8")

    def refuse(source, destination):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = cli("roll", MOLDE, "--output", target)
    assert result.exit_code == 2
    assert f"--output {target}: the file cannot be replaced (permission denied)" in result.stderr
    assert "hint: is the file open in another program, such as Excel?" in result.stderr
    assert target.read_text(encoding="utf-8") == "old\n" and no_temporary_files(tmp_path)


def test_output_into_a_read_only_folder_asks_for_another(cli, tmp_path, monkeypatch):
    # What the system answers for a folder one may not write in (the tests may run as root, who may).
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = cli("compare", "data", "-s", "tiltak-12-utsatt", "--output", tmp_path / "c.txt")
    assert result.exit_code == 2
    assert (f"--output {tmp_path / 'c.txt'}: cannot create a file in the folder {tmp_path} (permission denied)"
            in result.stderr)
    assert "hint: choose a folder you can write to" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_output_over_a_read_only_file_is_refused(cli, tmp_path, monkeypatch):
    target = tmp_path / "roll.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o444)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: real_access(path, mode) and not (
        Path(path) == target and mode & os.W_OK))  # as for anyone but root
    result = cli("roll", MOLDE, "--output", target)
    assert result.exit_code == 2 and f"--output {target}: the file is read-only" in result.stderr
    assert target.read_text(encoding="utf-8") == "old\n"


def test_output_keeps_an_existing_files_mode(cli, tmp_path):
    target = tmp_path / "roll.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    assert cli("roll", MOLDE, "--output", target).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == expected_roll(cli)
    assert no_temporary_files(tmp_path)


def test_output_gives_a_new_file_the_usual_mode(cli, tmp_path):
    target = tmp_path / "roll.json"
    assert cli("roll", MOLDE, "-f", "json", "--output", target).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert json.loads(target.read_text(encoding="utf-8"))["frames"][0]["frame"] == "molde-2017-ressurstjenesten"


def test_output_through_a_symlink_replaces_its_target_and_keeps_the_link(cli, tmp_path):
    target = tmp_path / "real" / "roll.txt"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert cli("roll", MOLDE, "--output", link).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8") == expected_roll(cli)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert no_temporary_files(tmp_path) and no_temporary_files(target.parent)


@pytest.fixture
def char_device(tmp_path) -> Path:
    """A character device to write to. Not /dev/null itself when the tests run as root: a rammecalc that
    renamed a file over it (as it once did) would replace the system's /dev/null. Root makes its own null
    device here instead; anyone else cannot replace /dev/null, so may use it."""
    if os.name != "posix":
        pytest.skip("no character devices here")
    if os.geteuid() != 0:
        return Path(os.devnull)
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        with open(device, "wb") as probe:  # a file system mounted nodev refuses to open it
            probe.write(b"")
    except OSError:
        pytest.skip("cannot make a character device here")
    return device


def test_output_to_a_character_device_writes_into_it(cli, char_device):
    before = os.stat(char_device)
    result = cli("roll", MOLDE, "--output", char_device)
    assert result.exit_code == 0, result.output
    after = os.stat(char_device)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino and after.st_rdev == before.st_rdev
    assert no_temporary_files(char_device.parent)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_output_to_a_fifo_streams_into_it(cli, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)  # never holds up pytest
    reader.start()
    result = cli("roll", MOLDE, "-f", "csv", "--output", fifo)
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received == [cli("roll", MOLDE, "-f", "csv").stdout.encode("utf-8")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_output_to_a_fifo_nobody_reads_gives_up(cli, tmp_path, monkeypatch):
    from rammecalc import output

    monkeypatch.setattr(output, "FIFO_WAIT", 0.2)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = cli("roll", MOLDE, "--output", fifo)
    assert result.exit_code == 2
    assert f"--output {fifo}: no program opened the FIFO for reading within 0.2 seconds" in result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_run_killed_before_the_rename_leaves_the_old_file_whole(tmp_path):
    # The process is killed (SIGKILL: nothing can clean up) once the new text is written to the temporary
    # file, just before it would be renamed over the target: the target is the old file, whole.
    target = tmp_path / "roll.txt"
    target.write_text("the old table\n", encoding="utf-8")
    code = textwrap.dedent(f"""
        import os, signal, sys
        os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
        sys.argv = ["rammecalc", "roll", {MOLDE!r}, "--output", {str(target)!r}]
        from rammecalc.cli import main
        main()
    """)
    killed = subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, capture_output=True, timeout=120)
    assert killed.returncode == -9
    assert target.read_text(encoding="utf-8") == "the old table\n"
    (left,) = [p for p in tmp_path.iterdir() if p != target]  # the temporary file, complete, not the target
    assert left.name.startswith(".roll.txt.") and left.read_text(encoding="utf-8").startswith("Molde kommune")


# ------------------------------------------------------------------------------------- 2. any encoding


def cells(line: str) -> list[str]:
    """The figures of a rendered row (in a stream's encoding, minus signs and spaces as written)."""
    import re

    return re.findall(r"[-−]?\d{1,3}(?: \d{3})*(?!\d)", line.split("  ", 1)[1]) if "  " in line else []


def row(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(label))


def test_roll_to_a_cp1252_stream_is_written_with_readable_figures():
    result = rammecalc("roll", MOLDE, encoding="cp1252")
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("cp1252")
    assert "Økonomiplan" in text and "Lønns- og prisvekst" in text  # cp1252 has æøå: written as they are
    assert "?" not in text
    # The minus sign (U+2212) is not in cp1252: written as '-', never '?'; the box line as '-'
    assert cells(row(text, "Egenfinansiering"))[-1] == "-127"
    assert cells(row(text, "Driftsinntekter")) == ["-6 452"]
    assert cells(row(text, "Ny driftsramme")) == ["9 864", "11 999", "11 999", "11 999", "11 999"]
    assert "-" * 40 in text and result.stderr == b""


def test_roll_to_an_ascii_stream_escapes_what_ascii_lacks():
    result = rammecalc("roll", MOLDE, encoding="ascii")
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("ascii")
    assert "\\xd8konomiplan" in text and "-127" in text and "?" not in text
    assert cells(row(text, "Ny driftsramme")) == ["9 864", "11 999", "11 999", "11 999", "11 999"]


def test_check_and_its_reports_to_a_cp1252_stream(wrong_figure):
    text = rammecalc("check", "data", cwd=wrong_figure, encoding="cp1252")
    assert text.returncode == 1
    out = text.stdout.decode("cp1252")
    assert (f"{MOLDE}:43:33: error: Ny driftsramme 2017: published 11 998, computed 11 999 (difference -1)\n"
            in out) and "?" not in out
    # JSON and JUnit XML are exact in any encoding: ASCII, with the format's own escapes
    report = rammecalc("check", "--report", "json", "data", cwd=wrong_figure, encoding="cp1252")
    assert report.returncode == 1
    problems = json.loads(report.stdout.decode("ascii"), parse_float=Decimal)["problems"]
    assert any(p["message"] == "Ny driftsramme 2017: published 11 998, computed 11 999 (difference −1)"
               for p in problems)
    junit = rammecalc("check", "--report", "junit", "data", cwd=wrong_figure, encoding="cp1252")
    assert junit.returncode == 1
    root = ET.fromstring(junit.stdout)  # the bytes, as a CI server reads the file
    failure = next(c for c in root.iter("testcase") if c.find("failure") is not None).find("failure")
    assert "(difference −1)" in failure.text
    github = rammecalc("check", "--report", "github", "data", cwd=wrong_figure, encoding="cp1252")
    assert github.returncode == 1
    assert "computed 11 999 (difference -1)" in github.stdout.decode("cp1252")


def test_machine_formats_in_ascii_read_back_exactly():
    from rammecalc.output import json_ascii, xml_ascii

    text = json.dumps({"a": "−127 Økonomiplan \U0001F600"}, ensure_ascii=False)
    assert json_ascii(text).isascii() and json.loads(json_ascii(text)) == json.loads(text)
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n<a b="ø">−127 \U0001F600</a>'
    root = ET.fromstring(xml_ascii(xml).encode("ascii"))
    assert (root.get("b"), root.text) == ("ø", "−127 \U0001F600")


def test_input_problems_to_a_cp1252_stream(tmp_path):
    (tmp_path / "t.yaml").write_text("type: tabell\nid: t\nkommune: Bø\n", encoding="utf-8")
    result = rammecalc("check", "t.yaml", cwd=tmp_path, encoding="cp1252")
    assert result.returncode == 2
    err = result.stderr.decode("cp1252")
    assert "t.yaml:1:1: error: missing key" in err and "internal error" not in err


def test_output_files_are_utf8_whatever_the_stream(tmp_path):
    target = tmp_path / "roll.txt"
    result = rammecalc("roll", MOLDE, "--output", target, encoding="ascii")
    assert result.returncode == 0 and result.stdout == b""
    text = target.read_text(encoding="utf-8")
    assert "−127" in text and "Økonomiplan" in text and "─" in text


# ------------------------------------------------------------------------------------ 3. a closed pipe


def into_closed_pipe(*args, cwd: Path = ROOT, stderr_too: bool = False) -> subprocess.CompletedProcess:
    """Run with standard output (and error) a pipe whose reader has already gone, as after ``| head -1``
    has read its line: every write fails, at once, every time."""
    read, write = os.pipe()
    os.close(read)
    try:
        return rammecalc(*args, cwd=cwd, stdout=write, stderr=write if stderr_too else subprocess.PIPE)
    finally:
        os.close(write)


def test_roll_into_a_closed_pipe_ends_fine():
    result = into_closed_pipe("roll", MOLDE)
    assert (result.returncode, result.stderr) == (0, b"")


def test_check_into_a_closed_pipe_keeps_its_exit_code(wrong_figure, tmp_path):
    assert (into_closed_pipe("check", "data").returncode, into_closed_pipe("check", "data").stderr) == (0, b"")
    failed = into_closed_pipe("check", "data", cwd=wrong_figure)
    assert (failed.returncode, failed.stderr) == (1, b"")
    assert into_closed_pipe("check", "--report", "junit", "data", cwd=wrong_figure).returncode == 1
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "t.yaml").write_text("type: tabell\n", encoding="utf-8")
    bad = into_closed_pipe("check", "bad", cwd=tmp_path)  # the problems go to standard error
    assert bad.returncode == 2 and b"t.yaml:1:1: error: missing key" in bad.stderr
    assert b"Traceback" not in bad.stderr and b"internal error" not in bad.stderr
    assert into_closed_pipe("check", "bad", cwd=tmp_path, stderr_too=True).returncode == 2
    assert into_closed_pipe("check", "--report", "json", "bad", cwd=tmp_path, stderr_too=True).returncode == 2


def test_help_and_a_usage_error_into_a_closed_pipe():
    # typer's own output (help, usage errors) goes through the same quiet streams: its code, not 1
    assert into_closed_pipe("roll", "--help").returncode == 0
    assert into_closed_pipe("roll", "--no-such-option", stderr_too=True).returncode == 2


def test_a_reader_that_stops_after_one_line(tmp_path):
    # `rammecalc check data | head -1`, for real: the rest of the output is dropped without a word.
    process = subprocess.Popen([sys.executable, "-m", "rammecalc", "check", "--report", "json", "data"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()
    assert first == b"{\n"
    assert process.wait(timeout=120) == 0 and process.stderr.read() == b""


# ------------------------------------------------------------------------------- 4. safe in every format


NASTY = "a\x1b[31mred\x00\r\x07\x85\u2028\u202eb\nnext"
SHOWN = "a\\x1b[31mred\\x00\\r\\x07\\x85\\u2028\\u202eb\\nnext"


def nasty_problem(severity="error", file="x\n::error::y.yaml"):
    from rammecalc.core.problems import Code, Problem, Severity

    return Problem(Code.TOTAL_MISMATCH, Severity(severity), file, 3, 4, f"{NASTY} ::error::injected",
                   hint="do\nthis")


def nasty_run():
    from rammecalc.report import CheckRun, TableResult

    problems = [nasty_problem(), nasty_problem("warning"), nasty_problem(file="\udcff.yaml")]
    return CheckRun(files=2, tables=[TableResult("t\x0c", ("x\n::error::y.yaml",), "tabell", 3)],
                    problems=problems)


def test_visible_shows_every_control_and_keeps_the_rest():
    from rammecalc.output import visible

    assert visible(NASTY) == SHOWN
    assert visible("Økonomiplan 2018: −127, 9\u00a0864 · «sitat» C:\\data\\x.yaml\t") == (
        "Økonomiplan 2018: −127, 9\u00a0864 · «sitat» C:\\data\\x.yaml\\t")
    assert visible(os.fsdecode(b"\xff.yaml")) == "\\xff.yaml"
    assert visible(visible(NASTY)) == visible(NASTY)


def test_a_text_report_line_is_one_line_starting_with_its_location():
    from rammecalc.render import problem_text

    text = problem_text(nasty_problem())
    first, hint = text.splitlines()
    assert first == f"x\\n::error::y.yaml:3:4: error: {SHOWN} ::error::injected"
    assert hint == "  hint: do\\nthis"
    # a file named like a workflow command does not start a line as one
    assert problem_text(nasty_problem(file="::error::x.yaml")).startswith("./::error::x.yaml:3:4: error: ")


def test_the_source_line_is_shown_visibly_with_the_caret_under_its_character():
    from rammecalc.core.problems import Code, Problem, Severity
    from rammecalc.render import problem_text

    problem = Problem(Code.INVALID, Severity.ERROR, "t.yaml", 1, 9, "bad")  # at the x
    source, caret = problem_text(problem, {"t.yaml": "a: \"\x1b\x1b\" x\n"}).splitlines()[1:]
    assert source == '    1 | a: "\\x1b\\x1b" x'
    assert caret == "      | " + " " * (len(source) - 9) + "^"


def test_junit_is_valid_xml_with_any_character():
    from rammecalc.report import as_junit

    root = ET.fromstring(as_junit(nasty_run()))
    case = root.find("testsuite/testcase")
    assert case.get("classname") == "x\\n::error::y.yaml" and case.get("name") == "tabell t\\x0c"
    assert case.find("failure").text == f"x\\n::error::y.yaml:3:4: error: {SHOWN} ::error::injected [total-mismatch]"
    other = root.findall("testsuite/testcase")[1]
    assert other.get("classname") == "\\xff.yaml"


def test_github_commands_cannot_be_injected():
    from rammecalc.report import as_github

    lines = as_github(nasty_run()).splitlines()
    assert len(lines) == 4 and lines[-1].startswith("checked 2 files")
    assert lines[0] == ("::error file=x%0A%3A%3Aerror%3A%3Ay.yaml,line=3,col=4,title=rammecalc total-mismatch::"
                        "a\\x1b[31mred\\x00%0D\\x07\\x85\\u2028\\u202eb%0Anext ::error::injected (hint: do%0Athis)")
    assert lines[1].startswith("::warning file=x%0A%3A%3Aerror%3A%3Ay.yaml,line=3,col=4,")
    assert lines[2].startswith("::error file=\\xff.yaml,line=3,col=4,")
    assert all("\x1b" not in line and "\r" not in line and "\x85" not in line for line in lines)


def test_json_report_keeps_the_exact_texts_and_a_file_name_that_is_not_utf8():
    from rammecalc.report import as_json

    text = as_json(nasty_run())
    assert "\x1b" not in text and "\u2028" not in text and "\x85" not in text
    text.encode("utf-8")  # strict: no lone surrogate in it
    problems = json.loads(text)["problems"]
    assert problems[0]["message"] == f"{NASTY} ::error::injected"
    assert os.fsencode(problems[2]["file"]) == b"\xff.yaml"


def nasty_budget():
    from rammecalc import load

    budget = load([SEED000_FRAME]).budgets[0]
    frame = budget.frame
    frame = frame.model_copy(update={
        "municipality": "Molde\x1b]0;owned\x07", "unit": "[/x] :smile: [bold]u",
        "start": frame.start.model_copy(update={"label": "Start\r\nsplit"}),
        "groups": (frame.groups[0].model_copy(update={"label": "L\u2028ønns"}), *frame.groups[1:]),
        "columns": {**frame.columns, 2016: "Revidert\x1b[2J 2016"}})
    return budget.model_copy(update={"frame": frame})


def test_rolled_table_shows_controls_and_markup_as_written():
    import io

    from rich.console import Console

    from rammecalc import roll
    from rammecalc.render import rich_table, tables_csv, tables_markdown

    table = roll(nasty_budget())
    console = Console(width=120, color_system=None, file=io.StringIO())
    with console.capture() as captured:
        console.print(rich_table(table))
    text = captured.get()
    assert not any(c in text for c in "\x1b\x07\r\u2028")
    assert "Molde\\x1b]0;owned\\x07 · [/x] :smile: [bold]u" in text
    assert "Start\\r\\nsplit" in text and "L\\u2028ønns" in text and "Revidert\\x1b[2J" in text
    csv_text = tables_csv([table])
    assert len(csv_text.splitlines()) == 1 + len(table.rows) * len(table.years)  # one record, one line
    assert "Start\\r\\nsplit" in csv_text and "\x1b" not in csv_text
    markdown = tables_markdown([table])
    assert "Molde\\x1b]0;owned\\x07" in markdown and "\x1b" not in markdown and "\r" not in markdown


def test_roll_through_the_cli_with_a_label_holding_markup(cli, tmp_path):
    (tmp_path / "t.yaml").write_text(textwrap.dedent("""\
        type: tabell
        id: t
        kommune: "[/x] K"
        enhet: ":smile: E"
        kilde: {dokument: "[red]D"}
        beløpsenhet: kr
        kolonner: [{id: a, etikett: "[b]A"}]
        rader:
          - {etikett: "[/]R", beløp: {a: 1}}
        """), encoding="utf-8")
    result = cli("roll", "t.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "[/x] K · :smile: E"
    assert "[/]R" in result.stdout and "[b]A" in result.stdout and "[red]D" in result.stdout


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="file names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_in_every_report(tmp_path):
    name = os.fsdecode(b"\xff.yaml")
    (tmp_path / name).write_text("type: tabell\nid: t\nkommune: K\nenhet: E\nkilde: {dokument: D}\n"
                                 "beløpsenhet: kr\nkolonner: [{id: a, etikett: A}]\nrader:\n"
                                 "  - {etikett: R, beløp: {a: 1}}\n  - {etikett: Sum, sum: alle, beløp: {a: 2}}\n",
                                 encoding="utf-8")
    text = rammecalc("check", ".", cwd=tmp_path, encoding="utf-8")
    assert text.returncode == 1, text.stderr
    # the printed 2 of the Sum row: line 10, column 42
    assert text.stdout.decode("utf-8").startswith("\\xff.yaml:10:42: error: Sum, A: published 2, computed 1")
    report = rammecalc("check", "--report", "json", ".", cwd=tmp_path, encoding="utf-8")
    assert report.returncode == 1
    (problem,) = json.loads(report.stdout.decode("utf-8"))["problems"]
    assert os.fsencode(problem["file"]) == b"\xff.yaml" and (tmp_path / problem["file"]).is_file()
    junit = rammecalc("check", "--report", "junit", ".", cwd=tmp_path)
    assert ET.fromstring(junit.stdout).find("testsuite/testcase").get("classname") == "\\xff.yaml"
    github = rammecalc("check", "--report", "github", ".", cwd=tmp_path)
    assert github.stdout.decode("utf-8").startswith("::error file=\\xff.yaml,line=10,col=42,")
    rolled = rammecalc("roll", ".", "-f", "json", cwd=tmp_path)
    assert rolled.returncode == 0
    assert os.fsencode(json.loads(rolled.stdout)["tables"][0]["file"]) == b"\xff.yaml"
    broken = tmp_path / os.fsdecode(b"b\xfe.yaml")
    broken.write_text("type: tabell\n", encoding="utf-8")
    bad = rammecalc("check", ".", cwd=tmp_path)
    assert bad.returncode == 2 and b"b\\xfe.yaml:1:1: error: missing key" in bad.stderr


# ------------------------------------------------------------------------------------------- 5. messages


def test_roll_says_differs_for_one_figure_and_differ_for_more(cli, wrong_figure):
    one = cli("roll", MOLDE, cwd=wrong_figure)
    assert one.exit_code == 0
    assert (f"rammecalc: 1 published figure in {MOLDE} differs from the arithmetic; see 'rammecalc check {MOLDE}'"
            in one.stderr)
    frame = wrong_figure / MOLDE
    frame.write_text(frame.read_text(encoding="utf-8").replace("2016: 9864, 2017: 11998", "2016: 9865, 2017: 11998"),
                     encoding="utf-8")
    two = cli("roll", MOLDE, cwd=wrong_figure)
    assert f"rammecalc: 2 published figures in {MOLDE} differ from the arithmetic" in two.stderr


def test_error_lines_say_error_as_warning_lines_say_warning(cli, wrong_figure):
    result = cli("check", "data", cwd=wrong_figure)
    problems = [ln for ln in result.stdout.splitlines() if ln.startswith("data/")]
    assert len(problems) == 23  # 2 errors, and the 21 warnings of data/ (see test_check_data_passes)
    assert all(": error: " in ln or ": warning: " in ln for ln in problems)
    assert sum(": error: " in ln for ln in problems) == 2


# ---------------------------------------------------------------------------- 6. no table: still a report


def no_tables(tmp_path: Path) -> Path:
    """A folder with a YAML file that is no rammecalc file (skipped with a warning), and so no table."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "mkdocs.yml").write_text("site_name: Budsjett\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("report", ["json", "junit", "github"])
def test_a_machine_report_says_when_the_paths_hold_no_table(cli, tmp_path, report):
    result = cli("check", "--report", report, "docs", cwd=no_tables(tmp_path))
    assert result.exit_code == 2
    if report == "json":
        data = json.loads(result.stdout)
        assert (data["errors"], data["warnings"], data["tables"]) == (1, 1, 0)
        assert [(p["file"], p["line"], p["code"], p["message"]) for p in data["problems"]] == [
            ("docs", 1, "input-not-found", "no frame, table or links file here"),
            ("docs/mkdocs.yml", 1, "skipped-not-rammecalc", "no 'type' key: not a rammecalc file; skipped")]
    elif report == "junit":
        case = ET.fromstring(result.stdout).find("testsuite/testcase")
        assert case.get("name") == "file docs" and case.find("error").get("type") == "input-not-found"
    else:
        assert result.stdout.splitlines()[0] == (
            "::error file=docs,title=rammecalc input-not-found::no frame, table or links file here (hint: a frame "
            "file has 'type: ramme' (changes files are read through the frame that lists them), a table 'type: "
            "tabell', a links file 'type: koblinger')")
        assert result.stdout.splitlines()[-1] == "checked 1 file, 0 tables, 0 published figures: 1 error, 1 warning"


def test_the_text_report_still_says_so_on_standard_error(cli, tmp_path):
    result = cli("check", "docs", cwd=no_tables(tmp_path))
    assert result.exit_code == 2 and result.stdout == ""
    assert "rammecalc: no frame, table or links file among the paths given" in result.stderr


# ------------------------------------------------------------------------------------------- 7. one order


def test_reports_come_out_in_one_order_with_a_cold_or_warm_cache(cli, wrong_figure, tmp_path):
    for report in ("junit", "json", "github", "text"):
        cache = tmp_path / f"cache-{report}"
        cold = cli("check", "--cache-dir", cache, "--report", report, "data", cwd=wrong_figure)
        warm = cli("check", "--cache-dir", cache, "--report", report, "data", cwd=wrong_figure)
        assert cold.exit_code == warm.exit_code == 1
        assert cold.stdout == warm.stdout, report
    cases = ET.fromstring(cold_junit := cli("check", "--no-cache", "--report", "junit", "data",
                                            cwd=wrong_figure).stdout).findall("testsuite/testcase")
    keys = [(c.get("classname"), c.get("name").split(" ", 1)[1]) for c in cases]
    assert keys == sorted(keys) and len(keys) == 20, cold_junit  # 7 frames, 12 tables, the links file


# ---------------------------------------------------------------------------------- 8. deep and large


def deep_table(depth: int) -> str:
    """A table whose rows R0 … R{depth} are indented one level more each (``nivå``), and a total row."""
    lines = ["type: tabell", "id: d", "kommune: K", "enhet: E", "kilde: {dokument: D}", "beløpsenhet: kr",
             "kolonner: [{id: a, etikett: A}]", "rader:"]
    lines += [f"  - {{etikett: R{i}, nivå: {i}, beløp: {{a: 1}}}}" for i in range(depth + 1)]
    lines.append(f"  - {{etikett: Sum, sum: alle, beløp: {{a: {depth + 1}}}}}")
    return "\n".join(lines) + "\n"


def test_roll_of_rows_indented_as_deep_as_allowed(cli, tmp_path):
    # nivå 20 is the most a row may be indented (deeper is refused at its cell: see test_trust_numbers).
    (tmp_path / "d.yaml").write_text(deep_table(20), encoding="utf-8")
    result = cli("roll", "d.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[3].startswith("R0 ") and lines[4].startswith("  R1 ")
    assert lines[3 + 19].startswith(" " * 38 + "R19 ") and lines[3 + 19].endswith(" 1")
    assert lines[3 + 20].startswith(" " * 40 + "R20 ") and lines[3 + 20].endswith(" 1")
    # the total row (1 × 21) follows, unindented
    assert lines[3 + 22].startswith("Sum ") and lines[3 + 22].endswith(" 21")
    checked = cli("check", "--no-cache", "--report", "json", "d.yaml", cwd=tmp_path)
    assert checked.exit_code == 0 and json.loads(checked.stdout)["figures"] == 1


def test_roll_indents_a_heading_by_its_level(cli, tmp_path):
    (tmp_path / "h.yaml").write_text(textwrap.dedent("""\
        type: tabell
        id: h
        kommune: K
        kilde: {dokument: D}
        beløpsenhet: kr
        kolonner: [{id: a, etikett: A}]
        rader:
          - {overskrift: G0}
          - {overskrift: G1, nivå: 1}
          - {etikett: R, nivå: 2, beløp: {a: 1}}
        """), encoding="utf-8")
    result = cli("roll", "h.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[3].rstrip() == "G0" and lines[5].startswith("    R ")
    assert lines[4].rstrip() == "  G1"


def test_every_one_of_many_problems_in_a_file_is_reported_once(cli, tmp_path):
    rows = "".join(f"  - {{etikett: R{i}, beløp: {{b: 1}}}}\n" for i in range(300))
    (tmp_path / "m.yaml").write_text("type: tabell\nid: m\nkommune: K\nenhet: E\nkilde: {dokument: D}\n"
                                     "beløpsenhet: kr\nkolonner: [{id: a, etikett: A}]\nrader:\n" + rows,
                                     encoding="utf-8")
    result = cli("check", "--report", "json", "m.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["problems"]
    assert [p["line"] for p in problems] == list(range(9, 309))
    assert {p["code"] for p in problems} == {"input-unknown-column"}
