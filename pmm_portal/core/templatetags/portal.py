"""Template helpers shared by every app."""

from datetime import date, timedelta

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from pmm_portal.core.widgets import render_select, renders_fast

register = template.Library()


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return ""
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


@register.simple_tag
def widget(field: BoundField) -> SafeString:
    """Render ``field``'s input with the design's classes and its error state for screen readers."""
    attrs = dict(field.field.widget.attrs)
    css = " ".join(c for c in (attrs.get("class", ""), _widget_class(field.field.widget)) if c)
    if field.errors:
        css += " is-invalid"
        error_ids = " ".join(f"{field.auto_id}_error_{n}" for n in range(1, len(field.errors) + 1))
        described = " ".join(filter(None, (attrs.get("aria-describedby", ""), error_ids)))
        if field.help_text:
            described = f"{field.auto_id}_helptext {described}"
        attrs["aria-describedby"] = described
    attrs["class"] = css
    if renders_fast(field.field.widget):  # the same HTML, without a template per option
        bound = field.build_widget_attrs(attrs, field.field.widget)
        if field.auto_id and "id" not in field.field.widget.attrs:
            bound.setdefault("id", field.auto_id)
        return render_select(field.field.widget, field.html_name, field.value(), bound)
    return field.as_widget(attrs=attrs)


@register.filter
def duration_words(value: timedelta | None) -> str:
    """A timedelta in words a person reads at a glance: "15 minutes", "2 hours", "1 hour 30 minutes"."""
    if not value:
        return ""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.filter
def pct(value: float | str | None, digits: int = 0) -> str:
    """A share (0–1) as a percentage, or an em dash when there is nothing to divide."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{digits}f} %"


@register.filter
def dash(value: object) -> object:
    """An em dash for a missing figure, the figure otherwise."""
    return "—" if value is None or value == "" else value


@register.filter
def day(value: date | str | None) -> str:
    """A date in the portal's one format, "4 Dec 2026" (ISO strings from snapshots too); "—" when missing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    return f"{value.day} {value:%b %Y}"
