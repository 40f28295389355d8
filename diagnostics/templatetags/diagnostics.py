"""Filters of the diagnostic's pages: changes between rounds, with their sign."""

from django import template

register = template.Library()


@register.filter
def signed(value: float | None, digits: int = 1) -> str:
    """A change with its sign ("+0.5", "−1.0", "0.0"), or an em dash when there is none to show."""
    if value is None:
        return "—"
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return text
    return f"+{text}" if value > 0 else f"−{text}"


@register.filter
def signed_pct(value: float | None) -> str:
    """A change of a share in percentage points ("+25 pts"), or an em dash."""
    if value is None:
        return "—"
    points = round(value * 100)
    if points == 0:
        return "0 pts"
    return f"+{points} pts" if points > 0 else f"−{abs(points)} pts"
