"""What the search index holds about initiatives and wins, kept in step by the signals below."""

from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse

from pmm_portal.core import search
from pmm_portal.core.models import User

from .models import Initiative, Win
from .permissions import visible_to, wins_visible_to


def initiative_document(initiative: Initiative) -> search.Document:
    products = list(initiative.products.all())
    return search.Document(
        title=initiative.title,
        tags=" ".join([*(p.name for p in products), *(p.name for p in initiative.personas.all())]),
        body="\n".join(filter(None, [initiative.goal, initiative.expected_impact])),
        team_id=initiative.team_id,
        product_ids=[p.pk for p in products],
        meta=f"Initiative · {initiative.owner.display_name} · {initiative.get_status_display()}",
        url=reverse("initiatives:detail", args=[initiative.pk]),
    )


def win_document(win: Win) -> search.Document:
    return search.Document(
        title=win.title,
        tags=win.initiative.title if win.initiative else "",
        body=win.impact,
        team_id=win.team_id,
        meta=f"Win · {win.owner.display_name} · {win.date:%d %b %Y}",
        url=f"{reverse('initiatives:wins')}?{urlencode({'q': win.title})}",
    )


def _initiatives_visible(user: User) -> QuerySet[Initiative]:
    return visible_to(user)


def _on_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        search.index_ids(sender, [instance.pk])


def _on_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    search.unindex(sender, [instance.pk])


def _on_links_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        if pk_set:
            search.index_ids(Initiative, pk_set)
    else:
        search.index_ids(Initiative, [instance.pk])


def register() -> None:
    search.register(
        search.Kind(
            key="initiative",
            label="Initiatives",
            model=Initiative,
            document=initiative_document,
            visible=_initiatives_visible,
            queryset=lambda: Initiative.objects.select_related("owner").prefetch_related(
                "products", "personas"
            ),
            order=60,
        )
    )
    search.register(
        search.Kind(
            key="win",
            label="Wins",
            model=Win,
            document=win_document,
            visible=wins_visible_to,
            queryset=lambda: Win.objects.select_related("owner", "initiative"),
            order=70,
        )
    )
    for model in (Initiative, Win):
        post_save.connect(_on_saved, sender=model, dispatch_uid=f"search_{model.__name__}_saved")
        post_delete.connect(_on_deleted, sender=model, dispatch_uid=f"search_{model.__name__}_deleted")
    for through in (Initiative.products.through, Initiative.personas.through):
        m2m_changed.connect(
            _on_links_changed, sender=through, dispatch_uid=f"search_links_{through.__name__}"
        )
