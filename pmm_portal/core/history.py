"""The edit history every business model keeps (django-simple-history), read by the audit log.

``TrackedHistory`` is ``HistoricalRecords`` with two differences:

- it writes no row for a save of excluded fields only: signing in saves ``last_login``, a
  report's worker beats ``heartbeat_at``; neither is a change anyone audits, and a row for
  each would bury the real ones;
- a field saved as an expression (``request.hours_logged = F("hours_logged") + 2``, an atomic
  increment) is read back before the row is written: the history keeps the value the database
  computed (one extra query, only for such saves).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.db.models.expressions import Combinable
from simple_history.models import HistoricalRecords


class TrackedHistory(HistoricalRecords):  # type: ignore[misc]
    """``HistoricalRecords`` that skips saves of excluded fields and records computed values."""

    def post_save(self, instance: Any, created: bool, using: str | None = None, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def create_historical_record(self, instance: Any, history_type: str, using: str | None = None) -> None:
        computed = [
            field.attname
            for field in self.fields_included(instance)
            if isinstance(getattr(instance, field.attname, None), Combinable)
        ]
        if computed:
            instance.refresh_from_db(fields=computed)
        super().create_historical_record(instance, history_type, using=using)


def record_updates(model: Any, ids: Any, *, actor: Any = None) -> None:
    """Write the history rows of ``model``'s rows ``ids`` after a bulk or conditional ``UPDATE``
    (which sends no signal): the audit log shows who claimed a request, closed a round or
    marked a card reviewed like any other change. One read and one insert, whatever the rows."""
    manager = getattr(model, "history", None)
    ids = list(ids)
    if manager is None or not ids:
        return
    rows = list(model._default_manager.filter(pk__in=ids))
    if rows:
        manager.bulk_history_create(rows, update=True, default_user=actor)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Changes made in the block are logged as ``user``'s, outside a web request (a message
    received by email, a chat command): what simple-history's middleware does for a page."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous
