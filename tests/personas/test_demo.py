"""``seed_demo`` fills personas of every kind, evidence and follow-ups, fresh and stale."""

from django.core.management import call_command

from personas.models import CustomerInteraction, FollowUp, Persona, PersonaKind, Quote
from pmm_portal.core.models import Product


def test_seed_demo_adds_realistic_personas_and_evidence(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")

    for product in Product.objects.all():
        kinds = set(Persona.objects.filter(products=product).values_list("kind", flat=True))
        assert kinds == set(PersonaKind.values), product
    stale = Persona.objects.stale().count()
    assert 0 < stale < Persona.objects.count()
    assert CustomerInteraction.objects.filter(owner__username="pmm").count() >= 24  # a year, a few a month
    assert Quote.objects.filter(usable_in_sales=True).exists()
    assert Quote.objects.filter(usable_in_sales=False).exists()
    assert FollowUp.objects.filter(owner__username="pmm", done_at__isnull=True).exists()
    assert Persona.history.filter(history_type="~").exists()  # edits show up in the history

    counts = (Persona.objects.count(), CustomerInteraction.objects.count(), Quote.objects.count())
    call_command("seed_demo")
    assert (Persona.objects.count(), CustomerInteraction.objects.count(), Quote.objects.count()) == counts


def test_scale_multiplies_personas(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "40")
    # Four teams, two products each, two variants of six personas per product.
    assert Persona.objects.count() == 4 * 2 * 2 * 6
