"""In a real browser: a PMM starts a launch from the team's template, marks an item done in one click,
and a late PM item shows on the launch page and on the CMO's dashboard (issue 15)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from launches.models import Launch, LaunchItem
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pmm_starts_a_launch_marks_an_item_done_and_a_late_pm_item_shows(
    page: Page, live_server, pmm, pm, cmo, product, team
):
    launch_on = timezone.localdate() + dt.timedelta(days=21)  # the PM's earliest items are already due

    sign_in(page, "pmm")
    page.goto("/launches/")
    page.get_by_role("link", name="Start a launch").click()
    page.get_by_label("Name").fill("Atlas 5")
    page.get_by_label("Launch date").fill(launch_on.isoformat())
    page.get_by_label("Tier 1: major").check()
    page.get_by_role("button", name="Start the launch").click()
    expect(page.get_by_role("heading", name="Atlas 5", level=1)).to_be_visible()
    expect(page.get_by_text("Launch started with 12 items")).to_be_visible()

    launch = Launch.objects.get(name="Atlas 5")
    datasheet = LaunchItem.objects.get(launch=launch, title="Datasheet")
    page.get_by_label("Status of Datasheet").select_option("done")
    expect(page.locator("#launch-summary [data-figure='done']")).to_have_text("1")
    datasheet.refresh_from_db()
    assert datasheet.status == "done"

    late = LaunchItem.objects.get(launch=launch, title="Regular cadence of updates (PMO)")
    assert late.due_on < timezone.localdate()
    assert late.owner == pm
    attention = page.get_by_role("region", name="Needs attention")
    expect(attention.get_by_text("Regular cadence of updates (PMO)")).to_be_visible()
    expect(page.locator(f"#item-{late.pk}").get_by_text("Late")).to_be_visible()

    sign_in(page, "cmo")
    page.goto(f"/reporting/?month={timezone.localdate():%Y-%m}")
    card = page.get_by_role("region", name="Launches in the next 6 weeks")
    expect(card.get_by_role("link", name="Atlas 5")).to_be_visible()
    expect(card.locator("[data-late-side='pm_owes_pmm'] strong")).not_to_have_text("0")

    # On a phone the launch page reads without scrolling sideways (its tables scroll in their box).
    sign_in(page, "pmm")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/launches/{launch.pk}/")
    expect(page.get_by_role("heading", name="Atlas 5", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
