"""Requests by email: each team's request address turns a message into a request.

A rep writes (or forwards a thread) to ``<team-slug>@EMAIL_INTAKE_DOMAIN``. The message
becomes a ``new`` request in that team's queue through ``request_submit``, the same rules as
the form: the subject is the title, the text the details, attached files are kept (those the
form would refuse are left out and the rep is told), the product and type are guessed from
the words and left for triage to correct. The rep gets a reply with the request's link and
what may already answer the question. A reply in that thread (found by ``In-Reply-To`` /
``References`` or the ``[PMM #123]`` tag of the subject) becomes a comment on the request.

Each message is handled once, by its ``Message-ID`` (``InboundMessage``): the same message
delivered twice creates one request. Unknown senders, people who may not file a request,
and automatic replies (out of office, bounces) create nothing; a person is answered politely
and told what to do, an automatic message is not answered (no mail loops).

Senders are matched by the address in ``From``: the mail server in front of the intake is
expected to check SPF/DKIM/DMARC (README), as it does for every other mailbox.
"""

import hashlib
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage as ParsedMessage
from email.parser import BytesParser
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.html import strip_tags

from pmm_portal.core.dates import today_in
from pmm_portal.core.history import acting_as
from pmm_portal.core.models import Team, User
from requests_queue import selectors as request_selectors
from requests_queue import services as request_services
from requests_queue.models import Request, RequestType
from requests_queue.permissions import access_request, can_submit_request
from requests_queue.services.guessing import guess_product, guess_type

from .models import InboundMessage, Outcome

logger = logging.getLogger(__name__)

NEEDED_IN_DAYS = 5  # as the form proposes: a week of working days from today
TITLE_MAX = Request._meta.get_field("title").max_length or 200
DETAILS_MAX = 5000
THREAD_ID = re.compile(r"<pmm-request-(\d+)\.[^>]*>")
SUBJECT_TAG = re.compile(r"\[PMM #(\d+)\]")
SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|tr|sv)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
QUOTE_START = re.compile(
    r"^(?:On .{4,200} wrote:|-{2,} ?(?:Original|Forwarded) [Mm]essage ?-{2,}|From: .+|_{10,})\s*$"
)


# --- Addresses -------------------------------------------------------------------------------------


def intake_domain() -> str:
    return str(getattr(settings, "EMAIL_INTAKE_DOMAIN", "") or "").strip().lower()


def team_address(team: Team) -> str:
    """The address a rep writes to for ``team`` ("" while email intake is not set up)."""
    domain = intake_domain()
    return f"{team.slug}@{domain}" if domain else ""


def team_for_address(address: str) -> Team | None:
    """The team whose request address ``address`` is (``slug@domain`` or ``requests+slug@domain``)."""
    local, _, domain = parseaddr(address)[1].strip().lower().rpartition("@")
    if not local or not domain or domain != intake_domain():
        return None
    if local.startswith("requests+"):
        local = local.removeprefix("requests+")
    return Team.objects.filter(slug=local).first()


# --- Reading a message -----------------------------------------------------------------------------


def parse(raw: bytes) -> ParsedMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, ParsedMessage)
    return message


def message_key(message: ParsedMessage, raw: bytes) -> str:
    """The message's identity: its ``Message-ID``, else a digest of the bytes received."""
    found = str(message.get("Message-ID", "") or "").strip()
    if found:
        return found[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def clean_subject(subject: str) -> str:
    subject = " ".join(subject.split())
    subject = SUBJECT_TAG.sub("", subject)
    return SUBJECT_PREFIX.sub("", subject).strip()


def body_text(message: ParsedMessage) -> str:
    """The message's text: its plain part, else its HTML part without the tags."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown charset: the bytes, read leniently
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    text = str(content)
    if part.get_content_subtype() == "html":
        text = strip_tags(text)
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").splitlines()).strip()


def reply_text(text: str) -> str:
    """What a reply adds: the text above the quoted message (``> `` lines, "On … wrote:")."""
    kept: list[str] = []
    for line in text.splitlines():
        if QUOTE_START.match(line.strip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def attachments_of(message: ParsedMessage) -> list[SimpleUploadedFile]:
    files: list[SimpleUploadedFile] = []
    for part in message.iter_attachments():
        name = part.get_filename()
        if not name:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        files.append(SimpleUploadedFile(name[:255], payload, content_type=part.get_content_type()))
    return files


def is_automatic(message: ParsedMessage, sender: str) -> bool:
    """An out-of-office, a bounce or a list: never answered (RFC 3834)."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    local = sender.partition("@")[0]
    return (
        auto != "no"
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or bool(message.get("X-Autoreply") or message.get("X-Autorespond"))
        or local in {"mailer-daemon", "postmaster", "noreply", "no-reply"}
    )


def thread_request_id(message: ParsedMessage) -> int | None:
    """The request a reply belongs to: our Message-ID in its headers, else the subject's tag."""
    for header in ("In-Reply-To", "References"):
        found = THREAD_ID.search(str(message.get(header, "") or ""))
        if found:
            return int(found.group(1))
    tagged = SUBJECT_TAG.search(str(message.get("Subject", "") or ""))
    return int(tagged.group(1)) if tagged else None


# --- Receiving -------------------------------------------------------------------------------------


@dataclass
class Reply:
    """The answer mailed to the sender once the message is handled."""

    to: str
    subject: str
    body: str
    request_id: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def message_receive(*, raw: bytes, recipients: Sequence[str], envelope_from: str = "") -> InboundMessage:
    """Handle one message sent to a request address; safe to call again with the same message."""
    message = parse(raw)
    key = message_key(message, raw)
    existing = InboundMessage.objects.filter(message_id=key).first()
    if existing is not None:
        return existing
    recipient, team = next(
        ((address, found) for address in recipients if (found := team_for_address(address)) is not None),
        (recipients[0] if recipients else "", None),
    )
    sender = (parseaddr(str(message.get("From", "") or ""))[1] or envelope_from).strip().lower()
    inbound = InboundMessage(
        message_id=key,
        sender=sender[:254],
        recipient=recipient[:254],
        subject=clean_subject(str(message.get("Subject", "") or ""))[:300],
        team=team,
    )
    try:
        with transaction.atomic():
            inbound.save()  # first: a second delivery of the message waits here, then finds it
            reply = _handle(inbound, message)
            inbound.save()
    except IntegrityError:
        return InboundMessage.objects.get(message_id=key)
    if reply is not None:
        _send(reply, original=key, team=team)
    return inbound


def _refuse(inbound: InboundMessage, reason: str, reply: Reply | None) -> Reply | None:
    inbound.outcome = Outcome.REFUSED
    inbound.reason = reason[:300]
    return reply


def _handle(inbound: InboundMessage, message: ParsedMessage) -> Reply | None:
    sender = inbound.sender
    subject = inbound.subject or "your request"
    if is_automatic(message, sender):
        return _refuse(inbound, "An automatic message (out of office, bounce or list): not answered.", None)
    user = _sender_user(sender)
    team_name = inbound.team.name if inbound.team else "product marketing"
    if user is None:
        return _refuse(
            inbound,
            "No account has this address.",
            Reply(
                to=sender,
                subject=f"Re: {subject}",
                body=(
                    f"Hello,\n\nThank you for writing to the {team_name} team. We could not find a PMM "
                    f"Portal account for {sender}, so nothing was filed.\n\nIf you work with us, ask your "
                    "portal administrator to add this address to your account, then send your message "
                    f"again, or sign in and use the request form: {_url(reverse('requests_queue:new'))}\n"
                ),
            ),
        )
    inbound.user = user
    request_id = thread_request_id(message)
    with acting_as(user):  # the audit log names the rep, as for the form
        if request_id is not None:
            return _comment(inbound, user, request_id, message)
        return _submit(inbound, user, message)


def _sender_user(address: str) -> User | None:
    if not address:
        return None
    matches = list(User.objects.filter(email__iexact=address, is_active=True)[:2])
    return matches[0] if len(matches) == 1 else None


def _comment(inbound: InboundMessage, user: User, request_id: int, message: ParsedMessage) -> Reply | None:
    try:
        request = access_request(user=user, id=request_id, action="comment")
    except (Http404, PermissionDenied):
        return _refuse(
            inbound,
            f"Not on request #{request_id}.",
            Reply(
                to=inbound.sender,
                subject=f"Re: {inbound.subject}",
                body=(
                    f"Hello {user.first_name or user.username},\n\nYour reply was not added: you are not on "
                    f"request #{request_id}. Open your requests to write on them: "
                    f"{_url(reverse('requests_queue:mine'))}\n"
                ),
            ),
        )
    text = reply_text(body_text(message))[:DETAILS_MAX]
    if not text:
        return _refuse(inbound, "The reply had no text above the quoted message.", None)
    request_services.request_comment(request=request, actor=user, body=text)
    inbound.outcome = Outcome.COMMENTED
    inbound.request = request
    return None  # everyone on the request is told of the comment, the sender included in the thread


def _submit(inbound: InboundMessage, user: User, message: ParsedMessage) -> Reply | None:
    team = inbound.team
    if team is None:
        return _refuse(inbound, "Not sent to a team's request address.", None)
    if not can_submit_request(user):
        return _refuse(
            inbound,
            "Only sales file requests by email.",
            Reply(
                to=inbound.sender,
                subject=f"Re: {inbound.subject}",
                body=(
                    f"Hello {user.first_name or user.username},\n\nRequests by email come from sales, so "
                    f"nothing was filed. The {team.name} queue is in the portal: "
                    f"{_url(reverse('requests_queue:index'))}\n"
                ),
            ),
        )
    text = body_text(message)
    title = (
        inbound.subject
        or next((line for line in text.splitlines() if line.strip()), "")
        or "Request by email"
    )
    words = f"{title}\n{text}"
    product = guess_product(words, team.products.all()) or team.products.order_by("name").first()
    if product is None:
        return _refuse(inbound, f"The {team.name} team has no product yet.", None)
    files = attachments_of(message)
    left_out: list[str] = []
    kind = guess_type(words)
    # What already answers it, found as the form finds it while the rep types: before the request exists.
    hits = request_selectors.suggestions(
        user=user, text=title, product_id=product.pk, type=kind, limit=5
    ).hits
    fields: dict[str, Any] = {
        "requester": user,
        "product": product,
        "type": kind,
        "title": title[:TITLE_MAX],
        "details": text[:DETAILS_MAX],
        "needed_by": today_in(team) + timedelta(days=NEEDED_IN_DAYS),
    }
    try:
        created = request_services.request_submit(
            **fields, attachments=files[: request_services.MAX_ATTACHMENTS]
        )
    except request_services.RequestError as error:
        if not files:
            raise
        problems = getattr(error, "message_dict", {}).get("attachments", error.messages)
        left_out = [f"{upload.name}" for upload in files] + [f"({'; '.join(problems)})"]
        created = request_services.request_submit(**fields)
    else:
        left_out = [upload.name or "" for upload in files[request_services.MAX_ATTACHMENTS :]]
    inbound.outcome = Outcome.CREATED
    inbound.request = created
    return _receipt(user, created, left_out, hits)


def _receipt(user: User, request: Request, left_out: list[str], hits: list[Any]) -> Reply:
    lines = [
        f"Hello {user.first_name or user.username},",
        "",
        f"Your request “{request.title}” is #{request.pk} in the {request.team.name} queue:",
        _url(request.get_absolute_url()),
        "",
        f"We filed it under {request.product.name}, {RequestType(request.type).label.lower()}, "
        "from the words of your message; the team checks both when they triage it.",
    ]
    if left_out:
        lines += ["", "These files were not kept: " + ", ".join(name for name in left_out if name)]
    others = [hit for hit in hits if getattr(hit, "obj", None) is not None]
    if others:
        lines += ["", "This may already answer your question:"]
        for hit in others:
            obj = hit.obj
            lines.append(f"- {getattr(obj, 'title', obj)}: {_url(obj.get_absolute_url())}")
    lines += ["", "Reply to this email to add a message to the request."]
    return Reply(
        to=user.email,
        subject=f"Re: {request.title} [PMM #{request.pk}]",
        body="\n".join(lines) + "\n",
        request_id=request.pk,
    )


def _url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(reply: Reply, *, original: str, team: Team | None) -> None:
    """Mail the answer, threaded under the sender's message; a failure is logged, the message stays handled."""
    domain = intake_domain() or "localhost"
    token = uuid.uuid4().hex[:16]
    message_id = (
        f"<pmm-request-{reply.request_id}.{token}@{domain}>"
        if reply.request_id
        else f"<pmm-{token}@{domain}>"
    )
    headers = {"Message-ID": message_id, "Auto-Submitted": "auto-replied", **reply.headers}
    if not original.startswith("sha256:"):
        headers.update({"In-Reply-To": original, "References": original})
    reply_to = [team_address(team)] if team is not None and team_address(team) else None
    try:
        EmailMessage(
            reply.subject[:200], reply.body, to=[reply.to], reply_to=reply_to, headers=headers
        ).send()
    except Exception:
        logger.exception("Email intake: the answer to %s could not be sent", reply.to)
