"""The intake log: a CMO reads their teams' messages, an administrator every team's; the form shows the addresses."""

import pytest
from django.urls import reverse

from intake.models import InboundMessage, Outcome
from tests.factories import RequestFactory


def received(team, n: int, **fields) -> None:
    InboundMessage.objects.bulk_create(
        InboundMessage(
            message_id=f"<{team.slug}-{i}-{fields.get('sender', 'x')}@mail>",
            sender=fields.get("sender", "rep@example.com"),
            recipient=f"{team.slug}@requests.example.com",
            subject=fields.get("subject", f"Ask {i}"),
            team=team,
            outcome=fields.get("outcome", Outcome.CREATED),
            request=fields.get("request"),
        )
        for i in range(n)
    )


def test_a_cmo_sees_the_messages_of_the_teams_they_lead_only(client, cmo, team, other_team, settings):
    settings.EMAIL_INTAKE_DOMAIN = "requests.example.com"
    received(team, 1, subject="Pricing for Acme")
    received(other_team, 1, subject="Secret of the other team")
    client.force_login(cmo)
    page = client.get(reverse("intake:index")).content.decode()
    assert "Pricing for Acme" in page
    assert "Secret of the other team" not in page
    assert f"{team.slug}@requests.example.com" in page


def test_an_administrator_filters_by_outcome(client, admin_user, team, other_team):
    received(team, 1, subject="Filed one")
    received(other_team, 1, subject="Refused one", outcome=Outcome.REFUSED, sender="who@else")
    client.force_login(admin_user)
    page = client.get(reverse("intake:index") + "?outcome=refused").content.decode()
    assert "Refused one" in page
    assert "Filed one" not in page
    assert "Email intake is not set up" in page  # no domain: says how to set it up


@pytest.mark.parametrize("size", [2, 20])
def test_the_log_costs_the_same_queries_at_any_size(
    client, cmo, team, product, sales_rep, size, django_assert_max_num_queries
):
    request = RequestFactory(requester=sales_rep, product=product)
    received(team, size, request=request)
    client.force_login(cmo)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("intake:index")).status_code == 200


def test_the_request_form_shows_each_team_address_once_intake_is_set_up(client, sales_rep, team, settings):
    client.force_login(sales_rep)
    assert "On the road? Email it" not in client.get(reverse("requests_queue:new")).content.decode()
    settings.EMAIL_INTAKE_DOMAIN = "requests.example.com"
    page = client.get(reverse("requests_queue:new")).content.decode()
    assert "On the road? Email it" in page
    assert f"mailto:{team.slug}@requests.example.com" in page
