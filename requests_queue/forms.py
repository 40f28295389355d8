"""Forms of the request pages. They parse and check input; the services decide.

Every choice a form offers (products, personas, assignees, assets) comes from a
selector the API's serializers call too, so the two doors offer the same.
"""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from personas.models import Persona
from pmm_portal.core.dates import parse_day
from pmm_portal.core.models import Product, Team, User, time_zone_choices
from pmm_portal.core.selectors import product_choices
from pmm_portal.core.widgets import TypeaheadSelect, TypeaheadSelectMultiple

from . import limits
from .models import Asset, AssetKind, DealStage, NotifyTopic, Request, RequestType
from .selectors import NOT_AN_ASSET, NOT_AN_ASSIGNEE, duplicate_original, persona_choices
from .services import (
    ALLOWED_ATTACHMENT_EXTENSIONS,
    BULK_ACTIONS,
    DECISION_FIELDS,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    REVIEW_AFTER_DAYS,
    SCORE_ONLY,
    Decision,
    RequestError,
    channels_for,
    validate_attachment,
)
from .services.lifecycle import MAX_REASON

SCORE_CHOICES = [("", "–")] + [(str(n), str(n)) for n in range(1, 6)]
ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_ATTACHMENT_EXTENSIONS)
# Decision names older forms and bookmarks post, and the decision they mean now.
LEGACY_DECISIONS = {"reused": "reuse"}
SCORE_FIELDS = ("reusability", "educational_value", "effort_hours")
UPLOAD_HELP = (
    f"Up to {MAX_ATTACHMENTS} files of at most {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB each: "
    "PDF, Office documents, text, CSV or images."
)


# The personas a picker offers, searched as the user types (``personas.views.PersonaOptionsView``).
PERSONA_OPTIONS = reverse_lazy("personas:options")
# The products an asset picker offers, likewise (``views.AssetProductOptionsView``).
PRODUCT_OPTIONS = reverse_lazy("requests_queue:asset_product_options")
DESCRIPTION_HELP = "What sales read: what it is, when to use it. Never a customer's deal details."
INTERNAL_NOTES_HELP = (
    "For your team's marketers only (sources, caveats, what to update): never shown to sales."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SearchInput(forms.TextInput):
    input_type = "search"


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
    competitor = forms.CharField(
        max_length=120,
        required=False,
        help_text="Pick one product marketing knows, or type a new name: they will see it proposed.",
        # The known competitors are offered as the rep types (a list filled on first focus, so
        # the form costs nothing more); a new name stays the rep's words, never a new record.
        widget=forms.TextInput(attrs={"list": "competitor-options", "autocomplete": "off"}),
    )
    deal_stage = forms.ChoiceField(choices=[("", "—"), *DealStage.choices], required=False)
    personas = forms.ModelMultipleChoiceField(
        queryset=Persona.objects.none(),
        required=False,
        label="Personas",
        help_text="Who you are talking to, if you know: type a name.",
        widget=TypeaheadSelectMultiple(url=PERSONA_OPTIONS),
    )
    attachments = MultipleFileField(required=False, help_text=UPLOAD_HELP)

    def clean_personas(self) -> list[Persona]:
        chosen = self.cleaned_data["personas"]
        return [] if chosen.query.is_empty() else list(chosen)  # none picked: no query to run

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_choices()  # type: ignore[attr-defined]
        self.fields["personas"].queryset = persona_choices()  # type: ignore[attr-defined]
        today = timezone.localdate()
        self.fields["needed_by"].widget.attrs["min"] = today.isoformat()
        self.fields["title"].widget.attrs.update(
            {
                "hx-get": "/requests/new/suggestions/",
                "hx-trigger": "input changed delay:250ms, change",
                "hx-target": "#suggestions",
                "hx-include": "[name=product],[name=type],[name=competitor]",
                "hx-indicator": "#suggest-spinner",
                "aria-controls": "suggestions",
            }
        )
        # What the rep already chose moves the matching suggestions up: ask again when it changes.
        for name, trigger in (
            ("product", "change"),
            ("type", "change"),
            ("competitor", "input changed delay:400ms"),
        ):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": "/requests/new/suggestions/",
                    "hx-trigger": trigger,
                    "hx-target": "#suggestions",
                    "hx-include": "[name=title],[name=product],[name=type],[name=competitor]",
                    "hx-indicator": "#suggest-spinner",
                }
            )


class DuplicateOfForm(forms.Form):
    """One click on a likely duplicate: the original's id (the view checks the user sees it)."""

    original = forms.IntegerField(min_value=1, error_messages={"required": "Pick the original request."})


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


class MeTooForm(forms.Form):
    """ "Me too" on an open request: the rep's own deal, from the request form's fields of the same names.

    Every field is optional and only parsed here: ``services.request_me_too`` says what is
    wrong (a past date, a negative value), with the same messages as the API.
    """

    opportunity_value = forms.DecimalField(required=False, max_digits=14, decimal_places=2)
    needed_by = forms.DateField(required=False)
    account = forms.CharField(required=False, max_length=limits.ACCOUNT)


class TriageForm(forms.Form):
    """Triage in one step: the scores, the decision and the fields of that decision, in one submission.

    The form only parses; ``services.request_triage_decide`` decides what is missing or
    wrong (``services.triage_problems``), so the page and the API say the same. Every field
    but the scores is optional here: which ones a decision needs is ``DECISION_FIELDS``,
    marked required on the page (``aria-required`` and an asterisk), never with the
    ``required`` attribute, because the fields of the other decisions are hidden.
    """

    reusability = forms.TypedChoiceField(
        choices=SCORE_CHOICES[1:],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text="1: only this rep will use it · 5: the whole sales team will.",
    )
    educational_value = forms.TypedChoiceField(
        choices=SCORE_CHOICES[1:],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        label="Educational value",
        help_text="1: nothing new · 5: you will learn a lot about product, customer or competition.",
    )
    effort_hours = forms.DecimalField(
        label="Effort estimate (hours)",
        required=False,
        decimal_places=1,
        max_digits=6,
        widget=forms.NumberInput(attrs={"min": 0, "max": 400, "step": "0.5"}),
    )
    decision = forms.CharField(
        required=False, max_length=20
    )  # one of ``DECISION_LABELS``: the service checks it
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Assignee",
        empty_label="Pick a product marketer",
        error_messages={"invalid_choice": NOT_AN_ASSIGNEE},
    )
    due_date = forms.DateField(widget=DateInput(), required=False, label="Due date")
    due_date_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_REASON}),
        required=False,
        max_length=MAX_REASON,
        label="Why later than asked",
        help_text="The rep sees it on their request, so they can plan.",
    )
    asset_search = forms.CharField(
        required=False,
        max_length=200,
        label="Find the asset",
        widget=SearchInput(attrs={"autocomplete": "off"}),
        help_text="Type a few words of its title: the team's library is searched as you type.",
    )
    asset = forms.ModelChoiceField(
        queryset=Asset.objects.none(),
        required=False,
        label="Asset that answers it",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": NOT_AN_ASSET},
    )
    duplicate_of = forms.IntegerField(
        required=False,
        label="Duplicate of request",
        min_value=1,
        help_text="Type a few words of its title or its number.",
    )
    snoozed_until = forms.DateField(widget=DateInput(), required=False, label="Snooze until")
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        required=False,
        max_length=2000,
        label="Your question to the requester",
        help_text="The request waits on them, its SLA clock paused, until they answer.",
    )
    decline_alternative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=limits.NOTE,
        label="Alternative you offer",
        help_text="Never a bare no: an asset, a colleague, a later date, a self-serve path.",
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label="Note to the requester",
        help_text="Sent with an accept, a reuse, a duplicate or a snooze.",
    )

    def __init__(
        self,
        data: Any = None,
        *,
        user: User,
        request: Request,
        assignees: QuerySet[User],
        assets: QuerySet[Asset],
        initial: dict[str, Any] | None = None,
        auto_id: str = "id_%s",
    ) -> None:
        if data is not None and data.get("decision") in LEGACY_DECISIONS:
            # The old "Apply decision" form (``/decide/``) named the reuse decision "reused".
            data = data.copy()
            data["decision"] = LEGACY_DECISIONS[data["decision"]]
        super().__init__(data, initial=initial, auto_id=auto_id)
        self.user = user
        self.request_obj = request
        self.fields["assignee"].queryset = assignees  # type: ignore[attr-defined]
        self.fields["asset"].queryset = assets  # type: ignore[attr-defined]
        # The original is searched among the team's requests as the PMM types, never typed from memory.
        self.fields["duplicate_of"].widget = TypeaheadSelect(
            url=reverse("requests_queue:duplicate_options", args=[request.pk]),
            placeholder="Type a title or #number…",
        )
        for fields in DECISION_FIELDS.values():
            for name in fields:
                self.fields[name].widget.attrs["aria-required"] = "true"
        self.fields["due_date_reason"].widget.attrs["aria-required"] = "true"
        if request.effort_hours is None:
            self.fields["effort_hours"].widget.attrs["aria-required"] = "true"
        # Progressive enhancement (HTMX): a late due date asks for its reason at once; the
        # library is searched as the PMM types. Without it the server says the same on submit.
        self.fields["due_date"].widget.attrs.update(
            {
                "hx-get": reverse("requests_queue:detail", args=[request.pk]) + "?part=due-date",
                "hx-trigger": "change",
                "hx-sync": "this:replace",  # only the last date picked answers
                "hx-target": "#due-date-reason",
                "hx-include": "[name='due_date_reason']",
            }
        )
        self.fields["asset_search"].widget.attrs.update(
            {
                "hx-get": reverse("requests_queue:detail", args=[request.pk]) + "?part=assets",
                "hx-trigger": "input changed delay:300ms, search",
                "hx-sync": "this:replace",
                "hx-target": "#asset-options",
                "hx-include": "[name='asset']:checked",
                "aria-controls": "asset-options",
            }
        )

    def scores_required(self) -> bool:
        """Whether the request still needs its scores (never scored): the page marks them required."""
        return self.request_obj.reusability is None or self.request_obj.educational_value is None

    def clean_duplicate_of(self) -> Request | None:
        number = self.cleaned_data.get("duplicate_of")
        if number is None or self.cleaned_data.get("decision") != "duplicate":
            return None
        try:
            return duplicate_original(user=self.user, request=self.request_obj, id=number)
        except RequestError as error:
            raise forms.ValidationError(error.message_dict["duplicate_of"]) from error

    def clean(self) -> dict[str, Any]:
        """Keep only the errors of the fields the chosen decision uses: the others are hidden and ignored."""
        data = super().clean() or {}
        used = {
            *SCORE_FIELDS,
            "decision",
            "message",
            *DECISION_FIELDS.get(data.get("decision") or SCORE_ONLY, ()),
        }
        used |= {"due_date_reason"} if "due_date" in used else set()
        used |= {"asset_search"} if "asset" in used else set()
        for name in [name for name in self.errors if name in self.fields and name not in used]:
            del self.errors[name]
        return data

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``services.request_triage_decide`` from what parsed (all of it once valid)."""
        data = getattr(self, "cleaned_data", {})
        decision = Decision(
            move=data.get("decision") or SCORE_ONLY,  # scores alone, as the old scores form posted them
            assignee=data.get("assignee"),
            due_date=data.get("due_date"),
            due_date_reason=data.get("due_date_reason") or "",
            asset=data.get("asset"),
            duplicate_of=data.get("duplicate_of"),
            snoozed_until=data.get("snoozed_until"),
            decline_alternative=data.get("decline_alternative") or "",
            question=data.get("question") or "",
            message=data.get("message") or "",
        )
        return {
            "reusability": data.get("reusability"),
            "educational_value": data.get("educational_value"),
            "effort_hours": data.get("effort_hours"),
            "decision": decision,
        }

    def chosen_decision(self) -> str:
        """The decision shown as chosen: the one submitted, else the initial one."""
        value = self["decision"].value()
        return str(value) if value else SCORE_ONLY

    def chosen_due_date(self) -> date | None:
        """The due date shown in the form (submitted or initial), parsed; None when there is none."""
        value = self["due_date"].value()
        if isinstance(value, date):
            return value
        return parse_day(str(value)) if value else None


def this_monday() -> Any:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


class TakeOnForm(forms.Form):
    """Claim and start in one step, from the queue: the scores when the request has none yet
    (``services.request_take_on`` says which are missing, with the triage form's words)."""

    reusability = forms.TypedChoiceField(
        choices=SCORE_CHOICES, coerce=int, required=False, empty_value=None, label="Reusability"
    )
    educational_value = forms.TypedChoiceField(
        choices=SCORE_CHOICES, coerce=int, required=False, empty_value=None, label="Educational value"
    )
    effort_hours = forms.DecimalField(
        label="Effort (hours)",
        required=False,
        min_value=0,
        max_value=400,
        decimal_places=1,
        max_digits=6,
        widget=forms.NumberInput(attrs={"min": 0, "max": 400, "step": "0.5"}),
    )


class IdListField(forms.Field):
    """Request ids ticked in a list (``<input type=checkbox name=ids>``), as integers."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError) as error:
            raise forms.ValidationError("Select requests from the list.") from error


class BulkForm(forms.Form):
    """One step for the requests ticked in the queue (``services.request_bulk`` checks what each step needs)."""

    ids = IdListField(required=False)
    action = forms.ChoiceField(
        choices=[("", "Choose a step…"), *BULK_ACTIONS.items()], required=False, label="With the selected"
    )
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Assignee", empty_label="Pick a product marketer"
    )
    until = forms.DateField(widget=DateInput(), required=False, label="Until")
    alternative = forms.CharField(max_length=limits.NOTE, required=False, label="Alternative offered")
    type = forms.ChoiceField(
        choices=[("", "Pick a type"), *RequestType.choices], required=False, label="Type"
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), required=False, label="Product", empty_label="Pick a product"
    )

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees  # type: ignore[attr-defined]
        self.fields["product"].queryset = product_choices()  # type: ignore[attr-defined]
        self.fields["until"].widget.attrs["min"] = (timezone.localdate() + timedelta(days=1)).isoformat()


class SavedViewForm(forms.Form):
    """Save the queue as it is filtered and sorted now (``services.saved_view_save``)."""

    name = forms.CharField(
        max_length=60, label="Name", widget=forms.TextInput(attrs={"placeholder": "e.g. New this week"})
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label="Shared with", empty_label="Only me"
    )
    query = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class NotificationPreferencesForm(forms.Form):
    """Per topic: email at once, the daily digest or the app only; the digest's hour and zone; and, for
    PMMs, the days they triage each of their teams' new requests (one field per team)."""

    hour = forms.TypedChoiceField(
        choices=[(h, f"{h:02d}:00") for h in range(24)], coerce=int, label="Send my digest at"
    )
    time_zone = forms.ChoiceField(required=False, label="In the time zone")

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for topic, label in NotifyTopic.choices:
            self.fields[f"topic_{topic}"] = forms.ChoiceField(
                choices=channels_for(topic), label=label, widget=forms.RadioSelect
            )
        self.fields["time_zone"].choices = [("", "My team's time zone"), *time_zone_choices()]  # type: ignore[attr-defined]
        self.teams = teams
        for team in teams:
            self.fields[f"triage_{team.pk}"] = forms.TypedMultipleChoiceField(
                choices=WEEKDAYS,
                coerce=int,
                required=False,
                label=f"I triage new {team.name} requests on",
                widget=forms.CheckboxSelectMultiple,
            )

    def channels(self) -> dict[str, str]:
        return {topic: self.cleaned_data[f"topic_{topic}"] for topic in NotifyTopic.values}

    def triage_days(self) -> dict[Team, list[int]]:
        return {team: self.cleaned_data.get(f"triage_{team.pk}") or [] for team in self.teams}


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
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=limits.NOTE,
        label="Note to the requester",
    )
    publish = forms.BooleanField(required=False, label="Publish it to the asset library (reusable work)")
    asset_title = forms.CharField(max_length=200, required=False, label="Asset title")
    asset_kind = forms.ChoiceField(choices=AssetKind.choices, required=False, label="Asset kind")
    asset_description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=limits.DETAILS,
        label="Asset description (what sales read)",
        help_text="Written for every rep: the request's details (its account and deal) are never copied.",
    )
    asset_products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.none(),
        required=False,
        label="Asset products",
        widget=TypeaheadSelectMultiple(url=PRODUCT_OPTIONS),
    )
    asset_personas = forms.ModelMultipleChoiceField(
        queryset=Persona.objects.none(),
        required=False,
        label="Asset personas",
        widget=TypeaheadSelectMultiple(url=PERSONA_OPTIONS),
    )
    review_by = forms.DateField(widget=DateInput(), required=False, label="Review by")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review_by"].initial = timezone.localdate() + timedelta(days=REVIEW_AFTER_DAYS)
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
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        label="Message",
        help_text="Write @username to tell someone who can see this request.",
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(choices=SCORE_CHOICES[1:], coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class CancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500)


class AssetForm(forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    kind = forms.ChoiceField(choices=AssetKind.choices)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=limits.DETAILS,
        help_text=DESCRIPTION_HELP,
    )
    internal_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=limits.DETAILS,
        help_text=INTERNAL_NOTES_HELP,
    )
    link = forms.URLField(required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(
        required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}), help_text=UPLOAD_HELP
    )
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.none(), required=False, widget=TypeaheadSelectMultiple(url=PRODUCT_OPTIONS)
    )
    personas = forms.ModelMultipleChoiceField(
        queryset=Persona.objects.none(), required=False, widget=TypeaheadSelectMultiple(url=PERSONA_OPTIONS)
    )
    review_by = forms.DateField(widget=DateInput(), label="Review by")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = product_choices()  # type: ignore[attr-defined]
        self.fields["personas"].queryset = persona_choices()  # type: ignore[attr-defined]
        self.fields["review_by"].initial = timezone.localdate() + timedelta(days=REVIEW_AFTER_DAYS)


class AssetEditForm(AssetForm):
    """The asset's details: its file and link change by uploading a new version (``AssetVersionForm``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["link"]
        del self.fields["file"]
        self.fields["title"].widget.attrs.pop("autofocus", None)


class AssetVersionForm(forms.Form):
    file = forms.FileField(
        required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}), help_text=UPLOAD_HELP
    )
    link = forms.URLField(required=False, max_length=500, assume_scheme="https")
    note = forms.CharField(max_length=limits.REASON, required=False, label="What changed")


class AssetRetireForm(forms.Form):
    replaced_by = forms.ModelChoiceField(
        queryset=Asset.objects.none(),
        required=False,
        label="Replaced by",
        help_text="A live asset of your team.",
    )
    reason = forms.CharField(
        max_length=limits.REASON,
        required=False,
        help_text="Why it is retired (required when nothing replaces it).",
    )

    def __init__(self, *args: Any, asset: Asset, replacements: QuerySet[Asset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["replaced_by"]
        # Searched among the team's live assets as the PMM types: the library may hold thousands.
        field.widget = TypeaheadSelect(
            url=reverse("requests_queue:asset_replacement_options", args=[asset.pk]),
            placeholder="Type the replacement's title…",
        )
        field.queryset = replacements  # type: ignore[attr-defined]  # (also gives the widget its choices)
