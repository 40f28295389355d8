"""Support for ``test_routes.py``: every URL pattern the resolver knows, and a row count of every table.

Kept apart from the table so the table reads as a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, resolve

# The format-suffix twin of each DRF router route (``^personas\.(?P<format>[a-z0-9]+)/?$``) runs the
# same view and the same permission code as its plain route; only the renderer differs. It shares the
# plain route's row.
_FORMAT_SUFFIX = r"\.(?P<format>[a-z0-9]+)/?$"

_FORMAT_SUFFIX_PATH = "<drf_format_suffix:format>"

UNSAFE = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    key: str  # the path pattern joined down the resolver tree: "requests/<int:pk>/"
    callback: Any
    kwargs: tuple[str, ...]  # the URL's arguments, as the pattern names them
    methods: tuple[str, ...]  # what the view answers, in the order we try them

    @property
    def is_api(self) -> bool:
        return self.key.startswith("api/")


def _plain(key: str) -> str:
    """The route a format-suffix twin shares its row with."""
    if key.endswith(_FORMAT_SUFFIX):
        return key[: -len(_FORMAT_SUFFIX)] + "/$"
    if key.endswith(_FORMAT_SUFFIX_PATH):  # DefaultRouter's API root: "api/v1/<drf_format_suffix:format>"
        return key[: -len(_FORMAT_SUFFIX_PATH)]
    return key


API_NOT_FOUND = r"^api/(?:[\s\S]*/)?$"


def _skipped(key: str) -> bool:
    # /admin/ is Django's own admin site: staff-only by Django's design (every view is wrapped in
    # admin_view, which sends everyone else to the admin login), tested in tests/core/test_admin.py,
    # and it has hundreds of generated routes. Static files are served by WhiteNoise: files, not views
    # with a permission. Media is never routed (uploads go out through checked download views).
    # The API's catch-all names no endpoint: every path it matches answers the JSON 404, whoever
    # asks (tests/core/test_api_contract.py).
    return key.startswith(("admin/", "static/", "media/")) or key == API_NOT_FOUND


def _methods(callback: Any) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)  # a DRF viewset route: {"get": "list", ...}
    if actions:
        methods = [m for m in ("get", *UNSAFE) if m in actions]
        if "patch" in methods and "put" in methods:
            methods.remove("put")  # update and partial_update share one permission path
        return tuple(methods)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return ()  # a function view: its row says what it answers
    allowed = [m for m in getattr(view_class, "http_method_names", ()) if hasattr(view_class, m)]
    methods = [m for m in ("get",) if m in allowed]
    # One state-changing method per page: Django's form views also answer PUT by calling post().
    unsafe = [m for m in UNSAFE if m in allowed]
    if unsafe:
        methods.append(unsafe[0])
    return tuple(methods)


def _walk(resolver: URLResolver, prefix: str = "") -> list[Route]:
    routes: list[Route] = []
    for pattern in resolver.url_patterns:
        part = str(pattern.pattern)
        if "^" in prefix and part.startswith("^"):
            part = part[1:]  # a regex nested in a regex include (the API's per-resource groups): one anchor
        key = prefix + part
        if isinstance(pattern, URLResolver):
            routes.extend(_walk(pattern, key))
        elif isinstance(pattern, URLPattern):
            key = _plain(key)
            regex = pattern.pattern.regex
            names = tuple(n for n in regex.groupindex if n != "format")
            routes.append(Route(key, pattern.callback, names, _methods(pattern.callback)))
    return routes


def all_routes() -> list[Route]:
    """Every routed view once, by key (the first pattern wins, as in the resolver)."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver()):
        if not _skipped(route.key):
            seen.setdefault(route.key, route)
    return list(seen.values())


def row_counts() -> dict[str, int]:
    """How many rows every table holds (many-to-many and history tables included), in one query."""
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)})
    quote = connection.ops.quote_name
    # Table names come from the models, quoted by the backend: no user input.
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


_PATH_ARG = re.compile(r"<(?:\w+:)?(\w+)>")


def fill(key: str, args: dict[str, str]) -> str:
    """A concrete path for ``key``: ``<int:pk>`` and ``(?P<pk>…)`` replaced by ``args``' values."""
    path = key.replace("^", "").replace("$", "")
    for name, value in args.items():
        path = _regex_group(name).sub(lambda _m, v=value: v, path)
    return _PATH_ARG.sub(lambda m: args[m.group(1)], path)


def _regex_group(name: str) -> re.Pattern[str]:
    # A named group whose body holds no parentheses: (?P<pk>[^/.]+), (?P<follow_up_id>\d+).
    return re.compile(r"\(\?P<" + name + r">[^()]*\)")


def same_route(url: str, key: str) -> bool:
    """Whether ``url`` resolves to the route ``key`` (the resolver's own route drops regex anchors)."""
    return _plain(resolve(url).route).replace("^", "") == key.replace("^", "")
