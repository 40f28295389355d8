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
