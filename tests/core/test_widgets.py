"""Selects are written out in Python (``core.widgets.render_select``): the same HTML as Django's."""

import pytest
from django import forms
from django.test.html import parse_html

from pmm_portal.core.models import Team
from pmm_portal.core.templatetags import portal
from pmm_portal.core.templatetags.portal import widget
from tests.factories import TeamFactory


def same_html(html: str):
    """The document as ``assertHTMLEqual`` compares it: attribute order and blank space aside."""
    return parse_html(html)


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "All"), ("a", 'Tom & "Jerry" <b>'), ("b", "B")])
    grouped = forms.ChoiceField(choices=[("Fruit", [("x", "Apple"), ("y", "Pear")]), ("z", "Other")])
    optional = forms.ChoiceField(choices=[("1", "One"), ("2", "Two")], required=False, disabled=True)
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two"), ("3", "Three")])
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), empty_label="All teams")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plain": "a", "grouped": "y", "optional": "2", "many": ["1", "3"]},
        {"plain": "nope", "many": ["9"]},
    ],
)
def test_the_fast_select_writes_what_django_writes(db, monkeypatch, data):
    TeamFactory(name="Beta <team>")
    team = TeamFactory(name="Alpha")
    form = Everything({**data, "team": str(team.pk)} if data else None)
    form.is_valid()  # errors too: the description of the error stays
    fast = {name: widget(form[name]) for name in form.fields}
    monkeypatch.setattr(portal, "renders_fast", lambda _widget: False)  # Django's templates
    for name in form.fields:
        assert same_html(fast[name]) == same_html(widget(form[name])), name


def test_an_invalid_field_keeps_its_error_description(db):
    form = Everything({"plain": "nope"})
    form.is_valid()
    html = widget(form["plain"])
    assert 'class="form-select is-invalid"' in html
    assert 'aria-describedby="id_plain_error_1"' in html
