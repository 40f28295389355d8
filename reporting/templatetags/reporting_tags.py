"""Reporting sections of the home pages (loaded by the core home templates)."""

from typing import Any

from django import template

from reporting import permissions

register = template.Library()


@register.inclusion_tag("reporting/_home_cmo.html", takes_context=True)
def latest_reports(context: dict[str, Any], limit: int = 4) -> dict[str, Any]:
    """The newest monthly reports of the user's teams (one query)."""
    user = context["request"].user
    reports = permissions.visible_to(user).select_related("team").order_by("-month", "team__name")[:limit]
    return {"reports": list(reports)}
