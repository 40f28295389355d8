"""The competitor and win/loss pages: who sees what, forms that say what to fix, flat query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competitive import services
from competitive.models import Competitor, Outcome, WinLossReview
from pmm_portal.core.models import Role
from tests.factories import RequestFactory, TeamFactory, UserFactory


@pytest.fixture
def northwind(team, pmm):
    return services.competitor_create(
        actor=pmm,
        team=team,
        name="Northwind",
        how_we_win="Integrations in days, not months.",
        pricing_notes="List price 20 % under ours; they discount late.",
    )


@pytest.fixture
def outsider(db):
    other = TeamFactory(name="Other team", slug="other-team")
    user = UserFactory(username="outsider", role=Role.PMM)
    other.members.add(user)
    return user


def test_sales_read_a_competitor_but_not_its_signals_or_deals(client, sales_rep, northwind, pmm, team):
    services.review_create(actor=pmm, team=team, account="Acme", outcome=Outcome.LOST, value=Decimal(90000))
    client.force_login(sales_rep)
    page = client.get(northwind.get_absolute_url()).content.decode()
    assert "Integrations in days, not months." in page
    assert "What reps keep asking" not in page
    assert "Reviewed deals" not in page
    assert client.get(reverse("competitive:win_loss")).status_code == 403
    assert client.get(reverse("competitive:edit", args=[northwind.pk])).status_code == 403


def test_another_teams_pmm_sees_nothing_of_the_team(client, outsider, northwind, pmm, team):
    review = services.review_create(actor=pmm, team=team, account="Acme", outcome=Outcome.WON)
    client.force_login(outsider)
    assert client.get(northwind.get_absolute_url()).status_code == 404
    assert client.get(review.get_absolute_url()).status_code == 404
    assert "Northwind" not in client.get(reverse("competitive:index")).content.decode()
    assert client.post(reverse("competitive:edit", args=[northwind.pk]), {"name": "X"}).status_code == 404
    assert Competitor.objects.get(pk=northwind.pk).name == "Northwind"


def test_a_pmm_adds_a_competitor_proposed_by_reps_and_its_requests_count_at_once(client, pmm, team, product):
    RequestFactory(product=product, team=team, competitor="Globex")
    client.force_login(pmm)
    listing = client.get(reverse("competitive:index")).content.decode()
    assert "Named by reps, not on the list yet" in listing
    assert "Globex" in listing
    form = client.get(reverse("competitive:new") + f"?name=Globex&team={team.pk}").content.decode()
    assert 'value="Globex"' in form
    response = client.post(reverse("competitive:new"), {"name": "Globex", "tier": "primary", "team": team.pk})
    competitor = Competitor.objects.get(name="Globex")
    assert response["Location"] == competitor.get_absolute_url()
    page = client.get(competitor.get_absolute_url()).content.decode()
    assert "1 request in 12 months" in page
    assert "Named by reps" not in client.get(reverse("competitive:index")).content.decode()


def test_a_duplicate_name_is_refused_on_the_form(client, pmm, team, northwind):
    client.force_login(pmm)
    response = client.post(
        reverse("competitive:new"), {"name": "NORTHWIND", "tier": "primary", "team": team.pk}
    )
    assert response.status_code == 400
    assert "The Core Platform team already has" in response.content.decode()


def test_recording_a_lost_deal_moves_the_win_rate_on_the_page(client, pmm, team, northwind):
    services.review_create(actor=pmm, team=team, account="Acme", outcome=Outcome.WON, competitor=northwind)
    client.force_login(pmm)
    assert "100 %" in client.get(northwind.get_absolute_url()).content.decode()
    price = next(r for r in services.reasons_of(team) if r.name == "Price")
    response = client.post(
        reverse("competitive:review_new"),
        {
            "team": team.pk,
            "account": "Initrode",
            "outcome": "lost",
            "value": "120000",
            "decided_on": "2026-11-20",
            "competitor": northwind.pk,
            "stage_lost_at": "proposal",
            "reasons": [price.pk],
            "buyer_quote": "Cheaper, and good enough.",
        },
    )
    assert response.status_code == 302
    assert "50 %" in client.get(northwind.get_absolute_url()).content.decode()
    page = client.get(
        reverse("competitive:win_loss") + "?outcome=lost&reason=" + str(price.pk)
    ).content.decode()
    assert "Initrode" in page
    assert "Acme" not in page


def test_a_review_form_with_mistakes_keeps_what_was_typed(client, pmm, team):
    client.force_login(pmm)
    response = client.post(
        reverse("competitive:review_new"),
        {
            "team": team.pk,
            "account": "Initrode",
            "outcome": "won",
            "stage_lost_at": "proposal",
            "decided_on": "2026-11-20",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Only a lost deal was lost at a stage" in text
    assert 'value="Initrode"' in text
    assert not WinLossReview.objects.exists()


def test_the_cmo_keeps_the_reasons_and_retired_ones_stay_on_past_reviews(client, cmo, pmm, team):
    client.force_login(cmo)
    client.post(reverse("competitive:reasons"), {"name": "Partner channel", "team": team.pk})
    reason = next(r for r in services.reasons_of(team) if r.name == "Partner channel")
    review = services.review_create(
        actor=pmm, team=team, account="Acme", outcome=Outcome.LOST, reasons=[reason]
    )
    client.post(reverse("competitive:reason", args=[reason.pk]), {"active": "false"})
    reason.refresh_from_db()
    assert reason.active is False
    assert list(review.reasons.all()) == [reason]
    client.force_login(pmm)
    form = client.get(reverse("competitive:review_new")).content.decode()
    assert ">Partner channel</label>" not in form  # not offered for new reviews
    assert ">Price</label>" in form


def test_competitor_options_answer_the_request_forms_type_ahead(client, sales_rep, northwind):
    client.force_login(sales_rep)
    results = client.get(reverse("competitive:options") + "?q=north").json()["results"]
    assert [r["value"] for r in results] == ["Northwind"]


def _count(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/competitors/", "/competitors/win-loss/"])
def test_query_counts_do_not_grow_with_the_data(client, pmm, team, product, url):
    def add(n):
        for i in range(n):
            c = services.competitor_create(
                actor=pmm, team=team, name=f"Rival {Competitor.objects.count()}-{i}"
            )
            services.review_create(
                actor=pmm,
                team=team,
                account=f"A{i}",
                outcome=Outcome.LOST,
                competitor=c,
                reasons=services.reasons_of(team)[:2],
                decided_on=date(2026, 3 + i % 6, 1),
            )
            RequestFactory(product=product, team=team, competitor=c.name)

    add(2)
    small = _count(client, pmm, url)
    add(15)
    assert _count(client, pmm, url) == small


def test_competitor_page_query_count_does_not_grow_with_its_requests(client, pmm, team, product, northwind):
    for _ in range(2):
        RequestFactory(product=product, team=team, competitor="Northwind")
    small = _count(client, pmm, northwind.get_absolute_url())
    for _ in range(20):
        RequestFactory(product=product, team=team, competitor="northwind")
    assert _count(client, pmm, northwind.get_absolute_url()) == small


def test_the_competitor_page_lists_live_assets_and_conversations_that_name_it(
    client, pmm, sales_rep, team, northwind
):
    from django.utils import timezone

    from tests.factories import AssetFactory, InteractionFactory

    AssetFactory(team=team, owner=pmm, title="Atlas vs Northwind battlecard")
    AssetFactory(team=team, owner=pmm, title="Old Northwind deck", retired_at=timezone.now())
    InteractionFactory(
        team=team, owner=pmm, account="Hooli", notes="They run Northwind today and hate the support."
    )
    client.force_login(pmm)
    page = client.get(northwind.get_absolute_url()).content.decode()
    assert "Atlas vs Northwind battlecard" in page
    assert "Old Northwind deck" not in page  # retired: never offered again
    assert "Hooli" in page
    client.force_login(sales_rep)
    page = client.get(northwind.get_absolute_url()).content.decode()
    assert "Atlas vs Northwind battlecard" in page
    assert "Hooli" not in page  # conversations stay with marketing
