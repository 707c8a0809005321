"""The embedded broker (the demo's file-system transport) with a sender and a worker at
work at once: every message arrives whole, none is lost, and the worker never stops."""

import queue
import threading
import time

import pytest
from kombu import Connection

TRANSPORT = "netzwerk.broker:Transport"


def connection(folder, transport: str) -> Connection:
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "store_processed": False,
        # Without it kombu keeps its exchange table in ./control of the working folder.
        "control_folder": str(folder / "control"),
    }
    return Connection("filesystem://", transport=transport, transport_options=options)


def send_and_receive(folder, *, transport: str, count: int) -> list[int]:
    def send() -> None:
        with connection(folder, transport) as sender:
            mailbox = sender.SimpleQueue("mail")
            for number in range(count):
                mailbox.put({"number": number, "padding": "x" * 4000})

    sender = threading.Thread(target=send)
    received = []
    deadline = time.monotonic() + 60
    with connection(folder, transport) as worker:
        # The worker has declared its queue before anything is sent, as Celery's does when
        # it starts: kombu drops what is sent to an exchange no queue is bound to yet.
        mailbox = worker.SimpleQueue("mail")
        sender.start()
        while len(received) < count and time.monotonic() < deadline:
            try:
                message = mailbox.get(timeout=0.2)
            except queue.Empty:
                continue
            received.append(message.payload["number"])
            message.ack()
    sender.join(timeout=30)
    return received


@pytest.mark.timeout(120)
def test_messages_sent_while_a_worker_reads_arrive_whole_and_once(tmp_path):
    received = send_and_receive(tmp_path, transport=TRANSPORT, count=2000)

    assert sorted(received) == list(range(2000))
