"""Every change to a request: the state machine, in one place.

Each transition is a named, keyword-only function that validates first (raising
``RequestError`` with a message a person can act on), then writes inside one
transaction, then records a ``RequestEvent``. The event is the transactional
outbox: its notification task is enqueued after commit, and re-enqueued by the
beat task ``requests_queue.dispatch_outbox`` when the broker was down.

The flow (PRODUCT.md)::

    new ──triage──▶ triaged ──start──▶ in_progress ──deliver──▶ delivered
     │  ╲            │                       │
     │   ╲claim      ├─▶ reused (existing asset)        cancelled ◀── any open state (requester)
     │               ├─▶ duplicate (of another request)  declined ◀── any open state (with an alternative)
     └───────────────┴─▶ snoozed ──wake (beat, on the date)──▶ new / triaged
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from pmm_portal.core.models import Product, Role, Team, User

from .models import (
    OPEN_STATUSES,
    Asset,
    AssetKind,
    EventKind,
    Notification,
    NotificationDelivery,
    Request,
    RequestAttachment,
    RequestComment,
    RequestEvent,
    RequestStatus,
    RequestType,
    SlaTarget,
)

logger = logging.getLogger(__name__)

S = RequestStatus

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
ALLOWED_ATTACHMENT_EXTENSIONS = (
    "pdf",
    "docx",
    "doc",
    "pptx",
    "ppt",
    "xlsx",
    "xls",
    "csv",
    "txt",
    "md",
    "png",
    "jpg",
    "jpeg",
    "gif",
)


class RequestError(ValidationError):
    """A move the state machine or the rules refuse; its message says why and what to do instead.

    A ``ValidationError``: forms show it, the API answers 400 with it.
    """


# --- Priority -------------------------------------------------------------------------------

PRIORITY_HELP = (
    "Priority = (3 × reusability + 2 × educational value + 2 × deal value + 3 × urgency) "
    "÷ (1 + effort hours ÷ 16). Each factor is 0–5: unscored reusability and educational value "
    "count as 3; deal value is 0 (none), 1 (< 10k), 2 (< 50k), 3 (< 100k), 4 (< 500k), 5 (≥ 500k); "
    "urgency by days until needed: 5 (≤ 1 day or late), 4 (≤ 3), 3 (≤ 7), 2 (≤ 14), 1 (≤ 30), 0 (later). "
    "Highest first; at most 50."
)

_VALUE_TIERS = ((Decimal(500_000), 5), (Decimal(100_000), 4), (Decimal(50_000), 3), (Decimal(10_000), 2))
_URGENCY_TIERS = ((1, 5), (3, 4), (7, 3), (14, 2), (30, 1))


def deal_value_points(opportunity_value: Decimal | None) -> int:
    if not opportunity_value or opportunity_value <= 0:
        return 0
    for threshold, points in _VALUE_TIERS:
        if opportunity_value >= threshold:
            return points
    return 1


def urgency_points(needed_by: date, today: date) -> int:
    days_left = (needed_by - today).days
    for limit, points in _URGENCY_TIERS:
        if days_left <= limit:
            return points
    return 0


def compute_priority(
    *,
    reusability: int | None,
    educational_value: int | None,
    opportunity_value: Decimal | None,
    needed_by: date,
    effort_hours: Decimal | None,
    today: date | None = None,
) -> Decimal:
    """The documented priority that orders the queue (see ``PRIORITY_HELP``).

    Reuse weighs most (an answer many will use is worth building well), then
    urgency (a deal waits), then what the PMM learns and the deal's size; the
    whole is discounted by effort so quick wins rise. Unscored requests count
    as average (3) on reuse and learning so new ones sort among triaged ones.
    """
    today = today or timezone.localdate()
    reuse = reusability if reusability is not None else 3
    learning = educational_value if educational_value is not None else 3
    score = (
        3 * reuse
        + 2 * learning
        + 2 * deal_value_points(opportunity_value)
        + 3 * urgency_points(needed_by, today)
    )
    effort = Decimal(effort_hours or 0)
    value = Decimal(score) / (1 + effort / 16)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _refresh_priority(request: Request) -> None:
    request.priority = compute_priority(
        reusability=request.reusability,
        educational_value=request.educational_value,
        opportunity_value=request.opportunity_value,
        needed_by=request.needed_by,
        effort_hours=request.effort_hours,
    )


def request_refresh_priorities(*, today: date | None = None) -> int:
    """Recompute the priority of every open request (urgency grows daily); returns how many changed."""
    changed = []
    for request in Request.objects.filter(status__in=OPEN_STATUSES).only(
        "id", "reusability", "educational_value", "opportunity_value", "needed_by", "effort_hours", "priority"
    ):
        new = compute_priority(
            reusability=request.reusability,
            educational_value=request.educational_value,
            opportunity_value=request.opportunity_value,
            needed_by=request.needed_by,
            effort_hours=request.effort_hours,
            today=today,
        )
        if new != request.priority:
            request.priority = new
            changed.append(request)
    Request.objects.bulk_update(changed, ["priority"], batch_size=500)
    return len(changed)


# --- Quadrant advice -------------------------------------------------------------------------


@dataclass(frozen=True)
class Advice:
    quadrant: str
    headline: str
    text: str


def quadrant_advice(*, reusability: int | None, educational_value: int | None) -> Advice | None:
    """What the article advises for a request, by its two scores (high means 4 or 5)."""
    if reusability is None or educational_value is None:
        return None
    high_reuse, high_learning = reusability >= 4, educational_value >= 4
    if high_reuse and high_learning:
        return Advice(
            "build_and_learn",
            "Build an asset, and do it yourself",
            "Many will reuse the answer and you will learn from it: do it yourself and publish it to the library.",
        )
    if high_reuse:
        return Advice(
            "build_asset",
            "Build an asset",
            "Others will ask the same: make it reusable and publish it to the library when you deliver.",
        )
    if high_learning:
        return Advice(
            "learn",
            "Do it yourself and learn",
            "Few will reuse it, but you will learn about the product, the customer or the competition.",
        )
    return Advice(
        "redirect",
        "Redirect",
        "Low on both: answer with an existing asset, point to a colleague, or decline with an alternative. "
        "Avoid the hard no.",
    )


# --- Outbox and notifications ----------------------------------------------------------------


def _record(
    *,
    request: Request,
    kind: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    message: str = "",
    notify: bool = True,
) -> RequestEvent:
    """Write the event in the caller's transaction; try to enqueue its notifications after commit."""
    event = RequestEvent.objects.create(
        request=request,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        message=message,
        notify=notify,
    )
    if notify:
        transaction.on_commit(lambda: enqueue_event(event_id=event.pk))
    return event


def enqueue_event(*, event_id: int) -> bool:
    """Hand an event to Celery; a broker outage is logged, not raised (the outbox retries later)."""
    from .tasks import notify_event

    try:
        notify_event.apply_async(
            args=(event_id,),
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
        )
    except Exception:
        logger.warning(
            "Could not enqueue notifications of request event %s; the outbox will retry",
            event_id,
            exc_info=True,
        )
        return False
    return True


def outbox_dispatch(*, older_than: timedelta = timedelta(minutes=2), limit: int = 500) -> int:
    """Re-enqueue events whose notifications were not delivered yet; returns how many were enqueued.

    ``older_than`` leaves events just committed to their own on-commit enqueue.
    Delivery is idempotent, so an event enqueued twice still sends one mail.
    """
    cutoff = timezone.now() - older_than
    pending = list(
        RequestEvent.objects.filter(notify=True, dispatched_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    sent = 0
    for event_id in pending:
        RequestEvent.objects.filter(pk=event_id).update(dispatch_attempts=F("dispatch_attempts") + 1)
        if enqueue_event(event_id=event_id):
            sent += 1
        else:
            break  # the broker is still down: try again at the next beat
    return sent


def _event_recipients(event: RequestEvent) -> list[User]:
    request = event.request
    people: dict[int, User] = {}
    if event.kind == EventKind.SUBMITTED:
        for pmm in User.objects.filter(teams=request.team_id, role=Role.PMM, is_active=True):
            people[pmm.pk] = pmm
    else:
        people[request.requester_id] = request.requester
        for follower in request.followers.all():
            people[follower.pk] = follower
        if request.assignee_id:
            people[request.assignee_id] = request.assignee  # type: ignore[assignment]
    if event.actor_id:
        people.pop(event.actor_id, None)
    return [user for user in people.values() if user.is_active]


def event_text(event: RequestEvent) -> str:
    request = event.request
    actor = event.actor.display_name if event.actor else "Someone"
    title = f"“{request.title}”"
    if event.kind == EventKind.SUBMITTED:
        return f"New request from {actor}: {title} ({request.product.name})"
    if event.kind == EventKind.COMMENTED:
        return f"{actor} commented on {title}"
    if event.kind == EventKind.ASSIGNED:
        return (
            f"{actor} assigned {title} to {request.assignee.display_name if request.assignee else 'nobody'}"
        )
    if event.kind == EventKind.RATED:
        return f"{actor} rated {title} {request.rating}/5"
    label = S(event.to_status).label if event.to_status else "updated"
    return f"{title} is now {label.lower()}" + (f" ({actor})" if event.actor else "")


def event_notify(*, event_id: int) -> int:
    """Create the in-app notifications and send one mail per recipient for an event; idempotent.

    Each mail is guarded by a ``NotificationDelivery`` row, unique per event and
    recipient, locked while the mail goes out: a second run (a retry, or the
    outbox re-enqueueing) finds it and sends nothing. Returns mails sent now.
    """
    event = (
        RequestEvent.objects.select_related(
            "request__product", "request__requester", "request__assignee", "actor"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None or not event.notify:
        return 0
    text = event_text(event)
    url = settings.SITE_URL + event.request.get_absolute_url()
    sent = 0
    for user in _event_recipients(event):
        Notification.objects.get_or_create(
            event=event, recipient=user, defaults={"request": event.request, "text": text[:300]}
        )
        if not user.email:
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    delivery = NotificationDelivery.objects.create(
                        event=event, recipient=user, sent_at=timezone.now()
                    )
            except IntegrityError:
                continue  # already mailed by an earlier run
            body = f"{text}\n\n{event.message}\n\nOpen it: {url}\n".replace("\n\n\n", "\n\n")
            send_mail(f"[PMM Portal] {text}"[:200], body, None, [user.email])
            sent += 1
            # The delivery row commits only with a mail that went out: a failed send rolls it back.
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["sent_at"])
    RequestEvent.objects.filter(pk=event.pk, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return sent


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- Validation helpers ----------------------------------------------------------------------


def validate_attachment(upload: UploadedFile) -> None:
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_ATTACHMENT_EXTENSIONS:
        raise RequestError(
            f"“{name}” is not a file type we accept. Attach a PDF, an Office document, "
            "a text or CSV file, or an image (PNG, JPG, GIF).",
            code="file_type",
        )
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise RequestError(
            f"“{name}” is {(upload.size or 0) / 1024 / 1024:.1f} MB; files can be at most "
            f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB. Share a link to larger files in the details.",
            code="file_size",
        )


def _require_status(request: Request, allowed: Sequence[str], action: str) -> None:
    if request.status not in allowed:
        names = ", ".join(S(s).label.lower() for s in allowed)
        raise RequestError(
            f"This request is {request.get_status_display().lower()}, so it cannot be {action}. "
            f"That is possible only while it is {names}.",
            code="invalid_transition",
        )


def _require_score(value: int | None, field: str, label: str) -> None:
    if value is None or not 1 <= value <= 5:
        raise RequestError({field: f"Give {label} a score from 1 to 5."}, code="score_range")


def _lock(request: Request) -> Request:
    """Re-read the request under a row lock: two people acting at once see each other's change."""
    return Request.objects.select_for_update().get(pk=request.pk)


def _set_status(request: Request, status: str, actor: User | None, *, message: str = "") -> str:
    previous = request.status
    request.status = status
    if status in (S.DELIVERED, S.REUSED, S.DUPLICATE, S.DECLINED, S.CANCELLED):
        request.closed_at = timezone.now()
    _record(
        request=request,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        from_status=previous,
        to_status=status,
        message=message,
    )
    return previous


def _acknowledge(request: Request) -> list[str]:
    if request.acknowledged_at is None:
        request.acknowledged_at = timezone.now()
        return ["acknowledged_at"]
    return []


def _today() -> date:
    return timezone.localdate()


# --- Submission ------------------------------------------------------------------------------


@transaction.atomic
def request_submit(
    *,
    requester: User,
    product: Product,
    type: str,
    title: str,
    details: str = "",
    account: str = "",
    opportunity_value: Decimal | None = None,
    needed_by: date,
    competitor: str = "",
    deal_stage: str = "",
    personas: Iterable[object] = (),
    attachments: Sequence[UploadedFile] = (),
) -> Request:
    """Sales asks product marketing for help: a ``new`` request in the product's team queue."""
    errors: dict[str, str] = {}
    if type not in RequestType.values:
        errors["type"] = "Pick one of the request types."
    if not title.strip():
        errors["title"] = "Say in a few words what you need."
    if needed_by < _today():
        errors["needed_by"] = "The needed-by date is in the past: pick today or a later date."
    if opportunity_value is not None and opportunity_value < 0:
        errors["opportunity_value"] = "The opportunity value cannot be negative."
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = f"Attach at most {MAX_ATTACHMENTS} files."
    if errors:
        raise RequestError(errors)
    for upload in attachments:
        try:
            validate_attachment(upload)
        except RequestError as error:
            raise RequestError({"attachments": error.messages}) from error
    request = Request(
        requester=requester,
        team_id=product.team_id,
        product=product,
        type=type,
        title=title.strip(),
        details=details.strip(),
        account=account.strip(),
        opportunity_value=opportunity_value,
        needed_by=needed_by,
        competitor=competitor.strip(),
        deal_stage=deal_stage,
    )
    _refresh_priority(request)
    request.save()
    if personas:
        request.personas.set(personas)  # type: ignore[arg-type]
    for upload in attachments:
        RequestAttachment.objects.create(
            request=request,
            file=upload,
            original_name=(upload.name or "attachment")[:255],
            size=upload.size or 0,
            uploaded_by=requester,
        )
    _record(request=request, kind=EventKind.SUBMITTED, actor=requester, to_status=S.NEW)
    return request


@transaction.atomic
def request_self_serve(
    *,
    requester: User,
    product: Product,
    title: str,
    type: str = RequestType.OTHER,
    details: str = "",
    asset: Asset | None = None,
    answered_by_request: Request | None = None,
) -> Request:
    """ "This answers my question": record the need as ``reused`` at once, with no marketing work.

    The asset's reuse count goes up (an F() expression, safe when many do it at once).
    """
    if (asset is None) == (answered_by_request is None):
        raise RequestError("Pick the asset or the past request that answers your question.")
    if not title.strip():
        raise RequestError({"title": "Say in a few words what you needed."})
    if answered_by_request is not None and answered_by_request.status != S.DELIVERED:
        raise RequestError("Only a delivered request can answer yours.")
    if asset is None and answered_by_request is not None:
        asset = answered_by_request.published_assets.order_by("-reuse_count").first()
    now = timezone.now()
    request = Request(
        requester=requester,
        team_id=product.team_id,
        product=product,
        type=type if type in RequestType.values else RequestType.OTHER,
        title=title.strip(),
        details=details.strip(),
        needed_by=_today(),
        status=S.REUSED,
        reused_asset=asset,
        answered_by_request=answered_by_request,
        acknowledged_at=now,
        closed_at=now,
    )
    _refresh_priority(request)
    request.save()
    if asset is not None:
        Asset.objects.filter(pk=asset.pk).update(reuse_count=F("reuse_count") + 1)
    _record(
        request=request,
        kind=EventKind.STATUS_CHANGED,
        actor=requester,
        to_status=S.REUSED,
        message="Answered from the library before it reached the queue.",
        notify=False,
    )
    return request


# --- Triage ----------------------------------------------------------------------------------

TRIAGEABLE = (S.NEW, S.TRIAGED, S.SNOOZED, S.IN_PROGRESS)
DECIDABLE = (S.NEW, S.TRIAGED, S.SNOOZED)


@transaction.atomic
def request_triage(
    *,
    request: Request,
    actor: User,
    reusability: int,
    educational_value: int,
    effort_hours: Decimal,
) -> Request:
    """Score a request: reusability and educational value (1–5) and an effort estimate in hours.

    A new or snoozed request becomes ``triaged``; one in progress is re-scored in place.
    """
    request = _lock(request)
    _require_status(request, TRIAGEABLE, "triaged")
    _require_score(reusability, "reusability", "reusability")
    _require_score(educational_value, "educational_value", "educational value")
    if effort_hours is None or effort_hours < 0 or effort_hours > 400:
        raise RequestError({"effort_hours": "Estimate the effort in hours, between 0 and 400."})
    request.reusability = reusability
    request.educational_value = educational_value
    request.effort_hours = effort_hours
    fields = ["reusability", "educational_value", "effort_hours", "priority", "updated_at"]
    fields += _acknowledge(request)
    if request.triaged_at is None:
        request.triaged_at = timezone.now()
        fields.append("triaged_at")
    if request.status in (S.NEW, S.SNOOZED):
        _set_status(request, S.TRIAGED, actor)
        fields += ["status", "snoozed_until"]
        request.snoozed_until = None
    _refresh_priority(request)
    request.save(update_fields=fields)
    return request


def _require_scored(request: Request) -> None:
    if request.reusability is None or request.educational_value is None:
        raise RequestError("Score reusability and educational value first: they decide what to do with it.")


def _check_assignee(request: Request, assignee: User) -> None:
    if not assignee.is_active or assignee.role != Role.PMM:
        raise RequestError({"assignee": "Assign the request to an active product marketer."})
    if not assignee.teams.filter(pk=request.team_id).exists():
        raise RequestError({"assignee": f"{assignee.display_name} is not on the {request.team} team."})


@transaction.atomic
def request_accept(
    *, request: Request, actor: User, assignee: User, due_date: date, message: str = ""
) -> Request:
    """Accept a scored request: assign it to a PMM of its team with a due date (→ ``triaged``)."""
    request = _lock(request)
    _require_status(request, DECIDABLE, "accepted")
    _require_scored(request)
    _check_assignee(request, assignee)
    if due_date < _today():
        raise RequestError({"due_date": "The due date is in the past: pick today or a later date."})
    fields = ["assignee", "due_date", "status", "snoozed_until", "updated_at", *_acknowledge(request)]
    previous_assignee = request.assignee_id
    request.assignee = assignee
    request.due_date = due_date
    request.snoozed_until = None
    if request.status != S.TRIAGED:
        _set_status(request, S.TRIAGED, actor, message=message)
    if previous_assignee != assignee.pk:
        _record(request=request, kind=EventKind.ASSIGNED, actor=actor, message=message)
    request.save(update_fields=fields)
    return request


request_assign = request_accept


class ClaimConflictError(RequestError):
    """Another PMM claimed the request first."""


def request_claim(*, request: Request, actor: User) -> Request:
    """A PMM takes an unassigned request for themselves.

    Two PMMs may click "Claim" at the same moment. The claim is one conditional
    ``UPDATE … WHERE assignee_id IS NULL``: the database serialises the two
    updates on the row, the second finds the condition false and changes
    nothing (row count 0), and its PMM is told who got it.
    """
    if actor.role != Role.PMM and not actor.is_portal_admin:
        raise RequestError("Only product marketers claim requests.")
    with transaction.atomic():
        now = timezone.now()
        updated = Request.objects.filter(
            pk=request.pk, assignee__isnull=True, status__in=(S.NEW, S.TRIAGED)
        ).update(
            assignee=actor,
            acknowledged_at=Coalesce(F("acknowledged_at"), Now()),
            updated_at=now,
        )
        if updated == 0:
            current = Request.objects.select_related("assignee").get(pk=request.pk)
            if current.assignee_id == actor.pk:
                raise ClaimConflictError("You already have this request.", code="claimed")
            if current.assignee is not None:
                raise ClaimConflictError(
                    f"{current.assignee.display_name} claimed this request first; it is theirs now.",
                    code="claimed",
                )
            _require_status(current, (S.NEW, S.TRIAGED), "claimed")
        claimed = Request.objects.select_related("assignee").get(pk=request.pk)
        _record(request=claimed, kind=EventKind.ASSIGNED, actor=actor, message="Claimed from the queue.")
    return claimed


@transaction.atomic
def request_start(*, request: Request, actor: User) -> Request:
    """The assignee starts work on a triaged request (→ ``in_progress``)."""
    request = _lock(request)
    _require_status(request, (S.TRIAGED,), "started")
    _require_assignee(request, actor, "start it")
    request.started_at = timezone.now()
    _set_status(request, S.IN_PROGRESS, actor)
    request.save(update_fields=["status", "started_at", "updated_at"])
    return request


def _require_assignee(request: Request, actor: User, what: str) -> None:
    if request.assignee_id is None:
        raise RequestError(f"Nobody has this request yet: claim or assign it before you {what}.")
    if request.assignee_id != actor.pk and not actor.is_portal_admin:
        name = request.assignee.display_name if request.assignee else "the assignee"
        raise RequestError(f"This request is assigned to {name}; only they can {what}.")


@transaction.atomic
def request_log_time(
    *, request: Request, actor: User, week_start: date, hours: Decimal, note: str = ""
) -> Request:
    """Log hours on a request; they count as one-off time in the PMM's weekly time.

    The hours go to ``initiatives.services.time_entry_add_request_hours``, which
    keeps the weekly rules (a Monday, no future week, ≤ 80 hours a week).
    """
    from initiatives.services import time_entry_add_request_hours

    request = _lock(request)
    _require_status(request, (S.TRIAGED, S.IN_PROGRESS, S.DELIVERED), "logged against")
    _require_assignee(request, actor, "log time on it")
    if hours is None or hours <= 0 or hours > 80:
        raise RequestError({"hours": "Log between 0.5 and 80 hours."})
    monday = week_start - timedelta(days=week_start.weekday())
    try:
        time_entry_add_request_hours(user=actor, request=request, week_start=monday, hours=hours, note=note)
    except ValidationError as error:
        raise RequestError(error.messages) from error
    request.hours_logged = F("hours_logged") + hours
    fields = ["hours_logged", "updated_at"]
    if request.status == S.TRIAGED:
        request.started_at = timezone.now()
        _set_status(request, S.IN_PROGRESS, actor, message="Work started.")
        fields += ["status", "started_at"]
    request.save(update_fields=fields)
    _record(
        request=request,
        kind=EventKind.TIME_LOGGED,
        actor=actor,
        message=f"{hours} h in the week of {monday:%d %b %Y}",
        notify=False,
    )
    request.refresh_from_db(fields=["hours_logged"])
    return request


@dataclass
class AssetDraft:
    """What delivering needs to publish an asset to the library."""

    title: str
    kind: str
    description: str
    review_by: date
    products: Sequence[Product] = ()
    personas: Sequence[object] = ()


@transaction.atomic
def request_deliver(
    *,
    request: Request,
    actor: User,
    link: str = "",
    file: UploadedFile | None = None,
    note: str = "",
    publish: AssetDraft | None = None,
) -> Request:
    """The assignee delivers: a link or a file, and for reusable work an asset in the library."""
    request = _lock(request)
    _require_status(request, (S.TRIAGED, S.IN_PROGRESS), "delivered")
    _require_assignee(request, actor, "deliver it")
    if not link and not file:
        raise RequestError({"link": "Attach a file or paste a link to what you deliver."})
    if file is not None:
        try:
            validate_attachment(file)
        except RequestError as error:
            raise RequestError({"file": error.messages}) from error
    request.delivery_link = link
    if file is not None:
        request.delivery_file = file
    request.delivery_note = note.strip()
    request.delivered_at = timezone.now()
    if request.started_at is None:
        request.started_at = request.delivered_at
    _set_status(request, S.DELIVERED, actor, message=note.strip())
    request.save(
        update_fields=[
            "delivery_link",
            "delivery_file",
            "delivery_note",
            "delivered_at",
            "started_at",
            "closed_at",
            "status",
            "updated_at",
        ]
    )
    if publish is not None:
        asset_publish(
            actor=actor,
            team_id=request.team_id,
            title=publish.title or request.title,
            kind=publish.kind,
            description=publish.description or request.details,
            link=link,
            file=request.delivery_file.name or "",
            review_by=publish.review_by,
            products=publish.products or [request.product],
            personas=publish.personas,
            source_request=request,
        )
    return request


@transaction.atomic
def request_mark_reused(*, request: Request, actor: User, asset: Asset, message: str = "") -> Request:
    """Answer with an existing asset (→ ``reused``); the asset's reuse count goes up."""
    request = _lock(request)
    _require_status(request, DECIDABLE, "answered with an asset")
    request.reused_asset = asset
    request.snoozed_until = None
    fields = ["reused_asset", "status", "closed_at", "snoozed_until", "updated_at", *_acknowledge(request)]
    _set_status(request, S.REUSED, actor, message=message or f"Answered with “{asset.title}”.")
    request.save(update_fields=fields)
    Asset.objects.filter(pk=asset.pk).update(reuse_count=F("reuse_count") + 1)
    return request


@transaction.atomic
def request_mark_duplicate(*, request: Request, actor: User, original: Request, message: str = "") -> Request:
    """Close as a duplicate of ``original``; the requester then follows the original."""
    request = _lock(request)
    _require_status(request, DECIDABLE, "marked as a duplicate")
    while original.duplicate_of_id is not None:  # follow the chain to the live original
        original = original.duplicate_of  # type: ignore[assignment]
    if original.pk == request.pk:
        raise RequestError({"duplicate_of": "A request cannot be a duplicate of itself."})
    if original.team_id != request.team_id:
        raise RequestError({"duplicate_of": "Pick a request from the same team's queue."})
    if original.status in (S.CANCELLED, S.DECLINED):
        raise RequestError({"duplicate_of": "That request was closed without an answer; pick an open one."})
    request.duplicate_of = original
    request.snoozed_until = None
    fields = ["duplicate_of", "status", "closed_at", "snoozed_until", "updated_at", *_acknowledge(request)]
    _set_status(request, S.DUPLICATE, actor, message=message or f"Follow #{original.pk} “{original.title}”.")
    request.save(update_fields=fields)
    original.followers.add(request.requester, *request.followers.all())
    return request


@transaction.atomic
def request_snooze(*, request: Request, actor: User, until: date, message: str = "") -> Request:
    """Put a request aside until a date; it wakes up by itself (beat task) on that date."""
    request = _lock(request)
    _require_status(request, (S.NEW, S.TRIAGED), "snoozed")
    if until <= _today():
        raise RequestError({"snoozed_until": "Snooze until a future date."})
    request.snoozed_until = until
    fields = ["snoozed_until", "status", "updated_at", *_acknowledge(request)]
    _set_status(request, S.SNOOZED, actor, message=message or f"Snoozed until {until:%d %b %Y}.")
    request.save(update_fields=fields)
    return request


def request_wake_snoozed(*, today: date | None = None) -> int:
    """Wake every request snoozed until today or earlier: back to triaged (if scored) or new."""
    today = today or _today()
    woken = 0
    for request_id in Request.objects.filter(status=S.SNOOZED, snoozed_until__lte=today).values_list(
        "id", flat=True
    ):
        with transaction.atomic():
            request = Request.objects.select_for_update().get(pk=request_id)
            if request.status != S.SNOOZED:
                continue
            scored = request.reusability is not None and request.educational_value is not None
            request.snoozed_until = None
            _set_status(
                request, S.TRIAGED if scored else S.NEW, None, message="Back in the queue after a snooze."
            )
            _refresh_priority(request)
            request.save(update_fields=["status", "snoozed_until", "priority", "updated_at"])
            woken += 1
    return woken


@transaction.atomic
def request_decline(*, request: Request, actor: User, alternative: str) -> Request:
    """Decline, but never with a bare no: ``alternative`` says what the requester can do instead."""
    request = _lock(request)
    _require_status(request, (*DECIDABLE, S.IN_PROGRESS), "declined")
    if not alternative or not alternative.strip():
        raise RequestError(
            {
                "decline_alternative": "Offer an alternative (an existing asset, a colleague, a later date…): "
                "no hard no."
            }
        )
    request.decline_alternative = alternative.strip()
    fields = ["decline_alternative", "status", "closed_at", "updated_at", *_acknowledge(request)]
    _set_status(request, S.DECLINED, actor, message=request.decline_alternative)
    request.save(update_fields=fields)
    return request


@transaction.atomic
def request_cancel(*, request: Request, actor: User, reason: str = "") -> Request:
    """The requester withdraws a request they no longer need."""
    request = _lock(request)
    if request.requester_id != actor.pk and not actor.is_portal_admin:
        raise RequestError("Only the person who asked can cancel a request.")
    _require_status(request, OPEN_STATUSES, "cancelled")
    _set_status(request, S.CANCELLED, actor, message=reason.strip())
    request.save(update_fields=["status", "closed_at", "updated_at"])
    return request


@transaction.atomic
def request_rate(*, request: Request, actor: User, rating: int, comment: str = "") -> Request:
    """The requester rates what they got (1–5) once it was delivered or answered from the library."""
    request = _lock(request)
    if request.requester_id != actor.pk and not actor.is_portal_admin:
        raise RequestError("Only the person who asked can rate the answer.")
    _require_status(request, (S.DELIVERED, S.REUSED), "rated")
    _require_score(rating, "rating", "the answer")
    request.rating = rating
    request.rating_comment = comment.strip()
    request.save(update_fields=["rating", "rating_comment", "updated_at"])
    _record(request=request, kind=EventKind.RATED, actor=actor, message=request.rating_comment)
    return request


@transaction.atomic
def request_comment(*, request: Request, actor: User, body: str) -> RequestComment:
    """Add a message to the request's conversation; everyone on it is told."""
    if not body or not body.strip():
        raise RequestError({"body": "Write a message first."})
    if len(body) > 5000:
        raise RequestError({"body": "Keep the message under 5,000 characters."})
    comment = RequestComment.objects.create(request=request, author=actor, body=body.strip())
    Request.objects.filter(pk=request.pk).update(updated_at=timezone.now())
    _record(request=request, kind=EventKind.COMMENTED, actor=actor, message=comment.body)
    return comment


# --- Assets ----------------------------------------------------------------------------------


@transaction.atomic
def asset_publish(
    *,
    actor: User,
    team_id: int,
    title: str,
    kind: str,
    description: str = "",
    link: str = "",
    file: UploadedFile | str = "",
    review_by: date,
    products: Sequence[Product] = (),
    personas: Sequence[object] = (),
    source_request: Request | None = None,
) -> Asset:
    """Publish a reusable deliverable to the library, owned by ``actor``."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Give the asset a title sales will recognise."
    if kind not in AssetKind.values:
        errors["kind"] = "Pick the kind of asset."
    if not link and not file:
        errors["link"] = "Paste a link or attach the file."
    if review_by <= _today():
        errors["review_by"] = "Pick a review-by date in the future (e.g. in six months)."
    if errors:
        raise RequestError(errors)
    if isinstance(file, UploadedFile):
        try:
            validate_attachment(file)
        except RequestError as error:
            raise RequestError({"file": error.messages}) from error
    asset = Asset.objects.create(
        title=title.strip(),
        kind=kind,
        description=description.strip(),
        link=link,
        file=file,
        owner=actor,
        team_id=team_id,
        review_by=review_by,
        source_request=source_request,
    )
    if products:
        asset.products.set(products)
    if personas:
        asset.personas.set(personas)  # type: ignore[arg-type]
    return asset


def asset_mark_reviewed(*, asset: Asset, actor: User, review_by: date) -> Asset:
    """The owner confirms the asset is still right and sets the next review date."""
    if review_by <= _today():
        raise RequestError({"review_by": "Pick a review-by date in the future."})
    asset.review_by = review_by
    asset.save(update_fields=["review_by", "updated_at"])
    return asset


def open_requests_filter() -> Q:
    return Q(status__in=OPEN_STATUSES)


def business_days_between(start: date, end: date) -> int:
    """Business days (Monday–Friday) from ``start`` to ``end``; negative when ``end`` is earlier."""
    if end < start:
        return -business_days_between(end, start)
    whole_weeks, rest = divmod((end - start).days, 7)
    days = whole_weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            days += 1
    return days


def add_business_days(start: date, days: int) -> date:
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


# --- Service levels -------------------------------------------------------------------------


@transaction.atomic
def sla_targets_set(*, team: Team, actor: User, targets: dict[str, tuple[int, int]]) -> list[SlaTarget]:
    """Set a team's acknowledge and deliver targets (business days) per request type.

    ``targets`` maps a request type to (acknowledge, deliver); every pair is checked
    before anything is written, so a bad row leaves the team's targets as they were.
    """
    errors: dict[str, str] = {}
    for rtype, (acknowledge, deliver) in targets.items():
        if rtype not in RequestType.values:
            errors[rtype] = "Unknown request type."
        elif not 1 <= acknowledge <= 60 or not 1 <= deliver <= 120:
            errors[rtype] = "Use 1–60 business days to acknowledge and 1–120 to deliver."
        elif deliver < acknowledge:
            errors[rtype] = "Delivering cannot be due before acknowledging: make it at least as many days."
    if errors:
        raise RequestError(errors)
    saved = []
    for rtype, (acknowledge, deliver) in targets.items():
        target, _ = SlaTarget.objects.update_or_create(
            team=team, type=rtype, defaults={"acknowledge_days": acknowledge, "deliver_days": deliver}
        )
        saved.append(target)
    return saved
