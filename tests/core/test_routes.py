"""Every route the resolver knows has a row here, and every role gets what its row says.

A new URL pattern (page or API) makes ``test_every_route_has_a_row`` fail until someone writes
its row: who may use it, what anonymous visitors get. Rows are keyed by the route's path pattern
as the resolver reports it at run time (``"requests/<int:pk>/"``, ``"api/v1/^wins/$"``), so moving a
view between apps keeps its row; changing a path asks for a new one.

For each route and each role (and the anonymous visitor) one test sends every method the view
answers (GET, and its state-changing method: POST, or PATCH and DELETE on API objects):

- a role the row allows never gets 401, 403, 404 (the objects are its own team's) or 500, and is
  never sent to sign in;
- a role it does not allow gets 403 (404 on a per-object route, whose object is hidden from them);
  anonymous visitors are sent to ``/accounts/login/`` on pages and get 401/403 from the API;
- a refused state-changing request changes nothing: the row count of every table is the same
  before and after.

The objects belong to the shared cast's team (``pmm``, ``pm`` and ``cmo`` are on it, ``sales_rep``
filed its requests), so "allowed" is checked against real objects. Each request runs in a savepoint
rolled back afterwards, so one role's POST never changes what the next role sees.

The expected answers follow PRODUCT.md's role table and the per-app matrices
(``tests/*/test_permissions.py``). Where the app disagrees with PRODUCT.md the row says what
PRODUCT.md says and the case is a strict xfail with the reason (see ``xfail=`` in the rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from pmm_portal.core.models import Role
from reporting.models import MonthlyReport, ReportStatus
from requests_queue.models import RequestAttachment, RequestStatus
from tests.core import routing
from tests.factories import (
    AssetFactory,
    FollowUpFactory,
    InitiativeFactory,
    InteractionFactory,
    LearningFactory,
    MilestoneFactory,
    MonthlyReviewFactory,
    PersonaFactory,
    PositioningFactory,
    RequestFactory,
    TimeEntryFactory,
    UserFactory,
    WinFactory,
)

SALES, PMM, PM, CMO, ADMIN = Role.SALES.value, Role.PMM.value, Role.PM.value, Role.CMO.value, Role.ADMIN.value
ANON = "anon"
ROLES = (SALES, PMM, PM, CMO, ADMIN)
EVERYONE = ROLES
MARKETING = (PMM, PM, CMO, ADMIN)
PMM_CMO = (PMM, CMO, ADMIN)
PMM_ONLY = (PMM, ADMIN)

# What an anonymous visitor gets.
LOGIN = "login"  # a page: 302 to /accounts/login/
API = "api"  # the API: 401 or 403
PUBLIC = "public"  # open to everyone, signed in or not
SIGNED = "signed"  # called by another service with its signature: 401 for everyone without one

W = dict[str, Any]


@dataclass(frozen=True)
class Row:
    read: tuple[str, ...] = ()  # roles that may GET
    write: tuple[str, ...] | None = None  # roles that may POST/PATCH/DELETE (default: ``read``)
    anon: str = LOGIN
    args: Callable[[W], dict[str, Any]] | None = None  # URL kwargs, from the world's objects
    data: Callable[[W], dict[str, Any]] | dict[str, Any] = field(default_factory=dict)
    query: str = ""  # query string for GET
    methods: tuple[str, ...] | None = None  # for function views, which the walk cannot read
    xfail: dict[str, str] = field(default_factory=dict)  # role -> why the app contradicts PRODUCT.md

    def allowed(self, role: str, method: str) -> bool:
        if self.anon == PUBLIC:
            return True
        if self.anon == SIGNED:
            return False
        roles = self.read if method == "get" else (self.write if self.write is not None else self.read)
        return role in roles


def pk(name: str) -> Callable[[W], dict[str, Any]]:
    return lambda w: {"pk": w[name].pk}


FUTURE = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
MONDAY = (timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())).isoformat()

MANAGE = (CMO, ADMIN)  # integrations: the team's leader and administrators
ENDPOINT = {"kind": "webhook", "name": "CRM", "url": "https://crm.example.com/in", "events": ["win.recorded"]}

LEARNING = {
    "title": "Shorter emails",
    "date": "2026-11-02",
    "hypothesis": "Short emails get replies.",
    "tried": "An A/B test.",
    "result": "confirmed",
    "lesson": "Keep them short.",
}

TABLE: dict[str, Row] = {
    # --- Core ------------------------------------------------------------------------------------
    "": Row(read=EVERYONE),
    "healthz/": Row(anon=PUBLIC, methods=("get",)),
    "search/": Row(read=EVERYONE, query="?q=northwind"),
    "accounts/login/": Row(anon=PUBLIC),
    "accounts/logout/": Row(anon=PUBLIC),
    "accounts/password_change/": Row(read=EVERYONE),
    "accounts/password_change/done/": Row(read=EVERYONE),
    "accounts/password_reset/": Row(anon=PUBLIC, data={"email": "nobody@example.com"}),
    "accounts/password_reset/done/": Row(anon=PUBLIC),
    "accounts/reset/<uidb64>/<token>/": Row(anon=PUBLIC, args=lambda w: {"uidb64": "MQ", "token": "x-y"}),
    "accounts/reset/done/": Row(anon=PUBLIC),
    # --- Personas --------------------------------------------------------------------------------
    "personas/": Row(read=EVERYONE),
    # Competitors: sales and the team's marketing read them (another team's get 404); PMMs write.
    # Launches (issue 15): the team's marketing works on them; sales read launches and their
    # enablement items (the datasheet here); other teams get 404.
    # Requests by email (issue 16): the log of what the request addresses received.
    "intake/": Row(read=(CMO, ADMIN)),
    "launches/": Row(read=EVERYONE),
    "launches/new/": Row(
        read=MARKETING,
        data=lambda w: {"product": w["product"].pk, "name": "Atlas 9", "launch_on": FUTURE, "tier": "2"},
    ),
    "launches/team-readiness/": Row(read=MARKETING),
    "launches/templates/": Row(read=MARKETING),
    "launches/templates/<int:pk>/": Row(
        read=MARKETING,
        args=pk("launch_template"),
        data={
            "name": "Tier 1",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-title": "Datasheet",
            "items-0-side": "team",
            "items-0-offset_days": "5",
        },
    ),
    "launches/<int:pk>/": Row(read=EVERYONE, args=pk("launch")),
    "launches/<int:pk>/edit/": Row(
        read=MARKETING, args=pk("launch"), data={"name": "Atlas 5b", "launch_on": FUTURE, "tier": "2"}
    ),
    "launches/<int:pk>/delete/": Row(write=MARKETING, args=pk("launch")),
    "launches/<int:pk>/items/new/": Row(
        read=MARKETING,
        args=pk("launch"),
        data={"title": "Press release", "side": "team", "offset_days": "3", "status": "not_started"},
    ),
    "launches/<int:pk>/asset-options/": Row(read=MARKETING, args=pk("launch"), query="?q=card"),
    "launches/<int:pk>/initiative-options/": Row(read=MARKETING, args=pk("launch"), query="?q=bat"),
    "launches/items/<int:pk>/": Row(
        read=MARKETING,
        args=pk("launch_item"),
        data={"title": "Datasheet", "side": "team", "offset_days": "5", "status": "in_progress"},
    ),
    "launches/items/<int:pk>/status/": Row(write=MARKETING, args=pk("launch_item"), data={"status": "done"}),
    "launches/items/<int:pk>/delete/": Row(write=MARKETING, args=pk("launch_item")),
    "competitors/": Row(read=EVERYONE),
    "competitors/new/": Row(read=PMM_ONLY, data={"name": "Globex", "tier": "primary"}),
    "competitors/options/": Row(read=EVERYONE, query="?q=north"),
    # From a request naming a competitor to its profile: whoever sees the request (PMs see none).
    "competitors/for-request/<int:pk>/": Row(read=(SALES, PMM, CMO, ADMIN), args=pk("req_new")),
    "competitors/<int:pk>/": Row(read=EVERYONE, args=pk("competitor")),
    "competitors/<int:pk>/edit/": Row(
        read=PMM_ONLY, args=pk("competitor"), data={"name": "Northwind", "tier": "primary"}
    ),
    "competitors/<int:pk>/asset-options/": Row(read=PMM_ONLY, args=pk("competitor"), query="?q=north"),
    "competitors/<int:pk>/interaction-options/": Row(read=PMM_ONLY, args=pk("competitor"), query="?q=glo"),
    "competitors/<int:pk>/reviewed/": Row(write=PMM_ONLY, args=pk("competitor")),
    # Battlecards: read like their competitor (sales included); the team's PMMs write them.
    "competitors/<int:pk>/battlecards/new/": Row(
        read=PMM_ONLY,
        args=pk("competitor"),
        data={
            "quick_dismiss": "Fast to start.",
            "objections-TOTAL_FORMS": "0",
            "objections-INITIAL_FORMS": "0",
        },
    ),
    "competitors/battlecards/<int:pk>/": Row(read=EVERYONE, args=pk("battlecard")),
    "competitors/battlecards/<int:pk>/edit/": Row(
        read=PMM_ONLY,
        args=pk("battlecard"),
        data={
            "quick_dismiss": "Slow to finish.",
            "objections-TOTAL_FORMS": "0",
            "objections-INITIAL_FORMS": "0",
        },
    ),
    "competitors/battlecards/<int:pk>/reviewed/": Row(write=PMM_ONLY, args=pk("battlecard")),
    # Win/loss reviews: the team's marketing reads (deal values: not sales); its PMMs write.
    "competitors/win-loss/": Row(read=MARKETING),
    "competitors/win-loss/new/": Row(
        read=PMM_ONLY, data={"account": "Acme", "outcome": "won", "decided_on": MONDAY}
    ),
    "competitors/win-loss/<int:pk>/": Row(read=MARKETING, args=pk("win_loss")),
    "competitors/win-loss/<int:pk>/edit/": Row(
        read=PMM_ONLY, args=pk("win_loss"), data={"account": "Acme", "outcome": "lost", "decided_on": MONDAY}
    ),
    # The team's reasons: kept by its PMMs and its CMO.
    "competitors/win-loss/interaction-options/": Row(read=PMM_ONLY, query="?q=glo"),
    "competitors/win-loss/reasons/": Row(read=PMM_CMO, data={"name": "Partner channel"}),
    "competitors/win-loss/reasons/<int:pk>/": Row(write=PMM_CMO, args=pk("reason"), data={"active": "false"}),
    # --- Diagnostic ---------------------------------------------------------------------------------
    # The responsibilities matrix: kept by the team's PMMs, PMs and CMO (sales: 403; other teams: 404).
    # The index: everyone; sales see only the rounds they were asked to answer.
    "diagnostics/": Row(read=EVERYONE),
    "diagnostics/responsibilities/": Row(
        read=MARKETING, data={"name": "Pricing and packaging", "area": "Value", "intended_owner": "pmm"}
    ),
    "diagnostics/responsibilities/<int:pk>/": Row(
        write=MARKETING, args=pk("responsibility"), data={"name": "Market problems"}
    ),
    "diagnostics/responsibilities/<int:pk>/move/": Row(
        write=MARKETING, args=pk("responsibility"), data={"direction": "down"}
    ),
    # Rounds: the team's CMO opens and closes them; its marketing sees them (the world's round asks the
    # PMM, the PM and the CMO); a salesperson who is not a participant gets 404.
    "diagnostics/rounds/new/": Row(
        read=(CMO, ADMIN),
        data=lambda w: {"title": "Q4", "participants": [w["pmm"].pk, w["pm"].pk], "team": w["team"].slug},
    ),
    "diagnostics/rounds/<int:pk>/": Row(read=MARKETING, args=pk("round_open")),
    # Answers are personal: only participants answer, an administrator who is not one included (403).
    "diagnostics/rounds/<int:pk>/answer/": Row(
        read=(PMM, PM, CMO),
        args=pk("round_open"),
        data=lambda w: {"item": w["round_open"].items.first().pk, "owner": "pm", "score": "3"},
    ),
    "diagnostics/rounds/<int:pk>/close/": Row(write=(CMO, ADMIN), args=pk("round_open")),
    # A buyer persona: PMMs keep those (PMs keep user personas; tests/personas covers both).
    # The body says which kind: a PM's post of a buyer persona is a form error (400), not a 403.
    "personas/new/": Row(
        read=PMM_ONLY, write=(PMM, PM, ADMIN), query="?kind=buyer", data={"kind": "buyer", "name": "New CFO"}
    ),
    "personas/<int:pk>/": Row(read=EVERYONE, args=pk("buyer")),
    # The persona picker's search (JSON): anyone who tags a request, an asset or an initiative.
    "personas/options/": Row(read=EVERYONE, query="?q=cfo"),
    "personas/<int:pk>/edit/": Row(read=PMM_ONLY, args=pk("buyer"), data={"name": "Renamed"}),
    "personas/<int:pk>/validate/": Row(write=PMM_ONLY, args=pk("buyer")),
    "personas/<int:pk>/retire/": Row(write=(PM, ADMIN), args=pk("user_persona")),
    "personas/<int:pk>/positioning/<int:product_id>/<str:side>/": Row(
        read=PMM_ONLY,
        args=lambda w: {"pk": w["buyer"].pk, "product_id": w["product"].pk, "side": "pmm"},
        data={"key_messages": "Audit in a day"},
    ),
    "personas/interactions/": Row(read=MARKETING),
    "personas/interactions/new/": Row(
        read=PMM_ONLY, data={"kind": "interview", "account": "Initech", "occurred_on": "2026-10-01"}
    ),
    "personas/interactions/<int:pk>/": Row(read=MARKETING, args=pk("interaction")),
    "personas/interactions/<int:pk>/edit/": Row(
        read=PMM_ONLY, args=pk("interaction"), data={"notes": "More"}
    ),
    "personas/interactions/<int:pk>/delete/": Row(write=PMM_ONLY, args=pk("interaction")),
    "personas/interactions/<int:pk>/quotes/": Row(
        write=PMM_ONLY, args=pk("interaction"), data={"quote-text": "They said something memorable."}
    ),
    "personas/interactions/<int:pk>/follow-ups/": Row(
        write=PMM_ONLY,
        args=pk("interaction"),
        data={"followup-description": "Call back", "followup-due_on": FUTURE},
    ),
    "personas/follow-ups/<int:pk>/toggle/": Row(write=PMM_ONLY, args=pk("follow_up")),
    # --- Initiatives -----------------------------------------------------------------------------
    "initiatives/": Row(read=MARKETING),
    "initiatives/team/": Row(read=MARKETING),
    "initiatives/timeline/": Row(read=MARKETING),
    "initiatives/all/": Row(read=MARKETING),
    "initiatives/new/": Row(
        read=PMM_ONLY,
        data={"title": "X", "goal": "Y", "start_date": "2026-11-01", "target_date": "2026-12-01"},
    ),
    "initiatives/<int:pk>/": Row(read=MARKETING, args=pk("initiative")),
    "initiatives/<int:pk>/edit/": Row(read=PMM_ONLY, args=pk("initiative"), data={"title": "Renamed"}),
    "initiatives/<int:pk>/focus/": Row(write=PMM_ONLY, args=pk("initiative"), data={"action": "add"}),
    "initiatives/<int:pk>/updates/": Row(
        write=PMM_ONLY, args=pk("initiative"), data={"status": "at_risk", "message": "Blocked"}
    ),
    "initiatives/<int:pk>/milestones/": Row(
        write=PMM_ONLY, args=pk("initiative"), data={"title": "Draft", "due_date": "2026-12-01"}
    ),
    "initiatives/<int:pk>/milestones/toggle/": Row(
        write=PMM_ONLY, args=pk("initiative"), data=lambda w: {"milestone": w["milestone"].pk}
    ),
    "initiatives/timesheet/": Row(read=PMM_ONLY, data={"week": MONDAY}),
    "initiatives/timesheet/copy/": Row(write=PMM_ONLY, data={"week": MONDAY}),
    "initiatives/review/": Row(read=PMM_ONLY),
    "initiatives/reviews/": Row(read=MARKETING),
    "initiatives/reviews/<int:pk>/": Row(
        read=MARKETING, write=PMM_ONLY, args=pk("review"), data={"action": "save", "learnings": "x"}
    ),
    "initiatives/reviews/<int:pk>/reopen/": Row(write=PMM_ONLY, args=pk("review"), data={"reason": "x"}),
    "initiatives/wins/": Row(read=MARKETING),
    "initiatives/wins/new/": Row(read=PMM_ONLY, data={"title": "Won", "impact": "Big", "date": "2026-11-01"}),
    # The win and initiative forms' pickers that search (JSON): the PMM's own initiatives, requests, personas.
    "initiatives/options/": Row(read=PMM_ONLY, query="?q=launch"),
    "initiatives/persona-options/": Row(read=PMM_ONLY, query="?q=cfo"),
    "initiatives/wins/request-options/": Row(read=PMM_ONLY, query="?q=deck"),
    # Promoted wins: everyone signed in reads the feed (sales included); only the win's owner promotes,
    # withdraws or sends it (the world's win is not promoted: withdraw and send say so and redirect).
    "initiatives/wins/feed/": Row(read=EVERYONE),
    "initiatives/wins/feed/mails/": Row(write=EVERYONE, data={"wanted": "off"}),
    # The promoted-win mail's one-click unsubscribe: signed in or not (the token says whose).
    "initiatives/wins/unsubscribe/<str:token>/": Row(anon=PUBLIC, args=lambda w: {"token": "not-a-token"}),
    "initiatives/wins/<int:pk>/promote/": Row(read=PMM_ONLY, args=pk("win"), data={"sales": "on"}),
    "initiatives/wins/<int:pk>/unpromote/": Row(write=PMM_ONLY, args=pk("win")),
    "initiatives/wins/<int:pk>/send/": Row(write=PMM_ONLY, args=pk("win")),
    # The learning log: the team and its leader read, its PMMs write their own; sales sees nothing.
    "initiatives/learnings/": Row(read=MARKETING),
    "initiatives/learnings/new/": Row(read=PMM_ONLY, data=lambda w: LEARNING),
    "initiatives/learnings/<int:pk>/": Row(read=MARKETING, args=pk("learning")),
    "initiatives/learnings/<int:pk>/edit/": Row(read=PMM_ONLY, args=pk("learning"), data=lambda w: LEARNING),
    # --- Requests --------------------------------------------------------------------------------
    "requests/": Row(read=PMM_CMO),
    # The queue's saved views: PMMs and the CMO save and delete their own; the sidebar's list is
    # loaded by every page (empty for sales).
    "requests/views/": Row(write=PMM_CMO, data={"name": "New this week", "query": "status=new"}),
    "requests/views/nav/": Row(read=EVERYONE),
    "requests/views/<int:pk>/delete/": Row(write=PMM_CMO, args=lambda w: {"pk": 1}),
    # One step for many ticked requests (bulk triage): PMMs and the CMO, as triage.
    "requests/bulk/": Row(
        write=PMM_CMO,
        data=lambda w: {"bulk-ids": [w["req_new"].pk], "bulk-action": "snooze", "bulk-until": FUTURE},
    ),
    # Taking a bulk step back: whoever made it (the tokens say who; a forged one changes nothing).
    "requests/bulk/undo/": Row(write=PMM_CMO, data={"undo": "1:none"}),
    "requests/new/": Row(
        read=(SALES, ADMIN),
        data=lambda w: {"type": "slides", "title": "Deck", "product": w["product"].pk, "needed_by": FUTURE},
    ),
    "requests/new/suggestions/": Row(read=(SALES, ADMIN), query="?title=northwind"),
    "requests/new/answered/": Row(write=(SALES, ADMIN), data=lambda w: {"asset": w["asset"].pk}),
    "requests/mine/": Row(read=(SALES, ADMIN)),
    "requests/notifications/read/": Row(write=EVERYONE),
    # Everyone's own inbox; a notification opens for its recipient only (404 for anyone else).
    # Notification preferences: everyone's own; the unsubscribe link works signed in or not (its token
    # says whose mail it stops; a bad token is a 400 page).
    "inbox/preferences/": Row(read=EVERYONE, data={"hour": "8"}),
    "inbox/unsubscribe/<str:token>/": Row(anon=PUBLIC, args=lambda w: {"token": "not-a-token"}),
    "inbox/": Row(read=EVERYONE),
    "inbox/bell/": Row(read=EVERYONE),
    "inbox/read/": Row(write=EVERYONE),
    "inbox/<int:pk>/": Row(read=(SALES,), args=pk("note_sales")),
    # What reps ask about a persona (its page's fragment): marketing's team-wide view, not sales' or PMs'.
    "requests/about-persona/<int:persona_pk>/": Row(
        read=PMM_CMO, args=lambda w: {"persona_pk": w["buyer"].pk}
    ),
    "requests/<int:pk>/": Row(read=(SALES, PMM, CMO, ADMIN), args=pk("req_new")),
    "requests/<int:pk>/triage/": Row(
        write=PMM_CMO,
        args=pk("req_new"),
        data={"reusability": "4", "educational_value": "2", "effort_hours": "3"},
    ),
    "requests/<int:pk>/decide/": Row(
        write=PMM_CMO, args=pk("req_new"), data={"decision": "snooze", "snoozed_until": FUTURE}
    ),
    # One click on a likely duplicate (triage): PMMs and the CMO of the team.
    "requests/<int:pk>/duplicate/": Row(
        write=PMM_CMO, args=pk("req_new"), data=lambda w: {"original": w["req_triaged"].pk}
    ),
    "requests/<int:pk>/claim/": Row(write=PMM_ONLY, args=pk("req_new")),
    "requests/<int:pk>/start/": Row(write=PMM_ONLY, args=pk("req_triaged")),
    # Take back a step just taken on a queue row: PMMs (a token of theirs says which step).
    "requests/<int:pk>/undo/": Row(write=PMM_ONLY, args=pk("req_new"), data={"token": "none"}),
    # The queue's decide dialog for a row: PMMs of the team (the CMO decides on the request's page).
    "requests/<int:pk>/decide-in-queue/": Row(read=PMM_ONLY, args=pk("req_new")),
    # The triage form's duplicate-of picker (JSON): whoever triages the request.
    "requests/<int:pk>/duplicate-options/": Row(read=PMM_CMO, args=pk("req_new"), query="?q=deck"),
    # Claim and start in one step (scored on the way): PMMs of the team only.
    "requests/<int:pk>/take-on/": Row(
        write=PMM_ONLY,
        args=pk("req_new"),
        data={"reusability": "4", "educational_value": "2", "effort_hours": "3"},
    ),
    "requests/<int:pk>/log-time/": Row(
        write=PMM_ONLY, args=pk("req_in_progress"), data={"week_start": MONDAY, "hours": "2"}
    ),
    "requests/<int:pk>/deliver/": Row(
        write=PMM_ONLY, args=pk("req_in_progress"), data={"link": "https://drive.example.com/answer"}
    ),
    "requests/<int:pk>/comment/": Row(
        write=(SALES, PMM, CMO, ADMIN), args=pk("req_new"), data={"body": "Any update?"}
    ),
    "requests/<int:pk>/cancel/": Row(write=(SALES, ADMIN), args=pk("req_new")),
    "requests/<int:pk>/rate/": Row(write=(SALES, ADMIN), args=pk("req_delivered"), data={"rating": "5"}),
    # "Me too" on an open request another rep asked (sales follow any open request, of any team).
    "requests/<int:pk>/me-too/": Row(
        write=(SALES, ADMIN), args=pk("req_of_another_rep"), data={"account": "Initech", "needed_by": FUTURE}
    ),
    "requests/sla/": Row(read=(CMO, ADMIN), data=lambda w: {"team": w["team"].pk}),
    "requests/assets/": Row(read=EVERYONE),
    "requests/assets/new/": Row(
        read=PMM_CMO,
        data={
            "title": "Pricing FAQ",
            "kind": "pricing",
            "link": "https://drive.example.com/faq",
            "review_by": FUTURE,
        },
    ),
    "requests/assets/<int:pk>/": Row(read=EVERYONE, args=pk("asset")),
    "requests/assets/<int:pk>/reviewed/": Row(write=PMM_CMO, args=pk("asset")),
    # The governed library (issue 14): the owning team's PMMs and CMO edit, version and retire.
    "requests/assets/product-options/": Row(read=PMM_CMO, query="?q=a"),
    "requests/assets/<int:pk>/edit/": Row(
        read=PMM_CMO,
        args=pk("asset"),
        data={"title": "Northwind battlecard v2", "kind": "battlecard", "review_by": FUTURE},
    ),
    "requests/assets/<int:pk>/versions/": Row(
        write=PMM_CMO, args=pk("asset"), data={"link": "https://drive.example.com/card-v2"}
    ),
    "requests/assets/<int:pk>/retire/": Row(write=PMM_CMO, args=pk("asset"), data={"reason": "Outdated."}),
    "requests/assets/<int:pk>/unretire/": Row(write=PMM_CMO, args=pk("asset_retired")),
    "requests/assets/<int:pk>/replacement-options/": Row(read=PMM_CMO, args=pk("asset"), query="?q=a"),
    "requests/assets/<int:pk>/versions/<int:number>/download/": Row(
        read=EVERYONE,
        args=lambda w: {"pk": w["asset_version"].asset_id, "number": w["asset_version"].number},
    ),
    # Files (issue 12): attachments to those who see the deal, the delivered file to those who see
    # the request, an asset's file to everyone signed in (tests/requests_queue/test_files.py).
    "requests/<int:pk>/attachments/<int:attachment_pk>/download/": Row(
        read=(SALES, PMM, CMO, ADMIN),
        args=lambda w: {"pk": w["req_with_files"].pk, "attachment_pk": w["attachment"].pk},
    ),
    "requests/<int:pk>/delivery/download/": Row(read=(SALES, PMM, CMO, ADMIN), args=pk("req_with_files")),
    "requests/assets/<int:pk>/download/": Row(read=EVERYONE, args=pk("asset_with_file")),
    # --- Reporting -------------------------------------------------------------------------------
    "reporting/": Row(read=PMM_CMO),
    "reporting/export/<slug:table>.csv": Row(read=PMM_CMO, args=lambda w: {"table": "people"}),
    "reporting/reports/": Row(read=PMM_CMO, data=lambda w: {"team": w["team"].pk, "month": "2026-09"}),
    "reporting/reports/<int:pk>/": Row(read=PMM_CMO, args=pk("report")),
    "reporting/reports/<int:pk>/live/": Row(read=PMM_CMO, args=pk("report")),
    "reporting/reports/<int:pk>/regenerate/": Row(write=PMM_CMO, args=pk("report")),
    "reporting/reports/<int:pk>/summary/": Row(
        write=(CMO, ADMIN), args=pk("report"), data={"summary": "A strong month."}
    ),
    "reporting/reports/<int:pk>/report.pdf": Row(read=PMM_CMO, args=pk("report")),
    "reporting/reports/<int:pk>/report.csv": Row(read=PMM_CMO, args=pk("report")),
    "reporting/reports/<int:pk>/report.xlsx": Row(read=PMM_CMO, args=pk("report")),
    "reporting/reports/<int:pk>/csv/<slug:table>/": Row(
        read=PMM_CMO, args=lambda w: {"pk": w["report"].pk, "table": "people"}
    ),
    "reporting/reports/<int:pk>/send/": Row(
        write=(PMM, CMO, ADMIN),
        args=pk("report"),
        data={"emails": "board@example.com", "attach_pdf": "link"},
    ),
    # Imports (issue 16): whoever may create a kind imports it (PMMs, PMs, CMOs: some kind each);
    # a batch is seen by its author, its team's leader and administrators; only its author changes it.
    "imports/": Row(read=MARKETING),
    "imports/new/": Row(
        read=MARKETING,
        data=lambda w: {"kind": "competitors", "team": "core-platform", "file": _import_file()},
    ),
    "imports/templates/<slug:kind>/": Row(read=MARKETING, args=lambda w: {"kind": "competitors"}),
    "imports/<int:pk>/": Row(read=PMM_CMO, write=PMM_ONLY, args=pk("import_batch")),
    "imports/<int:pk>/preview/": Row(read=PMM_ONLY, args=pk("import_batch")),
    "imports/<int:pk>/import/": Row(write=PMM_ONLY, args=pk("import_batch")),
    "imports/<int:pk>/undo/": Row(write=PMM_ONLY, args=pk("import_batch")),
    # --- Audit log (issue 16): administrators and CMOs (their teams' changes) ------------------
    "audit/": Row(read=(CMO, ADMIN)),
    "audit/export.csv": Row(read=(CMO, ADMIN)),
    # --- Single sign-on (issue 16) ----------------------------------------------------------------
    # To the OpenID Connect provider and back. Signed-in people are sent on to the portal (200 after
    # the redirect); anonymous visitors go to the provider when it is set up, otherwise (as here)
    # back to the sign-in page with a message, as a callback without a valid code does.
    "sso/login/": Row(read=EVERYONE),
    "sso/callback/": Row(read=EVERYONE),
    # SCIM 2.0: the identity provider's bearer token (SCIM_TOKEN) is the only way in, like a signed
    # call; a session, signed in or not, gets 401 before the body is read (tests/sso/test_scim.py).
    "scim/v2/Users": Row(anon=SIGNED, data={"userName": "intruder@example.com"}),
    "scim/v2/Users/<str:user_id>": Row(
        anon=SIGNED, args=lambda w: {"user_id": w["sales"].pk}, data={"userName": "renamed"}
    ),
    "scim/v2/ServiceProviderConfig": Row(anon=SIGNED),
    "scim/v2/ResourceTypes": Row(anon=SIGNED),
    "scim/v2/Schemas": Row(anon=SIGNED),
    # --- API -------------------------------------------------------------------------------------
    "api/v1/": Row(read=EVERYONE, anon=API),
    # The OpenAPI schema and its docs describe the API, not its data: open to everyone.
    "api/schema/": Row(anon=PUBLIC),
    "api/docs/": Row(anon=PUBLIC),
    "api/v1/dashboard/": Row(read=PMM_CMO, anon=API),
    "api/v1/me/": Row(read=EVERYONE, anon=API),
    "api/v1/search/": Row(read=EVERYONE, anon=API, query="?q=northwind"),
    "api/v1/auth/token/": Row(anon=PUBLIC, data={"username": "nobody", "password": "wrong"}),
    "api/v1/^teams/$": Row(read=EVERYONE, anon=API),
    # Sales are on no marketing team: the team does not exist for them (404).
    "api/v1/^teams/(?P<pk>[-a-zA-Z0-9_]+)/$": Row(read=MARKETING, anon=API, args=pk("team")),
    "api/v1/^products/$": Row(read=EVERYONE, anon=API),
    "api/v1/^products/(?P<pk>[-a-zA-Z0-9_]+)/$": Row(read=EVERYONE, anon=API, args=pk("product")),
    "api/v1/^personas/$": Row(
        read=EVERYONE,
        write=PMM_ONLY,
        anon=API,
        data=lambda w: {"name": "New CFO", "kind": "buyer", "team": w["team"].pk},
    ),
    "api/v1/^personas/(?P<pk>[0-9]+)/$": Row(
        read=EVERYONE, write=PMM_ONLY, anon=API, args=pk("buyer"), data={"summary": "Updated"}
    ),
    # Edit history is the team's (PRODUCT.md): sales, outside every team, get 404.
    "api/v1/^personas/(?P<pk>[0-9]+)/history/$": Row(read=MARKETING, anon=API, args=pk("buyer")),
    "api/v1/^personas/(?P<pk>[0-9]+)/positioning/$": Row(
        write=PMM_ONLY,
        anon=API,
        args=pk("buyer"),
        data=lambda w: {"product": w["product"].pk, "side": "pmm", "key_messages": "Audit in a day"},
    ),
    "api/v1/^personas/(?P<pk>[0-9]+)/retire/$": Row(write=(PM, ADMIN), anon=API, args=pk("user_persona")),
    "api/v1/^personas/(?P<pk>[0-9]+)/validate/$": Row(write=PMM_ONLY, anon=API, args=pk("buyer")),
    "api/v1/^interactions/$": Row(
        read=MARKETING,
        write=PMM_ONLY,
        anon=API,
        data=lambda w: {"kind": "interview", "account": "Initech", "team": w["team"].pk},
    ),
    "api/v1/^interactions/(?P<pk>[0-9]+)/$": Row(
        read=MARKETING, write=PMM_ONLY, anon=API, args=pk("interaction"), data={"notes": "More"}
    ),
    "api/v1/^interactions/(?P<pk>[0-9]+)/follow-ups/(?P<follow_up_id>[0-9]+)/done/$": Row(
        write=PMM_ONLY,
        anon=API,
        args=lambda w: {"pk": w["interaction"].pk, "follow_up_id": w["follow_up"].pk},
        data={"done": True},
    ),
    "api/v1/^initiatives/$": Row(
        read=MARKETING,
        write=PMM_ONLY,
        anon=API,
        data={"title": "X", "goal": "Y", "start_date": "2026-11-01", "target_date": "2026-12-01"},
    ),
    "api/v1/^initiatives/(?P<pk>[0-9]+)/$": Row(
        read=MARKETING, write=PMM_ONLY, anon=API, args=pk("initiative"), data={"title": "Sharper"}
    ),
    "api/v1/^initiatives/(?P<pk>[0-9]+)/focus/$": Row(write=PMM_ONLY, anon=API, args=pk("initiative")),
    "api/v1/^initiatives/(?P<pk>[0-9]+)/unfocus/$": Row(write=PMM_ONLY, anon=API, args=pk("initiative")),
    # A PMM logs and changes their own time (the world's entry is pmm's); the team's leader reads it,
    # since a team's time is seen by "that team and its leader" (PRODUCT.md); admin does everything.
    "api/v1/^time-entries/$": Row(
        read=(PMM, CMO, ADMIN),
        write=PMM_ONLY,
        anon=API,
        data={"week_start": MONDAY, "category": "other", "hours": "2"},
    ),
    "api/v1/^time-entries/(?P<pk>[0-9]+)/$": Row(
        read=(PMM, CMO, ADMIN),
        write=PMM_ONLY,
        anon=API,
        args=pk("entry"),
        data={"hours": "5"},
    ),
    "api/v1/^wins/$": Row(
        read=MARKETING,
        write=PMM_ONLY,
        anon=API,
        data={"title": "X", "impact": "Y", "date": "2026-11-01"},
    ),
    "api/v1/^wins/(?P<pk>[0-9]+)/$": Row(
        read=MARKETING, write=PMM_ONLY, anon=API, args=pk("win"), data={"title": "Won Globex"}
    ),
    "api/v1/^wins/feed/$": Row(read=EVERYONE, anon=API),
    # Each reader's own switch of promoted wins by email (the feed's), sales included.
    "api/v1/^wins/mails/$": Row(read=EVERYONE, anon=API, data={"wanted": False}),
    "api/v1/^wins/(?P<pk>[0-9]+)/promote/$": Row(
        write=PMM_ONLY, anon=API, args=pk("win"), data={"sales": True}
    ),
    # The world's win is not promoted: its owner gets 400 (nothing to withdraw or send), others 403/404.
    "api/v1/^wins/(?P<pk>[0-9]+)/unpromote/$": Row(write=PMM_ONLY, anon=API, args=pk("win")),
    "api/v1/^wins/(?P<pk>[0-9]+)/send/$": Row(write=PMM_ONLY, anon=API, args=pk("win")),
    "api/v1/^learnings/$": Row(read=MARKETING, write=PMM_ONLY, anon=API, data=lambda w: LEARNING),
    "api/v1/^learnings/(?P<pk>[0-9]+)/$": Row(
        read=MARKETING, write=PMM_ONLY, anon=API, args=pk("learning"), data={"lesson": "Call instead."}
    ),
    "api/v1/^reports/$": Row(read=PMM_CMO, anon=API),
    "api/v1/^audit/$": Row(read=(CMO, ADMIN), anon=API),
    "api/v1/^reports/(?P<pk>[0-9]+)/$": Row(read=PMM_CMO, anon=API, args=pk("report")),
    "api/v1/^reports/(?P<pk>[0-9]+)/regenerate/$": Row(write=PMM_CMO, anon=API, args=pk("report")),
    "api/v1/^requests/$": Row(
        read=(SALES, PMM, CMO, ADMIN),
        write=(SALES, ADMIN),
        anon=API,
        data=lambda w: {"type": "slides", "title": "Deck", "product": w["product"].pk, "needed_by": FUTURE},
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/$": Row(read=(SALES, PMM, CMO, ADMIN), anon=API, args=pk("req_new")),
    "api/v1/^requests/suggestions/$": Row(read=(SALES, ADMIN), anon=API, query="?title=northwind"),
    "api/v1/^requests/(?P<pk>[0-9]+)/likely-duplicates/$": Row(read=PMM_CMO, anon=API, args=pk("req_new")),
    "api/v1/^requests/(?P<pk>[0-9]+)/accept/$": Row(
        write=PMM_CMO,
        anon=API,
        args=pk("req_new"),
        data=lambda w: {"assignee": w["pmm"].pk, "due_date": FUTURE},
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/cancel/$": Row(write=(SALES, ADMIN), anon=API, args=pk("req_new")),
    "api/v1/^requests/(?P<pk>[0-9]+)/claim/$": Row(write=PMM_ONLY, anon=API, args=pk("req_new")),
    "api/v1/^requests/(?P<pk>[0-9]+)/comment/$": Row(
        write=(SALES, PMM, CMO, ADMIN), anon=API, args=pk("req_new"), data={"body": "Any news?"}
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/decline/$": Row(
        write=PMM_CMO, anon=API, args=pk("req_new"), data={"alternative": "Use the deck."}
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/deliver/$": Row(
        write=PMM_ONLY, anon=API, args=pk("req_in_progress"), data={"link": "https://drive.example.com/a"}
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/log-time/$": Row(
        write=PMM_ONLY, anon=API, args=pk("req_in_progress"), data={"week_start": MONDAY, "hours": "1.5"}
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/mark-duplicate/$": Row(
        write=PMM_CMO,
        anon=API,
        args=pk("req_new"),
        data=lambda w: {"duplicate_of": w["req_triaged"].pk},
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/mark-reused/$": Row(
        write=PMM_CMO, anon=API, args=pk("req_new"), data=lambda w: {"asset": w["asset"].pk}
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/me-too/$": Row(
        write=(SALES, ADMIN),
        anon=API,
        args=pk("req_of_another_rep"),
        data={"account": "Initech", "opportunity_value": "40000", "needed_by": FUTURE},
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/rate/$": Row(
        write=(SALES, ADMIN), anon=API, args=pk("req_delivered"), data={"rating": 4}
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/snooze/$": Row(
        write=PMM_CMO, anon=API, args=pk("req_new"), data={"until": FUTURE}
    ),
    "api/v1/^requests/(?P<pk>[0-9]+)/start/$": Row(write=PMM_ONLY, anon=API, args=pk("req_triaged")),
    "api/v1/^requests/(?P<pk>[0-9]+)/triage/$": Row(
        write=PMM_CMO,
        anon=API,
        args=pk("req_new"),
        data={"reusability": 4, "educational_value": 2, "effort_hours": "3"},
    ),
    "api/v1/^assets/$": Row(
        read=EVERYONE,
        write=PMM_CMO,
        anon=API,
        data={
            "title": "Pricing FAQ",
            "kind": "pricing",
            "link": "https://drive.example.com/faq",
            "review_by": FUTURE,
        },
    ),
    # The governed library's API: the owning team's PMMs and CMO retire and version; everyone reads.
    "api/v1/^assets/(?P<pk>[0-9]+)/retire/$": Row(
        write=PMM_CMO, anon=API, args=pk("asset"), data={"reason": "Outdated."}
    ),
    "api/v1/^assets/(?P<pk>[0-9]+)/unretire/$": Row(write=PMM_CMO, anon=API, args=pk("asset_retired")),
    "api/v1/^assets/(?P<pk>[0-9]+)/versions/$": Row(read=EVERYONE, anon=API, args=pk("asset")),
    "api/v1/^assets/(?P<pk>[0-9]+)/versions/upload/$": Row(
        write=PMM_CMO, anon=API, args=pk("asset"), data={"link": "https://drive.example.com/card-v2"}
    ),
    # A complete API (issue 16): what the pages change, with their rules.
    "api/v1/^assets/(?P<pk>[0-9]+)/reviewed/$": Row(write=PMM_CMO, anon=API, args=pk("asset")),
    "api/v1/^initiatives/(?P<pk>[0-9]+)/milestones/$": Row(
        write=PMM_ONLY, anon=API, args=pk("initiative"), data={"title": "Draft", "due_date": FUTURE}
    ),
    "api/v1/^initiatives/(?P<pk>[0-9]+)/milestones/(?P<milestone_id>[0-9]+)/done/$": Row(
        write=PMM_ONLY,
        anon=API,
        args=lambda w: {"pk": w["initiative"].pk, "milestone_id": w["milestone"].pk},
        data={"done": True},
    ),
    "api/v1/^initiatives/(?P<pk>[0-9]+)/status-updates/$": Row(
        read=MARKETING,
        write=PMM_ONLY,
        anon=API,
        args=pk("initiative"),
        data={"status": "at_risk", "message": "Legal review slips a week."},
    ),
    "api/v1/^reviews/$": Row(read=MARKETING, write=PMM_ONLY, anon=API, data={"month": "2026-10-01"}),
    "api/v1/^reviews/(?P<pk>[0-9]+)/$": Row(
        read=MARKETING, write=PMM_ONLY, anon=API, args=pk("review"), data={"learnings": "Shorter decks."}
    ),
    "api/v1/^reviews/(?P<pk>[0-9]+)/submit/$": Row(
        write=PMM_ONLY, anon=API, args=pk("review"), data={"next_top": []}
    ),
    # The world's review is open: its owner gets 400 (nothing to reopen), others 403/404.
    "api/v1/^reviews/(?P<pk>[0-9]+)/reopen/$": Row(
        write=PMM_ONLY, anon=API, args=pk("review"), data={"reason": "A win came in late."}
    ),
    # Everyone's own inbox: another person's notification does not exist for them (404).
    "api/v1/^notifications/$": Row(read=EVERYONE, anon=API),
    "api/v1/^notifications/(?P<pk>[0-9]+)/$": Row(read=(SALES,), anon=API, args=pk("note_sales")),
    "api/v1/^notifications/(?P<pk>[0-9]+)/read/$": Row(write=(SALES,), anon=API, args=pk("note_sales")),
    "api/v1/^notifications/read-all/$": Row(write=EVERYONE, anon=API),
    "api/v1/me/notification-preferences/": Row(read=EVERYONE, anon=API, data={"hour": 9}),
    # Saved views: PMMs and CMOs; the team reads a shared one, only who saved it deletes it.
    "api/v1/^saved-views/$": Row(
        read=PMM_CMO, anon=API, data={"name": "New this week", "query": "status=new"}
    ),
    "api/v1/^saved-views/(?P<pk>[0-9]+)/$": Row(read=PMM_CMO, write=(PMM,), anon=API, args=pk("saved_view")),
    # Service levels: the team's leader (and administrators) set them.
    "api/v1/^sla-targets/$": Row(read=(CMO, ADMIN), anon=API),
    "api/v1/^sla-targets/(?P<pk>[0-9]+)/$": Row(
        read=(CMO, ADMIN),
        anon=API,
        args=lambda w: {"pk": w["team"].pk},
        data={"targets": [{"type": "slides", "acknowledge_days": 2, "deliver_days": 6}]},
    ),
    "api/v1/^launches/$": Row(
        read=EVERYONE,
        write=MARKETING,
        anon=API,
        data=lambda w: {"product": w["product"].pk, "name": "Atlas 9", "launch_on": FUTURE, "tier": 2},
    ),
    "api/v1/^launches/from-template/$": Row(
        write=MARKETING,
        anon=API,
        data=lambda w: {"product": w["product"].pk, "name": "Atlas 9", "launch_on": FUTURE, "tier": 2},
    ),
    "api/v1/^launches/(?P<pk>[0-9]+)/$": Row(
        read=EVERYONE, write=MARKETING, anon=API, args=pk("launch"), data={"name": "Atlas 5b"}
    ),
    "api/v1/^launch-items/$": Row(read=EVERYONE, anon=API),
    "api/v1/^launch-items/(?P<pk>[0-9]+)/$": Row(
        read=EVERYONE, write=MARKETING, anon=API, args=pk("launch_item"), data={"status": "done"}
    ),
    "api/v1/^launch-templates/$": Row(
        read=MARKETING,
        anon=API,
        data={
            "tier": 1,
            "name": "Tier 1",
            "items": [{"title": "Datasheet", "side": "team", "offset_days": 5}],
        },
    ),
    "api/v1/^launch-templates/(?P<pk>[0-9]+)/$": Row(
        read=MARKETING, anon=API, args=pk("launch_template"), data={"name": "Tier 1, revised"}
    ),
    # The API takes the file as multipart only; these JSON posts answer 415 to those allowed.
    "api/v1/^imports/$": Row(
        read=MARKETING,
        write=MARKETING,
        anon=API,
        data={"kind": "assets", "team": "core-platform", "dry_run": True},
    ),
    "api/v1/^imports/(?P<pk>[0-9]+)/$": Row(read=PMM_CMO, anon=API, args=pk("import_batch")),
    "api/v1/^imports/(?P<pk>[0-9]+)/undo/$": Row(write=PMM_ONLY, anon=API, args=pk("import_batch")),
    "api/v1/^competitors/$": Row(read=EVERYONE, write=PMM_ONLY, anon=API, data={"name": "Globex"}),
    "api/v1/^competitors/(?P<pk>[0-9]+)/$": Row(
        read=EVERYONE, write=PMM_ONLY, anon=API, args=pk("competitor"), data={"tier": "primary"}
    ),
    "api/v1/^battlecards/$": Row(
        read=EVERYONE,
        write=PMM_ONLY,
        anon=API,
        data=lambda w: {"competitor": w["competitor"].pk, "persona": w["buyer"].pk, "quick_dismiss": "Slow."},
    ),
    "api/v1/^battlecards/(?P<pk>[0-9]+)/$": Row(
        read=EVERYONE, write=PMM_ONLY, anon=API, args=pk("battlecard"), data={"landmines": "Ask about SSO."}
    ),
    "api/v1/^win-loss-reviews/$": Row(
        read=MARKETING,
        write=PMM_ONLY,
        anon=API,
        data={"account": "Acme", "outcome": "won", "decided_on": MONDAY},
    ),
    "api/v1/^win-loss-reviews/(?P<pk>[0-9]+)/$": Row(
        read=MARKETING, write=PMM_ONLY, anon=API, args=pk("win_loss"), data={"notes": "Asked twice."}
    ),
    "api/v1/^loss-reasons/$": Row(read=MARKETING, anon=API),
    "api/v1/^responsibilities/$": Row(
        read=MARKETING, anon=API, data={"name": "Pricing", "area": "Value", "intended_owner": "pmm"}
    ),
    "api/v1/^responsibilities/(?P<pk>[0-9]+)/$": Row(
        read=MARKETING, anon=API, args=pk("responsibility"), data={"name": "Market problems"}
    ),
    # Sales list only the rounds they were asked to answer (none here).
    "api/v1/^diagnostics/$": Row(
        read=EVERYONE,
        write=(CMO, ADMIN),
        anon=API,
        data=lambda w: {"title": "Q4", "participants": [w["pmm"].pk, w["pm"].pk], "team": w["team"].pk},
    ),
    "api/v1/^diagnostics/(?P<pk>[0-9]+)/$": Row(read=MARKETING, anon=API, args=pk("round_open")),
    "api/v1/^diagnostics/(?P<pk>[0-9]+)/close/$": Row(write=(CMO, ADMIN), anon=API, args=pk("round_open")),
    "api/v1/^diagnostics/(?P<pk>[0-9]+)/answers/$": Row(
        read=(PMM, PM, CMO),
        anon=API,
        args=pk("round_open"),
        data=lambda w: {"item": w["round_open"].items.first().pk, "owner": "pm", "score": 3},
    ),
    "api/v1/^diagnostics/(?P<pk>[0-9]+)/results/$": Row(read=MARKETING, anon=API, args=pk("round_closed")),
    "api/v1/^assets/(?P<pk>[0-9]+)/$": Row(
        read=EVERYONE, write=PMM_CMO, anon=API, args=pk("asset"), data={"title": "Northwind card"}
    ),
    # --- Integrations (issue 16): administrators and the team's CMO manage its webhooks and channels;
    # Slack's calls carry Slack's signature, without which everyone (signed in or not) gets 401.
    "integrations/": Row(read=MANAGE),
    "integrations/new/": Row(read=MANAGE, data=lambda w: {**ENDPOINT, "team": w["team"].pk}),
    "integrations/deliveries/": Row(read=MANAGE),
    "integrations/deliveries/<int:pk>/": Row(read=MANAGE, args=pk("delivery")),
    "integrations/deliveries/<int:pk>/resend/": Row(write=MANAGE, args=pk("delivery")),
    # One's own Slack or Teams address (their notifications): everyone, always their own.
    "integrations/me/": Row(
        read=EVERYONE,
        data={"action": "save", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/x"},
    ),
    "integrations/slack/commands/": Row(anon=SIGNED, data={"command": "/pmm-request", "text": "Deck"}),
    "integrations/slack/actions/": Row(anon=SIGNED, data={"payload": "{}"}),
    "integrations/<int:pk>/": Row(read=MANAGE, args=pk("endpoint")),
    "integrations/<int:pk>/edit/": Row(
        read=MANAGE, args=pk("endpoint"), data=lambda w: {**ENDPOINT, "team": w["team"].pk}
    ),
    "integrations/<int:pk>/pause/": Row(write=MANAGE, args=pk("endpoint")),
    "integrations/<int:pk>/resume/": Row(write=MANAGE, args=pk("endpoint")),
    "integrations/<int:pk>/ping/": Row(write=MANAGE, args=pk("endpoint")),
    "integrations/<int:pk>/rotate-secret/": Row(write=MANAGE, args=pk("endpoint")),
    "integrations/<int:pk>/delete/": Row(write=MANAGE, args=pk("endpoint")),
    "api/v1/^integrations/$": Row(read=MANAGE, anon=API, data=lambda w: {**ENDPOINT, "team": w["team"].pk}),
    "api/v1/^integrations/(?P<pk>[0-9]+)/$": Row(
        read=MANAGE, anon=API, args=pk("endpoint"), data={"name": "CRM sync"}
    ),
    "api/v1/^integrations/(?P<pk>[0-9]+)/pause/$": Row(write=MANAGE, anon=API, args=pk("endpoint")),
    "api/v1/^integrations/(?P<pk>[0-9]+)/resume/$": Row(write=MANAGE, anon=API, args=pk("endpoint")),
    "api/v1/^integrations/(?P<pk>[0-9]+)/ping/$": Row(write=MANAGE, anon=API, args=pk("endpoint")),
    "api/v1/^integration-deliveries/$": Row(read=MANAGE, anon=API),
    "api/v1/^integration-deliveries/(?P<pk>[0-9]+)/$": Row(read=MANAGE, anon=API, args=pk("delivery")),
    "api/v1/^integration-deliveries/(?P<pk>[0-9]+)/resend/$": Row(
        write=MANAGE, anon=API, args=pk("delivery")
    ),
}

ROUTES = {route.key: route for route in routing.all_routes()}


def test_every_route_has_a_row():
    missing = sorted(set(ROUTES) - set(TABLE))
    stale = sorted(set(TABLE) - set(ROUTES))
    assert not missing, f"Routes without a row in TABLE (say who may use them): {missing}"
    assert not stale, f"Rows in TABLE for routes that no longer exist: {stale}"


def test_every_route_answers_some_method():
    silent = [key for key, route in ROUTES.items() if not (TABLE.get(key, Row()).methods or route.methods)]
    assert not silent, f"Give these function views ``methods=`` in their row: {silent}"


def _cases():
    for key in ROUTES:
        row = TABLE.get(key)
        for role in (*ROLES, ANON):
            marks = []
            if row is not None and role in row.xfail:
                marks.append(pytest.mark.xfail(strict=True, reason=row.xfail[role]))
            yield pytest.param(key, role, marks=marks, id=f"{key}-{role}")


class World(dict):
    """One object of every kind, all of the shared cast's team, each built the first time a row asks.

    Building only what a route's row uses keeps the ~700 cases fast.
    """

    def __init__(self, cast: dict[str, Any], team, product) -> None:
        super().__init__(cast, team=team, product=product)

    def __missing__(self, name: str) -> Any:
        value = self[name] = getattr(self, f"_{name}")()
        return value

    def _request(self, status: str, **fields: Any):
        scored = {"reusability": 3, "educational_value": 3, "effort_hours": Decimal(4)}
        if status != RequestStatus.NEW:
            fields = {"assignee": self["pmm"], **scored, **fields}
        return RequestFactory(
            requester=self["sales"], product=self["product"], team=self["team"], status=status, **fields
        )

    def _buyer(self):
        # Validated: the company's shared knowledge, which everyone signed in reads (PRODUCT.md).
        buyer = PersonaFactory(
            name="Security-minded CIO",
            kind="buyer",
            team=self["team"],
            owner=self["pmm"],
            products=[self["product"]],
            status="validated",
            last_validated_at=timezone.now(),
        )
        PositioningFactory(persona=buyer, product=self["product"])
        return buyer

    def _user_persona(self):
        return PersonaFactory(
            name="Release engineer",
            kind="user",
            team=self["team"],
            owner=self["pm"],
            products=[self["product"]],
        )

    def _competitor(self):
        from competitive.services import competitor_create

        return competitor_create(actor=self["pmm"], team=self["team"], name="Northwind")

    def _battlecard(self):
        from competitive.services import battlecard_create

        return battlecard_create(
            actor=self["pmm"], competitor=self["competitor"], quick_dismiss="Slow to finish."
        )

    def _win_loss(self):
        from competitive.services import review_create

        return review_create(
            actor=self["pmm"],
            team=self["team"],
            account="Initech",
            outcome="lost",
            competitor=self["competitor"],
        )

    def _reason(self):
        from competitive.services import reasons_of

        return reasons_of(self["team"])[0]

    def _launch(self):
        from launches.services import launch_create

        return launch_create(
            actor=self["pmm"],
            product=self["product"],
            name="Atlas 5",
            launch_on=dt.date(2026, 12, 18),
            tier=2,
        )

    def _launch_item(self):
        return self["launch"].items.get(title="Datasheet")  # sales enablement: sales read it

    def _launch_template(self):
        from launches.services import templates_of

        return templates_of(self["team"])[0]

    def _interaction(self):
        return InteractionFactory(team=self["team"], owner=self["pmm"], account="Globex")

    def _follow_up(self):
        return FollowUpFactory(interaction=self["interaction"], owner=self["pmm"])

    def _asset(self):
        return AssetFactory(
            title="Northwind battlecard", team=self["team"], owner=self["pmm"], products=[self["product"]]
        )

    def _req_new(self):
        return self._request(RequestStatus.NEW)

    def _note_sales(self):
        """A notification of the sales rep's: only its recipient opens it (others get 404)."""
        from requests_queue.models import Notification, RequestEvent

        request = self["req_new"]
        event = RequestEvent.objects.create(request=request, kind="status_changed", notify=False)
        return Notification.objects.create(recipient=self["sales"], event=event, request=request, text="News")

    def _saved_view(self):
        """A queue view of the PMM's, shared with the team: the team reads it, only its owner deletes it."""
        from requests_queue.models import SavedView

        return SavedView.objects.create(owner=self["pmm"], name="New", query="status=new", team=self["team"])

    def _req_triaged(self):
        return self._request(RequestStatus.TRIAGED)

    def _req_in_progress(self):
        return self._request(RequestStatus.IN_PROGRESS)

    def _req_of_another_rep(self):
        return RequestFactory(requester=UserFactory(role=SALES), product=self["product"], team=self["team"])

    def _req_with_files(self):
        request = self._request(RequestStatus.DELIVERED, delivered_at=timezone.now())
        request.delivery_file.save("answer.pdf", ContentFile(b"%PDF-1.4 answer"), save=True)
        return request

    def _attachment(self):
        return RequestAttachment.objects.create(
            request=self["req_with_files"],
            file=ContentFile(b"%PDF-1.4 rfp", name="rfp.pdf"),
            original_name="rfp.pdf",
            size=12,
            uploaded_by=self["sales"],
        )

    def _asset_with_file(self):
        return AssetFactory(
            team=self["team"], owner=self["pmm"], link="", file=ContentFile(b"%PDF-1.4 card", name="card.pdf")
        )

    def _asset_retired(self):
        return AssetFactory(
            team=self["team"], owner=self["pmm"], retired_at=timezone.now(), retirement_reason="Outdated."
        )

    def _asset_version(self):
        from requests_queue.models import AssetVersion

        return AssetVersion.objects.create(
            asset=self["asset_with_file"],
            number=1,
            file=ContentFile(b"%PDF-1.4 card v1", name="card-v1.pdf"),
            uploaded_by=self["pmm"],
        )

    def _req_delivered(self):
        return self._request(
            RequestStatus.DELIVERED,
            delivered_at=timezone.now(),
            delivery_link="https://drive.example.com/answer",
        )

    def _initiative(self):
        return InitiativeFactory(owner=self["pmm"], team=self["team"], title="Battlecards")

    def _milestone(self):
        return MilestoneFactory(initiative=self["initiative"])

    def _review(self):
        return MonthlyReviewFactory(owner=self["pmm"], team=self["team"], month=dt.date(2026, 10, 1))

    def _win(self):
        return WinFactory(owner=self["pmm"], team=self["team"], initiative=self["initiative"])

    def _learning(self):
        return LearningFactory(owner=self["pmm"], team=self["team"], initiative=self["initiative"])

    def _entry(self):
        today = timezone.localdate()
        return TimeEntryFactory(user=self["pmm"], week_start=today - dt.timedelta(days=today.weekday()))

    def _responsibility(self):
        from diagnostics.services import responsibilities_of

        return responsibilities_of(self["team"])[0]

    def _round_open(self):
        from diagnostics.services import round_open

        return round_open(
            actor=self["cmo"],
            team=self["team"],
            title="Q3 diagnostic",
            participants=[self["pmm"], self["pm"], self["cmo"]],
        )

    def _round_closed(self):
        from diagnostics.services import answer_save, round_close, round_open

        round = round_open(
            actor=self["cmo"],
            team=self["team"],
            title="Q2 diagnostic",
            participants=[self["pmm"], self["pm"]],
        )
        seat = round.participants.get(user=self["pmm"])
        answer_save(participant=seat, item_id=round.items.first().pk, owner="pmm", score=4)
        return round_close(actor=self["cmo"], round=round)

    def _import_batch(self):
        from imports.services import batch_import, batch_upload

        batch = batch_upload(actor=self["pmm"], kind="competitors", team=self["team"], upload=_import_file())
        batch_import(batch=batch, actor=self["pmm"], domain="testserver", use_https=False)
        return batch

    def _endpoint(self):
        from integrations.services import endpoint_create

        return endpoint_create(actor=self["cmo"], team=self["team"], **ENDPOINT)

    def _delivery(self):
        from integrations.models import Delivery

        return Delivery.objects.create(
            endpoint=self["endpoint"],
            event="win.recorded",
            event_key="win:1",
            team=self["team"],
            body={"event": "win.recorded"},
            status="failed",
            attempts=6,
            response_code=500,
        )

    def _report(self):
        return MonthlyReport.objects.create(
            team=self["team"], month=dt.date(2026, 10, 1), status=ReportStatus.READY, version=1, data={}
        )


def _import_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("competitors.csv", b"name,tier\nGlobex,primary\n", content_type="text/csv")


@pytest.fixture
def world(cast, team, product, settings, tmp_path) -> W:
    cache.clear()  # the API throttles count per user; ids repeat between tests on SQLite
    settings.MEDIA_ROOT = tmp_path  # uploaded files of the download routes
    return World(cast, team, product)


def _send(client, route: routing.Route, method: str, url: str, row: Row, data: dict[str, Any]):
    if method == "get":
        return client.get(url + row.query)
    if route.is_api:
        return getattr(client, method)(url, data, format="json")
    return getattr(client, method)(url, data, format="multipart")  # a browser's form post


def _refused(route: routing.Route, role: str, response, row: Row | None = None) -> bool:
    if row is not None and row.anon == SIGNED:
        return response.status_code == 401
    if role == ANON:
        if route.is_api:
            return response.status_code in (401, 403)
        return response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    return response.status_code == 403 or (response.status_code == 404 and bool(route.kwargs))


@pytest.mark.parametrize(("key", "role"), list(_cases()))
def test_route_answers_each_role_as_its_row_says(api_client, world, key, role):
    route = ROUTES[key]
    row = TABLE.get(key)
    assert row is not None, f"{key!r} has no row in TABLE"
    # Every object the row names is built now, outside the savepoints rolled back below.
    url = _url(route, row, world)
    data = row.data(world) if callable(row.data) else row.data
    if role == ANON:
        api_client.logout()
    else:
        api_client.force_login(world[role])
    problems = []
    for method in row.methods or route.methods:
        allowed = row.allowed(role, method)
        with transaction.atomic():
            before = routing.row_counts() if method != "get" and not allowed else None
            response = _send(api_client, route, method, url, row, data)
            after = routing.row_counts() if before is not None else None
            transaction.set_rollback(True)
        code = response.status_code
        where = f"{method.upper()} {url} as {role}: {code}"
        if allowed:
            to_login = code == 302 and response["Location"].startswith("/accounts/login/")
            if code in (401, 403, 404) or code >= 500 or to_login:
                problems.append(f"{where}, but the row allows {role}")
        elif not _refused(route, role, response, row):
            problems.append(f"{where}, but the row refuses {role}")
        elif before is not None and before != after:
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            problems.append(f"{where} was refused but changed rows: {changed}")
    assert not problems, "\n".join(problems)


def _url(route: routing.Route, row: Row, w: W) -> str:
    """The concrete path: the pattern with each argument filled from the row's ``args``."""
    args = {name: str(value) for name, value in (row.args(w) if row.args else {}).items()}
    assert set(args) == set(route.kwargs), f"{route.key}: args {sorted(args)}, pattern {sorted(route.kwargs)}"
    path = routing.fill(route.key, args)
    assert routing.same_route("/" + path, route.key), f"{path} does not resolve to {route.key}"
    return "/" + path
