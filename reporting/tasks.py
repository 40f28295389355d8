"""Background jobs of reporting: thin adapters over the services."""

import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.db import connections
from django.utils import timezone

from . import services

logger = logging.getLogger(__name__)

# When this process started (a worker imports its task modules as it starts): runs its name
# began before then belong to a previous process of the same name.
PROCESS_STARTED_AT = timezone.now()


@shared_task(bind=True, name="reporting.generate_report", acks_late=True, max_retries=3)
def generate_report(self: Task[..., None], report_id: int, generation: int | None = None) -> None:
    """Generate one report; retried with backoff, and the last failure is shown on the report.

    ``generation`` is the queueing this message belongs to (``services.report_request``).
    A duplicate delivery, or a message from an earlier queueing, claims nothing and
    does nothing. Messages sent before generations existed regenerate (``force``).
    """
    request = self.request
    claim = services.report_claim(
        report_id=report_id,
        generation=generation,
        worker=request.hostname or "",
        redelivered=bool((request.delivery_info or {}).get("redelivered")),
        force=generation is None,
    )
    if claim is None:
        return
    try:
        services.report_generate(report_id=report_id, claim=claim)
    except Exception as error:
        final = request.retries >= (self.max_retries or 0)
        services.report_mark_failed(
            report_id=report_id, claim=claim, error=f"{type(error).__name__}: {error}", final=final
        )
        if final:
            return
        raise self.retry(exc=error, countdown=30 * 2**request.retries) from error


@shared_task(name="reporting.recover_stuck_reports", acks_late=True)
def recover_stuck_reports() -> int:
    """Every minute: reports whose worker died queued again (or failed); queued mails sent again."""
    services.sendings_recover()
    return services.reports_recover()


@worker_ready.connect
def recover_after_restart(sender: Any, **kwargs: Any) -> None:
    """A worker starting under a name takes back what a dead worker of that name was producing.

    Compose and systemd restart a worker under the same name, so the report it was
    producing when it was killed is queued again at once, not at the next sweep.
    Runs in the worker's main process: its database connection is closed after.
    """
    hostname = getattr(sender, "hostname", "") or ""
    if not hostname:
        return
    try:
        count = services.reports_recover(restarted_worker=hostname, started_at=PROCESS_STARTED_AT)
        if count:
            logger.warning("%s took back %d report(s) its previous run was producing", hostname, count)
    except Exception:
        logger.exception("Could not look for reports left by the previous %s; the sweep will", hostname)
    finally:
        connections.close_all()


@shared_task(
    name="reporting.mail_report",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def mail_report(report_id: int) -> None:
    services.report_mail(report_id=report_id)


@shared_task(name="reporting.generate_due_reports", acks_late=True)
def generate_due_reports() -> int:
    """Hourly: produce last month's report for each team whose 1st, 06:00 local, has come."""
    return services.generate_due_reports()


@shared_task(bind=True, name="reporting.send_report", acks_late=True, max_retries=5)
def send_report(self: Task[..., None], sending_id: int) -> None:
    """Mail one "send to…" of a report; retried with backoff, the last failure shown on the report."""
    try:
        services.report_send_mail(sending_id=sending_id)
    except Exception as error:
        if self.request.retries >= (self.max_retries or 0):
            services.report_send_failed(sending_id=sending_id, error=f"{type(error).__name__}: {error}")
            return
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
