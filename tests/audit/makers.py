"""One object of each tracked model, belonging to the shared cast's ``team``, and one change to it.

``MAKERS[key] = (make, field, new value)``: ``make(world)`` creates the object (with what it
needs) in ``world["team"]``; the test then sets ``field`` to the new value and saves.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from competitive.models import Battlecard, BattlecardObjection, Competitor, LossReason, WinLossReview
from diagnostics.models import Answer, DiagnosticRound, Participant, Responsibility, RoundItem
from initiatives.models import ReviewOutcome, ReviewReopening, StatusUpdate, WinPromotion
from launches.models import Launch, LaunchItem, LaunchTemplate, TemplateItem
from reporting.models import MonthlyReport, ReportSending
from requests_queue.models import (
    AssetVersion,
    RequestAttachment,
    RequestComment,
    RequestFollower,
    SavedView,
    SlaTarget,
    TriageRota,
)
from tests.factories import (
    AssetFactory,
    FocusSlotFactory,
    FollowUpFactory,
    InitiativeFactory,
    InteractionFactory,
    LearningFactory,
    MilestoneFactory,
    MonthlyReviewFactory,
    ObjectionFactory,
    PersonaFactory,
    PositioningFactory,
    ProductFactory,
    QuoteFactory,
    RequestFactory,
    TimeEntryFactory,
    UserFactory,
    WinFactory,
)

W = dict[str, Any]
TODAY = dt.date(2026, 11, 16)


def _initiative(w: W) -> Any:
    return InitiativeFactory(team=w["team"], owner=w["pmm"])


def _request(w: W) -> Any:
    return RequestFactory(product=w["product"], requester=w["sales"])


def _persona(w: W) -> Any:
    return PersonaFactory(team=w["team"], owner=w["pmm"])


def _interaction(w: W) -> Any:
    return InteractionFactory(team=w["team"], owner=w["pmm"])


def _review(w: W) -> Any:
    return MonthlyReviewFactory(team=w["team"], owner=w["pmm"])


def _win(w: W) -> Any:
    return WinFactory(team=w["team"], owner=w["pmm"])


def _competitor(w: W) -> Any:
    return Competitor.objects.create(team=w["team"], name="Globex", owner=w["pmm"])


def _battlecard(w: W) -> Any:
    return Battlecard.objects.create(competitor=_competitor(w), owner=w["pmm"], quick_dismiss="Old.")


def _responsibility(w: W) -> Any:
    return Responsibility.objects.create(
        team=w["team"], area="Market", name="Pricing research", intended_owner="pmm"
    )


def _round(w: W) -> Any:
    return DiagnosticRound.objects.create(team=w["team"], title="Q4 round", opened_by=w["cmo"], due_on=TODAY)


def _item(w: W) -> Any:
    responsibility = _responsibility(w)
    return RoundItem.objects.create(
        round=_round(w),
        responsibility=responsibility,
        area="Market",
        name="Pricing research",
        intended_owner="pmm",
    )


def _launch(w: W) -> Any:
    return Launch.objects.create(
        product=w["product"], name="Atlas 3", launch_on=TODAY, tier=2, created_by=w["pm"]
    )


def _template(w: W) -> Any:
    return LaunchTemplate.objects.create(team=w["team"], tier=1, name="Major launch")


def _report(w: W) -> Any:
    return MonthlyReport.objects.create(team=w["team"], month=dt.date(2026, 10, 1))


def _user(w: W) -> Any:
    user = UserFactory(username="newhire", role="pmm")
    w["team"].members.add(user)
    return user


MAKERS: dict[str, tuple[Callable[[W], Any], str, Any]] = {
    "core.user": (_user, "job_title", "Senior PMM"),
    "core.team": (lambda w: w["team"], "persona_stale_days", 90),
    "core.product": (
        lambda w: ProductFactory(team=w["team"], name="Beacon", slug="beacon"),
        "description",
        "Now GA",
    ),
    "personas.persona": (_persona, "summary", "Signs off on security tools."),
    "personas.objection": (lambda w: ObjectionFactory(persona=_persona(w)), "objection", "Too expensive."),
    "personas.positioning": (
        lambda w: PositioningFactory(persona=_persona(w), product=w["product"]),
        "value_proposition",
        "Ship twice as fast.",
    ),
    "personas.customerinteraction": (_interaction, "notes", "They want SSO."),
    "personas.quote": (lambda w: QuoteFactory(interaction=_interaction(w)), "speaker_role", "CISO"),
    "personas.followup": (
        lambda w: FollowUpFactory(interaction=_interaction(w), owner=w["pmm"]),
        "description",
        "Send the pricing sheet",
    ),
    "initiatives.initiative": (_initiative, "status", "at_risk"),
    "initiatives.milestone": (
        lambda w: MilestoneFactory(initiative=_initiative(w)),
        "title",
        "Beta battlecard",
    ),
    "initiatives.statusupdate": (
        lambda w: StatusUpdate.objects.create(
            initiative=_initiative(w), author=w["pmm"], status="on_track", message="Going well"
        ),
        "message",
        "Slipping a week",
    ),
    "initiatives.focusslot": (
        lambda w: FocusSlotFactory(initiative=_initiative(w), owner=w["pmm"]),
        "rank",
        2,
    ),
    "initiatives.monthlyreview": (_review, "learnings", "Shorter decks work."),
    "initiatives.reviewoutcome": (
        lambda w: ReviewOutcome.objects.create(
            review=_review(w), initiative=_initiative(w), outcome="progressed"
        ),
        "outcome",
        "done",
    ),
    "initiatives.reviewreopening": (
        lambda w: ReviewReopening.objects.create(
            review=_review(w),
            reopened_by=w["pmm"],
            reason="Forgot a win",
            previously_submitted_at=timezone.now(),
        ),
        "reason",
        "Forgot two wins",
    ),
    "initiatives.win": (_win, "impact", "Closed the Initech deal."),
    "initiatives.winpromotion": (
        lambda w: WinPromotion.objects.create(win=_win(w), promoted_by=w["cmo"], promoted_at=timezone.now()),
        "withdrawn_at",
        timezone.now() + dt.timedelta(hours=1),
    ),
    "initiatives.learning": (
        lambda w: LearningFactory(team=w["team"], owner=w["pmm"]),
        "lesson",
        "Lead with proof.",
    ),
    "timesheets.timeentry": (lambda w: TimeEntryFactory(user=w["pmm"]), "hours", Decimal("6.00")),
    "competitive.competitor": (_competitor, "summary", "Cheaper, slower."),
    "competitive.lossreason": (
        lambda w: LossReason.objects.create(team=w["team"], name="Price"),
        "name",
        "Pricing",
    ),
    "competitive.winlossreview": (
        lambda w: WinLossReview.objects.create(
            team=w["team"], owner=w["pmm"], account="Initech", outcome="won", decided_on=TODAY
        ),
        "notes",
        "Won on integrations.",
    ),
    "competitive.battlecard": (_battlecard, "why_we_win", "Integrations."),
    "competitive.battlecardobjection": (
        lambda w: BattlecardObjection.objects.create(
            battlecard=_battlecard(w), objection="Pricey", answer="TCO"
        ),
        "answer",
        "Lower total cost",
    ),
    "diagnostics.responsibility": (_responsibility, "description", "Who prices the product."),
    "diagnostics.diagnosticround": (_round, "title", "Q4 round, take two"),
    "diagnostics.rounditem": (_item, "name", "Pricing"),
    "diagnostics.participant": (
        lambda w: Participant.objects.create(round=_round(w), user=w["pmm"], seat="pmm"),
        "seat",
        "leadership",
    ),
    "diagnostics.answer": (
        lambda w: Answer.objects.create(
            participant=Participant.objects.create(round=(item := _item(w)).round, user=w["pmm"], seat="pmm"),
            item=item,
            owner="pm",
            score=3,
        ),
        "score",
        4,
    ),
    "launches.launch": (_launch, "summary", "The big one."),
    "launches.launchitem": (
        lambda w: LaunchItem.objects.create(launch=_launch(w), title="Pitch deck", side="team", due_on=TODAY),
        "status",
        "done",
    ),
    "launches.launchtemplate": (_template, "name", "Tier 1 launch"),
    "launches.templateitem": (
        lambda w: TemplateItem.objects.create(template=_template(w), title="FAQ", side="team", offset_days=5),
        "offset_days",
        10,
    ),
    "requests_queue.slatarget": (
        lambda w: SlaTarget.objects.create(team=w["team"], type="slides", acknowledge_days=1, deliver_days=5),
        "deliver_days",
        3,
    ),
    "requests_queue.request": (_request, "status", "triaged"),
    "requests_queue.requestfollower": (
        lambda w: RequestFollower.objects.create(
            request=_request(w), user=UserFactory(role="sales"), via="me_too"
        ),
        "account",
        "Hooli",
    ),
    "requests_queue.requestattachment": (
        lambda w: RequestAttachment.objects.create(
            request=_request(w),
            file=ContentFile(b"notes", name="notes.txt"),
            original_name="notes.txt",
            size=5,
            uploaded_by=w["sales"],
        ),
        "original_name",
        "call-notes.txt",
    ),
    "requests_queue.requestcomment": (
        lambda w: RequestComment.objects.create(request=_request(w), author=w["sales"], body="Any news?"),
        "body",
        "Any news, please?",
    ),
    "requests_queue.triagerota": (
        lambda w: TriageRota.objects.create(team=w["team"], user=w["pmm"], weekday=0),
        "weekday",
        2,
    ),
    "requests_queue.asset": (
        lambda w: AssetFactory(team=w["team"], owner=w["pmm"]),
        "title",
        "Objection handler",
    ),
    "requests_queue.assetversion": (
        lambda w: AssetVersion.objects.create(
            asset=AssetFactory(team=w["team"], owner=w["pmm"]),
            number=1,
            link="https://drive.example.com/v1",
            uploaded_by=w["pmm"],
        ),
        "note",
        "First cut",
    ),
    "requests_queue.savedview": (
        lambda w: SavedView.objects.create(owner=w["pmm"], name="Urgent", query="sort=due", team=w["team"]),
        "name",
        "Due soon",
    ),
    "reporting.monthlyreport": (_report, "summary", "A strong month."),
    "reporting.reportsending": (
        lambda w: ReportSending.objects.create(
            report=_report(w), version=1, sent_by=w["cmo"], recipients=["cmo@example.com"]
        ),
        "message",
        "For Friday",
    ),
}
