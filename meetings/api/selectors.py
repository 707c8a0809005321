"""Reads behind the calendar API: what a user may see across all networks.

Anonymous visitors see public meetings, series and public agenda items; members of a
network also its internal ones; Sozialplanung all. Which networks a user sees internally
is asked of the permission rules (``meetings.view_internal_meetings``), never decided here.
"""

import datetime
from dataclasses import dataclass

from django.db.models import BigIntegerField, Exists, OuterRef, Prefetch, Q, QuerySet, Value

from contacts.models import DirectoryStamp, Network
from contacts.selectors import directory_version_of, user_roles
from meetings.models import (
    AgendaItem,
    CalendarStamp,
    DatePoll,
    Meeting,
    MeetingDocument,
    MeetingPartner,
    MeetingSeries,
    Visibility,
    in_networks,
)

INTERNAL_PERM = "meetings.view_internal_meetings"
# The directory's row among the calendar stamps read by ``calendar_state`` (no network's id).
DIRECTORY_ROW = -1


def networks_seen_internally(user) -> frozenset[int] | None:
    """Ids of the networks whose internal meetings ``user`` sees; ``None`` means every network.

    The rules grant Sozialplanung every network; anyone else can only be granted the networks
    they belong to, so only those are asked about (no query per network: roles are cached).
    """
    if user is None or not user.is_authenticated:
        return frozenset()
    roles = user_roles(user)
    if roles.is_sozialplanung:
        return None
    return frozenset(pk for pk in roles.member_network_ids if user.has_perm(INTERNAL_PERM, Network(pk=pk)))


def _visible(network_ids: frozenset[int] | None, *, public: Q, network_field: str) -> Q:
    if network_ids is None:
        return Q()
    return public | Q(**{f"{network_field}__in": network_ids})


def agenda_items_visible(user, *, network_ids: frozenset[int] | None = None) -> QuerySet[AgendaItem]:
    """Agenda items ``user`` may see: public items of public meetings, and all items of the
    networks seen internally."""
    if network_ids is None and user is not None:
        network_ids = networks_seen_internally(user)
    public = Q(is_public=True, meeting__visibility=Visibility.PUBLIC)
    if network_ids is None:
        return AgendaItem.objects.all()
    if not network_ids:
        # No network seen internally (anonymous visitors): only the public part, without
        # building the conditions that could match nothing.
        return AgendaItem.objects.filter(public)
    joint = MeetingPartner.objects.filter(network_id__in=network_ids).values("meeting_id")
    return AgendaItem.objects.filter(public | Q(meeting__network_id__in=network_ids) | Q(meeting_id__in=joint))


def documents_visible(network_ids: frozenset[int] | None) -> QuerySet[MeetingDocument]:
    """Documents readable with internal sight of ``network_ids`` (``None``: all): public
    documents of public meetings outside non-public agenda items, and every document of
    those networks."""
    public = Q(visibility=Visibility.PUBLIC, meeting__visibility=Visibility.PUBLIC) & (
        Q(agenda_item__isnull=True) | Q(agenda_item__is_public=True)
    )
    if network_ids is None:
        return MeetingDocument.objects.all()
    if not network_ids:
        return MeetingDocument.objects.filter(public)
    # A joint meeting's documents are read by the members of each of its networks.
    joint = MeetingPartner.objects.filter(network_id__in=network_ids).values("meeting_id")
    return MeetingDocument.objects.filter(public | Q(meeting__network_id__in=network_ids) | Q(meeting_id__in=joint))


# What ``MeetingSerializer`` shows of a meeting and of the rows it points to (the network,
# the series only to decide whether it is seen, the place, the minutes).
MEETING_SHOWN = (
    "uid",
    "title",
    "network__kind",
    "network__name",
    "network__short_name",
    "network__slug",
    "series__visibility",
    "start",
    "end",
    "status",
    "visibility",
    "sequence",
    "cancellation_reason",
    "edited_by_hand",
    "moved_from",
    "institution__name",
    "institution__slug",
    "institution__street",
    "institution__postal_code",
    "institution__city",
    "address",
    "room",
    "accessibility_notes",
    "online_url",
    "created_at",
    "updated_at",
    *(
        f"minutes__{name}"
        for name in ("text", "text_html", "file", "visibility", "published_at", "notice_version", "updated_at")
    ),
)
NETWORK_SHOWN = ("id", "kind", "name", "short_name", "slug")


def meetings_visible(user, *, shown_only: bool = False) -> QuerySet[Meeting]:
    """Meetings ``user`` may see, with network, series, place, minutes, the visible agenda
    (``visible_agenda_items``) and documents (``visible_documents``), soonest first.

    ``shown_only``: only the columns a meeting's representation shows, for reading (the
    list, one meeting), never for a write, which would load the rest row by row. A page of
    50 meetings otherwise reads and builds every column of each meeting, network, series
    and place, and of every partner network.
    """
    network_ids = networks_seen_internally(user)
    agenda = agenda_items_visible(None, network_ids=network_ids) if network_ids is not None else AgendaItem.objects
    documents = documents_visible(network_ids).order_by("position", "pk")
    partners = Prefetch("partner_networks", queryset=Network.objects.order_by("name", "pk"))
    meetings = Meeting.objects.filter(meetings_seen(network_ids))
    if shown_only:
        # As a list (``Meeting.partner_list``), never written to.
        partners = Prefetch(
            "partner_networks",
            queryset=Network.objects.only(*NETWORK_SHOWN).order_by("name", "pk"),
            to_attr="partner_list",
        )
        meetings = meetings.only(*MEETING_SHOWN)
    return (
        meetings.select_related("network", "series", "institution", "minutes")
        .prefetch_related(
            Prefetch("agenda_items", queryset=agenda.order_by("position", "pk"), to_attr="visible_agenda_items"),
            partners,
            Prefetch("documents", queryset=documents, to_attr="visible_documents"),
        )
        .order_by("start", "pk")
    )


# What the list of meetings reads of a meeting and of the rows it points to, as values
# (``meeting_rows``): the columns of ``MEETING_SHOWN``, with the ids beside them.
MEETING_ROW_COLUMNS = (
    *("id", "uid", "title", "start", "end", "status", "visibility", "sequence", "cancellation_reason"),
    *("edited_by_hand", "moved_from", "address", "room", "accessibility_notes", "online_url"),
    *("created_at", "updated_at", "network_id", "series_id", "institution_id"),
    *(f"network__{name}" for name in ("kind", "name", "short_name", "slug")),
    "series__visibility",
    *(f"institution__{name}" for name in ("name", "slug", "street", "postal_code", "city")),
    *(
        f"minutes__{name}"
        for name in ("id", "text", "text_html", "file", "visibility", "published_at", "notice_version", "updated_at")
    ),
)
AGENDA_ROW_COLUMNS = (
    *("id", "meeting_id", "position", "title", "text", "text_html", "is_public", "result", "result_html"),
)
DOCUMENT_ROW_COLUMNS = (
    *("id", "meeting_id", "title", "kind", "agenda_item_id", "visibility", "file_name", "content_type", "size"),
    *("position", "created_at", "updated_at"),
)
PARTNER_ROW_COLUMNS = (
    "meeting_id",
    "network_id",
    *(f"network__{name}" for name in ("kind", "name", "short_name", "slug")),
)


def meetings_seen(network_ids: frozenset[int] | None) -> Q:
    """The meetings internal sight of ``network_ids`` sees (``networks_seen_internally``):
    all (``None``), or the public ones and those of these networks (none: the public ones
    alone, without conditions that could match nothing)."""
    public = Q(visibility=Visibility.PUBLIC)
    if network_ids is None:
        return Q()
    return public | in_networks(network_ids) if network_ids else public


def meetings_listed(network_ids: frozenset[int] | None) -> QuerySet[Meeting]:
    """Meetings seen with internal sight of ``network_ids`` (``meetings_seen``), soonest
    first, with nothing joined or prefetched: what the list filters, counts and orders
    before ``meeting_rows`` reads a page of it."""
    return Meeting.objects.filter(meetings_seen(network_ids)).order_by("start", "pk")


def meeting_page(meetings: QuerySet[Meeting]) -> list[tuple[int, int, bool]]:
    """``meetings`` (a page of ``meetings_listed``) as ``(id, network_id, joint)``: what the
    list needs to know of a meeting before its row (``meeting_rows``)."""
    partnered = MeetingPartner.objects.filter(meeting_id=OuterRef("pk"))
    return list(meetings.annotate(joint=Exists(partnered)).values_list("id", "network_id", "joint"))


def meeting_partner_rows(meeting_ids: list[int]) -> dict[int, list[dict]]:
    """The partners of the meetings ``meeting_ids`` as rows of ``PARTNER_ROW_COLUMNS``, by
    meeting (one query; a meeting without partners is left out)."""
    partners: dict[int, list[dict]] = {}
    if meeting_ids:
        for partner in MeetingPartner.objects.filter(meeting_id__in=meeting_ids).values(*PARTNER_ROW_COLUMNS):
            partners.setdefault(partner["meeting_id"], []).append(partner)
    return partners


def meeting_rows(
    meetings: QuerySet[Meeting], *, network_ids: frozenset[int] | None, partners: dict[int, list[dict]] | None = None
) -> list[dict]:
    """``meetings`` (a page of ``meetings_listed``) as rows: dicts of ``MEETING_ROW_COLUMNS``,
    each with its visible ``agenda_items``, its ``documents`` and its ``partners`` (rows of
    their own columns, one query per kind, joined here; the partners as read by
    ``meeting_partner_rows`` if the caller has them), seen with internal sight of
    ``network_ids``.

    Instances, their related managers and the prefetch querysets built per row cost more
    than the rest of a page of 50 meetings; agenda items and documents are still chosen by
    the same rules as for one meeting (``agenda_items_visible``, ``documents_visible``), in
    the database: nothing the requester may not see is read.
    """
    rows = list(meetings.values(*MEETING_ROW_COLUMNS))
    if not rows:
        return rows
    by_id = {}
    for row in rows:
        row["agenda_items"], row["documents"] = [], []
        by_id[row["id"]] = row
    ids = list(by_id)
    agenda = agenda_items_visible(None, network_ids=network_ids).filter(meeting_id__in=ids)
    for item in agenda.order_by("position", "pk").values(*AGENDA_ROW_COLUMNS):
        by_id[item["meeting_id"]]["agenda_items"].append(item)
    documents = documents_visible(network_ids).filter(meeting_id__in=ids).order_by("position", "pk")
    for document in documents.values(*DOCUMENT_ROW_COLUMNS):
        by_id[document["meeting_id"]]["documents"].append(document)
    if partners is None:
        partners = meeting_partner_rows(ids)
    for row in rows:
        row["partners"] = list(partners.get(row["id"], ()))
    return rows


@dataclass(frozen=True)
class CalendarState:
    """The calendar stamps of every network (``network_id`` → ``(version, changed_at)``) and
    the directory's version (``contacts.selectors.directory_version``), read together
    (``calendar_state``).

    The triggers move a network's stamp on every write to its meetings, partners, agenda
    items, documents, minutes and series (migrations 0011, 0013, 0020), a bulk ``update()``
    or ``delete()`` included; networks and institutions (names, places) are the
    directory's, whose stamp covers them.
    """

    stamps: dict[int, tuple[int, datetime.datetime]]
    directory: str

    def list_version(self) -> str:
        """The state of everything the list of meetings shows.

        Versions only rise, so their sum changes with every committed write; a network's
        first stamp changes the count and the id sum. A write that is rolled back may give
        its sum to the next one; what is kept under a version is read by a GET outside any
        write's transaction (``contacts.api.lists``), so it never holds a state that was
        rolled back, and the latest change time mostly tells the two apart as well.
        """
        stamps = self.stamps.values()
        changed = max((changed_at.timestamp() for _, changed_at in stamps), default=0)
        versions = sum(version for version, _ in stamps)
        return f"{len(self.stamps)}-{sum(self.stamps)}-{versions}-{changed:.6f}-{self.directory}"

    def meeting_version(self, network_ids) -> str:
        """The state of what a row of one meeting shows, whose networks (host first, then
        the partners) are ``network_ids``: their stamps and the directory's. A partner's
        stamp is part of it because adding or removing a partner moves only the partner's."""
        parts = [self.directory]
        for network_id in network_ids:
            version, changed_at = self.stamps.get(network_id, (0, None))
            parts.append(f"{network_id}.{version}.{changed_at.timestamp() if changed_at else 0:.6f}")
        return "-".join(parts)


def calendar_state() -> CalendarState:
    """Every network's calendar stamp and the directory's stamp, in one query (one row per
    network and one for the directory)."""
    calendar = CalendarStamp.objects.values_list("network_id", "version", "changed_at")
    directory = DirectoryStamp.objects.filter(pk=1).values_list(
        Value(DIRECTORY_ROW, output_field=BigIntegerField()), "version", "changed_at"
    )
    stamps = {}
    directory_stamp = None
    for network_id, version, changed_at in calendar.union(directory, all=True):
        if network_id == DIRECTORY_ROW:
            directory_stamp = (version, changed_at)
        else:
            stamps[network_id] = (version, changed_at)
    return CalendarState(stamps=stamps, directory=directory_version_of(directory_stamp))


def series_visible(user) -> QuerySet[MeetingSeries]:
    """Series ``user`` may see (public ones, and those of networks seen internally)."""
    network_ids = networks_seen_internally(user)
    public = Q(visibility=Visibility.PUBLIC)
    return (
        MeetingSeries.objects.filter(_visible(network_ids, public=public, network_field="network_id"))
        .select_related("network", "institution")
        .order_by("network__name", "title", "pk")
    )


def agenda_item_list(user) -> QuerySet[AgendaItem]:
    """Visible agenda items with their meeting and network, by meeting and position."""
    return (
        agenda_items_visible(user)
        .select_related("meeting__network")
        .order_by("meeting__start", "meeting_id", "position", "pk")
    )


def polls_visible(user) -> QuerySet[DatePoll]:
    """Date polls of the networks ``user`` sees internally (polls are never public), with
    options and votes for counting."""
    network_ids = networks_seen_internally(user)
    polls = DatePoll.objects.all() if network_ids is None else DatePoll.objects.filter(network_id__in=network_ids)
    return polls.select_related("network", "meeting").prefetch_related("options__votes").order_by("-deadline", "pk")
