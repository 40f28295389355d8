"""A closed round's results: figures per responsibility, heatmap, conversation guide, trend."""

from datetime import timedelta

import pytest
from django.utils import timezone

from diagnostics import selectors, services
from diagnostics.models import DiagnosticRound
from diagnostics.selectors import Flag
from tests.diagnostics.conftest import answer_all

GTM = "Go-to-market strategy"
ENABLEMENT = "Sales enablement tools and training"
VALUE = "Value proposition"


@pytest.fixture
def closed(round_open, cmo, pmm, pm):
    # The PM and the PMM each say they set the strategy; the CMO says both do the value proposition
    # and nobody writes enablement well.
    answer_all(round_open, pm, "pm", 4, **{GTM: ("pm", 3), ENABLEMENT: ("pmm", 2), VALUE: ("both", 4)})
    answer_all(round_open, pmm, "pmm", 4, **{GTM: ("pmm", 3), ENABLEMENT: ("pmm", 2), VALUE: ("both", 3)})
    answer_all(round_open, cmo, "pmm", 4, **{GTM: ("both", 2), ENABLEMENT: ("nobody", 1), VALUE: ("pm", 4)})
    return services.round_close(actor=cmo, round=round_open)


def _by_name(results):
    return {r.item.name: r for r in results.items}


def test_results_flag_the_gaps_with_their_figures(closed):
    results = selectors.round_results(closed)
    rows = _by_name(results)
    gtm = rows[GTM].assessment
    assert gtm.agreement == pytest.approx(1 / 3)
    assert gtm.mean_score == pytest.approx(8 / 3)
    assert gtm.flags == [Flag.BLURRED, Flag.DUPLICATED]
    assert rows[ENABLEMENT].assessment.mean_score == pytest.approx(5 / 3)
    assert rows[ENABLEMENT].flags == [Flag.WEAK]
    assert rows[VALUE].flags == [Flag.DUPLICATED]
    counts = {c["kind"]: c["count"] for c in results.flag_counts}
    assert counts[Flag.BLURRED] >= 1
    assert counts[Flag.WEAK] == 1
    assert counts[Flag.DUPLICATED] >= 2
    # The guide takes the most flagged first.
    assert results.guide[0].item.name == GTM
    assert all(r.flags for r in results.guide)


def test_the_heatmap_gives_each_areas_ownership_shares_and_scores_by_function(closed):
    results = selectors.round_results(closed)
    strategy = next(row for row in results.heatmap if row.area == "Market and strategy")
    shares = {cell["label"]: cell["share"] for cell in strategy.owner_cells}
    assert sum(shares.values()) == pytest.approx(1.0)
    assert [label for _, label in results.seats] == [
        "Product management",
        "Product marketing",
        "Marketing leadership",
    ]
    assert all(cell["score"] is not None for cell in strategy.seat_cells)


def test_the_next_round_shows_the_trend_per_responsibility(closed, cmo, pmm, pm, team):
    DiagnosticRound.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - timedelta(days=90))
    again = services.round_open(actor=cmo, team=team, title="Q4", participants=[pmm, pm, cmo])
    for user in (pm, pmm, cmo):
        answer_all(again, user, "pmm", 4, **{GTM: ("pm", 4)})
    results = selectors.round_results(services.round_close(actor=cmo, round=again))
    assert results.previous == closed
    gtm = _by_name(results)[GTM]
    assert gtm.agreement_delta == pytest.approx(1 - 1 / 3)
    assert gtm.score_delta == pytest.approx(4 - 8 / 3)
    assert gtm.flags == []


def test_the_first_round_has_no_trend(closed):
    results = selectors.round_results(closed)
    assert results.previous is None
    assert all(r.score_delta is None for r in results.items)
