"""The global search (issue 11): ``/search/`` and ``GET /api/v1/search/``.

Everything is created through the factories, so the apps' signals index it as the product does.
One world, ``northwind``: one thing of every kind about Northwind, of the cast's team, plus a
request of another salesperson's.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmm_portal.core import search
from pmm_portal.core.models import Role
from tests.factories import (
    AssetFactory,
    InitiativeFactory,
    InteractionFactory,
    LearningFactory,
    PersonaFactory,
    QuoteFactory,
    RequestFactory,
    UserFactory,
    WinFactory,
)

PAGE = "/search/"
API = "/api/v1/search/"

MY_REQUEST = "Northwind pricing questions from Initech"
OTHER_REQUEST = "Northwind objections at Globex"
INTERACTION = "Sales call with Northwind Traders"
INITIATIVE = "Northwind displacement programme"
WIN = "Northwind win at Hooli"
LEARNING = "Northwind objection-first experiment"


@pytest.fixture
def northwind(cast, team, product):
    """One thing of every kind that mentions Northwind, by its title."""
    from competitive.services import battlecard_create, competitor_create

    other_rep = UserFactory(username="other_rep", role=Role.SALES)
    rival = competitor_create(actor=cast["pmm"], team=team, name="Northwind", aliases="NW")
    return {
        "competitor": rival,
        "battlecard": battlecard_create(
            actor=cast["pmm"],
            competitor=rival,
            quick_dismiss="Fine for a pilot.",
            objections=[{"objection": "They are cheaper", "answer": "Count the services."}],
        ),
        "asset": AssetFactory(title="Northwind battlecard", team=team, owner=cast["pmm"], products=[product]),
        "request": RequestFactory(requester=cast["sales"], product=product, title=MY_REQUEST),
        "other_request": RequestFactory(requester=other_rep, product=product, title=OTHER_REQUEST),
        "persona": PersonaFactory(
            name="Northwind switcher",
            team=team,
            owner=cast["pmm"],
            products=[product],
            status="validated",
            last_validated_at=timezone.now(),
        ),
        "interaction": InteractionFactory(team=team, owner=cast["pmm"], account="Northwind Traders"),
        "initiative": InitiativeFactory(team=team, owner=cast["pmm"], title=INITIATIVE),
        "win": WinFactory(team=team, owner=cast["pmm"], title=WIN),
        "learning": LearningFactory(team=team, owner=cast["pmm"], title=LEARNING),
    }


def api_kinds(body):
    return [group["kind"] for group in body["groups"]]


def api_titles(body):
    return [hit["title"] for group in body["groups"] for hit in group["results"]]


# --- What the page and the API find -----------------------------------------------------------


def test_a_pmm_finds_every_kind_grouped_in_the_kinds_order(client, cast, northwind):
    client.force_login(cast["pmm"])
    response = client.get(PAGE, {"q": "northwind"})
    assert response.status_code == 200
    kinds = [group.kind for group in response.context["groups"]]
    assert kinds == [
        "asset",
        "battlecard",
        "request",
        "competitor",
        "persona",
        "interaction",
        "initiative",
        "win",
        "learning",
    ]
    html = response.content.decode()
    labels = ("Assets", "Battlecards", "Requests", "Competitors", "Personas", "Customer interactions")
    for label in (*labels, "Initiatives", "Wins", "Learnings"):
        assert f'{label} <span class="search-group-count">' in html
    assert "<mark>Northwind</mark> battlecard" in html
    assert f'href="{northwind["asset"].get_absolute_url()}"' in html
    # The chips: every kind, with what it found; "All" counts them all.
    chips = {chip.key: chip.count for chip in response.context["chips"]}
    assert chips == {
        "": "10",
        "asset": "1",
        "battlecard": "1",
        "request": "2",
        "competitor": "1",
        "persona": "1",
        "quote": "0",
        "interaction": "1",
        "initiative": "1",
        "win": "1",
        "learning": "1",
    }
    assert f'href="{northwind["battlecard"].get_absolute_url()}"' in html
    assert f'href="/initiatives/learnings/{northwind["learning"].pk}/"' in html


def test_the_api_answers_the_same_groups_with_highlighted_html(api_client, cast, northwind):
    api_client.force_login(cast["pmm"])
    body = api_client.get(API, {"q": "northwind"}).json()
    assert body["query"] == "northwind"
    assert api_kinds(body) == [
        "asset",
        "battlecard",
        "request",
        "competitor",
        "persona",
        "interaction",
        "initiative",
        "win",
        "learning",
    ]
    asset = body["groups"][0]
    assert asset["label"] == "Assets"
    assert asset["more"] is False
    (hit,) = asset["results"]
    assert hit["kind"] == "asset"
    assert hit["id"] == northwind["asset"].pk
    assert hit["title"] == "Northwind battlecard"
    assert hit["title_highlighted"] == "<mark>Northwind</mark> battlecard"
    assert hit["url"] == northwind["asset"].get_absolute_url()
    assert hit["meta"] == "Battlecard"
    assert isinstance(hit["score"], float)
    assert set(hit) == {
        "kind",
        "id",
        "title",
        "title_highlighted",
        "snippet_highlighted",
        "meta",
        "url",
        "score",
    }


def test_a_sales_rep_never_finds_what_they_may_not_see(client, api_client, cast, northwind):
    """Their own request, the library and validated personas; not another rep's request, and no
    interactions, initiatives or wins (marketing's own)."""
    client.force_login(cast["sales"])
    html = client.get(PAGE, {"q": "northwind"}).content.decode()
    api_client.force_login(cast["sales"])
    body = api_client.get(API, {"q": "northwind"}).json()
    # Sales read the competitors and their battlecards (PRODUCT.md), never the learnings.
    assert api_kinds(body) == ["asset", "battlecard", "request", "competitor", "persona"]
    titles = " ".join(api_titles(body))
    for text in (html, titles):
        assert "battlecard" in text
        assert "pricing questions from Initech" in text
        hidden_texts = ("objections at Globex", "Northwind Traders", "displacement programme", "win at Hooli")
        for hidden in (*hidden_texts, "objection-first experiment"):
            assert hidden not in text
    # Nor by asking for the kind.
    for kind in ("interaction", "initiative", "win"):
        assert api_client.get(API, {"q": "northwind", "kind": kind}).json()["groups"] == []
    other = client.get(PAGE, {"q": "objections globex", "kind": "request"}).content.decode()
    assert "objections at Globex" not in other
    assert "Nothing among requests matches" in other


def test_a_rep_reads_only_the_title_of_a_request_they_follow(client, api_client, cast, northwind):
    """Its details, competitor and deal are the other rep's: no snippet, on the page or in the API."""
    northwind["other_request"].details = "Globex renewal worth two million, their CFO is wavering."
    northwind["other_request"].save()
    northwind["other_request"].followers.add(cast["sales"])
    api_client.force_login(cast["sales"])
    body = api_client.get(API, {"q": "northwind objections", "kind": "request"}).json()
    (hit,) = [hit for hit in body["groups"][0]["results"] if hit["title"] == OTHER_REQUEST]
    assert hit["snippet_highlighted"] == ""
    client.force_login(cast["sales"])
    html = client.get(PAGE, {"q": "northwind objections"}).content.decode()
    assert "<mark>objections</mark> at Globex" in html
    assert "two million" not in html
    # Their own request's details they read.
    mine = api_client.get(API, {"q": "northwind pricing", "kind": "request"}).json()
    assert "how we compare" in mine["groups"][0]["results"][0]["snippet_highlighted"]


def test_a_quote_says_its_text_once(api_client, cast, team):
    interaction = InteractionFactory(team=team, owner=cast["pmm"], account="Initech")
    QuoteFactory(interaction=interaction, text="Northwind never answers our tickets.")
    api_client.force_login(cast["pmm"])
    body = api_client.get(API, {"q": "northwind", "kind": "quote"}).json()
    (hit,) = body["groups"][0]["results"]
    assert hit["title_highlighted"] == "<mark>Northwind</mark> never answers our tickets."
    assert hit["snippet_highlighted"] == ""


def test_titles_are_escaped_and_only_the_marks_are_html(client, api_client, cast, team):
    AssetFactory(title="<script>alert(1)</script> Northwind & co", team=team)
    client.force_login(cast["pmm"])
    html = client.get(PAGE, {"q": "northwind"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Northwind</mark> &amp; co" in html
    api_client.force_login(cast["pmm"])
    (hit,) = api_client.get(API, {"q": "northwind"}).json()["groups"][0]["results"]
    assert hit["title_highlighted"] == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Northwind</mark> &amp; co"


def test_the_exact_title_comes_first(api_client, cast, team):
    for title in ("Pricing guide for partners", "Competitor pricing and packaging guide", "Pricing guide"):
        AssetFactory(title=title, team=team)
    api_client.force_login(cast["pmm"])
    body = api_client.get(API, {"q": "pricing guide"}).json()
    assert api_titles(body)[0] == "Pricing guide"


def test_a_typo_still_finds_the_word(client, api_client, cast, northwind):
    api_client.force_login(cast["pmm"])
    body = api_client.get(API, {"q": "northwnd"}).json()
    assert "Northwind battlecard" in api_titles(body)
    client.force_login(cast["pmm"])
    assert "<mark>Northwind</mark> battlecard" in client.get(PAGE, {"q": "northwnd"}).content.decode()


# --- Empty, common words, kinds, bad input ----------------------------------------------------


def test_without_a_question_the_page_says_what_search_finds(client, cast, northwind):
    client.force_login(cast["pmm"])
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.context["groups"] == []
    html = response.content.decode()
    assert "Search everything you can see" in html
    assert "Typos are forgiven" in html
    assert (
        "assets, battlecards, requests, competitors, personas, quotes, customer interactions, "
        "initiatives, wins and learnings" in html
    )


def test_common_words_only_find_nothing_and_say_why(client, api_client, cast, northwind):
    client.force_login(cast["pmm"])
    response = client.get(PAGE, {"q": "the for help"})
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert "has only common words" in response.content.decode()
    api_client.force_login(cast["pmm"])
    assert api_client.get(API, {"q": "the for help"}).json() == {"query": "the for help", "groups": []}


def test_no_results_suggest_what_to_do(client, cast, northwind):
    client.force_login(cast["pmm"])
    html = client.get(PAGE, {"q": "zyxwvut"}).content.decode()
    assert "Nothing matches “zyxwvut”" in html
    assert "Check the spelling" in html
    assert 'href="/requests/assets/"' in html
    assert 'href="/personas/"' in html


def test_a_kind_shows_up_to_fifty_of_it(client, api_client, cast, team):
    for n in range(7):
        AssetFactory(title=f"Northwind battlecard {n}", team=team)
    InitiativeFactory(team=team, owner=cast["pmm"], title=INITIATIVE)
    client.force_login(cast["pmm"])
    everything = client.get(PAGE, {"q": "northwind"})
    assets, _initiatives = everything.context["groups"]
    assert (len(assets.results), assets.more, assets.found) == (5, True, 7)
    assert "Show all 7 assets…" in everything.content.decode()
    assert 'href="?q=northwind&amp;kind=asset"' in everything.content.decode()

    only = client.get(PAGE, {"q": "northwind", "kind": "asset"})
    assert [group.kind for group in only.context["groups"]] == ["asset"]
    assert len(only.context["groups"][0].results) == 7
    assert INITIATIVE not in only.content.decode()
    assert [(chip.key, chip.count) for chip in only.context["chips"] if chip.count] == [("asset", "7")]

    api_client.force_login(cast["pmm"])
    body = api_client.get(API, {"q": "northwind", "kind": "asset"}).json()
    assert api_kinds(body) == ["asset"]
    assert len(body["groups"][0]["results"]) == 7
    assert body["groups"][0]["more"] is False
    summary = api_client.get(API, {"q": "northwind"}).json()
    assert [(g["kind"], len(g["results"]), g["more"]) for g in summary["groups"]] == [
        ("asset", 5, True),
        ("initiative", 1, False),
    ]


def test_an_unknown_kind_is_a_field_error_in_the_api_and_ignored_on_the_page(
    client, api_client, cast, northwind
):
    api_client.force_login(cast["pmm"])
    response = api_client.get(API, {"q": "northwind", "kind": "secrets"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert [(e["attr"], e["code"]) for e in body["errors"]] == [("kind", "invalid_choice")]

    client.force_login(cast["pmm"])
    page = client.get(PAGE, {"q": "northwind", "kind": "secrets"})
    assert page.status_code == 200
    assert "There is no “secrets” kind to search." in page.content.decode()
    assert len(page.context["groups"]) == 9


@pytest.mark.parametrize("path", [PAGE, API])
def test_a_long_question_is_cut_not_refused(client, cast, northwind, path):
    client.force_login(cast["pmm"])
    response = client.get(path, {"q": "northwind " + "battlecard " * 100})
    assert response.status_code == 200
    query = response.context["query"] if path == PAGE else response.json()["query"]
    assert len(query) == 200
    assert query.startswith("northwind battlecard")


@pytest.mark.parametrize("path", [PAGE, API])
def test_a_null_character_is_refused_politely(client, cast, northwind, path):
    client.force_login(cast["pmm"])
    response = client.get(path, {"q": "north\x00wind"})
    assert response.status_code == (200 if path == PAGE else 400)


def test_anonymous_visitors_sign_in_first(client, api_client, db):
    response = client.get(PAGE, {"q": "northwind"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert api_client.get(API, {"q": "northwind"}).status_code in (401, 403)


def test_every_role_may_search(client, cast, northwind):
    for role in ("sales", "pmm", "pm", "cmo", "admin"):
        client.force_login(cast[role])
        assert client.get(PAGE, {"q": "northwind"}).status_code == 200


def test_the_schema_documents_the_search(api_client, db):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    kind = next(p for p in operation["parameters"] if p["name"] == "kind")
    assert kind["schema"]["enum"] == sorted(search.KINDS)
    assert "200" in operation["responses"]
    assert "400" in operation["responses"]


# --- Query counts -------------------------------------------------------------------------------


def build(size, cast, team, product, start=0):
    """``size`` things of every kind about Northwind, for the cast's team (numbered from ``start``)."""
    for n in range(start, start + size):
        AssetFactory(title=f"Northwind battlecard {n}", team=team, owner=cast["pmm"], products=[product])
        RequestFactory(requester=cast["sales"], product=product, title=f"Northwind question {n}")
        PersonaFactory(name=f"Northwind buyer {n}", team=team, owner=cast["pmm"], products=[product])
        InteractionFactory(team=team, owner=cast["pmm"], account=f"Northwind {n}")
        InitiativeFactory(team=team, owner=cast["pmm"], title=f"Northwind plan {n}")
        WinFactory(team=team, owner=cast["pmm"], title=f"Northwind win {n}")


def count(client, path, query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, query)
    assert response.status_code == 200, path
    return len(queries)


# Session and user, the vocabulary (for typos), then for each kind searched (seven, or the one asked
# for) at most: how common the words are, the documents with two of the words (with two words or
# more), those with any of them (when the first found few). The visibility rules are subqueries of
# those, never queries of their own; nothing is read per result.
PER_KIND_AT_MOST = 3
KINDS_SEARCHED = {"": 10, "asset": 1}
CASES = [(path, kind) for path in (PAGE, API) for kind in KINDS_SEARCHED]


def most(kind):
    return 2 + 1 + PER_KIND_AT_MOST * KINDS_SEARCHED[kind]


@pytest.mark.parametrize(("path", "kind"), CASES)
def test_query_count_is_flat(client, cast, team, product, path, kind):
    query = {"q": "northwind", "kind": kind}
    build(3, cast, team, product)
    client.force_login(cast["pmm"])
    small = count(client, path, query)
    build(30, cast, team, product, start=3)
    large = count(client, path, query)
    assert small == large
    assert large <= most(kind)


@pytest.mark.parametrize(("path", "kind"), CASES)
def test_query_count_is_bounded_for_several_words(client, cast, team, product, path, kind):
    """With two words the engine may skip its second query per kind once the first finds enough:
    fewer queries for more data, never more."""
    query = {"q": "northwind battlecards", "kind": kind}
    build(3, cast, team, product)
    client.force_login(cast["pmm"])
    small = count(client, path, query)
    build(30, cast, team, product, start=3)
    large = count(client, path, query)
    assert large <= small <= most(kind)
