"""The mail stamp, kept by triggers on the tables that decide whether a queued mail still
goes and are not watched by the directory's or the calendar's stamps: mail preferences and
Rundmails.

The same scheme as the directory stamp (contacts 0021): PostgreSQL runs one statement-level
trigger per statement and draws each version from a sequence; SQLite has only row-level
triggers and counts up. The bump locks the stamp's row until the transaction ends: writes of
preferences and of a Rundmail's state queue behind each other. They are short (one person's
settings, one Rundmail's step); the delivery log, written all the time, has no trigger.
A Rundmail that is created has no mails yet: only its changes and its deletion count.
"""

from importlib import import_module

from django.db import migrations, models

# Its ``_run``: the statements of the database at hand.
directory = import_module("contacts.migrations.0021_speedpages_directory_stamp")

TABLE = "notifications_mailstamp"
SEQUENCE = "notifications_mailstamp_version"
# Table and the events that move the stamp.
WATCHED = [
    ("notifications_preference", ("insert", "update", "delete")),
    ("notifications_rundmail", ("update", "delete")),
]

POSTGRESQL_CREATE = f"""
CREATE SEQUENCE {SEQUENCE};
CREATE FUNCTION notifications_mail_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} (id, version, changed_at) VALUES (1, nextval('{SEQUENCE}'), now())
    ON CONFLICT (id) DO UPDATE SET version = excluded.version, changed_at = excluded.changed_at;
    RETURN NULL;
END
$$;
INSERT INTO {TABLE} (id, version, changed_at) VALUES (1, nextval('{SEQUENCE}'), now());
""" + "".join(
    f"""
CREATE TRIGGER {table}_mail_stamp AFTER {" OR ".join(event.upper() for event in events)} OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_mail_stamp_bump();"""
    for table, events in WATCHED
)
POSTGRESQL_DROP = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_mail_stamp ON {table};\n" for table, _events in WATCHED)
    + f"DROP FUNCTION IF EXISTS notifications_mail_stamp_bump();\nDROP SEQUENCE IF EXISTS {SEQUENCE};\n"
)

SQLITE_BUMP = (
    f"INSERT INTO {TABLE} (id, version, changed_at) VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now')) "
    f"ON CONFLICT (id) DO UPDATE SET version = {TABLE}.version + 1, changed_at = excluded.changed_at;"
)
SQLITE_CREATE = [
    f"INSERT INTO {TABLE} (id, version, changed_at) VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'));",
    *(
        f"CREATE TRIGGER {table}_mail_stamp_{event} AFTER {event.upper()} ON {table} BEGIN {SQLITE_BUMP} END;"
        for table, events in WATCHED
        for event in events
    ),
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {table}_mail_stamp_{event};" for table, events in WATCHED for event in events]


def triggers_create(apps, schema_editor):
    directory._run(schema_editor, POSTGRESQL_CREATE, SQLITE_CREATE)


def triggers_drop(apps, schema_editor):
    directory._run(schema_editor, POSTGRESQL_DROP, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0021_speedpages_directory_stamp"),
        ("notifications", "0020_kinds_after_sixth_merge"),
    ]

    operations = [
        migrations.CreateModel(
            name="MailStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(verbose_name="Änderungsstand")),
                ("changed_at", models.DateTimeField(verbose_name="zuletzt geändert")),
            ],
            options={
                "verbose_name": "Stand der Mail-Einstellungen",
                "verbose_name_plural": "Stände der Mail-Einstellungen",
            },
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
