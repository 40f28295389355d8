"""Pages of the shared core: each role's home, the global search and the health check."""

import logging
from dataclasses import dataclass
from typing import Any

import redis
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from . import search, selectors
from .forms import SearchForm
from .http import acting_user
from .models import Role
from .pages import CachedPageMixin
from .permissions import EVERYONE, RoleRequiredMixin

logger = logging.getLogger(__name__)


class HomeView(RoleRequiredMixin, CachedPageMixin, TemplateView):
    """``/``: each role lands on its own home page."""

    allowed_roles = EVERYONE

    def get_template_names(self) -> list[str]:
        user = acting_user(self.request)
        role = Role.ADMIN if user.is_portal_admin else user.role
        return [f"core/home_{role}.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = acting_user(self.request)
        context = super().get_context_data(**kwargs)
        context["teams"] = selectors.team_overview(user=user)
        context["managed_products"] = selectors.products_managed_by(user=user)
        return context


@dataclass(frozen=True)
class KindChip:
    """One of the filters above the results: a kind (or every kind), and how many it found."""

    key: str
    label: str
    count: str  # "" when not searched (another kind is shown)
    active: bool
    empty: bool


def _count(found: int, more: bool) -> str:
    return f"{found}+" if more else str(found)


def _kind_chips(groups: list[selectors.SearchGroup], kind: str) -> list[KindChip]:
    """The chip for every kind and one per kind, each with what it found (only the one shown, if any)."""
    by_kind = {group.kind: group for group in groups}
    total = _count(sum(g.found for g in groups), any(g.found_more for g in groups))
    chips = [KindChip("", "All", "" if kind else total, not kind, not groups)]
    for key, label in selectors.search_kinds():
        group = by_kind.get(key)
        count = _count(group.found, group.found_more) if group else "0"
        chips.append(KindChip(key, label, "" if kind and key != kind else count, key == kind, group is None))
    return chips


def _and_list(items: list[str]) -> str:
    """``["a", "b", "c"]`` → ``"a, b and c"``."""
    return " and ".join(filter(None, [", ".join(items[:-1]), *items[-1:]]))


class SearchView(RoleRequiredMixin, CachedPageMixin, TemplateView):
    """``/search/?q=…&kind=…``: everything the user may see that matches ``q``, grouped by kind.

    Without ``kind``, a few of each kind; with one, up to 50 of it. An unknown ``kind`` is said
    and ignored.
    """

    allowed_roles = EVERYONE
    template_name = "core/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = acting_user(self.request)
        form = SearchForm(self.request.GET)
        form.is_valid()  # what is valid is used; the errors are shown
        query: str = form.cleaned_data.get("q", "")
        kind: str = form.cleaned_data.get("kind", "")
        groups = selectors.search_everywhere(user=user, text=query, kind=kind)
        context = super().get_context_data(**kwargs)
        context.update(
            form=form,
            query=query,
            kind=kind,
            kind_label=dict(selectors.search_kinds()).get(kind, ""),
            groups=groups,
            chips=_kind_chips(groups, kind) if query else [],
            # A question of common words only ("the", "for", "help") is not searched at all.
            only_common_words=bool(query) and not search.parse(query),
            searchable=_and_list([label.lower() for _, label in selectors.search_kinds()]),
        )
        return context


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except Exception:
        logger.exception("Health check: the database did not answer")
        return False


def _broker_ok() -> bool:
    try:
        client = redis.Redis.from_url(
            str(current_app.conf.broker_url),
            socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        logger.warning("Health check: the broker did not answer", exc_info=True)
        return False


def _cache_state() -> str | None:
    """``ok``, or ``degraded`` while this process serves the cache from memory; None for a local cache."""
    health = getattr(cache, "health", None)
    if health is None:
        return None
    try:
        return str(health())
    except Exception:
        logger.warning("Health check: the cache did not answer", exc_info=True)
        return "degraded"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Says which part answers: 503 only when the database does not.

    Redis (the cache and the broker) is an accelerator: without it pages still
    answer, the cache lives in memory and tasks wait in their outboxes for the
    sweeps. So a Redis outage is ``degraded`` with 200, and a load balancer keeps
    sending traffic; only a dead database takes this instance out (503).
    """
    checks = {"database": "ok" if _database_ok() else "error"}
    cache_state = _cache_state()
    if cache_state is not None:
        checks["cache"] = cache_state
    if settings.REDIS_URL:
        checks["broker"] = "ok" if _broker_ok() else "error"
    if checks["database"] != "ok":
        status, code = "error", 503
    elif all(state == "ok" for state in checks.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, "checks": checks}, status=code)
