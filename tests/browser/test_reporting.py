"""A CMO opens the dashboard, switches month and team, opens a report, regenerates it, downloads the PDF."""

import pytest
from playwright.sync_api import Page, expect

from reporting.models import MonthlyReport
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
    expect(page.locator("#dashboard-body h2")).to_contain_text("October 2026")
    # All the CMO's teams: 34 of 95 hours on top-3 initiatives.
    expect(page.locator("#dashboard-body")).to_contain_text("36 %")
    page.get_by_label("Team", exact=True).select_option("core-platform")
    expect(page.locator("#dashboard-body h2")).to_have_text("Core Platform — October 2026")
    expect(page.locator("#dashboard-body")).to_contain_text("52 %")  # 34 of 65
    assert "team=core-platform" in page.url

    # Open the report, regenerate it, and see the new version without a reload.
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="October 2026").first.click()
    expect(page.get_by_role("heading", name="Monthly review · October 2026")).to_be_visible()
    expect(page.locator("#report-live")).to_contain_text("Version 1")
    page.get_by_role("button", name="Regenerate").click()
    expect(page.locator("#report-live")).to_contain_text("Version 2")
    expect(page.locator("#report-live")).to_contain_text("Acme renewal")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == "monthly-review-core-platform-2026-10-v2.pdf"
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
