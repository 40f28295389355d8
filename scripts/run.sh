#!/usr/bin/env bash
# `make run`: serve the portal at http://127.0.0.1:8000/.
# Without REDIS_URL, background tasks run in-process; with it, a Celery worker
# and beat run beside the server and stop with it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
CELERY=${CELERY:-.venv/bin/celery}
ADDR=${RUN_ADDR:-127.0.0.1:8000}

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [[ -n "${REDIS_URL:-}" ]]; then
  echo "REDIS_URL is set: starting a Celery worker and beat beside the server."
  "$CELERY" -A pmm_portal worker --loglevel=INFO --concurrency=2 &
  pids+=($!)
  "$CELERY" -A pmm_portal beat --loglevel=INFO &
  pids+=($!)
else
  echo "No REDIS_URL: background tasks and the periodic jobs run in the server's process."
  export PMM_EMBEDDED_SCHEDULE=1
fi
echo "PMM Portal: http://${ADDR}/  (sign in as cmo, pmm, pm, sales or admin with the password demo)"
"$PY" manage.py runserver "$ADDR"
