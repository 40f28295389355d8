"""Password reset leaks nothing: the same answer and the same work for any address, throttled alike.

The page only queues the mail (a task, once the request's transaction commits); the worker
looks the address up and sends it. Throttled per address and per client, counting asks for
unknown addresses exactly as for known ones.
"""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmm_portal.core import account_views
from pmm_portal.core.models import User

UNKNOWN = "nobody@example.com"


@pytest.fixture(autouse=True)
def fresh_counters():
    """The throttle counts in the cache (memory in tests): each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def ask(client, email: str, *, ip: str = "10.9.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_known_and_unknown_addresses_get_the_same_answer_after_the_same_queries(
    client, pmm, django_capture_on_commit_callbacks
):
    answers = {}
    for email in (pmm.email, UNKNOWN):
        with (
            django_capture_on_commit_callbacks(execute=False) as queued,
            CaptureQueriesContext(connection) as queries,
        ):
            response = ask(client, email)
        answers[email] = (response.status_code, response["Location"], len(queries), len(queued))

    # Same redirect to "check your mail", same number of queries, one task queued each.
    assert answers[pmm.email] == answers[UNKNOWN]
    assert answers[pmm.email][0] == 302
    assert answers[pmm.email][3] == 1
    assert mail.outbox == []  # nothing was mailed inside either request


def test_the_queued_task_mails_the_link_and_the_link_resets_the_password(
    client, pmm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        ask(client, pmm.email.upper())  # the address is matched whatever its case
    assert mail.outbox == []

    queued[0]()  # the worker's turn (tasks run in-process in tests)

    assert [message.to for message in mail.outbox] == [[pmm.email]]
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand new passphrase 7", "new_password2": "brand new passphrase 7"},
    )
    assert User.objects.get(pk=pmm.pk).check_password("brand new passphrase 7")


def test_the_task_for_an_unknown_or_inactive_address_mails_nothing(
    client, pmm, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=pmm.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, UNKNOWN)
        ask(client, pmm.email)
    assert mail.outbox == []


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "unknown"])
def test_an_address_is_throttled_after_five_asks_an_hour_whether_registered_or_not(
    client, pmm, registered, django_capture_on_commit_callbacks
):
    email = pmm.email if registered else UNKNOWN
    limit = int(account_views.RESET_RATE_PER_ADDRESS.split("/")[0])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        # From different networks: the address's own limit, not the client's.
        answers = [ask(client, email, ip=f"10.9.1.{n}").status_code for n in range(limit + 1)]

    assert answers == [302] * limit + [429]
    assert len(queued) == limit  # the throttled ask queued no mail
    throttled = ask(client, email.upper(), ip="10.9.2.1")
    assert throttled.status_code == 429
    assert "Too many reset links were asked for this address or from your network" in (
        throttled.content.decode()
    )
    # Another address is not affected.
    assert ask(client, "someone.else@example.com", ip="10.9.2.1").status_code == 302


def test_a_client_is_throttled_after_twenty_asks_an_hour_for_any_addresses(client, db):
    limit = int(account_views.RESET_RATE_PER_CLIENT.split("/")[0])
    answers = [ask(client, f"person{n}@example.com", ip="10.9.3.3").status_code for n in range(limit + 1)]

    assert answers == [302] * limit + [429]
    assert ask(client, "person0@example.com", ip="10.9.3.4").status_code == 302  # another client


def test_a_malformed_address_is_a_form_error_not_a_throttle_count(client, db):
    response = client.post(reverse("password_reset"), {"email": "not an address"}, REMOTE_ADDR="10.9.4.4")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_an_ask_while_the_broker_is_down_waits_in_the_outbox_and_is_mailed_once_by_the_sweep(
    client, pmm, django_capture_on_commit_callbacks, monkeypatch
):
    from datetime import timedelta

    from pmm_portal.core import background, services
    from pmm_portal.core.models import PasswordResetMail

    sent_tasks: list[tuple] = []
    broker_up = False

    def enqueue(task_name, *args):
        if broker_up:
            sent_tasks.append((task_name, args))
        return broker_up

    monkeypatch.setattr(services, "enqueue_now", enqueue)
    monkeypatch.setattr(background, "enqueue_now", enqueue)
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, pmm.email).status_code == 302  # the page answers as usual
    row = PasswordResetMail.objects.get()
    assert row.sent_at is None
    assert mail.outbox == []

    # While the broker stays down, the sweep keeps the row; the row just written is left alone.
    assert services.password_reset_outbox_dispatch(older_than=timedelta(0)) == 0
    assert services.password_reset_outbox_dispatch() == 0
    broker_up = True
    assert services.password_reset_outbox_dispatch(older_than=timedelta(0)) == 1
    assert sent_tasks == [(services.RESET_MAIL_TASK, (row.pk,))]

    # The worker mails once, however many times the task arrives.
    assert services.password_reset_send(mail_id=row.pk) == 1
    assert services.password_reset_send(mail_id=row.pk) == 0
    assert [message.to for message in mail.outbox] == [[pmm.email]]
    assert services.password_reset_outbox_dispatch(older_than=timedelta(0)) == 0  # nothing pending


def test_the_sweep_drops_rows_older_than_a_day_sent_or_not(db):
    from datetime import timedelta

    from django.utils import timezone

    from pmm_portal.core import services
    from pmm_portal.core.models import PasswordResetMail

    old = PasswordResetMail.objects.create(email="a@example.com", domain="testserver")
    fresh = PasswordResetMail.objects.create(email="b@example.com", domain="testserver")
    PasswordResetMail.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    services.password_reset_outbox_dispatch()
    assert list(PasswordResetMail.objects.values_list("pk", flat=True)) == [fresh.pk]
