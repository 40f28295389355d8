"""Search, filters and sorting of the initiative and win lists, shared by the pages and the API."""

import datetime as dt
from functools import cache
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from pmm_portal.core.dates import add_months, parse_month
from pmm_portal.core.filters import RefFilter
from pmm_portal.core.http import request_user
from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.selectors import home_team

from .models import Initiative, InitiativeStatus, Learning, LearningResult, MonthlyReview, Win
from .permissions import visible_teams

INITIATIVE_SORTS = {
    "target": ("target_date", "title"),
    "-target": ("-target_date", "title"),
    "title": ("title",),
    "owner": ("owner__first_name", "owner__username", "title"),
    "status": ("status", "target_date"),
    "-updated": ("-updated_at",),
}
INITIATIVE_SORT_LABELS = [
    ("target", "Target date"),
    ("-target", "Target date, latest first"),
    ("title", "Title"),
    ("owner", "Owner"),
    ("status", "Status"),
    ("-updated", "Recently updated"),
]
WIN_SORTS = {"-date": ("-date", "-id"), "date": ("date", "id"), "title": ("title",)}
WIN_SORT_LABELS = [("-date", "Newest first"), ("date", "Oldest first"), ("title", "Title")]


def _owner_choices(request: Any) -> list[tuple[str, str]]:
    """ "Me" for a PMM, then the PMMs of the teams the user sees."""
    user = request_user(request)
    if user is None:
        return []
    choices = [("me", "Me")] if user.role == Role.PMM else []
    owners = (
        User.objects.filter(teams__in=visible_teams(user), role=Role.PMM)
        .distinct()
        .order_by("first_name", "username")
    )
    return choices + [(str(person.pk), person.display_name) for person in owners]


class OwnerFilterMixin(django_filters.FilterSet):
    """``?owner=me`` or ``?owner=<id>``: a select of the team's PMMs on the page, an id in the API."""

    owner = django_filters.CharFilter(method="filter_owner", label="Owner", max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.request

        @cache
        def choices() -> list[tuple[str, str]]:
            return [("", "Anyone"), *_owner_choices(request)]

        # Lazy and once: only a rendered page lists the owners; the API's validation never queries them.
        self.form.fields["owner"].widget = forms.Select(choices=choices)  # type: ignore[arg-type]

    def filter_owner(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "me" and self.request is not None:
            return queryset.filter(owner=self.request.user)
        if value.isdigit():
            return queryset.filter(owner_id=int(value))
        return queryset


class InitiativeFilter(OwnerFilterMixin):
    """``?q=&status=&owner=&team=&target_before=&target_after=&sort=``."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    status = django_filters.ChoiceFilter(choices=InitiativeStatus.choices, empty_label="Any status")
    team = RefFilter(field_name="team", label="Team", widget=forms.HiddenInput)
    target_before = django_filters.DateFilter(
        field_name="target_date", lookup_expr="lte", widget=forms.HiddenInput
    )
    target_after = django_filters.DateFilter(
        field_name="target_date", lookup_expr="gte", widget=forms.HiddenInput
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by", choices=INITIATIVE_SORT_LABELS, empty_label=None, label="Sort by"
    )

    class Meta:
        model = Initiative
        fields = ["q", "status", "owner", "team", "target_before", "target_after"]

    def search(self, queryset: QuerySet[Initiative], name: str, value: str) -> QuerySet[Initiative]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(goal__icontains=value) | Q(expected_impact__icontains=value)
        )

    def sort_by(self, queryset: QuerySet[Initiative], name: str, value: str) -> QuerySet[Initiative]:
        return queryset.order_by(*INITIATIVE_SORTS.get(value, INITIATIVE_SORTS["target"]))


class WinFilter(OwnerFilterMixin):
    """``?q=&owner=&month=YYYY-MM&team=&date_from=&date_to=&initiative=&request=&promoted=yes|no&sort=``."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    month = django_filters.CharFilter(
        method="in_month", label="Month", widget=forms.TextInput(attrs={"type": "month"})
    )
    team = RefFilter(field_name="team", widget=forms.HiddenInput)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", widget=forms.HiddenInput)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", widget=forms.HiddenInput)
    initiative = django_filters.NumberFilter(field_name="initiative_id", widget=forms.HiddenInput)
    promoted = django_filters.ChoiceFilter(
        method="by_promotion",
        choices=[("yes", "Promoted"), ("no", "Not promoted")],
        empty_label="Promoted or not",
        label="Promotion",
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by", choices=WIN_SORT_LABELS, empty_label=None, label="Sort by"
    )

    class Meta:
        model = Win
        fields = ["q", "owner", "month", "team", "date_from", "date_to", "initiative", "promoted"]

    def by_promotion(self, queryset: QuerySet[Win], name: str, value: str) -> QuerySet[Win]:
        return queryset.filter(promoted_at__isnull=(value == "no"))

    def search(self, queryset: QuerySet[Win], name: str, value: str) -> QuerySet[Win]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(impact__icontains=value))

    def in_month(self, queryset: QuerySet[Win], name: str, value: str) -> QuerySet[Win]:
        month = parse_month(value)
        if month is None:
            return queryset
        return queryset.filter(date__gte=month, date__lt=add_months(month, 1))

    def sort_by(self, queryset: QuerySet[Win], name: str, value: str) -> QuerySet[Win]:
        return queryset.order_by(*WIN_SORTS.get(value, WIN_SORTS["-date"]))


# ``?request=<id>``: added after the class, since a FilterSet attribute named ``request`` would
# shadow the HTTP request django-filter keeps there. Hidden on the page (an id, not a picker).
WinFilter.base_filters["request"] = django_filters.NumberFilter(
    field_name="request_id", widget=forms.HiddenInput
)


class ReviewFilter(OwnerFilterMixin):
    """``?q=&state=open|submitted&month=YYYY-MM&owner=``: the team's monthly reviews."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    state = django_filters.ChoiceFilter(
        method="in_state", choices=[("open", "Open"), ("submitted", "Submitted")], empty_label="Any state"
    )
    month = django_filters.CharFilter(
        method="in_month", label="Month", widget=forms.TextInput(attrs={"type": "month"})
    )

    class Meta:
        model = MonthlyReview
        fields = ["q", "state", "month", "owner"]

    def search(self, queryset: QuerySet[MonthlyReview], name: str, value: str) -> QuerySet[MonthlyReview]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(owner__first_name__icontains=value)
            | Q(owner__last_name__icontains=value)
            | Q(owner__username__icontains=value)
        )

    def in_state(self, queryset: QuerySet[MonthlyReview], name: str, value: str) -> QuerySet[MonthlyReview]:
        return queryset.filter(submitted_at__isnull=(value == "open"))

    def in_month(self, queryset: QuerySet[MonthlyReview], name: str, value: str) -> QuerySet[MonthlyReview]:
        month = parse_month(value)
        return queryset.filter(month=month) if month else queryset


FEED_SORTS = {
    "-promoted": ("-promoted_at", "-id"),
    "promoted": ("promoted_at", "id"),
    "-date": ("-date", "-id"),
    "title": ("title", "id"),
}
FEED_SORT_LABELS = [
    ("-promoted", "Newest promoted first"),
    ("promoted", "Oldest promoted first"),
    ("-date", "Win date, newest first"),
    ("title", "Title"),
]


def _team_choices() -> list[tuple[str, str]]:
    return [("", "Any team"), *((str(team.pk), team.name) for team in Team.objects.order_by("name"))]


class WinFeedFilter(django_filters.FilterSet):
    """``?q=&team=<id>&month=YYYY-MM&sort=``: the promoted wins the user may read.

    ``month`` is the month the win was promoted in, in the reader's home team's time zone
    (the monthly report counts a team's wins promoted in each month in that team's zone).
    """

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    # The team's id (a slug still works: links from before ids); unknown ones find nothing.
    team = RefFilter(field_name="team", label="From team")
    month = django_filters.CharFilter(
        method="in_month", label="Promoted in", widget=forms.TextInput(attrs={"type": "month"})
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by", choices=FEED_SORT_LABELS, empty_label=None, label="Sort by"
    )

    class Meta:
        model = Win
        fields = ["q", "team", "month"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Lazy and once: only a rendered page lists the teams; the API's validation never queries them.
        self.form.fields["team"].widget = forms.Select(choices=cache(_team_choices))  # type: ignore[arg-type]

    def search(self, queryset: QuerySet[Win], name: str, value: str) -> QuerySet[Win]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(impact__icontains=value)
            | Q(headline__icontains=value)
            | Q(quote__icontains=value)
        )

    def in_month(self, queryset: QuerySet[Win], name: str, value: str) -> QuerySet[Win]:
        month = parse_month(value)
        if month is None:
            return queryset
        user = request_user(self.request)
        team = home_team(user) if user is not None else None
        zone = team.zone if team is not None else None
        return queryset.filter(promoted_in_month(month, zone))

    def sort_by(self, queryset: QuerySet[Win], name: str, value: str) -> QuerySet[Win]:
        return queryset.order_by(*FEED_SORTS.get(value, FEED_SORTS["-promoted"]))


def promoted_in_month(month: dt.date, zone: dt.tzinfo | None) -> Q:
    """Wins whose standing promotion started in ``month`` (in ``zone``; UTC without one)."""
    tz = zone or dt.UTC
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(add_months(month, 1), dt.time.min, tzinfo=tz)
    return Q(promoted_at__gte=start, promoted_at__lt=end)


LEARNING_SORTS = {
    "-date": ("-date", "-id"),
    "date": ("date", "id"),
    "title": ("title", "id"),
    "owner": ("owner__first_name", "owner__username", "-date"),
    "-updated": ("-updated_at", "-id"),
}
LEARNING_SORT_LABELS = [
    ("-date", "Newest first"),
    ("date", "Oldest first"),
    ("title", "Title"),
    ("owner", "Owner"),
    ("-updated", "Recently updated"),
]


class LearningFilter(OwnerFilterMixin):
    """``?q=&owner=&result=&month=YYYY-MM&initiative=<id>&sort=``: the team's learning log."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    result = django_filters.ChoiceFilter(choices=LearningResult.choices, empty_label="Any result")
    month = django_filters.CharFilter(
        method="in_month", label="Month", widget=forms.TextInput(attrs={"type": "month"})
    )
    initiative = django_filters.NumberFilter(field_name="initiative_id", widget=forms.HiddenInput)
    sort = django_filters.ChoiceFilter(
        method="sort_by", choices=LEARNING_SORT_LABELS, empty_label=None, label="Sort by"
    )

    class Meta:
        model = Learning
        fields = ["q", "owner", "result", "month", "initiative"]

    def search(self, queryset: QuerySet[Learning], name: str, value: str) -> QuerySet[Learning]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(hypothesis__icontains=value)
            | Q(tried__icontains=value)
            | Q(measure__icontains=value)
            | Q(result_notes__icontains=value)
            | Q(lesson__icontains=value)
            | Q(initiative__title__icontains=value)
        )

    def in_month(self, queryset: QuerySet[Learning], name: str, value: str) -> QuerySet[Learning]:
        month = parse_month(value)
        if month is None:
            return queryset
        return queryset.filter(date__gte=month, date__lt=add_months(month, 1))

    def sort_by(self, queryset: QuerySet[Learning], name: str, value: str) -> QuerySet[Learning]:
        return queryset.order_by(*LEARNING_SORTS.get(value, LEARNING_SORTS["-date"]))
