"""The one door of the initiatives app: who sees and who changes plans, time, reviews and wins.

- A PMM changes their own initiatives, plan, time, reviews and wins.
- Team members (PMMs and PMs of the team) and the CMO who leads it read them.
- Sales sees nothing here; someone outside the team gets 404 on an object.
- Time entries are their author's alone.
- A promoted win is read beyond its team: by the teams it was shared with, and by every sales
  rep when shared with sales (the wins feed). Only its owner promotes it.
- Learnings are the team's, like its plans: the owner writes, the team and its leader read.
"""

from typing import Any, Literal, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from personas.models import Persona
from pmm_portal.core.models import Product, Role, Team, User
from pmm_portal.core.permissions import MARKETING
from pmm_portal.core.selectors import teams_of

from .models import Initiative, Learning, MonthlyReview, Win

Action = Literal["view", "change"]
M = TypeVar("M", bound=Model)
Owned = TypeVar("Owned", Initiative, MonthlyReview, Win, Learning)

# Who may open the app's pages and endpoints at all; objects are then scoped below.
READERS: tuple[str, ...] = MARKETING
WRITERS: tuple[str, ...] = (Role.PMM,)


def visible_teams(user: User) -> QuerySet[Team]:
    if not user.has_role(*READERS):
        return Team.objects.none()
    return teams_of(user=user)


def _scoped(queryset: QuerySet[M], user: User) -> QuerySet[M]:
    if user.is_portal_admin:
        return queryset
    if not user.has_role(*READERS):
        return queryset.none()
    return queryset.filter(team__in=teams_of(user=user))


def visible_to(user: User) -> QuerySet[Initiative]:
    """The initiatives ``user`` may read: those of their teams."""
    return _scoped(Initiative.objects.all(), user)


def reviews_visible_to(user: User) -> QuerySet[MonthlyReview]:
    return _scoped(MonthlyReview.objects.all(), user)


def wins_visible_to(user: User) -> QuerySet[Win]:
    return _scoped(Win.objects.all(), user)


def learnings_visible_to(user: User) -> QuerySet[Learning]:
    return _scoped(Learning.objects.all(), user)


# The wins feed: every signed-in role reads the promoted wins meant for them.
FEED_READERS: tuple[str, ...] = (Role.SALES, *MARKETING)


def feed_visible_to(user: User) -> QuerySet[Win]:
    """Promoted wins ``user`` may read in the feed: their own teams' (for marketing), those shared
    with a team they belong to or lead, and, for a sales rep, those shared with sales."""
    promoted = Win.objects.filter(promoted_at__isnull=False)
    if user.is_portal_admin:
        return promoted
    teams = teams_of(user=user).values("pk")
    audience = Q(pk__in=Win.shared_with.through.objects.filter(team_id__in=teams).values("win_id"))
    if user.has_role(*READERS):
        audience |= Q(team__in=teams)
    if user.role == Role.SALES:
        audience |= Q(shared_with_sales=True)
    return promoted.filter(audience)


def teams_shareable_by(user: User) -> QuerySet[Team]:
    """Teams a PMM may promote a win to: any team of the company (a win is news worth spreading)."""
    return Team.objects.order_by("name")


def can_change_owned(user: User, owner_id: int) -> bool:
    """Whether ``user`` may change a plan item owned by ``owner_id``: its owner (a PMM), or an admin."""
    return user.is_portal_admin or (user.role == Role.PMM and user.pk == owner_id)


def can_create_initiative(user: User) -> bool:
    """PMMs plan their own initiatives (and record wins); checked before any body is read."""
    return user.is_portal_admin or user.role == Role.PMM


can_create_win = can_create_initiative
can_create_learning = can_create_initiative


# --- What may be linked to what: the form's choices and the API's, and the services check them. ---


def products_linkable_by(user: User) -> QuerySet[Product]:
    """Products an initiative of ``user``'s may name: those of their teams."""
    return Product.objects.filter(team__in=teams_of(user=user).values("pk")).order_by("name")


def personas_linkable_by(user: User) -> QuerySet[Persona]:
    """Personas an initiative of ``user``'s may name: those of their teams."""
    return Persona.objects.filter(team__in=teams_of(user=user).values("pk")).order_by("name")


def initiatives_linkable_by(user: User) -> QuerySet[Initiative]:
    """Initiatives a win of ``user``'s may come from: their own."""
    return Initiative.objects.filter(owner=user).order_by("-start_date", "title")


# A win cites the one-off request it came from: one ``user`` worked on. Requests live in an app
# beside this one, so they are reached through the win's foreign key, not imported.
WIN_REQUEST_STATUSES = ("in_progress", "delivered")


def requests_linkable_by(user: User) -> QuerySet[Any]:
    """Requests a win of ``user``'s may cite: those assigned to them, in progress or delivered."""
    request_model = Win._meta.get_field("request").related_model
    return request_model._default_manager.filter(assignee=user, status__in=WIN_REQUEST_STATUSES).order_by(
        "-created_at"
    )


def _access(queryset: QuerySet[Owned], *, user: User, id: int | str, action: Action) -> Owned:
    try:
        obj = queryset.get(pk=id)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found or not yours to see.") from None
    if action == "change" and not can_change_owned(user, obj.owner_id):
        raise PermissionDenied("Only its owner may change this.")
    return obj


def access_initiative(*, user: User, id: int | str, action: Action = "view") -> Initiative:
    """The initiative ``id`` if ``user`` may ``action`` it: 404 for outsiders, 403 for readers."""
    queryset = visible_to(user).select_related("owner", "team")
    return _access(queryset, user=user, id=id, action=action)


def access_review(*, user: User, id: int | str, action: Action = "view") -> MonthlyReview:
    return _access(reviews_visible_to(user).select_related("owner", "team"), user=user, id=id, action=action)


def access_win(*, user: User, id: int | str, action: Action = "view") -> Win:
    return _access(wins_visible_to(user).select_related("owner", "team"), user=user, id=id, action=action)


def access_learning(*, user: User, id: int | str, action: Action = "view") -> Learning:
    """The learning ``id`` if ``user`` may ``action`` it: 404 outside the team, 403 for its readers."""
    queryset = learnings_visible_to(user).select_related("owner", "team", "initiative")
    return _access(queryset, user=user, id=id, action=action)
