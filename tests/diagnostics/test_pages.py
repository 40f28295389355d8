"""The diagnostic's pages: the matrix, opening a round, answering as you go, secrecy until it closes,
forms that say what to fix, flat query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diagnostics import services
from diagnostics.models import Answer, DiagnosticRound, Responsibility, RoundStatus
from pmm_portal.core.models import Role
from tests.diagnostics.conftest import answer_all, seat
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def outsider(db):
    other = TeamFactory(name="Other team", slug="other-team")
    user = UserFactory(username="outsider", role=Role.PMM)
    other.members.add(user)
    return user


def test_the_matrix_is_seeded_from_the_articles_on_first_visit(client, pm, team):
    client.force_login(pm)
    page = client.get(reverse("diagnostics:responsibilities")).content.decode()
    assert "Buyer personas" in page
    assert "Knowledge transfer before launch" in page
    names = set(Responsibility.objects.filter(team=team).values_list("name", flat=True))
    assert {"User personas", "Value proposition", "Win/loss feedback", "Messaging"} <= names
    services.responsibilities_of(team)
    assert Responsibility.objects.filter(team=team).count() == len(names)  # seeded once


def test_the_team_adds_renames_retires_and_reorders_responsibilities(client, pmm, team):
    client.force_login(pmm)
    url = reverse("diagnostics:responsibilities")
    response = client.post(
        url,
        {
            "team": team.slug,
            "name": "Pricing and packaging",
            "area": "Value",
            "intended_owner": "shared",
            "lead": "pmm",
        },
    )
    assert response.status_code == 302
    added = Responsibility.objects.get(team=team, name="Pricing and packaging")
    assert (added.intended_owner, added.lead) == ("shared", "pmm")
    first = services.responsibilities_of(team)[0]
    client.post(
        reverse("diagnostics:responsibility", args=[first.pk]), {"name": "Market problems", "active": "false"}
    )
    first.refresh_from_db()
    assert (first.name, first.active) == ("Market problems", False)
    client.post(reverse("diagnostics:responsibility_move", args=[first.pk]), {"direction": "down"})
    assert services.responsibilities_of(team)[1].pk == first.pk


def test_a_bad_responsibility_is_a_form_message_not_an_error(client, cmo, team):
    client.force_login(cmo)
    services.responsibilities_of(team)
    url = reverse("diagnostics:responsibilities")
    taken = client.post(
        url, {"team": team.slug, "name": "buyer PERSONAS", "area": "X", "intended_owner": "pmm"}
    )
    assert taken.status_code == 400
    assert "is already on the list" in taken.content.decode()
    no_lead = client.post(
        url, {"team": team.slug, "name": "New one", "area": "X", "intended_owner": "shared"}
    )
    assert no_lead.status_code == 400
    assert "Say which side leads a shared responsibility." in no_lead.content.decode()
    no_area = client.post(
        url, {"team": team.slug, "name": "New one", "area": "", "intended_owner": "nonsense"}
    )
    assert no_area.status_code == 400


def test_another_team_sees_nothing_of_the_diagnostic(client, outsider, round_open, team):
    item = services.responsibilities_of(team)[0]
    client.force_login(outsider)
    assert client.get(round_open.get_absolute_url()).status_code == 404
    assert client.get(reverse("diagnostics:answer", args=[round_open.pk])).status_code == 404
    assert (
        client.post(reverse("diagnostics:responsibility", args=[item.pk]), {"name": "X"}).status_code == 404
    )
    assert "Q3 diagnostic" not in client.get(reverse("diagnostics:index")).content.decode()


def test_sales_see_a_round_only_when_asked(client, sales_rep, cmo, pmm, team):
    client.force_login(sales_rep)
    assert "No round is open." in client.get(reverse("diagnostics:index")).content.decode()
    asked = services.round_open(actor=cmo, team=team, title="With sales", participants=[pmm, sales_rep])
    other = services.round_open(actor=cmo, team=team, title="Without", participants=[pmm, cmo])
    index = client.get(reverse("diagnostics:index")).content.decode()
    assert "With sales" in index
    assert "Without" not in index
    assert reverse("diagnostics:answer", args=[asked.pk]) in index
    assert client.get(asked.get_absolute_url()).status_code == 200
    assert client.get(reverse("diagnostics:answer", args=[asked.pk])).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404


def test_the_cmo_opens_a_round_for_the_team(client, cmo, pmm, pm, team):
    client.force_login(cmo)
    form = client.get(reverse("diagnostics:round_new")).content.decode()
    assert pmm.display_name in form
    response = client.post(
        reverse("diagnostics:round_new"),
        {"team": team.slug, "title": "Q3", "participants": [pmm.pk, pm.pk, cmo.pk]},
    )
    round = DiagnosticRound.objects.get(title="Q3")
    assert response["Location"] == round.get_absolute_url()
    assert round.items.count() == Responsibility.objects.filter(team=team, active=True).count()
    assert round.participants.count() == 3


def test_a_round_with_one_participant_says_why(client, cmo, pmm, team):
    client.force_login(cmo)
    response = client.post(
        reverse("diagnostics:round_new"), {"team": team.slug, "title": "Q3", "participants": [pmm.pk]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ask at least two people" in page
    assert not DiagnosticRound.objects.exists()


def test_a_participant_answers_row_by_row_and_sees_their_progress(client, pmm, round_open):
    client.force_login(pmm)
    url = reverse("diagnostics:answer", args=[round_open.pk])
    total = round_open.items.count()
    assert f"0 of {total} answered" in client.get(url).content.decode()
    item = round_open.items.first()
    saved = client.post(url, {"item": item.pk, "owner": "pmm"}, HTTP_HX_REQUEST="true").content.decode()
    assert "give a score" in saved
    saved = client.post(url, {"item": item.pk, "owner": "pmm", "score": "4"}, HTTP_HX_REQUEST="true")
    assert f"1 of {total} answered" in saved.content.decode()
    answer = Answer.objects.get(participant=seat(round_open, pmm), item=item)
    assert (answer.owner, answer.score) == ("pmm", 4)
    assert f"1 of {total} answered" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"owner": "marketing", "score": "3"},
        {"owner": "pm", "score": "9"},
        {"owner": "pm", "score": "abc"},
        {"item": "nope", "owner": "pm"},
        {"item": "999999", "owner": "pm"},
        {"owner": "pm", "comment": "x" * 600},
    ],
)
def test_a_bad_answer_is_a_message_never_a_500(client, pmm, round_open, data):
    client.force_login(pmm)
    url = reverse("diagnostics:answer", args=[round_open.pk])
    body = {"item": round_open.items.first().pk, **data}
    htmx = client.post(url, body, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200
    assert "Not saved:" in htmx.content.decode()
    assert client.post(url, body).status_code == 400
    assert not Answer.objects.exists()


def test_nobody_sees_anyone_elses_answers_before_the_round_closes(client, pmm, pm, cmo, round_open):
    answer_all(round_open, pm, "pm", 2)
    item = round_open.items.first()
    services.answer_save(
        participant=seat(round_open, pm), item_id=item.pk, owner="nobody", score=1, comment="Secret PM view"
    )
    for user in (pmm, cmo):
        client.force_login(user)
        round_page = client.get(round_open.get_absolute_url()).content.decode()
        sheet = client.get(reverse("diagnostics:answer", args=[round_open.pk])).content.decode()
        for page in (round_page, sheet):
            assert "Secret PM view" not in page
            assert "Conversation guide" not in page
        assert "checked" not in sheet  # their own sheet is blank: the PM's choices are not in it
    # The CMO sees who has answered, not what.
    client.force_login(cmo)
    page = client.get(round_open.get_absolute_url()).content.decode()
    total = round_open.items.count()
    assert f"{total} of {total}" in page
    assert pm.display_name in page


def test_closing_shows_the_results_to_everyone_in_the_round(client, pmm, pm, cmo, round_open):
    answer_all(round_open, pm, "pm", 4, **{"Messaging": ("pm", 2)})
    answer_all(round_open, pmm, "pmm", 4, **{"Messaging": ("pmm", 2)})
    client.force_login(pmm)
    assert client.post(reverse("diagnostics:round_close", args=[round_open.pk])).status_code == 403
    client.force_login(cmo)
    client.post(reverse("diagnostics:round_close", args=[round_open.pk]))
    round_open.refresh_from_db()
    assert round_open.status == RoundStatus.CLOSED
    for user in (pmm, pm, cmo):
        client.force_login(user)
        page = client.get(round_open.get_absolute_url()).content.decode()
        assert "Conversation guide" in page
        assert "Blurred" in page
        assert "Heatmap by area" in page
    # Closed is final: answers are refused, a second close says so.
    client.force_login(pmm)
    response = client.post(
        reverse("diagnostics:answer", args=[round_open.pk]),
        {"item": round_open.items.first().pk, "owner": "pm", "score": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert "The round is closed" in response.content.decode()


def test_a_round_nobody_answered_stays_open(client, cmo, round_open):
    client.force_login(cmo)
    client.post(reverse("diagnostics:round_close", args=[round_open.pk]), follow=True)
    round_open.refresh_from_db()
    assert round_open.is_open


# --- Query counts -----------------------------------------------------------------------------------


def _count(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(team, cmo, pmm, pm, rounds: int, extra_people: int, extra_items: int):
    """More rounds, more participants, more responsibilities and answers."""
    people = [pmm, pm, cmo]
    for _ in range(extra_people):
        person = UserFactory(role=Role.PMM)
        team.members.add(person)
        people.append(person)
    base = Responsibility.objects.filter(team=team).count()
    for n in range(extra_items):
        services.responsibility_save(
            team=team, name=f"Extra {base + n}", area=f"Area {n % 3}", intended_owner="pmm"
        )
    made = []
    for n in range(rounds):
        round = services.round_open(
            actor=cmo, team=team, title=f"Round {DiagnosticRound.objects.count()}", participants=people
        )
        for user in people:
            answer_all(round, user, "pmm" if n % 2 else "pm", 3)
        made.append(round)
    return made


def test_list_and_matrix_query_counts_do_not_grow(client, team, cmo, pmm, pm):
    services.responsibilities_of(team)
    _grow(team, cmo, pmm, pm, rounds=1, extra_people=0, extra_items=0)
    urls = [reverse("diagnostics:index"), reverse("diagnostics:responsibilities")]
    small = [_count(client, pmm, url) for url in urls]
    _grow(team, cmo, pmm, pm, rounds=3, extra_people=3, extra_items=8)
    assert [_count(client, pmm, url) for url in urls] == small


def test_round_pages_query_counts_do_not_grow(client, team, cmo, pmm, pm):
    services.responsibilities_of(team)

    def pages(rounds):
        closed = rounds[0]
        services.round_close(actor=cmo, round=closed)
        still_open = rounds[1]
        return [
            (cmo, closed.get_absolute_url()),
            (cmo, still_open.get_absolute_url()),
            (pmm, reverse("diagnostics:answer", args=[still_open.pk])),
        ]

    # A round closed before, so that both sizes show a trend (the previous round's two queries).
    services.round_close(actor=cmo, round=_grow(team, cmo, pmm, pm, 1, 0, 0)[0])
    small = [_count(client, user, url) for user, url in pages(_grow(team, cmo, pmm, pm, 2, 0, 0))]
    big = [_count(client, user, url) for user, url in pages(_grow(team, cmo, pmm, pm, 2, 4, 10))]
    assert big == small
