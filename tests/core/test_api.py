"""The API's shared behaviour: authentication, scoping, pagination, errors and the schema."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from tests.factories import TEST_PASSWORD, ProductFactory


def test_api_requires_authentication(api_client, db):
    response = api_client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "not_authenticated"


def test_session_authentication(api_client, pmm, team):
    api_client.force_login(pmm)
    body = api_client.get("/api/v1/me/").json()
    assert body["username"] == "pmm"
    assert body["role"] == "pmm"
    assert body["teams"] == [team.pk]  # teams and products are named by id everywhere


def test_token_is_issued_for_good_credentials_and_authenticates(api_client, pmm):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "pmm", "password": TEST_PASSWORD}, REMOTE_ADDR="10.2.2.2"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=pmm).key == key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/me/").json()["username"] == "pmm"


def test_token_refused_for_bad_credentials_with_field_errors(api_client, pmm):
    response = api_client.post("/api/v1/auth/token/", {"username": "pmm", "password": "nope"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["errors"][0]["attr"] == "non_field_errors"


def test_missing_fields_get_400_with_each_field_named(api_client, db):
    response = api_client.post("/api/v1/auth/token/", {})
    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"username", "password"}


def test_teams_are_scoped_to_the_user(api_client, pmm, team, other_team):
    api_client.force_login(pmm)
    slugs = [t["slug"] for t in api_client.get("/api/v1/teams/").json()["results"]]
    assert slugs == ["core-platform"]
    assert api_client.get("/api/v1/teams/analytics/").status_code == 404


def test_cmo_sees_the_teams_they_lead(api_client, cmo, team, other_team):
    api_client.force_login(cmo)
    assert [t["slug"] for t in api_client.get("/api/v1/teams/").json()["results"]] == ["core-platform"]


def test_admin_sees_every_team(api_client, admin_user, team, other_team):
    api_client.force_login(admin_user)
    assert api_client.get("/api/v1/teams/").json()["count"] == 2


def test_products_are_paginated_searchable_and_filterable(api_client, sales_rep, product, other_product):
    api_client.force_login(sales_rep)
    body = api_client.get("/api/v1/products/", {"page_size": 1}).json()
    assert body["count"] == 2
    assert len(body["results"]) == 1
    assert body["next"]
    assert [p["slug"] for p in api_client.get("/api/v1/products/?search=insight").json()["results"]] == [
        "insight"
    ]
    filtered = api_client.get("/api/v1/products/", {"team__slug": "core-platform"}).json()
    assert [p["slug"] for p in filtered["results"]] == ["atlas"]


def test_not_found_uses_the_one_error_format(api_client, pmm):
    api_client.force_login(pmm)
    body = api_client.get("/api/v1/products/nope/").json()
    assert body == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": body["errors"][0]["detail"], "attr": None}],
    }


@pytest.mark.parametrize("size", [3, 30])
def test_product_list_query_count_does_not_grow(api_client, sales_rep, team, size):
    # Queries: session, user, count, page of products joined to their team.
    ProductFactory.create_batch(size, team=team)
    api_client.force_login(sales_rep)
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get("/api/v1/products/").status_code == 200
    assert len(queries) == 4


def test_openapi_schema_and_docs(api_client, pmm):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/me/" in document["paths"]
    assert "tokenAuth" in document["components"]["securitySchemes"]
    docs = api_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_schema_generates_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")
