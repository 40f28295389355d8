"""Forms of the shared core."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from . import selectors


class LoginForm(AuthenticationForm):
    """Sign-in form with the autocomplete hints password managers expect."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class SearchForm(forms.Form):
    """The global search's question, read the same way by the page and the API.

    ``q`` longer than ``MAX_LENGTH`` is cut, never refused; ``kind`` is empty (every kind)
    or one of the kinds the engine has registered.
    """

    MAX_LENGTH = 200

    q = forms.CharField(required=False)
    kind = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "There is no “%(value)s” kind to search."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The kinds register when the apps are ready, after this module is imported.
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "Everything"), *selectors.search_kinds()]

    def clean_q(self) -> str:
        return str(self.cleaned_data["q"])[: self.MAX_LENGTH].strip()
