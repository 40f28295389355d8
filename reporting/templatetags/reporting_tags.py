"""Reporting sections of the home pages (loaded by the core home templates)."""

from typing import Any

from django import template

from reporting import permissions, selectors

register = template.Library()


@register.inclusion_tag("reporting/_home_cmo.html", takes_context=True)
def latest_reports(context: dict[str, Any], limit: int = 4) -> dict[str, Any]:
    """The month in focus at a glance, and the newest monthly reports of the user's teams.

    The month is the dashboard's default (``selectors.default_month``): last month
    while the team is still closing it, so the 2nd of a month never opens on an empty one.
    """
    user = context["request"].user
    teams = list(permissions.teams_visible_to(user))
    reports = permissions.visible_to(user).select_related("team").order_by("-month", "team__name")[:limit]
    focus: dict[str, Any] = {}
    if teams:
        month = selectors.default_month(teams=teams)
        focus = {"month": month, "figures": selectors.month_headline(teams=teams, month=month)}
    return {"reports": list(reports), "focus": focus}
