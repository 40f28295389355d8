from django.apps import AppConfig


class CompetitiveConfig(AppConfig):
    """Competitive intelligence and the win/loss programme: competitors, their signals, deal reviews."""

    name = "competitive"
    verbose_name = "Competitive intelligence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .search import register

        register()
