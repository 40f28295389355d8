"""The competitive API: the same rules and doors as the pages, 400 with field errors."""

import pytest
from rest_framework.test import APIClient

from competitive import services
from competitive.models import Outcome, WinLossReview


@pytest.fixture
def api():
    return APIClient()


def test_a_pmm_creates_a_competitor_and_records_a_lost_deal_against_it(api, pmm, team):
    api.force_authenticate(pmm)
    created = api.post(
        "/api/v1/competitors/", {"name": "Northwind", "tier": "primary", "team": team.slug}, format="json"
    )
    assert created.status_code == 201, created.json()
    competitor = created.json()["id"]
    price = next(r for r in services.reasons_of(team) if r.name == "Price")
    review = api.post(
        "/api/v1/win-loss-reviews/",
        {
            "account": "Initrode",
            "outcome": "lost",
            "value": "50000",
            "decided_on": "2026-11-02",
            "competitor": competitor,
            "stage_lost_at": "proposal",
            "reasons": [price.pk],
        },
        format="json",
    )
    assert review.status_code == 201, review.json()
    listed = api.get(f"/api/v1/win-loss-reviews/?competitor={competitor}&outcome=lost").json()
    assert [r["account"] for r in listed["results"]] == ["Initrode"]


def test_bad_input_answers_400_by_field_and_changes_nothing(api, pmm, team):
    api.force_authenticate(pmm)
    services.competitor_create(actor=pmm, team=team, name="Northwind")
    duplicate = api.post("/api/v1/competitors/", {"name": "northwind"}, format="json")
    assert duplicate.status_code == 400
    assert (
        "name" in duplicate.json()["errors"][0]["attr"]
        if "errors" in duplicate.json()
        else "name" in duplicate.json()
    )
    bad = api.post(
        "/api/v1/win-loss-reviews/",
        {"account": "A", "outcome": "won", "stage_lost_at": "proposal", "decided_on": "2026-11-02"},
        format="json",
    )
    assert bad.status_code == 400
    assert "stage_lost_at" in str(bad.json())
    assert not WinLossReview.objects.exists()


def test_sales_read_competitors_but_not_reviews_and_write_nothing(api, sales_rep, pmm, team):
    services.competitor_create(actor=pmm, team=team, name="Northwind")
    services.review_create(actor=pmm, team=team, account="Acme", outcome=Outcome.WON)
    api.force_authenticate(sales_rep)
    assert [c["name"] for c in api.get("/api/v1/competitors/").json()["results"]] == ["Northwind"]
    assert api.get("/api/v1/win-loss-reviews/").status_code == 403
    assert api.post("/api/v1/competitors/", {"name": "Globex"}, format="json").status_code == 403
