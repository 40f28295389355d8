"""A real OpenID Connect provider (django-oauth-toolkit) in a second process, and a browser for it.

The provider runs ``tests/sso/provider`` on a free port of 127.0.0.1 with its own SQLite database
and an RSA key made here. The portal is driven by Django's test client; the provider by ``requests``.
The portal exchanges the code at the provider's token endpoint and reads its keys over real HTTP.
"""

import json
import os
import secrets
import select
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sso.backends import OIDC_BACKEND

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "provider-password-1"  # every account's, at the provider
# Who the provider knows, and the claims it gives each (the portal's role claim is pmm_role).
ACCOUNTS = {
    "priya": {
        "email": "Priya.Mehta@Example.com",
        "email_verified": True,
        "given_name": "Priya",
        "family_name": "Mehta",
        "pmm_role": "pmm",
    },
    "nadia": {
        "email": "nadia.cruz@example.com",
        "given_name": "Nadia",
        "family_name": "Cruz",
        "pmm_role": "cmo",
    },
    "noor": {"email": "noor.haddad@example.com", "given_name": "Noor", "family_name": "Haddad"},
    "gabe": {
        "email": "gabe.ortiz@example.com",
        "given_name": "Gabe",
        "family_name": "Ortiz",
        "pmm_role": "pmm",
    },
}
CALLBACK = "http://testserver/sso/callback/"


@dataclass
class Provider:
    base: str
    client_id: str
    client_secret: str
    claims_file: Path

    @property
    def issuer(self) -> str:
        return f"{self.base}/o"

    def set_claims(self, username: str, **claims: object) -> None:
        """Change what the provider says about ``username`` from the next sign-in on."""
        everyone = json.loads(self.claims_file.read_text())
        everyone[username] = claims
        self.claims_file.write_text(json.dumps(everyone))

    def reset(self) -> None:
        self.claims_file.write_text(json.dumps(ACCOUNTS))


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[Provider]:
    home = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (home / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (home / "accounts.json").write_text(json.dumps(dict.fromkeys(ACCOUNTS, PASSWORD)))
    claims = home / "claims.json"
    client_id, client_secret = "pmm-portal", secrets.token_urlsafe(32)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))},
        "PROVIDER_DB": str(home / "provider.sqlite3"),
        "PROVIDER_KEY": str(home / "key.pem"),
        "PROVIDER_CLAIMS": str(claims),
        "PROVIDER_ACCOUNTS": str(home / "accounts.json"),
        "PROVIDER_SECRET_KEY": secrets.token_urlsafe(50),
        "PROVIDER_CLIENT_ID": client_id,
        "PROVIDER_CLIENT_SECRET": client_secret,
        "PROVIDER_REDIRECT_URI": CALLBACK,
    }
    provider = Provider("", client_id, client_secret, claims)
    provider.reset()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sso.provider.serve"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        if not line.strip().isdigit():
            process.kill()
            pytest.fail(f"The test OpenID Connect provider did not start: {process.stderr.read()}")
        provider.base = f"http://127.0.0.1:{line.strip()}"
        yield provider
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def provider(oidc_provider, settings) -> Iterator[Provider]:
    """The provider, and the portal set up to sign in through it (as the environment would)."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_ROLE_CLAIM = "pmm_role"
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, OIDC_BACKEND]
    oidc_provider.reset()
    yield oidc_provider
    oidc_provider.reset()


def sign_in_through(provider: Provider, client, username: str, *, next_url: str = "/"):
    """Click the portal's SSO button, sign in at the provider, come back: the portal's last answer."""
    start = client.get("/sso/login/", {"next": next_url})
    assert start.status_code == 302, start
    location = start["Location"]
    assert location.startswith(f"{provider.issuer}/authorize/"), location
    browser = requests.Session()
    answer = browser.get(location, allow_redirects=False, timeout=10)
    login_url = urljoin(location, answer.headers["Location"])  # the provider asks who you are
    browser.get(login_url, timeout=10)
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    answer = browser.post(login_url, data=form, allow_redirects=False, timeout=10)
    # Through the provider's redirects until one sends the browser back to the portal.
    while answer.status_code == 302 and urljoin(login_url, answer.headers["Location"]).startswith(
        provider.base
    ):
        answer = browser.get(
            urljoin(login_url, answer.headers["Location"]), allow_redirects=False, timeout=10
        )
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK, answer.headers["Location"]
    return client.get(f"{back.path}?{back.query}")
