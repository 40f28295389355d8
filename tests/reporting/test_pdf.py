"""The monthly review PDF, read back as text: every section's figures, footers on every page, one date
format, plain names, each chart on the page of its table, and charts that carry their own colours."""

import itertools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reporting import charts, exports, presenters, services
from reporting.models import MonthlyReport
from requests_queue.models import Request
from tests.reporting.conftest import OCTOBER

SVG = "{http://www.w3.org/2000/svg}"
# The October requests of "Core Platform", oldest first (see tests/reporting/conftest.py).
TITLES = [
    "Security deck for Initech",  # received 25 Sep, delivered 3 Oct: closed this month, received earlier
    "Battlecard for the Acme call",  # 1 Oct, delivered 5 Oct
    "Churn analysis slides",  # 10 Oct, delivered 20 Oct
    "Pricing one-pager",  # 12 Oct, reused
    "Datasheet in Japanese",  # 14 Oct, declined
    "November deck",  # 2 Nov: not in October
]

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")


@pytest.fixture
def report(october, team) -> MonthlyReport:
    for request, title in zip(Request.objects.filter(team=team).order_by("created_at"), TITLES, strict=True):
        Request.objects.filter(pk=request.pk).update(title=title)
    return services.report_produce_now(team=team, month=OCTOBER)


@pytest.fixture
def pdf(report, tmp_path) -> bytes:
    return exports.report_pdf_bytes(report)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 (the charts this code draws, never outside input)


def _text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text in reading order (a table row per line), pages separated by form feeds."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, whitespace collapsed."""
    return [" ".join(page.split()) for page in _text(pdf, tmp_path).split("\f") if page.strip()]


def test_every_section_prints_its_figures(pdf, tmp_path):
    text = " ".join(_pages(pdf, tmp_path))
    assert pdf.startswith(b"%PDF")
    assert "Core Platform · October 2026" in text
    assert "of 65 h logged" in text  # hours: 34 top 3 + 5 other initiatives + 16 requests + 2 + 3 + 5
    assert "52 %" in text  # top-3 share: 34 of 65 hours
    # Received 1, 10, 12 and 14 Oct; delivered 5 and 20 Oct, and 3 Oct (received in September).
    assert "REQUESTS RECEIVED 4 3 delivered · 1 reused · 1 declined" in text
    for name in ("Priya Mehta", "Zoe Zhang"):
        assert name in text
    for title in TITLES[:5]:
        assert title in text
    assert "November deck" not in text
    assert "One-off requests received this month (4)" in text
    assert "Closed this month, received earlier (1)" in text
    for seen in ("Acme renewal", "Analyst mention", "Acme", "Globex", "Old CFO"):  # wins, customers, personas
        assert seen in text
    # Persona freshness as the month ended: "Fresh CIO" was created today, after October.
    assert "Fresh CIO" not in text
    assert "Retired admin" not in text
    assert "How these figures are counted" in text


def test_every_page_has_its_number_team_month_and_version(pdf, tmp_path):
    pages = _pages(pdf, tmp_path)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Core Platform · October 2026 · version 1" in page
    assert "Page 1 of" in pages[0]


def test_dates_have_one_format(pdf, tmp_path):
    text = _text(pdf, tmp_path)
    # Submitted, delivered, won, met, week starting, generated: all "4 Dec 2026".
    for expected in ("25 Sep 2026", "1 Oct 2026", "3 Oct 2026", "5 Oct 2026", "9 Oct 2026", "7 Oct 2026"):
        assert expected in text
    assert "26 Oct 2026" in text  # a week's Monday in the weekly table
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    short = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    for line in text.splitlines():  # line by line: a figure ending one table row is not a day
        assert not re.findall(r"\b\d{4}-\d{2}-\d{2}\b", line), line  # ISO
        assert not re.findall(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", line), line  # 12/04/2026
        assert not re.findall(rf"\b(?:{months}|{short}) \d{{1,2}}, \d{{4}}\b", line), line  # Oct 9, 2026
        assert not re.findall(
            rf"^\d{{1,2}} (?:{months}) \d{{4}}\b|[^\d ] \d{{1,2}} (?:{months}) \d{{4}}", line
        ), line
        assert not re.findall(rf"\b0\d (?:{short})\b", line), line  # 05 Oct


def test_names_are_plain_text_not_links(pdf):
    assert b"/Link" not in pdf  # WeasyPrint writes a link annotation for every <a href>


def test_each_chart_is_on_the_page_of_its_table(pdf, tmp_path):
    pages = _pages(pdf, tmp_path)
    expected = {
        "Time split, last 12 months": ["Top-3 initiatives (h)", "October 2026"],
        "Requests in vs delivered, weekly": ["Week starting", "26 Oct 2026"],
        "Requests by type, this month": ["Pricing or proposal help", "Customer call support"],
        "Deflection, last 12 months": ["Answered from the library", "Deflection rate (%)", "October 2026"],
    }
    for title, table_parts in expected.items():
        [page] = [page for page in pages if title in page]
        for part in table_parts:
            assert part.lower() in page.lower(), (title, part)


def test_every_chart_mark_has_its_own_colour(report):
    """WeasyPrint does not style SVG from the page's CSS: without its own fill, a bar prints black."""
    drawn = exports.pdf_context(report)["charts"] + presenters.trend_charts(report.data["trends"])
    assert len(drawn) == 8  # time split, weekly requests, requests by type, deflection: PDF and page
    for chart in drawn:
        svg = _parse(str(chart.svg))
        rects = svg.findall(f".//{SVG}rect")
        assert rects
        for rect in rects:
            assert rect.get("fill") in charts.PALETTE, ET.tostring(rect)
        for text in svg.findall(f".//{SVG}text"):
            assert text.get("fill"), ET.tostring(text)
            assert text.get("font-size"), ET.tostring(text)
        for line in svg.findall(f".//{SVG}line"):
            assert line.get("stroke"), ET.tostring(line)


def _extents(svg) -> list[tuple[float, float, float]]:
    """Each text's (left, right, baseline), by the charts' own width estimate."""
    boxes = []
    for text in svg.findall(f".//{SVG}text"):
        x, width = float(text.get("x")), charts.text_width(text.text or "")
        left = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor", "start")]
        boxes.append((left, left + width, float(text.get("y"))))
    return boxes


def test_legends_wrap_and_labels_neither_overlap_nor_leave_the_drawing():
    series = [charts.Series(f"s{n}", f"A rather long series label {n}") for n in range(6)]
    labels = [f"{n} Sep" for n in range(1, 27)]
    values = [{s.key: float(n % 4) for s in series} for n in range(26)]
    for svg_text in (
        charts.stacked_bars(title="Stacked", labels=labels, series=series, values=values, width=440),
        charts.grouped_bars(title="Grouped", labels=labels, series=series[:2], values=values, width=440),
        charts.horizontal_bars(
            title="Bars", items=[("Pricing or proposal help, in writing", 3.0), ("Slides", 12.0)]
        ),
    ):
        svg = _parse(str(svg_text))
        _, _, width, height = (float(v) for v in svg.get("viewBox").split())
        boxes = _extents(svg)
        for left, right, baseline in boxes:
            assert left >= 0, (left, right, baseline)
            assert right <= width, (left, right, baseline)
            assert baseline <= height, (left, right, baseline)
        for row in {baseline for _, _, baseline in boxes}:
            spans = sorted((left, right) for left, right, baseline in boxes if baseline == row)
            for (_, right), (left, _) in itertools.pairwise(spans):
                assert right <= left, (row, spans)
    legend_rows = {
        text.get("y")
        for text in _parse(
            str(charts.stacked_bars(title="Stacked", labels=labels, series=series, values=values, width=440))
        ).iter(f"{SVG}text")
        if text.get("class") == "chart-legend"
    }
    assert len(legend_rows) > 1  # six long labels do not fit on one line of 440


def test_a_report_without_figures_still_renders(team):
    report = MonthlyReport.objects.create(team=team, month=OCTOBER)
    assert exports.report_pdf_bytes(report).startswith(b"%PDF")
