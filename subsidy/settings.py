"""Settings for the subsidy engine.

Configuration comes from the environment (django-environ). Defaults are safe for
local use; with DJANGO_ENV=production a missing secret is a hard failure.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="local")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: fail loudly
    DEBUG = False
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-only-not-a-secret-" + "x" * 32)
    DEBUG = env.bool("DJANGO_DEBUG", default=True)
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "subsidy.staticfiles.StaticFilesConfig",  # django.contrib.staticfiles, see there
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "viewflow",
    "viewflow.workflow",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "subsidy",
    "workflows",
]

# viewflow would otherwise append its own middlewares silently.
VIEWFLOW = {"AUTOREGISTER": False}

MIDDLEWARE = [
    # First: probes get their answer before host checks and the HTTPS redirect (subsidy/health.py).
    "subsidy.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "subsidy.urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "subsidy.wsgi.application"

# SQLite is the embedded default for `make run`; production points DATABASE_URL
# at PostgreSQL, and the test suite starts its own throwaway PostgreSQL server.
VAR_DIR = Path(env.str("SUBSIDY_VAR_DIR", default=str(BASE_DIR / "var")))
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
# Long-running processes (gunicorn workers, task workers) keep their connection for this
# many seconds instead of opening one per request; checked before each reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's choice outlives the browser session (Django's default cookie does not).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves static files from gunicorn through whitenoise: `collectstatic` writes
# content-hashed names (cached for a year, immutable) with gzip and brotli variants, and
# keeps only the hashed copies. Tests and `make run` use plain files (see STORAGES).
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Source maps are fetched by developer tools only; brotli at its highest level took most
# of collectstatic's time on them (the API docs' bundles carry 6 MB of maps).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# Uploaded evidence is personal data: it lives outside any web root and is only
# ever served through a permission-checked view (no MEDIA_URL is routed).
PRIVATE_STORAGE_ROOT = Path(env.str("SUBSIDY_PRIVATE_STORAGE", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
# Several web processes must share one cache (API rate limits count there): in production
# e.g. DJANGO_CACHE_URL=dbcache://subsidy_cache after `manage.py createcachetable`.
CACHES = {"default": env.cache("DJANGO_CACHE_URL", default="locmemcache://")}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# Letters (subsidy/letters): the font is built from the system's WenQuanYi Zen Hei by
# `manage.py build_letter_font` (run by `make setup`); links in letters and QR codes
# point at the public site.
LETTER_FONT_SOURCE = Path(env.str("SUBSIDY_LETTER_FONT_SOURCE", default="/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"))
LETTER_FONT_PATH = Path(env.str("SUBSIDY_LETTER_FONT", default=str(BASE_DIR / "var" / "fonts" / "letter-sans.ttf")))
PUBLIC_BASE_URL = env.str("SUBSIDY_PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A failed letter is retried after these many minutes, then left for staff to retry.
LETTER_RETRY_MINUTES = [1, 5, 30]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o600

TASKS = {
    "default": {
        "BACKEND": env.str("SUBSIDY_TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="subsidy@gdhk.example")

# The scheme's own account, which pays the subsidies (the debtor of pain.001 exports).
SUBSIDY_PAYER_NAME = env.str("SUBSIDY_PAYER_NAME", default="广东省市场监督管理局（知识产权局）")
SUBSIDY_PAYER_ACCOUNT = env.str("SUBSIDY_PAYER_ACCOUNT", default="44001400101053012345")
SUBSIDY_PAYER_CNAPS = env.str("SUBSIDY_PAYER_CNAPS", default="105581000013")
# What the payee's bank statement says the money is for.
SUBSIDY_PAYMENT_PURPOSE = env.str("SUBSIDY_PAYMENT_PURPOSE", default="广东省香港标准专利资助")

# The API (subsidy/api): token or session, JSON, one error format, throttled per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "subsidy.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["subsidy.api.throttling.TokenRateThrottle"],
    "EXCEPTION_HANDLER": "subsidy.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Requests per token (or per signed-in user; per address without either), e.g. "600/min".
API_RATE_LIMIT = env.str("SUBSIDY_API_RATE_LIMIT", default="600/min")
API_ANONYMOUS_RATE_LIMIT = env.str("SUBSIDY_API_ANONYMOUS_RATE_LIMIT", default="60/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Guangdong subsidy for Hong Kong standard patents: API",
    "DESCRIPTION": (
        "Claims, documents, transitions, letters, funding rounds and disbursement batches. "
        "Authenticate with `Authorization: Token <key>`; updates need `If-Match` with the ETag last read."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "subsidy.models.choices.ApplicationStatus",
        "BatchStatusEnum": "subsidy.models.choices.BatchStatus",
        "LetterStatusEnum": "subsidy.models.choices.LetterStatus",
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind the TLS proxy, which must set this header itself (never pass on the client's).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every rendering step at INFO: only its warnings matter here.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}
