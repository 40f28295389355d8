"""Writing competitive intelligence: competitors, the team's reasons, win/loss reviews.

Every rule lives here and answers with a ``ValidationError`` by field, which the pages
show next to the field and the API as a 400.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from integrations import events as integration_events
from personas.models import CustomerInteraction, Persona
from pmm_portal.core import pages, search
from pmm_portal.core.history import record_updates
from pmm_portal.core.models import Team, User
from requests_queue.models import Asset

from .models import (
    DEFAULT_REASONS,
    PROFILE_FIELDS,
    Battlecard,
    BattlecardObjection,
    Competitor,
    LossReason,
    Outcome,
    WinLossReview,
)

COMPETITOR_FIELDS = ("name", "aliases", "website", "tier", *PROFILE_FIELDS)


def _same_name_taken(team: Team, name: str, *, exclude: int | None = None) -> bool:
    taken = (
        Competitor.objects.filter(team=team).annotate(lname=Lower("name")).filter(lname=name.strip().lower())
    )
    return taken.exclude(pk=exclude).exists() if exclude else taken.exists()


def _clean_competitor(competitor: Competitor) -> None:
    competitor.name = competitor.name.strip()
    competitor.aliases = ", ".join(a.strip() for a in competitor.aliases.split(",") if a.strip())
    if not competitor.name:
        raise ValidationError({"name": "Give the competitor's name."})
    if _same_name_taken(competitor.team, competitor.name, exclude=competitor.pk):
        raise ValidationError({"name": f"The {competitor.team.name} team already has “{competitor.name}”."})
    competitor.full_clean(exclude=["team", "owner"], validate_constraints=False)


@transaction.atomic
def competitor_create(*, actor: User, team: Team, **fields: Any) -> Competitor:
    """A new competitor of ``team``, kept by ``actor``."""
    competitor = Competitor(
        team=team, owner=actor, **{k: v for k, v in fields.items() if k in COMPETITOR_FIELDS}
    )
    _clean_competitor(competitor)
    competitor.last_reviewed_at = timezone.now()
    try:
        with transaction.atomic():
            competitor.save()
    except IntegrityError as error:  # the same name, saved by someone else a moment ago
        raise ValidationError({"name": f"The {team.name} team already has “{competitor.name}”."}) from error
    return competitor


def _check_links(
    competitor: Competitor, assets: Iterable[Asset] | None, interactions: Iterable[Any] | None
) -> None:
    """Only the competitor's own team's library assets and conversations may be linked to it."""
    errors = {}
    if assets is not None and any(a.team_id != competitor.team_id for a in assets):
        errors["linked_assets"] = f"Link assets of the {competitor.team.name} library only."
    if interactions is not None and any(i.team_id != competitor.team_id for i in interactions):
        errors["linked_interactions"] = f"Link conversations of the {competitor.team.name} team only."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def competitor_update(*, actor: User, competitor: Competitor, **fields: Any) -> Competitor:
    """Change a competitor's profile, and the assets and conversations linked to it when given;
    reviewing it (``reviewed=True``) marks it fresh."""
    reviewed = fields.pop("reviewed", False)
    assets = fields.pop("linked_assets", None)
    interactions = fields.pop("linked_interactions", None)
    competitor = Competitor.objects.select_for_update().select_related("team").get(pk=competitor.pk)
    _check_links(competitor, assets, interactions)
    if assets is not None:
        competitor.linked_assets.set(assets)
    if interactions is not None:
        competitor.linked_interactions.set(interactions)
    for name, value in fields.items():
        if name in COMPETITOR_FIELDS:
            setattr(competitor, name, value)
    _clean_competitor(competitor)
    if reviewed:
        competitor.last_reviewed_at = timezone.now()
    try:
        with transaction.atomic():
            competitor.save()
    except IntegrityError as error:
        raise ValidationError(
            {"name": f"The {competitor.team.name} team already has “{competitor.name}”."}
        ) from error
    return competitor


def competitor_mark_reviewed(*, actor: User, competitor: Competitor) -> Competitor:
    """Say the profile was checked and is still right (its freshness starts again)."""
    Competitor.objects.filter(pk=competitor.pk).update(last_reviewed_at=timezone.now())
    record_updates(Competitor, [competitor.pk], actor=actor)
    competitor.refresh_from_db(fields=["last_reviewed_at"])
    return competitor


# --- Reasons -------------------------------------------------------------------------------------


def reasons_of(team: Team) -> list[LossReason]:
    """The team's reasons, seeded with the usual ones the first time the team needs them."""
    reasons = list(LossReason.objects.filter(team=team))
    if not reasons:
        LossReason.objects.bulk_create(
            [LossReason(team=team, name=name) for name in DEFAULT_REASONS], ignore_conflicts=True
        )
        reasons = list(LossReason.objects.filter(team=team))
    return reasons


def reason_save(
    *, team: Team, name: str, reason: LossReason | None = None, active: bool = True
) -> LossReason:
    """Add a reason to the team's list, or rename one, or retire it (``active=False``)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the reason."})
    if len(name) > 80:
        raise ValidationError({"name": "Keep the reason under 80 characters."})
    taken = LossReason.objects.filter(team=team).annotate(lname=Lower("name")).filter(lname=name.lower())
    if reason is not None:
        taken = taken.exclude(pk=reason.pk)
    if taken.exists():
        raise ValidationError({"name": f"“{name}” is already on the list."})
    reason = reason or LossReason(team=team)
    reason.name, reason.active = name, active
    try:
        with transaction.atomic():
            reason.save()
    except IntegrityError as error:
        raise ValidationError({"name": f"“{name}” is already on the list."}) from error
    return reason


# --- Win/loss reviews -----------------------------------------------------------------------------


def _check_review(
    team: Team,
    *,
    outcome: str,
    stage_lost_at: str,
    competitor: Competitor | None,
    reasons: Iterable[LossReason],
    personas: Iterable[Persona],
    decided_on: date,
    value: Decimal,
    interaction: CustomerInteraction | None = None,
) -> None:
    problems: dict[str, str] = {}
    if interaction is not None and interaction.team_id != team.pk:
        problems["interaction"] = "Pick a conversation of the same team."
    if outcome not in Outcome.values:
        problems["outcome"] = "Say whether the deal was won, lost or ended without a decision."
    if stage_lost_at and outcome != Outcome.LOST:
        problems["stage_lost_at"] = "Only a lost deal was lost at a stage: clear it, or mark the deal lost."
    if competitor is not None and competitor.team_id != team.pk:
        problems["competitor"] = "Pick a competitor of the same team."
    if any(r.team_id != team.pk for r in reasons):
        problems["reasons"] = "Pick reasons from the team's list."
    if any(p.team_id != team.pk for p in personas):
        problems["personas"] = "Pick personas of the same team."
    if decided_on > timezone.localdate():
        problems["decided_on"] = "A deal is reviewed once decided: pick today or an earlier date."
    if value < 0:
        problems["value"] = "The deal value cannot be negative."
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def review_create(
    *,
    actor: User,
    team: Team,
    account: str,
    outcome: str,
    value: Decimal = Decimal(0),
    decided_on: date | None = None,
    competitor: Competitor | None = None,
    stage_lost_at: str = "",
    reasons: Iterable[LossReason] = (),
    personas: Iterable[Persona] = (),
    buyer_quote: str = "",
    notes: str = "",
    interaction: CustomerInteraction | None = None,
) -> WinLossReview:
    """Record a decided deal: its outcome, against whom, where and why it was lost (and the
    conversation with the buyer it comes from, when there was one)."""
    reasons, personas = list(reasons), list(personas)
    decided_on = decided_on or timezone.localdate()
    if not account.strip():
        raise ValidationError({"account": "Name the account."})
    _check_review(
        team,
        outcome=outcome,
        stage_lost_at=stage_lost_at,
        competitor=competitor,
        reasons=reasons,
        personas=personas,
        decided_on=decided_on,
        value=value,
        interaction=interaction,
    )
    review = WinLossReview.objects.create(
        interaction=interaction,
        team=team,
        owner=actor,
        account=account.strip(),
        outcome=outcome,
        value=value,
        decided_on=decided_on,
        competitor=competitor,
        stage_lost_at=stage_lost_at,
        buyer_quote=buyer_quote.strip(),
        notes=notes.strip(),
    )
    review.reasons.set(reasons)
    review.personas.set(personas)
    integration_events.win_loss_recorded(review)
    return review


@transaction.atomic
def review_update(*, actor: User, review: WinLossReview, **fields: Any) -> WinLossReview:
    """Change a review; the fields left out keep their value."""
    review = (
        WinLossReview.objects.select_for_update(of=("self",))
        .select_related("team", "competitor")
        .get(pk=review.pk)
    )
    reasons = list(fields.pop("reasons")) if "reasons" in fields else list(review.reasons.all())
    personas = list(fields.pop("personas")) if "personas" in fields else list(review.personas.all())
    for name in (
        "account",
        "outcome",
        "value",
        "decided_on",
        "competitor",
        "stage_lost_at",
        "buyer_quote",
        "notes",
        "interaction",
    ):
        if name in fields:
            setattr(review, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    if not review.account:
        raise ValidationError({"account": "Name the account."})
    _check_review(
        review.team,
        outcome=review.outcome,
        stage_lost_at=review.stage_lost_at,
        competitor=review.competitor,
        reasons=reasons,
        personas=personas,
        decided_on=review.decided_on,
        value=review.value,
        interaction=review.interaction,
    )
    review.save()
    review.reasons.set(reasons)
    review.personas.set(personas)
    return review


# --- Battlecards -----------------------------------------------------------------------------------

BATTLECARD_FIELDS = ("quick_dismiss", "why_we_win", "landmines", "proof_points")


def _check_battlecard(competitor: Competitor, persona: Persona | None, *, exclude: int | None = None) -> None:
    if persona is not None and persona.team_id != competitor.team_id:
        raise ValidationError({"persona": "Pick a persona of the competitor's team."})
    same = Battlecard.objects.filter(competitor=competitor, persona=persona)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        who = f"for {persona.name}" if persona else "for every buyer"
        raise ValidationError(
            {"persona": f"{competitor.name} already has a battlecard {who}: edit that one."}
        )


def _set_objections(card: Battlecard, objections: Iterable[dict[str, str]]) -> None:
    card.objections.all().delete()
    BattlecardObjection.objects.bulk_create(
        [
            BattlecardObjection(
                battlecard=card,
                objection=o["objection"].strip(),
                answer=o.get("answer", "").strip(),
                position=n,
            )
            for n, o in enumerate(objections)
            if o.get("objection", "").strip()
        ]
    )
    # A bulk write fires no signal: the card's search document carries its objections.
    search.index_ids(Battlecard, [card.pk])


@transaction.atomic
def battlecard_create(
    *,
    actor: User,
    competitor: Competitor,
    persona: Persona | None = None,
    objections: Iterable[dict[str, str]] = (),
    **fields: str,
) -> Battlecard:
    """A battlecard against ``competitor`` (for ``persona``, or every buyer), reviewed now."""
    _check_battlecard(competitor, persona)
    card = Battlecard(
        competitor=competitor,
        persona=persona,
        owner=actor,
        last_reviewed_at=timezone.now(),
        **{k: v.strip() for k, v in fields.items() if k in BATTLECARD_FIELDS},
    )
    card.full_clean(exclude=["competitor", "persona", "owner"], validate_constraints=False)
    try:
        with transaction.atomic():
            card.save()
    except IntegrityError as error:
        raise ValidationError(
            {"persona": "That battlecard was just created by someone else: edit it."}
        ) from error
    _set_objections(card, objections)
    return card


@transaction.atomic
def battlecard_update(
    *,
    actor: User,
    card: Battlecard,
    persona: Persona | None = None,
    objections: Iterable[dict[str, str]] | None = None,
    **fields: str,
) -> Battlecard:
    """Change a battlecard; saving it counts as a review (it is fresh again)."""
    card = Battlecard.objects.select_for_update(of=("self",)).select_related("competitor").get(pk=card.pk)
    _check_battlecard(card.competitor, persona, exclude=card.pk)
    card.persona = persona
    for name, value in fields.items():
        if name in BATTLECARD_FIELDS:
            setattr(card, name, value.strip())
    card.last_reviewed_at = timezone.now()
    card.full_clean(exclude=["competitor", "persona", "owner"], validate_constraints=False)
    card.save()
    if objections is not None:
        _set_objections(card, objections)
    return card


def battlecard_count_view(*, cards: QuerySet[Battlecard], card_id: int, viewer: User) -> bool:
    """Count one reading of the card ``card_id`` by ``viewer``, if it is among ``cards`` (those the
    viewer sees); its owner's own visits do not count. True when counted: then the viewer sees it.

    One conditional ``F()`` update, as for library assets: readers at once each add one, and a
    card the viewer may not see is never counted (its visibility is in the same statement).
    """
    with pages.readings():  # a reading: only the pages that show counts are built again
        counted = cards.filter(~Q(owner_id=viewer.pk), pk=card_id).update(view_count=F("view_count") + 1)
    return bool(counted)


def battlecard_mark_reviewed(*, actor: User, card: Battlecard) -> None:
    """The card was checked and is still right."""
    Battlecard.objects.filter(pk=card.pk).update(last_reviewed_at=timezone.now())
    record_updates(Battlecard, [card.pk], actor=actor)
