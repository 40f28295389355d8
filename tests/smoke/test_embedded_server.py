"""``make run``'s path cannot rot: no PostgreSQL, no Redis, just SQLite and the dev server.

In subprocesses, exactly as ``make run`` does it: ``migrate``, ``seed_demo``, then
``runserver`` with the local settings, no ``DATABASE_URL`` and no ``REDIS_URL``.
Then the sign-in page, the health check and a real sign-in over HTTP. Nothing
here uses pytest-django's test database.
"""

import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Quit the server with"
COMMAND_TIMEOUT_S = 300
STARTUP_TIMEOUT_S = 60
HTTP_TIMEOUT_S = 15


@dataclass
class EmbeddedServer:
    url: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def output(self) -> str:
        return "".join(self.lines)


def embedded_env(root: Path) -> dict[str, str]:
    """The environment of ``make run`` on a bare machine, with its files under ``root``."""
    env = {
        name: value
        for name, value in os.environ.items()
        # The test settings put DATABASE_URL and REDIS_URL in this process's environment.
        if name not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="pmm_portal.settings.local",
        SQLITE_PATH=str(root / "db.sqlite3"),
        MEDIA_ROOT=str(root / "media"),
        CELERY_BEAT_SCHEDULE_FILENAME=str(root / "celerybeat-schedule"),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(server: EmbeddedServer, lines: "queue.Queue[str | None]") -> None:
    """Block on the server's output until it says it listens (it prints that after binding)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(remaining, 0))
        except queue.Empty:
            pytest.fail(
                f"runserver did not start within {STARTUP_TIMEOUT_S}s:\n{server.output()}", pytrace=False
            )
        if line is None:
            pytest.fail(
                f"runserver exited with {server.process.wait()} before it was ready:\n{server.output()}",
                pytrace=False,
            )
        if READY_LINE in line:
            return


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    root = tmp_path_factory.mktemp("embedded")
    env = embedded_env(root)
    manage("migrate", "--noinput", env=env)
    assert (root / "db.sqlite3").is_file(), "migrate did not use SQLite at SQLITE_PATH"
    assert "Demo organisation ready" in manage("seed_demo", env=env)

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    server = EmbeddedServer(url=f"http://127.0.0.1:{port}", process=process)
    lines: queue.Queue[str | None] = queue.Queue()

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.lines.append(line)
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read_output, name="runserver-output", daemon=True)
    reader.start()
    try:
        wait_until_ready(server, lines)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)


def http_client() -> urllib.request.OpenerDirector:
    """Cookies kept, redirects followed, and never a proxy (an http_proxy variable must not apply)."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(CookieJar())
    )


def fetch(
    client: urllib.request.OpenerDirector, url: str, data: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Status, final URL and body of a GET (or a form POST when ``data`` is given)."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with client.open(url, data=body, timeout=HTTP_TIMEOUT_S) as response:
            return response.status, response.url, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.url, error.read().decode()


def test_the_sign_in_page_is_served(embedded_server: EmbeddedServer) -> None:
    status, _, body = fetch(http_client(), f"{embedded_server.url}/accounts/login/")

    assert status == 200, embedded_server.output()
    assert "Sign in" in body


def test_the_health_check_sees_the_database_and_no_broker(embedded_server: EmbeddedServer) -> None:
    status, _, body = fetch(http_client(), f"{embedded_server.url}/healthz/")

    assert status == 200, f"{body}\n{embedded_server.output()}"
    health = json.loads(body)
    assert health["status"] == "ok"
    assert health["checks"]["database"] == "ok"
    assert "broker" not in health["checks"]


def test_a_seeded_user_signs_in_over_http(embedded_server: EmbeddedServer) -> None:
    client = http_client()
    login_url = f"{embedded_server.url}/accounts/login/"
    status, _, form = fetch(client, login_url)
    assert status == 200, embedded_server.output()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "The sign-in form has no CSRF token"

    status, final_url, body = fetch(
        client,
        login_url,
        {"csrfmiddlewaretoken": token.group(1), "username": "pmm", "password": "demo", "next": ""},
    )

    assert status == 200, f"{body}\n{embedded_server.output()}"
    assert final_url == f"{embedded_server.url}/", body
    assert "Hello," in body
    assert "Traceback" not in embedded_server.output(), embedded_server.output()
