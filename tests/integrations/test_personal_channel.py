"""A person's own Slack or Teams address (issue 16): the notices they chose to get in chat are posted
there, against a real HTTP receiver on 127.0.0.1, through the integrations delivery log (once per
notice, however often the task runs), and not mailed. Only they see and change their address."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from integrations import events, permissions, services
from integrations.models import Delivery, DeliveryStatus, Endpoint, EndpointKind, Event
from requests_queue import services as request_services
from requests_queue import tasks as request_tasks
from requests_queue.models import EventKind, NotificationPreference, NotifyChannel, NotifyTopic, RequestEvent
from tests.factories import RequestFactory

PREFERENCES = reverse("inbox:preferences")
PERSONAL = reverse("integrations:personal")


@pytest.fixture
def rep_request(sales_rep, product, pmm):
    return RequestFactory(requester=sales_rep, product=product, team=product.team, assignee=pmm)


@pytest.fixture
def rep_chat(sales_rep, receiver):
    return services.personal_channel_save(
        user=sales_rep, kind=EndpointKind.SLACK, url=f"{receiver.url}/services/T000/B000/rep"
    )


def _preferences(**channels: str) -> dict[str, str]:
    """The preferences form's body: every topic email, but those given, at 08:00."""
    return {
        "hour": "8",
        "time_zone": "",
        **{f"topic_{t}": channels.get(t, NotifyChannel.EMAIL) for t in NotifyTopic.values},
    }


def test_a_comment_reaches_the_requester_in_slack_and_not_by_email(
    client, rep_chat, receiver, sales_rep, pmm, rep_request, django_capture_on_commit_callbacks
):
    client.force_login(sales_rep)
    response = client.post(PREFERENCES, _preferences(comments=NotifyChannel.CHAT))
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=sales_rep, topic=NotifyTopic.COMMENTS).channel == "chat"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_comment(request=rep_request, actor=pmm, body="Which competitor exactly?")

    [post] = receiver.posts()
    assert post.path == "/services/T000/B000/rep"
    body = post.json  # Slack's incoming-webhook shape: a fallback text and blocks
    url = f"/requests/{rep_request.pk}/"
    assert url in body["text"]
    assert "commented on" in body["text"]
    assert body["blocks"][0]["type"] == "section"
    assert "Which competitor exactly?" in body["blocks"][0]["text"]["text"]
    assert url in body["blocks"][0]["text"]["text"]
    assert "x-pmm-signature" not in post.headers
    assert [m for m in mail.outbox if sales_rep.email in m.to] == []
    delivery = Delivery.objects.get(endpoint=rep_chat)
    assert (delivery.event, delivery.status) == (Event.NOTIFICATION, DeliveryStatus.SUCCEEDED)

    # The owner sees it in their log on the preferences page.
    page = client.get(PREFERENCES).content.decode()
    assert "Personal notification" in page
    assert "Delivered" in page


def test_a_duplicate_task_run_posts_once(
    rep_chat, receiver, sales_rep, pmm, rep_request, django_capture_on_commit_callbacks
):
    request_services.preferences_save(user=sales_rep, channels={NotifyTopic.COMMENTS: "chat"}, hour=8)
    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_comment(request=rep_request, actor=pmm, body="Done soon.")
    event = RequestEvent.objects.get(request=rep_request, kind=EventKind.COMMENTED)
    with django_capture_on_commit_callbacks(execute=True):
        request_tasks.notify_event(event.pk)
        request_tasks.notify_event(event.pk)
    assert len(receiver.posts()) == 1
    assert Delivery.objects.filter(endpoint=rep_chat).count() == 1


def test_teams_gets_a_message_card(receiver, sales_rep, pmm, rep_request):
    endpoint = services.personal_channel_save(
        user=sales_rep, kind=EndpointKind.TEAMS, url=f"{receiver.url}/workflows/rep"
    )
    request_services.preferences_save(user=sales_rep, channels={NotifyTopic.COMMENTS: "chat"}, hour=8)
    request_services.request_comment(request=rep_request, actor=pmm, body="Hello")
    request_tasks.notify_event(RequestEvent.objects.get(request=rep_request, kind=EventKind.COMMENTED).pk)
    [delivery] = Delivery.objects.filter(endpoint=endpoint)
    assert delivery.body["@type"] == "MessageCard"
    assert services.delivery_attempt(delivery_uuid=str(delivery.uuid)) == services.SENT
    assert (
        receiver.posts()[0]
        .json["potentialAction"][0]["targets"][0]["uri"]
        .endswith(f"/requests/{rep_request.pk}/")
    )


def test_choosing_chat_without_an_address_is_a_form_error(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(PREFERENCES, _preferences(comments=NotifyChannel.CHAT))
    assert response.status_code == 400
    assert "Add your Slack or Teams address first" in response.content.decode()
    assert response.context["form"].errors["topic_comments"]
    assert not NotificationPreference.objects.filter(user=sales_rep).exists()


def test_the_preferences_page_shows_the_section_and_the_chat_choice(client, pmm):
    client.force_login(pmm)
    page = client.get(PREFERENCES).content.decode()
    assert 'id="chat"' in page
    assert "Slack or Teams" in page
    assert f'action="{PERSONAL}"' in page
    assert 'value="chat"' in page


def test_save_test_and_remove_from_the_page(client, sales_rep, receiver, django_capture_on_commit_callbacks):
    client.force_login(sales_rep)
    url = f"{receiver.url}/services/T1/B1/x"
    response = client.post(PERSONAL, {"action": "save", "kind": "slack", "url": url})
    assert response.status_code == 302
    endpoint = Endpoint.objects.get(owner=sales_rep, personal=True)
    assert (endpoint.kind, endpoint.url, endpoint.team) == ("slack", url, None)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(PERSONAL, {"action": "test"}).status_code == 302
    [post] = receiver.posts()
    assert "Test from PMM Portal" in post.json["text"]

    request_services.preferences_save(user=sales_rep, channels={NotifyTopic.COMMENTS: "chat"}, hour=8)
    assert client.post(PERSONAL, {"action": "remove"}).status_code == 302
    assert not Endpoint.objects.filter(owner=sales_rep).exists()
    # Nothing would reach them in chat any more: that news goes by email again.
    assert NotificationPreference.objects.get(user=sales_rep, topic=NotifyTopic.COMMENTS).channel == "email"


@pytest.mark.parametrize(
    ("kind", "url", "field"),
    [
        ("slack", "ftp://hooks.slack.com/x", "url"),
        ("slack", "javascript:alert(1)", "url"),
        ("webhook", "https://hooks.slack.com/x", "kind"),
    ],
)
def test_a_bad_address_is_refused_clearly(client, sales_rep, kind, url, field):
    client.force_login(sales_rep)
    response = client.post(PERSONAL, {"action": "save", "kind": kind, "url": url})
    assert response.status_code == 400
    assert response.context["chat_form"].errors[field]
    assert not Endpoint.objects.filter(owner=sales_rep).exists()


def test_a_person_sees_and_changes_only_their_own_address(client, rep_chat, sales_rep, pmm, admin_user, cmo):
    client.force_login(pmm)
    page = client.get(PERSONAL).content.decode()
    assert rep_chat.url not in page
    client.post(PERSONAL, {"action": "save", "kind": "teams", "url": "https://example.com/pmm"})
    client.post(PERSONAL, {"action": "remove"})
    rep_chat.refresh_from_db()
    assert rep_chat.url.endswith("/rep")
    assert rep_chat.owner == sales_rep
    # Not on the integrations pages or in their delivery log, not even for an administrator.
    for manager in (admin_user, cmo):
        assert not permissions.endpoints_visible_to(manager).filter(pk=rep_chat.pk).exists()
        client.force_login(manager)
        assert client.get(reverse("integrations:detail", args=[rep_chat.pk])).status_code == 404
    assert not permissions.deliveries_visible_to(admin_user).filter(endpoint=rep_chat).exists()


def test_a_failing_address_pauses_and_its_owner_is_mailed(rep_chat, receiver, sales_rep, pmm, rep_request):
    receiver.fail_next = 10_000
    request_services.preferences_save(user=sales_rep, channels={NotifyTopic.COMMENTS: "chat"}, hour=8)
    for n in range(services.PAUSE_AFTER):
        request_services.request_comment(request=rep_request, actor=pmm, body=f"Note {n}")
    event_ids = RequestEvent.objects.filter(request=rep_request, kind=EventKind.COMMENTED).values_list(
        "pk", flat=True
    )
    for event_id in event_ids:
        request_tasks.notify_event(event_id)
        events.request_notifications_publish(event_id=event_id)  # a second run adds nothing
    mail.outbox.clear()
    for delivery in Delivery.objects.filter(endpoint=rep_chat).order_by("pk"):
        now = delivery.next_attempt_at
        while True:
            outcome = services.delivery_attempt(delivery_uuid=str(delivery.uuid), now=now)
            if outcome != services.RETRY:
                break
            delivery.refresh_from_db()
            now = delivery.next_attempt_at + dt.timedelta(seconds=1)
    assert Delivery.objects.filter(endpoint=rep_chat).count() == services.PAUSE_AFTER
    rep_chat.refresh_from_db()
    assert rep_chat.paused_at is not None
    [message] = mail.outbox
    assert message.to == [sales_rep.email]
    assert "Your Slack was paused" in message.subject
    assert PERSONAL in message.body


def test_asset_review_reminders_are_not_offered_in_chat(client, rep_chat, sales_rep):
    """They are mailed weekly by their own task, which posts nowhere else: not offered, and refused."""
    from django.core.exceptions import ValidationError

    client.force_login(sales_rep)
    form = client.get(PREFERENCES).context["form"]
    assert NotifyChannel.CHAT not in dict(form.fields[f"topic_{NotifyTopic.ASSET_REVIEWS}"].choices)
    assert NotifyChannel.CHAT in dict(form.fields[f"topic_{NotifyTopic.COMMENTS}"].choices)
    # The radios stand under their columns: chat is the last column, the one asset reviews leave empty.
    columns = [NotifyChannel.EMAIL, NotifyChannel.DIGEST, NotifyChannel.APP, NotifyChannel.CHAT]
    assert [v for v, _ in form.fields[f"topic_{NotifyTopic.COMMENTS}"].choices] == columns
    assert [v for v, _ in form.fields[f"topic_{NotifyTopic.ASSET_REVIEWS}"].choices] == columns[:3]
    page = client.get(PREFERENCES).content.decode()
    assert page.index(">In the app only</th>") < page.index(">Slack or Teams</th>")
    with pytest.raises(ValidationError):
        request_services.preferences_save(
            user=sales_rep, channels={NotifyTopic.ASSET_REVIEWS: NotifyChannel.CHAT}, hour=8
        )
