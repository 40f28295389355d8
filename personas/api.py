"""``/api/v1/personas/`` and ``/api/v1/interactions/``: the same door and services as the pages.

Serializers parse and present; the rules (kind-specific fields, one team per
interaction, lengths) are the services', whose ``ValidationError`` becomes a
400 with field errors here.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmm_portal.core.api import UserSummarySerializer
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
    Positioning,
    Quote,
    foreign_fields_for_kind,
)


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a service's ``ValidationError`` into DRF's 400 with one entry per field."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            detail = {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
            raise serializers.ValidationError(detail) from error
        raise serializers.ValidationError({"non_field_errors": error.messages}) from error


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


# --- Personas -------------------------------------------------------------------------------


class ObjectionSerializer(serializers.ModelSerializer[Objection]):
    class Meta:
        model = Objection
        fields = ["objection", "response"]


class PositioningSerializer(serializers.ModelSerializer[Positioning]):
    product: serializers.SlugRelatedField[Product] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Positioning
        fields = ["product", *Positioning.PM_FIELDS, *Positioning.PMM_FIELDS, "updated_at"]


class PositioningWriteSerializer(serializers.Serializer[Any]):
    """One side of a positioning: ``side`` "pm" (value proposition) or "pmm" (the rest)."""

    product = serializers.SlugRelatedField(slug_field="slug", queryset=Product.objects.all())
    side = serializers.ChoiceField(choices=["pm", "pmm"])
    value_proposition = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    against_competitors = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    against_substitutes = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    against_status_quo = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    key_messages = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    proof_points = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        own = Positioning.PM_FIELDS if attrs["side"] == "pm" else Positioning.PMM_FIELDS
        foreign = [
            name
            for name in Positioning.PM_FIELDS + Positioning.PMM_FIELDS
            if name in attrs and name not in own
        ]
        if foreign:
            raise serializers.ValidationError(
                {
                    name: f"Not part of the {attrs['side'].upper()} side of the positioning."
                    for name in foreign
                }
            )
        return attrs


class PersonaSerializer(serializers.ModelSerializer[Persona]):
    """A persona; the fields of other kinds are left out of its representation and refused on input."""

    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all()
    )
    products: serializers.SlugRelatedField[Product] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Product.objects.all(), many=True, required=False
    )
    sells_to = serializers.PrimaryKeyRelatedField(queryset=Persona.objects.all(), many=True, required=False)
    owner = UserSummarySerializer(read_only=True)
    last_validated_by = UserSummarySerializer(read_only=True)
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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            for name in ("kind", "team"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: f"A persona's {name} cannot change; create a new one."}
                    )
        return attrs


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
        "sells_to",
        Prefetch("positionings", queryset=Positioning.objects.select_related("product")),
    )


@extend_schema_view(
    list=extend_schema(summary="Personas everyone signed in reads, filterable and searchable."),
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
    """Personas. Kind-specific fields of another kind are refused with a 400 naming each field."""

    serializer_class = PersonaSerializer
    permission_classes = [HasRole]
    allowed_roles = EVERYONE
    filterset_class = PersonaFilter
    search_fields = ["name", "summary", "job_titles"]
    ordering_fields = ["name", "updated_at", "last_validated_at", "created_at"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Persona]:
        if getattr(self, "swagger_fake_view", False):
            return Persona.objects.none()
        return persona_queryset(_user(self.request))

    def get_object(self) -> Persona:
        action_name: permissions.Action = (
            "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        )
        persona = permissions.access_persona(
            user=_user(self.request), id=self.kwargs["pk"], action=action_name
        )
        return persona

    def _fresh(self, persona: Persona) -> Persona:
        return self.get_queryset().get(pk=persona.pk)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self._fresh(self.get_object())).data)

    def _relations(self, data: dict[str, Any]) -> dict[str, Any]:
        relations: dict[str, Any] = {}
        for name in ("products", "sells_to"):
            if name in data:
                relations[name] = list(data.pop(name))
        if "objections" in data:
            relations["objections"] = [dict(o) for o in data.pop("objections")]
        return relations

    def _reject_foreign_fields(self, kind: str) -> None:
        """Refuse fields of another kind that the client sent, even empty ones."""
        errors = {
            name: f"Not a field of {kind.replace('_', '-')} personas."
            for name in foreign_fields_for_kind(kind)
            if name in self.request.data
        }
        if errors:
            raise serializers.ValidationError(errors)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        kind, team = data.pop("kind"), data.pop("team")
        self._reject_foreign_fields(kind)
        if not permissions.can_create_persona(_user(request), kind=kind, team=team):
            raise PermissionDenied("Your role or team does not let you create this kind of persona here.")
        relations = self._relations(data)
        with service_errors():
            persona = services.persona_create(actor=_user(request), team=team, kind=kind, **relations, **data)
        return Response(self.get_serializer(self._fresh(persona)).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        persona = self.get_object()
        serializer = self.get_serializer(persona, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        self._reject_foreign_fields(persona.kind)
        data = dict(serializer.validated_data)
        data.pop("kind", None)
        data.pop("team", None)
        relations = self._relations(data)
        with service_errors():
            services.persona_update(actor=_user(request), persona=persona, **relations, **data)
        return Response(self.get_serializer(self._fresh(persona)).data)

    @extend_schema(
        request=None, responses={200: PersonaSerializer}, summary="Validate: records who and when."
    )
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: str) -> Response:
        persona = self.get_object()
        with service_errors():
            services.persona_validate(actor=_user(request), persona=persona)
        return Response(self.get_serializer(self._fresh(persona)).data)

    @extend_schema(
        responses={200: HistoryEntrySerializer(many=True)}, summary="Who changed what, newest first."
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        persona = self.get_object()
        return Response(HistoryEntrySerializer(selectors.persona_history(persona=persona), many=True).data)

    @extend_schema(
        request=None, responses={200: PersonaSerializer}, summary="Retire: no longer flagged stale."
    )
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str) -> Response:
        persona = self.get_object()
        services.persona_retire(actor=_user(request), persona=persona)
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
    def positioning(self, request: Request, pk: str) -> Response:
        persona = permissions.access_persona(user=_user(request), id=pk)
        serializer = PositioningWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        product, side = data.pop("product"), data.pop("side")
        permissions.access_positioning_side(
            user=_user(request), persona=persona, product_id=product.pk, side=side
        )
        with service_errors():
            positioning = services.positioning_update(
                actor=_user(request), persona=persona, product=product, side=side, **data
            )
        return Response(PositioningSerializer(positioning).data)


# --- Customer interactions ---------------------------------------------------------------------


class QuoteSerializer(serializers.ModelSerializer[Quote]):
    persona = serializers.PrimaryKeyRelatedField(
        queryset=Persona.objects.all(), required=False, allow_null=True
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
    team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all()
    )
    owner = UserSummarySerializer(read_only=True)
    personas = serializers.PrimaryKeyRelatedField(queryset=Persona.objects.all(), many=True, required=False)
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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            errors: dict[str, str] = {
                name: "Add quotes and follow-ups on the interaction's page; this endpoint changes the interaction only."
                for name in ("quotes", "follow_ups")
                if name in attrs
            }
            if "team" in attrs and attrs["team"] != self.instance.team:
                errors["team"] = "An interaction's team cannot change."
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


@extend_schema_view(
    list=extend_schema(summary="Customer interactions of the teams you belong to or lead."),
    create=extend_schema(summary="Log an interaction with its quotes and follow-ups (PMMs)."),
)
class InteractionViewSet(viewsets.ModelViewSet[CustomerInteraction]):
    """Customer interactions: visible to the team and its CMO (404 for others, 403 for sales)."""

    serializer_class = InteractionSerializer
    permission_classes = [HasRole]
    allowed_roles = (Role.PMM, Role.PM, Role.CMO)
    filterset_class = InteractionFilter
    search_fields = ["account", "notes"]
    ordering_fields = ["occurred_on", "account", "created_at"]
    ordering = ["-occurred_on", "-id"]

    def get_queryset(self) -> QuerySet[CustomerInteraction]:
        if getattr(self, "swagger_fake_view", False):
            return CustomerInteraction.objects.none()
        return selectors.interaction_list(user=_user(self.request)).prefetch_related("quotes", "follow_ups")

    def get_object(self) -> CustomerInteraction:
        action_name: permissions.Action = (
            "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        )
        return permissions.access_interaction(
            user=_user(self.request), id=self.kwargs["pk"], action=action_name
        )

    def _fresh(self, interaction: CustomerInteraction) -> CustomerInteraction:
        return self.get_queryset().get(pk=interaction.pk)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self._fresh(self.get_object())).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        if not permissions.can_log_interactions(user):
            raise PermissionDenied("Only product marketers log customer interactions.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not permissions.teams_for_new_interaction(user).filter(pk=data["team"].pk).exists():
            raise PermissionDenied("You can log interactions only for your own teams.")
        data["personas"] = list(data.get("personas", []))
        data["quotes"] = [dict(q) for q in data.get("quotes", [])]
        data["follow_ups"] = [dict(f) for f in data.get("follow_ups", [])]
        with service_errors():
            interaction = services.interaction_create(actor=user, **data)
        return Response(self.get_serializer(self._fresh(interaction)).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        interaction = self.get_object()
        serializer = self.get_serializer(interaction, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("team", None)
        personas = list(data.pop("personas")) if "personas" in data else None
        with service_errors():
            services.interaction_update(
                actor=_user(request), interaction=interaction, personas=personas, **data
            )
        return Response(self.get_serializer(self._fresh(interaction)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.interaction_delete(actor=_user(request), interaction=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=FollowUpDoneSerializer,
        responses={200: FollowUpSerializer},
        summary="Tick a follow-up off (done: true) or reopen it (done: false).",
    )
    @action(detail=True, methods=["post"], url_path=r"follow-ups/(?P<follow_up_id>\d+)/done")
    def follow_up_done(self, request: Request, pk: str, follow_up_id: str) -> Response:
        follow_up = permissions.access_follow_up(user=_user(request), id=follow_up_id)
        if str(follow_up.interaction_id) != str(pk):
            raise Http404("No such follow-up on this interaction.")
        serializer = FollowUpDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.follow_up_complete(
            actor=_user(request), follow_up=follow_up, done=serializer.validated_data["done"]
        )
        return Response(FollowUpSerializer(follow_up).data)
