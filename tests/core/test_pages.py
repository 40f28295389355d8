"""Kept pages (``pmm_portal.core.pages``): served from the cache, never stale after a write.

The page cache is on in these tests (the test settings turn it off elsewhere), and they
run with real commits (``transactional_db``): the data version moves when a write
commits, as it does in production.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.models import DataVersion
from requests_queue.models import Request
from tests.factories import AssetFactory, RequestFactory


@pytest.fixture(autouse=True)
def page_cache(transactional_db, settings):
    settings.PAGE_CACHE_SECONDS = 60
    DataVersion.objects.get_or_create(pk=1)
    cache.clear()
    yield
    cache.clear()


def version() -> int:
    from pmm_portal.core import pages

    found = pages.current_versions()
    assert found is not None
    return found[0]


def test_a_second_view_is_served_without_building_the_page(client, pmm, team, product, sales_rep):
    RequestFactory(requester=sales_rep, product=product, title="Atlas pricing one-pager")
    client.force_login(pmm)
    client.get(reverse("requests_queue:index"))  # the CSRF cookie is set: not kept
    first = client.get(reverse("requests_queue:index"))
    assert "Atlas pricing one-pager" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(reverse("requests_queue:index"))
    assert second.status_code == 200
    assert second.content == first.content
    assert not [q for q in queries.captured_queries if "requests_queue_request" in q["sql"]]
    assert len(queries.captured_queries) <= 3  # session, user, data version


def test_a_request_submitted_shows_at_once_in_the_queue_and_my_requests(client, pmm, sales_rep, product):
    client.force_login(pmm)
    assert "Battlecard against Northwind" not in client.get(reverse("requests_queue:index")).content.decode()
    client.force_login(sales_rep)
    assert "Battlecard against Northwind" not in client.get(reverse("requests_queue:mine")).content.decode()
    response = client.post(
        reverse("requests_queue:new"),
        {
            "product": product.pk,
            "type": "competitive_intel",
            "title": "Battlecard against Northwind",
            "details": "Lost twice on price this quarter.",
            "needed_by": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Battlecard against Northwind" in page
    assert "sent to the" in page  # the confirmation is shown, not a kept page without it
    client.force_login(pmm)
    assert "Battlecard against Northwind" in client.get(reverse("requests_queue:index")).content.decode()


def test_every_kind_of_write_moves_the_version_once_committed(sales_rep, product):
    start = version()
    request = RequestFactory(requester=sales_rep, product=product)
    after_create = version()
    assert after_create > start
    Request.objects.filter(pk=request.pk).update(title="Bulk renamed")  # no signal is sent
    assert version() > after_create
    after_update = version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE requests_queue_request SET title = 'Raw SQL' WHERE id = %s", [request.pk])
    assert version() > after_update


def test_a_transaction_moves_the_version_once_and_only_when_it_commits(sales_rep, product):
    from django.db import transaction

    start = version()
    with transaction.atomic():
        RequestFactory(requester=sales_rep, product=product)
        RequestFactory(requester=sales_rep, product=product)
        assert version() == start  # not before the commit: nobody may keep a page of it yet
    assert version() == start + 1

    def submit_then_fail() -> None:
        with transaction.atomic():
            RequestFactory(requester=sales_rep, product=product)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        submit_then_fail()
    assert version() == start + 1


def test_signing_in_and_sessions_do_not_move_the_version(client, pmm):
    start = version()
    client.force_login(pmm)  # a session row written
    session = client.session
    session["seen"] = True
    session.save()
    assert version() == start + 1  # the sign-in's last_login, nothing for the session


def test_each_person_gets_their_own_page(client, pmm, other_pmm, team, other_team):
    client.force_login(pmm)
    mine = client.get(reverse("home")).content.decode()
    client.force_login(other_pmm)
    theirs = client.get(reverse("home")).content.decode()
    assert team.name in mine
    assert team.name not in theirs
    assert other_team.name in theirs


def test_a_waiting_message_is_shown_not_skipped(client, sales_rep, product):
    client.force_login(sales_rep)
    client.get(reverse("requests_queue:mine"))  # kept
    request = RequestFactory(requester=sales_rep, product=product, status="new")
    response = client.post(reverse("requests_queue:cancel", args=[request.pk]), follow=True)
    assert response.status_code == 200
    assert response.context is not None  # built, not served from the cache
    assert list(response.context["messages"])


def test_the_api_list_is_kept_and_moves_on_after_a_write(api_client, pmm, sales_rep, product):
    api_client.force_authenticate(pmm)
    url = "/api/v1/requests/"
    assert api_client.get(url).json()["count"] == 0
    RequestFactory(requester=sales_rep, product=product)
    assert api_client.get(url).json()["count"] == 1
    built = api_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        kept = api_client.get(url)
    assert not [q for q in queries.captured_queries if "requests_queue_request" in q["sql"]]
    assert kept.json()["count"] == 1
    assert kept.content == built.content
    assert kept["Content-Type"] == "application/json"
    assert "Accept" in kept["Vary"]
    # Another representation of the same list is its own answer, not the kept JSON.
    browsable = api_client.get(url + "?format=api")
    assert browsable["Content-Type"].startswith("text/html")
    assert api_client.get(url, HTTP_ACCEPT="text/html")["Content-Type"].startswith("text/html")


def test_suggestions_typed_again_are_kept_and_a_new_asset_shows_at_once(client, sales_rep, pmm, team):
    AssetFactory(team=team, owner=pmm, title="Northwind battlecard")
    client.force_login(sales_rep)
    client.get(reverse("requests_queue:new"))  # the CSRF cookie is set, as in a browser
    url = reverse("requests_queue:suggestions") + "?title=northwind+battle"
    first = client.get(url, HTTP_HX_REQUEST="true")
    assert "1 possible answer already exists" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_HX_REQUEST="true")
    assert again.content == first.content
    assert not [q for q in queries.captured_queries if "core_searchdocument" in q["sql"]]
    AssetFactory(team=team, owner=pmm, title="Northwind battlecard for healthcare")
    after = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "2 possible answers already exist" in after
    assert "healthcare" in after


def test_without_the_version_row_pages_are_built_every_time(client, pmm, team):
    client.force_login(pmm)
    DataVersion.objects.all().delete()
    assert client.get(reverse("home")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert team.name in client.get(reverse("home")).content.decode()
    assert [q for q in queries.captured_queries if "core_team" in q["sql"]]


def test_migrating_a_new_database_logs_no_error_for_the_missing_version_table(monkeypatch, caplog):
    """``make run`` on a fresh machine: the writes of ``migrate`` come before the version's table."""
    from pmm_portal.core import pages

    monkeypatch.setattr(DataVersion._meta, "db_table", "core_dataversion_not_yet_made")
    monkeypatch.setattr(pages, "VERSION_SEQUENCE", "core_data_version_seq_not_yet_made")
    with caplog.at_level("DEBUG", logger="pmm_portal.core.pages"):
        pages.raise_version()
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


def test_a_failing_version_write_on_an_existing_table_is_logged(monkeypatch, caplog):
    from django.db import DatabaseError

    from pmm_portal.core import pages

    def refuse(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(pages, "_bump", refuse)
    pages.raise_version()  # never raises: the write it counts is saved
    assert "could not raise the data version" in caplog.text


def test_a_change_that_matches_nothing_does_not_move_the_version(sales_rep, product):
    """Opening a page that marks its reminders read writes only when there was one to mark:
    otherwise every view would throw away everyone's kept pages."""
    request = RequestFactory(requester=sales_rep, product=product)
    start = version()
    Request.objects.filter(pk=request.pk, title="not this title").update(title="Never")
    assert version() == start
    Request.objects.filter(pk=request.pk).update(title="Renamed")
    assert version() == start + 1


KEPT_PAGES = [
    ("home", "pmm"),
    ("requests_queue:index", "pmm"),
    ("requests_queue:mine", "sales_rep"),
    ("requests_queue:new", "sales_rep"),
    ("requests_queue:assets", "sales_rep"),
    ("requests_queue:sla", "cmo"),
    ("personas:index", "pmm"),
    ("reporting:index", "cmo"),
    ("competitive:index", "pmm"),
    ("competitive:win_loss", "pmm"),
    ("initiatives:feed", "sales_rep"),
    ("initiatives:learnings", "pmm"),
    ("search", "pmm"),
    ("diagnostics:index", "cmo"),
    ("launches:index", "cmo"),
]


@pytest.mark.parametrize(("name", "role"), KEPT_PAGES)
def test_the_pages_opened_all_day_are_kept_until_the_next_write(client, request, team, product, name, role):
    """A second view costs the session, the user and the data version: nothing of the page's data."""
    client.force_login(request.getfixturevalue(role))
    url = reverse(name)
    client.get(url)  # the CSRF cookie is set, as in a browser
    first = client.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.content == first.content
    assert len(queries.captured_queries) <= 3, [q["sql"][:80] for q in queries.captured_queries]


# --- Readings: a card read or an asset opened rebuilds only the pages that show counts ----------


def _battlecard(pmm, team):
    from competitive import services as competitive

    northwind = competitive.competitor_create(actor=pmm, team=team, name="Northwind")
    return competitive.battlecard_create(
        actor=pmm, competitor=northwind, quick_dismiss="Fast to start, slow to finish."
    )


def test_a_battlecard_read_keeps_other_pages_and_the_counts_shown_move_at_once(
    client, pmm, sales_rep, team, product
):
    from pmm_portal.core import pages

    card = _battlecard(pmm, team)
    RequestFactory(requester=sales_rep, product=product, title="Atlas pricing one-pager")
    client.force_login(pmm)
    for _ in range(2):  # the first view sets the CSRF cookie: kept from the second
        assert "read 0×" in client.get(card.competitor.get_absolute_url()).content.decode()
        client.get(reverse("requests_queue:index"))
    client.force_login(sales_rep)  # a sign-in is a write (last_login)
    data_version, readings_version = pages.current_versions()
    first = client.get(card.get_absolute_url())
    first = client.get(card.get_absolute_url())  # the CSRF cookie is set now
    with CaptureQueriesContext(connection) as queries:
        second = client.get(card.get_absolute_url())
    assert "Fast to start, slow to finish." in second.content.decode()
    card.refresh_from_db()
    assert card.view_count == 3  # every view counted, the kept one too

    after = pages.current_versions()
    if connection.vendor == "postgresql":
        # A reading is not a change: the rep's card and every other kept page stay kept.
        assert after[0] == data_version
        assert after[1] > readings_version
        assert second.content == first.content
        assert not [q for q in queries.captured_queries if "competitive_battlecardobjection" in q["sql"]]
    else:
        assert after[0] > data_version  # SQLite: a reading is a write like any other
    # The pages that show how often the card was read show it at once.
    client.force_login(pmm)
    assert "read 3×" in client.get(card.competitor.get_absolute_url()).content.decode()
    assert "read 3 times" in client.get(card.get_absolute_url()).content.decode()


def test_the_asset_library_shows_a_view_at_once_and_sales_pages_stay_kept(client, pmm, sales_rep, team):
    asset = AssetFactory(team=team, owner=pmm, title="Northwind pricing sheet")
    client.force_login(sales_rep)
    client.get(reverse("requests_queue:assets"))
    before = client.get(reverse("requests_queue:assets")).content.decode()
    assert 'title="Times its page was opened">0</td>' in before
    assert client.get(reverse("requests_queue:asset_detail", args=[asset.pk])).status_code == 200
    asset.refresh_from_db()
    assert asset.view_count == 1
    after = client.get(reverse("requests_queue:assets")).content.decode()
    assert 'title="Times its page was opened">1</td>' in after  # built again after the reading


@pytest.mark.postgres(reason="the versions are PostgreSQL sequences; SQLite keeps one counter row")
def test_raising_a_version_tells_the_page_both_and_a_write_or_a_new_request_forgets_them(sales_rep, product):
    from django.core.signals import request_started
    from django.db import transaction

    from pmm_portal.core import pages

    pages.raise_readings()
    assert pages._known_versions() == pages.current_versions()
    with transaction.atomic():
        RequestFactory(requester=sales_rep, product=product)
        assert pages._known_versions() is None  # written, not yet counted: ask the database
    assert pages._known_versions() == pages.current_versions()  # counted at the commit
    request_started.send(sender=None)
    assert pages._known_versions() is None


@pytest.mark.postgres(reason="readings are counted apart from writes on PostgreSQL only")
def test_a_kept_card_costs_a_rep_the_sign_in_the_count_and_the_cache(client, pmm, sales_rep, team):
    card = _battlecard(pmm, team)
    client.force_login(sales_rep)
    client.get(card.get_absolute_url())
    client.get(card.get_absolute_url())  # kept from here
    with CaptureQueriesContext(connection) as queries:
        assert client.get(card.get_absolute_url()).status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    # Session, account, the count (its visibility inside), the readings version raised; the
    # versions the kept page's key needs came back with the raise.
    assert len(statements) == 4, statements
    assert not [sql for sql in statements if sql.startswith("SELECT (SELECT last_value")]


# --- Kept nearby: this process's memory before Redis ------------------------------------------


def test_a_kept_page_is_served_from_this_process_memory_without_the_cache(client, pmm, sales_rep, product):
    RequestFactory(requester=sales_rep, product=product, title="Atlas pricing one-pager")
    client.force_login(pmm)
    client.get(reverse("requests_queue:index"))  # the CSRF cookie is set: not kept
    first = client.get(reverse("requests_queue:index"))
    cache.clear()  # Redis forgets it; this process has it still
    with CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("requests_queue:index"))
    assert again.content == first.content
    assert not [q for q in queries.captured_queries if "requests_queue_request" in q["sql"]]
    # A write moves the version: the page is built again, nearby or not.
    RequestFactory(requester=sales_rep, product=product, title="Borealis security FAQ")
    assert "Borealis security FAQ" in client.get(reverse("requests_queue:index")).content.decode()


def test_a_page_taken_from_the_cache_is_kept_nearby_only_for_what_is_left_of_its_life(settings):
    import time

    from pmm_portal.core import pages

    page = (b"<p>kept</p>", {"Content-Type": "text/html"})
    cache.set("page:young", (*page, time.time() - 10), 60)
    cache.set("page:old", (*page, time.time() - settings.PAGE_CACHE_SECONDS - 1), 60)
    cache.set("page:earlier-shape", page, 60)
    assert pages.read("page:young") == page
    assert pages.read("page:old") == page  # still in the cache: served, but not copied
    assert pages.read("page:earlier-shape") is None  # built again
    cache.clear()
    assert pages.read("page:young") == page
    assert pages.read("page:old") is None
