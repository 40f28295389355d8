"""Request events (the transactional outbox) and the in-app and email notifications they lead to.

A service writes a ``RequestEvent`` in the same transaction as its change
(``record``). After commit the event's notification task is enqueued by name
(``pmm_portal.core.background``); when the broker is down the event stays
undispatched and the beat task ``requests_queue.dispatch_outbox`` enqueues it
again (``outbox_dispatch``). These functions never import ``requests_queue.tasks``:
the tasks import the services.
"""

import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from pmm_portal.core.background import enqueue_now, enqueue_on_commit
from pmm_portal.core.models import Role, User

from .. import limits
from ..models import (
    EventKind,
    Notification,
    NotificationDelivery,
    NotifyChannel,
    NotifyTopic,
    Request,
    RequestEvent,
    RequestStatus,
)
from ..permissions import visible_to
from . import preferences

S = RequestStatus

# The Celery name of the task that delivers an event's notifications (``tasks.notify_event``).
NOTIFY_TASK = "requests_queue.notify_event"

# A rep's "me too" (``lifecycle.request_me_too``) is recorded as a ``commented`` event whose message
# starts with this and carries their deal: it goes to product marketing only, never to the requester
# or the other reps, whose deals stay private from each other.
ME_TOO_MESSAGE = "Another rep needs this too"


def is_me_too(event: RequestEvent) -> bool:
    return event.kind == EventKind.COMMENTED and event.message.startswith(ME_TOO_MESSAGE)


def record(
    *,
    request: Request,
    kind: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    message: str = "",
    notify: bool = True,
) -> RequestEvent:
    """Write the event in the caller's transaction; try to enqueue its notifications after commit.

    The message is the history's line: one over ``limits.DETAILS`` characters (a long
    question with the triage note before it) is cut there, the whole text stays where it
    was typed.
    """
    if len(message) > limits.DETAILS:
        message = message[: limits.DETAILS - 1] + "…"
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
        enqueue_on_commit(NOTIFY_TASK, event.pk, countdown=getattr(_held, "seconds", None))
    return event


_held = threading.local()


@contextmanager
def notifications_held(seconds: float) -> Iterator[None]:
    """Events recorded in the block notify ``seconds`` later: a step that can be undone
    (``services.undo``) tells nobody until the chance to take it back has passed."""
    previous = getattr(_held, "seconds", None)
    _held.seconds = seconds
    try:
        yield
    finally:
        _held.seconds = previous


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
        if enqueue_now(NOTIFY_TASK, event_id):
            sent += 1
        else:
            break  # the broker is still down: try again at the next beat
    return sent


def _event_recipients(event: RequestEvent) -> list[User]:
    request = event.request
    people: dict[int, User] = {}
    if is_me_too(event) and request.assignee_id:
        people[request.assignee_id] = request.assignee  # type: ignore[assignment]
    elif event.kind == EventKind.SUBMITTED or is_me_too(event):
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


# ``@username`` in a comment: letters, digits and Django's username characters, not a trailing dot.
# Each name costs a visibility check: a comment tells at most this many people by name.
MAX_MENTIONS = 20
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]*[\w+-])")


def mentioned_users(event: RequestEvent) -> list[User]:
    """The active people a comment names with ``@username`` who may see its request (not its author).

    A name that is no one's, or someone who cannot see the request, is ignored: nobody is
    told about a conversation they cannot open.
    """
    if event.kind != EventKind.COMMENTED or is_me_too(event):
        return []
    names = sorted({name.lower() for name in MENTION.findall(event.message)})[:MAX_MENTIONS]
    if not names:
        return []
    found = []
    for user in User.objects.filter(username__iregex=r"^(" + "|".join(re.escape(n) for n in names) + r")$"):
        if not user.is_active or user.pk == event.actor_id:
            continue
        if visible_to(user).filter(pk=event.request_id).exists():
            found.append(user)
    return found


def mention_text(event: RequestEvent) -> str:
    actor = event.actor.display_name if event.actor else "Someone"
    return f"{actor} mentioned you on “{event.request.title}”"


def due_date_note(request: Request) -> str:
    """The history line of a due date: when, and why it is later than the rep asked if it is."""
    if request.due_date is None:
        return ""
    note = f"Due {request.due_date:%d %b %Y}"
    if request.due_date > request.needed_by and request.due_date_reason:
        return f"{note}, later than asked ({request.needed_by:%d %b}): {request.due_date_reason}"
    return f"{note}."


def event_text(event: RequestEvent) -> str:
    """The one line a notification says (in the app and as the mail's subject).

    A question to the requester is the question itself; an accept or a due date that
    comes later than the rep asked carries its reason, so the rep reads it in the notice.
    """
    request = event.request
    actor = event.actor.display_name if event.actor else "Someone"
    title = f"“{request.title}”"
    note = due_date_note(request)
    # The accept's events carry the due-date note in their message (``lifecycle.request_accept``).
    with_due = f": {note}" if note and note in event.message else ""
    if event.kind == EventKind.STATUS_CHANGED and event.to_status == S.WAITING:
        return f"{actor} needs more information: {event.message} ({title})"
    if event.kind == EventKind.DUE_DATE:
        return f"{actor} set the due date of {title}: {note}"
    if event.kind == EventKind.SUBMITTED:
        return f"New request from {actor}: {title} ({request.product.name})"
    if is_me_too(event):
        return f"{actor} needs {title} too{event.message.removeprefix(ME_TOO_MESSAGE).rstrip('.')}"
    if event.kind == EventKind.COMMENTED:
        return f"{actor} commented on {title}"
    if event.kind == EventKind.ASSIGNED:
        return (
            f"{actor} assigned {title} to {request.assignee.display_name if request.assignee else 'nobody'}"
            + with_due
        )
    if event.kind == EventKind.RATED:
        return f"{actor} rated {title} {request.rating}/5"
    label = S(event.to_status).label if event.to_status else "updated"
    return f"{title} is now {label.lower()}" + (f" ({actor})" if event.actor else "") + with_due


def event_notify(*, event_id: int) -> int:
    """Create the in-app notifications and send one mail per recipient for an event; idempotent.

    Each mail is guarded by a ``NotificationDelivery`` row, unique per event and
    recipient, locked while the mail goes out: a second run (a retry, or the
    outbox re-enqueueing) finds it and sends nothing. Returns mails sent now.
    """
    event = (
        RequestEvent.objects.select_related(
            "request__product", "request__requester", "request__assignee", "request__team", "actor"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None or not event.notify:
        return 0
    general = event_text(event)
    url = settings.SITE_URL + event.request.get_absolute_url()
    mentioned = mentioned_users(event)
    recipients = {user.pk: user for user in _event_recipients(event)}
    recipients.update({user.pk: user for user in mentioned})
    chosen = preferences.chosen_channels(recipients)
    me_too = is_me_too(event)
    triagers = (
        preferences.triagers_today(event.request.team)
        if event.kind == EventKind.SUBMITTED or me_too
        else set()
    )
    sent = 0
    for user in recipients.values():
        is_mentioned = user in mentioned
        text = mention_text(event) if is_mentioned else general
        topic = preferences.topic_of(event, user, mentioned=is_mentioned, me_too=me_too)
        channel = preferences.channel_for(user, topic, chosen, triager=user.pk in triagers)
        Notification.objects.get_or_create(
            event=event,
            recipient=user,
            defaults={
                "request": event.request,
                "text": text[:300],
                "mentioned": is_mentioned,
                "channel": channel,
            },
        )
        if not user.email or channel != NotifyChannel.EMAIL:
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    delivery = NotificationDelivery.objects.create(
                        event=event, recipient=user, sent_at=timezone.now()
                    )
            except IntegrityError:
                continue  # already mailed by an earlier run
            stop = preferences.unsubscribe_url(user, topic)
            body = (
                f"{text}\n\n{event.message}\n\nOpen it: {url}\n".replace("\n\n\n", "\n\n")
                + f"\nStop these emails ({NotifyTopic(topic).label.lower()}): {stop}\n"
            )
            preferences.send_unsubscribable(f"[PMM Portal] {text}", body, user, stop)
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
