"""Pinned query counts: each list page and endpoint reads the same number of times for 3 or 30 of everything."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmm_portal.core.models import Role
from tests.factories import (
    FocusSlotFactory,
    InitiativeFactory,
    MilestoneFactory,
    MonthlyReviewFactory,
    ProductFactory,
    TimeEntryFactory,
    UserFactory,
    WinFactory,
)


def build(size, pmm, team, month, this_week, first=True):
    """``size`` initiatives for the PMM (three in focus), colleagues with their own top 3, time, wins, reviews."""
    mine = [InitiativeFactory(owner=pmm, team=team) for _ in range(size)]
    product = ProductFactory(team=team)
    for n, initiative in enumerate(mine):
        initiative.products.add(product)
        MilestoneFactory(initiative=initiative)
        MilestoneFactory(initiative=initiative)
        if first and n < 3:
            FocusSlotFactory(initiative=initiative, month=month, rank=n + 1)
        TimeEntryFactory(
            user=pmm,
            week_start=this_week - datetime.timedelta(days=7 * n),
            category="initiative",
            initiative=initiative,
            hours=2,
        )
        WinFactory(owner=pmm, team=team, initiative=initiative)
        MonthlyReviewFactory(
            owner=pmm, team=team, month=datetime.date(2010 + first * 10 + n // 12, n % 12 + 1, 1)
        )
    for _ in range(size // 3):
        colleague = UserFactory(role=Role.PMM)
        team.members.add(colleague)
        for rank in (1, 2, 3):
            FocusSlotFactory(initiative=InitiativeFactory(owner=colleague, team=team), month=month, rank=rank)


def count(client, path, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    assert response.status_code == 200, path
    return len(queries)


# Session, user, then the page's own reads:
PAGES = {
    # home_team (today in the team's zone), initiatives with rank and hours, their open milestones, review due.
    "/initiatives/": ("pmm", 6),
    # home_team, visible teams' PMMs, their focus slots with initiatives.
    "/initiatives/team/": ("cmo", 5),
    # home_team, initiatives in the window with owners, their focus months.
    "/initiatives/timeline/": ("cmo", 5),
    # home_team (for the week, then for today), entries with initiative and request, focus slots
    # with initiative, the week's total.
    "/initiatives/timesheet/": ("pmm", 7),
    # count, page of initiatives with owner and team, owners for the filter.
    "/initiatives/all/": ("cmo", 5),
    # count, page of wins with owner, team, initiative and request, owners for the filter.
    "/initiatives/wins/": ("cmo", 5),
    # count, page of reviews with owner and team, owners for the filter, home_team (review due is
    # asked of PMMs only).
    "/initiatives/reviews/": ("cmo", 6),
    # count, page, then products, personas and milestones prefetched, home_team for "this month".
    "/api/v1/initiatives/": ("pmm", 8),
    # count, page of the user's own entries.
    "/api/v1/time-entries/": ("pmm", 4),
    # count, page of wins with owner, team and who promoted them, the teams they are shared with.
    "/api/v1/wins/": ("cmo", 5),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_query_count_is_flat(client, cast, team, month, this_week, path):
    role, expected = PAGES[path]
    build(3, cast["pmm"], team, month, this_week)
    client.force_login(cast[role])
    small = count(client, path)
    build(30, cast["pmm"], team, month, this_week, first=False)
    large = count(client, path)
    assert (small, large) == (expected, expected)
