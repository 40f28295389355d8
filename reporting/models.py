"""Monthly review reports: one stored snapshot per team and month."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Queued"
    RUNNING = "running", "Generating"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class MonthlyReport(models.Model):
    """A team's monthly review report: the month's figures frozen as a snapshot.

    Figures do not change when old data is edited later, until someone
    regenerates the report, which bumps ``version``. ``status`` shows a user
    waiting for a generation where the worker stands, and ``error`` why it failed.
    """

    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, related_name="monthly_reports")
    month = models.DateField(help_text="The month reported on (its first day).")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    version = models.PositiveIntegerField(default=0, help_text="How many times it was generated.")
    data = models.JSONField(default=dict, blank=True, help_text="The snapshot of the month's figures.")
    summary = models.TextField(blank=True, help_text="The leader's summary, written by hand.")
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
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    mailed_version = models.PositiveIntegerField(default=0, help_text="The last version mailed out.")

    class Meta:
        ordering = ["-month", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="reporting_one_report_per_team_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="reporting_month_is_first_day"),
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
