"""Every change to plans, time, reviews and wins. Validate first, then write, in one transaction."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from personas.models import Persona
from pmm_portal.core.dates import add_months, month_start, week_start, working_day
from pmm_portal.core.models import Product, Role, Team, User
from requests_queue.models import Request

from .models import (
    MAX_FOCUS,
    MAX_WEEK_HOURS,
    FocusSlot,
    Initiative,
    InitiativeStatus,
    Milestone,
    MonthlyReview,
    Outcome,
    ReminderKind,
    ReviewOutcome,
    ReviewReopening,
    SentReminder,
    StatusUpdate,
    TimeCategory,
    TimeEntry,
    Win,
)
from .permissions import home_team, may_change, today_for

logger = logging.getLogger(__name__)

FOURTH_FOCUS_MESSAGE = "You already have three focus initiatives for {month}: move one to the backlog first."


def _require_owner(user: User, owner_id: int) -> None:
    if not may_change(user, owner_id):
        raise PermissionDenied("Only its owner may change this.")


def _lock_user(user_id: int) -> None:
    """Serialize one person's plan and time changes.

    Two tabs (or two API clients) adding a fourth focus initiative, or logging hours
    that together pass 80 in a week, would each see a valid state before writing;
    locking the owner's user row makes the second wait and then see the first's rows.
    """
    User.objects.select_for_update().filter(pk=user_id).first()


# --- Initiatives -------------------------------------------------------------------------


def _check_dates(start_date: date, target_date: date) -> None:
    if target_date < start_date:
        raise ValidationError({"target_date": "The target date must be on or after the start date."})


def _check_planned(hours: Decimal) -> None:
    if not Decimal(0) <= hours <= MAX_WEEK_HOURS:
        raise ValidationError({"planned_hours_per_week": "Plan between 0 and 80 hours a week."})


@transaction.atomic
def initiative_create(
    *,
    user: User,
    title: str,
    goal: str,
    start_date: date,
    target_date: date,
    expected_impact: str = "",
    planned_hours_per_week: Decimal = Decimal("8"),
    status: str = InitiativeStatus.ON_TRACK,
    products: Iterable[Product] = (),
    personas: Iterable[Persona] = (),
    team: Team | None = None,
) -> Initiative:
    """A new initiative owned by ``user`` (a PMM), in their team's backlog."""
    if not user.has_role(Role.PMM):
        raise PermissionDenied("Only product marketers own initiatives.")
    team = team or home_team(user)
    if team is None:
        raise ValidationError("You are not on a team yet: ask your marketing lead to add you to one.")
    _check_dates(start_date, target_date)
    _check_planned(planned_hours_per_week)
    initiative = Initiative.objects.create(
        owner=user,
        team=team,
        title=title,
        goal=goal,
        expected_impact=expected_impact,
        start_date=start_date,
        target_date=target_date,
        planned_hours_per_week=planned_hours_per_week,
        status=status,
    )
    initiative.products.set(list(products))
    _set_personas(initiative, personas)
    return initiative


def _set_personas(initiative: Initiative, personas: Iterable[Persona]) -> None:
    initiative.personas.set(list(personas))


@transaction.atomic
def initiative_update(
    *,
    user: User,
    initiative: Initiative,
    products: Iterable[Product] | None = None,
    personas: Iterable[Persona] | None = None,
    **fields: Any,
) -> Initiative:
    """Change an initiative's details; a status change is recorded in its update stream."""
    _require_owner(user, initiative.owner_id)
    allowed = {
        "title",
        "goal",
        "expected_impact",
        "start_date",
        "target_date",
        "planned_hours_per_week",
        "status",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not an initiative field: {', '.join(sorted(unknown))}")
    # From the database: a bound ModelForm has already copied the new values onto the instance.
    old_status = Initiative.objects.filter(pk=initiative.pk).values_list("status", flat=True).get()
    for name, value in fields.items():
        setattr(initiative, name, value)
    _check_dates(initiative.start_date, initiative.target_date)
    _check_planned(Decimal(initiative.planned_hours_per_week))
    if fields:
        initiative.save(update_fields=[*fields, "updated_at"])
    if products is not None:
        initiative.products.set(list(products))
    if personas is not None:
        _set_personas(initiative, personas)
    if initiative.status != old_status:
        StatusUpdate.objects.create(
            initiative=initiative,
            author=user,
            status=initiative.status,
            message=f"Status changed from {InitiativeStatus(old_status).label} "
            f"to {InitiativeStatus(initiative.status).label}.",
        )
    return initiative


def initiative_delete(*, user: User, initiative: Initiative) -> None:
    """Delete an initiative that never had time logged; otherwise it should be dropped instead."""
    _require_owner(user, initiative.owner_id)
    if initiative.time_entries.exists():
        raise ValidationError(
            "Time was logged on this initiative: set its status to dropped instead of deleting it."
        )
    initiative.delete()


@transaction.atomic
def status_update_post(*, user: User, initiative: Initiative, status: str, message: str) -> StatusUpdate:
    """Post a check-in on an initiative and set its status to the one reported."""
    _require_owner(user, initiative.owner_id)
    if status not in InitiativeStatus.values:
        raise ValidationError({"status": "Pick a status from the list."})
    if not message.strip():
        raise ValidationError({"message": "Say in a sentence what changed or what is blocking."})
    if initiative.status != status:
        initiative.status = status
        initiative.save(update_fields=["status", "updated_at"])
    return StatusUpdate.objects.create(
        initiative=initiative, author=user, status=status, message=message.strip()
    )


def milestone_add(*, user: User, initiative: Initiative, title: str, due_date: date) -> Milestone:
    _require_owner(user, initiative.owner_id)
    if not title.strip():
        raise ValidationError({"title": "Name the milestone."})
    return Milestone.objects.create(initiative=initiative, title=title.strip(), due_date=due_date)


def milestone_toggle(*, user: User, milestone: Milestone, now: datetime | None = None) -> Milestone:
    """Mark a milestone done, or open again when it was done."""
    _require_owner(user, milestone.initiative.owner_id)
    milestone.completed_at = None if milestone.completed_at else (now or timezone.now())
    milestone.save(update_fields=["completed_at"])
    return milestone


# --- The monthly top 3 -------------------------------------------------------------------


def _month_label(month: date) -> str:
    return f"{month:%B %Y}"


def _write_ranks(owner_id: int, month: date, initiative_ids: Sequence[int]) -> None:
    """Replace the owner's top 3 for ``month`` by ``initiative_ids`` in that order (caller holds the lock)."""
    FocusSlot.objects.filter(owner_id=owner_id, month=month).delete()
    FocusSlot.objects.bulk_create(
        FocusSlot(owner_id=owner_id, month=month, rank=rank, initiative_id=initiative_id)
        for rank, initiative_id in enumerate(initiative_ids, start=1)
    )


def _focus_ids(owner_id: int, month: date) -> list[int]:
    return list(
        FocusSlot.objects.filter(owner_id=owner_id, month=month)
        .order_by("rank")
        .values_list("initiative_id", flat=True)
    )


def _check_focusable(initiative: Initiative) -> None:
    if not initiative.is_open:
        raise ValidationError(
            {
                "initiative": f"“{initiative.title}” is {initiative.get_status_display().lower()}: "
                "reopen it (set an open status) before making it a focus initiative."
            }
        )


def focus_add(*, user: User, initiative: Initiative, month: date) -> FocusSlot:
    """Make ``initiative`` one of its owner's top 3 for ``month``, at the next free rank.

    Refused when three are already in focus. The owner's row is locked so two
    concurrent attempts at a fourth cannot both see two; should anything slip past
    the lock, the rank check and unique constraints refuse the row and we report the
    same message.
    """
    _require_owner(user, initiative.owner_id)
    _check_focusable(initiative)
    month = month_start(month)
    try:
        with transaction.atomic():
            _lock_user(initiative.owner_id)
            current = _focus_ids(initiative.owner_id, month)
            if initiative.pk in current:
                return FocusSlot.objects.get(month=month, initiative=initiative)
            if len(current) >= MAX_FOCUS:
                raise ValidationError({"initiative": FOURTH_FOCUS_MESSAGE.format(month=_month_label(month))})
            return FocusSlot.objects.create(
                owner_id=initiative.owner_id, month=month, rank=len(current) + 1, initiative=initiative
            )
    except IntegrityError:
        raise ValidationError(
            {"initiative": FOURTH_FOCUS_MESSAGE.format(month=_month_label(month))}
        ) from None


@transaction.atomic
def focus_remove(*, user: User, initiative: Initiative, month: date) -> None:
    """Move ``initiative`` back to the backlog for ``month``; the others close ranks."""
    _require_owner(user, initiative.owner_id)
    month = month_start(month)
    _lock_user(initiative.owner_id)
    current = _focus_ids(initiative.owner_id, month)
    if initiative.pk in current:
        _write_ranks(initiative.owner_id, month, [pk for pk in current if pk != initiative.pk])


@transaction.atomic
def focus_move(*, user: User, initiative: Initiative, month: date, offset: int) -> None:
    """Move a focus initiative up (``offset`` −1) or down (+1) in the ranking."""
    _require_owner(user, initiative.owner_id)
    month = month_start(month)
    _lock_user(initiative.owner_id)
    current = _focus_ids(initiative.owner_id, month)
    if initiative.pk not in current:
        raise ValidationError(
            {"initiative": "Only a focus initiative has a rank; add it to the top 3 first."}
        )
    index = current.index(initiative.pk)
    target = min(max(index + offset, 0), len(current) - 1)
    current.insert(target, current.pop(index))
    _write_ranks(initiative.owner_id, month, current)


@transaction.atomic
def focus_set(*, user: User, owner: User, month: date, initiatives: Sequence[Initiative]) -> None:
    """Replace ``owner``'s top 3 for ``month`` with ``initiatives``, ranked in that order."""
    _require_owner(user, owner.pk)
    month = month_start(month)
    if len(initiatives) > MAX_FOCUS:
        raise ValidationError({"initiatives": FOURTH_FOCUS_MESSAGE.format(month=_month_label(month))})
    if len({i.pk for i in initiatives}) != len(initiatives):
        raise ValidationError({"initiatives": "Pick each initiative once."})
    for initiative in initiatives:
        if initiative.owner_id != owner.pk:
            raise ValidationError({"initiatives": "Only your own initiatives can be in your top 3."})
        _check_focusable(initiative)
    _lock_user(owner.pk)
    _write_ranks(owner.pk, month, [i.pk for i in initiatives])


# --- Weekly time ------------------------------------------------------------------------


def _check_week(week: date, today: date) -> None:
    if week.weekday() != 0:
        raise ValidationError({"week_start": "A week starts on a Monday; pick that week's Monday."})
    if week > week_start(today):
        raise ValidationError(
            {"week_start": "You cannot log time for a future week; log it once the week has begun."}
        )


def _check_hours(hours: Decimal, field: str = "hours") -> None:
    if not Decimal(0) <= hours <= MAX_WEEK_HOURS:
        raise ValidationError({field: "Enter between 0 and 80 hours."})


def _h(hours: Decimal) -> str:
    """Hours as people write them: 81, 7.5."""
    return f"{Decimal(hours).normalize():f}"


def _check_week_total(user_id: int, week: date, extra: Decimal, excluding: Iterable[int] = ()) -> None:
    logged = (
        TimeEntry.objects.filter(user_id=user_id, week_start=week)
        .exclude(pk__in=list(excluding))
        .aggregate(total=Sum("hours"))["total"]
    ) or Decimal(0)
    if logged + extra > MAX_WEEK_HOURS:
        raise ValidationError(
            {
                "hours": f"That makes {_h(logged + extra)} hours for the week of {week:%d %b}; a week holds at most 80."
            }
        )


def _entry_filter(category: str, initiative_id: int | None, request_id: int | None) -> dict[str, Any]:
    lookup: dict[str, Any] = {"initiative_id": initiative_id, "request_id": request_id}
    if initiative_id is None and request_id is None:
        lookup["category"] = category
    return lookup


def _check_links(user: User, category: str, initiative: Initiative | None, request: Request | None) -> None:
    if category not in TimeCategory.values:
        raise ValidationError({"category": "Pick a category from the list."})
    if category == TimeCategory.INITIATIVE and initiative is None:
        raise ValidationError({"initiative": "Say which initiative the hours went to."})
    if category != TimeCategory.INITIATIVE and initiative is not None:
        raise ValidationError({"initiative": "Only initiative time names an initiative."})
    if request is not None and category != TimeCategory.REQUEST:
        raise ValidationError({"request": "Only one-off request time names a request."})
    if initiative is not None and initiative.owner_id != user.pk:
        raise ValidationError({"initiative": "Log time only on your own initiatives."})


@transaction.atomic
def time_entry_set(
    *,
    user: User,
    week_start: date,
    category: str,
    hours: Decimal,
    initiative: Initiative | None = None,
    request: Request | None = None,
    note: str = "",
    today: date | None = None,
) -> TimeEntry | None:
    """Set the hours ``user`` spent in a week on one line of the timesheet (0 removes the line).

    Corrections of past weeks are allowed; future weeks are not, and the week's
    total stays within 80 hours (checked under the user's lock).
    """
    _check_week(week_start, today or today_for(user))
    _check_hours(hours)
    _check_links(user, category, initiative, request)
    _lock_user(user.pk)
    lookup = _entry_filter(category, initiative.pk if initiative else None, getattr(request, "pk", None))
    entry = TimeEntry.objects.filter(user=user, week_start=week_start, **lookup).first()
    _check_week_total(user.pk, week_start, hours, excluding=[entry.pk] if entry else [])
    if hours == 0 and not note:
        if entry:
            entry.delete()
        return None
    if entry:
        entry.hours = hours
        entry.note = note
        entry.save(update_fields=["hours", "note", "updated_at"])
        return entry
    return TimeEntry.objects.create(
        user=user, week_start=week_start, category=category, hours=hours, note=note, **_lookup_values(lookup)
    )


def _lookup_values(lookup: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in lookup.items() if key != "category"}


@transaction.atomic
def time_entry_update(
    *, user: User, entry: TimeEntry, hours: Decimal, note: str | None = None, today: date | None = None
) -> TimeEntry:
    """Correct the hours (and note) of an existing entry."""
    if entry.user_id != user.pk:
        raise PermissionDenied("Time entries are their author's alone.")
    _check_week(entry.week_start, today or today_for(user))
    _check_hours(hours)
    _lock_user(user.pk)
    _check_week_total(user.pk, entry.week_start, hours, excluding=[entry.pk])
    entry.hours = hours
    if note is not None:
        entry.note = note
    entry.save(update_fields=["hours", "note", "updated_at"])
    return entry


def time_entry_delete(*, user: User, entry: TimeEntry) -> None:
    if entry.user_id != user.pk:
        raise PermissionDenied("Time entries are their author's alone.")
    entry.delete()


@transaction.atomic
def time_entry_add_request_hours(
    *, user: User, request: Request, week_start: date, hours: Decimal, note: str = ""
) -> TimeEntry:
    """Add ``hours`` spent on one request to ``user``'s week (creating or incrementing that line).

    Same rules as the timesheet: a Monday, not a future week, a week of at most 80 hours.
    """
    _check_week(week_start, today_for(user))
    if hours <= 0:
        raise ValidationError({"hours": "Enter the hours you spent, more than 0."})
    _check_hours(hours)
    _lock_user(user.pk)
    _check_week_total(user.pk, week_start, hours)
    lookup = _entry_filter(TimeCategory.REQUEST, None, request.pk)
    entry = TimeEntry.objects.filter(user=user, week_start=week_start, **lookup).first()
    if entry is None:
        return TimeEntry.objects.create(
            user=user,
            week_start=week_start,
            category=TimeCategory.REQUEST,
            hours=hours,
            note=note,
            **_lookup_values(lookup),
        )
    entry.hours += hours
    if note:
        entry.note = f"{entry.note}; {note}"[-300:] if entry.note else note
    entry.save(update_fields=["hours", "note", "updated_at"])
    return entry


@dataclass(frozen=True)
class TimesheetLine:
    """One line submitted on the timesheet: which kind of work, and the hours."""

    category: str
    hours: Decimal
    initiative: Initiative | None = None
    request: Request | None = None
    note: str = ""


@transaction.atomic
def timesheet_save(
    *, user: User, week: date, lines: Sequence[TimesheetLine], today: date | None = None
) -> list[TimeEntry]:
    """Save a whole week at once: every line is set (0 removes it), the total checked once."""
    today = today or today_for(user)
    _check_week(week, today)
    total = sum((line.hours for line in lines), Decimal(0))
    for line in lines:
        _check_hours(line.hours)
        _check_links(user, line.category, line.initiative, line.request)
    _lock_user(user.pk)
    keys = {
        tuple(
            _entry_filter(
                line.category, getattr(line.initiative, "pk", None), getattr(line.request, "pk", None)
            ).items()
        )
        for line in lines
    }
    untouched = [
        entry
        for entry in TimeEntry.objects.filter(user=user, week_start=week)
        if tuple(_entry_filter(entry.category, entry.initiative_id, entry.request_id).items()) not in keys
    ]
    if total + sum((e.hours for e in untouched), Decimal(0)) > MAX_WEEK_HOURS:
        raise ValidationError(
            {
                "hours": f"That makes {_h(total + sum((e.hours for e in untouched), Decimal(0)))} hours for the week; "
                "a week holds at most 80. Lower some lines."
            }
        )
    saved = []
    for line in lines:
        entry = time_entry_set(
            user=user,
            week_start=week,
            category=line.category,
            hours=line.hours,
            initiative=line.initiative,
            request=line.request,
            note=line.note,
            today=today,
        )
        if entry:
            saved.append(entry)
    return saved


@transaction.atomic
def timesheet_copy_previous(*, user: User, week: date, today: date | None = None) -> int:
    """Copy last week's lines into ``week`` where ``week`` has no line of that kind yet.

    Lines on initiatives that are now done or dropped are skipped. Returns how many were copied.
    """
    today = today or today_for(user)
    _check_week(week, today)
    _lock_user(user.pk)
    existing = {
        (e.category, e.initiative_id, e.request_id)
        for e in TimeEntry.objects.filter(user=user, week_start=week)
    }
    total = TimeEntry.objects.filter(user=user, week_start=week).aggregate(t=Sum("hours"))["t"] or Decimal(0)
    previous = TimeEntry.objects.filter(user=user, week_start=add_days(week, -7)).select_related("initiative")
    copies = []
    for entry in previous:
        key = (entry.category, entry.initiative_id, entry.request_id)
        if key in existing or (entry.initiative and not entry.initiative.is_open):
            continue
        if total + entry.hours > MAX_WEEK_HOURS:
            break
        total += entry.hours
        copy = TimeEntry(
            user=user, week_start=week, category=entry.category, hours=entry.hours, note=entry.note
        )
        copy.initiative_id = entry.initiative_id
        copy.request_id = entry.request_id
        copies.append(copy)
    TimeEntry.objects.bulk_create(copies)
    return len(copies)


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


# --- The monthly review -----------------------------------------------------------------


@transaction.atomic
def review_open(*, user: User, month: date) -> MonthlyReview:
    """The review of ``month`` for ``user``, started (with an outcome line per top-3 initiative) if new."""
    if not user.has_role(Role.PMM):
        raise PermissionDenied("Only product marketers close a monthly review.")
    team = home_team(user)
    if team is None:
        raise ValidationError("You are not on a team yet: ask your marketing lead to add you to one.")
    month = month_start(month)
    review, created = MonthlyReview.objects.get_or_create(owner=user, month=month, defaults={"team": team})
    if created:
        ReviewOutcome.objects.bulk_create(
            ReviewOutcome(review=review, initiative_id=initiative_id, outcome=Outcome.PROGRESSED)
            for initiative_id in _focus_ids(user.pk, month)
        )
    return review


@dataclass(frozen=True)
class OutcomeInput:
    initiative_id: int
    outcome: str
    note: str = ""


def _check_unlocked(review: MonthlyReview) -> None:
    if review.is_locked:
        raise ValidationError("This review was submitted and is locked: reopen it to change it.")


OUTCOME_STATUS = {Outcome.DONE: InitiativeStatus.DONE, Outcome.DROPPED: InitiativeStatus.DROPPED}


@transaction.atomic
def review_save(
    *,
    user: User,
    review: MonthlyReview,
    outcomes: Sequence[OutcomeInput],
    learnings: str,
    next_top: Sequence[Initiative] | None = None,
    submit: bool = False,
    now: datetime | None = None,
) -> MonthlyReview:
    """Save a review's outcomes and learnings; with ``submit``, also lock it and set next month's top 3.

    Submitting applies the outcomes: done and dropped initiatives take that status,
    and ``next_top`` (the carried-over ones prefilled by the page) becomes the new
    top 3 of the following month.
    """
    _require_owner(user, review.owner_id)
    review = MonthlyReview.objects.select_for_update().get(pk=review.pk)
    _check_unlocked(review)
    lines = {line.initiative_id: line for line in outcomes}
    for line in lines.values():
        if line.outcome not in Outcome.values:
            raise ValidationError({"outcomes": "Pick an outcome for each initiative."})
    existing = {o.initiative_id: o for o in review.outcomes.select_related("initiative")}
    unknown = set(lines) - set(existing)
    if unknown:
        raise ValidationError({"outcomes": "Only the month's top-3 initiatives have an outcome."})
    for initiative_id, outcome in existing.items():
        change = lines.get(initiative_id)
        if change and (change.outcome, change.note) != (outcome.outcome, outcome.note):
            outcome.outcome, outcome.note = change.outcome, change.note
            outcome.save(update_fields=["outcome", "note"])
    review.learnings = learnings
    if not submit:
        review.save(update_fields=["learnings"])
        return review
    if next_top is not None:
        for initiative in next_top:
            if existing.get(initiative.pk) and existing[initiative.pk].outcome in OUTCOME_STATUS:
                raise ValidationError(
                    {
                        "next_top": f"“{initiative.title}” is {existing[initiative.pk].get_outcome_display().lower()}: "
                        "it cannot be in next month's top 3."
                    }
                )
    for outcome in existing.values():
        status = OUTCOME_STATUS.get(Outcome(outcome.outcome))
        if status and outcome.initiative.status != status:
            initiative_update(user=user, initiative=outcome.initiative, status=status)
    if next_top is not None:
        focus_set(user=user, owner=review.owner, month=add_months(review.month, 1), initiatives=next_top)
    review.submitted_at = now or timezone.now()
    review.save(update_fields=["learnings", "submitted_at"])
    return review


@transaction.atomic
def review_reopen(*, user: User, review: MonthlyReview, reason: str) -> ReviewReopening:
    """Unlock a submitted review; who reopened it, when and why is kept."""
    _require_owner(user, review.owner_id)
    review = MonthlyReview.objects.select_for_update().get(pk=review.pk)
    if not review.is_locked or review.submitted_at is None:
        raise ValidationError("This review is still open: there is nothing to reopen.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you reopen it; the reason is kept with the review."})
    reopening = ReviewReopening.objects.create(
        review=review, reopened_by=user, reason=reason.strip(), previously_submitted_at=review.submitted_at
    )
    review.submitted_at = None
    review.save(update_fields=["submitted_at"])
    return reopening


# --- Wins ---------------------------------------------------------------------------------


def win_create(
    *,
    user: User,
    title: str,
    impact: str,
    date: date,
    initiative: Initiative | None = None,
    request: Request | None = None,
) -> Win:
    """Record a win of ``user``'s, on their team, linked to where it came from."""
    if not user.has_role(Role.PMM):
        raise PermissionDenied("Only product marketers record wins.")
    team = initiative.team if initiative else home_team(user)
    if team is None:
        raise ValidationError("You are not on a team yet: ask your marketing lead to add you to one.")
    if initiative is not None and initiative.owner_id != user.pk:
        raise ValidationError({"initiative": "Link a win to one of your own initiatives."})
    if not title.strip():
        raise ValidationError({"title": "Give the win a title people will remember."})
    return Win.objects.create(
        title=title.strip(),
        impact=impact,
        date=date,
        team=team,
        owner=user,
        initiative=initiative,
        request=request,
    )


def win_update(*, user: User, win: Win, **fields: Any) -> Win:
    _require_owner(user, win.owner_id)
    for name, value in fields.items():
        if name not in {"title", "impact", "date", "initiative", "request"}:
            raise ValueError(f"Not a win field: {name}")
        setattr(win, name, value)
    win.save(update_fields=list(fields))
    return win


def win_delete(*, user: User, win: Win) -> None:
    _require_owner(user, win.owner_id)
    win.delete()


# --- Reminders ----------------------------------------------------------------------------

TIME_REMINDER_HOUR = 12
REVIEW_REMINDER_DAY = 3
REVIEW_REMINDER_HOUR = 9


def _remind(user: User, kind: str, period: date, subject: str, body: str) -> bool:
    """Send one reminder unless it went out before; the unique row makes "once" hold across runs."""
    with transaction.atomic():
        _reminder, created = SentReminder.objects.get_or_create(user=user, kind=kind, period=period)
        if not created:
            return False
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
    return True


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Email the PMMs whose time or review is overdue in their team's time zone; return how many.

    - Last week's time: due by Monday noon; a PMM with no hours for last week then gets one email.
    - Last month's review: due by the third working day; a PMM without a submitted review gets one.
    Runs hourly; a PMM on several teams is judged by the first team's clock.
    """
    now = now or timezone.now()
    sent = 0
    seen: set[int] = set()
    base = settings.SITE_URL + reverse("initiatives:index")
    for team in Team.objects.prefetch_related("members").order_by("name"):
        local = now.astimezone(team.zone)
        today = local.date()
        this_week = week_start(today)
        last_week = add_days(this_week, -7)
        time_due = today > this_week or local.hour >= TIME_REMINDER_HOUR
        this_month = month_start(today)
        last_month = add_months(this_month, -1)
        third = working_day(this_month, REVIEW_REMINDER_DAY)
        review_due = today > third or (today == third and local.hour >= REVIEW_REMINDER_HOUR)
        pmms = [m for m in team.members.all() if m.role == Role.PMM and m.is_active and m.pk not in seen]
        seen.update(m.pk for m in pmms)
        if not pmms:
            continue
        ids = [m.pk for m in pmms]
        logged = set(
            TimeEntry.objects.filter(user_id__in=ids, week_start=last_week, hours__gt=0).values_list(
                "user_id", flat=True
            )
        )
        closed = set(
            MonthlyReview.objects.filter(
                owner_id__in=ids, month=last_month, submitted_at__isnull=False
            ).values_list("owner_id", flat=True)
        )
        for pmm in pmms:
            if time_due and pmm.pk not in logged:
                sent += _remind(
                    pmm,
                    ReminderKind.TIME_LOG,
                    last_week,
                    f"Log your time for the week of {last_week:%d %B}",
                    f"Hi {pmm.first_name or pmm.username},\n\nYou have not logged your hours for the week of "
                    f"{last_week:%d %B %Y} yet. It takes under a minute: open your timesheet, copy the "
                    f"previous week and adjust.\n\n{base}timesheet/?week={last_week.isoformat()}\n",
                )
            if review_due and pmm.pk not in closed:
                sent += _remind(
                    pmm,
                    ReminderKind.MONTHLY_REVIEW,
                    last_month,
                    f"Close your {last_month:%B} review",
                    f"Hi {pmm.first_name or pmm.username},\n\n{last_month:%B %Y} is over and its review is "
                    f"still open: record the outcome of your top 3, what you learned and your wins, then "
                    f"pick this month's top 3.\n\n{base}review/\n",
                )
    return sent
