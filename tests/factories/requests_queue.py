"""Factories of the requests_queue app."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from requests_queue.models import Asset, AssetKind, Request, RequestStatus, RequestType
from tests.factories.core import ProductFactory, UserFactory

__all__ = ["AssetFactory", "RequestFactory"]


class RequestFactory(DjangoModelFactory[Request]):
    class Meta:
        model = Request
        skip_postgeneration_save = True

    requester = factory.SubFactory(UserFactory)
    product = factory.SubFactory(ProductFactory)
    team = factory.LazyAttribute(lambda r: r.product.team)
    type = RequestType.COMPETITIVE_INTEL
    title = factory.Sequence(lambda n: f"Help with deal {n}")
    details = "The customer asked how we compare."
    needed_by = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))
    status = RequestStatus.NEW


class AssetFactory(DjangoModelFactory[Asset]):
    class Meta:
        model = Asset
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Asset {n}")
    kind = AssetKind.BATTLECARD
    description = "A reusable answer."
    link = factory.Sequence(lambda n: f"https://drive.example.com/asset-{n}")
    owner = factory.SubFactory(UserFactory, role="pmm")
    team = factory.SubFactory("tests.factories.core.TeamFactory")
    review_by = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=120))

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)
