"""The embedded broker of the demo: kombu's file-system transport, with each message
written whole before a worker can see it.

kombu creates a message's file in the folder the workers read and only then writes it: a
worker that looks in between takes an empty file, cannot decode it and stops ("Unrecoverable
error: JSONDecodeError"). Here a message is written under a name no reader picks up and
then renamed, which a reader sees whole or not at all. Selected in settings for
``filesystem://`` (``CELERY_BROKER_TRANSPORT``).
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


class Transport(filesystem.Transport):
    Channel = Channel
