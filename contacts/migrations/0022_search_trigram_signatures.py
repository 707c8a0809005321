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

Institutions' names get a B-tree: the search picks the first hits of each rank
(``netzwerk.search._best_of_each_rank``), first those whose name is the query. (Not a
trigram index on the name: the planner takes it for that equality, too, and rechecks every
name that shares the query's trigrams, 6,000 for "Einrichtung".) Where thousands of names
hold the words, the index of active institutions by name hands them out in order.
"""

from django.db import migrations

SIGNATURE = "gist_trgm_ops (siglen = 256)"
INDEXES = [
    ("contacts_person_search_gist", "contacts_person", "search_name"),
    ("contacts_institution_search_gist", "contacts_institution", "search_text"),
    ("contacts_area_search_gist", "contacts_area", "search_text"),
    ("contacts_network_search_gist", "contacts_network", "search_text"),
]
NAME_INDEX = "CREATE INDEX contacts_institution_search_name ON contacts_institution (search_name)"
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
    schema_editor.execute("DROP INDEX IF EXISTS contacts_institution_search_name")
    schema_editor.execute(NAME_INDEX)


def signatures_narrow(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        if name in EARLIER:
            schema_editor.execute(f"CREATE INDEX {name} ON {table} USING gist ({column} {EARLIER[name]})")
    schema_editor.execute("DROP INDEX IF EXISTS contacts_institution_search_name")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0021_speedpages_directory_stamp"),
    ]

    operations = [
        migrations.RunPython(signatures_widen, signatures_narrow),
    ]
