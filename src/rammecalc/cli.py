"""The command line: the only module that imports typer. It runs the pipeline and picks the exit code.

    load (loading.py) → link (core/link.py) → roll (core/roll.py) → check (core/checks.py) → render

Start-up is kept small: at module level only typer, the standard library and the glossary (``core.terms``,
plain enums) are imported; pydantic, yaml and rich load inside the commands that need them, so
``rammecalc --help`` does not pay for them (a test asserts it).
"""

from __future__ import annotations

import sys
from enum import Enum, IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .core.terms import Convention

if TYPE_CHECKING:
    from decimal import Decimal

    from .loading import Loaded


class ExitCode(IntEnum):
    """What ``rammecalc`` returns. Documented in the README."""

    OK = 0
    CHECK_FAILED = 1  # a published figure does not match (beyond the tolerance)
    BAD_INPUT = 2  # a file could not be read, parsed or linked, or the command line is wrong
    INTERNAL_ERROR = 3  # a bug in rammecalc (never bad input)


class OutputFormat(str, Enum):
    TABLE = "table"
    JSON = "json"


class SchemaKind(str, Enum):
    ALL = "alle"
    FRAME = "ramme"
    CHANGES = "endringer"
    PARAMETERS = "parametere"
    ACCOUNTS = "regnskap"
    SUMS = "sumtabell"
    LINKS = "koblinger"


app = typer.Typer(
    name="rammecalc",
    help="Roll Norwegian municipal budget frames (driftsrammer) forward and check published frame tables.\n\n"
    "Exit codes: 0 fine, 1 a check failed, 2 unusable input.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Frame files, changes files or folders (searched recursively). Default: ./data.",
        show_default=False,
    ),
]


SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        help="Override a parameter: NAME=RATE for every year (prisvekst=2.5%) or NAME:YEAR=RATE for one "
        "(deflator:2024=4.3%). Repeatable; the last one wins.",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"rammecalc {version('rammecalc')}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Roll budget frames forward and check published frame tables."""


def _fail_input(message: str, hint: str | None = None) -> typer.Exit:
    typer.echo(f"rammecalc: {message}", err=True)
    if hint:
        typer.echo(f"  hint: {hint}", err=True)
    return typer.Exit(ExitCode.BAD_INPUT)


def _parse_sets(values: list[str] | None) -> list[tuple[str, int | None, Decimal]]:
    import re

    from .core.rules import parse_rate_literal

    out = []
    for text in values or []:
        m = re.fullmatch(r"\s*([^\W\d]\w*)(?::(\d{4}))?\s*=\s*(.+)", text)
        rate = parse_rate_literal(m[3]) if m else None
        if not m or rate is None:
            raise _fail_input(f"--set {text!r}: expected NAME=RATE or NAME:YEAR=RATE with the rate in per cent",
                              "e.g. --set prisvekst=2.5% or --set deflator:2024=4,3%")
        out.append((m[1], int(m[2]) if m[2] else None, rate))
    return out


def _apply_sets(loaded: Loaded, sets: list[tuple[str, int | None, Decimal]]) -> None:
    """Put the ``--set`` overrides on every budget; a name no frame's parameters define is an error."""
    if not sets:
        return
    from .core.rules import Parameters

    known = sorted({n for b in loaded.budgets for n in Parameters.of(b).names()})
    for name, _, _ in sets:
        if name not in known:
            import difflib

            near = difflib.get_close_matches(name, known, n=1)
            raise _fail_input(
                f"--set: there is no parameter '{name}'"
                + (f"; the parameters are: {', '.join(known)}" if known else
                   "; the frames read have no parameter files ('parametere')"),
                f"did you mean '{near[0]}'?" if near else None,
            )
    loaded.budgets = [b.model_copy(update={"overrides": b.overrides + tuple(sets)}) for b in loaded.budgets]


def _load(paths: list[Path] | None, sets: list[str] | None = None) -> Loaded:
    """Load and link; on any input problem print them all to stderr and exit 2."""
    from .core.problems import Code
    from .loading import load
    from .render import problem_text

    if not paths:
        if not Path("data").is_dir():
            raise _fail_input("no path given and no 'data' folder here",
                              "pass frame files or a folder, e.g. 'rammecalc roll data/frames/x.yaml'")
        paths = [Path("data")]
    loaded = load(paths)
    for skipped in (p for p in loaded.problems if p.code is Code.SKIPPED):
        typer.echo(problem_text(skipped, loaded.texts), err=True)
    bad = [p for p in loaded.problems if p.code.is_input]
    if bad:
        for problem in bad:
            typer.echo(problem_text(problem, loaded.texts), err=True)
        files = len({p.file for p in bad})
        typer.echo(f"rammecalc: {len(bad)} input problem{'s' if len(bad) != 1 else ''} in {files} "
                   f"file{'s' if files != 1 else ''}; nothing was rolled or checked", err=True)
        raise typer.Exit(ExitCode.BAD_INPUT)
    if not (loaded.budgets or loaded.accounts or loaded.sum_tables or loaded.links):
        raise _fail_input("no frame, accounts, sum table or links files among the paths given",
                          "a frame file has 'type: ramme' (changes files are read through the frame that lists "
                          "them); the others 'type: regnskap', 'type: sumtabell' or 'type: koblinger'")
    _apply_sets(loaded, _parse_sets(sets))
    return loaded


def _console():
    """Standard output for tables. Piped or redirected output is 120 wide unless COLUMNS says otherwise."""
    import os

    from rich.console import Console

    piped = not Console().is_terminal
    return Console(highlight=False, width=120 if piped and "COLUMNS" not in os.environ else None)


def _print(console, renderable, width: int) -> None:
    """Print at ``width`` (which may exceed the console's); piped or redirected output has no trailing
    blanks, for tidy logs and diffs."""
    from rich.console import Console

    if console.is_terminal:
        if width > console.width:
            console = Console(highlight=False, width=width, force_terminal=True, color_system=console.color_system)
        console.print(renderable)
        return
    wide = Console(highlight=False, width=width, force_terminal=False, color_system=None)
    with wide.capture() as captured:
        wide.print(renderable)
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


def _amount_option(text: str, name: str) -> Decimal:
    from .core.numbers import AmountError, parse_amount

    try:
        value = parse_amount(text)
    except AmountError as exc:
        raise _fail_input(f"{name}: {exc}") from None
    if value < 0:
        raise _fail_input(f"{name} must not be negative")
    return value


@app.command()
def roll(
    paths: PathsArg = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table: as the source lays it out; json: as data.")
    ] = OutputFormat.TABLE,
    convention: Annotated[
        Convention | None,
        typer.Option("--convention", "-c", help="Show the items in this convention instead of the file's own."),
    ] = None,
    sets: SetOption = None,
) -> None:
    """Roll each frame forward and print its table: start, groups with items and subtotals, new frame."""
    from .core.checks import check
    from .core.roll import convert
    from .core.roll import roll as roll_budget

    loaded = _load(paths, sets)
    tables = []
    for budget in loaded.budgets:
        shown = convert(budget, convention) if convention else budget
        tables.append((budget, roll_budget(shown)))

    if output_format is OutputFormat.JSON:
        from .render import JSON_FORMAT, accounts_data, links_data, sum_table_data, table_data, to_json

        typer.echo(to_json({"format": JSON_FORMAT, "tables": [table_data(t) for _, t in tables],
                            "accounts": [accounts_data(a) for a in loaded.accounts],
                            "sum_tables": [sum_table_data(s) for s in loaded.sum_tables],
                            "links": [links_data(k) for k in loaded.links]}))
        return

    from rich.console import Console
    from rich.measure import Measurement

    from .core.problems import Severity
    from .core.rules import format_rate
    from .render import rich_table

    out = _console()
    err = Console(stderr=True, highlight=False)
    for i, (budget, table) in enumerate(tables):
        if i:
            out.print()
        converted = convention is not None and convention is not budget.frame.convention
        notes = [f"omregnet fra {budget.frame.convention.value}"] if converted else []
        notes += [f"--set {n}{':' + str(y) if y else ''}={format_rate(v).replace(' ', '')}" for n, y, v in budget.overrides]
        note = " · ".join(notes) or None
        rendered = rich_table(table, note)
        # A figure is never cropped: on a terminal too narrow for the table, print it wider and let the
        # terminal wrap the lines.
        needed = Measurement.get(out, out.options.update_width(10_000), rendered).minimum
        _print(out, rendered, width=max(out.width, needed))
        errors = [p for p in check(budget) if p.severity is Severity.ERROR]
        if errors and not budget.overrides:  # with --set, differences from the source are the point
            err.print(f"[yellow]{len(errors)} published figure{'s' if len(errors) != 1 else ''} in "
                      f"{budget.frame.file} differ from the arithmetic; see 'rammecalc check {budget.frame.file}'",
                      soft_wrap=True)
    _roll_other_kinds(loaded, out, err, first=not tables)


def _roll_other_kinds(loaded: Loaded, out, err, first: bool) -> None:
    """Accounts tables, sum tables and links, each laid out like its source, after the frames."""
    from rich.measure import Measurement

    from .core import accounts, links, sums
    from .core.problems import Severity
    from .render import accounts_rich, links_rich, sum_table_rich

    shown = [(t, accounts_rich(t), accounts.check) for t in loaded.accounts]
    shown += [(t, sum_table_rich(t), sums.check) for t in loaded.sum_tables]
    shown += [(k.links, links_rich(k), lambda _, k=k: links.check(k)) for k in loaded.links]
    for i, (doc, rendered, check_doc) in enumerate(shown):
        if i or not first:
            out.print()
        needed = Measurement.get(out, out.options.update_width(10_000), rendered).minimum
        _print(out, rendered, width=max(out.width, needed))
        errors = [p for p in check_doc(doc) if p.severity is Severity.ERROR]
        if errors:
            err.print(f"[yellow]{len(errors)} published figure{'s' if len(errors) != 1 else ''} in {doc.file} "
                      f"differ from the arithmetic; see 'rammecalc check {doc.file}'", soft_wrap=True)


@app.command()
def check(
    paths: PathsArg = None,
    tolerance: Annotated[
        str,
        typer.Option("--tolerance", "-t", help="Differences up to this (in the table's unit) pass as warnings."),
    ] = "0",
    known: Annotated[
        bool,
        typer.Option("--known-differences/--ignore-known-differences",
                     help="Accept the differences a frame records under 'kjente_differanser' (as warnings), "
                     "or check the table exactly as printed."),
    ] = True,
    sets: SetOption = None,
) -> None:
    """Recompute every published figure and report every mismatch as file:line:col. Exit 1 on any."""
    from .core.checks import check as check_budget
    from .core.checks import failed, published_figures
    from .render import problem_text, summary

    limit = _amount_option(tolerance, "--tolerance")
    loaded = _load(paths, sets)
    problems = []
    figures = 0
    for budget in loaded.budgets:
        problems += check_budget(budget, limit, known_differences=known)
        figures += published_figures(budget)
    from .core import accounts, links, sums

    for table in loaded.accounts:
        problems += accounts.check(table, limit, known_differences=known)
        figures += accounts.published_figures(table)
    for sum_table in loaded.sum_tables:
        problems += sums.check(sum_table, limit, known_differences=known)
        figures += sums.published_figures(sum_table)
    for linked in loaded.links:
        problems += links.check(linked, limit)  # an explained difference is not a misprint: always explained
        figures += len(linked.figures)
    for problem in problems:
        typer.echo(problem_text(problem, excerpt=False))
    typer.echo(summary(problems, len(loaded.budgets), figures, len(loaded.files), len(loaded.accounts),
                       len(loaded.sum_tables), sum(len(k.figures) for k in loaded.links)))
    if failed(problems):
        raise typer.Exit(ExitCode.CHECK_FAILED)


@app.command()
def explain(
    path: Annotated[Path, typer.Argument(help="The frame file (or a folder holding only one frame with ITEM).")],
    item: Annotated[str, typer.Argument(
        help="An item's id (or the source's number for it, e.g. 7a), a group's id, 'utgangspunkt' or "
        "'ny_driftsramme'.")],
    year: Annotated[int | None, typer.Argument(help="Only this year (default: every column).")] = None,
    sets: SetOption = None,
) -> None:
    """Show how a figure came about: inputs and where they were written, parameters, formula, rounding."""
    from .core.explain import NotFound, find_item, names
    from .core.explain import explain as build
    from .core.roll import roll as roll_budget
    from .render import explanation_text

    loaded = _load([path], sets)
    matches = [b for b in loaded.budgets if item in names(b) or find_item(b, item) is not None]
    if not matches:
        every = sorted({n for b in loaded.budgets for n in names(b)})
        raise _fail_input(f"'{item}' is no item, group or row of the frames in {path}",
                          "choose one of: " + ", ".join(every))
    if len(matches) > 1:
        raise _fail_input(f"'{item}' is in {len(matches)} frames: "
                          + ", ".join(b.frame.file for b in matches), "pass the frame file")
    budget = matches[0]
    if year is not None and year not in budget.frame.years:
        raise _fail_input(f"{year} is not a column of frame '{budget.frame.id}'",
                          "the columns are " + ", ".join(map(str, budget.frame.years)))
    try:
        explanation = build(budget, roll_budget(budget), item, year)
    except NotFound as exc:  # pragma: no cover - names() and explain() agree
        raise _fail_input(f"'{exc.name}' not found") from None
    typer.echo(explanation_text(explanation))


@app.command()
def schema(
    kind: Annotated[
        SchemaKind, typer.Argument(help="Which document: ramme, endringer, parametere, or alle (any, by 'type').")
    ] = SchemaKind.ALL,
) -> None:
    """Print the JSON Schema of the YAML files, for editors that validate and complete them."""
    from .render import to_json
    from .schema import json_schema

    typer.echo(to_json(json_schema(kind.value)))


def main() -> None:
    """Console-script entry point.

    Bad input never raises (it is reported as problems, exit 2). Anything else that escapes is a bug in
    rammecalc: it is reported in one line with exit code 3, and RAMMECALC_DEBUG=1 shows the traceback.
    """
    import os

    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("RAMMECALC_DEBUG"):
            raise
        typer.echo(f"rammecalc: internal error, a bug in rammecalc and not in your files: "
                   f"{type(exc).__name__}: {exc}", err=True)
        typer.echo("  hint: rerun with RAMMECALC_DEBUG=1 to see where, and report it", err=True)
        sys.exit(ExitCode.INTERNAL_ERROR)
