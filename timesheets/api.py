"""API of timesheets: ``time-entries/`` under ``/api/v1/``: a PMM's own time, the week rules as on the page."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from pmm_portal.core.api import ID_LOOKUP, ScopedPrimaryKeyField, for_user, service_errors
from pmm_portal.core.http import AuthenticatedRequest, acting_user
from pmm_portal.core.models import User
from pmm_portal.core.permissions import HasRole

from . import services
from .models import TimeEntry
from .permissions import (
    READERS,
    WRITERS,
    access_time_entry,
    initiatives_loggable_by,
    requests_loggable_by,
    visible_to,
)


class TimeEntrySerializer(serializers.ModelSerializer[TimeEntry]):
    user: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Whose hours these are."
    )
    # Choices come from the permission module, as on the page; the service checks them again.
    initiative = ScopedPrimaryKeyField(
        queryset=TimeEntry.initiative.field.related_model._default_manager.none(),
        scope=for_user(initiatives_loggable_by),
        required=False,
        allow_null=True,
    )
    request = ScopedPrimaryKeyField(
        queryset=TimeEntry.request.field.related_model._default_manager.none(),
        scope=for_user(requests_loggable_by),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = TimeEntry
        fields = [
            "id",
            "user",
            "week_start",
            "category",
            "initiative",
            "request",
            "hours",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            for name in ("week_start", "category", "initiative", "request"):
                self.fields[name].read_only = True


class TimeEntryChangeSerializer(serializers.ModelSerializer[TimeEntry]):
    """What a change of a logged line may say: its week, category and initiative or request stay."""

    class Meta:
        model = TimeEntry
        fields = ["hours", "note"]


class TimeEntryFilter(django_filters.FilterSet):
    week_from = django_filters.DateFilter(field_name="week_start", lookup_expr="gte")
    week_to = django_filters.DateFilter(field_name="week_start", lookup_expr="lte")

    class Meta:
        model = TimeEntry
        fields = ["user", "week_start", "category", "initiative", "request"]


@extend_schema_view(
    create=extend_schema(
        summary="Log hours on one line of a week",
        description="Sets the hours of that line (user, week, initiative / request / category), creating or "
        "replacing it. Refused with 400: a week_start that is not a Monday or is in the future, hours "
        "outside 0–80, a week total over 80, an initiative that is not yours, a request of another team.",
    ),
    partial_update=extend_schema(
        summary="Change the hours or the note of a line",
        request=TimeEntryChangeSerializer,
        responses={200: TimeEntrySerializer},
    ),
)
class TimeEntryViewSet(viewsets.ModelViewSet[TimeEntry]):
    """Time entries: a PMM writes and reads their own; a CMO reads those of the teams they lead
    (read-only). Weeks start on Monday; a week holds at most 80 hours."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = TimeEntrySerializer
    permission_classes = [HasRole]
    allowed_roles = READERS
    action_roles = dict.fromkeys(("create", "update", "partial_update", "destroy"), WRITERS)
    filterset_class = TimeEntryFilter
    search_fields = ["note"]
    ordering_fields = ["week_start", "hours", "category"]
    ordering = ["-week_start", "category", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[TimeEntry]:
        if getattr(self, "swagger_fake_view", False):
            return TimeEntry.objects.none()
        return visible_to(acting_user(self.request))

    def get_object(self) -> TimeEntry:
        change = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return access_time_entry(user=acting_user(self.request), id=self.kwargs["pk"], change=change)

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            entry = services.time_entry_set(
                user=request.user,
                week_start=data["week_start"],
                category=data["category"],
                hours=data["hours"],
                initiative=data.get("initiative"),
                request=data.get("request"),
                note=data.get("note", ""),
            )
        if entry is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: serializers.BaseSerializer[TimeEntry]) -> None:
        entry = serializer.instance
        assert isinstance(entry, TimeEntry)
        data = serializer.validated_data
        with service_errors():
            services.time_entry_update(
                user=_author(acting_user(self.request), entry),
                entry=entry,
                hours=data.get("hours", entry.hours),
                note=data.get("note"),
            )

    def perform_destroy(self, instance: TimeEntry) -> None:
        services.time_entry_delete(user=_author(acting_user(self.request), instance), entry=instance)


def _author(actor: User, entry: TimeEntry) -> User:
    """Whose week a change is checked against: the author's (an administrator acts as them)."""
    return entry.user if actor.is_portal_admin else actor
