"""Endpoints the portal posts events to (webhooks, Slack and Teams channels) and the log of each delivery.

An ``Endpoint`` is a URL that hears of chosen events: a signed JSON webhook for another tool,
or a team's Slack or Microsoft Teams incoming webhook (a channel). Every event an endpoint
hears becomes one ``Delivery`` row in the transaction that caused it (``events.emit``), sent
after commit by a Celery task, retried with backoff and kept as the delivery log.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

NAME = 120
URL = 500
EXCERPT = 1000


def new_secret() -> str:
    """A per-endpoint signing secret: 32 random bytes, hex."""
    return secrets.token_hex(32)


class EndpointKind(models.TextChoices):
    WEBHOOK = "webhook", "Webhook (signed JSON)"
    SLACK = "slack", "Slack channel"
    TEAMS = "teams", "Microsoft Teams channel"


class Event(models.TextChoices):
    """What happened, as the ``event`` field of every payload names it."""

    REQUEST_CREATED = "request.created", "Request created"
    REQUEST_STATE_CHANGED = "request.state_changed", "Request state changed"
    REQUEST_DELIVERED = "request.delivered", "Request delivered"
    REQUEST_SLA_BREACHED = "request.sla_breached", "Request past its service level"
    REPORT_READY = "report.ready", "Monthly report ready"
    WIN_RECORDED = "win.recorded", "Win recorded"
    WIN_PROMOTED = "win.promoted", "Win promoted"
    WIN_LOSS_RECORDED = "win_loss.recorded", "Win/loss review recorded"
    NOTIFICATION = "notification", "Personal notification"
    PING = "ping", "Test ping"


# What an endpoint may subscribe to (a ping is sent on demand; a personal notification goes to the
# person's own address, ``Endpoint.personal``: neither is subscribed to).
SUBSCRIBABLE = tuple(e for e in Event.values if e not in (Event.PING, Event.NOTIFICATION))
CHAT_KINDS = (EndpointKind.SLACK.value, EndpointKind.TEAMS.value)
# What a Slack or Teams channel may post: the news a team reads in a channel.
CHANNEL_EVENTS = (
    Event.REQUEST_CREATED.value,
    Event.REQUEST_SLA_BREACHED.value,
    Event.REQUEST_DELIVERED.value,
    Event.WIN_PROMOTED.value,
)


class Endpoint(models.Model):
    """A URL that hears of chosen events: a signed webhook, or a team's Slack or Teams channel.

    ``team`` scopes it: it hears only that team's events (empty: every team's; administrators
    only, and webhooks only). A CMO registers endpoints for the teams they lead. A ``personal``
    endpoint is one person's own Slack or Teams address (their ``owner``, no team, no events): the
    notices they chose to get in chat are posted to it (``events.request_notifications_publish``),
    one per person; only they see it, on their notification preferences. After
    ``services.PAUSE_AFTER`` deliveries in a row fail it is paused (``paused_at``) and its owner is
    mailed; its deliveries wait until someone resumes it.
    """

    kind = models.CharField(max_length=10, choices=EndpointKind.choices, default=EndpointKind.WEBHOOK)
    name = models.CharField(max_length=NAME)
    url = models.URLField("URL", max_length=URL)
    events = models.JSONField(default=list, help_text="The events (``Event`` values) it hears.")
    team = models.ForeignKey(
        "core.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="integration_endpoints"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="integration_endpoints"
    )
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    personal = models.BooleanField(
        default=False, help_text="The owner's own Slack or Teams address for their notifications."
    )
    failure_streak = models.PositiveSmallIntegerField(
        default=0, help_text="Deliveries in a row that failed (every attempt); 0 after a success."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EndpointKind.values), name="integrations_endpoint_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="integrations_endpoint_url_http",
            ),
            models.CheckConstraint(
                condition=Q(kind=EndpointKind.WEBHOOK) | Q(team__isnull=False) | Q(personal=True),
                name="integrations_channel_has_team",
            ),
            models.CheckConstraint(
                condition=Q(personal=False) | Q(team__isnull=True, kind__in=CHAT_KINDS),
                name="integrations_personal_is_own_chat",
            ),
            models.UniqueConstraint(
                fields=["owner"], condition=Q(personal=True), name="integrations_one_personal_per_person"
            ),
            models.CheckConstraint(condition=~Q(secret=""), name="integrations_endpoint_has_secret"),
            models.CheckConstraint(
                condition=Q(paused_at__isnull=True) | ~Q(pause_reason=""),
                name="integrations_paused_says_why",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        if self.personal:
            return reverse("integrations:personal")
        return reverse("integrations:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.paused_at is None

    @property
    def signs(self) -> bool:
        """Webhooks carry ``X-PMM-Signature``; Slack and Teams check nothing of ours."""
        return self.kind == EndpointKind.WEBHOOK

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(e, e)) for e in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event sent (or to send) to one endpoint: the delivery log's row and the task's work item.

    Written in the transaction of what happened (``events.emit``), unique per endpoint and
    occurrence (``event_key``), so an event published twice is delivered once. ``body`` is the
    exact JSON sent. While ``pending`` it has a ``next_attempt_at``; the sending task locks the
    row (``services.delivery_attempt``) so a duplicate task never sends it twice. A re-send from
    the log is a new row (``resend_of``) with the same body and event id.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30, choices=Event.choices)
    event_key = models.CharField(max_length=160, help_text="The occurrence: what makes a delivery unique.")
    team = models.ForeignKey("core.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True, max_length=EXCERPT)
    error = models.CharField(max_length=300, blank=True)
    resend_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_key"], name="integrations_delivery_once"),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="integrations_delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.PENDING, next_attempt_at__isnull=False)
                | (~Q(status=DeliveryStatus.PENDING) & Q(next_attempt_at__isnull=True)),
                name="integrations_pending_has_next_attempt",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SUCCEEDED) | Q(delivered_at__isnull=False),
                name="integrations_delivered_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=DeliveryStatus.PENDING),
                name="integrations_delivery_due_idx",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="integrations_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("integrations:delivery", args=[self.pk])
