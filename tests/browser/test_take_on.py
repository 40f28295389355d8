"""In a real browser: a PMM takes a new request on and delivers it without leaving the queue,
in four actions (issue 13: it took 17 clicks over 5 pages)."""

import pytest
from playwright.sync_api import Page, expect

from requests_queue.models import Asset, Request, RequestEvent, RequestStatus
from tests.browser.helpers import sign_in
from tests.factories import RequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_request_is_delivered_from_the_queue_in_four_actions(
    page: Page, live_server, sales_rep, pmm, product
):
    request = RequestFactory(
        requester=sales_rep, product=product, team=product.team, title="Objection handling for Northwind"
    )
    RequestEvent.objects.all().update(notify=False)
    sign_in(page, "pmm")
    page.goto("/requests/")
    row = page.locator(f"#rq-{request.pk}")
    actions = 0

    row.get_by_text("Take it on").click()  # 1: opens the scores (the request has none yet)
    actions += 1
    row.get_by_label("Reusability").select_option("5")
    row.get_by_label("Educational value").select_option("3")
    row.get_by_label("Effort (hours)").fill("2")
    row.get_by_role("button", name="Start now").click()  # 2
    actions += 1
    expect(row).to_contain_text("Yours, started")
    expect(row).to_contain_text("In progress")

    row.get_by_text("Deliver", exact=True).first.click()  # 3: the delivery form, publish ticked (scored 5)
    actions += 1
    expect(row.get_by_label("Publish to the asset library")).to_be_checked()
    row.get_by_label("Link to what you deliver").fill("https://drive.example.com/northwind-objections")
    row.get_by_role("button", name="Deliver", exact=True).click()  # 4
    actions += 1
    expect(row).to_contain_text("Delivered and published to the asset library")
    expect(row).to_contain_text("Delivered")
    assert page.url == f"{live_server.url}/requests/"  # never left the queue
    assert actions <= 4

    request.refresh_from_db()
    assert (request.status, request.assignee) == (RequestStatus.DELIVERED, pmm)
    assert Asset.objects.filter(source_request=request, title="Objection handling for Northwind").exists()


def test_a_scored_request_is_taken_on_with_one_click_and_focus_stays_on_the_row(
    page: Page, live_server, sales_rep, pmm, product
):
    request = RequestFactory(
        requester=sales_rep,
        product=product,
        team=product.team,
        title="Pricing slide for Initech",
        status=RequestStatus.TRIAGED,
        reusability=2,
        educational_value=2,
    )
    RequestEvent.objects.all().update(notify=False)
    sign_in(page, "pmm")
    page.goto("/requests/")
    row = page.locator(f"#rq-{request.pk}")
    row.get_by_role("button", name=f"Take it on: #{request.pk}, claim it and start now").click()
    expect(row).to_contain_text("Yours, started")
    # The next step is where the keyboard is: Enter opens the delivery form.
    expect(row.locator("summary[data-step]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(row.get_by_label("Link to what you deliver")).to_be_visible()
    expect(row.get_by_label("Publish to the asset library")).not_to_be_checked()  # scored 2: one-off
    assert Request.objects.get(pk=request.pk).status == RequestStatus.IN_PROGRESS
    # A mistaken click is taken back from the row, within a few seconds.
    row.get_by_role("button", name=f"Undo the step on #{request.pk}").click()
    expect(row).to_contain_text("Undone: as it was.")
    expect(
        row.get_by_role("button", name=f"Take it on: #{request.pk}, claim it and start now")
    ).to_be_visible()
    assert Request.objects.get(pk=request.pk).status == RequestStatus.TRIAGED


def test_five_requests_are_snoozed_in_one_step(page: Page, live_server, sales_rep, pmm, product):
    requests = [
        RequestFactory(requester=sales_rep, product=product, team=product.team, title=f"Deck number {n}")
        for n in range(5)
    ]
    RequestEvent.objects.all().update(notify=False)
    sign_in(page, "pmm")
    page.goto("/requests/")
    for request in requests:
        page.get_by_label(f"Select #{request.pk}", exact=True).check()
    expect(page.locator("[data-bulk-count]")).to_have_text("5 selected")
    bulk = page.get_by_role("form", name="Bulk triage")
    bulk.get_by_label("With the selected").select_option("snooze")
    expect(bulk.get_by_label("Assignee")).to_be_hidden()  # only the step's own field shows
    bulk.get_by_label("Until").fill("2099-01-15")
    bulk.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Snoozed until 15 Jan: 5 requests")).to_be_visible()
    assert set(Request.objects.values_list("status", flat=True)) == {RequestStatus.SNOOZED}
    # A mistaken bulk step is taken back in one click, within a few seconds.
    page.get_by_role("button", name="Undo the step on 5 requests").click()
    expect(page.get_by_text("Undone: 5 requests as they were")).to_be_visible()
    assert set(Request.objects.values_list("status", flat=True)) == {RequestStatus.NEW}


def test_walk_the_queue_and_take_one_on_with_the_keyboard_only(
    page: Page, live_server, sales_rep, pmm, product
):
    first, second = (
        RequestFactory(
            requester=sales_rep,
            product=product,
            team=product.team,
            title=title,
            status=RequestStatus.TRIAGED,
            reusability=3,
            educational_value=3,
            priority=priority,
        )
        for title, priority in (("Battlecard for Initech", 40), ("Email for the webinar", 30))
    )
    RequestEvent.objects.all().update(notify=False)
    sign_in(page, "pmm")
    page.goto("/requests/")
    page.keyboard.press("?")
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("tr.rq-current")).to_have_attribute("id", f"rq-{second.pk}")
    page.keyboard.press("k")
    expect(page.locator("tr.rq-current")).to_have_attribute("id", f"rq-{first.pk}")
    page.keyboard.press("x")
    expect(page.locator("[data-bulk-count]")).to_have_text("1 selected")
    page.keyboard.press("c")
    row = page.locator(f"#rq-{first.pk}")
    expect(row).to_contain_text("Yours, started")
    assert Request.objects.get(pk=first.pk).assignee == pmm
    assert Request.objects.get(pk=second.pk).assignee is None


def test_accept_snooze_and_duplicate_from_the_keyboard_without_leaving_the_queue_with_undo(
    page: Page, live_server, sales_rep, pmm, product
):
    scored = {
        "status": RequestStatus.TRIAGED,
        "reusability": 3,
        "educational_value": 3,
        "effort_hours": 2,
        "assignee": None,
    }
    first, second, third = (
        RequestFactory(
            requester=sales_rep, product=product, team=product.team, title=title, priority=priority, **scored
        )
        for title, priority in (
            ("Battlecard for Initech", 40),
            ("Webinar follow-up email", 30),
            ("Initech battlecard, again", 20),
        )
    )
    RequestEvent.objects.all().update(notify=False)
    sign_in(page, "pmm")
    page.goto("/requests/")
    dialog = page.get_by_role("dialog", name="Decide on")

    # a: the decide dialog opens on accept, the PMM and the rep's date filled in: Enter.
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(dialog.get_by_label("Assignee")).to_be_focused()
    expect(dialog.get_by_label("Snooze until")).to_be_hidden()  # only the chosen decision's fields
    page.keyboard.press("Enter")
    row = page.locator(f"#rq-{first.pk}")
    expect(row).to_contain_text("Accepted and assigned to Priya Mehta")
    expect(dialog).to_be_hidden()
    expect(row.get_by_role("link", name="Battlecard for Initech")).to_be_focused()  # j/k go on from here
    assert Request.objects.get(pk=first.pk).assignee == pmm
    row.get_by_role("button", name=f"Undo the step on #{first.pk}").click()
    expect(row).to_contain_text("Undone: as it was.")
    assert Request.objects.get(pk=first.pk).assignee is None

    # Esc closes a dialog opened by mistake, the keyboard back on its row; s snoozes a week.
    page.keyboard.press("j")
    expect(page.locator("tr.rq-current")).to_have_attribute("id", f"rq-{second.pk}")
    page.keyboard.press("a")
    expect(dialog.get_by_label("Assignee")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    row = page.locator(f"#rq-{second.pk}")
    expect(row.get_by_role("link", name="Webinar follow-up email")).to_be_focused()
    page.keyboard.press("s")
    expect(dialog.get_by_label("Snooze until")).to_be_focused()
    page.keyboard.press("Enter")
    expect(row).to_contain_text("Snoozed until")
    expect(dialog).to_be_hidden()
    assert Request.objects.get(pk=second.pk).status == RequestStatus.SNOOZED

    # d: the original is searched by its words, never typed from memory.
    expect(row.get_by_role("link", name="Webinar follow-up email")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator("tr.rq-current")).to_have_attribute("id", f"rq-{third.pk}")
    page.keyboard.press("d")
    expect(dialog.locator(".ts-control input")).to_be_focused()
    page.keyboard.type("Battlecard for")
    dialog.get_by_role("option", name=f"#{first.pk} Battlecard for Initech").first.click()
    dialog.get_by_role("button", name="Apply").click()
    row = page.locator(f"#rq-{third.pk}")
    expect(row).to_contain_text(f"Marked as a duplicate of #{first.pk}")
    assert Request.objects.get(pk=third.pk).duplicate_of_id == first.pk

    # A refusal comes back in the dialog, what to fix focused.
    row = page.locator(f"#rq-{first.pk}")
    row.get_by_role("link", name=f"Decide on #{first.pk}: accept, snooze, duplicate, decline or ask").click()
    dialog.get_by_label("Decision").select_option("decline")
    dialog.get_by_role("button", name="Apply").click()
    expect(dialog).to_contain_text("Offer an alternative")
    expect(dialog.get_by_label("Alternative you offer")).to_be_focused()
