"""Factories for every model the tests build. One place, shared by all apps' tests."""

import factory
from factory.django import DjangoModelFactory

from pmm_portal.core.models import Product, Role, Team, User

__all__ = ["TEST_PASSWORD", "ProductFactory", "TeamFactory", "UserFactory"]

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.SALES
    password = factory.django.Password(TEST_PASSWORD)


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    time_zone = "Europe/Paris"


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    team = factory.SubFactory(TeamFactory)
