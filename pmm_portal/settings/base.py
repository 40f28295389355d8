"""Settings shared by every environment, read from the environment.

The embedded default needs no service: without ``DATABASE_URL`` the portal uses
SQLite, and without ``REDIS_URL`` Celery tasks run in-process. With both set it
uses PostgreSQL, Redis and a Celery worker.
"""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ

# Lets admin and DRF classes be subscripted for type checking at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "pmm_portal.core",
    "personas",
    "timesheets",
    "diagnostics",
    "competitive",
    "launches",
    "initiatives",
    "requests_queue",
    "reporting",
    "intake",
    "audit",
    "imports",
    "integrations",
    "sso",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that ask (static files come precompressed from WhiteNoise);
    # Django's GZip pads each answer against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # --- Files and caches (issue 12) ---
    # No-store on what signed-in users get; an oversized body refused before anything reads it
    # (the CSRF check reads the form in process_view, after every middleware's request phase).
    "pmm_portal.core.middleware.PrivateCacheControlMiddleware",
    "pmm_portal.core.middleware.RequestBodyLimitMiddleware",
    # --- end files and caches ---
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pmm_portal.urls"
WSGI_APPLICATION = "pmm_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pmm_portal.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# Persistent connections with health checks: opening a connection per request
# makes every page several times slower on PostgreSQL.
SQLITE_PATH = env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3"))
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite in a threaded dev server: wait for a lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
USING_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# --- Cache ----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# --- Redis is an accelerator, never a single point of failure (issue 12) ---
# Every Redis call (cache and broker) gives up quickly: a hung Redis costs a request
# a fraction of a second, once per process and outage, never a worker timeout.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.25)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, or this process's memory while Redis fails (pmm_portal.core.cache).
            "BACKEND": "pmm_portal.core.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pmm",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "fallback_seconds": env.float("REDIS_FALLBACK_SECONDS", default=10.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How long a team's unchanged figures are kept (``pmm_portal.core.figures``; 0: always computed).
FIGURES_CACHE_SECONDS = env.int("FIGURES_CACHE_SECONDS", default=15 * 60)
# How long the most opened pages are kept between writes (``pmm_portal.core.pages``; 0: off).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)

# --- Authentication ---------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses a locked-out username and address.
    "axes.backends.AxesStandaloneBackend",
    # Django's, reading the signed-in account with one fixed statement on every request.
    "pmm_portal.core.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = None  # show the signed-out page

# Lock a username from one address after 5 failures, for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client address comes from X-Forwarded-For only behind a known number of
# proxies; otherwise anyone could forge the header and dodge the lockout.
_proxy_count = env.int("AXES_PROXY_COUNT", default=0)
if _proxy_count:
    AXES_IPWARE_PROXY_COUNT = _proxy_count
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Django's database sessions, read with fixed SQL instead of an ORM query per request.
SESSION_ENGINE = "pmm_portal.core.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Content security policy: no inline script and no third-party origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------
# Front-end packages come from npm (package-lock.json) and are served from
# node_modules by WhiteNoise; nothing is copied into the repository by hand.
STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/tom-select", NODE_MODULES / "tom-select" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# --- Uploads (issue 12) ---------------------------------------------------------------
# MEDIA_ROOT is never served directly: files go out through views that check permissions.
# A body over MAX_REQUEST_BODY_BYTES is refused (413) from its Content-Length, unread
# (core.middleware.RequestBodyLimitMiddleware). The largest legitimate one is the request
# form: 5 files of 10 MB (requests_queue.services.assets) and its text fields.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=55 * 1024 * 1024)
# Form fields other than files (Django's default, stated): far above any form's text.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A file above this is spooled to a temporary file while the body is parsed, not kept in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# One form takes at most 5 files; more than this is refused with a 400 before any is stored.
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# --- end uploads ---

# --- Email ------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PMM Portal <portal@localhost>")
# Requests by email (``intake``): ``<team-slug>@EMAIL_INTAKE_DOMAIN``, served by ``manage.py run_mail_intake``
# on EMAIL_INTAKE_HOST:EMAIL_INTAKE_PORT (the MX, or a relay forwarding that domain, points there).
EMAIL_INTAKE_DOMAIN = env.str("EMAIL_INTAKE_DOMAIN", default="")
EMAIL_INTAKE_HOST = env.str("EMAIL_INTAKE_HOST", default="127.0.0.1")
EMAIL_INTAKE_PORT = env.int("EMAIL_INTAKE_PORT", default=2525)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------
# Without a broker, tasks run in-process (``make run`` on a bare machine).
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Results are kept only when a caller asks for them (apply_async(ignore_result=False)).
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 60 * 60
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# --- Broker timeouts and redelivery (issue 12) ---
# The longest a task's message may wait for its countdown (the retry backoffs cap at 10 minutes).
TASK_LONGEST_COUNTDOWN = 10 * 60
# Redis redelivers a message its worker took and never acknowledged (the worker died) after
# the visibility timeout: longer than any task may run, including its countdown, so a live
# task is never delivered twice; far below Redis's default hour. Reports whose worker died
# are picked up sooner (reporting.recover_stuck_reports, and a worker restarting under the
# same name).
TASK_VISIBILITY_TIMEOUT = env.int(
    "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + TASK_LONGEST_COUNTDOWN + 60
)
# Fail fast when publishing to an unreachable or hung broker instead of hanging a request.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "visibility_timeout": TASK_VISIBILITY_TIMEOUT,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "celerybeat-schedule")
)

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "pmm_portal.core.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # API contract (issue 12): drf-standardized-errors' schema plus the answers it cannot see.
    "DEFAULT_SCHEMA_CLASS": "pmm_portal.core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    # Atomic counters, and they keep counting in memory while Redis is down (issue 12).
    "DEFAULT_THROTTLE_CLASSES": ["pmm_portal.core.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_USER_RATE", default="2000/hour"),
        "anon": env.str("API_ANON_RATE", default="30/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
DRF_STANDARDIZED_ERRORS = {"ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": False}
SPECTACULAR_SETTINGS = {
    "TITLE": "PMM Portal API",
    "DESCRIPTION": (
        "The system of record for a product marketing team: personas, initiatives, "
        "time, sales requests, assets, wins and monthly reports. Authenticate with a "
        "session or with `Authorization: Token <key>` (POST /api/v1/auth/token/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "reporting.models.ReportStatus",
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        # API contract (issue 12): a 403 also says "not signed in" (pmm_portal.core.openapi).
        "ErrorCode403Enum": "pmm_portal.core.openapi.ErrorCode403.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        "InitiativeStatusEnum": "initiatives.models.InitiativeStatus",
        "TimeCategoryEnum": "timesheets.models.TimeCategory",
        "CompetitorTierEnum": "competitive.models.Tier",
        "LaunchTierEnum": "launches.models.LaunchTier",
        "LaunchItemStatusEnum": "launches.models.ItemStatus",
        "LaunchSideEnum": "launches.models.Side",
        "RoundStatusEnum": "diagnostics.models.RoundStatus",
        "EndpointKindEnum": "integrations.models.EndpointKind",
        "DeliveryStatusEnum": "integrations.models.DeliveryStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        # API contract (issue 12): errors of nested lists name the position (quotes.0.text).
        "pmm_portal.core.openapi.postprocess_nested_error_attrs",
    ],
    # API contract (issue 12): bodies are documented as JSON, the one encoding that can say
    # null; the operations that take a file document multipart/form-data themselves.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
}

# --- Logging ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# How many requests one person may submit through the form in an hour (django-ratelimit's format).
REQUEST_FORM_RATE = env.str("REQUEST_FORM_RATE", default="20/h")

# --- Integrations (issue 16): webhooks out, Slack and Teams -----------------------------------------
# Slack app credentials: the signing secret verifies /integrations/slack/* calls (without it they
# are all refused); the bot token (scope users:read.email) matches a Slack user to a portal user.
SLACK_SIGNING_SECRET = env.str("SLACK_SIGNING_SECRET", default="")
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="")
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api").rstrip("/")
# Where a message action's answer may be posted (its response_url).
SLACK_RESPONSE_HOSTS: list[str] = env.list("SLACK_RESPONSE_HOSTS", default=["hooks.slack.com"])

# --- Single sign-on (issue 16): OpenID Connect sign-in and SCIM provisioning ------------------------
# OpenID Connect (mozilla-django-oidc) is on when a client id and the provider's issuer (its discovery
# document at <issuer>/.well-known/openid-configuration) or its endpoints are set. Without them the
# sign-in page is the password form alone. README "Single sign-on (OpenID Connect) and SCIM".
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
# Explicit endpoints win over discovery (a provider without discovery, or to pin them).
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_JWKS_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
# The claim that carries the person's role (a dotted path reaches nested claims, e.g.
# realm_access.roles); its values are role names (sales, pmm, pm, cmo, admin) or keys of
# OIDC_ROLE_MAP (e.g. "PMM-Team=pmm,Marketing-Leads=cmo"). Without it: OIDC_DEFAULT_ROLE.
OIDC_ROLE_CLAIM = env.str("OIDC_ROLE_CLAIM", default="")
OIDC_ROLE_MAP: dict[str, str] = env.dict("OIDC_ROLE_MAP", default={})
OIDC_DEFAULT_ROLE = env.str("OIDC_DEFAULT_ROLE", default="sales")
OIDC_BUTTON_LABEL = env.str("OIDC_BUTTON_LABEL", default="Sign in with single sign-on")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and (OIDC_ISSUER or OIDC_OP_AUTHORIZATION_ENDPOINT))
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
# Local passwords (on by default). Off: the sign-in page offers single sign-on alone, password
# sign-in (page, API token, admin) is refused except to superusers (the break-glass when the
# provider is down), and password reset and change are gone.
LOCAL_PASSWORDS = env.bool("LOCAL_PASSWORDS", default=True)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("sso.backends.OIDCBackend")
if not LOCAL_PASSWORDS:
    AUTHENTICATION_BACKENDS = [
        "sso.backends.SuperuserPasswordBackend" if path.endswith(".ModelBackend") else path
        for path in AUTHENTICATION_BACKENDS
    ]
# SCIM 2.0 (/scim/v2/): the identity provider's bearer token; without it every SCIM call gets 401.
SCIM_TOKEN = env.str("SCIM_TOKEN", default="")
