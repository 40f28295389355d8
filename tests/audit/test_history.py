"""Every change of every business model is in the audit log, naming who made it, before and after,
and shown to the leader of the object's team, never to another team's leader."""

import pytest
from django.apps import apps

from audit.selectors import AuditFilters, _shown, audit_entries, audit_feed
from audit.sources import BUSINESS_APPS, EXCLUDED, SOURCES, sources_by_key
from tests.audit.makers import MAKERS


def business_models() -> list[str]:
    keys = []
    for label in BUSINESS_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue  # simple-history's own tables
            keys.append(model._meta.label_lower)
    return keys


def test_every_business_model_keeps_history_or_says_why_not() -> None:
    tracked = set(sources_by_key())
    for key in business_models():
        model = apps.get_model(key)
        if key in EXCLUDED:
            assert key not in tracked, f"{key} is both tracked and excluded"
            continue
        assert key in tracked, (
            f"{key} keeps no audit history: add it to audit.sources (or EXCLUDED, with why)"
        )
        assert hasattr(model, "history"), f"{key} is in audit.sources but has no HistoricalRecords"
    assert not set(EXCLUDED) - set(business_models()), "EXCLUDED names a model that no longer exists"


def test_every_tracked_model_has_a_maker() -> None:
    assert set(MAKERS) == {source.key for source in SOURCES}


def _entries(reader, key: str, object_id: int):
    feed = audit_feed(reader=reader, filters=AuditFilters(type=key))
    return [entry for entry in audit_entries(list(feed[:20])) if entry.object_id == object_id]


@pytest.mark.parametrize("key", sorted(MAKERS))
def test_a_change_is_logged_with_who_and_before_after(key, cast, team, product, other_cmo, acting_as) -> None:
    make, field_name, new_value = MAKERS[key]
    world = {**cast, "team": team, "product": product}
    acting_as(cast["pmm"])
    obj = make(world)
    obj.refresh_from_db()
    model_field = obj._meta.get_field(field_name)
    before = _shown(getattr(obj, model_field.attname), model_field, {})

    acting_as(cast["cmo"])
    setattr(obj, field_name, new_value)
    obj.save()
    obj.refresh_from_db()
    after = _shown(getattr(obj, model_field.attname), model_field, {})
    assert before != after

    entries = _entries(cast["admin"], key, obj.pk)
    change = entries[0]
    assert (change.action, change.actor) == ("changed", cast["cmo"])
    assert [(c.field, c.before, c.after) for c in change.changes if c.field == field_name] == [
        (field_name, before, after)
    ]
    created = [entry for entry in entries if entry.action == "created"]
    assert created, "the creation is logged too"
    if key != "core.team":  # the cast's team was made before anyone acted
        assert created[0].actor == cast["pmm"]

    # The team's leader reads it; another team's leader does not.
    assert [e.action for e in _entries(cast["cmo"], key, obj.pk)] == [e.action for e in entries]
    assert _entries(other_cmo, key, obj.pk) == []


def test_a_deletion_is_logged_with_the_last_values(cast, team, acting_as) -> None:
    from tests.factories import InitiativeFactory

    acting_as(cast["pmm"])
    initiative = InitiativeFactory(team=team, owner=cast["pmm"], title="Retired plan")
    pk = initiative.pk
    initiative.delete()
    entry = _entries(cast["admin"], "initiatives.initiative", pk)[0]
    assert (entry.action, entry.actor, entry.url) == ("deleted", cast["pmm"], "")
    assert ("title", "Retired plan", None) in [(c.field, c.before, c.after) for c in entry.changes]


def test_an_atomic_increment_is_logged_with_the_value_the_database_computed(cast, product, acting_as) -> None:
    from django.db.models import F

    from tests.factories import RequestFactory

    acting_as(cast["pmm"])
    request = RequestFactory(product=product, requester=cast["sales"])
    request.hours_logged = F("hours_logged") + 2
    request.save(update_fields=["hours_logged"])
    entry = _entries(cast["admin"], "requests_queue.request", request.pk)[0]
    assert [(c.field, c.before, c.after) for c in entry.changes] == [("hours_logged", "0.0", "2.0")]
