"""On a 390 px phone, as sales: the request form shows what already exists right under the title while
typing, the request is sent, My requests shows its status, a persona card reads, and nothing scrolls
sideways (issue 13)."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from requests_queue.models import Request, RequestStatus
from tests.browser.helpers import sign_in
from tests.factories import AssetFactory, PersonaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_sales_submit_and_follow_a_request_on_a_phone(page: Page, live_server, sales_rep, pmm, product, team):
    AssetFactory(team=team, owner=pmm, title="Northwind battlecard", products=[product])
    persona = PersonaFactory(
        team=team, owner=pmm, name="Finance approver", status="validated", last_validated_at=timezone.now()
    )
    page.set_viewport_size(PHONE)
    sign_in(page, "sales")
    no_sideways_scroll(page)
    page.goto("/requests/new/")
    title = page.get_by_label("What do you need?")
    title.fill("northwind battlecard")
    jump = page.get_by_role("link", name="1 possible answer already exists: see before you send")
    expect(jump).to_be_visible()
    # Right under the title, before the next field: seen while typing, not below the Send button.
    title_box, jump_box = title.bounding_box(), jump.bounding_box()
    type_box = page.get_by_label("Type of help").bounding_box()
    assert title_box
    assert jump_box
    assert type_box
    assert title_box["y"] < jump_box["y"] < type_box["y"]
    no_sideways_scroll(page)

    page.get_by_label("Type of help").select_option("competitive_intel")
    page.get_by_label("Product").select_option(str(product.pk))
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My requests")
    request = Request.objects.get()
    row = page.locator("tr", has_text="northwind battlecard")
    expect(row).to_contain_text("New")
    assert request.status == RequestStatus.NEW
    no_sideways_scroll(page)

    page.goto(f"/personas/{persona.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Finance approver")
    no_sideways_scroll(page)
