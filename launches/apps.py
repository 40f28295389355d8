from django.apps import AppConfig


class LaunchesConfig(AppConfig):
    """The launch handoff: launches, what product management and product marketing owe each other."""

    name = "launches"
    verbose_name = "Launches"
    default_auto_field = "django.db.models.BigAutoField"
