"""Two PMMs claim the same request at the same moment: exactly one gets it, the other is told who did.

Real concurrent transactions on PostgreSQL, each thread on its own connection.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from requests_queue import services
from requests_queue.models import Request, RequestStatus
from tests.factories import RequestFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rival(team):
    noor = UserFactory(username="noor", first_name="Noor", last_name="Haddad", role="pmm")
    team.members.add(noor)
    return noor


@pytest.fixture
def unclaimed(sales_rep, product):
    return RequestFactory(
        requester=sales_rep, product=product, team=product.team, status=RequestStatus.TRIAGED
    )


def _blocked_sessions() -> int:
    with connections["default"].cursor() as cursor:
        # pg_locks is live (pg_stat_activity would be a snapshot frozen for the transaction).
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


@pytest.mark.postgres(
    reason="row locks (select_for_update) held across two connections; SQLite locks the whole file"
)
def test_the_second_claim_waits_for_the_first_and_is_told_who_won(pmm, rival, unclaimed):
    assert connection.vendor == "postgresql"
    first_claimed = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = services.request_claim(request=unclaimed, actor=pmm)
                first_claimed.set()
                # Hold the row until the rival's UPDATE is really waiting on it.
                deadline = time.monotonic() + 10
                while _blocked_sessions() == 0 and time.monotonic() < deadline:
                    pass
                outcome["rival_was_blocked"] = _blocked_sessions() > 0
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_claimed.wait(10)
            outcome["second"] = services.request_claim(request=unclaimed, actor=rival)
        except services.ClaimConflictError as error:
            outcome["second_error"] = error.messages[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert outcome["rival_was_blocked"] is True
    assert "second" not in outcome
    assert outcome["second_error"] == "Priya Mehta claimed this request first; it is theirs now."
    assert Request.objects.get(pk=unclaimed.pk).assignee == pmm


@pytest.mark.postgres(reason="concurrent transactions on two connections; SQLite locks the whole file")
def test_two_simultaneous_claims_have_exactly_one_winner(pmm, rival, unclaimed):
    start = threading.Barrier(2)
    winners: list[str] = []
    losers: list[str] = []

    def claim(user) -> None:
        try:
            start.wait(10)
            services.request_claim(request=unclaimed, actor=user)
            winners.append(user.username)
        except services.ClaimConflictError as error:
            losers.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(user,)) for user in (pmm, rival)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(winners) == 1
    assert len(losers) == 1
    winner = Request.objects.select_related("assignee").get(pk=unclaimed.pk).assignee
    assert winner.username == winners[0]
    assert losers[0].startswith(f"{winner.display_name} claimed this request first")
