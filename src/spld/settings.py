"""Django settings for SPLD, read from SPLD_* environment variables (see docs/configuration.md)."""

from __future__ import annotations

import datetime as _dt
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from spld.core.config import env_bool, env_int, env_list, env_path, env_str, load_env_file
from spld.core.net import parse_networks

PACKAGE_DIR = Path(__file__).resolve().parent
# Before any other setting: the server, the worker and every command read the same file.
ENV_FILE = load_env_file()

DATA_DIR = env_path(
    "SPLD_DATA_DIR", "./spld-data", help="Folder for the SQLite database, keys and files."
)
DEBUG = env_bool(
    "SPLD_DEBUG", False, help="Development mode: detailed error pages. Never in production."
)
DEMO_MODE = env_bool(
    "SPLD_DEMO", False, help="Set by `spld demo`: allows a generated secret key and demo accounts."
)


def _secret_key() -> str:
    key = env_str(
        "SPLD_SECRET_KEY",
        help="Django secret key. Required unless SPLD_DEBUG or SPLD_DEMO is on "
        "(then generated once and kept in SPLD_DATA_DIR/secret_key).",
    )
    if key:
        return key
    if not (DEBUG or DEMO_MODE):
        raise ImproperlyConfigured(
            "SPLD_SECRET_KEY is required in production (SPLD_DEBUG and SPLD_DEMO are off)."
        )
    # The demo keeps its key on disk so that sessions survive a restart.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list(
    "SPLD_ALLOWED_HOSTS",
    "127.0.0.1,localhost",
    help="Host names this server answers to, comma-separated.",
)
CSRF_TRUSTED_ORIGINS = env_list(
    "SPLD_CSRF_TRUSTED_ORIGINS", "", help="Extra origins allowed for form posts (https://…)."
)
SITE_URL = env_str(
    "SPLD_SITE_URL",
    "http://127.0.0.1:8000",
    help="Public base URL, used in links placed in e-mails, catalogues and receipts.",
)
SITE_NAME = env_str(
    "SPLD_SITE_NAME",
    "Service public local de la donnée — Brest métropole",
    help="Name shown in the header and page titles.",
)

DATABASES = {
    "default": dj_database_url.parse(
        env_str(
            "SPLD_DATABASE_URL",
            f"sqlite:///{DATA_DIR / 'spld.sqlite3'}",
            help="Metadata database: sqlite:///path (default: SPLD_DATA_DIR/spld.sqlite3) "
            "or postgres://user:password@host:port/name.",
        ),
        conn_max_age=60,
    )
}
# Reuse connections (opening one costs more than a data API query); check them first.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while the worker writes; IMMEDIATE avoids lock upgrades
    # in the middle of a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete: erased rows (a destroyed vault key) are overwritten, not left in
        # free pages or the WAL.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA secure_delete=ON;",
    }

INSTALLED_APPS = [
    "spld.core",
    "spld.accounts",
    "spld.organizations",
    "spld.ledger",
    "spld.catalog",
    "spld.dataapi",
    "spld.rights",
    "spld.charter",
    "spld.registers",
    "spld.lineage",
    "spld.demo",
    "spld.portal",
    "spld.core.admin_apps.SpldAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]

MIDDLEWARE = [
    # First: /healthz answers on plain HTTP and any Host (SPLD_HTTPS, SPLD_ALLOWED_HOSTS).
    "spld.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, which serves static files precompressed by collectstatic itself.
    "spld.core.compression.CompressionMiddleware",
    "spld.core.middleware.SecurityHeadersMiddleware",
    "spld.core.middleware.RejectNulBytesMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "spld.core.middleware.MailUnavailableMiddleware",
]

ROOT_URLCONF = "spld.urls"
WSGI_APPLICATION = "spld.wsgi.application"
ASGI_APPLICATION = "spld.asgi.application"

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
                "spld.core.context_processors.site",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:space"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_MAX_FAILURES = env_int(
    "SPLD_LOGIN_MAX_FAILURES",
    5,
    help="Wrong passwords allowed per account and client address before a pause.",
)
LOGIN_BACKOFF_SECONDS = env_int(
    "SPLD_LOGIN_BACKOFF_SECONDS",
    60,
    help="First pause of an account from one address; it doubles with each further failure.",
)
LOGIN_BACKOFF_MAX_SECONDS = env_int(
    "SPLD_LOGIN_BACKOFF_MAX_SECONDS",
    86400,
    help="Longest such pause; failures older than this are forgotten.",
)
LOGIN_ADDRESS_MAX_FAILURES = env_int(
    "SPLD_LOGIN_ADDRESS_MAX_FAILURES",
    30,
    help="Wrong passwords allowed from one client address, all accounts together, "
    "within SPLD_LOGIN_THROTTLE_SECONDS before that address pauses.",
)
LOGIN_THROTTLE_SECONDS = env_int(
    "SPLD_LOGIN_THROTTLE_SECONDS",
    900,
    help="Window and pause of the per-address limit and of e-mail code guessing, in seconds.",
)
TRUSTED_PROXIES = env_list(
    "SPLD_TRUSTED_PROXIES",
    "",
    help="Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For is believed.",
)
try:
    parse_networks(tuple(TRUSTED_PROXIES))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names and .br/.gz copies written by collectstatic (`spld demo` runs it).
    "staticfiles": {"BACKEND": "spld.core.storage.StaticStorage"},
}


def _static_headers(headers: Any, path: str, url: str) -> None:
    """Hashed static files are cached one year, immutable (WhiteNoise's default is ten)."""
    if "immutable" in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "public, max-age=31536000, immutable"


WHITENOISE_ADD_HEADERS_FUNCTION = _static_headers
# Pages link hashed names only; source maps (megabytes, from the API docs' bundles) are
# not worth compressing: collectstatic takes seconds instead of minutes.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz",
                                       "bz2", "tbz", "xz", "br", "swf", "flv", "woff", "woff2",
                                       "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg",
                                       "mpg", "webm", "wmv", "map")
# Serve straight from app folders when collectstatic has not run (tests, first demo start).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A worker renews its lease every quarter of this delay; a task whose worker missed it is
# retried (up to SPLD_TASK_MAX_ATTEMPTS runs in all) or failed.
SPLD_TASK_LEASE_SECONDS = env_int(
    "SPLD_TASK_LEASE_SECONDS", 60,
    help="Seconds without a worker heartbeat after which its running tasks are recovered.")
SPLD_WITNESS_INTERVAL_SECONDS = env_int(
    "SPLD_WITNESS_INTERVAL_SECONDS", 300,
    help="How often the worker has the witnesses whose keys it holds cosign the newest "
         "checkpoint (0: never).")
SPLD_TASK_MAX_ATTEMPTS = env_int(
    "SPLD_TASK_MAX_ATTEMPTS", 3,
    help="Runs of a task (first one included) before a lost task is failed for good.")

EMAIL_HOST = env_str(
    "SPLD_EMAIL_HOST", help="SMTP server; when empty, e-mails are written to SPLD_DATA_DIR/outbox."
)
EMAIL_PORT = env_int("SPLD_EMAIL_PORT", 587, help="SMTP port.")
EMAIL_HOST_USER = env_str("SPLD_EMAIL_USER", help="SMTP user name.")
EMAIL_HOST_PASSWORD = env_str("SPLD_EMAIL_PASSWORD", help="SMTP password.")
EMAIL_USE_TLS = EMAIL_PORT == 587
# Without a limit an unreachable SMTP server holds the request (and a gunicorn thread) forever.
EMAIL_TIMEOUT = env_int("SPLD_EMAIL_TIMEOUT", 10, help="SMTP connection time limit, seconds.")
DEFAULT_FROM_EMAIL = env_str(
    "SPLD_EMAIL_FROM",
    "SPLD <ne-pas-repondre@spld.example>",
    help="Sender of the e-mails SPLD sends.",
)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"

# Security: cookies, headers and the Content-Security-Policy (no inline script anywhere).
SECURE_HTTPS = env_bool(
    "SPLD_HTTPS", False, help="Served over HTTPS: secure cookies, HSTS and redirect to https."
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "spld.core.views.csrf_failure"
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

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # Expected 403s and task failures with a known reason: one line, no traceback.
    "filters": {"expected": {"()": "spld.core.logs.ExpectedFailures"}},
    "loggers": {
        "django.request": {"filters": ["expected"]},
        "django_tasks": {"filters": ["expected"]},
    },
    "root": {
        "handlers": ["console"],
        "level": env_str("SPLD_LOG_LEVEL", "INFO", help="Log level."),
    },
}

API_PAGE_SIZE_MAX = 1000

# Catalogue: uploads and remote files (read through spld.catalog.conf).
SPLD_UPLOAD_MAX_BYTES = env_int(
    "SPLD_UPLOAD_MAX_BYTES", 2 * 1024**3, help="Largest accepted upload or remote file, bytes."
)
SPLD_UNCOMPRESSED_MAX_BYTES = env_int(
    "SPLD_UNCOMPRESSED_MAX_BYTES",
    4 * 1024**3,
    help="Largest decompressed size of an XLSX/ODS workbook, bytes (zip-bomb guard).",
)
SPLD_FETCH_TIMEOUT = env_int(
    "SPLD_FETCH_TIMEOUT", 120, help="Time limit of a remote file download, seconds."
)
SPLD_FETCH_ALLOWED_HOSTS = env_list(
    "SPLD_FETCH_ALLOWED_HOSTS",
    "",
    help="Host names, addresses or CIDR blocks a remote URL (and each redirect) may reach "
    "even on a private network (comma-separated).",
)

# Transparency log (spld.ledger): checkpoint origin line and the log's signing key.
LOG_ORIGIN = env_str(
    "SPLD_LOG_ORIGIN", "brest.spld.example/log",
    help="Identity of the transparency log: first line of every checkpoint and name of its "
    "key (a schema-less URL, no spaces nor '+'). Never change it once the log is public.",
)
LOG_KEY_PATH = env_path(
    "SPLD_LOG_KEY_PATH", str(DATA_DIR / "log-key"),
    help="File holding the log's Ed25519 private key (created by `spld log init-key`; "
    "keep it secret and backed up).",
)

# Citizens' rights (spld.rights): vault, receipts, retention and OpenID Connect sign-in.
RIGHTS_VAULT_MASTER_KEY = env_str(
    "SPLD_VAULT_MASTER_KEY",
    help="Key wrapping each citizen's data key (32 bytes, base64url), e.g. from a secret "
    "manager. When empty, the file SPLD_VAULT_MASTER_KEY_PATH is used.",
)
RIGHTS_VAULT_MASTER_KEY_PATH = env_path(
    "SPLD_VAULT_MASTER_KEY_PATH", str(DATA_DIR.parent / f"{DATA_DIR.name}-secrets" /
                                      "vault-master.key"),
    help="File of the vault master key (created by `spld keys init`), outside SPLD_DATA_DIR "
    "so that no data backup holds it; keep it in a separate, protected backup.",
)
RIGHTS_CONSENT_MATCH_KEY = env_str(
    "SPLD_CONSENT_MATCH_KEY",
    help="HMAC key matching a consent recorded before its holder had an account. When empty, "
    "SPLD_DATA_DIR/keys/consent-match.key (created by `spld keys init`).",
)
RIGHTS_ACCESS_LOG_RETENTION_DAYS = env_int(
    "SPLD_ACCESS_LOG_RETENTION_DAYS", 365,
    help="Days the log of staff reads of personal data is kept (CNIL: 6 months to 1 year).",
)
RIGHTS_CONSENT_RETENTION_DAYS = env_int(
    "SPLD_CONSENT_RETENTION_DAYS", 1825,
    help="Days a withdrawn, refused or expired consent record is kept as proof, then deleted.",
)
RIGHTS_REQUEST_RETENTION_DAYS = env_int(
    "SPLD_RIGHTS_REQUEST_RETENTION_DAYS", 1825,
    help="Days a closed rights request is kept, then deleted.",
)
RIGHTS_PACKAGE_LINK_SECONDS = env_int(
    "SPLD_PACKAGE_LINK_SECONDS", 7 * 86400,
    help="Lifetime of the signed link delivering an access-request package, in seconds.",
)
OIDC_PROVIDER_NAME = env_str(
    "SPLD_OIDC_PROVIDER_NAME", "FranceConnect",
    help="Name of the OpenID Connect provider shown on the sign-in button.",
)
OIDC_DISCOVERY_URL = env_str(
    "SPLD_OIDC_DISCOVERY_URL",
    help="OpenID Connect discovery document (…/.well-known/openid-configuration); "
    "empty disables OIDC sign-in.",
)
OIDC_CLIENT_ID = env_str("SPLD_OIDC_CLIENT_ID", help="OpenID Connect client identifier.")
OIDC_CLIENT_SECRET = env_str("SPLD_OIDC_CLIENT_SECRET", help="OpenID Connect client secret.")
OIDC_SCOPES = env_str(
    "SPLD_OIDC_SCOPES", "openid email profile", help="Scopes asked from the OIDC provider."
)
CHARTER_REAPPLY_DELAY_DAYS = env_int(
    "SPLD_CHARTER_REAPPLY_DELAY_DAYS",
    365,
    help="Days before an organisation excluded from the charter may apply again.",
)
CHARTER_EVALUATION_DUE = env_str(
    "SPLD_CHARTER_EVALUATION_DUE",
    "03-31",
    help="Month-day (MM-DD) of the next year by which a yearly self-evaluation is due.",
)
try:
    _due_month, _due_day = (int(part) for part in CHARTER_EVALUATION_DUE.split("-"))
    _dt.date(2001, _due_month, _due_day)  # a common year: 02-29 would be due on no year
except ValueError as _exc:
    raise ValueError("SPLD_CHARTER_EVALUATION_DUE must be a month and day MM-DD, "
                     f"got {CHARTER_EVALUATION_DUE!r}") from _exc
CHARTER_REMINDER_GRACE_DAYS = env_int(
    "SPLD_CHARTER_REMINDER_GRACE_DAYS",
    30,
    help="Days after the reminder of a missing evaluation before an alert is raised.",
)
CHARTER_EVIDENCE_MAX_BYTES = env_int(
    "SPLD_CHARTER_EVIDENCE_MAX_BYTES",
    10 * 1024 * 1024,
    help="Largest evidence file attached to a self-evaluation (bytes).",
)

# Servers and workers refuse to start with a missing key or one that does not match the
# receipts, vaults or checkpoints already published (spld.core.startup).
STARTUP_CHECK = "spld.portal.integrity.assert_safe_to_start"
