"""``/api/v1/responsibilities/`` and ``/api/v1/diagnostics/``: the same rules as the pages, 400s with
field errors, secrecy until a round closes, flat query counts."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diagnostics import services
from diagnostics.models import Answer, DiagnosticRound
from pmm_portal.core.models import Role
from tests.diagnostics.conftest import answer_all
from tests.factories import TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _no_throttle_carry_over():
    cache.clear()


def test_the_team_keeps_its_responsibilities_through_the_api(api_client, pm, team):
    api_client.force_login(pm)
    rows = api_client.get("/api/v1/responsibilities/?page_size=100").json()["results"]
    assert "Buyer personas" in [r["name"] for r in rows]
    created = api_client.post(
        "/api/v1/responsibilities/",
        {"name": "Pricing", "area": "Value and positioning", "intended_owner": "shared", "lead": "pm"},
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    retired = api_client.patch(f"/api/v1/responsibilities/{pk}/", {"active": False})
    assert retired.json()["active"] is False
    assert retired.json()["name"] == "Pricing"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "area": "X", "intended_owner": "pm"},
        {"name": "Buyer personas", "area": "X", "intended_owner": "pm"},
        {"name": "New", "area": "X", "intended_owner": "shared"},
        {"name": "New", "area": "X", "intended_owner": "sales"},
        {"name": "New" * 100, "area": "X", "intended_owner": "pm"},
    ],
)
def test_a_bad_responsibility_is_a_400_with_the_field(api_client, pmm, team, body):
    services.responsibilities_of(team)
    api_client.force_login(pmm)
    response = api_client.post("/api/v1/responsibilities/", body)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"


def test_the_cmo_opens_and_closes_a_round_and_everyone_in_it_reads_the_results(
    api_client, cmo, pmm, pm, team
):
    api_client.force_login(cmo)
    created = api_client.post(
        "/api/v1/diagnostics/", {"title": "Q3", "participants": [pmm.pk, pm.pk], "team": team.slug}
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert [p["answered"] for p in created.json()["progress"]] == [0, 0]
    round = DiagnosticRound.objects.get(pk=pk)
    item = round.items.get(name="Messaging")
    for user, owner in ((pm, "pm"), (pmm, "pmm")):
        api_client.force_login(user)
        saved = api_client.post(
            f"/api/v1/diagnostics/{pk}/answers/",
            {"item": item.pk, "owner": owner, "score": 2, "comment": "Hm"},
        )
        assert saved.status_code == 200, saved.json()
        assert api_client.get(f"/api/v1/diagnostics/{pk}/results/").status_code == 400  # still open
    api_client.force_login(pmm)
    assert api_client.post(f"/api/v1/diagnostics/{pk}/close/").status_code == 403
    api_client.force_login(cmo)
    assert api_client.get(f"/api/v1/diagnostics/{pk}/").json()["progress"][0]["answered"] == 1
    assert api_client.post(f"/api/v1/diagnostics/{pk}/close/").json()["status"] == "closed"
    assert api_client.post(f"/api/v1/diagnostics/{pk}/close/").status_code == 400
    api_client.force_login(pm)
    results = api_client.get(f"/api/v1/diagnostics/{pk}/results/").json()
    messaging = next(r for r in results["items"] if r["name"] == "Messaging")
    assert messaging["assessment"]["agreement"] == 0.5
    assert messaging["assessment"]["flags"] == ["blurred", "duplicated", "weak"]
    assert messaging["comments"] == ["Hm", "Hm"]
    assert results["guide"][0]["name"] == "Messaging"


def test_a_participant_reads_only_their_own_answers_before_the_round_closes(api_client, pmm, pm, round_open):
    answer_all(round_open, pm, "nobody", 1)
    api_client.force_login(pmm)
    assert api_client.get(f"/api/v1/diagnostics/{round_open.pk}/answers/").json() == []
    assert api_client.get(f"/api/v1/diagnostics/{round_open.pk}/").json()["progress"] is None
    assert api_client.get(f"/api/v1/diagnostics/{round_open.pk}/results/").status_code == 400
    api_client.force_login(pm)
    mine = api_client.get(f"/api/v1/diagnostics/{round_open.pk}/answers/").json()
    assert len(mine) == round_open.items.count()
    assert {a["owner"] for a in mine} == {"nobody"}


def test_outsiders_and_sales_get_404_and_non_participants_403(api_client, sales_rep, admin_user, round_open):
    other = TeamFactory(name="Elsewhere", slug="elsewhere")
    outsider = UserFactory(role=Role.PMM)
    other.members.add(outsider)
    for user in (outsider, sales_rep):
        api_client.force_login(user)
        assert api_client.get(f"/api/v1/diagnostics/{round_open.pk}/").status_code == 404
        assert api_client.post(f"/api/v1/diagnostics/{round_open.pk}/answers/", {}).status_code == 404
    api_client.force_login(admin_user)
    assert api_client.post(f"/api/v1/diagnostics/{round_open.pk}/answers/", {}).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"owner": "pm", "score": 7},
        {"owner": "everyone", "score": 3},
        {"item": 99999999, "owner": "pm"},
        {"item": "x", "owner": "pm"},
        {"owner": "pm", "comment": "x" * 600},
        {"owner": "pm", "score": "three"},
    ],
)
def test_a_bad_answer_is_a_400(api_client, pmm, round_open, body):
    api_client.force_login(pmm)
    data = {"item": round_open.items.first().pk, **body}
    response = api_client.post(f"/api/v1/diagnostics/{round_open.pk}/answers/", data)
    assert response.status_code == 400, response.content
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "participants": [1]},
        {"title": "Q3", "participants": []},
        {"title": "Q3", "participants": "everyone"},
        {"title": "Q3", "participants": [999999]},
    ],
)
def test_a_bad_round_is_a_400(api_client, cmo, team, body):
    api_client.force_login(cmo)
    response = api_client.post("/api/v1/diagnostics/", {**body, "team": team.slug})
    assert response.status_code == 400


def _count(api_client, user, url):
    api_client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(url).status_code == 200
    return len(queries)


def test_api_lists_and_results_query_counts_do_not_grow(api_client, team, cmo, pmm, pm):
    def grow(rounds, people):
        asked = [pmm, pm, cmo]
        for _ in range(people):
            person = UserFactory(role=Role.PM)
            team.members.add(person)
            asked.append(person)
        made = []
        for n in range(rounds):
            round = services.round_open(actor=cmo, team=team, title=f"R{n}", participants=asked)
            for user in asked:
                answer_all(round, user, "pmm", 3)
            made.append(services.round_close(actor=cmo, round=round))
        return made[-1]

    grow(1, 0)
    last = grow(1, 0)
    urls = ["/api/v1/diagnostics/", "/api/v1/responsibilities/", f"/api/v1/diagnostics/{last.pk}/results/"]
    small = [_count(api_client, pmm, url) for url in urls]
    last = grow(3, 4)
    urls[2] = f"/api/v1/diagnostics/{last.pk}/results/"
    assert [_count(api_client, pmm, url) for url in urls] == small
