"""Nothing stuck: a report whose worker died is produced again, and a duplicate delivery makes no version.

Each queueing of a report has a generation number that its task carries; a run
claims the report with a conditional update, beats a heartbeat while it works, and
writes only while it holds its claim. The sweep (every minute) and a worker
restarting under its old name queue again what a dead worker held, and the page
says so; after a few deaths the report fails with a Try again button.

The last test kills a real Celery worker (SIGKILL, the whole process group) while
it produces a report, starts a new one, and waits for the report to be ready.
"""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from pmm_portal.celery import app
from reporting import services, tasks
from reporting.models import MonthlyReport, ReportSending, ReportStatus, ReportVersion, SendingStatus
from tests.redis_server import RedisServer, redis_server  # noqa: F401 (fixture)
from tests.reporting.conftest import OCTOBER
from timesheets.models import TimeCategory, TimeEntry

OCT5 = dt.date(2026, 10, 5)


def log_time(user, hours: int, category: str = TimeCategory.MEETINGS) -> None:
    TimeEntry.objects.create(user=user, week_start=OCT5, category=category, hours=Decimal(hours))


@pytest.fixture
def ask(django_capture_on_commit_callbacks, cmo):
    """The CMO asks for October's report; returns it and the message its task carries, not yet run."""

    def run(team):
        with django_capture_on_commit_callbacks(execute=False):
            report = services.report_request(team=team, month=OCTOBER, user=cmo)
        return report, (report.pk, report.generation)

    return run


def page(client, cmo, report) -> str:
    client.force_login(cmo)
    response = client.get(f"/reporting/reports/{report.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def hold(
    report: MonthlyReport, *, worker: str = "worker-1@host", beat_ago: dt.timedelta | None = None
) -> str:
    """A worker takes the report (as the task does) and, with ``beat_ago``, has been silent that long."""
    claim = services.report_claim(report_id=report.pk, generation=report.generation, worker=worker)
    assert claim
    if beat_ago is not None:
        moment = timezone.now() - beat_ago
        MonthlyReport.objects.filter(pk=report.pk).update(heartbeat_at=moment, started_at=moment)
    return claim


# --- Duplicate deliveries ------------------------------------------------------------------------


def test_a_duplicate_delivery_makes_no_version_even_when_the_data_changed(ask, team, pmm):
    log_time(pmm, 6)
    report, message = ask(team)
    tasks.generate_report.apply(args=message)
    log_time(pmm, 10, TimeCategory.CUSTOMER)  # the month changed after the report was produced
    tasks.generate_report.apply(args=message)  # the broker delivers the same message again
    report.refresh_from_db()
    assert (report.status, report.version) == (ReportStatus.READY, 1)
    assert ReportVersion.objects.filter(report=report).count() == 1
    assert report.data["figures"]["total_hours"] == 6.0
    # Asked for again, it is regenerated: a new version, because the figures changed.
    report, message = ask(team)
    tasks.generate_report.apply(args=message)
    report.refresh_from_db()
    assert (report.version, report.data["figures"]["total_hours"]) == (2, 16.0)


def test_a_delivery_while_another_run_holds_the_report_does_nothing(ask, team):
    report, message = ask(team)
    claim = hold(report)
    tasks.generate_report.apply(args=message)  # a second copy of the message, while the first runs
    report.refresh_from_db()
    assert (report.status, report.claim, report.version) == (ReportStatus.RUNNING, claim, 0)
    services.report_generate(report_id=report.pk, claim=claim)
    assert MonthlyReport.objects.get(pk=report.pk).version == 1


def test_a_redelivered_message_takes_over_and_the_dead_run_cannot_write(ask, team):
    """The broker redelivers only a message whose worker died: the new run takes the report."""
    report, _ = ask(team)
    dead = hold(report)
    alive = services.report_claim(report_id=report.pk, generation=report.generation, redelivered=True)
    assert alive
    assert alive != dead
    services.report_generate(report_id=report.pk, claim=alive)
    assert services.report_generate(report_id=report.pk, claim=dead) is None  # it was not so dead
    assert ReportVersion.objects.filter(report=report).count() == 1


def test_a_message_from_an_earlier_queueing_does_nothing(ask, team):
    report, old_message = ask(team)
    tasks.generate_report.apply(args=old_message)
    ask(team)  # asked again: a new generation
    tasks.generate_report.apply(args=old_message)
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.PENDING  # waits for its own


# --- A worker that died ----------------------------------------------------------------------------


def test_the_sweep_queues_again_a_report_whose_worker_went_silent_and_the_page_says_so(
    ask, team, cmo, client, django_capture_on_commit_callbacks
):
    report, _ = ask(team)
    dead = hold(report, beat_ago=dt.timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.reports_recover() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING
    assert report.recovered_at is not None
    restarted = f"{timezone.localtime(report.recovered_at):%H:%M}"
    assert f"The worker producing this report stopped; we restarted it at {restarted}." in page(
        client, cmo, report
    )
    assert len(sent) == 1
    sent[0]()  # the worker takes the new generation
    report.refresh_from_db()
    assert (report.status, report.version, report.attempts) == (ReportStatus.READY, 1, 2)
    assert services.report_generate(report_id=report.pk, claim=dead) is None
    assert ReportVersion.objects.filter(report=report).count() == 1


def test_a_worker_that_still_beats_is_left_alone(ask, team):
    report, _ = ask(team)
    hold(report, beat_ago=dt.timedelta(seconds=20))
    assert services.reports_recover() == 0
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.RUNNING


def test_a_run_past_the_time_limit_is_given_up_even_if_it_beats(ask, team):
    report, _ = ask(team)
    hold(report)
    long_ago = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    MonthlyReport.objects.filter(pk=report.pk).update(started_at=long_ago)
    assert services.reports_recover() == 1


def test_after_three_deaths_the_report_fails_and_offers_try_again(ask, team, cmo, client):
    report, _ = ask(team)
    for _ in range(services.MAX_ATTEMPTS):
        report.refresh_from_db()
        hold(report, beat_ago=dt.timedelta(minutes=2))
        services.reports_recover()
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    html = page(client, cmo, report)
    assert "Failed: try again." in html
    assert "stopped 3 times in a row" in html
    assert re.search(r"<button[^>]*>\s*<i[^>]*></i>\s*Try again", html)
    response = client.post(f"/reporting/reports/{report.pk}/regenerate/")
    assert response.status_code == 302
    assert MonthlyReport.objects.get(pk=report.pk).status in (ReportStatus.PENDING, ReportStatus.READY)


def test_a_worker_restarting_under_its_name_takes_back_what_its_previous_process_held(ask, team, other_team):
    report, _ = ask(team)
    hold(report, worker="worker-1@host")  # its heartbeat is fresh: killed moments ago
    other, _ = ask(other_team)
    hold(other, worker="worker-2@host")
    assert services.reports_recover(restarted_worker="worker-1@host", started_at=timezone.now()) == 1
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.PENDING
    assert MonthlyReport.objects.get(pk=other.pk).status == ReportStatus.RUNNING


def test_a_restarting_worker_keeps_what_it_took_itself_since_it_started(ask, team):
    started = timezone.now() - dt.timedelta(seconds=5)
    report, _ = ask(team)
    hold(report, worker="worker-1@host")  # taken after the process started
    assert services.reports_recover(restarted_worker="worker-1@host", started_at=started) == 0


def test_asking_again_for_a_stuck_report_queues_it_again(ask, team):
    report, _ = ask(team)
    hold(report, beat_ago=dt.timedelta(minutes=2))
    again, message = ask(team)
    assert again.status == ReportStatus.PENDING
    assert message == (report.pk, report.generation + 1)


def test_a_queued_report_whose_message_was_lost_is_sent_again(
    ask, team, other_team, django_capture_on_commit_callbacks
):
    lost, _ = ask(team)
    MonthlyReport.objects.filter(pk=lost.pk).update(queued_at=timezone.now() - dt.timedelta(minutes=6))
    ask(other_team)  # just queued: its own message is on its way
    with django_capture_on_commit_callbacks(execute=True):
        services.reports_recover()
    lost.refresh_from_db()
    assert (lost.status, lost.version) == (ReportStatus.READY, 1)
    assert MonthlyReport.objects.get(team=other_team).status == ReportStatus.PENDING


def test_a_running_generation_beats_a_heartbeat(ask, team, monkeypatch, transactional_db):
    """The heartbeat thread writes on the row while the figures are computed."""
    monkeypatch.setattr(services, "HEARTBEAT_SECONDS", 0.05)
    beaten = threading.Event()
    real_beat, real_snapshot = services._beat, services.selectors.month_snapshot
    seen = {}

    def beat(report_id, claim):
        real_beat(report_id, claim)
        beaten.set()

    def snapshot(**kwargs):
        assert beaten.wait(timeout=10)
        seen["row"] = MonthlyReport.objects.values("started_at", "heartbeat_at").get()
        return real_snapshot(**kwargs)

    monkeypatch.setattr(services, "_beat", beat)
    monkeypatch.setattr(services.selectors, "month_snapshot", snapshot)
    report, message = ask(team)
    tasks.generate_report.apply(args=message)
    assert seen["row"]["heartbeat_at"] > seen["row"]["started_at"]
    report.refresh_from_db()
    assert (report.status, report.heartbeat_at) == (ReportStatus.READY, None)


def test_sendings_still_queued_are_sent_again_and_failed_after_a_day(
    ask, team, cmo, django_capture_on_commit_callbacks
):
    report, message = ask(team)
    tasks.generate_report.apply(args=message)
    report.refresh_from_db()
    now = timezone.now()
    fresh, lost, ancient = (
        ReportSending.objects.create(report=report, version=1, sent_by=cmo, recipients=["a@example.com"])
        for _ in range(3)
    )
    ReportSending.objects.filter(pk=lost.pk).update(created_at=now - dt.timedelta(minutes=11))
    ReportSending.objects.filter(pk=ancient.pk).update(created_at=now - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sendings_recover() == 1
    statuses = dict(ReportSending.objects.values_list("pk", "status"))
    assert statuses == {
        fresh.pk: SendingStatus.QUEUED,
        lost.pk: SendingStatus.SENT,
        ancient.pk: SendingStatus.FAILED,
    }


def test_the_sweep_is_in_the_one_schedule_and_redelivery_waits_longer_than_any_task():
    entry = app.conf.beat_schedule["reporting-recover-stuck-reports"]
    assert (entry["task"], entry["schedule"]) == ("reporting.recover_stuck_reports", 60.0)
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert app.conf.task_time_limit + settings.TASK_LONGEST_COUNTDOWN < visibility <= 30 * 60


# --- A real worker, killed mid-report ------------------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


WORKER_COMMAND = (
    *(sys.executable, "-m", "celery", "-A", "pmm_portal", "worker", "-n", "stuck@%h"),
    *("--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO"),
    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
)


class Worker:
    """``celery -A pmm_portal worker`` in its own process group, on the test database and broker."""

    def __init__(self, log: Path, broker: str, **env: str) -> None:
        self.log = log
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reporting.worker_settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": broker,
            "PYTHONPATH": str(settings.BASE_DIR),
            **env,
        }
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [*WORKER_COMMAND],
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole worker: its main process and its pool's children."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """A warm shutdown: the main process lets its children finish their task."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition, *, seconds: float, what: str, logs: list[Worker]):
    """Poll ``condition`` until it holds (its value), failing with the workers' logs at the deadline."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"Not within {seconds:.0f} s: {what}\n" + "\n".join(w.text()[-3000:] for w in logs))


@pytest.mark.postgres(reason="a worker process must read the test database, which in-memory SQLite is not")
@pytest.mark.redis(reason="a real Celery worker on a real Redis broker (the test's own redis-server)")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_report_and_the_report_ready_within_a_minute_of_a_new_worker(
    team,
    cmo,
    pmm,
    redis_server: RedisServer,  # noqa: F811 (the fixture)
    tmp_path,
):
    import psycopg2

    log_time(pmm, 6)
    broker = redis_server.url()
    original_broker = app.conf.broker_url
    app.conf.broker_url = broker
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.task_always_eager = False
    db = connection.settings_dict
    # The report's figures read the time entries: hold that table, so the worker blocks mid-report.
    blocker = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"]
    )
    workers: list[Worker] = []
    try:
        with blocker.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {TimeEntry._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        report = services.report_request(team=team, month=OCTOBER, user=cmo)  # committed, then sent

        first = Worker(tmp_path / "worker-1.log", broker)
        workers.append(first)

        def blocked_mid_report() -> bool:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                    [db["NAME"]],
                )
                waiting = cursor.fetchone()[0]
            return bool(waiting) and MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.RUNNING

        wait_for(blocked_mid_report, seconds=90, what="the worker blocked mid-report", logs=workers)
        task_id = re.search(r"reporting\.generate_report\[([0-9a-f-]+)\] received", first.text()).group(1)
        first.kill()
        blocker.rollback()  # the figures can be read again; the killed worker will never read them

        held = MonthlyReport.objects.get(pk=report.pk)
        assert (held.status, held.worker.startswith("stuck@")) == (ReportStatus.RUNNING, True)

        second = Worker(tmp_path / "worker-2.log", broker)
        workers.append(second)
        started = time.monotonic()

        def ready() -> MonthlyReport | None:
            current = MonthlyReport.objects.get(pk=report.pk)
            return current if current.status == ReportStatus.READY else None

        done = wait_for(ready, seconds=60, what="the report ready after a new worker started", logs=workers)
        assert time.monotonic() - started < 60
        assert (done.version, done.attempts, done.data["figures"]["total_hours"]) == (1, 2, 6.0)
        assert done.recovered_at is not None
        assert "took back 1 report" in second.text()

        # The killed worker's message comes back too (a short visibility timeout here): it is a
        # duplicate delivery of an earlier generation, and it makes no version.
        second.stop()
        third = Worker(tmp_path / "worker-3.log", broker, CELERY_VISIBILITY_TIMEOUT="1")
        workers.append(third)
        wait_for(
            lambda: f"reporting.generate_report[{task_id}] succeeded" in third.text(),
            seconds=60,
            what="the killed worker's message redelivered and run",
            logs=workers,
        )
        assert ReportVersion.objects.filter(report=report).count() == 1
        assert MonthlyReport.objects.get(pk=report.pk).version == 1
    finally:
        for worker in workers:
            worker.kill()
        blocker.rollback()
        blocker.close()
        app.conf.task_always_eager = True
        app.conf.broker_url = original_broker
        app._pool = None
        app.amqp._producer_pool = None
