"""Seed 000, cell by cell: change one published figure by one, and ``check`` flags exactly that figure.

The figures are typed from the seed's table (shared/seeds/000_744496769578b881.txt, "Ramme for budsjett
2017 og økonomiplan 2017–2020", Hele 1 000), not read from our files or our output. Each case finds the
cell in the YAML text by hand-written anchors, bumps it by one in a copy of data/, runs the real command
and checks the single reported line: file, line, column, figure, year and difference.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rammecalc.core.numbers import format_amount

from .cells import problem_lines, replace

# (anchor line in the frame file, key line after it, year, value as printed in the seed)
START = ("utgangspunkt:", "publisert:")
LPV = ("id: lønns-og-prisvekst", "publisert:")
ARE = ("id: andre-rammeendringer", "publisert:")
NEW = ("ny_driftsramme:", "publisert:")
PUBLISHED = [
    # "Opprinnelig budsjett 2016 / utgangspunkt 2017–2020 9 681 9 864 11 999 11 999 11 999"
    (START, 2016, 9681), (START, 2017, 9864), (START, 2018, 11999), (START, 2019, 11999), (START, 2020, 11999),
    # "Lønns- og prisvekst 183 26"
    (LPV, 2016, 183), (LPV, 2017, 26),
    # "Andre rammeendringer 2 109"
    (ARE, 2017, 2109),
    # "Ny driftsramme 9 864 11 999 11 999 11 999 11 999"
    (NEW, 2016, 9864), (NEW, 2017, 11999), (NEW, 2018, 11999), (NEW, 2019, 11999), (NEW, 2020, 11999),
]
# Each figure is named in messages by the table's own label for its row.
FIGURE = {START: "Opprinnelig budsjett 2016 / utgangspunkt 2017–2020", LPV: "Lønns- og prisvekst",
          ARE: "Andre rammeendringer", NEW: "Ny driftsramme"}

# The split printed under the start: "Driftsinntekter -6 452", "Driftsutgifter 16 133 9 864 11 999 11 999 11 999"
INCOME = ("etikett: Driftsinntekter", "beløp:")
EXPENSES = ("etikett: Driftsutgifter", "beløp:")
SPLIT = [(INCOME, 2016, -6452), (EXPENSES, 2016, 16133), (EXPENSES, 2017, 9864), (EXPENSES, 2018, 11999),
         (EXPENSES, 2019, 11999), (EXPENSES, 2020, 11999)]

FRAME = Path("data/frames/molde-2017-ressurstjenesten.yaml")
CHANGES = Path("data/changes/molde-2017-ressurstjenesten.yaml")

# The amounts printed for the lines that are written as rules (changes file, under 'publisert'):
# "Lønnsoppgjør kap. 4 – 2016 169 99", "Lønnsoppgjør kap. 3 og 5 – 2016 14 8",
# "Prisjustering med 1,4 pst. ... 46", "Egenfinansiering av lønnsoppgjør 2017 – 2,2 pst. ... -127"
KAP4 = ("id: lønnsoppgjør-kap4-2016", "publisert:")
KAP35 = ("id: lønnsoppgjør-kap3-5-2016", "publisert:")
PRICE = ("id: prisjustering-2017", "publisert:")
OWN = ("id: egenfinansiering-2017", "publisert:")
ITEMS = [(KAP4, 2016, 169), (KAP4, 2017, 99), (KAP35, 2016, 14), (KAP35, 2017, 8), (PRICE, 2017, 46),
         (OWN, 2017, -127)]
LABEL = {KAP4: "Lønnsoppgjør kap. 4 – 2016", KAP35: "Lønnsoppgjør kap. 3 og 5 – 2016",
         PRICE: "Prisjustering med 1,4 pst. på utvalgte utgiftsposter",
         OWN: "Egenfinansiering av lønnsoppgjør 2017 – 2,2 pst. finansieres med økning i egne inntekter"}


def find_cell(text: str, anchor: tuple[str, str], year: int, value: int) -> tuple[int, int]:
    """1-based (line, column) of ``value`` in ``year: value`` on the ``anchor`` row's line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().removeprefix("- ").startswith(anchor[0]))
    row = next(i for i in range(start, len(lines)) if lines[i].strip().removeprefix("- ").startswith(anchor[1]))
    match = re.search(rf"\b{year}: ({re.escape(str(value))})\b", lines[row])
    assert match, f"{year}: {value} not on line {row + 1}: {lines[row]}"
    return row + 1, match.start(1) + 1


def bump(path: Path, line: int, col: int, value: int) -> None:
    replace(path, line, col, str(value), str(value + 1))


@pytest.mark.parametrize(("anchor", "year", "value"), PUBLISHED,
                         ids=[f"{FIGURE[a]}-{y}" for a, y, _ in PUBLISHED])
def test_one_changed_published_figure_is_flagged_alone(cli, data_copy, anchor, year, value):
    frame = data_copy.parent / FRAME
    line, col = find_cell(frame.read_text(encoding="utf-8"), anchor, year, value)
    bump(frame, line, col, value)

    result = cli("check", FRAME, cwd=data_copy.parent)

    assert result.exit_code == 1, result.output
    reported = problem_lines(result.stdout)
    assert len(reported) == 1, result.stdout
    expected = (f"data/frames/molde-2017-ressurstjenesten.yaml:{line}:{col}: error: {FIGURE[anchor]} {year}: "
                f"published {format_amount(value + 1)}, computed {format_amount(value)} (difference +1)")
    assert reported[0] == expected


@pytest.mark.parametrize(("anchor", "year", "value"), SPLIT, ids=[f"{a[0][9:]}-{y}" for a, y, _ in SPLIT])
def test_one_changed_split_figure_is_flagged_alone(cli, data_copy, anchor, year, value):
    frame = data_copy.parent / FRAME
    text = frame.read_text(encoding="utf-8")
    line, col = find_cell(text, anchor, year, value)
    bump(frame, line, col, value)

    result = cli("check", FRAME, cwd=data_copy.parent)

    assert result.exit_code == 1, result.output
    reported = problem_lines(result.stdout)
    assert len(reported) == 1, result.stdout
    # The start of the column is the total of the split printed under it; the problem is reported at the
    # column's first split cell (in 2016 that is Driftsinntekter, whichever of the two was changed).
    first_line, first_col = find_cell(text, INCOME, 2016, -6452) if year == 2016 else (line, col)
    assert reported[0].startswith(f"data/frames/molde-2017-ressurstjenesten.yaml:{first_line}:{first_col}: error: "
                                  "Fordeling (")
    # the printed split now adds up to one more than the start: published value + 1, computed value
    start = {2016: 9681, 2017: 9864}.get(year, 11999)  # the seed's start row
    assert reported[0].endswith(f"{year}: published {format_amount(start + 1)}, computed {format_amount(start)} "
                                "as the start (difference +1)")


@pytest.mark.parametrize(("anchor", "year", "value"), ITEMS, ids=[f"{a[0][4:]}-{y}" for a, y, _ in ITEMS])
def test_one_changed_printed_item_amount_is_flagged_alone(cli, data_copy, anchor, year, value):
    changes = data_copy.parent / CHANGES
    line, col = find_cell(changes.read_text(encoding="utf-8"), anchor, year, value)
    bump(changes, line, col, value)

    result = cli("check", FRAME, cwd=data_copy.parent)

    assert result.exit_code == 1, result.output
    reported = problem_lines(result.stdout)
    assert len(reported) == 1, result.stdout
    assert reported[0] == (f"data/changes/molde-2017-ressurstjenesten.yaml:{line}:{col}: error: "
                           f"{LABEL[anchor]} {year}: published {format_amount(value + 1)}, computed {format_amount(value)} (difference +1)")


def test_unchanged_seed000_checks_clean(cli):
    result = cli("check", "data/frames/molde-2017-ressurstjenesten.yaml")
    assert result.exit_code == 0, result.output
    # 5 starts + 3 subtotals + 5 new frames + split sums in 5 columns + 6 printed amounts of rule items
    assert result.stdout.strip() == "checked 3 files, 1 table, 24 published figures: 0 errors, 0 warnings"
