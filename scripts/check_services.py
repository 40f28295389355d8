"""Stop ``make test`` at once, with a way out, when PostgreSQL or Redis is not reachable."""

import os
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import redis

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pmm_portal")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
HOW_TO_START = (
    "Start them with `docker compose up -d db redis` (or your system's services), "
    "or point DATABASE_URL / REDIS_URL at running ones."
)


def main() -> int:
    problems = []
    try:
        # The test run creates its own database: only the server has to answer.
        server = urlunsplit(urlsplit(DATABASE_URL)._replace(path="/postgres"))
        psycopg2.connect(server, connect_timeout=3).close()
    except psycopg2.OperationalError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
        problems.append(f"PostgreSQL is not reachable at {DATABASE_URL}: {first_line}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        problems.append(f"Redis is not reachable at {REDIS_URL}: {error}")
    if problems:
        print("make test needs PostgreSQL and Redis.", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(HOW_TO_START, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
