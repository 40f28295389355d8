"""Saved views of the queue: a PMM keeps filters and a sort under a name, for themselves or their team."""

from django.db import IntegrityError, transaction
from django.http import QueryDict

from pmm_portal.core.models import Team, User
from pmm_portal.core.selectors import teams_of

from ..models import SavedView
from ..workflow import RequestError

MAX_SAVED_VIEWS = 30
NAME_LENGTH = 60
# What a view keeps of the queue's address: its filters and sort, never the page or the view.
QUEUE_PARAMS = ("q", "status", "type", "product", "assignee", "due_before", "overdue", "sla", "sort")


def queue_query(query: str) -> str:
    """``query`` with only the queue's filters and sort, in a stable order (page and unknown keys dropped)."""
    given = QueryDict(query)
    kept = QueryDict(mutable=True)
    for name in QUEUE_PARAMS:
        value = given.get(name, "").strip()
        if value:
            kept[name] = value[:200]
    return kept.urlencode()


@transaction.atomic
def saved_view_save(
    *, owner: User, name: str, query: str, team: Team | None = None
) -> tuple[SavedView, bool]:
    """Save the queue's ``query`` as ``name`` (replacing the owner's view of that name); returns it and
    whether it is new. ``team``: shared with that team, which must be one of the owner's."""
    name = " ".join(name.split())
    if not name:
        raise RequestError({"name": "Name the view, e.g. “New this week” or “Competitive intel”."})
    if len(name) > NAME_LENGTH:
        raise RequestError({"name": f"Keep the name under {NAME_LENGTH} characters."})
    if team is not None and not teams_of(user=owner).filter(pk=team.pk).exists():
        raise RequestError({"team": "Share it with one of your own teams."})
    existing = SavedView.objects.select_for_update().filter(owner=owner, name=name).first()
    if existing is None and SavedView.objects.filter(owner=owner).count() >= MAX_SAVED_VIEWS:
        raise RequestError({"name": f"You have {MAX_SAVED_VIEWS} saved views: delete one you no longer use."})
    view = existing or SavedView(owner=owner, name=name)
    view.query = queue_query(query)
    view.team = team
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError as error:  # the same name saved at the same moment from another tab
        raise RequestError({"name": "You just saved a view of this name: try again."}) from error
    return view, existing is None


def saved_view_delete(*, owner: User, view_id: int) -> None:
    """Delete the owner's view ``view_id`` (another person's shared view is theirs to delete)."""
    deleted, _ = SavedView.objects.filter(owner=owner, pk=view_id).delete()
    if not deleted:
        raise RequestError("Only who saved a view can delete it.")
