"""Signing in and out, password change and reset, and the lockout after repeated failures."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from pmm_portal.core.models import User
from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"


def sign_in(client, username: str, password: str = TEST_PASSWORD, ip: str = "10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_has_labelled_fields(client, db):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="form-label" for="id_username">' in html
    assert '<label class="form-label" for="id_password">' in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.parametrize("role", ["sales", "pmm", "pm", "cmo", "admin"])
def test_each_role_signs_in_and_lands_on_its_home(client, cast, role):
    response = sign_in(client, cast[role].username)
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert f"core/home_{role}.html" in [t.name for t in home.templates]


def test_wrong_password_says_so_and_signs_nobody_in(client, pmm):
    response = sign_in(client, "pmm", "not-my-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/").status_code == 302


def test_signed_in_user_visiting_login_goes_home(client, pmm):
    client.force_login(pmm)
    assert client.get(LOGIN)["Location"] == "/"


def test_anonymous_visitor_is_sent_to_sign_in_and_back(client, db):
    response = client.get("/personas/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/personas/"


def test_sign_out_ends_the_session(client, pmm):
    client.force_login(pmm)
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert "You are signed out" in response.content.decode()
    assert client.get("/").status_code == 302


def test_password_change(client, pmm):
    client.force_login(pmm)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a much better passphrase 42",
            "new_password2": "a much better passphrase 42",
        },
    )
    assert response.status_code == 302
    pmm.refresh_from_db()
    assert pmm.check_password("a much better passphrase 42")


def test_password_change_with_wrong_old_password_is_refused_on_the_form(client, pmm):
    client.force_login(pmm)
    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "x9!longenough", "new_password2": "x9!longenough"},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_password_reset_mails_a_link_that_sets_a_new_password(
    client, pmm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes out from a task, after commit
        response = client.post(reverse("password_reset"), {"email": pmm.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [pmm.email]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand new passphrase 7", "new_password2": "brand new passphrase 7"},
    )
    assert done.status_code == 302
    assert User.objects.get(pk=pmm.pk).check_password("brand new passphrase 7")


def test_password_reset_for_unknown_email_reveals_nothing(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


class TestLockout:
    """Five failures lock that username from that address for 15 minutes."""

    def test_sixth_attempt_is_locked_out_even_with_the_right_password(self, client, pmm):
        for _ in range(5):
            sign_in(client, "pmm", "wrong")
        response = sign_in(client, "pmm")
        assert response.status_code in (403, 429)
        assert "Too many failed sign-ins" in response.content.decode()
        assert "15 minutes" in response.content.decode()
        assert client.get("/").status_code == 302

    def test_the_lock_is_per_username_and_address(self, client, pmm, cmo):
        for _ in range(5):
            sign_in(client, "pmm", "wrong", ip="10.9.9.9")
        assert sign_in(client, "cmo", ip="10.9.9.9").status_code == 302
        client.logout()
        assert sign_in(client, "pmm", ip="10.8.8.8").status_code == 302

    def test_a_forged_forwarded_for_header_does_not_dodge_the_lock(self, client, pmm):
        for n in range(5):
            client.post(
                LOGIN,
                {"username": "pmm", "password": "wrong"},
                REMOTE_ADDR="10.7.7.7",
                HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            )
        response = client.post(
            LOGIN,
            {"username": "pmm", "password": TEST_PASSWORD},
            REMOTE_ADDR="10.7.7.7",
            HTTP_X_FORWARDED_FOR="203.0.113.99",
        )
        assert "Too many failed sign-ins" in response.content.decode()

    def test_four_failures_do_not_lock(self, client, pmm):
        for _ in range(4):
            sign_in(client, "pmm", "wrong")
        assert sign_in(client, "pmm").status_code == 302
