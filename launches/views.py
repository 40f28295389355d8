"""Pages of launches: the list, a launch's handoff checklists, items, templates and the fragments
other pages load (the team plan's readiness).

Each view declares who may use it, looks its object up through ``permissions`` before it reads
the body, and calls one service; the services' ``ValidationError`` shows next to the fields.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from pmm_portal.core.dates import today_in
from pmm_portal.core.forms import add_service_errors
from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.lists import filtered_page
from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.pages import CachedPageMixin
from pmm_portal.core.permissions import MARKETING, RoleRequiredMixin

from . import permissions, selectors, services
from .filters import LAUNCH_SORTS, LaunchFilter
from .forms import ItemForm, LaunchForm, TemplateForm, TemplateItemFormSet, template_rows
from .models import ItemStatus, Launch, LaunchTier

READERS = permissions.READERS
WRITERS = permissions.WRITERS


def _today(launch: Launch) -> Any:
    return today_in(launch.product.team)


# --- The list ---------------------------------------------------------------------------------------


class LaunchListView(RoleRequiredMixin, CachedPageMixin, View):
    """``/launches/``: the launches the user sees with their readiness; filters, search, sort, pages."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        page = filtered_page(
            request, LaunchFilter, selectors.launch_list(user=user), default_sort="launch_on"
        )
        return render(
            request,
            "launches/launch_list.html",
            {
                **page,
                "list_url": reverse("launches:index"),
                "sorts": LAUNCH_SORTS,
                "search_placeholder": "Launch, product or summary",
                "filtered_empty_title": "No launch matches these filters",
                "filtered_empty_text": "Clear a filter, or look at past launches too.",
                "can_create": permissions.writer_teams(user).exists(),
                "sales": not permissions.sees_everything(user),
                "reminders": selectors.my_reminders(user=user),
                "today": timezone.localdate(),
            },
        )


# --- One launch ------------------------------------------------------------------------------------


def _launch_context(user: User, launch: Launch) -> dict[str, Any]:
    today = _today(launch)
    return {
        "launch": launch,
        "today": today,
        **selectors.launch_page(user=user, launch=launch, today=today),
        "can_change": permissions.can_change(user, launch),
        "sales": not permissions.sees_everything(user),
        "statuses": ItemStatus.choices,
    }


class LaunchDetailView(RoleRequiredMixin, CachedPageMixin, View):
    """``/launches/<id>/``: the two checklists and the deliverables, late and blocked items first."""

    allowed_roles = READERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        launch = permissions.access_launch(user=request.user, id=pk)
        context = _launch_context(request.user, launch)
        context["owners"] = list(launch.owners.all())
        services.reminders_read(user=request.user, launch=launch)
        return render(request, "launches/launch_detail.html", context)


class _LaunchFormMixin:
    def _people(self, team_id: int) -> QuerySet[User]:
        return services.team_people(team_id)


class LaunchCreateView(RoleRequiredMixin, View):
    """``/launches/new/``: pick the product, date and tier; the template creates the checklist."""

    allowed_roles = WRITERS

    def _products(self, request: AuthenticatedHttpRequest) -> Any:
        products = permissions.writer_products(request.user).order_by("name")
        if not products.exists():
            raise PermissionDenied("You can start launches only for your team's products.")
        return products

    def _people(self, products: Any) -> QuerySet[User]:
        teams = {p.team_id for p in products}
        return User.objects.filter(pk__in=[u.pk for t in teams for u in services.team_people(t)]).order_by(
            "first_name", "last_name", "username"
        )

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        products = self._products(request)
        tier = request.GET.get("tier", "")
        initial = {
            "product": request.GET.get("product") or products.first(),
            "tier": int(tier) if tier in {"1", "2", "3"} else LaunchTier.STANDARD,
            "from_template": True,
        }
        form = LaunchForm(products=products, people=self._people(products), initial=initial)
        return render(request, "launches/launch_form.html", {"form": form, "launch": None})

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        products = self._products(request)
        form = LaunchForm(request.POST, products=products, people=self._people(products))
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                launch = services.launch_create(actor=request.user, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                count = launch.items.count()
                messages.success(
                    request,
                    f"Launch started with {count} item{'s' if count != 1 else ''}, due dates counted back.",
                )
                return HttpResponseRedirect(launch.get_absolute_url())
        return render(request, "launches/launch_form.html", {"form": form, "launch": None}, status=400)


class LaunchEditView(RoleRequiredMixin, _LaunchFormMixin, View):
    """``/launches/<id>/edit/``: a new date moves the due dates not set by hand."""

    allowed_roles = WRITERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        launch = permissions.access_launch(user=request.user, id=pk, change=True)
        form = LaunchForm(
            launch=launch, people=self._people(launch.product.team_id), initial=LaunchForm.initial_for(launch)
        )
        return render(request, "launches/launch_form.html", {"form": form, "launch": launch})

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        launch = permissions.access_launch(user=request.user, id=pk, change=True)
        form = LaunchForm(request.POST, launch=launch, people=self._people(launch.product.team_id))
        if form.is_valid():
            try:
                services.launch_update(actor=request.user, launch=launch, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, "Launch saved; due dates counted from the launch date moved with it."
                )
                return HttpResponseRedirect(launch.get_absolute_url())
        return render(request, "launches/launch_form.html", {"form": form, "launch": launch}, status=400)


class LaunchDeleteView(RoleRequiredMixin, View):
    """``POST /launches/<id>/delete/``: remove a launch and its checklist."""

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        launch = permissions.access_launch(user=request.user, id=pk, change=True)
        services.launch_delete(actor=request.user, launch=launch)
        messages.success(request, f"Deleted the launch “{launch.name}”.")
        return HttpResponseRedirect(reverse("launches:index"))


# --- Items -----------------------------------------------------------------------------------------


class _ItemFormView(RoleRequiredMixin, _LaunchFormMixin, View):
    allowed_roles = WRITERS

    def _form(self, launch: Launch, data: Any = None, initial: dict[str, Any] | None = None) -> ItemForm:
        return ItemForm(data, launch=launch, people=self._people(launch.product.team_id), initial=initial)

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        launch: Launch,
        form: ItemForm,
        item: Any = None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request, "launches/item_form.html", {"launch": launch, "form": form, "item": item}, status=status
        )


class ItemCreateView(_ItemFormView):
    """``/launches/<id>/items/new/``: add an item the template did not have."""

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        launch = permissions.access_launch(user=request.user, id=pk, change=True)
        return self._render(request, launch, self._form(launch, initial={"side": "team", "offset_days": 5}))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        launch = permissions.access_launch(user=request.user, id=pk, change=True)
        form = self._form(launch, request.POST)
        if form.is_valid():
            try:
                item = services.item_create(actor=request.user, launch=launch, **form.arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Added “{item.title}”, due {item.due_on:%b %-d}.")
                return HttpResponseRedirect(launch.get_absolute_url() + f"#item-{item.pk}")
        return self._render(request, launch, form, status=400)


class ItemEditView(_ItemFormView):
    """``/launches/items/<id>/``: an item's owner, due date, status, link and note."""

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        item = permissions.access_item(user=request.user, id=pk, change=True)
        return self._render(
            request, item.launch, self._form(item.launch, initial=ItemForm.initial_for(item)), item
        )

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        item = permissions.access_item(user=request.user, id=pk, change=True)
        form = self._form(item.launch, request.POST)
        if form.is_valid():
            try:
                services.item_update(actor=request.user, item=item, **form.arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Saved “{item.title}”.")
                return HttpResponseRedirect(item.launch.get_absolute_url() + f"#item-{item.pk}")
        return self._render(request, item.launch, form, item, status=400)


class ItemDeleteView(RoleRequiredMixin, View):
    """``POST /launches/items/<id>/delete/``: an item this launch does not need at all."""

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        item = permissions.access_item(user=request.user, id=pk, change=True)
        services.item_delete(actor=request.user, item=item)
        messages.success(request, f"Removed “{item.title}”.")
        return HttpResponseRedirect(item.launch.get_absolute_url())


class ItemStatusView(RoleRequiredMixin, View):
    """``POST /launches/items/<id>/status/``: the one-click status change (HTMX: the row and the
    launch's summary come back; without JavaScript, the page)."""

    allowed_roles = WRITERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        item = permissions.access_item(user=request.user, id=pk, change=True)
        error = ""
        try:
            services.item_set_status(
                actor=request.user,
                item=item,
                status=request.POST.get("status", ""),
                expected=request.POST.get("expected") or None,
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        if not request.htmx:  # type: ignore[attr-defined]
            if error:
                messages.error(request, error)
            else:
                messages.success(request, f"“{item.title}”: {ItemStatus(item.status).label.lower()}.")
            return HttpResponseRedirect(item.launch.get_absolute_url() + f"#item-{item.pk}")
        context = _launch_context(request.user, item.launch)
        row = next(i for i in context["items"] if i.pk == item.pk)
        context.update(item=row, error=error, oob=True)
        return render(request, "launches/_item_status_response.html", context, status=200)


# --- Pickers ---------------------------------------------------------------------------------------


class AssetOptionsView(RoleRequiredMixin, View):
    """``/launches/<id>/asset-options/?q=``: the item form's asset type-ahead (the team's library, JSON)."""

    allowed_roles = WRITERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
        launch = permissions.access_launch(user=request.user, id=pk, change=True)
        options = selectors.asset_options(team_id=launch.product.team_id, text=request.GET.get("q", ""))
        return JsonResponse({"results": options})


class InitiativeOptionsView(RoleRequiredMixin, View):
    """``/launches/<id>/initiative-options/?q=``: the item form's initiative type-ahead (JSON)."""

    allowed_roles = WRITERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
        launch = permissions.access_launch(user=request.user, id=pk, change=True)
        options = selectors.initiative_options(team_id=launch.product.team_id, text=request.GET.get("q", ""))
        return JsonResponse({"results": options})


# --- Templates -------------------------------------------------------------------------------------


class TemplateListView(RoleRequiredMixin, View):
    """``/launches/templates/``: each team's template per tier (seeded from the articles)."""

    allowed_roles = WRITERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        teams = list(permissions.writer_teams(request.user).order_by("name"))
        if not teams:
            raise PermissionDenied("Templates belong to teams; you are on none.")
        for team in teams:
            services.templates_of(team)
        templates = list(
            permissions.templates_visible_to(request.user).select_related("team").prefetch_related("items")
        )
        lists: list[tuple[Team, Any]] = [
            (team, [t for t in templates if t.team_id == team.pk]) for team in teams
        ]
        return render(request, "launches/template_list.html", {"lists": lists})


class TemplateEditView(RoleRequiredMixin, View):
    """``/launches/templates/<id>/``: rename a template, change its items and their timing."""

    allowed_roles = WRITERS

    def _render(
        self, request: AuthenticatedHttpRequest, template: Any, form: Any, items: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "launches/template_form.html",
            {"template": template, "form": form, "items": items},
            status=status,
        )

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        template = permissions.access_template(user=request.user, id=pk)
        rows = [
            {"title": i.title, "side": i.side, "for_sales": i.for_sales, "offset_days": i.offset_days}
            for i in template.items.all()
        ]
        return self._render(
            request,
            template,
            TemplateForm(initial={"name": template.name}),
            TemplateItemFormSet(prefix="items", initial=rows),
        )

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        template = permissions.access_template(user=request.user, id=pk)
        form = TemplateForm(request.POST)
        items = TemplateItemFormSet(request.POST, prefix="items")
        if form.is_valid() and items.is_valid():
            try:
                services.template_save(
                    actor=request.user,
                    team=template.team,
                    tier=template.tier,
                    name=form.cleaned_data["name"],
                    items=template_rows(items),
                    template=template,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Template saved: new launches of this tier start with these items.")
                return HttpResponseRedirect(reverse("launches:templates"))
        return self._render(request, template, form, items, status=400)


# --- Fragments other pages load -------------------------------------------------------------------


class TeamReadinessView(RoleRequiredMixin, View):
    """``/launches/team-readiness/``: the team plan's card (HTMX, on load): launches in the next six
    weeks of the user's teams, their readiness and what is late or blocked."""

    allowed_roles = MARKETING

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        teams = None if user.is_portal_admin else list(permissions.writer_teams(user))
        today = today_in(teams[0] if teams else None)
        data = selectors.upcoming(user=user, teams=teams, today=today)
        return render(
            request,
            "launches/_team_readiness.html",
            {**data, "can_create": user.role != Role.ADMIN and bool(teams)},
        )
