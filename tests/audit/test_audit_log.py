"""The audit page, its export and its API: who may read them, what they show, and that reading
them is itself recorded."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditRead
from audit.selectors import AuditFilters, audit_entries, audit_feed
from tests.factories import InitiativeFactory, RequestFactory, WinFactory


@pytest.fixture
def changes(cast, team, other_team, other_cmo, product, acting_as):
    """One changed initiative in each team, made through the history context as a page would."""
    acting_as(cast["pmm"])
    ours = InitiativeFactory(team=team, owner=cast["pmm"], title="Ours: objection handling")
    acting_as(cast["cmo"])
    ours.status = "at_risk"
    ours.save()
    acting_as(cast["other_pmm"])
    theirs = InitiativeFactory(team=other_team, owner=cast["other_pmm"], title="Theirs: pricing page")
    return ours, theirs


@pytest.mark.parametrize("role", ["sales", "pmm", "pm"])
def test_only_admins_and_cmos_read_the_log(client, api_client, cast, role) -> None:
    client.force_login(cast[role])
    api_client.force_authenticate(cast[role])
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    assert api_client.get("/api/v1/audit/").status_code == 403
    assert not AuditRead.objects.exists()


def test_cmo_sees_only_the_changes_of_the_teams_they_lead(client, api_client, cast, changes) -> None:
    client.force_login(cast["cmo"])
    page = client.get("/audit/").content.decode()
    assert "Ours: objection handling" in page
    assert "Theirs: pricing page" not in page
    assert "On track" in page
    assert "At risk" in page
    assert "Carla Mendes" in page

    api_client.force_authenticate(cast["cmo"])
    results = api_client.get("/api/v1/audit/").json()["results"]
    labels = {entry["object_label"] for entry in results}
    assert "Ours: objection handling" in labels
    assert "Theirs: pricing page" not in labels
    change = next(e for e in results if e["action"] == "changed")
    assert change["actor"]["username"] == "cmo"
    assert {"field": "status", "label": "status", "before": "On track", "after": "At risk"} in change[
        "changes"
    ]
    assert change["object_url"] == f"/initiatives/{changes[0].pk}/"


def test_admin_sees_every_team(client, cast, changes) -> None:
    client.force_login(cast["admin"])
    page = client.get("/audit/").content.decode()
    assert "Ours: objection handling" in page
    assert "Theirs: pricing page" in page


def test_filters(cast, team, other_team, changes) -> None:
    admin = cast["admin"]

    def labels(**filters):
        return {
            entry.label
            for entry in audit_entries(list(audit_feed(reader=admin, filters=AuditFilters(**filters))[:50]))
        }

    assert labels(user_id=cast["other_pmm"].pk) == {"Theirs: pricing page"}
    assert labels(action="changed", type="initiatives.initiative") == {"Ours: objection handling"}
    assert labels(team_id=other_team.pk, type="initiatives.initiative") == {"Theirs: pricing page"}
    assert labels(q="pricing", type="initiatives.initiative") == {"Theirs: pricing page"}
    today = timezone.localdate()
    assert labels(date_from=today, date_to=today, type="initiatives.initiative") == {
        "Ours: objection handling",
        "Theirs: pricing page",
    }
    assert labels(date_to=today - dt.timedelta(days=1)) == set()


def test_an_invalid_filter_is_a_400_in_the_api(api_client, cast) -> None:
    api_client.force_authenticate(cast["cmo"])
    response = api_client.get("/api/v1/audit/?action=renamed&date_from=yesterday")
    assert response.status_code == 400
    assert not AuditRead.objects.exists()


def test_csv_export_is_the_filtered_log_with_formulas_neutralised(client, cast, team, acting_as) -> None:
    acting_as(cast["pmm"])
    initiative = InitiativeFactory(team=team, owner=cast["pmm"], title='=HYPERLINK("http://evil")')
    acting_as(cast["cmo"])
    initiative.status = "off_track"
    initiative.save()

    client.force_login(cast["cmo"])
    response = client.get("/audit/export.csv?type=initiatives.initiative&action=changed")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["When (UTC)", "Who", "Action", "Object type"]
    assert len(rows) == 2
    row = rows[1]
    assert row[1:6] == [
        "Carla Mendes",
        "changed",
        "Initiative",
        str(initiative.pk),
        '\'=HYPERLINK("http://evil")',
    ]
    assert row[6].endswith(f"/initiatives/{initiative.pk}/")
    assert "status: On track → Off track" in row[7]


def test_reading_the_log_is_recorded_and_shown(client, api_client, cast, changes) -> None:
    client.force_login(cast["cmo"])
    client.get("/audit/?action=changed")
    client.get("/audit/export.csv?q=objection")
    api_client.force_authenticate(cast["cmo"])
    api_client.get("/api/v1/audit/")
    reads = list(AuditRead.objects.order_by("id").values_list("user__username", "kind", "via", "filters"))
    assert reads == [
        ("cmo", "viewed", "page", {"action": "changed"}),
        ("cmo", "exported", "csv", {"q": "objection"}),
        ("cmo", "viewed", "api", {}),
    ]
    page = client.get("/audit/?type=audit.auditread").content.decode()
    assert "Audit log (page)" in page
    assert "Audit log (csv)" in page
    assert "Exported" in page

    # An administrator sees every reading (the CMO's four); a CMO only their own.
    admin_reads = audit_feed(reader=cast["admin"], filters=AuditFilters(type="audit.auditread"))
    assert admin_reads.count() == 4


def _make_changes(count: int, cast, team, product, acting_as) -> None:
    for n in range(count):
        acting_as(cast["pmm"])
        initiative = InitiativeFactory(team=team, owner=cast["pmm"], title=f"Plan {n}")
        win = WinFactory(team=team, owner=cast["pmm"])
        request = RequestFactory(product=product, requester=cast["sales"])
        acting_as(cast["cmo"])
        initiative.status = "at_risk"
        initiative.save()
        win.impact = f"Bigger {n}"
        win.save()
        request.status = "triaged"
        request.save()


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        # Changes only: the page holds the same three models at both sizes (a page's cost grows
        # with the number of models on it, which the tracked models bound).
        assert client.get("/audit/?action=changed").status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_at_two_sizes(client, cast, team, product, acting_as) -> None:
    client.force_login(cast["cmo"])
    _make_changes(3, cast, team, product, acting_as)
    small = _page_queries(client)
    _make_changes(40, cast, team, product, acting_as)
    large = _page_queries(client)
    # Session, user; the filter form's people and teams; the count and the page (one UNION);
    # for each of the 3 models on the page, its rows and their previous rows (6); the reading
    # recorded. The number of models on the page is what moves it, never the number of rows.
    assert small == large == 13


def test_the_team_filter_takes_the_team_id_as_everywhere_in_the_api_and_still_its_slug(
    api_client, cast, team, other_team, changes
) -> None:
    api_client.force_authenticate(cast["admin"])
    for ref in (other_team.pk, other_team.slug):
        answer = api_client.get("/api/v1/audit/", {"team": ref, "type": "initiatives.initiative"})
        assert answer.status_code == 200, answer.content
        assert {row["object_label"] for row in answer.json()["results"]} == {"Theirs: pricing page"}
