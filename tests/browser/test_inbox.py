"""In a real browser: a mention reaches a colleague's bell; the inbox opens it, marks it read in place,
and works on a phone without sideways scrolling."""

import pytest
from playwright.sync_api import Page, expect

from requests_queue import services
from requests_queue.models import RequestEvent
from tests.browser.helpers import sign_in
from tests.factories import RequestFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mention_rings_the_bell_and_is_read_in_the_inbox(
    page: Page, live_server, sales_rep, pmm, product, team
):
    colleague = UserFactory(username="jane", role="pmm", first_name="Jane", last_name="Doe")
    team.members.add(colleague)
    request = RequestFactory(requester=sales_rep, product=product, team=team, title="Acme pricing slide")
    RequestEvent.objects.all().update(notify=False)
    services.request_comment(request=request, actor=pmm, body="@jane can you check the discount table?")
    services.request_comment(request=request, actor=pmm, body="Thanks, all fixed.")

    sign_in(page, "jane")
    bell = page.locator("#topbar-bell")
    expect(bell).to_have_attribute("aria-label", "Inbox, 1 unread")
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    row = page.locator("tr.rq-unread")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Priya Mehta mentioned you on “Acme pricing slide”")
    expect(row).to_contain_text("can you check the discount table?")

    row.get_by_role("button", name="Mark read").click()
    expect(page.locator("tr.rq-unread")).to_have_count(0)
    expect(bell).to_have_attribute("aria-label", "Inbox")

    page.get_by_role("link", name="Priya Mehta mentioned you on “Acme pricing slide”").click()
    expect(page).to_have_url(f"{live_server.url}/requests/{request.pk}/#conversation")
    expect(page.locator("#conversation")).to_contain_text("can you check the discount table?")


def test_the_inbox_fits_a_phone(page: Page, live_server, sales_rep, pmm, product, team):
    request = RequestFactory(requester=sales_rep, product=product, team=team, title="Security questionnaire")
    RequestEvent.objects.all().update(notify=False)
    services.request_comment(
        request=request, actor=pmm, body="Which version of the questionnaire do they use?"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "sales")
    page.goto("/inbox/")
    expect(page.locator("tr.rq-unread")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
