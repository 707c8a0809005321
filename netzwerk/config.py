"""Reading the environment into settings, with one clear line when a value is wrong.

The parsers here are pure: they look at strings and paths and never touch the file system
or the network, so importing settings stays free of side effects.
"""

import re
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

SUPPORTED_DATABASE_SCHEMES = ("postgres", "postgresql", "pgsql", "sqlite")
SUPPORTED_BROKER_SCHEMES = ("redis", "rediss", "filesystem", "memory", "amqp", "pyamqp")


class ConfigurationError(ImproperlyConfigured):
    """A setting from the environment is missing or malformed; the message names it."""


def database_from(url: str, *, var_dir: Path) -> dict:
    """Return Django's database dict for ``DATABASE_URL`` (empty: SQLite under ``var/``)."""
    if not url:
        url = f"sqlite:///{var_dir / 'netzwerk.sqlite3'}"
    parts = _split(url)
    if parts is None or parts.scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise ConfigurationError(
            f"DATABASE_URL ist ungültig ({_redact(url)}): erwartet wird z. B. "
            "postgres://user:passwort@host:5432/datenbank oder sqlite:////pfad/netzwerk.sqlite3."
        )
    config = environ.Env.db_url_config(url)
    if not config.get("NAME"):
        raise ConfigurationError(f"DATABASE_URL nennt keine Datenbank ({_redact(url)}).")
    return config


def broker_url_from(url: str) -> str:
    """Return the Celery broker URL for ``CELERY_BROKER_URL`` (empty: the file-system broker)."""
    if not url:
        return "filesystem://"
    parts = _split(url)
    if parts is None or parts.scheme not in SUPPORTED_BROKER_SCHEMES:
        raise ConfigurationError(
            f"CELERY_BROKER_URL ist ungültig ({_redact(url)}): erwartet wird z. B. "
            "redis://127.0.0.1:6379/0 oder leer für den eingebauten Datei-Broker."
        )
    return url


def _split(url: str) -> SplitResult | None:
    """Split ``url``, or return ``None`` when its host or port cannot be read."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — reading the port is what checks it (a number, 0–65535)
    except ValueError:
        return None
    return parts


def _redact(url: str) -> str:
    """Hide a password in a URL before it is printed (also in a URL that does not parse)."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url, count=1)
