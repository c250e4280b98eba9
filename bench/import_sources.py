#!/usr/bin/env python3
"""How long ``rammecalc import`` takes to read a source: a 60-row table as text, CSV, xlsx and PDF.

    python bench/import_sources.py [--rows 60] [--repeats 7]

Writes one synthetic frame table (a label and five years of figures a row, some cells blank, Norwegian
figures such as ``−6 452``) in each of the four forms into a temporary folder, then times
``rammecalc.importing.sources.read_source`` on each, in this process (the import of the modules and of
openpyxl or pdfplumber is paid once, before the timing: it is start-up, not reading). Prints one line per
kind: the best of ``--repeats`` runs in milliseconds, and the cells or lines read. The PDF is written with
reportlab and read with pdfplumber (the ``test`` and ``pdf`` extras); without them its line says so.
Only the time is measured here, nothing asserted; ``tests/test_import_sources.py`` runs it once.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from rammecalc.importing.sources import Source, read_source

YEARS = (2024, 2025, 2026, 2027, 2028)


def figure(n: int) -> str:
    """``n`` as the table prints it: thousands set apart by a space, a minus sign (U+2212)."""
    text = f"{abs(n):,}".replace(",", " ")
    return f"−{text}" if n < 0 else text


def table(rows: int) -> list[list[str]]:
    """A header and ``rows`` rows: a label and five figures, some blank (a change in some years only)."""
    out = [["Beløp i 1 000 kr", *map(str, YEARS)]]
    for r in range(rows - 1):
        cells = [f"Tiltak {r + 1}: endring i rammen"]
        for y in range(len(YEARS)):
            value = ((r * 7919 + y * 104729) % 40000) - 12000
            cells.append("" if (r + y) % 4 == 3 else figure(value))
        out.append(cells)
    return out


def write_text(path: Path, rows: list[list[str]]) -> None:
    path.write_text("".join(" ".join(c for c in row if c) + "\n" for row in rows), encoding="utf-8")


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file, delimiter=";").writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([int(c.replace(" ", "").replace("−", "-")) if c and c[-1].isdigit() and not c[0].isalpha()
                      else (c or None) for c in row])
    book.save(path)


def write_pdf(path: Path, rows: list[list[str]]) -> bool:
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas
    except ImportError:
        return False
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 8)
    y = A4[1] - 40
    for row in rows:
        pdf.drawString(40, y, row[0])
        for i, cell in enumerate(row[1:]):
            if cell:
                pdf.drawRightString(300 + 60 * i, y, cell.replace("−", "-"))  # Helvetica has no U+2212
        y -= 12
    pdf.showPage()
    pdf.save()
    return True


def best_ms(path: Path, repeats: int) -> tuple[float, Source]:
    result = read_source(str(path))  # once before timing: imports openpyxl or pdfplumber
    if not isinstance(result, Source):
        raise SystemExit(f"{path.name}: {result.message}")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = read_source(str(path))
        times.append(time.perf_counter() - start)
    return min(times) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rows = table(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        files = {"text": base / "tabell.txt", "csv": base / "tabell.csv", "xlsx": base / "tabell.xlsx",
                 "pdf": base / "tabell.pdf"}
        write_text(files["text"], rows)
        write_csv(files["csv"], rows)
        write_xlsx(files["xlsx"], rows)
        has_pdf = write_pdf(files["pdf"], rows)
        for kind, path in files.items():
            if kind == "pdf":
                if not has_pdf:
                    print("pdf   skipped: reportlab (the 'test' extra) is not installed")
                    continue
                try:
                    import pdfplumber  # noqa: F401
                except ImportError:
                    print("pdf   skipped: pdfplumber (the 'pdf' extra) is not installed")
                    continue
            ms, source = best_ms(path, args.repeats)
            cells = source.cells
            shape = f"{len(cells)}×{len(cells[0])} cells" if cells else f"{len(source.lines)} lines"
            print(f"{kind:<5} {len(source.lines)} rows {ms:9.2f} ms  ({shape}, {path.stat().st_size:,} bytes)"
                  .replace(",", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
