"""In a real browser: a rep goes from their request to how to beat the competitor it names, and a
PMM records a lost deal that moves that competitor's win rate (issue 14)."""

import pytest
from playwright.sync_api import Page, expect

from competitive import services
from competitive.models import Outcome
from requests_queue.models import RequestEvent
from tests.browser.helpers import sign_in
from tests.factories import RequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_opens_the_competitor_from_a_request_and_a_lost_deal_moves_the_win_rate(
    page: Page, live_server, sales_rep, pmm, product, team
):
    northwind = services.competitor_create(
        actor=pmm,
        team=team,
        name="Northwind",
        aliases="NW",
        how_we_win="Live in days with the integrations you already use.",
        landmines="Ask how long their last integration project took.",
    )
    services.battlecard_create(
        actor=pmm, competitor=northwind, quick_dismiss="A fine pilot; we are built for the rollout."
    )
    services.review_create(actor=pmm, team=team, account="Acme", outcome=Outcome.WON, competitor=northwind)
    request = RequestFactory(
        requester=sales_rep, product=product, team=team, title="Battlecard for Initrode", competitor="nw"
    )
    RequestEvent.objects.all().update(notify=False)

    sign_in(page, "sales")
    page.goto(f"/requests/{request.pk}/")
    page.get_by_role("link", name="How to beat nw").click()
    expect(page.get_by_role("heading", name="Northwind", level=1)).to_be_visible()
    expect(page.get_by_text("Live in days with the integrations you already use.")).to_be_visible()
    expect(page.get_by_text("Reviewed deals against")).to_have_count(0)  # deals stay with marketing
    page.get_by_role("link", name="For every buyer").click()
    expect(page.get_by_role("heading", name="Battlecard: vs Northwind")).to_be_visible()
    expect(page.get_by_text("A fine pilot; we are built for the rollout.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, "pmm")
    page.goto(northwind.get_absolute_url())
    expect(page.locator("#record-title + p .stat-value")).to_have_text("100 %")
    page.get_by_role("link", name="Record a deal").click()
    page.get_by_label("Account").fill("Initrode")
    page.get_by_label("Lost", exact=True).check()
    page.get_by_label("Deal value").fill("120000")
    page.get_by_label("Stage lost at").select_option("proposal")
    page.get_by_label("Price", exact=True).check()
    page.get_by_label("Buyer quote").fill("Cheaper, and good enough for now.")
    page.get_by_role("button", name="Record the deal").click()
    expect(page.get_by_text("Recorded the lost deal with Initrode.")).to_be_visible()
    expect(page.get_by_role("row", name="Northwind 2 50 %")).to_be_visible()
    page.goto(northwind.get_absolute_url())
    expect(page.locator("#record-title + p .stat-value")).to_have_text("50 %")
