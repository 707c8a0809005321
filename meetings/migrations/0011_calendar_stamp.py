"""The feeds' calendar stamps, kept by triggers on the meetings table.

A trigger sees every write, also a bulk ``update()`` or ``delete()`` and the cascade from a
deleted network, which a service or a signal would miss. PostgreSQL runs one statement-level
trigger per statement (a series of 500 meetings bumps its network once); SQLite has only
row-level triggers, which is enough for the demo.
"""

from django.db import migrations, models
from django.db.models import Count, Max

TABLE = "meetings_calendarstamp"
BUMP = "version = {table}.version + 1, changed_at = excluded.changed_at"

POSTGRESQL_CREATE = f"""
CREATE FUNCTION meetings_calendar_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Ordered by network, so two statements that touch the same networks lock their
    -- stamps in the same order and cannot deadlock each other.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {TABLE} (network_id, version, changed_at)
        SELECT DISTINCT network_id, 1, now() FROM new_rows ORDER BY network_id
        ON CONFLICT (network_id) DO UPDATE SET {BUMP.format(table=TABLE)};
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO {TABLE} (network_id, version, changed_at)
        SELECT network_id, 1, now()
        FROM (SELECT network_id FROM new_rows UNION SELECT network_id FROM old_rows) AS touched
        ORDER BY network_id
        ON CONFLICT (network_id) DO UPDATE SET {BUMP.format(table=TABLE)};
    ELSE
        INSERT INTO {TABLE} (network_id, version, changed_at)
        SELECT DISTINCT network_id, 1, now() FROM old_rows ORDER BY network_id
        ON CONFLICT (network_id) DO UPDATE SET {BUMP.format(table=TABLE)};
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER meetings_calendar_stamp_insert AFTER INSERT ON meetings_meeting
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_calendar_stamp_bump();
CREATE TRIGGER meetings_calendar_stamp_update AFTER UPDATE ON meetings_meeting
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION meetings_calendar_stamp_bump();
CREATE TRIGGER meetings_calendar_stamp_delete AFTER DELETE ON meetings_meeting
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_calendar_stamp_bump();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS meetings_calendar_stamp_insert ON meetings_meeting;
DROP TRIGGER IF EXISTS meetings_calendar_stamp_update ON meetings_meeting;
DROP TRIGGER IF EXISTS meetings_calendar_stamp_delete ON meetings_meeting;
DROP FUNCTION IF EXISTS meetings_calendar_stamp_bump();
"""


def _sqlite_bump(row: str) -> str:
    return (
        f"INSERT INTO {TABLE} (network_id, version, changed_at) "
        f"VALUES ({row}.network_id, 1, strftime('%Y-%m-%d %H:%M:%f', 'now')) "
        f"ON CONFLICT (network_id) DO UPDATE SET {BUMP.format(table=TABLE)};"
    )


SQLITE_CREATE = [
    f"CREATE TRIGGER meetings_calendar_stamp_insert AFTER INSERT ON meetings_meeting BEGIN {_sqlite_bump('new')} END;",
    f"CREATE TRIGGER meetings_calendar_stamp_update AFTER UPDATE ON meetings_meeting "
    f"BEGIN {_sqlite_bump('old')} {_sqlite_bump('new')} END;",
    f"CREATE TRIGGER meetings_calendar_stamp_delete AFTER DELETE ON meetings_meeting BEGIN {_sqlite_bump('old')} END;",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS meetings_calendar_stamp_{event};" for event in ("insert", "update", "delete")
]


def _run(schema_editor, postgresql, sqlite) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgresql)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"No calendar-stamp triggers for {vendor}")


def triggers_create(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_CREATE, SQLITE_CREATE)
    # The meetings already there: one stamp per network that has any.
    Meeting = apps.get_model("meetings", "Meeting")
    CalendarStamp = apps.get_model("meetings", "CalendarStamp")
    CalendarStamp.objects.bulk_create(
        CalendarStamp(network_id=row["network_id"], version=row["count"], changed_at=row["changed_at"])
        for row in Meeting.objects.values("network_id").annotate(count=Count("pk"), changed_at=Max("updated_at"))
    )


def triggers_drop(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_DROP, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0010_minutes_file_size_limit"),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarStamp",
            fields=[
                ("network_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="Netzwerk")),
                ("version", models.BigIntegerField(verbose_name="Änderungen")),
                ("changed_at", models.DateTimeField(verbose_name="zuletzt geändert")),
            ],
            options={
                "verbose_name": "Kalenderstand eines Netzwerks",
                "verbose_name_plural": "Kalenderstände der Netzwerke",
            },
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
