"""The workbook (``--format xlsx``, or ``-o FILE.xlsx``): every table on a sheet of its own, as its source prints
it, with live formulas; a sheet of contents first and a sheet of check results last.

Built with openpyxl, imported here only: the commands that write no workbook never load it. The figures are
numbers with a Norwegian number format (a thousands separator, the true minus sign ``−``, a decimal comma
where the locale has one); subtotals, result rows, starts, new frames and avvik columns are formulas over
the cells they add up (see :mod:`rammecalc.layout` for what each gives), so an edit to an item flows through.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from .core.terms import Rounding
from .layout import Figure, Formula, Laid, Layout, Ref
from .output import visible

if TYPE_CHECKING:
    from .core.compare import Comparison

#: Where a table's header row is: under the title and the three lines about it, and a blank.
HEADER_ROW = 6
MINUS = "\u2212"
#: The sheets every workbook has besides the tables.
CONTENTS = "Innhold"
CHECKS = "Kontroll"

_EXCEL_ROUND = {Rounding.HALF_UP: "ROUND", Rounding.DOWN: "ROUNDDOWN", Rounding.UP: "ROUNDUP"}


def number_format(decimals: int, percent: bool = False, blank: bool = False) -> str:
    """The Norwegian number format of a figure: thousands grouped, the true minus sign, ``decimals`` decimals;
    a per cent followed by " %". With ``blank`` a zero is not shown (a cell rammecalc leaves blank that holds
    a formula, so that an amount typed into its row shows)."""
    digits = ("0" if percent else "#,##0") + ("." + "0" * decimals if decimals else "")
    suffix = '" %"' if percent else ""
    positive = digits + suffix
    return f'{positive};"{MINUS}"{positive};{"" if blank else positive}'


# -------------------------------------------------------------------------------------------- addresses


def column_letter(n: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Place:
    """Where a laid-out table's cells stand on its sheet (rows down, or, for a table printed transposed, the
    columns down)."""

    def __init__(self, laid: Laid) -> None:
        self.laid = laid
        self.first_column = 2 + (1 if laid.numbered and not laid.transposed else 0)
        self.shown = [r for r, line in enumerate(laid.lines) if not line.heading] if laid.transposed else None
        self._index = {r: n for n, r in enumerate(self.shown)} if self.shown is not None else None

    def cell(self, line: int, cell: int) -> tuple[int, int]:
        """(sheet row, sheet column), 1-based."""
        if self._index is not None:
            return HEADER_ROW + 1 + cell, 2 + self._index[line]
        return HEADER_ROW + 1 + line, self.first_column + cell

    def label(self, line: int) -> tuple[int, int]:
        if self._index is not None:
            return HEADER_ROW, 2 + self._index[line]
        return HEADER_ROW + 1 + line, self.first_column - 1

    def address(self, line: int, cell: int) -> str:
        row, column = self.cell(line, cell)
        return f"{column_letter(column)}{row}"

    @property
    def last_row(self) -> int:
        if self._index is not None:
            return HEADER_ROW + len(self.laid.headers)
        return HEADER_ROW + len(self.laid.lines)


def _two_lines(header: str) -> str:
    """A long column header on two lines, broken at its last space ("Økonomiplan" over "2018"), as the sources
    print them and the table format shows them."""
    return "\n".join(map(visible, header.rsplit(" ", 1))) if len(header) > 12 else visible(header)


def quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


# --------------------------------------------------------------------------------------------- formulas


def excel_formula(formula: Formula, here: str, places: dict[str, Place]) -> str:
    """A formula as Excel writes it: ``=SUM(C8:C11)+C14-C15+1``; a share
    ``=IF(C9=0,"",ROUND(D9/C9*100,1))``."""
    if formula.is_share:
        numerator = _linear(formula.terms, Decimal(0), here, places)
        denominator = _linear(formula.denominator, Decimal(0), here, places)
        share = f"({numerator})/({denominator})*100"
        rounded = _rounded(share, formula.decimals, formula.rounding)
        if formula.constant:
            rounded += _signed_constant(formula.constant)
        return f'=IF(({denominator})=0,"",{rounded})'
    return "=" + _linear(formula.terms, formula.constant, here, places)


def _rounded(expression: str, decimals: int, rounding: Rounding) -> str:
    if rounding is Rounding.HALF_EVEN:
        # Excel has no round-half-to-even of its own: ROUND (half away from zero), less one in the last place
        # where the figure is exactly half way with an even digit before it (MOD gives 0,5 above an even
        # digit, 1,5 below one for a negative figure).
        scaled = f"({expression})*10^{decimals}"
        return (f"(ROUND({expression},{decimals})-IF(MOD({scaled},2)=0.5,1,IF(MOD({scaled},2)=1.5,-1,0))"
                f"*10^-{decimals})")
    return f"{_EXCEL_ROUND[rounding]}({expression},{decimals})"


def _signed_constant(value: Decimal) -> str:
    return ("+" if value > 0 else "-") + format(value.copy_abs(), "f")


def _linear(terms: Sequence[tuple[int, Ref]], constant: Decimal, here: str, places: dict[str, Place]) -> str:
    """Σ sign × cell + constant: the cells added as ``SUM`` of ranges where three or more are added, each cell
    subtracted on its own."""

    def where(ref: Ref) -> tuple[str, int, int]:
        sheet = ref[0] or here
        row, column = places[sheet].cell(ref[1], ref[2])
        return sheet, row, column

    def name(sheet: str, row: int, column: int) -> str:
        prefix = "" if sheet == here else quoted(sheet) + "!"
        return f"{prefix}{column_letter(column)}{row}"

    plus = sorted(where(r) for s, r in terms if s > 0)
    minus = [where(r) for s, r in terms if s < 0]
    ranges: list[str] = []
    run: list[tuple[str, int, int]] = []

    def close() -> None:
        if not run:
            return
        first, last = run[0], run[-1]
        ranges.append(name(*first) if len(run) == 1 else f"{name(*first)}:{column_letter(last[2])}{last[1]}")
        run.clear()

    for cell in sorted(plus, key=lambda c: (c[0], c[2], c[1])):  # down each column
        if run and cell[0] == run[-1][0] and cell[2] == run[-1][2] and cell[1] == run[-1][1] + 1:
            run.append(cell)
        else:
            close()
            run.append(cell)
    close()
    if len(plus) >= 3 or len(ranges) < len(plus):
        text = f"SUM({','.join(ranges)})"
    else:
        text = "+".join(ranges)
    text += "".join("-" + name(*cell) for cell in minus)
    if constant:
        text += _signed_constant(constant)
    if not text:
        return "0"
    return text.removeprefix("+")


# ----------------------------------------------------------------------------------------------- sheets


def roll_workbook(layout: Layout, about: str = "") -> bytes:
    """The workbook of a roll: contents, a sheet per table, the check results."""
    from openpyxl import Workbook

    book = Workbook()
    contents = book.active
    contents.title = CONTENTS
    places = {laid.key: Place(laid) for laid in layout.tables}
    for laid in layout.tables:
        _table_sheet(book.create_sheet(laid.key), laid, places)
    checks = book.create_sheet(CHECKS) if layout.found or layout.tables else None
    _contents(contents, layout, about)
    if checks is not None:
        _checks_sheet(checks, layout, places)
    book.properties.creator = "rammecalc"
    book.properties.title = "rammecalc"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    class S:
        bold = Font(bold=True)
        title = Font(bold=True, size=13)
        italic = Font(italic=True)
        bold_italic = Font(bold=True, italic=True)
        small = Font(size=9, color="555555")
        link = Font(underline="single", color="1F4E79")
        header = Alignment(wrap_text=True, vertical="bottom", horizontal="center")
        header_left = Alignment(wrap_text=True, vertical="bottom")
        line = Border(bottom=Side(style="thin"))
        total = Border(top=Side(style="thin"))
        # a mark that shows in black and white: a dotted frame around a figure that differs from the print
        differs = Border(left=Side(style="dotted"), right=Side(style="dotted"), top=Side(style="dotted"),
                         bottom=Side(style="dotted"))
        differs_fill = PatternFill(fill_type="lightGray")
    return S, Alignment


def _table_sheet(sheet, laid: Laid, places: dict[str, Place]) -> None:
    from openpyxl.comments import Comment

    S, Alignment = _styles()
    place = places[laid.key]
    sheet["A1"] = visible(laid.title)
    sheet["A1"].font = S.title
    for n, line in enumerate(laid.about, start=2):
        sheet.cell(n, 1, visible(line)).font = S.small
    widths: dict[int, int] = {}

    def note_width(column: int, text: str) -> None:
        longest = max((len(part) for part in str(text).split("\n")), default=0)
        widths[column] = max(widths.get(column, 0), longest)

    def put(row: int, column: int, figure: Figure, bold: bool) -> None:
        cell = sheet.cell(row, column)
        if figure.is_text:
            cell.value = visible(figure.text) if figure.text else None
            note_width(column, figure.text)
            return
        if figure.formula is not None:
            cell.value = excel_formula(figure.formula, laid.key, places)
        elif figure.value is not None:
            cell.value = figure.value
        if figure.value is None and figure.formula is None:
            return
        cell.number_format = number_format(figure.decimals, figure.percent, figure.blank)
        cell.alignment = Alignment(horizontal="right")
        font = S.bold_italic if bold and figure.computed else S.bold if bold else S.italic if figure.computed else None
        if font is not None:
            cell.font = font
        if figure.differs:
            cell.border = S.differs
            cell.fill = S.differs_fill
        if figure.note:
            cell.comment = Comment(visible(figure.note), "rammecalc", width=300, height=80)
        note_width(column, figure.text + "  ")

    if laid.transposed:
        sheet.cell(HEADER_ROW, 1, visible(laid.label_header)).font = S.bold
        for r, line in enumerate(laid.lines):
            if line.heading:
                continue
            row, column = place.label(r)
            cell = sheet.cell(row, column, visible(line.label))
            cell.font = S.bold
            cell.alignment = S.header
            cell.border = S.line
            note_width(column, line.label)
        for c, header in enumerate(laid.headers):
            sheet.cell(HEADER_ROW + 1 + c, 1, visible(header))
            note_width(1, header)
            for r, line in enumerate(laid.lines):
                if not line.heading:
                    put(*place.cell(r, c), line.cells[c], line.bold)
    else:
        label_column = place.first_column - 1
        if laid.numbered:
            sheet.cell(HEADER_ROW, 1, visible(laid.number_header)).font = S.bold
        head = sheet.cell(HEADER_ROW, label_column, visible(laid.label_header))
        head.font, head.alignment, head.border = S.bold, S.header_left, S.line
        note_width(label_column, laid.label_header)
        for c, header in enumerate(laid.headers):
            cell = sheet.cell(HEADER_ROW, place.first_column + c, _two_lines(header))
            cell.font, cell.alignment, cell.border = S.bold, S.header, S.line
            note_width(place.first_column + c, max(_two_lines(header).split("\n"), key=len))
        sheet.row_dimensions[HEADER_ROW].height = 30
        for r, line in enumerate(laid.lines):
            row = HEADER_ROW + 1 + r
            if laid.numbered and line.number:
                sheet.cell(row, 1, visible(line.number))
            label = sheet.cell(row, label_column, visible(line.label))
            label.alignment = Alignment(indent=line.depth)
            note_width(label_column, "  " * line.depth + line.label)
            if line.bold:
                label.font = S.bold
            if line.kind == "new_frame":
                for column in range(label_column, place.first_column + len(laid.headers)):
                    sheet.cell(row, column).border = S.total
            for c, figure in enumerate(line.cells):
                put(row, place.first_column + c, figure, line.bold)
        sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, label_column + 1)
    for n, text in enumerate(laid.legend, start=place.last_row + 2):
        sheet.cell(n, 1 if laid.transposed else place.first_column - 1, visible(text)).font = S.small
    for column, width in widths.items():
        sheet.column_dimensions[column_letter(column)].width = min(max(width + 2, 8), 70)


def _contents(sheet, layout: Layout, about: str) -> None:
    from openpyxl.worksheet.hyperlink import Hyperlink

    S, _ = _styles()
    sheet["A1"] = "rammecalc"
    sheet["A1"].font = S.title
    if about:
        sheet["A2"] = visible(about)
        sheet["A2"].font = S.small
    sheet["A3"] = f"Kontroll: {layout.errors} feil, {layout.warnings} advarsler"
    for column, header in enumerate(("Ark", "Tabell", "Kilde", "Feil", "Advarsler"), start=1):
        cell = sheet.cell(5, column, header)
        cell.font, cell.border = S.bold, S.line
    for n, laid in enumerate(layout.tables, start=6):
        link = sheet.cell(n, 1, laid.key)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quoted(laid.key)}!A1", display=laid.key)
        link.font = S.link
        sheet.cell(n, 2, visible(laid.title))
        sheet.cell(n, 3, visible(laid.about[0]) if laid.about else None)
        mine = [f for f in layout.found if f.key == laid.key]
        sheet.cell(n, 4, sum(1 for f in mine if f.problem.severity.value == "error"))
        sheet.cell(n, 5, sum(1 for f in mine if f.problem.severity.value != "error"))
    if layout.found or layout.tables:
        n = 6 + len(layout.tables)
        link = sheet.cell(n, 1, CHECKS)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{CHECKS}!A1", display=CHECKS)
        link.font = S.link
        sheet.cell(n, 2, "Kontrollresultater: hvert funn med tabellen og cellen det gjelder")
    for column, width in zip("ABCDE", (34, 44, 60, 8, 10), strict=True):
        sheet.column_dimensions[column].width = width


CHECK_HEADERS = ("Alvorlighet", "Kode", "Ark", "Celle", "Figur", "Trykt", "Beregnet", "Differanse", "Melding",
                 "Fil:linje:kolonne")


def _checks_sheet(sheet, layout: Layout, places: dict[str, Place]) -> None:
    from openpyxl.worksheet.hyperlink import Hyperlink

    from .report import location

    S, _ = _styles()
    sheet["A1"] = "Kontroll"
    sheet["A1"].font = S.title
    sheet["A2"] = (f"{layout.errors} feil, {layout.warnings} advarsler: hvert trykte tall regnet etter, med "
                   "toleranse 0 og de kjente differansene filene registrerer")
    sheet["A2"].font = S.small
    for column, header in enumerate(CHECK_HEADERS, start=1):
        cell = sheet.cell(4, column, header)
        cell.font, cell.border = S.bold, S.line
    for n, found in enumerate(layout.found, start=5):
        p = found.problem
        sheet.cell(n, 1, "feil" if p.severity.value == "error" else "advarsel")
        sheet.cell(n, 2, p.code.value)
        if found.key is not None:
            place = places[found.key]
            target = "A1" if found.line is None else (
                place.address(found.line, found.cell) if found.cell is not None else
                f"{column_letter(place.label(found.line)[1])}{place.label(found.line)[0]}")
            link = sheet.cell(n, 3, found.key)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quoted(found.key)}!{target}",
                                       display=found.key)
            link.font = S.link
            if found.line is not None:
                cell = sheet.cell(n, 4, target)
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{quoted(found.key)}!{target}",
                                           display=target)
                cell.font = S.link
        if p.figure is not None:
            sheet.cell(n, 5, visible(p.figure + (f" {p.year}" if p.year is not None else "")))
        for column, value in ((6, p.published), (7, p.computed), (8, p.difference)):
            if value is not None:
                cell = sheet.cell(n, column, value)
                cell.number_format = number_format(max(-value.as_tuple().exponent, 0)
                                                   if isinstance(value.as_tuple().exponent, int) else 0)
        sheet.cell(n, 9, visible(p.message))
        sheet.cell(n, 10, location(p))
    for column, width in zip("ABCDEFGHIJ", (11, 24, 32, 8, 40, 12, 12, 11, 100, 60), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A5"


# ---------------------------------------------------------------------------------------------- compare


def compare_workbook(comparison: Comparison) -> bytes:
    """``compare`` as a sheet: the base's new frame, and each variant's new frame (base + difference), its
    difference (the sum of its causes) and the causes, per year; the sums are formulas."""
    from openpyxl import Workbook

    S, Alignment = _styles()
    base = comparison.base
    frame = base.frame
    years = base.years
    book = Workbook()
    sheet = book.active
    sheet.title = "Varianter"
    sheet["A1"] = visible(f"{frame.municipality} · {frame.unit}: varianter")
    sheet["A1"].font = S.title
    sheet["A2"] = visible(f"{frame.source.table or frame.source.document} · {_unit_text(frame)}")
    sheet["A3"] = "Differanse mot grunnlaget, fordelt på årsak (størst først)"
    for text_row in (2, 3):
        sheet.cell(text_row, 1).font = S.small
    sheet.cell(HEADER_ROW, 1, visible(_unit_text(frame))).font = S.bold
    for c, year in enumerate(years, start=2):
        cell = sheet.cell(HEADER_ROW, c, _two_lines(frame.columns[year]))
        cell.font, cell.alignment, cell.border = S.bold, S.header, S.line
    sheet.row_dimensions[HEADER_ROW].height = 30
    fmt = number_format(frame.decimals)
    row = HEADER_ROW + 1
    base_row = row

    def figures(at: int, values: Callable[[int, int], object], bold: bool = False) -> None:
        for c, year in enumerate(years, start=2):
            cell = sheet.cell(at, c, values(c, year))
            cell.number_format = fmt
            if bold:
                cell.font = S.bold

    sheet.cell(row, 1, visible(f"{frame.new_frame_label}, grunnlag")).font = S.bold
    figures(row, lambda c, y: base.new_frame[y], bold=True)
    for variant in comparison.variants:
        row += 2
        own, difference = row, row + 1
        first_cause, last_cause = row + 2, row + 1 + len(variant.attributions)
        sheet.cell(own, 1, visible(" + ".join(variant.labels))).font = S.bold
        figures(own, lambda c, y, d=difference: f"={column_letter(c)}{base_row}+{column_letter(c)}{d}", bold=True)
        sheet.cell(difference, 1, "differanse").alignment = Alignment(indent=1)
        causes = bool(variant.attributions)
        figures(difference, lambda c, y, a=first_cause, b=last_cause, causes=causes:
                f"=SUM({column_letter(c)}{a}:{column_letter(c)}{b})" if causes else 0)
        for n, attribution in enumerate(variant.attributions):
            what = attribution.label if attribution.kind == "item" else \
                f"parameter {attribution.name} ({attribution.label})"
            sheet.cell(first_cause + n, 1, visible(what)).alignment = Alignment(indent=2)
            figures(first_cause + n, lambda c, y, a=attribution: a.values[y])
        row = last_cause if variant.attributions else difference
    sheet.column_dimensions["A"].width = 60
    for c in range(2, 2 + len(years)):
        sheet.column_dimensions[column_letter(c)].width = 13
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 2)
    book.properties.creator = "rammecalc"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _unit_text(frame) -> str:
    from .core.terms import UNIT_TEXT

    unit = UNIT_TEXT[frame.amount_unit.value]
    return f"{unit}, {frame.price_level}" if frame.price_level else unit


__all__ = ["compare_workbook", "excel_formula", "number_format", "roll_workbook"]
