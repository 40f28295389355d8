"""What users see on the persona pages and home sections, and query counts that do not grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from personas import services
from personas.models import FollowUp, Persona, PersonaKind
from pmm_portal.core.models import Role
from tests.factories import (
    FollowUpFactory,
    InteractionFactory,
    ObjectionFactory,
    PersonaFactory,
    PositioningFactory,
    ProductFactory,
    QuoteFactory,
    UserFactory,
)


def names(html, persona_names):
    return [name for name in persona_names if name in html]


def test_list_filters_by_kind_status_owner_staleness_and_search(client, pmm, pm, team, product):
    old = timezone.now() - datetime.timedelta(days=400)
    PersonaFactory(name="Cautious CFO", team=team, owner=pmm, products=[product], goals="Predictable spend")
    PersonaFactory(name="Old champion", team=team, owner=pmm, created_at=old)
    PersonaFactory(name="Release engineer", kind=PersonaKind.USER, team=team, owner=pm, jobs="Ship weekly")
    everyone = ["Cautious CFO", "Old champion", "Release engineer"]
    client.force_login(pmm)

    def shown(query):
        return names(client.get(reverse("personas:index") + query).content.decode(), everyone)

    assert shown("") == everyone
    assert shown("?kind=user") == ["Release engineer"]
    assert shown(f"?product={product.pk}") == ["Cautious CFO"]
    assert shown(f"?owner={pm.pk}") == ["Release engineer"]
    assert shown("?stale=true") == ["Old champion"]
    assert shown("?stale=false") == ["Cautious CFO", "Release engineer"]
    assert shown("?status=draft&q=weekly") == ["Release engineer"]
    assert (
        "Try another search word, or clear the filters to see every persona."
        in client.get(reverse("personas:index") + "?q=zzz").content.decode()
    )


def test_list_sorts_by_last_validated(client, pmm, team):
    now = timezone.now()
    PersonaFactory(
        name="Validated long ago",
        team=team,
        status="validated",
        last_validated_at=now - datetime.timedelta(days=90),
    )
    PersonaFactory(name="Validated today", team=team, status="validated", last_validated_at=now)
    client.force_login(pmm)
    html = client.get(reverse("personas:index") + "?sort=-last_validated_at").content.decode()
    assert html.index("Validated today") < html.index("Validated long ago")


def test_empty_list_tells_a_pmm_what_to_do(client, pmm, team):
    client.force_login(pmm)
    html = client.get(reverse("personas:index")).content.decode()
    assert "No personas yet" in html
    assert "Create the first persona" in html


def test_card_shows_profile_objections_quotes_and_positioning(client, sales_rep, buyer, product, interaction):
    buyer.information_sources = "Gartner, peer CIOs"
    buyer.save()
    ObjectionFactory(
        persona=buyer, objection="We already use spreadsheets", response="Show the audit-time study"
    )
    PositioningFactory(
        persona=buyer,
        product=product,
        value_proposition="Audit-ready in a day",
        key_messages="No more audit weeks",
    )
    client.force_login(sales_rep)
    html = client.get(buyer.get_absolute_url()).content.decode()
    for text in [
        "We already use spreadsheets",
        "Show the audit-time study",
        "Gartner, peer CIOs",
        "Audit-ready in a day",
        "Audits eat our quarter.",
        "data-print",
    ]:
        assert text in html, text
    assert "History" not in html  # sales reads the card, not the edit log


def test_stale_persona_is_flagged_on_its_card(client, pmm, team):
    persona = PersonaFactory(team=team, owner=pmm, created_at=timezone.now() - datetime.timedelta(days=400))
    client.force_login(pmm)
    assert "This persona is stale." in client.get(persona.get_absolute_url()).content.decode()


def test_card_shows_history_with_old_and_new_values(client, pmm, team):
    persona = services.persona_create(actor=pmm, team=team, kind="buyer", name="CIO", goals="Cut cost")
    services.persona_update(actor=pmm, persona=persona, goals="Pass audits")
    client.force_login(pmm)
    html = client.get(persona.get_absolute_url()).content.decode()
    history = html.split('id="history-title"')[1]
    assert "Priya Mehta" in history
    assert "Cut cost" in history
    assert "Pass audits" in history


def test_card_history_shows_a_change_of_products(client, pmm, team, product):
    other = ProductFactory(team=team, name="Atlas Edge")
    persona = services.persona_create(actor=pmm, team=team, kind="buyer", name="CIO", products=[product])
    services.persona_update(actor=pmm, persona=persona, products=[product, other])
    client.force_login(pmm)
    history = client.get(persona.get_absolute_url()).content.decode().split('id="history-title"')[1]
    assert "Products" in history
    assert "Atlas, Atlas Edge" in history


def test_pmm_creates_a_buyer_persona_through_the_form(client, pmm, team, product):
    client.force_login(pmm)
    response = client.post(
        reverse("personas:create") + "?kind=buyer",
        {
            "team": team.pk,
            "name": "Cautious CFO",
            "status": "draft",
            "goals": "Predictable spend",
            "buying_role": "economic_buyer",
            "products": [product.pk],
            "objections-TOTAL_FORMS": 2,
            "objections-INITIAL_FORMS": 0,
            "objections-0-objection": "Too expensive",
            "objections-0-response": "Show the TCO study",
            "objections-1-objection": "",
            "objections-1-response": "",
        },
    )
    persona = Persona.objects.get()
    assert response.status_code == 302
    assert response["Location"] == persona.get_absolute_url()
    assert persona.owner == pmm
    assert persona.get_buying_role_display() == "Economic buyer"
    assert [o.objection for o in persona.objections.all()] == ["Too expensive"]


def test_pm_writes_the_value_proposition(client, pm, buyer, product):
    client.force_login(pm)
    url = reverse("personas:positioning", args=[buyer.pk, product.pk, "pm"])
    assert client.post(url, {"value_proposition": "Audit-ready in a day"}).status_code == 302
    assert buyer.positionings.get().value_proposition == "Audit-ready in a day"


def test_follow_up_is_ticked_off_in_place_with_htmx(client, pmm, follow_up):
    client.force_login(pmm)
    response = client.post(
        reverse("personas:follow_up_toggle", args=[follow_up.pk]),
        {"done": "1", "compact": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "follow-up-done" in response.content.decode()
    assert FollowUp.objects.get().done_by == pmm


def test_quote_is_added_in_place_with_htmx(client, pmm, interaction, buyer):
    client.force_login(pmm)
    response = client.post(
        reverse("personas:quote_add", args=[interaction.pk]),
        {
            "quote-text": "We would switch tomorrow",
            "quote-speaker_role": "CISO",
            "quote-persona": buyer.pk,
            "quote-usable_in_sales": "on",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="beforeend:#quote-list"' in html
    assert "We would switch tomorrow" in html
    assert buyer.quotes.filter(text="We would switch tomorrow", usable_in_sales=True).exists()


def test_pmm_home_shows_open_follow_ups_and_stale_personas(client, pmm, team, follow_up):
    PersonaFactory(
        name="Forgotten buyer", team=team, owner=pmm, created_at=timezone.now() - datetime.timedelta(days=400)
    )
    client.force_login(pmm)
    html = client.get("/").content.decode()
    assert "Send the SOC 2 report" in html
    assert "Forgotten buyer" in html


def test_pm_home_lists_user_personas_of_their_products(client, pm, user_persona):
    client.force_login(pm)
    assert "Release engineer" in client.get("/").content.decode()


def test_cmo_home_shows_persona_freshness(client, cmo, buyer):
    client.force_login(cmo)
    html = client.get("/").content.decode()
    assert "Persona freshness" in html
    assert "1 of 1 fresh" in html


# --- Query counts ------------------------------------------------------------------------------


def grow(team, pmm, product, n):
    """``n`` personas of each kind with products, objections, positionings, interactions, quotes."""
    for _ in range(n):
        persona = PersonaFactory(team=team, owner=pmm, products=[product])
        PersonaFactory(team=team, owner=pmm, kind=PersonaKind.USER, products=[product])
        ObjectionFactory(persona=persona)
        PositioningFactory(persona=persona, product=ProductFactory(team=team))
        interaction = InteractionFactory(team=team, owner=pmm, personas=[persona])
        QuoteFactory(interaction=interaction, persona=persona)
        FollowUpFactory(interaction=interaction)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # session, user, owner choices (filter form), product choices, team choices, count, page of personas
        # with staleness and evidence counts, their products
        (reverse("personas:index"), 8),
        (reverse("personas:index") + "?kind=buyer&stale=false&sort=-updated_at", 8),
        # session, user, persona/owner/team choices (filter form), count, page of interactions with
        # counts, their personas
        (reverse("personas:interactions"), 8),
    ],
)
def test_list_query_count_is_flat(client, pmm, team, product, url, expected):
    client.force_login(pmm)
    grow(team, pmm, product, 2)
    small = count_queries(client, url)
    grow(team, pmm, product, 20)
    assert count_queries(client, url) == small == expected


def test_card_query_count_is_flat(client, pmm, team, product):
    """Session, user, persona (team, owner), quote visibility, quotes, evidence figures, positionings,
    interactions, quote count, objections, products, buyer's channels, edit check, positioning sides,
    can-log check, history (persona, its linked products, positionings, users, product names): 20,
    whatever the evidence."""
    client.force_login(pmm)
    persona = PersonaFactory(team=team, owner=pmm, products=[product])

    def add_evidence(n):
        for _ in range(n):
            ObjectionFactory(persona=persona)
            PositioningFactory(persona=persona, product=ProductFactory(team=team))
            interaction = InteractionFactory(team=team, owner=pmm, personas=[persona])
            QuoteFactory(interaction=interaction, persona=persona)
            services.persona_update(actor=UserFactory(role=Role.PMM), persona=persona, summary=f"Summary {_}")

    add_evidence(2)
    PositioningFactory(persona=persona, product=product)
    small = count_queries(client, persona.get_absolute_url())
    add_evidence(20)
    assert count_queries(client, persona.get_absolute_url()) == small
    assert small == 20


def test_api_list_query_count_is_flat(api_client, pmm, team, product):
    """User (token/session), count, page with staleness and counts, products, objections, sells_to,
    positionings with products."""
    api_client.force_authenticate(pmm)
    grow(team, pmm, product, 2)
    with CaptureQueriesContext(connection) as small:
        assert api_client.get("/api/v1/personas/").status_code == 200
    grow(team, pmm, product, 20)
    with CaptureQueriesContext(connection) as large:
        assert api_client.get("/api/v1/personas/?page_size=100").status_code == 200
    assert len(small) == len(large) == 6


def test_api_interaction_list_query_count_is_flat(api_client, pmm, team, product):
    """Count, page with counts, personas, quotes, follow-ups."""
    api_client.force_authenticate(pmm)
    grow(team, pmm, product, 2)
    with CaptureQueriesContext(connection) as small:
        assert api_client.get("/api/v1/interactions/").status_code == 200
    grow(team, pmm, product, 20)
    with CaptureQueriesContext(connection) as large:
        assert api_client.get("/api/v1/interactions/?page_size=100").status_code == 200
    assert len(small) == len(large) == 5


def test_teammates_read_follow_ups_without_a_tick_box(client, pm, interaction, follow_up):
    client.force_login(pm)
    html = client.get(interaction.get_absolute_url()).content.decode()
    assert "Send the SOC 2 report" in html
    assert "Mark done" not in html
    assert "Add a quote" not in html
