"""Search across the directory and the calendar, and the street lookup of the start page.

Tolerant the way people type. Both sides of every comparison are folded
(``contacts.textsearch.fold``): case, umlauts and ß do not matter, and "ue"/"ü", "ss"/"ß"
meet. On PostgreSQL, full text search with the German configuration adds word stems
("Konferenzen" finds "Konferenz") and trigram word similarity adds small typos
("Burtscheit"); on SQLite every word of the query must appear in the folded text.

Each group (networks, institutions, people, meetings, areas, streets) is one query, ranked
(exact name, name starting with the query, every word starting a word of the name, name
containing every word, then the rest) and cut at ``limit``; people add the fixed prefetches
of the projection. The number of queries never depends on the number of hits. The queries
compare stored folded columns (``search_name``, ``search_text``), never fold a row on the
fly, and pay for similarity and text rank only where the name does not explain the hit:
an uncached search stays fast when a common word matches thousands of rows.

People are found only by their name, and only where the audience may see that name: the
database pre-selects people with a fitting name consent, and the projection
(``contacts.visibility``) has the last word. Matching on anything the audience may not see
would let the result list itself leak it.
"""

import datetime
import difflib
import functools
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    Expression,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Concat
from django.utils import timezone

from contacts.models import (
    Area,
    Consent,
    Institution,
    InstitutionType,
    Membership,
    Network,
    Person,
    Street,
    Visibility,
)
from contacts.selectors import networks_responsible_for, projection_prefetches, user_roles
from contacts.textsearch import fold, fold_words
from contacts.visibility import Audience, PersonView, project_person
from meetings.models import Meeting, in_networks
from meetings.models import Visibility as MeetingVisibility

QUERY_MAX_LENGTH = 200
GROUP_LIMIT = 10
GROUP_LIMIT_MAX = 50
# A query word shorter than this is too unspecific for trigram similarity.
TRIGRAM_MIN_LENGTH = 4
KINDS = ("networks", "institutions", "people", "meetings", "areas", "streets")


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- the SQL of a search, built once per shape ---------------------------------------------
#
# Building a ranked queryset and compiling it costs Django about 3 ms per kind, more than
# PostgreSQL takes to answer it, six times per search. The SQL depends only on the shape of
# the query (how many words, which are long enough for typo tolerance, the limit, who is
# asking), not on the words: they enter as parameters. So each kind's query is built and
# compiled once per shape with placeholders (``_Slot``) for the words, the whole query and
# the time, kept (``_compiled``), and run with the values of each search in their place.
# The placeholders are expressions, so LIKE patterns are escaped in SQL
# (``connection.pattern_esc``), which PostgreSQL folds into a constant before it plans:
# the trigram indexes still serve them.


class _Slot(Expression):
    """A value of the query (a word, the whole query, the time) compiled as a bare parameter."""

    def __init__(self, name: str, output_field=None) -> None:
        super().__init__(output_field=output_field or TextField())
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]


@dataclass(frozen=True)
class _Word:
    """A word of the query: itself, the same after a space (a word of the name starts with
    it), and whether it is long enough for trigram similarity."""

    value: _Slot
    spaced: _Slot
    similar: bool


_QUERY = _Slot("query")
_NOW = _Slot("now", DateTimeField())


def _shape(words: list[str]) -> tuple[bool, ...]:
    """What the SQL of a search depends on in its words: how many, and which are long enough
    for trigram similarity."""
    return tuple(len(word) >= TRIGRAM_MIN_LENGTH for word in words)


def _slots(shape: tuple[bool, ...]) -> list[_Word]:
    return [_Word(_Slot(f"word{i}"), _Slot(f"spaced{i}"), similar) for i, similar in enumerate(shape)]


def _slot_values(words: list[str], *, now: datetime.datetime | None) -> dict:
    values = {"query": " ".join(words), "now": now}
    for position, word in enumerate(words):
        values[f"word{position}"] = word
        values[f"spaced{position}"] = " " + word
    return values


def _in_field_order(model, names) -> tuple[str, ...]:
    # ``Model.from_db`` takes the loaded values in the order of the model's fields.
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in set(names))


@dataclass(frozen=True)
class _Compiled:
    """A kind's search query as SQL, and how its rows become model instances: the model's
    columns that a hit shows, those of the rows it points to (as ``select_related`` would
    load them), then ``rank``."""

    model: type
    sql: str
    params: tuple
    columns: tuple  # the selected expressions, for the database's converters
    fields: tuple[str, ...]
    related: tuple[tuple[str, type, tuple[str, ...]], ...]

    @classmethod
    def of(cls, queryset: QuerySet, *, limit: int, fields, related: dict | None = None) -> "_Compiled":
        model = queryset.model
        fields = _in_field_order(model, fields)
        selected = list(fields)
        related_columns = []
        for name, names in (related or {}).items():
            related_model = model._meta.get_field(name).related_model
            names = _in_field_order(related_model, names)
            related_columns.append((name, related_model, names))
            selected += [f"{name}__{column}" for column in names]
        queryset = queryset.values(*selected, "rank")[:limit]
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        columns = tuple(column for column, _sql, _alias in compiler.select)
        return cls(model, sql, tuple(params), columns, fields, tuple(related_columns))

    def run(self, values: dict) -> list:
        params = [
            param.output_field.get_db_prep_value(values[param.name], connection) if isinstance(param, _Slot) else param
            for param in self.params
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        converters = [
            (position, converters, column)
            for position, column in enumerate(self.columns)
            if (converters := connection.ops.get_db_converters(column) + column.get_db_converters(connection))
        ]
        hits = []
        for row in rows:
            row = list(row)
            for position, functions, column in converters:
                for convert in functions:
                    row[position] = convert(row[position], column, connection)
            hit = self.model.from_db(connection.alias, self.fields, row[: len(self.fields)])
            offset = len(self.fields)
            for name, related_model, names in self.related:
                part = row[offset : offset + len(names)]
                offset += len(names)
                setattr(
                    hit, name, related_model.from_db(connection.alias, names, part) if part[0] is not None else None
                )
            hit.rank = row[offset]
            hits.append(hit)
        return hits


def _text_filter(model, words: list[_Word], *, text, stems: bool) -> Q:
    """Every word in the folded ``text`` (the alias ``folded_text`` of the queryset the
    filter is for). On PostgreSQL a word may also be a near miss of a word in the text (a
    typo), and the whole query may match by German word stems instead.

    On PostgreSQL the near misses are answered by the trigram index, not compared on every
    row. Without stems (names only) the whole match is one ``pk IN (subquery)``: the index
    answers LIKE and "%>" together in one bitmap of the few rows found, and the query
    around it joins only those, whatever the size of the table. With stems, the near misses
    and the stems are each their own ``pk IN (subquery)`` beside the plain match on the
    row: PostgreSQL asks them only for rows the plain match left out (none, when a common
    word is in every name); in one subquery it would build the text vector of every row a
    common word's stem is expected to match, before the plain match could spare it.
    """
    postgres = _is_postgres()
    rows = model._default_manager.order_by().alias(folded_text=text)
    match = Q()
    for word in words:
        word_match = Q(folded_text__contains=word.value)
        if postgres and word.similar:
            if stems:
                word_match |= Q(pk__in=rows.filter(folded_text__trigram_word_similar=word.value).values("pk"))
            else:
                word_match |= Q(folded_text__trigram_word_similar=word.value)
        match &= word_match
    if not postgres:
        return match
    if not stems:
        return Q(pk__in=rows.filter(match).values("pk"))
    from django.contrib.postgres.search import SearchQuery, SearchVector

    query = SearchQuery(_QUERY, config="german", search_type="plain")
    return match | Q(pk__in=rows.alias(vector=SearchVector(text, config="german")).filter(vector=query).values("pk"))


def _meetings_with_word(word: _Word, *, stems: bool) -> QuerySet:
    """The ids of the meetings whose folded title or network's folded name holds ``word``
    (PostgreSQL): or a near miss of it, or with ``stems`` its word stems. Two sets, each
    from an index: the meetings' title (``meetings.0019``), and the meetings of the few
    networks whose name matches."""
    from django.contrib.postgres.search import SearchQuery, SearchVector

    title = Q(search_name__contains=word.value)
    if word.similar:
        title |= Q(search_name__trigram_word_similar=word.value)
    meetings = Meeting.objects.order_by()
    networks = Network.objects.order_by()
    if stems:
        query = SearchQuery(_QUERY, config="german", search_type="plain")
        meetings = meetings.alias(vector=SearchVector("search_name", config="german"))
        networks = networks.alias(vector=SearchVector("search_name", config="german"))
        title |= Q(vector=query)
    by_title = meetings.filter(title).values("pk")
    by_network = Meeting.objects.order_by().filter(network_id__in=networks.filter(title).values("pk")).values("pk")
    return by_title.union(by_network, all=True)


def _meeting_text_filter(words: list[_Word]) -> Q:
    """What ``_text_filter`` finds in a meeting's folded title and its network's folded name
    joined, asked of each on its own: a word is in the text when it is in either (no word
    spans the space between them), a near miss of a word in either is a near miss in the
    text, and a single word's stems are in the text when they are in either.

    On PostgreSQL the meetings are those with the first word (``_meetings_with_word``; for
    a single word, with its stems) that have the others, too, and those whose joined text
    has the stems of several words: one ``pk IN (subquery)`` of a few index scans, where
    asking each part on every meeting (an OR the indexes cannot answer together) would join,
    fold and compare every meeting ever held. Only the stems of several words, which may
    fall into both parts, are still asked of the joined text.
    """
    match = Q()
    for word in words:
        word_match = Q(search_name__contains=word.value) | Q(network__search_name__contains=word.value)
        if _is_postgres() and word.similar:
            titles = Meeting.objects.order_by().filter(search_name__trigram_word_similar=word.value)
            names = Network.objects.order_by().filter(search_name__trigram_word_similar=word.value)
            word_match |= Q(pk__in=titles.values("pk")) | Q(network_id__in=names.values("pk"))
        match &= word_match
    if not _is_postgres():
        return match
    if len(words) == 1:
        return Q(pk__in=_meetings_with_word(words[0], stems=True))
    from django.contrib.postgres.search import SearchQuery, SearchVector

    with_all = Meeting.objects.order_by().filter(pk__in=_meetings_with_word(words[0], stems=False)).filter(match)
    query = SearchQuery(_QUERY, config="german", search_type="plain")
    text = Concat(F("search_name"), Value(" "), F("network__search_name"), output_field=TextField())
    joined = Meeting.objects.order_by().alias(vector=SearchVector(text, config="german")).filter(vector=query)
    return Q(pk__in=with_all.values("pk").union(joined.values("pk"), all=True))


# ``rank``: how the name (not the rest of the text) meets the query.
RANK_EXACT, RANK_STARTS, RANK_WORD_STARTS, RANK_CONTAINS, RANK_REST = range(5)


def _ranked(
    queryset: QuerySet,
    words: list[_Word],
    *,
    name,
    text,
    then: tuple,
    stems: bool = True,
    text_rank: bool = False,
    text_filter: Q | None = None,
    best_of: int | None = None,
) -> QuerySet:
    """``queryset`` filtered by the query and ordered by ``rank`` (0: the name is the query,
    1: starts with it, 2: every word starts a word of the name, 3: the name contains every
    word, 4: anything else), then by ``then``. ``name`` and ``text`` are stored folded
    columns (or plain concatenations of them): folding or comparing trigrams on every row
    of a table costs far more than a search may take.

    On PostgreSQL the hits of rank 4, which the name does not explain (found by the rest of
    the text, a word stem or a typo), are ordered by the trigram word similarity of the name
    first, and with ``text_rank`` then by the full text rank (for a text that says more
    than the name, as a network's description does). Both are computed only for those
    rows: a common word ("Einrichtung") matches thousands of names, and ordering them by
    similarity would cost tens of milliseconds for what rank 2 and 3 already say; the text
    rank builds the text vector of every row it orders. ``stems=False`` skips full text
    search where the text is only a name (people, areas, streets): names have no word stems.
    ``text_filter`` replaces the match of ``_text_filter`` where a kind matches its text
    better another way (``_meeting_text_filter``). With ``best_of`` (the limit of the
    query, on PostgreSQL) only the rows ``_best_of_each_rank`` picks are ranked.
    """
    queryset = queryset.alias(
        folded_name=name, folded_text=text, spaced_name=Concat(Value(" "), name, output_field=TextField())
    )
    rows = queryset
    postgres = _is_postgres()
    all_words_in_name = Q()
    all_words_start_words = Q()
    a_word_not_in_name = Q()
    for word in words:
        all_words_in_name &= Q(folded_name__contains=word.value)
        all_words_start_words &= Q(spaced_name__contains=word.spaced)
        a_word_not_in_name |= ~Q(folded_name__contains=word.value)
    if text_filter is None:
        text_filter = _text_filter(queryset.model, words, text=text, stems=stems)
    if postgres and best_of is not None:
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity

        words_in_text = Q()
        for word in words:
            words_in_text &= Q(folded_text__contains=word.value)
        names = [Q(folded_name=_QUERY), Q(folded_name__startswith=_QUERY), all_words_start_words, all_words_in_name]
        # Rank 4 in its order (below), so that it, too, needs only its first rows.
        rest = rows.filter(text_filter & a_word_not_in_name).alias(
            similarity=TrigramWordSimilarity(_QUERY, "folded_name")
        )
        order = ["-similarity"]
        if stems and text_rank:
            query = SearchQuery(_QUERY, config="german", search_type="plain")
            rest = rest.alias(text_rank=SearchRank(SearchVector(text, config="german"), query))
            order.append("-text_rank")
        best = _best_of_each_rank(
            rows.filter(words_in_text), names, rest.order_by(*order, *then), then=then, limit=best_of
        )
        # The rows picked pass ``text_filter`` already.
        queryset = queryset.filter(pk__in=best)
    else:
        queryset = queryset.filter(text_filter)
    queryset = queryset.annotate(
        rank=Case(
            When(folded_name=_QUERY, then=Value(RANK_EXACT)),
            When(folded_name__startswith=_QUERY, then=Value(RANK_STARTS)),
            When(all_words_start_words, then=Value(RANK_WORD_STARTS)),
            When(all_words_in_name, then=Value(RANK_CONTAINS)),
            default=Value(RANK_REST),
            output_field=IntegerField(),
        )
    )
    if not postgres:
        return queryset.order_by("rank", *then)
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity

    def for_the_rest(expression) -> Case:
        # Rank 4 is the name missing a word: the same test, without repeating the ranking.
        return Case(When(a_word_not_in_name, then=expression), default=Value(0.0), output_field=FloatField())

    queryset = queryset.annotate(similarity=for_the_rest(TrigramWordSimilarity(_QUERY, "folded_name")))
    if not (stems and text_rank):
        return queryset.order_by("rank", "-similarity", *then)
    rank_of_text = SearchRank(
        SearchVector(text, config="german"), SearchQuery(_QUERY, config="german", search_type="plain")
    )
    queryset = queryset.annotate(text_rank=for_the_rest(rank_of_text))
    return queryset.order_by("rank", "-similarity", "-text_rank", *then)


def _best_of_each_rank(rows: QuerySet, names: list[Q], rest: QuerySet, *, then: tuple, limit: int) -> QuerySet:
    """The ids among which the first ``limit`` hits of ``_ranked`` are: for each rank of the
    name (``names``: the name is the query, starts with it, every word starts a word of it,
    it contains every word), the first ``limit`` rows of at most that rank in the order
    ``then`` (the third only when the second is shorter); and, only when the names with
    every word are fewer than ``limit``, the first ``limit`` rows of ``rest`` (rank 4, in
    its order).

    A common word ("Einrichtung") is in thousands of names: ranking all of them to show
    ten costs time in proportion to the data. The sets of ``names`` grow one inside the
    next, and within a rank below 4 the hits are ordered by ``then`` alone, so a hit among
    the first ``limit`` is among the first ``limit`` of its rank's set in that order; once
    the last set holds ``limit`` rows, no row of rank 4 can be shown. A set of many rows is
    read in the order of an index on ``then`` and stops after ``limit`` rows. ``rows`` is
    the queryset with every word in its text (which the trigram index of the text answers
    for a rare word), and every name that holds the words passes it: each kind's text
    contains its name.
    """
    exact, starts, words_start, every_word = (rows.filter(condition) for condition in names)
    # PostgreSQL has no statistics on a name with a space before it and expects one row
    # where thousands start a word with the query: without the gate it would sort them all.
    words_start = words_start.filter(_fewer_than(starts, limit))
    found = None
    for rank_rows in (exact, starts, words_start, every_word):
        first = rank_rows.order_by(*then).values("pk")[:limit]
        found = first if found is None else found.union(first, all=True)
    # Rank 4 orders every row it holds by similarity: asked only when it may be shown.
    return found.union(rest.filter(_fewer_than(every_word, limit)).values("pk")[:limit], all=True)


def _fewer_than(rows: QuerySet, count: int) -> Exists:
    """Whether ``rows`` holds fewer than ``count`` rows, reading at most ``count``."""
    return ~Exists(rows.order_by()[count - 1 : count])


# What each kind's hits show (the page and ``netzwerk.api.serializers``), with the rows
# they point to.
NETWORK_HIT = ("id", "kind", "name", "short_name", "slug", "parent_id")
AREA_HIT = ("id", "level", "code", "name", "slug", "parent_id")


def _network_query(words: list[_Word], *, limit: int) -> _Compiled:
    """Active networks by name, short name and description."""
    networks = _ranked(
        Network.objects.filter(is_active=True),
        words,
        name=F("search_name"),
        text=F("search_text"),
        then=("name", "pk"),
        text_rank=True,
    )
    return _Compiled.of(networks, limit=limit, fields=NETWORK_HIT, related={"parent": ("id", "name")})


def _institution_query(words: list[_Word], *, limit: int) -> _Compiled:
    """Active institutions by name and street (all public)."""
    institutions = _ranked(
        Institution.objects.filter(is_active=True),
        words,
        name=F("search_name"),
        text=F("search_text"),
        then=("name", "pk"),
        best_of=limit,
    )
    shown = ("id", "name", "slug", "street", "postal_code", "city", "type_id")
    return _Compiled.of(institutions, limit=limit, fields=shown, related={"type": ("id", "name")})


def _name_visible_to(audience: Audience, *, day: datetime.date) -> Q:
    """People whose name ``audience`` may see, as far as the database can tell (the
    projection decides finally). Sozialplanung sees every name."""
    if audience.is_sozialplanung:
        return Q()
    name_consents = Consent.objects.filter(person=OuterRef("pk"), scope=Consent.Scope.NAME, withdrawn_at__isnull=True)
    visible = Q(Exists(name_consents.filter(audience=Visibility.PUBLIC)))
    if audience.person_id is not None:
        visible |= Q(pk=audience.person_id)
    if audience.network_ids:
        shared = Membership.objects.active(day).filter(person=OuterRef("pk"), network_id__in=audience.network_ids)
        visible |= Q(Exists(name_consents.filter(audience=Visibility.NETWORK_MEMBERS))) & Q(Exists(shared))
    return visible


def _person_query(words: list[_Word], *, limit: int, audience: Audience, day: datetime.date | None) -> _Compiled:
    """People whose name ``audience`` may see (``day`` only matters for members, whose
    networks' members they see), by that name; every column, for the projection."""
    people = _ranked(
        Person.objects.filter(_name_visible_to(audience, day=day)),
        words,
        name=F("search_name"),
        text=F("search_name"),
        then=("family_name", "given_name", "pk"),
        stems=False,
    )
    return _Compiled.of(people, limit=limit, fields=[field.attname for field in Person._meta.concrete_fields])


def _meeting_query(words: list[_Word], *, limit: int, sozialplanung: bool, network_ids: frozenset[int]) -> _Compiled:
    """Meetings by title and network name: public ones, and internal ones of
    ``network_ids`` (all of them for Sozialplanung). Upcoming first, soonest first; then
    past ones, latest first (``_NOW`` is the time of the search)."""
    meetings = Meeting.objects.filter(network__is_active=True)
    if not sozialplanung:
        meetings = meetings.filter(Q(visibility=MeetingVisibility.PUBLIC) | in_networks(network_ids))
    past = Case(When(end__lt=_NOW, then=Value(1)), default=Value(0), output_field=IntegerField())
    meetings = meetings.annotate(is_past=past)
    upcoming_start = Case(When(end__gte=_NOW, then=F("start"))).asc(nulls_last=True)
    meetings = _ranked(
        meetings,
        words,
        name=F("search_name"),
        text=Concat(F("search_name"), Value(" "), F("network__search_name"), output_field=TextField()),
        then=("is_past", upcoming_start, F("start").desc(), "pk"),
        text_filter=_meeting_text_filter(words),
    )
    shown = ("id", "uid", "network_id", "title", "start", "end", "status", "visibility")
    return _Compiled.of(meetings, limit=limit, fields=shown, related={"network": NETWORK_HIT})


def _area_query(words: list[_Word], *, limit: int) -> _Compiled:
    """Areas by name or official number."""
    areas = _ranked(
        Area.objects.all(),
        words,
        name=F("search_name"),
        text=F("search_text"),
        then=("level", "code", "pk"),
        stems=False,
    )
    return _Compiled.of(areas, limit=limit, fields=AREA_HIT, related={"parent": ("id", "name")})


def _street_query(words: list[_Word], *, limit: int) -> _Compiled:
    """Rows of the street index whose name matches, with their Lebensraum."""
    streets = _ranked(
        Street.objects.all(),
        words,
        name=F("search_name"),
        text=F("search_name"),
        then=("name", "number_from", "pk"),
        stems=False,
    )
    shown = ("id", "name", "number_from", "number_to", "parity", "postal_code", "area_id")
    return _Compiled.of(streets, limit=limit, fields=shown, related={"area": AREA_HIT})


_QUERIES = {
    "networks": _network_query,
    "institutions": _institution_query,
    "people": _person_query,
    "meetings": _meeting_query,
    "areas": _area_query,
    "streets": _street_query,
}
# Shapes kept per process: a few word counts and limits, times the audiences of people and
# meetings (one per member's set of networks).
COMPILED_MAX = 512


@functools.lru_cache(maxsize=COMPILED_MAX)
def _compiled(kind: str, vendor: str, shape: tuple[bool, ...], limit: int, **who) -> _Compiled:
    """The SQL of ``kind``'s search for queries of ``shape`` (see ``_Slot``); ``who`` are the
    arguments of the audience the query depends on."""
    return _QUERIES[kind](_slots(shape), limit=limit, **who)


def _hits(kind: str, words: list[str], *, limit: int, now: datetime.datetime | None = None, **who) -> list:
    compiled = _compiled(kind, connection.vendor, _shape(words), limit, **who)
    return compiled.run(_slot_values(words, now=now))


def network_search(words: list[str], *, limit: int) -> list[Network]:
    """Active networks by name, short name and description, with their parent's name."""
    return _hits("networks", words, limit=limit)


def institution_search(words: list[str], *, limit: int) -> list[Institution]:
    """Active institutions by name and street (all public), with their type's name."""
    return _hits("institutions", words, limit=limit)


@dataclass(frozen=True)
class PersonHit:
    """A person found by name: the projection, and the roles that are public anyway."""

    view: PersonView
    leading: list[Membership]


def person_search(
    words: list[str], *, audience: Audience, limit: int, day: datetime.date | None = None
) -> list[PersonHit]:
    """People whose visible name matches, projected for ``audience``, with the speaker roles
    they hold (which every network page shows)."""
    day = day or timezone.localdate()
    # The day decides only which members share a network with a member.
    people = _hits("people", words, limit=limit, audience=audience, day=day if audience.network_ids else None)
    leading = Prefetch(
        "memberships",
        queryset=Membership.objects.active(day)
        .leading()
        .filter(network__is_active=True)
        .select_related("network")
        .order_by("network__name", "role"),
        to_attr="search_leading",
    )
    prefetch_related_objects(people, *projection_prefetches(), leading)
    hits = []
    for person in people:
        view = project_person(person, audience, today=day)
        # The projection has the last word: a name it hides is never a hit.
        if view.name is not None:
            hits.append(PersonHit(view=view, leading=person.search_leading))
    return hits


def meeting_search(words: list[str], *, user, limit: int, now: datetime.datetime | None = None) -> list[Meeting]:
    """Meetings by title and network name: public ones, and internal ones of the networks
    ``user`` is a member of (all of them for Sozialplanung). Upcoming first, soonest first;
    then past ones, latest first."""
    roles = user_roles(user)
    network_ids = frozenset() if roles.is_sozialplanung else roles.member_network_ids
    return _hits(
        "meetings",
        words,
        limit=limit,
        now=now or timezone.now(),
        sozialplanung=roles.is_sozialplanung,
        network_ids=network_ids,
    )


def area_search(words: list[str], *, limit: int) -> list[Area]:
    """Areas by name or official number, with their parent's name."""
    return _hits("areas", words, limit=limit)


def street_search(words: list[str], *, limit: int) -> list[Street]:
    """Rows of the street index whose name matches, with their Lebensraum."""
    return _hits("streets", words, limit=limit)


@dataclass
class SearchResults:
    """Hits per kind; ``more`` names the kinds that had more hits than were kept.

    ``street_networks`` maps the id of a network listed because it is responsible for a
    street the query names (not because its own text matched) to those street names.
    ``suggestion`` is a corrected query ("Meinten Sie …?") when no name matched the query
    and the names Netzwerk holds suggest a spelling that finds something."""

    query: str
    networks: list[Network] = field(default_factory=list)
    institutions: list[Institution] = field(default_factory=list)
    people: list[PersonHit] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    streets: list[Street] = field(default_factory=list)
    more: set[str] = field(default_factory=set)
    street_networks: dict[int, list[str]] = field(default_factory=dict)
    suggestion: str | None = None

    @property
    def total(self) -> int:
        return sum(len(getattr(self, kind)) for kind in KINDS)

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    @property
    def network_rows(self) -> list[tuple[Network, list[str]]]:
        """Each network with the streets it is listed for (empty when its text matched)."""
        return [(network, self.street_networks.get(network.pk, [])) for network in self.networks]


def _networks_for_streets(results: SearchResults, streets: list[Street]) -> None:
    """Add to ``results.networks`` every network responsible for a street whose name the
    query names (exactly, at its start or word by word; not a street that merely contains
    the letters): a resident typing "Reichsweg" wants the OAG of the district as well as
    the Stadtteilkonferenz whose description happens to mention the street."""
    named = [street for street in streets if street.rank <= RANK_WORD_STARTS]
    if not named:
        return
    streets_of_area: dict[int, list[str]] = {}
    for street in named:
        names = streets_of_area.setdefault(street.area_id, [])
        if street.name not in names:
            names.append(street.name)
    listed = {network.pk for network in results.networks}
    for network, area_ids in networks_responsible_for(area_ids=set(streets_of_area)):
        street_names: list[str] = []
        for area_id in sorted(area_ids):
            street_names.extend(name for name in streets_of_area[area_id] if name not in street_names)
        if network.pk not in listed:
            results.networks.append(network)
            listed.add(network.pk)
        results.street_networks[network.pk] = street_names


# --- "Meinten Sie …?" ------------------------------------------------------------------

VOCABULARY_CACHE_KEY = "search:vocabulary"
VOCABULARY_CACHE_SECONDS = 600
# How alike a typed word and a known one must be (difflib's ratio) to be offered.
SUGGESTION_CUTOFF = 0.75
_DISPLAY_WORD = re.compile(r"[^\W\d_][\w*]*")


def _vocabulary() -> dict[str, str]:
    """Folded word → the word as written, over the names Netzwerk holds (networks, their
    short names, institutions, their types, areas, streets). Read at most every ten minutes:
    a word added since is offered a little later, which costs nothing but a suggestion."""
    vocabulary = cache.get(VOCABULARY_CACHE_KEY)
    if vocabulary is not None:
        return vocabulary
    texts: list[str] = []
    for name, short_name in Network.objects.filter(is_active=True).values_list("name", "short_name"):
        texts += [name, short_name]
    texts += Institution.objects.filter(is_active=True).values_list("name", flat=True)
    texts += InstitutionType.objects.values_list("name", flat=True)
    texts += Area.objects.values_list("name", flat=True)
    texts += Street.objects.values_list("name", flat=True).distinct()
    vocabulary = {}
    for text in texts:
        for word in _DISPLAY_WORD.findall(text or ""):
            folded = fold(word)
            if len(folded) >= TRIGRAM_MIN_LENGTH:
                vocabulary.setdefault(folded, word)
    cache.set(VOCABULARY_CACHE_KEY, vocabulary, VOCABULARY_CACHE_SECONDS)
    return vocabulary


def spelling_suggestion(query: str) -> str | None:
    """The query with each unknown word replaced by the most alike word Netzwerk holds
    ("Stadtteilkonferens" → "Stadtteilkonferenz", "Seniorn" → "Senioren"); ``None`` when
    every word is known or nothing alike is known."""
    words = _DISPLAY_WORD.findall(query[:QUERY_MAX_LENGTH])[:8]
    if not words:
        return None
    vocabulary = _vocabulary()
    corrected: list[str] = []
    changed = False
    for word in words:
        folded = fold(word)
        if folded in vocabulary or len(folded) < TRIGRAM_MIN_LENGTH:
            corrected.append(word)
            continue
        close = difflib.get_close_matches(folded, vocabulary, n=1, cutoff=SUGGESTION_CUTOFF)
        if close:
            corrected.append(vocabulary[close[0]])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None


def search(
    *, query: str, user, audience: Audience, limit: int = GROUP_LIMIT, kinds: tuple[str, ...] = KINDS
) -> SearchResults:
    """Search every kind in ``kinds`` for ``query`` as ``user`` (seen as ``audience``) may see it.

    A query without a single letter or digit finds nothing (and asks the database nothing).
    Networks include those responsible for a street the query names. A query that finds
    nothing, or only what a typo tolerance or word stem let through (on PostgreSQL), gets a
    ``suggestion`` when a close spelling of its words finds something.
    """
    results = _search(query=query, user=user, audience=audience, limit=limit, kinds=kinds)
    if not _any_name_matches(results) and fold_words(query[:QUERY_MAX_LENGTH]):
        suggestion = spelling_suggestion(query)
        if suggestion is not None:
            found = _search(query=suggestion, user=user, audience=audience, limit=1, kinds=kinds)
            if not found.is_empty:
                results.suggestion = suggestion
    return results


def _any_name_matches(results: SearchResults) -> bool:
    """Whether a hit's name contains every word of the query (people are found by name only)."""
    if results.people:
        return True
    return any(
        getattr(hit, "rank", RANK_REST) < RANK_REST
        for kind in ("networks", "institutions", "meetings", "areas", "streets")
        for hit in getattr(results, kind)
    )


def _search(*, query: str, user, audience: Audience, limit: int, kinds: tuple[str, ...]) -> SearchResults:
    results = SearchResults(query=query)
    words = fold_words(query[:QUERY_MAX_LENGTH])
    if not words:
        return results
    finders = {
        "networks": lambda n: network_search(words, limit=n),
        "institutions": lambda n: institution_search(words, limit=n),
        "people": lambda n: person_search(words, audience=audience, limit=n),
        "meetings": lambda n: meeting_search(words, user=user, limit=n),
        "areas": lambda n: area_search(words, limit=n),
        "streets": lambda n: street_search(words, limit=n),
    }
    streets: list[Street] | None = None
    for kind in KINDS:
        if kind not in kinds:
            continue
        # One more than shown tells whether there are more, without a COUNT.
        hits = finders[kind](limit + 1)
        if kind == "streets":
            streets = hits
        if len(hits) > limit:
            results.more.add(kind)
        setattr(results, kind, hits[:limit])
    if "networks" in kinds:
        if streets is None:
            streets = finders["streets"](limit + 1)
        _networks_for_streets(results, streets)
    return results


# --- the street lookup ----------------------------------------------------------------

STREET_SUGGESTIONS = 10
# "Jülicher Str." and "Pontstr" as people write them in addresses.
_STREET_ABBREVIATION = re.compile(r"(?i)(?<=\w|\s)str\.?$")
_HOUSE_NUMBER = re.compile(r"^(?P<name>.*?\D)[\s,]*(?P<number>\d{1,5})\s*[a-zA-Z]?\s*$")


def street_query_parse(text: str) -> tuple[str, int | None]:
    """("Reichsweg 12a") → ("Reichsweg", 12); a text without a house number keeps ``None``."""
    text = " ".join(text.split())[:QUERY_MAX_LENGTH]
    found = _HOUSE_NUMBER.match(text)
    number = None
    if found and found["name"].strip(" ,"):
        text, number = found["name"].strip(" ,"), int(found["number"])
    return _STREET_ABBREVIATION.sub("straße", text), number


def _streets_matching(folded_name: str, *, limit: int) -> list[Street]:
    """Rows whose folded name is ``folded_name``; else those starting with it; else those
    containing it; on PostgreSQL finally the near misses (typos)."""
    base = Street.objects.select_related("area__parent")
    exact = list(base.filter(search_name=folded_name).order_by("number_from", "pk")[:limit])
    if exact:
        return exact
    starts = Case(
        When(search_name__startswith=folded_name, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    found = list(
        base.filter(search_name__contains=folded_name)
        .annotate(starts=starts)
        .order_by("starts", "name", "number_from", "pk")[:limit]
    )
    if found or not _is_postgres() or len(folded_name) < TRIGRAM_MIN_LENGTH:
        return found
    from django.contrib.postgres.search import TrigramSimilarity

    return list(
        base.filter(search_name__trigram_similar=folded_name)
        .annotate(similarity=TrigramSimilarity("search_name", Value(folded_name)))
        .order_by("-similarity", "name", "number_from", "pk")[:limit]
    )


@dataclass(frozen=True)
class StreetLookup:
    """What a street typed on the start page leads to."""

    query: str
    name: str
    number: int | None
    streets: list[Street]
    # True when a house number was given but no range of the street holds it.
    number_unmatched: bool = False

    @property
    def areas(self) -> list[Area]:
        """The distinct Lebensräume of the matching rows, in the order found."""
        seen: dict[int, Area] = {}
        for street in self.streets:
            seen.setdefault(street.area_id, street.area)
        return list(seen.values())

    @property
    def single_area(self) -> Area | None:
        """The one Lebensraum all matches lie in (then the page can go straight there)."""
        areas = self.areas
        return areas[0] if len(areas) == 1 else None


def street_lookup(*, text: str, limit: int = 50) -> StreetLookup:
    """Find the street (and the range for a house number) that ``text`` names: "Reichsweg",
    "reichsw", "Reichsweg 12". One query, two more only when nothing matches exactly."""
    name, number = street_query_parse(text)
    folded = fold(name).strip()
    if not folded:
        return StreetLookup(query=text, name=name, number=number, streets=[])
    streets = _streets_matching(folded, limit=limit)
    unmatched = False
    if number is not None and streets:
        covering = [street for street in streets if street.covers(number)]
        if covering:
            streets = covering
        else:
            unmatched = True
    return StreetLookup(query=text, name=name, number=number, streets=streets, number_unmatched=unmatched)


def street_suggestions(*, text: str, limit: int = STREET_SUGGESTIONS) -> list[dict]:
    """Distinct street names for the typeahead, each with the Lebensräume it lies in."""
    name, _number = street_query_parse(text)
    folded = fold(name).strip()
    if len(folded) < 2:
        return []
    suggestions: dict[str, dict] = {}
    for street in _streets_matching(folded, limit=limit * 4):
        entry = suggestions.setdefault(street.name, {"name": street.name, "areas": []})
        if street.area.name not in entry["areas"]:
            entry["areas"].append(street.area.name)
        if len(suggestions) > limit:
            break
    return list(suggestions.values())[:limit]
