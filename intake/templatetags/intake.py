from django import template

from pmm_portal.core.models import Team

from .. import services

register = template.Library()


@register.simple_tag
def request_addresses() -> list[tuple[str, str]]:
    """Each team's request address, by team name (none, and no query, while intake is not set up)."""
    if not services.intake_domain():
        return []
    return [
        (team.name, services.team_address(team))
        for team in Team.objects.order_by("name").only("name", "slug")
    ]
