"""Changes made by a conditional UPDATE (no signal) are in the audit log too, with who made them."""

from competitive import services as competitive_services
from competitive.models import Competitor
from requests_queue import services as request_services
from tests.audit.test_history import _entries
from tests.factories import RequestFactory


def test_claiming_a_request_is_logged_with_the_pmm_who_claimed_it(cast, product) -> None:
    request = RequestFactory(product=product, requester=cast["sales"], status="new")
    request_services.request_claim(request=request, actor=cast["pmm"])
    entry = _entries(cast["admin"], "requests_queue.request", request.pk)[0]
    assert (entry.action, entry.actor) == ("changed", cast["pmm"])
    assert "assignee" in [change.field for change in entry.changes]


def test_marking_a_competitor_reviewed_is_logged(cast, team) -> None:
    competitor = Competitor.objects.create(team=team, name="Globex", owner=cast["pmm"])
    competitive_services.competitor_mark_reviewed(actor=cast["pmm"], competitor=competitor)
    entry = _entries(cast["admin"], "competitive.competitor", competitor.pk)[0]
    assert (entry.action, entry.actor) == ("changed", cast["pmm"])
    assert [change.field for change in entry.changes] == ["last_reviewed_at"]
