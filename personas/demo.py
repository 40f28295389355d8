"""Demo data of the personas app for ``seed_demo``: personas of all three kinds for each product,
a year of customer interactions (five at large scale) with quotes and follow-ups, fresh and stale.

Rows are bulk-created (with their first history entry) so ``--scale 100`` takes seconds.
"""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from pmm_portal.core.demo import DemoOrg
from pmm_portal.core.models import Product, Team, User

from . import services
from .models import (
    BuyingRole,
    CustomerInteraction,
    FollowUp,
    InteractionKind,
    Objection,
    Persona,
    PersonaKind,
    PersonaStatus,
    Positioning,
    Quote,
    SalesChannel,
)

BUYERS: list[dict[str, Any]] = [
    {
        "name": "Risk-averse CIO",
        "job_titles": "CIO, VP IT, Head of Infrastructure",
        "company_profile": "Mid-market and enterprise, 500–5,000 employees, regulated industries",
        "summary": "Owns the platform budget and the outage post-mortems. Buys to reduce risk, not to chase features; "
        "wants proof that the change will not land on the front page.",
        "goals": "Fewer incidents and audit findings\nConsolidate tools and contracts\nFree the team from firefighting",
        "concerns": "Migration risk and downtime\nLock-in with a young vendor\nHow the team will absorb another tool",
        "urgent_problems": "An audit finding due in two quarters; a renewal of the incumbent tool at a 20 % uplift.",
        "decision_criteria": "Reference customers of the same size and industry; security certifications; "
        "three-year total cost; a credible migration plan.",
        "buying_role": BuyingRole.ECONOMIC_BUYER,
        "information_sources": "Analyst reports (Gartner, Forrester), peer CIO round tables, their own architects, "
        "the vendor's reference calls.",
        "preferred_content": "Two-page business case, reference call, analyst excerpt. Not webinars.",
        "objections": [
            (
                "We already have a tool that does this.",
                "Show the consolidation case: two tools retired, one contract, "
                "and the migration guide a customer of their size used.",
            ),
            (
                "You are too small to trust with this.",
                "Offer the escrow and SLA terms, and a reference from a "
                "customer in their industry who asked the same question.",
            ),
        ],
    },
    {
        "name": "Hands-on platform architect",
        "job_titles": "Principal Engineer, Platform Architect, Staff SRE",
        "company_profile": "Engineering-led companies, 200–2,000 employees",
        "summary": "Evaluates the product in a sandbox before anyone signs. Respected by the CIO; can kill a deal "
        "with one sentence in the evaluation report.",
        "goals": "A platform the team understands end to end\nAutomation over tickets\nNo surprises at 3 a.m.",
        "concerns": "Black boxes, proprietary formats, weak APIs, pricing that punishes growth.",
        "urgent_problems": "The homegrown scripts break every release; the person who wrote them left.",
        "decision_criteria": "API coverage, Terraform provider, documentation quality, time to a working proof of concept.",
        "buying_role": BuyingRole.TECHNICAL_EVALUATOR,
        "information_sources": "GitHub, Hacker News, conference talks, community Slack groups, the docs site.",
        "preferred_content": "Docs, reference architectures, a sandbox, a 20-minute technical deep dive with an engineer.",
        "objections": [
            (
                "We can build this ourselves.",
                "Walk through the real cost of the homegrown scripts: the maintenance "
                "hours logged by a customer before they switched.",
            ),
            (
                "Your API does not cover our edge cases.",
                "Bring a solutions engineer with the API roadmap and "
                "the extension points; never promise a date in the call.",
            ),
        ],
    },
    {
        "name": "Operations champion",
        "job_titles": "IT Operations Manager, Team Lead",
        "company_profile": "Any size; the person who lives with the tool every day",
        "summary": "Brought us in after a painful quarter. Wants to look good for picking us and needs material to "
        "sell us internally.",
        "goals": "Get the team's weekends back\nShow the boss measurable progress within a quarter",
        "concerns": "Being blamed if the rollout stalls; training time for the team.",
        "urgent_problems": "On-call burnout; two people quit last quarter.",
        "decision_criteria": "Ease of rollout, quality of onboarding, responsiveness of support.",
        "buying_role": BuyingRole.CHAMPION,
        "information_sources": "Peers in user groups, review sites (G2, TrustRadius), our customer community.",
        "preferred_content": "Internal pitch deck they can reuse, ROI one-pager, customer stories in their industry.",
        "objections": [
            (
                "My boss will say it is not a priority this year.",
                "Give them the ROI one-pager and the 'cost of doing nothing' slide to forward.",
            ),
        ],
    },
]
CHANNELS: list[dict[str, Any]] = [
    {
        "name": "Regional reseller account manager",
        "job_titles": "Partner Account Manager, VAR Sales Rep",
        "company_profile": "Value-added resellers with 10–200 staff",
        "summary": "Sells a catalogue of a hundred products; spends time on whatever closes fastest with the best margin.",
        "channel": SalesChannel.PARTNER,
        "sales_style": "Relationship selling to existing accounts; bundles our product into larger infrastructure deals.",
        "motivators": "Fast deals, margin, deal registration protection, being seen as the expert by their customers.",
        "compensation": "Commission on gross margin; quarterly partner tier bonuses.",
        "change_asked": "Selling a subscription instead of a one-off licence, and a new buyer (the architect) "
        "instead of the purchasing office.",
        "enablement_needs": "A one-page 'who to call and what to ask', a margin calculator, a demo they can run alone.",
    },
    {
        "name": "Inside sales rep",
        "job_titles": "Account Executive (inside), SDR",
        "company_profile": "Our own inside team, mid-market territory",
        "summary": "Runs thirty calls a day; needs to qualify or disqualify in ten minutes.",
        "channel": SalesChannel.INSIDE,
        "sales_style": "High-velocity, phone and video, short cycles, lots of email sequences.",
        "motivators": "Quota attainment, President's Club, quick wins they can repeat.",
        "compensation": "Base plus commission on annual contract value; accelerators above 100 %.",
        "change_asked": "Leading with the business problem rather than the feature list, and bringing in the "
        "champion early.",
        "enablement_needs": "Call script, discovery questions, objection cheat sheet, three short customer stories.",
    },
]
USERS: list[dict[str, Any]] = [
    {
        "name": "On-call engineer",
        "job_titles": "SRE, DevOps Engineer",
        "summary": "Uses the product every day and at night when it breaks; decides whether the team adopts it or routes around it.",
        "jobs": "Detect and fix incidents fast\nAutomate the repetitive fixes\nHand over cleanly to the next shift",
        "workflows": "Alert → triage in the console → runbook → fix → post-mortem note.",
        "frustrations": "Noisy alerts, context switching between five tools, runbooks that are out of date.",
    },
    {
        "name": "Compliance analyst",
        "job_titles": "GRC Analyst, IT Auditor",
        "summary": "Pulls evidence for auditors four times a year; measures the product by how fast a report comes out.",
        "jobs": "Produce audit evidence\nTrack exceptions to closure",
        "workflows": "Export reports monthly, reconcile in spreadsheets, chase owners by email.",
        "frustrations": "Exports that need manual clean-up; no history of who changed what.",
    },
]
QUOTES = {
    PersonaKind.BUYER: [
        ("We lose a week every quarter to audit preparation.", "CIO"),
        ("I don't need more features. I need fewer tools.", "VP IT"),
        ("If your reference is a company our size in banking, I'll take the call.", "Head of Infrastructure"),
        ("The renewal of our current tool went up 20 %; that's why you're here.", "CIO"),
        ("Show me the migration plan before the pricing.", "Platform Architect"),
        ("If I can't script it, my team won't use it.", "Principal Engineer"),
        ("Two of my engineers quit over on-call last year.", "IT Operations Manager"),
        ("I need something I can show my boss after ninety days.", "Team Lead"),
    ],
    PersonaKind.SALES_CHANNEL: [
        ("Give me something I can send after the first call.", "Partner Account Manager"),
        ("If it isn't registered, I'm not spending time on it.", "VAR Sales Rep"),
        ("My customers ask me what to buy; I need to sound like the expert.", "Partner Account Manager"),
    ],
    PersonaKind.USER: [
        ("I have five consoles open during an incident.", "SRE"),
        ("Half our runbooks describe systems we switched off.", "DevOps Engineer"),
        ("Every export needs an hour of clean-up in Excel.", "GRC Analyst"),
    ],
}
ACCOUNTS = [
    "Globex Bank",
    "Initech",
    "Umbrella Health",
    "Stark Logistics",
    "Wayne Retail",
    "Soylent Foods",
    "Hooli",
    "Vandelay Industries",
    "Acme Insurance",
    "Cyberdyne Systems",
    "Tyrell Energy",
    "Wonka Manufacturing",
    "Massive Dynamic",
    "Oscorp Pharma",
    "Nakatomi Trading",
    "Pied Piper",
    "Aperture Labs",
    "Gringotts Credit",
]
NOTES = [
    "Renewal of the incumbent is due in Q3. Security team joined halfway and asked about SSO and audit logs.",
    "Interview with the team lead: pain is on-call load and tool sprawl. Budget owned by the CIO.",
    "Lost to the incumbent on price; the buyer never met our architect. Discovery started too late.",
    "Won after the reference call with a customer in the same industry. Migration plan sealed it.",
    "Complaint about export quality; they pull evidence for auditors by hand every quarter.",
    "Booth conversation at the regional user group; three teams evaluating alternatives this year.",
]
FOLLOW_UPS = [
    "Send the SOC 2 report and the pen-test summary",
    "Share the migration guide used by a similar customer",
    "Introduce their architect to our solutions engineer",
    "Send the ROI one-pager for their CFO",
    "Confirm the roadmap date for the API extension with product management",
    "Send the customer story from their industry",
]
POSITIONING = {
    "value_proposition": "{product} halves the time the {persona} loses to incidents and audits, "
    "without a rip-and-replace project.",
    "against_competitors": "Unlike point tools, {product} covers detection, runbooks and evidence in one place, "
    "priced per team rather than per host.",
    "against_substitutes": "Homegrown scripts cost a full-time engineer a year to maintain; {product} ships "
    "the same automations tested and supported.",
    "against_status_quo": "Doing nothing means another audit finding and another quarter of on-call attrition.",
    "key_messages": "One platform, fewer tools\nProof in ninety days\nYour team keeps control: open API, Terraform",
    "proof_points": "Globex Bank: audit preparation from 5 days to 1\nInitech: 40 % fewer pages per on-call week",
}


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _persona(
    template: dict[str, object],
    kind: str,
    team: Team,
    owner: User,
    variant: int,
    rng: random.Random,
    today: date,
) -> Persona:
    fields = {k: v for k, v in template.items() if k != "objections"}
    name = str(fields.pop("name"))
    if variant:
        region = ["EMEA", "North America", "APAC", "Public sector", "SMB"][variant % 5]
        name = f"{name} ({region}{'' if variant < 5 else f' {variant}'})"
    created = today - timedelta(days=rng.randint(200, 700))
    # A mix: fresh and validated, validated long ago (stale), never validated (stale), recent drafts.
    mood = rng.random()
    status, validated_at = PersonaStatus.DRAFT, None
    if mood < 0.45:
        status, validated_at = PersonaStatus.VALIDATED, today - timedelta(days=rng.randint(5, 150))
    elif mood < 0.75:
        status, validated_at = PersonaStatus.VALIDATED, today - timedelta(days=rng.randint(200, 400))
    elif mood < 0.9:
        created = today - timedelta(days=rng.randint(5, 60))
    persona = Persona(
        name=name,
        kind=kind,
        team=team,
        owner=owner,
        status=status,
        last_validated_at=_aware(validated_at) if validated_at else None,
        last_validated_by=owner if validated_at else None,
        created_at=_aware(created),
        **fields,
    )
    # bulk_create_with_history reads these for the first history entry.
    persona._history_user = owner  # type: ignore[attr-defined]
    persona._history_date = persona.created_at  # type: ignore[attr-defined]
    return persona


@transaction.atomic
def seed(org: DemoOrg) -> None:
    """Add this app's demo data to ``org``; idempotent (does nothing if the teams have personas)."""
    if not org.teams or Persona.objects.filter(team__in=org.teams).exists():
        return
    rng = random.Random(3)
    today = timezone.localdate()
    variants = max(1, org.scale // 20)
    years = 1 if org.scale < 50 else 5
    products_by_team: dict[int, list[Product]] = {}
    for product in org.products:
        products_by_team.setdefault(product.team_id, []).append(product)

    personas: list[Persona] = []
    persona_products: list[tuple[Persona, Product]] = []
    objections: list[tuple[Persona, int, tuple[str, str]]] = []
    for team in org.teams:
        pmms = [p for p in org.pmms if team.members.filter(pk=p.pk).exists()] or org.pmms[:1]
        products = products_by_team.get(team.pk, [])
        for index, product in enumerate(products):
            pm = product.managers.first() or org.pms[0]
            for variant in range(variants):
                v = variant * len(products) + index
                for t in BUYERS:
                    persona = _persona(t, PersonaKind.BUYER, team, pmms[v % len(pmms)], v, rng, today)
                    personas.append(persona)
                    persona_products.append((persona, product))
                    objections += [(persona, n, o) for n, o in enumerate(t["objections"])]
                for t in CHANNELS[index % 2 : index % 2 + 1]:
                    persona = _persona(t, PersonaKind.SALES_CHANNEL, team, pmms[v % len(pmms)], v, rng, today)
                    personas.append(persona)
                    persona_products.append((persona, product))
                for t in USERS:
                    persona = _persona(t, PersonaKind.USER, team, pm, v, rng, today)
                    personas.append(persona)
                    persona_products.append((persona, product))
    personas = bulk_create_with_history(personas, Persona, batch_size=500)
    Persona.products.through.objects.bulk_create(
        [Persona.products.through(persona_id=p.pk, product_id=prod.pk) for p, prod in persona_products],
        ignore_conflicts=True,
    )
    Objection.objects.bulk_create(
        [Objection(persona=p, objection=o[0], response=o[1], position=n) for p, n, o in objections],
        batch_size=1000,
    )
    positionings = [
        Positioning(
            persona=p,
            product=prod,
            **{k: v.format(product=prod.name, persona=p.name.split(" (")[0]) for k, v in POSITIONING.items()},
        )
        for p, prod in persona_products
        if p.kind == PersonaKind.BUYER
    ]
    for positioning in positionings:
        positioning._history_user = positioning.persona.owner  # type: ignore[attr-defined]
        positioning._history_date = positioning.persona.created_at  # type: ignore[attr-defined]
    bulk_create_with_history(positionings, Positioning, batch_size=500)
    by_team: dict[int, dict[str, list[Persona]]] = {}
    for persona in personas:
        by_team.setdefault(persona.team_id, {}).setdefault(persona.kind, []).append(persona)
    # Channels sell to the buyers of their team.
    sells_to = [
        Persona.sells_to.through(from_persona_id=channel.pk, to_persona_id=buyer.pk)
        for kinds in by_team.values()
        for channel in kinds.get(PersonaKind.SALES_CHANNEL, [])
        for buyer in kinds.get(PersonaKind.BUYER, [])[:3]
    ]
    Persona.sells_to.through.objects.bulk_create(sells_to, ignore_conflicts=True)
    _seed_interactions(org, by_team, rng, today, years)
    _seed_edits(org, personas[:4])


def _seed_interactions(
    org: DemoOrg, by_team: dict[int, dict[str, list[Persona]]], rng: random.Random, today: date, years: int
) -> None:
    """About four interactions a month per PMM over the history, each with quotes and most with a follow-up."""
    interactions: list[CustomerInteraction] = []
    links: list[list[Persona]] = []
    for team in org.teams:
        kinds = by_team.get(team.pk, {})
        pool = (
            kinds.get(PersonaKind.BUYER, [])
            + kinds.get(PersonaKind.USER, [])
            + kinds.get(PersonaKind.SALES_CHANNEL, [])
        )
        if not pool:
            continue
        pmms = [p for p in org.pmms if team.members.filter(pk=p.pk).exists()]
        for pmm in pmms:
            for month in range(12 * years):
                for _ in range(rng.randint(2, 6)):
                    day = today - timedelta(days=month * 30 + rng.randint(0, 29))
                    interactions.append(
                        CustomerInteraction(
                            occurred_on=day,
                            kind=rng.choice(InteractionKind.values),
                            account=rng.choice(ACCOUNTS),
                            notes=rng.choice(NOTES),
                            duration_minutes=rng.choice([30, 45, 60, 60, 90]),
                            owner=pmm,
                            team=team,
                        )
                    )
                    links.append(rng.sample(pool, k=min(len(pool), rng.randint(1, 2))))
    CustomerInteraction.objects.bulk_create(interactions, batch_size=1000)
    through = CustomerInteraction.personas.through
    through.objects.bulk_create(
        [
            through(customerinteraction_id=i.pk, persona_id=p.pk)
            for i, personas in zip(interactions, links, strict=True)
            for p in personas
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    quotes: list[Quote] = []
    follow_ups: list[FollowUp] = []
    promised: set[int] = set()
    for interaction, personas in zip(interactions, links, strict=True):
        for persona in personas:
            text, role = rng.choice(QUOTES[PersonaKind(persona.kind)])
            quotes.append(
                Quote(
                    interaction=interaction,
                    persona=persona,
                    text=text,
                    speaker_role=role,
                    usable_in_sales=rng.random() < 0.6,
                )
            )
        first_of_owner = interaction.owner_id not in promised
        promised.add(interaction.owner_id)
        if first_of_owner or rng.random() < 0.6:
            # Each PMM's latest conversation leaves a promise open; old ones were kept.
            due = (
                max(interaction.occurred_on, today) + timedelta(days=rng.randint(2, 10))
                if first_of_owner
                else (interaction.occurred_on + timedelta(days=rng.randint(3, 14)))
            )
            done = not first_of_owner and (due < today - timedelta(days=10) or rng.random() < 0.3)
            follow_ups.append(
                FollowUp(
                    interaction=interaction,
                    owner=interaction.owner,
                    description=rng.choice(FOLLOW_UPS),
                    due_on=due,
                    done_at=_aware(due) if done else None,
                    done_by=interaction.owner if done else None,
                )
            )
    Quote.objects.bulk_create(quotes, batch_size=2000)
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)


def _seed_edits(org: DemoOrg, personas: list[Persona]) -> None:
    """A few real edits through the services, so persona pages show a history."""
    for persona in personas:
        actor = persona.owner
        if persona.kind == PersonaKind.BUYER:
            services.persona_update(
                actor=actor,
                persona=persona,
                urgent_problems=persona.urgent_problems + " Board asked for a plan after the last outage.",
            )
        services.persona_update(
            actor=actor, persona=persona, summary=persona.summary.replace("Buys", "Usually buys")
        )
