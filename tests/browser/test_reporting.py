"""A CMO opens the dashboard, switches month and team, opens a report, regenerates it, downloads the PDF."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from reporting.models import MonthlyReport, ReportSending
from tests.browser.test_sign_in import sign_in
from tests.factories import TEST_PASSWORD
from tests.reporting.conftest import OCTOBER, october, pmm2  # noqa: F401 (fixtures)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cmo_dashboard_report_regenerate_and_pdf(page: Page, october, cmo, team, other_team):  # noqa: F811
    other_team.lead = cmo
    other_team.save(update_fields=["lead"])
    report = MonthlyReport.objects.create(team=team, month=OCTOBER)
    from reporting import services

    services.report_generate(report_id=report.pk)

    sign_in(page, "cmo", TEST_PASSWORD)
    page.goto("/reporting/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # Switch month, then team, in place (HTMX), and the address follows for sharing.
    page.get_by_label("Month", exact=True).fill("2026-10")
    page.get_by_label("Month", exact=True).dispatch_event("change")
    expect(page.locator("#dashboard-body h2").first).to_contain_text("October 2026")
    # All the CMO's teams: 34 of 95 hours on top-3 initiatives.
    expect(page.locator("#dashboard-body")).to_contain_text("36 %")
    page.get_by_label("Team", exact=True).select_option("core-platform")
    expect(page.locator("#dashboard-body h2").first).to_have_text("Core Platform — October 2026")
    expect(page.locator("#dashboard-body")).to_contain_text("52 %")  # 34 of 65
    assert "team=core-platform" in page.url

    # Open the report, regenerate it, and see the new version without a reload.
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="October 2026").first.click()
    expect(page.get_by_role("heading", name="Monthly review · October 2026")).to_be_visible()
    expect(page.locator("#report-live")).to_contain_text("Version 1")
    # Nothing in October changed: regenerating confirms the figures and keeps version 1.
    page.get_by_role("button", name="Regenerate").click()
    expect(page.locator("#report-live")).to_contain_text("no change since version 1")
    expect(page.locator("#report-live")).to_contain_text("Acme renewal")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=True).first.click()
    assert download.value.suggested_filename == "monthly-review-core-platform-2026-10-v1.pdf"
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cmo_on_the_2nd_sees_last_month_steps_back_and_sends_the_report(
    page: Page,
    monkeypatch,
    october,  # noqa: F811
    cmo,
    pmm,
    team,
):
    """On 2 November 2026 the dashboard opens on October (complete), not an empty November."""
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
    from reporting import services

    services.report_produce_now(team=team, month=dt.date(2026, 9, 1), mail=False)
    mail.outbox.clear()

    sign_in(page, "cmo", TEST_PASSWORD)
    page.goto("/reporting/")
    expect(page.locator("#dashboard-body h2").first).to_contain_text("October 2026")
    expect(page.get_by_label("Month", exact=True)).to_have_value("2026-10")
    expect(page.locator("#dashboard-body")).to_contain_text("November so far")
    expect(page.locator("#dashboard-body")).to_contain_text("52 %")  # 34 of 65 h on top-3 initiatives

    page.get_by_role("link", name="Previous month").click()
    expect(page.locator("#dashboard-body h2").first).to_contain_text("September 2026")
    expect(page.get_by_label("Month", exact=True)).to_have_value("2026-09")
    assert "month=2026-09" in page.url

    # The September report, sent on to the PMM and the board.
    page.goto("/reporting/reports/")
    page.get_by_role("link", name="September 2026").first.click()
    page.get_by_role("link", name="Send to…").click()
    page.get_by_label(f"{pmm.display_name} ({pmm.email})").check()
    page.get_by_label("Other email addresses").fill("board@example.com")
    page.get_by_label("Message").fill("Ahead of Monday's review.")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_role("status").or_(page.locator(".alert-success")).first).to_contain_text(
        "on its way to 2 people"
    )
    expect(page.locator("#sendings")).to_contain_text("board@example.com")
    sending = ReportSending.objects.get()
    assert sending.recipients == [pmm.email.lower(), "board@example.com"]
    assert sending.status == "sent"
    assert [message.to for message in mail.outbox] == [[pmm.email.lower(), "board@example.com"]]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_report_read_on_a_phone_keeps_every_button_on_screen(page: Page, october, cmo, team):  # noqa: F811
    """At 390 px the report's header buttons (PDF, CSV, Download, Send to…, Print) squeezed into
    one row and pushed Print off the screen: the page scrolled sideways. They wrap now."""
    report = MonthlyReport.objects.create(team=team, month=OCTOBER)
    from reporting import services

    services.report_generate(report_id=report.pk)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "cmo", TEST_PASSWORD)
    page.goto(f"/reporting/reports/{report.pk}/")
    expect(page.get_by_role("heading", name="Monthly review · October 2026")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for name in ("PDF", "CSV", "Send to…", "Print"):
        box = page.get_by_role("link", name=name, exact=True).first.bounding_box()
        assert box is not None, name
        assert box["x"] >= 0, (name, box)
        assert box["x"] + box["width"] <= 390, (name, box)
