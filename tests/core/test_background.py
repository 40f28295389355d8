"""The one way apps enqueue tasks: after commit, by name, never raising when the broker refuses."""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from pmm_portal.core.background import enqueue_now, enqueue_on_commit


def test_a_task_is_sent_only_once_the_transaction_commits(db, django_capture_on_commit_callbacks):
    Session.objects.create(
        session_key="old", session_data="", expire_date=timezone.now() - timezone.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        enqueue_on_commit("core.clear_expired_sessions")
    assert Session.objects.filter(session_key="old").exists()  # nothing ran inside the transaction
    assert len(callbacks) == 1
    callbacks[0]()
    assert not Session.objects.filter(session_key="old").exists()


def test_a_refused_enqueue_is_logged_not_raised(db, monkeypatch):
    warnings: list[str] = []
    monkeypatch.setattr(
        "pmm_portal.core.background.logger.warning",
        lambda message, *args, **kw: warnings.append(message % args),
    )
    assert enqueue_now("no.such.task", 1) is False
    assert warnings == ["Could not enqueue no.such.task(1,); its sweep will retry"]
