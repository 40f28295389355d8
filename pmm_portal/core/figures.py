"""Figures computed once per change, not once per view: a cache keyed by each team's data version.

The dashboard, the CMO home and the API read a team's month far more often than
anything in it changes, and computing it takes a dozen grouped queries. Each team
row carries ``figures_version``; every write to data the figures count raises it
(``watch`` wires the signals; services that write in bulk call ``changed``), in the
writer's own transaction, so a reader sees either the old data and the old version
or the new data and the new version. Cached figures are keyed by the versions of
the teams they cover, read from the ``Team`` rows the page has just loaded, so a
write is never followed by stale figures, whichever process or cache answers.

``FIGURES_CACHE_SECONDS`` (0 turns the cache off: the test settings do) bounds how
long an unchanged team's figures are kept; the key also holds the hour, so figures
that depend on the clock ("stale for 180 days", the month so far) move on.
"""

from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Model, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import Team

T = TypeVar("T")


def enabled() -> bool:
    return bool(getattr(settings, "FIGURES_CACHE_SECONDS", 0))


def changed(teams: Q) -> None:
    """The data behind the figures of ``teams`` (a condition on ``Team``) changed: raise their versions."""
    if enabled():
        Team.objects.filter(teams).update(figures_version=F("figures_version") + 1)


def changed_for_users(user_ids: Iterable[int]) -> None:
    """What ``user_ids`` logged or planned changed: the teams they belong to."""
    ids = list(user_ids)
    if ids:
        changed(Q(members__in=ids))


def watch(
    model: type[Model],
    teams: Callable[[Any], Q],
    *,
    ignore: frozenset[str] = frozenset(),
    links: Iterable[type[Model]] = (),
) -> None:
    """Raise the versions of ``teams(instance)`` when a ``model`` row is saved or deleted.

    A save that wrote only ``ignore`` fields (a sign-in's ``last_login``) changes
    nothing counted. ``links`` are many-to-many tables whose changes count too.
    """
    uid = f"figures_{model._meta.label_lower}"

    def on_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
        if kwargs.get("raw") or (update_fields and set(update_fields) <= ignore):
            return
        changed(teams(instance))

    def on_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
        changed(teams(instance))

    def on_linked(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
        if action in ("post_add", "post_remove", "post_clear"):
            changed(teams(instance))

    post_save.connect(on_saved, sender=model, weak=False, dispatch_uid=f"{uid}_saved")
    post_delete.connect(on_deleted, sender=model, weak=False, dispatch_uid=f"{uid}_deleted")
    for through in links:
        m2m_changed.connect(
            on_linked, sender=through, weak=False, dispatch_uid=f"{uid}_{through._meta.label_lower}"
        )


def cached(
    name: str,
    *,
    teams: list[Team] | Callable[[], list[Team]],
    compute: Callable[[], T],
    parts: Iterable[Any] = (),
) -> T:
    """``compute()``, or what it gave for the same ``name``, ``parts`` and team versions this hour.

    ``teams`` (or a function that loads them, called only when the cache is on) must
    come from the database in the current request: their ``figures_version`` is what
    makes the cached value current.
    """
    seconds = getattr(settings, "FIGURES_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    if callable(teams):
        teams = teams()
    if not teams:
        return compute()
    versions = ",".join(f"{team.pk}.{team.figures_version}" for team in sorted(teams, key=lambda t: t.pk))
    hour = timezone.now().strftime("%Y%m%d%H")
    key = ":".join(["figures", name, hour, versions, *(str(part) for part in parts)])
    value = None
    with suppress(Exception):  # the cache is an accelerator: without it, compute
        value = cache.get(key)
    if value is None:
        value = compute()
        with suppress(Exception):
            cache.set(key, value, seconds)
    return value
