"""Initiative pages: My plan, the team plan and timeline, initiatives, the timesheet, reviews and wins.

Views parse input, call one service, and render. Every object is looked up
through ``permissions.access_*``.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from pmm_portal.core.dates import add_months, month_start, parse_day, parse_month, week_start
from pmm_portal.core.models import Role, User
from pmm_portal.core.permissions import RoleRequiredMixin

from . import selectors, services
from .forms import InitiativeForm, MilestoneForm, ReopenForm, StatusUpdateForm, WinForm
from .models import InitiativeStatus, Milestone, Outcome
from .permissions import (
    READERS,
    WRITERS,
    access_initiative,
    access_review,
    may_change,
    today_for,
    visible_initiatives,
    visible_teams,
)

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _is_pmm(user: User) -> bool:
    return user.role == Role.PMM


# --- My plan and the team plan ----------------------------------------------------------------


class PlanView(RoleRequiredMixin, View):
    """``/initiatives/``: a PMM's plan for the month; PMs, the CMO and admins see the team plan."""

    allowed_roles = READERS

    def get(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        if not _is_pmm(user):
            return TeamPlanView.as_view()(request)
        today = today_for(_user(request))
        month = parse_month(request.GET.get("month")) or month_start(today)
        context = {
            "plan": selectors.plan(user=user, owner=user, month=month, today=today),
            "month": month,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1),
            "is_current": month == month_start(today),
            "review_due": selectors.review_due_month(user=user, today=today),
            "can_change": True,
            "nav_current": "initiatives:index",
        }
        return render(request, "initiatives/plan.html", context)


class FocusView(RoleRequiredMixin, View):
    """POST ``/initiatives/<pk>/focus/``: add to the top 3, move up or down, or back to the backlog.

    With HTMX it answers the plan board; otherwise it redirects to the plan with a message.
    """

    allowed_roles = WRITERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        initiative = access_initiative(user=user, id=pk, action="change")
        today = today_for(_user(request))
        month = parse_month(request.POST.get("month")) or month_start(today)
        action = request.POST.get("action", "")
        error = None
        try:
            if action == "add":
                services.focus_add(user=user, initiative=initiative, month=month)
            elif action == "remove":
                services.focus_remove(user=user, initiative=initiative, month=month)
            elif action in {"up", "down"}:
                services.focus_move(
                    user=user, initiative=initiative, month=month, offset=-1 if action == "up" else 1
                )
            else:
                error = "Unknown action: reload the page and try again."
        except ValidationError as exc:
            error = " ".join(_errors(exc))
        if request.headers.get("HX-Request"):
            context = {
                "plan": selectors.plan(user=user, owner=user, month=month, today=today),
                "month": month,
                "can_change": True,
                "error": error,
            }
            return render(request, "initiatives/_plan_board.html", context)
        if error:
            messages.error(request, error)
        return redirect(f"{reverse('initiatives:index')}?month={month:%Y-%m}")


class TeamPlanView(RoleRequiredMixin, TemplateView):
    """``/initiatives/team/``: every PMM's top 3 this month and its status, so nobody works in a silo."""

    allowed_roles = READERS
    template_name = "initiatives/team_plan.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = today_for(_user(self.request))
        month = parse_month(self.request.GET.get("month")) or month_start(today)
        context.update(
            month=month,
            previous_month=add_months(month, -1),
            next_month=add_months(month, 1),
            members=selectors.team_plan(user=_user(self.request), month=month),
            nav_current="initiatives:index",
        )
        return context


class TimelineView(RoleRequiredMixin, TemplateView):
    """``/initiatives/timeline/``: the team's initiatives by month; top-3 months stand out."""

    allowed_roles = READERS
    template_name = "initiatives/timeline.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = today_for(_user(self.request))
        start = parse_month(self.request.GET.get("start")) or add_months(month_start(today), -2)
        columns, rows = selectors.timeline(user=_user(self.request), start=start, months=6)
        context.update(
            columns=columns,
            rows=rows,
            start=start,
            earlier=add_months(start, -3),
            later=add_months(start, 3),
            current_month=month_start(today),
            nav_current="initiatives:index",
        )
        return context


# --- Initiatives -----------------------------------------------------------------------------------

SORTS = {
    "target": ("target_date", "title"),
    "-target": ("-target_date", "title"),
    "title": ("title",),
    "owner": ("owner__first_name", "owner__username", "title"),
    "status": ("status", "target_date"),
    "-updated": ("-updated_at",),
}


class InitiativeListView(RoleRequiredMixin, TemplateView):
    """``/initiatives/all/``: every initiative of the team, searchable, filterable, sortable, paginated."""

    allowed_roles = READERS
    template_name = "initiatives/initiative_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        user = _user(self.request)
        queryset = visible_initiatives(user).select_related("owner", "team")
        q = params.get("q", "").strip()
        if q:
            queryset = queryset.filter(Q(title__icontains=q) | Q(goal__icontains=q))
        status = params.get("status", "")
        if status in InitiativeStatus.values:
            queryset = queryset.filter(status=status)
        owner = params.get("owner", "")
        if owner == "me":
            queryset = queryset.filter(owner=user)
        elif owner.isdigit():
            queryset = queryset.filter(owner_id=int(owner))
        sort = params.get("sort", "target")
        queryset = queryset.order_by(*SORTS.get(sort, SORTS["target"]))
        page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
        owners = User.objects.filter(teams__in=visible_teams(user), role=Role.PMM).distinct()
        query = params.copy()
        query.pop("page", None)
        context.update(
            page=page,
            q=q,
            status=status,
            owner=owner,
            sort=sort,
            statuses=InitiativeStatus.choices,
            owners=owners,
            querystring=query.urlencode(),
            nav_current="initiatives:index",
        )
        return context


class InitiativeCreateView(RoleRequiredMixin, View):
    """``/initiatives/new/``: a PMM adds an initiative (to the backlog, or straight to the top 3)."""

    allowed_roles = WRITERS

    def get(self, request: HttpRequest) -> HttpResponse:
        today = today_for(_user(request))
        form = InitiativeForm(
            owner=_user(request),
            initial={"start_date": today, "target_date": add_months(month_start(today), 3)},
        )
        return self._render(request, form)

    def _render(self, request: HttpRequest, form: InitiativeForm) -> HttpResponse:
        return render(
            request,
            "initiatives/initiative_form.html",
            {"form": form, "title": "New initiative", "nav_current": "initiatives:index"},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        form = InitiativeForm(request.POST, owner=user)
        if not form.is_valid():
            return self._render(request, form)
        data = form.cleaned_data
        try:
            initiative = services.initiative_create(
                user=user,
                title=data["title"],
                goal=data["goal"],
                expected_impact=data["expected_impact"],
                start_date=data["start_date"],
                target_date=data["target_date"],
                planned_hours_per_week=data["planned_hours_per_week"],
                products=data["products"],
                personas=data["personas"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return self._render(request, form)
        if request.POST.get("focus"):
            try:
                services.focus_add(
                    user=user, initiative=initiative, month=month_start(today_for(_user(request)))
                )
                messages.success(request, f"“{initiative.title}” is in your top 3 this month.")
            except ValidationError as exc:
                messages.warning(
                    request, f"“{initiative.title}” was added to the backlog. {' '.join(_errors(exc))}"
                )
        else:
            messages.success(request, f"“{initiative.title}” was added to your backlog.")
        return redirect("initiatives:detail", pk=initiative.pk)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class InitiativeEditView(RoleRequiredMixin, View):
    """``/initiatives/<pk>/edit/``: its owner changes the details."""

    allowed_roles = WRITERS

    def _render(self, request: HttpRequest, form: InitiativeForm) -> HttpResponse:
        return render(
            request,
            "initiatives/initiative_form.html",
            {
                "form": form,
                "title": f"Edit “{form.instance.title}”",
                "initiative": form.instance,
                "nav_current": "initiatives:index",
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        initiative = access_initiative(user=_user(request), id=pk, action="change")
        return self._render(request, InitiativeForm(instance=initiative, owner=initiative.owner))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        initiative = access_initiative(user=user, id=pk, action="change")
        form = InitiativeForm(request.POST, instance=initiative, owner=initiative.owner)
        if not form.is_valid():
            return self._render(request, form)
        data = dict(form.cleaned_data)
        products = data.pop("products")
        personas = data.pop("personas")
        try:
            services.initiative_update(
                user=user, initiative=initiative, products=products, personas=personas, **data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return self._render(request, form)
        messages.success(request, "Saved.")
        return redirect("initiatives:detail", pk=initiative.pk)


class InitiativeDetailView(RoleRequiredMixin, View):
    """``/initiatives/<pk>/``: goal, impact, milestones and the stream of status updates (newest first)."""

    allowed_roles = READERS

    def get(self, request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
        user = _user(request)
        initiative = access_initiative(user=user, id=pk)
        month = month_start(today_for(_user(request)))
        focus_months = list(initiative.focus_slots.order_by("-month").values_list("month", "rank")[:12])
        context = {
            "month": month,
            "current_rank": dict(focus_months).get(month),
            "initiative": initiative,
            "milestones": list(initiative.milestones.all()),
            "updates": list(initiative.status_updates.select_related("author")),
            "products": list(initiative.products.all()),
            "personas": list(initiative.personas.all()),
            "wins": list(initiative.wins.all()[:10]),
            "focus_months": focus_months,
            "can_change": may_change(user, initiative.owner_id),
            "status_form": forms.get("status_form")
            or StatusUpdateForm(initial={"status": initiative.status}),
            "milestone_form": forms.get("milestone_form") or MilestoneForm(),
            "nav_current": "initiatives:index",
        }
        return render(request, "initiatives/initiative_detail.html", context, status=forms.get("status", 200))


class StatusUpdateView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        initiative = access_initiative(user=user, id=pk, action="change")
        form = StatusUpdateForm(request.POST)
        if form.is_valid():
            try:
                services.status_update_post(user=user, initiative=initiative, **form.cleaned_data)
                messages.success(request, "Status update posted.")
                return redirect("initiatives:detail", pk=pk)
            except ValidationError as exc:
                _add_errors(form, exc)
        return InitiativeDetailView().get(request, pk, status_form=form, status=400)


class MilestoneAddView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        initiative = access_initiative(user=user, id=pk, action="change")
        form = MilestoneForm(request.POST)
        if form.is_valid():
            services.milestone_add(user=user, initiative=initiative, **form.cleaned_data)
            messages.success(request, "Milestone added.")
            return redirect("initiatives:detail", pk=pk)
        return InitiativeDetailView().get(request, pk, milestone_form=form, status=400)


class MilestoneToggleView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        initiative = access_initiative(user=user, id=pk, action="change")
        milestone_id = request.POST.get("milestone", "")
        milestone = Milestone.objects.filter(
            initiative=initiative, pk=int(milestone_id) if milestone_id.isdigit() else 0
        ).first()
        if milestone is None:
            messages.error(request, "That milestone no longer exists; reload the page.")
        else:
            services.milestone_toggle(user=user, milestone=milestone)
        return redirect("initiatives:detail", pk=pk)


# --- Timesheet ---------------------------------------------------------------------------------------


def _parse_hours(raw: str) -> Decimal:
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


class TimesheetView(RoleRequiredMixin, View):
    """``/initiatives/timesheet/?week=YYYY-MM-DD``: a week's hours, one line per kind of work.

    Built to take under a minute: tab through the hour inputs, copy last week, live totals.
    Past weeks can be corrected; future weeks are refused.
    """

    allowed_roles = WRITERS

    def _week(self, request: HttpRequest, raw: str | None) -> date:
        day = parse_day(raw) or today_for(_user(request))
        return week_start(day)

    def _render(
        self,
        request: HttpRequest,
        week: date,
        errors: dict[str, str] | None = None,
        posted: dict[str, str] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        user = _user(request)
        today = today_for(_user(request))
        lines = selectors.timesheet(user=user, week=week)
        if posted is not None:
            for line in lines:
                line.hours = posted.get(f"hours-{line.key}", line.hours)  # type: ignore[assignment]
                line.note = posted.get(f"note-{line.key}", line.note)
        this_week = week_start(today)
        context = {
            "week": week,
            "week_end": week + (date(2000, 1, 7) - date(2000, 1, 1)),
            "lines": lines,
            "errors": errors or {},
            "total": selectors.week_total(user=user, week=week),
            "previous_week": add_days(week, -7),
            "next_week": add_days(week, 7),
            "is_future": week > this_week,
            "is_current": week == this_week,
            "can_go_next": add_days(week, 7) <= this_week,
            "this_week": this_week,
            "recent_weeks": selectors.weeks_back(today, 6),
            "nav_current": "initiatives:timesheet",
        }
        return render(request, "initiatives/timesheet.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        week = self._week(request, request.GET.get("week"))
        return self._render(request, week)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        week = self._week(request, request.POST.get("week"))
        lines = selectors.timesheet(user=user, week=week)
        errors: dict[str, str] = {}
        submitted = []
        for line in lines:
            try:
                hours = _parse_hours(request.POST.get(f"hours-{line.key}", ""))
            except ValidationError as exc:
                errors[line.key] = " ".join(_errors(exc))
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
            services.timesheet_save(user=user, week=week, lines=submitted, today=today_for(_user(request)))
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
            return self._render(request, week, posted=posted, status=400)
        messages.success(request, f"Saved the week of {week:%d %B}.")
        return redirect(f"{reverse('initiatives:timesheet')}?week={week.isoformat()}")


def add_days(day: date, days: int) -> date:
    return services.add_days(day, days)


class TimesheetCopyView(RoleRequiredMixin, View):
    """POST: copy last week's lines into this week (only lines not filled yet)."""

    allowed_roles = WRITERS

    def post(self, request: HttpRequest) -> HttpResponse:
        week = week_start(parse_day(request.POST.get("week")) or today_for(_user(request)))
        try:
            copied = services.timesheet_copy_previous(
                user=_user(request), week=week, today=today_for(_user(request))
            )
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
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
        return redirect(f"{reverse('initiatives:timesheet')}?week={week.isoformat()}")


# --- Monthly review ------------------------------------------------------------------------------


class ReviewStartView(RoleRequiredMixin, View):
    """``/initiatives/review/``: open (or start) the review of last month, or of ``?month=YYYY-MM``."""

    allowed_roles = WRITERS

    def get(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        today = today_for(_user(request))
        month = parse_month(request.GET.get("month")) or add_months(month_start(today), -1)
        if month >= month_start(today):
            messages.error(request, "A month can be reviewed once it is over.")
            return redirect("initiatives:index")
        try:
            review = services.review_open(user=user, month=month)
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
            return redirect("initiatives:index")
        return redirect("initiatives:review", pk=review.pk)


class ReviewListView(RoleRequiredMixin, TemplateView):
    """``/initiatives/reviews/``: the team's monthly reviews, newest month first."""

    allowed_roles = READERS
    template_name = "initiatives/review_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = _user(self.request)
        queryset = selectors.reviews_for(user=user)
        state = self.request.GET.get("state", "")
        if state == "open":
            queryset = queryset.filter(submitted_at__isnull=True)
        elif state == "submitted":
            queryset = queryset.filter(submitted_at__isnull=False)
        owner = self.request.GET.get("owner", "")
        if owner == "me":
            queryset = queryset.filter(owner=user)
        month = parse_month(self.request.GET.get("month"))
        if month:
            queryset = queryset.filter(month=month)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            page=Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page")),
            state=state,
            owner=owner,
            month=self.request.GET.get("month", ""),
            querystring=query.urlencode(),
            review_due=selectors.review_due_month(user=user, today=today_for(_user(self.request))),
            nav_current="initiatives:index",
        )
        return context


class ReviewView(RoleRequiredMixin, View):
    """``/initiatives/reviews/<pk>/``: outcomes, learnings, wins and next month's top 3; locked once submitted."""

    allowed_roles = READERS

    def _render(
        self,
        request: HttpRequest,
        review: Any,
        error: str = "",
        status: int = 200,
        posted: dict[str, Any] | None = None,
    ) -> HttpResponse:
        user = _user(request)
        detail = selectors.review_detail(review=review)
        if posted:
            detail["prefill"] = posted.get("next_top", detail["prefill"])
            for outcome in detail["outcomes"]:  # type: ignore[attr-defined]
                outcome.outcome = posted.get(f"outcome-{outcome.initiative_id}", outcome.outcome)
                outcome.note = posted.get(f"note-{outcome.initiative_id}", outcome.note)
            review.learnings = posted.get("learnings", review.learnings)
        prefill = [*detail["prefill"], None, None, None]  # type: ignore[misc]
        context = {
            "review": review,
            **detail,
            "slots": [(n + 1, prefill[n]) for n in range(3)],
            "outcome_choices": Outcome.choices,
            "can_change": may_change(user, review.owner_id),
            "error": error,
            "reopen_form": ReopenForm(),
            "nav_current": "initiatives:index",
        }
        return render(request, "initiatives/review.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, access_review(user=_user(request), id=pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        review = access_review(user=user, id=pk, action="change")
        post = request.POST
        outcomes = [
            services.OutcomeInput(
                initiative_id=int(key.removeprefix("outcome-")),
                outcome=str(value),
                note=post.get(f"note-{key.removeprefix('outcome-')}", "").strip()[:500],
            )
            for key, value in post.items()
            if key.startswith("outcome-") and key.removeprefix("outcome-").isdigit()
        ]
        next_ids = [int(v) for v in (post.get(f"next-{n}", "") for n in (1, 2, 3)) if v.isdigit()]
        submit = post.get("action") == "submit"
        posted: dict[str, Any] = {**post.dict(), "next_top": next_ids}
        try:
            candidates = {
                i.pk: i for i in visible_initiatives(user).filter(owner=review.owner, pk__in=next_ids)
            }
            if len(candidates) != len(set(next_ids)) or len(set(next_ids)) != len(next_ids):
                raise ValidationError("Pick each initiative for next month's top 3 once.")
            services.review_save(
                user=user,
                review=review,
                outcomes=outcomes,
                learnings=post.get("learnings", "").strip(),
                next_top=[candidates[i] for i in next_ids] if submit else None,
                submit=submit,
            )
        except ValidationError as exc:
            return self._render(request, review, error=" ".join(_errors(exc)), status=400, posted=posted)
        if submit:
            messages.success(
                request, f"{review.month:%B} is closed and {add_months(review.month, 1):%B}'s top 3 is set."
            )
            return redirect("initiatives:index")
        messages.success(request, "Draft saved.")
        return redirect("initiatives:review", pk=pk)


class ReviewReopenView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        review = access_review(user=user, id=pk, action="change")
        form = ReopenForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError("Say why you reopen it; the reason is kept with the review.")
            services.review_reopen(user=user, review=review, reason=form.cleaned_data["reason"])
            messages.success(request, "Reopened: change it and submit again. The reopening is recorded.")
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
        return redirect("initiatives:review", pk=pk)


# --- Wins ---------------------------------------------------------------------------------------------

WIN_SORTS = {"-date": ("-date", "-id"), "date": ("date", "id"), "title": ("title",)}


class WinListView(RoleRequiredMixin, TemplateView):
    """``/initiatives/wins/``: the team's wins, for the team and the CMO to see and promote."""

    allowed_roles = READERS
    template_name = "initiatives/win_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        user = _user(self.request)
        queryset = selectors.wins_for(user=user)
        q = params.get("q", "").strip()
        if q:
            queryset = queryset.filter(Q(title__icontains=q) | Q(impact__icontains=q))
        owner = params.get("owner", "")
        if owner == "me":
            queryset = queryset.filter(owner=user)
        elif owner.isdigit():
            queryset = queryset.filter(owner_id=int(owner))
        month = parse_month(params.get("month"))
        if month:
            queryset = queryset.filter(date__gte=month, date__lt=add_months(month, 1))
        sort = params.get("sort", "-date")
        queryset = queryset.order_by(*WIN_SORTS.get(sort, WIN_SORTS["-date"]))
        query = params.copy()
        query.pop("page", None)
        context.update(
            page=Paginator(queryset, PAGE_SIZE).get_page(params.get("page")),
            q=q,
            owner=owner,
            month=params.get("month", ""),
            sort=sort,
            owners=User.objects.filter(teams__in=visible_teams(user), role=Role.PMM).distinct(),
            querystring=query.urlencode(),
            can_add=user.role == Role.PMM,
            nav_current="initiatives:index",
        )
        return context


class WinCreateView(RoleRequiredMixin, View):
    """``/initiatives/wins/new/``: record a win (``?next=`` brings you back, e.g. to a review)."""

    allowed_roles = WRITERS

    def _next(self, request: HttpRequest) -> str:
        target = request.POST.get("next") or request.GET.get("next") or ""
        return target if target.startswith("/initiatives/") else reverse("initiatives:wins")

    def _render(self, request: HttpRequest, form: WinForm, status: int = 200) -> HttpResponse:
        return render(
            request,
            "initiatives/win_form.html",
            {"form": form, "next": self._next(request), "nav_current": "initiatives:index"},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        day = parse_day(request.GET.get("date")) or today_for(_user(request))
        initial: dict[str, Any] = {"date": day}
        if request.GET.get("initiative", "").isdigit():
            initial["initiative"] = int(request.GET["initiative"])
        return self._render(request, WinForm(owner=_user(request), initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = _user(request)
        form = WinForm(request.POST, owner=user)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            services.win_create(user=user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self._render(request, form, status=400)
        messages.success(request, "Win recorded. Nice work — don't be shy about it.")
        return HttpResponseRedirect(self._next(request))
