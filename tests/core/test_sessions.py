"""Sessions read with fixed SQL (``pmm_portal.core.sessions``): the same answers as Django's store."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.sessions import SessionStore


@pytest.fixture
def stored(db):
    store = SessionStore()
    store["seen"] = "yes"
    store.create()
    return store.session_key


def test_a_live_session_is_read(stored):
    assert SessionStore(stored).load() == {"seen": "yes"}


def test_an_expired_session_is_not_read_and_a_new_key_will_be_made(stored):
    Session.objects.filter(pk=stored).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(stored)
    assert store.load() == {}
    assert store.session_key is None


def test_an_unknown_or_malformed_key_reads_nothing(db):
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore("short").load() == {}  # refused as a key before any query


def test_signing_in_and_out_goes_through_this_store(client, pmm, settings):
    assert settings.SESSION_ENGINE == "pmm_portal.core.sessions"
    client.force_login(pmm)
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.exists()
    assert client.get(reverse("home")).status_code == 302  # to the sign-in page
