"""Triage in one step: one form (page) or one POST (API) holds the scores, the decision and its fields;
nothing changes unless all of it is valid, and a refusal keeps everything entered, each problem by its field.
"""

import re
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.utils import timezone

from requests_queue import services
from requests_queue.models import EventKind, Notification, Request, RequestEvent, RequestStatus
from requests_queue.services.sla import SlaState

S = RequestStatus
# 09:00 UTC on Wednesday 11 March 2026; the rep needs the answers by Friday 13 March.
NOW = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
NEEDED_BY = date(2026, 3, 13)
LATER = "2026-03-20"  # a week after the needed-by date
REASON = "The pricing team only publishes the new tiers on 19 March."


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def unscored(make_request):
    return make_request(
        S.NEW,
        title="Pricing for Globex",
        needed_by=NEEDED_BY,
        reusability=None,
        educational_value=None,
        effort_hours=None,
    )


def snapshot(request: Request) -> tuple:
    """What a refused triage must leave as it was."""
    request = Request.objects.get(pk=request.pk)
    return (
        request.status,
        request.reusability,
        request.educational_value,
        request.effort_hours,
        request.assignee_id,
        request.due_date,
        request.priority,
        request.updated_at,
        RequestEvent.objects.filter(request=request).count(),
    )


def triage(client, request, **data):
    return client.post(f"/requests/{request.pk}/triage/", data)


# --- The page: one form -------------------------------------------------------------------------


def test_the_detail_page_has_one_triage_form_with_every_decision(client, pmm, unscored):
    client.force_login(pmm)
    html = client.get(f"/requests/{unscored.pk}/").content.decode()
    assert html.count(f'action="/requests/{unscored.pk}/triage/"') == 1
    assert f"/requests/{unscored.pk}/decide/" not in html  # no second "Apply decision" form
    assert "Save scores" not in html
    assert "Apply decision" not in html
    for value, label in services.DECISION_LABELS.items():
        assert f'value="{value}"' in html, value
        assert label in html
    assert (
        'id="decision-score"\n                   value="score"\n                   data-rq-decision="score"\n                   checked'
        in html
    )
    # The fields of each decision, in the box shown for it, marked required (never with the ``required``
    # attribute: the boxes of the other decisions are hidden and must not block the submission).
    for name in ("assignee", "due_date", "duplicate_of", "snoozed_until", "question", "decline_alternative"):
        assert re.search(rf'name="{name}"[^>]*aria-required="true"', html), name
    for move in ("accept", "reuse", "duplicate", "snooze", "ask_info", "decline"):
        assert f'data-rq-for="{move}"' in html
    assert re.search(r'aria-label="Reusability"\s+aria-required="true"', html)  # never scored: required
    assert " required>" not in html.split('id="triage"')[1].split("</form>")[0]
    assert "novalidate" in html


def test_a_missing_field_keeps_everything_entered_and_changes_nothing(client, pmm, unscored):
    before = snapshot(unscored)
    client.force_login(pmm)
    response = triage(
        client,
        unscored,
        reusability="4",
        educational_value="2",
        effort_hours="3.5",
        decision="accept",
        assignee=str(pmm.pk),
        message="Thanks, on it.",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Set a due date." in html
    assert "Nothing was changed" in html
    form = response.context["triage_form"]
    assert form["reusability"].value() == "4"
    assert form["educational_value"].value() == "2"
    assert form["effort_hours"].value() == "3.5"
    assert form["assignee"].value() == str(pmm.pk)
    assert form["message"].value() == "Thanks, on it."
    assert 'value="4"\n             checked' in html  # the reusability radio stays chosen
    assert 'value="3.5"' in html
    assert 'value="accept"\n                   data-rq-decision="accept"\n                   checked' in html
    assert list(form.errors) == ["due_date"]
    assert snapshot(unscored) == before


def test_every_problem_is_said_at_once_next_to_its_field(client, pmm, unscored):
    before = snapshot(unscored)
    client.force_login(pmm)
    response = triage(
        client, unscored, reusability="7", effort_hours="900", decision="accept", due_date=LATER
    )
    assert response.status_code == 400
    errors = response.context["triage_form"].errors
    assert errors["reusability"] == ["Select a valid choice. 7 is not one of the available choices."]
    assert errors["educational_value"] == ["Give educational value a score from 1 to 5."]
    assert errors["effort_hours"] == ["Estimate the effort in hours, between 0 and 400."]
    assert errors["assignee"] == ["Pick who will do it."]
    assert "Say why" in errors["due_date_reason"][0]
    assert snapshot(unscored) == before


def test_accept_after_the_needed_by_date_without_a_reason_asks_for_one(client, pmm, unscored):
    before = snapshot(unscored)
    client.force_login(pmm)
    response = triage(
        client,
        unscored,
        reusability="4",
        educational_value="3",
        effort_hours="6",
        decision="accept",
        assignee=str(pmm.pk),
        due_date=LATER,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "after the rep's needed-by date (13 Mar): say why" in html  # the warning
    assert response.context["triage_form"].errors["due_date_reason"] == [
        "The due date is after the rep's needed-by date (13 Mar). Say why, so the rep can plan."
    ]
    assert 'name="due_date_reason"' in html
    assert "<textarea" in html
    assert snapshot(unscored) == before


def test_accept_after_the_needed_by_date_with_a_reason_tells_the_rep_why(
    client, pmm, sales_rep, unscored, django_capture_on_commit_callbacks
):
    client.force_login(pmm)
    with django_capture_on_commit_callbacks(execute=True):
        response = triage(
            client,
            unscored,
            reusability="4",
            educational_value="3",
            effort_hours="6",
            decision="accept",
            assignee=str(pmm.pk),
            due_date=LATER,
            due_date_reason=REASON,
            message="Thanks, on it.",
        )
    assert response.status_code == 302
    request = Request.objects.get(pk=unscored.pk)
    assert (request.status, request.assignee, request.due_date) == (S.TRIAGED, pmm, date(2026, 3, 20))
    assert request.due_date_reason == REASON
    # In the history, in the rep's notification and mail, and on the rep's page.
    history = RequestEvent.objects.filter(request=request, kind=EventKind.ASSIGNED).get()
    assert history.message == f"Thanks, on it. Due 20 Mar 2026, later than asked (13 Mar): {REASON}"
    notice = Notification.objects.get(recipient=sales_rep, event=history)
    assert REASON in notice.text
    assert any(REASON in message.body for message in mail.outbox if sales_rep.email in message.to)
    client.force_login(sales_rep)
    html = client.get(f"/requests/{request.pk}/").content.decode()
    assert f"Due 20 Mar — later than you asked (13 Mar): {REASON}" in html
    assert "Later than you asked (13 Mar)" in client.get("/requests/mine/").content.decode()


@pytest.mark.parametrize("status", [S.NEW, S.TRIAGED, S.SNOOZED, S.WAITING])
def test_accept_with_valid_input_ends_triaged_and_assigned_never_declined(client, pmm, make_request, status):
    request = make_request(status, assignee=None, needed_by=NEEDED_BY)
    client.force_login(pmm)
    response = triage(
        client,
        request,
        reusability="5",
        educational_value="4",
        effort_hours="2",
        decision="accept",
        assignee=str(pmm.pk),
        due_date="2026-03-12",
        # Fields of other decisions, left filled in their hidden boxes: ignored, whatever they hold.
        decline_alternative="Use the old deck.",
        duplicate_of="999999",
        snoozed_until="2020-01-01",
    )
    assert response.status_code == 302, response.context["triage_form"].errors
    request = Request.objects.get(pk=request.pk)
    assert (request.status, request.assignee, request.reusability) == (S.TRIAGED, pmm, 5)
    assert request.decline_alternative == ""
    assert request.duplicate_of is None
    assert not RequestEvent.objects.filter(request=request, to_status=S.DECLINED).exists()
    assert (
        "Accepted and assigned to Priya Mehta, due 12 Mar 2026."
        in client.get(f"/requests/{request.pk}/").content.decode()
    )


def test_only_saving_the_scores_keeps_the_request_undecided(client, pmm, unscored):
    client.force_login(pmm)
    response = triage(
        client, unscored, reusability="2", educational_value="5", effort_hours="1", decision="score"
    )
    assert response.status_code == 302
    request = Request.objects.get(pk=unscored.pk)
    assert (request.status, request.reusability, request.educational_value) == (S.TRIAGED, 2, 5)
    assert request.assignee is None


def test_a_decision_the_status_does_not_allow_is_refused_by_the_service(client, pmm, make_request):
    request = make_request(S.IN_PROGRESS)
    client.force_login(pmm)
    response = triage(client, request, decision="snooze", snoozed_until="2026-03-20")
    assert response.status_code == 400
    assert response.context["triage_form"].errors["decision"] == [
        "This request is in progress: that decision is not possible now."
    ]
    assert Request.objects.get(pk=request.pk).status == S.IN_PROGRESS


def test_ask_the_requester_then_their_answer_sends_it_back(
    client, pmm, sales_rep, make_request, django_capture_on_commit_callbacks
):
    request = make_request(S.NEW, assignee=None)
    question = "Is it for the CFO or for the IT team?"
    client.force_login(pmm)
    with django_capture_on_commit_callbacks(execute=True):
        response = triage(client, request, decision="ask_info", question=question)
    assert response.status_code == 302
    assert Request.objects.get(pk=request.pk).status == S.WAITING
    notice = Notification.objects.get(recipient=sales_rep, event__to_status=S.WAITING)
    assert notice.text == f"Priya Mehta needs more information: {question} (“{request.title}”)"
    # The rep's page shows the question first, with a reply box.
    client.force_login(sales_rep)
    html = client.get(f"/requests/{request.pk}/").content.decode()
    assert 'id="question"' in html
    assert html.index(question) < html.index("Conversation and history")
    assert "Send my answer" in html
    assert "Answer the question" in client.get("/requests/mine/").content.decode()
    response = client.post(f"/requests/{request.pk}/comment/", {"body": "For the CFO."}, follow=True)
    assert "Answer sent: the request is back in product marketing&#x27;s queue." in response.content.decode()
    request.refresh_from_db()
    assert request.status == S.TRIAGED  # it was scored
    assert 'id="question"' not in response.content.decode()


def test_the_old_decide_address_is_the_same_one_step_triage(client, pmm, make_request, asset):
    request = make_request(S.NEW)
    client.force_login(pmm)
    response = client.post(f"/requests/{request.pk}/decide/", {"decision": "reused", "asset": asset.pk})
    assert response.status_code == 302
    assert Request.objects.get(pk=request.pk).status == S.REUSED


def test_the_due_date_check_asks_for_a_reason_only_when_late(client, pmm, unscored):
    client.force_login(pmm)
    url = f"/requests/{unscored.pk}/"
    late = client.get(url, {"part": "due-date", "due_date": LATER, "due_date_reason": "Half typed"})
    late = late.content.decode()
    assert "after the rep's needed-by date (13 Mar): say why" in late
    assert "Half typed</textarea>" in late
    in_time = client.get(url, {"part": "due-date", "due_date": "2026-03-12", "due_date_reason": "Half typed"})
    in_time = in_time.content.decode()
    assert "say why" not in in_time
    assert 'type="hidden" name="due_date_reason" value="Half typed"' in " ".join(in_time.split())


def test_the_asset_type_ahead_searches_the_teams_library(client, pmm, sales_rep, unscored, asset):
    client.force_login(pmm)
    url = f"/requests/{unscored.pk}/"
    found = client.get(url, {"part": "assets", "asset_search": "northwind"})
    assert found.content.decode().lstrip().startswith('<div class="form-check">')  # the part alone
    assert "Northwind battlecard" in found.content.decode()
    nothing = client.get(url, {"part": "assets", "asset_search": "webinar invitation"}).content.decode()
    assert "No asset of the team's library matches" in nothing
    # The one already chosen stays listed, whatever is typed.
    kept = client.get(url, {"part": "assets", "asset_search": "webinar invitation", "asset": asset.pk})
    kept = kept.content.decode()
    assert "Northwind battlecard" in kept
    assert "checked" in kept
    client.force_login(sales_rep)  # the requester reads the request, but may not triage it
    assert client.get(url, {"part": "assets", "asset_search": "northwind"}).status_code == 403
    assert client.get(url, {"part": "due-date", "due_date": LATER}).status_code == 403


# --- The API: the same in one POST ---------------------------------------------------------------


def api_errors(response):
    return {e["attr"]: e["detail"] for e in response.json()["errors"]}


def test_the_api_triages_in_one_post(api_client, pmm, unscored):
    api_client.force_authenticate(pmm)
    response = api_client.post(
        f"/api/v1/requests/{unscored.pk}/triage/",
        {
            "reusability": 4,
            "educational_value": 3,
            "effort_hours": "6",
            "decision": "accept",
            "assignee": pmm.pk,
            "due_date": LATER,
            "due_date_reason": REASON,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["assignee"]["username"]) == ("triaged", "pmm")
    assert (body["due_date"], body["due_date_reason"]) == (LATER, REASON)
    assert (body["sla_state"], body["sla_label"]) == (SlaState.ON_TRACK, "Due 20 Mar, in 7 business days")


def test_the_api_answers_400_with_the_pages_fields_and_messages(api_client, client, pmm, unscored):
    before = snapshot(unscored)
    data = {"reusability": 6, "effort_hours": "3", "decision": "accept", "due_date": LATER}
    api_client.force_authenticate(pmm)
    response = api_client.post(f"/api/v1/requests/{unscored.pk}/triage/", data, format="json")
    assert response.status_code == 400
    errors = api_errors(response)
    decision = services.Decision(move="accept", due_date=date(2026, 3, 20))
    expected = services.triage_problems(
        unscored, reusability=6, educational_value=None, effort_hours=3, decision=decision
    )
    assert errors == expected
    assert set(errors) == {"reusability", "educational_value", "assignee", "due_date_reason"}
    assert snapshot(unscored) == before
    # The page says the same for the same submission.
    client.force_login(pmm)
    page = client.post(f"/requests/{unscored.pk}/triage/", {**data, "reusability": "6"})
    page_errors = {field: messages[0] for field, messages in page.context["triage_form"].errors.items()}
    assert {f: m for f, m in page_errors.items() if f != "reusability"} == {
        f: m for f, m in expected.items() if f != "reusability"
    }


def test_the_api_names_a_pick_that_is_not_one_of_the_choices(api_client, pmm, other_pmm, make_request):
    request = make_request(S.NEW)
    api_client.force_authenticate(pmm)
    base = f"/api/v1/requests/{request.pk}/triage/"
    response = api_client.post(
        base, {"decision": "accept", "assignee": other_pmm.pk, "due_date": "2026-03-12"}, format="json"
    )
    assert api_errors(response) == {"assignee": "Pick a product marketer of the request's team."}
    response = api_client.post(base, {"decision": "duplicate", "duplicate_of": 999999}, format="json")
    assert api_errors(response) == {"duplicate_of": "There is no request #999999 in your queue."}
    response = api_client.post(base, {"decision": "maybe"}, format="json")
    assert api_errors(response) == {"decision": "Pick a decision."}
    assert Request.objects.get(pk=request.pk).status == S.NEW


def test_the_api_still_takes_the_scores_alone(api_client, pmm, unscored):
    api_client.force_authenticate(pmm)
    response = api_client.post(
        f"/api/v1/requests/{unscored.pk}/triage/",
        {"reusability": 3, "educational_value": 3, "effort_hours": "2"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "triaged"


def test_the_api_asks_the_requester_and_accepts_with_a_reason(api_client, pmm, make_request):
    request = make_request(S.NEW, needed_by=NEEDED_BY)
    api_client.force_authenticate(pmm)
    response = api_client.post(
        f"/api/v1/requests/{request.pk}/triage/",
        {"decision": "ask_info", "question": "Which deal stage?"},
        format="json",
    )
    assert (response.status_code, response.json()["status"]) == (200, "waiting")
    assert response.json()["sla_state"] == SlaState.PAUSED
    base = f"/api/v1/requests/{request.pk}/accept/"
    response = api_client.post(base, {"assignee": pmm.pk, "due_date": LATER}, format="json")
    assert response.status_code == 400
    assert "Say why" in api_errors(response)["due_date_reason"]
    response = api_client.post(
        base, {"assignee": pmm.pk, "due_date": LATER, "due_date_reason": REASON}, format="json"
    )
    assert response.status_code == 200
    assert Request.objects.get(pk=request.pk).due_date_reason == REASON
    kinds = set(RequestEvent.objects.filter(request=request).values_list("kind", flat=True))
    assert EventKind.STATUS_CHANGED in kinds
