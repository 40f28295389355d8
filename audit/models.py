"""What the audit log keeps of its own: who read it, when, and with which filters.

The changes themselves are the history tables of the tracked models (django-simple-history,
``audit.sources``); this app adds no copy of them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReadKind(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    EXPORTED = "exported", "Exported"


class AuditRead(models.Model):
    """One reading of the audit log (a page, an API page or a CSV export), itself shown in the log."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ReadKind.choices)
    via = models.CharField(max_length=10, help_text="page, api or csv")
    filters = models.JSONField(default=dict, blank=True, help_text="The filters the reader applied.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReadKind.values), name="audit_read_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} the audit log ({self.via})"
