#!/usr/bin/env python3
"""How long ``rammecalc import`` takes to place a table's figures: a 60-row frame copied as text.

    python bench/import_speed.py [--rows 60] [--repeats 5]

The issue's target: a table of 60 rows is placed in under a second, also when several placements must be
tried. Three shapes are timed, each a frame of ``--rows`` rows whose text lost its blank cells, read from
text to files in memory (``core.reading.import_tables``: the search, not the disk):

* ``subtotals``: groups with a printed subtotal above their items (Molde's shape): the sums are local, so
  each group is placed on its own;
* ``headings``: groups under headings with no subtotal (Askøy's shape): every row meets every other only
  in the new frame, one sum per year over all rows — the hard case for the search;
* ``ragged``: items that print one, two or three of five years, flush left or right or in the middle.

Prints the best of ``--repeats`` runs for each, the ratio to the target (1 s), and whether the placement
was found certain. Only time is measured here, nothing asserted (speed is never a test).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from rammecalc.core.reading import Line, Meta, import_tables

YEARS = (2024, 2025, 2026, 2027, 2028)
TARGET = 1.0


def fig(n: int) -> str:
    text = f"{abs(n):,}".replace(",", " ")
    return f"-{text}" if n < 0 else text


def frame(rows: int, shape: str, rng: random.Random) -> str:
    """A frame table's text, as a copy gives it (blank cells gone)."""
    start = [rng.randrange(50_000, 200_000)] * len(YEARS)
    lines = ["Tall i hele tusen kroner", ("Enhet Budsjett 2024 Økonomiplan 2025 Økonomiplan 2026 Økonomiplan 2027 "
             "Økonomiplan 2028")]
    body: list[str] = []
    level = list(start)
    groups = max(2, rows // 12)
    per_group = max(2, (rows - 2 - groups * 2) // groups)
    for g in range(groups):
        items = []
        for i in range(per_group):
            if shape == "ragged":
                k = rng.choice((1, 2, 3))
                first = rng.choice((0, len(YEARS) - k, 1))
                cols = list(range(first, first + k))
            else:
                cols = list(range(len(YEARS)))
            values = [0] * len(YEARS)
            for c in cols:
                values[c] = rng.choice((-1, 1)) * rng.randrange(10, 5000)
            items.append((f"Tiltak {g + 1}.{i + 1} {rng.choice(['drift', 'bemanning', 'lisenser', 'husleie'])}",
                          cols, values))
        total = [sum(v[c] for _, _, v in items) for c in range(len(YEARS))]
        if shape == "subtotals":
            body.append(f"Gruppe {g + 1} " + " ".join(fig(t) for t in total))
        else:
            body.append(f"Gruppe {g + 1}:")
        for label, cols, values in items:
            body.append(label + " " + " ".join(fig(values[c]) for c in cols))
        if shape == "ragged":
            body.append(f"Sum gruppe {g + 1} " + " ".join(fig(t) for t in total))
        for c in range(len(YEARS)):
            level[c] += total[c]
    lines.append("Budsjettramme " + " ".join(fig(v) for v in start))
    lines += body
    lines.append("Ny ramme " + " ".join(fig(v) for v in level))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(60)
    for shape in ("subtotals", "headings", "ragged"):
        text = frame(args.rows, shape, rng)
        lines = [Line(i + 1, t) for i, t in enumerate(text.splitlines())]
        best = float("inf")
        outcome = None
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            outcome = import_tables(lines, Meta("bench.txt", kommune="Bench kommune"))
            best = min(best, time.perf_counter() - t0)
        tables = outcome.tables if outcome else []
        state = ("certain" if tables and tables[0].certain else
                 f"not certain ({tables[0].solutions} placements)" if tables else "no table")
        print(f"{shape:10} {len(lines) - 2:3} rows: {best:6.3f} s  ({best / TARGET:4.2f}× the 1 s target; "
              f"{'met' if best <= TARGET else 'NOT met'}); placement {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
