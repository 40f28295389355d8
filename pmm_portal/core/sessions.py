"""Sessions in the database, read with one SQL statement written once.

Django's database store builds an ORM query each time it reads the session, on every
signed-in request: a fifth of what a kept page costs. This store reads the same row
under the same condition (this key, not expired) with SQL fixed in advance; creating,
saving, rotating and deleting sessions are Django's own. The table, and so every session
already signed in, stays the same (``SESSION_ENGINE`` in settings).
"""

from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

# Signed in with Django's own password backend before the portal's (``core.backends``) took its
# place: the same sign-in, so the session goes on under the portal's.
RENAMED_BACKENDS = {"django.contrib.auth.backends.ModelBackend": "pmm_portal.core.backends.ModelBackend"}


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = super().load()
        backend = data.get(BACKEND_SESSION_KEY)
        if backend in RENAMED_BACKENDS:
            data[BACKEND_SESSION_KEY] = RENAMED_BACKENDS[backend]
        return data

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        model = self.model
        table = model._meta.db_table
        connection = connections[router.db_for_read(model)]
        with connection.cursor() as cursor:
            cursor.execute(
                # The table's name is the model's, never input; the key is a parameter.
                f"SELECT session_data, expire_date FROM {connection.ops.quote_name(table)} "  # noqa: S608
                "WHERE session_key = %s AND expire_date > %s",
                [key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0], expire_date=row[1])


ENGINE = __name__
DATABASE_ENGINES = frozenset({ENGINE, "django.contrib.sessions.backends.db"})
