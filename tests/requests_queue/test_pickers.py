"""Pickers that search (issue 13): duplicate-of, the win's initiative and request, the initiative's
personas. The page carries only what is chosen; the rest comes from a JSON search scoped to what the
person may pick."""

from django.urls import reverse

from requests_queue.forms import TriageForm
from requests_queue.models import RequestStatus
from tests.factories import InitiativeFactory, PersonaFactory, ProductFactory, RequestFactory, TeamFactory

S = RequestStatus


def results(client, url, q):
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_duplicate_of_is_searched_among_the_teams_requests_by_words_or_number(
    client, make_request, pmm, sales_rep
):
    request = make_request(S.NEW, title="Battlecard against Northwind for Acme")
    original = make_request(S.DELIVERED, title="Northwind battlecard for healthcare deals")
    make_request(S.NEW, title="Email template for the webinar")
    elsewhere = TeamFactory(name="Data", slug="data")
    RequestFactory(
        requester=sales_rep,
        team=elsewhere,
        product=ProductFactory(team=elsewhere, name="Beacon", slug="beacon"),
        title="Northwind battlecard (Data team)",
    )
    client.force_login(pmm)
    url = reverse("requests_queue:duplicate_options", args=[request.pk])
    found = results(client, url, "northwind battlecard")
    assert [r["value"] for r in found] == [original.pk]  # not itself, not another team's
    assert found[0]["text"] == f"#{original.pk} Northwind battlecard for healthcare deals"
    assert [r["value"] for r in results(client, url, f"#{original.pk}")] == [original.pk]
    assert results(client, url, f"#{request.pk}") == []


def test_the_triage_form_renders_only_the_chosen_original(make_request, pmm):
    request = make_request(S.NEW)
    original = make_request(S.DELIVERED)
    form = TriageForm(
        {"duplicate_of": str(original.pk)},
        user=pmm,
        request=request,
        assignees=pmm.__class__.objects.none(),
        assets=request.__class__.objects.none(),
    )
    html = str(form["duplicate_of"])
    assert 'data-typeahead="/requests/' in html
    assert html.count("<option") == 1
    assert f'value="{original.pk}" selected' in html


def test_sales_cannot_search_for_duplicates(client, make_request, sales_rep):
    request = make_request(S.NEW)
    client.force_login(sales_rep)
    assert client.get(reverse("requests_queue:duplicate_options", args=[request.pk])).status_code == 403


def test_the_win_form_searches_the_pmms_own_initiatives_and_requests(
    client, pmm, other_pmm, team, make_request
):
    mine = InitiativeFactory(owner=pmm, team=team, title="Launch Atlas Edge in Germany")
    InitiativeFactory(owner=other_pmm, team=team, title="Launch Atlas Edge in France")
    worked_on = make_request(S.DELIVERED, title="Pricing slide for Initech")
    client.force_login(pmm)
    assert [r["value"] for r in results(client, reverse("initiatives:options"), "launch atlas")] == [mine.pk]
    found = results(client, reverse("initiatives:win-request-options"), "pricing")
    assert [r["value"] for r in found] == [worked_on.pk]
    assert [
        r["value"] for r in results(client, reverse("initiatives:win-request-options"), f"#{worked_on.pk}")
    ] == [worked_on.pk]
    page = client.get(reverse("initiatives:win-new")).content.decode()
    assert 'data-typeahead="/initiatives/options/"' in page
    assert "Launch Atlas Edge in Germany" not in page  # searched, not listed


def test_the_initiative_form_searches_the_teams_personas(client, pmm, team):
    ours = PersonaFactory(team=team, owner=pmm, name="Finance approver")
    PersonaFactory(team=TeamFactory(name="Data", slug="data"), name="Finance analyst")
    client.force_login(pmm)
    assert [r["value"] for r in results(client, reverse("initiatives:persona-options"), "finance")] == [
        ours.pk
    ]
    page = client.get(reverse("initiatives:new")).content.decode()
    assert 'data-typeahead="/initiatives/persona-options/"' in page
    assert "Finance approver" not in page
