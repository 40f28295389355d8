"""Demo data of the requests_queue app for ``seed_demo``: a year of requests in every status, assets, ratings.

Assets carry views and downloads; one in four has a second version (the first kept), and one in
nine is retired, pointing to the asset before it as its replacement.

Scale 1: about 150 requests over the last year for the one team; ``--scale N``
multiplies them (spread over the teams). Everything goes in with ``bulk_create``.
Idempotent: a team that already has requests is left alone.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from personas.models import Persona, PersonaKind
from pmm_portal.core.dates import add_business_days
from pmm_portal.core.demo import DemoOrg
from pmm_portal.core.models import Product, Role, Team, User

from .models import (
    OPEN_STATUSES,
    Asset,
    AssetKind,
    AssetVersion,
    EventKind,
    FollowVia,
    Notification,
    Request,
    RequestComment,
    RequestEvent,
    RequestFollower,
    RequestStatus,
    RequestType,
    SlaTarget,
)
from .services import compute_priority

S = RequestStatus
REQUESTS_PER_TEAM_YEAR = 150

COMPETITORS = ["Northwind", "Contoso", "Globex Cloud", "Initech", "Umbrella Data", "Vandelay Systems"]
ACCOUNTS = [
    "Acme Corp",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Soylent",
    "Massive Dynamic",
    "Cyberdyne",
    "Tyrell Corp",
    "Oscorp",
    "Wonka Industries",
    "Gringotts Bank",
    "Monarch Health",
]
TITLES: dict[str, list[str]] = {
    RequestType.COMPETITIVE_INTEL: [
        "Battlecard against {competitor} for {account}",
        "How do we compare with {competitor} on integrations?",
        "{competitor} just cut prices: talking points for {account}",
        "Objection handling: “{competitor} is cheaper”",
    ],
    RequestType.EMAIL_TEMPLATE: [
        "Follow-up email after the {product} demo",
        "Cold outreach email for CFOs evaluating {product}",
        "Renewal reminder email for {account}",
    ],
    RequestType.CALL_SCRIPT: [
        "Discovery call script for security buyers ({product})",
        "Call script for SDRs: {product} launch",
        "Voicemail script for inbound trial users",
    ],
    RequestType.SLIDES: [
        "Executive deck for {account} QBR",
        "Three slides on the {product} roadmap for {account}",
        "ROI slide for the {account} business case",
    ],
    RequestType.CUSTOMER_CALL: [
        "Join the {account} technical evaluation call",
        "Product marketing on the {account} executive briefing",
    ],
    RequestType.DATASHEET: [
        "Updated {product} datasheet with the new compliance badges",
        "One-page datasheet for {product} in healthcare",
    ],
    RequestType.PRICING: [
        "Pricing proposal help for {account} (multi-year)",
        "How to position the {product} enterprise tier against {competitor}",
    ],
    RequestType.OTHER: [
        "Customer reference in retail for {account}",
        "Answers for the {account} security questionnaire",
    ],
}
DETAILS = [
    "The champion asked for it before the steering committee; the economic buyer is the CFO.",
    "They are comparing us with {competitor} and keep asking about integrations and total cost.",
    "Deal is in evaluation; the technical evaluator wants proof points from similar customers.",
    "Needed for the next call; a short version is fine if time is tight.",
]
ALTERNATIVES = [
    "The {competitor} battlecard in the library covers this; I added two lines for your deal in the comments.",
    "Ask the solutions engineer on the account: it is a configuration question. Happy to review their answer.",
    "We will publish a reusable version next month; until then use the current deck, slide 7 answers it.",
]
ASSET_KINDS = {
    RequestType.COMPETITIVE_INTEL: AssetKind.BATTLECARD,
    RequestType.EMAIL_TEMPLATE: AssetKind.EMAIL_TEMPLATE,
    RequestType.CALL_SCRIPT: AssetKind.CALL_SCRIPT,
    RequestType.SLIDES: AssetKind.DECK,
    RequestType.DATASHEET: AssetKind.DATASHEET,
    RequestType.PRICING: AssetKind.PRICING,
}
CLOSED_MIX = [S.DELIVERED] * 10 + [S.REUSED] * 3 + [S.DUPLICATE] + [S.DECLINED] * 2 + [S.CANCELLED]
OPEN_MIX = [S.NEW, S.TRIAGED, S.IN_PROGRESS, S.SNOOZED, S.NEW, S.IN_PROGRESS, S.TRIAGED, S.NEW, S.WAITING]
LATE_SHARE = 0.1
# What a PMM asks a requester when a request waits on them (``waiting``).
QUESTIONS = [
    "Which competitor is the customer comparing us with, and at what stage is the evaluation?",
    "Is this for the CFO or the IT team? The answer changes the angle.",
    "Can you share the customer's RFP section this should answer?",
]


def _aware(day: datetime) -> datetime:
    return timezone.make_aware(day) if timezone.is_naive(day) else day


def _add_business_days(start: datetime, days: int) -> datetime:
    """``start`` moved ``days`` business days on, at the same time of day."""
    return start + (add_business_days(start.date(), days) - start.date())


def _team_pmms(team: Team, org: DemoOrg) -> list[User]:
    members = list(team.members.filter(role=Role.PMM).order_by("pk"))
    return members or org.pmms[:1]


def _seed_assets(
    team: Team, products: list[Product], pmms: list[User], rng: random.Random, count: int
) -> list[Asset]:
    today = timezone.localdate()
    assets = []
    for n in range(count):
        kind = list(ASSET_KINDS.values())[n % len(ASSET_KINDS)]
        product = products[(n // len(ASSET_KINDS)) % len(products)]
        competitor = COMPETITORS[(n // len(ASSET_KINDS)) % len(COMPETITORS)]
        title = {
            AssetKind.BATTLECARD: f"{product.name} vs {competitor} battlecard",
            AssetKind.EMAIL_TEMPLATE: f"{product.name} follow-up email after a demo",
            AssetKind.CALL_SCRIPT: f"{product.name} discovery call script",
            AssetKind.DECK: f"{product.name} executive overview deck",
            AssetKind.DATASHEET: f"{product.name} datasheet",
            AssetKind.PRICING: f"{product.name} pricing and packaging guide",
        }[kind]
        if n >= len(ASSET_KINDS) * len(products):
            title = f"{title} ({['EMEA', 'healthcare', 'public sector', 'mid-market'][n % 4]})"
        assets.append(
            Asset(
                title=title,
                kind=kind,
                description=f"Reusable {kind.label.lower()} for {product.name}: key messages, proof points "
                f"and answers to the objections sales hear most (e.g. against {competitor}).",
                link=f"https://drive.example.com/{team.slug}/{product.slug}/asset-{n}",
                owner=pmms[n % len(pmms)],
                team=team,
                # One in six is past its review date, so the library shows the flag.
                review_by=today
                + timedelta(days=rng.randint(-60, -1) if n % 6 == 0 else rng.randint(30, 240)),
                reuse_count=rng.randint(0, 12),
                view_count=rng.randint(5, 120),
                download_count=rng.randint(0, 40),
                version=2 if n % 4 == 1 else 1,
            )
        )
    created = Asset.objects.bulk_create(assets)
    _seed_versions_and_retirements(created, rng)
    through = Asset.products.through
    through.objects.bulk_create(
        [through(asset_id=a.pk, product_id=products[i % len(products)].pk) for i, a in enumerate(created)]
    )
    return created


def _seed_versions_and_retirements(assets: list[Asset], rng: random.Random) -> None:
    """Version rows for every asset (a second one for those at version 2); one in nine retired."""
    now = timezone.now()
    versions = []
    for asset in assets:
        first = asset.link if asset.version == 1 else f"{asset.link}-v1"
        versions.append(AssetVersion(asset=asset, number=1, link=first, uploaded_by=asset.owner))
        if asset.version == 2:
            versions.append(
                AssetVersion(
                    asset=asset,
                    number=2,
                    link=asset.link,
                    note="Refreshed proof points and pricing",
                    uploaded_by=asset.owner,
                )
            )
    AssetVersion.objects.bulk_create(versions)
    retired = []
    for n, asset in enumerate(assets):
        if n % 9 == 8:
            asset.retired_at = now - timedelta(days=rng.randint(3, 90))
            asset.retired_by = asset.owner
            asset.replaced_by = assets[n - 1]
            asset.retirement_reason = "Superseded by the refreshed version."
            retired.append(asset)
    Asset.objects.bulk_update(retired, ["retired_at", "retired_by", "replaced_by", "retirement_reason"])


def _seed_team(team: Team, org: DemoOrg, rng: random.Random) -> None:
    products = list(team.products.all())
    pmms = _team_pmms(team, org)
    if not products or not org.sales:
        return
    assets = _seed_assets(team, products, pmms, rng, count=max(12, 6 * len(products)))
    SlaTarget.objects.bulk_create(
        [
            SlaTarget(team=team, type=RequestType.COMPETITIVE_INTEL, acknowledge_days=1, deliver_days=4),
            SlaTarget(team=team, type=RequestType.PRICING, acknowledge_days=1, deliver_days=2),
        ],
        ignore_conflicts=True,
    )
    now = timezone.now()
    today = timezone.localdate()
    total = REQUESTS_PER_TEAM_YEAR * max(1, org.scale // max(1, len(org.teams)))
    rows: list[Request] = []
    created_times: list[datetime] = []
    for n in range(total):
        age_days = int(365 * (1 - n / total)) + rng.randint(0, 2)
        # The open queue is the newest few, one of each open status: a team that keeps its SLAs
        # closes the rest within days. New ones arrived today or yesterday (not yet acknowledged).
        open_index = n - (total - len(OPEN_MIX))
        recent = open_index >= 0
        status = OPEN_MIX[open_index] if recent else rng.choice(CLOSED_MIX)
        if status == S.NEW:
            age_days = min(age_days, rng.randint(0, 1))
        created = _aware(datetime.combine(today - timedelta(days=age_days), time(9 + n % 8, (n * 7) % 60)))
        created = min(created, now - timedelta(minutes=5))
        late = rng.random() < LATE_SHARE  # about one request in ten misses its date
        rtype = rng.choice(RequestType.values)
        product = products[n % len(products)]
        competitor = COMPETITORS[n % len(COMPETITORS)]
        account = ACCOUNTS[(n * 5) % len(ACCOUNTS)]
        title = rng.choice(TITLES[rtype]).format(competitor=competitor, account=account, product=product.name)
        needed_by = (created + timedelta(days=rng.randint(7, 18))).date()
        if recent:  # the open queue: needs still ahead, one in ten already late
            needed_by = today + timedelta(days=rng.randint(-3, -1) if late else rng.randint(3, 14))
        scored = status != S.NEW
        reusability = rng.randint(1, 5) if scored else None
        educational = rng.randint(1, 5) if scored else None
        effort = Decimal(rng.choice([1, 2, 3, 4, 6, 8, 12])) if scored else None
        assignee = pmms[n % len(pmms)] if status in (S.TRIAGED, S.IN_PROGRESS, S.DELIVERED) else None
        value = Decimal(rng.choice([0, 15_000, 40_000, 80_000, 150_000, 400_000, 900_000]))
        request = Request(
            requester=org.sales[n % len(org.sales)],
            team=team,
            product=product,
            type=rtype,
            title=title,
            details=rng.choice(DETAILS).format(competitor=competitor),
            account=account,
            opportunity_value=value or None,
            needed_by=needed_by,
            competitor=competitor if rtype in (RequestType.COMPETITIVE_INTEL, RequestType.PRICING) else "",
            status=status,
            assignee=assignee,
            reusability=reusability,
            educational_value=educational,
            effort_hours=effort,
            due_date=needed_by if assignee else None,
            acknowledged_at=_add_business_days(created, rng.choice([0, 1, 1, 2]))
            if status != S.NEW
            else None,
            triaged_at=_add_business_days(created, 1) if scored else None,
        )
        if status == S.DELIVERED:
            # Within four business days (before needed-by), or late for about one in ten.
            days = rng.randint(8, 14) if late else rng.randint(1, 4)
            request.delivered_at = min(_add_business_days(created, days), now)
            request.started_at = request.delivered_at - timedelta(days=1)
            request.closed_at = request.delivered_at
            request.delivery_link = f"https://drive.example.com/{team.slug}/delivery-{n}"
            request.delivery_note = "Here you go. Shout if the customer asks for more detail."
            request.hours_logged = effort or Decimal(2)
            if rng.random() < 0.7:
                request.rating = rng.choice([3, 4, 4, 5, 5])
                request.rating_comment = rng.choice(
                    ["", "Exactly what I needed.", "Helped us win the evaluation."]
                )
        elif status == S.IN_PROGRESS:
            request.started_at = _add_business_days(created, 1)
            request.hours_logged = Decimal(rng.choice([1, 2, 3]))
        elif status == S.REUSED:
            request.reused_asset = rng.choice(assets)
            request.closed_at = _add_business_days(created, 1)
            if rng.random() < 0.5:
                request.rating = rng.choice([4, 5])
            if n % 2 == 0:  # half answered from the library by the rep, before the queue
                request.self_served = True
                request.assignee = None
                request.reusability = request.educational_value = request.effort_hours = None
                request.triaged_at = None
                request.acknowledged_at = request.closed_at = created
        elif status == S.DECLINED:
            request.decline_alternative = rng.choice(ALTERNATIVES).format(competitor=competitor)
            request.closed_at = _add_business_days(created, 1)
        elif status == S.CANCELLED:
            request.closed_at = _add_business_days(created, 2)
        elif status == S.SNOOZED:
            request.snoozed_until = today + timedelta(days=rng.randint(3, 20))
            request.paused_at = now - timedelta(days=rng.randint(0, 3))
        elif status == S.WAITING:
            request.paused_at = now - timedelta(days=rng.randint(0, 4))
        elif status == S.DUPLICATE:
            earlier = [r for r in rows[-20:] if r.status in (S.DELIVERED, S.IN_PROGRESS, S.TRIAGED)]
            if earlier:
                request.duplicate_of = earlier[-1]
                request.closed_at = _add_business_days(created, 1)
            else:
                request.status = S.CANCELLED
                request.closed_at = _add_business_days(created, 1)
        request.priority = compute_priority(
            reusability=reusability,
            educational_value=educational,
            opportunity_value=request.opportunity_value,
            needed_by=needed_by,
            effort_hours=effort,
        )
        rows.append(request)
        created_times.append(created)
    # Duplicates point at rows of the same batch: insert the originals first, then keep one order.
    originals = [r for r in rows if r.duplicate_of is None]
    Request.objects.bulk_create(originals, batch_size=1000)
    duplicates = [r for r in rows if r.duplicate_of is not None]
    for dup in duplicates:
        dup.duplicate_of_id = dup.duplicate_of.pk  # type: ignore[union-attr]
    Request.objects.bulk_create(duplicates, batch_size=1000)
    # auto_now_add replaced the history's creation times on insert; put them back.
    for r, created_at in zip(rows, created_times, strict=True):
        r.created_at = created_at
    Request.objects.bulk_update(rows, ["created_at"], batch_size=1000)
    _seed_history(rows, {r.pk: r.created_at for r in rows}, pmms, rng)
    _seed_me_too(rows, org)
    _tag_personas(team, rows)
    Asset.objects.filter(pk__in=[a.pk for a in assets[:6]]).update(
        source_request_id=next((r.pk for r in rows if r.status == S.DELIVERED), None)
    )


def _seed_me_too(rows: list[Request], org: DemoOrg) -> None:
    """One request in seven that is being worked on or was delivered has another rep who said "me too"."""
    follows = []
    for n, r in enumerate(rows):
        if n % 7 or r.status not in (*OPEN_STATUSES, S.DELIVERED) or len(org.sales) < 2:
            continue
        rep = org.sales[(org.sales.index(r.requester) + 1 + n % (len(org.sales) - 1)) % len(org.sales)]
        follows.append(
            RequestFollower(
                request=r,
                user=rep,
                via=FollowVia.ME_TOO,
                account=ACCOUNTS[(n * 3) % len(ACCOUNTS)],
                opportunity_value=Decimal([25_000, 60_000, 120_000][n % 3]),
                needed_by=r.needed_by + timedelta(days=n % 5),
            )
        )
    RequestFollower.objects.bulk_create(follows, batch_size=1000, ignore_conflicts=True)
    # auto_now_add stamped today: a rep says "me too" within a day or two of the request.
    joined = {f.request_id: f.request.created_at + timedelta(days=1 + f.request_id % 2) for f in follows}
    saved = list(RequestFollower.objects.filter(request_id__in=joined, via=FollowVia.ME_TOO))
    for follower in saved:
        follower.created_at = min(joined[follower.request_id], timezone.now())
    RequestFollower.objects.bulk_update(saved, ["created_at"], batch_size=1000)


def _seed_history(
    rows: list[Request], created_at_of: dict[int, datetime], pmms: list[User], rng: random.Random
) -> None:
    events: list[RequestEvent] = []
    comments: list[RequestComment] = []
    for r in rows:
        events.append(
            RequestEvent(
                request=r, kind=EventKind.SUBMITTED, actor=r.requester, to_status=S.NEW, notify=False
            )
        )
        if r.status != S.NEW:
            events.append(
                RequestEvent(
                    request=r,
                    kind=EventKind.STATUS_CHANGED,
                    actor=r.assignee or pmms[0],
                    from_status=S.NEW,
                    to_status=r.status,
                    message=QUESTIONS[r.pk % len(QUESTIONS)]
                    if r.status == S.WAITING
                    else r.decline_alternative,
                    notify=False,
                )
            )
        if rng.random() < 0.3:
            comments.append(
                RequestComment(request=r, author=r.requester, body="Any update? The customer asked again.")
            )
            if r.assignee:
                comments.append(
                    RequestComment(request=r, author=r.assignee, body="On it: first draft tomorrow morning.")
                )
    # Demo history is not news (notify=False): the outbox mails nobody about it. The last
    # weeks' changes still show in each requester's in-app notifications.
    RequestEvent.objects.bulk_create(events, batch_size=2000)
    recent = timezone.now() - timedelta(days=45)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=e.request.requester,
                event=e,
                request=e.request,
                text=f"“{e.request.title}” is now {S(e.to_status).label.lower()}"[:300],
                read_at=None if i % 3 else timezone.now(),
            )
            for i, e in enumerate(ev for ev in events if ev.kind == EventKind.STATUS_CHANGED)
            if created_at_of[e.request.pk] >= recent
        ],
        batch_size=2000,
    )
    RequestComment.objects.bulk_create(comments, batch_size=2000)


def _tag_personas(team: Team, rows: list[Request]) -> None:
    """Tag about two requests in five with a buyer of the team, so the personas' signals show (its
    own random sequence: the rest of the demo stays as it was)."""
    personas = list(Persona.objects.filter(team=team, kind=PersonaKind.BUYER).order_by("pk")[:6])
    if not personas:
        return
    rng = random.Random(team.pk * 31)
    through = Request.personas.through
    through.objects.bulk_create(
        [through(request_id=r.pk, persona_id=rng.choice(personas).pk) for r in rows if rng.random() < 0.4],
        batch_size=2000,
        ignore_conflicts=True,
    )


@transaction.atomic
def seed(org: DemoOrg) -> None:
    """Add this app's demo data to ``org``; idempotent (teams that have requests are skipped)."""
    rng = random.Random(5)  # the same demo every time
    for team in org.teams:
        if Request.objects.filter(team=team).exists():
            continue
        _seed_team(team, org, rng)
