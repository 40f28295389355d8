"""Search, filters and sorting of the request and asset lists, shared by the pages and the API.

One FilterSet per list: ``QueueFilter`` (``/requests/`` and ``/api/v1/requests/``),
``MyRequestFilter`` (``/requests/mine/``) and ``AssetFilter`` (``/requests/assets/``
and ``/api/v1/assets/``). The API classes at the bottom only add the parameter
names older API clients use (``search``, ``open``, ``unassigned``…) on top of them.

Filters run in declaration order, so ``sort`` comes before ``q``: a search then
ranks by relevance first and by the chosen sort second.
"""

from functools import partial
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from pmm_portal.core.dates import today_in
from pmm_portal.core.http import request_user
from pmm_portal.core.models import Product, Team, User
from pmm_portal.core.selectors import product_choices, teams_of, today_for

from . import selectors
from .models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Asset,
    AssetKind,
    Notification,
    Request,
    RequestStatus,
    RequestType,
)
from .permissions import can_see_followers
from .services.sla import SlaState

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

QUEUE_SORTS = [
    ("priority", "Priority"),
    ("due", "Due date"),
    ("needed_by", "Needed by"),
    ("newest", "Newest"),
    ("oldest", "Oldest"),
]
MINE_SORTS = [("newest", "Newest first"), ("oldest", "Oldest first"), ("needed_by", "Needed by")]
ASSET_SORTS = [("reuse", "Most reused"), ("title", "Title"), ("newest", "Newest"), ("review", "Review date")]


class CheckboxFilter(django_filters.Filter):
    """A checkbox: ``?overdue=on`` (the page) and ``?overdue=true`` (the API) both mean yes (use a method)."""

    field_class = forms.BooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.CheckboxInput)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)


def _today(request: Any) -> Any:
    """Today for the reader, in their home team's time zone (the server's when signed out)."""
    user = request_user(request)
    return today_for(user) if user is not None else today_in(None)


def _queue_products(request: Any) -> QuerySet[Product]:
    user = request_user(request)
    if user is None:
        return Product.objects.none()
    products = product_choices()
    return products if user.is_portal_admin else products.filter(team__in=teams_of(user=user).values("pk"))


def _assignee_choices(user: User | None) -> list[tuple[str, str]]:
    pmms = selectors.assignable_pmms(user=user) if user is not None else User.objects.none()
    return [("me", "Me"), ("none", "Unassigned"), *((str(p.pk), p.display_name) for p in pmms)]


def _search_requests(
    request: Any, queryset: QuerySet[Request], text: str, fields: tuple[str, ...]
) -> QuerySet[Request]:
    """Requests matching ``text`` in ``fields``; a rep finds a request they follow by its title only.

    Its other fields are the requester's deal (``permissions.can_see_deal``): a search must not
    tell a follower what they hold.
    """
    found = selectors.search(queryset, text, fields)
    user = request_user(request)
    if user is None or can_see_followers(user):
        return found
    by_title = selectors.search(queryset, text, ("title",))
    return found.filter(Q(requester=user) | Q(pk__in=by_title.values("pk")))


def _with_deadline(queryset: QuerySet[Request]) -> QuerySet[Request]:
    if "deadline" in queryset.query.annotations:
        return queryset
    return queryset.annotate(deadline=selectors.DEADLINE)


class QueueFilter(django_filters.FilterSet):
    """``?sort=&q=&status=&type=&product=&assignee=&due_before=&sla=`` over the requests a user sees.

    ``status`` is ``open`` (the default), ``all`` or one status; ``assignee`` is
    ``me``, ``none`` or a PMM's id; ``sla`` is an SLA state (``services.sla.SlaState``:
    ``overdue``, ``due_soon``, ``on_track``, ``paused``), decided by the same clock as
    each row's badge and the queue's counters, so a counter's link lists what it counts.
    ``overdue`` (a checkbox) is the older name of ``sla=overdue``.
    """

    # An empty status means open requests on the page; the API lists every status.
    default_status = "open"

    sort = django_filters.ChoiceFilter(choices=QUEUE_SORTS, empty_label=None, method="sort_by", label="Sort")
    q = django_filters.CharFilter(method="search_text", label="Search", max_length=200)
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open"), ("all", "All"), *RequestStatus.choices],
        empty_label=None,
        method="filter_status",
    )
    type = django_filters.ChoiceFilter(choices=RequestType.choices, empty_label="All types")
    product = django_filters.ModelChoiceFilter(
        queryset=_queue_products,  # type: ignore[arg-type]  # django-filter calls it with the request
        empty_label="All products",
    )
    assignee = django_filters.ChoiceFilter(
        choices=[], empty_label="Anyone", method="filter_assignee", label="Assignee"
    )
    due_before = django_filters.DateFilter(method="filter_due_before", label="Due by", widget=DATE_INPUT)
    # Kept for bookmarks and API clients; the filter bar shows ``sla`` instead (a hidden field).
    overdue = CheckboxFilter(method="filter_overdue", label="Overdue only", widget=forms.HiddenInput)
    # Last: it reads the SLA clocks of what the other filters kept (one query, bounded by the open requests).
    sla = django_filters.ChoiceFilter(
        choices=SlaState.choices, empty_label="Any SLA state", method="filter_sla", label="SLA"
    )

    class Meta:
        model = Request
        fields = ["sort", "q", "status", "type", "product", "assignee", "due_before", "overdue", "sla"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Evaluated only when the filter bar is drawn or an assignee is asked for. The copied
        # filter may hold a field built earlier (the API schema builds them): drop it.
        assignee = self.filters["assignee"]
        assignee.extra["choices"] = partial(_assignee_choices, request_user(self.request))
        assignee.__dict__.pop("_field", None)

    def filter_queryset(self, queryset: QuerySet[Request]) -> QuerySet[Request]:
        if self.default_status == "open" and not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        return super().filter_queryset(queryset)

    def sort_by(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        return _with_deadline(queryset).order_by(*selectors.QUEUE_ORDERINGS[value])

    def search_text(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        return _search_requests(
            self.request, queryset, value.strip(), ("title", "details", "account", "competitor")
        )

    def filter_status(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value in RequestStatus.values:
            return queryset.filter(status=value)
        return queryset

    def filter_assignee(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        if value == "me":
            return queryset.filter(assignee=request_user(self.request))
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=int(value))

    def filter_due_before(self, queryset: QuerySet[Request], name: str, value: Any) -> QuerySet[Request]:
        return _with_deadline(queryset).filter(**{"deadline__lte": value})

    def filter_overdue(self, queryset: QuerySet[Request], name: str, value: bool) -> QuerySet[Request]:
        if not value or self.form.cleaned_data.get("sla"):  # ``sla`` says it more precisely
            return queryset
        return self.filter_sla(queryset, name, SlaState.OVERDUE)

    def filter_sla(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        """The open requests in the SLA state ``value``: their clocks are read in one scan (``sla_state_ids``)."""
        if value not in SlaState.values:
            return queryset
        return queryset.filter(pk__in=selectors.sla_state_ids(queryset, value))


class MyRequestFilter(django_filters.FilterSet):
    """``?sort=&q=&status=`` over the requests a salesperson made or follows; status is open or closed."""

    sort = django_filters.ChoiceFilter(choices=MINE_SORTS, empty_label=None, method="sort_by", label="Sort")
    q = django_filters.CharFilter(method="search_text", label="Search", max_length=200)
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open"), ("closed", "Closed")], empty_label="All", method="filter_status"
    )

    class Meta:
        model = Request
        fields = ["sort", "q", "status"]

    def sort_by(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        return queryset.order_by(*selectors.MINE_ORDERINGS[value])

    def search_text(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        return _search_requests(self.request, queryset, value.strip(), ("title", "details", "account"))

    def filter_status(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        return queryset.filter(status__in=OPEN_STATUSES if value == "open" else CLOSED_STATUSES)


class AssetFilter(django_filters.FilterSet):
    """``?sort=&q=&kind=&product=&review=&state=`` over the library; ``review`` is ``due`` or ``fresh``;
    ``state`` is empty (the assets in use: retired ones are left out by default), ``retired`` or ``all``."""

    sort = django_filters.ChoiceFilter(choices=ASSET_SORTS, empty_label=None, method="sort_by", label="Sort")
    q = django_filters.CharFilter(method="search_text", label="Search", max_length=200)
    kind = django_filters.ChoiceFilter(choices=AssetKind.choices, empty_label="All kinds")
    product = django_filters.ModelChoiceFilter(
        field_name="products",
        queryset=lambda request: product_choices(),  # type: ignore[arg-type]  # called with the request
        empty_label="All products",
    )
    review = django_filters.ChoiceFilter(
        choices=[("due", "Past review-by"), ("fresh", "Up to date")],
        empty_label="Any",
        method="filter_review",
        label="Review",
    )

    state = django_filters.ChoiceFilter(
        choices=[("retired", "Retired"), ("all", "In use and retired")],
        empty_label="In use",
        method="filter_state",
        label="Show",
    )

    class Meta:
        model = Asset
        fields = ["sort", "q", "kind", "product", "review", "state"]

    def filter_queryset(self, queryset: QuerySet[Asset]) -> QuerySet[Asset]:
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.filter(retired_at__isnull=True)
        return super().filter_queryset(queryset)

    def filter_state(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        return queryset.filter(retired_at__isnull=False) if value == "retired" else queryset

    def sort_by(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        return queryset.order_by(*selectors.ASSET_ORDERINGS[value])

    def search_text(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        return selectors.search(queryset, value.strip(), ("title", "description"))

    def filter_review(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        today = _today(self.request)
        return (
            queryset.filter(review_by__lt=today) if value == "due" else queryset.filter(review_by__gte=today)
        )


# --- The API's extra parameter names ------------------------------------------------------------


class RequestApiFilter(QueueFilter):
    """``QueueFilter`` for ``/api/v1/requests/``: every status by default, and the API's older names."""

    default_status = ""

    search = django_filters.CharFilter(method="search_text", label="Search (same as q)", max_length=200)
    open = django_filters.BooleanFilter(method="filter_open", label="Only open requests (false: only closed)")
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")
    needed_by_before = django_filters.DateFilter(field_name="needed_by", lookup_expr="lte")

    class Meta(QueueFilter.Meta):
        fields = [*QueueFilter.Meta.fields, "search", "open", "unassigned", "needed_by_before"]

    def filter_open(self, queryset: QuerySet[Request], name: str, value: bool | None) -> QuerySet[Request]:
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)
        )


class AssetApiFilter(AssetFilter):
    """``AssetFilter`` for ``/api/v1/assets/``, with the API's older names and a team filter."""

    search = django_filters.CharFilter(method="search_text", label="Search (same as q)", max_length=200)
    needs_review = django_filters.BooleanFilter(method="filter_needs_review")
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.order_by("name"))

    class Meta(AssetFilter.Meta):
        fields = [*AssetFilter.Meta.fields, "search", "needs_review", "team"]

    def filter_needs_review(self, queryset: QuerySet[Asset], name: str, value: bool) -> QuerySet[Asset]:
        return self.filter_review(queryset, name, "due" if value else "fresh")


INBOX_SORTS = [("newest", "Newest first"), ("oldest", "Oldest first")]


class InboxFilter(django_filters.FilterSet):
    """``?sort=&q=&state=&kind=`` over a person's notifications (``/inbox/``)."""

    sort = django_filters.ChoiceFilter(choices=INBOX_SORTS, empty_label=None, method="sort_by", label="Sort")
    q = django_filters.CharFilter(method="search_text", label="Search", max_length=200)
    state = django_filters.ChoiceFilter(
        choices=[("unread", "Unread"), ("read", "Read")],
        empty_label="All",
        method="filter_state",
        label="Show",
    )
    kind = django_filters.ChoiceFilter(
        choices=selectors.INBOX_KINDS, empty_label="Everything", method="filter_kind", label="About"
    )

    class Meta:
        model = Notification
        fields = ["sort", "q", "state", "kind"]

    def sort_by(self, queryset: QuerySet[Notification], name: str, value: str) -> QuerySet[Notification]:
        return queryset.order_by(*selectors.INBOX_ORDERINGS[value])

    def search_text(self, queryset: QuerySet[Notification], name: str, value: str) -> QuerySet[Notification]:
        value = value.strip()
        if not value:
            return queryset
        if value.lstrip("#").isdigit():
            return queryset.filter(request_id=int(value.lstrip("#")))
        return queryset.filter(Q(text__icontains=value) | Q(request__title__icontains=value))

    def filter_state(self, queryset: QuerySet[Notification], name: str, value: str) -> QuerySet[Notification]:
        return queryset.filter(read_at__isnull=value == "unread")

    def filter_kind(self, queryset: QuerySet[Notification], name: str, value: str) -> QuerySet[Notification]:
        return selectors.inbox_of_kind(queryset, value)
