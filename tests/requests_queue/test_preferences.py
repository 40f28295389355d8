"""Notification preferences, the triage rota, the daily digest and one-click unsubscribe (issue 13)."""

import datetime as dt
import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from requests_queue import services
from requests_queue.models import (
    DigestDelivery,
    Notification,
    NotificationPreference,
    NotifyChannel,
    NotifyTopic,
    RequestStatus,
    TriageRota,
)
from requests_queue.workflow import RequestError

S = RequestStatus
C = NotifyChannel
T = NotifyTopic


@pytest.fixture
def submit(sales_rep, product, django_capture_on_commit_callbacks):
    def run(title="Battlecard against Northwind"):
        with django_capture_on_commit_callbacks(execute=True):
            return services.request_submit(
                requester=sales_rep,
                product=product,
                type="competitive_intel",
                title=title,
                needed_by=timezone.localdate() + timedelta(days=9),
            )

    return run


def test_a_new_request_mails_the_triager_of_the_day_and_waits_for_the_others_digest(
    submit, pmm, other_pmm, team
):
    team.members.add(other_pmm)
    today = timezone.now().astimezone(team.zone).weekday()
    TriageRota.objects.create(team=team, user=other_pmm, weekday=today)
    request = submit()
    assert [m.to for m in mail.outbox] == [[other_pmm.email]]
    assert "New request from" in mail.outbox[0].subject
    # Everyone still has it in the app; the others' copy waits for their digest.
    assert Notification.objects.get(recipient=pmm, request=request).channel == C.DIGEST
    assert Notification.objects.get(recipient=other_pmm, request=request).channel == C.EMAIL


def test_a_pmm_who_wants_new_requests_at_once_gets_them(submit, pmm):
    services.preferences_save(user=pmm, channels={T.NEW_REQUEST: C.EMAIL}, hour=8)
    submit()
    assert [m.to for m in mail.outbox] == [[pmm.email]]


def test_every_mail_has_a_one_click_unsubscribe_that_stops_that_kind_only(
    make_request, pmm, sales_rep, client, django_capture_on_commit_callbacks
):
    request = make_request(S.NEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_snooze(request=request, actor=pmm, until=timezone.localdate() + timedelta(days=3))
    message = mail.outbox[0]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    path = link.removeprefix("http://testserver").split("://", 1)[-1]
    path = path[path.index("/inbox/") :]
    page = client.get(path)  # not signed in
    assert "Stop the emails about <strong>updates on requests i asked for, follow or work on</strong>" in (
        page.content.decode()
    )
    done = client.post(path, {"List-Unsubscribe": "One-Click"})  # as a mail client does, no CSRF token
    assert done.status_code == 200
    assert NotificationPreference.objects.get(user=sales_rep, topic=T.UPDATES).channel == C.APP
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_wake_snoozed(today=timezone.localdate() + timedelta(days=3))
    assert mail.outbox == []  # an unsubscribed kind sends nothing…
    assert Notification.objects.filter(recipient=sales_rep).count() == 2  # …and still shows in the app


def test_a_tampered_unsubscribe_link_changes_nothing(client, sales_rep):
    url = services.unsubscribe_url(sales_rep, T.UPDATES)
    path = url[url.index("/inbox/") :]
    response = client.post(path[:-3] + "xx/")
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_a_mention_notifies_by_email_even_when_comments_go_to_the_digest(
    make_request, pmm, other_pmm, team, sales_rep, django_capture_on_commit_callbacks
):
    team.members.add(other_pmm)
    services.preferences_save(user=other_pmm, channels={T.COMMENTS: C.DIGEST}, hour=8)
    request = make_request(S.TRIAGED)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_comment(request=request, actor=pmm, body="@other_pmm can you check the numbers?")
    assert [m.to for m in mail.outbox if m.to == [other_pmm.email]] == [[other_pmm.email]]
    note = Notification.objects.get(recipient=other_pmm)
    assert (note.mentioned, note.channel) == (True, C.EMAIL)


def test_a_days_notices_become_one_digest_at_the_persons_hour_once(submit, pmm, team):
    services.preferences_save(user=pmm, channels={}, hour=9, time_zone="Europe/Paris")
    submit("Battlecard against Northwind")
    submit("Email template for the webinar")
    mail.outbox.clear()
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    tomorrow = timezone.now().astimezone(paris).date() + timedelta(days=1)
    at_8 = dt.datetime.combine(tomorrow, dt.time(8, 2), tzinfo=paris)
    at_9 = dt.datetime.combine(tomorrow, dt.time(9, 2), tzinfo=paris)
    assert services.digests_send(now=at_8) == 0  # not their hour yet
    assert services.digests_send(now=at_9) == 1
    assert services.digests_send(now=at_9) == 0  # once
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [pmm.email]
    assert digest.subject == "[PMM Portal] Your digest: 2 notices"
    assert "Battlecard against Northwind" in digest.body
    assert "Email template for the webinar" in digest.body
    assert "List-Unsubscribe" in digest.extra_headers
    assert DigestDelivery.objects.get(user=pmm).items == 2
    assert not Notification.objects.filter(recipient=pmm, digested_at__isnull=True).exists()


def test_nothing_waiting_means_no_digest(pmm):
    assert services.digests_send() == 0
    assert mail.outbox == []


def test_preferences_are_validated(pmm, sales_rep, team):
    with pytest.raises(RequestError) as refused:
        services.preferences_save(user=pmm, channels={T.UPDATES: "pigeon"}, hour=25, time_zone="Mars/Olympus")
    assert set(refused.value.message_dict) == {T.UPDATES, "hour", "time_zone"}
    with pytest.raises(RequestError, match="Only product marketers triage"):
        services.preferences_save(user=sales_rep, channels={}, hour=8, triage_days={team: [0]})


def test_the_preferences_page_saves_channels_digest_and_triage_days(client, pmm, team):
    client.force_login(pmm)
    page = client.get(reverse("inbox:preferences")).content.decode()
    assert "I triage new Core Platform requests on" in page
    data = {f"topic_{topic}": C.EMAIL for topic in T.values}
    data.update(
        {
            f"topic_{T.NEW_REQUEST}": C.APP,
            "hour": "7",
            "time_zone": "Europe/Berlin",
            f"triage_{team.pk}": ["0", "2"],
        }
    )
    response = client.post(reverse("inbox:preferences"), data, follow=True)
    assert "Saved: you will hear" in response.content.decode()
    assert services.preferences_of(pmm)[T.NEW_REQUEST] == C.APP
    assert services.digest_settings_of(pmm).hour == 7
    assert sorted(TriageRota.objects.filter(user=pmm).values_list("weekday", flat=True)) == [0, 2]
    assert "Priya Mehta" in client.get(reverse("inbox:preferences")).content.decode()  # in the rota
