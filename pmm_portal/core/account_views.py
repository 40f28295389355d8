"""The password-reset page: the same answer, in the same time, for any address; throttled.

Sign-in lockouts are django-axes' (settings); this page has its own limits, counted per
address asked about and per client address, whether or not the address has an account:
being throttled says only that someone asked too often, never that the account exists.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django_ratelimit.core import is_ratelimited

from .forms import LoginForm, PasswordResetRequestForm

logger = logging.getLogger(__name__)

# Enough for someone who mistyped or lost the first mail; far too few to mail-bomb an inbox
# or to sweep a list of addresses from one place.
RESET_RATE_PER_ADDRESS = "5/h"
RESET_RATE_PER_CLIENT = "20/h"
THROTTLED = (
    "Too many reset links were asked for this address or from your network in the last hour. "
    "Wait a while and try again, or ask your administrator to reset your password."
)


def _address(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


def _client(group: str, request: HttpRequest) -> str:
    return str(get_client_ip_address(request) or "")


def reset_throttled(request: HttpRequest) -> bool:
    """Count this ask against the address's and the client's limits; True when either is over.

    Both counters move on every ask (neither check stops the other), so the count does not
    depend on which limit trips first. If the cache cannot count, the ask goes through:
    the cache falls back to memory (``core.cache``), so this is only for the unexpected.
    """
    try:
        by_address = is_ratelimited(
            request,
            group="accounts.password_reset.address",
            key=_address,
            rate=RESET_RATE_PER_ADDRESS,
            method="POST",
            increment=True,
        )
        by_client = is_ratelimited(
            request,
            group="accounts.password_reset.client",
            key=_client,
            rate=RESET_RATE_PER_CLIENT,
            method="POST",
            increment=True,
        )
    except Exception:
        logger.warning("Password-reset throttle unavailable; letting the ask through", exc_info=True)
        return False
    return bool(by_address or by_client)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page with a form that queues the mail (``PasswordResetRequestForm``)."""

    form_class = PasswordResetRequestForm

    def form_valid(self, form: Any) -> HttpResponse:
        if reset_throttled(self.request):
            form.add_error(None, THROTTLED)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


# --- Single sign-on (issue 16) ---------------------------------------------------------------------
class LoginView(auth_views.LoginView):
    """The sign-in page: the password form, the single sign-on button when OpenID Connect is set up
    (``sso``), or the button alone when ``LOCAL_PASSWORDS`` is off."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_label"] = settings.OIDC_BUTTON_LABEL if settings.OIDC_ENABLED else ""
        context["local_passwords"] = settings.LOCAL_PASSWORDS
        return context


def local_passwords_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Password reset and change exist only while ``LOCAL_PASSWORDS`` is on (404 otherwise)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.LOCAL_PASSWORDS:
            raise Http404("Passwords are not used here: sign in with single sign-on.")
        return view(request, *args, **kwargs)

    return wrapped
