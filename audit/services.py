"""The audit log's one write: that someone read it."""

from typing import Any

from pmm_portal.core.models import User

from .models import AuditRead, ReadKind


def audit_read_record(*, reader: User, kind: str, via: str, filters: dict[str, Any]) -> AuditRead:
    """Record that ``reader`` viewed or exported the log through ``via`` with ``filters``."""
    if kind not in ReadKind.values:
        raise ValueError(f"Unknown read kind {kind!r}")
    return AuditRead.objects.create(user=reader, kind=kind, via=via, filters=filters)
