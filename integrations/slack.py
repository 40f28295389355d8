"""Slack's side of the wire: request signatures and the directory lookup of a Slack user's email.

Slack signs every call it makes (slash commands, message actions) with the app's signing
secret: ``X-Slack-Signature: v0=<hex>``, an HMAC-SHA256 of ``v0:{timestamp}:{raw body}``.
A call whose signature does not match, or whose timestamp is more than five minutes from
now (a replay), is refused before anything of it is read.
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 5 * 60
# Slack wants an answer within 3 seconds: the directory lookup gets less than that.
LOOKUP_TIMEOUT = 2.0


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Slack-Signature`` Slack sends for ``body`` at ``timestamp``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signature_valid(
    *, secret: str, timestamp: str, given: str, body: bytes, now: float | None = None
) -> bool:
    """Whether a call is Slack's: a fresh timestamp and the signature of its raw body."""
    if not secret or not timestamp or not given or not timestamp.isascii() or not timestamp.isdigit():
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret=secret, timestamp=timestamp, body=body), given)


def user_email(slack_user_id: str) -> str:
    """The email of a Slack user from Slack's directory (``users.info``), or "" when it cannot tell.

    Needs ``SLACK_BOT_TOKEN`` (scope ``users:read.email``); without it nobody is matched and the
    caller answers with a link to the form instead.
    """
    token = settings.SLACK_BOT_TOKEN
    if not token or not slack_user_id:
        return ""
    url = f"{settings.SLACK_API_URL}/users.info?{urllib.parse.urlencode({'user': slack_user_id})}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=LOOKUP_TIMEOUT) as response:  # noqa: S310
            data: Any = json.loads(response.read(100_000))
    except (OSError, ValueError):
        logger.warning("Slack users.info failed for %s", slack_user_id, exc_info=True)
        return ""
    if not isinstance(data, dict) or not data.get("ok"):
        return ""
    profile = (data.get("user") or {}).get("profile") or {}
    email = profile.get("email") or ""
    return email if isinstance(email, str) else ""
