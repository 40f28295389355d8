"""Figures cached per change (``pmm_portal.core.figures``): never stale after a write.

The cache is on in these tests (the test settings turn it off elsewhere). Each test
reads the dashboard's figures through the API, changes something the way the
product does (a page's service, a bulk write, a conditional update), and reads again.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from initiatives import services as initiative_services
from pmm_portal.core.models import Role, Team
from reporting.selectors import default_month
from requests_queue.services import lifecycle
from tests.factories import InitiativeFactory, RequestFactory, UserFactory
from timesheets.models import TimeCategory, TimeEntry

API = "/api/v1/dashboard/"


@pytest.fixture(autouse=True)
def figures_cache(settings):
    settings.FIGURES_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def read(api_client, cmo, team, month):
    api_client.force_authenticate(cmo)

    def read_figures():
        response = api_client.get(API, {"team": team.slug, "month": f"{month:%Y-%m}"})
        assert response.status_code == 200
        return response.json()

    return read_figures


def person(data, user):
    return next(row for row in data["people"] if row["id"] == user.pk)


def test_a_second_view_reads_the_cache_not_the_tables(read, pmm, month):
    monday = month - dt.timedelta(days=month.weekday()) + dt.timedelta(days=7)
    TimeEntry.objects.create(user=pmm, week_start=monday, category=TimeCategory.MEETINGS, hours=Decimal(4))
    read()
    with CaptureQueriesContext(connection) as queries:
        read()
    assert not [q for q in queries.captured_queries if "timesheets_timeentry" in q["sql"]]


def test_time_logged_shows_at_once(read, pmm, month):
    monday = month - dt.timedelta(days=month.weekday()) + dt.timedelta(days=7)
    before = person(read(), pmm)["total_hours"]
    TimeEntry.objects.create(user=pmm, week_start=monday, category=TimeCategory.MEETINGS, hours=Decimal(5))
    assert person(read(), pmm)["total_hours"] == before + 5


def test_a_top_3_written_in_bulk_shows_at_once(read, pmm, team, month):
    initiative = InitiativeFactory(owner=pmm, team=team)
    assert sum(read()["figures"]["top3"].values()) == 0
    initiative_services.focus_set(user=pmm, owner=pmm, month=month, initiatives=[initiative])
    assert sum(read()["figures"]["top3"].values()) == 1


def test_a_claim_by_conditional_update_moves_the_request_to_its_pmm(read, pmm, sales_rep, product):
    request = RequestFactory(requester=sales_rep, product=product)
    assert person(read(), pmm)["requests"]["received"] == 0
    lifecycle.request_claim(request=request, actor=pmm)
    assert person(read(), pmm)["requests"]["received"] == 1


def test_a_new_member_gets_a_row_at_once(read, team):
    newcomer = UserFactory(username="newcomer", role=Role.PMM)
    assert newcomer.pk not in [row["id"] for row in read()["people"]]
    team.members.add(newcomer)
    assert newcomer.pk in [row["id"] for row in read()["people"]]
    newcomer.teams.remove(team)  # from the person's side
    assert newcomer.pk not in [row["id"] for row in read()["people"]]


def test_a_band_change_shows_at_once(read, team):
    read()
    team.one_off_budget_max_pct = 25
    team.save()
    assert read()["band"]["max"] == 25


def test_signing_in_changes_no_version(pmm, team):
    version = Team.objects.get(pk=team.pk).figures_version
    pmm.last_login = timezone.now()
    pmm.save(update_fields=["last_login"])
    assert Team.objects.get(pk=team.pk).figures_version == version
    pmm.first_name = "Renamed"
    pmm.save(update_fields=["first_name"])
    assert Team.objects.get(pk=team.pk).figures_version == version + 1


def test_the_cmos_home_headline_follows_writes(client, cmo, team, sales_rep, product):
    client.force_login(cmo)
    shown = default_month(teams=[team])  # last month on the first working days
    assert "requests: 0 received" in client.get("/").content.decode()
    request = RequestFactory(requester=sales_rep, product=product)
    request.created_at = dt.datetime.combine(shown + dt.timedelta(days=14), dt.time(12), tzinfo=dt.UTC)
    request.save()
    assert "requests: 1 received" in client.get("/").content.decode()


def test_the_dashboard_page_and_its_htmx_body_follow_writes(client, cmo, team, month):
    client.force_login(cmo)
    url = f"/reporting/?team={team.slug}&month={month:%Y-%m}"
    newcomer = UserFactory(username="newcomer", first_name="Nadia", last_name="Newcomer", role=Role.PMM)
    assert "Nadia Newcomer" not in client.get(url).content.decode()
    assert "Nadia Newcomer" not in client.get(url, headers={"HX-Request": "true"}).content.decode()
    team.members.add(newcomer)
    assert "Nadia Newcomer" in client.get(url).content.decode()
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Nadia Newcomer" in body
    assert "<html" not in body  # the body alone, for the filters' in-place update
