"""The report page (``rammecalc report PATH -o rapport.html``): one self-contained HTML file with every table
as its source prints it, each frame's waterfall charts, and the check results, each linked to its table and
cell. Nothing is fetched: the styles and the charts (SVG) are in the page, so it opens the same offline, in
a mail, or in an archive years later.
"""

from __future__ import annotations

import html
from importlib.metadata import version

from .chart import frame_bridges, svg
from .core.checks import format_printed
from .core.numbers import format_percent
from .layout import Figure, Laid, Layout
from .output import visible

STYLE = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1.5em; color: #111; line-height: 1.35; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin: 2.2em 0 0.2em; border-top: 1px solid #999; padding-top: 0.8em; }
p.about { margin: 0.1em 0; color: #444; font-size: 0.9em; }
nav ol { columns: 2; column-gap: 3em; font-size: 0.9em; }
nav li { break-inside: avoid; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { padding: 0.15em 0.6em; vertical-align: bottom; }
thead th { border-bottom: 1px solid #000; text-align: right; font-weight: bold; }
thead th.label, td.label, td.text { text-align: left; }
td.figure { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.sum td { font-weight: bold; }
tr.heading td { font-weight: bold; padding-top: 0.6em; }
tr.new_frame td { border-top: 1px solid #000; }
td.computed { font-style: italic; color: #333; }
td.differs { outline: 1px dotted #000; background: #eee; }
td.problem { background: #f3f3f3; }
td.problem a.mark { font-size: 0.75em; vertical-align: super; text-decoration: none; margin-left: 0.2em; }
:target { outline: 2px solid #000; background: #ffffcc; }
p.legend { font-size: 0.85em; color: #333; margin: 0.1em 0; }
figure.charts { display: flex; flex-wrap: wrap; gap: 1em; margin: 1em 0; }
figure.charts svg { width: 100%; max-width: 34em; height: auto; border: 1px solid #ddd; }
table.checks td { vertical-align: top; border-bottom: 1px solid #e5e5e5; font-size: 0.95em; }
table.checks td.where { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; }
.error { font-weight: bold; }
footer { margin-top: 3em; font-size: 0.8em; color: #555; }
@media print { figure.charts svg { max-width: 48%; } h2 { page-break-before: auto; } }
"""


def _e(text: str) -> str:
    return html.escape(visible(text), quote=True)


def cell_id(n: int, line: int, cell: int) -> str:
    return f"t{n}-r{line}-c{cell}"


def page(layout: Layout, title: str = "rammecalc · rapport") -> str:
    """The whole page."""
    index = {laid.key: n for n, laid in enumerate(layout.tables)}
    problems_at: dict[tuple[int, int, int], list[int]] = {}
    for p, found in enumerate(layout.found):
        if found.key is not None and found.line is not None and found.cell is not None:
            problems_at.setdefault((index[found.key], found.line, found.cell), []).append(p)
    counts = (f"{len(layout.tables)} tabeller · {layout.errors} feil · {layout.warnings} advarsler "
              f"(tallene kontrollert med toleranse 0 og filenes kjente differanser)")
    parts = ["<!DOCTYPE html>", '<html lang="nb">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_e(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
             f"<header><h1>{_e(title)}</h1><p class=\"about\">{_e(counts)}</p></header>",
             '<nav><h2 id="innhold">Innhold</h2><ol>']
    parts += [f'<li><a href="#t{n}">{_e(laid.title)}</a> <span class="about">({_e(laid.key)})</span></li>'
              for n, laid in enumerate(layout.tables)]
    parts += ['<li><a href="#kontroll">Kontroll</a></li>', "</ol></nav>"]
    for n, laid in enumerate(layout.tables):
        parts += _section(n, laid, problems_at, layout)
    parts += _checks(layout, index)
    parts += [(f"<footer>Laget av rammecalc {_e(version('rammecalc'))}. Tallene er som kildene trykker dem; "
               "kursiv: beregnet av rammecalc, prikket ramme: avviker fra det trykte tallet.</footer>"),
              "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _shown(figure: Figure) -> tuple[str, list[str]]:
    """A figure's text with the table format's marks, and its classes."""
    if figure.is_text:
        return figure.text, ["text"]
    if figure.value is None and figure.formula is None:
        return "", ["figure"]
    if figure.blank:
        return "", ["figure"]
    classes = ["figure"]
    text = figure.text
    if figure.computed and not figure.percent:
        classes.append("computed")
        text = f"[{text}]"
    if figure.differs:
        classes.append("differs")
        text += "!"
    return text, classes


def _section(n: int, laid: Laid, problems_at: dict, layout: Layout) -> list[str]:
    out = [f'<section id="t{n}" class="{laid.kind}">', f"<h2>{_e(laid.title)}</h2>"]
    out += [f'<p class="about">{_e(line)}</p>' for line in laid.about]

    def td(r: int, c: int, figure: Figure) -> str:
        text, classes = _shown(figure)
        title = ""
        if figure.differs and figure.printed is not None:
            printed = format_percent(figure.printed, figure.decimals) if figure.percent else \
                format_printed(figure.printed)
            title = f"trykt {printed}"
        if figure.note:
            title = (title + "; " if title else "") + figure.note
        marks = ""
        for p in problems_at.get((n, r, c), ()):
            classes.append("problem")
            message = layout.found[p].problem.message
            title = (title + "; " if title else "") + message
            marks += f'<a class="mark" href="#p{p}" title="{_e(message)}">[{p + 1}]</a>'
        attributes = f' title="{_e(title)}"' if title else ""
        return f'<td id="{cell_id(n, r, c)}" class="{" ".join(dict.fromkeys(classes))}"{attributes}>{_e(text)}{marks}</td>'

    out.append("<table>")
    if laid.transposed:
        shown = [r for r, line in enumerate(laid.lines) if not line.heading]
        out.append("<thead><tr><th class=\"label\">" + _e(laid.label_header) + "</th>"
                   + "".join(f"<th>{_e(laid.lines[r].label)}</th>" for r in shown) + "</tr></thead><tbody>")
        for c, header in enumerate(laid.headers):
            out.append(f'<tr><td class="label">{_e(header)}</td>'
                       + "".join(td(r, c, laid.lines[r].cells[c]) for r in shown) + "</tr>")
    else:
        head = ([f'<th class="label">{_e(laid.number_header)}</th>'] if laid.numbered else [])
        head += [f'<th class="label">{_e(laid.label_header)}</th>']
        head += [f"<th>{_e(h)}</th>" for h in laid.headers]
        out.append("<thead><tr>" + "".join(head) + "</tr></thead><tbody>")
        for r, line in enumerate(laid.lines):
            classes = [line.kind] + (["sum"] if line.bold and not line.heading else [])
            cells = ([f'<td class="text">{_e(line.number)}</td>'] if laid.numbered else [])
            cells.append(f'<td class="label" style="padding-left: {0.6 + 1.2 * line.depth:.1f}em">{_e(line.label)}</td>')
            cells += [td(r, c, figure) for c, figure in enumerate(line.cells)]
            out.append(f'<tr class="{" ".join(classes)}">' + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    out += [f'<p class="legend">{_e(line)}</p>' for line in laid.legend]
    if laid.rolled is not None:
        out.append('<figure class="charts">')
        out += [svg([bridge], f"t{n}-{i}") for i, bridge in enumerate(frame_bridges(laid.rolled))]
        out.append("</figure>")
    out.append("</section>")
    return out


def _checks(layout: Layout, index: dict[str, int]) -> list[str]:
    from .report import location

    out = ['<section id="kontroll" class="checks">', "<h2>Kontroll</h2>",
           (f'<p class="about">{layout.errors} feil, {layout.warnings} advarsler: hvert trykte tall regnet etter, '
            "med toleranse 0 og de kjente differansene filene registrerer.</p>")]
    if not layout.found:
        out.append("<p>Alle trykte tall stemmer med regnestykket.</p></section>")
        return out
    out.append('<table class="checks"><thead><tr><th class="label">#</th><th class="label">Alvorlighet</th>'
               '<th class="label">Tabell og celle</th><th class="label">Melding</th><th class="label">Sted</th>'
               "</tr></thead><tbody>")
    for p, found in enumerate(layout.found):
        problem = found.problem
        severity = "feil" if problem.severity.value == "error" else "advarsel"
        if found.key is None:
            where = "–"
        else:
            n = index[found.key]
            laid = layout.tables[n]
            target = f"t{n}" if found.line is None else (
                cell_id(n, found.line, found.cell) if found.cell is not None else f"t{n}")
            what = laid.title
            if found.line is not None:
                what += f", {laid.lines[found.line].label}"
                if found.cell is not None:
                    what += f", {laid.headers[found.cell]}"
            where = f'<a href="#{target}">{_e(what)}</a>'
        out.append(f'<tr id="p{p}"><td>{p + 1}</td><td class="{problem.severity.value}">{severity} '
                   f"<small>{_e(problem.code.value)}</small></td><td>{where}</td><td>{_e(problem.message)}</td>"
                   f'<td class="where">{_e(location(problem))}</td></tr>')
    out.append("</tbody></table></section>")
    return out
