"""The navigation bar, derived from the pages themselves.

An entry is shown to a user exactly when its view's ``allowed_roles`` admit
them, so the menu can never offer a page that answers 403.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.urls import resolve, reverse

from .permissions import user_has_role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    # The same page can mean something else to another role ("My plan" is a CMO's "Team plan").
    role_labels: tuple[tuple[str, str], ...] = ()

    def for_role(self, role: str) -> "NavItem":
        label = dict(self.role_labels).get(role, self.label)
        return NavItem(label, self.url_name, self.icon)


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "home", "house"),
    NavItem("New request", "requests_queue:new", "plus-circle"),
    NavItem("My requests", "requests_queue:mine", "inbox"),
    NavItem(
        "My plan",
        "initiatives:index",
        "bullseye",
        role_labels=(("cmo", "Team plan"), ("pm", "Marketing plan"), ("admin", "Plans")),
    ),
    NavItem("Timesheet", "timesheets:week", "clock"),
    NavItem("Request queue", "requests_queue:index", "list-check"),
    NavItem("Asset library", "requests_queue:assets", "collection"),
    NavItem("Wins feed", "initiatives:feed", "trophy"),
    NavItem("Personas", "personas:index", "people"),
    NavItem("Competitors", "competitive:index", "shield-shaded"),
    NavItem("Diagnostic", "diagnostics:index", "diagram-3"),
    NavItem("Launches", "launches:index", "rocket-takeoff"),
    NavItem("Dashboard", "reporting:index", "graph-up"),
    NavItem("Reports", "reporting:reports", "file-earmark-bar-graph"),
    NavItem("Imports", "imports:index", "upload"),
    NavItem("Integrations", "integrations:index", "plug"),
    NavItem("Audit log", "audit:index", "journal-text"),
)


@cache
def roles_for(url_name: str) -> tuple[str, ...]:
    """The roles the view behind ``url_name`` admits."""
    view = resolve(reverse(url_name)).func
    view_class = getattr(view, "view_class", None)
    return tuple(getattr(view_class, "allowed_roles", ()))


def items_for(user: Any) -> list[NavItem]:
    role = "admin" if user.is_portal_admin else user.role
    return [item.for_role(role) for item in NAV_ITEMS if user_has_role(user, roles_for(item.url_name))]
