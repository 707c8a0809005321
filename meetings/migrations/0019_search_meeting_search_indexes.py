from django.db import migrations

# PostgreSQL only (SQLite compares the folded title row by row, which is fast at its size).
# The meeting search matches the folded title by LIKE '%word%', by trigram word similarity
# (a typo) and by German word stems; without an index each of them folds, splits or
# compares every meeting ever held. GiST for the trigrams, as for the other short search
# columns (contacts.0007: GIN is costed above a sequential scan for "%>").
SEARCH_INDEXES = [
    ("meetings_meeting_search_gist", "meetings_meeting", "gist (search_name gist_trgm_ops)"),
    (
        "meetings_meeting_search_fts",
        "meetings_meeting",
        "gin (to_tsvector('german'::regconfig, COALESCE(search_name, ''::text)))",
    ),
]


def search_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, method in SEARCH_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {method}")


def search_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _method in SEARCH_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0018_minutes_file_keeps_its_name"),
        # pg_trgm (TrigramExtension) comes with the directory's search.
        ("contacts", "0006_street_search"),
    ]

    operations = [
        migrations.RunPython(search_indexes_create, search_indexes_drop),
    ]
