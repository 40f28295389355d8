"""Forms of the personas pages. They parse input; the rules live in ``services``.

Every choice a form offers (teams, products, personas, statuses) comes from
``permissions``, the same functions the API's serializers use.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet

from pmm_portal.core.models import Team

from . import permissions
from .models import (
    KIND_FIELDS,
    BuyingRole,
    CustomerInteraction,
    InteractionKind,
    Persona,
    PersonaKind,
    PersonaStatus,
    Positioning,
    Quote,
    SalesChannel,
)

COMMON_FIELDS = ["name", "status", "job_titles", "company_profile", "summary"]
TEXTAREA_ROWS = 3


def _textareas(fields: list[str]) -> dict[str, forms.Widget]:
    widgets: dict[str, forms.Widget] = {}
    for name in fields:
        field = Persona._meta.get_field(name)
        if field.get_internal_type() == "TextField":
            widgets[name] = forms.Textarea(attrs={"rows": TEXTAREA_ROWS})
    return widgets


class PersonaForm(forms.ModelForm[Persona]):
    """The fields of one kind of persona, plus its products (and, for a channel, its buyers)."""

    def __init__(self, *args: Any, kind: str, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["name"].widget.attrs["autofocus"] = True
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        settable = permissions.settable_persona_statuses(self.instance if self.instance.pk else None)
        status.choices = [(value, label) for value, label in PersonaStatus.choices if value in settable]
        self.fields["status"].help_text = "Use “Validate” on the persona page to confirm it with customers."
        for name, choices in (("buying_role", BuyingRole.choices), ("channel", SalesChannel.choices)):
            if name in self.fields:
                choice = self.fields[name]
                assert isinstance(choice, forms.ChoiceField)
                choice.choices = [("", "Not known yet"), *choices]
        products = self.fields["products"]
        assert isinstance(products, forms.ModelMultipleChoiceField)
        products.queryset = permissions.products_for_persona(team)
        products.help_text = f"Products of {team.name} this persona buys or uses."
        if "sells_to" in self.fields:
            sells_to = self.fields["sells_to"]
            assert isinstance(sells_to, forms.ModelMultipleChoiceField)
            sells_to.queryset = permissions.buyers_for_channel(team=team, persona=self.instance)

    @classmethod
    def for_kind(cls, kind: str) -> type["PersonaForm"]:
        """A form class with the common fields and those of ``kind`` only."""
        fields = COMMON_FIELDS + list(KIND_FIELDS[kind]) + ["products"]
        if kind == PersonaKind.SALES_CHANNEL:
            fields.append("sells_to")
        meta = type(
            "Meta",
            (),
            {
                "model": Persona,
                "fields": fields,
                "widgets": {
                    **_textareas(fields),
                    "products": forms.CheckboxSelectMultiple,
                    "sells_to": forms.CheckboxSelectMultiple,
                },
            },
        )
        return type(f"{kind.title()}PersonaForm", (cls,), {"Meta": meta})

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("products", None)
        data.pop("sells_to", None)
        return data


class ObjectionForm(forms.Form):
    objection = forms.CharField(max_length=300, required=False, label="Objection")
    response = forms.CharField(
        max_length=2000, required=False, label="How to answer it", widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("response") and not data.get("objection"):
            self.add_error("objection", "Write the objection this answer responds to.")
        return data


ObjectionFormSet = forms.formset_factory(ObjectionForm, extra=2, max_num=20)


def objection_values(formset: forms.BaseFormSet[Any]) -> list[dict[str, str]]:
    return [
        {"objection": f.cleaned_data["objection"], "response": f.cleaned_data.get("response", "")}
        for f in formset.forms
        if f.cleaned_data.get("objection") and not f.cleaned_data.get("DELETE")
    ]


class PositioningForm(forms.ModelForm[Positioning]):
    """One side of a positioning: the PM's value proposition or the PMM's positioning and messages."""

    class Meta:
        model = Positioning
        fields = list(Positioning.PM_FIELDS + Positioning.PMM_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}

    def __init__(self, *args: Any, side: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = permissions.positioning_fields_for_side(side)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields[keep[0]].widget.attrs["autofocus"] = True


class InteractionForm(forms.ModelForm[CustomerInteraction]):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)

    class Meta:
        model = CustomerInteraction
        fields = ["occurred_on", "kind", "account", "duration_minutes", "personas", "notes"]
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "personas": forms.CheckboxSelectMultiple,
        }
        help_texts = {"personas": "Who this conversation tells you about."}

    def __init__(self, *args: Any, teams: QuerySet[Team], personas: QuerySet[Persona], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams
        if self.instance.pk:
            del self.fields["team"]
        elif teams.count() == 1:
            team_field.initial = teams.first()
            team_field.widget = forms.HiddenInput()
        persona_field = self.fields["personas"]
        assert isinstance(persona_field, forms.ModelMultipleChoiceField)
        persona_field.queryset = personas
        persona_field.label_from_instance = lambda p: f"{p.name} · {p.get_kind_display()} ({p.team.name})"  # type: ignore[method-assign, assignment]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = InteractionKind.choices
        self.fields["account"].widget.attrs["autofocus"] = True
        self.order_fields(["team", "occurred_on", "kind", "account", "duration_minutes", "personas", "notes"])


class QuoteForm(forms.ModelForm[Quote]):
    class Meta:
        model = Quote
        fields = ["text", "speaker_role", "persona", "usable_in_sales"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        labels = {"text": "What they said", "persona": "Evidence for persona"}

    def __init__(self, *args: Any, personas: QuerySet[Persona] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        persona_field = self.fields["persona"]
        assert isinstance(persona_field, forms.ModelChoiceField)
        persona_field.queryset = personas if personas is not None else Persona.objects.none()
        persona_field.empty_label = "— no persona —"
        self.fields["text"].required = False

    def has_quote(self) -> bool:
        return bool(self.cleaned_data.get("text"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text") and (data.get("speaker_role") or data.get("persona")):
            self.add_error("text", "Write what the customer said, or clear this quote's other fields.")
        return data


class RequiredQuoteForm(QuoteForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].required = True


class FollowUpForm(forms.Form):
    description = forms.CharField(max_length=300, required=False, label="I'll get back to you with…")
    due_on = forms.DateField(required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("description") and not data.get("due_on"):
            self.add_error("due_on", "Give the follow-up a due date.")
        if data.get("due_on") and not data.get("description"):
            self.add_error("description", "Say what you promised.")
        return data


class BaseQuoteFormSet(forms.BaseFormSet[Any]):
    def __init__(self, *args: Any, personas: QuerySet[Persona], **kwargs: Any) -> None:
        self.personas = personas
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "personas": self.personas}


QuoteFormSet = forms.formset_factory(QuoteForm, formset=BaseQuoteFormSet, extra=2, max_num=20)
FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=1, max_num=10)


def quote_values(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    return [
        {k: f.cleaned_data.get(k) for k in ("text", "speaker_role", "usable_in_sales", "persona")}
        for f in formset.forms
        if f.cleaned_data.get("text")
    ]


def follow_up_values(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    return [
        {"description": f.cleaned_data["description"], "due_on": f.cleaned_data["due_on"]}
        for f in formset.forms
        if f.cleaned_data.get("description")
    ]
