"""The diagnostic's fixtures: the shared cast's team with its default responsibilities, and rounds."""

import pytest

from diagnostics import services
from diagnostics.models import DiagnosticRound, Participant


@pytest.fixture
def round_open(team, cmo, pmm, pm) -> DiagnosticRound:
    """An open round of the cast's team asking its PMM, its PM and its CMO."""
    return services.round_open(actor=cmo, team=team, title="Q3 diagnostic", participants=[pmm, pm, cmo])


def seat(round: DiagnosticRound, user) -> Participant:
    return Participant.objects.get(round=round, user=user)


def answer_all(round: DiagnosticRound, user, owner: str, score: int, **by_name: tuple[str, int]) -> None:
    """``user`` answers every row: ``owner`` and ``score``, except the rows named in ``by_name``."""
    participant = seat(round, user)
    for item in round.items.all():
        row_owner, row_score = by_name.get(item.name, (owner, score))
        services.answer_save(participant=participant, item_id=item.pk, owner=row_owner, score=row_score)
