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
from pathlib import Path

import pytest

from .conftest import ROOT

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
    assert json.loads(target.read_text(encoding="utf-8"))["tables"][0]["frame"] == "molde-2017-ressurstjenesten"


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
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
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
