"""Bad input gets a clear form error or a 400 naming the field, and nothing is half-saved."""

import pytest
from django.urls import reverse

from personas import services
from personas.models import CustomerInteraction, Persona, Quote
from tests.factories import PersonaFactory


def errors_by_attr(response):
    body = response.json()
    assert body["type"] == "validation_error", body
    return {error["attr"]: error["detail"] for error in body["errors"]}


# --- Pages ----------------------------------------------------------------------------------


def test_page_missing_name_is_a_form_error(client, pmm, team):
    client.force_login(pmm)
    response = client.post(
        reverse("personas:create") + "?kind=buyer", {"team": team.pk, "name": "", "status": "draft"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Persona.objects.exists()


def test_page_over_long_text_is_a_form_error(client, pmm, team):
    client.force_login(pmm)
    response = client.post(
        reverse("personas:create") + "?kind=buyer",
        {"team": team.pk, "name": "CIO", "status": "draft", "goals": "x" * 4001},
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 4000 characters" in response.content.decode()
    assert not Persona.objects.exists()


def test_page_duplicate_name_says_how_to_fix_it(client, pmm, team, buyer):
    client.force_login(pmm)
    response = client.post(
        reverse("personas:create") + "?kind=buyer",
        {
            "team": team.pk,
            "name": buyer.name.upper(),
            "status": "draft",
            "objections-TOTAL_FORMS": 0,
            "objections-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 400
    assert "pick another name" in response.content.decode()
    assert Persona.objects.count() == 1


def test_page_unknown_kind_is_not_found(client, pmm):
    client.force_login(pmm)
    assert client.get(reverse("personas:create") + "?kind=investor").status_code == 404


def test_page_buyer_form_has_no_fields_of_other_kinds(client, pmm, team):
    client.force_login(pmm)
    html = client.get(reverse("personas:create") + "?kind=buyer").content.decode()
    assert 'name="goals"' in html
    assert 'name="buying_role"' in html
    assert 'name="jobs"' not in html
    assert 'name="channel"' not in html


def test_page_posting_a_field_of_another_kind_changes_nothing(client, pmm, buyer):
    client.force_login(pmm)
    client.post(
        reverse("personas:edit", args=[buyer.pk]),
        {
            "name": buyer.name,
            "status": "draft",
            "jobs": "Sneaked in",
            "objections-TOTAL_FORMS": 0,
            "objections-INITIAL_FORMS": 0,
        },
    )
    buyer.refresh_from_db()
    assert buyer.jobs == ""


def test_page_quote_for_a_persona_of_another_team_is_a_form_error(client, pmm, team, other_team):
    foreign = PersonaFactory(team=other_team)
    client.force_login(pmm)
    response = client.post(
        reverse("personas:interaction_create"),
        {
            "team": team.pk,
            "occurred_on": "2026-03-02",
            "kind": "interview",
            "account": "Globex",
            "duration_minutes": 30,
            "quotes-TOTAL_FORMS": 1,
            "quotes-INITIAL_FORMS": 0,
            "quotes-0-text": "We need this yesterday",
            "quotes-0-persona": foreign.pk,
            "follow_ups-TOTAL_FORMS": 0,
            "follow_ups-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not CustomerInteraction.objects.exists()
    assert not Quote.objects.exists()


def test_page_interaction_missing_account_and_follow_up_without_date(client, pmm, team):
    client.force_login(pmm)
    response = client.post(
        reverse("personas:interaction_create"),
        {
            "team": team.pk,
            "occurred_on": "2026-03-02",
            "kind": "interview",
            "account": "",
            "duration_minutes": 30,
            "quotes-TOTAL_FORMS": 0,
            "quotes-INITIAL_FORMS": 0,
            "follow_ups-TOTAL_FORMS": 1,
            "follow_ups-INITIAL_FORMS": 0,
            "follow_ups-0-description": "Send pricing",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert "Give the follow-up a due date." in html
    assert not CustomerInteraction.objects.exists()


def test_htmx_quote_with_no_text_answers_with_the_error(client, pmm, interaction):
    client.force_login(pmm)
    response = client.post(
        reverse("personas:quote_add", args=[interaction.pk]), {"quote-text": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps the form back in, with the error on the field
    assert "This field is required." in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert interaction.quotes.count() == 2


# --- API ------------------------------------------------------------------------------------


@pytest.fixture
def pmm_api(api_client, pmm):
    api_client.force_authenticate(pmm)
    return api_client


def test_api_field_of_another_kind_is_a_400_naming_it(pmm_api, team):
    response = pmm_api.post(
        "/api/v1/personas/", {"name": "CIO", "kind": "buyer", "team": team.slug, "jobs": "Ship"}
    )
    assert response.status_code == 400
    assert "jobs" in errors_by_attr(response)
    assert not Persona.objects.exists()


def test_api_empty_field_of_another_kind_is_refused_too(pmm_api, buyer):
    response = pmm_api.patch(f"/api/v1/personas/{buyer.pk}/", {"frustrations": ""})
    assert response.status_code == 400
    assert "frustrations" in errors_by_attr(response)


def test_api_unknown_kind_is_a_400(pmm_api, team):
    response = pmm_api.post("/api/v1/personas/", {"name": "CIO", "kind": "investor", "team": team.slug})
    assert response.status_code == 400
    assert "kind" in errors_by_attr(response)


def test_api_missing_name_and_over_long_text(pmm_api, team):
    response = pmm_api.post("/api/v1/personas/", {"kind": "buyer", "team": team.slug, "goals": "x" * 4001})
    assert response.status_code == 400
    assert {"name", "goals"} <= set(errors_by_attr(response))


def test_api_kind_cannot_change(pmm_api, buyer):
    response = pmm_api.patch(f"/api/v1/personas/{buyer.pk}/", {"kind": "user"})
    assert response.status_code == 400
    assert "kind" in errors_by_attr(response)


def test_api_buyer_representation_has_only_buyer_fields(pmm_api, buyer):
    data = pmm_api.get(f"/api/v1/personas/{buyer.pk}/").json()
    assert "goals" in data
    assert "objections" in data
    assert "jobs" not in data
    assert "channel" not in data
    assert "sells_to" not in data


def test_api_quote_for_a_persona_of_another_team_saves_nothing(pmm_api, team, other_team):
    foreign = PersonaFactory(team=other_team)
    response = pmm_api.post(
        "/api/v1/interactions/",
        {
            "kind": "interview",
            "account": "Globex",
            "team": team.slug,
            "quotes": [{"text": "We need this yesterday", "persona": foreign.pk}],
            "follow_ups": [{"description": "Send pricing", "due_on": "2026-04-01"}],
        },
    )
    assert response.status_code == 400
    assert any(attr.startswith("quotes") for attr in errors_by_attr(response))
    assert not CustomerInteraction.objects.exists()


def test_api_interaction_bad_input(pmm_api, team):
    response = pmm_api.post(
        "/api/v1/interactions/", {"kind": "party", "account": "", "team": team.slug, "notes": "x" * 10001}
    )
    assert response.status_code == 400
    assert {"kind", "account", "notes"} <= set(errors_by_attr(response))


def test_api_creates_a_buyer_with_objections_and_logs_evidence(pmm_api, team, product):
    response = pmm_api.post(
        "/api/v1/personas/",
        {
            "name": "Cautious CFO",
            "kind": "buyer",
            "team": team.slug,
            "products": [product.slug],
            "goals": "Predictable spend",
            "objections": [{"objection": "Too expensive", "response": "Show the TCO study"}],
        },
    )
    assert response.status_code == 201, response.json()
    persona_id = response.json()["id"]
    assert response.json()["objections"] == [{"objection": "Too expensive", "response": "Show the TCO study"}]
    response = pmm_api.post(
        "/api/v1/interactions/",
        {
            "kind": "win_loss",
            "account": "Initech",
            "team": team.slug,
            "duration_minutes": 45,
            "quotes": [
                {
                    "text": "Your price was clear.",
                    "speaker_role": "CFO",
                    "usable_in_sales": True,
                    "persona": persona_id,
                }
            ],
            "follow_ups": [{"description": "Send the case study", "due_on": "2026-04-01"}],
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["personas"] == [persona_id]
    persona = pmm_api.get(f"/api/v1/personas/{persona_id}/").json()
    assert (persona["interaction_count"], persona["quote_count"]) == (1, 1)
    validated = pmm_api.post(f"/api/v1/personas/{persona_id}/validate/").json()
    assert validated["status"] == "validated"
    assert validated["last_validated_by"]["username"] == "pmm"


def test_api_filters_search_and_ordering(pmm_api, team, pmm, product):
    PersonaFactory(team=team, owner=pmm, name="Alpha buyer", products=[product])
    PersonaFactory(team=team, owner=pmm, name="Beta user", kind="user", jobs="Deploys")
    assert [p["name"] for p in pmm_api.get("/api/v1/personas/?kind=user").json()["results"]] == ["Beta user"]
    assert [p["name"] for p in pmm_api.get(f"/api/v1/personas/?product={product.pk}").json()["results"]] == [
        "Alpha buyer"
    ]
    assert [p["name"] for p in pmm_api.get("/api/v1/personas/?search=alpha").json()["results"]] == [
        "Alpha buyer"
    ]
    assert [p["name"] for p in pmm_api.get("/api/v1/personas/?ordering=-name").json()["results"]] == [
        "Beta user",
        "Alpha buyer",
    ]
    assert pmm_api.get("/api/v1/personas/?stale=true").json()["count"] == 0


def test_api_history_lists_changes(pmm_api, pmm, team):
    persona = services.persona_create(actor=pmm, team=team, kind="buyer", name="CIO", goals="Cut cost")
    services.persona_update(actor=pmm, persona=persona, goals="Pass audits")
    entries = pmm_api.get(f"/api/v1/personas/{persona.pk}/history/").json()
    assert entries[0]["who"] == "Priya Mehta"
    assert entries[0]["changes"] == [{"field": "Goals", "old": "Cut cost", "new": "Pass audits"}]
    assert entries[-1]["what"] == "created"


def test_api_ticks_a_follow_up_off(pmm_api, api_client, cast, interaction, follow_up):
    url = f"/api/v1/interactions/{interaction.pk}/follow-ups/{follow_up.pk}/done/"
    response = pmm_api.post(url, {"done": True})
    assert response.status_code == 200
    assert response.json()["done_at"] is not None
    api_client.force_authenticate(cast["cmo"])
    assert api_client.post(url, {"done": False}).status_code == 403
    api_client.force_authenticate(cast["other_pmm"])
    assert api_client.post(url, {"done": False}).status_code == 404


def test_schema_documents_both_endpoints(client, pmm):
    client.force_login(pmm)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/personas/" in schema
    assert "/api/v1/interactions/" in schema
    assert "/api/v1/personas/{id}/validate/" in schema
