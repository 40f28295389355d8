"""Search and filters of the batch list (page and API alike)."""

import django_filters
from django.db.models import Q, QuerySet

from .models import ImportBatch, ImportKind, ImportStatus


class BatchFilter(django_filters.FilterSet):
    """``?q=&kind=&status=`` on ``selectors.batch_list``."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    kind = django_filters.ChoiceFilter(choices=ImportKind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=ImportStatus.choices, empty_label="Any status")

    class Meta:
        model = ImportBatch
        fields = ["q", "kind", "status"]

    def search(self, queryset: QuerySet[ImportBatch], name: str, value: str) -> QuerySet[ImportBatch]:
        words = value.strip()
        if not words:
            return queryset
        return queryset.filter(
            Q(filename__icontains=words)
            | Q(created_by__username__icontains=words)
            | Q(created_by__first_name__icontains=words)
            | Q(created_by__last_name__icontains=words)
            | Q(team__name__icontains=words)
        )
