"""Property tests of the command line on bad input: the mutations of ``bench/fuzz.py``, drawn by Hypothesis.

Each example is a copy of bundled files from ``data/`` (a frame with its changes, parameter files and
scenarios; an accounts table; a sum table; links with the files they name; or everything) with one mutation
of the fuzzer applied (bytes, the YAML tree, or the links between files; at the smaller sizes of
``fuzz.SMALL``). The commands run in this process, as ``bench/fuzz.py`` runs them, and the fuzzer's own
judge says what went wrong, so the suite and the fuzzer agree on what a failure is.

Hypothesis is derandomized and keeps no database, so CI sees the same examples on every run; it does not
shrink (an example is a case number, which shrinking cannot make smaller). A failing example names the case
and the command that replays it with every output and the traceback:

    python bench/fuzz.py --case test-INDEX --only MUTATION --small --mutations 1
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import fuzz  # (bench/ is not a package)

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MUTATIONS = sorted(fuzz.MUTATIONS)


def cases(names: list[str] = MUTATIONS, focus: list[str] = ()):
    """A bundled starting point with one mutation of ``names`` (case ``test-INDEX``), drawn about as often as
    the fuzzer draws it (the big ones seldom); with ``focus``, half the cases use one of those."""
    weighted = [n for n in names for _ in range(max(1, round(fuzz.MUTATIONS[n][1] / 10)))]
    names_st = st.sampled_from(weighted)
    if focus:
        names_st = st.one_of(names_st, st.sampled_from(list(focus)))
    return st.builds(lambda index, name: fuzz.make_case("test", index, [name], fuzz.SMALL, count=1),
                     st.integers(min_value=0, max_value=10**6), names_st)


def run(case: fuzz.Case, commands: tuple[str, ...]) -> tuple[list[fuzz.Run], list[fuzz.Failure]]:
    folder = Path(tempfile.mkdtemp(prefix="rammecalc-test-fuzz-"))
    try:
        return fuzz.run_case(case, folder, timeout=None, only=commands)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def explain(case: fuzz.Case, runs: list[fuzz.Run], failures: list[fuzz.Failure]) -> str:
    """What failed, with the case's mutations, each run's outputs and the command to replay it."""
    lines = [f"case {case.id} from {case.bundle}: " + ("; ".join(case.mutations) or "(no mutation applied)")]
    if case.mutations:
        lines.append(f"replay: python bench/fuzz.py --case {case.id} --only {case.mutations[0].split(':')[0]} "
                     "--small --mutations 1")
    lines += [f"  {f.cls}: {f.command}: {f.detail}" for f in failures]
    for r in runs:
        lines.append(f"--- rammecalc {' '.join(r.args)}: exit {r.exit}"[:300])
        lines += [f"    {line}"[:300] for line in (r.stderr + r.stdout).splitlines()[:10]]
        if r.error:
            lines += [f"    {line}" for line in r.error.splitlines()[-6:]]
    return "\n".join(lines)


def assert_none(case: fuzz.Case, commands: tuple[str, ...], classes: set[str]) -> None:
    runs, failures = run(case, commands)
    found = [f for f in failures if f.cls in classes]
    assert not found, explain(case, runs, found)


@pytest.mark.parametrize("family", fuzz.FAMILIES)
@SETTINGS
@given(data=st.data())
def test_exit_status_is_0_1_or_2(family, data):
    """Whatever the input, the exit status is 0, 1 or 2, never 3 ('internal error') nor a traceback."""
    case = data.draw(cases(fuzz.mutations_of(family)))
    assert_none(case, ("check", "check-json", "roll"), {fuzz.EXIT, fuzz.TEXT})


@settings(SETTINGS, max_examples=30)
@given(case=cases(["deep"]))
def test_deep_nesting_is_an_input_problem(case):
    """Nesting hundreds to thousands of levels deep (flow, block, mixed): exit 2 at file:line:col, no crash."""
    assert_none(case, ("check", "check-json", "roll"), {fuzz.EXIT, fuzz.TEXT, fuzz.NOLOC})


@settings(SETTINGS, max_examples=30)
@given(case=cases(["bad-path"]))
def test_impossible_paths_are_input_problems(case):
    """A NUL byte, a newline, a folder, an absolute or a very long path where a file is named: exit 2."""
    assert_none(case, ("check", "check-json", "roll"), {fuzz.EXIT, fuzz.TEXT})


@pytest.mark.parametrize("family", fuzz.FAMILIES)
@SETTINGS
@given(data=st.data())
def test_unusable_input_names_file_line_col(family, data):
    """Exit 2: every input problem names file:line:col, on standard error (text) and in the JSON report."""
    case = data.draw(cases(fuzz.mutations_of(family)))
    assert_none(case, ("check", "check-json", "roll"), {fuzz.NOLOC})


@settings(SETTINGS, max_examples=40)
@given(case=cases(["control-chars", "bad-path", "rename-file"]))
def test_names_with_control_characters_keep_messages_on_one_line(case):
    """Control characters (newline, ESC, NUL …) in labels, keys, paths and file names: each problem is still
    one line that starts with file:line:col."""
    assert_none(case, ("check", "check-json", "roll"), {fuzz.NOLOC})


@settings(SETTINGS, max_examples=80)
@given(case=cases())
def test_output_file_is_all_or_nothing(case):
    """``roll -o FILE`` with FILE already there: on a failed run FILE is as it was and no temporary file is
    left; on success FILE holds exactly what ``roll`` prints."""
    assert_none(case, ("roll", "roll-o"), {fuzz.OUTFILE})


@settings(SETTINGS, max_examples=80)
@given(case=cases())
def test_cache_agrees_with_no_cache(case):
    """``check`` with the cache, cold and then warm, prints byte for byte what ``check --no-cache`` prints."""
    assert_none(case, ("check", "check-cold", "check-warm"), {fuzz.CACHE})


@settings(SETTINGS, max_examples=30)
@given(names=st.lists(st.sampled_from([name for name, _ in fuzz.bundles()]), min_size=1, max_size=3, unique=True),
       report=st.sampled_from(["text", "json", "junit", "github"]), by_file=st.booleans())
def test_cache_agrees_on_bundled_data(names, report, by_file):
    """The bundled files as they are (any of the starting points, together): ``check`` cold, warm and with
    ``--no-cache`` print the same, byte for byte, in every report."""
    files = {rel: fuzz.source_files()[rel] for name, rels in fuzz.bundles() if name in names for rel in rels}
    case = fuzz.Case("bundled", "+".join(names), files)
    if by_file:  # the tables' own files named, not the folder (a frame pulls in what it lists)
        case.targets = sorted(r for r in files if fuzz._kind(r) in ("frames", "tables", "links"))
    folder = Path(tempfile.mkdtemp(prefix="rammecalc-test-fuzz-"))
    try:
        case.write(folder / "input")
        flags = ["--report", report]
        runs = [fuzz.run_cli(["check", *flags, *extra, *case.targets], folder / "input", name=name)
                for name, extra in (("no-cache", ["--no-cache"]), ("cold", ["--cache-dir", str(folder / "c")]),
                                    ("warm", ["--cache-dir", str(folder / "c")]))]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert runs[0].exit in (0, 1), explain(case, runs, [])
    for other in runs[1:]:
        assert (other.exit, other.stdout, other.stderr) == (runs[0].exit, runs[0].stdout, runs[0].stderr), \
            f"{other.name} differs from --no-cache: {fuzz._first_difference(runs[0], other)}\n" + explain(case, runs, [])


@settings(SETTINGS, max_examples=60)
@given(case=cases(focus=["control-chars", "empty-document", "targets"]))
def test_reports_are_well_formed(case):
    """Every report exits as the text report does; JSON parses, JUnit is well-formed XML, and GitHub's is
    workflow commands and the summary, whatever the input (half the cases with control characters in
    names, emptied files or odd paths given)."""
    assert_none(case, ("check", "check-json", "check-junit", "check-github"), {fuzz.REPORTS, fuzz.JUNIT})


@settings(SETTINGS, max_examples=80)
@given(case=cases(focus=["rename-id", "scenario-value", "remove-file"]))
def test_check_and_roll_agree_on_usable_input(case):
    """An input ``check`` finds unusable (exit 2), ``roll`` finds unusable too, and the other way round (half
    the cases with renamed ids, scenario values or a file taken away)."""
    assert_none(case, ("check", "roll"), {fuzz.DISAGREE})


def test_the_judge_sees_each_failure_class():
    """The fuzzer's judge, on made-up runs: what each class means (so that the tests above can fail)."""
    def r(name, exit, stdout="", stderr="", seconds=0.01, signature=None):
        return fuzz.Run(name, [], exit, stdout, stderr, seconds, None, signature)

    good = "checked 1 file, 1 table, 3 published figures: 0 errors, 0 warnings\n"
    located = "a.yaml:3:5: unknown key 'x'\n  hint: remove it\nrammecalc: 1 input problem in 1 file; nothing was rolled\n"

    def classes(runs, written=fuzz.SENTINEL, left=(), timeout=2.0):
        return {f.cls for f in fuzz.judge(runs, written, list(left), timeout)}

    assert classes([r("check", 0, good), r("check-cold", 0, good), r("check-warm", 0, good)]) == set()
    assert classes([r("check", 3, signature="ValueError at loading.py:read_document")]) == {fuzz.EXIT}
    assert classes([r("check", 2, stderr="rammecalc: internal error, a bug\n")]) == {fuzz.TEXT}
    assert classes([r("check", 0, good, seconds=2.5)]) == {fuzz.SLOW}
    assert classes([r("check", None)]) == {fuzz.SLOW}
    assert classes([r("check", 2, stderr=located)]) == set()
    assert classes([r("check", 2, stderr="a.yaml: bad\n")]) == {fuzz.NOLOC}
    assert classes([r("check", 2, stderr="a.yaml:3:5: unknown key '\nx'\n")]) == {fuzz.NOLOC}
    assert classes([r("check-json", 2, '{"format": "rammecalc.check/1", "problems": [{"file": "a.yaml", '
                      '"line": 0, "column": 0, "code": "input-invalid", "severity": "error"}]}')]) == {fuzz.NOLOC}
    assert classes([r("roll", 0, "T\n"), r("roll-o", 0)], written="T\n") == set()
    assert classes([r("roll", 2), r("roll-o", 2)], written="half") == {fuzz.OUTFILE}
    assert classes([r("roll", 2), r("roll-o", 2)], left=[".roll.txt.x.tmp"]) == {fuzz.OUTFILE}
    assert classes([r("roll", 0, "T\n"), r("roll-o", 0)], written="T") == {fuzz.OUTFILE}
    assert classes([r("check", 0, good), r("check-warm", 0, good.replace("1 file", "2 files"))]) == {fuzz.CACHE}
    assert classes([r("check", 2, stderr=located), r("roll", 0)]) == {fuzz.DISAGREE}
    assert classes([r("check", 1, good), r("check-json", 1, "{}")]) == {fuzz.REPORTS}
    assert classes([r("check", 1, good), r("check-github", 1, "::error file=a::x\ny\n" + good)]) == {fuzz.REPORTS}
    assert classes([r("check", 1, good), r("check-junit", 1, "<a>\x1b</a>")]) == {fuzz.JUNIT}
    assert classes([r("check", 1, good), r("check-junit", 1, '<?xml version="1.0"?>\n<a>b</a>\n')]) == set()


def test_each_mutation_applies_somewhere():
    """Every mutation of the catalogue changes some case (none is dead code), and a case is the same every
    time it is built."""
    applied = set()
    for index in range(400):
        for name in MUTATIONS:
            if name in applied:
                continue
            case = fuzz.make_case("coverage", index, [name], fuzz.SMALL, count=1)
            if case.mutations:
                applied.add(name)
        if len(applied) == len(MUTATIONS):
            break
    assert applied == set(MUTATIONS)
    a, b = fuzz.make_case(7, 11), fuzz.make_case(7, 11)
    assert (a.files, a.symlinks, a.targets, a.mutations) == (b.files, b.symlinks, b.targets, b.mutations)


def test_scale_inputs_add_up(tmp_path):
    """bench/scale.py's inputs, small: each checks clean (exit 0), and the problems case gives one input
    problem per unknown key (exit 2), so that its timings are of real work."""
    import scale  # bench/scale.py

    for case in scale.CASES:
        folder = tmp_path / case.name
        folder.mkdir()
        path = case.write(folder, 4)
        result = fuzz.run_cli(["check", "--no-cache", str(path.relative_to(folder))], folder)
        expect = 0 if case.name == "chain" else case.expect  # (4 levels are fine; past 20 are refused)
        assert result.exit == expect, (case.name, result.stdout, result.stderr, result.error)
        if expect == 2:
            assert result.stderr.count("unknown key") == 4
        else:
            assert ": 0 errors, 0 warnings" in result.stdout
