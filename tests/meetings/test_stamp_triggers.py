"""The stamps that feeds and cached fragments trust are kept by database triggers. On SQLite
a migration that rebuilds a table drops its triggers silently (it happened once: the
guests' columns rebuilt ``meetings_meeting`` and the feeds stopped seeing changes), so the
migrated schema is checked here on both databases."""

from importlib import import_module

import pytest
from django.db import connection

DIRECTORY_TABLES = import_module("contacts.migrations.0021_speedpages_directory_stamp").WATCHED
_parts = import_module("meetings.migrations.0020_calendar_stamp_meeting_parts")
MEETING_PARTS = [*_parts.PARTS, _parts.SERIES]
# The mail stamp's tables (a send task compares the stamps before each mail's data).
MAIL_TABLES = [table for table, _events in import_module("notifications.migrations.0021_mail_stamp").WATCHED]


def trigger_count(table: str) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        else:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "least"),
    [
        # Insert, update and delete move the calendar stamp (one trigger each on SQLite,
        # one or more on PostgreSQL).
        ("meetings_meeting", 1),
        ("meetings_meetingpartner", 2),
        # What the API's list shows of a meeting besides its row (meetings 0020).
        *((table, 3) for table in MEETING_PARTS),
        *((table, 1) for table in DIRECTORY_TABLES),
        *((table, 1) for table in MAIL_TABLES),
    ],
)
def test_every_stamped_table_has_its_triggers_after_all_migrations(table, least):
    assert trigger_count(table) >= least
