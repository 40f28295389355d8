from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


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
        # Every committed write moves kept pages on (core.pages).
        from . import pages

        pages.install()
        post_migrate.connect(build_search_index_if_new, sender=self)


def build_search_index_if_new(*, using: str = "default", **kwargs: Any) -> None:
    """After the migration that creates the search index, fill it from the data already there."""
    from . import search
    from .models import SearchDocument

    if SearchDocument.objects.using(using).exists():
        return
    if any(kind.model._default_manager.using(using).exists() for kind in search.KINDS.values()):
        search.rebuild()
