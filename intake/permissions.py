"""Who reads the email intake's log: administrators (every team) and a CMO (the teams they lead)."""

from django.db.models import QuerySet

from pmm_portal.core.models import Role, Team, User

from .models import InboundMessage

LOG_READERS = (Role.CMO, Role.ADMIN)


def teams_watched(user: User) -> QuerySet[Team]:
    if user.is_portal_admin:
        return Team.objects.all()
    return Team.objects.filter(lead=user)


def messages_visible_to(user: User) -> QuerySet[InboundMessage]:
    """The messages received at the addresses of the teams ``user`` watches (admins: every message)."""
    if user.is_portal_admin:
        return InboundMessage.objects.all()
    return InboundMessage.objects.filter(team__lead=user)
