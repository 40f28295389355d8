"""The permission matrix over every request page, action and API endpoint, for the whole cast.

sales: the requester; other_sales: another rep; pmm and cmo: the request's team (cmo leads it);
pm: on the team but product managers have no request pages (403 by role); other_pmm: another
team (404: the request's existence never leaks); admin: everything.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from requests_queue.models import RequestStatus
from tests.factories import AssetFactory, UserFactory

S = RequestStatus
WHO = ["sales", "other_sales", "pmm", "pm", "cmo", "other_pmm", "admin"]


@pytest.fixture
def people(cast):
    return {**cast, "other_sales": UserFactory(username="other_sales", role="sales")}


def table(**codes):
    """Expected status per person; ``ok`` marks who succeeds."""
    return codes


# --- Pages (GET) ------------------------------------------------------------------------------

PAGES = {
    "/requests/": table(sales=403, other_sales=403, pmm=200, pm=403, cmo=200, other_pmm=200, admin=200),
    "/requests/new/": table(sales=200, other_sales=200, pmm=403, pm=403, cmo=403, other_pmm=403, admin=200),
    "/requests/mine/": table(sales=200, other_sales=200, pmm=403, pm=403, cmo=403, other_pmm=403, admin=200),
    "/requests/new/suggestions/?title=northwind": table(
        sales=200, other_sales=200, pmm=403, pm=403, cmo=403, other_pmm=403, admin=200
    ),
    "/requests/{id}/": table(sales=200, other_sales=404, pmm=200, pm=403, cmo=200, other_pmm=404, admin=200),
    "/requests/assets/": table(
        sales=200, other_sales=200, pmm=200, pm=200, cmo=200, other_pmm=200, admin=200
    ),
    "/requests/assets/{asset}/": table(
        sales=200, other_sales=200, pmm=200, pm=200, cmo=200, other_pmm=200, admin=200
    ),
    "/requests/sla/": table(sales=403, other_sales=403, pmm=403, pm=403, cmo=200, other_pmm=403, admin=200),
    "/requests/assets/new/": table(
        sales=403, other_sales=403, pmm=200, pm=403, cmo=200, other_pmm=200, admin=200
    ),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("path", list(PAGES))
def test_pages(client, people, make_request, asset, path, who):
    request = make_request(S.NEW)
    client.force_login(people[who])
    response = client.get(path.format(id=request.pk, asset=asset.pk))
    assert response.status_code == PAGES[path][who]


@pytest.mark.parametrize("path", ["/requests/1/", "/requests/assets/", "/requests/new/suggestions/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_request_is_404_for_everyone(client, people):
    client.force_login(people["admin"])
    assert client.get("/requests/999999/").status_code == 404


# --- Actions (POST) ---------------------------------------------------------------------------

FUTURE = (timezone.localdate() + timedelta(days=5)).isoformat()
MONDAY = (timezone.localdate() - timedelta(days=timezone.localdate().weekday())).isoformat()

# action -> (status the request starts in, unassigned?, form data, expected per person; 302 = done)
ACTIONS = {
    "claim": (
        S.NEW,
        True,
        {},
        table(sales=403, other_sales=404, pmm=302, pm=403, cmo=403, other_pmm=404, admin=302),
    ),
    "triage": (
        S.NEW,
        True,
        {"reusability": "4", "educational_value": "2", "effort_hours": "3"},
        table(sales=403, other_sales=404, pmm=302, pm=403, cmo=302, other_pmm=404, admin=302),
    ),
    "decide": (
        S.NEW,
        True,
        {"decision": "snooze", "snoozed_until": FUTURE},
        table(sales=403, other_sales=404, pmm=302, pm=403, cmo=302, other_pmm=404, admin=302),
    ),
    "start": (
        S.TRIAGED,
        False,
        {},
        table(sales=403, other_sales=404, pmm=302, pm=403, cmo=403, other_pmm=404, admin=302),
    ),
    "log-time": (
        S.IN_PROGRESS,
        False,
        {"week_start": MONDAY, "hours": "2"},
        table(sales=403, other_sales=404, pmm=302, pm=403, cmo=403, other_pmm=404, admin=302),
    ),
    "deliver": (
        S.IN_PROGRESS,
        False,
        {"link": "https://drive.example.com/answer"},
        table(sales=403, other_sales=404, pmm=302, pm=403, cmo=403, other_pmm=404, admin=302),
    ),
    "comment": (
        S.NEW,
        True,
        {"body": "Any update?"},
        table(sales=302, other_sales=404, pmm=302, pm=403, cmo=302, other_pmm=404, admin=302),
    ),
    "cancel": (
        S.NEW,
        True,
        {},
        table(sales=302, other_sales=404, pmm=403, pm=403, cmo=403, other_pmm=404, admin=302),
    ),
    "rate": (
        S.DELIVERED,
        False,
        {"rating": "5"},
        table(sales=302, other_sales=404, pmm=403, pm=403, cmo=403, other_pmm=404, admin=302),
    ),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions(client, people, make_request, action, who):
    status, unassigned, data, expected = ACTIONS[action]
    request = make_request(status, **({"assignee": None} if unassigned else {}))
    client.force_login(people[who])
    response = client.post(f"/requests/{request.pk}/{action}/", data)
    assert response.status_code == expected[who], response.content.decode()[:3000]


def test_get_on_an_action_is_not_allowed(client, people, make_request):
    client.force_login(people["pmm"])
    assert client.get(f"/requests/{make_request(S.NEW).pk}/claim/").status_code == 405


def test_asset_review_is_for_the_owning_team(client, people, asset):
    for who, expected in [("pmm", 302), ("cmo", 302), ("other_pmm", 403), ("sales", 403), ("admin", 302)]:
        client.force_login(people[who])
        assert client.post(f"/requests/assets/{asset.pk}/reviewed/").status_code == expected, who


# --- API --------------------------------------------------------------------------------------

API_READS = {
    "/api/v1/requests/": table(
        sales=200, other_sales=200, pmm=200, pm=403, cmo=200, other_pmm=200, admin=200
    ),
    "/api/v1/requests/{id}/": table(
        sales=200, other_sales=404, pmm=200, pm=403, cmo=200, other_pmm=404, admin=200
    ),
    "/api/v1/assets/": table(sales=200, other_sales=200, pmm=200, pm=200, cmo=200, other_pmm=200, admin=200),
    "/api/v1/assets/{asset}/": table(
        sales=200, other_sales=200, pmm=200, pm=200, cmo=200, other_pmm=200, admin=200
    ),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("path", list(API_READS))
def test_api_reads(api_client, people, make_request, asset, path, who):
    request = make_request(S.NEW)
    api_client.force_authenticate(people[who])
    response = api_client.get(path.format(id=request.pk, asset=asset.pk))
    assert response.status_code == API_READS[path][who]


@pytest.mark.parametrize("who", WHO)
def test_api_lists_only_what_each_person_may_see(api_client, people, make_request, other_product, who):
    mine = make_request(S.NEW)
    elsewhere = make_request(
        S.NEW, requester=people["other_sales"], product=other_product, team=other_product.team
    )
    api_client.force_authenticate(people[who])
    response = api_client.get("/api/v1/requests/")
    if response.status_code != 200:
        return
    ids = {row["id"] for row in response.json()["results"]}
    expected = {
        "sales": {mine.pk},
        "other_sales": {elsewhere.pk},
        "pmm": {mine.pk},
        "cmo": {mine.pk},
        "other_pmm": {elsewhere.pk},
        "admin": {mine.pk, elsewhere.pk},
    }[who]
    assert ids == expected


API_ACTIONS = {
    "claim": (
        S.NEW,
        True,
        {},
        table(sales=403, other_sales=404, pmm=200, pm=403, cmo=403, other_pmm=404, admin=200),
    ),
    "triage": (
        S.NEW,
        True,
        {"reusability": 4, "educational_value": 2, "effort_hours": "3"},
        table(sales=403, other_sales=404, pmm=200, pm=403, cmo=200, other_pmm=404, admin=200),
    ),
    "snooze": (
        S.NEW,
        True,
        {"until": FUTURE},
        table(sales=403, other_sales=404, pmm=200, pm=403, cmo=200, other_pmm=404, admin=200),
    ),
    "decline": (
        S.NEW,
        True,
        {"alternative": "Use the deck."},
        table(sales=403, other_sales=404, pmm=200, pm=403, cmo=200, other_pmm=404, admin=200),
    ),
    "start": (
        S.TRIAGED,
        False,
        {},
        table(sales=403, other_sales=404, pmm=200, pm=403, cmo=403, other_pmm=404, admin=200),
    ),
    "log-time": (
        S.IN_PROGRESS,
        False,
        {"week_start": MONDAY, "hours": "1.5"},
        table(sales=403, other_sales=404, pmm=200, pm=403, cmo=403, other_pmm=404, admin=200),
    ),
    "deliver": (
        S.IN_PROGRESS,
        False,
        {"link": "https://drive.example.com/a"},
        table(sales=403, other_sales=404, pmm=200, pm=403, cmo=403, other_pmm=404, admin=200),
    ),
    "comment": (
        S.NEW,
        True,
        {"body": "Any news?"},
        table(sales=200, other_sales=404, pmm=200, pm=403, cmo=200, other_pmm=404, admin=200),
    ),
    "cancel": (
        S.NEW,
        True,
        {},
        table(sales=200, other_sales=404, pmm=403, pm=403, cmo=403, other_pmm=404, admin=200),
    ),
    "rate": (
        S.DELIVERED,
        False,
        {"rating": 4},
        table(sales=200, other_sales=404, pmm=403, pm=403, cmo=403, other_pmm=404, admin=200),
    ),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", list(API_ACTIONS))
def test_api_actions(api_client, people, make_request, action, who):
    status, unassigned, data, expected = API_ACTIONS[action]
    request = make_request(status, **({"assignee": None} if unassigned else {}))
    api_client.force_authenticate(people[who])
    response = api_client.post(f"/api/v1/requests/{request.pk}/{action}/", data, format="json")
    assert response.status_code == expected[who], response.content.decode()[:2000]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("sales", 201), ("pmm", 403), ("pm", 403), ("cmo", 403), ("admin", 201)],
)
def test_api_create_request_is_for_sales(api_client, people, product, who, expected):
    api_client.force_authenticate(people[who])
    response = api_client.post(
        "/api/v1/requests/",
        {"type": "slides", "title": "Deck", "product": product.pk, "needed_by": FUTURE},
        format="json",
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("sales", 403), ("pmm", 201), ("pm", 403), ("cmo", 201), ("other_pmm", 201), ("admin", 201)],
)
def test_api_publish_asset_is_for_marketers_on_a_team(api_client, people, product, who, expected):
    api_client.force_authenticate(people[who])
    response = api_client.post(
        "/api/v1/assets/",
        {
            "title": "Pricing FAQ",
            "kind": "pricing",
            "link": "https://drive.example.com/faq",
            "review_by": FUTURE,
        },
        format="json",
    )
    assert response.status_code == expected


def test_api_anonymous_is_refused(api_client, db):
    assert api_client.get("/api/v1/requests/").status_code in (401, 403)
    assert api_client.get("/api/v1/assets/").status_code in (401, 403)


def test_assets_of_other_teams_are_readable_but_not_reviewable(client, people, other_team, other_pmm):
    foreign = AssetFactory(team=other_team, owner=other_pmm)
    client.force_login(people["pmm"])
    assert client.get(f"/requests/assets/{foreign.pk}/").status_code == 200
    assert client.post(f"/requests/assets/{foreign.pk}/reviewed/").status_code == 403
