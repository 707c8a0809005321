"""Demo data: the real geography and networks of Aachen, invented institutions and people,
and a calendar around the day the seed runs.

The data (names, places, rhythms, texts, with notes on what is verified and what is
invented) lives in ``netzwerk/data/demo.toml`` and is read by ``data``; ``directory`` seeds
the directory, ``calendar`` plans and lives the calendar through the services. Every row
the seed makes is demo data and shows the "Demodaten – fiktiv" marker.
"""

import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from netzwerk.demo import calendar as demo_calendar
from netzwerk.demo import history as demo_history
from netzwerk.demo.data import DEMO_LOGINS, PLANNER, TOPICS, DemoLogin
from netzwerk.demo.directory import demo_logins_present, directory_seed, real_data_present
from netzwerk.demo.documents import documents_seed
from netzwerk.demo.figures import figures_seed
from netzwerk.demo.freshness import freshness_seed
from netzwerk.demo.guests import guests_seed
from netzwerk.demo.imports import import_seed
from netzwerk.demo.joint import joint_seed
from netzwerk.demo.privacy import privacy_seed
from netzwerk.demo.results import results_seed
from netzwerk.demo.rundmail import rundmail_seed
from netzwerk.demo.sync import SeedReport
from netzwerk.selectors import DEMO_MARKER_CACHE_KEY

__all__ = [
    "DEMO_LOGINS",
    "TOPICS",
    "DemoLogin",
    "SeedReport",
    "demo_logins_present",
    "demo_seed",
    "real_data_present",
]


def demo_seed(*, refresh: bool = False, calendar: bool = True, now: datetime.datetime | None = None) -> SeedReport:
    """Load the demo data; idempotent. With ``refresh``, plan the calendar anew around ``now``.

    The directory is brought up to date on every run. The calendar (unless ``calendar`` is
    false) is planned when no demo network has one yet; a calendar that exists is kept as it is (``report.stale_since``
    says when an old one's last meeting was held), unless ``refresh`` removes it first. ``now`` (the
    present by default) is the moment the demo is built around.

    Side effects, all in one transaction: see ``directory.directory_seed``, ``joint.joint_seed``,
    ``history.history_seed``, ``documents.documents_seed``, ``figures.figures_seed`` and
    ``calendar.calendar_seed`` (and
    ``calendar.calendar_clear`` with ``refresh``); clears the cached demo marker afterwards.
    """
    now = now or timezone.now()
    report = SeedReport()
    with transaction.atomic():
        directory = directory_seed(report, today=now.astimezone(demo_calendar.BERLIN).date())
        if refresh:
            demo_calendar.calendar_clear(report)
        if calendar and not demo_calendar.calendar_present():
            demo_calendar.calendar_seed(report, directory, now=now)
        elif demo_calendar.calendar_is_stale(now):
            report.stale_since = demo_calendar.calendar_last_held()
        if calendar:
            # After the calendar: a refresh removed the old joint meeting with it.
            joint_seed(report, directory, now=now)
        privacy_seed(report, people=directory.people, recorded_by=directory.users[PLANNER.email], now=now)
        demo_history.history_seed(report, directory, now=now)
        documents_seed(report, directory, now=now)
        # After the calendar (its replayed sweeps must not see entries as stale); before the
        # import, whose new entries would read as „Stand already seeded“.
        freshness_seed(report, directory, now=now)
        # Guests of an open meeting: after the calendar (which it must not disturb).
        if calendar:
            guests_seed(report, directory, now=now)
        # After the calendar: results under its TOPs, a Sondersitzung with draft minutes.
        results_seed(report, directory, now=now)
        import_seed(report, directory, now=now)
        rundmail_seed(report, directory, now=now)
        # Last: the map places every institution, also those the import story adds.
        figures_seed(report)
    cache.delete(DEMO_MARKER_CACHE_KEY)
    return report
