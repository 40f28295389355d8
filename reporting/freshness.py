"""What the figures count, watched: a write to any of it raises the teams' ``figures_version``.

The dashboard, the CMO home and the API cache a team's month (``pmm_portal.core.figures``)
until one of these rows changes. Services that write in bulk or by conditional update
(the top 3, a copied timesheet week, a claim, followers of a duplicate) call
``figures.changed`` themselves. Events and comments are not watched: every status
change also saves its request.
"""

from typing import Any

from django.db.models import Q
from django.db.models.signals import m2m_changed

from competitive.models import Competitor
from initiatives.models import FocusSlot, Initiative, MonthlyReview, StatusUpdate, Win
from launches.models import Launch, LaunchItem
from personas.models import CustomerInteraction, Persona
from pmm_portal.core import figures
from pmm_portal.core.models import Team, User
from requests_queue.models import Request, RequestFollower, SlaTarget
from timesheets.models import TimeEntry


def _own_team(instance: Any) -> Q:
    return Q(pk=instance.team_id)


def _membership_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    """Someone joined or left a team, from the team's side (``team.members``) or the person's."""
    if not reverse and action in ("post_add", "post_remove", "pre_clear"):
        figures.changed(Q(pk=instance.pk))
    elif reverse and action in ("post_add", "post_remove") and pk_set:
        figures.changed(Q(pk__in=pk_set))
    elif reverse and action == "pre_clear":  # the teams are still linked: they are the ones losing a member
        figures.changed(Q(members=instance.pk))


def register() -> None:
    # A competitor's name and aliases decide which requests count for it ("What reps ask about").
    for model in (
        Request,
        SlaTarget,
        Initiative,
        MonthlyReview,
        CustomerInteraction,
        Win,
        Persona,
        Competitor,
    ):
        figures.watch(model, _own_team)
    figures.watch(RequestFollower, lambda follow: Q(requests=follow.request_id))
    # The dashboard's launch card (services that write items in bulk call ``figures.changed``).
    figures.watch(Launch, lambda launch: Q(products=launch.product_id))
    figures.watch(LaunchItem, lambda item: Q(products__launches=item.launch_id))
    figures.watch(StatusUpdate, lambda update: Q(initiatives=update.initiative_id))
    figures.watch(TimeEntry, lambda entry: Q(members=entry.user_id))
    figures.watch(FocusSlot, lambda slot: Q(members=slot.owner_id))
    figures.watch(Team, lambda team: Q(pk=team.pk))
    m2m_changed.connect(_membership_changed, sender=Team.members.through, dispatch_uid="figures_membership")
    # A name shows in the people table; signing in changes nothing counted.
    figures.watch(User, lambda user: Q(members=user.pk), ignore=frozenset({"last_login"}))
