"""A feed's validator: one aggregate over its meetings gives the ETag and Last-Modified
that decide a conditional GET."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib

from django.core.cache import cache
from django.db.models import (
    F,
)

from contacts.models import Institution, Network
from meetings.feeds.compiled import _compile, _fetch_one
from meetings.feeds.definitions import Feed, _as_text
from meetings.feeds.events import FORMAT_VERSION

# How long a feed's Last-Modified (with the ETag it belongs to) is remembered.
LAST_MODIFIED_TIMEOUT = 60 * 60 * 24 * 90


@dataclasses.dataclass(frozen=True)
class FeedStamp:
    etag: str
    last_modified: datetime.datetime
    count: int


def _stamp_row(feed: Feed) -> tuple:
    """Count, id sum and latest changes of ``feed``'s meetings (see :func:`feed_stamp`)."""

    def compile(*, connection, **values):
        selection = feed.select(**values).order_by().values(stamp_id=F("pk"), stamp_changed=F("updated_at"))
        inner, params = _compile(selection, connection)
        quote = connection.ops.quote_name
        # The latest change of ANY network or institution, not only of those in the feed:
        # two uncorrelated subqueries that read one index entry each, where joining every
        # meeting to its network and institution made the aggregate read the table. Such
        # changes are rare, and the price is one full answer to every feed when one happens.
        latest = [
            f"(SELECT MAX({quote('updated_at')}) FROM {quote(model._meta.db_table)})"
            for model in (Network, Institution)
        ]
        sql = f"SELECT COUNT(*), SUM(feed.stamp_id), MAX(feed.stamp_changed), {', '.join(latest)} FROM ({inner}) feed"
        return sql, params

    return _fetch_one(feed.select, feed.values, compile)


def feed_stamp(feed: Feed, *, now: datetime.datetime) -> FeedStamp:
    """ETag and Last-Modified of ``feed`` from one aggregate query.

    The ETag hashes the meeting count, the sum of the ids (both change when a meeting
    is deleted, unpublished, cancelled out of the feed or moved out of the window, which
    a maximum of ``updated_at`` would not show), the latest change of a meeting, its
    network and its institution, the feed's own parameters and :data:`FORMAT_VERSION`.

    Last-Modified is the time this server first saw the feed's current ETag (kept in the
    cache), not ``Max(updated_at)``: a deletion lowers that maximum, and a Last-Modified
    taken from it would go backwards and let ``If-Modified-Since`` answer 304 for a feed
    that lost a meeting. A lost cache entry only moves it forward (one full answer).
    """
    count, id_sum, changed, network_changed, institution_changed = _stamp_row(feed)
    parts = [
        FORMAT_VERSION,
        feed.stamp_key,
        feed.version,
        str(count),
        str(id_sum or 0),
        *(_as_text(value) for value in (changed, network_changed, institution_changed)),
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    # Last-Modified: see the docstring. Kept per feed with the ETag it belongs to; a new
    # ETag gets a strictly later second than the previous one (HTTP dates have seconds
    # only, and a deletion within the same second must not be answered with a 304).
    remembered_key = "feeds:last-modified:" + hashlib.sha256(feed.stamp_key.encode()).hexdigest()[:32]
    remembered = cache.get(remembered_key)
    if remembered is not None and remembered[0] == etag:
        last_modified = remembered[1]
    else:
        last_modified = now.replace(microsecond=0)
        if remembered is not None and last_modified <= remembered[1]:
            last_modified = remembered[1] + datetime.timedelta(seconds=1)
        cache.set(remembered_key, (etag, last_modified), LAST_MODIFIED_TIMEOUT)
    return FeedStamp(etag=etag, last_modified=last_modified, count=count)
