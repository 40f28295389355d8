"""Search: PostgreSQL full-text ranking, and the plain match used on SQLite."""

from datetime import date

from requests_queue import selectors
from requests_queue.models import Asset
from tests.factories import AssetFactory


def test_full_text_ranks_title_matches_first_and_stems_words(db, team, pmm):
    in_title = AssetFactory(
        title="Northwind battlecards", description="Competitive positioning.", team=team, owner=pmm
    )
    in_text = AssetFactory(
        title="Objection handling", description="Covers northwind and others.", team=team, owner=pmm
    )
    AssetFactory(title="Pricing guide", description="Tiers and discounts.", team=team, owner=pmm)
    found = list(selectors.search(Asset.objects.all(), "northwind battlecard", ("title", "description")))
    assert found == [in_title]  # every word must match in the search box ("battlecard" matches "battlecards")
    found = list(
        selectors.search(Asset.objects.all(), "northwind battlecard", ("title", "description"), any_word=True)
    )
    assert found == [in_title, in_text]  # typing suggestions: any word, best first


def test_without_postgresql_search_falls_back_to_a_plain_match(db, team, pmm, monkeypatch):
    AssetFactory(title="Northwind battlecard", team=team, owner=pmm)
    AssetFactory(title="Pricing guide", team=team, owner=pmm)
    monkeypatch.setattr(selectors.connection, "vendor", "sqlite")
    found = selectors.search(Asset.objects.all(), "NORTHWIND", ("title", "description"))
    assert "search_rank" not in str(found.query)
    assert [a.title for a in found] == ["Northwind battlecard"]


def test_stopwords_alone_suggest_nothing(db, team, pmm):
    AssetFactory(title="The deck for the deal", team=team, owner=pmm)
    assert not selectors.suggestions(user=pmm, text="need help please")


def test_month_bounds_count_the_weeks_whose_monday_is_in_the_month():
    # The week of Monday 26 October belongs to October, as on the timesheet and in the reports.
    assert selectors.month_bounds(date(2026, 11, 23)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert selectors.month_bounds(date(2026, 6, 10)) == (date(2026, 6, 1), date(2026, 6, 30))
