"""The one door of timesheets: time entries are their author's alone.

- PMMs log their own time (pages and API); nobody reads another person's entries
  (leaders see aggregates on the dashboard and in reports).
- Hours go to one's own initiatives, and to requests of one's own teams.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from pmm_portal.core.models import Role, User
from pmm_portal.core.selectors import teams_of

from .models import TimeEntry

# Who may open the timesheet and the time-entry API at all.
WRITERS: tuple[str, ...] = (Role.PMM,)


def visible_to(user: User) -> QuerySet[TimeEntry]:
    """Time entries are private to their author (the CMO sees aggregates elsewhere)."""
    if not user.is_authenticated:
        return TimeEntry.objects.none()
    return TimeEntry.objects.filter(user=user)


def access_time_entry(*, user: User, id: int | str) -> TimeEntry:
    """The entry ``id`` if it is ``user``'s own: 404 for anyone else's or a malformed id."""
    try:
        return visible_to(user).get(pk=id)
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
