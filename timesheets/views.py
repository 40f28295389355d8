"""The timesheet page: a week's hours, one line per kind of work.

Built to take under a minute: tab through the hour inputs, copy last week, live totals.
Past weeks can be corrected; future weeks are refused.
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from pmm_portal.core.dates import CALENDAR_RULE, parse_day, week_start
from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.permissions import RoleRequiredMixin
from pmm_portal.core.selectors import today_for

from . import selectors, services
from .permissions import WRITERS

WEEK = timedelta(days=7)


def parse_hours(raw: str) -> Decimal:
    """Hours as typed on the timesheet ("6", "2,5", blank for none), or a ValidationError that says how."""
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return Decimal(0)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError("Enter hours as a number, e.g. 6 or 2.5.") from None
    if not value.is_finite() or value < 0 or value > 80:
        raise ValidationError("Enter between 0 and 80 hours.")
    return value.quantize(Decimal("0.1"))


def _week(request: AuthenticatedHttpRequest, raw: str | None) -> date:
    return week_start(parse_day(raw) or today_for(request.user))


def _week_url(week: date) -> str:
    return f"{reverse('timesheets:week')}?week={week.isoformat()}"


class TimesheetView(RoleRequiredMixin, View):
    """``/initiatives/timesheet/?week=YYYY-MM-DD``: a week's hours, one line per kind of work."""

    allowed_roles = WRITERS

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        week: date,
        errors: dict[str, str] | None = None,
        posted: dict[str, str] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        user = request.user
        today = today_for(user)
        lines = selectors.timesheet(user=user, week=week)
        if posted is not None:
            for line in lines:
                line.hours = posted.get(f"hours-{line.key}", line.hours)  # type: ignore[assignment]
                line.note = posted.get(f"note-{line.key}", line.note)
        this_week = week_start(today)
        total = selectors.week_total(user=user, week=week)
        split = selectors.week_split(week=week, total=total)
        context = {
            "week": week,
            "week_end": week + timedelta(days=6),
            "lines": lines,
            "errors": errors or {},
            "total": total,
            # The months the week counts in (two for a week that spans a month's end).
            "split": split if len(split) > 1 else [],
            "calendar_rule": CALENDAR_RULE,
            "previous_week": week - WEEK,
            "next_week": week + WEEK,
            "is_future": week > this_week,
            "is_current": week == this_week,
            "can_go_next": week + WEEK <= this_week,
            "this_week": this_week,
            "recent_weeks": selectors.weeks_back(today, 6),
            "nav_current": "timesheets:week",
        }
        return render(request, "timesheets/timesheet.html", context, status=status)

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return self._render(request, _week(request, request.GET.get("week")))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        week = _week(request, request.POST.get("week"))
        lines = selectors.timesheet(user=user, week=week)
        errors: dict[str, str] = {}
        submitted = []
        for line in lines:
            try:
                hours = parse_hours(request.POST.get(f"hours-{line.key}", ""))
            except ValidationError as exc:
                errors[line.key] = " ".join(exc.messages)
                continue
            note = request.POST.get(f"note-{line.key}", line.note).strip()[:300]
            submitted.append(
                services.TimesheetLine(
                    category=line.category,
                    hours=hours,
                    initiative=line.initiative,
                    request=line.request,
                    note=note,
                )
            )
        posted = {k: str(v) for k, v in request.POST.items() if k.startswith(("hours-", "note-"))}
        if errors:
            return self._render(request, week, errors=errors, posted=posted, status=400)
        try:
            services.timesheet_save(user=user, week=week, lines=submitted, today=today_for(user))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return self._render(request, week, posted=posted, status=400)
        messages.success(request, f"Saved the week of {week:%d %B}.")
        return redirect(_week_url(week))


class TimesheetCopyView(RoleRequiredMixin, View):
    """POST: copy last week's lines into this week (only lines not filled yet)."""

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        week = _week(request, request.POST.get("week"))
        try:
            copied = services.timesheet_copy_previous(
                user=request.user, week=week, today=today_for(request.user)
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if copied:
                messages.success(
                    request,
                    f"Copied {copied} line{'s' if copied != 1 else ''} from last week: adjust and save.",
                )
            else:
                messages.info(
                    request, "Nothing to copy: last week is empty or this week already has those lines."
                )
        return redirect(_week_url(week))
