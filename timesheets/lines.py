"""Which lines a week's timesheet offers beyond what was already logged.

Timesheets stand below initiatives and requests: they cannot import them. An app
above registers a *line source* in its ``AppConfig.ready`` (initiatives offers the
week's top 3), and the timesheet asks every source for its lines.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from pmm_portal.core.models import User


class Loggable(Protocol):
    """What the timesheet reads of an initiative it offers a line for."""

    pk: Any
    title: str
    owner_id: int
    planned_hours_per_week: Decimal

    @property
    def is_open(self) -> bool: ...


@dataclass(frozen=True)
class OfferedLine:
    """An initiative the timesheet offers for a week, in the order the source gives."""

    initiative: Loggable
    label: str


LineSource = Callable[[User, date], list[OfferedLine]]
_sources: list[LineSource] = []


def register_line_source(source: LineSource) -> None:
    """Add ``source`` (called with the user and the week's Monday); registering twice is harmless."""
    if source not in _sources:
        _sources.append(source)


def offered_lines(user: User, week: date) -> list[OfferedLine]:
    return [line for source in _sources for line in source(user, week)]
