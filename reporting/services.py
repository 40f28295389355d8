"""Producing, regenerating, versioning, annotating, mailing and sending monthly review reports.

Versions: a report's figures are the month as it stood at its end, so a
regeneration normally finds the same figures and makes no new version (it only
records ``checked_at``). Different figures, or a new leader's summary, make the
next ``ReportVersion``, with the list of what changed (``snapshot_changes``).
"""

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from integrations import events as integration_events
from pmm_portal.core.background import enqueue_on_commit, heartbeat
from pmm_portal.core.dates import add_months, month_start
from pmm_portal.core.models import Team, User

from . import selectors
from .models import MonthlyReport, ReportSending, ReportStatus, ReportVersion, SendingStatus, VersionKind

logger = logging.getLogger(__name__)

# Named, not imported: services never import tasks. When the broker is down the report stays
# queued and the sweep (reports_recover, every minute) sends it again.
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
    click or a second user does not produce twice; a generation whose worker
    died (``is_stuck``) is queued again. The task, carrying the new generation
    number, is enqueued only once the request is committed.
    """
    month = month_start(month)
    with transaction.atomic():
        report, _ = MonthlyReport.objects.select_for_update().get_or_create(team=team, month=month)
        now = timezone.now()
        if report.in_progress and report.requested_at and not is_stuck(report, now=now):
            return report
        report.status = ReportStatus.PENDING
        report.requested_by = user
        report.requested_at = now
        report.queued_at = now
        report.recovered_at = None
        report.error = ""
        report.attempts = 0
        report.generation += 1
        report.claim = ""
        report.worker = ""
        report.save(
            update_fields=[
                "status",
                "requested_by",
                "requested_at",
                "queued_at",
                "recovered_at",
                "error",
                "attempts",
                "generation",
                "claim",
                "worker",
            ]
        )
        enqueue_on_commit(GENERATE_TASK, report.pk, report.generation)
    return report


def report_produce_now(*, team: Team, month: dt.date, mail: bool = True) -> MonthlyReport:
    """Produce (or regenerate) a report in this process, for the command line and the demo.

    ``mail=False`` (the demo's past months) produces it without mailing the team.
    """
    report, _ = MonthlyReport.objects.get_or_create(team=team, month=month_start(month))
    return report_generate(report_id=report.pk, mail=mail) or report


# --- Running a generation: claimed once, kept alive, recovered when its worker dies -----------------
#
# Each queueing raises ``generation`` and the task carries that number. A run claims the report
# with a conditional update (``report_claim``) and writes its result only while it still holds
# the claim; it records a heartbeat meanwhile. So a duplicate delivery of a message finds the
# report already running or ready and does nothing (it never makes a version), a message from
# before a re-queueing finds another generation, and a worker that died is noticed by its silent
# heartbeat (``reports_recover``) or by its own restart (``worker``), and the report is queued again.

HEARTBEAT_SECONDS = 15.0
# A running report whose heartbeat is older than this has lost its worker.
HEARTBEAT_STALE = dt.timedelta(seconds=75)
# Queued again after this many runs whose worker died; then failed, with a Try again button.
MAX_ATTEMPTS = 3
# A queued report whose task no worker took (the broker was down when it was sent) is sent again.
RESEND_AFTER = dt.timedelta(minutes=5)
WORKER_STOPPED = "The worker producing this report stopped {count} times in a row."


def _time_limit() -> dt.timedelta:
    """The longest a run may take: Celery's hard time limit stops it then, heartbeat or not."""
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def is_stuck(report: MonthlyReport, *, now: dt.datetime) -> bool:
    """A running report whose worker is gone: silent for ``HEARTBEAT_STALE``, or past the time limit."""
    if report.status != ReportStatus.RUNNING:
        return False
    beat = report.heartbeat_at or report.started_at
    return beat is None or beat < now - HEARTBEAT_STALE or (report.started_at or now) < now - _time_limit()


def _stuck(now: dt.datetime) -> Q:
    return Q(status=ReportStatus.RUNNING) & (
        Q(heartbeat_at__lt=now - HEARTBEAT_STALE)
        | Q(heartbeat_at__isnull=True, started_at__lt=now - HEARTBEAT_STALE)
        | Q(started_at__lt=now - _time_limit())
        | Q(started_at__isnull=True)
    )


def report_claim(
    *,
    report_id: int,
    generation: int | None = None,
    worker: str = "",
    redelivered: bool = False,
    force: bool = False,
) -> str | None:
    """Take the report for one run; the claim's token, or None when this delivery must do nothing.

    A conditional update decides, so two deliveries never both win: a queued
    report of this ``generation`` is taken; a running one only when its run is
    dead (its heartbeat is old, or the broker ``redelivered`` this very message,
    which it does only when the worker holding it died). ``force`` (the command
    line, and tasks sent before generations existed) also takes a ready or failed
    report, to regenerate it.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    takeable = Q(status=ReportStatus.PENDING) | _stuck(now)
    if redelivered:
        takeable |= Q(status=ReportStatus.RUNNING)
    if force:
        takeable |= Q(status__in=[ReportStatus.READY, ReportStatus.FAILED])
    reports = MonthlyReport.objects.filter(takeable, pk=report_id)
    if generation is not None:
        reports = reports.filter(generation=generation)
    claimed = reports.update(
        status=ReportStatus.RUNNING,
        claim=token,
        worker=worker[:200],
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        logger.info("Report %s (generation %s): already taken or done; nothing to do", report_id, generation)
        return None
    return token


def report_generate(*, report_id: int, mail: bool = True, claim: str | None = None) -> MonthlyReport | None:
    """Compute the month's figures; store them as a new version when they differ from the current one.

    ``claim`` is the run's token from ``report_claim``; without one the report is
    claimed here (``force``: the command line regenerates whatever the status).
    The result is written only while the run still holds its claim, so a run that
    was given up for dead and replaced never writes a second version; None then.
    Running it twice finds the same figures the second time and makes no version.
    """
    claim = claim or report_claim(report_id=report_id, force=True)
    if claim is None:
        return None
    report = MonthlyReport.objects.select_related("team").get(pk=report_id)
    with heartbeat(partial(_beat, report_id, claim), every=HEARTBEAT_SECONDS):
        data = selectors.month_snapshot(team=report.team, month=report.month)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report_id)
        if report.claim != claim or report.status != ReportStatus.RUNNING:
            logger.warning("Report %s: this run was replaced by another; its result is dropped", report_id)
            return None
        now = timezone.now()
        fields = ["status", "checked_at", "error", "claim", "worker", "heartbeat_at"]
        if not report.version or data != report.data:
            changes = snapshot_changes(report.data, data) if report.version else []
            _new_version(
                report, kind=VersionKind.GENERATED, data=data, changes=changes, user=report.requested_by
            )
            report.generated_at = now
            fields += ["data", "version", "generated_at"]
            integration_events.report_ready(report)
            if mail:
                enqueue_on_commit(MAIL_TASK, report_id)
            else:  # counted as mailed, so no later sweep sends it
                report.mailed_version = report.version
                fields.append("mailed_version")
        report.status = ReportStatus.READY
        report.checked_at = now
        report.error = ""
        report.claim = ""
        report.worker = ""
        report.heartbeat_at = None
        report.save(update_fields=fields)
    return report


def _beat(report_id: int, claim: str) -> None:
    MonthlyReport.objects.filter(pk=report_id, claim=claim, status=ReportStatus.RUNNING).update(
        heartbeat_at=timezone.now()
    )


def reports_recover(
    *, now: dt.datetime | None = None, restarted_worker: str = "", started_at: dt.datetime | None = None
) -> int:
    """Queue again (or fail) reports whose worker died; send again queued ones no worker took.

    Run every minute (the beat) and by a worker as it starts (``restarted_worker``,
    its own name, and ``started_at``, when its process started): whatever a worker
    of that name began before then belonged to a process that is gone, since the
    name is now taken by the one starting. A report whose runs died ``MAX_ATTEMPTS``
    times is failed, with a Try again button. Returns how many were queued again.
    """
    now = now or timezone.now()
    dead = _stuck(now)
    if restarted_worker:
        dead |= Q(status=ReportStatus.RUNNING, worker=restarted_worker, started_at__lt=started_at or now)
    requeued = 0
    for report in MonthlyReport.objects.filter(dead).only("pk", "claim", "generation", "attempts"):
        requeued += _requeue(report, now=now)
    for report_id, generation in MonthlyReport.objects.filter(
        Q(queued_at__lt=now - RESEND_AFTER) | Q(queued_at__isnull=True), status=ReportStatus.PENDING
    ).values_list("pk", "generation"):
        MonthlyReport.objects.filter(pk=report_id, status=ReportStatus.PENDING).update(queued_at=now)
        enqueue_on_commit(GENERATE_TASK, report_id, generation)
    return requeued


def _requeue(report: MonthlyReport, *, now: dt.datetime) -> int:
    """Queue a dead run's report again as a new generation, or fail it after ``MAX_ATTEMPTS``."""
    mine = MonthlyReport.objects.filter(
        pk=report.pk, status=ReportStatus.RUNNING, claim=report.claim, generation=report.generation
    )
    with transaction.atomic():
        if report.attempts >= MAX_ATTEMPTS:
            mine.update(
                status=ReportStatus.FAILED,
                error=WORKER_STOPPED.format(count=report.attempts),
                claim="",
                worker="",
                heartbeat_at=None,
            )
            logger.error("Report %s: its worker stopped %s times; failed", report.pk, report.attempts)
            return 0
        if not mine.update(
            status=ReportStatus.PENDING,
            generation=report.generation + 1,
            recovered_at=now,
            queued_at=now,
            claim="",
            worker="",
            heartbeat_at=None,
        ):
            return 0
        logger.warning("Report %s: its worker stopped; queued again", report.pk)
        enqueue_on_commit(GENERATE_TASK, report.pk, report.generation + 1)
    return 1


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
    "promoted": "wins promoted",
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
    "learning_log": "learnings (rows)",
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


def report_mark_failed(*, report_id: int, claim: str, error: str, final: bool) -> None:
    """Record a failed run where users see it; ``final`` when no retry follows (else queued, for it).

    Only the run holding the claim records its failure: a run given up for dead
    does not overwrite the state of the one that replaced it.
    """
    status = ReportStatus.FAILED if final else ReportStatus.PENDING
    MonthlyReport.objects.filter(pk=report_id, claim=claim, status=ReportStatus.RUNNING).update(
        status=status, error=error[:2000], claim="", worker="", heartbeat_at=None, queued_at=timezone.now()
    )


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
    """Queue every due monthly report (the beat job); ``reports_recover`` looks after stuck ones."""
    now = now or timezone.now()
    count = 0
    for team, month in reports_due(now=now):
        report_request(team=team, month=month)
        count += 1
    return count


# A sending still queued after this long is sent again (its worker died); after a day, it failed.
SENDING_RESEND_AFTER = dt.timedelta(minutes=10)
SENDING_GIVE_UP_AFTER = dt.timedelta(days=1)


def sendings_recover(*, now: dt.datetime | None = None) -> int:
    """Send again the "send to…" mails still queued long after they were asked for; fail the oldest.

    Mailing claims the sending with a conditional update, so one sent twice mails once.
    """
    now = now or timezone.now()
    ReportSending.objects.filter(
        status=SendingStatus.QUEUED, created_at__lt=now - SENDING_GIVE_UP_AFTER
    ).update(status=SendingStatus.FAILED, error="Not sent within a day: the mail could not be handed over.")
    resent = 0
    for sending_id in ReportSending.objects.filter(
        status=SendingStatus.QUEUED, created_at__lt=now - SENDING_RESEND_AFTER
    ).values_list("pk", flat=True):
        enqueue_on_commit(SEND_TASK, sending_id)
        resent += 1
    return resent
