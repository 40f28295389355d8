"""Home-page sections of the initiatives app, so the core home view never imports this app."""

from datetime import date
from typing import Any

from django import template

from initiatives import selectors
from pmm_portal.core.dates import today_in
from pmm_portal.core.models import User
from pmm_portal.core.selectors import home_team

register = template.Library()


def _today(context: dict[str, Any]) -> date:
    """Today in the user's team's time zone.

    The home view already loads the user's teams for its teams card; iterating that
    queryset here fills its cache, so the card reuses it and no query is added.
    """
    teams = context.get("teams")
    team = next(iter(teams), None) if teams is not None else home_team(context["user"])
    return today_in(team)


@register.inclusion_tag("initiatives/_home_pmm_card.html", takes_context=True)
def pmm_plan_card(context: dict[str, Any]) -> dict[str, Any]:
    """This month's top 3 with status, hours this week vs planned, and the review prompt when due."""
    user: User = context["user"]
    return {"home": selectors.pmm_home(user=user, today=_today(context))}


@register.inclusion_tag("initiatives/_home_cmo_card.html", takes_context=True)
def cmo_plan_card(context: dict[str, Any]) -> dict[str, Any]:
    """How the team's top 3 stand this month."""
    user: User = context["user"]
    return {"home": selectors.cmo_home(user=user, today=_today(context))}


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, 0)
