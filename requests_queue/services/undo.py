"""Taking back a step made by mistake, within a few seconds (the queue's "Undo").

A step that can be undone (taking a request on, delivering it from the queue) is run
by ``undoable``: it notes what the request held before and the last event, runs the
step with its notifications held for ``UNDO_SECONDS`` (``notifications_held``), and
hands back a signed token. ``request_undo`` with that token, by the same person,
within ``UNDO_SECONDS``, and only if nothing else happened to the request since, puts
every field back, withdraws the step's notifications (they have not gone out yet),
removes an asset the step published, and writes "Undone" in the history. The token
carries the state itself, signed: nothing is stored for steps never undone.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core import signing
from django.db import transaction
from django.db.models import Max

from pmm_portal.core.models import User

from ..models import Asset, EventKind, Notification, Request, RequestEvent
from ..workflow import RequestError
from .notifications import notifications_held, record
from .scoring import refresh_priority

T = TypeVar("T")
UNDO_SECONDS = 15
SALT = "requests_queue.undo"
# What a step may change, put back as it was (the request's own columns, not who asked what).
KEPT_AS_ASKED = frozenset(
    {
        "id",
        "requester",
        "team",
        "product",
        "type",
        "title",
        "details",
        "account",
        "opportunity_value",
        "needed_by",
        "competitor",
        "deal_stage",
        "self_served",
        "rating",
        "rating_comment",
        "created_at",
        "updated_at",
    }
)


def _fields() -> list[Any]:
    return [f for f in Request._meta.concrete_fields if f.name not in KEPT_AS_ASKED]


def undoable(request: Request, actor: User, step: Callable[[], T]) -> tuple[T, str]:
    """Run ``step`` on ``request`` (in one transaction, notifications held); return what it
    returned and the undo token."""
    with transaction.atomic():
        before = Request.objects.select_for_update().get(pk=request.pk)
        state = {
            f.attname: None if f.value_from_object(before) is None else f.value_to_string(before)
            for f in _fields()
        }
        last_event = before.events.aggregate(last=Max("pk"))["last"] or 0
        last_asset = Asset.objects.filter(source_request=before).aggregate(last=Max("pk"))["last"] or 0
        with notifications_held(UNDO_SECONDS + 2):
            result = step()
    token = signing.dumps(
        {"r": request.pk, "u": actor.pk, "e": last_event, "a": last_asset, "s": state},
        salt=SALT,
        compress=True,
    )
    return result, token


@transaction.atomic
def request_undo(*, actor: User, token: str, request_id: int | None = None) -> Request:
    """Take back the step ``token`` stands for (see the module); says why when it is too late."""
    try:
        data = signing.loads(token, salt=SALT, max_age=UNDO_SECONDS)
    except signing.SignatureExpired as expired:
        raise RequestError(
            f"Too late to undo: a step can be taken back for {UNDO_SECONDS} seconds."
        ) from expired
    except signing.BadSignature as bad:
        raise RequestError("This undo link is not valid.") from bad
    if data["u"] != actor.pk:
        raise RequestError("Only who took a step can undo it.")
    if request_id is not None and data["r"] != request_id:
        raise RequestError("This undo link is for another request.")
    request = Request.objects.select_for_update().get(pk=data["r"])
    since = list(request.events.filter(pk__gt=data["e"]).order_by("pk"))
    if any(event.actor_id != actor.pk for event in since):
        raise RequestError("Someone else acted on this request since: it can no longer be undone.")
    for field in _fields():
        raw = data["s"][field.attname]
        setattr(request, field.attname, None if raw is None else field.to_python(raw))
    refresh_priority(request)
    request.save()
    ids = [event.pk for event in since]
    already_told = RequestEvent.objects.filter(pk__in=ids, dispatched_at__isnull=False).exists()
    RequestEvent.objects.filter(pk__in=ids).update(notify=False)
    Notification.objects.filter(event_id__in=ids).delete()
    Asset.objects.filter(source_request=request, pk__gt=data["a"]).delete()
    record(
        request=request,
        kind=EventKind.COMMENTED,
        actor=actor,
        message=f"Undone: back to {request.get_status_display().lower()}"
        + ("" if request.assignee_id else ", unassigned")
        + ".",
        notify=already_told,  # whoever heard of the step hears that it was taken back
    )
    return request
