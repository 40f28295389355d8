from django.apps import AppConfig


class RequestsQueueConfig(AppConfig):
    """One-off sales requests, their triage and delivery, and the asset library."""

    name = "requests_queue"
    verbose_name = "Requests"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .search import register

        register()
