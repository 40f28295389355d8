"""``make test`` stops at once, saying how to start PostgreSQL and Redis, when they are down."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_services.py"


def run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_passes_when_both_answer():
    result = run(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/pmm_portal", REDIS_URL="redis://127.0.0.1:6379/15"
    )
    assert result.returncode == 0, result.stderr


def test_stops_with_a_way_out_when_services_are_down():
    result = run(DATABASE_URL="postgres://postgres@127.0.0.1:1/pmm_portal", REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 2
    assert "PostgreSQL is not reachable at postgres://postgres@127.0.0.1:1/pmm_portal" in result.stderr
    assert "Redis is not reachable at redis://127.0.0.1:1/0" in result.stderr
    assert "docker compose up -d db redis" in result.stderr
    assert "Traceback" not in result.stderr
