"""The pages as a PMM, a PM and the CMO use them."""

import datetime
import re
from decimal import Decimal

import pytest

from initiatives.models import FocusSlot, Initiative, MonthlyReview, StatusUpdate, Win
from tests.factories import FocusSlotFactory, InitiativeFactory, MilestoneFactory, TimeEntryFactory
from timesheets.models import TimeEntry


@pytest.fixture
def plan(pmm, team, month):
    initiatives = [
        InitiativeFactory(owner=pmm, team=team, title=t) for t in ("Battlecards", "Personas", "Pricing")
    ]
    for rank, initiative in enumerate(initiatives, start=1):
        FocusSlotFactory(initiative=initiative, month=month, rank=rank)
    backlog = InitiativeFactory(owner=pmm, team=team, title="Website revamp")
    return [*initiatives, backlog]


def test_my_plan_shows_the_top_3_then_the_backlog(client, pmm, plan, month):
    MilestoneFactory(initiative=plan[0], title="Sales review", due_date=month + datetime.timedelta(days=20))
    client.force_login(pmm)
    html = client.get("/initiatives/").content.decode().split('id="plan-board"')[1]
    top, backlog = html.split('id="backlog-heading"')
    assert top.index("Battlecards") < top.index("Personas") < top.index("Pricing")
    assert "Website revamp" in backlog
    assert "Next: Sales review" in top
    assert "On track" in top


def test_a_fourth_is_refused_in_place_with_htmx(client, pmm, plan, month):
    client.force_login(pmm)
    response = client.post(
        f"/initiatives/{plan[3].pk}/focus/",
        {"action": "add", "month": f"{month:%Y-%m}"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="plan-board"' in html
    assert "move one to the backlog first" in html
    assert "<html" not in html
    assert FocusSlot.objects.filter(owner=pmm, month=month).count() == 3


def test_moving_to_the_backlog_and_reordering_in_place(client, pmm, plan, month):
    client.force_login(pmm)
    client.post(
        f"/initiatives/{plan[0].pk}/focus/",
        {"action": "remove", "month": f"{month:%Y-%m}"},
        HTTP_HX_REQUEST="true",
    )
    response = client.post(
        f"/initiatives/{plan[3].pk}/focus/",
        {"action": "add", "month": f"{month:%Y-%m}"},
        HTTP_HX_REQUEST="true",
    )
    assert "move one to the backlog first" not in response.content.decode()
    client.post(
        f"/initiatives/{plan[3].pk}/focus/",
        {"action": "up", "month": f"{month:%Y-%m}"},
        HTTP_HX_REQUEST="true",
    )
    ranked = (
        FocusSlot.objects.filter(owner=pmm, month=month)
        .order_by("rank")
        .values_list("initiative__title", flat=True)
    )
    assert list(ranked) == ["Personas", "Website revamp", "Pricing"]


def test_without_htmx_the_refusal_comes_back_as_a_message(client, pmm, plan, month):
    client.force_login(pmm)
    response = client.post(f"/initiatives/{plan[3].pk}/focus/", {"action": "add"}, follow=True)
    assert "move one to the backlog first" in response.content.decode()


def test_cmo_and_pm_see_the_team_plan_at_the_plan_address(client, cmo, pm, pmm, plan):
    for reader in (cmo, pm):
        client.force_login(reader)
        html = client.get("/initiatives/").content.decode()
        assert "Team plan" in html
        assert "Priya Mehta" in html
        assert "Battlecards" in html
        assert "Add to top 3" not in html


def test_timeline_marks_focus_months(client, cmo, plan, month):
    client.force_login(cmo)
    html = client.get("/initiatives/timeline/").content.decode()
    assert "Battlecards" in html
    assert "timeline-focus" in html


def test_creating_an_initiative_straight_into_the_top_3(client, pmm, team, product, month, today):
    client.force_login(pmm)
    response = client.post(
        "/initiatives/new/",
        {
            "title": "Competitive battlecards",
            "goal": "Sales handles the top five objections.",
            "expected_impact": "Win rate +5 points",
            "products": [product.pk],
            "start_date": today.isoformat(),
            "target_date": (today + datetime.timedelta(days=60)).isoformat(),
            "planned_hours_per_week": "6",
            "focus": "1",
        },
    )
    initiative = Initiative.objects.get()
    assert response["Location"] == f"/initiatives/{initiative.pk}/"
    assert list(initiative.products.all()) == [product]
    assert FocusSlot.objects.get(month=month).initiative == initiative


def test_bad_dates_are_explained_on_the_form(client, pmm, team):
    client.force_login(pmm)
    response = client.post(
        "/initiatives/new/",
        {
            "title": "X",
            "goal": "Y",
            "start_date": "2026-11-10",
            "target_date": "2026-11-01",
            "planned_hours_per_week": "4",
        },
    )
    assert response.status_code == 200
    assert "The target date must be on or after the start date." in response.content.decode()
    assert not Initiative.objects.exists()


def test_status_updates_stream_newest_first(client, pmm, plan):
    client.force_login(pmm)
    client.post(f"/initiatives/{plan[0].pk}/updates/", {"status": "at_risk", "message": "Waiting on pricing"})
    client.post(f"/initiatives/{plan[0].pk}/updates/", {"status": "on_track", "message": "Pricing approved"})
    html = client.get(f"/initiatives/{plan[0].pk}/").content.decode()
    assert html.index("Pricing approved") < html.index("Waiting on pricing")
    assert StatusUpdate.objects.count() == 2


def test_timesheet_lists_top_3_and_categories_and_saves(client, pmm, plan, this_week):
    client.force_login(pmm)
    html = client.get("/initiatives/timesheet/").content.decode()
    for label in (
        "#1 Battlecards",
        "#2 Personas",
        "#3 Pricing",
        "One-off requests",
        "Customer time",
        "Meetings",
        "Other",
    ):
        assert label in html
    response = client.post(
        "/initiatives/timesheet/",
        {
            "week": this_week.isoformat(),
            f"hours-initiative-{plan[0].pk}": "10",
            f"hours-initiative-{plan[1].pk}": "6.5",
            "hours-request": "4",
            "hours-customer": "3",
            "hours-meetings": "8",
            "hours-other": "",
            "note-meetings": "QBR prep",
        },
    )
    assert response.status_code == 302
    logged = TimeEntry.objects.filter(user=pmm, week_start=this_week).values_list("category", "hours")
    assert sorted(logged) == [
        ("customer", Decimal("3")),
        ("initiative", Decimal("6.5")),
        ("initiative", Decimal("10")),
        ("meetings", Decimal("8")),
        ("request", Decimal("4")),
    ]
    assert TimeEntry.objects.get(category="meetings").note == "QBR prep"


def test_timesheet_explains_bad_hours_and_saves_nothing(client, pmm, plan, this_week):
    client.force_login(pmm)
    response = client.post(
        "/initiatives/timesheet/",
        {"week": this_week.isoformat(), "hours-meetings": "lots", "hours-other": "3"},
    )
    assert response.status_code == 400
    assert "Enter hours as a number" in response.content.decode()
    assert not TimeEntry.objects.exists()
    response = client.post(
        "/initiatives/timesheet/",
        {"week": this_week.isoformat(), "hours-meetings": "60", "hours-other": "30"},
    )
    assert response.status_code == 400
    assert "a week holds at most 80" in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_future_weeks_are_refused_on_the_timesheet(client, pmm, team, this_week):
    client.force_login(pmm)
    future = this_week + datetime.timedelta(days=7)
    assert "has not begun" in client.get(f"/initiatives/timesheet/?week={future}").content.decode()
    response = client.post("/initiatives/timesheet/", {"week": future.isoformat(), "hours-other": "3"})
    assert response.status_code == 400
    assert not TimeEntry.objects.exists()


def test_copy_last_week_from_the_timesheet(client, pmm, team, this_week, last_week):
    TimeEntryFactory(user=pmm, week_start=last_week, category="meetings", hours=7)
    client.force_login(pmm)
    response = client.post("/initiatives/timesheet/copy/", {"week": this_week.isoformat()}, follow=True)
    assert "Copied 1 line from last week" in response.content.decode()
    assert TimeEntry.objects.get(week_start=this_week).hours == 7


def test_review_flow_through_the_pages(client, pmm, team, month):
    last_month = (month - datetime.timedelta(days=1)).replace(day=1)
    carried, done = (InitiativeFactory(owner=pmm, team=team, title=t) for t in ("Battlecards", "Launch kit"))
    FocusSlotFactory(initiative=carried, month=last_month, rank=1)
    FocusSlotFactory(initiative=done, month=last_month, rank=2)
    client.force_login(pmm)
    assert f"Close {last_month:%B}" in client.get("/initiatives/").content.decode()
    response = client.get(f"/initiatives/review/?month={last_month:%Y-%m}")
    review = MonthlyReview.objects.get()
    assert response["Location"] == f"/initiatives/reviews/{review.pk}/"
    client.post(
        f"/initiatives/reviews/{review.pk}/",
        {
            "action": "save",
            f"outcome-{carried.pk}": "carried_over",
            f"outcome-{done.pk}": "done",
            "learnings": "Draft",
        },
    )
    html = client.get(f"/initiatives/reviews/{review.pk}/").content.decode()
    assert re.search(
        rf'<option value="{carried.pk}"\s+selected>Battlecards</option>', html
    )  # carried over, prefilled
    response = client.post(
        f"/initiatives/reviews/{review.pk}/",
        {
            "action": "submit",
            f"outcome-{carried.pk}": "carried_over",
            f"outcome-{done.pk}": "done",
            "learnings": "Objections first.",
            "next-1": str(carried.pk),
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_locked
    assert FocusSlot.objects.get(month=month).initiative == carried
    html = client.get(f"/initiatives/reviews/{review.pk}/").content.decode()
    assert "Reopen review" in html
    assert "Submit and lock" not in html
    client.post(f"/initiatives/reviews/{review.pk}/reopen/", {"reason": "A late win"})
    html = client.get(f"/initiatives/reviews/{review.pk}/").content.decode()
    assert "Submit and lock" in html
    assert "A late win" in html


def test_a_win_recorded_from_the_review_returns_to_it(client, pmm, team, month):
    review = MonthlyReview.objects.create(
        owner=pmm, team=team, month=(month - datetime.timedelta(days=1)).replace(day=1)
    )
    client.force_login(pmm)
    response = client.post(
        "/initiatives/wins/new/",
        {
            "title": "Won Globex",
            "impact": "€120k ARR",
            "date": review.month.isoformat(),
            "next": f"/initiatives/reviews/{review.pk}/",
        },
    )
    assert response["Location"] == f"/initiatives/reviews/{review.pk}/"
    assert "Won Globex" in client.get(response["Location"]).content.decode()
    assert Win.objects.get().team == team


def test_the_cmo_sees_the_teams_wins(client, cmo, pmm, team):
    Win.objects.create(
        title="Won Globex", impact="€120k ARR", date=datetime.date(2026, 11, 3), team=team, owner=pmm
    )
    client.force_login(cmo)
    html = client.get("/initiatives/wins/").content.decode()
    assert "Won Globex" in html
    assert "Record a win" not in html
    assert "Won Globex" not in client.get("/initiatives/wins/?q=initech").content.decode()


def test_pmm_home_shows_top_3_hours_and_review_prompt(client, pmm, plan, this_week, month):
    TimeEntryFactory(user=pmm, week_start=this_week, category="initiative", initiative=plan[0], hours=5)
    client.force_login(pmm)
    html = client.get("/").content.decode()
    assert "Top 3 for" in html
    assert "Battlecards" in html
    assert "<strong>5 h</strong> logged this week · 24 h planned" in html
    last_month = (month - datetime.timedelta(days=1)).replace(day=1)
    assert f"Time to close {last_month:%B}" in html


def test_cmo_home_summarises_the_teams_top_3(client, cmo, plan):
    plan[1].status = "at_risk"
    plan[1].save()
    client.force_login(cmo)
    html = client.get("/").content.decode()
    assert "Team top 3" in html
    assert "focus initiatives" in html


def test_cmo_home_counts_by_status_and_pmms_without_a_plan(client, cmo, team, plan, month):
    from initiatives.selectors import cmo_home
    from pmm_portal.core.models import Role
    from tests.factories import UserFactory

    plan[1].status = "at_risk"
    plan[1].save()
    team.members.add(UserFactory(role=Role.PMM))
    home = cmo_home(user=cmo, today=month)
    assert (home.pmm_count, home.focus_count, home.without_plan) == (2, 3, 1)
    assert home.by_status["on_track"] == 2
    assert home.by_status["at_risk"] == 1
    assert home.by_status["off_track"] == 0


def test_a_win_can_come_from_a_request_the_pmm_delivered(client, pmm, team, product, sales_rep):
    from requests_queue.models import Request

    request = Request.objects.create(
        requester=sales_rep,
        team=team,
        product=product,
        title="Pricing help for Globex",
        needed_by=datetime.date(2026, 12, 1),
        assignee=pmm,
        status="delivered",
    )
    client.force_login(pmm)
    offered = client.get("/initiatives/wins/request-options/", {"q": "pricing"}).json()["results"]
    assert [r["text"] for r in offered] == [f"#{request.pk} Pricing help for Globex"]
    client.post(
        "/initiatives/wins/new/",
        {"title": "Globex signed", "impact": "€90k ARR", "date": "2026-11-05", "request": request.pk},
    )
    assert Win.objects.get().request == request
    assert "Pricing help for Globex" in client.get("/initiatives/wins/").content.decode()


def test_the_detail_page_adds_to_the_top_3(client, pmm, team, month):
    initiative = InitiativeFactory(owner=pmm, team=team, title="Launch kit")
    client.force_login(pmm)
    assert "Add to my top 3" in client.get(f"/initiatives/{initiative.pk}/").content.decode()
    response = client.post(
        f"/initiatives/{initiative.pk}/focus/", {"action": "add", "month": f"{month:%Y-%m}"}
    )
    assert response.status_code == 302
    assert "#1 in your top 3 this month" in client.get(f"/initiatives/{initiative.pk}/").content.decode()


def test_editing_the_status_records_it_in_the_stream(client, pmm, team, product):
    initiative = InitiativeFactory(owner=pmm, team=team, title="Launch kit")
    client.force_login(pmm)
    response = client.post(
        f"/initiatives/{initiative.pk}/edit/",
        {
            "title": "Launch kit 2.0",
            "goal": initiative.goal,
            "start_date": "2026-11-01",
            "target_date": "2026-12-31",
            "planned_hours_per_week": "5",
            "status": "off_track",
            "products": [product.pk],
        },
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert (initiative.title, initiative.status) == ("Launch kit 2.0", "off_track")
    assert StatusUpdate.objects.get().message == "Status changed from On track to Off track."
