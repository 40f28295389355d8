"""The one door for requests and assets: who may see and who may change what.

Requests
    - sales see the requests they made and those they follow ("me too", or as requester of a
      duplicate); a follower does not see the requester's deal (``can_see_deal``);
    - PMMs see their teams' requests; the CMO sees the requests of the teams they lead or belong to;
    - product managers see no requests (their work is personas and value propositions; the
      asset library is open to them) — a decision recorded here and in the API schema;
    - administrators see everything.
    Anyone else gets 404, so a request's existence never leaks.

Actions on a visible request
    - ``view`` and ``comment``: everyone who sees it;
    - ``triage`` (score, accept/assign, reuse, duplicate, snooze, decline): the team's PMMs and CMO;
    - ``claim``: the team's PMMs;
    - ``work`` (start, log time, deliver): the team's PMMs (the service then checks it is the assignee);
    - ``own`` (cancel, rate): the requester.
    "Me too" is not an action on a visible request: sales may follow any open request of any
    team (they saw only its title, in the suggestions), through ``access_request_to_follow``.
    A reader who may not do an action gets 403. Each move of the workflow names the
    action it needs in ``requests_queue.workflow.TRANSITIONS``; the functions here
    take either an action or a move ("deliver" needs ``work``).

Files
    A request's attachments go to those who see its deal (``access_attachment``); its delivered
    file to everyone who sees the request; an asset's file to everyone who reads the library.
    Files are only ever sent through these doors (``pmm_portal.core.files``), never from /media/.

Assets
    Everyone signed in reads the library and downloads every version of an asset; the owning
    team's PMMs and CMO (and administrators) edit, version, retire and un-retire its assets and
    read its internal notes (``can_edit_asset``). A retired asset points to a replacement among
    the live assets of the teams the user is on (``assets_linkable_by``).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from pmm_portal.core.models import Role, User
from pmm_portal.core.selectors import teams_of

from . import workflow
from .models import (
    OPEN_STATUSES,
    Asset,
    AssetVersion,
    Request,
    RequestAttachment,
    RequestFollower,
    SavedView,
)

REQUEST_ACTIONS = workflow.PERMISSION_ACTIONS


def _pk(id: int | str) -> int | None:
    """``id`` as a primary key, or None when it is not one (a malformed id is a 404, never a 500)."""
    if isinstance(id, int):
        return id
    return int(id) if str(id).isdigit() else None


def visible_to(user: User) -> QuerySet[Request]:
    """The requests ``user`` may see."""
    requests = Request.objects.all()
    if not getattr(user, "is_authenticated", False):
        return requests.none()
    if user.is_portal_admin:
        return requests
    if user.role == Role.SALES:
        # One id list from two indexed lookups (made, followed): an OR of the two conditions
        # would make PostgreSQL scan every request of the organisation.
        made = Request.objects.filter(requester=user).order_by().values("pk")
        followed = RequestFollower.objects.filter(user=user).order_by().values("request_id")
        return requests.filter(pk__in=made.union(followed))
    if user.role in (Role.PMM, Role.CMO):
        return requests.filter(team__in=teams_of(user=user).values("pk"))
    return requests.none()


def can_act_on_request(user: User, request: Request, action: str) -> bool:
    """Whether ``user``, who can see ``request``, may do ``action`` on it (for pages' buttons too).

    ``action`` is a permission action or a move of the workflow table, which names its action.
    """
    action = workflow.permission_for(action)
    if action not in REQUEST_ACTIONS:
        return False  # a move no person makes (the beat task wakes snoozed requests)
    if action in ("view", "comment"):
        return True
    if user.is_portal_admin:
        return True
    if action == "own":
        return request.requester_id == user.pk
    if action == "triage":
        return user.role in (Role.PMM, Role.CMO)
    if action in ("claim", "work"):
        return user.role == Role.PMM
    return False


def can_submit_request(user: User) -> bool:
    """Sales ask product marketing for help (and administrators, for support)."""
    return bool(user.has_role(Role.SALES))


def access_request(*, user: User, id: int | str, action: str = "view") -> Request:
    """The request ``id`` if ``user`` may do ``action`` (or the move) on it: 404 when hidden, 403 when only readable."""
    pk = _pk(id)
    request = (
        visible_to(user)
        .select_related("requester", "assignee", "product", "team", "duplicate_of", "reused_asset")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if request is None:
        raise Http404("No such request.")
    if not can_act_on_request(user, request, action):
        raise PermissionDenied("You can see this request but not do that.")
    return request


def can_see_deal(user: User, request: Request) -> bool:
    """Whether ``user``, who can see ``request``, sees the requester's deal and who they are.

    The requester, product marketing and administrators do. A rep who follows it ("me too"
    or a duplicate) sees what is asked and where it stands, not the requester's name,
    account, opportunity value, deal stage, competitor, details or attachments.
    """
    return request.requester_id == user.pk or can_see_followers(user)


def access_attachment(*, user: User, request_id: int | str, id: int | str) -> RequestAttachment:
    """The file ``id`` attached to request ``request_id``, if ``user`` sees the request and its deal.

    Attachments are part of the requester's deal (``can_see_deal``): a rep who only follows the
    request gets the same 404 as someone who cannot see it, and so does an attachment of another
    request named under this one.
    """
    request = access_request(user=user, id=request_id)
    pk = _pk(id)
    attachment = (
        request.attachments.filter(pk=pk).first() if pk is not None and can_see_deal(user, request) else None
    )
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def can_see_followers(user: User) -> bool:
    """Whether ``user`` sees every rep who follows a request they see, with their deals: marketing and admins."""
    return bool(user.is_portal_admin or user.role in (Role.PMM, Role.CMO))


def followable_by(user: User) -> QuerySet[Request]:
    """The requests ``user`` may say "me too" on: sales, any open request of any team."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.SALES):
        return Request.objects.none()
    return Request.objects.filter(status__in=OPEN_STATUSES)


def access_request_to_follow(*, user: User, id: int | str) -> Request:
    """The open request ``id`` that ``user`` may say "me too" on: 404 for anything else.

    A rep knows an open request of another team only by its title in the suggestions;
    a closed one, or one that does not exist, is the same 404, so nothing else leaks.
    """
    pk = _pk(id)
    request = followable_by(user).select_related("team").filter(pk=pk).first() if pk is not None else None
    if request is None:
        raise Http404("No such open request.")
    return request


def assets_visible_to(user: User) -> QuerySet[Asset]:
    """The asset library: open to everyone signed in (sales read it before they ask)."""
    if not getattr(user, "is_authenticated", False):
        return Asset.objects.none()
    return Asset.objects.all()


def can_edit_asset(user: User, asset: Asset) -> bool:
    """The owning team's PMMs and CMO (and administrators) change an asset."""
    if user.is_portal_admin:
        return True
    if user.role not in (Role.PMM, Role.CMO):
        return False
    return teams_of(user=user).filter(pk=asset.team_id).exists()


def can_create_asset(user: User) -> bool:
    """PMMs and CMOs publish to the library (``services.asset_team_for`` says into which team)."""
    return bool(user.has_role(Role.PMM, Role.CMO))


def access_asset(*, user: User, id: int | str, action: str = "view") -> Asset:
    """The asset ``id``: 404 when there is none, 403 when ``action`` is not ``view`` and ``user`` may not edit it."""
    pk = _pk(id)
    asset = (
        assets_visible_to(user)
        .select_related("owner", "team", "source_request", "replaced_by", "retired_by")
        .prefetch_related("products", "personas")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if asset is None:
        raise Http404("No such asset.")
    if action != "view" and not can_edit_asset(user, asset):
        raise PermissionDenied("Only the owning team's product marketers change this asset.")
    return asset


def can_see_internal_notes(user: User, asset: Asset) -> bool:
    """An asset's internal notes are for those who change it (never sales, never another team)."""
    return can_edit_asset(user, asset)


def asset_editor_team_ids(user: User) -> set[int] | None:
    """The teams whose assets ``user`` changes (and whose internal notes they read), in one query:
    ``None`` for every team (administrators). For lists, where ``can_edit_asset`` per row would
    cost a query a row."""
    if user.is_portal_admin:
        return None
    if user.role not in (Role.PMM, Role.CMO):
        return set()
    return set(teams_of(user=user).values_list("pk", flat=True))


def assets_linkable_by(user: User) -> QuerySet[Asset]:
    """The live assets ``user`` may name as a retired asset's replacement: their teams' (all: admins)."""
    if not getattr(user, "is_authenticated", False):
        return Asset.objects.none()
    live = Asset.objects.filter(retired_at__isnull=True)
    if user.is_portal_admin:
        return live
    return live.filter(team__in=teams_of(user=user).values("pk"))


def access_asset_version(*, user: User, asset_id: int | str, number: int | str) -> AssetVersion:
    """Version ``number`` of asset ``asset_id``, for everyone who reads the library; else 404."""
    asset = access_asset(user=user, id=asset_id)
    found = _pk(number)
    version = asset.versions.filter(number=found).first() if found is not None else None
    if version is None:
        raise Http404("No such version.")
    return version


# --- Saved views of the queue ------------------------------------------------------------------


def saved_views_visible_to(user: User) -> QuerySet[SavedView]:
    """The queue views ``user`` may open: their own and those shared with one of their teams."""
    return SavedView.objects.filter(Q(owner=user) | Q(team__in=teams_of(user=user).values("pk")))


def access_saved_view(*, user: User, id: int | str, action: str = "view") -> SavedView:
    """The saved view ``id``: 404 when ``user`` may not open it, 403 to change another person's."""
    pk = _pk(id)
    view = (
        saved_views_visible_to(user).select_related("owner", "team").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if view is None:
        raise Http404("No such saved view.")
    if action != "view" and view.owner_id != user.pk:
        raise PermissionDenied("Only who saved a view changes or deletes it.")
    return view
