"""Search, filters and sorting of the report list, shared by ``/reporting/reports/`` and ``/api/v1/reports/``."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from pmm_portal.core.filters import RefChoiceFilter
from pmm_portal.core.http import request_user
from pmm_portal.core.models import Team

from . import permissions
from .models import MonthlyReport, ReportStatus

REPORT_SORTS = {
    "-month": ("-month", "team__name"),
    "month": ("month", "team__name"),
    "team": ("team__name", "-month"),
}


def _teams(request: Any) -> QuerySet[Team]:
    user = request_user(request)
    if user is None:
        return Team.objects.none()
    return permissions.teams_visible_to(user).order_by("name")


class ReportFilter(django_filters.FilterSet):
    """``?q=&team=<id>&status=&sort=`` (a team's slug still works)."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    team = RefChoiceFilter(
        queryset=_teams,  # type: ignore[arg-type]  # django-filter calls it with the request
        field_name="team",
        empty_label="All teams",
    )
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, empty_label="Any status")
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[("-month", "Newest"), ("month", "Oldest"), ("team", "Team")],
        empty_label=None,
        label="Sort by",
    )

    class Meta:
        model = MonthlyReport
        fields = ["q", "team", "status"]

    def search(self, queryset: QuerySet[MonthlyReport], name: str, value: str) -> QuerySet[MonthlyReport]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(team__name__icontains=value) | Q(summary__icontains=value))

    def sort_by(self, queryset: QuerySet[MonthlyReport], name: str, value: str) -> QuerySet[MonthlyReport]:
        return queryset.order_by(*REPORT_SORTS.get(value, REPORT_SORTS["-month"]))
