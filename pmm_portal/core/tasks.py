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
def send_password_reset(email: str, domain: str, use_https: bool) -> int:
    """Mail a password-reset link (``services.password_reset_send``); a mail server that does not
    answer is tried again with backoff. A duplicate delivery mails a second link, which works too."""
    return services.password_reset_send(email=email, domain=domain, use_https=use_https)
