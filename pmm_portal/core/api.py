"""API of the shared core: who am I, teams, products, tokens, the global search, pagination."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics, serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ErrorDetail, NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pmm_portal.core.throttling import AnonRateThrottle

from . import selectors
from .filters import RefFilter, ref_filter
from .forms import SearchForm
from .http import AuthenticatedRequest, acting_user, request_user
from .models import Product, Team, User
from .permissions import EVERYONE, HasRole


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a service's ``ValidationError`` into DRF's 400 with one entry per field (every app's API)."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            detail = {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
            raise serializers.ValidationError(detail) from error
        raise serializers.ValidationError({"non_field_errors": error.messages}) from error


# Every viewset looks its objects up by a positive integer id written in ASCII digits: anything
# else ("abc", "1.5", "²") matches no route and answers the JSON 404 of ``NotFoundView``, before
# any lookup could turn it into a 500. (``\d`` would let other scripts' digits through.)
ID_LOOKUP = "[0-9]+"
# Teams and products are looked up by slug: the characters a slug may hold (a NUL byte, which
# PostgreSQL refuses in any string, never reaches the database).
SLUG_LOOKUP = "[-a-zA-Z0-9_]+"


class _JsonOnly(BaseContentNegotiation):
    """JSON whatever the client accepts: an unknown path has no other representation."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return None

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any path under ``/api/`` that names no endpoint: the API's JSON 404, for every method.

    Nobody needs to sign in to learn that a path does not exist, so neither authentication
    nor throttling runs; the body is the one error format of every other answer.
    """

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = _JsonOnly

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound("There is no such endpoint: the API's paths are listed at /api/docs/.")


_M = TypeVar("_M", bound=Model)
# The choices of a scoped field, from the serializer's context (None: the field's empty queryset).
Scope = Callable[[Mapping[str, Any]], QuerySet[_M] | None]


def context_user(context: Mapping[str, Any]) -> User | None:
    """The signed-in user a serializer works for (None in schema generation)."""
    return request_user(context.get("request"))


def for_user(choices: Callable[[User], QuerySet[_M]]) -> Scope[_M]:
    """A scope of the requesting user's choices: ``ScopedPrimaryKeyField(scope=for_user(linkable_by))``."""

    def scope(context: Mapping[str, Any]) -> QuerySet[_M] | None:
        user = context_user(context)
        return choices(user) if user is not None else None

    return scope


NOT_A_CHOICE = "Not one of the choices you may use."


class _Scoped(serializers.RelatedField[_M, Any, Any]):
    """Looks a value up only among ``scope(context)``: the choices the app's permissions allow.

    A value outside them gets the same answer as one that does not exist, which does not
    echo it. ``queryset`` (an empty one) names the model for the schema.
    """

    default_error_messages = {"does_not_exist": NOT_A_CHOICE}

    def __init__(self, *, scope: Scope[_M], **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[_M]:
        scoped = self.scope(self.context)
        if scoped is not None:
            return scoped
        empty = super().get_queryset()
        assert empty is not None
        return empty


class ScopedSlugField(_Scoped[_M], serializers.SlugRelatedField[_M]):
    """A slug among the permitted choices (see ``_Scoped``)."""


class ScopedPrimaryKeyField(_Scoped[_M], serializers.PrimaryKeyRelatedField[_M]):
    """An id among the permitted choices (see ``_Scoped``)."""


# One way to refer to a team or a product everywhere in the API: its id, in bodies, answers and
# filters. A slug (``core-platform``) is still understood where one was before, for clients and
# links written then; the schema documents the id.
REF_HELP = "Its id (a slug is still accepted, for older clients)."


class RefField(serializers.PrimaryKeyRelatedField[_M]):
    """A team or product by id; a slug is accepted too, for compatibility (``REF_HELP``)."""

    def to_internal_value(self, data: Any) -> _M:
        if isinstance(data, str) and data and not data.isdigit():
            queryset = self.get_queryset()
            assert queryset is not None
            found = queryset.filter(slug=data[:100]).first() if "\x00" not in data else None
            if found is None:
                self.fail("does_not_exist", pk_value=data)
            return found
        return super().to_internal_value(data)


class ScopedRefField(_Scoped[_M], RefField[_M]):
    """A team or product by id (or slug) among the permitted choices (see ``_Scoped``, ``RefField``)."""


@extend_schema_field({"type": "string", "anyOf": [{"format": "uri"}, {"maxLength": 0}]})
class OptionalURLField(serializers.CharField):
    """A link that may be left empty: ``""`` (as the model stores it), otherwise a URL.

    It checks what DRF's ``URLField`` checks, but the schema says "a URI or empty": a
    ``URLField``'s says every value is a URI, which ``""`` is not. The check runs in
    ``to_internal_value`` rather than as a validator, which the schema would read as "always a URI".
    """

    default_error_messages = {"invalid": serializers.URLField.default_error_messages["invalid"]}

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            URLValidator()(value)
        except DjangoValidationError:
            self.fail("invalid")
        return value


class UserSummarySerializer(serializers.ModelSerializer[User]):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "role"]


class TeamSerializer(serializers.ModelSerializer[Team]):
    lead = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "slug",
            "lead",
            "one_off_budget_min_pct",
            "one_off_budget_max_pct",
            "persona_stale_days",
            "time_zone",
        ]


class ProductSerializer(serializers.ModelSerializer[Product]):
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The id of the team that covers it."
    )

    class Meta:
        model = Product
        fields = ["id", "name", "slug", "team", "description"]


class MeSerializer(serializers.ModelSerializer[User]):
    display_name = serializers.CharField(read_only=True)
    teams = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "role", "job_title", "teams"]

    def get_teams(self, user: User) -> list[int]:
        """The ids of the teams the user belongs to or leads."""
        return [team.pk for team in selectors.teams_of(user=user)]


class MeView(generics.RetrieveAPIView[User]):
    """The signed-in user, with their role and teams."""

    serializer_class = MeSerializer
    permission_classes = [HasRole]
    allowed_roles = EVERYONE

    def get_object(self) -> User:
        return acting_user(self.request)


class _ByIdOrSlug(generics.GenericAPIView[Any]):
    """``/{id}/``, the canonical address; ``/{slug}/`` still answers, for older clients and links."""

    lookup_value_regex = SLUG_LOOKUP

    def get_object(self) -> Any:
        value = str(self.kwargs["pk"])
        lookup = {"pk": int(value)} if value.isdigit() else {"slug": value}
        found = self.filter_queryset(self.get_queryset()).filter(**lookup).first()
        if found is None:
            raise NotFound("No such team or product (or not visible to you).")
        return found


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=REF_HELP)]
    )
)
class TeamViewSet(_ByIdOrSlug, viewsets.ReadOnlyModelViewSet[Team]):
    """Teams the user belongs to or leads (every team for administrators)."""

    serializer_class = TeamSerializer
    permission_classes = [HasRole]
    allowed_roles = EVERYONE
    search_fields = ["name"]
    ordering_fields = ["name"]

    def get_queryset(self) -> QuerySet[Team]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Team.objects.none()
        return selectors.teams_of(user=self.request.user).select_related("lead")  # type: ignore[arg-type]


class ProductFilter(django_filters.FilterSet):
    team = RefFilter(field_name="team", help_text="The team's id (a slug is still accepted).")
    team__slug = django_filters.CharFilter(
        method="of_team", max_length=100, help_text="Deprecated: use `team` (an id)."
    )

    class Meta:
        model = Product
        fields = ["team", "team__slug"]

    def of_team(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return ref_filter(queryset, "team", value)


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=REF_HELP)]
    )
)
class ProductViewSet(_ByIdOrSlug, viewsets.ReadOnlyModelViewSet[Product]):
    """Every product: the catalogue is open to everyone signed in (sales pick one on requests)."""

    serializer_class = ProductSerializer
    permission_classes = [HasRole]
    allowed_roles = EVERYONE
    filterset_class = ProductFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name"]

    def get_queryset(self) -> QuerySet[Product]:
        return selectors.product_choices()


# Wrong credentials (or a locked-out sign-in) name no field of the body.
@extend_validation_errors(["authorization"], field_name="non_field_errors", methods=["post"])
class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (``Authorization: Token <key>``).

    Failed attempts count towards the same sign-in lockout as the login page.
    """

    throttle_classes = [AnonRateThrottle]

    @extend_schema(auth=[], tags=["auth"])
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class SearchHitSerializer(serializers.Serializer[selectors.SearchResult]):
    """One result of the global search."""

    kind = serializers.CharField(
        source="hit.kind", help_text="The kind of thing found: `asset`, `request`, `persona`…"
    )
    id = serializers.IntegerField(source="hit.object_id", help_text="Its id in the kind's own endpoint.")
    title = serializers.CharField(source="hit.title")
    title_highlighted = serializers.CharField(
        source="hit.title_html", help_text="The title as HTML: escaped, the words that matched in `<mark>`."
    )
    snippet_highlighted = serializers.CharField(
        source="snippet",
        help_text="The text around the first match, as HTML like `title_highlighted`; empty when the "
        "body is not yours to read (another salesperson's request) or says no more than the title.",
    )
    meta = serializers.CharField(
        source="hit.meta", help_text="A short line that says what it is: `Quote · CFO · Acme`."
    )
    url = serializers.CharField(source="hit.url", help_text="The page that shows it.")
    score = serializers.FloatField(
        source="hit.score", help_text="Relevance: higher is better; comparable within one search only."
    )


class SearchGroupSerializer(serializers.Serializer[selectors.SearchGroup]):
    """The results of one kind, best first."""

    kind = serializers.CharField()
    # A declared field, taken off the class by DRF's metaclass: it never shadows ``Field.label``.
    label = serializers.CharField()  # type: ignore[assignment]
    more = serializers.BooleanField(
        help_text="More were found than listed: ask again with `kind` for up to 50 of this kind."
    )
    results = SearchHitSerializer(many=True)


class SearchResultsSerializer(serializers.Serializer[dict[str, Any]]):
    """The answer of the global search: the question, then the results of each kind."""

    query = serializers.CharField(help_text="The question searched (cut to 200 characters).")
    groups = SearchGroupSerializer(many=True, help_text="One per kind with results, in a fixed order.")


@extend_validation_errors(["invalid_choice"], field_name="kind", methods=["get"])
@extend_validation_errors(["null_characters_not_allowed"], field_name="q", methods=["get"])
class SearchView(APIView):
    """Everything the user may see that matches `q`, grouped by kind (the global search).

    Each kind's visibility rules apply: a salesperson finds their own requests, never another's.
    Without `kind`, at most 5 results of each kind; with `kind`, up to 50 of that kind.
    Typos are forgiven; a question of common words only (`the`, `for`…) finds nothing.
    """

    permission_classes = [HasRole]
    allowed_roles = EVERYONE

    @extend_schema(
        tags=["search"],
        parameters=[
            OpenApiParameter("q", str, description="What to look for (longer than 200 characters: cut)."),
            OpenApiParameter(
                "kind",
                str,
                description="Only this kind, up to 50 results.",
                enum=[key for key, _ in selectors.search_kinds()],
            ),
        ],
        responses={200: SearchResultsSerializer},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    field: [ErrorDetail(error["message"], code=error["code"]) for error in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
        groups = selectors.search_everywhere(user=request.user, text=query, kind=kind)
        results = SearchResultsSerializer({"query": query, "groups": groups}, context={"request": request})
        return Response(results.data)
