"""Shared fixtures: the cast's PMM with a plan in the team's own month."""

import datetime

import pytest
from django.utils import timezone

from pmm_portal.core.dates import month_start, week_start


@pytest.fixture
def today(team) -> datetime.date:
    """Today in the team's time zone (what the pages use)."""
    return timezone.now().astimezone(team.zone).date()


@pytest.fixture
def month(today) -> datetime.date:
    return month_start(today)


@pytest.fixture
def this_week(today) -> datetime.date:
    return week_start(today)


@pytest.fixture
def last_week(this_week) -> datetime.date:
    return this_week - datetime.timedelta(days=7)
