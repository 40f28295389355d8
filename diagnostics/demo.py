"""Demo data of the functional diagnostic for ``seed_demo``: each team's responsibilities, two closed
rounds (so the trend shows) with the disagreements a real team has, and one open round that some
participants have started.

Idempotent: a team that has rounds is skipped. The answers are scripted, not random, so that
the latest closed round always shows at least one blurred, one unowned, one duplicated and one
weak responsibility.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from pmm_portal.core.demo import DemoOrg
from pmm_portal.core.models import Role, Team, User

from . import services
from .models import Answer, DiagnosticRound, Participant, RoundStatus

# How each function answers a responsibility: (what PMs say, what PMMs say, what the CMO says, scores).
# A list of owners is spread over a function's participants in turn.
AGREED_PM = (["pm"], ["pm"], ["pm"], [4, 4, 3, 4])
AGREED_PMM = (["pmm"], ["pmm"], ["pmm"], [4, 3, 4, 4])
SCRIPT: dict[str, tuple[list[str], list[str], list[str], list[int]]] = {
    # Blurred and duplicated: each side says it sets the go-to-market strategy.
    "Go-to-market strategy": (["pm"], ["pmm", "both"], ["both"], [3, 3, 2, 3]),
    # Duplicated: the value proposition is the PMM's "tempting sandbox" (seed 001).
    "Value proposition": (["both"], ["both", "pmm"], ["both"], [3, 3, 4, 3]),
    # Blurred: nobody agrees who writes the messaging.
    "Messaging": (["pmm"], ["both", "pm"], ["other"], [3, 2, 3, 3]),
    # Unowned and weak: the silo effect (seed 002).
    "Knowledge transfer before launch": (["nobody"], ["nobody", "pm"], ["nobody"], [2, 1, 2, 2]),
    # Weak: everyone knows who, nobody thinks it goes well.
    "Sales enablement tools and training": (["pmm"], ["pmm"], ["pmm"], [2, 2, 3, 2]),
    "Win/loss feedback": (["nobody"], ["pmm", "nobody"], ["nobody"], [2, 2, 1, 2]),
    "Booking goals and expectations": (["pm"], ["nobody"], ["pm"], [3, 2, 3, 3]),
}
# Six months earlier things were worse in places (the trend shows the improvement).
EARLIER = {
    "Go-to-market strategy": (["pm"], ["pmm"], ["pmm"], [2, 2, 2, 3]),
    "Sales enablement tools and training": (["pmm"], ["nobody"], ["pmm"], [1, 2, 2, 1]),
    "Buyer personas": (["pmm"], ["pmm"], ["both"], [2, 3, 2, 2]),
}


@transaction.atomic
def seed(org: DemoOrg) -> None:
    """Add this app's demo data to ``org``; idempotent (teams that have rounds are skipped)."""
    for team in org.teams[:3]:
        if DiagnosticRound.objects.filter(team=team).exists():
            continue
        _seed_team(team)


def _people(team: Team) -> list[User]:
    members = list(team.members.filter(role__in=(Role.PM, Role.PMM)).order_by("role", "pk"))
    return [*members, team.lead] if team.lead else members


def _seed_team(team: Team) -> None:
    people = _people(team)
    if len(people) < 2 or team.lead is None:
        return
    services.responsibilities_of(team)
    now = timezone.now()
    _closed_round(team, people, "Functional diagnostic, first pass", now - timedelta(days=200), EARLIER)
    _closed_round(team, people, "Functional diagnostic, after the reorg", now - timedelta(days=40), SCRIPT)
    current = services.round_open(
        actor=team.lead, team=team, title="Functional diagnostic, this quarter", participants=people
    )
    _answer(current, SCRIPT, share={Role.PM: 1.0, Role.PMM: 0.5, Role.CMO: 0.0})
    # The demo's people were told long ago: no mail goes out when the demo is loaded.
    Participant.objects.filter(round__team=team).update(invited_at=now)
    Participant.objects.filter(round__team=team, round__status=RoundStatus.CLOSED).update(results_sent_at=now)


def _closed_round(
    team: Team,
    people: list[User],
    title: str,
    when: datetime,
    script: dict[str, tuple[list[str], list[str], list[str], list[int]]],
) -> None:
    assert team.lead is not None
    round = services.round_open(actor=team.lead, team=team, title=title, participants=people)
    _answer(round, script)
    DiagnosticRound.objects.filter(pk=round.pk).update(
        status=RoundStatus.CLOSED, opened_at=when - timedelta(days=10), closed_at=when, closed_by=team.lead
    )


def _answer(
    round: DiagnosticRound,
    script: dict[str, tuple[list[str], list[str], list[str], list[int]]],
    share: dict[str, float] | None = None,
) -> None:
    """Every participant's rows from ``script`` (the agreed owner elsewhere), or only the first
    ``share`` of each participant's rows by role (an open round some have started)."""
    items = list(round.items.order_by("position", "pk"))
    answers = []
    seen: dict[str, int] = {}
    participants = Participant.objects.filter(round=round).select_related("user").order_by("pk")
    for ordinal, participant in enumerate(participants):
        role = participant.user.role
        turn = seen.get(role, 0)
        seen[role] = turn + 1
        count = len(items) if share is None else int(len(items) * share.get(role, 1.0))
        for n, item in enumerate(items[:count]):
            default = AGREED_PM if item.intended_owner == "pm" else AGREED_PMM
            if item.intended_owner == "shared":
                default = (["both"], ["both"], ["both"], [3, 4, 3, 4])
            pm_says, pmm_says, cmo_says, scores = script.get(item.name, default)
            said = pm_says if role == Role.PM else pmm_says if role == Role.PMM else cmo_says
            answers.append(
                Answer(
                    participant=participant,
                    item=item,
                    owner=said[turn % len(said)],
                    score=scores[(ordinal + n // 7) % len(scores)],
                    comment=_comment(item.name, role) if turn == 0 else "",
                )
            )
    Answer.objects.bulk_create(answers)


COMMENTS: dict[tuple[str, str], str] = {
    ("Go-to-market strategy", Role.PMM): "PM writes the plan, but we rebuild it for each segment anyway.",
    ("Go-to-market strategy", Role.PM): "We own it; marketing joins too late to shape it.",
    (
        "Value proposition",
        Role.PMM,
    ): "We rewrite it for every campaign because the product's one is feature-led.",
    ("Knowledge transfer before launch", Role.PMM): "We get a brain dump the week before release.",
    ("Sales enablement tools and training", Role.CMO): "Reps say the decks are out of date by launch day.",
    ("Win/loss feedback", Role.PM): "We hear about lost deals from sales leadership, months later.",
}


def _comment(name: str, role: str) -> str:
    return COMMENTS.get((name, role), "")
