"""Server-rendered SVG charts: the same markup serves the page, print, the PDF and email.

Every mark carries its own presentation attributes (``fill``, ``stroke``,
``font-size``) in the app's palette, so a chart looks the same wherever it is
drawn, including renderers that do not apply the page's stylesheet to SVG
(WeasyPrint drew them as black bars). The CSS classes (``chart-s0`` …
``chart-s5``, ``chart-axis``…) stay, so the web stylesheet can still restyle
them: a CSS rule beats a presentation attribute.

Text never leaves the drawing: label widths are estimated, axis labels are
thinned until they no longer overlap, the left gutter fits the longest value
label, and the legend wraps onto as many rows as it needs. Each chart has an
accessible title, and every chart on a page sits next to a table of the same data.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

WIDTH = 640
HEIGHT = 220
PAD_LEFT = 44
PAD_RIGHT = 8
PAD_BOTTOM = 28
PAD_TOP = 12
FONT_SIZE = 11
LEGEND_ROW = 18
LEGEND_SWATCH = 10

# The app's palette (static/css/app.css): one colour per series, in order.
PALETTE = ("#4f46e5", "#a5b4fc", "#f59e0b", "#10b981", "#64748b", "#cbd5e1")
GRID_COLOUR = "#e5e7eb"
TEXT_COLOUR = "#4b5563"


@dataclass(frozen=True)
class Series:
    key: str
    label: str


def colour(index: int) -> str:
    """The fill of series ``index`` (the palette repeats past its end)."""
    return PALETTE[index % len(PALETTE)]


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of a label's width in a sans-serif font (0.62 em per character)."""
    return len(text) * size * 0.62


def fit(text: str, room: float, size: float = FONT_SIZE) -> str:
    """``text``, cut short with an ellipsis if it would not fit in ``room`` units."""
    if text_width(text, size) <= room:
        return text
    keep = max(int(room / (size * 0.62)) - 1, 1)
    return text[:keep].rstrip() + "…"


def _text(
    text: str, *, x: float, y: float, css: str = "chart-axis", anchor: str = "start", weight: str = ""
) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
        f'fill="{TEXT_COLOUR}" font-size="{FONT_SIZE}"{bold}>{escape(text)}</text>'
    )


def _rect(*, index: int, x: float, y: float, width: float, height: float, tip: str = "", rx: int = 0) -> str:
    corner = f' rx="{rx}"' if rx else ""
    title = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<rect class="chart-s{index}" fill="{colour(index)}" x="{x:.1f}" y="{y:.1f}" '
        f'width="{max(width, 0):.1f}" height="{max(height, 0):.1f}"{corner}>{title}</rect>'
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return float(step * 4)
    return float(value)


def _gutter(max_value: float, unit: str) -> float:
    """The left margin that holds the widest value label of the axis."""
    return max(PAD_LEFT, text_width(f"{max_value:g}{unit}") + 12)


def _axis(max_value: float, unit: str, *, left: float, width: int) -> list[str]:
    parts = []
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    for n in range(5):
        value = max_value * n / 4
        y = HEIGHT - PAD_BOTTOM - plot_height * n / 4
        parts.append(
            f'<line class="chart-grid" stroke="{GRID_COLOUR}" stroke-width="1" '
            f'x1="{left:.1f}" x2="{width - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(_text(f"{value:g}{unit}", x=left - 6, y=y + 4, anchor="end"))
    return parts


def label_step(labels: Sequence[str], slot: float) -> int:
    """Show every n-th category label so that neighbours never overlap."""
    widest = max((text_width(label) for label in labels), default=0)
    return max(1, math.ceil((widest + 8) / max(slot, 1)))


def _legend(series: Sequence[Series], *, top: float, left: float, width: int) -> tuple[list[str], float]:
    """Swatches and labels that wrap onto new rows instead of running into each other."""
    parts: list[str] = []
    x, y = left, top
    for index, item in enumerate(series):
        item_width = LEGEND_SWATCH + 5 + text_width(item.label) + 16
        if x > left and x + item_width > width - PAD_RIGHT:
            x, y = left, y + LEGEND_ROW
        parts.append(_rect(index=index, x=x, y=y, width=LEGEND_SWATCH, height=LEGEND_SWATCH, rx=2))
        parts.append(_text(item.label, x=x + LEGEND_SWATCH + 5, y=y + 9, css="chart-legend"))
        x += item_width
    height = (y - top + LEGEND_ROW + 4) if series else 0
    return parts, height


def _svg(title: str, body: list[str], *, width: int, height: float) -> SafeString:
    ident = f"chart-{slugify(title)}"
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-labelledby="{}"><title id="{}">{}</title>{}</svg>',
        width,
        f"{height:g}",
        width,
        f"{height:g}",
        ident,
        ident,
        title,
        mark_safe("".join(body)),  # noqa: S308 (every text part above is escaped)
    )


def _with_legend(
    title: str, body: list[str], series: Sequence[Series], *, left: float, width: int
) -> SafeString:
    legend, legend_height = _legend(series, top=HEIGHT + 6, left=left, width=width)
    return _svg(title, body + legend, width=width, height=HEIGHT + legend_height)


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
    left = _gutter(top, unit)
    plot_width = width - left - PAD_RIGHT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_width / max(len(labels), 1)
    bar = slot * 0.62
    step = label_step(labels, slot)
    body = _axis(top, unit, left=left, width=width)
    for index, (label, row) in enumerate(zip(labels, values, strict=True)):
        x = left + index * slot + (slot - bar) / 2
        y: float = HEIGHT - PAD_BOTTOM
        for series_index, s in enumerate(series):
            height = plot_height * row.get(s.key, 0.0) / top
            if height <= 0:
                continue
            y -= height
            tip = f"{label} · {s.label}: {row.get(s.key, 0.0):g}{unit}"
            body.append(_rect(index=series_index, x=x, y=y, width=bar, height=height, tip=tip))
        if index % step == 0:
            body.append(_text(label, x=x + bar / 2, y=HEIGHT - 10, anchor="middle"))
    return _with_legend(title, body, series, left=left, width=width)


def grouped_bars(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: Sequence[dict[str, float]],
    width: int = WIDTH,
) -> SafeString:
    """Bars side by side per label (e.g. requests in vs delivered per week)."""
    top = _nice_max(max((row.get(s.key, 0.0) for row in values for s in series), default=0))
    left = _gutter(top, "")
    plot_width = width - left - PAD_RIGHT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_width / max(len(labels), 1)
    bar = slot * 0.7 / max(len(series), 1)
    step = label_step(labels, slot)
    body = _axis(top, "", left=left, width=width)
    for index, (label, row) in enumerate(zip(labels, values, strict=True)):
        x0 = left + index * slot + slot * 0.15
        for series_index, s in enumerate(series):
            value = row.get(s.key, 0.0)
            height = plot_height * value / top
            body.append(
                _rect(
                    index=series_index,
                    x=x0 + series_index * bar,
                    y=HEIGHT - PAD_BOTTOM - height,
                    width=bar * 0.92,
                    height=height,
                    tip=f"{label} · {s.label}: {value:g}",
                )
            )
        if index % step == 0:
            body.append(_text(label, x=x0 + bar * len(series) / 2, y=HEIGHT - 10, anchor="middle"))
    return _with_legend(title, body, series, left=left, width=width)


def horizontal_bars(*, title: str, items: Sequence[tuple[str, float]], width: int = 420) -> SafeString:
    """One labelled horizontal bar per item (e.g. requests by type); the label column fits the labels."""
    row_height = 24
    top = _nice_max(max((value for _, value in items), default=0))
    widest_value = max((text_width(f"{value:g}") for _, value in items), default=0)
    label_width = min(max((text_width(label) for label, _ in items), default=0) + 14, width * 0.5)
    bar_room = width - label_width - widest_value - 8 - PAD_RIGHT
    body = []
    for index, (label, value) in enumerate(items):
        y = PAD_TOP + index * row_height
        bar_width = bar_room * value / top
        body.append(_text(fit(label, label_width - 14), x=label_width - 8, y=y + 14, anchor="end"))
        body.append(
            _rect(
                index=0,
                x=label_width,
                y=y + 3,
                width=bar_width,
                height=row_height - 8,
                tip=f"{label}: {value:g}",
                rx=2,
            )
        )
        body.append(_text(f"{value:g}", x=label_width + bar_width + 6, y=y + 14, css="chart-value"))
    return _svg(title, body, width=width, height=PAD_TOP + len(items) * row_height + 4)
