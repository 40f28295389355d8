"""Typed requests for views that only run for a signed-in user.

``RoleRequiredMixin`` and ``HasRole`` have turned anonymous visitors away before a
view's handler runs, so the handler may annotate its request as one of these and
read ``request.user`` as a ``User`` without casting.
"""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.request import Request

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A page request whose user has signed in."""

    user: User


class AuthenticatedRequest(Request):
    """An API request whose user has signed in."""

    user: User


def acting_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a request the role door has already let through (views of a viewset,
    where ``self.request`` cannot be annotated)."""
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - RoleRequiredMixin and HasRole turn them away
        raise PermissionError("This view is for signed-in users only.")
    return user


def request_user(request: object) -> User | None:
    """The signed-in user of ``request``, or None (anonymous, no request, or schema generation).

    For code that may run without the role door in front: FilterSets building their choices,
    serializers building theirs.
    """
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` address a form posted, when it stays on this site; ``default`` otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
