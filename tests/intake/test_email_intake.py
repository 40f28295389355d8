"""Requests by email, through a real SMTP server: the intake's own (aiosmtpd) on a free port.

Messages are sent with ``smtplib`` as a rep's mail server would; the intake handles them in
its own thread with its own database connection, so these tests commit (``transactional_db``).
"""

import smtplib
import socket
from email.message import EmailMessage

import pytest
from django.core import mail

from intake import services
from intake.models import InboundMessage, Outcome
from intake.smtp import controller
from requests_queue.models import Request, RequestComment, RequestType
from tests.factories import AssetFactory, ProductFactory

DOMAIN = "requests.example.com"


@pytest.fixture
def smtp(transactional_db, settings):
    settings.EMAIL_INTAKE_DOMAIN = DOMAIN
    with socket.socket() as probe:  # a free port (aiosmtpd's controller cannot take port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = controller("127.0.0.1", port)
    server.start()
    yield port
    server.stop()


def send(port: int, message: EmailMessage, to: str | None = None) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(message, to_addrs=[to or str(message["To"])])


def message(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    message_id: str = "<m1@mail.example.com>",
    **headers: str,
):
    m = EmailMessage()
    m["From"] = sender
    m["To"] = to
    m["Subject"] = subject
    m["Message-ID"] = message_id
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(body)
    return m


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_message_becomes_one_request_with_its_attachment_and_the_rep_gets_the_link(
    smtp, sales_rep, team, product, pmm
):
    AssetFactory(team=team, owner=pmm, title="Northwind battlecard")
    m = message(
        sender=f"Sam Reyes <{sales_rep.email.upper()}>",
        to=f"{team.slug}@{DOMAIN}",
        subject="Fwd: Northwind battlecard",
        body="Lost twice on price to Northwind this quarter on Atlas deals.\nCan we get a battlecard?",
    )
    m.add_attachment(PDF, maintype="application", subtype="pdf", filename="deal-notes.pdf")
    send(smtp, m)

    request = Request.objects.get()
    assert request.requester == sales_rep
    assert request.team == team
    assert request.product == product
    assert request.title == "Northwind battlecard"
    assert "Lost twice on price" in request.details
    assert request.type == RequestType.COMPETITIVE_INTEL
    assert [a.original_name for a in request.attachments.all()] == ["deal-notes.pdf"]
    inbound = InboundMessage.objects.get()
    assert inbound.outcome == Outcome.CREATED
    assert inbound.request == request
    receipt = next(m for m in mail.outbox if m.to == [sales_rep.email])
    assert f"[PMM #{request.pk}]" in receipt.subject
    assert request.get_absolute_url() in receipt.body
    assert "This may already answer your question:\n- Northwind battlecard: http" in receipt.body
    assert receipt.extra_headers["In-Reply-To"] == "<m1@mail.example.com>"


def test_the_same_message_delivered_twice_creates_one_request(smtp, sales_rep, team, product):
    m = message(
        sender=sales_rep.email, to=f"{team.slug}@{DOMAIN}", subject="Pricing one-pager", body="For Acme."
    )
    send(smtp, m)
    send(smtp, m)
    assert Request.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert len([x for x in mail.outbox if x.to == [sales_rep.email]]) == 1


def test_a_reply_in_the_thread_becomes_a_comment(smtp, sales_rep, team, product):
    send(
        smtp,
        message(sender=sales_rep.email, to=f"{team.slug}@{DOMAIN}", subject="Call script", body="Discovery."),
    )
    request = Request.objects.get()
    receipt = next(m for m in mail.outbox if m.to == [sales_rep.email])
    ours = receipt.extra_headers["Message-ID"]
    reply = message(
        sender=sales_rep.email,
        to=f"{team.slug}@{DOMAIN}",
        subject=receipt.subject,
        body=f"The call is on Tuesday, with their CFO.\n\nOn Mon, Dec 7, 2026 PMM Portal wrote:\n> {receipt.body}",
        message_id="<m2@mail.example.com>",
        In_Reply_To=ours,
        References=f"<m1@mail.example.com> {ours}",
    )
    send(smtp, reply)
    comment = RequestComment.objects.get(request=request)
    assert comment.author == sales_rep
    assert comment.body == "The call is on Tuesday, with their CFO."
    assert Request.objects.count() == 1
    assert InboundMessage.objects.get(message_id="<m2@mail.example.com>").outcome == Outcome.COMMENTED


def test_an_unknown_sender_creates_nothing_and_is_answered_politely(smtp, team, product):
    send(
        smtp,
        message(sender="stranger@elsewhere.example", to=f"{team.slug}@{DOMAIN}", subject="Hi", body="Help"),
    )
    assert Request.objects.count() == 0
    inbound = InboundMessage.objects.get()
    assert inbound.outcome == Outcome.REFUSED
    answer = mail.outbox[-1]
    assert answer.to == ["stranger@elsewhere.example"]
    assert "could not find a PMM Portal account" in answer.body
    assert "nothing was filed" in answer.body


def test_an_out_of_office_is_neither_filed_nor_answered(smtp, sales_rep, team, product):
    send(
        smtp,
        message(
            sender=sales_rep.email,
            to=f"{team.slug}@{DOMAIN}",
            subject="Out of office",
            body="Back on Monday.",
            Auto_Submitted="auto-replied",
        ),
    )
    assert Request.objects.count() == 0
    assert mail.outbox == []


def test_an_address_that_is_no_team_is_refused_by_the_server(smtp, sales_rep, team):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(smtp, message(sender=sales_rep.email, to=f"nobody@{DOMAIN}", subject="x", body="y"))
    assert InboundMessage.objects.count() == 0


def test_a_reply_to_someone_elses_request_is_not_added(smtp, sales_rep, team, product):
    from tests.factories import RequestFactory, UserFactory

    other = UserFactory(role="sales", email="other.rep@example.com")
    theirs = RequestFactory(requester=other, product=product)
    send(
        smtp,
        message(
            sender=sales_rep.email,
            to=f"{team.slug}@{DOMAIN}",
            subject=f"Re: their request [PMM #{theirs.pk}]",
            body="Adding my two cents.",
        ),
    )
    assert not RequestComment.objects.exists()
    assert InboundMessage.objects.get().outcome == Outcome.REFUSED


def test_the_product_named_in_the_message_is_picked(smtp, sales_rep, team, product):
    beacon = ProductFactory(name="Beacon", slug="beacon", team=team)
    send(
        smtp,
        message(
            sender=sales_rep.email, to=f"{team.slug}@{DOMAIN}", subject="Beacon datasheet", body="For a bank."
        ),
    )
    created = Request.objects.get()
    assert created.product == beacon
    assert created.type == RequestType.DATASHEET


def test_quoted_text_is_left_out_of_a_comment():
    text = "Yes, Tuesday works.\n\nOn Mon, Dec 7, 2026 at 10:00 Portal <p@x> wrote:\n> Earlier"
    assert services.reply_text(text) == "Yes, Tuesday works."
    assert services.clean_subject("RE: Fwd: Pricing [PMM #12]") == "Pricing"


def test_the_audit_log_names_the_rep_who_wrote(smtp, sales_rep, team, product):
    send(
        smtp,
        message(sender=sales_rep.email, to=f"{team.slug}@{DOMAIN}", subject="Slides for Acme", body="QBR"),
    )
    request = Request.objects.get()
    assert request.history.earliest().history_user == sales_rep
