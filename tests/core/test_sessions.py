"""Sessions read with fixed SQL (``pmm_portal.core.sessions``): the same answers as Django's store."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.backends import active_user
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


# --- The signed-in account, read with fixed SQL (``pmm_portal.core.backends``) ---------------


def test_the_signed_in_account_is_read_whole_and_a_deactivated_one_is_signed_out(client, pmm):
    found = active_user(pmm.pk)
    assert found == pmm
    assert (found.username, found.role, found.email, found._state.adding) == (
        pmm.username,
        pmm.role,
        pmm.email,
        False,
    )
    assert active_user(10**9) is None
    assert active_user("not an id") is None
    client.force_login(pmm)
    assert client.get(reverse("home")).status_code == 200
    type(pmm).objects.filter(pk=pmm.pk).update(is_active=False)
    assert active_user(pmm.pk) is None
    assert client.get(reverse("home")).status_code == 302  # to the sign-in page


def test_the_signed_in_account_has_the_same_values_as_the_orms_on_every_database(pmm):
    """SQLite hands back text and integers: the account must still be saved without a warning."""
    type(pmm).objects.filter(pk=pmm.pk).update(last_login=timezone.now())
    found = active_user(pmm.pk)
    stored = type(pmm).objects.get(pk=pmm.pk)
    assert found is not None
    assert timezone.is_aware(found.last_login)
    assert found.last_login == stored.last_login
    assert found.date_joined == stored.date_joined
    assert found.is_active is True
    assert found.is_superuser is stored.is_superuser
    found.first_name = "Priyanka"
    found.save()  # a naive datetime would warn, and warnings fail the tests
    assert type(pmm).objects.get(pk=pmm.pk).first_name == "Priyanka"


def test_a_session_signed_in_with_djangos_own_backend_goes_on(client, pmm, settings):
    """Signed in before the portal's backend took the place of Django's: not signed out."""
    client.force_login(pmm, backend="django.contrib.auth.backends.ModelBackend")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key).load()[BACKEND_SESSION_KEY] == "pmm_portal.core.backends.ModelBackend"
    assert client.get(reverse("home")).status_code == 200


def test_a_password_sign_in_is_kept_under_the_portals_backend(client, pmm):
    pmm.set_password("a long enough passphrase")
    pmm.save()
    response = client.post(
        reverse("login"), {"username": pmm.username, "password": "a long enough passphrase"}
    )
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "pmm_portal.core.backends.ModelBackend"
    assert client.get(reverse("home")).status_code == 200
