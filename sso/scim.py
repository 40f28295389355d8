"""SCIM 2.0 (RFC 7643/7644) as the portal speaks it: the User resource, its parsing, errors, lists.

Only the User resource: ``userName``, ``name.givenName``/``familyName``, ``emails`` (the primary
one), ``title``, ``active`` and ``roles`` (a portal role, or a key of ``OIDC_ROLE_MAP``). Filters:
``userName eq "…"`` and ``emails.value eq "…"``. Superusers are the break-glass accounts, managed
in the admin: SCIM neither lists nor changes them.
"""

import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from pmm_portal.core.models import User

from .services import Provisioned, role_named

CONTENT_TYPE = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MAX_COUNT = 200


class ScimError(Exception):
    """An answer in SCIM's error format: an HTTP status, a ``scimType`` for 400 and 409, a detail."""

    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def response(self) -> HttpResponse:
        body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        answer = respond(body, status=self.status)
        if self.status == 401:
            answer["WWW-Authenticate"] = 'Bearer realm="scim"'
        return answer


def invalid(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def respond(body: Mapping[str, Any] | None, status: int = 200) -> HttpResponse:
    content = json.dumps(body) if body is not None else ""
    return HttpResponse(content, status=status, content_type=CONTENT_TYPE)


def token_ok(request: HttpRequest) -> bool:
    """Whether the request carries ``SCIM_TOKEN`` as its bearer token (compared in constant time)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = settings.SCIM_TOKEN
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), expected)


def read_json(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise ScimError(400, "The body is not JSON.", "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    return body


# --- The User resource ------------------------------------------------------------------------------


def managed_users() -> QuerySet[User]:
    """The accounts SCIM may see and change: everyone but superusers."""
    return User.objects.filter(is_superuser=False).order_by("pk")


def user_resource(user: User, *, base: str) -> dict[str, Any]:
    return {
        "schemas": [USER_SCHEMA],
        "id": str(user.pk),
        "userName": user.username,
        "name": {
            "givenName": user.first_name,
            "familyName": user.last_name,
            "formatted": user.get_full_name(),
        },
        "displayName": user.display_name,
        "title": user.job_title,
        "emails": [{"value": user.email, "type": "work", "primary": True}] if user.email else [],
        "active": user.is_active,
        "roles": [{"value": user.role, "display": user.get_role_display(), "primary": True}],
        "meta": {
            "resourceType": "User",
            "created": user.date_joined.isoformat(),
            "location": f"{base}/Users/{user.pk}",
        },
    }


def list_response(resources: list[dict[str, Any]], *, total: int, start: int) -> dict[str, Any]:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


_FILTER = re.compile(r'^\s*(userName|emails(?:\.value)?)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def filtered(users: QuerySet[User], expression: str) -> QuerySet[User]:
    """``users`` narrowed by a SCIM filter (``userName eq "…"`` or ``emails.value eq "…"``)."""
    if not expression:
        return users
    match = _FILTER.match(expression)
    if match is None:
        raise ScimError(400, 'Filter with userName eq "…" or emails.value eq "…".', "invalidFilter")
    try:
        attribute, value = match.group(1).lower(), json.loads(f'"{match.group(2)}"')
    except ValueError:
        raise ScimError(400, "The filter's value is not a valid string.", "invalidFilter") from None
    if attribute == "username":
        return users.filter(username__iexact=value)
    return users.filter(email__iexact=value)


def page(params: Mapping[str, str]) -> tuple[int, int]:
    """``startIndex`` (1-based) and ``count`` (at most ``MAX_COUNT``), forgiving as RFC 7644 asks."""
    try:
        start = max(1, int(params.get("startIndex", "1")))
        count = min(MAX_COUNT, max(0, int(params.get("count", str(MAX_COUNT)))))
    except ValueError:
        raise invalid("startIndex and count are whole numbers.") from None
    return start, count


def _text(value: Any, name: str, *, max_length: int, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise invalid(f"{name} must be {'a non-empty' if required else 'a'} string.")
    if len(value) > max_length:
        raise invalid(f"{name} is longer than {max_length} characters.")
    return value.strip()


def _email(value: Any) -> str:
    if isinstance(value, list):
        if not value:
            return ""
        chosen = next((e for e in value if isinstance(e, dict) and e.get("primary")), value[0])
        value = chosen.get("value") if isinstance(chosen, dict) else chosen
    email = _text(value, "emails.value", max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise invalid(f"{email} is not an email address.") from None
    return email


def _active(value: Any) -> bool:
    # Some providers (Microsoft Entra) send booleans as the strings "True" and "False".
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid("active must be true or false.")


def _role(value: Any) -> str:
    if isinstance(value, list):
        value = next(
            (r for r in value if isinstance(r, dict) and r.get("primary")), value[0] if value else None
        )
    if isinstance(value, dict):
        value = value.get("value")
    role = role_named(value) if isinstance(value, str) else None
    if role is None:
        raise invalid(f"roles: {value!r} is not a portal role.")
    return role


def _name_part(value: Any, name: str) -> str:
    return _text(value, name, max_length=150)


def person_from_resource(body: Mapping[str, Any]) -> Provisioned:
    """A whole User resource (POST, PUT): what it leaves out is emptied, except the role (kept)."""
    username = _text(body.get("userName"), "userName", max_length=150, required=True)
    name = body.get("name") or {}
    if not isinstance(name, dict):
        raise invalid("name must be an object.")
    email = _email(body.get("emails")) if body.get("emails") is not None else ""
    if not email and "@" in username:
        email = _email(username)
    return Provisioned(
        username=username,
        email=email,
        first_name=_name_part(name.get("givenName"), "name.givenName"),
        last_name=_name_part(name.get("familyName"), "name.familyName"),
        job_title=_text(body.get("title"), "title", max_length=120),
        role=_role(body["roles"]) if body.get("roles") else None,
        active=_active(body["active"]) if "active" in body else True,
    )


# PATCH paths, lower-cased, and the field each sets.
_PATHS = {
    "username": "username",
    "name.givenname": "first_name",
    "name.familyname": "last_name",
    "title": "job_title",
    "emails": "email",
    'emails[type eq "work"].value': "email",
    "emails.value": "email",
    "active": "active",
    "roles": "role",
}
# What the portal does not keep: accepted and ignored, so a provider's usual PATCH goes through.
_IGNORED = {"displayname", "externalid", "name.formatted", "preferredlanguage", "locale", "timezone"}
_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"


def _patch_value(field: str, value: Any, path: str) -> Any:
    if field == "active":
        return _active(value)
    if field == "email":
        return _email(value)
    if field == "role":
        return _role(value)
    if field == "username":
        return _text(value, path, max_length=150, required=True)
    return _text(value, path, max_length=120 if field == "job_title" else 150)


def person_from_patch(body: Mapping[str, Any]) -> Provisioned:
    """A PatchOp's operations (add, replace; remove on names and title) as the changes they make."""
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise invalid("Operations must be a non-empty list.")
    changes: dict[str, Any] = {}
    for operation in operations:
        if not isinstance(operation, dict):
            raise invalid("Each operation must be an object.")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise invalid(f"op {operation.get('op')!r} is not add, replace or remove.")
        path = operation.get("path")
        value = operation.get("value")
        if path is None:
            if op == "remove" or not isinstance(value, dict):
                raise ScimError(400, "An operation without a path needs an object value.", "noTarget")
            pairs = _flatten(value)
        else:
            pairs = [(str(path), value)]
        for attribute, item in pairs:
            key = attribute.lower()
            if key in _IGNORED or key.startswith(_ENTERPRISE):
                continue
            field = _PATHS.get(key)
            if field is None:
                raise ScimError(400, f"{attribute} is not an attribute the portal can change.", "invalidPath")
            if op == "remove":
                if field not in ("first_name", "last_name", "job_title"):
                    raise ScimError(400, f"{attribute} cannot be removed.", "mutability")
                changes[field] = ""
            else:
                changes[field] = _patch_value(field, item, attribute)
    return Provisioned(**changes)


def _flatten(value: Mapping[str, Any]) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for key, item in value.items():
        if key == "name" and isinstance(item, dict):
            pairs.extend((f"name.{part}", v) for part, v in item.items())
        else:
            pairs.append((key, item))
    return pairs


# --- The discovery resources (minimal) --------------------------------------------------------------


def service_provider_config() -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_COUNT},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "The SCIM_TOKEN set in the portal's environment.",
                "primary": True,
            }
        ],
    }


def resource_types(*, base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "schema": USER_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/User"},
        }
    ]


def _attribute(name: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": False,
        "mutability": "readWrite",
        "returned": "default",
        **extra,
    }


def schemas(*, base: str) -> list[dict[str, Any]]:
    name_parts = [_attribute("givenName"), _attribute("familyName"), _attribute("formatted")]
    value = [_attribute("value"), _attribute("type"), _attribute("primary", "boolean")]
    return [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": USER_SCHEMA,
            "name": "User",
            "description": "A person who signs in to the portal.",
            "attributes": [
                _attribute("userName", required=True, uniqueness="server"),
                _attribute("name", "complex", subAttributes=name_parts),
                _attribute("displayName", mutability="readOnly"),
                _attribute("title"),
                _attribute("emails", "complex", multiValued=True, subAttributes=value),
                _attribute("active", "boolean"),
                _attribute("roles", "complex", multiValued=True, subAttributes=value),
            ],
            "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{USER_SCHEMA}"},
        }
    ]
