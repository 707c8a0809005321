"""Shared fixtures. Real services only: a test that needs PostgreSQL, Redis, a worker, an
SMTP server or Chromium starts or uses the real thing. Outside CI a missing service skips
the test with the reason; with CI=true it fails, so CI can never go green by skipping."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from netzwerk.celery import app as celery_app
from netzwerk.setup import var_folders_create

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Hypothesis fails an example that takes longer than 200 ms by default: a timing assertion,
# which on a shared two-core machine fails for the load, not for a fault (seen once in the
# iCal round trip). Speed is measured in bench/, not in tests.
hypothesis_settings.register_profile("netzwerk", deadline=None)
hypothesis_settings.load_profile("netzwerk")


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
    """Each test starts with empty caches (login counters, demo marker, public pages)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _public_cache_off(settings):
    """Pages and API answer from the database, so that a test sees what it just wrote (also
    through ``update()``) and counts the queries of a rendered page. The tests of the cache
    itself (tests/netzwerk/test_public_cache.py) turn it on."""
    settings.PUBLIC_CACHE_SECONDS = 0


def database_url_of_test_database() -> str:
    """``DATABASE_URL`` for the database the running test uses (the test database).

    During a test, pytest-django has switched ``settings.DATABASES`` to the test database,
    so a process started now with this URL reads and writes the same rows."""
    from urllib.parse import quote

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    user = quote(database.get("USER") or "", safe="")
    password = quote(database.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = database.get("HOST") or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(database['NAME'], safe='')}"


class ProcessHandle:
    """A child process the tests started, stopped by its process id and nothing else."""

    def __init__(self, process: subprocess.Popen, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM (Celery's warm shutdown), then SIGKILL for the whole group after ``timeout``."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                # The process was started in its own session, so its group id is its pid:
                # this reaches the pool children it forked and nothing else.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        return self.process.returncode


@pytest.fixture
def celery_worker_start(transactional_db, tmp_path):
    """Start a real ``celery -A netzwerk worker`` (optionally with ``--beat``) on the test
    database and the configured broker; every process started is stopped at teardown.

    Depending on ``transactional_db`` makes the worker see committed rows and stops it
    before the database is flushed. The heartbeat runs every second so that beat's first
    send comes quickly (beat sends an interval task one interval after it starts)."""
    from netzwerk.setup import broker_check

    broker_error = broker_check()
    require_service(broker_error is None, f"Celery broker not reachable: {broker_error}")
    # Messages left over from an earlier test (a heartbeat beat sent just before its worker
    # stopped) would otherwise be taken for the ones this test sends.
    celery_app.control.purge()
    started: list[ProcessHandle] = []

    def start(*, beat: bool = False, heartbeat_seconds: float = 1.0, concurrency: int = 1) -> ProcessHandle:
        env = {
            **os.environ,
            "DATABASE_URL": database_url_of_test_database(),
            "CELERY_HEARTBEAT_SECONDS": str(heartbeat_seconds),
            "PYTHONUNBUFFERED": "1",
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "netzwerk",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=test-{len(started)}@%h",
        ]
        if beat:
            command += ["--beat", f"--schedule={tmp_path / f'celerybeat-schedule-{len(started)}'}"]
        log_path = tmp_path / f"worker-{len(started)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        handle = ProcessHandle(process, log_path)
        started.append(handle)
        return handle

    yield start
    for handle in started:
        handle.stop()
    celery_app.control.purge()


def wait_until(condition, *, timeout: float, interval: float = 0.25, process: ProcessHandle | None = None):
    """Call ``condition`` until it returns something truthy; fail after ``timeout`` seconds
    (or at once if ``process`` has exited), with the end of its log."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if process is not None and process.process.poll() is not None:
            pytest.fail(f"process {process.pid} exited with {process.process.returncode}:\n{process.log_tail()}")
        if time.monotonic() > deadline:
            log = process.log_tail() if process is not None else ""
            pytest.fail(f"condition not met within {timeout:.0f} s\n{log}")
        time.sleep(interval)


CHROMIUM = Path("/usr/bin/chromium")
# Flags for a closed network: without the background-networking ones Chromium keeps trying
# to reach Google's hosts at start-up, and each refused connection slows the run down.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright (never a downloaded browser), per test module.

    Playwright's sync API keeps an event loop running in this thread, and Django then
    refuses ORM calls from the test body unless told that the thread serves no async code.
    That permission must end with the browser: tests that run later start Django processes
    (``check --deploy``, workers) that must not inherit it. Hence a browser per module.
    """
    require_service(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab (own cookies) with ``page.base_url`` set to the live server."""
    context = chromium.new_context(locale="de-DE", timezone_id="Europe/Berlin", base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from npm by ``make test`` (``npm ci``), never from a CDN."""
    require_service(AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing (run `npm ci`)")
    return AXE_SCRIPT.read_text()


def axe_violations(page, axe_source: str) -> list[dict]:
    """WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    # Evaluated through the DevTools protocol rather than added as a <script> element: the
    # Content-Security-Policy forbids inline scripts, and the pages are tested under it.
    page.evaluate(axe_source + "\n;undefined")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        })"""
    )
    return [
        {"id": item["id"], "help": item["help"], "nodes": [node["target"] for node in item["nodes"]]}
        for item in result["violations"]
    ]


@pytest.fixture
def media(settings, tmp_path):
    """Files the test uploads, in a folder of its own under ``tmp_path``."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def media_shared_with_worker():
    """Files the test stores where a worker started by ``celery_worker_start`` reads them:
    the configured media folder (a worker is another process with the same environment,
    so a folder set only in this process's settings is not its folder; moving the whole
    var folder would move the file-system broker and SQLite with it). What the test added
    there is removed afterwards."""
    folder = Path(settings.MEDIA_ROOT)
    folder.mkdir(parents=True, exist_ok=True)
    before = {path for path in folder.rglob("*") if path.is_file()}
    yield folder
    for path in folder.rglob("*"):
        if path.is_file() and path not in before:
            path.unlink()
