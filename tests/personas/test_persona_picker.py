"""The persona picker searches as you type (``/personas/options/``) instead of listing every persona."""

import pytest
from django.utils import timezone

from personas.models import PersonaStatus
from requests_queue.models import Request
from tests.factories import PersonaFactory
from tests.requests_queue.test_pages import form_data

OPTIONS = "/personas/options/"


def names(response):
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


@pytest.fixture
def personas(team, other_team, pmm, other_pmm):
    return {
        "architect": PersonaFactory(
            name="Platform architect",
            job_titles="Principal Engineer",
            team=team,
            owner=pmm,
            status="validated",
            last_validated_at=timezone.now(),
        ),
        "cfo": PersonaFactory(name="Budget holder", job_titles="CFO, VP Finance", team=team, owner=pmm),
        "retired": PersonaFactory(name="Old architect", team=team, owner=pmm, status=PersonaStatus.RETIRED),
        "other_draft": PersonaFactory(
            name="Their architect draft", team=other_team, owner=other_pmm, status=PersonaStatus.DRAFT
        ),
    }


def test_a_pmm_finds_personas_by_name_or_job_title_never_retired_ones(client, pmm, personas):
    client.force_login(pmm)
    assert names(client.get(OPTIONS, {"q": "archit"})) == ["Platform architect"]
    assert names(client.get(OPTIONS, {"q": "cfo"})) == ["Budget holder"]
    first = client.get(OPTIONS, {"q": "archit"}).json()["results"][0]
    assert first == {
        "value": personas["architect"].pk,
        "text": "Platform architect",
        "meta": "Principal Engineer · Core Platform",
    }


def test_names_that_start_with_the_text_come_first(client, pmm, team, personas):
    PersonaFactory(name="Architect of change", team=team, owner=pmm)
    client.force_login(pmm)
    assert names(client.get(OPTIONS, {"q": "archit"})) == ["Architect of change", "Platform architect"]


def test_a_rep_is_offered_only_what_they_may_read(client, sales_rep, personas):
    client.force_login(sales_rep)
    found = names(client.get(OPTIONS, {"q": "archit"}))
    assert "Platform architect" in found
    assert "Their architect draft" not in found  # another team's draft


def test_anonymous_visitors_sign_in_first(client, personas):
    assert client.get(OPTIONS, {"q": "archit"}).status_code == 302


def test_the_request_form_lists_only_the_chosen_personas(client, sales_rep, product, personas):
    client.force_login(sales_rep)
    page = client.get("/requests/new/").content.decode()
    assert 'data-typeahead="/personas/options/"' in page
    assert "Platform architect" not in page  # nothing rendered until searched
    chosen = personas["architect"]
    response = client.post("/requests/new/", form_data(product, title="", personas=[chosen.pk]))
    assert response.status_code == 200  # the title is missing: the form comes back
    assert f'<option value="{chosen.pk}" selected>Platform architect</option>' in response.content.decode()
    assert "Budget holder" not in response.content.decode()


def test_a_persona_picked_is_saved_with_the_request(client, sales_rep, product, personas):
    client.force_login(sales_rep)
    client.post("/requests/new/", form_data(product, personas=[personas["architect"].pk]))
    assert list(Request.objects.get().personas.all()) == [personas["architect"]]
