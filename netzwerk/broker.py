"""The embedded broker of the demo: kombu's file-system transport, with each message and
each exchange table written whole before another process can read it.

kombu creates a message's file in the folder the workers read and only then writes it: a
worker that looks in between takes an empty file, cannot decode it and stops ("Unrecoverable
error: JSONDecodeError"). It creates an exchange's table (which queues a message goes to)
the same way, and a sender reading it in between fails the same way. Here both are written
under a name no reader looks at and then renamed or linked into place, which a reader sees
whole or not at all. Selected in settings for ``filesystem://`` (``CELERY_BROKER_TRANSPORT``).
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # kombu's name (readers sort by its leading milliseconds and pick "<queue>.msg"); the
        # ".partial" suffix keeps the file out of every reader's sight until the rename.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.partial"
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as error:
            raise ChannelError(f"Cannot add file {final!r} to directory") from error

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        table = self._exchange_file(exchange)
        if not table.exists():
            self.control_folder.mkdir(exist_ok=True)
            binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
            partial = table.with_name(f"{table.name}.{uuid.uuid4().hex}.partial")
            partial.write_bytes(str_to_bytes(dumps([binding])))
            try:
                # A link, unlike a rename, never replaces a table another process created
                # meanwhile (its binding would be lost).
                os.link(partial, table)
                return
            except FileExistsError:
                pass
            finally:
                partial.unlink()
        # The table exists and is whole: kombu adds the binding under its lock.
        super()._queue_bind(exchange, routing_key, pattern, queue)


class Transport(filesystem.Transport):
    Channel = Channel
