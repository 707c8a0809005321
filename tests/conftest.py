"""Shared fixtures. Real services only: a test that needs PostgreSQL, Redis, a worker, an
SMTP server or Chromium starts or uses the real thing. Outside CI a missing service skips
the test with the reason; with CI=true it fails, so CI can never go green by skipping."""

import os

import pytest

from netzwerk.setup import var_folders_create

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a real service the test needs is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service is a failure, not a skip)")
    pytest.skip(reason)


def pytest_configure(config):
    var_folders_create()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (login counters, demo marker)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
