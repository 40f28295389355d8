"""``/api/v1/responsibilities/`` and ``/api/v1/diagnostics/`` (rounds, the caller's answers, results):
the same door and services as the pages.

Order of every write: the role (``HasRole``, ``action_roles``, ``may_create``), then the object
through ``permissions.access_*``, then the team the body names (a forbidden team answers like
an unknown one), and only then the body's fields; the services' ``ValidationError`` is a 400
with field errors.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from pmm_portal.core.api import ID_LOOKUP, REF_HELP, RefField, UserSummarySerializer, service_errors
from pmm_portal.core.filters import ref_filter
from pmm_portal.core.http import AuthenticatedRequest
from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.permissions import EVERYONE, MARKETING, HasRole

from . import permissions, selectors, services
from .models import (
    AREA,
    NAME,
    NOTE,
    Answer,
    DiagnosticRound,
    Function,
    Lead,
    Owner,
    Responsibility,
    RoundStatus,
    Seat,
)


def _body(request: AuthenticatedRequest) -> Mapping[str, Any]:
    return request.data if isinstance(request.data, Mapping) else {}


# --- Responsibilities ------------------------------------------------------------------------------


class ResponsibilitySerializer(serializers.ModelSerializer[Responsibility]):
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
    name = serializers.CharField(max_length=NAME)
    area = serializers.CharField(max_length=AREA)
    intended_owner = serializers.ChoiceField(choices=Function.choices)
    lead = serializers.ChoiceField(choices=[("", "—"), *Lead.choices], required=False, allow_blank=True)
    description = serializers.CharField(max_length=NOTE, required=False, allow_blank=True)

    class Meta:
        model = Responsibility
        fields = ["id", "team", "area", "name", "description", "intended_owner", "lead", "position", "active"]
        read_only_fields = ["id", "team", "position"]


class ResponsibilityCreateSerializer(ResponsibilitySerializer):
    team = RefField(queryset=Team.objects.all(), required=False, help_text=f"The team. {REF_HELP}")


@extend_schema_view(
    list=extend_schema(summary="The responsibilities of your teams, in order (?team=<id>, ?active=true)."),
    create=extend_schema(
        request=ResponsibilityCreateSerializer,
        summary="Add a responsibility to one of your teams (its PMMs, PMs and CMO).",
    ),
)
class ResponsibilityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Responsibility],
):
    """A team's responsibilities matrix: kept by its PMMs, PMs and CMO (404 for other teams).

    Retire one with ``{"active": false}``: past rounds keep it.
    """

    lookup_value_regex = ID_LOOKUP
    serializer_class = ResponsibilitySerializer
    permission_classes = [HasRole]
    allowed_roles = MARKETING
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.keeper_teams(user).exists()

    def get_queryset(self) -> QuerySet[Responsibility]:
        if getattr(self, "swagger_fake_view", False):
            return Responsibility.objects.none()
        rows = permissions.responsibilities_visible_to(self.request.user).select_related("team")
        team = self.request.query_params.get("team")
        if team:
            rows = ref_filter(rows, "team", team)
        if self.request.query_params.get("active") in ("true", "1"):
            rows = rows.filter(active=True)
        return rows.order_by("team__name", "position", "id")

    def list(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        services.responsibilities_seed(teams=permissions.keeper_teams(request.user))
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Responsibility:
        return permissions.access_responsibility(user=self.request.user, id=self.kwargs["pk"])

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        team = permissions.team_for_new(permissions.keeper_teams(request.user), _body(request).get("team"))
        serializer = ResponsibilitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.responsibilities_of(team)
        with service_errors():
            created = services.responsibility_save(team=team, **serializer.validated_data)
        return Response(ResponsibilitySerializer(created).data, status=status.HTTP_201_CREATED)

    def update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        found = self.get_object()
        serializer = ResponsibilitySerializer(found, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        fields = {
            "name": found.name,
            "area": found.area,
            "intended_owner": found.intended_owner,
            "lead": found.lead,
            "description": found.description,
            "active": found.active,
            **serializer.validated_data,
        }
        with service_errors():
            saved = services.responsibility_save(team=found.team, responsibility=found, **fields)
        return Response(ResponsibilitySerializer(saved).data)


# --- Rounds ------------------------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer[dict[str, Any]]):
    user = UserSummarySerializer()
    seat = serializers.CharField()
    answered = serializers.IntegerField()


class RoundSerializer(serializers.ModelSerializer[DiagnosticRound]):
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
    opened_by = UserSummarySerializer(read_only=True)
    status = serializers.ChoiceField(choices=RoundStatus.choices, read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    participant_count = serializers.IntegerField(read_only=True)
    my_seat = serializers.ChoiceField(
        choices=Seat.choices, read_only=True, allow_null=True, help_text="Yours, when you are a participant."
    )
    my_answered = serializers.IntegerField(read_only=True, help_text="Rows you have answered.")

    class Meta:
        model = DiagnosticRound
        fields = [
            "id",
            "team",
            "title",
            "status",
            "due_on",
            "opened_by",
            "opened_at",
            "closed_at",
            "item_count",
            "participant_count",
            "my_seat",
            "my_answered",
        ]
        read_only_fields = fields


class RoundDetailSerializer(RoundSerializer):
    progress = serializers.SerializerMethodField(
        help_text="Who has answered how many rows (never what): for the team's leader, null for others."
    )

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "progress"]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer(many=True, allow_null=True))
    def get_progress(self, round: DiagnosticRound) -> list[dict[str, Any]] | None:
        user = self.context["request"].user
        if not permissions.can_lead(user, round):
            return None
        return [
            {"user": UserSummarySerializer(r["user"]).data, "seat": r["seat"], "answered": r["answered"]}
            for r in selectors.round_progress(round).rows
        ]


class RoundCreateSerializer(serializers.Serializer[dict[str, Any]]):
    team = RefField(
        queryset=Team.objects.all(),
        required=False,
        help_text=f"One of the teams you lead (default: the first). {REF_HELP}",
    )
    title = serializers.CharField(max_length=120)
    participants = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=200,
        help_text="User ids: the team's people, and sales if you wish.",
    )
    due_on = serializers.DateField(required=False, allow_null=True)


class AnswerSerializer(serializers.ModelSerializer[Answer]):
    item = serializers.IntegerField(source="item_id", min_value=1)
    owner = serializers.ChoiceField(choices=[("", "—"), *Owner.choices], required=False, allow_blank=True)
    score = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    comment = serializers.CharField(max_length=NOTE, required=False, allow_blank=True)

    class Meta:
        model = Answer
        fields = ["item", "owner", "score", "comment", "updated_at"]
        read_only_fields = ["updated_at"]


class AssessmentSerializer(serializers.Serializer[Any]):
    owner_answers = serializers.IntegerField()
    score_answers = serializers.IntegerField()
    shares = serializers.DictField(child=serializers.FloatField(), help_text="Owner answer → share (0–1).")
    modal_owner = serializers.CharField()
    agreement = serializers.FloatField(allow_null=True)
    mean_score = serializers.FloatField(allow_null=True)
    spread = serializers.FloatField(allow_null=True, help_text="Population standard deviation of the scores.")
    score_min = serializers.IntegerField(allow_null=True)
    score_max = serializers.IntegerField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())


class ItemResultSerializer(serializers.Serializer[Any]):
    responsibility = serializers.IntegerField(source="item.responsibility_id")
    area = serializers.CharField(source="item.area")
    name = serializers.CharField(source="item.name")
    intended_owner = serializers.CharField(source="item.intended_owner")
    lead = serializers.CharField(source="item.lead")
    assessment = AssessmentSerializer()
    comments = serializers.ListField(child=serializers.CharField())
    score_delta = serializers.FloatField(allow_null=True)
    agreement_delta = serializers.FloatField(allow_null=True)


class FlagCountSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    name = serializers.CharField(source="label")
    count = serializers.IntegerField()


class HeatCellSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(source="label", help_text="The owner answer or the function.")
    share = serializers.FloatField(allow_null=True, required=False)
    score = serializers.FloatField(allow_null=True, required=False)


class HeatRowSerializer(serializers.Serializer[Any]):
    area = serializers.CharField()
    owner_cells = HeatCellSerializer(many=True)
    seat_cells = HeatCellSerializer(many=True)


class ResultsSerializer(serializers.Serializer[Any]):
    round = RoundSerializer()
    previous_round = serializers.IntegerField(allow_null=True, help_text="The round the trend compares with.")
    participant_count = serializers.IntegerField()
    flag_counts = FlagCountSerializer(many=True)
    items = ItemResultSerializer(many=True)
    guide = ItemResultSerializer(many=True, help_text="Flagged items, in the order to discuss them.")
    heatmap = HeatRowSerializer(many=True)


@extend_schema_view(
    list=extend_schema(summary="Diagnostic rounds you see: your teams', and those you were asked to answer."),
    retrieve=extend_schema(summary="A round, with who has answered how much (for its team's leader)."),
    create=extend_schema(
        request=RoundCreateSerializer,
        responses={201: RoundDetailSerializer},
        summary="Open a round for a team you lead.",
    ),
)
class DiagnosticRoundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[DiagnosticRound],
):
    """Functional diagnostic rounds. The team's CMO opens and closes them; participants answer their
    own rows while a round is open; everyone in it reads the results once it is closed. Nobody
    reads another person's answers."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = RoundSerializer
    permission_classes = [HasRole]
    allowed_roles = EVERYONE
    action_roles = {"create": (Role.CMO,), "close": (Role.CMO,)}
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.leader_teams(user).exists()

    def get_queryset(self) -> QuerySet[DiagnosticRound]:
        if getattr(self, "swagger_fake_view", False):
            return DiagnosticRound.objects.none()
        return selectors.round_list(user=self.request.user)

    def get_object(self) -> DiagnosticRound:
        action_name = {"close": "close", "answers": "answer"}.get(self.action or "", "view")
        permissions.access_round(user=self.request.user, id=self.kwargs["pk"], action=action_name)  # type: ignore[arg-type]
        return self.get_queryset().get(pk=self.kwargs["pk"])

    def retrieve(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        return Response(RoundDetailSerializer(self.get_object(), context=self.get_serializer_context()).data)

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        team = permissions.team_for_new(permissions.leader_teams(request.user), _body(request).get("team"))
        serializer = RoundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        eligible = {u.pk: u for u in services.eligible_participants(team)}
        unknown = [pk for pk in data["participants"] if pk not in eligible]
        if unknown:
            raise serializers.ValidationError({"participants": ["Not one of the choices you may use."]})
        with service_errors():
            round = services.round_open(
                actor=request.user,
                team=team,
                title=data["title"],
                participants=[eligible[pk] for pk in data["participants"]],
                due_on=data.get("due_on"),
            )
        fresh = selectors.round_list(user=request.user).get(pk=round.pk)
        return Response(
            RoundDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None, responses={200: RoundSerializer}, summary="Close the round (its team's CMO)."
    )
    @action(detail=True, methods=["post"])
    def close(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        round = permissions.access_round(user=request.user, id=str(pk), action="close")
        with service_errors():
            services.round_close(actor=request.user, round=round)
        return Response(RoundSerializer(self.get_queryset().get(pk=round.pk)).data)

    @extend_schema(
        methods=["GET"],
        responses={200: AnswerSerializer(many=True)},
        summary="Your own answers in the round.",
    )
    @extend_schema(
        methods=["POST"],
        request=AnswerSerializer,
        responses={200: AnswerSerializer},
        summary="Save one of your rows (an upsert: send the item and what you know so far).",
    )
    @action(detail=True, methods=["get", "post"])
    def answers(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        round = permissions.access_round(user=request.user, id=str(pk), action="answer")
        seat = permissions.seat_of(request.user, round)
        assert seat is not None  # access_round(action="answer") checked it
        if request.method == "GET":
            mine = Answer.objects.filter(participant=seat).order_by("item__position", "item_id")
            return Response(AnswerSerializer(mine, many=True).data)
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            answer = services.answer_save(
                participant=seat,
                item_id=data["item_id"],
                owner=data.get("owner", ""),
                score=data.get("score"),
                comment=data.get("comment", ""),
            )
        return Response(AnswerSerializer(answer).data)

    @extend_schema(responses={200: ResultsSerializer}, summary="The results of a closed round.")
    @action(detail=True, methods=["get"])
    def results(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        permissions.access_round(user=request.user, id=str(pk), action="view")
        round = self.get_queryset().get(pk=self.kwargs["pk"])
        if round.is_open:
            raise serializers.ValidationError(
                {"non_field_errors": ["The round is still open: its results show when its leader closes it."]}
            )
        results = selectors.round_results(round)
        return Response(
            ResultsSerializer(
                {
                    "round": round,
                    "previous_round": results.previous.pk if results.previous else None,
                    "participant_count": results.participant_count,
                    "flag_counts": results.flag_counts,
                    "items": results.items,
                    "guide": results.guide,
                    "heatmap": results.heatmap,
                }
            ).data
        )
