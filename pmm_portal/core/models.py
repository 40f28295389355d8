"""Users with a role, the product marketing teams they form and the products those teams cover."""

import zoneinfo
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .history import TrackedHistory
from .limits import text_length_checks


class Role(models.TextChoices):
    """What a person does in the organisation; it decides what they see and may change."""

    SALES = "sales", "Sales"
    PMM = "pmm", "Product marketing manager"
    PM = "pm", "Product manager"
    CMO = "cmo", "Marketing leader (CMO)"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    """A person who signs in. ``role`` decides their home page, navigation and rights."""

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.SALES)
    job_title = models.CharField(max_length=120, blank=True)
    history = TrackedHistory(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="core_user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_portal_admin(self) -> bool:
        """Administrators (by role or as Django superusers) may do everything."""
        return self.role == Role.ADMIN or self.is_superuser

    def has_role(self, *roles: str) -> bool:
        """True when the user has one of ``roles``; administrators have every role."""
        return self.is_portal_admin or self.role in roles


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "“%(value)s” is not a time zone name; use one like Europe/Paris or America/New_York.",
            params={"value": value},
        )


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class Team(models.Model):
    """A product marketing team, led by a CMO or marketing director, covering one or more products.

    The team sets the band of time its PMMs should spend on one-off requests and
    how many days a persona stays fresh after it was last validated.
    """

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    lead = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        help_text="The CMO or marketing director who leads the team.",
    )
    members = models.ManyToManyField("core.User", related_name="teams", blank=True)
    one_off_budget_min_pct = models.PositiveSmallIntegerField(
        "one-off budget, lower bound (%)",
        default=10,
        validators=[MaxValueValidator(100)],
    )
    one_off_budget_max_pct = models.PositiveSmallIntegerField(
        "one-off budget, upper bound (%)",
        default=15,
        validators=[MaxValueValidator(100)],
    )
    persona_stale_days = models.PositiveIntegerField(
        "persona staleness (days)",
        default=180,
        validators=[MinValueValidator(1)],
        help_text="A persona not validated for this many days is flagged stale.",
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised by every write to what the team's figures count (``core.figures``): cached
    # figures are keyed by it, so a write is never followed by a stale dashboard.
    figures_version = models.PositiveBigIntegerField(default=0, editable=False)
    history = TrackedHistory(excluded_fields=["figures_version"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(one_off_budget_min_pct__lte=models.F("one_off_budget_max_pct"))
                & Q(one_off_budget_max_pct__lte=100),
                name="core_team_budget_band_valid",
            ),
            models.CheckConstraint(
                condition=Q(persona_stale_days__gte=1), name="core_team_stale_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.one_off_budget_min_pct > self.one_off_budget_max_pct:
            raise ValidationError(
                {"one_off_budget_max_pct": "The upper bound must be at least the lower bound."}
            )

    @property
    def one_off_band_label(self) -> str:
        return f"{self.one_off_budget_min_pct}–{self.one_off_budget_max_pct} %"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Product(models.Model):
    """A product a team markets. Its product managers own its user personas and value propositions."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="products")
    description = models.TextField(blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    managers = models.ManyToManyField(
        "core.User",
        related_name="managed_products",
        blank=True,
        help_text="Product managers who own this product's user personas and value propositions.",
    )
    history = TrackedHistory()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="core_product_unique_name_per_team"),
            *text_length_checks("core_product", {"description": 2000}),
        ]

    def __str__(self) -> str:
        return self.name


class SearchVectorColumn(models.Field):  # type: ignore[type-arg]
    """A ``tsvector`` on PostgreSQL (kept by a trigger); unused text elsewhere (SQLite has FTS5)."""

    description = "Full-text vector kept by the database"

    def db_type(self, connection: Any) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


class SearchDocument(models.Model):
    """The searchable text of one thing of any app (see ``core.search``): one row per thing.

    ``title`` weighs above ``tags`` above ``body``. On PostgreSQL ``vector`` is the
    weighted full-text vector, written by a trigger, under a GIN index. On SQLite
    the migration's triggers keep the FTS5 table ``core_searchdocument_fts`` in step.
    """

    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    owner_id = models.BigIntegerField(
        null=True, blank=True, help_text="Whose it is (a request's requester): only they match its body."
    )
    product_ids = models.CharField(max_length=200, blank=True, help_text="Comma-separated product ids.")
    competitor = models.CharField(max_length=120, blank=True)
    type = models.CharField(max_length=24, blank=True)
    state = models.CharField(max_length=12, blank=True, help_text="A request's: open, answered or closed.")
    title = models.CharField(max_length=300)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True)
    meta = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)
    vector = SearchVectorColumn(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="core_searchdoc_one_per_object"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"


class SearchWord(models.Model):
    """A word of the indexed titles and tags: what a mistyped word is corrected against.

    PostgreSQL finds the close ones by trigram similarity (``pg_trgm``, GIN index).
    """

    word = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.word


class DataVersion(models.Model):
    """The data version's row: what cached pages are keyed by (``core.pages``). It holds the count of
    committed writes on SQLite; on PostgreSQL the count is the sequence ``core_data_version_seq``
    and the row only says that pages may be kept."""

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="core_dataversion_single_row")]

    def __str__(self) -> str:
        return f"Data version {self.value}"


class PasswordResetMail(models.Model):
    """A reset link asked for: the outbox row the mail task sends from (``services.password_reset_*``).

    Written for any address asked, registered or not, so the page does the same work for both.
    ``sent_at`` is set once the worker has looked the address up (and mailed it if it has an
    account): a second delivery of the task finds it set and mails nothing. A sweep enqueues
    rows the broker never got and deletes handled or stale rows after a day.
    """

    email = models.EmailField(max_length=254)
    domain = models.CharField(max_length=255)
    use_https = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "password-reset mail"
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="core_resetmail_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"Reset mail {self.pk} ({'sent' if self.sent_at else 'pending'})"
