"""Query building blocks the apps share."""

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_of(model: Any, column: str) -> Coalesce:
    """A correlated ``COUNT`` of ``model``'s rows whose ``column`` is the outer row's pk.

    Counted per row of the page, where a join with ``GROUP BY`` would first read every
    row's related rows (and multiply rows when two counts are joined).
    """
    rows = model.objects.filter(**{column: OuterRef("pk")}).order_by().values(column).annotate(n=Count("*"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)
