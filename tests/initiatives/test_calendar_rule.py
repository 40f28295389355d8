"""The plan obeys the calendar rule (a week's hours split across months by working day), and an
initiative's status history starts when it is created.

The weeks of late 2026: Monday 30 November – Sunday 6 December has 1 working day in November
and 4 in December; November (21 working days, 4.2 weeks) starts on Sunday the 1st, so the week
of Monday 26 October has none in it; December has 23 working days (4.6 weeks).
"""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from initiatives import services
from initiatives.models import Initiative, StatusUpdate
from initiatives.selectors import plan as initiative_plan
from tests.factories import FocusSlotFactory, InitiativeFactory, TimeEntryFactory
from tests.initiatives.test_query_counts import build, count

D = Decimal
NOV = datetime.date(2026, 11, 1)
DEC = datetime.date(2026, 12, 1)
BOUNDARY = datetime.date(2026, 11, 30)
DEC_2 = datetime.date(2026, 12, 2)  # a Wednesday in the first days of December


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the clock (``timezone.now``) at noon UTC on ``day``, as the request-queue tests do."""

    def freeze(day: datetime.date) -> None:
        moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


@pytest.fixture
def battlecards(pmm, team):
    """In the top 3 of November and December, 8 h a week, 40 h logged in the week of 30 November."""
    initiative = InitiativeFactory(owner=pmm, team=team, title="Battlecards", planned_hours_per_week=D("8"))
    FocusSlotFactory(initiative=initiative, month=NOV, rank=1)
    FocusSlotFactory(initiative=initiative, month=DEC, rank=1)
    TimeEntryFactory(user=pmm, week_start=BOUNDARY, category="initiative", initiative=initiative, hours=40)
    return initiative


def test_the_boundary_weeks_hours_count_8_in_november_and_32_in_december(pmm, battlecards):
    november = initiative_plan(user=pmm, owner=pmm, month=NOV, today=DEC_2)
    december = initiative_plan(user=pmm, owner=pmm, month=DEC, today=DEC_2)
    (nov_row,), (dec_row,) = november.focus, december.focus
    assert (nov_row.logged_month, dec_row.logged_month) == (D("8"), D("32"))
    # This week's hours are the whole week's, whichever month the plan shows.
    assert nov_row.logged_week == dec_row.logged_week == D("40")
    # Planned: 8 h × 4.2 weeks in November, 8 h × 4.6 weeks in December.
    assert (nov_row.planned_month, dec_row.planned_month) == (D("33.6"), D("36.8"))
    assert (november.weeks, november.working_days, december.weeks, december.working_days) == (
        D("4.2"),
        21,
        D("4.6"),
        23,
    )


def test_a_month_starting_on_sunday_takes_nothing_from_the_week_before(pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team)
    FocusSlotFactory(initiative=initiative, month=NOV, rank=1)
    for week in (datetime.date(2026, 10, 26), datetime.date(2026, 11, 2)):
        TimeEntryFactory(user=pmm, week_start=week, category="initiative", initiative=initiative, hours=10)
    (row,) = initiative_plan(user=pmm, owner=pmm, month=NOV, today=datetime.date(2026, 11, 6)).focus
    assert row.logged_month == D("10")  # only the week of 2 November; 26 October counts in October
    (row,) = initiative_plan(
        user=pmm, owner=pmm, month=datetime.date(2026, 10, 1), today=datetime.date(2026, 11, 6)
    ).backlog
    assert row.logged_month == D("10")


def test_in_the_first_days_of_a_month_the_plan_shows_the_boundary_weeks_hours(
    client, pmm, battlecards, frozen
):
    """On 2 December the plan never reads "0 h logged" under "40 h this week"."""
    frozen(DEC_2)
    client.force_login(pmm)
    html = " ".join(client.get("/initiatives/").content.decode().split())
    assert "Top 3 for December 2026" in html
    assert "40 h of 8 h planned this week" in html
    assert "<strong>32 h</strong> logged of 36.8 h planned this month" in html
    assert "<strong>0 h</strong>" not in html
    assert "hours per week × 4.6 weeks (23 working days)" in html
    assert "split across months by working day" in html  # the rule, in its words


@pytest.mark.parametrize(
    ("path", "role", "expected"), [("/initiatives/", "pmm", 6), ("/initiatives/timesheet/", "pmm", 7)]
)
def test_query_counts_stay_flat_in_a_boundary_week(client, cast, team, frozen, path, role, expected):
    """The pinned counts of ``test_query_counts`` hold on 2 December, with time in the week of 30 November."""
    frozen(DEC_2)
    build(3, cast["pmm"], team, DEC, BOUNDARY)
    client.force_login(cast[role])
    small = count(client, path)
    build(30, cast["pmm"], team, DEC, BOUNDARY, first=False)
    large = count(client, path)
    assert (small, large) == (expected, expected)


# --- Status history from creation ---------------------------------------------------------------


def test_creating_an_initiative_records_its_first_status_update(pmm, team):
    initiative = services.initiative_create(
        user=pmm,
        title="Battlecards",
        goal="Win more",
        start_date=NOV,
        target_date=DEC,
        status="at_risk",
    )
    update = StatusUpdate.objects.get(initiative=initiative)
    assert (update.author, update.status, update.message) == (pmm, "at_risk", "Initiative created.")
    assert update.created_at == initiative.created_at


def test_creating_through_the_page_and_the_api_records_it_too(client, api_client, pmm, team):
    client.force_login(pmm)
    form = {"title": "Page", "goal": "Y", "start_date": "2026-11-01", "target_date": "2026-12-31"}
    assert client.post("/initiatives/new/", {**form, "planned_hours_per_week": "4"}).status_code == 302
    api_client.force_login(pmm)
    assert api_client.post("/api/v1/initiatives/", {**form, "title": "API"}, format="json").status_code == 201
    assert sorted(StatusUpdate.objects.values_list("initiative__title", "status")) == [
        ("API", "on_track"),
        ("Page", "on_track"),
    ]


def test_the_backfill_gives_each_initiative_without_updates_its_first(pmm, team):
    """The data migration: one update in the current status, by the owner, when it was created."""
    old = InitiativeFactory(owner=pmm, team=team, status="at_risk")
    followed = InitiativeFactory(owner=pmm, team=team)
    StatusUpdate.objects.create(initiative=followed, author=pmm, status="on_track", message="Kicked off.")
    migration = importlib.import_module("initiatives.migrations.0003_status_history_from_creation")

    migration.backfill(apps, None)
    migration.backfill(apps, None)  # a second run adds nothing

    update = StatusUpdate.objects.get(initiative=old)
    assert (update.author, update.status, update.message, update.created_at) == (
        pmm,
        "at_risk",
        "Initiative created.",
        Initiative.objects.get(pk=old.pk).created_at,
    )
    assert list(followed.status_updates.values_list("message", flat=True)) == ["Kicked off."]
