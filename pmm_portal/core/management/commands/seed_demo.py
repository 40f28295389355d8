"""``python manage.py seed_demo [--scale N] [--password P] [--force]``: the demo organisation."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.module_loading import import_string

from pmm_portal.core import figures, search
from pmm_portal.core.demo import seed_core

# Each app's demo data, in dependency order: ``seed(org: DemoOrg) -> None``, idempotent.
DEMO_SEEDERS: list[str] = [
    "personas.demo.seed",
    "requests_queue.demo.seed",
    "competitive.demo.seed",
    "diagnostics.demo.seed",
    "initiatives.demo.seed",
    "launches.demo.seed",
    "reporting.demo.seed",  # last: the past months' reports count what the others made
]


class Command(BaseCommand):
    help = (
        "Create the demo organisation: users cmo, pmm, pm, sales (and admin), teams and "
        "products. --scale grows it for benchmarks (1: one team; 100: about fifty PMMs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="Size of the organisation (1–1000).")
        parser.add_argument("--password", default=None, help="Password of every demo user (default: demo).")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args: Any, scale: int, password: str | None, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it creates users with a known password. "
                "Pass --force if this really is a demo deployment."
            )
        if not 1 <= scale <= 1000:
            raise CommandError("--scale must be between 1 and 1000.")
        started = time.monotonic()
        # An explicit --password also resets existing demo users to it.
        org = seed_core(scale=scale, password=password or "demo", reset_passwords=password is not None)
        for path in DEMO_SEEDERS:
            seeder = import_string(path)
            seeder(org)
        # The seeders write in bulk, past the signals that keep the search index: build it once.
        search.rebuild()
        figures.changed(Q())  # and past those that date the cached figures
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organisation ready in {time.monotonic() - started:.1f}s: "
                f"{len(org.teams)} team(s), {len(org.products)} products, {len(org.pmms)} PMMs, "
                f"{len(org.sales)} sales. Sign in as cmo, pmm, pm or sales "
                f"with the password {'given' if password else '“demo”'}."
            )
        )
