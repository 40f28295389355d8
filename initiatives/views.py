"""Initiative pages: My plan, the team plan and timeline, initiatives, the timesheet, reviews and wins.

Views parse input, call one service, and render. Every object is looked up
through ``permissions.access_*``.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from pmm_portal.core.dates import CALENDAR_RULE, add_months, month_start, parse_day, parse_month
from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.lists import filtered_page
from pmm_portal.core.models import Role, User
from pmm_portal.core.pages import CachedPageMixin
from pmm_portal.core.permissions import RoleRequiredMixin
from pmm_portal.core.selectors import today_for

from . import selectors, services
from .filters import InitiativeFilter, LearningFilter, ReviewFilter, WinFeedFilter, WinFilter
from .forms import (
    InitiativeForm,
    LearningForm,
    MilestoneForm,
    PromoteForm,
    ReopenForm,
    StatusUpdateForm,
    WinForm,
)
from .models import Learning, Milestone, Outcome
from .permissions import (
    FEED_READERS,
    READERS,
    WRITERS,
    access_initiative,
    access_learning,
    access_review,
    access_win,
    can_change_owned,
    can_create_learning,
    can_create_win,
    visible_to,
)

PAGE_SIZE = 25


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _is_pmm(user: User) -> bool:
    return user.role == Role.PMM


# --- My plan and the team plan ----------------------------------------------------------------


class PlanView(RoleRequiredMixin, View):
    """``/initiatives/``: a PMM's plan for the month; PMs, the CMO and admins see the team plan."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        if not _is_pmm(user):
            return TeamPlanView().get(request)
        today = today_for(request.user)
        month = parse_month(request.GET.get("month")) or month_start(today)
        context = {
            "plan": selectors.plan(user=user, owner=user, month=month, today=today),
            "month": month,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1),
            "is_current": month == month_start(today),
            "review_due": selectors.review_due_month(user=user, today=today),
            "can_change": True,
            "calendar_rule": CALENDAR_RULE,
            "nav_current": "initiatives:index",
        }
        return render(request, "initiatives/plan.html", context)


class FocusView(RoleRequiredMixin, View):
    """POST ``/initiatives/<pk>/focus/``: add to the top 3, move up or down, or back to the backlog.

    With HTMX it answers the plan board; otherwise it redirects to the plan with a message.
    """

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        initiative = access_initiative(user=user, id=pk, action="change")
        today = today_for(request.user)
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


class TeamPlanView(RoleRequiredMixin, View):
    """``/initiatives/team/``: every PMM's top 3 this month and its status, so nobody works in a silo."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        month = parse_month(request.GET.get("month")) or month_start(today_for(request.user))
        context = {
            "month": month,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1),
            "members": selectors.team_plan(user=request.user, month=month),
            "nav_current": "initiatives:index",
        }
        return render(request, "initiatives/team_plan.html", context)


class TimelineView(RoleRequiredMixin, View):
    """``/initiatives/timeline/``: the team's initiatives by month; top-3 months stand out."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        today = today_for(request.user)
        start = parse_month(request.GET.get("start")) or add_months(month_start(today), -2)
        columns, rows = selectors.timeline(user=request.user, start=start, months=6)
        context = {
            "columns": columns,
            "rows": rows,
            "start": start,
            "earlier": add_months(start, -3),
            "later": add_months(start, 3),
            "current_month": month_start(today),
            "nav_current": "initiatives:index",
        }
        return render(request, "initiatives/timeline.html", context)


# --- Initiatives -----------------------------------------------------------------------------------


class InitiativeListView(RoleRequiredMixin, View):
    """``/initiatives/all/``: every initiative of the team, searchable, filterable, sortable, paginated."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        queryset = visible_to(request.user).select_related("owner", "team")
        context = filtered_page(request, InitiativeFilter, queryset, default_sort="target")
        context.update(
            list_url=reverse("initiatives:list"),
            search_placeholder="Title or goal",
            filtered_empty_title="No initiative matches",
            filtered_empty_text="Try another search or clear the filters.",
            nav_current="initiatives:index",
        )
        return render(request, "initiatives/initiative_list.html", context)


class InitiativeCreateView(RoleRequiredMixin, View):
    """``/initiatives/new/``: a PMM adds an initiative (to the backlog, or straight to the top 3)."""

    allowed_roles = WRITERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        today = today_for(request.user)
        form = InitiativeForm(
            owner=request.user,
            initial={"start_date": today, "target_date": add_months(month_start(today), 3)},
        )
        return self._render(request, form)

    def _render(self, request: AuthenticatedHttpRequest, form: InitiativeForm) -> HttpResponse:
        return render(
            request,
            "initiatives/initiative_form.html",
            {"form": form, "title": "New initiative", "nav_current": "initiatives:index"},
        )

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
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
                    user=user, initiative=initiative, month=month_start(today_for(request.user))
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

    def _render(self, request: AuthenticatedHttpRequest, form: InitiativeForm) -> HttpResponse:
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

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        initiative = access_initiative(user=request.user, id=pk, action="change")
        return self._render(request, InitiativeForm(instance=initiative, owner=initiative.owner))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
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

    def get(self, request: AuthenticatedHttpRequest, pk: int, **forms: Any) -> HttpResponse:
        user = request.user
        initiative = access_initiative(user=user, id=pk)
        month = month_start(today_for(request.user))
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
            "learnings": list(initiative.learnings.select_related("owner")[:10]),
            "focus_months": focus_months,
            "can_change": can_change_owned(user, initiative.owner_id),
            "status_form": forms.get("status_form")
            or StatusUpdateForm(initial={"status": initiative.status}),
            "milestone_form": forms.get("milestone_form") or MilestoneForm(),
            "nav_current": "initiatives:index",
        }
        return render(request, "initiatives/initiative_detail.html", context, status=forms.get("status", 200))


class StatusUpdateView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
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

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        initiative = access_initiative(user=user, id=pk, action="change")
        form = MilestoneForm(request.POST)
        if form.is_valid():
            services.milestone_add(user=user, initiative=initiative, **form.cleaned_data)
            messages.success(request, "Milestone added.")
            return redirect("initiatives:detail", pk=pk)
        return InitiativeDetailView().get(request, pk, milestone_form=form, status=400)


class MilestoneToggleView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
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


# --- Monthly review ------------------------------------------------------------------------------


class ReviewStartView(RoleRequiredMixin, View):
    """``/initiatives/review/``: open (or start) the review of last month, or of ``?month=YYYY-MM``."""

    allowed_roles = WRITERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        today = today_for(request.user)
        month = parse_month(request.GET.get("month")) or add_months(month_start(today), -1)
        try:
            review = services.review_start(user=user, month=month, today=today)
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
            return redirect("initiatives:index")
        return redirect("initiatives:review", pk=review.pk)


class ReviewListView(RoleRequiredMixin, View):
    """``/initiatives/reviews/``: the team's monthly reviews, newest month first."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        context = filtered_page(request, ReviewFilter, selectors.reviews_for(user=user))
        context.update(
            list_url=reverse("initiatives:reviews"),
            search_placeholder="PMM name",
            filtered_empty_title="No review matches these filters",
            filtered_empty_text="Clear the filters to see every month.",
            review_due=selectors.review_due_month(user=user, today=today_for(user)),
            nav_current="initiatives:index",
        )
        return render(request, "initiatives/review_list.html", context)


class ReviewView(RoleRequiredMixin, View):
    """``/initiatives/reviews/<pk>/``: outcomes, learnings, wins and next month's top 3; locked once submitted."""

    allowed_roles = READERS

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        review: Any,
        error: str = "",
        status: int = 200,
        posted: dict[str, Any] | None = None,
    ) -> HttpResponse:
        user = request.user
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
            "can_change": can_change_owned(user, review.owner_id),
            "error": error,
            "reopen_form": ReopenForm(),
            "nav_current": "initiatives:index",
        }
        return render(request, "initiatives/review.html", context, status=status)

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        return self._render(request, access_review(user=request.user, id=pk))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
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
            next_top = services.review_next_top(user=user, review=review, ids=next_ids)
            services.review_save(
                user=user,
                review=review,
                outcomes=outcomes,
                learnings=post.get("learnings", "").strip(),
                next_top=next_top if submit else None,
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

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
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


class WinListView(RoleRequiredMixin, View):
    """``/initiatives/wins/``: the team's wins, for the team and the CMO to see and promote."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        context = filtered_page(
            request,
            WinFilter,
            selectors.wins_for(user=request.user),
            default_sort="-date",
            page_size=PAGE_SIZE,
        )
        context.update(can_add=can_create_win(request.user), nav_current="initiatives:index")
        return render(request, "initiatives/win_list.html", context)


class WinFeedView(RoleRequiredMixin, CachedPageMixin, View):
    """``/initiatives/wins/feed/``: promoted wins shared with the reader's teams (or with sales)."""

    allowed_roles = FEED_READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        context = filtered_page(
            request, WinFeedFilter, selectors.wins_feed(user=request.user), default_sort="-promoted"
        )
        context.update(
            list_url=reverse("initiatives:feed"),
            search_placeholder="Title, impact, headline or quote",
            is_marketing=request.user.has_role(*READERS),
            nav_current="initiatives:feed",
            wants_mail=services.wants_win_mails(request.user),
        )
        return render(request, "initiatives/win_feed.html", context)


class WinMailsView(RoleRequiredMixin, View):
    """``POST /initiatives/wins/feed/mails/``: the reader turns promoted wins by email on or off."""

    allowed_roles = FEED_READERS

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        wanted = services.win_mails_set(user=request.user, wanted=request.POST.get("wanted") == "on")
        messages.success(
            request,
            "You get promoted wins by email again."
            if wanted
            else "No more wins by email: they stay here, in the feed.",
        )
        return HttpResponseRedirect(reverse("initiatives:feed"))


@method_decorator(csrf_exempt, name="dispatch")  # the signed token is the authority (RFC 8058 one-click)
class WinMailUnsubscribeView(View):
    """``/initiatives/wins/unsubscribe/<token>/``: the link in every promoted-win mail. Anyone holding
    it (it is signed for one person) may stop those mails, signed in or not: GET asks, POST does it."""

    template_name = "initiatives/win_mail_unsubscribe.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            services.win_mail_target(token)
        except ValidationError as error:
            return render(request, self.template_name, {"error": " ".join(error.messages)}, status=400)
        return render(request, self.template_name, {"token": token})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            user = services.win_mail_target(token)
        except ValidationError as error:
            return render(request, self.template_name, {"error": " ".join(error.messages)}, status=400)
        services.win_mails_set(user=user, wanted=False)
        return render(request, self.template_name, {"done": True})


class WinPromoteView(RoleRequiredMixin, View):
    """``/initiatives/wins/<pk>/promote/``: its owner shares a win with sales and chosen teams."""

    allowed_roles = WRITERS

    def _render(
        self, request: AuthenticatedHttpRequest, win: Any, form: PromoteForm, status: int = 200
    ) -> HttpResponse:
        context = {"win": win, "form": form, "nav_current": "initiatives:index"}
        return render(request, "initiatives/win_promote.html", context, status=status)

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        win = access_win(user=request.user, id=pk, action="change")
        initial = {
            "sales": win.shared_with_sales or not win.is_promoted,
            "teams": list(win.shared_with.all()),
            "headline": win.headline,
            "quote": win.quote,
        }
        return self._render(request, win, PromoteForm(user=request.user, initial=initial))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        win = access_win(user=user, id=pk, action="change")
        form = PromoteForm(request.POST, user=user)
        if not form.is_valid():
            return self._render(request, win, form, status=400)
        data = form.cleaned_data
        try:
            services.win_promote(
                user=user,
                win=win,
                teams=data["teams"],
                sales=data["sales"],
                headline=data["headline"],
                quote=data["quote"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return self._render(request, win, form, status=400)
        messages.success(request, f"“{win.title}” is in the wins feed. Send it by email to tell people now.")
        return redirect("initiatives:wins")


class WinUnpromoteView(RoleRequiredMixin, View):
    """POST ``/initiatives/wins/<pk>/unpromote/``: withdraw a win from the feeds."""

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        win = access_win(user=request.user, id=pk, action="change")
        try:
            services.win_unpromote(user=request.user, win=win)
            messages.success(request, f"“{win.title}” was withdrawn from the wins feed.")
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
        return redirect("initiatives:wins")


class WinSendView(RoleRequiredMixin, View):
    """POST ``/initiatives/wins/<pk>/send/``: mail a promoted win to its audience (once per person)."""

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        win = access_win(user=request.user, id=pk, action="change")
        try:
            count = services.win_promotion_send(user=request.user, win=win)
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
        else:
            if count:
                messages.success(
                    request, f"Sending “{win.title}” to {count} {'person' if count == 1 else 'people'}."
                )
            else:
                messages.info(request, "Everyone it is shared with has already been sent this win.")
        return redirect("initiatives:wins")


# --- Learnings -------------------------------------------------------------------------------------


class LearningListView(RoleRequiredMixin, CachedPageMixin, View):
    """``/initiatives/learnings/``: the team's learning log, searchable, filterable, sortable, paginated."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        context = filtered_page(
            request, LearningFilter, selectors.learnings_for(user=user), default_sort="-date"
        )
        initiative_id = request.GET.get("initiative", "")
        context.update(
            list_url=reverse("initiatives:learnings"),
            search_placeholder="Hypothesis, what was tried, lesson…",
            filtered_empty_title="No learning matches",
            filtered_empty_text="Try another search or clear the filters.",
            can_add=can_create_learning(user),
            initiative=visible_to(user).filter(pk=int(initiative_id)).first()
            if initiative_id.isdigit()
            else None,
            nav_current="initiatives:index",
        )
        return render(request, "initiatives/learning_list.html", context)


class LearningDetailView(RoleRequiredMixin, View):
    """``/initiatives/learnings/<pk>/``: one experiment, from hypothesis to lesson."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        learning = access_learning(user=request.user, id=pk)
        context = {
            "learning": learning,
            "can_change": can_change_owned(request.user, learning.owner_id),
            "nav_current": "initiatives:index",
        }
        return render(request, "initiatives/learning_detail.html", context)


class _LearningFormView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def _render(
        self, request: AuthenticatedHttpRequest, form: LearningForm, title: str, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "title": title,
            "learning": form.instance,
            "nav_current": "initiatives:index",
        }
        return render(request, "initiatives/learning_form.html", context, status=status)


class LearningCreateView(_LearningFormView):
    """``/initiatives/learnings/new/``: log an experiment (``?initiative=`` prefills its initiative)."""

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {"date": parse_day(request.GET.get("date")) or today_for(request.user)}
        if request.GET.get("initiative", "").isdigit():
            initial["initiative"] = int(request.GET["initiative"])
        return self._render(request, LearningForm(owner=request.user, initial=initial), "Log a learning")

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        form = LearningForm(request.POST, owner=user)
        if not form.is_valid():
            return self._render(request, form, "Log a learning", status=400)
        try:
            learning = services.learning_create(user=user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self._render(request, form, "Log a learning", status=400)
        messages.success(request, "Learning logged. It will show in the month's review.")
        return redirect("initiatives:learning", pk=learning.pk)


class LearningEditView(_LearningFormView):
    """``/initiatives/learnings/<pk>/edit/``: its owner changes it."""

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        learning = access_learning(user=request.user, id=pk, action="change")
        form = LearningForm(instance=learning, owner=learning.owner)
        return self._render(request, form, f"Edit “{learning.title}”")

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        learning = access_learning(user=user, id=pk, action="change")
        title = f"Edit “{learning.title}”"
        # Validated against a copy: a bound ModelForm writes the posted values onto its instance.
        form = LearningForm(request.POST, instance=Learning.objects.get(pk=learning.pk), owner=learning.owner)
        if not form.is_valid():
            return self._render(request, form, title, status=400)
        try:
            services.learning_update(user=user, learning=learning, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self._render(request, form, title, status=400)
        messages.success(request, "Saved.")
        return redirect("initiatives:learning", pk=learning.pk)


class WinCreateView(RoleRequiredMixin, View):
    """``/initiatives/wins/new/``: record a win (``?next=`` brings you back, e.g. to a review)."""

    allowed_roles = WRITERS

    def _next(self, request: AuthenticatedHttpRequest) -> str:
        target = request.POST.get("next") or request.GET.get("next") or ""
        return target if target.startswith("/initiatives/") else reverse("initiatives:wins")

    def _render(self, request: AuthenticatedHttpRequest, form: WinForm, status: int = 200) -> HttpResponse:
        return render(
            request,
            "initiatives/win_form.html",
            {"form": form, "next": self._next(request), "nav_current": "initiatives:index"},
            status=status,
        )

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        day = parse_day(request.GET.get("date")) or today_for(request.user)
        initial: dict[str, Any] = {"date": day}
        if request.GET.get("initiative", "").isdigit():
            initial["initiative"] = int(request.GET["initiative"])
        return self._render(request, WinForm(owner=request.user, initial=initial))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
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


class InitiativeOptionsView(RoleRequiredMixin, View):
    """``/initiatives/options/?q=``: the win form's initiative picker, searched as the PMM types (JSON)."""

    allowed_roles = (Role.PMM,)

    def get(self, request: AuthenticatedHttpRequest) -> JsonResponse:
        return JsonResponse(
            {"results": selectors.initiative_options(user=request.user, text=request.GET.get("q", ""))}
        )


class WinRequestOptionsView(RoleRequiredMixin, View):
    """``/initiatives/wins/request-options/?q=``: the win form's request picker (JSON)."""

    allowed_roles = (Role.PMM,)

    def get(self, request: AuthenticatedHttpRequest) -> JsonResponse:
        return JsonResponse(
            {"results": selectors.win_request_options(user=request.user, text=request.GET.get("q", ""))}
        )


class InitiativePersonaOptionsView(RoleRequiredMixin, View):
    """``/initiatives/persona-options/?q=``: the initiative form's persona picker (JSON)."""

    allowed_roles = (Role.PMM,)

    def get(self, request: AuthenticatedHttpRequest) -> JsonResponse:
        return JsonResponse(
            {
                "results": selectors.initiative_persona_options(
                    user=request.user, text=request.GET.get("q", "")
                )
            }
        )
