"""Settings shared by every environment.

Embedded defaults (SQLite, local media, a database-backed task queue) let the site
run on one machine with no services; environment variables switch each part to a
distributed engine (PostgreSQL, Redis/RQ, S3-compatible storage). See README.md.
"""

import base64
import hashlib
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "archive",
    "cms",
    "search",
    "ingest",
    "library",
    "stats",
    "accounts",
    # Exchange with other libraries and systems, and the expert database: each depends on archive
    # (and library, search, ingest where needed), never the reverse.
    "iiif",
    "oai",
    "harvest",
    "api",
    "opendata",
    "experts",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    # No wagtail.documents: its /documents/ view serves any file to anyone. Files are taken in by
    # `ingest` and served by the access-checked /media/ view (archive.views.serve_media).
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "corsheaders",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # CORS on the exchange URLs (CORS_URLS_REGEX below), before anything that may answer early.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, pages served from the cache included (cms/middleware.py).
    "cms.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Responses to signed-in visitors and session holders are marked private (cms/page_cache.py).
    "cms.page_cache.PrivateForSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a refused sign-in of a locked-out account into the lock-out page.
    "axes.middleware.AxesMiddleware",
    # Innermost, so every middleware above still processes pages served from the cache.
    "cms.page_cache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"

# CORS: other sites' viewers and harvesters read IIIF manifests, OAI-PMH, the open data API and media
# (IIIF tiles, captions) from browsers. Any origin, never with credentials: a cross-site request carries
# no cookies, so it receives only what anyone may see. The statistics' files decide for themselves
# (stats/views/opendata.py: staff's provisional figures are not shared).
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^/(?:iiif/|oai$|media/|opendata/|api/v1/(?!stats/))"
CORS_EXPOSE_HEADERS = ["ETag", "Link", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database: SQLite (WAL) by default, DATABASE_URL for PostgreSQL -------------------
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Each worker thread keeps its connection between requests for up to a minute (checked before reuse):
# no new connection, PRAGMAs and schema read per request (about 2 ms with SQLite, more with PostgreSQL).
DATABASE_CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE", 60))
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            "CONN_MAX_AGE": DATABASE_CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets the web server read while the task worker writes.
                "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background tasks: database worker by default, Redis/RQ with REDIS_URL ---------------
# People's uploads first, then everything else, then imports' media (ingest/lanes.py). The
# database worker orders tasks by priority within one queue, so a plain `manage.py db_worker`
# runs them all; RQ has no priority, so they go to these queues, and the worker must be given
# all of them, highest first: `rqworker interactive default bulk`.
TASK_QUEUES = ["interactive", "default", "bulk"]
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # Hours of festival video take hours to transcode on a small worker.
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 12 * 3600} for name in TASK_QUEUES}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # A file cache is shared by every process on the machine (web workers, task worker),
    # so invalidating the page cache in one reaches all.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# --- Discovery search -----------------------------------------------------------------
# The embedded engine (tantivy, an index folder on local disk) unless ELASTICSEARCH_URL
# names a cluster. Index names there start with SEARCH_INDEX_PREFIX.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
SEARCH_ENGINE = "elasticsearch" if ELASTICSEARCH_URL else "embedded"
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR", DATA_DIR / "search"))
SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "heritage")
SEARCH_TIMEOUT_SECONDS = float(os.environ.get("SEARCH_TIMEOUT_SECONDS", "5"))
# Embedded engine: answers (counts, facets, result pages) of this many recent searches are kept
# per process until the index changes; 0 turns the cache off.
SEARCH_CACHE_ENTRIES = int(os.environ.get("SEARCH_CACHE_ENTRIES", "256"))

# The e-library's MARC organisation code (MARC 003 and 040): a record whose 003 is this code and
# whose 001 is one of our persistent identifiers is ours when catalogues are imported again.
LIBRARY_MARC_ORGANIZATION = os.environ.get("LIBRARY_MARC_ORGANIZATION", "VN-DTTS")

# --- Media ingest (defaults and the other INGEST_* settings: ingest/conf.py) --------------
INGEST_WORK_DIR = Path(os.environ.get("INGEST_WORK_DIR", DATA_DIR / "ingest"))
INGEST_MAX_PIXELS = int(os.environ.get("INGEST_MAX_PIXELS", 300_000_000))
INGEST_FFMPEG_THREADS = int(os.environ.get("INGEST_FFMPEG_THREADS", 2))
INGEST_JOB_LEASE_SECONDS = int(os.environ.get("INGEST_JOB_LEASE_SECONDS", 300))

# --- Internationalisation: Vietnamese first, English second ----------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = True
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))

AWS_STORAGE_BUCKET_NAME = os.environ.get("S3_BUCKET", "")
if AWS_STORAGE_BUCKET_NAME:
    # Private bucket: media is only ever reached through archive's access-checking view,
    # which redirects to a short-lived signed URL.
    AWS_S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("S3_REGION") or None
    AWS_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
    AWS_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
    AWS_DEFAULT_ACL = "private"
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = 300
    DEFAULT_FILE_STORAGE_BACKEND = "storages.backends.s3.S3Storage"
else:
    DEFAULT_FILE_STORAGE_BACKEND = "django.core.files.storage.FileSystemStorage"

STORAGES = {
    "default": {"BACKEND": DEFAULT_FILE_STORAGE_BACKEND},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# How the access-checked media view hands files over: "django" streams them itself;
# "x-accel" lets nginx send them (internal location /protected-media/).
MEDIA_SERVE_METHOD = os.environ.get("MEDIA_SERVE_METHOD", "django")

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Di sản số các dân tộc thiểu số Việt Nam"
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "archive.ArchiveImage"
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 128_000_000
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
# The admin loads nothing from other sites (its Content-Security-Policy allows none): no Gravatar
# avatars (which would also hand staff e-mail hashes to a third party), no release check
# (upgrades come through the pinned requirements).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Accounts (accounts/, docs/accounts.md) ---------------------------------------------------
# The site's own sign-in page, in the visitor's language, for everything that asks for one: Django's
# login_required, records for registered researchers, Wagtail's login view restrictions. Wagtail's
# /_util/login/ stays (same form, same template) for old links.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
WAGTAIL_FRONTEND_LOGIN_TEMPLATE = "accounts/login.html"
WAGTAIL_PASSWORD_REQUIRED_TEMPLATE = "accounts/password_required.html"  # noqa: S105 - a template name
# The admin speaks each staff member's language (Account → Preferences), among the site's two.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- E-mail: printed on the console unless EMAIL_HOST names an SMTP server -----------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# --- Sign-in throttling (django-axes) ------------------------------------------------------
# Every sign-in form (the Wagtail admin's, the front-end one for restricted pages, Django's admin)
# authenticates through AxesStandaloneBackend first, which refuses a locked-out account before any
# password is checked. Administrators lift a lock-out in the Wagtail admin (Settings → Failed sign-ins)
# or with `manage.py axes_reset_username NAME` (docs/operations.md).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
# Locked per username *and* address: guessing one account's password from one address stops at the
# limit, while the account's owner signing in from elsewhere is not shut out by someone else's guesses
# (per username alone, anyone could keep a curator out of the admin by typing wrong passwords for their
# name). Behind a proxy every request comes from the proxy's address, which makes it per username:
# coarser, and still no guessing.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cms.views.account_locked"


# --- The map (cms/map.py, frontend/map.js, docs/architecture.md#the-map) -----------------------------
# Tiles under the map's markers: a URL template as Leaflet takes it (https://tile.openstreetmap.org/{z}/{x}/{y}.png)
# and the attribution the provider asks for (HTML). Empty: no tiles and no request leaving the site; the map
# draws the provinces' outline (static/dist/stats/vn-provinces-2025.json) under the markers instead.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")


# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# The public site runs only its own scripts and styles from static files: no inline script, and no nonce either
# (anonymous pages are cached whole and shared, so a per-response nonce would not match). One inline style, by
# its hash: static/css/critical.css, the first screen's rules, inlined in every page's <head> so that it shows
# after one round trip on slow networks (cms/templatetags/style_tags.py, docs/benchmarks.md "Page weight").
# hls.js plays through MediaSource (blob: URLs) and a blob: worker. To allow a new source, add it to the
# directive here (docs/operations.md).
def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# Media links are absolute (SITE_URL: players and IIIF viewers need full URLs), and with a bucket the
# media view redirects to signed URLs on the bucket's endpoint: pictures, players and HLS must reach both,
# whatever address the visitor typed (localhost for 127.0.0.1, say).
_BUCKET_ORIGINS = {_origin(AWS_S3_ENDPOINT_URL) or "https://*.amazonaws.com"} if AWS_STORAGE_BUCKET_NAME else set()
MEDIA_ORIGINS = sorted(({_origin(WAGTAILADMIN_BASE_URL)} | _BUCKET_ORIGINS) - {""})
# The tile server's pictures; Leaflet's {s} subdomains ({s}.tile.example.org) as a wildcard.
MAP_TILE_ORIGINS = [origin for origin in [_origin(MAP_TILE_URL.replace("{s}", "*"))] if origin]
# Read once, so that the text inlined and the hash allowed always agree.
CRITICAL_CSS = (BASE_DIR / "static" / "css" / "critical.css").read_text(encoding="utf-8")
_CRITICAL_CSS_DIGEST = base64.b64encode(hashlib.sha256(CRITICAL_CSS.encode()).digest()).decode()
CRITICAL_CSS_HASH = f"'sha256-{_CRITICAL_CSS_DIGEST}'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", CRITICAL_CSS_HASH],
        "img-src": ["'self'", "data:", "blob:", *MEDIA_ORIGINS, *MAP_TILE_ORIGINS],
        "media-src": ["'self'", "blob:", *MEDIA_ORIGINS],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'", *MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
    }
}
# Added on the Wagtail and Django admins (paths below), which still use inline scripts and styles. Their
# style-src is replaced, not added to: a browser ignores 'unsafe-inline' beside a hash.
CONTENT_SECURITY_POLICY_ADMIN_PREFIXES = ("/admin/",)
CONTENT_SECURITY_POLICY_ADMIN_UPDATE = {
    "script-src": ["'unsafe-inline'"],
}
CONTENT_SECURITY_POLICY_ADMIN_REPLACE = {
    "style-src": ["'self'", "'unsafe-inline'"],
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Failed sign-ins and lock-outs are warnings; axes' start-up banner and chatter are not worth a line.
    # libvips' progress notes ("VIPS: threadpool completed…", forwarded by pyvips at INFO) are not worth a line.
    "loggers": {"axes": {"level": "WARNING"}, "pyvips": {"level": "WARNING"}},
}

# Whole pages for anonymous visitors (seconds; 0 turns the cache off). See cms/page_cache.py.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 600))
PAGE_CACHE_PREFIXES = tuple(f"/{code}/" for code, _name in LANGUAGES) + ("/sitemap.xml",)

SITE_NAME = _("Vietnamese Ethnic Minority Digital Heritage")
WAGTAILIMAGES_IMAGE_FORM_BASE = "archive.forms.ArchiveImageForm"

# OAI-PMH provider at /oai (docs/exchange.md). The repository identifier is a domain name (oai-identifier).
OAI_REPOSITORY_NAME = os.environ.get("OAI_REPOSITORY_NAME", WAGTAIL_SITE_NAME)
_OAI_HOST = urlsplit(WAGTAILADMIN_BASE_URL).hostname or ""
OAI_REPOSITORY_IDENTIFIER = os.environ.get(
    "OAI_REPOSITORY_IDENTIFIER",
    _OAI_HOST if re.fullmatch(r"[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+", _OAI_HOST) else "dtts.example.vn",
)
# OAI-PMH asks for an address with a domain (user@host.tld): "webmaster@localhost" is not one.
_OAI_EMAIL = DEFAULT_FROM_EMAIL if re.fullmatch(r"\S+@(\S+\.)+\S+", DEFAULT_FROM_EMAIL) else "webmaster@dtts.example.vn"
OAI_ADMIN_EMAILS = [e.strip() for e in os.environ.get("OAI_ADMIN_EMAILS", _OAI_EMAIL).split(",") if e.strip()]
OAI_PAGE_SIZE = int(os.environ.get("OAI_PAGE_SIZE", 100))
OAI_RESUMPTION_TOKEN_SECONDS = int(os.environ.get("OAI_RESUMPTION_TOKEN_SECONDS", 24 * 60 * 60))

# --- The open data API (api/, docs/exchange.md "Open data API") ---------------------------------------
# Requests each client (by address) may make, as "count/period" (s, min, hour, day); empty: no limit. Counted
# in the cache (Redis when REDIS_URL is set), so shared by every worker. "ninja" serves the reference page's
# bundled Swagger UI from static files (no outside host).
INSTALLED_APPS += ["ninja"]
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/hour")
# How many proxies stand before the site and append to X-Forwarded-For (deploy/nginx.conf: one): the client is
# the address the last of them saw, so a client cannot pass for another by sending the header itself.
NINJA_NUM_PROXIES = int(os.environ.get("API_PROXY_COUNT", 1))
