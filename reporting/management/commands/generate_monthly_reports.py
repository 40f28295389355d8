"""``python manage.py generate_monthly_reports [--month YYYY-MM] [--team SLUG]``."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pmm_portal.core.dates import add_months, month_start, parse_month
from pmm_portal.core.models import Team
from reporting import services


class Command(BaseCommand):
    help = "Produce the monthly review report of every team (or one) for a month (default: last month), now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="The month, as YYYY-MM (default: last month).")
        parser.add_argument("--team", help="A team's slug (default: every team).")

    def handle(self, *args: Any, month: str | None, team: str | None, **options: Any) -> None:
        if month:
            first = parse_month(month)
            if first is None:
                raise CommandError(f"--month must look like 2026-10, not {month!r}.")
        else:
            first = add_months(month_start(timezone.localdate()), -1)
        teams = Team.objects.all()
        if team:
            teams = teams.filter(slug=team)
            if not teams:
                raise CommandError(f"No team has the slug {team!r}.")
        for each in teams:
            started = time.monotonic()
            report = services.report_produce_now(team=each, month=first)
            self.stdout.write(
                f"{each.name} {first:%Y-%m}: version {report.version} in {time.monotonic() - started:.2f}s"
            )
