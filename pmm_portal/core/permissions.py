"""The one door for role checks, shared by every app's pages and API.

A page or endpoint declares ``allowed_roles``. Anonymous visitors are sent to
sign in (pages) or get 401/403 (API); a signed-in user without one of the roles
gets 403. Administrators pass everywhere. Per-object rules (which team's
request, whose plan) live in each app's ``permissions.py`` and build on this.
"""

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import resolve_url
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .models import Role

EVERYONE: tuple[str, ...] = tuple(Role.values)
MARKETING: tuple[str, ...] = (Role.PMM, Role.PM, Role.CMO)
PMM_AND_CMO: tuple[str, ...] = (Role.PMM, Role.CMO)


def user_has_role(user: Any, roles: Iterable[str]) -> bool:
    """True when ``user`` is signed in and has one of ``roles`` (administrators always do)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.has_role(*roles))


def signed_out_fragment(request: HttpRequest) -> HttpResponse:
    """An HTMX request after the session ended: never the sign-in page swapped into a fragment.

    A background read (the bell, the sidebar's views, suggestions) changes nothing (204);
    anything else sends the whole page to sign in (``HX-Redirect``), back here afterwards.
    """
    if request.method in ("GET", "HEAD"):
        return HttpResponse(status=204)
    page = request.headers.get("HX-Current-URL", "") or settings.LOGIN_REDIRECT_URL
    current = urlsplit(page)
    path = current.path + (f"?{current.query}" if current.query else "")
    response = HttpResponse(status=204)
    response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': path})}"
    return response


class RoleRequiredMixin(AccessMixin):
    """Class-based page views: sign-in required, then one of ``allowed_roles``."""

    allowed_roles: tuple[str, ...] = ()
    raise_exception = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            if request.headers.get("HX-Request") == "true":
                return signed_out_fragment(request)
            return self.handle_no_permission()
        if not user_has_role(request.user, self.allowed_roles):
            self.raise_exception = True
            return self.handle_no_permission()
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response


class HasRole(BasePermission):
    """API views: the view's ``allowed_roles`` (every role when it declares none).

    A viewset may narrow one action further with ``action_roles`` (``{"create": (Role.PMM,)}``)
    and with ``may_<action>(user) -> bool`` (``may_create``) for a rule that needs the user's
    teams. Both run here, before the body is read, so a caller without the right gets 403
    whatever the body holds, never field errors that reveal what exists.
    """

    message = "Your role does not give access to this resource."

    def has_permission(self, request: Request, view: Any) -> bool:
        roles = getattr(view, "allowed_roles", EVERYONE)
        if not user_has_role(request.user, roles):
            return False
        action = getattr(view, "action", None)
        if not action:
            return True
        action_roles = getattr(view, "action_roles", {}).get(action)
        if action_roles is not None and not user_has_role(request.user, action_roles):
            return False
        rule = getattr(view, f"may_{action}", None)
        return bool(rule(request.user)) if rule is not None else True
