"""Factories of the personas app."""

import datetime

import factory
from factory.django import DjangoModelFactory

from personas.models import (
    CustomerInteraction,
    FollowUp,
    InteractionKind,
    Objection,
    Persona,
    PersonaKind,
    Positioning,
    Quote,
)
from tests.factories.core import TeamFactory, UserFactory

__all__ = [
    "FollowUpFactory",
    "InteractionFactory",
    "ObjectionFactory",
    "PersonaFactory",
    "PositioningFactory",
    "QuoteFactory",
]


class PersonaFactory(DjangoModelFactory[Persona]):
    class Meta:
        model = Persona
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Persona {n}")
    kind = PersonaKind.BUYER
    team = factory.SubFactory(TeamFactory)
    owner = factory.SubFactory(UserFactory, role="pmm")
    summary = "Runs IT for a mid-sized company and signs off on platform purchases."

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)


class ObjectionFactory(DjangoModelFactory[Objection]):
    class Meta:
        model = Objection

    persona = factory.SubFactory(PersonaFactory)
    objection = "We already have a tool for this."
    response = "Show the migration guide and the three-week rollout of a comparable customer."


class PositioningFactory(DjangoModelFactory[Positioning]):
    class Meta:
        model = Positioning

    persona = factory.SubFactory(PersonaFactory)
    product = factory.SubFactory("tests.factories.core.ProductFactory")
    value_proposition = "Ship secure releases without slowing the team down."


class InteractionFactory(DjangoModelFactory[CustomerInteraction]):
    class Meta:
        model = CustomerInteraction
        skip_postgeneration_save = True

    occurred_on = factory.LazyFunction(datetime.date.today)
    kind = InteractionKind.SALES_CALL
    account = factory.Sequence(lambda n: f"Acme {n}")
    notes = "Discussed their rollout."
    duration_minutes = 45
    owner = factory.SubFactory(UserFactory, role="pmm")
    team = factory.SubFactory(TeamFactory)

    @factory.post_generation
    def personas(self, create, extracted, **kwargs):
        if create and extracted:
            self.personas.set(extracted)


class QuoteFactory(DjangoModelFactory[Quote]):
    class Meta:
        model = Quote

    interaction = factory.SubFactory(InteractionFactory)
    text = factory.Sequence(lambda n: f"We lose a week every quarter to manual audits ({n}).")
    speaker_role = "VP Engineering"
    usable_in_sales = True


class FollowUpFactory(DjangoModelFactory[FollowUp]):
    class Meta:
        model = FollowUp

    interaction = factory.SubFactory(InteractionFactory)
    owner = factory.LazyAttribute(lambda f: f.interaction.owner)
    description = "Send the SOC 2 report"
    due_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=7))
