"""Trigram indexes whose GiST signatures stay selective as the directory grows (issue 16).

PostgreSQL only. The search asks "%>" (a typo of a word) of people's names and of areas',
networks' and institutions' texts. A GiST trigram index sums up each page of its tree in a
signature of 12 bytes by default; over 15,000 names that look alike ("robin person 00001")
the signatures of the upper pages have every bit set, and "%>" walks the whole index (157
of 170 pages at ten times Aachen's size, about 1 ms, growing with the data). With 256 bytes
a word that is in no name is ruled out at the root (2 pages). Areas and networks get the
same index on their text: without one, "%>" compared the trigrams of every row. The GIN
trigram index of the networks stays for LIKE: the planner chooses GiST for "%>", which it
costs lower.
"""

from django.db import migrations

SIGNATURE = "gist_trgm_ops (siglen = 256)"
INDEXES = [
    ("contacts_person_search_gist", "contacts_person", "search_name"),
    ("contacts_institution_search_gist", "contacts_institution", "search_text"),
    ("contacts_area_search_gist", "contacts_area", "search_text"),
    ("contacts_network_search_gist", "contacts_network", "search_text"),
]
# What 0007 left, to go back to.
EARLIER = {
    "contacts_person_search_gist": "gist_trgm_ops",
    "contacts_institution_search_gist": "gist_trgm_ops",
}


def signatures_widen(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON {table} USING gist ({column} {SIGNATURE})")


def signatures_narrow(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        if name in EARLIER:
            schema_editor.execute(f"CREATE INDEX {name} ON {table} USING gist ({column} {EARLIER[name]})")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0021_speedpages_directory_stamp"),
    ]

    operations = [
        migrations.RunPython(signatures_widen, signatures_narrow),
    ]
