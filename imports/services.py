"""Importing a file: read it, map its columns, preview every row, import all or nothing, undo.

The preview and the import are the same run (``_run``): every row goes through its kind's
``create`` (the owning app's service) in a savepoint of one transaction, so a row's error is
exactly what the app would answer, and rows see each other (two competitors of the same name in
one file are refused). The preview then rolls the whole transaction back; the import commits only
when no row failed. Nothing the services enqueue on commit (mails, notifications) happens for a
preview or a refused import.

Undo deletes exactly the objects the batch created, in one transaction, and refuses when one of
them was edited since (its fingerprint differs) or when something else now points to one of them
(its deletion footprint grew): deleting would then take others' work with it.
"""

import csv
import difflib
import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, models, transaction
from django.utils import timezone
from openpyxl import load_workbook

from pmm_portal.core.files import content_matches_extension
from pmm_portal.core.models import Team, User

from .kinds import KINDS, CellError, Context, Kind
from .models import ImportBatch, ImportedRow, ImportStatus

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 60
MAX_CELL = 10_000
EXTENSIONS = ("csv", "xlsx")
# Rows a deleted object takes with it that are only bookkeeping of the object itself: in-app
# notices of an imported request's own "submitted" event, written by the worker after the import.
DERIVED_MODELS = frozenset({"requests_queue.notification"})
# Fields that move without anyone changing the object: counters and the daily priority refresh.
VOLATILE_FIELDS = frozenset({"updated_at", "view_count", "download_count", "reuse_count", "priority"})


class ImportFileError(ValidationError):
    """A file that cannot be imported at all (type, size, content, no header); says why in words."""


@dataclass(frozen=True)
class RowError:
    """One problem of one row: ``row`` is its line in the file (the header is row 1)."""

    row: int
    column: str
    message: str

    @property
    def text(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]  # [row number, [cells as text]]


@dataclass
class Outcome:
    """What a run found: the rows' errors and, for an import that committed, how many objects it made."""

    rows: int
    errors: list[RowError] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_row(self) -> dict[int, list[RowError]]:
        grouped: dict[int, list[RowError]] = {}
        for error in self.errors:
            grouped.setdefault(error.row, []).append(error)
        return grouped


# --- Reading the file -------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:MAX_CELL]


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("The file is not text saved as UTF-8: save it again as “CSV UTF-8”.")


def _csv_rows(raw: bytes) -> Iterable[list[str]]:
    text_ = _decode(raw)
    try:
        dialect: Any = csv.Sniffer().sniff(text_[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text_), dialect)
    except csv.Error as error:
        raise ImportFileError(f"The CSV file could not be read: {error}.") from error


def _xlsx_rows(upload: UploadedFile[bytes]) -> Iterable[list[Any]]:
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise ImportFileError("The workbook could not be read: save it again from Excel as .xlsx.") from error
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield list(row)
    finally:
        workbook.close()


def read_table(upload: UploadedFile[bytes]) -> Table:
    """The first sheet (or the CSV) as a header row and rows of text; ``ImportFileError`` in words.

    Checked cheapest first: the name, the size, the bytes (``core.files``). Blank rows are skipped
    but keep their number, so "row 7" is the seventh line the user sees in the spreadsheet.
    """
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise ImportFileError(f"“{name}” is not a CSV file or an Excel workbook (.xlsx).")
    if (upload.size or 0) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            f"“{name}” is {(upload.size or 0) / 1024 / 1024:.1f} MB; an import can be at most "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB. Split it into several files."
        )
    if not content_matches_extension(upload, extension=extension):
        what = "CSV file saved as UTF-8" if extension == "csv" else "Excel workbook"
        raise ImportFileError(f"“{name}” is not a real {what}: its content does not match its extension.")
    lines = _csv_rows(upload.read()) if extension == "csv" else _xlsx_rows(upload)
    headers: list[str] | None = None
    rows: list[list[Any]] = []
    for number, line in enumerate(lines, start=1):
        cells = [_cell_text(value) for value in line[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if headers is None:
            headers = _headers(cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS} rows: split it into several files.")
        rows.append([number, (cells + [""] * len(headers))[: len(headers)]])
    if headers is None:
        raise ImportFileError("The file is empty: the first row should name the columns.")
    if not rows:
        raise ImportFileError("The file has a header row but no rows under it.")
    return Table(headers=headers, rows=rows)


def _headers(cells: list[str]) -> list[str]:
    """The header row's names, with blank ones named by their column and repeated ones numbered."""
    seen: Counter[str] = Counter()
    headers = []
    for index, cell in enumerate(cells):
        name = cell or f"Column {index + 1}"
        seen[name] += 1
        headers.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return headers


# --- The column mapping ------------------------------------------------------------------------------


def _norm(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


def mapping_suggest(*, kind: str, headers: Sequence[str]) -> dict[str, str]:
    """Field → header, by name: the field's name, label or an alias, else the closest name (by spelling)."""
    spec = KINDS[kind]
    free = {_norm(header): header for header in reversed(headers)}
    mapping: dict[str, str] = {}
    for import_field in spec.fields:
        names = [_norm(import_field.name), _norm(import_field.label), *map(_norm, import_field.aliases)]
        found = next((free[name] for name in names if name in free), None)
        if found is None:
            close = difflib.get_close_matches(names[0], list(free), n=1, cutoff=0.8)
            found = free[close[0]] if close else None
        if found is not None:
            mapping[import_field.name] = found
            free = {key: value for key, value in free.items() if value != found}
    return mapping


def mapping_check(*, kind: str, headers: Sequence[str], mapping: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with ``mapping`` (field → header), by field; empty when it can be used."""
    spec = KINDS[kind]
    errors: dict[str, str] = {}
    used: dict[str, str] = {}
    for name, header in mapping.items():
        if spec.field(name) is None:
            errors[name] = f"{kind} have no field “{name}”."
        elif header in ("", None):
            continue
        elif not isinstance(header, str) or header not in headers:
            errors[name] = f"The file has no column “{header}”."
        elif header in used:
            errors[name] = f"The column “{header}” is already used for {used[header]}."
        else:
            used[header] = name
    for import_field in spec.fields:
        if import_field.required and not mapping.get(import_field.name) and import_field.name not in errors:
            errors[import_field.name] = f"Choose the column that holds the {import_field.label.lower()}."
    return errors


def _clean_mapping(mapping: Mapping[str, Any]) -> dict[str, str]:
    return {name: header for name, header in mapping.items() if isinstance(header, str) and header}


# --- Drafts ----------------------------------------------------------------------------------------


def batch_upload(*, actor: User, kind: str, team: Team | None, upload: UploadedFile[bytes]) -> ImportBatch:
    """Read ``upload`` and keep its rows as a draft batch with a suggested mapping (nothing else is written).

    The caller has checked ``actor`` may import ``kind`` into ``team``
    (``permissions.access_import_target``).
    """
    table = read_table(upload)
    return ImportBatch.objects.create(
        kind=kind,
        team=team,
        created_by=actor,
        filename=(upload.name or "import")[:255],
        headers=table.headers,
        rows=table.rows,
        row_total=len(table.rows),
        mapping=mapping_suggest(kind=kind, headers=table.headers),
    )


def batch_set_mapping(*, batch: ImportBatch, mapping: Mapping[str, Any]) -> ImportBatch:
    """Keep the column mapping of a draft; ``ValidationError`` by field when it cannot be used."""
    _require_draft(batch)
    errors = mapping_check(kind=batch.kind, headers=batch.headers, mapping=mapping)
    if errors:
        raise ValidationError(errors)
    batch.mapping = _clean_mapping(mapping)
    batch.save(update_fields=["mapping"])
    return batch


def _require_draft(batch: ImportBatch) -> None:
    if batch.status != ImportStatus.DRAFT:
        raise ValidationError(f"This file was already imported ({batch.get_status_display().lower()}).")


# --- Preview and import: one run -------------------------------------------------------------------


def _row_values(
    spec: Kind, ctx: Context, mapping: Mapping[str, str], headers: Sequence[str], cells: list[str]
) -> tuple[dict[str, Any], list[CellError]]:
    values: dict[str, Any] = {}
    problems: list[CellError] = []
    for name, header in mapping.items():
        import_field = spec.field(name)
        if import_field is None or header not in headers:
            continue
        raw = cells[headers.index(header)].strip()
        if not raw:
            if import_field.required:
                problems.append(
                    CellError(name, f"is empty; every row needs the {import_field.label.lower()}.")
                )
            continue
        try:
            values[name] = import_field.read(ctx, name, raw)
        except CellError as problem:
            problems.append(problem)
    return values, problems


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs of a service's ``ValidationError``, whatever its shape."""
    if hasattr(error, "error_dict"):
        return [(name, message) for name, messages in error.message_dict.items() for message in messages]
    return [("", message) for message in error.messages]


def _column(mapping: Mapping[str, str], spec: Kind, name: str) -> str:
    """How an error names its place: the file's column (the user's word), else the field's label."""
    if name in mapping:
        return f"“{mapping[name]}”"
    import_field = spec.field(name)
    return import_field.label.lower() if import_field else ""


def _run(batch: ImportBatch, *, actor: User, commit: bool, domain: str, use_https: bool) -> Outcome:
    spec = KINDS[batch.kind]
    mapping = _clean_mapping(batch.mapping)
    ctx = Context(actor=actor, team=batch.team, domain=domain, use_https=use_https)
    outcome = Outcome(rows=len(batch.rows))
    created: list[tuple[int, models.Model]] = []

    def fail(number: int, name: str, message: str) -> None:
        outcome.errors.append(RowError(number, _column(mapping, spec, name), message))

    with transaction.atomic():
        for number, cells in batch.rows:
            values, problems = _row_values(spec, ctx, mapping, batch.headers, cells)
            for problem in problems:
                fail(number, problem.field, problem.message)
            if problems:
                continue
            try:
                with transaction.atomic():
                    objects = spec.create(ctx, values)
            except (ValidationError, PermissionDenied) as error:
                pairs = _messages(error) if isinstance(error, ValidationError) else [("", str(error))]
                for name, message in pairs:
                    fail(number, "" if name == "__all__" else name, message)
            except DatabaseError as error:  # a rule only the database keeps
                fail(number, "", f"could not be saved ({str(error).splitlines()[0][:200]}).")
            else:
                created.extend((number, obj) for obj in objects)
        if commit and outcome.ok:
            _record(batch, created, actor=actor)
            outcome.created = len(created)
        else:
            transaction.set_rollback(True)
    return outcome


def batch_preview(
    *, batch: ImportBatch, actor: User, domain: str = "localhost", use_https: bool = True
) -> Outcome:
    """Every row's errors, in words, exactly as the import would meet them; nothing is kept."""
    _require_draft(batch)
    _require_mapping(batch)
    return _run(batch, actor=actor, commit=False, domain=domain, use_https=use_https)


def _require_mapping(batch: ImportBatch) -> None:
    errors = mapping_check(kind=batch.kind, headers=batch.headers, mapping=batch.mapping)
    if errors:
        raise ValidationError(errors)


def batch_import(*, batch: ImportBatch, actor: User, domain: str, use_https: bool) -> Outcome:
    """Import every row of a draft or none: with any row's error nothing is written (see ``Outcome``).

    The batch's row is locked first, so two clicks (or two tabs) import it once: the second
    waits, then finds it imported and is refused.
    """
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _require_draft(locked)
        _require_mapping(locked)
        outcome = _run(locked, actor=actor, commit=True, domain=domain, use_https=use_https)
    batch.refresh_from_db()
    return outcome


def _fingerprint(obj: models.Model) -> str:
    values = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in VOLATILE_FIELDS
    }
    encoded = json.dumps(values, cls=DjangoJSONEncoder, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _footprint(objects: Sequence[models.Model]) -> list[str]:
    """What deleting ``objects`` would delete, set to null or be stopped by, as sorted labels."""
    collector = NestedObjects(using=DEFAULT_DB_ALIAS)
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    for group in by_model.values():
        collector.collect(group)
    found: set[str] = set()
    for model, instances in collector.data.items():
        found.update(f"{model._meta.label_lower}:{obj.pk}" for obj in instances)
    for (model_field, _value), updates in collector.field_updates.items():
        for update in updates:
            pks = update.values_list("pk", flat=True) if hasattr(update, "values_list") else [update.pk]
            label = model_field.model._meta.label_lower
            found.update(f"{label}:{pk}~{model_field.name}" for pk in pks)
    found.update(f"{obj._meta.label_lower}:{obj.pk}!" for obj in collector.protected)
    return sorted(item for item in found if item.split(":")[0] not in DERIVED_MODELS)


def _record(batch: ImportBatch, created: Sequence[tuple[int, models.Model]], *, actor: User) -> None:
    types = ContentType.objects.get_for_models(*{type(obj) for _, obj in created})
    ImportedRow.objects.bulk_create(
        ImportedRow(
            batch=batch,
            row_number=number,
            content_type=types[type(obj)],
            object_id=obj.pk,
            label=str(obj)[:200],
            fingerprint=_fingerprint(type(obj)._default_manager.get(pk=obj.pk)),
        )
        for number, obj in created
    )
    batch.footprint = _footprint([obj for _, obj in created])
    batch.status = ImportStatus.IMPORTED
    batch.imported_at = timezone.now()
    batch.object_count = len(created)
    batch.save(update_fields=["footprint", "status", "imported_at", "object_count"])


# --- Undo ------------------------------------------------------------------------------------------


def _imported_objects(batch: ImportBatch) -> list[tuple[ImportedRow, models.Model | None]]:
    """Each row the batch created with its object as it is now (None when it is gone), in creation order."""
    rows = list(batch.objects_created.select_related("content_type").order_by("id"))
    found: dict[tuple[int, int], models.Model] = {}
    by_type: dict[int, list[int]] = {}
    for row in rows:
        by_type.setdefault(row.content_type_id, []).append(row.object_id)
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for obj in model._default_manager.filter(pk__in=ids):
            found[(type_id, obj.pk)] = obj
    return [(row, found.get((row.content_type_id, row.object_id))) for row in rows]


def _describe(labels: Iterable[str]) -> str:
    """``"2 quotes, 1 asset-persona link"`` for footprint labels (``app.model:pk``)."""
    counts: Counter[str] = Counter()
    for label in labels:
        model = apps.get_model(label.split(":")[0])
        if model._meta.auto_created:  # the table behind a many-to-many field
            name = str(model._meta.verbose_name).replace(" relationship", "").lower() + " link"
            counts[name] += 1
        else:
            counts[str(model._meta.verbose_name)] += 1
    return ", ".join(f"{count} {name}" for name, count in counts.most_common())


def undo_problems(batch: ImportBatch) -> list[str]:
    """Why undoing ``batch`` now would lose something, in words (empty: undo is safe)."""
    if batch.status != ImportStatus.IMPORTED:
        return [f"This batch is {batch.get_status_display().lower()}: there is nothing to undo."]
    problems = []
    pairs = _imported_objects(batch)
    for row, obj in pairs:
        what = f"row {row.row_number} ({row.content_type.name} “{row.label}”)"
        if obj is None:
            problems.append(f"{what} was deleted since the import.")
        elif _fingerprint(obj) != row.fingerprint:
            problems.append(f"{what} was changed since the import.")
    present = [obj for _, obj in pairs if obj is not None]
    grown = sorted(set(_footprint(present)) - set(batch.footprint)) if present else []
    if grown:
        problems.append(
            "Since the import, other records point to what it created: "
            f"{_describe(grown)}. Undo would delete or change them too."
        )
    return problems


def batch_undo(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Delete exactly the batch's objects in one transaction, newest first; record who and when.

    Refused (``ValidationError`` listing why) when an object was changed or deleted since, or when
    something else now points to one (``undo_problems``). The batch row is locked, so two undos
    of one batch delete once.
    """
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        problems = undo_problems(locked)
        if problems:
            raise ValidationError(problems)
        for _row, obj in reversed(_imported_objects(locked)):
            if obj is not None:
                obj.delete()
        locked.status = ImportStatus.UNDONE
        locked.undone_at = timezone.now()
        locked.undone_by = actor
        locked.save(update_fields=["status", "undone_at", "undone_by"])
    batch.refresh_from_db()
    return batch


# --- Templates -------------------------------------------------------------------------------------


def template_csv(kind: str) -> str:
    """A CSV file with the kind's columns as headers, for people to fill in."""
    out = io.StringIO()
    csv.writer(out).writerow([import_field.name for import_field in KINDS[kind].fields])
    return out.getvalue()


def file_import(
    *,
    actor: User,
    kind: str,
    team: Team | None,
    upload: UploadedFile[bytes],
    mapping: Mapping[str, Any] | None,
    dry_run: bool,
    domain: str,
    use_https: bool,
) -> tuple[ImportBatch | None, Outcome]:
    """The API's one step: read, map (``mapping`` or the suggestion), then preview or import.

    A dry run writes nothing, not even a draft. An import that meets any row's error writes
    nothing either (the batch with it); otherwise the batch is returned, imported.
    """
    table = read_table(upload)
    chosen = dict(mapping) if mapping else mapping_suggest(kind=kind, headers=table.headers)
    errors = mapping_check(kind=kind, headers=table.headers, mapping=chosen)
    if errors:
        raise ValidationError({"mapping": [f"{name}: {message}" for name, message in errors.items()]})
    batch = ImportBatch(
        kind=kind,
        team=team,
        created_by=actor,
        filename=(upload.name or "import")[:255],
        headers=table.headers,
        rows=table.rows,
        row_total=len(table.rows),
        mapping=_clean_mapping(chosen),
    )
    if dry_run:
        return None, _run(batch, actor=actor, commit=False, domain=domain, use_https=use_https)
    with transaction.atomic():
        batch.save()
        outcome = _run(batch, actor=actor, commit=True, domain=domain, use_https=use_https)
        if not outcome.ok:
            transaction.set_rollback(True)
            return None, outcome
    return batch, outcome
