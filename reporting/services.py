"""Producing, regenerating, versioning, annotating, mailing and sending monthly review reports.

Versions: a report's figures are the month as it stood at its end, so a
regeneration normally finds the same figures and makes no new version (it only
records ``checked_at``). Different figures, or a new leader's summary, make the
next ``ReportVersion``, with the list of what changed (``snapshot_changes``).
"""

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.background import enqueue_on_commit
from pmm_portal.core.dates import add_months, month_start
from pmm_portal.core.models import Team, User

from . import selectors
from .models import MonthlyReport, ReportSending, ReportStatus, ReportVersion, SendingStatus, VersionKind

logger = logging.getLogger(__name__)

# Named, not imported: services never import tasks. When the broker is down the report stays
# queued and the hourly sweep (reporting.generate_due_reports) picks it up again.
GENERATE_TASK = "reporting.generate_report"
MAIL_TASK = "reporting.mail_report"
SEND_TASK = "reporting.send_report"

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


def report_produce_now(*, team: Team, month: dt.date, mail: bool = True) -> MonthlyReport:
    """Produce (or regenerate) a report in this process, for the command line and the demo.

    ``mail=False`` (the demo's past months) produces it without mailing the team.
    """
    report, _ = MonthlyReport.objects.get_or_create(team=team, month=month_start(month))
    return report_generate(report_id=report.pk, mail=mail)


def report_generate(*, report_id: int, mail: bool = True) -> MonthlyReport:
    """Compute the month's figures; store them as a new version when they differ from the current one.

    Idempotent: running it twice (a retry, or a worker that died after the work
    and before acknowledging it) finds the same figures the second time and
    makes no second version. The row lock serialises two workers on the same report.
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
        now = timezone.now()
        fields = ["status", "checked_at", "error"]
        if not report.version or data != report.data:
            changes = snapshot_changes(report.data, data) if report.version else []
            _new_version(
                report, kind=VersionKind.GENERATED, data=data, changes=changes, user=report.requested_by
            )
            report.generated_at = now
            fields += ["data", "version", "generated_at"]
            if mail:
                enqueue_on_commit(MAIL_TASK, report_id)
            else:  # counted as mailed, so no later sweep sends it
                report.mailed_version = report.version
                fields.append("mailed_version")
        report.status = ReportStatus.READY
        report.checked_at = now
        report.error = ""
        report.save(update_fields=fields)
    return report


def _new_version(
    report: MonthlyReport,
    *,
    kind: str,
    data: dict[str, Any],
    changes: list[dict[str, Any]],
    user: User | None,
) -> ReportVersion:
    """The report's next version (the caller holds the report's row lock and saves the report)."""
    report.version = (report.version or 0) + 1
    report.data = data
    return ReportVersion.objects.create(
        report=report,
        number=report.version,
        kind=kind,
        data=data,
        summary=report.summary,
        changes=changes,
        created_by=user,
    )


# Labels of the figures compared between versions, in the report's words.
CHANGE_LABELS = {
    "total_hours": "hours logged",
    "hours.top3": "hours on top-3 initiatives",
    "hours.initiative_other": "hours on other initiatives",
    "hours.request": "hours on one-off requests",
    "hours.customer": "hours with customers",
    "hours.meetings": "hours in meetings",
    "hours.other": "other hours",
    "requests.received": "requests received",
    "requests.delivered": "requests delivered",
    "requests.on_time": "requests delivered on time",
    "requests.reused": "requests answered by reuse",
    "requests.declined": "requests declined",
    "requests.median_turnaround_days": "median turnaround (days)",
    "requests.self_served": "requests answered from the library (self-served)",
    "requests.me_too": "requests joined with “me too”",
    "requests.deflected": "requests deflected before the queue",
    "interactions": "customer interactions",
    "wins": "wins",
    "top3.on_track": "top-3 initiatives on track",
    "top3.at_risk": "top-3 initiatives at risk",
    "top3.off_track": "top-3 initiatives off track",
    "top3.done": "top-3 initiatives done",
    "top3.dropped": "top-3 initiatives dropped",
}
TABLE_LABELS = {
    "requests": "requests received this month (rows)",
    "requests_closed_earlier": "requests closed this month, received earlier (rows)",
    "interactions": "customer interactions (rows)",
    "wins": "wins (rows)",
    "reviews": "monthly reviews",
}


def _figure(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def snapshot_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between two snapshots, in words: the team's figures, each PMM's, the tables.

    Anything else that differs (a trend chart, a persona's freshness) is named by its section.
    """
    changes: list[dict[str, Any]] = []

    def compare(who: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for path, label in CHANGE_LABELS.items():
            was, now = _figure(old, path), _figure(new, path)
            if was != now:
                changes.append({"label": f"{who}{label}", "before": was, "after": now})

    compare("", before.get("figures", {}), after.get("figures", {}))
    people_before = {person["id"]: person for person in before.get("people", [])}
    for person in after.get("people", []):
        compare(f"{person['name']}: ", people_before.get(person["id"], {}), person)
    for key, label in TABLE_LABELS.items():
        rows_before, rows_after = before.get(key, []), after.get(key, [])
        if len(rows_before) != len(rows_after):
            changes.append({"label": label, "before": len(rows_before), "after": len(rows_after)})
        elif rows_before != rows_after:
            changes.append({"label": f"{label}: details", "before": None, "after": None})
    for key, label in (("trends", "trend charts"), ("personas", "persona freshness")):
        if before.get(key) != after.get(key):
            changes.append({"label": label, "before": None, "after": None})
    return changes


def report_mark_failed(*, report_id: int, error: str, final: bool) -> None:
    """Record a failed attempt where users see it; ``final`` when no retry follows."""
    status = ReportStatus.FAILED if final else ReportStatus.PENDING
    MonthlyReport.objects.filter(pk=report_id).update(status=status, error=error[:2000])


def report_update_summary(*, report: MonthlyReport, user: User, summary: str) -> MonthlyReport:
    """Save the leader's summary; a changed summary is the report's next version (its own file name)."""
    summary = summary.strip()
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if summary == report.summary:
            return report
        before = report.summary
        report.summary = summary
        report.summary_updated_by = user
        report.summary_updated_at = timezone.now()
        fields = ["summary", "summary_updated_by", "summary_updated_at"]
        if report.version:
            change = {"label": "leader's summary", "before": before, "after": summary}
            _new_version(report, kind=VersionKind.SUMMARY, data=report.data, changes=[change], user=user)
            fields += ["version"]
        report.save(update_fields=fields)
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


MAX_SEND_RECIPIENTS = 20


def report_send(
    *, report: MonthlyReport, user: User, recipients: list[str], message: str = "", attach_pdf: bool = True
) -> ReportSending:
    """Send the report's current version to ``recipients`` (email addresses), recorded on the report.

    The mail goes out from a task enqueued on commit (``report_send_mail``), so the
    page answers at once and a broker outage only delays it.
    """
    addresses = list(dict.fromkeys(address.strip().lower() for address in recipients if address.strip()))
    if not addresses:
        raise ValueError("Pick at least one person or type an email address.")
    if len(addresses) > MAX_SEND_RECIPIENTS:
        raise ValueError(f"Send to at most {MAX_SEND_RECIPIENTS} people at once.")
    if report.status != ReportStatus.READY or not report.version:
        raise ValueError("The report can be sent once it is ready.")
    sending = ReportSending.objects.create(
        report=report,
        version=report.version,
        sent_by=user,
        recipients=addresses,
        message=message.strip(),
        attach_pdf=attach_pdf,
    )
    enqueue_on_commit(SEND_TASK, sending.pk)
    return sending


def report_send_mail(*, sending_id: int) -> bool:
    """Mail one sending, once: the conditional update claims it, a failure rolls the claim back.

    A retried or duplicated task finds the sending already sent and mails nothing.
    """
    from .exports import report_pdf_bytes  # the PDF renderer is heavy: loaded only by the worker

    with transaction.atomic():
        claimed = ReportSending.objects.filter(pk=sending_id, status=SendingStatus.QUEUED).update(
            status=SendingStatus.SENT, sent_at=timezone.now()
        )
        if not claimed:
            return False
        sending = ReportSending.objects.select_related("report__team", "sent_by").get(pk=sending_id)
        report = sending.report
        link = settings.SITE_URL + reverse("reporting:report", args=[report.pk])
        sender = sending.sent_by
        context = {"sending": sending, "report": report, "link": link, "sender": sender}
        mail = EmailMessage(
            subject=f"Monthly review: {report.team.name}, {report.month:%B %Y}",
            body=render_to_string("reporting/report_send_email.txt", context),
            to=sending.recipients,
            reply_to=[sender.email] if sender and sender.email else None,
        )
        if sending.attach_pdf:
            from .exports import report_filename

            mail.attach(report_filename(report, "pdf"), report_pdf_bytes(report), "application/pdf")
        mail.send()
    return True


def report_send_failed(*, sending_id: int, error: str) -> None:
    """The last attempt to mail a sending failed: say so on the report page."""
    ReportSending.objects.filter(pk=sending_id, status=SendingStatus.QUEUED).update(
        status=SendingStatus.FAILED, error=error[:2000]
    )


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
