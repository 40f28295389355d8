"""Battlecards: one per competitor and persona, written by the team's PMMs, read by sales on one screen."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from competitive import services
from competitive.models import Battlecard
from pmm_portal.core.models import Role
from tests.factories import InteractionFactory, PersonaFactory, QuoteFactory, TeamFactory, UserFactory


@pytest.fixture
def northwind(team, pmm):
    return services.competitor_create(
        actor=pmm, team=team, name="Northwind", pricing_notes="15 % under list."
    )


def test_one_card_per_competitor_and_persona_and_one_for_every_buyer(pmm, team, northwind):
    cfo = PersonaFactory(team=team, owner=pmm, name="CFO")
    services.battlecard_create(
        actor=pmm, competitor=northwind, quick_dismiss="Fast to start, slow to finish."
    )
    services.battlecard_create(actor=pmm, competitor=northwind, persona=cfo)
    with pytest.raises(ValidationError, match="already has a battlecard for every buyer"):
        services.battlecard_create(actor=pmm, competitor=northwind)
    with pytest.raises(ValidationError, match="already has a battlecard for CFO"):
        services.battlecard_create(actor=pmm, competitor=northwind, persona=cfo)
    other = PersonaFactory(team=TeamFactory(name="Elsewhere", slug="elsewhere"), owner=pmm)
    with pytest.raises(ValidationError, match="persona of the competitor's team"):
        services.battlecard_create(actor=pmm, competitor=northwind, persona=other)
    assert Battlecard.objects.count() == 2


def test_a_pmm_writes_a_card_with_objections_and_a_rep_reads_it_with_cleared_quotes_only(
    client, pmm, sales_rep, team, northwind
):
    cfo = PersonaFactory(team=team, owner=pmm, name="CFO")
    interaction = InteractionFactory(team=team, owner=pmm)
    QuoteFactory(
        interaction=interaction, persona=cfo, text="It paid for itself in a quarter.", usable_in_sales=True
    )
    QuoteFactory(interaction=interaction, persona=cfo, text="Internal only, please.", usable_in_sales=False)
    client.force_login(pmm)
    response = client.post(
        reverse("competitive:battlecard_new", args=[northwind.pk]),
        {
            "persona": cfo.pk,
            "quick_dismiss": "Great for a pilot; we are built for the rollout.",
            "why_we_win": "Live in days",
            "objections-TOTAL_FORMS": "2",
            "objections-INITIAL_FORMS": "0",
            "objections-0-objection": "They are cheaper.",
            "objections-0-answer": "Compare three-year cost, not list price.",
            "objections-1-objection": "",
            "objections-1-answer": "",
        },
    )
    card = Battlecard.objects.get()
    assert response["Location"] == card.get_absolute_url()
    assert [o.objection for o in card.objections.all()] == ["They are cheaper."]
    client.force_login(sales_rep)
    page = client.get(card.get_absolute_url()).content.decode()
    assert "Great for a pilot; we are built for the rollout." in page
    assert "Compare three-year cost, not list price." in page
    assert "It paid for itself in a quarter." in page
    assert "Internal only, please." not in page
    assert "15 % under list." in page
    assert reverse("competitive:battlecard_edit", args=[card.pk]) not in page
    assert client.get(reverse("competitive:battlecard_edit", args=[card.pk])).status_code == 403
    assert "For CFO" in client.get(northwind.get_absolute_url()).content.decode()


def test_editing_a_card_keeps_what_was_typed_on_a_mistake_and_counts_as_a_review(
    client, pmm, team, northwind
):
    card = services.battlecard_create(actor=pmm, competitor=northwind)
    type(card).objects.filter(pk=card.pk).update(last_reviewed_at=None)
    client.force_login(pmm)
    bad = client.post(
        reverse("competitive:battlecard_edit", args=[card.pk]),
        {"quick_dismiss": "x" * 501, "objections-TOTAL_FORMS": "0", "objections-INITIAL_FORMS": "0"},
    )
    assert bad.status_code == 400
    assert "Ensure this value has at most 500 characters" in bad.content.decode()
    good = client.post(
        reverse("competitive:battlecard_edit", args=[card.pk]),
        {"quick_dismiss": "Short and true.", "objections-TOTAL_FORMS": "0", "objections-INITIAL_FORMS": "0"},
    )
    assert good.status_code == 302
    card.refresh_from_db()
    assert (card.quick_dismiss, card.last_reviewed_at is not None) == ("Short and true.", True)


def test_another_teams_pmm_cannot_see_or_change_a_card(client, pmm, team, northwind):
    card = services.battlecard_create(actor=pmm, competitor=northwind)
    outsider = UserFactory(username="outsider", role=Role.PMM)
    TeamFactory(name="Other", slug="other").members.add(outsider)
    client.force_login(outsider)
    assert client.get(card.get_absolute_url()).status_code == 404
    assert client.post(reverse("competitive:battlecard_reviewed", args=[card.pk])).status_code == 404
