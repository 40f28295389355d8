"""Spreadsheet cells that are safe to open: the one guard every CSV and XLSX writer uses.

Text people type (request titles, accounts, win titles, review learnings) ends up in the
portal's exports. A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (``=HYPERLINK(...)`` sends data away when clicked), and a tab or carriage
return at the start can smuggle one past a first look. OWASP's CSV injection guidance is
to prefix such a cell with a single quote, which every spreadsheet shows as text.

Only strings are neutralised: a number stays a number (``-2`` is a negative figure,
not a formula), so sums and charts keep working.
"""

import csv
from collections.abc import Iterable
from typing import Any, TypeVar

# What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


def neutralise_cell(value: T) -> T | str:
    """``value`` as a cell no spreadsheet runs as a formula.

    A string that starts with one of ``FORMULA_PREFIXES`` gets a leading single quote;
    everything else (numbers, dates, None, plain text) is returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through ``neutralise_cell`` (for ``csv`` rows and openpyxl's ``append``)."""
    return [neutralise_cell(value) for value in values]


class SafeCsvWriter:
    """A ``csv.writer`` whose every cell goes through ``neutralise_cell``: write rows as usual."""

    def __init__(self, stream: Any, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(neutralise_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_csv_writer(stream: Any, **options: Any) -> SafeCsvWriter:
    """A CSV writer on ``stream`` (a file, a ``StringIO``, an ``HttpResponse``) that neutralises formulas."""
    return SafeCsvWriter(stream, **options)
