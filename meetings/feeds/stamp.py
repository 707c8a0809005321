"""A feed's validator: the calendar stamps of its networks give the ETag and Last-Modified
that decide a conditional GET, without reading a meeting."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib

from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from contacts.models import Institution, Network
from meetings.feeds.compiled import _compile, _fetch_one
from meetings.feeds.definitions import WINDOW_VALUES, Feed, _as_text
from meetings.feeds.events import FORMAT_VERSION

# How long a feed's Last-Modified (with the ETag it belongs to) is remembered.
LAST_MODIFIED_TIMEOUT = 60 * 60 * 24 * 90


@dataclasses.dataclass(frozen=True)
class FeedStamp:
    etag: str
    last_modified: datetime.datetime


def _stamp_row(feed: Feed) -> tuple:
    """One row: count, network-id sum, version sum and latest change of the feed's calendar
    stamps; count, id sum and latest change of each of its extra row sets; the latest change
    of any network and any institution."""
    values = {name: value for name, value in feed.values.items() if name not in WINDOW_VALUES}

    def compile(*, connection, **placeholders):
        quote = connection.ops.quote_name
        stamps = feed.stamps(**placeholders).order_by().values("network_id", "version", "changed_at")
        sql, params = _compile(stamps, connection)
        tables = [
            "(SELECT COUNT(*) AS stamps, SUM(network_id) AS networks, SUM(version) AS versions, "
            f"MAX(changed_at) AS changed FROM ({sql}) stamp_rows) stamps"
        ]
        columns = ["stamps.stamps", "stamps.networks", "stamps.versions", "stamps.changed"]
        params = list(params)
        extras = feed.stamp_extras(**placeholders) if feed.stamp_extras else []
        for index, rows in enumerate(extras):
            sql, extra_params = _compile(
                rows.order_by().values(row_id=F("pk"), row_changed=F("updated_at")), connection
            )
            tables.append(
                "(SELECT COUNT(*) AS n, SUM(row_id) AS ids, MAX(row_changed) AS changed "
                f"FROM ({sql}) extra_rows) extra{index}"
            )
            columns += [f"extra{index}.n", f"extra{index}.ids", f"extra{index}.changed"]
            params += extra_params
        # The latest change of ANY network or institution (their names and addresses are
        # in the events): uncorrelated subqueries that read one index entry each. Such
        # changes are rare, and the price is one full answer to every feed when one happens.
        columns += [
            f"(SELECT MAX({quote('updated_at')}) FROM {quote(model._meta.db_table)})"
            for model in (Network, Institution)
        ]
        return f"SELECT {', '.join(columns)} FROM {' CROSS JOIN '.join(tables)}", params

    return _fetch_one(feed.stamps, values, compile)


def feed_stamp(feed: Feed, *, now: datetime.datetime) -> FeedStamp:
    """ETag and Last-Modified of ``feed`` from one query over a few small rows.

    The ETag hashes the calendar stamps of the feed's networks (kept by database triggers:
    any insert, update or delete of one of their meetings moves them; the set's count and
    id sum change when a network joins or leaves the feed), its extra rows (a person's
    memberships and answers), the latest change of any network and institution, the day
    (the window moves at midnight, see ``definitions._window``), the feed's own parameters
    and :data:`FORMAT_VERSION`. No meeting is read: a 304 costs the same for 500 meetings
    as for 50,000.

    Last-Modified is the time this server first saw the feed's current ETag (kept in the
    cache), not a maximum of change times: a deletion would lower that, and a Last-Modified
    taken from it would go backwards and let ``If-Modified-Since`` answer 304 for a feed
    that lost a meeting. A lost cache entry only moves it forward (one full answer).
    """
    row = _stamp_row(feed)
    parts = [
        FORMAT_VERSION,
        feed.stamp_key,
        feed.version,
        timezone.localdate(now).isoformat(),
        *(_as_text(value) for value in row),
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
    return FeedStamp(etag=etag, last_modified=last_modified)
