"""Reading launches: readiness and its figures, for the pages, the team plan, the dashboard and the report.

One definition of each figure, applied to plain item facts (``Fact``) whether they come from
the items as they are now or from their history as it stood at a month's end:

- an item is **open** unless done or not needed; **late** when open and its due date has passed
  (due today is not late yet); **blocked** when blocked on the other function; **due soon** when
  not started and due within ``services.DUE_SOON_DAYS`` business days;
- a launch is **late** with a late item, else **at risk** with a blocked or due-soon item, else
  **ready** when nothing is open, else **on track**;
- done counts the items done; "not needed" items count in no figure.

A reader counts the items they see: sales, the enablement items only.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from initiatives.models import Initiative
from pmm_portal.core.dates import add_business_days
from pmm_portal.core.models import Team, User
from requests_queue.models import Asset

from . import permissions
from .models import CLOSED_STATUSES, ItemStatus, Launch, LaunchItem, LaunchReminder, Readiness, Side
from .services import DUE_SOON_DAYS

PICKER_LIMIT = 20
UPCOMING_WEEKS = 6  # the dashboard card and the team plan: launches in the next six weeks
REPORT_WEEKS_AFTER = 6  # the report: launches dated in the month or in the six weeks after it
SIDES = (Side.PM_OWES_PMM, Side.PMM_OWES_PM, Side.TEAM)

DEFINITION = (
    "Launch readiness: an item is late when it is not done (nor marked not needed) after its due date; "
    "a launch is late with a late item, at risk with an item blocked on the other function or not "
    "started within 3 business days of its due date, ready when every item is done. The report counts "
    f"launches dated in the month or in the {REPORT_WEEKS_AFTER} weeks after it, as they stood when the "
    "month ended."
)


@dataclass(frozen=True)
class Fact:
    """What readiness needs of one item."""

    side: str
    status: str
    due_on: dt.date


@dataclass
class SideFigures:
    items: int = 0
    done: int = 0
    late: int = 0
    blocked: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"items": self.items, "done": self.done, "late": self.late, "blocked": self.blocked}


@dataclass
class Figures:
    """A launch's (or a set of launches') readiness figures, overall and by side."""

    readiness: str = Readiness.ON_TRACK
    total: SideFigures = field(default_factory=SideFigures)
    sides: dict[str, SideFigures] = field(default_factory=lambda: {s.value: SideFigures() for s in SIDES})

    @property
    def percent_done(self) -> int:
        return round(100 * self.total.done / self.total.items) if self.total.items else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "readiness": str(self.readiness),
            "readiness_label": Readiness(self.readiness).label,
            "percent_done": self.percent_done,
            **self.total.as_dict(),
            "by_side": {side: figures.as_dict() for side, figures in self.sides.items()},
        }


def figures_of(facts: Iterable[Fact], *, today: dt.date) -> Figures:
    """Readiness and counts of one launch's items, judged on ``today``."""
    result = Figures()
    soon_until = add_business_days(today, DUE_SOON_DAYS)
    any_open = at_risk = False
    for fact in facts:
        if fact.status == ItemStatus.NOT_NEEDED:
            continue
        late = fact.status not in CLOSED_STATUSES and fact.due_on < today
        blocked = fact.status == ItemStatus.BLOCKED
        soon = fact.status == ItemStatus.NOT_STARTED and today <= fact.due_on <= soon_until
        any_open = any_open or fact.status != ItemStatus.DONE
        at_risk = at_risk or blocked or soon
        for bucket in (result.total, result.sides.setdefault(fact.side, SideFigures())):
            bucket.items += 1
            bucket.done += fact.status == ItemStatus.DONE
            bucket.late += late
            bucket.blocked += blocked
    if result.total.late:
        result.readiness = Readiness.LATE
    elif at_risk:
        result.readiness = Readiness.AT_RISK
    elif result.total.items and not any_open:
        result.readiness = Readiness.READY
    return result


def add_up(all_figures: Iterable[Figures]) -> dict[str, Any]:
    """The totals over several launches: launches per readiness, items, done and late by side."""
    total = Figures()
    by_readiness = {r.value: 0 for r in Readiness}
    for figures in all_figures:
        by_readiness[figures.readiness] += 1
        for mine, theirs in [(total.total, figures.total)] + [
            (total.sides.setdefault(side, SideFigures()), f) for side, f in figures.sides.items()
        ]:
            mine.items += theirs.items
            mine.done += theirs.done
            mine.late += theirs.late
            mine.blocked += theirs.blocked
    return {
        "launches": sum(by_readiness.values()),
        "by_readiness": by_readiness,
        **total.total.as_dict(),
        "by_side": {side: figures.as_dict() for side, figures in total.sides.items()},
    }


def facts(items: Iterable[LaunchItem]) -> list[Fact]:
    return [Fact(item.side, item.status, item.due_on) for item in items]


# --- The list ---------------------------------------------------------------------------------------


def launch_list(*, user: User, today: dt.date | None = None) -> QuerySet[Launch]:
    """The launches ``user`` sees, each annotated with its readiness and counts over the items the
    user sees (the same definitions as ``figures_of``, in the database, so filters and sorts use them)."""
    today = today or timezone.localdate()
    seen = permissions.item_filter(user) & ~Q(items__status=ItemStatus.NOT_NEEDED)
    is_open = ~Q(items__status__in=CLOSED_STATUSES)
    soon = Q(
        items__status=ItemStatus.NOT_STARTED,
        items__due_on__gte=today,
        items__due_on__lte=add_business_days(today, DUE_SOON_DAYS),
    )
    return (
        permissions.launches_visible_to(user)
        .select_related("product", "product__team", "created_by")
        .annotate(
            item_count=Count("items", filter=seen),
            done_count=Count("items", filter=seen & Q(items__status=ItemStatus.DONE)),
            late_count=Count("items", filter=seen & is_open & Q(items__due_on__lt=today)),
            blocked_count=Count("items", filter=seen & Q(items__status=ItemStatus.BLOCKED)),
            soon_count=Count("items", filter=seen & soon),
            open_count=Count("items", filter=seen & ~Q(items__status=ItemStatus.DONE)),
        )
        .annotate(
            readiness=Case(
                When(late_count__gt=0, then=Value(Readiness.LATE.value)),
                When(Q(blocked_count__gt=0) | Q(soon_count__gt=0), then=Value(Readiness.AT_RISK.value)),
                When(Q(item_count__gt=0, open_count=0), then=Value(Readiness.READY.value)),
                default=Value(Readiness.ON_TRACK.value),
            )
        )
        .prefetch_related("owners")
    )


def my_reminders(*, user: User, limit: int = 8) -> list[LaunchReminder]:
    """The in-app side of the reminders: ``user``'s not yet seen, on items still open."""
    return list(
        LaunchReminder.objects.filter(recipient=user, read_at__isnull=True)
        .exclude(item__status__in=CLOSED_STATUSES)
        .select_related("item__launch")
        .order_by("item__due_on", "-id")[:limit]
    )


# --- One launch -------------------------------------------------------------------------------------


@dataclass
class SideGroup:
    side: str
    label: str
    lead: str
    items: list[LaunchItem]
    figures: SideFigures


SIDE_LEADS = {
    Side.PM_OWES_PMM: "A quality product on time and on spec, a regular cadence of updates, booking goals, "
    "and knowledge transfer well before launch, not a brain dump the week before.",
    Side.PMM_OWES_PM: "Marketing programs and plans, sales enablement content, and actionable customer "
    "and win/loss feedback.",
    Side.TEAM: "The launch deliverables sales and the market see: datasheet, web content, presentation, "
    "sales training, battlecard.",
}


def launch_items(*, user: User, launch: Launch) -> list[LaunchItem]:
    """The items of ``launch`` that ``user`` reads, with what the page shows of each (one query)."""
    return list(
        permissions.items_visible_to(user)
        .filter(launch=launch)
        .select_related("owner", "asset", "initiative")
        .order_by("due_on", "position", "id")
    )


def launch_page(*, user: User, launch: Launch, today: dt.date) -> dict[str, Any]:
    """The launch page's checklists grouped by side, with the launch's figures."""
    items = launch_items(user=user, launch=launch)
    figures = figures_of(facts(items), today=today)
    soon_until = add_business_days(today, DUE_SOON_DAYS)
    for item in items:
        item.late = item.is_late(today)  # type: ignore[attr-defined]
        item.soon = item.status == ItemStatus.NOT_STARTED and today <= item.due_on <= soon_until  # type: ignore[attr-defined]
    groups = [
        SideGroup(
            side=side.value,
            label=side.label,
            lead=SIDE_LEADS[side],
            items=[i for i in items if i.side == side],
            figures=figures.sides.get(side.value, SideFigures()),
        )
        for side in SIDES
    ]
    return {
        "items": items,
        "groups": [g for g in groups if g.items],
        "figures": figures,
        "attention": [i for i in items if i.late or i.status == ItemStatus.BLOCKED],  # type: ignore[attr-defined]
    }


# --- Pickers ----------------------------------------------------------------------------------------


def asset_options(*, team_id: int, text: str) -> list[dict[str, Any]]:
    """The team's live assets whose title holds ``text`` (the item form's type-ahead)."""
    text = text.strip()[:100]
    found = Asset.objects.filter(team_id=team_id, retired_at__isnull=True)
    if text:
        found = found.filter(title__icontains=text)
    return [
        {"value": a.pk, "text": a.title, "meta": a.get_kind_display()}
        for a in found.order_by("title", "pk")[:PICKER_LIMIT]
    ]


def initiative_options(*, team_id: int, text: str) -> list[dict[str, Any]]:
    """The team's initiatives whose title holds ``text`` (the item form's type-ahead)."""
    text = text.strip()[:100]
    found = Initiative.objects.filter(team_id=team_id).select_related("owner")
    if text:
        found = found.filter(title__icontains=text)
    return [
        {"value": i.pk, "text": i.title, "meta": f"{i.owner.display_name} · {i.get_status_display()}"}
        for i in found.order_by("-start_date", "title", "pk")[:PICKER_LIMIT]
    ]


# --- Upcoming launches: the team plan's fragment and the dashboard's card ------------------------


def upcoming(
    *, user: User, teams: list[Team] | None = None, today: dt.date, weeks: int = UPCOMING_WEEKS
) -> dict[str, Any]:
    """Launches ``user`` sees dated from ``today`` to ``weeks`` ahead (of ``teams`` when given), each
    with its figures, the late and blocked items, and the totals by side: two queries."""
    launches = permissions.launches_visible_to(user).filter(
        launch_on__gte=today, launch_on__lte=today + dt.timedelta(weeks=weeks)
    )
    if teams is not None:
        launches = launches.filter(product__team__in=[team.pk for team in teams])
    items = permissions.items_visible_to(user).select_related("owner").order_by("due_on", "position", "id")
    rows = []
    for launch in (
        launches.select_related("product")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("launch_on", "id")
    ):
        mine = list(launch.items.all())
        figures = figures_of(facts(mine), today=today)
        attention = [i for i in mine if i.is_late(today) or i.status == ItemStatus.BLOCKED]
        rows.append({"launch": launch, "figures": figures, "attention": attention})
    totals = add_up(figures for figures in (row["figures"] for row in rows) if isinstance(figures, Figures))
    return {
        "rows": rows,
        "totals": totals,
        "late_by_side": [
            (side.label, totals["by_side"].get(side.value, {}).get("late", 0)) for side in SIDES
        ],
        "today": today,
        "until": today + dt.timedelta(weeks=weeks),
        "weeks": weeks,
        "sides": [(side.value, side.label) for side in SIDES],
    }


def dashboard_card(*, user: User, teams: list[Team], today: dt.date) -> dict[str, Any]:
    """The CMO dashboard's card: plain numbers (cacheable), the same figures as each launch page."""
    data = upcoming(user=user, teams=teams, today=today)
    return {
        "launches": [
            {
                "id": row["launch"].pk,
                "name": row["launch"].name,
                "product": row["launch"].product.name,
                "date": row["launch"].launch_on.isoformat(),
                "tier": row["launch"].tier,
                **row["figures"].as_dict(),
            }
            for row in data["rows"]
        ],
        "totals": data["totals"],
        "today": today.isoformat(),
        "weeks": data["weeks"],
        "sides": data["sides"],
    }


# --- A month, as it stood at its end (the monthly review report) --------------------------------


def _as_of(model: Any, end: dt.datetime) -> QuerySet[Any]:
    """Each row's last historical version before ``end`` (rows deleted by then left out)."""
    latest = (
        model.objects.filter(id=OuterRef("id"), history_date__lt=end)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    rows: QuerySet[Any] = (
        model.objects.filter(history_date__lt=end)
        .annotate(latest=Subquery(latest))
        .filter(history_id=F("latest"))
        .exclude(history_type="-")
    )
    return rows


def month_readiness(*, team: Team, month: dt.date, end: dt.date, as_of: dt.datetime) -> dict[str, Any]:
    """Launch readiness for the report of ``month``: the team's launches dated from ``month`` to
    ``REPORT_WEEKS_AFTER`` weeks after ``end`` (the next month's first day), their items as they
    stood at ``as_of`` (the month's end, or now while it runs), judged on that day. Two queries,
    whatever the history's length; a later edit never changes a past month's figures."""
    today = as_of.astimezone(team.zone).date()
    history_launch = Launch.history.model
    history_item = LaunchItem.history.model
    launches = list(
        _as_of(history_launch, as_of)
        .filter(
            product__team=team,
            launch_on__gte=month,
            launch_on__lt=end + dt.timedelta(weeks=REPORT_WEEKS_AFTER),
        )
        .order_by("launch_on", "id")
        .values("id", "name", "launch_on", "tier", "product__name")
    )
    items_by_launch: dict[int, list[Fact]] = {launch["id"]: [] for launch in launches}
    if items_by_launch:
        for item in (
            _as_of(history_item, as_of)
            .filter(launch_id__in=list(items_by_launch))
            .values("launch_id", "side", "status", "due_on")
        ):
            items_by_launch[item["launch_id"]].append(Fact(item["side"], item["status"], item["due_on"]))
    rows, all_figures = [], []
    for launch in launches:
        figures = figures_of(items_by_launch[launch["id"]], today=today)
        all_figures.append(figures)
        rows.append(
            {
                "id": launch["id"],
                "name": launch["name"],
                "product": launch["product__name"] or "",
                "date": launch["launch_on"].isoformat(),
                "tier": launch["tier"],
                **figures.as_dict(),
            }
        )
    return {
        "as_of": today.isoformat(),
        "from": month.isoformat(),
        "until": (end + dt.timedelta(weeks=REPORT_WEEKS_AFTER)).isoformat(),
        "launches": rows,
        "totals": add_up(all_figures),
        "sides": [[side.value, side.label] for side in SIDES],
    }
