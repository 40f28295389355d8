from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Requests by email: a team's request address turns messages into requests and replies into comments."""

    name = "intake"
    verbose_name = "Email intake"
    default_auto_field = "django.db.models.BigAutoField"
