"""Home-page sections of the requests app, so the core home view never imports this app.

Each tag runs a fixed number of queries whatever the data size.
"""

from typing import Any

from django import template

from pmm_portal.core.models import User
from requests_queue import selectors
from requests_queue.models import OPEN_STATUSES

register = template.Library()


@register.inclusion_tag("requests_queue/_home_sales_card.html", takes_context=True)
def sales_requests_card(context: dict[str, Any]) -> dict[str, Any]:
    """My open requests (at most five) and my latest notifications."""
    user: User = context["user"]
    return {
        "requests": list(selectors.my_requests(user=user).filter(status__in=OPEN_STATUSES)[:5]),
        "notifications": selectors.notifications_for(user=user, limit=5),
        "unread": selectors.unread_count(user=user),
        "request": context.get("request"),
    }


@register.inclusion_tag("requests_queue/_home_pmm_card.html", takes_context=True)
def pmm_queue_card(context: dict[str, Any]) -> dict[str, Any]:
    """New to triage, assigned to me, overdue, and my one-off budget gauge this month."""
    user: User = context["user"]
    # The home page already loads the user's teams (its "Your teams" card): reuse that list.
    teams = context.get("teams")
    return {
        "summary": selectors.queue_summary(user=user),
        "gauge": selectors.my_gauge(user=user, teams=teams),
    }


@register.inclusion_tag("requests_queue/_home_cmo_card.html", takes_context=True)
def cmo_queue_card(context: dict[str, Any]) -> dict[str, Any]:
    """Queue health over the teams the CMO leads."""
    user: User = context["user"]
    return {"health": selectors.team_health(user=user)}
