"""CSV, XLSX and PDF exports of dashboards and reports.

A report's tables are defined once, in ``REPORT_TABLES``: each is one CSV file
(``report_csv``), one sheet of the workbook (``report_xlsx_bytes``) and one
section of the legacy all-in-one CSV. The PDF (``report_pdf_bytes``) is what
the download serves and what "send to…" attaches. Everything is read from the
report's frozen snapshot (``selectors.month_snapshot``), never from live data.

Every spreadsheet cell goes through ``pmm_portal.core.exports``: text that a spreadsheet
would run as a formula (a request title typed as ``=HYPERLINK(...)``) is written as text.
"""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from pmm_portal.core.exports import SafeCsvWriter, neutralise_cell, neutralise_row, safe_csv_writer

from . import presenters
from .models import MonthlyReport
from .selectors import TIME_KEYS, TIME_LABELS

# How a column's values are written: CSV keeps ISO dates and shares in percent; the workbook
# stores real numbers and dates with a display format.
Kind = Literal["text", "number", "share", "date", "month"]
XLSX_FORMATS: dict[str, str] = {
    "share": "0.0%",
    "date": "d mmm yyyy",
    "month": "mmm yyyy",
    "number": "General",
}
# Charts are drawn at 1:1 on the A4 page, so their text prints at its real size: the time split across
# the text width (680 CSS px), the others beside their table.
PDF_CHART_WIDTH = 680
PDF_NARROW_CHART_WIDTH = 440


@dataclass(frozen=True)
class Column:
    header: str
    get: Callable[[dict[str, Any]], Any]
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    """One table of a report: its URL name, its title (the sheet's name, 31 characters at most), its
    columns and how to read its rows from a snapshot."""

    name: str
    title: str
    columns: list[Column]
    rows: Callable[[dict[str, Any]], list[dict[str, Any]]]


PEOPLE_COLUMNS: list[Column] = [
    Column("PMM", lambda p: p["name"]),
    Column("Hours logged", lambda p: p["total_hours"], "number"),
    Column("Top-3 share", lambda p: p["top3_share"], "share"),
    Column("One-off share", lambda p: p["one_off_share"], "share"),
    Column("Other share", lambda p: p["other_share"], "share"),
    Column("Top 3 on track", lambda p: p["top3"]["on_track"], "number"),
    Column("Top 3 at risk", lambda p: p["top3"]["at_risk"], "number"),
    Column("Top 3 off track", lambda p: p["top3"]["off_track"], "number"),
    Column("Top 3 done", lambda p: p["top3"]["done"], "number"),
    Column("Requests received", lambda p: p["requests"]["received"], "number"),
    Column("Requests delivered", lambda p: p["requests"]["delivered"], "number"),
    Column("Delivered on time", lambda p: p["requests"]["on_time"], "number"),
    Column("Requests reused", lambda p: p["requests"]["reused"], "number"),
    Column("Requests declined", lambda p: p["requests"]["declined"], "number"),
    # Deflection is a team figure: filled in the team's row, empty in each PMM's (and in old snapshots).
    Column("Self-served requests", lambda p: p["requests"].get("self_served"), "number"),
    Column("“Me too” joins", lambda p: p["requests"].get("me_too"), "number"),
    Column("Deflected before the queue", lambda p: p["requests"].get("deflected"), "number"),
    Column("Would-be requests", lambda p: p["requests"].get("would_be"), "number"),
    Column("Deflection rate", lambda p: p["requests"].get("deflection_rate"), "share"),
    Column("Median turnaround (days)", lambda p: p["requests"]["median_turnaround_days"], "number"),
    Column("Avg reusability", lambda p: p["requests"]["avg_reusability"], "number"),
    Column("Avg educational value", lambda p: p["requests"]["avg_educational_value"], "number"),
    Column("Customer interactions", lambda p: p["interactions"], "number"),
    Column("Customer minutes", lambda p: p["customer_minutes"], "number"),
    Column("Wins", lambda p: p["wins"], "number"),
    Column("Wins promoted", lambda p: p.get("promoted"), "number"),  # empty in older snapshots
]

REQUEST_COLUMNS: list[Column] = [
    Column("Title", lambda r: r["title"]),
    Column("Type", lambda r: r["type"]),
    Column("Status at month end", lambda r: r["status"]),
    Column("Requester", lambda r: r["requester"]),
    Column("Assignee", lambda r: r["assignee"]),
    Column("Reusability", lambda r: r["reusability"], "number"),
    Column("Educational value", lambda r: r["educational_value"], "number"),
    Column("Effort (h)", lambda r: r["effort_hours"], "number"),
    Column("Hours logged", lambda r: r["hours_logged"], "number"),
    Column("Submitted", lambda r: r["created"], "date"),
    Column("Delivered", lambda r: r["delivered"], "date"),
    Column("Closed", lambda r: r.get("closed"), "date"),
    Column("Rating", lambda r: r["rating"], "number"),
]


def _item(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row[key]


def _people(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The team's row first, then one per PMM (as the dashboard's people CSV)."""
    return [data["figures"] | {"name": "Team total"}, *data["people"]] if "figures" in data else []


def _outcomes(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**outcome, "pmm": review["pmm"], "submitted": review["submitted"]}
        for review in data.get("reviews", [])
        for outcome in review["outcomes"]
    ]


def _time_split(data: dict[str, Any]) -> list[dict[str, Any]]:
    return list(data["trends"]["time_split"]) if "trends" in data else []


def _deflection(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A year of deflection by month (none in snapshots produced before it was counted)."""
    return list(data.get("trends", {}).get("deflection", []))


REPORT_TABLES: dict[str, Table] = {
    table.name: table
    for table in [
        Table("people", "People", PEOPLE_COLUMNS, _people),
        Table(
            "time_split",
            "Time split",
            [
                Column("Month", lambda row: row["month"], "month"),
                *[Column(f"{TIME_LABELS[key]} (h)", _item(key), "number") for key in TIME_KEYS],
            ],
            _time_split,
        ),
        Table(
            "deflection",
            "Deflection, 12 months",
            [
                Column("Month", lambda row: row["month"], "month"),
                Column("Requests received", _item("received"), "number"),
                Column("Self-served", _item("self_served"), "number"),
                Column("“Me too” joins", _item("me_too"), "number"),
                Column("Deflected", _item("deflected"), "number"),
                Column("Would-be requests", _item("would_be"), "number"),
                Column("Deflection rate", _item("deflection_rate"), "share"),
            ],
            _deflection,
        ),
        Table(
            "outcomes",
            "Top-3 outcomes",
            [
                Column("PMM", lambda o: o["pmm"]),
                Column("Initiative", lambda o: o["initiative"]),
                Column("Outcome", lambda o: o["outcome"]),
                Column("Note", lambda o: o["note"]),
                Column("Review submitted", lambda o: "yes" if o["submitted"] else "no"),
            ],
            _outcomes,
        ),
        Table(
            "learnings",
            "Learnings",
            [
                Column("PMM", lambda r: r["pmm"]),
                Column("What was tried and learned", lambda r: r["learnings"]),
            ],
            lambda data: [review for review in data.get("reviews", []) if review["learnings"]],
        ),
        Table(
            "learning_log",
            "Learning log",
            [
                Column("Date", lambda r: r["date"], "date"),
                Column("Learning", lambda r: r["title"]),
                Column("PMM", lambda r: r["owner"]),
                Column("Initiative", lambda r: r["initiative"]),
                Column("Hypothesis", lambda r: r["hypothesis"]),
                Column("What was tried", lambda r: r["tried"]),
                Column("Measure", lambda r: r["measure"]),
                Column("Result", lambda r: r["result"]),
                Column("What happened", lambda r: r["result_notes"]),
                Column("Lesson", lambda r: r["lesson"]),
            ],
            lambda data: data.get("learning_log", []),
        ),
        Table(
            "wins",
            "Wins",
            [
                Column("Date", lambda w: w["date"], "date"),
                Column("Win", lambda w: w["title"]),
                Column("Impact", lambda w: w["impact"]),
                Column("Owner", lambda w: w["owner"]),
                Column("Initiative", lambda w: w["initiative"]),
            ],
            lambda data: data.get("wins", []),
        ),
        Table("requests", "Received this month", REQUEST_COLUMNS, lambda data: data.get("requests", [])),
        Table(
            "requests_closed_earlier",
            "Closed, received earlier",
            REQUEST_COLUMNS,
            lambda data: data.get("requests_closed_earlier", []),
        ),
        Table(
            "interactions",
            "Customer interactions",
            [
                Column("Date", lambda i: i["date"], "date"),
                Column("Kind", lambda i: i["kind"]),
                Column("Account", lambda i: i["account"]),
                Column("PMM", lambda i: i["owner"]),
                Column("Minutes", lambda i: i["minutes"], "number"),
                Column("Personas", lambda i: "; ".join(i["personas"])),
            ],
            lambda data: data.get("interactions", []),
        ),
        Table(
            "personas",
            "Persona freshness",
            [
                Column("Persona", lambda p: p["name"]),
                Column("Kind", lambda p: p["kind"]),
                Column("Owner", lambda p: p["owner"]),
                Column("Status", lambda p: p["status"]),
                Column("Fresh since", lambda p: p["fresh_since"], "date"),
                Column("Stale", lambda p: "yes" if p["stale"] else "no"),
            ],
            lambda data: data.get("personas", []),
        ),
    ]
}


def _csv_value(column: Column, row: dict[str, Any]) -> Any:
    value = column.get(row)
    if value is None:
        return ""
    if column.kind == "share":
        return round(float(value) * 100, 1)  # a number, so the writer never takes it for text
    if column.kind == "month":
        return str(value)[:7]
    return value


def _xlsx_value(column: Column, row: dict[str, Any]) -> Any:
    value = column.get(row)
    if value is None or value == "":
        return None
    if column.kind in ("date", "month"):
        return dt.date.fromisoformat(str(value)[:10])
    return neutralise_cell(value)


def _csv_response(filename: str) -> tuple[HttpResponse, SafeCsvWriter]:
    """An empty CSV download and its writer, which neutralises formula cells (``core.exports``)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # spreadsheets then read the file as UTF-8
    return response, safe_csv_writer(response)


def _write_table(writer: SafeCsvWriter, table: Table, data: dict[str, Any]) -> None:
    writer.writerow([column.header for column in table.columns])
    for row in table.rows(data):
        writer.writerow([_csv_value(column, row) for column in table.columns])


DASHBOARD_TABLES = ("people", "time-split", "weekly-requests", "requests-by-type", "deflection")


def dashboard_csv(data: dict[str, Any] | None, *, table: str, month: dt.date) -> HttpResponse:
    response, writer = _csv_response(f"pmm-dashboard-{table}-{month:%Y-%m}.csv")
    if data is None:
        return response
    trends = data["trends"]
    if table == "time-split":
        _write_table(writer, REPORT_TABLES["time_split"], data)
    elif table == "deflection":
        _write_table(writer, REPORT_TABLES["deflection"], data)
    elif table == "weekly-requests":
        writer.writerow(["Week starting", "Received", "Delivered"])
        for row in trends["weekly_requests"]:
            writer.writerow([row["week"], row["in"], row["delivered"]])
    elif table == "requests-by-type":
        writer.writerow(["Type", "Requests"])
        for row in trends["requests_by_type"]:
            writer.writerow([row["type"], row["count"]])
    else:
        _write_table(writer, REPORT_TABLES["people"], data)
    return response


def report_version(report: MonthlyReport) -> int:
    """The version printed on the report and its files (1 for a report that predates versions)."""
    return getattr(report, "version", 1) or 1


def report_filename(report: MonthlyReport, extension: str, *, table: str = "") -> str:
    name = f"monthly-review-{report.team.slug}-{report.month:%Y-%m}-v{report_version(report)}"
    return f"{name}-{table.replace('_', '-')}.{extension}" if table else f"{name}.{extension}"


def report_csv(report: MonthlyReport, table: str) -> str:
    """One table of the report (a key of ``REPORT_TABLES``) as CSV: a header row, then one row per item.

    Dates are ISO 8601 and shares are percentages, so any tool reads them. Raises ``KeyError`` for
    an unknown table.
    """
    buffer = io.StringIO()
    _write_table(safe_csv_writer(buffer), REPORT_TABLES[table], report.data or {})
    return buffer.getvalue()


def report_csv_response(report: MonthlyReport, table: str) -> HttpResponse:
    response, _ = _csv_response(report_filename(report, "csv", table=table))
    response.write(report_csv(report, table))
    return response


def report_csv_all(report: MonthlyReport) -> HttpResponse:
    """The report's tables in one CSV, section after section (the older download, kept for its
    links; each table also has a CSV of its own)."""
    response, writer = _csv_response(report_filename(report, "csv"))
    writer.writerow(
        [
            f"Monthly review: {report.team.name}, {report.month:%B %Y}",
            f"version {report_version(report)}",
        ]
    )
    if not report.data:
        writer.writerow(["This report has not been generated yet."])
        return response
    for table in REPORT_TABLES.values():
        writer.writerow([])
        writer.writerow([table.title])
        _write_table(writer, table, report.data)
    return response


def report_xlsx_bytes(report: MonthlyReport) -> bytes:
    """The report as a workbook, one sheet per table: bold header row frozen, numbers as numbers,
    shares as percentages, dates as dates, columns as wide as their content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    data = report.data or {}
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = (
        f"Monthly review: {report.team.name}, {report.month:%B %Y} (version {report_version(report)})"
    )
    for table in REPORT_TABLES.values():
        sheet = workbook.create_sheet(table.title)
        sheet.append(neutralise_row(column.header for column in table.columns))
        rows = table.rows(data)
        for row in rows:
            sheet.append([_xlsx_value(column, row) for column in table.columns])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            sheet.cell(row=1, column=index).font = Font(bold=True)
            number_format = XLSX_FORMATS.get(column.kind)
            if number_format:
                for line in range(2, len(rows) + 2):
                    sheet.cell(row=line, column=index).number_format = number_format
            longest = max([len(column.header), *(len(str(_csv_value(column, row))) for row in rows)])
            sheet.column_dimensions[letter].width = min(max(longest + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_xlsx_response(report: MonthlyReport) -> HttpResponse:
    response = HttpResponse(
        report_xlsx_bytes(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{report_filename(report, "xlsx")}"'
    return response


def pdf_context(report: MonthlyReport) -> dict[str, Any]:
    """What the PDF prints: the snapshot as it is, with charts drawn for the A4 page.

    Call inside ``timezone.override(report.team.zone)``: times print in the team's zone.
    """
    data = report.data or {}
    generated = timezone.localtime(report.generated_at) if report.generated_at else None
    context: dict[str, Any] = {
        "report": report,
        "team": report.team,
        "version": report_version(report),
        "generated": generated,
        "data": data,
        "has_figures": "figures" in data,
    }
    if "figures" not in data:
        return context
    figures = data["figures"]
    charts = presenters.trend_charts(data["trends"], wide=PDF_CHART_WIDTH, narrow=PDF_NARROW_CHART_WIDTH)
    context.update(
        figures=figures,
        band=data["band"],
        band_label=presenters.BAND_LABELS[figures["one_off_band_state"]],
        people=data["people"],
        charts=charts,
        request_tables=[
            {
                "title": "One-off requests received this month",
                "rows": data.get("requests", []),
                "empty": "No one-off request received this month.",
            },
            {
                "title": "Closed this month, received earlier",
                "rows": data.get("requests_closed_earlier", []),
                "empty": "No request received earlier was delivered or closed this month.",
            },
        ],
    )
    return context


def report_pdf_bytes(report: MonthlyReport) -> bytes:
    """The report as an A4 PDF: the download, and the attachment "send to…" mails.

    Self-contained (stylesheet and charts inline), so it needs no request and no server to fetch from.
    """
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    with timezone.override(report.team.zone):
        html = render_to_string("reporting/report_pdf.html", pdf_context(report))
    return HTML(string=html).write_pdf() or b""


def report_pdf_response(report: MonthlyReport) -> HttpResponse:
    response = HttpResponse(report_pdf_bytes(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(report, "pdf")}"'
    return response
