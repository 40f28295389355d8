"""Celery tasks of launches: reminders of late and due items (they call services).

Tasks take ids, call a service and are idempotent; the schedule is in ``pmm_portal/celery.py``.
"""

from celery import shared_task

from . import services


@shared_task(name="launches.send_item_reminders", acks_late=True)
def send_item_reminders() -> int:
    """Daily: record the reminders due (due soon, became late, weekly while late; each once per
    period) and enqueue each owner's mail after commit."""
    return services.reminders_record()


@shared_task(
    name="launches.mail_reminders",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def mail_reminders(recipient_id: int) -> int:
    """One mail with the owner's reminders not mailed yet (safe to run twice)."""
    return services.reminders_mail(recipient_id=recipient_id)
