"""The figures of the dashboard and of the monthly review report, aggregated in the database.

Every figure is computed by a grouped query over a bounded period (a month, a
year of months, twelve weeks), whatever the size of the history, and the
number of queries does not depend on the number of PMMs.

Conventions, shown to users in the page footnotes:
- a week of logged time counts in the month of its Monday;
- "top-3 time" is time logged on an initiative that was in the PMM's top 3 that month;
- turnaround is the time from submission to delivery, in days; "on time" means
  delivered on or before the due date set when the request was accepted.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median
from typing import Any

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from initiatives.models import FocusSlot, InitiativeStatus, MonthlyReview, Win
from personas.models import CustomerInteraction, Persona
from pmm_portal.core.dates import add_months
from pmm_portal.core.models import Role, Team, User
from requests_queue.models import Request, RequestStatus, RequestType
from timesheets.models import TimeCategory, TimeEntry

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


def period_of(*, teams: list[Team], month: dt.date) -> Period:
    """The month in the team's time zone; across teams in different zones, in UTC."""
    month = month.replace(day=1)
    zone = teams[0].zone if len({team.time_zone for team in teams}) == 1 else dt.UTC
    return Period(month=month, end=add_months(month, 1), zone=zone)


@dataclass
class Row:
    """The figures of one PMM (or of the whole team) for one month."""

    hours: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(TIME_KEYS, Decimal(0)))
    top3: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_KEYS, 0))
    received: int = 0
    delivered: int = 0
    reused: int = 0
    declined: int = 0
    on_time: int = 0
    turnaround_days: list[float] = field(default_factory=list)
    reusability: float | None = None
    educational_value: float | None = None
    interactions: int = 0
    customer_minutes: int = 0
    wins: int = 0

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
        return {
            "hours": {key: float(value) for key, value in self.hours.items()},
            "total_hours": float(self.total_hours),
            "shares": {key: self.share(key) for key in TIME_KEYS},
            "top3_share": self.share("top3"),
            "one_off_share": one_off,
            "other_share": (1 - (self.share("top3") or 0) - (one_off or 0)) if self.total_hours else None,
            "one_off_band_state": band_state,
            "top3": {str(key): value for key, value in self.top3.items()},
            "requests": {
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
                "avg_reusability": self.reusability,
                "avg_educational_value": self.educational_value,
            },
            "interactions": self.interactions,
            "customer_minutes": self.customer_minutes,
            "wins": self.wins,
        }


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


def _add_time(rows: Rows, *, period: Period) -> None:
    in_top3 = FocusSlot.objects.filter(
        owner=OuterRef("user"), month=period.month, initiative=OuterRef("initiative")
    )
    entries = (
        TimeEntry.objects.filter(
            user_id__in=list(rows.people), week_start__gte=period.month, week_start__lt=period.end
        )
        .annotate(top3=Exists(in_top3))
        .values("user_id", "category", "top3")
        .annotate(hours=Sum("hours"))
    )
    for entry in entries:
        key = entry["category"]
        if key == TimeCategory.INITIATIVE:
            key = "top3" if entry["top3"] else "initiative_other"
        for row in (rows.team, rows.people[entry["user_id"]]):
            row.hours[key] += entry["hours"]


def _add_top3(rows: Rows, *, period: Period) -> None:
    slots = (
        FocusSlot.objects.filter(owner_id__in=list(rows.people), month=period.month)
        .values("owner_id", "initiative__status")
        .annotate(count=Count("id"))
    )
    for slot in slots:
        for row in (rows.team, rows.people[slot["owner_id"]]):
            row.top3[slot["initiative__status"]] += slot["count"]


def _add_requests(rows: Rows, *, teams: list[Team], period: Period) -> None:
    between = {"gte": period.start_at, "lt": period.end_at}

    def closed(status: str) -> Q:
        return Q(status=status, closed_at__gte=between["gte"], closed_at__lt=between["lt"])

    team_requests = Request.objects.filter(team__in=teams)
    delivered_in_month = Q(delivered_at__gte=between["gte"], delivered_at__lt=between["lt"])
    counts = team_requests.values("assignee_id").annotate(
        received=Count("id", filter=Q(created_at__gte=between["gte"], created_at__lt=between["lt"])),
        delivered=Count("id", filter=delivered_in_month),
        on_time=Count(
            "id", filter=delivered_in_month & Q(due_date__isnull=False, delivered_at__date__lte=F("due_date"))
        ),
        reused=Count("id", filter=closed(RequestStatus.REUSED)),
        declined=Count("id", filter=closed(RequestStatus.DECLINED)),
    )
    for group in counts:
        for name in ("received", "delivered", "on_time", "reused", "declined"):
            rows.add(group["assignee_id"], name, group[name])
    # Turnarounds of the month's deliveries (bounded by one month's volume) for the medians.
    turnaround = ExpressionWrapper(F("delivered_at") - F("created_at"), output_field=DurationField())
    for assignee_id, duration in (
        team_requests.filter(delivered_in_month)
        .annotate(turnaround=turnaround)
        .values_list("assignee_id", "turnaround")
    ):
        rows.add(assignee_id, "turnaround_days", [duration.total_seconds() / 86400])
    scored = team_requests.filter(triaged_at__gte=between["gte"], triaged_at__lt=between["lt"])
    averages = {"r": Avg("reusability"), "e": Avg("educational_value")}
    pairs: list[tuple[Row | None, dict[str, Any]]] = [
        (rows.people.get(group["assignee_id"]), dict(group))
        for group in scored.values("assignee_id").annotate(**averages)
    ]
    pairs.append((rows.team, dict(scored.aggregate(**averages))))
    for row, scores in pairs:
        if row is not None:
            row.reusability = round(float(scores["r"]), 2) if scores["r"] is not None else None
            row.educational_value = round(float(scores["e"]), 2) if scores["e"] is not None else None


def _add_interactions_and_wins(rows: Rows, *, teams: list[Team], period: Period) -> None:
    interactions = (
        CustomerInteraction.objects.filter(
            team__in=teams, occurred_on__gte=period.month, occurred_on__lt=period.end
        )
        .values("owner_id")
        .annotate(count=Count("id"), minutes=Sum("duration_minutes"))
    )
    for group in interactions:
        rows.add(group["owner_id"], "interactions", group["count"])
        rows.add(group["owner_id"], "customer_minutes", group["minutes"] or 0)
    wins = (
        Win.objects.filter(team__in=teams, date__gte=period.month, date__lt=period.end)
        .values("owner_id")
        .annotate(count=Count("id"))
    )
    for win_group in wins:
        rows.add(win_group["owner_id"], "wins", win_group["count"])


def month_rows(*, teams: list[Team], month: dt.date, pmms: list[User] | None = None) -> Rows:
    """The team's and each PMM's figures for ``month`` (a constant number of grouped queries)."""
    period = period_of(teams=teams, month=month)
    pmms = team_pmms(teams) if pmms is None else pmms
    rows = Rows(team=Row(), people={pmm.pk: Row() for pmm in pmms})
    _add_time(rows, period=period)
    _add_top3(rows, period=period)
    _add_requests(rows, teams=teams, period=period)
    _add_interactions_and_wins(rows, teams=teams, period=period)
    return rows


def persona_freshness(*, teams: list[Team], now: dt.datetime | None = None) -> list[dict[str, Any]]:
    personas = (
        Persona.objects.filter(team__in=teams)
        .exclude(status="retired")
        .with_staleness(now=now or timezone.now())
        .select_related("owner")
        .order_by("-stale", "name")  # type: ignore[misc]  # annotated by with_staleness
    )
    return [
        {
            "id": persona.pk,
            "name": persona.name,
            "kind": persona.get_kind_display(),
            "owner": persona.owner.display_name if persona.owner else "",
            "status": persona.get_status_display(),
            "fresh_since": persona.fresh_since_at.date().isoformat(),
            "stale": bool(getattr(persona, "stale", False)),
        }
        for persona in personas
    ]


def trends(*, teams: list[Team], month: dt.date, pmm_ids: list[int]) -> dict[str, Any]:
    """A year of the time split by month, twelve weeks of requests in and out, and requests by type."""
    period = period_of(teams=teams, month=month)
    first = add_months(period.month, -11)
    months = [add_months(first, n) for n in range(12)]
    in_top3 = FocusSlot.objects.filter(
        owner=OuterRef("user"), month=OuterRef("bucket"), initiative=OuterRef("initiative")
    )
    split: dict[str, dict[str, float]] = {m.isoformat(): dict.fromkeys(TIME_KEYS, 0.0) for m in months}
    entries = (
        TimeEntry.objects.filter(user_id__in=pmm_ids, week_start__gte=first, week_start__lt=period.end)
        .annotate(bucket=TruncMonth("week_start"))
        .annotate(top3=Exists(in_top3))
        .values("bucket", "category", "top3")
        .annotate(hours=Sum("hours"))
    )
    for entry in entries:
        key = entry["category"]
        if key == TimeCategory.INITIATIVE:
            key = "top3" if entry["top3"] else "initiative_other"
        bucket = entry["bucket"]
        bucket_key = (bucket.date() if isinstance(bucket, dt.datetime) else bucket).isoformat()
        split[bucket_key][key] += float(entry["hours"])

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
        )
        for group in counts:
            week_key = group["week"].date().isoformat()
            weeks.setdefault(week_key, {"in": 0, "delivered": 0})[key] += group["count"]
    by_type = dict(
        team_requests.filter(created_at__gte=period.start_at, created_at__lt=period.end_at)
        .values_list("type")
        .annotate(count=Count("id"))
    )
    return {
        "time_split": [{"month": key, **values} for key, values in split.items()],
        "weekly_requests": [{"week": key, **values} for key, values in sorted(weeks.items())],
        "requests_by_type": [
            {"type": label, "count": by_type.get(value, 0)} for value, label in RequestType.choices
        ],
    }


def _band(teams: list[Team]) -> tuple[int, int]:
    """The one-off band; across teams, the widest band that contains theirs."""
    return (
        min(team.one_off_budget_min_pct for team in teams),
        max(team.one_off_budget_max_pct for team in teams),
    )


def dashboard(*, teams: list[Team], month: dt.date) -> dict[str, Any]:
    """Live figures for the dashboard: the teams, a row per PMM, and the trends."""
    pmms = team_pmms(teams)
    rows = month_rows(teams=teams, month=month, pmms=pmms)
    band = _band(teams)
    return {
        "teams": [{"id": team.pk, "name": team.name, "slug": team.slug} for team in teams],
        "band": {"min": band[0], "max": band[1]},
        "month": month.replace(day=1).isoformat(),
        "figures": rows.team.as_dict(band=band),
        "people": [
            {"id": pmm.pk, "name": pmm.display_name, **rows.people[pmm.pk].as_dict(band=band)} for pmm in pmms
        ],
        "stale_personas": Persona.objects.filter(team__in=teams).stale().count(),
        "trends": trends(teams=teams, month=month, pmm_ids=[pmm.pk for pmm in pmms]),
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


def month_snapshot(*, team: Team, month: dt.date) -> dict[str, Any]:
    """Everything the monthly review report shows, as plain JSON, frozen when generated."""
    period = period_of(teams=[team], month=month)
    data = dashboard(teams=[team], month=period.month)
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
    in_month = (
        Q(created_at__gte=period.start_at, created_at__lt=period.end_at)
        | Q(closed_at__gte=period.start_at, closed_at__lt=period.end_at)
        | Q(delivered_at__gte=period.start_at, delivered_at__lt=period.end_at)
    )
    data["requests"] = [
        {
            "id": request.pk,
            "title": request.title,
            "type": request.get_type_display(),
            "status": request.get_status_display(),
            "requester": request.requester.display_name,
            "assignee": request.assignee.display_name if request.assignee else "",
            "reusability": request.reusability,
            "educational_value": request.educational_value,
            "effort_hours": float(request.effort_hours) if request.effort_hours is not None else None,
            "hours_logged": float(request.hours_logged),
            "created": request.created_at.astimezone(period.zone).date().isoformat(),
            "delivered": request.delivered_at.astimezone(period.zone).date().isoformat()
            if request.delivered_at
            else None,
            "rating": request.rating,
        }
        for request in Request.objects.filter(in_month, team=team)
        .select_related("requester", "assignee")
        .order_by("created_at")
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
    data["personas"] = persona_freshness(teams=[team])
    data["schema"] = 1
    return data
