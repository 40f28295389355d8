"""The import pages and ``/api/v1/imports/``: the four steps, the rights, bad input, and the list's queries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competitive.models import Competitor
from imports import services
from imports.models import ImportBatch, ImportStatus
from tests.imports.conftest import csv_file, xlsx_file

QUERIES_OF_THE_LIST = 7
GOOD = [["Competitor", "Tier"], ["Globex", "primary"], ["Initech", "secondary"]]
BAD = [["Competitor", "Tier"], ["Globex", "primary"], ["Initech", "giant"]]


def _upload(client, rows, build=csv_file):
    response = client.post(
        "/imports/new/", {"kind": "competitors", "team": "core-platform", "file": build(rows)}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportBatch.objects.latest("pk")


def test_the_four_steps_in_the_browser(client, pmm, team):
    client.force_login(pmm)
    batch = _upload(client, GOOD, xlsx_file)

    mapping = client.get(f"/imports/{batch.pk}/").content.decode()
    assert '<option value="Competitor" selected>' in mapping  # "Competitor" matched the name field
    response = client.post(f"/imports/{batch.pk}/", {"name": "Competitor", "tier": "Tier"})
    assert response["Location"] == f"/imports/{batch.pk}/preview/"
    preview = client.get(response["Location"]).content.decode()
    assert "All 2 rows can be imported." in preview
    assert not Competitor.objects.exists()

    response = client.post(f"/imports/{batch.pk}/import/")
    assert response.status_code == 302
    assert Competitor.objects.count() == 2
    detail = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "Undo the whole import" in detail

    client.post(f"/imports/{batch.pk}/undo/")
    assert not Competitor.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE


def test_the_preview_lists_each_bad_row_and_disables_the_import(client, pmm, team):
    client.force_login(pmm)
    batch = _upload(client, BAD)

    page = client.get(f"/imports/{batch.pk}/preview/").content.decode()

    assert "Row 3, “Tier”: ‘giant’ is not one of primary, secondary, emerging, status_quo." in page
    assert 'disabled aria-disabled="true"' in page
    response = client.post(f"/imports/{batch.pk}/import/")
    assert response.status_code == 400
    assert not Competitor.objects.exists()


def test_a_missing_required_column_is_asked_for(client, pmm, team):
    client.force_login(pmm)
    batch = _upload(client, [["Vendor", "Tier"], ["Globex", "primary"]])

    response = client.post(f"/imports/{batch.pk}/", {"name": "", "tier": "Tier"})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_form(client, pmm, team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(pmm)
    response = client.post(
        "/imports/new/",
        {"kind": "competitors", "team": "core-platform", "file": SimpleUploadedFile("x.csv", b"\x00\x01")},
    )
    assert response.status_code == 400
    assert "is not a real CSV file" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_team_the_user_may_not_import_into_is_a_form_error(client, pmm, team, other_team):
    client.force_login(pmm)
    response = client.post(
        "/imports/new/", {"kind": "competitors", "team": other_team.slug, "file": csv_file(GOOD)}
    )
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_sales_may_not_import(client, sales_rep):
    client.force_login(sales_rep)
    assert client.get("/imports/").status_code == 403
    assert client.post("/imports/new/", {"kind": "competitors"}).status_code == 403


def test_someone_else_sees_neither_the_draft_nor_the_batch(client, pmm, other_pmm, team):
    client.force_login(pmm)
    batch = _upload(client, GOOD)
    client.force_login(other_pmm)
    assert client.get(f"/imports/{batch.pk}/").status_code == 404
    assert client.get(f"/imports/{batch.pk}/preview/").status_code == 404


def test_the_template_lists_the_columns(client, pmm):
    client.force_login(pmm)
    response = client.get("/imports/templates/requests/")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("title,product,type,needed_by,requester")
    assert client.get("/imports/templates/nothing/").status_code == 404


# --- API ---------------------------------------------------------------------------------------


def _api(api_client, rows, **fields):
    data = {"kind": "competitors", "team": "core-platform", "file": csv_file(rows), **fields}
    return api_client.post("/api/v1/imports/", data, format="multipart")


def test_api_dry_run_answers_every_row_error_and_writes_nothing(api_client, pmm, team):
    api_client.force_login(pmm)

    response = _api(api_client, BAD, mapping=json.dumps({"name": "Competitor", "tier": "Tier"}))

    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["valid"], body["rows"], body["batch"]) == (True, False, 2, None)
    assert body["row_errors"] == [
        {
            "row": 3,
            "column": "“Tier”",
            "message": "‘giant’ is not one of primary, secondary, emerging, status_quo.",
            "text": "row 3, “Tier”: ‘giant’ is not one of primary, secondary, emerging, status_quo.",
        }
    ]
    assert not Competitor.objects.exists()
    assert not ImportBatch.objects.exists()


def test_api_import_is_all_or_nothing_then_undone(api_client, pmm, team):
    api_client.force_login(pmm)

    refused = _api(api_client, BAD, dry_run="false")
    assert refused.status_code == 400
    assert "row 3" in json.dumps(refused.json())
    assert not Competitor.objects.exists()
    assert not ImportBatch.objects.exists()

    created = _api(api_client, GOOD, dry_run="false")
    assert created.status_code == 201
    batch = created.json()["batch"]
    assert (batch["status"], batch["rows"], batch["object_count"]) == ("imported", 2, 2)
    assert [b["id"] for b in api_client.get("/api/v1/imports/").json()["results"]] == [batch["id"]]

    undone = api_client.post(f"/api/v1/imports/{batch['id']}/undo/")
    assert undone.status_code == 200
    assert undone.json()["status"] == "undone"
    assert not Competitor.objects.exists()
    assert api_client.post(f"/api/v1/imports/{batch['id']}/undo/").status_code == 400


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"kind": "planets"}, 400),
        ({"mapping": "{not json"}, 400),
        ({"mapping": json.dumps({"name": "Nope"})}, 400),
        ({"mapping": json.dumps(["name"])}, 400),
        ({"team": "analytics"}, 403),
    ],
)
def test_api_bad_input_is_a_400_or_403_never_a_500(api_client, pmm, team, other_team, fields, status):
    api_client.force_login(pmm)
    assert _api(api_client, GOOD, **fields).status_code == status
    assert not Competitor.objects.exists()


def test_api_refuses_before_reading_the_file(api_client, sales_rep):
    api_client.force_login(sales_rep)
    assert _api(api_client, GOOD).status_code == 403


# --- Queries ------------------------------------------------------------------------------------


def _batches(pmm, team, count):
    for _ in range(count):
        batch = services.batch_upload(actor=pmm, kind="competitors", team=team, upload=csv_file(GOOD))
        batch.status = ImportStatus.IMPORTED
        batch.save(update_fields=["status"])


@pytest.mark.parametrize("count", [2, 12])
def test_the_batch_list_queries_do_not_grow_with_its_rows(client, pmm, team, count):
    _batches(pmm, team, count)
    client.force_login(pmm)
    client.get("/imports/")  # the session and the user's teams warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/imports/")
    assert response.status_code == 200
    assert response.content.decode().count("import.csv</a>") == count
    # The session, the user, the import rights (one "exists" each for personas, assets and
    # competitors; requests need no query for a PMM), the count, and the page of batches with their
    # team and author in one join: 7 for 2 batches as for 12.
    assert len(queries) == QUERIES_OF_THE_LIST, [q["sql"][:120] for q in queries.captured_queries]
