"""A real HTTP receiver on 127.0.0.1 for webhooks, Slack and Teams posts, and Slack's directory.

``receiver`` records every request, checks ``X-PMM-Signature`` against the endpoint's secret it is
told (``receiver.secret``), answers 500 the next ``receiver.fail_next`` times, and answers
``GET /api/users.info?user=…`` from ``receiver.slack_users`` (Slack user id -> email).
"""

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from integrations import services
from integrations.models import EndpointKind, Event


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signed: bool | None  # None: the receiver was told no secret

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    host: str = "127.0.0.1"
    port: int = 0
    secret: str | None = None
    fail_next: int = 0
    slack_users: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def posts(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path != "GET"]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # quiet
            pass

        def _answer(self, code: int, body: bytes, kind: str = "text/plain") -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.lock:
                signed = None
                if receiver.secret is not None:
                    expected = (
                        "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                    )
                    signed = hmac.compare_digest(expected, headers.get("x-pmm-signature", ""))
                receiver.received.append(Received(self.path, headers, body, signed))
                fail = receiver.fail_next > 0
                if fail:
                    receiver.fail_next -= 1
            if fail:
                self._answer(500, b"receiver failing on purpose")
            elif signed is False:
                self._answer(401, b"bad signature")
            else:
                self._answer(200, b"ok")

        def do_GET(self):
            parts = urlsplit(self.path)
            if parts.path != "/api/users.info":
                self._answer(404, b"")
                return
            user = parse_qs(parts.query).get("user", [""])[0]
            email = receiver.slack_users.get(user)
            if self.headers.get("Authorization") != "Bearer xoxb-test" or email is None:
                answer = {"ok": False, "error": "user_not_found"}
            else:
                answer = {"ok": True, "user": {"id": user, "profile": {"email": email}}}
            self._answer(200, json.dumps(answer).encode(), "application/json")

    return Handler


@pytest.fixture
def receiver():
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _fresh_subscribers():
    """Who hears what is cached; the database rolls back after each test, so the cache must too."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def webhook(cmo, team, receiver):
    endpoint = services.endpoint_create(
        actor=cmo,
        kind=EndpointKind.WEBHOOK,
        name="CRM sync",
        url=f"{receiver.url}/hooks/pmm",
        events=list(services.allowed_events(EndpointKind.WEBHOOK)),
        team=team,
    )
    receiver.secret = endpoint.secret
    return endpoint


@pytest.fixture
def slack_channel(cmo, team, receiver):
    return services.endpoint_create(
        actor=cmo,
        kind=EndpointKind.SLACK,
        name="#pmm-requests",
        url=f"{receiver.url}/services/T000/B000/XXXX",
        events=[Event.REQUEST_CREATED, Event.WIN_PROMOTED],
        team=team,
    )
