"""One-off sales requests, their triage and delivery, notifications, and the asset library.

The database keeps the rules a request must follow whatever code writes it:
scores are 1–5, a declined request carries an alternative, a duplicate points
to another request, a snoozed one to a date, work in progress has an assignee.
State changes go through ``requests_queue.services`` only.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from pmm_portal.core.history import TrackedHistory
from pmm_portal.core.limits import text_length_checks
from pmm_portal.core.models import validate_time_zone

from . import limits

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class RequestType(models.TextChoices):
    """What sales asks for."""

    COMPETITIVE_INTEL = "competitive_intel", "Competitive intel"
    EMAIL_TEMPLATE = "email_template", "Email template"
    CALL_SCRIPT = "call_script", "Call script"
    SLIDES = "slides", "Slides"
    CUSTOMER_CALL = "customer_call", "Customer call support"
    DATASHEET = "datasheet", "Datasheet"
    PRICING = "pricing_proposal", "Pricing or proposal help"
    OTHER = "other", "Other"


class RequestStatus(models.TextChoices):
    """Where a request stands. ``requests_queue.workflow`` holds the allowed moves between them."""

    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    REUSED = "reused", "Reused"
    DUPLICATE = "duplicate", "Duplicate"
    SNOOZED = "snoozed", "Snoozed"
    WAITING = "waiting", "Waiting on requester"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES: tuple[str, ...] = (
    RequestStatus.NEW,
    RequestStatus.TRIAGED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.SNOOZED,
    RequestStatus.WAITING,
)
# Open statuses whose SLA clock stands still: put aside until a date, or waiting on the requester's answer.
PAUSED_STATUSES: tuple[str, ...] = (RequestStatus.SNOOZED, RequestStatus.WAITING)
CLOSED_STATUSES: tuple[str, ...] = tuple(s for s in RequestStatus.values if s not in OPEN_STATUSES)


class DealStage(models.TextChoices):
    """The stage of the opportunity the request supports."""

    PROSPECTING = "prospecting", "Prospecting"
    DISCOVERY = "discovery", "Discovery"
    EVALUATION = "evaluation", "Evaluation / proof of concept"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    RENEWAL = "renewal", "Renewal / expansion"


class AssetKind(models.TextChoices):
    """The kind of reusable deliverable in the library."""

    BATTLECARD = "battlecard", "Battlecard"
    DECK = "deck", "Slide deck"
    EMAIL_TEMPLATE = "email_template", "Email template"
    CALL_SCRIPT = "call_script", "Call script"
    DATASHEET = "datasheet", "Datasheet"
    CASE_STUDY = "case_study", "Case study"
    PRICING = "pricing", "Pricing / proposal kit"
    ONE_PAGER = "one_pager", "One-pager"
    OTHER = "other", "Other"


# Acknowledge / deliver targets in business days when a team set none for a type.
DEFAULT_SLA_DAYS: dict[str, tuple[int, int]] = {
    RequestType.COMPETITIVE_INTEL: (1, 5),
    RequestType.EMAIL_TEMPLATE: (1, 3),
    RequestType.CALL_SCRIPT: (1, 3),
    RequestType.SLIDES: (1, 5),
    RequestType.CUSTOMER_CALL: (1, 3),
    RequestType.DATASHEET: (2, 10),
    RequestType.PRICING: (1, 3),
    RequestType.OTHER: (2, 5),
}


class SlaTarget(models.Model):
    """A team's service levels for one request type, in business days (Monday to Friday).

    Types without a row use ``DEFAULT_SLA_DAYS``.
    """

    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, related_name="sla_targets")
    type = models.CharField(max_length=24, choices=RequestType.choices)
    acknowledge_days = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    deliver_days = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    history = TrackedHistory()

    class Meta:
        ordering = ["team", "type"]
        constraints = [
            models.UniqueConstraint(fields=["team", "type"], name="rq_sla_one_per_team_type"),
            models.CheckConstraint(
                condition=Q(acknowledge_days__gte=1) & Q(deliver_days__gte=F("acknowledge_days")),
                name="rq_sla_days_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.get_type_display()} {self.acknowledge_days}/{self.deliver_days} days"


class Request(models.Model):
    """A one-off ask from sales to product marketing, from submission to delivery (or another end).

    ``team`` is the product's team, copied at submission so the queue filters on one column.
    ``priority`` is computed by ``services.compute_priority`` on every change and nightly.
    ``followers`` are reps who said "me too" and requesters of duplicates: each ``RequestFollower``
    carries their own opportunity value and needed-by date, which count in the priority.
    ``self_served`` marks a need answered from the library before it reached the queue (a deflection).
    ``paused_at`` is when the current pause (snoozed, waiting on the requester) began and
    ``paused_business_days`` the business days of the pauses already over: the SLA clock
    (``services.sla``) does not count them. ``due_date_reason`` says why the due date the
    PMM set falls after the requester's needed-by date.
    """

    # No index of their own on requester, team and assignee: the composite indexes below start
    # with each (every write of a request paid for three indexes no query needed).
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests_made", db_index=False
    )
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="requests", db_index=False)
    product = models.ForeignKey("core.Product", on_delete=models.PROTECT, related_name="requests")
    type = models.CharField(max_length=24, choices=RequestType.choices, default=RequestType.OTHER)
    title = models.CharField(max_length=200)
    details = models.TextField(
        blank=True, max_length=limits.DETAILS, validators=[MaxLengthValidator(limits.DETAILS)]
    )
    account = models.CharField(max_length=200, blank=True)
    opportunity_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    needed_by = models.DateField()
    competitor = models.CharField(max_length=120, blank=True)
    deal_stage = models.CharField(max_length=20, choices=DealStage.choices, blank=True)
    personas = models.ManyToManyField("personas.Persona", blank=True, related_name="requests")
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="requests_followed",
        through="RequestFollower",
        through_fields=("request", "user"),
    )
    self_served = models.BooleanField(
        default=False, help_text="Answered from the library by the requester before it reached the queue."
    )

    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests_assigned",
        db_index=False,
    )
    reusability = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE_VALIDATORS)
    educational_value = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE_VALIDATORS)
    effort_hours = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    priority = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal(0))
    due_date = models.DateField(null=True, blank=True)
    due_date_reason = models.CharField(max_length=300, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_business_days = models.PositiveSmallIntegerField(default=0)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    reused_asset = models.ForeignKey(
        "requests_queue.Asset",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_requests",
    )
    answered_by_request = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reused_by"
    )
    snoozed_until = models.DateField(null=True, blank=True)
    decline_alternative = models.TextField(
        blank=True, max_length=limits.NOTE, validators=[MaxLengthValidator(limits.NOTE)]
    )
    hours_logged = models.DecimalField(max_digits=7, decimal_places=1, default=Decimal(0))
    delivery_link = models.URLField(max_length=500, blank=True)
    delivery_file = models.FileField(upload_to="requests/deliveries/%Y/%m/", blank=True)
    delivery_note = models.TextField(
        blank=True, max_length=limits.NOTE, validators=[MaxLengthValidator(limits.NOTE)]
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE_VALIDATORS)
    rating_comment = models.TextField(
        blank=True, max_length=limits.NOTE, validators=[MaxLengthValidator(limits.NOTE)]
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-priority", "needed_by", "id"]
        indexes = [
            models.Index(fields=["team", "status", "-priority"], name="rq_request_queue_idx"),
            # The queue and the API list in their default order: the first page without a sort.
            models.Index(fields=["team", "-priority", "needed_by", "id"], name="rq_request_priority_idx"),
            models.Index(fields=["requester", "-created_at"], name="rq_request_mine_idx"),
            models.Index(fields=["assignee", "status"], name="rq_request_assignee_idx"),
            # The monthly figures (reporting) count a team's requests by these dates.
            models.Index(fields=["team", "created_at"], name="rq_request_team_created_idx"),
            models.Index(fields=["team", "delivered_at"], name="rq_request_team_delivered_idx"),
            models.Index(fields=["team", "closed_at"], name="rq_request_team_closed_idx"),
            models.Index(fields=["team", "triaged_at"], name="rq_request_team_triaged_idx"),
        ]
        constraints = [
            *text_length_checks(
                "rq_request",
                {
                    "details": limits.DETAILS,
                    "decline_alternative": limits.NOTE,
                    "delivery_note": limits.NOTE,
                    "rating_comment": limits.NOTE,
                },
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="rq_request_status_valid"
            ),
            models.CheckConstraint(condition=Q(type__in=RequestType.values), name="rq_request_type_valid"),
            models.CheckConstraint(
                condition=Q(reusability__isnull=True) | Q(reusability__gte=1, reusability__lte=5),
                name="rq_request_reusability_1_5",
            ),
            models.CheckConstraint(
                condition=Q(educational_value__isnull=True)
                | Q(educational_value__gte=1, educational_value__lte=5),
                name="rq_request_educational_value_1_5",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="rq_request_rating_1_5",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.DECLINED) | ~Q(decline_alternative=""),
                name="rq_request_decline_needs_alternative",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.DUPLICATE) | Q(duplicate_of__isnull=False),
                name="rq_request_duplicate_needs_original",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=F("id")),
                name="rq_request_not_duplicate_of_itself",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.SNOOZED) | Q(snoozed_until__isnull=False),
                name="rq_request_snooze_needs_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.REUSED)
                | Q(reused_asset__isnull=False)
                | Q(answered_by_request__isnull=False),
                name="rq_request_reused_needs_answer",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[RequestStatus.IN_PROGRESS, RequestStatus.DELIVERED])
                | Q(assignee__isnull=False),
                name="rq_request_work_needs_assignee",
            ),
            models.CheckConstraint(
                condition=Q(opportunity_value__isnull=True) | Q(opportunity_value__gte=0),
                name="rq_request_opportunity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(effort_hours__isnull=True) | Q(effort_hours__gte=0),
                name="rq_request_effort_not_negative",
            ),
            models.CheckConstraint(condition=Q(hours_logged__gte=0), name="rq_request_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("requests_queue:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        """Open but its SLA clock stands still (snoozed, or waiting on the requester)."""
        return self.status in PAUSED_STATUSES

    @property
    def due_later_than_asked(self) -> bool:
        return self.due_date is not None and self.due_date > self.needed_by


class FollowVia(models.TextChoices):
    """How a rep came to follow a request."""

    ME_TOO = "me_too", "Said “me too”"
    DUPLICATE = "duplicate", "Their request was a duplicate"


class RequestFollower(models.Model):
    """A rep who needs what a request asks too, with their own deal: "me too", or a duplicate merged.

    Their opportunity value and needed-by date count in the request's priority
    (``services.scoring``); a "me too" is a request deflected (``reporting``).
    """

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    via = models.CharField(max_length=10, choices=FollowVia.choices, default=FollowVia.DUPLICATE)
    duplicate = models.ForeignKey(
        Request,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The duplicate request that brought this follower, if any.",
    )
    account = models.CharField(max_length=200, blank=True)
    opportunity_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    needed_by = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], name="rq_follower_once_per_request"),
            models.CheckConstraint(condition=Q(via__in=FollowVia.values), name="rq_follower_via_valid"),
            models.CheckConstraint(
                condition=Q(opportunity_value__isnull=True) | Q(opportunity_value__gte=0),
                name="rq_follower_opportunity_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["via", "created_at"], name="rq_follower_via_created_idx")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.request_id}"


class RequestAttachment(models.Model):
    """A file sales attached to a request (size and type checked by the form and the service)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="requests/attachments/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class RequestComment(models.Model):
    """A message on a request, between the requester and product marketing."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=limits.DETAILS, validators=[MaxLengthValidator(limits.DETAILS)])
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [*text_length_checks("rq_comment", {"body": limits.DETAILS})]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.request_id}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    COMMENTED = "commented", "Commented"
    TIME_LOGGED = "time_logged", "Time logged"
    RATED = "rated", "Rated"
    DUE_DATE = "due_date", "Due date set"


class RequestEvent(models.Model):
    """Something that happened to a request: its timeline and the transactional outbox.

    A service writes the event in the same transaction as the change. After
    commit it tries to enqueue the notification task; when the broker is down,
    ``dispatched_at`` stays empty and the beat task ``requests_queue.dispatch_outbox``
    enqueues it later, so no notification is lost.
    """

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=RequestStatus.choices, blank=True)
    message = models.TextField(blank=True, max_length=limits.DETAILS)
    created_at = models.DateTimeField(auto_now_add=True)
    notify = models.BooleanField(default=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(notify=True, dispatched_at__isnull=True),
                name="rq_event_outbox_pending_idx",
            )
        ]
        constraints = [*text_length_checks("rq_event", {"message": limits.DETAILS})]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on request {self.request_id}"


class NotifyTopic(models.TextChoices):
    """What a notification is about, as a person chooses how to hear of it."""

    NEW_REQUEST = "new_request", "New requests in my team's queue"
    ASSIGNED = "assigned", "Requests assigned to me"
    UPDATES = "updates", "Updates on requests I asked for, follow or work on"
    COMMENTS = "comments", "Comments on requests I asked for, follow or work on"
    MENTIONS = "mentions", "Someone mentions me (@name)"
    # Not about a request: the weekly reminder of the assets one owns that are due for review.
    ASSET_REVIEWS = "asset_reviews", "Assets I own that are due for review"


class NotifyChannel(models.TextChoices):
    """How: every notice is in the app; email at once, in a daily digest, in Slack or Teams (the
    person's own address, kept by ``integrations``), or the app only."""

    EMAIL = "email", "Email at once"
    DIGEST = "digest", "Daily digest"
    CHAT = "chat", "Slack or Teams"
    APP = "app", "In the app only"


class NotificationPreference(models.Model):
    """One person's channel for one topic (no row: the topic's default, ``services.DEFAULT_CHANNELS``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preferences"
    )
    topic = models.CharField(max_length=20, choices=NotifyTopic.choices)
    channel = models.CharField(max_length=10, choices=NotifyChannel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="rq_notify_pref_one_per_topic"),
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "digest", "chat", "app"]),
                name="rq_notify_pref_channel_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.topic}: {self.channel}"


class DigestSettings(models.Model):
    """When a person's daily digest goes out: ``hour`` o'clock in ``time_zone`` (blank: their team's)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_settings"
    )
    hour = models.PositiveSmallIntegerField(default=8)
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(hour__lte=23), name="rq_digest_hour_of_day")]

    def __str__(self) -> str:
        return f"{self.user}: {self.hour:02d}:00 {self.time_zone or 'team time'}"


class DigestDelivery(models.Model):
    """One digest per person and local day: the row is the idempotency key of the digest task."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="rq_digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user} · {self.day}: {self.items}"


class TriageRota(models.Model):
    """A PMM triages their team's new requests on this weekday (0 Monday … 6 Sunday): new requests
    email the day's triagers at once; the rest of the team hears as they chose (a digest by default)."""

    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, related_name="triage_rota")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="triage_days")
    weekday = models.PositiveSmallIntegerField()
    history = TrackedHistory()

    class Meta:
        ordering = ["weekday", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user", "weekday"], name="rq_triage_rota_once"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="rq_triage_rota_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.user} · day {self.weekday}"


class Notification(models.Model):
    """An in-app notice about a request: the inbox (``/inbox/``), the bell's count and the homes."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="request_notifications"
    )
    event = models.ForeignKey(RequestEvent, on_delete=models.CASCADE, related_name="notifications")
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=300)
    # Someone wrote @username in a comment: the inbox's "Mentions" filter.
    mentioned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # How the recipient is told beyond the app (their preference for its topic, when it was made).
    channel = models.CharField(max_length=10, choices=NotifyChannel.choices, default=NotifyChannel.EMAIL)
    # When it went out in the recipient's daily digest (channel "digest"): each goes once.
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="rq_notification_one_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="rq_notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="rq_notification_inbox_idx"),
            # What the hourly digest task looks for: notices waiting for someone's digest.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(channel="digest", digested_at__isnull=True),
                name="rq_notification_digest_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class NotificationDelivery(models.Model):
    """One email per event and recipient: the row is the idempotency key of the mail task."""

    event = models.ForeignKey(RequestEvent, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="rq_delivery_one_per_event"),
        ]

    def __str__(self) -> str:
        return f"Mail for event {self.event_id} to {self.recipient_id}"


class Asset(models.Model):
    """A reusable deliverable in the library (battlecard, deck, template, script…).

    Often born from a request; ``reuse_count`` counts the requests it answered
    without new marketing work, ``view_count`` and ``download_count`` how often its
    page was opened and its file downloaded (conditional ``F()`` updates, never a
    read-modify-write). Past ``review_by`` it is flagged for review, and its owner is
    reminded (``AssetReviewReminder``).

    ``description`` is sales-facing; ``internal_notes`` are for the owning team's
    marketers only. ``link`` and ``file`` are those of the current version
    (``version``); every version uploaded since is an ``AssetVersion``, kept and
    downloadable. A retired asset (``retired_at``) is never suggested nor offered for
    reuse, and points to its ``replaced_by`` when there is one.
    """

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AssetKind.choices, default=AssetKind.OTHER)
    description = models.TextField(
        blank=True, max_length=limits.DETAILS, validators=[MaxLengthValidator(limits.DETAILS)]
    )
    internal_notes = models.TextField(
        blank=True,
        max_length=limits.DETAILS,
        validators=[MaxLengthValidator(limits.DETAILS)],
        help_text="For the owning team's marketers only: never shown to sales.",
    )
    link = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to="requests/assets/%Y/%m/", blank=True)
    version = models.PositiveIntegerField(default=1, help_text="The number of the current version.")
    products = models.ManyToManyField("core.Product", blank=True, related_name="assets")
    personas = models.ManyToManyField("personas.Persona", blank=True, related_name="assets")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assets_owned")
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="assets")
    review_by = models.DateField()
    reuse_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    download_count = models.PositiveIntegerField(default=0)
    source_request = models.ForeignKey(
        Request, on_delete=models.SET_NULL, null=True, blank=True, related_name="published_assets"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )
    retirement_reason = models.CharField(max_length=limits.REASON, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-reuse_count", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AssetKind.values), name="rq_asset_kind_valid"),
            models.CheckConstraint(condition=~Q(link="") | ~Q(file=""), name="rq_asset_needs_link_or_file"),
            *text_length_checks(
                "rq_asset", {"description": limits.DETAILS, "internal_notes": limits.DETAILS}
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="rq_asset_version_from_1"),
            models.CheckConstraint(
                condition=Q(replaced_by__isnull=True) | ~Q(replaced_by=F("id")),
                name="rq_asset_not_replaced_by_itself",
            ),
            models.CheckConstraint(
                condition=Q(replaced_by__isnull=True) | Q(retired_at__isnull=False),
                name="rq_asset_replacement_only_when_retired",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "review_by"], name="rq_asset_review_idx"),
            # The review reminders: live assets by review date.
            models.Index(
                fields=["review_by"], condition=Q(retired_at__isnull=True), name="rq_asset_live_review_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("requests_queue:asset_detail", args=[self.pk])

    @property
    def needs_review(self) -> bool:
        return self.review_by < date.today()

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class AssetVersion(models.Model):
    """One version of an asset's deliverable (a file and/or a link), kept when a newer one is uploaded.

    ``number`` counts from 1 per asset (the database keeps it unique); the asset's own
    ``link``, ``file`` and ``version`` are those of its highest number.
    """

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="requests/assets/versions/%Y/%m/", blank=True)
    link = models.URLField(max_length=500, blank=True)
    note = models.CharField(max_length=limits.REASON, blank=True, help_text="What changed.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["asset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "number"], name="rq_asset_version_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="rq_asset_version_number_from_1"),
            models.CheckConstraint(
                condition=~Q(link="") | ~Q(file=""), name="rq_asset_version_needs_link_or_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} v{self.number}"


class ReviewReminderKind(models.TextChoices):
    """Which review reminder: the week before the review-by date, or a week while it is overdue."""

    DUE_SOON = "due_soon", "Due within a week"
    OVERDUE = "overdue", "Overdue"


class AssetReviewReminder(models.Model):
    """That an asset's owner was reminded of its review, so each (asset, kind, period) is reminded once.

    ``period`` is the review-by date for the reminder the week before it, the Monday of the
    week for an overdue one: the unique constraint is the idempotency key of the beat task.
    """

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="review_reminders")
    kind = models.CharField(max_length=10, choices=ReviewReminderKind.choices)
    period = models.DateField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "kind", "period"], name="rq_asset_reminder_once"),
            models.CheckConstraint(
                condition=Q(kind__in=ReviewReminderKind.values), name="rq_asset_reminder_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.kind} {self.period}"


class SavedView(models.Model):
    """A queue's filters and sort saved under a name: private, or shared with one of the owner's teams.

    ``query`` is the queue's query string as the filter bar wrote it (``status=new&sort=-priority``);
    opening the view is opening ``/requests/?<query>``, so it filters exactly as the bar does.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=1000, blank=True)
    # Shared with this team's members and lead; None: only the owner sees it.
    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="rq_saved_view_one_name_per_owner"),
            models.CheckConstraint(condition=~models.Q(name=""), name="rq_saved_view_named"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('requests_queue:index')}?{self.query}{'&' if self.query else ''}view={self.pk}"
