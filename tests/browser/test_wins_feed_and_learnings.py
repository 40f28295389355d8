"""In a real browser: a PMM promotes a win and logs a learning; a rep reads the win in the feed.
Every page on the way has no serious accessibility violation (axe-core, WCAG 2.1 AA)."""

import pytest
from playwright.sync_api import Page, expect

from initiatives.models import Learning
from tests.browser.helpers import sign_in
from tests.browser.test_accessibility import violations
from tests.factories import InitiativeFactory, WinFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_promoted_win_reaches_sales_and_a_learning_reaches_the_log(
    page: Page, live_server, sales_rep, pmm, cmo, team
):
    initiative = InitiativeFactory(owner=pmm, team=team, title="Battlecards vs Globex")
    win = WinFactory(owner=pmm, team=team, initiative=initiative, title="Won Globex after the battlecard")
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        problems = violations(page)
        if problems:
            found[name] = problems

    sign_in(page, "pmm")
    page.goto("/initiatives/wins/")
    page.get_by_role("link", name="Promote").click()
    check("promote form")
    page.get_by_label("Headline for sales").fill("Lead with the objection: it wins deals")
    page.get_by_role("button", name="Promote").click()
    expect(page.get_by_role("button", name="Send by email")).to_be_visible()

    page.goto(f"/initiatives/learnings/new/?initiative={initiative.pk}")
    check("learning form")
    page.get_by_label("Title").fill("Objection-first battlecard")
    page.get_by_label("Hypothesis").fill("Reps open a card that starts with the objection.")
    page.get_by_label("What was tried").fill("Two versions, one per region.")
    page.get_by_label("Result", exact=True).select_option("confirmed")
    page.get_by_label("Lesson").fill("Open every card with the objection.")
    page.get_by_role("button", name="Save learning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Objection-first battlecard")
    check("learning page")
    assert Learning.objects.get().initiative == initiative
    page.goto("/initiatives/learnings/")
    check("learning log")
    page.goto(f"/initiatives/{initiative.pk}/")
    expect(page.get_by_role("link", name="Objection-first battlecard")).to_be_visible()

    sign_in(page, "sales")
    page.get_by_role("link", name="Wins feed").click()
    expect(page.get_by_role("heading", name=win.title)).to_be_visible()
    expect(page.get_by_text("Lead with the objection: it wins deals")).to_be_visible()
    check("wins feed (sales)")
    assert not found, "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in found.items())
