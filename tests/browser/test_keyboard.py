"""Keyboard only (issue 13): reordering the top 3 keeps focus on the button just pressed; every
timesheet note is reached with Tab."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from initiatives.models import FocusSlot
from pmm_portal.core.dates import month_start
from tests.browser.helpers import sign_in
from tests.factories import FocusSlotFactory, InitiativeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_moving_an_initiative_up_keeps_focus_on_its_button(page: Page, live_server, pmm, team):
    month = month_start(timezone.localdate())
    titles = ["Launch kit", "Analyst briefing", "Win/loss interviews"]
    for rank, title in enumerate(titles, start=1):
        FocusSlotFactory(
            initiative=InitiativeFactory(owner=pmm, team=team, title=title), month=month, rank=rank
        )
    sign_in(page, "pmm")
    page.goto("/initiatives/")
    third = page.get_by_role("form", name="Reorder Win/loss interviews")
    third.get_by_role("button", name="Move up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#plan-board li").nth(1)).to_contain_text("Win/loss interviews")
    # The board was drawn again: focus is back on the same initiative's "Move up" (once settled).
    moved = page.get_by_role("form", name="Reorder Win/loss interviews")
    expect(moved.get_by_role("button", name="Move up")).to_be_focused()
    page.keyboard.press("Enter")  # again, without looking for the button
    expect(page.locator("#plan-board li").first).to_contain_text("Win/loss interviews")
    slot = FocusSlot.objects.get(initiative__title="Win/loss interviews", month=month)
    assert slot.rank == 1


def test_tab_reaches_each_timesheet_note(page: Page, live_server, pmm, team):
    sign_in(page, "pmm")
    page.goto("/initiatives/timesheet/")
    hours = page.locator(".ts-hours").first
    hours.focus()
    page.keyboard.press("Tab")
    note_id = page.evaluate("document.activeElement.id")
    assert note_id.startswith("note-")
    page.keyboard.type("Customer calls for the Initech deal")
    expect(page.locator(f"#{note_id}")).to_have_value("Customer calls for the Initech deal")
