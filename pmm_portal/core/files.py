"""Uploaded files in and out: is the content what its name says, and how a private file is sent.

In: an extension is only a claim. ``content_matches_extension`` reads the first bytes
(``filetype``, pure Python, no libmagic) and checks they are what the extension says,
so a program renamed ``deck.pdf`` is refused at upload rather than stored and handed out.

Out: the media folder is never served directly (``pmm_portal.urls``). A view looks the
object up through its app's permissions first, then answers with ``private_file_response``:
streamed, as a download under its original name, never sniffed into something runnable by
the browser, and never kept by a shared cache.
"""

import codecs
import mimetypes
import posixpath
import zipfile
from typing import IO

import filetype
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# Enough for every signature ``filetype`` knows (it reads the same amount).
SIGNATURE_BYTES = 8192
# A compound file (OLE2): Word, Excel and PowerPoint 97–2003. ``filetype`` only knows some
# sub-kinds by the bytes of their first sector, which many real files do not have.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Every Office Open XML package (docx, xlsx, pptx) holds this part.
OOXML_CONTENT_TYPES = "[Content_Types].xml"

# The family each accepted extension belongs to, and the ``filetype`` kinds that family may be.
FAMILIES: dict[str, str] = {
    "pdf": "pdf",
    "docx": "ooxml",
    "xlsx": "ooxml",
    "pptx": "ooxml",
    "doc": "ole2",
    "xls": "ole2",
    "ppt": "ole2",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "gif": "gif",
    "webp": "webp",
    "csv": "text",
    "txt": "text",
    "md": "text",
}
_SNIFFED: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    # ``filetype`` names a package by the first parts it finds, so a docx may come out as a
    # plain zip (LibreOffice orders parts differently): the zip is then opened to be sure.
    "ooxml": frozenset({"docx", "xlsx", "pptx", "zip"}),
    "png": frozenset({"png", "apng"}),
    "jpeg": frozenset({"jpg"}),
    "gif": frozenset({"gif"}),
    "webp": frozenset({"webp"}),
}


def _head(upload: File[bytes]) -> bytes:
    upload.seek(0)
    head: bytes = upload.read(SIGNATURE_BYTES)
    upload.seek(0)
    return head


def _is_ooxml_package(upload: File[bytes]) -> bool:
    """A zip whose table of contents lists ``[Content_Types].xml`` (read from the end, not the whole file)."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            return OOXML_CONTENT_TYPES in package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)


def _is_text(upload: File[bytes]) -> bool:
    """No NUL byte anywhere, and readable as UTF-8 (with or without a BOM) or as Windows-1252.

    Windows-1252 is what Excel on Windows writes by default for "CSV (comma delimited)".
    A program, an archive or an image always holds NUL bytes; UTF-16 text does too and is
    refused (the message asks for UTF-8).
    """
    try:
        for encoding in ("utf-8", "cp1252"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                for chunk in upload.chunks():  # from the start, a few KB at a time
                    if b"\x00" in chunk:
                        return False
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return True
        return False
    finally:
        upload.seek(0)


def content_matches_extension(upload: File[bytes], *, extension: str) -> bool:
    """Whether the bytes of ``upload`` are a file of the kind ``extension`` names (a key of ``FAMILIES``).

    An extension with no family is refused: declare the family before accepting a new type.
    The position of ``upload`` is back at its start afterwards, ready to be saved.
    """
    family = FAMILIES.get(extension.lower())
    if family is None:
        return False
    if family == "text":
        return _is_text(upload)
    head = _head(upload)
    if family == "ole2":
        return head.startswith(OLE2_SIGNATURE)
    kind = filetype.guess(head) if head else None
    if kind is None or kind.extension not in _SNIFFED[family]:
        return False
    return family != "ooxml" or _is_ooxml_package(upload)


def private_file_response(file: FieldFile, *, filename: str = "") -> FileResponse:
    """``file`` as a download for someone the caller has already checked may see it.

    Streamed from storage (never read whole into memory), as an attachment under
    ``filename`` (the stored name's last part by default; Django quotes it or encodes it
    per RFC 6266, so no name can break the header), with the type its name says, no
    sniffing, and ``Cache-Control: private, no-store`` so no proxy or shared cache keeps it.
    A file missing from storage is a 404, not a 500.
    """
    name = filename or posixpath.basename(file.name or "") or "download"
    try:
        handle: IO[bytes] = file.storage.open(file.name or "", "rb")
    except (OSError, ValueError) as error:
        raise Http404("That file is no longer available.") from error
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
