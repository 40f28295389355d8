"""What the search index holds about personas, quotes and customer interactions, kept in step.

Saves and deletes re-index through the signals below; services that write in
bulk (quotes of an interaction) call ``search.index_ids`` themselves.
"""

from django.db.models import Q, QuerySet

from pmm_portal.core import search
from pmm_portal.core.models import User

from .models import CustomerInteraction, Persona, Quote
from .permissions import interactions_visible_to, visible_to

PERSONA_TEXT = (
    "summary",
    "goals",
    "concerns",
    "urgent_problems",
    "decision_criteria",
    "information_sources",
    "preferred_content",
    "sales_style",
    "motivators",
    "change_asked",
    "enablement_needs",
    "jobs",
    "workflows",
    "frustrations",
)


def persona_document(persona: Persona) -> search.Document:
    products = list(persona.products.all())
    return search.Document(
        title=persona.name,
        tags=" ".join(
            filter(
                None,
                [
                    persona.get_kind_display(),
                    persona.job_titles,
                    persona.company_profile,
                    persona.get_buying_role_display() if persona.buying_role else "",
                    *(p.name for p in products),
                ],
            )
        ),
        body="\n".join(filter(None, (getattr(persona, name) for name in PERSONA_TEXT))),
        team_id=persona.team_id,
        product_ids=[p.pk for p in products],
        meta=f"{persona.get_kind_display()} persona · {persona.team.name} · {persona.get_status_display()}",
        url=persona.get_absolute_url(),
    )


def quote_document(quote: Quote) -> search.Document:
    interaction = quote.interaction
    who = quote.speaker_role or "Customer"
    about = quote.persona.name if quote.persona else interaction.account
    return search.Document(
        title=quote.text[:160],
        tags=" ".join(filter(None, [who, quote.persona.name if quote.persona else "", interaction.account])),
        body=quote.text,
        team_id=interaction.team_id,
        meta=f"Quote · {who} · {about}",
        url=quote.persona.get_absolute_url() if quote.persona else interaction.get_absolute_url(),
    )


def interaction_document(interaction: CustomerInteraction) -> search.Document:
    personas = [p.name for p in interaction.personas.all()]
    return search.Document(
        title=f"{interaction.get_kind_display()} with {interaction.account}",
        tags=" ".join([interaction.account, interaction.get_kind_display(), *personas]),
        body=interaction.notes,
        team_id=interaction.team_id,
        meta=f"{interaction.get_kind_display()} · {interaction.occurred_on:%d %b %Y}",
        url=interaction.get_absolute_url(),
    )


def quotes_visible_to(user: User) -> QuerySet[Quote]:
    """Quotes of interactions ``user`` reads, and those usable in sales of personas they read."""
    return Quote.objects.filter(
        Q(interaction__in=interactions_visible_to(user).order_by().values("pk"))
        | Q(usable_in_sales=True, persona__in=visible_to(user).order_by().values("pk"))
    )


def _personas_visible(user: User) -> QuerySet[Persona]:
    return visible_to(user)


PERSONA_FIELDS = frozenset({"name", "status", "team", "kind", *PERSONA_TEXT})


def _reindex_quotes(interaction: CustomerInteraction) -> None:
    """An interaction's quotes carry its account."""
    search.index_ids(Quote, interaction.quotes.values_list("pk", flat=True))


def register() -> None:
    search.register(
        search.Kind(
            key="persona",
            label="Personas",
            model=Persona,
            document=persona_document,
            visible=_personas_visible,
            queryset=lambda: Persona.objects.select_related("team").prefetch_related("products"),
            order=30,
        )
    )
    search.register(
        search.Kind(
            key="quote",
            label="Quotes",
            model=Quote,
            document=quote_document,
            visible=quotes_visible_to,
            queryset=lambda: Quote.objects.select_related("interaction", "persona"),
            order=40,
        )
    )
    search.register(
        search.Kind(
            key="interaction",
            label="Customer interactions",
            model=CustomerInteraction,
            document=interaction_document,
            visible=interactions_visible_to,
            queryset=lambda: CustomerInteraction.objects.prefetch_related("personas"),
            order=50,
        )
    )
    search.keep_in_step(Persona, watched=PERSONA_FIELDS, links=[Persona.products.through])
    search.keep_in_step(Quote)
    search.keep_in_step(
        CustomerInteraction, links=[CustomerInteraction.personas.through], after_save=_reindex_quotes
    )
