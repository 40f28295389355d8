"""A report's downloads: one CSV per table, a workbook with a sheet per table, scoped like the report."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from reporting import exports, services
from reporting.models import MonthlyReport
from tests.reporting.conftest import OCTOBER

# Rows of each table in the hand-built October (tests/reporting/conftest.py).
ROWS = {
    "people": 3,  # the team's row, then Priya Mehta and Zoe Zhang
    "time_split": 12,  # November 2025 to October 2026
    "deflection": 12,  # the same twelve months
    "outcomes": 0,  # nobody wrote a monthly review
    "learnings": 0,
    "learning_log": 0,  # nobody logged an experiment
    "wins": 2,  # Acme renewal, Analyst mention (the November win is not October's)
    "requests": 4,  # received 1, 10, 12 and 14 Oct
    "requests_closed_earlier": 1,  # received 25 Sep, delivered 3 Oct
    "interactions": 2,  # Acme and Globex (Initech was in September)
    "personas": 1,  # Old CFO: Fresh CIO did not exist yet, Retired admin is retired
}


@pytest.fixture
def report(october, team) -> MonthlyReport:
    return services.report_produce_now(team=team, month=OCTOBER)


def _urls(report: MonthlyReport) -> list[str]:
    base = f"/reporting/reports/{report.pk}"
    return [
        f"{base}/report.pdf",
        f"{base}/report.xlsx",
        *[f"{base}/csv/{name}/" for name in exports.REPORT_TABLES],
    ]


def test_every_table_has_a_known_row_count():
    assert set(ROWS) == set(exports.REPORT_TABLES)


def test_the_workbook_holds_each_table_as_a_sheet(report):
    workbook = load_workbook(io.BytesIO(exports.report_xlsx_bytes(report)))
    assert workbook.sheetnames == [table.title for table in exports.REPORT_TABLES.values()]
    for name, table in exports.REPORT_TABLES.items():
        sheet = workbook[table.title]
        header = [cell.value for cell in sheet[1]]
        assert header == [column.header for column in table.columns]
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.max_row - 1 == ROWS[name], name
        assert all(sheet.column_dimensions[letter].width >= 8 for letter in "AB")

    people = workbook["People"]
    team = [cell.value for cell in people[2]]
    assert team[:3] == ["Team total", 65.0, pytest.approx(34 / 65, abs=0.001)]  # numbers, not text
    assert people["C2"].number_format == "0.0%"
    assert [people.cell(row=n, column=1).value for n in (3, 4)] == ["Priya Mehta", "Zoe Zhang"]

    received = workbook["Received this month"]
    submitted = [received.cell(row=n, column=10).value for n in range(2, 6)]
    assert [value.date() for value in submitted] == [dt.date(2026, 10, d) for d in (1, 10, 12, 14)]
    assert received.cell(row=2, column=10).number_format == "d mmm yyyy"
    assert received.cell(row=2, column=6).value == 4  # reusability, an integer

    split = workbook["Time split"]
    assert split.cell(row=13, column=1).value.date() == OCTOBER
    assert [split.cell(row=13, column=n).value for n in range(2, 8)] == [34, 5, 16, 2, 3, 5]


def test_a_workbook_of_a_report_without_figures_has_headers_only(team):
    report = MonthlyReport.objects.create(team=team, month=OCTOBER)
    workbook = load_workbook(io.BytesIO(exports.report_xlsx_bytes(report)))
    assert all(workbook[table.title].max_row == 1 for table in exports.REPORT_TABLES.values())


def test_each_csv_url_returns_one_table(client, cmo, report):
    client.force_login(cmo)
    for name, table in exports.REPORT_TABLES.items():
        response = client.get(f"/reporting/reports/{report.pk}/csv/{name}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        filename = f"monthly-review-core-platform-2026-10-v1-{name.replace('_', '-')}.csv"
        assert filename in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == [column.header for column in table.columns]
        assert len(rows) - 1 == ROWS[name], name
        assert all(len(row) == len(rows[0]) for row in rows)  # one table: no titles, no blank lines


def test_csv_cells(report):
    people = list(csv.reader(io.StringIO(exports.report_csv(report, "people"))))
    assert people[1][:3] == ["Team total", "65.0", "52.3"]
    received = list(csv.reader(io.StringIO(exports.report_csv(report, "requests"))))
    assert [row[9] for row in received[1:]] == ["2026-10-01", "2026-10-10", "2026-10-12", "2026-10-14"]
    split = exports.report_csv(report, "time_split")
    assert "2026-10,34.0,5.0,16.0,2.0,3.0,5.0" in split


def test_workbook_download(client, cmo, report):
    client.force_login(cmo)
    response = client.get(f"/reporting/reports/{report.pk}/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "monthly-review-core-platform-2026-10-v1.xlsx" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "People"


def test_an_unknown_table_is_not_found(client, cmo, report):
    client.force_login(cmo)
    assert client.get(f"/reporting/reports/{report.pk}/csv/salaries/").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("cmo", 200), ("pmm", 200), ("admin", 200), ("other_pmm", 404), ("pm", 403), ("sales", 403)],
)
def test_downloads_are_scoped_like_the_report(client, cast, report, who, status):
    client.force_login(cast[who])
    for url in _urls(report):
        assert client.get(url).status_code == status, url


def test_downloads_of_a_report_that_does_not_exist_are_not_found(client, cmo, report):
    client.force_login(cmo)
    missing = MonthlyReport(pk=report.pk + 1000, team=report.team, month=OCTOBER)
    for url in _urls(missing):
        assert client.get(url).status_code == 404, url


def test_the_report_page_offers_every_download(client, cmo, report):
    client.force_login(cmo)
    html = client.get(f"/reporting/reports/{report.pk}/").content.decode()
    for url in _urls(report):
        assert f'href="{url}"' in html
