"""The demo's diagnostic: a closed round with realistic disagreement, an earlier one for the trend, and
an open round some participants have started."""

from diagnostics import demo, selectors
from diagnostics.models import DiagnosticRound, RoundStatus
from diagnostics.selectors import Flag
from pmm_portal.core.demo import seed_core


def test_the_demo_shows_every_kind_of_gap_and_a_round_in_progress(db):
    org = seed_core(scale=1, password="demo", reset_passwords=False)
    demo.seed(org)
    demo.seed(org)  # idempotent
    team = org.teams[0]
    assert DiagnosticRound.objects.filter(team=team).count() == 3
    latest = (
        DiagnosticRound.objects.filter(team=team, status=RoundStatus.CLOSED).order_by("-closed_at").first()
    )
    results = selectors.round_results(latest)
    counts = {c["kind"]: c["count"] for c in results.flag_counts}
    assert all(counts[kind] >= 1 for kind in Flag.ORDER), counts
    assert results.previous is not None
    assert any(r.score_delta for r in results.items)
    still_open = DiagnosticRound.objects.get(team=team, status=RoundStatus.OPEN)
    progress = selectors.round_progress(still_open)
    answered = sorted(row["answered"] for row in progress.rows)
    assert answered[0] < progress.items
    assert answered[-1] == progress.items
