"""Who reads, who writes, who gets 403 and who 404, on every persona page and endpoint.

Validated personas (the shared cast's ``buyer`` and ``user_persona``) are read by
everyone signed in; buyer and sales-channel personas are changed by the team's
PMMs, user personas by the product's PMs. Interactions are the team's (and its
CMO's): another team's PMM gets 404, sales 403. Drafts and history: ``test_visibility``.
"""

import pytest
from django.urls import reverse

from tests.factories import InteractionFactory

ROLES = ["sales", "pmm", "other_pmm", "pm", "cmo", "admin"]


def row(**codes):
    """An expected status per role; ``anon`` is the anonymous visitor's."""
    return codes


def check(client, cast, method, url, role, expected, data=None):
    if role != "anon":
        client.force_login(cast[role])
    response = getattr(client, method)(url, data or {})
    assert response.status_code == expected, f"{role} {method.upper()} {url}: {response.status_code}"
    return response


PAGES = {
    # name: (method, url builder, {role: status})
    "list": (
        "get",
        lambda f: reverse("personas:index"),
        row(sales=200, pmm=200, other_pmm=200, pm=200, cmo=200, admin=200, anon=302),
    ),
    "card": (
        "get",
        lambda f: f["buyer"].get_absolute_url(),
        row(sales=200, pmm=200, other_pmm=200, pm=200, cmo=200, admin=200, anon=302),
    ),
    "card of user persona": (
        "get",
        lambda f: f["user_persona"].get_absolute_url(),
        row(sales=200, pmm=200, other_pmm=200, pm=200, cmo=200, admin=200, anon=302),
    ),
    "new buyer": (
        "get",
        lambda f: reverse("personas:create") + "?kind=buyer",
        row(sales=403, pmm=200, other_pmm=200, pm=403, cmo=403, admin=200, anon=302),
    ),
    "new user persona": (
        "get",
        lambda f: reverse("personas:create") + "?kind=user",
        row(sales=403, pmm=403, other_pmm=403, pm=200, cmo=403, admin=200, anon=302),
    ),
    "edit buyer": (
        "get",
        lambda f: reverse("personas:edit", args=[f["buyer"].pk]),
        row(sales=403, pmm=200, other_pmm=403, pm=403, cmo=403, admin=200, anon=302),
    ),
    "edit user persona": (
        "get",
        lambda f: reverse("personas:edit", args=[f["user_persona"].pk]),
        row(sales=403, pmm=403, other_pmm=403, pm=200, cmo=403, admin=200, anon=302),
    ),
    "validate buyer": (
        "post",
        lambda f: reverse("personas:validate", args=[f["buyer"].pk]),
        row(sales=403, pmm=302, other_pmm=403, pm=403, cmo=403, admin=302, anon=302),
    ),
    "retire user persona": (
        "post",
        lambda f: reverse("personas:retire", args=[f["user_persona"].pk]),
        row(sales=403, pmm=403, other_pmm=403, pm=302, cmo=403, admin=302, anon=302),
    ),
    "value proposition": (
        "get",
        lambda f: reverse("personas:positioning", args=[f["buyer"].pk, f["product"].pk, "pm"]),
        row(sales=403, pmm=403, other_pmm=403, pm=200, cmo=403, admin=200, anon=302),
    ),
    "positioning": (
        "get",
        lambda f: reverse("personas:positioning", args=[f["buyer"].pk, f["product"].pk, "pmm"]),
        row(sales=403, pmm=200, other_pmm=403, pm=403, cmo=403, admin=200, anon=302),
    ),
    "interactions": (
        "get",
        lambda f: reverse("personas:interactions"),
        row(sales=403, pmm=200, other_pmm=200, pm=200, cmo=200, admin=200, anon=302),
    ),
    "new interaction": (
        "get",
        lambda f: reverse("personas:interaction_create"),
        row(sales=403, pmm=200, other_pmm=200, pm=403, cmo=403, admin=200, anon=302),
    ),
    "interaction": (
        "get",
        lambda f: f["interaction"].get_absolute_url(),
        row(sales=403, pmm=200, other_pmm=404, pm=200, cmo=200, admin=200, anon=302),
    ),
    "edit interaction": (
        "get",
        lambda f: reverse("personas:interaction_edit", args=[f["interaction"].pk]),
        row(sales=403, pmm=200, other_pmm=404, pm=403, cmo=403, admin=200, anon=302),
    ),
    "add quote": (
        "post",
        lambda f: reverse("personas:quote_add", args=[f["interaction"].pk]),
        row(sales=403, pmm=302, other_pmm=404, pm=403, cmo=403, admin=302, anon=302),
    ),
    "tick follow-up": (
        "post",
        lambda f: reverse("personas:follow_up_toggle", args=[f["follow_up"].pk]),
        row(sales=403, pmm=302, other_pmm=404, pm=403, cmo=403, admin=302, anon=302),
    ),
    "delete interaction": (
        "post",
        lambda f: reverse("personas:interaction_delete", args=[f["interaction"].pk]),
        row(sales=403, pmm=302, other_pmm=404, pm=403, cmo=403, admin=302, anon=302),
    ),
}


@pytest.fixture
def world(cast, buyer, user_persona, interaction, follow_up, product):
    return {
        "buyer": buyer,
        "user_persona": user_persona,
        "interaction": interaction,
        "follow_up": follow_up,
        "product": product,
    }


@pytest.mark.parametrize("role", [*ROLES, "anon"])
@pytest.mark.parametrize("page", list(PAGES))
def test_page_permission_matrix(client, cast, world, page, role):
    method, url, expected = PAGES[page]
    data = {"quote-text": "They said something memorable."} if page == "add quote" else None
    check(client, cast, method, url(world), role, expected[role], data)


def test_a_missing_persona_is_a_404(client, cast):
    client.force_login(cast["pmm"])
    assert client.get(reverse("personas:detail", args=[999999])).status_code == 404


API = {
    "list personas": (
        "get",
        lambda f: "/api/v1/personas/",
        None,
        row(sales=200, pmm=200, other_pmm=200, pm=200, cmo=200, admin=200, anon=403),
    ),
    "read persona": (
        "get",
        lambda f: f"/api/v1/personas/{f['buyer'].pk}/",
        None,
        row(sales=200, pmm=200, other_pmm=200, pm=200, cmo=200, admin=200, anon=403),
    ),
    "create buyer": (
        "post",
        lambda f: "/api/v1/personas/",
        lambda f: {"name": "New CFO", "kind": "buyer", "team": f["buyer"].team.slug},
        row(sales=403, pmm=201, other_pmm=403, pm=403, cmo=403, admin=201, anon=403),
    ),
    "create user persona": (
        "post",
        lambda f: "/api/v1/personas/",
        lambda f: {
            "name": "Ops lead",
            "kind": "user",
            "team": f["buyer"].team.slug,
            "products": [f["product"].slug],
        },
        row(sales=403, pmm=403, other_pmm=403, pm=201, cmo=403, admin=201, anon=403),
    ),
    "edit buyer": (
        "patch",
        lambda f: f"/api/v1/personas/{f['buyer'].pk}/",
        lambda f: {"summary": "Updated"},
        row(sales=403, pmm=200, other_pmm=403, pm=403, cmo=403, admin=200, anon=403),
    ),
    "edit user persona": (
        "patch",
        lambda f: f"/api/v1/personas/{f['user_persona'].pk}/",
        lambda f: {"jobs": "Ship"},
        row(sales=403, pmm=403, other_pmm=403, pm=200, cmo=403, admin=200, anon=403),
    ),
    "validate buyer": (
        "post",
        lambda f: f"/api/v1/personas/{f['buyer'].pk}/validate/",
        None,
        row(sales=403, pmm=200, other_pmm=403, pm=403, cmo=403, admin=200, anon=403),
    ),
    "value proposition": (
        "post",
        lambda f: f"/api/v1/personas/{f['buyer'].pk}/positioning/",
        lambda f: {"product": f["product"].slug, "side": "pm", "value_proposition": "Audit-ready"},
        row(sales=403, pmm=403, other_pmm=403, pm=200, cmo=403, admin=200, anon=403),
    ),
    "positioning": (
        "post",
        lambda f: f"/api/v1/personas/{f['buyer'].pk}/positioning/",
        lambda f: {"product": f["product"].slug, "side": "pmm", "key_messages": "Audit in a day"},
        row(sales=403, pmm=200, other_pmm=403, pm=403, cmo=403, admin=200, anon=403),
    ),
    "list interactions": (
        "get",
        lambda f: "/api/v1/interactions/",
        None,
        row(sales=403, pmm=200, other_pmm=200, pm=200, cmo=200, admin=200, anon=403),
    ),
    "read interaction": (
        "get",
        lambda f: f"/api/v1/interactions/{f['interaction'].pk}/",
        None,
        row(sales=403, pmm=200, other_pmm=404, pm=200, cmo=200, admin=200, anon=403),
    ),
    "log interaction": (
        "post",
        lambda f: "/api/v1/interactions/",
        lambda f: {"kind": "interview", "account": "Initech", "team": f["buyer"].team.slug},
        row(sales=403, pmm=201, other_pmm=403, pm=403, cmo=403, admin=201, anon=403),
    ),
    "edit interaction": (
        "patch",
        lambda f: f"/api/v1/interactions/{f['interaction'].pk}/",
        lambda f: {"notes": "More"},
        row(sales=403, pmm=200, other_pmm=404, pm=403, cmo=403, admin=200, anon=403),
    ),
    "delete interaction": (
        "delete",
        lambda f: f"/api/v1/interactions/{f['interaction'].pk}/",
        None,
        row(sales=403, pmm=204, other_pmm=404, pm=403, cmo=403, admin=204, anon=403),
    ),
}


@pytest.mark.parametrize("role", [*ROLES, "anon"])
@pytest.mark.parametrize("endpoint", list(API))
def test_api_permission_matrix(api_client, cast, world, endpoint, role):
    method, url, data, expected = API[endpoint]
    if role != "anon":
        api_client.force_authenticate(cast[role])
    response = getattr(api_client, method)(url(world), data(world) if data else None, format="json")
    assert response.status_code == expected[role], (
        f"{role}: {response.status_code} {response.content[:300]!r}"
    )


def test_sales_reads_only_the_quotes_usable_in_sales(client, cast, world):
    client.force_login(cast["sales"])
    html = client.get(world["buyer"].get_absolute_url()).content.decode()
    assert "Audits eat our quarter." in html
    assert "Our CFO hates surprises." not in html
    assert "Globex" not in html  # the account and notes stay with the team


def test_the_team_reads_every_quote_with_its_account(client, cast, world):
    client.force_login(cast["pmm"])
    html = client.get(world["buyer"].get_absolute_url()).content.decode()
    assert "Our CFO hates surprises." in html
    assert "Globex" in html


def test_another_teams_pmm_reads_the_card_like_sales(client, cast, world):
    client.force_login(cast["other_pmm"])
    html = client.get(world["buyer"].get_absolute_url()).content.decode()
    assert "Audits eat our quarter." in html
    assert "Our CFO hates surprises." not in html
    assert "Edit" not in html.split('id="persona-name"')[1].split("</header>")[0]


def test_interaction_lists_show_only_the_teams_own(client, api_client, cast, world):
    client.force_login(cast["other_pmm"])
    assert "Globex" not in client.get(reverse("personas:interactions")).content.decode()
    api_client.force_authenticate(cast["other_pmm"])
    assert api_client.get("/api/v1/interactions/").json()["count"] == 0


def test_a_cmo_reads_only_the_interactions_of_teams_they_lead(client, cast, other_team, other_pmm):
    foreign = InteractionFactory(team=other_team, owner=other_pmm)
    client.force_login(cast["cmo"])
    assert client.get(foreign.get_absolute_url()).status_code == 404
    client.force_login(other_pmm)
    assert client.get(foreign.get_absolute_url()).status_code == 200


def test_a_pmm_cannot_log_an_interaction_for_another_team(api_client, cast, other_team):
    api_client.force_authenticate(cast["pmm"])
    response = api_client.post(
        "/api/v1/interactions/",
        {"kind": "interview", "account": "Initech", "team": other_team.slug},
        format="json",
    )
    assert response.status_code == 403
