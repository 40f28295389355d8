"""Who may open every page and endpoint of the initiatives app, as a table.

A PMM changes their own plan, time, reviews and wins; team members and the CMO
who leads the team read them; sales sees nothing here (403); a PMM of another
team gets 404 on the objects. Time entries are their author's alone.
"""

import datetime

import pytest

from tests.factories import InitiativeFactory, MonthlyReviewFactory, TimeEntryFactory, WinFactory

ROLES = ["sales", "pmm", "pm", "cmo", "other_pmm", "admin"]
READ = {"pmm": 200, "pm": 200, "cmo": 200, "admin": 200, "other_pmm": 200, "sales": 403}
READ_OBJECT = {"pmm": 200, "pm": 200, "cmo": 200, "admin": 200, "other_pmm": 404, "sales": 403}
PMM_PAGE = {"pmm": 200, "other_pmm": 200, "admin": 200, "pm": 403, "cmo": 403, "sales": 403}
CHANGE_OBJECT = {"pmm": 200, "admin": 200, "pm": 403, "cmo": 403, "other_pmm": 404, "sales": 403}


@pytest.fixture
def objects(pmm, team):
    initiative = InitiativeFactory(owner=pmm, team=team, title="Battlecards")
    return {
        "initiative": initiative.pk,
        "review": MonthlyReviewFactory(owner=pmm, team=team).pk,
        "win": WinFactory(owner=pmm, team=team, initiative=initiative).pk,
        "entry": TimeEntryFactory(user=pmm, week_start=datetime.date(2026, 11, 16)).pk,
    }


PAGES = [
    ("/initiatives/", READ),
    ("/initiatives/team/", READ),
    ("/initiatives/timeline/", READ),
    ("/initiatives/all/", READ),
    ("/initiatives/reviews/", READ),
    ("/initiatives/wins/", READ),
    ("/initiatives/new/", PMM_PAGE),
    ("/initiatives/timesheet/", PMM_PAGE),
    ("/initiatives/wins/new/", PMM_PAGE),
    ("/initiatives/{initiative}/", READ_OBJECT),
    ("/initiatives/{initiative}/edit/", CHANGE_OBJECT),
    ("/initiatives/reviews/{review}/", READ_OBJECT),
    ("/api/v1/initiatives/", READ),
    ("/api/v1/initiatives/{initiative}/", READ_OBJECT),
    ("/api/v1/wins/", READ),
    ("/api/v1/wins/{win}/", READ_OBJECT),
    # Time entries: the author's; read by their team's leader and by administrators.
    ("/api/v1/time-entries/", {**PMM_PAGE, "cmo": 200}),
    ("/api/v1/time-entries/{entry}/", {**PMM_PAGE, "cmo": 200, "other_pmm": 404}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "expected"), PAGES, ids=[p for p, _ in PAGES])
def test_get_answers_by_role(client, cast, objects, role, path, expected):
    client.force_login(cast[role])
    response = client.get(path.format(**objects))
    assert response.status_code == expected[role]


WRITES = [
    (
        "post",
        "/initiatives/{initiative}/focus/",
        {"action": "add"},
        {**CHANGE_OBJECT, "pmm": 302, "admin": 302},
    ),
    (
        "post",
        "/initiatives/{initiative}/updates/",
        {"status": "at_risk", "message": "Blocked"},
        {**CHANGE_OBJECT, "pmm": 302, "admin": 302},
    ),
    (
        "post",
        "/initiatives/{initiative}/milestones/",
        {"title": "Draft", "due_date": "2026-12-01"},
        {**CHANGE_OBJECT, "pmm": 302, "admin": 302},
    ),
    (
        "post",
        "/initiatives/reviews/{review}/",
        {"action": "save", "learnings": "x"},
        {**CHANGE_OBJECT, "pmm": 302, "admin": 302},
    ),
    (
        "post",
        "/initiatives/reviews/{review}/reopen/",
        {"reason": "x"},
        {**CHANGE_OBJECT, "pmm": 302, "admin": 302},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "data", "expected"), WRITES, ids=[w[1] for w in WRITES])
def test_page_writes_answer_by_role(client, cast, objects, role, method, path, data, expected):
    client.force_login(cast[role])
    response = getattr(client, method)(path.format(**objects), data)
    assert response.status_code == expected[role]


API_WRITES = [
    ("patch", "/api/v1/initiatives/{initiative}/", {"title": "Sharper battlecards"}, CHANGE_OBJECT),
    ("post", "/api/v1/initiatives/{initiative}/focus/", {}, CHANGE_OBJECT),
    ("patch", "/api/v1/wins/{win}/", {"title": "Won Globex"}, CHANGE_OBJECT),
    # Changed by their author (and an administrator), never by the leader who reads them.
    ("patch", "/api/v1/time-entries/{entry}/", {"hours": "5"}, {**PMM_PAGE, "other_pmm": 404}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "data", "expected"), API_WRITES, ids=[w[1] + w[0] for w in API_WRITES]
)
def test_api_writes_answer_by_role(api_client, cast, objects, role, method, path, data, expected):
    api_client.force_login(cast[role])
    response = getattr(api_client, method)(path.format(**objects), data, format="json")
    assert response.status_code == expected[role], response.content


@pytest.mark.parametrize("role", ["pm", "cmo", "sales"])
def test_only_pmms_create_initiatives_and_wins_through_the_api(api_client, cast, role):
    api_client.force_login(cast[role])
    body = {"title": "X", "goal": "Y", "start_date": "2026-11-01", "target_date": "2026-12-01"}
    assert api_client.post("/api/v1/initiatives/", body, format="json").status_code == 403
    assert (
        api_client.post(
            "/api/v1/wins/", {"title": "X", "impact": "Y", "date": "2026-11-01"}, format="json"
        ).status_code
        == 403
    )


def test_lists_never_show_another_teams_objects(api_client, client, pmm, other_pmm, team, other_team):
    InitiativeFactory(owner=pmm, team=team, title="Ours")
    InitiativeFactory(owner=other_pmm, team=other_team, title="Theirs")
    WinFactory(owner=other_pmm, team=other_team, title="Their win")
    api_client.force_login(pmm)
    assert [i["title"] for i in api_client.get("/api/v1/initiatives/").json()["results"]] == ["Ours"]
    assert api_client.get("/api/v1/wins/").json()["count"] == 0
    client.force_login(pmm)
    html = client.get("/initiatives/all/").content.decode()
    assert "Ours" in html
    assert "Theirs" not in html
    assert "Their win" not in client.get("/initiatives/wins/").content.decode()
