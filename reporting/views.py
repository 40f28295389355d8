"""Reporting pages: the team dashboard and the monthly review reports (thin: parse, call, render)."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import View

from launches import selectors as launch_selectors
from pmm_portal.core import figures
from pmm_portal.core.dates import add_months, today_in
from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.lists import filtered_page
from pmm_portal.core.models import Team
from pmm_portal.core.pages import CachedPageMixin
from pmm_portal.core.permissions import PMM_AND_CMO, RoleRequiredMixin

from . import exports, permissions, presenters, selectors, services
from .filters import ReportFilter
from .forms import ALL_TEAMS, DashboardFilterForm, ReportRequestForm, SendReportForm, SummaryForm
from .models import MonthlyReport, ReportStatus


def _dashboard_scope(request: AuthenticatedHttpRequest) -> tuple[DashboardFilterForm, list[Team], dt.date]:
    """The teams and month the dashboard shows, from the query string.

    Defaults: all teams, and ``selectors.default_month`` (last month while the team
    is still closing it, in the first working days of a month).
    """
    user = request.user
    visible = permissions.teams_visible_to(user)
    form = DashboardFilterForm(request.GET or None, teams=visible)
    teams = list(visible)
    month = selectors.default_month(teams=teams)
    if form.is_valid():
        slug = form.cleaned_data.get("team") or ALL_TEAMS
        if slug != ALL_TEAMS:
            teams = [team for team in teams if team.slug == slug]
        month = form.cleaned_data.get("month") or month
    return form, teams, month


class DashboardView(RoleRequiredMixin, CachedPageMixin, View):
    """``/reporting/``: the CMO's dashboard of their teams; a PMM sees their own team, their row highlighted."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form, teams, month = _dashboard_scope(request)
        this_month = today_in(teams[0] if teams else None).replace(day=1)
        team_param = request.GET.get("team", "")
        context: dict[str, Any] = {
            "form": form,
            "month": month,
            "has_teams": bool(teams),
            "this_month": this_month,
            "team_param": team_param,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1) if month < this_month else None,
            # Opened on last month by default while it is being closed: offer the month so far.
            "closing_month": not request.GET.get("month") and month < this_month,
        }
        if teams:
            # The month shown, not the one typed: exports follow the page even after a fallback.
            context["query"] = urlencode(
                {**({"team": team_param} if team_param else {}), "month": f"{month:%Y-%m}"}
            )
            context["show_csv"] = True

        def body() -> str:
            if teams:
                data = selectors.current_dashboard(teams=teams, month=month)
                context.update(presenters.dashboard_context(data, viewer=request.user))
                context["asked_about"] = selectors.asked_about(user=request.user, teams=teams)
                context["launch_card"] = launch_selectors.dashboard_card(
                    user=request.user, teams=teams, today=today_in(teams[0])
                )
            return render_to_string("reporting/_dashboard_body.html", context)

        # The body is the same for every view of these teams and month by this viewer (their
        # row is highlighted) until something counted changes: rendered once per change.
        context["dashboard_body"] = figures.cached(
            "dashboard_body",
            teams=teams,
            parts=[month, request.user.pk, request.GET.urlencode()],
            compute=body,
        )
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(context["dashboard_body"])
        return render(request, "reporting/dashboard.html", context)


class DashboardCsvView(RoleRequiredMixin, View):
    """The dashboard's tables (people, time split, weekly requests, requests by type, deflection) as CSV."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest, table: str) -> HttpResponse:
        _, teams, month = _dashboard_scope(request)
        data = selectors.current_dashboard(teams=teams, month=month) if teams else None
        return exports.dashboard_csv(data, table=table, month=month)


class ReportListView(RoleRequiredMixin, View):
    """``/reporting/reports/``: every report the user may read, and the form to produce one."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return self.render(request, self.request_form(request))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = self.request_form(request, data=request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        report = services.report_request(
            team=form.cleaned_data["team"],
            month=form.cleaned_data["month"],
            user=request.user,
        )
        messages.success(request, f"The report for {report} is being produced. It appears here when ready.")
        return redirect("reporting:report", report.pk)

    def request_form(self, request: AuthenticatedHttpRequest, data: Any = None) -> ReportRequestForm:
        teams = permissions.teams_visible_to(request.user)
        return ReportRequestForm(data, teams=teams, today=today_in(teams.first()))

    def render(
        self, request: AuthenticatedHttpRequest, form: ReportRequestForm, status: int = 200
    ) -> HttpResponse:
        reports = permissions.visible_to(request.user).select_related("team")
        context = filtered_page(request, ReportFilter, reports, default_sort="-month", page_size=20)
        context.update(
            form=form,
            list_url=reverse("reporting:reports"),
            list_aside=True,
            table_caption="Monthly review reports",
            search_placeholder="Team or summary",
            filtered_empty_title="No report matches these filters",
            filtered_empty_text="Clear the search or pick another team or status.",
        )
        return render(request, "reporting/reports.html", context, status=status)


def _send_form(report: MonthlyReport, data: Any = None) -> SendReportForm:
    return SendReportForm(
        data,
        people=selectors.report_audience(team=report.team),
        max_recipients=services.MAX_SEND_RECIPIENTS,
    )


def _report_context(request: AuthenticatedHttpRequest, report: MonthlyReport) -> dict[str, Any]:
    user = request.user
    return {
        "report": report,
        "can_edit_summary": permissions.can_act_on_report(user, report, "edit_summary"),
        "summary_form": SummaryForm(initial={"summary": report.summary}),
        "send_form": _send_form(report),
        "versions": selectors.report_versions(report=report),
        "sendings": selectors.report_sendings(report=report),
        **(presenters.report_context(report.data, viewer=user) if report.data else {}),
    }


class ReportDetailView(RoleRequiredMixin, View):
    """A report, readable in the browser. While it is produced, the page follows the worker."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk)
        return render(request, "reporting/report_detail.html", _report_context(request, report))


class ReportStatusView(RoleRequiredMixin, View):
    """HTMX: the report's progress while the worker runs, then the report itself, without a reload."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk)
        return render(request, "reporting/_report_live.html", _report_context(request, report))


class ReportRegenerateView(RoleRequiredMixin, View):
    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk, action="regenerate")
        report = services.report_request(team=report.team, month=report.month, user=request.user)
        if request.htmx:  # type: ignore[attr-defined]
            report = permissions.access_report(user=request.user, id=pk)
            return render(request, "reporting/_report_live.html", _report_context(request, report))
        messages.success(request, "The report is being regenerated with today's data.")
        return redirect("reporting:report", report.pk)


class ReportSummaryView(RoleRequiredMixin, View):
    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk, action="edit_summary")
        form = SummaryForm(request.POST)
        if not form.is_valid():
            context = _report_context(request, report) | {"summary_form": form}
            return render(request, "reporting/report_detail.html", context, status=400)
        services.report_update_summary(report=report, user=request.user, summary=form.cleaned_data["summary"])
        messages.success(request, "Summary saved. It is part of the report and its PDF from now on.")
        return redirect("reporting:report", report.pk)


class ReportSendView(RoleRequiredMixin, View):
    """ "Send to…": mail the report (PDF attached, or a link) to the people picked; listed on the report."""

    allowed_roles = PMM_AND_CMO

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk, action="send")
        form = _send_form(report, data=request.POST)
        if form.is_valid():
            try:
                sending = services.report_send(
                    report=report,
                    user=request.user,
                    recipients=form.cleaned_data["recipients"],
                    message=form.cleaned_data["message"],
                    attach_pdf=form.cleaned_data["attach_pdf"],
                )
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                count = len(sending.recipients)
                messages.success(
                    request,
                    f"Version {sending.version} is on its way to {count} {'person' if count == 1 else 'people'}.",
                )
                return redirect(reverse("reporting:report", args=[report.pk]) + "#sendings")
        context = _report_context(request, report) | {"send_form": form}
        return render(request, "reporting/report_detail.html", context, status=400)


class ReportPdfView(RoleRequiredMixin, View):
    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk)
        if report.status != ReportStatus.READY and not report.data:
            messages.info(request, "The PDF is available once the report is ready.")
            return redirect("reporting:report", report.pk)
        return exports.report_pdf_response(report)


class ReportCsvView(RoleRequiredMixin, View):
    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk)
        return exports.report_csv_all(report)


class ReportXlsxView(RoleRequiredMixin, View):
    """The report as a workbook, one sheet per table."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk)
        return exports.report_xlsx_response(report)


class ReportTableCsvView(RoleRequiredMixin, View):
    """One table of the report as CSV (``exports.REPORT_TABLES``); an unknown table is not found."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: AuthenticatedHttpRequest, pk: int, table: str) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk)
        if table not in exports.REPORT_TABLES:
            raise Http404("No such table.")
        return exports.report_csv_response(report, table)
