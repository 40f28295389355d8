"""API of the initiatives app: ``initiatives/``, ``time-entries/`` and ``wins/`` under ``/api/v1/``.

Thin: serializers parse and present, the services decide, the permission door scopes.
The top-3 rule and the time rules answer 400 with field errors, as on the pages.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from personas.models import Persona
from pmm_portal.core.api import UserSummarySerializer
from pmm_portal.core.dates import month_start
from pmm_portal.core.models import Product, Team, User
from pmm_portal.core.permissions import HasRole
from requests_queue.models import Request

from . import services
from .models import FocusSlot, Initiative, Milestone, TimeEntry, Win
from .permissions import (
    READERS,
    WRITERS,
    Action,
    access_initiative,
    access_time_entry,
    access_win,
    today_for,
    visible_initiatives,
    visible_time_entries,
    visible_wins,
)


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a service's ValidationError into the API's 400 with field errors."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise serializers.ValidationError(exc.message_dict) from None
        raise serializers.ValidationError({"non_field_errors": exc.messages}) from None


def _user(request: ApiRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- Initiatives -------------------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_date", "completed_at"]


class InitiativeSerializer(serializers.ModelSerializer[Initiative]):
    owner = UserSummarySerializer(read_only=True)
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    products: serializers.PrimaryKeyRelatedField[Product] = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Product.objects.all()
    )
    personas: serializers.PrimaryKeyRelatedField[Persona] = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Persona.objects.all()
    )
    milestones = MilestoneSerializer(many=True, read_only=True)
    current_rank = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Rank 1–3 in the owner's top 3 this month; null in the backlog.",
    )

    class Meta:
        model = Initiative
        fields = [
            "id",
            "title",
            "goal",
            "expected_impact",
            "owner",
            "team",
            "products",
            "personas",
            "start_date",
            "target_date",
            "status",
            "planned_hours_per_week",
            "current_rank",
            "milestones",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            team_products = Product.objects.filter(team__members=request.user)
            team_personas = Persona.objects.filter(team__members=request.user)
            self.fields["products"].child_relation.queryset = team_products  # type: ignore[attr-defined]
            self.fields["personas"].child_relation.queryset = team_personas  # type: ignore[attr-defined]


class FocusSerializer(serializers.Serializer[Any]):
    month = serializers.DateField(
        required=False, help_text="Any day of the month (default: this month); the first day is used."
    )


class InitiativeFilter(django_filters.FilterSet):
    owner = django_filters.NumberFilter(field_name="owner_id")
    team = django_filters.CharFilter(field_name="team__slug")
    target_before = django_filters.DateFilter(field_name="target_date", lookup_expr="lte")
    target_after = django_filters.DateFilter(field_name="target_date", lookup_expr="gte")

    class Meta:
        model = Initiative
        fields = ["status", "owner", "team"]


@extend_schema_view(
    list=extend_schema(summary="Initiatives of your teams"),
    create=extend_schema(summary="Create an initiative (PMM; it lands in your backlog)"),
)
class InitiativeViewSet(viewsets.ModelViewSet[Initiative]):
    """Initiatives of the teams you belong to or lead. A PMM changes their own; others read.

    ``POST /initiatives/{id}/focus/`` adds one to the owner's top 3 for a month (a
    fourth is refused with 400); ``POST /initiatives/{id}/unfocus/`` moves it back
    to the backlog.
    """

    serializer_class = InitiativeSerializer
    permission_classes = [HasRole]
    allowed_roles = READERS
    filterset_class = InitiativeFilter
    search_fields = ["title", "goal", "expected_impact"]
    ordering_fields = ["target_date", "start_date", "title", "updated_at", "status"]
    ordering = ["target_date", "title"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Initiative]:
        if getattr(self, "swagger_fake_view", False):
            return Initiative.objects.none()
        user = _user(self.request)
        rank = FocusSlot.objects.filter(initiative=OuterRef("pk"), month=month_start(today_for(user))).values(
            "rank"
        )[:1]
        return (
            visible_initiatives(user)
            .select_related("owner", "team")
            .prefetch_related(
                "products",
                "personas",
                Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "id")),
            )
            .annotate(current_rank=Subquery(rank))
        )

    def get_object(self) -> Initiative:
        action: Action = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        access_initiative(user=_user(self.request), id=self.kwargs["pk"], action=action)
        return super().get_object()

    def perform_create(self, serializer: serializers.BaseSerializer[Initiative]) -> None:
        data = dict(serializer.validated_data)
        with service_errors():
            serializer.instance = services.initiative_create(user=_user(self.request), **data)

    def perform_update(self, serializer: serializers.BaseSerializer[Initiative]) -> None:
        data = dict(serializer.validated_data)
        products = data.pop("products", None)
        personas = data.pop("personas", None)
        with service_errors():
            services.initiative_update(
                user=_user(self.request),
                initiative=serializer.instance,  # type: ignore[arg-type]
                products=products,
                personas=personas,
                **data,
            )

    def perform_destroy(self, instance: Initiative) -> None:
        with service_errors():
            services.initiative_delete(user=_user(self.request), initiative=instance)

    def _focus_month(self, request: ApiRequest) -> date:
        serializer = FocusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return month_start(serializer.validated_data.get("month") or today_for(_user(request)))

    @extend_schema(
        request=FocusSerializer,
        responses={
            200: InitiativeSerializer,
            400: OpenApiResponse(description="A fourth focus initiative, or a closed one."),
        },
    )
    @action(detail=True, methods=["post"])
    def focus(self, request: ApiRequest, pk: str) -> Response:
        """Add the initiative to its owner's top 3 for the month; a fourth is refused."""
        initiative = access_initiative(user=_user(request), id=int(pk), action="change")
        month = self._focus_month(request)
        with service_errors():
            services.focus_add(user=_user(request), initiative=initiative, month=month)
        return Response(self.get_serializer(self.get_queryset().get(pk=initiative.pk)).data)

    @extend_schema(request=FocusSerializer, responses={200: InitiativeSerializer})
    @action(detail=True, methods=["post"])
    def unfocus(self, request: ApiRequest, pk: str) -> Response:
        """Move the initiative back to the backlog for the month."""
        initiative = access_initiative(user=_user(request), id=int(pk), action="change")
        month = self._focus_month(request)
        with service_errors():
            services.focus_remove(user=_user(request), initiative=initiative, month=month)
        return Response(self.get_serializer(self.get_queryset().get(pk=initiative.pk)).data)


# --- Time entries --------------------------------------------------------------------------------------


class TimeEntrySerializer(serializers.ModelSerializer[TimeEntry]):
    initiative: serializers.PrimaryKeyRelatedField[Initiative] = serializers.PrimaryKeyRelatedField(
        queryset=Initiative.objects.all(), required=False, allow_null=True
    )
    request: serializers.PrimaryKeyRelatedField[Request] = serializers.PrimaryKeyRelatedField(
        queryset=Request.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = TimeEntry
        fields = [
            "id",
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
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["initiative"].queryset = Initiative.objects.filter(owner=request.user)  # type: ignore[attr-defined]
            self.fields["request"].queryset = Request.objects.filter(team__members=request.user)  # type: ignore[attr-defined]
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            for name in ("week_start", "category", "initiative", "request"):
                self.fields[name].read_only = True


class TimeEntryFilter(django_filters.FilterSet):
    week_from = django_filters.DateFilter(field_name="week_start", lookup_expr="gte")
    week_to = django_filters.DateFilter(field_name="week_start", lookup_expr="lte")

    class Meta:
        model = TimeEntry
        fields = ["week_start", "category", "initiative", "request"]


@extend_schema_view(
    create=extend_schema(
        summary="Log hours on one line of a week",
        description="Sets the hours of that line (user, week, initiative / request / category), creating or "
        "replacing it. Refused with 400: a week_start that is not a Monday or is in the future, hours "
        "outside 0–80, a week total over 80, an initiative that is not yours.",
    ),
)
class TimeEntryViewSet(viewsets.ModelViewSet[TimeEntry]):
    """Your own time entries (nobody else's). Weeks start on Monday; a week holds at most 80 hours."""

    serializer_class = TimeEntrySerializer
    permission_classes = [HasRole]
    allowed_roles = WRITERS
    filterset_class = TimeEntryFilter
    search_fields = ["note"]
    ordering_fields = ["week_start", "hours", "category"]
    ordering = ["-week_start", "category", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[TimeEntry]:
        if getattr(self, "swagger_fake_view", False):
            return TimeEntry.objects.none()
        return visible_time_entries(_user(self.request))

    def get_object(self) -> TimeEntry:
        return access_time_entry(user=_user(self.request), id=self.kwargs["pk"])

    def create(self, request: ApiRequest, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            entry = services.time_entry_set(
                user=_user(request),
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
        entry: TimeEntry = serializer.instance  # type: ignore[assignment]
        data = serializer.validated_data
        with service_errors():
            services.time_entry_update(
                user=_user(self.request),
                entry=entry,
                hours=data.get("hours", entry.hours),
                note=data.get("note"),
            )

    def perform_destroy(self, instance: TimeEntry) -> None:
        services.time_entry_delete(user=_user(self.request), entry=instance)


# --- Wins ----------------------------------------------------------------------------------------------


class WinSerializer(serializers.ModelSerializer[Win]):
    owner = UserSummarySerializer(read_only=True)
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    initiative: serializers.PrimaryKeyRelatedField[Initiative] = serializers.PrimaryKeyRelatedField(
        queryset=Initiative.objects.all(), required=False, allow_null=True
    )
    request: serializers.PrimaryKeyRelatedField[Request] = serializers.PrimaryKeyRelatedField(
        queryset=Request.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Win
        fields = ["id", "title", "impact", "date", "owner", "team", "initiative", "request", "created_at"]
        read_only_fields = ["created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["initiative"].queryset = Initiative.objects.filter(owner=request.user)  # type: ignore[attr-defined]
            self.fields["request"].queryset = Request.objects.filter(team__members=request.user)  # type: ignore[attr-defined]


class WinFilter(django_filters.FilterSet):
    owner = django_filters.NumberFilter(field_name="owner_id")
    team = django_filters.CharFilter(field_name="team__slug")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Win
        fields = ["owner", "team", "initiative", "request"]


class WinViewSet(viewsets.ModelViewSet[Win]):
    """Wins of your teams: PMMs record their own; the team and the CMO read them."""

    serializer_class = WinSerializer
    permission_classes = [HasRole]
    allowed_roles = READERS
    filterset_class = WinFilter
    search_fields = ["title", "impact"]
    ordering_fields = ["date", "title", "created_at"]
    ordering = ["-date", "-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Win]:
        if getattr(self, "swagger_fake_view", False):
            return Win.objects.none()
        return visible_wins(_user(self.request)).select_related("owner", "team")

    def get_object(self) -> Win:
        action: Action = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        return access_win(user=_user(self.request), id=self.kwargs["pk"], action=action)

    def perform_create(self, serializer: serializers.BaseSerializer[Win]) -> None:
        with service_errors():
            serializer.instance = services.win_create(user=_user(self.request), **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Win]) -> None:
        with service_errors():
            services.win_update(
                user=_user(self.request),
                win=serializer.instance,  # type: ignore[arg-type]
                **serializer.validated_data,
            )

    def perform_destroy(self, instance: Win) -> None:
        services.win_delete(user=_user(self.request), win=instance)
