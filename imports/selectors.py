"""Reads the import pages and the API share."""

from django.db.models import Q, QuerySet

from pmm_portal.core.models import User

from .models import ImportBatch, ImportedRow, ImportStatus
from .permissions import batches_visible_to


def batch_list(*, user: User) -> QuerySet[ImportBatch]:
    """The batches ``user`` sees, newest first, without others' drafts; one query with who and where.

    ``rows`` (the parsed file) is deferred: a list needs its size only, kept in ``row_total``.
    """
    return (
        batches_visible_to(user)
        .exclude(Q(status=ImportStatus.DRAFT) & ~Q(created_by=user))
        .select_related("team", "created_by", "undone_by")
        .defer("rows", "headers", "footprint")
        .order_by("-created_at", "-id")
    )


def batch_objects(*, batch: ImportBatch, limit: int = 200) -> list[ImportedRow]:
    """What a batch created, in the file's order (at most ``limit``)."""
    return list(batch.objects_created.select_related("content_type").order_by("row_number", "id")[:limit])
