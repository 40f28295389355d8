"""The launch pages and API: forms that say what to fix, 400s by field, flat query counts, and the
dashboard card and report section that count exactly what the launch page shows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from launches import selectors, services
from launches.models import ItemStatus, Launch, LaunchItem, LaunchTier
from reporting.selectors import month_snapshot
from tests.factories import ProductFactory


def _count(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add(pmm, product, n):
    for _ in range(n):
        launch = services.launch_create(
            actor=pmm,
            product=product,
            name=f"Release {Launch.objects.count()}",
            launch_on=timezone.localdate() + dt.timedelta(days=10 + Launch.objects.count()),
            tier=LaunchTier.MAJOR,
        )
        item = launch.items.first()
        services.item_set_status(actor=pmm, item=item, status=ItemStatus.BLOCKED)


@pytest.mark.parametrize(
    "url", ["/launches/", "/api/v1/launches/", "/api/v1/launch-items/", "/launches/team-readiness/"]
)
def test_list_query_counts_do_not_grow_with_the_data(client, pmm, product, url):
    _add(pmm, product, 2)
    small = _count(client, pmm, url)
    _add(pmm, product, 12)
    assert _count(client, pmm, url) == small


def test_launch_page_query_count_does_not_grow_with_its_items(client, pmm, product, launch):
    small = _count(client, pmm, launch.get_absolute_url())
    for n in range(15):
        services.item_create(
            actor=pmm, launch=launch, title=f"Extra {n}", side="team", owner=pmm, offset_days=n
        )
    assert _count(client, pmm, launch.get_absolute_url()) == small


def test_a_pmm_starts_a_launch_from_the_form_and_mistakes_come_back_as_messages(client, pmm, product):
    client.force_login(pmm)
    assert client.get(reverse("launches:new")).status_code == 200
    bad = client.post(reverse("launches:new"), {"product": product.pk, "name": " ", "tier": "9"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "This field is required." in text
    assert "Select a valid choice." in text
    ok = client.post(
        reverse("launches:new"),
        {
            "product": product.pk,
            "name": "Atlas 6",
            "launch_on": "2027-03-05",
            "tier": "3",
            "from_template": "on",
        },
    )
    launch = Launch.objects.get(name="Atlas 6")
    assert ok["Location"] == launch.get_absolute_url()
    assert launch.items.count() == 7  # tier 3: the essentials


def test_an_item_form_with_mistakes_keeps_what_was_typed(client, pmm, launch):
    client.force_login(pmm)
    response = client.post(
        reverse("launches:item_new", args=[launch.pk]),
        {"title": "Press release", "side": "team", "offset_days": "999", "status": "done", "asset": "abc"},
    )
    assert response.status_code == 400
    assert 'value="Press release"' in response.content.decode()
    assert not LaunchItem.objects.filter(title="Press release").exists()


def test_the_api_answers_400_by_field_and_starts_a_launch_from_a_template(api_client, pmm, product, team):
    api_client.force_login(pmm)
    bad = api_client.post(
        "/api/v1/launches/from-template/", {"product": product.pk, "name": "", "tier": 7}, format="json"
    )
    assert bad.status_code == 400
    assert {"name", "tier", "launch_on"} <= {e["attr"] for e in bad.json()["errors"]}
    created = api_client.post(
        "/api/v1/launches/from-template/",
        {"product": product.pk, "name": "Atlas 7", "launch_on": "2027-02-05", "tier": 1},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["item_count"] == 12
    assert body["readiness"] in ("on_track", "late", "at_risk")
    item = LaunchItem.objects.filter(launch_id=body["id"]).first()
    wrong = api_client.patch(f"/api/v1/launch-items/{item.pk}/", {"status": "finished"}, format="json")
    assert wrong.status_code == 400
    stale = api_client.patch(
        f"/api/v1/launch-items/{item.pk}/", {"status": "done", "expected_status": "blocked"}, format="json"
    )
    assert stale.status_code == 400
    assert "meanwhile" in str(stale.json())
    other = ProductFactory(name="Elsewhere", slug="elsewhere")
    forbidden = api_client.post(
        "/api/v1/launches/",
        {"product": other.pk, "name": "X", "launch_on": "2027-02-05", "tier": 1},
        format="json",
    )
    assert forbidden.status_code == 400  # a product of another team is not one of the choices
    templates = api_client.get("/api/v1/launch-templates/").json()["results"]
    assert sorted(t["tier"] for t in templates) == [1, 2, 3]
    empty = api_client.patch(f"/api/v1/launch-templates/{templates[0]['id']}/", {"items": []}, format="json")
    assert empty.status_code == 400


def test_the_dashboard_card_and_the_report_count_what_the_launch_page_shows(
    client, cmo, pmm, pm, team, product
):
    today = timezone.localdate()
    launch = services.launch_create(
        actor=pmm, product=product, name="Atlas late", launch_on=today + dt.timedelta(days=14), tier=1
    )
    page = selectors.launch_page(user=cmo, launch=launch, today=today)["figures"]
    assert page.sides["pm_owes_pmm"].late >= 1  # the PM's items counted 30+ business days back are late
    client.force_login(cmo)
    body = client.get(reverse("reporting:index") + f"?month={today:%Y-%m}").content.decode()
    pm_late = page.sides["pm_owes_pmm"].late
    assert f'data-late-side="pm_owes_pmm">PM owes PMM <strong>{pm_late}</strong>' in body
    card = selectors.dashboard_card(user=cmo, teams=[team], today=today)
    assert card["launches"][0]["by_side"]["pm_owes_pmm"]["late"] == pm_late
    assert card["launches"][0]["late"] == page.total.late
    report = month_snapshot(team=team, month=today.replace(day=1))["launches"]
    row = next(r for r in report["launches"] if r["id"] == launch.pk)
    assert row["late"] == page.total.late
    assert row["done"] == page.total.done
    assert row["by_side"]["pm_owes_pmm"]["late"] == pm_late


def test_a_past_months_report_does_not_change_when_items_change_later(team, pmm, product):
    launch = services.launch_create(
        actor=pmm, product=product, name="Atlas 5", launch_on=dt.date(2026, 12, 18), tier=LaunchTier.STANDARD
    )
    # As of the end of November (from history: the launch existed, nothing done yet).
    LaunchItem.history.update(history_date=timezone.make_aware(dt.datetime(2026, 11, 10)))
    Launch.history.update(history_date=timezone.make_aware(dt.datetime(2026, 11, 10)))
    before = month_snapshot(team=team, month=dt.date(2026, 11, 1))["launches"]
    for item in launch.items.all():
        services.item_set_status(actor=pmm, item=item, status=ItemStatus.DONE)
    services.launch_update(actor=pmm, launch=launch, launch_on=dt.date(2027, 2, 1))
    after = month_snapshot(team=team, month=dt.date(2026, 11, 1))["launches"]
    assert after == before
    assert before["launches"][0]["done"] == 0
    assert before["launches"][0]["date"] == "2026-12-18"
