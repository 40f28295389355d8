"""Competitive figures against a hand-built dataset: win rates overall, by competitor and by persona,
the top loss reasons per quarter, and the request signals of a competitor."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from competitive import selectors, services
from competitive.models import Competitor, Outcome, WinLossReview
from tests.factories import PersonaFactory, RequestFactory


@pytest.fixture
def rivals(team, pmm):
    northwind = services.competitor_create(
        actor=pmm, team=team, name="Northwind", aliases="NW, Northwind Cloud"
    )
    initech = services.competitor_create(actor=pmm, team=team, name="Initech")
    return northwind, initech


def review(
    pmm, team, outcome, *, competitor=None, day=date(2026, 8, 10), reasons=(), personas=(), value=1000
):
    return services.review_create(
        actor=pmm,
        team=team,
        account=f"Acct {WinLossReview.objects.count()}",
        outcome=outcome,
        value=Decimal(value),
        decided_on=day,
        competitor=competitor,
        reasons=reasons,
        personas=personas,
    )


def test_win_rates_and_loss_reasons_count_exactly_the_reviews_behind_them(team, pmm, rivals):
    northwind, initech = rivals
    price, gap, timing = (
        r for r in services.reasons_of(team) if r.name in ("Price", "Product gap", "Timing")
    )
    cfo = PersonaFactory(team=team, owner=pmm, name="CFO")
    # Northwind: 3 won, 1 lost (price, Q3) → 75 %; Initech: 1 won, 2 lost (gap ×2, price; Q2 and Q3) → 33 %
    for _ in range(3):
        review(pmm, team, Outcome.WON, competitor=northwind, personas=[cfo])
    review(pmm, team, Outcome.LOST, competitor=northwind, reasons=[price], personas=[cfo])
    review(pmm, team, Outcome.WON, competitor=initech)
    review(pmm, team, Outcome.LOST, competitor=initech, reasons=[gap, price], day=date(2026, 8, 1))
    review(pmm, team, Outcome.LOST, competitor=initech, reasons=[gap, timing], day=date(2026, 5, 20))
    review(pmm, team, Outcome.NO_DECISION, value=5000)

    figures = selectors.win_loss_figures(WinLossReview.objects.all())
    assert (figures.overall.won, figures.overall.lost, figures.overall.no_decision) == (4, 3, 1)
    assert figures.overall.win_rate == 57  # 4 of 7 decided for someone; no decision is not a loss
    rates = {t.label: (t.total, t.win_rate, t.query) for t in figures.by_competitor}
    assert rates["Northwind"] == (4, 75, f"competitor={northwind.pk}")
    assert rates["Initech"] == (3, 33, f"competitor={initech.pk}")
    assert rates["No competitor"] == (1, None, "competitor=none")
    assert [(t.label, t.total, t.win_rate) for t in figures.by_persona] == [("CFO", 4, 75)]
    quarters = dict(figures.loss_reasons)
    assert list(quarters) == ["2026-Q3", "2026-Q2"]
    assert [(name, count) for name, count, _ in quarters["2026-Q3"]] == [("Price", 2), ("Product gap", 1)]
    assert [(name, count) for name, count, _ in quarters["2026-Q2"]] == [("Product gap", 1), ("Timing", 1)]
    assert quarters["2026-Q3"][0][2] == f"outcome=lost&reason={price.pk}&quarter=2026-Q3"


def test_a_lost_deal_moves_the_competitors_win_rate(team, pmm, rivals):
    northwind, _ = rivals
    review(pmm, team, Outcome.WON, competitor=northwind)
    assert selectors.reviews_of_competitor(northwind).win_rate == 100
    review(pmm, team, Outcome.LOST, competitor=northwind)
    assert selectors.reviews_of_competitor(northwind).win_rate == 50


def _asked(product, team, competitor, when, value=0):
    request = RequestFactory(
        product=product, team=team, competitor=competitor, opportunity_value=Decimal(value)
    )
    type(request).objects.filter(pk=request.pk).update(created_at=timezone.make_aware(when))


def test_signals_count_requests_by_name_and_alias_whatever_the_case(team, product, pmm, rivals):
    northwind, initech = rivals
    today = date(2026, 12, 3)  # early in the month: last month still shows
    _asked(product, team, "northwind", datetime(2026, 12, 2, 10), 10000)
    _asked(product, team, "NW", datetime(2026, 11, 20, 10), 5000)
    _asked(product, team, "Northwind Cloud", datetime(2026, 11, 5, 10))
    _asked(product, team, "Initech", datetime(2026, 10, 1, 10))
    _asked(product, team, "Globex", datetime(2026, 11, 1, 10))  # no record: proposed, not counted
    rows = [northwind, initech]
    selectors.attach_signals(rows, today=today)
    assert (northwind.signal.this_month, northwind.signal.last_month, northwind.signal.recent) == (1, 2, 3)
    assert (initech.signal.this_month, initech.signal.last_month, initech.signal.recent) == (0, 0, 1)
    signals = selectors.competitor_signals(northwind, today=today)
    assert [m.requests for m in signals.months][-2:] == [2, 1]
    assert signals.total_requests == 3
    assert signals.deal_value == Decimal(15000)
    proposed = selectors.proposed_names(user=pmm, today=today)
    assert [(p.name, p.requests) for p in proposed] == [("Globex", 1)]


def test_a_competitor_name_is_unique_per_team_whatever_the_case(team, pmm, rivals):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already has"):
        services.competitor_create(actor=pmm, team=team, name="  northwind ")
    assert Competitor.objects.filter(team=team).count() == 2


def test_a_review_refuses_what_does_not_hold(team, pmm, rivals):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.review_create(
            actor=pmm,
            team=team,
            account="Acme",
            outcome=Outcome.WON,
            stage_lost_at="proposal",
            decided_on=timezone.localdate() + timedelta(days=3),
        )
    assert set(refused.value.message_dict) == {"stage_lost_at", "decided_on"}
    assert not WinLossReview.objects.exists()
