"""Reads the integration pages and API share; each takes the acting user."""

from django.db.models import Count, Max, Q, QuerySet

from pmm_portal.core.models import User

from .models import Delivery, DeliveryStatus, Endpoint
from .permissions import deliveries_visible_to, endpoints_visible_to


def endpoint_list(*, user: User) -> QuerySet[Endpoint]:
    """The endpoints ``user`` manages, each with its team, owner, pending and failed counts and last delivery.

    One query for the page of rows (counts grouped in it), whatever the number of deliveries.
    """
    return (
        endpoints_visible_to(user)
        .select_related("team", "owner")
        .annotate(
            pending_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
            failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            last_delivery_at=Max("deliveries__created_at"),
        )
        .order_by("name", "id")
    )


def delivery_log(*, user: User) -> QuerySet[Delivery]:
    """The deliveries of the endpoints ``user`` manages, newest first, with their endpoint (one query)."""
    return (
        deliveries_visible_to(user)
        .select_related("endpoint", "team")
        .defer("body")
        .order_by("-created_at", "-id")
    )


def recent_deliveries(*, endpoint: Endpoint, limit: int = 10) -> list[Delivery]:
    return list(endpoint.deliveries.defer("body").order_by("-created_at", "-id")[:limit])


def personal_channel(*, user: User) -> Endpoint | None:
    """``user``'s own Slack or Teams address, if they added one (nobody else's: it is theirs alone)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Endpoint.objects.filter(owner=user, personal=True).first()


def personal_deliveries(*, user: User, limit: int = 10) -> list[Delivery]:
    """The latest posts to ``user``'s own address, newest first: their delivery log."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Delivery.objects.filter(endpoint__owner=user, endpoint__personal=True)
        .defer("body")
        .order_by("-created_at", "-id")[:limit]
    )
