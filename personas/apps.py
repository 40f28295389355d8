from django.apps import AppConfig


class PersonasConfig(AppConfig):
    """Buyer, user and sales-channel personas with their evidence and positioning."""

    name = "personas"
    verbose_name = "Personas"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .search import register

        register()
