"""Reuse before create: what the request form suggests, in what order, to whom (both databases).

The same tests run on PostgreSQL (``make test``) and on SQLite (``make test-sqlite``): the
ranking is the same code on both (``pmm_portal.core.search``), only the index differs.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmm_portal.core import search
from pmm_portal.core.models import SearchDocument
from requests_queue import selectors
from requests_queue.models import AssetKind, RequestStatus, RequestType
from tests.factories import AssetFactory, ProductFactory, RequestFactory, UserFactory

S = RequestStatus


def titles(user, text, **choices):
    return [hit.title for hit in selectors.suggestions(user=user, text=text, **choices).hits]


@pytest.fixture
def library(team, pmm, product):
    """A library where several assets share words, as a real one does."""
    edge = ProductFactory(name="Atlas Edge", slug="atlas-edge", team=team)
    rows = [
        ("Atlas Edge vs Northwind battlecard", AssetKind.BATTLECARD, [edge]),
        ("Atlas Edge vs Contoso battlecard", AssetKind.BATTLECARD, [edge]),
        ("Atlas vs Northwind battlecard", AssetKind.BATTLECARD, [product]),
        ("Atlas Edge executive overview deck", AssetKind.DECK, [edge]),
        ("Atlas Edge pricing and packaging guide", AssetKind.PRICING, [edge]),
        ("Atlas pricing and packaging guide", AssetKind.PRICING, [product]),
        ("Northwind migration guide", AssetKind.OTHER, [product]),
    ]
    return {
        title: AssetFactory(
            title=title,
            kind=kind,
            team=team,
            owner=pmm,
            products=products,
            description=f"Key messages and proof points: {title.lower()}.",
        )
        for title, kind, products in rows
    } | {"edge": edge}


def test_the_exact_title_comes_first(sales_rep, library):
    assert titles(sales_rep, "Atlas Edge vs Northwind battlecard")[0] == "Atlas Edge vs Northwind battlecard"
    assert (
        titles(sales_rep, "atlas edge pricing and packaging guide")[0]
        == "Atlas Edge pricing and packaging guide"
    )


def test_typos_and_variants_still_find_the_answer(sales_rep, library):
    # a typo in the competitor, "battle card" in two words
    assert titles(sales_rep, "atlas edge vs northwnd battle card")[0] == "Atlas Edge vs Northwind battlecard"
    # a transposition, a plural
    assert titles(sales_rep, "Atlas Edge Nortwhind battlecards")[0] == "Atlas Edge vs Northwind battlecard"
    # an abbreviation reps use
    assert titles(sales_rep, "atlas edge exec deck")[0] == "Atlas Edge executive overview deck"


def test_word_variants_meet(sales_rep, team, pmm, product):
    AssetFactory(title="Competitive landscape for Atlas", team=team, owner=pmm, products=[product])
    assert titles(sales_rep, "competitor overview atlas")[0] == "Competitive landscape for Atlas"


def test_stop_words_alone_suggest_nothing(sales_rep, library):
    for text in ("the for and", "need help with this please", "vs"):
        assert titles(sales_rep, text) == []


def test_unrelated_words_suggest_nothing(sales_rep, library):
    assert titles(sales_rep, "webinar invitation email") == []


def test_the_product_chosen_moves_its_asset_up(sales_rep, library, product):
    edge = library["edge"]
    assert (
        titles(sales_rep, "northwind battlecard", product_id=edge.pk)[0]
        == "Atlas Edge vs Northwind battlecard"
    )
    assert (
        titles(sales_rep, "northwind battlecard", product_id=product.pk)[0] == "Atlas vs Northwind battlecard"
    )


def test_the_competitor_chosen_moves_its_asset_up(sales_rep, library):
    edge = library["edge"]
    found = titles(sales_rep, "atlas edge battlecard", competitor="Contoso", product_id=edge.pk)
    assert found[0] == "Atlas Edge vs Contoso battlecard"
    found = titles(sales_rep, "atlas edge battlecard", competitor="Northwind", product_id=edge.pk)
    assert found[0] == "Atlas Edge vs Northwind battlecard"


def test_the_type_chosen_moves_matching_assets_up(sales_rep, library):
    found = titles(sales_rep, "atlas edge", type=RequestType.PRICING)
    assert found[0] == "Atlas Edge pricing and packaging guide"
    found = titles(sales_rep, "atlas edge", type=RequestType.SLIDES)
    assert found[0] == "Atlas Edge executive overview deck"


def test_the_matched_words_are_highlighted(client, sales_rep, library):
    client.force_login(sales_rep)
    html = client.get("/requests/new/suggestions/", {"title": "northwnd battle card"}).content.decode()
    assert "<mark>Northwind</mark>" in html
    assert "<mark>battlecard</mark>" in html


def test_another_reps_request_shows_by_title_only(client, sales_rep, team, product):
    other = UserFactory(role="sales")
    RequestFactory(
        requester=other,
        product=product,
        title="Globex Cloud security questionnaire",
        details="Secret: Initech Bank is renewing at 2.4M, call Jane on 555-0100",
        account="Initech Bank",
        status=S.NEW,
    )
    RequestFactory(
        requester=other,
        product=product,
        title="Globex Cloud security questionnaire answers",
        details="Confidential pricing for Hooli",
        account="Hooli",
        status=S.DELIVERED,
        assignee=UserFactory(role="pmm"),
    )
    client.force_login(sales_rep)
    html = client.get(
        "/requests/new/suggestions/", {"title": "globex security questionnaire"}
    ).content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert "Globex Cloud security questionnaire" in text
    assert "Asked by another rep" in text
    for secret in ("Initech Bank", "2.4M", "555-0100", "Hooli", "Confidential", other.display_name):
        assert secret not in text
    # and the details never match: the rep cannot learn what others wrote
    assert titles(sales_rep, "Initech 555-0100 Jane renewing") == []


def test_a_rep_never_finds_requests_they_may_not_see_in_search(sales_rep, product):
    other = UserFactory(role="sales")
    RequestFactory(requester=other, product=product, title="Umbrella Data objection handling", status=S.NEW)
    hits = search.find("umbrella objection", user=sales_rep, kinds=["request"])
    assert hits == []  # outside suggestions, the rep sees only their own and followed requests


def test_closed_requests_without_an_answer_are_not_suggested(sales_rep, product):
    for status in (S.DECLINED, S.CANCELLED, S.DUPLICATE, S.REUSED):
        RequestFactory(
            product=product,
            title=f"Vandelay import comparison {status}",
            status=status,
            decline_alternative="Use the deck" if status == S.DECLINED else "",
            duplicate_of=RequestFactory(product=product, status=S.CANCELLED)
            if status == S.DUPLICATE
            else None,
            reused_asset=AssetFactory(team=product.team) if status == S.REUSED else None,
        )
    assert titles(sales_rep, "vandelay import comparison") == []


def test_the_index_follows_edits_and_deletions(sales_rep, team, pmm, product):
    asset = AssetFactory(title="Initech objection guide", team=team, owner=pmm, products=[product])
    assert titles(sales_rep, "initech objection guide") == ["Initech objection guide"]
    asset.title = "Initech rebuttal guide"
    asset.save()
    assert titles(sales_rep, "initech rebuttal") == ["Initech rebuttal guide"]
    assert titles(sales_rep, "objection") == []
    asset.answered_requests.all().delete()
    asset.delete()
    assert titles(sales_rep, "initech rebuttal") == []
    assert not SearchDocument.objects.filter(kind="asset", object_id=asset.pk).exists()


def test_the_index_kept_by_the_signals_equals_a_rebuild(sales_rep, library):
    if connection.vendor == "postgresql":  # rebuild refreshes the statistics retrieval reads
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_searchdocument")
    before = titles(sales_rep, "northwind battlecard")
    counts = search.rebuild()
    assert counts["asset"] == 7
    assert titles(sales_rep, "northwind battlecard") == before


def grow(n, *, team, pmm, product):
    for i in range(n):
        AssetFactory(title=f"Northwind battlecard {i}", team=team, owner=pmm, products=[product])
        RequestFactory(
            product=product, title=f"Northwind pricing question {i}", status=S.DELIVERED, assignee=pmm
        )
        RequestFactory(product=product, title=f"Northwind integration question {i}", status=S.NEW)


def suggestion_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/requests/new/suggestions/", {"title": "northwnd battle card pricing"})
        assert response.status_code == 200
    return len(queries)


def test_the_suggestion_query_count_is_flat(client, sales_rep, team, pmm, product):
    client.force_login(sales_rep)
    grow(3, team=team, pmm=pmm, product=product)
    small = suggestion_queries(client)
    grow(30, team=team, pmm=pmm, product=product)
    large = suggestion_queries(client)
    # session, user, typo vocabulary, word frequencies, candidates (two words, then any word
    # if too few), assets shown, requests shown
    assert small <= 8
    assert large <= small


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's (SQLite uses FTS5)"
)
def test_the_postgresql_plan_can_use_the_gin_index(sales_rep, library):
    question = search.parse("northwind battlecard")
    queryset = SearchDocument.objects.all()
    with CaptureQueriesContext(connection) as queries:
        search.candidates(question, queryset)
    sql = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        # A table this small is read whole; forbid that to see the index serve the match.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "core_searchdoc_vector_gin" in plan


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 table is SQLite's (PostgreSQL uses a GIN index)"
)
def test_the_sqlite_fts_table_follows_the_rows(library):
    def matching(word):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM core_searchdocument_fts WHERE core_searchdocument_fts MATCH %s", [word]
            )
            return cursor.fetchone()[0]

    assert matching("northwind") == 3  # two battlecards and the migration guide
    guide = library["Northwind migration guide"]
    guide.title, guide.description = "Globex migration guide", "Moving off Globex."
    guide.save()
    assert matching("northwind") == 2
    assert matching("globex") == 1
    guide.delete()
    assert matching("globex") == 0


# --- The API: the same ranking -------------------------------------------------------------------


def test_the_api_suggests_as_the_form_does(api_client, sales_rep, library):
    api_client.force_authenticate(sales_rep)
    response = api_client.get(
        "/api/v1/requests/suggestions/",
        {"title": "atlas edge vs northwnd battle card", "product": library["edge"].pk},
    )
    assert response.status_code == 200
    first = response.json()[0]
    assert first["role"] == "asset"
    assert first["title"] == "Atlas Edge vs Northwind battlecard"
    assert "<mark>Northwind</mark>" in first["title_highlighted"]
    assert [hit["title"] for hit in response.json()] == titles(
        sales_rep, "atlas edge vs northwnd battle card", product_id=library["edge"].pk
    )


def test_the_api_says_what_is_wrong_with_a_question(api_client, sales_rep):
    api_client.force_authenticate(sales_rep)
    response = api_client.get("/api/v1/requests/suggestions/", {"title": "", "type": "poem"})
    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"title", "type"}


def test_only_sales_ask_for_suggestions(api_client, pmm):
    api_client.force_authenticate(pmm)
    assert api_client.get("/api/v1/requests/suggestions/", {"title": "northwind"}).status_code == 403


def test_likely_duplicates_rank_the_teams_requests_and_mark_in_one_call(
    api_client, pmm, team, product, sales_rep
):
    team.members.add(pmm)
    original = RequestFactory(
        product=product, title="Initech Bank security questionnaire answers", status=S.NEW
    )
    RequestFactory(product=product, title="Retail customer reference", status=S.NEW)
    other_team = ProductFactory()
    RequestFactory(product=other_team, title="Initech Bank security questionnaire", status=S.NEW)
    duplicate = RequestFactory(
        requester=sales_rep, product=product, title="Initech Bank security questionaire", status=S.NEW
    )
    api_client.force_authenticate(pmm)
    found = api_client.get(f"/api/v1/requests/{duplicate.pk}/likely-duplicates/").json()
    assert [hit["id"] for hit in found] == [original.pk]  # not itself, not another team's, not unrelated
    marked = api_client.post(
        f"/api/v1/requests/{duplicate.pk}/mark-duplicate/", {"duplicate_of": found[0]["id"]}, format="json"
    )
    assert marked.status_code == 200
    assert original.follows.filter(user=sales_rep).exists()


def test_a_rep_cannot_list_likely_duplicates(api_client, sales_rep, product):
    mine = RequestFactory(requester=sales_rep, product=product, title="Mine")
    api_client.force_authenticate(sales_rep)
    assert api_client.get(f"/api/v1/requests/{mine.pk}/likely-duplicates/").status_code == 403
