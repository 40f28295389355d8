"""The email intake's pages: the log of what the request addresses received."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.lists import filtered_page
from pmm_portal.core.permissions import RoleRequiredMixin

from . import permissions, services
from .filters import MESSAGE_SORTS, MessageFilter


class MessageListView(RoleRequiredMixin, View):
    """``/intake/``: every message the watched teams' request addresses received, and what became of it."""

    allowed_roles = permissions.LOG_READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        user = request.user
        messages = permissions.messages_visible_to(user).select_related("team", "user", "request")
        page = filtered_page(request, MessageFilter, messages, default_sort="-received_at")
        teams = list(permissions.teams_watched(user).order_by("name"))
        return render(
            request,
            "intake/message_list.html",
            {
                **page,
                "list_url": reverse("intake:index"),
                "sorts": MESSAGE_SORTS,
                "search_placeholder": "Sender or subject",
                "filtered_empty_title": "No message matches these filters",
                "filtered_empty_text": "Clear a filter to see every message.",
                "addresses": [(team, services.team_address(team)) for team in teams],
                "enabled": bool(services.intake_domain()),
            },
        )
