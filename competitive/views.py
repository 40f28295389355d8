"""Pages of competitive intelligence: competitors (with their signals) and the win/loss programme.

Each view declares who may use it, looks its object up through ``permissions`` before it
reads the body, and calls one service; the services' ``ValidationError`` shows next to
the fields.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from personas.permissions import access_interaction
from pmm_portal.core.forms import add_service_errors
from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.lists import filtered_page
from pmm_portal.core.models import Role, Team
from pmm_portal.core.pages import CachedPageMixin
from pmm_portal.core.permissions import RoleRequiredMixin
from requests_queue.permissions import access_request

from . import permissions, selectors, services
from .filters import COMPETITOR_SORTS, REVIEW_SORTS, CompetitorFilter, ReviewFilter
from .forms import (
    BattlecardForm,
    BattlecardObjectionFormSet,
    CompetitorForm,
    ReasonForm,
    ReviewForm,
    objection_rows,
)
from .models import Battlecard, Competitor

READERS = permissions.READERS
INSIDERS = permissions.INSIDERS
WRITERS = (Role.PMM,)  # administrators pass every role door
STALE_DAYS = 90  # a competitor profile not reviewed for this long says so


# --- Competitors -----------------------------------------------------------------------------------


class CompetitorListView(RoleRequiredMixin, CachedPageMixin, View):
    """``/competitors/``: the competitors the user sees, with how often reps ask about each."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        page = filtered_page(
            request, CompetitorFilter, selectors.competitor_list(user=user), default_sort="name"
        )
        rows = list(page["object_list"])
        selectors.attach_signals(rows)
        insider = user.role != Role.SALES
        return render(
            request,
            "competitive/competitor_list.html",
            {
                **page,
                "object_list": rows,
                "list_url": reverse("competitive:index"),
                "sorts": COMPETITOR_SORTS,
                "search_placeholder": "Name, alias or summary",
                "filtered_empty_title": "No competitor matches these filters",
                "filtered_empty_text": "Try another word, or clear the filters to see every competitor.",
                "can_create": permissions.writer_teams(user).exists(),
                "insider": insider,
                "proposed": selectors.proposed_names(user=user) if insider else [],
                "stale_before": timezone.now() - timedelta(days=STALE_DAYS),
            },
        )


class CompetitorOptionsView(RoleRequiredMixin, View):
    """``/competitors/options/?q=``: the request form's competitor type-ahead (JSON). What a rep types
    that matches no record stays their words on the request, proposed to the team."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        options = selectors.competitor_options(user=request.user, text=request.GET.get("q", ""), limit=200)
        if request.GET.get("format") == "datalist":  # the request form's list: each name once
            names = sorted({o["value"] for o in options}, key=str.lower)
            return render(request, "competitive/_datalist.html", {"names": names})
        return JsonResponse({"results": options[:12]})


class ReviewInteractionOptionsView(RoleRequiredMixin, View):
    """``/competitors/win-loss/interaction-options/?q=``: the review form's conversation picker (JSON)."""

    allowed_roles = WRITERS

    def get(self, request: AuthenticatedHttpRequest) -> JsonResponse:
        options = selectors.review_interaction_options(user=request.user, text=request.GET.get("q", ""))
        return JsonResponse({"results": options})


class LinkOptionsView(RoleRequiredMixin, View):
    """``/competitors/<id>/asset-options/?q=`` (and ``interaction-options``): the edit form's pickers
    of what to link, from the competitor's own team only (JSON)."""

    allowed_roles = WRITERS
    find: Any = None

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
        competitor = permissions.access_competitor(user=request.user, id=pk, change=True)
        return JsonResponse({"results": self.find(competitor=competitor, text=request.GET.get("q", ""))})


class CompetitorForRequestView(RoleRequiredMixin, View):
    """``/competitors/for-request/<id>/``: from a request that names a competitor, its profile (the
    team's record of that name or alias), or the list searched for the name when there is none."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        asked = access_request(user=user, id=pk)
        competitor = selectors.competitor_named(user=user, name=asked.competitor, team_id=asked.team_id)
        if competitor is not None:
            return HttpResponseRedirect(competitor.get_absolute_url())
        if asked.competitor.strip():
            messages.info(request, f"Product marketing has no profile of {asked.competitor} yet.")
        return HttpResponseRedirect(reverse("competitive:index") + "?" + urlencode({"q": asked.competitor}))


class CompetitorDetailView(RoleRequiredMixin, CachedPageMixin, View):
    """``/competitors/<id>/``: how to beat it (everyone who sees it) and its signals (marketing)."""

    allowed_roles = READERS
    shows_readings = True  # how often each battlecard was read

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        competitor = permissions.access_competitor(user=user, id=pk)
        insider = user.role != Role.SALES
        context: dict[str, Any] = {
            "competitor": competitor,
            "battlecards": list(competitor.battlecards.select_related("persona")),
            "assets": selectors.assets_naming(competitor, user=user),
            "can_change": permissions.can_change_competitor(user, competitor),
            "insider": insider,
            "stale": competitor.last_reviewed_at is None
            or competitor.last_reviewed_at < timezone.now() - timedelta(days=STALE_DAYS),
        }
        if insider:
            context["signals"] = selectors.competitor_signals(competitor)
            context["record"] = selectors.reviews_of_competitor(competitor)
            context["interactions"] = selectors.interactions_naming(competitor, user=user)
            context["recent_reviews"] = list(
                permissions.reviews_visible_to(user).filter(competitor=competitor).select_related("owner")[:5]
            )
        return render(request, "competitive/competitor_detail.html", context)


class CompetitorCreateView(RoleRequiredMixin, View):
    """``/competitors/new/?name=``: a PMM adds a competitor to one of their teams (a name reps typed
    arrives prefilled from the list's proposals)."""

    allowed_roles = WRITERS

    def _teams(self, request: AuthenticatedHttpRequest) -> Any:
        teams = permissions.writer_teams(request.user).order_by("name")
        if not teams.exists():
            raise PermissionDenied("You can add competitors only to a team you belong to.")
        return teams

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        teams = self._teams(request)
        initial = {
            "name": request.GET.get("name", "")[:120],
            "team": request.GET.get("team") or teams.first(),
        }
        return self._render(request, CompetitorForm(teams=teams, initial=initial))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        teams = self._teams(request)
        team = permissions.team_for_new(teams, request.POST.get("team"))
        form = CompetitorForm(request.POST, teams=teams)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "team"}
            try:
                competitor = services.competitor_create(actor=request.user, team=team, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Added {competitor.name}. Requests that name it now count here.")
                return HttpResponseRedirect(competitor.get_absolute_url())
        return self._render(request, form, status=400)

    def _render(
        self, request: AuthenticatedHttpRequest, form: CompetitorForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request, "competitive/competitor_form.html", {"form": form, "competitor": None}, status=status
        )


class CompetitorEditView(RoleRequiredMixin, View):
    """``/competitors/<id>/edit/``: the team's PMMs keep the profile right."""

    allowed_roles = WRITERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        competitor = permissions.access_competitor(user=request.user, id=pk, change=True)
        return self._render(request, competitor, CompetitorForm(instance=competitor))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        competitor = permissions.access_competitor(user=request.user, id=pk, change=True)
        form = CompetitorForm(request.POST, instance=Competitor.objects.get(pk=competitor.pk))
        if form.is_valid():
            try:
                services.competitor_update(
                    actor=request.user, competitor=competitor, reviewed=True, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Saved; the profile counts as reviewed today.")
                return HttpResponseRedirect(competitor.get_absolute_url())
        return self._render(request, competitor, form, status=400)

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        competitor: Competitor,
        form: CompetitorForm,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "competitive/competitor_form.html",
            {"form": form, "competitor": competitor},
            status=status,
        )


class CompetitorReviewedView(RoleRequiredMixin, View):
    """``POST /competitors/<id>/reviewed/``: the profile was checked and is still right."""

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        competitor = permissions.access_competitor(user=request.user, id=pk, change=True)
        services.competitor_mark_reviewed(actor=request.user, competitor=competitor)
        messages.success(request, "Marked as reviewed today.")
        return HttpResponseRedirect(competitor.get_absolute_url())


# --- Win/loss --------------------------------------------------------------------------------------


class WinLossView(RoleRequiredMixin, CachedPageMixin, View):
    """``/competitors/win-loss/``: win rate overall, by competitor and persona, top loss reasons per
    quarter, and the reviews behind them; every figure filters the list to its reviews."""

    allowed_roles = INSIDERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        page = filtered_page(
            request, ReviewFilter, selectors.review_list(user=user), default_sort="-decided_on"
        )
        figures = selectors.win_loss_figures(page["filter"].qs)
        base = request.GET.copy()
        base.pop("page", None)
        return render(
            request,
            "competitive/win_loss.html",
            {
                **page,
                "figures": figures,
                "list_url": reverse("competitive:win_loss"),
                "sorts": REVIEW_SORTS,
                "search_placeholder": "Account, quote or notes",
                "filtered_empty_title": "No review matches these filters",
                "filtered_empty_text": "Clear a filter to see more deals.",
                "can_create": permissions.writer_teams(user).exists(),
                "can_keep_reasons": permissions.reason_keeper_teams(user).exists(),
                "base_query": base.urlencode(),
            },
        )


class _ReviewFormMixin:
    def _form(self, data: Any, team: Team, initial: dict[str, Any] | None = None) -> ReviewForm:
        return ReviewForm(data, team=team, reasons=services.reasons_of(team), initial=initial or {})


class ReviewCreateView(RoleRequiredMixin, _ReviewFormMixin, View):
    """``/competitors/win-loss/new/?competitor=``: a PMM records a decided deal."""

    allowed_roles = WRITERS

    def _team(self, request: AuthenticatedHttpRequest, value: int | str | None) -> Team:
        return permissions.team_for_new(permissions.writer_teams(request.user), value)

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        competitor = None
        initial: dict[str, Any] = {"decided_on": timezone.localdate()}
        team_id: Any = request.GET.get("team")
        if request.GET.get("competitor"):
            competitor = permissions.access_competitor(user=request.user, id=request.GET["competitor"])
            team_id = competitor.team_id
        if request.GET.get("interaction"):  # "record the deal review" from a win/loss conversation
            conversation = access_interaction(user=request.user, id=request.GET["interaction"])
            team_id = conversation.team_id
            initial.update(
                interaction=conversation.pk, account=conversation.account, decided_on=conversation.occurred_on
            )
        team = self._team(request, team_id)
        form = self._form(None, team, {**initial, "competitor": competitor})
        return render(request, "competitive/review_form.html", {"form": form, "team": team, "review": None})

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        team = self._team(request, request.POST.get("team"))
        form = self._form(request.POST, team)
        if form.is_valid():
            try:
                review = services.review_create(actor=request.user, team=team, **form.arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Recorded the {review.get_outcome_display().lower()} deal with {review.account}.",
                )
                return HttpResponseRedirect(reverse("competitive:win_loss"))
        return render(
            request, "competitive/review_form.html", {"form": form, "team": team, "review": None}, status=400
        )


class ReviewDetailView(RoleRequiredMixin, View):
    """``/competitors/win-loss/<id>/``: one deal, its reasons and the buyer's words."""

    allowed_roles = INSIDERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        review = permissions.access_review(user=request.user, id=pk)
        return render(
            request,
            "competitive/review_detail.html",
            {
                "review": review,
                "reasons": list(review.reasons.all()),
                "personas": list(review.personas.all()),
                "can_change": permissions.writer_teams(request.user).filter(pk=review.team_id).exists(),
            },
        )


class ReviewEditView(RoleRequiredMixin, _ReviewFormMixin, View):
    """``/competitors/win-loss/<id>/edit/``: the team's PMMs correct a review."""

    allowed_roles = WRITERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        review = permissions.access_review(user=request.user, id=pk, change=True)
        form = self._form(None, review.team, ReviewForm.initial_for(review))
        return render(
            request, "competitive/review_form.html", {"form": form, "team": review.team, "review": review}
        )

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        review = permissions.access_review(user=request.user, id=pk, change=True)
        form = self._form(request.POST, review.team)
        if form.is_valid():
            try:
                services.review_update(actor=request.user, review=review, **form.arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Review saved; the figures count it as it is now.")
                return HttpResponseRedirect(review.get_absolute_url())
        return render(
            request,
            "competitive/review_form.html",
            {"form": form, "team": review.team, "review": review},
            status=400,
        )


class ReasonsView(RoleRequiredMixin, View):
    """``/competitors/win-loss/reasons/``: the team's list of reasons; its PMMs and CMO add, rename,
    retire and bring back reasons (retired ones stay on past reviews)."""

    allowed_roles = (Role.PMM, Role.CMO)

    def _teams(self, request: AuthenticatedHttpRequest) -> Any:
        teams = permissions.reason_keeper_teams(request.user).order_by("name")
        if not teams.exists():
            raise PermissionDenied("The team's product marketers and its CMO keep its reasons.")
        return teams

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        teams = self._teams(request)
        return self._render(request, teams, ReasonForm(teams=teams, initial={"team": teams.first()}))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        teams = self._teams(request)
        form = ReasonForm(request.POST, teams=teams)
        if form.is_valid():
            team = permissions.team_for_new(teams, request.POST.get("team"))
            services.reasons_of(team)  # the usual ones first, so a new one joins the list
            try:
                reason = services.reason_save(team=team, name=form.cleaned_data["name"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Added “{reason.name}” to the {team.name} team's reasons.")
                return HttpResponseRedirect(reverse("competitive:reasons"))
        return self._render(request, teams, form, status=400)

    def _render(
        self, request: AuthenticatedHttpRequest, teams: Any, form: ReasonForm, status: int = 200
    ) -> HttpResponse:
        lists = [(team, services.reasons_of(team)) for team in teams]
        return render(request, "competitive/reasons.html", {"form": form, "lists": lists}, status=status)


class ReasonUpdateView(RoleRequiredMixin, View):
    """``POST /competitors/win-loss/reasons/<id>/``: rename a reason, or retire it or bring it back."""

    allowed_roles = (Role.PMM, Role.CMO)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        reason = permissions.access_reason(user=request.user, id=pk)
        active = request.POST.get("active", "true" if reason.active else "false") == "true"
        try:
            services.reason_save(
                team=reason.team, reason=reason, name=request.POST.get("name", reason.name), active=active
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"“{reason.name}” {'is on the list' if active else 'retired; past reviews keep it'}."
            )
        return HttpResponseRedirect(reverse("competitive:reasons"))


# --- Battlecards -----------------------------------------------------------------------------------


class BattlecardView(RoleRequiredMixin, CachedPageMixin, View):
    """``/competitors/battlecards/<id>/``: the card a rep reads mid-deal; one screen, one printed page.

    Every view counts a reading (``before_keeping``), then the card is kept until it changes:
    reps see no count, so their page stays the same; marketing sees the count, so theirs is
    built again after each reading."""

    allowed_roles = READERS

    def before_keeping(self, request: AuthenticatedHttpRequest, pk: int) -> None:  # type: ignore[override]
        viewer = request.user
        cards = permissions.battlecards_visible_to(viewer)
        counted = services.battlecard_count_view(cards=cards, card_id=pk, viewer=viewer)
        if counted and not permissions.writes_competitors(viewer):
            # Counted, so seen; a reader who writes no team's cards needs nothing more (a rep's view).
            self.can_change = self.shows_readings = False
            return
        card = permissions.battlecard_to_read(user=viewer, id=pk)  # 404 when not seen
        self.can_change = self.shows_readings = permissions.writes_for_team(viewer, card.team_id)

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        card = permissions.access_battlecard(user=request.user, id=pk)  # read after the count
        return render(
            request,
            "competitive/battlecard.html",
            {
                "card": card,
                "competitor": card.competitor,
                "objections": list(card.objections.all()),
                "quotes": selectors.battlecard_quotes(card),
                "can_change": self.can_change,
                "stale": card.last_reviewed_at is None
                or card.last_reviewed_at < timezone.now() - timedelta(days=STALE_DAYS),
            },
        )


class _BattlecardFormView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        competitor: Competitor,
        form: BattlecardForm,
        objections: Any,
        card: Battlecard | None = None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "competitive/battlecard_form.html",
            {"competitor": competitor, "form": form, "objections": objections, "card": card},
            status=status,
        )


class BattlecardCreateView(_BattlecardFormView):
    """``/competitors/<id>/battlecards/new/``: the team's PMMs write a battlecard against a competitor."""

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        competitor = permissions.access_competitor(user=request.user, id=pk, change=True)
        initial = {"why_we_win": competitor.how_we_win, "landmines": competitor.landmines}
        return self._render(
            request,
            competitor,
            BattlecardForm(competitor=competitor, initial=initial),
            BattlecardObjectionFormSet(prefix="objections"),
        )

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        competitor = permissions.access_competitor(user=request.user, id=pk, change=True)
        form = BattlecardForm(request.POST, competitor=competitor)
        objections = BattlecardObjectionFormSet(request.POST, prefix="objections")
        if form.is_valid() and objections.is_valid():
            try:
                card = services.battlecard_create(
                    actor=request.user,
                    competitor=competitor,
                    objections=objection_rows(objections),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, "Battlecard published: sales can open it from the competitor's page."
                )
                return HttpResponseRedirect(card.get_absolute_url())
        return self._render(request, competitor, form, objections, status=400)


class BattlecardEditView(_BattlecardFormView):
    """``/competitors/battlecards/<id>/edit/``: saving counts as a review."""

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        card = permissions.access_battlecard(user=request.user, id=pk, change=True)
        form = BattlecardForm(
            competitor=card.competitor,
            initial={"persona": card.persona, **{f: getattr(card, f) for f in services.BATTLECARD_FIELDS}},
        )
        objections = BattlecardObjectionFormSet(
            prefix="objections",
            initial=[{"objection": o.objection, "answer": o.answer} for o in card.objections.all()],
        )
        return self._render(request, card.competitor, form, objections, card)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        card = permissions.access_battlecard(user=request.user, id=pk, change=True)
        form = BattlecardForm(request.POST, competitor=card.competitor)
        objections = BattlecardObjectionFormSet(request.POST, prefix="objections")
        if form.is_valid() and objections.is_valid():
            try:
                services.battlecard_update(
                    actor=request.user, card=card, objections=objection_rows(objections), **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Saved; the battlecard counts as reviewed today.")
                return HttpResponseRedirect(card.get_absolute_url())
        return self._render(request, card.competitor, form, objections, card, status=400)


class BattlecardReviewedView(RoleRequiredMixin, View):
    """``POST /competitors/battlecards/<id>/reviewed/``: still right as it is."""

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        card = permissions.access_battlecard(user=request.user, id=pk, change=True)
        services.battlecard_mark_reviewed(actor=request.user, card=card)
        messages.success(request, "Marked as reviewed today.")
        return HttpResponseRedirect(card.get_absolute_url())
