"""The figures of the dashboard and of the monthly review report, aggregated in the database.

Every figure is computed by grouped queries over a bounded period (a month, a
year of months, twelve weeks), whatever the size of the history, and the
number of queries does not depend on the number of PMMs.

A month is read as it stood at its end (``Period.end_at``, in the team's time
zone): an initiative's status is the last one reported before the month ended,
a request's status the last one it reached before then, a persona's freshness is
judged on the month's last day. Regenerating a past month after later edits to
other months gives the same figures; an edit inside the month changes them.

The definitions below are the only ones: the dashboard, the report (its figures
and its request tables), its exports and the API all count with them, and the
report's footnote prints them (``DEFINITIONS``).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from competitive.models import Competitor
from competitive.permissions import competitors_visible_to
from competitive.selectors import Signal, attach_signals
from diagnostics.selectors import report_section as diagnostic_section
from initiatives.models import (
    FocusSlot,
    InitiativeStatus,
    Learning,
    MonthlyReview,
    StatusUpdate,
    Win,
    WinPromotion,
)
from launches.selectors import month_readiness
from personas.models import CustomerInteraction, Persona
from pmm_portal.core import figures
from pmm_portal.core.dates import (
    CALENDAR_RULE,
    add_months,
    month_start,
    today_in,
    week_share_in_month,
    weeks_touching,
    working_day,
)
from pmm_portal.core.models import Role, Team, User
from requests_queue.models import (
    FollowVia,
    Request,
    RequestEvent,
    RequestFollower,
    RequestStatus,
    RequestType,
)
from requests_queue.selectors import personas_asked_about
from timesheets.models import TimeCategory, TimeEntry
from timesheets.selectors import hours_in_month, in_month

from .models import MonthlyReport, ReportSending, ReportVersion

# The one definition of each figure, in the words the report's footnote uses.
DEFINITIONS: dict[str, str] = {
    "time": CALENDAR_RULE,
    "top3_time": "Top-3 time is time, counted in the month by the rule above, on an initiative that was "
    "in that PMM's top 3 that month.",
    "top3_status": "A top-3 initiative's status is the last one reported before the month ended.",
    "received": "Received: requests submitted during the month; the “Received this month” table lists "
    "exactly these.",
    "delivered": "Delivered: requests delivered during the month, whenever they were received; "
    "on time means delivered on or before the due date set when the request was accepted.",
    "closed": "Reused and declined: requests closed that way during the month. Requests received "
    "earlier and delivered or closed during the month are listed under “Closed this month, received "
    "earlier”.",
    "turnaround": "Turnaround is the time from submission to delivery, in days (median of the month's "
    "deliveries).",
    "scores": "Triage scores are the averages over requests triaged during the month.",
    "status": "A request's status is the one it had when the month ended.",
    "personas": "Persona freshness is judged on the month's last day (today, for the current month).",
    "deflection": "Deflected before the queue: requests received during the month that the rep answered "
    "from the library (“This answers my question” on a suggested asset or past answer), plus “me too” "
    "joins to an open request of the team made during the month. Would-be requests are the requests "
    "received during the month plus those “me too” joins; the deflection rate is deflected ÷ would-be "
    "(— when there were none). A team figure, not split by PMM.",
    "promoted": "Promoted wins: the team's wins promoted (shared with sales or other teams, in the wins "
    "feed) during the month and still promoted when it ended, each once, whatever the win's own date.",
}
# How many working days of a month the dashboard still opens on the previous one.
CLOSING_WORKING_DAYS = 5

TIME_KEYS = ("top3", "initiative_other", "request", "customer", "meetings", "other")
TIME_LABELS = {
    "top3": "Top-3 initiatives",
    "initiative_other": "Other initiatives",
    "request": "One-off requests",
    "customer": "Customer time",
    "meetings": "Meetings",
    "other": "Other",
}
STATUS_KEYS = (
    InitiativeStatus.ON_TRACK,
    InitiativeStatus.AT_RISK,
    InitiativeStatus.OFF_TRACK,
    InitiativeStatus.DONE,
    InitiativeStatus.DROPPED,
)
HOURS = DecimalField(max_digits=10, decimal_places=2)


@dataclass(frozen=True)
class Period:
    """A month in a team's time zone: dates for weekly data, aware datetimes for events."""

    month: dt.date
    end: dt.date  # first day of the next month
    zone: dt.tzinfo

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.month, dt.time.min, tzinfo=self.zone)

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time.min, tzinfo=self.zone)

    @property
    def as_of(self) -> dt.datetime:
        """The moment the month is judged at: its end, or now while it runs."""
        return min(self.end_at, timezone.now())

    def contains(self, moment: dt.datetime | None) -> bool:
        return moment is not None and self.start_at <= moment < self.end_at


def period_of(*, teams: list[Team], month: dt.date) -> Period:
    """The month in the team's time zone; across teams in different zones, in UTC."""
    month = month.replace(day=1)
    zone = teams[0].zone if len({team.time_zone for team in teams}) == 1 else dt.UTC
    return Period(month=month, end=add_months(month, 1), zone=zone)


def default_month(*, teams: list[Team], today: dt.date | None = None) -> dt.date:
    """The month the dashboard and the CMO home open on.

    Until (and including) the fifth working day of a month, the team is still
    closing the previous one, so that month, complete, is shown; afterwards the
    current month so far.
    """
    today = today or today_in(teams[0] if teams else None)
    this_month = month_start(today)
    if today <= working_day(this_month, CLOSING_WORKING_DAYS):
        return add_months(this_month, -1)
    return this_month


def deflection(*, received: int, self_served: int, me_too: int) -> dict[str, Any]:
    """The deflection figures (``DEFINITIONS["deflection"]``) from the month's three counts.

    ``received`` counts every request submitted in the month, the self-served ones included.
    """
    would_be = received + me_too
    deflected = self_served + me_too
    return {
        "self_served": self_served,
        "me_too": me_too,
        "deflected": deflected,
        "would_be": would_be,
        "deflection_rate": deflected / would_be if would_be else None,
    }


@dataclass
class Row:
    """The figures of one PMM (or of the whole team) for one month.

    Deflection (``self_served``, ``me_too``) is a team figure: a request answered
    from the library, or a "me too", never reaches a PMM. Only the team's row
    (``is_team``) counts and shows it.
    """

    hours: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(TIME_KEYS, Decimal(0)))
    top3: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_KEYS, 0))
    received: int = 0
    delivered: int = 0
    reused: int = 0
    declined: int = 0
    on_time: int = 0
    turnaround_days: list[float] = field(default_factory=list)
    reusability: list[int] = field(default_factory=list)
    educational_value: list[int] = field(default_factory=list)
    interactions: int = 0
    customer_minutes: int = 0
    wins: int = 0
    promoted: int = 0
    self_served: int = 0
    me_too: int = 0
    is_team: bool = False

    @property
    def total_hours(self) -> Decimal:
        return sum(self.hours.values(), Decimal(0))

    def share(self, key: str) -> float | None:
        total = self.total_hours
        return float(self.hours[key] / total) if total else None

    def as_dict(self, *, band: tuple[int, int]) -> dict[str, Any]:
        one_off = self.share("request")
        low, high = band
        if one_off is None:
            band_state = "no_time"
        elif one_off * 100 < low:
            band_state = "below"
        elif one_off * 100 > high:
            band_state = "above"
        else:
            band_state = "within"
        requests: dict[str, Any] = {
            "received": self.received,
            "delivered": self.delivered,
            "reused": self.reused,
            "declined": self.declined,
            "on_time": self.on_time,
            "median_turnaround_days": round(median(self.turnaround_days), 1)
            if self.turnaround_days
            else None,
            "reuse_rate": self.reused / (self.reused + self.delivered)
            if self.reused + self.delivered
            else None,
            "avg_reusability": _average(self.reusability),
            "avg_educational_value": _average(self.educational_value),
        }
        if self.is_team:
            requests |= deflection(received=self.received, self_served=self.self_served, me_too=self.me_too)
        return {
            "hours": {key: round(float(value), 2) for key, value in self.hours.items()},
            "total_hours": round(float(self.total_hours), 2),
            "shares": {key: self.share(key) for key in TIME_KEYS},
            "top3_share": self.share("top3"),
            "one_off_share": one_off,
            "other_share": (1 - (self.share("top3") or 0) - (one_off or 0)) if self.total_hours else None,
            "one_off_band_state": band_state,
            "top3": {str(key): value for key, value in self.top3.items()},
            "requests": requests,
            "interactions": self.interactions,
            "customer_minutes": self.customer_minutes,
            "wins": self.wins,
            "promoted": self.promoted,
        }


def _average(scores: list[int]) -> float | None:
    return round(sum(scores) / len(scores), 2) if scores else None


def team_pmms(teams: list[Team]) -> list[User]:
    return list(
        User.objects.filter(teams__in=teams, role=Role.PMM, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@dataclass
class Rows:
    """The team's row and one row per PMM; figures of people who left the team count for the team only."""

    team: Row
    people: dict[int, Row]

    def add(self, user_id: int | None, name: str, value: Any) -> None:
        targets = [self.team]
        if user_id in self.people:
            targets.append(self.people[user_id])
        for row in targets:
            current = getattr(row, name)
            setattr(row, name, current + value)


def _time_key(category: str, top3: bool) -> str:
    if category == TimeCategory.INITIATIVE:
        return "top3" if top3 else "initiative_other"
    return category


def _month_time(user_ids: list[int], month: dt.date) -> list[dict[str, Any]]:
    """Hours per user, category and top-3 flag counted in ``month`` by the calendar rule (one query)."""
    in_top3 = FocusSlot.objects.filter(owner=OuterRef("user"), month=month, initiative=OuterRef("initiative"))
    rows = (
        TimeEntry.objects.filter(in_month(month), user_id__in=user_ids)
        .annotate(top3=Exists(in_top3))
        .values("user_id", "category", "top3")
        .annotate(hours=Sum(hours_in_month(month)))
        .order_by()
    )
    return [dict(row) for row in rows]


def _add_time(rows: Rows, *, period: Period) -> None:
    for entry in _month_time(list(rows.people), period.month):
        key = _time_key(entry["category"], entry["top3"])
        for row in (rows.team, rows.people[entry["user_id"]]):
            row.hours[key] += entry["hours"] or Decimal(0)


def initiative_status_at(end: dt.datetime, *, prefix: str = "") -> Coalesce:
    """An initiative's status when ``end`` came (``prefix`` for a related lookup, e.g. ``initiative__``).

    The last status update before ``end``; with none before it but some after it
    (old data, from before creation recorded its first update), ``on_track``, the
    status every initiative starts with; with no update at all, its current status.
    """
    outer = OuterRef(f"{prefix}pk" if prefix else "pk")
    latest = (
        StatusUpdate.objects.filter(initiative=outer, created_at__lt=end)
        .order_by("-created_at", "-id")
        .values("status")[:1]
    )
    return Coalesce(
        Subquery(latest, output_field=CharField()),
        Case(
            When(
                Exists(StatusUpdate.objects.filter(initiative=outer)), then=Value(InitiativeStatus.ON_TRACK)
            ),
            default=F(f"{prefix}status"),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )


def _add_top3(rows: Rows, *, period: Period) -> None:
    slots = (
        FocusSlot.objects.filter(owner_id__in=list(rows.people), month=period.month)
        .annotate(status_then=initiative_status_at(period.end_at, prefix="initiative__"))
        .values("owner_id", "status_then")
        .annotate(count=Count("id"))
        .order_by()
    )
    for slot in slots:
        for row in (rows.team, rows.people[slot["owner_id"]]):
            row.top3[slot["status_then"]] += slot["count"]


def request_status_at(end: dt.datetime) -> Coalesce:
    """A request's status when ``end`` came: the last status it reached before then (its events).

    Requests without a status event before ``end`` (history imported or seeded
    without events) fall back to what their dates say.
    """
    latest = (
        RequestEvent.objects.filter(request=OuterRef("pk"), created_at__lt=end)
        .exclude(to_status="")
        .order_by("-created_at", "-id")
        .values("to_status")[:1]
    )
    inferred = Case(
        When(closed_at__lt=end, then=F("status")),
        When(delivered_at__lt=end, then=Value(RequestStatus.DELIVERED)),
        When(started_at__lt=end, then=Value(RequestStatus.IN_PROGRESS)),
        When(triaged_at__lt=end, then=Value(RequestStatus.TRIAGED)),
        default=Value(RequestStatus.NEW),
        output_field=CharField(),
    )
    return Coalesce(Subquery(latest, output_field=CharField()), inferred, output_field=CharField())


def _hours_through(period: Period) -> Coalesce:
    """Hours logged on the (outer) request up to the month's end, its last week weighed by the rule."""
    last_week = weeks_touching(period.month)[1]
    share = Case(
        When(week_start=last_week, then=Value(week_share_in_month(last_week, period.month))),
        default=Value(Decimal(1)),
        output_field=HOURS,
    )
    hours = (
        TimeEntry.objects.filter(request=OuterRef("pk"), week_start__lte=last_week)
        .values("request")
        .annotate(total=Sum(ExpressionWrapper(F("hours") * share, output_field=HOURS)))
        .values("total")
    )
    return Coalesce(Subquery(hours, output_field=HOURS), Value(Decimal(0)), output_field=HOURS)


@dataclass(frozen=True)
class MonthRequest:
    """A request that something happened to in the month, as it stood at the month's end."""

    request: Request
    period: Period

    @property
    def received(self) -> bool:
        return self.period.contains(self.request.created_at)

    @property
    def delivered(self) -> bool:
        return self.period.contains(self.request.delivered_at)

    @property
    def status(self) -> str:
        return str(self.request.status_then)  # type: ignore[attr-defined]

    def closed_as(self, status: str) -> bool:
        return self.status == status and self.period.contains(self.request.closed_at)

    @property
    def on_time(self) -> bool:
        delivered_at, due = self.request.delivered_at, self.request.due_date
        return (
            self.delivered
            and due is not None
            and delivered_at is not None
            and (delivered_at.astimezone(self.period.zone).date() <= due)
        )

    @property
    def triaged(self) -> bool:
        return self.period.contains(self.request.triaged_at)

    @property
    def closed_earlier_received(self) -> bool:
        """Received before the month, delivered or closed during it."""
        return not self.received and (self.delivered or self.period.contains(self.request.closed_at))


def month_requests(*, teams: list[Team], period: Period) -> list[MonthRequest]:
    """The teams' requests submitted, triaged, delivered or closed in the month (one query).

    Bounded by one month's volume. Every request figure of the month and both
    request tables of the report are derived from this one list.
    """
    touched = Q()
    for name in ("created_at", "triaged_at", "delivered_at", "closed_at"):
        touched |= Q(**{f"{name}__gte": period.start_at, f"{name}__lt": period.end_at})
    requests = (
        Request.objects.filter(touched, team__in=teams)
        .annotate(status_then=request_status_at(period.end_at), hours_then=_hours_through(period))
        .select_related("requester", "assignee")
        .order_by("created_at", "id")
    )
    return [MonthRequest(request, period) for request in requests]


def _add_requests(rows: Rows, requests: list[MonthRequest]) -> None:
    for item in requests:
        assignee = item.request.assignee_id
        if item.received:
            rows.add(assignee, "received", 1)
            rows.team.self_served += int(item.request.self_served)
        if item.delivered:
            rows.add(assignee, "delivered", 1)
            rows.add(assignee, "on_time", int(item.on_time))
            created, delivered = item.request.created_at, item.request.delivered_at
            if delivered is not None:
                rows.add(assignee, "turnaround_days", [(delivered - created).total_seconds() / 86400])
        rows.add(assignee, "reused", int(item.closed_as(RequestStatus.REUSED)))
        rows.add(assignee, "declined", int(item.closed_as(RequestStatus.DECLINED)))
        if item.triaged:
            for name in ("reusability", "educational_value"):
                score = getattr(item.request, name)
                if score is not None:
                    rows.add(assignee, name, [score])


def me_too_joins(*, teams: list[Team], start: dt.datetime, end: dt.datetime) -> QuerySet[RequestFollower]:
    """ "Me too" joins made between ``start`` and ``end`` on the teams' requests (counted by the join's date)."""
    return RequestFollower.objects.filter(
        via=FollowVia.ME_TOO, request__team__in=teams, created_at__gte=start, created_at__lt=end
    )


def _add_me_too(rows: Rows, *, teams: list[Team], period: Period) -> None:
    rows.team.me_too += me_too_joins(teams=teams, start=period.start_at, end=period.end_at).count()


def _add_interactions_and_wins(rows: Rows, *, teams: list[Team], period: Period) -> None:
    interactions = (
        CustomerInteraction.objects.filter(
            team__in=teams, occurred_on__gte=period.month, occurred_on__lt=period.end
        )
        .values("owner_id")
        .annotate(count=Count("id"), minutes=Sum("duration_minutes"))
        .order_by()
    )
    for group in interactions:
        rows.add(group["owner_id"], "interactions", group["count"])
        rows.add(group["owner_id"], "customer_minutes", group["minutes"] or 0)
    # One query for both: the wins dated in the month, and those promoted in it (``DEFINITIONS``).
    dated = Q(date__gte=period.month, date__lt=period.end)
    promoted = Exists(promotions_in(period).filter(win=OuterRef("pk")))
    wins = (
        Win.objects.filter(dated | promoted, team__in=teams)
        .values("owner_id")
        .annotate(count=Count("id", filter=dated), promoted=Count("id", filter=promoted))
        .order_by()
    )
    for win_group in wins:
        rows.add(win_group["owner_id"], "wins", win_group["count"])
        rows.add(win_group["owner_id"], "promoted", win_group["promoted"])


def promotions_in(period: Period) -> QuerySet[WinPromotion]:
    """Promotions made in the month and still standing at its end (``DEFINITIONS["promoted"]``).

    A promotion withdrawn after the month ended still counts for it, so a past month's
    figure never changes when a win is withdrawn or promoted again later.
    """
    return WinPromotion.objects.filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=period.end_at),
        promoted_at__gte=period.start_at,
        promoted_at__lt=period.end_at,
    )


def month_rows(
    *,
    teams: list[Team],
    month: dt.date,
    pmms: list[User] | None = None,
    requests: list[MonthRequest] | None = None,
) -> Rows:
    """The team's and each PMM's figures for ``month`` (a constant number of grouped queries)."""
    period = period_of(teams=teams, month=month)
    pmms = team_pmms(teams) if pmms is None else pmms
    rows = Rows(team=Row(is_team=True), people={pmm.pk: Row() for pmm in pmms})
    _add_time(rows, period=period)
    _add_top3(rows, period=period)
    _add_requests(rows, month_requests(teams=teams, period=period) if requests is None else requests)
    _add_me_too(rows, teams=teams, period=period)
    _add_interactions_and_wins(rows, teams=teams, period=period)
    return rows


def _persona_row(persona: Any, owner: User | None, stale: bool) -> dict[str, Any]:
    fresh_since = persona.last_validated_at or persona.created_at
    return {
        "id": persona.id,
        "name": persona.name,
        "kind": persona.get_kind_display(),
        "owner": owner.display_name if owner else "",
        "status": persona.get_status_display(),
        "fresh_since": fresh_since.date().isoformat(),
        "stale": stale,
    }


def persona_freshness(*, teams: list[Team], now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Each live persona and whether it was stale at ``now`` (the month's end in the report).

    For a past moment, each persona is read as it stood then from its history (a
    validation made later does not make it fresh then); a persona with no history
    from before then (loaded in bulk, or from before history was kept) is read as
    it stands. Three queries, bounded by the teams' personas.
    """
    current = timezone.now()
    now = now or current
    if now >= current:
        personas = (
            Persona.objects.filter(team__in=teams, created_at__lt=now)
            .exclude(status="retired")
            .with_staleness(now=now)
            .select_related("owner")
            .order_by("-stale", "name")  # type: ignore[misc]  # annotated by with_staleness
        )
        return [_persona_row(p, p.owner, bool(getattr(p, "stale", False))) for p in personas]
    historical = Persona.history.model
    latest = (
        historical.objects.filter(id=OuterRef("id"), history_date__lt=now)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    then = list(
        historical.objects.filter(team_id__in=[t.pk for t in teams], history_date__lt=now)
        .filter(history_id=Subquery(latest))
        .exclude(history_type="-")
        .exclude(status="retired")
    )
    with_history = {persona.id for persona in then}
    untracked = list(
        Persona.objects.filter(team__in=teams, created_at__lt=now)
        .exclude(pk__in=with_history)
        .exclude(status="retired")
    )
    stale_days = {team.pk: team.persona_stale_days for team in teams}
    owners = {user.pk: user for user in User.objects.filter(pk__in={p.owner_id for p in [*then, *untracked]})}
    rows = []
    for persona in [*then, *untracked]:
        fresh_since = persona.last_validated_at or persona.created_at
        stale = fresh_since < now - dt.timedelta(days=stale_days[persona.team_id])
        rows.append(_persona_row(persona, owners.get(persona.owner_id), stale))
    return sorted(rows, key=lambda row: (not row["stale"], row["name"]))


def _deflection_by_month(*, teams: list[Team], months: list[dt.date], period: Period) -> list[dict[str, Any]]:
    """The deflection figures of each of ``months`` (the year ending with ``period``), two grouped queries.

    Months are the team's (``period.zone``), as in the month's own figures, so the
    year's last month gives the same numbers as the dashboard's tile.
    """
    start = dt.datetime.combine(months[0], dt.time.min, tzinfo=period.zone)
    counts = {bucket: {"received": 0, "self_served": 0, "me_too": 0} for bucket in months}
    received = (
        Request.objects.filter(team__in=teams, created_at__gte=start, created_at__lt=period.end_at)
        .annotate(bucket=TruncMonth("created_at", tzinfo=period.zone))
        .values("bucket")
        .annotate(received=Count("id"), self_served=Count("id", filter=Q(self_served=True)))
        .order_by()
    )
    for group in received:
        month_counts = counts[group["bucket"].date()]
        month_counts["received"], month_counts["self_served"] = group["received"], group["self_served"]
    joins = (
        me_too_joins(teams=teams, start=start, end=period.end_at)
        .annotate(bucket=TruncMonth("created_at", tzinfo=period.zone))
        .values("bucket")
        .annotate(count=Count("id"))
        .order_by()
    )
    for join_group in joins:
        counts[join_group["bucket"].date()]["me_too"] = join_group["count"]
    return [
        {"month": bucket.isoformat(), "received": values["received"], **deflection(**values)}
        for bucket, values in counts.items()
    ]


def trends(*, teams: list[Team], month: dt.date, pmm_ids: list[int]) -> dict[str, Any]:
    """A year of the time split and of deflection by month, twelve weeks of requests in and out, and
    requests by type.

    The time split runs one grouped query per month (twelve), each counting the
    weeks touching that month by the calendar rule; deflection two grouped queries for the year.
    """
    period = period_of(teams=teams, month=month)
    first = add_months(period.month, -11)
    months = [add_months(first, n) for n in range(12)]
    split: dict[str, dict[str, float]] = {}
    for bucket in months:
        values = dict.fromkeys(TIME_KEYS, 0.0)
        for entry in _month_time(pmm_ids, bucket):
            values[_time_key(entry["category"], entry["top3"])] += float(entry["hours"] or 0)
        split[bucket.isoformat()] = {key: round(value, 2) for key, value in values.items()}

    week_end = period.end_at
    week_start = week_end - dt.timedelta(weeks=12)
    weeks: dict[str, dict[str, int]] = {}
    monday = (week_start - dt.timedelta(days=week_start.weekday())).date()
    while monday < week_end.date():
        weeks[monday.isoformat()] = {"in": 0, "delivered": 0}
        monday += dt.timedelta(weeks=1)
    team_requests = Request.objects.filter(team__in=teams)
    for field_name, key in (("created_at", "in"), ("delivered_at", "delivered")):
        counts = (
            team_requests.filter(**{f"{field_name}__gte": week_start, f"{field_name}__lt": week_end})
            .annotate(week=TruncWeek(field_name, tzinfo=period.zone))
            .values("week")
            .annotate(count=Count("id"))
            .order_by()
        )
        for group in counts:
            week_key = group["week"].date().isoformat()
            weeks.setdefault(week_key, {"in": 0, "delivered": 0})[key] += group["count"]
    by_type = dict(
        team_requests.filter(created_at__gte=period.start_at, created_at__lt=period.end_at)
        .values_list("type")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {
        "time_split": [{"month": key, **values} for key, values in split.items()],
        "weekly_requests": [{"week": key, **values} for key, values in sorted(weeks.items())],
        "requests_by_type": [
            {"type": label, "count": by_type.get(value, 0)} for value, label in RequestType.choices
        ],
        "deflection": _deflection_by_month(teams=teams, months=months, period=period),
    }


def _band(teams: list[Team]) -> tuple[int, int]:
    """The one-off band; across teams, the widest band that contains theirs."""
    return (
        min(team.one_off_budget_min_pct for team in teams),
        max(team.one_off_budget_max_pct for team in teams),
    )


def dashboard(
    *, teams: list[Team], month: dt.date, requests: list[MonthRequest] | None = None
) -> dict[str, Any]:
    """The month's figures for the dashboard, the report and the API: the teams, a row per PMM, the trends."""
    pmms = team_pmms(teams)
    period = period_of(teams=teams, month=month)
    rows = month_rows(teams=teams, month=month, pmms=pmms, requests=requests)
    band = _band(teams)
    return {
        "teams": [{"id": team.pk, "name": team.name, "slug": team.slug} for team in teams],
        "band": {"min": band[0], "max": band[1]},
        "month": month.replace(day=1).isoformat(),
        "figures": rows.team.as_dict(band=band),
        "people": [
            {"id": pmm.pk, "name": pmm.display_name, **rows.people[pmm.pk].as_dict(band=band)} for pmm in pmms
        ],
        "stale_personas": sum(1 for row in persona_freshness(teams=teams, now=period.as_of) if row["stale"]),
        "trends": trends(teams=teams, month=month, pmm_ids=[pmm.pk for pmm in pmms]),
        "definitions": dict(DEFINITIONS),  # a copy: callers and snapshots never share the module's dict
    }


def _reviews(*, pmms: list[User], month: dt.date) -> list[dict[str, Any]]:
    reviews = {
        review.owner_id: review
        for review in MonthlyReview.objects.filter(owner__in=pmms, month=month).prefetch_related(
            "outcomes__initiative"
        )
    }
    result = []
    for pmm in pmms:
        review = reviews.get(pmm.pk)
        result.append(
            {
                "pmm": pmm.display_name,
                "submitted": bool(review and review.submitted_at),
                "learnings": review.learnings if review else "",
                "outcomes": [
                    {
                        "initiative": outcome.initiative.title,
                        "outcome": outcome.get_outcome_display(),
                        "note": outcome.note,
                    }
                    for outcome in (review.outcomes.all() if review else [])
                ],
            }
        )
    return result


def _local_day(moment: dt.datetime | None, period: Period) -> str | None:
    return moment.astimezone(period.zone).date().isoformat() if moment else None


def _request_row(item: MonthRequest) -> dict[str, Any]:
    request, period = item.request, item.period
    return {
        "id": request.pk,
        "title": request.title,
        "type": request.get_type_display(),
        "status": RequestStatus(item.status).label,
        "requester": request.requester.display_name,
        "assignee": request.assignee.display_name if request.assignee else "",
        "reusability": request.reusability,
        "educational_value": request.educational_value,
        "effort_hours": float(request.effort_hours) if request.effort_hours is not None else None,
        "hours_logged": float(request.hours_then),  # type: ignore[attr-defined]
        "created": _local_day(request.created_at, period),
        "delivered": _local_day(request.delivered_at, period) if item.delivered else None,
        "closed": _local_day(request.closed_at, period) if period.contains(request.closed_at) else None,
        "rating": request.rating,
    }


def month_snapshot(*, team: Team, month: dt.date) -> dict[str, Any]:
    """Everything the monthly review report shows, as plain JSON, frozen when generated.

    ``requests`` is the "Received this month" table (its length is the received
    figure) and ``requests_closed_earlier`` the "Closed this month, received
    earlier" one: both come from the same list as the figures.
    """
    period = period_of(teams=[team], month=month)
    requests = month_requests(teams=[team], period=period)
    data = dashboard(teams=[team], month=period.month, requests=requests)
    pmms = team_pmms([team])
    data["reviews"] = _reviews(pmms=pmms, month=period.month)
    data["wins"] = [
        {
            "title": win.title,
            "impact": win.impact,
            "date": win.date.isoformat(),
            "owner": win.owner.display_name,
            "initiative": win.initiative.title if win.initiative else "",
        }
        for win in Win.objects.filter(team=team, date__gte=period.month, date__lt=period.end).select_related(
            "owner", "initiative"
        )
    ]
    data["learning_log"] = [
        {
            "date": learning.date.isoformat(),
            "title": learning.title,
            "owner": learning.owner.display_name,
            "initiative": learning.initiative.title if learning.initiative else "",
            "hypothesis": learning.hypothesis,
            "tried": learning.tried,
            "measure": learning.measure,
            "result": learning.get_result_display(),
            "result_notes": learning.result_notes,
            "lesson": learning.lesson,
        }
        for learning in Learning.objects.filter(team=team, date__gte=period.month, date__lt=period.end)
        .select_related("owner", "initiative")
        .order_by("date", "id")
    ]
    data["requests"] = [_request_row(item) for item in requests if item.received]
    data["requests_closed_earlier"] = [
        _request_row(item) for item in requests if item.closed_earlier_received
    ]
    data["interactions"] = [
        {
            "date": interaction.occurred_on.isoformat(),
            "kind": interaction.get_kind_display(),
            "account": interaction.account,
            "owner": interaction.owner.display_name,
            "minutes": interaction.duration_minutes,
            "personas": [persona.name for persona in interaction.personas.all()],
        }
        for interaction in CustomerInteraction.objects.filter(
            team=team, occurred_on__gte=period.month, occurred_on__lt=period.end
        )
        .select_related("owner")
        .prefetch_related("personas")
        .order_by("occurred_on")
    ]
    data["personas"] = persona_freshness(teams=[team], now=period.as_of)
    # The team's latest diagnostic round closed by the month's end (closed rounds never change).
    data["diagnostic"] = diagnostic_section(team=team, end_at=period.end_at)
    # Launch readiness of the launches dated in or just after the month, as they stood at its end.
    data["launches"] = month_readiness(team=team, month=period.month, end=period.end, as_of=period.as_of)
    # 3: deflection (figures.requests, trends.deflection); 4: promoted wins (figures.promoted) and the
    # learning log (learning_log). Older snapshots lack them.
    # 5: diagnostic (issue 15) and launches
    data["schema"] = 5
    return data


# --- A report's versions, sendings and audience ------------------------------------------------


def report_versions(*, report: MonthlyReport) -> list[ReportVersion]:
    """The report's versions, newest first, without their snapshots (one query)."""
    return list(
        ReportVersion.objects.filter(report=report)
        .defer("data")
        .select_related("created_by")
        .order_by("-number")
    )


def report_sendings(*, report: MonthlyReport, limit: int = 20) -> list[ReportSending]:
    """The latest "send to…" of the report, newest first (one query)."""
    return list(
        ReportSending.objects.filter(report=report).select_related("sent_by").order_by("-created_at")[:limit]
    )


def report_audience(*, team: Team) -> QuerySet[User]:
    """The people a report is offered to in "send to…": the team's leader and members with an address."""
    return (
        User.objects.filter(Q(teams=team) | Q(led_teams=team), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def month_headline(*, teams: list[Team], month: dt.date) -> dict[str, Any]:
    """The team-wide figures of ``month`` for the CMO home (the dashboard's own definitions).

    Cached until something the figures count changes (``pmm_portal.core.figures``).
    """

    def compute() -> dict[str, Any]:
        rows = month_rows(teams=teams, month=month, pmms=team_pmms(teams))
        return rows.team.as_dict(band=_band(teams))

    return figures.cached("headline", teams=teams, parts=[month], compute=compute)


def current_dashboard(*, teams: list[Team], month: dt.date) -> dict[str, Any]:
    """``dashboard`` as the page, its CSV and the API show it: computed once per change.

    ``teams`` are the rows the request has just loaded: their ``figures_version``
    keys the cache, so a write is never followed by stale figures. Reports compute
    ``dashboard`` afresh.
    """
    return figures.cached(
        "dashboard", teams=teams, parts=[month], compute=lambda: dashboard(teams=teams, month=month)
    )


def _asked_rank(signal: Any, name: str) -> tuple[int, int, str]:
    return (-(signal.this_month + signal.last_month), -signal.recent, name.lower())


def asked_about(
    *, user: User, teams: list[Team], today: dt.date | None = None, limit: int = 5
) -> dict[str, Any]:
    """What reps ask about: the ``limit`` competitors and personas the requests of ``teams`` name
    most this month so far and last month together, then in the last 90 days (so the card is not
    empty in a month's first days), in three queries.

    A competitor counts exactly as on its own pages (``competitive.selectors.attach_signals``: its
    name or an alias, any case, on its team's requests); a persona counts the requests tagged with
    it (``requests_queue.selectors.personas_asked_about``). Both as of ``today`` (the portal's
    date), whatever month the dashboard shows.
    """
    today = today or timezone.localdate()
    competitors = list(
        competitors_visible_to(user)
        .filter(team__in=[team.pk for team in teams])
        .only("team", "name", "aliases")
    )
    attach_signals(competitors, today=today)
    signals: list[tuple[Competitor, Signal]] = [(c, c.signal) for c in competitors]  # type: ignore[attr-defined]
    asked = [(c, signal) for c, signal in signals if signal.this_month or signal.last_month or signal.recent]
    asked.sort(key=lambda pair: _asked_rank(pair[1], pair[0].name))
    team_names = {team.pk: team.name for team in teams}
    this_month = month_start(today)
    return {
        "competitors": [
            {
                "name": c.name,
                "team": team_names.get(c.team_id, ""),
                "url": c.get_absolute_url(),
                "signal": signal,
            }
            for c, signal in asked[:limit]
        ],
        "personas": [
            {"name": p.name, "team": p.team_name, "url": p.get_absolute_url(), "signal": p.signal}
            for p in personas_asked_about(user=user, teams=teams, today=today, limit=limit)
        ],
        "this_month": this_month,
        "last_month": add_months(this_month, -1),
        "today": today,
        "several_teams": len(teams) > 1,
    }
