"""Forms of launches: they parse; the services decide (``services``)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse

from initiatives.models import Initiative
from pmm_portal.core.models import Product, User
from pmm_portal.core.widgets import TypeaheadSelect
from requests_queue.models import Asset

from .models import ItemStatus, Launch, LaunchItem, LaunchTier, Side

DateInput = forms.DateInput


class LaunchForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label=None)
    name = forms.CharField(max_length=160, label="Name", help_text="The release or its headline.")
    launch_on = forms.DateField(widget=DateInput(attrs={"type": "date"}), label="Launch date")
    tier = forms.TypedChoiceField(
        choices=LaunchTier.choices,
        coerce=int,
        widget=forms.RadioSelect,
        label="Tier",
        help_text="Tier 1: a major release with the full handoff; tier 3: a minor one with the essentials.",
    )
    owners = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Owners",
        help_text="Who answers for the launch. Empty: the product's PM and its PMM.",
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False, label="Summary"
    )
    from_template = forms.BooleanField(
        required=False,
        initial=True,
        label="Start from the team's template for this tier",
        help_text="Creates the checklist: what the PM owes the PMM, what the PMM owes the PM, and the deliverables.",
    )

    def __init__(
        self,
        *args: Any,
        products: QuerySet[Product] | None = None,
        people: QuerySet[User],
        launch: Launch | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if launch is not None or products is None:
            del self.fields["product"]
            del self.fields["from_template"]
        else:
            self.fields["product"].queryset = products  # type: ignore[attr-defined]
            self.fields["product"].label_from_instance = lambda p: f"{p.name} ({p.team.name})"  # type: ignore[attr-defined]
        self.fields["owners"].queryset = people  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, launch: Launch) -> dict[str, Any]:
        return {
            "name": launch.name,
            "launch_on": launch.launch_on,
            "tier": launch.tier,
            "owners": list(launch.owners.all()),
            "summary": launch.summary,
        }


class ItemForm(forms.Form):
    title = forms.CharField(max_length=160, label="What is needed")
    side = forms.ChoiceField(choices=Side.choices, label="Who owes it")
    for_sales = forms.BooleanField(
        required=False, label="Sales enablement", help_text="Sales see this item on the launch page."
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody yet")
    offset_days = forms.IntegerField(
        min_value=-120,
        max_value=250,
        initial=5,
        label="Business days before launch",
        help_text="The due date is counted back from the launch date (negative: after it).",
    )
    due_on = forms.DateField(
        widget=DateInput(attrs={"type": "date"}),
        required=False,
        label="Due date set by hand",
        help_text="Leave empty to count it from the launch date, so it moves with the launch.",
    )
    status = forms.ChoiceField(choices=ItemStatus.choices, initial=ItemStatus.NOT_STARTED)
    asset = forms.ModelChoiceField(
        queryset=Asset.objects.none(), required=False, label="Delivered by the asset"
    )
    initiative = forms.ModelChoiceField(
        queryset=Initiative.objects.none(), required=False, label="…or by the initiative"
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)

    def __init__(self, *args: Any, launch: Launch, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_id = launch.product.team_id
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
        self.fields["asset"].widget = TypeaheadSelect(
            url=reverse("launches:asset_options", args=[launch.pk]),
            placeholder="Type an asset's title…",
            attrs={"aria-label": "Delivered by the asset"},
        )
        self.fields["asset"].queryset = Asset.objects.filter(team_id=team_id, retired_at__isnull=True)  # type: ignore[attr-defined]
        self.fields["initiative"].widget = TypeaheadSelect(
            url=reverse("launches:initiative_options", args=[launch.pk]),
            placeholder="Type an initiative's title…",
            attrs={"aria-label": "…or by the initiative"},
        )
        self.fields["initiative"].queryset = Initiative.objects.filter(team_id=team_id)  # type: ignore[attr-defined]

    def arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    @classmethod
    def initial_for(cls, item: LaunchItem) -> dict[str, Any]:
        return {
            "title": item.title,
            "side": item.side,
            "for_sales": item.for_sales,
            "owner": item.owner_id,
            "offset_days": item.offset_days,
            "due_on": item.due_on if item.due_by_hand else None,
            "status": item.status,
            "asset": item.asset_id,
            "initiative": item.initiative_id,
            "note": item.note,
        }


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=160, label="Name")


class TemplateItemForm(forms.Form):
    title = forms.CharField(max_length=160, required=False, label="Item")
    side = forms.ChoiceField(choices=Side.choices, label="Who owes it")
    for_sales = forms.BooleanField(required=False, label="Sales enablement")
    offset_days = forms.IntegerField(min_value=-120, max_value=250, initial=5, label="Business days before")


TemplateItemFormSet = forms.formset_factory(TemplateItemForm, extra=2, max_num=40)


def template_rows(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    """The items filled in, in order (rows without a title are dropped)."""
    return [dict(f.cleaned_data) for f in formset.forms if f.cleaned_data.get("title")]
