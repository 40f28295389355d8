"""Shared knowledge and team data: who sees which persona, its history and its evidence.

Validated personas are read by everyone signed in. Drafts, retired personas and
every persona's edit history are seen only by its team (members, the product
managers of its products, its leader) and administrators; anyone else gets 404,
on the pages and in the API alike.
"""

import pytest
from django.urls import reverse

from personas import services
from personas.models import PersonaKind, PersonaStatus
from tests.factories import InteractionFactory, PersonaFactory, QuoteFactory, UserFactory

SAME_TEAM = ["pmm", "pm", "cmo", "admin"]
OTHER_TEAM = ["sales", "other_pmm", "other_pm", "other_cmo"]
EVERYONE = SAME_TEAM + OTHER_TEAM


@pytest.fixture
def people(cast, other_team, other_product):
    """The shared cast plus a PM and a leader of the other team."""
    other_pm = UserFactory(username="other_pm", role="pm")
    other_team.members.add(other_pm)
    other_product.managers.add(other_pm)
    other_cmo = UserFactory(username="other_cmo", role="cmo")
    other_team.lead = other_cmo
    other_team.save()
    return {**cast, "other_pm": other_pm, "other_cmo": other_cmo}


@pytest.fixture
def personas_by_status(pmm, team, product):
    """A buyer persona of ``team`` in each status, each with an edit in its history and evidence."""
    personas = {}
    for status in PersonaStatus.values:
        persona = services.persona_create(
            actor=pmm, team=team, kind=PersonaKind.BUYER, name=f"CIO ({status})", products=[product]
        )
        services.persona_update(actor=pmm, persona=persona, goals="Pass the audit")
        if status == PersonaStatus.VALIDATED:
            services.persona_validate(actor=pmm, persona=persona)
        elif status == PersonaStatus.RETIRED:
            services.persona_retire(actor=pmm, persona=persona)
        interaction = InteractionFactory(team=team, owner=pmm, account="Globex", personas=[persona])
        QuoteFactory(interaction=interaction, persona=persona, text="Shareable words.", usable_in_sales=True)
        QuoteFactory(interaction=interaction, persona=persona, text="Internal words.", usable_in_sales=False)
        personas[status] = persona
    return personas


def expected_card(role, status):
    return 200 if status == PersonaStatus.VALIDATED or role in SAME_TEAM else 404


# role × status: the card page (and its history section), the API's persona, its history, the list.
TABLE = [(role, status) for role in EVERYONE for status in PersonaStatus.values]


@pytest.mark.parametrize(("role", "status"), TABLE)
def test_card_page(client, people, personas_by_status, role, status):
    persona = personas_by_status[status]
    client.force_login(people[role])
    response = client.get(persona.get_absolute_url())
    assert response.status_code == expected_card(role, status)
    if response.status_code == 200:
        html = response.content.decode()
        assert ('id="history-title"' in html) is (role in SAME_TEAM)
        assert ("Internal words." in html) is (role in SAME_TEAM)
        assert ("Globex" in html) is (role in SAME_TEAM)
        assert "Shareable words." in html


@pytest.mark.parametrize(("role", "status"), TABLE)
def test_api_persona_and_list(api_client, people, personas_by_status, role, status):
    persona = personas_by_status[status]
    api_client.force_authenticate(people[role])
    assert api_client.get(f"/api/v1/personas/{persona.pk}/").status_code == expected_card(role, status)
    listed = [p["id"] for p in api_client.get("/api/v1/personas/?page_size=100").json()["results"]]
    assert (persona.pk in listed) is (expected_card(role, status) == 200)


@pytest.mark.parametrize(("role", "status"), TABLE)
def test_api_history(api_client, people, personas_by_status, role, status):
    persona = personas_by_status[status]
    api_client.force_authenticate(people[role])
    response = api_client.get(f"/api/v1/personas/{persona.pk}/history/")
    assert response.status_code == (200 if role in SAME_TEAM else 404)
    if role in SAME_TEAM:
        assert any(
            change["new"] == "Pass the audit" for entry in response.json() for change in entry["changes"]
        )


@pytest.mark.parametrize("role", EVERYONE)
def test_edit_pages_of_a_draft_hide_it_from_outsiders(client, people, personas_by_status, role):
    """Outsiders who could edit a persona by role learn nothing about another team's draft."""
    draft = personas_by_status[PersonaStatus.DRAFT]
    client.force_login(people[role])
    status = client.get(reverse("personas:edit", args=[draft.pk])).status_code
    expected = {"pmm": 200, "admin": 200, "pm": 403, "cmo": 403, "sales": 403, "other_cmo": 403}
    assert status == expected.get(role, 404)


@pytest.mark.parametrize("role", EVERYONE)
def test_interactions_are_team_data(client, api_client, people, personas_by_status, role):
    interaction = personas_by_status[PersonaStatus.VALIDATED].interactions.get()
    expected = 200 if role in SAME_TEAM else (403 if role == "sales" else 404)
    client.force_login(people[role])
    assert client.get(interaction.get_absolute_url()).status_code == expected
    api_client.force_authenticate(people[role])
    assert api_client.get(f"/api/v1/interactions/{interaction.pk}/").status_code == expected


def test_a_validated_channel_does_not_name_a_draft_buyer_to_outsiders(client, people, team, pmm):
    draft = PersonaFactory(team=team, owner=pmm, name="Secret buyer in the making")
    channel = services.persona_create(
        actor=pmm, team=team, kind=PersonaKind.SALES_CHANNEL, name="Resellers", sells_to=[draft]
    )
    services.persona_validate(actor=pmm, persona=channel)
    client.force_login(people["other_pmm"])
    assert "Secret buyer in the making" not in client.get(channel.get_absolute_url()).content.decode()
    client.force_login(pmm)
    assert "Secret buyer in the making" in client.get(channel.get_absolute_url()).content.decode()


def test_the_list_page_hides_other_teams_drafts(client, people, personas_by_status):
    client.force_login(people["other_pmm"])
    html = client.get(reverse("personas:index")).content.decode()
    assert "CIO (validated)" in html
    assert "CIO (draft)" not in html
    assert "CIO (retired)" not in html
