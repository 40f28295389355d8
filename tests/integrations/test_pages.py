"""The integration pages and API: who manages what, form and field errors instead of 500s, the
navigation entry, SLA-breach posts, and list pages whose query count does not grow with the data."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations import services
from integrations.models import Delivery, Endpoint, EndpointKind
from requests_queue.models import RequestStatus
from tests.factories import RequestFactory


def _endpoint(actor, team, url="https://example.com/hook", **kwargs):
    return services.endpoint_create(
        actor=actor,
        kind=kwargs.pop("kind", EndpointKind.WEBHOOK),
        name=kwargs.pop("name", "CRM"),
        url=url,
        events=kwargs.pop("events", ["win.recorded"]),
        team=team,
    )


def test_a_cmo_registers_a_webhook_from_the_form(client, cmo, team):
    client.force_login(cmo)
    assert client.get("/integrations/new/?kind=webhook").status_code == 200
    response = client.post(
        "/integrations/new/",
        {
            "kind": "webhook",
            "name": "CRM",
            "url": "https://crm.example.com/in",
            "events": ["request.created"],
            "team": team.pk,
        },
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == endpoint.get_absolute_url()
    assert (endpoint.owner, endpoint.team, endpoint.events) == (cmo, team, ["request.created"])
    assert len(endpoint.secret) == 64
    page = client.get(endpoint.get_absolute_url()).content.decode()
    assert endpoint.secret in page
    assert "Send a test" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "file:///etc/passwd"),
        ("url", "javascript:alert(1)"),
        ("url", "ftp://x.example.com"),
        ("events", []),
    ],
)
def test_bad_input_is_a_form_error(client, cmo, team, field, value):
    client.force_login(cmo)
    data = {
        "kind": "webhook",
        "name": "CRM",
        "url": "https://ok.example.com",
        "events": ["win.recorded"],
        "team": team.pk,
    }
    data[field] = value
    response = client.post("/integrations/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Endpoint.objects.exists()


def test_a_cmo_cannot_use_another_teams_events(client, api_client, cmo, team, other_team):
    client.force_login(cmo)
    data = {
        "kind": "webhook",
        "name": "x",
        "url": "https://x.example.com",
        "events": ["win.recorded"],
        "team": other_team.pk,
    }
    assert client.post("/integrations/new/", data).status_code == 400
    api_client.force_login(cmo)
    response = api_client.post("/api/v1/integrations/", {**data, "team": other_team.slug}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "team"
    response = api_client.post("/api/v1/integrations/", {**data, "team": None}, format="json")
    assert response.status_code == 400
    assert not Endpoint.objects.exists()


def test_the_api_registers_and_changes_an_endpoint(api_client, cmo, team):
    api_client.force_login(cmo)
    response = api_client.post(
        "/api/v1/integrations/",
        {
            "kind": "slack",
            "name": "#pmm",
            "url": "https://hooks.slack.com/services/T/B/X",
            "events": ["request.created"],
            "team": team.slug,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["team"], body["active"]) == ("slack", team.pk, True)
    response = api_client.patch(f"/api/v1/integrations/{body['id']}/", {"url": "gopher://x"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "url"
    response = api_client.post(f"/api/v1/integrations/{body['id']}/pause/")
    assert response.json()["active"] is False
    response = api_client.post(f"/api/v1/integrations/{body['id']}/ping/")
    assert response.status_code == 400  # paused: resume first
    assert api_client.post(f"/api/v1/integrations/{body['id']}/resume/").json()["active"] is True
    assert api_client.delete(f"/api/v1/integrations/{body['id']}/").status_code == 204


def test_another_teams_cmo_sees_nothing_of_ours(client, api_client, cmo, team, other_team):
    from tests.factories import UserFactory

    theirs = UserFactory(username="other_cmo", role="cmo")
    other_team.lead = theirs
    other_team.save()
    ours = _endpoint(cmo, team)
    client.force_login(theirs)
    assert client.get(ours.get_absolute_url()).status_code == 404
    assert client.post(f"/integrations/{ours.pk}/delete/").status_code == 404
    assert ours.get_absolute_url() not in client.get("/integrations/").content.decode()
    api_client.force_login(theirs)
    assert api_client.get("/api/v1/integrations/").json()["count"] == 0
    assert Endpoint.objects.filter(pk=ours.pk).exists()


def test_the_navigation_offers_integrations_to_admins_and_cmos_only(client, cast):
    for role, user in cast.items():
        client.force_login(user)
        shown = 'href="/integrations/"' in client.get("/").content.decode()
        assert shown == (role in ("cmo", "admin")), role


def test_an_overdue_request_is_posted_once_to_the_channels_that_hear_sla_breaches(
    cmo, team, product, sales_rep
):
    channel = _endpoint(cmo, team, kind=EndpointKind.SLACK, events=["request.sla_breached"])
    RequestFactory(requester=sales_rep, product=product, team=team, status=RequestStatus.NEW)
    late = RequestFactory(requester=sales_rep, product=product, team=team, status=RequestStatus.NEW)
    type(late).objects.filter(pk=late.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    assert services.sla_breaches_publish() == 1
    assert services.sla_breaches_publish() == 0  # once per request and target
    delivery = Delivery.objects.get(endpoint=channel)
    assert delivery.event_key.startswith(f"sla:{late.pk}:")
    assert "Past its service level" in delivery.body["text"]


def _count(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add(cmo, team, pmm, n):
    from initiatives import services as initiative_services

    for i in range(n):
        _endpoint(cmo, team, name=f"Hook {Endpoint.objects.count()}", url=f"https://e{i}.example.com")
    for i in range(n):
        initiative_services.win_create(user=pmm, title=f"Win {i}", impact="", date=timezone.localdate())


@pytest.mark.parametrize(
    "url",
    [
        "/integrations/",
        "/integrations/deliveries/",
        "/api/v1/integrations/",
        "/api/v1/integration-deliveries/",
    ],
)
def test_list_query_counts_do_not_grow_with_the_data(client, cmo, team, pmm, url):
    # Session and user, the role door's teams check, the page's count and rows (endpoints: with their
    # pending and failed counts grouped in the same query), the filter's choices.
    _add(cmo, team, pmm, 2)
    small = _count(client, cmo, url)
    _add(cmo, team, pmm, 10)
    assert Delivery.objects.count() > 40
    assert _count(client, cmo, url) == small


def test_the_detail_pages_query_counts_do_not_grow(client, cmo, team, pmm):
    _add(cmo, team, pmm, 2)
    endpoint = Endpoint.objects.first()
    delivery = Delivery.objects.filter(endpoint=endpoint).first()
    small = (
        _count(client, cmo, endpoint.get_absolute_url()),
        _count(client, cmo, delivery.get_absolute_url()),
    )
    _add(cmo, team, pmm, 8)
    assert (
        _count(client, cmo, endpoint.get_absolute_url()),
        _count(client, cmo, delivery.get_absolute_url()),
    ) == small
