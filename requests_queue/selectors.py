"""Reads the request pages, the API and the home pages share. Each takes the acting user."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, DateField, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from pmm_portal.core.dates import month_end, month_start
from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.selectors import teams_of

from .models import (
    CLOSED_STATUSES,
    DEFAULT_SLA_DAYS,
    OPEN_STATUSES,
    Asset,
    Notification,
    Request,
    RequestStatus,
    RequestType,
    SlaTarget,
)
from .permissions import assets_visible_to, visible_to
from .services import add_business_days, business_days_between

ZERO = Decimal(0)
S = RequestStatus


# --- Search ------------------------------------------------------------------------------------

_WORD = re.compile(r"[\w-]{3,}", re.UNICODE)
_NON_WORD = re.compile(r"[^\w]", re.UNICODE)
STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "our",
        "your",
        "need",
        "needs",
        "want",
        "help",
        "please",
        "about",
        "into",
        "can",
        "could",
        "would",
        "new",
        "some",
        "any",
        "are",
        "was",
        "were",
        "have",
        "has",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "how",
        "deal",
    ]
)


def _terms(text: str) -> list[str]:
    words = [w.lower().strip("-") for w in _WORD.findall(text)]
    return [w for w in dict.fromkeys(words) if w and w not in STOPWORDS][:12]


def search(
    queryset: QuerySet[Any], text: str, fields: tuple[str, ...], *, any_word: bool = False
) -> QuerySet[Any]:
    """Rank ``queryset`` by how well ``fields`` match ``text``.

    PostgreSQL: full-text search (English stemming), the first field weighted
    highest, ordered by ``SearchRank``; ``any_word`` matches any term (typing
    suggestions), otherwise every term (the search box). Elsewhere (SQLite):
    a plain case-insensitive match, in the queryset's own order.
    """
    terms = _terms(text) if any_word else list(_WORD.findall(text))
    if not text.strip() or not terms:
        return queryset if not any_word else queryset.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        weights = ["A", "B", "C", "D"]
        vector: Any = SearchVector(fields[0], weight="A", config="english")
        for index, field in enumerate(fields[1:], start=1):
            vector = vector + SearchVector(field, weight=weights[min(index, 3)], config="english")
        if any_word:
            cleaned = [_NON_WORD.sub("", term) for term in terms]
            raw = " | ".join(f"{term}:*" for term in cleaned if term)
            if not raw:
                return queryset.none()
            query = SearchQuery(raw, search_type="raw", config="english")
        else:
            query = SearchQuery(text, search_type="websearch", config="english")
        # Filter on the match itself: ts_rank gives non-matching rows a tiny positive rank.
        return (
            queryset.annotate(search_document=vector, search_rank=SearchRank(vector, query))
            .filter(search_document=query)
            .order_by("-search_rank", *queryset.query.order_by)
        )
    condition = Q()
    for term in terms:
        per_term = Q()
        for field in fields:
            per_term |= Q(**{f"{field}__icontains": term})
        condition = condition | per_term if any_word else condition & per_term
    return queryset.filter(condition)


# --- SLA -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaClock:
    """Where a request stands against its team's acknowledge and deliver targets (business days)."""

    acknowledge_days: int
    deliver_days: int
    acknowledge_by: date
    deliver_by: date
    acknowledged: bool
    days_left: int  # business days to the next target; negative when late
    target: str  # "acknowledge" or "deliver"

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def label(self) -> str:
        what = "Acknowledge" if self.target == "acknowledge" else "Deliver"
        if self.days_left < 0:
            return f"{what}: {-self.days_left} business day{'s' if self.days_left != -1 else ''} late"
        if self.days_left == 0:
            return f"{what} today"
        return f"{what} in {self.days_left} business day{'s' if self.days_left != 1 else ''}"


def sla_targets(team_ids: set[int]) -> dict[tuple[int, str], tuple[int, int]]:
    """Every set target of these teams, in one query: {(team id, type): (acknowledge, deliver)}."""
    return {
        (t.team_id, t.type): (t.acknowledge_days, t.deliver_days)
        for t in SlaTarget.objects.filter(team_id__in=team_ids)
    }


def sla_clock(
    request: Request, targets: dict[tuple[int, str], tuple[int, int]], today: date | None = None
) -> SlaClock | None:
    """The request's SLA clock; None once it is closed (nothing left to meet)."""
    if request.status in CLOSED_STATUSES:
        return None
    today = today or timezone.localdate()
    ack_days, deliver_days = targets.get((request.team_id, request.type), DEFAULT_SLA_DAYS[request.type])
    start = timezone.localtime(request.created_at).date()
    acknowledge_by = add_business_days(start, ack_days)
    deliver_by = add_business_days(start, deliver_days)
    acknowledged = request.acknowledged_at is not None
    target_date, target = (deliver_by, "deliver") if acknowledged else (acknowledge_by, "acknowledge")
    return SlaClock(
        acknowledge_days=ack_days,
        deliver_days=deliver_days,
        acknowledge_by=acknowledge_by,
        deliver_by=deliver_by,
        acknowledged=acknowledged,
        days_left=business_days_between(today, target_date),
        target=target,
    )


def sla_table(*, team: Team) -> list[dict[str, Any]]:
    """Every request type with the team's targets (or the defaults), for the service-levels page."""
    set_targets = sla_targets({team.pk})
    rows = []
    for value, label in RequestType.choices:
        acknowledge, deliver = set_targets.get((team.pk, value), DEFAULT_SLA_DAYS[value])
        rows.append(
            {
                "type": value,
                "label": label,
                "acknowledge_days": acknowledge,
                "deliver_days": deliver,
                "is_default": (team.pk, value) not in set_targets,
            }
        )
    return rows


def sla_teams(*, user: User) -> QuerySet[Team]:
    """The teams whose service levels ``user`` sets: those they lead (every team for administrators)."""
    if user.is_portal_admin:
        return Team.objects.order_by("name")
    return Team.objects.filter(lead=user).order_by("name")


def delivered_request(*, id: int) -> Request | None:
    """A past delivered request offered as a suggestion (its title and answer are shared with sales)."""
    return Request.objects.filter(pk=id, status=S.DELIVERED).first()


def attach_sla(requests: list[Request]) -> list[Request]:
    """Set ``request.sla`` on each request with one query for the targets of their teams."""
    targets = sla_targets({r.team_id for r in requests})
    today = timezone.localdate()
    for request in requests:
        request.sla = sla_clock(request, targets, today)  # type: ignore[attr-defined]
    return requests


# --- The queue -----------------------------------------------------------------------------------

DEADLINE = Coalesce("due_date", "needed_by", output_field=DateField())

QUEUE_ORDERINGS = {
    "priority": ("-priority", "needed_by", "id"),
    "needed_by": ("needed_by", "-priority", "id"),
    "due": ("deadline", "-priority", "id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
}


@dataclass
class QueueFilters:
    q: str = ""
    status: str = "open"  # "open", "all", "overdue" or one status
    type: str = ""
    product: int | None = None
    assignee: str = ""  # "", "me", "none" or a user id
    due_before: date | None = None
    overdue: bool = False
    sort: str = "priority"


def queue(*, user: User, filters: QueueFilters) -> QuerySet[Request]:
    """The requests a PMM or CMO works, filtered, searched and in priority order."""
    requests = (
        visible_to(user)
        .select_related("requester", "assignee", "product", "team")
        .annotate(deadline=DEADLINE)
    )
    if filters.status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif filters.status in S.values:
        requests = requests.filter(status=filters.status)
    if filters.type:
        requests = requests.filter(type=filters.type)
    if filters.product:
        requests = requests.filter(product_id=filters.product)
    if filters.assignee == "me":
        requests = requests.filter(assignee=user)
    elif filters.assignee == "none":
        requests = requests.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        requests = requests.filter(assignee_id=int(filters.assignee))
    if filters.due_before:
        requests = requests.filter(deadline__lte=filters.due_before)
    if filters.overdue:
        requests = requests.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())
    requests = requests.order_by(*QUEUE_ORDERINGS.get(filters.sort, QUEUE_ORDERINGS["priority"]))
    if filters.q:
        requests = search(requests, filters.q, ("title", "details", "account", "competitor"))
    return requests


def assignable_pmms(*, user: User, team_ids: set[int] | None = None) -> QuerySet[User]:
    """PMMs of the teams ``user`` sees (for the assignee filter and picker)."""
    teams = teams_of(user=user)
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    return (
        User.objects.filter(role=Role.PMM, is_active=True, teams__in=teams.values("pk"))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _summary_counts(user: User) -> dict[str, Any]:
    today = timezone.localdate()
    month_ago = timezone.now() - timedelta(days=30)
    open_q = Q(status__in=OPEN_STATUSES)
    return {
        "new": Count("pk", filter=Q(status=S.NEW)),
        "open": Count("pk", filter=open_q),
        "mine": Count("pk", filter=open_q & Q(assignee=user)),
        "unassigned": Count("pk", filter=Q(status__in=(S.NEW, S.TRIAGED), assignee__isnull=True)),
        "overdue": Count("pk", filter=open_q & Q(deadline__lt=today)),
        "delivered_30": Count("pk", filter=Q(status=S.DELIVERED, delivered_at__gte=month_ago)),
        "reused_30": Count("pk", filter=Q(status=S.REUSED, closed_at__gte=month_ago)),
    }


def queue_summary(*, user: User) -> dict[str, int]:
    """Counts for the queue header and the PMM home page, in one query."""
    return visible_to(user).annotate(deadline=DEADLINE).aggregate(**_summary_counts(user))


# --- My requests -----------------------------------------------------------------------------


MINE_ORDERINGS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "needed_by": ("needed_by", "-id"),
}


def my_requests(*, user: User, status: str = "", q: str = "", sort: str = "newest") -> QuerySet[Request]:
    """The requests a salesperson made or follows, newest first, with their latest comments at hand."""
    requests = (
        visible_to(user)
        .select_related("assignee", "product", "duplicate_of", "reused_asset", "answered_by_request")
        .annotate(comment_count=Count("comments", distinct=True))
        .order_by(*MINE_ORDERINGS.get(sort, MINE_ORDERINGS["newest"]))
    )
    if status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        requests = requests.filter(status__in=CLOSED_STATUSES)
    elif status in S.values:
        requests = requests.filter(status=status)
    if q:
        requests = search(requests, q, ("title", "details", "account"))
    return requests


def notifications_for(*, user: User, limit: int = 10) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user)
        .select_related("request")
        .order_by("-created_at", "-id")[:limit]
    )


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def request_detail(*, request: Request) -> Request:
    """Everything the detail page shows about one request, in a constant number of queries."""
    from .models import RequestComment, RequestEvent

    return (
        Request.objects.select_related(
            "requester", "assignee", "product", "team", "duplicate_of", "reused_asset", "answered_by_request"
        )
        .prefetch_related(
            "attachments",
            "personas",
            "followers",
            Prefetch("comments", queryset=RequestComment.objects.select_related("author")),
            Prefetch("events", queryset=RequestEvent.objects.select_related("actor")),
            "published_assets",
            Prefetch("duplicates", queryset=Request.objects.select_related("requester")),
        )
        .get(pk=request.pk)
    )


# --- Suggestions -----------------------------------------------------------------------------


@dataclass
class Suggestions:
    assets: list[Asset]
    requests: list[Request]

    def __bool__(self) -> bool:
        return bool(self.assets or self.requests)


def suggestions(*, user: User, text: str, product_id: int | None = None, limit: int = 5) -> Suggestions:
    """Library assets and past delivered requests that may already answer what ``text`` asks.

    Past requests are the team's whole delivered history, shown by title only:
    the answer may help anyone, and the requester's details stay private.
    """
    if len(text.strip()) < 3:
        return Suggestions([], [])
    assets = search(
        assets_visible_to(user).select_related("owner"), text, ("title", "description"), any_word=True
    )
    past = search(
        Request.objects.filter(status=S.DELIVERED).select_related("product", "assignee"),
        text,
        ("title", "details"),
        any_word=True,
    )
    if product_id:
        past = past.filter(product_id=product_id)
    return Suggestions(list(assets[:limit]), list(past[:limit]))


# --- Assets ----------------------------------------------------------------------------------


@dataclass
class AssetFilters:
    q: str = ""
    kind: str = ""
    product: int | None = None
    team: int | None = None
    review: str = ""  # "", "due" (past review-by) or "fresh"
    sort: str = "reuse"


ASSET_ORDERINGS = {
    "reuse": ("-reuse_count", "title"),
    "title": ("title",),
    "newest": ("-created_at",),
    "review": ("review_by",),
}


def asset_library(*, user: User, filters: AssetFilters) -> QuerySet[Asset]:
    assets = (
        assets_visible_to(user)
        .select_related("owner", "team")
        .prefetch_related("products", "personas")
        .order_by(*ASSET_ORDERINGS.get(filters.sort, ASSET_ORDERINGS["reuse"]))
    )
    today = timezone.localdate()
    if filters.kind:
        assets = assets.filter(kind=filters.kind)
    if filters.product:
        assets = assets.filter(products=filters.product)
    if filters.team:
        assets = assets.filter(team_id=filters.team)
    if filters.review == "due":
        assets = assets.filter(review_by__lt=today)
    elif filters.review == "fresh":
        assets = assets.filter(review_by__gte=today)
    if filters.q:
        assets = search(assets, filters.q, ("title", "description"))
    return assets


# --- One-off budget gauge -------------------------------------------------------------------------

# A month this young has few hours logged; projecting onto less than a week of work
# would make any assignment look like it breaks the budget.
MIN_PROJECTION_HOURS = Decimal(40)


@dataclass
class BudgetGauge:
    """A PMM's one-off load this month: request hours over all logged hours, against the team band."""

    user: User
    request_hours: Decimal
    total_hours: Decimal
    band_min: int
    band_max: int
    extra_hours: Decimal = ZERO

    @property
    def share_pct(self) -> Decimal:
        if not self.total_hours:
            return ZERO
        return (self.request_hours * 100 / self.total_hours).quantize(Decimal("0.1"))

    @property
    def projected_pct(self) -> Decimal:
        """The share after ``extra_hours`` more request work (over at least ``MIN_PROJECTION_HOURS``)."""
        if not self.extra_hours:
            return self.share_pct
        total = max(self.total_hours + self.extra_hours, MIN_PROJECTION_HOURS)
        return ((self.request_hours + self.extra_hours) * 100 / total).quantize(Decimal("0.1"))

    @property
    def status(self) -> str:
        """ "under", "within" or "over" the band."""
        if self.share_pct > self.band_max:
            return "over"
        if self.share_pct >= self.band_min:
            return "within"
        return "under"

    @property
    def would_exceed(self) -> bool:
        return self.projected_pct > self.band_max

    @property
    def headroom_pct(self) -> Decimal:
        return Decimal(self.band_max) - self.projected_pct

    @property
    def meter_value(self) -> Decimal:
        return min(self.share_pct, Decimal(100))


def month_bounds(day: date) -> tuple[date, date]:
    """The weeks of ``day``'s month for ``time_totals``: those whose Monday falls in it.

    The same rule as the timesheet, the dashboard and the monthly report, so the
    gauge and the reports never disagree on a month's one-off share.
    """
    first = month_start(day)
    return first, month_end(first)


def budget_gauges(
    *, team: Team, users: list[User] | None = None, extra_hours: Decimal = ZERO, today: date | None = None
) -> list[BudgetGauge]:
    """Each PMM's gauge this month (see ``month_bounds``), with one query for the hours."""
    from initiatives.models import TimeCategory
    from initiatives.selectors import time_totals

    today = today or timezone.localdate()
    if users is None:
        users = list(team.members.filter(role=Role.PMM, is_active=True).order_by("first_name", "username"))
    start, end = month_bounds(today)
    totals = time_totals(user_ids=[u.pk for u in users], start=start, end=end)
    return [
        BudgetGauge(
            user=user,
            request_hours=totals[user.pk].by_category.get(TimeCategory.REQUEST, ZERO),
            total_hours=totals[user.pk].total,
            band_min=team.one_off_budget_min_pct,
            band_max=team.one_off_budget_max_pct,
            extra_hours=extra_hours,
        )
        for user in users
    ]


def suggest_assignee(gauges: list[BudgetGauge]) -> BudgetGauge | None:
    """The PMM with the most headroom under the band after the extra hours (ties: fewer hours)."""
    if not gauges:
        return None
    return max(gauges, key=lambda g: (g.headroom_pct, -g.request_hours, -g.user.pk))


def my_gauge(*, user: User, teams: Iterable[Team] | None = None) -> BudgetGauge | None:
    """A PMM's own gauge against their (first) team's band; ``teams`` may be an already loaded list."""
    if user.role != Role.PMM:
        return None
    team = next(iter(teams), None) if teams is not None else teams_of(user=user).first()
    if team is None:
        return None
    return budget_gauges(team=team, users=[user])[0]


def team_health(*, user: User) -> dict[str, Any]:
    """Queue health for the CMO's home, in one query: open load, overdue, reuse, declines and ratings.

    The ``total``/``reused``/``declined``/``avg_rating`` figures cover the last 90 days.
    """
    recent = Q(created_at__gte=timezone.now() - timedelta(days=90))
    figures: dict[str, Any] = (
        visible_to(user)
        .annotate(deadline=DEADLINE)
        .aggregate(
            **_summary_counts(user),
            total=Count("pk", filter=recent),
            reused=Count("pk", filter=recent & Q(status=S.REUSED)),
            declined=Count("pk", filter=recent & Q(status=S.DECLINED)),
            avg_rating=Avg("rating", filter=recent),
        )
    )
    rating = figures["avg_rating"]
    figures["avg_rating"] = round(rating, 1) if rating is not None else None
    figures["reuse_pct"] = round(figures["reused"] * 100 / figures["total"]) if figures["total"] else 0
    return figures
