"""Initiative pages."""

from django.views.generic import TemplateView

from pmm_portal.core.permissions import MARKETING, RoleRequiredMixin


class PlanView(RoleRequiredMixin, TemplateView):
    """``/initiatives/``: a PMM's plan; PMs and the CMO read the team's."""

    allowed_roles = MARKETING
    template_name = "initiatives/index.html"
