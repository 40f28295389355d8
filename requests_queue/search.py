"""What the search index holds about requests and assets (``pmm_portal.core.search``), kept in step.

A request's document is its title, then its type, product, competitor and
personas, then its details and delivery note; an asset's is its title, then its
kind, products and personas, then its (sales-facing) description, with its state (live or
retired: suggestions offer live assets only). Saves and deletes re-index
through the signals below; bulk writes call ``search.index_ids`` themselves.
"""

from typing import Any

from django.db.models import QuerySet

from pmm_portal.core import search
from pmm_portal.core.models import Role, User

from .models import OPEN_STATUSES, Asset, AssetKind, Request, RequestStatus, RequestType
from .permissions import assets_visible_to, visible_to

# The request type an asset of each kind answers (boosts an asset when the rep picked the type).
ASSET_KIND_TYPES: dict[str, str] = {
    AssetKind.BATTLECARD: RequestType.COMPETITIVE_INTEL,
    AssetKind.DECK: RequestType.SLIDES,
    AssetKind.EMAIL_TEMPLATE: RequestType.EMAIL_TEMPLATE,
    AssetKind.CALL_SCRIPT: RequestType.CALL_SCRIPT,
    AssetKind.DATASHEET: RequestType.DATASHEET,
    AssetKind.ONE_PAGER: RequestType.DATASHEET,
    AssetKind.CASE_STUDY: RequestType.CUSTOMER_CALL,
    AssetKind.PRICING: RequestType.PRICING,
    AssetKind.OTHER: RequestType.OTHER,
}
REQUEST_FIELDS = frozenset(
    {"title", "details", "delivery_note", "product", "type", "competitor", "team", "requester", "status"}
)
# A request's state in the index: what the request form may offer (open: "me too"; answered: reuse).
OPEN, ANSWERED, CLOSED = "open", "answered", "closed"


def request_state(request: Request) -> str:
    if request.status == RequestStatus.DELIVERED:
        return ANSWERED
    return OPEN if request.status in OPEN_STATUSES else CLOSED


ASSET_FIELDS = frozenset({"title", "description", "kind", "team", "retired_at"})
# An asset's state in the index: the request form and triage offer live ones only.
LIVE, RETIRED = "live", "retired"


def asset_state(asset: Asset) -> str:
    return RETIRED if asset.retired_at is not None else LIVE


def request_document(request: Request) -> search.Document:
    personas = " ".join(p.name for p in request.personas.all())
    return search.Document(
        title=request.title,
        # Not the product's name: it is in every request of the product (the product chosen on
        # the form boosts instead), and a title names it when it matters.
        tags=" ".join(filter(None, [request.get_type_display(), request.competitor, personas])),
        body="\n".join(filter(None, [request.details, request.delivery_note])),
        team_id=request.team_id,
        owner_id=request.requester_id,
        product_ids=[request.product_id],
        competitor=request.competitor,
        type=request.type,
        state=request_state(request),
        meta=f"{request.product.name} · {request.get_type_display()}",
        url=request.get_absolute_url(),
    )


def asset_document(asset: Asset) -> search.Document:
    products = list(asset.products.all())
    return search.Document(
        title=asset.title,
        tags=" ".join(
            [
                asset.get_kind_display(),
                RequestType(ASSET_KIND_TYPES.get(asset.kind, RequestType.OTHER)).label,
                *(p.name for p in products),
                *(p.name for p in asset.personas.all()),
            ]
        ),
        # The sales-facing description only: internal notes are never indexed (snippets show the body).
        body=asset.description,
        team_id=asset.team_id,
        product_ids=[p.pk for p in products],
        type=ASSET_KIND_TYPES.get(asset.kind, ""),
        state=asset_state(asset),
        meta=asset.get_kind_display() + (" · retired" if asset.retired_at is not None else ""),
        url=asset.get_absolute_url(),
    )


def _requests() -> QuerySet[Request]:
    return Request.objects.select_related("product").prefetch_related("personas")


def _assets() -> QuerySet[Asset]:
    return Asset.objects.prefetch_related("products", "personas")


def _request_visible(user: User) -> QuerySet[Request]:
    return visible_to(user)


def _asset_visible(user: User) -> QuerySet[Asset]:
    return assets_visible_to(user)


def _hides_body(user: User, doc: Any) -> bool:
    """A rep matches other reps' requests by title only: the details, competitor and deal are theirs."""
    return doc.owner_id != user.pk and not user.has_role(Role.PMM, Role.CMO)


def register() -> None:
    search.register(
        search.Kind(
            key="asset",
            label="Assets",
            model=Asset,
            document=asset_document,
            visible=_asset_visible,
            queryset=_assets,
            order=10,
        )
    )
    search.register(
        search.Kind(
            key="request",
            label="Requests",
            model=Request,
            document=request_document,
            visible=_request_visible,
            queryset=_requests,
            order=20,
            hides_body=_hides_body,
        )
    )
    search.keep_in_step(Request, watched=REQUEST_FIELDS, links=[Request.personas.through])
    search.keep_in_step(Asset, watched=ASSET_FIELDS, links=[Asset.products.through, Asset.personas.through])
