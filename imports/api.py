"""``/api/v1/imports/``: the same door and services as the pages.

``POST`` a file with its kind, team, column mapping (optional: suggested by name) and ``dry_run``
(default true): a dry run answers every row's errors and writes nothing; an import answers 201
with the batch, or 400 with every row's error and nothing written. ``GET`` lists the batches the
caller sees; ``POST /{id}/undo/`` deletes what a batch created, or answers 400 saying why not.

Order of every write: the role and the import rights (``HasRole``, ``may_create``), then the kind
and team the body names (a forbidden one answers 403 like an unknown one), then the file.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from pmm_portal.core.api import ID_LOOKUP, UserSummarySerializer, service_errors
from pmm_portal.core.http import AuthenticatedRequest
from pmm_portal.core.models import Team, User
from pmm_portal.core.permissions import HasRole

from . import permissions, selectors, services
from .filters import BatchFilter
from .models import ImportBatch, ImportKind


class BatchSerializer(serializers.ModelSerializer[ImportBatch]):
    team: "serializers.PrimaryKeyRelatedField[Team]" = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    created_by = UserSummarySerializer(read_only=True)
    undone_by = UserSummarySerializer(read_only=True, allow_null=True)
    rows = serializers.IntegerField(source="row_total", read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "team",
            "filename",
            "status",
            "rows",
            "object_count",
            "mapping",
            "created_by",
            "created_at",
            "imported_at",
            "undone_by",
            "undone_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    team = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=60,
        help_text="The team's id (a slug is still accepted, for older clients; not for users).",
    )
    file = serializers.FileField(help_text="A CSV (UTF-8) or .xlsx file whose first row names the columns.")
    mapping = serializers.JSONField(
        required=False,
        default=None,
        help_text='Field → column header, e.g. {"name": "Competitor"}; suggested by name when left out.',
    )
    dry_run = serializers.BooleanField(required=False, default=True)

    def validate_mapping(self, value: Any) -> dict[str, str] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise serializers.ValidationError("Give an object of field names to column headers (text).")
        return dict(value)


class RowErrorSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text="The row in the file; the header is row 1.")
    column = serializers.CharField(help_text="The file's column, or empty for the row as a whole.")
    message = serializers.CharField()
    text = serializers.CharField(help_text="The whole sentence: row, column and message.")


class ImportResultSerializer(serializers.Serializer[Any]):
    dry_run = serializers.BooleanField()
    valid = serializers.BooleanField(help_text="True when no row has an error.")
    rows = serializers.IntegerField()
    row_errors = RowErrorSerializer(many=True, help_text="Every row's problems, in the file's order.")
    batch = BatchSerializer(allow_null=True)


def _result(outcome: services.Outcome, *, dry_run: bool, batch: ImportBatch | None) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "valid": outcome.ok,
        "rows": outcome.rows,
        "row_errors": [
            {"row": e.row, "column": e.column, "message": e.message, "text": e.text} for e in outcome.errors
        ],
        "batch": BatchSerializer(batch).data if batch is not None else None,
    }


@extend_schema_view(
    list=extend_schema(
        summary="The imports the caller sees (their own, their teams' as leader; all: admins)."
    ),
    retrieve=extend_schema(summary="One import batch."),
)
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ImportBatch]):
    """Imports of users, personas, assets, requests and competitors from CSV or XLSX files."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = BatchSerializer
    permission_classes = [HasRole]
    allowed_roles = permissions.IMPORTERS
    filterset_class = BatchFilter
    parser_classes = [MultiPartParser, FormParser]
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.can_import(user)

    def get_queryset(self) -> QuerySet[ImportBatch]:
        if getattr(self, "swagger_fake_view", False):
            return ImportBatch.objects.none()
        return selectors.batch_list(user=self.request.user)

    def get_object(self) -> ImportBatch:
        batch = self.get_queryset().filter(pk=int(self.kwargs["pk"])).first()
        if batch is None:
            raise Http404("No such import.")
        return batch

    @extend_schema(
        request=ImportUploadSerializer,
        responses={200: ImportResultSerializer, 201: ImportResultSerializer},
        summary="Preview (dry_run, the default) or import a file: every row's errors, all or nothing.",
    )
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:
        body = request.data if isinstance(request.data, Mapping) else {}
        try:
            team = permissions.access_import_target(
                user=request.user, kind=body.get("kind"), team=body.get("team")
            )
        except PermissionDenied as error:
            if not isinstance(body.get("kind"), str) or body.get("kind") not in ImportKind.values:
                raise serializers.ValidationError({"kind": [str(error)]}) from error
            raise
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            batch, outcome = services.file_import(
                actor=request.user,
                kind=data["kind"],
                team=team,
                upload=data["file"],
                mapping=data["mapping"],
                dry_run=data["dry_run"],
                domain=request.get_host(),
                use_https=request.is_secure(),
            )
        if not data["dry_run"] and not outcome.ok:
            raise serializers.ValidationError({"non_field_errors": [e.text for e in outcome.errors]})
        code = status.HTTP_200_OK if data["dry_run"] else status.HTTP_201_CREATED
        return Response(_result(outcome, dry_run=data["dry_run"], batch=batch), status=code)

    @extend_schema(
        request=None, responses={200: BatchSerializer}, summary="Undo an import: delete what it created."
    )
    @action(detail=True, methods=["post"])
    def undo(self, request: AuthenticatedRequest, pk: str) -> Response:
        batch = permissions.access_batch(user=request.user, id=pk, action="change")
        with service_errors():
            services.batch_undo(batch=batch, actor=request.user)
        return Response(BatchSerializer(selectors.batch_list(user=request.user).get(pk=batch.pk)).data)
