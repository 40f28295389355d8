"""API of the initiatives app: ``initiatives/``, ``wins/`` and ``learnings/`` under ``/api/v1/`` (time is
``timesheets``).

Thin: serializers parse and present, the services decide, the permission door scopes.
The top-3 rule and the time rules answer 400 with field errors, as on the pages.
"""

from datetime import date
from typing import Any, cast

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from personas.models import Persona
from pmm_portal.core.api import (
    ID_LOOKUP,
    REF_HELP,
    ScopedPrimaryKeyField,
    ScopedRefField,
    UserSummarySerializer,
    for_user,
    service_errors,
)
from pmm_portal.core.dates import add_months, month_start
from pmm_portal.core.http import acting_user
from pmm_portal.core.models import Product, Team
from pmm_portal.core.permissions import HasRole
from pmm_portal.core.selectors import today_for

from . import selectors, services
from .filters import InitiativeFilter, LearningFilter, ReviewFilter, WinFeedFilter, WinFilter
from .models import (
    LEARNINGS_TEXT,
    QUOTE_TEXT,
    FocusSlot,
    Initiative,
    Learning,
    Milestone,
    MonthlyReview,
    Outcome,
    ReviewOutcome,
    ReviewReopening,
    StatusUpdate,
    Win,
)
from .permissions import (
    FEED_READERS,
    READERS,
    WRITERS,
    Action,
    access_initiative,
    access_learning,
    access_review,
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
        read_only_fields = ["completed_at"]
        # A blank title reaches the service, which answers in its own words.
        extra_kwargs = {"title": {"allow_blank": True}}


class MilestoneDoneSerializer(serializers.Serializer[Any]):
    done = serializers.BooleanField(default=True, help_text="true: done now; false: open again.")


class StatusUpdateSerializer(serializers.ModelSerializer[StatusUpdate]):
    """A check-in on an initiative: the status reported (the initiative takes it) and what changed."""

    author = UserSummarySerializer(read_only=True)

    class Meta:
        model = StatusUpdate
        fields = ["id", "status", "message", "author", "created_at"]
        read_only_fields = ["created_at"]
        # A blank message reaches the service, which answers in its own words.
        extra_kwargs = {"message": {"allow_blank": True}}


class InitiativeSerializer(serializers.ModelSerializer[Initiative]):
    owner = UserSummarySerializer(read_only=True)
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
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
    action_roles = {
        "create": WRITERS,
        "focus": WRITERS,
        "unfocus": WRITERS,
        "status_update_post": WRITERS,
        "milestone_add": WRITERS,
        "milestone_done": WRITERS,
    }
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

    @extend_schema(
        summary="The initiative's status updates, newest first",
        responses={200: StatusUpdateSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="status-updates", filter_backends=[])
    def status_updates(self, request: ApiRequest, pk: str) -> Response:
        initiative = access_initiative(user=acting_user(request), id=pk)
        rows = initiative.status_updates.select_related("author").order_by("-created_at", "-id")
        page = cast(list[StatusUpdate], self.paginate_queryset(rows))  # type: ignore[arg-type]  # another model
        return self.get_paginated_response(StatusUpdateSerializer(page, many=True).data)

    @extend_schema(
        summary="Post a status update (its owner): the initiative takes the status reported",
        request=StatusUpdateSerializer,
        responses={201: StatusUpdateSerializer},
    )
    @status_updates.mapping.post
    def status_update_post(self, request: ApiRequest, pk: str) -> Response:
        user = acting_user(request)
        initiative = access_initiative(user=user, id=pk, action="change")
        serializer = StatusUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            update = services.status_update_post(
                user=user, initiative=initiative, **serializer.validated_data
            )
        return Response(StatusUpdateSerializer(update).data, status=201)

    @extend_schema(
        summary="Add a milestone (its owner)",
        request=MilestoneSerializer,
        responses={201: MilestoneSerializer},
    )
    @action(detail=True, methods=["post"], url_path="milestones")
    def milestone_add(self, request: ApiRequest, pk: str) -> Response:
        user = acting_user(request)
        initiative = access_initiative(user=user, id=pk, action="change")
        serializer = MilestoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            milestone = services.milestone_add(user=user, initiative=initiative, **serializer.validated_data)
        return Response(MilestoneSerializer(milestone).data, status=201)

    @extend_schema(
        summary="Tick a milestone off (done: true) or open it again (done: false); safe to repeat",
        request=MilestoneDoneSerializer,
        responses={200: MilestoneSerializer},
    )
    @action(detail=True, methods=["post"], url_path=rf"milestones/(?P<milestone_id>{ID_LOOKUP})/done")
    def milestone_done(self, request: ApiRequest, pk: str, milestone_id: str) -> Response:
        user = acting_user(request)
        initiative = access_initiative(user=user, id=pk, action="change")
        milestone = Milestone.objects.filter(initiative=initiative, pk=milestone_id).first()
        if milestone is None:
            raise NotFound("No such milestone on this initiative.")
        milestone.initiative = initiative
        serializer = MilestoneDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.milestone_set_done(
                user=user, milestone=milestone, done=serializer.validated_data["done"]
            )
        return Response(MilestoneSerializer(milestone).data)


# --- Wins ----------------------------------------------------------------------------------------------


class WinSerializer(serializers.ModelSerializer[Win]):
    owner = UserSummarySerializer(read_only=True)
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
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

    shared_with: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the teams the win is promoted to."
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
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
    shared_with: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the teams the win is promoted to."
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
    teams = ScopedRefField(
        many=True,
        required=False,
        queryset=Team.objects.none(),
        scope=for_user(teams_shareable_by),
        help_text=f"The teams to share the win with. {REF_HELP}",
    )
    sales = serializers.BooleanField(
        required=False, default=False, help_text="Share it with every sales rep."
    )
    headline = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    quote = serializers.CharField(required=False, allow_blank=True, max_length=QUOTE_TEXT, default="")


class WinMailsSerializer(serializers.Serializer[Any]):
    wanted = serializers.BooleanField(help_text="Whether you get promoted wins by email.")


class SendSerializer(serializers.Serializer[Any]):
    recipients = serializers.IntegerField(help_text="How many people the mail goes to (0: everyone has it).")


FEED_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words of the title, impact, headline or quote."),
    OpenApiParameter("team", OpenApiTypes.INT, description=f"The team the win is from. {REF_HELP}"),
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

    @extend_schema(summary="Whether you get promoted wins by email", responses={200: WinMailsSerializer})
    @action(detail=False, methods=["get"], url_path="mails", filter_backends=[], pagination_class=None)
    def mails(self, request: ApiRequest) -> Response:
        return Response({"wanted": services.wants_win_mails(acting_user(request))})

    @extend_schema(
        summary="Turn promoted wins by email on or off (the wins feed's switch)",
        request=WinMailsSerializer,
        responses={200: WinMailsSerializer},
    )
    @mails.mapping.post
    def mails_set(self, request: ApiRequest) -> Response:
        serializer = WinMailsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = services.win_mails_set(user=acting_user(request), wanted=serializer.validated_data["wanted"])
        return Response({"wanted": wanted})

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
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
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


# --- Monthly reviews ---------------------------------------------------------------------------------


class MonthlyReviewOutcomeSerializer(serializers.ModelSerializer[ReviewOutcome]):
    initiative_title = serializers.CharField(source="initiative.title", read_only=True)
    # A plain string in the schema: win/loss reviews also have an "outcome" enum.
    outcome = serializers.CharField(help_text=f"One of: {', '.join(Outcome.values)}.")

    class Meta:
        model = ReviewOutcome
        fields = ["initiative", "initiative_title", "outcome", "note"]


class ReviewReopeningSerializer(serializers.ModelSerializer[ReviewReopening]):
    reopened_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = ReviewReopening
        fields = ["reason", "reopened_by", "reopened_at", "previously_submitted_at"]


class MonthlyReviewSerializer(serializers.ModelSerializer[MonthlyReview]):
    owner = UserSummarySerializer(read_only=True)
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
    outcomes = MonthlyReviewOutcomeSerializer(
        many=True, read_only=True, help_text="One per top-3 initiative."
    )
    reopenings = ReviewReopeningSerializer(many=True, read_only=True, help_text="Newest first.")
    is_locked = serializers.BooleanField(read_only=True, help_text="Submitted: reopen it to change it.")

    class Meta:
        model = MonthlyReview
        fields = [
            "id",
            "month",
            "owner",
            "team",
            "learnings",
            "outcomes",
            "submitted_at",
            "is_locked",
            "reopenings",
            "created_at",
        ]
        read_only_fields = fields


class ReviewStartSerializer(serializers.Serializer[Any]):
    month = serializers.DateField(
        required=False,
        help_text="Any day of the month to review (default: last month); a month can be reviewed once it "
        "is over.",
    )


class OutcomeLineSerializer(serializers.Serializer[Any]):
    initiative = serializers.IntegerField(help_text="Id of one of the month's top-3 initiatives.")
    outcome = serializers.CharField(help_text=f"One of: {', '.join(Outcome.values)}.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReviewDraftSerializer(serializers.Serializer[Any]):
    """The review's outcomes and learnings; an initiative left out keeps its outcome."""

    outcomes = OutcomeLineSerializer(many=True, required=False, default=list)
    learnings = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=LEARNINGS_TEXT,
        help_text="What you tried and what it taught you.",
    )


class ReviewSubmitSerializer(ReviewDraftSerializer):
    next_top = serializers.ListField(
        child=serializers.IntegerField(),
        max_length=3,
        help_text="Ids of your initiatives for next month's top 3, in rank order (empty: none). Done and "
        "dropped ones cannot be picked.",
    )


class ReopenSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300, help_text="Why: kept with the review.")


REVIEW_ERRORS = {
    400: OpenApiResponse(description="Invalid input, or a rule of the review (field errors)."),
    403: OpenApiResponse(description="Only its owner changes a review."),
    404: OpenApiResponse(description="No such review (or not your team's)."),
}


# The review's rules that name no field of the body: it is locked, or still open.
@extend_validation_errors(
    ["invalid"], field_name="non_field_errors", actions=["partial_update", "submit", "reopen"]
)
@extend_schema_view(
    list=extend_schema(summary="Your teams' monthly reviews, newest month first"),
    retrieve=extend_schema(summary="A monthly review: outcomes, learnings, reopenings"),
    partial_update=extend_schema(
        summary="Save the review as a draft: outcomes and learnings (its owner)",
        request=ReviewDraftSerializer,
        responses={200: MonthlyReviewSerializer, **REVIEW_ERRORS},
    ),
)
class ReviewViewSet(viewsets.GenericViewSet[MonthlyReview]):
    """Monthly reviews (``/initiatives/reviews/`` on the pages): a PMM closes last month.

    ``POST /reviews/`` starts (or finds) the review of a month that is over, with an outcome line
    per top-3 initiative; ``PATCH`` saves a draft; ``POST /reviews/{id}/submit/`` locks it and sets
    next month's top 3; ``POST /reviews/{id}/reopen/`` unlocks it, with a reason that is kept.
    The team and its leader read them; sales and other teams see nothing.
    """

    lookup_value_regex = ID_LOOKUP
    serializer_class = MonthlyReviewSerializer
    permission_classes = [HasRole]
    allowed_roles = READERS
    # Checked before the body is read: a reader who may not write gets 403, whatever they send.
    action_roles = {"create": WRITERS, "partial_update": WRITERS, "submit": WRITERS, "reopen": WRITERS}
    # The page's filters (``q`` searches the owner's name); no ``search`` of DRF's.
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = ReviewFilter
    ordering_fields = ["month"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[MonthlyReview]:
        if getattr(self, "swagger_fake_view", False):
            return MonthlyReview.objects.none()
        return selectors.reviews_for(user=acting_user(self.request)).prefetch_related(
            Prefetch("outcomes", queryset=ReviewOutcome.objects.select_related("initiative").order_by("id")),
            Prefetch("reopenings", queryset=ReviewReopening.objects.select_related("reopened_by")),
        )

    def _review(self, action: Action) -> MonthlyReview:
        return access_review(user=acting_user(self.request), id=self.kwargs["pk"], action=action)

    def _fresh(self, review: MonthlyReview) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)

    def list(self, request: ApiRequest) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: ApiRequest, pk: str) -> Response:
        return self._fresh(self._review("view"))

    @extend_schema(
        summary="Start the review of a month that is over (PMM); the one already started is returned",
        request=ReviewStartSerializer,
        responses={200: MonthlyReviewSerializer},
    )
    def create(self, request: ApiRequest) -> Response:
        user = acting_user(request)
        serializer = ReviewStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        today = today_for(user)
        month = serializer.validated_data.get("month") or add_months(month_start(today), -1)
        with service_errors():
            review = services.review_start(user=user, month=month, today=today)
        return self._fresh(review)

    def _save(self, review: MonthlyReview, body: type[ReviewDraftSerializer], submit: bool) -> MonthlyReview:
        user = acting_user(self.request)
        serializer = body(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcomes = [
            services.OutcomeInput(
                initiative_id=line["initiative"], outcome=line["outcome"], note=line["note"].strip()
            )
            for line in data["outcomes"]
        ]
        with service_errors():
            next_top = (
                services.review_next_top(user=user, review=review, ids=data["next_top"]) if submit else None
            )
            return services.review_save(
                user=user,
                review=review,
                outcomes=outcomes,
                learnings=data["learnings"].strip() if "learnings" in data else review.learnings,
                next_top=next_top,
                submit=submit,
            )

    def partial_update(self, request: ApiRequest, pk: str) -> Response:
        return self._fresh(self._save(self._review("change"), ReviewDraftSerializer, submit=False))

    @extend_schema(
        summary="Submit the review: lock it, apply the outcomes, set next month's top 3 (its owner)",
        request=ReviewSubmitSerializer,
        responses={200: MonthlyReviewSerializer, **REVIEW_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: ApiRequest, pk: str) -> Response:
        return self._fresh(self._save(self._review("change"), ReviewSubmitSerializer, submit=True))

    @extend_schema(
        summary="Reopen a submitted review, saying why (its owner); the reopening is recorded",
        request=ReopenSerializer,
        responses={200: MonthlyReviewSerializer, **REVIEW_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: ApiRequest, pk: str) -> Response:
        review = self._review("change")
        serializer = ReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.review_reopen(
                user=acting_user(request), review=review, reason=serializer.validated_data["reason"]
            )
        return self._fresh(review)
