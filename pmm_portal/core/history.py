"""The edit history every business model keeps (django-simple-history), read by the audit log.

``TrackedHistory`` is ``HistoricalRecords`` that writes no row for a save of excluded fields
only: signing in saves ``last_login``, a report's worker beats ``heartbeat_at``; neither is a
change anyone audits, and a row for each would bury the real ones.
"""

from typing import Any

from simple_history.models import HistoricalRecords


class TrackedHistory(HistoricalRecords):  # type: ignore[misc]
    """``HistoricalRecords`` that skips a save whose ``update_fields`` are all excluded fields."""

    def post_save(self, instance: Any, created: bool, using: str | None = None, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)
