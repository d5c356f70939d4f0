"""Settings, read from the environment with safe defaults.

Unset DATABASE_URL / REDIS_URL give the embedded default: SQLite and the in-memory
channel layer, one process, a signing key of its own in var/. Set them for production:
PostgreSQL and channels-redis, and SECRET_KEY is then required.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from openapp_site.local_secret import local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG")

SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "var" / "openapp.sqlite3"))
# Production is whatever names its own database. Without one this is a checkout's own
# demo on SQLite, which may sign with a key it made itself; production must give its own.
EMBEDDED = not os.environ.get("DATABASE_URL")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not EMBEDDED and not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DATABASE_URL is (production); see README.md."
        )
    SECRET_KEY = local_secret_key(SQLITE_PATH.parent / "secret-key")

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# The absolute address printed on QR codes, e.g. https://order.example.com. Unset, the
# address the site was reached at is used.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "csp",
    "axes",
    "django_htmx",
    "openapp_site",
    "tables",
    "ordering",
    "pos_bridge",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session and before CommonMiddleware, as Django asks: the phone's language
    # from its language cookie, else its Accept-Language (docs/i18n.md).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it answers a locked-out login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openapp_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

ASGI_APPLICATION = "openapp_site.asgi.application"
WSGI_APPLICATION = None

if os.environ.get("DATABASE_URL"):
    # A pool per process: under ASGI every request runs in a thread of its own, so a
    # persistent connection is never reused (they pile up until PostgreSQL refuses new
    # clients), and a fresh connection per request costs more than the page
    # (docs/performance.md).
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=0, conn_health_checks=True
        )
    }
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": int(os.environ.get("DATABASE_POOL_SIZE", "20")),
        "timeout": 10,
    }
    if os.environ.get("DATABASE_PREPARE", "1") != "0":
        # The pool keeps its connections, so PostgreSQL can keep the plan of a query it is
        # sent again and again: psycopg prepares one from its 5th run on a connection.
        # Planning was 80 % of PostgreSQL's time for a diner page's read (docs/performance.md).
        # Prepared statements need a connection of one's own: behind a pooler in transaction
        # mode (PgBouncer), DATABASE_PREPARE=0.
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
    # One test database per run, so two runs against one server never share it.
    DATABASES["default"]["TEST"] = {"NAME": f"test_openapp_{os.getpid()}"}
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets pages read while the bridge writes; IMMEDIATE takes the write
                # lock up front so two writers wait for each other instead of failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Each thread keeps its connection (opening one, with the pragmas above, cost
            # 0.9 ms of a request): pages run on long-lived threads (openapp_site.http),
            # the bridge and the diner sockets' reads on their own.
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": True,
            # A file, not memory: tests run the bridge and the server in other threads.
            # One per test run, so two runs on one machine never share it.
            "TEST": {"NAME": str(BASE_DIR / "var" / f"test-openapp-{os.getpid()}.sqlite3")},
        }
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
# Test processes run side by side (pytest-xdist, `make test`) share one Redis database: each,
# and the processes it starts, keeps its own keys, or one's location 1 hears the other's.
_REDIS_KEYS = "openapp" + os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py gives up on an answer after 5 s by default, exactly as long
                        # as channels_redis blocks waiting for a message: on a busy process
                        # the client gave up first and a phone's socket died.
                        "socket_timeout": 15,
                        # redis-py's pool allows 100 connections by default; a crowd of
                        # phones connecting or leaving at once needs more.
                        "max_connections": 1000,
                    }
                ],
                "capacity": 1500,
                "expiry": 30,
                "prefix": _REDIS_KEYS,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "openapp_site.channel_layer.InMemoryChannelLayer"}}

# The menu's version and its renders (ordering.menu_version, ordering.menu): shared by the
# web processes and the bridge in production (Redis, the channel layer's server), in the
# one process of the embedded default.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _REDIS_KEYS,
            "OPTIONS": {"pool_class": "openapp_site.cache_pool.ProcessConnectionPool"},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Admin login throttle (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT failed logins for one
# username, or from one address, that username / address is locked out for
# ADMIN_LOGIN_LOCKOUT_MINUTES (HTTP 429); a successful login resets its count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("ADMIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("ADMIN_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Diners read the site in the language their phone asks for (Accept-Language), or the one
# they picked on the menu (the language cookie, kept a year); English otherwise.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "openapp_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Menu photos are public; uploads are checked as images by Pillow and capped in size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# The embedded server serves /static/ itself; production puts a web server in front.
SERVE_STATIC = env_flag("SERVE_STATIC", default=True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_flag("SECURE_COOKIES", default=PUBLIC_BASE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
X_FRAME_OPTIONS = "DENY"

# Behind https (PUBLIC_BASE_URL=https://…) the app redirects plain HTTP and sends HSTS
# itself; each can be set on its own. The load balancer's health check may stay on HTTP.
HTTPS = PUBLIC_BASE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
# Asking browsers to preload HSTS is the domain owner's choice (hstspreload.org): off unless
# set, and Django's reminder about it (W021) is silenced.
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy on every response (django-csp): scripts only from this site, no
# inline script or event handler, no eval; the diner's WebSocket is this site's own.
_SELF, _NONE = "'self'", "'none'"
_LIVE = [_SELF]
if PUBLIC_BASE_URL:
    _LIVE.append(PUBLIC_BASE_URL.replace("https://", "wss://", 1).replace("http://", "ws://", 1))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        # Inline style attributes (the admin's, htmx's indicator style) are allowed.
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [_SELF, "data:"],
        "connect-src": _LIVE,
        "font-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}

# Where seed_demo points a new demo location's POS connection.
DEMO_POS_URL = os.environ.get("DEMO_POS_URL", "ws://127.0.0.1:8765")

# seed_demo keeps the demo admin's password beside the database it made it for.
DEMO_ADMIN_PASSWORD_FILE = os.environ.get("DEMO_ADMIN_PASSWORD_FILE") or str(
    SQLITE_PATH.parent / "demo-admin-password"
)

# What one diner may order at once (ordering/limits.py); a location may also cap the value
# of one batch (in the admin).
BASKET_MAX_LINES = int(os.environ.get("BASKET_MAX_LINES", "40"))
BASKET_MAX_QUANTITY = int(os.environ.get("BASKET_MAX_QUANTITY", "20"))
SENDS_PER_MINUTE = int(os.environ.get("SENDS_PER_MINUTE", "6"))
# Opening "Your share" asks the till afresh and waits at most this long for its answer
# before showing the last figures it gave (the answer is pushed when it comes).
SHARE_FRESH_WAIT_SECONDS = float(os.environ.get("SHARE_FRESH_WAIT_SECONDS", "3"))

# The POS bridge.
# Plain ws:// to a POS on another machine (the token then crosses the network unencrypted);
# off, the admin asks for wss:// unless DEBUG or the POS is on this machine.
POS_ALLOW_PLAIN_WS = env_flag("POS_ALLOW_PLAIN_WS")
POS_REQUEST_TIMEOUT_SECONDS = float(os.environ.get("POS_REQUEST_TIMEOUT_SECONDS", "10"))
POS_OUTBOX_POLL_SECONDS = float(os.environ.get("POS_OUTBOX_POLL_SECONDS", "1.0"))
# How long a batch is resent (same RequestID) before it is too old to cook: one that never
# reached the POS then fails, one sent but never answered is left for staff to confirm.
POS_BATCH_EXPIRY_SECONDS = float(os.environ.get("POS_BATCH_EXPIRY_SECONDS", "900"))
# How long a bridge worker holds a POS connection without renewing it: after a worker
# dies, another takes its connections over within about this long.
POS_LEASE_SECONDS = float(os.environ.get("POS_LEASE_SECONDS", "10"))
POS_MESSAGE_LOG_DAYS = int(os.environ.get("POS_MESSAGE_LOG_DAYS", "7"))
POS_MESSAGE_LOG_MAX_ROWS = int(os.environ.get("POS_MESSAGE_LOG_MAX_ROWS", "200000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"daphne": {"level": "WARNING"}, "django.channels.server": {"level": "WARNING"}},
}
