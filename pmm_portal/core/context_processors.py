from typing import Any

from django.http import HttpRequest
from django.urls import Resolver404, resolve

from .navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The role's menu and the current page's URL name, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    try:
        match = resolve(request.path_info)
        current = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    except Resolver404:
        current = ""
    return {"nav_items": items_for(user), "nav_current": current}
