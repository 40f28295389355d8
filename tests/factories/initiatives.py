"""Factories of the initiatives app."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from initiatives.models import FocusSlot, Initiative, Learning, Milestone, MonthlyReview, Win
from tests.factories.core import TeamFactory, UserFactory
from timesheets.models import TimeEntry

__all__ = [
    "FocusSlotFactory",
    "InitiativeFactory",
    "LearningFactory",
    "MilestoneFactory",
    "MonthlyReviewFactory",
    "TimeEntryFactory",
    "WinFactory",
]


class InitiativeFactory(DjangoModelFactory[Initiative]):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory, role="pmm")
    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Initiative {n}")
    goal = "Sales can handle the top five objections without calling us."
    expected_impact = "Higher win rate against the incumbent."
    start_date = datetime.date(2026, 1, 1)
    target_date = datetime.date(2027, 6, 30)
    planned_hours_per_week = Decimal("8")


class MilestoneFactory(DjangoModelFactory[Milestone]):
    class Meta:
        model = Milestone

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = datetime.date(2026, 12, 15)


class FocusSlotFactory(DjangoModelFactory[FocusSlot]):
    class Meta:
        model = FocusSlot

    initiative = factory.SubFactory(InitiativeFactory)
    owner = factory.LazyAttribute(lambda slot: slot.initiative.owner)
    month = datetime.date(2026, 11, 1)
    rank = 1


class TimeEntryFactory(DjangoModelFactory[TimeEntry]):
    class Meta:
        model = TimeEntry

    user = factory.SubFactory(UserFactory, role="pmm")
    week_start = datetime.date(2026, 11, 16)
    category = "other"
    hours = Decimal("4")


class MonthlyReviewFactory(DjangoModelFactory[MonthlyReview]):
    class Meta:
        model = MonthlyReview

    owner = factory.SubFactory(UserFactory, role="pmm")
    team = factory.SubFactory(TeamFactory)
    month = datetime.date(2026, 10, 1)


class WinFactory(DjangoModelFactory[Win]):
    class Meta:
        model = Win

    title = factory.Sequence(lambda n: f"Win {n}")
    impact = "Closed a six-figure deal against the incumbent."
    date = datetime.date(2026, 11, 10)
    team = factory.SubFactory(TeamFactory)
    owner = factory.SubFactory(UserFactory, role="pmm")


class LearningFactory(DjangoModelFactory[Learning]):
    class Meta:
        model = Learning

    title = factory.Sequence(lambda n: f"Experiment {n}")
    date = datetime.date(2026, 11, 10)
    team = factory.SubFactory(TeamFactory)
    owner = factory.SubFactory(UserFactory, role="pmm")
    hypothesis = "Reps use a battlecard that opens with the objection."
    tried = "Two versions for four weeks."
    measure = "Views per opportunity"
    result = "confirmed"
    result_notes = "Three times as many views."
    lesson = "Open with the objection."
