"""Shared helpers of the requests tests: a request in any status, built the way the services leave it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from requests_queue.models import Request, RequestStatus
from tests.factories import AssetFactory, RequestFactory

S = RequestStatus


@pytest.fixture
def asset(team, pmm, product):
    return AssetFactory(
        title="Northwind battlecard",
        description="How Atlas wins against Northwind: pricing, integrations, objections.",
        team=team,
        owner=pmm,
        products=[product],
    )


@pytest.fixture
def make_request(sales_rep, product, pmm, asset):
    """``make_request(status)``: a request of ``sales_rep`` on ``product`` in that status, consistently."""

    def build(status: str = S.NEW, **overrides) -> Request:
        today = timezone.localdate()
        fields = {
            "requester": sales_rep,
            "product": product,
            "team": product.team,
            "status": status,
            "reusability": 3,
            "educational_value": 3,
            "effort_hours": Decimal(4),
        }
        if status in (S.TRIAGED, S.IN_PROGRESS, S.DELIVERED):
            fields["assignee"] = pmm
        if status == S.SNOOZED:
            fields["snoozed_until"] = today + timedelta(days=3)
        if status == S.DECLINED:
            fields["decline_alternative"] = "Use the Northwind battlecard."
        if status == S.REUSED:
            fields["reused_asset"] = asset
        if status == S.DUPLICATE:
            fields["duplicate_of"] = RequestFactory(requester=sales_rep, product=product, team=product.team)
        if status == S.DELIVERED:
            fields["delivered_at"] = timezone.now()
            fields["delivery_link"] = "https://drive.example.com/answer"
        fields.update(overrides)
        return RequestFactory(**fields)

    return build
