"""``/api/v1/integrations/`` (endpoints: webhooks, Slack and Teams channels) and
``/api/v1/integration-deliveries/`` (the delivery log, with re-send): the same door and services
as the pages.

Order of every write: the role (``HasRole``: administrators and CMOs), then the object through
``permissions.access_*`` (404 for another team's), then the team the body names (one the caller
does not lead answers like an unknown one), and only then the body's fields; the services'
``ValidationError`` is a 400 with field errors.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from pmm_portal.core.api import ID_LOOKUP, ScopedRefField, UserSummarySerializer, for_user, service_errors
from pmm_portal.core.http import AuthenticatedRequest
from pmm_portal.core.models import Team, User
from pmm_portal.core.permissions import HasRole

from . import permissions, selectors, services
from .filters import DeliveryFilter, EndpointFilter
from .models import SUBSCRIBABLE, URL, Delivery, DeliveryStatus, Endpoint, EndpointKind, Event


class EndpointSerializer(serializers.ModelSerializer[Endpoint]):
    kind = serializers.ChoiceField(choices=EndpointKind.choices, read_only=True)
    url = serializers.CharField(max_length=URL, help_text="An http:// or https:// address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[(e, Event(e).label) for e in SUBSCRIBABLE]),
        help_text="What it hears. Slack and Teams channels: request.created, request.sla_breached, "
        "request.delivered and win.promoted only.",
    )
    team = ScopedRefField(
        scope=for_user(permissions.managed_teams),
        queryset=Team.objects.none(),
        allow_null=True,
        required=False,
        help_text="The team whose events it hears (its id; a slug is still accepted); null: every team's "
        "(administrators, webhooks).",
    )
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    active = serializers.BooleanField(source="is_active", read_only=True)
    secret = serializers.CharField(
        read_only=True,
        help_text="Webhooks: the HMAC-SHA256 key of X-PMM-Signature (sha256=<hex of the body>).",
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "kind",
            "name",
            "url",
            "events",
            "team",
            "owner",
            "active",
            "paused_at",
            "pause_reason",
            "failure_streak",
            "secret",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "paused_at", "pause_reason", "failure_streak", "created_at", "updated_at"]


class EndpointCreateSerializer(EndpointSerializer):
    kind = serializers.ChoiceField(choices=EndpointKind.choices, default=EndpointKind.WEBHOOK)


class DeliverySerializer(serializers.ModelSerializer[Delivery]):
    endpoint: serializers.PrimaryKeyRelatedField[Endpoint] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    event = serializers.ChoiceField(choices=Event.choices, read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    body = serializers.JSONField(read_only=True, help_text="The exact JSON sent.")
    resend_of: serializers.PrimaryKeyRelatedField[Delivery] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "uuid",
            "endpoint",
            "event",
            "event_key",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "delivered_at",
            "response_code",
            "response_excerpt",
            "error",
            "resend_of",
            "body",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Your endpoints (CMO: your teams'; administrators: all): ?q=, ?kind=, ?state=, ?team=."
    ),
    create=extend_schema(
        request=EndpointCreateSerializer, summary="Register a webhook, Slack or Teams endpoint."
    ),
    partial_update=extend_schema(summary="Change an endpoint's name, URL, events or team."),
    update=extend_schema(summary="Change an endpoint's name, URL, events and team."),
)
class EndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Endpoint],
):
    """Endpoints that hear the portal's events; administrators and the teams' CMOs manage them."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = EndpointSerializer
    permission_classes = [HasRole]
    allowed_roles = permissions.MANAGERS
    filterset_class = EndpointFilter
    search_fields: list[str] = []
    ordering_fields: list[str] = []
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.may_manage(user)

    def get_queryset(self) -> QuerySet[Endpoint]:
        if getattr(self, "swagger_fake_view", False):
            return Endpoint.objects.none()
        return (
            permissions.endpoints_visible_to(self.request.user)
            .select_related("team", "owner")
            .order_by("name", "id")
        )

    def get_object(self) -> Endpoint:
        return permissions.access_endpoint(user=self.request.user, id=self.kwargs["pk"])

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        serializer = EndpointCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with service_errors():
            endpoint = services.endpoint_create(actor=request.user, team=data.pop("team", None), **data)
        return Response(EndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        endpoint = self.get_object()
        serializer = EndpointSerializer(
            endpoint,
            data=request.data,
            partial=kwargs.get("partial", False),
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            endpoint = services.endpoint_update(
                actor=request.user,
                endpoint=endpoint,
                name=data.get("name", endpoint.name),
                url=data.get("url", endpoint.url),
                events=data.get("events", endpoint.events),
                team=data.get("team", endpoint.team),
            )
        return Response(EndpointSerializer(endpoint).data)

    def destroy(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        services.endpoint_delete(actor=request.user, endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None, responses={200: EndpointSerializer}, summary="Stop sending; deliveries wait."
    )
    @action(detail=True, methods=["post"])
    def pause(self, request: AuthenticatedRequest, pk: str) -> Response:
        endpoint = self.get_object()
        services.endpoint_pause(actor=request.user, endpoint=endpoint)
        return Response(EndpointSerializer(self.get_object()).data)

    @extend_schema(
        request=None, responses={200: EndpointSerializer}, summary="Send again, the waiting deliveries first."
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: AuthenticatedRequest, pk: str) -> Response:
        endpoint = self.get_object()
        services.endpoint_resume(actor=request.user, endpoint=endpoint)
        return Response(EndpointSerializer(self.get_object()).data)

    @extend_schema(
        request=None,
        responses={201: DeliverySerializer, 400: OpenApiResponse(description="The endpoint is paused.")},
        summary="Send a test event (ping); its delivery is returned and shows in the log.",
    )
    @action(detail=True, methods=["post"])
    def ping(self, request: AuthenticatedRequest, pk: str) -> Response:
        endpoint = self.get_object()
        with service_errors():
            delivery = services.endpoint_ping(actor=request.user, endpoint=endpoint)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="The delivery log of your endpoints, newest first: ?q=, ?endpoint=, ?status=, ?event=."
    ),
)
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Delivery]):
    """Each event sent (or to send) to an endpoint, with the receiver's answer."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = DeliverySerializer
    permission_classes = [HasRole]
    allowed_roles = permissions.MANAGERS
    filterset_class = DeliveryFilter
    search_fields: list[str] = []
    ordering_fields: list[str] = []
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[Delivery]:
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        return selectors.delivery_log(user=self.request.user).defer(None)

    def get_object(self) -> Delivery:
        return permissions.access_delivery(user=self.request.user, id=self.kwargs["pk"])

    @extend_schema(
        request=None,
        responses={
            201: DeliverySerializer,
            400: OpenApiResponse(description="Paused endpoint, or still sending."),
        },
        summary="Send the same body again, as a new delivery (same event id, new delivery id).",
    )
    @action(detail=True, methods=["post"])
    def resend(self, request: AuthenticatedRequest, pk: str) -> Response:
        delivery = self.get_object()
        with service_errors():
            again = services.delivery_resend(actor=request.user, delivery=delivery)
        return Response(DeliverySerializer(again).data, status=status.HTTP_201_CREATED)
