"""A launch of the shared cast's product, started from the team's tier-2 template by its PMM."""

import datetime as dt

import pytest

from launches import services
from launches.models import LaunchTier

LAUNCH_DAY = dt.date(2026, 12, 18)  # a Friday


@pytest.fixture
def launch(pmm, product):
    return services.launch_create(
        actor=pmm, product=product, name="Atlas 5", launch_on=LAUNCH_DAY, tier=LaunchTier.STANDARD
    )
