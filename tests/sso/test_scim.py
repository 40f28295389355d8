"""SCIM 2.0 provisioning as an identity provider (Okta, Entra, Keycloak…) calls it: real HTTP requests
through the portal's whole stack, with the bearer token from the environment."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from rest_framework.authtoken.models import Token

from pmm_portal.core.models import Role, User
from tests.factories import RequestFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "scim-token-for-the-tests-0123456789abcdef"
SCIM = "application/scim+json"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture(autouse=True)
def scim_token(settings):
    settings.SCIM_TOKEN = TOKEN


def call(client, method, path, body=None, *, token=TOKEN, raw=None):
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return getattr(client, method)(f"/scim/v2/{path}", data, content_type=SCIM, **headers)


def error_of(response, status, scim_type=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    if scim_type:
        assert body["scimType"] == scim_type
    return body


def test_create_then_find_by_user_name(client):
    created = call(
        client,
        "post",
        "Users",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "lena.fischer@example.com",
            "name": {"givenName": "Lena", "familyName": "Fischer"},
            "emails": [{"value": "Lena.Fischer@example.com", "type": "work", "primary": True}],
            "title": "Account executive",
            "roles": [{"value": "sales"}],
            "active": True,
        },
    )
    assert created.status_code == 201
    assert created["Content-Type"] == SCIM
    body = created.json()
    assert created["Location"] == f"http://testserver/scim/v2/Users/{body['id']}"
    lena = User.objects.get(pk=body["id"])
    assert (lena.username, lena.email, lena.get_full_name(), lena.job_title, lena.role) == (
        "lena.fischer@example.com",
        "Lena.Fischer@example.com",
        "Lena Fischer",
        "Account executive",
        Role.SALES,
    )
    assert not lena.has_usable_password()

    found = call(client, "get", 'Users?filter=userName eq "LENA.FISCHER@example.com"')
    assert found.status_code == 200
    listed = found.json()
    assert listed["totalResults"] == 1
    assert listed["Resources"][0]["id"] == body["id"]
    assert listed["Resources"][0]["emails"][0]["value"] == "Lena.Fischer@example.com"
    nobody = call(client, "get", 'Users?filter=userName eq "nobody@example.com"').json()
    assert (nobody["totalResults"], nobody["Resources"]) == (0, [])


def test_without_roles_a_new_user_gets_the_default_role(client, settings):
    settings.OIDC_DEFAULT_ROLE = Role.PMM
    created = call(client, "post", "Users", {"userName": "ravi@example.com"})
    assert created.status_code == 201
    ravi = User.objects.get(pk=created.json()["id"])
    assert (ravi.role, ravi.email) == (Role.PMM, "ravi@example.com")


def test_the_list_pages_with_start_index_and_count(client, cast):
    managed = list(User.objects.filter(is_superuser=False).order_by("pk"))
    answer = call(client, "get", "Users?startIndex=2&count=2").json()
    assert answer["totalResults"] == len(managed)
    assert (answer["startIndex"], answer["itemsPerPage"]) == (2, 2)
    assert [r["id"] for r in answer["Resources"]] == [str(u.pk) for u in managed[1:3]]
    assert call(client, "get", "Users?count=0").json()["Resources"] == []


def test_superusers_are_left_to_the_admin(client, admin_user):
    # The break-glass accounts: SCIM neither lists nor changes them.
    listed = call(client, "get", "Users").json()["Resources"]
    assert str(admin_user.pk) not in [r["id"] for r in listed]
    error_of(call(client, "get", f"Users/{admin_user.pk}"), 404)
    patch = {"Operations": [{"op": "replace", "path": "active", "value": False}]}
    error_of(call(client, "patch", f"Users/{admin_user.pk}", patch), 404)
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_patch_active_false_deactivates_and_keeps_the_history(client, sales_rep):
    request = RequestFactory(requester=sales_rep)
    Token.objects.create(user=sales_rep)
    browser = type(client)()
    browser.force_login(sales_rep)
    assert Session.objects.count() == 1

    # As Microsoft Entra sends it: a capitalised op and the boolean as a string.
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
    }
    answer = call(client, "patch", f"Users/{sales_rep.pk}", patch)
    assert answer.status_code == 200
    assert answer.json()["active"] is False

    sales_rep.refresh_from_db()
    assert not sales_rep.is_active
    assert not Token.objects.filter(user=sales_rep).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(sales_rep.pk)]
    assert browser.get("/").status_code == 302  # signed out
    request.refresh_from_db()
    assert request.requester == sales_rep
    assert sales_rep.history.filter(is_active=False).exists()  # the audit trail says who was switched off

    # As Okta sends it: no path, the changes in the value.
    answer = call(
        client,
        "patch",
        f"Users/{sales_rep.pk}",
        {"Operations": [{"op": "replace", "value": {"active": True}}]},
    )
    sales_rep.refresh_from_db()
    assert answer.json()["active"] is True
    assert sales_rep.is_active


def test_patch_replaces_the_name_email_and_role(client, sales_rep):
    patch = {
        "Operations": [
            {"op": "replace", "path": "name.givenName", "value": "Samuel"},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "samuel.reyes@example.com"},
            {"op": "replace", "path": "roles", "value": [{"value": "pmm"}]},
            {"op": "add", "value": {"name.familyName": "Reyes-Ortiz", "displayName": "ignored"}},
            {
                "op": "add",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "value": "Sales",  # not kept by the portal: accepted and ignored
            },
        ]
    }
    answer = call(client, "patch", f"Users/{sales_rep.pk}", patch)
    assert answer.status_code == 200
    sales_rep.refresh_from_db()
    assert (sales_rep.first_name, sales_rep.last_name, sales_rep.email, sales_rep.role) == (
        "Samuel",
        "Reyes-Ortiz",
        "samuel.reyes@example.com",
        Role.PMM,
    )


def test_put_replaces_the_user(client, pmm):
    answer = call(
        client,
        "put",
        f"Users/{pmm.pk}",
        {"userName": "priya.mehta", "emails": [{"value": "priya@example.com"}], "active": True},
    )
    assert answer.status_code == 200
    pmm.refresh_from_db()
    assert (pmm.username, pmm.email, pmm.first_name, pmm.role) == (
        "priya.mehta",
        "priya@example.com",
        "",
        Role.PMM,
    )


def test_delete_deactivates_and_never_deletes(client, pmm):
    assert call(client, "delete", f"Users/{pmm.pk}").status_code == 204
    pmm.refresh_from_db()
    assert not pmm.is_active
    assert call(client, "get", f"Users/{pmm.pk}").json()["active"] is False


def test_a_bad_token_is_refused_before_the_body_is_read(client):
    for token in ("", "wrong-token", TOKEN + "x"):
        body = error_of(call(client, "post", "Users", token=token, raw="{not json"), 401)
        assert "bearer token" in body["detail"]
    assert call(client, "get", "Users", token="wrong")["WWW-Authenticate"] == 'Bearer realm="scim"'
    assert not User.objects.filter(username="x").exists()


def test_without_a_configured_token_everything_is_refused(client, settings):
    settings.SCIM_TOKEN = ""
    error_of(call(client, "get", "Users", token=""), 401)
    error_of(call(client, "get", "ServiceProviderConfig", token="anything"), 401)


def test_a_session_is_not_a_token(client, admin_user):
    client.force_login(admin_user)
    error_of(call(client, "get", "Users", token=""), 401)


def test_malformed_bodies_are_400_in_scim_format(client, pmm):
    error_of(call(client, "post", "Users", raw="{not json"), 400, "invalidSyntax")
    error_of(call(client, "post", "Users", raw="[1, 2]"), 400, "invalidSyntax")
    error_of(call(client, "post", "Users", {"name": {"givenName": "No user name"}}), 400, "invalidValue")
    error_of(
        call(client, "post", "Users", {"userName": "x", "emails": [{"value": "not-an-email"}]}),
        400,
        "invalidValue",
    )
    error_of(
        call(client, "post", "Users", {"userName": "x", "roles": [{"value": "overlord"}]}),
        400,
        "invalidValue",
    )
    error_of(call(client, "post", "Users", {"userName": "x", "active": "maybe"}), 400, "invalidValue")
    error_of(call(client, "patch", f"Users/{pmm.pk}", {"Operations": []}), 400, "invalidValue")
    error_of(call(client, "patch", f"Users/{pmm.pk}", {"Operations": [{"op": "move"}]}), 400, "invalidValue")
    bad_path = {"Operations": [{"op": "replace", "path": "password", "value": "x"}]}
    error_of(call(client, "patch", f"Users/{pmm.pk}", bad_path), 400, "invalidPath")
    error_of(call(client, "get", 'Users?filter=title co "x"'), 400, "invalidFilter")
    error_of(call(client, "get", "Users?startIndex=two"), 400, "invalidValue")
    assert not User.objects.filter(username="x").exists()


def test_a_taken_user_name_or_email_is_409(client, pmm):
    UserFactory(username="taken", email="taken@example.com")
    error_of(call(client, "post", "Users", {"userName": "TAKEN"}), 409, "uniqueness")
    error_of(
        call(client, "post", "Users", {"userName": "new", "emails": [{"value": "Taken@example.com"}]}), 409
    )
    patch = {"Operations": [{"op": "replace", "path": "userName", "value": "taken"}]}
    error_of(call(client, "patch", f"Users/{pmm.pk}", patch), 409, "uniqueness")


def test_unknown_users_and_methods(client):
    error_of(call(client, "get", "Users/999999"), 404)
    error_of(call(client, "get", "Users/not-a-number"), 404)
    error_of(call(client, "delete", "Users"), 405)


def test_the_discovery_resources(client):
    config = call(client, "get", "ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = call(client, "get", "ResourceTypes").json()
    assert types["Resources"][0]["endpoint"] == "/Users"
    schemas = call(client, "get", "Schemas").json()
    names = {a["name"] for a in schemas["Resources"][0]["attributes"]}
    assert {"userName", "name", "emails", "active", "roles"} <= names
