"""Rules of the shared core that the database itself keeps."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from pmm_portal.core.models import Role, Team
from tests.factories import ProductFactory, TeamFactory, UserFactory


def test_team_defaults_match_the_product_rules(db):
    team = TeamFactory()
    assert (team.one_off_budget_min_pct, team.one_off_budget_max_pct) == (10, 15)
    assert team.persona_stale_days == 180
    assert team.one_off_band_label == "10–15 %"


def test_budget_band_must_be_ordered_in_the_database(db):
    with pytest.raises(IntegrityError):
        TeamFactory(one_off_budget_min_pct=20, one_off_budget_max_pct=15)


def test_budget_band_error_is_clear_on_forms(db):
    team = Team(name="X", slug="x", one_off_budget_min_pct=20, one_off_budget_max_pct=15)
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert "upper bound must be at least the lower bound" in str(error.value)


def test_time_zone_is_validated(db):
    team = Team(name="X", slug="x", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert "is not a time zone name" in str(error.value)


def test_staleness_must_be_positive(db):
    with pytest.raises(IntegrityError):
        TeamFactory(persona_stale_days=0)


def test_role_is_checked_by_the_database(db):
    with pytest.raises(IntegrityError):
        UserFactory(role="wizard")


def test_product_names_are_unique_within_a_team(db):
    team = TeamFactory()
    ProductFactory(team=team, name="Atlas")
    ProductFactory(name="Atlas")  # another team may reuse the name
    with pytest.raises(IntegrityError):
        ProductFactory(team=team, name="Atlas")


def test_admin_role_has_every_role(db):
    admin = UserFactory(role=Role.ADMIN)
    assert admin.has_role(Role.PMM)
    assert admin.has_role(Role.SALES)
    assert not UserFactory(role=Role.SALES).has_role(Role.PMM)
