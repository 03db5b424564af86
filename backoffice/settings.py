"""Settings for the back office, read from the environment (django-environ).

Every setting has an embedded default so that `make run` needs no other service:
SQLite and the in-memory channel layer. The README lists every variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
import structlog
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def env_positive(name: str, default: float) -> float:
    value = env.float(name, default=default)
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive number, got {value!r}")
    return value


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env_secret("SECRET_KEY") or (
    "insecure-dev-key-only-for-the-embedded-quick-start-change-me-in-production"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies (addresses or networks, e.g. "127.0.0.1,10.0.0.0/8") whose X-Forwarded-For and
# verified client-certificate headers are believed (backoffice/lib/client_address.py). Empty: none.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_celery_beat",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "template_partials",
    "django_htmx",
    "allauth",
    "allauth.account",
    "backoffice.accounts",
    "backoffice.audit",
    "backoffice.live",
    "backoffice.portal",
    "stations",
    "reservations",
    "billing",
]

MIDDLEWARE = [
    # Before anything reads the path: a NUL in it would reach the database (HTTP 500).
    "backoffice.request_checks.refuse_control_characters",
    # Before SecurityMiddleware: what request.is_secure() believes.
    "backoffice.middleware.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "backoffice.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
ASGI_APPLICATION = "backoffice.asgi.application"

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
                "backoffice.accounts.context_processors.access",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the OCPP threads and the admin write without
    # "database is locked" errors in the embedded quick start.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    # Persistent connections: the OCPP hot path must not open a connection per message.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=None)
    # Short OLTP queries: PostgreSQL's JIT spent 250 ms compiling the dashboard's 90 ms count.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels and Celery --------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CHANNEL_PREFIX = env.str("CHANNEL_PREFIX", default="asgi")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels-redis, made to stand through a Redis outage (consumers survive it).
            "BACKEND": "backoffice.lib.channel_layer.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, the same as
                # channels-redis's 5 s BZPOPMIN: every 5 s one consumer's receive timed out and
                # its station was dropped. Reads must outlast the blocking pop.
                "hosts": [
                    {"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5}
                ],
                "prefix": CHANNEL_PREFIX,
                # The default (86400 s) silently drops station groups after a day; chargers
                # stay connected for months.
                "group_expiry": 10 * 365 * 86400,
                "capacity": 1000,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # kombu's Redis sockets wait forever by default: a publish to a frozen Redis never returned.
    # The worker's BRPOP polls every second, well within these.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 10, "socket_connect_timeout": 5}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Django's cache holds what every server process must count together: failed station logins,
# sign-in attempts (ours and allauth's rate limits). With Redis it is shared, under its own key
# prefix beside the channel layer's and Celery's keys; without, each process counts alone (the
# one-process quick start).
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="cache")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # redis-py waits forever by default; a counter falls back to this process's own
            # (backoffice.lib.cache_counters) rather than hold a charger's upgrade.
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Live page updates are sent in batches this often (seconds), duplicates coalesced.
LIVE_FLUSH_SECONDS = env_positive("LIVE_FLUSH_SECONDS", 0.25)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- Auth, i18n, static ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Where stations (firmware downloads, diagnostics uploads) and phones (QR codes) reach the back
# office over HTTP. Unset: `manage.py serve` points it at the address it serves on.
BACKOFFICE_PUBLIC_URL = env.str("BACKOFFICE_PUBLIC_URL", default="http://127.0.0.1:8000")
STATION_UPLOAD_MAX_BYTES = int(env_positive("STATION_UPLOAD_MAX_BYTES", 50 * 1024 * 1024))
# Request bodies are capped by the server before they are read (daphne_patches/body_limits.py):
# every route at HTTP_MAX_BODY_BYTES, station uploads at STATION_UPLOAD_MAX_BYTES and firmware
# images in the admin at FIRMWARE_UPLOAD_MAX_BYTES (each plus multipart framing).
HTTP_MAX_BODY_BYTES = int(env_positive("HTTP_MAX_BODY_BYTES", 10 * 1024 * 1024))
FIRMWARE_UPLOAD_MAX_BYTES = int(env_positive("FIRMWARE_UPLOAD_MAX_BYTES", 100 * 1024 * 1024))
# Form fields are held in memory (400 above this); files above this are spooled to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env_positive("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(env_positive("FILE_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024))

# --- Transport security -------------------------------------------------------------------------
# Served over TLS (by serve itself or a TLS proxy in front): cookies travel only over HTTPS,
# browsers are told to use nothing else (HSTS), plain http is redirected. On by default when the
# public URL is https; docs/production-checks.md.
HTTPS = env.bool("HTTPS", default=BACKOFFICE_PUBLIC_URL.startswith("https://"))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 86400 if HTTPS else 0)
# Both bind every subdomain of the host's domain too: the domain's owner decides.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# A TLS proxy says "https" in X-Forwarded-Proto; backoffice.middleware.ForwardedProtoMiddleware
# drops the header from anyone but a TRUSTED_PROXIES address, so a client cannot claim it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CSMS <noreply@localhost>")
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend under the sign-in policy, first: it refuses before any backend checks
    # a password (docs/security.md).
    "backoffice.accounts.backends.SignInPolicyBackend",
    # Drivers sign in with their email address (staff with their username, too).
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
# Staff land on the dashboard, drivers on the portal (backoffice.accounts.views.home).
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# The sign-in policy (backoffice/accounts/services/sign_in_policy.py) replaces allauth's
# per-account lockout, which let anyone lock a user out with five wrong passwords.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# Counts are forgotten this long after their last failure; a full count refuses meanwhile.
SIGN_IN_WINDOW_SECONDS = int(env_positive("SIGN_IN_WINDOW_SECONDS", 600))
# Failed sign-ins from one client address, whatever the accounts.
SIGN_IN_FAILURES_PER_ADDRESS = int(env_positive("SIGN_IN_FAILURES_PER_ADDRESS", 20))
# Failed sign-ins on one account from one client address.
SIGN_IN_FAILURES_PER_ACCOUNT = int(env_positive("SIGN_IN_FAILURES_PER_ACCOUNT", 5))
# Failed sign-ins on one account from addresses it never signed in from (those it did are
# never refused by this count).
SIGN_IN_ACCOUNT_FAILURES = int(env_positive("SIGN_IN_ACCOUNT_FAILURES", 30))
# Drivers get a profile at sign-up; staff skip email verification (backoffice.accounts.adapter).
ACCOUNT_ADAPTER = "backoffice.accounts.adapter.AccountAdapter"
# Confirming the email in the browser that signed up signs the driver in (allauth checks that).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Drivers' own cards wait for an operator's approval before they can charge.
DRIVER_TOKENS_NEED_APPROVAL = env.bool("DRIVER_TOKENS_NEED_APPROVAL", default=True)
# A driver's tries to add a card someone else holds, refused per day (then every try is).
CARD_CLAIMS_REFUSED_PER_DAY = int(env_positive("CARD_CLAIMS_REFUSED_PER_DAY", 5))
# 1.6 idTagInfo.expiryDate / 2.x cacheExpiryDateTime: how long a station may keep an accepted
# token in its authorization cache (a token's own earlier expiry wins). 0: no cache expiry.
OCPP_AUTH_CACHE_SECONDS = int(env.int("OCPP_AUTH_CACHE_SECONDS", default=86400))
# Map tiles for the site pages, e.g. "https://tile.openstreetmap.org/{z}/{x}/{y}.png". Empty:
# maps show the sites' markers on a blank background and nothing is fetched from outside.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")

# --- REST API (DRF, drf-spectacular) -----------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous request gets 401 with `WWW-Authenticate: Token`, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON without NUL anywhere (PostgreSQL stores none); forms as DRF's defaults.
    "DEFAULT_PARSER_CLASSES": [
        "backoffice.api_parsers.JSONWithoutNulParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Sign-ins are limited by the sign-in policy; should a throttle be added, DRF must not read
    # X-Forwarded-For (forgeable unless from TRUSTED_PROXIES): its ident is the peer.
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CSMS back office API",
    "DESCRIPTION": "Stations and their live status, remote commands, transactions (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs pages need a signed-in user (session or token), like the API:
    # they list every operation and field, which strangers have no use for (docs/api.md).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc are served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CommandStateEnum": "stations.models.Command.State",
        "TransactionStateEnum": "stations.models.Transaction.State",
        "ChargingProfilePurposeEnum": "stations.services.smart_charging.charging_profiles.PURPOSES",
        "ReportedProfilePurposeEnum": "stations.api.command_specs.smart_charging.REPORTED_PURPOSES",
        "DisplayMessageFormatEnum": "stations.api.command_specs.v2x.MESSAGE_FORMATS",
        "DisplayMessageStateEnum": "stations.api.command_specs.v2x.MESSAGE_STATES",
    },
}
# Upper bound (s) of the `?timeout=` an API client may give a command: the request waits.
API_COMMAND_TIMEOUT_MAX = env_positive("API_COMMAND_TIMEOUT_MAX", 120)

# --- OCPP -------------------------------------------------------------------------------------
# Unknown stations are admitted (without credentials) and kept Pending until accepted, up to
# OCPP_MAX_PENDING_STATIONS such stations in all and OCPP_UNKNOWN_STATIONS_PER_ADDRESS_PER_HOUR
# created from one client address.
OCPP_ALLOW_UNKNOWN_STATIONS = env.bool("OCPP_ALLOW_UNKNOWN_STATIONS", default=False)
OCPP_MAX_PENDING_STATIONS = env.int("OCPP_MAX_PENDING_STATIONS", default=100)
OCPP_UNKNOWN_STATIONS_PER_ADDRESS_PER_HOUR = env.int(
    "OCPP_UNKNOWN_STATIONS_PER_ADDRESS_PER_HOUR", default=10
)
# Interval (s) sent in an Accepted BootNotification.conf.
OCPP_HEARTBEAT_INTERVAL = int(env_positive("OCPP_HEARTBEAT_INTERVAL", 300))
# Interval (s) after which a Pending or Rejected station should boot again.
OCPP_BOOT_RETRY_INTERVAL = int(env_positive("OCPP_BOOT_RETRY_INTERVAL", 60))
# Seconds to wait for a station's answer to a CALL the back office sent.
OCPP_RESPONSE_TIMEOUT = env_positive("OCPP_RESPONSE_TIMEOUT", 30)
# Frames larger than this close the socket with 1009 (message too big).
OCPP_MAX_FRAME_BYTES = int(env_positive("OCPP_MAX_FRAME_BYTES", 65536))
# Back-pressure (backoffice/daphne_patches/inbound_flow.py): a station's socket is not read while
# more than OCPP_MAX_QUEUED_FRAMES of its frames, or OCPP_MAX_QUEUED_BYTES bytes, wait to be
# answered; reading resumes once half of both are. A station keeping to one outstanding CALL has
# at most two frames waiting (its CALL and its answer to ours), so it never meets the limits.
OCPP_MAX_QUEUED_FRAMES = int(env_positive("OCPP_MAX_QUEUED_FRAMES", 10))
OCPP_MAX_QUEUED_BYTES = int(env_positive("OCPP_MAX_QUEUED_BYTES", 4 * OCPP_MAX_FRAME_BYTES))
if OCPP_MAX_QUEUED_FRAMES < 2:
    raise ImproperlyConfigured("OCPP_MAX_QUEUED_FRAMES must be at least 2")
if OCPP_MAX_QUEUED_BYTES < 2 * OCPP_MAX_FRAME_BYTES:
    raise ImproperlyConfigured("OCPP_MAX_QUEUED_BYTES must be at least twice OCPP_MAX_FRAME_BYTES")
# The message log is written in batches off the hot path.
OCPP_MESSAGE_LOG_RETENTION_DAYS = int(env_positive("OCPP_MESSAGE_LOG_RETENTION_DAYS", 30))
OCPP_MESSAGE_LOG_FLUSH_SECONDS = env_positive("OCPP_MESSAGE_LOG_FLUSH_SECONDS", 1.0)
OCPP_MESSAGE_LOG_BATCH_SIZE = int(env_positive("OCPP_MESSAGE_LOG_BATCH_SIZE", 500))
# Threads (each with its own database connection) that run the OCPP handlers' queries.
# SQLite allows one writer at a time, so the quick start uses one.
OCPP_DB_THREADS = int(
    env_positive(
        "OCPP_DB_THREADS",
        1 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 8,
    )
)
# Each server process beats this often in the connection registry; its stations count as
# offline once it has missed three beats.
OCPP_WORKER_HEARTBEAT_SECONDS = env_positive("OCPP_WORKER_HEARTBEAT_SECONDS", 10)
# Failed station logins (stations/services/security/login_throttle.py): an address's first
# OCPP_AUTH_FREE_FAILURES recent failures are refused at once, each further one is held longer
# (1, 2, 4 … s, at most OCPP_AUTH_BACKOFF_MAX_SECONDS, under serve's 30 s handshake timeout);
# an address's failures are forgotten after OCPP_AUTH_FAILURE_WINDOW_SECONDS without one. A right
# password is never refused.
OCPP_AUTH_FREE_FAILURES = env.int("OCPP_AUTH_FREE_FAILURES", default=10)
OCPP_AUTH_BACKOFF_MAX_SECONDS = env_positive("OCPP_AUTH_BACKOFF_MAX_SECONDS", 20)
if OCPP_AUTH_BACKOFF_MAX_SECONDS >= 30:
    raise ImproperlyConfigured("OCPP_AUTH_BACKOFF_MAX_SECONDS must stay under 30 (seconds)")
OCPP_AUTH_FAILURE_WINDOW_SECONDS = int(env_positive("OCPP_AUTH_FAILURE_WINDOW_SECONDS", 900))
# TLS (security profile 2): `manage.py serve` adds a wss:// endpoint when both are set.
OCPP_TLS_CERT_FILE = env.str("OCPP_TLS_CERT_FILE", default="")
OCPP_TLS_KEY_FILE = env.str("OCPP_TLS_KEY_FILE", default="")
OCPP_TLS_PORT = env.int("OCPP_TLS_PORT", default=8443)
# Server processes `manage.py serve` runs on one port (several need REDIS_URL).
SERVER_WORKERS = int(env_positive("SERVER_WORKERS", 1))
# Password of the certificate authority's private key (stored encrypted in the database);
# unset: a password derived from SECRET_KEY.
OCPP_CA_KEY_PASSWORD = env_secret("OCPP_CA_KEY_PASSWORD") or ""
# Where the CA certificates and CRLs for the TLS proxy (security profile 3) are kept up to date:
# written on every revocation and daily (`manage.py export_ca` writes them once). Empty: never.
OCPP_CA_EXPORT_DIR = env.str("OCPP_CA_EXPORT_DIR", default="")

# --- Logging ----------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The ocpp package logs every frame at INFO; our message log already keeps them.
        "ocpp": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
    },
}

structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        structlog.stdlib.add_log_level,
        structlog.processors.format_exc_info,
        structlog.processors.KeyValueRenderer(key_order=["event"], sort_keys=True),
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
