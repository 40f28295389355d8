"""The audit log as one feed: the history tables of every tracked model, newest first.

``audit_feed`` builds one ``UNION ALL`` over the history tables (and the log's own reads), each
branch filtered by the reader's scope and filters before the union, with only the columns a
page needs to sort and page: source, history id, when, who, action, object id, label. The
database counts and pages it: two queries whatever the number of rows.

``audit_entries`` then reads the page's rows in full, per source: one query for the rows (with
the user who made them and, by a subquery, the id of the object's previous history row) and
one for those previous rows, so the field-by-field diff is computed for the page only. The
people, teams and products named in the diffs are read at once (a query per model). The number
of queries depends on how many tracked models appear on the page, never on the amount of data.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from pmm_portal.core.models import Product, Team, User

from . import permissions
from .models import AuditRead, ReadKind
from .sources import READ_KEY, READ_NAME, SOURCES, Source, sources_by_key

PAGE_SIZE = 50
# A value longer than this is cut in the page, the API and the export.
VALUE_LIMIT = 500

ACTION_CODES = {"created": "+", "changed": "~", "deleted": "-"}
COLUMNS = ("a_source", "a_hid", "a_at", "a_who", "a_action", "a_object", "a_label")
# Fields every history row has that are not the object's own.
NAMED_MODELS: tuple[type[models.Model], ...] = (User, Team, Product)


@dataclass(frozen=True)
class AuditFilters:
    """What the reader asked for; empty values filter nothing."""

    q: str = ""
    user_id: int | None = None
    type: str = ""
    action: str = ""
    team_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def from_cleaned(cls, data: dict[str, Any]) -> "AuditFilters":
        user, team = data.get("user"), data.get("team")
        return cls(
            q=(data.get("q") or "").strip(),
            user_id=user.pk if user else None,
            type=data.get("type") or "",
            action=data.get("action") or "",
            team_id=team.pk if team else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


@dataclass(frozen=True)
class Change:
    """One field of one change: its name, and its value before and after (None: empty)."""

    field: str
    label: str
    before: str | None
    after: str | None


@dataclass
class AuditEntry:
    """One line of the audit log."""

    at: dt.datetime
    actor: User | None
    type_key: str
    type_name: str
    object_id: int
    label: str
    action: str
    url: str = ""
    changes: list[Change] = field(default_factory=list)
    # A change whose earlier state the log never saw (the object predates its history).
    no_earlier_record: bool = False

    @property
    def is_read(self) -> bool:
        """A reading of the log itself (its "changes" are the filters used)."""
        return self.type_key == READ_KEY

    @property
    def actor_name(self) -> str:
        return self.actor.display_name if self.actor else "System"


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _text(expression: Any) -> Cast:
    return Cast(expression, models.TextField())


def _history_branch(source: Source, *, reader: User, filters: AuditFilters) -> QuerySet[Any]:
    rows = source.history_model._default_manager.all()
    if not permissions.sees_everything(reader):
        rows = rows.filter(source.in_teams(Team.objects.filter(lead=reader).values("id")))
    if filters.team_id:
        rows = rows.filter(source.in_teams([filters.team_id]))
    if filters.user_id:
        rows = rows.filter(history_user_id=filters.user_id)
    if filters.action:
        rows = rows.filter(history_type=ACTION_CODES[filters.action])
    if filters.date_from:
        rows = rows.filter(history_date__gte=_day_start(filters.date_from))
    if filters.date_to:
        rows = rows.filter(history_date__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    rows = rows.annotate(
        a_source=_text(Value(source.key)),
        a_hid=F("history_id"),
        a_at=F("history_date"),
        a_who=F("history_user_id"),
        a_action=_text(
            Case(
                When(history_type="+", then=Value("created")),
                When(history_type="-", then=Value("deleted")),
                default=Value("changed"),
            )
        ),
        a_object=F("id"),
        a_label=source.label_expression(),
    )
    if filters.q:
        rows = rows.filter(a_label__icontains=filters.q)
    # No ORDER BY inside a branch (the history tables order by date): SQLite refuses one in a
    # compound statement, and the union is ordered as a whole.
    branch: QuerySet[Any] = rows.order_by().values(*COLUMNS)
    return branch


def _reads_branch(*, reader: User, filters: AuditFilters) -> QuerySet[Any] | None:
    """The log's own reads: an administrator sees everyone's, a CMO their own."""
    if filters.team_id or (filters.action and filters.action not in ReadKind.values):
        return None
    if filters.q and filters.q.lower() not in READ_NAME.lower():
        return None
    reads = AuditRead.objects.all()
    if not permissions.sees_everything(reader):
        reads = reads.filter(user=reader)
    if filters.user_id:
        reads = reads.filter(user_id=filters.user_id)
    if filters.action:
        reads = reads.filter(kind=filters.action)
    if filters.date_from:
        reads = reads.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        reads = reads.filter(created_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    branch: QuerySet[Any] = (
        reads.annotate(
            a_source=_text(Value(READ_KEY)),
            a_hid=F("id"),
            a_at=F("created_at"),
            a_who=F("user_id"),
            a_action=_text(F("kind")),
            a_object=F("id"),
            a_label=_text(Value(READ_NAME)),
        )
        .order_by()
        .values(*COLUMNS)
    )
    return branch


def audit_feed(*, reader: User, filters: AuditFilters) -> QuerySet[Any]:
    """The history rows ``reader`` may read that match ``filters``, newest first, as dicts of
    ``COLUMNS`` (one ``UNION ALL``: slice it, or count it, in one query)."""
    branches: list[QuerySet[Any]] = []
    for source in SOURCES:
        if filters.type and filters.type != source.key:
            continue
        if filters.action and filters.action not in ACTION_CODES:
            continue
        branches.append(_history_branch(source, reader=reader, filters=filters))
    if not filters.type or filters.type == READ_KEY:
        reads = _reads_branch(reader=reader, filters=filters)
        if reads is not None:
            branches.append(reads)
    if not branches:
        return AuditRead.objects.none().values("id")
    first, *rest = branches
    feed = first.union(*rest, all=True) if rest else first
    return feed.order_by("-a_at", "-a_hid")


# --- One page, in full -----------------------------------------------------------------------------


def _shown(value: Any, model_field: Any, names: dict[tuple[type, Any], str]) -> str | None:
    """A field's value as the log shows it (None: empty)."""
    if value is None or value == "":
        return None
    if model_field.choices:
        shown = dict(model_field.flatchoices).get(value, value)
    elif model_field.is_relation and model_field.related_model in NAMED_MODELS:
        shown = names.get((model_field.related_model, value), f"#{value}")
    elif model_field.is_relation:
        shown = f"#{value}"
    elif isinstance(value, bool):
        shown = "Yes" if value else "No"
    elif isinstance(value, dt.datetime):
        shown = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, dt.date):
        shown = value.isoformat()
    else:
        shown = value
    text = str(shown)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def _raw_changes(record: Any, previous: Any | None) -> tuple[list[tuple[Any, Any, Any]], bool]:
    """(field, before, after) for each field that differs; and whether the earlier state is unknown."""
    fields = record.tracked_fields
    if record.history_type == "+":
        pairs = [(f, None, getattr(record, f.attname)) for f in fields]
    elif record.history_type == "-":
        pairs = [(f, getattr(record, f.attname), None) for f in fields]
    elif previous is None:
        return [], True
    else:
        pairs = [(f, getattr(previous, f.attname), getattr(record, f.attname)) for f in fields]
    changed = [
        (f, before, after)
        for f, before, after in pairs
        if f.name != "id" and before != after and not (before in (None, "") and after in (None, ""))
    ]
    return changed, False


def _names(pairs: Iterable[tuple[Any, Any, Any]]) -> dict[tuple[type, Any], str]:
    """The names of the people, teams and products the changes refer to (a query per model)."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for model_field, before, after in pairs:
        if model_field.is_relation and model_field.related_model in NAMED_MODELS:
            wanted[model_field.related_model].update(v for v in (before, after) if v is not None)
    names: dict[tuple[type, Any], str] = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            names[(model, obj.pk)] = str(obj)
    return names


def _link(source: Source, record: Any) -> str:
    if source.link is None or record.history_type == "-":
        return ""
    url_name, attribute = source.link
    object_id = getattr(record, attribute, None)
    return reverse(url_name, args=[object_id]) if object_id else ""


def audit_entries(rows: Sequence[dict[str, Any]]) -> list[AuditEntry]:
    """The rows of one page of ``audit_feed``, in full, in the same order."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        wanted[row["a_source"]].append(row["a_hid"])
    records: dict[tuple[str, int], tuple[Source, Any, Any | None]] = {}
    reads: dict[int, AuditRead] = {}
    for key, ids in wanted.items():
        if key == READ_KEY:
            reads = AuditRead.objects.select_related("user").in_bulk(ids)
            continue
        source = sources_by_key()[key]
        history = source.history_model._default_manager
        earlier = (
            history.filter(id=OuterRef("id"))
            .filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
            )
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        page = list(
            history.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(previous_id=Subquery(earlier))
        )
        previous_ids = [r.previous_id for r in page if r.history_type == "~" and r.previous_id]
        previous = history.in_bulk(previous_ids) if previous_ids else {}
        for record in page:
            records[(key, record.history_id)] = (source, record, previous.get(record.previous_id))

    diffs = {k: _raw_changes(record, prev) for k, (_, record, prev) in records.items()}
    names = _names(pair for changed, _ in diffs.values() for pair in changed)
    entries: list[AuditEntry] = []
    for row in rows:
        key, hid = row["a_source"], row["a_hid"]
        if key == READ_KEY:
            read = reads[hid]
            entries.append(
                AuditEntry(
                    at=read.created_at,
                    actor=read.user,
                    type_key=READ_KEY,
                    type_name=READ_NAME,
                    object_id=read.pk,
                    label=f"{READ_NAME} ({read.via})",
                    action=read.kind,
                    changes=[
                        Change(field=name, label=name.replace("_", " "), before=None, after=str(value))
                        for name, value in sorted(read.filters.items())
                    ],
                )
            )
            continue
        source, record, _ = records[(key, hid)]
        changed, unknown = diffs[(key, hid)]
        entries.append(
            AuditEntry(
                at=record.history_date,
                actor=record.history_user,
                type_key=key,
                type_name=source.name,
                object_id=record.id,
                label=row["a_label"] or f"#{record.id}",
                action=row["a_action"],
                url=_link(source, record),
                changes=[
                    Change(
                        field=f.name,
                        label=str(f.verbose_name),
                        before=_shown(before, f, names),
                        after=_shown(after, f, names),
                    )
                    for f, before, after in changed
                ],
                no_earlier_record=unknown,
            )
        )
    return entries
