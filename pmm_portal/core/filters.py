"""Filters shared by every app's FilterSets (pages and API alike)."""

from typing import Any, TypeVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

_M = TypeVar("_M", bound=Model)


def ref_filter(queryset: QuerySet[_M], field: str, value: str) -> QuerySet[_M]:
    """``queryset`` filtered on the team or product ``field`` that ``value`` names: an id, or a slug
    (still understood, for links and clients written before ids)."""
    value = value.strip()
    if not value:
        return queryset
    if value.isdigit():
        return queryset.filter(**{f"{field}_id": int(value)})
    return queryset.filter(**{f"{field}__slug": value[:100]})


@extend_schema_field(OpenApiTypes.INT)
class RefFilter(django_filters.CharFilter):
    """``?team=<id>`` (or a product): the id is the API's one way to name a team or product; a slug
    is still accepted. Documented as the id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("help_text", "Its id (a slug is still accepted, for older clients and links).")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        return ref_filter(qs, str(self.field_name), str(value or ""))


class RefChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of team (or product) by id; its slug is still accepted (links from before ids)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value and not value.isdigit() and value not in self.empty_values:
            queryset = self.queryset
            found = queryset.filter(slug=value[:100]).first() if queryset is not None else None
            if found is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return found
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.INT)
class RefChoiceFilter(django_filters.ModelChoiceFilter):
    """``ModelChoiceFilter`` of teams or products by id, with the slug still accepted."""

    field_class = RefChoiceField  # type: ignore[assignment]  # a ModelChoiceField
