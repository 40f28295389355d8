"""Deflection: would-be requests answered from the library or joined to an open request ("me too").

The month below is worked out by hand. "Core Platform" is in Europe/Paris, so 1 October 00:30 there
is still 30 September in UTC, and 1 November 00:30 there is still 31 October in UTC.

October, Core Platform:
- received: q1 (1 Oct 00:30), q2 (15 Oct), s1 (8 Oct, self-served), s2 (31 Oct 23:30, self-served) -> 4;
- self-served: s1, s2 -> 2;
- "me too": rep1 on a September request (2 Oct), rep2 on q2 (20 Oct) -> 2;
- so deflected 2 + 2 = 4 of 6 would-be requests (4 received + 2 joins): 67 %.
Not October: s3 (1 Nov 00:30) and rep3's join (1 Nov 00:30), s4 and "old" (September), rep4's join
(30 Sep 23:30), rep5 who followed q1 as the requester of a duplicate (not a "me too"), and everything
on the other team.
"""

import copy
import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from reporting import exports, selectors, services
from reporting.models import MonthlyReport
from requests_queue.models import FollowVia, Request
from tests.factories import RequestFactory, UserFactory
from tests.reporting.conftest import OCTOBER, at, me_too, self_served

SEPTEMBER = dt.date(2026, 9, 1)
NOVEMBER = dt.date(2026, 11, 1)
OCTOBER_FIGURES = {
    "received": 4,
    "self_served": 2,
    "me_too": 2,
    "deflected": 4,
    "would_be": 6,
    "deflection_rate": pytest.approx(4 / 6),
}
DEFLECTION_KEYS = ("self_served", "me_too", "deflected", "would_be", "deflection_rate")


def received(product, requester, *, created):
    """A request that reached the queue, submitted at ``created``."""
    request = RequestFactory(product=product, requester=requester)
    Request.objects.filter(pk=request.pk).update(created_at=created)
    return request


def rep(name):
    return UserFactory(username=name)


@pytest.fixture
def deflections(team, product, other_product, sales_rep):
    old = received(product, sales_rep, created=at(9, 10))
    q1 = received(product, sales_rep, created=at(10, 1, 0) + dt.timedelta(minutes=30))
    q2 = received(product, sales_rep, created=at(10, 15))
    self_served(product, sales_rep, created=at(10, 8))
    self_served(product, sales_rep, created=at(10, 31, 23) + dt.timedelta(minutes=30))
    self_served(product, sales_rep, created=at(11, 1, 0) + dt.timedelta(minutes=30))  # November
    self_served(product, sales_rep, created=at(9, 20))  # September
    me_too(old, rep("rep1"), created=at(10, 2))
    me_too(q2, rep("rep2"), created=at(10, 20))
    me_too(q2, rep("rep3"), created=at(11, 1, 0) + dt.timedelta(minutes=30))  # November
    me_too(old, rep("rep4"), created=at(9, 30, 23) + dt.timedelta(minutes=30))  # September
    me_too(q1, rep("rep5"), created=at(10, 5), via=FollowVia.DUPLICATE)  # not a "me too"
    # Another team's October: one received, one self-served, one "me too".
    theirs = received(other_product, sales_rep, created=at(10, 9))
    self_served(other_product, sales_rep, created=at(10, 8))
    me_too(theirs, rep("rep1"), created=at(10, 10))


PEOPLE_DEFLECTION = [
    "Self-served requests",
    "“Me too” joins",
    "Deflected before the queue",
    "Would-be requests",
    "Deflection rate",
]


def people_deflection(report: MonthlyReport) -> list[list[str]]:
    """The deflection cells of the people CSV: the team's row, then each PMM's."""
    rows = list(csv.DictReader(io.StringIO(exports.report_csv(report, "people"))))
    return [[row[header] for header in PEOPLE_DEFLECTION] for row in rows]


def deflection_of(figures):
    return {key: figures["requests"][key] for key in ("received", *DEFLECTION_KEYS)}


# --- The figure -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("deflections")
def test_counts_self_served_requests_and_me_too_joins_of_the_month(team):
    board = selectors.dashboard(teams=[team], month=OCTOBER)
    assert deflection_of(board["figures"]) == OCTOBER_FIGURES
    assert deflection_of(selectors.month_headline(teams=[team], month=OCTOBER)) == OCTOBER_FIGURES


@pytest.mark.usefixtures("deflections")
def test_months_are_the_teams(team):
    september = selectors.dashboard(teams=[team], month=SEPTEMBER)["figures"]["requests"]
    # "old" and s4 received; s4 self-served; rep4's join at 23:30 on 30 September, Paris time.
    assert (september["received"], september["self_served"], september["me_too"]) == (2, 1, 1)
    assert september["deflection_rate"] == pytest.approx(2 / 3)
    november = selectors.dashboard(teams=[team], month=NOVEMBER)["figures"]["requests"]
    assert (november["received"], november["self_served"], november["me_too"]) == (1, 1, 1)
    assert november["deflection_rate"] == 1.0


@pytest.mark.usefixtures("deflections")
def test_other_teams_do_not_count_and_all_my_teams_add_up(team, other_team):
    theirs = selectors.dashboard(teams=[other_team], month=OCTOBER)["figures"]["requests"]
    assert (theirs["received"], theirs["self_served"], theirs["me_too"]) == (2, 1, 1)
    both = selectors.dashboard(teams=[team, other_team], month=OCTOBER)["figures"]["requests"]
    assert (both["received"], both["self_served"], both["me_too"]) == (6, 3, 3)
    assert both["deflection_rate"] == pytest.approx(6 / 9)


@pytest.mark.usefixtures("deflections")
def test_it_is_a_team_figure_not_split_by_pmm(team, pmm):
    board = selectors.dashboard(teams=[team], month=OCTOBER)
    assert board["people"]
    for person in board["people"]:
        assert not set(DEFLECTION_KEYS) & set(person["requests"])


def test_no_would_be_request_gives_no_rate(client, cmo, team):
    figures = selectors.dashboard(teams=[team], month=OCTOBER)["figures"]["requests"]
    assert {key: figures[key] for key in DEFLECTION_KEYS} == {
        "self_served": 0,
        "me_too": 0,
        "deflected": 0,
        "would_be": 0,
        "deflection_rate": None,
    }
    client.force_login(cmo)
    tile = _tile(client.get("/reporting/?month=2026-10").content.decode())
    assert "—" in tile
    assert "no would-be request this month" in tile


@pytest.mark.usefixtures("deflections")
def test_the_years_trend_gives_each_month_the_same_figure(team):
    trend = {
        row["month"]: row for row in selectors.dashboard(teams=[team], month=NOVEMBER)["trends"]["deflection"]
    }
    assert len(trend) == 12
    assert list(trend)[-1] == "2026-11-01"
    for month in (SEPTEMBER, OCTOBER, NOVEMBER):
        figures = selectors.dashboard(teams=[team], month=month)["figures"]
        row = trend[month.isoformat()]
        assert {key: row[key] for key in ("received", *DEFLECTION_KEYS)} == deflection_of(figures)
    assert trend["2026-08-01"]["deflection_rate"] is None


# --- One figure everywhere ------------------------------------------------------------------------------


def _tile(html: str) -> str:
    return html.split("Deflected before the queue", 1)[1].split("</div>\n  </div>", 1)[0]


@pytest.fixture
def report(deflections, team) -> MonthlyReport:
    return services.report_produce_now(team=team, month=OCTOBER, mail=False)


def _pdf_text(report: MonthlyReport, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(exports.report_pdf_bytes(report))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(text.stdout.split())


def test_dashboard_report_pdf_exports_and_api_give_the_same_figure(client, api_client, cmo, report, tmp_path):
    api_client.force_login(cmo)
    api = api_client.get("/api/v1/dashboard/?team=core-platform&month=2026-10").json()["figures"]
    stored = api_client.get(f"/api/v1/reports/{report.pk}/").json()["data"]["figures"]
    client.force_login(cmo)
    dashboard = client.get("/reporting/?team=core-platform&month=2026-10")
    page = client.get(f"/reporting/reports/{report.pk}/")

    for figures in (
        api,
        stored,
        dashboard.context["figures"],
        page.context["figures"],
        report.data["figures"],
    ):
        assert deflection_of(figures) == OCTOBER_FIGURES
    for html in (dashboard.content.decode(), page.content.decode()):
        tile = _tile(html)
        assert "67 %" in tile
        assert "· 4 of 6" in tile
        assert "2 answered from the library · 2 “me too”" in tile
    team_row, *pmm_rows = people_deflection(report)
    assert team_row == ["2", "2", "4", "6", "66.7"]
    assert pmm_rows == [["", "", "", "", ""]]  # a team figure: not in a PMM's row
    trend = client.get("/reporting/export/deflection.csv?team=core-platform&month=2026-10")
    assert trend.content.decode("utf-8-sig").splitlines()[-1] == "2026-10,4,2,2,4,6,66.7"
    workbook = load_workbook(io.BytesIO(exports.report_xlsx_bytes(report)))
    sheet = workbook["Deflection, 12 months"]
    assert [cell.value for cell in sheet[13]][1:] == [4, 2, 2, 4, 6, pytest.approx(4 / 6)]
    if shutil.which("pdftotext"):
        assert "DEFLECTED BEFORE THE QUEUE 67 % · 4 of 6" in _pdf_text(report, tmp_path)


def test_the_definition_is_printed_with_the_figures(client, cmo, report, tmp_path):
    definition = selectors.DEFINITIONS["deflection"]
    client.force_login(cmo)
    assert definition in client.get("/reporting/?team=core-platform&month=2026-10").content.decode()
    assert definition in client.get(f"/reporting/reports/{report.pk}/").content.decode()
    assert report.data["definitions"]["deflection"] == definition
    if shutil.which("pdftotext"):
        assert " ".join(definition.split()[:12]) in _pdf_text(report, tmp_path)


def test_the_cmo_home_shows_a_dash_without_would_be_requests(client, cmo, team, monkeypatch):
    # 2 November: the team is still closing October, which the home shows.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
    client.force_login(cmo)
    html = client.get("/").content.decode()
    assert "deflected before the queue: <strong>—</strong>" in html  # no request at all yet


@pytest.mark.usefixtures("deflections")
def test_the_cmo_home_counts_the_month_like_the_dashboard(client, cmo, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
    client.force_login(cmo)
    html = client.get("/").content.decode()
    assert "deflected before the queue: <strong>67 %</strong> (4 of 6)" in html


# --- Snapshots ------------------------------------------------------------------------------------------


def test_regenerating_a_past_month_gives_the_same_figure(report, team, product, sales_rep):
    q2 = Request.objects.get(team=team, created_at=at(10, 15))
    # After October: another self-served request, "me too" joins on an October request.
    self_served(product, sales_rep, created=at(11, 3))
    me_too(q2, rep("rep6"), created=at(11, 4))
    me_too(q2, rep("rep7"), created=at(12, 1))

    again = services.report_produce_now(team=team, month=OCTOBER, mail=False)

    assert again.version == 1  # nothing of October changed: no new version
    assert deflection_of(again.data["figures"]) == OCTOBER_FIGURES


def _without_deflection(data: dict) -> dict:
    """A snapshot as produced before deflection was counted (schema 2)."""
    data = copy.deepcopy(data)
    for key in DEFLECTION_KEYS:
        data["figures"]["requests"].pop(key)
    data["trends"].pop("deflection")
    data["definitions"].pop("deflection")
    data["schema"] = 2
    return data


def test_an_older_snapshot_without_deflection_still_renders(client, cmo, report, tmp_path):
    MonthlyReport.objects.filter(pk=report.pk).update(data=_without_deflection(report.data))
    report.refresh_from_db()
    client.force_login(cmo)

    html = client.get(f"/reporting/reports/{report.pk}/").content.decode()

    tile = _tile(html)
    assert "—" in tile
    assert "not counted when this version was produced" in tile
    assert html.count("<summary>Data table</summary>") == 3  # no deflection trend to draw
    assert people_deflection(report)[0] == ["", "", "", "", ""]
    assert exports.report_csv(report, "deflection").count("\n") == 1  # headers only
    assert load_workbook(io.BytesIO(exports.report_xlsx_bytes(report)))["Deflection, 12 months"].max_row == 1
    for suffix in ("report.pdf", "report.xlsx", "report.csv", "csv/deflection/"):
        assert client.get(f"/reporting/reports/{report.pk}/{suffix}").status_code == 200, suffix
    if shutil.which("pdftotext"):
        assert "DEFLECTED BEFORE THE QUEUE — not counted when this version was produced" in _pdf_text(
            report, tmp_path
        )


def test_regenerating_an_older_snapshot_says_deflection_is_now_counted(client, cmo, report, team):
    MonthlyReport.objects.filter(pk=report.pk).update(data=_without_deflection(report.data))

    again = services.report_produce_now(team=team, month=OCTOBER, mail=False)

    assert again.version == 2
    changes = {
        change["label"]: (change["before"], change["after"])
        for change in again.versions.get(number=2).changes
    }
    assert changes["requests deflected before the queue"] == (None, 4)
    assert changes["requests joined with “me too”"] == (None, 2)
    client.force_login(cmo)
    assert (
        "Requests deflected before the queue: — → 4"
        in client.get(f"/reporting/reports/{report.pk}/").content.decode()
    )


# --- Queries --------------------------------------------------------------------------------------------


def _more(team, product, other_product, size):
    """``size`` more self-served requests and "me too" joins in October, on this team and another."""
    joined = Request.objects.filter(team=team).first()
    theirs = Request.objects.filter(team=other_product.team).first()
    for n in range(size):
        who = rep(f"more{size}-{n}")
        self_served(product, who, created=at(10, 6))
        self_served(other_product, who, created=at(10, 6))
        me_too(joined, who, created=at(10, 7))
        me_too(theirs, who, created=at(10, 7))


# Deflection adds one query to the month's figures (its "me too" joins; self-served requests come
# with the month's requests) and two to the trends (requests and "me too" joins by month).
# headline: PMMs, time, top 3, the month's requests, its "me too" joins, interactions, wins (7);
# dashboard: those, stale personas as the month ended (2), the time split (one per month: 12),
# requests in, out and by type (3), deflection by month (2) = 26;
# snapshot: the dashboard, PMMs again, reviews, wins, learning log, interactions, personas as the month
# ended (2), the latest diagnostic round closed by then (1), the launches as they stood at the month's
# end (1; their items are a second query when there are launches);
# API: the dashboard, with session, user and the user's teams.
QUERIES = {"dashboard": 26, "headline": 7, "snapshot": 35, "api": 29}


@pytest.mark.usefixtures("deflections")
def test_query_counts_do_not_grow_with_the_data(api_client, cmo, team, product, other_product):
    api_client.force_login(cmo)
    calls = {
        "dashboard": lambda: selectors.dashboard(teams=[team], month=OCTOBER),
        "headline": lambda: selectors.month_headline(teams=[team], month=OCTOBER),
        "snapshot": lambda: selectors.month_snapshot(team=team, month=OCTOBER),
        "api": lambda: api_client.get("/api/v1/dashboard/?team=core-platform&month=2026-10"),
    }

    def counts() -> dict[str, int]:
        result = {}
        for name, call in calls.items():
            with CaptureQueriesContext(connection) as queries:
                call()
            result[name] = len(queries)
        return result

    small = counts()
    _more(team, product, other_product, 15)
    assert counts() == small
    assert small == QUERIES
    grown = selectors.dashboard(teams=[team], month=OCTOBER)["figures"]["requests"]
    assert (grown["self_served"], grown["me_too"]) == (2 + 15, 2 + 15)
