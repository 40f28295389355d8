"""Home-page sections of the personas app; each loads its data in a fixed number of queries."""

from typing import Any

from django import template

from personas import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def personas_home_pmm(context: Any) -> dict[str, Any]:
    """A PMM's open follow-ups and the stale personas they own (two queries)."""
    user = context["request"].user
    return {
        "follow_ups": selectors.open_follow_ups(user=user),
        "stale": selectors.stale_personas_owned_by(user=user),
    }


@register.simple_tag(takes_context=True)
def personas_home_pm(context: Any) -> dict[str, Any]:
    """User personas of the PM's products, stale ones first (one query)."""
    personas = selectors.user_personas_of_products(user=context["request"].user)
    return {"personas": personas, "stale_count": sum(1 for p in personas if p.is_stale)}


@register.simple_tag(takes_context=True)
def personas_home_cmo(context: Any) -> list[dict[str, Any]]:
    """Persona freshness of the teams on the page (one query; the teams list is the page's own)."""
    teams = list(context.get("teams") or [])
    freshness = selectors.persona_freshness(teams=teams)
    return [{"team": team, "freshness": freshness.get(team.pk)} for team in teams]
