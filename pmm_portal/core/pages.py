"""Pages kept until anything is written: the pages people open most, served from the cache.

A signed-in page is the same for the same person, address and data. So the pages opened
all day (the homes, the queue, My requests, the dashboard, the persona list, the request
form and the API's request list) are kept in the cache under a key made of who asks
(user, CSRF secret), what they ask (path and query, htmx target, ``Accept``), the hour,
and the **data version**: one counter (a sequence on PostgreSQL, ``DataVersion``'s row elsewhere)
that every committed write raises.

Every write is seen at the lowest level: an execute wrapper on the default connection
notes each ``INSERT``, ``UPDATE`` and ``DELETE`` (the ORM's, bulk updates, raw SQL and a
worker's alike) and raises the counter once the transaction commits (at once in
autocommit). A reader takes the version before it reads the data, so a page is never
kept under a version older than what it shows: after any write the user made, the next
page is built again. Writes that change nothing shown (sessions, sign-in attempts,
search statistics, the counter itself) are not counted.

**Readings** (a battlecard read, an asset's page opened or its file downloaded: ``readings()``)
are counted apart on PostgreSQL, in the readings version, a second sequence: a rep reading
cards all day would otherwise throw away every kept page of the portal at each view. Only the
pages that show those counts (``shows_readings``) hold the readings version in their key, so
they too are never stale after a reading. On SQLite a reading is a write like any other.

A kept page is also held in the memory of the process that built or served it (200 pages at
most), so a view it serves again costs no round trip to Redis; same key, same life.

What the clock changes moves on too: the key holds the hour and a kept page lives
``PAGE_CACHE_SECONDS`` (0 turns this off, as the test settings do). A page is only kept
when it is a plain 200 that set no cookie, changed no session and showed no message,
and it is not served while a message waits to be shown.
"""

import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started, setting_changed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.signals import connection_created
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils import timezone, translation

from .models import DataVersion

logger = logging.getLogger(__name__)

WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
# Written without changing anything a page shows.
UNCOUNTED_TABLES = frozenset(
    {
        "core_dataversion",
        "core_searchword",
        "core_passwordresetmail",
        "audit_auditread",  # who read the audit log: shown on the audit page only, never kept
        # Webhook and channel deliveries (each attempt, by the workers) and the messages the request
        # addresses received: shown on their own logs only, never kept; what they change elsewhere
        # (a request filed by email) is written to its own table and counted there.
        "integrations_delivery",
        "intake_inboundmessage",
        "django_session",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
    }
)
HX_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Boosted", "HX-Current-URL")


def enabled() -> bool:
    return bool(getattr(settings, "PAGE_CACHE_SECONDS", 0))


# --- The data version ------------------------------------------------------------------


# On PostgreSQL the count is a sequence: ``nextval`` takes no row lock (every writer would
# queue on the one row otherwise), leaves no dead row behind and needs no commit of its own.
# Its row in ``core_dataversion`` stays the switch: without it nothing is kept. Elsewhere
# (SQLite) the row holds the count.
VERSION_SEQUENCE = "core_data_version_seq"
READINGS_SEQUENCE = "core_readings_version_seq"


def _on_sequence(connection: Any) -> bool:
    return bool(connection.vendor == "postgresql")


def current_versions() -> tuple[int, int] | None:
    """The data version and the readings version now, in one statement (None without the
    data version's row: nothing is kept then). On SQLite readings are counted as writes: 0."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        if _on_sequence(connection):
            # The sequences' names are this module's constants, never input.
            cursor.execute(
                f"SELECT (SELECT last_value FROM {VERSION_SEQUENCE}), "  # noqa: S608
                f"(SELECT last_value FROM {READINGS_SEQUENCE}) FROM core_dataversion WHERE id = 1"
            )
            row = cursor.fetchone()
            return (int(row[0]), int(row[1])) if row else None
        cursor.execute("SELECT value FROM core_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return (int(row[0]), 0) if row else None


# What raising a version taught about both, in this request: the page the request then looks
# for needs no query of its own. Forgotten when a request starts or ends and at each write.
_known = threading.local()


def _known_versions() -> tuple[int, int] | None:
    return getattr(_known, "versions", None)


def _forget_versions(*args: Any, **kwargs: Any) -> None:
    _known.versions = None


def _bump(sequence: str = VERSION_SEQUENCE) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    if _on_sequence(connection):
        raised = sequence == VERSION_SEQUENCE
        other = READINGS_SEQUENCE if raised else VERSION_SEQUENCE
        with connection.cursor() as cursor:
            # The other version and the switch row come back with the raise: what page_key would
            # ask next, read after the write it counts. Names are this module's constants.
            cursor.execute(
                f"SELECT nextval(%s), (SELECT last_value FROM {other}), "  # noqa: S608
                "EXISTS (SELECT 1 FROM core_dataversion WHERE id = 1)",
                [sequence],
            )
            new, other_value, switched_on = cursor.fetchone()
        versions = (int(new), int(other_value)) if raised else (int(other_value), int(new))
        _known.versions = versions if switched_on else None
    elif not DataVersion.objects.filter(pk=1).update(value=F("value") + 1):
        DataVersion.objects.bulk_create([DataVersion(pk=1, value=1)], ignore_conflicts=True)


def raise_version() -> None:
    """Count a committed write. A failure is logged, never raised: the write itself is saved,
    and a kept page expires after ``PAGE_CACHE_SECONDS`` anyway."""
    _raise(VERSION_SEQUENCE, "data version")


def raise_readings() -> None:
    """Count a committed reading (PostgreSQL): the pages that show readings are built again."""
    _raise(READINGS_SEQUENCE, "readings version")


def _raise(sequence: str, what: str) -> None:
    try:
        _bump(sequence)
    except DatabaseError:
        if _version_store_missing():
            return  # migrating a new database: nothing is kept without the row anyway
        logger.exception("Pages: could not raise the %s; kept pages expire on their own", what)


def _version_store_missing() -> bool:
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            if _on_sequence(connection):
                for sequence in (VERSION_SEQUENCE, READINGS_SEQUENCE):
                    cursor.execute("SELECT to_regclass(%s)", [sequence])
                    if cursor.fetchone()[0] is None:
                        return True
            return DataVersion._meta.db_table not in connection.introspection.table_names(cursor)
    except DatabaseError:
        return False


def note_write(connection: Any, *, raise_: Any = raise_version) -> None:
    """A write happened on ``connection``: raise the version when it commits (now in autocommit)."""
    if not enabled():
        return
    if connection.in_atomic_block:
        if not any(entry[1] is raise_ for entry in connection.run_on_commit):
            connection.on_commit(raise_)
    else:
        raise_()


_reading = threading.local()


@contextmanager
def readings() -> Iterator[None]:
    """The writes in the block count readings (a view or a download counted), not changes:
    on PostgreSQL they raise the readings version, and only the pages that show readings are
    built again. Elsewhere they are writes like any other."""
    previous = getattr(_reading, "active", False)
    _reading.active = True
    try:
        yield
    finally:
        _reading.active = previous


def _watch_writes(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    result = execute(sql, params, many, context)
    match = WRITE.match(sql)
    if match and match.group(1).lower() not in UNCOUNTED_TABLES and _changed_rows(sql, context):
        _forget_versions()  # until the write is counted, the versions must be asked for
        connection = context["connection"]
        if getattr(_reading, "active", False) and _on_sequence(connection):
            note_write(connection, raise_=raise_readings)
        else:
            note_write(connection)
    return result


def _changed_rows(sql: str, context: dict[str, Any]) -> bool:
    """Whether the statement changed a row: an UPDATE or DELETE that matched nothing changed
    nothing shown. An INSERT always counts (SQLite reports no row count for ``INSERT … RETURNING``
    until its rows are read), and so does an unknown count (-1)."""
    if sql.lstrip()[:6].upper() == "INSERT":
        return True
    cursor = context.get("cursor")
    return getattr(cursor, "rowcount", -1) != 0


def _install(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.alias == DEFAULT_DB_ALIAS and _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def install() -> None:
    """Watch the default connection's writes (``CoreConfig.ready``)."""
    connection_created.connect(_install, dispatch_uid="pages_watch_writes")
    request_started.connect(_forget_versions, dispatch_uid="pages_forget_versions_started")
    request_finished.connect(_forget_versions, dispatch_uid="pages_forget_versions_finished")
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.connection is not None:  # already open (a shell, a test run)
        _install(None, connection)


# --- Kept pages ------------------------------------------------------------------------


def page_key(request: HttpRequest, *, kind: str = "page", shows_readings: bool = False) -> str | None:
    """The key of ``request``'s page at the current data version, and readings version when the
    page shows readings (None: do not keep it)."""
    user = request.user
    if not user.is_authenticated:
        return None
    if kind == "page" and not request.META.get("CSRF_COOKIE"):
        return None  # the page will hand out a new CSRF secret: keep it from the next view on
    versions = _known_versions() or current_versions()
    if versions is None:
        return None
    version, readings_version = versions
    parts = [
        kind,
        f"{version}.{readings_version}" if shows_readings else str(version),
        str(user.pk),
        request.META.get("CSRF_COOKIE", ""),
        request.get_full_path(),
        request.headers.get("Accept", ""),
        *(request.headers.get(name, "") for name in HX_HEADERS),
        timezone.now().strftime("%Y%m%d%H"),
        translation.get_language() or "",
    ]
    return f"{kind}:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def messages_waiting(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return bool(storage is not None and len(storage))


def _keepable(request: HttpRequest, response: HttpResponseBase, csrf_secret: str | None) -> bool:
    storage = getattr(request, "_messages", None)
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and request.META.get("CSRF_COOKIE") == csrf_secret  # no new or rotated CSRF secret
        and not (session is not None and session.modified)
        and not (storage is not None and len(storage))  # a message shown (or queued) in it
    )


# The kept pages this process built or served lately, in its own memory before Redis: a view
# served from here costs no round trip. The keys are the same (versions, user, hour in them), so
# a page here is never staler than in Redis, and it leaves here when it would leave Redis.
NEARBY_ENTRIES = 200  # pages of 10-100 kB: 20 MB per process at the very most
_nearby = LocMemCache("kept-pages-nearby", {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": NEARBY_ENTRIES}})


def _forget_nearby(*, setting: str, **kwargs: Any) -> None:
    if setting == "PAGE_CACHE_SECONDS":  # tests turn the cache on and off
        _nearby.clear()


setting_changed.connect(_forget_nearby, dispatch_uid="pages_forget_nearby")

Kept = tuple[bytes, dict[str, str]]


def read(key: str) -> Kept | None:
    """The page kept under ``key``: from this process's memory, else from the cache (and then
    kept nearby for what is left of its life)."""
    found = _nearby.get(key)
    if found is None:
        try:
            found = cache.get(key)
        except Exception:  # the cache is an accelerator: without it, build the page
            logger.debug("Pages: cache read failed", exc_info=True)
            return None
        if found is None or len(found) != 3:  # none, or kept in an earlier shape: build it again
            return None
        left = settings.PAGE_CACHE_SECONDS - (time.time() - found[2])
        if left > 0:
            _nearby.set(key, found, left)
    content, headers, _built = found
    return content, headers


def keep(key: str, page: Kept) -> None:
    kept = (*page, time.time())
    seconds = settings.PAGE_CACHE_SECONDS
    _nearby.set(key, kept, seconds)
    try:
        cache.set(key, kept, seconds)
    except Exception:
        logger.debug("Pages: cache write failed", exc_info=True)


class CachedPageMixin:
    """A page view whose GET is kept until the next write (after the role door: put it after
    ``RoleRequiredMixin``).

    ``shows_readings``: the page shows view or download counts, so a reading builds it again.
    ``before_keeping`` runs on every GET before a kept page is looked for, kept or not: a page
    whose every view counts a reading counts it there (and may set ``shows_readings``)."""

    shows_readings = False

    def before_keeping(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        return None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        parent = super().dispatch  # type: ignore[misc]
        if request.method not in ("GET", "HEAD"):
            return parent(request, *args, **kwargs)  # type: ignore[no-any-return]
        self.before_keeping(request, *args, **kwargs)
        if request.method != "GET" or not enabled() or messages_waiting(request):
            return parent(request, *args, **kwargs)  # type: ignore[no-any-return]
        key = page_key(request, shows_readings=self.shows_readings)
        if key is None:
            return parent(request, *args, **kwargs)  # type: ignore[no-any-return]
        kept = read(key)
        if kept is not None:
            content, headers = kept
            return HttpResponse(content, headers=headers)
        csrf_secret = request.META.get("CSRF_COOKIE")
        response: HttpResponseBase = parent(request, *args, **kwargs)

        def store(rendered: HttpResponseBase) -> None:
            if _keepable(request, rendered, csrf_secret) and isinstance(rendered, HttpResponse):
                keep(key, (rendered.content, dict(rendered.items())))

        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.add_post_render_callback(store)
        else:
            store(response)
        return response


class CachedListMixin:
    """A DRF viewset whose ``list`` is kept, rendered, until the next write. Authentication,
    permissions and throttles run first (``initial``), as for every call; a kept answer skips
    the query, the serializers and the renderer (``Accept`` and ``?format=`` are in the key)."""

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        parent = super().list  # type: ignore[misc]
        django_request = request._request
        key = page_key(django_request, kind="api") if enabled() else None
        if key is None:
            return parent(request, *args, **kwargs)
        kept = read(key)
        if kept is not None:
            content, headers = kept
            return HttpResponse(content, headers=headers)
        response = parent(request, *args, **kwargs)

        def store(rendered: HttpResponseBase) -> None:
            if rendered.status_code == 200 and isinstance(rendered, HttpResponse):
                keep(key, (rendered.content, dict(rendered.items())))

        response.add_post_render_callback(store)
        return response
