"""One settings file, driven by environment variables (see docs/operations.md).

Defaults give the embedded set-up: SQLite in WAL mode, tasks run immediately, SMS and e-mail
written to the console. DEBUG is off unless set. With DEBUG off, this is production unless
GONGZHI_DEMO=1 says it is the demo (``make run`` writes that, with the demo's own keys, to
``var/demo.env``, which is read here) or the tests (tests/settings.py): production refuses to
start, with a message naming what is missing, unless its keys, hosts, SMS and task backends are
set (``production_problems`` below; docs/operations.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gongzhi import demo_env

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("GONGZHI_DATA_DIR", BASE_DIR / "var"))
# The demo's settings (`make demo` writes them once); what the environment sets wins.
demo_env.load(DATA_DIR / demo_env.FILE_NAME)

DEBUG = env_bool("DEBUG", False)
# The demo and the tests: DEBUG is off (no debug pages, ever), but this is not a deployment, so
# login codes may be printed on the console, tasks may run at once, and there is no HTTPS.
DEMO = env_bool("GONGZHI_DEMO", False)
PRODUCTION = not (DEBUG or DEMO)
_DEV_SECRET = demo_env.LEGACY_SECRET_KEY  # public: development only, never in production
SECRET_KEY = os.environ.get("SECRET_KEY") or ("" if PRODUCTION else _DEV_SECRET)
# Earlier SECRET_KEYs, newest first, comma-separated: sessions and signed links made with them
# stay valid while they are listed (docs/operations.md, "Rotating keys").
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")


def env_keyring(name: str) -> dict[str, str]:
    """``"id:secret,id:secret"`` → ``{id: secret}``: retired keys kept so old data still verifies."""
    ring: dict[str, str] = {}
    for item in env_list(name, ""):
        key_id, sep, secret = item.partition(":")
        if not sep or not key_id or not secret:
            raise ValueError(f"{name}: each item must read id:secret")
        ring[key_id] = secret
    return ring


# Keys the activity journal's chain. Each key carries an id so it can rotate: the current one
# (JOURNAL_KEY, JOURNAL_KEY_ID) signs new entries; retired ones (JOURNAL_RETIRED_KEYS) stay so
# that entries signed before a rotation still verify (docs/operations.md, "Rotating keys").
# Outside production the journal and vote keys default to ones derived from SECRET_KEY (as they
# always did in development); production must set each to a secret of its own.
JOURNAL_KEY = os.environ.get("JOURNAL_KEY") or ("" if PRODUCTION else SECRET_KEY)
JOURNAL_KEY_ID = os.environ.get("JOURNAL_KEY_ID", "1")
JOURNAL_RETIRED_KEYS = env_keyring("JOURNAL_RETIRED_KEYS")
# Keys the pseudonyms under which secret ballots are stored (so a voter can change their ballot
# until close). Whoever holds it and the database could link voters to ballots: keep it out of
# the database and its backups. It carries an id too; it cannot change while a secret vote is open.
VOTE_KEY = os.environ.get("VOTE_KEY") or ("" if PRODUCTION else SECRET_KEY + ":votes")
VOTE_KEY_ID = os.environ.get("VOTE_KEY_ID", "1")
VOTE_RETIRED_KEYS = env_keyring("VOTE_RETIRED_KEYS")
# Encrypts the private halves of the communities' Ed25519 keys that sign volunteer certificates
# (volunteering/credentials.py). The public halves are published; the private ones live in the
# database only encrypted under this key, which stays outside the database and its backups.
CREDENTIAL_KEY = os.environ.get("CREDENTIAL_KEY") or (
    "" if PRODUCTION else SECRET_KEY + ":credentials"
)
# Encrypts mediation cases' texts and attachments at rest (mediation/fields.py): kept outside the
# database and its backups, so that neither reads as more than noise without it. After a
# rotation the former passphrases stay in MEDIATION_RETIRED_KEYS (comma-separated) until
# `manage.py mediation_rekey` has re-encrypted what they wrote.
MEDIATION_KEY = os.environ.get("MEDIATION_KEY") or ("" if PRODUCTION else SECRET_KEY + ":mediation")
MEDIATION_RETIRED_KEYS = env_list("MEDIATION_RETIRED_KEYS", "")
# With a task worker (TASKS_BACKEND=database), journal entries are chained in batches by a task
# each app process asks for at most once per this many seconds per community (core/journal.py).
JOURNAL_CHAIN_DELAY = float(os.environ.get("JOURNAL_CHAIN_DELAY", "1"))
# With a task worker, a conversation's opinion map is recomputed at most once per this many
# seconds, covering every vote cast meanwhile (opinions/services.py).
OPINION_MAP_DELAY = float(os.environ.get("OPINION_MAP_DELAY", "5"))
# Evaluation hides a group's figure when it covers fewer people than this (and enough others
# that it cannot be subtracted out of the total): small-cell suppression, evaluation/suppress.py.
EVALUATION_MIN_CELL = int(os.environ.get("EVALUATION_MIN_CELL", "5"))
# A dashboard view asks for its rollups to be rebuilt when they are older than this (seconds).
EVALUATION_REFRESH_SECONDS = float(os.environ.get("EVALUATION_REFRESH_SECONDS", "21600"))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",  # the Content-Security-Policy header (see "Security" below)
    "ninja",  # serves the API docs' own Swagger files, not a CDN's
    "rules",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.notifications",
    "gongzhi.deliberation",
    "gongzhi.voting",
    "gongzhi.opinions",
    "gongzhi.budgeting",
    "gongzhi.feedback",
    "gongzhi.disclosure",
    "gongzhi.evaluation",
    "gongzhi.surveys",
    "gongzhi.bodies",
    "gongzhi.meetings",
    "gongzhi.volunteering",
    "gongzhi.learning",
    "gongzhi.covenants",
    "gongzhi.mediation",
    "gongzhi.spaces",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongzhi.core.cachecontrol.NoStoreMiddleware",
    "gongzhi.accounts.middleware.UserPreferencesMiddleware",
    "gongzhi.core.boundary.RequestBoundaryMiddleware",  # after the language is known
    "gongzhi.accounts.middleware.StaffMfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongzhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gongzhi.core.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite is the embedded default: WAL lets readers run beside the writer, IMMEDIATE
# transactions take the write lock up front (no deadlock on upgrade), and the busy timeout
# makes concurrent writers wait instead of failing.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'gongzhi.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
    }
    # A file, not memory: browser and concurrency tests use real connections from threads.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("SQLITE_TEST_NAME", str(DATA_DIR / "test.sqlite3"))
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, sessions in production) -------------------------------------------
# The database cache is shared by every app process, so rate limits hold across workers
# without another service; REDIS_URL switches to Redis when a city scales out.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "gongzhi_cache",
        }
    }

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "gongzhi.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
ACCOUNT_SIGNUP_FIELDS = ["phone*", "email", "password1", "password2"]
ACCOUNT_FORMS = {
    "login": "gongzhi.accounts.login_forms.PhoneFirstLoginForm",
    "request_login_code": "gongzhi.accounts.login_forms.PhoneFirstRequestLoginCodeForm",
}
ACCOUNT_SIGNUP_FORM_CLASS = "gongzhi.accounts.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60
# Six digits, as every Chinese SMS code is; three tries per code make guessing hopeless.
ACCOUNT_LOGIN_BY_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    # A code costs money and reaches a phone: at most one per minute per number.
    "request_login_code": "20/m/ip,1/m/key,5/h/key",
    "login_failed": "10/m/ip,5/5m/key",
    "verify_phone": "1/30s/key,3/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "共治 gongzhi"

# --- SMS and e-mail -----------------------------------------------------------------------
SMS_BACKEND = os.environ.get("SMS_BACKEND", "gongzhi.notifications.sms.ConsoleSmsBackend")
SMS_FILE_PATH = Path(os.environ.get("SMS_FILE_PATH", DATA_DIR / "sms"))
# Alibaba Cloud SMS (SMS_BACKEND=gongzhi.notifications.sms.AliyunSmsBackend): an AccessKey of a
# RAM user allowed dysms:SendSms, the approved signature (签名, shown as 【…】) and the approved
# template of each kind of message: the verification-code template (variable ${code}) for login
# codes, and the notification template (variable ${title}) for everything else, unless a kind
# has its own (SMS_ALIYUN_TEMPLATES_EXTRA="hotline_ticket_update=SMS_123,…"). operations.md.
SMS_ALIYUN_ENDPOINT = os.environ.get("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_ALIYUN_REGION = os.environ.get("SMS_ALIYUN_REGION", "cn-hangzhou")
SMS_ALIYUN_ACCESS_KEY_ID = os.environ.get("SMS_ALIYUN_ACCESS_KEY_ID", "")
SMS_ALIYUN_ACCESS_KEY_SECRET = os.environ.get("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
SMS_ALIYUN_SIGN_NAME = os.environ.get("SMS_ALIYUN_SIGN_NAME", "")
SMS_ALIYUN_TEMPLATES = {
    "login_code": os.environ.get("SMS_ALIYUN_TEMPLATE_LOGIN_CODE", ""),
    "notification": os.environ.get("SMS_ALIYUN_TEMPLATE_NOTIFICATION", ""),
    **{
        kind.strip(): code.strip()
        for kind, _eq, code in (
            item.partition("=") for item in env_list("SMS_ALIYUN_TEMPLATES_EXTRA", "")
        )
    },
}
# Template variables longer than this are cut (the provider refuses longer ones).
SMS_ALIYUN_PARAM_MAX_LENGTH = int(os.environ.get("SMS_ALIYUN_PARAM_MAX_LENGTH", "35"))
SMS_ALIYUN_TIMEOUT = float(os.environ.get("SMS_ALIYUN_TIMEOUT", "5"))
# Quick retries inside one send (timeouts, 5xx, throttling), pausing 1 s, 2 s, …: a login code
# must arrive while its owner waits. Notifications are retried again later (below).
SMS_ALIYUN_ATTEMPTS = int(os.environ.get("SMS_ALIYUN_ATTEMPTS", "3"))
SMS_ALIYUN_BACKOFF = float(os.environ.get("SMS_ALIYUN_BACKOFF", "1"))
# A notification's e-mail or text that failed for a passing reason is tried again after 1, 2,
# 4, … minutes (at most an hour apart), DELIVERY_MAX_ATTEMPTS tries in all, by
# `manage.py send_due_deliveries` (run it every minute) or a deferred task. The log of
# deliveries (masked numbers) is kept DELIVERY_LOG_DAYS days.
DELIVERY_MAX_ATTEMPTS = int(os.environ.get("DELIVERY_MAX_ATTEMPTS", "8"))
DELIVERY_RETRY_DELAY = int(os.environ.get("DELIVERY_RETRY_DELAY", "60"))
DELIVERY_RETRY_DELAY_MAX = int(os.environ.get("DELIVERY_RETRY_DELAY_MAX", "3600"))
DELIVERY_CLAIM_SECONDS = int(os.environ.get("DELIVERY_CLAIM_SECONDS", "300"))
DELIVERY_LOG_DAYS = int(os.environ.get("DELIVERY_LOG_DAYS", "180"))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongzhi@localhost")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

# --- Background tasks ---------------------------------------------------------------------
# Immediate in tests and the embedded default; a database queue worked by
# `manage.py db_worker` in production (TASKS_BACKEND=database).
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[os.environ.get("TASKS_BACKEND", "immediate")],
    }
}

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [Path(os.environ.get("GONGZHI_LOCALE_DIR", BASE_DIR / "gongzhi" / "locale"))]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Our zh-Hans formats put ISO dates first, so <input type="date"> shows the dates forms fill in.
FORMAT_MODULE_PATH = ["gongzhi.formats"]
PHONE_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION", "CN")

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "gongzhi" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# In development and the demo WhiteNoise serves straight from the apps' static folders, so a
# fresh machine needs no collectstatic; production serves the collected, hashed files.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ROSTER_MAX_BYTES = 5 * 1024 * 1024
ROSTER_MAX_ROWS = 20000

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 14 * 24 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:  # the demo and the tests serve plain HTTP on the loopback
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list binds every subdomain of the city's domain:
        # that is the city IT department's decision (docs/operations.md), not ours.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]


# Content-Security-Policy (django-csp), on every response. No inline script and no inline
# style anywhere: behaviour lives in gongzhi/static/gongzhi/*.js, wired by data attributes, and
# data for scripts in json_script blocks; tests/test_csp.py scans the templates and the rendered
# pages, and the browser journeys fail on any violation. Images may also come from the origins
# in CSP_EXTRA_IMG_SRC (comma-separated) and from the map-tile server of MAP_TILE_URL, if set.
def csp_origin(url: str) -> str:
    """``https://{s}.tile.example.org/{z}/{x}/{y}.png`` → ``https://*.tile.example.org``."""
    import re
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc)
    return f"{parts.scheme}://{host}"


MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
# The map picker beside coordinate fields (hidden without MAP_TILE_URL; the fields still work).
# Points are stored as WGS-84; MAP_TILE_CRS=gcj02 for a Chinese map service's tiles (AMap,
# Tencent), whose picked points the server converts (gongzhi/core/geo.py). MAP_CENTER is
# "lat,lng,zoom" where the map opens when no point is given yet.
MAP_TILE_CRS = os.environ.get("MAP_TILE_CRS", "wgs84")
if MAP_TILE_CRS not in {"wgs84", "gcj02"}:
    raise ImproperlyConfigured("MAP_TILE_CRS must be wgs84 or gcj02.")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
MAP_CENTER = os.environ.get("MAP_CENTER", "39.9087,116.3975,13")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",  # the TOTP QR code, the API docs' icons
            *env_list("CSP_EXTRA_IMG_SRC", ""),
            *([csp_origin(MAP_TILE_URL)] if MAP_TILE_URL else []),
        ],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# API lists: a client cannot ask for a million rows, or an offset the database cannot hold.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200
NINJA_PAGINATION_MAX_OFFSET = 10_000_000

# The community's own settings live in the database; these are platform-wide.
GONGZHI_STAFF_MFA_REQUIRED = env_bool("GONGZHI_STAFF_MFA_REQUIRED", True)

# --- Production refuses to start half-configured ------------------------------------------
# Backends that never reach a phone: they print, write a file or keep messages in memory.
DEMO_SMS_BACKENDS = {
    f"gongzhi.notifications.sms.{name}SmsBackend" for name in ("Console", "File", "Locmem")
}


def production_problems() -> list[str]:
    """What keeps these settings from being a production deployment's, each in one sentence."""
    problems = []
    keys = {
        "SECRET_KEY": SECRET_KEY,
        "JOURNAL_KEY": JOURNAL_KEY,
        "VOTE_KEY": VOTE_KEY,
        "CREDENTIAL_KEY": CREDENTIAL_KEY,
        "MEDIATION_KEY": MEDIATION_KEY,
    }
    for name, value in keys.items():
        if not os.environ.get(name):
            problems.append(f"{name} is not set")
        elif value == _DEV_SECRET or value.startswith(_DEV_SECRET):
            problems.append(f"{name} is the development key published with the source")
    named = [(name, value) for name, value in keys.items() if os.environ.get(name)]
    for i, (name, value) in enumerate(named):
        for other, other_value in named[i + 1 :]:
            if value == other_value:
                problems.append(f"{name} and {other} are the same: each needs a secret of its own")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is not set (the site's host names, comma-separated)")
    if SMS_BACKEND in DEMO_SMS_BACKENDS:
        problems.append(
            f"SMS_BACKEND is {SMS_BACKEND}, which sends nothing "
            "(use gongzhi.notifications.sms.AliyunSmsBackend)"
        )
    if TASKS["default"]["BACKEND"] != _TASK_BACKENDS["database"]:
        problems.append(
            "TASKS_BACKEND is not 'database' (set it, and run `manage.py db_worker` beside the server)"
        )
    return problems


if PRODUCTION and (_problems := production_problems()):
    raise ImproperlyConfigured(
        "gongzhi will not start: DEBUG is off and GONGZHI_DEMO is not set, so these are "
        "production settings, and "
        + "; ".join(_problems)
        + ". See docs/operations.md. (For the demo run `make run`; for development set DEBUG=1.)"
    )
