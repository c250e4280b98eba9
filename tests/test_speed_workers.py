"""Frames checked in worker processes give the same report, byte for byte, as frames checked in one process.

Every case runs ``check`` three ways on the same files: in one process (``RAMMECALC_JOBS=1``), with the
frames shared out among two worker processes (the threshold for the parallel path lowered to one file), and
with a cache (cold, then warm); the exit code and every byte of the output must agree. The cases are the
bundled data (frames, scenarios that apply to frames, tables that take figures from frames, links) and the
ways a frame checked on its own could give another answer than all files read together.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rammecalc.loading import parallel

MOLDE_FRAME = "data/frames/molde-2017-ressurstjenesten.yaml"
MOLDE_CHANGES = "data/changes/molde-2017-ressurstjenesten.yaml"


@pytest.fixture
def everywhere(cli, monkeypatch, tmp_path):
    """``check`` in one process, in workers, and through a cache twice: the (exit code, output) of each."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    from rammecalc import checking

    real = checking.frames_in_workers

    def counted(*args, **kwargs):
        known, preread = real(*args, **kwargs)
        checked_in_workers.append(len(known))
        return known, preread

    monkeypatch.setattr(checking, "frames_in_workers", counted)

    def run(root: Path, *args: str) -> dict[str, tuple[int, str, str]]:
        cache = tmp_path / f"cache-{len(list(tmp_path.iterdir()))}"
        results = {}
        for label, jobs, extra in (("one process", "1", ["--no-cache"]), ("workers", "2", ["--no-cache"]),
                                   ("cache, cold", "2", ["--cache-dir", str(cache)]),
                                   ("cache, warm", "2", ["--cache-dir", str(cache)])):
            monkeypatch.setenv("RAMMECALC_JOBS", jobs)
            result = cli("check", *extra, *args, cwd=root)
            results[label] = (result.exit_code, result.stdout, result.stderr)
        return results

    run.checked_in_workers = checked_in_workers = []

    return run


def same(results: dict) -> tuple[int, str, str]:
    first = results["one process"]
    for label, result in results.items():
        assert result == first, label
    return first


@pytest.mark.parametrize("report", ["text", "json"])
def test_the_bundled_data(everywhere, data_copy, report):
    code, out, _ = same(everywhere(data_copy.parent, "--report", report, "data"))
    assert code == 0
    assert everywhere.checked_in_workers[0] == 7  # every frame (those scenarios are for are read again here)
    assert '"tables": 19' in out if report == "json" else "checked 33 files, 19 tables" in out


def test_a_wrong_figure(everywhere, data_copy):
    frame = data_copy.parent / MOLDE_FRAME
    frame.write_text(frame.read_text(encoding="utf-8").replace("2017: 11999, 2018", "2017: 11998, 2018"),
                     encoding="utf-8")
    code, out, _ = same(everywhere(data_copy.parent, "data"))
    assert code == 1
    assert f"{MOLDE_FRAME}:43:33: error: Ny driftsramme 2017: published 11 998, computed 11 999" in out


def test_two_frames_with_one_id(everywhere, data_copy):
    shutil.copy(data_copy.parent / MOLDE_FRAME, data_copy / "frames" / "kopi.yaml")
    code, _, err = same(everywhere(data_copy.parent, "data"))
    assert code == 2 and "two frames have the id 'molde-2017-ressurstjenesten'" in err


def test_a_changes_file_its_frame_does_not_list(everywhere, data_copy):
    shutil.copy(data_copy.parent / MOLDE_CHANGES, data_copy / "changes" / "ekstra.yaml")
    code, _, err = same(everywhere(data_copy.parent, "data"))
    assert code == 2 and "does not list this changes file" in err


def test_a_changes_file_listed_by_two_frames(everywhere, data_copy):
    other = data_copy / "frames" / "molde-2018-kleive-oppvekstsenter.yaml"
    text = other.read_text(encoding="utf-8")
    other.write_text(text.replace("../changes/molde-2018-kleive-oppvekstsenter.yaml",
                                  "../changes/molde-2017-ressurstjenesten.yaml"), encoding="utf-8")
    (data_copy / "changes" / "molde-2018-kleive-oppvekstsenter.yaml").unlink()
    code, _, err = same(everywhere(data_copy.parent, "data"))
    assert code == 2 and err


def test_a_frame_that_lists_a_missing_file_or_one_twice(everywhere, data_copy):
    frame = data_copy.parent / MOLDE_FRAME
    text = frame.read_text(encoding="utf-8")
    frame.write_text(text.replace("  - ../changes/molde-2017-ressurstjenesten.yaml",
                                  "  - ../changes/molde-2017-ressurstjenesten.yaml\n"
                                  "  - ../changes/molde-2017-ressurstjenesten.yaml\n  - ../changes/borte.yaml"),
                     encoding="utf-8")
    code, _, err = same(everywhere(data_copy.parent, "data"))
    assert code == 2 and "borte.yaml" in err and "is the same file as entry 1" in err


def test_frames_named_one_by_one_and_twice(everywhere, data_copy):
    frames = sorted(str(p.relative_to(data_copy.parent)) for p in (data_copy / "frames").iterdir())
    code, out, _ = same(everywhere(data_copy.parent, *frames, frames[0], "data/tables", "data/links"))
    assert code == 0 and "checked " in out


def test_many_frames_with_an_error_in_one(everywhere, tmp_path):
    """Enough frames that every worker gets several, one of them with a misprint, one with a bad file."""
    root = tmp_path / "many"
    source = Path(__file__).resolve().parent.parent
    for i in range(12):
        folder = root / f"m{i:02}"
        (folder / "frames").mkdir(parents=True)
        (folder / "changes").mkdir()
        frame = (source / MOLDE_FRAME).read_text(encoding="utf-8").replace(
            "id: molde-2017-ressurstjenesten", f"id: molde-{i}")
        changes = (source / MOLDE_CHANGES).read_text(encoding="utf-8").replace(
            "ramme: molde-2017-ressurstjenesten", f"ramme: molde-{i}")
        if i == 5:
            frame = frame.replace("2017: 11999, 2018", "2017: 11998, 2018")
        (folder / "frames" / "molde-2017-ressurstjenesten.yaml").write_text(frame, encoding="utf-8")
        (folder / "changes" / "molde-2017-ressurstjenesten.yaml").write_text(changes, encoding="utf-8")
    parameters = source / "data" / "parameters"
    for i in range(12):
        shutil.copytree(parameters, root / f"m{i:02}" / "parameters")
    results = same(everywhere(root, "."))
    assert results[0] == 1 and "m05/frames/molde-2017-ressurstjenesten.yaml:43:33: error" in results[1]
    os.remove(root / "m07" / "changes" / "molde-2017-ressurstjenesten.yaml")
    code, _, err = same(everywhere(root, "."))
    assert code == 2 and "m07/frames/molde-2017-ressurstjenesten.yaml" in err



@pytest.mark.skipif(os.name == "nt" or os.uname().sysname == "Darwin", reason="file names that are not UTF-8")
def test_a_frame_file_name_that_is_not_utf8(everywhere, data_copy):
    """A name the cache's UTF-8 JSON cannot hold is checked as any other, its result not kept there."""
    frames = data_copy / "frames"
    os.rename(frames / "stavanger-2015-barnevern.yaml", os.path.join(os.fsencode(frames), b"\xff.yaml"))
    code, out, _ = same(everywhere(data_copy.parent, "data/frames", "data/changes", "data/parameters"))
    assert code == 0 and "checked 16 files, 7 tables" in out
