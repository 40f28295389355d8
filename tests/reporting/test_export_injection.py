"""Exports safe to open: text a spreadsheet would run as a formula is written as text, everywhere.

OWASP's CSV injection guidance: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading single quote. The hand-built October (``conftest.py``) is poisoned
where people type: request titles (sales), win titles and impacts, interaction accounts, review
learnings and outcome notes, persona names and a PMM's name. Every export must carry each of
them as quoted text, and no cell of any export may start like a formula.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from initiatives.models import Outcome, ReviewOutcome, Win
from personas.models import CustomerInteraction, Persona
from pmm_portal.core.exports import FORMULA_PREFIXES, neutralise_cell, safe_csv_writer
from reporting import exports, services
from requests_queue.models import Request
from tests.factories import MonthlyReviewFactory
from tests.reporting.conftest import OCTOBER

HYPERLINK = '=HYPERLINK("http://x","y")'
PAYLOADS = (HYPERLINK, "+1", "-2+3", "@SUM(A1)", "\tX", "\rY")


@pytest.fixture
def poisoned(october, team, pmm, pmm2):
    """October with a formula typed wherever people type text that reaches a report."""
    Request.objects.filter(pk=october["r1"].pk).update(title=HYPERLINK)
    Request.objects.filter(pk=october["r2"].pk).update(title="+1")
    Win.objects.filter(title="Acme renewal").update(title="-2+3", impact="@SUM(A1)")
    CustomerInteraction.objects.filter(account="Acme").update(account="\tX")
    CustomerInteraction.objects.filter(account="Globex").update(account="\rY")
    Persona.objects.filter(name="Old CFO").update(name="=1+1")
    pmm2.first_name = "@Zoe"
    pmm2.save(update_fields=["first_name"])
    review = MonthlyReviewFactory(owner=pmm, team=team, month=OCTOBER, learnings=HYPERLINK)
    initiative = october["initiatives"][0]
    ReviewOutcome.objects.create(review=review, initiative=initiative, outcome=Outcome.values[0], note="-2+3")
    return services.report_produce_now(team=team, month=OCTOBER)


def _looks_like_a_formula(cell: object) -> bool:
    return isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES)


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) for cell in row]


def _assert_safe(cells: list[object], expected: tuple[str, ...], where: str) -> None:
    formulas = [cell for cell in cells if _looks_like_a_formula(cell)]
    assert not formulas, f"{where}: cells a spreadsheet would run: {formulas}"
    for payload in expected:
        assert "'" + payload in cells, f"{where}: {payload!r} is not there as quoted text"


def test_every_report_table_as_csv_is_safe(poisoned):
    cells = []
    for name in exports.REPORT_TABLES:
        table_cells = _csv_cells(exports.report_csv(poisoned, name))
        _assert_safe(table_cells, (), name)
        cells += table_cells
    _assert_safe(cells, (*PAYLOADS, "=1+1", "@Zoe Zhang"), "the report's tables")


def test_the_downloads_of_the_report_are_safe(client, cmo, poisoned):
    client.force_login(cmo)
    every_table = client.get(f"/reporting/reports/{poisoned.pk}/report.csv").content.decode("utf-8")
    _assert_safe(_csv_cells(every_table), (*PAYLOADS, "=1+1", "@Zoe Zhang"), "report.csv")
    requests = client.get(f"/reporting/reports/{poisoned.pk}/csv/requests/").content.decode("utf-8")
    _assert_safe(_csv_cells(requests), (HYPERLINK, "+1"), "csv/requests/")


def test_the_workbook_is_safe_and_keeps_numbers_as_numbers(client, cmo, poisoned):
    client.force_login(cmo)
    response = client.get(f"/reporting/reports/{poisoned.pk}/report.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "formula cells in the workbook"
    # XML turns a carriage return into a line feed when the workbook is read back.
    expected = tuple(payload.replace("\r", "\n") for payload in (*PAYLOADS, "=1+1", "@Zoe Zhang"))
    _assert_safe([cell.value for cell in cells], expected, "report.xlsx")
    people = workbook["People"]
    assert people["B2"].value == 65.0  # hours: still a number
    assert people["C2"].data_type == "n"


def test_the_dashboard_exports_are_safe(client, cmo, poisoned):
    client.force_login(cmo)
    cells = []
    for table in exports.DASHBOARD_TABLES:
        response = client.get(f"/reporting/export/{table}.csv?month=2026-10")
        assert response.status_code == 200
        cells += _csv_cells(response.content.decode("utf-8"))
    _assert_safe(cells, ("@Zoe Zhang",), "the dashboard's CSVs")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tX", "'\tX"),
        ("\rY", "'\rY"),
        ("Acme", "Acme"),
        ("a=b", "a=b"),  # only the first character counts
        ("", ""),
        (-2, -2),  # a negative number is a number, not a formula
        (-2.5, -2.5),
        (Decimal("-1.5"), Decimal("-1.5")),
        (None, None),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 1)),
    ],
)
def test_only_strings_that_start_like_a_formula_are_neutralised(value, written):
    assert neutralise_cell(value) == written
    assert type(neutralise_cell(value)) is type(written)


def test_a_csv_writer_writes_negative_numbers_as_numbers():
    buffer = io.StringIO()
    safe_csv_writer(buffer).writerows([[-2, "-2", 3.5, "=A1"]])
    assert buffer.getvalue() == "-2,'-2,3.5,'=A1\r\n"
