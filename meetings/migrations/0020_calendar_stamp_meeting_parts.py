"""The calendar stamps follow what a meeting shows besides its own row: its agenda items,
documents and minutes (the host network's stamp moves), and its series (the series'
network's stamp moves; the API shows a series only where its visibility allows).

The API's public list of meetings is kept per state of the stamps
(``meetings.api.selectors.CalendarState``); it must never outlive a change to
any of these, also not a bulk ``update()`` or ``delete()`` that no service sees — a
minutes' visibility set back to members-only above all. The services touch the meeting
for agenda items and documents already (the feeds show their titles), not for minutes
or a series. See 0011 and 0013 for the stamps.

A deleted meeting's agenda, documents and minutes go before the meeting itself (Django
deletes what refers to a row first), so their triggers still find its network.
"""

from importlib import import_module

from django.db import migrations

joint = import_module("meetings.migrations.0013_joint_meetings")
# 0013's runner (the statements of the database in use, refused on any other) and its
# SQLite bump of a row's ``network_id``.
_run = joint._run
_sqlite_bump_network = joint._sqlite_bump

TABLE = "meetings_calendarstamp"
BUMP = f"version = {TABLE}.version + 1, changed_at = excluded.changed_at"
# Tables with a ``meeting_id``: the stamp of the meeting's host network moves.
PARTS = ["meetings_agendaitem", "meetings_meetingdocument", "meetings_minutes"]
# Tables with a ``network_id``: that network's stamp moves (0013's partner function).
SERIES = "meetings_meetingseries"

POSTGRESQL_CREATE = f"""
CREATE FUNCTION meetings_meeting_part_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Ordered by network, as the other stamp triggers, so that statements touching the
    -- same networks lock their stamps in the same order.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {TABLE} (network_id, version, changed_at)
        SELECT DISTINCT m.network_id, 1, now()
        FROM meetings_meeting m WHERE m.id IN (SELECT meeting_id FROM new_rows)
        ORDER BY m.network_id
        ON CONFLICT (network_id) DO UPDATE SET {BUMP};
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO {TABLE} (network_id, version, changed_at)
        SELECT DISTINCT m.network_id, 1, now()
        FROM meetings_meeting m
        WHERE m.id IN (SELECT meeting_id FROM new_rows UNION SELECT meeting_id FROM old_rows)
        ORDER BY m.network_id
        ON CONFLICT (network_id) DO UPDATE SET {BUMP};
    ELSE
        INSERT INTO {TABLE} (network_id, version, changed_at)
        SELECT DISTINCT m.network_id, 1, now()
        FROM meetings_meeting m WHERE m.id IN (SELECT meeting_id FROM old_rows)
        ORDER BY m.network_id
        ON CONFLICT (network_id) DO UPDATE SET {BUMP};
    END IF;
    RETURN NULL;
END
$$;
""" + "".join(
    f"""
CREATE TRIGGER {table}_stamp_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_stamp_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_stamp_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();"""
    for table, function in [
        *((table, "meetings_meeting_part_stamp_bump") for table in PARTS),
        (SERIES, "meetings_partner_stamp_bump"),
    ]
)
POSTGRESQL_DROP = "".join(
    f"DROP TRIGGER IF EXISTS {table}_stamp_{event} ON {table};\n"
    for table in [*PARTS, SERIES]
    for event in ("insert", "update", "delete")
) + ("DROP FUNCTION IF EXISTS meetings_meeting_part_stamp_bump();\n")

NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"


def _sqlite_bump_meeting(row: str) -> str:
    return (
        f"INSERT INTO {TABLE} (network_id, version, changed_at) "
        f"SELECT network_id, 1, {NOW} FROM meetings_meeting WHERE id = {row}.meeting_id "
        f"ON CONFLICT (network_id) DO UPDATE SET {BUMP};"
    )


def _sqlite_triggers(table: str, bump) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_stamp_insert AFTER INSERT ON {table} BEGIN {bump('new')} END;",
        f"CREATE TRIGGER {table}_stamp_update AFTER UPDATE ON {table} BEGIN {bump('old')} {bump('new')} END;",
        f"CREATE TRIGGER {table}_stamp_delete AFTER DELETE ON {table} BEGIN {bump('old')} END;",
    ]


SQLITE_CREATE = [
    *(statement for table in PARTS for statement in _sqlite_triggers(table, _sqlite_bump_meeting)),
    *_sqlite_triggers(SERIES, _sqlite_bump_network),
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_stamp_{event};"
    for table in [*PARTS, SERIES]
    for event in ("insert", "update", "delete")
]


def triggers_create(apps, schema_editor):
    _run(schema_editor, [POSTGRESQL_CREATE], SQLITE_CREATE)


def triggers_drop(apps, schema_editor):
    _run(schema_editor, [POSTGRESQL_DROP], SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0019_search_meeting_search_indexes"),
    ]

    operations = [
        migrations.RunPython(triggers_create, triggers_drop),
    ]
