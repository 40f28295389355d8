"""Housekeeping tasks of the shared core."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="core.clear_expired_sessions", acks_late=True)
def clear_expired_sessions() -> None:
    """Delete expired sessions; idempotent, so a retry or a double run is harmless."""
    call_command("clearsessions")
