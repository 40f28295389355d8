"""What browser tests share: signing in as one of the cast."""

from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD


def sign_in(page: Page, username: str) -> None:
    """Sign in as ``username`` through the login page (signing out whoever was in) and land home."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
