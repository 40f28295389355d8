import pytest
from django.test import RequestFactory
from simple_history.models import HistoricalRecords

from pmm_portal.core.models import Role, Team, User
from tests.factories import UserFactory


@pytest.fixture
def acting_as():
    """Make the next saves as ``user`` would through a page: simple-history's middleware context."""

    def act(user: User) -> None:
        request = RequestFactory().get("/")
        request.user = user
        HistoricalRecords.context.request = request

    yield act
    if hasattr(HistoricalRecords.context, "request"):
        del HistoricalRecords.context.request


@pytest.fixture
def other_cmo(other_team: Team) -> User:
    """The leader of ``other_team``."""
    leader = UserFactory(username="other_cmo", first_name="Otto", last_name="Lind", role=Role.CMO)
    other_team.lead = leader
    other_team.save(update_fields=["lead"])
    return leader
