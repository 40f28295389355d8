"""The state machine: every transition from every status, allowed or refused with a clear message."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from pmm_portal.core.dates import today_in
from requests_queue import services, workflow
from requests_queue.models import Asset, Request, RequestEvent, RequestStatus
from tests.factories import RequestFactory

S = RequestStatus
ALL = list(S.values)
TODAY = timezone.localdate


def monday():
    today = TODAY()
    return today - timedelta(days=today.weekday())


# The flow of PRODUCT.md, written down once more on purpose: the table in code must say the same.
# test's move -> (statuses it is allowed from, status it leads to (None: unchanged), permission action)
# A request waiting on its requester (``waiting``) may still be decided on, and the requester's answer
# sends it back to the queue (the status then depends on whether it was scored).
EXPECTED = {
    "triage": ({S.NEW, S.TRIAGED, S.SNOOZED, S.WAITING, S.IN_PROGRESS}, S.TRIAGED, "triage"),
    "accept": ({S.NEW, S.TRIAGED, S.SNOOZED, S.WAITING}, S.TRIAGED, "triage"),
    "claim": ({S.NEW, S.TRIAGED}, None, "claim"),
    "start": ({S.TRIAGED}, S.IN_PROGRESS, "work"),
    "log_time": ({S.TRIAGED, S.IN_PROGRESS, S.DELIVERED}, None, "work"),
    "deliver": ({S.TRIAGED, S.IN_PROGRESS}, S.DELIVERED, "work"),
    "mark_reused": ({S.NEW, S.TRIAGED, S.SNOOZED, S.WAITING}, S.REUSED, "triage"),
    "mark_duplicate": ({S.NEW, S.TRIAGED, S.SNOOZED, S.WAITING}, S.DUPLICATE, "triage"),
    "snooze": ({S.NEW, S.TRIAGED}, S.SNOOZED, "triage"),
    "ask_info": ({S.NEW, S.TRIAGED}, S.WAITING, "triage"),
    "answer": ({S.WAITING}, None, "own"),
    "decline": ({S.NEW, S.TRIAGED, S.SNOOZED, S.WAITING, S.IN_PROGRESS}, S.DECLINED, "triage"),
    "cancel": ({S.NEW, S.TRIAGED, S.IN_PROGRESS, S.SNOOZED, S.WAITING}, S.CANCELLED, "own"),
    "rate": ({S.DELIVERED, S.REUSED}, None, "own"),
}
# test's move -> its name in ``workflow.TRANSITIONS``
MOVES = {name: {"mark_reused": "reuse", "mark_duplicate": "duplicate"}.get(name, name) for name in EXPECTED}


def test_the_table_in_code_is_the_documented_flow():
    for name, (allowed, leads_to, permission) in EXPECTED.items():
        move = workflow.TRANSITIONS[MOVES[name]]
        assert set(move.sources) == allowed, name
        assert move.target == leads_to, name
        assert move.permission == permission, name
    assert workflow.TRANSITIONS["wake"].sources == (S.SNOOZED,)
    assert set(workflow.TRANSITIONS["comment"].sources) == set(ALL)


def test_every_permission_action_of_the_table_is_one_the_permissions_know():
    from requests_queue.permissions import REQUEST_ACTIONS

    for move in workflow.TRANSITIONS.values():
        assert move.permission in (*REQUEST_ACTIONS, workflow.SYSTEM), move.name


def run(name, request, *, pmm, sales_rep, asset, make_request, claimer):
    if name == "triage":
        return services.request_triage(
            request=request, actor=pmm, reusability=4, educational_value=2, effort_hours=Decimal(3)
        )
    if name == "accept":
        return services.request_accept(
            request=request, actor=pmm, assignee=pmm, due_date=TODAY() + timedelta(days=2)
        )
    if name == "claim":
        return services.request_claim(request=request, actor=claimer)
    if name == "start":
        return services.request_start(request=request, actor=pmm)
    if name == "log_time":
        return services.request_log_time(request=request, actor=pmm, week_start=monday(), hours=Decimal(2))
    if name == "deliver":
        return services.request_deliver(request=request, actor=pmm, link="https://drive.example.com/x")
    if name == "mark_reused":
        return services.request_mark_reused(request=request, actor=pmm, asset=asset)
    if name == "mark_duplicate":
        original = make_request(S.NEW, title="The original")
        return services.request_mark_duplicate(request=request, actor=pmm, original=original)
    if name == "snooze":
        return services.request_snooze(request=request, actor=pmm, until=TODAY() + timedelta(days=7))
    if name == "ask_info":
        return services.request_ask_info(request=request, actor=pmm, question="Which competitor is it?")
    if name == "answer":
        return services.request_answer(request=request, actor=sales_rep)
    if name == "decline":
        return services.request_decline(request=request, actor=pmm, alternative="Reuse the Northwind deck.")
    if name == "cancel":
        return services.request_cancel(request=request, actor=sales_rep)
    if name == "rate":
        return services.request_rate(request=request, actor=sales_rep, rating=5)
    raise AssertionError(name)


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("name", list(MOVES))
def test_every_transition_from_every_status(name, status, pmm, sales_rep, asset, make_request, team):
    """The services refuse exactly what the table refuses, and move where it says."""
    move = workflow.TRANSITIONS[MOVES[name]]
    allowed, leads_to = set(move.sources), move.target
    claimer = pmm
    overrides = {}
    if name == "claim" and status in (S.NEW, S.TRIAGED):
        overrides["assignee"] = None
    request = make_request(status, **overrides)
    before = Request.objects.get(pk=request.pk)
    if status in allowed:
        run(
            name,
            request,
            pmm=pmm,
            sales_rep=sales_rep,
            asset=asset,
            make_request=make_request,
            claimer=claimer,
        )
        after = Request.objects.get(pk=request.pk)
        expected = leads_to or status
        if name == "triage" and status in (S.TRIAGED, S.WAITING, S.IN_PROGRESS):
            expected = status  # re-scored in place
        if name == "answer":
            expected = S.TRIAGED  # back in the queue, scored
        if name == "log_time" and status == S.TRIAGED:
            expected = S.IN_PROGRESS
        assert after.status == expected
    else:
        with pytest.raises(services.RequestError) as refused:
            run(
                name,
                request,
                pmm=pmm,
                sales_rep=sales_rep,
                asset=asset,
                make_request=make_request,
                claimer=claimer,
            )
        message = " ".join(refused.value.messages)
        assert message  # says why
        after = Request.objects.get(pk=request.pk)
        assert after.status == before.status
        assert after.updated_at == before.updated_at  # nothing half-saved


def test_a_refused_move_says_where_the_request_stands(make_request, pmm):
    request = make_request(S.DELIVERED)
    with pytest.raises(services.RequestError, match="This request is delivered, so it cannot be snoozed"):
        services.request_snooze(request=request, actor=pmm, until=TODAY() + timedelta(days=3))


def test_decline_without_an_alternative_is_refused(make_request, pmm):
    request = make_request(S.NEW)
    for alternative in ("", "   "):
        with pytest.raises(services.RequestError) as refused:
            services.request_decline(request=request, actor=pmm, alternative=alternative)
        assert "no hard no" in refused.value.message_dict["decline_alternative"][0]
    assert Request.objects.get(pk=request.pk).status == S.NEW


def test_the_database_refuses_a_decline_without_alternative(make_request):
    request = make_request(S.NEW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.filter(pk=request.pk).update(status=S.DECLINED, decline_alternative="")


@pytest.mark.parametrize(
    ("field", "value"),
    [("reusability", 0), ("reusability", 6), ("educational_value", 9), ("rating", 0)],
)
def test_the_database_refuses_scores_out_of_range(make_request, field, value):
    request = make_request(S.NEW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.filter(pk=request.pk).update(**{field: value})


def test_the_database_refuses_a_duplicate_without_original_or_of_itself(make_request):
    request = make_request(S.NEW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.filter(pk=request.pk).update(status=S.DUPLICATE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.filter(pk=request.pk).update(duplicate_of=request.pk)


@pytest.mark.parametrize(("reusability", "educational"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_triage_scores_out_of_range_are_refused(make_request, pmm, reusability, educational):
    request = make_request(S.NEW, reusability=None, educational_value=None)
    with pytest.raises(services.RequestError, match="score from 1 to 5"):
        services.request_triage(
            request=request,
            actor=pmm,
            reusability=reusability,
            educational_value=educational,
            effort_hours=Decimal(1),
        )
    request.refresh_from_db()
    assert (request.status, request.reusability) == (S.NEW, None)


def test_duplicate_path_makes_the_requester_follow_the_original(make_request, pmm, sales_rep):
    from tests.factories import UserFactory

    original = make_request(S.TRIAGED, title="Pricing for Globex")
    other_rep = UserFactory(role="sales")
    duplicate = make_request(S.NEW, requester=other_rep)
    services.request_mark_duplicate(request=duplicate, actor=pmm, original=original)
    duplicate.refresh_from_db()
    assert duplicate.status == S.DUPLICATE
    assert duplicate.duplicate_of_id == original.pk
    assert other_rep in original.followers.all()
    # the follower now sees the original and is told when it moves
    from requests_queue.permissions import visible_to

    assert visible_to(other_rep).filter(pk=original.pk).exists()


def test_a_duplicate_of_a_duplicate_points_to_the_original(make_request, pmm):
    root = make_request(S.TRIAGED)
    first = make_request(S.DUPLICATE, duplicate_of=root)
    second = make_request(S.NEW)
    services.request_mark_duplicate(request=second, actor=pmm, original=first)
    second.refresh_from_db()
    assert second.duplicate_of_id == root.pk


def test_a_request_cannot_duplicate_itself(make_request, pmm):
    request = make_request(S.NEW)
    with pytest.raises(services.RequestError, match="itself"):
        services.request_mark_duplicate(request=request, actor=pmm, original=request)


def test_reused_path_counts_the_reuse(make_request, pmm, asset):
    request = make_request(S.NEW)
    services.request_mark_reused(request=request, actor=pmm, asset=asset)
    services.request_mark_reused(request=make_request(S.TRIAGED), actor=pmm, asset=asset)
    asset.refresh_from_db()
    request.refresh_from_db()
    assert request.status == S.REUSED
    assert request.reused_asset_id == asset.pk
    assert asset.reuse_count == 2


def test_self_serve_closes_as_reused_without_marketing_work(sales_rep, product, asset):
    request = services.request_self_serve(
        requester=sales_rep, product=product, title="Northwind comparison", asset=asset
    )
    asset.refresh_from_db()
    assert request.status == S.REUSED
    assert asset.reuse_count == 1
    assert request.assignee is None


def test_snoozed_requests_wake_up_on_their_date(make_request):
    today = TODAY()
    due = make_request(S.SNOOZED, snoozed_until=today)
    unscored = make_request(
        S.SNOOZED, snoozed_until=today - timedelta(days=1), reusability=None, educational_value=None
    )
    later = make_request(S.SNOOZED, snoozed_until=today + timedelta(days=1))
    assert services.request_wake_snoozed(today=today) == 2
    assert Request.objects.get(pk=due.pk).status == S.TRIAGED
    assert Request.objects.get(pk=unscored.pk).status == S.NEW
    assert Request.objects.get(pk=later.pk).status == S.SNOOZED
    assert Request.objects.get(pk=due.pk).snoozed_until is None
    assert services.request_wake_snoozed(today=today) == 0


def test_snooze_needs_a_future_date(make_request, pmm):
    with pytest.raises(services.RequestError, match="future"):
        services.request_snooze(request=make_request(S.NEW), actor=pmm, until=TODAY())


def test_only_the_assignee_delivers(make_request, other_pmm, pmm):
    request = make_request(S.IN_PROGRESS)
    with pytest.raises(services.RequestError, match="assigned to Priya Mehta"):
        services.request_deliver(request=request, actor=other_pmm, link="https://x.example.com")


def test_delivery_needs_a_link_or_a_file(make_request, pmm):
    with pytest.raises(services.RequestError, match="link"):
        services.request_deliver(request=make_request(S.IN_PROGRESS), actor=pmm)


def test_delivering_reusable_work_publishes_an_asset(make_request, pmm, product):
    request = make_request(S.IN_PROGRESS, title="Globex security questionnaire answers")
    services.request_deliver(
        request=request,
        actor=pmm,
        link="https://drive.example.com/globex",
        publish=services.AssetDraft(
            title="Security questionnaire kit",
            kind="one_pager",
            description="",
            review_by=TODAY() + timedelta(days=90),
        ),
    )
    asset = Asset.objects.get(source_request=request)
    assert asset.title == "Security questionnaire kit"
    assert asset.owner == pmm
    assert list(asset.products.all()) == [product]
    assert asset.link == "https://drive.example.com/globex"


def test_logged_time_feeds_the_weekly_timesheet(make_request, pmm):
    from timesheets.models import TimeEntry

    request = make_request(S.IN_PROGRESS)
    services.request_log_time(request=request, actor=pmm, week_start=TODAY(), hours=Decimal("1.5"))
    services.request_log_time(request=request, actor=pmm, week_start=TODAY(), hours=Decimal(2))
    request.refresh_from_db()
    assert request.hours_logged == Decimal("3.5")
    entry = TimeEntry.objects.get(user=pmm, category="request")
    assert entry.hours == Decimal("3.5")
    assert entry.week_start == monday()


def test_time_in_a_future_week_is_refused_and_nothing_is_saved(make_request, pmm):
    request = make_request(S.IN_PROGRESS)
    with pytest.raises(services.RequestError):
        services.request_log_time(
            request=request, actor=pmm, week_start=TODAY() + timedelta(days=14), hours=Decimal(2)
        )
    request.refresh_from_db()
    assert request.hours_logged == 0


def test_accept_assigns_only_a_pmm_of_the_team(make_request, pmm, other_pmm):
    request = make_request(S.NEW)
    with pytest.raises(services.RequestError, match="not on the Core Platform team"):
        services.request_accept(request=request, actor=pmm, assignee=other_pmm, due_date=TODAY())


def test_accept_needs_scores(make_request, pmm):
    request = make_request(S.NEW, reusability=None, educational_value=None)
    with pytest.raises(services.RequestError, match="Score reusability"):
        services.request_accept(request=request, actor=pmm, assignee=pmm, due_date=TODAY())


def test_only_the_requester_cancels_or_rates(make_request, pmm):
    with pytest.raises(services.RequestError, match="Only the person who asked"):
        services.request_cancel(request=make_request(S.NEW), actor=pmm)
    with pytest.raises(services.RequestError, match="Only the person who asked"):
        services.request_rate(request=make_request(S.DELIVERED), actor=pmm, rating=4)


def test_rating_out_of_range_is_refused(make_request, sales_rep):
    with pytest.raises(services.RequestError, match="1 to 5"):
        services.request_rate(request=make_request(S.DELIVERED), actor=sales_rep, rating=6)


def test_every_move_leaves_an_event(make_request, pmm):
    request = make_request(S.NEW)
    services.request_snooze(request=request, actor=pmm, until=TODAY() + timedelta(days=2))
    event = RequestEvent.objects.filter(request=request).latest("id")
    assert (event.from_status, event.to_status, event.actor) == (S.NEW, S.SNOOZED, pmm)


def test_submit_refuses_a_past_needed_by_date_and_saves_nothing(sales_rep, product):
    with pytest.raises(services.RequestError) as refused:
        services.request_submit(
            requester=sales_rep,
            product=product,
            type="slides",
            title="Deck",
            needed_by=TODAY() - timedelta(days=1),
        )
    assert "past" in refused.value.message_dict["needed_by"][0]
    assert not Request.objects.exists()


def test_submit_puts_the_request_in_the_product_team_queue(sales_rep, product, team):
    request = services.request_submit(
        requester=sales_rep, product=product, type="slides", title="Deck for Acme", needed_by=today_in(team)
    )
    assert request.team == team
    assert request.status == S.NEW
    assert request.priority > 0


def test_factory_makes_a_new_request(db):
    assert RequestFactory().status == S.NEW
