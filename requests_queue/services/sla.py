"""Service levels: each team's acknowledge and deliver targets per request type, and each request's clock.

Targets are in business days (Monday to Friday) counted in the team's time
zone: a request created late on Friday in Auckland starts its clock on that
Friday there, whatever the server's date.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from pmm_portal.core.dates import add_business_days, business_days_between, today_in
from pmm_portal.core.models import Team, User

from ..models import CLOSED_STATUSES, DEFAULT_SLA_DAYS, Request, RequestType, SlaTarget
from ..workflow import RequestError


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
    today = today or today_in(request.team)
    ack_days, deliver_days = targets.get((request.team_id, request.type), DEFAULT_SLA_DAYS[request.type])
    start = request.created_at.astimezone(request.team.zone).date()
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
