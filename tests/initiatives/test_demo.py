"""``seed_demo`` gives every PMM a year of plans, time, reviews and wins that keep the rules."""

import datetime as dt
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Count, Sum

from initiatives.models import FocusSlot, Initiative, Learning, MonthlyReview, Win, WinPromotion
from pmm_portal.core.dates import add_months, month_start, week_share_in_month, week_start, weeks_of
from pmm_portal.core.models import User
from pmm_portal.core.selectors import today_for
from timesheets.models import TimeEntry


def test_a_year_of_history_per_pmm_that_keeps_the_rules(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    pmm = User.objects.get(username="pmm")
    months = FocusSlot.objects.filter(owner=pmm).values("month").annotate(n=Count("id"))
    assert len(months) == 12
    assert all(row["n"] == 3 for row in months)
    weeks = TimeEntry.objects.filter(user=pmm).values("week_start").annotate(total=Sum("hours"))
    # Every week of the last twelve months whose working days are over (from its Friday), each logged once with the top 3 of the
    # month holding most of its working days (the month of its Wednesday): at least 47 weeks
    # whatever today's date, up to 52. The hours of a week spanning two months still count in
    # each by working day; only the demo's choice of initiatives follows the majority.
    today = today_for(pmm)
    first = add_months(month_start(today), -11)
    last = week_start(today) if today.weekday() >= 4 else week_start(today) - dt.timedelta(days=7)
    ended = [
        monday
        for month in (add_months(first, n) for n in range(12))
        for monday in weeks_of(month)
        if week_share_in_month(monday, month) > Decimal("0.5") and monday <= last
    ]
    assert sorted(row["week_start"] for row in weeks) == ended
    assert len(ended) >= 47
    assert all(10 <= row["total"] <= 80 for row in weeks)
    assert MonthlyReview.objects.filter(owner=pmm, submitted_at__isnull=False).count() == 10
    assert MonthlyReview.objects.filter(owner=pmm, submitted_at__isnull=True).count() == 1  # the prompt shows
    assert Win.objects.filter(owner=pmm).count() >= 6
    assert Initiative.objects.filter(owner=pmm, status="done").exists()
    # The wins feed and the learning log look real: promoted wins (each with its promotion) and experiments.
    promoted = Win.objects.filter(promoted_at__isnull=False, shared_with_sales=True)
    assert promoted.count() >= 5
    assert WinPromotion.objects.filter(withdrawn_at__isnull=True).count() == promoted.count()
    assert Learning.objects.filter(owner=pmm).count() >= 6
    assert Learning.objects.filter(owner=pmm, initiative__isnull=False).exists()
    counts = (Initiative.objects.count(), TimeEntry.objects.count(), Win.objects.count())
    call_command("seed_demo")
    assert (Initiative.objects.count(), TimeEntry.objects.count(), Win.objects.count()) == counts


def test_demo_pages_open(client, db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    for username, paths in {
        "pmm": [
            "/",
            "/initiatives/",
            "/initiatives/timesheet/",
            "/initiatives/reviews/",
            "/initiatives/wins/",
        ],
        "cmo": [
            "/",
            "/initiatives/",
            "/initiatives/timeline/",
            "/initiatives/all/",
            "/initiatives/learnings/",
            "/initiatives/wins/feed/",
        ],
        "sales": ["/initiatives/wins/feed/"],
    }.items():
        client.force_login(User.objects.get(username=username))
        for path in paths:
            assert client.get(path).status_code == 200, (username, path)
