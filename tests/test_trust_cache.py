"""The check's cache can never change an answer: not when a file changes while it is read, not when an entry
is damaged, moved or forged, not in the order of a report. And a killed check leaves no process behind.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .test_bad_input import CHANGES, FRAME, write

RIGHT = CHANGES
WRONG = CHANGES.replace("beløp: {2025: -3}", "beløp: {2025: -4}")  # with a printed subtotal, a misprint
FRAME_PRINTED = FRAME.replace("    etikett: Endringer\n", "    etikett: Endringer\n    publisert: {2024: 10, 2025: 2}\n")


def report(cli, root: Path, *args: str) -> tuple[int, str]:
    result = cli("check", "--report", "json", *args, "data", cwd=root)
    return result.exit_code, result.stdout


def cached(cli, root: Path, cache: Path) -> tuple[int, str]:
    return report(cli, root, "--cache-dir", str(cache))


def uncached(cli, root: Path) -> tuple[int, str]:
    return report(cli, root, "--no-cache")


def setup(tmp_path: Path, changes: str = RIGHT) -> Path:
    write(tmp_path, frame=FRAME_PRINTED, changes=changes)
    return tmp_path


def test_the_tables_are_right_and_wrong_as_meant(cli, tmp_path):
    setup(tmp_path)
    assert uncached(cli, tmp_path)[0] == 0
    setup(tmp_path, WRONG)
    code, out = uncached(cli, tmp_path)
    assert code == 1 and '"published": 2,' in out and '"computed": 1,' in out


# ------------------------------------------------------------------------------ a file changed while read


def test_a_file_changed_between_read_and_parse_cannot_poison_the_cache(cli, tmp_path, monkeypatch):
    """The hook changes the changes file right after the loader has read its bytes: that run checks the
    bytes it read; what it keeps can only be found by those bytes."""
    from rammecalc.loading import parallel

    root = setup(tmp_path)
    cache = tmp_path / "cache"
    changes = root / "data/changes/c.yaml"
    read_file = parallel.read_file

    def read_then_change(path, name):
        raw = read_file(path, name)
        if Path(path).name == "c.yaml":
            changes.write_text(WRONG, encoding="utf-8")
        return raw

    monkeypatch.setattr(parallel, "read_file", read_then_change)
    assert cached(cli, root, cache)[0] == 0  # it read the right table
    monkeypatch.undo()
    assert changes.read_text(encoding="utf-8") == WRONG
    assert cached(cli, root, cache) == uncached(cli, root)[:2]
    assert cached(cli, root, cache)[0] == 1
    changes.write_text(RIGHT, encoding="utf-8")
    assert cached(cli, root, cache) == uncached(cli, root) and cached(cli, root, cache)[0] == 0


def test_a_real_race_leaves_the_cache_truthful(tmp_path):
    """A file swapped between a right and a misprinted version every few milliseconds while checks run;
    afterwards, with either version in place, the cached check answers as the uncached one."""
    root = setup(tmp_path)
    cache = tmp_path / "cache"
    changes = root / "data/changes/c.yaml"
    stop = threading.Event()

    def swap() -> None:
        versions = [RIGHT.encode(), WRONG.encode()]
        i = 0
        while not stop.is_set():
            temporary = changes.with_suffix(".tmp")
            temporary.write_bytes(versions[i % 2])
            os.replace(temporary, changes)
            i += 1
            time.sleep(random.uniform(0.0005, 0.003))

    def check(*args: str) -> tuple[int, str]:
        result = subprocess.run([sys.executable, "-m", "rammecalc", "check", "--report", "json", *args, "data"],
                                cwd=root, capture_output=True, text=True, timeout=120)
        return result.returncode, result.stdout

    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        for _ in range(25):
            assert check("--cache-dir", str(cache))[0] in (0, 1, 2)
    finally:
        stop.set()
        swapper.join()
    for version in (RIGHT, WRONG, RIGHT):
        changes.write_text(version, encoding="utf-8")
        assert check("--cache-dir", str(cache)) == check("--no-cache")


# ---------------------------------------------------------------------------------------- damaged entries


def _entries(cache: Path) -> tuple[Path, list[Path]]:
    (folder,) = list(cache.iterdir())
    return folder, sorted((folder / "docs").rglob("*.json"))


def _warm(cli, root: Path, cache: Path) -> tuple[int, str]:
    first = cached(cli, root, cache)
    assert first == uncached(cli, root)
    return first


@pytest.mark.parametrize("seed", range(6))
def test_a_flipped_bit_anywhere_in_an_entry_changes_nothing(cli, tmp_path, seed):
    root = setup(tmp_path, WRONG)
    cache = tmp_path / "cache"
    good = _warm(cli, root, cache)
    folder, docs = _entries(cache)
    rng = random.Random(seed)
    shards = [*sorted((folder / "index").glob("*.json")), *sorted((folder / "results").glob("*.json"))]
    assert shards
    for path in [*docs, *shards, *sorted((folder / "runs").glob("*"))]:
        data = bytearray(path.read_bytes())
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
    assert cached(cli, root, cache) == good
    assert cached(cli, root, cache) == good  # and again, from what was written anew


def test_a_changed_digit_in_a_document_entry_is_not_trusted(cli, tmp_path):
    """The entry of the changes file says -3 where the file says -4: it does not prove it belongs to the
    file's bytes, so the file is read instead."""
    root = setup(tmp_path, WRONG)
    cache = tmp_path / "cache"
    good = _warm(cli, root, cache)
    folder, docs = _entries(cache)
    (entry,) = [d for d in docs if b'"-4"' in d.read_bytes()]
    entry.write_bytes(entry.read_bytes().replace(b'"-4"', b'"-3"'))
    shutil.rmtree(folder / "results")
    shutil.rmtree(folder / "runs")  # (the run's index too: else it vouches for the frames)  # so that the frame is checked from its documents
    assert cached(cli, root, cache) == good


def test_another_files_entry_under_a_files_key_is_not_accepted(cli, tmp_path):
    root = setup(tmp_path, WRONG)
    cache = tmp_path / "cache"
    good = _warm(cli, root, cache)
    folder, docs = _entries(cache)
    frame_entry, changes_entry = sorted(docs, key=lambda d: b'"endringer"' in d.read_bytes())
    changes_entry.write_bytes(frame_entry.read_bytes())
    shutil.rmtree(folder / "results")
    shutil.rmtree(folder / "runs")  # (the run's index too: else it vouches for the frames)
    assert cached(cli, root, cache) == good


def test_swapped_results_do_not_make_a_frame_vanish(cli, tmp_path):
    """Two frames' results swapped in the cache's results: each entry then sits under the other's key."""
    root = setup(tmp_path, WRONG)
    (root / "data/frames/g.yaml").write_text(FRAME_PRINTED.replace("id: f", "id: g").replace(
        "../changes/c.yaml", "../changes/d.yaml"), encoding="utf-8")
    (root / "data/changes/d.yaml").write_text(RIGHT.replace("ramme: f", "ramme: g"), encoding="utf-8")
    cache = tmp_path / "cache"
    good = _warm(cli, root, cache)
    folder, _ = _entries(cache)
    # (each result sits in the shard of its key's first two hex digits: the two entries change places
    # whether they share a shard or not)
    shards = {path: json.loads(path.read_text(encoding="utf-8")) for path in (folder / "results").glob("*.json")}
    (a, first), (b, second) = [(path, key) for path, table in shards.items() for key in table["entries"]]
    shards[a]["entries"][first], shards[b]["entries"][second] = shards[b]["entries"][second], shards[a]["entries"][first]
    for path, table in shards.items():
        path.write_text(json.dumps(table), encoding="utf-8")
    shutil.rmtree(folder / "runs")  # (the run's index too: else it vouches for the frames)
    assert cached(cli, root, cache) == good
    assert '"tables": 2' in good[1]


def test_an_empty_data_entry_is_rewritten_not_fatal(cli, tmp_path):
    root = setup(tmp_path, WRONG)
    cache = tmp_path / "cache"
    good = _warm(cli, root, cache)
    folder, docs = _entries(cache)
    version = folder.name[1:]
    for path in docs:
        path.write_text(json.dumps({"version": version, "kind": "ramme", "data": {}}), encoding="utf-8")
    shutil.rmtree(folder / "results")
    shutil.rmtree(folder / "runs")  # (the run's index too: else it vouches for the frames)
    assert cached(cli, root, cache) == good
    assert all(b'"data": {}' not in path.read_bytes() for path in docs)  # written anew
    assert cached(cli, root, cache) == good


def test_a_cached_frame_counts_its_files_as_an_uncached_one(cli, tmp_path):
    """A parameter file listed by two frames, one of them cached: each file counts once."""
    root = setup(tmp_path)
    (root / "data/parameters").mkdir()
    (root / "data/parameters/p.yaml").write_text(
        "type: parametere\nkilde: {dokument: D}\nparametere:\n  - {navn: deflator, etikett: D, verdier: {2024: 4}}\n",
        encoding="utf-8")
    for frame, changes, frame_id in (("f.yaml", "c.yaml", "f"), ("g.yaml", "d.yaml", "g")):
        text = FRAME_PRINTED.replace("id: f", f"id: {frame_id}").replace("../changes/c.yaml", f"../changes/{changes}")
        (root / "data/frames" / frame).write_text(text + "parametere: [../parameters/p.yaml]\n", encoding="utf-8")
        (root / "data/changes" / changes).write_text(RIGHT.replace("ramme: f", f"ramme: {frame_id}"),
                                                     encoding="utf-8")
    cache = tmp_path / "cache"
    assert _warm(cli, root, cache)[0] == 0
    (root / "data/changes/d.yaml").write_text(RIGHT.replace("ramme: f", "ramme: g").replace("-3}", "-3}  # ny"),
                                              encoding="utf-8")
    code, out = cached(cli, root, cache)
    assert (code, out) == uncached(cli, root)
    assert '"files": 5,' in out


def test_the_order_of_a_report_does_not_depend_on_the_cache(cli, tmp_path):
    root = setup(tmp_path, WRONG)
    (root / "data/frames/a.yaml").write_text(FRAME_PRINTED.replace("id: f", "id: a").replace(
        "../changes/c.yaml", "../changes/a.yaml"), encoding="utf-8")
    (root / "data/changes/a.yaml").write_text(WRONG.replace("ramme: f", "ramme: a"), encoding="utf-8")
    cache = tmp_path / "cache"
    for report_kind in ("junit", "text", "github", "json"):
        runs = [cli("check", "--report", report_kind, *args, "data", cwd=root)
                for args in (("--no-cache",), ("--cache-dir", str(cache)), ("--cache-dir", str(cache)))]
        assert len({(r.exit_code, r.stdout) for r in runs}) == 1, report_kind
    # a cached frame (a) and a frame read again because its file changed (f) keep the uncached order
    (root / "data/changes/c.yaml").write_text(WRONG + "# endret\n", encoding="utf-8")
    runs = [cli("check", "--report", "junit", *args, "data", cwd=root)
            for args in (("--no-cache",), ("--cache-dir", str(cache)))]
    assert runs[0].stdout == runs[1].stdout


# ------------------------------------------------------------------------------------------------ orphans


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the workers")
def test_a_killed_check_leaves_no_worker_behind(tmp_path):
    from rammecalc.loading import PARALLEL_FROM

    for i in range(PARALLEL_FROM // 2 + 10):  # enough files for the parallel path
        write(tmp_path / f"m{i}")
    process = subprocess.Popen([sys.executable, "-m", "rammecalc", "check", "--no-cache", "."], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def group() -> list[int]:
        members = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) == process.pid and fields[0] != "Z":  # the process group, not a zombie
                    members.append(int(entry.name))
        return members

    deadline = time.monotonic() + 60
    while len(group()) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    if process.poll() is not None:
        pytest.skip("the check ended before its workers could be seen")
    assert len(group()) >= 2  # the check and its workers
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while group() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group() == []
