"""The request workflow as one table: every move, the statuses it starts from, where it leads, who may.

The services validate each move against this table (``check``), ``permissions``
maps a move to the permission action it needs (``permission_for``), the detail
page and the API offer a move only where the table allows it
(``selectors.actions_available``). The flow (PRODUCT.md)::

    new ──triage──▶ triaged ──start──▶ in_progress ──deliver──▶ delivered
     │  ╲            │                       │
     │   ╲claim      ├─▶ reused (existing asset)        cancelled ◀── any open state (requester)
     │               ├─▶ duplicate (of another request)  declined ◀── any open state but snoozed…
     ├───────────────┼─▶ snoozed ──wake (beat, on the date)──▶ new / triaged
     └───────────────┴─▶ waiting (ask_info) ──answer (the requester replies)──▶ new / triaged

Snoozed and waiting are the paused statuses (``models.PAUSED_STATUSES``): the SLA
clock stands still there, and a PMM may still decide on a waiting request.

Permission actions (see ``permissions``): ``view``, ``comment``, ``triage``,
``claim``, ``work``, ``own``; ``system`` marks a move only the beat task makes.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .models import OPEN_STATUSES, Request, RequestStatus

S = RequestStatus

PERMISSION_ACTIONS: tuple[str, ...] = ("view", "comment", "triage", "claim", "work", "own")
SYSTEM = "system"


class RequestError(ValidationError):
    """A move the state machine or the rules refuse; its message says why and what to do instead.

    A ``ValidationError``: forms show it, the API answers 400 with it.
    """


@dataclass(frozen=True)
class Transition:
    """One move of a request.

    ``target`` is the status it leads to, or None when the status stays (claim,
    log time, rate, comment) or depends on the request (triage keeps an
    in-progress request in progress; wake goes back to new or triaged).
    ``verb`` completes the refusal "…, so it cannot be <verb>".
    ``assignee_only``: only the request's assignee makes it (the service says so
    to anyone else); ``unassigned_only``: only while nobody has the request.
    """

    name: str
    sources: tuple[str, ...]
    target: str | None
    permission: str
    verb: str
    assignee_only: bool = False
    unassigned_only: bool = False


DECIDABLE: tuple[str, ...] = (S.NEW, S.TRIAGED, S.SNOOZED, S.WAITING)
TRIAGEABLE: tuple[str, ...] = (S.NEW, S.TRIAGED, S.SNOOZED, S.WAITING, S.IN_PROGRESS)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("triage", TRIAGEABLE, S.TRIAGED, "triage", "triaged"),
        Transition("accept", DECIDABLE, S.TRIAGED, "triage", "accepted"),
        Transition("claim", (S.NEW, S.TRIAGED), None, "claim", "claimed", unassigned_only=True),
        Transition("start", (S.TRIAGED,), S.IN_PROGRESS, "work", "started", assignee_only=True),
        Transition(
            "log_time",
            (S.TRIAGED, S.IN_PROGRESS, S.DELIVERED),
            None,
            "work",
            "logged against",
            assignee_only=True,
        ),
        Transition(
            "deliver", (S.TRIAGED, S.IN_PROGRESS), S.DELIVERED, "work", "delivered", assignee_only=True
        ),
        Transition("reuse", DECIDABLE, S.REUSED, "triage", "answered with an asset"),
        Transition("duplicate", DECIDABLE, S.DUPLICATE, "triage", "marked as a duplicate"),
        Transition("snooze", (S.NEW, S.TRIAGED), S.SNOOZED, "triage", "snoozed"),
        Transition("wake", (S.SNOOZED,), None, SYSTEM, "woken up"),
        Transition("ask_info", (S.NEW, S.TRIAGED), S.WAITING, "triage", "sent back to the requester"),
        Transition("answer", (S.WAITING,), None, "own", "answered"),
        Transition("decline", (*DECIDABLE, S.IN_PROGRESS), S.DECLINED, "triage", "declined"),
        Transition("cancel", OPEN_STATUSES, S.CANCELLED, "own", "cancelled"),
        Transition("rate", (S.DELIVERED, S.REUSED), None, "own", "rated"),
        Transition("comment", tuple(S.values), None, "comment", "commented on"),
    )
}

# The triage decisions of the detail page, each one move of the table.
DECISIONS: tuple[str, ...] = ("accept", "reuse", "duplicate", "snooze", "ask_info", "decline")


def transition(name: str) -> Transition:
    try:
        return TRANSITIONS[name]
    except KeyError:
        raise ValueError(f"Unknown transition {name!r}") from None


def allows(status: str, name: str) -> bool:
    """Whether a request in ``status`` may make the move ``name``."""
    return status in transition(name).sources


def check(request: Request, name: str) -> None:
    """Refuse the move ``name`` unless the request's status allows it, saying where it stands."""
    move = transition(name)
    status = request.status
    if status not in move.sources:
        names = ", ".join(S(s).label.lower() for s in move.sources)
        raise RequestError(
            f"This request is {S(status).label.lower()}, so it cannot be {move.verb}. "
            f"That is possible only while it is {names}.",
            code="invalid_transition",
        )


def permission_for(name: str) -> str:
    """The permission action (``permissions.PERMISSION_ACTIONS``) a move or an action name needs."""
    if name in PERMISSION_ACTIONS:
        return name
    return transition(name).permission
