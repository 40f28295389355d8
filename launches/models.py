"""Launches: a product release with a date and a tier, and the handoff between the two functions.

Seed 002's "silo effect": product marketing gets a brain dump from product management just
before release and must turn datasheets, web content, presentations and sales training around
at the last moment. A launch makes the handoff explicit: its items are what product management
owes product marketing, what product marketing owes product management (seed 001's two lists)
and the team's own launch deliverables, each with an owner, a due date counted back from the
launch date in business days, a status and the asset or initiative that delivers it.

A launch's readiness (on track, at risk, late, ready) is derived from its items, never stored
(``selectors``). Items keep their edit history (django-simple-history), so a past month's
report reads them as they stood when the month ended.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from personas.models import long_text
from pmm_portal.core.dates import add_business_days
from pmm_portal.core.history import TrackedHistory
from pmm_portal.core.limits import text_length_checks

NAME = 160
NOTE = 2000


class LaunchTier(models.IntegerChoices):
    """How big a launch is: it decides how much of the handoff the team's template asks for."""

    MAJOR = 1, "Tier 1: major"
    STANDARD = 2, "Tier 2: standard"
    MINOR = 3, "Tier 3: minor"


class Side(models.TextChoices):
    """Who owes an item to whom (seed 001), or a launch deliverable of the marketing team."""

    PM_OWES_PMM = "pm_owes_pmm", "PM owes PMM"
    PMM_OWES_PM = "pmm_owes_pm", "PMM owes PM"
    TEAM = "team", "Launch deliverable"


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked on the other function"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"


# An item in one of these needs nothing more: it is never late, never reminded.
CLOSED_STATUSES = (ItemStatus.DONE, ItemStatus.NOT_NEEDED)


class Readiness(models.TextChoices):
    """A launch's state, derived from its items (``selectors.readiness_of``)."""

    READY = "ready", "Ready"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    LATE = "late", "Late"


def due_from(launch_on: date, offset: int) -> date:
    """The date ``offset`` business days (Monday–Friday) before ``launch_on`` (after it, if negative).

    ``offset`` 0 is the launch day itself, whatever day of the week it is.
    """
    if offset <= 0:
        return add_business_days(launch_on, -offset)
    current, counted = launch_on, 0
    while counted < offset:
        current -= timedelta(days=1)
        if current.weekday() < 5:
            counted += 1
    return current


class Launch(models.Model):
    """A release of one product on a date, with its tier, owners and handoff checklist."""

    product = models.ForeignKey("core.Product", on_delete=models.PROTECT, related_name="launches")
    name = models.CharField(max_length=NAME)
    launch_on = models.DateField("launch date")
    tier = models.PositiveSmallIntegerField(choices=LaunchTier.choices, default=LaunchTier.STANDARD)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="launches_owned",
        blank=True,
        help_text="Who answers for the launch as a whole (usually its PM and its PMM).",
    )
    summary = long_text("summary", "What ships, for whom, and what the launch must achieve.", NOTE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["launch_on", "id"]
        indexes = [models.Index(fields=["product", "launch_on"], name="launches_launch_product_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="launches_launch_name_not_blank"),
            models.CheckConstraint(
                condition=Q(tier__in=LaunchTier.values), name="launches_launch_tier_valid"
            ),
            *text_length_checks("launches_launch", {"summary": NOTE}),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("launches:detail", args=[self.pk])


class LaunchItem(models.Model):
    """One thing a launch needs: owed by one function to the other, or a deliverable of the team.

    ``offset_days`` counts business days back from the launch date; while ``due_by_hand`` is
    off, moving the launch moves ``due_on`` with it. ``for_sales`` marks the enablement items
    (datasheet, presentation, training, battlecard…), the only ones sales see.
    """

    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=NAME)
    side = models.CharField(max_length=12, choices=Side.choices)
    for_sales = models.BooleanField(
        "sales enablement", default=False, help_text="Sales see this item on the launch page."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="launch_items",
    )
    offset_days = models.SmallIntegerField(
        "business days before launch",
        default=0,
        help_text="Due this many business days before the launch date (negative: after it).",
    )
    due_on = models.DateField("due")
    due_by_hand = models.BooleanField(
        default=False, help_text="Set by hand: moving the launch date leaves it where it is."
    )
    status = models.CharField(max_length=12, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED)
    asset = models.ForeignKey(
        "requests_queue.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="launch_items"
    )
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="launch_items",
    )
    note = long_text("note", "What is needed, what blocks it, where it stands.", NOTE)
    position = models.PositiveSmallIntegerField(default=0)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_on", "position", "id"]
        indexes = [
            models.Index(fields=["launch", "due_on"], name="launches_item_launch_due"),
            models.Index(
                fields=["due_on"],
                condition=~Q(status__in=["done", "not_needed"]),
                name="launches_item_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="launches_item_title_not_blank"),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="launches_item_side_valid"),
            models.CheckConstraint(
                condition=Q(status__in=ItemStatus.values), name="launches_item_status_valid"
            ),
            # One deliverer: the asset or the initiative, not both.
            models.CheckConstraint(
                condition=Q(asset__isnull=True) | Q(initiative__isnull=True),
                name="launches_item_one_link",
            ),
            *text_length_checks("launches_item", {"note": NOTE}),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def is_late(self, today: date) -> bool:
        return self.is_open and self.due_on < today


class LaunchTemplate(models.Model):
    """The items a team's launch of one tier starts with (seeded from the articles, then the team's)."""

    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, related_name="launch_templates")
    tier = models.PositiveSmallIntegerField(choices=LaunchTier.choices)
    name = models.CharField(max_length=NAME)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["team__name", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["team", "tier"], name="launches_template_one_per_tier"),
            models.CheckConstraint(
                condition=Q(tier__in=LaunchTier.values), name="launches_template_tier_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="launches_template_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("launches:template", args=[self.pk])


class TemplateItem(models.Model):
    """One item a template creates: its side, whether sales see it, how long before launch it is due."""

    template = models.ForeignKey(LaunchTemplate, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=NAME)
    side = models.CharField(max_length=12, choices=Side.choices)
    for_sales = models.BooleanField("sales enablement", default=False)
    offset_days = models.SmallIntegerField("business days before launch", default=0)
    position = models.PositiveSmallIntegerField(default=0)
    history = TrackedHistory()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="launches_template_item_title_not_blank"),
            models.CheckConstraint(
                condition=Q(side__in=Side.values), name="launches_template_item_side_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReminderKind(models.TextChoices):
    """Which reminder an item's owner got: due soon, the day it became late, a week while late."""

    DUE_SOON = "due_soon", "Due soon"
    LATE = "late", "Became late"
    STILL_LATE = "still_late", "Still late (weekly)"


class LaunchReminder(models.Model):
    """That an item's owner was reminded, so each (item, kind, period) is reminded once.

    ``period`` is the due date for "due soon" and "became late" (a moved due date is a new
    period), the Monday of the week for the weekly "still late": the unique constraint is the
    idempotency key of the beat task. The mail task sends the rows not mailed yet, one mail per
    owner. The rows are also the owner's in-app notices (``/launches/``, "Reminders for you")
    until they open the launch.
    """

    item = models.ForeignKey(LaunchItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    period = models.DateField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    # Set by the mail task once the owner's mail went out: a second delivery finds it set.
    mailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="launches_reminder_unread")]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "period"], name="launches_reminder_once"),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="launches_reminder_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.period}"
