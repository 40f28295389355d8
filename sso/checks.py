"""Settings checks: a role name that is not a role, or passwords off with no way in, fail at start."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from pmm_portal.core.models import Role


@register()
def sso_settings(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if settings.OIDC_DEFAULT_ROLE not in Role.values:
        problems.append(
            Error(
                f"OIDC_DEFAULT_ROLE is {settings.OIDC_DEFAULT_ROLE!r}; use one of {', '.join(Role.values)}.",
                id="sso.E001",
            )
        )
    unknown = sorted(role for role in settings.OIDC_ROLE_MAP.values() if role not in Role.values)
    if unknown:
        problems.append(
            Error(
                f"OIDC_ROLE_MAP maps to {', '.join(unknown)}, which are not roles ({', '.join(Role.values)}).",
                id="sso.E002",
            )
        )
    if not settings.LOCAL_PASSWORDS and not settings.OIDC_ENABLED:
        problems.append(
            Warning(
                "LOCAL_PASSWORDS is off but OpenID Connect is not configured: only superusers can sign in.",
                hint="Set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or turn LOCAL_PASSWORDS on.",
                id="sso.W001",
            )
        )
    if settings.SCIM_TOKEN and len(settings.SCIM_TOKEN) < 32:
        problems.append(
            Warning("SCIM_TOKEN is shorter than 32 characters: use a long random token.", id="sso.W002")
        )
    return problems
