from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """What the portal tells other tools: signed webhooks, Slack and Teams posts, Slack's slash command."""

    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"
