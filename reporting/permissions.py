"""The one door to reports and dashboards.

- A CMO reads the reports and dashboards of the teams they lead, regenerates them
  and writes the summary.
- A PMM reads their own team's, and may regenerate them (the summary is the leader's).
- Administrators do everything. Sales and PMs have no access (403 on pages).
- A report of a team the user is not on is not found (404).
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.permissions import PMM_AND_CMO
from pmm_portal.core.selectors import teams_of

from .models import MonthlyReport

READERS = PMM_AND_CMO
ReportAction = Literal["read", "regenerate", "edit_summary", "send"]


def teams_visible_to(user: User) -> QuerySet[Team]:
    if not user.has_role(*READERS):
        return Team.objects.none()
    return teams_of(user=user)


def visible_to(user: User) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(team__in=teams_visible_to(user))


def can_act_on_report(user: User, report: MonthlyReport, action: ReportAction) -> bool:
    if user.is_portal_admin:
        return True
    if action == "edit_summary":
        return user.role == Role.CMO and report.team.lead_id == user.pk
    return True  # reading, regenerating or sending it on: anyone who can see the report


def access_report(*, user: User, id: int | str, action: ReportAction = "read") -> MonthlyReport:
    """The report ``id`` if ``user`` may ``action`` it: 404 when unseen (or a malformed id), 403 when
    only readable."""
    if not str(id).isdigit():
        raise Http404("No such report.")
    report = visible_to(user).select_related("team", "team__lead", "summary_updated_by").filter(pk=id).first()
    if report is None:
        raise Http404("No such report.")
    if not can_act_on_report(user, report, action):
        raise PermissionDenied("Only the team's leader may do that.")
    return report


def access_team(*, user: User, slug: str) -> Team:
    team = teams_visible_to(user).filter(slug=slug).first()
    if team is None:
        raise Http404("No such team.")
    return team
