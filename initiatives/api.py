"""API of the initiatives app: ``initiatives/``, ``wins/`` and ``learnings/`` under ``/api/v1/`` (time is
``timesheets``).

Thin: serializers parse and present, the services decide, the permission door scopes.
The top-3 rule and the time rules answer 400 with field errors, as on the pages.
"""

from datetime import date
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from personas.models import Persona
from pmm_portal.core.api import (
    ID_LOOKUP,
    ScopedPrimaryKeyField,
    ScopedSlugField,
    UserSummarySerializer,
    for_user,
    service_errors,
)
from pmm_portal.core.dates import month_start
from pmm_portal.core.http import acting_user
from pmm_portal.core.models import Product, Team
from pmm_portal.core.permissions import HasRole
from pmm_portal.core.selectors import today_for

from . import selectors, services
from .filters import InitiativeFilter, LearningFilter, WinFeedFilter, WinFilter
from .models import QUOTE_TEXT, FocusSlot, Initiative, Learning, Milestone, Win
from .permissions import (
    FEED_READERS,
    READERS,
    WRITERS,
    Action,
    access_initiative,
    access_learning,
    access_win,
    initiatives_linkable_by,
    learnings_visible_to,
    personas_linkable_by,
    products_linkable_by,
    requests_linkable_by,
    teams_shareable_by,
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

    shared_with: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Teams the win is promoted to."
    )
    promoted_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Win
        fields = [
            "id",
            "title",
            "impact",
            "date",
            "owner",
            "team",
            "initiative",
            "request",
            "created_at",
            "promoted_at",
            "promoted_by",
            "shared_with",
            "shared_with_sales",
            "headline",
            "quote",
        ]
        read_only_fields = [
            "created_at",
            "promoted_at",
            "shared_with_sales",
            "headline",
            "quote",
        ]


class FeedWinSerializer(serializers.ModelSerializer[Win]):
    """A promoted win as the feed shows it: what sales may read, never its internal links."""

    owner = UserSummarySerializer(read_only=True)
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    shared_with: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = Win
        fields = [
            "id",
            "title",
            "impact",
            "date",
            "owner",
            "team",
            "headline",
            "quote",
            "promoted_at",
            "shared_with",
            "shared_with_sales",
        ]
        read_only_fields = fields


class PromoteSerializer(serializers.Serializer[Any]):
    teams = ScopedSlugField(
        slug_field="slug",
        many=True,
        required=False,
        queryset=Team.objects.none(),
        scope=for_user(teams_shareable_by),
        help_text="Slugs of the teams to share the win with.",
    )
    sales = serializers.BooleanField(
        required=False, default=False, help_text="Share it with every sales rep."
    )
    headline = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    quote = serializers.CharField(required=False, allow_blank=True, max_length=QUOTE_TEXT, default="")


class SendSerializer(serializers.Serializer[Any]):
    recipients = serializers.IntegerField(help_text="How many people the mail goes to (0: everyone has it).")


FEED_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words of the title, impact, headline or quote."),
    OpenApiParameter("team", OpenApiTypes.STR, description="Slug of the team the win is from."),
    OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM: promoted in that month."),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["-promoted", "promoted", "-date", "title"]),
    OpenApiParameter("page", OpenApiTypes.INT),
]


# The promotion rules name the win itself (not promoted yet): not a field of the body.
@extend_validation_errors(["invalid"], field_name="non_field_errors", actions=["unpromote", "send"])
# The feed's filters answer 400 naming the filter when a value is not one of its choices.
@extend_validation_errors(["invalid", "invalid_choice"], field_name="sort", actions=["feed"])
@extend_validation_errors(["invalid", "invalid_choice"], field_name="team", actions=["feed"])
@extend_validation_errors(["invalid", "invalid_choice"], field_name="month", actions=["feed"])
@extend_validation_errors(["invalid", "max_length"], field_name="q", actions=["feed"])
class WinViewSet(viewsets.ModelViewSet[Win]):
    """Wins of your teams: PMMs record their own; the team and the CMO read them.

    ``POST /wins/{id}/promote/`` shares a win with sales and chosen teams, ``unpromote/``
    withdraws it, ``send/`` mails it to them (each person once per promotion).
    ``GET /wins/feed/`` lists the promoted wins you may read: sales included.
    """

    lookup_value_regex = ID_LOOKUP
    serializer_class = WinSerializer
    permission_classes = [HasRole]
    allowed_roles = FEED_READERS
    # Checked before the body is read: a reader who may not create gets 403, whatever they send.
    # Sales read the feed only.
    action_roles = {
        "list": READERS,
        "retrieve": READERS,
        "create": WRITERS,
        "partial_update": READERS,
        "update": READERS,
        "destroy": READERS,
        "promote": WRITERS,
        "unpromote": WRITERS,
        "send": WRITERS,
        "metadata": READERS,
    }
    filterset_class = WinFilter
    search_fields = ["title", "impact"]
    ordering_fields = ["date", "title", "created_at"]
    ordering = ["-date", "-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Win]:
        if getattr(self, "swagger_fake_view", False):
            return Win.objects.none()
        return (
            wins_visible_to(acting_user(self.request))
            .select_related("owner", "team", "promoted_by")
            .prefetch_related("shared_with")
        )

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

    def _fresh(self, win: Win) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=win.pk)).data)

    @extend_schema(request=PromoteSerializer, responses={200: WinSerializer})
    @action(detail=True, methods=["post"])
    def promote(self, request: ApiRequest, pk: str) -> Response:
        """Share the win with sales and chosen teams (its owner): it appears in their wins feed."""
        user = acting_user(request)
        win = access_win(user=user, id=pk, action="change")
        serializer = PromoteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            services.win_promote(
                user=user,
                win=win,
                teams=data.get("teams", []),
                sales=data["sales"],
                headline=data["headline"],
                quote=data["quote"],
            )
        return self._fresh(win)

    @extend_schema(request=None, responses={200: WinSerializer})
    @action(detail=True, methods=["post"])
    def unpromote(self, request: ApiRequest, pk: str) -> Response:
        """Withdraw the win from the feeds; its promotion still counts in the month it was made."""
        user = acting_user(request)
        win = access_win(user=user, id=pk, action="change")
        with service_errors():
            services.win_unpromote(user=user, win=win)
        return self._fresh(win)

    @extend_schema(request=None, responses={202: SendSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request: ApiRequest, pk: str) -> Response:
        """Mail the promoted win to the people it is shared with, in the background; once per person."""
        user = acting_user(request)
        win = access_win(user=user, id=pk, action="change")
        with service_errors():
            count = services.win_promotion_send(user=user, win=win)
        return Response({"recipients": count}, status=202)

    @extend_schema(
        summary="Promoted wins shared with you (the wins feed)",
        parameters=FEED_PARAMETERS,
        responses={200: FeedWinSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def feed(self, request: ApiRequest) -> Response:
        """The wins feed: promoted wins of your teams, shared with a team of yours, or with sales."""
        filterset = WinFeedFilter(
            request.query_params, queryset=selectors.wins_feed(user=acting_user(request)), request=request
        )
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(FeedWinSerializer(page, many=True).data)


# --- Learnings -------------------------------------------------------------------------------------------


class LearningSerializer(serializers.ModelSerializer[Learning]):
    owner = UserSummarySerializer(read_only=True)
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # Choices come from the permission module, as on the page; the service checks them again.
    initiative = ScopedPrimaryKeyField(
        queryset=Initiative.objects.none(),
        scope=for_user(initiatives_linkable_by),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Learning
        fields = [
            "id",
            "title",
            "date",
            "owner",
            "team",
            "initiative",
            "hypothesis",
            "tried",
            "measure",
            "result",
            "result_notes",
            "lesson",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


@extend_schema_view(
    list=extend_schema(summary="Your teams' learning log"),
    create=extend_schema(summary="Log a learning (PMM)"),
)
class LearningViewSet(viewsets.ModelViewSet[Learning]):
    """The learning log of your teams ("execute and learn"): PMMs write their own; the team and its
    leader read; sales and other teams see nothing."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = LearningSerializer
    permission_classes = [HasRole]
    allowed_roles = READERS
    # Checked before the body is read: a reader who may not create gets 403, whatever they send.
    action_roles = {"create": WRITERS}
    filterset_class = LearningFilter
    search_fields = ["title", "hypothesis", "tried", "lesson"]
    ordering_fields = ["date", "title", "updated_at"]
    ordering = ["-date", "-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Learning]:
        if getattr(self, "swagger_fake_view", False):
            return Learning.objects.none()
        return learnings_visible_to(acting_user(self.request)).select_related("owner", "team", "initiative")

    def get_object(self) -> Learning:
        action: Action = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        return access_learning(user=acting_user(self.request), id=self.kwargs["pk"], action=action)

    def perform_create(self, serializer: serializers.BaseSerializer[Learning]) -> None:
        with service_errors():
            serializer.instance = services.learning_create(
                user=acting_user(self.request), **serializer.validated_data
            )

    def perform_update(self, serializer: serializers.BaseSerializer[Learning]) -> None:
        with service_errors():
            services.learning_update(
                user=acting_user(self.request),
                learning=serializer.instance,  # type: ignore[arg-type]
                **serializer.validated_data,
            )

    def perform_destroy(self, instance: Learning) -> None:
        services.learning_delete(user=acting_user(self.request), learning=instance)
