"""The page and the API decide the same way: the workflow table, one permission check before the body, one set of choices."""

from datetime import timedelta

import pytest
from django.utils import timezone

from personas.models import PersonaStatus
from requests_queue import selectors
from requests_queue.models import Asset, Request, RequestEvent, RequestStatus
from tests.factories import AssetFactory, PersonaFactory, UserFactory

S = RequestStatus
FUTURE = (timezone.localdate() + timedelta(days=5)).isoformat()
GARBAGE = b'{"title": [not json'


def rows():
    return Request.objects.count(), RequestEvent.objects.count(), Asset.objects.count()


# --- Who may act is decided before the body is read ----------------------------------------------


@pytest.mark.parametrize("who", ["pmm", "pm", "cmo"])
def test_a_non_sales_caller_posting_garbage_to_create_a_request_gets_403(api_client, cast, who):
    before = rows()
    api_client.force_authenticate(cast[who])
    response = api_client.post("/api/v1/requests/", GARBAGE, content_type="application/json")
    assert response.status_code == 403
    assert rows() == before


@pytest.mark.parametrize("who", ["sales", "pm"])
def test_a_caller_who_may_not_publish_posting_garbage_to_the_library_gets_403(api_client, cast, who):
    before = rows()
    api_client.force_authenticate(cast[who])
    response = api_client.post("/api/v1/assets/", GARBAGE, content_type="application/json")
    assert response.status_code == 403
    assert rows() == before


def test_a_marketer_on_no_team_cannot_publish_whatever_the_body(api_client, db):
    loner = UserFactory(role="pmm")
    api_client.force_authenticate(loner)
    before = rows()
    response = api_client.post("/api/v1/assets/", GARBAGE, content_type="application/json")
    assert response.status_code == 403
    assert rows() == before


@pytest.mark.parametrize(
    ("who", "action", "expected"),
    [
        ("sales", "triage", 403),  # sees it, may not triage
        ("sales", "deliver", 403),
        ("pmm", "cancel", 403),  # only the requester cancels
        ("other_pmm", "triage", 404),  # does not see it: it does not exist for them
        ("other_sales", "cancel", 404),
    ],
)
def test_a_move_the_caller_may_not_make_is_refused_before_the_body(
    api_client, cast, make_request, who, action, expected
):
    people = {**cast, "other_sales": UserFactory(role="sales")}
    request = make_request(S.IN_PROGRESS)
    before = rows()
    api_client.force_authenticate(people[who])
    response = api_client.post(
        f"/api/v1/requests/{request.pk}/{action}/", GARBAGE, content_type="application/json"
    )
    assert response.status_code == expected
    assert rows() == before
    assert Request.objects.get(pk=request.pk).status == S.IN_PROGRESS


def test_a_move_the_table_refuses_is_400_with_the_reason_whatever_the_body(api_client, pmm, make_request):
    request = make_request(S.DELIVERED)
    api_client.force_authenticate(pmm)
    response = api_client.post(
        f"/api/v1/requests/{request.pk}/snooze/", GARBAGE, content_type="application/json"
    )
    assert response.status_code == 400
    assert "This request is delivered, so it cannot be snoozed" in response.content.decode()


def test_a_malformed_id_is_404_not_500(api_client, client, pmm):
    api_client.force_authenticate(pmm)
    assert api_client.get("/api/v1/requests/abc/").status_code == 404
    assert api_client.post("/api/v1/requests/abc/claim/").status_code == 404
    assert api_client.get("/api/v1/assets/1x/").status_code == 404


# --- One set of choices for both doors -------------------------------------------------------


def test_the_api_refuses_a_retired_persona_as_the_form_does(api_client, sales_rep, product, team):
    retired = PersonaFactory(team=team, status=PersonaStatus.RETIRED)
    api_client.force_authenticate(sales_rep)
    response = api_client.post(
        "/api/v1/requests/",
        {
            "type": "slides",
            "title": "Deck",
            "product": product.pk,
            "needed_by": FUTURE,
            "personas": [retired.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Request.objects.exists()
    assert retired not in selectors.persona_choices()


def test_reuse_offers_only_the_request_teams_assets_on_both_doors(
    api_client, client, pmm, make_request, asset, other_team, other_pmm
):
    foreign = AssetFactory(title="Analytics deck", team=other_team, owner=other_pmm)
    request = make_request(S.NEW)
    assert list(selectors.reuse_choices(user=pmm, request=request)) == [asset]
    api_client.force_authenticate(pmm)
    response = api_client.post(
        f"/api/v1/requests/{request.pk}/mark-reused/", {"asset": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert Request.objects.get(pk=request.pk).status == S.NEW
    client.force_login(pmm)
    response = client.post(f"/requests/{request.pk}/decide/", {"decision": "reused", "asset": foreign.pk})
    assert response.status_code == 400
    assert Request.objects.get(pk=request.pk).status == S.NEW


def test_publishing_without_a_review_date_is_refused_by_the_service_on_both_doors(
    api_client, client, pmm, make_request
):
    request = make_request(S.IN_PROGRESS)
    api_client.force_authenticate(pmm)
    response = api_client.post(
        f"/api/v1/requests/{request.pk}/deliver/",
        {"link": "https://drive.example.com/a", "publish": True},
        format="json",
    )
    assert response.status_code == 400
    assert "Set when the asset should be reviewed." in response.content.decode()
    client.force_login(pmm)
    response = client.post(
        f"/requests/{request.pk}/deliver/", {"link": "https://drive.example.com/a", "publish": "on"}
    )
    assert "Set when the asset should be reviewed." in response.content.decode()
    assert Request.objects.get(pk=request.pk).status == S.IN_PROGRESS


def test_an_asset_goes_to_the_publishers_first_team_on_both_doors(api_client, client, pmm, team):
    api_client.force_authenticate(pmm)
    response = api_client.post(
        "/api/v1/assets/",
        {"title": "API kit", "kind": "deck", "link": "https://x.example.com/a", "review_by": FUTURE},
        format="json",
    )
    assert response.status_code == 201
    client.force_login(pmm)
    client.post(
        "/requests/assets/new/",
        {"title": "Page kit", "kind": "deck", "link": "https://x.example.com/p", "review_by": FUTURE},
    )
    assert set(Asset.objects.values_list("title", "team")) == {("API kit", team.pk), ("Page kit", team.pk)}


# --- The detail page offers what the table allows ------------------------------------------------


@pytest.mark.parametrize(
    ("status", "who", "expected"),
    [
        (
            S.NEW,
            "pmm",
            {"triage", "accept", "claim", "reuse", "duplicate", "snooze", "ask_info", "decline", "comment"},
        ),
        (
            S.NEW,
            "cmo",
            {"triage", "accept", "reuse", "duplicate", "snooze", "ask_info", "decline", "comment"},
        ),
        (S.NEW, "sales", {"cancel", "comment"}),
        (
            S.TRIAGED,
            "pmm",
            {
                "triage",
                "accept",
                "start",
                "log_time",
                "deliver",
                "reuse",
                "duplicate",
                "snooze",
                "ask_info",
                "decline",
                "comment",
            },
        ),
        (S.IN_PROGRESS, "pmm", {"triage", "log_time", "deliver", "decline", "comment"}),
        (S.IN_PROGRESS, "sales", {"cancel", "comment"}),
        (S.DELIVERED, "sales", {"rate", "comment"}),
        (S.DELIVERED, "pmm", {"log_time", "comment"}),
        (S.SNOOZED, "pmm", {"triage", "accept", "reuse", "duplicate", "decline", "comment"}),
        (S.WAITING, "pmm", {"triage", "accept", "reuse", "duplicate", "decline", "comment"}),
        (S.WAITING, "sales", {"answer", "cancel", "comment"}),
        (S.CANCELLED, "pmm", {"comment"}),
    ],
)
def test_actions_available_follow_the_table(cast, make_request, status, who, expected):
    request = make_request(status, **({"assignee": None} if status == S.NEW else {}))
    assert selectors.actions_available(user=cast[who], request=request) == expected


def test_another_pmm_of_the_team_does_not_get_the_assignees_moves(cast, make_request, team):
    colleague = UserFactory(role="pmm")
    team.members.add(colleague)
    request = make_request(S.IN_PROGRESS)
    assert selectors.actions_available(user=colleague, request=request) == {"triage", "decline", "comment"}


def test_the_detail_page_offers_only_the_decisions_the_table_allows(client, pmm, make_request):
    client.force_login(pmm)
    html = client.get(f"/requests/{make_request(S.SNOOZED).pk}/").content.decode()
    assert 'value="decline"' in html
    assert 'value="snooze"' not in html  # already snoozed
    html = client.get(f"/requests/{make_request(S.IN_PROGRESS).pk}/").content.decode()
    assert 'value="decline"' in html
    assert 'value="accept"' not in html
    assert 'id="deliver"' in html
    html = client.get(f"/requests/{make_request(S.CANCELLED).pk}/").content.decode()
    assert 'id="triage"' not in html
    assert "Cancel request" not in html
