"""Fixtures of the notification tests: a real SMTP server (aiosmtpd in a subprocess), a
private redis-server for the tests that restart or flush it, and members with addresses."""

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ProcessHandle, require_service, wait_until
from tests.factories import ChannelFactory, MembershipFactory, NetworkFactory, PersonFactory

SINK_SCRIPT = Path(__file__).resolve().parent / "smtp_sink.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """The running SMTP server: what arrived, and how it should misbehave next."""

    def __init__(self, handle: ProcessHandle, port: int, folder: Path) -> None:
        self.handle = handle
        self.port = port
        self.folder = folder

    def arrivals(self) -> list[dict]:
        path = self.folder / "arrivals.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def message_ids(self) -> list[str]:
        return [arrival["message_id"] for arrival in self.arrivals()]

    def refusals(self) -> list[dict]:
        path = self.folder / "refusals.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def set_mode(self, mode: str) -> None:
        (self.folder / "mode").write_text(mode)

    def eml(self, number: int) -> bytes:
        return (self.folder / f"{number}.eml").read_bytes()


def sink_start(folder: Path, *, eml: bool = True) -> SmtpSink:
    port = free_port()
    log_path = folder.parent / f"{folder.name}.log"
    command = [sys.executable, str(SINK_SCRIPT), "--port", str(port), "--folder", str(folder)]
    if not eml:
        command.append("--no-eml")
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    handle = ProcessHandle(process, log_path)
    wait_until(lambda: "ready" in log_path.read_text(), timeout=20, process=handle)
    return SmtpSink(handle, port, folder)


@pytest.fixture
def smtp_sink(tmp_path, monkeypatch):
    """aiosmtpd in a subprocess; workers started afterwards deliver to it (fast intervals)."""
    sink = sink_start(tmp_path / "sink")
    for name, value in {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_TIMEOUT": "3",
        "NOTIFICATIONS_SWEEP_SECONDS": "1",
        "NOTIFICATIONS_REQUEUE_SECONDS": "4",
        "NOTIFICATIONS_LEASE_SECONDS": "6",
        "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
        "NOTIFICATIONS_DIGEST_HOUR": "0",
    }.items():
        monkeypatch.setenv(name, value)
    yield sink
    sink.handle.stop(timeout=5)


class RedisServer:
    def __init__(self, handle: ProcessHandle, port: int, folder: Path) -> None:
        self.handle = handle
        self.port = port
        self.folder = folder

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        log_path = self.folder / "redis.log"
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.folder),
        ]
        with log_path.open("ab") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.handle = ProcessHandle(process, log_path)
        wait_until(self.ping, timeout=10, process=self.handle)

    def stop(self) -> None:
        self.handle.stop(timeout=5)


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test alone (port of its own, no persistence): restarting or
    flushing it touches nobody else. Stopped by its pid."""
    require_service(shutil.which("redis-server") is not None, "redis-server is not installed")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(None, free_port(), folder)
    server.start()
    yield server
    server.stop()


def members(count: int, *, network=None, language: str = "de", role=None):
    """``count`` current members of ``network`` (a new one if none), each with an address."""
    network = network or NetworkFactory()
    people = []
    for _ in range(count):
        person = PersonFactory(language=language)
        ChannelFactory(person=person)
        extra = {"role": role} if role else {}
        MembershipFactory(network=network, person=person, **extra)
        people.append(person)
    return network, people


def wait_for_final(*, timeout: float, process=None):
    """Wait until no row of the delivery log is open any more; return all rows."""
    from notifications.models import Delivery

    def settled():
        open_rows = Delivery.objects.exclude(state__in=Delivery.FINAL).count()
        return open_rows == 0 and Delivery.objects.exists()

    wait_until(settled, timeout=timeout, process=process)
    return list(Delivery.objects.order_by("pk"))
