"""What ``--help`` says beyond each command's docstring and options: a short line for the list of commands,
two or three examples, and the exit codes. Kept here, by command name, so that cli.py stays the commands'
declarations and every command's help has the same parts (a test runs every example and requires them of
every command). Plain text, laid out by click at the terminal's width: readable at 80 columns.

Only the standard library: cli.py imports this at start-up.
"""

from __future__ import annotations

#: Under every command's help (and the program's).
EXIT_CODES = ("Exit codes: 0 fine; 1 a published figure does not match (check); 2 unusable input: a file, "
              "the command line or --output; 3 a bug in rammecalc, never your input (report it; "
              "RAMMECALC_DEBUG=1 shows where).")

#: The paths every reading command takes.
PATHS = ("Files or folders: a frame, changes, parameter, scenario, table (tabell) or links (koblinger) file, "
         "or a folder, searched recursively for .yaml and .yml files. Default: ./data.")

#: command → (its line in the list of commands, its examples). Every example runs in the repository as it
#: is (tests/test_editors_shell.py runs them on a copy of data/).
COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "roll": ("Print each frame and table as the source lays it out.", (
        "rammecalc roll data/frames/molde-2017-ressurstjenesten.yaml",
        "rammecalc roll data -s tiltak-12-utsatt --format json -o variant.json",
        "rammecalc roll data --set deflator:2024=4,8%",
    )),
    "compare": ("Compare variants with the base, differences explained.", (
        "rammecalc compare data -s tiltak-12-utsatt",
        "rammecalc compare data -s tiltak-i-løpende-priser+høyere-deflator",
        "rammecalc compare data -s uten-opptrappingsplan --format csv -o diff.csv",
    )),
    "check": ("Recompute every published figure; report mismatches.", (
        "rammecalc check data",
        "rammecalc check --strict --ignore unallocated-amount --report github data",
        "rammecalc check --ignore-known-differences -t 1 data/tables",
    )),
    "explain": ("Show how one figure came about, and from where.", (
        "rammecalc explain data/frames/molde-2017-ressurstjenesten.yaml utgangspunkt",
        "rammecalc explain data/tables/giske-2022-bevilgningsoversikt-drift.yaml 9",
        "rammecalc explain --set prisvekst=2% data/frames prisjustering-2017 2017",
    )),
    "schema": ("Print the JSON Schema of the files, for editors.", (
        "rammecalc schema",
        "rammecalc schema tabell",
    )),
    "import": ("Read a published table into checked YAML files.", (
        "rammecalc import data/kilder/kommunalteknikk.txt -o importert",
        "rammecalc import data/kilder/kommunalteknikk.txt -o importert --report json",
        "rammecalc import data/kilder/kommunalteknikk.txt -o ut --id kt",
    )),
    "chart": ("Draw a bridge (waterfall) chart of frames or variants.", (
        "rammecalc chart data/frames/molde-2017-ressurstjenesten.yaml",
        "rammecalc chart data/frames/molde-2017-ressurstjenesten.yaml -o bro.svg",
        "rammecalc chart data -s tiltak-12-utsatt -o forskjell.svg",
    )),
    "report": ("Write one HTML page of every table, chart and check.", (
        "rammecalc report data -o rapport.html",
        "rammecalc report data/frames -o rammer.html",
    )),
    "new": ("Write a skeleton of a new file that checks as it is.", (
        "rammecalc new ramme test-enhet",
        "rammecalc new regnskap drift-2024 --year 2024",
        "rammecalc new scenario mitt-forslag --frame molde-2017-ressurstjenesten",
    )),
}


def epilog(examples: tuple[str, ...]) -> str:
    """Examples (kept as lines: click's ``\\b``) and the exit codes."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {e}" for e in examples) + "\n\n" + EXIT_CODES


def install(app) -> None:
    """Each registered command's short line and epilog (a command not in :data:`COMMANDS` gets the exit codes
    only, and the test that every command has examples fails)."""
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        short, examples = COMMANDS.get(name, (None, ()))
        if short and command.short_help is None:
            command.short_help = short
        if command.epilog is None:
            command.epilog = epilog(examples) if examples else EXIT_CODES
