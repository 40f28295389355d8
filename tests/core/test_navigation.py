"""Each role's navigation, and every page in it answering right for every role."""

import pytest

from pmm_portal.core.navigation import NAV_ITEMS

# Who may open each page in the navigation. Everyone else signed in gets 403;
# anonymous visitors are sent to sign in.
PAGE_ACCESS = {
    "/": {"sales", "pmm", "pm", "cmo", "admin"},
    "/requests/new/": {"sales", "admin"},
    "/requests/mine/": {"sales", "admin"},
    "/initiatives/": {"pmm", "pm", "cmo", "admin"},
    "/initiatives/timesheet/": {"pmm", "admin"},
    "/requests/": {"pmm", "cmo", "admin"},
    "/requests/assets/": {"sales", "pmm", "pm", "cmo", "admin"},
    "/initiatives/wins/feed/": {"sales", "pmm", "pm", "cmo", "admin"},
    "/personas/": {"sales", "pmm", "pm", "cmo", "admin"},
    "/competitors/": {"sales", "pmm", "pm", "cmo", "admin"},
    "/launches/": {"sales", "pmm", "pm", "cmo", "admin"},
    "/diagnostics/": {"sales", "pmm", "pm", "cmo", "admin"},
    "/reporting/": {"pmm", "cmo", "admin"},
    "/reporting/reports/": {"pmm", "cmo", "admin"},
    "/audit/": {"cmo", "admin"},
    "/integrations/": {"cmo", "admin"},
    "/imports/": {"pmm", "pm", "cmo", "admin"},
}
ROLES = ["sales", "pmm", "pm", "cmo", "admin"]

NAV_LABELS = {
    "sales": [
        "Home",
        "New request",
        "My requests",
        "Asset library",
        "Wins feed",
        "Personas",
        "Competitors",
        "Diagnostic",
        "Launches",
    ],
    "pmm": [
        "Home",
        "My plan",
        "Timesheet",
        "Request queue",
        "Asset library",
        "Wins feed",
        "Personas",
        "Competitors",
        "Diagnostic",
        "Launches",
        "Dashboard",
        "Reports",
        "Imports",
    ],
    "pm": [
        "Home",
        "Marketing plan",
        "Asset library",
        "Wins feed",
        "Personas",
        "Competitors",
        "Diagnostic",
        "Launches",
        "Imports",
    ],
    "cmo": [
        "Home",
        "Team plan",
        "Request queue",
        "Asset library",
        "Wins feed",
        "Personas",
        "Competitors",
        "Diagnostic",
        "Launches",
        "Dashboard",
        "Reports",
        "Imports",
        "Integrations",
        "Audit log",
    ],
}


def nav_labels(html: str) -> list[str]:
    import re

    menu = html.split('class="nav flex-column app-nav"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"\s+", " ", label).strip() for label in re.findall(r"</i>\s*([^<]+?)\s*</a>", menu)]


def test_every_navigation_entry_is_in_the_access_table():
    from django.urls import reverse

    assert {reverse(item.url_name) for item in NAV_ITEMS} == set(PAGE_ACCESS)


@pytest.mark.parametrize("role", ["sales", "pmm", "pm", "cmo"])
def test_navigation_fits_the_role(client, cast, role):
    client.force_login(cast[role])
    assert nav_labels(client.get("/").content.decode()) == NAV_LABELS[role]


def test_admin_sees_every_page_and_the_administration(client, cast):
    client.force_login(cast["admin"])
    labels = nav_labels(client.get("/").content.decode())
    assert len(labels) == len(NAV_ITEMS) + 1
    assert labels[-1] == "Administration"


@pytest.mark.parametrize("path", list(PAGE_ACCESS))
@pytest.mark.parametrize("role", ROLES)
def test_page_answers_by_role(client, cast, path, role):
    client.force_login(cast[role])
    response = client.get(path)
    expected = 200 if role in PAGE_ACCESS[path] else 403
    assert response.status_code == expected


@pytest.mark.parametrize("path", list(PAGE_ACCESS))
def test_anonymous_is_sent_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", ROLES)
def test_every_link_in_the_menu_opens(client, cast, role):
    """No dead ends: whatever the menu offers a role, that role may open."""
    client.force_login(cast[role])
    html = client.get("/").content.decode()
    menu = html.split('class="nav flex-column app-nav"', 1)[1].split("</ul>", 1)[0]
    import re

    for href in re.findall(r'href="([^"]+)"', menu):
        response = client.get(href)
        assert response.status_code == 200, href


def test_forbidden_page_says_what_to_do(client, cast):
    client.force_login(cast["sales"])
    response = client.get("/reporting/")
    assert response.status_code == 403
    assert "Go to my home page" in response.content.decode()


def test_unknown_page_is_a_friendly_404(client, cast):
    client.force_login(cast["pmm"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_an_htmx_read_after_the_session_ended_swaps_nothing(client):
    """The bell polls every minute: a signed-out answer must not put the sign-in page in the top bar."""
    response = client.get("/inbox/bell/", HTTP_HX_REQUEST="true")
    assert (response.status_code, response.content) == (204, b"")


def test_an_htmx_step_after_the_session_ended_sends_the_page_to_sign_in(client):
    response = client.post(
        "/requests/1/take-on/",
        {"in": "queue"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/requests/?status=new",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Frequests%2F%3Fstatus%3Dnew"
