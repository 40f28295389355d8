"""Services: creating and editing personas per kind, validation, staleness, history, interactions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from personas import selectors, services
from personas.models import CustomerInteraction, FollowUp, Persona, PersonaKind, PersonaStatus, Quote
from tests.factories import InteractionFactory, PersonaFactory


def make_buyer(pmm, team, **fields):
    values = {"goals": "Cut audit time in half", "buying_role": "economic_buyer"} | fields
    return services.persona_create(
        actor=pmm, team=team, kind=PersonaKind.BUYER, name="Security-minded CIO", **values
    )


# --- Creation and editing per kind ----------------------------------------------------------


def test_pmm_creates_a_buyer_persona_with_objections_and_products(pmm, team, product):
    persona = make_buyer(
        pmm,
        team,
        products=[product],
        objections=[{"objection": "Too expensive", "response": "Show the ROI calculator"}],
    )
    assert persona.owner == pmm
    assert persona.status == PersonaStatus.DRAFT
    assert list(persona.products.all()) == [product]
    assert [o.objection for o in persona.objections.all()] == ["Too expensive"]


def test_pm_creates_a_user_persona(pm, team, product):
    persona = services.persona_create(
        actor=pm,
        team=team,
        kind=PersonaKind.USER,
        name="Release engineer",
        jobs="Ship weekly",
        products=[product],
    )
    assert persona.jobs == "Ship weekly"
    assert persona.kind_fields == ("jobs", "workflows", "frustrations")


def test_sales_channel_persona_names_the_buyers_it_sells_to(pmm, team):
    buyer = make_buyer(pmm, team)
    channel = services.persona_create(
        actor=pmm,
        team=team,
        kind=PersonaKind.SALES_CHANNEL,
        name="Regional reseller",
        channel="partner",
        compensation="Margin on licences",
        sells_to=[buyer],
    )
    assert list(channel.sells_to.all()) == [buyer]
    assert list(buyer.sold_by.all()) == [channel]


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        (PersonaKind.USER, "goals", "Grow"),
        (PersonaKind.USER, "buying_role", "champion"),
        (PersonaKind.BUYER, "jobs", "Ship"),
        (PersonaKind.BUYER, "channel", "partner"),
        (PersonaKind.SALES_CHANNEL, "frustrations", "Slow"),
        (PersonaKind.USER, "objections", [{"objection": "No", "response": ""}]),
    ],
)
def test_fields_of_another_kind_are_refused(pmm, team, kind, field, value):
    with pytest.raises(ValidationError) as error:
        services.persona_create(actor=pmm, team=team, kind=kind, name="Someone", **{field: value})
    assert field in error.value.message_dict
    assert "does not apply" in error.value.message_dict[field][0]
    assert not Persona.objects.exists()


def test_editing_refuses_fields_of_another_kind_and_keeps_the_persona(pmm, team):
    persona = make_buyer(pmm, team)
    with pytest.raises(ValidationError) as error:
        services.persona_update(actor=pmm, persona=persona, name="Renamed", jobs="Not a buyer field")
    assert "jobs" in error.value.message_dict
    persona.refresh_from_db()
    assert persona.name == "Security-minded CIO"


def test_unknown_kind_is_refused(pmm, team):
    with pytest.raises(ValidationError) as error:
        services.persona_create(actor=pmm, team=team, kind="investor", name="Someone")
    assert "kind" in error.value.message_dict


def test_missing_name_and_over_long_text_are_refused(pmm, team):
    with pytest.raises(ValidationError) as error:
        services.persona_create(actor=pmm, team=team, kind=PersonaKind.BUYER, name="  ", goals="x" * 5000)
    assert set(error.value.message_dict) >= {"name", "goals"}
    assert not Persona.objects.exists()


def test_duplicate_name_in_the_team_is_refused(pmm, team):
    make_buyer(pmm, team)
    with pytest.raises(ValidationError) as error:
        services.persona_create(actor=pmm, team=team, kind=PersonaKind.BUYER, name="security-minded cio")
    assert "already has a persona" in str(error.value)


def test_products_of_another_team_are_refused(pmm, team, other_product):
    with pytest.raises(ValidationError) as error:
        make_buyer(pmm, team, products=[other_product])
    assert "products" in error.value.message_dict
    assert not Persona.objects.exists()


def test_a_bad_objection_leaves_nothing_half_saved(pmm, team):
    with pytest.raises(ValidationError) as error:
        make_buyer(pmm, team, objections=[{"objection": "", "response": "?"}])
    assert "objections" in error.value.message_dict
    assert not Persona.objects.exists()


# --- Validation and staleness ---------------------------------------------------------------


def test_validation_records_who_and_when(pmm, team):
    persona = make_buyer(pmm, team)
    services.persona_validate(actor=pmm, persona=persona)
    persona.refresh_from_db()
    assert persona.status == PersonaStatus.VALIDATED
    assert persona.last_validated_by == pmm
    assert timezone.now() - persona.last_validated_at < datetime.timedelta(minutes=1)


def test_staleness_follows_the_team_setting(pmm, team, other_team):
    team.persona_stale_days = 30
    team.save(update_fields=["persona_stale_days"])
    now = timezone.now()
    fresh = PersonaFactory(
        team=team, owner=pmm, last_validated_at=now - datetime.timedelta(days=29), status="validated"
    )
    stale = PersonaFactory(
        team=team, owner=pmm, last_validated_at=now - datetime.timedelta(days=31), status="validated"
    )
    never = PersonaFactory(team=team, owner=pmm, created_at=now - datetime.timedelta(days=40))
    retired = PersonaFactory(
        team=team, owner=pmm, created_at=now - datetime.timedelta(days=400), status="retired"
    )
    # The other team keeps the default 180 days: 31 days is fresh there.
    elsewhere = PersonaFactory(
        team=other_team, last_validated_at=now - datetime.timedelta(days=31), status="validated"
    )

    assert set(selectors.stale_personas(team=team)) == {stale, never}
    assert set(selectors.stale_personas()) == {stale, never}
    for persona in (fresh, stale, never, retired, elsewhere):
        persona.refresh_from_db()
    assert [p.is_stale for p in (fresh, stale, never, retired, elsewhere)] == [
        False,
        True,
        True,
        False,
        False,
    ]
    annotated = {p.pk: p.is_stale for p in Persona.objects.with_staleness()}
    assert annotated == {
        fresh.pk: False,
        stale.pk: True,
        never.pk: True,
        retired.pk: False,
        elsewhere.pk: False,
    }

    freshness = selectors.persona_freshness(teams=[team, other_team])
    assert (freshness[team.pk].total, freshness[team.pk].stale) == (3, 2)
    assert freshness[other_team.pk].fresh_pct == 100


def test_validating_makes_a_stale_persona_fresh(pmm, team):
    persona = PersonaFactory(team=team, owner=pmm, created_at=timezone.now() - datetime.timedelta(days=365))
    assert persona.is_stale
    services.persona_validate(actor=pmm, persona=persona)
    assert not Persona.objects.with_staleness().get(pk=persona.pk).is_stale


def test_a_retired_persona_cannot_be_validated(pmm, team):
    persona = services.persona_retire(actor=pmm, persona=make_buyer(pmm, team))
    with pytest.raises(ValidationError):
        services.persona_validate(actor=pmm, persona=persona)


# --- History --------------------------------------------------------------------------------


def test_every_change_is_kept_with_who_and_old_and_new_values(pmm, cmo, team, product):
    persona = make_buyer(pmm, team)
    services.persona_update(actor=pmm, persona=persona, goals="Pass the audit first time")
    services.persona_validate(actor=pmm, persona=persona)
    services.positioning_update(
        actor=pmm, persona=persona, product=product, side="pmm", against_competitors="Faster than Vanta"
    )

    history = selectors.persona_history(persona=persona)

    changes = {(c.field, c.old, c.new) for entry in history for c in entry.changes}
    assert ("Goals", "Cut audit time in half", "Pass the audit first time") in changes
    assert ("Status", "Draft", "Validated") in changes
    assert ("Against competitors", "—", "Faster than Vanta") in changes
    assert {entry.who for entry in history} == {pmm.display_name}
    assert history[-1].what == "created"


def test_positioning_sides_are_separate(pm, pmm, team, product):
    persona = make_buyer(pmm, team)
    services.positioning_update(
        actor=pm, persona=persona, product=product, side="pm", value_proposition="Audit-ready"
    )
    with pytest.raises(ValidationError):
        services.positioning_update(
            actor=pm, persona=persona, product=product, side="pm", key_messages="Nope"
        )
    positioning = services.positioning_update(
        actor=pmm, persona=persona, product=product, side="pmm", key_messages="Audit in a day"
    )
    assert (positioning.value_proposition, positioning.key_messages) == ("Audit-ready", "Audit in a day")
    assert product in persona.products.all()


def test_positioning_for_a_product_of_another_team_is_refused(pmm, team, other_product):
    persona = make_buyer(pmm, team)
    with pytest.raises(ValidationError) as error:
        services.positioning_update(
            actor=pmm, persona=persona, product=other_product, side="pmm", key_messages="x"
        )
    assert "product" in error.value.message_dict


# --- Interactions ---------------------------------------------------------------------------


def test_logging_an_interaction_with_quotes_and_follow_ups(pmm, team):
    persona = make_buyer(pmm, team)
    interaction = services.interaction_create(
        actor=pmm,
        team=team,
        kind="interview",
        account="Globex",
        notes="Audit pain",
        duration_minutes=60,
        quotes=[
            {
                "text": "Audits eat our quarter.",
                "speaker_role": "CISO",
                "usable_in_sales": True,
                "persona": persona,
            }
        ],
        follow_ups=[{"description": "Send the SOC 2 report", "due_on": datetime.date.today()}],
    )
    assert list(interaction.personas.all()) == [persona]
    assert persona.quotes.get().speaker_role == "CISO"
    assert FollowUp.objects.get().owner == pmm
    assert selectors.open_follow_ups(user=pmm)[0].description == "Send the SOC 2 report"


def test_a_quote_linked_to_a_persona_of_another_team_saves_nothing(pmm, team, other_team):
    foreign = PersonaFactory(team=other_team)
    with pytest.raises(ValidationError) as error:
        services.interaction_create(
            actor=pmm,
            team=team,
            kind="sales_call",
            account="Globex",
            quotes=[{"text": "Hello there", "persona": foreign}],
        )
    assert "quotes" in error.value.message_dict
    assert not CustomerInteraction.objects.exists()
    assert not Quote.objects.exists()


def test_adding_a_quote_to_a_persona_of_another_team_is_refused(pmm, team, other_team):
    interaction = InteractionFactory(owner=pmm, team=team)
    with pytest.raises(ValidationError) as error:
        services.quote_add(
            actor=pmm, interaction=interaction, text="Hello there", persona=PersonaFactory(team=other_team)
        )
    assert "persona" in error.value.message_dict


def test_interaction_bad_input_names_the_fields(pmm, team):
    with pytest.raises(ValidationError) as error:
        services.interaction_create(
            actor=pmm, team=team, kind="party", account="", duration_minutes=5000, notes="x" * 10001
        )
    assert set(error.value.message_dict) >= {"kind", "account", "notes"}


def test_a_follow_up_is_ticked_off_once(pmm, team):
    follow_up = services.follow_up_add(
        actor=pmm,
        interaction=InteractionFactory(owner=pmm, team=team),
        description="Call back",
        due_on=datetime.date.today(),
    )
    services.follow_up_complete(actor=pmm, follow_up=follow_up)
    first = follow_up.done_at
    services.follow_up_complete(actor=pmm, follow_up=follow_up)
    assert follow_up.done_at == first
    assert selectors.open_follow_ups(user=pmm) == []
    services.follow_up_complete(actor=pmm, follow_up=follow_up, done=False)
    assert follow_up.done_at is None


def test_customer_time_adds_up_per_pmm(pmm, team):
    InteractionFactory(owner=pmm, team=team, duration_minutes=30, occurred_on=datetime.date(2026, 3, 2))
    InteractionFactory(owner=pmm, team=team, duration_minutes=60, occurred_on=datetime.date(2026, 3, 30))
    InteractionFactory(owner=pmm, team=team, duration_minutes=60, occurred_on=datetime.date(2026, 4, 1))
    got = selectors.customer_time_by_owner(
        team=team, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 4, 1)
    )
    assert got == {pmm.pk: {"interactions": 2, "minutes": 90}}
