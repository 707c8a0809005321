"""Which meetings a feed holds, its validator (ETag), and its bytes.

The bytes themselves come from :mod:`meetings.ical` (pure); this module is the part that
reads the database, in three steps sized for clients that poll every few minutes
(DESIGN.md principle 4):

1. :func:`feed_stamp` — one aggregate query over the feed's meeting set gives the ETag and
   decides a conditional GET; a 304 loads no meeting.
2. :func:`feed_chunks` — the meeting keys are read in chunks; each meeting's VEVENT is
   looked up in Django's cache under its version key, one ``get_many`` per chunk.
3. Only the misses are loaded in full (two queries per chunk: rows and public agenda
   titles), built once with :func:`meetings.ical.vevent_bytes` and stored (``set_many``).

Everything a VEVENT shows is covered by its cache key: the meeting's ``uid``, ``sequence``
and ``updated_at`` (agenda edits touch it, see ``services._meeting_touch``), the
``updated_at`` of its network (name in SUMMARY/DESCRIPTION) and of its institution
(LOCATION), and :data:`FORMAT_VERSION`.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    Expression,
    F,
    Field,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext

from contacts.models import Area, Institution, Membership, Network
from meetings import ical
from meetings.models import AgendaItem, Attendance, FeedToken, Meeting, Visibility

# Part of every ETag and VEVENT cache key: raise it whenever the mapping below or the
# ical module changes the bytes, so no client keeps a stale copy and no cache serves one.
FORMAT_VERSION = "1"

# Feeds are bounded so a ten-year-old network does not serve ten years of meetings on
# every poll: one year back (members look up the last meetings) to the series horizon
# ahead (occurrences are created 12 months ahead; one month of margin for single meetings
# planned a little further out). Later meetings enter the feed as the window moves.
WINDOW_BACK = datetime.timedelta(days=365)
WINDOW_AHEAD = relativedelta(months=13)

# A cancelled meeting stays in the feed with STATUS:CANCELLED (Google hides it, Outlook
# shows it with "Abgesagt: " in the title) so subscribers learn of the cancellation, then
# leaves. "60 days" is counted from the cancellation (the meeting's last change,
# ``updated_at``), and a cancelled meeting that still lies ahead always stays: a client
# that stored it must keep seeing it struck out until the date has passed.
CANCELLED_KEEP = datetime.timedelta(days=60)

# The feed builder takes at most this many values in all; more is not a choice a person
# makes, and each value costs a condition in the query.
BUILDER_MAX_VALUES = 50
BUILDER_PARAMS = ("netzwerk", "art", "gebiet")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")

# Meetings whose cache entries are looked up together; bounds memory while streaming a
# 50,000-meeting feed and keeps cache round trips at one per chunk.
CHUNK = 1000
VEVENT_TIMEOUT = 60 * 60 * 24 * 30
# How long a feed's Last-Modified (with the ETag it belongs to) is remembered.
LAST_MODIFIED_TIMEOUT = 60 * 60 * 24 * 90

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


class FeedNotFound(Exception):
    """The feed's network, area, kind, meeting or token does not exist (404)."""


class FeedBadRequest(Exception):
    """The feed builder's query string is not a choice (400); the message is German."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Feed:
    """One feed: what it is called and which meetings it holds.

    ``key`` names the feed and its parameters in canonical form (part of the ETag);
    ``version`` holds what else the feed's own bytes depend on (e.g. the network's
    ``updated_at`` for its name in X-WR-CALNAME).

    The meetings are ``select(**values)``: one of the ``_select_*`` functions below and
    the values of this request (the window's bounds, the network, …). Kept apart so that
    :func:`feed_stamp` can compile the SQL of a kind of feed once and bind only the values.
    """

    key: str
    name: str
    description: str
    select: Callable[..., QuerySet[Meeting]]
    values: Mapping[str, Any]
    private: bool = False
    version: str = ""
    # The language of the feed's own words (names, "Tagesordnung:", "Abgesagt: "); the
    # titles and places of the meetings are the German the networks wrote.
    language: str = "de"

    @property
    def meetings(self) -> QuerySet[Meeting]:
        return self.select(**self.values)

    @property
    def stamp_key(self) -> str:
        """``key`` with the language: the English feed has other bytes, so another ETag."""
        return self.key if self.language == "de" else f"{self.key}|{self.language}"


@dataclasses.dataclass(frozen=True)
class FeedStamp:
    etag: str
    last_modified: datetime.datetime
    count: int


# Queries compiled once -----------------------------------------------------------


class _Placeholder(Expression):
    """A value of a query compiled once (see :func:`_fetch_one`): a bare placeholder, bound per request."""

    def __init__(self, name: str, index: int | None, output_field: Field) -> None:
        super().__init__(output_field=output_field)
        self.name, self.index = name, index

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def bind(self, values: Mapping[str, Any], connection) -> Any:
        value = values[self.name] if self.index is None else values[self.name][self.index]
        return self.output_field.get_db_prep_value(value, connection, prepared=False)


def _placeholder_field(value: Any) -> Field:
    # As the ORM prepares a plain value of that type (a datetime is also a date). Any
    # other type fails here rather than being bound as text.
    if isinstance(value, datetime.datetime):
        return DateTimeField()
    if isinstance(value, datetime.date):
        return DateField()
    if isinstance(value, int) and not isinstance(value, bool):
        return BigIntegerField()
    if isinstance(value, str):
        return CharField()
    raise TypeError(f"No placeholder for a value of type {type(value).__name__}")


def _placeholders(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: (
            [_Placeholder(name, index, _placeholder_field(item)) for index, item in enumerate(value)]
            if isinstance(value, list)
            else _Placeholder(name, None, _placeholder_field(value))
        )
        for name, value in values.items()
    }


# (SQL, parameters with placeholders) per kind of query and shape of its values.
_STATEMENTS: dict[tuple, tuple[str, list]] = {}


def _fetch_one(kind: Callable, values: Mapping[str, Any], compile: Callable[..., tuple[str, list]]) -> tuple | None:
    """Run the query ``compile(**placeholders)`` with ``values`` bound; its first row.

    A conditional GET runs the same two queries for every feed of a kind, differing only
    in their values (and in the number of values of a list: the builder's choices).
    Building and compiling them with the ORM took longer in Python than the database took
    to answer, so each kind and shape is compiled once per process and only bound here.
    """
    connection = connections[Meeting.objects.db]
    values = {name: _padded(value) if isinstance(value, list) else value for name, value in values.items()}
    shape = tuple((name, len(value) if isinstance(value, list) else None) for name, value in sorted(values.items()))
    key = (connection.alias, kind, shape)
    statement = _STATEMENTS.get(key)
    if statement is None:
        sql, params = compile(connection=connection, **_placeholders(values))
        statement = _STATEMENTS[key] = (sql, list(params))
    sql, params = statement
    bound = [param.bind(values, connection) if isinstance(param, _Placeholder) else param for param in params]
    with _preparable_cursor(connection) as cursor:
        cursor.execute(sql, bound)
        return cursor.fetchone()


def _padded(items: list) -> list:
    """``items`` with its last one repeated up to a power of two.

    Lists are only compared with ``IN``, where a repeated value changes nothing; padding
    keeps the number of shapes (and of statements kept per process) small whatever
    combinations of the builder's up to 50 choices clients send.
    """
    if not items:
        return items
    return items + items[-1:] * ((1 << (len(items) - 1).bit_length()) - len(items))


def _preparable_cursor(connection):
    """A cursor whose statements PostgreSQL may keep prepared, logged like any other.

    Django's cursors bind values on the client, so psycopg can never prepare them; these
    statements are the same text on every conditional GET, and planning the aggregate cost
    more than running it. Prepared after ``prepare_threshold`` runs (see settings).
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = _server_binding_cursor_class()(connection.connection)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


@functools.cache
def _server_binding_cursor_class() -> type:
    # Imported when first used: the PostgreSQL backend needs psycopg, SQLite does not.
    from django.db.backends.postgresql.base import ServerBindingCursor

    class LoggedServerBindingCursor(ServerBindingCursor):
        """Keeps the statement's text for Django's query log (``last_executed_query``)
        also when it runs prepared: psycopg records it only for statements sent in full."""

        def _send_query_prepared(self, name, pgq, *args, **kwargs):
            self._query = pgq
            return super()._send_query_prepared(name, pgq, *args, **kwargs)

    return LoggedServerBindingCursor


def _compile(queryset: QuerySet, connection) -> tuple[str, list]:
    return queryset.query.get_compiler(connection=connection).as_sql()


def _network_row(*, slug: str) -> tuple | None:
    """``(pk, name, updated_at)`` of the network ``slug``; ``updated_at`` is text on SQLite."""

    def compile(*, connection, slug):
        return _compile(
            Network.objects.filter(slug=slug).order_by().values_list("pk", "name", "updated_at")[:1], connection
        )

    return _fetch_one(_network_row, {"slug": slug}, compile)


def _as_text(value) -> str:
    if value is None:
        return "-"
    # PostgreSQL answers timestamps as datetimes, SQLite as text: either is the change.
    return value.isoformat() if isinstance(value, datetime.datetime) else str(value)


# Which meetings -------------------------------------------------------------------


def _window(now: datetime.datetime) -> dict[str, datetime.datetime]:
    """The values the feed window is made of (see :func:`_in_window`)."""
    return {
        "window_start": now - WINDOW_BACK,
        "window_end": now + WINDOW_AHEAD,
        "cancelled_kept_from": now - CANCELLED_KEEP,
        "now": now,
    }


def _in_window(meetings: QuerySet[Meeting], *, window_start, window_end, cancelled_kept_from, now) -> QuerySet[Meeting]:
    return meetings.filter(start__gte=window_start, start__lt=window_end).filter(
        ~Q(status=Meeting.Status.CANCELLED) | Q(updated_at__gte=cancelled_kept_from) | Q(start__gte=now)
    )


def feed_window(meetings: QuerySet[Meeting], *, now: datetime.datetime) -> QuerySet[Meeting]:
    """Restrict ``meetings`` to the feed window and drop cancellations older than 60 days."""
    return _in_window(meetings, **_window(now))


def _select_public(**window) -> QuerySet[Meeting]:
    return _in_window(Meeting.objects.filter(visibility=Visibility.PUBLIC), **window)


def _select_network(*, network_id: int, **window) -> QuerySet[Meeting]:
    return _select_public(**window).filter(network_id=network_id)


def _select_kind(*, kind: str, **window) -> QuerySet[Meeting]:
    return _select_public(**window).filter(network__kind=kind)


def _select_area(*, area_id: int, **window) -> QuerySet[Meeting]:
    return _select_public(**window).filter(network_id__in=Subquery(_area_network_ids(Q(pk=area_id))))


def _select_builder(*, networks: list[str], kinds: list[str], areas: list[str], **window) -> QuerySet[Meeting]:
    condition = Q(pk__in=[])
    if networks:
        condition |= Q(network__slug__in=networks)
    if kinds:
        condition |= Q(network__kind__in=kinds)
    if areas:
        condition |= Q(network_id__in=Subquery(_area_network_ids(Q(slug__in=areas))))
    return _select_public(**window).filter(condition)


def _select_personal(*, person_id: int, today: datetime.date, **window) -> QuerySet[Meeting]:
    active = Membership.objects.active(today).filter(person_id=person_id).values("network_id")
    left = Membership.objects.filter(person_id=person_id).exclude(network_id__in=active).values("network_id")
    yes = Attendance.objects.filter(person_id=person_id, answer=Attendance.Answer.YES).values("meeting_id")
    return _in_window(Meeting.objects.all(), **window).filter(
        Q(network_id__in=Subquery(active))
        | (Q(pk__in=Subquery(yes)) & Q(visibility=Visibility.PUBLIC) & ~Q(network_id__in=Subquery(left)))
    )


def _select_meeting(*, meeting_id: int) -> QuerySet[Meeting]:
    return Meeting.objects.filter(pk=meeting_id)


def _area_network_ids(area_filter: Q) -> QuerySet[Network]:
    """Networks linked to the matching areas or to any area below them (three levels)."""
    return Network.objects.filter(
        Q(**{f"areas__{k}": v for k, v in area_filter.children})
        | Q(**{f"areas__parent__{k}": v for k, v in area_filter.children})
        | Q(**{f"areas__parent__parent__{k}": v for k, v in area_filter.children})
    ).values("pk")


def feed_city(*, now: datetime.datetime, language: str = "de") -> Feed:
    """All public meetings of the city."""
    with translation.override(language):
        name = gettext("Netzwerk Aachen: alle Sitzungen")
        description = gettext("Öffentliche Sitzungen aller Netzwerke in Aachen")
    return Feed(
        key="stadt",
        name=name,
        description=description,
        select=_select_public,
        values=_window(now),
        language=language,
    )


def feed_network(*, slug: str, now: datetime.datetime, language: str = "de") -> Feed:
    """The public meetings of one network (one query for the network)."""
    network = _network_row(slug=slug)
    if network is None:
        raise FeedNotFound(slug)
    network_id, name, updated_at = network
    with translation.override(language):
        description = gettext("Öffentliche Sitzungen: %(names)s") % {"names": name}
    return Feed(
        key=f"netzwerk:{slug}",
        name=name,
        description=description,
        select=_select_network,
        values={"network_id": network_id, **_window(now)},
        version=_as_text(updated_at),
        language=language,
    )


def feed_kind(*, kind: str, now: datetime.datetime, language: str = "de") -> Feed:
    """The public meetings of all networks of one kind (no query: kinds are code)."""
    if kind not in Network.Kind.values:
        raise FeedNotFound(kind)
    with translation.override(language):
        label = str(Network.Kind(kind).label)
        name = gettext("Netzwerk Aachen: %(name)s") % {"name": label}
        description = gettext("Öffentliche Sitzungen aller Netzwerke der Art %(kind)s") % {"kind": label}
    return Feed(
        key=f"art:{kind}",
        name=name,
        description=description,
        select=_select_kind,
        values={"kind": kind, **_window(now)},
        language=language,
    )


def feed_area(*, slug: str, now: datetime.datetime, language: str = "de") -> Feed:
    """The public meetings of the networks of an area and its sub-areas (one query for the area)."""
    area = Area.objects.filter(slug=slug).values("pk", "name", "updated_at").first()
    if area is None:
        raise FeedNotFound(slug)
    with translation.override(language):
        name = gettext("Netzwerk Aachen: %(name)s") % {"name": area["name"]}
        description = gettext("Öffentliche Sitzungen der Netzwerke im Gebiet %(area)s") % {"area": area["name"]}
    return Feed(
        key=f"gebiet:{slug}",
        name=name,
        description=description,
        select=_select_area,
        values={"area_id": area["pk"], **_window(now)},
        version=area["updated_at"].isoformat(),
        language=language,
    )


def builder_choice(query: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The feed builder's query string as sorted, de-duplicated choices, or ``FeedBadRequest``."""
    unknown = sorted(set(query) - set(BUILDER_PARAMS))
    if unknown:
        raise FeedBadRequest(f"Unbekannter Parameter: {unknown[0][:40]!r}. Erlaubt sind netzwerk, art und gebiet.")
    total = sum(len(values) for values in query.values())
    if total > BUILDER_MAX_VALUES:
        raise FeedBadRequest(f"Zu viele Angaben ({total}); höchstens {BUILDER_MAX_VALUES} sind möglich.")
    choice = {name: sorted(set(query.get(name, []))) for name in BUILDER_PARAMS}
    if not any(choice.values()):
        raise FeedBadRequest(
            "Bitte mindestens ein Netzwerk (netzwerk=), eine Art (art=) oder ein Gebiet (gebiet=) angeben."
        )
    for name, values in choice.items():
        for value in values:
            if not _SLUG.match(value):
                raise FeedBadRequest(f"Ungültige Angabe für {name}: nur Buchstaben, Ziffern, - und _ sind erlaubt.")
    unknown_kinds = [kind for kind in choice["art"] if kind not in Network.Kind.values]
    if unknown_kinds:
        raise FeedBadRequest(f"Unbekannte Art: {unknown_kinds[0]}. Bekannt sind: {', '.join(Network.Kind.values)}.")
    return choice


def builder_path(choice: dict[str, list[str]]) -> str:
    """The address of the feed of a ``builder_choice``: one network, kind or area alone is
    its own feed; several are ``auswahl.ics`` with the choices sorted, so that everyone who
    picks the same set subscribes to the same address (one cache entry, one ETag)."""
    chosen = [(name, value) for name in BUILDER_PARAMS for value in choice.get(name, [])]
    if len(chosen) == 1:
        name, value = chosen[0]
        route = {"netzwerk": "feeds:network", "art": "feeds:kind", "gebiet": "feeds:area"}[name]
        return reverse(route, args=[value])
    return reverse("feeds:builder") + "?" + urlencode(chosen)


def feed_builder(*, choice: dict[str, list[str]], now: datetime.datetime, language: str = "de") -> Feed:
    """The union of the chosen networks, kinds and areas (one query checks the slugs)."""
    networks, kinds, areas = choice["netzwerk"], choice["art"], choice["gebiet"]
    found: dict[tuple[str, str], tuple[str, datetime.datetime]] = {}
    if networks or areas:
        text = CharField()
        rows = (
            Network.objects.filter(slug__in=networks)
            .order_by()
            .annotate(table=Value("netzwerk", output_field=text))
            .values_list("table", "slug", "name", "updated_at")
            .union(
                Area.objects.filter(slug__in=areas)
                .order_by()
                .annotate(table=Value("gebiet", output_field=text))
                .values_list("table", "slug", "name", "updated_at"),
                all=True,
            )
        )
        found = {(table, slug): (name, updated) for table, slug, name, updated in rows}
    for table, values in (("netzwerk", networks), ("gebiet", areas)):
        missing = [value for value in values if (table, value) not in found]
        if missing:
            raise FeedBadRequest(f"Unbekannt ({table}): {missing[0]}")
    key = "auswahl:" + ";".join(f"{name}={','.join(values)}" for name, values in choice.items())
    with translation.override(language):
        names = [found[("netzwerk", slug)][0] for slug in networks]
        names += [str(Network.Kind(kind).label) for kind in kinds]
        names += [found[("gebiet", slug)][0] for slug in areas]
        name = gettext("Netzwerk Aachen: Auswahl")
        description = gettext("Öffentliche Sitzungen: %(names)s") % {"names": ", ".join(names)}
    return Feed(
        key=key,
        name=name,
        description=description,
        select=_select_builder,
        values={"networks": networks, "kinds": kinds, "areas": areas, **_window(now)},
        version=",".join(sorted(updated.isoformat() for _name, updated in found.values())),
        language=language,
    )


def feed_token_lookup(token: str) -> FeedToken:
    """The valid token ``token`` with its person (one query), or ``FeedNotFound``."""
    found = FeedToken.objects.filter(token=token, revoked_at__isnull=True).select_related("person").first()
    if found is None:
        raise FeedNotFound("token")
    return found


def feed_personal(*, token: FeedToken, now: datetime.datetime) -> Feed:
    """A person's feed: every meeting (public and internal) of the networks they are an
    active member of today, plus public meetings they said yes to — but never a meeting of
    a network they have left (an old Zusage does not keep a former member informed)."""
    today = timezone.localdate(now)
    language = token.person.language or "de"
    with translation.override(language):
        name = gettext("Netzwerk Aachen: meine Sitzungen")
        description = gettext("Die Sitzungen Ihrer Netzwerke und Ihre Zusagen (persönlicher Kalender)")
    return Feed(
        key=f"persoenlich:{token.pk}:{today.isoformat()}",
        name=name,
        description=description,
        select=_select_personal,
        values={"person_id": token.person_id, "today": today, **_window(now)},
        private=True,
        language=language,
    )


def feed_meeting(*, meeting_id: int, uid, private: bool, language: str = "de") -> Feed:
    """One meeting as a feed ("add to calendar"); who may see it is the view's decision."""
    with translation.override(language):
        description = gettext("Eine Sitzung")
    return Feed(
        key=f"termin:{uid}",
        name="Netzwerk Aachen",
        description=description,
        select=_select_meeting,
        values={"meeting_id": meeting_id},
        private=private,
        language=language,
    )


# Validators -------------------------------------------------------------------------


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


def event_data(
    row: Mapping, agenda_titles: Iterable[str] = (), *, url: str | None = None, language: str = "de"
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
    )


def _build(pks: list[int], language: str) -> dict[int, tuple[str, bytes]]:
    """VEVENT bytes of the meetings ``pks``, keyed by pk, with their cache keys (two queries)."""
    agenda: dict[int, list[str]] = defaultdict(list)
    for meeting_id, title in (
        AgendaItem.objects.filter(meeting_id__in=pks, is_public=True)
        .order_by("meeting_id", "position", "pk")
        .values_list("meeting_id", "title")
    ):
        agenda[meeting_id].append(title)
    built = {}
    urls: dict[str, str] = {}
    for row in Meeting.objects.filter(pk__in=pks).values(*EVENT_FIELDS, **_KEY_COLUMNS):
        slug = row["network__slug"]
        if slug not in urls:
            urls[slug] = network_url(slug)
        event = event_data(row, agenda[row["pk"]], url=urls[slug], language=language)
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


# Clients ----------------------------------------------------------------------------

_CLIENTS = (
    ("google", "Google Kalender"),
    ("outlook", "Microsoft Outlook"),
    ("microsoft", "Microsoft Outlook"),
    ("exchange", "Microsoft Outlook"),
    ("thunderbird", "Thunderbird"),
    ("dataaccessd", "Apple Kalender"),
    ("calendaragent", "Apple Kalender"),
    ("ios/", "Apple Kalender"),
    ("mac os x", "Apple Kalender"),
    ("macos", "Apple Kalender"),
)


def feed_client_name(user_agent: str) -> str:
    """The calendar client behind a User-Agent, in words; the raw string when unknown."""
    lowered = (user_agent or "").casefold()
    for needle, name in _CLIENTS:
        if needle in lowered:
            return name
    return user_agent
