"""Pinned query counts: the queue, my requests, the asset library and the API lists stay flat as data grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_queue.models import RequestStatus
from tests.factories import AssetFactory, ProductFactory, RequestFactory, UserFactory

S = RequestStatus
STATUSES = [S.NEW, S.TRIAGED, S.IN_PROGRESS, S.DELIVERED]


def grow(n, *, sales_rep, team, pmm, product):
    """``n`` requests across products, assignees and statuses, with assets, comments and notifications."""
    from requests_queue.models import Notification, RequestComment, RequestEvent

    for i in range(n):
        other_product = ProductFactory(team=team) if i % 3 == 0 else product
        assignee = UserFactory(role="pmm") if i % 4 == 0 else pmm
        team.members.add(assignee)
        status = STATUSES[i % len(STATUSES)]
        request = RequestFactory(
            requester=sales_rep,
            product=other_product,
            team=team,
            status=status,
            assignee=assignee if status != S.NEW else None,
            title=f"Northwind battlecard {i}",
        )
        RequestComment.objects.create(request=request, author=sales_rep, body="Any news?")
        event = RequestEvent.objects.create(request=request, kind="submitted", actor=sales_rep)
        Notification.objects.create(recipient=sales_rep, event=event, request=request, text=f"News {i}")
        AssetFactory(
            team=team, owner=assignee, products=[other_product, product], title=f"Northwind asset {i}"
        )


def count(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("who", "url", "pinned"),
    [
        # session, user, page count, page rows (with requester, assignee, product, team; the
        # teams are a sub-select; each row's SLA targets are sub-selects of the same query), the
        # open queue's scan for the header's counters (``sla_scan``: load and SLA states in one
        # query), product filter choices, assignee filter PMMs, and the bulk bar's PMMs and
        # products, the save-this-view form's teams. (8 before the SLA targets came with the rows:
        # they were a query of their own.)
        ("pmm", "/requests/", 10),
        ("pmm", "/requests/?q=northwind&status=all", 10),
        # the second page costs the same (with 3 rows the pager falls back to the only page)
        ("pmm", "/requests/?status=all&page=2", 10),
        # a saved view opened: the same, and the view itself
        ("pmm", "/requests/?status=all&sort=-priority&view=1", 11),
        # session, user, count, page rows (with assignee, product, duplicate_of, reused asset,
        # comment count), notifications, unread count
        ("sales", "/requests/mine/", 6),
        ("sales", "/requests/mine/?page=2", 6),
        # session, user, count, page rows (owner, team), products prefetch, personas prefetch, product choices
        ("sales", "/requests/assets/", 7),
        ("sales", "/requests/assets/?q=northwind", 7),
        ("sales", "/requests/assets/?page=2", 7),
        # session, user, count, rows (requester, assignee, team, reused asset), personas prefetch
        ("pmm", "/api/v1/requests/", 5),
        ("sales", "/api/v1/requests/", 5),
        # session, user, count, rows (owner, team), products prefetch, personas prefetch
        ("sales", "/api/v1/assets/", 6),
        # session, user, count, page rows (with request and event), unread count
        ("sales", "/inbox/", 5),
        ("sales", "/inbox/?state=unread&kind=new&q=news&page=2", 5),
        # session, user, unread count
        ("sales", "/inbox/bell/", 3),
    ],
)
def test_list_query_counts_are_flat(client, cast, product, who, url, pinned):
    user = cast[who]
    args = {"sales_rep": cast["sales"], "team": product.team, "pmm": cast["pmm"], "product": product}
    grow(3, **args)
    small = count(client, user, url)
    grow(30, **args)
    large = count(client, user, url)
    assert small == large == pinned


def test_request_detail_query_count_does_not_grow_with_its_history(client, cast, make_request):
    """The triage page of a request with 2 and with 20 comments and events costs the same."""
    from requests_queue import services

    request = make_request(RequestStatus.NEW)

    def detail() -> int:
        return count(client, cast["pmm"], f"/requests/{request.pk}/")

    for _ in range(2):
        services.request_comment(request=request, actor=cast["sales"], body="Any news?")
    small = detail()
    for _ in range(18):
        services.request_comment(request=request, actor=cast["pmm"], body="Working on it.")
    assert detail() == small


def grow_sla(n, *, sales_rep, team, pmm, product):
    """``grow(n)`` and, as many again, late requests and paused ones, so each SLA filter lists rows."""
    from datetime import timedelta

    from django.utils import timezone

    grow(n, sales_rep=sales_rep, team=team, pmm=pmm, product=product)
    today = timezone.localdate()
    for i in range(n):
        RequestFactory(
            requester=sales_rep,
            product=product,
            team=team,
            status=S.TRIAGED,
            assignee=pmm,
            due_date=today - timedelta(days=7),
            title=f"Late deck {i}",
        )
        RequestFactory(
            requester=sales_rep,
            product=product,
            team=team,
            status=S.SNOOZED if i % 2 else S.WAITING,
            snoozed_until=today + timedelta(days=5) if i % 2 else None,
            title=f"Paused deck {i}",
        )


@pytest.mark.parametrize(
    ("who", "url", "pinned"),
    [
        # session, user, the SLA scan of the filtered queue (which ids are in that state: one query,
        # targets inline), page count, page rows, the open queue's scan for the counters, product
        # filter choices, assignee filter PMMs, the bulk bar's PMMs and products, the save form's teams
        ("pmm", "/requests/?sla=overdue", 11),
        ("pmm", "/requests/?sla=paused&q=deck", 11),
        # session, user, the SLA scan, count, rows (their clocks need nothing more), personas prefetch
        ("pmm", "/api/v1/requests/?sla=overdue", 6),
        ("cmo", "/api/v1/requests/?sla=paused", 6),
    ],
)
def test_the_sla_filter_costs_one_query_whatever_the_size(client, cast, product, who, url, pinned):
    user = cast[who]
    args = {"sales_rep": cast["sales"], "team": product.team, "pmm": cast["pmm"], "product": product}
    grow_sla(3, **args)
    small = count(client, user, url)
    grow_sla(30, **args)
    large = count(client, user, url)
    assert small == large == pinned
