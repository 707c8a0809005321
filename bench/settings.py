"""Settings for ``bench/public.py``'s gunicorn: the real ones, DEBUG off, plus a bare view.

The environment is set by ``bench.public`` (database, secret key, persistent connections).
Throttling stays on with a rate the load generator never reaches, so its cost per request
is measured but it never answers 429.
"""

from netzwerk.settings import *  # noqa: F403
from netzwerk.settings import REST_FRAMEWORK

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000000/minute"}}
