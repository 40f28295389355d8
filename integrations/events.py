"""Publishing what happened: one ``Delivery`` per endpoint that hears it, in the caller's transaction.

Cheap on the request path: which endpoints hear which event is kept in the cache
(``subscribers``), so publishing when nothing listens costs no query, and one INSERT of
every matching endpoint's row when something does. The rows' sending task is enqueued
after commit (``pmm_portal.core.background``); a row whose enqueue failed is picked up by
the sweep (``services.deliveries_sweep``). ``Delivery``'s unique ``(endpoint, event_key)``
makes a second publication of the same occurrence (a task run twice) add nothing.

The other apps call the named publishers below (``win_recorded``…) with their objects;
this module builds the body each kind of endpoint takes: the signed webhook's JSON
envelope, Slack's ``{"text", "blocks"}`` and Teams' MessageCard.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.background import enqueue_on_commit
from requests_queue.models import EventKind, Notification, NotifyChannel, RequestEvent, RequestStatus

from .models import Delivery, Endpoint, EndpointKind, Event

if TYPE_CHECKING:
    from competitive.models import WinLossReview
    from initiatives.models import Win
    from reporting.models import MonthlyReport
    from requests_queue.models import Request

logger = logging.getLogger(__name__)

DELIVER_TASK = "integrations.deliver"
CACHE_KEY = "integrations:subscribers:v1"
# How long the map of who hears what is kept; every endpoint change drops it at once.
SUBSCRIBERS_SECONDS = 300

# (endpoint id, kind, team id or None) of each active endpoint, per event it hears.
Subscribers = dict[str, list[tuple[int, str, int | None]]]


def _cached() -> Subscribers | None:
    try:
        found: Subscribers | None = cache.get(CACHE_KEY)
    except Exception:  # the cache is an accelerator: without it, ask the database
        logger.warning("Integrations: the cache is unavailable; reading endpoints from the database")
        return None
    return found


def _forget() -> None:
    try:
        cache.delete(CACHE_KEY)
    except Exception:
        logger.warning("Integrations: could not drop the cached endpoints; they expire within minutes")


def subscribers() -> Subscribers:
    """Who hears what, from the cache (one query when it is cold or unavailable, none when it is warm)."""
    found = _cached()
    if found is None:
        found = {}
        rows = Endpoint.objects.filter(paused_at__isnull=True).values_list("id", "kind", "team_id", "events")
        for pk, kind, team_id, events in rows:
            for event in events or ():
                found.setdefault(event, []).append((pk, kind, team_id))
        try:
            cache.set(CACHE_KEY, found, SUBSCRIBERS_SECONDS)
        except Exception:
            logger.warning("Integrations: could not cache the endpoints")
    return found


def subscribers_changed() -> None:
    """Drop the map now and again after commit (a reader between the two would cache the old rows)."""
    _forget()
    transaction.on_commit(_forget)


def listens(event: str, team_id: int | None = None) -> bool:
    return any(t is None or t == team_id for _, _, t in subscribers().get(event, ()))


@dataclass
class Message:
    """What happened, in words (the chat post) and as data (the webhook's ``data``)."""

    title: str
    text: str
    url: str
    data: dict[str, Any]
    facts: list[tuple[str, str]] = field(default_factory=list)


def emit(*, event: str, team_id: int | None, key: str, message: Callable[[], Message]) -> int:
    """Record a delivery of ``event`` for every active endpoint that hears it (the team's, and those of
    every team), in the caller's transaction; their sending is enqueued after commit.

    ``key`` names the occurrence: publishing it again creates nothing. ``message`` is called
    only when someone listens. Returns the rows written (a repeat's rows are ignored by the
    database, so counted but not duplicated).
    """
    matching = [
        (pk, kind) for pk, kind, team in subscribers().get(event, ()) if team is None or team == team_id
    ]
    if not matching:
        return 0
    built = message()
    event_id = uuid.uuid4()
    now = timezone.now()
    rows = [
        Delivery(
            uuid=uuid.uuid4(),
            endpoint_id=pk,
            event=event,
            event_key=key[:160],
            team_id=team_id,
            body=render(kind, event=event, event_id=event_id, at=now, message=built),
            next_attempt_at=now,
        )
        for pk, kind in matching
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    for row in rows:
        # A row the database ignored (already published) has no such uuid: its task does nothing.
        enqueue_on_commit(DELIVER_TASK, str(row.uuid))
    return len(rows)


# --- Bodies ------------------------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(
    kind: str, *, event: str, event_id: uuid.UUID | str, at: datetime, message: Message
) -> dict[str, Any]:
    """The JSON body an endpoint of ``kind`` receives."""
    if kind == EndpointKind.SLACK:
        facts = " · ".join(f"{_slack_escape(k)}: {_slack_escape(v)}" for k, v in message.facts if v)
        blocks: list[dict[str, Any]] = [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*<{message.url}|{_slack_escape(message.title)}>*\n{_slack_escape(message.text)}",
                },
            }
        ]
        if facts:
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": facts}]})
        return {"text": f"{message.title}: {message.url}", "blocks": blocks}
    if kind == EndpointKind.TEAMS:
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": message.title[:150],
            "themeColor": "0D6EFD",
            "title": message.title,
            "text": message.text,
            "sections": [{"facts": [{"name": k, "value": v} for k, v in message.facts if v]}],
            "potentialAction": [
                {
                    "@type": "OpenUri",
                    "name": "Open in PMM Portal",
                    "targets": [{"os": "default", "uri": message.url}],
                }
            ],
        }
    return {"id": str(event_id), "event": event, "created_at": at.isoformat(), "data": message.data}


def _url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name, "email": user.email}


# --- Requests (published by the worker that handles a request event: ``requests_queue.tasks``) ---------


def _request_message(request: Request, title: str, text: str, **extra: Any) -> Message:
    url = _url(request.get_absolute_url())
    return Message(
        title=title,
        text=text,
        url=url,
        facts=[
            ("Team", request.team.name),
            ("Product", request.product.name),
            ("Type", request.get_type_display()),
            ("Needed by", f"{request.needed_by:%d %b %Y}"),
        ],
        data={
            "request": {
                "id": request.pk,
                "title": request.title,
                "type": request.type,
                "status": request.status,
                "team": request.team.slug,
                "product": request.product.slug,
                "account": request.account,
                "needed_by": request.needed_by.isoformat(),
                "requester": _person(request.requester),
                "assignee": _person(request.assignee),
                "url": url,
            },
            **extra,
        },
    )


REQUEST_EVENTS = (Event.REQUEST_CREATED, Event.REQUEST_STATE_CHANGED, Event.REQUEST_DELIVERED)


def request_event_publish(*, event_id: int) -> int:
    """Publish a request's event (created, state changed, delivered) to the endpoints that hear it.

    Runs in the worker that delivers the event's notifications, never on the request path;
    an event whose notifications were withdrawn (an undone step) is not published.
    """
    if not any(subscribers().get(e) for e in REQUEST_EVENTS):
        return 0
    event: RequestEvent | None = (
        RequestEvent.objects.select_related(
            "request__team", "request__product", "request__requester", "request__assignee", "actor"
        )
        .filter(pk=event_id, notify=True)
        .first()
    )
    if event is None:
        return 0
    request = event.request
    actor = event.actor.display_name if event.actor else "Someone"
    written = 0
    with transaction.atomic():
        if event.kind == EventKind.SUBMITTED:
            written += emit(
                event=Event.REQUEST_CREATED,
                team_id=request.team_id,
                key=f"request-event:{event.pk}",
                message=lambda: _request_message(
                    request,
                    f"New request: {request.title}",
                    f"{actor} asked for {request.get_type_display().lower()}.",
                ),
            )
        elif event.kind == EventKind.STATUS_CHANGED and event.to_status:
            labels = dict(RequestStatus.choices)
            change = {
                "from_status": event.from_status,
                "to_status": event.to_status,
                "actor": _person(event.actor),
            }
            written += emit(
                event=Event.REQUEST_STATE_CHANGED,
                team_id=request.team_id,
                key=f"request-event:{event.pk}",
                message=lambda: _request_message(
                    request,
                    f"{request.title}: {labels.get(event.to_status, event.to_status)}",
                    f"{actor} moved it from {labels.get(event.from_status, 'new')} to "
                    f"{labels.get(event.to_status, event.to_status)}.",
                    change=change,
                ),
            )
            if event.to_status == RequestStatus.DELIVERED:
                written += emit(
                    event=Event.REQUEST_DELIVERED,
                    team_id=request.team_id,
                    key=f"request-event:{event.pk}:delivered",
                    message=lambda: _request_message(
                        request,
                        f"Delivered: {request.title}",
                        f"{actor} delivered the answer to {request.requester.display_name}.",
                        change=change,
                    ),
                )
    return written


def request_notifications_publish(*, event_id: int) -> int:
    """Post each notice of a request event whose recipient chose Slack or Teams for its topic to that
    person's own address (``Endpoint.personal``): one delivery per notice, keyed by the notice, so a
    second run of the task posts nothing more. Returns the deliveries written.

    Runs in the notifying worker after ``event_notify`` wrote the notices (a notice's ``channel`` is
    the recipient's choice when it was made). Someone whose address is gone has the notice in the
    app only; a paused address keeps its deliveries until it is resumed.
    """
    notices = list(
        Notification.objects.filter(event_id=event_id, channel=NotifyChannel.CHAT).select_related(
            "event", "request__team", "request__product", "request__requester", "request__assignee"
        )
    )
    if not notices:
        return 0
    addresses = {
        e.owner_id: e
        for e in Endpoint.objects.filter(personal=True, owner_id__in=[n.recipient_id for n in notices])
    }
    now = timezone.now()
    rows = []
    for notice in notices:
        endpoint = addresses.get(notice.recipient_id)
        if endpoint is None:
            continue
        message = _request_message(
            notice.request,
            notice.text,
            notice.event.message[:1000] or notice.request.title,
            notification={"id": notice.pk, "text": notice.text},
        )
        rows.append(
            Delivery(
                uuid=uuid.uuid4(),
                endpoint=endpoint,
                event=Event.NOTIFICATION,
                event_key=f"notification:{notice.pk}",
                body=render(
                    endpoint.kind, event=Event.NOTIFICATION, event_id=uuid.uuid4(), at=now, message=message
                ),
                next_attempt_at=now,
            )
        )
    with transaction.atomic():
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        for row in rows:
            # A row the database ignored (posted by an earlier run) has no such uuid: its task does nothing.
            enqueue_on_commit(DELIVER_TASK, str(row.uuid))
    return len(rows)


def request_sla_breached(request: Request, *, due: str, label: str) -> int:
    """Publish that an open request went past its service level (once per request and target date)."""
    return emit(
        event=Event.REQUEST_SLA_BREACHED,
        team_id=request.team_id,
        key=f"sla:{request.pk}:{due}",
        message=lambda: _request_message(
            request, f"Past its service level: {request.title}", label, sla={"due": due, "label": label}
        ),
    )


# --- Wins, win/loss reviews and reports (published by their services, in their transactions) -------


def _win_message(win: Win, title: str) -> Message:
    url = _url(reverse("initiatives:feed") if win.promoted_at else reverse("initiatives:wins"))
    return Message(
        title=title,
        text=win.headline or win.impact or win.title,
        url=url,
        facts=[("Team", win.team.name), ("By", win.owner.display_name), ("Date", f"{win.date:%d %b %Y}")],
        data={
            "win": {
                "id": win.pk,
                "title": win.title,
                "impact": win.impact,
                "date": win.date.isoformat(),
                "team": win.team.slug,
                "owner": _person(win.owner),
                "initiative": win.initiative_id,
                "request": win.request_id,
                "promoted_at": win.promoted_at.isoformat() if win.promoted_at else None,
                "headline": win.headline,
                "quote": win.quote,
            }
        },
    )


def win_recorded(win: Win) -> int:
    return emit(
        event=Event.WIN_RECORDED,
        team_id=win.team_id,
        key=f"win:{win.pk}",
        message=lambda: _win_message(win, f"Win recorded: {win.title}"),
    )


def win_promoted(win: Win, *, promotion_id: int) -> int:
    return emit(
        event=Event.WIN_PROMOTED,
        team_id=win.team_id,
        key=f"win-promotion:{promotion_id}",
        message=lambda: _win_message(win, f"Win: {win.headline or win.title}"),
    )


def win_loss_recorded(review: WinLossReview) -> int:
    def message() -> Message:
        url = _url(review.get_absolute_url())
        competitor = review.competitor.name if review.competitor else ""
        return Message(
            title=f"Deal {review.get_outcome_display().lower()}: {review.account}",
            text=review.buyer_quote or review.notes or "",
            url=url,
            facts=[("Team", review.team.name), ("Competitor", competitor), ("Value", str(review.value))],
            data={
                "win_loss_review": {
                    "id": review.pk,
                    "account": review.account,
                    "outcome": review.outcome,
                    "value": str(review.value),
                    "decided_on": review.decided_on.isoformat(),
                    "competitor": competitor or None,
                    "team": review.team.slug,
                    "owner": _person(review.owner),
                    "url": url,
                }
            },
        )

    return emit(
        event=Event.WIN_LOSS_RECORDED, team_id=review.team_id, key=f"win-loss:{review.pk}", message=message
    )


def report_ready(report: MonthlyReport) -> int:
    def message() -> Message:
        url = _url(reverse("reporting:report", args=[report.pk]))
        return Message(
            title=f"Monthly report ready: {report.team.name}, {report.month:%B %Y}",
            text=f"Version {report.version}.",
            url=url,
            facts=[("Team", report.team.name), ("Month", f"{report.month:%B %Y}")],
            data={
                "report": {
                    "id": report.pk,
                    "team": report.team.slug,
                    "month": report.month.isoformat(),
                    "version": report.version,
                    "url": url,
                }
            },
        )

    return emit(
        event=Event.REPORT_READY,
        team_id=report.team_id,
        key=f"report:{report.pk}:v{report.version}",
        message=message,
    )
