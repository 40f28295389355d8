"""Every change to personas, positioning and customer interactions.

Callers (pages, API) check the permission door first (``permissions.access_*``);
these functions enforce the domain rules — kind-specific fields, one team per
interaction and its evidence, length limits — and raise ``ValidationError``
with field errors before writing anything. Multi-step writes are atomic, so a
refused change leaves nothing half-saved. ``actor`` is recorded as the author
of the history entry.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pmm_portal.core import search
from pmm_portal.core.history import record_updates
from pmm_portal.core.models import Product, Team, User

from .models import (
    KIND_FIELDS,
    CustomerInteraction,
    FollowUp,
    Objection,
    Persona,
    PersonaKind,
    PersonaStatus,
    Positioning,
    Quote,
    foreign_fields_for_kind,
)

# Fields a caller may set directly on a persona (relations have their own arguments).
PERSONA_COMMON_FIELDS = ("name", "status", "job_titles", "summary", "company_profile")
PERSONA_FIELDS = PERSONA_COMMON_FIELDS + tuple(f for fields in KIND_FIELDS.values() for f in fields)
INTERACTION_FIELDS = ("occurred_on", "kind", "account", "notes", "duration_minutes")
QUOTE_FIELDS = ("text", "speaker_role", "usable_in_sales", "persona")


def _label(field: str) -> str:
    if field in ("objections", "sells_to"):
        return {"objections": "Objections", "sells_to": "Buyer personas sold to"}[field]
    return str(getattr(Persona._meta.get_field(field), "verbose_name", field)).capitalize()


def check_kind_fields(kind: str, values: Mapping[str, Any]) -> None:
    """Refuse a known kind with fields that belong to another kind, naming each offending field.

    A field of another kind is refused when it is given at all, even empty: a client
    that sends one has misunderstood the kind. ``None`` means "not given".
    """
    if kind not in PersonaKind.values:
        raise ValidationError(
            {"kind": f"“{kind}” is not a persona kind; choose buyer, user or sales_channel."}
        )
    label = PersonaKind(kind).label.lower()
    errors = {
        field: f"{_label(field)} does not apply to {label} personas; leave it out."
        for field in foreign_fields_for_kind(kind)
        if values.get(field) is not None
    }
    if errors:
        raise ValidationError(errors)


def _check_unknown(values: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))


def _check_fixed(instance: Any, fields: dict[str, Any], names: Iterable[str], message: str) -> None:
    """Refuse a new value for a field that never changes; drop the ones sent back unchanged."""
    errors = {
        name: message.format(name=name)
        for name in names
        if name in fields and fields[name] != getattr(instance, name)
    }
    if errors:
        raise ValidationError(errors)
    for name in names:
        fields.pop(name, None)


def _check_products(team: Team, products: Sequence[Product]) -> None:
    foreign = [p.name for p in products if p.team_id != team.pk]
    if foreign:
        raise ValidationError(
            {"products": f"{', '.join(foreign)} belongs to another team; pick products of {team.name}."}
        )


def _check_sells_to(persona: Persona, sells_to: Sequence[Persona]) -> None:
    wrong = [
        p.name
        for p in sells_to
        if p.kind != PersonaKind.BUYER or p.team_id != persona.team_id or p.pk == persona.pk
    ]
    if wrong:
        raise ValidationError(
            {"sells_to": f"Pick buyer personas of {persona.team.name}; not: {', '.join(wrong)}."}
        )


def _clean_objections(objections: Sequence[Mapping[str, Any]]) -> list[Objection]:
    rows = []
    for position, item in enumerate(objections):
        row = Objection(
            objection=str(item.get("objection", "")).strip(),
            response=str(item.get("response", "")).strip(),
            position=position,
        )
        try:
            row.full_clean(exclude=["persona"])
        except ValidationError as error:
            raise ValidationError(
                {"objections": [f"Objection {position + 1}: {m}" for m in error.messages]}
            ) from error
        rows.append(row)
    return rows


def _save_persona_relations(
    persona: Persona,
    *,
    products: Sequence[Product] | None,
    objections: Sequence[Mapping[str, Any]] | None,
    sells_to: Sequence[Persona] | None,
    objection_rows: list[Objection] | None,
) -> None:
    if products is not None:
        persona.products.set(products)
    if sells_to is not None:
        persona.sells_to.set(sells_to)
    if objection_rows is not None:
        persona.objections.all().delete()
        for row in objection_rows:
            row.persona = persona
        Objection.objects.bulk_create(objection_rows)


@transaction.atomic
def persona_create(
    *,
    actor: User,
    team: Team,
    kind: str,
    name: str,
    owner: User | None = None,
    products: Sequence[Product] = (),
    objections: Sequence[Mapping[str, Any]] | None = None,
    sells_to: Sequence[Persona] | None = None,
    **fields: Any,
) -> Persona:
    """Create a persona of ``kind`` for ``team``, owned by ``owner`` (the actor by default).

    ``objections`` (buyers) and ``sells_to`` (sales channels) are given only for their kind.
    """
    _check_unknown(fields, PERSONA_FIELDS)
    check_kind_fields(kind, {**fields, "objections": objections, "sells_to": sells_to})
    fields.setdefault("status", PersonaStatus.DRAFT)
    if fields["status"] == PersonaStatus.VALIDATED:
        fields.update(last_validated_at=timezone.now(), last_validated_by=actor)
    persona = Persona(team=team, kind=kind, name=name.strip(), owner=owner or actor, **fields)
    persona.full_clean()
    _check_products(team, products)
    _check_sells_to(persona, sells_to or ())
    rows = _clean_objections(objections or ())
    persona._history_user = actor  # type: ignore[attr-defined]
    persona.save()
    _save_persona_relations(
        persona, products=products, objections=objections, sells_to=sells_to, objection_rows=rows
    )
    return persona


@transaction.atomic
def persona_update(
    *,
    actor: User,
    persona: Persona,
    products: Sequence[Product] | None = None,
    objections: Sequence[Mapping[str, Any]] | None = None,
    sells_to: Sequence[Persona] | None = None,
    **fields: Any,
) -> Persona:
    """Change a persona's fields (its kind and team are fixed); ``None`` relations stay as they are.

    Each save leaves one history entry with the fields that changed. ``kind`` and
    ``team`` may be passed back unchanged (a full update); a different one is refused.
    """
    _check_fixed(persona, fields, ("kind", "team"), "A persona's {name} cannot change; create a new one.")
    _check_unknown(fields, PERSONA_FIELDS)
    check_kind_fields(persona.kind, {**fields, "objections": objections, "sells_to": sells_to})
    if fields.get("status") == PersonaStatus.VALIDATED and persona.status != PersonaStatus.VALIDATED:
        fields.update(last_validated_at=timezone.now(), last_validated_by=actor)
    changed = [name for name, value in fields.items() if getattr(persona, name) != value]
    for name in changed:
        setattr(persona, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    persona.full_clean()
    if products is not None:
        _check_products(persona.team, products)
    if sells_to is not None:
        _check_sells_to(persona, sells_to)
    rows = _clean_objections(objections) if objections is not None else None
    if changed:
        persona._history_user = actor  # type: ignore[attr-defined]
        persona.save(update_fields=[*changed, "updated_at"])
    _save_persona_relations(
        persona, products=products, objections=objections, sells_to=sells_to, objection_rows=rows
    )
    return persona


def persona_validate(*, actor: User, persona: Persona) -> Persona:
    """The owner confirms the persona still matches what customers say: records who and when."""
    if persona.status == PersonaStatus.RETIRED:
        raise ValidationError("A retired persona cannot be validated; reopen it as a draft first.")
    persona.status = PersonaStatus.VALIDATED
    persona.last_validated_at = timezone.now()
    persona.last_validated_by = actor
    persona._history_user = actor  # type: ignore[attr-defined]
    persona.save(update_fields=["status", "last_validated_at", "last_validated_by", "updated_at"])
    return persona


def persona_retire(*, actor: User, persona: Persona) -> Persona:
    persona.status = PersonaStatus.RETIRED
    persona._history_user = actor  # type: ignore[attr-defined]
    persona.save(update_fields=["status", "updated_at"])
    return persona


@transaction.atomic
def positioning_update(
    *, actor: User, persona: Persona, product: Product, side: str, **fields: Any
) -> Positioning:
    """Write one side of a persona's positioning for ``product``: "pm" (value proposition) or "pmm".

    The row is created on first write; ``select_for_update`` keeps a PM and a PMM
    saving their sides at the same moment from overwriting each other.
    """
    if side not in ("pm", "pmm"):
        raise ValidationError({"side": "Choose the “pm” or the “pmm” side of the positioning."})
    allowed = Positioning.PM_FIELDS if side == "pm" else Positioning.PMM_FIELDS
    foreign = sorted(set(fields) & set(Positioning.PM_FIELDS + Positioning.PMM_FIELDS) - set(allowed))
    if foreign:
        raise ValidationError(
            dict.fromkeys(foreign, f"Not part of the {side.upper()} side of the positioning.")
        )
    _check_unknown(fields, allowed)
    if product.team_id != persona.team_id:
        raise ValidationError({"product": f"Pick a product of {persona.team.name}."})
    positioning = Positioning.objects.select_for_update().filter(persona=persona, product=product).first()
    created = positioning is None
    if positioning is None:
        positioning = Positioning(persona=persona, product=product)
    changed = [name for name, value in fields.items() if getattr(positioning, name) != value]
    for name in changed:
        setattr(positioning, name, fields[name].strip())
    positioning.full_clean()
    positioning._history_user = actor  # type: ignore[attr-defined]
    if created:
        positioning.save()
    elif changed:
        positioning.save(update_fields=[*changed, "updated_at"])
    persona.products.add(product)
    return positioning


# --- Customer interactions -------------------------------------------------------------


def _check_personas_of_team(team: Team, personas: Iterable[Persona | None], field: str) -> None:
    foreign = [p.name for p in personas if p is not None and p.team_id != team.pk]
    if foreign:
        raise ValidationError(
            {field: f"{', '.join(foreign)} is a persona of another team; link personas of {team.name}."}
        )


def _build_quote(interaction: CustomerInteraction, values: Mapping[str, Any], index: int | None) -> Quote:
    _check_unknown(values, QUOTE_FIELDS)
    quote = Quote(
        interaction=interaction,
        text=str(values.get("text", "")).strip(),
        speaker_role=str(values.get("speaker_role", "")).strip(),
        usable_in_sales=bool(values.get("usable_in_sales", False)),
        persona=values.get("persona"),
    )
    _check_personas_of_team(interaction.team, [quote.persona], "persona" if index is None else "quotes")
    try:
        quote.full_clean(exclude=["interaction", "persona"])
    except ValidationError as error:
        if index is None:
            raise
        raise ValidationError({"quotes": [f"Quote {index + 1}: {m}" for m in error.messages]}) from error
    return quote


def _build_follow_up(
    interaction: CustomerInteraction, owner: User, values: Mapping[str, Any], index: int | None
) -> FollowUp:
    _check_unknown(values, ("description", "due_on"))
    follow_up = FollowUp(
        interaction=interaction,
        owner=owner,
        description=str(values.get("description", "")).strip(),
        due_on=values.get("due_on"),  # type: ignore[misc]
    )
    try:
        follow_up.full_clean(exclude=["interaction", "owner"])
    except ValidationError as error:
        if index is None:
            raise
        raise ValidationError(
            {"follow_ups": [f"Follow-up {index + 1}: {m}" for m in error.messages]}
        ) from error
    return follow_up


@transaction.atomic
def interaction_create(
    *,
    actor: User,
    team: Team,
    kind: str,
    account: str,
    occurred_on: date | None = None,
    notes: str = "",
    duration_minutes: int = 30,
    personas: Sequence[Persona] = (),
    quotes: Sequence[Mapping[str, Any]] = (),
    follow_ups: Sequence[Mapping[str, Any]] = (),
) -> CustomerInteraction:
    """Log an interaction with its quotes and follow-ups in one go (all or nothing).

    Every linked persona, including each quote's, must belong to ``team``; a quote's
    persona is linked to the interaction too.
    """
    interaction = CustomerInteraction(
        team=team,
        owner=actor,
        kind=kind,
        account=account.strip(),
        occurred_on=occurred_on or timezone.localdate(),
        notes=notes.strip(),
        duration_minutes=duration_minutes,
    )
    interaction.full_clean()
    _check_personas_of_team(team, personas, "personas")
    quote_rows = [_build_quote(interaction, values, i) for i, values in enumerate(quotes)]
    follow_up_rows = [_build_follow_up(interaction, actor, values, i) for i, values in enumerate(follow_ups)]
    interaction.save()
    linked = {p.pk: p for p in personas} | {q.persona.pk: q.persona for q in quote_rows if q.persona}
    interaction.personas.set(list(linked.values()))
    Quote.objects.bulk_create(quote_rows)
    FollowUp.objects.bulk_create(follow_up_rows)
    search.index(quote_rows)  # bulk_create passes the signals that keep the search index
    return interaction


@transaction.atomic
def interaction_update(
    *,
    actor: User,
    interaction: CustomerInteraction,
    personas: Sequence[Persona] | None = None,
    **fields: Any,
) -> CustomerInteraction:
    """Change an interaction's date, kind, account, notes, duration or linked personas.

    Its team never changes; quotes and follow-ups are added one by one
    (:func:`quote_add`, :func:`follow_up_add`), not here.
    """
    _check_evidence_elsewhere(fields)
    _check_fixed(interaction, fields, ("team",), "An interaction's team cannot change.")
    _check_unknown(fields, INTERACTION_FIELDS)
    changed = [name for name, value in fields.items() if getattr(interaction, name) != value]
    for name in changed:
        value = fields[name]
        setattr(interaction, name, value.strip() if isinstance(value, str) else value)
    interaction.full_clean()
    if personas is not None:
        _check_personas_of_team(interaction.team, personas, "personas")
    if changed:
        interaction.save(update_fields=[*changed, "updated_at"])
    if personas is not None:
        interaction.personas.set(personas)
    return interaction


def _check_evidence_elsewhere(fields: Mapping[str, Any]) -> None:
    errors = {
        name: "Add quotes and follow-ups on the interaction's page; this endpoint changes the interaction only."
        for name in ("quotes", "follow_ups")
        if name in fields
    }
    if errors:
        raise ValidationError(errors)


def interaction_delete(*, actor: User, interaction: CustomerInteraction) -> None:
    interaction.delete()


@transaction.atomic
def quote_add(
    *,
    actor: User,
    interaction: CustomerInteraction,
    text: str,
    speaker_role: str = "",
    usable_in_sales: bool = False,
    persona: Persona | None = None,
) -> Quote:
    """Add a quote to an interaction; its persona (of the same team) becomes linked evidence."""
    quote = _build_quote(
        interaction,
        {"text": text, "speaker_role": speaker_role, "usable_in_sales": usable_in_sales, "persona": persona},
        None,
    )
    quote.save()
    if persona is not None:
        interaction.personas.add(persona)
    return quote


def follow_up_add(
    *, actor: User, interaction: CustomerInteraction, description: str, due_on: date
) -> FollowUp:
    follow_up = _build_follow_up(interaction, actor, {"description": description, "due_on": due_on}, None)
    follow_up.save()
    return follow_up


def follow_up_complete(*, actor: User, follow_up: FollowUp, done: bool = True) -> FollowUp:
    """Tick a follow-up off (or reopen it).

    A conditional update: when two tabs tick the same follow-up, the first keeps
    its time and author and the second changes nothing.
    """
    rows = FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=done)
    if done:
        changed = rows.update(done_at=timezone.now(), done_by=actor)
    else:
        changed = rows.update(done_at=None, done_by=None)
    if changed:
        record_updates(FollowUp, [follow_up.pk], actor=actor)
    follow_up.refresh_from_db(fields=["done_at", "done_by"])
    return follow_up
