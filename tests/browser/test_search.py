"""In a real browser: a PMM presses "/", searches with a typo, reads the grouped results and opens one."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD, AssetFactory, InitiativeFactory, RequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_a_pmm_searches_from_the_keyboard_and_opens_a_result(
    page: Page, live_server, pmm, sales_rep, product, team
) -> None:
    asset = AssetFactory(
        title="Northwind battlecard",
        description="How Atlas wins against Northwind on price and on integrations.",
        team=team,
        owner=pmm,
        products=[product],
    )
    RequestFactory(requester=sales_rep, product=product, title="Northwind pricing questions")
    InitiativeFactory(owner=pmm, team=team, title="Northwind displacement programme")

    sign_in(page, "pmm")
    box = page.get_by_role("banner").get_by_role("searchbox", name="Search everything")
    expect(box).to_have_attribute("placeholder", "Search everything (press /)")
    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type("northwnd")  # the typo is forgiven
    expect(box).to_have_value("northwnd")
    page.keyboard.press("Escape")
    expect(box).not_to_be_focused()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url("/search/?q=northwnd")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    main = page.get_by_role("main")
    for label in ("Assets", "Requests", "Initiatives"):
        expect(main.get_by_role("heading", level=2, name=label)).to_be_visible()
    assets = page.get_by_role("region", name="Assets")
    expect(assets.locator("mark").first).to_have_text("Northwind")
    expect(assets.get_by_text("against Northwind on price")).to_be_visible()
    # On this page "/" goes to the page's own box (selecting the question, to type another);
    # typing "/" in it types a slash.
    page.keyboard.press("/")
    page_box = main.get_by_role("searchbox", name="Search everything")
    expect(page_box).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type("/")
    expect(page_box).to_have_value("northwnd/")

    # A kind alone, then back to everything.
    page.get_by_role("navigation", name="Kinds of results").get_by_role("link", name="Initiatives").click()
    expect(page.get_by_role("region", name="Initiatives")).to_be_visible()
    expect(page.get_by_role("region", name="Assets")).to_have_count(0)
    page.get_by_role("navigation", name="Kinds of results").get_by_role("link", name="All").click()

    # Phones: the top bar has a search button, the page does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("region", name="Assets")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/")
    expect(page.get_by_role("banner").get_by_role("link", name="Search everything")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})
    page.go_back()

    page.get_by_role("region", name="Assets").get_by_role("link", name="Northwind battlecard").click()
    expect(page).to_have_url(asset.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind battlecard")
