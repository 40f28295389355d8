"""Writes the shared core offers every app."""

import secrets
from datetime import timedelta

from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .background import enqueue_now, enqueue_on_commit
from .models import PasswordResetMail, Role, Team, User


def user_lock(*, user_id: int) -> None:
    """Serialize one person's plan and time changes (call inside a transaction).

    Two tabs (or two API clients) adding a fourth focus initiative, or logging hours
    that together pass 80 in a week, would each see a valid state before writing;
    locking the person's user row makes the second wait and then see the first's rows.
    """
    User.objects.select_for_update().filter(pk=user_id).first()


# --- Password reset (issue 12) ---------------------------------------------------------------------

RESET_MAIL_TASK = "core.send_password_reset"
# A reset link is valid for PASSWORD_RESET_TIMEOUT (three days by default); a mail still unsent
# after a day is not worth sending late, and a handled row has no use after a day either.
RESET_MAIL_KEEP = timedelta(days=1)


def password_reset_request(*, email: str, domain: str, use_https: bool) -> PasswordResetMail:
    """Ask for a reset link to be mailed to ``email``, whoever it belongs to (if anyone).

    The request that asks does the same for an address that has an account and one that
    has none: it writes an outbox row and names the task that sends from it, enqueued once
    the transaction commits. Looking the address up, making the token and sending the mail
    happen in the worker (``password_reset_send``), so neither the answer's time nor its
    queries tell whether the address is registered. With the broker down, the row waits for
    ``password_reset_outbox_dispatch`` (every minute): the ask is never lost.
    """
    row = PasswordResetMail.objects.create(email=email, domain=domain, use_https=use_https)
    enqueue_on_commit(RESET_MAIL_TASK, row.pk)
    return row


def password_reset_send(*, mail_id: int) -> int:
    """Mail a reset link to each active account of the row's address (Django's rules); returns how many.

    Idempotent: the row is locked and marked sent in one transaction, so a second delivery of
    the task (or the sweep racing the first enqueue) mails nothing. A mail server error rolls
    the mark back and propagates, for the task to retry. Django's own ``PasswordResetForm``
    picks the accounts (active, with a usable password, the address matched
    case-insensitively) and renders the portal's templates, with the site's address given
    by the request that asked (``domain``), as the page would.
    """
    with transaction.atomic():
        row = PasswordResetMail.objects.select_for_update().filter(pk=mail_id, sent_at__isnull=True).first()
        if row is None:
            return 0
        row.sent_at = timezone.now()
        row.save(update_fields=["sent_at"])
        form = PasswordResetForm(data={"email": row.email})
        if not form.is_valid():
            return 0
        accounts = list(form.get_users(form.cleaned_data["email"]))
        if accounts:
            form.save(domain_override=row.domain, use_https=row.use_https)
        return len(accounts)


def password_reset_outbox_dispatch(*, older_than: timedelta = timedelta(minutes=1), limit: int = 500) -> int:
    """Enqueue reset mails the broker never got, drop rows older than a day; returns how many were enqueued.

    ``older_than`` leaves rows just written to their own on-commit enqueue. Sending is
    idempotent, so a row enqueued twice still mails once.
    """
    now = timezone.now()
    PasswordResetMail.objects.filter(created_at__lt=now - RESET_MAIL_KEEP).delete()
    pending = list(
        PasswordResetMail.objects.filter(sent_at__isnull=True, created_at__lte=now - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    enqueued = 0
    for mail_id in pending:
        PasswordResetMail.objects.filter(pk=mail_id).update(attempts=F("attempts") + 1)
        if not enqueue_now(RESET_MAIL_TASK, mail_id):
            break  # the broker is still down: try again at the next beat
        enqueued += 1
    return enqueued


# --- Accounts made by someone else (issue 16: importing users) ---------------------------------------


@transaction.atomic
def user_invite(
    *,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.SALES,
    job_title: str = "",
    team: Team | None = None,
    domain: str,
    use_https: bool,
) -> User:
    """Create an account for someone who has not signed in yet, and mail them a link to choose a password.

    Nobody types a password for them: the account gets a long random one nobody knows (usable,
    so Django's reset form accepts the address), and the password-reset mail, sent once the
    transaction commits, is their invitation. Usernames and emails are unique, whatever their
    case. ``team`` makes them a member. Raises ``ValidationError`` by field before writing.
    """
    username, email = username.strip(), email.strip()
    user = User(
        username=username,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        job_title=job_title.strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors = error.message_dict
    if not email:
        errors.setdefault("email", []).append("Give their email address: the invitation goes there.")
    elif User.objects.filter(email__iexact=email).exists():
        errors.setdefault("email", []).append(f"Someone already signs in with {email}.")
    if username and User.objects.filter(username__iexact=username).exclude(username=username).exists():
        errors.setdefault("username", []).append(f"The username “{username}” is taken.")
    if errors:
        raise ValidationError(errors)
    user.set_password(secrets.token_urlsafe(32))
    user.save()
    if team is not None:
        team.members.add(user)
    password_reset_request(email=email, domain=domain, use_https=use_https)
    return user
