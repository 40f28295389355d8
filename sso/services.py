"""Who may sign in through the provider, and what the identity provider's provisioning changes.

People are matched by email, case-insensitively, and only when exactly one account has it. The
provider's role claim sets the role at every sign-in when it is present; a person new to the portal
gets it, or ``OIDC_DEFAULT_ROLE`` without it. Deactivation never deletes anything: the account is
switched off, its sessions and API token end, and everything it did stays.
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from pmm_portal.core.models import Role, User
from pmm_portal.core.sessions import DATABASE_ENGINES

logger = logging.getLogger(__name__)

# When a list claim (groups) names several roles, the one that may do the most wins.
ROLE_RANK = [Role.ADMIN, Role.CMO, Role.PMM, Role.PM, Role.SALES]


class SignInRefusedError(Exception):
    """Why the person the provider vouched for may not sign in (said to them on the sign-in page)."""


class ProvisioningConflictError(Exception):
    """Another account already has this user name or email address."""


# --- Roles -------------------------------------------------------------------------------------------


def role_named(value: str) -> str | None:
    """The portal role a provider's value stands for: ``OIDC_ROLE_MAP``'s, else a role's own name."""
    mapped = {key.casefold(): role for key, role in settings.OIDC_ROLE_MAP.items()}
    name = value.strip().casefold()
    role = mapped.get(name, name)
    return role if role in Role.values else None


def role_from_claims(*, claims: Mapping[str, Any]) -> str | None:
    """The role the ``OIDC_ROLE_CLAIM`` claim gives, or None when it is absent or names no role.

    The claim may be nested (``realm_access.roles``) and a string or a list; of several roles in a
    list, the one that may do the most is taken.
    """
    if not settings.OIDC_ROLE_CLAIM:
        return None
    value: Any = claims
    for part in settings.OIDC_ROLE_CLAIM.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    values: Iterable[Any] = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    roles = {role for v in values if isinstance(v, str) and (role := role_named(v))}
    if value is not None and not roles:
        logger.warning("The %s claim names no portal role: %r", settings.OIDC_ROLE_CLAIM, value)
    return next((role.value for role in ROLE_RANK if role in roles), None)


# --- Signing in through the provider -----------------------------------------------------------------


def oidc_sign_in(*, claims: Mapping[str, Any]) -> User:
    """The account the provider vouched for (ID token and userinfo claims): matched, created or refused.

    A role claim that is present updates the role every time; one that is absent leaves it.
    """
    email = str(claims.get("email") or "").strip()
    if not email:
        raise SignInRefusedError("the provider did not share your email address.")
    if claims.get("email_verified") is False:
        raise SignInRefusedError("the provider says your email address is not verified.")
    role = role_from_claims(claims=claims)
    matches = list(User.objects.filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise SignInRefusedError(f"more than one account uses {email}; ask an administrator to merge them.")
    if not matches:
        person = Provisioned(
            username=email,
            email=email,
            first_name=str(claims.get("given_name") or ""),
            last_name=str(claims.get("family_name") or ""),
            role=role or settings.OIDC_DEFAULT_ROLE,
        )
        try:
            return user_provision_create(person=person)
        except ProvisioningConflictError:
            # The same person's sign-in in another tab created the account a moment ago.
            matches = list(User.objects.filter(email__iexact=email)[:2])
            if len(matches) != 1:
                raise SignInRefusedError(f"an account for {email} could not be created.") from None
    user = matches[0]
    if not user.is_active:
        raise SignInRefusedError("your account is deactivated; ask an administrator.")
    if role and role != user.role:
        user.role = role
        user.save(update_fields=["role"])
    return user


# --- Provisioning (SCIM) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provisioned:
    """What the identity provider says about a person; None is "not said" (left as it is)."""

    username: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    role: str | None = None
    active: bool | None = None


def _check_unique(*, person: Provisioned, user: User | None = None) -> None:
    others = User.objects.exclude(pk=user.pk) if user else User.objects.all()
    if person.username and others.filter(username__iexact=person.username).exists():
        raise ProvisioningConflictError(f"Another account has the user name {person.username}.")
    if person.email and others.filter(email__iexact=person.email).exists():
        raise ProvisioningConflictError(f"Another account has the email address {person.email}.")


def user_provision_create(*, person: Provisioned) -> User:
    """Create the account the provider asks for, with no usable password (they sign in through it)."""
    if not person.username:
        raise ValueError("A new account needs a user name.")
    _check_unique(person=person)
    user = User(
        username=person.username,
        email=person.email or "",
        first_name=person.first_name or "",
        last_name=person.last_name or "",
        job_title=person.job_title or "",
        role=person.role or settings.OIDC_DEFAULT_ROLE,
        is_active=person.active is not False,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same name created between the check and the save
        raise ProvisioningConflictError(f"Another account has the user name {person.username}.") from exc
    return user


def user_provision_update(*, user: User, person: Provisioned) -> User:
    """Change what the provider says changed; ``active`` False deactivates, True reactivates."""
    _check_unique(person=person, user=user)
    changed = []
    for field in fields(Provisioned):
        value = getattr(person, field.name)
        if field.name != "active" and value is not None and getattr(user, field.name) != value:
            setattr(user, field.name, value)
            changed.append(field.name)
    with transaction.atomic():
        if changed:
            user.save(update_fields=changed)
        if person.active is False:
            user_deactivate(user=user)
        elif person.active is True:
            user_reactivate(user=user)
    return user


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """Switch the account off: no sign-in, its sessions and API token end; nothing it did is removed.

    Every request also re-checks ``is_active`` (each authentication backend's ``get_user``), so a
    session this misses (another session engine) ends at its next request all the same.
    """
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    Token.objects.filter(user=user).delete()
    _end_sessions(user)


def user_reactivate(*, user: User) -> None:
    """Switch the account back on (a new API token has to be asked for)."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])


def _end_sessions(user: User) -> None:
    if settings.SESSION_ENGINE not in DATABASE_ENGINES:
        return
    live = Session.objects.filter(expire_date__gt=timezone.now())
    ended = [s.pk for s in live.iterator() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]
    Session.objects.filter(pk__in=ended).delete()
