"""The tracked models the audit log reads, and for each: its label, its team and its page.

Every business model keeps a django-simple-history table (``history = TrackedHistory(...)``).
A ``Source`` says how the log shows a row of that table:

- ``label``: the fields (paths from the history row) joined by " · " as the object's name, the
  text the free-text search matches;
- ``team``: how the object's team is found, which decides what a CMO sees (the changes of
  objects of the teams they lead). ``path`` is the team id's path from the history row
  (``team_id``, ``initiative__team_id``…); ``member`` is the path of a person, whose teams are
  the teams they are a member of (a user, a time entry's user). A path through a parent is
  followed on the live table: once the parent is deleted, its children's rows are shown to
  administrators only;
- ``link``: the page that shows the object (URL name and the history row's attribute holding
  its id), or none.

``EXCLUDED`` lists, with the reason, the models of the business apps that keep no history;
``tests/audit`` fails when a model is in neither list.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat

# The apps whose models are business objects.
BUSINESS_APPS = (
    "core",
    "personas",
    "timesheets",
    "diagnostics",
    "competitive",
    "launches",
    "initiatives",
    "requests_queue",
    "reporting",
)

# Models of the business apps that keep no history, and why.
EXCLUDED: dict[str, str] = {
    # Derived or technical tables, rebuilt from the others.
    "core.searchdocument": "the search index, rebuilt from the objects it indexes",
    "core.searchword": "the spelling dictionary of the search index",
    "core.dataversion": "a counter of writes for the page cache",
    "core.passwordresetmail": "an outbox row of a mail task; no business object",
    # Outbox and idempotency rows: the record that a mail or reminder went out once.
    "initiatives.winpromotionmail": "the idempotency key of a promoted-win mail",
    "initiatives.sentreminder": "the idempotency key of a reminder",
    "launches.launchreminder": "the idempotency key of a launch reminder",
    "requests_queue.notification": "a person's inbox notice, derived from a request event",
    "requests_queue.notificationdelivery": "the idempotency key of a notification mail",
    "requests_queue.digestdelivery": "the idempotency key of a daily digest",
    "requests_queue.assetreviewreminder": "the idempotency key of an asset review reminder",
    # Already an append-only record of its own.
    "requests_queue.requestevent": "the request's own timeline (append-only); requests keep history",
    "reporting.reportversion": "an immutable numbered version of a report; the report keeps history",
    # A person's own notification choices, not a business object.
    "initiatives.winmailoptout": "a person's opt-out of promoted-win mails",
    "requests_queue.notificationpreference": "a person's notification channel per topic",
    "requests_queue.digestsettings": "a person's digest hour and time zone",
}


@dataclass(frozen=True)
class Source:
    """How the audit log shows the history rows of one tracked model."""

    model_label: str  # "app_label.ModelName"
    label: tuple[str, ...]
    team: str = ""  # path to the team id from a history row
    member: str = ""  # path to a person whose teams the object belongs to
    link: tuple[str, str] | None = None  # (URL name, attribute of the history row with the id)

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def history_model(self) -> type[models.Model]:
        history_model: type[models.Model] = self.model.history.model  # type: ignore[attr-defined]
        return history_model

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def name(self) -> str:
        return str(self.model._meta.verbose_name).capitalize()

    def label_expression(self) -> Any:
        """The object's label as one text column: the ``label`` paths joined by " · "."""
        parts: list[Any] = []
        for path in self.label:
            if parts:
                parts.append(Value(" · "))
            parts.append(Coalesce(Cast(path, models.TextField()), Value(""), output_field=models.TextField()))
        return parts[0] if len(parts) == 1 else Concat(*parts, output_field=models.TextField())

    def in_teams(self, team_ids: Iterable[int] | QuerySet[Any]) -> Q:
        """The history rows of objects belonging to one of ``team_ids``."""
        if self.member:
            return Q(**{f"{self.member}__in": team_members(team_ids)})
        return Q(**{f"{self.team}__in": team_ids})


def team_members(team_ids: Iterable[int] | QuerySet[Any]) -> QuerySet[Any]:
    """The ids of the members of ``team_ids`` (a subquery)."""
    team_model = apps.get_model("core.Team")
    return team_model.members.through.objects.filter(team_id__in=team_ids).values("user_id")


SOURCES: tuple[Source, ...] = (
    # --- Core: people, teams and their settings, products -----------------------------------------
    Source("core.User", ("username",), member="id"),
    Source("core.Team", ("name",), team="id"),
    Source("core.Product", ("name",), team="team_id"),
    # --- Personas ----------------------------------------------------------------------------------
    Source("personas.Persona", ("name",), team="team_id", link=("personas:detail", "id")),
    Source(
        "personas.Objection", ("objection",), team="persona__team_id", link=("personas:detail", "persona_id")
    ),
    Source(
        "personas.Positioning",
        ("persona__name", "product__name"),
        team="persona__team_id",
        link=("personas:detail", "persona_id"),
    ),
    Source(
        "personas.CustomerInteraction",
        ("account", "occurred_on"),
        team="team_id",
        link=("personas:interaction_detail", "id"),
    ),
    Source(
        "personas.Quote",
        ("text",),
        team="interaction__team_id",
        link=("personas:interaction_detail", "interaction_id"),
    ),
    Source(
        "personas.FollowUp",
        ("description",),
        team="interaction__team_id",
        link=("personas:interaction_detail", "interaction_id"),
    ),
    # --- Plans, reviews, wins and learnings ----------------------------------------------------------
    Source("initiatives.Initiative", ("title",), team="team_id", link=("initiatives:detail", "id")),
    Source(
        "initiatives.Milestone",
        ("title",),
        team="initiative__team_id",
        link=("initiatives:detail", "initiative_id"),
    ),
    Source(
        "initiatives.StatusUpdate",
        ("initiative__title", "status"),
        team="initiative__team_id",
        link=("initiatives:detail", "initiative_id"),
    ),
    Source(
        "initiatives.FocusSlot",
        ("initiative__title", "month"),
        team="initiative__team_id",
        link=("initiatives:detail", "initiative_id"),
    ),
    Source(
        "initiatives.MonthlyReview",
        ("owner__username", "month"),
        team="team_id",
        link=("initiatives:review", "id"),
    ),
    Source(
        "initiatives.ReviewOutcome",
        ("initiative__title", "outcome"),
        team="review__team_id",
        link=("initiatives:review", "review_id"),
    ),
    Source(
        "initiatives.ReviewReopening",
        ("reason",),
        team="review__team_id",
        link=("initiatives:review", "review_id"),
    ),
    Source("initiatives.Win", ("title",), team="team_id"),
    Source("initiatives.WinPromotion", ("win__title",), team="win__team_id"),
    Source("initiatives.Learning", ("title",), team="team_id", link=("initiatives:learning", "id")),
    # --- Time -----------------------------------------------------------------------------------------
    Source("timesheets.TimeEntry", ("user__username", "week_start", "category"), member="user_id"),
    # --- Competitive ------------------------------------------------------------------------------------
    Source("competitive.Competitor", ("name",), team="team_id", link=("competitive:competitor", "id")),
    Source("competitive.LossReason", ("name",), team="team_id"),
    Source(
        "competitive.WinLossReview", ("account", "outcome"), team="team_id", link=("competitive:review", "id")
    ),
    Source(
        "competitive.Battlecard",
        ("competitor__name", "persona__name"),
        team="competitor__team_id",
        link=("competitive:battlecard", "id"),
    ),
    Source(
        "competitive.BattlecardObjection",
        ("objection",),
        team="battlecard__competitor__team_id",
        link=("competitive:battlecard", "battlecard_id"),
    ),
    # --- Diagnostic ---------------------------------------------------------------------------------------
    Source(
        "diagnostics.Responsibility", ("name",), team="team_id", link=("diagnostics:responsibility", "id")
    ),
    Source("diagnostics.DiagnosticRound", ("title",), team="team_id", link=("diagnostics:round", "id")),
    Source("diagnostics.RoundItem", ("name",), team="round__team_id", link=("diagnostics:round", "round_id")),
    Source(
        "diagnostics.Participant",
        ("round__title", "user__username"),
        team="round__team_id",
        link=("diagnostics:round", "round_id"),
    ),
    Source(
        "diagnostics.Answer",
        ("item__name", "participant__user__username"),
        team="participant__round__team_id",
    ),
    # --- Launches -------------------------------------------------------------------------------------------
    Source("launches.Launch", ("name",), team="product__team_id", link=("launches:detail", "id")),
    Source(
        "launches.LaunchItem",
        ("title",),
        team="launch__product__team_id",
        link=("launches:detail", "launch_id"),
    ),
    Source("launches.LaunchTemplate", ("name",), team="team_id", link=("launches:template", "id")),
    Source(
        "launches.TemplateItem",
        ("title",),
        team="template__team_id",
        link=("launches:template", "template_id"),
    ),
    # --- Requests, SLA targets, triage rota and the asset library ------------------------------------------
    Source("requests_queue.SlaTarget", ("team__name", "type"), team="team_id"),
    Source("requests_queue.Request", ("title",), team="team_id", link=("requests_queue:detail", "id")),
    Source(
        "requests_queue.RequestFollower",
        ("request__title", "user__username"),
        team="request__team_id",
        link=("requests_queue:detail", "request_id"),
    ),
    Source(
        "requests_queue.RequestAttachment",
        ("original_name",),
        team="request__team_id",
        link=("requests_queue:detail", "request_id"),
    ),
    Source(
        "requests_queue.RequestComment",
        ("request__title",),
        team="request__team_id",
        link=("requests_queue:detail", "request_id"),
    ),
    Source("requests_queue.TriageRota", ("team__name", "user__username"), team="team_id"),
    Source("requests_queue.Asset", ("title",), team="team_id", link=("requests_queue:asset_detail", "id")),
    Source(
        "requests_queue.AssetVersion",
        ("asset__title", "number"),
        team="asset__team_id",
        link=("requests_queue:asset_detail", "asset_id"),
    ),
    # A saved view shared with a team is that team's; a private one is its owner's.
    Source("requests_queue.SavedView", ("name",), member="owner_id"),
    # --- Reports -----------------------------------------------------------------------------------------------
    Source(
        "reporting.MonthlyReport", ("team__name", "month"), team="team_id", link=("reporting:report", "id")
    ),
    Source(
        "reporting.ReportSending",
        ("report__team__name", "report__month"),
        team="report__team_id",
        link=("reporting:report", "report_id"),
    ),
)

# The audit log's own reads, shown in the feed with the changes.
READ_KEY = "audit.auditread"
READ_NAME = "Audit log"


@cache
def sources_by_key() -> dict[str, Source]:
    return {source.key: source for source in SOURCES}


def type_choices() -> list[tuple[str, str]]:
    """The object types a reader may filter on, by name."""
    choices = [(source.key, source.name) for source in SOURCES]
    choices.append((READ_KEY, READ_NAME))
    return sorted(choices, key=lambda choice: choice[1])
