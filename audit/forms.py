"""The audit log's filters: one form for the page, the CSV export and the API."""

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q

from pmm_portal.core.filters import RefChoiceField
from pmm_portal.core.models import Team, User

from . import permissions
from .sources import type_choices

ACTION_CHOICES = [
    ("created", "Created"),
    ("changed", "Changed"),
    ("deleted", "Deleted"),
    ("viewed", "Viewed (the log)"),
    ("exported", "Exported (the log)"),
]


class AuditFilterForm(forms.Form):
    """Who, what type, which action, when, which team, and a word of the object's label."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Who")
    type = forms.ChoiceField(required=False, label="Object type")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *ACTION_CHOICES])
    team = RefChoiceField(queryset=Team.objects.none(), required=False)  # by id; a slug still works
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, reader: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = permissions.scoped_teams(reader)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["team"].empty_label = "Every team" if permissions.sees_everything(reader) else "My teams"  # type: ignore[attr-defined]
        people = User.objects.all()
        if not permissions.sees_everything(reader):
            people = people.filter(Q(teams__in=teams) | Q(pk=reader.pk)).distinct()
        self.fields["user"].queryset = people  # type: ignore[attr-defined]
        self.fields["user"].empty_label = "Anyone"  # type: ignore[attr-defined]
        self.fields["type"].choices = [("", "Any type"), *type_choices()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("date_from")
        end: dt.date | None = data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data

    def applied(self) -> dict[str, str]:
        """The valid filters set, as text: what an ``AuditRead`` records."""
        if not self.is_bound:
            return {}
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: str(getattr(value, "slug", None) or getattr(value, "pk", None) or value)
            for name, value in cleaned.items()
            if value not in (None, "")
        }
