"""Authentication backends: the OpenID Connect sign-in, and password sign-in for superusers only.

``OIDCBackend`` is mozilla-django-oidc's authorization-code flow (PKCE, state, nonce, the ID
token's signature checked against the provider's published keys) with three additions: the
endpoints come from discovery (``sso.oidc``), the ID token's audience and issuer are checked too,
and the account is decided by ``services.oidc_sign_in``.
"""

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from pmm_portal.core.backends import ModelBackend, active_user
from pmm_portal.core.models import User

from . import oidc, services

logger = logging.getLogger(__name__)

OIDC_BACKEND = "sso.backends.OIDCBackend"


class OIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Signs in the person the provider vouches for; ``refusal`` says why it did not."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads the endpoints here, for every backend Django loads: discovery waits
        # for a sign-in that needs it (authenticate), so password sign-in never reaches the provider.
        self.UserModel = User
        self.refusal = ""
        self.issuer = ""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or not oidc.enabled() or "code" not in request.GET:
            return None
        try:
            provider = oidc.provider()
        except oidc.ProviderUnavailableError as exc:
            logger.warning("OpenID Connect provider unavailable: %s", exc)
            self.refusal = "the single sign-on provider could not be reached; try again in a moment."
            return None
        self.issuer = provider.issuer
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError, KeyError) as exc:
            logger.warning("OpenID Connect sign-in failed: %s", exc)
            self.refusal = self.refusal or "the single sign-on provider's answer could not be verified."
            return None
        return user

    def get_payload_data(self, token: bytes | str, key: Any) -> dict[str, Any]:
        """The ID token's claims once its signature, expiry, audience and issuer check out."""
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer or None,
                options={"require": ["exp", "iat", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The ID token's claims, completed by the userinfo endpoint's (the same person's, by ``sub``)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if str(userinfo.get("sub")) != str(payload.get("sub")):
                raise SuspiciousOperation("The userinfo answer is about someone else.")
            claims.update(userinfo)
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            return services.oidc_sign_in(claims=claims)
        except services.SignInRefusedError as exc:
            self.refusal = str(exc)
            return None

    def get_user(self, user_id: Any) -> User | None:
        # The library's version lets a deactivated account keep its session; Django's does not.
        return active_user(user_id)


class SuperuserPasswordBackend(ModelBackend):
    """Password sign-in while ``LOCAL_PASSWORDS`` is off: superusers only, the break-glass account
    for when the provider is down or misconfigured. Everyone else signs in through the provider."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if isinstance(user, User) and user.is_superuser:
            return user
        return None
