"""Every change to plans, time, reviews, wins and learnings. Validate first, then write, in one transaction."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from integrations import events as integration_events
from personas.models import Persona
from pmm_portal.core import figures
from pmm_portal.core.background import enqueue_on_commit
from pmm_portal.core.dates import add_months, month_start, week_start, working_day
from pmm_portal.core.models import Product, Role, Team, User
from pmm_portal.core.selectors import home_team
from pmm_portal.core.services import user_lock
from timesheets import selectors as timesheet_selectors

from .models import (
    LEARNINGS_TEXT,
    MAX_FOCUS,
    MAX_WEEK_HOURS,
    FocusSlot,
    Initiative,
    InitiativeStatus,
    Learning,
    LearningResult,
    Milestone,
    MonthlyReview,
    Outcome,
    ReminderKind,
    ReviewOutcome,
    ReviewReopening,
    SentReminder,
    StatusUpdate,
    Win,
    WinMailOptOut,
    WinPromotion,
    WinPromotionMail,
)
from .permissions import (
    can_change_owned,
    can_create_initiative,
    can_create_learning,
    can_create_win,
    initiatives_linkable_by,
    personas_linkable_by,
    products_linkable_by,
    requests_linkable_by,
    teams_shareable_by,
    visible_to,
)

logger = logging.getLogger(__name__)

CREATED_MESSAGE = "Initiative created."
FOURTH_FOCUS_MESSAGE = "You already have three focus initiatives for {month}: move one to the backlog first."


def _require_owner(user: User, owner_id: int) -> None:
    if not can_change_owned(user, owner_id):
        raise PermissionDenied("Only its owner may change this.")


# --- Initiatives -------------------------------------------------------------------------


def _check_dates(start_date: date, target_date: date) -> None:
    if target_date < start_date:
        raise ValidationError({"target_date": "The target date must be on or after the start date."})


def _check_planned(hours: Decimal) -> None:
    if not Decimal(0) <= hours <= MAX_WEEK_HOURS:
        raise ValidationError({"planned_hours_per_week": "Plan between 0 and 80 hours a week."})


@transaction.atomic
def initiative_create(
    *,
    user: User,
    title: str,
    goal: str,
    start_date: date,
    target_date: date,
    expected_impact: str = "",
    planned_hours_per_week: Decimal = Decimal("8"),
    status: str = InitiativeStatus.ON_TRACK,
    products: Iterable[Product] = (),
    personas: Iterable[Persona] = (),
    team: Team | None = None,
) -> Initiative:
    """A new initiative owned by ``user`` (a PMM), in their team's backlog.

    Its first status update is recorded with it, so the status history starts at creation
    and a month-end snapshot can read the status of any month since.
    """
    if not can_create_initiative(user):
        raise PermissionDenied("Only product marketers own initiatives.")
    team = team or home_team(user)
    if team is None:
        raise ValidationError("You are not on a team yet: ask your marketing lead to add you to one.")
    _check_dates(start_date, target_date)
    _check_planned(planned_hours_per_week)
    products, personas = list(products), list(personas)
    _check_links(user, products, personas)
    initiative = Initiative.objects.create(
        owner=user,
        team=team,
        title=title,
        goal=goal,
        expected_impact=expected_impact,
        start_date=start_date,
        target_date=target_date,
        planned_hours_per_week=planned_hours_per_week,
        status=status,
    )
    initiative.products.set(list(products))
    _set_personas(initiative, personas)
    StatusUpdate.objects.create(
        initiative=initiative,
        author=user,
        status=initiative.status,
        message=CREATED_MESSAGE,
        created_at=initiative.created_at,
    )
    return initiative


def _check_links(owner: User, products: Iterable[Product] | None, personas: Iterable[Persona] | None) -> None:
    """An initiative names products and personas of its owner's teams (page and API alike)."""
    if products is not None:
        ids = {p.pk for p in products}
        if ids and products_linkable_by(owner).filter(pk__in=ids).count() != len(ids):
            raise ValidationError({"products": "Pick products of your own teams."})
    if personas is not None:
        ids = {p.pk for p in personas}
        if ids and personas_linkable_by(owner).filter(pk__in=ids).count() != len(ids):
            raise ValidationError({"personas": "Pick personas of your own teams."})


def _set_personas(initiative: Initiative, personas: Iterable[Persona]) -> None:
    initiative.personas.set(list(personas))


@transaction.atomic
def initiative_update(
    *,
    user: User,
    initiative: Initiative,
    products: Iterable[Product] | None = None,
    personas: Iterable[Persona] | None = None,
    **fields: Any,
) -> Initiative:
    """Change an initiative's details; a status change is recorded in its update stream."""
    _require_owner(user, initiative.owner_id)
    allowed = {
        "title",
        "goal",
        "expected_impact",
        "start_date",
        "target_date",
        "planned_hours_per_week",
        "status",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not an initiative field: {', '.join(sorted(unknown))}")
    # From the database: a bound ModelForm has already copied the new values onto the instance.
    old_status = Initiative.objects.filter(pk=initiative.pk).values_list("status", flat=True).get()
    for name, value in fields.items():
        setattr(initiative, name, value)
    _check_dates(initiative.start_date, initiative.target_date)
    _check_planned(Decimal(initiative.planned_hours_per_week))
    products = list(products) if products is not None else None
    personas = list(personas) if personas is not None else None
    _check_links(initiative.owner, products, personas)
    if fields:
        initiative.save(update_fields=[*fields, "updated_at"])
    if products is not None:
        initiative.products.set(list(products))
    if personas is not None:
        _set_personas(initiative, personas)
    if initiative.status != old_status:
        StatusUpdate.objects.create(
            initiative=initiative,
            author=user,
            status=initiative.status,
            message=f"Status changed from {InitiativeStatus(old_status).label} "
            f"to {InitiativeStatus(initiative.status).label}.",
        )
    return initiative


def initiative_delete(*, user: User, initiative: Initiative) -> None:
    """Delete an initiative that never had time logged; otherwise it should be dropped instead."""
    _require_owner(user, initiative.owner_id)
    if initiative.time_entries.exists():
        raise ValidationError(
            "Time was logged on this initiative: set its status to dropped instead of deleting it."
        )
    initiative.delete()


@transaction.atomic
def status_update_post(*, user: User, initiative: Initiative, status: str, message: str) -> StatusUpdate:
    """Post a check-in on an initiative and set its status to the one reported."""
    _require_owner(user, initiative.owner_id)
    if status not in InitiativeStatus.values:
        raise ValidationError({"status": "Pick a status from the list."})
    if not message.strip():
        raise ValidationError({"message": "Say in a sentence what changed or what is blocking."})
    if initiative.status != status:
        initiative.status = status
        initiative.save(update_fields=["status", "updated_at"])
    return StatusUpdate.objects.create(
        initiative=initiative, author=user, status=status, message=message.strip()
    )


def milestone_add(*, user: User, initiative: Initiative, title: str, due_date: date) -> Milestone:
    _require_owner(user, initiative.owner_id)
    if not title.strip():
        raise ValidationError({"title": "Name the milestone."})
    return Milestone.objects.create(initiative=initiative, title=title.strip(), due_date=due_date)


def milestone_toggle(*, user: User, milestone: Milestone, now: datetime | None = None) -> Milestone:
    """Mark a milestone done, or open again when it was done."""
    return milestone_set_done(user=user, milestone=milestone, done=not milestone.is_done, now=now)


def milestone_set_done(
    *, user: User, milestone: Milestone, done: bool, now: datetime | None = None
) -> Milestone:
    """Mark a milestone done (keeping when it first was) or open again; safe to repeat."""
    _require_owner(user, milestone.initiative.owner_id)
    if done == milestone.is_done:
        return milestone
    milestone.completed_at = (now or timezone.now()) if done else None
    milestone.save(update_fields=["completed_at"])
    return milestone


# --- The monthly top 3 -------------------------------------------------------------------


def _month_label(month: date) -> str:
    return f"{month:%B %Y}"


def _write_ranks(owner_id: int, month: date, initiative_ids: Sequence[int]) -> None:
    """Replace the owner's top 3 for ``month`` by ``initiative_ids`` in that order (caller holds the lock)."""
    FocusSlot.objects.filter(owner_id=owner_id, month=month).delete()
    FocusSlot.objects.bulk_create(
        FocusSlot(owner_id=owner_id, month=month, rank=rank, initiative_id=initiative_id)
        for rank, initiative_id in enumerate(initiative_ids, start=1)
    )
    figures.changed_for_users([owner_id])


def _focus_ids(owner_id: int, month: date) -> list[int]:
    return list(
        FocusSlot.objects.filter(owner_id=owner_id, month=month)
        .order_by("rank")
        .values_list("initiative_id", flat=True)
    )


def _check_focusable(initiative: Initiative) -> None:
    if not initiative.is_open:
        raise ValidationError(
            {
                "initiative": f"“{initiative.title}” is {initiative.get_status_display().lower()}: "
                "reopen it (set an open status) before making it a focus initiative."
            }
        )


def focus_add(*, user: User, initiative: Initiative, month: date) -> FocusSlot:
    """Make ``initiative`` one of its owner's top 3 for ``month``, at the next free rank.

    Refused when three are already in focus. The owner's row is locked so two
    concurrent attempts at a fourth cannot both see two; should anything slip past
    the lock, the rank check and unique constraints refuse the row and we report the
    same message.
    """
    _require_owner(user, initiative.owner_id)
    _check_focusable(initiative)
    month = month_start(month)
    try:
        with transaction.atomic():
            user_lock(user_id=initiative.owner_id)
            current = _focus_ids(initiative.owner_id, month)
            if initiative.pk in current:
                return FocusSlot.objects.get(month=month, initiative=initiative)
            if len(current) >= MAX_FOCUS:
                raise ValidationError({"initiative": FOURTH_FOCUS_MESSAGE.format(month=_month_label(month))})
            return FocusSlot.objects.create(
                owner_id=initiative.owner_id, month=month, rank=len(current) + 1, initiative=initiative
            )
    except IntegrityError:
        raise ValidationError(
            {"initiative": FOURTH_FOCUS_MESSAGE.format(month=_month_label(month))}
        ) from None


@transaction.atomic
def focus_remove(*, user: User, initiative: Initiative, month: date) -> None:
    """Move ``initiative`` back to the backlog for ``month``; the others close ranks."""
    _require_owner(user, initiative.owner_id)
    month = month_start(month)
    user_lock(user_id=initiative.owner_id)
    current = _focus_ids(initiative.owner_id, month)
    if initiative.pk in current:
        _write_ranks(initiative.owner_id, month, [pk for pk in current if pk != initiative.pk])


@transaction.atomic
def focus_move(*, user: User, initiative: Initiative, month: date, offset: int) -> None:
    """Move a focus initiative up (``offset`` −1) or down (+1) in the ranking."""
    _require_owner(user, initiative.owner_id)
    month = month_start(month)
    user_lock(user_id=initiative.owner_id)
    current = _focus_ids(initiative.owner_id, month)
    if initiative.pk not in current:
        raise ValidationError(
            {"initiative": "Only a focus initiative has a rank; add it to the top 3 first."}
        )
    index = current.index(initiative.pk)
    target = min(max(index + offset, 0), len(current) - 1)
    current.insert(target, current.pop(index))
    _write_ranks(initiative.owner_id, month, current)


@transaction.atomic
def focus_set(*, user: User, owner: User, month: date, initiatives: Sequence[Initiative]) -> None:
    """Replace ``owner``'s top 3 for ``month`` with ``initiatives``, ranked in that order."""
    _require_owner(user, owner.pk)
    month = month_start(month)
    if len(initiatives) > MAX_FOCUS:
        raise ValidationError({"initiatives": FOURTH_FOCUS_MESSAGE.format(month=_month_label(month))})
    if len({i.pk for i in initiatives}) != len(initiatives):
        raise ValidationError({"initiatives": "Pick each initiative once."})
    for initiative in initiatives:
        if initiative.owner_id != owner.pk:
            raise ValidationError({"initiatives": "Only your own initiatives can be in your top 3."})
        _check_focusable(initiative)
    user_lock(user_id=owner.pk)
    _write_ranks(owner.pk, month, [i.pk for i in initiatives])


# --- The monthly review -----------------------------------------------------------------


@transaction.atomic
def review_open(*, user: User, month: date) -> MonthlyReview:
    """The review of ``month`` for ``user``, started (with an outcome line per top-3 initiative) if new."""
    if not user.has_role(Role.PMM):
        raise PermissionDenied("Only product marketers close a monthly review.")
    team = home_team(user)
    if team is None:
        raise ValidationError("You are not on a team yet: ask your marketing lead to add you to one.")
    month = month_start(month)
    review, created = MonthlyReview.objects.get_or_create(owner=user, month=month, defaults={"team": team})
    if created:
        ReviewOutcome.objects.bulk_create(
            ReviewOutcome(review=review, initiative_id=initiative_id, outcome=Outcome.PROGRESSED)
            for initiative_id in _focus_ids(user.pk, month)
        )
    return review


def review_start(*, user: User, month: date, today: date) -> MonthlyReview:
    """``review_open`` for a month that is over (on ``today``): the review page's and the API's door."""
    if month_start(month) >= month_start(today):
        raise ValidationError({"month": "A month can be reviewed once it is over."})
    return review_open(user=user, month=month)


def review_next_top(*, user: User, review: MonthlyReview, ids: Sequence[int]) -> list[Initiative]:
    """The initiatives ``ids`` of the review's owner, in order, for next month's top 3 (``review_save``).

    Each may be named once; an id that is not one of the owner's initiatives ``user`` sees is
    refused like a repeated one.
    """
    candidates = {i.pk: i for i in visible_to(user).filter(owner_id=review.owner_id, pk__in=ids)}
    if len(candidates) != len(set(ids)) or len(set(ids)) != len(ids):
        raise ValidationError({"next_top": "Pick each initiative for next month's top 3 once."})
    return [candidates[i] for i in ids]


@dataclass(frozen=True)
class OutcomeInput:
    initiative_id: int
    outcome: str
    note: str = ""


def _check_unlocked(review: MonthlyReview) -> None:
    if review.is_locked:
        raise ValidationError("This review was submitted and is locked: reopen it to change it.")


OUTCOME_STATUS = {Outcome.DONE: InitiativeStatus.DONE, Outcome.DROPPED: InitiativeStatus.DROPPED}


@transaction.atomic
def review_save(
    *,
    user: User,
    review: MonthlyReview,
    outcomes: Sequence[OutcomeInput],
    learnings: str,
    next_top: Sequence[Initiative] | None = None,
    submit: bool = False,
    now: datetime | None = None,
) -> MonthlyReview:
    """Save a review's outcomes and learnings; with ``submit``, also lock it and set next month's top 3.

    Submitting applies the outcomes: done and dropped initiatives take that status,
    and ``next_top`` (the carried-over ones prefilled by the page) becomes the new
    top 3 of the following month.
    """
    _require_owner(user, review.owner_id)
    if len(learnings) > LEARNINGS_TEXT:
        raise ValidationError(
            {
                "learnings": f"Keep the learnings to {LEARNINGS_TEXT:,} characters (you wrote {len(learnings):,})."
            }
        )
    review = MonthlyReview.objects.select_for_update().get(pk=review.pk)
    _check_unlocked(review)
    lines = {line.initiative_id: line for line in outcomes}
    for line in lines.values():
        if line.outcome not in Outcome.values:
            raise ValidationError({"outcomes": "Pick an outcome for each initiative."})
    existing = {o.initiative_id: o for o in review.outcomes.select_related("initiative")}
    unknown = set(lines) - set(existing)
    if unknown:
        raise ValidationError({"outcomes": "Only the month's top-3 initiatives have an outcome."})
    for initiative_id, outcome in existing.items():
        change = lines.get(initiative_id)
        if change and (change.outcome, change.note) != (outcome.outcome, outcome.note):
            outcome.outcome, outcome.note = change.outcome, change.note
            outcome.save(update_fields=["outcome", "note"])
    review.learnings = learnings
    if not submit:
        review.save(update_fields=["learnings"])
        return review
    if next_top is not None:
        for initiative in next_top:
            if existing.get(initiative.pk) and existing[initiative.pk].outcome in OUTCOME_STATUS:
                raise ValidationError(
                    {
                        "next_top": f"“{initiative.title}” is {existing[initiative.pk].get_outcome_display().lower()}: "
                        "it cannot be in next month's top 3."
                    }
                )
    for outcome in existing.values():
        status = OUTCOME_STATUS.get(Outcome(outcome.outcome))
        if status and outcome.initiative.status != status:
            initiative_update(user=user, initiative=outcome.initiative, status=status)
    if next_top is not None:
        focus_set(user=user, owner=review.owner, month=add_months(review.month, 1), initiatives=next_top)
    review.submitted_at = now or timezone.now()
    review.save(update_fields=["learnings", "submitted_at"])
    return review


@transaction.atomic
def review_reopen(*, user: User, review: MonthlyReview, reason: str) -> ReviewReopening:
    """Unlock a submitted review; who reopened it, when and why is kept."""
    _require_owner(user, review.owner_id)
    review = MonthlyReview.objects.select_for_update().get(pk=review.pk)
    if not review.is_locked or review.submitted_at is None:
        raise ValidationError("This review is still open: there is nothing to reopen.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you reopen it; the reason is kept with the review."})
    reopening = ReviewReopening.objects.create(
        review=review, reopened_by=user, reason=reason.strip(), previously_submitted_at=review.submitted_at
    )
    review.submitted_at = None
    review.save(update_fields=["submitted_at"])
    return reopening


# --- Wins ---------------------------------------------------------------------------------


def _check_win_links(user: User, initiative: Initiative | None, request: Any | None) -> None:
    """A win comes from one of its author's initiatives, or a request they worked on (page and API alike)."""
    if initiative is not None and not initiatives_linkable_by(user).filter(pk=initiative.pk).exists():
        raise ValidationError({"initiative": "Link a win to one of your own initiatives."})
    if request is not None and not requests_linkable_by(user).filter(pk=request.pk).exists():
        raise ValidationError(
            {"request": "Link a win to a request you worked on (assigned to you, in progress or delivered)."}
        )


def win_create(
    *,
    user: User,
    title: str,
    impact: str,
    date: date,
    initiative: Initiative | None = None,
    request: Any | None = None,
) -> Win:
    """Record a win of ``user``'s, on their team, linked to where it came from."""
    if not can_create_win(user):
        raise PermissionDenied("Only product marketers record wins.")
    team = initiative.team if initiative else home_team(user)
    if team is None:
        raise ValidationError("You are not on a team yet: ask your marketing lead to add you to one.")
    _check_win_links(user, initiative, request)
    if not title.strip():
        raise ValidationError({"title": "Give the win a title people will remember."})
    with transaction.atomic():
        win = Win.objects.create(
            title=title.strip(),
            impact=impact,
            date=date,
            team=team,
            owner=user,
            initiative=initiative,
            request=request,
        )
        integration_events.win_recorded(win)
    return win


def win_update(*, user: User, win: Win, **fields: Any) -> Win:
    """Change a win's fields; its links follow the same rules as a new win's."""
    _require_owner(user, win.owner_id)
    for name in fields:
        if name not in {"title", "impact", "date", "initiative", "request"}:
            raise ValueError(f"Not a win field: {name}")
    if "title" in fields and not str(fields["title"]).strip():
        raise ValidationError({"title": "Give the win a title people will remember."})
    if (
        "initiative" in fields
        and fields["initiative"] is not None
        and fields["initiative"].pk != win.initiative_id
    ):
        _check_win_links(user, fields["initiative"], None)
    if "request" in fields and fields["request"] is not None and fields["request"].pk != win.request_id:
        _check_win_links(user, None, fields["request"])
    for name, value in fields.items():
        setattr(win, name, value)
    win.save(update_fields=list(fields))
    return win


def win_delete(*, user: User, win: Win) -> None:
    _require_owner(user, win.owner_id)
    win.delete()


# --- Promoting wins -------------------------------------------------------------------------

# Named, not imported: services never import tasks.
PROMOTION_MAIL_TASK = "initiatives.mail_win_promotion"
PROMOTION_MAIL_RESEND_AFTER = timedelta(minutes=10)
PROMOTION_MAIL_GIVE_UP_AFTER = timedelta(days=1)


def win_promote(
    *,
    user: User,
    win: Win,
    teams: Iterable[Team] = (),
    sales: bool = False,
    headline: str = "",
    quote: str = "",
    now: datetime | None = None,
) -> Win:
    """Share ``win`` with ``teams`` (and every sales rep with ``sales``): it appears in their wins feed.

    Promoting a win already promoted changes who it is shared with and its headline and
    quote, and keeps its promotion (and its date). A new promotion is recorded as a
    ``WinPromotion``; the win's row is locked so two clicks never make two.
    """
    _require_owner(user, win.owner_id)
    teams = list(teams)
    ids = {team.pk for team in teams}
    if ids and teams_shareable_by(user).filter(pk__in=ids).count() != len(ids):
        raise ValidationError({"teams": "Pick teams from the list."})
    if not ids and not sales:
        raise ValidationError({"teams": "Pick who hears of it: sales, or at least one team."})
    now = now or timezone.now()
    with transaction.atomic():
        locked = Win.objects.select_for_update().get(pk=win.pk)
        win.headline, win.quote, win.shared_with_sales = headline.strip(), quote.strip(), sales
        fields = ["headline", "quote", "shared_with_sales"]
        if locked.promoted_at is None:
            win.promoted_at, win.promoted_by = now, user
            fields += ["promoted_at", "promoted_by"]
            promotion = WinPromotion.objects.create(win=win, promoted_by=user, promoted_at=now)
            integration_events.win_promoted(win, promotion_id=promotion.pk)
        else:
            win.promoted_at, win.promoted_by_id = locked.promoted_at, locked.promoted_by_id
        win.save(update_fields=fields)
        win.shared_with.set(teams)
    return win


def win_unpromote(*, user: User, win: Win, now: datetime | None = None) -> Win:
    """Withdraw ``win`` from the feeds it was shared to; its past promotion still counts in its month."""
    _require_owner(user, win.owner_id)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Win.objects.select_for_update().get(pk=win.pk)
        if locked.promoted_at is None:
            raise ValidationError("This win is not promoted.")
        WinPromotion.objects.filter(win=win, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_by=user
        )
        win.promoted_at, win.promoted_by, win.shared_with_sales = None, None, False
        win.save(update_fields=["promoted_at", "promoted_by", "shared_with_sales"])
        win.shared_with.clear()
    return win


def promotion_audience(*, win: Win) -> QuerySet[User]:
    """Who a promotion is mailed to: the members and leaders of the teams it is shared with, and
    every sales rep when shared with sales; active, with an address, never its author."""
    teams = win.shared_with.all().values("pk")
    people = Q(teams__in=teams) | Q(led_teams__in=teams)
    if win.shared_with_sales:
        people |= Q(role=Role.SALES)
    return (
        User.objects.filter(people, is_active=True)
        .exclude(email="")
        .exclude(pk=win.owner_id)
        .exclude(win_mail_opt_out__isnull=False)
        .distinct()
        .order_by("pk")
    )


# --- One-click unsubscribe from promoted wins (RFC 8058) ------------------------------------------

WIN_MAIL_SALT = "initiatives.win_mails"
BAD_WIN_MAIL_LINK = "This unsubscribe link is not valid: use the switch in the wins feed instead."


def win_mail_unsubscribe_url(user: User) -> str:
    """The signed link in every promoted-win mail that stops them for ``user`` (no sign-in needed)."""
    token = signing.dumps({"u": user.pk}, salt=WIN_MAIL_SALT)
    return f"{settings.SITE_URL}{reverse('initiatives:win-mail-unsubscribe', args=[token])}"


def win_mail_target(token: str) -> User:
    """Whose win mails ``token`` stops; a tampered or unknown token is refused."""
    try:
        data = signing.loads(token, salt=WIN_MAIL_SALT)
        return User.objects.get(pk=data["u"], is_active=True)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError) as error:
        raise ValidationError(BAD_WIN_MAIL_LINK) from error


def win_mails_set(*, user: User, wanted: bool) -> bool:
    """Turn ``user``'s promoted-win mails on or off; returns whether they are wanted now. Safe to repeat."""
    if wanted:
        WinMailOptOut.objects.filter(user=user).delete()
    else:
        WinMailOptOut.objects.get_or_create(user=user)
    return wanted


def wants_win_mails(user: User) -> bool:
    return not WinMailOptOut.objects.filter(user=user).exists()


def win_promotion_send(*, user: User, win: Win, now: datetime | None = None) -> int:
    """Mail the promoted ``win`` to its audience, from a task enqueued on commit.

    Returns how many people it goes to. Asking twice sends nothing twice: each person
    gets each promotion once (``WinPromotionMail``), so a second click reaches only
    people who joined the audience since.
    """
    _require_owner(user, win.owner_id)
    with transaction.atomic():
        promotion = (
            WinPromotion.objects.select_for_update().filter(win=win, withdrawn_at__isnull=True).first()
        )
        if promotion is None:
            raise ValidationError("Promote the win before sending it.")
        pending = (
            promotion_audience(win=win)
            .exclude(pk__in=WinPromotionMail.objects.filter(promotion=promotion).values("user_id"))
            .count()
        )
        if not pending:
            return 0
        promotion.mail_requested_at = now or timezone.now()
        promotion.save(update_fields=["mail_requested_at"])
        enqueue_on_commit(PROMOTION_MAIL_TASK, promotion.pk)
    return pending


def _promotion_mail(win: Win, recipient: User) -> tuple[str, str]:
    link = settings.SITE_URL + reverse("initiatives:feed")
    lines = [f"Hi {recipient.first_name or recipient.username},", ""]
    lines.append(f"{win.owner.display_name} shares a win of {win.team.name}: {win.title}.")
    if win.headline:
        lines += ["", win.headline]
    lines += ["", win.impact]
    if win.quote:
        lines += ["", f"“{win.quote}”"]
    lines += ["", f"Every promoted win is in the wins feed: {link}", ""]
    return f"[PMM Portal] Win: {win.title}", "\n".join(lines)


def win_promotion_mail(*, promotion_id: int, now: datetime | None = None) -> int:
    """Mail a standing promotion to each person of its audience not mailed yet; how many were sent.

    Idempotent: each (promotion, person) row is written with its mail in one transaction, so
    a retry or a duplicate task sends nobody twice, and a failed send rolls its row back for
    the retry. A withdrawn promotion sends nothing.
    """
    promotion = (
        WinPromotion.objects.select_related("win__owner", "win__team")
        .filter(pk=promotion_id, withdrawn_at__isnull=True)
        .first()
    )
    if promotion is None:
        return 0
    win = promotion.win
    sent = 0
    for recipient in promotion_audience(win=win).exclude(
        pk__in=WinPromotionMail.objects.filter(promotion=promotion).values("user_id")
    ):
        with transaction.atomic():
            _mail, created = WinPromotionMail.objects.get_or_create(promotion=promotion, user=recipient)
            if not created:
                continue
            subject, body = _promotion_mail(win, recipient)
            stop = win_mail_unsubscribe_url(recipient)
            EmailMessage(
                subject,
                f"{body}\nNo more wins by email: {stop}\n",
                settings.DEFAULT_FROM_EMAIL,
                [recipient.email],
                headers={
                    "List-Unsubscribe": f"<{stop}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            ).send()
        sent += 1
    WinPromotion.objects.filter(pk=promotion.pk).update(mailed_at=now or timezone.now())
    return sent


def promotion_mails_recover(*, now: datetime | None = None) -> int:
    """Enqueue again the "send by email" asks no worker finished (the broker was down); a day on, drop them."""
    now = now or timezone.now()
    unfinished = WinPromotion.objects.filter(
        Q(mailed_at__isnull=True) | Q(mailed_at__lt=F("mail_requested_at")),
        withdrawn_at__isnull=True,
        mail_requested_at__lt=now - PROMOTION_MAIL_RESEND_AFTER,
        mail_requested_at__gte=now - PROMOTION_MAIL_GIVE_UP_AFTER,
    )
    ids = list(unfinished.values_list("pk", flat=True))
    for promotion_id in ids:
        enqueue_on_commit(PROMOTION_MAIL_TASK, promotion_id)
    return len(ids)


# --- Learnings ------------------------------------------------------------------------------

LEARNING_FIELDS = {
    "title",
    "date",
    "initiative",
    "hypothesis",
    "tried",
    "measure",
    "result",
    "result_notes",
    "lesson",
}


def _check_learning(user: User, fields: dict[str, Any]) -> None:
    for name in ("title", "hypothesis", "tried", "lesson"):
        if name in fields and not str(fields[name]).strip():
            raise ValidationError({name: "This field is required."})
    if "result" in fields and fields["result"] not in LearningResult.values:
        raise ValidationError({"result": "Pick confirmed, refuted or inconclusive."})
    initiative = fields.get("initiative")
    if initiative is not None and not initiatives_linkable_by(user).filter(pk=initiative.pk).exists():
        raise ValidationError({"initiative": "Link a learning to one of your own initiatives."})


def learning_create(
    *,
    user: User,
    title: str,
    date: date,
    hypothesis: str,
    tried: str,
    lesson: str,
    measure: str = "",
    result: str = LearningResult.INCONCLUSIVE,
    result_notes: str = "",
    initiative: Initiative | None = None,
) -> Learning:
    """Log a learning of ``user``'s (a PMM), on the initiative's team or their own."""
    if not can_create_learning(user):
        raise PermissionDenied("Only product marketers log learnings.")
    fields: dict[str, Any] = {
        "title": title,
        "date": date,
        "hypothesis": hypothesis,
        "tried": tried,
        "lesson": lesson,
        "measure": measure,
        "result": result,
        "result_notes": result_notes,
        "initiative": initiative,
    }
    _check_learning(user, fields)
    team = initiative.team if initiative else home_team(user)
    if team is None:
        raise ValidationError("You are not on a team yet: ask your marketing lead to add you to one.")
    for name in ("title", "hypothesis", "tried", "lesson", "measure", "result_notes"):
        fields[name] = str(fields[name]).strip()
    return Learning.objects.create(team=team, owner=user, **fields)


def learning_update(*, user: User, learning: Learning, **fields: Any) -> Learning:
    """Change a learning; its owner only, with the same rules as a new one."""
    _require_owner(user, learning.owner_id)
    unknown = set(fields) - LEARNING_FIELDS
    if unknown:
        raise ValueError(f"Not a learning field: {', '.join(sorted(unknown))}")
    check = dict(fields)
    if check.get("initiative") is not None and check["initiative"].pk == learning.initiative_id:
        check.pop("initiative")
    _check_learning(learning.owner, check)
    for name, value in fields.items():
        setattr(learning, name, value.strip() if isinstance(value, str) else value)
    if fields:
        learning.save(update_fields=[*fields, "updated_at"])
    return learning


def learning_delete(*, user: User, learning: Learning) -> None:
    _require_owner(user, learning.owner_id)
    learning.delete()


# --- Reminders ----------------------------------------------------------------------------

TIME_REMINDER_HOUR = 12
REVIEW_REMINDER_DAY = 3
REVIEW_REMINDER_HOUR = 9


def _remind(user: User, kind: str, period: date, subject: str, body: str) -> bool:
    """Send one reminder unless it went out before; the unique row makes "once" hold across runs."""
    with transaction.atomic():
        _reminder, created = SentReminder.objects.get_or_create(user=user, kind=kind, period=period)
        if not created:
            return False
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
    return True


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Email the PMMs whose time or review is overdue in their team's time zone; return how many.

    - Last week's time: due by Monday noon; a PMM with no hours for last week then gets one email.
    - Last month's review: due by the third working day; a PMM without a submitted review gets one.
    Runs hourly; a PMM on several teams is judged by the first team's clock.
    """
    now = now or timezone.now()
    sent = 0
    seen: set[int] = set()
    base = settings.SITE_URL + reverse("initiatives:index")
    for team in Team.objects.prefetch_related("members").order_by("name"):
        local = now.astimezone(team.zone)
        today = local.date()
        this_week = week_start(today)
        last_week = this_week - timedelta(days=7)
        time_due = today > this_week or local.hour >= TIME_REMINDER_HOUR
        this_month = month_start(today)
        last_month = add_months(this_month, -1)
        third = working_day(this_month, REVIEW_REMINDER_DAY)
        review_due = today > third or (today == third and local.hour >= REVIEW_REMINDER_HOUR)
        pmms = [m for m in team.members.all() if m.role == Role.PMM and m.is_active and m.pk not in seen]
        seen.update(m.pk for m in pmms)
        if not pmms:
            continue
        ids = [m.pk for m in pmms]
        logged = timesheet_selectors.users_who_logged(user_ids=ids, week=last_week)
        closed = set(
            MonthlyReview.objects.filter(
                owner_id__in=ids, month=last_month, submitted_at__isnull=False
            ).values_list("owner_id", flat=True)
        )
        for pmm in pmms:
            if time_due and pmm.pk not in logged:
                sent += _remind(
                    pmm,
                    ReminderKind.TIME_LOG,
                    last_week,
                    f"Log your time for the week of {last_week:%d %B}",
                    f"Hi {pmm.first_name or pmm.username},\n\nYou have not logged your hours for the week of "
                    f"{last_week:%d %B %Y} yet. It takes under a minute: open your timesheet, copy the "
                    f"previous week and adjust.\n\n{base}timesheet/?week={last_week.isoformat()}\n",
                )
            if review_due and pmm.pk not in closed:
                sent += _remind(
                    pmm,
                    ReminderKind.MONTHLY_REVIEW,
                    last_month,
                    f"Close your {last_month:%B} review",
                    f"Hi {pmm.first_name or pmm.username},\n\n{last_month:%B %Y} is over and its review is "
                    f"still open: record the outcome of your top 3, what you learned and your wins, then "
                    f"pick this month's top 3.\n\n{base}review/\n",
                )
    return sent
