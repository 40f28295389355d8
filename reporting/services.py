"""Producing, regenerating, annotating and mailing monthly review reports."""

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.background import enqueue_on_commit
from pmm_portal.core.dates import add_months, month_start
from pmm_portal.core.models import Team, User

from . import selectors
from .models import MonthlyReport, ReportStatus

logger = logging.getLogger(__name__)

# Named, not imported: services never import tasks. When the broker is down the report stays
# queued and the hourly sweep (reporting.generate_due_reports) picks it up again.
GENERATE_TASK = "reporting.generate_report"
MAIL_TASK = "reporting.mail_report"

# The moment, in each team's own time zone, when last month's report is produced.
REPORT_DAY = 1
REPORT_HOUR = 6


def report_request(*, team: Team, month: dt.date, user: User | None = None) -> MonthlyReport:
    """Ask for ``team``'s report of ``month`` to be (re)generated in the background.

    One report per team and month: asking again regenerates it. While a
    generation is queued or running, asking again changes nothing, so a double
    click or a second user does not produce twice. The task is enqueued only
    once the request is committed.
    """
    month = month_start(month)
    with transaction.atomic():
        report, _ = MonthlyReport.objects.select_for_update().get_or_create(team=team, month=month)
        if report.in_progress and report.requested_at:
            return report
        report.status = ReportStatus.PENDING
        report.requested_by = user
        report.requested_at = timezone.now()
        report.error = ""
        report.attempts = 0
        report.save(update_fields=["status", "requested_by", "requested_at", "error", "attempts"])
        enqueue_on_commit(GENERATE_TASK, report.pk)
    return report


def report_produce_now(*, team: Team, month: dt.date) -> MonthlyReport:
    """Produce (or regenerate) a report in this process, for the command line."""
    report, _ = MonthlyReport.objects.get_or_create(team=team, month=month_start(month))
    return report_generate(report_id=report.pk)


def report_generate(*, report_id: int) -> MonthlyReport:
    """Compute the month's figures and store them as the report's new snapshot.

    Idempotent: running it twice (a retry, or a worker that died after the work
    and before acknowledging it) leaves one report with the latest figures. The
    row lock serialises two workers on the same report.
    """
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().select_related("team").get(pk=report_id)
        report.status = ReportStatus.RUNNING
        report.started_at = timezone.now()
        report.attempts = F("attempts") + 1
        report.save(update_fields=["status", "started_at", "attempts"])
    data = selectors.month_snapshot(team=report.team, month=report.month)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report_id)
        report.data = data
        report.status = ReportStatus.READY
        report.version = F("version") + 1
        report.generated_at = timezone.now()
        report.error = ""
        report.save(update_fields=["data", "status", "version", "generated_at", "error"])
        enqueue_on_commit(MAIL_TASK, report_id)
    report.refresh_from_db()
    return report


def report_mark_failed(*, report_id: int, error: str, final: bool) -> None:
    """Record a failed attempt where users see it; ``final`` when no retry follows."""
    status = ReportStatus.FAILED if final else ReportStatus.PENDING
    MonthlyReport.objects.filter(pk=report_id).update(status=status, error=error[:2000])


def report_update_summary(*, report: MonthlyReport, user: User, summary: str) -> MonthlyReport:
    report.summary = summary.strip()
    report.summary_updated_by = user
    report.summary_updated_at = timezone.now()
    report.save(update_fields=["summary", "summary_updated_by", "summary_updated_at"])
    return report


def report_recipients(report: MonthlyReport) -> list[str]:
    """The team's leader and members, each once, those with an email address."""
    people: Iterable[User] = [*([report.team.lead] if report.team.lead else []), *report.team.members.all()]
    seen: dict[str, None] = {}
    for person in people:
        if person.email and person.is_active:
            seen.setdefault(person.email, None)
    return list(seen)


def report_mail(*, report_id: int) -> bool:
    """Mail the report's link to the team's leader and members, once per version.

    The conditional update claims the mailing: a second run (a retry, a
    duplicate task) finds ``mailed_version`` already up to date and sends
    nothing. A failure to send rolls the claim back, so the retry sends.
    """
    with transaction.atomic():
        claimed = MonthlyReport.objects.filter(
            pk=report_id, status=ReportStatus.READY, mailed_version__lt=F("version")
        ).update(mailed_version=F("version"))
        if not claimed:
            return False
        report = MonthlyReport.objects.select_related("team", "team__lead").get(pk=report_id)
        recipients = report_recipients(report)
        if recipients:
            link = settings.SITE_URL + reverse("reporting:report", args=[report.pk])
            context = {"report": report, "link": link, "figures": report.data.get("figures", {})}
            send_mail(
                subject=f"Monthly review: {report.team.name}, {report.month:%B %Y}",
                message=render_to_string("reporting/report_email.txt", context),
                from_email=None,
                recipient_list=recipients,
            )
    return True


def reports_due(*, now: dt.datetime) -> list[tuple[Team, dt.date]]:
    """Teams whose last-month report is due: it is the 1st, 06:00 or later in their time zone.

    A report already ready, queued or running is not due again; a failed one is.
    """
    due = []
    teams = Team.objects.all()
    existing = {
        (report.team_id, report.month): report.status
        for report in MonthlyReport.objects.filter(month__gte=add_months(month_start(now.date()), -2))
    }
    for team in teams:
        local = now.astimezone(team.zone)
        if local.day != REPORT_DAY or local.hour < REPORT_HOUR:
            continue
        month = add_months(month_start(local.date()), -1)
        if existing.get((team.pk, month)) in (None, ReportStatus.FAILED):
            due.append((team, month))
    return due


def generate_due_reports(*, now: dt.datetime | None = None) -> int:
    """Queue every due monthly report (the beat job), and re-queue reports stuck in the queue."""
    now = now or timezone.now()
    count = 0
    for team, month in reports_due(now=now):
        report_request(team=team, month=month)
        count += 1
    stale = now - dt.timedelta(hours=1)
    for report_id in MonthlyReport.objects.filter(
        status=ReportStatus.PENDING, requested_at__lt=stale
    ).values_list("pk", flat=True):
        enqueue_on_commit(GENERATE_TASK, report_id)
    return count
