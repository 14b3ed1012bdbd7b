"""Django settings for Consortia, read from the environment with strict parsing.

Every knob is an environment variable (see README, "Configuration"). Bad values stop the process
with a message naming the variable, instead of silently falling back to a default.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


VAR_DIR = Path(env_str("CONSORTIA_VAR_DIR") or Path.cwd() / "var").resolve()
DEBUG = env_bool("DEBUG", False)
# HTTPS=true turns on everything a site behind TLS needs (redirects, HSTS, secure cookies).
HTTPS = env_bool("HTTPS", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 50 or len(set(key)) < 5:
            raise ImproperlyConfigured(
                "SECRET_KEY must be at least 50 characters of real randomness"
            )
        return key
    # One machine, no configuration: keep a generated key beside the database so sessions
    # survive restarts. Several app processes on several hosts must share SECRET_KEY instead.
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
_LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
if env_str("HOST") not in ("", "0.0.0.0", "::"):  # noqa: S104 - compared, not bound
    _LOCAL_HOSTS.append(env_str("HOST"))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _LOCAL_HOSTS)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "consortia.core.views.csrf_failure"  # styled by app.css, not inline

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "template_partials",
    "csp",
    "consortia.core",
    "consortia.networks",
    "consortia.decisions",
    "consortia.initiatives",
    "consortia.sharing",
    "consortia.metrics",
    "consortia.ledger",
    "consortia.insights",
    "consortia.reviews",
    "consortia.overlap",
    "consortia.integrations",
    "consortia.matching",
    "consortia.healthchecks",
    "consortia.agenda",
    # Accounts (issue 12/13): the app that ties allauth and axes to Consortia comes first, so
    # its templates replace allauth's.
    "consortia.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
]

MIDDLEWARE = [
    "consortia.integrations.ops.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "consortia.core.timezones.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "consortia.integrations.replica.ReplicaMiddleware",
    # Accounts: allauth's login flow state, the sessions list, idle/absolute time-outs and
    # re-authentication before sensitive actions; axes last, so it turns a lockout into a page.
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "consortia.accounts.middleware.SessionTimeoutMiddleware",
    "consortia.accounts.middleware.SensitiveActionMiddleware",
    "consortia.accounts.middleware.SingleSignOnFormActionMiddleware",
    "consortia.accounts.middleware.UnreadableTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "consortia.urls"
WSGI_APPLICATION = "consortia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consortia.core.context_processors.navigation",
                "consortia.accounts.context_processors.account",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'consortia.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Consortia understands: {exc}"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at the
        # start of a transaction so concurrent writers queue instead of failing mid-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # No JIT: a page's query with many visibility subqueries has a high estimated cost,
        # and compiling its ~90 functions took 4 s where running it takes 0.2 s (the network
        # health page at 200,000 items; `consortia bench --only speed`).
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "networks.Person"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "consortia.accounts.backends.AccountBackend",  # allauth's e-mail sign-in
    "consortia.core.backends.PersonBackend",  # the admin's login form
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The site's own words: Consortia, the organization's name, the e-mail address's parts.
    {"NAME": "consortia.accounts.validators.SiteWordsValidator"},
]
if env_bool("FAST_PASSWORD_HASHING", False):
    # Tests and benchmarks only: hashing demo passwords with PBKDF2 dominates their run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"


def _file_storage() -> dict:
    """Uploaded documents: the filesystem under var/media by default; any Django storage (e.g.
    django-storages' S3Storage for S3-compatible stores, installed by the operator) through
    FILE_STORAGE_BACKEND and its options as a JSON object in FILE_STORAGE_OPTIONS."""
    backend = env_str("FILE_STORAGE_BACKEND") or "django.core.files.storage.FileSystemStorage"
    raw = env_str("FILE_STORAGE_OPTIONS")
    if not raw:
        return {"BACKEND": backend}
    try:
        options = json.loads(raw)
    except ValueError:
        raise ImproperlyConfigured("FILE_STORAGE_OPTIONS must be a JSON object") from None
    if not isinstance(options, dict):
        raise ImproperlyConfigured("FILE_STORAGE_OPTIONS must be a JSON object")
    return {"BACKEND": backend, "OPTIONS": options}


STORAGES = {
    "default": _file_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the package's static folders, so `consortia serve` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Hardening: a strict Content-Security-Policy on every response (django-csp). Scripts, styles,
# fonts and requests come from this site only; no inline script or style, no eval (htmx is told
# not to inject its indicator style: base.html's htmx-config). A view that needs more widens it
# for itself with a decorator (consortia.core.csp); downloads keep their own stricter policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": HTTPS,
        # Where browsers send violation reports (optional): an operator's collector.
        "report-uri": env_list("CSP_REPORT_URI", []) or None,
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Consortia <consortia@localhost>")
_served_host = env_str("HOST") if env_str("HOST") not in ("", "0.0.0.0", "::") else "127.0.0.1"  # noqa: S104
SITE_URL = env_str("SITE_URL", f"http://{_served_host}:{env_str('PORT') or 8000}").rstrip("/")

INVITATION_DAYS = env_int("INVITATION_DAYS", 14, minimum=1)
PAGE_SIZE = env_int("PAGE_SIZE", 25, minimum=1)
# Largest document file accepted (shared documents; files are served only after a permission
# check, never from a public URL).
SHARING_MAX_UPLOAD_BYTES = env_int("SHARING_MAX_UPLOAD_MB", 25, minimum=1) * 1024 * 1024

# Overlap discovery: abuse resistance (a partner probing with guessed keys) and run lifetime.
OVERLAP_MIN_SET_SIZE = env_int("OVERLAP_MIN_SET_SIZE", 20, minimum=1)
OVERLAP_MAX_SET_SIZE = env_int("OVERLAP_MAX_SET_SIZE", 1_000_000, minimum=1)
OVERLAP_MAX_ACTIVE_RUNS = env_int("OVERLAP_MAX_ACTIVE_RUNS", 2, minimum=1)
OVERLAP_RUN_HOURS = env_int("OVERLAP_RUN_HOURS", 24, minimum=1)

# Integrations and operations (issue 13) ------------------------------------------------------
import ipaddress  # noqa: E402


def env_networks(name: str, default: list[str]) -> list:
    """A comma-separated list of IP networks (CIDR) or addresses."""
    networks = []
    for value in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must be IP networks like 10.0.0.0/8 or 127.0.0.1, not {value!r}"
            ) from None
    return networks


WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Internal ranges that may receive webhooks (on-premises receivers); metadata addresses never.
WEBHOOK_ALLOWED_PRIVATE_NETWORKS = [
    str(n) for n in env_networks("WEBHOOK_ALLOWED_PRIVATE_NETWORKS", [])
]
# How long the delivery log keeps finished deliveries (the worker prunes older ones).
WEBHOOK_LOG_DAYS = env_int("WEBHOOK_LOG_DAYS", 30, minimum=1)
WEBHOOK_ROTATION_OVERLAP_HOURS = env_int("WEBHOOK_ROTATION_OVERLAP_HOURS", 24, minimum=1)
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env_int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 300, minimum=10)
METRICS_TOKEN = env_str("METRICS_TOKEN")
if METRICS_TOKEN and len(METRICS_TOKEN) < 20:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 20 characters")
METRICS_ALLOWED_IPS = env_networks("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
LOG_FORMAT = env_str("LOG_FORMAT", "text").lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")

# A read replica for read-only pages (integrations.replica): the router sends their reads to
# it; every write, and every read in a request after the visitor wrote something in the last
# DATABASE_REPLICA_PIN_SECONDS, goes to the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 10, minimum=0)
DATABASE_REPLICA_VIEWS = env_list(
    "DATABASE_REPLICA_VIEWS",
    [
        "network_members",
        "network_activity",
        "sharing_feed",
        "sharing_search",
        "metrics_dashboard",
        "ledger_network",
        "network_health",
        "integrations_export",
    ],
)
if DATABASE_REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a database URL: {exc}") from None
    # Tests run against one database: the replica mirrors the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"  # as above
    DATABASE_ROUTERS = ["consortia.integrations.replica.ReplicaRouter"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "consortia.integrations.logformat.JsonLogFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING").upper()},
}

# Accounts (issue 12/13) -------------------------------------------------------------------
# django-allauth: e-mail sign-in (no usernames), verified addresses, password reset, TOTP and
# recovery codes, the sessions list, OpenID Connect. See README "Accounts and security".
ACCOUNT_ADAPTER = "consortia.accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "consortia.accounts.adapter.SocialAccountAdapter"
MFA_ADAPTER = "consortia.accounts.adapter.MFAAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_FORMS = {
    "signup": "consortia.accounts.forms.SignUpForm",
    "login": "consortia.accounts.forms.SignInForm",
}
# An unverified person can sign in; acting for an organization waits for the address.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("EMAIL_CONFIRMATION_DAYS", 3, minimum=1)
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a link scanner's GET must not verify an address
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_PREVENT_ENUMERATION = True  # sign-up and reset answer alike; the owner gets an e-mail
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_CHANGE_EMAIL = True  # one address per person; changing it verifies the new one
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password/e-mail changed" to the owner
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTHENTICATION_SECONDS", 300, minimum=30)
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Consortia: "
# Password reset links: Django's token (single-use: it changes with the password), expiring.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60, minimum=5) * 60
# axes counts failed passwords; allauth's own cache-based limits stay for e-mail sending.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# The code forms say calmly when the stored secrets cannot be decrypted (accounts.mfa_secrets).
MFA_FORMS = {
    "authenticate": "consortia.accounts.forms.TwoFactorAuthenticateForm",
    "reauthenticate": "consortia.accounts.forms.TwoFactorReauthenticateForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]  # webauthn: security keys, passkeys
# WebAuthn needs HTTPS; plain http only for local development (and the browser tests).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)
MFA_TOTP_ISSUER = "Consortia"
MFA_TOTP_TOLERANCE = 1  # a phone clock 30 s off still works; each code is accepted once
MFA_RECOVERY_CODE_COUNT = 10
# Each sign-in records its session; the time-out middleware refreshes "last seen" once a minute
# (allauth's per-request tracking would cost queries on every page).
USERSESSIONS_TRACK_ACTIVITY = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never merge into an existing account by address
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False


def _oidc_providers() -> list[dict]:
    """OIDC_PROVIDERS: a JSON list of {"id", "name", "server_url", "client_id", "secret"}."""
    raw = env_str("OIDC_PROVIDERS")
    if not raw:
        return []
    try:
        items = json.loads(raw)
    except ValueError:
        raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of providers") from None
    if not isinstance(items, list):
        raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of providers")
    apps = []
    for item in items:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key), str) and item.get(key)
            for key in ("id", "name", "server_url", "client_id")
        ):
            raise ImproperlyConfigured(
                "each OIDC_PROVIDERS entry needs id, name, server_url and client_id (strings)"
            )
        apps.append(
            {
                "provider_id": item["id"],
                "name": item["name"],
                "client_id": item["client_id"],
                "secret": str(item.get("secret", "")),
                "settings": {
                    "server_url": item["server_url"],
                    "oauth_pkce_enabled": True,
                    "scope": ["openid", "profile", "email"],
                },
            }
        )
    return apps


SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": _oidc_providers()}}

# Sessions: signed out after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after
# signing in whatever the activity (ASVS V7.3).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 60, minimum=1) * 60
SESSION_MAX_SECONDS = env_int("SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
# The security log is kept this many days; `consortia worker` deletes older entries.
SECURITY_LOG_DAYS = env_int("SECURITY_LOG_DAYS", 365, minimum=1)

# django-axes: failed sign-ins are counted in the database (SQLite or PostgreSQL, no extra
# service), per account and per client address; the admin's login form is covered too.
# Behind N reverse proxies (nginx…), the client's address is the N-th from the right in
# X-Forwarded-For; 0 trusts only the connection's address.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Failures expire after the cool-off; a success does not wipe them (an attacker with an
# account of their own could otherwise reset the counter of the address they guess from).
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the security log
AXES_USERNAME_CALLABLE = "consortia.accounts.throttle.username_of"
AXES_CLIENT_IP_CALLABLE = "consortia.accounts.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "consortia.accounts.throttle.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
ACCOUNT_REAUTHENTICATION_REQUIRED = True  # e-mail and password changes confirm the password

# `consortia bench --only speed` only (never set it in production): the benchmark's URLconf
# adds a bare baseline page under /__bench__/, and a timing middleware sends each request's
# split (queries, view code, templates) in a Server-Timing header (consortia/bench/instrument.py).
BENCHMARK = env_bool("CONSORTIA_BENCHMARK", False)
if BENCHMARK:
    ROOT_URLCONF = "consortia.bench.urls"
    MIDDLEWARE = ["consortia.bench.instrument.TimingMiddleware", *MIDDLEWARE]
