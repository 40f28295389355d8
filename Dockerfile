# PMM Portal image: gunicorn serving Django, also used for the Celery worker and beat
# (see docker-compose.yml). Build: docker build -t pmm-portal .

# --- Front-end packages, installed exactly from package-lock.json -----------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- The application ------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=pmm_portal.settings.production

# Shared libraries and a font for WeasyPrint (PDF export of the monthly reports).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libfontconfig1 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user owns only what the app writes: media and the beat schedule.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

# Pinned Python dependencies, in their own layer so code changes do not reinstall them.
RUN python -m venv "$VIRTUAL_ENV"
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt

WORKDIR /app
COPY --from=assets /build/node_modules ./node_modules
COPY . .

# Static files are collected into the image (served by WhiteNoise). The secret here
# exists only for this command: production settings refuse to load without one.
# It is not baked into the image's environment and is never used at run time.
RUN SECRET_KEY="build-time-only-collectstatic-key-never-used-at-runtime-0123456789" \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/var \
    && chown app:app /app/media /app/var

USER app

EXPOSE 8000

# /healthz/ checks the database (and the broker when REDIS_URL is set). The Host header
# is taken from ALLOWED_HOSTS so the check passes whatever host the deployment serves.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, sys, urllib.request as u; h = (os.environ.get('ALLOWED_HOSTS') or 'localhost').split(',')[0].strip().lstrip('.').replace('*', 'localhost') or 'localhost'; r = u.urlopen(u.Request('http://127.0.0.1:8000/healthz/', headers={'Host': h}), timeout=4); sys.exit(0 if r.status == 200 else 1)"

# Extra gunicorn options can be given through GUNICORN_CMD_ARGS.
CMD ["gunicorn", "pmm_portal.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--threads", "4", \
     "--timeout", "60", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
