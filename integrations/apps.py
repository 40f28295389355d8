from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """What the portal tells other tools: signed webhooks, Slack and Teams posts, Slack's slash command."""

    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The requests queue (below us) asks whether someone may choose Slack or Teams for a topic:
        # only when they have their own address, which we keep.
        from requests_queue.services import preferences

        from .services import personal_channel_known

        preferences.chat_address_known = personal_channel_known
