"""What reps keep asking about a persona: its requests by month, deal value, trend and open questions.

A hand-built dataset around a frozen today, 3 November 2026 (a month's first days, when "this month"
is nearly empty), with requests of the persona's team, one of another team tagged with it and one
of the team tagged with another persona. Every expected figure is worked out below.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_queue import selectors
from requests_queue.models import Request, RequestStatus
from tests.factories import PersonaFactory, RequestFactory

UTC = dt.UTC
NOV_3 = dt.date(2026, 11, 3)
S = RequestStatus


def _request(product, persona, created, *, value=None, status=S.NEW, title="A question"):
    request = RequestFactory(
        product=product,
        status=status,
        title=title,
        opportunity_value=None if value is None else Decimal(value),
    )
    if persona is not None:
        request.personas.add(persona)
    Request.objects.filter(pk=request.pk).update(created_at=created)
    return request


@pytest.fixture
def cio(team, pmm):
    return PersonaFactory(
        name="Security-minded CIO", team=team, owner=pmm, status="validated", last_validated_at=timezone.now()
    )


@pytest.fixture
def asked(product, other_product, team, pmm, cio):
    """The requests about ``cio``, by name; the figures in the tests follow from their dates."""
    other = PersonaFactory(
        name="Finance lead", team=team, owner=pmm, status="validated", last_validated_at=timezone.now()
    )
    at = lambda *a: dt.datetime(*a, tzinfo=UTC)  # noqa: E731
    return {
        "r1": _request(product, cio, at(2026, 11, 2, 10), value=1000, title="Audit story"),  # open
        "r2": _request(product, cio, at(2026, 11, 1, 0, 30), value=500, status=S.CANCELLED),
        "r3": _request(product, cio, at(2026, 10, 31, 23, 30), value=2000, status=S.TRIAGED),  # open
        "r4": _request(product, cio, at(2026, 10, 15, 9)),  # open, no deal value
        "r5": _request(product, cio, at(2026, 8, 10, 9), value=300, status=S.CANCELLED),  # in 90 days
        "r6": _request(product, cio, at(2026, 8, 1, 9), value=100, status=S.CANCELLED),  # before them
        "r7": _request(product, cio, at(2025, 11, 30, 9)),  # open, older than 12 months
        "not_tagged": _request(product, other, at(2026, 11, 2, 11), value=7000),
        "other_team": _request(other_product, cio, at(2026, 11, 2, 12), value=9999),
    }


@pytest.mark.usefixtures("asked")
def test_signals_of_the_team_as_its_pmm_sees_them(pmm, cio):
    signals = selectors.persona_signals(user=pmm, persona=cio, today=NOV_3)

    by_month = {m.month: (m.requests, m.deal_value) for m in signals.months}
    assert len(signals.months) == 12
    assert signals.months[0].month == dt.date(2025, 12, 1)  # r7 (30 Nov 2025) is a month too old
    assert signals.months[-1].month == dt.date(2026, 11, 1)
    assert by_month[dt.date(2026, 11, 1)] == (2, Decimal(1500))  # r1, r2
    assert by_month[dt.date(2026, 10, 1)] == (2, Decimal(2000))  # r3, r4 (no value)
    assert by_month[dt.date(2026, 8, 1)] == (2, Decimal(400))  # r5, r6
    assert by_month[dt.date(2026, 9, 1)] == (0, Decimal(0))
    assert signals.total_requests == 6
    assert signals.deal_value == Decimal(3900)
    assert signals.peak == 2
    # 90 days before 3 November is 5 August: r5 counts, r6 (1 August) does not.
    assert (signals.signal.this_month, signals.signal.last_month, signals.signal.recent) == (2, 2, 5)
    assert signals.signal.trend == "flat"  # 2 last month against a pace of 5/3 a month
    assert signals.open_count == 4  # r1, r3, r4 and r7, whatever their age
    assert [r.title for r in signals.open_requests] == [
        "Audit story",
        "A question",
        "A question",
        "A question",
    ]


def test_the_first_day_of_a_month(pmm, cio, asked):
    signals = selectors.persona_signals(user=pmm, persona=cio, today=dt.date(2026, 11, 1))
    # r2 at 00:30 on the 1st counts for this month; r1 (the 2nd) is not yet submitted on the 1st.
    assert (signals.signal.this_month, signals.signal.last_month) == (1, 2)
    assert signals.signal.recent == 4  # since 3 August: r2, r3, r4, r5


@pytest.mark.usefixtures("asked")
def test_another_team_sees_only_its_own_requests_about_a_shared_persona(other_pmm, admin_user, cio):
    mine = selectors.persona_signals(user=other_pmm, persona=cio, today=NOV_3)
    assert (mine.total_requests, mine.deal_value, mine.open_count) == (1, Decimal(9999), 1)
    everyone = selectors.persona_signals(user=admin_user, persona=cio, today=NOV_3)
    assert everyone.total_requests == 7
    assert everyone.signal.this_month == 3


def test_a_rising_trend(pmm, cio, product):
    for day in (5, 12, 19):
        _request(product, cio, dt.datetime(2026, 10, day, 9, tzinfo=UTC))
    signals = selectors.persona_signals(user=pmm, persona=cio, today=NOV_3)
    assert signals.signal.trend == "up"  # 3 last month, a pace of 1 a month


class TestPersonasAskedAbout:
    """The dashboard's persona half: the same counts, per persona, for the teams shown."""

    @pytest.mark.usefixtures("asked")
    def test_counts_match_the_persona_page(self, pmm, team, cio):
        rows = selectors.personas_asked_about(user=pmm, teams=[team], today=NOV_3)
        assert [(r.name, r.signal.this_month, r.signal.last_month, r.signal.recent) for r in rows] == [
            ("Security-minded CIO", 2, 2, 5),
            ("Finance lead", 1, 0, 1),
        ]
        page = selectors.persona_signals(user=pmm, persona=cio, today=NOV_3).signal
        assert rows[0].signal == page
        assert rows[0].get_absolute_url() == f"/personas/{cio.pk}/"

    @pytest.mark.usefixtures("asked")
    def test_another_teams_requests_do_not_count(self, admin_user, team, other_team):
        rows = selectors.personas_asked_about(user=admin_user, teams=[other_team], today=NOV_3)
        assert [(r.name, r.signal.this_month) for r in rows] == [("Security-minded CIO", 1)]

    def test_a_draft_of_another_team_is_never_named(self, pmm, team, product, other_team, other_pmm):
        draft = PersonaFactory(name="Their secret draft", team=other_team, owner=other_pmm, status="draft")
        _request(product, draft, dt.datetime(2026, 11, 2, 9, tzinfo=UTC))
        assert selectors.personas_asked_about(user=pmm, teams=[team], today=NOV_3) == []


# --- The page fragment ----------------------------------------------------------------------------


@pytest.mark.usefixtures("asked")
def test_the_fragment_lists_the_open_questions(client, pmm, cio):
    client.force_login(pmm)
    response = client.get(f"/requests/about-persona/{cio.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="persona-requests"' in body
    assert "Open questions (4)" in body
    assert "Audit story" in body


@pytest.mark.parametrize("who", ["sales", "pm"])
def test_sales_and_product_managers_are_refused(client, cast, cio, who):
    client.force_login(cast[who])
    assert client.get(f"/requests/about-persona/{cio.pk}/").status_code == 403


@pytest.mark.parametrize("who", ["pmm", "cmo"])
def test_a_persona_the_user_cannot_see_is_a_404(client, cast, other_team, other_pmm, who):
    draft = PersonaFactory(team=other_team, owner=other_pmm, status="draft")
    client.force_login(cast[who])
    assert client.get(f"/requests/about-persona/{draft.pk}/").status_code == 404
    assert client.get("/requests/about-persona/999999/").status_code == 404
    client.force_login(other_pmm)  # its own team's draft
    assert client.get(f"/requests/about-persona/{draft.pk}/").status_code == 200


@pytest.mark.parametrize(("who", "shown"), [("pmm", True), ("cmo", True), ("sales", False), ("pm", False)])
def test_the_persona_page_loads_it_for_marketing_only(client, cast, cio, who, shown):
    client.force_login(cast[who])
    body = client.get(f"/personas/{cio.pk}/").content.decode()
    assert (f'hx-get="/requests/about-persona/{cio.pk}/"' in body) is shown


def test_query_count_is_flat(client, pmm, cio, product):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/requests/about-persona/{cio.pk}/", headers={"HX-Request": "true"})
            assert response.status_code == 200
        return len(queries)

    client.force_login(pmm)
    _request(product, cio, dt.datetime(2026, 11, 2, 9, tzinfo=UTC), value=10)
    small = count()
    for n in range(25):
        _request(product, cio, dt.datetime(2026, 1 + n % 11, 2, 9, tzinfo=UTC), value=n)
    # Session, user; the persona; the months (with the last 90 days); the open requests; their count.
    assert count() == small
    assert small <= 6
