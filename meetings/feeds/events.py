"""A feed's bytes: each meeting's VEVENT built once per version and kept in the cache, the
misses loaded in chunks."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    CharField,
    QuerySet,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from meetings import ical
from meetings.feeds.definitions import Feed
from meetings.models import AgendaItem, Meeting
from meetings.selectors import public_documents_of

# Part of every ETag and VEVENT cache key: raise it whenever the mapping below or the
# ical module changes the bytes, so no client keeps a stale copy and no cache serves one.
FORMAT_VERSION = "1"

# Meetings whose cache entries are looked up together; bounds memory while streaming a
# 50,000-meeting feed and keeps cache round trips at one per chunk.
CHUNK = 1000
VEVENT_TIMEOUT = 60 * 60 * 24 * 30

_STATUS = {
    Meeting.Status.PLANNED: "TENTATIVE",
    Meeting.Status.CONFIRMED: "CONFIRMED",
    Meeting.Status.POSTPONED: "CONFIRMED",
    Meeting.Status.HELD: "CONFIRMED",
    Meeting.Status.CANCELLED: "CANCELLED",
}

# The version key of a VEVENT, read as text: converting three timestamps and a UUID per
# row into Python objects was most of the time of a warm 5,000-meeting feed, and the key
# only needs to change when they do.
_KEY_COLUMNS = {
    "key_uid": Cast("uid", CharField()),
    "key_updated": Cast("updated_at", CharField()),
    "key_network": Cast("network__updated_at", CharField()),
    "key_institution": Cast("institution__updated_at", CharField()),
}
_KEY_FIELDS = ("pk", "sequence")
EVENT_FIELDS = (
    *_KEY_FIELDS,
    "uid",
    "updated_at",
    "network__updated_at",
    "institution__updated_at",
    "title",
    "start",
    "end",
    "status",
    "cancellation_reason",
    "created_at",
    "address",
    "room",
    "online_url",
    "institution__name",
    "institution__street",
    "institution__postal_code",
    "institution__city",
    "network__name",
    "network__short_name",
    "network__slug",
)


# Bytes ------------------------------------------------------------------------------


def vevent_cache_key(row: Mapping, language: str = "de") -> str:
    """The cache key of one meeting's VEVENT: everything its bytes depend on.

    ``row`` holds ``pk``, ``sequence`` and the text columns of ``_KEY_COLUMNS``.
    """
    # The timestamps as the database writes them contain spaces, which memcached keys
    # must not; a short hash of them keeps the key valid for every cache backend.
    stamps = f"{row['key_updated']}|{row['key_network']}|{row['key_institution']}"
    digest = hashlib.blake2b(stamps.encode(), digest_size=8).hexdigest()
    suffix = "" if language == "de" else f":{language}"
    return f"feeds:vevent:{FORMAT_VERSION}:{row['key_uid']}:{row['sequence']}:{digest}{suffix}"


def ical_uid(uid) -> str:
    """The iCalendar UID of a meeting, the same in every feed and every mail attachment.

    A fixed domain rather than SITE_URL's host: a UID must never change, also not when
    the site moves to another address (clients would show every meeting twice).
    """
    return f"{uid}@netzwerk.aachen.de"


def network_url(slug: str) -> str:
    return settings.SITE_URL + reverse("directory:network_detail", args=[slug])


def document_url(meeting_uid, document_id: int) -> str:
    """The absolute address of a document's permission-checked download."""
    return settings.SITE_URL + reverse(
        "meetings:document_file", kwargs={"uid": meeting_uid, "document_id": document_id}
    )


def public_attachments(meeting_ids) -> dict[int, list[tuple[str, str]]]:
    """(URL, media type) of the documents anyone may read, per meeting (one query)."""
    attachments: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for meeting_id, uid, pk, content_type in public_documents_of(meeting_ids).values_list(
        "meeting_id", "meeting__uid", "pk", "content_type"
    ):
        attachments[meeting_id].append((document_url(uid, pk), content_type))
    return attachments


def event_data(
    row: Mapping,
    agenda_titles: Iterable[str] = (),
    *,
    url: str | None = None,
    language: str = "de",
    attachments: Iterable[tuple[str, str]] = (),
) -> ical.EventData:
    """One meeting (a ``.values(*EVENT_FIELDS)`` row) as the calendar sees it.

    Only public agenda titles are written, in every feed including personal ones: the
    VEVENT is one cached block per meeting version for all audiences, and a calendar
    server (Google, Microsoft) stores what it fetched outside the city's control.
    """
    network = row["network__name"]
    if row["institution__name"]:
        locality = " ".join(part for part in (row["institution__postal_code"], row["institution__city"]) if part)
        place = ", ".join(part for part in (row["institution__name"], row["institution__street"], locality) if part)
    else:
        place = row["address"]
    location = ", ".join(part for part in (place, row["room"]) if part)
    url = url or network_url(row["network__slug"])
    lines = [network]
    if row["status"] == Meeting.Status.CANCELLED and row.get("cancellation_reason"):
        # The reason where every calendar shows it: the event itself stays (STATUS:CANCELLED).
        lines += ["", f"Abgesagt: {row['cancellation_reason']}"]
    titles = list(agenda_titles)
    with translation.override(language):
        if titles:
            lines += ["", gettext("Tagesordnung:")]
            lines += [f"{number}. {title}" for number, title in enumerate(titles, start=1)]
        if row["online_url"]:
            lines += ["", gettext("Online-Teilnahme: %(url)s") % {"url": row["online_url"]}]
        lines += ["", gettext("Mehr Informationen: %(url)s") % {"url": url}]
        cancelled_prefix = gettext("Abgesagt: ")
    # The network in the title: in a city-wide or area feed "Sitzung" alone says nothing.
    short = row["network__short_name"] or network
    summary = row["title"] if short.casefold() in row["title"].casefold() else f"{row['title']} ({short})"
    changed = max(
        value for value in (row["updated_at"], row["network__updated_at"], row["institution__updated_at"]) if value
    )
    return ical.EventData(
        uid=ical_uid(row["uid"]),
        sequence=row["sequence"],
        summary=summary,
        start=row["start"],
        end=row["end"],
        status=_STATUS[row["status"]],
        created=row["created_at"],
        last_modified=changed,
        location=location,
        description="\n".join(lines),
        url=url,
        cancelled_prefix=cancelled_prefix,
        attachments=tuple(attachments),
    )


def _build(pks: list[int], language: str) -> dict[int, tuple[str, bytes]]:
    """VEVENT bytes of the meetings ``pks``, keyed by pk, with their cache keys (three
    queries: agenda titles, public documents, meetings)."""
    agenda: dict[int, list[str]] = defaultdict(list)
    for meeting_id, title in (
        AgendaItem.objects.filter(meeting_id__in=pks, is_public=True)
        .order_by("meeting_id", "position", "pk")
        .values_list("meeting_id", "title")
    ):
        agenda[meeting_id].append(title)
    attachments = public_attachments(pks)
    built = {}
    urls: dict[str, str] = {}
    for row in Meeting.objects.filter(pk__in=pks).values(*EVENT_FIELDS, **_KEY_COLUMNS):
        slug = row["network__slug"]
        if slug not in urls:
            urls[slug] = network_url(slug)
        event = event_data(
            row, agenda[row["pk"]], url=urls[slug], language=language, attachments=attachments.get(row["pk"], ())
        )
        built[row["pk"]] = (vevent_cache_key(row, language), ical.vevent_bytes(event))
    return built


def _vevents(meetings: QuerySet[Meeting], language: str) -> Iterator[bytes]:
    """The VEVENTs of ``meetings`` in start order, from the cache where possible."""
    rows = meetings.order_by("start", "pk").values(*_KEY_FIELDS, **_KEY_COLUMNS).iterator(chunk_size=CHUNK)
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield from _vevents_batch(batch, language)
            batch = []
    if batch:
        yield from _vevents_batch(batch, language)


def _vevents_batch(batch: list[dict], language: str) -> Iterator[bytes]:
    keys = [vevent_cache_key(row, language) for row in batch]
    cached = cache.get_many(keys)
    missing = [row["pk"] for row, key in zip(batch, keys, strict=True) if key not in cached]
    if missing:
        built = _build(missing, language)
        fresh = dict(built.values())
        cache.set_many(fresh, VEVENT_TIMEOUT)
        cached.update(fresh)
    for row, key in zip(batch, keys, strict=True):
        block = cached.get(key)
        if block is None:
            # Changed between the key query and the build (a concurrent edit): build the
            # current version; the next request's ETag differs anyway.
            block = _build([row["pk"]], language).get(row["pk"], (None, b""))[1]
        yield block


def feed_chunks(feed: Feed) -> Iterator[bytes]:
    """The feed's body as chunks for a streaming response."""
    return ical.calendar_chunks(
        name=feed.name, description=feed.description, events=_vevents(feed.meetings, feed.language)
    )
