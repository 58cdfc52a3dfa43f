"""JoinedUp settings.

Every deploy-time value comes from an environment variable (listed in the
README) with a default that suits the embedded mode of `make run`: a SQLite
file and kombu's filesystem transport, so nothing needs a server.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JOINEDUP_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment; in embedded mode a random key kept in var/."""
    key = os.environ.get("SECRET_KEY") or os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver"))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    # --- auth (issue 10): hashed expiring API tokens, second factors -------------
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    # --- end auth -----------------------------------------------------------------
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "axes",
    "django_htmx",
    # JoinedUp's floors, lowest first (DESIGN.md "Layout"; `make lint` enforces the order).
    "audit",
    "agencies",
    "accountability",
    "cases",
    "plans",
    "sharing",
    "meetings",
    "portal",
    "workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # --- auth (issue 10): request.user.is_verified(), a second factor verified in this session ---
    "agencies.otp.PreparedOTPMiddleware",  # django-otp's, its device lookup prepared
    # --- end auth ---
    "django.contrib.messages.middleware.MessageMiddleware",
    # --- auth (issue 10): sessions' idle and absolute limits, then the second factor before any page ---
    "workspace.middleware.SessionLimitsMiddleware",
    "workspace.middleware.TwoFactorRequiredMiddleware",
    # --- end auth ---
    # A portal account reaches its own portal only: every other path answers 404.
    "portal.isolation.ServiceUserIsolationMiddleware",
    # A portal page in the person's language (their choice, else preferred_language); all else English.
    "portal.language.PortalLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view's lost database connection: reads once more, writes 503 saying what was saved.
    "coordination.faults.DatabaseFaultMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # axes last: it answers a locked-out sign-in before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coordination.urls"
WSGI_APPLICATION = "coordination.wsgi.application"

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
                "workspace.context_processors.navigation",
                "accountability.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A connection the database ended (restart, fail-over) is replaced at the start of the next
        # request instead of failing it (docs/decisions/0017).
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
# The hottest reads are prepared on the PostgreSQL server once per connection (agencies.prepared,
# decision 0083). Off (0) behind a pooler in transaction mode, which shares server sessions.
DB_SERVER_PREPARED = env_bool("DB_SERVER_PREPARED", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, telling a failed COMMIT apart (coordination/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "coordination.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let web, worker and beat share the file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Refuses every sign-in from an address with too many recent failures (any usernames).
    "agencies.backends.AddressLockoutBackend",
    # ModelBackend that loads the professional (and agency, team) with the user.
    "agencies.backends.ProfessionalModelBackend",
    # A passkey in place of the password (django-otp-webauthn); it verifies the second factor too.
    "agencies.backends.PasskeyBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-gb"
# The portal's languages (docs/decisions/0067): professional pages stay in English; a portal request
# is in the person's language (portal.language). The catalogues are locale/<code>/LC_MESSAGES/django.po,
# compiled to .mo by `make install` (manage.py compiletranslations).
LANGUAGES = [
    ("en-gb", "English"),
    ("cy", "Cymraeg"),
    ("pl", "Polski"),
    ("ar", "العربية"),
    ("ur", "اردو"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Cache: API throttle counters. Shared across web nodes when CACHE_URL names a Redis. ---
CACHES = {
    "default": (
        {
            # Fails open while Redis is away (coordination/cache.py); never waits long for it.
            "BACKEND": "coordination.cache.FailOpenRedisCache",
            "LOCATION": os.environ["CACHE_URL"],
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Django REST framework -------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agencies.api.authentication.ProfessionalTokenAuthentication",
        "agencies.api.authentication.VerifiedSessionAuthentication",
    ],
    # IsAuthenticated, and a portal account reaches only its own paths (404 elsewhere).
    "DEFAULT_PERMISSION_CLASSES": ["portal.isolation.ServiceUsersOwnPathsOnly"],
    "DEFAULT_METADATA_CLASS": "agencies.api.base.PlainMetadata",  # OPTIONS never builds a serializer
    "DEFAULT_PAGINATION_CLASS": "agencies.api.base.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_RATES": {"auth_token": os.environ.get("TOKEN_THROTTLE_RATE", "60/min")},
    # Throttles key on REMOTE_ADDR unless told how many proxies sit in front (X-Forwarded-For is forgeable).
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES") or "0"),  # the same as NUM_PROXIES below
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "EXCEPTION_HANDLER": "agencies.api.base.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "JoinedUp API",
    "DESCRIPTION": "Multi-agency case coordination. Version 1: names here are stable.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc served from our own static files (drf-spectacular-sidecar): nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "agencies.api.base.uuid_path_parameters",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "agencies.models.AgencyKind",
        "ProfessionEnum": "agencies.models.Profession",
        "ReviewKindEnum": "plans.models.ReviewKind",
        "MeKindEnum": "cases.api.serializers.ME_KINDS",
        "CaseStatusEnum": "cases.models.CaseStatus",
        "CaseClosingStatusEnum": "cases.api.serializers.CASE_CLOSING_STATUS",
        "ItemStatusEnum": "plans.models.ItemStatus",
        "GoalStatusEnum": "plans.models.GoalStatus",
        "RoleEnum": "cases.models.Role",
        "RelationshipKindEnum": "cases.models.RelationshipKind",
        "ProxyScopeEnum": "cases.models.ProxyScope",
        "MessageKindEnum": "portal.models.MessageKind",
    },
}

# --- django-guardian ---------------------------------------------------------
ANONYMOUS_USER_NAME = None  # no anonymous user row: anonymous callers see nothing
GUARDIAN_RAISE_403 = False

# --- auth (issue 10): sign-in throttling, second factors, sessions, API tokens ---------
# Every block here is about signing in (README "Signing in"; docs/decisions/0030-0034).

# Lock-out (django-axes, in the database so it still counts while Redis is away): per username,
# AXES_FAILURE_LIMIT failures lock it for AXES_COOLOFF_MINUTES, whether or not the username
# exists; per address, SIGNIN_ADDRESS_FAILURE_LIMIT failures across usernames within
# SIGNIN_ADDRESS_WINDOW_MINUTES refuse every sign-in from it (agencies.backends.AddressLockoutBackend).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "workspace.signin.locked_out"  # the page, or JSON for the API; the same for every username
# The one client-address rule (X-Forwarded-For only behind NUM_PROXIES trusted proxies), also the audit trail's.
AXES_CLIENT_IP_CALLABLE = "audit.services.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# axes.W006 asks for ip_address in the lock-out parameters; the address has its own limit and window
# instead (AddressLockoutBackend), so one office behind one address is not locked by five typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
SIGNIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGNIN_ADDRESS_FAILURE_LIMIT", "20"))
SIGNIN_ADDRESS_WINDOW = timedelta(minutes=int(os.environ.get("SIGNIN_ADDRESS_WINDOW_MINUTES", "60")))
# Proxies in front of the app that append to X-Forwarded-For; 0: the header is ignored.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES") or "0")

# Second factors (django-otp): professionals and admins must verify one before any professional
# page, /admin/ or a session API call; service users may enrol and are not forced.
REQUIRE_2FA = env_bool("REQUIRE_2FA", True)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "JoinedUp")
OTP_TOTP_THROTTLE_FACTOR = 1  # wrong codes slow the next try down: 1 s, 2 s, 4 s, ...
OTP_STATIC_THROTTLE_FACTOR = 1
# Passkeys (django-otp-webauthn): bound to SITE_URL's host name and accepted from its origin only.
# Browsers allow them over https, or http on localhost; an IP address cannot hold a passkey, so
# the embedded default (http://127.0.0.1:8000) offers them at http://localhost:8000 instead.
_site = urlsplit(SITE_URL)
if _site.hostname in ("127.0.0.1", "::1", None):
    _site = _site._replace(netloc=f"localhost:{_site.port}" if _site.port else "localhost")
OTP_WEBAUTHN_RP_ID = _site.hostname or "localhost"
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    o for o in [_site.geturl().rstrip("/")] if o.startswith(("https://", "http://localhost"))
]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = True

# Sessions: each request of a signed-in user counts as activity; SESSION_IDLE_MINUTES without one,
# or SESSION_MAX_HOURS after signing in, end the session (workspace.middleware.SessionLimitsMiddleware).
SESSION_ENGINE = "agencies.sessions"  # sessions know their user: deactivation ends every one at once
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_MAX_SECONDS = int(os.environ.get("SESSION_MAX_HOURS", "12")) * 3600
SESSION_WARNING_SECONDS = 120  # the page warns this long before the idle time-out
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS

# API tokens (django-rest-knox): only a digest stored, one per client name, expiring.
KNOX_TOKEN_MODEL = "agencies.ApiToken"
# knox's own migrations create its (here swapped-out) table regardless; without them no such table exists.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=float(os.environ.get("API_TOKEN_TTL_HOURS", "10"))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# Password reset is off (docs/decisions/0034): an agency administrator sets a new password.
# --- end auth -------------------------------------------------------------------------------

# --- Celery ------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Redis: a message whose worker died unacknowledged is redelivered after visibility_timeout
    # seconds; workers look for such messages every interval x throttle seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
        "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": int(os.environ.get("CELERY_UNACKED_RESTORE_THROTTLE", "10")),
    }
# GET /healthz: seconds each check (database, broker) may take before it counts as not answering.
HEALTHZ_TIMEOUT = float(os.environ.get("HEALTHZ_TIMEOUT", "2"))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# A worker runs the reminder scan as it starts (coordination/celery.py), not only at beat's first tick.
REMINDER_SCAN_AT_WORKER_START = env_bool("REMINDER_SCAN_AT_WORKER_START", True)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    "reminders-scan": {
        "task": "accountability.tasks.reminders_scan",
        "schedule": timedelta(minutes=int(os.environ.get("REMINDER_SCAN_MINUTES", "15"))),
    },
    "notices-deliver": {
        "task": "accountability.tasks.notices_deliver",
        "schedule": timedelta(seconds=float(os.environ.get("NOTICE_DELIVERY_SECONDS", "30"))),
    },
    "reminders-digest": {
        "task": "accountability.tasks.digests_send",
        "schedule": crontab(hour=int(os.environ.get("REMINDER_DIGEST_HOUR", "7")), minute=0),
    },
    "meetings-invitations-send": {
        "task": "meetings.tasks.invitations_send",
        "schedule": timedelta(seconds=float(os.environ.get("NOTICE_DELIVERY_SECONDS", "30"))),
    },
    "audit-seal": {"task": "audit.tasks.audit_seal", "schedule": timedelta(minutes=1)},
    "audit-partitions": {
        "task": "audit.tasks.audit_partitions",
        "schedule": crontab(hour=int(os.environ.get("AUDIT_VERIFY_HOUR", "3")), minute=10),
    },
    "audit-verify": {
        "task": "audit.tasks.audit_verify",
        "schedule": crontab(hour=int(os.environ.get("AUDIT_VERIFY_HOUR", "3")), minute=30),
    },
}

# --- The sealed audit trail (DESIGN.md invariant 5; audit/seal.py) ------------
# The key never lives in the database: without AUDIT_SEAL_KEY it is derived from SECRET_KEY.
AUDIT_SEAL_KEY = os.environ.get("AUDIT_SEAL_KEY") or f"audit-seal:{SECRET_KEY}"
AUDIT_SEAL_DELAY_SECONDS = int(os.environ.get("AUDIT_SEAL_DELAY_SECONDS", "60"))
# Retention without DELETE (PostgreSQL; audit/partitions.py, docs/decisions/0043): monthly
# partitions made ahead by beat; months older than the retention detached, exported, dropped.
AUDIT_RETENTION_MONTHS = int(os.environ.get("AUDIT_RETENTION_MONTHS", "96"))
if AUDIT_RETENTION_MONTHS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_MONTHS must be at least 1")
AUDIT_PARTITIONS_AHEAD = min(24, max(1, int(os.environ.get("AUDIT_PARTITIONS_AHEAD", "3"))))
AUDIT_ARCHIVE_DIR = Path(os.environ.get("AUDIT_ARCHIVE_DIR") or VAR_DIR / "audit-archive")
# The trail's indexes carry INCLUDE columns on PostgreSQL; SQLite builds them without (audit/models.py).
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "models.W040"]

# --- Reminders (DESIGN.md "Accountability and reminders") ---------------------
REMINDER_BATCH_SIZE = int(os.environ.get("REMINDER_BATCH_SIZE", "1000"))  # reminder ids per Celery message
REMINDER_CLAIM_CHUNK = int(os.environ.get("REMINDER_CLAIM_CHUNK", "500"))  # rows claimed per transaction
REMINDER_ESCALATION_DAYS = 3
REMINDER_ESCALATION_CATCHUP_DAYS = int(os.environ.get("REMINDER_ESCALATION_CATCHUP_DAYS", "14"))
REMINDER_MAIL_MAX_ATTEMPTS = int(os.environ.get("REMINDER_MAIL_MAX_ATTEMPTS", "5"))
REMINDER_MAIL_RETRY_BACKOFF = int(os.environ.get("REMINDER_MAIL_RETRY_BACKOFF", "60"))  # seconds, doubled each retry
REMINDER_DELIVERY_DELAY_MS = int(os.environ.get("REMINDER_DELIVERY_DELAY_MS", "0"))  # tests only: slows delivery

# --- E-mail ------------------------------------------------------------------
# Django 6.1 MAILERS; the environment variables keep their classic EMAIL_* names.
_email_backend = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_email_options: dict = {}
if _email_backend == "django.core.mail.backends.smtp.EmailBackend":
    _email_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
    }
elif _email_backend == "django.core.mail.backends.filebased.EmailBackend":
    _email_options = {"file_path": os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "JoinedUp <no-reply@joinedup.invalid>")

# Logging: in the hardening block below (JSON, request ids, redaction).

# =============================================================================
# --- Hardening (issue 10, helper `harden`): headers, logs, input, limits -------
# Kept in one block: docs/decisions/0035 (headers), 0036 (logs), 0037 (input), 0038 (limits).
# =============================================================================
from django.utils.csp import CSP  # noqa: E402

MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "coordination.security.HardeningMiddleware"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
_context_processors: list[str] = TEMPLATES[0]["OPTIONS"]["context_processors"]  # type: ignore[index]
_context_processors.append("django.template.context_processors.csp")

# Content-Security-Policy: scripts and styles from our own static files or carrying this
# response's nonce; no inline script, style or style="" attribute, no eval, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# HTTPS: set all four behind TLS (README "Deploying"); /healthz stays answerable over plain HTTP
# for probes inside the deployment's network.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Exports and searches: per-user rate limits (agencies/throttling.py), 429 in plain words.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].update(  # type: ignore[attr-defined]
    {
        "export": os.environ.get("EXPORT_THROTTLE_RATE", "30/hour"),
        "search": os.environ.get("SEARCH_THROTTLE_RATE", "120/min"),
    }
)

# The API's schema documents the errors every operation may answer (agencies.api.base).
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"].append("agencies.api.base.error_responses")  # type: ignore[attr-defined]

# Logs: JSON lines with the request id, personal data redacted (coordination/logs.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "coordination.logs.RequestIdFilter"},
        "redact": {"()": "coordination.logs.RedactFilter"},
    },
    "formatters": {
        "json": {
            "()": "coordination.logs.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if LOG_FORMAT == "plain" else "json",
            "filters": ["request_id", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
