"""Every message the request address received, once: the key that makes a second delivery a no-op."""

from django.db import models


class Outcome(models.TextChoices):
    CREATED = "created", "Request created"
    COMMENTED = "commented", "Added as a comment"
    REFUSED = "refused", "Refused"


class InboundMessage(models.Model):
    """One message received at a team's request address, by its ``Message-ID``.

    A message delivered twice (a retrying server, a forward sent twice) finds its row and
    changes nothing more. Refused messages are kept too, with the reason told to the sender.
    """

    message_id = models.CharField(max_length=255, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)
    sender = models.CharField(max_length=254)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    team = models.ForeignKey("core.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    request = models.ForeignKey(
        "requests_queue.Request",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["team", "-received_at"], name="intake_team_received")]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"
