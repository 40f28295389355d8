"""Search, filters and sorting of the email intake's log."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from pmm_portal.core.http import request_user
from pmm_portal.core.models import Team

from . import permissions
from .models import InboundMessage, Outcome

MESSAGE_SORTS = [("-received_at", "Newest first"), ("received_at", "Oldest first")]


def _teams(request: Any) -> QuerySet[Team]:
    user = request_user(request)
    return permissions.teams_watched(user).order_by("name") if user is not None else Team.objects.none()


class MessageFilter(django_filters.FilterSet):
    """``?q=&team=&outcome=&sort=`` on the messages the user may read."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    team = django_filters.ModelChoiceFilter(queryset=_teams, empty_label="All teams")  # type: ignore[arg-type]
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, empty_label="Any outcome")
    sort = django_filters.OrderingFilter(fields=(("received_at", "received_at"),), label="Sort")

    class Meta:
        model = InboundMessage
        fields = ["q", "team", "outcome"]

    def search(self, queryset: QuerySet[InboundMessage], name: str, value: str) -> QuerySet[InboundMessage]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(sender__icontains=value) | Q(subject__icontains=value))
