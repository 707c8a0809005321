"""The directory's stamp, kept by triggers on the tables the public lists show.

A trigger sees every write, also a bulk ``update()`` or ``delete()``, which a service or a
signal would miss. PostgreSQL runs one statement-level trigger per statement (a bulk write
of 6,000 institutions bumps the stamp once) and draws each version from a sequence, so a
number is never given to two states of the data, not even after a rollback; SQLite has only
row-level triggers and counts up, which is enough for the demo.

The bump locks the stamp's row until the transaction ends, as the calendar stamps do
(meetings 0011): writes to the directory queue behind each other. They are short (a
service's save); the tables that change often (meetings, answers, deliveries) have no
trigger here.
"""

from django.db import migrations, models

TABLE = "contacts_directorystamp"
SEQUENCE = "contacts_directorystamp_version"
# What the public lists, selects and the network page show: areas, networks with their
# areas and topics, institutions with their types, categories and umbrellas, and the people
# of a network as the projection reads them (memberships, consents, channels, affiliations).
WATCHED = [
    "contacts_area",
    "contacts_topic",
    "contacts_network",
    "contacts_network_areas",
    "contacts_network_topics",
    "contacts_institutioncategory",
    "contacts_institutiontype",
    "contacts_umbrella",
    "contacts_institution",
    "contacts_person",
    "contacts_membership",
    "contacts_consent",
    "contacts_contactchannel",
    "contacts_affiliation",
]

POSTGRESQL_CREATE = f"""
CREATE SEQUENCE {SEQUENCE};
CREATE FUNCTION contacts_directory_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} (id, version, changed_at) VALUES (1, nextval('{SEQUENCE}'), now())
    ON CONFLICT (id) DO UPDATE SET version = excluded.version, changed_at = excluded.changed_at;
    RETURN NULL;
END
$$;
INSERT INTO {TABLE} (id, version, changed_at) VALUES (1, nextval('{SEQUENCE}'), now());
""" + "".join(
    f"""
CREATE TRIGGER {table}_directory_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_directory_stamp_bump();"""
    for table in WATCHED
)
POSTGRESQL_DROP = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_directory_stamp ON {table};\n" for table in WATCHED)
    + f"DROP FUNCTION IF EXISTS contacts_directory_stamp_bump();\nDROP SEQUENCE IF EXISTS {SEQUENCE};\n"
)

SQLITE_BUMP = (
    f"INSERT INTO {TABLE} (id, version, changed_at) VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now')) "
    f"ON CONFLICT (id) DO UPDATE SET version = {TABLE}.version + 1, changed_at = excluded.changed_at;"
)
SQLITE_CREATE = [
    f"INSERT INTO {TABLE} (id, version, changed_at) VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'));",
    *(
        f"CREATE TRIGGER {table}_directory_stamp_{event} AFTER {event.upper()} ON {table} BEGIN {SQLITE_BUMP} END;"
        for table in WATCHED
        for event in ("insert", "update", "delete")
    ),
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_directory_stamp_{event};"
    for table in WATCHED
    for event in ("insert", "update", "delete")
]


def _run(schema_editor, postgresql, sqlite) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgresql)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"No directory-stamp triggers for {vendor}")


def triggers_create(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_CREATE, SQLITE_CREATE)


def triggers_drop(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_DROP, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0020_institution_coordinates"),
    ]

    operations = [
        migrations.CreateModel(
            name="DirectoryStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(verbose_name="Änderungsstand")),
                ("changed_at", models.DateTimeField(verbose_name="zuletzt geändert")),
            ],
            options={
                "verbose_name": "Stand des Verzeichnisses",
                "verbose_name_plural": "Stände des Verzeichnisses",
            },
        ),
        migrations.RunPython(triggers_create, triggers_drop),
        migrations.AddIndex(
            model_name="institution",
            index=models.Index(
                condition=models.Q(("is_active", True)), fields=["name", "id"], name="institution_active_by_name"
            ),
        ),
    ]
