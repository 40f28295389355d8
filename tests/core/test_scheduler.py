"""The embedded default runs the one schedule in-process (``pmm_portal.core.scheduler``)."""

import datetime as dt

import pytest
from django.test import override_settings

from pmm_portal.celery import app
from pmm_portal.core import scheduler
from requests_queue.models import RequestStatus
from tests.factories import RequestFactory

UTC = dt.UTC


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


def test_it_reads_every_job_of_the_one_schedule():
    embedded = scheduler.EmbeddedScheduler(app)
    assert {job.name for job in embedded.jobs} == set(app.conf.beat_schedule)
    assert {job.task for job in embedded.jobs} == {entry["task"] for entry in app.conf.beat_schedule.values()}


def test_jobs_run_at_start_then_when_their_schedule_says():
    clock = Clock(dt.datetime(2026, 12, 2, 9, 0, 30, tzinfo=UTC))
    ran: list[str] = []
    embedded = scheduler.EmbeddedScheduler(app, now=clock, run=lambda task, args: ran.append(task))

    assert set(embedded.tick()) == set(app.conf.beat_schedule)  # catch up at start
    clock.moment += dt.timedelta(seconds=20)
    assert embedded.tick() == []  # nothing due 20 s later
    clock.moment += dt.timedelta(seconds=40)
    assert set(embedded.tick()) == {
        "requests-dispatch-outbox",
        "core-dispatch-reset-mail-outbox",
        "reporting-recover-stuck-reports",
        "integrations-sweep-deliveries",
    }  # every minute
    clock.moment = dt.datetime(2026, 12, 2, 10, 5, 1, tzinfo=UTC)
    assert set(embedded.tick()) == {
        "requests-dispatch-outbox",
        "core-dispatch-reset-mail-outbox",
        "reporting-recover-stuck-reports",
        "integrations-sweep-deliveries",
        "integrations-publish-sla-breaches",  # hourly at minute 25: 09:25 passed since the last tick
        "generate-due-monthly-reports",  # hourly, at minute 5
        "initiatives-send-due-reminders",
        "requests-wake-snoozed",
        "requests-send-digests",  # hourly, at minute 2
        "diagnostics-sweep-participant-mails",
    }
    assert ran.count("reporting.generate_due_reports") == 2


@pytest.mark.django_db
def test_a_tick_really_runs_the_jobs_here(make_snoozed_request):
    """Without a broker the jobs run in this process: a snoozed request whose date came is back."""
    request = make_snoozed_request
    embedded = scheduler.EmbeddedScheduler(app)
    embedded.tick()
    request.refresh_from_db()
    assert request.status != RequestStatus.SNOOZED


@pytest.fixture
def make_snoozed_request(db, product, sales_rep):
    request = RequestFactory(product=product, requester=sales_rep)
    type(request).objects.filter(pk=request.pk).update(
        status=RequestStatus.SNOOZED, snoozed_until=dt.date(2026, 1, 5)
    )
    return request


def test_a_failing_job_is_logged_and_the_others_still_run(monkeypatch):
    calls: list[str] = []
    logged: list[tuple[object, ...]] = []
    monkeypatch.setattr(scheduler.logger, "exception", lambda *args: logged.append(args))

    def run(task, args):
        calls.append(task)
        if task == "reporting.generate_due_reports":
            raise RuntimeError("boom")

    embedded = scheduler.EmbeddedScheduler(app, run=run)
    ran = embedded.tick()
    assert len(ran) == len(calls) == len(app.conf.beat_schedule)
    assert [entry[2] for entry in logged] == ["reporting.generate_due_reports"]


@pytest.mark.parametrize(
    ("environ", "argv", "redis", "expected"),
    [
        ({"PMM_EMBEDDED_SCHEDULE": "1", "RUN_MAIN": "true"}, ["manage.py", "runserver"], "", True),
        ({"PMM_EMBEDDED_SCHEDULE": "1"}, ["manage.py", "runserver", "--noreload"], "", True),
        ({"PMM_EMBEDDED_SCHEDULE": "1"}, ["manage.py", "runserver"], "", False),  # the reloader's watcher
        ({"PMM_EMBEDDED_SCHEDULE": "1", "RUN_MAIN": "true"}, ["manage.py", "runserver"], "redis://x", False),
        ({"PMM_EMBEDDED_SCHEDULE": "1", "RUN_MAIN": "true"}, ["manage.py", "migrate"], "", False),
        ({"RUN_MAIN": "true"}, ["manage.py", "runserver"], "", False),  # not asked for (tests, shells)
    ],
)
def test_it_starts_only_in_the_serving_process_without_a_broker(environ, argv, redis, expected):
    with override_settings(REDIS_URL=redis):
        assert scheduler.should_start(environ, argv) is expected
