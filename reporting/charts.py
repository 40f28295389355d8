"""Server-rendered SVG charts: the same markup serves the page, print and the PDF.

Colours come from CSS classes (``chart-s0`` … ``chart-s5``), so the charts follow
the page's stylesheet and need no inline style. Each chart has an accessible
title, and every chart on a page sits next to a table of the same data.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

WIDTH = 640
HEIGHT = 220
PAD_LEFT = 44
PAD_BOTTOM = 28
PAD_TOP = 12


@dataclass(frozen=True)
class Series:
    key: str
    label: str


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return float(step * 4) if step * 4 >= value else float(step * 5)
    return float(value)


def _axis(max_value: float, unit: str, width: int = WIDTH) -> list[str]:
    parts = []
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    for n in range(5):
        value = max_value * n / 4
        y = HEIGHT - PAD_BOTTOM - plot_height * n / 4
        parts.append(f'<line class="chart-grid" x1="{PAD_LEFT}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}"/>')
        label = f"{value:g}{unit}"
        parts.append(
            f'<text class="chart-axis" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    return parts


def _svg(title: str, body: list[str], legend: Sequence[Series] = (), width: int = WIDTH) -> SafeString:
    legend_items = []
    for index, series in enumerate(legend):
        x = PAD_LEFT + index * 130
        legend_items.append(
            f'<rect class="chart-s{index}" x="{x}" y="{HEIGHT + 8}" width="10" height="10" rx="2"/>'
            f'<text class="chart-legend" x="{x + 14}" y="{HEIGHT + 17}">{escape(series.label)}</text>'
        )
    total_height = HEIGHT + (26 if legend else 0)
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}"><title id="{}">{}</title>{}</svg>',
        width,
        total_height,
        f"chart-{slugify(title)}",
        f"chart-{slugify(title)}",
        title,
        mark_safe("".join(body + legend_items)),  # noqa: S308 (every text part above is escaped)
    )


def stacked_bars(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: Sequence[dict[str, float]],
    unit: str = "",
    width: int = WIDTH,
) -> SafeString:
    """One bar per label, stacked by series (e.g. hours per month by kind of work)."""
    totals = [sum(row.get(s.key, 0.0) for s in series) for row in values]
    top = _nice_max(max(totals, default=0))
    plot_width = width - PAD_LEFT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_width / max(len(labels), 1)
    bar = slot * 0.62
    body = _axis(top, unit, width)
    for index, (label, row) in enumerate(zip(labels, values, strict=True)):
        x = PAD_LEFT + index * slot + (slot - bar) / 2
        y: float = HEIGHT - PAD_BOTTOM
        for series_index, s in enumerate(series):
            height = plot_height * row.get(s.key, 0.0) / top
            if height <= 0:
                continue
            y -= height
            body.append(
                f'<rect class="chart-s{series_index}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}">'
                f"<title>{escape(label)} · {escape(s.label)}: {row.get(s.key, 0.0):g}{unit}</title></rect>"
            )
        body.append(
            f'<text class="chart-axis" x="{x + bar / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{escape(label)}</text>'
        )
    return _svg(title, body, series, width)


def grouped_bars(
    *, title: str, labels: Sequence[str], series: Sequence[Series], values: Sequence[dict[str, float]]
) -> SafeString:
    """Bars side by side per label (e.g. requests in vs delivered per week)."""
    top = _nice_max(max((row.get(s.key, 0.0) for row in values for s in series), default=0))
    plot_width = WIDTH - PAD_LEFT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_width / max(len(labels), 1)
    bar = slot * 0.7 / max(len(series), 1)
    body = _axis(top, "")
    for index, (label, row) in enumerate(zip(labels, values, strict=True)):
        x0 = PAD_LEFT + index * slot + slot * 0.15
        for series_index, s in enumerate(series):
            value = row.get(s.key, 0.0)
            height = plot_height * value / top
            x = x0 + series_index * bar
            body.append(
                f'<rect class="chart-s{series_index}" x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM - height:.1f}" '
                f'width="{bar * 0.92:.1f}" height="{height:.1f}"><title>{escape(label)} · {escape(s.label)}: {value:g}</title></rect>'
            )
        if index % max(1, len(labels) // 7) == 0:  # keep the axis readable
            body.append(
                f'<text class="chart-axis" x="{x0 + bar * len(series) / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{escape(label)}</text>'
            )
    return _svg(title, body, series)


def horizontal_bars(*, title: str, items: Sequence[tuple[str, float]], width: int = 420) -> SafeString:
    """One labelled horizontal bar per item (e.g. requests by type)."""
    row_height = 24
    label_width = 170
    top = _nice_max(max((value for _, value in items), default=0))
    body = []
    for index, (label, value) in enumerate(items):
        y = PAD_TOP + index * row_height
        bar_width = (width - label_width - 40) * value / top
        body.append(
            f'<text class="chart-axis" x="{label_width - 8}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="chart-s0" x="{label_width}" y="{y + 3}" width="{bar_width:.1f}" height="{row_height - 8}" rx="2">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
            f'<text class="chart-value" x="{label_width + bar_width + 6:.1f}" y="{y + 14}">{value:g}</text>'
        )
    height = PAD_TOP + len(items) * row_height + 4
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img"><title>{}</title>{}</svg>',
        width,
        height,
        title,
        mark_safe("".join(body)),  # noqa: S308 (every text part above is escaped)
    )
