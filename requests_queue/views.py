"""Request pages: the sales form, the requester's list, the PMM queue, triage and delivery, the library.

Views are thin: they parse a form, look the object up through ``permissions``,
call one service and render. A ``RequestError`` from a service becomes a form
error (or a message) on the same page.
"""

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django_ratelimit.core import is_ratelimited

from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.permissions import EVERYONE, PMM_AND_CMO, RoleRequiredMixin
from pmm_portal.core.selectors import product_choices, teams_of

from . import selectors, services
from .forms import (
    AssetForm,
    CancelForm,
    CommentForm,
    DecisionForm,
    DeliverForm,
    LogTimeForm,
    QueueFilterForm,
    RateForm,
    RequestForm,
    SelfServeForm,
    TriageForm,
)
from .models import AssetKind, Request, RequestStatus, RequestType
from .permissions import access_asset, access_request, can, can_edit_asset, can_publish_assets, visible_to

logger = logging.getLogger(__name__)

S = RequestStatus
PAGE_SIZE = 25
# Requests one person may submit through the form per hour (abuse protection).
REQUEST_FORM_RATE = getattr(settings, "REQUEST_FORM_RATE", "20/h")
REQUEST_ROLES: tuple[str, ...] = (Role.SALES, Role.PMM, Role.CMO)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _page(request: HttpRequest, items: QuerySet[Any]) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _apply_errors(form: Form, error: ValidationError) -> None:
    """Put a service's error on the form: on its field when the form has one, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def over_rate_limit(request: HttpRequest) -> bool:
    """Count this submission against the person's hourly limit; True when they are over it.

    The counter lives in the cache (Redis in production). When the cache is
    unreachable the form stays open: losing a request to an outage is worse
    than letting a few extra through.
    """
    try:
        return bool(
            is_ratelimited(
                request,
                group="requests_queue.new",
                key="user",
                rate=REQUEST_FORM_RATE,
                method="POST",
                increment=True,
            )
        )
    except Exception:
        logger.warning("Rate-limit counter unavailable; accepting the submission", exc_info=True)
        return False


def rate_limited(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "429.html",
        {"limit": REQUEST_FORM_RATE, "retry_url": request.path},
        status=429,
    )


# --- Sales: ask, follow ----------------------------------------------------------------------


class NewRequestView(RoleRequiredMixin, TemplateView):
    """``/requests/new/``: sales ask product marketing for help; the library is searched as they type."""

    allowed_roles = (Role.SALES,)
    template_name = "requests_queue/new.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial: dict[str, Any] = {"needed_by": timezone.localdate() + timedelta(days=5)}
        if request.GET.get("product"):
            initial["product"] = request.GET["product"]
        return self.render_to_response({"form": RequestForm(initial=initial), "suggestions": None})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if over_rate_limit(request):
            return rate_limited(request)
        form = RequestForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.request_submit(
                    requester=_user(request),
                    product=data["product"],
                    type=data["type"],
                    title=data["title"],
                    details=data["details"],
                    account=data["account"],
                    opportunity_value=data["opportunity_value"],
                    needed_by=data["needed_by"],
                    competitor=data["competitor"],
                    deal_stage=data["deal_stage"],
                    personas=data["personas"],
                    attachments=data["attachments"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Request #{created.pk} sent to the {created.team.name} team. "
                    "You will be told by email and here when it moves.",
                )
                return HttpResponseRedirect(reverse("requests_queue:mine"))
        suggestions = selectors.suggestions(user=_user(request), text=request.POST.get("title", ""))
        return self.render_to_response({"form": form, "suggestions": suggestions})


class SuggestionsView(RoleRequiredMixin, View):
    """HTMX: assets and past delivered requests matching the title being typed."""

    allowed_roles = (Role.SALES,)

    def get(self, request: HttpRequest) -> HttpResponse:
        product = request.GET.get("product", "")
        found = selectors.suggestions(
            user=_user(request),
            text=request.GET.get("title", ""),
            product_id=int(product) if product.isdigit() else None,
        )
        return render(request, "requests_queue/_suggestions.html", {"suggestions": found})


class SelfServeView(RoleRequiredMixin, View):
    """POST "this answers my question": the need is recorded as reused, without marketing work."""

    allowed_roles = (Role.SALES,)

    def post(self, request: HttpRequest) -> HttpResponse:
        if over_rate_limit(request):
            return rate_limited(request)
        form = SelfServeForm(request.POST)
        user = _user(request)
        if form.is_valid():
            data = form.cleaned_data
            asset = (
                selectors.assets_visible_to(user).filter(pk=data["asset"]).first() if data["asset"] else None
            )
            past = selectors.delivered_request(id=data["past_request"]) if data["past_request"] else None
            try:
                services.request_self_serve(
                    requester=user,
                    product=data["product"],
                    title=data["title"],
                    type=data.get("type") or RequestType.OTHER,
                    details=data.get("details", ""),
                    asset=asset,
                    answered_by_request=past,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                what = f"“{asset.title}”" if asset else "a past answer"
                messages.success(request, f"Glad {what} answers it. We noted the reuse: no need to wait.")
                return HttpResponseRedirect(reverse("requests_queue:mine"))
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        form_again = RequestForm(initial=request.POST.dict())
        return render(
            request,
            "requests_queue/new.html",
            {
                "form": form_again,
                "suggestions": selectors.suggestions(user=user, text=request.POST.get("title", "")),
            },
        )


class MyRequestsView(RoleRequiredMixin, TemplateView):
    """``/requests/mine/``: a salesperson follows their own requests and reads their notifications."""

    allowed_roles = (Role.SALES,)
    template_name = "requests_queue/mine.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = _user(self.request)
        status = self.request.GET.get("status", "")
        q = self.request.GET.get("q", "").strip()
        sort = self.request.GET.get("sort", "newest")
        page = _page(self.request, selectors.my_requests(user=user, status=status, q=q, sort=sort))
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "status": status,
            "q": q,
            "query": _query_without_page(self.request),
            "notifications": selectors.notifications_for(user=user),
            "unread": selectors.unread_count(user=user),
            "statuses": [("", "All"), ("open", "Open"), ("closed", "Closed")],
            "sort": sort,
            "sorts": [("newest", "Newest first"), ("oldest", "Oldest first"), ("needed_by", "Needed by")],
        }


class NotificationsReadView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE

    def post(self, request: HttpRequest) -> HttpResponse:
        services.notifications_mark_read(user=_user(request))
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse("")
        return HttpResponseRedirect(request.POST.get("next") or reverse("requests_queue:mine"))


# --- The queue ---------------------------------------------------------------------------------


class QueueView(RoleRequiredMixin, TemplateView):
    """``/requests/``: PMMs work their team's queue in priority order; the CMO watches it."""

    allowed_roles = PMM_AND_CMO
    template_name = "requests_queue/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = _user(self.request)
        form = QueueFilterForm(self.request.GET or None)
        form.fields["product"].queryset = (  # type: ignore[attr-defined]
            product_choices().filter(team__in=teams_of(user=user).values("pk"))
            if not user.is_portal_admin
            else product_choices()
        )
        filters = selectors.QueueFilters()
        if form.is_bound:
            form.is_valid()  # an invalid filter is shown as such; the valid ones still apply
            data = form.cleaned_data
            product = data.get("product")
            filters = selectors.QueueFilters(
                q=data.get("q", "").strip(),
                status=data.get("status") or "open",
                type=data.get("type", ""),
                product=product.pk if product else None,
                assignee=data.get("assignee", ""),
                due_before=data.get("due_before"),
                overdue=bool(data.get("overdue")),
                sort=data.get("sort") or "priority",
            )
        page = _page(self.request, selectors.queue(user=user, filters=filters))
        selectors.attach_sla(list(page.object_list))
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "filters": filters,
            "page": page,
            "query": _query_without_page(self.request),
            "summary": selectors.queue_summary(user=user),
            "pmms": selectors.assignable_pmms(user=user),
            "priority_help": services.PRIORITY_HELP,
            "filtered": bool(self.request.GET.dict().keys() - {"page"}),
        }


# --- One request ---------------------------------------------------------------------------------


def _detail_context(user: User, obj: Request, **forms: Form) -> dict[str, Any]:
    obj = selectors.request_detail(request=obj)
    selectors.attach_sla([obj])
    may = {action: can(user, obj, action) for action in ("triage", "claim", "work", "own")}
    context: dict[str, Any] = {
        "req": obj,
        "may": may,
        "advice": services.quadrant_advice(
            reusability=obj.reusability, educational_value=obj.educational_value
        ),
        "priority_help": services.PRIORITY_HELP,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "timeline": sorted(
            [("event", e.created_at, e) for e in obj.events.all()]
            + [("comment", c.created_at, c) for c in obj.comments.all()],
            key=lambda item: item[1],
        ),
    }
    if may["triage"] and obj.status in services.TRIAGEABLE:
        assignees = selectors.assignable_pmms(user=user, team_ids={obj.team_id})
        context["triage_form"] = forms.get("triage_form") or TriageForm(
            initial={
                "reusability": obj.reusability,
                "educational_value": obj.educational_value,
                "effort_hours": obj.effort_hours,
            }
        )
        if obj.status in services.DECIDABLE:
            context["decision_form"] = forms.get("decision_form") or DecisionForm(
                assignees=assignees,
                assets=selectors.assets_visible_to(user).filter(team_id=obj.team_id).order_by("title"),
                initial={"assignee": obj.assignee_id, "due_date": obj.due_date or obj.needed_by},
            )
        gauges = selectors.budget_gauges(
            team=obj.team, users=list(assignees), extra_hours=obj.effort_hours or Decimal(0)
        )
        context["gauges"] = gauges
        context["suggested"] = selectors.suggest_assignee(gauges)
        context["band"] = obj.team.one_off_band_label
    if (may["work"] and obj.assignee_id == user.pk) or (user.is_portal_admin and obj.assignee_id):
        if obj.status in (S.TRIAGED, S.IN_PROGRESS, S.DELIVERED):
            context["log_form"] = forms.get("log_form") or LogTimeForm()
        if obj.status in (S.TRIAGED, S.IN_PROGRESS):
            context["deliver_form"] = forms.get("deliver_form") or DeliverForm(
                initial={
                    "asset_title": obj.title,
                    "asset_kind": _kind_for(obj.type),
                    "asset_products": [obj.product_id],
                    "asset_personas": [p.pk for p in obj.personas.all()],
                }
            )
    if may["own"] and obj.status in (S.DELIVERED, S.REUSED):
        context["rate_form"] = forms.get("rate_form") or RateForm(initial={"rating": obj.rating})
    return context


def _kind_for(request_type: str) -> str:
    kinds: dict[str, str] = {
        RequestType.COMPETITIVE_INTEL: AssetKind.BATTLECARD,
        RequestType.EMAIL_TEMPLATE: AssetKind.EMAIL_TEMPLATE,
        RequestType.CALL_SCRIPT: AssetKind.CALL_SCRIPT,
        RequestType.SLIDES: AssetKind.DECK,
        RequestType.DATASHEET: AssetKind.DATASHEET,
        RequestType.PRICING: AssetKind.PRICING,
    }
    return kinds.get(request_type, AssetKind.OTHER)


class RequestDetailView(RoleRequiredMixin, View):
    """``/requests/<id>/``: the request, its conversation and, for PMMs, triage and delivery."""

    allowed_roles = REQUEST_ROLES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        obj = access_request(user=user, id=pk)
        return render(request, "requests_queue/detail.html", _detail_context(user, obj))


class RequestActionView(RoleRequiredMixin, View):
    """A POST that moves a request: look it up through the door, validate, call one service."""

    allowed_roles = REQUEST_ROLES
    action = "view"
    form_class: type[Form] | None = None
    form_name = ""
    success_message = ""

    def get_form(self, request: HttpRequest, obj: Request) -> Form | None:
        if self.form_class is None:
            return None
        return self.form_class(request.POST, request.FILES)

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        user = _user(request)
        obj = access_request(user=user, id=pk, action=self.action)
        form = self.get_form(request, obj)
        if form is None or form.is_valid():
            try:
                message = self.perform(user, obj, form.cleaned_data if form is not None else {})
            except ValidationError as error:
                if form is None:
                    messages.error(request, " ".join(error.messages))
                    return HttpResponseRedirect(obj.get_absolute_url())
                _apply_errors(form, error)
            else:
                messages.success(request, message or self.success_message)
                return HttpResponseRedirect(obj.get_absolute_url())
        messages.error(request, "Nothing was changed: fix the highlighted fields and try again.")
        context = _detail_context(user, obj, **{self.form_name: form} if form is not None else {})
        return render(request, "requests_queue/detail.html", context, status=400)


class TriageView(RequestActionView):
    action = "triage"
    form_class = TriageForm
    form_name = "triage_form"
    success_message = "Scores saved; the priority was recomputed."

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_triage(
            request=obj,
            actor=user,
            reusability=data["reusability"],
            educational_value=data["educational_value"],
            effort_hours=data["effort_hours"],
        )
        return None


class DecideView(RequestActionView):
    action = "triage"
    form_name = "decision_form"

    def get_form(self, request: HttpRequest, obj: Request) -> Form:
        user = _user(request)
        return DecisionForm(
            request.POST,
            assignees=selectors.assignable_pmms(user=user, team_ids={obj.team_id}),
            assets=selectors.assets_visible_to(user).filter(team_id=obj.team_id),
        )

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        decision = data["decision"]
        message = data.get("message", "")
        if decision == "accept":
            assignee = data["assignee"]
            services.request_accept(
                request=obj, actor=user, assignee=assignee, due_date=data["due_date"], message=message
            )
            (gauge,) = selectors.budget_gauges(
                team=obj.team, users=[assignee], extra_hours=obj.effort_hours or Decimal(0)
            )
            if gauge.would_exceed:
                messages.warning(
                    self.request,
                    f"{assignee.display_name} is now expected at {gauge.projected_pct} % one-off time this "
                    f"month, over the team's {gauge.band_max} % band. Consider timeboxing it.",
                )
            return f"Accepted and assigned to {assignee.display_name}."
        if decision == "reused":
            services.request_mark_reused(request=obj, actor=user, asset=data["asset"], message=message)
            return "Answered with an existing asset; its reuse count went up."
        if decision == "duplicate":
            original = visible_to(user).filter(pk=data["duplicate_of"]).first()
            if original is None:
                raise ValidationError(
                    {"duplicate_of": f"There is no request #{data['duplicate_of']} in your queue."}
                )
            services.request_mark_duplicate(request=obj, actor=user, original=original, message=message)
            return f"Marked as a duplicate of #{original.pk}; the requester now follows it."
        if decision == "snooze":
            services.request_snooze(request=obj, actor=user, until=data["snoozed_until"], message=message)
            return f"Snoozed until {data['snoozed_until']:%d %b %Y}."
        services.request_decline(request=obj, actor=user, alternative=data["decline_alternative"])
        return "Declined, with the alternative you offered."


class ClaimView(RequestActionView):
    action = "claim"

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_claim(request=obj, actor=user)
        return "It is yours: triage it if needed, then start."


class StartView(RequestActionView):
    action = "work"

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_start(request=obj, actor=user)
        return "Work started; the requester was told."


class LogTimeView(RequestActionView):
    action = "work"
    form_class = LogTimeForm
    form_name = "log_form"

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_log_time(
            request=obj, actor=user, week_start=data["week_start"], hours=data["hours"], note=data["note"]
        )
        return f"{data['hours']} h logged; they count as one-off time in your week."


class DeliverView(RequestActionView):
    action = "work"
    form_class = DeliverForm
    form_name = "deliver_form"

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        publish = None
        if data["publish"]:
            publish = services.AssetDraft(
                title=data["asset_title"] or obj.title,
                kind=data["asset_kind"] or _kind_for(obj.type),
                description=obj.details,
                review_by=data["review_by"],
                products=list(data["asset_products"]) or [obj.product],
                personas=list(data["asset_personas"]),
            )
        services.request_deliver(
            request=obj, actor=user, link=data["link"], file=data["file"], note=data["note"], publish=publish
        )
        return "Delivered" + (" and published to the asset library." if publish else ".")


class CommentView(RequestActionView):
    action = "comment"
    form_class = CommentForm
    form_name = "comment_form"
    success_message = "Message sent."

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_comment(request=obj, actor=user, body=data["body"])
        return None


class CancelView(RequestActionView):
    action = "own"
    form_class = CancelForm
    success_message = "Request cancelled. Product marketing was told."

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_cancel(request=obj, actor=user, reason=data.get("reason", ""))
        return None


class RateView(RequestActionView):
    action = "own"
    form_class = RateForm
    form_name = "rate_form"

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_rate(request=obj, actor=user, rating=data["rating"], comment=data["comment"])
        return "Thank you: your rating helps product marketing decide what to build next."


# --- The asset library -------------------------------------------------------------------------


class AssetLibraryView(RoleRequiredMixin, TemplateView):
    """``/requests/assets/``: every reusable asset, searchable and filterable, reuse counts and review flags."""

    allowed_roles = EVERYONE
    template_name = "requests_queue/assets.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = _user(self.request)
        get = self.request.GET
        product = get.get("product", "")
        filters = selectors.AssetFilters(
            q=get.get("q", "").strip(),
            kind=get.get("kind", "") if get.get("kind", "") in AssetKind.values else "",
            product=int(product) if product.isdigit() else None,
            review=get.get("review", "") if get.get("review") in ("due", "fresh") else "",
            sort=get.get("sort", "reuse") if get.get("sort") in selectors.ASSET_ORDERINGS else "reuse",
        )
        page = _page(self.request, selectors.asset_library(user=user, filters=filters))
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "filters": filters,
            "kinds": AssetKind.choices,
            "products": product_choices(),
            "query": _query_without_page(self.request),
            "today": timezone.localdate(),
            "may_publish": can_publish_assets(user),
            "filtered": bool(get.dict().keys() - {"page"}),
        }


class AssetDetailView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        asset = access_asset(user=user, id=pk)
        return render(
            request,
            "requests_queue/asset_detail.html",
            {
                "asset": asset,
                "may_edit": can_edit_asset(user, asset),
                "next_review": timezone.localdate() + timedelta(days=180),
            },
        )


class AssetReviewedView(RoleRequiredMixin, View):
    """POST: the asset is still right; the next review is in six months (or the given date)."""

    allowed_roles = PMM_AND_CMO

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        asset = access_asset(user=user, id=pk, action="edit")
        try:
            from django.utils.dateparse import parse_date

            review_by = parse_date(request.POST.get("review_by", "")) or (
                timezone.localdate() + timedelta(days=180)
            )
            services.asset_mark_reviewed(asset=asset, actor=user, review_by=review_by)
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"Reviewed; next review by {review_by:%d %b %Y}.")
        return HttpResponseRedirect(asset.get_absolute_url())


class AssetCreateView(RoleRequiredMixin, TemplateView):
    """``/requests/assets/new/``: a PMM publishes a reusable asset directly to the library."""

    allowed_roles = PMM_AND_CMO
    template_name = "requests_queue/asset_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": AssetForm()})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = _user(request)
        form = AssetForm(request.POST, request.FILES)
        team = teams_of(user=user).first()
        if team is None:
            form.add_error(None, "You are on no team yet: ask your marketing leader to add you to one.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                asset = services.asset_publish(
                    actor=user,
                    team_id=team.pk,
                    title=data["title"],
                    kind=data["kind"],
                    description=data["description"],
                    link=data["link"],
                    file=data["file"] or "",
                    review_by=data["review_by"],
                    products=list(data["products"]),
                    personas=list(data["personas"]),
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"“{asset.title}” is in the library.")
                return HttpResponseRedirect(asset.get_absolute_url())
        return self.render_to_response({"form": form}, status=400)


class SlaView(RoleRequiredMixin, TemplateView):
    """``/requests/sla/``: the marketing leader sets each request type's acknowledge and deliver targets."""

    allowed_roles = (Role.CMO,)
    template_name = "requests_queue/sla.html"

    def _teams(self) -> list[Team]:
        return list(selectors.sla_teams(user=_user(self.request)))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        errors: dict[int, dict[str, list[str]]] = kwargs.pop("errors", {})
        return {
            **super().get_context_data(**kwargs),
            "tables": [
                {"team": team, "rows": selectors.sla_table(team=team), "errors": errors.get(team.pk, {})}
                for team in self._teams()
            ],
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = _user(request)
        team_id = request.POST.get("team", "")
        team = selectors.sla_teams(user=user).filter(pk=int(team_id) if team_id.isdigit() else 0).first()
        if team is None:
            raise Http404("No such team among those you lead.")
        targets: dict[str, tuple[int, int]] = {}
        problems: dict[str, list[str]] = {}
        for value, _label in RequestType.choices:
            try:
                targets[value] = (
                    int(request.POST.get(f"{value}-acknowledge", "")),
                    int(request.POST.get(f"{value}-deliver", "")),
                )
            except ValueError:
                problems[value] = ["Enter whole numbers of business days."]
        if not problems:
            try:
                services.sla_targets_set(team=team, actor=user, targets=targets)
            except ValidationError as error:
                problems = error.message_dict
            else:
                messages.success(
                    request, f"Service levels of {team.name} saved; the queue's SLA clocks use them now."
                )
                return HttpResponseRedirect(reverse("requests_queue:sla"))
        messages.error(request, "Nothing was saved: fix the highlighted rows.")
        return self.render_to_response(self.get_context_data(errors={team.pk: problems}), status=400)
