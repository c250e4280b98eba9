"""The command line: the only module that imports typer. It runs the pipeline and picks the exit code.

    load (loading/) → assemble (core/assemble.py) → --set and scenarios (core/pipeline.py, through Loaded's
    methods) → roll (core/roll.py) → check (core/checks.py) → render

It is a thin layer: it parses options, calls the steps a script calls (``loaded.variant(*ids,
parameters=...)``, ``loaded.compare``, ``loaded.set_parameters``), and prints what they return or refuse
(``InputError``), so what the command line can do, the Python API does the same way.

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
from typer.core import TyperCommand, TyperGroup

from . import helptext
from .completion import complete_code, complete_scenario, complete_set
from .core import terms
from .core.terms import Convention
from .output import echo

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
    CSV = "csv"
    MARKDOWN = "markdown"
    XLSX = "xlsx"


class CompareFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    XLSX = "xlsx"
    SVG = "svg"
    PNG = "png"


class ChartFormat(str, Enum):
    TABLE = "table"
    SVG = "svg"
    PNG = "png"


class CsvLayout(str, Enum):
    LONG = "long"
    WIDE = "wide"


class CsvDialect(str, Enum):
    PLAIN = "plain"
    EXCEL_NO = "excel-no"


class ReportFormat(str, Enum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    GITHUB = "github"


class SchemaKind(str, Enum):
    ALL = "alle"
    FRAME = terms.FRAME_KIND
    CHANGES = terms.CHANGES_KIND
    PARAMETERS = terms.PARAMETERS_KIND
    SCENARIO = terms.SCENARIO_KIND
    TABLE = terms.TABLE_KIND
    LINKS = terms.LINKS_KIND


class _HelpInLanguage:
    """A help page in the language of the run (``i18n``: bokmål by --språk nb or the locale), for the group and
    every command. Typer (>= 0.2x) lays pages out with its own copy of click, whose words ("Usage:", "Show this
    message and exit.") are fixed English, so they are swapped here; typer's own ("Options", "Arguments",
    "Commands", "default") it asks the standard gettext for, which ``i18n.set_language`` binds to the catalogue.
    In English nothing changes."""

    def get_help(self, ctx) -> str:
        from . import i18n

        root = ctx.find_root()
        if "language" not in root.params:  # 'rammecalc --help' or 'rammecalc' alone: before --språk is read
            _language(None)
        if i18n.current() != "en":
            i18n.translate_commands(root.command)  # every command's texts: the list of commands shows theirs
        return super().get_help(ctx)

    def get_help_option(self, ctx):
        from . import i18n

        option = super().get_help_option(ctx)
        if option is not None and i18n.current() != "en":
            option.help = i18n.help_text(option.help)
        return option

    def format_usage(self, ctx, formatter) -> None:
        from . import i18n

        if i18n.current() == "en":
            return super().format_usage(ctx, formatter)
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)),
                              prefix=f"{i18n.help_text('Usage:')} ")
        return None


class _Group(_HelpInLanguage, TyperGroup):
    pass


class _Command(_HelpInLanguage, TyperCommand):
    pass


app = typer.Typer(
    name="rammecalc",
    cls=_Group,
    help="Roll Norwegian municipal budget frames (driftsrammer) forward and check published tables: frames, "
    "accounts, sums and the figures that recur across documents.\n\n"
    "'rammecalc COMMAND --help' shows a command's options and examples.",
    epilog=helptext.EXIT_CODES,
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help=helptext.PATHS, show_default=False, metavar="PATH"),
]


FormatOption = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", help="table: as the source lays it out; json, csv, markdown or xlsx (a workbook "
                 "with live formulas): see the README. Default: by --output's extension, else table.",
                 show_default=False),
]
CompareFormatOption = Annotated[
    CompareFormat | None,
    typer.Option("--format", "-f", help="table, json, csv, markdown, xlsx, or svg or png (the attribution as "
                 "waterfall charts). Default: by --output's extension, else table.", show_default=False),
]
LayoutOption = Annotated[
    CsvLayout | None,
    typer.Option("--layout", help="CSV: long (a line per row and year, for scripts; the default) or wide (rows × "
                 "columns, as the table prints them).", show_default=False),
]
DialectOption = Annotated[
    CsvDialect | None,
    typer.Option("--dialect", help="CSV: plain (',' and a decimal point, for scripts; the default) or excel-no "
                 "(';', a decimal comma and a byte-order mark, for Excel in Norway).", show_default=False),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (UTF-8) instead of the screen, all or nothing: a "
                 "failed run leaves no partial file. A FIFO or device is written as a stream.", show_default=False,
                 metavar="FILE"),
]
ScenarioOption = Annotated[
    list[str] | None,
    typer.Option("--scenario", "-s", help="Apply a scenario (its id, or its file); repeat to apply several in "
                 "order. Only the frame it is for is rolled.", show_default=False, autocompletion=complete_scenario,
                 metavar="SCENARIO"),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a parameter: NAME=RATE for every year (prisvekst=2.5%) or NAME:YEAR=RATE for one "
        "(deflator:2024=4.3%). Repeatable; the last one wins.",
        metavar="NAME[:YEAR]=RATE",
        show_default=False,
        autocompletion=complete_set,
    ),
]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        echo(f"rammecalc {version('rammecalc')}")
        raise typer.Exit()


def _language(value: str | None) -> str | None:
    from . import i18n

    i18n.set_language(value or i18n.detect())
    return value


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    language: Annotated[
        str | None,
        typer.Option("--språk", "--sprak", callback=_language, is_eager=True, metavar="nb|en",
                     help="The language of messages and hints: nb (bokmål; nn gives it too) or en. Default: the "
                     "locale (LANG=nb_NO.UTF-8 gives nb), else English. Codes, places, figures and exit codes are "
                     "the same in both.", show_default=False),
    ] = None,
) -> None:
    """Roll budget frames forward and check published frame tables."""


def _fail_input(message: str, hint: str | None = None) -> typer.Exit:
    from .i18n import translate
    from .output import visible

    echo(f"rammecalc: {visible(translate(message))}", err=True)  # one line each, whatever a value in it holds
    if hint:
        echo(f"  {translate('hint')}: {visible(translate(hint))}", err=True)
    return typer.Exit(ExitCode.BAD_INPUT)


def _refuse(exc, loaded: Loaded | None = None) -> typer.Exit:
    """An ``InputError`` of the pipeline (``core.pipeline``), printed as every input problem is: one at a
    file's place with its line and a hint, one with the command line itself as ``rammecalc: message``.
    Returns the exit (2) to raise."""
    from .output import visible
    from .render import problem_text

    for problem in exc.problems:
        if problem.file:
            echo(problem_text(problem, loaded.texts if loaded is not None else None), err=True)
        else:
            from . import i18n

            problem = i18n.problem(problem)
            echo(f"rammecalc: {visible(problem.message)}", err=True)
            if problem.hint:
                echo(f"  {i18n.translate('hint')}: {visible(problem.hint)}", err=True)
    located = [p for p in exc.problems if p.file]
    if located:
        _summary(located)
    return typer.Exit(ExitCode.BAD_INPUT)


def _parse_sets(values: list[str] | None) -> tuple:
    """--set values as overrides (``core.pipeline.parse_sets``); one that cannot be read is exit 2."""
    if not values:
        return ()
    from .core.pipeline import InputError, parse_sets

    try:
        return parse_sets(values)
    except InputError as exc:
        raise _refuse(exc) from None


def _set_on_every_budget(loaded: Loaded, overrides: tuple) -> None:
    """--set without a scenario: the overrides on every budget read (``Loaded.set_parameters``); a name no
    parameter file read defines, or a year no frame read uses, is exit 2."""
    if not overrides:
        return
    from .core.pipeline import InputError

    try:
        loaded.budgets = loaded.set_parameters(overrides).budgets
    except InputError as exc:
        raise _refuse(exc, loaded) from None


def _paths(paths: list[Path] | None) -> list[Path]:
    """The paths given, or ./data."""
    if paths:
        return paths
    if not Path("data").is_dir():
        raise _fail_input("no path given and no 'data' folder here",
                          "pass frame files or a folder, e.g. 'rammecalc roll data/frames/x.yaml'")
    return [Path("data")]


def _read(paths: list[Path] | None) -> Loaded:
    """Load and link everything under ``paths`` (default ./data), with a progress bar on a terminal for a
    run that takes more than a moment; never exits on input problems (they are in ``loaded.problems``)."""
    from .loading import load

    with _Progress() as progress:
        return load(_paths(paths), progress=progress.update)


class _Progress:
    """A rich progress bar on standard error, shown only on a terminal, never in CI (CI set) or when
    standard error is redirected, and only once reading has taken longer than half a second."""

    DELAY = 0.5

    def __init__(self) -> None:
        import os
        import time

        self.enabled = sys.stderr.isatty() and not os.environ.get("CI") and not os.environ.get("RAMMECALC_NO_PROGRESS")
        self.clock = time.monotonic
        self.started_at = self.clock()
        self.bar = None
        self.task = None

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if self.clock() - self.started_at < self.DELAY or done >= total:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("reading files"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                transient=True, console=_stderr_console())
            self.task = self.bar.add_task("read", total=total)
            self.bar.start()
        self.bar.update(self.task, completed=done, total=total)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


_NO_TABLES = ("no frame, table or links file among the paths given",
              ("a frame file has 'type: ramme' (changes files are read through the frame that lists them), a table "
               "'type: tabell', a links file 'type: koblinger'"))


def _has_tables(loaded: Loaded, cached: bool = False) -> bool:
    return bool(cached or loaded.budgets or loaded.tables or loaded.links)


def _require_tables(loaded: Loaded, cached: bool = False) -> None:
    if not _has_tables(loaded, cached):
        raise _fail_input(*_NO_TABLES)


def _no_tables(paths: list[Path]) -> list:
    """The paths hold no table, as problems (one per path, of the whole path), for the machine reports."""
    from .core.problems import Code, Problem, Severity
    from .loading import display_name

    return [Problem(Code.NOT_FOUND, Severity.ERROR, display_name(path), 0, 0,
                    "no frame, table or links file here", _NO_TABLES[1]) for path in paths]


def _load(paths: list[Path] | None) -> Loaded:
    """Load and link; on any input problem print them all to stderr and exit 2."""
    from .render import problem_text

    loaded = _read(paths)
    for notice in (p for p in loaded.problems if not p.code.is_input):  # a file skipped, a link loop
        echo(problem_text(notice, loaded.texts), err=True)
    # Every scenario read must still apply to its frame, as check requires: the two agree on what is usable.
    bad = [p for p in loaded.problems if p.code.is_input] or loaded.scenario_problems()
    if bad:
        _input_problems(bad, loaded)
        raise typer.Exit(ExitCode.BAD_INPUT)
    _require_tables(loaded)
    return loaded


def _console(output: Path | None = None):
    """Standard output for tables. Piped or redirected output is 120 wide unless COLUMNS says otherwise;
    with --output, the table is recorded (not shown) and written to the file at the end."""
    import io
    import os

    from rich.console import Console

    if output is not None:
        console = Console(highlight=False, width=120, file=io.StringIO(), color_system=None)
        console.gathered = []  # _print collects the text here, _finish writes it
        return console
    piped = not Console().is_terminal
    return Console(highlight=False, width=120 if piped and "COLUMNS" not in os.environ else None)


def _with_scenario_files(paths: list[Path] | None, values: list[str]) -> list[Path]:
    """What to read for --scenario: the paths (default ./data) and every scenario given as a file."""
    from .loading import Loaded

    return [*_paths(paths), *(f for f in map(Loaded.scenario_file, values) if f is not None)]


def _input_problems(problems, loaded: Loaded) -> None:
    """Input problems to standard error, each with its line and a hint, and what it means for the run."""
    from .render import problem_text

    for problem in problems:
        echo(problem_text(problem, loaded.texts), err=True)
    _summary(problems)


def _summary(problems) -> None:
    from .i18n import translate

    bad = [p for p in problems if p.code.is_input]
    files = len({p.file for p in bad})
    echo("rammecalc: " + translate(f"{len(bad)} input problem{'s' if len(bad) != 1 else ''} in {files} "
                                   f"file{'s' if files != 1 else ''}; nothing was rolled or checked"), err=True)


def _emit(text: str, output: Path | None, json: bool = False) -> None:
    """Text to standard output, or to ``output`` (see ``output.write_file``; always UTF-8). JSON to a
    stream that is not UTF-8 is written in ASCII, with escapes that keep it exact."""
    if output is not None:
        _write_output(output, text)
    elif json:
        from .output import echo_data, json_ascii

        echo_data(text, json_ascii)
    else:
        echo(text, nl=False)


def _write_output(path: Path, text: str) -> None:
    """--output: a file all or nothing, a FIFO or device as a stream; what stops it is exit 2 with a hint."""
    from .output import OutputError, write_file

    try:
        write_file(path, text)
    except OutputError as exc:
        raise _fail_input(exc.message, exc.hint) from None


def _write_bytes(path: Path, data: bytes) -> None:
    """--output of a binary format (a workbook, a picture), as ``_write_output`` writes text."""
    from .output import OutputError, write_data

    try:
        write_data(path, data)
    except OutputError as exc:
        raise _fail_input(exc.message, exc.hint) from None


def _chosen_format(given, output: Path | None, known: dict[str, str], command: str, default: str = "table") -> str:
    """The format: --format's, else the one --output's extension names, else ``default``; an extension the
    command does not write is exit 2 (never a terminal table in a file named .xlsx)."""
    if given is not None:
        return given.value
    from .formats import UnknownExtension, by_extension

    try:
        return by_extension(output, known, command) or default
    except UnknownExtension as exc:
        raise _fail_input(exc.message, exc.hint) from None


def _needs_file(chosen: str, output: Path | None) -> None:
    """A binary format goes to a file, never to the terminal."""
    if output is None:
        raise _fail_input(f"--format {chosen} writes a file, not text for the screen",
                          f"name the file with --output, e.g. --output rammecalc.{chosen}")


def _csv_options(chosen: str, layout, dialect) -> None:
    """--layout and --dialect are for CSV only."""
    for name, value in (("--layout", layout), ("--dialect", dialect)):
        if value is not None and chosen != "csv":
            raise _fail_input(f"{name} is for CSV, and the format is {chosen}", "add --format csv, or leave it out")


def _finish(console, output: Path | None) -> None:
    """For tables written with --output: the text gathered while printing goes into the file, at once."""
    if output is not None:
        _write_output(output, "".join(console.gathered))


def _print(console, renderable) -> None:
    """Print a table. A figure is never cut: on a console too narrow for the table it is printed wider, and
    the terminal wraps the lines. Piped or redirected output has no trailing blanks (tidy logs and diffs)."""
    import io

    from rich.console import Console
    from rich.measure import Measurement

    width = max(console.width, Measurement.get(console, console.options.update_width(10_000), renderable).minimum)

    if console.is_terminal:
        if width > console.width:
            console = Console(highlight=False, width=width, force_terminal=True, color_system=console.color_system)
        console.print(renderable)
        return
    # Laid out as for a UTF-8 stream whatever standard output's encoding, so that the layout never changes;
    # echo writes what the encoding cannot carry by output.ERRORS (a box line as '-', '−' as '-').
    wide = Console(highlight=False, width=width, force_terminal=False, color_system=None, file=io.StringIO())
    with wide.capture() as captured:
        wide.print(renderable)
    text = "\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n"
    if hasattr(console, "gathered"):
        console.gathered.append(text)
    else:
        echo(text, nl=False)


def _differs(count: int, file: str) -> None:
    """The note under a rolled table whose printed figures do not add up (check says which)."""
    from .i18n import translate

    echo("rammecalc: " + translate(f"{count} published figure{'s' if count != 1 else ''} in {file} "
                                   f"{'differ' if count != 1 else 'differs'} from the arithmetic; see "
                                   f"'rammecalc check {file}'"), err=True)


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
    output_format: FormatOption = None,
    output: OutputOption = None,
    convention: Annotated[
        Convention | None,
        typer.Option("--convention", "-c", help="Show the items in this convention instead of the file's own."),
    ] = None,
    scenarios: ScenarioOption = None,
    sets: SetOption = None,
    layout: LayoutOption = None,
    dialect: DialectOption = None,
) -> None:
    """Roll each frame forward and print its table: start, groups with items and subtotals, new frame."""
    from . import formats
    from .core.checks import check
    from .core.problems import AmountOutOfRange
    from .core.roll import convert
    from .core.roll import roll as roll_budget

    chosen = OutputFormat(_chosen_format(output_format, output, formats.ROLL, "roll"))
    _csv_options(chosen.value, layout, dialect)
    if chosen is OutputFormat.XLSX:
        _needs_file(chosen.value, output)
    overrides = _parse_sets(sets)
    loaded = _load(_with_scenario_files(paths, scenarios) if scenarios else paths)
    if scenarios:
        # Only the scenarios' frame, its names and years checked against it; the command line has the last
        # word, after the scenarios' own settings. The API's loaded.variant(…, parameters=…) does the same.
        from .core.pipeline import InputError

        try:
            budgets = [loaded.variant(*scenarios, parameters=overrides)]
        except InputError as exc:
            raise _refuse(exc, loaded) from None
    else:
        _set_on_every_budget(loaded, overrides)
        budgets = loaded.budgets
    tables, notes = [], []
    for budget in budgets:
        shown = convert(budget, convention) if convention else budget
        if budget.scenarios or budget.overrides:  # the split printed in the source is not the variant's
            start = shown.frame.start.model_copy(update={"split": ()})
            shown = shown.model_copy(update={"frame": shown.frame.model_copy(update={"start": start})})
        try:
            tables.append(roll_budget(shown))
        except AmountOutOfRange as exc:  # a rule's result beyond the limits: bad input, at the rule
            _input_problems(exc.problems, loaded)
            raise typer.Exit(ExitCode.BAD_INPUT) from None
        parts = []
        if budget.scenarios:
            parts.append("scenario: " + " + ".join(loaded.scenarios[s].label for s in budget.scenarios))
        if convention is not None and convention is not budget.frame.convention:
            parts.append(f"omregnet fra {budget.frame.convention.value}")
        # each once: with a scenario the --set overrides are put on again after the scenario's own
        parts += dict.fromkeys(o.origin.removeprefix("set on the command line: ") for o in budget.overrides
                               if o.origin.startswith("set on the command line"))
        notes.append(" · ".join(parts) or None)

    output_format = chosen
    if output_format is OutputFormat.XLSX or (output_format is OutputFormat.CSV and layout is CsvLayout.WIDE):
        _roll_laid_out(loaded, budgets, notes, output_format, output, bool(scenarios), dialect)
        return
    if output_format is not OutputFormat.TABLE:
        from . import render

        others = 0 if scenarios else len(loaded.tables) + len(loaded.links)
        if output_format in (OutputFormat.CSV, OutputFormat.MARKDOWN) and others:
            # csv and markdown lay out frame tables; the other kinds are in the table and json formats.
            if not tables:
                raise _fail_input(f"--format {output_format.value} lays out frame tables, and there is none here",
                                  "use --format table or --format json for tables and links")
            echo(f"rammecalc: --format {output_format.value} has the frame tables only; {others} table(s) or "
                 "links file(s) are left out (use --format table or json)", err=True)

        text = {
            OutputFormat.JSON: lambda: render.to_json({
                "format": render.JSON_FORMAT, "frames": [render.table_data(t) for t in tables],
                # the same keys always; a variant (--scenario) is of one frame, so the others are empty
                "tables": [render.stated_table_data(t, loaded.references.get(t.file)) for t in loaded.tables
                           if not scenarios],
                "links": [render.links_data(k) for k in loaded.links if not scenarios]}) + "\n",
            OutputFormat.CSV: lambda: render.tables_csv(tables, _dialect(dialect)),
            OutputFormat.MARKDOWN: lambda: render.tables_markdown(tables, notes),
        }[output_format]()
        _emit(text, output, json=output_format is OutputFormat.JSON)
        return

    from .core.problems import Severity
    from .render import rich_table

    out = _console(output)
    for i, (budget, table) in enumerate(zip(budgets, tables, strict=True)):
        if i:
            _print(out, "")
        rendered = rich_table(table, notes[i])
        _print(out, rendered)
        own = table if table.frame.convention is budget.frame.convention else None  # not when converted
        errors = [p for p in check(budget, table=own) if p.severity is Severity.ERROR]
        if errors and not budget.overrides and not budget.scenarios:  # a variant is meant to differ
            _differs(len(errors), budget.frame.file)
    if not scenarios:  # a variant is of one frame only
        _roll_other_kinds(loaded, out, first=not tables)
    _finish(out, output)


def _dialect(dialect: CsvDialect | None):
    """The CSV dialect asked for (``None``: the plain one, as ``render`` writes it)."""
    if dialect is None or dialect is CsvDialect.PLAIN:
        return None
    from .csvout import DIALECTS

    return DIALECTS[dialect.value]


def _laid_out(loaded: Loaded, budgets, notes, check: bool = True, tables: bool = True, links: bool = True):
    """Every frame and table laid out (``layout.lay_out``); a rule's result beyond the limits is exit 2."""
    from .core.problems import AmountOutOfRange
    from .layout import lay_out

    try:
        return lay_out(loaded, budgets, notes, check=check, tables=tables, links=links)
    except AmountOutOfRange as exc:
        _input_problems(exc.problems, loaded)
        raise typer.Exit(ExitCode.BAD_INPUT) from None


def _roll_laid_out(loaded: Loaded, budgets, notes, chosen: OutputFormat, output: Path | None, variant: bool,
                   dialect: CsvDialect | None) -> None:
    """roll's outputs laid out as the sources print them: the workbook, and the wide CSV."""
    if chosen is OutputFormat.XLSX:
        from .xlsx import roll_workbook

        laid = _laid_out(loaded, budgets, notes, tables=not variant, links=not variant)
        from importlib.metadata import version

        _write_bytes(output, roll_workbook(laid, f"Laget av rammecalc {version('rammecalc')} (rammecalc roll)"))
        return
    from . import csvout

    laid = _laid_out(loaded, budgets, notes, check=False, tables=not variant, links=False)
    if loaded.links and not variant:
        echo(f"rammecalc: --layout wide has the frames and tables; {len(loaded.links)} links file(s) are left "
             "out (use --format table, json or xlsx)", err=True)
    _emit(csvout.write(csvout.wide_rows(laid.tables), _dialect(dialect) or csvout.PLAIN), output)


def _roll_other_kinds(loaded: Loaded, out, first: bool) -> None:
    """Tables and links, each laid out like its source, after the frames."""
    if not (loaded.tables or loaded.links):
        return  # and a roll of frames alone does not import (and build the models of) the other kinds
    from .core import links
    from .core import table as table_core
    from .core.problems import Severity
    from .render import links_rich, stated_table_rich

    shown = [(t, stated_table_rich(t, loaded.references.get(t.file)),
              lambda t: table_core.check(t, references=loaded.references.get(t.file))) for t in loaded.tables]
    shown += [(k.links, links_rich(k), lambda _, k=k: links.check(k)) for k in loaded.links]
    for i, (doc, rendered, check_doc) in enumerate(shown):
        if i or not first:
            _print(out, "")
        _print(out, rendered)
        errors = [p for p in check_doc(doc) if p.severity is Severity.ERROR]
        if errors:
            _differs(len(errors), doc.file)


@app.command()
def compare(
    paths: PathsArg = None,
    scenarios: Annotated[
        list[str],
        typer.Option("--scenario", "-s", help="A variant: a scenario's id or file, or several joined by '+' "
                     "(applied in that order). Repeat for more variants.", show_default=False,
                     autocompletion=complete_scenario, metavar="A[+B...]"),
    ] = ...,
    output_format: CompareFormatOption = None,
    output: OutputOption = None,
    sets: SetOption = None,
    layout: LayoutOption = None,
    dialect: DialectOption = None,
) -> None:
    """Compare the new frames of a base and its variants, with each difference attributed to its causes."""
    from . import formats
    from .core.pipeline import InputError

    output_format = CompareFormat(_chosen_format(output_format, output, formats.COMPARE, "compare"))
    _csv_options(output_format.value, layout, dialect)
    if output_format in (CompareFormat.XLSX, CompareFormat.PNG):
        _needs_file(output_format.value, output)
    parts = [[part.strip() for part in variant.split("+")] for variant in scenarios]
    overrides = _parse_sets(sets)
    loaded = _load(_with_scenario_files(paths, [p for variant in parts for p in variant]))
    try:
        # --set has the last word in each variant too, after the scenarios' own settings (as in roll)
        comparison = loaded.compare(*parts, parameters=overrides)
    except InputError as exc:
        raise _refuse(exc, loaded) from None

    if output_format is CompareFormat.XLSX:
        from .xlsx import compare_workbook

        _write_bytes(output, compare_workbook(comparison))
        return
    if output_format in (CompareFormat.SVG, CompareFormat.PNG):
        from .chart import comparison_bridges

        _draw(comparison_bridges(comparison), ChartFormat(output_format.value), output)
        return
    from . import render

    if output_format is CompareFormat.TABLE:
        out = _console(output)
        rendered = render.comparison_rich(comparison)
        _print(out, rendered)
        _finish(out, output)
        return
    if output_format is CompareFormat.CSV and layout is CsvLayout.WIDE:
        from . import csvout

        _emit(csvout.write(csvout.comparison_wide_rows(comparison), _dialect(dialect) or csvout.PLAIN), output)
        return
    text = {
        CompareFormat.JSON: lambda: render.to_json(render.comparison_data(comparison)) + "\n",
        CompareFormat.CSV: lambda: render.comparison_csv(comparison, _dialect(dialect)),
        CompareFormat.MARKDOWN: lambda: render.comparison_markdown(comparison),
    }[output_format]()
    _emit(text, output, json=output_format is CompareFormat.JSON)


def _draw(bridges, chosen: ChartFormat, output: Path | None) -> None:
    """Waterfall charts as SVG, PNG or in the terminal (or, with --output, its text in a file)."""
    from . import chart

    if chosen is ChartFormat.TABLE:
        out = _console(output)
        _print(out, chart.terminal(bridges))
        _finish(out, output)
        return
    picture = chart.svg(bridges)
    if chosen is ChartFormat.SVG:
        _emit(picture, output)
        return
    try:
        data = chart.png(picture)
    except chart.NoRasteriser:
        raise _fail_input("PNG needs resvg, which is not installed here",
                          "pip install 'rammecalc[png]', or write SVG: --output bro.svg") from None
    _write_bytes(output, data)


@app.command()
def chart(
    paths: PathsArg = None,
    output: OutputOption = None,
    output_format: Annotated[
        ChartFormat | None,
        typer.Option("--format", "-f", help="table (in the terminal), svg or png. Default: by --output's "
                     "extension (.svg, .png, .txt), else table.", show_default=False),
    ] = None,
    items: Annotated[bool, typer.Option("--items", help="A bar for each item, not for each group.")] = False,
    years: Annotated[
        list[int] | None,
        typer.Option("--year", "-y", help="Only this year (repeat for more). Default: every column; with -s, the "
                     "years the variant differs in.", show_default=False),
    ] = None,
    scenarios: Annotated[
        list[str] | None,
        typer.Option("--scenario", "-s", help="Draw compare's attribution instead: the base's new frame, each cause, "
                     "the variant's (a scenario's id or file, or several joined by '+'). Repeat for more variants.",
                     show_default=False),
    ] = None,
    sets: SetOption = None,
) -> None:
    """Draw a waterfall chart per frame and year: the start, each group's change, the new frame."""
    from . import formats

    chosen = ChartFormat(_chosen_format(output_format, output, formats.CHART, "chart"))
    if chosen is ChartFormat.PNG:
        _needs_file(chosen.value, output)
    overrides = _parse_sets(sets)
    from .chart import comparison_bridges, frame_bridges
    from .core.problems import AmountOutOfRange

    if scenarios:
        from .core.pipeline import InputError

        parts = [[part.strip() for part in variant.split("+")] for variant in scenarios]
        loaded = _load(_with_scenario_files(paths, [p for variant in parts for p in variant]))
        try:
            comparison = loaded.compare(*parts, parameters=overrides)
        except InputError as exc:
            raise _refuse(exc, loaded) from None
        _no_such_year(years, comparison.base.years)
        _draw(comparison_bridges(comparison, years), chosen, output)
        return
    loaded = _load(paths)
    _set_on_every_budget(loaded, overrides)
    if not loaded.budgets:
        raise _fail_input("no frame among the paths given: a chart is drawn of a frame (type: ramme)",
                          "'rammecalc roll' lays out tables and links")
    from .core.roll import roll as roll_budget

    _no_such_year(years, sorted({y for b in loaded.budgets for y in b.frame.years}))
    bridges = []
    for budget in loaded.budgets:
        wanted = [y for y in years if y in budget.frame.years] if years else None
        if years and not wanted:
            continue
        try:
            bridges += frame_bridges(roll_budget(budget), items, wanted)
        except AmountOutOfRange as exc:
            _input_problems(exc.problems, loaded)
            raise typer.Exit(ExitCode.BAD_INPUT) from None
    _draw(bridges, chosen, output)


def _no_such_year(years: list[int] | None, known) -> None:
    missing = [y for y in years or () if y not in known]
    if missing:
        raise _fail_input(f"{missing[0]} is not a column of the frames read",
                          "the years are " + ", ".join(map(str, known)))


@app.command()
def report(
    paths: PathsArg = None,
    output: OutputOption = None,
    sets: SetOption = None,
) -> None:
    """Write one self-contained HTML page: every table, each frame's charts, the checks linked to their cells."""
    from . import formats

    _chosen_format(None, output, formats.REPORT, "report", default="html")
    overrides = _parse_sets(sets)
    loaded = _load(paths)
    _set_on_every_budget(loaded, overrides)
    from .htmlreport import page

    laid = _laid_out(loaded, None, [])
    from .core.problems import AmountOutOfRange

    try:
        html = page(laid)
    except AmountOutOfRange as exc:  # pragma: no cover - lay_out rolled every frame already
        _input_problems(exc.problems, loaded)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    _emit(html, output)
    if laid.errors:
        echo(f"rammecalc: {laid.errors} published figure{'s' if laid.errors != 1 else ''} differ"
             f"{'' if laid.errors != 1 else 's'} from the arithmetic; the report lists "
             f"{'them' if laid.errors != 1 else 'it'} under 'Kontroll'", err=True)

@app.command()
def check(
    paths: PathsArg = None,
    tolerance: Annotated[
        str,
        typer.Option("--tolerance", "-t", help="Differences up to this (in the table's unit) pass as warnings.",
                     metavar="N"),
    ] = "0",
    known: Annotated[
        bool,
        typer.Option("--known-differences/--ignore-known-differences",
                     help="Accept the differences a frame records under 'kjente_differanser' (as warnings), "
                     "or check the table exactly as printed."),
    ] = True,
    sets: SetOption = None,
    report: Annotated[
        ReportFormat,
        typer.Option("--report", "-r", help="text (for people), json, junit (JUnit XML) or github (workflow "
                     "commands); see the README."),
    ] = ReportFormat.TEXT,
    cache: Annotated[
        bool,
        typer.Option("--cache/--no-cache", help="Reuse what was learnt from files that have not changed "
                     "since (the report is the same either way)."),
    ] = True,
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", help="Where the cache lives (default: $RAMMECALC_CACHE_DIR, else the "
                     "system's cache folder: ~/.cache/rammecalc on Linux, see the README).", show_default=False,
                     metavar="DIR"),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Warnings fail the run too (exit 1): a stale known difference, an amount "
                     "in no year, a file skipped. Recorded and tolerated differences still pass."),
    ] = False,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Report only these problem codes (repeat, or separate by commas).",
                     metavar="CODE", show_default=False, autocompletion=complete_code),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="Leave out these problem codes (repeat, or separate by commas). Input "
                     "problems cannot be left out.", metavar="CODE", show_default=False, autocompletion=complete_code),
    ] = None,
) -> None:
    """Recompute every published figure and report every mismatch as file:line:col. Exit 1 on any."""
    from .core.checks import failed
    from .report import TableResult

    limit = _amount_option(tolerance, "--tolerance")
    parsed_sets = _parse_sets(sets)
    selected, ignored = _codes(select, "--select"), _codes(ignore, "--ignore")
    from .checking import FrameChecker, cache_version, options_key, run_check

    store = None
    if cache and not parsed_sets:  # --set is for exploring: every frame is read, so that names can be checked
        from .cache import Cache, default_directory

        store = Cache(cache_dir or default_directory(), cache_version())

    check_frame = FrameChecker(limit, known)

    def with_sets(loaded: Loaded) -> None:
        # --set changes what a frame's rules give: its names and years are checked, and the overrides put on
        # the budgets, before any frame is checked. (Paths with no table are reported below.)
        if _has_tables(loaded):
            _set_on_every_budget(loaded, parsed_sets)

    paths = _paths(paths)
    key = options_key(limit, known, [(o.name, o.year, o.value) for o in parsed_sets])
    with _Progress() as progress:
        run, loaded = run_check(paths, check_frame, key, store, progress.update,
                                prepare=with_sets if parsed_sets else None)
    bad = [p for p in loaded.problems if p.code.is_input]
    if not bad and not _has_tables(loaded, cached=bool(run.tables)):
        if report is ReportFormat.TEXT:
            raise _fail_input(*_NO_TABLES)
        bad = _no_tables(paths)  # a machine report says so in its own form, as for any unusable input
    if not bad:
        bad = loaded.scenario_problems()
    if bad:
        seen = set(loaded.problems)  # a set: a file with thousands of problems is not searched for each
        run.problems = loaded.problems + [p for p in bad if p not in seen]
        run.tables = []
        _report(run, report, loaded, input_failed=True)
        raise typer.Exit(ExitCode.BAD_INPUT)
    run.problems += list(loaded.problems)  # notices, e.g. skipped files
    from .core import links
    from .core import table as table_core

    for table in loaded.tables:
        references = loaded.references.get(table.file)
        run.problems += table_core.check(table, limit, known_differences=known, references=references)
        run.tables.append(TableResult(table.id, (table.file,), "tabell",
                                      table_core.published_figures(table, references)))
    for linked in loaded.links:
        run.problems += links.check(linked, limit)  # an explained difference is not a misprint: always explained
        run.tables.append(TableResult(Path(linked.links.file).stem, (linked.links.file,), "koblinger",
                                      len(linked.figures)))
    if selected or ignored:  # never an input problem: a file that cannot be read is not checked
        kept = [p for p in run.problems if p.code.is_input or (
            (not selected or p.code in selected) and p.code not in ignored)]
        run.ignored, run.problems = len(run.problems) - len(kept), kept
    run.strict = strict
    _report(run, report, loaded)
    if any(p.code.is_input for p in run.problems):  # found while checking (a result beyond the limits)
        raise typer.Exit(ExitCode.BAD_INPUT)
    if failed(run.problems, strict=strict):
        raise typer.Exit(ExitCode.CHECK_FAILED)


def _codes(values: list[str] | None, option: str) -> frozenset:
    """--select and --ignore: problem codes, repeated or separated by commas. An unknown code, or an input
    problem's (which is never left out: the file is not checked), is exit 2."""
    if not values:
        return frozenset()
    from .core import problems
    from .core.problems import Code

    known = {c.value: c for c in Code if not c.is_input}
    codes = set()
    for value in values:
        for text in filter(None, (v.strip() for v in value.split(","))):
            if text.startswith("input-"):
                raise _fail_input(f"{option} {text}: input problems cannot be left out or selected; a file "
                                  "rammecalc cannot read is not checked at all", "correct the file")
            if text not in known:
                near = problems.near(text, known)
                raise _fail_input(f"{option} {text}: no such problem code" + (f"; did you mean {near[0]}?" if near
                                                                                else ""),
                                  "the codes are: " + ", ".join(sorted(known)))
            codes.add(known[text])
    return frozenset(codes)


def _report(run, report: ReportFormat, loaded: Loaded, input_failed: bool = False) -> None:
    """Print a check run in the chosen format. In text, input problems go to standard error with their line
    and a hint, as in every command; the machine formats put everything on standard output."""
    from . import report as reporters

    # One order, whichever frames came from the cache: tables by file and id, problems by place and code.
    run.problems.sort(key=reporters.problem_order)
    run.tables = reporters.sorted_tables(run.tables)
    from . import i18n

    # In the language chosen, after the sorting: the order, like the codes and places, is the same in every one.
    run.problems = [i18n.problem(p) for p in run.problems]
    _step_summary(run)
    if report is ReportFormat.TEXT:
        from .core.problems import Code
        from .render import problem_text

        if input_failed:
            _input_problems(run.problems, loaded)
            return
        for problem in run.problems:
            is_input = problem.code.is_input or problem.line == 0 or problem.code is Code.SKIPPED
            echo(problem_text(problem, loaded.texts, excerpt=is_input), err=is_input)
        echo(reporters.summary_line(run))
        return
    from .output import echo_data, json_ascii, xml_ascii

    if report is ReportFormat.GITHUB:
        echo(reporters.as_github(run), nl=False)
    elif report is ReportFormat.JSON:  # exact in any encoding: ASCII escapes where the stream is not UTF-8
        echo_data(reporters.as_json(run), json_ascii)
    else:
        echo_data(reporters.as_junit(run), xml_ascii)


def _step_summary(run) -> None:
    """On GitHub Actions ($GITHUB_STEP_SUMMARY set), the run as Markdown added to the job's summary page. A
    summary that cannot be written is said on standard error and changes nothing else."""
    import os

    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    from .report import as_step_summary

    try:
        with open(target, "a", encoding="utf-8") as summary:
            summary.write(as_step_summary(run))
    except OSError as exc:
        from .output import visible

        echo(f"rammecalc: cannot add to the step summary {visible(target)}: {exc.strerror or exc}", err=True)


@app.command()
def explain(
    path: Annotated[Path, typer.Argument(help="The frame or table file (or a folder holding only one with "
                                            "ITEM).", metavar="PATH")],
    item: Annotated[str, typer.Argument(
        help="In a frame: an item's id (or the source's number for it, e.g. 7a), a group's id, 'utgangspunkt' or "
        "'ny_driftsramme'. In a table: a row's number, id or label.", metavar="ITEM")],
    year: Annotated[str | None, typer.Argument(help="Only this year (default: every column); in a table, a "
                                                  "column's id or year.", metavar="[YEAR|COLUMN]")] = None,
    sets: SetOption = None,
) -> None:
    """Show how a figure came about: inputs and where they were written, parameters, formula, rounding."""
    from .core.explain import NotFound, find_item, names
    from .core.explain import explain as build
    from .core.roll import roll as roll_budget
    from .render import explanation_text

    overrides = _parse_sets(sets)
    loaded = _load([path])
    _set_on_every_budget(loaded, overrides)
    if not loaded.budgets:
        if loaded.tables:
            _explain_table(loaded, path, item, year)
            return
        raise _fail_input(f"there is no frame or table in {path}: explain follows the figures of frames "
                          "(type: ramme) and tables (type: tabell)",
                          f"'rammecalc roll {path}' lays out links, and 'rammecalc check {path}' checks them")
    if year is not None and not year.isdigit():
        raise _fail_input(f"'{year}' is not a year", "give a column's year, e.g. 2024")
    year = int(year) if year is not None else None
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
    from .core.problems import AmountOutOfRange

    try:
        explanation = build(budget, roll_budget(budget, trace=True), item, year)
    except NotFound as exc:  # pragma: no cover - names() and explain() agree
        raise _fail_input(f"'{exc.name}' not found") from None
    except AmountOutOfRange as exc:  # a rule's result beyond the limits: bad input, at the rule
        _input_problems(exc.problems, loaded)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    echo(explanation_text(explanation))


def _explain_table(loaded: Loaded, path: Path, item: str, column: str | None) -> None:
    """explain on a table: the row named ``item`` in the one table that has it."""
    from .core.explain import NotFound, explain_row
    from .core.table import Names
    from .render import explanation_text

    matches = [t for t in loaded.tables if isinstance(Names(t).find(item), int)]
    if not matches:
        every = sorted({str(r.number or r.id or r.label) for t in loaded.tables for r in t.rows if not r.is_heading})
        raise _fail_input(f"'{item}' is no row of the tables in {path}", "choose one of: " + ", ".join(every))
    if len(matches) > 1:
        raise _fail_input(f"'{item}' is a row of {len(matches)} tables: " + ", ".join(t.file for t in matches),
                          "pass the table's file")
    table = matches[0]
    try:
        explanation = explain_row(table, item, column, loaded.references.get(table.file))
    except NotFound as exc:
        raise _fail_input(f"'{exc.name}' is no column of table '{table.id}'",
                          "the columns are " + ", ".join(exc.candidates)) from None
    echo(explanation_text(explanation))


class ImportReport(str, Enum):
    TEXT = "text"
    JSON = "json"


@app.command("import")
def import_(
    source: Annotated[
        Path, typer.Argument(help="The table: a .txt of text copied from a page (or - for standard input), a "
                             ".csv, an .xlsx, or a .pdf (with --page; needs the 'pdf' extra).",
                             show_default=False)
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The folder to write into (frames/, changes/, tables/ under it).",
                           show_default=False)
    ],
    columns: Annotated[
        str | None,
        typer.Option("--kolonner", help="The figure columns' headers, comma-separated, over what the header says: "
                     "'Budsjett 2024,Økonomiplan 2025,Økonomiplan 2026'."),
    ] = None,
    years: Annotated[
        str | None, typer.Option("--år", help="The figure columns' years: 2024-2027, or 2024,2025,2026.")
    ] = None,
    convention: Annotated[
        Convention | None,
        typer.Option("--konvensjon", help="A frame's convention, if not the one the figures show."),
    ] = None,
    amount_unit: Annotated[
        str | None, typer.Option("--beløpsenhet", help="kr, '1 000 kr', 'mill. kr' or årsverk, if the source's "
                                 "caption does not say.")
    ] = None,
    kommune: Annotated[str | None, typer.Option("--kommune", help="The municipality, if the text does not name it.")]
    = None,
    dokument: Annotated[str | None, typer.Option("--dokument", help="The document's title.")] = None,
    enhet: Annotated[str | None, typer.Option("--enhet", help="The unit (enhet, rammeområde) the table is for.")]
    = None,
    table_id: Annotated[str | None, typer.Option("--id", help="The id of the frame or table written.")] = None,
    page: Annotated[int | None, typer.Option("--page", "--side", help="A PDF's page (from 1).", min=1)] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", "--ark", help="An xlsx workbook's sheet.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files that exist.")] = False,
    report: Annotated[
        ImportReport, typer.Option("--report", "-r", help="text (for people) or json (for scripts).")
    ] = ImportReport.TEXT,
) -> None:
    """Read a published table (copied text, CSV, xlsx, PDF) into checked YAML: every figure placed where the
    table adds up; exit 1 if a placement is not the only one, or the table does not add up, and 2 if
    nothing could be imported."""
    from .core.reading import Hints, parse_years
    from .importing.run import import_source

    hints = Hints(convention=convention.value if convention else None, amount_unit=amount_unit)
    if columns:
        hints.columns = [c.strip() for c in columns.replace("|", ",").split(",") if c.strip()]
    if years:
        try:
            hints.years = parse_years(years)
        except ValueError as exc:
            raise _fail_input(str(exc), "--år takes the figure columns' years: 2024-2027, or 2024,2025,2026") from None
    if amount_unit and amount_unit not in terms.UNIT_TEXT:
        raise _fail_input(f"--beløpsenhet {amount_unit!r} is not a unit", "use kr, '1 000 kr', 'mill. kr' or årsverk")
    run = import_source(source, output, hints=hints, kommune=kommune, dokument=dokument, enhet=enhet, id=table_id,
                        page=page, sheet=sheet, force=force)
    from .render import import_data, import_text

    if report is ImportReport.JSON:
        from .render import to_json

        _emit(to_json(import_data(run)) + "\n", None, json=True)
    else:
        if run.problems:
            from .render import problem_text

            for problem in run.problems:
                echo(problem_text(problem), err=True)
        for warning in run.warnings:
            from .render import problem_text

            echo(problem_text(warning), err=True)
        if not run.problems:
            echo(import_text(run))
    if run.problems:
        raise typer.Exit(ExitCode.BAD_INPUT)
    if run.uncertain or run.check_failed:
        raise typer.Exit(ExitCode.CHECK_FAILED)


@app.command()
def schema(
    kind: Annotated[
        SchemaKind, typer.Argument(help="Which document: ramme, endringer, parametere, scenario, tabell, koblinger, "
                                    "or alle (any, by 'type').", metavar="[KIND]")
    ] = SchemaKind.ALL,
) -> None:
    """Print the JSON Schema of the YAML files, for editors that validate and complete them."""
    from .render import to_json
    from .schema import json_schema

    _emit(to_json(json_schema(kind.value)) + "\n", None, json=True)


class NewKind(str, Enum):
    FRAME = terms.FRAME_KIND
    CHANGES = terms.CHANGES_KIND
    PARAMETERS = terms.PARAMETERS_KIND
    SCENARIO = terms.SCENARIO_KIND
    TABLE = terms.TABLE_KIND
    ACCOUNTS = "regnskap"
    LINKS = terms.LINKS_KIND


@app.command()
def new(
    kind: Annotated[NewKind, typer.Argument(help="ramme (a frame and its changes), endringer, parametere, scenario, "
                                            "tabell (rows and a total), regnskap (regnskap, budsjett, avvik) or "
                                            "koblinger.", metavar="KIND")],
    name: Annotated[str, typer.Argument(help="The new file's id, and its name: data/<kind's folder>/NAME.yaml.",
                                        metavar="NAME")],
    year: Annotated[int | None, typer.Option("--year", "-y", help="The first column's year (default: next year; "
                                             "for regnskap, last year).", show_default=False, metavar="YEAR")] = None,
    frame: Annotated[str | None, typer.Option("--frame", help="endringer, parametere, scenario: the id of the "
                                              "frame it is for (default: NAME); written too if it is not there.",
                                              show_default=False, metavar="ID")] = None,
    data: Annotated[Path, typer.Option("--data", help="The data folder the file goes under.",
                                       metavar="DIR")] = Path("data"),
) -> None:
    """Write a commented skeleton of a new file that checks as it is, with the schema line for the editor."""
    from .skeletons import SkeletonError, run

    try:
        written = run(kind.value, name, data, year, frame)
    except SkeletonError as exc:
        raise _fail_input(exc.message, exc.hint) from None
    for path in written.files:
        echo(f"wrote {path.as_posix()}")
    for note in written.notes:
        echo(f"rammecalc: {note}", err=True)
    echo(f"next: edit it, then 'rammecalc check {data.as_posix()}'")


helptext.install(app)
for _command in app.registered_commands:  # each command's help page in the language of the run
    if _command.cls is TyperCommand:
        _command.cls = _Command


#: The cyclic garbage collector's first threshold while a command runs (Python's default is 700).
GC_THRESHOLD = 50_000


def spare_the_collector() -> None:
    """Keep the cyclic garbage collector from scanning what will never be garbage.

    A process that holds many files' documents at once (a check in one process, a roll or an import of many
    files) builds millions of small containers (a dict per item, a tuple per cell) that live until the end,
    and makes almost no reference cycles; with Python's defaults (a collection every 700 new containers) the
    collector scanned them over and over: about a fifth of the CPU time, for nothing collected (a tenth of
    the bench corpus in one process: 4,57 s CPU with the defaults, 3,59 s like this, 3,59 s with the
    collector off; 10 000 instead of 50 000: 3,91 s; 200 000: no better). A check shared among workers
    holds one frame at a time in each, so there it changes little (3,57 → 3,52 s). ``bench/run.py`` prints
    the line "gc: defaults / tuned" (a tenth, in one process). So: the objects that exist after the imports
    (modules, classes) are frozen (never scanned again), and a collection starts after 50 000 new
    containers instead of 700. Cycles are still collected, so a long session's memory stays bounded; worker
    processes inherit this. ``RAMMECALC_GC=default`` leaves Python's settings alone (for measuring).
    """
    import gc
    import os

    if os.environ.get("RAMMECALC_GC") == "default":
        return
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def main() -> None:
    """Console-script entry point.

    Bad input never raises (it is reported as problems, exit 2). Anything else that escapes is a bug in
    rammecalc: it is reported in one line with exit code 3, and RAMMECALC_DEBUG=1 shows the traceback.
    """
    import os

    from .output import prepare_streams

    # We use no pydantic plugins; looking for them scans every installed package at the first validation.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    spare_the_collector()
    prepare_streams()  # any encoding: what it cannot carry is written another way, never an error
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("RAMMECALC_DEBUG"):
            raise
        echo(f"rammecalc: internal error, a bug in rammecalc and not in your files: "
             f"{type(exc).__name__}: {exc}", err=True)
        echo("  hint: rerun with RAMMECALC_DEBUG=1 to see where, and report it", err=True)
        sys.exit(ExitCode.INTERNAL_ERROR)
