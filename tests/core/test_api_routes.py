"""The API's routes, grouped by resource for speed (``pmm_portal.api_urls.by_resource``), keep
every address and name the router gives them."""

import re

from django.urls import resolve, reverse
from django.urls.resolvers import RegexPattern

from pmm_portal.api_urls import by_resource, router


def _example(regex: str) -> str:
    """An address the route's regex matches: each named group filled with a sample value."""
    path = regex.lstrip("^").rstrip("$").replace("/?", "/").replace("\\.", ".")
    path = re.sub(r"\(\?P<format>[^)]*\)", "json", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "7", path)
    return "/api/v1/" + path


def test_every_router_route_resolves_to_its_view_and_name_and_reverses_to_its_address():
    checked = 0
    for pattern in router.urls:
        if not isinstance(pattern.pattern, RegexPattern):
            continue  # the API root, left where the router puts it
        regex = pattern.pattern._regex
        if "(?P<pk>" in regex and "[0-9]" not in regex and "a-zA-Z" not in regex:
            continue  # a lookup this sampler cannot fill
        address = _example(regex)
        match = resolve(address)
        assert match.url_name == pattern.name, address
        assert match.func.cls is pattern.callback.cls, address
        # ``.json/`` and ``.json`` are one route (its slash is optional); reverse writes the latter.
        assert reverse(f"api:{pattern.name}", kwargs=match.kwargs).rstrip("/") == address.rstrip("/")
        checked += 1
    assert checked > 150


def test_a_resource_whose_name_begins_another_is_not_confused_with_it():
    assert resolve("/api/v1/integrations/").url_name == "integration-list"
    assert resolve("/api/v1/integration-deliveries/").url_name == "integration-delivery-list"
    assert resolve("/api/v1/launches/").url_name == "launch-list"
    assert resolve("/api/v1/launch-items/").url_name == "launch-item-list"


def test_each_resource_is_one_include():
    grouped = by_resource(router.urls)
    assert len(grouped) < len(router.urls) / 3  # two per resource (routes and format suffixes)
