"""What the search index holds about competitors and battlecards (``pmm_portal.core.search``), kept in step.

A competitor's document is its name, then its aliases and tier, then what sales need to beat it;
a battlecard's is "<competitor> battlecard" (and its persona), then the competitor's names, then
its quick dismiss, why we win, landmines, proof points and objections with their answers. The
battlecard carries its competitor's name as the document's competitor, so a request form on which
the rep named that competitor moves the card up (``search.Boost``). Saves and deletes re-index
through the signals below; ``_set_objections`` (a bulk write) re-indexes its card itself.
"""

from typing import Any

from pmm_portal.core import search

from .models import Battlecard, Competitor
from .permissions import battlecards_visible_to, competitors_visible_to

COMPETITOR_TEXT = ("summary", "strengths", "weaknesses", "how_we_win", "landmines", "pricing_notes")
CARD_TEXT = ("quick_dismiss", "why_we_win", "landmines", "proof_points")


def competitor_document(competitor: Competitor) -> search.Document:
    return search.Document(
        title=competitor.name,
        tags=" ".join(filter(None, [competitor.aliases.replace(",", " "), "competitor"])),
        body="\n".join(filter(None, (getattr(competitor, name) for name in COMPETITOR_TEXT))),
        team_id=competitor.team_id,
        owner_id=competitor.owner_id,
        competitor=competitor.name,
        meta=f"Competitor · {competitor.get_tier_display()} · {competitor.team.name}",
        url=competitor.get_absolute_url(),
    )


def battlecard_title(card: Battlecard) -> str:
    title = f"{card.competitor.name} battlecard"
    return f"{title} for {card.persona.name}" if card.persona_id and card.persona else title


def battlecard_document(card: Battlecard) -> search.Document:
    competitor = card.competitor
    objections = [f"{o.objection}\n{o.answer}" for o in card.objections.all()]
    return search.Document(
        title=battlecard_title(card),
        tags=" ".join(filter(None, [competitor.name, competitor.aliases.replace(",", " "), "vs"])),
        body="\n".join(filter(None, [*(getattr(card, name) for name in CARD_TEXT), *objections])),
        team_id=competitor.team_id,
        owner_id=card.owner_id,
        competitor=competitor.name,
        meta=f"Battlecard · vs {competitor.name} · {competitor.team.name}",
        url=card.get_absolute_url(),
    )


def _reindex_cards(competitor: Any) -> None:
    """A competitor's name and aliases are in its battlecards' documents."""
    search.index_ids(Battlecard, competitor.battlecards.values_list("pk", flat=True))


def register() -> None:
    search.register(
        search.Kind(
            key="battlecard",
            label="Battlecards",
            model=Battlecard,
            document=battlecard_document,
            visible=battlecards_visible_to,
            queryset=lambda: Battlecard.objects.select_related(
                "competitor__team", "persona"
            ).prefetch_related("objections"),
            order=15,
        )
    )
    search.register(
        search.Kind(
            key="competitor",
            label="Competitors",
            model=Competitor,
            document=competitor_document,
            visible=competitors_visible_to,
            queryset=lambda: Competitor.objects.select_related("team"),
            order=25,
        )
    )
    search.keep_in_step(Competitor, after_save=_reindex_cards)
    search.keep_in_step(Battlecard)
