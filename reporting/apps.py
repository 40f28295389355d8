from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """The CMO dashboard and the monthly review reports."""

    name = "reporting"
    verbose_name = "Reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import freshness

        freshness.register()
