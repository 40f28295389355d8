"""The monthly review: outcomes, learnings, wins, next month's top 3 with carry-over, the lock and reopening."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from initiatives import selectors, services
from initiatives.models import FocusSlot, InitiativeStatus, Outcome, ReviewReopening
from tests.factories import FocusSlotFactory, InitiativeFactory, WinFactory

OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def october_plan(pmm, team):
    titles = ["Battlecards", "Persona refresh", "Pricing page"]
    initiatives = [InitiativeFactory(owner=pmm, team=team, title=t) for t in titles]
    for rank, initiative in enumerate(initiatives, start=1):
        FocusSlotFactory(initiative=initiative, month=OCTOBER, rank=rank)
    return initiatives


def outcomes(*pairs):
    return [services.OutcomeInput(initiative_id=i.pk, outcome=o, note=f"{o} note") for i, o in pairs]


def test_opening_a_review_lists_the_months_top_3(pmm, october_plan):
    review = services.review_open(user=pmm, month=datetime.date(2026, 10, 17))
    assert review.month == OCTOBER
    assert [o.initiative.title for o in review.outcomes.order_by("id")] == [
        "Battlecards",
        "Persona refresh",
        "Pricing page",
    ]
    assert services.review_open(user=pmm, month=OCTOBER).pk == review.pk


def test_carried_over_initiatives_are_prefilled_for_next_month(pmm, october_plan):
    battlecards, personas, pricing = october_plan
    review = services.review_open(user=pmm, month=OCTOBER)
    services.review_save(
        user=pmm,
        review=review,
        outcomes=outcomes(
            (battlecards, Outcome.CARRIED_OVER), (personas, Outcome.DONE), (pricing, Outcome.CARRIED_OVER)
        ),
        learnings="Draft",
    )
    detail = selectors.review_detail(review=review)
    assert detail["prefill"] == [battlecards.pk, pricing.pk]
    assert detail["next_month"] == NOVEMBER


def test_submitting_applies_outcomes_sets_the_new_top_3_and_locks(pmm, team, october_plan):
    battlecards, personas, pricing = october_plan
    newcomer = InitiativeFactory(owner=pmm, team=team, title="Analyst briefing")
    WinFactory(
        owner=pmm, team=team, initiative=battlecards, date=datetime.date(2026, 10, 20), title="Won Globex"
    )
    review = services.review_open(user=pmm, month=OCTOBER)
    now = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)
    services.review_save(
        user=pmm,
        review=review,
        outcomes=outcomes(
            (battlecards, Outcome.CARRIED_OVER), (personas, Outcome.DONE), (pricing, Outcome.DROPPED)
        ),
        learnings="Objection handling beats feature lists.",
        next_top=[battlecards, newcomer],
        submit=True,
        now=now,
    )
    review.refresh_from_db()
    assert review.is_locked
    assert review.submitted_at == now
    assert review.learnings == "Objection handling beats feature lists."
    personas.refresh_from_db()
    pricing.refresh_from_db()
    assert (personas.status, pricing.status) == (InitiativeStatus.DONE, InitiativeStatus.DROPPED)
    assert list(
        FocusSlot.objects.filter(owner=pmm, month=NOVEMBER)
        .order_by("rank")
        .values_list("initiative__title", flat=True)
    ) == ["Battlecards", "Analyst briefing"]
    assert [w.title for w in selectors.review_detail(review=review)["wins"]] == ["Won Globex"]
    assert selectors.review_due_month(user=pmm, today=datetime.date(2026, 11, 3)) is None


def test_a_locked_review_refuses_changes(pmm, october_plan):
    review = services.review_open(user=pmm, month=OCTOBER)
    services.review_save(user=pmm, review=review, outcomes=[], learnings="x", submit=True)
    with pytest.raises(ValidationError, match="locked: reopen it"):
        services.review_save(user=pmm, review=review, outcomes=[], learnings="changed")
    review.refresh_from_db()
    assert review.learnings == "x"


def test_reopening_is_recorded_and_unlocks(pmm, october_plan):
    review = services.review_open(user=pmm, month=OCTOBER)
    submitted = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    services.review_save(user=pmm, review=review, outcomes=[], learnings="x", submit=True, now=submitted)
    with pytest.raises(ValidationError, match="Say why"):
        services.review_reopen(user=pmm, review=review, reason="  ")
    services.review_reopen(user=pmm, review=review, reason="A win came in late")
    review.refresh_from_db()
    assert not review.is_locked
    reopening = ReviewReopening.objects.get(review=review)
    assert (reopening.reopened_by, reopening.reason, reopening.previously_submitted_at) == (
        pmm,
        "A win came in late",
        submitted,
    )
    services.review_save(user=pmm, review=review, outcomes=[], learnings="y", submit=True)
    services.review_reopen(user=pmm, review=review, reason="Second thoughts")
    assert ReviewReopening.objects.filter(review=review).count() == 2


def test_reopening_an_open_review_is_refused(pmm, october_plan):
    review = services.review_open(user=pmm, month=OCTOBER)
    with pytest.raises(ValidationError, match="nothing to reopen"):
        services.review_reopen(user=pmm, review=review, reason="why not")


def test_done_initiatives_cannot_be_carried_into_next_month(pmm, october_plan):
    battlecards = october_plan[0]
    review = services.review_open(user=pmm, month=OCTOBER)
    with pytest.raises(ValidationError, match="cannot be in next month's top 3"):
        services.review_save(
            user=pmm,
            review=review,
            outcomes=outcomes((battlecards, Outcome.DONE)),
            learnings="",
            next_top=[battlecards],
            submit=True,
        )
    review.refresh_from_db()
    assert not review.is_locked


def test_only_the_owner_closes_their_review(cast, october_plan):
    review = services.review_open(user=cast["pmm"], month=OCTOBER)
    for role in ("cmo", "pm", "other_pmm"):
        with pytest.raises(PermissionDenied):
            services.review_save(user=cast[role], review=review, outcomes=[], learnings="", submit=True)


def test_review_is_due_from_the_first_of_the_month(pmm, team):
    assert selectors.review_due_month(user=pmm, today=datetime.date(2026, 11, 1)) == OCTOBER
    review = services.review_open(user=pmm, month=OCTOBER)
    assert (
        selectors.review_due_month(user=pmm, today=datetime.date(2026, 11, 1)) == OCTOBER
    )  # a draft is not closed
    services.review_save(user=pmm, review=review, outcomes=[], learnings="", submit=True)
    assert selectors.review_due_month(user=pmm, today=datetime.date(2026, 11, 30)) is None
    assert selectors.review_due_month(user=pmm, today=datetime.date(2026, 12, 1)) == NOVEMBER
