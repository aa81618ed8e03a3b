"""Settings for the subsidy engine.

Configuration comes from the environment (django-environ). Defaults are safe for
local use; with DJANGO_ENV=production a missing secret is a hard failure.
"""

from __future__ import annotations

from datetime import timedelta
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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "subsidy",
    "workflows",
]

# viewflow would otherwise append its own middlewares silently.
VIEWFLOW = {"AUTOREGISTER": False}

MIDDLEWARE = [
    # Before anything answers: every response says which browser features the site never uses.
    "subsidy.security.PermissionsPolicyMiddleware",
    # First: probes get their answer before host checks and the HTTPS redirect (subsidy/health.py).
    "subsidy.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A body larger than settings.MAX_REQUEST_BYTES is refused (413) before anything reads it.
    "subsidy.security.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Whatever a signed-in person is shown is kept by no cache: "private, no-store".
    "subsidy.security.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Ours (subsidy/security.py): sessions end when idle or too old; unverified staff
    # are sent to their second factor; every page carries the Content-Security-Policy.
    "subsidy.security.SessionLimitsMiddleware",
    "subsidy.security.StaffTwoFactorMiddleware",
    "subsidy.security.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` serves several requests and a task worker at once: write-ahead logging lets
    # readers go on while one writes, a transaction takes the write lock when it begins (a
    # deferred one that reads first cannot wait for it: "database is locked" at once), and
    # a writer waits up to 20 s for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id first (argon2-cffi); older hashes still verify and are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes counts failed sign-ins (pages, admin and the API's token endpoint) first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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
# Dates and numbers per language: subsidy/formats/<locale>/formats.py.
FORMAT_MODULE_PATH = ["subsidy.formats"]
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
# Outside production whitenoise serves straight from the apps' static folders (no
# collectstatic): the test suite's live server needs it, as the static files app is
# our own subclass and pytest-django only serves static files for Django's by name.
WHITENOISE_USE_FINDERS = not PRODUCTION
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
# A request body larger than this is refused with 413 before it is read
# (subsidy.security.RequestSizeLimitMiddleware): one upload and the form around it. The
# proxy in front refuses larger ones first (nginx: client_max_body_size 12m).
MAX_REQUEST_BYTES = env.int("SUBSIDY_MAX_REQUEST_BYTES", default=MAX_UPLOAD_BYTES + 1024 * 1024)
# The one larger body: a bank's return file (forms.finance allows 50 MB).
MAX_BANK_RETURN_REQUEST_BYTES = 51 * 1024 * 1024
# Per claim: evidence documents and cost items (subsidy.services.documents, .applications).
MAX_DOCUMENTS_PER_CLAIM = env.int("SUBSIDY_MAX_DOCUMENTS_PER_CLAIM", default=30)
MAX_COST_ITEMS_PER_CLAIM = env.int("SUBSIDY_MAX_COST_ITEMS_PER_CLAIM", default=100)
# An image above this many pixels is refused at upload (a 300 dpi A3 scan has 17 million).
MAX_IMAGE_PIXELS = env.int("SUBSIDY_MAX_IMAGE_PIXELS", default=40_000_000)
# Uploads per person per hour, pages and API together (counted in the cache).
UPLOADS_PER_HOUR = env.int("SUBSIDY_UPLOADS_PER_HOUR", default=60)

# Letters (subsidy/letters): the font is built from the system's WenQuanYi Zen Hei by
# `manage.py build_letter_font` (run by `make setup`); links in letters and QR codes
# point at the public site.
LETTER_FONT_SOURCE = Path(env.str("SUBSIDY_LETTER_FONT_SOURCE", default="/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"))
LETTER_FONT_PATH = Path(env.str("SUBSIDY_LETTER_FONT", default=str(BASE_DIR / "var" / "fonts" / "letter-sans.ttf")))
PUBLIC_BASE_URL = env.str("SUBSIDY_PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A failed letter is retried after these many minutes, then left for staff to retry.
LETTER_RETRY_MINUTES = [1, 5, 30]
# A task still RUNNING after this long was abandoned by a stopped worker and is queued
# again (subsidy/task_recovery.py). Every task here takes seconds.
TASK_ABANDONED_MINUTES = env.int("SUBSIDY_TASK_ABANDONED_MINUTES", default=30)
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
# Where django.core.mail.backends.filebased.EmailBackend writes (make prod-check reads sign-up links there).
EMAIL_FILE_PATH = env.str("DJANGO_EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="subsidy@gdhk.example")

# The scheme's own account, which pays the subsidies (the debtor of pain.001 exports).
SUBSIDY_PAYER_NAME = env.str("SUBSIDY_PAYER_NAME", default="广东省市场监督管理局（知识产权局）")
SUBSIDY_PAYER_ACCOUNT = env.str("SUBSIDY_PAYER_ACCOUNT", default="44001400101053012345")
SUBSIDY_PAYER_CNAPS = env.str("SUBSIDY_PAYER_CNAPS", default="105581000013")
# What the payee's bank statement says the money is for.
SUBSIDY_PAYMENT_PURPOSE = env.str("SUBSIDY_PAYMENT_PURPOSE", default="广东省香港标准专利资助")

# The API (subsidy/api): token or session, JSON, one error format, throttled per token.
# Tokens are personal, named and expiring, stored only as a hash (subsidy.models.tokens).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "subsidy.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        # JSON nested deeper than API_JSON_MAX_DEPTH is a 400, not a RecursionError.
        "subsidy.api.parsers.DepthLimitedJSONParser",
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
# How many days a new API token works when its maker does not say (at most 365).
SUBSIDY_API_TOKEN_DAYS = min(env.int("SUBSIDY_API_TOKEN_DAYS", default=90), 365)
API_JSON_MAX_DEPTH = 32
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
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features this site never uses, refused on every response
# (subsidy.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = [
    "accelerometer",
    "ambient-light-sensor",
    "autoplay",
    "battery",
    "bluetooth",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "interest-cohort",
    "browsing-topics",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # TLS ends at the proxy in front of gunicorn; it must set (never pass on) this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sessions: a signed-in session ends when the browser closes, after SESSION_COOKIE_AGE
# from sign-in whatever happens, and after SESSION_IDLE_TIMEOUT seconds without a request
# (subsidy.security.SessionLimitsMiddleware).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env.int("SUBSIDY_SESSION_MAX_SECONDS", default=8 * 60 * 60)
SESSION_IDLE_TIMEOUT = env.int("SUBSIDY_SESSION_IDLE_SECONDS", default=30 * 60)

# Content-Security-Policy on every response that has none of its own, in every
# environment (subsidy.security.ContentSecurityPolicyMiddleware; the same shape as
# Django 6's SECURE_CSP). No inline script anywhere: page scripts live in static/js/.
# Styles allow inline `style` attributes (server-rendered SVG bars, Swagger UI, Redoc).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Failed sign-ins (django-axes): after AXES_FAILURE_LIMIT failures for one email from one
# address, that pair is locked out for AXES_COOLOFF_TIME, even with the right password.
AXES_FAILURE_LIMIT = env.int("SUBSIDY_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SUBSIDY_LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "subsidy.security.login_username"
AXES_CLIENT_IP_CALLABLE = "subsidy.web.client_ip"
# Addresses of the reverse proxies in front of gunicorn: from them, the client's address
# is taken from X-Forwarded-For (subsidy.web.client_ip). Empty: REMOTE_ADDR as it is.
SUBSIDY_TRUSTED_PROXIES = env.list("SUBSIDY_TRUSTED_PROXIES", default=[])
AXES_LOCKOUT_CALLABLE = "subsidy.security.lockout_response"

# Two-factor sign-in for staff (django-otp, TOTP). On in production, where enrolling an
# app then always takes an enrolment code (subsidy.services.auth.enrolment_code_required);
# off by default locally so the demo accounts sign in with a password alone.
SUBSIDY_STAFF_REQUIRE_2FA = env.bool("SUBSIDY_STAFF_REQUIRE_2FA", default=PRODUCTION)
# How long an enrolment code stays valid, and how many wrong tries use it up.
SUBSIDY_ENROLMENT_CODE_HOURS = env.int("SUBSIDY_ENROLMENT_CODE_HOURS", default=72)
SUBSIDY_ENROLMENT_CODE_ATTEMPTS = env.int("SUBSIDY_ENROLMENT_CODE_ATTEMPTS", default=5)
OTP_TOTP_ISSUER = "GDHK patent subsidy"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No log line carries a full ID or bank account number (subsidy/personal_data.py).
    "filters": {
        "personal_data": {"()": "subsidy.personal_data.PersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own loggers reach the filtered handlers above, not its unfiltered defaults.
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint reports every rendering step at INFO: only its warnings matter here.
        "weasyprint": {"level": "WARNING"},
    },
}
