"""“Me too” on an open request: a rep follows it with their own deal, which counts in its priority.

The cast: ``sales_rep`` (Sam Reyes) asked the request, for Globex; ``rita``, another rep, needs the
same for Initech. Sam's deal stays private from Rita, and Rita's from Sam: product marketing sees both.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from pmm_portal.core.dates import today_in
from requests_queue import services
from requests_queue.models import (
    EventKind,
    FollowVia,
    Notification,
    RequestAttachment,
    RequestFollower,
    RequestStatus,
)
from tests.factories import RequestFactory, UserFactory

S = RequestStatus


@pytest.fixture
def rita(db):
    return UserFactory(username="rita", first_name="Rita", last_name="Okafor", role="sales")


@pytest.fixture
def today(team):
    return today_in(team)


@pytest.fixture
def asked(make_request, today):
    """Sam's open request, with his deal: Globex, 30,000, in 20 days, against Northwind."""
    return make_request(
        S.NEW,
        title="Battlecard against Northwind",
        details="Globex's CFO worries about the migration cost.",
        account="Globex",
        opportunity_value=Decimal(30_000),
        needed_by=today + timedelta(days=20),
        competitor="Northwind",
        deal_stage="negotiation",
    )


def priority_of(request, *, value, needed_by, today):
    return services.compute_priority(
        reusability=request.reusability,
        educational_value=request.educational_value,
        opportunity_value=value,
        needed_by=needed_by,
        effort_hours=request.effort_hours,
        today=today,
    )


def errors(response):
    return {e["attr"]: e["detail"] for e in response.json()["errors"]}


# --- The service -----------------------------------------------------------------------------------


def test_a_rep_follows_an_open_request_with_their_deal(asked, rita, today):
    follower, created = services.request_me_too(
        request=asked,
        user=rita,
        account=" Initech ",
        opportunity_value=Decimal(40_000),
        needed_by=today + timedelta(days=12),
    )
    assert created
    assert (follower.via, follower.account, follower.opportunity_value) == (
        FollowVia.ME_TOO,
        "Initech",
        Decimal(40_000),
    )
    assert list(asked.followers.all()) == [rita]
    event = asked.events.get()
    assert event.kind == EventKind.COMMENTED
    assert event.actor == rita
    when = f"{today + timedelta(days=12):%d %b}"
    assert event.message == f"Another rep needs this too (Initech, 40,000, by {when})."


def test_saying_it_again_updates_the_deal(asked, rita, today):
    services.request_me_too(request=asked, user=rita, account="Initech")
    _, created = services.request_me_too(
        request=asked, user=rita, account="Initech", opportunity_value=Decimal(90_000)
    )
    assert not created
    assert RequestFollower.objects.get(request=asked, user=rita).opportunity_value == Decimal(90_000)
    assert "deal updated" in asked.events.order_by("-id").first().message


def test_a_rep_who_came_through_a_duplicate_keeps_that_origin(asked, rita, make_request, pmm):
    duplicate = make_request(S.NEW, requester=rita, account="Initech")
    services.request_mark_duplicate(request=duplicate, actor=pmm, original=asked)
    follower, created = services.request_me_too(request=asked, user=rita, opportunity_value=Decimal(5))
    assert not created
    assert (follower.via, follower.duplicate_id) == (FollowVia.DUPLICATE, duplicate.pk)


@pytest.mark.parametrize(
    ("who", "status", "message"),
    [
        ("pmm", S.NEW, "Only sales reps"),
        ("sales", S.NEW, "your own request"),
        ("rita", S.DELIVERED, "only an open request can be followed"),
        ("rita", S.CANCELLED, "only an open request can be followed"),
    ],
)
def test_only_sales_follow_someone_elses_open_request(cast, rita, make_request, who, status, message):
    request = make_request(status)
    user = rita if who == "rita" else cast[who]
    with pytest.raises(services.RequestError, match=message):
        services.request_me_too(request=request, user=user)
    assert not RequestFollower.objects.exists()


def test_bad_values_are_field_errors(asked, rita, today):
    with pytest.raises(services.RequestError) as raised:
        services.request_me_too(
            request=asked,
            user=rita,
            opportunity_value=Decimal(-1),
            needed_by=today - timedelta(days=1),
            account="x" * 201,
        )
    assert raised.value.message_dict == {
        "needed_by": ["The needed-by date is in the past: pick today or a later date."],
        "opportunity_value": ["The opportunity value cannot be negative."],
        "account": ["Keep the account to 200 characters at most."],
    }
    assert not RequestFollower.objects.exists()


def test_product_marketing_is_told_not_the_requester(
    asked, rita, pmm, team, django_capture_on_commit_callbacks
):
    services.preferences_save(user=pmm, channels={"new_request": "email"}, hour=8)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_me_too(request=asked, user=rita, account="Initech")
    # Nobody has it yet: the team's PMMs; never Sam, who must not learn Rita's account.
    assert [m.to for m in mail.outbox] == [[pmm.email]]
    assert "Initech" in mail.outbox[0].body
    assert Notification.objects.get().text == "Rita Okafor needs “Battlecard against Northwind” too (Initech)"


def test_once_assigned_the_assignee_is_told(
    make_request, rita, pmm, team, django_capture_on_commit_callbacks
):
    team.members.add(UserFactory(role="pmm"))  # a teammate, not told
    request = make_request(S.TRIAGED)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_me_too(request=request, user=rita)
    assert [m.to for m in mail.outbox] == [[pmm.email]]


def test_a_follower_is_told_when_it_is_delivered(make_request, rita, pmm, django_capture_on_commit_callbacks):
    request = make_request(S.IN_PROGRESS)
    services.request_me_too(request=request, user=rita)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_deliver(request=request, actor=pmm, link="https://drive.example.com/a")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([rita.email, request.requester.email])


# --- The priority counts every rep -------------------------------------------------------------------


def test_a_follower_with_a_big_deal_raises_the_priority(asked, rita, today):
    before = asked.priority
    services.request_me_too(request=asked, user=rita, opportunity_value=Decimal(30_000))
    asked.refresh_from_db()
    # 30,000 + 30,000: the deal value tier goes from 2 (< 50k) to 3 (< 100k).
    assert asked.priority == priority_of(asked, value=Decimal(60_000), needed_by=asked.needed_by, today=today)
    assert asked.priority > before
    services.request_me_too(request=asked, user=rita, opportunity_value=Decimal(600_000))
    asked.refresh_from_db()
    assert asked.priority == priority_of(
        asked, value=Decimal(630_000), needed_by=asked.needed_by, today=today
    )


def test_the_earliest_needed_by_date_wins(asked, rita, today):
    soon = today + timedelta(days=2)
    services.request_me_too(request=asked, user=rita, needed_by=soon)
    asked.refresh_from_db()
    assert asked.priority == priority_of(asked, value=asked.opportunity_value, needed_by=soon, today=today)
    # A follower who needs it later than the requester changes nothing.
    later = UserFactory(role="sales")
    services.request_me_too(request=asked, user=later, needed_by=today + timedelta(days=60))
    asked.refresh_from_db()
    assert asked.priority == priority_of(asked, value=asked.opportunity_value, needed_by=soon, today=today)


def test_the_nightly_refresh_counts_followers_in_the_same_queries(make_request, team, today):
    def grow(n):
        for _ in range(n):
            request = make_request(S.NEW, needed_by=today + timedelta(days=40))
            for value in (Decimal(200_000), Decimal(400_000)):
                RequestFollower.objects.create(
                    request=request,
                    user=UserFactory(role="sales"),
                    via=FollowVia.ME_TOO,
                    opportunity_value=value,
                    needed_by=today + timedelta(days=3),
                )

    def refresh():
        with CaptureQueriesContext(connection) as queries:
            services.request_refresh_priorities(today=today)
        return len(queries)

    grow(2)
    small = refresh()
    grow(20)
    # the teams, the open requests with their followers' totals (one grouped query), the update
    assert refresh() == small == 3
    request = RequestFollower.objects.first().request
    assert request.priority == priority_of(
        request, value=Decimal(600_000), needed_by=today + timedelta(days=3), today=today
    )


# --- Duplicates become followers with their deal -------------------------------------------------------


def test_a_duplicate_brings_its_requester_and_followers_with_their_deals(
    asked, rita, make_request, pmm, today
):
    duplicate = make_request(
        S.NEW,
        requester=rita,
        account="Initech",
        opportunity_value=Decimal(500_000),
        needed_by=today + timedelta(days=1),
    )
    tom = UserFactory(role="sales")
    services.request_me_too(request=duplicate, user=tom, account="Umbrella", opportunity_value=Decimal(7))
    services.request_me_too(request=duplicate, user=asked.requester)  # Sam needed Rita's too
    services.request_mark_duplicate(request=duplicate, actor=pmm, original=asked)

    follows = {f.user: f for f in asked.follows.all()}
    assert set(follows) == {rita, tom}  # Sam asked the original: not his own follower
    assert (follows[rita].via, follows[rita].duplicate, follows[rita].account) == (
        FollowVia.DUPLICATE,
        duplicate,
        "Initech",
    )
    assert follows[rita].opportunity_value == Decimal(500_000)
    assert follows[rita].needed_by == today + timedelta(days=1)
    assert (follows[tom].via, follows[tom].duplicate, follows[tom].account) == (
        FollowVia.DUPLICATE,
        duplicate,
        "Umbrella",
    )
    asked.refresh_from_db()
    assert asked.priority == priority_of(
        asked, value=Decimal(530_007), needed_by=today + timedelta(days=1), today=today
    )


def test_a_rep_who_said_me_too_keeps_their_row_when_their_duplicate_is_merged(asked, rita, make_request, pmm):
    services.request_me_too(request=asked, user=rita, account="Initech")
    duplicate = make_request(S.NEW, requester=rita, account="Other account")
    services.request_mark_duplicate(request=duplicate, actor=pmm, original=asked)
    follower = RequestFollower.objects.get(request=asked, user=rita)
    assert (follower.via, follower.account) == (FollowVia.ME_TOO, "Initech")


# --- The API ---------------------------------------------------------------------------------------


def test_api_me_too_is_201_with_the_follower(api_client, asked, rita, today):
    api_client.force_authenticate(rita)
    url = f"/api/v1/requests/{asked.pk}/me-too/"
    needed = (today + timedelta(days=5)).isoformat()
    response = api_client.post(
        url, {"account": "Initech", "opportunity_value": "40000", "needed_by": needed}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["via"] == "me_too"
    assert body["request"] == asked.pk
    assert (body["account"], body["opportunity_value"], body["needed_by"]) == ("Initech", "40000.00", needed)
    # Again: the deal is updated.
    response = api_client.post(url, {"opportunity_value": "1"}, format="json")
    assert response.status_code == 200
    assert RequestFollower.objects.get().opportunity_value == Decimal(1)


def test_api_me_too_bad_input_is_400_with_field_errors(api_client, asked, rita, today):
    api_client.force_authenticate(rita)
    url = f"/api/v1/requests/{asked.pk}/me-too/"
    past = (today - timedelta(days=2)).isoformat()
    response = api_client.post(url, {"opportunity_value": "-5", "needed_by": past}, format="json")
    assert response.status_code == 400
    assert errors(response) == {
        "opportunity_value": "The opportunity value cannot be negative.",
        "needed_by": "The needed-by date is in the past: pick today or a later date.",
    }
    response = api_client.post(url, {"needed_by": "soon"}, format="json")
    assert response.status_code == 400
    assert "needed_by" in errors(response)
    assert not RequestFollower.objects.exists()


def test_api_me_too_on_your_own_request_is_400(api_client, asked, sales_rep):
    api_client.force_authenticate(sales_rep)
    response = api_client.post(f"/api/v1/requests/{asked.pk}/me-too/", {}, format="json")
    assert response.status_code == 400
    assert "your own request" in response.content.decode()


@pytest.mark.parametrize("pk", ["closed", "missing", "abc"])
def test_api_me_too_is_404_unless_an_open_request(api_client, make_request, rita, pk):
    ids = {"closed": make_request(S.DELIVERED).pk, "missing": 999_999, "abc": "abc"}
    api_client.force_authenticate(rita)
    response = api_client.post(f"/api/v1/requests/{ids[pk]}/me-too/", {}, format="json")
    assert response.status_code == 404


def test_api_me_too_of_another_team_is_allowed(api_client, rita, other_product):
    request = RequestFactory(product=other_product, requester=UserFactory(role="sales"))
    api_client.force_authenticate(rita)
    assert api_client.post(f"/api/v1/requests/{request.pk}/me-too/", {}, format="json").status_code == 201


@pytest.mark.parametrize("who", ["pmm", "cmo", "pm"])
def test_api_me_too_is_for_sales_whatever_the_body(api_client, cast, asked, who):
    api_client.force_authenticate(cast[who])
    response = api_client.post(f"/api/v1/requests/{asked.pk}/me-too/", {"needed_by": "junk"}, format="json")
    assert response.status_code == 403
    assert not RequestFollower.objects.exists()


def test_api_hides_the_requesters_deal_from_a_follower(api_client, asked, rita, pmm):
    services.request_me_too(request=asked, user=rita, account="Initech")
    api_client.force_authenticate(rita)
    body = api_client.get(f"/api/v1/requests/{asked.pk}/").json()
    assert body["deal_hidden"] is True
    assert body["requester"] is None
    assert (body["account"], body["opportunity_value"], body["details"]) == ("", None, "")
    assert (body["competitor"], body["deal_stage"]) == ("", "")
    assert body["title"] == "Battlecard against Northwind"
    listed = api_client.get("/api/v1/requests/").json()["results"]
    assert [(r["id"], r["account"], r["requester"]) for r in listed] == [(asked.pk, "", None)]
    # Searching the requester's account does not tell the follower what it is.
    assert api_client.get("/api/v1/requests/", {"search": "Globex"}).json()["results"] == []
    # The requester and product marketing see it all.
    for user in (asked.requester, pmm):
        api_client.force_authenticate(user)
        body = api_client.get(f"/api/v1/requests/{asked.pk}/").json()
        assert (body["deal_hidden"], body["account"]) == (False, "Globex")


def test_the_schema_documents_me_too(api_client, pmm):
    api_client.force_authenticate(pmm)
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/requests/{id}/me-too/"]["post"]
    assert {"200", "201", "400", "403", "404"} <= set(operation["responses"])
    assert "RequestFollower" in str(operation["responses"]["201"])


# --- The page ----------------------------------------------------------------------------------------


def test_the_button_posts_the_reps_deal_from_the_request_form():
    html = render_to_string("requests_queue/_me_too_button.html", {"request_id": 12})
    assert 'hx-post="/requests/12/me-too/"' in html
    assert 'hx-include="[name=opportunity_value],[name=needed_by],[name=account]"' in html
    assert 'formaction="/requests/12/me-too/"' in html
    assert 'form="request-form"' in html
    assert "Me too — follow it" in html


def test_page_me_too_goes_to_my_requests(client, asked, rita, today):
    client.force_login(rita)
    response = client.post(
        f"/requests/{asked.pk}/me-too/",
        {"title": "Northwind battlecard", "account": "Initech", "needed_by": today + timedelta(days=4)},
        follow=True,
    )
    assert response.redirect_chain == [("/requests/mine/", 302)]
    html = response.content.decode()
    assert f"You follow #{asked.pk} “Battlecard against Northwind”" in html
    assert "Your deal counts in its priority." in html
    assert "you follow it" in html  # the row of My requests
    assert RequestFollower.objects.get(request=asked, user=rita).account == "Initech"


def test_page_me_too_with_htmx_answers_in_place(client, asked, rita):
    client.force_login(rita)
    response = client.post(
        f"/requests/{asked.pk}/me-too/",
        {"opportunity_value": "40000", "needed_by": "", "account": "Initech"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="me-too-{asked.pk}"' in html
    assert f"You follow #{asked.pk}" in html
    assert "we'll tell you when it's delivered" in html


def test_page_me_too_with_htmx_says_what_to_fix(client, asked, rita, today):
    client.force_login(rita)
    response = client.post(
        f"/requests/{asked.pk}/me-too/",
        {"opportunity_value": "-1", "needed_by": (today - timedelta(days=3)).isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # HTMX swaps only successful answers
    html = response.content.decode()
    assert "The opportunity value cannot be negative." in html
    assert "Me too — follow it" in html
    assert not RequestFollower.objects.exists()


def test_page_me_too_without_htmx_shows_the_form_again(client, asked, rita):
    client.force_login(rita)
    response = client.post(
        f"/requests/{asked.pk}/me-too/", {"title": "Northwind battlecard", "opportunity_value": "-1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The opportunity value cannot be negative." in html
    assert 'value="Northwind battlecard"' in html


def test_page_me_too_doors(client, cast, make_request, rita, other_product):
    other_team_request = RequestFactory(product=other_product, requester=UserFactory(role="sales"))
    client.force_login(cast["pmm"])
    assert client.post(f"/requests/{other_team_request.pk}/me-too/").status_code == 403
    client.force_login(rita)
    assert client.get(f"/requests/{other_team_request.pk}/me-too/").status_code == 405
    assert client.post(f"/requests/{make_request(S.DELIVERED).pk}/me-too/").status_code == 404
    assert client.post("/requests/999999/me-too/").status_code == 404
    # Any open request of any team: the rep saw its title in the suggestions.
    assert client.post(f"/requests/{other_team_request.pk}/me-too/").status_code == 302


# --- Privacy: a follower sees what is asked, not the requester's deal ------------------------------------------


@pytest.fixture
def followed(asked, rita, sales_rep):
    RequestAttachment.objects.create(
        request=asked,
        file="requests/attachments/globex-pricing.pdf",
        original_name="globex-pricing.pdf",
        size=1200,
        uploaded_by=sales_rep,
    )
    services.request_comment(request=asked, actor=sales_rep, body="Any news?")
    services.request_me_too(request=asked, user=rita, account="Initech", opportunity_value=Decimal(40_000))
    return asked


# Sam's name and deal: account, value, competitor, stage, details, attachment.
SAMS_DEAL = (
    "Sam Reyes",
    "Globex",
    "30,000",
    "vs Northwind",
    "Negotiation",
    "migration cost",
    "globex-pricing",
)


def test_a_follower_sees_the_request_without_the_requesters_deal(client, followed, rita):
    client.force_login(rita)
    html = client.get(f"/requests/{followed.pk}/").content.decode()
    assert "Battlecard against Northwind" in html
    assert "Asked by another rep" in html
    for private in SAMS_DEAL:
        assert private not in html, private
    # Their own deal, which counts in the priority.
    assert "You follow this request" in html
    assert "Initech" in html
    assert "40,000" in html
    assert "Reps who need this" not in html


def test_a_follower_finds_it_in_my_requests_but_not_by_the_requesters_account(client, followed, rita):
    client.force_login(rita)
    html = client.get("/requests/mine/").content.decode()
    assert "Battlecard against Northwind" in html
    assert "you follow it" in html
    assert "Battlecard against Northwind" not in client.get("/requests/mine/?q=Globex").content.decode()
    assert "Battlecard against Northwind" in client.get("/requests/mine/?q=battlecard").content.decode()


def test_the_requester_does_not_see_the_followers_deals(client, followed, sales_rep):
    client.force_login(sales_rep)
    html = client.get(f"/requests/{followed.pk}/").content.decode()
    assert "Globex" in html
    assert "asked by Sam Reyes" in html
    assert "Initech" not in html
    assert "Rita" not in html
    assert "Reps who need this" not in html


def test_product_marketing_sees_every_rep_who_needs_it(client, followed, pmm, make_request, today):
    duplicate = make_request(
        S.NEW,
        requester=UserFactory(first_name="Tom", last_name="Diaz"),
        account="Umbrella",
        needed_by=today + timedelta(days=2),
    )
    services.request_mark_duplicate(request=duplicate, actor=pmm, original=followed)
    client.force_login(pmm)
    html = client.get(f"/requests/{followed.pk}/").content.decode()
    section = html.split("Reps who need this")[1].split("</section>")[0]
    for text in ("Sam Reyes", "Globex", "Rita Okafor", "Initech", "40,000", "Me too", "Tom Diaz", "Umbrella"):
        assert text in section, text
    assert f'Duplicate <a href="/requests/{duplicate.pk}/">#{duplicate.pk}</a>' in section
    # The totals that feed the priority: 30,000 + 40,000, and Tom's date, the earliest.
    totals = section.split("<tfoot>")[1]
    assert "70,000" in totals
    assert f"{today + timedelta(days=2):%d %b %Y}" in totals


# --- Query counts ----------------------------------------------------------------------------------------


def test_my_requests_costs_the_same_with_followed_requests(client, rita, product):
    def follow(n):
        for _ in range(n):
            request = RequestFactory(product=product, requester=UserFactory(role="sales"), account="Globex")
            services.request_me_too(request=request, user=rita, account="Initech")
            services.request_me_too(request=request, user=UserFactory(role="sales"))

    def count(url):
        client.force_login(rita)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    follow(3)
    small = count("/requests/mine/"), count("/requests/mine/?q=help")
    follow(30)
    # session, user, count, page rows, notifications, unread count (as tests/requests_queue/test_query_counts.py)
    assert (count("/requests/mine/"), count("/requests/mine/?q=help")) == small == (6, 6)


def test_the_detail_page_costs_the_same_with_more_reps(client, asked, pmm):
    def follow(n):
        for _ in range(n):
            services.request_me_too(request=asked, user=UserFactory(role="sales"), account="Initech")

    def count():
        client.force_login(pmm)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/requests/{asked.pk}/").status_code == 200
        return len(queries)

    follow(2)
    count()  # warm what the page caches across requests (the session, search words)
    small = count()
    follow(18)
    # the followers and their users are one prefetch, whatever their number
    assert count() == small
