"""Pages of integrations: endpoints (webhooks, Slack and Teams channels), the delivery log, and the
two endpoints Slack calls.

Each page view declares who may use it, looks its object up through ``permissions`` before it
reads the body, and calls one service. The Slack views check Slack's signature over the raw
body before anything else of the call is read: 401 without a valid one.
"""

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from pmm_portal.core.background import enqueue_on_commit
from pmm_portal.core.forms import add_service_errors
from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.lists import filtered_page
from pmm_portal.core.permissions import EVERYONE, RoleRequiredMixin

from . import permissions, selectors, services, slack
from .filters import ENDPOINT_SORTS, DeliveryFilter, EndpointFilter
from .forms import EndpointForm, PersonalChannelForm
from .models import Endpoint, EndpointKind
from .templatetags.personal_chat import personal_chat_context

MANAGERS = permissions.MANAGERS


class EndpointListView(RoleRequiredMixin, View):
    """``/integrations/``: the webhooks and channels the user manages, their state and failures."""

    allowed_roles = MANAGERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        page = filtered_page(
            request, EndpointFilter, selectors.endpoint_list(user=request.user), default_sort="name"
        )
        return render(
            request,
            "integrations/endpoint_list.html",
            {
                **page,
                "list_url": reverse("integrations:index"),
                "search_placeholder": "Name or URL",
                "sorts": ENDPOINT_SORTS,
                "can_create": permissions.may_manage(request.user),
                "kinds": EndpointKind.choices,
                "slack_ready": bool(settings.SLACK_SIGNING_SECRET),
            },
        )


class _EndpointFormView(RoleRequiredMixin, View):
    allowed_roles = MANAGERS

    def _form(
        self, request: AuthenticatedHttpRequest, kind: str, data: Any = None, initial: Any = None
    ) -> EndpointForm:
        return EndpointForm(
            data,
            kind=kind,
            teams=permissions.managed_teams(request.user),
            allow_all_teams=request.user.is_portal_admin,
            initial=initial,
        )

    def _render(
        self,
        request: HttpRequest,
        form: EndpointForm,
        kind: str,
        endpoint: Endpoint | None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "integrations/endpoint_form.html",
            {"form": form, "kind": kind, "kind_label": EndpointKind(kind).label, "endpoint": endpoint},
            status=status,
        )


class EndpointCreateView(_EndpointFormView):
    """``/integrations/new/?kind=webhook|slack|teams``: register a URL for chosen events."""

    def _kind(self, request: HttpRequest) -> str:
        kind = request.POST.get("kind") or request.GET.get("kind") or EndpointKind.WEBHOOK
        return kind if kind in EndpointKind.values else EndpointKind.WEBHOOK

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        kind = self._kind(request)
        team = permissions.managed_teams(request.user).order_by("name").first()
        initial = {"team": team if not request.user.is_portal_admin or kind != EndpointKind.WEBHOOK else None}
        return self._render(request, self._form(request, kind, initial=initial), kind, None)

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        kind = self._kind(request)
        form = self._form(request, kind, request.POST)
        if form.is_valid():
            try:
                endpoint = services.endpoint_create(actor=request.user, kind=kind, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"“{endpoint.name}” will hear the events you chose. Send it a test."
                )
                return HttpResponseRedirect(endpoint.get_absolute_url())
        return self._render(request, form, kind, None, status=400)


class EndpointEditView(_EndpointFormView):
    """``/integrations/<id>/edit/``: name, URL, events and team."""

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        endpoint = permissions.access_endpoint(user=request.user, id=pk)
        initial = {
            "name": endpoint.name,
            "url": endpoint.url,
            "events": endpoint.events,
            "team": endpoint.team,
        }
        return self._render(
            request, self._form(request, endpoint.kind, initial=initial), endpoint.kind, endpoint
        )

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        endpoint = permissions.access_endpoint(user=request.user, id=pk)
        form = self._form(request, endpoint.kind, request.POST)
        if form.is_valid():
            try:
                services.endpoint_update(actor=request.user, endpoint=endpoint, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Saved.")
                return HttpResponseRedirect(endpoint.get_absolute_url())
        return self._render(request, form, endpoint.kind, endpoint, status=400)


class EndpointDetailView(RoleRequiredMixin, View):
    """``/integrations/<id>/``: its settings, its signing secret and its latest deliveries."""

    allowed_roles = MANAGERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        endpoint = permissions.access_endpoint(user=request.user, id=pk)
        return render(
            request,
            "integrations/endpoint_detail.html",
            {
                "endpoint": endpoint,
                "deliveries": selectors.recent_deliveries(endpoint=endpoint),
                "log_url": f"{reverse('integrations:deliveries')}?endpoint={endpoint.pk}",
                "pause_after": services.PAUSE_AFTER,
                "max_attempts": services.MAX_ATTEMPTS,
            },
        )


class _EndpointActionView(RoleRequiredMixin, View):
    allowed_roles = MANAGERS

    def act(self, request: AuthenticatedHttpRequest, endpoint: Endpoint) -> str:
        raise NotImplementedError

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        endpoint = permissions.access_endpoint(user=request.user, id=pk)
        try:
            messages.success(request, self.act(request, endpoint))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(endpoint.get_absolute_url())


class EndpointPauseView(_EndpointActionView):
    """``POST /integrations/<id>/pause/``: stop sending; deliveries wait."""

    def act(self, request: AuthenticatedHttpRequest, endpoint: Endpoint) -> str:
        services.endpoint_pause(actor=request.user, endpoint=endpoint)
        return "Paused: new events are not recorded for it, and what was waiting waits."


class EndpointResumeView(_EndpointActionView):
    """``POST /integrations/<id>/resume/``: send again, waiting deliveries first."""

    def act(self, request: AuthenticatedHttpRequest, endpoint: Endpoint) -> str:
        waiting = services.endpoint_resume(actor=request.user, endpoint=endpoint)
        return f"Resumed; {waiting} waiting deliver{'y' if waiting == 1 else 'ies'} going out now."


class EndpointPingView(_EndpointActionView):
    """``POST /integrations/<id>/ping/``: a test event through the same machinery."""

    def act(self, request: AuthenticatedHttpRequest, endpoint: Endpoint) -> str:
        services.endpoint_ping(actor=request.user, endpoint=endpoint)
        return "Test sent: its result is in the deliveries below."


class EndpointRotateView(_EndpointActionView):
    """``POST /integrations/<id>/rotate-secret/``: a new signing secret."""

    def act(self, request: AuthenticatedHttpRequest, endpoint: Endpoint) -> str:
        services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
        return "New secret: update the receiver, deliveries are signed with it from now on."


class EndpointDeleteView(RoleRequiredMixin, View):
    """``POST /integrations/<id>/delete/``: remove it and its log."""

    allowed_roles = MANAGERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        endpoint = permissions.access_endpoint(user=request.user, id=pk)
        services.endpoint_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, f"Deleted “{endpoint.name}” and its delivery log.")
        return HttpResponseRedirect(reverse("integrations:index"))


# --- The delivery log -------------------------------------------------------------------------------


class DeliveryListView(RoleRequiredMixin, View):
    """``/integrations/deliveries/``: every delivery of the user's endpoints, filterable, with re-send."""

    allowed_roles = MANAGERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        page = filtered_page(request, DeliveryFilter, selectors.delivery_log(user=request.user))
        return render(
            request,
            "integrations/delivery_list.html",
            {
                **page,
                "list_url": reverse("integrations:deliveries"),
                "search_placeholder": "Event key, error or delivery id",
                "filtered_empty_title": "No delivery matches these filters",
            },
        )


class DeliveryDetailView(RoleRequiredMixin, View):
    """``/integrations/deliveries/<id>/``: the body sent and the receiver's answer."""

    allowed_roles = MANAGERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        delivery = permissions.access_delivery(user=request.user, id=pk)
        return render(
            request,
            "integrations/delivery_detail.html",
            {"delivery": delivery, "body": json.dumps(delivery.body, indent=2, ensure_ascii=False)},
        )


class DeliveryResendView(RoleRequiredMixin, View):
    """``POST /integrations/deliveries/<id>/resend/``: the same body again, as a new delivery."""

    allowed_roles = MANAGERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        delivery = permissions.access_delivery(user=request.user, id=pk)
        try:
            again = services.delivery_resend(actor=request.user, delivery=delivery)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(delivery.get_absolute_url())
        messages.success(request, "Sent again: the new delivery is at the top of the log.")
        return HttpResponseRedirect(again.get_absolute_url())


# --- Slack calls us ----------------------------------------------------------------------------------


def _verified_body(request: HttpRequest) -> bytes | None:
    """The raw body when Slack signed it, None otherwise; nothing of the call is parsed before."""
    body = request.body
    valid = slack.signature_valid(
        secret=settings.SLACK_SIGNING_SECRET,
        timestamp=request.headers.get("X-Slack-Request-Timestamp", ""),
        given=request.headers.get("X-Slack-Signature", ""),
        body=body,
    )
    return body if valid else None


def _unsigned() -> JsonResponse:
    return JsonResponse({"error": "invalid_signature"}, status=401)


@method_decorator(csrf_exempt, name="dispatch")
class SlackCommandView(View):
    """``POST /integrations/slack/commands/``: ``/pmm-request <what you need>`` from Slack."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        body = _verified_body(request)
        if body is None:
            return _unsigned()
        form = QueryDict(body)
        answer = services.slack_request_create(
            slack_user_id=form.get("user_id", ""), text=form.get("text", "")
        )
        return JsonResponse({"response_type": "ephemeral", "text": answer.text})


@method_decorator(csrf_exempt, name="dispatch")
class SlackActionView(View):
    """``POST /integrations/slack/actions/``: the "Send to PMM" message action (``callback_id`` send_to_pmm).

    Slack ignores this answer's body: the result goes to the action's ``response_url`` after commit.
    """

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        body = _verified_body(request)
        if body is None:
            return _unsigned()
        try:
            payload = json.loads(QueryDict(body).get("payload", ""))
        except ValueError:
            return JsonResponse({"error": "payload is not JSON"}, status=400)
        if not isinstance(payload, dict) or payload.get("type") != "message_action":
            return JsonResponse({"error": "unsupported payload type"}, status=400)
        user = payload.get("user") or {}
        message = payload.get("message") or {}
        if not isinstance(user, dict) or not isinstance(message, dict):
            return JsonResponse({"error": "malformed payload"}, status=400)
        answer = services.slack_message_to_request(
            slack_user_id=str(user.get("id", "")),
            message=str(message.get("text", "")),
            permalink=str(message.get("permalink", "")),
        )
        response_url = payload.get("response_url")
        if isinstance(response_url, str) and response_url:
            enqueue_on_commit("integrations.slack_respond", response_url, answer.text)
        return HttpResponse(status=200)


class PersonalChannelView(RoleRequiredMixin, View):
    """``/integrations/me/``: the signed-in person's own Slack or Teams address (always their own: there
    is no id to ask for another's). POST ``action``: save, test, resume or remove; then back to the
    notification preferences, where the same card shows. A refused save shows here with its errors."""

    allowed_roles = EVERYONE
    template_name = "integrations/personal.html"

    def page(self, request: AuthenticatedHttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        return render(
            request, self.template_name, personal_chat_context(request.user, form=form), status=status
        )

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return self.page(request)

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        action = request.POST.get("action", "save")
        back = HttpResponseRedirect(reverse("inbox:preferences") + "#chat")
        if action == "save":
            form = PersonalChannelForm(request.POST)
            if form.is_valid():
                try:
                    services.personal_channel_save(
                        user=user, kind=form.cleaned_data["kind"], url=form.cleaned_data["url"]
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, "Saved: choose “Slack or Teams” for the news you want there.")
                    return back
            messages.error(request, "Your Slack or Teams address was not saved: fix it and try again.")
            return self.page(request, form, status=400)
        try:
            if action == "test":
                services.personal_channel_test(user=user)
                messages.success(request, "Test sent: it should reach you within a minute.")
            elif action == "resume":
                services.personal_channel_resume(user=user)
                messages.success(request, "Resumed: waiting notices go out now.")
            elif action == "remove":
                switched = services.personal_channel_remove(user=user)
                note = " The news you had there goes by email again." if switched else ""
                messages.success(request, "Your Slack or Teams address was removed." + note)
            else:
                return HttpResponse("Unknown action.", status=400)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return back
