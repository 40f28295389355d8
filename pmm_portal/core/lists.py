"""One list stack for every page: a FilterSet (shared with the API) and a paginator.

A list page calls ``filtered_page`` with its app's FilterSet and the queryset its
selector allows the user to see, then renders ``components/filter_bar.html`` and
``components/pagination.html`` with the context this returns.
"""

from typing import Any

import django_filters
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


def query_without_page(request: HttpRequest) -> str:
    """The current query string without ``page``, for the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def filtered_page(
    request: HttpRequest,
    filterset_class: type[django_filters.FilterSet],
    queryset: Any,
    *,
    default_sort: str = "",
    page_size: int = PAGE_SIZE,
) -> dict[str, Any]:
    """Filter ``queryset`` by the request's query string and return one page with its context.

    The context holds ``filter`` (the bound FilterSet, whose errors say which
    filters were ignored), ``page_obj``, ``object_list``, ``query`` (for the
    pager), ``current_sort`` and ``filtered`` (whether any filter but the sort is set).
    """
    params = request.GET.copy()
    if default_sort and not params.get("sort"):
        params["sort"] = default_sort
    filterset = filterset_class(params, queryset=queryset, request=request)
    page: Page[Any] = Paginator(filterset.qs, page_size).get_page(request.GET.get("page"))
    filter_names = [name for name in filterset.filters if name != "sort"]
    return {
        "filter": filterset,
        "page_obj": page,
        "object_list": page.object_list,
        "query": query_without_page(request),
        "current_sort": params.get("sort", ""),
        "filtered": any(request.GET.get(name) for name in filter_names),
    }
