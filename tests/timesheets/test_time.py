"""Weekly time: validation, weekly totals, corrections, copy last week, request hours, and plan vs actual."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from initiatives.selectors import plan as initiative_plan
from requests_queue.models import Request
from tests.factories import FocusSlotFactory, InitiativeFactory, MilestoneFactory, TimeEntryFactory
from timesheets import selectors, services
from timesheets.models import TimeCategory, TimeEntry

TODAY = datetime.date(2026, 11, 25)  # a Wednesday
WEEK = datetime.date(2026, 11, 23)  # its Monday
LAST_WEEK = datetime.date(2026, 11, 16)
D = Decimal


def make_request(team, product, requester, title="Battlecard vs Globex"):
    return Request.objects.create(
        requester=requester, team=team, product=product, title=title, needed_by=datetime.date(2026, 12, 1)
    )


def log(user, category, hours, week=WEEK, **links):
    return services.time_entry_set(
        user=user, week_start=week, category=category, hours=D(hours), today=TODAY, **links
    )


def test_hours_are_logged_and_corrected_in_place(pmm, team):
    log(pmm, TimeCategory.MEETINGS, "6")
    log(pmm, TimeCategory.MEETINGS, "4.5")
    entry = TimeEntry.objects.get(user=pmm)
    assert entry.hours == D("4.5")
    assert entry.week_start == WEEK


def test_zero_hours_removes_the_line(pmm, team):
    log(pmm, TimeCategory.OTHER, "3")
    log(pmm, TimeCategory.OTHER, "0")
    assert not TimeEntry.objects.exists()


def test_future_weeks_are_refused(pmm, team):
    with pytest.raises(ValidationError, match="future week"):
        log(pmm, TimeCategory.OTHER, "3", week=WEEK + datetime.timedelta(days=7))


def test_the_current_and_past_weeks_are_accepted(pmm, team):
    log(pmm, TimeCategory.OTHER, "3", week=WEEK)
    log(pmm, TimeCategory.OTHER, "3", week=datetime.date(2025, 1, 6))
    assert TimeEntry.objects.count() == 2


def test_a_week_starts_on_monday(pmm, team):
    with pytest.raises(ValidationError, match="Monday"):
        log(pmm, TimeCategory.OTHER, "3", week=datetime.date(2026, 11, 24))


@pytest.mark.parametrize("hours", ["-1", "80.5", "200"])
def test_hours_stay_within_0_and_80(pmm, team, hours):
    with pytest.raises(ValidationError, match="between 0 and 80"):
        log(pmm, TimeCategory.OTHER, hours)


def test_the_week_total_stays_within_80(pmm, team):
    log(pmm, TimeCategory.MEETINGS, "50")
    log(pmm, TimeCategory.OTHER, "30")
    with pytest.raises(ValidationError, match="81 hours"):
        log(pmm, TimeCategory.CUSTOMER, "1")
    # Correcting a line counts its new hours, not old plus new.
    log(pmm, TimeCategory.MEETINGS, "45")
    log(pmm, TimeCategory.CUSTOMER, "5")
    assert selectors.week_total(user=pmm, week=WEEK) == D("80")


def test_initiative_time_names_one_of_your_initiatives(pmm, other_pmm, team, other_team):
    with pytest.raises(ValidationError, match="which initiative"):
        log(pmm, TimeCategory.INITIATIVE, "3")
    theirs = InitiativeFactory(owner=other_pmm, team=other_team)
    with pytest.raises(ValidationError, match="your own initiatives"):
        log(pmm, TimeCategory.INITIATIVE, "3", initiative=theirs)
    mine = InitiativeFactory(owner=pmm, team=team)
    with pytest.raises(ValidationError, match="Only initiative time"):
        log(pmm, TimeCategory.MEETINGS, "3", initiative=mine)


def test_timesheet_saves_a_whole_week_and_checks_the_total_once(pmm, team):
    mine = InitiativeFactory(owner=pmm, team=team)
    lines = [
        services.TimesheetLine(category=TimeCategory.INITIATIVE, hours=D("20"), initiative=mine),
        services.TimesheetLine(category=TimeCategory.MEETINGS, hours=D("10")),
        services.TimesheetLine(category=TimeCategory.OTHER, hours=D("0")),
    ]
    services.timesheet_save(user=pmm, week=WEEK, lines=lines, today=TODAY)
    assert selectors.week_total(user=pmm, week=WEEK) == D("30")
    too_much = [*lines[:2], services.TimesheetLine(category=TimeCategory.OTHER, hours=D("51"))]
    with pytest.raises(ValidationError, match="81 hours"):
        services.timesheet_save(user=pmm, week=WEEK, lines=too_much, today=TODAY)
    assert selectors.week_total(user=pmm, week=WEEK) == D("30")  # nothing half-saved


def test_copy_last_week_fills_only_missing_lines(pmm, team):
    mine = InitiativeFactory(owner=pmm, team=team)
    done = InitiativeFactory(owner=pmm, team=team, status="done")
    TimeEntryFactory(user=pmm, week_start=LAST_WEEK, category="initiative", initiative=mine, hours=12)
    TimeEntryFactory(user=pmm, week_start=LAST_WEEK, category="initiative", initiative=done, hours=5)
    TimeEntryFactory(user=pmm, week_start=LAST_WEEK, category="meetings", hours=8)
    TimeEntryFactory(user=pmm, week_start=WEEK, category="meetings", hours=3)
    assert services.timesheet_copy_previous(user=pmm, week=WEEK, today=TODAY) == 1
    this_week = dict(TimeEntry.objects.filter(user=pmm, week_start=WEEK).values_list("category", "hours"))
    assert this_week == {"initiative": D("12"), "meetings": D("3")}


def test_request_hours_create_then_increment_the_requests_line(pmm, team, product, sales_rep, this_week):
    request = make_request(team, product, sales_rep)
    first = services.time_entry_add_request_hours(
        user=pmm, request=request, week_start=this_week, hours=D("1.5")
    )
    second = services.time_entry_add_request_hours(
        user=pmm, request=request, week_start=this_week, hours=D("2"), note="call prep"
    )
    assert first.pk == second.pk
    assert second.hours == D("3.5")
    assert second.category == TimeCategory.REQUEST
    assert second.note == "call prep"


def test_request_hours_follow_the_timesheet_rules(pmm, team, product, sales_rep, this_week):
    request = make_request(team, product, sales_rep)
    with pytest.raises(ValidationError, match="future week"):
        services.time_entry_add_request_hours(
            user=pmm, request=request, week_start=this_week + datetime.timedelta(days=7), hours=D("1")
        )
    TimeEntryFactory(user=pmm, week_start=this_week, category="meetings", hours=79)
    with pytest.raises(ValidationError, match="at most 80"):
        services.time_entry_add_request_hours(user=pmm, request=request, week_start=this_week, hours=D("2"))


def test_database_keeps_the_time_rules(pmm, team, product, sales_rep):
    request = make_request(team, product, sales_rep)
    bad_rows = [
        {"category": "other", "hours": D("81")},
        {"category": "other", "hours": D("-1")},
        {"category": "other", "hours": D("2"), "week_start": datetime.date(2026, 11, 24)},
        {"category": "initiative", "hours": D("2")},
        {"category": "meetings", "hours": D("2"), "request": request},
        {"category": "nonsense", "hours": D("2")},
    ]
    for row in bad_rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            TimeEntry.objects.create(user=pmm, **{"week_start": WEEK, **row})
    TimeEntry.objects.create(user=pmm, week_start=WEEK, category="meetings", hours=D("2"))
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.create(user=pmm, week_start=WEEK, category="meetings", hours=D("3"))


def test_time_totals_by_user_and_category_in_one_query(pmm, other_pmm, team, django_assert_num_queries):
    mine = InitiativeFactory(owner=pmm, team=team)
    TimeEntryFactory(
        user=pmm, week_start=datetime.date(2026, 11, 2), category="initiative", initiative=mine, hours=20
    )
    TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 11, 2), category="request", hours=4)
    TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 11, 9), category="request", hours=2)
    TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 11, 9), category="meetings", hours=14)
    TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 10, 26), category="other", hours=40)  # outside
    TimeEntryFactory(user=other_pmm, week_start=datetime.date(2026, 11, 2), category="customer", hours=10)
    with django_assert_num_queries(1):
        totals = selectors.time_totals(
            user_ids=[pmm.pk, other_pmm.pk, 999999],
            start=datetime.date(2026, 11, 1),
            end=datetime.date(2026, 11, 30),
        )
    assert totals[pmm.pk].total == D("40")
    assert totals[pmm.pk].by_category == {"initiative": D("20"), "request": D("6"), "meetings": D("14")}
    assert totals[pmm.pk].one_off_share == D("0.15")
    assert totals[other_pmm.pk].one_off_share == D("0")
    assert totals[999999].total == 0
    assert totals[999999].one_off_share is None


def test_plan_vs_actual_against_hand_computed_figures(pmm, team):
    """November 2026 has 21 working days (it starts on a Sunday and ends on Monday the 30th): 4.2 weeks
    of work, so 8 h/week plans 33.6 h for the month (the old rule counted its five Mondays: 40 h)."""
    battlecards = InitiativeFactory(owner=pmm, team=team, title="Battlecards", planned_hours_per_week=D("8"))
    personas = InitiativeFactory(owner=pmm, team=team, title="Persona refresh", planned_hours_per_week=D("4"))
    InitiativeFactory(owner=pmm, team=team, title="Website revamp")
    FocusSlotFactory(initiative=battlecards, rank=1)
    FocusSlotFactory(initiative=personas, rank=2)
    MilestoneFactory(
        initiative=battlecards, title="Done one", due_date=datetime.date(2026, 11, 5)
    ).__class__.objects.filter(title="Done one").update(
        completed_at=datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC)
    )
    MilestoneFactory(initiative=battlecards, title="Sales review", due_date=datetime.date(2026, 11, 27))
    MilestoneFactory(initiative=battlecards, title="Launch", due_date=datetime.date(2026, 12, 10))
    for week, hours in [(datetime.date(2026, 11, 2), 6), (datetime.date(2026, 11, 9), 9), (WEEK, 5)]:
        TimeEntryFactory(
            user=pmm, week_start=week, category="initiative", initiative=battlecards, hours=hours
        )
    TimeEntryFactory(user=pmm, week_start=WEEK, category="initiative", initiative=personas, hours=D("2.5"))
    TimeEntryFactory(
        user=pmm, week_start=datetime.date(2026, 10, 26), category="initiative", initiative=personas, hours=7
    )  # October's week

    plan = initiative_plan(user=pmm, owner=pmm, month=datetime.date(2026, 11, 1), today=TODAY)

    assert [row.initiative.title for row in plan.focus] == ["Battlecards", "Persona refresh"]
    assert [row.initiative.title for row in plan.backlog] == ["Website revamp"]
    first, second = plan.focus
    # 8 h × 4.2 weeks = 33.6 h planned; 6 + 9 + 5 = 20 h logged, 59 % of plan. The week of 26 October
    # has no working day in November (Friday is the 30th of October): its 7 h count in October only.
    assert (first.rank, first.planned_month, first.logged_month, first.logged_week) == (
        1,
        D("33.6"),
        D("20"),
        D("5"),
    )
    assert first.logged_share == 59
    assert first.next_milestone.title == "Sales review"
    assert (second.planned_month, second.logged_month, second.logged_week) == (D("16.8"), D("2.5"), D("2.5"))
    assert second.next_milestone is None
    assert (plan.planned_week, plan.logged_week) == (D("12"), D("7.5"))


def test_request_hours_go_only_to_requests_of_ones_own_teams(pmm, team, other_team, other_product, sales_rep):
    foreign = make_request(other_team, other_product, sales_rep, title="Another team's ask")
    with pytest.raises(ValidationError, match="requests of your own teams"):
        log(pmm, TimeCategory.REQUEST, "2", request=foreign)
    with pytest.raises(ValidationError, match="requests of your own teams"):
        services.time_entry_add_request_hours(user=pmm, request=foreign, week_start=WEEK, hours=D("2"))
    assert not TimeEntry.objects.exists()


def test_the_timesheet_offers_the_weeks_top_3_through_the_line_source(pmm, team):
    """Timesheets import nothing above them: the initiatives app registers the top 3 as a line source."""
    first = InitiativeFactory(owner=pmm, team=team, title="Battlecards")
    second = InitiativeFactory(owner=pmm, team=team, title="Persona refresh")
    FocusSlotFactory(initiative=second, rank=2, month=datetime.date(2026, 11, 1))
    FocusSlotFactory(initiative=first, rank=1, month=datetime.date(2026, 11, 1))
    labels = [line.label for line in selectors.timesheet(user=pmm, week=WEEK)]
    assert labels[:2] == ["#1 Battlecards", "#2 Persona refresh"]
    assert labels[2:] == ["One-off requests", "Customer time", "Meetings", "Other"]


def test_a_week_spanning_two_months_offers_both_months_top_3(pmm, team):
    """30 November – 6 December 2026: on the 4th, December's new #2 can get time, and November's too."""
    carried = InitiativeFactory(owner=pmm, team=team, title="Battlecards")
    ended = InitiativeFactory(owner=pmm, team=team, title="Launch kit")
    december = InitiativeFactory(owner=pmm, team=team, title="Pricing page")
    FocusSlotFactory(initiative=carried, rank=2, month=datetime.date(2026, 11, 1))
    FocusSlotFactory(initiative=ended, rank=1, month=datetime.date(2026, 11, 1))
    FocusSlotFactory(initiative=carried, rank=1, month=datetime.date(2026, 12, 1))
    FocusSlotFactory(initiative=december, rank=2, month=datetime.date(2026, 12, 1))
    lines = selectors.timesheet(user=pmm, week=datetime.date(2026, 11, 30))
    assert [line.label for line in lines if line.initiative] == [
        "#1 Battlecards",
        "#2 Pricing page (December only)",
        "#1 Launch kit (November only)",
    ]
    services.timesheet_save(
        user=pmm,
        week=datetime.date(2026, 11, 30),
        lines=[services.TimesheetLine(category=TimeCategory.INITIATIVE, hours=D("6"), initiative=december)],
        today=datetime.date(2026, 12, 4),
    )
    assert TimeEntry.objects.get(initiative=december).hours == D("6")


def test_a_week_that_lowers_one_line_and_raises_another_saves(pmm, team):
    """The week's new total is what counts, not each line against the old ones."""
    TimeEntryFactory(user=pmm, week_start=WEEK, category="meetings", hours=60)
    TimeEntryFactory(user=pmm, week_start=WEEK, category="other", hours=10)
    lines = [
        services.TimesheetLine(category=TimeCategory.OTHER, hours=D("50")),  # written first
        services.TimesheetLine(category=TimeCategory.MEETINGS, hours=D("20")),
    ]
    services.timesheet_save(user=pmm, week=WEEK, lines=lines, today=TODAY)
    assert selectors.week_total(user=pmm, week=WEEK) == D("70")


def test_saving_a_week_checks_its_request_lines_in_one_query(
    pmm, team, product, sales_rep, django_assert_max_num_queries
):
    requests = [make_request(team, product, sales_rep, title=f"Ask {n}") for n in range(5)]
    lines = [services.TimesheetLine(category=TimeCategory.REQUEST, hours=D("1"), request=r) for r in requests]
    services.timesheet_save(user=pmm, week=WEEK, lines=lines, today=TODAY)
    TimeEntry.objects.all().delete()
    many = [
        *lines,
        *[
            services.TimesheetLine(category=TimeCategory.REQUEST, hours=D("1"), request=r)
            for r in [make_request(team, product, sales_rep, title=f"More {n}") for n in range(5)]
        ],
    ]
    # savepoint, lock, untouched lines, the one link check, then a read, a write and its
    # history row (the audit log) per line
    with django_assert_max_num_queries(5 + 3 * len(many) + 2):
        services.timesheet_save(user=pmm, week=WEEK, lines=many, today=TODAY)
    assert TimeEntry.objects.count() == 10
