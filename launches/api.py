"""``/api/v1/launches/``, ``/api/v1/launch-items/`` and ``/api/v1/launch-templates/``: the same door and
services as the pages.

Order of every write: the role (``HasRole``, ``action_roles``, ``may_create``), then the object
through ``permissions.access_*``, then the product or team the body names (a forbidden one
answers like an unknown one), and only then the body's fields; the services'
``ValidationError`` is a 400 with field errors. Sales read launches and their enablement items
only, and write nothing.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from initiatives.models import Initiative
from pmm_portal.core.api import (
    ID_LOOKUP,
    REF_HELP,
    RefField,
    ScopedPrimaryKeyField,
    UserSummarySerializer,
    service_errors,
)
from pmm_portal.core.http import AuthenticatedRequest
from pmm_portal.core.models import Product, Team, User
from pmm_portal.core.permissions import HasRole
from requests_queue.models import Asset

from . import permissions, selectors, services
from .filters import ItemFilter, LaunchFilter
from .models import ItemStatus, Launch, LaunchItem, LaunchTemplate, LaunchTier, Readiness, Side, TemplateItem

WRITE_ACTIONS = ("create", "update", "partial_update", "destroy", "from_template")


def _body(request: AuthenticatedRequest) -> Mapping[str, Any]:
    return request.data if isinstance(request.data, Mapping) else {}


def _team_id(context: Mapping[str, Any]) -> int | None:
    return context.get("team_id")


def _scoped_people(context: Mapping[str, Any]) -> QuerySet[User] | None:
    team_id = _team_id(context)
    return services.team_people(team_id) if team_id is not None else None


def _scoped_assets(context: Mapping[str, Any]) -> QuerySet[Asset] | None:
    team_id = _team_id(context)
    return Asset.objects.filter(team_id=team_id, retired_at__isnull=True) if team_id is not None else None


def _scoped_initiatives(context: Mapping[str, Any]) -> QuerySet[Initiative] | None:
    team_id = _team_id(context)
    return Initiative.objects.filter(team_id=team_id) if team_id is not None else None


def _scoped_products(context: Mapping[str, Any]) -> QuerySet[Product] | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    return permissions.writer_products(user) if isinstance(user, User) else None


class LaunchSerializer(serializers.ModelSerializer[Launch]):
    product: serializers.PrimaryKeyRelatedField[Product] = serializers.PrimaryKeyRelatedField(read_only=True)
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(
        source="product.team", read_only=True, help_text="The id of the product's team."
    )
    tier = serializers.ChoiceField(choices=LaunchTier.choices, required=False)
    owners = ScopedPrimaryKeyField(
        scope=_scoped_people, queryset=User.objects.none(), many=True, required=False
    )
    readiness = serializers.ChoiceField(choices=Readiness.choices, read_only=True)
    item_count = serializers.IntegerField(
        read_only=True, help_text="Items you see, not counting those not needed."
    )
    done_count = serializers.IntegerField(read_only=True)
    late_count = serializers.IntegerField(read_only=True)
    blocked_count = serializers.IntegerField(read_only=True)
    created_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = Launch
        fields = [
            "id",
            "product",
            "team",
            "name",
            "launch_on",
            "tier",
            "owners",
            "summary",
            "readiness",
            "item_count",
            "done_count",
            "late_count",
            "blocked_count",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class LaunchCreateSerializer(LaunchSerializer):
    product = ScopedPrimaryKeyField(scope=_scoped_products, queryset=Product.objects.none())
    tier = serializers.ChoiceField(choices=LaunchTier.choices)
    launch_on = serializers.DateField()


class LaunchItemSerializer(serializers.ModelSerializer[LaunchItem]):
    launch: serializers.PrimaryKeyRelatedField[Launch] = serializers.PrimaryKeyRelatedField(read_only=True)
    side = serializers.ChoiceField(choices=Side.choices, required=False)
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    expected_status = serializers.ChoiceField(
        choices=ItemStatus.choices,
        required=False,
        write_only=True,
        help_text="The status you last saw: the change applies only if the item still has it (else 400).",
    )
    owner = ScopedPrimaryKeyField(
        scope=_scoped_people, queryset=User.objects.none(), required=False, allow_null=True
    )
    owner_detail = UserSummarySerializer(source="owner", read_only=True, allow_null=True)
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Set to pin the due date by hand; null counts it back from the launch date again.",
    )
    asset = ScopedPrimaryKeyField(
        scope=_scoped_assets, queryset=Asset.objects.none(), required=False, allow_null=True
    )
    initiative = ScopedPrimaryKeyField(
        scope=_scoped_initiatives, queryset=Initiative.objects.none(), required=False, allow_null=True
    )

    class Meta:
        model = LaunchItem
        fields = [
            "id",
            "launch",
            "title",
            "side",
            "for_sales",
            "owner",
            "owner_detail",
            "offset_days",
            "due_on",
            "due_by_hand",
            "status",
            "expected_status",
            "asset",
            "initiative",
            "note",
            "status_changed_at",
            "updated_at",
        ]
        read_only_fields = ["id", "launch", "due_by_hand", "status_changed_at", "updated_at"]


class TemplateItemSerializer(serializers.ModelSerializer[TemplateItem]):
    side = serializers.ChoiceField(choices=Side.choices)

    class Meta:
        model = TemplateItem
        fields = ["title", "side", "for_sales", "offset_days"]


class LaunchTemplateSerializer(serializers.ModelSerializer[LaunchTemplate]):
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(read_only=True)
    tier = serializers.ChoiceField(choices=LaunchTier.choices)
    items = TemplateItemSerializer(many=True)

    class Meta:
        model = LaunchTemplate
        fields = ["id", "team", "tier", "name", "items", "updated_at"]
        read_only_fields = ["id", "team", "updated_at"]
        validators: list[Any] = []


class LaunchTemplateCreateSerializer(LaunchTemplateSerializer):
    team = RefField(queryset=Team.objects.all(), required=False, help_text=f"The team. {REF_HELP}")


@extend_schema_view(
    list=extend_schema(
        summary="Launches you see with their readiness (sales: over enablement items): "
        "?q=, ?product=, ?tier=, ?status=on_track|at_risk|late|ready, ?late=true, ?upcoming=true."
    ),
    create=extend_schema(request=LaunchCreateSerializer, summary="Create an empty launch (PMs, PMMs, CMO)."),
    from_template=extend_schema(
        request=LaunchCreateSerializer,
        responses={201: LaunchSerializer},
        summary="Start a launch from the team's template for its tier: every item created, due dates counted "
        "back in business days, owners defaulted by side.",
    ),
)
class LaunchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Launch],
):
    """Launches: read by the team's marketing and by sales (404 for other teams); written by the
    team's PMs, PMMs and CMO. A new ``launch_on`` moves the due dates not set by hand."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = LaunchSerializer
    permission_classes = [HasRole]
    allowed_roles = permissions.READERS
    action_roles = dict.fromkeys(WRITE_ACTIONS, permissions.WRITERS)
    filterset_class = LaunchFilter
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.writer_teams(user).exists()

    may_from_template = may_create

    def get_queryset(self) -> QuerySet[Launch]:
        if getattr(self, "swagger_fake_view", False):
            return Launch.objects.none()
        return selectors.launch_list(user=self.request.user).order_by("launch_on", "id")

    def get_object(self) -> Launch:
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            return permissions.access_launch(user=self.request.user, id=self.kwargs["pk"], change=True)
        launch = self.get_queryset().filter(pk=permissions.parse_id(self.kwargs["pk"]) or 0).first()
        if launch is None:
            raise Http404("No such launch.")
        return launch

    def _read(self, launch: Launch) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=launch.pk)
        return LaunchSerializer(fresh, context=self.get_serializer_context()).data

    def _create(self, request: AuthenticatedRequest, *, from_template: bool) -> Response:
        context = self.get_serializer_context()
        product_id = _body(request).get("product")
        product = (
            permissions.writer_products(request.user)
            .filter(pk=permissions.parse_id(product_id or "") or 0)
            .first()
        )
        serializer = LaunchCreateSerializer(
            data=request.data, context={**context, "team_id": product.team_id if product else None}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with service_errors():
            launch = services.launch_create(actor=request.user, from_template=from_template, **data)
        return Response(self._read(launch), status=status.HTTP_201_CREATED)

    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        return self._create(request, from_template=False)

    @action(detail=False, methods=["post"], url_path="from-template")
    def from_template(self, request: AuthenticatedRequest) -> Response:
        return self._create(request, from_template=True)

    def update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        launch = self.get_object()
        serializer = LaunchSerializer(
            launch,
            data=request.data,
            partial=kwargs.get("partial", False),
            context={**self.get_serializer_context(), "team_id": launch.product.team_id},
        )
        serializer.is_valid(raise_exception=True)
        with service_errors():
            launch = services.launch_update(actor=request.user, launch=launch, **serializer.validated_data)
        return Response(self._read(launch))

    def destroy(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        launch = self.get_object()
        services.launch_delete(actor=request.user, launch=launch)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Launch items you see (sales: enablement items only): ?launch=, ?side=, ?status=, ?owner=, ?late=true."
    ),
    partial_update=extend_schema(
        summary="Change an item: status (with expected_status against races), owner, due date, link, note."
    ),
)
class LaunchItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[LaunchItem],
):
    """The items of launches: what each function owes the other, and the launch deliverables."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = LaunchItemSerializer
    permission_classes = [HasRole]
    allowed_roles = permissions.READERS
    action_roles = dict.fromkeys(("update", "partial_update"), permissions.WRITERS)
    filterset_class = ItemFilter
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[LaunchItem]:
        if getattr(self, "swagger_fake_view", False):
            return LaunchItem.objects.none()
        return (
            permissions.items_visible_to(self.request.user)
            .select_related("owner")
            .order_by("launch_id", "due_on", "position", "id")
        )

    def get_object(self) -> LaunchItem:
        change = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return permissions.access_item(user=self.request.user, id=self.kwargs["pk"], change=change)

    def update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        item = self.get_object()
        context = {**self.get_serializer_context(), "team_id": item.launch.product.team_id}
        serializer = LaunchItemSerializer(
            item, data=request.data, partial=kwargs.get("partial", False), context=context
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected = data.pop("expected_status", None)
        with service_errors():
            if "status" in data:
                services.item_set_status(
                    actor=request.user, item=item, status=data.pop("status"), expected=expected
                )
            if data:
                item = services.item_update(actor=request.user, item=item, **data)
        fresh = self.get_queryset().get(pk=item.pk)
        return Response(LaunchItemSerializer(fresh, context=context).data)


class LaunchTemplateViewSet(viewsets.ModelViewSet[LaunchTemplate]):
    """The team's launch templates, one per tier (seeded from the articles): its PMs, PMMs and CMO
    read and keep them; nobody else sees them (403 for sales, 404 for other teams)."""

    lookup_value_regex = ID_LOOKUP
    serializer_class = LaunchTemplateSerializer
    permission_classes = [HasRole]
    allowed_roles = permissions.WRITERS
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    request: AuthenticatedRequest

    def may_create(self, user: User) -> bool:
        return permissions.writer_teams(user).exists()

    def get_queryset(self) -> QuerySet[LaunchTemplate]:
        if getattr(self, "swagger_fake_view", False):
            return LaunchTemplate.objects.none()
        if self.action == "list":
            for team in permissions.writer_teams(self.request.user):
                services.templates_of(team)
        return (
            permissions.templates_visible_to(self.request.user)
            .select_related("team")
            .prefetch_related("items")
            .order_by("team__name", "tier")
        )

    def get_object(self) -> LaunchTemplate:
        return permissions.access_template(user=self.request.user, id=self.kwargs["pk"])

    @extend_schema(request=LaunchTemplateCreateSerializer)
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        team = permissions.team_for_new(permissions.writer_teams(request.user), _body(request).get("team"))
        serializer = LaunchTemplateCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            template = services.template_save(
                actor=request.user, team=team, tier=data["tier"], name=data["name"], items=data["items"]
            )
        return Response(LaunchTemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    def update(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        template = self.get_object()
        serializer = LaunchTemplateSerializer(
            template, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        items = data.get("items")
        if items is None:
            items = [
                {"title": i.title, "side": i.side, "for_sales": i.for_sales, "offset_days": i.offset_days}
                for i in template.items.all()
            ]
        with service_errors():
            template = services.template_save(
                actor=request.user,
                team=template.team,
                tier=data.get("tier", template.tier),
                name=data.get("name", template.name),
                items=items,
                template=template,
            )
        template = self.get_queryset().get(pk=template.pk)
        return Response(LaunchTemplateSerializer(template).data)

    def destroy(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        template = self.get_object()
        services.template_delete(actor=request.user, template=template)
        return Response(status=status.HTTP_204_NO_CONTENT)
