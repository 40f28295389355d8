from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Single sign-on: OpenID Connect sign-in and SCIM 2.0 provisioning (issue 16)."""

    name = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the settings checks)
