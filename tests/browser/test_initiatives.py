"""A PMM's month in a real browser: plan three initiatives, be refused a fourth, log a week, close the review with a win."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from initiatives.models import FocusSlot, MonthlyReview, Win
from pmm_portal.core.dates import add_months, month_start, week_start
from tests.factories import TEST_PASSWORD, FocusSlotFactory, InitiativeFactory
from timesheets.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="My plan").first).to_be_visible()


def create_initiative(page: Page, title: str, focus: bool) -> None:
    page.goto("/initiatives/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Goal").fill(f"{title}: sales can use it without calling us.")
    page.get_by_label("Planned hours per week").fill("6")
    if focus:
        page.get_by_label("Add it to my top 3 this month").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_a_pmms_month(page: Page, live_server, pmm, team, product) -> None:
    today = timezone.now().astimezone(team.zone).date()
    month = month_start(today)
    last_month = add_months(month, -1)
    briefing = InitiativeFactory(owner=pmm, team=team, title="Analyst briefing", start_date=last_month)
    FocusSlotFactory(initiative=briefing, month=last_month, rank=1)

    sign_in(page, "pmm")

    # Plan three initiatives, then be refused a fourth in place.
    for title in ("Competitive battlecards", "Persona refresh", "Launch kit"):
        create_initiative(page, title, focus=True)
    create_initiative(page, "Website revamp", focus=False)
    page.goto("/initiatives/")
    board = page.locator("#plan-board")
    expect(board.locator(".focus-item")).to_have_count(3)
    board.locator(".backlog-item", has_text="Website revamp").get_by_role(
        "button", name="Add to top 3"
    ).click()
    expect(board.get_by_role("alert")).to_contain_text("move one to the backlog first")
    expect(board.locator(".focus-item")).to_have_count(3)
    assert FocusSlot.objects.filter(owner=pmm, month=month).count() == 3

    # Log the week: Enter jumps from one line's hours to the next (Tab also visits each note),
    # watch the total, save.
    page.get_by_role("link", name="Log time").click()
    expect(page.get_by_role("heading", name="Timesheet")).to_be_visible()
    first = page.get_by_label(re.compile(r"^#1 Competitive battlecards"))
    first.fill("10")
    hours_in_order = ["6", "5", "4", "3", "8", "2"]  # #2, #3, requests, customer, meetings, other
    if week_start(today) < month:
        # A week that began last month also offers last month's top 3 (here the analyst briefing).
        hours_in_order.insert(2, "0")
    for hours in hours_in_order:
        page.keyboard.press("Enter")
        page.keyboard.type(hours)
    expect(page.locator("#ts-total")).to_have_text("38")
    page.get_by_role("button", name="Save week").click()
    expect(page.get_by_text("Saved the week of")).to_be_visible()
    assert sum(e.hours for e in TimeEntry.objects.filter(user=pmm, week_start=week_start(today))) == 38

    # Close last month's review with a win.
    page.goto("/")
    page.get_by_role("link", name="Start the review").click()
    expect(page.get_by_role("heading", name=f"{last_month:%B %Y} review")).to_be_visible()
    page.get_by_label("Analyst briefing", exact=True).select_option("done")
    page.get_by_label("What was tried, and what it taught you").fill("Briefing early beat briefing polished.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("link", name="Record a win").click()
    page.get_by_label("Title").fill("Analyst report names us a leader")
    page.get_by_label("Impact").fill("Three inbound enterprise leads cite the report.")
    page.get_by_role("button", name="Save win").click()
    expect(page.get_by_text("Analyst report names us a leader")).to_be_visible()
    expect(page.get_by_label("Rank 1")).to_have_value(
        str(FocusSlot.objects.get(owner=pmm, month=month, rank=1).initiative_id)
    )
    page.get_by_role("button", name="Submit and lock").click()
    expect(page.get_by_text(f"{last_month:%B} is closed")).to_be_visible()

    review = MonthlyReview.objects.get(owner=pmm, month=last_month)
    assert review.is_locked
    assert review.outcomes.get().outcome == "done"
    assert Win.objects.get(owner=pmm).date == datetime.date.fromisoformat(f"{last_month:%Y-%m}-01")
    briefing.refresh_from_db()
    assert briefing.status == "done"
