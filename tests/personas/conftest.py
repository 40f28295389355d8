"""Personas of the shared cast's team: a buyer persona kept by ``pmm`` and a user persona kept by ``pm``.

Both are validated, so everyone signed in reads them; tests about drafts make their own.
"""

import pytest
from django.utils import timezone

from personas.models import PersonaKind, PersonaStatus
from tests.factories import FollowUpFactory, InteractionFactory, PersonaFactory, QuoteFactory


@pytest.fixture
def buyer(team, pmm, product):
    return PersonaFactory(
        name="Security-minded CIO",
        kind=PersonaKind.BUYER,
        team=team,
        owner=pmm,
        products=[product],
        status=PersonaStatus.VALIDATED,
        last_validated_at=timezone.now(),
    )


@pytest.fixture
def user_persona(team, pm, product):
    return PersonaFactory(
        name="Release engineer",
        kind=PersonaKind.USER,
        team=team,
        owner=pm,
        products=[product],
        status=PersonaStatus.VALIDATED,
        last_validated_at=timezone.now(),
    )


@pytest.fixture
def interaction(team, pmm, buyer):
    interaction = InteractionFactory(team=team, owner=pmm, account="Globex", personas=[buyer])
    QuoteFactory(interaction=interaction, persona=buyer, text="Audits eat our quarter.", usable_in_sales=True)
    QuoteFactory(
        interaction=interaction, persona=buyer, text="Our CFO hates surprises.", usable_in_sales=False
    )
    return interaction


@pytest.fixture
def follow_up(interaction):
    return FollowUpFactory(interaction=interaction, description="Send the SOC 2 report")
