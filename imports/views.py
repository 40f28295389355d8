"""Pages of imports: the batch list, upload, column mapping, the dry-run preview, import and undo.

Each view declares who may use it, checks the import rights or looks the batch up through
``permissions`` before it reads the body, and calls one service.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from pmm_portal.core.http import AuthenticatedHttpRequest
from pmm_portal.core.lists import filtered_page
from pmm_portal.core.permissions import RoleRequiredMixin

from . import permissions, selectors, services
from .filters import BatchFilter
from .forms import MappingForm, UploadForm
from .kinds import KINDS
from .models import ImportBatch, ImportKind, ImportStatus

IMPORTERS = permissions.IMPORTERS


def _require_importer(request: AuthenticatedHttpRequest) -> None:
    if not permissions.can_import(request.user):
        raise PermissionDenied("Your role and teams do not let you import anything.")


def _kind_guides(kinds: list[str]) -> list[dict[str, Any]]:
    return [{"key": kind, "label": ImportKind(kind).label, "fields": KINDS[kind].fields} for kind in kinds]


class BatchListView(RoleRequiredMixin, View):
    """``/imports/``: the imports the user sees, who made them, when, how many rows, and their state."""

    allowed_roles = IMPORTERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        page = filtered_page(request, BatchFilter, selectors.batch_list(user=request.user))
        kinds = permissions.importable_kinds(request.user)
        return render(
            request,
            "imports/batch_list.html",
            {
                **page,
                "list_url": reverse("imports:index"),
                "search_placeholder": "File, person or team",
                "can_import": bool(kinds),
                "kinds": _kind_guides(kinds),
            },
        )


class UploadView(RoleRequiredMixin, View):
    """``/imports/new/``: step 1, the file, what it holds and the team."""

    allowed_roles = IMPORTERS

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        _require_importer(request)
        form = UploadForm(user=request.user, initial={"kind": request.GET.get("kind", "")})
        return self._render(request, form)

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        _require_importer(request)
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                batch = services.batch_upload(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    team=form.target,
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as error:
                form.add_error("file", error.messages)
            else:
                return HttpResponseRedirect(reverse("imports:detail", args=[batch.pk]))
        return self._render(request, form, status=400)

    def _render(self, request: AuthenticatedHttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
        kinds = permissions.importable_kinds(request.user)
        return render(
            request, "imports/upload.html", {"form": form, "kinds": _kind_guides(kinds)}, status=status
        )


class BatchDetailView(RoleRequiredMixin, View):
    """``/imports/<id>/``: a draft's column mapping (step 2), or what an import created and its undo."""

    allowed_roles = IMPORTERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        batch = permissions.access_batch(user=request.user, id=pk)
        return _detail(
            request, batch, MappingForm(batch=batch) if batch.status == ImportStatus.DRAFT else None
        )

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        batch = permissions.access_batch(user=request.user, id=pk, action="change")
        if batch.status != ImportStatus.DRAFT:
            messages.error(request, "This file was already imported: its mapping cannot change.")
            return HttpResponseRedirect(reverse("imports:detail", args=[batch.pk]))
        form = MappingForm(request.POST, batch=batch)
        if form.is_valid():
            try:
                services.batch_set_mapping(batch=batch, mapping=form.cleaned_data)
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                return HttpResponseRedirect(reverse("imports:preview", args=[batch.pk]))
        return _detail(request, batch, form, status=400)


def _detail(
    request: AuthenticatedHttpRequest, batch: ImportBatch, form: MappingForm | None, status: int = 200
) -> HttpResponse:
    undo_problems = services.undo_problems(batch) if batch.status == ImportStatus.IMPORTED else []
    context = {
        "batch": batch,
        "form": form,
        "sample": batch.rows[:3] if form is not None else [],
        "objects": selectors.batch_objects(batch=batch) if form is None else [],
        "undo_problems": undo_problems,
        "can_change": request.user.is_portal_admin or batch.created_by_id == request.user.pk,
    }
    return render(request, "imports/batch_detail.html", context, status=status)


class PreviewView(RoleRequiredMixin, View):
    """``/imports/<id>/preview/``: step 3, the dry run: every row and its errors; nothing is written."""

    allowed_roles = IMPORTERS

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        batch = permissions.access_batch(user=request.user, id=pk, action="change")
        return _preview(request, batch)


def _preview(request: AuthenticatedHttpRequest, batch: ImportBatch, status: int = 200) -> HttpResponse:
    if batch.status != ImportStatus.DRAFT:
        return HttpResponseRedirect(reverse("imports:detail", args=[batch.pk]))
    try:
        outcome = services.batch_preview(
            batch=batch, actor=request.user, domain=request.get_host(), use_https=request.is_secure()
        )
    except ValidationError:
        messages.error(request, "Choose a column for every required field first.")
        return HttpResponseRedirect(reverse("imports:detail", args=[batch.pk]))
    by_row = outcome.errors_by_row()
    rows = [
        {"number": number, "cells": cells, "errors": by_row.get(number, [])} for number, cells in batch.rows
    ]
    return render(
        request,
        "imports/preview.html",
        {"batch": batch, "outcome": outcome, "rows": rows, "columns": batch.headers},
        status=status,
    )


class ImportView(RoleRequiredMixin, View):
    """``POST /imports/<id>/import/``: step 4, every row in one transaction, or none."""

    allowed_roles = IMPORTERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        batch = permissions.access_batch(user=request.user, id=pk, action="change")
        try:
            outcome = services.batch_import(
                batch=batch, actor=request.user, domain=request.get_host(), use_https=request.is_secure()
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("imports:detail", args=[batch.pk]))
        if not outcome.ok:
            messages.error(request, "Nothing was imported: fix the rows below and upload the file again.")
            return _preview(request, batch, status=400)
        messages.success(request, f"Imported {batch.row_total} rows. You can undo the whole batch here.")
        return HttpResponseRedirect(reverse("imports:detail", args=[batch.pk]))


class UndoView(RoleRequiredMixin, View):
    """``POST /imports/<id>/undo/``: delete exactly what the batch created, or say why not."""

    allowed_roles = IMPORTERS

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        batch = permissions.access_batch(user=request.user, id=pk, action="change")
        try:
            services.batch_undo(batch=batch, actor=request.user)
        except ValidationError as error:
            messages.error(request, "Undo refused: " + " ".join(error.messages))
        else:
            messages.success(
                request, f"Undone: the {batch.object_count} records this import created are deleted."
            )
        return HttpResponseRedirect(reverse("imports:detail", args=[batch.pk]))


class TemplateView(RoleRequiredMixin, View):
    """``/imports/templates/<kind>/``: a CSV with the kind's columns, to fill in."""

    allowed_roles = IMPORTERS

    def get(self, request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
        if kind not in KINDS:
            raise Http404("No such kind of import.")
        response = HttpResponse(services.template_csv(kind), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-import-template.csv"'
        return response
