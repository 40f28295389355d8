"""The sign-in and provisioning rules, called directly."""

import pytest

from pmm_portal.core.models import Role, User
from sso import services
from sso.checks import sso_settings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def role_claim(settings):
    settings.OIDC_ROLE_CLAIM = "pmm_role"
    settings.OIDC_ROLE_MAP = {"Marketing-Leads": "cmo", "PMM-Team": "pmm"}


@pytest.mark.parametrize(
    ("claim", "role"),
    [
        ("pmm", Role.PMM),
        ("CMO", Role.CMO),
        ("marketing-leads", Role.CMO),
        (["Everyone", "PMM-Team", "Marketing-Leads"], Role.CMO),  # the one that may do the most
        ("Interns", None),
        ([], None),
        (None, None),
    ],
)
def test_role_from_claims(claim, role):
    claims = {"pmm_role": claim} if claim is not None else {}
    assert services.role_from_claims(claims=claims) == role


def test_role_from_a_nested_claim(settings):
    settings.OIDC_ROLE_CLAIM = "realm_access.roles"
    assert services.role_from_claims(claims={"realm_access": {"roles": ["offline", "pm"]}}) == Role.PM
    assert services.role_from_claims(claims={"realm_access": "pm"}) is None


def test_without_a_role_claim_setting_no_role_is_read(settings):
    settings.OIDC_ROLE_CLAIM = ""
    assert services.role_from_claims(claims={"pmm_role": "admin"}) is None


def test_sign_in_matches_case_insensitively_and_updates_the_role(pmm):
    pmm.email = "priya@example.com"
    pmm.save()
    user = services.oidc_sign_in(claims={"email": "PRIYA@example.com", "pmm_role": "cmo"})
    assert user == pmm
    pmm.refresh_from_db()
    assert pmm.role == Role.CMO


def test_sign_in_creates_with_the_default_role(settings):
    settings.OIDC_DEFAULT_ROLE = Role.PM
    user = services.oidc_sign_in(claims={"email": "new@example.com", "given_name": "Nia"})
    assert (user.username, user.email, user.first_name, user.role) == (
        "new@example.com",
        "new@example.com",
        "Nia",
        Role.PM,
    )
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({}, "did not share your email"),
        ({"email": "a@example.com", "email_verified": False}, "not verified"),
    ],
)
def test_sign_in_refuses_without_a_verified_email(claims, why):
    with pytest.raises(services.SignInRefusedError, match=why):
        services.oidc_sign_in(claims=claims)
    assert not User.objects.filter(email="a@example.com").exists()


def test_sign_in_refuses_a_shared_email_and_an_inactive_account():
    UserFactory(email="twin@example.com")
    UserFactory(email="Twin@example.com")
    with pytest.raises(services.SignInRefusedError, match="more than one account"):
        services.oidc_sign_in(claims={"email": "twin@example.com"})
    gone = UserFactory(email="gone@example.com", is_active=False, role=Role.SALES)
    with pytest.raises(services.SignInRefusedError, match="deactivated"):
        services.oidc_sign_in(claims={"email": "gone@example.com", "pmm_role": "admin"})
    gone.refresh_from_db()
    assert gone.role == Role.SALES  # a refused sign-in changes nothing


def test_deactivate_then_reactivate(pmm):
    services.user_deactivate(user=pmm)
    pmm.refresh_from_db()
    assert not pmm.is_active
    services.user_provision_update(user=pmm, person=services.Provisioned(active=True, job_title="PMM lead"))
    pmm.refresh_from_db()
    assert (pmm.is_active, pmm.job_title) == (True, "PMM lead")


def test_provisioning_refuses_a_taken_name(pmm, sales_rep):
    with pytest.raises(services.ProvisioningConflictError):
        services.user_provision_update(
            user=pmm, person=services.Provisioned(username=sales_rep.username.upper())
        )


def test_settings_checks_name_what_is_wrong(settings):
    settings.OIDC_DEFAULT_ROLE = "boss"
    settings.OIDC_ROLE_MAP = {"Leads": "chief"}
    settings.LOCAL_PASSWORDS = False
    settings.OIDC_ENABLED = False
    settings.SCIM_TOKEN = "short"
    assert [m.id for m in sso_settings()] == ["sso.E001", "sso.E002", "sso.W001", "sso.W002"]
