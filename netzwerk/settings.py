"""Settings for Netzwerk, read from the environment and nothing else.

Defaults are the embedded ones (SQLite, a file-system Celery broker, mail written to
files, all under ``var/``) so that ``make run`` works on a fresh machine. Production sets
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``EMAIL_HOST`` and friends, and must set
``DJANGO_SECRET_KEY``. Nothing here creates or writes anything: folders under ``var/`` are
made by ``manage.py preflight`` (called by ``make run`` and ``make test``) or by whoever
needs them.
"""

import datetime
from email.utils import getaddresses
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from netzwerk.config import ConfigurationError, broker_url_from, database_from

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("NETZWERK_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# A secret key is only invented for development; production refuses to start without one
# because sessions, password-reset links and answer tokens are signed with it.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError(
            "DJANGO_SECRET_KEY ist nicht gesetzt: ohne DJANGO_DEBUG=1 startet Netzwerk nur mit "
            "einem geheimen Schlüssel (z. B. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-development-only-netzwerk"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "netzwerk",
    "contacts",
    "indicators",
    "meetings",
    "notifications",
    # Last, as its documentation asks: deletes a stored file once the transaction that
    # replaced it or deleted its row has committed (minutes of a deleted meeting too).
    "django_cleanup.apps.CleanupConfig",
]

MIDDLEWARE = [
    # First: an anonymous public page from the cache costs one round trip to the cache and
    # nothing else. Its entry holds the headers every middleware below gave the page when
    # it was rendered (security headers, Permissions-Policy, Content-Security-Policy).
    "netzwerk.public_cache.PublicCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "netzwerk.csp.PolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a login refused by django-axes into the German lockout page (429).
    "axes.middleware.AxesMiddleware",
    # Every version records who made it: the user of the request (web, admin, or the API,
    # whose authentication sets the user on the same request).
    "simple_history.middleware.HistoryRequestMiddleware",
]
# A field is restored through the model's service (the Verlauf page), never by the
# admin's raw save of an old version.
SIMPLE_HISTORY_REVERT_DISABLED = True

ROOT_URLCONF = "netzwerk.urls"
WSGI_APPLICATION = "netzwerk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "netzwerk.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_from(env.str("DATABASE_URL", default=""), var_dir=VAR_DIR)}
# A file-based test database (instead of SQLite's in-memory default) lets a real Celery
# worker process started by the tests see the rows the tests wrote.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # The embedded SQLite builds covering indexes (PostgreSQL INCLUDE) as plain ones,
    # which is all the demo needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "contacts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every login (the site's and the Verwaltung's) while its account or its
    # client is paused, before a password is checked.
    "contacts.backends.LoginLimitBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "contacts:login"
LOGIN_REDIRECT_URL = "contacts:my_area"
LOGOUT_REDIRECT_URL = "home"
# Invitation and password-reset links stay valid for three days: volunteers do not read
# mail every day.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
# Proxies in front of the application that append to X-Forwarded-For (the TLS proxy: 1).
# Every limit (logins, contact and feedback forms, password reset, the API throttle) counts
# the client address that the outermost of them saw (contacts/clients.py); with 0 the
# header is ignored, since any client can send it.
TRUSTED_PROXIES = env.int("DJANGO_TRUSTED_PROXIES", default=0)
# One limiter for every login, the site's and the Verwaltung's (django-axes): failed
# attempts count per account (its normalised address) and per client address; at the limit
# either is paused until 15 minutes after its last failure. A successful login clears the
# failures of its account and of its client. Nothing is written for successful logins.
LOGIN_ATTEMPTS_LIMIT = env.int("LOGIN_ATTEMPTS_LIMIT", default=5)
AXES_FAILURE_LIMIT = LOGIN_ATTEMPTS_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# An attempt while paused neither counts nor extends the pause: the page says "15 minutes".
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True
# No banner at every start: management commands print nothing but their result.
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "contacts.clients.client_address"
AXES_USERNAME_CALLABLE = "contacts.clients.login_username_for_axes"
AXES_LOCKOUT_CALLABLE = "contacts.views.login_paused"
# Messages through the public contact and feedback forms per client address within the window.
CONTACT_MESSAGES_LIMIT = env.int("CONTACT_MESSAGES_LIMIT", default=5)
CONTACT_MESSAGES_WINDOW_SECONDS = 60 * 60
# Guest registrations for open meetings per client address within the window (the web
# form and the API alike), and how many days after its meeting a guest's data is deleted.
GUEST_REGISTRATIONS_LIMIT = env.int("GUEST_REGISTRATIONS_LIMIT", default=5)
GUEST_REGISTRATIONS_WINDOW_SECONDS = 60 * 60
GUEST_DATA_RETENTION_DAYS = env.int("GUEST_DATA_RETENTION_DAYS", default=30)
# Password-reset requests per address and per client address within the window: each one
# sends a mail, to an address anybody can type.
PASSWORD_RESET_LIMIT = env.int("PASSWORD_RESET_LIMIT", default=5)
PASSWORD_RESET_WINDOW_SECONDS = 60 * 60
# How long the link that confirms a new login address (Mein Bereich) stays valid.
EMAIL_CHANGE_TIMEOUT = PASSWORD_RESET_TIMEOUT
# Retention (privacy statement): contact-form messages are deleted this many days after
# their delivery; the recipient addresses in the delivery log are blanked after the days
# given per kind of mail (the default for every kind not named).
CONTACT_MESSAGES_RETENTION_DAYS = env.int("CONTACT_MESSAGES_RETENTION_DAYS", default=30)
DELIVERY_ADDRESS_RETENTION_DAYS = {
    "default": env.int("DELIVERY_ADDRESS_RETENTION_DAYS", default=180),
    "kontakt": CONTACT_MESSAGES_RETENTION_DAYS,
    "kontakt_kopie": CONTACT_MESSAGES_RETENTION_DAYS,
    "kontakt_bestaetigung": CONTACT_MESSAGES_RETENTION_DAYS,
}

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "netzwerk" / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed file names (cacheable forever) need `collectstatic`; the test suite and
    # `make run` skip that with DJANGO_STATIC_MANIFEST=0.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The embedded default is per process; production sets CACHE_URL=redis://… so that the
# form limits' counters and the feeds' cached VEVENTs are shared by all web workers (failed
# logins are counted in the database, by django-axes). It must hold one
# entry per meeting in a feed, or the VEVENT cache is culled before it is reused.
# Anonymous answers of the public pages and the read API are cached whole until what they show
# changes (netzwerk/public_cache.py: the directory, the calendar, or one network's meetings),
# fresh at most this long (an older one is served while one request renders it anew, never
# after a change); 0 turns the cache off. Embedded, each
# process keeps at most PUBLIC_CACHE_ENTRIES of them, apart from the default cache (a flood
# of varied pages must neither grow a worker without bound nor evict the login counters).
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=60)
PUBLIC_CACHE_ENTRIES = env.int("PUBLIC_CACHE_ENTRIES", default=500)
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://netzwerk?max_entries=200000"),
    "public": env.cache_url("CACHE_URL", default=f"locmemcache://public?max_entries={PUBLIC_CACHE_ENTRIES}"),
}
for _cache in CACHES.values():
    # Django's Redis backend, with one client per connection pool (netzwerk/cache.py: a
    # client made per operation cost as much as the round trip).
    if _cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        _cache["BACKEND"] = "netzwerk.cache.RedisCache"

# Mail: an SMTP relay when EMAIL_HOST is set, otherwise files under var/mail/ so the demo's
# invitations and reminders can be read without any mail server.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Netzwerk Aachen <netzwerk@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who receives the error report of a failed request (a 500), e.g.
# "Betrieb <betrieb@example.org>, it@example.org"; empty: no one, and the error page
# does not claim that anyone was told.
ADMINS = [(name, address) for name, address in getaddresses([env.str("DJANGO_ADMINS", default="")]) if address]
# Where the feedback form of the accessibility statement (BITV NRW) delivers.
ACCESSIBILITY_FEEDBACK_EMAIL = env.str("ACCESSIBILITY_FEEDBACK_EMAIL", default="barrierefreiheit@example.org")
# /healthz shows its details (errors, scheduler timestamps, mail backlog) to staff and to a
# monitor that sends this value in the X-Healthz-Token header; empty: to staff only.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
# The map of the areas (/gebiete/karte/) draws its own shapes and needs no tile server:
# no visitor's address leaves the city's server. A background of map tiles is optional:
# a URL template with {z}, {x}, {y} (Web Mercator tiles, e.g. of the city's own tile
# server); its host is then added to the map page's img-src.
AREAS_MAP_TILE_URL = env.str("AREAS_MAP_TILE_URL", default="")

# Celery: at-least-once delivery. A task is acknowledged only after it ran, is requeued if
# its worker dies, and each worker takes one task at a time, so a killed worker loses
# nothing; the delivery log in the database makes the second run harmless.
CELERY_BROKER_URL = broker_url_from(env.str("CELERY_BROKER_URL", default=""))
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's transport with whole-message writes (see netzwerk/broker.py).
    CELERY_BROKER_TRANSPORT = "netzwerk.broker:Transport"
    _broker_folder = str(VAR_DIR / "broker")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _broker_folder,
        "data_folder_out": _broker_folder,
        "processed_folder": str(VAR_DIR / "broker-processed"),
        # Without it kombu writes its broadcast exchange to ./control in the working folder.
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
        # kombu's default (1 s) takes one message per second from the folder; the delivery
        # log's send tasks come by the hundred.
        "polling_interval": 0.05,
    }
else:
    # Redis redelivers an unacknowledged task after the visibility timeout; it must exceed
    # the hard time limit or a slow task would run twice while still running.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 4}
# Queues (issue 13): beat's periodic tasks on their own, so that neither the sweep nor the
# heartbeat waits behind thousands of queued mails; the mail that changes plans
# (cancellations, changes, invitations of the next days, contact messages) apart from
# reminders, digests and poll mail. A worker started without -Q listens to all of them. On
# Redis the priority also orders them strictly (0 first); the file-system broker of the demo
# takes from its queues in turn, so an urgent task waits for at most one task per process.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {
    "periodic": {"routing_key": "periodic"},
    "mail-urgent": {"routing_key": "mail-urgent"},
    "mail": {"routing_key": "mail"},
    "celery": {"routing_key": "celery"},
}
CELERY_TASK_ROUTES = {
    "notifications.heartbeat": {"queue": "periodic", "priority": 0},
    "notifications.sweep": {"queue": "periodic", "priority": 0},
    # Beat's housekeeping: short, and it must not wait behind thousands of queued mails either.
    "meetings.extend_series_horizon": {"queue": "periodic", "priority": 3},
    "notifications.retention": {"queue": "periodic", "priority": 3},
    "contacts.invitations_expire": {"queue": "periodic", "priority": 3},
    "contacts.imports_resume": {"queue": "periodic", "priority": 3},
}
CELERY_TASK_QUEUE_MAX_PRIORITY = 9
CELERY_TASK_DEFAULT_PRIORITY = 6
# Beat first sends an interval task one interval after it starts; the worker tests shorten
# the heartbeat's interval so that its first run comes within seconds.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "notifications.heartbeat", "schedule": env.float("CELERY_HEARTBEAT_SECONDS", default=60.0)},
    # Keeps every series' occurrences 12 months ahead; idempotent, so a missed or doubled run is harmless.
    "meetings-extend-series-horizon": {"task": "meetings.extend_series_horizon", "schedule": 24 * 60 * 60.0},
    # Retention (privacy statement): old contact messages, delivery-log addresses, unused invitations.
    "notifications-retention": {"task": "notifications.retention", "schedule": 24 * 60 * 60.0},
    "contacts-invitations-expire": {"task": "contacts.invitations_expire", "schedule": 24 * 60 * 60.0},
    # Plans what mail is owed and queues it (issue 6); the tests shorten the interval.
    "notifications-sweep": {
        "task": "notifications.sweep",
        "schedule": env.float("NOTIFICATIONS_SWEEP_SECONDS", default=60.0),
    },
    # Queues member-list imports whose worker died (their lease ran out) or whose task was lost.
    "contacts-imports-resume": {
        "task": "contacts.imports_resume",
        "schedule": env.float("IMPORT_SWEEP_SECONDS", default=60.0),
    },
}
# A send holds its rows this long; a thread of the sending process renews the claim every
# third of it while the process lives, so a row still claimed after it belongs to a worker
# that died, and the sweep queues it again (flagged "evtl. doppelt" if it was being sent).
NOTIFICATIONS_LEASE_SECONDS = env.float("NOTIFICATIONS_LEASE_SECONDS", default=30.0)
# A send task writes the results of this many mails in one transaction (one commit to disk
# per group instead of per mail); as many rows of a worker that dies are flagged "evtl. doppelt".
NOTIFICATIONS_MARK_EVERY = env.int("NOTIFICATIONS_MARK_EVERY", default=10)
# An import renews this lease after every chunk it writes; a run whose lease has run out
# (its worker died) is resumed by the next worker after its last committed chunk.
IMPORT_LEASE_SECONDS = env.float("IMPORT_LEASE_SECONDS", default=120.0)
# A planned row queued this long ago and still not claimed (its message lost with a broker
# that restarted or was down) is queued again. Sooner when the broker's mail queues are
# empty: then a row queued more than NOTIFICATIONS_REQUEUE_GRACE_SECONDS ago is in no task.
NOTIFICATIONS_REQUEUE_SECONDS = env.float("NOTIFICATIONS_REQUEUE_SECONDS", default=300.0)
NOTIFICATIONS_REQUEUE_GRACE_SECONDS = env.float("NOTIFICATIONS_REQUEUE_GRACE_SECONDS", default=10.0)
# Circuit breaker of the relay: after this many temporary failures in a row (4xx, no
# connection) sending pauses, first for NOTIFICATIONS_BREAKER_PAUSE_SECONDS, doubling up to
# NOTIFICATIONS_BREAKER_MAX_PAUSE_SECONDS while the relay keeps refusing; then one mail probes
# (a sweep queued for the end of the pause starts it).
NOTIFICATIONS_BREAKER_FAILURES = env.int("NOTIFICATIONS_BREAKER_FAILURES", default=5)
NOTIFICATIONS_BREAKER_PAUSE_SECONDS = env.float("NOTIFICATIONS_BREAKER_PAUSE_SECONDS", default=5.0)
NOTIFICATIONS_BREAKER_MAX_PAUSE_SECONDS = env.float("NOTIFICATIONS_BREAKER_MAX_PAUSE_SECONDS", default=300.0)
# Invitations to meetings within this many days go with the urgent mail.
NOTIFICATIONS_URGENT_INVITATION_DAYS = env.int("NOTIFICATIONS_URGENT_INVITATION_DAYS", default=3)
# First retry after a temporary SMTP failure; doubles per attempt, at most one hour.
NOTIFICATIONS_RETRY_BASE_SECONDS = env.float("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60.0)
# The sweep queues one send task per this many rows; a task that has sent for this many
# seconds (a slow relay) queues the rest anew, well before CELERY_TASK_SOFT_TIME_LIMIT.
NOTIFICATIONS_SEND_BATCH = env.int("NOTIFICATIONS_SEND_BATCH", default=200)
NOTIFICATIONS_SEND_BATCH_SECONDS = env.float("NOTIFICATIONS_SEND_BATCH_SECONDS", default=20.0)
# The sweep asks owners of stale entries („Sind Ihre Angaben noch aktuell?“) at most this
# often (staleness is counted in months); sooner while a backlog is being worked off.
NOTIFICATIONS_ENTRY_CHECK_SECONDS = env.float("NOTIFICATIONS_ENTRY_CHECK_SECONDS", default=3600.0)
# The weekly digest goes out on Mondays from this hour (Europe/Berlin).
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=7)
NOTIFICATIONS_MAIL_TEMPLATE_DIRS = env.list("NOTIFICATIONS_MAIL_TEMPLATE_DIRS", default=[])
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Freshness of the directory (issue 14): an entry not confirmed for this many months gets
# „Sind Ihre Angaben noch aktuell?“ from the sweep, a reminder this many days after it, and
# then stands on the staff list of stale entries. The links in those mails work this long.
ENTRY_STALE_MONTHS = env.int("ENTRY_STALE_MONTHS", default=12)
ENTRY_CHECK_REMINDER_DAYS = env.int("ENTRY_CHECK_REMINDER_DAYS", default=28)
ENTRY_CHECK_LINK_DAYS = env.int("ENTRY_CHECK_LINK_DAYS", default=60)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "netzwerk.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "netzwerk.api.pagination.PageNumberPagination",
    # DRF's parsers, with JSON nesting bounded (a deep body must be a 400, not a 500).
    "DEFAULT_PARSER_CLASSES": [
        "netzwerk.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "netzwerk.api.filters.StrictFilterBackend",
        "netzwerk.api.filters.StrictOrderingFilter",
    ],
    # Token first: its WWW-Authenticate header turns a missing login into a 401 (not 403).
    # Session authentication still enforces CSRF for browser clients.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/minute"),
        # Attempts to register as a guest, per client address (meetings.api.views).
        "guest_registration": env.str("API_GUEST_REGISTRATION_RATE", default="30/hour"),
    },
    # The throttle's client address by the same rule as every other limit (contacts/clients.py);
    # DRF's default (None) would take any X-Forwarded-For a client sends.
    "NUM_PROXIES": TRUSTED_PROXIES,
    "EXCEPTION_HANDLER": "netzwerk.api.exceptions.exception_handler",
}
CSRF_FAILURE_VIEW = "netzwerk.views.csrf_failure"
SPECTACULAR_SETTINGS = {
    "TITLE": "Netzwerk Aachen API",
    "DESCRIPTION": (
        "Öffentliche Daten der Stadtteilkonferenzen, Örtlichen Arbeitsgemeinschaften der "
        "Altenarbeit und Sozialraumkonferenzen der Stadt Aachen (FB 56 Sozialplanung). "
        "Personenangaben erscheinen nur, soweit die Person eingewilligt hat."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served by the app itself: no CDN, nothing loaded from elsewhere.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a field called "answer", "status" or "role": one name per choice set.
    "ENUM_NAME_OVERRIDES": {
        "AttendanceAnswerEnum": "meetings.models.Attendance.Answer",
        "VoteAnswerEnum": "meetings.models.DatePollVote.Answer",
        "MeetingStatusEnum": "meetings.models.Meeting.Status",
        "PollStatusEnum": "meetings.models.DatePoll.Status",
        "GuestStatusEnum": "meetings.models.GuestRegistration.Status",
        "MembershipRoleEnum": "contacts.models.Membership.Role",
        "EntryKindEnum": ["network", "institution", "person"],
        "ChannelKindEnum": "contacts.models.ContactChannel.Kind",
        "ConsentScopeEnum": "contacts.models.Consent.Scope",
        "MemberRoleEnum": "contacts.api.network_management.MEMBER_ROLE_CHOICES",
        "TeamRoleEnum": "contacts.api.network_management.TEAM_ROLE_CHOICES",
        "ProposalKindEnum": "contacts.models.NetworkProposal.Kind",
        "NetworkKindEnum": "contacts.models.Network.Kind",
        "FigureStatusEnum": "indicators.models.IndicatorValue.Status",
        "DocumentKindEnum": "meetings.models.MeetingDocument.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "netzwerk.api.schema.add_error_responses",
        "netzwerk.api.schema.allow_empty_filters",
    ],
}

# Security: on by default outside DEBUG; a TLS-terminating proxy in front sets
# DJANGO_SECURE_PROXY_SSL_HEADER=1, and DJANGO_SECURE_SSL_REDIRECT=0 where the proxy already
# redirects.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): the app serves all its scripts and styles itself and
# has no inline script, no inline style and no event-handler attribute, so an injected
# <script> or style="" does nothing. The admin and the API docs get what they need on their
# own paths only (netzwerk/csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): no page needs a camera, a microphone, the
# position or payment, and no embedded third party may ask for them either.
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "browsing-topics": [],
}
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
