"""Settings shared by every profile. Every value comes from the environment with a safe default.

docs/configuration.md lists each variable; keep the two in step.
"""

import secrets
from datetime import time
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from schakelpunt.operations.logs import configure_structlog, logging_config

env = environ.Env()

SRC_DIR = Path(__file__).resolve().parents[1]
BASE_DIR = SRC_DIR.parents[1]

# Where the embedded database, the generated secret key and the task queue live.
DATA_DIR = Path(env.str("SCHAKELPUNT_DATA_DIR", default=str(BASE_DIR / "var")))


def _embedded_secret_key() -> str:
    """Generate a key on first start and keep it, so sessions survive restarts."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Required in production (see production.py); generated for the embedded default.
SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
# The monitor's cell-key secret (decision 0020); empty: derived from SECRET_KEY. Changing it
# changes every published count, so keep it as long as figures are compared over time.
MONITOR_CELL_KEY_SECRET = env.str("MONITOR_CELL_KEY_SECRET", default="")
# Off unless a profile (demo) or the environment turns it on.
DEBUG = env.bool("DEBUG", default=False)
# Host names this instance answers to, comma-separated.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Origins trusted for CSRF on HTTPS deployments behind a proxy, comma-separated.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Demo mode: shows demo logins and does not enforce the second factor.
DEMO_MODE = env.bool("SCHAKELPUNT_DEMO_MODE", default=False)
# Enforce a TOTP second factor for every role that can open a student file.
OTP_REQUIRED = env.bool("SCHAKELPUNT_OTP_REQUIRED", default=not DEMO_MODE)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    "schakelpunt.core",
    "schakelpunt.refdata",
    "schakelpunt.accounts",
    "schakelpunt.students",
    "schakelpunt.support",
    "schakelpunt.directory",
    "schakelpunt.referrals",
    "schakelpunt.signals",
    "schakelpunt.meetings",
    "schakelpunt.transitions",
    "schakelpunt.monitor",
    "schakelpunt.funding",
    "schakelpunt.access",
    "schakelpunt.privacy",
    "schakelpunt.notifications",
    "schakelpunt.api",
    "schakelpunt.events",
    "schakelpunt.operations",
    "schakelpunt.demo",
    "django_prometheus",
    "django_structlog",
]

MIDDLEWARE = [
    # Outermost: requests counted and timed whole (docs/operations.md).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id and the request's log line, for everything below.
    "schakelpunt.operations.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their long caching; every other response: no-store.
    "schakelpunt.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "schakelpunt.access.middleware.RequestContextMiddleware",
    "schakelpunt.core.middleware.ChosenLanguageMiddleware",
    "schakelpunt.api.middleware.ApiConventionsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "schakelpunt.accounts.middleware.NoSystemSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "schakelpunt.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "schakelpunt.urls"
WSGI_APPLICATION = "schakelpunt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "schakelpunt.core.context_processors.navigation",
            ],
        },
    },
]

# Database: an SQLite file under DATA_DIR unless DATABASE_URL says otherwise
# (e.g. postgres://user@host:5432/schakelpunt).
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{(DATA_DIR / 'schakelpunt.sqlite3').as_posix()}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP queries: the JIT compiler added about 300 ms to each count (issue 16).
    # `?options=-c …` on DATABASE_URL comes after it, so it can still turn it back on.
    _pg = DATABASES["default"].setdefault("OPTIONS", {})
    _pg["options"] = f"-c jit=off {_pg.get('options', '')}".strip()
    # Keep a connection for the next request or job of the same thread (a new one costs about
    # 10 ms on the same machine, more over TLS); checked before reuse, so a restarted server
    # costs one retry, not an error. 0 opens one per request, as Django does by default.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- OpenID Connect: login through an organisation's own identity provider (decision 0025).
# Issuer, client and endpoints are kept per organisation in accounts.IdentityProvider; only
# the shared limits are settings. The backend only answers the callback (never a password).
AUTHENTICATION_BACKENDS += ["schakelpunt.accounts.oidc_auth.OrganisationOIDCBackend"]
# Seconds of clock difference with the provider allowed for exp, iat and nbf.
OIDC_CLOCK_LEEWAY = env.int("SCHAKELPUNT_OIDC_CLOCK_LEEWAY", default=60)
# Seconds to wait for the provider's discovery document, keys, tokens and user info.
OIDC_TIMEOUT = env.int("SCHAKELPUNT_OIDC_TIMEOUT", default=10)
# Only for a trial on one machine and for the tests: an http:// provider on 127.0.0.1/localhost.
OIDC_ALLOW_HTTP_LOOPBACK = env.bool("SCHAKELPUNT_OIDC_ALLOW_HTTP_LOOPBACK", default=False)
# --- end of the OpenID Connect block.

# Events out to connected systems (decision 0028, docs/api.md section 5).
# The CloudEvents `source`; empty: urn:nld:schakelpunt:<host of SITE_URL>.
EVENTS_SOURCE = env.str("SCHAKELPUNT_EVENTS_SOURCE", default="")
# Seconds to wait for a receiver before the delivery counts as failed (and is retried).
EVENTS_TIMEOUT = env.float("SCHAKELPUNT_EVENTS_TIMEOUT", default=5.0)
# Receivers must use https; plain http only to 127.0.0.1/localhost, for a trial or DEBUG.
EVENTS_ALLOW_LOOPBACK_HTTP = env.bool("SCHAKELPUNT_EVENTS_ALLOW_LOOPBACK_HTTP", default=DEBUG)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
# Failed logins from one address, over all accounts together, before that address is locked.
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=30)
# An account is locked after AXES_FAILURE_LIMIT failures from anywhere, an address after
# AXES_IP_FAILURE_LIMIT failures on any accounts (schakelpunt.core.lockout).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "schakelpunt.core.lockout.AccountAndAddressHandler"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The login form posts the e-mail address in the field "username".
AXES_USERNAME_FORM_FIELD = "username"
# axes's log lines name the attempt; these are masked in them (the tables keep them).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "user_agent"]
# Where the client's address is read (behind a proxy that overwrites X-Forwarded-For:
# HTTP_X_FORWARDED_FOR,REMOTE_ADDR).
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list(
    "AXES_IPWARE_META_PRECEDENCE_ORDER", default=["REMOTE_ADDR"]
)

OTP_TOTP_ISSUER = "Schakelpunt"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
STATICFILES_DIRS = [SRC_DIR / "static"]
# The embedded and demo setups serve static files straight from the packages.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Mail: printed to the console unless an SMTP URL is given (smtp+tls://user:pw@host:587).
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The public address of this instance, for links in e-mail.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Schakelpunt <noreply@localhost>")

# Background work (huey): Redis when REDIS_URL is set, else an SQLite file under DATA_DIR.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "schakelpunt", "url": REDIS_URL}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "schakelpunt",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
    }
HUEY["immediate"] = env.bool("HUEY_IMMEDIATE", default=False)
# The schedule's hours are Dutch clock time (06:30 is before school, also in summer time);
# huey's default reads crontabs in UTC. Django sets the processes' TZ to TIME_ZONE.
HUEY["utc"] = False
# Pick up work within 2 s even after a quiet spell (an upload is waiting on screen).
HUEY["consumer"] = {"workers": 2, "worker_type": "thread", "max_delay": 2.0}

REST_FRAMEWORK = {
    # Connected systems with their token; people with their session (docs/api.md).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "schakelpunt.api.authentication.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Logged in, and a system only with the scope the endpoint names (api/permissions.py).
    "DEFAULT_PERMISSION_CLASSES": ["schakelpunt.api.permissions.HasScope"],
    "EXCEPTION_HANDLER": "schakelpunt.api.problems.exception_handler",
    # JSON only: the API is for systems; DRF's HTML pages need inline style (docs/decisions/0019).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON in as well: a form or a file upload is refused with 415 unless a view asks for it.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # `page` and `pageSize`, navigation in the Link header (ADR pagination module, docs/api.md).
    "DEFAULT_PAGINATION_CLASS": "schakelpunt.api.pagination.PageNumberLinkPagination",
    # A rate limit per connected system; people on the screens are not limited (docs/api.md).
    "DEFAULT_THROTTLE_CLASSES": ["schakelpunt.api.throttling.ConnectedSystemRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        # Requests per connected system, e.g. 600/min or 20/s; per web server process.
        "connected_system": env.str("SCHAKELPUNT_API_RATE_LIMIT", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Schakelpunt API",
    "DESCRIPTION": (
        "De API van Schakelpunt voor studentinformatiesystemen en systemen van zorgaanbieders. "
        "Elke aanvraag gaat door dezelfde toegangsregels als de schermen en staat in het "
        "toegangslog onder de naam van de koppeling. Zie docs/api.md."
    ),
    # The full version (semantic versioning), also in every answer's API-Version header.
    "VERSION": "1.0.0",
    "CONTACT": {
        # Who answers an integrator's questions about this installation.
        "name": env.str(
            "SCHAKELPUNT_API_CONTACT_NAME", default="Functioneel beheer van deze installatie"
        ),
        "email": env.str("SCHAKELPUNT_API_CONTACT_EMAIL", default="api@schakelpunt.invalid"),
    },
    "LICENSE": {"name": "EUPL-1.2"},
    # Field names are no personal data: the document is public (ADR /core/publish-openapi,
    # docs/decisions/0027); the answers stay behind a sleutel or a session.
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["schakelpunt.api.schema.only_api_v1"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "schakelpunt.api.schema.adr_conventions",
    ],
}

# Content-Security-Policy (django-csp): scripts, styles and everything else only from this
# site, no inline script or style, no plugins, never in a frame (docs/decisions/0019).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True

# --- Health, metrics and logs (docs/operations.md, decision 0033).
# /health/jobs/ fails when the task queue's heartbeat job last ran longer ago than this.
HEALTH_QUEUE_MAX_AGE_MINUTES = env.int("HEALTH_QUEUE_MAX_AGE_MINUTES", default=10)
# Local time (HH:MM) by which every institution's morning run must have finished on a school day.
HEALTH_MORNING_RUN_DUE = time.fromisoformat(env.str("HEALTH_MORNING_RUN_DUE", default="08:00"))
# /metrics answers a request with `Authorization: Bearer <token>` (empty: no token works) ...
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# ... or from these addresses (REMOTE_ADDR, comma-separated); anyone else gets a 404.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1"])
# Log lines: "json" (one object a line on stdout) or "console" (readable, on stderr).
LOG_FORMAT = env.str("LOG_FORMAT", default="console")
# The lowest level logged (DEBUG, INFO, WARNING, ERROR).
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING")
# django-structlog: the user's id (never a name), no IP address; an X-Request-ID from the
# proxy is kept if well formed (operations.middleware checks it first).
DJANGO_STRUCTLOG_USER_ID_FIELD = "pk"
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
configure_structlog()
LOGGING = logging_config(json=LOG_FORMAT == "json", level=LOG_LEVEL)
