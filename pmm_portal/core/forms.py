"""Forms of the shared core."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError

from . import selectors, services


class LoginForm(AuthenticationForm):
    """Sign-in form with the autocomplete hints password managers expect."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        if not settings.LOCAL_PASSWORDS:  # single sign-on only (issue 16): superusers keep a password
            self.error_messages = {
                **self.error_messages,
                "invalid_login": "Password sign-in is switched off here: sign in with single sign-on.",
            }


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


class PasswordResetRequestForm(PasswordResetForm):
    """The reset page's form: it hands the address to the worker and looks nothing up itself.

    Django's form looks the address up and mails the link while the page waits, so a
    registered address answered slower than an unknown one. ``save`` here only queues
    ``services.password_reset_request``; the worker does Django's lookup and mail.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})

    def save(  # type: ignore[override]
        self,
        *,
        domain_override: str | None = None,
        use_https: bool = False,
        request: Any = None,
        **kwargs: Any,
    ) -> None:
        domain = domain_override or get_current_site(request).domain
        services.password_reset_request(email=self.cleaned_data["email"], domain=domain, use_https=use_https)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on its field when the form has one, else
    on the form (the one way every app's pages report what a service refused)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
