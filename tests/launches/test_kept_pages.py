"""The launch pages are kept until the next write, and never shown stale after one."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from launches import services
from launches.models import ItemStatus
from pmm_portal.core.models import DataVersion


@pytest.fixture(autouse=True)
def page_cache(transactional_db, settings):
    settings.PAGE_CACHE_SECONDS = 60
    DataVersion.objects.get_or_create(pk=1)
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("page", ["launches:index", "launches:detail"])
def test_a_launch_page_is_kept_and_shows_a_status_change_at_once(client, pmm, launch, page):
    url = reverse(page) if page == "launches:index" else launch.get_absolute_url()
    client.force_login(pmm)
    client.get(url)  # the CSRF cookie is set, as in a browser
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.content == first.content
    assert not [q for q in queries.captured_queries if "launches_launchitem" in q["sql"]]
    item = launch.items.order_by("pk").first()
    services.item_set_status(actor=pmm, item=item, status=ItemStatus.DONE, expected=None)
    after = client.get(url)
    assert after.content != first.content
