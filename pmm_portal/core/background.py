"""Handing work to Celery: the one way every app enqueues a task.

Services never import task modules (the tasks import the services). They name the
task instead, and ``enqueue_on_commit`` sends it once the caller's transaction has
committed, so a worker never sees a row that may still roll back. When the broker
is down the failure is logged, never raised: each caller has a sweep (the request
outbox, the hourly report sweep) that picks the work up again.
"""

import logging
from functools import partial
from typing import Any

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

# A short, bounded retry so a page never hangs on a dead broker.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def _task(name: str) -> Any:
    tasks = current_app.tasks
    if name not in tasks:
        # Web processes do not import task modules until asked; the worker always has.
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def enqueue_now(task_name: str, *args: Any) -> bool:
    """Send ``task_name`` with ``args`` (ids, never model instances); False when the broker refused."""
    try:
        _task(task_name).apply_async(args=args, retry=True, retry_policy=RETRY_POLICY)
    except Exception:
        logger.warning("Could not enqueue %s%r; its sweep will retry", task_name, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Send ``task_name`` with ``args`` after the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(enqueue_now, task_name, *args))
