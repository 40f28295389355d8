"""Persona and customer-interaction pages. Thin: parse, check the door, call a service, render."""

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from pmm_portal.core.forms import add_service_errors
from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.lists import filtered_page
from pmm_portal.core.models import Product, Role, Team
from pmm_portal.core.pages import CachedPageMixin
from pmm_portal.core.permissions import EVERYONE, PMM_AND_CMO, RoleRequiredMixin, user_has_role

from . import forms, permissions, selectors, services
from .filters import PERSONA_SORTS, InteractionFilter, PersonaFilter
from .models import KIND_FIELDS, Persona, PersonaKind, Positioning

WRITERS = (Role.PMM, Role.PM)
INTERACTION_READERS = (Role.PMM, Role.PM, Role.CMO)


def _id(raw: str | None) -> int | None:
    """``raw`` as an id, or ``None`` when it is missing or malformed (never a 500)."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() else None


def _chosen_team(teams: QuerySet[Team], raw: str | None) -> Team | None:
    """The team of ``teams`` whose id ``raw`` holds; ``None`` for a missing or malformed id."""
    pk = _id(raw)
    return teams.filter(pk=pk).first() if pk is not None else None


# --- Personas -----------------------------------------------------------------------------------


class PersonaOptionsView(RoleRequiredMixin, View):
    """``/personas/options/?q=``: the personas a picker offers as the user types (JSON)."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest) -> JsonResponse:
        return JsonResponse(
            {"results": selectors.persona_options(user=request.user, text=request.GET.get("q", ""))}
        )


class PersonaListView(RoleRequiredMixin, CachedPageMixin, View):
    """``/personas/``: every persona, searchable, filterable by kind, product, status, owner and freshness."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        page = filtered_page(request, PersonaFilter, selectors.persona_list(user=user), default_sort="name")
        return render(
            request,
            "personas/index.html",
            {
                **page,
                "list_url": reverse("personas:index"),
                "sorts": PERSONA_SORTS,
                "search_placeholder": "Name, goals, jobs…",
                "table_class": "persona-table",
                "filtered_empty_title": "No persona matches these filters",
                "filtered_empty_text": "Try another search word, or clear the filters to see every persona.",
                "creatable_kinds": [
                    (kind, PersonaKind(kind).label) for kind in permissions.creatable_persona_kinds(user)
                ],
                "can_see_interactions": user.has_role(*INTERACTION_READERS),
            },
        )


class PersonaCreateView(RoleRequiredMixin, View):
    """``/personas/new/?kind=buyer``: PMMs create buyer and sales-channel personas, PMs user personas."""

    allowed_roles = WRITERS

    def _setup(self, request: AuthenticatedHttpRequest) -> tuple[str, Any]:
        user = request.user
        kinds = permissions.creatable_persona_kinds(user)
        kind = request.GET.get("kind") or (kinds[0] if kinds else "")
        if kind not in PersonaKind.values:
            raise Http404("No such persona kind.")
        if kind not in kinds:
            raise PermissionDenied(
                "User personas are kept by product managers; buyer and sales-channel personas by PMMs."
            )
        teams = permissions.teams_for_new_persona(user)
        return kind, teams

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        kind, teams = self._setup(request)
        team = _chosen_team(teams, request.GET.get("team")) or teams.first()
        if team is None:
            return self._no_team(request)
        form = forms.PersonaForm.for_kind(kind)(kind=kind, team=team)
        return self._render(request, kind, team, teams, form, forms.ObjectionFormSet(prefix="objections"))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        kind, teams = self._setup(request)
        if request.POST.get("team"):
            # Another team's id answers like one that does not exist, as in the API.
            team = _chosen_team(teams, request.POST["team"])
            if team is None:
                raise PermissionDenied(permissions.PERSONA_CREATE_REFUSAL)
        else:
            team = teams.first()
            if team is None:
                return self._no_team(request)
        form = forms.PersonaForm.for_kind(kind)(request.POST, kind=kind, team=team)
        objections = forms.ObjectionFormSet(request.POST, prefix="objections")
        if form.is_valid() and (kind != PersonaKind.BUYER or objections.is_valid()):
            try:
                persona = services.persona_create(
                    actor=request.user,
                    team=team,
                    kind=kind,
                    products=list(form.cleaned_data["products"]),
                    sells_to=list(form.cleaned_data["sells_to"]) if "sells_to" in form.cleaned_data else None,
                    objections=forms.objection_values(objections) if kind == PersonaKind.BUYER else None,
                    **form.service_values(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"“{persona.name}” is saved as a draft. Add evidence, then validate it."
                )
                return redirect(persona)
        return self._render(request, kind, team, teams, form, objections, status=400)

    def _no_team(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        messages.error(
            request,
            "You are not on a team with products yet; ask your administrator to add you, then create personas.",
        )
        return redirect("personas:index")

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        kind: str,
        team: Any,
        teams: Any,
        form: Any,
        objections: Any,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "personas/persona_form.html",
            {
                "form": form,
                "objections": objections if kind == PersonaKind.BUYER else None,
                "kind": kind,
                "kind_label": PersonaKind(kind).label,
                "team": team,
                "teams": teams,
                "kinds": [
                    (k, PersonaKind(k).label) for k in permissions.creatable_persona_kinds(request.user)
                ],
                "title": f"New {PersonaKind(kind).label.lower()} persona",
            },
            status=status,
        )


class PersonaDetailView(RoleRequiredMixin, View):
    """``/personas/<id>/``: the one-page card sales reads in two minutes, with evidence and history."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        persona = permissions.access_persona(user=user, id=pk)
        card = selectors.persona_card(user=user, persona=persona)
        can_edit = permissions.can_edit_persona(user, persona)
        # Which positioning sides this user may edit, per product shown.
        positioning_by_product = {p.product_id: p for p in card["positionings"]}
        products = {p.pk: p for p in card["products"]} | {
            p.product_id: p.product for p in card["positionings"]
        }
        sides = permissions.positioning_sides_by_product(user, persona, list(products))
        rows = [
            {
                "product": product,
                "positioning": positioning_by_product.get(product.pk),
                "sides": sides[product.pk],
            }
            for product in sorted(products.values(), key=lambda p: p.name)
        ]
        history = (
            selectors.persona_history(persona=persona) if permissions.can_see_history(user, persona) else []
        )
        return render(
            request,
            "personas/persona_detail.html",
            {
                "persona": persona,
                "card": card,
                "fields": _profile(persona),
                "positioning_rows": rows,
                "can_edit": can_edit,
                "can_log": permissions.can_create_interaction(user, team=persona.team),
                "history": history,
                # The requests about it are loaded from the requests app, whose door lets product
                # marketing and the CMO in (sales see only their own requests, PMs none).
                "sees_requests": user_has_role(user, PMM_AND_CMO),
            },
        )


def _profile(persona: Persona) -> list[dict[str, str]]:
    """The kind's profile fields with their labels, for the card (empty ones are skipped)."""
    rows = []
    for name in KIND_FIELDS[persona.kind]:
        field = Persona._meta.get_field(name)
        value = (
            getattr(persona, f"get_{name}_display")()
            if getattr(field, "choices", None)
            else getattr(persona, name)
        )
        if value:
            label = str(getattr(field, "verbose_name", name))
            rows.append({"name": name, "label": label[:1].upper() + label[1:], "value": value})
    return rows


class PersonaEditView(RoleRequiredMixin, View):
    """``/personas/<id>/edit/``: owners' roles only (403 for readers)."""

    allowed_roles = WRITERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        persona = permissions.access_persona(user=request.user, id=pk, action="change")
        form = forms.PersonaForm.for_kind(persona.kind)(
            instance=persona, kind=persona.kind, team=persona.team
        )
        initial = [{"objection": o.objection, "response": o.response} for o in persona.objections.all()]
        objections = forms.ObjectionFormSet(prefix="objections", initial=initial)
        return self._render(request, persona, form, objections)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        persona = permissions.access_persona(user=request.user, id=pk, action="change")
        # The form fills its own copy; the service compares the persona with the new values.
        form = forms.PersonaForm.for_kind(persona.kind)(
            request.POST, instance=copy.copy(persona), kind=persona.kind, team=persona.team
        )
        objections = forms.ObjectionFormSet(request.POST, prefix="objections")
        is_buyer = persona.kind == PersonaKind.BUYER
        if form.is_valid() and (not is_buyer or objections.is_valid()):
            values = form.service_values()
            try:
                services.persona_update(
                    actor=request.user,
                    persona=persona,
                    products=list(form.cleaned_data["products"]),
                    sells_to=list(form.cleaned_data["sells_to"]) if "sells_to" in form.cleaned_data else None,
                    objections=forms.objection_values(objections) if is_buyer else None,
                    **values,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Changes saved; the persona's history keeps the previous values.")
                return redirect(persona)
        return self._render(request, persona, form, objections, status=400)

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        persona: Persona,
        form: Any,
        objections: Any,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "personas/persona_form.html",
            {
                "form": form,
                "objections": objections if persona.kind == PersonaKind.BUYER else None,
                "persona": persona,
                "kind": persona.kind,
                "kind_label": persona.get_kind_display(),
                "team": persona.team,
                "title": f"Edit {persona.name}",
            },
            status=status,
        )


class PersonaValidateView(RoleRequiredMixin, View):
    """POST ``/personas/<id>/validate/``: the owner confirms the persona (who and when are recorded)."""

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        persona = permissions.access_persona(user=request.user, id=pk, action="change")
        try:
            services.persona_validate(actor=request.user, persona=persona)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"“{persona.name}” is validated; it stays fresh for {persona.team.persona_stale_days} days.",
            )
        return redirect(persona)


class PersonaRetireView(RoleRequiredMixin, View):
    """POST ``/personas/<id>/retire/``: keep it for the record but stop flagging it stale."""

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        persona = permissions.access_persona(user=request.user, id=pk, action="change")
        services.persona_retire(actor=request.user, persona=persona)
        messages.success(request, f"“{persona.name}” is retired. Edit it to reopen it as a draft.")
        return redirect(persona)


class PositioningEditView(RoleRequiredMixin, View):
    """``/personas/<id>/positioning/<product>/<side>/``: the PM's or the PMM's side of a positioning."""

    allowed_roles = WRITERS

    def _setup(
        self, request: AuthenticatedHttpRequest, pk: int, product_id: int, side: str
    ) -> tuple[Persona, Product, Positioning]:
        if side not in ("pm", "pmm"):
            raise Http404("No such side.")
        persona = permissions.access_persona(user=request.user, id=pk)
        product = permissions.products_for_persona(persona.team).filter(pk=product_id).first()
        if product is None:
            raise Http404("No such product in this persona's team.")
        permissions.access_positioning_side(
            user=request.user, persona=persona, product_id=product.pk, side=side
        )
        positioning = Positioning.objects.filter(persona=persona, product=product).first()
        return persona, product, positioning or Positioning(persona=persona, product=product)

    def get(self, request: AuthenticatedHttpRequest, pk: int, product_id: int, side: str) -> HttpResponse:
        persona, product, positioning = self._setup(request, pk, product_id, side)
        form = forms.PositioningForm(instance=positioning, side=side)
        return self._render(request, persona, product, side, form)

    def post(self, request: AuthenticatedHttpRequest, pk: int, product_id: int, side: str) -> HttpResponse:
        persona, product, positioning = self._setup(request, pk, product_id, side)
        form = forms.PositioningForm(request.POST, instance=positioning, side=side)
        if form.is_valid():
            try:
                services.positioning_update(
                    actor=request.user, persona=persona, product=product, side=side, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Positioning of {product.name} for {persona.name} saved.")
                return redirect(f"{persona.get_absolute_url()}#positioning")
        return self._render(request, persona, product, side, form, status=400)

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        persona: Persona,
        product: Product,
        side: str,
        form: Any,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "personas/positioning_form.html",
            {"persona": persona, "product": product, "side": side, "form": form},
            status=status,
        )


# --- Customer interactions -------------------------------------------------------------------------


class InteractionListView(RoleRequiredMixin, View):
    """``/personas/interactions/``: the customer conversations of the user's teams."""

    allowed_roles = INTERACTION_READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        page = filtered_page(
            request, InteractionFilter, selectors.interaction_list(user=user), default_sort="-occurred_on"
        )
        return render(
            request,
            "personas/interaction_list.html",
            {
                **page,
                "list_url": reverse("personas:interactions"),
                "search_placeholder": "Account, notes, quotes…",
                "filtered_empty_title": "No interaction matches these filters",
                "filtered_empty_text": "Widen the dates or clear the filters.",
                "can_log": permissions.can_create_interaction(user),
            },
        )


class InteractionCreateView(RoleRequiredMixin, View):
    """``/personas/interactions/new/``: log a conversation, its quotes and follow-ups in one form."""

    allowed_roles = (Role.PMM,)

    def _forms(self, request: AuthenticatedHttpRequest, data: Any = None) -> tuple[Any, Any, Any]:
        user = request.user
        teams = permissions.teams_for_new_interaction(user)
        personas = permissions.personas_for_interaction(user=user, teams=teams)
        initial = {}
        if request.GET.get("persona"):
            initial["personas"] = personas.filter(pk=_id(request.GET["persona"]) or 0)
        form = forms.InteractionForm(data, teams=teams, personas=personas, initial=initial)
        quotes = forms.QuoteFormSet(data, prefix="quotes", personas=personas)  # type: ignore[call-arg]
        follow_ups = forms.FollowUpFormSet(data, prefix="follow_ups")
        return form, quotes, follow_ups

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        if not permissions.teams_for_new_interaction(request.user).exists():
            messages.error(
                request,
                "You are not on a team yet; ask your administrator to add you, then log interactions.",
            )
            return redirect("personas:interactions")
        return self._render(request, *self._forms(request))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form, quotes, follow_ups = self._forms(request, request.POST)
        if all([form.is_valid(), quotes.is_valid(), follow_ups.is_valid()]):
            data = form.cleaned_data
            try:
                interaction = services.interaction_create(
                    actor=request.user,
                    team=data["team"],
                    kind=data["kind"],
                    account=data["account"],
                    occurred_on=data["occurred_on"],
                    notes=data["notes"],
                    duration_minutes=data["duration_minutes"],
                    personas=list(data["personas"]),
                    quotes=forms.quote_values(quotes),
                    follow_ups=forms.follow_up_values(follow_ups),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Interaction with {interaction.account} logged.")
                return redirect(interaction)
        return self._render(request, form, quotes, follow_ups, status=400)

    def _render(
        self, request: AuthenticatedHttpRequest, form: Any, quotes: Any, follow_ups: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "personas/interaction_form.html",
            {"form": form, "quotes": quotes, "follow_ups": follow_ups, "title": "Log a customer interaction"},
            status=status,
        )


class InteractionDetailView(RoleRequiredMixin, View):
    """``/personas/interactions/<id>/``: notes, quotes and follow-ups; quotes are added in place."""

    allowed_roles = INTERACTION_READERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        interaction = permissions.access_interaction(user=user, id=pk)
        can_edit = permissions.can_edit_interaction(user, interaction)
        personas = permissions.personas_for_interaction(user=request.user, teams=[interaction.team])
        return render(
            request,
            "personas/interaction_detail.html",
            {
                "interaction": interaction,
                **selectors.interaction_detail(interaction=interaction),
                "can_edit": can_edit,
                "follow_up_readonly": not can_edit,
                "quote_form": forms.RequiredQuoteForm(personas=personas, prefix="quote")
                if can_edit
                else None,
                "follow_up_form": forms.FollowUpForm(prefix="follow_up") if can_edit else None,
            },
        )


class InteractionEditView(RoleRequiredMixin, View):
    """``/personas/interactions/<id>/edit/``: the PMM who logged it (403 for teammates)."""

    allowed_roles = (Role.PMM,)

    def _form(self, request: AuthenticatedHttpRequest, pk: int, data: Any = None) -> Any:
        interaction = permissions.access_interaction(user=request.user, id=pk, action="change")
        personas = permissions.personas_for_interaction(user=request.user, teams=[interaction.team])
        form = forms.InteractionForm(
            data,
            instance=copy.copy(interaction),
            teams=permissions.teams_for_new_interaction(request.user),
            personas=personas,
        )
        return interaction, form

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        interaction, form = self._form(request, pk)
        return render(
            request,
            "personas/interaction_form.html",
            {"form": form, "interaction": interaction, "title": "Edit interaction"},
        )

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        interaction, form = self._form(request, pk, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            personas = list(data.pop("personas"))
            try:
                services.interaction_update(
                    actor=request.user, interaction=interaction, personas=personas, **data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Interaction saved.")
                return redirect(interaction)
        return render(
            request,
            "personas/interaction_form.html",
            {"form": form, "interaction": interaction, "title": "Edit interaction"},
            status=400,
        )


class InteractionDeleteView(RoleRequiredMixin, View):
    allowed_roles = (Role.PMM,)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        interaction = permissions.access_interaction(user=request.user, id=pk, action="change")
        services.interaction_delete(actor=request.user, interaction=interaction)
        messages.success(request, "Interaction deleted, with its quotes and follow-ups.")
        return redirect("personas:interactions")


class QuoteAddView(RoleRequiredMixin, View):
    """POST ``/personas/interactions/<id>/quotes/``: HTMX adds the quote in place (full page otherwise)."""

    allowed_roles = (Role.PMM,)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        interaction = permissions.access_interaction(user=request.user, id=pk, action="change")
        personas = permissions.personas_for_interaction(user=request.user, teams=[interaction.team])
        form = forms.RequiredQuoteForm(request.POST, personas=personas, prefix="quote")
        quote = None
        if form.is_valid():
            try:
                quote = services.quote_add(actor=request.user, interaction=interaction, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
        if not request.htmx:  # type: ignore[attr-defined]
            if quote:
                messages.success(request, "Quote added.")
            else:
                messages.error(
                    request,
                    "The quote was not added: "
                    + " ".join(str(e) for errs in form.errors.values() for e in errs),
                )
            return redirect(interaction)
        if quote is not None:
            form = forms.RequiredQuoteForm(personas=personas, prefix="quote")
        return render(
            request,
            "personas/_quote_added.html",
            {"interaction": interaction, "quote_form": form, "new_quote": quote},
        )  # 200 even with errors: htmx swaps only successful answers, and the form shows what to fix


class FollowUpAddView(RoleRequiredMixin, View):
    allowed_roles = (Role.PMM,)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        interaction = permissions.access_interaction(user=request.user, id=pk, action="change")
        form = forms.FollowUpForm(request.POST, prefix="follow_up")
        if form.is_valid() and form.cleaned_data.get("description"):
            try:
                services.follow_up_add(actor=request.user, interaction=interaction, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, "Follow-up added; it shows on your home page until you tick it off."
                )
        else:
            messages.error(request, "Say what you promised and by when.")
        return redirect(interaction)


class FollowUpToggleView(RoleRequiredMixin, View):
    """POST ``/personas/follow-ups/<id>/toggle/``: tick a follow-up off (or reopen it) in place."""

    allowed_roles = (Role.PMM, Role.PM, Role.CMO)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
        follow_up = permissions.access_follow_up(user=request.user, id=pk)
        done = request.POST.get("done", "1") == "1"
        with transaction.atomic():
            services.follow_up_complete(actor=request.user, follow_up=follow_up, done=done)
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request,
                "personas/_follow_up.html",
                {"follow_up": follow_up, "compact": request.POST.get("compact") == "1"},
            )
        next_url = request.POST.get("next") or ""
        return redirect(next_url if _safe(next_url) else reverse("home"))


def _safe(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")  # type: ignore[union-attr]
