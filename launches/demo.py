"""Demo data of launches for ``seed_demo``: each team's templates (one per tier, from the articles) and,
for the first team, two launches: one on track, one whose product management items are late (the
silo effect: the knowledge transfer has not happened two weeks before release).
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from pmm_portal.core.dates import add_business_days
from pmm_portal.core.demo import DemoOrg
from pmm_portal.core.models import Product, Role, User

from . import services
from .models import ItemStatus, Launch, LaunchItem, LaunchTier

# Status of some items of each demo launch, by title.
ON_TRACK = {"Regular cadence of updates (PMO)": ItemStatus.IN_PROGRESS}
LATE_PM = {
    "Regular cadence of updates (PMO)": ItemStatus.DONE,
    "Booking goals and expectations": ItemStatus.NOT_STARTED,
    "Knowledge transfer before launch": ItemStatus.IN_PROGRESS,
    "Marketing programs and plans": ItemStatus.DONE,
    "Datasheet": ItemStatus.BLOCKED,
}
NOTES = {
    "Knowledge transfer before launch": "Demo and FAQ session postponed twice; the PMM needs the final pricing.",
    "Datasheet": "Waiting for the final spec sheet from product management.",
}


PLANNED_DAYS_AGO = 45


@transaction.atomic
def seed(org: DemoOrg) -> None:
    """Add this app's demo data to ``org``; idempotent (a team with launches is left alone)."""
    for team in org.teams:
        services.templates_of(team)
    if not org.teams or Launch.objects.filter(product__team=org.teams[0]).exists():
        return
    team = org.teams[0]
    products = list(team.products.order_by("pk"))
    pmm = team.members.filter(role=Role.PMM).order_by("pk").first()
    if not products or pmm is None:
        return
    today = timezone.localdate()
    _launch(
        pmm,
        products[0],
        f"{products[0].name} 5.0",
        add_business_days(today, 60),
        LaunchTier.MAJOR,
        ON_TRACK,
        "A major release: the new reporting suite and single sign-on for every plan.",
    )
    _launch(
        pmm,
        products[-1],
        f"{products[-1].name} spring release",
        add_business_days(today, 10),
        LaunchTier.STANDARD,
        LATE_PM,
        "Usage-based pricing and the partner portal.",
    )


def _launch(
    pmm: User,
    product: Product,
    name: str,
    launch_on: date,
    tier: int,
    statuses: dict[str, ItemStatus],
    summary: str,
) -> None:
    launch = services.launch_create(
        actor=pmm, product=product, name=name, launch_on=launch_on, tier=tier, summary=summary
    )
    # Planned weeks ago, as a real launch is: last month's report shows it as it stood then.
    planned = timezone.now() - timedelta(days=PLANNED_DAYS_AGO)
    Launch.objects.filter(pk=launch.pk).update(created_at=planned)
    Launch.history.filter(id=launch.pk, history_type="+").update(history_date=planned)
    LaunchItem.objects.filter(launch=launch).update(created_at=planned)
    LaunchItem.history.filter(launch_id=launch.pk, history_type="+").update(history_date=planned)
    for item in LaunchItem.objects.filter(launch=launch, title__in=list(statuses)):
        services.item_update(
            actor=pmm, item=item, status=statuses[item.title], note=NOTES.get(item.title, "")
        )
