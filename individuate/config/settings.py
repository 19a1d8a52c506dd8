"""Settings for Individuate, all read from the environment.

With no configuration at all the app runs on an embedded SQLite database in
development mode. Production sets at least SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL (see README, "Configuration").
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parents[2]


def envbool(name: str, default: str = "False") -> bool:
    return os.getenv(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.getenv(name, "")
    return int(value) if value.strip() else default


def envlist(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.getenv(name, default).split(",") if part.strip()]


def envsecret(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker/K8s secrets)."""
    path = os.getenv(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.getenv(name, default)


# The development key: the system check individuate.E001 refuses to *serve* with it
# when DEBUG is off (wsgi/asgi), while management commands still run.
from individuate.core.checks import DEV_SECRET_KEY  # noqa: E402

SECRET_KEY = envsecret("SECRET_KEY") or DEV_SECRET_KEY
DEBUG = envbool("DEBUG")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_NAME = os.getenv("SITE_NAME", "Individuate")
# The absolute address in e-mail links. Unset, it follows PORT (what `make run PORT=…`
# serves on), so links in development open the server that sent them.
SITE_ROOT = (os.getenv("SITE_ROOT") or f"http://127.0.0.1:{envint('PORT', 8000)}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs (Swagger UI) from our own static files, not a CDN
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "individuate.core",
    "individuate.accounts",
    "individuate.boundaries",
    "individuate.measures",
    "individuate.checkins",
    "individuate.healing",
    "individuate.practice",
    "individuate.articles",
    "django.contrib.sitemaps",
    "individuate.mediation",
    "individuate.portal",
    "individuate.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "individuate.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "individuate.core.middleware.IdleSessionMiddleware",
    "individuate.core.middleware.SecurityHeadersMiddleware",
    "individuate.accounts.middleware.UserTimezoneMiddleware",
    "individuate.boundaries.middleware.AccessDeniedMiddleware",
]

ROOT_URLCONF = "individuate.config.urls"
WSGI_APPLICATION = "individuate.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "individuate" / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "individuate.core.context_processors.site",
            ],
            "builtins": ["individuate.core.templatetags.individuate_tags"],
        },
    },
]

# Database: SQLite file by default, anything dj-database-url understands otherwise.
DATABASE_URL = os.getenv("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections (checked before reuse): a new PostgreSQL connection per request
    # costs more than many of the requests themselves.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.getenv("SQLITE_PATH", str(BASE_DIR / "var" / "individuate.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: used for rate limits (login lock-out) — must be shared between app
# servers in production, so point REDIS_URL at Redis there.
REDIS_URL = os.getenv("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis, written through to the database: every app server sees them.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"

# django-allauth: e-mail only, verified, rate limited, with TOTP + recovery codes.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "individuate.accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "individuate.accounts.forms.SignupExtraForm"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    # Lock-out after repeated failures: 5 failed logins per account per 15 minutes,
    # 20 per IP per minute (allauth's "login_failed" limiter).
    "login_failed": os.getenv("LOGIN_FAILED_RATE_LIMIT", "20/m/ip,5/15m/key"),
    "signup": "20/m/ip",
    # Adding e-mail addresses sends mail to them: keep it rare.
    "manage_email": "5/h/user",
}
# Creating an API token, exporting and deleting ask for the password again
# (or a two-factor code) if the last log-in was longer ago than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = envint("REAUTHENTICATION_TIMEOUT", 300)
# The API's export needs a token got with the password (POST /api/me/export-token).
EXPORT_TOKEN_SECONDS = envint("EXPORT_TOKEN_SECONDS", 300)
ACCOUNT_FORMS = {"change_password": "individuate.accounts.password_forms.ChangePasswordForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
HEADLESS_ONLY = False

# E-mail: SMTP when EMAIL_HOST is set, the console otherwise (development).
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Individuate <no-reply@individuate.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Background work: the Django Tasks API. Database backend by default (no broker).
TASKS = {
    "default": {
        "BACKEND": os.getenv("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The RQ backend (a broker: Redis) for deployments that want one; workers run
# `python manage.py rqworker default --with-scheduler`. See README, Operations.
# The coupling population (pooled estimates) is an aggregate of at least this many pairs of
# this deployment; with fewer, a built-in population from the literature is used.
COUPLING_POPULATION_MIN_PAIRS = envint("COUPLING_POPULATION_MIN_PAIRS", 50)
# The nightly run estimates each population once, from all eligible pairs or a seeded random
# sample of at most this many (the sampling error of the mean is then about 0.003).
COUPLING_POPULATION_SAMPLE_PAIRS = envint("COUPLING_POPULATION_SAMPLE_PAIRS", 2000)
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")
# Finished task rows are deleted by the nightly run once this many days old.
TASK_RESULTS_KEEP_DAYS = envint("TASK_RESULTS_KEEP_DAYS", 2)

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
# Our own wording for allauth's labels, in the site's one style ("Log in", sentence case).
LOCALE_PATHS = [BASE_DIR / "individuate" / "core" / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT") or BASE_DIR / "var" / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or envbool("TESTING")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
# Uploaded files (therapists' photos), through the default storage; served by the app.
MEDIA_ROOT = os.getenv("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))

# Security headers; HTTPS settings switch on with SECURE_SSL=1 behind a TLS proxy.
SECURE_SSL = envbool("SECURE_SSL")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000 if SECURE_SSL else 0)
# Signed out after this long without a request (therapists sooner); absolute: SESSION_COOKIE_AGE.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 240)
SESSION_IDLE_MINUTES_THERAPIST = envint("SESSION_IDLE_MINUTES_THERAPIST", 30)
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 14 * 24 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000

# A directory of extra instrument files the practice holds a licence for (docs/measures.md).
MEASURES_EXTRA_DIR = os.getenv("MEASURES_EXTRA_DIR", "")

# Behind a reverse proxy, the header it sets with the visitor's address: X-Forwarded-For (the
# address the proxy appended is used, never one a visitor sent) or e.g. X-Real-IP. One setting
# for login throttling (allauth) and the public request form. Empty: REMOTE_ADDR (no proxy).
TRUSTED_PROXY_IP_HEADER = os.getenv("TRUSTED_PROXY_IP_HEADER", "").strip()
if TRUSTED_PROXY_IP_HEADER.upper().startswith("HTTP_"):  # the older META spelling, HTTP_X_REAL_IP
    TRUSTED_PROXY_IP_HEADER = TRUSTED_PROXY_IP_HEADER[5:].replace("_", "-")
if TRUSTED_PROXY_IP_HEADER.lower() == "x-forwarded-for":
    ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 1)
elif TRUSTED_PROXY_IP_HEADER:
    ALLAUTH_TRUSTED_CLIENT_IP_HEADER = TRUSTED_PROXY_IP_HEADER

# Invitations (family links, therapist connections) expire after this many days.
INVITATION_DAYS = envint("INVITATION_DAYS", 14)
# After someone declines a family invitation or ends a link, their address gets no
# family invitation from anyone for this many days (unless they invite).
FAMILY_REFUSAL_DAYS = envint("FAMILY_REFUSAL_DAYS", 365)

# Crisis resources shown on /crisis/. A deployment sets its own region's numbers
# as a JSON file (see docs/crisis.md); the default lists generic guidance.
CRISIS_RESOURCES_FILE = os.getenv("CRISIS_RESOURCES_FILE", "")

# The privacy policy and terms: a Markdown or HTML file each (defaults written for the
# project, in individuate/core/legal/). OPERATOR_NAME and LEGAL_CONTACT fill them in.
PRIVACY_POLICY_FILE = os.getenv("PRIVACY_POLICY_FILE", "")
TERMS_FILE = os.getenv("TERMS_FILE", "")
OPERATOR_NAME = os.getenv("OPERATOR_NAME", "")
LEGAL_CONTACT = os.getenv("LEGAL_CONTACT", "")
# Operators told of new therapist applications (besides active staff accounts): "Name <a@b>, …".
ADMINS = [
    (address.partition("<")[0].strip() or address, address.partition("<")[2].rstrip(">").strip() or address)
    for address in envlist("ADMINS")
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
SIGNUP_OPEN = envbool("SIGNUP_OPEN", "True")

# Articles and comments (docs/articles.md).
SPAM_MODEL_PATH = os.getenv("SPAM_MODEL_PATH", str(BASE_DIR / "var" / "spam-model.json"))
SPAM_TRAINING_DIR = os.getenv("SPAM_TRAINING_DIR", "")  # default: ../shared/data/youtube-spam
ARTICLES_CLOSE_COMMENTS_AFTER_DAYS = envint("ARTICLES_CLOSE_COMMENTS_AFTER_DAYS", 90)
ARTICLES_TRASH_DAYS = envint("ARTICLES_TRASH_DAYS", 30)
ARTICLES_TRUST_APPROVED_COMMENTERS = envbool("ARTICLES_TRUST_APPROVED_COMMENTERS", "True")
ARTICLES_HOLD_FIRST_COMMENTS = envbool("ARTICLES_HOLD_FIRST_COMMENTS", "True")
AKISMET_API_KEY = envsecret("AKISMET_API_KEY")
AKISMET_SITE_URL = os.getenv("AKISMET_SITE_URL", "")
