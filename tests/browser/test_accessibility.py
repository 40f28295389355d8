"""WCAG 2.1 AA in a real browser: axe-core (installed from the npm registry by package-lock.json) over
every page of the navigation, for each role, plus the pages people open most from them (a request's
page with its triage form, a persona card, the request form). Any serious or critical violation fails.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from requests_queue.models import RequestEvent, RequestStatus
from tests.browser.helpers import sign_in
from tests.factories import AssetFactory, InitiativeFactory, PersonaFactory, RequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        WCAG_AA,
    )
    lines = []
    for violation in found:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"][:5]:
            lines.append(
                f"{violation['impact']} {violation['id']}: {' '.join(node['target'])} — "
                f"{node.get('failureSummary', '').splitlines()[-1].strip()}"
            )
    return lines


@pytest.fixture
def world(sales_rep, pmm, cmo, pm, product, team):
    """A little of everything, so no page is only its empty state."""
    persona = PersonaFactory(
        team=team, owner=pmm, name="Finance approver", status="validated", last_validated_at=timezone.now()
    )
    AssetFactory(team=team, owner=pmm, title="Northwind battlecard", products=[product])
    InitiativeFactory(owner=pmm, team=team, title="Launch Atlas Edge in Germany")
    soon = timezone.localdate() + timedelta(days=6)
    from competitive import services as competitive

    rival = competitive.competitor_create(actor=pmm, team=team, name="Northwind", how_we_win="Live in days.")
    card = competitive.battlecard_create(actor=pmm, competitor=rival, quick_dismiss="A fine pilot.")
    competitive.review_create(actor=pmm, team=team, account="Acme", outcome="lost", competitor=rival)
    new = RequestFactory(
        requester=sales_rep, product=product, team=team, title="Deck for the CFO", needed_by=soon
    )
    RequestFactory(
        requester=sales_rep,
        product=product,
        team=team,
        title="Pricing slide for Initech",
        status=RequestStatus.IN_PROGRESS,
        assignee=pmm,
        reusability=4,
        educational_value=3,
        needed_by=soon,
    )
    RequestEvent.objects.all().update(notify=False)
    return {"request": new, "persona": persona, "competitor": rival, "battlecard": card}


def nav_paths(page: Page) -> list[str]:
    links = page.locator(".app-nav a.nav-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return list(dict.fromkeys(path for path in links if path and path.startswith("/")))


@pytest.mark.parametrize("role", ["sales", "pmm", "cmo", "pm"])
def test_every_page_of_the_navigation_has_no_serious_accessibility_violation(
    page: Page, live_server, world, role
):
    sign_in(page, role)
    extra = {
        "sales": [
            "/requests/new/",
            f"/requests/{world['request'].pk}/",
            f"/personas/{world['persona'].pk}/",
            f"/competitors/{world['competitor'].pk}/",
            f"/competitors/battlecards/{world['battlecard'].pk}/",
        ],
        "pmm": [
            f"/requests/{world['request'].pk}/",
            f"/personas/{world['persona'].pk}/",
            "/inbox/preferences/",
            f"/competitors/{world['competitor'].pk}/",
            "/competitors/win-loss/",
            "/competitors/win-loss/new/",
            f"/competitors/{world['competitor'].pk}/battlecards/new/",
        ],
        "cmo": [
            f"/requests/{world['request'].pk}/",
            "/competitors/win-loss/",
            "/competitors/win-loss/reasons/",
        ],
        "pm": [f"/personas/{world['persona'].pk}/"],
    }[role]
    found: dict[str, list[str]] = {}
    for path in [*nav_paths(page), "/inbox/", *extra]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        problems = violations(page)
        if problems:
            found[path] = problems
    assert not found, "\n".join(f"{path}:\n  " + "\n  ".join(lines) for path, lines in found.items())


def test_the_queue_s_decide_dialog_and_a_step_s_undo_have_no_serious_violation(
    page: Page, live_server, world
):
    sign_in(page, "pmm")
    page.goto("/requests/")
    page.keyboard.press("j")
    page.keyboard.press("a")
    dialog = page.get_by_role("dialog", name="Decide on")
    expect(dialog.get_by_label("Reusability")).to_be_focused()  # a new request: its scores first
    opened = violations(page)
    dialog.get_by_label("Reusability").select_option("3")
    dialog.get_by_label("Educational value").select_option("3")
    dialog.get_by_label("Effort estimate (hours)").fill("2")
    dialog.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("button", name=f"Undo the step on #{world['request'].pk}")).to_be_visible()
    assert not opened + violations(page), "\n".join(opened)
