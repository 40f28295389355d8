"""Writing the functional diagnostic: the team's responsibilities, rounds, answers.

Every rule answers with a ``ValidationError`` by field, which the pages show next to the
field and the API as a 400. The rules that read answers (agreement, flags) are in
``selectors.assess``.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.background import enqueue_on_commit
from pmm_portal.core.history import record_updates
from pmm_portal.core.models import Role, Team, User

from .models import (
    AREA,
    NAME,
    NOTE,
    Answer,
    DiagnosticRound,
    Function,
    Lead,
    Owner,
    Participant,
    Responsibility,
    RoundItem,
    RoundStatus,
    Seat,
)

# The matrix from the articles (seeds 001 and 002): product management solves market problems,
# product marketing drives market adoption. (area, name, intended owner, lead when shared, what it covers)
DEFAULT_RESPONSIBILITIES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "Market and strategy",
        "Market problems and requirements",
        "pm",
        "",
        "Find and size the problems worth solving.",
    ),
    (
        "Market and strategy",
        "Go-to-market strategy",
        "pm",
        "",
        "Which markets, segments and channels, and why.",
    ),
    (
        "Market and strategy",
        "Product planning and roadmap",
        "pm",
        "",
        "What to build, what not to, and when.",
    ),
    (
        "Audiences",
        "User personas",
        "pm",
        "",
        "The people who use the product: jobs, workflows, frustrations.",
    ),
    (
        "Audiences",
        "Buyer personas",
        "pmm",
        "",
        "The buying team: goals, criteria, objections, where they learn.",
    ),
    ("Audiences", "Sales-channel personas", "pmm", "", "The reps and partners who sell it: what moves them."),
    (
        "Value and positioning",
        "Value proposition",
        "pm",
        "",
        "The benefit users receive and believe they will.",
    ),
    (
        "Value and positioning",
        "Positioning against competitors, substitutes and the status quo",
        "pmm",
        "",
        "Why we are the better choice, and the proof.",
    ),
    ("Value and positioning", "Messaging", "pmm", "", "Key messages per persona, and the proof points."),
    ("Launch", "On-time, on-spec launches", "pm", "", "A quality product launched when and as promised."),
    ("Launch", "PMO updates around launch", "pm", "", "A regular cadence of updates as the launch nears."),
    ("Launch", "Booking goals and expectations", "pm", "", "What the launch should sell, agreed with sales."),
    (
        "Launch",
        "Knowledge transfer before launch",
        "shared",
        "pm",
        "Not a brain dump the week before release.",
    ),
    ("Adoption", "Content and campaigns", "pmm", "", "Programs that drive, nurture and convert demand."),
    (
        "Adoption",
        "Sales enablement tools and training",
        "pmm",
        "",
        "Decks, battlecards, scripts and training.",
    ),
    ("Feedback to product", "Win/loss feedback", "pmm", "", "Actionable lessons from won and lost deals."),
    (
        "Feedback to product",
        "Customer feedback to product",
        "shared",
        "pmm",
        "What customers say, turned into input.",
    ),
)

ROUND_TITLE = 120


def responsibilities_of(team: Team, *, active_only: bool = False) -> list[Responsibility]:
    """The team's responsibilities in order, seeded from the articles the first time the team needs them."""
    rows = list(Responsibility.objects.filter(team=team).order_by("position", "pk"))
    if not rows:
        Responsibility.objects.bulk_create(
            [
                Responsibility(
                    team=team,
                    area=area,
                    name=name,
                    intended_owner=owner,
                    lead=lead,
                    description=description,
                    position=(n + 1) * 10,
                )
                for n, (area, name, owner, lead, description) in enumerate(DEFAULT_RESPONSIBILITIES)
            ],
            ignore_conflicts=True,  # another request seeded them a moment ago
        )
        rows = list(Responsibility.objects.filter(team=team).order_by("position", "pk"))
    return [r for r in rows if r.active] if active_only else rows


def responsibilities_seed(*, teams: QuerySet[Team]) -> None:
    """Seed the default list of each of ``teams`` that has none yet (one query when all have theirs)."""
    for team in teams.exclude(pk__in=Responsibility.objects.values("team_id")):
        responsibilities_of(team)


def _check_responsibility(
    team: Team, *, name: str, area: str, intended_owner: str, lead: str, description: str, exclude: int | None
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "Name the responsibility."
    elif len(name) > NAME:
        problems["name"] = f"Keep the name under {NAME} characters."
    else:
        taken = (
            Responsibility.objects.filter(team=team).annotate(lname=Lower("name")).filter(lname=name.lower())
        )
        if exclude is not None:
            taken = taken.exclude(pk=exclude)
        if taken.exists():
            problems["name"] = f"“{name}” is already on the list."
    if not area:
        problems["area"] = "Say which area it belongs to."
    elif len(area) > AREA:
        problems["area"] = f"Keep the area under {AREA} characters."
    if intended_owner not in Function.values:
        problems["intended_owner"] = "Choose PM, PMM, shared or another function."
    elif intended_owner == Function.SHARED and lead not in Lead.values:
        problems["lead"] = "Say which side leads a shared responsibility."
    if len(description) > NOTE:
        problems["description"] = f"Keep the description under {NOTE} characters."
    return problems


@transaction.atomic
def responsibility_save(
    *,
    team: Team,
    name: str,
    area: str,
    intended_owner: str,
    lead: str = "",
    description: str = "",
    active: bool = True,
    responsibility: Responsibility | None = None,
) -> Responsibility:
    """Add a responsibility at the end of the team's list, or change one (rename, regroup, retire)."""
    name, area, description = name.strip(), area.strip(), description.strip()
    lead = lead if intended_owner == Function.SHARED else ""
    problems = _check_responsibility(
        team,
        name=name,
        area=area,
        intended_owner=intended_owner,
        lead=lead,
        description=description,
        exclude=responsibility.pk if responsibility else None,
    )
    if problems:
        raise ValidationError(problems)
    if responsibility is None:
        last = Responsibility.objects.filter(team=team).aggregate(last=Max("position"))["last"] or 0
        responsibility = Responsibility(team=team, position=last + 10)
    responsibility.name, responsibility.area, responsibility.description = name, area, description
    responsibility.intended_owner, responsibility.lead, responsibility.active = intended_owner, lead, active
    try:
        with transaction.atomic():
            responsibility.save()
    except IntegrityError as error:  # the same name, saved by someone else a moment ago
        raise ValidationError({"name": f"“{name}” is already on the list."}) from error
    return responsibility


@transaction.atomic
def responsibility_move(*, responsibility: Responsibility, up: bool) -> None:
    """Swap a responsibility with its neighbour above (``up``) or below, renumbering the list first
    so equal positions never make the move a no-op."""
    rows = list(
        Responsibility.objects.select_for_update()
        .filter(team_id=responsibility.team_id)
        .order_by("position", "pk")
    )
    index = next(n for n, r in enumerate(rows) if r.pk == responsibility.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for n, row in enumerate(rows):
        row.position = (n + 1) * 10
    Responsibility.objects.bulk_update(rows, ["position"])


# --- Rounds --------------------------------------------------------------------------------------


def seat_for(user: User) -> str:
    """The function a person answers from: their role (a CMO or an administrator: leadership)."""
    if user.role == Role.PM:
        return Seat.PM
    if user.role == Role.PMM:
        return Seat.PMM
    return Seat.SALES if user.role == Role.SALES else Seat.LEADERSHIP


def eligible_participants(team: Team) -> list[User]:
    """Whom a round may ask: the team's members and leader, its products' managers, and sales."""
    return list(
        User.objects.filter(Q(pk__in=_team_people(team)) | Q(role=Role.SALES), is_active=True).order_by(
            "first_name", "last_name", "username"
        )
    )


def _team_people(team: Team) -> set[int]:
    ids = set(team.members.values_list("pk", flat=True))
    ids |= set(User.objects.filter(managed_products__team=team).values_list("pk", flat=True))
    if team.lead_id:
        ids.add(team.lead_id)
    return ids


@transaction.atomic
def round_open(
    *, actor: User, team: Team, title: str, participants: Iterable[User], due_on: date | None = None
) -> DiagnosticRound:
    """Open a round for ``team`` asking ``participants`` about its active responsibilities.

    Participants must be of the team (members, leader, product managers) or sales; at
    least two, so that agreement means something.
    """
    title = title.strip()
    people = {user.pk: user for user in participants}
    problems: dict[str, str] = {}
    if not title:
        problems["title"] = "Give the round a title (“Q3 diagnostic”)."
    elif len(title) > ROUND_TITLE:
        problems["title"] = f"Keep the title under {ROUND_TITLE} characters."
    allowed = _team_people(team)
    strangers = [u for u in people.values() if u.pk not in allowed and u.role != Role.SALES]
    if strangers:
        problems["participants"] = "Ask only the team's people (and sales if you wish)."
    elif len(people) < 2:
        problems["participants"] = "Ask at least two people: agreement needs more than one answer."
    if due_on is not None and due_on < timezone.localdate():
        problems["due_on"] = "Choose a date from today on."
    items = responsibilities_of(team, active_only=True)
    if not items and not problems:
        problems["__all__"] = "The team has no active responsibility to ask about."
    if problems:
        raise ValidationError(problems)
    round = DiagnosticRound.objects.create(team=team, title=title, opened_by=actor, due_on=due_on)
    RoundItem.objects.bulk_create(
        [
            RoundItem(
                round=round,
                responsibility=r,
                area=r.area,
                name=r.name,
                description=r.description,
                intended_owner=r.intended_owner,
                lead=r.lead,
                position=n,
            )
            for n, r in enumerate(items)
        ]
    )
    Participant.objects.bulk_create(
        [Participant(round=round, user=user, seat=seat_for(user)) for user in people.values()]
    )
    enqueue_on_commit("diagnostics.mail_participants", round.pk)
    return round


@transaction.atomic
def answer_save(
    *,
    participant: Participant,
    item_id: int | str | None,
    owner: str = "",
    score: int | str | None = None,
    comment: str = "",
) -> Answer:
    """Save one row of a participant's sheet (an upsert: the form saves as they go).

    The round's row is locked first (``select_for_update``), the same lock ``round_close``
    takes: an answer is either saved before the round closes or refused after, never
    slipped in while the results are being read.
    """
    round = DiagnosticRound.objects.select_for_update().get(pk=participant.round_id)
    problems: dict[str, str] = {}
    if round.status != RoundStatus.OPEN:
        raise ValidationError("The round is closed: its answers can no longer change.")
    try:
        item = RoundItem.objects.get(round=round, pk=int(item_id))  # type: ignore[arg-type]
    except (TypeError, ValueError, RoundItem.DoesNotExist):
        raise ValidationError({"item": "Not one of this round's responsibilities."}) from None
    if owner not in ("", *Owner.values):
        problems["owner"] = "Choose PM, PMM, both, nobody or other."
    value: int | None
    if score in (None, ""):
        value = None
    else:
        try:
            value = int(score)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            problems["score"] = "Score it from 1 (poorly) to 5 (very well)."
    comment = comment.strip()
    if len(comment) > NOTE:
        problems["comment"] = f"Keep the comment under {NOTE} characters."
    if problems:
        raise ValidationError(problems)
    answer, _ = Answer.objects.update_or_create(
        participant=participant, item=item, defaults={"owner": owner, "score": value, "comment": comment}
    )
    return answer


@transaction.atomic
def round_close(*, actor: User, round: DiagnosticRound) -> DiagnosticRound:
    """Close an open round: its results become visible to everyone in it, and it is final.

    A conditional update under the round's lock (see ``answer_save``): of two clicks on
    "Close", one closes and the other is told it already was.
    """
    locked = DiagnosticRound.objects.select_for_update().get(pk=round.pk)
    if (
        locked.status == RoundStatus.OPEN
        and not Answer.objects.filter(item__round=locked).exclude(owner="").exists()
    ):
        # Nobody said anything yet: keep it open rather than publish an empty result.
        raise ValidationError("Nobody has answered yet: there is nothing to close on.")
    closed = DiagnosticRound.objects.filter(pk=locked.pk, status=RoundStatus.OPEN).update(
        status=RoundStatus.CLOSED, closed_at=timezone.now(), closed_by=actor
    )
    if not closed:
        raise ValidationError("The round is already closed.")
    record_updates(DiagnosticRound, [locked.pk], actor=actor)
    locked.refresh_from_db()
    enqueue_on_commit("diagnostics.mail_participants", locked.pk)
    return locked


# --- Telling the participants ------------------------------------------------------------------

# How far back the sweep looks for participants whose mail never went out (broker down).
MAIL_SWEEP_DAYS = 14


@transaction.atomic
def participants_mail(*, round_id: int) -> int:
    """Mail the round's participants what they have not been told yet: the invitation to answer
    while it is open, the results once it is closed. Returns the mails sent.

    Each participant's stamp (``invited_at``, ``results_sent_at``) is the idempotency key: the
    rows are locked (``skip_locked``), so two deliveries of the task never mail anyone twice, and
    a failed mail rolls back for the task to retry. An open round's invitation is not sent once
    it has closed (the results mail replaces it)."""
    round = DiagnosticRound.objects.select_related("team", "opened_by").filter(pk=round_id).first()
    if round is None:
        return 0
    closed = round.status == RoundStatus.CLOSED
    stamp = "results_sent_at" if closed else "invited_at"
    rows = list(
        Participant.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(round=round, **{f"{stamp}__isnull": True})
        .select_related("user")
        .order_by("pk")
    )
    now = timezone.now()
    sent = 0
    for participant in rows:
        user = participant.user
        if user.is_active and user.email:
            subject, body = _round_mail(round, user, closed=closed)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
            sent += 1
    stamps = {"results_sent_at": now} if closed else {"invited_at": now}
    if closed:
        # Nobody is invited to a round that has closed.
        Participant.objects.filter(pk__in=[p.pk for p in rows], invited_at__isnull=True).update(
            invited_at=now
        )
    Participant.objects.filter(pk__in=[p.pk for p in rows]).update(**stamps)
    return sent


def _round_mail(round: DiagnosticRound, user: User, *, closed: bool) -> tuple[str, str]:
    hello = f"Hi {user.first_name or user.username},\n\n"
    if closed:
        link = settings.SITE_URL + reverse("diagnostics:round", args=[round.pk])
        return (
            f"[PMM Portal] Results of “{round.title}” ({round.team.name})",
            hello + f"The round “{round.title}” has closed. See who the team thinks owns each "
            "responsibility, how well it is done, and the gaps flagged for the conversation "
            f"(no answer carries a name):\n\n  {link}\n",
        )
    link = settings.SITE_URL + reverse("diagnostics:answer", args=[round.pk])
    by = round.opened_by.display_name if round.opened_by else "Your marketing leader"
    due = f" by {round.due_on:%A %d %B}" if round.due_on else ""
    return (
        f"[PMM Portal] {by} asks for your view: “{round.title}”",
        hello + f"{by} opened a functional diagnostic for {round.team.name}: for each product "
        "management and product marketing responsibility, who really does it today and how well "
        f"(1–5). It takes under ten minutes and saves as you go; please answer{due}:\n\n  {link}\n\n"
        "Nobody sees your answers: once the round closes, everyone sees the team's figures.\n",
    )


def participants_mail_sweep(*, now: datetime | None = None) -> int:
    """Enqueue the mail of every recent round with someone not told yet (after a broker outage).
    Returns the rounds enqueued."""
    since = (now or timezone.now()) - timedelta(days=MAIL_SWEEP_DAYS)
    pending = (
        DiagnosticRound.objects.filter(
            Q(status=RoundStatus.OPEN, opened_at__gte=since, participants__invited_at__isnull=True)
            | Q(status=RoundStatus.CLOSED, closed_at__gte=since, participants__results_sent_at__isnull=True)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    ids = sorted(pending)
    with transaction.atomic():
        for pk in ids:
            enqueue_on_commit("diagnostics.mail_participants", pk)
    return len(ids)
