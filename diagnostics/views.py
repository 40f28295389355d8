"""Pages of the functional diagnostic: the responsibilities matrix, rounds, the answer sheet, results.

Each view declares who may use it, looks its object up through ``permissions`` before it
reads the body, and calls one service; the services' ``ValidationError`` shows next to the
fields (or in the row, on the answer sheet that saves as the participant goes).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from pmm_portal.core.forms import add_service_errors
from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.models import Role, Team
from pmm_portal.core.pages import CachedPageMixin
from pmm_portal.core.permissions import EVERYONE, MARKETING, RoleRequiredMixin

from . import permissions, selectors, services
from .forms import ResponsibilityForm, RoundForm
from .models import DiagnosticRound, Function, Lead, Owner, Responsibility

LEADERS = (Role.CMO,)  # administrators pass every role door


class IndexView(RoleRequiredMixin, CachedPageMixin, View):
    """``/diagnostics/``: the rounds the user sees (open ones first, with their own progress), and
    the way to the team's responsibilities. Sales see the rounds they were asked to answer."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        rounds = list(selectors.round_list(user=user))
        return render(
            request,
            "diagnostics/index.html",
            {
                "open_rounds": [r for r in rounds if r.is_open],
                "closed_rounds": [r for r in rounds if not r.is_open],
                "can_open": permissions.leader_teams(user).exists(),
                "can_keep": permissions.keeper_teams(user).exists(),
            },
        )


# --- Responsibilities ----------------------------------------------------------------------------


def _teams_kept(request: AuthenticatedHttpRequest) -> QuerySet[Team]:
    teams = permissions.keeper_teams(request.user).order_by("name")
    if not teams.exists():
        raise PermissionDenied("The team's PMMs, PMs and its CMO keep its responsibilities.")
    return teams


class ResponsibilitiesView(RoleRequiredMixin, View):
    """``/diagnostics/responsibilities/?team=``: the team's matrix by area; its PMMs, PMs and CMO add,
    rename, regroup, retire and reorder responsibilities."""

    allowed_roles = MARKETING

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        teams = _teams_kept(request)
        team = permissions.team_for_new(teams, request.GET.get("team"))
        return self._render(
            request, teams, team, ResponsibilityForm(initial={"intended_owner": Function.PMM})
        )

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        teams = _teams_kept(request)
        team = permissions.team_for_new(teams, request.POST.get("team"))
        form = ResponsibilityForm(request.POST)
        if form.is_valid():
            services.responsibilities_of(team)  # the defaults first, so a new one joins the list
            try:
                added = services.responsibility_save(team=team, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Added “{added.name}” to {added.area}.")
                return HttpResponseRedirect(_list_url(team))
        return self._render(request, teams, team, form, status=400)

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        teams: QuerySet[Team],
        team: Team,
        form: ResponsibilityForm,
        status: int = 200,
    ) -> HttpResponse:
        rows = services.responsibilities_of(team)
        areas: dict[str, list[Responsibility]] = {}
        for row in rows:
            areas.setdefault(row.area, []).append(row)
        return render(
            request,
            "diagnostics/responsibilities.html",
            {
                "form": form,
                "team": team,
                "teams": list(teams),
                "areas": list(areas.items()),
                "area_names": sorted(areas),
                "functions": Function.choices,
                "leads": Lead.choices,
                "first_pk": rows[0].pk if rows else None,
                "last_pk": rows[-1].pk if rows else None,
            },
            status=status,
        )


def _list_url(team: Team) -> str:
    return f"{reverse('diagnostics:responsibilities')}?team={team.slug}"


class ResponsibilityUpdateView(RoleRequiredMixin, View):
    """``POST /diagnostics/responsibilities/<id>/``: rename, regroup, change the owner, retire or bring back."""

    allowed_roles = MARKETING

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        found = permissions.access_responsibility(user=request.user, id=pk)
        data = request.POST
        try:
            services.responsibility_save(
                team=found.team,
                responsibility=found,
                name=data.get("name", found.name),
                area=data.get("area", found.area),
                intended_owner=data.get("intended_owner", found.intended_owner),
                lead=data.get("lead", found.lead),
                description=data.get("description", found.description),
                active=data.get("active", "true" if found.active else "false") == "true",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Saved “{found.name}”." if found.active else f"Retired “{found.name}”; past rounds keep it.",
            )
        return HttpResponseRedirect(_list_url(found.team))


class ResponsibilityMoveView(RoleRequiredMixin, View):
    """``POST /diagnostics/responsibilities/<id>/move/`` with ``direction=up|down``."""

    allowed_roles = MARKETING

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        found = permissions.access_responsibility(user=request.user, id=pk)
        services.responsibility_move(responsibility=found, up=request.POST.get("direction") != "down")
        return HttpResponseRedirect(_list_url(found.team) + f"#resp-{found.pk}")


# --- Rounds ---------------------------------------------------------------------------------------


class RoundCreateView(RoleRequiredMixin, View):
    """``/diagnostics/rounds/new/?team=``: the team's CMO opens a round and picks who answers."""

    allowed_roles = LEADERS

    def _team(self, request: AuthenticatedHttpRequest, value: str | None) -> tuple[QuerySet[Team], Team]:
        teams = permissions.leader_teams(request.user).order_by("name")
        return teams, permissions.team_for_new(teams, value)

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        teams, team = self._team(request, request.GET.get("team"))
        people = services.eligible_participants(team)
        suggested = [p for p in people if p.role != Role.SALES]
        form = RoundForm(people=people, initial={"participants": suggested, "title": "Functional diagnostic"})
        return self._render(request, teams, team, form)

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        teams, team = self._team(request, request.POST.get("team"))
        form = RoundForm(request.POST, people=services.eligible_participants(team))
        if form.is_valid():
            try:
                round = services.round_open(actor=request.user, team=team, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Round opened: participants find it under Diagnostic.")
                return HttpResponseRedirect(round.get_absolute_url())
        return self._render(request, teams, team, form, status=400)

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        teams: QuerySet[Team],
        team: Team,
        form: RoundForm,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "diagnostics/round_form.html",
            {
                "form": form,
                "team": team,
                "teams": list(teams),
                "count": len(services.responsibilities_of(team, active_only=True)),
            },
            status=status,
        )


class RoundView(RoleRequiredMixin, CachedPageMixin, View):
    """``/diagnostics/rounds/<id>/``: while open, who has answered (for the CMO) and the way to one's
    own sheet; once closed, the results: flags, heatmap, conversation guide and trend."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        round = permissions.access_round(user=user, id=pk)
        seat = permissions.seat_of(user, round)
        context: dict[str, Any] = {
            "round": round,
            "seat": seat,
            "can_lead": permissions.can_lead(user, round),
        }
        if round.is_open:
            progress = selectors.round_progress(round)
            context["progress"] = progress
            if seat is not None:
                context["mine"] = next((r for r in progress.rows if r["user"].pk == user.pk), None)
            return render(request, "diagnostics/round_open.html", context)
        context["results"] = selectors.round_results(round)
        context["owners"] = Owner.choices
        return render(request, "diagnostics/round_results.html", context)


class AnswerView(RoleRequiredMixin, View):
    """``/diagnostics/rounds/<id>/answer/``: the participant's own sheet. Each row saves on change
    (HTMX posts the row; the page keeps the focus), or with its button without JavaScript."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        round = permissions.access_round(user=request.user, id=pk, action="answer")
        if not round.is_open:
            messages.info(request, "The round is closed: here are its results.")
            return HttpResponseRedirect(round.get_absolute_url())
        return self._page(request, round)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        round = permissions.access_round(user=request.user, id=pk, action="answer")
        seat = permissions.seat_of(request.user, round)
        assert seat is not None  # access_round(action="answer") checked it
        item_id = request.POST.get("item")
        error = ""
        try:
            services.answer_save(
                participant=seat,
                item_id=item_id,
                owner=request.POST.get("owner", ""),
                score=request.POST.get("score") or None,
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        if request.headers.get("HX-Request") == "true":
            sheet = selectors.answer_sheet(participant=seat)
            return render(
                request,
                "diagnostics/_answer_saved.html",
                {"sheet": sheet, "item_id": item_id, "error": error, "row": _row(sheet, item_id)},
            )
        if error:
            messages.error(request, error)
            return self._page(request, round, status=400)
        return HttpResponseRedirect(reverse("diagnostics:answer", args=[round.pk]) + f"#item-{item_id}")

    def _page(
        self, request: AuthenticatedHttpRequest, round: DiagnosticRound, status: int = 200
    ) -> HttpResponse:
        seat = permissions.seat_of(request.user, round)
        assert seat is not None
        return render(
            request,
            "diagnostics/answer.html",
            {
                "round": round,
                "sheet": selectors.answer_sheet(participant=seat),
                "owners": Owner.choices,
                "scores": [(1, "poorly"), (2, "weakly"), (3, "adequately"), (4, "well"), (5, "very well")],
            },
            status=status,
        )


def _row(sheet: selectors.Sheet, item_id: str | None) -> Any:
    return next(((i, a) for i, a in sheet.rows if str(i.pk) == str(item_id)), None)


class RoundCloseView(RoleRequiredMixin, View):
    """``POST /diagnostics/rounds/<id>/close/``: the CMO closes the round; results appear for all in it."""

    allowed_roles = LEADERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        round = permissions.access_round(user=request.user, id=pk, action="close")
        try:
            services.round_close(actor=request.user, round=round)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Round closed: everyone in it now sees the results.")
        return HttpResponseRedirect(round.get_absolute_url())
