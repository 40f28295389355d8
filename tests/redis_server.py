"""A real redis-server of the test's own, on a free port, that the test can stop, freeze and thaw.

The fault tests never touch the shared Redis (``REDIS_URL``): they start this one,
point the cache and the broker at it, and then kill it (Redis down: connections
refused) or send it SIGSTOP (Redis hung: connections accepted, never answered).
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One redis-server process, no persistence, bound to 127.0.0.1."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.frozen = False

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        assert REDIS_SERVER, "redis-server is not installed"
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                if client.ping():
                    return self
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.02)

    def stop(self) -> None:
        """Redis down: the process is gone, connections are refused."""
        if self.process and self.process.poll() is None:
            self.thaw()
            self.process.kill()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        """Redis hung: the port still accepts connections, nothing ever answers."""
        assert self.process
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        if self.process and self.frozen:
            os.kill(self.process.pid, signal.SIGCONT)
            self.frozen = False

    def restart(self) -> "RedisServer":
        """Start again on the same port (empty: nothing persisted)."""
        self.stop()
        return self.start()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed: the fault tests start their own Redis")
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()
