"""Housekeeping tasks of the shared core."""

from celery import shared_task
from django.core.management import call_command

from . import services


@shared_task(name="core.clear_expired_sessions", acks_late=True)
def clear_expired_sessions() -> None:
    """Delete expired sessions; idempotent, so a retry or a double run is harmless."""
    call_command("clearsessions")


@shared_task(
    name="core.send_password_reset",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=3,
)
def send_password_reset(mail_id: int) -> int:
    """Mail a password-reset link from its outbox row (``services.password_reset_send``); a mail
    server that does not answer is tried again with backoff. A duplicate delivery mails nothing."""
    return services.password_reset_send(mail_id=mail_id)


@shared_task(name="core.dispatch_reset_mail_outbox", acks_late=True)
def dispatch_reset_mail_outbox() -> int:
    """Enqueue reset mails whose first enqueue failed (the broker was down)."""
    return services.password_reset_outbox_dispatch()
