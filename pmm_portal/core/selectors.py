"""Reads that several pages share: people, teams and products, and the global search."""

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from . import search
from .dates import today_in
from .models import Product, Role, Team, User

_Ref = TypeVar("_Ref", bound=Model)

# The global search: a few hits of each kind, or up to this many of the one kind asked for.
SEARCH_PER_KIND = 5
SEARCH_PER_KIND_ALONE = 50


def home_team(user: User) -> Team | None:
    """The team whose plan a PMM's new initiatives, reviews and wins belong to (the first they are on)."""
    return user.teams.order_by("name").first()


def today_for(user: User) -> date:
    """Today where ``user`` works: in their home team's time zone."""
    return today_in(home_team(user))


def find_by_ref(queryset: QuerySet[_Ref], value: object) -> _Ref | None:
    """The team or product ``value`` names in ``queryset``, or None: its id (an int, or digits), or its
    slug, which the API still understands for clients written before ids (``core.api.RefField``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return queryset.filter(pk=value).first()
    if isinstance(value, str) and value and "\x00" not in value:
        lookup = {"pk": int(value)} if value.isdigit() else {"slug": value[:100]}
        return queryset.filter(**lookup).first()
    return None


def teams_of(*, user: User) -> QuerySet[Team]:
    """The teams ``user`` belongs to or leads; administrators get every team."""
    teams = Team.objects.all()
    if not user.is_portal_admin:
        # A subquery, not a join: counts annotated on the result must see every member,
        # not only the one row of the membership join that matched ``user``.
        mine = Team.objects.filter(Q(members=user) | Q(lead=user)).values("pk")
        teams = teams.filter(pk__in=mine)
    return teams


def team_overview(*, user: User) -> QuerySet[Team]:
    """``teams_of`` with the figures a home page shows, in one query."""
    return (
        teams_of(user=user)
        .select_related("lead")
        .annotate(
            pmm_count=Count("members", filter=Q(members__role=Role.PMM), distinct=True),
            product_count=Count("products", distinct=True),
        )
    )


def products_managed_by(*, user: User) -> QuerySet[Product]:
    return Product.objects.filter(managers=user).select_related("team")


def product_choices() -> QuerySet[Product]:
    """Every product, for pickers: the product list is public inside the organisation."""
    return Product.objects.select_related("team").order_by("team__name", "name")


def search_kinds() -> list[tuple[str, str]]:
    """Every searchable kind as ``(key, label)``, in the order the global search shows them."""
    return [(kind.key, kind.label) for kind in sorted(search.KINDS.values(), key=lambda kind: kind.order)]


@dataclass
class SearchResult:
    """One hit as the global search shows it (page and API alike).

    ``snippet`` is the body around the first match, highlighted; empty when the kind keeps the
    body from ``user`` (another rep's request: its title only) or when it would only say the
    title again (a quote's title is its text).
    """

    hit: search.Hit
    snippet: SafeString


def _search_result(hit: search.Hit, *, user: User) -> SearchResult:
    hidden = search.KINDS[hit.kind].hides_body(user, hit.doc)
    if hidden or " ".join(hit.doc.body.split()) == " ".join(hit.title.split()):
        return SearchResult(hit=hit, snippet=mark_safe(""))
    return SearchResult(hit=hit, snippet=hit.snippet_html())


@dataclass
class SearchGroup:
    """The results of one kind in the global search: those listed, and how many were found.

    ``found`` counts the hits up to ``SEARCH_PER_KIND_ALONE``; ``found_more`` says there are
    more than that (the page shows "50+"); ``more`` says more were found than ``results`` lists.
    """

    kind: str
    label: str
    results: list[SearchResult]
    found: int
    found_more: bool
    more: bool


def search_everywhere(*, user: User, text: str, kind: str = "") -> list[SearchGroup]:
    """The global search (page and API): a few hits of every kind ``user`` may see, or up to
    ``SEARCH_PER_KIND_ALONE`` of ``kind`` alone.

    The engine is asked for ``SEARCH_PER_KIND_ALONE`` of each kind either way (the same queries:
    one or two per kind, plus one for typos, whatever the data's size), so a group can say how many
    it found without a count query. Each kind's ``hides_body`` decides whose snippets are shown.
    """
    listed = SEARCH_PER_KIND_ALONE if kind else SEARCH_PER_KIND
    groups = search.find_everywhere(
        text, user=user, kinds=[kind] if kind else None, per_kind=SEARCH_PER_KIND_ALONE
    )
    return [
        SearchGroup(
            kind=group.kind,
            label=group.label,
            results=[_search_result(hit, user=user) for hit in group.hits[:listed]],
            found=len(group.hits),
            found_more=group.more,
            more=group.more or len(group.hits) > listed,
        )
        for group in groups
    ]
