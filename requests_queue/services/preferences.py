"""How each person hears of what happens: per topic, email at once, a daily digest, Slack or Teams,
or the app only.

Every notice is in the app (the inbox and the bell). Beyond it, ``channel_for`` decides per
recipient: their choice for the notice's topic, else the topic's default. New requests go by
email at once to the team's triagers of the day (``TriageRota``) and to everyone else as they
chose, a digest by default: not every PMM is mailed for every request. Every mail carries a
one-click unsubscribe link for its topic (``unsubscribe_url``), which needs no sign-in.
"""

import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.models import Role, Team, User

from ..models import (
    DigestDelivery,
    DigestSettings,
    EventKind,
    Notification,
    NotificationPreference,
    NotifyChannel,
    NotifyTopic,
    RequestEvent,
    TriageRota,
)
from ..workflow import RequestError

C = NotifyChannel
T = NotifyTopic
DEFAULT_CHANNELS: dict[str, str] = {
    T.NEW_REQUEST: C.DIGEST,
    T.ASSIGNED: C.EMAIL,
    T.UPDATES: C.EMAIL,
    T.COMMENTS: C.EMAIL,
    T.MENTIONS: C.EMAIL,
    # Weekly at most (``asset_reviews``): email, or the app only (the library's "review due" flag).
    T.ASSET_REVIEWS: C.EMAIL,
}
DEFAULT_DIGEST_HOUR = 8
DIGEST_LIMIT = 200  # notices in one digest (the rest wait for the next)
UNSUBSCRIBE_SALT = "requests_queue.unsubscribe"
ALL_DIGESTS = "digest"  # the digest mail's own link: every topic that goes to the digest


def _no_chat_address(user: User) -> bool:
    return False


# Whether a person has their own Slack or Teams address to be sent notices (channel "chat"). The
# addresses and their sending live in ``integrations``, which sits above this app: it installs its
# answer here when it loads (``integrations.apps``). Without it, nobody can choose chat.
chat_address_known: Callable[[User], bool] = _no_chat_address


def channels_for(topic: str) -> list[tuple[str, str]]:
    """The channels ``topic`` can go by: asset review reminders are mailed weekly by their own task
    (``asset_reviews``), which posts nowhere else, so Slack or Teams is not offered for them."""
    order = [C.EMAIL, C.DIGEST, C.APP, C.CHAT]  # chat last: the one column a topic may leave empty
    labels = dict(C.choices)
    return [(value, labels[value]) for value in order if not (value == C.CHAT and topic == T.ASSET_REVIEWS)]


def topic_of(event: RequestEvent, recipient: User, *, mentioned: bool, me_too: bool) -> str:
    """What ``event`` is about for ``recipient`` (their choice of channel is per topic)."""
    if mentioned:
        return T.MENTIONS
    if event.kind == EventKind.SUBMITTED or (me_too and recipient.pk != event.request.assignee_id):
        return T.NEW_REQUEST
    if event.kind == EventKind.ASSIGNED and recipient.pk == event.request.assignee_id:
        return T.ASSIGNED
    if event.kind == EventKind.COMMENTED and not me_too:
        return T.COMMENTS
    return T.UPDATES


def chosen_channels(user_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """Everyone's choices among ``user_ids`` in one query: ``(user id, topic) -> channel``."""
    rows = NotificationPreference.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "topic", "channel"
    )
    return {(user_id, topic): channel for user_id, topic, channel in rows}


def triagers_today(team: Team) -> set[int]:
    """The PMMs who triage ``team``'s new requests today, in the team's time zone."""
    weekday = timezone.now().astimezone(team.zone).weekday()
    return set(TriageRota.objects.filter(team=team, weekday=weekday).values_list("user_id", flat=True))


def channel_for(
    user: User, topic: str, chosen: Mapping[tuple[int, str], str], *, triager: bool = False
) -> str:
    """How ``user`` hears of a notice of ``topic`` beyond the app (the triager of the day: at once)."""
    if topic == T.NEW_REQUEST and triager:
        return C.EMAIL
    return chosen.get((user.pk, topic), DEFAULT_CHANNELS[topic])


def preferences_of(user: User) -> dict[str, str]:
    """Every topic with ``user``'s channel (their choice, or the default)."""
    chosen = chosen_channels([user.pk])
    return {topic: chosen.get((user.pk, topic), DEFAULT_CHANNELS[topic]) for topic in T.values}


def digest_settings_of(user: User) -> DigestSettings:
    found = DigestSettings.objects.filter(user=user).first()
    return found or DigestSettings(user=user, hour=DEFAULT_DIGEST_HOUR, time_zone="")


def triage_days_of(user: User) -> dict[int, set[int]]:
    """``team id -> weekdays`` on which ``user`` triages that team's new requests."""
    days: dict[int, set[int]] = {}
    for team_id, weekday in TriageRota.objects.filter(user=user).values_list("team_id", "weekday"):
        days.setdefault(team_id, set()).add(weekday)
    return days


@transaction.atomic
def preferences_save(
    *,
    user: User,
    channels: Mapping[str, str],
    hour: int,
    time_zone: str = "",
    triage_days: Mapping[Team, Iterable[int]] | None = None,
) -> None:
    """Save ``user``'s channel per topic, their digest's hour and zone, and (PMMs) their triage days."""
    errors = {}
    for topic, channel in channels.items():
        if topic not in T.values or channel not in C.values:
            errors[topic] = "Pick email at once, the daily digest, Slack or Teams, or the app only."
        elif channel not in dict(channels_for(topic)):
            errors[topic] = "Asset review reminders come by email or in the app only."
    wants_chat = [t for t, channel in channels.items() if channel == C.CHAT and t not in errors]
    if wants_chat and not chat_address_known(user):
        for topic in wants_chat:
            errors[topic] = (
                "Add your Slack or Teams address first (the “Slack or Teams” section), then choose it."
            )
    if not 0 <= hour <= 23:
        errors["hour"] = "Pick an hour between 0 and 23."
    if time_zone and time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = "Pick a time zone from the list."
    if triage_days and user.role != Role.PMM:
        errors["triage_days"] = "Only product marketers triage new requests."
    if errors:
        raise RequestError(errors)
    for topic, channel in channels.items():
        NotificationPreference.objects.update_or_create(user=user, topic=topic, defaults={"channel": channel})
    DigestSettings.objects.update_or_create(user=user, defaults={"hour": hour, "time_zone": time_zone})
    for team, weekdays in (triage_days or {}).items():
        if not user.teams.filter(pk=team.pk).exists():
            raise RequestError({"triage_days": f"You are not on the {team.name} team."})
        TriageRota.objects.filter(team=team, user=user).delete()
        TriageRota.objects.bulk_create(
            [TriageRota(team=team, user=user, weekday=day) for day in sorted(set(weekdays)) if 0 <= day <= 6]
        )


# --- One-click unsubscribe --------------------------------------------------------------------


def unsubscribe_url(user: User, topic: str) -> str:
    """The link in a mail that stops that kind of mail for ``user`` (no sign-in needed: it is signed)."""
    token = signing.dumps({"u": user.pk, "t": topic}, salt=UNSUBSCRIBE_SALT)
    return f"{settings.SITE_URL}{reverse('inbox:unsubscribe', args=[token])}"


def unsubscribe_target(token: str) -> tuple[User, str]:
    """Whose mail of which topic ``token`` stops; a tampered or unknown token is refused."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"], is_active=True)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError) as error:
        raise RequestError(
            "This unsubscribe link is not valid: change your emails in your preferences."
        ) from error
    topic = data.get("t")
    if topic not in (*T.values, ALL_DIGESTS):
        raise RequestError("This unsubscribe link is not valid: change your emails in your preferences.")
    return user, topic


@transaction.atomic
def unsubscribe(token: str) -> tuple[User, list[str]]:
    """Stop the mail ``token`` stands for: its topic goes to the app only (the digest's link: every
    topic that went to the digest). Returns the person and the topics changed. Safe to repeat."""
    user, topic = unsubscribe_target(token)
    current = preferences_of(user)
    topics = [t for t, channel in current.items() if channel == C.DIGEST] if topic == ALL_DIGESTS else [topic]
    for name in topics:
        NotificationPreference.objects.update_or_create(user=user, topic=name, defaults={"channel": C.APP})
    return user, topics


def send_unsubscribable(subject: str, body: str, user: User, stop: str) -> None:
    """Mail ``user`` with the one-click unsubscribe headers (RFC 8058) pointing at ``stop``."""
    EmailMessage(
        subject[:200],
        body,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    ).send()


# --- The daily digest -------------------------------------------------------------------------


def time_zone_of(user: User) -> zoneinfo.ZoneInfo:
    """The zone ``user``'s digest hour is read in: theirs, else their first team's, else the site's."""
    chosen = getattr(getattr(user, "digest_settings", None), "time_zone", "")
    if chosen:
        return zoneinfo.ZoneInfo(chosen)
    team = user.teams.order_by("name").first() or Team.objects.filter(lead=user).order_by("name").first()
    return team.zone if team is not None else zoneinfo.ZoneInfo(settings.TIME_ZONE)


def digests_send(*, now: datetime | None = None) -> int:
    """Send the digests due this hour: one mail per person whose digest hour it is where they are,
    once a day, with everything waiting for it. Returns the digests sent (safe to run twice)."""
    now = now or timezone.now()
    waiting = Notification.objects.filter(channel=C.DIGEST, digested_at__isnull=True).values("recipient_id")
    sent = 0
    for user in User.objects.filter(pk__in=waiting, is_active=True).select_related("digest_settings"):
        local = now.astimezone(time_zone_of(user))
        hour = getattr(getattr(user, "digest_settings", None), "hour", DEFAULT_DIGEST_HOUR)
        if local.hour == hour:
            sent += digest_send(user, local.date(), now=now)
    return sent


def digest_send(user: User, day: date, *, now: datetime) -> int:
    """``user``'s digest of ``day``: 1 when it went out now, 0 when already sent or empty."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                delivery = DigestDelivery.objects.create(user=user, day=day)
        except IntegrityError:
            return 0  # already sent today
        items = list(
            Notification.objects.select_for_update()
            .filter(recipient=user, channel=C.DIGEST, digested_at__isnull=True, created_at__lte=now)
            .select_related("request")
            .order_by("created_at", "id")[:DIGEST_LIMIT]
        )
        if not items:
            transaction.set_rollback(True)
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(digested_at=now)
        delivery.items = len(items)
        delivery.save(update_fields=["items"])
        if not user.email:
            return 0
        lines = [f"• {n.text}\n  {settings.SITE_URL}{n.request.get_absolute_url()}" for n in items]
        stop = unsubscribe_url(user, ALL_DIGESTS)
        body = (
            f"Your PMM Portal digest for {day:%A %d %B}: {len(items)} notice{'' if len(items) == 1 else 's'}.\n\n"
            + "\n".join(lines)
            + f"\n\nChoose what you get and when: {settings.SITE_URL}{reverse('inbox:preferences')}\n"
            f"Stop the digest: {stop}\n"
        )
        send_unsubscribable(
            f"[PMM Portal] Your digest: {len(items)} notice{'' if len(items) == 1 else 's'}", body, user, stop
        )
    return 1
