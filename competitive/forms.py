"""Forms of competitive intelligence: they parse; the services decide (``services``)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse

from personas.models import CustomerInteraction, Persona
from pmm_portal.core.models import Team
from pmm_portal.core.widgets import TypeaheadSelect, TypeaheadSelectMultiple
from requests_queue.models import Asset

from .models import Competitor, LossReason, Outcome, Stage, WinLossReview

DateInput = forms.DateInput


class CompetitorForm(forms.ModelForm):  # type: ignore[type-arg]
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None, required=False)
    website = forms.URLField(max_length=300, required=False, assume_scheme="https")

    class Meta:
        model = Competitor
        fields = [
            "name",
            "aliases",
            "website",
            "tier",
            "summary",
            "strengths",
            "weaknesses",
            "how_we_win",
            "landmines",
            "pricing_notes",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            **{
                name: forms.Textarea(attrs={"rows": 4})
                for name in ("strengths", "weaknesses", "how_we_win", "landmines", "pricing_notes")
            },
        }

    linked_assets = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(),
        required=False,
        label="Linked assets",
        help_text="Library assets about it that do not name it (those that do are found by name).",
    )
    linked_interactions = forms.ModelMultipleChoiceField(
        queryset=CustomerInteraction.objects.none(),
        required=False,
        label="Linked customer conversations",
        help_text="Conversations in which it came up, when the notes do not name it.",
    )

    def __init__(self, *args: Any, teams: QuerySet[Team] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if teams is None or self.instance.pk:
            del self.fields["team"]
        else:
            self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["website"].widget.attrs["placeholder"] = "https://"
        competitor = self.instance
        if competitor.pk:  # links are made once the competitor (and so its team) exists
            links = {
                "linked_assets": (
                    Asset.objects.filter(team_id=competitor.team_id, retired_at__isnull=True),
                    "competitive:link_asset_options",
                    "Type an asset's title…",
                ),
                "linked_interactions": (
                    CustomerInteraction.objects.filter(team_id=competitor.team_id),
                    "competitive:link_interaction_options",
                    "Type an account…",
                ),
            }
            for name, (queryset, url, placeholder) in links.items():
                field = self.fields[name]
                field.queryset = queryset  # type: ignore[attr-defined]
                field.widget = TypeaheadSelectMultiple(
                    url=reverse(url, args=[competitor.pk]), placeholder=placeholder
                )
                field.widget.choices = field.choices  # type: ignore[attr-defined]
                if not self.is_bound:
                    field.initial = list(getattr(competitor, name).values_list("pk", flat=True))
        else:
            del self.fields["linked_assets"], self.fields["linked_interactions"]

    def _post_clean(self) -> None:
        """The services validate (the team and owner are theirs to set)."""


class ReviewForm(forms.Form):
    account = forms.CharField(max_length=120, label="Account")
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect, label="Outcome")
    value = forms.DecimalField(
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        label="Deal value",
        help_text="Annual contract value, in the organisation's currency.",
    )
    decided_on = forms.DateField(widget=DateInput(attrs={"type": "date"}), label="Decided on")
    competitor = forms.ModelChoiceField(
        queryset=Competitor.objects.none(), required=False, empty_label="No competitor (or unknown)"
    )
    stage_lost_at = forms.ChoiceField(
        choices=[("", "—"), *Stage.choices],
        required=False,
        label="Stage lost at",
        help_text="Lost deals only: where the buyer stopped.",
    )
    reasons = forms.ModelMultipleChoiceField(
        queryset=LossReason.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Reasons",
        help_text="Why it went that way: the team's list keeps the figures comparable.",
    )
    personas = forms.ModelMultipleChoiceField(
        queryset=Persona.objects.none(), required=False, label="Personas"
    )
    interaction = forms.ModelChoiceField(
        queryset=CustomerInteraction.objects.none(),
        required=False,
        label="From the conversation",
        help_text="The win/loss interview or call this review comes from, if any.",
    )
    buyer_quote = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        label="Buyer quote",
        help_text="What the buyer said, in their words.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, required=False)

    def __init__(self, *args: Any, team: Team, reasons: list[LossReason], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competitor"].queryset = Competitor.objects.filter(team=team).order_by("name")  # type: ignore[attr-defined]
        chosen = {r.pk for r in kwargs.get("initial", {}).get("reasons", [])}
        self.fields["reasons"].queryset = LossReason.objects.filter(  # type: ignore[attr-defined]
            pk__in=[r.pk for r in reasons if r.active or r.pk in chosen]
        ).order_by("name")
        self.fields["personas"].widget = TypeaheadSelectMultiple(
            url=reverse("initiatives:persona-options"),
            placeholder="Type a persona's name…",
            attrs={"aria-label": "Personas"},
        )
        self.fields["personas"].queryset = Persona.objects.filter(team=team).order_by("name")  # type: ignore[attr-defined]
        interaction = self.fields["interaction"]
        interaction.queryset = CustomerInteraction.objects.filter(team=team)  # type: ignore[attr-defined]
        interaction.widget = TypeaheadSelect(
            url=reverse("competitive:review_interaction_options"),
            placeholder="Type the account…",
            attrs={"aria-label": "From the conversation"},
        )
        interaction.widget.choices = interaction.choices  # type: ignore[attr-defined]

    def arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["value"] = data.get("value") or 0
        return data

    @classmethod
    def initial_for(cls, review: WinLossReview) -> dict[str, Any]:
        return {
            "account": review.account,
            "outcome": review.outcome,
            "value": review.value,
            "decided_on": review.decided_on,
            "competitor": review.competitor_id,
            "stage_lost_at": review.stage_lost_at,
            "reasons": list(review.reasons.all()),
            "personas": list(review.personas.all()),
            "buyer_quote": review.buyer_quote,
            "notes": review.notes,
            "interaction": review.interaction_id,
        }


class ReasonForm(forms.Form):
    name = forms.CharField(max_length=80, label="Reason")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None, required=False)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class BattlecardForm(forms.Form):
    persona = forms.ModelChoiceField(
        queryset=Persona.objects.none(),
        required=False,
        label="For the persona",
        help_text="Leave empty for a card that serves every buyer.",
    )
    quick_dismiss = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
        label="Quick dismiss",
        help_text="One or two sentences a rep says when the buyer names them.",
    )
    why_we_win = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        label="Why we win",
        help_text="Three reasons, one per line, with the proof behind each.",
    )
    landmines = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label="Landmines to set",
        help_text="Questions that expose their weaknesses, one per line.",
    )
    proof_points = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label="Proof points",
        help_text="Customers, numbers and analyst lines a rep may repeat, one per line.",
    )

    def __init__(self, *args: Any, competitor: Competitor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["persona"].widget = TypeaheadSelect(
            url=reverse("initiatives:persona-options"),
            placeholder="Type a persona's name…",
            attrs={"aria-label": "For the persona"},
        )
        self.fields["persona"].queryset = Persona.objects.filter(team_id=competitor.team_id).order_by("name")  # type: ignore[attr-defined]


class BattlecardObjectionForm(forms.Form):
    objection = forms.CharField(max_length=300, required=False, label="Objection")
    answer = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False, label="Answer"
    )


BattlecardObjectionFormSet = forms.formset_factory(BattlecardObjectionForm, extra=2, max_num=15)


def objection_rows(formset: forms.BaseFormSet[Any]) -> list[dict[str, str]]:
    """The objections filled in, in order (empty rows are dropped)."""
    return [
        {"objection": f.cleaned_data["objection"], "answer": f.cleaned_data.get("answer", "")}
        for f in formset.forms
        if f.cleaned_data.get("objection")
    ]
