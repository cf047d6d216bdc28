"""Settings shared by every environment; every value can be set from the environment."""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default=""):
    """The variable's value, or ``default`` when it is unset or empty (``KEY=`` in a file)."""
    value = os.environ.get(name, "").strip()
    return value if value else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("DESK_VAR_DIR", BASE_DIR / "var"))


SECRET_KEY = env("DJANGO_SECRET_KEY", "local-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "config.apps.ApiTokensConfig",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "config.apps.SignInLockoutsConfig",
    "residents",
    "staff",
    "complaints",
    "reports",
    "notifications",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.UserLanguageMiddleware",
    # After the language is known, so that the refusal reads in it.
    "config.middleware.RefuseNulMiddleware",
    "config.middleware.RefuseBadNumbersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the "too many attempts" answer.
    "axes.middleware.AxesMiddleware",
]

# Safe in every environment (Django's defaults, spelled out so that they cannot drift): no
# content sniffing, no framing, the referrer only within the site. Production adds HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # Only for row templates rendered many times a page (templates/jinja2/): Jinja2 renders a
        # worklist's fifty rows in a fifth of the time Django's templates take.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment"},
    },
]

# SQLite under var/ is the embedded default; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'desk.sqlite3'}",
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite's write lock is the only lock it has; wait for it instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Guessing passwords: after 5 failures for one username from one address, that pair waits.
AXES_FAILURE_LIMIT = int(env("DESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(env("DESK_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# How many reverse proxies (nginx: 1) stand before the app and append to X-Forwarded-For.
DESK_TRUSTED_PROXIES = int(env("DESK_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "staff.lockout.client_ip"
# The residents' look-up by reference and phone digits (/status/): tries an hour from one
# address, and for one reference from any number of addresses; one more answers 429.
DESK_LOOKUPS_PER_ADDRESS = int(env("DESK_LOOKUPS_PER_ADDRESS", "10"))
DESK_LOOKUPS_PER_REFERENCE = int(env("DESK_LOOKUPS_PER_REFERENCE", "10"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "staff.lockout.lockout_response"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/complaints/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
# Evidence is never served from MEDIA_URL: every file goes through a permission check.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REDIS_URL = env("REDIS_URL", "")
# Shared by every web and worker process: the stamps that tell them a deadline policy or a
# calendar changed (``complaints.configuration_cache``).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "desk",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}
# The embedded broker: folders under var/. The host is a placeholder the transport ignores;
# without it kombu warns on every connection that it supplied one itself.
EMBEDDED_BROKER_URL = "filesystem://localhost/"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or EMBEDDED_BROKER_URL
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {}
    if REDIS_URL or os.environ.get("CELERY_BROKER_URL")
    else {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
)
if CELERY_BROKER_URL == EMBEDDED_BROKER_URL:
    for _folder in ("broker", "broker-processed", "broker-control"):
        (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Publishing must never hold up intake when the broker is unreachable.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "desk@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "staff.tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "complaints.api.schema.DeskAutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "complaints.api.errors.exception_handler",
    # DRF's own, but JSON bounded in depth and in its numbers (complaints/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "complaints.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# API tokens (django-rest-knox): stored as SHA-512 digests, each valid for this many days from
# its issue; a password change or deactivation revokes all of a user's tokens (staff/tokens.py).
DESK_API_TOKEN_DAYS = int(env("DESK_API_TOKEN_DAYS", "30"))
if DESK_API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("DESK_API_TOKEN_DAYS must be a whole number of days, 1 or more.")
# Live tokens a user may hold; issuing one more revokes the oldest.
DESK_API_TOKENS_PER_USER = 10
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=DESK_API_TOKEN_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Complaint desk API",
    "DESCRIPTION": "Log residents' complaints and carry them through the four-stage workflow.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"StageEnum": "complaints.models.choices.Stage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads are held in memory up to this size and then streamed to a temporary file.
EVIDENCE_MAX_BYTES = int(env("DESK_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

DESK_REPEAT_WINDOW_DAYS = int(env("DESK_REPEAT_WINDOW_DAYS", "30"))
DESK_BACKDATE_MAX_DAYS = int(env("DESK_BACKDATE_MAX_DAYS", "90"))
DESK_REOPEN_MAX_DAYS = int(env("DESK_REOPEN_MAX_DAYS", "30"))

# DJANGO_LOG_FORMAT=json writes one JSON object per line (config/logging.py) for log shippers.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", "plain").strip().lower() or "plain"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
}
# Celery would otherwise replace the root handler with its own plain format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# Notifications: the outbox is sent by the worker; a channel is a class with send(notification).
DESK_CHANNELS = {
    "email": env("DESK_EMAIL_CHANNEL", "notifications.transports.EmailChannel"),
    "sms": "notifications.transports.SmsChannel",
}
# Residents' text messages (notifications.sms): console, locmem, tencent, aliyun or a class.
DESK_SMS_BACKEND = env("DESK_SMS_BACKEND", "console")
# The approved sign name, shown as 【…】 before every message, and each kind's approved template
# (Tencent's TemplateId, Alibaba Cloud's TemplateCode); docs/deploy.md gives their variables.
DESK_SMS_SIGN_NAME = env("DESK_SMS_SIGN_NAME")
DESK_SMS_TEMPLATES = {
    "received": env("DESK_SMS_TEMPLATE_RECEIVED"),
    "planned": env("DESK_SMS_TEMPLATE_PLANNED"),
    "resolved": env("DESK_SMS_TEMPLATE_RESOLVED"),
    "closed": env("DESK_SMS_TEMPLATE_CLOSED"),
    "callback_missed": env("DESK_SMS_TEMPLATE_CALLBACK_MISSED"),
    "callback_new_time": env("DESK_SMS_TEMPLATE_CALLBACK_NEW_TIME"),
    "digest": env("DESK_SMS_TEMPLATE_DIGEST"),
    "dispatch": env("DESK_SMS_TEMPLATE_DISPATCH"),
    "incident_opened": env("DESK_SMS_TEMPLATE_INCIDENT_OPENED"),
    "incident_updated": env("DESK_SMS_TEMPLATE_INCIDENT_UPDATED"),
    "incident_resolved": env("DESK_SMS_TEMPLATE_INCIDENT_RESOLVED"),
}
DESK_SMS_TENCENT_SECRET_ID = env("DESK_SMS_TENCENT_SECRET_ID")
DESK_SMS_TENCENT_SECRET_KEY = env("DESK_SMS_TENCENT_SECRET_KEY")
DESK_SMS_TENCENT_SDK_APP_ID = env("DESK_SMS_TENCENT_SDK_APP_ID")
DESK_SMS_TENCENT_REGION = env("DESK_SMS_TENCENT_REGION", "ap-guangzhou")
DESK_SMS_ALIYUN_ACCESS_KEY_ID = env("DESK_SMS_ALIYUN_ACCESS_KEY_ID")
DESK_SMS_ALIYUN_ACCESS_KEY_SECRET = env("DESK_SMS_ALIYUN_ACCESS_KEY_SECRET")
DESK_SMS_ALIYUN_REGION = env("DESK_SMS_ALIYUN_REGION", "cn-hangzhou")
# host[:port] of the provider's API instead of its public one (a private endpoint, a stand-in).
DESK_SMS_ENDPOINT = env("DESK_SMS_ENDPOINT")
DESK_SMS_ENDPOINT_SCHEME = env("DESK_SMS_ENDPOINT_SCHEME", "https")
DESK_SMS_TIMEOUT_SECONDS = float(env("DESK_SMS_TIMEOUT_SECONDS", "10"))
# The secret part of the address the providers push residents' replies to; unset: no address.
DESK_SMS_REPLY_SECRET = env("DESK_SMS_REPLY_SECRET")
DESK_BASE_URL = env("DESK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
DESK_ESCALATION_REMINDER_MINUTES = int(env("DESK_ESCALATION_REMINDER_MINUTES", "60"))
DESK_SWEEP_SECONDS = int(env("DESK_SWEEP_SECONDS", "60"))
# A sender that dies after claiming messages leaves them to others after this long.
DESK_SEND_LEASE_SECONDS = int(env("DESK_SEND_LEASE_SECONDS", "300"))
DESK_WEEKLY_EMAIL_HOUR = int(env("DESK_WEEKLY_EMAIL_HOUR", "8"))

CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "complaints.tasks.sweep_deadlines",
        "schedule": DESK_SWEEP_SECONDS,
        "options": {"expires": DESK_SWEEP_SECONDS},
    },
    "send-notifications": {
        "task": "notifications.tasks.send_notifications",
        "schedule": DESK_SWEEP_SECONDS,
        "options": {"expires": DESK_SWEEP_SECONDS},
    },
    # Hourly: intake keys (form tokens, Idempotency-Key) are remembered for a day.
    "forget-submission-keys": {
        "task": "complaints.tasks.forget_submission_keys",
        "schedule": crontab(minute=30),
        "options": {"expires": 3600},
    },
    # Hourly; each manager's email goes once Monday DESK_WEEKLY_EMAIL_HOUR comes in their zones.
    "weekly-summaries": {
        "task": "reports.tasks.send_weekly_summaries",
        "schedule": crontab(minute=0),
        "options": {"expires": 3600},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_IGNORE_RESULT = True
