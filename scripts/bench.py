"""``make bench``: how fast the dashboard answers and the monthly reports are produced, at scale 10.

Seeds a fresh PostgreSQL database at ``seed_demo --scale 10``, serves it with
gunicorn on a free loopback port, signs in as the CMO, then prints the median and
95th-percentile time of at least 200 dashboard requests for one team next to
``/healthz/`` measured in the same run, and the time to produce every team's
monthly report. A measurement, not a test: it asserts nothing.
"""

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
SCALE = os.environ.get("BENCH_SCALE", "10")
DB_NAME = os.environ.get("BENCH_DB", "pmm_bench")
SERVER = "postgres://postgres@127.0.0.1:5432"


def run(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_gets(opener: urllib.request.OpenerDirector, url: str, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        with opener.open(url, timeout=30) as response:
            response.read()
            if response.status != 200:
                sys.exit(f"{url} answered {response.status}")
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    import psycopg2

    admin = psycopg2.connect(f"{SERVER}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    admin.close()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmm_portal.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": f"{SERVER}/{DB_NAME}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        # The reports are mailed as in production, but into memory rather than to the console.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("REDIS_URL", None)  # report generation is timed in-process below
    print(f"Seeding scale {SCALE} into {DB_NAME}…", flush=True)
    started = time.perf_counter()
    run("migrate", "--noinput", env=env)
    run("seed_demo", "--scale", SCALE, "--force", env=env)
    print(f"  seeded in {time.perf_counter() - started:.1f}s", flush=True)

    started = time.perf_counter()
    out = run("generate_monthly_reports", env=env)
    report_seconds = time.perf_counter() - started
    per_team = [float(m) for m in re.findall(r": version \d+ in ([0-9.]+)s", out)]
    teams = len(per_team)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "pmm_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--log-level",
            "warning",
            "--no-control-socket",
        ],
        cwd=REPO,
        env=env | {"DJANGO_SETTINGS_MODULE": "pmm_portal.settings.local"},
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # wait for the port to accept connections, bounded
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("gunicorn did not start")
                time.sleep(0.1)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = opener.open(f"{base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
        data = urllib.parse.urlencode({"username": "cmo", "password": "demo", "csrfmiddlewaretoken": token})
        opener.open(
            urllib.request.Request(
                f"{base}/accounts/login/", data=data.encode(), headers={"Referer": f"{base}/accounts/login/"}
            )
        )
        dashboard_url = f"{base}/reporting/?team=core-platform"
        timed_gets(opener, dashboard_url, 5)  # warm up
        dashboard = timed_gets(opener, dashboard_url, REQUESTS)
        health = timed_gets(opener, f"{base}/healthz/", REQUESTS)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print()
    print(
        f"PMM Portal benchmark — scale {SCALE}, PostgreSQL, gunicorn 2×2, {REQUESTS} sequential requests each"
    )
    print(f"{'':34}{'median':>10}{'p95':>10}")
    print(
        f"{'/reporting/ (one team, CMO)':34}{statistics.median(dashboard):>8.1f}ms{percentile(dashboard, 0.95):>8.1f}ms"
    )
    print(f"{'/healthz/':34}{statistics.median(health):>8.1f}ms{percentile(health, 0.95):>8.1f}ms")
    print(
        f"Monthly reports for every team ({teams}): {sum(per_team):.2f}s generating and mailing "
        f"(slowest team {max(per_team, default=0):.2f}s); {report_seconds:.2f}s for the whole "
        "manage.py run, Django start-up included"
    )


if __name__ == "__main__":
    main()
