"""The API's OpenAPI schema: every answer an operation gives is documented, errors included.

drf-standardized-errors documents the error bodies of each operation from its serializer,
filters, parsers, permissions and throttles. Three things it cannot see are added here:

- An error response an operation declares with a description only
  (``400: OpenApiResponse(description=…)``) would replace the package's body with none:
  it gets the standard body, and keeps its description.
- A service's rule (``core.api.service_errors``) answers 400 with code ``invalid`` on any
  field it names, or on ``non_field_errors``, for every write, deletes included.
- DRF answers 403, never 401, to a caller who did not sign in or sent a bad token: the
  session authentication comes first and asks for no ``WWW-Authenticate`` challenge.

``postprocess_nested_error_attrs`` then makes the errors of nested lists match what is sent:
``quotes.0.text``, not the package's ``quotes.INDEX.text``.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models
from drf_spectacular.plumbing import force_instance, is_serializer
from drf_spectacular.utils import Direction, PolymorphicProxySerializer
from drf_standardized_errors import openapi as standardized
from drf_standardized_errors.openapi_serializers import (
    ClientErrorEnum,
    ParseErrorResponseSerializer,
    ValidationErrorEnum,
)
from drf_standardized_errors.openapi_utils import (
    get_flat_serializer_fields,
    get_serializer_fields_with_error_codes,
)
from drf_standardized_errors.settings import package_settings
from inflection import camelize
from rest_framework import serializers
from rest_framework.filters import SearchFilter

WRITES = ("POST", "PUT", "PATCH", "DELETE")
ERROR_STATUSES = ("400", "401", "403", "404", "405", "406", "415", "429", "500")
NON_FIELD = "non_field_errors"


class ErrorCode403(models.TextChoices):
    PERMISSION_DENIED = "permission_denied"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"


class Error403Serializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=ErrorCode403.choices)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse403Serializer(serializers.Serializer[Any]):
    """Not signed in, a token that is not valid, or a role or object that does not allow it."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = Error403Serializer(many=True)  # type: ignore[assignment]  # a field named "errors"


class AutoSchema(standardized.AutoSchema):
    """drf-standardized-errors' schema, with the answers it cannot see (module docstring)."""

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        for status_code, response in list(responses.items()):
            if status_code in ERROR_STATUSES and "content" not in response:
                serializer = self._get_error_response_serializer(status_code)
                documented = self._get_response_for_code(serializer, status_code)  # type: ignore[no-untyped-call]
                documented["description"] = response.get("description") or documented.get("description", "")
                responses[status_code] = documented
        return responses

    def _should_add_http401_error_response(self) -> bool:
        return False

    def _get_error_response_serializer(self, status_code: str) -> Any:
        if status_code == "403":
            return ErrorResponse403Serializer
        return super()._get_error_response_serializer(status_code)

    def _get_http400_serializer(self) -> Any:
        serializers_by_type: dict[str, Any] = {
            ValidationErrorEnum.VALIDATION_ERROR.value: self._get_serializer_for_validation_error_response()
        }
        if self._should_add_parse_error_response():
            serializers_by_type[ClientErrorEnum.CLIENT_ERROR.value] = ParseErrorResponseSerializer
        return PolymorphicProxySerializer(
            component_name=f"{camelize(self.get_operation_id())}ErrorResponse400",
            serializers=serializers_by_type,
            resource_type_field_name="type",
        )

    def _should_add_validation_error_response(self) -> bool:
        return self.method in WRITES or super()._should_add_validation_error_response()

    def _determine_fields_with_error_codes(self) -> list[Any]:
        fields: list[Any] = super()._determine_fields_with_error_codes()
        if self.method not in WRITES:
            # Query parameters declared by a serializer (``parameters=[QuerySerializer]``) are
            # validated by it: its fields' errors are the operation's too.
            for parameter in self.get_override_parameters():
                if is_serializer(parameter):
                    flat = get_flat_serializer_fields(force_instance(parameter))  # type: ignore[no-untyped-call]
                    fields.extend(get_serializer_fields_with_error_codes(flat))
        return fields

    def _get_validation_error_codes_by_field(self, data_fields: list[Any]) -> dict[Any, set[str]]:
        codes: dict[Any, set[str]] = super()._get_validation_error_codes_by_field(data_fields)
        if self.method in WRITES:
            # A service's rule: code "invalid" on a field it names, or on none in particular.
            codes[NON_FIELD].add("invalid")
            for name, field in self._request_fields().items():
                codes[name].add("invalid")
                if isinstance(field, serializers.BaseSerializer):
                    # A nested body or list sent as null (or left out) is refused under its own
                    # name; the package lists only its items' errors and "<name>.non_field_errors".
                    codes[name].update({"null"} if not field.allow_null else set())
                    codes[name].update({"required"} if field.required else set())
        elif self._searches():
            # DRF's search filter refuses a NUL character in ``search``, naming no field.
            codes[None].add("null_characters_not_allowed")
        return codes

    def _request_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        """The fields the request body may hold, by name (nested bodies and lists included)."""
        serializer = self.get_request_serializer() if self.method != "DELETE" else None
        if isinstance(serializer, type) and issubclass(serializer, serializers.BaseSerializer):
            serializer = serializer()
        fields = getattr(serializer, "fields", {})
        return {name: field for name, field in fields.items() if not field.read_only}

    def _searches(self) -> bool:
        # DRF's search filter reads ``search`` (and refuses a NUL in it) even when the view has no
        # ``search_fields``: the parameter is documented then too.
        return any(issubclass(backend, SearchFilter) for backend in self.get_filter_backends())


def postprocess_nested_error_attrs(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """Errors inside a nested list name the item's position (``quotes.0.text``), as the API sends
    them: the package's placeholder (``quotes.INDEX.text``) becomes a pattern, and a union of
    error kinds that holds one is told apart by trying each kind rather than by a fixed value."""
    placeholder = package_settings.LIST_INDEX_IN_API_SCHEMA
    separator = re.escape(package_settings.NESTED_FIELD_SEPARATOR)
    schemas: dict[str, Any] = result.get("components", {}).get("schemas", {})
    patterned: set[str] = set()
    for name, schema in schemas.items():
        attr = schema.get("properties", {}).get("attr", {})
        values = attr.get("enum") or []
        if len(values) == 1 and isinstance(values[0], str) and placeholder in values[0].split("."):
            parts = [r"[0-9]+" if part == placeholder else re.escape(part) for part in values[0].split(".")]
            schema["properties"]["attr"] = {
                "type": "string",
                "pattern": "^" + separator.join(parts) + "$",
                "description": attr.get("description", ""),
            }
            patterned.add(f"#/components/schemas/{name}")
    for schema in schemas.values():
        discriminator = schema.get("discriminator")
        if discriminator and patterned.intersection(discriminator.get("mapping", {}).values()):
            del schema["discriminator"]
    return result
