"""The learning log ("execute and learn"): PMMs log their experiments, the team and its leader read
them, the monthly review and the team's report pull in the month's, and everyone else sees nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives import selectors, services
from initiatives.models import Learning, LearningResult
from pmm_portal.core.models import Role
from reporting import selectors as report_selectors
from tests.factories import InitiativeFactory, LearningFactory, MonthlyReviewFactory, UserFactory

OCTOBER = dt.date(2026, 10, 1)
FIELDS = {
    "title": "Objection-first battlecard",
    "hypothesis": "Reps use a card that opens with the objection.",
    "tried": "Two versions, one per region, four weeks.",
    "lesson": "Open with the objection.",
}


@pytest.fixture
def initiative(pmm, team):
    return InitiativeFactory(owner=pmm, team=team, title="Battlecards vs Globex")


@pytest.fixture
def learning(pmm, team, initiative):
    return LearningFactory(owner=pmm, team=team, initiative=initiative, title="Short SDR emails")


# --- Services --------------------------------------------------------------------------------------------


def test_a_pmm_logs_a_learning_on_their_initiative(pmm, team, initiative):
    learning = services.learning_create(
        user=pmm,
        date=dt.date(2026, 10, 14),
        initiative=initiative,
        measure="Views per opportunity",
        result=LearningResult.CONFIRMED,
        result_notes="3× the views.",
        **FIELDS,
    )
    assert (learning.team, learning.owner, learning.initiative) == (team, pmm, initiative)
    assert learning.result == "confirmed"


def test_the_rules_of_a_learning(pmm, pm, cmo, other_pmm, team, other_team):
    theirs = InitiativeFactory(owner=other_pmm, team=other_team)
    with pytest.raises(ValidationError):
        services.learning_create(user=pmm, date=OCTOBER, initiative=theirs, **FIELDS)
    with pytest.raises(ValidationError):
        services.learning_create(user=pmm, date=OCTOBER, **{**FIELDS, "lesson": "  "})
    with pytest.raises(ValidationError):
        services.learning_create(user=pmm, date=OCTOBER, result="maybe", **FIELDS)
    for someone in (pm, cmo):
        with pytest.raises(PermissionDenied):
            services.learning_create(user=someone, date=OCTOBER, **FIELDS)


def test_only_its_owner_changes_a_learning(pmm, other_pmm, cmo, learning):
    services.learning_update(
        user=pmm, learning=learning, result=LearningResult.REFUTED, lesson="Keep calling."
    )
    learning.refresh_from_db()
    assert (learning.result, learning.lesson) == ("refuted", "Keep calling.")
    for someone in (other_pmm, cmo):
        with pytest.raises(PermissionDenied):
            services.learning_update(user=someone, learning=learning, title="Mine now")


# --- Who sees what ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "list_code", "detail_code", "edit_code"),
    [
        ("pmm", 200, 200, 200),
        ("pm", 200, 200, 403),
        ("cmo", 200, 200, 403),
        ("other_pmm", 200, 404, 404),
        ("sales", 403, 403, 403),
        ("admin", 200, 200, 200),
    ],
)
def test_permissions(client, cast, learning, role, list_code, detail_code, edit_code):
    client.force_login(cast[role])
    listing = client.get("/initiatives/learnings/")
    assert listing.status_code == list_code
    if list_code == 200:
        assert ("Short SDR emails" in listing.content.decode()) == (role != "other_pmm")
    assert client.get(f"/initiatives/learnings/{learning.pk}/").status_code == detail_code
    assert client.get(f"/initiatives/learnings/{learning.pk}/edit/").status_code == edit_code


def test_other_teams_and_sales_see_nothing_in_the_api(api_client, cast, learning):
    for role, code in (("other_pmm", 404), ("sales", 403)):
        api_client.force_login(cast[role])
        assert api_client.get(f"/api/v1/learnings/{learning.pk}/").status_code == code
    api_client.force_login(cast["other_pmm"])
    assert api_client.get("/api/v1/learnings/").json()["count"] == 0


# --- Pages -------------------------------------------------------------------------------------------------


def test_log_and_edit_a_learning_from_the_pages(client, pmm, initiative):
    client.force_login(pmm)
    form = client.get(f"/initiatives/learnings/new/?initiative={initiative.pk}")
    assert form.status_code == 200
    assert "typeahead" in form.content.decode()
    response = client.post(
        "/initiatives/learnings/new/",
        {**FIELDS, "date": "2026-10-14", "initiative": initiative.pk, "result": "confirmed"},
    )
    assert response.status_code == 302
    learning = Learning.objects.get(title=FIELDS["title"])
    assert learning.initiative == initiative
    response = client.post(
        f"/initiatives/learnings/{learning.pk}/edit/",
        {**FIELDS, "date": "2026-10-14", "result": "inconclusive", "lesson": "Run it longer."},
    )
    assert response.status_code == 302
    learning.refresh_from_db()
    assert (learning.result, learning.lesson, learning.initiative) == ("inconclusive", "Run it longer.", None)
    detail = client.get(f"/initiatives/learnings/{learning.pk}/").content.decode()
    assert "Run it longer." in detail


def test_an_empty_required_field_is_a_form_error(client, pmm):
    client.force_login(pmm)
    response = client.post("/initiatives/learnings/new/", {**FIELDS, "date": "2026-10-14", "tried": ""})
    assert response.status_code == 400
    assert not Learning.objects.exists()


def test_the_list_searches_filters_and_sorts(client, cmo, pmm, team, initiative):
    pmm2 = UserFactory(role=Role.PMM, first_name="Zoe")
    team.members.add(pmm2)
    LearningFactory(owner=pmm, team=team, initiative=initiative, title="Alpha", date=dt.date(2026, 10, 3))
    LearningFactory(owner=pmm, team=team, title="Bravo", result="refuted", date=dt.date(2026, 9, 3))
    LearningFactory(
        owner=pmm2, team=team, title="Charlie", lesson="Partners want margin", date=dt.date(2026, 10, 9)
    )
    client.force_login(cmo)

    def titles(query):
        html = client.get(f"/initiatives/learnings/?{query}").content.decode()
        return [t for t in ("Alpha", "Bravo", "Charlie") if f">{t}</a>" in html]

    assert titles("") == ["Alpha", "Bravo", "Charlie"]
    assert titles("result=refuted") == ["Bravo"]
    assert titles("month=2026-10") == ["Alpha", "Charlie"]
    assert titles(f"owner={pmm2.pk}") == ["Charlie"]
    assert titles(f"initiative={initiative.pk}") == ["Alpha"]
    assert titles("q=margin") == ["Charlie"]
    html = client.get("/initiatives/learnings/?sort=date").content.decode()
    assert html.index(">Bravo<") < html.index(">Alpha<") < html.index(">Charlie<")
    assert "No learning matches" in client.get("/initiatives/learnings/?q=zzz").content.decode()


def test_an_empty_log_says_what_to_do(client, pmm, team):
    client.force_login(pmm)
    assert "Log a learning" in client.get("/initiatives/learnings/").content.decode()


def test_the_initiative_page_links_its_learnings(client, cmo, learning, initiative):
    client.force_login(cmo)
    html = client.get(f"/initiatives/{initiative.pk}/").content.decode()
    assert "Short SDR emails" in html
    assert f"/initiatives/learnings/?initiative={initiative.pk}" in html


# --- The monthly review and the report ----------------------------------------------------------------------


def test_the_review_pulls_in_the_months_learnings(client, pmm, cmo, team, other_pmm, other_team):
    review = MonthlyReviewFactory(owner=pmm, team=team, month=OCTOBER)
    LearningFactory(owner=pmm, team=team, title="In October", date=dt.date(2026, 10, 31))
    LearningFactory(owner=pmm, team=team, title="In November", date=dt.date(2026, 11, 1))
    LearningFactory(owner=other_pmm, team=other_team, title="Theirs", date=dt.date(2026, 10, 5))
    assert [item.title for item in selectors.review_detail(review=review)["learnings"]] == ["In October"]
    client.force_login(cmo)
    html = client.get(f"/initiatives/reviews/{review.pk}/").content.decode()
    assert "In October" in html
    assert "In November" not in html


def test_the_report_lists_the_teams_learnings_of_the_month(team, pmm, other_pmm, other_team, cmo, client):
    LearningFactory(owner=pmm, team=team, title="In October", date=dt.date(2026, 10, 2))
    LearningFactory(owner=pmm, team=team, title="In September", date=dt.date(2026, 9, 30))
    LearningFactory(owner=other_pmm, team=other_team, title="Theirs", date=dt.date(2026, 10, 5))
    snapshot = report_selectors.month_snapshot(team=team, month=OCTOBER)
    assert [row["title"] for row in snapshot["learning_log"]] == ["In October"]
    assert snapshot["learning_log"][0]["result"] == "Confirmed"

    from reporting import exports
    from reporting import services as report_services

    report = report_services.report_produce_now(team=team, month=OCTOBER, mail=False)
    assert "In October" in exports.report_csv(report, "learning_log")
    client.force_login(cmo)
    assert "In October" in client.get(f"/reporting/reports/{report.pk}/").content.decode()
    assert client.get(f"/reporting/reports/{report.pk}/report.pdf").status_code == 200


# --- API ------------------------------------------------------------------------------------------------------


def test_the_api_logs_lists_and_changes_learnings(api_client, pmm, cmo, initiative):
    api_client.force_login(pmm)
    response = api_client.post(
        "/api/v1/learnings/",
        {**FIELDS, "date": "2026-10-14", "initiative": initiative.pk, "result": "refuted"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert (
        api_client.patch(f"/api/v1/learnings/{pk}/", {"lesson": "Call instead."}, format="json").status_code
        == 200
    )
    assert Learning.objects.get(pk=pk).lesson == "Call instead."
    assert api_client.get("/api/v1/learnings/?result=refuted").json()["count"] == 1
    api_client.force_login(cmo)
    assert api_client.get("/api/v1/learnings/").json()["count"] == 1
    assert api_client.post("/api/v1/learnings/", {}, format="json").status_code == 403
    assert api_client.patch(f"/api/v1/learnings/{pk}/", {"lesson": "x"}, format="json").status_code == 403


# --- Queries ---------------------------------------------------------------------------------------------------


# Session, user, then: the count, the page of learnings with owner, team and initiative, the team's
# PMMs for the owner filter.
LIST_QUERIES = {"/initiatives/learnings/": 5, "/api/v1/learnings/": 4}


@pytest.mark.parametrize("path", list(LIST_QUERIES))
def test_the_list_reads_the_same_for_3_or_30_learnings(client, cmo, pmm, team, initiative, path):
    def build(size):
        for n in range(size):
            LearningFactory(owner=pmm, team=team, initiative=initiative if n % 2 else None)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    build(3)
    client.force_login(cmo)
    small = count()
    build(30)
    assert (small, count()) == (LIST_QUERIES[path], LIST_QUERIES[path])
