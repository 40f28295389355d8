"""Personas (buyer, user, sales-channel), their positioning per product, and the evidence behind them.

Evidence is what customers said: a PMM logs a :class:`CustomerInteraction`
(sales call, interview, complaint, win/loss review, event) with its quotes and
follow-ups, and links it to the personas it speaks for.

Freshness lives here, in one place: a persona is *stale* when it is not retired
and neither validated nor created within its team's ``persona_stale_days``.
:meth:`PersonaQuerySet.with_staleness` computes it in the database (lists,
filters, counts) and :attr:`Persona.is_stale` reads that annotation, or
computes the same rule in Python for a lone persona.
"""

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pmm_portal.core.history import TrackedHistory
from pmm_portal.core.limits import text_length_checks

SHORT_TEXT = 200
LONG_TEXT = 4000
QUOTE_TEXT = 1000


def long_text(
    verbose_name: str, help_text: str = "", max_length: int = LONG_TEXT
) -> "models.TextField[str, str]":
    """An optional multi-line text field whose length limit forms, the API and ``full_clean`` enforce."""
    return models.TextField(
        verbose_name,
        blank=True,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        help_text=help_text,
    )


class PersonaKind(models.TextChoices):
    BUYER = "buyer", "Buyer"
    USER = "user", "User"
    SALES_CHANNEL = "sales_channel", "Sales channel"


class PersonaStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    VALIDATED = "validated", "Validated"
    RETIRED = "retired", "Retired"


class BuyingRole(models.TextChoices):
    ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
    TECHNICAL_EVALUATOR = "technical_evaluator", "Technical evaluator"
    CHAMPION = "champion", "Champion"
    INFLUENCER = "influencer", "Influencer"
    END_USER = "end_user", "End user"


class SalesChannel(models.TextChoices):
    DIRECT = "direct", "Direct (field)"
    INSIDE = "inside", "Inside sales"
    PARTNER = "partner", "Partner / reseller"


# Which fields belong to which kind. Everything else on a persona is common to all kinds.
# Forms show, the API accepts and the database allows these fields only for their kind.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    PersonaKind.BUYER: (
        "goals",
        "concerns",
        "urgent_problems",
        "decision_criteria",
        "buying_role",
        "information_sources",
        "preferred_content",
    ),
    PersonaKind.SALES_CHANNEL: (
        "channel",
        "sales_style",
        "motivators",
        "compensation",
        "change_asked",
        "enablement_needs",
    ),
    PersonaKind.USER: ("jobs", "workflows", "frustrations"),
}
# Relations that belong to one kind: objections are "why buyers have not bought from us";
# a sales-channel persona names the buyer personas it sells to.
KIND_RELATIONS: dict[str, tuple[str, ...]] = {
    PersonaKind.BUYER: ("objections",),
    PersonaKind.SALES_CHANNEL: ("sells_to",),
    PersonaKind.USER: (),
}
ALL_KIND_FIELDS: tuple[str, ...] = tuple(f for fields in KIND_FIELDS.values() for f in fields)


def fields_for_kind(kind: str) -> tuple[str, ...]:
    return KIND_FIELDS.get(kind, ())


def foreign_fields_for_kind(kind: str) -> tuple[str, ...]:
    """Kind-specific fields (and relations) that do *not* belong to ``kind``."""
    own = set(KIND_FIELDS.get(kind, ())) | set(KIND_RELATIONS.get(kind, ()))
    every = ALL_KIND_FIELDS + tuple(r for rels in KIND_RELATIONS.values() for r in rels)
    return tuple(f for f in every if f not in own)


def _empty(*fields: str) -> Q:
    return Q(**dict.fromkeys(fields, ""))


class DaysBefore(models.Func):
    """``moment`` minus a whole number of days taken from a column, on PostgreSQL and SQLite alike.

    Django cannot multiply a column by an interval on SQLite, hence the per-database SQL.
    """

    output_field = models.DateTimeField()
    arity = 2

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        moment, days = (compiler.compile(e) for e in self.get_source_expressions())
        return f"({moment[0]} - ({days[0]}) * INTERVAL '1 day')", [*moment[1], *days[1]]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        moment, days = (compiler.compile(e) for e in self.get_source_expressions())
        return f"django_format_dtdelta('-', {moment[0]}, ({days[0]}) * 86400000000)", [*moment[1], *days[1]]


class PersonaQuerySet(models.QuerySet["Persona"]):
    def with_staleness(self, *, now: datetime | None = None) -> "PersonaQuerySet":
        """Annotate ``fresh_since`` and ``stale`` (bool) from each persona's team setting, in SQL.

        ``fresh_since`` is the last validation, or the creation for a persona never validated;
        the persona is stale once that is older than ``team.persona_stale_days``. Retired
        personas are never stale: nobody should keep them fresh.
        """
        now = now or timezone.now()
        fresh_since = Coalesce("last_validated_at", "created_at")
        cutoff = DaysBefore(
            models.Value(now, output_field=models.DateTimeField()), "team__persona_stale_days"
        )
        return self.annotate(
            fresh_since=fresh_since,
            stale_cutoff=cutoff,
        ).annotate(
            stale=models.Case(
                models.When(status=PersonaStatus.RETIRED, then=models.Value(False)),
                models.When(fresh_since__lt=models.F("stale_cutoff"), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )

    def stale(self, *, now: datetime | None = None) -> "PersonaQuerySet":
        return self.with_staleness(now=now).filter(stale=True)  # type: ignore[misc]

    def fresh(self, *, now: datetime | None = None) -> "PersonaQuerySet":
        return self.with_staleness(now=now).filter(stale=False)  # type: ignore[misc]


class Persona(models.Model):
    """A typed, evidenced profile of a buyer, a user or a sales channel that a team markets to.

    PMMs own buyer and sales-channel personas; PMs own user personas. The owner
    validates a persona (who and when are recorded); it turns stale after its
    team's ``persona_stale_days`` without validation. Fields in ``KIND_FIELDS``
    belong to one kind only and stay empty (a database check) for the others.
    Every change is kept by django-simple-history.
    """

    name = models.CharField(max_length=120, help_text="A memorable name, e.g. “Security-minded CIO”.")
    kind = models.CharField(max_length=20, choices=PersonaKind.choices)
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="personas")
    products = models.ManyToManyField("core.Product", related_name="personas", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_personas"
    )
    status = models.CharField(max_length=12, choices=PersonaStatus.choices, default=PersonaStatus.DRAFT)
    job_titles = models.CharField(
        "typical job titles", max_length=SHORT_TEXT, blank=True, help_text="Comma-separated."
    )
    summary = long_text("who they are", "Two or three sentences a salesperson reads first.", 1000)
    company_profile = models.CharField(
        "company profile",
        max_length=SHORT_TEXT,
        blank=True,
        help_text="Industry, company size, region: where this persona is found.",
    )
    # Buyer
    goals = long_text("goals")
    concerns = long_text("concerns")
    urgent_problems = long_text("urgent problems", "What makes them buy now rather than next year.")
    decision_criteria = long_text("decision criteria")
    buying_role = models.CharField(
        "role in the purchase", max_length=24, choices=BuyingRole.choices, blank=True
    )
    information_sources = long_text("where they get information", "Analysts, peers, communities, events…")
    preferred_content = long_text("content they prefer")
    # Sales channel
    channel = models.CharField(max_length=12, choices=SalesChannel.choices, blank=True)
    sales_style = long_text("sales style")
    motivators = long_text("what motivates them")
    compensation = long_text("how they are paid", "Quota, commission, SPIFs, margins…")
    change_asked = long_text("the change our product asks of them")
    enablement_needs = long_text("enablement they need")
    sells_to = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="sold_by",
        help_text="The buyer personas this channel sells to.",
    )
    # User
    jobs = long_text("jobs to be done")
    workflows = long_text("workflows")
    frustrations = long_text("frustrations")

    last_validated_at = models.DateTimeField(null=True, blank=True)
    last_validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # The products a persona is linked to are part of its history too.
    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[products])

    objects: ClassVar[PersonaQuerySet] = PersonaQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["team", "kind"], name="personas_team_kind_idx"),
            models.Index(fields=["owner", "status"], name="personas_owner_status_idx"),
            models.Index(fields=["last_validated_at"], name="personas_validated_idx"),
        ]
        constraints = [
            *text_length_checks(
                "personas_persona",
                {
                    "summary": 1000,
                    **dict.fromkeys(
                        [
                            "goals",
                            "concerns",
                            "urgent_problems",
                            "decision_criteria",
                            "information_sources",
                            "preferred_content",
                            "sales_style",
                            "motivators",
                            "compensation",
                            "change_asked",
                            "enablement_needs",
                            "jobs",
                            "workflows",
                            "frustrations",
                        ],
                        LONG_TEXT,
                    ),
                },
            ),
            models.UniqueConstraint(
                Lower("name"),
                "team",
                "kind",
                name="personas_persona_unique_name_per_team_kind",
                violation_error_message="The team already has a persona of this kind with this name; pick another name.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PersonaKind.values), name="personas_persona_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PersonaStatus.values), name="personas_persona_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(buying_role="") | Q(buying_role__in=BuyingRole.values),
                name="personas_persona_buying_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel="") | Q(channel__in=SalesChannel.values),
                name="personas_persona_channel_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="personas_persona_name_not_blank"),
            models.CheckConstraint(
                condition=Q(kind=PersonaKind.BUYER) | _empty(*KIND_FIELDS[PersonaKind.BUYER]),
                name="personas_persona_buyer_fields_only_on_buyers",
            ),
            models.CheckConstraint(
                condition=Q(kind=PersonaKind.SALES_CHANNEL) | _empty(*KIND_FIELDS[PersonaKind.SALES_CHANNEL]),
                name="personas_persona_channel_fields_only_on_channels",
            ),
            models.CheckConstraint(
                condition=Q(kind=PersonaKind.USER) | _empty(*KIND_FIELDS[PersonaKind.USER]),
                name="personas_persona_user_fields_only_on_users",
            ),
            models.CheckConstraint(
                condition=~Q(status=PersonaStatus.VALIDATED) | Q(last_validated_at__isnull=False),
                name="personas_persona_validated_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("personas:detail", args=[self.pk])

    @property
    def fresh_since_at(self) -> datetime:
        return self.last_validated_at or self.created_at

    @property
    def stale_on(self) -> datetime:
        """When this persona turns (or turned) stale without a new validation."""
        return self.fresh_since_at + timedelta(days=self.team.persona_stale_days)

    @property
    def is_stale(self) -> bool:
        """The rule of :meth:`PersonaQuerySet.with_staleness`; uses its annotation when present."""
        annotated = getattr(self, "stale", None)
        if annotated is not None:
            return bool(annotated)
        if self.status == PersonaStatus.RETIRED:
            return False
        return self.stale_on <= timezone.now()

    @property
    def kind_fields(self) -> tuple[str, ...]:
        return fields_for_kind(self.kind)


class Objection(models.Model):
    """A reason a buyer persona has not bought from us, and how sales should answer it."""

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="objections")
    objection = models.CharField(max_length=300)
    response = long_text("how to answer it", max_length=2000)
    position = models.PositiveSmallIntegerField(default=0)
    history = TrackedHistory()

    class Meta:
        ordering = ["persona", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(objection=""), name="personas_objection_not_blank"),
            *text_length_checks("personas_objection", {"response": 2000}),
        ]

    def __str__(self) -> str:
        return self.objection


class Positioning(models.Model):
    """How one product is positioned for one persona.

    Two owners share it: the product's PM writes the value proposition; the
    team's PMMs write the positioning against competitors, substitutes and the
    status quo, the key messages and the proof points. History is kept.
    """

    PM_FIELDS: ClassVar[tuple[str, ...]] = ("value_proposition",)
    PMM_FIELDS: ClassVar[tuple[str, ...]] = (
        "against_competitors",
        "against_substitutes",
        "against_status_quo",
        "key_messages",
        "proof_points",
    )

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="positionings")
    product = models.ForeignKey("core.Product", on_delete=models.CASCADE, related_name="positionings")
    value_proposition = long_text("value proposition", "Owned by the product manager.", 2000)
    against_competitors = long_text("against competitors")
    against_substitutes = long_text("against substitutes")
    against_status_quo = long_text("against the status quo", "Why change at all, and why now.")
    key_messages = long_text("key messages")
    proof_points = long_text("proof points", "Customer results, benchmarks, references.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["product__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["persona", "product"],
                name="personas_positioning_unique_per_product",
                violation_error_message="This persona already has positioning for this product.",
            ),
            *text_length_checks(
                "personas_positioning",
                {
                    "value_proposition": 2000,
                    **dict.fromkeys(
                        [
                            "against_competitors",
                            "against_substitutes",
                            "against_status_quo",
                            "key_messages",
                            "proof_points",
                        ],
                        LONG_TEXT,
                    ),
                },
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} for {self.persona}"


class InteractionKind(models.TextChoices):
    SALES_CALL = "sales_call", "Sales call"
    INTERVIEW = "interview", "Customer interview"
    COMPLAINT = "complaint", "Complaint"
    WIN_LOSS = "win_loss", "Win/loss review"
    EVENT = "event", "Event"


class CustomerInteraction(models.Model):
    """A conversation with customers a PMM took part in: the raw evidence behind personas.

    ``duration_minutes`` is the customer time reports add up per PMM and month
    (hence the index on owner and date).
    """

    occurred_on = models.DateField("date", default=timezone.localdate)
    kind = models.CharField(max_length=20, choices=InteractionKind.choices)
    account = models.CharField(max_length=SHORT_TEXT, help_text="Customer or prospect company.")
    notes = long_text("notes", max_length=10000)
    duration_minutes = models.PositiveIntegerField(
        "duration (minutes)", default=30, help_text="Customer time, counted in the monthly report."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customer_interactions"
    )
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="customer_interactions")
    personas = models.ManyToManyField(Persona, related_name="interactions", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = TrackedHistory(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["owner", "occurred_on"], name="personas_int_owner_date_idx"),
            models.Index(fields=["team", "occurred_on"], name="personas_int_team_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=InteractionKind.values), name="personas_interaction_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(account=""), name="personas_interaction_account_not_blank"),
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=24 * 60), name="personas_interaction_duration_max_a_day"
            ),
            *text_length_checks("personas_interaction", {"notes": 10000}),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.account} on {self.occurred_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("personas:interaction_detail", args=[self.pk])


class Quote(models.Model):
    """Something a customer said, verbatim, in an interaction; it can be evidence for a persona.

    Only quotes marked ``usable_in_sales`` appear to sales on a persona card.
    """

    interaction = models.ForeignKey(CustomerInteraction, on_delete=models.CASCADE, related_name="quotes")
    persona = models.ForeignKey(
        Persona, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )
    text = models.TextField(
        max_length=QUOTE_TEXT, validators=[MinLengthValidator(3), MaxLengthValidator(QUOTE_TEXT)]
    )
    speaker_role = models.CharField(
        "speaker's role", max_length=120, blank=True, help_text="e.g. “VP Finance”."
    )
    usable_in_sales = models.BooleanField(
        "usable in sales content", default=False, help_text="The customer agreed; sales may quote it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="personas_quote_text_not_blank"),
            *text_length_checks("personas_quote", {"text": QUOTE_TEXT}),
        ]

    def __str__(self) -> str:
        return f"“{self.text[:60]}”"


class FollowUp(models.Model):
    """A promise made in an interaction (“I'll get back to you”), due by a date, until ticked off."""

    interaction = models.ForeignKey(CustomerInteraction, on_delete=models.CASCADE, related_name="follow_ups")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups")
    description = models.CharField(max_length=300)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = TrackedHistory()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "done_at", "due_on"], name="personas_followup_open_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(description=""), name="personas_followup_description_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=False) | Q(done_by__isnull=True),
                name="personas_followup_done_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()
