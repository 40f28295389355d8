"""Relevance ranking: the one place that decides what a search or a suggestion finds, and in what order.

Every searchable thing (an asset, a request, a persona, a quote, an interaction,
an initiative, a win) has one ``SearchDocument`` row: a title, tags and a body,
plus the team, products, competitor and type a rep may have chosen. The app
that owns the thing registers a ``Kind`` (its document, who may see it) and
keeps its rows in step when its services write (``index``, ``unindex``).

A search runs in two steps:

1. **Retrieval in the database, through an index.** PostgreSQL: a weighted
   ``tsvector`` (title A, tags B, body C; a trigger keeps it) under a GIN index,
   OR trigram word similarity (``pg_trgm``) on title and tags under a second GIN
   index, so a typo still retrieves. SQLite: an FTS5 table (porter stemming; the
   triggers of the migration keep it) ranked by bm25 with the same weights; a
   typo is corrected against the FTS5 vocabulary. Either way the query is the
   same expansion of the words typed (``parse``): each word, its stem as a
   prefix (``competitor`` also finds ``competitive``), abbreviations reps use and
   words run together (``battle card`` finds ``battlecard``). At most
   ``CANDIDATES`` rows come back, those the user may see only (the visibility
   querysets are subqueries, applied in the database).
2. **Ranking in Python** (``score``), the same on both databases: how much of
   the question each document covers, in its title above its tags above its
   body, rare words weighing more than common ones, an exact title first; then
   boosts for the product, competitor and type already chosen. The matched
   words are what the page highlights.

Stop words alone (``the``, ``for``, ``help``…) find nothing.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.db.models.functions import Length
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from .models import SearchDocument, User

# --- Words ---------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TOKEN = re.compile(r"([^\W_]+)", re.UNICODE)

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "more",
        "most",
        "my",
        "need",
        "needs",
        "needed",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "please",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "very",
        "vs",
        "versus",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "want",
        "wants",
        "help",
        "anyone",
        "something",
        "thing",
        "things",
        "hi",
        "hey",
        "thanks",
        "asap",
        "urgent",
        "quick",
        "quickly",
        "new",
        "deal",
        "looking",
        "pls",
        "plz",
        "anything",
        "someone",
        "got",
        "much",
        "many",
        "say",
        "says",
        "said",
        "tell",
    ]
)

# What reps type for what the library calls it: each key also finds its expansions.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "bc": ("battlecard",),
    "battlecards": ("battlecard",),
    "comp": ("competitive", "competitor"),
    "compete": ("competitive", "competitor"),
    "competition": ("competitor", "competitive"),
    "intel": ("intelligence", "competitive"),
    "ci": ("competitive", "intelligence"),
    "exec": ("executive",),
    "execs": ("executive",),
    "ds": ("datasheet",),
    "spec": ("datasheet",),
    "specs": ("datasheet",),
    "pres": ("deck", "presentation"),
    "presentation": ("deck", "slides"),
    "slides": ("deck",),
    "slide": ("deck",),
    "ppt": ("deck", "slides"),
    "deck": ("slides",),
    "email": ("mail",),
    "e-mail": ("email",),
    "mail": ("email",),
    "followup": ("follow",),
    "fu": ("follow",),
    "price": ("pricing",),
    "prices": ("pricing",),
    "cost": ("pricing", "price"),
    "quote": ("pricing", "proposal"),
    "discount": ("pricing",),
    "pkg": ("packaging",),
    "script": ("script",),
    "talktrack": ("script",),
    "vm": ("voicemail",),
    "disco": ("discovery",),
    "sec": ("security",),
    "infosec": ("security",),
    "questionnaire": ("questionnaire",),
    "rfp": ("questionnaire", "proposal"),
    "rfi": ("questionnaire",),
    "ref": ("reference",),
    "refs": ("reference",),
    "roi": ("roi", "business", "case"),
    "tco": ("cost", "roi"),
    "qbr": ("qbr", "executive"),
    "onepager": ("one", "pager"),
    "overview": ("overview",),
    "nw": ("northwind",),
    "sdr": ("sdr",),
    "sdrs": ("sdr",),
    "cfo": ("cfo", "cfos"),
    "cfos": ("cfo",),
    "hc": ("healthcare",),
    "health": ("healthcare",),
    "pubsec": ("public", "sector"),
    "gov": ("public", "sector"),
    "emea": ("emea",),
    "objections": ("objection",),
    "cheaper": ("cheaper", "pricing"),
    "beat": ("against", "battlecard", "competitive"),
    "win": ("against", "battlecard"),
    "sheet": ("datasheet",),
    "tier": ("packaging", "pricing"),
    "tiers": ("packaging", "pricing"),
    "onepage": ("one-page", "datasheet"),
    "pdf": ("datasheet",),
    "drop": ("cut",),
    "cut": ("drop",),
    "comparison": ("compare",),
    "compare": ("comparison",),
    "eval": ("evaluation",),
    "tech": ("technical",),
    "briefing": ("briefing",),
}

_SUFFIXES = (
    "ations",
    "ation",
    "ities",
    "ity",
    "ings",
    "ing",
    "ions",
    "ion",
    "ives",
    "ive",
    "ors",
    "or",
    "ers",
    "er",
    "ies",
    "es",
    "ed",
    "ly",
    "s",
    "e",
)


ROOT = 6  # a long word's first letters find its family: comparison → compar(e)


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light stem, so word variants meet: ``competitor``/``competitive`` → ``competit``."""
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "")]


@functools.lru_cache(maxsize=65536)
def _distance_at_most(a: str, b: str, limit: int) -> bool:
    """Whether the edit distance (with transpositions) between ``a`` and ``b`` is at most ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


def typo_limit(word: str) -> int:
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


# --- The question --------------------------------------------------------------------------------


@dataclass
class Term:
    """One word of the question and the forms that count as it."""

    word: str
    forms: set[str]
    stems: set[str]
    joined_with_next: str = ""  # "battle" + "card" → "battlecard"
    joined_with_previous: str = ""
    known: bool = False  # an indexed word as typed: no need to look it up as a prefix


@dataclass
class Question:
    text: str
    terms: list[Term]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def normalized(self) -> str:
        return " ".join(words(self.text))

    def groups(self) -> list[list[tuple[str, bool]]]:
        """Per word, the forms to look up in the index, each with whether it is a prefix.

        The word, its stem, its abbreviations and typo fixes, and the run-together form it
        shares with a neighbour (so ``battle card`` finds ``battlecard`` for both words) are
        looked up whole; the last word, while it is still being typed, as a prefix. (Prefix
        lookups cost the index much more: the planner turns to reading the whole table.)
        """
        found = []
        typing = bool(self.text) and not self.text[-1].isspace() and self.text[-1].isalnum()
        for index, term in enumerate(self.terms):
            prefix = typing and index == len(self.terms) - 1 and not term.known
            forms: dict[str, bool] = {}
            for form in sorted(term.forms | term.stems, key=len, reverse=True):
                forms[form] = prefix and len(form) >= 3
            for joined in (term.joined_with_next, term.joined_with_previous):
                if joined:
                    forms.setdefault(joined, False)
            cleaned: dict[str, bool] = {}
            for form, is_prefix in forms.items():
                form = _FTS_SAFE.sub("", form)
                if form and len(form) >= 2:
                    cleaned[form] = cleaned.get(form, False) or is_prefix
            found.append(list(cleaned.items())[:8])
        return [group for group in found if group]


def parse(text: str) -> Question:
    """The question's meaningful words, each with its stem, abbreviations and run-together forms."""
    raw = words(text)[:24]
    kept = [w for w in raw if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    terms: list[Term] = []
    seen: set[str] = set()
    for index, word in enumerate(kept):
        if word in seen:
            continue
        seen.add(word)
        forms = {word, *ABBREVIATIONS.get(word, ())}
        terms.append(
            Term(
                word=word,
                forms=forms,
                stems={stem(f) for f in forms},
                joined_with_next=word + kept[index + 1] if index + 1 < len(kept) else "",
                joined_with_previous=kept[index - 1] + word if index else "",
            )
        )
    return Question(text=text, terms=terms[:12])


# --- Documents and kinds -------------------------------------------------------------------------


@dataclass
class Document:
    """What an app says about one of its things, for the index."""

    title: str
    tags: str = ""
    body: str = ""
    team_id: int | None = None
    owner_id: int | None = None  # whose it is: the kind's ``hides_body`` may show the body to them only
    product_ids: Iterable[int] = ()
    competitor: str = ""
    type: str = ""
    state: str = ""
    meta: str = ""
    url: str = ""


@dataclass(frozen=True)
class Kind:
    """A searchable kind of thing, registered by the app that owns it.

    ``document`` builds its document (``None``: not searchable); ``visible`` is the
    queryset of what a user may see, used as a subquery (never loaded);
    ``queryset`` the rows to index (with what ``document`` reads).
    """

    key: str
    label: str
    model: type[Model]
    document: Callable[[Any], Document | None]
    visible: Callable[[User], QuerySet[Any]]
    queryset: Callable[[], QuerySet[Any]]
    order: int = 50
    # Whether ``user`` matches only the title of a document they may see (and reads no snippet of it).
    hides_body: Callable[[User, SearchDocument], bool] = field(default=lambda user, doc: False)


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.key] = kind


def kind_of(model: type[Model]) -> Kind | None:
    for kind in KINDS.values():
        if kind.model is model:
            return kind
    return None


# --- Keeping the index in step -------------------------------------------------------------------


def _row(kind: Kind, obj: Any, doc: Document) -> SearchDocument:
    from .models import SearchDocument

    title = (doc.title or "").strip()[:300]
    tags = (doc.tags or "").strip()[:2000]
    return SearchDocument(
        kind=kind.key,
        object_id=obj.pk,
        team_id=doc.team_id,
        owner_id=doc.owner_id,
        product_ids=",".join(str(p) for p in sorted(set(doc.product_ids))),
        competitor=(doc.competitor or "").strip().lower()[:120],
        type=doc.type or "",
        state=doc.state or "",
        title=title,
        tags=tags,
        body=(doc.body or "").strip()[:6000],
        meta=(doc.meta or "")[:300],
        url=doc.url[:300],
    )


UPDATE_FIELDS = [
    "updated_at",
    "team_id",
    "owner_id",
    "product_ids",
    "competitor",
    "type",
    "state",
    "title",
    "tags",
    "body",
    "meta",
    "url",
]
VOCABULARY_WORD = re.compile(r"^[^\W\d_]{4,60}$", re.UNICODE)


def index(objects: Iterable[Model]) -> int:
    """Write (or rewrite) the documents of ``objects``; one statement per 500. Returns how many."""
    from .models import SearchDocument

    rows: list[SearchDocument] = []
    gone: dict[str, list[int]] = {}
    for obj in objects:
        kind = kind_of(type(obj))
        if kind is None:
            continue
        doc = kind.document(obj)
        if doc is None:
            gone.setdefault(kind.key, []).append(obj.pk)
        else:
            rows.append(_row(kind, obj, doc))
    for key, ids in gone.items():
        SearchDocument.objects.filter(kind=key, object_id__in=ids).delete()
    if rows:
        _add_vocabulary(rows)
        SearchDocument.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=UPDATE_FIELDS,
        )
    return len(rows)


def _add_vocabulary(rows: list[SearchDocument]) -> None:
    """Keep the words of titles and tags, which mistyped words are corrected against."""
    from .models import SearchWord

    found = {w for row in rows for w in words(f"{row.title} {row.tags}") if VOCABULARY_WORD.match(w)}
    _FIXES.clear()
    _FREQUENCIES.clear()
    if found:
        SearchWord.objects.bulk_create(
            [SearchWord(word=w) for w in sorted(found)], batch_size=1000, ignore_conflicts=True
        )


def index_ids(model: type[Model], ids: Iterable[int]) -> int:
    """Re-index the rows ``ids`` of ``model`` (after a bulk write), loading them as the kind needs."""
    kind = kind_of(model)
    ids = list(ids)
    if kind is None or not ids:
        return 0
    found = list(kind.queryset().filter(pk__in=ids))
    missing = set(ids) - {obj.pk for obj in found}
    if missing:
        unindex(model, missing)
    return index(found)


def _as_saved(instance: Model) -> bool:
    """True when ``instance`` holds what its row holds: no field was saved as an expression (``F()``)."""
    return not any(
        hasattr(getattr(instance, column.attname, None), "resolve_expression")
        for column in instance._meta.concrete_fields
    )


@contextmanager
def _with_no_links(instance: Model) -> Iterator[Model]:
    """A row just created has no many-to-many links yet: say so while its document is built,
    rather than ask the database. Forgotten afterwards: links written later by another path
    (a through model's own ``create``) must be read again."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    primed = []
    for relation in instance._meta.many_to_many:
        if relation.name not in cache:
            nothing = relation.related_model._default_manager.none()
            nothing._result_cache, nothing._prefetch_done = [], True  # type: ignore[attr-defined]  # as a prefetch leaves it
            cache[relation.name] = nothing
            primed.append(relation.name)
    try:
        yield instance
    finally:
        for name in primed:
            cache.pop(name, None)


def unindex(model: type[Model], ids: Iterable[int]) -> None:
    from .models import SearchDocument

    kind = kind_of(model)
    if kind is not None:
        SearchDocument.objects.filter(kind=kind.key, object_id__in=list(ids)).delete()


LINK_ACTIONS = frozenset({"post_add", "post_remove", "post_clear"})


def keep_in_step(
    model: type[Model],
    *,
    watched: Iterable[str] | None = None,
    links: Iterable[type[Model]] = (),
    after_save: Callable[[Any], None] | None = None,
) -> None:
    """Re-index ``model``'s rows when one is saved, deleted or re-linked, through Django's signals.

    A save re-indexes when it wrote one of the ``watched`` fields (every save when
    ``watched`` is None); ``links`` are the many-to-many tables whose changes alter the
    document (either side of the link may change); ``after_save`` re-indexes what else
    the saved row's text appears in. Bulk writers call ``index_ids`` themselves.
    """
    from django.db.models.signals import m2m_changed, post_delete, post_save

    fields = frozenset(watched) if watched is not None else None
    uid = f"search_{model._meta.label_lower}"

    def on_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return
        if kwargs.get("created") and _as_saved(instance):
            with _with_no_links(instance) as written:
                index([written])  # what was just written: no need to read it again
        elif update_fields is None or fields is None or set(update_fields) & fields:
            index_ids(model, [instance.pk])
        if after_save is not None:
            after_save(instance)

    def on_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
        unindex(model, [instance.pk])

    def on_links_changed(
        sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
    ) -> None:
        if action not in LINK_ACTIONS:
            return
        if reverse:  # the other side (a product, a persona) gained or lost links
            if pk_set:
                index_ids(model, pk_set)
        else:
            index_ids(model, [instance.pk])

    post_save.connect(on_saved, sender=model, weak=False, dispatch_uid=f"{uid}_saved")
    post_delete.connect(on_deleted, sender=model, weak=False, dispatch_uid=f"{uid}_deleted")
    for through in links:
        m2m_changed.connect(
            on_links_changed, sender=through, weak=False, dispatch_uid=f"{uid}_{through._meta.label_lower}"
        )


def rebuild(*, kinds: Iterable[str] | None = None, batch: int = 2000) -> dict[str, int]:
    """Index everything again (after a bulk load, or when the index is new). Returns counts per kind."""
    from .models import SearchDocument

    counts = {}
    for key in kinds or list(KINDS):
        kind = KINDS[key]
        SearchDocument.objects.filter(kind=key).delete()
        total = 0
        last = 0
        while True:
            chunk = list(kind.queryset().filter(pk__gt=last).order_by("pk")[:batch])
            if not chunk:
                break
            total += index(chunk)
            last = chunk[-1].pk
        counts[key] = total
    if connection.vendor == "postgresql":
        # Retrieval reads how common each word is from the statistics ANALYZE keeps.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_searchdocument")
    return counts


# --- Retrieval -----------------------------------------------------------------------------------

CANDIDATES = 60
_FTS_SAFE = re.compile(r"[^\w]", re.UNICODE)


def _visible(user: User, kinds: Iterable[str], restrict: dict[str, QuerySet[Any] | Q] | None) -> Q:
    """The documents of ``kinds`` that ``user`` may see: each kind's rule, as a subquery.

    ``restrict`` replaces a kind's rule by a queryset of its objects or a condition on
    the documents themselves (cheaper: no subquery).
    """
    condition = Q(pk__in=[])
    for key in kinds:
        allowed = (restrict or {}).get(key)
        if isinstance(allowed, Q):
            condition |= Q(kind=key) & allowed
            continue
        if allowed is None:
            allowed = KINDS[key].visible(user)
        condition |= Q(kind=key, object_id__in=allowed.order_by().values("pk"))
    return condition


# Fixes found recently, per word (a rep types the same words keystroke after keystroke). Indexing
# in this process clears it; other processes see new words within ``FIX_TTL`` seconds.
_FIXES: dict[str, tuple[float, list[str]]] = {}
FIX_TTL = float(getattr(settings, "SEARCH_CACHE_SECONDS", 300))


def vocabulary_fixes(question: Question) -> dict[str, list[str]]:
    """Indexed words a typo or two away from the question's words (the word itself when indexed).

    One query at most: PostgreSQL finds the close words by trigram similarity (``%``,
    GIN index on ``core_searchword``); SQLite those of the same first letter and about
    the same length. The same edit-distance rule then decides on both.
    """
    from .models import SearchWord

    now = time.monotonic()
    wanted = {t.word: typo_limit(t.word) for t in question.terms if t.word.isalpha() and typo_limit(t.word)}
    fixes = {word: _FIXES[word][1] for word in wanted if word in _FIXES and now - _FIXES[word][0] < FIX_TTL}
    wanted = {word: limit for word, limit in wanted.items() if word not in fixes}
    if not wanted:
        return {word: found for word, found in fixes.items() if found}
    if connection.vendor == "postgresql":
        sql = " UNION ".join(["SELECT word FROM core_searchword WHERE word %% %s"] * len(wanted))
        with connection.cursor() as cursor:
            cursor.execute(sql, list(wanted))
            known = [row[0] for row in cursor.fetchall()]
    else:
        condition = Q(pk__in=[])
        for word, limit in wanted.items():
            condition |= Q(
                word__startswith=word[0],
                size__gte=len(word) - limit,
                size__lte=len(word) + limit,
            )
        known = list(
            SearchWord.objects.annotate(size=Length("word")).filter(condition).values_list("word", flat=True)
        )
    if len(_FIXES) > 5000:
        _FIXES.clear()
    for word, limit in wanted.items():
        close = [word] if word in known else sorted(k for k in known if _distance_at_most(word, k, limit))[:5]
        _FIXES[word] = (now, close)
        fixes[word] = close
    return {word: found for word, found in fixes.items() if found}


def fix_question(question: Question) -> None:
    """Add to each mistyped word of ``question`` the indexed words it was probably meant to be."""
    fixes = vocabulary_fixes(question)
    for term in question.terms:
        found = fixes.get(term.word, [])
        term.known = term.word in found
        for fixed in found:
            term.forms.add(fixed)
            term.stems.add(stem(fixed))


def candidates(
    question: Question, queryset: QuerySet[SearchDocument], *, limit: int = CANDIDATES, fix: bool = True
) -> list[SearchDocument]:
    """The documents of ``queryset`` that match ``question`` best by the engine's own measure."""
    fields = [
        "id",
        "kind",
        "object_id",
        "team_id",
        "owner_id",
        "product_ids",
        "competitor",
        "type",
        "state",
        "title",
        "tags",
        "body",
        "meta",
        "url",
    ]
    queryset = queryset.only(*fields).order_by()
    if fix:
        fix_question(question)
    groups = question.groups()
    if not groups:
        return []
    # Retrieval reads the index entries of the words it looks up: common words ("call", in four
    # documents of ten) cost much and say little. So: the documents with two of the uncommon
    # words at least (of the three rarest, when fewer are uncommon), then, if that leaves too
    # few, those with any of the rarest words, up to a budget of documents.
    frequencies = group_frequencies(groups)
    by_rarity = sorted(range(len(groups)), key=lambda i: (frequencies[i], i))
    # Three words at least: the rarest is often noise ("meeting", "asap") or a typo.
    uncommon = by_rarity[: max(3, sum(1 for f in frequencies if f < COMMON))]
    found: list[SearchDocument] = []
    if len(uncommon) > 1:
        found = _engine_query(queryset, [groups[i] for i in uncommon], strict=True, limit=limit)
    if len(found) < limit // 3:
        rarest: list[list[tuple[str, bool]]] = []
        total = 0.0
        for i in by_rarity:
            if rarest and total + frequencies[i] > BUDGET:
                break
            rarest.append(groups[i])
            total += frequencies[i]
        seen = {doc.pk for doc in found}
        found += [
            doc for doc in _engine_query(queryset, rarest, strict=False, limit=limit) if doc.pk not in seen
        ]
    return found[:limit]


# A word in more than this share of documents is common; the any-word retrieval reads at most
# about this share of documents.
COMMON = 0.05
BUDGET = 0.05
# The share of documents each form is in, per form, recently read (``group_frequencies``).
_FREQUENCIES: dict[str, tuple[float, float]] = {}
FREQUENCY_TTL = 2 * FIX_TTL


def group_frequencies(groups: list[list[tuple[str, bool]]]) -> list[float]:
    """The share of documents that hold each group's words (an estimate; 0 when rare or unknown).

    PostgreSQL: the column statistics ANALYZE keeps for the vector (its most common
    lexemes and their frequencies), so nothing is counted. SQLite: the FTS5 index counts.
    One query at most, none for forms read in the last ``FREQUENCY_TTL`` seconds.
    """
    now = time.monotonic()
    keys = [" ".join(form for form, _ in group) for group in groups]
    wanted = [
        k for k in dict.fromkeys(keys) if k not in _FREQUENCIES or now - _FREQUENCIES[k][0] > FREQUENCY_TTL
    ]
    if wanted:
        if len(_FREQUENCIES) > 5000:
            _FREQUENCIES.clear()
        if connection.vendor == "postgresql":
            forms = sorted({form for key in wanted for form in key.split()})
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    WITH common AS (
                        SELECT e.elem, e.freq
                        FROM pg_stats p,
                            unnest(p.most_common_elems::text::text[], p.most_common_elem_freqs) AS e(elem, freq)
                        WHERE p.schemaname = current_schema() AND p.tablename = 'core_searchdocument'
                            AND p.attname = 'vector'
                    ), forms AS (
                        SELECT f, unnest(tsvector_to_array(to_tsvector('english', f))) AS lexeme
                        FROM unnest(%s::text[]) AS f
                    )
                    SELECT forms.f, coalesce(max(common.freq), 0)
                    FROM forms LEFT JOIN common ON common.elem = forms.lexeme
                    GROUP BY forms.f
                    """,
                    [forms],
                )
                per_form = {form: float(freq) for form, freq in cursor.fetchall()}
            for key in wanted:
                _FREQUENCIES[key] = (now, min(1.0, sum(per_form.get(form, 0.0) for form in key.split())))
        else:
            # Only placeholders are joined: one count per group.
            count = "(SELECT count(*) FROM core_searchdocument_fts WHERE core_searchdocument_fts MATCH %s)"
            sql = "SELECT (SELECT count(*) FROM core_searchdocument), " + ", ".join([count] * len(wanted))  # noqa: S608
            params = [" OR ".join(f'"{form}"' for form in key.split()) for key in wanted]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                total, *counts = cursor.fetchone()
            for key, count in zip(wanted, counts, strict=True):
                _FREQUENCIES[key] = (now, count / total if total else 0.0)
    return [_FREQUENCIES[key][1] for key in keys]


def _engine_query(
    queryset: QuerySet[SearchDocument], groups: list[list[tuple[str, bool]]], *, strict: bool, limit: int
) -> list[SearchDocument]:
    """One query through the engine's index: ``strict`` asks for two words of the question at least."""
    if connection.vendor == "postgresql":
        alternatives = [
            "(" + " | ".join(f"{form}:*" if prefix else form for form, prefix in group) + ")"
            for group in groups
        ]
        if strict:
            tsquery = " | ".join(f"{a} & {b}" for a, b in itertools.combinations(alternatives, 2))
        else:
            tsquery = " | ".join(alternatives)
        found = queryset.extra(
            select={"engine_score": "ts_rank(core_searchdocument.vector, to_tsquery('english', %s))"},
            select_params=[tsquery],
            where=["core_searchdocument.vector @@ to_tsquery('english', %s)"],
            params=[tsquery],
        ).order_by("-engine_score", "id")
        return list(found[:limit])
    if connection.vendor == "sqlite":
        alternatives = [
            "(" + " OR ".join(f'"{form}"*' if prefix else f'"{form}"' for form, prefix in group) + ")"
            for group in groups
        ]
        if strict:
            match = " OR ".join(f"({a} AND {b})" for a, b in itertools.combinations(alternatives, 2))
        else:
            match = " OR ".join(alternatives)
        found = queryset.extra(
            tables=["core_searchdocument_fts"],
            select={"engine_score": "-bm25(core_searchdocument_fts, 10.0, 4.0, 1.0)"},
            where=[
                "core_searchdocument_fts.rowid = core_searchdocument.id",
                "core_searchdocument_fts MATCH %s",
            ],
            params=[match],
        ).order_by("-engine_score", "id")
        return list(found[:limit])
    raise NotImplementedError(f"No search for {connection.vendor}.")  # pragma: no cover


# --- Ranking -------------------------------------------------------------------------------------

FIELD_WEIGHTS = {"title": 1.0, "tags": 0.6, "body": 0.3}
EXACT, STEM, PREFIX, TYPO = 1.0, 0.95, 0.8, 0.7
# How much the choices already made on the form move a document up.
BOOST_PRODUCT, BOOST_COMPETITOR, BOOST_TYPE = 0.12, 0.15, 0.08
KIND_PRIOR = {"asset": 0.06}
MIN_COVERAGE = 0.45


@dataclass
class Boost:
    """What the rep already chose on the form."""

    product_id: int | None = None
    competitor: str = ""
    type: str = ""


@dataclass
class FieldWords:
    words: list[str]
    set: frozenset[str]
    stems: frozenset[str]
    joined: frozenset[str]

    @classmethod
    def of(cls, text: str) -> FieldWords:
        return _field_words(text)

    @classmethod
    def build(cls, text: str) -> FieldWords:
        found = words(text)
        return cls(
            words=found,
            set=frozenset(found),
            stems=frozenset(stem(w) for w in found),
            joined=frozenset(a + b for a, b in itertools.pairwise(found)),
        )


@functools.lru_cache(maxsize=4096)
def _field_words(text: str) -> FieldWords:
    return FieldWords.build(text)


def match_quality(term: Term, field_words: FieldWords, *, fuzzy: bool = True) -> tuple[float, set[str]]:
    """How well ``term`` matches a field (1 exact … 0 none) and the field's words that matched."""
    if term.forms & field_words.set:
        return EXACT, term.forms & field_words.set
    for joined in (term.joined_with_next, term.joined_with_previous):
        if joined and joined in field_words.set:
            return EXACT, {joined}
    if term.word in field_words.joined:
        return STEM, {w for w in field_words.set if w and term.word.startswith(w)}
    if term.stems & field_words.stems:
        hits = {w for w in field_words.set if stem(w) in term.stems}
        return STEM, hits
    word = term.word
    prefixes = {w for w in field_words.set if len(word) >= 3 and w.startswith(word)}
    if not prefixes and len(word) >= 8:
        prefixes = {w for w in field_words.set if len(w) >= ROOT and w.startswith(word[:ROOT])}
    if prefixes:
        return PREFIX, prefixes
    if fuzzy:
        limit = typo_limit(word)
        if limit:
            close = {
                w
                for w in field_words.set
                if (w[0] == word[0] or w[1:2] == word[1:2]) and _distance_at_most(word, w, limit)
            }
            if close:
                return TYPO, close
    return 0.0, set()


@dataclass
class Hit:
    """One result: the document, its score, and the words to highlight."""

    doc: SearchDocument
    score: float
    coverage: float
    matched: set[str]
    obj: Any = None

    @property
    def kind(self) -> str:
        return self.doc.kind

    @property
    def object_id(self) -> int:
        return self.doc.object_id

    @property
    def title(self) -> str:
        return self.doc.title

    @property
    def url(self) -> str:
        return self.doc.url

    @property
    def meta(self) -> str:
        return self.doc.meta

    @property
    def title_html(self) -> SafeString:
        return highlight(self.doc.title, self.matched)

    def snippet_html(self, *, width: int = 180) -> SafeString:
        return snippet(self.doc.body, self.matched, width=width)


def score(
    question: Question,
    docs: list[SearchDocument],
    *,
    boost: Boost | None = None,
    hide_body: Callable[[SearchDocument], bool] | None = None,
) -> list[Hit]:
    """Rank ``docs`` for ``question``, best first (the same on every database).

    A document ``hide_body`` is true for is judged on its title only: its tags and body
    are dropped, so no snippet shows them.
    """
    if not question or not docs:
        return []
    if hide_body is not None:
        for doc in docs:
            if hide_body(doc):
                doc.body = doc.tags = ""
    parsed = [{name: FieldWords.of(getattr(doc, name)) for name in FIELD_WEIGHTS} for doc in docs]
    # Rare words weigh more: document frequency among the candidates, smoothed.
    per_term: list[list[tuple[float, set[str], bool]]] = []
    frequency = []
    for term in question.terms:
        column = []
        for fields in parsed:
            best, best_words, in_title = 0.0, set(), False
            for name, weight in FIELD_WEIGHTS.items():
                quality, matched = match_quality(term, fields[name], fuzzy=name != "body")
                if quality and quality * weight > best:
                    best, best_words = quality * weight, matched
                if quality and name == "title":
                    in_title = True
                if quality and not best_words:
                    best_words = matched
                if quality == EXACT and name == "title":
                    break
            column.append((best, best_words, in_title))
        per_term.append(column)
        frequency.append(sum(1 for best, _, _ in column if best))
    n = len(docs)
    idf = [math.log(1 + (n + 1) / (1 + f)) for f in frequency]
    # A word no candidate has says nothing about which is best ("beat", "asap"): it weighs as
    # a typical word of the question, so it lowers every candidate's coverage alike.
    matched_idf = sorted(w for w, f in zip(idf, frequency, strict=True) if f)
    typical = matched_idf[len(matched_idf) // 2] if matched_idf else 1.0
    idf = [w if f else typical for w, f in zip(idf, frequency, strict=True)]
    total_idf = sum(idf) or 1.0
    wanted = question.normalized
    competitor = words(boost.competitor) if boost and boost.competitor else []
    hits = []
    for index, (doc, fields) in enumerate(zip(docs, parsed, strict=True)):
        covered = sum(idf[t] * per_term[t][index][0] for t in range(len(idf)))
        matched_any = sum(idf[t] for t in range(len(idf)) if per_term[t][index][0])
        title_cover = sum(idf[t] for t in range(len(idf)) if per_term[t][index][2])
        if not covered:
            continue
        coverage = matched_any / total_idf
        value = covered / total_idf + 0.35 * title_cover / total_idf
        title_words = fields["title"].words
        if title_words:
            matched_title = set().union(
                *(per_term[t][index][1] for t in range(len(idf)) if per_term[t][index][2])
            )
            value += (
                0.15 * sum(1 for w in title_words if w in matched_title or w in STOPWORDS) / len(title_words)
            )
        title_text = " ".join(title_words)
        if title_text and title_text == wanted:
            value += 1.0
        elif title_text and len(wanted) > 8 and wanted in title_text:
            value += 0.4
        if boost:
            if boost.product_id and str(boost.product_id) in doc.product_ids.split(","):
                value += BOOST_PRODUCT
            if boost.type and doc.type == boost.type:
                value += BOOST_TYPE
            if competitor and (
                doc.competitor == " ".join(competitor)
                or all(
                    w in fields["title"].set or w in fields["tags"].set or w in fields["body"].set
                    for w in competitor
                )
            ):
                value += BOOST_COMPETITOR
        value += KIND_PRIOR.get(doc.kind, 0.0)
        matched = set().union(*(per_term[t][index][1] for t in range(len(idf))))
        hits.append(Hit(doc=doc, score=round(value, 6), coverage=coverage, matched=matched))
    hits.sort(key=lambda h: (-h.score, h.doc.kind, h.doc.object_id))
    return hits


def _hider(user: User) -> Callable[[SearchDocument], bool]:
    return lambda doc: KINDS[doc.kind].hides_body(user, doc)


def find(
    text: str,
    *,
    user: User,
    kinds: Iterable[str],
    restrict: dict[str, QuerySet[Any] | Q] | None = None,
    boost: Boost | None = None,
    exclude: Q | None = None,
    min_coverage: float = MIN_COVERAGE,
    limit: int = 8,
) -> list[Hit]:
    """The documents of ``kinds`` that ``user`` may see (``restrict`` narrows a kind further), best first.

    ``restrict`` may widen what a kind shows (the request form offers every open request's
    title): each kind's ``hides_body`` decides which documents match by title only.

    Two queries at most (one on PostgreSQL): the vocabulary lookup for typos on SQLite, then the
    candidates. ``min_coverage`` drops documents that answer too little of the question.
    """
    from .models import SearchDocument

    question = parse(text)
    if not question:
        return []
    kinds = [key for key in kinds if key in KINDS]
    queryset = SearchDocument.objects.filter(_visible(user, kinds, restrict))
    if exclude is not None:
        queryset = queryset.exclude(exclude)
    hits = score(question, candidates(question, queryset), boost=boost, hide_body=_hider(user))
    return [hit for hit in hits if hit.coverage >= min_coverage][:limit]


@dataclass
class Group:
    """The hits of one kind, for the global search."""

    kind: str
    label: str
    hits: list[Hit]
    more: bool = False


def find_everywhere(
    text: str, *, user: User, kinds: Iterable[str] | None = None, per_kind: int = 5
) -> list[Group]:
    """Everything ``user`` may see that matches ``text``, grouped by kind (the global search).

    At most three queries per kind (word frequencies, the two-word pass, the any-word
    fallback) plus one for typos, whatever the data's size; each kind's visibility is
    applied in the database. ``more`` says a kind has more than ``per_kind``.
    """
    from .models import SearchDocument

    question = parse(text)
    if not question:
        return []
    fix_question(question)
    groups = []
    for key in sorted((k for k in (kinds or KINDS) if k in KINDS), key=lambda k: KINDS[k].order):
        kind = KINDS[key]
        queryset = SearchDocument.objects.filter(_visible(user, [key], None))
        hits = score(question, candidates(question, queryset, fix=False), hide_body=_hider(user))
        hits = [hit for hit in hits if hit.coverage >= MIN_COVERAGE]
        if hits:
            groups.append(Group(kind=key, label=kind.label, hits=hits[:per_kind], more=len(hits) > per_kind))
    return groups


def attach_objects(hits: list[Hit], loaders: dict[str, Callable[[list[int]], dict[int, Any]]]) -> list[Hit]:
    """Give each hit its object (one query per kind present); hits whose object is gone are dropped."""
    by_kind: dict[str, list[int]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit.object_id)
    loaded = {key: loaders[key](ids) for key, ids in by_kind.items() if key in loaders}
    kept = []
    for hit in hits:
        if hit.kind in loaded:
            hit.obj = loaded[hit.kind].get(hit.object_id)
            if hit.obj is None:
                continue
        kept.append(hit)
    return kept


# --- Highlighting --------------------------------------------------------------------------------


def highlight(text: str, matched: set[str]) -> SafeString:
    """``text`` escaped, with the matched words in ``<mark>``."""
    parts = []
    for piece in _TOKEN.split(text or ""):
        if piece and piece.lower() in matched:
            parts.append(f"<mark>{escape(piece)}</mark>")
        else:
            parts.append(escape(piece))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def snippet(text: str, matched: set[str], *, width: int = 180) -> SafeString:
    """The part of ``text`` around its first matched word, highlighted, ``…`` where cut."""
    text = " ".join((text or "").split())
    if not text:
        return mark_safe("")
    start = 0
    for found in _TOKEN.finditer(text):
        if found.group(1).lower() in matched:
            start = max(0, found.start() - width // 3)
            break
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    piece = text[start : start + width]
    end_cut = start + width < len(text)
    if end_cut and " " in piece[width // 2 :]:
        piece = piece[: piece.rfind(" ")]
    body = highlight(piece, matched)
    return mark_safe(("… " if start else "") + body + (" …" if end_cut else ""))  # noqa: S308 - escaped
