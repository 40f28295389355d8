"""Forms of reporting: the dashboard's filters, producing a report, the leader's summary."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet

from pmm_portal.core.dates import parse_month
from pmm_portal.core.models import Team, User

ALL_TEAMS = "all"
EARLIEST_YEAR = 2000


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month"})
    default_error_messages = {"invalid": "Enter a month as YYYY-MM, for example 2026-10."}

    def to_python(self, value: object) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        # A half-typed year ("0011") is a valid ISO month but never a month of this portal.
        if month is None or month.year < EARLIEST_YEAR:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class DashboardFilterForm(forms.Form):
    team = forms.ChoiceField(label="Team", required=False)
    month = MonthField(label="Month", required=False)

    def __init__(self, *args: object, teams: QuerySet[Team], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [(team.slug, team.name) for team in teams]
        if len(choices) > 1:
            choices.insert(0, (ALL_TEAMS, "All my teams"))
        self.fields["team"].choices = choices  # type: ignore[attr-defined]


class ReportRequestForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label="Team", empty_label=None)
    month = MonthField(
        label="Month",
        help_text="Any past month, or the current one so far.",
        error_messages={"required": "Choose the month to report on."},
    )

    def __init__(self, *args: object, teams: QuerySet[Team], today: dt.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.today = today

    def clean_month(self) -> dt.date:
        month: dt.date | None = self.cleaned_data.get("month")
        if month is None:
            raise forms.ValidationError("Choose the month to report on.")
        if month > self.today.replace(day=1):
            raise forms.ValidationError("That month has not started yet: pick this month or an earlier one.")
        return month


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label="Leader's summary",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=10000,
        help_text="What the month meant, in your words. It appears at the top of the report and in its PDF.",
    )


class SendReportForm(forms.Form):
    """ "Send to…": people of the team picked by a tick, other addresses typed, a note, PDF or link."""

    people = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="People of the team",
    )
    emails = forms.CharField(
        required=False,
        label="Other email addresses",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "ceo@example.com, board@example.com"}),
        help_text="Separate addresses with commas or new lines.",
    )
    message = forms.CharField(
        required=False,
        max_length=2000,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attach_pdf = forms.TypedChoiceField(
        label="Send",
        choices=[("pdf", "The PDF, attached"), ("link", "A link to the report (for portal users)")],
        initial="pdf",
        coerce=lambda value: value == "pdf",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, people: QuerySet[User], max_recipients: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["people"].queryset = people  # type: ignore[attr-defined]
        self.fields["people"].label_from_instance = lambda user: f"{user.display_name} ({user.email})"  # type: ignore[attr-defined]
        self.max_recipients = max_recipients

    def clean_emails(self) -> list[str]:
        text: str = self.cleaned_data.get("emails") or ""
        addresses = [
            part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()
        ]
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            raise ValidationError(f"Not an email address: {', '.join(bad)}. Fix or remove it.")
        return addresses

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        recipients = [user.email for user in data.get("people") or []] + list(data.get("emails") or [])
        recipients = list(dict.fromkeys(address.lower() for address in recipients))
        if not self.errors and not recipients:
            raise ValidationError("Tick at least one person or type an email address.")
        if len(recipients) > self.max_recipients:
            raise ValidationError(f"Send to at most {self.max_recipients} people at once.")
        data["recipients"] = recipients
        return data
