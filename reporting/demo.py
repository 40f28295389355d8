"""The demo's monthly review reports: each team's past months with a plan, produced as the 1st would have.

Runs after the other seeders (it reports on their data). Idempotent: a month that
already has a report is left alone, so a second ``seed_demo`` adds nothing. Past
reports are not mailed.
"""

from django.db.models import Min
from django.utils import timezone

from initiatives.models import FocusSlot
from pmm_portal.core.dates import add_months, month_start, today_in
from pmm_portal.core.demo import DemoOrg

from .models import MonthlyReport
from .services import report_produce_now

# A year of reports for a small organisation; fewer at benchmark scale, where seeding time matters.
MONTHS_SMALL = 12
MONTHS_LARGE = 3


def seed(org: DemoOrg) -> None:
    months = MONTHS_SMALL if org.scale <= 10 else MONTHS_LARGE
    existing = set(MonthlyReport.objects.filter(team__in=org.teams).values_list("team_id", "month"))
    for team in org.teams:
        this_month = month_start(today_in(team, now=timezone.now()))
        # From the first month the team planned (the demo's history), never an empty report.
        first = FocusSlot.objects.filter(owner__teams=team).aggregate(first=Min("month"))["first"]
        for back in range(months, 0, -1):
            month = add_months(this_month, -back)
            if first is not None and month >= first and (team.pk, month) not in existing:
                report_produce_now(team=team, month=month, mail=False)
