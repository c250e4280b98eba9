"""``rammecalc import``: every real table we have, imported from the text as copied, gives the figures of
the hand-checked reading in its header, year by year and cell by cell, and check's verdict on it.

The expected figures below are typed by hand from each fixture's header ("Hand-verified reading") and raw
text, never produced by rammecalc. The fixtures are copies of ../shared/tables and of seeds 000, 001 and
003 (tests/fixtures/import/, each naming its source in its first lines).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import rammecalc

FIXTURES = Path(__file__).parent / "fixtures" / "import"
D = Decimal


def years(first: int, *values) -> dict[int, Decimal]:
    """{first: v0, first+1: v1, …}, a blank (None) left out."""
    return {first + i: D(v) for i, v in enumerate(values) if v is not None}


# ------------------------------------------------------------------------------------- the hand readings

FRAMES = {
    "02_molde-2018-kleive-oppvekstsenter.txt": {
        "convention": "inkrementell", "years": [2017, 2018, 2019, 2020, 2021],
        "start": years(2017, 10536, 11313, 11661, 11661, 11661),
        "split": {"Driftsinntekter": years(2017, -1584), "Driftsutgifter": years(2017, 12120, 11313, 11661, 11661, 11661)},
        "groups": {"Lønns- og prisvekst": years(2017, 140, 106), "Andre rammeendringer": years(2017, 176, -204),
                   "Internt på fagområdet": years(2017, 461, 446)},
        "items": {
            "Egenfinansiering av lønnsoppgjør 2018 – 2,6 pst. finansieres med økning i egne inntekter": years(2018, -28),
            "Lønnsoppgjør kap. 4 – 2017": years(2017, 94, 74),
            "Lønnsoppgjør lokale forhandlinger – 2017": years(2017, 46, 45),
            "Prisjustering med 1,6 pst. på utvalgte utgiftsposter": years(2018, 15),
            "Effekt av statsbudsjett 2018 barnehage": years(2018, -28),
            "Tildeling funksjonshemmede barn vår 2017 – barnehage": years(2017, 109, -109),
            "Tildeling spesialpedagogisk hjelp høst 2017 – barnehage": years(2017, 28, -28),
            "Tildeling spesialpedagogisk hjelp vår 2017 – barnehage": years(2017, 39, -39),
            "Ekstra styrking IKT/læremidler 2017": years(2017, 44, -44),
            "Ekstra vikarressurs tidlig innsats 1. – 4. trinn høst 2017": years(2017, 27, -27),
            "Omfordeling skole – skoleåret 2017/2018": years(2017, 390, 546),
            "Tidlig innsats 1. – 4. trinn 2017": years(2018, -29),
        },
        "new": years(2017, 11313, 11661, 11661, 11661, 11661),
        "errors": [],
    },
    "seed-000_744496769578b881.txt": {
        "convention": "inkrementell", "years": [2016, 2017, 2018, 2019, 2020],
        "start": years(2016, 9681, 9864, 11999, 11999, 11999),
        "split": {"Driftsinntekter": years(2016, -6452), "Driftsutgifter": years(2016, 16133, 9864, 11999, 11999, 11999)},
        "groups": {"Lønns- og prisvekst": years(2016, 183, 26), "Andre rammeendringer": years(2017, 2109)},
        "items": {
            "Lønnsoppgjør kap. 4 – 2016": years(2016, 169, 99),
            "Lønnsoppgjør kap. 3 og 5 – 2016": years(2016, 14, 8),
            "Prisjustering med 1,4 pst. på utvalgte utgiftsposter": years(2017, 46),
            "Egenfinansiering av lønnsoppgjør 2017 – 2,2 pst. finansieres med økning i egne inntekter": years(2017, -127),
            "Kjøp av biler finansiert av reduserte driftskostnader": years(2017, -86),
            "Tilbakeført generelt rammetrekk 2016": years(2017, 200),
            "Statsbudsjett 2016 – opptrappingsplan på rusfeltet oppstart juli/august 2016": years(2017, 754),
            "Statsbudsjett 2017 – opptrappingsplan på rusfeltet": years(2017, 1241),
        },
        "new": years(2016, 9864, 11999, 11999, 11999, 11999),
        "errors": [],
    },
    "07_askoy-2018-kommunalavdeling-stab.txt": {
        "convention": "nivå", "years": [2018, 2019, 2020, 2021],
        "start": years(2018, 90148, 90148, 90148, 90148),
        # the B 2017 column: last year's budget and the adjustment, the split of the 2018 base
        "split": {"Budsjettramme justert for lønns- og prisvekst (B 2017)": years(2018, 87863),
                  "Lønns- og prisjustering fra 2017 til 2018": years(2018, 2284)},
        "groups": {},
        "items": {
            "Kostnader valgavvikling": years(2018, -930, 0, -930, 0),
            "Avsetning til handlefrihet (disposisjonsfond)": years(2018, -469, -477, -484, -493),
            "Omstillingssjef": years(2018, 0, -1000, -1000, -1000),
            "Økt antall lærlinger overført fra Levekår, netto": years(2018, -100, -100, -100, -100),
            "Årsverk IT (drift av skole-PCer) overført fra Oppvekst i 2017 - reversering": years(2018, -575, -575, -575, -575),
            "Årsverk Dokumentsenteret (tjenester for selvkost)": years(2018, -500, -500, -500, -500),
            "Drift eiendomsskatt": years(2018, 1250, 1050, 1050, 1050),
            "Økte kostnader i forbindelse med kjøp av sekretariattjenester til Kontrollutvalget": years(2018, 140, 140, 140, 140),
            "Økt sats politikergodgjørelse 2018": years(2018, 200, 200, 200, 200),
            "Tilskudd til TV aksjonen 2 kroner per innbygger": years(2018, 30, 30, 30, 30),
            "Utvidet hylleplass IKAH": years(2018, 600, 600, 600, 600),
            "Lisenser Microsoft": years(2018, 500, 500, 500, 500),
            "Lisenser ny modul: Agresso, varslingsmodul RiskManager": years(2018, 100, 100, 100, 100),
            "Utvidelse nye lærlingplasser (6 nye i 2017), F 78/17": years(2018, 500, 500, 0, 0),
            "Digital satsing oppbemanning 2 årsverk, delårseffekt i 2018": years(2018, 1700, 2000, 2000, 2000),
            "Overføring til regional digital satsning": years(2018, 500, 500, 500, 500),
            "Nettverk IT (1 årsverk)": years(2018, 900, 900, 900, 900),
            "Ordning og avlevering av avsluttede arkiver": years(2018, 2600, 2600, 2600, 2600),
            "Budsjettvedtak 14.12.2017: Effektivisering i henhold til omstillingstiltak": years(2018, -2000, -2000, -2000, -2000),
        },
        "new": years(2018, 94594, 94616, 93179, 94100),
        # the header: "the base row itself has a 1 kNOK rounding difference" (87 863 + 2 284 = 90 147)
        "errors": [(2018, D(-1))],
    },
    "11_stavanger-2015-barnevern.txt": {
        "convention": "nivå", "years": [2015, 2016, 2017, 2018],
        "start": years(2015, 194868, 194868, 194868, 194868), "split": {},
        "groups": {},
        "items": {"Fosterhjemsutgifter, økte satser og økt volum": years(2015, 4000, 4000, 4000, 4000),
                  "Økt kommunal egenandel, barnevernsinstitusjon": years(2015, 4200, 4200, 4200, 4200),
                  "Rammereduksjon barnevern (stab)": years(2015, -1500, -1500, -1500, -1500),
                  "Effektiviseringskrav": years(2015, -350, -350, -350, -350)},
        "new": years(2015, 201218, 201218, 201218, 201218),
        "errors": [],
    },
    "21_hustadvika-2024-kommunalteknikk.txt": {
        "convention": "inkrementell", "years": [2024, 2025, 2026, 2027],
        "start": years(2024, -7180, -5806, -5821, -5844), "split": {},
        "groups": {"Tiltak:": years(2024, 1683, -15, -23, -34)},
        "items": {"Deflator": years(2024, -309), "Omfordeling kostnader IKT": years(2024, -584),
                  "Oppmåling fra Plan og byggesak": years(2024, 2267),
                  "Prosentvis trekk": years(2024, 0, -15, -23, -34)},
        "new": years(2024, -5806, -5821, -5844, -5878),
        "errors": [],
    },
    "24_hustadvika-2024-bo-og-habilitering.txt": {
        "convention": "inkrementell", "years": [2024, 2025, 2026, 2027],
        "start": years(2024, 122942, 125728, 122922, 122432), "split": {},
        "groups": {"Tiltak:": years(2024, -2500, -2806, -490, -722)},
        "items": {"Deflator": years(2024, 5286), "Effektivisering tjenesteleveransen": years(2024, -2500, -2500),
                  "Prosentvis trekk": years(2025, -306, -490, -722)},
        "new": years(2024, 125728, 122922, 122432, 121710),
        "errors": [],
    },
}

GISKE_17 = {  # nr: (Regnskap 2022, Reg. budsjett 2022, Oppr.budsjett 2022, Regnskap i fjor 2021), "-" = 0
    "1": (262905, 252839, 260139, 257470), "2": (311009, 298692, 273692, 285156), "3": (28024, 28500, 28500, 27939),
    "4": (24894, 17353, 11353, 10267), "5": (626833, 597384, 573684, 580832), "6": (529102, 525395, 510002, 500744),
    "7": (40650, 40650, 39503, 39503), "8": (569753, 566046, 549505, 540247), "9": (57080, 31339, 24179, 40586),
    "10": (2518, 2725, 2725, 2232), "11": (93, 50, 50, 68), "12": (-3901, -3000, 6000, 11771),
    "13": (26055, 26952, 26952, 21689), "14": (37790, 39655, 39655, 39442), "15": (-65136, -66832, -57832, -47060),
    "16": (40650, 40650, 39503, 39503), "17": (32595, 5157, 5850, 33029), "18": (1500, 1500, 1500, 1400),
    "19": (4406, 177, 177, 7674), "20": (-6043, -5235, -5235, -6678), "21": (33829, 9812, 2005, 3988),
    "22": (-1097, -1097, 0, 0), "23": (0, 0, 7403, 26646), "24": (32595, 5157, 5850, 33029), "25": (0, 0, 0, 0),
}
GISKE_27 = {  # Regnskap 2022, Budsjett 2023 … 2027
    "1": (4484, 4766, 4993, 5361, 4993, 5383), "2": (22868, 25933, 31584, 31584, 31384, 31384),
    "3": (-8722, 14403, 14431, 12417, 11543, 11543), "4": (8547, 8694, 12992, 12992, 12992, 12992),
    "5": (221252, 234364, 255063, 257878, 257847, 257817), "6": (54470, 57544, 66043, 66043, 66043, 66043),
    "7": (199758, 180818, 189401, 189401, 189401, 189401), "8": (0, 0, 0, 0, 0, 0),
    "9": (20457, 25737, 20003, 15003, 10003, 5003), "10": (5505, 5751, 6164, 6164, 6164, 6164),
    "12": (484, -1114, -1473, -1468, -1468, -1468),
    "Sum bevillinger drift, netto": (529102, 556897, 599200, 595374, 588902, 584261),
}
TABLES = {
    "15_molde-2022-fellesomrade-regnskap-avvik.txt": [
        {"rows": {"Fellesutgifter og - inntekter": (-88233, -68284, 19949, -78206), "ROR-IKT": (32282, 32447, 165, 37254),
                  "": (-55951, -35837, 20114, -40952)},
         "avvik": "budsjett-2022 - regnskap-2022", "errors": 0},
        {"rows": {"Egenkapitaltilskudd pensjonskasser": (20993, 21000, 7),
                  "Helseplattformen - kjøp av aksjer": (180, 180, 0),
                  "Justeringsrett merverdiavgift": (22520, 100, -22420), "Konserninterne utlån": (343588, 426107, 82519),
                  "Magasinbygg Romsdalsmuseet": (0, 18000, 18000), "Molde Bærekrafthub AS": (7000, 7000, 0),
                  "ROR-IKT – fellesinvesteringer": (7200, 16040, 8840), "Totalsum": (401482, 488427, 86945)},
         "codes": {"Egenkapitaltilskudd pensjonskasser": "95001", "Konserninterne utlån": "90301"},
         "avvik": "budsjett-2022 - regnskap-2022",
         # Totalsum: regnskap +1 (the rows add up to 401 481), avvik −1 (the rows add up to 86 946)
         "errors": 2},
    ],
    "17_giske-2022-lovingsoversikt-drift.txt": [
        # the header itemizes eight ±1 cells (R22 rows 5, 8, 15, 17; RB22 rows 8, 9; R21 rows 9, 24)
        {"rows": GISKE_17, "errors": 8,
         "relations": {"5": "sum: 1-4", "8": "sum: 6-7", "9": "formel: 5 - 8", "15": "formel: 10 + 11 + 12 - 13 - 14",
                       "17": "formel: 9 + 15 + 16", "24": "sum: 18-23"}},
    ],
    "27_giske-2024-lovingsoversikt-rammeomrade.txt": [
        # ±1 in five of six columns (all but Budsjett 2026)
        {"rows": GISKE_27, "errors": 5},
    ],
    "seed-001_194125f7214793be.txt": [
        {"rows": {"Regnskap": (9159, 8722, 36231, 51092), "Budsjett": (9259, 9864, 35120, 47250),
                  "Avvik": (100, 1142, -1111, -3842)}, "errors": 0},
        {"rows": {"Kjøp av biler": (1027, 1058, 31)}, "codes": {"Kjøp av biler": "3600"},
         "avvik": "revidert-budsjett - regnskap", "errors": 0},
    ],
    "seed-003_28b53f9207ccf9b2.txt": [
        {"rows": {"Rustjenesten": ("4",), "ATA-senteret": ("2.5",), "Helsestasjon rus": ("2.1",),
                  "Til sammen": ("8.6",)}, "unit": "årsverk", "errors": 0},
    ],
}


# ------------------------------------------------------------------------------------------------ helpers


def run_import(cli, source: Path, out: Path, *args: str):
    result = cli("import", str(source), "-o", str(out), "--report", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def errors_in(folder: Path) -> list:
    from rammecalc.core import table as table_core
    from rammecalc.core.checks import check
    from rammecalc.core.problems import Severity

    loaded = rammecalc.load([folder])
    problems = []
    for budget in loaded.budgets:
        problems += check(budget)
    for table in loaded.tables:
        problems += table_core.check(table, 0, references=loaded.references.get(table.file))
    return [p for p in problems if p.severity is Severity.ERROR]


def assert_frame(folder: Path, expected: dict) -> None:
    loaded = rammecalc.load([folder])
    assert not [p for p in loaded.problems if p.code.is_input], loaded.problems
    (budget,) = loaded.budgets
    frame = budget.frame
    assert frame.convention.value == expected["convention"]
    assert list(frame.years) == expected["years"]
    assert frame.start.published == expected["start"]
    assert {part.label: part.amounts for part in frame.start.split} == expected["split"]
    assert {g.label: g.published for g in frame.groups if g.published} == expected["groups"]
    assert {item.label: item.amounts for item in budget.items} == expected["items"]
    assert frame.new_frame.published == expected["new"]


def table_cells(table) -> dict[str, tuple]:
    """Each row by number (else label) → its printed figures in column order ('-' read as 0)."""
    money = [c.id for c in table.columns if c.role is None or c.role.value != "tekst"]
    out = {}
    for row in table.rows:
        if row.is_heading:
            continue
        key = str(row.number) if row.number is not None else (row.label or "")
        values = []
        for cid in money:
            v = row.amounts.get(cid)
            if v is not None:
                values.append(D(0) if v == "-" else D(v))
        out[key] = tuple(values)
    return out


def expected_cells(rows: dict) -> dict[str, tuple]:
    return {k: tuple(D(v) for v in vs) for k, vs in rows.items()}


# ---------------------------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_each_real_frame_imports_to_its_hand_reading(cli, tmp_path, name):
    expected = FRAMES[name]
    code, report = run_import(cli, FIXTURES / name, tmp_path / "out")
    (table,) = report["tables"]
    assert table["kind"] == "ramme" and table["certain"] and table["placements"] == 1
    assert_frame(tmp_path / "out", expected)
    errors = errors_in(tmp_path / "out")
    assert [(p.year, p.difference) for p in errors] == expected["errors"]
    assert code == (1 if expected["errors"] else 0)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_real_table_imports_to_its_hand_reading(cli, tmp_path, name):
    code, report = run_import(cli, FIXTURES / name, tmp_path / "out")
    assert [t["kind"] for t in report["tables"]] == ["tabell"] * len(TABLES[name])
    assert all(t["certain"] for t in report["tables"])
    loaded = rammecalc.load([tmp_path / "out"])
    by_file = {Path(t.file).name: t for t in loaded.tables}
    for expected, imported in zip(TABLES[name], report["tables"]):
        table = by_file[Path(imported["files"][0]).name]
        cells = table_cells(table)
        assert cells == expected_cells(expected["rows"])
        if "unit" in expected:
            assert table.amount_unit == expected["unit"]
        for label, code_text in expected.get("codes", {}).items():
            (row,) = [r for r in table.rows if r.label == label]
            assert code_text in row.texts.values()
        if "avvik" in expected:
            (avvik,) = [c for c in table.columns if c.role is not None and c.role.value == "avvik"]
            assert avvik.formula == expected["avvik"]
        for number, relation in expected.get("relations", {}).items():
            (row,) = [r for r in table.rows if str(r.number) == number]
            kind, _, text = relation.partition(": ")
            assert str(row.sum if kind == "sum" else row.formula) == text
        problems = [p for p in errors_in(tmp_path / "out") if Path(p.file).name == Path(table.file).name]
        assert len(problems) == expected["errors"], [p.message for p in problems]
        assert all(abs(p.difference) == 1 for p in problems)
    assert code == (1 if any(t["errors"] for t in TABLES[name]) else 0)


def test_the_files_written_name_their_source_and_what_was_inferred(cli, tmp_path):
    run_import(cli, FIXTURES / "21_hustadvika-2024-kommunalteknikk.txt", tmp_path)
    text = (tmp_path / "frames" / "hustadvika-2024-kommunalteknikk.yaml").read_text(encoding="utf-8")
    assert "# Imported by 'rammecalc import' from 21_hustadvika-2024-kommunalteknikk.txt, lines 45–52" in text
    assert "beløpsenhet: 1 000 kr, from 'Tall i hele tusen kroner.'" in text
    assert "konvensjon: inkrementell (each year's start is the year before's new frame)" in text
    changes = (tmp_path / "changes" / "hustadvika-2024-kommunalteknikk.yaml").read_text(encoding="utf-8")
    assert "  - etikett: Prosentvis trekk\n    kategori: rammetrekk\n    gruppe: tiltak\n" in changes
    assert "  - etikett: Deflator\n    kategori: prisjustering\n    beløp: {2024: -309}" in changes


def test_without_the_header_lines_the_same_frame(cli, tmp_path):
    """The issue's example, with the shared file's '#' header cut off: the same figures."""
    raw = (FIXTURES / "21_hustadvika-2024-kommunalteknikk.txt").read_text(encoding="utf-8")
    bare = tmp_path / "bare.txt"
    bare.write_text("\n".join(line for line in raw.splitlines() if not line.startswith("#")), encoding="utf-8")
    code, _ = run_import(cli, bare, tmp_path / "out", "--kommune", "Hustadvika kommune")
    assert code == 0
    assert_frame(tmp_path / "out", FRAMES["21_hustadvika-2024-kommunalteknikk.txt"])


# ------------------------------------------------------------------ the same tables as CSV and xlsx files

#: The hand readings laid out in cells, as a budget site's "Last ned tabelldata" gives them: blank where the
#: page prints nothing. (Written by the tests from the readings above, not from rammecalc's output.)
GRID_24 = [
    ["Tall i hele tusen kroner."],
    ["Bo og Habilitering", "Budsjett 2024", "Økonomiplan 2025", "Økonomiplan 2026", "Økonomiplan 2027"],
    ["Inngående budsjett", 122942, 125728, 122922, 122432],
    ["Deflator", 5286, None, None, None],
    ["Tiltak:", None, None, None, None],
    ["Effektivisering tjenesteleveransen", -2500, -2500, None, None],
    ["Prosentvis trekk", None, -306, -490, -722],
    ["Sum tiltak", -2500, -2806, -490, -722],
    ["Ny Ramme", 125728, 122922, 122432, 121710],
]
GRID_15 = [
    ["(Beløp i 1 000 kroner)"],
    ["", "Regnskap 2022", "Budsjett 2022", "Avvik", "Budsjett 2023"],
    ["Fellesutgifter og - inntekter", -88233, -68284, 19949, -78206],
    ["ROR-IKT", 32282, 32447, 165, 37254],
    ["", -55951, -35837, 20114, -40952],
]


def norwegian(value) -> str:
    """A figure as a Norwegian page prints it: 122 942, -2 500."""
    if value is None:
        return ""
    text = f"{abs(value):,}".replace(",", " ")
    return ("-" if value < 0 else "") + text


def write_csv(path: Path, grid: list[list]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        for row in grid:
            writer.writerow([c if isinstance(c, str) else norwegian(c) for c in row])


def write_xlsx(path: Path, grid: list[list]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in grid:
        sheet.append(row)
    book.save(path)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_frame_from_a_csv_or_xlsx_download(cli, tmp_path, kind):
    source = tmp_path / f"ramme.{kind}"
    (write_csv if kind == "csv" else write_xlsx)(source, GRID_24)
    code, report = run_import(cli, source, tmp_path / "out", "--kommune", "Hustadvika kommune")
    assert code == 0 and report["tables"][0]["certain"]
    assert_frame(tmp_path / "out", FRAMES["24_hustadvika-2024-bo-og-habilitering.txt"])


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_accounts_table_from_a_csv_or_xlsx_download(cli, tmp_path, kind):
    source = tmp_path / f"regnskap.{kind}"
    (write_csv if kind == "csv" else write_xlsx)(source, GRID_15)
    code, _report = run_import(cli, source, tmp_path / "out", "--kommune", "Molde kommune")
    assert code == 0
    (table,) = rammecalc.load([tmp_path / "out"]).tables
    assert table_cells(table) == expected_cells(TABLES["15_molde-2022-fellesomrade-regnskap-avvik.txt"][0]["rows"])
    (avvik,) = [c for c in table.columns if c.role is not None and c.role.value == "avvik"]
    assert avvik.formula == "budsjett-2022 - regnskap-2022"


# ----------------------------------------------------------------------- never a guess without a word

AMBIGUOUS = """\
Tall i hele tusen kroner
Enhet X Budsjett 2024 Økonomiplan 2025 Økonomiplan 2026
Inngående budsjett 1 000 1 010 1 020
Tiltak A 10
Tiltak B 10
Ny ramme 1 010 1 020 1 020
"""


def test_two_placements_that_both_add_up_are_said_and_exit_1(cli, tmp_path):
    """A and B each print 10 once: 2024 for one and 2025 for the other, and either way round adds up."""
    source = tmp_path / "tvetydig.txt"
    source.write_text(AMBIGUOUS, encoding="utf-8")
    result = cli("import", str(source), "-o", str(tmp_path / "out"), "--kommune", "X kommune")
    assert result.exit_code == 1
    assert "placement: AMBIGUOUS, 2 placements add up" in result.stdout
    assert "line 4 (Tiltak A): read as 2024: 10; another placement adds up too" in result.stdout
    assert "line 5 (Tiltak B): read as 2025: 10; another placement adds up too" in result.stdout
    changes = next((tmp_path / "out" / "changes").iterdir()).read_text(encoding="utf-8")
    assert "  # uncertain: read as 2024: 10; another placement adds up too\n  - etikett: Tiltak A" in changes
    _, report = run_import(cli, source, tmp_path / "again", "--kommune", "X kommune")
    assert report["tables"][0]["certain"] is False and report["tables"][0]["placements"] == 2


#: From the import stress harness (seed 31, case 95): Stavanger's glued copy, where a label's year and the
#: figure after it run together ("– 2014-600"). Read as figures, the two years cancel in 2015 (−2014 and
#: +2014) and the table still adds up; read as the labels' ends, it adds up too. Once, only the first was
#: seen, and the import was certain of it.
GLUED_YEARS = """\
Alle tall i 1 000 kr
Plan og byggesak 2015-201920152016201720182019
Utgangspunkt221 562221 263220 423220 423220 423
11Lønns- og prisjustering-299
Innsparinger:
12Lønnsoppgjør kap. 4 – 2014-600
13Tilbakeført generelt rammetrekk 2014-840
Ny Ramme221 263220 423220 423220 423219 823
"""


def test_a_year_glued_between_a_label_and_its_figure_is_never_read_as_a_figure_without_a_word(cli, tmp_path):
    source = tmp_path / "limt.txt"
    source.write_text(GLUED_YEARS, encoding="utf-8")
    result = cli("import", str(source), "-o", str(tmp_path / "out"), "--kommune", "X kommune")
    assert result.exit_code == 1, result.stdout
    assert "placement: AMBIGUOUS, 2 placements add up" in result.stdout
    # the likeliest reading written is the labels with their years, and the figures as printed
    assert "line 6 (Lønnsoppgjør kap. 4 – 2014): read as 2019: -600; another placement adds up too" in result.stdout
    assert "line 7 (Tilbakeført generelt rammetrekk 2014): read as 2016: -840; another placement adds up too" \
        in result.stdout


#: A glued copy where a zero cell runs into the next figure ("Tiltak A0500500500": 0, 500, 500, 500). The
#: plainest reading (0 and 500 500 500) is far bigger than the frame and goes; the row is still an item,
#: not a heading, and its zero is a figure of its own (no figure starts with a zero).
GLUED_ZEROS = """\
Alle tall i 1 000 kr
Enhet X 2024 2025 2026 2027
Utgangspunkt10 00010 00010 00010 000
Tiltak A0500500500
Tiltak B0-100-100-100
Ny ramme10 00010 40010 40010 400
"""


def test_a_zero_glued_to_the_next_figure_is_read_as_a_zero(cli, tmp_path):
    source = tmp_path / "nuller.txt"
    source.write_text(GLUED_ZEROS, encoding="utf-8")
    result = cli("import", str(source), "-o", str(tmp_path / "out"), "--kommune", "X kommune")
    assert result.exit_code == 0, result.stdout
    assert "placement: every figure in the only column where the table adds up" in result.stdout
    changes = next((tmp_path / "out" / "changes").iterdir()).read_text(encoding="utf-8")
    assert "beløp: {2024: 0, 2025: 500, 2026: 500, 2027: 500}" in changes
    assert "beløp: {2024: 0, 2025: -100, 2026: -100, 2027: -100}" in changes


def test_a_table_with_a_row_cut_out_is_written_as_read_and_exit_1(cli, tmp_path):
    """Hustadvika's Bo og habilitering without its Deflator row: no placement gives the 2024 new frame."""
    raw = (FIXTURES / "24_hustadvika-2024-bo-og-habilitering.txt").read_text(encoding="utf-8")
    source = tmp_path / "kuttet.txt"
    source.write_text(raw.replace("Deflator 5 286\n", ""), encoding="utf-8")
    result = cli("import", str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "placement: NO placement adds up" in result.stdout
    assert "line 44 (Effektivisering tjenesteleveransen): read as 2024: -2 500, 2025: -2 500; no placement adds " \
           "up" in result.stdout
    assert "line 42 (Inngående budsjett)" not in result.stdout  # a row with every year printed is not in doubt
    assert "check: " in result.stdout and "0 errors" not in result.stdout


def test_a_text_without_a_table_is_unusable_input(cli, tmp_path):
    source = tmp_path / "prosa.txt"
    source.write_text("Rammeområdet jobber med tiltak for å realisere kuttet på 2,5 mill. kroner.\n", encoding="utf-8")
    result = cli("import", str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "prosa.txt:1:1: error: no table found to import" in result.stderr
    assert "hint: copy the table with its header line" in result.stderr
    assert not (tmp_path / "out").exists()


def test_files_in_the_way_are_not_overwritten_without_force(cli, tmp_path):
    source = FIXTURES / "11_stavanger-2015-barnevern.txt"
    assert cli("import", str(source), "-o", str(tmp_path)).exit_code == 0
    frame = tmp_path / "frames" / "stavanger-2015-barneverntjenesten.yaml"
    frame.write_text("# mine\n", encoding="utf-8")
    result = cli("import", str(source), "-o", str(tmp_path))
    assert result.exit_code == 2
    assert f"{frame}:1:1: error: the file exists; the import writes nothing over it" in result.stderr
    assert frame.read_text(encoding="utf-8") == "# mine\n"
    assert cli("import", str(source), "-o", str(tmp_path), "--force").exit_code == 0
    assert frame.read_text(encoding="utf-8").startswith("# yaml-language-server")


@pytest.mark.parametrize("args, message", [
    (["--år", "2027-2024"], "'2027-2024': the years run backwards"),
    (["--beløpsenhet", "dollar"], "--beløpsenhet 'dollar' is not a unit"),
])
def test_bad_hints_are_refused(cli, tmp_path, args, message):
    result = cli("import", str(FIXTURES / "11_stavanger-2015-barnevern.txt"), "-o", str(tmp_path), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_missing_source_is_unusable_input(cli, tmp_path):
    result = cli("import", str(tmp_path / "finnes-ikke.txt"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "finnes-ikke.txt" in result.stderr and "Traceback" not in result.output


def test_a_frame_from_a_pdf_page(cli, tmp_path):
    """The same grid drawn on a PDF page (figures right-aligned under their years, blank cells blank)."""
    pytest.importorskip("pdfplumber", reason="reading a PDF needs the 'pdf' extra")
    canvas = pytest.importorskip("reportlab.pdfgen.canvas", reason="the test draws its PDF with reportlab")
    source = tmp_path / "ramme.pdf"
    page = canvas.Canvas(str(source))
    page.setFont("Helvetica", 9)
    y = 780
    for row in GRID_24:
        page.drawString(40, y, row[0])
        for i, value in enumerate(row[1:]):
            if value is not None:
                page.drawRightString(300 + i * 80, y, value if isinstance(value, str) else norwegian(value))
        y -= 14
    page.save()
    code, report = run_import(cli, source, tmp_path / "out", "--kommune", "Hustadvika kommune")
    assert code == 0 and report["tables"][0]["certain"]
    assert_frame(tmp_path / "out", FRAMES["24_hustadvika-2024-bo-og-habilitering.txt"])


PERCENT = """\
Økonomi (Beløp i 1 000 kroner)
Enhet Regnskap 2023 Budsjett 2023 Avvik Avvik i %
Skole 10 500 10 000 -500 -5,0 %
Barnehage 8 000 8 200 200 2,4 %
Sum 18 500 18 200 -300 -1,6 %
"""


def test_a_column_of_per_cents_becomes_a_share_of_two_columns(cli, tmp_path):
    """−500 ÷ 10 000 = −5,0 %, 200 ÷ 8 200 = 2,44 → 2,4 %, −300 ÷ 18 200 = −1,65 → −1,6 % (half up)."""
    source = tmp_path / "avvik.txt"
    source.write_text(PERCENT, encoding="utf-8")
    code, _ = run_import(cli, source, tmp_path / "out", "--kommune", "X kommune")
    assert code == 0
    (table,) = rammecalc.load([tmp_path / "out"]).tables
    share = table.columns[-1]
    assert (share.share.numerator, share.share.denominator, share.decimals) == ("avvik", "budsjett-2023", 1)
    assert [row.amounts[share.id] for row in table.rows] == [D("-5.0"), D("2.4"), D("-1.6")]


DOTTED = """\
Beløp i 1 000 kr
Enhet Budsjett 2024 Økonomiplan 2025
Inngående budsjett 1.500 2.500
Tiltak 1.000
Ny ramme 2.500 2.500
"""


def test_a_full_stop_that_could_group_thousands_or_mark_decimals_is_said(cli, tmp_path):
    """Every figure has one full stop and three digits after it: 1 500 + 1 000 = 2 500 adds up, and so does
    1,5 + 1,0 = 2,5. Nothing in the caption says whole numbers: the import says it cannot tell."""
    source = tmp_path / "punktum.txt"
    source.write_text(DOTTED, encoding="utf-8")
    result = cli("import", str(source), "-o", str(tmp_path / "out"), "--kommune", "X kommune")
    assert result.exit_code == 1
    assert "(the whole table): a full stop between digits (1.500) may group thousands (1 500) or mark decimals " \
           "(1,5); both readings add up" in result.stdout


def test_with_whole_thousands_in_the_caption_a_full_stop_groups_thousands(cli, tmp_path):
    source = tmp_path / "punktum.txt"
    source.write_text(DOTTED.replace("Beløp i 1 000 kr", "Tall i hele tusen kroner"), encoding="utf-8")
    code, _ = run_import(cli, source, tmp_path / "out", "--kommune", "X kommune")
    assert code == 0
    (budget,) = rammecalc.load([tmp_path / "out"]).budgets
    assert budget.frame.start.published == {2024: D(1500), 2025: D(2500)}


SUM_BELOW = """\
Tall i hele tusen kroner
Enhet X Budsjett 2024 Økonomiplan 2025 Økonomiplan 2026
Vedtatt budsjett 2023 10 000 10 700 10 600
Lønnsoppgjør 200
Prisjustering 100
Sum lønns- og prisvekst 300
Innsparing 2025 -500
Ny stilling 400 400 400
Sum andre endringer 400 -100 400
Ny ramme 10 700 10 600 11 000
"""


def test_sum_rows_below_their_items_without_a_heading_close_a_group(cli, tmp_path):
    """A synthetic frame: each group's subtotal printed below its items ("Sum lønns- og prisvekst") with no
    heading above them; -500 stands in 2025 only because 'Sum andre endringer' prints -100 there."""
    source = tmp_path / "sum-under.txt"
    source.write_text(SUM_BELOW, encoding="utf-8")
    code, report = run_import(cli, source, tmp_path / "out", "--kommune", "X kommune")
    assert code == 0 and report["tables"][0]["certain"]
    (budget,) = rammecalc.load([tmp_path / "out"]).budgets
    assert {g.sum_label: g.published for g in budget.frame.groups} == {
        "Sum lønns- og prisvekst": years(2024, 300), "Sum andre endringer": years(2024, 400, -100, 400)}
    assert {i.label: i.amounts for i in budget.items} == {
        "Lønnsoppgjør": years(2024, 200), "Prisjustering": years(2024, 100), "Innsparing 2025": years(2025, -500),
        "Ny stilling": years(2024, 400, 400, 400)}


@pytest.mark.parametrize("line, columns, figures", [
    # glued copies (Stavanger's kind, and the import stress harness's): cells run together without a space
    ("Styrke frivillig arbeidsfellesskap08781 3171 7562 195", 5, ["0", "878", "1317", "1756", "2195"]),
    ("Økt antall lærlinger overført fra Levekår, netto0000830", 5, ["0", "0", "0", "0", "830"]),
    ("Lærlinger, 2 nye plasser-9370-9370-937", 5, ["-937", "0", "-937", "0", "-937"]),
    ("Tekniske endringer00-1295351 381", 5, ["0", "0", "-129", "535", "1381"]),
    ("Rullering av økonomiplan-6-64 90810 012", 4, ["-6", "-6", "4908", "10012"]),
])
def test_a_glued_line_has_the_reading_its_cells_were_printed_as(line, columns, figures):
    """The arithmetic can only choose a reading that is among them (the plainest is not always it)."""
    from decimal import Decimal

    from rammecalc.core.reading.text import readings

    wanted = [Decimal(f) for f in figures]
    found = [[f.amount for f in r.figures] for r in readings(line, columns, groups=3)]
    assert wanted in found


@pytest.mark.parametrize("line", ["Opprinnelig budsjett 95 384 000 103 001 855 118 237 565",
                                  "Tiltak 1 000 2 000 3 000"])
def test_a_group_of_zeros_in_a_spaced_row_is_never_read_as_zeros(line):
    """'000' and '001' are the groups of the figure before them: never a zero and the start of another."""
    from rammecalc.core.reading.text import readings

    for reading in readings(line, 6, groups=3):
        assert all(f.text not in ("0",) for f in reading.figures), reading
