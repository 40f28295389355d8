"""API pagination, in its own module: DRF imports it while ``rest_framework.generics`` loads."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Page-numbered lists: ``?page=2&page_size=50`` (at most 100 a page)."""

    page_size_query_param = "page_size"
    max_page_size = 100
