"""The demo's launches: one on track, one with late PM items, planned weeks ago so that last
month's report already shows the late one as it stood then."""

import datetime as dt

from django.core import mail
from django.utils import timezone

from launches import demo, selectors
from launches.models import Launch
from pmm_portal.core.demo import seed_core


def test_the_demo_has_a_late_launch_that_last_months_report_shows(db, monkeypatch):
    # Loaded on a month's second day, when the CMO reads last month's report.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC))
    org = seed_core(scale=1, password="demo", reset_passwords=False)
    demo.seed(org)
    demo.seed(org)  # idempotent
    team = org.teams[0]
    assert Launch.objects.filter(product__team=team).count() == 2
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    end = today.replace(day=1)
    as_of = timezone.make_aware(dt.datetime.combine(end, dt.time.min), team.zone)
    readiness = selectors.month_readiness(team=team, month=month, end=end, as_of=as_of)
    assert [row["name"] for row in readiness["launches"]][:1] == [
        launch.name for launch in Launch.objects.filter(product__team=team).order_by("launch_on")[:1]
    ]
    late = {row["name"]: row["late"] for row in readiness["launches"]}
    assert any(late.values()), late
    assert not mail.outbox  # loading the demo tells nobody
