"""The functional diagnostic: a team's responsibilities matrix and the rounds that assess it.

A **responsibility** is one thing product management or product marketing is expected to
do ("buyer personas", "value proposition"), grouped by area, with the function meant to
own it. A **round** asks a set of participants, per responsibility, who really does it
today and how well (1–5). A round copies the responsibilities it asks about into its
**items** when it opens, so renaming or retiring one later never changes a past round's
results. Participants answer while the round is open; nobody reads anyone else's answers
until the CMO closes it, and a closed round is final (the next round measures again).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from pmm_portal.core.history import TrackedHistory

NAME = 160
AREA = 60
NOTE = 500


class Function(models.TextChoices):
    """Who is meant to own a responsibility."""

    PM = "pm", "Product management"
    PMM = "pmm", "Product marketing"
    SHARED = "shared", "Shared"
    OTHER = "other", "Another function"


class Lead(models.TextChoices):
    """Which side leads a shared responsibility."""

    PM = "pm", "PM leads"
    PMM = "pmm", "PMM leads"


class Owner(models.TextChoices):
    """A participant's answer to "who actually does it today?"."""

    PM = "pm", "PM"
    PMM = "pmm", "PMM"
    BOTH = "both", "Both"
    NOBODY = "nobody", "Nobody"
    OTHER = "other", "Other"


class Seat(models.TextChoices):
    """The function a participant answers from (their role when the round opened)."""

    PM = "pm", "Product management"
    PMM = "pmm", "Product marketing"
    LEADERSHIP = "leadership", "Marketing leadership"
    SALES = "sales", "Sales"


class RoundStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


def _owner_checks(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(intended_owner__in=Function.values), name=f"{prefix}_intended_owner_valid"
        ),
        # A shared responsibility says which side leads it; the others lead nothing.
        models.CheckConstraint(
            condition=(Q(intended_owner="shared") & Q(lead__in=Lead.values))
            | (~Q(intended_owner="shared") & Q(lead="")),
            name=f"{prefix}_lead_only_when_shared",
        ),
    ]


class Responsibility(models.Model):
    """One thing PM or PMM is expected to do for a team, with the function meant to own it."""

    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="responsibilities")
    area = models.CharField(max_length=AREA, help_text="The group it is listed under (“Launch”).")
    name = models.CharField(max_length=NAME)
    description = models.CharField(max_length=NOTE, blank=True, help_text="What it covers, in a line.")
    intended_owner = models.CharField(
        "intended owner", max_length=10, choices=Function.choices, default=Function.PMM
    )
    lead = models.CharField(
        max_length=10, choices=Lead.choices, blank=True, help_text="Who leads it when it is shared."
    )
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Retired ones stay on past rounds.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "responsibilities"
        constraints = [
            models.UniqueConstraint(Lower("name"), "team", name="diagnostics_resp_unique_name_per_team"),
            models.CheckConstraint(condition=~Q(name=""), name="diagnostics_resp_name_not_blank"),
            models.CheckConstraint(condition=~Q(area=""), name="diagnostics_resp_area_not_blank"),
            *_owner_checks("diagnostics_resp"),
        ]

    def __str__(self) -> str:
        return self.name


class DiagnosticRound(models.Model):
    """One sitting of the diagnostic for a team: who was asked, and when it opened and closed."""

    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="diagnostic_rounds")
    title = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    due_on = models.DateField("answer by", null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["team", "status", "closed_at"], name="diagnostics_round_team_closed")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="diagnostics_round_status"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="diagnostics_round_title_not_blank"),
            # Closed exactly when it has a closing time.
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_at__isnull=False))
                | (Q(status="open") & Q(closed_at__isnull=True)),
                name="diagnostics_round_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:round", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


class RoundItem(models.Model):
    """A responsibility as the round asked about it: its name, area and intended owner then."""

    round = models.ForeignKey(DiagnosticRound, on_delete=models.CASCADE, related_name="items")
    responsibility = models.ForeignKey(Responsibility, on_delete=models.PROTECT, related_name="round_items")
    area = models.CharField(max_length=AREA)
    name = models.CharField(max_length=NAME)
    description = models.CharField(max_length=NOTE, blank=True)
    intended_owner = models.CharField(max_length=10, choices=Function.choices)
    lead = models.CharField(max_length=10, choices=Lead.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = TrackedHistory()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "responsibility"], name="diagnostics_item_once_per_round"
            ),
            *_owner_checks("diagnostics_item"),
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """Someone asked to answer a round, and the function they answer from."""

    round = models.ForeignKey(DiagnosticRound, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="diagnostic_seats"
    )
    seat = models.CharField(max_length=12, choices=Seat.choices)
    # When they were mailed the invitation to answer, and the results once the round closed:
    # the idempotency keys of the mail task (each goes once).
    invited_at = models.DateTimeField(null=True, blank=True)
    results_sent_at = models.DateTimeField(null=True, blank=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["user__first_name", "user__last_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="diagnostics_participant_once"),
            models.CheckConstraint(condition=Q(seat__in=Seat.values), name="diagnostics_participant_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.round}"


class Answer(models.Model):
    """One participant's view of one item: who does it today, how well (1–5), and why.

    Saved row by row as the participant goes, so either half may still be missing; a row
    counts as answered once it has both.
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(RoundItem, on_delete=models.CASCADE, related_name="answers")
    owner = models.CharField("who does it today", max_length=10, choices=Owner.choices, blank=True)
    score = models.PositiveSmallIntegerField("how well (1–5)", null=True, blank=True)
    comment = models.CharField(max_length=NOTE, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "item"], name="diagnostics_answer_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="diagnostics_answer_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(owner="") | Q(owner__in=Owner.values), name="diagnostics_answer_owner_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.user} on {self.item}"

    @property
    def complete(self) -> bool:
        return bool(self.owner) and self.score is not None
