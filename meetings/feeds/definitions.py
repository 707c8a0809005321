"""Which meetings each feed holds: the city, a network, a kind, an area, a chosen set, a
person's networks, one meeting; the time window every feed covers."""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable, Mapping
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import (
    CharField,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext

from contacts.models import Area, Membership, Network
from meetings.feeds.compiled import _compile, _fetch_one
from meetings.models import Attendance, CalendarStamp, FeedToken, Meeting, Visibility, in_networks

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
    the values of this request (the window's bounds, the network, …). The ETag is made
    of ``stamps(**values)``, the calendar stamps of the networks whose meetings the feed
    may hold, and of ``stamp_extras(**values)``: other rows whose change changes the feed
    (a person's memberships and answers). Kept apart from the values so that
    :func:`feed_stamp` can compile the SQL of a kind of feed once and bind only the values.
    """

    key: str
    name: str
    description: str
    select: Callable[..., QuerySet[Meeting]]
    stamps: Callable[..., QuerySet[CalendarStamp]]
    values: Mapping[str, Any]
    stamp_extras: Callable[..., list[QuerySet]] | None = None
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


def _network_row(*, slug: str) -> tuple | None:
    """``(pk, name, updated_at)`` of the network ``slug``; ``updated_at`` is text on SQLite."""

    def compile(*, connection, slug):
        return _compile(
            Network.objects.filter(slug=slug).order_by().values_list("pk", "name", "updated_at")[:1], connection
        )

    return _fetch_one(_network_row, {"slug": slug}, compile)


# Which meetings -------------------------------------------------------------------


def _as_text(value) -> str:
    if value is None:
        return "-"
    # PostgreSQL answers timestamps as datetimes, SQLite as text: either is the change.
    return value.isoformat() if isinstance(value, datetime.datetime) else str(value)


# Validators -------------------------------------------------------------------------


# The names of the window's values: the stamps do not depend on them (the day does).
WINDOW_VALUES = ("window_start", "window_end", "cancelled_kept_from", "now")


def _window(now: datetime.datetime) -> dict[str, datetime.datetime]:
    """The values the feed window is made of (see :func:`_in_window`).

    Counted from the start of today (Aachen time), so a feed's meetings change only with a
    write or at midnight: the ETag holds the day (:func:`meetings.feeds.stamp.feed_stamp`)
    and need not read the meetings to see one leave the window.
    """
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "window_start": today - WINDOW_BACK,
        "window_end": today + WINDOW_AHEAD,
        "cancelled_kept_from": today - CANCELLED_KEEP,
        "now": today,
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


# A joint meeting belongs to its host and to each partner network (``in_networks``): it is
# in the feeds of all of them, one event with one UID.


def _select_network(*, network_id: int, **window) -> QuerySet[Meeting]:
    return _select_public(**window).filter(in_networks([network_id]))


def _select_kind(*, kind: str, **window) -> QuerySet[Meeting]:
    return _select_public(**window).filter(in_networks(Network.objects.filter(kind=kind).values("pk")))


def _select_area(*, area_id: int, **window) -> QuerySet[Meeting]:
    return _select_public(**window).filter(in_networks(Subquery(_area_network_ids(Q(pk=area_id)))))


def _select_builder(*, networks: list[str], kinds: list[str], areas: list[str], **window) -> QuerySet[Meeting]:
    condition = Q(pk__in=[])
    if networks or kinds:
        condition |= in_networks(Network.objects.filter(Q(slug__in=networks) | Q(kind__in=kinds)).values("pk"))
    if areas:
        condition |= in_networks(Subquery(_area_network_ids(Q(slug__in=areas))))
    return _select_public(**window).filter(condition)


def _select_personal(*, person_id: int, today: datetime.date, **window) -> QuerySet[Meeting]:
    active = Membership.objects.active(today).filter(person_id=person_id).values("network_id")
    left = Membership.objects.filter(person_id=person_id).exclude(network_id__in=active).values("network_id")
    yes = Attendance.objects.filter(person_id=person_id, answer=Attendance.Answer.YES).values("meeting_id")
    return _in_window(Meeting.objects.all(), **window).filter(
        in_networks(Subquery(active))
        | (Q(pk__in=Subquery(yes)) & Q(visibility=Visibility.PUBLIC) & ~in_networks(Subquery(left)))
    )


def _select_meeting(*, meeting_id: int) -> QuerySet[Meeting]:
    return Meeting.objects.filter(pk=meeting_id)


# Whose stamps ------------------------------------------------------------------------
# Every network whose meetings the feed may hold; a superset is safe (one full answer too
# many when another of its meetings changes), a subset is not.


def _stamps_all(**_window) -> QuerySet[CalendarStamp]:
    return CalendarStamp.objects.all()


def _stamps_network(*, network_id: int, **_window) -> QuerySet[CalendarStamp]:
    return CalendarStamp.objects.filter(network_id=network_id)


def _stamps_kind(*, kind: str, **_window) -> QuerySet[CalendarStamp]:
    return CalendarStamp.objects.filter(network_id__in=Network.objects.filter(kind=kind).values("pk"))


def _stamps_area(*, area_id: int, **_window) -> QuerySet[CalendarStamp]:
    return CalendarStamp.objects.filter(network_id__in=Subquery(_area_network_ids(Q(pk=area_id))))


def _stamps_builder(*, networks: list[str], kinds: list[str], areas: list[str], **_window) -> QuerySet[CalendarStamp]:
    condition = Q(pk__in=[])
    if networks or kinds:
        chosen = Network.objects.filter(Q(slug__in=networks) | Q(kind__in=kinds)).values("pk")
        condition |= Q(network_id__in=Subquery(chosen))
    if areas:
        condition |= Q(network_id__in=Subquery(_area_network_ids(Q(slug__in=areas))))
    return CalendarStamp.objects.filter(condition)


def _stamps_personal(*, person_id: int, **_values) -> QuerySet[CalendarStamp]:
    # Every network the person was ever a member of (the day in the ETag decides whether
    # the membership holds today) and the networks of the meetings they answered.
    # A joint meeting moves the stamps of all its networks, so the host's stamp is enough.
    return CalendarStamp.objects.filter(
        Q(network_id__in=Membership.objects.filter(person_id=person_id).values("network_id"))
        | Q(network_id__in=Meeting.objects.filter(attendances__person_id=person_id).values("network_id"))
    )


def _stamp_extras_personal(*, person_id: int, **_values) -> list[QuerySet]:
    """A joined or ended membership and a new or changed answer change the feed without
    changing any meeting."""
    return [Membership.objects.filter(person_id=person_id), Attendance.objects.filter(person_id=person_id)]


def _stamps_meeting(*, meeting_id: int) -> QuerySet[CalendarStamp]:
    return CalendarStamp.objects.filter(network_id__in=Meeting.objects.filter(pk=meeting_id).values("network_id"))


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
        stamps=_stamps_all,
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
        stamps=_stamps_network,
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
        stamps=_stamps_kind,
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
        stamps=_stamps_area,
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
        stamps=_stamps_builder,
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
        stamps=_stamps_personal,
        stamp_extras=_stamp_extras_personal,
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
        stamps=_stamps_meeting,
        values={"meeting_id": meeting_id},
        private=private,
        language=language,
    )
