"""Every change to time entries: the week rules in one place.

A week starts on Monday, cannot be logged before it has begun, and holds at most
80 hours. Each writer takes the person's row lock first (``core.services.user_lock``)
so two tabs cannot together pass 80 hours.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from pmm_portal.core import figures
from pmm_portal.core.dates import week_start
from pmm_portal.core.models import User
from pmm_portal.core.selectors import today_for
from pmm_portal.core.services import user_lock

from .lines import Loggable
from .models import MAX_WEEK_HOURS, TimeCategory, TimeEntry
from .permissions import requests_loggable_by


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


def hours_text(hours: Decimal) -> str:
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
                "hours": f"That makes {hours_text(logged + extra)} hours for the week of {week:%d %b}; "
                "a week holds at most 80."
            }
        )


def _entry_filter(category: str, initiative_id: int | None, request_id: int | None) -> dict[str, Any]:
    lookup: dict[str, Any] = {"initiative_id": initiative_id, "request_id": request_id}
    if initiative_id is None and request_id is None:
        lookup["category"] = category
    return lookup


def _lookup_values(lookup: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in lookup.items() if key != "category"}


def _check_line_shape(*, user: User, category: str, initiative: Loggable | None, request: Any | None) -> None:
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


def _check_requests(user: User, requests: Iterable[Any]) -> None:
    ids = {request.pk for request in requests}
    if ids and requests_loggable_by(user).filter(pk__in=ids).count() != len(ids):
        raise ValidationError({"request": "Log time only on requests of your own teams."})


def check_time_links(*, user: User, category: str, initiative: Loggable | None, request: Any | None) -> None:
    """What a line may name: initiative time names one of the user's own initiatives, request time a
    request of one of the user's teams, other categories neither. Page and API both pass here."""
    _check_line_shape(user=user, category=category, initiative=initiative, request=request)
    _check_requests(user, [request] if request is not None else [])


@transaction.atomic
def time_entry_set(
    *,
    user: User,
    week_start: date,
    category: str,
    hours: Decimal,
    initiative: Loggable | None = None,
    request: Any | None = None,
    note: str = "",
    today: date | None = None,
) -> TimeEntry | None:
    """Set the hours ``user`` spent in a week on one line of the timesheet (0 removes the line).

    Corrections of past weeks are allowed; future weeks are not, and the week's
    total stays within 80 hours (checked under the user's lock).
    """
    _check_week(week_start, today or today_for(user))
    _check_hours(hours)
    check_time_links(user=user, category=category, initiative=initiative, request=request)
    user_lock(user_id=user.pk)
    return _write_line(
        user=user,
        week_start=week_start,
        category=category,
        hours=hours,
        initiative=initiative,
        request=request,
        note=note,
        check_week_total=True,
    )


def _write_line(
    *,
    user: User,
    week_start: date,
    category: str,
    hours: Decimal,
    initiative: Loggable | None,
    request: Any | None,
    note: str,
    check_week_total: bool,
) -> TimeEntry | None:
    """Write one checked line under the user's lock: the week, hours and links were validated.

    ``check_week_total`` is False when the caller checked the whole week's new total itself:
    checking line by line would refuse a week that lowers one line and raises another.
    """
    lookup = _entry_filter(category, initiative.pk if initiative else None, getattr(request, "pk", None))
    entry = TimeEntry.objects.filter(user=user, week_start=week_start, **lookup).first()
    if check_week_total:
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


@transaction.atomic
def time_entry_update(
    *, user: User, entry: TimeEntry, hours: Decimal, note: str | None = None, today: date | None = None
) -> TimeEntry:
    """Correct the hours (and note) of an existing entry."""
    if entry.user_id != user.pk:
        raise PermissionDenied("Time entries are their author's alone.")
    _check_week(entry.week_start, today or today_for(user))
    _check_hours(hours)
    user_lock(user_id=user.pk)
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
    *, user: User, request: Any, week_start: date, hours: Decimal, note: str = ""
) -> TimeEntry:
    """Add ``hours`` spent on one request to ``user``'s week (creating or incrementing that line).

    Same rules as the timesheet: a Monday, not a future week, a week of at most 80 hours,
    a request of one of the user's teams.
    """
    _check_week(week_start, today_for(user))
    if hours <= 0:
        raise ValidationError({"hours": "Enter the hours you spent, more than 0."})
    _check_hours(hours)
    check_time_links(user=user, category=TimeCategory.REQUEST, initiative=None, request=request)
    user_lock(user_id=user.pk)
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
    initiative: Loggable | None = None
    request: Any | None = None
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
        _check_line_shape(user=user, category=line.category, initiative=line.initiative, request=line.request)
    _check_requests(user, [line.request for line in lines if line.request is not None])  # one query
    user_lock(user_id=user.pk)
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
    week_hours = total + sum((e.hours for e in untouched), Decimal(0))
    if week_hours > MAX_WEEK_HOURS:
        raise ValidationError(
            {
                "hours": f"That makes {hours_text(week_hours)} hours for the week; "
                "a week holds at most 80. Lower some lines."
            }
        )
    saved = []
    for line in lines:
        # Checked above, once for the whole week; each line is then written as it is.
        entry = _write_line(
            user=user,
            week_start=week,
            category=line.category,
            hours=line.hours,
            initiative=line.initiative,
            request=line.request,
            note=line.note,
            check_week_total=False,
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
    user_lock(user_id=user.pk)
    existing = {
        (e.category, e.initiative_id, e.request_id)
        for e in TimeEntry.objects.filter(user=user, week_start=week)
    }
    total = TimeEntry.objects.filter(user=user, week_start=week).aggregate(t=Sum("hours"))["t"] or Decimal(0)
    previous = TimeEntry.objects.filter(user=user, week_start=week - timedelta(days=7)).select_related(
        "initiative"
    )
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
    figures.changed_for_users([user.pk])
    return len(copies)
