"""Request pages: the sales form, the requester's list and the PMM queue."""

from django.views.generic import TemplateView

from pmm_portal.core.models import Role
from pmm_portal.core.permissions import PMM_AND_CMO, RoleRequiredMixin


class NewRequestView(RoleRequiredMixin, TemplateView):
    """``/requests/new/``: sales ask product marketing for help."""

    allowed_roles = (Role.SALES,)
    template_name = "requests_queue/new.html"


class MyRequestsView(RoleRequiredMixin, TemplateView):
    """``/requests/mine/``: a salesperson follows their own requests."""

    allowed_roles = (Role.SALES,)
    template_name = "requests_queue/mine.html"


class QueueView(RoleRequiredMixin, TemplateView):
    """``/requests/``: PMMs work their team's queue; the CMO watches it."""

    allowed_roles = PMM_AND_CMO
    template_name = "requests_queue/index.html"
