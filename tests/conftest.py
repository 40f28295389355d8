"""The cast every test shares, so a permission matrix reads as a table.

- ``team``: a product marketing team led by ``cmo``, with ``pmm`` and ``pm`` as
  members and one ``product`` that ``pm`` manages.
- ``other_team``: another team, with ``other_pmm`` and its own ``other_product``.
- ``sales_rep``: a salesperson (on no marketing team).
- ``admin_user``: an administrator.
"""

import pytest
from rest_framework.test import APIClient

from pmm_portal.core.models import Product, Role, Team, User
from tests.factories import ProductFactory, TeamFactory, UserFactory


@pytest.fixture
def cmo(db) -> User:
    return UserFactory(username="cmo", first_name="Carla", last_name="Mendes", role=Role.CMO)


@pytest.fixture
def pmm(db) -> User:
    return UserFactory(username="pmm", first_name="Priya", last_name="Mehta", role=Role.PMM)


@pytest.fixture
def pm(db) -> User:
    return UserFactory(username="pm", first_name="Paul", last_name="Moreau", role=Role.PM)


@pytest.fixture
def sales_rep(db) -> User:
    return UserFactory(username="sales", first_name="Sam", last_name="Reyes", role=Role.SALES)


@pytest.fixture
def other_pmm(db) -> User:
    return UserFactory(username="other_pmm", first_name="Olga", last_name="Petrova", role=Role.PMM)


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True, first_name="Ada")


@pytest.fixture
def team(cmo: User, pmm: User, pm: User) -> Team:
    team = TeamFactory(name="Core Platform", slug="core-platform", lead=cmo)
    team.members.add(pmm, pm)
    return team


@pytest.fixture
def product(team: Team, pm: User) -> Product:
    product = ProductFactory(name="Atlas", slug="atlas", team=team)
    product.managers.add(pm)
    return product


@pytest.fixture
def other_team(other_pmm: User) -> Team:
    team = TeamFactory(name="Analytics", slug="analytics")
    team.members.add(other_pmm)
    return team


@pytest.fixture
def other_product(other_team: Team) -> Product:
    return ProductFactory(name="Insight", slug="insight", team=other_team)


@pytest.fixture
def cast(sales_rep, pmm, pm, cmo, other_pmm, admin_user, team, other_team) -> dict[str, User]:
    """Everyone, by the name the permission tables use."""
    return {
        "sales": sales_rep,
        "pmm": pmm,
        "pm": pm,
        "cmo": cmo,
        "other_pmm": other_pmm,
        "admin": admin_user,
    }


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


# --- Backends: the same suite on PostgreSQL and Redis (``make test``) and on the embedded default -----
# (SQLite, tasks in-process: ``make test-sqlite``). A test that needs what the embedded default lacks
# says so with a marker and its reason; on that backend it is skipped and ``-ra`` prints why.
# PostgreSQL with Redis skips nothing.

NEEDS_POSTGRES = ("postgres", "integration", "browser")
NEEDS_REDIS = ("redis", "integration", "browser")


def _marker_reason(item: pytest.Item, name: str) -> str:
    marker = item.get_closest_marker(name)
    if marker is None:
        return ""
    reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
    return f": {reason}" if reason else ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    on_sqlite = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    without_redis = not settings.REDIS_URL
    for item in items:
        if on_sqlite:
            name = next((n for n in NEEDS_POSTGRES if item.get_closest_marker(n)), None)
            if name:
                why = f"needs PostgreSQL, the database is SQLite: marked {name}{_marker_reason(item, name)}"
                item.add_marker(pytest.mark.skip(reason=why))
                continue
        if without_redis:
            name = next((n for n in NEEDS_REDIS if item.get_closest_marker(n)), None)
            if name:
                why = f"needs Redis, REDIS_URL is empty: marked {name}{_marker_reason(item, name)}"
                item.add_marker(pytest.mark.skip(reason=why))
