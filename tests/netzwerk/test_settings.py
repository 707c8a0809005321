"""Start-up: settings read from the environment, one clear line for a wrong value, a
production configuration that passes Django's deploy checks, and /healthz."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from netzwerk.setup import broker_check
from tests.conftest import require_service

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
# Set by pytest-env for the suite; each start-up test decides for itself.
SUITE_VARIABLES = (
    # Set by the Chromium fixture for the rest of the session; a deploy check refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_STATIC_MANIFEST",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_SECURE_COOKIES",
    "DJANGO_SECURE_HSTS_SECONDS",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "DJANGO_SECURE_HSTS_PRELOAD",
    "DJANGO_SECURE_PROXY_SSL_HEADER",
)


def run_manage(*args: str, tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """Run ``manage.py`` in a fresh process: the suite's environment without the variables
    above, ``var/`` in a temporary folder, plus ``variables``."""
    env = {key: value for key, value in os.environ.items() if key not in SUITE_VARIABLES}
    env["NETZWERK_VAR_DIR"] = str(tmp_path / "var")
    env.update(variables)
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def stderr_lines(result: subprocess.CompletedProcess) -> list[str]:
    return result.stderr.strip().splitlines()


@pytest.mark.parametrize("command", ["check", "migrate", "shell", "help"])
def test_manage_without_secret_key_outside_debug_stops_with_one_line(tmp_path, command):
    """Without DJANGO_SECRET_KEY and DEBUG off every command stops with one line naming the
    variable — also shell and help, where Django's ManagementUtility would swallow the error."""
    result = run_manage(command, tmp_path=tmp_path)

    assert result.returncode != 0
    assert [("DJANGO_SECRET_KEY" in line) for line in stderr_lines(result)] == [True]
    assert result.stdout == ""


def test_check_without_secret_key_in_debug_passes(tmp_path):
    """DEBUG invents a development key, so the demo needs no configuration."""
    result = run_manage("check", tmp_path=tmp_path, DJANGO_DEBUG="1")

    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(
    "url",
    [
        "mysql://netzwerk:geheim@db.example.org/netzwerk",
        "postgres//db.example.org/netzwerk",
        "postgres://netzwerk:geheim@db.example.org:fünf/netzwerk",
        "postgres://netzwerk:geheim@db.example.org:99999/netzwerk",
        "postgres://netzwerk:geheim@[::1/netzwerk",
        "postgres://netzwerk:geheim@db.example.org/",
    ],
)
def test_check_with_malformed_database_url_stops_with_one_line(tmp_path, url):
    """A malformed DATABASE_URL gives one line that names it, with the password hidden."""
    result = run_manage("check", tmp_path=tmp_path, DJANGO_DEBUG="1", DATABASE_URL=url)

    assert result.returncode != 0
    assert [("DATABASE_URL" in line) for line in stderr_lines(result)] == [True]
    assert "geheim" not in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "kafka://broker.example.org:9092",
        "redis//127.0.0.1:6379/0",
        "redis://:geheim@127.0.0.1:port/0",
        "redis://127.0.0.1:70000/0",
    ],
)
def test_check_with_malformed_broker_url_stops_with_one_line(tmp_path, url):
    """A malformed CELERY_BROKER_URL gives one line that names it, with the password hidden."""
    result = run_manage("check", tmp_path=tmp_path, DJANGO_DEBUG="1", CELERY_BROKER_URL=url)

    assert result.returncode != 0
    assert [("CELERY_BROKER_URL" in line) for line in stderr_lines(result)] == [True]
    assert "geheim" not in result.stderr


def test_preflight_with_unreachable_broker_stops_with_one_line_quickly(tmp_path):
    """preflight names CELERY_BROKER_URL in one line, without a traceback, in seconds."""
    started = time.monotonic()
    result = run_manage("preflight", tmp_path=tmp_path, DJANGO_DEBUG="1", CELERY_BROKER_URL=UNREACHABLE_BROKER)
    seconds = time.monotonic() - started

    assert result.returncode != 0
    assert [("CELERY_BROKER_URL" in line) for line in stderr_lines(result)] == [True]
    assert "Traceback" not in result.stderr
    # Left alone, the broker client retries for ever; giving up at all is the behaviour, and
    # 30 s leaves room for a machine busy with other tests (Python and Django start-up alone
    # take seconds there).
    assert seconds < 30


def test_check_deploy_with_production_settings_is_clean(tmp_path):
    """With a real secret key, DEBUG off and the hosts set, Django's deploy checks find
    nothing: HSTS, secure cookies and the SSL redirect are on by default outside DEBUG."""
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level=WARNING",
        tmp_path=tmp_path,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="netzwerk.aachen.example",
        SITE_URL="https://netzwerk.aachen.example",
    )

    assert result.stderr == ""
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.returncode == 0


def test_settings_import_creates_nothing(tmp_path):
    """Importing the settings (and setting Django up) writes nothing, not even var/."""
    var_dir = tmp_path / "not-there"
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env["NETZWERK_VAR_DIR"] = str(var_dir)

    result = subprocess.run(
        [sys.executable, "-c", "import netzwerk.settings, django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert not var_dir.exists()


@pytest.mark.django_db
def test_healthz_with_database_and_broker_up_answers_200(client, settings):
    """/healthz reports the database and the broker as working."""
    broker_error = broker_check()
    require_service(broker_error is None, f"Celery broker not reachable: {broker_error}")

    settings.HEALTHZ_TOKEN = "monitor-geheim"

    response = client.get("/healthz", headers={"X-Healthz-Token": "monitor-geheim"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["ok"], body["checks"]["database"], body["checks"]["broker"]) == (True, {"ok": True}, {"ok": True})


@pytest.mark.django_db
def test_healthz_with_unreachable_broker_answers_503(client, settings):
    """/healthz answers 503 and names the broker's error when the broker is down."""
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    settings.HEALTHZ_TOKEN = "monitor-geheim"

    response = client.get("/healthz", headers={"X-Healthz-Token": "monitor-geheim"})

    assert response.status_code == 503
    body = response.json()
    assert (body["ok"], body["checks"]["database"], body["checks"]["broker"]["ok"]) == (False, {"ok": True}, False)
    assert body["checks"]["broker"]["error"]


@pytest.mark.django_db
def test_healthz_tells_the_public_only_up_or_down(client, settings):
    """Without staff login or token /healthz says up or down, nothing about the scheduler or mail."""
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    settings.HEALTHZ_TOKEN = "monitor-geheim"

    response = client.get("/healthz", headers={"X-Healthz-Token": "geraten"})

    assert (response.status_code, response.json()) == (503, {"ok": False})


@pytest.mark.django_db
def test_healthz_without_a_token_setting_ignores_an_empty_header(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    settings.HEALTHZ_TOKEN = ""

    response = client.get("/healthz", headers={"X-Healthz-Token": ""})

    assert response.json() == {"ok": False}


@pytest.mark.django_db
def test_healthz_shows_staff_the_details(admin_client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER

    response = admin_client.get("/healthz")

    assert sorted(response.json()["checks"]) == ["beat", "broker", "database", "deliveries", "sweep"]
