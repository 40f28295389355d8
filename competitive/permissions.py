"""The one door for who may see and change competitors, win/loss reviews and the team's reasons.

Competitors (what sales need to beat them)
    Sales read every competitor: they meet them in deals, whichever team keeps the
    record. Inside marketing, a competitor is seen by its team's insiders (members,
    leader, the product managers of its products) and administrators; another team's
    PMM, PM or CMO gets 404, as if it did not exist. The team's PMMs create and edit
    competitors and mark them reviewed; the CMO and PMs read.

Win/loss reviews (deal values and buyers' words: internal)
    Seen by the team's insiders and administrators; everyone else gets 404, sales
    included. The team's PMMs record and edit them.

Reasons (the team's win/loss taxonomy)
    Kept by the team's PMMs and its CMO.
"""

from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from personas.permissions import insider_teams
from pmm_portal.core.models import Role, Team, User

from .models import Battlecard, Competitor, LossReason, WinLossReview

READERS = (Role.SALES, Role.PMM, Role.PM, Role.CMO, Role.ADMIN)
INSIDERS = (Role.PMM, Role.PM, Role.CMO, Role.ADMIN)


def _pk(value: int | str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def writer_teams(user: User) -> QuerySet[Team]:
    """Teams whose competitors and reviews ``user`` writes: the teams a PMM belongs to (all, for admins)."""
    if user.is_portal_admin:
        return Team.objects.all()
    if user.role != Role.PMM:
        return Team.objects.none()
    return Team.objects.filter(members=user)


def reason_keeper_teams(user: User) -> QuerySet[Team]:
    """Teams whose list of reasons ``user`` keeps: a PMM's teams, the teams a CMO leads."""
    if user.is_portal_admin:
        return Team.objects.all()
    if user.role == Role.PMM:
        return Team.objects.filter(members=user)
    if user.role == Role.CMO:
        return Team.objects.filter(lead=user)
    return Team.objects.none()


def sees_every_competitor(user: User) -> bool:
    """Sales (who meet competitors in deals, whichever team keeps them) and administrators."""
    return bool(
        getattr(user, "is_authenticated", False) and (user.is_portal_admin or user.role == Role.SALES)
    )


def competitors_visible_to(user: User) -> QuerySet[Competitor]:
    if not getattr(user, "is_authenticated", False):
        return Competitor.objects.none()
    if sees_every_competitor(user):
        return Competitor.objects.all()
    return Competitor.objects.filter(team__in=insider_teams(user).values("pk"))


def can_change_competitor(user: User, competitor: Competitor) -> bool:
    return writes_for_team(user, competitor.team_id)


def writes_competitors(user: User) -> bool:
    """Whether ``user`` may write some team's competitors and reviews (PMMs and administrators);
    sales, PMs and CMOs only read. No query."""
    return bool(user.is_portal_admin or user.role == Role.PMM)


def writes_for_team(user: User, team_id: int) -> bool:
    """Whether ``user`` writes the competitors and reviews of the team ``team_id``."""
    if not writes_competitors(user):
        return False  # no query: sales, PMs and CMOs read
    return writer_teams(user).filter(pk=team_id).exists()


def access_competitor(*, user: User, id: int | str, change: bool = False) -> Competitor:
    """The competitor ``id`` if ``user`` sees it (404 otherwise) and, with ``change``, may edit it (403)."""
    pk = _pk(id)
    competitor = (
        competitors_visible_to(user).select_related("team", "owner").filter(pk=pk).first() if pk else None
    )
    if competitor is None:
        raise Http404("No such competitor.")
    if change and not can_change_competitor(user, competitor):
        raise PermissionDenied("Only the team's product marketers change its competitors.")
    return competitor


def reviews_visible_to(user: User) -> QuerySet[WinLossReview]:
    if not getattr(user, "is_authenticated", False) or user.role == Role.SALES:
        return WinLossReview.objects.none()
    if user.is_portal_admin:
        return WinLossReview.objects.all()
    return WinLossReview.objects.filter(team__in=insider_teams(user).values("pk"))


def access_review(*, user: User, id: int | str, change: bool = False) -> WinLossReview:
    """The review ``id`` if ``user`` sees it (404 otherwise) and, with ``change``, may edit it (403)."""
    pk = _pk(id)
    review = (
        reviews_visible_to(user)
        .select_related("team", "owner", "competitor", "interaction")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if review is None:
        raise Http404("No such win/loss review.")
    if change and not writer_teams(user).filter(pk=review.team_id).exists():
        raise PermissionDenied("Only the team's product marketers change its win/loss reviews.")
    return review


def reasons_visible_to(user: User) -> QuerySet[LossReason]:
    if not getattr(user, "is_authenticated", False) or user.role == Role.SALES:
        return LossReason.objects.none()
    if user.is_portal_admin:
        return LossReason.objects.all()
    return LossReason.objects.filter(team__in=insider_teams(user).values("pk"))


def access_reason(*, user: User, id: int | str) -> LossReason:
    """A reason of a team whose list ``user`` keeps (404 if unseen, 403 if only readable)."""
    pk = _pk(id)
    reason = reasons_visible_to(user).select_related("team").filter(pk=pk).first() if pk else None
    if reason is None:
        raise Http404("No such reason.")
    if not reason_keeper_teams(user).filter(pk=reason.team_id).exists():
        raise PermissionDenied("The team's product marketers and its CMO keep its reasons.")
    return reason


def team_for_new(teams: QuerySet[Team], value: int | str | None) -> Team:
    """The team a new record goes to: the one named (if allowed; an unknown or forbidden one is the
    same 403) or, when none is named, the first allowed."""
    if value in (None, ""):
        team = teams.order_by("name").first()
    else:
        pk = _pk(value)
        team = teams.filter(pk=pk).first() if pk else teams.filter(slug=value).first()
    if team is None:
        raise PermissionDenied("You can add this only to your own teams.")
    return team


def battlecards_visible_to(user: User) -> QuerySet[Battlecard]:
    """A battlecard is seen by whoever sees its competitor (sales included)."""
    if sees_every_competitor(user):
        return Battlecard.objects.all()  # no condition to add
    return Battlecard.objects.filter(competitor__in=competitors_visible_to(user).values("pk"))


class CardToRead(NamedTuple):
    id: int
    owner_id: int
    team_id: int


def battlecard_to_read(*, user: User, id: int | str) -> CardToRead:
    """What a view of the battlecard ``id`` needs to know (its owner, its competitor's team) if
    ``user`` sees it (404 otherwise), without the card itself: a kept card is not read."""
    pk = _pk(id)
    found = (
        battlecards_visible_to(user)
        .filter(pk=pk)
        .values_list("id", "owner_id", "competitor__team_id")
        .order_by()
        .first()
        if pk
        else None
    )
    if found is None:
        raise Http404("No such battlecard.")
    return CardToRead(*found)


def access_battlecard(*, user: User, id: int | str, change: bool = False) -> Battlecard:
    """A battlecard is seen by whoever sees its competitor, and changed by whoever may change it."""
    pk = _pk(id)
    card = (
        battlecards_visible_to(user)
        .select_related("competitor", "competitor__team", "persona", "owner")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if card is None:
        raise Http404("No such battlecard.")
    if change and not can_change_competitor(user, card.competitor):
        raise PermissionDenied("Only the team's product marketers change its battlecards.")
    return card
