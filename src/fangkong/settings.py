"""Django settings, read from the environment (``FANGKONG_*``); nothing here touches the disk or
the network at import time, so tests and tools can import it freely. Secrets come only from the
environment: without ``FANGKONG_SECRET_KEY`` the process gets a random key of its own, which
works for one process and fails ``check --deploy`` (core/checks.py)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from fangkong.config import env_bool, env_int, env_list, env_str, secret_from_env

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("FANGKONG_DATA_DIR", str(Path.cwd() / "var")))

SECRET_KEY, SECRET_KEY_FROM_ENV = secret_from_env("FANGKONG_SECRET_KEY")
# Key of the audit log's content hashes and chain (core/audit_chain.py); derived from
# SECRET_KEY when unset, so changing SECRET_KEY then breaks verification of older rows.
AUDIT_KEY = env_str("FANGKONG_AUDIT_KEY", "")
DEBUG = env_bool("FANGKONG_DEBUG", default=False)
ALLOWED_HOSTS = env_str("FANGKONG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
TIME_ZONE = env_str("FANGKONG_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = env_str("FANGKONG_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]


def database_from_url(url: str) -> dict[str, object]:
    """Parse ``sqlite:///path`` or ``postgresql://user:pw@host:port/name`` into Django's form."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parsed.path[1:] if parsed.path.startswith("//") else parsed.path),
            "OPTIONS": {
                # WAL lets the web app read while a loader or job writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": None},
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            # Reused connections are checked first, so a database restart or a terminated
            # connection costs one reconnect, not a 500 per thread (docs/reliability.md).
            "CONN_MAX_AGE": env_int("FANGKONG_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            # PgBouncer in transaction mode: no server-side cursors (and CONN_MAX_AGE 0).
            "DISABLE_SERVER_SIDE_CURSORS": env_bool("FANGKONG_DB_TRANSACTION_POOLING",
                                                    default=False),
        }
    raise ValueError(f"FANGKONG_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


DATABASE_URL = env_str("FANGKONG_DATABASE_URL", f"sqlite:///{DATA_DIR / 'fangkong.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "fangkong.core",
    "fangkong.registry",
    "fangkong.tracing",
    "fangkong.testing",
    "fangkong.risk",
    "fangkong.quarantine",
    "fangkong.healthcode",
    "fangkong.hotline",
    "fangkong.warning",
    "fangkong.simulation",
    "fangkong.supplies",
    "fangkong.coldchain",
    "fangkong.vaccination",
    "fangkong.command",
    "fangkong.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fangkong.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fangkong.urls"
WSGI_APPLICATION = "fangkong.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fangkong.web.context.navigation",
            ],
        },
    },
]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The app serves its own assets (air-gapped networks, no CDN); finders avoid a collect step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Every login path (the admin's too) goes through the login throttle (core/throttle.py).
AUTHENTICATION_BACKENDS = ["fangkong.core.throttle.ThrottledModelBackend"]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the cookie-less meta tag instead
X_FRAME_OPTIONS = "DENY"
# A command platform on shared workstations: a session lasts one shift at most and ends
# with the browser.
SESSION_COOKIE_AGE = env_int("FANGKONG_SESSION_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("FANGKONG_SESSION_BROWSER_CLOSE", default=True)

# HTTPS (Django's deployment checklist). The app sits behind a TLS-terminating proxy
# (nginx); FANGKONG_HTTPS=true turns on the redirect, secure cookies and HSTS. The demo on
# http://127.0.0.1:8000 leaves it off.
HTTPS = env_bool("FANGKONG_HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
# Paths (regexes without the leading slash) the proxy's health checks reach over plain HTTP.
SECURE_REDIRECT_EXEMPT = env_list("FANGKONG_SSL_REDIRECT_EXEMPT", [])
if env_bool("FANGKONG_PROXY_SSL_HEADER", default=HTTPS):
    # Only behind a proxy that overwrites X-Forwarded-Proto; a client could set it otherwise.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("FANGKONG_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FANGKONG_HSTS_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("FANGKONG_HSTS_PRELOAD", default=True)
CSRF_TRUSTED_ORIGINS = env_list("FANGKONG_CSRF_TRUSTED_ORIGINS", [])
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Passwords set through Django's forms and changepassword; users created by the fangkong
# commands and the demo are not run through these (core/users.py).
PASSWORD_MIN_LENGTH = env_int("FANGKONG_PASSWORD_MIN_LENGTH", 12)
_VALIDATION = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATION}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATION}.MinimumLengthValidator",
     "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": f"{_VALIDATION}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATION}.NumericPasswordValidator"},
]
# The Content-Security-Policy of every answer; empty: core/headers.py DEFAULT_CSP.
CONTENT_SECURITY_POLICY = env_str("FANGKONG_CSP", "")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REDIS_URL = os.environ.get("FANGKONG_REDIS_URL", "")
if REDIS_URL:
    # Redelivers the tasks of a worker that died mid-job (core/jobs.py).
    HUEY = {"huey_class": "fangkong.core.jobs.RedeliveringRedisHuey", "name": "fangkong",
            "url": REDIS_URL,
            "immediate": False}
else:
    HUEY = {
        "huey_class": "fangkong.core.jobs.DataDirSqliteHuey",
        "name": "fangkong",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": env_bool("FANGKONG_JOBS_IMMEDIATE", default=False),
    }

# Personal-data retention and login throttling; both documented in docs/configuration.md.
# Movement data the contact engine reads (Parquet, synth layout): checkins/, pings/,
# households.parquet. The demo points it at its generated city.
MOVEMENT_DIR = Path(env_str("FANGKONG_MOVEMENT_DIR", str(DATA_DIR / "movement")))
TRACE_ENGINE = env_str("FANGKONG_TRACE_ENGINE", "duckdb")
# Load shedding of the gates' and check-ins' write endpoints: requests in flight per process
# beyond which the answer is 503 with Retry-After; 0: derived from the server's threads.
HEALTHCODE_MAX_IN_FLIGHT = env_int("FANGKONG_HEALTHCODE_MAX_IN_FLIGHT", 0)
HEALTHCODE_RETRY_AFTER_S = env_int("FANGKONG_HEALTHCODE_RETRY_AFTER_S", 5)
RETENTION_DAYS = env_int("FANGKONG_RETENTION_DAYS", 180)
LOGIN_MAX_FAILURES = env_int("FANGKONG_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("FANGKONG_LOGIN_LOCKOUT_MINUTES", 15)
# The hour (city time) after which the daily situation reports of the day before are made.
COMMAND_REPORT_HOUR = env_int("FANGKONG_COMMAND_REPORT_HOUR", 7)
# Hours a unit has to acknowledge a directive's task before it is flagged (command/logic.py).
COMMAND_ACK_HOURS = env_int("FANGKONG_COMMAND_ACK_HOURS", 2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("FANGKONG_LOG_LEVEL", "WARNING")},
}
