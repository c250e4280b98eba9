"""rammecalc: roll Norwegian municipal budget frames (driftsrammer) forward and check published tables.

The map, one step per module; each step takes typed input and returns typed output:

    load     loading.load(paths)        YAML files → linked budgets, or problems with file:line:col
    assemble core.assemble.assemble(frame, cs)  a frame and its changes files fit together (by load)
    pipeline core.pipeline              --set and scenarios: found, checked, applied (Loaded's methods)
    roll     core.roll.roll(budget)     start + items = new frame per column → RolledTable
    check    core.checks.check(budget)  every published figure against the arithmetic → problems
    render   render.py                  RolledTable → rich table / JSON; problems → text
    cli      cli.py                     the shell: parses options, runs the steps, prints, picks the exit code

Beside the frames, ``load`` returns the tables that state their figures (statutory forms, accounts,
summaries: ``Loaded.tables``, checked by ``core.table.check``) and links (``Loaded.links``, checked by
``core.links.check``).

``core`` is pure (no I/O; no typer, rich or yaml). The names below are the Python API; they are imported
on first use, so ``import rammecalc`` stays cheap::

    import rammecalc
    loaded = rammecalc.load(["data"])
    for budget in loaded.budgets:
        table = rammecalc.roll(budget)
        print(budget.frame.id, table.new_frame)
        print(rammecalc.check(budget))

    variant = loaded.variant("tiltak-12-utsatt")           # a scenario applied: a new budget
    cheaper = rammecalc.set_parameters(variant, deflator="4,8 %")
    comparison = loaded.compare("tiltak-12-utsatt")        # differences with their causes
    # roll -s tiltak-i-løpende-priser --set deflator:2024=5%, as the command line checks it:
    table = rammecalc.roll(loaded.variant("tiltak-i-løpende-priser", parameters={"deflator": {2024: "5 %"}}))

The command line is a thin layer over the same calls: what it refuses, these refuse with the same words,
raising :class:`InputError` with every problem.

Everything returns data (frozen models and dataclasses with ``Decimal`` amounts); nothing prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "Budget", "Comparison", "Convention", "InputError", "Loaded", "Problem", "RolledTable", "Scenario",
    "ScenarioError", "apply", "check", "compare", "convert", "explain", "format_amount", "format_percent", "load",
    "parse_rate", "roll", "set_parameters",
]

_EXPORTS = {
    "load": ("rammecalc.loading", "load"),
    "roll": ("rammecalc.core.roll", "roll"),
    "convert": ("rammecalc.core.roll", "convert"),
    "check": ("rammecalc.core.checks", "check"),
    "Budget": ("rammecalc.core.models", "Budget"),
    "RolledTable": ("rammecalc.core.roll", "RolledTable"),
    "Problem": ("rammecalc.core.problems", "Problem"),
    "Convention": ("rammecalc.core.terms", "Convention"),
    "Loaded": ("rammecalc.loading", "Loaded"),
    "Scenario": ("rammecalc.core.models", "Scenario"),
    "ScenarioError": ("rammecalc.core.scenarios", "ScenarioError"),
    "InputError": ("rammecalc.core.pipeline", "InputError"),
    "parse_rate": ("rammecalc.core.rules", "parse_rate"),
    "apply": ("rammecalc.core.scenarios", "apply"),
    "set_parameters": ("rammecalc.core.scenarios", "set_parameters"),
    "compare": ("rammecalc.core.compare", "compare"),
    "Comparison": ("rammecalc.core.compare", "Comparison"),
    "explain": ("rammecalc.core.explain", "explain"),
    "format_amount": ("rammecalc.core.numbers", "format_amount"),
    "format_percent": ("rammecalc.core.numbers", "format_percent"),
}

if TYPE_CHECKING:  # pragma: no cover
    from .core.checks import check
    from .core.compare import Comparison, compare
    from .core.explain import explain
    from .core.models import Budget, Scenario
    from .core.numbers import format_amount, format_percent
    from .core.pipeline import InputError
    from .core.problems import Problem
    from .core.roll import RolledTable, convert, roll
    from .core.rules import parse_rate
    from .core.scenarios import ScenarioError, apply, set_parameters
    from .core.terms import Convention
    from .loading import Loaded, load


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        module, attr = _EXPORTS[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rammecalc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
