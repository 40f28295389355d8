"""The Celery app: configuration, the one schedule, and a real worker on the real Redis."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from pmm_portal.celery import app
from pmm_portal.core.tasks import clear_expired_sessions


@pytest.mark.redis(reason="checks that the broker is REDIS_URL")
def test_celery_is_configured_for_safe_delivery():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_url == settings.REDIS_URL


def test_all_periodic_schedules_live_in_one_place_and_name_real_tasks():
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name


def test_without_redis_tasks_run_in_process(tmp_path):
    """The embedded default: no REDIS_URL means eager tasks and an in-memory broker."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="pmm_portal.settings.local", SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    code = "from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "memory://"], result.stderr


def _expired_session() -> str:
    store = SessionStore()
    store["x"] = 1
    store.set_expiry(-60)
    store.create()
    return store.session_key


@pytest.mark.django_db
def test_clear_expired_sessions_is_idempotent():
    expired = _expired_session()
    live = SessionStore()
    live.create()
    clear_expired_sessions()
    clear_expired_sessions()
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live.session_key, expire_date__gt=timezone.now()).exists()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_runs_a_task(settings):
    """Publish through Redis and let a real worker thread consume it."""
    from celery.contrib.testing.worker import start_worker

    expired = _expired_session()
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            clear_expired_sessions.apply_async(ignore_result=False).get(timeout=30)
    finally:
        app.conf.task_always_eager = True
    assert not Session.objects.filter(session_key=expired).exists()
