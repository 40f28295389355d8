"""Free text of personas and customer interactions has a length limit: a field error in the API
(nested quotes and follow-ups named by position), and the database refuses what slips past."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from personas.models import LONG_TEXT, QUOTE_TEXT, CustomerInteraction, Objection, Persona, Positioning, Quote
from tests.factories.personas import (
    InteractionFactory,
    ObjectionFactory,
    PersonaFactory,
    PositioningFactory,
    QuoteFactory,
)


def interaction(team, **extra):
    return {
        "occurred_on": "2026-11-10",
        "kind": "sales_call",
        "account": "Acme",
        "team": team.slug,
        **extra,
    }


def test_a_quote_or_follow_up_over_the_limit_is_named_by_its_position(api_client, pmm, team):
    api_client.force_login(pmm)

    response = api_client.post(
        "/api/v1/interactions/",
        interaction(
            team,
            quotes=[{"text": "Fine."}, {"text": "x" * (QUOTE_TEXT + 1)}],
            follow_ups=[{"description": "y" * 301, "due_on": "2026-11-20"}],
        ),
        format="json",
    )

    assert response.status_code == 400
    assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {
        ("quotes.1.text", "max_length"),
        ("follow_ups.0.description", "max_length"),
    }
    assert not CustomerInteraction.objects.exists()


def test_interaction_notes_over_the_limit_are_a_field_error(api_client, pmm, team):
    api_client.force_login(pmm)

    response = api_client.post("/api/v1/interactions/", interaction(team, notes="n" * 10001), format="json")

    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("notes", "max_length")]


def test_a_quote_over_the_limit_is_refused_on_the_page(client, pmm, team):
    item = InteractionFactory(team=team, owner=pmm)
    client.force_login(pmm)

    response = client.post(
        f"/personas/interactions/{item.pk}/quotes/", {"quote-text": "x" * (QUOTE_TEXT + 1)}, follow=True
    )

    assert f"Ensure this value has at most {QUOTE_TEXT} characters" in response.content.decode()
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    ("model", "make", "field", "limit"),
    [
        (Persona, lambda: PersonaFactory(), "goals", LONG_TEXT),
        (Persona, lambda: PersonaFactory(), "summary", 1000),
        (Objection, lambda: ObjectionFactory(), "response", 2000),
        (Positioning, lambda: PositioningFactory(), "proof_points", LONG_TEXT),
        (
            CustomerInteraction,
            lambda: InteractionFactory(occurred_on=datetime.date(2026, 11, 2)),
            "notes",
            10000,
        ),
        (Quote, lambda: QuoteFactory(), "text", QUOTE_TEXT),
    ],
)
def test_the_database_refuses_text_over_the_limit(db, model, make, field, limit):
    obj = make()
    model.objects.filter(pk=obj.pk).update(**{field: "x" * limit})  # at the limit: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**{field: "x" * (limit + 1)})
