"""Password sign-in, and the signed-in account read on every request with one fixed statement.

Django's ``ModelBackend.get_user`` builds an ORM query for the account each time a
signed-in page is asked for: 0.45 ms, against 0.18 ms for the same row read with SQL
written once (as ``sessions`` reads the session). ``active_user`` reads that row under
the same rule (this id, an active account) and is what every backend's ``get_user`` uses.
Signing in, permissions and everything else are Django's own.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import DEFAULT_DB_ALIAS, connections, router

from .models import User


def _alias() -> str:
    return router.db_for_read(User) or DEFAULT_DB_ALIAS


Converter = Callable[[Any, Any, Any], Any]


@cache
def _columns() -> tuple[list[str], str, list[tuple[int, Any, list[Converter]]]]:
    """The columns' names, the statement, and the converters the database needs per column.

    The converters are the ones the ORM applies to the same row: PostgreSQL needs none,
    SQLite turns its text and integers back into aware datetimes and booleans.
    """
    fields = User._meta.concrete_fields
    connection = connections[_alias()]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    # The table's and columns' names are the model's, never input; the id is a parameter.
    sql = f"SELECT {columns} FROM {quote(User._meta.db_table)} WHERE {quote(str(User._meta.pk.column))} = %s"  # noqa: S608
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(User._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, column, found))
    return [field.attname for field in fields], sql, converters


def active_user(user_id: Any) -> User | None:
    """The active account ``user_id`` (None when it is gone or deactivated: the session ends)."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    names, sql, converters = _columns()
    alias = _alias()
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        values = list(row)
        for index, column, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        row = tuple(values)
    user = User.from_db(alias, names, row)
    return user if user.is_active else None


class ModelBackend(DjangoModelBackend):
    """Django's username and password backend, reading the signed-in account with ``active_user``."""

    def get_user(self, user_id: Any) -> User | None:
        return active_user(user_id)
