"""The periodic jobs in-process, for the embedded default (no Redis, so no Celery beat).

``make run`` without ``REDIS_URL`` serves the portal with tasks running in-process
(``CELERY_TASK_ALWAYS_EAGER``); nothing would run the schedule. ``EmbeddedScheduler``
reads the one schedule (``pmm_portal.celery``'s ``beat_schedule``) and runs each job
in the server's process when it is due, from a daemon thread, so it stops with the
server. It starts only where ``scripts/run.sh`` asks for it (``PMM_EMBEDDED_SCHEDULE``)
and never with a broker: with Redis, the real beat and worker run instead.

Each job is idempotent (the reports sweep, reminders, snooze wake-ups and the
notification outbox all decide from the database what is due), so running one
at start, or twice after a restart, does no harm.
"""

import copy
import datetime as dt
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Celery
from celery.schedules import BaseSchedule, schedule
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

ENV_FLAG = "PMM_EMBEDDED_SCHEDULE"
# How often the thread wakes to look for due jobs; the finest schedule is one minute.
TICK_SECONDS = 20.0
STARTUP_DELAY = 3.0


@dataclass
class Job:
    name: str
    task: str
    schedule: BaseSchedule
    args: tuple[Any, ...]
    last_run_at: dt.datetime | None = None


class EmbeddedScheduler:
    """Runs the beat schedule's jobs in this process when due (``tick``), from a thread (``start``)."""

    def __init__(
        self,
        app: Celery,
        *,
        now: Callable[[], dt.datetime] = timezone.now,
        run: Callable[[str, tuple[Any, ...]], None] | None = None,
    ) -> None:
        self.app = app
        self.now = now
        self.run = run or self.run_here
        self.jobs = [self._job(name, entry) for name, entry in app.conf.beat_schedule.items()]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._first = True

    def _job(self, name: str, entry: dict[str, Any]) -> Job:
        every = entry["schedule"]
        plan = schedule(dt.timedelta(seconds=every)) if isinstance(every, int | float) else copy.copy(every)
        plan.nowfun = self.now  # type: ignore[union-attr]  # judged on this scheduler's clock
        return Job(name=name, task=entry["task"], schedule=plan, args=tuple(entry.get("args", ())))

    def due(self) -> list[Job]:
        """The jobs due now: every job on the first look (catching up on what a stopped server missed)."""
        return [
            job for job in self.jobs if job.last_run_at is None or job.schedule.is_due(job.last_run_at)[0]
        ]

    def tick(self) -> list[str]:
        """Run every due job once, in this process; a failing job is logged and tried at its next time."""
        ran = []
        for job in self.due():
            job.last_run_at = self.now()
            try:
                self.run(job.task, job.args)
            except Exception:
                logger.exception(
                    "Scheduled job %s (%s) failed; it runs again at its next time", job.name, job.task
                )
            ran.append(job.name)
        return ran

    def run_here(self, task: str, args: tuple[Any, ...]) -> None:
        """Run the task in this process, as the eager default runs every task."""
        self.app.loader.import_default_modules()
        self.app.tasks[task].apply(args=args, throw=True)

    def start(self) -> threading.Thread:
        """Run ``tick`` every ``TICK_SECONDS`` in a daemon thread: it ends when the server's process ends."""
        self._thread = threading.Thread(target=self._run, name="embedded-schedule", daemon=True)
        self._thread.start()
        logger.info("Embedded schedule started: %s", ", ".join(job.name for job in self.jobs))
        return self._thread

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        # Let the server finish starting (every app ready) before the first look.
        while not self._stop.wait(STARTUP_DELAY if self._first else TICK_SECONDS):
            self._first = False
            self.tick()


def should_start(environ: dict[str, str] | None = None, argv: list[str] | None = None) -> bool:
    """Start in the serving process only: asked for, no broker, and not the autoreloader's watcher."""
    environ = dict(os.environ) if environ is None else environ
    argv = sys.argv if argv is None else argv
    if environ.get(ENV_FLAG) != "1" or settings.REDIS_URL:
        return False
    if len(argv) < 2 or argv[1] != "runserver":
        return False
    # runserver's autoreloader runs the server in a child process marked RUN_MAIN.
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


def start_if_embedded() -> EmbeddedScheduler | None:
    if not should_start():
        return None
    from pmm_portal.celery import app

    scheduler = EmbeddedScheduler(app)
    scheduler.start()
    return scheduler
