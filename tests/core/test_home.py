"""Each role's home page: what it shows, and a query count that does not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmm_portal.core.models import Role
from tests.factories import ProductFactory, TeamFactory, UserFactory


def test_pm_home_lists_the_products_they_manage(client, pm, product):
    client.force_login(pm)
    html = client.get("/").content.decode()
    assert "Atlas" in html
    assert "Core Platform" in html


def test_pm_without_products_is_told_what_to_do(client, db):
    client.force_login(UserFactory(role=Role.PM))
    assert "No products assigned to you" in client.get("/").content.decode()


def test_cmo_home_shows_the_teams_they_lead_with_their_size(client, cmo, team, product, other_team):
    client.force_login(cmo)
    html = client.get("/").content.decode()
    assert "Core Platform" in html
    assert "1 PMM · 1 product" in html
    assert "Analytics" not in html


def test_a_pmm_sees_every_member_of_their_team_counted(client, pmm, team):
    team.members.add(UserFactory(role=Role.PMM), UserFactory(role=Role.PMM))
    client.force_login(pmm)
    assert "3 PMMs · 0 products" in client.get("/").content.decode()


def test_someone_on_no_team_is_told_what_to_do(client, db):
    client.force_login(UserFactory(role=Role.PMM))
    assert "You are not on a team yet" in client.get("/").content.decode()


# Session and user, the core's reads (teams with their counts; managed products, when
# shown), then each app's home section for the role: sales their requests; a PMM
# their top 3 and week, queue and one-off gauge, follow-ups and stale personas; a PM
# their products' personas; a CMO the latest reports, team top 3, queue health and
# persona freshness.
# The CMO's home adds the month in focus (reporting.selectors.month_headline): teams, PMMs, band,
# time, top 3, the month's requests, its "me too" joins, interactions and wins.
HOME_QUERIES = {"sales": 5, "pmm": 9, "pm": 4, "cmo": 15, "admin": 3}


@pytest.mark.parametrize("role", ["sales", "pmm", "pm", "cmo", "admin"])
def test_home_query_count_is_flat(client, cast, role):
    """The same number of queries with ten times the teams, members and products."""

    def count() -> int:
        client.force_login(cast[role])
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    small = count()
    for _n in range(10):
        team = TeamFactory(lead=cast["cmo"])
        team.members.add(cast["pmm"], cast["pm"], *UserFactory.create_batch(3, role=Role.PMM))
        ProductFactory(team=team).managers.add(cast["pm"])
    assert count() == small
    assert small == HOME_QUERIES[role]
