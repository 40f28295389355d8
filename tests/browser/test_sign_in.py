"""Signing in and out through the real pages, in a real browser, for every role."""

import re

import pytest
from playwright.sync_api import Page, expect

from pmm_portal.core.models import User
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGIN_PATH = "/accounts/login/"


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto(LOGIN_PATH)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize(
    ("user_fixture", "shown", "hidden"),
    [
        pytest.param("sales_rep", ["New request", "My requests", "Personas"], ["Request queue"], id="sales"),
        pytest.param("pmm", ["My plan", "Request queue"], ["New request"], id="pmm"),
        pytest.param("pm", ["Personas", "Marketing plan"], ["Request queue"], id="pm"),
        pytest.param("cmo", ["Dashboard", "Team plan"], ["My plan"], id="cmo"),
    ],
)
def test_each_role_signs_in_to_its_home_and_signs_out(
    page: Page, live_server, request: pytest.FixtureRequest, user_fixture: str, shown, hidden
) -> None:
    request.getfixturevalue("product")  # the team, its product and its people, as in real life
    user: User = request.getfixturevalue(user_fixture)

    sign_in(page, user.username, TEST_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.first_name}")
    nav = page.get_by_role("navigation", name="Main navigation")
    for label in shown:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in hidden:
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)

    page.get_by_role("banner").get_by_role("button", name=user.display_name).click()
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    sign_out.click()

    expect(page).to_have_url(f"{live_server.url}/accounts/logout/")
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in again")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main navigation")).to_have_count(0)

    # The session is really over: the home page asks to sign in again.
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}{LOGIN_PATH}") + r"\?next=/$"))


def test_a_wrong_password_shows_the_form_error_and_stays_on_the_sign_in_page(
    page: Page, live_server, pmm: User
) -> None:
    sign_in(page, pmm.username, "not the password")

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    expect(page).to_have_url(f"{live_server.url}{LOGIN_PATH}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value(pmm.username)
    expect(page.get_by_role("navigation", name="Main navigation")).to_have_count(0)
