"""Reads about people, teams and products that several pages share."""

from datetime import date

from django.db.models import Count, Q, QuerySet

from .dates import today_in
from .models import Product, Role, Team, User


def home_team(user: User) -> Team | None:
    """The team whose plan a PMM's new initiatives, reviews and wins belong to (the first they are on)."""
    return user.teams.order_by("name").first()


def today_for(user: User) -> date:
    """Today where ``user`` works: in their home team's time zone."""
    return today_in(home_team(user))


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
