from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    """The monthly top-3 plan, weekly time, monthly reviews and wins."""

    name = "initiatives"
    verbose_name = "Initiatives"
    default_auto_field = "django.db.models.BigAutoField"
