"""The test suite: PostgreSQL and Redis on 127.0.0.1 unless DATABASE_URL/REDIS_URL say otherwise."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pmm_portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, STORAGES

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Static files come from the finders; nothing is collected outside production.
STATIC_ROOT = None
# Tasks run in-process unless a test starts a real worker on the real broker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "max_retries": 0}
# Throttle counters and other cache entries must not outlive a test run.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Search keeps typo fixes and word frequencies for a while (core.search); tests ask the
# database every time, so a page costs the same queries on every call.
SEARCH_CACHE_SECONDS = 0
# Figures are computed on every view in tests (tests/core/test_figures.py turns the cache on).
FIGURES_CACHE_SECONDS = 0
# Pages are built on every view in tests (tests/core/test_pages.py turns the cache on).
PAGE_CACHE_SECONDS = 0
