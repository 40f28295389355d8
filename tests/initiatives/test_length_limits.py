"""Free text of plans, reviews and wins has a length limit: a clear message on the page and in the
API, and the database refuses what slips past them."""

import pytest
from django.db import IntegrityError, transaction

from initiatives.models import GOAL_TEXT, IMPACT_TEXT, LEARNINGS_TEXT, Initiative, MonthlyReview, Win
from tests.factories.initiatives import InitiativeFactory, MonthlyReviewFactory, WinFactory


def test_review_learnings_over_the_limit_are_refused_with_a_message(client, pmm, team):
    review = MonthlyReviewFactory(owner=pmm, team=team)
    client.force_login(pmm)

    response = client.post(
        f"/initiatives/reviews/{review.pk}/", {"action": "save", "learnings": "x" * (LEARNINGS_TEXT + 1)}
    )

    assert response.status_code == 400
    assert f"Keep the learnings to {LEARNINGS_TEXT:,} characters" in response.content.decode()
    review.refresh_from_db()
    assert review.learnings == ""
    # At the limit, it is saved.
    client.post(f"/initiatives/reviews/{review.pk}/", {"action": "save", "learnings": "x" * LEARNINGS_TEXT})
    review.refresh_from_db()
    assert len(review.learnings) == LEARNINGS_TEXT


def test_an_initiative_goal_over_the_limit_is_a_field_error_in_the_api(api_client, pmm, team):
    api_client.force_login(pmm)
    body = {"title": "Launch kit", "start_date": "2026-11-02", "target_date": "2026-12-18"}

    response = api_client.post("/api/v1/initiatives/", {**body, "goal": "x" * (GOAL_TEXT + 1)}, format="json")

    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("goal", "max_length")]
    assert not Initiative.objects.exists()


def test_a_win_impact_over_the_limit_is_a_field_error_on_the_page_and_in_the_api(
    client, api_client, pmm, team
):
    api_client.force_login(pmm)
    response = api_client.post(
        "/api/v1/wins/",
        {"title": "Acme", "impact": "x" * (IMPACT_TEXT + 1), "date": "2026-11-10"},
        format="json",
    )
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("impact", "max_length")]

    client.force_login(pmm)
    page = client.post(
        "/initiatives/wins/new/", {"title": "Acme", "impact": "x" * (IMPACT_TEXT + 1), "date": "2026-11-10"}
    )
    assert f"Ensure this value has at most {IMPACT_TEXT} characters" in page.content.decode()
    assert not Win.objects.exists()


@pytest.mark.parametrize(
    ("model", "factory", "field", "limit"),
    [
        (Initiative, InitiativeFactory, "goal", GOAL_TEXT),
        (Initiative, InitiativeFactory, "expected_impact", GOAL_TEXT),
        (MonthlyReview, MonthlyReviewFactory, "learnings", LEARNINGS_TEXT),
        (Win, WinFactory, "impact", IMPACT_TEXT),
    ],
)
def test_the_database_refuses_text_over_the_limit(db, model, factory, field, limit):
    obj = factory()
    model.objects.filter(pk=obj.pk).update(**{field: "x" * limit})  # at the limit: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**{field: "x" * (limit + 1)})
