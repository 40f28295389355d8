"""In a real browser: reuse before create. A rep types a question as reps do (a typo, "battle card"
in two words), sees the library's answer first with the words that matched highlighted, says "This
answers my question", and the CMO's deflection rate moves. A PMM marks a likely duplicate in a click."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from requests_queue.models import Request, RequestStatus
from tests.browser.helpers import sign_in
from tests.factories import AssetFactory, ProductFactory, RequestFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = RequestStatus


def deflection_tile(page: Page) -> str:
    slug = Request.objects.values_list("team__slug", flat=True).first()
    page.goto(f"/reporting/?team={slug}&month={timezone.localdate():%Y-%m}")
    return page.locator(".card", has_text="Deflected before the queue").first.inner_text()


def test_a_rep_finds_the_answer_first_and_the_deflection_rate_moves(
    page: Page, live_server, sales_rep, pmm, cmo, product, team
) -> None:
    edge = ProductFactory(name="Atlas Edge", slug="atlas-edge", team=team)
    for title in ("Atlas Edge vs Contoso battlecard", "Atlas Edge pricing and packaging guide"):
        AssetFactory(title=title, team=team, owner=pmm, products=[edge])
    AssetFactory(
        title="Atlas Edge vs Northwind battlecard",
        description="Why we win against Northwind: integrations, total cost, the objections.",
        team=team,
        owner=pmm,
        products=[edge],
    )
    # A month with one request already received: the deflection rate starts at 0 %.
    RequestFactory(requester=sales_rep, product=product, title="Customer reference in retail")

    sign_in(page, "cmo")
    assert "0 %" in deflection_tile(page)

    sign_in(page, "sales")
    page.goto("/requests/new/")
    page.get_by_label("What do you need?").press_sequentially("need nw battle card for atlas edg", delay=15)
    first = page.locator("#suggestions .rq-suggestion").first
    expect(first).to_contain_text("Atlas Edge vs Northwind battlecard")
    title = first.get_by_role("link", name="Atlas Edge vs Northwind battlecard")
    expect(title.locator("mark", has_text="Northwind")).to_be_visible()  # why it matched
    expect(title.locator("mark", has_text="battlecard")).to_be_visible()
    page.get_by_label("Product").select_option(label="Atlas Edge")
    first.get_by_role("button", name="This answers my question").click()
    expect(page.get_by_role("alert").first).to_contain_text("answers it")
    answered = Request.objects.get(self_served=True)
    assert answered.reused_asset.title == "Atlas Edge vs Northwind battlecard"

    sign_in(page, "cmo")
    tile = deflection_tile(page)
    assert "50 %" in tile  # one of two would-be requests answered before the queue
    assert "1 of 2" in tile


def test_a_pmm_marks_a_likely_duplicate_in_one_click(
    page: Page, live_server, sales_rep, pmm, product
) -> None:
    other_rep = UserFactory(role="sales", username="other_rep")
    original = RequestFactory(
        requester=other_rep,
        product=product,
        title="Security questionnaire answers for Initech Bank",
        status=S.TRIAGED,
        reusability=4,
        educational_value=3,
        assignee=pmm,
        due_date=timezone.localdate(),
    )
    RequestFactory(requester=sales_rep, product=product, title="Unrelated: retail customer reference")
    duplicate = RequestFactory(
        requester=sales_rep,
        product=product,
        title="Initech Bank security questionaire",
        opportunity_value=90_000,
    )

    sign_in(page, "pmm")
    page.goto(f"/requests/{duplicate.pk}/")
    likely = page.locator("#likely-duplicates")
    expect(likely.locator("li").first).to_contain_text("Security questionnaire answers for Initech Bank")
    expect(likely).not_to_contain_text("retail customer reference")
    likely.locator("li").first.get_by_role("button", name=re.compile("^Duplicate of this")).click()
    expect(page.get_by_role("alert").first).to_contain_text(re.compile(rf"duplicate of #{original.pk}"))
    duplicate.refresh_from_db()
    assert duplicate.status == S.DUPLICATE
    assert duplicate.duplicate_of_id == original.pk
    # The requester follows the original, with their deal.
    follow = original.follows.get(user=sales_rep)
    assert follow.opportunity_value == 90_000
