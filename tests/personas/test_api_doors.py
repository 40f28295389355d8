"""The API decides who may act before it reads the body, and names do not leak.

A caller without the right gets 403 (or 404 for a persona they may not see)
whatever the body holds, and nothing is written. A team, product or persona the
caller may not use gets exactly the answer of one that does not exist.
"""

import pytest

from personas.models import CustomerInteraction, FollowUp, Objection, Persona, Positioning, Quote
from tests.factories import PersonaFactory

GARBAGE = [
    {},
    {"name": "", "kind": "buyer", "team": "core-platform", "goals": 12, "jobs": "x" * 5000},
    {"kind": "party", "team": ["core-platform"], "account": None, "quotes": "lots"},
    {"product": "atlas", "side": "sideways", "key_messages": {"a": 1}},
    ["not", "an", "object"],
]


def row_counts():
    return [
        m.objects.count() for m in (Persona, Objection, Positioning, CustomerInteraction, Quote, FollowUp)
    ]


def post(api_client, user, url, body):
    api_client.force_authenticate(user)
    before = row_counts()
    response = api_client.post(url, body, format="json")
    assert row_counts() == before
    return response


@pytest.mark.parametrize("body", GARBAGE)
@pytest.mark.parametrize("role", ["sales", "cmo"])
def test_creating_a_persona_without_the_role_is_403_whatever_the_body(api_client, cast, role, body):
    assert post(api_client, cast[role], "/api/v1/personas/", body).status_code == 403


@pytest.mark.parametrize(
    ("role", "body"),
    [
        ("pm", {"kind": "buyer", "team": "core-platform", "name": "", "goals": 12}),
        ("other_pmm", {"kind": "buyer", "team": "core-platform", "name": "", "goals": 12}),
        ("other_pmm", {"team": "core-platform", "products": ["nope"], "objections": "x"}),
    ],
)
def test_creating_a_persona_of_another_kind_or_team_is_403_before_field_errors(
    api_client, cast, product, role, body
):
    assert post(api_client, cast[role], "/api/v1/personas/", body).status_code == 403


@pytest.mark.parametrize("body", GARBAGE)
@pytest.mark.parametrize("role", ["sales", "cmo", "other_pmm"])
def test_writing_positioning_without_a_side_to_write_is_403_whatever_the_body(
    api_client, cast, buyer, role, body
):
    url = f"/api/v1/personas/{buyer.pk}/positioning/"
    assert post(api_client, cast[role], url, body).status_code == 403


@pytest.mark.parametrize("body", GARBAGE)
def test_positioning_of_another_teams_draft_is_404_whatever_the_body(api_client, cast, team, pmm, body):
    draft = PersonaFactory(team=team, owner=pmm)
    url = f"/api/v1/personas/{draft.pk}/positioning/"
    assert post(api_client, cast["other_pmm"], url, body).status_code == 404


@pytest.mark.parametrize("body", GARBAGE)
@pytest.mark.parametrize("role", ["sales", "cmo", "pm"])
def test_logging_an_interaction_without_the_role_is_403_whatever_the_body(api_client, cast, role, body):
    assert post(api_client, cast[role], "/api/v1/interactions/", body).status_code == 403


def test_logging_an_interaction_for_another_team_is_403_before_field_errors(api_client, cast, team):
    body = {"kind": "party", "account": "", "team": team.slug, "notes": "x" * 20000}
    assert post(api_client, cast["other_pmm"], "/api/v1/interactions/", body).status_code == 403


# --- Unknown and forbidden names answer alike ------------------------------------------------


def same_answer(api_client, user, method, url, forbidden, unknown):
    api_client.force_authenticate(user)
    before = row_counts()
    answers = [getattr(api_client, method)(url, body, format="json") for body in (forbidden, unknown)]
    assert row_counts() == before
    (a, b) = answers
    assert a.status_code == b.status_code, (a.json(), b.json())
    assert a.json() == b.json()
    return a


def test_persona_team_slug(api_client, cast, other_team):
    response = same_answer(
        api_client,
        cast["pmm"],
        "post",
        "/api/v1/personas/",
        {"name": "CFO", "kind": "buyer", "team": other_team.slug},
        {"name": "CFO", "kind": "buyer", "team": "no-such-team"},
    )
    assert response.status_code == 403


def test_persona_product_slug(api_client, cast, team, product, other_product):
    response = same_answer(
        api_client,
        cast["pmm"],
        "post",
        "/api/v1/personas/",
        {"name": "CFO", "kind": "buyer", "team": team.slug, "products": [other_product.slug]},
        {"name": "CFO", "kind": "buyer", "team": team.slug, "products": ["no-such-product"]},
    )
    assert response.status_code == 400


def test_persona_team_slug_on_update(api_client, cast, buyer, other_team):
    response = same_answer(
        api_client,
        cast["pmm"],
        "patch",
        f"/api/v1/personas/{buyer.pk}/",
        {"team": other_team.slug},
        {"team": "no-such-team"},
    )
    assert response.status_code == 400


def test_sells_to_another_teams_persona(api_client, cast, team, other_team):
    foreign = PersonaFactory(team=other_team, name="Their secret buyer")
    response = same_answer(
        api_client,
        cast["pmm"],
        "post",
        "/api/v1/personas/",
        {"name": "Resellers", "kind": "sales_channel", "team": team.slug, "sells_to": [foreign.pk]},
        {"name": "Resellers", "kind": "sales_channel", "team": team.slug, "sells_to": [999999]},
    )
    assert response.status_code == 400
    assert "Their secret buyer" not in response.content.decode()


@pytest.mark.parametrize(("role", "side"), [("pmm", "pmm"), ("pm", "pm"), ("pmm", "pm")])
def test_positioning_product_slug(api_client, cast, buyer, product, other_product, role, side):
    response = same_answer(
        api_client,
        cast[role],
        "post",
        f"/api/v1/personas/{buyer.pk}/positioning/",
        {"product": other_product.slug, "side": side, "key_messages": "x"},
        {"product": "no-such-product", "side": side, "key_messages": "x"},
    )
    assert response.status_code == 403


def test_interaction_team_slug(api_client, cast, other_team):
    response = same_answer(
        api_client,
        cast["pmm"],
        "post",
        "/api/v1/interactions/",
        {"kind": "interview", "account": "Initech", "team": other_team.slug},
        {"kind": "interview", "account": "Initech", "team": "no-such-team"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("field", ["personas", "quotes"])
def test_interaction_persona_of_another_team(api_client, cast, team, other_team, field):
    foreign = PersonaFactory(team=other_team, name="Their secret buyer")

    def body(pk):
        link = [pk] if field == "personas" else [{"text": "Said it", "persona": pk}]
        return {"kind": "interview", "account": "Initech", "team": team.slug, field: link}

    response = same_answer(
        api_client, cast["pmm"], "post", "/api/v1/interactions/", body(foreign.pk), body(999999)
    )
    assert response.status_code == 400
    assert "Their secret buyer" not in response.content.decode()


# --- One rule in both doors -------------------------------------------------------------------


def test_the_page_refuses_another_teams_id_like_the_api(client, cast, other_team):
    """The form once fell back to the PMM's own team; now another team is refused, as in the API."""
    client.force_login(cast["pmm"])
    url = "/personas/new/?kind=buyer"
    before = row_counts()
    assert client.post(url, {"team": other_team.pk, "name": "CFO", "status": "draft"}).status_code == 403
    assert client.post(url, {"team": "abc", "name": "CFO", "status": "draft"}).status_code == 403
    assert client.get(url + "&team=abc").status_code == 200
    assert row_counts() == before


def test_the_api_links_no_retired_persona_like_the_page(api_client, cast, team, pmm):
    retired = PersonaFactory(team=team, owner=pmm, status="retired")
    body = {"kind": "interview", "account": "Initech", "team": team.slug, "personas": [retired.pk]}
    assert post(api_client, cast["pmm"], "/api/v1/interactions/", body).status_code == 400


def test_sales_reads_no_history_in_the_api_either(api_client, cast, buyer):
    """The card never showed sales the edit log; the API did. Now neither does."""
    api_client.force_authenticate(cast["sales"])
    assert api_client.get(f"/api/v1/personas/{buyer.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/personas/{buyer.pk}/history/").status_code == 404
