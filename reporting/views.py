"""Reporting pages: the team dashboard and the monthly review reports (thin: parse, call, render)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from pmm_portal.core.dates import today_in
from pmm_portal.core.models import Team, User
from pmm_portal.core.permissions import PMM_AND_CMO, RoleRequiredMixin

from . import exports, permissions, presenters, selectors, services
from .forms import ALL_TEAMS, DashboardFilterForm, ReportRequestForm, SummaryForm
from .models import MonthlyReport, ReportStatus


def _dashboard_scope(request: HttpRequest) -> tuple[DashboardFilterForm, list[Team], dt.date]:
    """The teams and month the dashboard shows, from the query string (defaults: all teams, this month)."""
    user: User = request.user  # type: ignore[assignment]
    visible = permissions.teams_visible_to(user)
    form = DashboardFilterForm(request.GET or None, teams=visible)
    teams = list(visible)
    month = today_in(teams[0] if teams else None).replace(day=1)
    if form.is_valid():
        slug = form.cleaned_data.get("team") or ALL_TEAMS
        if slug != ALL_TEAMS:
            teams = [team for team in teams if team.slug == slug]
        month = form.cleaned_data.get("month") or month
    return form, teams, month


class DashboardView(RoleRequiredMixin, TemplateView):
    """``/reporting/``: the CMO's dashboard of their teams; a PMM sees their own team, their row highlighted."""

    allowed_roles = PMM_AND_CMO

    def get_template_names(self) -> list[str]:
        if self.request.htmx:  # type: ignore[attr-defined]
            return ["reporting/_dashboard_body.html"]
        return ["reporting/dashboard.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form, teams, month = _dashboard_scope(self.request)
        context.update(form=form, month=month, has_teams=bool(teams))
        if teams:
            data = selectors.dashboard(teams=teams, month=month)
            context.update(presenters.dashboard_context(data, viewer=self.request.user))  # type: ignore[arg-type]
            context["query"] = self.request.GET.urlencode()
            context["show_csv"] = True
        return context


class DashboardCsvView(RoleRequiredMixin, View):
    """The dashboard's tables (people, time split, weekly requests, requests by type) as CSV."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: HttpRequest, table: str) -> HttpResponse:
        _, teams, month = _dashboard_scope(request)
        data = selectors.dashboard(teams=teams, month=month) if teams else None
        return exports.dashboard_csv(data, table=table, month=month)


class ReportListView(RoleRequiredMixin, View):
    """``/reporting/reports/``: every report the user may read, and the form to produce one."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, self.request_form(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.request_form(request, data=request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        report = services.report_request(
            team=form.cleaned_data["team"],
            month=form.cleaned_data["month"],
            user=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, f"The report for {report} is being produced. It appears here when ready.")
        return redirect("reporting:report", report.pk)

    def request_form(self, request: HttpRequest, data: Any = None) -> ReportRequestForm:
        teams = permissions.teams_visible_to(request.user)  # type: ignore[arg-type]
        return ReportRequestForm(data, teams=teams, today=today_in(teams.first()))

    def render(self, request: HttpRequest, form: ReportRequestForm, status: int = 200) -> HttpResponse:
        reports = permissions.visible_to(request.user).select_related("team")  # type: ignore[arg-type]
        query = request.GET.get("q", "").strip()
        if query:
            reports = reports.filter(Q(team__name__icontains=query) | Q(summary__icontains=query))
        team = request.GET.get("team", "")
        if team:
            reports = reports.filter(team__slug=team)
        status_filter = request.GET.get("status", "")
        if status_filter in ReportStatus.values:
            reports = reports.filter(status=status_filter)
        sort = request.GET.get("sort", "-month")
        ordering = {
            "-month": ["-month", "team__name"],
            "month": ["month", "team__name"],
            "team": ["team__name", "-month"],
        }
        reports = reports.order_by(*ordering.get(sort, ordering["-month"]))
        page = Paginator(reports, 20).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "form": form,
            "teams": form.fields["team"].queryset,  # type: ignore[attr-defined]
            "statuses": ReportStatus.choices,
            "filters": {"q": query, "team": team, "status": status_filter, "sort": sort},
            "filter_query": _without_page(request),
        }
        return render(request, "reporting/reports.html", context, status=status)


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _report_context(request: HttpRequest, report: MonthlyReport) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    return {
        "report": report,
        "can_edit_summary": permissions.can(user, report, "edit_summary"),
        "summary_form": SummaryForm(initial={"summary": report.summary}),
        **(presenters.report_context(report.data, viewer=user) if report.data else {}),
    }


class ReportDetailView(RoleRequiredMixin, View):
    """A report, readable in the browser. While it is produced, the page follows the worker."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk)  # type: ignore[arg-type]
        return render(request, "reporting/report_detail.html", _report_context(request, report))


class ReportStatusView(RoleRequiredMixin, View):
    """HTMX: the report's progress while the worker runs, then the report itself, without a reload."""

    allowed_roles = PMM_AND_CMO

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk)  # type: ignore[arg-type]
        return render(request, "reporting/_report_live.html", _report_context(request, report))


class ReportRegenerateView(RoleRequiredMixin, View):
    allowed_roles = PMM_AND_CMO

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk, action="regenerate")  # type: ignore[arg-type]
        report = services.report_request(team=report.team, month=report.month, user=request.user)  # type: ignore[arg-type]
        if request.htmx:  # type: ignore[attr-defined]
            report = permissions.access_report(user=request.user, id=pk)  # type: ignore[arg-type]
            return render(request, "reporting/_report_live.html", _report_context(request, report))
        messages.success(request, "The report is being regenerated with today's data.")
        return redirect("reporting:report", report.pk)


class ReportSummaryView(RoleRequiredMixin, View):
    allowed_roles = PMM_AND_CMO

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk, action="edit_summary")  # type: ignore[arg-type]
        form = SummaryForm(request.POST)
        if not form.is_valid():
            context = _report_context(request, report) | {"summary_form": form}
            return render(request, "reporting/report_detail.html", context, status=400)
        services.report_update_summary(report=report, user=request.user, summary=form.cleaned_data["summary"])  # type: ignore[arg-type]
        messages.success(request, "Summary saved. It is part of the report and its PDF from now on.")
        return redirect("reporting:report", report.pk)


class ReportPdfView(RoleRequiredMixin, View):
    allowed_roles = PMM_AND_CMO

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk)  # type: ignore[arg-type]
        if report.status != ReportStatus.READY and not report.data:
            messages.info(request, "The PDF is available once the report is ready.")
            return redirect("reporting:report", report.pk)
        html = render_to_string(
            "reporting/report_pdf.html", _report_context(request, report), request=request
        )
        return exports.pdf_response(
            html,
            filename=exports.report_filename(report, "pdf"),
            base_url=request.build_absolute_uri(reverse("home")),
        )


class ReportCsvView(RoleRequiredMixin, View):
    allowed_roles = PMM_AND_CMO

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = permissions.access_report(user=request.user, id=pk)  # type: ignore[arg-type]
        return exports.report_csv(report)
