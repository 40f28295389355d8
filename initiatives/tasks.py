"""Celery adapters of the initiatives app; the schedule is in pmm_portal/celery.py."""

from datetime import datetime

from celery import shared_task

from . import services


@shared_task(
    name="initiatives.send_due_reminders",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_due_reminders(now: str | None = None) -> int:
    """Hourly: email PMMs whose last week's time or last month's review is overdue in their time zone.

    ``now`` (an ISO 8601 aware datetime) stands in for the clock, for tests and replays.
    Idempotent: each reminder is recorded once, so a retry or a double run sends nothing twice.
    The same hourly run sends again the promoted-win mails whose enqueue the broker refused.
    """
    moment = datetime.fromisoformat(now) if now else None
    services.promotion_mails_recover(now=moment)
    return services.reminders_send_due(now=moment)


@shared_task(
    name="initiatives.mail_win_promotion",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def mail_win_promotion(promotion_id: int) -> int:
    """Mail a promoted win to its audience; each person once per promotion, however often it runs."""
    return services.win_promotion_mail(promotion_id=promotion_id)
