"""Reads the request pages, the API and the home pages share. Each takes the acting user."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, DateField, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from personas import permissions as persona_permissions
from personas.models import Persona, PersonaStatus
from pmm_portal.core import figures
from pmm_portal.core import search as ranking
from pmm_portal.core.dates import add_months, month_end, month_start
from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.queries import count_of
from pmm_portal.core.selectors import product_choices, teams_of
from timesheets import selectors as timesheet_selectors

from . import search as request_search
from . import workflow
from .models import (
    DEFAULT_SLA_DAYS,
    OPEN_STATUSES,
    Asset,
    AssetVersion,
    EventKind,
    Notification,
    Request,
    RequestComment,
    RequestEvent,
    RequestFollower,
    RequestStatus,
    RequestType,
    SavedView,
    TriageRota,
)
from .permissions import (
    assets_linkable_by,
    assets_visible_to,
    can_act_on_request,
    saved_views_visible_to,
    visible_to,
)
from .services.scoring import BudgetGauge
from .services.sla import (
    CLOCK_FIELDS,
    sla_clocks,
    sla_counts,
    sla_scan,
    sla_targets,
    with_sla_targets,
)
from .workflow import RequestError

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
        ranked: QuerySet[Any] = (
            queryset.annotate(search_document=vector, search_rank=SearchRank(vector, query))
            .filter(search_document=query)
            .order_by("-search_rank", *queryset.query.order_by)
        )
        return ranked
    condition = Q()
    for term in terms:
        per_term = Q()
        for field in fields:
            per_term |= Q(**{f"{field}__icontains": term})
        condition = condition | per_term if any_word else condition & per_term
    return queryset.filter(condition)


# --- SLA -------------------------------------------------------------------------------------


def sla_tables(*, teams: list[Team]) -> dict[int, list[dict[str, Any]]]:
    """``sla_table`` of each of ``teams``, by team id, in one query."""
    set_targets = sla_targets({team.pk for team in teams})
    return {team.pk: sla_table(team=team, set_targets=set_targets) for team in teams}


def sla_table(
    *, team: Team, set_targets: dict[tuple[int, str], tuple[int, int]] | None = None
) -> list[dict[str, Any]]:
    """Every request type with the team's targets (or the defaults), for the service-levels page."""
    if set_targets is None:
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
    """Set ``request.sla`` (``services.sla.sla_clock``) on each request.

    The targets come from ``with_sla_targets`` when the rows carry them (``queue``
    does), else from one query for the targets of their teams.
    """
    clocks = sla_clocks(requests)
    for request in requests:
        request.sla = clocks[request.pk]  # type: ignore[attr-defined]
    return requests


def sla_summary(queryset: QuerySet[Request]) -> dict[str, int]:
    """How many open requests of ``queryset`` are in each SLA state, in one query.

    The same rule as each row's clock (``services.sla``): on the queue, with the
    queue's filters, a counter equals the rows its link lists.
    """
    return sla_counts(sla_clocks(sla_scan(queryset)).values())


def sla_by_team(*, team_ids: set[int]) -> dict[int, dict[str, int]]:
    """Each team's open requests by SLA state, in one query (the service-levels page)."""
    rows = sla_scan(Request.objects.filter(team_id__in=team_ids))
    clocks = sla_clocks(rows)
    return {team_id: sla_counts(clocks[r.pk] for r in rows if r.team_id == team_id) for team_id in team_ids}


def sla_state_ids(queryset: QuerySet[Request], state: str) -> list[int]:
    """The ids of the open requests of ``queryset`` in the SLA ``state``, in one query."""
    return [pk for pk, clock in sla_clocks(sla_scan(queryset)).items() if clock and clock.state == state]


# --- The queue -----------------------------------------------------------------------------------

DEADLINE = Coalesce("due_date", "needed_by", output_field=DateField())

QUEUE_ORDERINGS = {
    "priority": ("-priority", "needed_by", "id"),
    "needed_by": ("needed_by", "-priority", "id"),
    "due": ("deadline", "-priority", "id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
}


def queue(*, user: User) -> QuerySet[Request]:
    """The requests a PMM or CMO works, with their deadline and SLA targets, in priority order.

    ``filters.QueueFilter`` narrows it; ``attach_sla`` gives each row its clock from the
    targets annotated here, without another query.
    """
    return with_sla_targets(
        visible_to(user)
        .select_related("requester", "assignee", "product", "team")
        .annotate(deadline=DEADLINE)
        .order_by(*QUEUE_ORDERINGS["priority"])
    )


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


def _open_summary(user: User, rows: list[Request]) -> dict[str, int]:
    """The open queue's counters from the scanned open rows (``sla_scan``): load and SLA states."""
    clocks = sla_clocks(rows)
    summary = {
        "open": len(rows),
        "new": sum(1 for r in rows if r.status == S.NEW),
        "mine": sum(1 for r in rows if r.assignee_id == user.pk),
        "unassigned": sum(1 for r in rows if r.status in (S.NEW, S.TRIAGED) and r.assignee_id is None),
    }
    return {**summary, **sla_counts(clocks.values())}


def queue_summary(*, user: User) -> dict[str, int]:
    """The open queue's counters for the queue header and the PMM home page, in one query.

    ``new``, ``mine``, ``unassigned``, ``open`` and one count per SLA state
    (``overdue``, ``due_soon``, ``on_track``, ``paused``): the queue's default view.
    Computed once per change of the user's teams' requests (``pmm_portal.core.figures``).
    """
    return figures.cached(
        "queue_summary",
        teams=lambda: list(teams_of(user=user)),
        parts=[user.pk],
        compute=lambda: _open_summary(user, sla_scan(visible_to(user), extra=("assignee_id",))),
    )


# --- My requests -----------------------------------------------------------------------------


MINE_ORDERINGS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "needed_by": ("needed_by", "-id"),
}


def my_requests(*, user: User) -> QuerySet[Request]:
    """The requests a salesperson made or follows, newest first (``filters.MyRequestFilter`` narrows it)."""
    return (
        visible_to(user)
        .select_related("assignee", "product", "team")
        # What answered a request, loaded for the page's rows only: three more joins of the
        # request table made PostgreSQL spend 30-50 ms planning each page.
        .prefetch_related(
            Prefetch("duplicate_of", queryset=Request.objects.only("pk", "title", "status")),
            Prefetch("reused_asset", queryset=Asset.objects.only("pk", "title")),
            Prefetch("answered_by_request", queryset=Request.objects.only("pk", "title", "delivery_link")),
        )
        .annotate(comment_count=count_of(RequestComment, "request_id"))
        .order_by(*MINE_ORDERINGS["newest"])
    )


def notifications_for(*, user: User, limit: int = 10) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user)
        .select_related("request")
        .order_by("-created_at", "-id")[:limit]
    )


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# The inbox's kinds: what a notification is about, by its event (a mention first).
INBOX_KINDS = [
    ("mention", "Mentions"),
    ("new", "New requests"),
    ("comment", "Comments"),
    ("status", "Status and assignments"),
]
INBOX_ORDERINGS = {"newest": ("-created_at", "-id"), "oldest": ("created_at", "id")}


def inbox(*, user: User) -> QuerySet[Notification]:
    """Everything ``user`` was notified of, newest first, with its request (one query per page)."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("request", "event")
        .only(
            "id",
            "text",
            "mentioned",
            "created_at",
            "read_at",
            "request_id",
            "request__title",
            "request__status",
            "event_id",
            "event__kind",
            "event__message",
        )
        .order_by(*INBOX_ORDERINGS["newest"])
    )


def inbox_of_kind(queryset: QuerySet[Notification], kind: str) -> QuerySet[Notification]:
    if kind == "mention":
        return queryset.filter(mentioned=True)
    if kind == "new":
        return queryset.filter(event__kind=EventKind.SUBMITTED)
    if kind == "comment":
        return queryset.filter(event__kind=EventKind.COMMENTED, mentioned=False)
    if kind == "status":
        return queryset.exclude(event__kind__in=[EventKind.SUBMITTED, EventKind.COMMENTED])
    return queryset


def notification_of(*, user: User, pk: int) -> Notification:
    """One of ``user``'s own notifications (404 for anyone else's)."""
    return get_object_or_404(Notification.objects.select_related("request", "event"), pk=pk, recipient=user)


def request_detail(*, request: Request) -> Request:
    """Everything the detail page shows about one request, in a constant number of queries."""
    return (
        Request.objects.select_related(
            "requester", "assignee", "product", "team", "duplicate_of", "reused_asset", "answered_by_request"
        )
        .prefetch_related(
            "attachments",
            "personas",
            Prefetch("follows", queryset=RequestFollower.objects.select_related("user")),
            Prefetch("comments", queryset=RequestComment.objects.select_related("author")),
            Prefetch("events", queryset=RequestEvent.objects.select_related("actor")),
            "published_assets",
            Prefetch("duplicates", queryset=Request.objects.select_related("requester")),
        )
        .get(pk=request.pk)
    )


# --- Suggestions ---------------------------------------------------------------------------

# A battlecard (``competitive``, registered there) is offered as an asset is: by its document only.
SUGGESTION_KINDS = ("asset", "battlecard", "request")


@dataclass
class Suggestions:
    """What may already answer a rep's question, best first (``pmm_portal.core.search`` ranks).

    Each hit has ``obj`` (the asset or request) and ``role``: ``asset``, ``answer`` (a
    past delivered request: its title and answer are shared with every rep),
    ``open`` (a request still being worked: the rep may say "me too"; only its title
    shows) or ``own`` (the rep's own open request).
    """

    hits: list[ranking.Hit]

    def __bool__(self) -> bool:
        return bool(self.hits)

    @property
    def assets(self) -> list[Asset]:
        return [hit.obj for hit in self.hits if hit.role == "asset"]  # type: ignore[attr-defined]

    @property
    def requests(self) -> list[Request]:
        return [hit.obj for hit in self.hits if hit.role == "answer"]  # type: ignore[attr-defined]


def _load_assets(ids: list[int]) -> dict[int, Asset]:
    return Asset.objects.select_related("owner").in_bulk(ids)


def _load_requests(ids: list[int]) -> dict[int, Request]:
    """What a suggestion or a likely duplicate shows of a request (never the requester's details)."""
    return (
        Request.objects.select_related("product", "assignee")
        .only(
            "id",
            "title",
            "status",
            "requester_id",
            "team_id",
            "created_at",
            "delivered_at",
            "delivery_link",
            "due_date",
            "product__name",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__username",
        )
        .in_bulk(ids)
    )


def suggestions(
    *,
    user: User,
    text: str,
    product_id: int | None = None,
    type: str = "",
    competitor: str = "",
    limit: int = 6,
) -> Suggestions:
    """Assets, past answers and open requests that may already answer what ``text`` asks.

    Every live library asset and every delivered or open request of any team is searched
    (a retired asset never, even by its exact title);
    the product, type and competitor already chosen move matching ones up. Past and
    open requests of other reps show by title only: their details stay private.
    Three queries at most, whatever the data's size.
    """
    hits = ranking.find(
        text,
        user=user,
        kinds=SUGGESTION_KINDS,
        restrict={
            "request": Q(state__in=[request_search.OPEN, request_search.ANSWERED]),
            # Every live asset (the library is open to everyone signed in); retired ones never.
            "asset": Q(state=request_search.LIVE),
        },
        boost=ranking.Boost(product_id=product_id, competitor=competitor, type=type),
        limit=limit * 3,
    )
    hits = ranking.attach_objects(hits, {"asset": _load_assets, "request": _load_requests})
    kept: list[ranking.Hit] = []
    titles: set[tuple[str, str]] = set()
    for hit in hits:
        obj = hit.obj
        if hit.kind in ("asset", "battlecard"):
            role = hit.kind
        elif obj.status == S.DELIVERED:
            role = "answer"
        elif obj.requester_id == user.pk:
            role = "own"
        else:
            role = "open"
        # The same question asked many times shows once (its best match).
        key = (role, " ".join(ranking.words(hit.title)))
        if role not in ("asset", "battlecard") and key in titles:
            continue
        titles.add(key)
        hit.role = role  # type: ignore[attr-defined]
        kept.append(hit)
    return Suggestions(kept[:limit])


def likely_duplicates(*, user: User, request: Request, limit: int = 5) -> list[ranking.Hit]:
    """Requests of the same team that ask what ``request`` asks, best first (triage's one-click pick).

    Open requests and those delivered, never ``request`` itself nor those already its
    duplicates; ranked as the request form's suggestions are.
    """
    return likely_duplicates_for_text(user=user, request=request, text=request.title, limit=limit)


def likely_duplicates_for_text(
    *, user: User, request: Request, text: str, limit: int = 5
) -> list[ranking.Hit]:
    """``likely_duplicates`` for what ``text`` asks (the duplicate-of picker's search)."""
    # Whoever may mark ``request`` a duplicate sees its team's requests.
    same_team = Q(team_id=request.team_id, state__in=[request_search.OPEN, request_search.ANSWERED])
    hits = ranking.find(
        text,
        user=user,
        kinds=("request",),
        restrict={"request": same_team & ~Q(object_id=request.pk)},
        boost=ranking.Boost(product_id=request.product_id, competitor=request.competitor, type=request.type),
        limit=limit,
    )
    return ranking.attach_objects(hits, {"request": _load_requests})


# --- Assets ----------------------------------------------------------------------------------


ASSET_ORDERINGS = {
    "reuse": ("-reuse_count", "title"),
    "title": ("title",),
    "newest": ("-created_at",),
    "review": ("review_by",),
}


def asset_library(*, user: User) -> QuerySet[Asset]:
    """The library ``user`` reads, most reused first (``filters.AssetFilter`` narrows it: by
    default to the live assets)."""
    return (
        assets_visible_to(user)
        .select_related("owner", "team", "replaced_by")
        .prefetch_related("products", "personas")
        .order_by(*ASSET_ORDERINGS["reuse"])
    )


def asset_versions(*, asset: Asset) -> list[AssetVersion]:
    """Every recorded version of ``asset``, newest first, with who uploaded each (one query)."""
    return list(asset.versions.select_related("uploaded_by").order_by("-number"))


def asset_product_options(*, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Products whose name holds ``text``, for the asset form's type-ahead picker (names that start
    with it first; an empty text lists the first few)."""
    text = text.strip()[:100]
    products = product_choices()
    if text:
        starts = Case(When(name__istartswith=text, then=Value(0)), default=Value(1))
        products = products.filter(name__icontains=text).order_by(starts, "name", "pk")
    return [{"value": p.pk, "text": p.name, "meta": p.team.name} for p in products[:limit]]


def replacement_options(*, user: User, asset: Asset, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Live assets ``user`` may name as ``asset``'s replacement whose title holds ``text`` (never itself)."""
    text = text.strip()[:200]
    found = assets_linkable_by(user).exclude(pk=asset.pk)
    if text:
        starts = Case(When(title__istartswith=text, then=Value(0)), default=Value(1))
        found = found.filter(title__icontains=text).order_by(starts, "title", "pk")
    else:
        found = found.order_by("-reuse_count", "title", "pk")
    return [
        {"value": a.pk, "text": a.title, "meta": f"{a.get_kind_display()} · v{a.version}"}
        for a in found[:limit]
    ]


# What the page and the API say when an id names nothing the caller may pick.
NOT_AN_ASSIGNEE = "Pick a product marketer of the request's team."
NOT_AN_ASSET = "Pick an asset of the team's library."


def reuse_choices(*, user: User, request: Request) -> QuerySet[Asset]:
    """The assets that may answer ``request`` when triage marks it reused: its own team's live library."""
    return assets_visible_to(user).filter(team_id=request.team_id, retired_at__isnull=True).order_by("title")


def asset_options(
    *, user: User, queryset: QuerySet[Asset], text: str, chosen: str = "", limit: int = 8
) -> list[Asset]:
    """The assets the triage form lists for a reuse: those matching ``text``, else the most reused.

    The one already ``chosen`` (an id, from a submission shown again) stays listed first.
    """
    if text.strip():
        hits = ranking.find(text, user=user, kinds=("asset",), restrict={"asset": queryset}, limit=limit)
        options = [hit.obj for hit in ranking.attach_objects(hits, {"asset": _load_assets})]
    else:
        options = list(queryset.order_by("-reuse_count", "title")[:limit])
    if chosen.isdigit() and all(str(asset.pk) != chosen for asset in options):
        picked = queryset.filter(pk=int(chosen)).first()
        if picked is not None:
            options.insert(0, picked)
    return options


def duplicate_original(*, user: User, request: Request, id: int) -> Request:
    """The request ``id`` that ``request`` duplicates, if ``user`` sees it; the service checks the rest."""
    original = visible_to(user).filter(pk=id).first()
    if original is None:
        raise RequestError({"duplicate_of": f"There is no request #{id} in your queue."})
    return original


def assignee_choices(*, user: User, request: Request) -> QuerySet[User]:
    """Whom ``user`` may assign ``request`` to: the PMMs of its team (the service checks it again)."""
    return assignable_pmms(user=user, team_ids={request.team_id})


def persona_choices() -> QuerySet[Persona]:
    """Personas a request or an asset may be tagged with: every persona but the retired ones."""
    return Persona.objects.exclude(status=PersonaStatus.RETIRED).select_related("team").order_by("name")


def actions_available(*, user: User, request: Request) -> set[str]:
    """The moves of ``workflow.TRANSITIONS`` that ``user`` may make on ``request`` now.

    A move is available when the request's status is one it starts from, the user
    holds the permission action it names, and, for the assignee's moves, the user
    is the assignee (an administrator acts for an assigned one); claiming needs an
    unassigned request. The detail page shows a button or form for each.
    """
    available = set()
    for name, move in workflow.TRANSITIONS.items():
        if request.status not in move.sources or not can_act_on_request(user, request, name):
            continue
        if move.unassigned_only and request.assignee_id is not None:
            continue
        if move.assignee_only and not (
            request.assignee_id == user.pk or (user.is_portal_admin and request.assignee_id is not None)
        ):
            continue
        available.add(name)
    return available


# --- One-off budget gauge -------------------------------------------------------------------------


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

    today = today or timezone.localdate()
    if users is None:
        users = list(team.members.filter(role=Role.PMM, is_active=True).order_by("first_name", "username"))
    start, end = month_bounds(today)
    totals = timesheet_selectors.time_totals(user_ids=[u.pk for u in users], start=start, end=end)
    return [
        BudgetGauge(
            user=user,
            request_hours=totals[user.pk].request_hours,
            total_hours=totals[user.pk].total,
            band_min=team.one_off_budget_min_pct,
            band_max=team.one_off_budget_max_pct,
            extra_hours=extra_hours,
        )
        for user in users
    ]


def my_gauge(*, user: User, teams: Iterable[Team] | None = None) -> BudgetGauge | None:
    """A PMM's own gauge against their (first) team's band; ``teams`` may be an already loaded list."""
    if user.role != Role.PMM:
        return None
    team = next(iter(teams), None) if teams is not None else teams_of(user=user).first()
    if team is None:
        return None
    return budget_gauges(team=team, users=[user])[0]


def team_health(*, user: User) -> dict[str, Any]:
    """Queue health for the CMO's home, in one query: open load, SLA states, reuse, declines and ratings.

    One scan of the open requests and those of the last 90 days (the ``total``/``reused``/
    ``declined``/``avg_rating`` figures cover those 90 days); the SLA states follow the
    same rule as the queue (``services.sla``).
    """
    return figures.cached(
        "team_health",
        teams=lambda: list(teams_of(user=user)),
        parts=[user.pk],
        compute=lambda: _team_health(user),
    )


def _team_health(user: User) -> dict[str, Any]:
    since = timezone.now() - timedelta(days=90)
    rows = list(
        with_sla_targets(
            visible_to(user)
            .filter(Q(status__in=OPEN_STATUSES) | Q(created_at__gte=since))
            .order_by()
            .select_related("team")
            .only(*CLOCK_FIELDS, "assignee_id", "rating")
        )
    )
    figures: dict[str, Any] = _open_summary(user, [r for r in rows if r.status in OPEN_STATUSES])
    recent = [r for r in rows if r.created_at >= since]
    ratings = [r.rating for r in recent if r.rating is not None]
    figures["total"] = len(recent)
    figures["reused"] = sum(1 for r in recent if r.status == S.REUSED)
    figures["declined"] = sum(1 for r in recent if r.status == S.DECLINED)
    figures["avg_rating"] = round(sum(ratings) / len(ratings), 1) if ratings else None
    figures["reuse_pct"] = round(figures["reused"] * 100 / figures["total"]) if figures["total"] else 0
    return figures


def open_question(*, request: Request) -> RequestEvent | None:
    """The question a waiting request waits on: its last move to ``waiting`` (reads what ``request_detail`` prefetched)."""
    if request.status != S.WAITING:
        return None
    asked = [
        e for e in request.events.all() if e.kind == EventKind.STATUS_CHANGED and e.to_status == S.WAITING
    ]
    return asked[-1] if asked else None


def request_timeline(*, request: Request) -> list[tuple[str, datetime, Any]]:
    """The detail page's "Conversation and history": events and comments, oldest first.

    A comment appears once, as itself, with its author; its ``commented`` event exists for
    the notification outbox and is not shown again. Reads what ``request_detail`` prefetched.
    """
    items: list[tuple[str, datetime, Any]] = [
        ("event", event.created_at, event)
        for event in request.events.all()
        if event.kind != EventKind.COMMENTED
    ]
    items += [("comment", comment.created_at, comment) for comment in request.comments.all()]
    return sorted(items, key=lambda item: item[1])


def saved_views_for(*, user: User) -> QuerySet[SavedView]:
    """The queue views ``user`` may open: their own and those shared with one of their teams."""
    return saved_views_visible_to(user).select_related("owner", "team").order_by("name", "id")


def triage_rota(*, user: User) -> list[tuple[Team, list[list[str]]]]:
    """Who triages new requests on each weekday, for each team ``user`` belongs to or leads."""
    teams = list(teams_of(user=user).order_by("name")) if not user.is_portal_admin else []
    if not teams:
        return []
    days: dict[int, list[list[str]]] = {team.pk: [[] for _ in range(7)] for team in teams}
    for row in TriageRota.objects.filter(team__in=teams).select_related("user").order_by("user__first_name"):
        days[row.team_id][row.weekday].append(row.user.display_name)
    return [(team, days[team.pk]) for team in teams]


def duplicate_options(*, user: User, request: Request, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Requests of ``request``'s team that ``text`` names (words of the title, or ``#number``), for the
    triage form's duplicate-of picker: open or delivered, never ``request`` itself."""
    text = text.strip()[:200]
    number = text.lstrip("#")
    if number.isdigit():
        found = list(
            visible_to(user)
            .filter(team_id=request.team_id, pk=int(number))
            .exclude(pk=request.pk)
            .exclude(status__in=[S.CANCELLED, S.DECLINED, S.DUPLICATE, S.REUSED])
        )
    else:
        found = [
            hit.obj for hit in likely_duplicates_for_text(user=user, request=request, text=text, limit=limit)
        ]
    return [
        {
            "value": r.pk,
            "text": f"#{r.pk} {r.title}",
            "meta": f"{r.get_status_display()} · {r.created_at:%d %b %Y}",
        }
        for r in found
    ]


# --- Signals: what reps keep asking about a persona ---------------------------------------------
#
# A request is *about* a persona when it is tagged with it. Counted by the day the request was
# submitted, in the portal's time zone (as competitors' signals are, ``competitive.selectors``):
# "this month" is the month so far, "last month" the whole month before, "the last 90 days" the
# requests submitted since the day 90 days before today, today included.

SIGNAL_MONTHS = 12  # the monthly history: this month and the eleven before
RECENT_DAYS = 90


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class RequestSignal:
    """How often reps asked about one thing: this month so far, last month, the last 90 days."""

    this_month: int = 0
    last_month: int = 0
    recent: int = 0

    @property
    def trend(self) -> str:
        """ "up", "down" or "flat": last month against the pace of the last 90 days (per 30 days), the
        same rule as a competitor's signal."""
        pace = self.recent / 3
        if self.last_month > pace * 1.25 and self.last_month >= 2:
            return "up"
        if self.last_month < pace * 0.75 and pace >= 2:
            return "down"
        return "flat"


def signal_counts(*, today: date, created: str = "created_at") -> dict[str, Count]:
    """The three counts of a ``RequestSignal`` as annotations over rows whose submission time is
    the field ``created`` (``"request__created_at"`` from a link table), as of ``today``."""
    this_month = month_start(today)
    end = _day_start(today + timedelta(days=1))

    def between(start: date, stop: datetime) -> Q:
        return Q(**{f"{created}__gte": _day_start(start), f"{created}__lt": stop})

    return {
        "this_month": Count("pk", filter=between(this_month, end)),
        "last_month": Count("pk", filter=between(add_months(this_month, -1), _day_start(this_month))),
        "recent": Count("pk", filter=between(today - timedelta(days=RECENT_DAYS), end)),
    }


@dataclass
class MonthRequests:
    month: date
    requests: int
    deal_value: Decimal


@dataclass
class PersonaSignals:
    """A persona's requests: by month over a year, what the deals behind them are worth, the trend
    and the questions still open."""

    months: list[MonthRequests]
    signal: RequestSignal
    open_requests: list[Request]
    open_count: int
    total_requests: int
    deal_value: Decimal
    peak: int


def requests_about_persona(*, user: User, persona: Persona) -> QuerySet[Request]:
    """The requests ``user`` sees that are tagged with ``persona``."""
    return visible_to(user).filter(personas=persona)


def persona_signals(*, user: User, persona: Persona, today: date | None = None) -> PersonaSignals:
    """What reps asked about ``persona`` in the requests ``user`` sees, in three queries whatever
    their number: the months (with the last 90 days counted in the same pass), the open ones, their
    count."""
    today = today or timezone.localdate()
    first = add_months(month_start(today), -(SIGNAL_MONTHS - 1))  # always before the 90 days
    about = requests_about_persona(user=user, persona=persona)
    rows = (
        about.filter(created_at__gte=_day_start(first), created_at__lt=_day_start(today + timedelta(days=1)))
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            count=Count("pk"),
            value=Sum("opportunity_value"),
            recent=signal_counts(today=today)["recent"],
        )
        .order_by()
    )
    counted: dict[date, Any] = {}
    recent = 0
    for row in rows:
        month = timezone.localdate(row["month"]) if isinstance(row["month"], datetime) else row["month"]
        counted[month] = row
        recent += row["recent"]
    months = [
        MonthRequests(
            month,
            counted[month]["count"] if month in counted else 0,
            (counted[month]["value"] or ZERO) if month in counted else ZERO,
        )
        for month in (add_months(first, n) for n in range(SIGNAL_MONTHS))
    ]
    open_about = about.filter(status__in=OPEN_STATUSES)
    return PersonaSignals(
        months=months,
        signal=RequestSignal(months[-1].requests, months[-2].requests, recent),
        open_requests=list(
            open_about.select_related("product", "requester", "assignee").order_by("-created_at", "-pk")[:10]
        ),
        open_count=open_about.count(),
        total_requests=sum(m.requests for m in months),
        deal_value=sum((m.deal_value for m in months), ZERO),
        peak=max(m.requests for m in months),
    )


@dataclass(frozen=True)
class PersonaAsked:
    """A persona the requests of some teams are tagged with, and how often (the dashboard)."""

    persona_id: int
    name: str
    team_name: str
    signal: RequestSignal

    def get_absolute_url(self) -> str:
        return reverse("personas:detail", args=[self.persona_id])


def personas_asked_about(
    *, user: User, teams: Iterable[Team], today: date | None = None, limit: int = 5
) -> list[PersonaAsked]:
    """The ``limit`` personas that the requests of ``teams`` (those ``user`` sees) were tagged with
    most this month and last month together, then in the last 90 days, in one query. Only personas
    ``user`` sees are named."""
    today = today or timezone.localdate()
    rows: Iterable[Any] = (
        Request.personas.through.objects.filter(
            request__in=visible_to(user).filter(team__in=[team.pk for team in teams]).values("pk"),
            request__created_at__gte=_day_start(today - timedelta(days=RECENT_DAYS)),
            persona__in=persona_permissions.visible_to(user).values("pk"),
        )
        .values("persona_id", "persona__name", "persona__team__name")
        .annotate(**signal_counts(today=today, created="request__created_at"))
        .order_by()
    )
    found = [
        PersonaAsked(
            row["persona_id"],
            row["persona__name"],
            row["persona__team__name"],
            RequestSignal(row["this_month"], row["last_month"], row["recent"]),
        )
        for row in rows
        if row["this_month"] or row["last_month"] or row["recent"]
    ]
    found.sort(key=lambda p: (-(p.signal.this_month + p.signal.last_month), -p.signal.recent, p.name.lower()))
    return found[:limit]
