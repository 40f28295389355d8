"""CSV and PDF exports of dashboards and reports."""

import csv
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse

from .models import MonthlyReport
from .selectors import TIME_KEYS, TIME_LABELS

PEOPLE_COLUMNS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("PMM", lambda p: p["name"]),
    ("Hours logged", lambda p: p["total_hours"]),
    ("Top-3 share", lambda p: _pct(p["top3_share"])),
    ("One-off share", lambda p: _pct(p["one_off_share"])),
    ("Other share", lambda p: _pct(p["other_share"])),
    ("Top 3 on track", lambda p: p["top3"]["on_track"]),
    ("Top 3 at risk", lambda p: p["top3"]["at_risk"]),
    ("Top 3 off track", lambda p: p["top3"]["off_track"]),
    ("Top 3 done", lambda p: p["top3"]["done"]),
    ("Requests received", lambda p: p["requests"]["received"]),
    ("Requests delivered", lambda p: p["requests"]["delivered"]),
    ("Delivered on time", lambda p: p["requests"]["on_time"]),
    ("Requests reused", lambda p: p["requests"]["reused"]),
    ("Requests declined", lambda p: p["requests"]["declined"]),
    ("Median turnaround (days)", lambda p: p["requests"]["median_turnaround_days"]),
    ("Avg reusability", lambda p: p["requests"]["avg_reusability"]),
    ("Avg educational value", lambda p: p["requests"]["avg_educational_value"]),
    ("Customer interactions", lambda p: p["interactions"]),
    ("Customer minutes", lambda p: p["customer_minutes"]),
    ("Wins", lambda p: p["wins"]),
]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _csv_response(filename: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # spreadsheets then read the file as UTF-8
    return response, csv.writer(response)


def _people_rows(writer: Any, data: dict[str, Any]) -> None:
    writer.writerow([name for name, _ in PEOPLE_COLUMNS])
    writer.writerow(
        ["Team total", *[get(data["figures"] | {"name": "Team total"}) for _, get in PEOPLE_COLUMNS[1:]]]
    )
    for person in data["people"]:
        writer.writerow([get(person) for _, get in PEOPLE_COLUMNS])


DASHBOARD_TABLES = ("people", "time-split", "weekly-requests", "requests-by-type")


def dashboard_csv(data: dict[str, Any] | None, *, table: str, month: dt.date) -> HttpResponse:
    response, writer = _csv_response(f"pmm-dashboard-{table}-{month:%Y-%m}.csv")
    if data is None:
        return response
    trends = data["trends"]
    if table == "time-split":
        writer.writerow(["Month", *[TIME_LABELS[key] + " (h)" for key in TIME_KEYS]])
        for row in trends["time_split"]:
            writer.writerow([row["month"][:7], *[row[key] for key in TIME_KEYS]])
    elif table == "weekly-requests":
        writer.writerow(["Week starting", "Received", "Delivered"])
        for row in trends["weekly_requests"]:
            writer.writerow([row["week"], row["in"], row["delivered"]])
    elif table == "requests-by-type":
        writer.writerow(["Type", "Requests"])
        for row in trends["requests_by_type"]:
            writer.writerow([row["type"], row["count"]])
    else:
        _people_rows(writer, data)
    return response


def report_filename(report: MonthlyReport, extension: str) -> str:
    return f"monthly-review-{report.team.slug}-{report.month:%Y-%m}-v{report.version}.{extension}"


def report_csv(report: MonthlyReport) -> HttpResponse:
    """The report's tables in one CSV, section after section."""
    response, writer = _csv_response(report_filename(report, "csv"))
    data = report.data
    writer.writerow(
        [f"Monthly review: {report.team.name}, {report.month:%B %Y}", f"version {report.version}"]
    )
    if not data:
        writer.writerow(["This report has not been generated yet."])
        return response
    writer.writerow([])
    writer.writerow(["Figures"])
    _people_rows(writer, data)
    sections = [
        (
            "Top-3 outcomes",
            ["PMM", "Initiative", "Outcome", "Note"],
            [
                [review["pmm"], outcome["initiative"], outcome["outcome"], outcome["note"]]
                for review in data.get("reviews", [])
                for outcome in review["outcomes"]
            ],
        ),
        (
            "Learnings",
            ["PMM", "What was tried and learned"],
            [
                [review["pmm"], review["learnings"]]
                for review in data.get("reviews", [])
                if review["learnings"]
            ],
        ),
        (
            "Wins",
            ["Date", "Win", "Impact", "Owner", "Initiative"],
            [[w["date"], w["title"], w["impact"], w["owner"], w["initiative"]] for w in data.get("wins", [])],
        ),
        (
            "One-off requests",
            [
                "Title",
                "Type",
                "Status",
                "Requester",
                "Assignee",
                "Reusability",
                "Educational value",
                "Effort (h)",
                "Hours logged",
                "Submitted",
                "Delivered",
                "Rating",
            ],
            [
                [
                    r["title"],
                    r["type"],
                    r["status"],
                    r["requester"],
                    r["assignee"],
                    r["reusability"],
                    r["educational_value"],
                    r["effort_hours"],
                    r["hours_logged"],
                    r["created"],
                    r["delivered"],
                    r["rating"],
                ]
                for r in data.get("requests", [])
            ],
        ),
        (
            "Customer interactions",
            ["Date", "Kind", "Account", "PMM", "Minutes", "Personas"],
            [
                [i["date"], i["kind"], i["account"], i["owner"], i["minutes"], "; ".join(i["personas"])]
                for i in data.get("interactions", [])
            ],
        ),
        (
            "Persona freshness",
            ["Persona", "Kind", "Owner", "Status", "Fresh since", "Stale"],
            [
                [
                    p["name"],
                    p["kind"],
                    p["owner"],
                    p["status"],
                    p["fresh_since"],
                    "yes" if p["stale"] else "no",
                ]
                for p in data.get("personas", [])
            ],
        ),
    ]
    for title, header, rows in sections:
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
    return response


def pdf_response(html: str, *, filename: str, base_url: str) -> HttpResponse:
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    pdf = HTML(string=html, base_url=base_url).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
