"""Every write of integrations: endpoints, sending deliveries (with retries and the automatic pause),
re-sends, test pings, the sweep, SLA-breach posts and Slack's inbound requests.

Sending is at-least-once: a delivery whose worker died mid-send is sent again by the sweep,
so receivers should ignore a repeated ``X-PMM-Delivery``. A duplicate *task* never sends twice:
the attempt locks the delivery row and checks its state first (``delivery_attempt``).
Nothing here imports ``integrations.tasks``: tasks are named (``events.DELIVER_TASK``).
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.background import enqueue_now, enqueue_on_commit
from pmm_portal.core.dates import today_in
from pmm_portal.core.history import acting_as
from pmm_portal.core.models import Role, Team, User
from requests_queue.models import NotificationPreference, NotifyChannel, Request
from requests_queue.services import RequestError, request_submit, sla_clocks, sla_scan
from requests_queue.services.guessing import guess_product, guess_type

from . import events, slack
from .events import DELIVER_TASK, Message
from .models import (
    CHANNEL_EVENTS,
    CHAT_KINDS,
    EXCERPT,
    NAME,
    SUBSCRIBABLE,
    URL,
    Delivery,
    DeliveryStatus,
    Endpoint,
    EndpointKind,
    Event,
)
from .permissions import managed_teams

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
MAX_ATTEMPTS = 6  # then the delivery has failed
BACKOFF_SECONDS = 30  # 30 s, 1, 2, 4, 8 min between the attempts
PAUSE_AFTER = 5  # failed deliveries in a row pause the endpoint
# A due delivery no task has taken this long after its time is enqueued again by the sweep.
SWEEP_GRACE = timedelta(minutes=2)
# A task arriving this early (the broker's clock, a duplicate) leaves the row to its own time.
EARLY_TOLERANCE = timedelta(seconds=5)
KEEP_LOG = timedelta(days=30)
SWEEP_LIMIT = 500
USER_AGENT = "PMM-Portal-Webhooks/1.0"

SENT, RETRY, FAILED, SKIPPED = "sent", "retry", "failed", "skipped"


# --- Endpoints ---------------------------------------------------------------------------------------


def check_url(url: str) -> str:
    """An http(s) URL with a host, or a ``ValidationError`` on ``url``."""
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": "Enter an http:// or https:// address."})
    if len(url) > URL:
        raise ValidationError({"url": f"Use an address of at most {URL} characters."})
    return url


def allowed_events(kind: str) -> tuple[str, ...]:
    return CHANNEL_EVENTS if kind in (EndpointKind.SLACK, EndpointKind.TEAMS) else SUBSCRIBABLE


def _clean(
    *, actor: User, kind: str, name: str, url: str, events_: Iterable[str], team: Team | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if kind not in EndpointKind.values:
        errors["kind"] = "Pick a webhook, a Slack channel or a Teams channel."
    name = name.strip()
    if not name:
        errors["name"] = "Name it, so the delivery log says where things went."
    elif len(name) > NAME:
        errors["name"] = f"Use at most {NAME} characters."
    try:
        url = check_url(url)
    except ValidationError as error:
        errors["url"] = error.message_dict["url"][0]
    chosen = list(dict.fromkeys(events_))
    allowed = allowed_events(kind)
    if not chosen:
        errors["events"] = "Pick at least one event."
    elif any(e not in allowed for e in chosen):
        errors["events"] = "Pick events from the list."
    if team is None:
        if not actor.is_portal_admin:
            errors["team"] = "Pick one of the teams you lead."
        elif kind != EndpointKind.WEBHOOK:
            errors["team"] = "A channel belongs to a team: pick one."
    elif not managed_teams(actor).filter(pk=team.pk).exists():
        errors["team"] = "Pick one of the teams you lead."
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "name": name, "url": url, "events": chosen, "team": team}


@transaction.atomic
def endpoint_create(
    *, actor: User, kind: str, name: str, url: str, events: Iterable[str], team: Team | None
) -> Endpoint:
    """Register an endpoint for chosen events (a CMO: for a team they lead); it gets its own secret."""
    fields = _clean(actor=actor, kind=kind, name=name, url=url, events_=events, team=team)
    endpoint = Endpoint.objects.create(owner=actor, **fields)
    _subscribers_changed()
    return endpoint


@transaction.atomic
def endpoint_update(
    *, actor: User, endpoint: Endpoint, name: str, url: str, events: Iterable[str], team: Team | None
) -> Endpoint:
    """Change an endpoint's name, address, events and team (its kind and secret stay)."""
    fields = _clean(actor=actor, kind=endpoint.kind, name=name, url=url, events_=events, team=team)
    fields.pop("kind")
    for key, value in fields.items():
        setattr(endpoint, key, value)
    endpoint.save(update_fields=[*fields, "updated_at"])
    _subscribers_changed()
    return endpoint


def _subscribers_changed() -> None:
    events.subscribers_changed()


@transaction.atomic
def endpoint_delete(*, actor: User, endpoint: Endpoint) -> None:
    """Remove an endpoint and its delivery log."""
    endpoint.delete()
    _subscribers_changed()


@transaction.atomic
def endpoint_rotate_secret(*, actor: User, endpoint: Endpoint) -> Endpoint:
    """A new signing secret; deliveries sent from now on are signed with it."""
    endpoint.secret = Endpoint._meta.get_field("secret").get_default()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_pause(*, actor: User | None, endpoint: Endpoint, reason: str = "") -> bool:
    """Stop sending to ``endpoint``; its pending deliveries wait. False when it was paused already.

    A conditional update: of a person and the failing worker pausing at once, one does it.
    """
    reason = reason or (f"Paused by {actor.display_name}." if actor else "Paused.")
    now = timezone.now()
    done = Endpoint.objects.filter(pk=endpoint.pk, paused_at__isnull=True).update(
        paused_at=now, pause_reason=reason[:300], updated_at=now
    )
    if done:
        endpoint.paused_at, endpoint.pause_reason = now, reason[:300]
        _subscribers_changed()
    return bool(done)


@transaction.atomic
def endpoint_resume(*, actor: User, endpoint: Endpoint) -> int:
    """Send to ``endpoint`` again: its failure count starts over and its waiting deliveries go out now.

    Returns the deliveries enqueued (at most ``SWEEP_LIMIT``; the sweep takes any more).
    """
    now = timezone.now()
    Endpoint.objects.filter(pk=endpoint.pk).update(
        paused_at=None, pause_reason="", failure_streak=0, updated_at=now
    )
    endpoint.paused_at, endpoint.pause_reason, endpoint.failure_streak = None, "", 0
    waiting = list(
        Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING)
        .order_by("created_at")
        .values_list("pk", "uuid")[:SWEEP_LIMIT]
    )
    Delivery.objects.filter(pk__in=[pk for pk, _ in waiting]).update(next_attempt_at=now)
    for _, key in waiting:
        enqueue_on_commit(DELIVER_TASK, str(key))
    _subscribers_changed()
    return len(waiting)


def _new_delivery(
    *, endpoint: Endpoint, event: str, key: str, body: dict[str, Any], actor: User | None, **extra: Any
) -> Delivery:
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event=event,
        event_key=key[:160],
        team=endpoint.team,
        body=body,
        next_attempt_at=timezone.now(),
        created_by=actor,
        **extra,
    )
    enqueue_on_commit(DELIVER_TASK, str(delivery.uuid))
    return delivery


@transaction.atomic
def endpoint_ping(*, actor: User, endpoint: Endpoint) -> Delivery:
    """Send a test event (``ping``) through the same machinery; it shows in the delivery log."""
    if not endpoint.is_active:
        raise ValidationError("This endpoint is paused: resume it before sending a test.")
    now = timezone.now()
    message = Message(
        title="Test from PMM Portal",
        text=f"{actor.display_name} sent a test to “{endpoint.name}”. If you read this, it works.",
        url=f"{settings.SITE_URL}{endpoint.get_absolute_url()}",
        data={"endpoint": {"id": endpoint.pk, "name": endpoint.name}, "sent_by": actor.display_name},
    )
    event_id = uuid.uuid4()
    body = events.render(endpoint.kind, event=Event.PING, event_id=event_id, at=now, message=message)
    return _new_delivery(endpoint=endpoint, event=Event.PING, key=f"ping:{event_id}", body=body, actor=actor)


@transaction.atomic
def delivery_resend(*, actor: User, delivery: Delivery) -> Delivery:
    """Send a delivery's body again, as a new row of the log (same event id, new delivery id)."""
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        raise ValidationError("This endpoint is paused: resume it before re-sending.")
    if delivery.status == DeliveryStatus.PENDING:
        raise ValidationError("This delivery is still being sent: wait for its result.")
    return _new_delivery(
        endpoint=endpoint,
        event=delivery.event,
        key=f"{delivery.event_key[:100]}:resend:{uuid.uuid4()}",
        body=delivery.body,
        actor=actor,
        resend_of=delivery,
    )


# --- A person's own Slack or Teams address (their notices with channel "chat") -----------------------

PERSONAL_NAMES = {EndpointKind.SLACK: "Your Slack", EndpointKind.TEAMS: "Your Teams chat"}


def personal_channel_known(user: User) -> bool:
    """Whether ``user`` has their own Slack or Teams address (and so may choose chat for a topic)."""
    return bool(user.pk) and Endpoint.objects.filter(owner=user, personal=True).exists()


def _personal(user: User) -> Endpoint:
    endpoint = Endpoint.objects.select_for_update().filter(owner=user, personal=True).first()
    if endpoint is None:
        raise ValidationError("Add your Slack or Teams address first.")
    return endpoint


@transaction.atomic
def personal_channel_save(*, user: User, kind: str, url: str) -> Endpoint:
    """Set ``user``'s own Slack or Teams incoming-webhook address. A changed address of a paused one
    resumes it: the notices waiting for it go to the new address."""
    errors: dict[str, str] = {}
    if kind not in CHAT_KINDS:
        errors["kind"] = "Pick Slack or Teams."
    try:
        url = check_url(url)
    except ValidationError as error:
        errors["url"] = error.message_dict["url"][0]
    if errors:
        raise ValidationError(errors)
    endpoint = Endpoint.objects.select_for_update().filter(owner=user, personal=True).first()
    if endpoint is None:
        return Endpoint.objects.create(
            owner=user, personal=True, kind=kind, url=url, name=PERSONAL_NAMES[EndpointKind(kind)], events=[]
        )
    moved = endpoint.url != url
    endpoint.kind, endpoint.url, endpoint.name = kind, url, PERSONAL_NAMES[EndpointKind(kind)]
    endpoint.save(update_fields=["kind", "url", "name", "updated_at"])
    if moved and not endpoint.is_active:
        endpoint_resume(actor=user, endpoint=endpoint)
    return endpoint


@transaction.atomic
def personal_channel_test(*, user: User) -> Delivery:
    """Send ``user`` a test message at their own address; it shows in their delivery log."""
    return endpoint_ping(actor=user, endpoint=_personal(user))


@transaction.atomic
def personal_channel_resume(*, user: User) -> int:
    """Send to ``user``'s paused address again; the notices that waited go out now."""
    return endpoint_resume(actor=user, endpoint=_personal(user))


@transaction.atomic
def personal_channel_remove(*, user: User) -> int:
    """Forget ``user``'s address and its log; the topics they sent to chat go by email at once again.
    Returns the topics switched back to email."""
    _personal(user).delete()
    return NotificationPreference.objects.filter(user=user, channel=NotifyChannel.CHAT).update(
        channel=NotifyChannel.EMAIL
    )


# --- Sending ----------------------------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    """``X-PMM-Signature``: HMAC-SHA256 of the raw body with the endpoint's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, doubling."""
    return timedelta(seconds=BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))


@dataclass
class Outcome:
    ok: bool
    code: int | None
    excerpt: str
    error: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: a webhook is never re-posted elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _excerpt(raw: bytes) -> str:
    return raw[:EXCERPT].decode("utf-8", "replace")


def http_post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body``; a 2xx answer within ``TIMEOUT_SECONDS`` is a success, anything else a failure."""
    check_url(url)  # never a file:// or other scheme, whatever got into the row
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            code = response.status
            return Outcome(ok=200 <= code < 300, code=code, excerpt=_excerpt(response.read(EXCERPT)))
    except urllib.error.HTTPError as error:
        excerpt = _excerpt(error.read(EXCERPT)) if error.fp else ""
        return Outcome(ok=False, code=error.code, excerpt=excerpt, error=f"HTTP {error.code}")
    except (OSError, ValueError) as error:  # refused, timed out, DNS, TLS, a malformed answer
        return Outcome(ok=False, code=None, excerpt="", error=str(error)[:300] or type(error).__name__)


def _headers(delivery: Delivery, body: bytes) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-PMM-Event": delivery.event,
        "X-PMM-Delivery": str(delivery.uuid),
        "X-PMM-Timestamp": str(int(time.time())),
    }
    if delivery.endpoint.signs:
        headers["X-PMM-Signature"] = sign(delivery.endpoint.secret, body)
    return headers


def encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def delivery_attempt(*, delivery_uuid: str, now: datetime | None = None) -> str:
    """Send one due delivery once; the task ``integrations.deliver`` runs this. Returns what happened.

    The row is locked (``select_for_update(skip_locked=True)``) and must still be pending and
    due: a second task for it (a duplicate message, the sweep's re-enqueue) finds it locked,
    sent or not due yet and does nothing. The POST happens while the lock is held (at most
    ``TIMEOUT_SECONDS``): if this worker dies, the transaction rolls back, the row stays due
    and the sweep sends it again. A failure schedules the next attempt with backoff; the
    last failure fails the delivery, and ``PAUSE_AFTER`` failed deliveries in a row pause
    the endpoint and mail its owner.
    """
    try:
        key = uuid.UUID(str(delivery_uuid))
    except ValueError:
        return SKIPPED
    paused: Endpoint | None = None
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(uuid=key, status=DeliveryStatus.PENDING)
            .first()
        )
        now = now or timezone.now()
        if (
            delivery is None
            or delivery.next_attempt_at is None
            or delivery.next_attempt_at > now + EARLY_TOLERANCE
        ):
            return SKIPPED
        endpoint = delivery.endpoint
        if not endpoint.is_active:
            return SKIPPED  # it waits for the endpoint's resumption
        body = encode(delivery.body)
        outcome = http_post(endpoint.url, body, _headers(delivery, body))
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_code = outcome.code
        delivery.response_excerpt = outcome.excerpt
        delivery.error = outcome.error
        fields = [
            "attempts",
            "last_attempt_at",
            "response_code",
            "response_excerpt",
            "error",
            "status",
            "next_attempt_at",
        ]
        if outcome.ok:
            result = SENT
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.next_attempt_at = None
            delivery.delivered_at = timezone.now()
            fields.append("delivered_at")
            Endpoint.objects.filter(pk=endpoint.pk, failure_streak__gt=0).update(failure_streak=0)
        elif delivery.attempts >= MAX_ATTEMPTS:
            result = FAILED
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            Endpoint.objects.filter(pk=endpoint.pk).update(failure_streak=F("failure_streak") + 1)
            streak = Endpoint.objects.values_list("failure_streak", flat=True).get(pk=endpoint.pk)
            reason = (
                f"Paused after {streak} failed deliveries in a row (last: {outcome.error or outcome.code})."
            )
            if streak >= PAUSE_AFTER and endpoint_pause(actor=None, endpoint=endpoint, reason=reason):
                paused = endpoint
        else:
            result = RETRY
            wait = backoff(delivery.attempts)
            delivery.next_attempt_at = now + wait
            countdown = min(wait.total_seconds(), float(settings.TASK_LONGEST_COUNTDOWN))
            enqueue_on_commit(DELIVER_TASK, str(delivery.uuid), countdown=countdown)
        delivery.save(update_fields=fields)
    if paused is not None:
        _mail_paused(paused)
    return result


def _mail_paused(endpoint: Endpoint) -> None:
    """Tell the endpoint's owner (else its team's lead) that it was paused, and how to resume it."""
    endpoint = Endpoint.objects.select_related("owner", "team__lead").get(pk=endpoint.pk)
    person = endpoint.owner if endpoint.owner and endpoint.owner.is_active else None
    if person is None and endpoint.team is not None:
        person = endpoint.team.lead
    if person is None or not person.email:
        return
    link = f"{settings.SITE_URL}{endpoint.get_absolute_url()}"
    if endpoint.personal:
        send_mail(
            f"[PMM Portal] {endpoint.name} was paused: notices sent there kept failing",
            f"{endpoint.pause_reason}\n\nYour notices still show in the portal's inbox, but nothing more "
            f"is posted to {endpoint.url} until you resume it or change the address; the notices "
            f"that are waiting go out then.\n\nCheck it and resume it: {link}\n",
            None,
            [person.email],
        )
        return
    send_mail(
        f"[PMM Portal] “{endpoint.name}” was paused: its deliveries kept failing"[:200],
        f"{endpoint.pause_reason}\n\n"
        f"Nothing more is sent to {endpoint.url} until you resume it; the deliveries that are "
        f"waiting go out then.\n\nSee the delivery log and resume it: {link}\n",
        None,
        [person.email],
    )


def deliveries_sweep(*, now: datetime | None = None) -> int:
    """Enqueue again the due deliveries no task took (a broker that refused the publish, a worker
    that died mid-send), and drop the log's finished rows older than ``KEEP_LOG``. Returns enqueued."""
    now = now or timezone.now()
    Delivery.objects.filter(created_at__lt=now - KEEP_LOG).exclude(status=DeliveryStatus.PENDING).delete()
    stuck = list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now - SWEEP_GRACE,
            endpoint__paused_at__isnull=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", "uuid")[:SWEEP_LIMIT]
    )
    sent = 0
    for pk, key in stuck:
        # Due now: the next sweep leaves it alone for SWEEP_GRACE while the task runs.
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(next_attempt_at=now)
        if not enqueue_now(DELIVER_TASK, str(key)):
            break  # the broker is still down: the next sweep tries again
        sent += 1
    return sent


def sla_breaches_publish() -> int:
    """Post each open request that went past its service level to the channels and webhooks that
    hear SLA breaches: once per request and target date. Only the listening teams are scanned."""
    listeners = events.subscribers().get(Event.REQUEST_SLA_BREACHED, [])
    if not listeners:
        return 0
    teams = {team for _, _, team in listeners}
    every = None in teams
    scope = Request.objects.all() if every else Request.objects.filter(team_id__in=[t for t in teams if t])
    clocks = sla_clocks(sla_scan(scope))
    overdue = {pk: clock for pk, clock in clocks.items() if clock is not None and clock.overdue}
    if not overdue:
        return 0
    keys = {pk: f"sla:{pk}:{clock.due.isoformat()}" for pk, clock in overdue.items()}
    known = set(Delivery.objects.filter(event_key__in=keys.values()).values_list("event_key", flat=True))
    written = 0
    requests = Request.objects.select_related("team", "product", "requester", "assignee").filter(
        pk__in=[pk for pk, key in keys.items() if key not in known]
    )
    for request in requests:
        clock = overdue[request.pk]
        with transaction.atomic():
            written += events.request_sla_breached(request, due=clock.due.isoformat(), label=clock.label)
    return written


# --- Slack inbound: /pmm-request and the "Send to PMM" message action ---------------------------------

TITLE_MAX = Request._meta.get_field("title").max_length or 200


def slack_requester(slack_user_id: str) -> User | None:
    """The active portal user with the Slack user's email (from Slack's directory), if any."""
    email = slack.user_email(slack_user_id)
    if not email:
        return None
    return User.objects.filter(email__iexact=email, is_active=True).order_by("pk").first()


def form_link(*, title: str, details: str = "") -> str:
    query = urllib.parse.urlencode(
        {k: v for k, v in {"title": title[:TITLE_MAX], "details": details}.items() if v}
    )
    return f"{settings.SITE_URL}{reverse('requests_queue:new')}" + (f"?{query}" if query else "")


@dataclass
class SlackAnswer:
    text: str
    request: Request | None = None


def slack_request_create(*, slack_user_id: str, text: str, details: str = "") -> SlackAnswer:
    """File a request for the Slack user (matched by email) from ``text``, or say how to file it.

    The product must be named in the text; the type is guessed from its words and left for
    triage. Anything missing answers with a link to the request form, filled with the text.
    """
    text = " ".join(text.split())
    if not text:
        return SlackAnswer(
            "Say what you need: `/pmm-request Battlecard against Northwind for Acme (Atlas)`. "
            f"Or fill in the form: {form_link(title='')}"
        )
    title = text[:TITLE_MAX]
    requester = slack_requester(slack_user_id)
    if requester is None:
        return SlackAnswer(
            "I could not match your Slack account to a PMM Portal account by email. "
            f"File it from the form: {form_link(title=title, details=details)}"
        )
    if requester.role != Role.SALES:
        return SlackAnswer(
            f"Requests come from sales. Open the queue instead: {settings.SITE_URL}{reverse('requests_queue:index')}"
        )
    product = guess_product(f"{text} {details}")
    if product is None:
        return SlackAnswer(
            f"Which product is it for? Name it in the text, or finish it in the form: {form_link(title=title, details=details)}"
        )
    try:
        with acting_as(requester):  # the audit log names the rep, as for the form
            created = request_submit(
                requester=requester,
                product=product,
                type=guess_type(f"{text} {details}"),
                title=title,
                details=(details or "Sent from Slack with /pmm-request.")[:10_000],
                needed_by=today_in(product.team) + timedelta(days=5),
            )
    except (RequestError, ValidationError) as error:
        return SlackAnswer(
            f"That did not work ({'; '.join(error.messages)}). Try the form: {form_link(title=title, details=details)}"
        )
    url = f"{settings.SITE_URL}{created.get_absolute_url()}"
    return SlackAnswer(
        f"Filed “{created.title}” for {product.name} ({created.get_type_display().lower()}), needed by "
        f"{created.needed_by:%d %b}: {url}",
        created,
    )


def slack_message_to_request(*, slack_user_id: str, message: str, permalink: str = "") -> SlackAnswer:
    """ "Send to PMM" on a Slack message: its first line becomes the title, all of it the details."""
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    details = message.strip() + (f"\n\nFrom Slack: {permalink}" if permalink else "")
    return slack_request_create(slack_user_id=slack_user_id, text=first, details=details)


def slack_respond(*, response_url: str, text: str) -> bool:
    """Answer a Slack action through its ``response_url`` (only on Slack's hosts), privately."""
    host = urllib.parse.urlsplit(response_url).hostname or ""
    if host not in settings.SLACK_RESPONSE_HOSTS:
        logger.warning("Slack response_url on an unexpected host refused: %s", host)
        return False
    outcome = http_post(
        response_url,
        encode({"response_type": "ephemeral", "text": text}),
        {"Content-Type": "application/json", "User-Agent": USER_AGENT},
    )
    return outcome.ok
