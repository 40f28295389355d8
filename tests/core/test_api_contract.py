"""The API keeps its contract: malformed ids and unknown paths answer the JSON 404, the schema
documents the errors and the nulls the API sends, and schemathesis finds nothing to report.

The full schemathesis run is ``make api-contract`` (every phase, 100 examples an operation,
as sales, a PMM and the CMO); ``test_schemathesis_finds_no_failure_as_each_role`` is its short
version, run with the integration tests.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from pmm_portal.core.models import Role
from tests.factories import UserFactory

REPO_ROOT = Path(__file__).resolve().parents[2]

# What a client may put where an id goes: words, decimals, signs, other scripts' digits, a NUL.
MALFORMED_IDS = ["abc", "false", "1.5", "-1", "1e3", "%C2%B2", "%D9%A1", "%00", "%0A"]
ROUTES_WITH_AN_ID = [
    ("post", "/api/v1/initiatives/{}/focus/"),
    ("post", "/api/v1/initiatives/{}/unfocus/"),
    ("post", "/api/v1/reports/{}/regenerate/"),
    ("get", "/api/v1/reports/{}/"),
    ("get", "/api/v1/initiatives/{}/"),
    ("patch", "/api/v1/wins/{}/"),
    ("delete", "/api/v1/time-entries/{}/"),
    ("get", "/api/v1/personas/{}/history/"),
    ("post", "/api/v1/personas/{}/validate/"),
    ("get", "/api/v1/interactions/{}/"),
    ("post", "/api/v1/interactions/1/follow-ups/{}/done/"),
    ("get", "/api/v1/requests/{}/"),
    ("post", "/api/v1/requests/{}/claim/"),
    ("get", "/api/v1/requests/{}/likely-duplicates/"),
    ("get", "/api/v1/assets/{}/"),
]


def assert_json_404(response) -> None:
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["type"] == "client_error"
    assert [error["code"] for error in body["errors"]] == ["not_found"]


@pytest.mark.parametrize("value", MALFORMED_IDS)
@pytest.mark.parametrize(("method", "path"), ROUTES_WITH_AN_ID)
def test_a_malformed_id_answers_the_json_404(api_client, pmm, team, method, path, value):
    api_client.force_login(pmm)

    assert_json_404(getattr(api_client, method)(path.format(value)))


@pytest.mark.parametrize(
    "path", ["/api/v1/teams/%00/", "/api/v1/products/a%20b/", "/api/v1/products/%C3%A9/"]
)
def test_a_slug_that_cannot_be_one_answers_the_json_404(api_client, pmm, path):
    api_client.force_login(pmm)

    assert_json_404(api_client.get(path))


@pytest.mark.parametrize(
    "path", ["/api/v1/nope/", "/api/v1/requests/1/nope/", "/api/nope/", "/api/v2/requests/"]
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_answers_the_json_404_signed_in_or_not(api_client, db, path, method):
    assert_json_404(getattr(api_client, method)(path, HTTP_ACCEPT="text/html"))

    api_client.force_login(UserFactory(role=Role.PMM))
    assert_json_404(getattr(api_client, method)(path, HTTP_ACCEPT="text/html"))


def test_a_path_without_its_slash_still_redirects_to_the_endpoint(api_client, pmm):
    api_client.force_login(pmm)

    response = api_client.get("/api/v1/requests")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/requests/"


@pytest.fixture
def schema(api_client, db) -> dict:
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_marks_what_can_be_null_as_nullable(schema):
    components = schema["components"]["schemas"]
    assert components["Request"]["properties"]["assignee"].get("nullable") is True
    assert components["Request"]["properties"]["reused_asset"].get("nullable") is True
    assert components["Team"]["properties"]["lead"].get("nullable") is True
    assert components["Persona"]["properties"]["last_validated_by"].get("nullable") is True
    # A link left empty is "", which is not a URI: the schema says "a URI or empty".
    assert {"maxLength": 0} in components["Request"]["properties"]["delivery_link"]["anyOf"]


def test_the_schema_documents_the_error_bodies_an_operation_returns(schema):
    focus = schema["paths"]["/api/v1/initiatives/{id}/focus/"]["post"]["responses"]
    for status in ("400", "403", "404", "429"):
        assert "application/json" in focus[status]["content"], status
    assert focus["400"]["description"] == "A fourth focus initiative, or a closed one."
    # The top-3 rules name the initiative itself, with code "invalid".
    initiative_error = schema["components"]["schemas"]["InitiativesFocusCreateInitiativeErrorComponent"]
    assert initiative_error["properties"]["attr"]["enum"] == ["initiative"]
    assert "invalid" in initiative_error["properties"]["code"]["enum"]
    # Deleting an initiative with logged time is refused by a rule: a 400 with field errors.
    destroy = schema["paths"]["/api/v1/initiatives/{id}/"]["delete"]["responses"]
    assert "application/json" in destroy["400"]["content"]
    # Not signed in is a 403 (session authentication asks for no challenge), and says so.
    assert "not_authenticated" in schema["components"]["schemas"]["ErrorCode403Enum"]["enum"]
    # Errors inside a nested list name the item's position, as the API sends them.
    quote_text = schema["components"]["schemas"]["InteractionsCreateQuotesINDEXTextErrorComponent"]
    assert quote_text["properties"]["attr"]["pattern"] == r"^quotes\.[0-9]+\.text$"


@pytest.mark.integration
def test_schemathesis_finds_no_failure_as_each_role():
    """Every operation, as sales, a PMM and the CMO: a few generated cases each, and stateful sequences.

    Fails on any server error, any answer the schema does not describe, any schemathesis check
    (``scripts/api_contract.toml``); its output says which operation and how to reproduce it.
    """
    result = subprocess.run(
        [
            sys.executable,
            "scripts/api_contract.py",
            "--phases",
            "examples,fuzzing,stateful",
            "--max-examples",
            "3",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "API contract: kept" in result.stdout
    for role in ("sales", "pmm", "cmo"):
        assert f"\n{role} " in result.stdout, result.stdout
