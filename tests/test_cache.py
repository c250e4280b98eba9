"""The check's cache: the same report with it as without it, never trusted when wrong."""

from __future__ import annotations

import hashlib
import json
import shutil

MOLDE = "data/frames/molde-2017-ressurstjenesten.yaml"


def run(cli, root, cache, *args):
    result = cli("check", "--cache-dir", cache, *args, "data", cwd=root)
    return result.exit_code, result.stdout


def version_folder(cache):
    (folder,) = list(cache.iterdir())
    return folder


def test_cached_report_equals_the_uncached_one(cli, data_copy, tmp_path):
    cache = tmp_path / "cache"
    root = data_copy.parent
    plain = cli("check", "--no-cache", "data", cwd=root)
    first = run(cli, root, cache)
    second = run(cli, root, cache)
    assert first == second == (plain.exit_code, plain.stdout)
    folder = version_folder(cache)
    results = [json.loads(shard.read_text(encoding="utf-8")) for shard in (folder / "results").glob("*.json")]
    assert sum(len(shard["entries"]) for shard in results) == 7  # one result per frame
    for shard in (folder / "results").glob("*.json"):  # each under the first two hex digits of its keys
        assert all(key[:2] == shard.stem for key in json.loads(shard.read_text(encoding="utf-8"))["entries"])
    assert len(list((folder / "docs").rglob("*.json"))) >= 10  # the files' data


def test_a_changed_file_is_checked_again(cli, data_copy, tmp_path):
    cache = tmp_path / "cache"
    root = data_copy.parent
    assert run(cli, root, cache)[0] == 0
    frame = root / MOLDE
    frame.write_text(frame.read_text(encoding="utf-8").replace("2017: 11999, 2018", "2017: 11998, 2018"),
                     encoding="utf-8")
    code, out = run(cli, root, cache)
    assert code == 1
    assert f"{MOLDE}:43:33: error: Ny driftsramme 2017: published 11 998, computed 11 999 (difference −1)" in out
    # and a changed changes file too: seed 000's 1 241 (opptrappingsplan 2017) made 1 242
    frame.write_text(frame.read_text(encoding="utf-8").replace("2017: 11998, 2018", "2017: 11999, 2018"),
                     encoding="utf-8")
    changes = root / "data/changes/molde-2017-ressurstjenesten.yaml"
    changes.write_text(changes.read_text(encoding="utf-8").replace("{2017: 1241}", "{2017: 1242}"), encoding="utf-8")
    code, out = run(cli, root, cache)
    assert code == 1 and "Andre rammeendringer 2017: published 2 109, computed 2 110 (difference −1)" in out


def test_options_are_part_of_the_key(cli, data_copy, tmp_path):
    cache = tmp_path / "cache"
    root = data_copy.parent
    assert run(cli, root, cache)[0] == 0
    code, out = run(cli, root, cache, "--ignore-known-differences")
    assert code == 1 and "(difference −1)\n" in out  # Askøy's recorded difference, now an error
    assert run(cli, root, cache)[0] == 0


def test_a_corrupt_cache_is_ignored_and_rewritten(cli, data_copy, tmp_path):
    cache = tmp_path / "cache"
    root = data_copy.parent
    good = run(cli, root, cache)
    folder = version_folder(cache)
    # A changed frame, with a broken index and every document entry of the wrong shape: nothing of it may
    # be used, and the run must find the changed figure.
    frame = root / MOLDE
    frame.write_text(frame.read_text(encoding="utf-8").replace("2017: 11999, 2018", "2017: 11998, 2018"),
                     encoding="utf-8")
    index = sorted((folder / "index").glob("*.json"))
    assert index
    for shard in index:
        shard.write_text("{not json", encoding="utf-8")
    for doc in (folder / "docs").rglob("*.json"):
        doc.write_text('{"version": "x", "kind": "ramme", "data": {"type": "ramme"}}', encoding="utf-8")
    code, out = run(cli, root, cache)
    assert code == 1 and "Ny driftsramme 2017: published 11 998" in out
    # the changed frame's entry went to its shard, written anew and valid again (a shard still broken is
    # ignored as long as it is: the report above is right all the same)
    shard = folder / "index" / f"{hashlib.sha256(frame.read_bytes()).hexdigest()[:2]}.json"
    assert shard.exists()
    json.loads(shard.read_text(encoding="utf-8"))
    # A result of the wrong shape (an unknown field in a problem), sealed with its own checksum as if it had
    # been written so, is not trusted: it fails validation, and the frame is checked again.
    for results in (folder / "results").glob("*.json"):
        table = json.loads(results.read_text(encoding="utf-8"))
        for entry in table["entries"].values():
            assert '"problems":[' in entry["payload"]
            entry["payload"] = entry["payload"].replace('"problems":[', '"problems":[{"bogus":1},', 1)
            entry["sha256"] = hashlib.sha256(entry["payload"].encode()).hexdigest()
        results.write_text(json.dumps(table), encoding="utf-8")
    shutil.rmtree(folder / "runs")  # (the run's index too: else it vouches for the frames)
    assert run(cli, root, cache) == (code, out)
    frame.write_text(frame.read_text(encoding="utf-8").replace("2017: 11998, 2018", "2017: 11999, 2018"),
                     encoding="utf-8")
    assert run(cli, root, cache) == good


def test_no_cache_writes_nothing(cli, data_copy, tmp_path):
    cache = tmp_path / "cache"
    result = cli("check", "--no-cache", "--cache-dir", cache, "data", cwd=data_copy.parent)
    assert result.exit_code == 0 and not cache.exists()
