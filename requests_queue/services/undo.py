"""Taking back a step made by mistake, within a few seconds (the queue's "Undo").

A step that can be undone (taking a request on, delivering it, a triage decision taken
on a queue row, each request of a bulk step) is run by ``undoable``: it notes what the request held before and the last event, runs the
step with its notifications held for ``UNDO_SECONDS`` (``notifications_held``), and
hands back a signed token. ``request_undo`` with that token, by the same person,
within ``UNDO_SECONDS``, and only if nothing else happened to the request since, puts
every field back, withdraws the step's notifications (they have not gone out yet),
removes an asset the step published, takes back the reuse an answer from the library
counted and the followers a duplicate brought to its original, and writes "Undone" in
the history. The token
carries the state itself, signed: nothing is stored for steps never undone.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core import signing
from django.db import transaction
from django.db.models import F, Max

from pmm_portal.core.models import User

from ..models import Asset, EventKind, Notification, Request, RequestEvent, RequestFollower
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


# What a correction of the request (its type, its product and so its team) also puts back.
RECATEGORIZED = ("type", "product", "team")


def _fields(also: tuple[str, ...] = ()) -> list[Any]:
    return [f for f in Request._meta.concrete_fields if f.name not in KEPT_AS_ASKED or f.name in also]


def undoable(
    request: Request, actor: User, step: Callable[[], T], *, also: tuple[str, ...] = ()
) -> tuple[T, str]:
    """Run ``step`` on ``request`` (in one transaction, notifications held); return what it
    returned and the undo token. ``also``: fields kept as asked that this step may change
    (``RECATEGORIZED``), put back too."""
    with transaction.atomic():
        before = Request.objects.select_for_update().get(pk=request.pk)
        state = {
            f.attname: None if f.value_from_object(before) is None else f.value_to_string(before)
            for f in _fields(also)
        }
        last_event = before.events.aggregate(last=Max("pk"))["last"] or 0
        last_asset = Asset.objects.filter(source_request=before).aggregate(last=Max("pk"))["last"] or 0
        last_follower = RequestFollower.objects.aggregate(last=Max("pk"))["last"] or 0
        with notifications_held(UNDO_SECONDS + 2):
            result = step()
    token = signing.dumps(
        {"r": request.pk, "u": actor.pk, "e": last_event, "a": last_asset, "f": last_follower, "s": state},
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
    reused, original = request.reused_asset_id, request.duplicate_of_id
    for field in _fields(RECATEGORIZED):
        if field.attname not in data["s"]:
            continue  # a field this step could not change (see ``undoable``'s ``also``)
        raw = data["s"][field.attname]
        setattr(request, field.attname, None if raw is None else field.to_python(raw))
    refresh_priority(request)
    request.save()
    if reused is not None and request.reused_asset_id != reused:
        Asset.objects.filter(pk=reused, reuse_count__gt=0).update(reuse_count=F("reuse_count") - 1)
    if original is not None and request.duplicate_of_id != original:
        _forget_followers(original, duplicate=request, after=data.get("f", 0))
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


def _forget_followers(original_id: int, *, duplicate: Request, after: int) -> None:
    """Take back the followers marking ``duplicate`` brought to its original (those added since the
    step), and recompute the original's priority without their deals."""
    original = Request.objects.select_for_update().get(pk=original_id)
    RequestFollower.objects.filter(request=original, duplicate=duplicate, pk__gt=after).delete()
    refresh_priority(original)
    original.save(update_fields=["priority"])
