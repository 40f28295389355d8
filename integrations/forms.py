"""The endpoint form (kind-specific event choices, the teams the user leads) and a person's own Slack or
Teams address. The rules are the services'."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from pmm_portal.core.models import Team

from .models import CHAT_KINDS, NAME, URL, EndpointKind, Event
from .services import allowed_events


class EndpointForm(forms.Form):
    name = forms.CharField(max_length=NAME, help_text="Where it goes, e.g. “CRM sync” or “#pmm-requests”.")
    url = forms.CharField(
        label="URL",
        max_length=URL,
        help_text="An http:// or https:// address. For Slack or Teams: the channel's incoming-webhook URL.",
    )
    events = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, choices=())
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(
        self, *args: Any, kind: str, teams: QuerySet[Team], allow_all_teams: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Event.choices)
        events_field = self.fields["events"]
        assert isinstance(events_field, forms.MultipleChoiceField)
        events_field.choices = [(e, labels[e]) for e in allowed_events(kind)]
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams.order_by("name")
        if allow_all_teams and kind == EndpointKind.WEBHOOK:
            team_field.empty_label = "Every team"
            team_field.help_text = "Empty: it hears every team's events."
        else:
            team_field.required = True
            team_field.empty_label = None


class PersonalChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label="Post to",
        choices=[(k, EndpointKind(k).label.removesuffix(" channel")) for k in CHAT_KINDS],
        widget=forms.RadioSelect,
        initial=EndpointKind.SLACK,
    )
    url = forms.CharField(
        label="Your incoming-webhook URL",
        max_length=URL,
        help_text=(
            "Slack: an incoming webhook to a private channel or your direct messages "
            "(it starts with https://hooks.slack.com/). Teams: a Workflows “post to a chat when a "
            "webhook request is received” URL. Only you see it."
        ),
    )
