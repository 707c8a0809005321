"""Benchmark of the iCal feeds (issue 5, "Performance"): ``python -m bench.feeds [--keep]``.

Sets up its own PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/netzwerk_bench``; dropped and created fresh, dropped
again at the end unless ``--keep``), writes one network with 5,000 public meetings in the
feed window and a second one with 50,000, and measures in one run:

1. naive — every event built with ``icalendar`` (Calendar/Event, ``to_ical()``) from the
   rows on each request, as comparable projects do: the baseline;
2. cold — our feed right after the cache was cleared (every VEVENT rebuilt);
3. warm — an unchanged feed answered in full (every VEVENT from the cache);
4. 304 — ``If-None-Match`` with the current ETag: server time and queries;
5. peak memory while serving the 50,000-meeting feed (tracemalloc in this process, and
   the peak RSS of a fresh child process).

Server time is the view function called with a ``RequestFactory`` request, its streamed
body consumed in full (what the WSGI server does), on a persistent database connection
and the embedded locmem cache; no test Client and no WSGI server. The 304 is measured
that way and also through Django's whole handler (middleware and URL routing), which is
what its verdict uses. Machines are noisy, so every figure is a median and is compared
with the naive baseline of the same run as a ratio. A benchmark is not a test: the exit
status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
import warnings
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bench.common import (
    configure_environment,
    database_drop,
    database_recreate,
    database_vacuum_analyze,
    measure,
    row,
    verdict,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/netzwerk_bench"
BERLIN = ZoneInfo("Europe/Berlin")

FEED_MEETINGS = 5_000
BIG_FEED_MEETINGS = 50_000
# A third network for the 304 at three sizes: it must cost the same for each.
TINY_FEED_MEETINGS = 500
# Members-only meetings beside the public ones (10 %): the feed must filter them out.
INTERNAL_SHARE = 0.1
SEED = 5

NAIVE_RUNS = 5
COLD_RUNS = 5
WARM_RUNS = 15
CHANGED_RUNS = 5
NOT_MODIFIED_RUNS = 300
NEW_CONNECTION_RUNS = 50
PROFILE_RUNS = 300

TARGET_WARM_SPEEDUP = 20.0
TARGET_304_QUERIES = 2
TARGET_304_MS = 5.0
TARGET_PEAK_MB = 300.0

SLUG = "stk-ost-bench"
BIG_SLUG = "oag-brand-bench"
TINY_SLUG = "ak-senioren-bench"


# Data ---------------------------------------------------------------------------------

INSTITUTIONS = [
    ("Begegnungszentrum St. Fronleichnam", "Schleswigstraße 21", "52068"),
    ("Familienzentrum Kita Kronenberg", "Kronenberg 128", "52074"),
    ("Bürgerhaus Driescher Hof", "Driescher Gässchen 2", "52062"),
    ("Seniorenbegegnungsstätte Rothe Erde", "Elsassstraße 45", "52068"),
    ("Stadtteilbüro Aachen-Ost", "Scheibenstraße 23", "52070"),
    ("Jugendzentrum „Talbot“", "Talbotstraße 10", "52068"),
    ("Katholische Hochschulgemeinde", "Pontstraße 74–76", "52062"),
    ("Volkshochschule Aachen, Haus 2", "Peterstraße 21–25", "52062"),
    ("Gemeindezentrum Arche", "Pommerotter Weg 17", "52076"),
    ("Quartiersbüro Brand", "Trierer Straße 805", "52078"),
    ("Nachbarschaftstreff Preuswald", "Reimser Straße 49", "52074"),
    ("Caritas-Zentrum Süd", "Hauptstraße 84", "52066"),
]
FREE_ADDRESSES = [
    "Rathaus Aachen, Markt, 52062 Aachen",
    "Verwaltungsgebäude Katschhof, Johannes-Paul-II.-Straße 1, 52062 Aachen",
    "Gaststätte „Zum Alten Zoll“, Trierer Straße 12, 52078 Aachen",
    "Pfarrheim St. Donatus, Karl-Kuck-Straße 4, 52078 Aachen",
    "Schulzentrum Laurensberg, Rathausstraße 12, 52072 Aachen",
]
ROOMS = ["", "", "Raum 1.14", "Saal (Erdgeschoss)", "Cafeteria", "Seminarraum 3", "Raum E 05; Eingang über den Hof"]
TIMES = [(9, 0), (10, 0), (14, 0), (15, 30), (17, 0), (18, 0), (18, 30), (19, 0)]
DURATIONS = [60, 90, 90, 120, 120, 150, 180]
TITLES = [
    "Sitzung",
    "Plenum",
    "{short}: Plenum",
    "Sitzung der {name}",
    "Arbeitskreis Wohnen im Alter",
    "Vorbereitungstreffen Stadtteilfest",
    "Runder Tisch Kinderarmut",
    "Fachtag: Einsamkeit im Alter – Wege aus der Isolation",
    "Jahrestreffen mit Bericht der Sprecherinnen und Sprecher",
    "Netzwerktreffen Übergang Schule/Beruf",
]
AGENDA = [
    "Begrüßung, Vorstellungsrunde, Genehmigung des Protokolls der letzten Sitzung",
    "Bericht aus dem Quartiersmanagement",
    "Stadtteilfest: Planung, Aufgaben, Zuständigkeiten",
    "Neues aus den Einrichtungen (Kitas, Schulen, Seniorenarbeit)",
    "Sozialraummonitoring 2025: Vorstellung der Kennzahlen durch die Sozialplanung, Diskussion",
    "Barrierefreiheit im öffentlichen Raum; Rückmeldungen, Beschwerden, nächste Schritte",
    "Wahl der Sprecherin / des Sprechers",
    "Fördermittel „Soziale Stadt“ – Stand der Anträge",
    "Termine und Verschiedenes",
]
INTERNAL_AGENDA = "Personalangelegenheiten (nicht öffentlich)"


def data_create(*, rng: random.Random) -> dict[str, int]:
    """Two networks, their institutions, meetings and agendas, written with ``bulk_create``."""
    from contacts.models import Institution, InstitutionType, Network

    kind = InstitutionType.objects.order_by("slug").first()
    institutions = Institution.objects.bulk_create(
        Institution(name=name, slug=f"bench-{number}", type=kind, street=street, postal_code=code)
        for number, (name, street, code) in enumerate(INSTITUTIONS)
    )
    small = Network.objects.create(
        kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE,
        name="Stadtteilkonferenz Aachen-Ost/Rothe Erde",
        short_name="STK Ost",
        slug=SLUG,
    )
    big = Network.objects.create(
        kind=Network.Kind.SENIORS_WORKING_GROUP,
        name="Örtliche Arbeitsgemeinschaft der Altenarbeit Brand",
        short_name="OAG Brand",
        slug=BIG_SLUG,
    )
    tiny = Network.objects.create(
        kind=Network.Kind.WORKING_GROUP,
        name="Arbeitskreis Seniorenarbeit Haaren",
        short_name="AK Senioren Haaren",
        slug=TINY_SLUG,
    )
    counts = {"institutions": len(institutions)}
    for network, public in ((tiny, TINY_FEED_MEETINGS), (small, FEED_MEETINGS), (big, BIG_FEED_MEETINGS)):
        meetings, items = meetings_create(network, public=public, institutions=institutions, rng=rng)
        counts[f"{network.slug}: meetings"] = meetings
        counts[f"{network.slug}: agenda items"] = items
    return counts


def meetings_create(network, *, public: int, institutions: list, rng: random.Random) -> tuple[int, int]:
    """``public`` public meetings of ``network`` spread over the feed window, plus 10 %
    members-only ones; about 60 % with an agenda of 3 to 8 items. Returns row counts."""
    from django.utils import timezone

    from meetings.models import AgendaItem, Meeting, Visibility

    now = timezone.now()
    today = timezone.localdate(now)
    internal = int(public * INTERNAL_SHARE)
    rows = []
    for number in range(public + internal):
        # Inside the window (one year back, 13 months ahead) with a day of margin.
        day = today + datetime.timedelta(days=rng.randrange(-363, 393))
        hour, minute = rng.choice(TIMES)
        start = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BERLIN)
        end = start + datetime.timedelta(minutes=rng.choice(DURATIONS))
        roll = rng.random()
        if roll < 0.03:
            status = Meeting.Status.CANCELLED
        elif start < now:
            status = Meeting.Status.HELD if roll < 0.8 else Meeting.Status.CONFIRMED
        else:
            status = Meeting.Status.CONFIRMED if roll < 0.6 else Meeting.Status.PLANNED
        place = rng.random()
        institution, address, room, online = None, "", rng.choice(ROOMS), ""
        if place < 0.6:
            institution = rng.choice(institutions)
        elif place < 0.9:
            address = rng.choice(FREE_ADDRESSES)
        else:
            room = ""
        if place >= 0.9 or rng.random() < 0.15:
            online = f"https://meet.example.org/{network.slug}-{number:06d}"
        rows.append(
            Meeting(
                uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                network=network,
                title=rng.choice(TITLES).format(short=network.short_name, name=network.name),
                start=start,
                end=end,
                status=status,
                visibility=Visibility.PUBLIC if number < public else Visibility.MEMBERS,
                sequence=rng.choice([0, 0, 0, 1, 1, 2, 3]),
                institution=institution,
                address=address,
                room=room,
                online_url=online,
            )
        )
    Meeting.objects.bulk_create(rows, batch_size=2000)
    items = []
    for meeting in rows:
        if rng.random() >= 0.6:
            continue
        titles = rng.sample(AGENDA, rng.randint(3, 8))
        if rng.random() < 0.15:
            titles.insert(rng.randrange(len(titles)), INTERNAL_AGENDA)
        items += [
            AgendaItem(meeting=meeting, position=position, title=title, is_public=title != INTERNAL_AGENDA)
            for position, title in enumerate(titles, start=1)
        ]
    AgendaItem.objects.bulk_create(items, batch_size=5000)
    return len(rows), len(items)


# The baseline ----------------------------------------------------------------------------


def naive_feed(request, slug: str):
    """The feed as comparable projects build it: model instances (``select_related`` and
    one prefetch for the public agenda), one ``icalendar.Event`` per meeting, ``to_ical()``
    on every request. Same meetings and the same properties as the real feed."""
    import icalendar
    from django.conf import settings
    from django.db.models import Prefetch
    from django.http import HttpResponse
    from django.urls import reverse
    from django.utils import timezone

    from contacts.models import Network
    from meetings import feeds as meeting_feeds
    from meetings import ical
    from meetings.models import AgendaItem, Meeting, Visibility

    now = timezone.now()
    network = Network.objects.get(slug=slug)
    meetings = (
        meeting_feeds.feed_window(Meeting.objects.filter(network=network, visibility=Visibility.PUBLIC), now=now)
        .select_related("network", "institution")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.filter(is_public=True).order_by("position", "pk"),
                to_attr="public_agenda",
            )
        )
        .order_by("start", "pk")
    )
    url = settings.SITE_URL + reverse("directory:network_detail", args=[network.slug])
    calendar = icalendar.Calendar()
    calendar.add("prodid", ical.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", network.name)
    calendar.add("x-wr-caldesc", f"Öffentliche Sitzungen: {network.name}")
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"{meeting.uid}@netzwerk.aachen.de")
        event.add("sequence", meeting.sequence)
        event.add("dtstamp", meeting.updated_at)
        event.add("dtstart", meeting.start.astimezone(BERLIN))
        event.add("dtend", meeting.end.astimezone(BERLIN))
        prefix = "Abgesagt: " if meeting.status == Meeting.Status.CANCELLED else ""
        event.add("summary", f"{prefix}{meeting.title} ({network.short_name})")
        event.add("status", "CANCELLED" if prefix else "CONFIRMED")
        if meeting.institution is not None:
            place = ", ".join(
                part
                for part in (
                    meeting.institution.name,
                    meeting.institution.street,
                    f"{meeting.institution.postal_code} {meeting.institution.city}",
                    meeting.room,
                )
                if part
            )
        else:
            place = ", ".join(part for part in (meeting.address, meeting.room) if part)
        if place:
            event.add("location", place)
        lines = [network.name]
        if meeting.public_agenda:
            lines += ["", "Tagesordnung:"]
            lines += [f"{number}. {item.title}" for number, item in enumerate(meeting.public_agenda, start=1)]
        if meeting.online_url:
            lines += ["", f"Online-Teilnahme: {meeting.online_url}"]
        lines += ["", f"Mehr Informationen: {url}"]
        event.add("description", "\n".join(lines))
        event.add("url", url)
        event.add("created", meeting.created_at)
        event.add("last-modified", meeting.updated_at)
        calendar.add_component(event)
    # The VTIMEZONE for the TZIDs used (icalendar derives it from zoneinfo).
    calendar.add_missing_timezones()
    return HttpResponse(calendar.to_ical(), content_type=ical.CONTENT_TYPE)


# Measuring -------------------------------------------------------------------------------


def consume(response) -> int:
    """Read the whole body as a WSGI server would (and drop it); returns its size."""
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def peak_rss_mb() -> float:
    """This process's peak RSS in MB.

    VmHWM belongs to the address space, which ``exec`` replaces; ``ru_maxrss`` survives
    ``fork``/``exec`` and would report the parent's size in a child process.
    """
    peak = _proc_status_mb("VmHWM")
    if peak is not None:
        return peak
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _proc_status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak RSS (VmHWM) of this process; Linux only."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def memory_child(slug: str) -> None:
    """Run in a fresh process: serve the big feed cold, then warm; print RSS figures as JSON."""
    import django

    django.setup()
    from django.db import connection
    from django.test import RequestFactory
    from django.urls import reverse

    from meetings.views import feeds as views

    factory = RequestFactory()
    path = reverse("feeds:network", args=[slug])
    connection.ensure_connection()
    # HEAD answers from the aggregate alone: imports and the connection, no meeting.
    views.feed_network(factory.head(path), slug=slug)
    base = _proc_status_mb("VmRSS") or peak_rss_mb()
    size = consume(views.feed_network(factory.get(path), slug=slug))
    cold_peak = peak_rss_mb()
    rss_before_warm = _proc_status_mb("VmRSS")
    warm_peak = None
    if _reset_peak_rss():
        consume(views.feed_network(factory.get(path), slug=slug))
        warm_peak = _proc_status_mb("VmHWM")
    print(
        json.dumps(
            {
                "base_mb": base,
                "cold_peak_mb": cold_peak,
                "rss_before_warm_mb": rss_before_warm,
                "warm_peak_mb": warm_peak,
                "bytes": size,
            }
        )
    )


# The run ---------------------------------------------------------------------------------


def run(*, database_url: str) -> None:
    """Create the database and the data, measure every scenario, print the table."""
    import django

    started = time.perf_counter()
    print(f"bench.feeds: creating database {urlsplit(database_url).path.lstrip('/')} …", flush=True)
    database_recreate(database_url)
    django.setup()
    import icalendar
    from django.core.cache import cache
    from django.core.handlers.base import BaseHandler
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from meetings.models import Meeting
    from meetings.views import feeds as views

    call_command("migrate", verbosity=0, interactive=False)
    print(f"  migrated in {time.perf_counter() - started:.1f} s", flush=True)
    began = time.perf_counter()
    counts = data_create(rng=random.Random(SEED))
    print(f"  data written in {time.perf_counter() - began:.1f} s: {counts}", flush=True)
    database_vacuum_analyze(database_url)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]

    factory = RequestFactory()
    path = reverse("feeds:network", args=[SLUG])

    def ours(**headers):
        return views.feed_network(factory.get(path, headers=headers), slug=SLUG)

    def naive():
        return naive_feed(factory.get(path), slug=SLUG)

    # Warm-up (not measured): imports, URL resolver, query compilation, the cache.
    first = body(ours())
    naive_bytes = body(naive())
    events = first.count(b"BEGIN:VEVENT")
    naive_events = naive_bytes.count(b"BEGIN:VEVENT")
    print(
        f"  feed: {events} events, {len(first) / 1e6:.2f} MB; naive: {naive_events} events, "
        f"{len(naive_bytes) / 1e6:.2f} MB",
        flush=True,
    )

    print("  naive …", flush=True)
    naive_sample = measure(lambda: consume(naive()), NAIVE_RUNS)
    print("  cold …", flush=True)
    cold_sample = measure(lambda: consume(ours()), COLD_RUNS, before=cache.clear)
    cache.clear()
    cold_body = body(ours())
    warm_body = body(ours())
    print("  warm …", flush=True)
    warm_sample = measure(lambda: consume(ours()), WARM_RUNS)

    # One meeting edited between two polls (the usual change): one VEVENT rebuilt.
    edited = list(
        Meeting.objects.filter(network__slug=SLUG, visibility="oeffentlich")
        .order_by("-start")
        .values_list("pk", flat=True)[:CHANGED_RUNS]
    )
    edits = iter(edited)

    def edit_one():
        Meeting.objects.filter(pk=next(edits)).update(sequence=F("sequence") + 1, updated_at=timezone.now())

    print("  changed (one meeting edited) …", flush=True)
    changed_sample = measure(lambda: consume(ours()), CHANGED_RUNS, before=edit_one)

    response = ours()
    consume(response)
    etag = response["ETag"]
    print("  304 …", flush=True)
    view_304 = measure(lambda: ours(if_none_match=etag), NOT_MODIFIED_RUNS)
    handler = BaseHandler()
    with warnings.catch_warnings():
        # WhiteNoise warns that STATIC_ROOT does not exist; no static file is served here.
        warnings.simplefilter("ignore", UserWarning)
        handler.load_middleware()

    def handled_304():
        return handler.get_response(factory.get(path, headers={"if-none-match": etag}))

    statuses = {handled_304().status_code for _ in range(5)}
    handler_304 = measure(handled_304, NOT_MODIFIED_RUNS)
    # Counted by CaptureQueriesContext; timed here, since Django logs whole milliseconds.
    sql_times: list[float] = []
    per_query: dict[int, list[float]] = {}
    query_counts: set[int] = set()
    # The statements with their values, for EXPLAIN below: the captured SQL of a statement
    # run with server-side binding shows $1 placeholders, not the values.
    executed: list[tuple[str, object]] = []
    for _ in range(100):
        timings: list[float] = []
        executed.clear()

        def timed(execute, sql, params, many, context, timings=timings):
            executed.append((sql, params))
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append(time.perf_counter() - began)

        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
            handled_304()
        query_counts.add(len(captured.captured_queries))
        sql_times.append(sum(timings))
        for number, seconds in enumerate(timings):
            per_query.setdefault(number, []).append(seconds)
    queries_304 = max(query_counts)
    statements_304 = [query["sql"] for query in captured.captured_queries]
    sql_ms = statistics.median(sql_times) * 1000

    def round_trip():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    round_trip_sample = measure(round_trip, NOT_MODIFIED_RUNS)

    def reconnect():
        connection.close()

    new_connection_304 = measure(handled_304, NEW_CONNECTION_RUNS, before=reconnect)

    # The 304 of feeds of 500, 5,000 and 50,000 meetings, and of the whole city's feed:
    # the ETag comes from the networks' calendar stamps, so the size must not show.
    print("  304 at three sizes and for the city …", flush=True)
    sized_304 = {}
    for label, feed_path in (
        (f"{TINY_FEED_MEETINGS:,} meetings", reverse("feeds:network", args=[TINY_SLUG])),
        (f"{FEED_MEETINGS:,} meetings", path),
        (f"{BIG_FEED_MEETINGS:,} meetings", reverse("feeds:network", args=[BIG_SLUG])),
        ("city (all three)", reverse("feeds:city")),
    ):
        feed_etag = handler.get_response(factory.get(feed_path))["ETag"]

        def sized(feed_path=feed_path, feed_etag=feed_etag):
            return handler.get_response(factory.get(feed_path, headers={"if-none-match": feed_etag}))

        with CaptureQueriesContext(connection) as captured:
            status = sized().status_code
        sized_304[label] = (measure(sized, NOT_MODIFIED_RUNS), len(captured.captured_queries), status)

    print("  memory, 50,000 meetings (child process) …", flush=True)
    child = subprocess.run(
        [sys.executable, "-m", "bench.feeds", "--memory-child", BIG_SLUG],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    child_figures = json.loads(child.stdout.strip().splitlines()[-1]) if child.returncode == 0 else None
    if child_figures is None:
        print(f"  child process failed ({child.returncode}): {child.stderr[-2000:]}")

    print("  memory, 50,000 meetings (tracemalloc) …", flush=True)
    big_path = reverse("feeds:network", args=[BIG_SLUG])

    def big():
        return consume(views.feed_network(factory.get(big_path), slug=BIG_SLUG))

    tracemalloc.start()
    traced_base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    big_began = time.perf_counter()
    big_bytes = big()
    big_cold_s = time.perf_counter() - big_began
    traced_after_cold, traced_cold_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    big()
    traced_warm_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    mb = 1024 * 1024

    # The table -----------------------------------------------------------------------
    base = naive_sample.median_ms
    print()
    print("=" * 118)
    print(
        f"Feed benchmark — {events:,} public meetings in one network feed; PostgreSQL {server_version}, "
        f"Python {platform.python_version()}, Django {django.get_version()}, icalendar {icalendar.__version__}"
    )
    print(
        "Server time: view called with a RequestFactory request, streamed body consumed; persistent DB "
        "connection; locmem cache."
    )
    print("Ratio: naive median / this median (how many times faster than the naive baseline).")
    print("-" * 118)
    print(f"{'measure':<36} {'runs':>4} {'median':>14} {'min–max (ms)':>22} {'ratio':>10}  {'target':<22} verdict")
    row("1 naive (icalendar, every request)", naive_sample, ratio="1.0×", target="baseline")
    cold_ratio = base / cold_sample.median_ms
    row(
        "2 cold (cache cleared)",
        cold_sample,
        ratio=f"{cold_ratio:.1f}×",
        target="not slower than naive",
        verdict=verdict(cold_sample.median_ms <= base),
    )
    warm_ratio = base / warm_sample.median_ms
    row(
        "3 warm (unchanged, full body)",
        warm_sample,
        ratio=f"{warm_ratio:.1f}×",
        target=f"≥ {TARGET_WARM_SPEEDUP:.0f}× faster",
        verdict=verdict(warm_ratio >= TARGET_WARM_SPEEDUP),
    )
    row("  changed (one meeting edited)", changed_sample, ratio=f"{base / changed_sample.median_ms:.1f}×")
    ok_304 = queries_304 <= TARGET_304_QUERIES and handler_304.median_ms < TARGET_304_MS
    row(
        "4 304 (whole handler, middleware)",
        handler_304,
        ratio=f"{base / handler_304.median_ms:.0f}×",
        target=f"< {TARGET_304_MS:.0f} ms, ≤ {TARGET_304_QUERIES} queries",
        verdict=verdict(ok_304),
    )
    row("  304 queries (CaptureQueriesContext)", None, value=f"{queries_304}", target=f"≤ {TARGET_304_QUERIES}")
    row("  304 time in SQL, all queries", None, value=f"{sql_ms:10.2f} ms", target="median; execute() round trips")
    for number, times in sorted(per_query.items()):
        label = statements_304[number][:24].replace("\n", " ") if number < len(statements_304) else "?"
        row(f"    query {number + 1}: {label}", None, value=f"{statistics.median(times) * 1000:10.2f} ms")
    smallest = min(sample.median_ms for sample, _queries, _status in sized_304.values())
    for label, (sample, queries, status) in sized_304.items():
        ok = status == 304 and queries <= TARGET_304_QUERIES and sample.median_ms < TARGET_304_MS
        row(
            f"  304, {label}: {queries} queries",
            sample,
            ratio=f"{sample.median_ms / smallest:.2f}× min",
            target=f"< {TARGET_304_MS:.0f} ms, ≤ {TARGET_304_QUERIES} q",
            verdict=verdict(ok),
        )
        ok_304 = ok_304 and ok
    row("  SELECT 1 round trip", round_trip_sample, target="floor per query")
    row("  304 (view only)", view_304, ratio=f"{base / view_304.median_ms:.0f}×")
    row("  304 with a new DB connection", new_connection_304, target="info: CONN_MAX_AGE=0")
    print(f"  304 status codes seen: {sorted(statuses)}")
    print("-" * 118)
    print(
        f"5 peak memory, 50,000-meeting feed ({big_bytes / 1e6:.1f} MB body; cold build took {big_cold_s:.1f} s "
        "under tracemalloc)"
    )
    verdict_memory = None
    if child_figures is not None:
        cold_peak = child_figures["cold_peak_mb"]
        verdict_memory = cold_peak < TARGET_PEAK_MB
        row(
            "  child process, peak RSS (cold)",
            None,
            value=f"{cold_peak:8.1f} MB",
            target=f"< {TARGET_PEAK_MB:.0f} MB",
            verdict=verdict(verdict_memory),
        )
        row("  … of which serving (above base)", None, value=f"{cold_peak - child_figures['base_mb']:8.1f} MB")
        row("  … process before serving", None, value=f"{child_figures['base_mb']:8.1f} MB")
        if child_figures["warm_peak_mb"] is not None:
            row(
                "  child, warm: peak RSS − RSS before",
                None,
                value=f"{child_figures['warm_peak_mb'] - child_figures['rss_before_warm_mb']:8.1f} MB",
            )
    row("  tracemalloc peak above base, cold", None, value=f"{(traced_cold_peak - traced_base) / mb:8.1f} MB")
    row("  … kept afterwards (locmem cache)", None, value=f"{(traced_after_cold - traced_base) / mb:8.1f} MB")
    row("  tracemalloc peak above start, warm", None, value=f"{(traced_warm_peak - traced_after_cold) / mb:8.1f} MB")
    print("-" * 118)
    print(f"Output checks: warm body == cold body: {warm_body == cold_body}; events in feed: {events}")
    print(
        "Verdicts: "
        f"cold {verdict(cold_sample.median_ms <= base)}, "
        f"warm {verdict(warm_ratio >= TARGET_WARM_SPEEDUP)}, "
        f"304 {verdict(ok_304)}, "
        f"memory {'n/a' if verdict_memory is None else verdict(verdict_memory)}"
    )
    print(f"Total time {time.perf_counter() - started:.0f} s")
    print("=" * 118)

    if not ok_304:
        print("\nThe 304 misses its target; where its time goes.")
        print("Plan of each query (EXPLAIN ANALYZE, BUFFERS):")
        with connection.cursor() as cursor:
            for (statement, params), captured_sql in zip(executed, statements_304, strict=True):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                print("  " + captured_sql)
                print("\n".join("    " + line for (line,) in cursor.fetchall()))
        print(f"cProfile of {PROFILE_RUNS} requests through the whole handler:")
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(PROFILE_RUNS):
            handled_304()
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(20)
        stats.sort_stats("tottime").print_stats(12)
        print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the bench database in place")
    parser.add_argument("--memory-child", metavar="SLUG", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    configure_environment(database_url)
    if options.memory_child:
        memory_child(options.memory_child)
        return 0
    try:
        run(database_url=database_url)
    finally:
        if options.keep:
            print(f"bench database kept: {database_url}")
        else:
            database_drop(database_url)
    # A benchmark is not a test: the verdicts are printed, the exit status stays 0.
    return 0


if __name__ == "__main__":
    sys.exit(main())
