"""One step on many requests at once (the queue's bulk triage), reporting what it did to each.

Each request goes through the service that makes the step alone, in its own savepoint:
one refused (a declined request cannot be snoozed) leaves the others done, and the PMM
is told which and why. Only requests the person sees are touched; the permission of
each step is checked per request, as on its page. Each request's step can be undone for
a few seconds (``services.undo``), all of them together (``request_bulk_undo``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from pmm_portal.core.models import Product, User

from ..models import Request, RequestType
from ..permissions import can_act_on_request, visible_to
from ..workflow import RequestError
from .lifecycle import default_due_date, request_accept, request_decline, request_recategorize, request_snooze
from .undo import RECATEGORIZED, request_undo, undoable

BULK_ACTIONS: dict[str, str] = {
    "assign": "Assign to",
    "snooze": "Snooze until",
    "decline": "Decline, offering",
    "type": "Set the type",
    "product": "Set the product",
}
# The permission action (or workflow move) each bulk step needs on every request.
BULK_MOVES = {
    "assign": "accept",
    "snooze": "snooze",
    "decline": "decline",
    "type": "triage",
    "product": "triage",
}
MAX_BULK = 100


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk step did to one request: ``done``, or why not in ``message``."""

    request_id: int
    title: str
    done: bool
    message: str = ""
    undo: str = ""  # the token that takes this request's step back (``services.undo``)


def request_bulk(
    *,
    actor: User,
    ids: Iterable[int],
    action: str,
    assignee: User | None = None,
    until: date | None = None,
    alternative: str = "",
    type: str = "",
    product: Product | None = None,
) -> list[BulkOutcome]:
    """Apply ``action`` to the requests ``ids`` that ``actor`` sees, each on its own; one outcome per id."""
    ids = list(dict.fromkeys(int(pk) for pk in ids))
    errors: dict[str, str] = {}
    if not ids:
        errors["ids"] = "Select at least one request."
    elif len(ids) > MAX_BULK:
        errors["ids"] = f"Select at most {MAX_BULK} requests at once."
    if action not in BULK_ACTIONS:
        errors["action"] = "Pick what to do with the selected requests."
    elif action == "assign" and assignee is None:
        errors["assignee"] = "Pick who gets them."
    elif action == "snooze" and until is None:
        errors["until"] = "Pick the date they come back."
    elif action == "decline" and not alternative.strip():
        errors["alternative"] = (
            "Offer an alternative (an existing asset, a colleague, a later date…): no hard no."
        )
    elif action == "type" and type not in RequestType.values:
        errors["type"] = "Pick one of the request types."
    elif action == "product" and product is None:
        errors["product"] = "Pick the product."
    if errors:
        raise RequestError(errors)
    found = {r.pk: r for r in visible_to(actor).select_related("team", "assignee").filter(pk__in=ids)}
    outcomes = []
    for pk in ids:
        request = found.get(pk)
        if request is None:
            outcomes.append(BulkOutcome(pk, "", False, "Not found, or not yours to see."))
            continue
        if not can_act_on_request(actor, request, BULK_MOVES[action]):
            outcomes.append(BulkOutcome(pk, request.title, False, "You cannot do that on this request."))
            continue
        try:
            with transaction.atomic():
                _, token = undoable(
                    request,
                    actor,
                    lambda request=request: _apply(  # type: ignore[misc]
                        request, actor, action, assignee, until, alternative, type, product
                    ),
                    also=RECATEGORIZED if action in ("type", "product") else (),
                )
        except ValidationError as error:
            outcomes.append(BulkOutcome(pk, request.title, False, " ".join(error.messages)))
        else:
            outcomes.append(BulkOutcome(pk, request.title, True, undo=token))
    return outcomes


def request_bulk_undo(*, actor: User, undos: Iterable[tuple[int, str]]) -> tuple[list[int], list[str]]:
    """Take back each request's step of a bulk step (request id and undo token), each on its own:
    one that someone acted on since stays as it is. Returns the ids put back and a line per one left."""
    undone, left = [], []
    for pk, token in undos:
        try:
            with transaction.atomic():
                undone.append(request_undo(actor=actor, token=token, request_id=pk).pk)
        except ValidationError as error:
            left.append(f"#{pk} not put back: {' '.join(error.messages)}")
    return undone, left


def _apply(
    request: Request,
    actor: User,
    action: str,
    assignee: User | None,
    until: date | None,
    alternative: str,
    type: str,
    product: Product | None,
) -> None:
    if action == "assign" and assignee is not None:
        due, reason = default_due_date(request)
        request_accept(request=request, actor=actor, assignee=assignee, due_date=due, due_date_reason=reason)
    elif action == "snooze" and until is not None:
        request_snooze(request=request, actor=actor, until=until)
    elif action == "decline":
        request_decline(request=request, actor=actor, alternative=alternative)
    elif action == "type":
        request_recategorize(request=request, actor=actor, type=type)
    elif action == "product" and product is not None:
        request_recategorize(request=request, actor=actor, product=product)


def bulk_summary(
    action: str, outcomes: list[BulkOutcome], *, until: date | None = None
) -> tuple[str, list[str]]:
    """What to tell the PMM: one line for what was done, one per request left unchanged (and why)."""
    done = [o for o in outcomes if o.done]
    verbs = {
        "assign": "Assigned",
        "snooze": f"Snoozed until {until:%d %b}" if until else "Snoozed",
        "decline": "Declined with your alternative",
        "type": "Type set on",
        "product": "Product set on",
    }
    headline = (
        f"{verbs[action]}: {len(done)} request{'' if len(done) == 1 else 's'} ({', '.join(f'#{o.request_id}' for o in done)})."
        if done
        else "Nothing was changed."
    )
    return headline, [f"#{o.request_id} not changed: {o.message}" for o in outcomes if not o.done]
