"""Triage in one step: the scores and the decision (accept, reuse, duplicate, snooze, ask, decline) together.

``request_triage_decide`` checks everything the submission needs before it writes
anything, and returns every problem at once, by field, so the page can keep all
the user entered and say what to fix next to each field; the API answers 400
with the same fields. Then it scores and makes the move in one transaction: if
the move still fails (someone acted at the same moment), the scores roll back too.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from pmm_portal.core.dates import today_in
from pmm_portal.core.models import User

from .. import workflow
from ..models import Asset, Request, RequestStatus
from ..workflow import RequestError
from .lifecycle import (
    check_due_date,
    default_due_date,
    request_accept,
    request_ask_info,
    request_decline,
    request_mark_duplicate,
    request_mark_reused,
    request_snooze,
    request_triage,
)

S = RequestStatus

SCORE_ONLY = "score"
DECISION_LABELS: dict[str, str] = {
    SCORE_ONLY: "Only save the scores (decide later)",
    "accept": "Accept: assign and set a due date",
    "reuse": "Answer with an existing asset",
    "duplicate": "Duplicate of another request",
    "snooze": "Snooze until a date",
    "ask_info": "Ask the requester for more information",
    "decline": "Decline with an alternative",
}
# The fields each decision needs (the page marks them required; ``due_date_reason`` only when late).
DECISION_FIELDS: dict[str, tuple[str, ...]] = {
    SCORE_ONLY: (),
    "accept": ("assignee", "due_date"),
    "reuse": ("asset",),
    "duplicate": ("duplicate_of",),
    "snooze": ("snoozed_until",),
    "ask_info": ("question",),
    "decline": ("decline_alternative",),
}
MISSING: dict[str, str] = {
    "assignee": "Pick who will do it.",
    "due_date": "Set a due date.",
    "asset": "Pick the asset that answers the request.",
    "duplicate_of": "Give the number of the original request.",
    "snoozed_until": "Pick the date it comes back.",
    "question": "Say what you need from the requester.",
    "decline_alternative": "Offer an alternative (an existing asset, a colleague, a later date…): no hard no.",
}


@dataclass(frozen=True)
class Decision:
    """What triage decided and the fields that decision needs (the others are ignored)."""

    move: str = SCORE_ONLY
    assignee: User | None = None
    due_date: date | None = None
    due_date_reason: str = ""
    asset: Asset | None = None
    duplicate_of: Request | None = None
    snoozed_until: date | None = None
    decline_alternative: str = ""
    question: str = ""
    message: str = ""


def status_after_scoring(request: Request) -> str:
    """The status a request has once scored (what its decision moves from)."""
    return S.TRIAGED if request.status in (S.NEW, S.SNOOZED) else request.status


def triage_problems(
    request: Request,
    *,
    reusability: int | None,
    educational_value: int | None,
    effort_hours: Decimal | None,
    decision: Decision,
) -> dict[str, str]:
    """Everything wrong with this triage submission, by field; empty when it may go ahead.

    A score left out keeps the one the request has; a request never scored needs both
    and an effort estimate.
    """
    problems: dict[str, str] = {}
    if not workflow.allows(request.status, "triage"):
        try:
            workflow.check(request, "triage")
        except RequestError as error:
            return {"decision": error.messages[0]}
    for field, value, label in (
        ("reusability", reusability, "reusability"),
        ("educational_value", educational_value, "educational value"),
    ):
        stored = getattr(request, field)
        if (value is None and stored is None) or (value is not None and not 1 <= value <= 5):
            problems[field] = f"Give {label} a score from 1 to 5."
    if (effort_hours is None and request.effort_hours is None) or (
        effort_hours is not None and not 0 <= effort_hours <= 400
    ):
        problems["effort_hours"] = "Estimate the effort in hours, between 0 and 400."
    move = decision.move
    if move not in DECISION_FIELDS:
        problems["decision"] = "Pick a decision."
        return problems
    if move != SCORE_ONLY and not workflow.allows(status_after_scoring(request), move):
        status = S(request.status).label.lower()
        problems["decision"] = f"This request is {status}: that decision is not possible now."
        return problems
    for field in DECISION_FIELDS[move]:
        value = getattr(decision, field)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems[field] = MISSING[field]
    if move == "accept" and decision.due_date is not None:
        problems.update(check_due_date(request, decision.due_date, decision.due_date_reason))
    if (
        move == "snooze"
        and decision.snoozed_until is not None
        and decision.snoozed_until <= today_in(request.team)
    ):
        problems["snoozed_until"] = "Snooze until a future date."
    return problems


SNOOZE_DAYS = 7  # a snooze offered on a queue row: a week, unless the PMM picks another date


def queue_decision_defaults(request: Request, actor: User, move: str) -> dict[str, object]:
    """What a queue row's decide form starts with, so a decision often takes one key and Enter:
    ``move`` chosen, the request assigned to the PMM deciding, due when the rep needs it (today
    with a reason when that date has passed), a snooze of a week, its scores as they are."""
    due, reason = default_due_date(request)
    return {
        "decision": move if move in DECISION_FIELDS else "accept",
        "assignee": actor.pk if request.assignee_id is None else request.assignee_id,
        "due_date": due,
        "due_date_reason": reason,
        "snoozed_until": today_in(request.team) + timedelta(days=SNOOZE_DAYS),
        "reusability": request.reusability,
        "educational_value": request.educational_value,
        "effort_hours": request.effort_hours,
    }


@transaction.atomic
def request_triage_decide(
    *,
    request: Request,
    actor: User,
    reusability: int | None = None,
    educational_value: int | None = None,
    effort_hours: Decimal | None = None,
    decision: Decision | None = None,
) -> Request:
    """Score a request and make the triage decision in one step; nothing changes unless all of it is valid."""
    decision = decision or Decision()
    problems = triage_problems(
        request,
        reusability=reusability,
        educational_value=educational_value,
        effort_hours=effort_hours,
        decision=decision,
    )
    if problems:
        raise RequestError(problems)
    request = request_triage(
        request=request,
        actor=actor,
        reusability=reusability if reusability is not None else request.reusability,  # type: ignore[arg-type]
        educational_value=(
            educational_value if educational_value is not None else request.educational_value  # type: ignore[arg-type]
        ),
        effort_hours=effort_hours if effort_hours is not None else request.effort_hours,  # type: ignore[arg-type]
    )
    move, message = decision.move, decision.message
    if move == "accept":
        request = request_accept(
            request=request,
            actor=actor,
            assignee=decision.assignee,  # type: ignore[arg-type]  # checked by triage_problems
            due_date=decision.due_date,  # type: ignore[arg-type]
            due_date_reason=decision.due_date_reason,
            message=message,
        )
    elif move == "reuse":
        request = request_mark_reused(request=request, actor=actor, asset=decision.asset, message=message)  # type: ignore[arg-type]
    elif move == "duplicate":
        request = request_mark_duplicate(
            request=request,
            actor=actor,
            original=decision.duplicate_of,  # type: ignore[arg-type]
            message=message,
        )
    elif move == "snooze":
        request = request_snooze(request=request, actor=actor, until=decision.snoozed_until, message=message)  # type: ignore[arg-type]
    elif move == "ask_info":
        request = request_ask_info(request=request, actor=actor, question=decision.question)
    elif move == "decline":
        request = request_decline(request=request, actor=actor, alternative=decision.decline_alternative)
    return request
