"""Pages of the shared core: each role's home and the health check."""

import logging
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from . import selectors
from .http import acting_user
from .models import Role
from .permissions import EVERYONE, RoleRequiredMixin

logger = logging.getLogger(__name__)


class HomeView(RoleRequiredMixin, TemplateView):
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
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception:
        logger.exception("Health check: the broker did not answer")
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, when one is configured) answers; 503 otherwise."""
    checks = {"database": "ok" if _database_ok() else "error"}
    if settings.REDIS_URL:
        checks["broker"] = "ok" if _broker_ok() else "error"
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )
