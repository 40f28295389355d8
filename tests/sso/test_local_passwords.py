"""LOCAL_PASSWORDS off: single sign-on only; superusers keep their password (the break-glass)."""

import pytest
from django.contrib.auth import SESSION_KEY

from sso.backends import OIDC_BACKEND

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-1"


@pytest.fixture
def passwords_off(settings):
    settings.LOCAL_PASSWORDS = False
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "pmm-portal"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example.com/authorize"
    settings.OIDC_BUTTON_LABEL = "Sign in with Okta"
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "sso.backends.SuperuserPasswordBackend",
        OIDC_BACKEND,
    ]


def test_the_sign_in_page_offers_only_the_provider(client, passwords_off):
    page = client.get("/accounts/login/")
    assert b"Sign in with Okta" in page.content
    assert b'name="password"' not in page.content
    assert b"Forgot your password" not in page.content


def test_password_sign_in_is_refused(client, passwords_off, pmm):
    pmm.set_password(PASSWORD)
    pmm.save()
    answer = client.post("/accounts/login/", {"username": "pmm", "password": PASSWORD})
    assert answer.status_code == 200
    assert b"Password sign-in is switched off" in answer.content
    assert SESSION_KEY not in client.session
    token = client.post("/api/v1/auth/token/", {"username": "pmm", "password": PASSWORD})
    assert token.status_code == 400


def test_a_superuser_keeps_the_break_glass(client, passwords_off, admin_user):
    admin_user.set_password(PASSWORD)
    admin_user.save()
    answer = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert answer.status_code == 302
    assert client.session[SESSION_KEY] == str(admin_user.pk)


@pytest.mark.parametrize(
    "path", ["/accounts/password_reset/", "/accounts/password_change/", "/accounts/reset/MQ/x-y/"]
)
def test_password_reset_and_change_are_gone(client, passwords_off, pmm, path):
    client.force_login(pmm, backend=OIDC_BACKEND)
    assert client.get(path).status_code == 404


def test_the_button_goes_to_the_provider(client, passwords_off, settings):
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example.com/token"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example.com/jwks"
    answer = client.get("/sso/login/?next=/personas/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("https://idp.example.com/authorize?response_type=code")
    assert "code_challenge_method=S256" in answer["Location"]


def test_without_oidc_nothing_changes(client):
    page = client.get("/accounts/login/")
    assert b'name="password"' in page.content
    assert b"/sso/login/" not in page.content
    answer = client.get("/sso/login/")
    assert (answer.status_code, answer["Location"]) == (302, "/accounts/login/")
