"""Every long list pages through the one pager, which keeps the list's filters."""

import datetime as dt

import pytest

from initiatives.models import InitiativeStatus
from reporting.models import MonthlyReport, ReportStatus
from tests.factories import InitiativeFactory, PersonaFactory


@pytest.mark.parametrize(
    ("path", "filters", "make"),
    [
        ("/personas/", {"kind": "buyer"}, "personas"),
        ("/initiatives/all/", {"status": InitiativeStatus.ON_TRACK}, "initiatives"),
        ("/reporting/reports/", {"status": ReportStatus.READY}, "reports"),
    ],
)
def test_the_pager_keeps_the_filters(client, pmm, team, path, filters, make):
    if make == "personas":
        PersonaFactory.create_batch(30, team=team, owner=pmm, kind="buyer")
    elif make == "initiatives":
        InitiativeFactory.create_batch(30, team=team, owner=pmm, status=InitiativeStatus.ON_TRACK)
    else:
        for n in range(25):
            MonthlyReport.objects.create(
                team=team, month=dt.date(2024 + n // 12, n % 12 + 1, 1), status=ReportStatus.READY
            )
    client.force_login(pmm)
    key, value = next(iter(filters.items()))
    first = client.get(path, filters).content.decode()
    assert "Page 1 of 2" in first
    assert f"{key}={value}&amp;page=2" in first
    second = client.get(path, {**filters, "page": 2}).content.decode()
    assert "Page 2 of 2" in second


def test_a_short_list_says_how_many_it_holds(client, pmm, team):
    PersonaFactory.create_batch(3, team=team, owner=pmm, kind="buyer")
    client.force_login(pmm)
    html = client.get("/personas/").content.decode()
    assert "3 results" in html
    assert "Page 1 of" not in html
