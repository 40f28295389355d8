"""Where the OpenID Connect provider is: its endpoints from the settings, else from its discovery document.

The discovery document is fetched on the first sign-in, not at start (a provider that is down must
not stop the portal), and kept in the cache for an hour.
"""

from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

DISCOVERY_SECONDS = 60 * 60


class ProviderUnavailableError(Exception):
    """The provider's discovery document could not be read or does not describe it."""


@dataclass(frozen=True)
class Provider:
    issuer: str  # "" when the endpoints are set by hand and there is no issuer to check
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str


def enabled() -> bool:
    return bool(settings.OIDC_ENABLED)


def provider() -> Provider:
    """The provider's endpoints: those set explicitly, the rest from discovery."""
    explicit = {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
    }
    issuer = settings.OIDC_ISSUER
    document = _discovery(issuer) if issuer and not all(explicit.values()) else {}
    found = {name: value or str(document.get(name) or "") for name, value in explicit.items()}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not found[name]:
            raise ProviderUnavailableError(f"The provider names no {name}.")
    return Provider(issuer=str(document.get("issuer") or issuer), **found)


def _discovery(issuer: str) -> dict[str, Any]:
    key = f"sso:oidc-discovery:{issuer}"
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        url = f"{issuer}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailableError(f"Could not read {url}: {exc}") from exc
        if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
            raise ProviderUnavailableError(f"{url} does not describe the issuer {issuer}.")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document
