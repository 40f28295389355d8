"""API of the requests queue: ``requests/`` and ``assets/``, with the same rules as the pages.

Sales create requests; every other move is an explicit action
(``POST /requests/{id}/triage/``, ``claim/``, ``deliver/``…) that calls the
same service as the page. Who may act is decided before the body is read:
a role that may never do it gets 403 (``HasRole`` with ``action_roles`` and
``may_create``), a request the caller may not see 404, one they may only read
403, a move the workflow table does not allow from the request's status 400
with the reason. The lists use the pages' FilterSets (``requests_queue.filters``)
and every choice (products, personas, assignees, assets) comes from the same
selectors as the pages' forms.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from personas.models import Persona
from pmm_portal.core.api import (
    ID_LOOKUP,
    OptionalURLField,
    ScopedPrimaryKeyField,
    UserSummarySerializer,
    for_user,
    service_errors,
)
from pmm_portal.core.http import AuthenticatedRequest, request_user
from pmm_portal.core.models import Product, Role, Team, User
from pmm_portal.core.pages import CachedListMixin
from pmm_portal.core.permissions import EVERYONE, PMM_AND_CMO, HasRole
from pmm_portal.core.selectors import product_choices, teams_of

from . import limits, selectors, services, workflow
from .filters import AssetApiFilter, InboxFilter, RequestApiFilter
from .models import (
    Asset,
    AssetKind,
    AssetVersion,
    EventKind,
    FollowVia,
    Notification,
    NotifyChannel,
    NotifyTopic,
    Request,
    RequestFollower,
    RequestStatus,
    RequestType,
    SavedView,
)
from .permissions import (
    access_asset,
    access_request,
    access_request_to_follow,
    access_saved_view,
    asset_editor_team_ids,
    assets_linkable_by,
    assets_visible_to,
    can_create_asset,
    can_see_deal,
    visible_to,
)
from .services.sla import SlaClock, SlaState, with_sla_targets

REQUEST_ROLES = (Role.SALES, Role.PMM, Role.CMO)


def _validation(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


def _triage_decision(
    obj: Request, user: User, data: dict[str, Any]
) -> tuple[services.Decision, dict[str, str]]:
    """The decision of a triage submission, its ids looked up in the choices the page offers.

    Returns it with the problems of ids that name nothing the caller may pick; only the
    fields of the chosen decision are read, as on the page.
    """
    move = data.get("decision") or ""
    used = services.DECISION_FIELDS.get(move, ())
    problems: dict[str, str] = {}
    assignee = asset = original = None
    if "assignee" in used and data.get("assignee") is not None:
        assignee = selectors.assignee_choices(user=user, request=obj).filter(pk=data["assignee"]).first()
        if assignee is None:
            problems["assignee"] = selectors.NOT_AN_ASSIGNEE
    if "asset" in used and data.get("asset") is not None:
        asset = selectors.reuse_choices(user=user, request=obj).filter(pk=data["asset"]).first()
        if asset is None:
            problems["asset"] = selectors.NOT_AN_ASSET
    if "duplicate_of" in used and data.get("duplicate_of") is not None:
        try:
            original = selectors.duplicate_original(user=user, request=obj, id=data["duplicate_of"])
        except DjangoValidationError as error:
            problems.update({field: messages[0] for field, messages in error.message_dict.items()})
    decision = services.Decision(
        move=move,
        assignee=assignee,
        due_date=data.get("due_date"),
        due_date_reason=data.get("due_date_reason") or "",
        asset=asset,
        duplicate_of=original,
        snoozed_until=data.get("snoozed_until"),
        decline_alternative=data.get("decline_alternative") or "",
        question=data.get("question") or "",
        message=data.get("message") or "",
    )
    return decision, problems


# --- Serializers ---------------------------------------------------------------------------------


class AssetSummarySerializer(serializers.ModelSerializer[Asset]):
    class Meta:
        model = Asset
        fields = ["id", "title", "kind", "reuse_count"]


# What a rep who follows a request (and did not ask it) does not see of the requester's deal.
DEAL_FIELDS: dict[str, Any] = {
    "requester": None,
    "details": "",
    "account": "",
    "opportunity_value": None,
    "competitor": "",
    "deal_stage": "",
}


class RequestSerializer(serializers.ModelSerializer[Request]):
    """A request as its requester and its team see it; a rep who follows it sees it without the deal.

    For a follower ("me too", or the requester of a duplicate) ``deal_hidden`` is true and the
    requester, details, account, opportunity value, competitor and deal stage are empty
    (``permissions.can_see_deal``).
    """

    requester = UserSummarySerializer(
        read_only=True, allow_null=True, help_text="Null when you follow a request someone else asked."
    )
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    product: serializers.PrimaryKeyRelatedField[Product] = serializers.PrimaryKeyRelatedField(
        queryset=product_choices(),
        error_messages={
            "does_not_exist": "There is no product with id {pk_value}; list them at /api/v1/products/."
        },
    )
    personas: serializers.PrimaryKeyRelatedField[Persona] = serializers.PrimaryKeyRelatedField(
        queryset=selectors.persona_choices(), many=True, required=False
    )
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
    reused_asset = AssetSummarySerializer(read_only=True, allow_null=True)
    delivery_link = OptionalURLField(read_only=True)
    sla_state = serializers.SerializerMethodField(
        help_text=f"Where an open request stands against its service level: one of {', '.join(SlaState.values)}; "
        "null once closed. The same clock as the queue's badges, counters and `sla` filter."
    )
    sla_label = serializers.SerializerMethodField(
        help_text="The SLA clock in words, e.g. “Due 12 Dec, in 3 business days”; null once closed."
    )
    is_overdue = serializers.SerializerMethodField(help_text="Whether `sla_state` is overdue.")
    deal_hidden = serializers.SerializerMethodField(
        help_text="True when you follow this request (“me too”, or your request was a duplicate of it) rather "
        "than asked it: the requester and their deal (details, account, opportunity value, competitor, deal "
        "stage) are hidden."
    )
    # Plain strings in the schema: other apps also have a "status" enum, and the names would collide.
    status = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(RequestStatus.values)}.")

    class Meta:
        model = Request
        fields = [
            "id",
            "type",
            "title",
            "details",
            "product",
            "team",
            "account",
            "opportunity_value",
            "needed_by",
            "competitor",
            "deal_stage",
            "personas",
            "status",
            "requester",
            "assignee",
            "reusability",
            "educational_value",
            "effort_hours",
            "priority",
            "due_date",
            "due_date_reason",
            "duplicate_of",
            "reused_asset",
            "snoozed_until",
            "decline_alternative",
            "hours_logged",
            "delivery_link",
            "delivery_note",
            "rating",
            "rating_comment",
            "sla_state",
            "sla_label",
            "is_overdue",
            "deal_hidden",
            "created_at",
            "acknowledged_at",
            "delivered_at",
            "closed_at",
        ]
        read_only_fields = [
            f
            for f in fields
            if f
            not in (
                "type",
                "title",
                "details",
                "product",
                "account",
                "opportunity_value",
                "needed_by",
                "competitor",
                "deal_stage",
                "personas",
            )
        ]
        extra_kwargs = {"details": {"required": False, "max_length": limits.DETAILS}}

    def get_deal_hidden(self, obj: Request) -> bool:
        user = request_user(self.context.get("request"))
        return user is not None and not can_see_deal(user, obj)

    def to_representation(self, instance: Request) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if data.get("deal_hidden"):
            data.update(DEAL_FIELDS)
        return data

    def _clock(self, obj: Request) -> SlaClock | None:
        if not hasattr(obj, "sla"):  # a list page has them all already (``paginate_queryset``)
            selectors.attach_sla([obj])
        clock: SlaClock | None = obj.sla  # type: ignore[attr-defined]
        return clock

    def get_sla_state(self, obj: Request) -> str | None:
        clock = self._clock(obj)
        return clock.state if clock else None

    def get_sla_label(self, obj: Request) -> str | None:
        clock = self._clock(obj)
        return clock.label if clock else None

    def get_is_overdue(self, obj: Request) -> bool:
        clock = self._clock(obj)
        return clock is not None and clock.overdue


class TriageSerializer(serializers.Serializer[Any]):
    """The scores and the decision in one step, as the page's triage form: the service checks every value.

    A score left out keeps the request's current one. The fields of decisions other
    than ``decision`` are ignored. Problems come back by field, all at once, with the
    page's messages (``services.triage_problems``).
    """

    reusability = serializers.IntegerField(
        required=False, allow_null=True, help_text="1–5: how many others will use the answer."
    )
    educational_value = serializers.IntegerField(
        required=False, allow_null=True, help_text="1–5: what the PMM learns."
    )
    effort_hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, allow_null=True, help_text="0–400 hours."
    )
    decision = serializers.CharField(
        required=False,
        default=services.SCORE_ONLY,
        help_text="One of: "
        + "; ".join(f"`{value}` ({label})" for value, label in services.DECISION_LABELS.items())
        + ". By default only the scores are saved.",
    )
    assignee = serializers.IntegerField(
        required=False, allow_null=True, help_text="accept: id of a PMM of the request's team."
    )
    due_date = serializers.DateField(required=False, allow_null=True, help_text="accept: the due date.")
    due_date_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.REASON,
        help_text="accept: why, when the due date is after the requester's needed-by date (required then).",
    )
    asset = serializers.IntegerField(
        required=False, allow_null=True, help_text="reuse: id of the team's library asset that answers it."
    )
    duplicate_of = serializers.IntegerField(
        required=False, allow_null=True, help_text="duplicate: id of the original request."
    )
    snoozed_until = serializers.DateField(required=False, allow_null=True, help_text="snooze: a future date.")
    question = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.NOTE,
        help_text="ask_info: what the requester should say.",
    )
    decline_alternative = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.NOTE,
        help_text="decline: what the requester can do instead.",
    )
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.NOTE,
        help_text="A note to the requester.",
    )


class AcceptSerializer(serializers.Serializer[Any]):
    assignee = serializers.IntegerField(help_text="Id of a PMM of the request's team.")
    due_date = serializers.DateField()
    due_date_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.REASON,
        help_text="Why, when the due date is after the requester's needed-by date (required then).",
    )
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.NOTE)


class ReuseSerializer(serializers.Serializer[Any]):
    asset = serializers.IntegerField(help_text="Id of the library asset that answers the request.")
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.NOTE)


class DuplicateSerializer(serializers.Serializer[Any]):
    duplicate_of = serializers.IntegerField(help_text="Id of the original request.")
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.NOTE)


class SnoozeSerializer(serializers.Serializer[Any]):
    until = serializers.DateField()
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.NOTE)


class DeclineSerializer(serializers.Serializer[Any]):
    alternative = serializers.CharField(
        max_length=limits.NOTE, help_text="What the requester can do instead: never a bare no."
    )


class LogTimeSerializer(serializers.Serializer[Any]):
    week_start = serializers.DateField(help_text="Any day of the week; the Monday is used.")
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=Decimal("0.5"), max_value=Decimal(80)
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class DeliverSerializer(serializers.Serializer[Any]):
    link = OptionalURLField(required=False, allow_blank=True, default="", max_length=limits.LINK)
    file = serializers.FileField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.NOTE)
    publish = serializers.BooleanField(
        required=False, default=False, help_text="Publish an asset to the library."
    )
    asset_title = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.TITLE)
    asset_kind = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=f"One of: {', '.join(AssetKind.values)}; by default the kind for the request's type.",
    )
    asset_description = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.DETAILS,
        help_text="What sales read of the published asset; the request's details are never copied.",
    )
    review_by = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Required to publish."
    )


class CommentSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=5000)


class RateSerializer(serializers.Serializer[Any]):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class MeTooSerializer(serializers.Serializer[Any]):
    """Your deal, all optional: it counts in the request's priority. The service checks the values."""

    opportunity_value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="Not negative.",
    )
    needed_by = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today or later, if you need it sooner."
    )
    account = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.ACCOUNT,
        help_text="The customer or prospect.",
    )


class RequestFollowerSerializer(serializers.ModelSerializer[RequestFollower]):
    """A rep who follows a request, with their own deal."""

    # A plain string in the schema, as ``status``: enum names of other apps could collide.
    via = serializers.CharField(
        read_only=True,
        help_text=f"How they came: one of {', '.join(FollowVia.values)} (a duplicate of theirs was merged).",
    )

    class Meta:
        model = RequestFollower
        fields = [
            "id",
            "request",
            "via",
            "duplicate",
            "account",
            "opportunity_value",
            "needed_by",
            "created_at",
        ]
        read_only_fields = fields


class AssetSerializer(serializers.ModelSerializer[Asset]):
    owner = UserSummarySerializer(read_only=True)
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
    products: serializers.PrimaryKeyRelatedField[Product] = serializers.PrimaryKeyRelatedField(
        queryset=product_choices(), many=True, required=False
    )
    personas: serializers.PrimaryKeyRelatedField[Persona] = serializers.PrimaryKeyRelatedField(
        queryset=selectors.persona_choices(), many=True, required=False
    )
    needs_review = serializers.BooleanField(read_only=True)
    link = OptionalURLField(required=False, allow_blank=True, max_length=500)
    # A plain string in the schema (personas also have a "kind" enum); the service checks the value.
    kind = serializers.CharField(
        required=False, default=AssetKind.OTHER, help_text=f"One of: {', '.join(AssetKind.values)}."
    )

    internal_notes = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=limits.DETAILS,
        help_text="The owning team's marketers only: null for everyone else (sales included).",
    )
    replaced_by = AssetSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Asset
        fields = [
            "id",
            "title",
            "kind",
            "description",
            "internal_notes",
            "link",
            "products",
            "personas",
            "owner",
            "team",
            "review_by",
            "needs_review",
            "version",
            "reuse_count",
            "view_count",
            "download_count",
            "retired_at",
            "replaced_by",
            "retirement_reason",
            "source_request",
            "created_at",
        ]
        read_only_fields = [
            "owner",
            "team",
            "version",
            "reuse_count",
            "view_count",
            "download_count",
            "retired_at",
            "retirement_reason",
            "source_request",
            "created_at",
        ]
        extra_kwargs = {"description": {"max_length": limits.DETAILS}}

    def to_representation(self, instance: Asset) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self._sees_internal_notes(instance):
            data["internal_notes"] = None
        return data

    def _sees_internal_notes(self, asset: Asset) -> bool:
        """``permissions.can_see_internal_notes``, its teams asked once per response (a list's rows share
        the context)."""
        context = cast(dict[str, Any], self.context)  # a plain dict, shared by a list's rows
        if "internal_notes_teams" not in context:
            user = request_user(context.get("request"))
            context["internal_notes_teams"] = asset_editor_team_ids(user) if user is not None else set()
        teams: set[int] | None = context["internal_notes_teams"]
        return teams is None or asset.team_id in teams


class AssetUpdateSerializer(AssetSerializer):
    """PATCH: the asset's details. Its file and link change by a new version (on its page)."""

    class Meta(AssetSerializer.Meta):
        read_only_fields = [*AssetSerializer.Meta.read_only_fields, "link"]


# --- Viewsets ------------------------------------------------------------------------------------

ERRORS = {
    400: OpenApiResponse(
        description="The move is not allowed now, or the input is invalid (reason in errors)."
    ),
    403: OpenApiResponse(description="You may read this request but not do this."),
    404: OpenApiResponse(description="No such request (or not visible to you)."),
}


class SuggestionQuerySerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, help_text="What the rep is asking, as typed.")
    product = serializers.IntegerField(
        required=False, min_value=1, help_text="Product chosen: its answers rank higher."
    )
    type = serializers.ChoiceField(
        choices=RequestType.choices, required=False, help_text="Type of help chosen."
    )
    competitor = serializers.CharField(required=False, allow_blank=True, max_length=120)


class SuggestionSerializer(serializers.Serializer[Any]):
    """One suggestion: an asset, a past answer, an open request (say "me too") or the rep's own request."""

    role = serializers.CharField(
        help_text="asset, battlecard (how to beat a competitor), answer (delivered before), open (say “me too”) or own."
    )
    kind = serializers.CharField()
    id = serializers.IntegerField(source="object_id")
    title = serializers.CharField()
    title_highlighted = serializers.CharField(source="title_html", help_text="HTML: matched words in <mark>.")
    snippet_highlighted = serializers.SerializerMethodField(help_text="HTML, assets and battlecards only.")
    url = serializers.CharField()
    score = serializers.FloatField()

    def get_snippet_highlighted(self, hit: Any) -> str:
        return str(hit.snippet_html()) if hit.role in ("asset", "battlecard") else ""


class LikelyDuplicateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="object_id")
    title = serializers.CharField()
    title_highlighted = serializers.CharField(source="title_html")
    status = serializers.CharField(source="obj.status")
    url = serializers.CharField()
    score = serializers.FloatField()


def _action_schema(
    body: type[serializers.Serializer[Any]] | None, summary: str
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    return extend_schema(request=body, responses={200: RequestSerializer, **ERRORS}, summary=summary)


@extend_schema_view(
    list=extend_schema(
        summary="Requests you may see, in priority order",
        description="Sales see their own requests (and those they follow); PMMs their teams'; the CMO the "
        "teams they lead; PMs none. `search` uses full-text ranking on PostgreSQL.",
    ),
    create=extend_schema(summary="Ask product marketing for help (sales)"),
)
class RequestViewSet(
    CachedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Request],
):
    """One-off requests from sales, and every move of their state machine as an explicit action."""

    request: AuthenticatedRequest
    lookup_value_regex = ID_LOOKUP
    serializer_class = RequestSerializer
    permission_classes = [HasRole]
    allowed_roles = REQUEST_ROLES
    # Checked by ``HasRole`` before the body is read.
    action_roles = {"create": (Role.SALES,), "me_too": (Role.SALES,), "suggestions": (Role.SALES,)}
    filterset_class = RequestApiFilter
    ordering_fields = ["priority", "needed_by", "due_date", "created_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Request]:
        if getattr(self, "swagger_fake_view", False):
            return Request.objects.none()
        return (
            self._rows()
            .prefetch_related("personas")
            .annotate(deadline=selectors.DEADLINE)
            .order_by(*selectors.QUEUE_ORDERINGS["priority"])
        )

    def _rows(self) -> QuerySet[Request]:
        """The requests the caller sees, with what a serialized one needs (its SLA targets inline)."""
        return with_sla_targets(
            visible_to(self.request.user).select_related("requester", "assignee", "team", "reused_asset")
        )

    def paginate_queryset(self, queryset: QuerySet[Request]) -> list[Request] | None:  # type: ignore[override]
        """One page, each request with its SLA clock (no query more: the targets came with the rows)."""
        page = super().paginate_queryset(queryset)
        if page is not None:
            selectors.attach_sla(list(page))
        return page

    def get_object(self) -> Request:
        return self._access("view")

    def _access(self, action_name: str) -> Request:
        """The request of the URL if the caller may do ``action_name`` (a move of the table) on it."""
        try:
            return access_request(user=self.request.user, id=self.kwargs["pk"], action=action_name)
        except Http404 as error:
            raise NotFound("No such request.") from error
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            created = services.request_submit(
                requester=request.user,
                product=data["product"],
                type=data.get("type", RequestType.OTHER),
                title=data["title"],
                details=data.get("details", ""),
                account=data.get("account", ""),
                opportunity_value=data.get("opportunity_value"),
                needed_by=data["needed_by"],
                competitor=data.get("competitor", ""),
                deal_stage=data.get("deal_stage", ""),
                personas=data.get("personas", []),
                attachments=request.FILES.getlist("attachments"),
            )
        except DjangoValidationError as error:
            raise _validation(error) from error
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    def _move(
        self,
        move: str,
        body: type[serializers.Serializer[Any]] | None,
        run: Callable[[Request, User, dict[str, Any]], object],
    ) -> Response:
        """Run the move ``move`` of ``workflow.TRANSITIONS``: who may and from which status, then the body."""
        obj = self._access(move)
        try:
            workflow.check(obj, move)
        except DjangoValidationError as error:
            raise _validation(error) from error
        data: dict[str, Any] = {}
        if body is not None:
            serializer = body(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        user = self.request.user
        try:
            run(obj, user, data)
        except DjangoValidationError as error:
            raise _validation(error) from error
        obj = self._rows().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data)

    @_action_schema(
        TriageSerializer,
        "Triage in one step: the scores, and the decision with its fields (accept, reuse, duplicate, snooze, "
        "ask for information, decline)",
    )
    @action(detail=True, methods=["post"])
    def triage(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        def run(obj: Request, user: User, d: dict[str, Any]) -> None:
            decision, problems = _triage_decision(obj, user, d)
            scores = {name: d.get(name) for name in ("reusability", "educational_value", "effort_hours")}
            if problems:  # ids that name nothing the caller may pick: say so with everything else wrong
                raise DjangoValidationError(
                    {**services.triage_problems(obj, **scores, decision=decision), **problems}
                )
            services.request_triage_decide(request=obj, actor=user, **scores, decision=decision)

        return self._move("triage", TriageSerializer, run)

    @_action_schema(AcceptSerializer, "Accept: assign to a PMM with a due date")
    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        def run(obj: Request, user: User, d: dict[str, Any]) -> None:
            assignee = selectors.assignee_choices(user=user, request=obj).filter(pk=d["assignee"]).first()
            if assignee is None:
                raise DjangoValidationError({"assignee": selectors.NOT_AN_ASSIGNEE})
            services.request_accept(
                request=obj,
                actor=user,
                assignee=assignee,
                due_date=d["due_date"],
                due_date_reason=d["due_date_reason"],
                message=d["message"],
            )

        return self._move("accept", AcceptSerializer, run)

    @_action_schema(None, "Claim an unassigned request (exactly one of two racing PMMs wins)")
    @action(detail=True, methods=["post"])
    def claim(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._move("claim", None, lambda obj, user, d: services.request_claim(request=obj, actor=user))

    @_action_schema(None, "Start work (assignee)")
    @action(detail=True, methods=["post"])
    def start(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._move("start", None, lambda obj, user, d: services.request_start(request=obj, actor=user))

    @_action_schema(LogTimeSerializer, "Log hours; they count as one-off time in the weekly timesheet")
    @action(detail=True, methods=["post"], url_path="log-time")
    def log_time(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._move(
            "log_time",
            LogTimeSerializer,
            lambda obj, user, d: services.request_log_time(request=obj, actor=user, **d),
        )

    @_action_schema(DeliverSerializer, "Deliver a link or a file; optionally publish an asset")
    @action(detail=True, methods=["post"])
    def deliver(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        def run(obj: Request, user: User, d: dict[str, Any]) -> None:
            publish = None
            if d["publish"]:
                publish = services.AssetDraft(
                    title=d["asset_title"] or obj.title,
                    kind=d["asset_kind"],
                    description=d["asset_description"],
                    review_by=d["review_by"],
                    products=[obj.product],
                    personas=list(obj.personas.all()),
                )
            services.request_deliver(
                request=obj, actor=user, link=d["link"], file=d["file"], note=d["note"], publish=publish
            )

        return self._move("deliver", DeliverSerializer, run)

    @_action_schema(ReuseSerializer, "Answer with an existing asset of the request's team (reused)")
    @action(detail=True, methods=["post"], url_path="mark-reused")
    def mark_reused(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        def run(obj: Request, user: User, d: dict[str, Any]) -> None:
            asset = selectors.reuse_choices(user=user, request=obj).filter(pk=d["asset"]).first()
            if asset is None:
                raise DjangoValidationError({"asset": selectors.NOT_AN_ASSET})
            services.request_mark_reused(request=obj, actor=user, asset=asset, message=d["message"])

        return self._move("reuse", ReuseSerializer, run)

    @_action_schema(DuplicateSerializer, "Mark as a duplicate of another request")
    @action(detail=True, methods=["post"], url_path="mark-duplicate")
    def mark_duplicate(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        def run(obj: Request, user: User, d: dict[str, Any]) -> None:
            original = selectors.duplicate_original(user=user, request=obj, id=d["duplicate_of"])
            services.request_mark_duplicate(request=obj, actor=user, original=original, message=d["message"])

        return self._move("duplicate", DuplicateSerializer, run)

    @_action_schema(SnoozeSerializer, "Snooze until a date")
    @action(detail=True, methods=["post"])
    def snooze(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._move(
            "snooze",
            SnoozeSerializer,
            lambda obj, user, d: services.request_snooze(
                request=obj, actor=user, until=d["until"], message=d["message"]
            ),
        )

    @_action_schema(DeclineSerializer, "Decline, with an alternative (required)")
    @action(detail=True, methods=["post"])
    def decline(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._move(
            "decline",
            DeclineSerializer,
            lambda obj, user, d: services.request_decline(
                request=obj, actor=user, alternative=d["alternative"]
            ),
        )

    @_action_schema(CancelSerializer, "Cancel (requester)")
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._move(
            "cancel",
            CancelSerializer,
            lambda obj, user, d: services.request_cancel(request=obj, actor=user, reason=d["reason"]),
        )

    @_action_schema(RateSerializer, "Rate the answer 1–5 (requester, after delivery)")
    @action(detail=True, methods=["post"])
    def rate(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._move(
            "rate", RateSerializer, lambda obj, user, d: services.request_rate(request=obj, actor=user, **d)
        )

    @_action_schema(CommentSerializer, "Comment on the request")
    @action(detail=True, methods=["post"])
    def comment(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._move(
            "comment",
            CommentSerializer,
            lambda obj, user, d: services.request_comment(request=obj, actor=user, **d),
        )

    @extend_schema(
        summary="What may already answer a question (sales, as they type)",
        description="Library assets, past answers and open requests, best first, ranked as the request "
        "form ranks them; other reps' requests by title only.",
        parameters=[SuggestionQuerySerializer],
        responses={200: SuggestionSerializer(many=True), 400: OpenApiResponse(description="Field errors.")},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request: AuthenticatedRequest) -> Response:
        query = SuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        found = selectors.suggestions(
            user=request.user,
            text=data["title"],
            product_id=data.get("product"),
            type=data.get("type", ""),
            competitor=data.get("competitor", ""),
        )
        return Response(SuggestionSerializer(found.hits, many=True).data)

    @extend_schema(
        summary="Requests of the team that ask the same thing (triage)",
        responses={200: LikelyDuplicateSerializer(many=True), **ERRORS},
    )
    @action(
        detail=True, methods=["get"], url_path="likely-duplicates", pagination_class=None, filter_backends=[]
    )
    def likely_duplicates(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        obj = self._access("duplicate")
        hits = selectors.likely_duplicates(user=request.user, request=obj)
        return Response(LikelyDuplicateSerializer(hits, many=True).data)

    @extend_schema(
        request=MeTooSerializer,
        responses={
            201: OpenApiResponse(RequestFollowerSerializer, description="You follow it now, with your deal."),
            200: OpenApiResponse(
                RequestFollowerSerializer, description="You followed it already: deal updated."
            ),
            400: OpenApiResponse(
                description="Invalid input (field errors), your own request, or just closed."
            ),
            403: OpenApiResponse(description="Only sales say “me too”."),
            404: OpenApiResponse(description="No such open request."),
        },
        summary="Me too: follow an open request of any team, your deal counting in its priority (sales)",
        description="Instead of asking the same again, follow the request: you see it in your requests and are "
        "told when it moves. You never see the requester's deal, nor they yours.",
    )
    @action(detail=True, methods=["post"], url_path="me-too")
    def me_too(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        try:
            obj = access_request_to_follow(user=request.user, id=self.kwargs["pk"])
        except Http404 as error:
            raise NotFound("No such open request.") from error
        serializer = MeTooSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            follower, created = services.request_me_too(
                request=obj, user=request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise _validation(error) from error
        return Response(
            RequestFollowerSerializer(follower).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AssetVersionSerializer(serializers.ModelSerializer[AssetVersion]):
    """One version of an asset; ``download`` is the checked address of its file (null for a link)."""

    uploaded_by = UserSummarySerializer(read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = AssetVersion
        fields = ["number", "link", "note", "uploaded_by", "created_at", "download"]

    def get_download(self, version: AssetVersion) -> str | None:
        if not version.file:
            return None
        return reverse("requests_queue:asset_version_download", args=[version.asset_id, version.number])


class AssetVersionUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(required=False)
    link = OptionalURLField(required=False, max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, max_length=limits.REASON)


class AssetReviewedSerializer(serializers.Serializer[Any]):
    review_by = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="A future date; by default in 180 days."
    )


class AssetRetireSerializer(serializers.Serializer[Any]):
    replaced_by = serializers.IntegerField(
        required=False, allow_null=True, help_text="The live asset replacing it."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=limits.REASON)


@extend_schema_view(
    list=extend_schema(
        summary="The asset library (everyone signed in)",
        description="Assets in use by default; `state=retired` or `state=all` shows retired ones.",
    ),
    create=extend_schema(summary="Publish an asset (PMMs and CMOs, to their own team)"),
    partial_update=extend_schema(
        summary="Edit an asset (the owning team's PMMs and CMO)",
        request=AssetUpdateSerializer,
        responses={
            200: AssetSerializer,
            400: OpenApiResponse(description="Invalid input (field errors)."),
            403: OpenApiResponse(description="You may read this asset but not change it."),
            404: OpenApiResponse(description="No such asset."),
        },
    ),
)
class AssetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Asset]
):
    """Reusable deliverables, with reuse counts and review-by dates."""

    request: AuthenticatedRequest
    lookup_value_regex = ID_LOOKUP
    serializer_class = AssetSerializer
    permission_classes = [HasRole]
    allowed_roles = EVERYONE
    filterset_class = AssetApiFilter
    ordering_fields = ["reuse_count", "view_count", "download_count", "title", "review_by", "created_at"]
    # Checked by ``HasRole`` before the body is read; the object's team is checked by ``access_asset``.
    action_roles = {
        "partial_update": (Role.PMM, Role.CMO),
        "retire": (Role.PMM, Role.CMO),
        "unretire": (Role.PMM, Role.CMO),
        "upload_version": (Role.PMM, Role.CMO),
        "reviewed": (Role.PMM, Role.CMO),
    }

    def may_create(self, user: User) -> bool:
        """Checked by ``HasRole`` before the body is read: a marketer on a team (the asset goes to it)."""
        return can_create_asset(user) and services.asset_team_for(user=user) is not None

    def get_queryset(self) -> QuerySet[Asset]:
        if getattr(self, "swagger_fake_view", False):
            return Asset.objects.none()
        return (
            assets_visible_to(self.request.user)
            .select_related("owner", "team", "replaced_by")
            .prefetch_related("products", "personas")
            .order_by(*selectors.ASSET_ORDERINGS["reuse"])
        )

    def get_object(self) -> Asset:
        try:
            return access_asset(user=self.request.user, id=self.kwargs["pk"])
        except Http404 as error:
            raise NotFound("No such asset.") from error

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            asset = services.asset_create(
                actor=request.user,
                title=data["title"],
                kind=data.get("kind", AssetKind.OTHER),
                description=data.get("description", ""),
                internal_notes=data.get("internal_notes") or "",
                link=data.get("link", ""),
                review_by=data["review_by"],
                products=data.get("products", []),
                personas=data.get("personas", []),
            )
        except DjangoValidationError as error:
            raise _validation(error) from error
        return Response(self.get_serializer(asset).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:
        """Edit an asset's details: who may is decided (403/404) before the body is read."""
        user = request.user
        try:
            asset = access_asset(user=user, id=self.kwargs["pk"], action="edit")
        except Http404 as error:
            raise NotFound("No such asset.") from error
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        serializer = AssetUpdateSerializer(
            asset, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changes = services.AssetChanges(
            title=data.get("title"),
            kind=data.get("kind"),
            description=data.get("description"),
            internal_notes=data.get("internal_notes"),
            review_by=data.get("review_by"),
            products=data.get("products"),
            personas=data.get("personas"),
        )
        try:
            services.asset_update(asset=asset, actor=user, changes=changes)
        except DjangoValidationError as error:
            raise _validation(error) from error
        return Response(self.get_serializer(access_asset(user=user, id=asset.pk)).data)

    def _editable(self) -> Asset:
        """The asset, if the caller may change it (404 unseen, 403 read only), before the body is read."""
        try:
            return access_asset(user=self.request.user, id=self.kwargs["pk"], action="edit")
        except Http404 as error:
            raise NotFound("No such asset.") from error
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error

    @extend_schema(
        request=AssetRetireSerializer,
        responses={200: AssetSerializer},
        summary="Retire the asset: never suggested again; name its replacement or say why.",
    )
    @action(detail=True, methods=["post"])
    def retire(self, request: AuthenticatedRequest, pk: str) -> Response:
        asset = self._editable()
        serializer = AssetRetireSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        replacement_id = serializer.validated_data.get("replaced_by")
        # The page's choices: a live asset of the caller's teams, never the asset itself.
        replacement = (
            assets_linkable_by(request.user).exclude(pk=asset.pk).filter(pk=replacement_id).first()
            if replacement_id
            else None
        )
        if replacement_id and replacement is None:
            raise serializers.ValidationError(
                {"replaced_by": ["Pick another live asset of your team's library."]}
            )
        try:
            services.asset_retire(
                asset=asset,
                actor=request.user,
                replaced_by=replacement,
                reason=serializer.validated_data.get("reason", ""),
            )
        except DjangoValidationError as error:
            raise _validation(error) from error
        return Response(self.get_serializer(access_asset(user=request.user, id=asset.pk)).data)

    @extend_schema(
        request=None, responses={200: AssetSerializer}, summary="Bring a retired asset back to the library."
    )
    @action(detail=True, methods=["post"])
    def unretire(self, request: AuthenticatedRequest, pk: str) -> Response:
        asset = self._editable()
        try:
            services.asset_unretire(asset=asset, actor=request.user)
        except DjangoValidationError as error:
            raise _validation(error) from error
        return Response(self.get_serializer(access_asset(user=request.user, id=asset.pk)).data)

    @extend_schema(
        request=AssetReviewedSerializer,
        responses={200: AssetSerializer},
        summary="The asset is still right: set its next review date (in 180 days by default).",
    )
    @action(detail=True, methods=["post"])
    def reviewed(self, request: AuthenticatedRequest, pk: str) -> Response:
        asset = self._editable()
        serializer = AssetReviewedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.asset_mark_reviewed(
                asset=asset, actor=request.user, review_by=serializer.validated_data["review_by"]
            )
        return Response(self.get_serializer(access_asset(user=request.user, id=asset.pk)).data)

    @extend_schema(
        responses={200: AssetVersionSerializer(many=True)},
        summary="Every version of the asset, newest first.",
    )
    @action(detail=True, methods=["get"], url_path="versions")
    def versions(self, request: AuthenticatedRequest, pk: str) -> Response:
        asset = self.get_object()
        rows = asset.versions.select_related("uploaded_by").order_by("-number")
        return Response(AssetVersionSerializer(rows, many=True).data)

    @extend_schema(
        request=AssetVersionUploadSerializer,
        responses={201: AssetVersionSerializer},
        summary="Upload a new version (a file and/or a link); the older ones are kept.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="versions/upload",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def upload_version(self, request: AuthenticatedRequest, pk: str) -> Response:
        asset = self._editable()
        serializer = AssetVersionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            version = services.asset_upload_version(
                asset=asset,
                actor=request.user,
                file=data.get("file"),
                link=data.get("link", ""),
                note=data.get("note", ""),
            )
        except DjangoValidationError as error:
            raise _validation(error) from error
        return Response(AssetVersionSerializer(version).data, status=status.HTTP_201_CREATED)


# --- Notifications (the inbox) -------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    """One notice of the inbox, about a request. Only the fields ``selectors.inbox`` loads."""

    request_title = serializers.CharField(source="request.title", read_only=True)
    request_status = serializers.CharField(source="request.status", read_only=True)
    event_kind = serializers.CharField(
        source="event.kind", read_only=True, help_text=f"What happened: one of {', '.join(EventKind.values)}."
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "text",
            "mentioned",
            "request",
            "request_title",
            "request_status",
            "event_kind",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class ReadAllSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField(help_text="How many were unread and are read now.")
    unread = serializers.IntegerField(help_text="How many are still unread (the bell's count).")


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications (the inbox), newest first",
        description="The inbox page's filters: `state=unread|read`, `kind=mention|new|comment|status`, "
        "`q` (words, or a request's `#number`), `sort=newest|oldest`.",
    ),
    retrieve=extend_schema(summary="One of your notifications (reading it does not mark it read)"),
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Notification]
):
    """Everyone's own notifications: nobody sees another person's (404)."""

    request: AuthenticatedRequest
    lookup_value_regex = ID_LOOKUP
    serializer_class = NotificationSerializer
    permission_classes = [HasRole]
    allowed_roles = EVERYONE
    filter_backends = [DjangoFilterBackend]
    filterset_class = InboxFilter

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.inbox(user=self.request.user)

    def get_object(self) -> Notification:
        return selectors.notification_of(user=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(
        request=None, responses={200: NotificationSerializer}, summary="Mark one notification read"
    )
    @action(detail=True, methods=["post"])
    def read(self, request: AuthenticatedRequest, pk: str) -> Response:
        note = self.get_object()
        services.notifications_mark_read(user=request.user, ids=[note.pk])
        return Response(self.get_serializer(selectors.inbox(user=request.user).get(pk=note.pk)).data)

    @extend_schema(
        request=None, responses={200: ReadAllSerializer}, summary="Mark all your notifications read"
    )
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[])
    def read_all(self, request: AuthenticatedRequest) -> Response:
        marked = services.notifications_mark_read(user=request.user)
        return Response({"marked": marked, "unread": selectors.unread_count(user=request.user)})


# --- Notification preferences ----------------------------------------------------------------------


class ChannelsSerializer(serializers.Serializer[Any]):
    """One entry per topic: how you hear of it beyond the app."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {
            topic: serializers.CharField(
                required=False,
                help_text=f"{label}: one of {', '.join(NotifyChannel.values)}.",
            )
            for topic, label in NotifyTopic.choices
        }


class TriageDaysSerializer(serializers.Serializer[Any]):
    team = ScopedPrimaryKeyField(
        queryset=Team.objects.none(),
        scope=for_user(lambda user: user.teams.all()),
        help_text="One of your teams.",
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        max_length=7,
        help_text="The days you triage its new requests: 0 Monday … 6 Sunday.",
    )


class NotificationPreferencesSerializer(serializers.Serializer[Any]):
    channels = ChannelsSerializer(required=False)
    hour = serializers.IntegerField(required=False, help_text="The hour (0–23) your daily digest goes out.")
    time_zone = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="Of the digest's hour; empty: your team's."
    )
    triage_days = TriageDaysSerializer(
        many=True,
        required=False,
        help_text="PMMs: the days they triage each of their teams' new requests (a team left out keeps "
        "its days).",
    )


class NotificationPreferencesView(APIView):
    """How you hear of each kind of news (the inbox's preferences page): per topic email at once, the
    daily digest or the app only; the digest's hour and zone; a PMM's triage days."""

    permission_classes = [HasRole]
    allowed_roles = EVERYONE

    def _current(self, user: User) -> dict[str, Any]:
        digest = services.digest_settings_of(user)
        days = services.triage_days_of(user)
        teams = user.teams.order_by("name") if user.role == Role.PMM else Team.objects.none()
        return {
            "channels": services.preferences_of(user),
            "hour": digest.hour,
            "time_zone": digest.time_zone,
            "triage_days": [
                {"team": team.pk, "weekdays": sorted(days.get(team.pk, set()))} for team in teams
            ],
        }

    @extend_schema(
        summary="Your notification preferences", responses={200: NotificationPreferencesSerializer}
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(self._current(request.user))

    @extend_schema(
        summary="Change your notification preferences: what you send changes, the rest stays",
        request=NotificationPreferencesSerializer,
        responses={200: NotificationPreferencesSerializer},
    )
    def patch(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        serializer = NotificationPreferencesSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        current = self._current(user)
        try:
            services.preferences_save(
                user=user,
                channels={**current["channels"], **data.get("channels", {})},
                hour=data.get("hour", current["hour"]),
                time_zone=data.get("time_zone", current["time_zone"]),
                triage_days={row["team"]: row["weekdays"] for row in data.get("triage_days", [])},
            )
        except DjangoValidationError as error:
            channels = {k: v for k, v in error.message_dict.items() if k in NotifyTopic.values}
            rest = {k: v for k, v in error.message_dict.items() if k not in NotifyTopic.values}
            raise serializers.ValidationError(
                {**rest, **({"channels": channels} if channels else {})}
            ) from error
        return Response(self._current(user))


# --- Saved views of the queue ----------------------------------------------------------------------


class SavedViewSerializer(serializers.ModelSerializer[SavedView]):
    owner = UserSummarySerializer(read_only=True)
    team = ScopedPrimaryKeyField(
        queryset=Team.objects.none(),
        scope=for_user(lambda user: teams_of(user=user)),
        required=False,
        allow_null=True,
        help_text="Shared with this team of yours; null: only you.",
    )
    query = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="The queue's filters and sort as a query string (`status=new&sort=-priority`); "
        "other parameters are dropped.",
    )
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text="The queue page, filtered."
    )

    class Meta:
        model = SavedView
        fields = ["id", "name", "query", "team", "owner", "url", "created_at"]
        read_only_fields = ["created_at"]
        # A blank name reaches the service, which answers in its own words.
        extra_kwargs = {"name": {"max_length": 200, "allow_blank": True}}


@extend_schema_view(
    list=extend_schema(summary="Saved views of the queue: yours and those shared with your teams"),
    create=extend_schema(
        summary="Save the queue's filters under a name (replaces your view of that name)",
        responses={
            201: OpenApiResponse(SavedViewSerializer, description="A new view."),
            200: OpenApiResponse(SavedViewSerializer, description="Your view of that name, replaced."),
        },
    ),
    destroy=extend_schema(summary="Delete a view you saved"),
)
class SavedViewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[SavedView],
):
    """The queue's saved views (PMMs and CMOs): private, or shared with one of the owner's teams."""

    request: AuthenticatedRequest
    lookup_value_regex = ID_LOOKUP
    serializer_class = SavedViewSerializer
    permission_classes = [HasRole]
    allowed_roles = PMM_AND_CMO
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[SavedView]:
        if getattr(self, "swagger_fake_view", False):
            return SavedView.objects.none()
        return selectors.saved_views_for(user=self.request.user)

    def get_object(self) -> SavedView:
        action_name = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        return access_saved_view(user=self.request.user, id=self.kwargs["pk"], action=action_name)

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            view, new = services.saved_view_save(
                owner=request.user, name=data["name"], query=data["query"], team=data.get("team")
            )
        return Response(
            self.get_serializer(view).data, status=status.HTTP_201_CREATED if new else status.HTTP_200_OK
        )

    def perform_destroy(self, instance: SavedView) -> None:
        with service_errors():
            services.saved_view_delete(owner=self.request.user, view_id=instance.pk)


# --- Service levels (SLA targets) -------------------------------------------------------------------


class SlaTargetSerializer(serializers.Serializer[Any]):
    type = serializers.CharField(help_text=f"The request type: one of {', '.join(RequestType.values)}.")
    # A declared field, taken off the class by DRF's metaclass: it never shadows ``Field.label``.
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    acknowledge_days = serializers.IntegerField(help_text="Business days to acknowledge: 1–60.")
    deliver_days = serializers.IntegerField(
        help_text="Business days to deliver: 1–120, not fewer than acknowledge."
    )
    is_default = serializers.BooleanField(read_only=True, help_text="No target set: the portal's default.")


class SlaTableSerializer(serializers.Serializer[Any]):
    team = serializers.IntegerField(source="team.pk", read_only=True, help_text="The team's id.")
    team_name = serializers.CharField(source="team.name", read_only=True)
    targets = SlaTargetSerializer(many=True, help_text="Every request type, with the team's targets.")


class SlaTargetsUpdateSerializer(serializers.Serializer[Any]):
    targets = SlaTargetSerializer(many=True, help_text="The types to change; the others keep their targets.")


@extend_schema_view(
    list=extend_schema(summary="Service levels of the teams you lead (CMO)"),
    retrieve=extend_schema(summary="Service levels of one team you lead"),
)
class SlaTargetViewSet(viewsets.GenericViewSet[Team]):
    """Each request type's acknowledge and deliver targets, in business days, per team (``/requests/sla/``).

    The team's leader (and administrators) set them; the queue's SLA clocks use them at once.
    ``{id}`` is the team's id.
    """

    request: AuthenticatedRequest
    lookup_value_regex = ID_LOOKUP
    serializer_class = SlaTableSerializer
    permission_classes = [HasRole]
    allowed_roles = (Role.CMO,)
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Team]:
        if getattr(self, "swagger_fake_view", False):
            return Team.objects.none()
        return selectors.sla_teams(user=self.request.user)

    def _tables(self, teams: list[Team]) -> list[dict[str, Any]]:
        rows = selectors.sla_tables(teams=teams)
        return [{"team": team, "targets": rows[team.pk]} for team in teams]

    def _team(self) -> Team:
        team = self.get_queryset().filter(pk=int(self.kwargs["pk"])).first()
        if team is None:
            raise NotFound("No such team among those you lead.")
        return team

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SlaTableSerializer(self._tables(list(page or [])), many=True).data)

    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        return Response(SlaTableSerializer(self._tables([self._team()])[0]).data)

    @extend_schema(
        summary="Set service levels of a team you lead; a bad row leaves every target as it was",
        request=SlaTargetsUpdateSerializer,
        responses={200: SlaTableSerializer},
    )
    def partial_update(self, request: AuthenticatedRequest, pk: str) -> Response:
        team = self._team()
        serializer = SlaTargetsUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        targets = {
            row["type"]: (row["acknowledge_days"], row["deliver_days"])
            for row in serializer.validated_data["targets"]
        }
        try:
            services.sla_targets_set(team=team, actor=request.user, targets=targets)
        except DjangoValidationError as error:
            problems = [f"{rtype}: {' '.join(messages)}" for rtype, messages in error.message_dict.items()]
            raise serializers.ValidationError({"targets": problems}) from error
        return Response(SlaTableSerializer(self._tables([team])[0]).data)
