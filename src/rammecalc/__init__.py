"""rammecalc: roll Norwegian municipal budget frames (driftsrammer) forward and check published tables.

The map, one step per module; each step takes typed input and returns typed output:

    load     loading.load(paths)        YAML files → linked budgets, or problems with file:line:col
    link     core.link.link(frame, cs)  a frame and its changes files fit together (called by load)
    roll     core.roll.roll(budget)     start + items = new frame per column → RolledTable
    check    core.checks.check(budget)  every published figure against the arithmetic → problems
    render   render.py                  RolledTable → rich table / JSON; problems → text
    cli      cli.py                     the shell: runs the steps, prints, picks the exit code

Beside the frames, ``load`` returns accounts tables, sum tables and links (``Loaded.accounts``,
``.sum_tables``, ``.links``), checked by ``core.accounts.check``, ``core.sums.check`` and
``core.links.check``.

``core`` is pure (no I/O; no typer, rich or yaml). The names below are the Python API; they are imported
on first use, so ``import rammecalc`` stays cheap::

    import rammecalc
    loaded = rammecalc.load(["data"])
    for budget in loaded.budgets:
        table = rammecalc.roll(budget)
        print(budget.frame.id, table.new_frame)
        print(rammecalc.check(budget))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Budget", "Convention", "Problem", "RolledTable", "check", "convert", "load", "roll"]

_EXPORTS = {
    "load": ("rammecalc.loading", "load"),
    "roll": ("rammecalc.core.roll", "roll"),
    "convert": ("rammecalc.core.roll", "convert"),
    "check": ("rammecalc.core.checks", "check"),
    "Budget": ("rammecalc.core.models", "Budget"),
    "RolledTable": ("rammecalc.core.roll", "RolledTable"),
    "Problem": ("rammecalc.core.problems", "Problem"),
    "Convention": ("rammecalc.core.terms", "Convention"),
}

if TYPE_CHECKING:  # pragma: no cover
    from .core.checks import check
    from .core.models import Budget
    from .core.problems import Problem
    from .core.roll import RolledTable, convert, roll
    from .core.terms import Convention
    from .loading import load


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
