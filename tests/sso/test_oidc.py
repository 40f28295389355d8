"""Sign-in through a real OpenID Connect provider (django-oauth-toolkit in a second process).

The portal sends the browser to the provider, the person signs in there, the provider sends the
browser back with a code; the portal exchanges it at the provider's token endpoint, checks the ID
token's signature against the provider's published keys, and signs in the account with that email.
"""

import pytest
from django.contrib.auth import SESSION_KEY

from pmm_portal.core.models import Role, User
from tests.factories import RequestFactory, UserFactory
from tests.sso.conftest import sign_in_through

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def signed_in_as(client) -> User | None:
    user_id = client.session.get(SESSION_KEY)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    # The next page knows them (the backend that signed them in is a configured one).
    if user is not None:
        assert client.get("/").status_code == 200
    return user


def refusal(response) -> str:
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_the_sign_in_page_offers_the_provider(provider, client):
    page = client.get("/accounts/login/?next=/personas/")
    assert b"Sign in with single sign-on" in page.content
    assert b'href="/sso/login/?next=/personas/"' in page.content
    assert b'name="password"' in page.content  # local passwords stay on by default


def test_sign_in_through_the_provider_matches_the_account_by_email(provider, client, pmm):
    pmm.email = "priya.mehta@example.com"  # the provider says Priya.Mehta@Example.com
    pmm.save()
    answer = sign_in_through(provider, client, "priya", next_url="/personas/")
    assert answer.status_code == 302
    assert answer["Location"] == "/personas/"
    assert signed_in_as(client) == pmm
    assert User.objects.filter(email__iexact="priya.mehta@example.com").count() == 1


def test_a_new_person_gets_the_role_from_the_claim(provider, client):
    sign_in_through(provider, client, "nadia")
    nadia = signed_in_as(client)
    assert nadia is not None
    assert (nadia.email, nadia.first_name, nadia.last_name, nadia.role) == (
        "nadia.cruz@example.com",
        "Nadia",
        "Cruz",
        Role.CMO,
    )
    assert not nadia.has_usable_password()


def test_without_the_claim_a_new_person_gets_the_default_role(provider, client, settings):
    settings.OIDC_DEFAULT_ROLE = Role.PM
    sign_in_through(provider, client, "noor")
    noor = signed_in_as(client)
    assert noor is not None
    assert noor.role == Role.PM


def test_the_claim_updates_the_role_at_each_sign_in_and_its_absence_keeps_it(provider, client, pmm):
    pmm.email = "priya.mehta@example.com"
    pmm.save()
    provider.set_claims("priya", email="priya.mehta@example.com", pmm_role="cmo")
    sign_in_through(provider, client, "priya")
    pmm.refresh_from_db()
    assert pmm.role == Role.CMO

    client.logout()
    provider.set_claims("priya", email="priya.mehta@example.com")  # no role claim this time
    sign_in_through(provider, client, "priya")
    pmm.refresh_from_db()
    assert pmm.role == Role.CMO
    assert signed_in_as(client) == pmm


def test_a_deactivated_account_is_refused(provider, client):
    gabe = UserFactory(email="gabe.ortiz@example.com", role=Role.PMM, is_active=False)
    answer = sign_in_through(provider, client, "gabe")
    assert "your account is deactivated" in refusal(answer)
    assert signed_in_as(client) is None
    assert User.objects.filter(email__iexact=gabe.email).count() == 1  # no second account made


def test_two_accounts_with_the_email_are_refused(provider, client):
    UserFactory(email="gabe.ortiz@example.com")
    UserFactory(email="GABE.ORTIZ@example.com")
    answer = sign_in_through(provider, client, "gabe")
    assert "more than one account" in refusal(answer)
    assert signed_in_as(client) is None


def test_a_code_the_provider_did_not_issue_is_refused(provider, client):
    start = client.get("/sso/login/")
    state = start["Location"].split("state=")[1].split("&")[0]
    answer = client.get(f"/sso/callback/?code=forged&state={state}")
    assert "could not be verified" in refusal(answer)
    assert signed_in_as(client) is None


def test_a_state_that_is_not_this_browsers_is_refused(provider, client):
    answer = client.get("/sso/callback/?code=whatever&state=not-ours")
    assert "not for this sign-in" in refusal(answer)


def test_deactivation_by_scim_ends_the_session_and_refuses_the_next_sign_in(provider, client, settings):
    settings.SCIM_TOKEN = "scim-token-for-the-tests-0123456789"
    scim = {"HTTP_AUTHORIZATION": f"Bearer {settings.SCIM_TOKEN}"}
    created = client.post(
        "/scim/v2/Users",
        {"userName": "gabe.ortiz@example.com", "roles": [{"value": "pmm"}]},
        content_type="application/scim+json",
        **scim,
    )
    assert created.status_code == 201
    gabe = User.objects.get(pk=created.json()["id"])
    request = RequestFactory(requester=gabe)

    sign_in_through(provider, client, "gabe")
    assert signed_in_as(client) == gabe

    patch = {"Operations": [{"op": "replace", "path": "active", "value": False}]}
    answer = client.patch(f"/scim/v2/Users/{gabe.pk}", patch, content_type="application/scim+json", **scim)
    assert answer.status_code == 200
    assert answer.json()["active"] is False

    assert client.get("/").status_code == 302  # the session ended: back to sign in
    answer = sign_in_through(provider, client, "gabe")
    assert "deactivated" in refusal(answer)
    request.refresh_from_db()
    assert request.requester == gabe  # their history stays
