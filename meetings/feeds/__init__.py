"""Which meetings a feed holds, its validator (ETag), and its bytes.

The bytes themselves come from :mod:`meetings.ical` (pure); this module is the part that
reads the database, in three steps sized for clients that poll every few minutes
(DESIGN.md principle 4):

1. :func:`feed_stamp` — one query over the calendar stamps of the feed's networks (kept by
   database triggers on every write to a meeting) gives the ETag and decides a conditional
   GET; a 304 reads no meeting, so it costs the same for 500 meetings as for 50,000.
2. :func:`feed_chunks` — the meeting keys are read in chunks; each meeting's VEVENT is
   looked up in Django's cache under its version key, one ``get_many`` per chunk.
3. Only the misses are loaded in full (two queries per chunk: rows and public agenda
   titles), built once with :func:`meetings.ical.vevent_bytes` and stored (``set_many``).

Everything a VEVENT shows is covered by its cache key: the meeting's ``uid``, ``sequence``
and ``updated_at`` (agenda edits touch it, see ``meetings.services._common._meeting_touch``), the
``updated_at`` of its network (name in SUMMARY/DESCRIPTION) and of its institution
(LOCATION), and :data:`FORMAT_VERSION`.
"""

from meetings.feeds.clients import feed_client_name
from meetings.feeds.definitions import (
    BUILDER_MAX_VALUES,
    BUILDER_PARAMS,
    CANCELLED_KEEP,
    WINDOW_AHEAD,
    WINDOW_BACK,
    Feed,
    FeedBadRequest,
    FeedNotFound,
    builder_choice,
    builder_path,
    feed_area,
    feed_builder,
    feed_city,
    feed_kind,
    feed_meeting,
    feed_network,
    feed_personal,
    feed_token_lookup,
    feed_window,
)
from meetings.feeds.events import (
    CHUNK,
    EVENT_FIELDS,
    FORMAT_VERSION,
    VEVENT_TIMEOUT,
    document_url,
    event_data,
    feed_chunks,
    ical_uid,
    network_url,
    vevent_cache_key,
)
from meetings.feeds.stamp import LAST_MODIFIED_TIMEOUT, FeedStamp, feed_stamp

__all__ = [
    "BUILDER_MAX_VALUES",
    "BUILDER_PARAMS",
    "CANCELLED_KEEP",
    "CHUNK",
    "EVENT_FIELDS",
    "FORMAT_VERSION",
    "LAST_MODIFIED_TIMEOUT",
    "VEVENT_TIMEOUT",
    "WINDOW_AHEAD",
    "WINDOW_BACK",
    "Feed",
    "FeedBadRequest",
    "FeedNotFound",
    "FeedStamp",
    "builder_choice",
    "builder_path",
    "document_url",
    "event_data",
    "feed_area",
    "feed_builder",
    "feed_chunks",
    "feed_city",
    "feed_client_name",
    "feed_kind",
    "feed_meeting",
    "feed_network",
    "feed_personal",
    "feed_stamp",
    "feed_token_lookup",
    "feed_window",
    "ical_uid",
    "network_url",
    "vevent_cache_key",
]
