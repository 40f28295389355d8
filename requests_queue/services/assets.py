"""The asset library: publishing reusable deliverables, editing, versioning and retiring them, their
reviews and how often they are read, and the files they (and requests) carry.

The rules of both doors live here: which team a new asset belongs to
(``asset_team_for``), what kind an asset born from a request is by default
(``asset_kind_for``), which files are accepted (``validate_attachment``), who may
change an asset (``permissions.can_edit_asset``, checked again here) and what a
retired asset may point to (``permissions.assets_linkable_by``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from pmm_portal.core import pages
from pmm_portal.core.dates import today_in
from pmm_portal.core.files import FAMILIES, content_matches_extension
from pmm_portal.core.history import record_updates
from pmm_portal.core.models import Product, Team, User
from pmm_portal.core.selectors import teams_of

from .. import limits
from ..models import Asset, AssetKind, AssetVersion, Request, RequestType
from ..permissions import assets_linkable_by, can_edit_asset
from ..workflow import RequestError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
# An asset published from a delivery is due for review this many days later, unless said otherwise.
REVIEW_AFTER_DAYS = 180
# Work scored at least this reusable is published to the library when delivered, unless the PMM unticks it.
REUSABLE_SCORE = 4
ALLOWED_ATTACHMENT_EXTENSIONS = (
    "pdf",
    "docx",
    "doc",
    "pptx",
    "ppt",
    "xlsx",
    "xls",
    "csv",
    "txt",
    "md",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
)
# How the refusal names what the extension promised.
FILE_TYPE_LABELS: dict[str, str] = {
    "pdf": "PDF",
    "docx": "Word document",
    "doc": "Word document",
    "pptx": "PowerPoint presentation",
    "ppt": "PowerPoint presentation",
    "xlsx": "Excel workbook",
    "xls": "Excel workbook",
    "csv": "CSV file",
    "txt": "text file",
    "md": "text file",
    "png": "PNG image",
    "jpg": "JPEG image",
    "jpeg": "JPEG image",
    "gif": "GIF image",
    "webp": "WebP image",
}


def validate_attachment(upload: UploadedFile[bytes]) -> None:
    """Refuse a file of a type we do not accept, over ``MAX_ATTACHMENT_BYTES``, or whose content is not
    what its extension says (requests and assets).

    Cheapest first: the name, then the size, then the bytes (``core.files.content_matches_extension``
    reads the first few KB, the whole file only for text). Both doors call it, through the form or
    the service.
    """
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_ATTACHMENT_EXTENSIONS:
        raise RequestError(
            f"“{name}” is not a file type we accept. Attach a PDF, an Office document, "
            "a text or CSV file, or an image (PNG, JPG, GIF, WebP).",
            code="file_type",
        )
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise RequestError(
            f"“{name}” is {(upload.size or 0) / 1024 / 1024:.1f} MB; files can be at most "
            f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB. Share a link to larger files in the details.",
            code="file_size",
        )
    if not content_matches_extension(upload, extension=extension):
        label = FILE_TYPE_LABELS.get(extension, f".{extension} file")
        hint = " saved as UTF-8" if FAMILIES.get(extension) == "text" else ""
        raise RequestError(
            f"“{name}” is not a real {label}: its content does not match its .{extension} extension. "
            f"Attach the {label}{hint} itself, as the program that made it saved it.",
            code="file_content",
        )


def asset_team_for(*, user: User) -> Team | None:
    """The team a new asset of ``user`` belongs to: their first team (None when they are on none)."""
    return teams_of(user=user).first()


_KIND_FOR_TYPE: dict[str, str] = {
    RequestType.COMPETITIVE_INTEL: AssetKind.BATTLECARD,
    RequestType.EMAIL_TEMPLATE: AssetKind.EMAIL_TEMPLATE,
    RequestType.CALL_SCRIPT: AssetKind.CALL_SCRIPT,
    RequestType.SLIDES: AssetKind.DECK,
    RequestType.DATASHEET: AssetKind.DATASHEET,
    RequestType.PRICING: AssetKind.PRICING,
}


def asset_kind_for(request_type: str) -> str:
    """The kind of asset a delivered request of ``request_type`` usually becomes."""
    return _KIND_FOR_TYPE.get(request_type, AssetKind.OTHER)


@dataclass
class AssetDraft:
    """What delivering needs to publish an asset to the library (``review_by`` is required).

    ``description`` is what sales read: the PMM writes it; a request's details (the
    requester's account and deal) are never copied into it.
    """

    title: str
    kind: str
    description: str
    review_by: date | None
    products: Sequence[Product] = ()
    personas: Sequence[object] = ()


@transaction.atomic
def asset_publish(
    *,
    actor: User,
    team_id: int,
    title: str,
    kind: str,
    description: str = "",
    internal_notes: str = "",
    link: str = "",
    file: UploadedFile[bytes] | str = "",
    review_by: date | None,
    products: Sequence[Product] = (),
    personas: Sequence[object] = (),
    source_request: Request | None = None,
) -> Asset:
    """Publish a reusable deliverable to the library, owned by ``actor``."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Give the asset a title sales will recognise."
    if kind not in AssetKind.values:
        errors["kind"] = "Pick the kind of asset."
    if not link and not file:
        errors["link"] = "Paste a link or attach the file."
    if review_by is None:
        errors["review_by"] = "Set when the asset should be reviewed."
    elif review_by <= today_in(Team.objects.filter(pk=team_id).first()):
        errors["review_by"] = "Pick a review-by date in the future (e.g. in six months)."
    if errors or review_by is None:
        raise RequestError(errors)
    if isinstance(file, UploadedFile):
        try:
            validate_attachment(file)
        except RequestError as error:
            raise RequestError({"file": error.messages}) from error
    asset = Asset.objects.create(
        title=title.strip(),
        kind=kind,
        description=description.strip(),
        internal_notes=internal_notes.strip(),
        link=link,
        file=file,
        owner=actor,
        team_id=team_id,
        review_by=review_by,
        source_request=source_request,
    )
    AssetVersion.objects.create(asset=asset, number=1, file=asset.file, link=link, uploaded_by=actor)
    if products:
        asset.products.set(products)
    if personas:
        asset.personas.set(personas)  # type: ignore[arg-type]
    return asset


def asset_mark_reviewed(*, asset: Asset, actor: User, review_by: date | None = None) -> Asset:
    """The owner confirms the asset is still right and sets the next review date (by default
    ``REVIEW_AFTER_DAYS`` from today)."""
    _require_editor(actor, asset)
    if review_by is None:
        review_by = today_in(asset.team) + timedelta(days=REVIEW_AFTER_DAYS)
    if review_by <= today_in(asset.team):
        raise RequestError({"review_by": "Pick a review-by date in the future."})
    asset.review_by = review_by
    asset.save(update_fields=["review_by", "updated_at"])
    return asset


def asset_create(
    *,
    actor: User,
    title: str,
    kind: str,
    description: str = "",
    internal_notes: str = "",
    link: str = "",
    file: UploadedFile[bytes] | str = "",
    review_by: date | None,
    products: Sequence[Product] = (),
    personas: Sequence[object] = (),
) -> Asset:
    """Publish an asset straight to the library (not from a request), in ``actor``'s team."""
    team = asset_team_for(user=actor)
    if team is None:
        raise RequestError("You are on no team yet: ask your marketing leader to add you to one.")
    return asset_publish(
        actor=actor,
        team_id=team.pk,
        title=title,
        kind=kind,
        description=description,
        internal_notes=internal_notes,
        link=link,
        file=file,
        review_by=review_by,
        products=products,
        personas=personas,
    )


# --- Governance: edit, versions, retirement, counts ---------------------------------------------


def _require_editor(actor: User, asset: Asset) -> None:
    if not can_edit_asset(actor, asset):
        raise PermissionDenied("Only the owning team's product marketers change this asset.")


@dataclass
class AssetChanges:
    """What an edit changes (``None``: left as it is). The file and link change by a new version."""

    title: str | None = None
    kind: str | None = None
    description: str | None = None
    internal_notes: str | None = None
    review_by: date | None = None
    products: Sequence[Product] | None = None
    personas: Sequence[object] | None = None


@transaction.atomic
def asset_update(*, asset: Asset, actor: User, changes: AssetChanges) -> Asset:
    """Edit an asset's title, kind, sales-facing description, internal notes, review date and tags.

    A review-by date is checked only when it changes (an overdue asset may be edited
    without being reviewed). The search index follows through the model's signals.
    """
    _require_editor(actor, asset)
    errors: dict[str, str] = {}
    if changes.title is not None and not changes.title.strip():
        errors["title"] = "Give the asset a title sales will recognise."
    if changes.kind is not None and changes.kind not in AssetKind.values:
        errors["kind"] = "Pick the kind of asset."
    for name in ("description", "internal_notes"):
        value = getattr(changes, name)
        if value is not None and len(value.strip()) > limits.DETAILS:
            errors[name] = f"Keep it under {limits.DETAILS} characters."
    if (
        changes.review_by is not None
        and changes.review_by != asset.review_by
        and changes.review_by <= today_in(asset.team)
    ):
        errors["review_by"] = "Pick a review-by date in the future."
    if errors:
        raise RequestError(errors)
    fields = []
    for name in ("title", "kind", "description", "internal_notes", "review_by"):
        value = getattr(changes, name)
        if value is None:
            continue
        setattr(asset, name, value.strip() if isinstance(value, str) else value)
        fields.append(name)
    if fields:
        asset.save(update_fields=[*fields, "updated_at"])
    if changes.products is not None:
        asset.products.set(changes.products)
    if changes.personas is not None:
        asset.personas.set(changes.personas)  # type: ignore[arg-type]
    return asset


@transaction.atomic
def asset_upload_version(
    *,
    asset: Asset,
    actor: User,
    file: UploadedFile[bytes] | None = None,
    link: str = "",
    note: str = "",
) -> AssetVersion:
    """A new version of the deliverable becomes the asset's current one; every older one is kept.

    The asset's row is locked while the next number is taken, so two uploads at once get
    two numbers (the unique constraint on ``(asset, number)`` backs it). An asset from
    before versions (no rows yet) first gets its current deliverable recorded as its version.
    """
    _require_editor(actor, asset)
    if not link and not file:
        raise RequestError({"file": "Attach the new file or paste a link to the new version."})
    if len(note) > limits.REASON:
        raise RequestError({"note": f"Keep the note under {limits.REASON} characters."})
    if file is not None:
        try:
            validate_attachment(file)
        except RequestError as error:
            raise RequestError({"file": error.messages}) from error
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    last = locked.versions.aggregate(last=Max("number"))["last"]
    if last is None:
        AssetVersion.objects.create(
            asset=locked, number=locked.version, file=locked.file, link=locked.link, uploaded_by=locked.owner
        )
        last = locked.version
    version = AssetVersion.objects.create(
        asset=locked,
        number=max(last, locked.version) + 1,
        file=file or "",
        link=link,
        note=note.strip(),
        uploaded_by=actor,
    )
    asset.version, asset.link, asset.file = version.number, version.link, version.file
    asset.save(update_fields=["version", "link", "file", "updated_at"])
    return version


@transaction.atomic
def asset_retire(*, asset: Asset, actor: User, replaced_by: Asset | None = None, reason: str = "") -> Asset:
    """Retire an asset: it is no longer suggested nor offered for reuse, and points to its replacement.

    The replacement is a live asset of one of ``actor``'s teams, never the asset itself;
    without one, a reason is required (never a dead end for the rep who finds it). Assets
    that pointed to this one now point to its replacement.
    """
    _require_editor(actor, asset)
    if asset.retired_at is not None:
        raise RequestError("This asset is already retired.")
    reason = reason.strip()
    errors: dict[str, str] = {}
    if replaced_by is not None and (
        replaced_by.pk == asset.pk or not assets_linkable_by(actor).filter(pk=replaced_by.pk).exists()
    ):
        errors["replaced_by"] = "Pick another live asset of your team's library."
    if replaced_by is None and not reason:
        errors["reason"] = "Say why it is retired, or pick the asset that replaces it."
    if len(reason) > limits.REASON:
        errors["reason"] = f"Keep the reason under {limits.REASON} characters."
    if errors:
        raise RequestError(errors)
    asset.retired_at = timezone.now()
    asset.retired_by = actor
    asset.replaced_by = replaced_by
    asset.retirement_reason = reason
    asset.save(update_fields=["retired_at", "retired_by", "replaced_by", "retirement_reason", "updated_at"])
    if replaced_by is not None:
        chained = list(
            Asset.objects.filter(replaced_by=asset).exclude(pk=replaced_by.pk).values_list("pk", flat=True)
        )
        Asset.objects.filter(pk__in=chained).update(replaced_by=replaced_by)
        record_updates(Asset, chained, actor=actor)
    return asset


@transaction.atomic
def asset_unretire(*, asset: Asset, actor: User) -> Asset:
    """Bring a retired asset back to the library (and to the suggestions)."""
    _require_editor(actor, asset)
    if asset.retired_at is None:
        raise RequestError("This asset is not retired.")
    asset.retired_at = None
    asset.retired_by = None
    asset.replaced_by = None
    asset.retirement_reason = ""
    asset.save(update_fields=["retired_at", "retired_by", "replaced_by", "retirement_reason", "updated_at"])
    return asset


def asset_count_view(*, asset: Asset, viewer: User) -> bool:
    """Count one view of the asset's page; its owner's own visits do not count. True when counted.

    A conditional ``F()`` update: many readers at once each add one, nobody's count is lost.
    """
    if viewer.pk == asset.owner_id:
        return False
    with pages.readings():  # a reading: only the pages that show counts are built again
        return bool(Asset.objects.filter(pk=asset.pk).update(view_count=F("view_count") + 1))


def asset_count_download(*, asset: Asset, downloader: User) -> bool:
    """Count one download of the asset (any version); its owner's own downloads do not count."""
    if downloader.pk == asset.owner_id:
        return False
    with pages.readings():
        return bool(Asset.objects.filter(pk=asset.pk).update(download_count=F("download_count") + 1))
