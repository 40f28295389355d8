from django.apps import AppConfig


class TimesheetsConfig(AppConfig):
    """Weekly time: the hours each person spent on initiatives, requests, customers, meetings and the rest."""

    name = "timesheets"
    verbose_name = "Time"
    default_auto_field = "django.db.models.BigAutoField"
