"""Celery tasks of the diagnostic: telling participants (they call services).

Tasks take ids, call a service and are idempotent; the schedule is in ``pmm_portal/celery.py``.
"""

from celery import shared_task

from . import services


@shared_task(
    name="diagnostics.mail_participants",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def mail_participants(round_id: int) -> int:
    """Invite a round's participants to answer, or send them its results once closed (each once)."""
    return services.participants_mail(round_id=round_id)


@shared_task(name="diagnostics.sweep_participant_mails", acks_late=True)
def sweep_participant_mails() -> int:
    """Hourly: enqueue again the mails a broker outage kept from going out."""
    return services.participants_mail_sweep()
