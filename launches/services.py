"""Business rules of launches (launches, items, templates, reminders).

Every rule lives here and answers with a ``ValidationError`` by field, which the pages show
next to the field and the API as a 400. Item writes go through ``save()`` or the
``*_with_history`` bulk helpers, so each change is in the items' history: a past month's
report reads the items as they stood when it ended.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from initiatives.models import Initiative
from pmm_portal.core import figures
from pmm_portal.core.background import enqueue_on_commit
from pmm_portal.core.dates import add_business_days, today_in, week_start
from pmm_portal.core.models import Product, Role, Team, User
from requests_queue.models import Asset

from .models import (
    CLOSED_STATUSES,
    ItemStatus,
    Launch,
    LaunchItem,
    LaunchReminder,
    LaunchTemplate,
    LaunchTier,
    ReminderKind,
    Side,
    TemplateItem,
    due_from,
)

# (title, side, for sales, business days before launch per tier 1, 2, 3; None: not in that tier)
DEFAULT_ITEMS: tuple[tuple[str, str, bool, tuple[int | None, int | None, int | None]], ...] = (
    # What product management owes product marketing (seed 001).
    ("Regular cadence of updates (PMO)", Side.PM_OWES_PMM, False, (45, 30, 15)),
    ("Booking goals and expectations", Side.PM_OWES_PMM, False, (40, 25, None)),
    ("Knowledge transfer before launch", Side.PM_OWES_PMM, False, (30, 20, 10)),
    ("Quality product on time and on spec (release candidate)", Side.PM_OWES_PMM, False, (10, 10, 5)),
    # What product marketing owes product management.
    ("Marketing programs and plans", Side.PMM_OWES_PM, False, (35, 25, None)),
    ("Sales enablement content", Side.PMM_OWES_PM, True, (10, 7, 5)),
    ("Actionable customer and win/loss feedback", Side.PMM_OWES_PM, False, (-20, -20, None)),
    # The team's own launch deliverables (seed 002's last-minute checklist).
    ("Datasheet", Side.TEAM, True, (15, 10, 5)),
    ("Web content", Side.TEAM, False, (5, 5, 3)),
    ("Presentation", Side.TEAM, True, (10, 7, None)),
    ("Sales training", Side.TEAM, True, (5, 5, None)),
    ("Battlecard", Side.TEAM, True, (5, 5, 3)),
)
TEMPLATE_NAMES = {
    LaunchTier.MAJOR: "Tier 1 launch: the full handoff",
    LaunchTier.STANDARD: "Tier 2 launch",
    LaunchTier.MINOR: "Tier 3 launch: the essentials",
}
ITEM_FIELDS = ("title", "side", "for_sales", "offset_days")
DUE_SOON_DAYS = 3  # business days: an item not started this close to its due date puts the launch at risk


# --- Templates ----------------------------------------------------------------------------------


def templates_of(team: Team) -> list[LaunchTemplate]:
    """The team's templates, one per tier, seeded with the articles' defaults the first time."""
    templates = {t.tier: t for t in LaunchTemplate.objects.filter(team=team)}
    missing = [tier for tier in LaunchTier if tier.value not in templates]
    if missing:
        with transaction.atomic():
            for tier in missing:
                template, created = LaunchTemplate.objects.get_or_create(
                    team=team, tier=tier.value, defaults={"name": TEMPLATE_NAMES[tier]}
                )
                if created:
                    TemplateItem.objects.bulk_create(
                        [
                            TemplateItem(
                                template=template,
                                title=title,
                                side=side,
                                for_sales=for_sales,
                                offset_days=offsets[tier.value - 1] or 0,
                                position=n,
                            )
                            for n, (title, side, for_sales, offsets) in enumerate(DEFAULT_ITEMS)
                            if offsets[tier.value - 1] is not None
                        ]
                    )
                templates[tier.value] = template
    return [templates[tier.value] for tier in LaunchTier]


def _clean_template_items(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for n, item in enumerate(items):
        title = str(item.get("title", "")).strip()
        if not title:
            continue
        if item.get("side") not in Side.values:
            raise ValidationError({"items": f"“{title}”: pick who owes it (PM, PMM or the team)."})
        offset = item.get("offset_days", 0)
        if not isinstance(offset, int) or not -120 <= offset <= 250:
            raise ValidationError(
                {"items": f"“{title}”: give the business days before launch as a number from -120 to 250."}
            )
        rows.append(
            {
                "title": title[:160],
                "side": item["side"],
                "for_sales": bool(item.get("for_sales")),
                "offset_days": offset,
                "position": n,
            }
        )
    if not rows:
        raise ValidationError({"items": "A template needs at least one item."})
    return rows


@transaction.atomic
def template_save(
    *,
    actor: User,
    team: Team,
    tier: int,
    name: str,
    items: Iterable[Mapping[str, Any]],
    template: LaunchTemplate | None = None,
) -> LaunchTemplate:
    """Create the team's template of ``tier``, or replace a template's name and items."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the template."})
    if tier not in LaunchTier.values:
        raise ValidationError({"tier": "Pick tier 1, 2 or 3."})
    rows = _clean_template_items(items)
    taken = LaunchTemplate.objects.filter(team=team, tier=tier)
    if template is not None:
        template = LaunchTemplate.objects.select_for_update().get(pk=template.pk)
        taken = taken.exclude(pk=template.pk)
    if taken.exists():
        raise ValidationError(
            {"tier": f"The {team.name} team already has a template for this tier: edit it."}
        )
    template = template or LaunchTemplate(team=team)
    template.tier, template.name = tier, name[:160]
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as error:
        raise ValidationError({"tier": "That tier's template was just created by someone else."}) from error
    template.items.all().delete()
    TemplateItem.objects.bulk_create([TemplateItem(template=template, **row) for row in rows])
    return template


def template_delete(*, actor: User, template: LaunchTemplate) -> None:
    """Remove a template; the tier falls back to the defaults the next time it is needed."""
    template.delete()


# --- People ---------------------------------------------------------------------------------------


def team_people(team_id: int) -> QuerySet[User]:
    """Who may own a launch or an item of ``team_id``: its members, its leader, its products' PMs."""
    return (
        User.objects.filter(
            Q(teams=team_id) | Q(led_teams=team_id) | Q(managed_products__team=team_id), is_active=True
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def default_owners(*, product: Product, actor: User) -> dict[str, User | None]:
    """Who owns a new item of each side: PM items the product's PM, the others the creator if a
    PMM, else the launch's PMM (the team's first PMM)."""
    pm = product.managers.filter(is_active=True).order_by("pk").first()
    if actor.role == Role.PMM:
        pmm: User | None = actor
    else:
        pmm = (
            User.objects.filter(teams=product.team_id, role=Role.PMM, is_active=True)
            .order_by("first_name", "last_name", "pk")
            .first()
        )
    return {Side.PM_OWES_PMM: pm, Side.PMM_OWES_PM: pmm, Side.TEAM: pmm}


# --- Launches -------------------------------------------------------------------------------------


def _check_launch(*, name: str, launch_on: date | None, tier: int, owners: list[User], team_id: int) -> None:
    problems: dict[str, str] = {}
    if not name.strip():
        problems["name"] = "Name the launch (the release or its headline)."
    if launch_on is None:
        problems["launch_on"] = "Give the launch date."
    if tier not in LaunchTier.values:
        problems["tier"] = "Pick tier 1, 2 or 3."
    if owners:
        allowed = set(team_people(team_id).filter(pk__in=[o.pk for o in owners]).values_list("pk", flat=True))
        if any(o.pk not in allowed for o in owners):
            problems["owners"] = "Pick owners from the product's team."
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def launch_create(
    *,
    actor: User,
    product: Product,
    name: str,
    launch_on: date,
    tier: int,
    owners: Iterable[User] = (),
    summary: str = "",
    from_template: bool = True,
) -> Launch:
    """A launch of ``product``; ``from_template`` creates the items of the team's template for its
    tier, due dates counted back from ``launch_on`` and owners defaulted by side."""
    owners = list(owners)
    _check_launch(name=name, launch_on=launch_on, tier=tier, owners=owners, team_id=product.team_id)
    defaults = default_owners(product=product, actor=actor)
    if not owners:
        owners = [o for o in (defaults[Side.PM_OWES_PMM], defaults[Side.PMM_OWES_PM]) if o is not None]
    launch = Launch.objects.create(
        product=product,
        name=name.strip(),
        launch_on=launch_on,
        tier=tier,
        summary=summary.strip(),
        created_by=actor,
    )
    launch.owners.set(owners)
    if from_template:
        template = next(t for t in templates_of(product.team) if t.tier == tier)
        now = timezone.now()
        items = [
            LaunchItem(
                launch=launch,
                title=row.title,
                side=row.side,
                for_sales=row.for_sales,
                owner=defaults[row.side],
                offset_days=row.offset_days,
                due_on=due_from(launch_on, row.offset_days),
                position=row.position,
                status_changed_at=now,
            )
            for row in template.items.all()
        ]
        bulk_create_with_history(items, LaunchItem, default_user=actor)
    figures.changed(Q(pk=product.team_id))
    return launch


@transaction.atomic
def launch_update(*, actor: User, launch: Launch, **fields: Any) -> Launch:
    """Change a launch; a new date moves the due dates of the items not set by hand.

    The launch row is locked first, so two people moving the date at once apply one after the
    other and the items follow the date that won.
    """
    launch = Launch.objects.select_for_update(of=("self",)).select_related("product").get(pk=launch.pk)
    owners = list(fields["owners"]) if "owners" in fields else list(launch.owners.all())
    for name in ("name", "launch_on", "tier", "summary"):
        if name in fields:
            value = fields[name]
            setattr(launch, name, value.strip() if isinstance(value, str) else value)
    _check_launch(
        name=launch.name,
        launch_on=launch.launch_on,
        tier=launch.tier,
        owners=owners,
        team_id=launch.product.team_id,
    )
    launch.save()
    if "owners" in fields:
        launch.owners.set(owners)
    moved = []
    for item in LaunchItem.objects.select_for_update().filter(launch=launch, due_by_hand=False):
        due = due_from(launch.launch_on, item.offset_days)
        if item.due_on != due:
            item.due_on = due
            moved.append(item)
    if moved:
        bulk_update_with_history(moved, LaunchItem, ["due_on"], default_user=actor)
    figures.changed(Q(pk=launch.product.team_id))
    return launch


@transaction.atomic
def launch_delete(*, actor: User, launch: Launch) -> None:
    team_id = launch.product.team_id
    Launch.objects.filter(pk=launch.pk).delete()
    figures.changed(Q(pk=team_id))


# --- Items ----------------------------------------------------------------------------------------


def _check_item(item: LaunchItem, team_id: int) -> None:
    problems: dict[str, str] = {}
    item.title = item.title.strip()
    if not item.title:
        problems["title"] = "Say what is needed."
    if item.side not in Side.values:
        problems["side"] = "Pick who owes it: the PM, the PMM or the team."
    if item.status not in ItemStatus.values:
        problems["status"] = "Pick a status from the list."
    if not -120 <= item.offset_days <= 250:
        problems["offset_days"] = "Give a number of business days from -120 to 250."
    if item.owner_id is not None and not team_people(team_id).filter(pk=item.owner_id).exists():
        problems["owner"] = "Pick an owner from the product's team."
    if item.asset_id is not None and item.initiative_id is not None:
        problems["asset"] = "Link the asset or the initiative that delivers it, not both."
    if item.asset_id is not None and not Asset.objects.filter(pk=item.asset_id, team_id=team_id).exists():
        problems["asset"] = "Pick an asset of the team's library."
    if (
        item.initiative_id is not None
        and not Initiative.objects.filter(pk=item.initiative_id, team_id=team_id).exists()
    ):
        problems["initiative"] = "Pick an initiative of the team."
    if problems:
        raise ValidationError(problems)
    item.full_clean(exclude=["launch", "owner", "asset", "initiative", "due_on"], validate_constraints=False)


ITEM_EDIT_FIELDS = (
    "title",
    "side",
    "for_sales",
    "owner",
    "offset_days",
    "status",
    "asset",
    "initiative",
    "note",
)


@transaction.atomic
def item_create(*, actor: User, launch: Launch, due_on: date | None = None, **fields: Any) -> LaunchItem:
    """An item added to ``launch`` by hand; without ``due_on`` it is counted back from the launch date."""
    item = LaunchItem(launch=launch, **{k: v for k, v in fields.items() if k in ITEM_EDIT_FIELDS})
    item.position = LaunchItem.objects.filter(launch=launch).count()
    item.due_by_hand = due_on is not None
    item.due_on = due_on or due_from(launch.launch_on, item.offset_days)
    item.status_changed_at = timezone.now()
    _check_item(item, launch.product.team_id)
    item.save()
    return item


@transaction.atomic
def item_update(*, actor: User, item: LaunchItem, **fields: Any) -> LaunchItem:
    """Change an item. ``due_on`` set pins the date (moving the launch leaves it); ``due_on=None``
    counts it back from the launch date again."""
    item = (
        LaunchItem.objects.select_for_update(of=("self",)).select_related("launch__product").get(pk=item.pk)
    )
    before = item.status
    for name in ITEM_EDIT_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(item, name, value.strip() if isinstance(value, str) else value)
    if "due_on" in fields:
        item.due_by_hand = fields["due_on"] is not None
    if not item.due_by_hand:
        item.due_on = due_from(item.launch.launch_on, item.offset_days)
    elif fields.get("due_on") is not None:
        item.due_on = fields["due_on"]
    if item.status != before:
        item.status_changed_at = timezone.now()
    _check_item(item, item.launch.product.team_id)
    item.save()
    return item


class StatusConflictError(ValidationError):
    """Someone changed the item's status since the caller read it."""


@transaction.atomic
def item_set_status(*, actor: User, item: LaunchItem, status: str, expected: str | None = None) -> LaunchItem:
    """The one-click status change of the launch page.

    The row is locked (``select_for_update``) and, when the caller says which status it saw
    (``expected``), the change applies only if the item still has it: two people clicking at
    once never silently overwrite each other; the second is told what the item is now.
    """
    if status not in ItemStatus.values:
        raise ValidationError({"status": "Pick a status from the list."})
    locked = LaunchItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if expected is not None and expected in ItemStatus.values and locked.status != expected:
        raise StatusConflictError(
            {
                "status": f"Someone changed it meanwhile: it is now “{ItemStatus(locked.status).label}”. "
                "Check it and try again."
            }
        )
    if locked.status != status:
        locked.status = status
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    item.status, item.status_changed_at = locked.status, locked.status_changed_at
    return item


@transaction.atomic
def item_delete(*, actor: User, item: LaunchItem) -> None:
    item.delete()


# --- Reminders ------------------------------------------------------------------------------------


def reminder_due(item: LaunchItem, *, today: date) -> tuple[str, date] | None:
    """The reminder ``item`` calls for ``today`` (its team's day), as (kind, period), if any.

    Due within ``DUE_SOON_DAYS`` business days: "due soon", once per due date. The day after
    its due date: "became late", once per due date. From a week late on: "still late", once a
    week (period: the week's Monday) while it stays open.
    """
    if item.status in CLOSED_STATUSES or item.owner_id is None:
        return None
    if item.due_on < today:
        if today - item.due_on >= timedelta(days=7):
            return ReminderKind.STILL_LATE, week_start(today)
        return ReminderKind.LATE, item.due_on
    if item.due_on <= add_business_days(today, DUE_SOON_DAYS):
        return ReminderKind.DUE_SOON, item.due_on
    return None


def reminders_record(*, now: datetime | None = None) -> int:
    """Record the reminders due now (each (item, kind, period) once) and enqueue one mail per owner
    after commit. Owners whose earlier mail never went out (broker down) are enqueued again.
    Returns the reminders recorded. Safe to run any number of times."""
    now = now or timezone.now()
    horizon = add_business_days(now.date(), DUE_SOON_DAYS + 1)
    candidates = (
        LaunchItem.objects.exclude(status__in=CLOSED_STATUSES)
        .filter(due_on__lte=horizon, owner__isnull=False, owner__is_active=True)
        .select_related("launch__product__team")
        .order_by("pk")
    )
    recorded = 0
    with transaction.atomic():
        for item in candidates:
            due = reminder_due(item, today=today_in(item.launch.product.team, now=now))
            if due is None or item.owner is None:
                continue
            try:
                with transaction.atomic():
                    LaunchReminder.objects.create(item=item, kind=due[0], period=due[1], recipient=item.owner)
            except IntegrityError:
                continue  # reminded already for this period
            recorded += 1
        pending = set(
            LaunchReminder.objects.filter(
                mailed_at__isnull=True, sent_at__gte=timezone.now() - timedelta(days=7)
            )
            .values_list("recipient_id", flat=True)
            .distinct()
        )
        for recipient_id in sorted(pending):
            enqueue_on_commit("launches.mail_reminders", recipient_id)
    return recorded


@transaction.atomic
def reminders_mail(*, recipient_id: int) -> int:
    """Mail ``recipient_id`` the reminders recorded and not mailed yet, in one mail; mark them mailed.

    The rows are locked (``skip_locked``): two deliveries of the task never send the same
    reminder twice. A failed mail rolls back, and the task retries with backoff.
    """
    rows = list(
        LaunchReminder.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(recipient_id=recipient_id, mailed_at__isnull=True)
        .select_related("item__launch", "recipient")
        .order_by("item__due_on", "pk")
    )
    if not rows:
        return 0
    recipient = rows[0].recipient
    if recipient.email:
        late = [r for r in rows if r.kind != ReminderKind.DUE_SOON]
        lines = [
            f"• {r.item.title} ({r.item.launch.name}): "
            + (f"was due {r.item.due_on:%d %b %Y}" if r in late else f"due {r.item.due_on:%d %b %Y}")
            + f"\n  {settings.SITE_URL}{reverse('launches:detail', args=[r.item.launch_id])}#item-{r.item_id}"
            for r in rows
        ]
        count = len(rows)
        subject = f"[PMM Portal] {count} launch item{'' if count == 1 else 's'} of yours " + (
            "late" if late else "due soon"
        )
        body = (
            f"Hi {recipient.first_name or recipient.username},\n\n"
            "These launch items are yours. Mark them done, or blocked on the other function with a note, "
            "so the launch team sees where the handoff stands:\n\n" + "\n".join(lines) + "\n"
        )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email], fail_silently=False)
    LaunchReminder.objects.filter(pk__in=[r.pk for r in rows]).update(mailed_at=timezone.now())
    return len(rows)


def reminders_read(*, user: User, launch: Launch) -> None:
    """The owner opened the launch: its reminders stop showing as new."""
    LaunchReminder.objects.filter(recipient=user, item__launch=launch, read_at__isnull=True).update(
        read_at=timezone.now()
    )
