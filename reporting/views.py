"""Reporting pages: the team dashboard and the monthly review reports."""

from django.views.generic import TemplateView

from pmm_portal.core.permissions import PMM_AND_CMO, RoleRequiredMixin


class DashboardView(RoleRequiredMixin, TemplateView):
    """``/reporting/``: the CMO's dashboard; PMMs see their own team's."""

    allowed_roles = PMM_AND_CMO
    template_name = "reporting/index.html"


class ReportListView(RoleRequiredMixin, TemplateView):
    """``/reporting/reports/``: the monthly review reports."""

    allowed_roles = PMM_AND_CMO
    template_name = "reporting/reports.html"
