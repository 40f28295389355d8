"""``/audit/``: the audit log for administrators and CMOs, its filters and its CSV export.

The role door (``RoleRequiredMixin``) turns everyone else away before the query string is read;
each view parses the filters, asks the selectors for one page (or the export's rows), records
the reading and renders.
"""

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from pmm_portal.core.exports import safe_csv_writer
from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.lists import query_without_page
from pmm_portal.core.permissions import RoleRequiredMixin

from . import permissions, selectors, services
from .forms import AuditFilterForm
from .models import ReadKind

# An export holds at most this many lines, read a page of ``EXPORT_CHUNK`` at a time.
EXPORT_LIMIT = 10_000
EXPORT_CHUNK = 500
CSV_HEADER = ["When (UTC)", "Who", "Action", "Object type", "Object id", "Object", "Link", "Changes"]


def _filters(request: AuthenticatedHttpRequest) -> tuple[AuditFilterForm, selectors.AuditFilters]:
    """The bound filter form and the filters it validated (one that does not validate is ignored)."""
    form = AuditFilterForm(request.GET or None, reader=request.user)
    cleaned: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the fields that validated
        cleaned = form.cleaned_data
    return form, selectors.AuditFilters.from_cleaned(cleaned)


class AuditLogView(RoleRequiredMixin, View):
    """``/audit/``: every change the reader may audit, newest first, 50 a page, with their diffs."""

    allowed_roles = permissions.AUDIT_READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form, filters = _filters(request)
        feed = selectors.audit_feed(reader=request.user, filters=filters)
        page = Paginator(feed, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
        entries = selectors.audit_entries(list(page.object_list))
        services.audit_read_record(
            reader=request.user, kind=ReadKind.VIEWED, via="page", filters=form.applied()
        )
        query = query_without_page(request)
        return render(
            request,
            "audit/audit_log.html",
            {
                "filter": SimpleNamespace(form=form, errors=form.errors if form.is_bound else {}),
                "page_obj": page,
                "object_list": entries,
                "query": query,
                "filtered": any(request.GET.get(name) for name in form.fields),
                "list_url": reverse("audit:index"),
                "export_url": reverse("audit:export") + (f"?{query}" if query else ""),
                "search_placeholder": "Name of the object changed",
                "filtered_empty_title": "No change matches these filters",
                "sees_everything": permissions.sees_everything(request.user),
            },
        )


def _csv_row(entry: selectors.AuditEntry, base_url: str) -> list[Any]:
    changes = "\n".join(
        f"{change.label}: {change.before or '—'} → {change.after or '—'}" for change in entry.changes
    )
    return [
        entry.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_name,
        entry.action,
        entry.type_name,
        entry.object_id,
        entry.label,
        base_url + entry.url if entry.url else "",
        changes,
    ]


class AuditExportView(RoleRequiredMixin, View):
    """``/audit/export.csv``: the filtered log as CSV (formula cells neutralised), recorded as an export."""

    allowed_roles = permissions.AUDIT_READERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form, filters = _filters(request)
        feed = selectors.audit_feed(reader=request.user, filters=filters)
        base_url = request.build_absolute_uri("/").rstrip("/")
        stream = io.StringIO()
        writer = safe_csv_writer(stream)
        writer.writerow(CSV_HEADER)
        for start in range(0, EXPORT_LIMIT, EXPORT_CHUNK):
            rows = list(feed[start : start + EXPORT_CHUNK])
            writer.writerows(_csv_row(entry, base_url) for entry in selectors.audit_entries(rows))
            if len(rows) < EXPORT_CHUNK:
                break
        services.audit_read_record(
            reader=request.user, kind=ReadKind.EXPORTED, via="csv", filters=form.applied()
        )
        response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
        return response
