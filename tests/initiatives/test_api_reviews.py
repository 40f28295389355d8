"""Monthly reviews, milestones and status updates through the API: the pages' services and rules.

The permission matrix of each route is in ``tests/core/test_routes.py``; here the answers themselves.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import FocusSlot, InitiativeStatus, Milestone, MonthlyReview, Outcome, StatusUpdate
from tests.factories import FocusSlotFactory, InitiativeFactory, MilestoneFactory, MonthlyReviewFactory

OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def client_pmm(api_client, pmm, team):
    api_client.force_login(pmm)
    return api_client


@pytest.fixture
def october_plan(pmm, team):
    initiatives = [
        InitiativeFactory(owner=pmm, team=team, title=t) for t in ("Battlecards", "Personas", "Pricing")
    ]
    for rank, initiative in enumerate(initiatives, start=1):
        FocusSlotFactory(initiative=initiative, month=OCTOBER, rank=rank)
    return initiatives


def errors(response) -> dict[str, str]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    return {e["attr"]: e["detail"] for e in body["errors"]}


# --- Monthly reviews ---------------------------------------------------------------------------------


def test_starting_a_review_lists_the_months_top_3_like_the_page(client_pmm, pmm, team, october_plan):
    response = client_pmm.post("/api/v1/reviews/", {"month": "2026-10-17"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["month"] == "2026-10-01"
    assert body["team"] == team.pk
    assert body["is_locked"] is False
    assert [o["initiative_title"] for o in body["outcomes"]] == ["Battlecards", "Personas", "Pricing"]
    assert {o["outcome"] for o in body["outcomes"]} == {Outcome.PROGRESSED}
    # The same month again is the same review, as the page's "Close last month" link.
    again = client_pmm.post("/api/v1/reviews/", {"month": "2026-10-01"}, format="json")
    assert again.json()["id"] == body["id"]
    page = client_pmm.get("/initiatives/review/?month=2026-10")
    assert page["Location"] == f"/initiatives/reviews/{body['id']}/"


def test_a_month_not_over_cannot_be_reviewed(client_pmm, october_plan):
    today = datetime.date.today()
    response = client_pmm.post("/api/v1/reviews/", {"month": today.isoformat()}, format="json")

    assert errors(response) == {"month": "A month can be reviewed once it is over."}
    assert not MonthlyReview.objects.exists()


def test_draft_submit_and_reopen(client_pmm, pmm, team, october_plan):
    battlecards, personas, pricing = october_plan
    newcomer = InitiativeFactory(owner=pmm, team=team, title="Analyst briefing")
    review = client_pmm.post("/api/v1/reviews/", {"month": "2026-10-01"}, format="json").json()
    url = f"/api/v1/reviews/{review['id']}/"

    draft = client_pmm.patch(
        url,
        {
            "outcomes": [
                {"initiative": battlecards.pk, "outcome": "carried_over", "note": "Two left"},
                {"initiative": personas.pk, "outcome": "done"},
            ],
            "learnings": "Short decks win.",
        },
        format="json",
    )
    assert draft.status_code == 200, draft.content
    assert draft.json()["learnings"] == "Short decks win."
    assert {o["initiative"]: o["outcome"] for o in draft.json()["outcomes"]} == {
        battlecards.pk: "carried_over",
        personas.pk: "done",
        pricing.pk: "progressed",
    }

    submitted = client_pmm.post(url + "submit/", {"next_top": [battlecards.pk, newcomer.pk]}, format="json")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["is_locked"] is True
    personas.refresh_from_db()
    assert personas.status == InitiativeStatus.DONE
    november = FocusSlot.objects.filter(owner=pmm, month=NOVEMBER).order_by("rank")
    assert [slot.initiative_id for slot in november] == [battlecards.pk, newcomer.pk]

    locked = client_pmm.patch(url, {"learnings": "Changed"}, format="json")
    assert errors(locked) == {
        "non_field_errors": "This review was submitted and is locked: reopen it to change it."
    }

    reopened = client_pmm.post(url + "reopen/", {"reason": "A win came in late."}, format="json")
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["is_locked"] is False
    assert reopened.json()["reopenings"][0]["reason"] == "A win came in late."


def test_submit_refuses_what_the_page_refuses(client_pmm, pmm, team, other_pmm, october_plan):
    battlecards, personas, _ = october_plan
    theirs = InitiativeFactory(owner=other_pmm)
    review = client_pmm.post("/api/v1/reviews/", {"month": "2026-10-01"}, format="json").json()
    url = f"/api/v1/reviews/{review['id']}/submit/"

    twice = client_pmm.post(url, {"next_top": [battlecards.pk, battlecards.pk]}, format="json")
    assert errors(twice) == {"next_top": "Pick each initiative for next month's top 3 once."}
    not_mine = client_pmm.post(url, {"next_top": [theirs.pk]}, format="json")
    assert errors(not_mine) == {"next_top": "Pick each initiative for next month's top 3 once."}
    done = client_pmm.post(
        url,
        {"outcomes": [{"initiative": personas.pk, "outcome": "done"}], "next_top": [personas.pk]},
        format="json",
    )
    assert "next_top" in errors(done)
    bad_outcome = client_pmm.post(
        url, {"outcomes": [{"initiative": personas.pk, "outcome": "won"}], "next_top": []}, format="json"
    )
    assert errors(bad_outcome) == {"outcomes": "Pick an outcome for each initiative."}
    assert errors(client_pmm.post(url, {}, format="json")) == {"next_top": "This field is required."}
    assert MonthlyReview.objects.get().submitted_at is None


def test_reopening_needs_a_reason(client_pmm, pmm, team):
    review = MonthlyReviewFactory(owner=pmm, team=team, submitted_at=datetime.datetime.now(datetime.UTC))

    response = client_pmm.post(f"/api/v1/reviews/{review.pk}/reopen/", {"reason": ""}, format="json")

    assert errors(response) == {"reason": "This field may not be blank."}


def test_the_team_reads_a_review_and_only_its_owner_changes_it(api_client, pmm, cmo, other_pmm, team):
    review = MonthlyReviewFactory(owner=pmm, team=team)
    url = f"/api/v1/reviews/{review.pk}/"

    api_client.force_login(cmo)
    assert api_client.get(url).status_code == 200
    assert api_client.patch(url, {"learnings": "x"}, format="json").status_code == 403
    api_client.force_login(other_pmm)
    assert api_client.get(url).status_code == 404
    assert api_client.patch(url, {"learnings": "x"}, format="json").status_code == 404


def grow_reviews(pmm, team, count: int) -> None:
    for _ in range(count):
        start = MonthlyReview.objects.filter(owner=pmm).count()
        month = datetime.date(2020 + start // 12, start % 12 + 1, 1)
        review = MonthlyReviewFactory(owner=pmm, team=team, month=month)
        initiative = InitiativeFactory(owner=pmm, team=team)
        review.outcomes.create(initiative=initiative, outcome=Outcome.PROGRESSED)
        review.reopenings.create(reopened_by=pmm, reason="Late", previously_submitted_at=review.created_at)


def test_review_list_query_count_is_flat(client_pmm, pmm, team):
    """Session, user, count, page of reviews with owner and team, outcomes with initiatives, reopenings
    with who reopened."""
    grow_reviews(pmm, team, 2)
    with CaptureQueriesContext(connection) as small:
        assert client_pmm.get("/api/v1/reviews/").status_code == 200
    grow_reviews(pmm, team, 15)
    with CaptureQueriesContext(connection) as large:
        response = client_pmm.get("/api/v1/reviews/?page_size=100")
    assert response.json()["count"] == 17
    assert (len(small), len(large)) == (6, 6)


# --- Milestones and status updates -------------------------------------------------------------------


def test_adding_and_ticking_off_a_milestone(client_pmm, pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team)

    added = client_pmm.post(
        f"/api/v1/initiatives/{initiative.pk}/milestones/",
        {"title": "  Draft reviewed by sales ", "due_date": "2026-12-15"},
        format="json",
    )
    assert added.status_code == 201, added.content
    milestone = Milestone.objects.get(initiative=initiative)
    assert added.json() == {
        "id": milestone.pk,
        "title": "Draft reviewed by sales",
        "due_date": "2026-12-15",
        "completed_at": None,
    }

    url = f"/api/v1/initiatives/{initiative.pk}/milestones/{milestone.pk}/done/"
    done = client_pmm.post(url, {"done": True}, format="json")
    assert done.status_code == 200
    first = done.json()["completed_at"]
    assert first is not None
    assert client_pmm.post(url, {"done": True}, format="json").json()["completed_at"] == first  # repeatable
    assert client_pmm.post(url, {"done": False}, format="json").json()["completed_at"] is None
    assert (
        client_pmm.get(f"/api/v1/initiatives/{initiative.pk}/").json()["milestones"][0]["completed_at"]
        is None
    )


def test_a_milestone_needs_a_title_and_belongs_to_its_initiative(client_pmm, pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team)
    elsewhere = MilestoneFactory(initiative=InitiativeFactory(owner=pmm, team=team))

    blank = client_pmm.post(
        f"/api/v1/initiatives/{initiative.pk}/milestones/",
        {"title": " ", "due_date": "2026-12-15"},
        format="json",
    )
    assert errors(blank) == {"title": "Name the milestone."}
    missing = client_pmm.post(
        f"/api/v1/initiatives/{initiative.pk}/milestones/", {"title": "X"}, format="json"
    )
    assert errors(missing) == {"due_date": "This field is required."}
    wrong = client_pmm.post(
        f"/api/v1/initiatives/{initiative.pk}/milestones/{elsewhere.pk}/done/", format="json"
    )
    assert wrong.status_code == 404


def test_a_status_update_sets_the_status_as_on_the_page(client_pmm, pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team, status=InitiativeStatus.ON_TRACK)
    url = f"/api/v1/initiatives/{initiative.pk}/status-updates/"

    posted = client_pmm.post(url, {"status": "at_risk", "message": " Legal slips a week. "}, format="json")

    assert posted.status_code == 201, posted.content
    assert posted.json()["message"] == "Legal slips a week."
    assert posted.json()["author"]["username"] == "pmm"
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.AT_RISK
    listed = client_pmm.get(url).json()
    assert [row["status"] for row in listed["results"]] == ["at_risk"]


def test_a_status_update_needs_a_known_status_and_a_message(client_pmm, pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team)
    url = f"/api/v1/initiatives/{initiative.pk}/status-updates/"

    assert errors(client_pmm.post(url, {"status": "at_risk", "message": "   "}, format="json")) == {
        "message": "Say in a sentence what changed or what is blocking."
    }
    assert set(errors(client_pmm.post(url, {"status": "meh", "message": "x"}, format="json"))) == {"status"}
    assert not StatusUpdate.objects.exists()


def test_the_team_reads_status_updates_only_the_owner_posts(api_client, pmm, pm, other_pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team)
    url = f"/api/v1/initiatives/{initiative.pk}/status-updates/"
    data = {"status": "at_risk", "message": "x"}

    api_client.force_login(pm)
    assert api_client.get(url).status_code == 200
    assert api_client.post(url, data, format="json").status_code == 403
    api_client.force_login(other_pmm)
    assert api_client.get(url).status_code == 404
    assert api_client.post(url, data, format="json").status_code == 404
    assert not StatusUpdate.objects.exists()


def test_status_update_list_query_count_is_flat(client_pmm, pmm, team):
    """Session, user, the initiative (access), count, page of updates with authors."""
    initiative = InitiativeFactory(owner=pmm, team=team)
    url = f"/api/v1/initiatives/{initiative.pk}/status-updates/?page_size=100"

    def grow(count: int) -> None:
        for _ in range(count):
            StatusUpdate.objects.create(initiative=initiative, author=pmm, status="on_track", message="ok")

    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client_pmm.get(url).status_code == 200
    grow(20)
    with CaptureQueriesContext(connection) as large:
        assert len(client_pmm.get(url).json()["results"]) == 22
    assert (len(small), len(large)) == (5, 5)


# --- Promoted wins by email ----------------------------------------------------------------------------


def test_a_reader_turns_promoted_wins_by_email_off_and_on_as_in_the_feed(api_client, sales_rep):
    from initiatives import services

    api_client.force_login(sales_rep)
    assert api_client.get("/api/v1/wins/mails/").json() == {"wanted": True}

    assert api_client.post("/api/v1/wins/mails/", {"wanted": False}, format="json").json() == {
        "wanted": False
    }
    assert not services.wants_win_mails(sales_rep)
    assert api_client.post("/api/v1/wins/mails/", {"wanted": True}, format="json").json() == {"wanted": True}
    assert services.wants_win_mails(sales_rep)
    assert set(errors(api_client.post("/api/v1/wins/mails/", {}, format="json"))) == {"wanted"}
