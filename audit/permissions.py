"""Who reads the audit log, and which teams' changes they see.

Administrators read every change; a CMO reads the changes of objects of the teams they lead
(``audit.sources`` says how each object's team is found) and the log's own reads by themselves.
Everyone else gets 403 on the page, the export and the API.
"""

from django.db.models import QuerySet

from pmm_portal.core.models import Role, Team, User

AUDIT_READERS: tuple[str, ...] = (Role.CMO,)  # and administrators, who have every role


def sees_everything(user: User) -> bool:
    return user.is_portal_admin


def scoped_teams(user: User) -> QuerySet[Team]:
    """The teams whose changes ``user`` reads: every team for administrators, else those they lead."""
    teams = Team.objects.all()
    return teams if sees_everything(user) else teams.filter(lead=user)
