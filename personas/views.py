"""Persona pages."""

from django.views.generic import TemplateView

from pmm_portal.core.permissions import EVERYONE, RoleRequiredMixin


class PersonaListView(RoleRequiredMixin, TemplateView):
    """``/personas/``: everyone signed in reads personas."""

    allowed_roles = EVERYONE
    template_name = "personas/index.html"
