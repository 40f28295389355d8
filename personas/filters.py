"""Search, filters and sorting of persona and interaction lists, shared by the pages and the API."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from pmm_portal.core.models import Product, Team, User

from . import permissions
from .models import CustomerInteraction, InteractionKind, Persona, PersonaKind, PersonaStatus

PERSONA_SORTS = [
    ("name", "Name (A–Z)"),
    ("-updated_at", "Recently updated"),
    ("-last_validated_at", "Recently validated"),
    ("last_validated_at", "Least recently validated"),
]


def _owners_of_visible_personas(request: Any) -> QuerySet[User]:
    """People who keep a persona the reader sees (the owner of another team's draft stays unnamed)."""
    if request is None or not request.user.is_authenticated:
        return User.objects.none()
    personas = permissions.visible_to(request.user).order_by().values("pk")
    return User.objects.filter(owned_personas__in=personas).distinct().order_by("first_name", "username")


class PersonaFilter(django_filters.FilterSet):
    """``?q=&kind=&product=&status=&owner=&stale=&sort=`` on a queryset already annotated with ``stale``."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    kind = django_filters.ChoiceFilter(choices=PersonaKind.choices, empty_label="All kinds")
    product = django_filters.ModelChoiceFilter(
        field_name="products", queryset=Product.objects.order_by("name"), empty_label="All products"
    )
    status = django_filters.ChoiceFilter(choices=PersonaStatus.choices, empty_label="Any status")
    # django-filter calls a ``queryset`` callable with the request; its stubs know only querysets.
    owner = django_filters.ModelChoiceFilter(
        queryset=_owners_of_visible_personas,  # type: ignore[arg-type]
        empty_label="Anyone",
    )
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.order_by("name"), empty_label="All teams")
    stale = django_filters.BooleanFilter(
        label="Freshness",
        widget=forms.Select(choices=[("", "Fresh or stale"), ("true", "Stale"), ("false", "Fresh")]),
    )
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated_at"), ("last_validated_at", "last_validated_at")),
        field_labels={"name": "Name", "updated_at": "Updated", "last_validated_at": "Last validated"},
        label="Sort",
    )

    class Meta:
        model = Persona
        fields = ["q", "kind", "product", "status", "owner", "team", "stale"]

    def search(self, queryset: QuerySet[Persona], name: str, value: str) -> QuerySet[Persona]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(summary__icontains=value)
            | Q(job_titles__icontains=value)
            | Q(goals__icontains=value)
            | Q(concerns__icontains=value)
            | Q(jobs__icontains=value)
            | Q(frustrations__icontains=value)
        )

    @property
    def qs(self) -> Any:
        queryset = super().qs
        # Products and search may join rows twice; a persona appears once.
        if self.form.cleaned_data.get("product") or self.form.cleaned_data.get("q"):
            queryset = queryset.distinct()
        return queryset


def _personas_of_my_teams(request: Any) -> QuerySet[Persona]:
    """Personas a reader of interactions may filter by: those of the teams whose interactions they read."""
    if request is None or not request.user.is_authenticated:
        return Persona.objects.none()
    teams = permissions.interaction_teams_of(request.user).order_by().values("pk")
    return permissions.visible_to(request.user).filter(team__in=teams).order_by("name")


def _people_of_my_teams(request: Any) -> QuerySet[User]:
    if request is None or not request.user.is_authenticated:
        return User.objects.none()
    teams = permissions.interaction_teams_of(request.user)
    return (
        User.objects.filter(customer_interactions__team__in=teams)
        .distinct()
        .order_by("first_name", "username")
    )


def _my_teams(request: Any) -> QuerySet[Team]:
    if request is None or not request.user.is_authenticated:
        return Team.objects.none()
    return permissions.interaction_teams_of(request.user).order_by("name")


class InteractionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    kind = django_filters.ChoiceFilter(choices=InteractionKind.choices, empty_label="All kinds")
    # Choices are the reader's teams' (a callable of the request; the stubs know only querysets).
    persona = django_filters.ModelChoiceFilter(
        field_name="personas",
        queryset=_personas_of_my_teams,  # type: ignore[arg-type]
        label="Persona",
        empty_label="Any persona",
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=_people_of_my_teams,  # type: ignore[arg-type]
        empty_label="Anyone",
    )
    team = django_filters.ModelChoiceFilter(
        queryset=_my_teams,  # type: ignore[arg-type]
        empty_label="All teams",
    )
    occurred_after = django_filters.DateFilter(
        field_name="occurred_on",
        lookup_expr="gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_on",
        lookup_expr="lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.OrderingFilter(
        fields=(("occurred_on", "occurred_on"), ("account", "account")),
        field_labels={"occurred_on": "Date", "account": "Account"},
        label="Sort",
    )

    class Meta:
        model = CustomerInteraction
        fields = ["q", "kind", "persona", "owner", "team", "occurred_after", "occurred_before"]

    def search(
        self, queryset: QuerySet[CustomerInteraction], name: str, value: str
    ) -> QuerySet[CustomerInteraction]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(account__icontains=value) | Q(notes__icontains=value) | Q(quotes__text__icontains=value)
        ).distinct()
