"""Waterfall (bridge) charts: from a frame's start through each group (or each item) to its new frame, per
year; and ``compare``'s attribution the same way, from the base's new frame through each cause to the
variant's.

A chart is first a list of steps with their figures (:class:`Bridge`), which are the published ones where
the arithmetic gives them (as the table shows them); then it is drawn: as SVG, written here (small, exact,
and the same on every machine), as PNG (the SVG rasterised by resvg, the optional ``png`` extra), and in the
terminal with rich. The figures, the axis and the labels are in the Norwegian format; the bars are told
apart by fill and pattern as well as by shade (a sum solid, an increase light, a decrease hatched), so the
chart reads in black and white.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from .core.checks import format_printed
from .core.numbers import format_amount
from .core.terms import UNIT_TEXT, Convention
from .output import visible

if TYPE_CHECKING:
    from .core.compare import Comparison
    from .core.roll import RolledTable, Row

ZERO = Decimal(0)


@dataclass(frozen=True)
class Step:
    """A bar: a total (the start, the new frame: from zero to ``value``) or a change (from the level before it
    by ``value``), with the figure as shown."""

    label: str
    value: Decimal
    total: bool
    text: str


@dataclass(frozen=True)
class Bridge:
    title: str
    subtitle: str
    steps: tuple[Step, ...]

    @property
    def levels(self) -> list[tuple[Decimal, Decimal]]:
        """Each bar's (from, to)."""
        out, level = [], ZERO
        for step in self.steps:
            if step.total:
                out.append((ZERO, step.value))
                level = step.value
            else:
                out.append((level, level + step.value))
                level += step.value
        return out

    def describe(self) -> str:
        """The bridge in words: "9 864 → +26 (Lønns- og prisvekst) → +2 109 (Andre rammeendringer) → 11 999"."""
        parts = [step.text if step.total and n in (0, len(self.steps) - 1) else f"{step.text} ({step.label})"
                 for n, step in enumerate(self.steps)]
        return " → ".join(parts)


class NoSuchYear(ValueError):
    """A year asked for (``--year``) that no frame or comparison has."""


# ------------------------------------------------------------------------------------------------ steps


def _shown(row: Row, year: int) -> str:
    """A total's figure as the table shows it: the printed one where the arithmetic gives it."""
    value = row.values.get(year)
    printed = row.published.get(year)
    if printed is not None and (value if value is not None else ZERO) == printed:
        return format_printed(printed)
    return format_amount(value if value is not None else ZERO)


def frame_bridges(table: RolledTable, items: bool = False, years: Sequence[int] | None = None,
                  note: str | None = None) -> list[Bridge]:
    """A bridge per year of the frame (or of ``years`` among its columns): the start, each top-level group's
    change (a block's: its sum less its own start) and each item outside the groups, in printed order, or with
    ``items`` every item; then the new frame. A group or item with no amount in the year has no bar."""
    frame = table.frame
    rows = table.rows
    start_row = next((row for row in rows if row.kind == "start"), None)
    end_row = next(row for row in rows if row.kind == "new_frame")
    parents = {g.id: g.parent for g in frame.groups}
    unit = UNIT_TEXT[frame.amount_unit.value] + (f", {frame.price_level}" if frame.price_level else "")
    out = []
    for year in years or table.years:
        steps = []
        if table.has_base:
            start = table.start[year]
            text = _shown(start_row, year) if start_row is not None else format_amount(start)
            steps.append(Step(start_row.label if start_row is not None else frame.start.label, start, True, text))
        else:  # the changes against a base not given: from zero (inkrementell: the changes up to the year before)
            start = table.start[year]
            given = year != table.years[0] and frame.convention is not Convention.LEVEL
            steps.append(Step(f"{frame.start.label} (ikke oppgitt)", start, True,
                              format_amount(start) if given else "–"))
        for row in rows:
            value = row.values.get(year)
            if row.kind == "item" and (items or row.group is None):
                if value is not None:
                    steps.append(Step(row.label, value, False, format_amount(value, plus=True)))
            elif not items and row.kind == "group" and parents.get(row.id) is None:
                total = table.subtotals[row.id].get(year)
                if total is None:
                    continue
                own_start = table.block_starts.get(row.id, {}).get(year)
                change = total - own_start if own_start is not None else total
                steps.append(Step(row.label.rstrip(": "), change, False, format_amount(change, plus=True)))
        steps.append(Step(end_row.label, table.new_frame[year], True, _shown(end_row, year)))
        subtitle = " · ".join([frame.columns[year], unit] + ([note] if note else []))
        out.append(Bridge(f"{frame.municipality} · {frame.unit}", subtitle, tuple(steps)))
    return out


def comparison_bridges(comparison: Comparison, years: Sequence[int] | None = None) -> list[Bridge]:
    """A bridge per variant and year: the base's new frame, each cause's part of the difference (largest first,
    as ``compare`` lists them), the variant's new frame. Without ``years``, the years the variant differs in
    (every year if it differs in none)."""
    base = comparison.base
    frame = base.frame
    unit = UNIT_TEXT[frame.amount_unit.value] + (f", {frame.price_level}" if frame.price_level else "")
    label = frame.new_frame_label
    out = []
    for variant in comparison.variants:
        chosen = years or [y for y in base.years if variant.difference[y]] or list(base.years)
        name = " + ".join(variant.labels)
        for year in chosen:
            steps = [Step(f"{label}, grunnlag", base.new_frame[year], True, format_amount(base.new_frame[year]))]
            for a in variant.attributions:
                if a.values[year]:
                    what = a.label if a.kind == "item" else f"parameter {a.name}"
                    steps.append(Step(what, a.values[year], False, format_amount(a.values[year], plus=True)))
            end = variant.table.new_frame[year]
            steps.append(Step(f"{label}, variant", end, True, format_amount(end)))
            out.append(Bridge(f"{frame.municipality} · {frame.unit}", f"{name} · {frame.columns[year]} · {unit}",
                              tuple(steps)))
    return out


# -------------------------------------------------------------------------------------------------- SVG

WIDTH = 800
HEIGHT = 420
FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
#: Fills that differ in black and white: a sum solid dark, an increase light grey, a decrease hatched.
TOTAL_FILL = "#333333"
UP_FILL = "#c8c8c8"
HATCH = "rammecalc-hatch"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis ticks (1, 2 or 5 × 10ⁿ apart) that cover ``low``..``high``."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _wrap(text: str, width: int, lines: int) -> list[str]:
    words, out, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(width - 1, 1)].rstrip() + "…"
    return out


def _cut(text: str, width: int) -> str:
    """A title cut to the picture's width (the whole of it is in the picture's description)."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _x(text: str) -> str:
    return escape(visible(text), {'"': "&quot;"})


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _tick_text(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return format_amount(Decimal(f"{value:.{decimals}f}"))


def panel(bridge: Bridge, top: float = 0, hatch: str = HATCH) -> list[str]:
    """One bridge as SVG elements, ``top`` pixels down the picture; ``hatch`` is the id of the decreases'
    pattern."""
    down_fill = f"url(#{hatch})"
    levels = bridge.levels
    values = [float(v) for pair in levels for v in pair]
    low, high = min(values + [0.0]), max(values + [0.0])
    pad = (high - low) * 0.08 or 1
    ticks = nice_ticks(low - (pad if low < 0 else 0), high + (pad if high > 0 else 0))
    d0, d1 = ticks[0], ticks[-1]
    x0, x1 = 84.0, WIDTH - 24.0
    y_top, y_bottom = top + 78.0, top + HEIGHT - 96.0

    def y(value: float) -> float:
        return y_bottom - (value - d0) / (d1 - d0) * (y_bottom - y_top)

    out = ['<g class="bridge">',
           (f'<text x="{_f(x0 - 60)}" y="{_f(top + 26)}" font-size="16" font-weight="bold">'
            f'{_x(_cut(bridge.title, 76))}</text>'),
           f'<text x="{_f(x0 - 60)}" y="{_f(top + 46)}" font-size="12">{_x(_cut(bridge.subtitle, 104))}</text>']
    legend_x = WIDTH - 300.0
    for n, (fill, words) in enumerate(((TOTAL_FILL, "Sum"), (UP_FILL, "Økning"), (down_fill, "Reduksjon"))):
        lx = legend_x + n * 96
        out.append(f'<rect x="{_f(lx)}" y="{_f(top + 54)}" width="14" height="10" fill="{fill}" stroke="#000000" '
                   'stroke-width="0.8"/>')
        out.append(f'<text x="{_f(lx + 19)}" y="{_f(top + 63)}" font-size="11">{words}</text>')
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    for tick in ticks:
        ty = y(tick)
        out.append(f'<line x1="{_f(x0)}" y1="{_f(ty)}" x2="{_f(x1)}" y2="{_f(ty)}" stroke="#d9d9d9" '
                   'stroke-width="0.8"/>')
        out.append(f'<text x="{_f(x0 - 8)}" y="{_f(ty + 4)}" font-size="11" text-anchor="end">'
                   f'{_x(_tick_text(tick, step))}</text>')
    out.append(f'<line x1="{_f(x0)}" y1="{_f(y(0))}" x2="{_f(x1)}" y2="{_f(y(0))}" stroke="#000000" '
               'stroke-width="1"/>')
    slot = (x1 - x0) / len(bridge.steps)
    width = slot * 0.62
    chars = max(8, int(slot / 6.6))
    for n, (step_, (a, b)) in enumerate(zip(bridge.steps, levels, strict=True)):
        bx = x0 + n * slot + (slot - width) / 2
        ya, yb = y(float(a)), y(float(b))
        top_edge, bottom_edge = min(ya, yb), max(ya, yb)
        if bottom_edge - top_edge < 1:
            top_edge, bottom_edge = (top_edge + bottom_edge) / 2 - 0.5, (top_edge + bottom_edge) / 2 + 0.5
        fill = TOTAL_FILL if step_.total else UP_FILL if step_.value >= 0 else down_fill
        kind = "sum" if step_.total else "økning" if step_.value >= 0 else "reduksjon"
        out.append(f'<rect class="{kind}" x="{_f(bx)}" y="{_f(top_edge)}" width="{_f(width)}" '
                   f'height="{_f(bottom_edge - top_edge)}" fill="{fill}" stroke="#000000" stroke-width="0.8">'
                   f'<title>{_x(step_.label)}: {_x(step_.text)}</title></rect>')
        below = max(a, b) <= 0 and min(a, b) < 0  # a bar below zero: its figure under it, clear of the legend
        figure_y = bottom_edge + 15 if below else top_edge - 6
        out.append(f'<text class="figure" x="{_f(bx + width / 2)}" y="{_f(figure_y)}" font-size="12" '
                   f'text-anchor="middle" font-weight="{"bold" if step_.total else "normal"}">{_x(step_.text)}</text>')
        if n + 1 < len(bridge.steps):
            level = y(float(b))
            out.append(f'<line x1="{_f(bx + width)}" y1="{_f(level)}" x2="{_f(bx + slot)}" y2="{_f(level)}" '
                       'stroke="#000000" stroke-width="0.8" stroke-dasharray="3 2"/>')
        lines = _wrap(step_.label, chars, 4)
        tspans = "".join(f'<tspan x="{_f(bx + width / 2)}" dy="{0 if i == 0 else 13}">{_x(line)}</tspan>'
                         for i, line in enumerate(lines))
        out.append(f'<text class="label" x="{_f(bx + width / 2)}" y="{_f(y_bottom + 18)}" font-size="11" '
                   f'text-anchor="middle">{tspans}</text>')
    out.append("</g>")
    return out


def svg(bridges: Sequence[Bridge], name: str = "rammecalc") -> str:
    """The bridges as one SVG picture, one above the other. ``name`` makes the picture's ids its own (several
    pictures in one page)."""
    hatch = f"{name}-hatch"
    height = HEIGHT * max(len(bridges), 1)
    described = "; ".join(f"{b.title}, {b.subtitle}: {b.describe()}" for b in bridges)
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
              f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}" role="img">'),
             f"<title>{_x(bridges[0].title if bridges else 'rammecalc')}</title>",
             f"<desc>{_x(described)}</desc>",
             (f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
              'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
              '<line x1="0" y1="0" x2="0" y2="6" stroke="#000000" stroke-width="2"/></pattern></defs>'),
             f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>']
    for n, bridge in enumerate(bridges):
        parts += panel(bridge, n * HEIGHT, hatch)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


class NoRasteriser(RuntimeError):
    """PNG needs resvg (the ``png`` extra), which is not installed."""


def png(svg_text: str) -> bytes:
    """The SVG as PNG, rasterised by resvg at twice the size (crisp on a screen and in print)."""
    try:
        import resvg_py
    except ImportError:
        raise NoRasteriser("PNG needs resvg, which is not installed") from None
    return bytes(resvg_py.svg_to_bytes(svg_string=svg_text, zoom=2, background="#ffffff"))


# --------------------------------------------------------------------------------------------- terminal

BAR = 40
TOTAL_CHAR, UP_CHAR, DOWN_CHAR = "█", "▓", "░"


def terminal(bridges: Sequence[Bridge]):
    """The bridges for the terminal: a row per bar, the bar along the width, its figure beside it."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts = []
    for n, bridge in enumerate(bridges):
        levels = bridge.levels
        values = [v for pair in levels for v in pair] + [ZERO]
        low, high = min(values), max(values)
        span = (high - low) or Decimal(1)

        def at(value: Decimal, low: Decimal = low, span: Decimal = span) -> int:
            return round(float((value - low) / span) * BAR)

        grid = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
        grid.add_column(ratio=1, overflow="fold", min_width=16, max_width=40)
        grid.add_column(no_wrap=True, width=BAR + 1)
        grid.add_column(justify="right", no_wrap=True)
        for step, (a, b) in zip(bridge.steps, levels, strict=True):
            start, end = sorted((at(a), at(b)))
            if end == start:
                end = start + 1 if start < BAR else start
                start = end - 1
            char = TOTAL_CHAR if step.total else UP_CHAR if step.value >= 0 else DOWN_CHAR
            bar = " " * start + char * (end - start)
            grid.add_row(Text(visible(step.label), style="bold" if step.total else ""), Text(bar.ljust(BAR + 1)),
                         Text(visible(step.text), style="bold" if step.total else ""))
        if n:
            parts.append(Text(""))
        parts += [Text(visible(bridge.title), style="bold"), Text(visible(bridge.subtitle)), grid]
    parts.append(Text(f"{TOTAL_CHAR} sum   {UP_CHAR} økning   {DOWN_CHAR} reduksjon"))
    return Group(*parts)
