"""Search, filters and sorting of the competitor list and the win/loss reviews (pages and API alike)."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from personas.models import Persona
from pmm_portal.core.dates import add_months, month_start
from pmm_portal.core.models import Team

from . import permissions
from .models import Competitor, LossReason, Outcome, Tier, WinLossReview
from .selectors import quarter_of, quarter_range

COMPETITOR_SORTS = [
    ("name", "Name (A–Z)"),
    ("-updated_at", "Recently updated"),
    ("last_reviewed_at", "Least recently reviewed"),
]
REVIEW_SORTS = [("-decided_on", "Most recent"), ("decided_on", "Oldest"), ("-value", "Largest deal")]


def _teams(request: Any) -> QuerySet[Team]:
    if request is None or not request.user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(
        pk__in=permissions.competitors_visible_to(request.user).values("team_id")
    ).order_by("name")


class CompetitorFilter(django_filters.FilterSet):
    """``?q=&tier=&team=&sort=``"""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    tier = django_filters.ChoiceFilter(choices=Tier.choices, empty_label="Any tier")
    team = django_filters.ModelChoiceFilter(queryset=_teams, empty_label="All teams")  # type: ignore[arg-type]
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated_at"), ("last_reviewed_at", "last_reviewed_at")),
        label="Sort",
    )

    class Meta:
        model = Competitor
        fields = ["q", "tier", "team"]

    def search(self, queryset: QuerySet[Competitor], name: str, value: str) -> QuerySet[Competitor]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(aliases__icontains=value) | Q(summary__icontains=value)
        )


def _competitors(request: Any) -> QuerySet[Competitor]:
    if request is None or not request.user.is_authenticated:
        return Competitor.objects.none()
    teams = permissions.reviews_visible_to(request.user).values("team_id")
    return Competitor.objects.filter(team__in=teams).order_by("name")


def _reasons(request: Any) -> QuerySet[LossReason]:
    if request is None or not request.user.is_authenticated:
        return LossReason.objects.none()
    return permissions.reasons_visible_to(request.user).order_by("name")


def _personas(request: Any) -> QuerySet[Persona]:
    if request is None or not request.user.is_authenticated:
        return Persona.objects.none()
    return Persona.objects.filter(
        pk__in=WinLossReview.personas.through.objects.filter(
            winlossreview__in=permissions.reviews_visible_to(request.user)
        ).values("persona_id")
    ).order_by("name")


class ReviewFilter(django_filters.FilterSet):
    """``?q=&outcome=&competitor=<id|none>&persona=&reason=&quarter=YYYY-Qn&team=&sort=``"""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, empty_label="Any outcome")
    competitor = django_filters.CharFilter(method="by_competitor", label="Competitor")
    persona = django_filters.ModelChoiceFilter(
        field_name="personas",
        label="Persona",
        queryset=_personas,  # type: ignore[arg-type]
        empty_label="Any persona",
    )
    reason = django_filters.ModelChoiceFilter(
        field_name="reasons",
        label="Reason",
        queryset=_reasons,  # type: ignore[arg-type]
        empty_label="Any reason",
    )
    quarter = django_filters.CharFilter(method="by_quarter", label="Quarter", max_length=7)
    team = django_filters.ModelChoiceFilter(queryset=_teams, empty_label="All teams")  # type: ignore[arg-type]
    sort = django_filters.OrderingFilter(
        fields=(("decided_on", "decided_on"), ("value", "value"), ("account", "account")), label="Sort"
    )

    class Meta:
        model = WinLossReview
        fields = ["q", "outcome", "competitor", "persona", "reason", "quarter", "team"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Pickers, not free text: the competitors of the reader's teams, and the last eight quarters.
        competitors = [(str(c.pk), c.name) for c in _competitors(self.request).only("pk", "name")]
        self.filters["competitor"].extra["widget"] = forms.Select(
            choices=[("", "Any competitor"), ("none", "No competitor"), *competitors]
        )
        first = month_start(timezone.localdate())
        quarters = [quarter_of(add_months(first, -3 * n)) for n in range(8)]
        self.filters["quarter"].extra["widget"] = forms.Select(
            choices=[("", "Any quarter"), *[(q, q.replace("-", " ")) for q in quarters]]
        )

    def search(self, queryset: QuerySet[WinLossReview], name: str, value: str) -> QuerySet[WinLossReview]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(account__icontains=value) | Q(buyer_quote__icontains=value) | Q(notes__icontains=value)
        )

    def by_competitor(
        self, queryset: QuerySet[WinLossReview], name: str, value: str
    ) -> QuerySet[WinLossReview]:
        if value == "none":
            return queryset.filter(competitor__isnull=True)
        return queryset.filter(competitor_id=int(value)) if value.isdigit() else queryset

    def by_quarter(self, queryset: QuerySet[WinLossReview], name: str, value: str) -> QuerySet[WinLossReview]:
        bounds = quarter_range(value)
        if bounds is None:
            return queryset
        return queryset.filter(decided_on__gte=bounds[0], decided_on__lt=bounds[1])
