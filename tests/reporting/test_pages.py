"""Reporting pages and API: who may do what, what they show, and query counts that stay flat."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmm_portal.core.models import Role
from reporting.models import MonthlyReport, ReportStatus
from requests_queue.models import Request
from tests.factories import PersonaFactory, RequestFactory, UserFactory
from tests.reporting.conftest import OCTOBER, at, me_too, self_served
from timesheets.models import TimeCategory, TimeEntry


@pytest.fixture
def report(team):
    return MonthlyReport.objects.create(
        team=team,
        month=OCTOBER,
        status=ReportStatus.READY,
        version=1,
        data={},
    )


@pytest.fixture
def ready_report(team, django_capture_on_commit_callbacks):
    from reporting import services

    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(team=team, month=OCTOBER)
    report.refresh_from_db()
    return report


# Who gets what. "other_pmm" is a PMM of another team: the report does not exist for them.
READ = {"cmo": 200, "pmm": 200, "admin": 200, "other_pmm": 404, "pm": 403, "sales": 403}


@pytest.mark.parametrize("who", list(READ))
@pytest.mark.parametrize("suffix", ["", "live/", "report.csv", "report.pdf"])
def test_report_pages_by_role(client, cast, ready_report, who, suffix):
    client.force_login(cast[who])
    response = client.get(f"/reporting/reports/{ready_report.pk}/{suffix}")
    assert response.status_code == READ[who]


@pytest.mark.parametrize(
    ("who", "status"),
    [("cmo", 302), ("pmm", 302), ("admin", 302), ("other_pmm", 404), ("sales", 403), ("pm", 403)],
)
def test_regenerate_by_role(client, cast, ready_report, who, status, django_capture_on_commit_callbacks):
    client.force_login(cast[who])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reporting/reports/{ready_report.pk}/regenerate/")
    assert response.status_code == status
    ready_report.refresh_from_db()
    # Nothing in October changed: regenerating confirms the figures and keeps version 1.
    assert ready_report.version == 1
    assert (ready_report.checked_at > ready_report.generated_at) == (status == 302)


@pytest.mark.parametrize(
    ("who", "status"), [("cmo", 302), ("admin", 302), ("pmm", 403), ("other_pmm", 404), ("sales", 403)]
)
def test_only_the_leader_writes_the_summary(client, cast, ready_report, who, status):
    client.force_login(cast[who])
    response = client.post(f"/reporting/reports/{ready_report.pk}/summary/", {"summary": "A strong month."})
    assert response.status_code == status
    ready_report.refresh_from_db()
    assert (ready_report.summary == "A strong month.") == (status == 302)


@pytest.mark.usefixtures("october")
def test_report_page_shows_the_snapshot_and_the_summary(client, cmo, ready_report):
    client.force_login(cmo)
    client.post(
        f"/reporting/reports/{ready_report.pk}/summary/", {"summary": "Top 3 moved; one-offs too high."}
    )
    html = client.get(f"/reporting/reports/{ready_report.pk}/").content.decode()
    assert "Top 3 moved; one-offs too high." in html
    assert "Acme renewal" in html
    assert "review not submitted" in html  # nobody closed October yet
    assert "Old CFO" in html


def test_in_progress_report_polls_itself_and_shows_the_result_when_done(client, cmo, team):
    report = MonthlyReport.objects.create(team=team, month=OCTOBER, status=ReportStatus.RUNNING)
    client.force_login(cmo)
    html = client.get(f"/reporting/reports/{report.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "This page updates by itself" in html
    from reporting.selectors import month_snapshot

    report.status, report.version, report.data = (
        ReportStatus.READY,
        1,
        month_snapshot(team=team, month=OCTOBER),
    )
    report.generated_at = timezone.now()
    report.save()
    live = client.get(f"/reporting/reports/{report.pk}/live/").content.decode()
    assert 'hx-trigger="every 2s"' not in live
    assert "Version 1" in live
    assert "Leader's summary" in live  # the report itself, in place


@pytest.mark.usefixtures("october")
def test_pdf_and_csv_downloads(client, cmo, ready_report):
    client.force_login(cmo)
    pdf = client.get(f"/reporting/reports/{ready_report.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "monthly-review-core-platform-2026-10-v1.pdf" in pdf["Content-Disposition"]
    csv = client.get(f"/reporting/reports/{ready_report.pk}/report.csv").content.decode("utf-8-sig")
    assert "Monthly review: Core Platform, October 2026" in csv
    assert "Acme renewal" in csv
    assert "Team total,65.0" in csv


def test_producing_a_report_from_the_list(client, cmo, team, django_capture_on_commit_callbacks):
    client.force_login(cmo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reporting/reports/", {"team": team.pk, "month": "2026-10"})
    report = MonthlyReport.objects.get(team=team, month=OCTOBER)
    assert response["Location"] == f"/reporting/reports/{report.pk}/"
    assert report.status == ReportStatus.READY


@pytest.mark.parametrize(
    ("month", "error"),
    [
        ("2099-01", "has not started yet"),
        ("last month", "Enter a month as YYYY-MM"),
        ("", "Choose the month"),
    ],
)
def test_producing_a_report_with_a_bad_month_says_how_to_fix_it(client, cmo, team, month, error):
    client.force_login(cmo)
    response = client.post("/reporting/reports/", {"team": team.pk, "month": month})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not MonthlyReport.objects.exists()


def test_a_pmm_cannot_produce_another_teams_report(client, pmm, team, other_team):
    client.force_login(pmm)
    response = client.post("/reporting/reports/", {"team": other_team.pk, "month": "2026-10"})
    assert response.status_code == 400
    assert not MonthlyReport.objects.exists()


def test_report_list_filters_and_scoping(client, cmo, team, other_team):
    MonthlyReport.objects.create(team=team, month=OCTOBER, status=ReportStatus.READY, version=1)
    MonthlyReport.objects.create(team=team, month=dt.date(2026, 9, 1), status=ReportStatus.FAILED)
    MonthlyReport.objects.create(team=other_team, month=OCTOBER, status=ReportStatus.READY, version=1)
    client.force_login(cmo)
    html = client.get("/reporting/reports/").content.decode()
    assert "October 2026" in html
    assert "September 2026" in html
    assert "Analytics" not in html.split("<tbody>")[1]
    failed = client.get("/reporting/reports/?status=failed").content.decode()
    assert "September 2026" in failed
    assert "October 2026" not in failed.split("<tbody>")[1]
    empty = client.get("/reporting/reports/?q=nothing-matches").content.decode()
    assert "No report matches these filters" in empty


class TestDashboard:
    @pytest.mark.usefixtures("october")
    def test_cmo_sees_the_team_figures(self, client, cmo):
        client.force_login(cmo)
        html = client.get("/reporting/?month=2026-10").content.decode()
        assert "Core Platform — October 2026" in html
        assert "52 %" in html  # 34 of 65 hours on top 3
        assert "above the band" in html

    @pytest.mark.usefixtures("october")
    def test_every_chart_has_its_data_as_a_table(self, client, cmo):
        client.force_login(cmo)
        html = client.get("/reporting/?team=core-platform&month=2026-10").content.decode()
        assert html.count("<summary>Data table</summary>") == 4  # time split, weekly, by type, deflection
        time_table = html.split("Time split, last 12 months</caption>", 1)[1].split("</table>", 1)[0]
        october = time_table.split('<th scope="row">October 2026</th>', 1)[1].split("</tr>", 1)[0]
        # Top 3, other initiatives, requests, customers, meetings, other: the hand-worked October.
        assert [cell.split(">")[1].split("<")[0] for cell in october.split("<td")[1:]] == [
            "34",
            "5",
            "16",
            "2",
            "3",
            "5",
        ]
        types_table = html.split("Requests by type, this month</caption>", 1)[1].split("</table>", 1)[0]
        assert '<th scope="row">Slides</th>' in types_table
        assert 'href="/reporting/export/time-split.csv?' in html

    @pytest.mark.usefixtures("october")
    def test_pmm_sees_their_team_with_their_row_highlighted(self, client, pmm):
        client.force_login(pmm)
        html = client.get("/reporting/?month=2026-10").content.decode()
        table = html.split("By product marketer", 1)[1]
        assert 'class="table-primary viewer-row"' in table
        assert table.index("viewer-row") < table.index("Priya Mehta") < table.index("Zoe Zhang")

    @pytest.mark.usefixtures("october")
    def test_each_pmm_row_links_to_the_lists_behind_its_figures(self, client, cmo, pmm):
        client.force_login(cmo)
        html = client.get("/reporting/?team=core-platform&month=2026-10").content.decode()
        links = [
            f"/initiatives/all/?owner={pmm.pk}",
            "/initiatives/team/?month=2026-10",
            f"/requests/?assignee={pmm.pk}&amp;status=all",
            f"/personas/interactions/?owner={pmm.pk}&amp;occurred_after=2026-10-01&amp;occurred_before=2026-10-31",
            f"/initiatives/wins/?owner={pmm.pk}&amp;month=2026-10",
        ]
        for link in links:
            assert f'href="{link}"' in html, link
        for link in links:
            assert client.get(link.replace("&amp;", "&")).status_code == 200, link

    def test_htmx_switch_returns_only_the_body(self, client, cmo, team):
        client.force_login(cmo)
        response = client.get("/reporting/?team=core-platform&month=2026-09", HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert "September 2026" in html
        assert "<html" not in html

    def test_bad_month_falls_back_with_a_message(self, client, cmo, team):
        client.force_login(cmo)
        html = client.get("/reporting/?month=soon").content.decode()
        assert "Enter a month as YYYY-MM" in html

    def test_a_half_typed_year_is_refused_not_shown_as_year_11(self, client, cmo, team):
        client.force_login(cmo)
        html = client.get("/reporting/?month=0011-12").content.decode()
        assert "Enter a month as YYYY-MM" in html
        assert "0011" not in html.split('id="dashboard-body"')[1]

    def test_previous_and_next_month_buttons_keep_the_team(self, client, cmo, team):
        client.force_login(cmo)
        html = client.get(f"/reporting/?team={team.slug}&month=2026-10").content.decode()
        assert f'href="?team={team.slug}&amp;month=2026-09"' in html
        assert f'href="?team={team.slug}&amp;month=2026-11"' in html
        this_month = timezone.now().astimezone(team.zone).date().replace(day=1)
        current = client.get(f"/reporting/?month={this_month:%Y-%m}").content.decode()
        assert "Next month (not yet)" in current

    def test_a_team_the_user_is_not_on_is_not_offered(self, client, pmm, team, other_team):
        client.force_login(pmm)
        html = client.get("/reporting/?team=analytics").content.decode()
        assert "Analytics" not in html

    @pytest.mark.usefixtures("october")
    def test_csv_exports(self, client, cmo):
        client.force_login(cmo)
        people = client.get("/reporting/export/people.csv?month=2026-10").content.decode("utf-8-sig")
        assert people.splitlines()[1].startswith("Team total,65.0,52.3,24.6")
        split = client.get("/reporting/export/time-split.csv?month=2026-10").content.decode("utf-8-sig")
        assert "2026-10,34.0,5.0,16.0,2.0,3.0,5.0" in split

    @pytest.mark.parametrize(("who", "status"), [("sales", 403), ("pm", 403), ("cmo", 200), ("pmm", 200)])
    def test_access(self, client, cast, who, status):
        client.force_login(cast[who])
        assert client.get("/reporting/").status_code == status
        assert client.get("/reporting/export/people.csv").status_code == status


def _grow(team, size):
    """``size`` more PMMs on the team, each with a month of time; as many reps who self-served a
    request and said "me too" in October."""
    product = team.products.first()
    joined = Request.objects.filter(team=team).first()
    for n in range(size):
        user = UserFactory(role=Role.PMM, username=f"grown{size}-{n}")
        team.members.add(user)
        for monday in (dt.date(2026, 10, 5), dt.date(2026, 10, 12)):
            TimeEntry.objects.create(
                user=user, week_start=monday, category=TimeCategory.OTHER, hours=Decimal(8)
            )
        rep = UserFactory(username=f"rep{size}-{n}")
        if product is not None:
            self_served(product, rep, created=at(10, 6))
        if joined is not None:
            me_too(joined, rep, created=at(10, 7))


def _grow_asked_about(team, pmm, size):
    """``size`` competitors and personas, each named on a request this month ("What reps ask about")."""
    from competitive.services import competitor_create

    product = team.products.first()
    for n in range(size):
        competitor_create(actor=pmm, team=team, name=f"Rival {size}-{n}")
        persona = PersonaFactory(team=team, owner=pmm, name=f"Buyer {size}-{n}")
        request = RequestFactory(product=product, competitor=f"rival {size}-{n}")
        request.personas.add(persona)


@pytest.mark.usefixtures("october")
def test_dashboard_query_count_is_flat(client, cmo, team, pmm):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/reporting/?month=2026-10").status_code == 200
        return len(queries)

    client.force_login(cmo)
    _grow_asked_about(team, pmm, 1)
    small = count()
    _grow(team, 10)
    _grow_asked_about(team, pmm, 10)
    assert count() == small
    # Session, user, teams; PMMs, band; time, top 3, the month's requests (one list), its "me too"
    # joins, interactions, wins; stale personas; trends: time split (one grouped query per month of
    # the year: 12), requests in, out, by type, deflection (requests and "me too" joins by month: 2);
    # "What reps ask about": the teams' competitors, their requests by name, the personas' tagged
    # requests (3, added with the card: the pin was 30); the launch card's launches of the next six
    # weeks (1; their items are one more query when there are some).
    assert small <= 34


@pytest.mark.usefixtures("october")
def test_report_page_query_count_is_flat(client, cmo, team, django_capture_on_commit_callbacks):
    from reporting import services

    client.force_login(cmo)

    def count() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            report = services.report_request(team=team, month=OCTOBER)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/reporting/reports/{report.pk}/").status_code == 200
        return len(queries)

    small = count()
    _grow(team, 10)
    assert count() == small  # the page reads the snapshot, whatever the data behind it


def test_report_list_query_count_is_flat(client, cmo, team):
    client.force_login(cmo)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/reporting/reports/").status_code == 200
        return len(queries)

    MonthlyReport.objects.create(team=team, month=OCTOBER)
    small = count()
    for month in range(1, 10):
        MonthlyReport.objects.create(team=team, month=dt.date(2025, month, 1))
    assert count() == small


class TestApi:
    def test_list_and_detail_are_scoped(self, api_client, pmm, team, other_team, ready_report):
        MonthlyReport.objects.create(team=other_team, month=OCTOBER)
        api_client.force_login(pmm)
        body = api_client.get("/api/v1/reports/").json()
        assert [r["team"] for r in body["results"]] == [team.pk]
        detail = api_client.get(f"/api/v1/reports/{ready_report.pk}/").json()
        assert detail["month"] == "2026-10"
        assert "figures" in detail["data"]
        other = MonthlyReport.objects.get(team=other_team)
        assert api_client.get(f"/api/v1/reports/{other.pk}/").status_code == 404

    def test_regenerate(self, api_client, cmo, ready_report, django_capture_on_commit_callbacks):
        api_client.force_login(cmo)
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(f"/api/v1/reports/{ready_report.pk}/regenerate/")
        assert response.status_code == 202
        ready_report.refresh_from_db()
        assert ready_report.version == 1  # same figures: no new version
        assert ready_report.checked_at > ready_report.generated_at

    @pytest.mark.parametrize("who", ["sales", "pm"])
    def test_no_access_for_sales_and_pms(self, api_client, cast, ready_report, who):
        api_client.force_login(cast[who])
        assert api_client.get("/api/v1/reports/").status_code == 403
        assert api_client.get("/api/v1/dashboard/").status_code == 403

    @pytest.mark.usefixtures("october")
    def test_dashboard_figures(self, api_client, cmo):
        api_client.force_login(cmo)
        body = api_client.get("/api/v1/dashboard/", {"month": "2026-10", "team": "core-platform"}).json()
        assert body["figures"]["total_hours"] == 65.0
        bad = api_client.get("/api/v1/dashboard/", {"month": "soon"})
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["attr"] == "month"

    def test_report_list_query_count_is_flat(self, api_client, cmo, team):
        api_client.force_login(cmo)
        MonthlyReport.objects.create(team=team, month=OCTOBER)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert api_client.get("/api/v1/reports/").status_code == 200
            return len(queries)

        small = count()
        for month in range(1, 10):
            MonthlyReport.objects.create(team=team, month=dt.date(2025, month, 1))
        assert count() == small


def test_a_malformed_report_id_is_a_404_not_a_500(api_client, cmo, team):
    api_client.force_login(cmo)
    assert api_client.post("/api/v1/reports/abc/regenerate/").status_code == 404
