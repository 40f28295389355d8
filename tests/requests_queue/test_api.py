"""The API: the same rules and messages as the pages, 400s with field errors, and a documented schema."""

from datetime import timedelta

from django.utils import timezone

from requests_queue.models import Request, RequestStatus

S = RequestStatus
FUTURE = (timezone.localdate() + timedelta(days=5)).isoformat()


def errors(response):
    return {e["attr"]: e["detail"] for e in response.json()["errors"]}


def test_sales_create_a_request(api_client, sales_rep, product):
    api_client.force_authenticate(sales_rep)
    response = api_client.post(
        "/api/v1/requests/",
        {
            "type": "call_script",
            "title": "Cold call script for CFOs",
            "product": product.pk,
            "needed_by": FUTURE,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "new"
    assert body["team"] == product.team_id
    assert body["requester"]["username"] == "sales"


def test_unknown_product_and_past_date_are_400_with_field_errors(api_client, sales_rep, product):
    api_client.force_authenticate(sales_rep)
    response = api_client.post(
        "/api/v1/requests/",
        {"type": "slides", "title": "Deck", "product": 999999, "needed_by": FUTURE},
        format="json",
    )
    assert response.status_code == 400
    assert "There is no product with id 999999" in errors(response)["product"]
    response = api_client.post(
        "/api/v1/requests/",
        {"type": "slides", "title": "Deck", "product": product.pk, "needed_by": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "past" in errors(response)["needed_by"]
    assert not Request.objects.exists()


def test_scores_out_of_range_are_400(api_client, pmm, make_request):
    request = make_request(S.NEW, reusability=None, educational_value=None)
    api_client.force_authenticate(pmm)
    response = api_client.post(
        f"/api/v1/requests/{request.pk}/triage/",
        {"reusability": 6, "educational_value": 0, "effort_hours": "2"},
        format="json",
    )
    assert response.status_code == 400
    assert set(errors(response)) == {"reusability", "educational_value"}


def test_illegal_move_is_400_with_the_reason(api_client, pmm, make_request):
    request = make_request(S.DELIVERED)
    api_client.force_authenticate(pmm)
    response = api_client.post(f"/api/v1/requests/{request.pk}/snooze/", {"until": FUTURE}, format="json")
    assert response.status_code == 400
    assert "This request is delivered, so it cannot be snoozed" in response.content.decode()


def test_decline_without_alternative_is_400(api_client, pmm, make_request):
    request = make_request(S.NEW)
    api_client.force_authenticate(pmm)
    response = api_client.post(f"/api/v1/requests/{request.pk}/decline/", {"alternative": " "}, format="json")
    assert response.status_code == 400
    assert Request.objects.get(pk=request.pk).status == S.NEW


def test_claim_then_lose(api_client, pmm, other_pmm, make_request, team):
    request = make_request(S.NEW, assignee=None)
    api_client.force_authenticate(pmm)
    assert api_client.post(f"/api/v1/requests/{request.pk}/claim/").json()["assignee"]["username"] == "pmm"
    team.members.add(other_pmm)
    api_client.force_authenticate(other_pmm)
    response = api_client.post(f"/api/v1/requests/{request.pk}/claim/")
    assert response.status_code == 400
    assert "Priya Mehta claimed this request first" in response.content.decode()


def test_full_flow_through_the_api(api_client, pmm, sales_rep, make_request, asset):
    request = make_request(S.NEW, reusability=None, educational_value=None, effort_hours=None, assignee=None)
    api_client.force_authenticate(pmm)
    base = f"/api/v1/requests/{request.pk}"
    assert (
        api_client.post(
            f"{base}/triage/", {"reusability": 5, "educational_value": 3, "effort_hours": "4"}
        ).status_code
        == 200
    )
    assert api_client.post(f"{base}/accept/", {"assignee": pmm.pk, "due_date": FUTURE}).status_code == 200
    assert api_client.post(f"{base}/start/").json()["status"] == "in_progress"
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert (
        api_client.post(f"{base}/log-time/", {"week_start": monday.isoformat(), "hours": "2.5"}).json()[
            "hours_logged"
        ]
        == "2.5"
    )
    response = api_client.post(
        f"{base}/deliver/",
        {
            "link": "https://drive.example.com/bc",
            "publish": True,
            "asset_kind": "battlecard",
            "review_by": FUTURE,
        },
    )
    assert response.json()["status"] == "delivered"
    api_client.force_authenticate(sales_rep)
    assert api_client.post(f"{base}/rate/", {"rating": 5}).json()["rating"] == 5
    assets = api_client.get("/api/v1/assets/", {"search": request.title}).json()["results"]
    assert any(a["source_request"] == request.pk for a in assets)


def test_api_filters(api_client, pmm, make_request):
    make_request(S.NEW, title="A", type="slides")
    make_request(S.DELIVERED, title="B", type="slides")
    # Overdue is the SLA clock's word (``services.sla``): C waited ten days for an acknowledgement due
    # within one business day. A needed-by date alone makes nothing late.
    late = make_request(
        S.NEW, title="C", type="call_script", needed_by=timezone.localdate() - timedelta(days=1)
    )
    Request.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(days=10))
    api_client.force_authenticate(pmm)

    def titles(params):
        return sorted(r["title"] for r in api_client.get("/api/v1/requests/", params).json()["results"])

    assert titles({"type": "slides"}) == ["A", "B"]
    assert titles({"open": "true"}) == ["A", "C"]
    assert titles({"overdue": "true"}) == ["C"]  # the older name of sla=overdue
    assert titles({"sla": "overdue"}) == ["C"]
    assert titles({"sla": "due_soon"}) == ["A"]  # slides: to acknowledge within one business day
    assert titles({"status": "delivered"}) == ["B"]


def test_schema_documents_the_requests_api(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for action in (
        "triage",
        "accept",
        "claim",
        "start",
        "log-time",
        "deliver",
        "mark-reused",
        "mark-duplicate",
        "snooze",
        "decline",
        "cancel",
        "rate",
        "comment",
    ):
        assert f"/api/v1/requests/{{id}}/{action}/" in paths, action
    assert "/api/v1/assets/" in paths
    assert "Claim an unassigned request" in paths["/api/v1/requests/{id}/claim/"]["post"]["summary"]
