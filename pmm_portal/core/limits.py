"""Length limits of free text that the database keeps, not only the forms.

A ``CharField``'s ``max_length`` is a ``varchar(n)`` on PostgreSQL. A ``TextField``'s is read
by forms, serializers and ``full_clean`` only, so a write that skips them (a service, a
script, the admin of another version) could store anything: ``text_length_checks`` adds a
named ``CheckConstraint`` per field, which both PostgreSQL and SQLite enforce.
"""

from collections.abc import Mapping

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual


def text_length_checks(prefix: str, limits: Mapping[str, int]) -> list[models.CheckConstraint]:
    """One constraint ``<prefix>_<field>_length`` per field: its length is at most its limit.

    ``limits`` repeats each field's ``max_length`` (the constraint cannot read it from the
    field while the model class is being built); a test checks the two agree.
    """
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(field), limit), name=f"{prefix}_{field}_length"
        )
        for field, limit in limits.items()
    ]
