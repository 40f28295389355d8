"""``seed_demo``: the demo organisation, its safety switch and its scale."""

import pytest
from django.core.management import CommandError, call_command

from pmm_portal.core.models import Product, Role, Team, User


def test_refuses_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_creates_the_named_users_with_the_demo_password(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    for username, role in [("cmo", Role.CMO), ("pmm", Role.PMM), ("pm", Role.PM), ("sales", Role.SALES)]:
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password("demo")
    # Two teams, both led by cmo, so the CMO's "all my teams" adds something up.
    assert Team.objects.count() == 2
    assert set(Team.objects.values_list("lead__username", flat=True)) == {"cmo"}
    team = Team.objects.get(slug="core-platform")
    assert set(team.members.values_list("username", flat=True)) >= {"pmm", "pm"}
    assert Product.objects.filter(team=team, managers__username="pm").exists()
    assert User.objects.get(username="admin").is_superuser


def test_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (User.objects.count(), Team.objects.count(), Product.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Team.objects.count(), Product.objects.count()) == counts


def test_password_option_and_force(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force", "--password", "s3cret-demo")
    assert User.objects.get(username="pmm").check_password("s3cret-demo")


def test_scale_grows_the_organisation(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "20")
    assert Team.objects.count() == 2
    assert User.objects.filter(role=Role.PMM).count() == 10
    assert all(team.members.filter(role=Role.PMM).exists() for team in Team.objects.all())


def test_the_demo_holds_a_year_of_monthly_reports(db, settings):
    """The CMO home never says "No report yet": each team has its past eleven months (the demo's
    year of plans, this month included), not mailed."""
    from django.core import mail

    from reporting.models import MonthlyReport, ReportStatus

    settings.DEBUG = True
    call_command("seed_demo")
    reports = MonthlyReport.objects.all()
    assert reports.count() == 2 * 11
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.READY}
    assert all(report.version == 1 and report.mailed_version == 1 for report in reports)
    assert not mail.outbox
    last = reports.filter(team__slug="core-platform").order_by("-month").first()
    assert last is not None
    assert last.data["figures"]["total_hours"] > 0

    call_command("seed_demo")
    assert MonthlyReport.objects.count() == 2 * 11
