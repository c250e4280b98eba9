"""The run's index (``cache.RunIndex``): a warm check takes a file's hash from its stat only where a change
can never be missed, and otherwise reads the file; every warm report equals the uncached one."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from rammecalc.cache import SETTLED_NS, RunIndex

MOLDE = "data/frames/molde-2017-ressurstjenesten.yaml"
DIGEST = "ab" * 32


def check(cli, root: Path, cache: Path | None) -> tuple[int, str]:
    result = cli("check", *(["--cache-dir", str(cache)] if cache else ["--no-cache"]), "data", cwd=root)
    return result.exit_code, result.stdout


@pytest.fixture
def settled_at_once(monkeypatch):
    """Entries settle as soon as the clock has passed the file's last change (the real rule waits 3 s, and no
    program can set a ctime back to make a file look old)."""
    import rammecalc.cache

    monkeypatch.setattr(rammecalc.cache, "SETTLED_NS", 0)

    def settle() -> None:
        time.sleep(0.05)  # past the file system's clock tick

    return settle


def test_a_file_changed_within_the_same_second_to_the_same_size_is_found(cli, data_copy, tmp_path):
    root, cache = data_copy.parent, tmp_path / "cache"
    frame = root / MOLDE
    first = check(cli, root, cache)
    assert first == check(cli, root, None) and first[0] == 0
    before = os.stat(frame)
    text = frame.read_text(encoding="utf-8")
    changed = text.replace("2017: 11999, 2018", "2017: 11998, 2018")
    assert len(changed) == len(text) and changed != text
    frame.write_text(changed, encoding="utf-8")
    os.utime(frame, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same mtime, to the nanosecond
    after = os.stat(frame)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    code, out = check(cli, root, cache)
    assert (code, out) == check(cli, root, None)
    assert code == 1 and f"{MOLDE}:43:33: error: Ny driftsramme 2017: published 11 998" in out


def test_settled_files_are_not_read_again_and_a_changed_one_is(cli, data_copy, tmp_path, monkeypatch,
                                                               settled_at_once):
    root, cache = data_copy.parent, tmp_path / "cache"
    settled_at_once()
    assert check(cli, root, cache)[0] == 0
    from rammecalc import checking

    read: list[str] = []
    real = checking.read_file

    def counted(path, name):
        read.append(name)
        return real(path, name)

    monkeypatch.setattr(checking, "read_file", counted)
    assert check(cli, root, cache)[0] == 0
    assert read == []  # nothing changed: every hash from the index
    frame = root / MOLDE
    frame.write_text(frame.read_text(encoding="utf-8").replace("2017: 11999, 2018", "2017: 11998, 2018"),
                     encoding="utf-8")
    settled_at_once()
    code, out = check(cli, root, cache)
    assert read == [MOLDE]  # the one file whose stat changed
    assert (code, out) == check(cli, root, None) and code == 1


def test_files_added_removed_and_renamed_give_the_uncached_report(cli, data_copy, tmp_path, settled_at_once):
    root, cache = data_copy.parent, tmp_path / "cache"
    settled_at_once()
    check(cli, root, cache)
    check(cli, root, cache)
    shutil.copy(root / MOLDE, data_copy / "frames" / "kopi.yaml")  # a second frame with the same id
    assert check(cli, root, cache) == check(cli, root, None)
    os.remove(data_copy / "frames" / "kopi.yaml")
    os.rename(data_copy / "changes" / "stavanger-2015-barnevern.yaml", data_copy / "changes" / "flyttet.yaml")
    code, out = check(cli, root, cache)
    assert (code, out) == check(cli, root, None) and code == 2
    os.rename(data_copy / "changes" / "flyttet.yaml", data_copy / "changes" / "stavanger-2015-barnevern.yaml")
    assert check(cli, root, cache) == check(cli, root, None) == (0, check(cli, root, None)[1])


# ------------------------------------------------------------------------------------------ the rule itself


class Stat:
    """A stat result with only the fields the index reads."""

    def __init__(self, size=100, mtime=0, ctime=0, ino=7, dev=3):
        self.st_size, self.st_mtime_ns, self.st_ctime_ns, self.st_ino, self.st_dev = size, mtime, ctime, ino, dev


@pytest.fixture
def index(tmp_path) -> RunIndex:
    return RunIndex(tmp_path, "1", "key")


def test_an_entry_written_within_the_settling_time_is_never_used(index):
    clock = 1_700_000_000 * 10**9
    info = Stat(mtime=clock - SETTLED_NS + 1, ctime=clock - 5)  # changed a moment before the stat
    index.files["f"] = index.entry(info, DIGEST, clock)
    assert index.files["f"][6] is False
    assert index.digest("f", info) is None  # the same size, mtime and ctime: read it all the same


def test_a_settled_entry_is_used_only_while_every_field_is_the_same(index):
    clock = 1_700_000_000 * 10**9
    old = clock - 2 * SETTLED_NS
    info = Stat(mtime=old, ctime=old)
    index.files["f"] = index.entry(info, DIGEST, clock)
    assert index.digest("f", info) == DIGEST
    for field, value in (("size", 101), ("mtime", old + 1), ("ctime", old + 1), ("ino", 8), ("dev", 4)):
        other = Stat(**{"size": 100, "mtime": old, "ctime": old, "ino": 7, "dev": 3, field: value})
        assert index.digest("f", other) is None, field
    assert index.digest("g", info) is None  # another name


def test_a_settled_mtime_with_a_fresh_ctime_is_not_settled(index):
    """``touch -r`` or ``cp -p`` put an old mtime back; the ctime says when the file really changed."""
    clock = 1_700_000_000 * 10**9
    info = Stat(mtime=clock - 100 * SETTLED_NS, ctime=clock - 1)
    assert index.entry(info, DIGEST, clock)[6] is False


def test_the_index_is_trusted_only_as_written(tmp_path):
    clock = time.time_ns()
    info = Stat(mtime=clock - 2 * SETTLED_NS, ctime=clock - 2 * SETTLED_NS)
    index = RunIndex(tmp_path, "1", "key")
    index.save({"f": index.entry(info, DIGEST, clock)}, {})
    assert RunIndex(tmp_path, "1", "key").digest("f", info) == DIGEST
    assert RunIndex(tmp_path, "2", "key").files == {}  # another version
    assert RunIndex(tmp_path, "1", "other").files == {}  # another run
    raw = index.path.read_bytes()
    index.path.write_bytes(raw.replace(b'"ab', b'"ac', 1))  # a changed digit under the same seal
    assert RunIndex(tmp_path, "1", "key").files == {}
    index.path.write_bytes(raw.replace(b"true", b"1", 1))  # the wrong shape
    assert RunIndex(tmp_path, "1", "key").files == {}


def test_a_few_changes_are_a_delta_sealed_to_the_index_they_change(tmp_path):
    """A re-check after one changed file writes what changed, not the whole index; the delta applies only to
    the index it was written for, and one that does not prove itself leaves the (older, as true) index."""
    clock = time.time_ns()
    old = clock - 2 * SETTLED_NS
    files = {f"f{i}": RunIndex.entry(Stat(mtime=old, ctime=old, ino=i), DIGEST, clock) for i in range(200)}
    index = RunIndex(tmp_path, "1", "key")
    index.save(files, {})
    whole = index.path.read_bytes()
    changed = dict(files)
    changed["f3"] = RunIndex.entry(Stat(size=5, mtime=old, ctime=old, ino=3), "cd" * 32, clock)
    del changed["f4"]
    again = RunIndex(tmp_path, "1", "key")
    again.save(changed, {})
    assert index.path.read_bytes() == whole and index.delta_path.exists()  # the whole index as it was
    assert len(index.delta_path.read_bytes()) < len(whole) // 20
    read = RunIndex(tmp_path, "1", "key")
    assert read.files == changed
    assert read.digest("f3", Stat(size=5, mtime=old, ctime=old, ino=3)) == "cd" * 32
    assert read.digest("f3", Stat(mtime=old, ctime=old, ino=3)) is None
    # a changed digit in the delta, or a delta sealed to another index: the index alone, as it was written
    delta = index.delta_path.read_bytes()
    index.delta_path.write_bytes(delta.replace(b'"cdcd', b'"cdce', 1))
    assert RunIndex(tmp_path, "1", "key").files == files
    index.delta_path.write_bytes(delta)
    RunIndex(tmp_path, "1", "key").save(files, {})  # the first state again: a delta of no change
    assert RunIndex(tmp_path, "1", "key").files == files
    # many changes: the whole index anew, and no delta
    many = {name: RunIndex.entry(Stat(mtime=old, ctime=old, ino=99), "ef" * 32, clock) for name in files}
    RunIndex(tmp_path, "1", "key").save(many, {})
    assert not index.delta_path.exists() and index.path.read_bytes() != whole
    assert RunIndex(tmp_path, "1", "key").files == many
    index.delta_path.write_bytes(delta)  # the old delta, sealed to the old index: not applied
    assert RunIndex(tmp_path, "1", "key").files == many


def test_no_delta_is_left_without_its_index(tmp_path):
    """Another process may prune a run's index while the run goes on: its delta is not left behind, and a delta
    whose index is gone (a crash between the two removals) is removed once it is old."""
    from rammecalc.cache import IN_USE_SECONDS, _prune_runs

    clock = time.time_ns()
    old = clock - 2 * SETTLED_NS
    files = {f"f{i}": RunIndex.entry(Stat(mtime=old, ctime=old, ino=i), DIGEST, clock) for i in range(200)}
    RunIndex(tmp_path, "1", "key").save(files, {})
    running = RunIndex(tmp_path, "1", "key")
    running.path.unlink()  # pruned meanwhile
    changed = dict(files)
    changed["f3"] = RunIndex.entry(Stat(size=5, mtime=old, ctime=old, ino=3), "cd" * 32, clock)
    running.save(changed, {})
    assert not running.delta_path.exists()
    orphan = tmp_path / "runs" / "other.delta"
    orphan.write_text("x")
    _prune_runs(orphan.parent)
    assert orphan.exists()  # it may be in use
    _prune_runs(orphan.parent, now=time.time() + IN_USE_SECONDS + 1)
    assert not orphan.exists()


# ------------------------------------------------------------------------------------------ display names


@pytest.mark.parametrize("where", ["inside", "root"])
def test_display_names_are_display_name_of_each(tmp_path, monkeypatch, where):
    """Worked out once per folder, they are what ``display_name`` gives each path, however it is written."""
    from rammecalc.loading.files import display_name, display_names

    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" if where == "inside" else "/")
    paths = ["x.yaml", "./x.yaml", "b/y.yaml", "b//y.yaml", "b/./y.yaml", "b/../x.yaml", "../x.yaml",
             str(tmp_path / "a" / "b" / "y.yaml"), str(tmp_path / "z.yaml"), "/x.yaml", "//x.yaml", ".", "b/",
             "/", "..foo/x.yaml", str(tmp_path / "a" / ".." / "x.yaml")]
    assert display_names(paths) == [display_name(p) for p in paths]
    assert display_names([Path(p) for p in paths]) == [display_name(Path(p)) for p in paths]
