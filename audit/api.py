"""``/api/v1/audit/``: the audit log, read-only, with the page's filters (administrators and CMOs)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from pmm_portal.core.http import AuthenticatedRequest
from pmm_portal.core.permissions import HasRole

from . import permissions, selectors, services
from .forms import ACTION_CHOICES, AuditFilterForm
from .models import ReadKind
from .sources import type_choices


class AuditActorSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class AuditChangeSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    before = serializers.CharField(allow_null=True)
    after = serializers.CharField(allow_null=True)


class AuditEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    actor = AuditActorSerializer(allow_null=True, help_text="Who made the change (null: the system).")
    action = serializers.ChoiceField(choices=ACTION_CHOICES)
    object_type = serializers.CharField(
        source="type_key", help_text="app_label.model, e.g. initiatives.initiative"
    )
    object_type_name = serializers.CharField(source="type_name")
    object_id = serializers.IntegerField()
    object_label = serializers.CharField(source="label")
    object_url = serializers.CharField(source="url", allow_blank=True, help_text="The object's page, if any.")
    changes = AuditChangeSerializer(many=True)
    no_earlier_record = serializers.BooleanField()


FILTERS = [
    OpenApiParameter("q", str, description="A word of the object's label."),
    OpenApiParameter("user", int, description="The id of the person who made the change."),
    OpenApiParameter("type", str, enum=[key for key, _ in type_choices()], description="The object type."),
    OpenApiParameter("action", str, enum=[key for key, _ in ACTION_CHOICES]),
    OpenApiParameter(
        "team", int, description="A team's id (its slug is still accepted): changes of that team's objects."
    ),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day (inclusive)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Up to this day (inclusive)."),
]


@extend_validation_errors(["invalid", "invalid_choice"], field_name="user", methods=["get"])
@extend_validation_errors(["invalid", "invalid_choice"], field_name="type", methods=["get"])
@extend_validation_errors(["invalid", "invalid_choice"], field_name="action", methods=["get"])
# The form's errors are sent as messages, which DRF codes "invalid".
@extend_validation_errors(["invalid", "invalid_choice"], field_name="team", methods=["get"])
@extend_validation_errors(["invalid"], field_name="date_from", methods=["get"])
@extend_validation_errors(["invalid"], field_name="date_to", methods=["get"])
class AuditViewSet(viewsets.GenericViewSet[Any]):
    """Every change the caller may audit, newest first (reading it is recorded)."""

    permission_classes = [HasRole]
    allowed_roles = permissions.AUDIT_READERS
    serializer_class = AuditEntrySerializer
    filter_backends: list[Any] = []

    @extend_schema(parameters=FILTERS, responses=AuditEntrySerializer(many=True))
    def list(self, request: AuthenticatedRequest) -> Response:
        form = AuditFilterForm(request.query_params or None, reader=request.user)
        if form.is_bound and not form.is_valid():
            raise serializers.ValidationError(
                {
                    field: [error["message"] for error in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        filters = selectors.AuditFilters.from_cleaned(form.cleaned_data if form.is_bound else {})
        feed = selectors.audit_feed(reader=request.user, filters=filters)
        rows = self.paginate_queryset(feed)
        entries = selectors.audit_entries(list(rows or []))
        services.audit_read_record(
            reader=request.user, kind=ReadKind.VIEWED, via="api", filters=form.applied()
        )
        return self.get_paginated_response(AuditEntrySerializer(entries, many=True).data)
