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
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from personas.permissions import access_persona
from pmm_portal.core.files import private_file_response
from pmm_portal.core.forms import add_service_errors
from pmm_portal.core.http import AuthenticatedHttpRequest, safe_next
from pmm_portal.core.lists import filtered_page
from pmm_portal.core.models import Role, User
from pmm_portal.core.pages import CachedPageMixin
from pmm_portal.core.permissions import EVERYONE, PMM_AND_CMO, RoleRequiredMixin
from pmm_portal.core.selectors import teams_of

from . import selectors, services, workflow
from .filters import AssetFilter, InboxFilter, MyRequestFilter, QueueFilter
from .forms import (
    AssetEditForm,
    AssetForm,
    AssetRetireForm,
    AssetVersionForm,
    BulkForm,
    CancelForm,
    CommentForm,
    DeliverForm,
    DuplicateOfForm,
    LogTimeForm,
    MeTooForm,
    NotificationPreferencesForm,
    RateForm,
    RequestForm,
    SavedViewForm,
    SelfServeForm,
    TakeOnForm,
    TriageForm,
)
from .models import Asset, EventKind, NotifyTopic, Request, RequestStatus, RequestType
from .permissions import (
    access_asset,
    access_asset_version,
    access_attachment,
    access_request,
    access_request_to_follow,
    assets_linkable_by,
    assets_visible_to,
    can_act_on_request,
    can_create_asset,
    can_edit_asset,
    can_see_deal,
    can_see_followers,
)
from .workflow import RequestError

logger = logging.getLogger(__name__)

# Requests one person may submit through the form per hour (abuse protection).
REQUEST_FORM_RATE = getattr(settings, "REQUEST_FORM_RATE", "20/h")
REQUEST_ROLES: tuple[str, ...] = (Role.SALES, Role.PMM, Role.CMO)
RATE_LIMITED = "Too many requests in a short time: wait a little and try again."


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


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def rate_limited(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "429.html",
        {"limit": REQUEST_FORM_RATE, "retry_url": request.path},
        status=429,
    )


# --- Sales: ask, follow ----------------------------------------------------------------------


class NewRequestView(RoleRequiredMixin, CachedPageMixin, View):
    """``/requests/new/``: sales ask product marketing for help; the library is searched as they type."""

    allowed_roles = (Role.SALES,)
    template_name = "requests_queue/new.html"

    def get(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial: dict[str, Any] = {"needed_by": timezone.localdate() + timedelta(days=5)}
        if request.GET.get("product"):
            initial["product"] = request.GET["product"]
        # Prefilled from elsewhere (Slack's /pmm-request when it could not file the request itself).
        for name in ("title", "details"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        return render(
            request, self.template_name, {"form": RequestForm(initial=initial), "suggestions": None}
        )

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if over_rate_limit(request):
            return rate_limited(request)
        form = RequestForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.request_submit(
                    requester=request.user,
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
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Request #{created.pk} sent to the {created.team.name} team. "
                    "You will be told by email and here when it moves.",
                )
                return HttpResponseRedirect(reverse("requests_queue:mine"))
        suggestions = _suggestions_for(request.user, request.POST)
        return render(request, self.template_name, {"form": form, "suggestions": suggestions})


def _suggestions_for(user: User, data: Any) -> selectors.Suggestions:
    """The suggestions for what the request form holds: its title, boosted by product, type and competitor."""
    product = str(data.get("product", ""))
    return selectors.suggestions(
        user=user,
        text=str(data.get("title", "")),
        product_id=int(product) if product.isdigit() else None,
        type=str(data.get("type", "")),
        competitor=str(data.get("competitor", "")),
    )


class SuggestionsView(RoleRequiredMixin, CachedPageMixin, View):
    """HTMX: assets and past delivered requests matching the title being typed.

    Kept per person and question until the next write (``CachedPageMixin``): a title typed
    again, or a keystroke taken back, is answered without searching again."""

    allowed_roles = (Role.SALES,)

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return render(
            request,
            "requests_queue/_suggestions_response.html",
            {"suggestions": _suggestions_for(request.user, request.GET)},
        )


class SelfServeView(RoleRequiredMixin, View):
    """POST "this answers my question": the need is recorded as reused, without marketing work."""

    allowed_roles = (Role.SALES,)

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        if over_rate_limit(request):
            return rate_limited(request)
        form = SelfServeForm(request.POST)
        user = request.user
        if form.is_valid():
            data = form.cleaned_data
            asset = assets_visible_to(user).filter(pk=data["asset"]).first() if data["asset"] else None
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
            messages.error(request, " ".join(_form_problems(form)))
        return _request_form_again(request)


def _form_problems(form: Form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


def _request_form_again(request: AuthenticatedHttpRequest, status: int = 200) -> HttpResponse:
    """The request form as the rep left it, with its suggestions, after a button of the suggestions failed."""
    return render(
        request,
        "requests_queue/new.html",
        {
            "form": RequestForm(initial=request.POST.dict()),
            "suggestions": _suggestions_for(request.user, request.POST),
        },
        status=status,
    )


class MeTooView(RoleRequiredMixin, View):
    """POST ``/requests/<id>/me-too/``: a rep needs what an open request asks too, and follows it.

    Any open request of any team (``access_request_to_follow``): the rep saw its title in the
    suggestions. Their deal comes from the request form they were filling (``_me_too_button.html``).
    HTMX swaps the button for a confirmation, or for the button again with what to fix (200 either
    way: HTMX swaps only successful answers); a plain form post goes on to My requests.
    """

    allowed_roles = (Role.SALES,)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        obj = access_request_to_follow(user=user, id=pk)
        htmx = bool(request.htmx)  # type: ignore[attr-defined]
        if over_rate_limit(request):
            if htmx:
                return self.button(request, obj, [RATE_LIMITED])
            return rate_limited(request)
        form = MeTooForm(request.POST)
        if form.is_valid():
            try:
                _, created = services.request_me_too(request=obj, user=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if htmx:
                    return render(
                        request, "requests_queue/_me_too_done.html", {"req": obj, "created": created}
                    )
                messages.success(request, f"{self.done(obj, created)} Your deal counts in its priority.")
                return HttpResponseRedirect(reverse("requests_queue:mine"))
        if htmx:
            return self.button(request, obj, _form_problems(form))
        messages.error(request, "Nothing was changed: " + " ".join(_form_problems(form)))
        return _request_form_again(request, status=400)

    def button(self, request: AuthenticatedHttpRequest, obj: Request, errors: list[str]) -> HttpResponse:
        return render(request, "requests_queue/_me_too_button.html", {"request_id": obj.pk, "errors": errors})

    def done(self, obj: Request, created: bool) -> str:
        if not created:
            return f"You already follow #{obj.pk} “{obj.title}”: your deal is updated."
        return f"You follow #{obj.pk} “{obj.title}”: we'll tell you when it's delivered."


class MyRequestsView(RoleRequiredMixin, CachedPageMixin, View):
    """``/requests/mine/``: a salesperson follows their own requests and reads their notifications."""

    allowed_roles = (Role.SALES,)

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        listing = filtered_page(
            request, MyRequestFilter, selectors.my_requests(user=user), default_sort="newest"
        )
        for req in listing["object_list"]:
            req.actions = selectors.actions_available(user=user, request=req)
        return render(
            request,
            "requests_queue/mine.html",
            {
                **listing,
                "list_url": reverse("requests_queue:mine"),
                "table_class": "table-compact",
                "search_placeholder": "Search title, details, account",
                "filtered_empty_title": "None of your requests match",
                "filtered_empty_text": "Clear the search or pick another status.",
                "notifications": selectors.notifications_for(user=user),
                "unread": selectors.unread_count(user=user),
            },
        )


class NotificationsReadView(RoleRequiredMixin, View):
    """POST: mark one's notifications read: those of ``ids`` (a row's button), else all of them."""

    allowed_roles = EVERYONE

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
        services.notifications_mark_read(user=request.user, ids=ids or None)
        if request.htmx:  # type: ignore[attr-defined]
            if ids:  # the row, now read; the bell counts again
                note = selectors.notification_of(user=request.user, pk=ids[0])
                response = render(
                    request,
                    "requests_queue/_inbox_row.html",
                    {
                        "note": note,
                        "swap_count": True,
                        "unread_now": selectors.unread_count(user=request.user),
                    },
                )
            else:
                response = HttpResponse("")
            response["HX-Trigger"] = "notifications-changed"
            return response
        return HttpResponseRedirect(safe_next(request, reverse("inbox:index")))


class InboxView(RoleRequiredMixin, View):
    """``/inbox/``: everything one was notified of, unread first to hand; search, filters, pages."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        listing = filtered_page(request, InboxFilter, selectors.inbox(user=user), default_sort="newest")
        return render(
            request,
            "requests_queue/inbox.html",
            {
                **listing,
                "list_url": reverse("inbox:index"),
                "search_placeholder": "Search the notices or a request's title or #number",
                "filtered_empty_title": "No notification matches",
                "filtered_empty_text": "Clear the search, or show everything instead of only unread ones.",
                "unread": selectors.unread_count(user=user),
            },
        )


class NotificationPreferencesView(RoleRequiredMixin, View):
    """``/inbox/preferences/``: per topic, email at once, the daily digest, Slack or Teams, or the app only; the
    digest's hour and zone; a PMM's triage days, and who triages each day in their teams."""

    allowed_roles = EVERYONE
    template_name = "requests_queue/preferences.html"

    def form(self, user: User, data: Any = None) -> NotificationPreferencesForm:
        teams = list(user.teams.order_by("name")) if user.role == Role.PMM else []
        settings_ = services.digest_settings_of(user)
        days = services.triage_days_of(user)
        initial: dict[str, Any] = {
            "hour": settings_.hour,
            "time_zone": settings_.time_zone,
            **{f"topic_{topic}": channel for topic, channel in services.preferences_of(user).items()},
            **{f"triage_{team.pk}": sorted(days.get(team.pk, set())) for team in teams},
        }
        return NotificationPreferencesForm(data, teams=teams, initial=initial)

    def render_page(
        self, request: AuthenticatedHttpRequest, form: NotificationPreferencesForm, status: int = 200
    ) -> HttpResponse:
        user = request.user
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "topic_fields": [form[f"topic_{topic}"] for topic in NotifyTopic.values],
                "triage_fields": [form[f"triage_{team.pk}"] for team in form.teams],
                "rota": selectors.triage_rota(user=user),
            },
            status=status,
        )

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return self.render_page(request, self.form(request.user))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        form = self.form(user, request.POST)
        if form.is_valid():
            try:
                services.preferences_save(
                    user=user,
                    channels=form.channels(),
                    hour=form.cleaned_data["hour"],
                    time_zone=form.cleaned_data["time_zone"],
                    triage_days=form.triage_days(),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):  # the service names topics; the form's fields are topic_*
                    error = ValidationError(
                        {
                            f"topic_{k}" if k in NotifyTopic.values else k: v
                            for k, v in error.message_dict.items()
                        }
                    )
                add_service_errors(form, error)
            else:
                messages.success(request, "Saved: you will hear of each kind of news as you chose.")
                return HttpResponseRedirect(reverse("inbox:preferences"))
        messages.error(request, "Nothing was saved: fix the highlighted fields and try again.")
        return self.render_page(request, form, status=400)


@method_decorator(
    csrf_exempt, name="dispatch"
)  # mail clients' one-click POST (RFC 8058) carries no CSRF token
class UnsubscribeView(View):
    """``/inbox/unsubscribe/<token>/``: the link in every mail. Anyone holding it (it is signed for one
    person and topic) may stop that mail, signed in or not: GET asks, POST does it."""

    template_name = "requests_queue/unsubscribe.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            _, topic = services.unsubscribe_target(token)
        except ValidationError as error:
            return render(request, self.template_name, {"error": " ".join(error.messages)}, status=400)
        return render(request, self.template_name, {"topic_label": _topic_label(topic), "token": token})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            user, topics = services.unsubscribe(token)
        except ValidationError as error:
            return render(request, self.template_name, {"error": " ".join(error.messages)}, status=400)
        labels = [NotifyTopic(t).label.lower() for t in topics]
        return render(request, self.template_name, {"done": labels, "signed_in": request.user == user})


def _topic_label(topic: str) -> str:
    return "your daily digest" if topic not in NotifyTopic.values else NotifyTopic(topic).label.lower()


class InboxBellView(RoleRequiredMixin, View):
    """HTMX: the top bar's bell with the unread count (on load, every minute, after a change)."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return render(
            request, "requests_queue/_bell.html", {"unread": selectors.unread_count(user=request.user)}
        )


class NotificationOpenView(RoleRequiredMixin, View):
    """GET ``/inbox/<id>/``: open what a notification is about; it counts as read from then on."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        note = selectors.notification_of(user=request.user, pk=pk)
        services.notifications_mark_read(user=request.user, ids=[note.pk])
        anchor = "#conversation" if note.event.kind == EventKind.COMMENTED else ""
        return HttpResponseRedirect(note.request.get_absolute_url() + anchor)


# --- The queue ---------------------------------------------------------------------------------


class QueueView(RoleRequiredMixin, CachedPageMixin, View):
    """``/requests/``: PMMs work their team's queue in priority order; the CMO watches it."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        listing = filtered_page(request, QueueFilter, selectors.queue(user=user), default_sort="priority")
        selectors.attach_sla(list(listing["object_list"]))
        summary = selectors.queue_summary(user=user)
        return render(
            request,
            "requests_queue/index.html",
            {
                **listing,
                "list_url": reverse("requests_queue:index"),
                "table_class": "table-hover table-compact rq-queue",
                "search_placeholder": "Title, details, account, competitor",
                "filtered_empty_title": "No request matches these filters",
                "filtered_empty_text": "Widen the search or clear the filters to see the whole queue.",
                "summary": summary,
                # Each links to ``?sla=<state>``, which lists exactly the requests it counts.
                "sla_counters": [
                    (state, label, summary[state]) for state, label in services.SlaState.choices
                ],
                "current_sla": request.GET.get("sla", ""),
                "priority_help": services.PRIORITY_HELP,
                **queue_actions_context(),
                "save_view_form": SavedViewForm(
                    teams=teams_of(user=user), initial={"query": request.GET.urlencode()}
                ),
                "saved_view": selectors.saved_views_for(user=user).filter(pk=view_id).first()
                if (view_id := _int(request.GET.get("view")))
                else None,
                # Prefixed: the filter bar above has fields of the same names (and ids).
                "bulk_form": BulkForm(assignees=selectors.assignable_pmms(user=user), prefix="bulk"),
                # A bulk step just made can be taken back (drawn once, right after it: never kept).
                "bulk_undo": request.session.pop(BULK_UNDO_KEY, None),
            },
        )


def queue_row(
    request: AuthenticatedHttpRequest, pk: int, *, done: str = "", error: str = "", undo: str = ""
) -> HttpResponse:
    """One row of the queue, as the queue draws it, after a step taken on it (HTMX)."""
    row = selectors.queue(user=request.user).filter(pk=pk).first()
    if row is None:
        return HttpResponse("")
    selectors.attach_sla([row])
    return render(
        request,
        "requests_queue/_queue_row.html",
        {"req": row, "done": done, "error": error, "undo": undo, **queue_actions_context()},
    )


def queue_actions_context() -> dict[str, Any]:
    """What the steps of a queue row need besides the row (``_queue_actions.html``)."""
    return {
        "review_by_default": timezone.localdate() + timedelta(days=services.REVIEW_AFTER_DAYS),
        "reusable_score": services.REUSABLE_SCORE,
        "undo_seconds": services.UNDO_SECONDS,
    }


class BulkView(RoleRequiredMixin, View):
    """``POST /requests/bulk/``: one step for the requests ticked in the queue; back to the queue as
    it was filtered, told what was done and which requests were left unchanged, and why."""

    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        back = safe_next(request, reverse("requests_queue:index"))
        form = BulkForm(request.POST, assignees=selectors.assignable_pmms(user=user), prefix="bulk")
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(str(e) for e in errors))
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        try:
            outcomes = services.request_bulk(
                actor=user,
                ids=data["ids"],
                action=data["action"],
                assignee=data["assignee"],
                until=data["until"],
                alternative=data["alternative"],
                type=data["type"],
                product=data["product"],
            )
        except ValidationError as error:
            messages.error(request, "Nothing was changed: " + " ".join(error.messages))
            return HttpResponseRedirect(back)
        headline, left = services.bulk_summary(data["action"], outcomes, until=data["until"])
        (messages.success if any(o.done for o in outcomes) else messages.warning)(request, headline)
        for line in left:
            messages.warning(request, line)
        undos = [f"{o.request_id}:{o.undo}" for o in outcomes if o.done and o.undo]
        if undos:  # the queue drawn next offers to take the whole step back (``BulkUndoView``)
            request.session[BULK_UNDO_KEY] = {"count": len(undos), "undos": undos}
        return HttpResponseRedirect(back)


BULK_UNDO_KEY = "requests_queue.bulk_undo"


class BulkUndoView(RoleRequiredMixin, View):
    """``POST /requests/bulk/undo/``: take back a bulk step just made, request by request
    (``services.request_bulk_undo``); one someone acted on since stays as it is, and the PMM is told."""

    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        back = safe_next(request, reverse("requests_queue:index"))
        undos = []
        for value in request.POST.getlist("undo")[: services.MAX_BULK]:
            pk, _, token = value.partition(":")
            if pk.isdigit() and token:
                undos.append((int(pk), token))
        if not undos:
            messages.error(request, "Nothing to undo: the undo button was incomplete. Reload the queue.")
            return HttpResponseRedirect(back)
        undone, left = services.request_bulk_undo(actor=request.user, undos=undos)
        if undone:
            messages.success(
                request,
                f"Undone: {len(undone)} request{'' if len(undone) == 1 else 's'} as "
                f"{'it was' if len(undone) == 1 else 'they were'} "
                f"({', '.join(f'#{pk}' for pk in undone)}).",
            )
        for line in left:
            messages.warning(request, line)
        return HttpResponseRedirect(back)


class SavedViewCreateView(RoleRequiredMixin, View):
    """``POST /requests/views/``: save the queue's filters and sort under a name, then open it."""

    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        form = SavedViewForm(request.POST, teams=teams_of(user=user))
        back = reverse("requests_queue:index") + "?" + services.queue_query(request.POST.get("query", ""))
        if form.is_valid():
            data = form.cleaned_data
            try:
                view, new = services.saved_view_save(
                    owner=user, name=data["name"], query=data["query"], team=data["team"]
                )
            except ValidationError as error:
                messages.error(request, "The view was not saved: " + " ".join(error.messages))
            else:
                shared = f", shared with the {view.team.name} team" if view.team else ""
                messages.success(request, f"{'Saved' if new else 'Updated'} the view “{view.name}”{shared}.")
                return HttpResponseRedirect(view.get_absolute_url())
        else:
            messages.error(
                request,
                "The view was not saved: "
                + " ".join(str(e) for errors in form.errors.values() for e in errors),
            )
        return HttpResponseRedirect(back)


class SavedViewDeleteView(RoleRequiredMixin, View):
    """``POST /requests/views/<id>/delete/``: its owner deletes a saved view."""

    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        try:
            services.saved_view_delete(owner=request.user, view_id=pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "View deleted.")
        return HttpResponseRedirect(reverse("requests_queue:index"))


class SavedViewsNavView(RoleRequiredMixin, CachedPageMixin, View):
    """HTMX, in the sidebar under "Request queue": the saved views the person may open."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        views = list(selectors.saved_views_for(user=user)) if user.role in PMM_AND_CMO else []
        return render(request, "requests_queue/_saved_views_nav.html", {"saved_views": views})


# --- One request ---------------------------------------------------------------------------------


ASSET_OPTIONS = 8  # library assets the triage form lists at once for a reuse


def _triage_form(
    user: User,
    obj: Request,
    *,
    data: Any = None,
    initial: dict[str, Any] | None = None,
    in_queue: bool = False,
) -> TriageForm:
    """The one-step triage form of ``obj``, its choices from the same selectors as the API
    (``in_queue``: the compact one of a queue row, its ids the row's own)."""
    form = TriageForm(
        data,
        user=user,
        request=obj,
        assignees=selectors.assignee_choices(user=user, request=obj),
        assets=selectors.reuse_choices(user=user, request=obj),
        initial=initial,
        auto_id=f"rq-{obj.pk}-%s" if in_queue else "id_%s",
    )
    if in_queue:  # the page's live checks answer into its own panel, which a queue row has not
        for name in ("due_date", "asset_search"):
            attrs = form.fields[name].widget.attrs
            for key in [key for key in attrs if key.startswith("hx-")]:
                del attrs[key]
    return form


# The decisions a queue row takes in place (answering from the library needs its search: on the page).
QUEUE_DECISIONS = ("accept", "snooze", "duplicate", "decline", "ask_info")


def queue_decide_context(form: TriageForm, obj: Request) -> dict[str, Any]:
    """What a queue row's decide form (``_queue_decide.html``) shows: the decisions the request
    allows now, the one chosen, and whether it still needs its scores."""
    offered = [
        (move, services.DECISION_LABELS[move])
        for move in QUEUE_DECISIONS
        if workflow.allows(services.status_after_scoring(obj), move)
    ]
    chosen = form.chosen_decision()
    scores = ("reusability", "educational_value", "effort_hours")
    return {
        "decide_form": form,
        # Scored in the same step when a score or the effort estimate is missing (or was refused).
        "decide_scores": any(getattr(obj, name) is None for name in scores)
        or any(name in form.errors for name in scores),
        "decide_moves": offered,
        "decide_chosen": chosen if chosen in dict(offered) else (offered[0][0] if offered else ""),
    }


class QueueDecideView(RoleRequiredMixin, View):
    """``GET /requests/<id>/decide-in-queue/?move=accept``: the queue's decide dialog for a row
    (HTMX), the decision preselected (the ``a``, ``s`` and ``d`` keys); it posts to ``TriageView``,
    which redraws the row."""

    allowed_roles = (Role.PMM,)

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        obj = access_request(user=user, id=pk, action="triage")
        form = _triage_form(
            user,
            obj,
            initial=services.queue_decision_defaults(obj, user, request.GET.get("move", "")),
            in_queue=True,
        )
        return render(
            request, "requests_queue/_queue_decide.html", {"req": obj, **queue_decide_context(form, obj)}
        )


def _triage_context(form: TriageForm, obj: Request, actions: set[str]) -> dict[str, Any]:
    """What the triage panel shows besides the form: the decisions offered, the due-date warning, assets."""
    offered = [services.SCORE_ONLY, *(move for move in workflow.DECISIONS if move in actions)]
    due = form.chosen_due_date()
    search = str(form["asset_search"].value() or "")
    chosen_asset = form["asset"].value()
    return {
        "req": obj,
        "triage_form": form,
        "decisions": [(move, services.DECISION_LABELS[move]) for move in offered],
        "decision_fields": services.DECISION_FIELDS,
        "chosen_decision": form.chosen_decision(),
        "due_later": due is not None and due > obj.needed_by,
        "asset_options": selectors.asset_options(
            user=form.user,
            queryset=form.fields["asset"].queryset,  # type: ignore[attr-defined]
            text=search,
            chosen=str(chosen_asset) if chosen_asset else "",
            limit=ASSET_OPTIONS,
        ),
        "chosen_asset": str(chosen_asset or ""),
    }


def _detail_context(user: User, obj: Request, **forms: Form) -> dict[str, Any]:
    """The detail page: the request, and a form for each move ``selectors.actions_available`` allows."""
    obj = selectors.request_detail(request=obj)
    selectors.attach_sla([obj])
    actions = selectors.actions_available(user=user, request=obj)
    may = {action: can_act_on_request(user, obj, action) for action in ("triage", "claim", "work", "own")}
    follows = list(obj.follows.all())  # prefetched, with each rep
    context: dict[str, Any] = {
        "req": obj,
        "may": may,
        "actions": actions,
        # A rep who follows it sees neither the requester's name nor their deal.
        "deal_visible": can_see_deal(user, obj),
        "my_follow": next((f for f in follows if f.user_id == user.pk), None),
        # Product marketing sees every rep who needs it, and the totals that feed its priority.
        "follows": follows if can_see_followers(user) else [],
        "demand": services.demand_of(obj, follows) if can_see_followers(user) else None,
        "advice": services.quadrant_advice(
            reusability=obj.reusability, educational_value=obj.educational_value
        ),
        "priority_help": services.PRIORITY_HELP,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "timeline": selectors.request_timeline(request=obj),
        "question": selectors.open_question(request=obj),
    }
    if "triage" in actions:
        assignees = selectors.assignee_choices(user=user, request=obj)
        gauges = selectors.budget_gauges(
            team=obj.team, users=list(assignees), extra_hours=obj.effort_hours or Decimal(0)
        )
        suggested = services.suggest_assignee(gauges)
        form = forms.get("triage_form")
        if not isinstance(form, TriageForm):
            form = _triage_form(
                user,
                obj,
                initial={
                    "reusability": obj.reusability,
                    "educational_value": obj.educational_value,
                    "effort_hours": obj.effort_hours,
                    "decision": services.SCORE_ONLY,
                    # The PMM with the most headroom, as the gauges below suggest.
                    "assignee": obj.assignee_id or (suggested.user.pk if suggested else None),
                    "due_date": obj.due_date or obj.needed_by,
                    "due_date_reason": obj.due_date_reason,
                },
            )
        context.update(_triage_context(form, obj, actions))
        context["gauges"] = gauges
        context["suggested"] = suggested
        context["band"] = obj.team.one_off_band_label
    if "duplicate" in actions:
        context["likely_duplicates"] = selectors.likely_duplicates(user=user, request=obj)
    if "log_time" in actions:
        context["log_form"] = forms.get("log_form") or LogTimeForm()
    if "deliver" in actions:
        context["deliver_form"] = forms.get("deliver_form") or DeliverForm(
            initial={
                "asset_title": obj.title,
                "asset_kind": services.asset_kind_for(obj.type),
                "asset_products": [obj.product_id],
                "asset_personas": [p.pk for p in obj.personas.all()],
                # Work scored reusable is published unless the PMM says otherwise.
                "publish": (obj.reusability or 0) >= services.REUSABLE_SCORE,
            }
        )
    if "rate" in actions:
        context["rate_form"] = forms.get("rate_form") or RateForm(initial={"rating": obj.rating})
    return context


# Parts of the triage panel HTMX asks for again as the PMM fills it (``?part=``), with what is filled in.
TRIAGE_PARTS = {
    "due-date": "requests_queue/_due_date_reason.html",  # the reason, asked for when the due date is late
    "assets": "requests_queue/_asset_options.html",  # the library assets matching what is typed
}


class RequestDetailView(RoleRequiredMixin, View):
    """``/requests/<id>/``: the request, its conversation and, for PMMs, triage and delivery.

    ``?part=due-date`` and ``?part=assets`` answer one part of the triage panel for the values
    given (HTMX), to those who may triage it.
    """

    allowed_roles = REQUEST_ROLES

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        part = request.GET.get("part", "")
        if part in TRIAGE_PARTS:
            obj = access_request(user=user, id=pk, action="triage")
            form = _triage_form(user, obj, data=request.GET)
            return render(request, TRIAGE_PARTS[part], _triage_context(form, obj, set()))
        obj = access_request(user=user, id=pk)
        return render(request, "requests_queue/detail.html", _detail_context(user, obj))


class RequestActionView(RoleRequiredMixin, View):
    """A POST that moves a request: look it up through the door, validate, call one service."""

    allowed_roles = REQUEST_ROLES
    action = "view"  # a move of ``workflow.TRANSITIONS`` (or a permission action), checked by the door
    form_class: type[Form] | None = None
    form_name = ""
    success_message = ""
    undoable = False  # taken from a queue row, the step can be undone for a few seconds

    def get_form(self, request: AuthenticatedHttpRequest, obj: Request) -> Form | None:
        if self.form_class is None:
            return None
        return self.form_class(request.POST, request.FILES)

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        raise NotImplementedError

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
        user = request.user
        obj = access_request(user=user, id=pk, action=self.action)
        form = self.get_form(request, obj)
        # A step taken on a queue row answers with the row, redrawn, saying what it did or why not.
        in_queue = bool(request.htmx) and request.POST.get("in") == "queue"  # type: ignore[attr-defined]
        if form is None or form.is_valid():
            data = form.cleaned_data if form is not None else {}
            undo = ""
            try:
                if in_queue and self.undoable:
                    message, undo = services.undoable(obj, user, lambda: self.perform(user, obj, data))
                else:
                    message = self.perform(user, obj, data)
            except ValidationError as error:
                if in_queue:
                    return queue_row(request, obj.pk, error=" ".join(error.messages))
                if form is None:
                    messages.error(request, " ".join(error.messages))
                    return HttpResponseRedirect(obj.get_absolute_url())
                add_service_errors(form, error)
            else:
                if in_queue:
                    return queue_row(request, obj.pk, done=message or self.success_message, undo=undo)
                messages.success(request, message or self.success_message)
                return HttpResponseRedirect(obj.get_absolute_url())
        if in_queue and form is not None:
            return queue_row(
                request, obj.pk, error=" ".join(str(m) for ms in form.errors.values() for m in ms)
            )
        messages.error(request, "Nothing was changed: fix the highlighted fields and try again.")
        context = _detail_context(user, obj, **{self.form_name: form} if form is not None else {})
        return render(request, "requests_queue/detail.html", context, status=400)


class TriageView(RequestActionView):
    """``POST /requests/<id>/triage/``: the scores and the decision in one step (``request_triage_decide``).

    Nothing changes unless all of it is valid; a rejected submission renders the page
    again with everything entered and each problem next to its field, every problem at
    once: those the form found parsing and those the service finds in the rest.
    """

    action = "triage"  # the scores and every decision are moves of the table that need ``triage``
    form_name = "triage_form"

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
        user = request.user
        obj = access_request(user=user, id=pk, action=self.action)
        # Decided on a queue row: the row answers, redrawn, with an undo for a few seconds.
        in_queue = bool(request.htmx) and request.POST.get("in") == "queue"  # type: ignore[attr-defined]
        form = _triage_form(user, obj, data=request.POST, in_queue=in_queue)
        if form.is_valid():
            try:
                arguments = form.arguments()

                def decide() -> Request:
                    return services.request_triage_decide(request=obj, actor=user, **arguments)

                undo = ""
                if in_queue:
                    updated, undo = services.undoable(obj, user, decide)
                else:
                    updated = decide()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                done, warning = self.done(updated, arguments["decision"])
                if in_queue:
                    return queue_row(request, obj.pk, done=" ".join(filter(None, [done, warning])), undo=undo)
                messages.success(request, done)
                if warning:
                    messages.warning(request, warning)
                return HttpResponseRedirect(obj.get_absolute_url())
        else:
            # Say at once what the service would refuse in the rest, so one more try is enough.
            problems = services.triage_problems(obj, **form.arguments())
            add_service_errors(
                form, RequestError({f: m for f, m in problems.items() if f not in form.errors})
            )
        if in_queue:  # the decide dialog again, with what was entered and what to fix
            response = render(
                request,
                "requests_queue/_queue_decide.html",
                {
                    "req": obj,
                    "error": "Nothing was changed: fix what is marked below.",
                    **queue_decide_context(form, obj),
                },
            )
            response["HX-Retarget"] = "#rq-decide-body"
            response["HX-Reswap"] = "innerHTML"
            return response
        messages.error(request, "Nothing was changed: fix the highlighted fields and try again.")
        return render(
            request, "requests_queue/detail.html", _detail_context(user, obj, triage_form=form), status=400
        )

    def done(self, obj: Request, decision: services.Decision) -> tuple[str, str]:
        """What the PMM is told once the triage went through, and a warning to heed (or "")."""
        move = decision.move
        if move == "accept" and decision.assignee is not None:
            assignee = decision.assignee
            (gauge,) = selectors.budget_gauges(
                team=obj.team, users=[assignee], extra_hours=obj.effort_hours or Decimal(0)
            )
            warning = (
                f"{assignee.display_name} is now expected at {gauge.projected_pct} % one-off time this "
                f"month, over the team's {gauge.band_max} % band. Consider timeboxing it."
                if gauge.would_exceed
                else ""
            )
            return f"Accepted and assigned to {assignee.display_name}, due {obj.due_date:%d %b %Y}.", warning
        return self.done_message(obj, move), ""

    def done_message(self, obj: Request, move: str) -> str:
        """What the PMM is told once a decision other than accepting went through."""
        if move == "reuse":
            return "Answered with an existing asset; its reuse count went up."
        if move == "duplicate" and obj.duplicate_of_id is not None:
            return f"Marked as a duplicate of #{obj.duplicate_of_id}; the requester now follows it."
        if move == "snooze" and obj.snoozed_until is not None:
            return f"Snoozed until {obj.snoozed_until:%d %b %Y}; its SLA clock is paused until then."
        if move == "ask_info":
            return (
                f"Question sent to {obj.requester.display_name}; the request waits on them, "
                "its SLA clock paused, until they answer."
            )
        if move == "decline":
            return "Declined, with the alternative you offered."
        return "Scores saved; the priority was recomputed."


class DecideView(TriageView):
    """``POST /requests/<id>/decide/``: the old "Apply decision" form's address, now the one-step triage."""


class MarkDuplicateView(RequestActionView):
    """``POST /requests/<id>/duplicate/``: one click on a likely duplicate closes this one as its duplicate.

    The requester (and this request's followers, with their deals) then follow the original.
    """

    action = "duplicate"
    form_class = DuplicateOfForm
    form_name = "duplicate_form"

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        original = selectors.duplicate_original(user=user, request=obj, id=data["original"])
        services.request_mark_duplicate(request=obj, actor=user, original=original)
        return (
            f"Marked as a duplicate of #{original.pk} “{original.title}”; "
            f"{obj.requester.display_name} now follows it and their deal counts in its priority."
        )


class ClaimView(RequestActionView):
    action = "claim"

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_claim(request=obj, actor=user)
        return "It is yours: triage it if needed, then start."


class TakeOnView(RequestActionView):
    """Claim and start in one step (``services.request_take_on``), scoring it first if it has no scores."""

    action = "claim"
    form_class = TakeOnForm
    form_name = "take_on_form"
    undoable = True

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_take_on(
            request=obj,
            actor=user,
            reusability=data["reusability"],
            educational_value=data["educational_value"],
            effort_hours=data["effort_hours"],
        )
        return "Yours, started; the requester was told."


class DuplicateOptionsView(RoleRequiredMixin, View):
    """``/requests/<id>/duplicate-options/?q=``: the triage form's duplicate-of picker (JSON): requests
    of the same team matching the words or the number typed."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
        obj = access_request(user=request.user, id=pk, action="triage")
        return JsonResponse(
            {
                "results": selectors.duplicate_options(
                    user=request.user, request=obj, text=request.GET.get("q", "")
                )
            }
        )


class PersonaRequestsView(RoleRequiredMixin, View):
    """``/requests/about-persona/<id>/``: what reps keep asking about a persona, from the requests
    the user sees: by month over a year with the deals behind them, the trend, the open questions.

    The persona's page loads it (HTMX, which keeps ``#persona-requests``); without JavaScript its
    link opens it as a page. Product marketing and the CMO only: sales see only their own requests
    and not the deals of those they follow, and PMs see no requests (``permissions``), so a
    team-wide signal is not theirs (403). A persona the user may not see is a 404.
    """

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest, persona_pk: int) -> HttpResponse:
        persona = access_persona(user=request.user, id=persona_pk)
        return render(
            request,
            "requests_queue/about_persona.html",
            {"persona": persona, "signals": selectors.persona_signals(user=request.user, persona=persona)},
        )


class UndoView(RoleRequiredMixin, View):
    """``POST /requests/<id>/undo/``: take back the step just taken on a queue row (``services.request_undo``)."""

    allowed_roles = (Role.PMM,)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
        user = request.user
        obj = access_request(user=user, id=pk, action="claim")
        in_queue = bool(request.htmx) and request.POST.get("in") == "queue"  # type: ignore[attr-defined]
        try:
            services.request_undo(actor=user, token=request.POST.get("token", ""), request_id=obj.pk)
        except ValidationError as error:
            if in_queue:
                return queue_row(request, obj.pk, error=" ".join(error.messages))
            messages.error(request, " ".join(error.messages))
        else:
            if in_queue:
                return queue_row(request, obj.pk, done="Undone: as it was.")
            messages.success(request, "Undone: as it was.")
        return HttpResponseRedirect(obj.get_absolute_url())


class StartView(RequestActionView):
    action = "start"

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_start(request=obj, actor=user)
        return "Work started; the requester was told."


class LogTimeView(RequestActionView):
    action = "log_time"
    form_class = LogTimeForm
    form_name = "log_form"

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_log_time(
            request=obj, actor=user, week_start=data["week_start"], hours=data["hours"], note=data["note"]
        )
        return f"{data['hours']} h logged; they count as one-off time in your week."


class DeliverView(RequestActionView):
    action = "deliver"
    form_class = DeliverForm
    form_name = "deliver_form"
    undoable = True

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        publish = None
        if data["publish"]:
            publish = services.AssetDraft(
                title=data["asset_title"] or obj.title,
                kind=data["asset_kind"],
                # What the PMM wrote for sales: never the request's details (the requester's deal).
                description=data["asset_description"],
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
        answering = obj.status == RequestStatus.WAITING and obj.requester_id == user.pk
        services.request_comment(request=obj, actor=user, body=data["body"])
        return "Answer sent: the request is back in product marketing's queue." if answering else None


class CancelView(RequestActionView):
    action = "cancel"
    form_class = CancelForm
    success_message = "Request cancelled. Product marketing was told."

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_cancel(request=obj, actor=user, reason=data.get("reason", ""))
        return None


class RateView(RequestActionView):
    action = "rate"
    form_class = RateForm
    form_name = "rate_form"

    def perform(self, user: User, obj: Request, data: dict[str, Any]) -> str | None:
        services.request_rate(request=obj, actor=user, rating=data["rating"], comment=data["comment"])
        return "Thank you: your rating helps product marketing decide what to build next."


# --- The asset library -------------------------------------------------------------------------


# --- Files: only through the doors of ``permissions`` (the media folder is never served) ----------


class AttachmentDownloadView(RoleRequiredMixin, View):
    """A file sales attached to a request, for those who see the request and its deal; else 404."""

    allowed_roles = REQUEST_ROLES

    def get(self, request: AuthenticatedHttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
        attachment = access_attachment(user=request.user, request_id=pk, id=attachment_pk)
        return private_file_response(attachment.file, filename=attachment.original_name)


class DeliveryDownloadView(RoleRequiredMixin, View):
    """The file a PMM delivered, for everyone who sees the request (followers included); else 404."""

    allowed_roles = REQUEST_ROLES

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
        obj = access_request(user=request.user, id=pk)
        if not obj.delivery_file:
            raise Http404("This request has no delivered file.")
        return private_file_response(obj.delivery_file)


class AssetDownloadView(RoleRequiredMixin, View):
    """An asset's file (its current version's), for everyone who reads the library; counts a download."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
        asset = access_asset(user=request.user, id=pk)
        if not asset.file:
            raise Http404("This asset has no file.")
        services.asset_count_download(asset=asset, downloader=request.user)
        return private_file_response(asset.file)


class AssetVersionDownloadView(RoleRequiredMixin, View):
    """The file of one version of an asset (older ones included), for everyone who reads the library."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponseBase:
        version = access_asset_version(user=request.user, asset_id=pk, number=number)
        if not version.file:
            raise Http404("This version has no file.")
        services.asset_count_download(asset=version.asset, downloader=request.user)
        return private_file_response(version.file)


class AssetLibraryView(RoleRequiredMixin, CachedPageMixin, View):
    """``/requests/assets/``: every reusable asset, searchable and filterable, reuse counts and review flags."""

    allowed_roles = EVERYONE
    shows_readings = True  # views and downloads, shown and sorted by

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        listing = filtered_page(
            request, AssetFilter, selectors.asset_library(user=user), default_sort="reuse"
        )
        return render(
            request,
            "requests_queue/assets.html",
            {
                **listing,
                "list_url": reverse("requests_queue:assets"),
                "table_class": "table-compact",
                "search_placeholder": "Title or description",
                "filtered_empty_title": "No asset matches these filters",
                "filtered_empty_text": "Try other words or clear the filters. Not there? Ask product marketing: "
                "the answer may become the next asset.",
                "today": timezone.localdate(),
                "may_publish": can_create_asset(user),
            },
        )


def _asset_context(user: User, asset: Asset, **forms: Form) -> dict[str, Any]:
    """The asset page: the asset, its versions, and for those who change it the version and retire forms."""
    may_edit = can_edit_asset(user, asset)
    context: dict[str, Any] = {
        "asset": asset,
        "may_edit": may_edit,
        # ``permissions.can_see_internal_notes`` is the same rule as editing: not asked twice.
        "internal_notes_visible": may_edit,
        "versions": selectors.asset_versions(asset=asset),
        "next_review": timezone.localdate() + timedelta(days=180),
    }
    if may_edit:
        context["version_form"] = forms.get("version_form") or AssetVersionForm()
        if asset.retired_at is None:
            context["retire_form"] = forms.get("retire_form") or AssetRetireForm(
                asset=asset, replacements=assets_linkable_by(user).exclude(pk=asset.pk)
            )
    return context


class AssetDetailView(RoleRequiredMixin, View):
    """``/requests/assets/<id>/``: the asset, its current version and the older ones; counts a view."""

    allowed_roles = EVERYONE

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        asset = access_asset(user=user, id=pk)
        if services.asset_count_view(asset=asset, viewer=user):
            asset.view_count += 1  # as the row now says
        return render(request, "requests_queue/asset_detail.html", _asset_context(user, asset))


def _asset_changes(data: dict[str, Any]) -> services.AssetChanges:
    return services.AssetChanges(
        title=data["title"],
        kind=data["kind"],
        description=data["description"],
        internal_notes=data["internal_notes"],
        review_by=data["review_by"],
        products=list(data["products"]),
        personas=list(data["personas"]),
    )


class AssetEditView(RoleRequiredMixin, View):
    """``/requests/assets/<id>/edit/``: the owning team's marketers edit an asset's details."""

    allowed_roles = PMM_AND_CMO
    template_name = "requests_queue/asset_edit.html"

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        asset = access_asset(user=request.user, id=pk, action="edit")
        form = AssetEditForm(
            initial={
                "title": asset.title,
                "kind": asset.kind,
                "description": asset.description,
                "internal_notes": asset.internal_notes,
                "review_by": asset.review_by,
                "products": [p.pk for p in asset.products.all()],
                "personas": [p.pk for p in asset.personas.all()],
            }
        )
        return render(request, self.template_name, {"form": form, "asset": asset})

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        asset = access_asset(user=user, id=pk, action="edit")
        form = AssetEditForm(request.POST)
        if form.is_valid():
            try:
                services.asset_update(asset=asset, actor=user, changes=_asset_changes(form.cleaned_data))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Saved.")
                return HttpResponseRedirect(asset.get_absolute_url())
        return render(request, self.template_name, {"form": form, "asset": asset}, status=400)


class AssetVersionUploadView(RoleRequiredMixin, View):
    """POST ``/requests/assets/<id>/versions/``: a new version becomes the current one; older ones stay."""

    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        asset = access_asset(user=user, id=pk, action="edit")
        form = AssetVersionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.asset_upload_version(
                    asset=asset, actor=user, file=data["file"], link=data["link"], note=data["note"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"Version {version.number} is the current one; older ones are kept."
                )
                return HttpResponseRedirect(asset.get_absolute_url())
        return render(
            request,
            "requests_queue/asset_detail.html",
            _asset_context(user, asset, version_form=form),
            status=400,
        )


class AssetRetireView(RoleRequiredMixin, View):
    """POST ``/requests/assets/<id>/retire/``: no longer suggested; points to its replacement."""

    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        asset = access_asset(user=user, id=pk, action="edit")
        form = AssetRetireForm(
            request.POST, asset=asset, replacements=assets_linkable_by(user).exclude(pk=asset.pk)
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.asset_retire(
                    asset=asset, actor=user, replaced_by=data["replaced_by"], reason=data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Retired: it is no longer suggested to sales.")
                return HttpResponseRedirect(asset.get_absolute_url())
        return render(
            request,
            "requests_queue/asset_detail.html",
            _asset_context(user, asset, retire_form=form),
            status=400,
        )


class AssetUnretireView(RoleRequiredMixin, View):
    """POST ``/requests/assets/<id>/unretire/``: back in the library and the suggestions."""

    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        asset = access_asset(user=user, id=pk, action="edit")
        try:
            services.asset_unretire(asset=asset, actor=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Back in the library: it is suggested again.")
        return HttpResponseRedirect(asset.get_absolute_url())


class AssetProductOptionsView(RoleRequiredMixin, View):
    """``/requests/assets/product-options/?q=``: the asset forms' product picker (JSON)."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest) -> JsonResponse:
        return JsonResponse({"results": selectors.asset_product_options(text=request.GET.get("q", ""))})


class AssetReplacementOptionsView(RoleRequiredMixin, View):
    """``/requests/assets/<id>/replacement-options/?q=``: the retire form's replacement picker (JSON)."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
        user = request.user
        asset = access_asset(user=user, id=pk, action="edit")
        return JsonResponse(
            {"results": selectors.replacement_options(user=user, asset=asset, text=request.GET.get("q", ""))}
        )


class AssetReviewedView(RoleRequiredMixin, View):
    """POST: the asset is still right; the next review is in six months (or the given date)."""

    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        asset = access_asset(user=user, id=pk, action="edit")
        try:
            from django.utils.dateparse import parse_date

            review_by = parse_date(request.POST.get("review_by", ""))
            asset = services.asset_mark_reviewed(asset=asset, actor=user, review_by=review_by)
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"Reviewed; next review by {asset.review_by:%d %b %Y}.")
        return HttpResponseRedirect(asset.get_absolute_url())


class AssetCreateView(RoleRequiredMixin, View):
    """``/requests/assets/new/``: a PMM publishes a reusable asset directly to the library."""

    allowed_roles = PMM_AND_CMO
    template_name = "requests_queue/asset_form.html"

    def get(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, self.template_name, {"form": AssetForm()})

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        form = AssetForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                asset = services.asset_create(
                    actor=user,
                    title=data["title"],
                    kind=data["kind"],
                    description=data["description"],
                    internal_notes=data["internal_notes"],
                    link=data["link"],
                    file=data["file"] or "",
                    review_by=data["review_by"],
                    products=list(data["products"]),
                    personas=list(data["personas"]),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"“{asset.title}” is in the library.")
                return HttpResponseRedirect(asset.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)


class SlaView(RoleRequiredMixin, CachedPageMixin, View):
    """``/requests/sla/``: the marketing leader sets each request type's acknowledge and deliver targets."""

    allowed_roles = (Role.CMO,)

    def render_tables(
        self, request: AuthenticatedHttpRequest, errors: dict[int, dict[str, list[str]]], status: int = 200
    ) -> HttpResponse:
        teams = list(selectors.sla_teams(user=request.user))
        rows = selectors.sla_tables(teams=teams)
        tables = [{"team": team, "rows": rows[team.pk], "errors": errors.get(team.pk, {})} for team in teams]
        return render(request, "requests_queue/sla.html", {"tables": tables}, status=status)

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return self.render_tables(request, {})

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
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
        return self.render_tables(request, {team.pk: problems}, status=400)
