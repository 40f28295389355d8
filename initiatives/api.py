"""API of the initiatives app: ``initiatives/`` and ``wins/`` under ``/api/v1/`` (time is ``timesheets``).

Thin: serializers parse and present, the services decide, the permission door scopes.
The top-3 rule and the time rules answer 400 with field errors, as on the pages.
"""

from datetime import date
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from personas.models import Persona
from pmm_portal.core.api import (
    ID_LOOKUP,
    ScopedPrimaryKeyField,
    UserSummarySerializer,
    for_user,
    service_errors,
)
from pmm_portal.core.dates import month_start
from pmm_portal.core.http import acting_user
from pmm_portal.core.models import Product, Team
from pmm_portal.core.permissions import HasRole
from pmm_portal.core.selectors import today_for

from . import services
from .filters import InitiativeFilter, WinFilter
from .models import FocusSlot, Initiative, Milestone, Win
from .permissions import (
    READERS,
    WRITERS,
    Action,
    access_initiative,
    access_win,
    initiatives_linkable_by,
    personas_linkable_by,
    products_linkable_by,
    requests_linkable_by,
    visible_to,
    wins_visible_to,
)

# --- Initiatives -------------------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_date", "completed_at"]


class InitiativeSerializer(serializers.ModelSerializer[Initiative]):
    owner = UserSummarySerializer(read_only=True)
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # Choices come from the permission module, as on the page; the service checks them again.
    products = ScopedPrimaryKeyField(
        many=True, required=False, queryset=Product.objects.none(), scope=for_user(products_linkable_by)
    )
    personas = ScopedPrimaryKeyField(
        many=True, required=False, queryset=Persona.objects.none(), scope=for_user(personas_linkable_by)
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


class FocusSerializer(serializers.Serializer[Any]):
    month = serializers.DateField(
        required=False, help_text="Any day of the month (default: this month); the first day is used."
    )


# The top-3 rules name the initiative itself (a closed one, a fourth): not a field of the body.
@extend_validation_errors(["invalid"], field_name="initiative", actions=["focus", "unfocus"])
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

    lookup_value_regex = ID_LOOKUP
    serializer_class = InitiativeSerializer
    permission_classes = [HasRole]
    allowed_roles = READERS
    # Checked before the body is read: a reader who may not create gets 403, whatever they send.
    action_roles = {"create": WRITERS, "focus": WRITERS, "unfocus": WRITERS}
    filterset_class = InitiativeFilter
    search_fields = ["title", "goal", "expected_impact"]
    ordering_fields = ["target_date", "start_date", "title", "updated_at", "status"]
    ordering = ["target_date", "title"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Initiative]:
        if getattr(self, "swagger_fake_view", False):
            return Initiative.objects.none()
        user = acting_user(self.request)
        rank = FocusSlot.objects.filter(initiative=OuterRef("pk"), month=month_start(today_for(user))).values(
            "rank"
        )[:1]
        return (
            visible_to(user)
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
        access_initiative(user=acting_user(self.request), id=self.kwargs["pk"], action=action)
        return super().get_object()

    def perform_create(self, serializer: serializers.BaseSerializer[Initiative]) -> None:
        data = dict(serializer.validated_data)
        with service_errors():
            serializer.instance = services.initiative_create(user=acting_user(self.request), **data)

    def perform_update(self, serializer: serializers.BaseSerializer[Initiative]) -> None:
        data = dict(serializer.validated_data)
        products = data.pop("products", None)
        personas = data.pop("personas", None)
        with service_errors():
            services.initiative_update(
                user=acting_user(self.request),
                initiative=serializer.instance,  # type: ignore[arg-type]
                products=products,
                personas=personas,
                **data,
            )

    def perform_destroy(self, instance: Initiative) -> None:
        with service_errors():
            services.initiative_delete(user=acting_user(self.request), initiative=instance)

    def _focus_month(self, request: ApiRequest) -> date:
        serializer = FocusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return month_start(serializer.validated_data.get("month") or today_for(acting_user(request)))

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
        initiative = access_initiative(user=acting_user(request), id=pk, action="change")
        month = self._focus_month(request)
        with service_errors():
            services.focus_add(user=acting_user(request), initiative=initiative, month=month)
        return Response(self.get_serializer(self.get_queryset().get(pk=initiative.pk)).data)

    @extend_schema(request=FocusSerializer, responses={200: InitiativeSerializer})
    @action(detail=True, methods=["post"])
    def unfocus(self, request: ApiRequest, pk: str) -> Response:
        """Move the initiative back to the backlog for the month."""
        initiative = access_initiative(user=acting_user(request), id=pk, action="change")
        month = self._focus_month(request)
        with service_errors():
            services.focus_remove(user=acting_user(request), initiative=initiative, month=month)
        return Response(self.get_serializer(self.get_queryset().get(pk=initiative.pk)).data)


# --- Wins ----------------------------------------------------------------------------------------------


class WinSerializer(serializers.ModelSerializer[Win]):
    owner = UserSummarySerializer(read_only=True)
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # Choices come from the permission module, as on the page; the service checks them again.
    initiative = ScopedPrimaryKeyField(
        queryset=Initiative.objects.none(),
        scope=for_user(initiatives_linkable_by),
        required=False,
        allow_null=True,
    )
    request = ScopedPrimaryKeyField(
        queryset=Win.request.field.related_model._default_manager.none(),
        scope=for_user(requests_linkable_by),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Win
        fields = ["id", "title", "impact", "date", "owner", "team", "initiative", "request", "created_at"]
        read_only_fields = ["created_at"]


class WinViewSet(viewsets.ModelViewSet[Win]):
    """Wins of your teams: PMMs record their own; the team and the CMO read them."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = WinSerializer
    permission_classes = [HasRole]
    allowed_roles = READERS
    # Checked before the body is read: a reader who may not create gets 403, whatever they send.
    action_roles = {"create": WRITERS}
    filterset_class = WinFilter
    search_fields = ["title", "impact"]
    ordering_fields = ["date", "title", "created_at"]
    ordering = ["-date", "-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Win]:
        if getattr(self, "swagger_fake_view", False):
            return Win.objects.none()
        return wins_visible_to(acting_user(self.request)).select_related("owner", "team")

    def get_object(self) -> Win:
        action: Action = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        return access_win(user=acting_user(self.request), id=self.kwargs["pk"], action=action)

    def perform_create(self, serializer: serializers.BaseSerializer[Win]) -> None:
        with service_errors():
            serializer.instance = services.win_create(
                user=acting_user(self.request), **serializer.validated_data
            )

    def perform_update(self, serializer: serializers.BaseSerializer[Win]) -> None:
        with service_errors():
            services.win_update(
                user=acting_user(self.request),
                win=serializer.instance,  # type: ignore[arg-type]
                **serializer.validated_data,
            )

    def perform_destroy(self, instance: Win) -> None:
        services.win_delete(user=acting_user(self.request), win=instance)
