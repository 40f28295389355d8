"""``/api/v1/personas/`` and ``/api/v1/interactions/``: the same door and services as the pages.

Order of every write: who may act (``HasRole`` with ``action_roles`` and ``may_create``,
then the object's ``permissions.access_*``), then which team or product the body
names (``permissions.access_*_for_*``: one answer for a forbidden name and an
unknown one), and only then the body's fields. Serializers parse and present;
their choices come from ``permissions``, as the forms' do. The rules are the
services', whose ``ValidationError`` becomes a 400 with field errors here.
"""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from pmm_portal.core.api import (
    ID_LOOKUP,
    REF_HELP,
    ScopedPrimaryKeyField,
    ScopedRefField,
    UserSummarySerializer,
    context_user,
    service_errors,
)
from pmm_portal.core.http import AuthenticatedRequest
from pmm_portal.core.models import Product, Role, Team, User
from pmm_portal.core.permissions import EVERYONE, HasRole

from . import permissions, selectors, services
from .filters import InteractionFilter, PersonaFilter
from .models import (
    ALL_KIND_FIELDS,
    CustomerInteraction,
    FollowUp,
    Objection,
    Persona,
    PersonaKind,
    Positioning,
    Quote,
    foreign_fields_for_kind,
)

WRITERS = (Role.PMM, Role.PM)
_M = TypeVar("_M", bound=Model)


def _body(request: AuthenticatedRequest) -> Mapping[str, Any]:
    """The parsed body when it is an object (anything else is left to the serializer's 400)."""
    data = request.data
    return data if isinstance(data, Mapping) else {}


# The choices of the fields above. Writes put ``team`` (and ``persona``, ``side``) in the
# serializer's context once the door has resolved them; without them there is nothing to pick.


def _persona_teams(context: Mapping[str, Any]) -> QuerySet[Team]:
    user = context_user(context)
    return permissions.teams_for_new_persona(user) if user else Team.objects.none()


def _persona_products(context: Mapping[str, Any]) -> QuerySet[Product]:
    team = context.get("team")
    return permissions.products_for_persona(team) if team else Product.objects.none()


def _channel_buyers(context: Mapping[str, Any]) -> QuerySet[Persona]:
    team = context.get("team")
    if team is None:
        return Persona.objects.none()
    return permissions.buyers_for_channel(team=team, persona=context.get("persona"))


def _positioning_products(context: Mapping[str, Any]) -> QuerySet[Product]:
    user, persona, side = context_user(context), context.get("persona"), context.get("side")
    if user is None or persona is None or side not in ("pm", "pmm"):
        return Product.objects.none()
    return permissions.products_for_positioning(user=user, persona=persona, side=side)


def _interaction_teams(context: Mapping[str, Any]) -> QuerySet[Team]:
    user = context_user(context)
    return permissions.teams_for_new_interaction(user) if user else Team.objects.none()


def _interaction_personas(context: Mapping[str, Any]) -> QuerySet[Persona]:
    user, team = context_user(context), context.get("team")
    if user is None or team is None:
        return Persona.objects.none()
    return permissions.personas_for_interaction(user=user, teams=[team])


# --- Personas -------------------------------------------------------------------------------


class ObjectionSerializer(serializers.ModelSerializer[Objection]):
    class Meta:
        model = Objection
        fields = ["objection", "response"]


class PositioningSerializer(serializers.ModelSerializer[Positioning]):
    product: serializers.PrimaryKeyRelatedField[Product] = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Positioning
        fields = ["product", *Positioning.PM_FIELDS, *Positioning.PMM_FIELDS, "updated_at"]


class PositioningWriteSerializer(serializers.Serializer[Any]):
    """One side of a positioning: ``side`` "pm" (value proposition) or "pmm" (the rest).

    ``product`` is one of ``permissions.products_for_positioning`` (context: ``persona``, ``side``).
    """

    product = ScopedRefField(
        queryset=Product.objects.none(), scope=_positioning_products, help_text=f"The product. {REF_HELP}"
    )
    side = serializers.ChoiceField(choices=["pm", "pmm"])
    value_proposition = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    against_competitors = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    against_substitutes = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    against_status_quo = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    key_messages = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    proof_points = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class PersonaSerializer(serializers.ModelSerializer[Persona]):
    """A persona; the fields of other kinds are left out of its representation and refused on input.

    Its choices are ``permissions``': ``team`` among ``teams_for_new_persona``,
    ``products`` among ``products_for_persona`` and ``sells_to`` among
    ``buyers_for_channel`` of its team (context: ``team``, and ``persona`` on update).
    """

    team = ScopedRefField(
        queryset=Team.objects.none(), scope=_persona_teams, help_text=f"The team. {REF_HELP}"
    )
    products = ScopedRefField(
        queryset=Product.objects.none(),
        scope=_persona_products,
        many=True,
        required=False,
        help_text=f"The products. {REF_HELP}",
    )
    sells_to = ScopedPrimaryKeyField(
        queryset=Persona.objects.none(), scope=_channel_buyers, many=True, required=False
    )
    owner = UserSummarySerializer(read_only=True)
    last_validated_by = UserSummarySerializer(read_only=True, allow_null=True)
    objections = ObjectionSerializer(many=True, required=False)
    positionings = PositioningSerializer(many=True, read_only=True)
    is_stale = serializers.BooleanField(read_only=True)
    interaction_count = serializers.IntegerField(read_only=True)
    quote_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Persona
        fields = [
            "id",
            "name",
            "kind",
            "team",
            "products",
            "owner",
            "status",
            "job_titles",
            "company_profile",
            "summary",
            *ALL_KIND_FIELDS,
            "objections",
            "sells_to",
            "positionings",
            "is_stale",
            "last_validated_at",
            "last_validated_by",
            "interaction_count",
            "quote_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "last_validated_at", "created_at", "updated_at"]

    def to_representation(self, instance: Persona) -> dict[str, Any]:
        data = super().to_representation(instance)
        for name in foreign_fields_for_kind(instance.kind):
            data.pop(name, None)
        return data


class FieldChangeSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer[Any]):
    when = serializers.DateTimeField()
    who = serializers.CharField()
    what = serializers.ChoiceField(choices=["created", "changed"])
    subject = serializers.CharField(help_text="“persona”, or the positioning it concerns.")
    changes = FieldChangeSerializer(many=True)


def persona_queryset(user: User) -> QuerySet[Persona]:
    """``selectors.persona_list`` plus what the API shows of each persona (fixed query count)."""
    return selectors.persona_list(user=user).prefetch_related(
        "objections",
        Prefetch("sells_to", queryset=permissions.visible_to(user)),
        Prefetch("positionings", queryset=Positioning.objects.select_related("product")),
    )


def _relations(data: dict[str, Any]) -> dict[str, Any]:
    """Take the relations out of validated data, as the services take them (only those sent)."""
    relations: dict[str, Any] = {}
    for name in ("products", "sells_to"):
        if name in data:
            relations[name] = list(data.pop(name))
    if "objections" in data:
        relations["objections"] = [dict(o) for o in data.pop("objections")]
    return relations


@extend_schema_view(
    list=extend_schema(
        summary="Validated personas, and the drafts of your teams; filterable and searchable."
    ),
    create=extend_schema(summary="Create a persona: PMMs buyer and sales-channel ones, PMs user ones."),
    partial_update=extend_schema(summary="Change a persona (its owners' roles only)."),
    update=extend_schema(summary="Replace a persona's fields (its owners' roles only)."),
)
class PersonaViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Persona],
):
    """Personas. Kind-specific fields of another kind are refused with a 400 naming each field.

    Drafts, retired personas and every history are their team's: 404 for anyone else.
    """

    lookup_value_regex = ID_LOOKUP
    serializer_class = PersonaSerializer
    permission_classes = [HasRole]
    allowed_roles = EVERYONE
    action_roles = dict.fromkeys(
        ("create", "update", "partial_update", "validate", "retire", "positioning"), WRITERS
    )
    filterset_class = PersonaFilter
    search_fields = ["name", "summary", "job_titles"]
    ordering_fields = ["name", "updated_at", "last_validated_at", "created_at"]
    ordering = ["name"]
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.can_create_persona(user)

    def get_queryset(self) -> QuerySet[Persona]:
        if getattr(self, "swagger_fake_view", False):
            return Persona.objects.none()
        return persona_queryset(self.request.user)

    def get_object(self, action_name: permissions.Action | None = None) -> Persona:
        if action_name is None:
            action_name = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        return permissions.access_persona(user=self.request.user, id=self.kwargs["pk"], action=action_name)

    def _fresh(self, persona: Persona) -> Persona:
        return self.get_queryset().get(pk=persona.pk)

    def retrieve(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        return Response(self.get_serializer(self._fresh(self.get_object())).data)

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        # The role passed ``may_create``; the kind and team the body names come next, and a
        # team the caller may not use answers like one that does not exist (403 either way).
        body = _body(request)
        kind = body.get("kind")
        known_kind = isinstance(kind, str) and kind in PersonaKind.values
        if known_kind and not permissions.can_create_persona(request.user, kind=str(kind)):
            raise PermissionDenied(permissions.PERSONA_CREATE_REFUSAL)
        team = None
        if body.get("team") not in (None, ""):
            team = permissions.access_team_for_new_persona(user=request.user, ref=body["team"])
        serializer = PersonaSerializer(
            data=request.data, context={**self.get_serializer_context(), "team": team}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        kind, team = data.pop("kind"), data.pop("team")
        relations = _relations(data)
        with service_errors():
            persona = services.persona_create(actor=request.user, team=team, kind=kind, **relations, **data)
        return Response(self.get_serializer(self._fresh(persona)).data, status=status.HTTP_201_CREATED)

    def update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        persona = self.get_object()
        context = {**self.get_serializer_context(), "team": persona.team, "persona": persona}
        serializer = PersonaSerializer(
            persona, data=request.data, partial=kwargs.get("partial", False), context=context
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        relations = _relations(data)
        with service_errors():
            services.persona_update(actor=request.user, persona=persona, **relations, **data)
        return Response(self.get_serializer(self._fresh(persona)).data)

    @extend_schema(
        request=None, responses={200: PersonaSerializer}, summary="Validate: records who and when."
    )
    @action(detail=True, methods=["post"])
    def validate(self, request: AuthenticatedRequest, pk: str) -> Response:
        persona = self.get_object()
        with service_errors():
            services.persona_validate(actor=request.user, persona=persona)
        return Response(self.get_serializer(self._fresh(persona)).data)

    @extend_schema(
        responses={200: HistoryEntrySerializer(many=True)},
        summary="Who changed what, newest first (the persona's team only; 404 for anyone else).",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: AuthenticatedRequest, pk: str) -> Response:
        persona = self.get_object("history")
        return Response(HistoryEntrySerializer(selectors.persona_history(persona=persona), many=True).data)

    @extend_schema(
        request=None, responses={200: PersonaSerializer}, summary="Retire: no longer flagged stale."
    )
    @action(detail=True, methods=["post"])
    def retire(self, request: AuthenticatedRequest, pk: str) -> Response:
        persona = self.get_object()
        services.persona_retire(actor=request.user, persona=persona)
        return Response(self.get_serializer(self._fresh(persona)).data)

    @extend_schema(
        request=PositioningWriteSerializer,
        responses={
            200: PositioningSerializer,
            403: OpenApiResponse(description="Not your side of the positioning."),
        },
        summary="Write one side of the positioning for a product (PM: value proposition; PMM: the rest).",
    )
    @action(detail=True, methods=["post"])
    def positioning(self, request: AuthenticatedRequest, pk: str) -> Response:
        user = request.user
        persona = permissions.access_persona(user=user, id=pk)
        if not permissions.can_edit_positioning(user, persona):
            raise PermissionDenied(f"Positioning of {persona.name} is kept by its team's PMMs and PMs.")
        body = _body(request)
        side = body.get("side")
        if side in ("pm", "pmm") and body.get("product") not in (None, ""):
            permissions.access_product_for_positioning(
                user=user, persona=persona, side=str(side), ref=body["product"]
            )
        context = {**self.get_serializer_context(), "persona": persona, "side": side}
        serializer = PositioningWriteSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        product, side = data.pop("product"), data.pop("side")
        with service_errors():
            positioning = services.positioning_update(
                actor=user, persona=persona, product=product, side=side, **data
            )
        return Response(PositioningSerializer(positioning).data)


# --- Customer interactions ---------------------------------------------------------------------


class QuoteSerializer(serializers.ModelSerializer[Quote]):
    """A quote; its ``persona`` is one of ``permissions.personas_for_interaction`` (context ``team``)."""

    persona = ScopedPrimaryKeyField(
        queryset=Persona.objects.none(), scope=_interaction_personas, required=False, allow_null=True
    )

    class Meta:
        model = Quote
        fields = ["id", "text", "speaker_role", "usable_in_sales", "persona"]


class FollowUpSerializer(serializers.ModelSerializer[FollowUp]):
    class Meta:
        model = FollowUp
        fields = ["id", "description", "due_on", "done_at"]
        read_only_fields = ["done_at"]


class FollowUpDoneSerializer(serializers.Serializer[Any]):
    done = serializers.BooleanField(default=True)


class InteractionSerializer(serializers.ModelSerializer[CustomerInteraction]):
    """An interaction; ``team`` is one of ``permissions.teams_for_new_interaction`` and its personas
    (and its quotes') are ``permissions.personas_for_interaction`` of its team (context ``team``)."""

    team = ScopedRefField(
        queryset=Team.objects.none(), scope=_interaction_teams, help_text=f"The team. {REF_HELP}"
    )
    owner = UserSummarySerializer(read_only=True)
    personas = ScopedPrimaryKeyField(
        queryset=Persona.objects.none(), scope=_interaction_personas, many=True, required=False
    )
    quotes = QuoteSerializer(many=True, required=False)
    follow_ups = FollowUpSerializer(many=True, required=False)

    class Meta:
        model = CustomerInteraction
        fields = [
            "id",
            "occurred_on",
            "kind",
            "account",
            "notes",
            "duration_minutes",
            "team",
            "owner",
            "personas",
            "quotes",
            "follow_ups",
            "created_at",
            "updated_at",
        ]


@extend_schema_view(
    list=extend_schema(summary="Customer interactions of the teams you belong to or lead."),
    create=extend_schema(summary="Log an interaction with its quotes and follow-ups (PMMs)."),
)
class InteractionViewSet(viewsets.ModelViewSet[CustomerInteraction]):
    """Customer interactions: visible to the team and its CMO (404 for others, 403 for sales)."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = InteractionSerializer
    permission_classes = [HasRole]
    allowed_roles = (Role.PMM, Role.PM, Role.CMO)
    action_roles = dict.fromkeys(("create", "update", "partial_update", "destroy"), (Role.PMM,))
    filterset_class = InteractionFilter
    search_fields = ["account", "notes"]
    ordering_fields = ["occurred_on", "account", "created_at"]
    ordering = ["-occurred_on", "-id"]
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.can_create_interaction(user)

    def get_queryset(self) -> QuerySet[CustomerInteraction]:
        if getattr(self, "swagger_fake_view", False):
            return CustomerInteraction.objects.none()
        return selectors.interaction_list(user=self.request.user).prefetch_related("quotes", "follow_ups")

    def get_object(self) -> CustomerInteraction:
        action_name: permissions.Action = (
            "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        )
        return permissions.access_interaction(
            user=self.request.user, id=self.kwargs["pk"], action=action_name
        )

    def _fresh(self, interaction: CustomerInteraction) -> CustomerInteraction:
        return self.get_queryset().get(pk=interaction.pk)

    def _serializer(self, *args: Any, team: Team | None, **kwargs: Any) -> InteractionSerializer:
        return InteractionSerializer(*args, context={**self.get_serializer_context(), "team": team}, **kwargs)

    def retrieve(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        return Response(self.get_serializer(self._fresh(self.get_object())).data)

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        # The role passed ``may_create``; a team the caller may not log for answers like one
        # that does not exist (403 either way), before any other field is looked at.
        body = _body(request)
        team = None
        if body.get("team") not in (None, ""):
            team = permissions.access_team_for_new_interaction(user=request.user, ref=body["team"])
        serializer = self._serializer(data=request.data, team=team)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["personas"] = list(data.get("personas", []))
        data["quotes"] = [dict(q) for q in data.get("quotes", [])]
        data["follow_ups"] = [dict(f) for f in data.get("follow_ups", [])]
        with service_errors():
            interaction = services.interaction_create(actor=request.user, **data)
        return Response(self.get_serializer(self._fresh(interaction)).data, status=status.HTTP_201_CREATED)

    def update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        interaction = self.get_object()
        serializer = self._serializer(
            interaction, data=request.data, partial=kwargs.get("partial", False), team=interaction.team
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        personas = list(data.pop("personas")) if "personas" in data else None
        with service_errors():
            services.interaction_update(
                actor=request.user, interaction=interaction, personas=personas, **data
            )
        return Response(self.get_serializer(self._fresh(interaction)).data)

    def destroy(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        services.interaction_delete(actor=request.user, interaction=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=FollowUpDoneSerializer,
        responses={200: FollowUpSerializer},
        summary="Tick a follow-up off (done: true) or reopen it (done: false).",
    )
    @action(detail=True, methods=["post"], url_path=rf"follow-ups/(?P<follow_up_id>{ID_LOOKUP})/done")
    def follow_up_done(self, request: AuthenticatedRequest, pk: str, follow_up_id: str) -> Response:
        follow_up = permissions.access_follow_up(user=request.user, id=follow_up_id)
        if str(follow_up.interaction_id) != str(pk):
            raise Http404("No such follow-up on this interaction.")
        serializer = FollowUpDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.follow_up_complete(
            actor=request.user, follow_up=follow_up, done=serializer.validated_data["done"]
        )
        return Response(FollowUpSerializer(follow_up).data)
