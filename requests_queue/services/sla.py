"""Service levels: each team's acknowledge and deliver targets per request type, and each request's clock.

This module is the one place that decides where an open request stands:
``sla_clock`` gives its clock and its state, one of ``SlaState`` — overdue, due
soon (within ``DUE_SOON_DAYS`` business days), on track, or paused. The queue's
rows, its counters and its "SLA" filter, the home cards, the service-levels page
and the API all read that state from here, so a counter always equals the rows
shown with that state.

The rule, in business days (Monday to Friday) counted in the team's time zone (a
request created late on Friday in Auckland starts its clock on that Friday there):

- a request is measured against its due date once a PMM accepted it with one;
  before that against the team's target for its type: acknowledge within N days
  of submission, then deliver within M days;
- while it is snoozed or waiting on the requester (``PAUSED_STATUSES``) the clock
  stands still: the request is paused, never late. The business days it spent
  paused (``Request.paused_business_days``, kept by ``pause_started``/``pause_ended``
  which the lifecycle services call) push its targets back when it resumes.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import models, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from pmm_portal.core.dates import add_business_days, business_days_between, today_in
from pmm_portal.core.models import Team, User

from ..models import (
    CLOSED_STATUSES,
    DEFAULT_SLA_DAYS,
    OPEN_STATUSES,
    PAUSED_STATUSES,
    Request,
    RequestStatus,
    RequestType,
    SlaTarget,
)
from ..workflow import RequestError

# A request due within this many business days (today included) is "due soon".
DUE_SOON_DAYS = 2

Targets = dict[tuple[int, str], tuple[int, int]]


class SlaState(models.TextChoices):
    """Where an open request stands against its service level."""

    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due_soon", "Due soon"
    ON_TRACK = "on_track", "On track"
    PAUSED = "paused", "Paused"


def _plural(days: int) -> str:
    return f"{days} business day{'' if days == 1 else 's'}"


@dataclass(frozen=True)
class SlaClock:
    """Where a request stands against its due date or its team's targets (business days)."""

    acknowledge_days: int
    deliver_days: int
    acknowledge_by: date
    deliver_by: date
    acknowledged: bool
    target: str  # "acknowledge", "deliver" (the team's targets) or "due" (the due date the PMM set)
    due: date  # the date the request is measured against
    days_left: int | None  # business days to ``due``; negative when late; None while paused
    state: str  # a ``SlaState``
    paused_business_days: int = 0
    paused_since: date | None = None
    snoozed_until: date | None = None
    waiting: bool = False

    @property
    def overdue(self) -> bool:
        return self.state == SlaState.OVERDUE

    @property
    def paused(self) -> bool:
        return self.state == SlaState.PAUSED

    @property
    def state_label(self) -> str:
        return SlaState(self.state).label

    @property
    def label(self) -> str:
        if self.waiting:
            since = f" since {self.paused_since:%d %b}" if self.paused_since else ""
            return f"Waiting on requester{since}"
        if self.paused:
            until = f" until {self.snoozed_until:%d %b}" if self.snoozed_until else ""
            return f"Paused (snoozed{until})"
        days = self.days_left or 0
        if self.target == "due":
            if days < 0:
                return f"Due {self.due:%d %b}: {_plural(-days)} late"
            if days == 0:
                return "Due today"
            return f"Due {self.due:%d %b}, in {_plural(days)}"
        what = "Acknowledge" if self.target == "acknowledge" else "Deliver"
        if days < 0:
            return f"{what}: {_plural(-days)} late"
        if days == 0:
            return f"{what} today"
        return f"{what} in {_plural(days)}"


def sla_state_for(days_left: int) -> str:
    """The state of an unpaused request with ``days_left`` business days to its target."""
    if days_left < 0:
        return SlaState.OVERDUE
    if days_left <= DUE_SOON_DAYS:
        return SlaState.DUE_SOON
    return SlaState.ON_TRACK


def sla_targets(team_ids: set[int]) -> Targets:
    """Every set target of these teams, in one query: {(team id, type): (acknowledge, deliver)}."""
    return {
        (t.team_id, t.type): (t.acknowledge_days, t.deliver_days)
        for t in SlaTarget.objects.filter(team_id__in=team_ids)
    }


def with_sla_targets(queryset: QuerySet[Request]) -> QuerySet[Request]:
    """Annotate each request with its team's targets for its type (None: the default), in the same query."""
    target = SlaTarget.objects.filter(team_id=OuterRef("team_id"), type=OuterRef("type"))
    return queryset.annotate(
        sla_acknowledge_days=Subquery(target.values("acknowledge_days")[:1]),
        sla_deliver_days=Subquery(target.values("deliver_days")[:1]),
    )


def annotated_targets(requests: Iterable[Request]) -> Targets | None:
    """The targets ``with_sla_targets`` put on these requests; None when they were not annotated."""
    targets: Targets = {}
    for request in requests:
        if not hasattr(request, "sla_acknowledge_days"):
            return None
        acknowledge = request.sla_acknowledge_days
        deliver: int | None = getattr(request, "sla_deliver_days", None)  # annotated with the one above
        if acknowledge is not None and deliver is not None:
            targets[(request.team_id, request.type)] = (acknowledge, deliver)
    return targets


def sla_clock(request: Request, targets: Targets, today: date | None = None) -> SlaClock | None:
    """The request's SLA clock and state; None once it is closed (nothing left to meet).

    ``today`` is the team's today (``today_in(request.team)`` when not given).
    """
    if request.status in CLOSED_STATUSES:
        return None
    zone = request.team.zone
    today = today or today_in(request.team)
    ack_days, deliver_days = targets.get((request.team_id, request.type), DEFAULT_SLA_DAYS[request.type])
    start = request.created_at.astimezone(zone).date()
    shift = request.paused_business_days or 0
    acknowledge_by = add_business_days(start, ack_days + shift)
    deliver_by = add_business_days(start, deliver_days + shift)
    acknowledged = request.acknowledged_at is not None
    if request.due_date is not None:
        due, target = request.due_date, "due"
    elif acknowledged:
        due, target = deliver_by, "deliver"
    else:
        due, target = acknowledge_by, "acknowledge"
    paused = request.status in PAUSED_STATUSES
    days_left = None if paused else business_days_between(today, due)
    return SlaClock(
        acknowledge_days=ack_days,
        deliver_days=deliver_days,
        acknowledge_by=acknowledge_by,
        deliver_by=deliver_by,
        acknowledged=acknowledged,
        target=target,
        due=due,
        days_left=days_left,
        state=SlaState.PAUSED if days_left is None else sla_state_for(days_left),
        paused_business_days=shift,
        paused_since=request.paused_at.astimezone(zone).date() if paused and request.paused_at else None,
        snoozed_until=request.snoozed_until if request.status == RequestStatus.SNOOZED else None,
        waiting=request.status == RequestStatus.WAITING,
    )


def sla_clocks(requests: list[Request]) -> dict[int, SlaClock | None]:
    """The clock of each request, by id: the targets come from ``with_sla_targets`` or one query.

    Each team's today is computed once.
    """
    targets = annotated_targets(requests)
    if targets is None:
        targets = sla_targets({r.team_id for r in requests})
    todays: dict[int, date] = {}
    clocks: dict[int, SlaClock | None] = {}
    for request in requests:
        if request.team_id not in todays:
            todays[request.team_id] = today_in(request.team)
        clocks[request.pk] = sla_clock(request, targets, todays[request.team_id])
    return clocks


# The columns ``sla_clock`` reads: a scan loads only these.
CLOCK_FIELDS = (
    "id",
    "team_id",
    "type",
    "status",
    "created_at",
    "acknowledged_at",
    "due_date",
    "snoozed_until",
    "paused_at",
    "paused_business_days",
    "team__time_zone",
)


def sla_scan(queryset: QuerySet[Request], *, extra: tuple[str, ...] = ()) -> list[Request]:
    """The open requests of ``queryset`` with what their clocks need, in one query (targets inline).

    Bounded by the open requests of the queryset (closed ones have no clock).
    ``extra`` names more columns the caller counts on (``assignee_id``…).
    """
    rows = with_sla_targets(
        queryset.filter(status__in=OPEN_STATUSES)
        .order_by()
        .select_related(None)
        .prefetch_related(None)  # a list's prefetches (the API's personas) are not the clock's business
        .select_related("team")
        .only(*CLOCK_FIELDS, *extra)
    )
    return list(rows)


def sla_counts(clocks: Iterable[SlaClock | None]) -> dict[str, int]:
    """How many clocks are in each state: {"overdue": 2, "due_soon": 1, "on_track": 7, "paused": 3}."""
    counted = Counter(clock.state for clock in clocks if clock is not None)
    return {state: counted.get(state, 0) for state in SlaState.values}


# --- Pauses (called by the lifecycle services) ---------------------------------------------------


def pause_started(request: Request) -> list[str]:
    """The request enters a paused status: its clock stops now. Returns the fields changed."""
    if request.paused_at is None:
        request.paused_at = timezone.now()
    return ["paused_at"]


def pause_ended(request: Request, *, move_due_date: bool = True) -> tuple[list[str], int]:
    """The request leaves a paused status: the business days it was paused stop counting against it.

    They are added to ``paused_business_days`` (which pushes the team's targets back), and
    a due date the PMM set moves back by as many business days unless ``move_due_date`` is
    false (the caller sets a new one). Returns the fields changed and the days paused.
    """
    if request.paused_at is None:
        return [], 0
    zone = request.team.zone
    days = max(0, business_days_between(request.paused_at.astimezone(zone).date(), today_in(request.team)))
    request.paused_at = None
    request.paused_business_days = (request.paused_business_days or 0) + days
    fields = ["paused_at", "paused_business_days"]
    if move_due_date and days and request.due_date is not None:
        request.due_date = add_business_days(request.due_date, days)
        fields.append("due_date")
    return fields, days


# --- Targets ------------------------------------------------------------------------------------


@transaction.atomic
def sla_targets_set(*, team: Team, actor: User, targets: dict[str, tuple[int, int]]) -> list[SlaTarget]:
    """Set a team's acknowledge and deliver targets (business days) per request type.

    ``targets`` maps a request type to (acknowledge, deliver); every pair is checked
    before anything is written, so a bad row leaves the team's targets as they were.
    """
    errors: dict[str, str] = {}
    for rtype, (acknowledge, deliver) in targets.items():
        if rtype not in RequestType.values:
            errors[rtype] = "Unknown request type."
        elif not 1 <= acknowledge <= 60 or not 1 <= deliver <= 120:
            errors[rtype] = "Use 1–60 business days to acknowledge and 1–120 to deliver."
        elif deliver < acknowledge:
            errors[rtype] = "Delivering cannot be due before acknowledging: make it at least as many days."
    if errors:
        raise RequestError(errors)
    saved = []
    for rtype, (acknowledge, deliver) in targets.items():
        target, _ = SlaTarget.objects.update_or_create(
            team=team, type=rtype, defaults={"acknowledge_days": acknowledge, "deliver_days": deliver}
        )
        saved.append(target)
    return saved
