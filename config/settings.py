"""Settings for every environment: production is configured by environment variables only.

Defaults are safe for production; the development conveniences (demo mode, console
emails, three SQLite files under var/) are switched on by `DJANGO_ENV=dev` (set by the
Makefile) or `DJANGO_ENV=test` (set by pytest).
"""

import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# pytest runs with the test environment even when DJANGO_ENV is not set.
ENVIRONMENT = env.str("DJANGO_ENV", default="test" if "pytest" in sys.modules else "production")
if ENVIRONMENT not in {"production", "dev", "test"}:
    raise ValueError(f"DJANGO_ENV inconnu : {ENVIRONMENT} (production, dev ou test)")
IS_PRODUCTION = ENVIRONMENT == "production"

# Off by default even with `make run`: the demo must show the French error pages a user sees
# (DEBUG=true for Django's technical pages while developing).
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = (
    env.str("SECRET_KEY")
    if IS_PRODUCTION
    else env.str("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production-0123456789abcdef")
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo mode (the /demo/ page, one-click login as a demo account) is impossible in production.
DEMO_MODE = (not IS_PRODUCTION) and env.bool("DEMO_MODE", default=ENVIRONMENT == "dev")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "django_htmx",
    "csp",
    "mozilla_django_oidc",
    "django_tasks",
    "ninja",
    "django_tasks_db",
    "siao.core",
    "siao.geo",
    "siao.accounts",
    "siao.offer",
    "siao.households",
    "siao.orientation",
    "siao.emergency",
    "siao.retention",
    "siao.archive",
    "siao.statistics",
    "siao.partners",
    "siao.support",
    "siao.knowledge",
    "siao.surveys",
    "siao.audit",
    "siao.demo",
]

MIDDLEWARE = [
    "siao.core.middleware.CorrelationIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "siao.accounts.middleware.ActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "siao.core.middleware.CspNonceMiddleware",
    "siao.core.middleware.MethodNotAllowedPageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "siao.partners.api.middleware.PartnerApiMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "siao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "siao.core.context_processors.site",
                "siao.surveys.context_processors.survey_banner",
            ],
            # Unknown variables are bugs: tests make them fail loudly (see tests/conftest.py).
            "string_if_invalid": "",
        },
    }
]

# One shared django-dsfr form renderer (siao/core/renderers.py explains why).
FORM_RENDERER = "siao.core.renderers.DsfrFormRenderer"

# Databases: three aliases, routed by app label (config/db_router.py).
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'default.sqlite3'}"),
    "archive": env.db("ARCHIVE_DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'archive.sqlite3'}"),
    "stats": env.db("STATS_DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'stats.sqlite3'}"),
}
for _db in DATABASES.values():
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and a busy timeout let the dev server, a worker and the tests share a file.
        _db.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
        _db["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    else:
        _db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
        _db.setdefault("CONN_HEALTH_CHECKS", True)
        if _db["ENGINE"] == "django.db.backends.postgresql" and env.bool("POSTGRES_DISABLE_JIT", default=True):
            # PostgreSQL's JIT compiles the short OLTP queries of the pages at great cost (the
            # orientation page: 4 s instead of 0.2 s at 100 000 households); docs/performance.md.
            _options = _db.setdefault("OPTIONS", {})
            _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DATABASE_ROUTERS = ["config.db_router.DatabaseRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "siao.accounts.proconnect.ProConnectBackend",
    "siao.accounts.backends.LoginCodeBackend",
]
CSRF_FAILURE_VIEW = "siao.core.errors.csrf_failure"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after 30 minutes of inactivity (SI SIAO rule).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login by one-time code sent to the professional email.
LOGIN_CODE_VALIDITY = timedelta(minutes=env.int("LOGIN_CODE_VALIDITY_MINUTES", default=10))
LOGIN_CODE_MAX_ATTEMPTS = 5  # wrong guesses before a code is burnt
LOGIN_CODE_REQUESTS_PER_HOUR = 5  # codes sent to one address per hour
LOGIN_FAILURES_PER_IP_PER_HOUR = 30  # failed attempts from one address before refusal
# Webmail domains refused for login and for grants: accounts are individual and professional.
WEBMAIL_DOMAINS = env.list(
    "WEBMAIL_DOMAINS",
    default=[
        "gmail.com",
        "googlemail.com",
        "yahoo.fr",
        "yahoo.com",
        "hotmail.fr",
        "hotmail.com",
        "outlook.fr",
        "outlook.com",
        "live.fr",
        "live.com",
        "msn.com",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "neuf.fr",
        "laposte.net",
        "aol.com",
        "icloud.com",
        "me.com",
        "gmx.fr",
        "gmx.com",
        "protonmail.com",
        "proton.me",
        "bbox.fr",
        "numericable.fr",
        "aliceadsl.fr",
    ],
)

# Memberships: the review ("revue des droits d'accès") falls due after this many days.
MEMBERSHIP_REVIEW_PERIOD_DAYS = env.int("MEMBERSHIP_REVIEW_PERIOD_DAYS", default=180)

# Public creation requests (no account): abuse limits.
OFFER_CREATION_REQUESTS_PER_IP_PER_HOUR = env.int("OFFER_CREATION_REQUESTS_PER_IP_PER_HOUR", default=5)
OFFER_CREATION_REQUESTS_PER_HOUR = env.int("OFFER_CREATION_REQUESTS_PER_HOUR", default=200)

# Audit trail retention (CNIL: 6 months to 1 year).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)

# Statistics base (docs/statistics.md): the current month and this many before it are recomputed
# every day, older ones are frozen; a published cell needs at least this many distinct persons.
STATISTICS_OPEN_MONTHS = env.int("STATISTICS_OPEN_MONTHS", default=2)
STATISTICS_MIN_PERSONS = env.int("STATISTICS_MIN_PERSONS", default=11)

# Retention of household files (docs/data-protection.md): a file without action for this many
# months is transferred (legal archive, statistics) then deleted; the archive keeps its proof
# this many years; a retention run works by batches of this many files.
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=24)
ARCHIVE_RETENTION_YEARS = env.int("ARCHIVE_RETENTION_YEARS", default=10)
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=1000)
# The longest special authorization to read the legal archive.
ARCHIVE_AUTHORIZATION_MAX_DAYS = env.int("ARCHIVE_AUTHORIZATION_MAX_DAYS", default=90)

# Partner API (docs/partner-api.md): token lifetime, webhook delivery (timeout, lease of a
# claimed event, backoff from base to max, attempts before the dead letter), idempotency keys.
PARTNER_TOKEN_LIFETIME_SECONDS = env.int("PARTNER_TOKEN_LIFETIME_SECONDS", default=900)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_LEASE_SECONDS = env.int("WEBHOOK_LEASE_SECONDS", default=60)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=3600)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=15)
IDEMPOTENCY_RETENTION_HOURS = env.int("IDEMPOTENCY_RETENTION_HOURS", default=48)
# A cache shared by every process (rate limits of the partner API): Redis in production.
if env.str("REDIS_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env.str("REDIS_URL")}}

# Help and satisfaction (docs/help-and-satisfaction.md). Contact details shown on the help page.
SUPPORT_CONTACT_EMAIL = env.str("SUPPORT_CONTACT_EMAIL", default="support@si-siao.example")
SUPPORT_CONTACT_PHONE = env.str("SUPPORT_CONTACT_PHONE", default="01 00 00 00 00")
SUPPORT_CONTACT_HOURS = env.str(
    "SUPPORT_CONTACT_HOURS", default="du lundi au vendredi, de 9 h à 17 h (hors jours fériés)"
)
# Where a new support request is announced (the support team's shared mailbox; empty: nobody).
SUPPORT_TEAM_EMAIL = env.str("SUPPORT_TEAM_EMAIL", default="")
# Attachments of a support request: at most this many files, each at most this many bytes.
SUPPORT_ATTACHMENT_MAX_FILES = env.int("SUPPORT_ATTACHMENT_MAX_FILES", default=3)
SUPPORT_ATTACHMENT_MAX_BYTES = env.int("SUPPORT_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
# Abuse protection of the public form: requests per client address per hour, and overall.
SUPPORT_REQUESTS_PER_IP_PER_HOUR = env.int("SUPPORT_REQUESTS_PER_IP_PER_HOUR", default=5)
SUPPORT_REQUESTS_PER_HOUR = env.int("SUPPORT_REQUESTS_PER_HOUR", default=300)
# Support requests (and their attachments) are deleted this many months after they are closed.
SUPPORT_RETENTION_MONTHS = env.int("SUPPORT_RETENTION_MONTHS", default=24)
# Satisfaction survey results: a group (profile, territory) with fewer answers is not shown.
SURVEY_MIN_GROUP_SIZE = env.int("SURVEY_MIN_GROUP_SIZE", default=5)

# The 115 (docs/emergency.md): a night belongs to the evening it starts; calls before this hour
# concern the night that began the evening before. Renewals reach at most this many nights ahead.
EMERGENCY_NIGHT_CHANGE_HOUR = env.int("EMERGENCY_NIGHT_CHANGE_HOUR", default=8)
EMERGENCY_RENEWAL_WINDOW_NIGHTS = env.int("EMERGENCY_RENEWAL_WINDOW_NIGHTS", default=7)

# ProConnect (OpenID Connect), mozilla-django-oidc settings. Disabled unless configured.
PROCONNECT_ENABLED = env.bool("PROCONNECT_ENABLED", default=bool(env.str("OIDC_RP_CLIENT_ID", default="")))
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
PROCONNECT_ISSUER = env.str("PROCONNECT_ISSUER", default="https://auth.agentconnect.gouv.fr/api/v2")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default=f"{PROCONNECT_ISSUER}/authorize")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default=f"{PROCONNECT_ISSUER}/token")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default=f"{PROCONNECT_ISSUER}/userinfo")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default=f"{PROCONNECT_ISSUER}/jwks")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default=f"{PROCONNECT_ISSUER}/session/end")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email given_name usual_name uid siret idp_id"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_STATE_SIZE = 48
OIDC_NONCE_SIZE = 48
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False  # no self-signup: an account exists only through a membership grant
OIDC_STORE_ID_TOKEN = True  # needed for the ProConnect logout (id_token_hint)
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
OIDC_CALLBACK_CLASS = "siao.accounts.proconnect.CallbackView"
OIDC_AUTHENTICATE_CLASS = "siao.accounts.proconnect.AuthenticateView"
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/connexion/"

# Email: console in development, a folder when EMAIL_FILE_PATH is set, SMTP in production.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SI SIAO <ne-pas-repondre@si-siao.example>")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_FILE_PATH", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
elif IS_PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Background tasks (django-tasks, database backend; worker: manage.py db_worker).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
if not IS_PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True, parents=True)
STATICFILES_DIRS = [BASE_DIR / "siao" / "static"]
# Uploaded files (support requests' attachments) go through the storage API: an object storage
# backend can replace the disk. They are never served by URL: only a view checking rights reads them.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# whitenoise rewrites url()s in dsfr.min.css, so the SRI hashes would not match (STACK.md #2).
DSFR_USE_INTEGRITY_CHECKSUMS = False

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = IS_PRODUCTION
# Reverse proxies in front of the application that append to X-Forwarded-For (0: none, the
# client address is REMOTE_ADDR). Used for the audit trail and the login throttle.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# The logout form redirects to ProConnect's end-session endpoint: browsers apply form-action
# to the redirects that follow a form submission.
FORM_ACTION_SOURCES = [SELF] + ([_origin(OIDC_OP_LOGOUT_ENDPOINT)] if PROCONNECT_ENABLED else [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": FORM_ACTION_SOURCES,
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "INVALID_TEMPLATE_VARIABLE(%s)"
