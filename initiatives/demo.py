"""Demo data of the initiatives app for ``seed_demo``: plans, time, reviews, wins (about half of them
promoted to sales, some to other teams too) and a learning log.

Scale 1 gives every PMM a year of history; scale 100 gives about fifty PMMs five
years. Everything is written with ``bulk_create`` so the large scale takes minutes.
The demo PMM ``pmm`` has last month's review still open, so the prompt shows.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pmm_portal.core.dates import (
    add_months,
    month_end,
    month_start,
    week_share_in_month,
    week_start,
    weeks_of,
)
from pmm_portal.core.demo import DemoOrg
from pmm_portal.core.models import Product, Team, User
from timesheets.models import TimeCategory, TimeEntry

from .models import (
    FocusSlot,
    Initiative,
    InitiativeStatus,
    Learning,
    LearningResult,
    Milestone,
    MonthlyReview,
    Outcome,
    ReviewOutcome,
    StatusUpdate,
    Win,
    WinPromotion,
)

BATCH = 2000

# (title, goal, expected impact, milestones)
WORK: list[tuple[str, str, str, list[str]]] = [
    (
        "Competitive battlecards vs {rival}",
        "Sales can handle the top five objections against {rival} without pulling a PMM into the call.",
        "Win rate against {rival} up 5 points; fewer one-off competitive requests.",
        [
            "Interview five reps who lost to {rival}",
            "Draft reviewed by sales leadership",
            "Battlecard live in the asset library",
        ],
    ),
    (
        "Refresh the IT director buyer persona",
        "Demand gen and sales share one evidenced picture of the IT director: goals, concerns, decision criteria.",
        "Campaign conversion up; messaging that matches how this buyer really decides.",
        ["Six customer interviews done", "Persona validated with sales", "Persona briefing for demand gen"],
    ),
    (
        "Partner channel enablement kit",
        "Resellers can pitch {product} on their own: what pays them, the change we ask of them, the kit they need.",
        "Partner-sourced pipeline up 20 %.",
        ["Partner interviews", "Enablement deck", "First partner webinar"],
    ),
    (
        "{product} launch kit",
        "Everything sales, support and marketing need on launch day, ready two weeks before.",
        "Launch-quarter pipeline target met; no scramble in launch week.",
        ["Messaging approved", "Launch deck and FAQ", "Sales training delivered"],
    ),
    (
        "Win/loss interview programme",
        "A steady stream of win/loss interviews that tells us why buyers choose us or do not.",
        "Top three loss reasons known and addressed in the roadmap and the pitch.",
        ["Interview guide", "First ten interviews", "Quarterly win/loss readout"],
    ),
    (
        "Website messaging revamp",
        "The home and product pages say what {product} does for the buyer, in their words.",
        "Demo-request conversion up 15 %.",
        ["Message house", "Copy for home and product pages", "Pages live"],
    ),
    (
        "SDR email templates and call scripts",
        "SDRs open conversations with messages tested against the buyer personas.",
        "Reply rate up; fewer ad-hoc template requests.",
        ["Five templates drafted", "A/B test in two regions", "Templates in the library"],
    ),
    (
        "ROI calculator for {product}",
        "Champions can make the business case to their CFO with their own numbers.",
        "Shorter late-stage cycles on deals above €50k.",
        ["Value drivers agreed with finance", "Calculator prototype", "Calculator in the sales kit"],
    ),
    (
        "Customer reference programme",
        "Twenty referenceable customers by segment, ready for calls, quotes and case studies.",
        "Every late-stage deal gets a matching reference within 48 hours.",
        ["Candidate list with CS", "Ten references signed up", "Three case studies published"],
    ),
    (
        "Analyst briefing for the {product} release",
        "Analysts understand our positioning against {rival} and the status quo.",
        "A favourable mention in the next market report.",
        ["Briefing deck", "Briefings held", "Follow-up answers sent"],
    ),
    (
        "Pricing page and proposal template",
        "Sales stops rebuilding proposals from scratch; pricing is explained the same way everywhere.",
        "Proposal turnaround from three days to one.",
        ["Pricing narrative", "Proposal template", "Sales walkthrough"],
    ),
    (
        "Demo script for solutions engineers",
        "Every SE gives a demo that follows the buyer's problems, not the feature list.",
        "Technical win rate up; fewer 'can you join my demo' requests.",
        ["Storyline agreed", "Script and click path", "SE certification round"],
    ),
]
RIVALS = ["Globex", "Initech", "Umbrella Analytics", "Hooli", "Vandelay Cloud"]
WIN_TITLES = [
    "Won {account} against {rival}",
    "{account} expanded after the new ROI case",
    "Partner closed {account} using the enablement kit",
    "Launch webinar filled 400 seats",
    "Battlecard cited in {account} win review",
    "Analyst report names {product} a leader",
    "Demo-request conversion up 18 % after the page revamp",
]
ACCOUNTS = [
    "Acme Corp",
    "Stark Industries",
    "Wayne Enterprises",
    "Cyberdyne",
    "Soylent",
    "Tyrell",
    "Wonka Foods",
]
LEARNINGS = [
    "Objection handling lands better than feature lists: reps used the battlecard when it opened with the buyer's worry.",
    "Going on three sales calls taught more about the IT director than a month of desk research.",
    "Shipping a rough version early and iterating with two reps beat waiting for the perfect deck.",
    "One-off requests crept to 20 % of my time; scoring them for reuse made the answer to most of them an existing asset.",
    "The partner channel needs shorter material: one page, the margin story first.",
]
HEADLINES = [
    "Lead with the buyer's worry, not the feature list: it works.",
    "The ROI case got the CFO to sign: use it in every late-stage deal.",
    "Partners close on their own when the kit is one page.",
    "Reference calls shorten the last mile: ask for one early.",
]
QUOTES = [
    "You were the only vendor who understood how we actually buy.",
    "The business case made the decision easy for our finance team.",
    "Your team answered our security questions before we asked them.",
    "",
]
# (title, hypothesis, tried, measure, result, what happened, lesson)
EXPERIMENTS: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "Objection-first battlecard",
        "Reps use a battlecard that opens with the buyer's top objection more than a feature list.",
        "Two versions of the {rival} battlecard, one per region, for four weeks.",
        "Battlecard views per opportunity and rep feedback",
        LearningResult.CONFIRMED,
        "The objection-first card was opened in 3× as many opportunities.",
        "Open every battlecard with the objection; features go last.",
    ),
    (
        "Shorter SDR emails",
        "Emails under 80 words get more replies from IT directors.",
        "A/B test of five templates, short against long, in two regions.",
        "Reply rate",
        LearningResult.CONFIRMED,
        "Reply rate 6.1 % against 3.8 %.",
        "Keep first-touch emails under 80 words; move proof to the second touch.",
    ),
    (
        "Webinar for partner recruitment",
        "A webinar recruits more resellers than one-to-one calls.",
        "One webinar for 40 partners against ten calls.",
        "Partners signed up within a month",
        LearningResult.REFUTED,
        "Two partners signed after the webinar, five after the calls.",
        "Partners want a conversation about margin: keep recruiting one to one.",
    ),
    (
        "ROI calculator in the proposal",
        "Deals with an ROI calculation close faster in the late stage.",
        "Added the calculator to {product} proposals above €50k for a quarter.",
        "Days from proposal to signature",
        LearningResult.INCONCLUSIVE,
        "Too few deals closed to tell (seven); the trend is slightly faster.",
        "Run it another quarter before drawing a conclusion.",
    ),
    (
        "Pricing page without a contact form",
        "Showing prices without a form increases demo requests.",
        "Removed the form from the {product} pricing page for six weeks.",
        "Demo requests per week",
        LearningResult.CONFIRMED,
        "Demo requests up 18 %; lead quality unchanged.",
        "Publish prices openly; qualify in the demo instead.",
    ),
]

UPDATE_MESSAGES = {
    InitiativeStatus.ON_TRACK: "Milestone met; next step scheduled with sales.",
    InitiativeStatus.AT_RISK: "Waiting on product for the pricing numbers; may slip a week.",
    InitiativeStatus.OFF_TRACK: "Launch date moved by engineering; re-planning with the PM.",
    InitiativeStatus.DONE: "Delivered and announced to sales.",
    InitiativeStatus.DROPPED: "Deprioritised at the monthly review in favour of the launch.",
}


@dataclass
class _Rows:
    initiatives: list[Initiative] = field(default_factory=list)
    products: list[tuple[int, int]] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    updates: list[StatusUpdate] = field(default_factory=list)
    slots: list[FocusSlot] = field(default_factory=list)
    entries: list[TimeEntry] = field(default_factory=list)
    reviews: list[tuple[MonthlyReview, list[ReviewOutcome]]] = field(default_factory=list)
    wins: list[Win] = field(default_factory=list)
    # (index in wins, when promoted, ids of the other teams shared with)
    promotions: list[tuple[int, datetime, list[int]]] = field(default_factory=list)
    learnings: list[Learning] = field(default_factory=list)


def seed(org: DemoOrg) -> None:
    """Add this app's demo data to ``org``; idempotent (does nothing once the PMMs have plans)."""
    if not org.pmms or Initiative.objects.filter(owner__in=org.pmms).exists():
        return
    years = max(1, min(5, org.scale // 20))
    today = timezone.localdate()
    with transaction.atomic():
        for pmm in org.pmms:
            team = next((t for t in org.teams if pmm in t.members.all()), None) or org.teams[0]
            rows = _Rows()
            _plan_pmm(rows, pmm, team, org, today, years, random.Random(pmm.pk))
            _write(rows)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _plan_pmm(
    rows: _Rows, pmm: User, team: Team, org: DemoOrg, today: date, years: int, rng: random.Random
) -> None:
    """A PMM's history month by month: the top 3 with carry-over, time every week, a review, wins."""
    products = [p for p in org.products if p.team_id == team.pk] or org.products
    # Requests live beside this app: reached by the time entry's foreign key, not imported.
    request_model = TimeEntry.request.field.related_model
    requests = list(request_model._default_manager.filter(team=team).values_list("pk", flat=True)[:40])
    this_month = month_start(today)
    first = add_months(this_month, -12 * years + 1)
    focus: list[Initiative] = []
    month = first
    while month <= this_month:
        ended: list[tuple[Initiative, str]] = []
        while len(focus) < 3:
            focus.append(_new_initiative(rows, pmm, team, products, month, rng))
        if rng.random() < 0.5:  # a backlog item or two wait their turn
            _new_initiative(rows, pmm, team, products, month, rng, start_later=True)
        for rank, initiative in enumerate(focus, start=1):
            rows.slots.append(FocusSlot(owner=pmm, month=month, rank=rank, initiative=initiative))
        for monday in _weeks_logged_in(month, today):
            _log_week(rows, pmm, monday, focus, requests, rng)
        first_win = len(rows.wins)
        for _ in range(rng.choice([0, 1, 1, 2])):
            initiative = rng.choice(focus)
            day = min(month + timedelta(days=rng.randrange(0, 28)), today)
            rows.wins.append(
                Win(
                    title=rng.choice(WIN_TITLES).format(
                        account=rng.choice(ACCOUNTS), rival=rng.choice(RIVALS), product=products[0].name
                    ),
                    impact=f"{rng.choice(['€80k', '€120k', '€250k', '€45k'])} ARR; {initiative.title.lower()} made the difference.",
                    date=day,
                    team=team,
                    owner=pmm,
                    initiative=initiative,
                    request_id=rng.choice(requests) if requests and rng.random() < 0.3 else None,
                )
            )
        _log_learnings(rows, pmm, team, focus, products, month, today, rng)
        _promote_wins(rows, org, team, first_win, today, rng)
        if month == this_month:
            break
        # Close the month: outcomes, learnings, and who carries over.
        outcomes = []
        carried = []
        for initiative in focus:
            if initiative.target_date <= month_end(month):
                outcome = Outcome.DONE if rng.random() < 0.85 else Outcome.DROPPED
            else:
                outcome = Outcome.CARRIED_OVER if rng.random() < 0.9 else Outcome.DROPPED
            outcomes.append(ReviewOutcome(initiative=initiative, outcome=outcome, note=_note(outcome)))
            if outcome == Outcome.CARRIED_OVER:
                carried.append(initiative)
            else:
                ended.append((initiative, outcome))
        for initiative, result in ended:
            initiative.status = InitiativeStatus.DONE if result == Outcome.DONE else InitiativeStatus.DROPPED
            rows.updates.append(
                StatusUpdate(
                    initiative=initiative,
                    author=pmm,
                    status=initiative.status,
                    message=UPDATE_MESSAGES[InitiativeStatus(initiative.status)],
                    created_at=_aware(month_end(month)),
                )
            )
        next_month = add_months(month, 1)
        open_review = pmm.username == "pmm" and next_month == this_month
        review = MonthlyReview(
            owner=pmm,
            team=team,
            month=month,
            learnings=rng.choice(LEARNINGS),
            submitted_at=None if open_review else _aware(next_month + timedelta(days=rng.randrange(0, 3))),
        )
        rows.reviews.append((review, outcomes))
        focus = carried
        month = next_month
    # Backlog items whose target passed without ever being ranked were dropped at some review.
    ranked = {id(slot.initiative) for slot in rows.slots}
    for initiative in rows.initiatives:
        if id(initiative) not in ranked and initiative.target_date < today:
            initiative.status = InitiativeStatus.DROPPED
    for initiative in focus:
        if rng.random() < 0.3:
            initiative.status = rng.choice([InitiativeStatus.AT_RISK, InitiativeStatus.OFF_TRACK])
            rows.updates.append(
                StatusUpdate(
                    initiative=initiative,
                    author=pmm,
                    status=initiative.status,
                    message=UPDATE_MESSAGES[InitiativeStatus(initiative.status)],
                    created_at=_aware(today - timedelta(days=2)),
                )
            )


def _log_learnings(
    rows: _Rows,
    pmm: User,
    team: Team,
    focus: list[Initiative],
    products: list[Product],
    month: date,
    today: date,
    rng: random.Random,
) -> None:
    """An experiment or two a month, most of them on one of the top 3."""
    for _ in range(rng.choice([0, 1, 1, 2])):
        day = min(month + timedelta(days=rng.randrange(0, 28)), today)
        title, hypothesis, tried, measure, result, notes, lesson = rng.choice(EXPERIMENTS)
        words = {"rival": rng.choice(RIVALS), "product": products[0].name}
        rows.learnings.append(
            Learning(
                team=team,
                owner=pmm,
                initiative=rng.choice(focus) if rng.random() < 0.85 else None,
                date=day,
                title=title,
                hypothesis=hypothesis,
                tried=tried.format(**words),
                measure=measure,
                result=result,
                result_notes=notes,
                lesson=lesson,
            )
        )


def _promote_wins(rows: _Rows, org: DemoOrg, team: Team, first: int, today: date, rng: random.Random) -> None:
    """About half of the month's wins (``rows.wins[first:]``) are promoted to sales, days after they happened."""
    others = [t.pk for t in org.teams if t.pk != team.pk]
    for index in range(first, len(rows.wins)):
        win = rows.wins[index]
        if rng.random() >= 0.5:
            continue
        day = min(win.date + timedelta(days=rng.randrange(0, 4)), today)
        win.shared_with_sales = True
        win.headline = rng.choice(HEADLINES)
        win.quote = rng.choice(QUOTES)
        win.promoted_at = _aware(day)
        win.promoted_by = win.owner
        shared = [team.pk, *([rng.choice(others)] if others and rng.random() < 0.4 else [])]
        rows.promotions.append((index, win.promoted_at, shared))


FRIDAY = 4


def _weeks_logged_in(month: date, today: date) -> list[date]:
    """The weeks logged with ``month``'s top 3: those with most of their working days in it
    (three of five or more, i.e. its Wednesday), so each week is logged once. A week is logged
    once its working days are over (from its Friday, as PMMs log on Friday afternoon). The hours
    of a boundary week still count in both months by working day, as everywhere else."""
    half = Decimal("0.5")
    last = week_start(today) if today.weekday() >= FRIDAY else week_start(today) - timedelta(days=7)
    return [w for w in weeks_of(month) if week_share_in_month(w, month) > half and w <= last]


def _note(outcome: str) -> str:
    return {
        Outcome.DONE: "Delivered; sales is using it.",
        Outcome.PROGRESSED: "Good progress; more to do.",
        Outcome.CARRIED_OVER: "On track; continues next month.",
        Outcome.DROPPED: "Dropped to make room for the launch.",
    }[Outcome(outcome)]


def _new_initiative(
    rows: _Rows,
    pmm: User,
    team: Team,
    products: list[Product],
    month: date,
    rng: random.Random,
    start_later: bool = False,
) -> Initiative:
    title, goal, impact, milestones = rng.choice(WORK)
    product = rng.choice(products)
    words = {"rival": rng.choice(RIVALS), "product": product.name}
    start = add_months(month, 1) if start_later else month
    target = month_end(add_months(start, rng.choice([1, 2, 2, 3, 4]) - 1))
    initiative = Initiative(
        owner=pmm,
        team=team,
        title=title.format(**words),
        goal=goal.format(**words),
        expected_impact=impact.format(**words),
        start_date=start,
        target_date=target,
        planned_hours_per_week=Decimal(rng.choice([4, 6, 8, 8, 10])),
        status=InitiativeStatus.ON_TRACK,
    )
    rows.initiatives.append(initiative)
    rows.products.append((len(rows.initiatives) - 1, product.pk))
    span = max(1, (target - start).days)
    for n, name in enumerate(milestones, start=1):
        due = start + timedelta(days=span * n // len(milestones))
        done = _aware(due) if due < timezone.localdate() - timedelta(days=3) else None
        rows.milestones.append(
            Milestone(initiative=initiative, title=name.format(**words), due_date=due, completed_at=done)
        )
    rows.updates.append(
        StatusUpdate(
            initiative=initiative,
            author=pmm,
            status=InitiativeStatus.ON_TRACK,
            message="Kicked off; plan and milestones agreed with the CMO.",
            created_at=_aware(start),
        )
    )
    return initiative


def _log_week(
    rows: _Rows, pmm: User, monday: date, focus: list[Initiative], requests: list[int], rng: random.Random
) -> None:
    """About forty hours: the top 3 near plan, one-offs around 10–15 %, customers, meetings, other."""
    for initiative in focus:
        hours = max(
            Decimal(0), initiative.planned_hours_per_week + Decimal(rng.choice([-3, -2, -1, 0, 0, 1, 2]))
        )
        if hours:
            rows.entries.append(
                TimeEntry(
                    user=pmm,
                    week_start=monday,
                    category=TimeCategory.INITIATIVE,
                    initiative=initiative,
                    hours=hours,
                )
            )
    one_off = Decimal(rng.choice([3, 4, 5, 5, 6, 7, 9]))
    if requests and rng.random() < 0.5:
        linked = Decimal(2)
        rows.entries.append(
            TimeEntry(
                user=pmm,
                week_start=monday,
                category=TimeCategory.REQUEST,
                request_id=rng.choice(requests),
                hours=linked,
            )
        )
        one_off -= linked
    for category, hours in (
        (TimeCategory.REQUEST, one_off),
        (TimeCategory.CUSTOMER, Decimal(rng.choice([2, 3, 4, 5, 6]))),
        (TimeCategory.MEETINGS, Decimal(rng.choice([6, 8, 9, 10, 12]))),
        (TimeCategory.OTHER, Decimal(rng.choice([1, 2, 3, 4]))),
    ):
        rows.entries.append(TimeEntry(user=pmm, week_start=monday, category=category, hours=hours))


def _write(rows: _Rows) -> None:
    Initiative.objects.bulk_create(rows.initiatives, batch_size=BATCH)
    through = Initiative.products.through
    through.objects.bulk_create(
        [
            through(initiative_id=rows.initiatives[index].pk, product_id=product_id)
            for index, product_id in rows.products
        ],
        batch_size=BATCH,
    )
    for milestone in rows.milestones:
        milestone.initiative_id = milestone.initiative.pk
    Milestone.objects.bulk_create(rows.milestones, batch_size=BATCH)
    for update in rows.updates:
        update.initiative_id = update.initiative.pk
    StatusUpdate.objects.bulk_create(rows.updates, batch_size=BATCH)
    # Statuses changed after creation (done, dropped, at risk) are written in one pass per status.
    for status in InitiativeStatus.values:
        ids = [i.pk for i in rows.initiatives if i.status == status]
        Initiative.objects.filter(pk__in=ids).update(status=status)
    for slot in rows.slots:
        slot.initiative_id = slot.initiative.pk
    FocusSlot.objects.bulk_create(rows.slots, batch_size=BATCH)
    for entry in rows.entries:
        if entry.initiative is not None:
            entry.initiative_id = entry.initiative.pk
    TimeEntry.objects.bulk_create(rows.entries, batch_size=BATCH)
    MonthlyReview.objects.bulk_create([review for review, _ in rows.reviews], batch_size=BATCH)
    outcomes = []
    for review, review_outcomes in rows.reviews:
        for outcome in review_outcomes:
            outcome.review_id = review.pk
            outcome.initiative_id = outcome.initiative.pk
            outcomes.append(outcome)
    ReviewOutcome.objects.bulk_create(outcomes, batch_size=BATCH)
    for win in rows.wins:
        win.initiative_id = win.initiative.pk if win.initiative else None
    Win.objects.bulk_create(rows.wins, batch_size=BATCH)
    WinPromotion.objects.bulk_create(
        [
            WinPromotion(win=rows.wins[index], promoted_by=rows.wins[index].owner, promoted_at=moment)
            for index, moment, _teams in rows.promotions
        ],
        batch_size=BATCH,
    )
    shared = Win.shared_with.through
    shared.objects.bulk_create(
        [
            shared(win_id=rows.wins[index].pk, team_id=team_id)
            for index, _moment, teams in rows.promotions
            for team_id in teams
        ],
        batch_size=BATCH,
    )
    for learning in rows.learnings:
        learning.initiative_id = learning.initiative.pk if learning.initiative else None
    Learning.objects.bulk_create(rows.learnings, batch_size=BATCH)
