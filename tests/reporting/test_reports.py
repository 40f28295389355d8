"""The monthly review report: produced, frozen, regenerated, mailed once, on schedule, by a real worker."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from pmm_portal.celery import app
from reporting import services, tasks
from reporting.models import MonthlyReport, ReportStatus, ReportVersion
from tests.reporting.conftest import OCTOBER
from timesheets.models import TimeCategory, TimeEntry


@pytest.fixture
def produce(django_capture_on_commit_callbacks):
    def run(team, month=OCTOBER, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            report = services.report_request(team=team, month=month, user=user)
        report.refresh_from_db()
        return report

    return run


@pytest.mark.usefixtures("october")
def test_requesting_a_report_produces_a_snapshot_and_mails_the_team(produce, team, cmo, pmm, pmm2, pm):
    report = produce(team, user=cmo)
    assert report.status == ReportStatus.READY
    assert report.version == 1
    assert report.data["figures"]["total_hours"] == 65.0
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {cmo.email, pmm.email, pmm2.email, pm.email}  # the leader and the team
    assert f"/reporting/reports/{report.pk}/" in mail.outbox[0].body
    assert "October 2026" in mail.outbox[0].subject


@pytest.mark.usefixtures("october")
def test_the_snapshot_does_not_change_until_regenerated(produce, team, pmm):
    report = produce(team)
    TimeEntry.objects.create(
        user=pmm, week_start=dt.date(2026, 10, 26), category=TimeCategory.MEETINGS, hours=Decimal(10)
    )
    report.refresh_from_db()
    assert report.data["figures"]["total_hours"] == 65.0
    report = produce(team)
    assert report.data["figures"]["total_hours"] == 75.0
    assert report.version == 2


def test_running_the_task_twice_leaves_one_report(produce, team):
    report = produce(team)
    tasks.generate_report(report.pk)
    tasks.generate_report(report.pk)
    assert MonthlyReport.objects.filter(team=team, month=OCTOBER).count() == 1
    # The same figures each time: one version, one mail.
    assert MonthlyReport.objects.get(pk=report.pk).version == 1
    assert ReportVersion.objects.filter(report=report).count() == 1


def test_each_version_is_mailed_once_even_if_the_task_runs_twice(produce, team):
    report = produce(team)
    assert len(mail.outbox) == 1
    tasks.mail_report(report.pk)
    tasks.mail_report(report.pk)
    assert len(mail.outbox) == 1


def test_asking_twice_while_queued_does_not_queue_twice(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as first:
        services.report_request(team=team, month=OCTOBER)
    with django_capture_on_commit_callbacks(execute=False) as second:
        services.report_request(team=team, month=OCTOBER)
    assert len(first) == 1
    assert second == []


def test_a_failure_is_retried_then_recorded_where_users_see_it(team, monkeypatch):
    from celery.exceptions import Retry

    def broken(**kwargs):
        raise RuntimeError("the figures could not be computed")

    monkeypatch.setattr(services.selectors, "month_snapshot", broken)
    report = MonthlyReport.objects.create(team=team, month=OCTOBER)
    with pytest.raises(Retry):
        tasks.generate_report.apply(args=(report.pk,), throw=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING  # a retry follows
    assert "could not be computed" in report.error
    tasks.generate_report.apply(args=(report.pk,), retries=3)  # the last attempt
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.attempts == 2


def test_month_must_be_a_first_day_in_the_database(team):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        MonthlyReport.objects.create(team=team, month=dt.date(2026, 10, 2))


class TestSchedule:
    def test_the_beat_entry_runs_the_due_reports_task_hourly(self):
        entry = app.conf.beat_schedule["generate-due-monthly-reports"]
        assert entry["task"] == "reporting.generate_due_reports"
        assert entry["task"] in app.tasks
        assert entry["schedule"].minute == {5}
        assert len(entry["schedule"].hour) == 24

    @pytest.mark.parametrize(
        ("utc_now", "due"),
        [
            (dt.datetime(2026, 11, 1, 4, 59, tzinfo=dt.UTC), False),  # 05:59 in Paris
            (dt.datetime(2026, 11, 1, 5, 0, tzinfo=dt.UTC), True),  # 06:00 in Paris
            (dt.datetime(2026, 11, 2, 5, 0, tzinfo=dt.UTC), False),  # the 2nd
            (dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC), False),  # already the 1st in Paris, 00:30
        ],
    )
    def test_reports_are_due_on_the_first_at_six_team_time(self, team, utc_now, due):
        assert [(t.slug, m) for t, m in services.reports_due(now=utc_now)] == (
            [("core-platform", OCTOBER)] if due else []
        )

    def test_a_report_is_produced_once_per_month(self, team, django_capture_on_commit_callbacks):
        now = dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.generate_due_reports(now=now) == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert services.generate_due_reports(now=now + dt.timedelta(hours=1)) == 0
        report = MonthlyReport.objects.get(team=team)
        assert (report.month, report.status, report.version) == (OCTOBER, ReportStatus.READY, 1)


class TestCommand:
    def test_generates_every_team_for_a_month(self, team, other_team, capsys):
        call_command("generate_monthly_reports", "--month", "2026-10")
        assert MonthlyReport.objects.filter(month=OCTOBER, status=ReportStatus.READY).count() == 2
        assert "Core Platform 2026-10: version 1" in capsys.readouterr().out

    def test_one_team(self, team, other_team):
        call_command("generate_monthly_reports", "--month", "2026-10", "--team", "analytics")
        assert list(MonthlyReport.objects.values_list("team__slug", flat=True)) == ["analytics"]

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--month", "October"], "--month must look like 2026-10"),
            (["--team", "nope"], "No team has the slug"),
        ],
    )
    def test_bad_arguments_say_how_to_fix_them(self, team, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("generate_monthly_reports", *args)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_generates_a_report_end_to_end(team, cmo, pmm):
    """Queue through the real Redis and let a real worker produce and mail the report."""
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            report = services.report_request(team=team, month=OCTOBER, user=cmo)
            # The request committed (no surrounding transaction), so the task is on the queue.
            tasks.generate_report.apply_async((report.pk,), ignore_result=False).get(timeout=60)
    finally:
        app.conf.task_always_eager = True
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert report.version >= 1
    assert report.data["teams"][0]["slug"] == "core-platform"
