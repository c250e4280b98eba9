"""Check reports for people and for CI: text, JSON, JUnit XML and GitHub workflow commands.

Each reporter turns the same :class:`CheckRun` into text. None imports rich; the JUnit reporter uses the
standard library's ElementTree. The formats are documented in the README ("Reports").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .core.problems import Problem, Severity

JSON_FORMAT = "rammecalc.check/1"


@dataclass
class TableResult:
    """One checked table: its id, its files (the table's own first), and the figures checked."""

    id: str
    files: tuple[str, ...]
    kind: str
    figures: int

    @property
    def file(self) -> str:
        return self.files[0]


@dataclass
class CheckRun:
    """What a ``rammecalc check`` run found."""

    files: int = 0
    tables: list[TableResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Problems left out by --select or --ignore (not in ``problems``).
    ignored: int = 0
    #: --strict: warnings that are not recorded or tolerated differences fail the run.
    strict: bool = False

    @property
    def strict_failures(self) -> int:
        """The warnings that fail the run under --strict (none without it)."""
        if not self.strict:
            return 0
        from .core.checks import fails_strict

        return sum(1 for p in self.problems if fails_strict(p))

    @property
    def figures(self) -> int:
        return sum(t.figures for t in self.tables)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def as_json(run: CheckRun) -> str:
    from .render import to_json

    return to_json({
        "format": JSON_FORMAT,
        "files": run.files,
        "tables": sum(1 for t in run.tables if t.kind != "koblinger"),
        "links": sum(t.figures for t in run.tables if t.kind == "koblinger"),
        "figures": run.figures,
        "errors": run.errors,
        "warnings": run.warnings,
        "ignored": run.ignored,
        "problems": [
            {
                "file": p.file,
                "line": p.line or 1,  # (a problem with the whole file: its first line and column)
                "column": p.col or 1,
                "code": p.code.value,
                "severity": p.severity.value,
                "message": p.message,
                "hint": p.hint,
                "figure": p.figure,
                "year": p.year,
                "published": p.published,
                "computed": p.computed,
                "difference": p.difference,
            }
            for p in run.problems
        ],
    }) + "\n"


def as_junit(run: CheckRun) -> str:
    """JUnit XML: one test case per table (a failing table is a failure listing its messages), and one per
    file that could not be used (an error).

    Every text in it is :func:`output.visible`: XML 1.0 cannot carry most control characters even escaped,
    so they are shown as ``\\x1b`` and the like, and the document always parses. The problems are grouped
    by file once (not searched again for each table)."""
    import xml.etree.ElementTree as ET

    from .output import visible

    by_file: dict[str, list[Problem]] = {}
    for p in run.problems:
        by_file.setdefault(p.file, []).append(p)
    suites = ET.Element("testsuites", name="rammecalc check")
    suite = ET.SubElement(suites, "testsuite", name="rammecalc check")
    cases = failures = errors = 0
    covered: set[str] = set()
    for table in sorted_tables(run.tables):
        cases += 1
        case = ET.SubElement(suite, "testcase", classname=visible(table.file), name=visible(f"{table.kind} {table.id}"))
        mine = sorted((p for f in dict.fromkeys(table.files) for p in by_file.get(f, ())), key=problem_order)
        covered.update(table.files)
        failed = [p for p in mine if p.severity is Severity.ERROR]
        if failed:
            failures += 1
            failure = ET.SubElement(case, "failure", message=f"{len(failed)} published figure(s) do not add up",
                                    type=failed[0].code.value)
            failure.text = "\n".join(_line(p) for p in failed)
        notes = [p for p in mine if p.severity is Severity.WARNING]
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(_line(p) for p in notes)
    for file, problems in sorted(by_file.items()):
        if file in covered:
            continue
        cases += 1
        case = ET.SubElement(suite, "testcase", classname=visible(file), name=visible(f"file {file}"))
        bad = [p for p in problems if p.severity is Severity.ERROR]
        if bad:
            errors += 1
            error = ET.SubElement(case, "error", message=f"{len(bad)} problem(s) in the file", type=bad[0].code.value)
            error.text = "\n".join(_line(p) for p in bad)
        else:
            ET.SubElement(case, "system-out").text = "\n".join(_line(p) for p in problems)
    for element in (suites, suite):
        element.set("tests", str(cases))
        element.set("failures", str(failures))
        element.set("errors", str(errors))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def location(problem: Problem) -> str:
    """Where a problem is, as it starts its line: ``file:line:col`` (1:1 for the whole file).
    The file name is shown :func:`output.visible_path` (any byte of it printable, never a line of its own)."""
    from .output import visible_path

    where = visible_path(problem.file)
    # A problem with a whole file (it cannot be read; it is a FIFO) is at its first line and column: every
    # problem line names file:line:col, as editors' and CI's problem matchers expect.
    return f"{where}:{problem.line or 1}:{problem.col or 1}"


def problem_line(problem: Problem) -> str:
    """One problem, one line: ``file:line:col: error: message`` (or ``warning:``), the form editors' and CI's
    problem matchers read. Nothing in the message can break the line or start another."""
    from .output import visible

    return f"{location(problem)}: {problem.severity.value}: {visible(problem.message)}"


def _line(p: Problem) -> str:
    return f"{problem_line(p)} [{p.code.value}]"


def as_github(run: CheckRun) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=code::message`` for errors,
    ``::warning …`` for warnings (tolerated differences, notices), and a summary line. GitHub's escapes keep
    a message to its command (``%0A`` for a line break), and :func:`output.visible` shows any other control
    character, so nothing in a file name or message can issue a command of its own."""
    from .output import workflow_data, workflow_property

    lines = []
    for p in run.problems:
        command = "error" if p.severity is Severity.ERROR else "warning"
        props = [f"file={workflow_property(p.file)}"]
        if p.line:
            props += [f"line={p.line}", f"col={p.col}"]
        props.append(f"title={workflow_property('rammecalc ' + p.code.value)}")
        message = p.message + (f" (hint: {p.hint})" if p.hint else "")
        lines.append(f"::{command} {','.join(props)}::{workflow_data(message)}")
    lines.append(summary_line(run))
    return "\n".join(lines) + "\n"


def problem_order(p: Problem) -> tuple:
    """The order of problems in every report: by file, line, column and code (then message, so that two
    at one place come out the same way whether their frame was checked now or taken from the cache)."""
    return (*p.sort_key(), p.message)


def sorted_tables(tables: list[TableResult]) -> list[TableResult]:
    """The order of tables in every report: by file, then id, whichever were cached."""
    return sorted(tables, key=lambda t: (t.file, t.id, t.kind))


def summary_line(run: CheckRun) -> str:
    """The last line of a check, in the language chosen (``i18n``): what was checked and what was found."""
    from .i18n import translate as _t

    def n(count: int, one: str, many: str) -> str:
        return f"{count} {one if count == 1 else many}"

    kinds = {"ramme": (_t("frame"), _t("frames")), "tabell": (_t("other table"), _t("other tables"))}
    counts = [(sum(1 for t in run.tables if t.kind == kind), words) for kind, words in kinds.items()]
    present = [n(count, *words) for count, words in counts if count]
    tables = sum(count for count, _ in counts)
    links = sum(t.figures for t in run.tables if t.kind == "koblinger")  # a link compares one pair of figures
    parts = []
    if tables or not links:
        parts.append(n(tables, _t("table"), _t("tables")) + (f" ({', '.join(present)})" if len(present) > 1 else ""))
    if links:
        parts.append(n(links, _t("link"), _t("links")))
    files, figures = n(run.files, _t("file"), _t("files")), n(run.figures, _t("published figure"), _t("published figures"))
    errors, warnings = n(run.errors, _t("error"), _t("errors")), n(run.warnings, _t("warning"), _t("warnings"))
    line = _t(f"checked {files}, {', '.join(parts)}, {figures}: {errors}, {warnings}")
    if run.ignored:
        line += _t(f" ({run.ignored} ignored by --select/--ignore)")
    if run.strict_failures:
        line += _t(f"; {n(run.strict_failures, _t('warning fails'), _t('warnings fail'))} the run under --strict")
    return line


#: Problems listed in the step summary at most (the log and the annotations have every one).
STEP_SUMMARY_ROWS = 100


def as_step_summary(run: CheckRun) -> str:
    """Markdown for GitHub's job summary (``$GITHUB_STEP_SUMMARY``): the summary line, then the problems as a
    table (errors first, at most :data:`STEP_SUMMARY_ROWS`). Every text is :func:`output.visible`, and the
    characters that would end a cell or start markup (``|``, backticks, ``<``) are escaped."""
    from .output import visible

    def cell(text: str) -> str:
        text = visible(text)
        for char, escaped in (("\\", "\\\\"), ("&", "&amp;"), ("|", "\\|"), ("`", "\\`"), ("<", "&lt;"), (">", "&gt;"),
                              ("*", "\\*"), ("_", "\\_"), ("[", "\\["), ("]", "\\]")):
            text = text.replace(char, escaped)
        return text

    failed = run.errors or run.strict_failures
    lines = [f"### rammecalc check: {'failed' if failed else 'passed'}", "", cell(summary_line(run)), ""]
    shown = sorted(run.problems, key=lambda p: (p.severity is not Severity.ERROR, *problem_order(p)))
    if shown:
        lines += ["| | where | code | message |", "| --- | --- | --- | --- |"]
        from .core.checks import fails_strict

        lines += [f"| {p.severity.value}{' (fails: --strict)' if run.strict and fails_strict(p) else ''} | "
                  f"{cell(location(p))} | {cell(p.code.value)} | {cell(p.message)} |" for p in shown[:STEP_SUMMARY_ROWS]]
        if len(shown) > STEP_SUMMARY_ROWS:
            lines += ["", f"… and {len(shown) - STEP_SUMMARY_ROWS} more: see the step's log."]
    return "\n".join(lines) + "\n\n"
