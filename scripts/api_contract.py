"""The API keeps its contract: schemathesis over every operation, as sales, a PMM and the CMO.

``make api-contract`` runs it in full; ``tests/core/test_api_contract.py`` runs a short one.
It builds its own database (``seed_demo``), serves the portal with gunicorn on the local
settings with DEBUG off (as production answers errors), gives each role a token, then runs
schemathesis with every check and every phase, the stateful one included, once per role.
It prints what each run covered and exits non-zero when any found a failure: a server
error, an answer the schema does not describe, any other check of schemathesis (all are
on, with the settings and the one exception that ``scripts/api_contract.toml`` explains).

The database: PostgreSQL when DATABASE_URL names one (a database of its own beside it,
``<name>_api_contract``, dropped and made anew), otherwise SQLite in a temporary folder.
No Redis: tasks run in-process and the cache is local, so nothing outside is touched.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG = REPO_ROOT / "scripts" / "api_contract.toml"
ROLES = ("sales", "pmm", "cmo")
PHASES = ("examples", "coverage", "fuzzing", "stateful")
STARTUP_TIMEOUT_S = 60


@dataclass
class RoleRun:
    role: str
    exit_code: int
    operations: str = "?"
    cases: int = 0
    failures: int = 0
    summary: str = ""


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _database_url(requested: str | None, tmp: Path) -> str:
    """A database of the run's own: never the one DATABASE_URL names, which may hold real work."""
    url = requested if requested is not None else os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'api_contract.sqlite3'}"
    import psycopg2

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'pmm_portal'}_api_contract"
    if not name.endswith("_api_contract"):  # pragma: no cover - the line above always makes it so
        raise SystemExit(f"refusing to drop {name}")
    server = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(server, connect_timeout=5)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def _environment(database_url: str, tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="pmm_portal.settings.local",
        DEBUG="false",
        DATABASE_URL=database_url,
        REDIS_URL="",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        MEDIA_ROOT=str(tmp / "media"),
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp / "celerybeat-schedule"),
        # Schemathesis sends thousands of requests a role: the limit itself is documented (429)
        # and tested elsewhere; here it would only stop the run.
        API_USER_RATE="1000000/hour",
        API_ANON_RATE="1000000/hour",
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} before it answered")
        try:
            with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {STARTUP_TIMEOUT_S}s")


def _count(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def _run_role(
    role: str, *, token: str, schema_url: str, args: argparse.Namespace, env: dict[str, str], tmp: Path
) -> RoleRun:
    command = [
        _bin("st"),
        "--config-file",
        str(CONFIG),
        "run",
        schema_url,
        "--phases",
        args.phases,
        "--max-examples",
        str(args.max_examples),
        "--workers",
        str(args.workers),
        "--seed",
        str(args.seed),
        "--no-color",
        "--warnings",
        "off",
    ]
    if args.max_time:
        command += ["--max-time", str(args.max_time)]
    report_dir = Path(args.report_dir) / role if args.report_dir else None
    if report_dir:
        command += ["--report", "junit", "--report-dir", str(report_dir)]
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        # Hypothesis keeps its example database in the run's temporary folder, not the repository.
        env={**env, "API_CONTRACT_TOKEN": token, "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp / "hypothesis")},
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    if report_dir:
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / "output.txt").write_text(output)
    run = RoleRun(role=role, exit_code=result.returncode)
    selected = re.search(r"Selected:\s*(\d+/\d+)", output)
    run.operations = selected.group(1) if selected else "?"
    run.cases = _count(r"(\d+) generated", output)
    run.failures = _count(r"(\d+) unique failures?", output)
    start = output.find("=== FAILURES ===")
    run.summary = output[start:] if result.returncode else output[output.find("SUMMARY") :]
    if result.returncode and not run.failures:
        run.summary = output  # an error of schemathesis itself (a schema it cannot load…)
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--roles", default=",".join(ROLES), help="Comma-separated: sales,pmm,cmo.")
    parser.add_argument("--phases", default=",".join(PHASES), help="Schemathesis phases (default: all).")
    parser.add_argument("--max-examples", type=int, default=100, help="Examples per operation and phase.")
    parser.add_argument("--max-time", type=int, default=0, help="Seconds per role (default: no limit).")
    parser.add_argument("--workers", type=int, default=2, help="Concurrent schemathesis workers.")
    parser.add_argument(
        "--seed", type=int, default=20261205, help="Schemathesis seed (a run can be replayed)."
    )
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL server to use (default: DATABASE_URL)."
    )
    parser.add_argument("--report-dir", default="", help="Keep each role's JUnit report and output here.")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="api-contract-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = _database_url(args.database_url, tmp)
        env = _environment(database_url, tmp)
        started = time.monotonic()
        _manage("migrate", "--noinput", env=env)
        _manage("seed_demo", "--force", env=env)
        tokens = {}
        for role in args.roles.split(","):
            output = _manage("drf_create_token", role, env=env)
            tokens[role] = output.split()[2]
        port = _free_port()
        sqlite = database_url.startswith("sqlite")
        server_log = tmp / "server.log"
        server = subprocess.Popen(
            [
                _bin("gunicorn"),
                "pmm_portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                # One worker on SQLite: a second would only wait for the database's lock.
                "--workers",
                "1" if sqlite else "2",
                "--timeout",
                "60",
                # gunicorn refuses a request line over 4 KB with its own HTML 414, before the
                # portal sees it: the limit belongs to whatever front serves it, not the API.
                "--limit-request-line",
                "0",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=server_log.open("w"),
        )
        try:
            schema_url = f"http://127.0.0.1:{port}/api/schema/"
            _wait_for(schema_url, server)
            print(
                f"API contract: {database_url.split('://')[0]} database seeded in {time.monotonic() - started:.0f}s"
            )
            runs = [
                _run_role(role, token=tokens[role], schema_url=schema_url, args=args, env=env, tmp=tmp)
                for role in args.roles.split(",")
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
        log = server_log.read_text()
        server_errors = log.count("Traceback (most recent call last)")
        if args.report_dir:
            Path(args.report_dir).mkdir(parents=True, exist_ok=True)
            (Path(args.report_dir) / "server.log").write_text(log)

    print(f"\n{'role':<6} {'operations':>10} {'test cases':>10} {'failures':>9}")
    for run in runs:
        print(f"{run.role:<6} {run.operations:>10} {run.cases:>10} {run.failures:>9}")
    failed = [run for run in runs if run.exit_code != 0]
    for run in failed:
        print(f"\n----- {run.role}: schemathesis exited with {run.exit_code} -----\n{run.summary}")
    if server_errors:
        print(f"\nThe server logged {server_errors} traceback(s): keep them with --report-dir.")
    kept = not failed and not server_errors
    print(f"\nAPI contract: {'kept' if kept else 'FAILED'} ({time.monotonic() - started:.0f}s)")
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())
