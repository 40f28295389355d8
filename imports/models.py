"""Imports of existing data (users, personas, assets, requests, competitors) from CSV or XLSX.

A file becomes an :class:`ImportBatch` holding its parsed rows (JSON, never the file itself), the
column mapping chosen for it and, once imported, an :class:`ImportedRow` per object created, so the
batch can be undone as one.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class ImportKind(models.TextChoices):
    USERS = "users", "Users"
    PERSONAS = "personas", "Personas"
    ASSETS = "assets", "Assets"
    REQUESTS = "requests", "Requests"
    COMPETITORS = "competitors", "Competitors"


class ImportStatus(models.TextChoices):
    DRAFT = "draft", "Not imported yet"
    IMPORTED = "imported", "Imported"
    UNDONE = "undone", "Undone"


class ImportBatch(models.Model):
    """One uploaded file: its rows, how its columns map to the kind's fields, and what became of it.

    A draft holds the parsed rows only (nothing else is written before the import). Importing
    creates every row's objects in one transaction or none; undoing deletes exactly those objects,
    also in one transaction. ``footprint`` is what deleting the batch's objects would delete or
    touch, taken right after the import: undo compares it with today's to see new references.
    """

    kind = models.CharField(max_length=12, choices=ImportKind.choices)
    team = models.ForeignKey(
        "core.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="import_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_batches"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list, help_text="The file's rows as text, in order.")
    row_total = models.PositiveIntegerField(default=0, help_text="How many rows the file has.")
    mapping = models.JSONField(default=dict, help_text="Field name → column header.")
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.DRAFT)
    imported_at = models.DateTimeField(null=True, blank=True)
    object_count = models.PositiveIntegerField(default=0)
    footprint = models.JSONField(default=list, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"
        indexes = [models.Index(fields=["created_by", "-created_at"], name="imports_batch_creator_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ImportKind.values), name="imports_batch_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="imports_batch_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.filename}"


class ImportedRow(models.Model):
    """An object a batch created, in creation order (a persona's quotes make a second object)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="objects_created")
    row_number = models.PositiveIntegerField(help_text="The row in the file (the header is row 1).")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="A hash of the object as imported.")

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "content_type", "object_id"], name="imports_row_one_per_object"
            ),
        ]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.label}"
