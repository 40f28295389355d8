"""What the search index holds about initiatives and wins, kept in step by the signals below."""

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from pmm_portal.core import search
from pmm_portal.core.models import User

from .models import Initiative, Learning, Win
from .permissions import learnings_visible_to, visible_to, wins_visible_to


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


def learning_document(learning: Learning) -> search.Document:
    return search.Document(
        title=learning.title,
        tags=" ".join(
            filter(None, ["learning", "experiment", learning.initiative.title if learning.initiative else ""])
        ),
        body="\n".join(
            filter(
                None,
                [
                    learning.hypothesis,
                    learning.tried,
                    learning.measure,
                    learning.result_notes,
                    learning.lesson,
                ],
            )
        ),
        team_id=learning.team_id,
        owner_id=learning.owner_id,
        state=learning.result,
        meta=f"Learning · {learning.owner.display_name} · {learning.get_result_display()} · {learning.date:%b %Y}",
        url=reverse("initiatives:learning", args=[learning.pk]),
    )


def _initiatives_visible(user: User) -> QuerySet[Initiative]:
    return visible_to(user)


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
    search.keep_in_step(Initiative, links=[Initiative.products.through, Initiative.personas.through])
    search.register(
        search.Kind(
            key="learning",
            label="Learnings",
            model=Learning,
            document=learning_document,
            visible=learnings_visible_to,
            queryset=lambda: Learning.objects.select_related("owner", "initiative"),
            order=75,
        )
    )
    search.keep_in_step(Win)
    search.keep_in_step(Learning)
