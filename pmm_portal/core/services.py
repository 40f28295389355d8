"""Writes the shared core offers every app."""

from django.contrib.auth.forms import PasswordResetForm

from .background import enqueue_on_commit
from .models import User


def user_lock(*, user_id: int) -> None:
    """Serialize one person's plan and time changes (call inside a transaction).

    Two tabs (or two API clients) adding a fourth focus initiative, or logging hours
    that together pass 80 in a week, would each see a valid state before writing;
    locking the person's user row makes the second wait and then see the first's rows.
    """
    User.objects.select_for_update().filter(pk=user_id).first()


# --- Password reset (issue 12) ---------------------------------------------------------------------

RESET_MAIL_TASK = "core.send_password_reset"


def password_reset_request(*, email: str, domain: str, use_https: bool) -> None:
    """Ask for a reset link to be mailed to ``email``, whoever it belongs to (if anyone).

    The request that asks does the same for an address that has an account and one that
    has none: it names a task, enqueued once its transaction commits, and returns. Looking
    the address up, making the token and sending the mail happen in the worker
    (``password_reset_send``), so neither the answer's time nor its queries tell whether
    the address is registered.
    """
    enqueue_on_commit(RESET_MAIL_TASK, email, domain, use_https)


def password_reset_send(*, email: str, domain: str, use_https: bool) -> int:
    """Mail a reset link to each active account of ``email`` (Django's rules); returns how many.

    Django's own ``PasswordResetForm`` picks the accounts (active, with a usable password,
    the address matched case-insensitively) and renders the portal's templates, with the
    site's address given by the request that asked (``domain``), as the page would.
    """
    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return 0
    accounts = list(form.get_users(form.cleaned_data["email"]))
    if accounts:
        form.save(domain_override=domain, use_https=use_https)
    return len(accounts)
