"""Search and filters of the endpoint list and the delivery log (pages and API alike)."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from pmm_portal.core.http import request_user

from .models import Delivery, DeliveryStatus, Endpoint, EndpointKind, Event
from .permissions import endpoints_visible_to, managed_teams

STATE_CHOICES = [("active", "Active"), ("paused", "Paused")]


def _teams(request: Any) -> QuerySet[Any]:
    user = request_user(request)
    return managed_teams(user).order_by("name") if user else managed_teams(user).none()  # type: ignore[arg-type]


def _endpoints(request: Any) -> QuerySet[Endpoint]:
    user = request_user(request)
    return endpoints_visible_to(user).order_by("name") if user else Endpoint.objects.none()


ENDPOINT_SORTS = [("name", "Name (A–Z)"), ("-created_at", "Newest first"), ("created_at", "Oldest first")]


class EndpointFilter(django_filters.FilterSet):
    """``?q=&kind=&state=active|paused&team=`` on the endpoints the user manages."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    kind = django_filters.ChoiceFilter(choices=EndpointKind.choices, empty_label="Any kind")
    state = django_filters.ChoiceFilter(
        method="by_state", choices=STATE_CHOICES, empty_label="Active or paused", label="State"
    )
    team = django_filters.ModelChoiceFilter(queryset=_teams, empty_label="All teams")  # type: ignore[arg-type]
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"), ("created_at", "created_at")), label="Sort"
    )

    class Meta:
        model = Endpoint
        fields = ["q", "kind", "state", "team"]

    def search(self, queryset: QuerySet[Endpoint], name: str, value: str) -> QuerySet[Endpoint]:
        return queryset.filter(Q(name__icontains=value) | Q(url__icontains=value)) if value else queryset

    def by_state(self, queryset: QuerySet[Endpoint], name: str, value: str) -> QuerySet[Endpoint]:
        if value == "active":
            return queryset.filter(paused_at__isnull=True)
        if value == "paused":
            return queryset.filter(paused_at__isnull=False)
        return queryset


class DeliveryFilter(django_filters.FilterSet):
    """``?q=&endpoint=&status=&event=`` on the delivery log of the endpoints the user manages."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    endpoint = django_filters.ModelChoiceFilter(queryset=_endpoints, empty_label="All endpoints")  # type: ignore[arg-type]
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices, empty_label="Any status")
    event = django_filters.ChoiceFilter(choices=Event.choices, empty_label="Any event")

    class Meta:
        model = Delivery
        fields = ["q", "endpoint", "status", "event"]

    def search(self, queryset: QuerySet[Delivery], name: str, value: str) -> QuerySet[Delivery]:
        """An event key (``request-event:42``), an error or a delivery id."""
        if not value:
            return queryset
        match = Q(event_key__icontains=value) | Q(error__icontains=value)
        if len(value) == 36:
            match |= Q(uuid__iexact=value)
        return queryset.filter(match)
