"""Every change to a request: submission and each move of the state machine.

Each move is a named, keyword-only function that validates first (raising
``RequestError`` with a message a person can act on), then writes inside one
transaction, then records a ``RequestEvent`` (``notifications.record``). Which
status a move may start from and where it leads is the table in
``requests_queue.workflow``; each function checks it with ``workflow.check``.
Dates ("in the past", "a future date") are judged in the request's team's time zone.
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from pmm_portal.core import figures
from pmm_portal.core.dates import today_in
from pmm_portal.core.models import Product, Role, User
from timesheets import services as timesheet_services

from .. import workflow
from ..models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PAUSED_STATUSES,
    Asset,
    EventKind,
    FollowVia,
    Request,
    RequestAttachment,
    RequestComment,
    RequestFollower,
    RequestStatus,
    RequestType,
)
from ..workflow import DECIDABLE, TRIAGEABLE, RequestError
from .assets import MAX_ATTACHMENTS, AssetDraft, asset_kind_for, asset_publish, validate_attachment
from .notifications import ME_TOO_MESSAGE, due_date_note, record
from .scoring import refresh_priority
from .sla import pause_ended, pause_started

S = RequestStatus

__all__ = ["DECIDABLE", "TRIAGEABLE", "due_date_note"]  # re-exported (the table's triage statuses, the note)


def _require_score(value: int | None, field: str, label: str) -> None:
    if value is None or not 1 <= value <= 5:
        raise RequestError({field: f"Give {label} a score from 1 to 5."}, code="score_range")


def _lock(request: Request) -> Request:
    """Re-read the request under a row lock: two people acting at once see each other's change."""
    return Request.objects.select_for_update().get(pk=request.pk)


def _set_status(
    request: Request, status: str, actor: User | None, *, message: str = "", move_due_date: bool = True
) -> list[str]:
    """Move the request to ``status`` and record it; returns the fields changed, for ``update_fields``.

    Entering a paused status (snoozed, waiting) stops the SLA clock; leaving one
    restarts it without counting the pause (``sla.pause_ended``), moving a set due
    date back by the pause unless ``move_due_date`` is false (the caller sets one).
    """
    previous = request.status
    request.status = status
    fields = ["status", "updated_at"]
    if status in CLOSED_STATUSES:
        request.closed_at = timezone.now()
        fields.append("closed_at")
    if previous in PAUSED_STATUSES and status not in PAUSED_STATUSES:
        changed, days = pause_ended(request, move_due_date=move_due_date and status in OPEN_STATUSES)
        fields += changed
        if "due_date" in changed and request.due_date is not None:
            moved = (
                f"Due date moved to {request.due_date:%d %b %Y}: "
                f"the {days} business day{'' if days == 1 else 's'} paused do not count."
            )
            message = f"{message} {moved}".strip()
    elif status in PAUSED_STATUSES and previous not in PAUSED_STATUSES:
        fields += pause_started(request)
    record(
        request=request,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        from_status=previous,
        to_status=status,
        message=message,
    )
    return fields


def _acknowledge(request: Request) -> list[str]:
    if request.acknowledged_at is None:
        request.acknowledged_at = timezone.now()
        return ["acknowledged_at"]
    return []


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
    attachments: Sequence[UploadedFile[bytes]] = (),
) -> Request:
    """Sales asks product marketing for help: a ``new`` request in the product's team queue."""
    errors: dict[str, str] = {}
    if type not in RequestType.values:
        errors["type"] = "Pick one of the request types."
    if not title.strip():
        errors["title"] = "Say in a few words what you need."
    if needed_by < today_in(product.team):
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
        team=product.team,
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
    refresh_priority(request, today=today_in(product.team))
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
    record(request=request, kind=EventKind.SUBMITTED, actor=requester, to_status=S.NEW)
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
    if asset is not None and asset.retired_at is not None:
        raise RequestError("This asset was retired: pick the one that replaces it.")
    if asset is None and answered_by_request is not None:
        asset = (
            answered_by_request.published_assets.filter(retired_at__isnull=True)
            .order_by("-reuse_count")
            .first()
        )
    now = timezone.now()
    request = Request(
        requester=requester,
        team_id=product.team_id,
        product=product,
        type=type if type in RequestType.values else RequestType.OTHER,
        title=title.strip(),
        details=details.strip(),
        needed_by=today_in(product.team),
        status=S.REUSED,
        reused_asset=asset,
        answered_by_request=answered_by_request,
        acknowledged_at=now,
        closed_at=now,
        self_served=True,
    )
    refresh_priority(request, today=request.needed_by)
    request.save()
    if asset is not None:
        Asset.objects.filter(pk=asset.pk).update(reuse_count=F("reuse_count") + 1)
    record(
        request=request,
        kind=EventKind.STATUS_CHANGED,
        actor=requester,
        to_status=S.REUSED,
        message="Answered from the library before it reached the queue.",
        notify=False,
    )
    return request


# The longest account a follower may give (the model's field).
MAX_ACCOUNT = RequestFollower._meta.get_field("account").max_length or 200
# Opportunity values fit 14 digits, 2 of them decimals (``Request`` and ``RequestFollower``).
MAX_OPPORTUNITY = Decimal(10) ** 12


def _deal_text(account: str, value: Decimal | None, needed_by: date | None) -> str:
    """A rep's deal in a history line: " (Acme, 40,000, by 12 Jan)", or "" when they gave none."""
    parts = [account] if account else []
    if value is not None:
        parts.append(f"{value:,.0f}")
    if needed_by is not None:
        parts.append(f"by {needed_by:%d %b}")
    return f" ({', '.join(parts)})" if parts else ""


@transaction.atomic
def request_me_too(
    *,
    request: Request,
    user: User,
    opportunity_value: Decimal | None = None,
    needed_by: date | None = None,
    account: str = "",
) -> tuple[RequestFollower, bool]:
    """A rep needs what an open request asks too: they follow it and their deal counts in its priority.

    Instead of a new request (a deflection, which ``reporting`` counts), the rep follows this
    one with their own account, value and needed-by date: it shows in their requests, they
    are told when it moves, and they never see the requester's deal (nor the requester theirs:
    product marketing alone is told, ``notifications.ME_TOO_MESSAGE``). Saying it again updates
    their deal; a rep who came through a duplicate keeps that origin. Returns the follower and
    whether it is new.

    The input is checked first, then the request is locked before its status is: two reps
    saying "me too" at the same moment, or one while a PMM closes the request, are serialised,
    so the status check holds and each recomputed priority counts the other's deal.
    """
    if not user.has_role(Role.SALES):
        raise RequestError("Only sales reps say “me too” on a request.", code="not_sales")
    account = account.strip()
    today = today_in(request.team)
    errors: dict[str, str] = {}
    if needed_by is not None and needed_by < today:
        errors["needed_by"] = "The needed-by date is in the past: pick today or a later date."
    if opportunity_value is not None and opportunity_value < 0:
        errors["opportunity_value"] = "The opportunity value cannot be negative."
    elif opportunity_value is not None and opportunity_value >= MAX_OPPORTUNITY:
        errors["opportunity_value"] = "Give an opportunity value under 1,000,000,000,000."
    if len(account) > MAX_ACCOUNT:
        errors["account"] = f"Keep the account to {MAX_ACCOUNT} characters at most."
    if errors:
        raise RequestError(errors)
    request = _lock(request)
    if request.requester_id == user.pk:
        raise RequestError("This is your own request: you follow it already.", code="own_request")
    if request.status not in OPEN_STATUSES:
        raise RequestError(
            f"This request is {S(request.status).label.lower()}: only an open request can be followed. "
            "Ask for what you need instead.",
            code="not_open",
        )
    deal = {"account": account, "opportunity_value": opportunity_value, "needed_by": needed_by}
    follower, created = RequestFollower.objects.get_or_create(
        request=request, user=user, defaults={"via": FollowVia.ME_TOO, **deal}
    )
    if not created:
        for field, value in deal.items():
            setattr(follower, field, value)
        follower.save(update_fields=list(deal))
    record(
        request=request,
        kind=EventKind.COMMENTED,
        actor=user,
        message=f"{ME_TOO_MESSAGE}{'' if created else ', deal updated'}"
        f"{_deal_text(account, opportunity_value, needed_by)}.",
    )
    refresh_priority(request, today=today)
    request.save(update_fields=["priority", "updated_at"])
    return follower, created


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
    workflow.check(request, "triage")
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
        request.snoozed_until = None
        fields += ["snoozed_until", *_set_status(request, S.TRIAGED, actor)]
    refresh_priority(request)
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


def later_than_asked_error(request: Request) -> RequestError:
    return RequestError(
        {
            "due_date_reason": f"The due date is after the rep's needed-by date ({request.needed_by:%d %b}). "
            "Say why, so the rep can plan."
        },
        code="due_date_reason",
    )


def check_due_date(request: Request, due_date: date | None, reason: str) -> dict[str, str]:
    """What is wrong with accepting ``request`` with ``due_date`` and ``reason`` (field → message).

    A due date after the requester's needed-by date needs a short reason, so the rep can plan.
    """
    if due_date is None:
        return {"due_date": "Set a due date."}
    if due_date < today_in(request.team):
        return {"due_date": "The due date is in the past: pick today or a later date."}
    if due_date > request.needed_by and not reason.strip():
        return {"due_date_reason": later_than_asked_error(request).message_dict["due_date_reason"][0]}
    if len(reason.strip()) > MAX_REASON:
        return {"due_date_reason": f"Keep the reason under {MAX_REASON} characters."}
    return {}


MAX_REASON = 300


@transaction.atomic
def request_accept(
    *,
    request: Request,
    actor: User,
    assignee: User,
    due_date: date,
    due_date_reason: str = "",
    message: str = "",
) -> Request:
    """Accept a scored request: assign it to a PMM of its team with a due date (→ ``triaged``).

    A due date after the rep's needed-by date is refused without ``due_date_reason``; the
    reason is kept on the request, written in its history and sent to the requester.
    """
    request = _lock(request)
    workflow.check(request, "accept")
    _require_scored(request)
    _check_assignee(request, assignee)
    problems = check_due_date(request, due_date, due_date_reason)
    if problems:
        raise RequestError(problems)
    fields = [
        "assignee",
        "due_date",
        "due_date_reason",
        "status",
        "snoozed_until",
        "updated_at",
        *_acknowledge(request),
    ]
    previous_assignee = request.assignee_id
    previous_due = (request.due_date, request.due_date_reason)
    request.assignee = assignee
    request.due_date = due_date
    request.due_date_reason = due_date_reason.strip() if due_date > request.needed_by else ""
    request.snoozed_until = None
    note = due_date_note(request)
    told = False
    if request.status != S.TRIAGED:
        fields += _set_status(
            request, S.TRIAGED, actor, message=" ".join(filter(None, [message, note])), move_due_date=False
        )
        told = True
    if previous_assignee != assignee.pk:
        record(
            request=request,
            kind=EventKind.ASSIGNED,
            actor=actor,
            message=" ".join(filter(None, [message, "" if told else note])),
        )
        told = True
    if not told and previous_due != (request.due_date, request.due_date_reason):
        record(
            request=request,
            kind=EventKind.DUE_DATE,
            actor=actor,
            message=" ".join(filter(None, [message, note])),
        )
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
            pk=request.pk, assignee__isnull=True, status__in=workflow.transition("claim").sources
        ).update(
            assignee=actor,
            acknowledged_at=Coalesce(F("acknowledged_at"), Now()),
            updated_at=now,
        )
        figures.changed(Q(pk=request.team_id))
        if updated == 0:
            current = Request.objects.select_related("assignee").get(pk=request.pk)
            if current.assignee_id == actor.pk:
                raise ClaimConflictError("You already have this request.", code="claimed")
            if current.assignee is not None:
                raise ClaimConflictError(
                    f"{current.assignee.display_name} claimed this request first; it is theirs now.",
                    code="claimed",
                )
            workflow.check(current, "claim")
        claimed = Request.objects.select_related("assignee").get(pk=request.pk)
        Request.history.bulk_history_create(
            [claimed], update=True, default_user=actor
        )  # the UPDATE sent no signal
        record(request=claimed, kind=EventKind.ASSIGNED, actor=actor, message="Claimed from the queue.")
    return claimed


@transaction.atomic
def request_start(*, request: Request, actor: User) -> Request:
    """The assignee starts work on a triaged request (→ ``in_progress``)."""
    request = _lock(request)
    workflow.check(request, "start")
    _require_assignee(request, actor, "start it")
    request.started_at = timezone.now()
    fields = _set_status(request, S.IN_PROGRESS, actor)
    request.save(update_fields=["started_at", *fields])
    return request


TAKE_ON_LATE_REASON = "Taken on after the needed-by date had passed."


def default_due_date(request: Request) -> tuple[date, str]:
    """The due date (and its reason) a PMM taking a request on gets without choosing one: the date
    already set, else the rep's needed-by date, else today (with a reason) when that date has passed."""
    if request.due_date is not None:
        return request.due_date, request.due_date_reason
    due = max(request.needed_by, today_in(request.team))
    return due, TAKE_ON_LATE_REASON if due > request.needed_by else ""


@transaction.atomic
def request_take_on(
    *,
    request: Request,
    actor: User,
    reusability: int | None = None,
    educational_value: int | None = None,
    effort_hours: Decimal | None = None,
) -> Request:
    """A PMM claims and starts a request in one step (→ ``in_progress``, theirs).

    An unscored request needs its scores here (``request_triage``); a scored one keeps them
    unless new ones are given. Nobody else may have it: the row is locked, so of two PMMs
    taking it at once the second is told who got it. The due date is the rep's needed-by
    date (today, with a reason the rep sees, when that date has passed). Each step is the
    service that makes it alone (triage, accept, start), so their rules and events hold.
    """
    if actor.role != Role.PMM and not actor.is_portal_admin:
        raise RequestError("Only product marketers take on requests.")
    request = _lock(request)
    if request.assignee_id not in (None, actor.pk):
        name = request.assignee.display_name if request.assignee else "Someone else"
        raise ClaimConflictError(f"{name} has this request; it is theirs now.", code="claimed")
    if request.status == S.IN_PROGRESS and request.assignee_id == actor.pk:
        raise ClaimConflictError("You already work on this request.", code="claimed")
    if reusability is not None or educational_value is not None or request.reusability is None:
        request = request_triage(
            request=request,
            actor=actor,
            reusability=reusability,  # type: ignore[arg-type]  # checked there, with its message
            educational_value=educational_value,  # type: ignore[arg-type]
            effort_hours=effort_hours if effort_hours is not None else request.effort_hours,  # type: ignore[arg-type]
        )
    if request.assignee_id is None or request.status != S.TRIAGED or request.due_date is None:
        due, reason = default_due_date(request)
        request = request_accept(
            request=request, actor=actor, assignee=actor, due_date=due, due_date_reason=reason
        )
    return request_start(request=request, actor=actor)


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

    The hours go to ``timesheets.services.time_entry_add_request_hours``, which
    keeps the weekly rules (a Monday, no future week, ≤ 80 hours a week).
    """

    request = _lock(request)
    workflow.check(request, "log_time")
    _require_assignee(request, actor, "log time on it")
    if hours is None or hours <= 0 or hours > 80:
        raise RequestError({"hours": "Log between 0.5 and 80 hours."})
    monday = week_start - timedelta(days=week_start.weekday())
    try:
        timesheet_services.time_entry_add_request_hours(
            user=actor, request=request, week_start=monday, hours=hours, note=note
        )
    except ValidationError as error:
        raise RequestError(error.messages) from error
    request.hours_logged = F("hours_logged") + hours
    fields = ["hours_logged", "updated_at"]
    if request.status == S.TRIAGED:
        request.started_at = timezone.now()
        fields += ["started_at", *_set_status(request, S.IN_PROGRESS, actor, message="Work started.")]
    request.save(update_fields=fields)
    record(
        request=request,
        kind=EventKind.TIME_LOGGED,
        actor=actor,
        message=f"{hours} h in the week of {monday:%d %b %Y}",
        notify=False,
    )
    request.refresh_from_db(fields=["hours_logged"])
    return request


@transaction.atomic
def request_deliver(
    *,
    request: Request,
    actor: User,
    link: str = "",
    file: UploadedFile[bytes] | None = None,
    note: str = "",
    publish: AssetDraft | None = None,
) -> Request:
    """The assignee delivers: a link or a file, and for reusable work an asset in the library."""
    request = _lock(request)
    workflow.check(request, "deliver")
    _require_assignee(request, actor, "deliver it")
    if not link and not file:
        raise RequestError({"link": "Attach a file or paste a link to what you deliver."})
    if publish is not None and publish.review_by is None:
        raise RequestError({"review_by": "Set when the asset should be reviewed."})
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
    _set_status(request, S.DELIVERED, actor, message=note.strip())  # from triaged or in progress: no pause
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
            kind=publish.kind or asset_kind_for(request.type),
            # What sales read: only what the PMM wrote for them, never the requester's details.
            description=publish.description,
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
    workflow.check(request, "reuse")
    if asset.retired_at is not None:
        raise RequestError({"asset": "This asset was retired: pick the one that replaces it."})
    request.reused_asset = asset
    request.snoozed_until = None
    fields = ["reused_asset", "status", "closed_at", "snoozed_until", "updated_at", *_acknowledge(request)]
    fields += _set_status(request, S.REUSED, actor, message=message or f"Answered with “{asset.title}”.")
    request.save(update_fields=fields)
    Asset.objects.filter(pk=asset.pk).update(reuse_count=F("reuse_count") + 1)
    return request


@transaction.atomic
def request_mark_duplicate(*, request: Request, actor: User, original: Request, message: str = "") -> Request:
    """Close as a duplicate of ``original``; the requester then follows the original, with their deal.

    The duplicate's requester and the reps who followed it become followers of the
    original (``RequestFollower``, brought by a duplicate), each with their own account,
    value and needed-by date, which count in the original's priority. The original's own
    requester is not their own follower; a rep who already follows it keeps their row
    (the unique constraint makes this idempotent). The original is locked while its
    followers change and its priority is recomputed, as ``request_me_too`` does.
    """
    request = _lock(request)
    workflow.check(request, "duplicate")
    while original.duplicate_of_id is not None:  # follow the chain to the live original
        original = original.duplicate_of  # type: ignore[assignment]
    if original.pk == request.pk:
        raise RequestError({"duplicate_of": "A request cannot be a duplicate of itself."})
    original = _lock(original)  # its followers and priority change below
    if original.team_id != request.team_id:
        raise RequestError({"duplicate_of": "Pick a request from the same team's queue."})
    if original.status in (S.CANCELLED, S.DECLINED):
        raise RequestError({"duplicate_of": "That request was closed without an answer; pick an open one."})
    request.duplicate_of = original
    request.snoozed_until = None
    fields = ["duplicate_of", "status", "closed_at", "snoozed_until", "updated_at", *_acknowledge(request)]
    fields += _set_status(
        request, S.DUPLICATE, actor, message=message or f"Follow #{original.pk} “{original.title}”."
    )
    request.save(update_fields=fields)
    followers = [
        RequestFollower(
            request=original,
            user_id=request.requester_id,
            via=FollowVia.DUPLICATE,
            duplicate=request,
            account=request.account,
            opportunity_value=request.opportunity_value,
            needed_by=request.needed_by,
        ),
        # Whoever followed the duplicate comes along with their deal; they came through a duplicate
        # (a "me too" counts once, where it was said).
        *(
            RequestFollower(
                request=original,
                user_id=follow.user_id,
                via=FollowVia.DUPLICATE,
                duplicate_id=follow.duplicate_id or request.pk,
                account=follow.account,
                opportunity_value=follow.opportunity_value,
                needed_by=follow.needed_by,
            )
            for follow in request.follows.all()
        ),
    ]
    RequestFollower.objects.bulk_create(
        [f for f in followers if f.user_id != original.requester_id], ignore_conflicts=True
    )
    figures.changed(Q(pk=original.team_id))
    refresh_priority(original)
    original.save(update_fields=["priority"])
    return request


@transaction.atomic
def request_recategorize(
    *, request: Request, actor: User, type: str = "", product: Product | None = None
) -> Request:
    """Correct what an open request is about: its type, or its product (and so its team).

    A request moved to another team's product goes to that team's queue; its assignee,
    if not on that team, gives it back. The requester is told.
    """
    request = _lock(request)
    if request.status not in OPEN_STATUSES:
        raise RequestError(
            f"The request is {request.get_status_display().lower()}: only open ones can be corrected."
        )
    changes, fields = [], ["updated_at"]
    if type:
        if type not in RequestType.values:
            raise RequestError({"type": "Pick one of the request types."})
        if type != request.type:
            request.type = type
            fields.append("type")
            changes.append(f"Type set to {request.get_type_display().lower()}.")
    if product is not None and product.pk != request.product_id:
        request.product = product
        fields.append("product")
        if product.team_id != request.team_id:
            request.team_id = product.team_id
            fields.append("team")
            if request.assignee_id and not request.assignee.teams.filter(pk=product.team_id).exists():  # type: ignore[union-attr]
                request.assignee = None
                fields.append("assignee")
            changes.append(f"Moved to {product.name}, in the {product.team.name} team's queue.")
        else:
            changes.append(f"Product set to {product.name}.")
    if not changes:
        return request
    refresh_priority(request)
    request.save(update_fields=[*fields, "priority"])
    record(request=request, kind=EventKind.COMMENTED, actor=actor, message=" ".join(changes))
    return request


@transaction.atomic
def request_snooze(*, request: Request, actor: User, until: date, message: str = "") -> Request:
    """Put a request aside until a date; it wakes up by itself (beat task) on that date."""
    request = _lock(request)
    workflow.check(request, "snooze")
    if until <= today_in(request.team):
        raise RequestError({"snoozed_until": "Snooze until a future date."})
    request.snoozed_until = until
    fields = ["snoozed_until", "status", "updated_at", *_acknowledge(request)]
    fields += _set_status(request, S.SNOOZED, actor, message=message or f"Snoozed until {until:%d %b %Y}.")
    request.save(update_fields=fields)
    return request


def request_wake_snoozed(*, today: date | None = None) -> int:
    """Wake every request snoozed until today or earlier: back to triaged (if scored) or new.

    "Today" is each request's team's today (``today`` overrides it for all): the
    beat runs hourly, so a team wakes its requests soon after its own midnight.
    """
    # No team's today is more than a day past the server's, whatever its time zone.
    latest = today or timezone.localdate() + timedelta(days=1)
    woken = 0
    for request_id in Request.objects.filter(
        status__in=workflow.transition("wake").sources, snoozed_until__lte=latest
    ).values_list("id", flat=True):
        with transaction.atomic():
            request = (
                Request.objects.select_for_update(of=("self",)).select_related("team").get(pk=request_id)
            )
            if not workflow.allows(request.status, "wake"):
                continue
            team_today = today or today_in(request.team)
            if request.snoozed_until is None or request.snoozed_until > team_today:
                continue
            scored = request.reusability is not None and request.educational_value is not None
            request.snoozed_until = None
            fields = _set_status(
                request, S.TRIAGED if scored else S.NEW, None, message="Back in the queue after a snooze."
            )
            refresh_priority(request, today=team_today)
            request.save(update_fields=["snoozed_until", "priority", *fields])
            woken += 1
    return woken


@transaction.atomic
def request_decline(*, request: Request, actor: User, alternative: str) -> Request:
    """Decline, but never with a bare no: ``alternative`` says what the requester can do instead."""
    request = _lock(request)
    workflow.check(request, "decline")
    if not alternative or not alternative.strip():
        raise RequestError(
            {
                "decline_alternative": "Offer an alternative (an existing asset, a colleague, a later date…): "
                "no hard no."
            }
        )
    request.decline_alternative = alternative.strip()
    fields = ["decline_alternative", "status", "closed_at", "updated_at", *_acknowledge(request)]
    fields += _set_status(request, S.DECLINED, actor, message=request.decline_alternative)
    request.save(update_fields=fields)
    return request


@transaction.atomic
def request_cancel(*, request: Request, actor: User, reason: str = "") -> Request:
    """The requester withdraws a request they no longer need."""
    request = _lock(request)
    if request.requester_id != actor.pk and not actor.is_portal_admin:
        raise RequestError("Only the person who asked can cancel a request.")
    workflow.check(request, "cancel")
    fields = _set_status(request, S.CANCELLED, actor, message=reason.strip())
    request.save(update_fields=fields)
    return request


@transaction.atomic
def request_rate(*, request: Request, actor: User, rating: int, comment: str = "") -> Request:
    """The requester rates what they got (1–5) once it was delivered or answered from the library."""
    request = _lock(request)
    if request.requester_id != actor.pk and not actor.is_portal_admin:
        raise RequestError("Only the person who asked can rate the answer.")
    workflow.check(request, "rate")
    _require_score(rating, "rating", "the answer")
    request.rating = rating
    request.rating_comment = comment.strip()
    request.save(update_fields=["rating", "rating_comment", "updated_at"])
    record(request=request, kind=EventKind.RATED, actor=actor, message=request.rating_comment)
    return request


@transaction.atomic
def request_comment(*, request: Request, actor: User, body: str) -> RequestComment:
    """Add a message to the request's conversation; everyone on it is told.

    The requester's message on a request waiting on them is their answer: it goes back to the queue.
    """
    if not body or not body.strip():
        raise RequestError({"body": "Write a message first."})
    if len(body) > 5000:
        raise RequestError({"body": "Keep the message under 5,000 characters."})
    comment = RequestComment.objects.create(request=request, author=actor, body=body.strip())
    Request.objects.filter(pk=request.pk).update(updated_at=timezone.now())
    record(request=request, kind=EventKind.COMMENTED, actor=actor, message=comment.body)
    # The requester's message answers a question (read the status now: the caller's copy may be older).
    if request.requester_id == actor.pk and Request.objects.filter(pk=request.pk, status=S.WAITING).exists():
        request_answer(request=request, actor=actor)
    return comment


@transaction.atomic
def request_ask_info(*, request: Request, actor: User, question: str) -> Request:
    """Ask the requester for what is missing (→ ``waiting``); the SLA clock stops until they answer."""
    request = _lock(request)
    workflow.check(request, "ask_info")
    if not question or not question.strip():
        raise RequestError({"question": "Say what you need from the requester."})
    if len(question) > 2000:
        raise RequestError({"question": "Keep the question under 2,000 characters."})
    fields = [*_acknowledge(request), *_set_status(request, S.WAITING, actor, message=question.strip())]
    request.save(update_fields=fields)
    return request


@transaction.atomic
def request_answer(*, request: Request, actor: User) -> Request:
    """The requester answered (a comment): back to the queue, triaged if scored, the pause not counted."""
    request = _lock(request)
    workflow.check(request, "answer")
    if request.requester_id != actor.pk and not actor.is_portal_admin:
        raise RequestError("Only the person who asked can answer.")
    scored = request.reusability is not None and request.educational_value is not None
    fields = _set_status(
        request, S.TRIAGED if scored else S.NEW, actor, message="The requester answered: back in the queue."
    )
    refresh_priority(request, today=today_in(request.team))
    request.save(update_fields=["priority", *fields])
    return request


def open_requests_filter() -> Q:
    return Q(status__in=OPEN_STATUSES)
