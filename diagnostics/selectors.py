"""Reading the diagnostic: the rules that turn answers into agreement, scores and gap flags, and the
pages' reads (rounds, progress, results, heatmap, conversation guide, trend, the report's section).

The rules live here and only here (``assess``): the round page, the API, the monthly report
and the tests all read them. Every read takes a bounded number of queries whatever the number
of responsibilities, participants or answers.
"""

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from pmm_portal.core.models import Team, User

from . import permissions
from .models import Answer, DiagnosticRound, Function, Owner, Participant, RoundItem, RoundStatus, Seat

# --- The rules ----------------------------------------------------------------------------------

AGREEMENT_MIN = 0.6
"""Below this share of answers naming the same owner, people disagree: the item is *blurred*."""
WEAK_MAX = 2.5
"""A mean score at or under this is *weak*."""
DOMINANT = 0.5
"""A share at or above this "dominates" (``both`` on a one-sided responsibility: *duplicated*)."""


class Flag:
    """The gaps a round flags, in the order the conversation guide takes them."""

    UNOWNED = "unowned"
    BLURRED = "blurred"
    DUPLICATED = "duplicated"
    WEAK = "weak"

    ORDER = (UNOWNED, BLURRED, DUPLICATED, WEAK)
    LABELS = {
        UNOWNED: "Unowned",
        BLURRED: "Blurred",
        DUPLICATED: "Duplicated",
        WEAK: "Weak",
    }
    MEANINGS = {
        UNOWNED: "Most participants say nobody does it.",
        BLURRED: f"Participants disagree on who does it (under {AGREEMENT_MIN:.0%} name the same owner).",
        DUPLICATED: "Both functions say they do it, where one side is meant to own it.",
        WEAK: f"It is done poorly (mean score {WEAK_MAX} or less out of 5).",
    }
    # The questions to settle in the conversation, from the rapid diagnostic: roles, then
    # capability and capacity.
    QUESTIONS = {
        UNOWNED: (
            "Does this still matter to us? If it does, who takes it on?",
            "What will they stop doing to make room for it?",
        ),
        BLURRED: (
            "Who should own this, and who decides when PM and PMM see it differently?",
            "What does each side do on it today, and what should stop?",
        ),
        DUPLICATED: (
            "Where does each function's part begin and end?",
            "Who leads, and how does the other side contribute without redoing the work?",
        ),
        WEAK: (
            "What would a 4 out of 5 look like here, and who would notice?",
            "Is the gap capability (skills, tools, information) or capacity (time)?",
        ),
    }


@dataclass(frozen=True)
class Vote:
    """One participant's answer on one item, as the rules read it."""

    seat: str
    owner: str = ""  # "" while not answered
    score: int | None = None


@dataclass
class Assessment:
    """What the answers on one responsibility say (see ``assess``)."""

    owner_answers: int = 0
    score_answers: int = 0
    shares: dict[str, float] = field(default_factory=dict)  # Owner value -> share of owner answers
    modal_owner: str = ""
    agreement: float | None = None
    mean_score: float | None = None
    spread: float | None = None  # population standard deviation of the scores
    score_min: int | None = None
    score_max: int | None = None
    flags: list[str] = field(default_factory=list)


def _claims(votes: Sequence[Vote], seat: str, mine: str) -> bool:
    """True when most of ``seat``'s participants say their own function does it (alone or with the other)."""
    answers = [v.owner for v in votes if v.seat == seat and v.owner]
    return bool(answers) and sum(o in (mine, Owner.BOTH) for o in answers) * 2 > len(answers)


def assess(votes: Iterable[Vote], *, intended_owner: str) -> Assessment:
    """Agreement, score and gap flags of one responsibility from its answers.

    - **agreement**: the share of owner answers that name the commonest owner (the
      *modal* answer; on a tie, the first in ``Owner`` order). None without answers.
    - **mean score**, its **spread** (population standard deviation) and its min–max,
      over the answers that give a score.
    - flags, each independent of the others:

      - **unowned**: "nobody" is the commonest answer (alone or tied);
      - **blurred**: agreement under ``AGREEMENT_MIN`` (60 %);
      - **duplicated**: the responsibility is meant for one side (PM or PMM) and either
        "both" dominates (at least ``DOMINANT``, half, of the answers) or each function
        claims it: most PM participants say PM or both, and most PMM participants say
        PMM or both;
      - **weak**: mean score at or under ``WEAK_MAX`` (2.5).

    Answers without an owner count for the score only, and answers without a score for
    the owner only: a half-filled row still says what it says.
    """
    votes = list(votes)
    result = Assessment()
    owners = [v.owner for v in votes if v.owner]
    scores = [v.score for v in votes if v.score is not None]
    result.owner_answers, result.score_answers = len(owners), len(scores)
    if owners:
        counts = Counter(owners)
        result.shares = {o: counts.get(o, 0) / len(owners) for o in Owner.values}
        top = max(counts.values())
        result.modal_owner = next(o for o in Owner.values if counts.get(o, 0) == top)
        result.agreement = top / len(owners)
        if counts.get(Owner.NOBODY, 0) == top:
            result.flags.append(Flag.UNOWNED)
        if result.agreement < AGREEMENT_MIN:
            result.flags.append(Flag.BLURRED)
        one_sided = intended_owner in (Function.PM, Function.PMM)
        both_dominates = result.shares[Owner.BOTH] >= DOMINANT
        each_claims = _claims(votes, Seat.PM, Owner.PM) and _claims(votes, Seat.PMM, Owner.PMM)
        if one_sided and (both_dominates or each_claims):
            result.flags.append(Flag.DUPLICATED)
    if scores:
        result.mean_score = sum(scores) / len(scores)
        result.spread = statistics.pstdev(scores)
        result.score_min, result.score_max = min(scores), max(scores)
        if result.mean_score <= WEAK_MAX:
            result.flags.append(Flag.WEAK)
    result.flags.sort(key=Flag.ORDER.index)
    return result


# --- Rounds and their progress ------------------------------------------------------------------


def _answered_rows() -> Q:
    return ~Q(answers__owner="") & Q(answers__score__isnull=False)


def round_list(*, user: User) -> QuerySet[DiagnosticRound]:
    """The rounds ``user`` sees, newest first, with their size and the user's own progress.

    One query: the counts are subqueries, so no join multiplies rows.
    """
    items = RoundItem.objects.filter(round=OuterRef("pk")).values("round").annotate(n=Count("pk")).values("n")
    people = (
        Participant.objects.filter(round=OuterRef("pk")).values("round").annotate(n=Count("pk")).values("n")
    )
    mine = (
        Answer.objects.filter(participant__round=OuterRef("pk"), participant__user=user, score__isnull=False)
        .exclude(owner="")
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    seat = Participant.objects.filter(round=OuterRef("pk"), user=user).values("seat")[:1]
    zero = Value(0, output_field=IntegerField())
    return (
        permissions.rounds_visible_to(user)
        .select_related("team", "opened_by")
        .annotate(
            item_count=Coalesce(Subquery(items, output_field=IntegerField()), zero),
            participant_count=Coalesce(Subquery(people, output_field=IntegerField()), zero),
            my_answered=Coalesce(Subquery(mine, output_field=IntegerField()), zero),
            my_seat=Subquery(seat),
        )
        .order_by("-opened_at", "-id")
    )


@dataclass
class Progress:
    """Who has answered how much of an open round (never what)."""

    items: int
    rows: list[dict[str, Any]]

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if row["answered"] >= self.items)


def round_progress(round: DiagnosticRound) -> Progress:
    """Each participant and how many rows they have answered (two queries)."""
    items = RoundItem.objects.filter(round=round).count()
    participants = (
        Participant.objects.filter(round=round)
        .select_related("user")
        .annotate(answered=Count("answers", filter=_answered_rows()))
        .order_by("user__first_name", "user__last_name", "pk")
    )
    rows = [
        {
            "user": p.user,
            "seat": p.get_seat_display(),
            "answered": p.answered,
            "complete": p.answered >= items,
        }
        for p in participants
    ]
    return Progress(items=items, rows=rows)


@dataclass
class Sheet:
    """A participant's answer sheet: the round's items with their own answers, grouped by area."""

    participant: Participant
    rows: list[tuple[RoundItem, Answer | None]]

    @property
    def answered(self) -> int:
        return sum(1 for _, answer in self.rows if answer is not None and answer.complete)

    @property
    def areas(self) -> list[tuple[str, list[tuple[RoundItem, Answer | None]]]]:
        grouped: dict[str, list[tuple[RoundItem, Answer | None]]] = {}
        for item, answer in self.rows:
            grouped.setdefault(item.area, []).append((item, answer))
        return list(grouped.items())


def answer_sheet(*, participant: Participant) -> Sheet:
    """The participant's own rows (two queries); nobody else's answers are read."""
    mine = {a.item_id: a for a in Answer.objects.filter(participant=participant)}
    items = list(RoundItem.objects.filter(round_id=participant.round_id).order_by("position", "pk"))
    return Sheet(participant=participant, rows=[(item, mine.get(item.pk)) for item in items])


# --- Results of a closed round ------------------------------------------------------------------


@dataclass
class ItemResult:
    item: RoundItem
    assessment: Assessment
    comments: list[str]
    score_delta: float | None = None
    agreement_delta: float | None = None
    previous: Assessment | None = None

    @property
    def flags(self) -> list[str]:
        return self.assessment.flags

    @property
    def modal_label(self) -> str:
        return Owner(self.assessment.modal_owner).label if self.assessment.modal_owner else "—"

    @property
    def flag_labels(self) -> list[tuple[str, str]]:
        return [(flag, Flag.LABELS[flag]) for flag in self.assessment.flags]

    @property
    def questions(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(Flag.LABELS[flag], Flag.QUESTIONS[flag]) for flag in self.assessment.flags]


@dataclass
class HeatRow:
    area: str
    owner_cells: list[dict[str, Any]]
    seat_cells: list[dict[str, Any]]


@dataclass
class Results:
    round: DiagnosticRound
    items: list[ItemResult]
    heatmap: list[HeatRow]
    seats: list[tuple[str, str]]
    previous: DiagnosticRound | None
    participant_count: int

    @property
    def flag_counts(self) -> list[dict[str, Any]]:
        counts = Counter(flag for r in self.items for flag in r.flags)
        return [
            {"kind": kind, "label": Flag.LABELS[kind], "meaning": Flag.MEANINGS[kind], "count": counts[kind]}
            for kind in Flag.ORDER
        ]

    @property
    def guide(self) -> list[ItemResult]:
        """The conversation guide: flagged items first (most flags, then lowest score), then the rest."""
        flagged = [r for r in self.items if r.flags]
        flagged.sort(key=lambda r: (-len(r.flags), r.assessment.mean_score or 0, r.item.position))
        return flagged

    @property
    def settled(self) -> list[ItemResult]:
        return [r for r in self.items if not r.flags]


def _level(share: float | None) -> int:
    """A 0–4 step of a share, for the cell's shade (the text says the value)."""
    return 0 if share is None else min(4, int(share * 5))


def _score_level(score: float | None) -> int:
    return 0 if score is None else max(0, min(4, round(score) - 1))


def _votes_by_item(
    round_id: int, *, key: str = "item_id"
) -> tuple[dict[int, list[Vote]], dict[int, list[str]]]:
    votes: dict[int, list[Vote]] = defaultdict(list)
    comments: dict[int, list[str]] = defaultdict(list)
    rows = Answer.objects.filter(item__round_id=round_id).values_list(
        key, "participant__seat", "owner", "score", "comment"
    )
    for item_key, seat, owner, score, comment in rows.order_by("item_id", "participant_id"):
        votes[item_key].append(Vote(seat=seat, owner=owner, score=score))
        if comment:
            comments[item_key].append(comment)
    return votes, comments


def previous_round(round: DiagnosticRound) -> DiagnosticRound | None:
    """The team's last round closed before ``round`` was (the trend's starting point)."""
    if round.closed_at is None:
        return None
    return (
        DiagnosticRound.objects.filter(
            team_id=round.team_id, status=RoundStatus.CLOSED, closed_at__lt=round.closed_at
        )
        .order_by("-closed_at", "-pk")
        .first()
    )


def round_results(round: DiagnosticRound, *, with_trend: bool = True) -> Results:
    """Everything the results page shows of a closed round (five queries at most, whatever its size)."""
    items = list(RoundItem.objects.filter(round=round).order_by("position", "pk"))
    votes, comments = _votes_by_item(round.pk)
    participant_count = Participant.objects.filter(round=round).count()
    previous = previous_round(round) if with_trend else None
    before: dict[int, Assessment] = {}
    if previous is not None:
        old_votes, _ = _votes_by_item(previous.pk, key="item__responsibility_id")
        old_intended = dict(
            RoundItem.objects.filter(round=previous).values_list("responsibility_id", "intended_owner")
        )
        before = {rid: assess(v, intended_owner=old_intended.get(rid, "")) for rid, v in old_votes.items()}
    results = []
    for item in items:
        now = assess(votes.get(item.pk, []), intended_owner=item.intended_owner)
        result = ItemResult(item=item, assessment=now, comments=comments.get(item.pk, []))
        old = before.get(item.responsibility_id)
        if old is not None:
            result.previous = old
            if now.mean_score is not None and old.mean_score is not None:
                result.score_delta = now.mean_score - old.mean_score
            if now.agreement is not None and old.agreement is not None:
                result.agreement_delta = now.agreement - old.agreement
        results.append(result)
    seats = _seats_present(votes)
    return Results(
        round=round,
        items=results,
        heatmap=_heatmap(items, votes, seats),
        seats=seats,
        previous=previous,
        participant_count=participant_count,
    )


def _seats_present(votes: dict[int, list[Vote]]) -> list[tuple[str, str]]:
    present = {v.seat for vs in votes.values() for v in vs}
    return [(value, label) for value, label in Seat.choices if value in present]


def _heatmap(
    items: list[RoundItem], votes: dict[int, list[Vote]], seats: list[tuple[str, str]]
) -> list[HeatRow]:
    """Per area: the share of answers naming each owner, and the mean score each function gives."""
    by_area: dict[str, list[Vote]] = {}
    for item in items:
        by_area.setdefault(item.area, []).extend(votes.get(item.pk, []))
    rows = []
    for area, area_votes in by_area.items():
        owners = [v.owner for v in area_votes if v.owner]
        counts = Counter(owners)
        owner_cells = []
        for value, label in Owner.choices:
            share = counts.get(value, 0) / len(owners) if owners else None
            owner_cells.append({"label": label, "share": share, "level": _level(share)})
        seat_cells = []
        for value, label in seats:
            scores = [v.score for v in area_votes if v.seat == value and v.score is not None]
            mean = sum(scores) / len(scores) if scores else None
            seat_cells.append({"label": label, "score": mean, "level": _score_level(mean)})
        rows.append(HeatRow(area=area, owner_cells=owner_cells, seat_cells=seat_cells))
    return rows


# --- The monthly review report ------------------------------------------------------------------

TOP_FLAGGED = 5


def report_section(*, team: Team, end_at: dt.datetime) -> dict[str, Any] | None:
    """The report's diagnostic section: the team's latest round closed before ``end_at``.

    A closed round never changes (no answer is written after it closes, and it cannot be
    reopened), so regenerating a past month gives the same section. None when the team
    had closed no round by then.
    """
    round = (
        DiagnosticRound.objects.filter(team=team, status=RoundStatus.CLOSED, closed_at__lt=end_at)
        .order_by("-closed_at", "-pk")
        .first()
    )
    if round is None:
        return None
    results = round_results(round, with_trend=False)
    names = list(
        Participant.objects.filter(round=round)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )
    assert round.closed_at is not None
    return {
        "title": round.title,
        "closed_on": round.closed_at.astimezone(team.zone).date().isoformat(),
        "participants": [p.user.display_name for p in names],
        "responsibilities": len(results.items),
        "flags": [{"kind": c["kind"], "label": c["label"], "count": c["count"]} for c in results.flag_counts],
        "top": [
            {
                "name": r.item.name,
                "area": r.item.area,
                "flags": [Flag.LABELS[f] for f in r.flags],
                "agreement": r.assessment.agreement,
                "score": r.assessment.mean_score,
            }
            for r in results.guide[:TOP_FLAGGED]
        ],
    }
