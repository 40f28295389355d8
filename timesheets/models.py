"""Weekly time entries. This app stands on the core only: it names initiatives and requests by string."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from pmm_portal.core.history import TrackedHistory

MAX_WEEK_HOURS = Decimal("80")


class TimeCategory(models.TextChoices):
    INITIATIVE = "initiative", "Top-3 initiative"
    REQUEST = "request", "One-off requests"
    CUSTOMER = "customer", "Customer time"
    MEETINGS = "meetings", "Meetings"
    OTHER = "other", "Other"


class TimeEntry(models.Model):
    """Hours a user spent in one week (starting on ``week_start``, a Monday) on one kind of work.

    One row per user, week and initiative, per user, week and request, and per
    user, week and other category. The week total (≤ 80 hours) and "no future
    weeks" depend on other rows and on today, so the services enforce them.
    """

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="time_entries")
    week_start = models.DateField()
    category = models.CharField(max_length=12, choices=TimeCategory.choices)
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="time_entries",
    )
    request = models.ForeignKey(
        "requests_queue.Request", on_delete=models.PROTECT, null=True, blank=True, related_name="time_entries"
    )
    hours = models.DecimalField(max_digits=4, decimal_places=1)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        # The table predates this app (it began in ``initiatives``); its name and constraints stay.
        db_table = "initiatives_timeentry"
        ordering = ["-week_start", "category", "id"]
        verbose_name_plural = "time entries"
        indexes = [models.Index(fields=["user", "week_start"], name="initiatives_time_user_week_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(hours__lte=MAX_WEEK_HOURS), name="initiatives_time_hours_0_80"
            ),
            models.CheckConstraint(
                condition=Q(week_start__iso_week_day=1), name="initiatives_time_week_monday"
            ),
            models.CheckConstraint(
                condition=Q(category__in=TimeCategory.values), name="initiatives_time_category_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(category=TimeCategory.INITIATIVE)
                    & Q(initiative__isnull=False)
                    & Q(request__isnull=True)
                )
                | (~Q(category=TimeCategory.INITIATIVE) & Q(initiative__isnull=True)),
                name="initiatives_time_initiative_category",
            ),
            models.CheckConstraint(
                condition=Q(request__isnull=True) | Q(category=TimeCategory.REQUEST),
                name="initiatives_time_request_category",
            ),
            models.UniqueConstraint(
                fields=["user", "week_start", "initiative"],
                condition=Q(initiative__isnull=False),
                name="initiatives_time_one_per_initiative",
            ),
            models.UniqueConstraint(
                fields=["user", "week_start", "request"],
                condition=Q(request__isnull=False),
                name="initiatives_time_one_per_request",
            ),
            models.UniqueConstraint(
                fields=["user", "week_start", "category"],
                condition=Q(initiative__isnull=True) & Q(request__isnull=True),
                name="initiatives_time_one_per_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week_start} {self.category} {self.hours} h"
