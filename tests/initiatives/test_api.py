"""The API keeps the same rules as the pages: the top-3 rule and the time rules answer 400 with field errors."""

import datetime

import pytest
from django.core.management import call_command

from initiatives.models import FocusSlot, Initiative, Win
from tests.factories import FocusSlotFactory, InitiativeFactory, PersonaFactory, TimeEntryFactory
from timesheets.models import TimeEntry


@pytest.fixture
def client_pmm(api_client, pmm, team):
    api_client.force_login(pmm)
    return api_client


def errors(response):
    body = response.json()
    assert body["type"] == "validation_error"
    return {(e["attr"], e["detail"]) for e in body["errors"]}


def test_create_an_initiative_with_products_and_personas(client_pmm, pmm, team, product):
    persona = PersonaFactory(team=team, owner=pmm)
    response = client_pmm.post(
        "/api/v1/initiatives/",
        {
            "title": "Battlecards",
            "goal": "Sales handles the top five objections.",
            "start_date": "2026-11-01",
            "target_date": "2027-01-31",
            "planned_hours_per_week": "6.0",
            "products": [product.pk],
            "personas": [persona.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"]["username"] == "pmm"
    assert body["team"] == team.pk
    assert body["products"] == [product.pk]
    assert body["personas"] == [persona.pk]
    assert body["current_rank"] is None


def test_bad_dates_are_a_400_on_the_field(client_pmm):
    response = client_pmm.post(
        "/api/v1/initiatives/",
        {"title": "X", "goal": "Y", "start_date": "2026-11-10", "target_date": "2026-11-01"},
        format="json",
    )
    assert response.status_code == 400
    assert ("target_date", "The target date must be on or after the start date.") in errors(response)


def test_a_fourth_focus_is_a_400_that_says_what_to_do(client_pmm, pmm, team, month):
    initiatives = [InitiativeFactory(owner=pmm, team=team) for _ in range(4)]
    for initiative in initiatives[:3]:
        response = client_pmm.post(f"/api/v1/initiatives/{initiative.pk}/focus/", {}, format="json")
        assert response.status_code == 200
    assert response.json()["current_rank"] == 3
    response = client_pmm.post(f"/api/v1/initiatives/{initiatives[3].pk}/focus/", {}, format="json")
    assert response.status_code == 400
    [(attr, detail)] = errors(response)
    assert attr == "initiative"
    assert "move one to the backlog first" in detail
    assert FocusSlot.objects.filter(month=month).count() == 3
    response = client_pmm.post(f"/api/v1/initiatives/{initiatives[0].pk}/unfocus/", {}, format="json")
    assert response.json()["current_rank"] is None
    response = client_pmm.post(f"/api/v1/initiatives/{initiatives[3].pk}/focus/", {}, format="json")
    assert response.json()["current_rank"] == 3


def test_status_change_through_the_api_is_recorded(client_pmm, pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team)
    response = client_pmm.patch(f"/api/v1/initiatives/{initiative.pk}/", {"status": "at_risk"}, format="json")
    assert response.status_code == 200
    assert initiative.status_updates.get().status == "at_risk"


def test_initiatives_filter_and_search(client_pmm, pmm, team):
    InitiativeFactory(owner=pmm, team=team, title="Battlecards", status="at_risk")
    InitiativeFactory(owner=pmm, team=team, title="Persona refresh")
    assert [i["title"] for i in client_pmm.get("/api/v1/initiatives/?status=at_risk").json()["results"]] == [
        "Battlecards"
    ]
    assert [i["title"] for i in client_pmm.get("/api/v1/initiatives/?search=persona").json()["results"]] == [
        "Persona refresh"
    ]


def test_initiative_with_time_cannot_be_deleted(client_pmm, pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team)
    TimeEntryFactory(user=pmm, category="initiative", initiative=initiative)
    response = client_pmm.delete(f"/api/v1/initiatives/{initiative.pk}/")
    assert response.status_code == 400
    assert "set its status to dropped" in str(errors(response))
    unused = InitiativeFactory(owner=pmm, team=team)
    assert client_pmm.delete(f"/api/v1/initiatives/{unused.pk}/").status_code == 204
    assert Initiative.objects.count() == 1


def test_time_entry_create_sets_the_line(client_pmm, pmm, last_week):
    body = {"week_start": last_week.isoformat(), "category": "meetings", "hours": "6"}
    response = client_pmm.post("/api/v1/time-entries/", body, format="json")
    assert response.status_code == 201
    response = client_pmm.post("/api/v1/time-entries/", {**body, "hours": "7.5"}, format="json")
    assert response.status_code == 201
    assert TimeEntry.objects.get().hours == 7.5
    entry_id = response.json()["id"]
    assert (
        client_pmm.patch(f"/api/v1/time-entries/{entry_id}/", {"hours": "5"}, format="json").json()["hours"]
        == "5.0"
    )


@pytest.mark.parametrize(
    ("change", "attr", "detail"),
    [
        ({"hours": "81"}, "hours", "Enter between 0 and 80 hours."),
        ({"hours": "-1"}, "hours", "Enter between 0 and 80 hours."),
        ({"category": "initiative"}, "initiative", "Say which initiative the hours went to."),
        ({"week_start": "2026-11-17"}, "week_start", "A week starts on a Monday; pick that week's Monday."),
    ],
)
def test_time_entry_validation_is_a_400_on_the_field(client_pmm, pmm, change, attr, detail):
    body = {"week_start": "2026-11-16", "category": "other", "hours": "3", **change}
    response = client_pmm.post("/api/v1/time-entries/", body, format="json")
    assert response.status_code == 400
    assert errors(response) == {(attr, detail)}


def test_future_weeks_and_full_weeks_are_refused(client_pmm, pmm, this_week, last_week):
    future = this_week + datetime.timedelta(days=7)
    response = client_pmm.post(
        "/api/v1/time-entries/",
        {"week_start": future.isoformat(), "category": "other", "hours": "3"},
        format="json",
    )
    assert response.status_code == 400
    assert ("week_start", "You cannot log time for a future week; log it once the week has begun.") in errors(
        response
    )
    TimeEntryFactory(user=pmm, week_start=last_week, category="meetings", hours=78)
    response = client_pmm.post(
        "/api/v1/time-entries/",
        {"week_start": last_week.isoformat(), "category": "other", "hours": "3"},
        format="json",
    )
    assert response.status_code == 400
    assert {a for a, _ in errors(response)} == {"hours"}


def test_time_entries_are_the_authors_alone(api_client, pmm, other_pmm, team, other_team):
    mine = TimeEntryFactory(user=pmm)
    TimeEntryFactory(user=other_pmm)
    api_client.force_login(pmm)
    assert [e["id"] for e in api_client.get("/api/v1/time-entries/").json()["results"]] == [mine.pk]


def test_time_entry_on_someone_elses_initiative_is_refused(client_pmm, other_pmm, other_team, last_week):
    theirs = InitiativeFactory(owner=other_pmm, team=other_team)
    response = client_pmm.post(
        "/api/v1/time-entries/",
        {
            "week_start": last_week.isoformat(),
            "category": "initiative",
            "initiative": theirs.pk,
            "hours": "3",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "initiative" in {a for a, _ in errors(response)}


def test_wins_are_created_on_the_team_and_filtered(client_pmm, pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team)
    response = client_pmm.post(
        "/api/v1/wins/",
        {"title": "Won Globex", "impact": "€120k ARR", "date": "2026-11-03", "initiative": initiative.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["team"] == team.pk
    assert client_pmm.get("/api/v1/wins/?date_from=2026-12-01").json()["count"] == 0
    assert client_pmm.get(f"/api/v1/wins/?initiative={initiative.pk}").json()["count"] == 1
    assert Win.objects.get().owner == pmm


def test_the_schema_documents_the_endpoints(db, tmp_path):
    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    for enum in ("InitiativeStatusEnum:", "TimeCategoryEnum:"):
        assert enum in schema
    for path in (
        "/api/v1/initiatives/",
        "/api/v1/initiatives/{id}/focus/",
        "/api/v1/time-entries/",
        "/api/v1/wins/",
    ):
        assert f"  {path}:" in schema


def test_focus_slot_factory_month_matches(pmm, team):
    slot = FocusSlotFactory(initiative=InitiativeFactory(owner=pmm, team=team))
    assert slot.month.day == 1
