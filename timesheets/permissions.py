"""The one door of timesheets: a PMM's time entries are theirs to write.

- PMMs log their own time (pages and API) and read only their own entries.
- A team's time is also seen by its leader: the CMO reads (never changes) the entries of the
  teams they lead through the API, and sees the aggregates on the dashboard and in reports.
  Administrators read and change every entry (as its author would). Anyone else gets 404.
- Hours go to one's own initiatives, and to requests of one's own teams.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from pmm_portal.core.models import Role, User
from pmm_portal.core.selectors import teams_of

from .models import TimeEntry

# Who may open the timesheet and the time-entry API at all.
WRITERS: tuple[str, ...] = (Role.PMM,)


# Who may read entries through the API: their authors, and the leaders of their teams.
READERS: tuple[str, ...] = (Role.PMM, Role.CMO)


def visible_to(user: User) -> QuerySet[TimeEntry]:
    """The entries ``user`` reads: their own; a leader's, every entry of the members of the teams
    they lead; an administrator's, all."""
    if not user.is_authenticated:
        return TimeEntry.objects.none()
    if user.is_portal_admin:
        return TimeEntry.objects.all()
    if user.role == Role.CMO:
        led = User.objects.filter(teams__lead=user).values("pk")
        return TimeEntry.objects.filter(Q(user=user) | Q(user__in=led))
    return TimeEntry.objects.filter(user=user)


def access_time_entry(*, user: User, id: int | str, change: bool = False) -> TimeEntry:
    """The entry ``id`` if ``user`` may read it (``change``: change it, their own only, any for an
    administrator): 404 otherwise, or for a malformed id."""
    entries = TimeEntry.objects.filter(user=user) if change and not user.is_portal_admin else visible_to(user)
    try:
        return entries.get(pk=id)
    except (TimeEntry.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found or not yours to see.") from None


def initiatives_loggable_by(user: User) -> QuerySet[Any]:
    """The initiatives ``user`` may log hours on: their own."""
    initiative_model = TimeEntry._meta.get_field("initiative").related_model
    return initiative_model._default_manager.filter(owner=user)


def requests_loggable_by(user: User) -> QuerySet[Any]:
    """The requests ``user`` may log hours on: those of the teams they belong to or lead."""
    request_model = TimeEntry._meta.get_field("request").related_model
    return request_model._default_manager.filter(team__in=teams_of(user=user).values("pk"))


def can_log_time(user: User) -> bool:
    return user.has_role(*WRITERS)
