"""Form widgets the apps share."""

import html
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class _Typeahead:
    """What the pickers that search share: the search's address, and only the chosen options rendered."""

    class Media:
        css = {"all": ["vendor/tom-select/css/tom-select.bootstrap5.min.css"]}
        js = ["vendor/tom-select/js/tom-select.popular.min.js", "js/typeahead.js"]

    attrs: dict[str, Any]
    choices: Any

    def __init__(
        self, *, url: Any, placeholder: str = "Type to search…", attrs: dict[str, Any] | None = None
    ):
        super().__init__(attrs={**(attrs or {}), "data-typeahead": url, "data-placeholder": placeholder})  # type: ignore[call-arg]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)  # type: ignore[misc]
        context["widget"]["attrs"]["data-typeahead"] = str(self.attrs["data-typeahead"])
        return context

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> list[Any]:
        """Only the chosen options: the others come from the search, a few at a time. A choice
        without a list of its own (a request's number) shows as its number."""
        chosen = [str(v) for v in value if str(v).isdigit()]
        if not chosen:
            return []
        queryset = getattr(self.choices, "queryset", None)
        if queryset is not None:
            iterator = self.choices
            options = [iterator.choice(obj) for obj in queryset.filter(pk__in=chosen)]
        else:
            labels = {str(v): label for v, label in self.choices}
            options = [(v, labels.get(v, f"#{v}")) for v in chosen]
        return [
            (None, [self.create_option(name, option, label, True, index, attrs=attrs)], index)  # type: ignore[attr-defined]
            for index, (option, label) in enumerate(options)
        ]


class TypeaheadSelectMultiple(_Typeahead, forms.SelectMultiple):
    """A multiple choice that searches as you type instead of listing every option.

    The page carries only the options already chosen; ``static/js/typeahead.js`` (Tom
    Select) asks ``url`` (``?q=``: JSON ``{"results": [{"value", "text", "meta"}]}``) for
    the others, a keystroke's pause at a time. The field still validates against its
    whole queryset, so what may be chosen is unchanged.
    """


class TypeaheadSelect(_Typeahead, forms.Select):
    """One choice, searched as you type (``TypeaheadSelectMultiple``'s single sibling)."""


SELECT_TEMPLATES = ("django/forms/widgets/select.html", "django/forms/widgets/select_option.html")


def renders_fast(widget: forms.Widget) -> bool:
    """Whether ``render_select`` renders ``widget`` as Django's own templates would."""
    return (
        isinstance(widget, forms.Select)
        and (widget.template_name, widget.option_template_name) == SELECT_TEMPLATES
        # A widget that chooses its own options (``TypeaheadSelectMultiple``) renders itself.
        and type(widget).optgroups is forms.Select.optgroups
        and type(widget).get_context is forms.Select.get_context
    )


def _escape(value: Any) -> str:
    """``conditional_escape`` without its overhead: what is marked safe stays as it is."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value), quote=True)


def render_select(widget: forms.Select, name: str, value: Any, attrs: dict[str, Any]) -> SafeString:
    """A ``<select>`` with its options, written out in Python: the same HTML as Django's templates.

    Django renders each option through a template include (and builds a context per
    option); a filter bar with a few hundred options spent most of its page's time there.
    """
    chosen = {str(v) for v in widget.format_value(value)}
    found = False  # a single choice selects its first match only, as Django does

    def option(option_value: Any, label: Any) -> str:
        nonlocal found
        text = "" if option_value is None else str(option_value)
        selected = text in chosen and (widget.allow_multiple_selected or not found)
        found = found or selected
        return f'<option value="{_escape(text)}"{" selected" if selected else ""}>{_escape(label)}</option>'

    final_attrs = widget.build_attrs(widget.attrs, attrs)
    if widget.allow_multiple_selected:
        final_attrs["multiple"] = True
    parts: list[str] = [format_html('<select name="{}"{}>', name, flatatt(final_attrs))]
    for option_value, label in widget.choices:
        if isinstance(label, list | tuple):
            parts.append(f'<optgroup label="{_escape(option_value)}">')
            parts.extend(option(v, sub_label) for v, sub_label in label)
            parts.append("</optgroup>")
        else:
            parts.append(option(option_value, label))
    parts.append("</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
