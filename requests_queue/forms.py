"""Forms of the request pages. They parse and check input; the services decide.

Every choice a form offers (products, personas, assignees, assets) comes from a
selector the API's serializers call too, so the two doors offer the same.
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from personas.models import Persona
from pmm_portal.core.models import Product, User
from pmm_portal.core.selectors import product_choices

from .models import Asset, AssetKind, DealStage, RequestType
from .selectors import persona_choices
from .services import (
    ALLOWED_ATTACHMENT_EXTENSIONS,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    RequestError,
    validate_attachment,
)

SCORE_CHOICES = [("", "–")] + [(str(n), str(n)) for n in range(1, 6)]
ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_ATTACHMENT_EXTENSIONS)
UPLOAD_HELP = (
    f"Up to {MAX_ATTACHMENTS} files of at most {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB each: "
    "PDF, Office documents, text, CSV or images."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked for size and type."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(f"Attach at most {MAX_ATTACHMENTS} files.")
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        for upload in cleaned:
            try:
                validate_attachment(upload)
            except RequestError as error:
                raise forms.ValidationError(error.messages) from error
        return cleaned


class RequestForm(forms.Form):
    """``/requests/new/``: short, in the order a salesperson thinks."""

    title = forms.CharField(
        max_length=200,
        label="What do you need?",
        help_text="A short title, e.g. “Battlecard against Northwind for the Acme deal”. "
        "We search the library as you type.",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    type = forms.ChoiceField(choices=RequestType.choices, label="Type of help")
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        empty_label="Pick the product",
        error_messages={"invalid_choice": "Pick a product from the list: that one does not exist."},
    )
    details = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text="Context that helps: the customer's question, the competitor, what you tried.",
    )
    needed_by = forms.DateField(widget=DateInput(), label="Needed by")
    account = forms.CharField(max_length=200, required=False, help_text="The customer or prospect.")
    opportunity_value = forms.DecimalField(
        label="Opportunity value",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="In your currency, without separators.",
    )
    competitor = forms.CharField(max_length=120, required=False)
    deal_stage = forms.ChoiceField(choices=[("", "—"), *DealStage.choices], required=False)
    personas = forms.ModelMultipleChoiceField(
        queryset=Persona.objects.none(),
        required=False,
        label="Personas",
        help_text="Who you are talking to, if you know.",
    )
    attachments = MultipleFileField(required=False, help_text=UPLOAD_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_choices()  # type: ignore[attr-defined]
        self.fields["personas"].queryset = persona_choices()  # type: ignore[attr-defined]
        today = timezone.localdate()
        self.fields["needed_by"].widget.attrs["min"] = today.isoformat()
        self.fields["title"].widget.attrs.update(
            {
                "hx-get": "/requests/new/suggestions/",
                "hx-trigger": "keyup changed delay:300ms, change",
                "hx-target": "#suggestions",
                "hx-include": "[name=product]",
                "hx-indicator": "#suggest-spinner",
                "aria-controls": "suggestions",
            }
        )


class SelfServeForm(forms.Form):
    """ "This answers my question": what the requester typed and what answered it."""

    title = forms.CharField(max_length=200)
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        error_messages={"required": "Pick the product first, then confirm that this answers your question."},
    )
    type = forms.ChoiceField(choices=RequestType.choices, required=False)
    details = forms.CharField(required=False, max_length=5000)
    asset = forms.IntegerField(required=False)
    past_request = forms.IntegerField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_choices()  # type: ignore[attr-defined]


class TriageForm(forms.Form):
    reusability = forms.TypedChoiceField(
        choices=SCORE_CHOICES[1:],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="1: only this rep will use it · 5: the whole sales team will.",
    )
    educational_value = forms.TypedChoiceField(
        choices=SCORE_CHOICES[1:],
        coerce=int,
        widget=forms.RadioSelect,
        label="Educational value",
        help_text="1: nothing new · 5: you will learn a lot about product, customer or competition.",
    )
    effort_hours = forms.DecimalField(
        label="Effort estimate (hours)", min_value=0, max_value=400, decimal_places=1, max_digits=6
    )


DECISIONS = [
    ("accept", "Accept: assign and set a due date"),
    ("reused", "Answer with an existing asset"),
    ("duplicate", "Duplicate of another request"),
    ("snooze", "Snooze until a date"),
    ("decline", "Decline with an alternative"),
]
# Each decision is one move of ``requests_queue.workflow.TRANSITIONS``.
DECISION_MOVES = {
    "accept": "accept",
    "reused": "reuse",
    "duplicate": "duplicate",
    "snooze": "snooze",
    "decline": "decline",
}


class DecisionForm(forms.Form):
    """The triage decision; the fields a decision needs are checked by its service."""

    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    due_date = forms.DateField(widget=DateInput(), required=False)
    asset = forms.ModelChoiceField(
        queryset=Asset.objects.none(), required=False, label="Asset that answers it"
    )
    duplicate_of = forms.IntegerField(required=False, label="Duplicate of request #", min_value=1)
    snoozed_until = forms.DateField(widget=DateInput(), required=False, label="Snooze until")
    decline_alternative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Alternative you offer",
        help_text="Never a bare no: an asset, a colleague, a later date, a self-serve path.",
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Note to the requester"
    )

    def __init__(
        self,
        *args: Any,
        assignees: QuerySet[User],
        assets: QuerySet[Asset],
        moves: set[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``moves``: the workflow moves available now; only their decisions are offered."""
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees  # type: ignore[attr-defined]
        self.fields["asset"].queryset = assets  # type: ignore[attr-defined]
        if moves is not None:
            self.fields["decision"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in DECISIONS if DECISION_MOVES[value] in moves
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        required = {
            "accept": [("assignee", "Pick who will do it."), ("due_date", "Set a due date.")],
            "reused": [("asset", "Pick the asset that answers the request.")],
            "duplicate": [("duplicate_of", "Give the number of the original request.")],
            "snooze": [("snoozed_until", "Pick the date it comes back.")],
            "decline": [
                (
                    "decline_alternative",
                    "Offer an alternative (an existing asset, a colleague, a later date…): no hard no.",
                )
            ],
        }
        for field, message in required.get(str(decision), []):
            value = data.get(field)
            if value in (None, "") or (isinstance(value, str) and not value.strip()):
                self.add_error(field, message)
        return data


def this_monday() -> Any:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


class LogTimeForm(forms.Form):
    week_start = forms.DateField(widget=DateInput(), label="Week of", initial=this_monday)
    hours = forms.DecimalField(min_value=0.5, max_value=80, decimal_places=1, max_digits=4)
    note = forms.CharField(max_length=200, required=False)


class DeliverForm(forms.Form):
    link = forms.URLField(
        required=False, max_length=500, assume_scheme="https", help_text="A link to the deliverable."
    )
    file = forms.FileField(
        required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}), help_text=UPLOAD_HELP
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Note to the requester"
    )
    publish = forms.BooleanField(required=False, label="Publish it to the asset library (reusable work)")
    asset_title = forms.CharField(max_length=200, required=False, label="Asset title")
    asset_kind = forms.ChoiceField(choices=AssetKind.choices, required=False, label="Asset kind")
    asset_products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.none(), required=False, label="Asset products"
    )
    asset_personas = forms.ModelMultipleChoiceField(
        queryset=Persona.objects.none(), required=False, label="Asset personas"
    )
    review_by = forms.DateField(widget=DateInput(), required=False, label="Review by")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review_by"].initial = timezone.localdate() + timedelta(days=180)
        self.fields["asset_products"].queryset = product_choices()  # type: ignore[attr-defined]
        self.fields["asset_personas"].queryset = persona_choices()  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                validate_attachment(upload)
            except RequestError as error:
                raise forms.ValidationError(error.messages) from error
        return upload


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Message")


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(choices=SCORE_CHOICES[1:], coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class CancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500)


class AssetForm(forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    kind = forms.ChoiceField(choices=AssetKind.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    link = forms.URLField(required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(
        required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}), help_text=UPLOAD_HELP
    )
    products = forms.ModelMultipleChoiceField(queryset=Product.objects.none(), required=False)
    personas = forms.ModelMultipleChoiceField(queryset=Persona.objects.none(), required=False)
    review_by = forms.DateField(widget=DateInput(), label="Review by")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = product_choices()  # type: ignore[attr-defined]
        self.fields["personas"].queryset = persona_choices()  # type: ignore[attr-defined]
        self.fields["review_by"].initial = timezone.localdate() + timedelta(days=180)
