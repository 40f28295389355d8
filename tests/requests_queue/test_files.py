"""Files in and out: uploads checked by size before they are read and by their bytes, downloads
only through the request's and the library's doors, and /media/ never served.

Who downloads what (``requests_queue.permissions``):

| file | requester | team's PMM | CMO | admin | follower ("me too") | other rep | other team's PMM | PM |
|---|---|---|---|---|---|---|---|---|
| attachment | 200 | 200 | 200 | 200 | 404 | 404 | 404 | 403 |
| delivered file | 200 | 200 | 200 | 200 | 200 | 404 | 404 | 403 |
| asset file | everyone signed in: 200 |
"""

import importlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches
from django.utils import timezone
from openpyxl import Workbook

from pmm_portal.core.files import content_matches_extension
from requests_queue.models import FollowVia, Request, RequestAttachment, RequestFollower, RequestStatus
from requests_queue.services import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, RequestError, validate_attachment
from tests.factories import AssetFactory, UserFactory

S = RequestStatus
FUTURE = (timezone.localdate() + timedelta(days=5)).isoformat()
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The start of a Windows program: what a "PDF" that is really an executable begins with.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" * 8
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 24
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Every file of these tests lives in a folder of its own, gone afterwards."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def ooxml(*parts: str) -> bytes:
    """An Office Open XML package (what Word writes for a .docx) with these parts besides its content types."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        for part in parts:
            package.writestr(part, "<xml/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", EXE)
    return buffer.getvalue()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Downloads ------------------------------------------------------------------------------------


@pytest.fixture
def other_rep(db):
    return UserFactory(username="other_sales", role="sales")


@pytest.fixture
def follower(db):
    return UserFactory(username="follower", role="sales")


@pytest.fixture
def delivered(make_request, sales_rep, follower):
    """A delivered request of ``sales_rep`` with an attachment and a delivered file; ``follower`` said "me too"."""
    request = make_request(S.DELIVERED)
    request.delivery_file.save("roi-model.xlsx", ContentFile(xlsx()), save=True)
    RequestAttachment.objects.create(
        request=request,
        file=ContentFile(PDF, name="rfp.pdf"),
        original_name="Acme “RFP” Q3.pdf",
        size=len(PDF),
        uploaded_by=sales_rep,
    )
    RequestFollower.objects.create(request=request, user=follower, via=FollowVia.ME_TOO)
    return request


def attachment_url(request: Request) -> str:
    return f"/requests/{request.pk}/attachments/{request.attachments.get().pk}/download/"


PEOPLE = ["sales", "pmm", "cmo", "admin", "follower", "other_rep", "other_pmm", "pm"]


@pytest.fixture
def people(cast, follower, other_rep):
    return {**cast, "follower": follower, "other_rep": other_rep}


@pytest.mark.parametrize(
    ("who", "status"),
    list(zip(PEOPLE, [200, 200, 200, 200, 404, 404, 404, 403], strict=True)),
)
def test_an_attachment_goes_to_those_who_see_the_deal(client, people, delivered, who, status):
    client.force_login(people[who])
    response = client.get(attachment_url(delivered))
    assert response.status_code == status
    if status == 200:
        assert body(response) == PDF
        assert response["Content-Type"] == "application/pdf"
        # The original name, non-ASCII quotes and all, encoded so no name can break the header.
        assert response["Content-Disposition"] == (
            "attachment; filename*=utf-8''Acme%20%E2%80%9CRFP%E2%80%9D%20Q3.pdf"
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("who", "status"),
    list(zip(PEOPLE, [200, 200, 200, 200, 200, 404, 404, 403], strict=True)),
)
def test_a_delivered_file_goes_to_everyone_who_sees_the_request(client, people, delivered, who, status):
    client.force_login(people[who])
    response = client.get(f"/requests/{delivered.pk}/delivery/download/")
    assert response.status_code == status
    if status == 200:
        assert body(response) == xlsx_bytes_of(delivered)
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert response["Content-Disposition"].startswith('attachment; filename="roi-model')
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"


def xlsx_bytes_of(request: Request) -> bytes:
    with request.delivery_file.open("rb") as stored:
        return stored.read()


@pytest.mark.parametrize("who", ["sales", "pm", "pmm", "cmo", "other_pmm", "admin"])
def test_an_asset_file_goes_to_everyone_signed_in(client, cast, team, pmm, who):
    asset = AssetFactory(team=team, owner=pmm, link="", file=ContentFile(PDF, name="battlecard.pdf"))
    client.force_login(cast[who])
    response = client.get(f"/requests/assets/{asset.pk}/download/")
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="battlecard.pdf"'
    assert response["Cache-Control"] == "private, no-store"


def test_downloads_ask_anonymous_visitors_to_sign_in(client, delivered, team, pmm):
    asset = AssetFactory(team=team, owner=pmm, link="", file=ContentFile(PDF, name="battlecard.pdf"))
    for url in (
        attachment_url(delivered),
        f"/requests/{delivered.pk}/delivery/download/",
        f"/requests/assets/{asset.pk}/download/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_an_attachment_of_another_request_is_not_found_under_this_one(
    client, sales_rep, delivered, make_request
):
    mine_too = make_request(S.NEW)
    client.force_login(sales_rep)
    other_attachment = delivered.attachments.get()
    assert (
        client.get(f"/requests/{mine_too.pk}/attachments/{other_attachment.pk}/download/").status_code == 404
    )


def test_no_file_or_a_file_gone_from_storage_is_not_found(
    client, sales_rep, pmm, team, delivered, make_request
):
    client.force_login(sales_rep)
    linked_only = make_request(S.DELIVERED)
    assert client.get(f"/requests/{linked_only.pk}/delivery/download/").status_code == 404
    delivered.delivery_file.storage.delete(delivered.delivery_file.name)
    assert client.get(f"/requests/{delivered.pk}/delivery/download/").status_code == 404
    asset = AssetFactory(team=team, owner=pmm)  # a link, no file
    assert client.get(f"/requests/assets/{asset.pk}/download/").status_code == 404


def test_pages_link_to_the_checked_downloads_never_to_media(client, sales_rep, pmm, team, delivered):
    asset = AssetFactory(team=team, owner=pmm, link="", file=ContentFile(PDF, name="battlecard.pdf"))
    client.force_login(sales_rep)
    detail = client.get(f"/requests/{delivered.pk}/").content.decode()
    assert f'href="{attachment_url(delivered)}"' in detail
    assert f'href="/requests/{delivered.pk}/delivery/download/"' in detail
    library = client.get(f"/requests/assets/{asset.pk}/").content.decode()
    assert f'href="/requests/assets/{asset.pk}/download/"' in library
    assert "/media/" not in detail + library


def test_media_is_never_served(client, sales_rep, delivered):
    """The stored file exists, under the address /media/ would have: still a 404."""
    client.force_login(sales_rep)
    stored = delivered.attachments.get().file
    assert stored.storage.exists(stored.name)
    assert client.get(f"/media/{stored.name}").status_code == 404


def test_media_is_not_routed_even_in_debug(settings):
    import pmm_portal.urls

    settings.DEBUG = True
    try:
        debug_urls = importlib.reload(pmm_portal.urls)
        assert not [p for p in debug_urls.urlpatterns if str(p.pattern).startswith(("media", "^media"))]
    finally:
        settings.DEBUG = False
        importlib.reload(pmm_portal.urls)
        clear_url_caches()


# --- Uploads: size before reading -------------------------------------------------------------


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body of an oversized request was read")

    readline = read


def post_announcing(client, path: str, length: int):
    """POST ``path`` announcing a multipart body of ``length`` bytes that cannot be read."""
    return client.generic(
        "POST",
        path,
        b"unused",
        content_type="multipart/form-data; boundary=BoUnDaRy",
        **{"CONTENT_LENGTH": str(length), "wsgi.input": UnreadableBody()},
    )


def test_the_body_limit_fits_a_full_request_form(settings):
    """Five files of the largest size and the form's fields pass; a little more does not."""
    assert settings.MAX_REQUEST_BODY_BYTES > MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES
    assert settings.MAX_REQUEST_BODY_BYTES <= (MAX_ATTACHMENTS + 1) * MAX_ATTACHMENT_BYTES


def test_an_oversized_upload_is_refused_without_being_read(client, sales_rep, settings):
    client.force_login(sales_rep)
    response = post_announcing(client, "/requests/new/", settings.MAX_REQUEST_BODY_BYTES + 1)
    assert response.status_code == 413
    html = response.content.decode()
    assert "That upload is too large" in html
    assert "larger than 55 MB in all" in html
    assert not Request.objects.exists()


def test_an_oversized_api_upload_is_refused_without_being_read(api_client, sales_rep):
    api_client.force_authenticate(sales_rep)
    response = post_announcing(api_client, "/api/v1/requests/", 60 * 1024 * 1024)
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"
    assert not Request.objects.exists()


def test_an_oversized_upload_is_refused_before_sign_in_too(client):
    response = post_announcing(client, "/requests/new/", 60 * 1024 * 1024)
    assert response.status_code == 413


# --- Uploads: the bytes must be what the extension says ------------------------------------------


def form_data(product, **overrides):
    return {
        "title": "Battlecard against Northwind for the Acme deal",
        "type": "competitive_intel",
        "product": product.pk,
        "needed_by": FUTURE,
        **overrides,
    }


def test_a_pdf_that_is_a_program_is_refused_on_the_form(client, sales_rep, product):
    client.force_login(sales_rep)
    fake = SimpleUploadedFile("rfp.pdf", EXE, content_type="application/pdf")
    response = client.post("/requests/new/", {**form_data(product), "attachments": [fake]})
    assert response.status_code == 200
    assert (
        "“rfp.pdf” is not a real PDF: its content does not match its .pdf extension"
        in response.content.decode()
    )
    assert not Request.objects.exists()
    assert not RequestAttachment.objects.exists()


def test_a_pdf_that_is_a_program_is_a_400_with_field_errors_from_the_api(api_client, sales_rep, product):
    api_client.force_authenticate(sales_rep)
    fake = SimpleUploadedFile("rfp.pdf", EXE, content_type="application/pdf")
    response = api_client.post(
        "/api/v1/requests/", {**form_data(product), "attachments": [fake]}, format="multipart"
    )
    assert response.status_code == 400
    errors = {e["attr"]: e["detail"] for e in response.json()["errors"]}
    assert "is not a real PDF" in errors["attachments"]
    assert not Request.objects.exists()


def test_a_real_pdf_is_accepted_and_stored_whole(client, sales_rep, product):
    client.force_login(sales_rep)
    upload = SimpleUploadedFile("rfp.pdf", PDF, content_type="application/pdf")
    client.post("/requests/new/", {**form_data(product), "attachments": [upload]})
    stored = RequestAttachment.objects.get()
    with stored.file.open("rb") as saved:
        assert saved.read() == PDF  # sniffing left the file at its start


def test_a_delivered_file_and_an_asset_file_are_sniffed_too(client, pmm, make_request):
    request = make_request(S.IN_PROGRESS)
    client.force_login(pmm)
    fake = SimpleUploadedFile("deck.pptx", plain_zip())
    response = client.post(f"/requests/{request.pk}/deliver/", {"file": fake})
    assert response.status_code == 400
    assert "is not a real PowerPoint presentation" in response.content.decode()
    assert Request.objects.get(pk=request.pk).status == S.IN_PROGRESS

    fake = SimpleUploadedFile("logo.png", b"just some text, not an image")
    response = client.post(
        "/requests/assets/new/",
        {"title": "Logo", "kind": "other", "file": fake, "review_by": FUTURE},
    )
    assert response.status_code == 400
    assert "is not a real PNG image" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("brief.pdf", PDF),
        ("brief.pdf", b"\xef\xbb\xbf" + PDF),  # a byte-order mark before the header, as some tools write
        ("brief.docx", ooxml("word/document.xml")),
        (
            "brief.docx",
            ooxml("_rels/.rels", "docProps/app.xml", "customXml/item1.xml", "x/y.xml", "word/a.xml"),
        ),
        ("deck.pptx", ooxml("ppt/presentation.xml")),
        ("model.xlsx", xlsx()),
        ("old.doc", OLE2),
        ("old.xls", OLE2),
        ("old.ppt", OLE2),
        ("shot.png", PNG),
        ("photo.jpg", JPEG),
        ("photo.JPEG", JPEG),
        ("anim.gif", GIF),
        ("image.webp", WEBP),
        ("accounts.csv", "name,amount\nAcmé,12\n".encode()),
        ("accounts.csv", "name,amount\nAcmé,12\n".encode("cp1252")),  # Excel on Windows
        ("notes.txt", b"plain notes"),
        ("notes.md", "# Notes\n\n- Überblick\n".encode()),
    ],
)
def test_files_whose_bytes_match_their_extension_are_accepted(name, content):
    validate_attachment(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rfp.pdf", EXE),
        ("rfp.pdf", b"<html><script>alert(1)</script></html>"),
        ("rfp.pdf", b""),
        ("brief.docx", plain_zip()),  # a zip, but no Office document inside
        ("brief.docx", PDF),
        ("old.doc", PDF),
        ("shot.png", JPEG),
        ("photo.jpg", EXE),
        ("anim.gif", b"not a GIF at all"),
        ("image.webp", PNG),
        ("accounts.csv", EXE),  # NUL bytes: not text
        ("accounts.csv", b"name\x00amount"),
        ("notes.txt", "UTF-16 text".encode("utf-16")),  # the message asks for UTF-8
        ("notes.md", PNG),
    ],
)
def test_files_whose_bytes_do_not_match_their_extension_are_refused(name, content):
    with pytest.raises(RequestError) as refused:
        validate_attachment(SimpleUploadedFile(name, content))
    assert refused.value.code == "file_content"
    assert f"“{name}” is not a real" in refused.value.messages[0]


def test_the_sniffer_leaves_the_upload_at_its_start():
    upload = SimpleUploadedFile("model.xlsx", xlsx())
    upload.read(10)
    assert content_matches_extension(upload, extension="xlsx")
    assert upload.tell() == 0
    text = SimpleUploadedFile("notes.txt", b"plain notes")
    assert content_matches_extension(text, extension="txt")
    assert text.tell() == 0


def test_an_extension_without_a_declared_family_is_refused():
    assert not content_matches_extension(SimpleUploadedFile("tool.exe", EXE), extension="exe")
