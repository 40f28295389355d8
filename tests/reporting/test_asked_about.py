"""The dashboard's "What reps ask about": top competitors and personas by requests, this month so far,
last month and the last 90 days.

A hand-built dataset around a frozen today (3 November 2026, then 1 December 2026: a month's first
days, when "this month" is empty or nearly so). A request is about a competitor when it names it or
an alias, any case, on the competitor's team, exactly as on the competitor's own pages (the test
checks the figures against ``competitive.selectors.attach_signals``); about a persona when tagged.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from competitive.selectors import attach_signals, competitor_list
from competitive.services import competitor_create
from reporting.selectors import asked_about
from requests_queue.models import Request
from tests.factories import PersonaFactory, RequestFactory

UTC = dt.UTC
NOV_3 = dt.date(2026, 11, 3)
DEC_1 = dt.date(2026, 12, 1)


def _ask(product, *, on, competitor="", personas=()):
    request = RequestFactory(product=product, competitor=competitor)
    if personas:
        request.personas.add(*personas)
    Request.objects.filter(pk=request.pk).update(created_at=dt.datetime.combine(on, dt.time(10), UTC))
    return request


def _persona(team, owner, name):
    return PersonaFactory(
        name=name, team=team, owner=owner, status="validated", last_validated_at=timezone.now()
    )


@pytest.fixture
def asked(team, product, other_team, other_product, pmm, other_pmm):
    d = dt.date
    for name, aliases in (
        ("Northwind", "NW, North Wind"),
        ("Globex", ""),
        ("Initech", ""),
        ("Hooli", ""),
        ("Umbrella", ""),
        ("Acme", ""),
        ("Soylent", ""),
    ):
        competitor_create(actor=pmm, team=team, name=name, aliases=aliases)
    competitor_create(actor=other_pmm, team=other_team, name="Northwind")
    cio = _persona(team, pmm, "Security-minded CIO")
    finance = _persona(team, pmm, "Finance lead")
    # Northwind by its name and aliases, whatever the case: 2 in November, 2 in October, 1 in September.
    _ask(product, on=d(2026, 11, 2), competitor="northwind", personas=[cio])
    _ask(product, on=d(2026, 11, 1), competitor="NW")
    _ask(product, on=d(2026, 10, 20), competitor="North Wind ", personas=[cio])
    _ask(product, on=d(2026, 10, 5), competitor="Northwind")
    _ask(product, on=d(2026, 9, 10), competitor="NORTHWIND", personas=[finance])
    for day in (d(2026, 10, 30), d(2026, 10, 12), d(2026, 10, 2)):
        _ask(product, on=day, competitor="Globex")
    _ask(product, on=d(2026, 11, 2), competitor="Initech")
    _ask(product, on=d(2026, 9, 5), competitor="Hooli")
    _ask(product, on=d(2026, 8, 20), competitor="Hooli")
    _ask(product, on=d(2026, 8, 10), competitor="Umbrella")
    _ask(product, on=d(2026, 8, 12), competitor="Acme")
    _ask(product, on=d(2026, 6, 1), competitor="Soylent")  # older than 90 days
    _ask(product, on=d(2026, 11, 2), competitor="Contoso")  # no record: proposed, never counted
    # Another team's requests count for its own records, never for this team's.
    _ask(other_product, on=d(2026, 11, 2), competitor="Northwind", personas=[cio])
    return {"cio": cio, "finance": finance}


def _rows(figures, kind):
    return [
        (row["name"], row["signal"].this_month, row["signal"].last_month, row["signal"].recent)
        for row in figures[kind]
    ]


def test_top_five_in_a_months_first_days(cmo, team, asked):
    figures = asked_about(user=cmo, teams=[team], today=NOV_3)
    # Ranked by this month and last month together, then by the last 90 days (since 5 August),
    # then by name: Acme and Umbrella tie, and Umbrella is the sixth.
    assert _rows(figures, "competitors") == [
        ("Northwind", 2, 2, 5),
        ("Globex", 0, 3, 3),
        ("Initech", 1, 0, 1),
        ("Hooli", 0, 0, 2),
        ("Acme", 0, 0, 1),
    ]
    assert _rows(figures, "personas") == [("Security-minded CIO", 1, 1, 2), ("Finance lead", 0, 0, 1)]
    assert figures["this_month"] == dt.date(2026, 11, 1)
    assert figures["last_month"] == dt.date(2026, 10, 1)
    assert figures["several_teams"] is False


def test_the_first_of_the_month_is_not_empty(cmo, team, asked):
    figures = asked_about(user=cmo, teams=[team], today=DEC_1)
    # Nothing yet in December; November and the 90 days since 2 September fill the card.
    assert _rows(figures, "competitors") == [
        ("Northwind", 0, 2, 5),
        ("Initech", 0, 1, 1),
        ("Globex", 0, 0, 3),
        ("Hooli", 0, 0, 1),
    ]
    assert _rows(figures, "personas") == [("Security-minded CIO", 0, 1, 2), ("Finance lead", 0, 0, 1)]


@pytest.mark.parametrize("today", [NOV_3, DEC_1])
def test_figures_match_the_competitor_list(cmo, team, asked, today):
    """The competitors' page counts with ``attach_signals``: the card shows the same numbers."""
    listed = list(competitor_list(user=cmo).filter(team=team))
    attach_signals(listed, today=today)
    on_list = {c.name: (c.signal.this_month, c.signal.last_month, c.signal.recent) for c in listed}
    for name, *counts in _rows(asked_about(user=cmo, teams=[team], today=today), "competitors"):
        assert on_list[name] == tuple(counts)


def test_the_team_selector_is_respected(admin_user, team, other_team, asked):
    theirs = asked_about(user=admin_user, teams=[other_team], today=NOV_3)
    assert _rows(theirs, "competitors") == [("Northwind", 1, 0, 1)]
    assert _rows(theirs, "personas") == [("Security-minded CIO", 1, 0, 1)]  # our persona, their request
    both = asked_about(user=admin_user, teams=[team, other_team], today=NOV_3)
    assert both["several_teams"] is True
    assert [(row["name"], row["team"]) for row in both["competitors"][:2]] == [
        ("Northwind", "Core Platform"),
        ("Globex", "Core Platform"),
    ]
    assert ("Northwind", "Analytics") in [(row["name"], row["team"]) for row in both["competitors"]]
    assert _rows(both, "personas")[0] == ("Security-minded CIO", 2, 1, 3)


# --- The dashboard page ---------------------------------------------------------------------------


def test_the_dashboard_shows_the_card_with_links(
    client, admin_user, team, product, other_team, other_product
):
    today = timezone.localdate()
    northwind = competitor_create(actor=admin_user, team=team, name="Northwind")
    contoso = competitor_create(actor=admin_user, team=other_team, name="Contoso")
    cio = _persona(team, admin_user, "Security-minded CIO")
    _ask(product, on=today, competitor="Northwind", personas=[cio])
    _ask(other_product, on=today, competitor="contoso")
    client.force_login(admin_user)

    body = client.get("/reporting/", {"team": team.slug}).content.decode()
    assert "What reps ask about" in body
    assert f'href="/competitors/{northwind.pk}/"' in body
    assert f'href="/personas/{cio.pk}/"' in body
    assert "Contoso" not in body

    body = client.get("/reporting/").content.decode()  # every team
    assert f'href="/competitors/{contoso.pk}/"' in body


def test_a_new_competitor_shows_at_once_with_the_figures_cache_on(client, settings, cmo, team, product, pmm):
    settings.FIGURES_CACHE_SECONDS = 600
    cache.clear()
    _ask(product, on=timezone.localdate(), competitor="Northwind")
    client.force_login(cmo)
    url = f"/reporting/?team={team.slug}"
    # A name reps typed is not yet a record: nothing counts for it.
    assert "No request named one of the team" in client.get(url).content.decode()
    northwind = competitor_create(actor=pmm, team=team, name="Northwind")
    body = client.get(url).content.decode()
    assert f'href="/competitors/{northwind.pk}/"' in body
    assert "No request named one of the team" not in body
    cache.clear()


def test_the_card_costs_three_queries_whatever_the_data(cmo, team, product, pmm):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            asked_about(user=cmo, teams=[team], today=NOV_3)
        return len(queries)

    competitor_create(actor=pmm, team=team, name="Northwind")
    small = count()
    for n in range(12):
        competitor_create(actor=pmm, team=team, name=f"Rival {n}")
        persona = _persona(team, pmm, f"Buyer {n}")
        _ask(product, on=dt.date(2026, 10, 1 + n), competitor=f"Rival {n}", personas=[persona])
    # The team's competitors; their requests by name and month; the personas' tagged requests.
    assert count() == small == 3
