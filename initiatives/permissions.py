"""The one door of the initiatives app: who sees and who changes plans, time, reviews and wins.

- A PMM changes their own initiatives, plan, time, reviews and wins.
- Team members (PMMs and PMs of the team) and the CMO who leads it read them.
- Sales sees nothing here; someone outside the team gets 404 on an object.
- Time entries are their author's alone.
"""

from datetime import date
from typing import Literal, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from pmm_portal.core.dates import today_in
from pmm_portal.core.models import Role, Team, User
from pmm_portal.core.permissions import MARKETING
from pmm_portal.core.selectors import teams_of

from .models import Initiative, MonthlyReview, TimeEntry, Win

Action = Literal["view", "change"]
M = TypeVar("M", bound=Model)
Owned = TypeVar("Owned", Initiative, MonthlyReview, Win)

# Who may open the app's pages and endpoints at all; objects are then scoped below.
READERS: tuple[str, ...] = MARKETING
WRITERS: tuple[str, ...] = (Role.PMM,)


def visible_teams(user: User) -> QuerySet[Team]:
    if not user.has_role(*READERS):
        return Team.objects.none()
    return teams_of(user=user)


def home_team(user: User) -> Team | None:
    """The team whose plan a PMM's new initiatives, reviews and wins belong to (the first they are on)."""
    return user.teams.order_by("name").first()


def today_for(user: User) -> date:
    """Today where ``user`` works: in their home team's time zone."""
    return today_in(home_team(user))


def _scoped(queryset: QuerySet[M], user: User) -> QuerySet[M]:
    if user.is_portal_admin:
        return queryset
    if not user.has_role(*READERS):
        return queryset.none()
    return queryset.filter(team__in=teams_of(user=user))


def visible_initiatives(user: User) -> QuerySet[Initiative]:
    return _scoped(Initiative.objects.all(), user)


def visible_reviews(user: User) -> QuerySet[MonthlyReview]:
    return _scoped(MonthlyReview.objects.all(), user)


def visible_wins(user: User) -> QuerySet[Win]:
    return _scoped(Win.objects.all(), user)


def visible_time_entries(user: User) -> QuerySet[TimeEntry]:
    """Time entries are private to their author (the CMO sees aggregates elsewhere)."""
    return TimeEntry.objects.filter(user=user)


def may_change(user: User, owner_id: int) -> bool:
    return user.is_portal_admin or (user.role == Role.PMM and user.pk == owner_id)


def _access(queryset: QuerySet[Owned], *, user: User, id: int, action: Action) -> Owned:
    try:
        obj = queryset.get(pk=id)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found or not yours to see.") from None
    if action == "change" and not may_change(user, obj.owner_id):
        raise PermissionDenied("Only its owner may change this.")
    return obj


def access_initiative(*, user: User, id: int, action: Action = "view") -> Initiative:
    """The initiative ``id`` if ``user`` may ``action`` it: 404 for outsiders, 403 for readers."""
    queryset = visible_initiatives(user).select_related("owner", "team")
    return _access(queryset, user=user, id=id, action=action)


def access_review(*, user: User, id: int, action: Action = "view") -> MonthlyReview:
    return _access(visible_reviews(user).select_related("owner", "team"), user=user, id=id, action=action)


def access_win(*, user: User, id: int, action: Action = "view") -> Win:
    return _access(visible_wins(user).select_related("owner", "team"), user=user, id=id, action=action)


def access_time_entry(*, user: User, id: int) -> TimeEntry:
    try:
        return visible_time_entries(user).get(pk=id)
    except (TimeEntry.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found or not yours to see.") from None
