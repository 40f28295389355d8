"""Turn the figures (plain JSON, live or from a snapshot) into what the templates show."""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString

from pmm_portal.core.dates import month_end
from pmm_portal.core.models import User
from pmm_portal.core.templatetags.portal import day

from . import charts
from .selectors import STATUS_KEYS, TIME_KEYS, TIME_LABELS

TIME_SERIES = [charts.Series(key, TIME_LABELS[key]) for key in TIME_KEYS]
STATUS_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "done": "Done",
    "dropped": "Dropped",
}
BAND_LABELS = {
    "below": "below the band",
    "within": "within the band",
    "above": "above the band",
    "no_time": "no time logged",
}


def _month_label(iso: str, fmt: str = "%b") -> str:
    return dt.date.fromisoformat(iso).strftime(fmt)


@dataclass(frozen=True)
class Chart:
    """One trend chart and the same data as a table (for screen readers, print and CSV)."""

    title: str
    svg: SafeString
    headers: list[str]
    rows: list[list[Any]]  # the first cell of each row is its label
    csv: str  # the table's name in /reporting/export/<csv>.csv
    width: str  # layout class of the card


def _week_label(iso: str) -> str:
    """A week's Monday on a chart axis: "5 Oct" (the portal's date format, without the year)."""
    monday = dt.date.fromisoformat(iso)
    return f"{monday.day} {monday:%b}"


DEFLECTION_SERIES = [
    charts.Series("self_served", "Answered from the library"),
    charts.Series("me_too", "Joined with “me too”"),
    charts.Series("queued", "Reached the queue"),
]


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def deflection_chart(rows: list[dict[str, Any]], *, width: int) -> Chart:
    """A year of would-be requests by month: deflected (two ways) or sent to the queue, and the rate."""
    values = [
        {
            "self_served": row["self_served"],
            "me_too": row["me_too"],
            "queued": row["received"] - row["self_served"],
        }
        for row in rows
    ]
    return Chart(
        title="Deflection, last 12 months",
        svg=charts.stacked_bars(
            title="Would-be requests per month: answered from the library, joined with “me too”, or queued",
            labels=[_month_label(row["month"]) for row in rows],
            series=DEFLECTION_SERIES,
            values=values,
            width=width,
        ),
        headers=[
            "Month",
            *[series.label for series in DEFLECTION_SERIES],
            "Deflection rate (%)",
        ],
        rows=[
            [
                _month_label(row["month"], "%B %Y"),
                *[value[series.key] for series in DEFLECTION_SERIES],
                _percent(row["deflection_rate"]),
            ]
            for row, value in zip(rows, values, strict=True)
        ],
        csv="deflection",
        width="col-xl-12",
    )


def trend_charts(trends: dict[str, Any], *, wide: int = 1100, narrow: int = charts.WIDTH) -> list[Chart]:
    """The trend charts with their tables, the year-long ones drawn ``wide`` and the others ``narrow``
    (the screen's sizes by default; the PDF draws them for its page).

    Snapshots produced before deflection was counted have no ``deflection`` trend: no chart for it.
    """
    split = trends["time_split"]
    weekly = trends["weekly_requests"]
    by_type = trends["requests_by_type"]
    time_split = Chart(
        title="Time split, last 12 months",
        svg=charts.stacked_bars(
            title="Hours logged per month, by kind of work",
            labels=[_month_label(row["month"]) for row in split],
            series=TIME_SERIES,
            values=split,
            unit="h",
            width=wide,
        ),
        headers=["Month", *[f"{TIME_LABELS[key]} (h)" for key in TIME_KEYS]],
        rows=[[_month_label(row["month"], "%B %Y"), *[row[key] for key in TIME_KEYS]] for row in split],
        csv="time-split",
        width="col-xl-12",
    )
    weekly_requests = Chart(
        title="Requests in vs delivered, weekly",
        svg=charts.grouped_bars(
            title="Requests received and delivered per week",
            labels=[_week_label(row["week"]) for row in weekly],
            series=[charts.Series("in", "Received"), charts.Series("delivered", "Delivered")],
            values=weekly,
            width=narrow,
        ),
        headers=["Week starting", "Received", "Delivered"],
        rows=[[day(row["week"]), row["in"], row["delivered"]] for row in weekly],
        csv="weekly-requests",
        width="col-xl-7",
    )
    requests_by_type = Chart(
        title="Requests by type, this month",
        svg=charts.horizontal_bars(
            title="Requests received this month, by type",
            items=[(row["type"], row["count"]) for row in by_type],
            width=min(narrow, 420),
        ),
        headers=["Type", "Requests"],
        rows=[[row["type"], row["count"]] for row in by_type],
        csv="requests-by-type",
        width="col-xl-5",
    )
    drawn = [time_split, weekly_requests, requests_by_type]
    if "deflection" in trends:
        drawn.append(deflection_chart(trends["deflection"], width=wide))
    return drawn


def _links(person_id: int, month: dt.date) -> dict[str, str]:
    """Where each figure of a PMM's row comes from: the underlying lists, filtered to them."""
    in_month = urlencode(
        {
            "owner": person_id,
            "occurred_after": month.isoformat(),
            "occurred_before": month_end(month).isoformat(),
        }
    )
    return {
        "initiatives": f"{reverse('initiatives:list')}?{urlencode({'owner': person_id})}",
        "top3": f"{reverse('initiatives:team')}?{urlencode({'month': f'{month:%Y-%m}'})}",
        "requests": f"{reverse('requests_queue:index')}?{urlencode({'assignee': person_id, 'status': 'all'})}",
        "interactions": f"{reverse('personas:interactions')}?{in_month}",
        "wins": f"{reverse('initiatives:wins')}?{urlencode({'owner': person_id, 'month': f'{month:%Y-%m}'})}",
    }


def dashboard_context(data: dict[str, Any], *, viewer: User) -> dict[str, Any]:
    figures = data["figures"]
    month = dt.date.fromisoformat(data["month"])
    people = [
        {**person, "is_viewer": person["id"] == viewer.pk, "links": _links(person["id"], month)}
        for person in data["people"]
    ]
    return {
        "data": data,
        "team_names": " · ".join(team["name"] for team in data["teams"]),
        "figures": figures,
        "people": people,
        "band": data["band"],
        "band_label": BAND_LABELS[figures["one_off_band_state"]],
        "status_labels": STATUS_LABELS,
        "status_keys": [str(key) for key in STATUS_KEYS],
        "month_date": dt.date.fromisoformat(data["month"]),
        "trend_charts": trend_charts(data["trends"]),
    }


def report_context(data: dict[str, Any], *, viewer: User) -> dict[str, Any]:
    return dashboard_context(data, viewer=viewer) if "figures" in data else {}
