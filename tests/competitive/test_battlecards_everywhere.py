"""A battlecard is a library asset of its own kind: found by search, offered on the request form
before a rep asks, read through the API, and its readings counted next to it."""

import pytest
from rest_framework.test import APIClient

from competitive import services
from competitive.models import Battlecard
from tests.factories import AssetFactory, PersonaFactory


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def card(pmm, team):
    northwind = services.competitor_create(actor=pmm, team=team, name="Northwind", aliases="NW Cloud")
    return services.battlecard_create(
        actor=pmm,
        competitor=northwind,
        quick_dismiss="Fast to start, slow to finish.",
        why_we_win="Live in days, not quarters.",
        objections=[{"objection": "They are cheaper", "answer": "Count the services they sell after."}],
    )


def suggested(client, **query):
    response = client.get("/requests/new/suggestions/", query)
    assert response.status_code == 200
    return response


def test_the_request_form_offers_the_competitors_battlecard_before_the_rep_asks(client, sales_rep, card):
    client.force_login(sales_rep)
    html = suggested(client, title="How do we beat Northwind").content.decode()
    assert 'data-kind="battlecard"' in html
    assert card.get_absolute_url() in html
    assert "<mark>Northwind</mark>" in html
    assert "Fast to start, slow to finish." in html  # what a rep says, right there


@pytest.mark.postgres(
    reason="suggestions rank by PostgreSQL full-text search; the SQLite fallback of make run matches less"
)
def test_an_objection_typed_finds_the_card_that_answers_it(client, sales_rep, card):
    client.force_login(sales_rep)
    html = suggested(client, title="they are cheaper objection").content.decode()
    assert card.get_absolute_url() in html


@pytest.mark.postgres(
    reason="suggestions rank by PostgreSQL full-text search; the SQLite fallback of make run matches less"
)
def test_the_competitor_the_rep_picked_moves_its_card_up_not_a_look_alike_asset(
    api, sales_rep, pmm, team, product, card
):
    AssetFactory(title="Objections deck", team=team, owner=pmm, products=[product])
    api.force_authenticate(sales_rep)
    query = {"title": "cheaper objections"}
    plain = {hit["role"]: hit["score"] for hit in api.get("/api/v1/requests/suggestions/", query).json()}
    body = api.get("/api/v1/requests/suggestions/", {**query, "competitor": "Northwind"}).json()
    picked = {hit["role"]: hit["score"] for hit in body}
    assert set(plain) == set(picked) == {"asset", "battlecard"}
    assert picked["battlecard"] > plain["battlecard"]
    assert picked["asset"] == plain["asset"]  # it says nothing of Northwind
    (hit,) = [hit for hit in body if hit["role"] == "battlecard"]
    assert hit["url"] == card.get_absolute_url()
    assert hit["id"] == card.pk


def test_editing_the_card_or_renaming_its_competitor_keeps_search_in_step(client, pmm, sales_rep, card):
    services.battlecard_update(
        actor=pmm, card=card, objections=[{"objection": "No on-premises option", "answer": "Private cloud."}]
    )
    client.force_login(sales_rep)
    assert card.get_absolute_url() in suggested(client, title="on-premises option").content.decode()
    services.competitor_update(actor=pmm, competitor=card.competitor, name="Northwind Systems")
    page = client.get("/search/", {"q": "northwind systems battlecard"}).content.decode()
    assert "Northwind Systems battlecard" in page.replace("<mark>", "").replace("</mark>", "")


def test_readings_by_others_are_counted_and_shown_to_the_team_not_the_owners_own(
    client, pmm, sales_rep, card
):
    client.force_login(sales_rep)
    for _ in range(2):
        assert client.get(card.get_absolute_url()).status_code == 200
    client.force_login(pmm)
    page = client.get(card.get_absolute_url()).content.decode()
    assert "read 2 times" in page
    card.refresh_from_db()
    assert card.view_count == 2
    competitor_page = client.get(card.competitor.get_absolute_url()).content.decode()
    assert "read 2×" in competitor_page


def test_a_card_is_counted_only_for_those_who_see_it_and_not_for_its_owner(
    client, pmm, pm, sales_rep, other_pmm, admin_user, other_team, card
):
    """The count and the visibility are one statement: a refused visit never counts."""
    client.force_login(other_pmm)  # another team's PMM does not see this team's competitors
    assert client.get(card.get_absolute_url()).status_code == 404
    client.force_login(pmm)  # the owner
    assert client.get(card.get_absolute_url()).status_code == 200
    card.refresh_from_db()
    assert card.view_count == 0
    for reader in (sales_rep, pm, admin_user):
        client.force_login(reader)
        page = client.get(card.get_absolute_url())
        assert page.status_code == 200
        assert ("/edit/" in page.content.decode()) is (reader == admin_user)
    card.refresh_from_db()
    assert card.view_count == 3
    client.force_login(sales_rep)
    assert client.get("/competitors/battlecards/999999/").status_code == 404


# --- The API ----------------------------------------------------------------------------------


def test_a_pmm_writes_a_card_through_the_api_and_a_rep_reads_it(api, pmm, sales_rep, team, card):
    cfo = PersonaFactory(team=team, owner=pmm, name="CFO")
    api.force_authenticate(pmm)
    created = api.post(
        "/api/v1/battlecards/",
        {
            "competitor": card.competitor_id,
            "persona": cfo.pk,
            "quick_dismiss": "They sell seats; we sell outcomes.",
            "objections": [{"objection": "Too expensive", "answer": "Payback in two quarters."}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["competitor_name"], body["persona"]) == ("Northwind", cfo.pk)
    assert body["objections"] == [{"objection": "Too expensive", "answer": "Payback in two quarters."}]
    changed = api.patch(f"/api/v1/battlecards/{body['id']}/", {"landmines": "Ask about SSO."}, format="json")
    assert changed.status_code == 200
    assert changed.json()["objections"] == body["objections"]  # not given: kept

    api.force_authenticate(sales_rep)
    listed = api.get("/api/v1/battlecards/", {"competitor": card.competitor_id}).json()
    assert sorted(c["id"] for c in listed["results"]) == sorted([card.pk, body["id"]])
    assert api.patch(f"/api/v1/battlecards/{card.pk}/", {"landmines": "x"}, format="json").status_code == 403


def test_bad_input_is_a_400_by_field_and_another_teams_competitor_is_hidden(
    api, pmm, other_pmm, team, other_team, card
):
    api.force_authenticate(pmm)
    twice = api.post("/api/v1/battlecards/", {"competitor": card.competitor_id}, format="json")
    assert twice.status_code == 400
    assert "persona" in str(twice.json())
    assert api.post("/api/v1/battlecards/", {"competitor": "abc"}, format="json").status_code == 400
    assert api.get("/api/v1/battlecards/", {"competitor": "abc"}).status_code == 400
    api.force_authenticate(other_pmm)
    assert (
        api.post("/api/v1/battlecards/", {"competitor": card.competitor_id}, format="json").status_code == 404
    )
    assert api.get(f"/api/v1/battlecards/{card.pk}/").status_code == 404
    assert Battlecard.objects.count() == 1


# --- Explicit links: assets and conversations that do not name the competitor -------------------


def test_a_pmm_links_an_asset_and_a_conversation_that_never_name_the_competitor(
    client, pmm, team, product, card
):
    from tests.factories import InteractionFactory

    deck = AssetFactory(title="Total cost of ownership deck", team=team, owner=pmm, products=[product])
    call = InteractionFactory(
        team=team, owner=pmm, account="Initech", notes="They compared the rollout times."
    )
    competitor = card.competitor
    client.force_login(pmm)
    before = client.get(competitor.get_absolute_url()).content.decode()
    assert "Total cost of ownership deck" not in before
    options = client.get(f"/competitors/{competitor.pk}/asset-options/", {"q": "total cost"}).json()
    assert [o["value"] for o in options["results"]] == [deck.pk]
    found = client.get(f"/competitors/{competitor.pk}/interaction-options/", {"q": "initech"}).json()
    assert [o["value"] for o in found["results"]] == [call.pk]
    form = client.get(f"/competitors/{competitor.pk}/edit/").content.decode()
    assert 'data-typeahead="/competitors/' in form
    response = client.post(
        f"/competitors/{competitor.pk}/edit/",
        {
            "name": "Northwind",
            "tier": "secondary",
            "linked_assets": [deck.pk],
            "linked_interactions": [call.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    after = client.get(competitor.get_absolute_url()).content.decode()
    assert "Total cost of ownership deck" in after
    assert "Initech" in after


def test_another_teams_asset_cannot_be_linked_by_page_or_api(client, api, pmm, other_pmm, other_team, card):
    theirs = AssetFactory(title="Their deck", team=other_team, owner=other_pmm)
    client.force_login(pmm)
    competitor = card.competitor
    response = client.post(
        f"/competitors/{competitor.pk}/edit/",
        {"name": "Northwind", "tier": "secondary", "linked_assets": [theirs.pk]},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    api.force_authenticate(pmm)
    answer = api.patch(f"/api/v1/competitors/{competitor.pk}/", {"linked_assets": [theirs.pk]}, format="json")
    assert answer.status_code == 400
    assert "linked_assets" in str(answer.json())
    assert not competitor.linked_assets.exists()
    client.force_login(other_pmm)
    assert client.get(f"/competitors/{competitor.pk}/asset-options/").status_code == 404


def test_links_through_the_api(api, pmm, team, product, card):
    deck = AssetFactory(title="Total cost of ownership deck", team=team, owner=pmm, products=[product])
    api.force_authenticate(pmm)
    competitor = card.competitor
    answer = api.patch(f"/api/v1/competitors/{competitor.pk}/", {"linked_assets": [deck.pk]}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["linked_assets"] == [deck.pk]
    assert api.get(f"/api/v1/competitors/{competitor.pk}/").json()["linked_assets"] == [deck.pk]


def test_a_win_loss_conversation_becomes_a_review_that_links_back_to_it(client, api, pmm, team, other_team):
    from competitive.models import WinLossReview
    from tests.factories import InteractionFactory

    call = InteractionFactory(team=team, owner=pmm, account="Initech", kind="win_loss")
    theirs = InteractionFactory(team=other_team, account="Umbrella", kind="win_loss")
    client.force_login(pmm)
    assert "Record the deal review" in client.get(call.get_absolute_url()).content.decode()
    form = client.get("/competitors/win-loss/new/", {"interaction": call.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["account"] == "Initech"
    picked = client.get("/competitors/win-loss/interaction-options/", {"q": "init"}).json()["results"]
    assert [o["value"] for o in picked] == [call.pk]
    assert client.get("/competitors/win-loss/new/", {"interaction": theirs.pk}).status_code == 404
    response = client.post(
        "/competitors/win-loss/new/",
        {
            "team": team.pk,
            "account": "Initech",
            "outcome": "lost",
            "decided_on": call.occurred_on.isoformat(),
            "interaction": call.pk,
        },
    )
    assert response.status_code == 302
    review = WinLossReview.objects.get()
    assert review.interaction == call
    assert call.get_absolute_url() in client.get(review.get_absolute_url()).content.decode()

    api.force_authenticate(pmm)
    assert api.get(f"/api/v1/win-loss-reviews/{review.pk}/").json()["interaction"] == call.pk
    bad = api.patch(f"/api/v1/win-loss-reviews/{review.pk}/", {"interaction": theirs.pk}, format="json")
    assert bad.status_code == 400
    assert "interaction" in str(bad.json())
