"""The report page: parsed (every table, every frame's charts, each problem linked to a cell that is there,
nothing fetched from elsewhere), and opened in a real browser: headless Chromium (Debian's package, which
``.ci/run`` installs) takes a screenshot, which must be a page of text and charts, not an empty one."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import zlib
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from .conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Page(HTMLParser):
    """What the tests look at in the page: ids, links, sections, svgs, the check table's rows."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: dict[str, dict] = {}
        self.links: list[str] = []
        self.sections: list[dict] = []
        self.svgs: dict[str, int] = {}
        self.sources: list[str] = []
        self.tags: set[str] = set()
        self.problems: list[str] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if "id" in a:
            assert a["id"] not in self.ids, f"two elements have the id {a['id']}"
            self.ids[a["id"]] = {"tag": tag, **a}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        for key in ("src", "srcset", "data"):
            if key in a:
                self.sources.append(a[key])
        if tag == "link":
            self.sources.append(a.get("href", ""))
        if tag == "section":
            self.sections.append(a)
        if tag == "svg" and self.sections:
            self.svgs[self.sections[-1]["id"]] = self.svgs.get(self.sections[-1]["id"], 0) + 1
        if tag == "tr" and a.get("id", "").startswith("p"):
            self.problems.append(a["id"])

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    target = folder / "rapport.html"
    run = subprocess.run([sys.executable, "-m", "rammecalc", "report", "data", "-o", str(target)], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    data = json.loads(subprocess.run([sys.executable, "-m", "rammecalc", "roll", "data", "-f", "json"], cwd=ROOT,
                                     capture_output=True, text=True, check=True).stdout, parse_float=Decimal)
    return target, target.read_text(encoding="utf-8"), data


def test_the_page_has_every_table_and_each_frames_charts(report):
    _, text, data = report
    page = Page(text)
    tables = [s for s in page.sections if s.get("class") in ("ramme", "tabell", "koblinger")]
    assert len(tables) == len(data["frames"]) + len(data["tables"]) + len(data["links"])
    frames = [s["id"] for s in page.sections if s.get("class") == "ramme"]
    assert [page.svgs.get(f, 0) for f in frames] == [len(f["columns"]) for f in data["frames"]]  # a chart a year
    whole = "".join(page.text)
    # Molde 2017, Ressurstjenesten, as printed; and its 2017 bridge in the chart's description
    assert "Molde kommune · Ressurstjenesten" in whole and "11 999" in whole
    assert "9 864 → +26 (Lønns- og prisvekst) → +2 109 (Andre rammeendringer) → 11 999" in whole


def test_nothing_is_fetched_from_elsewhere(report):
    _, text, _ = report
    page = Page(text)
    assert page.sources == []  # no image, script, frame or style sheet from a file or the network
    assert "script" not in page.tags and "iframe" not in page.tags
    assert all(link.startswith("#") for link in page.links)
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text


def test_each_problem_is_linked_to_its_cell(report):
    _, text, _ = report
    page = Page(text)
    assert len(page.problems) == 21  # rammecalc check data: 0 errors, 21 warnings
    cells = [link[1:] for link in page.links if "-r" in link and "-c" in link]
    assert cells and all(cell in page.ids for cell in cells)
    for cell in cells:
        assert "problem" in page.ids[cell]["class"]
    # Giske's row 5, Regnskap 2022: printed 626 833, one more than rows 1–4 (a known difference)
    giske = [page.ids[c] for c in cells if "626 833" in page.ids[c].get("title", "")]
    assert giske and giske[0]["tag"] == "td"


def _pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """A PNG's width, height and rows of RGB(A) bytes, unfiltered (8 bits a channel, as Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, data, width = 8, b"", 0
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        body = png[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            data += body
        at += 12 + length
    raw = zlib.decompress(data)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + left) & 255
            elif kind == 2:
                row[i] = (row[i] + up) & 255
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(row[0::channels]))  # the red channel is enough to tell ink from paper
        previous = row
    return width, height, rows


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)")
def test_the_page_renders_in_chromium(report, tmp_path):
    path, _, data = report
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", path.as_uri()], capture_output=True, text=True,
                         timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    # what the browser built from the page: every table and chart is there
    assert dom.stdout.count("<svg") == sum(len(f["columns"]) for f in data["frames"])
    assert dom.stdout.count("<table") == len(data["frames"]) + len(data["tables"]) + len(data["links"]) + 1
    shot = tmp_path / "rapport.png"
    run = subprocess.run([CHROMIUM, *flags, "--window-size=1280,1600", f"--screenshot={shot}", path.as_uri()],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    width, height, rows = _pixels(shot.read_bytes())
    assert (width, height) == (1280, 1600)
    ink = sum(1 for row in rows for value in row if value < 128)
    assert ink > 0.01 * width * height  # text, rules and the first charts' bars, not an empty page
    dark_rows = [y for y, row in enumerate(rows) if sum(1 for v in row if v < 80) > 100]
    assert dark_rows, "no chart bar drawn: the page's first screen should show bars"
