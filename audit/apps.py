from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log: every change of every business object, and who read the log."""

    name = "audit"
    verbose_name = "Audit log"
    default_auto_field = "django.db.models.BigAutoField"
