"""Launches: due dates counted back in business days, templates, quick status changes, reminders once
per period, and who sees what (sales: enablement items only; other teams: nothing)."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from launches import selectors, services
from launches.models import ItemStatus, LaunchItem, LaunchReminder, LaunchTier, ReminderKind, Side, due_from
from pmm_portal.core.models import Role
from tests.factories import TeamFactory, UserFactory

from .conftest import LAUNCH_DAY


def test_due_from_counts_business_days_back_and_forward():
    friday = dt.date(2026, 12, 18)
    assert due_from(friday, 0) == friday
    assert due_from(friday, 1) == dt.date(2026, 12, 17)
    assert due_from(friday, 5) == dt.date(2026, 12, 11)  # a week of business days: the Friday before
    assert due_from(friday, 7) == dt.date(2026, 12, 9)  # skips the weekend
    assert due_from(dt.date(2026, 12, 21), 1) == dt.date(2026, 12, 18)  # Monday: back to Friday
    assert due_from(friday, -1) == dt.date(2026, 12, 21)  # after launch: the next Monday


def test_a_template_creates_the_checklist_with_due_dates_and_owners_by_side(launch, pm, pmm):
    items = {i.title: i for i in launch.items.all()}
    knowledge = items["Knowledge transfer before launch"]
    assert knowledge.side == Side.PM_OWES_PMM
    assert knowledge.owner == pm
    assert knowledge.offset_days == 20
    assert knowledge.due_on == due_from(LAUNCH_DAY, 20)
    assert items["Datasheet"].owner == pmm
    assert items["Datasheet"].for_sales
    assert items["Marketing programs and plans"].side == Side.PMM_OWES_PM
    assert set(launch.owners.all()) == {pm, pmm}


def test_moving_the_launch_moves_counted_due_dates_but_not_those_set_by_hand(launch, pmm):
    datasheet = launch.items.get(title="Datasheet")
    pinned = launch.items.get(title="Web content")
    services.item_update(actor=pmm, item=pinned, due_on=dt.date(2026, 12, 1))
    later = dt.date(2027, 1, 15)
    services.launch_update(actor=pmm, launch=launch, launch_on=later)
    datasheet.refresh_from_db()
    pinned.refresh_from_db()
    assert datasheet.due_on == due_from(later, datasheet.offset_days) == dt.date(2027, 1, 1)
    assert pinned.due_on == dt.date(2026, 12, 1)
    assert pinned.due_by_hand
    services.item_update(actor=pmm, item=pinned, due_on=None)  # counted from the launch again
    pinned.refresh_from_db()
    assert pinned.due_on == due_from(later, pinned.offset_days)
    assert not pinned.due_by_hand


def test_readiness_late_at_risk_ready():
    today = dt.date(2026, 12, 7)
    f = selectors.Fact
    assert (
        selectors.figures_of([f("team", "not_started", dt.date(2026, 12, 4))], today=today).readiness
        == "late"
    )
    assert (
        selectors.figures_of([f("team", "blocked", dt.date(2026, 12, 20))], today=today).readiness
        == "at_risk"
    )
    assert (
        selectors.figures_of([f("team", "not_started", dt.date(2026, 12, 9))], today=today).readiness
        == "at_risk"
    )
    assert selectors.figures_of([f("team", "done", dt.date(2026, 12, 1))], today=today).readiness == "ready"
    assert selectors.figures_of([f("team", "in_progress", today)], today=today).readiness == "on_track"
    figures = selectors.figures_of(
        [
            f("pm_owes_pmm", "not_started", dt.date(2026, 12, 1)),
            f("team", "not_needed", dt.date(2026, 12, 1)),
        ],
        today=today,
    )
    assert figures.total.items == 1
    assert figures.sides["pm_owes_pmm"].late == 1


def test_a_status_change_in_one_click_and_a_stale_one_is_refused(client, pmm, pm, launch):
    item = launch.items.get(title="Datasheet")
    client.force_login(pmm)
    url = reverse("launches:item_status", args=[item.pk])
    response = client.post(url, {"status": "done", "expected": "not_started"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="launch-summary"' in response.content.decode()  # the summary, out of band
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    client.force_login(pm)  # the PM's page still showed "not started"
    response = client.post(url, {"status": "in_progress", "expected": "not_started"}, HTTP_HX_REQUEST="true")
    assert "Someone changed it meanwhile" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE


def test_sales_see_only_the_enablement_items_on_the_page_and_in_the_api(
    client, api_client, sales_rep, launch
):
    client.force_login(sales_rep)
    page = client.get(launch.get_absolute_url()).content.decode()
    assert "Datasheet" in page
    assert "Battlecard" in page
    assert "Knowledge transfer before launch" not in page
    assert "Marketing programs and plans" not in page
    api_client.force_login(sales_rep)
    titles = {
        i["title"] for i in api_client.get(f"/api/v1/launch-items/?launch={launch.pk}").json()["results"]
    }
    assert titles == set(launch.items.filter(for_sales=True).values_list("title", flat=True))
    hidden = launch.items.get(title="Knowledge transfer before launch")
    assert api_client.get(f"/api/v1/launch-items/{hidden.pk}/").status_code == 404
    assert api_client.patch(f"/api/v1/launch-items/{hidden.pk}/", {"status": "done"}).status_code == 403
    assert client.get(reverse("launches:item", args=[hidden.pk])).status_code == 403


def test_another_team_sees_nothing(client, api_client, launch):
    outsider = UserFactory(role=Role.PMM)
    TeamFactory(name="Other", slug="other").members.add(outsider)
    client.force_login(outsider)
    assert client.get(launch.get_absolute_url()).status_code == 404
    assert "Atlas 5" not in client.get(reverse("launches:index")).content.decode()
    api_client.force_login(outsider)
    assert api_client.get(f"/api/v1/launches/{launch.pk}/").status_code == 404
    item = launch.items.first()
    assert (
        api_client.patch(f"/api/v1/launch-items/{item.pk}/", {"status": "done"}, format="json").status_code
        == 404
    )


def _remind(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.reminders_record(now=now)


def test_owners_are_reminded_once_when_due_soon_once_when_late_then_weekly(
    launch, pmm, django_capture_on_commit_callbacks
):
    LaunchItem.objects.filter(launch=launch).exclude(title="Datasheet").update(status=ItemStatus.NOT_NEEDED)
    datasheet = launch.items.get(title="Datasheet")  # due Friday 4 December
    assert datasheet.due_on == dt.date(2026, 12, 4)
    at = lambda day: dt.datetime(2026, 12, day, 7, 0, tzinfo=dt.UTC)  # noqa: E731

    assert _remind(at(2), django_capture_on_commit_callbacks) == 1  # two business days before: due soon
    assert _remind(at(2), django_capture_on_commit_callbacks) == 0  # the beat runs again: nothing new
    assert _remind(at(3), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert "due soon" in mail.outbox[0].subject
    assert _remind(at(7), django_capture_on_commit_callbacks) == 1  # Monday: it became late
    assert _remind(at(8), django_capture_on_commit_callbacks) == 0
    assert _remind(at(11), django_capture_on_commit_callbacks) == 1  # a week late: the weekly one
    assert _remind(at(12), django_capture_on_commit_callbacks) == 0  # same week
    assert _remind(at(14), django_capture_on_commit_callbacks) == 1  # the next week
    kinds = list(LaunchReminder.objects.order_by("sent_at", "id").values_list("kind", "period"))
    assert kinds == [
        (ReminderKind.DUE_SOON, dt.date(2026, 12, 4)),
        (ReminderKind.LATE, dt.date(2026, 12, 4)),
        (ReminderKind.STILL_LATE, dt.date(2026, 12, 7)),
        (ReminderKind.STILL_LATE, dt.date(2026, 12, 14)),
    ]
    assert len(mail.outbox) == 4
    assert all(m.to == [pmm.email] for m in mail.outbox)
    services.item_set_status(actor=pmm, item=datasheet, status=ItemStatus.DONE)
    assert _remind(at(21), django_capture_on_commit_callbacks) == 0  # done: no more reminders


def test_a_mail_task_delivered_twice_sends_once(launch, pmm, django_capture_on_commit_callbacks):
    LaunchItem.objects.filter(launch=launch).exclude(title="Datasheet").update(status=ItemStatus.NOT_NEEDED)
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_record(now=dt.datetime(2026, 12, 2, 7, tzinfo=dt.UTC))
    assert services.reminders_mail(recipient_id=pmm.pk) == 1
    assert services.reminders_mail(recipient_id=pmm.pk) == 0
    assert len(mail.outbox) == 1


def test_the_owner_sees_their_reminders_in_the_app_until_they_open_the_launch(
    client, launch, pmm, django_capture_on_commit_callbacks
):
    _remind(dt.datetime(2026, 12, 7, 7, tzinfo=dt.UTC), django_capture_on_commit_callbacks)
    client.force_login(pmm)
    assert "Reminders for you" in client.get(reverse("launches:index")).content.decode()
    client.get(launch.get_absolute_url())
    assert "Reminders for you" not in client.get(reverse("launches:index")).content.decode()


@pytest.mark.parametrize("tier", [LaunchTier.MAJOR, LaunchTier.STANDARD, LaunchTier.MINOR])
def test_every_tier_has_a_default_template(team, tier):
    template = next(t for t in services.templates_of(team) if t.tier == tier)
    titles = set(template.items.values_list("title", flat=True))
    assert {"Knowledge transfer before launch", "Datasheet", "Sales enablement content"} <= titles
