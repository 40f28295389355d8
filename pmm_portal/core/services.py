"""Writes the shared core offers every app."""

from .models import User


def user_lock(*, user_id: int) -> None:
    """Serialize one person's plan and time changes (call inside a transaction).

    Two tabs (or two API clients) adding a fourth focus initiative, or logging hours
    that together pass 80 in a week, would each see a valid state before writing;
    locking the person's user row makes the second wait and then see the first's rows.
    """
    User.objects.select_for_update().filter(pk=user_id).first()
