"""A month's report is the month as it stood at its end; versions; the calendar rule; the default month.

Time is frozen by replacing ``django.utils.timezone.now`` (the server runs on UTC).
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from initiatives.models import FocusSlot, InitiativeStatus, StatusUpdate
from reporting import exports, selectors, services, tasks
from reporting.models import ReportSending, ReportVersion, SendingStatus
from requests_queue.models import EventKind, RequestEvent, RequestStatus
from tests.reporting.conftest import OCTOBER, _initiative, _request, _time, at
from timesheets.models import TimeCategory, TimeEntry

NOVEMBER = dt.date(2026, 11, 1)
DECEMBER = dt.date(2026, 12, 1)
UTC = ZoneInfo("UTC")


@pytest.fixture
def freeze(monkeypatch):
    def run(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return run


@pytest.fixture
def produce(django_capture_on_commit_callbacks):
    def run(team, month=OCTOBER, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            report = services.report_request(team=team, month=month, user=user)
        report.refresh_from_db()
        return report

    return run


# --- Snapshots and versions ------------------------------------------------------------------------


@pytest.mark.usefixtures("october")
def test_regenerating_after_edits_to_later_months_gives_the_same_figures(
    produce, team, pmm, sales_rep, product
):
    first = produce(team)
    # November and December move on: time, requests, a win, a status change after October ended.
    _time(pmm, dt.date(2026, 11, 9), TimeCategory.MEETINGS, 12)
    _request(team, product, sales_rep, created=at(11, 20))
    initiative = FocusSlot.objects.filter(owner=pmm, month=OCTOBER, rank=1).get().initiative
    StatusUpdate.objects.create(
        initiative=initiative,
        author=pmm,
        status=InitiativeStatus.OFF_TRACK,
        message="Slipped",
        created_at=at(12, 4),
    )
    initiative.status = InitiativeStatus.OFF_TRACK
    initiative.save(update_fields=["status"])

    again = produce(team)

    assert again.data == first.data
    assert again.version == 1
    assert ReportVersion.objects.filter(report=again).count() == 1
    assert again.checked_at > again.generated_at  # the page says "no change since version 1"


@pytest.mark.usefixtures("october")
def test_an_edit_inside_the_month_makes_a_new_version_that_says_what_changed(produce, team, pmm):
    produce(team)
    _time(pmm, dt.date(2026, 10, 26), TimeCategory.MEETINGS, 10)  # Mon 26 – Fri 30 October: all October

    report = produce(team)

    assert report.version == 2
    assert report.data["figures"]["total_hours"] == 75.0
    latest = ReportVersion.objects.get(report=report, number=2)
    changes = {change["label"]: (change["before"], change["after"]) for change in latest.changes}
    assert changes["hours logged"] == (65.0, 75.0)
    assert changes["Priya Mehta: hours in meetings"] == (3.0, 13.0)
    assert exports.report_filename(report, "pdf").endswith("-v2.pdf")


@pytest.mark.usefixtures("october")
def test_a_status_set_after_the_month_ended_is_not_in_that_months_report(team, pmm):
    initiative = FocusSlot.objects.filter(owner=pmm, month=OCTOBER, rank=1).get().initiative  # on track
    StatusUpdate.objects.create(
        initiative=initiative,
        author=pmm,
        status=InitiativeStatus.AT_RISK,
        message="Late",
        created_at=at(10, 20),
    )
    StatusUpdate.objects.create(
        initiative=initiative,
        author=pmm,
        status=InitiativeStatus.DONE,
        message="Shipped",
        created_at=at(12, 4),
    )
    initiative.status = InitiativeStatus.DONE
    initiative.save(update_fields=["status"])

    top3 = selectors.month_snapshot(team=team, month=OCTOBER)["figures"]["top3"]

    # Priya's top 3 on 31 October: A at risk (its last update then), B at risk, C done.
    assert top3["at_risk"] == 2
    assert top3["done"] == 1
    assert top3["on_track"] == 0
    assert top3["off_track"] == 1  # Zoe's


@pytest.mark.usefixtures("october")
def test_a_request_delivered_after_the_month_shows_its_status_at_month_end(team, product, sales_rep, pmm):
    request = _request(
        team,
        product,
        sales_rep,
        created=at(10, 27),
        title="Late October ask",
        assignee=pmm,
        status=RequestStatus.DELIVERED,
        triaged_at=at(10, 28),
        delivered_at=at(11, 3),
    )
    RequestEvent.objects.create(
        request=request, kind=EventKind.STATUS_CHANGED, to_status=RequestStatus.TRIAGED, created_at=at(10, 28)
    )
    RequestEvent.objects.create(
        request=request,
        kind=EventKind.STATUS_CHANGED,
        to_status=RequestStatus.DELIVERED,
        created_at=at(11, 3),
    )

    snapshot = selectors.month_snapshot(team=team, month=OCTOBER)

    row = next(r for r in snapshot["requests"] if r["title"] == "Late October ask")
    assert row["status"] == "Triaged"
    assert row["delivered"] is None
    assert snapshot["figures"]["requests"]["delivered"] == 3  # R1, R2, R3: not this one


@pytest.mark.usefixtures("october")
def test_a_summary_edit_is_a_version_with_its_own_file_name(produce, team, cmo):
    report = produce(team)

    report = services.report_update_summary(report=report, user=cmo, summary="A strong month.")
    report = services.report_update_summary(report=report, user=cmo, summary="A strong month.")  # unchanged

    assert report.version == 2
    version = ReportVersion.objects.get(report=report, number=2)
    assert (version.kind, version.summary, version.created_by) == ("summary", "A strong month.", cmo)
    assert exports.report_filename(report, "csv").endswith("-v2.csv")


@pytest.mark.usefixtures("october")
def test_the_report_page_shows_versions_and_what_changed(client, produce, team, cmo, pmm):
    produce(team)
    _time(pmm, dt.date(2026, 10, 26), TimeCategory.MEETINGS, 10)
    report = produce(team)
    client.force_login(cmo)

    page = client.get(f"/reporting/reports/{report.pk}/").content.decode()

    assert "Version 2" in page
    assert "Hours logged: 65.0 → 75.0" in page
    assert "How these figures are counted" in page


# --- One calendar rule -------------------------------------------------------------------------------


def test_a_week_spanning_two_months_is_split_by_working_day(api_client, team, pmm, cmo):
    # Monday 30 November 2026: one working day in November, four in December.
    _time(pmm, dt.date(2026, 11, 30), TimeCategory.OTHER, 40)

    november = selectors.dashboard(teams=[team], month=NOVEMBER)
    december = selectors.dashboard(teams=[team], month=DECEMBER)
    snapshot = selectors.month_snapshot(team=team, month=NOVEMBER)

    assert november["figures"]["total_hours"] == 8.0
    assert december["figures"]["total_hours"] == 32.0
    assert snapshot["figures"]["total_hours"] == 8.0
    split = {row["month"]: row["other"] for row in december["trends"]["time_split"]}
    assert (split["2026-11-01"], split["2026-12-01"]) == (8.0, 32.0)
    api_client.force_login(cmo)
    body = api_client.get("/api/v1/dashboard/?month=2026-12").json()
    assert body["figures"]["total_hours"] == 32.0
    assert "split across months by working day" in " ".join(body["definitions"].values())


def test_a_month_starting_on_sunday_takes_nothing_from_the_week_before(team, pmm):
    # November 2026 starts on Sunday 1: the week of Monday 26 October is October's alone.
    _time(pmm, dt.date(2026, 10, 26), TimeCategory.OTHER, 40)
    _time(pmm, dt.date(2026, 11, 2), TimeCategory.OTHER, 20)

    assert selectors.dashboard(teams=[team], month=NOVEMBER)["figures"]["total_hours"] == 20.0
    assert selectors.dashboard(teams=[team], month=OCTOBER)["figures"]["total_hours"] == 40.0


def test_top3_time_in_a_boundary_week_follows_each_months_top3(team, pmm):
    november_focus = _initiative(pmm, team, "November focus", InitiativeStatus.ON_TRACK)
    december_focus = _initiative(pmm, team, "December focus", InitiativeStatus.ON_TRACK)
    FocusSlot.objects.create(owner=pmm, month=NOVEMBER, rank=1, initiative=november_focus)
    FocusSlot.objects.create(owner=pmm, month=DECEMBER, rank=1, initiative=december_focus)
    TimeEntry.objects.create(
        user=pmm,
        week_start=dt.date(2026, 11, 30),
        category=TimeCategory.INITIATIVE,
        initiative=december_focus,
        hours=Decimal(20),
    )

    november = selectors.dashboard(teams=[team], month=NOVEMBER)["figures"]["hours"]
    december = selectors.dashboard(teams=[team], month=DECEMBER)["figures"]["hours"]

    assert (november["top3"], november["initiative_other"]) == (0.0, 4.0)
    assert (december["top3"], december["initiative_other"]) == (16.0, 0.0)


# --- The month the dashboard opens on ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 12, 1), NOVEMBER),  # Tuesday: 1st working day
        (dt.date(2026, 12, 2), NOVEMBER),
        (dt.date(2026, 12, 4), NOVEMBER),
        (dt.date(2026, 12, 7), NOVEMBER),  # Monday: 5th working day, still closing November
        (dt.date(2026, 12, 8), DECEMBER),
        (dt.date(2026, 12, 10), DECEMBER),
        (dt.date(2026, 11, 2), OCTOBER),  # November starts on a Sunday: Monday 2 is its 1st working day
    ],
)
def test_default_month_is_last_month_until_the_fifth_working_day(team, today, expected):
    assert selectors.default_month(teams=[team], today=today) == expected


def test_the_dashboard_on_the_2nd_opens_on_last_month_with_a_way_to_this_month(client, freeze, cmo, team):
    freeze(dt.datetime(2026, 12, 2, 9, tzinfo=UTC))
    client.force_login(cmo)

    page = client.get("/reporting/").content.decode()

    assert "— November 2026" in page
    assert "December so far" in page
    assert 'value="2026-11"' in page


def test_the_dashboard_on_the_10th_opens_on_this_month(client, freeze, cmo, team):
    freeze(dt.datetime(2026, 12, 10, 9, tzinfo=UTC))
    client.force_login(cmo)

    page = client.get("/reporting/").content.decode()

    assert "— December 2026" in page
    assert "so far" not in page


def test_the_cmo_home_on_the_2nd_shows_last_month(client, freeze, cmo, team):
    freeze(dt.datetime(2026, 12, 2, 9, tzinfo=UTC))
    client.force_login(cmo)

    page = client.get("/").content.decode()

    assert "/reporting/?month=2026-11" in page
    assert "November 2026" in page


# --- One definition of each count ----------------------------------------------------------------------


@pytest.mark.usefixtures("october")
def test_dashboard_report_and_api_give_the_same_counts(client, api_client, produce, team, cmo):
    report = produce(team)
    api_client.force_login(cmo)
    api = api_client.get("/api/v1/dashboard/?team=core-platform&month=2026-10").json()["figures"]
    client.force_login(cmo)
    page = client.get("/reporting/?team=core-platform&month=2026-10")
    live = page.context["figures"]

    for figures in (api, live, report.data["figures"]):
        assert figures["requests"]["received"] == len(report.data["requests"]) == 4
        assert figures["requests"]["delivered"] == 3
        assert figures["total_hours"] == 65.0
        assert figures["top3_share"] == report.data["figures"]["top3_share"]


# --- Send to… --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("october")
def test_send_to_mails_the_pdf_once_and_lists_it(
    client, produce, team, cmo, pmm, django_capture_on_commit_callbacks
):
    report = produce(team)
    mail.outbox.clear()
    client.force_login(cmo)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/reporting/reports/{report.pk}/send/",
            {
                "people": [pmm.pk],
                "emails": "board@example.com",
                "message": "For Monday.",
                "attach_pdf": "pdf",
            },
        )

    assert response.status_code == 302
    sending = ReportSending.objects.get(report=report)
    assert sending.status == SendingStatus.SENT
    assert sending.recipients == [pmm.email.lower(), "board@example.com"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {pmm.email.lower(), "board@example.com"}
    assert "For Monday." in message.body
    assert message.reply_to == [cmo.email]
    (filename, content, mimetype) = message.attachments[0]
    assert filename.endswith("-v1.pdf")
    assert mimetype == "application/pdf"
    assert content[:4] == b"%PDF"

    tasks.send_report(sending.pk)  # a retried or duplicated task
    assert len(mail.outbox) == 1
    page = client.get(f"/reporting/reports/{report.pk}/").content.decode()
    assert "board@example.com" in page
    assert "Sent" in page


@pytest.mark.usefixtures("october")
def test_send_to_refuses_bad_addresses_and_keeps_the_input(client, produce, team, cmo):
    report = produce(team)
    client.force_login(cmo)

    response = client.post(
        f"/reporting/reports/{report.pk}/send/",
        {"emails": "board@example.com, not-an-address", "attach_pdf": "pdf"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Not an email address: not-an-address" in page
    assert "board@example.com, not-an-address" in page
    assert not ReportSending.objects.exists()


@pytest.mark.usefixtures("october")
def test_send_to_needs_someone_and_at_most_twenty(client, produce, team, cmo):
    report = produce(team)
    client.force_login(cmo)

    empty = client.post(f"/reporting/reports/{report.pk}/send/", {"attach_pdf": "link"})
    many = ", ".join(f"person{n}@example.com" for n in range(21))
    crowd = client.post(f"/reporting/reports/{report.pk}/send/", {"emails": many, "attach_pdf": "link"})

    assert empty.status_code == crowd.status_code == 400
    assert "Tick at least one person or type an email address." in empty.content.decode()
    assert "at most 20 people" in crowd.content.decode()
    assert not ReportSending.objects.exists()


@pytest.mark.usefixtures("october")
@pytest.mark.parametrize(("who", "status"), [("pmm", 302), ("other_pmm", 404), ("sales", 403), ("pm", 403)])
def test_who_may_send_a_report(client, cast, produce, team, who, status):
    report = produce(team)
    client.force_login(cast[who])

    response = client.post(
        f"/reporting/reports/{report.pk}/send/", {"emails": "board@example.com", "attach_pdf": "link"}
    )

    assert response.status_code == status
    assert ReportSending.objects.exists() == (status == 302)


def test_a_persona_validated_after_the_month_was_still_stale_at_its_end(team, pmm):
    from personas.models import Persona

    with_history = Persona(name="Old CTO", kind="buyer", team=team, owner=pmm)
    with_history.save()
    Persona.history.filter(id=with_history.pk).update(history_date=at(3, 1), created_at=at(3, 1))
    Persona.objects.filter(pk=with_history.pk).update(created_at=at(3, 1))
    with_history.refresh_from_db()
    with_history.status = "validated"
    with_history.last_validated_at = at(11, 20)
    with_history.save()  # a second history record, dated now (after October)
    Persona.history.filter(id=with_history.pk, history_type="~").update(
        history_date=at(11, 20), created_at=at(3, 1)
    )

    october = selectors.month_snapshot(team=team, month=OCTOBER)
    november = selectors.dashboard(teams=[team], month=NOVEMBER)

    assert [(p["name"], p["stale"]) for p in october["personas"]] == [("Old CTO", True)]
    assert october["stale_personas"] == 1
    assert november["stale_personas"] == 0  # validated on 20 November
