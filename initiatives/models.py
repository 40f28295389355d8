"""The monthly top-3 plan, weekly time, monthly reviews and wins.

The rules the article prescribes are kept by the database as well as by the
services: at most three focus initiatives per PMM and month (ranks 1–3, one
initiative per rank), time in whole weeks starting on a Monday with 0–80 hours
an entry, and each reminder sent once.
"""

from decimal import Decimal

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from pmm_portal.core.history import TrackedHistory
from pmm_portal.core.limits import text_length_checks

MAX_FOCUS = 3
MAX_WEEK_HOURS = Decimal("80")
# Free text: room for a thorough paragraph or a page, never a pasted document.
GOAL_TEXT = 2000
IMPACT_TEXT = 2000
LEARNINGS_TEXT = 5000
QUOTE_TEXT = 1000
LEARNING_TEXT = 2000


class InitiativeStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_STATUSES = (InitiativeStatus.ON_TRACK, InitiativeStatus.AT_RISK, InitiativeStatus.OFF_TRACK)


class Initiative(models.Model):
    """A piece of strategic work a PMM owns: a goal, its expected impact, dates, milestones and status.

    Whether it is one of the owner's top 3 in a month is recorded by a ``FocusSlot``;
    without one it waits in the backlog.
    """

    owner = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="initiatives")
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="initiatives")
    title = models.CharField(max_length=200)
    goal = models.TextField(
        max_length=GOAL_TEXT,
        validators=[MaxLengthValidator(GOAL_TEXT)],
        help_text="What will be true when this initiative is done?",
    )
    expected_impact = models.TextField(
        blank=True,
        max_length=GOAL_TEXT,
        validators=[MaxLengthValidator(GOAL_TEXT)],
        help_text="Why it matters: the revenue, win rate or adoption it should move.",
    )
    personas = models.ManyToManyField("personas.Persona", related_name="initiatives", blank=True)
    products = models.ManyToManyField("core.Product", related_name="initiatives", blank=True)
    start_date = models.DateField()
    target_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=InitiativeStatus.choices, default=InitiativeStatus.ON_TRACK
    )
    planned_hours_per_week = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal("8"), help_text="Hours you protect for it every week."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["target_date", "title"]
        indexes = [models.Index(fields=["team", "status"], name="initiatives_team_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__gte=F("start_date")),
                name="initiatives_initiative_dates_ordered",
                violation_error_message="The target date must be on or after the start date.",
            ),
            models.CheckConstraint(
                condition=Q(planned_hours_per_week__gte=0) & Q(planned_hours_per_week__lte=MAX_WEEK_HOURS),
                name="initiatives_initiative_planned_hours_0_80",
                violation_error_message="Plan between 0 and 80 hours a week.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InitiativeStatus.values), name="initiatives_initiative_status_valid"
            ),
            *text_length_checks("initiatives_initiative", {"goal": GOAL_TEXT, "expected_impact": GOAL_TEXT}),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Milestone(models.Model):
    """A dated step of an initiative; the next open one shows on the plan."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_date = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None


class StatusUpdate(models.Model):
    """A status change or check-in on an initiative, with a short message; shown newest first."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="status_updates")
    author = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=InitiativeStatus.choices)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    history = TrackedHistory()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InitiativeStatus.values), name="initiatives_statusupdate_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.message}"


class FocusSlot(models.Model):
    """One of a PMM's top 3 for a month: rank 1–3, one initiative per rank, at most three ranks.

    ``month`` is the first day of the month. The rank check and the two unique
    constraints make a fourth focus initiative impossible in the database itself.
    """

    owner = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="focus_slots")
    month = models.DateField()
    rank = models.PositiveSmallIntegerField()
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="focus_slots")
    history = TrackedHistory()

    class Meta:
        ordering = ["month", "owner", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "month", "rank"], name="initiatives_focus_one_per_rank"),
            models.UniqueConstraint(fields=["month", "initiative"], name="initiatives_focus_once_a_month"),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=MAX_FOCUS), name="initiatives_focus_rank_1_3"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="initiatives_focus_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} #{self.rank}"


class MonthlyReview(models.Model):
    """A PMM's close of a month: outcomes of the top 3, learnings and wins; locked once submitted."""

    owner = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="monthly_reviews")
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="monthly_reviews")
    month = models.DateField(help_text="The month reviewed (its first day).")
    learnings = models.TextField(
        blank=True,
        max_length=LEARNINGS_TEXT,
        validators=[MaxLengthValidator(LEARNINGS_TEXT)],
        help_text="What you tried and what it taught you.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["-month", "owner"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "month"], name="initiatives_review_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="initiatives_review_month_first_day"),
            *text_length_checks("initiatives_review", {"learnings": LEARNINGS_TEXT}),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.month:%Y-%m}"

    @property
    def is_locked(self) -> bool:
        return self.submitted_at is not None


class Outcome(models.TextChoices):
    DONE = "done", "Done"
    PROGRESSED = "progressed", "Progressed"
    CARRIED_OVER = "carried_over", "Carried over"
    DROPPED = "dropped", "Dropped"


class ReviewOutcome(models.Model):
    """What became of one top-3 initiative in the month reviewed."""

    review = models.ForeignKey(MonthlyReview, on_delete=models.CASCADE, related_name="outcomes")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="review_outcomes")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    note = models.CharField(max_length=500, blank=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "initiative"], name="initiatives_outcome_once_per_review"
            ),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="initiatives_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.get_outcome_display()}"


class ReviewReopening(models.Model):
    """The record that a submitted review was reopened: by whom, when, and why."""

    review = models.ForeignKey(MonthlyReview, on_delete=models.CASCADE, related_name="reopenings")
    reopened_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    previously_submitted_at = models.DateTimeField()
    reopened_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["-reopened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.review} reopened"


class Win(models.Model):
    """A success worth promoting, linked to the initiative or request it came from."""

    title = models.CharField(max_length=200)
    impact = models.TextField(
        max_length=IMPACT_TEXT,
        validators=[MaxLengthValidator(IMPACT_TEXT)],
        help_text="What changed for the business: a deal won, a number moved.",
    )
    date = models.DateField()
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="wins")
    owner = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="wins")
    initiative = models.ForeignKey(
        Initiative, on_delete=models.SET_NULL, null=True, blank=True, related_name="wins"
    )
    request = models.ForeignKey(
        "requests_queue.Request", on_delete=models.SET_NULL, null=True, blank=True, related_name="wins"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Promotion: who hears of the win beyond its own team. ``promoted_at`` is set while it is
    # promoted (the start of its standing ``WinPromotion``) and cleared when withdrawn.
    headline = models.CharField(
        max_length=200, blank=True, help_text="One line sales can repeat: what the win proves."
    )
    quote = models.TextField(
        blank=True,
        max_length=QUOTE_TEXT,
        validators=[MaxLengthValidator(QUOTE_TEXT)],
        help_text="A customer's words sales may use, if any.",
    )
    shared_with = models.ManyToManyField(
        "core.Team", related_name="wins_shared_with", blank=True, help_text="Teams the win is promoted to."
    )
    shared_with_sales = models.BooleanField(default=False, help_text="Promoted to every sales rep.")
    promoted_at = models.DateTimeField(null=True, blank=True)
    promoted_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = TrackedHistory()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["team", "date"], name="initiatives_win_team_date_idx"),
            models.Index(
                fields=["-promoted_at"],
                condition=Q(promoted_at__isnull=False),
                name="initiatives_win_promoted_idx",
            ),
        ]
        constraints = [
            *text_length_checks("initiatives_win", {"impact": IMPACT_TEXT, "quote": QUOTE_TEXT}),
            models.CheckConstraint(
                condition=Q(promoted_at__isnull=False) | Q(shared_with_sales=False),
                name="initiatives_win_sales_only_when_promoted",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_promoted(self) -> bool:
        return self.promoted_at is not None


class WinPromotion(models.Model):
    """One promotion of a win: from when it was shared to when (if ever) it was withdrawn.

    The monthly report counts the wins promoted in a month and still promoted when it
    ended, from these rows, so withdrawing a win later never changes a past month's figure.
    At most one promotion of a win stands at a time (the partial unique constraint).
    ``mail_requested_at`` is the last "send by email"; ``mailed_at`` when a run last finished.
    """

    win = models.ForeignKey(Win, on_delete=models.CASCADE, related_name="promotions")
    promoted_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    promoted_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mail_requested_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["-promoted_at", "-id"]
        indexes = [models.Index(fields=["promoted_at"], name="initiatives_promotion_at_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["win"],
                condition=Q(withdrawn_at__isnull=True),
                name="initiatives_promotion_one_standing",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("promoted_at")),
                name="initiatives_promotion_withdrawn_after",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.win} promoted {self.promoted_at:%Y-%m-%d}"


class WinPromotionMail(models.Model):
    """That one promotion was mailed to one person: each person gets each promotion once."""

    promotion = models.ForeignKey(WinPromotion, on_delete=models.CASCADE, related_name="mails")
    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["promotion", "user"], name="initiatives_promotion_mail_once"),
        ]

    def __str__(self) -> str:
        return f"{self.promotion} to {self.user}"


class WinMailOptOut(models.Model):
    """That person asked for no more promoted wins by email (the one-click link in each such mail);
    the wins feed still shows them, and the feed's switch turns the mails back on."""

    user = models.OneToOneField("core.User", on_delete=models.CASCADE, related_name="win_mail_opt_out")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"No win mails to {self.user}"


class LearningResult(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    REFUTED = "refuted", "Refuted"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


class Learning(models.Model):
    """An experiment or lesson ("execute and learn"): the hypothesis, what was tried, the measure,
    the result and the lesson, dated, owned by a PMM and usually linked to an initiative.

    The monthly review of its owner's month (``date``) and the team's report pull it in.
    """

    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="learnings")
    owner = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="learnings")
    initiative = models.ForeignKey(
        Initiative, on_delete=models.SET_NULL, null=True, blank=True, related_name="learnings"
    )
    date = models.DateField(help_text="When the result was known; it files the learning under that month.")
    title = models.CharField(max_length=200, help_text="A short name for the experiment.")
    hypothesis = models.TextField(
        max_length=LEARNING_TEXT,
        validators=[MaxLengthValidator(LEARNING_TEXT)],
        help_text="What you believed would happen, and why.",
    )
    tried = models.TextField(
        "what was tried",
        max_length=LEARNING_TEXT,
        validators=[MaxLengthValidator(LEARNING_TEXT)],
        help_text="What you did to test it.",
    )
    measure = models.CharField(
        max_length=300, blank=True, help_text="How you knew: the number or signal watched."
    )
    result = models.CharField(
        max_length=12, choices=LearningResult.choices, default=LearningResult.INCONCLUSIVE
    )
    result_notes = models.TextField(
        "what happened",
        blank=True,
        max_length=LEARNING_TEXT,
        validators=[MaxLengthValidator(LEARNING_TEXT)],
    )
    lesson = models.TextField(
        max_length=LEARNING_TEXT,
        validators=[MaxLengthValidator(LEARNING_TEXT)],
        help_text="What you will do differently, or keep doing.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["team", "date"], name="initiatives_learning_date_idx"),
            models.Index(fields=["owner", "date"], name="initiatives_learning_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=LearningResult.values), name="initiatives_learning_result_valid"
            ),
            *text_length_checks(
                "initiatives_learning",
                {
                    "hypothesis": LEARNING_TEXT,
                    "tried": LEARNING_TEXT,
                    "result_notes": LEARNING_TEXT,
                    "lesson": LEARNING_TEXT,
                },
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReminderKind(models.TextChoices):
    TIME_LOG = "time_log", "Log last week's time"
    MONTHLY_REVIEW = "monthly_review", "Close last month's review"


class SentReminder(models.Model):
    """That a reminder went out, so each (person, kind, period) is reminded once."""

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    period = models.DateField(help_text="The week (its Monday) or month (its first day) reminded about.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "period"], name="initiatives_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.period}"
