"""What the pages change, through the API with the same services: notifications and their preferences,
saved views of the queue, service levels (SLA targets) and asset reviews.

The permission matrix of each route is in ``tests/core/test_routes.py``; here the answers themselves.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmm_portal.core.dates import today_in
from requests_queue import services
from requests_queue.models import (
    DigestSettings,
    Notification,
    NotificationPreference,
    RequestEvent,
    SavedView,
    SlaTarget,
    TriageRota,
)
from tests.factories import AssetFactory, RequestFactory, TeamFactory


def errors(response) -> dict[str, str]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    return {e["attr"]: e["detail"] for e in body["errors"]}


def notify(user, product, count: int) -> list[Notification]:
    notes = []
    for _ in range(count):
        request = RequestFactory(product=product)
        event = RequestEvent.objects.create(request=request, kind="status_changed", notify=False)
        notes.append(Notification.objects.create(recipient=user, event=event, request=request, text="News"))
    return notes


# --- Notifications -----------------------------------------------------------------------------------


def test_the_inbox_lists_only_ones_own_notifications(api_client, sales_rep, pmm, product):
    mine = notify(sales_rep, product, 2)
    notify(pmm, product, 1)
    api_client.force_login(sales_rep)

    body = api_client.get("/api/v1/notifications/").json()

    assert [row["id"] for row in body["results"]] == [mine[1].pk, mine[0].pk]
    assert body["results"][0]["request_title"] == mine[1].request.title
    assert body["results"][0]["read_at"] is None
    theirs = Notification.objects.get(recipient=pmm)
    assert api_client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_one_read_then_all_as_the_inbox_does(api_client, sales_rep, product):
    first, second, third = notify(sales_rep, product, 3)
    api_client.force_login(sales_rep)

    one = api_client.post(f"/api/v1/notifications/{first.pk}/read/")
    assert one.status_code == 200
    assert one.json()["read_at"] is not None
    unread = api_client.get("/api/v1/notifications/?state=unread").json()
    assert {row["id"] for row in unread["results"]} == {second.pk, third.pk}

    everything = api_client.post("/api/v1/notifications/read-all/")
    assert everything.json() == {"marked": 2, "unread": 0}
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_inbox_filters_answer_400_on_a_bad_choice(api_client, sales_rep):
    api_client.force_login(sales_rep)

    assert "state" in errors(api_client.get("/api/v1/notifications/?state=maybe"))


def test_notification_list_query_count_is_flat(api_client, sales_rep, product):
    """Session, user, count, page of notifications with their request and event."""
    api_client.force_login(sales_rep)
    notify(sales_rep, product, 2)
    with CaptureQueriesContext(connection) as small:
        assert api_client.get("/api/v1/notifications/").status_code == 200
    notify(sales_rep, product, 20)
    with CaptureQueriesContext(connection) as large:
        assert len(api_client.get("/api/v1/notifications/?page_size=100").json()["results"]) == 22
    assert (len(small), len(large)) == (4, 4)


# --- Notification preferences -----------------------------------------------------------------------


def test_preferences_read_and_change_only_what_is_sent(api_client, pmm, team):
    api_client.force_login(pmm)
    url = "/api/v1/me/notification-preferences/"

    before = api_client.get(url).json()
    assert before["channels"] == services.preferences_of(pmm)
    assert before["triage_days"] == [{"team": team.pk, "weekdays": []}]

    changed = api_client.patch(
        url,
        {
            "channels": {"new_request": "app"},
            "hour": 7,
            "triage_days": [{"team": team.pk, "weekdays": [0, 3]}],
        },
        format="json",
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["channels"] == {**before["channels"], "new_request": "app"}
    assert changed.json()["hour"] == 7
    assert services.preferences_of(pmm)["new_request"] == "app"
    assert DigestSettings.objects.get(user=pmm).hour == 7
    assert set(TriageRota.objects.filter(user=pmm).values_list("weekday", flat=True)) == {0, 3}


def test_bad_preferences_are_field_errors_and_change_nothing(api_client, pmm, sales_rep, team, other_team):
    api_client.force_login(pmm)
    url = "/api/v1/me/notification-preferences/"

    assert errors(api_client.patch(url, {"channels": {"new_request": "pigeon"}}, format="json")) == {
        "channels.new_request": "Pick email at once, the daily digest, Slack or Teams, or the app only."
    }
    # Slack or Teams, the same rule as the page: only with one's own address (integrations).
    assert errors(api_client.patch(url, {"channels": {"comments": "chat"}}, format="json")) == {
        "channels.comments": "Add your Slack or Teams address first (the “Slack or Teams” section), then choose it."
    }
    assert errors(api_client.patch(url, {"hour": 24}, format="json")) == {
        "hour": "Pick an hour between 0 and 23."
    }
    assert "time_zone" in errors(api_client.patch(url, {"time_zone": "Mars/Olympus"}, format="json"))
    not_mine = api_client.patch(
        url, {"triage_days": [{"team": other_team.pk, "weekdays": [1]}]}, format="json"
    )
    assert set(errors(not_mine)) == {"triage_days.0.team"}
    api_client.force_login(sales_rep)
    assert set(
        errors(api_client.patch(url, {"triage_days": [{"team": team.pk, "weekdays": [1]}]}, format="json"))
    ) == {"triage_days.0.team"}
    assert not NotificationPreference.objects.exists()
    assert not TriageRota.objects.exists()


# --- Saved views -------------------------------------------------------------------------------------


def test_save_a_view_shared_with_the_team_then_replace_and_delete_it(api_client, pmm, cmo, team):
    api_client.force_login(pmm)

    created = api_client.post(
        "/api/v1/saved-views/",
        {"name": "New  this week", "query": "status=new&page=3&sort=-priority", "team": team.pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    view = SavedView.objects.get()
    assert (view.name, view.query, view.team) == ("New this week", "status=new&sort=-priority", team)
    assert created.json()["url"] == view.get_absolute_url()

    replaced = api_client.post(
        "/api/v1/saved-views/", {"name": "New this week", "query": "type=slides"}, format="json"
    )
    assert replaced.status_code == 200
    assert replaced.json()["id"] == view.pk
    assert replaced.json()["team"] is None

    api_client.force_login(cmo)
    assert api_client.get(f"/api/v1/saved-views/{view.pk}/").status_code == 404  # no longer shared
    api_client.force_login(pmm)
    assert api_client.delete(f"/api/v1/saved-views/{view.pk}/").status_code == 204
    assert not SavedView.objects.exists()


def test_a_shared_view_is_read_by_the_team_and_deleted_only_by_its_owner(
    api_client, pmm, cmo, other_pmm, team
):
    view, _ = services.saved_view_save(owner=pmm, name="Mine", query="status=new", team=team)

    api_client.force_login(cmo)
    assert [row["id"] for row in api_client.get("/api/v1/saved-views/").json()["results"]] == [view.pk]
    assert api_client.delete(f"/api/v1/saved-views/{view.pk}/").status_code == 403
    api_client.force_login(other_pmm)
    assert api_client.get(f"/api/v1/saved-views/{view.pk}/").status_code == 404
    assert api_client.delete(f"/api/v1/saved-views/{view.pk}/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_a_view_needs_a_name_and_one_of_ones_teams(api_client, pmm, other_team):
    api_client.force_login(pmm)

    assert errors(api_client.post("/api/v1/saved-views/", {"name": "   "}, format="json")) == {
        "name": "Name the view, e.g. “New this week” or “Competitive intel”."
    }
    not_mine = api_client.post("/api/v1/saved-views/", {"name": "X", "team": other_team.pk}, format="json")
    assert set(errors(not_mine)) == {"team"}
    assert not SavedView.objects.exists()


def test_saved_view_list_query_count_is_flat(api_client, pmm, team):
    """Session, user, count, page of views with owners and teams."""
    api_client.force_login(pmm)

    def grow(count: int) -> None:
        start = SavedView.objects.count()
        for n in range(start, start + count):
            services.saved_view_save(owner=pmm, name=f"View {n}", query="status=new", team=team)

    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert api_client.get("/api/v1/saved-views/").status_code == 200
    grow(20)
    with CaptureQueriesContext(connection) as large:
        assert len(api_client.get("/api/v1/saved-views/?page_size=100").json()["results"]) == 22
    assert (len(small), len(large)) == (4, 4)


# --- Service levels ----------------------------------------------------------------------------------


def test_the_leader_sets_service_levels_as_on_the_page(api_client, cmo, team):
    api_client.force_login(cmo)
    url = f"/api/v1/sla-targets/{team.pk}/"

    before = api_client.get(url).json()
    assert before["team"] == team.pk
    assert all(row["is_default"] for row in before["targets"])

    response = api_client.patch(
        url, {"targets": [{"type": "slides", "acknowledge_days": 2, "deliver_days": 6}]}, format="json"
    )

    assert response.status_code == 200, response.content
    slides = next(row for row in response.json()["targets"] if row["type"] == "slides")
    assert (slides["acknowledge_days"], slides["deliver_days"], slides["is_default"]) == (2, 6, False)
    assert SlaTarget.objects.get(team=team, type="slides").deliver_days == 6


def test_bad_service_levels_change_nothing(api_client, cmo, team):
    api_client.force_login(cmo)
    url = f"/api/v1/sla-targets/{team.pk}/"
    body = {
        "targets": [
            {"type": "slides", "acknowledge_days": 2, "deliver_days": 6},
            {"type": "datasheet", "acknowledge_days": 5, "deliver_days": 3},
        ]
    }

    assert errors(api_client.patch(url, body, format="json")) == {
        "targets": "datasheet: Delivering cannot be due before acknowledging: make it at least as many days."
    }
    unknown = {"targets": [{"type": "poem", "acknowledge_days": 1, "deliver_days": 1}]}
    assert errors(api_client.patch(url, unknown, format="json")) == {"targets": "poem: Unknown request type."}
    assert not SlaTarget.objects.exists()


def test_only_the_teams_a_leader_leads(api_client, cmo, pmm, team, other_team):
    api_client.force_login(cmo)
    assert api_client.get(f"/api/v1/sla-targets/{other_team.pk}/").status_code == 404
    assert [row["team"] for row in api_client.get("/api/v1/sla-targets/").json()["results"]] == [team.pk]
    api_client.force_login(pmm)
    assert api_client.get(f"/api/v1/sla-targets/{team.pk}/").status_code == 403


def test_sla_list_query_count_is_flat(api_client, cmo, team):
    """Session, user, count, page of teams, every team's targets."""
    api_client.force_login(cmo)
    with CaptureQueriesContext(connection) as small:
        assert api_client.get("/api/v1/sla-targets/").status_code == 200
    for n in range(8):
        led = TeamFactory(name=f"Team {n}", slug=f"team-{n}", lead=cmo)
        SlaTarget.objects.create(team=led, type="slides", acknowledge_days=1, deliver_days=4)
    with CaptureQueriesContext(connection) as large:
        assert len(api_client.get("/api/v1/sla-targets/?page_size=100").json()["results"]) == 9
    assert (len(small), len(large)) == (5, 5)


# --- Assets ------------------------------------------------------------------------------------------


def test_marking_an_asset_reviewed_as_on_the_page(api_client, pmm, team):
    asset = AssetFactory(team=team, owner=pmm, review_by=timezone.localdate())
    api_client.force_login(pmm)

    default = api_client.post(f"/api/v1/assets/{asset.pk}/reviewed/", {}, format="json")
    assert default.status_code == 200, default.content
    assert default.json()["review_by"] == (today_in(team) + datetime.timedelta(days=180)).isoformat()
    past = api_client.post(f"/api/v1/assets/{asset.pk}/reviewed/", {"review_by": "2020-01-01"}, format="json")
    assert errors(past) == {"review_by": "Pick a review-by date in the future."}


def test_a_retired_assets_replacement_comes_from_the_pages_choices(api_client, pmm, team, other_team):
    asset = AssetFactory(team=team, owner=pmm)
    elsewhere = AssetFactory(team=other_team)
    api_client.force_login(pmm)

    response = api_client.post(
        f"/api/v1/assets/{asset.pk}/retire/", {"replaced_by": elsewhere.pk}, format="json"
    )
    assert set(errors(response)) == {"replaced_by"}
    itself = api_client.post(f"/api/v1/assets/{asset.pk}/retire/", {"replaced_by": asset.pk}, format="json")
    assert set(errors(itself)) == {"replaced_by"}


def test_internal_notes_given_on_create_are_kept(api_client, pmm, team):
    api_client.force_login(pmm)

    response = api_client.post(
        "/api/v1/assets/",
        {
            "title": "Pricing FAQ",
            "link": "https://drive.example.com/faq",
            "review_by": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "internal_notes": "Numbers from finance, Q3.",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["internal_notes"] == "Numbers from finance, Q3."


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
