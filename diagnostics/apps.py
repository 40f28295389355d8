from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    """The functional diagnostic: a team's responsibilities matrix (PM, PMM, shared) and rounds that assess it."""

    name = "diagnostics"
    verbose_name = "Functional diagnostic"
    default_auto_field = "django.db.models.BigAutoField"
