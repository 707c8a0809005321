"""A real SMTP server for the tests and the benchmark (aiosmtpd), run as a subprocess:

    python tests/notifications/smtp_sink.py --port 2525 --folder /tmp/sink [--no-eml]

Every message it accepts is appended to ``<folder>/arrivals.jsonl`` (Message-ID, envelope
recipient, subject, a few headers) and, unless ``--no-eml``, stored as ``<n>.eml``. The
file ``<folder>/mode`` (read on every command) makes it misbehave on demand:

- ``ok`` (or no file): accept everything;
- ``451``: answer RCPT with 451 (try again later);
- ``550``: answer RCPT with 550 (mailbox unavailable);
- ``drop``: close the connection without an answer at every MAIL (a relay that drops
  its connections, kept-open and new ones alike);
- ``hang``: store the message, then never answer the end of DATA (the client times out);
- ``hang-once``: the same for one message, then ``ok`` again;
- ``slow <seconds>``: wait that long at RCPT, then accept (a window to kill a sender in);
- ``slow-after-data <seconds>``: store the message, wait that long, then confirm it (a
  window between the data and the sender's mark).

Every refusal (451, 550, a dropped connection as code 0) is appended to
``<folder>/refusals.jsonl`` (time, code, recipient).

Prints ``ready <port>`` on stdout once it listens.
"""

import argparse
import asyncio
import json
import sys
import time
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder: Path, eml: bool) -> None:
        self.folder = folder
        self.eml = eml
        self.count = 0
        self.log = (folder / "arrivals.jsonl").open("a", buffering=1)
        self.refusals = (folder / "refusals.jsonl").open("a", buffering=1)

    def mode(self) -> str:
        try:
            return (self.folder / "mode").read_text().strip() or "ok"
        except FileNotFoundError:
            return "ok"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mode() == "drop":
            self.refusals.write(json.dumps({"at": time.time(), "code": 0, "from": address}) + "\n")
            server.transport.close()
            return "421 4.3.2 Verbindung geschlossen"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mode = self.mode()
        if mode in ("451", "550"):
            self.refusals.write(json.dumps({"at": time.time(), "code": int(mode), "to": address}) + "\n")
        if mode == "451":
            return "451 4.3.0 Bitte spaeter erneut versuchen"
        if mode == "550":
            return "550 5.1.1 Postfach nicht vorhanden"
        if mode.startswith("slow "):
            await asyncio.sleep(float(mode.split()[1]))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        message = message_from_bytes(data, policy=default_policy)
        self.count += 1
        record = {
            "n": self.count,
            "at": time.time(),
            "message_id": str(message.get("Message-ID", "")).strip(),  # a long one is folded onto its own line
            "to": envelope.rcpt_tos,
            "subject": str(message.get("Subject", "")).strip(),
            "list_unsubscribe": str(message.get("List-Unsubscribe", "")),
            "list_unsubscribe_post": str(message.get("List-Unsubscribe-Post", "")),
        }
        if self.eml:
            (self.folder / f"{self.count}.eml").write_bytes(data)
        self.log.write(json.dumps(record) + "\n")
        mode = self.mode()
        if mode.startswith("slow-after-data"):
            await asyncio.sleep(float(mode.split()[1]))
        if mode in ("hang", "hang-once"):
            if mode == "hang-once":
                (self.folder / "mode").write_text("ok")
            await asyncio.sleep(3600)
        return "250 Message accepted"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--no-eml", action="store_true")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(
        Sink(args.folder, eml=not args.no_eml),
        hostname="127.0.0.1",
        port=args.port,
        decode_data=False,
        data_size_limit=10_000_000,
    )
    controller.start()
    print(f"ready {args.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
