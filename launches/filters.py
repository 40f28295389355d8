"""Search, filters and sorting of the launch list and the items (pages and API alike)."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from pmm_portal.core.http import request_user
from pmm_portal.core.models import Product

from . import permissions
from .models import CLOSED_STATUSES, ItemStatus, Launch, LaunchItem, LaunchTier, Readiness, Side

LAUNCH_SORTS = [
    ("launch_on", "Launch date (soonest)"),
    ("-launch_on", "Launch date (latest)"),
    ("-late_count", "Most late items"),
    ("name", "Name (A–Z)"),
]


def _products(request: Any) -> QuerySet[Product]:
    user = request_user(request)
    if user is None:
        return Product.objects.none()
    launches = permissions.launches_visible_to(user).order_by().values("product_id")
    return Product.objects.filter(pk__in=launches).order_by("name")


class LaunchFilter(django_filters.FilterSet):
    """``?q=&product=&tier=&status=&late=true&sort=`` on ``selectors.launch_list`` (annotated)."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    product = django_filters.ModelChoiceFilter(queryset=_products, empty_label="All products")  # type: ignore[arg-type]
    tier = django_filters.ChoiceFilter(
        choices=[(str(value), label) for value, label in LaunchTier.choices], empty_label="Any tier"
    )
    status = django_filters.ChoiceFilter(
        field_name="readiness", choices=Readiness.choices, empty_label="Any readiness", label="Readiness"
    )
    late = django_filters.BooleanFilter(
        method="late_only",
        label="Late items",
        widget=forms.Select(choices=[("", "With or without"), ("true", "Late items only")]),
    )
    upcoming = django_filters.BooleanFilter(
        method="upcoming_only",
        label="When",
        widget=forms.Select(choices=[("", "Past and upcoming"), ("true", "Upcoming"), ("false", "Past")]),
    )
    sort = django_filters.OrderingFilter(
        fields=(("launch_on", "launch_on"), ("name", "name"), ("late_count", "late_count")), label="Sort"
    )

    class Meta:
        model = Launch
        fields = ["q", "product", "tier", "status", "late", "upcoming"]

    def search(self, queryset: QuerySet[Launch], name: str, value: str) -> QuerySet[Launch]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(product__name__icontains=value) | Q(summary__icontains=value)
        )

    def late_only(self, queryset: QuerySet[Launch], name: str, value: bool | None) -> QuerySet[Launch]:
        return queryset.filter(Q(late_count__gt=0)) if value else queryset  # annotated by the selector

    def upcoming_only(self, queryset: QuerySet[Launch], name: str, value: bool | None) -> QuerySet[Launch]:
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(launch_on__gte=today) if value else queryset.filter(launch_on__lt=today)


class ItemFilter(django_filters.FilterSet):
    """``?launch=&side=&status=&owner=&late=true`` (the API's launch items)."""

    launch = django_filters.NumberFilter(field_name="launch_id")
    side = django_filters.ChoiceFilter(choices=Side.choices)
    status = django_filters.ChoiceFilter(choices=ItemStatus.choices)
    owner = django_filters.NumberFilter(field_name="owner_id")
    late = django_filters.BooleanFilter(method="late_only")

    class Meta:
        model = LaunchItem
        fields = ["launch", "side", "status", "owner", "late"]

    def late_only(
        self, queryset: QuerySet[LaunchItem], name: str, value: bool | None
    ) -> QuerySet[LaunchItem]:
        if value is None:
            return queryset
        late = Q(due_on__lt=timezone.localdate()) & ~Q(status__in=CLOSED_STATUSES)
        return queryset.filter(late) if value else queryset.exclude(late)
