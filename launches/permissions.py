"""The one door for who may see and change launches, their items and the team's launch templates.

Launches (the handoff between product management and product marketing: internal)
    Seen by the team's insiders (members, leader, the product managers of its products)
    and administrators; the team's PMs, PMMs and its CMO create launches and work on
    their items. Another team's PMM, PM or CMO gets 404, as if the launch did not exist.

Sales
    See every launch's name, product, date and tier, and its enablement items only
    (``for_sales``: datasheet, presentation, sales training, battlecard, sales enablement
    content): nothing of what the two functions owe each other. They change nothing.

Templates
    Kept by the team's PMs, PMMs and CMO; nobody else sees them (404).
"""

import re

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from personas.permissions import insider_teams
from pmm_portal.core.models import Product, Role, Team, User

from .models import Launch, LaunchItem, LaunchTemplate

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")
READERS = (Role.SALES, Role.PMM, Role.PM, Role.CMO, Role.ADMIN)
WRITERS = (Role.PMM, Role.PM, Role.CMO)  # administrators pass every role door


def parse_id(value: object) -> int | None:
    """An id, or None for anything that is not one (words, signs, other scripts' digits, too big)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _signed_in(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def sees_everything(user: User) -> bool:
    """Whether ``user`` reads every item of the launches they see (everyone but sales)."""
    return user.is_portal_admin or user.role != Role.SALES


def writer_teams(user: User) -> QuerySet[Team]:
    """Teams whose launches and templates ``user`` works on: a PM's, PMM's or CMO's own (all: admins)."""
    if not _signed_in(user):
        return Team.objects.none()
    if user.is_portal_admin:
        return Team.objects.all()
    if user.role not in WRITERS:
        return Team.objects.none()
    return insider_teams(user)


def writer_products(user: User) -> QuerySet[Product]:
    """The products a launch of ``user``'s may be for: those of their teams."""
    return Product.objects.filter(team__in=writer_teams(user).order_by().values("pk")).select_related("team")


def launches_visible_to(user: User) -> QuerySet[Launch]:
    if not _signed_in(user):
        return Launch.objects.none()
    if user.is_portal_admin or user.role == Role.SALES:
        return Launch.objects.all()
    return Launch.objects.filter(product__team__in=insider_teams(user).order_by().values("pk"))


def items_visible_to(user: User) -> QuerySet[LaunchItem]:
    """Items ``user`` reads: every item of their teams' launches; for sales, the enablement items."""
    items = LaunchItem.objects.filter(launch__in=launches_visible_to(user).order_by().values("pk"))
    return items if sees_everything(user) else items.filter(for_sales=True)


def item_filter(user: User) -> Q:
    """The condition on a launch's ``items`` that keeps those ``user`` reads (for counts per launch)."""
    return Q() if sees_everything(user) else Q(items__for_sales=True)


def can_change(user: User, launch: Launch) -> bool:
    return writer_teams(user).filter(pk=launch.product.team_id).exists()


def access_launch(*, user: User, id: int | str, change: bool = False) -> Launch:
    """The launch ``id`` if ``user`` sees it (404 otherwise) and, with ``change``, may work on it (403)."""
    pk = parse_id(id)
    launch = (
        launches_visible_to(user)
        .select_related("product", "product__team", "created_by")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if launch is None:
        raise Http404("No such launch.")
    if change and not can_change(user, launch):
        raise PermissionDenied("The team's product managers, product marketers and CMO work on its launches.")
    return launch


def access_item(*, user: User, id: int | str, change: bool = False) -> LaunchItem:
    """The item ``id`` if ``user`` reads it (404; sales: enablement items only) and may change it (403)."""
    pk = parse_id(id)
    item = (
        items_visible_to(user)
        .select_related("launch", "launch__product", "launch__product__team", "owner", "asset", "initiative")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if item is None:
        raise Http404("No such launch item.")
    if change and not can_change(user, item.launch):
        raise PermissionDenied("The team's product managers, product marketers and CMO work on its launches.")
    return item


def templates_visible_to(user: User) -> QuerySet[LaunchTemplate]:
    return LaunchTemplate.objects.filter(team__in=writer_teams(user).order_by().values("pk"))


def access_template(*, user: User, id: int | str) -> LaunchTemplate:
    """A template of a team ``user`` works for (404 for anyone else)."""
    pk = parse_id(id)
    template = templates_visible_to(user).select_related("team").filter(pk=pk).first() if pk else None
    if template is None:
        raise Http404("No such launch template.")
    return template


def team_for_new(teams: QuerySet[Team], value: int | str | None) -> Team:
    """The team named (if allowed; an unknown or forbidden one is the same 403), or the first allowed."""
    if value in (None, ""):
        team = teams.order_by("name").first()
    else:
        pk = parse_id(value)
        if pk:
            team = teams.filter(pk=pk).first()
        elif isinstance(value, str) and SLUG.fullmatch(value):  # never a NUL byte to the database
            team = teams.filter(slug=value).first()
        else:
            team = None
    if team is None:
        raise PermissionDenied("You can do this only for your own teams.")
    return team
