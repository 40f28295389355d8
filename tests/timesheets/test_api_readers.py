"""Who reads time entries through the API: the author; the leader of the author's team, read-only;
an administrator. Nobody else, not even a teammate."""

import pytest

from tests.factories.initiatives import TimeEntryFactory
from timesheets.models import TimeEntry

pytestmark = pytest.mark.django_db


def _ids(api_client, user) -> list[int]:
    api_client.force_authenticate(user)
    response = api_client.get("/api/v1/time-entries/")
    assert response.status_code == 200
    return sorted(row["id"] for row in response.json()["results"])


def test_a_leader_reads_the_time_of_the_teams_they_lead_and_changes_none(
    api_client, cmo, pmm, pm, other_pmm, admin_user, team, other_team
):
    mine = TimeEntryFactory(user=pmm)
    elsewhere = TimeEntryFactory(user=other_pmm)
    assert _ids(api_client, cmo) == [mine.pk]
    api_client.force_authenticate(cmo)
    detail = api_client.get(f"/api/v1/time-entries/{mine.pk}/")
    assert detail.status_code == 200
    assert detail.json()["user"] == pmm.pk
    assert api_client.get(f"/api/v1/time-entries/{elsewhere.pk}/").status_code == 404
    assert (
        api_client.patch(f"/api/v1/time-entries/{mine.pk}/", {"hours": "9"}, format="json").status_code == 403
    )
    assert api_client.delete(f"/api/v1/time-entries/{mine.pk}/").status_code == 403
    assert TimeEntry.objects.get(pk=mine.pk).hours == 4
    # The author and an administrator; not another team's PMM.
    assert _ids(api_client, pmm) == [mine.pk]
    assert _ids(api_client, other_pmm) == [elsewhere.pk]
    assert _ids(api_client, admin_user) == sorted([mine.pk, elsewhere.pk])


def test_an_administrator_changes_an_entry_under_its_authors_rules(api_client, admin_user, pmm, team):
    entry = TimeEntryFactory(user=pmm)
    TimeEntryFactory(user=pmm, category="meetings", hours=70)
    api_client.force_authenticate(admin_user)
    too_many = api_client.patch(f"/api/v1/time-entries/{entry.pk}/", {"hours": "20"}, format="json")
    assert too_many.status_code == 400  # the author's week would pass 80 hours
    fine = api_client.patch(f"/api/v1/time-entries/{entry.pk}/", {"hours": "6"}, format="json")
    assert fine.status_code == 200
    assert TimeEntry.objects.get(pk=entry.pk).hours == 6
