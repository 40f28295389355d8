"""In a real browser: a PM and a PMM answer a diagnostic round (the rows save as they go, the second
one with the keyboard only), the CMO closes it and sees the responsibility they disagree on
flagged as blurred (issue 15)."""

import pytest
from playwright.sync_api import Page, expect

from diagnostics import services
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pm_and_a_pmm_answer_and_the_cmo_sees_a_blurred_responsibility(
    page: Page, live_server, cmo, pmm, pm, team
):
    round = services.round_open(actor=cmo, team=team, title="Q3 diagnostic", participants=[pm, pmm])
    total = round.items.count()
    messaging = round.items.get(name="Messaging")
    personas = round.items.get(name="Buyer personas")

    sign_in(page, "pm")
    page.goto("/diagnostics/")
    page.get_by_role("link", name="Answer “Q3 diagnostic”").click()
    expect(page.get_by_text(f"0 of {total} answered")).to_be_visible()
    row = page.locator(f"#item-{messaging.pk}")
    row.locator(f"label[for=owner-{messaging.pk}-pm]").click()
    expect(page.locator(f"#item-{messaging.pk}-status")).to_contain_text("give a score")
    row.locator(f"label[for=score-{messaging.pk}-3]").click()
    expect(page.locator(f"#item-{messaging.pk}-status")).to_contain_text("Saved")
    expect(page.get_by_text(f"1 of {total} answered")).to_be_visible()
    row = page.locator(f"#item-{personas.pk}")
    row.locator(f"label[for=owner-{personas.pk}-pmm]").click()
    row.locator(f"label[for=score-{personas.pk}-4]").click()
    expect(page.get_by_text(f"2 of {total} answered")).to_be_visible()
    page.reload()  # saved for real
    expect(page.get_by_text(f"2 of {total} answered")).to_be_visible()

    sign_in(page, "pmm")
    page.goto(f"/diagnostics/rounds/{round.pk}/answer/")
    expect(page.get_by_text(f"0 of {total} answered")).to_be_visible()  # the PM's answers are not shown
    page.locator(f"#owner-{messaging.pk}-pmm").focus()
    page.keyboard.press("Space")
    page.locator(f"#score-{messaging.pk}-2").focus()
    page.keyboard.press("Space")
    expect(page.locator(f"#item-{messaging.pk}-status")).to_contain_text("Saved")
    page.locator(f"#comment-{messaging.pk}").fill("We rewrite it for every campaign.")
    page.keyboard.press("Tab")
    expect(page.get_by_text(f"1 of {total} answered")).to_be_visible()
    page.goto(f"/diagnostics/rounds/{round.pk}/")
    expect(page.get_by_text("Conversation guide")).to_have_count(0)

    sign_in(page, "cmo")
    page.goto(f"/diagnostics/rounds/{round.pk}/")
    expect(page.get_by_role("row", name=f"{pm.display_name} Product management 2 of {total}")).to_be_visible()
    page.get_by_role("button", name="Close the round and show the results").click()
    expect(page.get_by_text("Round closed: everyone in it now sees the results.")).to_be_visible()
    guide = page.locator(f"#guide-{messaging.pk}")
    expect(guide).to_contain_text("Messaging")
    expect(guide).to_contain_text("Blurred")
    expect(page.get_by_text("We rewrite it for every campaign.")).to_be_visible()
    expect(page.get_by_role("heading", name="Messaging")).to_be_visible()
