"""The asset library: publishing reusable deliverables, their reviews, and the files they (and requests) carry.

The rules of both doors live here: which team a new asset belongs to
(``asset_team_for``), what kind an asset born from a request is by default
(``asset_kind_for``), which files are accepted (``validate_attachment``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from pmm_portal.core.dates import today_in
from pmm_portal.core.files import FAMILIES, content_matches_extension
from pmm_portal.core.models import Product, Team, User
from pmm_portal.core.selectors import teams_of

from ..models import Asset, AssetKind, Request, RequestType
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
    """What delivering needs to publish an asset to the library (``review_by`` is required)."""

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
        link=link,
        file=file,
        owner=actor,
        team_id=team_id,
        review_by=review_by,
        source_request=source_request,
    )
    if products:
        asset.products.set(products)
    if personas:
        asset.personas.set(personas)  # type: ignore[arg-type]
    return asset


def asset_mark_reviewed(*, asset: Asset, actor: User, review_by: date) -> Asset:
    """The owner confirms the asset is still right and sets the next review date."""
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
        link=link,
        file=file,
        review_by=review_by,
        products=products,
        personas=personas,
    )
