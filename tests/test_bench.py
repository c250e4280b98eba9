"""The benchmark (bench/) finds the errors it injects. A script, not a timed test: no timing is asserted."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

BENCH = ROOT / "bench"


def _module(name: str):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    module_name = name if name == "make_corpus" else f"bench_{name}"  # run.py imports make_corpus by name
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def make_corpus():
    return _module("make_corpus")


@pytest.fixture(scope="module")
def bench_run():
    return _module("run")


def test_small_benchmark_finds_exactly_the_injected_errors(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    out = subprocess.run([sys.executable, str(BENCH / "run.py"), "--small", "--corpus", str(corpus), "--repeats", "1",
                          "--json", str(tmp_path / "figures.json")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    manifest = json.loads((corpus / "injected.json").read_text(encoding="utf-8"))
    injected = len(manifest["errors"])
    assert injected == 6
    assert "OK: every run reported exactly the injected errors." in out.stdout
    assert f"{injected} of {injected} injected errors found" in out.stdout
    figures = json.loads((tmp_path / "figures.json").read_text(encoding="utf-8"))
    assert figures["correct"]
    for run in ("cold", "first", "warm, none changed", "warm, one changed", "tenth, gc default", "tenth, gc tuned"):
        assert figures[run]["correct"], figures[run]["problems"]
        assert figures[run]["errors_found"] == figures[run]["errors_expected"]
    # the changed frame is restored
    assert "(revidert" not in (corpus / figures["warm, one changed"]["changed_file"]).read_text(encoding="utf-8")
    # every target is printed, with its verdict
    for target in ("cold / hledger check", "cold / ledger bal", "cold: peak memory", "cold: cores busy",
                   "re-check, one file changed", "re-check, none changed", "roll seed 000 / bare typer command",
                   "roll seed 000 − python -c pass", "gc: defaults / tuned", "import (", "chart (", "xlsx (",
                   "statutory forms ("):
        assert f"  {target}" in out.stdout, target


def test_corpus_is_deterministic_and_marks_the_changed_numbers(make_corpus, tmp_path: Path) -> None:
    a = make_corpus.generate(tmp_path / "a", municipalities=3, units=4, items=12, errors=8, seed=7)
    b = make_corpus.generate(tmp_path / "b", municipalities=3, units=4, items=12, errors=8, seed=7)
    assert a == b
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert len(files) == 2 * 3 * 4
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    assert all(n > 0 for n in a["expected"]["conventions"].values())  # both conventions
    assert len({e["frame"] for e in a["errors"]}) == 8  # eight different frames
    assert {e["kind"] for e in a["errors"]} >= {"ny_driftsramme", "gruppe", "utgangspunkt"}
    for error in a["errors"]:
        line = (tmp_path / "a" / error["file"]).read_text(encoding="utf-8").splitlines()[error["line"] - 1]
        written = line[error["column"] - 1:].split(",")[0].split("}")[0]
        assert int(written) == error["cell_written"] != error["cell_true"]
        assert line[: error["column"] - 1].endswith(f"{error['year']}: ")


def test_regenerating_replaces_an_earlier_corpus_only(make_corpus, tmp_path: Path) -> None:
    make_corpus.generate(tmp_path / "c", municipalities=2, units=2, items=3, errors=1)
    make_corpus.generate(tmp_path / "c", municipalities=1, units=2, items=3, errors=1)
    assert len(list((tmp_path / "c").rglob("*.yaml"))) == 4
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit):
        make_corpus.generate(tmp_path / "other", municipalities=1, units=1, items=1, errors=0)
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def test_verify_rejects_a_missed_or_an_extra_error(bench_run, tmp_path: Path) -> None:
    injected = [{"file": "m/frames/u.yaml", "line": 24, "column": 21, "kind": "utgangspunkt", "year": 2022,
                 "published": 16247, "true": 16246}]
    counts = {"files": 2, "frames": 1, "published_figures": 10}
    right = ("m/frames/u.yaml:24:21: error: Utgangspunkt 2022: published 16 247, computed 16 246 (difference +1)\n"
             "m/frames/u.yaml:30:5: warning: something tolerated\n"
             "checked 2 files, 1 frame, 10 published figures: 1 error, 1 warning\n")

    def verdict(stdout: str, code: int = 1):
        return bench_run.verify(bench_run.Run([], 0.1, code, stdout, ""), tmp_path, injected, counts)

    assert verdict(right).ok
    assert verdict(right).warnings == 1
    extra = right + "m/frames/v.yaml:3:4: error: Ny driftsramme 2022: published 1, computed 2 (difference −1)\n"
    assert not verdict(extra).ok
    assert not verdict(right.replace(":24:21:", ":24:22:")).ok
    assert not verdict(right.replace("computed 16 246", "computed 16 245")).ok
    assert not verdict(right, code=0).ok
    assert not verdict(right.replace("10 published", "9 published")).ok
