"""Background jobs of reporting: thin adapters over the services."""

from celery import Task, shared_task

from . import services


@shared_task(bind=True, name="reporting.generate_report", acks_late=True, max_retries=3)
def generate_report(self: Task[..., None], report_id: int) -> None:
    """Generate one report; retried with backoff, and the last failure is shown on the report."""
    try:
        services.report_generate(report_id=report_id)
    except Exception as error:
        final = self.request.retries >= (self.max_retries or 0)
        services.report_mark_failed(
            report_id=report_id, error=f"{type(error).__name__}: {error}", final=final
        )
        if final:
            return
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


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
