"""A PMM builds a buyer persona from a customer conversation; a salesperson reads the card."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def sign_out(page: Page, display_name: str) -> None:
    page.get_by_role("banner").get_by_role("button", name=display_name).click()
    page.get_by_role("button", name="Sign out").click()


def test_pmm_evidences_and_validates_a_buyer_persona_that_sales_then_reads(
    page: Page, pmm, sales_rep, product
):
    sign_in(page, "pmm")

    # Create the buyer persona.
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Personas").click()
    page.get_by_role("link", name="New buyer persona").click()
    page.get_by_label("Name", exact=True).fill("Cautious CFO")
    page.get_by_label("Goals").fill("Predictable spend")
    page.get_by_label("Role in the purchase").select_option(label="Economic buyer")
    page.get_by_label("Atlas").check()
    page.get_by_label("Objection").first.fill("Too expensive")
    page.get_by_label("How to answer it").first.fill("Show the three-year TCO study")
    page.get_by_role("button", name="Save persona").click()
    expect(page.get_by_role("heading", level=1, name="Cautious CFO")).to_be_visible()
    expect(page.locator(".persona-card-header").get_by_text("Draft", exact=True)).to_be_visible()

    # Log an interaction with a quote linked to it.
    page.get_by_role("link", name="Log interaction").click()
    page.get_by_label("Account").fill("Globex Bank")
    page.get_by_label("Kind").select_option(label="Win/loss review")
    page.locator("#id_quotes-0-text").fill("Your pricing was the only one our CFO understood.")
    page.locator("#id_quotes-0-speaker_role").fill("VP Finance")
    page.locator("#id_quotes-0-persona").select_option(label="Cautious CFO")
    page.locator("#id_quotes-0-usable_in_sales").check()
    page.locator("#id_follow_ups-0-description").fill("Send the TCO study")
    page.locator("#id_follow_ups-0-due_on").fill("2030-01-15")
    page.get_by_role("button", name="Save interaction").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Win/loss review with Globex Bank")
    expect(page.get_by_text("Your pricing was the only one our CFO understood.")).to_be_visible()

    # Add a second quote in place (HTMX), then validate the persona.
    page.locator("#id_quote-text").fill("We stayed with the incumbent for two years too long.")
    page.locator("#id_quote-persona").select_option(label="Cautious CFO")
    page.get_by_role("button", name="Add quote").click()
    expect(page.locator("#quote-list")).to_contain_text("two years too long")
    page.get_by_role("link", name="Cautious CFO").first.click()
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_role("status").filter(has_text="is validated")).to_be_visible()
    expect(page.locator(".persona-card-header").get_by_text("Validated", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"validated .* by Priya Mehta"))).to_be_visible()

    # The follow-up waits on the PMM's home page and is ticked off in place.
    page.goto("/")
    page.get_by_role("button", name="Mark done: Send the TCO study").click()
    expect(page.get_by_role("button", name="Reopen: Send the TCO study")).to_be_visible()
    sign_out(page, pmm.display_name)

    # A salesperson opens the card and sees the quote cleared for sales, not the internal one.
    sign_in(page, "sales")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Personas").click()
    page.get_by_role("link", name="Cautious CFO").click()
    card = page.get_by_role("article")
    expect(card.get_by_text("Your pricing was the only one our CFO understood.")).to_be_visible()
    expect(card.get_by_text("VP Finance", exact=False)).to_be_visible()
    expect(card.get_by_text("two years too long")).to_have_count(0)
    expect(card.get_by_text("Too expensive")).to_be_visible()
    expect(card.get_by_text("Show the three-year TCO study")).to_be_visible()
    expect(card.get_by_role("button", name="Validate")).to_have_count(0)
