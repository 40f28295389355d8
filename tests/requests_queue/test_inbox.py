"""Every role's inbox: the bell's count, the notifications page with its filters, reading, and @mentions."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from requests_queue import services
from requests_queue.models import EventKind, Notification, RequestEvent, RequestStatus
from tests.factories import UserFactory

S = RequestStatus


def notify(request, user, text, *, kind=EventKind.STATUS_CHANGED, mentioned=False, message=""):
    event = RequestEvent.objects.create(request=request, kind=kind, actor=None, message=message, notify=False)
    return Notification.objects.create(
        recipient=user, event=event, request=request, text=text, mentioned=mentioned
    )


@pytest.fixture
def inbox_of_sales(make_request, sales_rep, pmm):
    first = make_request(S.NEW, title="Northwind battlecard")
    second = make_request(S.IN_PROGRESS, title="Security questionnaire for Acme")
    notes = {
        "status": notify(first, sales_rep, "“Northwind battlecard” is now triaged"),
        "comment": notify(
            second,
            sales_rep,
            "Priya commented on “Security questionnaire for Acme”",
            kind=EventKind.COMMENTED,
            message="Which version of the questionnaire?",
        ),
        "mention": notify(
            second,
            sales_rep,
            "Priya mentioned you on “Security questionnaire for Acme”",
            kind=EventKind.COMMENTED,
            mentioned=True,
            message="@sales can you confirm?",
        ),
    }
    notes["status"].read_at = timezone.now()
    notes["status"].save()
    notify(first, pmm, "Someone else's notice")  # never in the rep's inbox
    return notes


def texts(response):
    return [note.text for note in response.context["object_list"]]


def test_the_inbox_lists_ones_own_notifications_newest_first(client, sales_rep, inbox_of_sales):
    client.force_login(sales_rep)
    response = client.get(reverse("inbox:index"))
    assert response.status_code == 200
    assert texts(response) == [
        "Priya mentioned you on “Security questionnaire for Acme”",
        "Priya commented on “Security questionnaire for Acme”",
        "“Northwind battlecard” is now triaged",
    ]
    page = response.content.decode()
    assert "2 unread." in page
    assert "Someone else&#x27;s notice" not in page
    assert "Someone else's notice" not in page
    assert "Which version of the questionnaire?" in page  # a comment shows what was said
    assert page.count('id="inbox-unread"') == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?state=unread", {"mention", "comment"}),
        ("?state=read", {"status"}),
        ("?kind=mention", {"mention"}),
        ("?kind=comment", {"comment"}),
        ("?kind=status", {"status"}),
        ("?q=northwind", {"status"}),
        ("?q=questionnaire&state=unread", {"mention", "comment"}),
        ("?sort=oldest&kind=comment", {"comment"}),
    ],
)
def test_the_inbox_filters(client, sales_rep, inbox_of_sales, query, expected):
    client.force_login(sales_rep)
    response = client.get(reverse("inbox:index") + query)
    assert set(texts(response)) == {inbox_of_sales[key].text for key in expected}


def test_a_request_number_finds_its_notifications(client, sales_rep, inbox_of_sales):
    client.force_login(sales_rep)
    number = inbox_of_sales["status"].request_id
    assert texts(client.get(reverse("inbox:index") + f"?q=%23{number}")) == [inbox_of_sales["status"].text]


def test_an_empty_inbox_says_what_will_arrive(client, cmo):
    client.force_login(cmo)
    page = client.get(reverse("inbox:index")).content.decode()
    assert "Nothing here yet" in page
    assert "@your-username" in page


def test_opening_a_notification_reads_it_and_goes_to_the_conversation(client, sales_rep, inbox_of_sales):
    note = inbox_of_sales["comment"]
    client.force_login(sales_rep)
    response = client.get(reverse("inbox:open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{note.request_id}/#conversation"
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_opens_or_reads_someone_elses_notification(client, pmm, inbox_of_sales):
    note = inbox_of_sales["mention"]
    client.force_login(pmm)
    assert client.get(reverse("inbox:open", args=[note.pk])).status_code == 404
    client.post(reverse("inbox:read"), {"ids": [note.pk]})
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_one_read_in_place_and_the_bell_is_told(client, sales_rep, inbox_of_sales):
    note = inbox_of_sales["mention"]
    client.force_login(sales_rep)
    response = client.post(reverse("inbox:read"), {"ids": [note.pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    row = response.content.decode()
    assert f'id="note-{note.pk}"' in row
    assert "rq-unread" not in row
    assert "Mark read" not in row
    assert '<strong id="inbox-unread" hx-swap-oob="true">1 unread.</strong>' in row  # the page's count too
    assert Notification.objects.filter(recipient=sales_rep, read_at__isnull=True).count() == 1


def test_mark_all_read_returns_to_the_inbox_never_elsewhere(client, sales_rep, inbox_of_sales):
    client.force_login(sales_rep)
    response = client.post(reverse("inbox:read"), {"next": "https://evil.example.com/phish"})
    assert response["Location"] == reverse("inbox:index")
    assert not Notification.objects.filter(recipient=sales_rep, read_at__isnull=True).exists()
    response = client.post(reverse("inbox:read"), {"next": "/requests/mine/?page=2"})
    assert response["Location"] == "/requests/mine/?page=2"


def test_the_bell_shows_the_unread_count(client, sales_rep, inbox_of_sales, make_request):
    client.force_login(sales_rep)
    bell = client.get(reverse("inbox:bell")).content.decode()
    assert 'aria-label="Inbox, 2 unread"' in bell
    assert ">2</span>" in bell
    request = make_request(S.NEW)
    for n in range(100):
        notify(request, sales_rep, f"Notice {n}")
    assert ">99+</span>" in client.get(reverse("inbox:bell")).content.decode()
    Notification.objects.update(read_at=timezone.now())
    bell = client.get(reverse("inbox:bell")).content.decode()
    assert 'aria-label="Inbox"' in bell
    assert "badge" not in bell


def test_every_page_carries_the_bell(client, cmo, pmm, sales_rep, team):
    for user in (cmo, pmm, sales_rep):
        client.force_login(user)
        page = client.get("/").content.decode()
        assert 'id="topbar-bell"' in page
        assert reverse("inbox:bell") in page


def test_the_inbox_is_for_signed_in_people_only(client):
    response = client.get(reverse("inbox:index"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- @mentions -------------------------------------------------------------------------------


def test_a_mention_notifies_who_can_see_the_request_and_nobody_else(
    make_request, sales_rep, pmm, other_pmm, django_capture_on_commit_callbacks
):
    colleague = UserFactory(username="jane.doe", role="pmm", first_name="Jane")
    pmm.teams.first().members.add(colleague)
    outsider = UserFactory(username="rep2", role="sales")  # may not see the request
    request = make_request(S.IN_PROGRESS, assignee=pmm)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_comment(
            request=request,
            actor=pmm,
            body="@Jane.Doe could you check the pricing slide? @rep2 @other_pmm @nobody @pmm",
        )

    mention = Notification.objects.get(recipient=colleague)
    assert mention.mentioned
    assert mention.text == f"{pmm.display_name} mentioned you on “{request.title}”"
    assert not Notification.objects.filter(recipient__in=[outsider, other_pmm]).exists()
    assert not Notification.objects.filter(recipient=pmm).exists()  # one's own mention
    # The requester is told as usual, not as a mention.
    told = Notification.objects.get(recipient=sales_rep)
    assert not told.mentioned
    assert [m.to for m in mail.outbox if "mentioned you" in m.subject] == [[colleague.email]]


def test_a_mention_is_counted_once_however_often_the_task_runs(
    make_request, pmm, django_capture_on_commit_callbacks
):
    colleague = UserFactory(username="jane", role="pmm")
    pmm.teams.first().members.add(colleague)
    request = make_request(S.IN_PROGRESS, assignee=pmm)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_comment(request=request, actor=pmm, body="@jane over to you")
    event = RequestEvent.objects.get(request=request, kind=EventKind.COMMENTED)
    services.event_notify(event_id=event.pk)
    assert Notification.objects.filter(recipient=colleague).count() == 1
    assert len([m for m in mail.outbox if m.to == [colleague.email]]) == 1


def test_an_email_address_is_not_a_mention(make_request, pmm, django_capture_on_commit_callbacks):
    UserFactory(username="example", role="pmm").teams.add(pmm.teams.first())
    request = make_request(S.IN_PROGRESS, assignee=pmm)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_comment(request=request, actor=pmm, body="Write to buyer@example.com")
    assert not Notification.objects.filter(mentioned=True).exists()


def test_opening_a_notification_costs_a_fixed_number_of_queries(client, sales_rep, inbox_of_sales):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(sales_rep)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("inbox:open", args=[inbox_of_sales["comment"].pk]))
    # session, user, the notification (with request and event), mark read
    assert len(queries) == 4
