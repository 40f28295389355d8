"""Forms of the functional diagnostic: they parse; the services decide (``services``)."""

from typing import Any

from django import forms

from pmm_portal.core.models import User

from .models import AREA, NAME, NOTE, Function, Lead


class ResponsibilityForm(forms.Form):
    name = forms.CharField(max_length=NAME, label="Responsibility")
    area = forms.CharField(max_length=AREA, label="Area", help_text="The group it is listed under.")
    intended_owner = forms.ChoiceField(choices=Function.choices, label="Meant to be owned by")
    lead = forms.ChoiceField(
        choices=[("", "—"), *Lead.choices], required=False, label="Who leads", help_text="Shared ones only."
    )
    description = forms.CharField(max_length=NOTE, required=False, label="What it covers")

    def __init__(self, *args: Any, areas: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].widget.attrs["list"] = "diagnostic-areas"
        self.areas = areas or []


class RoundForm(forms.Form):
    title = forms.CharField(max_length=120, label="Title", help_text="“Q3 diagnostic”, “After the reorg”.")
    participants = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Participants",
        help_text="The team's PMs and PMMs, yourself, and sales if you want their view.",
    )
    due_on = forms.DateField(
        required=False, label="Answer by", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in people]
        ).order_by("role", "first_name", "last_name")
        self.fields["participants"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: f"{user.display_name} · {user.get_role_display()}"
        )
