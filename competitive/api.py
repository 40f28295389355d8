"""``/api/v1/competitors/``, ``/api/v1/battlecards/``, ``/api/v1/win-loss-reviews/`` and
``/api/v1/loss-reasons/``: the same door and services as the pages.

Order of every write: the role (``HasRole``, ``action_roles``, ``may_create``), then the object
through ``permissions.access_*``, then the team the body names (a forbidden team answers like
an unknown one), and only then the body's fields; the services' ``ValidationError`` is a 400
with field errors.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from personas.models import CustomerInteraction, Persona
from pmm_portal.core.api import (
    ID_LOOKUP,
    REF_HELP,
    RefField,
    ScopedPrimaryKeyField,
    UserSummarySerializer,
    service_errors,
)
from pmm_portal.core.http import AuthenticatedRequest
from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.permissions import HasRole
from requests_queue.models import Asset

from . import permissions, selectors, services
from .filters import CompetitorFilter, ReviewFilter
from .models import Battlecard, Competitor, LossReason, Outcome, Stage, Tier, WinLossReview

WRITE_ACTIONS = ("create", "update", "partial_update")


def _body(request: AuthenticatedRequest) -> Mapping[str, Any]:
    return request.data if isinstance(request.data, Mapping) else {}


def _team_of(context: Mapping[str, Any]) -> Team | None:
    return context.get("team")


def _scoped_assets(context: Mapping[str, Any]) -> QuerySet[Asset] | None:
    team = _team_of(context)
    return Asset.objects.filter(team=team, retired_at__isnull=True) if team is not None else None


def _scoped_interactions(context: Mapping[str, Any]) -> QuerySet[CustomerInteraction] | None:
    team = _team_of(context)
    return CustomerInteraction.objects.filter(team=team) if team is not None else None


class CompetitorSerializer(serializers.ModelSerializer[Competitor]):
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
    owner = UserSummarySerializer(read_only=True)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    linked_assets = ScopedPrimaryKeyField(
        scope=_scoped_assets,
        queryset=Asset.objects.none(),
        many=True,
        required=False,
        help_text="Ids of the team's live library assets about it (replaces the list when given).",
    )
    linked_interactions = ScopedPrimaryKeyField(
        scope=_scoped_interactions,
        queryset=CustomerInteraction.objects.none(),
        many=True,
        required=False,
        help_text="Ids of the team's customer conversations in which it came up (replaces the list).",
    )

    class Meta:
        model = Competitor
        fields = [
            "id",
            "team",
            "name",
            "aliases",
            "website",
            "tier",
            "summary",
            "strengths",
            "weaknesses",
            "how_we_win",
            "landmines",
            "pricing_notes",
            "linked_assets",
            "linked_interactions",
            "owner",
            "last_reviewed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "team", "owner", "last_reviewed_at", "created_at", "updated_at"]
        extra_kwargs: dict[str, Any] = {"name": {"validators": []}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return attrs  # the services check the rest (the name per team)


class CompetitorCreateSerializer(CompetitorSerializer):
    team = RefField(queryset=Team.objects.all(), required=False, help_text=f"The team. {REF_HELP}")
    linked_assets = None  # type: ignore[assignment]  # linked once it exists (PATCH)
    linked_interactions = None  # type: ignore[assignment]


def _scoped_competitors(context: Mapping[str, Any]) -> QuerySet[Competitor] | None:
    team = _team_of(context)
    return Competitor.objects.filter(team=team) if team is not None else None


def _scoped_reasons(context: Mapping[str, Any]) -> QuerySet[LossReason] | None:
    team = _team_of(context)
    return LossReason.objects.filter(team=team) if team is not None else None


def _scoped_personas(context: Mapping[str, Any]) -> QuerySet[Persona] | None:
    team = _team_of(context)
    return Persona.objects.filter(team=team) if team is not None else None


class ReviewSerializer(serializers.ModelSerializer[WinLossReview]):
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
    owner = UserSummarySerializer(read_only=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    stage_lost_at = serializers.ChoiceField(
        choices=[("", "—"), *Stage.choices], required=False, allow_blank=True
    )
    competitor = ScopedPrimaryKeyField(
        scope=_scoped_competitors, queryset=Competitor.objects.none(), required=False, allow_null=True
    )
    reasons = ScopedPrimaryKeyField(
        scope=_scoped_reasons, queryset=LossReason.objects.none(), many=True, required=False
    )
    personas = ScopedPrimaryKeyField(
        scope=_scoped_personas, queryset=Persona.objects.none(), many=True, required=False
    )
    interaction = ScopedPrimaryKeyField(
        scope=_scoped_interactions,
        queryset=CustomerInteraction.objects.none(),
        required=False,
        allow_null=True,
        help_text="The team's customer conversation (a win/loss interview) the review comes from.",
    )

    class Meta:
        model = WinLossReview
        fields = [
            "id",
            "team",
            "owner",
            "account",
            "value",
            "outcome",
            "decided_on",
            "competitor",
            "stage_lost_at",
            "reasons",
            "personas",
            "interaction",
            "buyer_quote",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "team", "owner", "created_at", "updated_at"]


class BattlecardObjectionSerializer(serializers.Serializer[Any]):
    objection = serializers.CharField(max_length=300)
    answer = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class BattlecardSerializer(serializers.ModelSerializer[Battlecard]):
    """A battlecard; ``objections`` replaces the card's list when given (in that order)."""

    competitor: serializers.Field[Any, Any, Any, Any] = serializers.PrimaryKeyRelatedField(read_only=True)
    competitor_name = serializers.CharField(source="competitor.name", read_only=True)
    persona = ScopedPrimaryKeyField(
        scope=_scoped_personas,
        queryset=Persona.objects.none(),
        required=False,
        allow_null=True,
        help_text="The persona the card is for; null for every buyer.",
    )
    owner = UserSummarySerializer(read_only=True)
    objections = BattlecardObjectionSerializer(many=True, required=False)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Battlecard
        fields = [
            "id",
            "competitor",
            "competitor_name",
            "persona",
            "quick_dismiss",
            "why_we_win",
            "landmines",
            "proof_points",
            "objections",
            "owner",
            "last_reviewed_at",
            "view_count",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "owner", "last_reviewed_at", "view_count", "created_at", "updated_at"]


class BattlecardCreateSerializer(BattlecardSerializer):
    competitor = serializers.IntegerField(
        help_text="The competitor the card is against (one of your teams')."
    )


class ReasonSerializer(serializers.ModelSerializer[LossReason]):
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = LossReason
        fields = ["id", "team", "name", "active"]
        read_only_fields = ["id", "team"]


@extend_schema_view(
    list=extend_schema(
        summary="Competitors you see (sales see every one), searchable by ?q=, ?tier=, ?team=."
    ),
    create=extend_schema(
        request=CompetitorCreateSerializer, summary="Add a competitor to one of your teams (PMMs)."
    ),
)
class CompetitorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Competitor],
):
    """Competitors: read by sales and the team's marketing (404 for other teams); written by its PMMs."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = CompetitorSerializer
    permission_classes = [HasRole]
    allowed_roles = permissions.READERS
    action_roles = dict.fromkeys(WRITE_ACTIONS, (Role.PMM,))
    filterset_class = CompetitorFilter
    ordering = ["name", "id"]
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.writer_teams(user).exists()

    def get_queryset(self) -> QuerySet[Competitor]:
        if getattr(self, "swagger_fake_view", False):
            return Competitor.objects.none()
        return (
            permissions.competitors_visible_to(self.request.user)
            .select_related("team", "owner")
            .prefetch_related("linked_assets", "linked_interactions")
            .order_by("name", "id")
        )

    def get_object(self) -> Competitor:
        change = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return permissions.access_competitor(user=self.request.user, id=self.kwargs["pk"], change=change)

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        team = permissions.team_for_new(permissions.writer_teams(request.user), _body(request).get("team"))
        serializer = CompetitorCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "team"}
        with service_errors():
            competitor = services.competitor_create(actor=request.user, team=team, **data)
        return Response(CompetitorSerializer(competitor).data, status=status.HTTP_201_CREATED)

    def update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        competitor = self.get_object()
        context = {**self.get_serializer_context(), "team": competitor.team}
        serializer = CompetitorSerializer(
            competitor, data=request.data, partial=kwargs.get("partial", False), context=context
        )
        serializer.is_valid(raise_exception=True)
        with service_errors():
            competitor = services.competitor_update(
                actor=request.user, competitor=competitor, **serializer.validated_data
            )
        return Response(CompetitorSerializer(competitor).data)


@extend_schema_view(
    list=extend_schema(summary="Battlecards you see (sales see every one): ?competitor=<id>."),
    create=extend_schema(
        request=BattlecardCreateSerializer,
        summary="Write a battlecard against one of your teams' competitors (PMMs).",
    ),
)
class BattlecardViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Battlecard],
):
    """Battlecards: read by whoever reads their competitor; written by the team's PMMs (saving is a review)."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = BattlecardSerializer
    permission_classes = [HasRole]
    allowed_roles = permissions.READERS
    action_roles = dict.fromkeys(WRITE_ACTIONS, (Role.PMM,))
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.writer_teams(user).exists()

    def get_queryset(self) -> QuerySet[Battlecard]:
        if getattr(self, "swagger_fake_view", False):
            return Battlecard.objects.none()
        cards = (
            permissions.battlecards_visible_to(self.request.user)
            .select_related("competitor", "owner")
            .prefetch_related("objections")
            .order_by("competitor__name", "persona__name", "id")
        )
        competitor = self.request.query_params.get("competitor", "")
        if competitor:
            if not competitor.isdigit():
                raise serializers.ValidationError({"competitor": ["Give a competitor's id."]})
            cards = cards.filter(competitor_id=int(competitor))
        return cards

    def get_object(self) -> Battlecard:
        change = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return permissions.access_battlecard(user=self.request.user, id=self.kwargs["pk"], change=change)

    def _serializer(self, *args: Any, team: Team, **kwargs: Any) -> BattlecardSerializer:
        return BattlecardSerializer(*args, context={**self.get_serializer_context(), "team": team}, **kwargs)

    def _written(self, data: dict[str, Any]) -> dict[str, Any]:
        fields = {k: v for k, v in data.items() if k in services.BATTLECARD_FIELDS}
        if "objections" in data:
            fields["objections"] = [dict(o) for o in data["objections"]]
        return fields

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        named = _body(request).get("competitor")
        if not isinstance(named, int) and not (isinstance(named, str) and named.isdigit()):
            raise serializers.ValidationError(
                {"competitor": ["Give the id of one of your teams' competitors."]}
            )
        competitor = permissions.access_competitor(user=request.user, id=named, change=True)
        serializer = BattlecardCreateSerializer(
            data=request.data, context={**self.get_serializer_context(), "team": competitor.team}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            card = services.battlecard_create(
                actor=request.user, competitor=competitor, persona=data.get("persona"), **self._written(data)
            )
        card = permissions.access_battlecard(user=request.user, id=card.pk)
        return Response(self._serializer(card, team=competitor.team).data, status=status.HTTP_201_CREATED)

    def update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        card = self.get_object()
        team = card.competitor.team
        partial = kwargs.get("partial", False)
        serializer = self._serializer(card, data=request.data, partial=partial, team=team)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        persona = data.get("persona", card.persona)
        with service_errors():
            services.battlecard_update(actor=request.user, card=card, persona=persona, **self._written(data))
        card = permissions.access_battlecard(user=request.user, id=card.pk)
        return Response(self._serializer(card, team=team).data)


@extend_schema_view(
    list=extend_schema(
        summary="Win/loss reviews of your teams: ?outcome=, ?competitor=<id|none>, ?persona=, ?reason=, ?quarter=2026-Q3."
    ),
)
class WinLossReviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[WinLossReview],
):
    """Win/loss reviews: the team's marketing reads them (404 for others, 403 for sales); its PMMs write."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = ReviewSerializer
    permission_classes = [HasRole]
    allowed_roles = permissions.INSIDERS
    action_roles = dict.fromkeys(WRITE_ACTIONS, (Role.PMM,))
    filterset_class = ReviewFilter
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.writer_teams(user).exists()

    def get_queryset(self) -> QuerySet[WinLossReview]:
        if getattr(self, "swagger_fake_view", False):
            return WinLossReview.objects.none()
        return (
            selectors.review_list(user=self.request.user)
            .prefetch_related("personas")
            .order_by("-decided_on", "-id")
        )

    def get_object(self) -> WinLossReview:
        change = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return permissions.access_review(user=self.request.user, id=self.kwargs["pk"], change=change)

    def _serializer(self, *args: Any, team: Team, **kwargs: Any) -> ReviewSerializer:
        return ReviewSerializer(*args, context={**self.get_serializer_context(), "team": team}, **kwargs)

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        team = permissions.team_for_new(permissions.writer_teams(request.user), _body(request).get("team"))
        services.reasons_of(team)
        serializer = self._serializer(data=request.data, team=team)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            review = services.review_create(actor=request.user, team=team, **serializer.validated_data)
        return Response(self._serializer(review, team=team).data, status=status.HTTP_201_CREATED)

    def update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        review = self.get_object()
        serializer = self._serializer(
            review, data=request.data, partial=kwargs.get("partial", False), team=review.team
        )
        serializer.is_valid(raise_exception=True)
        with service_errors():
            review = services.review_update(actor=request.user, review=review, **serializer.validated_data)
        return Response(self._serializer(review, team=review.team).data)


class LossReasonViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[LossReason]):
    """The reasons of the teams you see (the taxonomy reviews pick from)."""

    serializer_class = ReasonSerializer
    permission_classes = [HasRole]
    allowed_roles = permissions.INSIDERS
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[LossReason]:
        if getattr(self, "swagger_fake_view", False):
            return LossReason.objects.none()
        return (
            permissions.reasons_visible_to(self.request.user)
            .select_related("team")
            .order_by("team__name", "name")
        )
