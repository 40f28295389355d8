"""``manage.py search_reindex``: rebuild the search index from the data (after a bulk load or restore)."""

from typing import Any

from django.core.management.base import BaseCommand

from pmm_portal.core import search


class Command(BaseCommand):
    help = "Rebuild the search index (every kind, or those named)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kinds", nargs="*", help=f"Kinds to rebuild: {', '.join(sorted(search.KINDS))}.")

    def handle(self, *args: Any, kinds: list[str], **options: Any) -> None:
        unknown = set(kinds) - set(search.KINDS)
        if unknown:
            self.stderr.write(f"Unknown kind(s): {', '.join(sorted(unknown))}.")
            return
        counts = search.rebuild(kinds=kinds or None)
        self.stdout.write(", ".join(f"{key}: {count}" for key, count in counts.items()))
