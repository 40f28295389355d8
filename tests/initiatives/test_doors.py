"""Page and API apply one set of rules: who may create (checked before the body), and what may be linked."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from initiatives import services
from initiatives.models import Initiative, Win
from tests.factories import InitiativeFactory, PersonaFactory, RequestFactory, WinFactory


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.mark.parametrize("role", ["pm", "cmo", "sales"])
@pytest.mark.parametrize("path", ["/api/v1/initiatives/", "/api/v1/wins/"])
def test_creating_without_the_right_is_403_whatever_the_body(api_client, cast, role, path):
    api_client.force_login(cast[role])
    before = row_counts()
    for body in ({}, {"title": 12, "team": "no-such-team"}, "garbage"):
        response = api_client.post(path, body, format="json" if not isinstance(body, str) else None)
        assert response.status_code == 403, (role, body, response.content)
    assert row_counts() == before


def test_focus_by_a_reader_is_403_before_the_body_is_read(api_client, pm, pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team)
    api_client.force_login(pm)
    response = api_client.post(
        f"/api/v1/initiatives/{initiative.pk}/focus/", {"month": "not a date"}, format="json"
    )
    assert response.status_code == 403


def test_a_win_cites_only_a_request_its_author_worked_on_page_and_api(
    client, api_client, pmm, other_pmm, team, product
):
    mine = RequestFactory(product=product, assignee=pmm, status="delivered")
    not_mine = RequestFactory(product=product, assignee=other_pmm, status="delivered")
    api_client.force_login(pmm)
    body = {"title": "Won Globex", "impact": "A deal", "date": "2026-11-10"}
    refused = api_client.post("/api/v1/wins/", {**body, "request": not_mine.pk}, format="json")
    assert refused.status_code == 400
    assert not Win.objects.exists()
    assert api_client.post("/api/v1/wins/", {**body, "request": mine.pk}, format="json").status_code == 201

    client.force_login(pmm)
    # The page's picker searches (JSON): it offers only the requests this PMM worked on.
    offered = client.get("/initiatives/wins/request-options/", {"q": ""}).json()["results"]
    assert [r["value"] for r in offered] == [mine.pk]


def test_the_win_services_check_links_themselves(pmm, other_pmm, team, other_team, product):
    theirs = InitiativeFactory(owner=other_pmm, team=other_team)
    with pytest.raises(ValidationError, match="your own initiatives"):
        services.win_create(
            user=pmm, title="Win", impact="", date=datetime.date(2026, 11, 10), initiative=theirs
        )
    win = WinFactory(owner=pmm, team=team)
    with pytest.raises(ValidationError, match="your own initiatives"):
        services.win_update(user=pmm, win=win, initiative=theirs)
    unassigned = RequestFactory(product=product, assignee=other_pmm, status="delivered")
    with pytest.raises(ValidationError, match="request you worked on"):
        services.win_update(user=pmm, win=win, request=unassigned)
    win.refresh_from_db()
    assert win.initiative_id is None
    assert win.request_id is None


def test_an_initiative_names_personas_and_products_of_its_owners_teams(pmm, team, other_team, other_product):
    foreign = PersonaFactory(team=other_team)
    with pytest.raises(ValidationError, match="personas of your own teams"):
        services.initiative_create(
            user=pmm,
            title="Battlecards",
            goal="Win more",
            start_date=datetime.date(2026, 11, 1),
            target_date=datetime.date(2026, 12, 1),
            personas=[foreign],
        )
    with pytest.raises(ValidationError, match="products of your own teams"):
        services.initiative_create(
            user=pmm,
            title="Battlecards",
            goal="Win more",
            start_date=datetime.date(2026, 11, 1),
            target_date=datetime.date(2026, 12, 1),
            products=[other_product],
        )
    assert not Initiative.objects.exists()


def test_a_malformed_initiative_id_is_a_404_not_a_500(api_client, pmm, team):
    api_client.force_login(pmm)
    assert api_client.post("/api/v1/initiatives/abc/focus/", {}, format="json").status_code == 404
