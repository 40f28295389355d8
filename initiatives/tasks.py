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
    """
    return services.reminders_send_due(now=datetime.fromisoformat(now) if now else None)
