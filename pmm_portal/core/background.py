"""Handing work to Celery: the one way every app enqueues a task.

Services never import task modules (the tasks import the services). They name the
task instead, and ``enqueue_on_commit`` sends it once the caller's transaction has
committed, so a worker never sees a row that may still roll back. When the broker
is down the failure is logged, never raised: each caller has a sweep (the request
outbox, the report sweeps) that picks the work up again.

A publish gives up within the broker's socket timeouts (settings); after a broker
failure this process does not try again for ``BROKER_PAUSE_SECONDS``, so during an
outage a request pays the timeout once per process, not once per task.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from celery import current_app
from django.db import connections, transaction
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# One immediate retry (a pooled connection that Redis closed on restart), no waiting between.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}
BROKER_PAUSE_SECONDS = 10.0
BROKER_DOWN_ERRORS = (OperationalError, RedisConnectionError, RedisTimeoutError, OSError)

# Per broker address: until when this process skips publishing (monotonic seconds).
_broker_paused_until: dict[str, float] = {}
_pause_lock = threading.Lock()


def _task(name: str) -> Any:
    tasks = current_app.tasks
    if name not in tasks:
        # Web processes do not import task modules until asked; the worker always has.
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def _broker() -> str:
    return str(current_app.conf.broker_url or "")


def broker_paused() -> bool:
    """True while this process skips publishing because the broker failed moments ago."""
    if current_app.conf.task_always_eager:
        return False
    return time.monotonic() < _broker_paused_until.get(_broker(), 0.0)


def _pause_broker() -> None:
    with _pause_lock:
        _broker_paused_until[_broker()] = time.monotonic() + BROKER_PAUSE_SECONDS


def enqueue_now(task_name: str, *args: Any, countdown: float | None = None) -> bool:
    """Send ``task_name`` with ``args`` (ids, never model instances), to run ``countdown`` seconds
    from now if given; False when the broker refused."""
    if broker_paused():
        logger.warning(
            "Could not enqueue %s%r; its sweep will retry (the broker failed moments ago)", task_name, args
        )
        return False
    try:
        _task(task_name).apply_async(args=args, countdown=countdown, retry=True, retry_policy=RETRY_POLICY)
    except Exception as error:
        if isinstance(error, BROKER_DOWN_ERRORS):
            _pause_broker()
        logger.warning("Could not enqueue %s%r; its sweep will retry", task_name, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task_name: str, *args: Any, countdown: float | None = None) -> None:
    """Send ``task_name`` with ``args`` after the current transaction commits (at once outside one)."""
    later = {"countdown": countdown} if countdown is not None else {}
    transaction.on_commit(partial(enqueue_now, task_name, *args, **later))


@contextmanager
def heartbeat(beat: Callable[[], object], *, every: float) -> Iterator[None]:
    """Call ``beat`` every ``every`` seconds from a thread while the block runs: a job's sign of life.

    A job a user waits for records its heartbeat on its row; a sweep that finds the
    heartbeat old knows the process died (killed, out of memory, its machine gone)
    and starts the job again. The thread uses its own database connection and closes
    it; a failing beat is logged and the job goes on.
    """
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(every):
                try:
                    beat()
                except Exception:
                    logger.warning("Heartbeat failed; the job goes on", exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=max(every, 5.0))
