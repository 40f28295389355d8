"""The one door for who may see and change integrations: endpoints and their delivery logs.

Administrators manage every endpoint, including those that hear every team. A CMO manages the
endpoints of the teams they lead (webhooks and the team's Slack and Teams channels). Everyone
else gets 403 from the pages and the API; a CMO asking for another team's endpoint or delivery
gets 404, as if it did not exist. A person's own Slack or Teams address (``Endpoint.personal``) and
its deliveries are seen by that person only, on their notification preferences (``selectors``).
"""

from django.db.models import QuerySet
from django.http import Http404

from pmm_portal.core.models import Role, Team, User

from .models import Delivery, Endpoint

MANAGERS = (Role.CMO, Role.ADMIN)


def parse_id(value: object) -> int | None:
    """An id, or None for anything that is not one (words, signs, other scripts' digits, too big)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _signed_in(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def managed_teams(user: User) -> QuerySet[Team]:
    """The teams whose endpoints ``user`` manages: those they lead (every team: administrators)."""
    if not _signed_in(user):
        return Team.objects.none()
    if user.is_portal_admin:
        return Team.objects.all()
    if user.role != Role.CMO:
        return Team.objects.none()
    return Team.objects.filter(lead=user)


def may_manage(user: User) -> bool:
    return _signed_in(user) and (user.is_portal_admin or managed_teams(user).exists())


def endpoints_visible_to(user: User) -> QuerySet[Endpoint]:
    if not _signed_in(user):
        return Endpoint.objects.none()
    if user.is_portal_admin:
        return Endpoint.objects.filter(personal=False)  # a person's own address is theirs alone
    return Endpoint.objects.filter(team__in=managed_teams(user).order_by().values("pk"))


def deliveries_visible_to(user: User) -> QuerySet[Delivery]:
    if not _signed_in(user):
        return Delivery.objects.none()
    if user.is_portal_admin:
        return Delivery.objects.filter(endpoint__personal=False)
    return Delivery.objects.filter(endpoint__in=endpoints_visible_to(user).order_by().values("pk"))


def access_endpoint(*, user: User, id: int | str) -> Endpoint:
    """The endpoint ``id`` if ``user`` manages it; 404 otherwise (whether it exists or not)."""
    pk = parse_id(id)
    endpoint = (
        endpoints_visible_to(user).select_related("team", "owner").filter(pk=pk).first() if pk else None
    )
    if endpoint is None:
        raise Http404("No such endpoint.")
    return endpoint


def access_delivery(*, user: User, id: int | str) -> Delivery:
    """A delivery of an endpoint ``user`` manages (404 for anyone else)."""
    pk = parse_id(id)
    delivery = (
        deliveries_visible_to(user).select_related("endpoint", "endpoint__team", "team").filter(pk=pk).first()
        if pk
        else None
    )
    if delivery is None:
        raise Http404("No such delivery.")
    return delivery
