"""Forms of the initiatives pages: they parse and label input; the services decide."""

from typing import Any

from django import forms
from django.urls import reverse_lazy

from pmm_portal.core.models import Team, User
from pmm_portal.core.widgets import TypeaheadSelect, TypeaheadSelectMultiple

from .models import QUOTE_TEXT, Initiative, InitiativeStatus, Learning, Milestone, Win
from .permissions import (
    initiatives_linkable_by,
    personas_linkable_by,
    products_linkable_by,
    requests_linkable_by,
    teams_shareable_by,
)


class DateInput(forms.DateInput):
    input_type = "date"


class InitiativeForm(forms.ModelForm[Initiative]):
    class Meta:
        model = Initiative
        fields = [
            "title",
            "goal",
            "expected_impact",
            "products",
            "personas",
            "start_date",
            "target_date",
            "planned_hours_per_week",
            "status",
        ]
        widgets = {
            "title": forms.TextInput(
                attrs={"autofocus": True, "placeholder": "e.g. Competitive battlecards for the mid-market"}
            ),
            "goal": forms.Textarea(attrs={"rows": 3}),
            "expected_impact": forms.Textarea(attrs={"rows": 2}),
            "start_date": DateInput(),
            "target_date": DateInput(),
            "products": forms.CheckboxSelectMultiple(),
            "personas": TypeaheadSelectMultiple(url=reverse_lazy("initiatives:persona-options")),
            "planned_hours_per_week": forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "80"}),
        }

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        products = self.fields["products"]
        assert isinstance(products, forms.ModelMultipleChoiceField)
        products.queryset = products_linkable_by(owner)
        products.required = False
        personas = self.fields["personas"]
        assert isinstance(personas, forms.ModelMultipleChoiceField)
        personas.queryset = personas_linkable_by(owner)
        personas.required = False
        if not self.instance.pk:
            del self.fields["status"]


class StatusUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=InitiativeStatus.choices)
    message = forms.CharField(
        max_length=500,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "What moved, what is blocking, what you need."}
        ),
    )


class MilestoneForm(forms.ModelForm[Milestone]):
    class Meta:
        model = Milestone
        fields = ["title", "due_date"]
        widgets = {
            "due_date": DateInput(),
            "title": forms.TextInput(attrs={"placeholder": "e.g. Draft reviewed by sales"}),
        }


class WinForm(forms.ModelForm[Win]):
    class Meta:
        model = Win
        fields = ["title", "impact", "date", "initiative", "request"]
        widgets = {
            "title": forms.TextInput(
                attrs={"autofocus": True, "placeholder": "e.g. Won Globex after the new battlecard"}
            ),
            "impact": forms.Textarea(attrs={"rows": 3}),
            "date": DateInput(),
        }

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initiative = self.fields["initiative"]
        assert isinstance(initiative, forms.ModelChoiceField)
        initiative.queryset = initiatives_linkable_by(owner)
        initiative.widget = TypeaheadSelect(
            url=reverse_lazy("initiatives:options"), placeholder="Type a title…"
        )
        initiative.required = False
        initiative.help_text = "The initiative the win came from, if any."
        request = self.fields["request"]
        assert isinstance(request, forms.ModelChoiceField)
        # The requests this PMM worked on: the one-off asks a win most often comes from.
        request.queryset = requests_linkable_by(owner)
        request.widget = TypeaheadSelect(
            url=reverse_lazy("initiatives:win-request-options"), placeholder="Type a title or #number…"
        )
        request.required = False
        request.help_text = "Or the one-off request it came from (requests you worked on)."


class ReopenForm(forms.Form):
    reason = forms.CharField(
        max_length=300, widget=forms.TextInput(attrs={"placeholder": "e.g. A win came in late"})
    )


class PromoteForm(forms.Form):
    """Who hears of a win, and what sales should repeat. The service decides whether it may."""

    sales = forms.BooleanField(
        required=False, label="Sales", help_text="Every sales rep sees it in the wins feed."
    )
    teams: forms.ModelMultipleChoiceField[Team] = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Marketing teams",
        help_text="Your own team always sees its wins; pick others to share it with.",
    )
    headline = forms.CharField(
        max_length=200,
        required=False,
        label="Headline for sales",
        widget=forms.TextInput(attrs={"placeholder": "e.g. The new battlecard turned a Globex deal"}),
    )
    quote = forms.CharField(
        max_length=QUOTE_TEXT,
        required=False,
        label="Customer quote",
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "Words sales may use, if the customer agrees."}
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = self.fields["teams"]
        assert isinstance(teams, forms.ModelMultipleChoiceField)
        teams.queryset = teams_shareable_by(user)


class LearningForm(forms.ModelForm[Learning]):
    class Meta:
        model = Learning
        fields = [
            "title",
            "initiative",
            "date",
            "hypothesis",
            "tried",
            "measure",
            "result",
            "result_notes",
            "lesson",
        ]
        widgets = {
            "title": forms.TextInput(
                attrs={"autofocus": True, "placeholder": "e.g. Objection-first battlecard in two regions"}
            ),
            "date": DateInput(),
            "hypothesis": forms.Textarea(attrs={"rows": 2}),
            "tried": forms.Textarea(attrs={"rows": 2}),
            "measure": forms.TextInput(attrs={"placeholder": "e.g. Reply rate of SDR emails"}),
            "result_notes": forms.Textarea(attrs={"rows": 2}),
            "lesson": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initiative = self.fields["initiative"]
        assert isinstance(initiative, forms.ModelChoiceField)
        initiative.queryset = initiatives_linkable_by(owner)
        initiative.widget = TypeaheadSelect(
            url=reverse_lazy("initiatives:options"), placeholder="Type a title…"
        )
        initiative.required = False
        initiative.help_text = "The initiative the experiment served, if any."
        # Tom Select points the label at its own input: the hidden select keeps a name of its own.
        initiative.widget.attrs["aria-label"] = "Initiative"
