"""What each kind of import reads from a row, and which service of its app creates the object.

A kind lists its fields (name, label, required, how the cell is read) and a ``create`` function
that calls the owning app's own service, so an imported persona, asset, request or competitor
passes exactly the rules the app's form and API apply. Reading a cell only turns text into a
value (a date, a product of the team, a user): it says in words what it could not read, with the
lengths and choices taken from the model's own fields.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q

from competitive.models import Competitor
from competitive.services import competitor_create
from personas.models import KIND_FIELDS, CustomerInteraction, InteractionKind, Persona, PersonaKind, Quote
from personas.permissions import can_create_interaction, can_create_persona
from personas.services import interaction_create, persona_create
from pmm_portal.core.models import Product, Role, Team, User
from pmm_portal.core.services import user_invite
from requests_queue.models import Asset, Request
from requests_queue.permissions import can_submit_request
from requests_queue.services import asset_publish, request_submit

from .models import ImportKind

# What separates several values in one cell (products, quotes).
LIST_SPLIT = re.compile(r"\s*[|\n]\s*")
PRODUCT_SPLIT = re.compile(r"\s*[|,;\n]\s*")
# The account a persona's imported quotes are filed under, when the file does not say.
QUOTES_ACCOUNT = "Imported evidence"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


class CellError(Exception):
    """A cell that could not be read; ``message`` says why, in words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Context:
    """Who imports, into which team, and lookups kept for the whole file (one query each)."""

    actor: User
    team: Team | None
    domain: str = "localhost"
    use_https: bool = True
    cache: dict[str, Any] = field(default_factory=dict)

    def products(self) -> dict[str, Product]:
        if "products" not in self.cache:
            found = Product.objects.filter(team=self.team).order_by("name") if self.team else []
            self.cache["products"] = {key: p for p in found for key in (p.name.lower(), p.slug.lower())}
            self.cache["product_names"] = [p.name for p in found]
        products: dict[str, Product] = self.cache["products"]
        return products


@dataclass(frozen=True)
class ImportField:
    """A column a kind can read. ``read`` turns the cell's text into a value (``None``: empty)."""

    name: str
    label: str
    read: Callable[[Context, str, str], Any]
    required: bool = False
    help: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """One kind of import: its fields and the function that creates a row's objects."""

    key: str
    label: str
    fields: tuple[ImportField, ...]
    create: Callable[[Context, dict[str, Any]], list[models.Model]]
    needs_team: bool = True

    def field(self, name: str) -> ImportField | None:
        return next((f for f in self.fields if f.name == name), None)


# --- Reading cells --------------------------------------------------------------------------------


def _model_field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _quoted(value: str) -> str:
    return f"‘{value[:60]}{'…' if len(value) > 60 else ''}’"


def _one_of(values: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(values[:limit])
    return shown + ("…" if len(values) > limit else "") if values else "nothing yet"


def text(model: type[models.Model], name: str) -> Callable[[Context, str, str], str | None]:
    """Text no longer than the model field allows."""
    limit = _model_field(model, name).max_length

    def read(ctx: Context, field: str, value: str) -> str | None:
        if not value:
            return None
        if limit and len(value) > limit:
            raise CellError(field, f"is {len(value)} characters long; at most {limit} fit.")
        return value

    return read


def choice(model: type[models.Model], name: str) -> Callable[[Context, str, str], str | None]:
    """One of the model field's choices, by value or by label (any case)."""
    choices = [(str(value), str(label)) for value, label in _model_field(model, name).choices or []]

    def read(ctx: Context, field: str, value: str) -> str | None:
        if not value:
            return None
        wanted = value.strip().lower().replace(" ", "_")
        for key, label in choices:
            if wanted in (key.lower(), label.lower().replace(" ", "_")):
                return key
        return _refuse(field, value, [key for key, _ in choices])

    return read


def _refuse(field: str, value: str, allowed: Sequence[str]) -> NoReturn:
    raise CellError(field, f"{_quoted(value)} is not one of {_one_of(allowed)}.")


def read_date(ctx: Context, field: str, value: str) -> date | None:
    if not value:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    raise CellError(field, f"{_quoted(value)} is not a date; write it as 2026-03-31 or 31/03/2026.")


def read_decimal(ctx: Context, field: str, value: str) -> Decimal | None:
    if not value:
        return None
    cleaned = re.sub(r"[\s$€£,]", "", value)
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CellError(field, f"{_quoted(value)} is not a number; write it like 25000 or 25000.50.")
    return number


def read_bool(ctx: Context, field: str, value: str) -> bool | None:
    if not value:
        return None
    lowered = value.strip().lower()
    if lowered in ("yes", "y", "true", "1", "x"):
        return True
    if lowered in ("no", "n", "false", "0"):
        return False
    raise CellError(field, f"{_quoted(value)} is not yes or no.")


def read_url(model: type[models.Model], name: str) -> Callable[[Context, str, str], str | None]:
    model_field = _model_field(model, name)

    def read(ctx: Context, field: str, value: str) -> str | None:
        if not value:
            return None
        try:
            model_field.run_validators(value)
        except ValidationError:
            raise CellError(field, f"{_quoted(value)} is not a web address (https://…).") from None
        return value

    return read


def read_products(ctx: Context, field: str, value: str) -> list[Product] | None:
    """Products of the import's team, by name or slug, separated by ``|``, commas or new lines."""
    if not value:
        return None
    known = ctx.products()
    found: list[Product] = []
    for name in (part for part in PRODUCT_SPLIT.split(value) if part):
        product = known.get(name.lower())
        if product is None:
            _refuse(field, name, ctx.cache["product_names"])
        found.append(product)
    return found


def read_product(ctx: Context, field: str, value: str) -> Product | None:
    products = read_products(ctx, field, value)
    if products and len(products) > 1:
        raise CellError(field, "names more than one product; a request is about one.")
    return products[0] if products else None


def _user_by(ctx: Context, field: str, value: str, people: "models.QuerySet[User]", where: str) -> User:
    """A user by email or username (any case), among ``people``."""
    cache = ctx.cache.setdefault(f"users:{where}", {})
    key = value.strip().lower()
    if key not in cache:
        cache[key] = (
            people.filter(Q(email__iexact=key) | Q(username__iexact=key)).order_by("-is_active", "pk").first()
        )
    user: User | None = cache[key]
    if user is None:
        raise CellError(field, f"{_quoted(value)} is not the email or username of {where}.")
    return user


def read_owner(ctx: Context, field: str, value: str) -> User | None:
    """A persona's owner: someone of the team (member, leader, product manager of its products)."""
    if not value or ctx.team is None:
        return None
    team = ctx.team
    people = User.objects.filter(
        Q(teams=team) | Q(led_teams=team) | Q(managed_products__team=team), is_active=True
    ).distinct()
    return _user_by(ctx, field, value, people, f"someone of {team.name}")


def read_requester(ctx: Context, field: str, value: str) -> User | None:
    if not value:
        return None
    requester = _user_by(ctx, field, value, User.objects.filter(is_active=True), "an active user")
    if not can_submit_request(requester):
        raise CellError(field, f"{_quoted(value)} is not in sales; requests are asked by sales reps.")
    return requester


def read_team(ctx: Context, field: str, value: str) -> Team | None:
    if not value:
        return None
    if "teams" not in ctx.cache:
        teams = list(Team.objects.order_by("name"))
        ctx.cache["teams"] = {key: t for t in teams for key in (t.name.lower(), t.slug.lower())}
        ctx.cache["team_names"] = [t.name for t in teams]
    team: Team | None = ctx.cache["teams"].get(value.strip().lower())
    if team is None:
        _refuse(field, value, ctx.cache["team_names"])
    return team


def read_quotes(ctx: Context, field: str, value: str) -> list[str] | None:
    """Quotes separated by ``|`` or new lines."""
    if not value:
        return None
    quotes = [part.strip().strip('“”"') for part in LIST_SPLIT.split(value) if part.strip()]
    limit = _model_field(Quote, "text").max_length or 1000
    for number, quote in enumerate(quotes, start=1):
        if len(quote) > limit:
            raise CellError(field, f"quote {number} is {len(quote)} characters long; at most {limit} fit.")
    return quotes


def read_name(ctx: Context, field: str, value: str) -> tuple[str, str] | None:
    """A person's full name: the first word is the first name, the rest the last name."""
    if not value:
        return None
    first, _, last = value.strip().partition(" ")
    for part, limit_field in ((first, "first_name"), (last, "last_name")):
        limit = _model_field(User, limit_field).max_length or 150
        if len(part) > limit:
            raise CellError(field, f"is too long; a first or last name has at most {limit} characters.")
    return first, last.strip()


# --- Creating each kind through its app's services -----------------------------------------------


def _given(values: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {name: values[name] for name in names if values.get(name) is not None}


def create_user(ctx: Context, values: dict[str, Any]) -> list[models.Model]:
    first, last = values.get("name") or ("", "")
    user = user_invite(
        username=values["username"],
        email=values["email"],
        first_name=first,
        last_name=last,
        role=values.get("role") or Role.SALES,
        job_title=values.get("job_title") or "",
        team=values.get("team"),
        domain=ctx.domain,
        use_https=ctx.use_https,
    )
    return [user]


PERSONA_TEXT = ("status", "job_titles", "summary", "company_profile")


def create_persona(ctx: Context, values: dict[str, Any]) -> list[models.Model]:
    assert ctx.team is not None
    kind = values["kind"]
    if not can_create_persona(ctx.actor, kind=kind, team=ctx.team):
        raise PermissionDenied(
            f"You cannot create {PersonaKind(kind).label.lower()} personas in {ctx.team.name}."
        )
    quotes = values.get("quotes") or []
    if quotes and not can_create_interaction(ctx.actor, team=ctx.team):
        raise ValidationError({"quotes": "Only the team's PMMs log customer evidence; leave quotes empty."})
    extra = _given(values, (*PERSONA_TEXT, *KIND_FIELDS.get(kind, ())))
    persona = persona_create(
        actor=ctx.actor,
        team=ctx.team,
        kind=kind,
        name=values["name"],
        owner=values.get("owner"),
        products=values.get("products") or (),
        **extra,
    )
    created: list[models.Model] = [persona]
    if quotes:
        created.append(
            interaction_create(
                actor=ctx.actor,
                team=ctx.team,
                kind=InteractionKind.INTERVIEW,
                account=values.get("quotes_account") or QUOTES_ACCOUNT,
                notes=f"Quotes imported with the persona “{persona.name}”.",
                duration_minutes=0,
                quotes=[{"text": quote, "persona": persona} for quote in quotes],
            )
        )
    return created


def create_asset(ctx: Context, values: dict[str, Any]) -> list[models.Model]:
    assert ctx.team is not None
    asset = asset_publish(
        actor=ctx.actor,
        team_id=ctx.team.pk,
        title=values.get("title") or "",
        kind=values.get("kind") or "",
        description=values.get("description") or "",
        internal_notes=values.get("internal_notes") or "",
        link=values.get("link") or "",
        review_by=values.get("review_by"),
        products=values.get("products") or (),
    )
    return [asset]


def create_request(ctx: Context, values: dict[str, Any]) -> list[models.Model]:
    assert ctx.team is not None
    request = request_submit(
        requester=values["requester"],
        product=values["product"],
        type=values.get("type") or "",
        title=values.get("title") or "",
        details=values.get("details") or "",
        account=values.get("account") or "",
        opportunity_value=values.get("opportunity_value"),
        needed_by=values["needed_by"],
        competitor=values.get("competitor") or "",
        deal_stage=values.get("deal_stage") or "",
    )
    return [request]


COMPETITOR_TEXT = ("aliases", "website", "tier", "summary", "strengths", "weaknesses")
COMPETITOR_TEXT_MORE = ("how_we_win", "landmines", "pricing_notes")


def create_competitor(ctx: Context, values: dict[str, Any]) -> list[models.Model]:
    assert ctx.team is not None
    fields = _given(values, (*COMPETITOR_TEXT, *COMPETITOR_TEXT_MORE))
    return [competitor_create(actor=ctx.actor, team=ctx.team, name=values["name"], **fields)]


# --- The kinds ---------------------------------------------------------------------------------


def _persona_fields() -> tuple[ImportField, ...]:
    kind_specific = []
    for kind, names in KIND_FIELDS.items():
        for name in names:
            model_field = _model_field(Persona, name)
            reader = choice(Persona, name) if model_field.choices else text(Persona, name)
            label = str(getattr(model_field, "verbose_name", name)).capitalize()
            kind_specific.append(
                ImportField(name, label, reader, help=f"{PersonaKind(kind).label} personas only.")
            )
    return (
        ImportField("name", "Name", text(Persona, "name"), required=True, aliases=("persona",)),
        ImportField(
            "kind", "Kind", choice(Persona, "kind"), required=True, help="buyer, user or sales_channel."
        ),
        ImportField("status", "Status", choice(Persona, "status"), help="draft (default) or validated."),
        ImportField("owner", "Owner", read_owner, help="Email or username; you by default."),
        ImportField("products", "Products", read_products, help="Names separated by | or commas."),
        ImportField("job_titles", "Typical job titles", text(Persona, "job_titles")),
        ImportField("summary", "Who they are", text(Persona, "summary"), aliases=("description",)),
        ImportField("company_profile", "Company profile", text(Persona, "company_profile")),
        *kind_specific,
        ImportField(
            "quotes", "Quotes", read_quotes, help="What customers said, separated by | or new lines."
        ),
        ImportField(
            "quotes_account",
            "Quotes from (account)",
            text(CustomerInteraction, "account"),
            help=f"The customer the quotes come from; “{QUOTES_ACCOUNT}” by default.",
            aliases=("account", "customer"),
        ),
    )


KINDS: dict[str, Kind] = {
    ImportKind.USERS: Kind(
        ImportKind.USERS,
        "Users",
        (
            ImportField("username", "Username", text(User, "username"), required=True, aliases=("login",)),
            ImportField("email", "Email", text(User, "email"), required=True, aliases=("e_mail", "mail")),
            ImportField("name", "Name", read_name, aliases=("full_name",), help="First and last name."),
            ImportField("role", "Role", choice(User, "role"), help="sales (default), pmm, pm, cmo or admin."),
            ImportField("team", "Team", read_team, help="The team's name or slug (optional)."),
            ImportField("job_title", "Job title", text(User, "job_title"), aliases=("title",)),
        ),
        create_user,
        needs_team=False,
    ),
    ImportKind.PERSONAS: Kind(ImportKind.PERSONAS, "Personas", _persona_fields(), create_persona),
    ImportKind.ASSETS: Kind(
        ImportKind.ASSETS,
        "Assets",
        (
            ImportField("title", "Title", text(Asset, "title"), required=True, aliases=("name",)),
            ImportField("kind", "Kind", choice(Asset, "kind"), required=True, aliases=("type",)),
            ImportField("link", "Link", read_url(Asset, "link"), required=True, aliases=("url",)),
            ImportField(
                "review_by", "Review by", read_date, required=True, help="A future date (2026-03-31)."
            ),
            ImportField("description", "Description", text(Asset, "description")),
            ImportField("products", "Products", read_products, help="Names separated by | or commas."),
            ImportField("internal_notes", "Internal notes", text(Asset, "internal_notes")),
        ),
        create_asset,
    ),
    ImportKind.REQUESTS: Kind(
        ImportKind.REQUESTS,
        "Requests",
        (
            ImportField("title", "Title", text(Request, "title"), required=True, aliases=("subject",)),
            ImportField("product", "Product", read_product, required=True),
            ImportField("type", "Type", choice(Request, "type"), required=True),
            ImportField(
                "needed_by", "Needed by", read_date, required=True, aliases=("due", "deadline", "due_date")
            ),
            ImportField(
                "requester",
                "Requester",
                read_requester,
                required=True,
                help="The sales rep's email or username.",
                aliases=("requested_by", "rep"),
            ),
            ImportField("details", "Details", text(Request, "details"), aliases=("description",)),
            ImportField("account", "Account", text(Request, "account"), aliases=("customer",)),
            ImportField("opportunity_value", "Opportunity value", read_decimal, aliases=("value", "amount")),
            ImportField("competitor", "Competitor", text(Request, "competitor")),
            ImportField("deal_stage", "Deal stage", choice(Request, "deal_stage"), aliases=("stage",)),
        ),
        create_request,
    ),
    ImportKind.COMPETITORS: Kind(
        ImportKind.COMPETITORS,
        "Competitors",
        (
            ImportField("name", "Name", text(Competitor, "name"), required=True, aliases=("competitor",)),
            ImportField("aliases", "Aliases", text(Competitor, "aliases")),
            ImportField("website", "Website", read_url(Competitor, "website"), aliases=("url",)),
            ImportField("tier", "Tier", choice(Competitor, "tier")),
            *(
                ImportField(
                    name,
                    str(_model_field(Competitor, name).verbose_name).capitalize(),
                    text(Competitor, name),
                )
                for name in (
                    "summary",
                    "strengths",
                    "weaknesses",
                    "how_we_win",
                    "landmines",
                    "pricing_notes",
                )
            ),
        ),
        create_competitor,
    ),
}
