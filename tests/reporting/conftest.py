"""A hand-built October 2026 for the reporting tests; every expected figure is worked out in the tests.

Team "Core Platform" (Europe/Paris, band 10–15 %) has two PMMs: ``pmm`` and ``pmm2``.
``other_pmm`` on another team logs time and gets requests that must never count.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from initiatives.models import FocusSlot, Initiative, InitiativeStatus, Win
from personas.models import CustomerInteraction, Persona
from pmm_portal.core.models import Role
from requests_queue.models import (
    Asset,
    FollowVia,
    Request,
    RequestFollower,
    RequestStatus,
    RequestType,
)
from tests.factories import AssetFactory, RequestFactory, UserFactory
from timesheets.models import TimeCategory, TimeEntry

PARIS = ZoneInfo("Europe/Paris")
OCTOBER = dt.date(2026, 10, 1)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=PARIS)


@pytest.fixture
def pmm2(team):
    user = UserFactory(username="pmm2", first_name="Zoe", last_name="Zhang", role=Role.PMM)
    team.members.add(user)
    return user


def _initiative(owner, team, title, status):
    return Initiative.objects.create(
        owner=owner,
        team=team,
        title=title,
        goal=f"{title} goal",
        start_date=dt.date(2026, 9, 1),
        target_date=dt.date(2026, 12, 31),
        status=status,
    )


def _time(user, monday, category, hours, initiative=None):
    return TimeEntry.objects.create(
        user=user, week_start=monday, category=category, hours=Decimal(hours), initiative=initiative
    )


def _request(team, product, requester, *, created, **fields):
    request = Request.objects.create(
        team=team,
        product=product,
        requester=requester,
        type=fields.pop("type", RequestType.SLIDES),
        title=fields.pop("title", "A request"),
        needed_by=dt.date(2026, 12, 1),
        **fields,
    )
    Request.objects.filter(pk=request.pk).update(created_at=created)
    return request


def self_served(product, requester, *, created, asset=None):
    """A need the rep answered from the library at submission: recorded as reused, never queued."""
    request = RequestFactory(
        product=product,
        requester=requester,
        status=RequestStatus.REUSED,
        reused_asset=asset or AssetFactory(team=product.team),
        self_served=True,
    )
    Request.objects.filter(pk=request.pk).update(created_at=created, closed_at=created)
    return request


def me_too(request, user, *, created, via=FollowVia.ME_TOO):
    """``user`` joins ``request`` ("me too", or as the requester of a duplicate) at ``created``."""
    follow = RequestFollower.objects.create(request=request, user=user, via=via)
    RequestFollower.objects.filter(pk=follow.pk).update(created_at=created)
    return follow


@pytest.fixture
def october(team, product, other_team, other_product, pmm, pmm2, other_pmm, sales_rep):
    """The dataset. Expected figures are computed by hand in the tests that use it."""
    a = _initiative(pmm, team, "Launch battlecards", InitiativeStatus.ON_TRACK)
    b = _initiative(pmm, team, "Refresh pricing page", InitiativeStatus.AT_RISK)
    c = _initiative(pmm, team, "Win-loss programme", InitiativeStatus.DONE)
    d = _initiative(pmm, team, "Partner kit (backlog)", InitiativeStatus.ON_TRACK)
    e = _initiative(pmm2, team, "Analyst briefing", InitiativeStatus.OFF_TRACK)
    for rank, initiative in enumerate([a, b, c], start=1):
        FocusSlot.objects.create(owner=pmm, month=OCTOBER, rank=rank, initiative=initiative)
    FocusSlot.objects.create(owner=pmm2, month=OCTOBER, rank=1, initiative=e)

    oct5, oct12, oct19, sep21 = (
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 19),
        dt.date(2026, 9, 21),
    )
    _time(pmm, oct5, TimeCategory.INITIATIVE, 10, a)
    _time(pmm, oct5, TimeCategory.INITIATIVE, 6, b)
    _time(pmm, oct5, TimeCategory.REQUEST, 4)
    _time(pmm, oct5, TimeCategory.CUSTOMER, 2)
    _time(pmm, oct5, TimeCategory.MEETINGS, 3)
    _time(pmm, oct12, TimeCategory.INITIATIVE, 8, a)
    _time(pmm, oct12, TimeCategory.INITIATIVE, 5, d)
    _time(pmm, oct12, TimeCategory.REQUEST, 2)
    _time(pmm, oct12, TimeCategory.OTHER, 5)
    _time(pmm, sep21, TimeCategory.INITIATIVE, 20, a)  # a September week: not October
    _time(pmm2, oct19, TimeCategory.INITIATIVE, 10, e)
    _time(pmm2, oct19, TimeCategory.REQUEST, 10)
    _time(other_pmm, oct5, TimeCategory.REQUEST, 30)  # another team

    asset = Asset.objects.create(
        title="Competitor X battlecard",
        link="https://intranet.example.com/battlecards/x",
        owner=pmm,
        team=team,
        review_by=dt.date(2027, 3, 1),
    )
    r1 = _request(
        team,
        product,
        sales_rep,
        created=at(10, 1),
        assignee=pmm,
        status=RequestStatus.DELIVERED,
        delivered_at=at(10, 5),
        due_date=dt.date(2026, 10, 6),
        triaged_at=at(10, 2),
        reusability=4,
        educational_value=2,
        hours_logged=Decimal(3),
    )
    r2 = _request(
        team,
        product,
        sales_rep,
        created=at(10, 10),
        assignee=pmm,
        status=RequestStatus.DELIVERED,
        delivered_at=at(10, 20),
        due_date=dt.date(2026, 10, 15),
        triaged_at=at(10, 11),
        reusability=2,
        educational_value=4,
    )
    _request(
        team,
        product,
        sales_rep,
        created=at(9, 25),
        assignee=pmm2,
        status=RequestStatus.DELIVERED,
        delivered_at=at(10, 3),
        due_date=dt.date(2026, 10, 10),
        triaged_at=at(9, 26),
        reusability=5,
        educational_value=5,
    )
    _request(
        team,
        product,
        sales_rep,
        created=at(10, 12),
        status=RequestStatus.REUSED,
        reused_asset=asset,
        closed_at=at(10, 12, 11),
    )
    _request(
        team,
        product,
        sales_rep,
        created=at(10, 14),
        assignee=pmm2,
        status=RequestStatus.DECLINED,
        decline_alternative="Use the public datasheet",
        closed_at=at(10, 15),
        triaged_at=at(10, 15),
        reusability=1,
        educational_value=1,
        type=RequestType.DATASHEET,
    )
    _request(team, product, sales_rep, created=at(11, 2))  # November
    _request(other_team, other_product, sales_rep, created=at(10, 5))  # another team

    CustomerInteraction.objects.create(
        occurred_on=dt.date(2026, 10, 7),
        kind="sales_call",
        account="Acme",
        owner=pmm,
        team=team,
        duration_minutes=60,
    )
    CustomerInteraction.objects.create(
        occurred_on=dt.date(2026, 10, 21),
        kind="interview",
        account="Globex",
        owner=pmm,
        team=team,
        duration_minutes=30,
    )
    CustomerInteraction.objects.create(
        occurred_on=dt.date(2026, 9, 30),
        kind="interview",
        account="Initech",
        owner=pmm2,
        team=team,
        duration_minutes=45,
    )
    Win.objects.create(
        title="Acme renewal",
        impact="Renewed with battlecard",
        date=dt.date(2026, 10, 9),
        team=team,
        owner=pmm,
        initiative=a,
    )
    Win.objects.create(
        title="Analyst mention", impact="Named in a report", date=dt.date(2026, 10, 30), team=team, owner=pmm2
    )
    Win.objects.create(title="November win", impact="Later", date=dt.date(2026, 11, 1), team=team, owner=pmm)

    now = timezone.now()
    Persona.objects.create(
        name="Fresh CIO", kind="buyer", team=team, owner=pmm, status="validated", last_validated_at=now
    )
    stale = Persona.objects.create(name="Old CFO", kind="buyer", team=team, owner=pmm)
    retired = Persona.objects.create(
        name="Retired admin", kind="buyer", team=team, owner=pmm, status="retired"
    )
    # Created long before October: already stale when October ended (and still today).
    Persona.objects.filter(pk__in=[stale.pk, retired.pk]).update(created_at=now - dt.timedelta(days=400))
    return {"r1": r1, "r2": r2, "initiatives": (a, b, c, d, e)}
