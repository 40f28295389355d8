"""Files to import, built in the test: CSV text, or an XLSX workbook made with openpyxl."""

import io
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.factories import ProductFactory


def csv_file(rows: Sequence[Sequence[Any]], name: str = "import.csv") -> SimpleUploadedFile:
    text = "\n".join(
        ",".join(f'"{cell}"' if "," in str(cell) or "\n" in str(cell) else str(cell) for cell in row)
        for row in rows
    )
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: Sequence[Sequence[Any]], name: str = "import.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(
        name, out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@pytest.fixture
def beacon(team):
    """A second product of the team, so a misspelt product lists both."""
    return ProductFactory(name="Beacon", slug="beacon", team=team)
