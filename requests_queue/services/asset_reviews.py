"""Review reminders: each asset's owner hears a week before its review-by date, then weekly while overdue.

A reminder is "once per period" by an ``AssetReviewReminder`` row whose unique constraint is the
idempotency key: the period is the review-by date for the reminder the week before it, the
Monday of the week (in the asset's team's time zone) for an overdue one. The beat task may run
as often as it likes, twice after a restart, or in two processes at once: a row already there
means the reminder went out. One mail per owner lists all their assets due in that run; when the
mail fails, the rows roll back with it and the next run tries again. The mail carries the
one-click unsubscribe link of its topic (``NotifyTopic.ASSET_REVIEWS``); an owner who chose the
app only is not mailed (the library flags the asset as due for review).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.dates import today_in, week_start
from pmm_portal.core.models import User

from ..models import Asset, AssetReviewReminder, NotifyChannel, NotifyTopic, ReviewReminderKind
from .preferences import chosen_channels, send_unsubscribable, unsubscribe_url

REVIEW_NOTICE_DAYS = 7  # the first reminder: this many days before the review-by date


@dataclass(frozen=True)
class DueReview:
    """One asset whose owner should hear of its review now, and the period that reminder covers."""

    asset: Asset
    kind: str
    period: date


def due_review_of(asset: Asset, *, now: datetime) -> DueReview | None:
    """The reminder ``asset`` calls for today in its team's time zone, if any (retired ones: none)."""
    if asset.retired_at is not None:
        return None
    today = today_in(asset.team, now=now)
    if asset.review_by < today:  # as ``Asset.needs_review``: due today is not overdue yet
        return DueReview(asset, ReviewReminderKind.OVERDUE, week_start(today))
    if asset.review_by <= today + timedelta(days=REVIEW_NOTICE_DAYS):
        return DueReview(asset, ReviewReminderKind.DUE_SOON, asset.review_by)
    return None


def asset_review_reminders_send(*, now: datetime | None = None) -> int:
    """Remind owners of the live assets due for review: one mail per owner, each (asset, kind,
    period) once. Returns the owners reminded (safe to run again: what was sent is skipped)."""
    now = now or timezone.now()
    # A day of margin on either side of UTC: each asset is then judged in its team's own day.
    horizon = now.date() + timedelta(days=REVIEW_NOTICE_DAYS + 1)
    candidates = (
        Asset.objects.filter(retired_at__isnull=True, review_by__lte=horizon, owner__is_active=True)
        .select_related("team", "owner")
        .order_by("owner_id", "review_by", "pk")
    )
    by_owner: dict[int, list[DueReview]] = defaultdict(list)
    owners: dict[int, User] = {}
    for asset in candidates:
        due = due_review_of(asset, now=now)
        if due is not None:
            by_owner[asset.owner_id].append(due)
            owners[asset.owner_id] = asset.owner
    channels = chosen_channels(owners)
    reminded = 0
    for owner_id, dues in by_owner.items():
        owner = owners[owner_id]
        channel = channels.get((owner_id, NotifyTopic.ASSET_REVIEWS), NotifyChannel.EMAIL)
        reminded += _remind(owner, dues, mail=channel != NotifyChannel.APP and bool(owner.email))
    return reminded


def _remind(owner: User, dues: list[DueReview], *, mail: bool) -> int:
    """Record and send ``owner``'s reminders not sent yet: 1 when something new went out, else 0."""
    with transaction.atomic():
        fresh = []
        for due in dues:
            try:
                with transaction.atomic():
                    AssetReviewReminder.objects.create(
                        asset=due.asset, kind=due.kind, period=due.period, recipient=owner
                    )
            except IntegrityError:
                continue  # reminded already for this period
            fresh.append(due)
        if not fresh:
            return 0
        if mail:
            _mail(owner, fresh)
    return 1


def _mail(owner: User, dues: list[DueReview]) -> None:
    overdue = [d for d in dues if d.kind == ReviewReminderKind.OVERDUE]
    lines = [
        f"• {d.asset.title}: "
        + (
            f"review was due {d.asset.review_by:%d %b %Y}"
            if d in overdue
            else f"review by {d.asset.review_by:%d %b %Y}"
        )
        + f"\n  {settings.SITE_URL}{d.asset.get_absolute_url()}"
        for d in dues
    ]
    stop = unsubscribe_url(owner, NotifyTopic.ASSET_REVIEWS)
    count = len(dues)
    subject = f"[PMM Portal] {count} asset{'' if count == 1 else 's'} of yours " + (
        "overdue for review" if overdue else "due for review this week"
    )
    body = (
        "Check these assets are still right before sales send them to customers, then mark them "
        "reviewed (or upload a new version, or retire them):\n\n"
        + "\n".join(lines)
        + f"\n\nChoose what you get: {settings.SITE_URL}{reverse('inbox:preferences')}\n"
        f"Stop these reminders: {stop}\n"
    )
    send_unsubscribable(subject, body, owner, stop)
