"""Long lists page, and the pager keeps the filters."""

from requests_queue.models import RequestStatus
from tests.factories import RequestFactory


def test_the_queue_pages_and_keeps_its_filters(client, pmm, sales_rep, product):
    RequestFactory.create_batch(
        30, requester=sales_rep, product=product, team=product.team, status=RequestStatus.NEW, type="slides"
    )
    client.force_login(pmm)
    html = client.get("/requests/", {"type": "slides"}).content.decode()
    assert "Page 1 of 2" in html
    assert "type=slides&amp;page=2" in html
    assert "Page 2 of 2" in client.get("/requests/", {"type": "slides", "page": 2}).content.decode()


def test_every_list_pages_through_the_shared_pager(client, pmm, sales_rep, product, team):
    from tests.factories import AssetFactory

    RequestFactory.create_batch(30, requester=sales_rep, product=product, team=team, status=RequestStatus.NEW)
    AssetFactory.create_batch(30, team=team, owner=pmm)
    client.force_login(pmm)
    assert "Page 1 of 2" in client.get("/requests/").content.decode()
    assert "Page 2 of 2" in client.get("/requests/assets/", {"page": 2}).content.decode()
    client.force_login(sales_rep)
    html = client.get("/requests/mine/", {"status": "open", "page": 2}).content.decode()
    assert "Page 2 of 2" in html
    assert "status=open&amp;page=1" in html
