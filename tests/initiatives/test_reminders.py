"""Reminders: the right people, once, on the right day in their team's time zone, through the real Celery task."""

import datetime

import pytest
from django.core import mail

from initiatives.models import MonthlyReview, ReminderKind, SentReminder
from initiatives.tasks import send_due_reminders
from pmm_portal.core.models import Role
from pmm_portal.settings.base import SITE_URL
from tests.factories import MonthlyReviewFactory, TeamFactory, TimeEntryFactory, UserFactory

UTC = datetime.UTC


def run(at: datetime.datetime) -> list[tuple[str, str]]:
    """Run the hourly task as the beat would at ``at``; return the (recipient, subject) of new emails."""
    before = len(mail.outbox)
    send_due_reminders.delay(now=at.isoformat())
    return sorted((m.to[0], m.subject) for m in mail.outbox[before:])


@pytest.fixture
def paris(pmm, pm, cmo, team):
    team.time_zone = "Europe/Paris"
    team.save()
    return team


@pytest.fixture
def new_york(db):
    team = TeamFactory(name="Analytics East", slug="analytics-east", time_zone="America/New_York")
    nyc_pmm = UserFactory(username="nyc_pmm", role=Role.PMM, email="nyc_pmm@example.com")
    team.members.add(nyc_pmm)
    return team


def close_october(*users):
    for user in users:
        MonthlyReviewFactory(
            owner=user,
            team=user.teams.first(),
            month=datetime.date(2026, 10, 1),
            submitted_at=datetime.datetime(2026, 11, 2, tzinfo=UTC),
        )


def test_time_reminder_goes_at_monday_noon_in_each_teams_zone(paris, new_york, pmm):
    nyc_pmm = new_york.members.get()
    close_october(pmm, nyc_pmm)
    # Monday 23 November, 11:30 in Paris and 05:30 in New York: nobody is late yet.
    assert run(datetime.datetime(2026, 11, 23, 10, 30, tzinfo=UTC)) == []
    # 12:30 in Paris: Paris is late; New York's morning has not reached noon.
    assert run(datetime.datetime(2026, 11, 23, 11, 30, tzinfo=UTC)) == [
        ("pmm@example.com", "Log your time for the week of 16 November")
    ]
    # 12:00 in New York.
    assert run(datetime.datetime(2026, 11, 23, 17, 0, tzinfo=UTC)) == [
        ("nyc_pmm@example.com", "Log your time for the week of 16 November")
    ]


def test_each_reminder_is_sent_once(paris, pmm):
    close_october(pmm)
    at = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert len(run(at)) == 1
    assert run(at) == []
    assert run(at + datetime.timedelta(hours=1)) == []
    assert run(at + datetime.timedelta(days=2)) == []
    assert SentReminder.objects.filter(user=pmm, kind=ReminderKind.TIME_LOG).count() == 1


def test_pmms_who_logged_last_week_and_other_roles_are_left_alone(paris, pmm, cast):
    colleague = UserFactory(username="pmm2", role=Role.PMM, email="pmm2@example.com")
    paris.members.add(colleague)
    close_october(pmm, colleague)
    TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 11, 16), hours=30)
    sent = run(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    recipients = {to for to, _subject in sent}
    assert ("pmm2@example.com", "Log your time for the week of 16 November") in sent
    assert "pmm@example.com" not in recipients
    assert not recipients & {cast[role].email for role in ("pm", "cmo", "sales", "admin")}
    # The PMM of the other team (on no time zone of ours) is reminded too: nobody is forgotten.
    assert ("other_pmm@example.com", "Log your time for the week of 16 November") in sent


def test_review_reminder_on_the_third_working_day(paris, pmm):
    # December 2026 starts on a Tuesday: the third working day is Thursday 3 December.
    TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 11, 23), hours=30)
    TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 11, 30), hours=30)
    close_october(pmm)
    assert run(datetime.datetime(2026, 12, 2, 15, 0, tzinfo=UTC)) == []
    assert run(datetime.datetime(2026, 12, 3, 7, 30, tzinfo=UTC)) == []  # 08:30 in Paris
    assert run(datetime.datetime(2026, 12, 3, 8, 0, tzinfo=UTC)) == [
        ("pmm@example.com", "Close your November review")
    ]
    assert run(datetime.datetime(2026, 12, 4, 8, 0, tzinfo=UTC)) == []


def test_a_submitted_review_means_no_reminder_but_a_draft_does_not(paris, pmm):
    TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 11, 23), hours=30)
    TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 11, 30), hours=30)
    close_october(pmm)
    MonthlyReview.objects.create(owner=pmm, team=paris, month=datetime.date(2026, 11, 1))  # a draft
    sent = run(datetime.datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    assert sent == [("pmm@example.com", "Close your November review")]


def test_reminder_links_to_the_timesheet(paris, pmm):
    close_october(pmm)
    run(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    assert f"{SITE_URL}/initiatives/timesheet/?week=2026-11-16" in mail.outbox[-1].body


def test_the_task_is_scheduled_hourly():
    from pmm_portal.celery import app

    entry = app.conf.beat_schedule["initiatives-send-due-reminders"]
    assert entry["task"] == "initiatives.send_due_reminders"
    assert entry["schedule"].hour == set(range(24))
