"""Monthly review reports: one report per team and month, its numbered versions, and its sendings."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pmm_portal.core.history import TrackedHistory
from pmm_portal.core.limits import text_length_checks

# The leader's summary and a sending's note: as the forms have always allowed (reporting.forms).
SUMMARY_TEXT = 10000
MESSAGE_TEXT = 2000


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Queued"
    RUNNING = "running", "Generating"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class MonthlyReport(models.Model):
    """A team's monthly review report: the month's figures frozen as a snapshot.

    ``data`` and ``summary`` are those of the current version (``version``, the
    number of the latest ``ReportVersion``). The figures are the month as it
    stood at its end (``selectors.month_snapshot``): regenerating gives the same
    figures unless the month's own data changed, and then no new version is made
    (``checked_at`` says when that was last confirmed). ``status`` shows a user
    waiting for a generation where the worker stands, and ``error`` why it failed.
    A worker that dies mid-generation leaves it ``running`` with an old
    ``heartbeat_at``: the sweep starts it again (``recovered_at``) or fails it.
    """

    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, related_name="monthly_reports")
    month = models.DateField(help_text="The month reported on (its first day).")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    version = models.PositiveIntegerField(default=0, help_text="The number of the current version.")
    data = models.JSONField(default=dict, blank=True, help_text="The snapshot of the month's figures.")
    summary = models.TextField(
        blank=True,
        max_length=SUMMARY_TEXT,
        validators=[MaxLengthValidator(SUMMARY_TEXT)],
        help_text="The leader's summary, written by hand.",
    )
    summary_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary_updated_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="The last regeneration, even one that found no change."
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    mailed_version = models.PositiveIntegerField(default=0, help_text="The last version mailed out.")
    # A generation in the background (services.report_claim): each queueing has its number, each
    # run its claim; a duplicate delivery finds neither its own and does nothing.
    generation = models.PositiveIntegerField(
        default=0, help_text="Raised each time a generation is queued; the task carries it."
    )
    claim = models.CharField(max_length=64, blank=True, help_text="The run that holds the generation.")
    worker = models.CharField(max_length=200, blank=True, help_text="The Celery worker running it.")
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="The running worker's last sign of life."
    )
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When its task was last sent.")
    recovered_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was started again after its worker stopped."
    )
    history = TrackedHistory(excluded_fields=["data", "heartbeat_at", "claim", "worker", "checked_at"])

    class Meta:
        ordering = ["-month", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="reporting_one_report_per_team_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="reporting_month_is_first_day"),
            *text_length_checks("reporting_report", {"summary": SUMMARY_TEXT}),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="reporting_status_idx")]

    def __str__(self) -> str:
        return f"{self.team} · {self.month:%B %Y}"

    @property
    def in_progress(self) -> bool:
        return self.status in (ReportStatus.PENDING, ReportStatus.RUNNING)

    @property
    def month_slug(self) -> str:
        return f"{self.month:%Y-%m}"


class VersionKind(models.TextChoices):
    GENERATED = "generated", "Figures generated"
    SUMMARY = "summary", "Summary edited"


class ReportVersion(models.Model):
    """One numbered version of a report: its figures and summary as they were, and what changed.

    A new version is made when a regeneration finds different figures, or when the
    leader's summary changes; never for a regeneration that finds the same figures.
    ``changes`` lists what differs from the previous version, in words
    (``[{"label": ..., "before": ..., "after": ...}]``).
    """

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    data = models.JSONField(default=dict)
    summary = models.TextField(
        blank=True, max_length=SUMMARY_TEXT, validators=[MaxLengthValidator(SUMMARY_TEXT)]
    )
    changes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reporting_one_version_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="reporting_version_from_one"),
            *text_length_checks("reporting_version", {"summary": SUMMARY_TEXT}),
        ]

    def __str__(self) -> str:
        return f"{self.report} · version {self.number}"


class SendingStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ReportSending(models.Model):
    """A "send to…" of one report version to chosen people, by a user; mailed once by a task.

    ``recipients`` are email addresses (portal users picked and addresses typed);
    ``attach_pdf`` sends the PDF, else a link to the report. ``status`` moves from
    queued to sent by a conditional update, so a retried task never mails twice.
    """

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="sendings")
    version = models.PositiveIntegerField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipients = models.JSONField(default=list)
    message = models.TextField(
        blank=True, max_length=MESSAGE_TEXT, validators=[MaxLengthValidator(MESSAGE_TEXT)]
    )
    attach_pdf = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=SendingStatus.choices, default=SendingStatus.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [*text_length_checks("reporting_sending", {"message": MESSAGE_TEXT})]

    def __str__(self) -> str:
        return f"{self.report} sent to {len(self.recipients)}"
