"""Demo data of competitive intelligence for ``seed_demo``: each team's competitors (one that reps
name is left unrecorded, so it shows as proposed), its reasons, and a year of win/loss reviews.

Rows are bulk-created so ``--scale 100`` takes seconds; the requests that name the competitors
come from ``requests_queue.demo``.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from personas.models import Persona
from pmm_portal.core.demo import DemoOrg
from pmm_portal.core.models import Role, Team
from requests_queue.demo import ACCOUNTS, COMPETITORS

from . import services
from .models import Competitor, Outcome, Stage, Tier, WinLossReview

RECORDED = COMPETITORS[:-1]  # the last one reps name is left for the team to add
TIERS = [Tier.PRIMARY, Tier.PRIMARY, Tier.SECONDARY, Tier.SECONDARY, Tier.EMERGING]
# How often we beat each (won share among decided deals), so the win rates differ visibly.
STRENGTH = [0.35, 0.6, 0.5, 0.7, 0.55]
PROFILE = {
    "summary": "{name} sells a broad platform to IT, mostly top-down, with a large partner network.",
    "strengths": "Brand recognition with CIOs\nBundled pricing for existing customers\nLarge partner ecosystem",
    "weaknesses": "Slow to integrate: 3–6 month projects\nSupport moves to a ticket queue after the first year\n"
    "Per-seat pricing grows fast past 200 users",
    "how_we_win": "Lead with time to value: live in days, with the integrations the buyer already uses. "
    "Bring a reference of the same size and industry to the second meeting.",
    "landmines": "Ask how long their last integration project took.\nAsk for the price at 500 users, not 100.\n"
    "Ask who answers support tickets after year one.",
    "pricing_notes": "List price about 15 % under ours; they discount hard in the last week of a quarter. "
    "Answer with total cost over three years, not list price.",
}
QUOTES = [
    "You were the only ones who showed it working with our stack in the first call.",
    "Their price was lower and the difference was hard to justify to finance.",
    "We ran out of time: the project moved to next year.",
    "The reference call settled it.",
    "We needed single sign-on on day one and you did not have it yet.",
]


@transaction.atomic
def seed(org: DemoOrg) -> None:
    """Add this app's demo data to ``org``; idempotent (teams that have competitors are skipped)."""
    rng = random.Random(14)
    today = timezone.localdate()
    for team in org.teams:
        if Competitor.objects.filter(team=team).exists():
            continue
        _seed_team(team, org, rng, today)


def _seed_team(team: Team, org: DemoOrg, rng: random.Random, today: date) -> None:
    pmms = list(team.members.filter(role=Role.PMM).order_by("pk"))
    if not pmms:
        return
    now = timezone.now()
    competitors = Competitor.objects.bulk_create(
        [
            Competitor(
                team=team,
                owner=pmms[n % len(pmms)],
                name=name,
                aliases=name.split()[0] if " " in name else "",
                website=f"https://www.{name.split()[0].lower()}.example.com",
                tier=TIERS[n],
                last_reviewed_at=now - timedelta(days=30 + 50 * n),
                **{field: text.format(name=name) for field, text in PROFILE.items()},
            )
            for n, name in enumerate(RECORDED)
        ]
    )
    for rival in competitors[:3]:
        services.battlecard_create(
            actor=rival.owner,
            competitor=rival,
            quick_dismiss=f"{rival.name} is a fine pilot; we are built for the rollout that follows.",
            why_we_win="Live in days: the integrations the buyer already uses, out of the box\n"
            "One price at any size: no per-seat surprise at 500 users\n"
            "Support by engineers, for the life of the contract",
            landmines=PROFILE["landmines"],
            proof_points="Hooli: live in 9 days, two tools retired\nAcme Corp: 31 % lower three-year cost",
            objections=[
                {
                    "objection": "They are cheaper.",
                    "answer": "At 100 seats. Compare three-year cost at your size.",
                },
                {
                    "objection": "We already use their suite.",
                    "answer": "Bundles lock you in; we plug into it in a day.",
                },
            ],
        )
    reasons = services.reasons_of(team)
    by_name = {r.name: r for r in reasons}
    loss_reasons = [by_name[n] for n in ("Price", "Product gap", "Integration", "Timing", "Relationship")]
    personas = list(Persona.objects.filter(team=team).order_by("pk")[:6])
    reviews, links, persona_links = [], [], []
    count = 24 + 6 * len(pmms)
    for i in range(count):
        n = rng.randrange(len(competitors) + 1)
        competitor = competitors[n] if n < len(competitors) else None
        roll = rng.random()
        strength = STRENGTH[n] if competitor else 0.5
        outcome = (
            Outcome.NO_DECISION if roll > 0.88 else (Outcome.WON if roll < strength * 0.88 else Outcome.LOST)
        )
        reviews.append(
            WinLossReview(
                team=team,
                owner=pmms[i % len(pmms)],
                account=ACCOUNTS[i % len(ACCOUNTS)],
                value=Decimal(rng.choice([25, 40, 60, 90, 150, 300])) * 1000,
                outcome=outcome,
                decided_on=today - timedelta(days=rng.randrange(1, 365)),
                competitor=competitor,
                stage_lost_at=rng.choice([Stage.EVALUATION, Stage.PROOF, Stage.PROPOSAL, Stage.NEGOTIATION])
                if outcome == Outcome.LOST
                else "",
                buyer_quote=rng.choice(QUOTES),
            )
        )
    reviews = WinLossReview.objects.bulk_create(reviews)
    reason_link = WinLossReview.reasons.through
    persona_link = WinLossReview.personas.through
    for review in reviews:
        if review.outcome == Outcome.LOST:
            for reason in rng.sample(loss_reasons, rng.choice([1, 1, 2])):
                links.append(reason_link(winlossreview_id=review.pk, lossreason_id=reason.pk))
        if personas and rng.random() < 0.7:
            persona_links.append(persona_link(winlossreview_id=review.pk, persona_id=rng.choice(personas).pk))
    reason_link.objects.bulk_create(links)
    persona_link.objects.bulk_create(persona_links)
