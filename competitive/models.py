"""Competitors, the win/loss reasons a team keeps, and its win/loss reviews.

A competitor is a record of a team: what sales need to know to beat it (strengths,
weaknesses, how we win, landmines, pricing). Requests name a competitor in words; they
count for the competitor whose name (or alias) they use, whatever its case
(``selectors.requests_about``), so a new name a rep types is proposed to the team, not
silently created. A win/loss review records one deal decided against (or without) a
competitor, its outcome, the stage it was lost at and the reasons from the team's list.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from personas.models import LONG_TEXT, long_text
from pmm_portal.core.history import TrackedHistory
from pmm_portal.core.limits import text_length_checks

NAME = 120
TEXT = LONG_TEXT  # the profile's long fields: the same limit as a persona's
QUOTE = 1000


class Tier(models.TextChoices):
    PRIMARY = "primary", "Primary: in most deals"
    SECONDARY = "secondary", "Secondary: in some deals"
    EMERGING = "emerging", "Emerging: watch it"
    STATUS_QUO = "status_quo", "Status quo or substitute"


PROFILE_FIELDS = ("summary", "strengths", "weaknesses", "how_we_win", "landmines", "pricing_notes")


class Competitor(models.Model):
    """A competitor the team meets in deals, with what sales need to beat it."""

    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="competitors")
    name = models.CharField(max_length=NAME)
    aliases = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other names reps use for it, separated by commas (a product name, an old name).",
    )
    website = models.URLField(max_length=300, blank=True)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.SECONDARY)
    summary = long_text("summary", "Who they are and who buys them, in two sentences.", 1000)
    strengths = long_text("strengths", "Where they are genuinely strong: sales should not argue there.")
    weaknesses = long_text("weaknesses", "Where they fall short, with proof.")
    how_we_win = long_text("how we win", "The story that wins against them: the buyer's problem, our answer.")
    landmines = long_text("landmines", "Questions to ask early that expose their weaknesses.")
    pricing_notes = long_text("pricing notes", "How they price and discount, and how to answer.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="competitors_owned"
    )
    linked_assets = models.ManyToManyField(
        "requests_queue.Asset",
        blank=True,
        related_name="competitors",
        help_text="Library assets about it, even those that do not name it.",
    )
    linked_interactions = models.ManyToManyField(
        "personas.CustomerInteraction",
        blank=True,
        related_name="competitors",
        help_text="Customer conversations in which it came up, even when the notes do not name it.",
    )
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "team", name="competitive_competitor_unique_name_per_team"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="competitive_competitor_name_not_blank"),
            models.CheckConstraint(
                condition=Q(tier__in=Tier.values), name="competitive_competitor_tier_valid"
            ),
            *text_length_checks(
                "competitive_competitor",
                {"summary": 1000, **dict.fromkeys(PROFILE_FIELDS[1:], TEXT)},
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("competitive:competitor", args=[self.pk])

    def names(self) -> list[str]:
        """Its name and aliases, lower-cased: what a request's competitor field is matched against."""
        return [n.strip().lower() for n in [self.name, *self.aliases.split(",")] if n.strip()]


class LossReason(models.Model):
    """A reason a deal is won or lost, from the team's own list (price, product gap, relationship…)."""

    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="loss_reasons")
    name = models.CharField(max_length=80)
    active = models.BooleanField(default=True, help_text="Retired reasons stay on past reviews.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "team", name="competitive_reason_unique_name_per_team"),
            models.CheckConstraint(condition=~Q(name=""), name="competitive_reason_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


DEFAULT_REASONS = (
    "Price",
    "Product gap",
    "Relationship",
    "Timing",
    "Integration",
    "Security or compliance",
    "Implementation effort",
    "Champion left",
)


class Outcome(models.TextChoices):
    WON = "won", "Won"
    LOST = "lost", "Lost"
    NO_DECISION = "no_decision", "No decision"


class Stage(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    EVALUATION = "evaluation", "Evaluation or demo"
    PROOF = "proof", "Proof of concept"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    CLOSED = "closed", "Signature"


class WinLossReview(models.Model):
    """One deal, decided: won, lost or no decision, against whom, why, in the buyer's words."""

    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="win_loss_reviews")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="win_loss_reviews"
    )
    account = models.CharField(max_length=NAME)
    value = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(Decimal(0))]
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    decided_on = models.DateField("decided on", default=timezone.localdate)
    competitor = models.ForeignKey(
        Competitor, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    stage_lost_at = models.CharField("stage lost at", max_length=20, choices=Stage.choices, blank=True)
    interaction = models.ForeignKey(
        "personas.CustomerInteraction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="win_loss_reviews",
        help_text="The win/loss conversation with the buyer this review comes from.",
    )
    reasons = models.ManyToManyField(LossReason, blank=True, related_name="reviews")
    personas = models.ManyToManyField("personas.Persona", blank=True, related_name="win_loss_reviews")
    buyer_quote = long_text("buyer quote", "What the buyer said, in their words.", QUOTE)
    notes = long_text("notes")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["team", "decided_on"], name="competitive_review_team_date"),
            models.Index(fields=["competitor", "decided_on"], name="competitive_review_comp_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="competitive_review_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage_lost_at="") | Q(stage_lost_at__in=Stage.values),
                name="competitive_review_stage_valid",
            ),
            # Only a lost deal was lost at a stage.
            models.CheckConstraint(
                condition=Q(stage_lost_at="") | Q(outcome="lost"),
                name="competitive_review_stage_only_when_lost",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="competitive_review_value_not_negative"),
            models.CheckConstraint(condition=~Q(account=""), name="competitive_review_account_not_blank"),
            *text_length_checks("competitive_review", {"buyer_quote": QUOTE, "notes": TEXT}),
        ]

    def __str__(self) -> str:
        return f"{self.account} ({self.get_outcome_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("competitive:review", args=[self.pk])


class Battlecard(models.Model):
    """What a rep reads in the middle of a deal against one competitor (for one persona, or for
    every buyer): one screen, one printed page. Its freshness is its last review."""

    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="battlecards")
    persona = models.ForeignKey(
        "personas.Persona",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="battlecards",
        help_text="Leave empty for a card that serves every buyer.",
    )
    quick_dismiss = long_text(
        "quick dismiss", "One or two sentences a rep says when the buyer names them.", 500
    )
    why_we_win = long_text("why we win", "Three reasons, with the proof behind each.", 2000)
    landmines = long_text("landmines to set", "Questions that expose their weaknesses, one per line.", 2000)
    proof_points = long_text("proof points", "Customers, numbers, analyst lines a rep may repeat.", 2000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="battlecards")
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(
        default=0,
        help_text="How often someone other than its owner opened it (as the library counts assets).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["competitor__name", "persona__name", "id"]
        constraints = [
            # One card per competitor and persona, and one for every buyer.
            models.UniqueConstraint(
                fields=["competitor", "persona"],
                condition=Q(persona__isnull=False),
                name="competitive_battlecard_one_per_persona",
            ),
            models.UniqueConstraint(
                fields=["competitor"],
                condition=Q(persona__isnull=True),
                name="competitive_battlecard_one_general",
            ),
            *text_length_checks(
                "competitive_battlecard",
                {"quick_dismiss": 500, "why_we_win": 2000, "landmines": 2000, "proof_points": 2000},
            ),
        ]

    def __str__(self) -> str:
        return f"vs {self.competitor.name}" + (f" for {self.persona.name}" if self.persona else "")

    def get_absolute_url(self) -> str:
        return reverse("competitive:battlecard", args=[self.pk])


class BattlecardObjection(models.Model):
    """An objection the buyer raises against us when this competitor is in the deal, and our answer."""

    battlecard = models.ForeignKey(Battlecard, on_delete=models.CASCADE, related_name="objections")
    objection = models.CharField(max_length=300)
    answer = models.TextField(max_length=1000, validators=[MaxLengthValidator(1000)])
    position = models.PositiveSmallIntegerField(default=0)
    history = TrackedHistory()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(objection=""), name="competitive_objection_not_blank"),
            *text_length_checks("competitive_objection", {"answer": 1000}),
        ]

    def __str__(self) -> str:
        return self.objection
