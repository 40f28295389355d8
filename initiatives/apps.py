from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    """The monthly top-3 plan, monthly reviews and wins."""

    name = "initiatives"
    verbose_name = "Initiatives"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The timesheet offers each week's top 3; timesheets cannot import this app, so it is told here.
        from timesheets.lines import register_line_source

        from .selectors import focus_lines_for_week

        register_line_source(focus_lines_for_week)

        from .search import register

        register()
