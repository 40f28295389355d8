"""The top-3 rule: at most three focus initiatives per PMM and month, in the service, the database and under a race."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from initiatives import services
from initiatives.models import FocusSlot, InitiativeStatus
from pmm_portal.core.models import Role
from tests.factories import FocusSlotFactory, InitiativeFactory, TeamFactory, UserFactory

MONTH = datetime.date(2026, 11, 1)


@pytest.fixture
def four(pmm, team):
    return [InitiativeFactory(owner=pmm, team=team, title=f"Initiative {n}") for n in range(1, 5)]


def ranks(owner, month=MONTH):
    return list(
        FocusSlot.objects.filter(owner=owner, month=month)
        .order_by("rank")
        .values_list("initiative__title", "rank")
    )


def test_three_focus_initiatives_take_ranks_one_to_three(pmm, four):
    for initiative in four[:3]:
        services.focus_add(user=pmm, initiative=initiative, month=MONTH)
    assert ranks(pmm) == [("Initiative 1", 1), ("Initiative 2", 2), ("Initiative 3", 3)]


def test_a_fourth_is_refused_with_what_to_do(pmm, four):
    for initiative in four[:3]:
        services.focus_add(user=pmm, initiative=initiative, month=MONTH)
    with pytest.raises(ValidationError) as error:
        services.focus_add(user=pmm, initiative=four[3], month=MONTH)
    assert "move one to the backlog first" in str(error.value)
    assert FocusSlot.objects.filter(owner=pmm, month=MONTH).count() == 3


def test_the_month_is_the_first_day_whatever_day_is_given(pmm, four):
    services.focus_add(user=pmm, initiative=four[0], month=datetime.date(2026, 11, 23))
    assert FocusSlot.objects.get().month == MONTH


def test_another_month_has_its_own_three(pmm, four):
    for initiative in four[:3]:
        services.focus_add(user=pmm, initiative=initiative, month=MONTH)
    services.focus_add(user=pmm, initiative=four[3], month=datetime.date(2026, 12, 1))
    assert FocusSlot.objects.filter(owner=pmm).count() == 4


def test_moving_one_to_the_backlog_makes_room_and_closes_the_ranks(pmm, four):
    for initiative in four[:3]:
        services.focus_add(user=pmm, initiative=initiative, month=MONTH)
    services.focus_remove(user=pmm, initiative=four[0], month=MONTH)
    assert ranks(pmm) == [("Initiative 2", 1), ("Initiative 3", 2)]
    services.focus_add(user=pmm, initiative=four[3], month=MONTH)
    assert ranks(pmm)[-1] == ("Initiative 4", 3)


def test_reordering_moves_up_and_down(pmm, four):
    for initiative in four[:3]:
        services.focus_add(user=pmm, initiative=initiative, month=MONTH)
    services.focus_move(user=pmm, initiative=four[2], month=MONTH, offset=-1)
    assert ranks(pmm) == [("Initiative 1", 1), ("Initiative 3", 2), ("Initiative 2", 3)]
    services.focus_move(user=pmm, initiative=four[0], month=MONTH, offset=1)
    assert ranks(pmm) == [("Initiative 3", 1), ("Initiative 1", 2), ("Initiative 2", 3)]


def test_adding_twice_keeps_one_slot(pmm, four):
    services.focus_add(user=pmm, initiative=four[0], month=MONTH)
    services.focus_add(user=pmm, initiative=four[0], month=MONTH)
    assert ranks(pmm) == [("Initiative 1", 1)]


def test_a_done_initiative_cannot_be_a_focus(pmm, four):
    four[0].status = InitiativeStatus.DONE
    four[0].save()
    with pytest.raises(ValidationError, match="reopen it"):
        services.focus_add(user=pmm, initiative=four[0], month=MONTH)


def test_nobody_else_changes_a_pmms_plan(cast, four):
    for role in ("other_pmm", "cmo", "pm"):
        with pytest.raises(PermissionDenied):
            services.focus_add(user=cast[role], initiative=four[0], month=MONTH)


def test_focus_set_refuses_four(pmm, four):
    with pytest.raises(ValidationError, match="move one to the backlog first"):
        services.focus_set(user=pmm, owner=pmm, month=MONTH, initiatives=four)


# --- The database keeps the rule on its own ----------------------------------------------------


def test_database_refuses_a_rank_four(pmm, four):
    with pytest.raises(IntegrityError), transaction.atomic():
        FocusSlot.objects.create(owner=pmm, month=MONTH, rank=4, initiative=four[3])


def test_database_refuses_two_initiatives_on_one_rank(pmm, four):
    FocusSlotFactory(owner=pmm, initiative=four[0], month=MONTH, rank=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        FocusSlot.objects.create(owner=pmm, month=MONTH, rank=1, initiative=four[1])


def test_database_refuses_a_fourth_whatever_its_rank(pmm, four):
    for rank, initiative in enumerate(four[:3], start=1):
        FocusSlotFactory(owner=pmm, initiative=initiative, month=MONTH, rank=rank)
    for rank in (0, 1, 2, 3, 4):
        with pytest.raises(IntegrityError), transaction.atomic():
            FocusSlot.objects.create(owner=pmm, month=MONTH, rank=rank, initiative=four[3])


def test_database_refuses_an_initiative_twice_in_a_month(pmm, four):
    FocusSlotFactory(owner=pmm, initiative=four[0], month=MONTH, rank=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        FocusSlot.objects.create(owner=pmm, month=MONTH, rank=2, initiative=four[0])


def test_database_refuses_a_month_that_is_not_a_first_day(pmm, four):
    with pytest.raises(IntegrityError), transaction.atomic():
        FocusSlot.objects.create(owner=pmm, month=datetime.date(2026, 11, 2), rank=1, initiative=four[0])


# --- Two concurrent attempts at a fourth: only one wins ----------------------------------------


@pytest.mark.postgres(
    reason="row locks (select_for_update) held across two connections; SQLite locks the whole file"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_fourth_attempts_let_only_one_win():
    team = TeamFactory()
    owner = UserFactory(role=Role.PMM)
    team.members.add(owner)
    initiatives = [InitiativeFactory(owner=owner, team=team) for _ in range(4)]
    for initiative in initiatives[:2]:
        services.focus_add(user=owner, initiative=initiative, month=MONTH)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(initiative):
        try:
            barrier.wait(timeout=10)
            services.focus_add(user=owner, initiative=initiative, month=MONTH)
            outcomes.append("won")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in initiatives[2:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes)[-1] == "won"
    assert outcomes.count("won") == 1
    assert any("move one to the backlog first" in o for o in outcomes)
    assert FocusSlot.objects.filter(owner=owner, month=MONTH).count() == 3
