from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Users, roles, teams and products: what every other app stands on."""

    name = "pmm_portal.core"
    label = "core"
    verbose_name = "People, teams and products"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # `make run` without Redis: the periodic jobs run in the server's process (see scheduler).
        from .scheduler import start_if_embedded

        start_if_embedded()
