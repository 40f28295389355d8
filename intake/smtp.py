"""The SMTP server of the request addresses (aiosmtpd): what ``manage.py run_mail_intake`` serves.

Recipients that are not a team's request address are refused at ``RCPT`` (550), so a
stranger's server learns nothing more. Each accepted message is handed to
``services.message_receive`` in a worker thread; if handling fails, the answer is a
temporary error (451) and the sending server delivers again later — a message is never
lost, and ``Message-ID`` makes the second delivery a no-op if the first went through.
"""

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from django.db import close_old_connections, connections

from . import services

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 30 * 1024 * 1024  # attachments of 10 MB each, base64-encoded, and the text


def _in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        connections.close_all()  # the pool's threads outlive the message: no connection left behind


class IntakeHandler:
    async def handle_RCPT(  # noqa: N802 (aiosmtpd calls the hooks by these names)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        team = await asyncio.to_thread(_in_thread, services.team_for_address, address)
        if team is None:
            return "550 5.1.1 No request address here by that name"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            await asyncio.to_thread(
                _in_thread,
                services.message_receive,
                raw=raw,
                recipients=list(envelope.rcpt_tos),
                envelope_from=str(envelope.mail_from or ""),
            )
        except Exception:
            logger.exception("Email intake: a message could not be handled; the sender's server will retry")
            return "451 4.3.0 Could not file the message now; please try again later"
        return "250 Message accepted"


def controller(host: str, port: int) -> Controller:
    """An SMTP server on ``host:port``, started by ``.start()``."""
    return Controller(IntakeHandler(), hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)
